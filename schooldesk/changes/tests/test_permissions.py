"""The offer matches the refusal (docs/decisions/0036): for each person of a school, the change pages offer
raising, deciding, completing, the progress page, the report and standard changes exactly when the rule the
service enforces says yes."""

import pytest

from schooldesk.changes.services import change_submit
from schooldesk.changes.tests.factories import ChangeFactory, authorised_change
from schooldesk.core.permissions import can
from schooldesk.core.tests.pages import offered

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_list_offers_what_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    client.force_login(user)
    status, offers = offered(client, "/changes/")
    assert status == (200 if can(user, "changes.change") else 403)
    if status != 200:
        return
    assert ("/changes/progress/" in offers) == can(user, "changes.progress")
    assert ("/changes/report/" in offers) == can(user, "changes.report")
    assert client.get("/changes/progress/").status_code == (200 if can(user, "changes.progress") else 403)
    status, offers = offered(client, "/changes/standard/")
    assert ("/changes/standard/new/" in offers) == can(user, "changes.standard", cast.school)


@pytest.mark.parametrize("role", CAST)
def test_a_submitted_change_offers_the_decision_to_the_owner_only(cast, client, role):
    user = getattr(cast, role)
    change = ChangeFactory(school=cast.school, by=cast.spoc)
    change = change_submit(change=change, by=cast.spoc, version=change.version)
    client.force_login(user)
    status, offers = offered(client, f"/changes/{change.pk}/")
    if not can(user, "changes.change", change):
        assert status in (403, 404)
        return
    assert (f"/changes/{change.pk}/decide/" in offers) == can(user, "changes.decide", change)


@pytest.mark.parametrize("role", CAST)
def test_an_authorised_change_offers_completing_to_the_desk_only(cast, client, role):
    user = getattr(cast, role)
    change = authorised_change(cast)
    client.force_login(user)
    status, offers = offered(client, f"/changes/{change.pk}/")
    if not can(user, "changes.change", change):
        assert status in (403, 404)
        return
    assert (f"/changes/{change.pk}/complete/" in offers) == can(user, "changes.complete", change)
