"""Who manages webhooks: the school's ICT owner; an LA's desk for all its schools, and organisation-wide."""

import pytest

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.schools.tests.factories import SchoolFactory
from schooldesk.webhooks.models import Subscription
from schooldesk.webhooks.tests import tenancy

pytestmark = pytest.mark.django_db


def test_the_ict_owner_sees_the_schools_webhook_and_its_attempts_the_other_roles_do_not(cast, client):
    world = tenancy.build(cast, "OAKSECRET")
    url = f"/webhooks/{world['webhook'].pk}/"
    client.force_login(cast.owner)
    page = client.get(url).content.decode()
    assert "OAKSECRET monitoring" in page and "OAKSECRET answer" in page and "<strong>500</strong>" in page
    assert "OAKSECRET-signing-key" not in page  # the secret is never shown again
    assert "OAKSECRET monitoring" in client.get("/webhooks/").content.decode()
    assert 'href="/webhooks/"' in client.get("/").content.decode()  # Desk menu → Webhooks
    for role in ("reporter", "spoc", "technician", "provider", "viewer", "dpo"):
        client.force_login(getattr(cast, role))
        assert client.get(url).status_code in (403, 404), role
        assert client.get("/webhooks/").status_code == 403, role
        assert client.get("/webhooks/new/").status_code == 403, role
        assert 'href="/webhooks/"' not in client.get("/").content.decode(), role


def test_an_la_officer_subscribes_for_every_school_of_the_organisation(cast, client):
    second = SchoolFactory(organisation=cast.school.organisation, name="Second Primary School")
    officer = UserFactory(username="la-spoc")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    client.force_login(officer)
    page = client.get("/webhooks/new/").content.decode()
    form = next(f for f in forms_in(page, "/webhooks/new/") if f.action.endswith("/webhooks/new/"))
    assert {c.name for c in form.controls} >= {"school", "organisation"}
    data, _filled = filled(form, None)
    data.update(
        {
            "name": "Council monitoring",
            "url": "http://127.0.0.1:9/la",
            "events": ["call.priority_p1"],
            "school": "",
            "organisation": str(cast.school.organisation_id),
        }
    )
    response = client.post(form.action, data)
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.organisation == cast.school.organisation and subscription.school is None
    # the school's own ICT owner does not manage the LA's subscription (but sees their own)
    client.force_login(cast.owner)
    assert client.get(f"/webhooks/{subscription.pk}/").status_code == 404
    assert second.pk  # the officer's choice of school included the second school
    assert str(second.pk) in page


def test_the_owner_of_one_school_cannot_subscribe_another_school(cast, other, client):
    client.force_login(cast.owner)
    page = client.get("/webhooks/new/").content.decode()
    form = next(f for f in forms_in(page, "/webhooks/new/") if f.action.endswith("/webhooks/new/"))
    assert "school" not in {c.name for c in form.controls}  # one school: theirs, no field
    data, _filled = filled(form, None)
    data.update(
        {
            "name": "Sneaky",
            "url": "http://127.0.0.1:9/x",
            "events": ["call.created"],
            "school": str(other.school.pk),
            "organisation": str(other.school.organisation_id),
        }
    )
    assert client.post(form.action, data).status_code == 302
    assert Subscription.objects.get().school == cast.school


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_webhook_pages_cost_the_same_queries_however_many_deliveries(cast, client):
    from django.utils import timezone

    from schooldesk.webhooks.models import Attempt, Delivery

    world = tenancy.build(cast, "OAKSECRET")
    subscription = world["webhook"]
    client.force_login(cast.owner)
    urls = ["/webhooks/", f"/webhooks/{subscription.pk}/"]
    before = [_queries(client, url) for url in urls]
    for n in range(6):
        delivery = Delivery.objects.create(
            subscription=subscription, event="call.created", school=cast.school, body="{}"
        )
        for status in (500, 200):
            Attempt.objects.create(delivery=delivery, at=timezone.now(), status_code=status, response_body=str(n))
    tenancy.build(cast, "SECOND")
    assert [_queries(client, url) for url in urls] == before
