"""The offer matches the refusal (docs/decisions/0036): for each person of a school, the outage pages, the call
page's outage panel, the approval page and the school's categories offer a form or a button exactly when the rule
the service enforces says yes."""

import pytest

from schooldesk.core.permissions import can
from schooldesk.core.tests.pages import offered
from schooldesk.incidents.models import Category
from schooldesk.incidents.services import incident_escalate, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.outages.models import CallApproval
from schooldesk.outages.services import outage_declare

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_outage_pages_offer_what_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    outage = outage_declare(by=cast.spoc, schools=[cast.school], title="The Wi-Fi is down")
    IncidentFactory(school=cast.school, by=cast.reporter)  # a call to link
    client.force_login(user)
    status, offers = offered(client, "/outages/")
    assert status == 200
    assert ("/outages/new/" in offers) == can(user, "outages.declare")
    assert client.get("/outages/new/").status_code == (200 if can(user, "outages.declare") else 403)
    status, offers = offered(client, f"/outages/{outage.pk}/")
    assert status == 200
    may_run = can(user, "outages.resolve", outage)
    assert (f"/outages/{outage.pk}/resolve/" in offers) == may_run
    assert (f"/outages/{outage.pk}/link/" in offers) == may_run
    assert can(user, "outages.affected", outage)  # everyone of the school may say they are affected


@pytest.mark.parametrize("role", CAST)
def test_the_call_page_offers_an_outage_and_a_change_from_the_call_as_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    call = incident_escalate(incident=call, by=cast.spoc, version=call.version, supplier=cast.supplier)
    client.force_login(user)
    status, offers = offered(client, f"/incidents/{call.pk}/")
    if status != 200:
        return
    assert ("/outages/new/" in offers) == can(user, "outages.declare", call)
    assert (f"/outages/calls/{call.pk}/change/" in offers) == can(user, "changes.create", call)


@pytest.mark.parametrize("role", CAST)
def test_the_approval_page_offers_the_decision_to_the_approver_only(cast, client, role):
    user = getattr(cast, role)
    category = Category.objects.get(school=cast.school, name="Request: new equipment")
    category.needs_approval = True
    category.save()
    request = IncidentFactory(school=cast.school, by=cast.reporter, kind="request", summary="A visualiser")
    incident_triage(
        incident=request, by=cast.spoc, version=request.version, category=category, impact="I3", urgency="U2"
    )
    approval = CallApproval.objects.get(incident=request)
    client.force_login(user)
    status, offers = offered(client, f"/outages/approvals/{approval.pk}/")
    if status != 200:
        return
    assert (f"/outages/approvals/{approval.pk}/decide/" in offers) == can(user, "outages.decide", approval)


@pytest.mark.parametrize("role", CAST)
def test_the_schools_categories_offer_needs_approval_as_the_rule_allows(cast, client, role):
    user = getattr(cast, role)
    category = Category.objects.get(school=cast.school, name="Request: new equipment")
    client.force_login(user)
    status, offers = offered(client, f"/schools/{cast.school.pk}/")
    expected = can(user, "outages.category_approval", category)
    if status == 200:
        assert (f"/outages/categories/{category.pk}/approval/" in offers) == expected
    answer = client.post(f"/outages/categories/{category.pk}/approval/")
    assert answer.status_code == (302 if expected else 404)
