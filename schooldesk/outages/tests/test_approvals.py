"""A request that costs money or changes access waits for the school's approver, with the SLA clock paused."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.incidents.models import Category
from schooldesk.incidents.services import incident_assign, incident_resolve, incident_resume, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.outages.models import CallApproval
from schooldesk.outages.services import approval_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(cast):
    person = UserFactory(username="oak-business-manager", first_name="Bev", last_name="Manager")
    MembershipFactory(user=person, school=cast.school, role="viewer")
    cast.school.approver = person
    cast.school.save(update_fields=["approver"])
    return person


@pytest.fixture
def purchases(cast, client):
    """Marked "needs approval" where categories are edited: the school's settings page."""
    category = Category.objects.get(school=cast.school, name="Request: new equipment")  # every school starts with it
    client.force_login(cast.spoc)
    page = client.get(f"/schools/{cast.school.pk}/").content.decode()
    assert f"/outages/categories/{category.pk}/approval/" in page
    assert client.post(f"/outages/categories/{category.pk}/approval/").status_code == 302
    category.refresh_from_db()
    assert category.needs_approval
    return category


def ask(cast, category, mailed):
    request = IncidentFactory(school=cast.school, by=cast.reporter, kind="request", summary="A visualiser for Y2")
    with mailed(execute=True):
        return incident_triage(
            incident=request, by=cast.spoc, version=request.version, category=category, impact="I3", urgency="U2"
        )


def test_a_request_waits_for_the_business_manager_with_the_clock_paused(
    cast, manager, purchases, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    request = ask(cast, purchases, django_capture_on_commit_callbacks)
    assert request.status == "waiting_approval" and request.sla_paused_at is not None
    assert [m.to for m in mail.outbox if "Approval needed" in m.subject] == [[manager.email]]
    with pytest.raises(ValidationError):
        incident_assign(incident=request, by=cast.spoc, version=request.version, technician=cast.technician)
    with pytest.raises(ValidationError):
        incident_resolve(incident=request, by=cast.spoc, version=request.version, resolution="Ordered it")
    with pytest.raises(ValidationError):
        incident_resume(incident=request, by=cast.spoc, version=request.version)


def test_the_business_manager_approves_from_the_email_link(
    cast, manager, purchases, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    request = ask(cast, purchases, django_capture_on_commit_callbacks)
    email = next(m for m in mail.outbox if m.to == [manager.email])
    link = re.search(r"https?://[^/\s]+(/outages/approvals/\d+/\?t=\S+)", email.body).group(1)
    client.logout()
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), "they must sign in"
    client.force_login(manager)
    page = client.get(link).content.decode()
    assert "Record my decision" in page and "sent to someone else" not in page
    approval = CallApproval.objects.get(incident=request)
    response = client.post(f"/outages/approvals/{approval.pk}/decide/", {"decision": "approve", "reason": "In budget"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "open" and request.sla_paused_at is None
    client.force_login(cast.spoc)
    call_page = client.get(f"/incidents/{request.pk}/").content.decode()
    assert "Approved by" in call_page and "In budget" in call_page


def test_a_refusal_needs_a_reason_and_cancels_the_request(
    cast, manager, purchases, client, django_capture_on_commit_callbacks
):
    request = ask(cast, purchases, django_capture_on_commit_callbacks)
    approval = CallApproval.objects.get(incident=request)
    client.force_login(manager)
    response = client.post(f"/outages/approvals/{approval.pk}/decide/", {"decision": "refuse", "reason": ""})
    assert response.status_code == 400 and "Say why it is refused" in response.content.decode()
    approval_decide(approval=approval, by=manager, approve=False, reason="Not this year")
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_only_the_named_approver_decides(cast, manager, purchases, client, django_capture_on_commit_callbacks):
    request = ask(cast, purchases, django_capture_on_commit_callbacks)
    approval = CallApproval.objects.get(incident=request)
    for person in (cast.spoc, cast.owner, cast.reporter):
        with pytest.raises(PermissionDenied):
            approval_decide(approval=approval, by=person, approve=True)
    client.force_login(cast.spoc)
    page = client.get(f"/incidents/{request.pk}/").content.decode()
    assert "Awaiting approval from" in page
    assert "/assign/" not in page and "/resolve/" not in page and "/cancel/" in page


def test_an_incident_in_the_category_or_a_request_elsewhere_does_not_wait(cast, manager, purchases):
    fault = IncidentFactory(school=cast.school, by=cast.reporter, summary="Broken visualiser")
    fault = incident_triage(
        incident=fault, by=cast.spoc, version=fault.version, category=purchases, impact="I3", urgency="U2"
    )
    assert fault.status == "open"
    other = Category.objects.get(school=cast.school, name="Software")
    request = IncidentFactory(school=cast.school, by=cast.reporter, kind="request", summary="Install Scratch")
    request = incident_triage(
        incident=request, by=cast.spoc, version=request.version, category=other, impact="I3", urgency="U2"
    )
    assert request.status == "open"


def test_a_change_raised_from_the_approved_request_shows_the_decision(
    cast, manager, purchases, client, django_capture_on_commit_callbacks
):
    request = ask(cast, purchases, django_capture_on_commit_callbacks)
    client.force_login(cast.spoc)
    assert "/change/" not in client.get(f"/incidents/{request.pk}/").content.decode(), "not before the decision"
    approval_decide(
        approval=CallApproval.objects.get(incident=request), by=manager, approve=True, reason="In this year's budget"
    )
    page = client.get(f"/incidents/{request.pk}/").content.decode()
    assert f"/outages/calls/{request.pk}/change/" in page
    response = client.post(f"/outages/calls/{request.pk}/change/")
    assert response.status_code == 302 and response["Location"].startswith("/changes/")
    change = client.get(response["Location"]).content.decode()
    assert request.reference in change and "In this year&#x27;s budget" in change and "Approved" in change
    assert "CHG-" in client.get(f"/incidents/{request.pk}/").content.decode()


def test_the_approver_is_named_on_the_school_settings_page(cast, client):
    from schooldesk.core.tests.pages import filled, forms_in

    manager = UserFactory(username="oak-head", first_name="Hana", last_name="Head")
    MembershipFactory(user=manager, school=cast.school, role="viewer")
    client.force_login(cast.spoc)
    url = f"/schools/{cast.school.pk}/"
    form = next(f for f in forms_in(client.get(url).content.decode(), url) if f.action.endswith("/settings/"))
    data, _touched = filled(form, None)
    data["s-approver"] = str(manager.pk)  # the settings form's prefix
    assert client.post(form.action, data).status_code == 302
    cast.school.refresh_from_db()
    assert cast.school.approver == manager


def test_the_reporter_cancels_a_request_awaiting_approval_and_the_approver_has_nothing_to_decide(
    cast, manager, purchases, client, django_capture_on_commit_callbacks
):
    request = ask(cast, purchases, django_capture_on_commit_callbacks)
    client.force_login(cast.reporter)
    response = client.post(
        f"/incidents/{request.pk}/cancel/", {"version": request.version + 0, "reason": "Borrowed one from Y3"}
    )
    assert response.status_code == 302
    approval = CallApproval.objects.get(incident=request)
    assert approval.decision == "cancelled"
    client.force_login(manager)
    page = client.get(f"/outages/approvals/{approval.pk}/").content.decode()
    assert "Record my decision" not in page and "Cancelled" in page


def test_without_a_named_approver_the_ict_owner_decides(cast, purchases, client, django_capture_on_commit_callbacks):
    """No approver named on the settings page: the school's ICT owners are asked (a plain link: the signed one names
    the approver), any of them decides, and nobody else."""
    assert cast.school.approver_id is None
    mail.outbox.clear()
    request = ask(cast, purchases, django_capture_on_commit_callbacks)
    assert request.status == "waiting_approval"
    asked = [m for m in mail.outbox if "Approval needed" in m.subject]
    assert [m.to for m in asked] == [[cast.owner.email]]
    approval = CallApproval.objects.get(incident=request)
    assert f"/outages/approvals/{approval.pk}/" in asked[0].body
    with pytest.raises(PermissionDenied):
        approval_decide(approval=approval, by=cast.spoc, approve=True)
    client.force_login(cast.owner)
    page = client.get(f"/outages/approvals/{approval.pk}/").content.decode()
    assert "Record my decision" in page
    response = client.post(f"/outages/approvals/{approval.pk}/decide/", {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "open" and request.sla_paused_at is None


def test_the_clock_does_not_count_the_wait_for_approval(cast, manager, purchases, django_capture_on_commit_callbacks):
    """The approver answers 90 school minutes later: the due times move on by those 90 minutes, as for any waiting.
    (The clock is mocked as in incidents/tests/test_sla.py: Monday 2 March 2026 is an ordinary school day.)"""
    from datetime import datetime
    from unittest import mock

    from schooldesk.core.calendar import LONDON
    from schooldesk.schools.selectors import school_calendar

    clock = {"now": datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock["now"]):
        request = ask(cast, purchases, django_capture_on_commit_callbacks)
        due_before = request.resolve_due_at
        assert request.sla_paused_at == clock["now"]
        clock["now"] = datetime(2026, 3, 2, 11, 30, tzinfo=LONDON)
        approval_decide(approval=CallApproval.objects.get(incident=request), by=manager, approve=True, reason="Fine")
    request.refresh_from_db()
    assert request.sla_paused_at is None and request.sla_paused_minutes == 90
    assert school_calendar(school=cast.school).minutes_between(due_before, request.resolve_due_at) == 90
