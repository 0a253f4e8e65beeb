"""The offer matches the refusal (docs/decisions/0036): for each person of a school, the checks, the standards
page and the annual review offer recording, scheduling, statements and the review exactly when the rule the
service enforces says yes."""

from urllib.parse import urlsplit

import pytest

from schooldesk.core.permissions import can
from schooldesk.core.tests.pages import read_page
from schooldesk.standards.tests.helpers import restore_check_due

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


def read(client, page: str):
    """The page's status, what it offers (each link's path, each posted form's action as a path) and the forms."""
    response = client.get(page)
    if response.status_code != 200:
        return response.status_code, set(), []
    parsed = read_page(response.content.decode(), page)
    posted = [form for form in parsed.forms if form.method == "post"]
    return 200, {urlsplit(link.href).path for link in parsed.links} | {urlsplit(f.action).path for f in posted}, posted


@pytest.mark.parametrize("role", CAST)
def test_the_checks_offer_recording_and_the_schedule_as_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    item = restore_check_due(cast.school)
    client.force_login(user)
    status, offers, _forms = read(client, "/standards/checks/")
    assert status == (200 if can(user, "standards.check") else 403)
    if status == 200:
        assert ("/standards/checks/new/" in offers) == can(user, "standards.schedule")
    status, offers, forms = read(client, f"/standards/checks/{item.pk}/")
    if status != 200:
        assert not can(user, "standards.read_check", item)
        return
    records = any(any(c.name == "note" for c in form.controls) for form in forms)
    assert records == can(user, "standards.check", item)


@pytest.mark.parametrize("role", CAST)
def test_the_standards_and_the_review_offer_statements_and_writing_as_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    school = cast.school
    client.force_login(user)
    status, offers, _forms = read(client, f"/standards/schools/{school.pk}/")
    assert status == (200 if can(user, "standards.view", school) else 403)
    if status != 200:
        return
    assert (f"/standards/schools/{school.pk}/statements/" in offers) == can(user, "standards.state", school)
    status, offers, forms = read(client, f"/standards/reviews/{school.pk}/")
    assert status == 200
    writes = any(any(c.name == "findings" for c in form.controls) for form in forms)
    assert writes == can(user, "standards.review_write", school)
    assert (f"/standards/reviews/{school.pk}/month/" in offers) == can(user, "standards.review_month", school)
