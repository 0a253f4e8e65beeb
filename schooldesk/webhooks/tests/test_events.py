"""Each event is emitted by the service where it happens, after the commit, once per subscriber."""

import json
from datetime import date, timedelta

import pytest

from schooldesk.assets.services import asset_status_set
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.incidents.services import incident_escalate, incident_triage
from schooldesk.licences.services import allocation_add
from schooldesk.licences.tests.factories import LicenceFactory
from schooldesk.suppliers.services import contract_alerts_send
from schooldesk.suppliers.tests.factories import make_contract
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.models import Delivery, Subscription
from schooldesk.webhooks.services import sla_breaches_emit, subscription_save
from schooldesk.webhooks.tests.test_delivery import p1_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(cast, receiver):
    subscription, _secret = subscription_save(
        subscription=Subscription(
            school=cast.school, name="All", url=receiver.url, events="," + ",".join(WebhookEvent.values) + ","
        ),
        by=cast.owner,
    )
    return subscription


def events(receiver) -> list[str]:
    return [json.loads(r.body)["event"] for r in receiver.requests]


def test_call_events_come_from_the_call_services(cast, everything, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = p1_call(cast)
    assert events(receiver) == ["call.created", "call.priority_p1"]
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_triage(
            incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I1", urgency="U1"
        )
    assert events(receiver)[2:] == ["call.status_changed"]  # New → Open; still P1: not told again
    body = json.loads(receiver.requests[2].body)
    assert body["data"]["old_status"] == "New" and body["data"]["status"] == "Open (triaged)"
    with django_capture_on_commit_callbacks(execute=True):
        incident_escalate(incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier)
    assert events(receiver)[3:] == ["call.status_changed", "call.escalated"]
    assert json.loads(receiver.requests[4].body)["data"]["supplier"] == cast.supplier.name


def test_a_call_triaged_up_to_p1_is_told(cast, everything, receiver, django_capture_on_commit_callbacks):
    from schooldesk.incidents.tests.factories import IncidentFactory

    incident = IncidentFactory(school=cast.school, by=cast.reporter)  # P4, outside the capture: not sent
    with django_capture_on_commit_callbacks(execute=True):
        incident_triage(
            incident=incident, by=cast.spoc, version=incident.version, category=None, impact="I1", urgency="U1"
        )
    assert "call.priority_p1" in events(receiver)


def test_a_missed_target_is_told_once_however_often_the_job_runs(
    cast, everything, receiver, django_capture_on_commit_callbacks
):
    incident = p1_call(cast)  # not captured: the call's own events are not sent
    due = incident.response_due_at
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_breaches_emit(now=due - timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_breaches_emit(now=due + timedelta(minutes=1)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_breaches_emit(now=due + timedelta(minutes=6)) == 1  # found again, not sent again
    assert events(receiver) == ["call.sla_breached"]
    assert json.loads(receiver.requests[0].body)["data"]["target"] == "response"


def test_an_asset_change_is_told(cast, everything, receiver, django_capture_on_commit_callbacks):
    asset = AssetFactory(school=cast.school, by=cast.spoc)
    with django_capture_on_commit_callbacks(execute=True):
        asset_status_set(asset=asset, status="in_repair", by=cast.spoc)
    assert events(receiver) == ["asset.changed"]
    assert json.loads(receiver.requests[0].body)["object"]["reference"] == asset.reference


def test_a_licence_becoming_under_licensed_is_told_once(cast, everything, receiver, django_capture_on_commit_callbacks):
    licence = LicenceFactory(school=cast.school, by=cast.spoc, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        allocation_add(licence=licence, by=cast.spoc, person=cast.reporter)  # 1 of 1: compliant
    assert events(receiver) == []
    with django_capture_on_commit_callbacks(execute=True):
        allocation_add(licence=licence, by=cast.spoc, person=cast.technician, over_allocate=True)  # 2 of 1
    with django_capture_on_commit_callbacks(execute=True):
        allocation_add(licence=licence, by=cast.spoc, person=cast.owner, over_allocate=True)  # still under: not again
    assert events(receiver) == ["licence.under_licensed"]
    assert json.loads(receiver.requests[0].body)["data"]["shortfall"] == "1"


def test_a_contracts_notice_date_is_told_at_each_reminder(
    cast, everything, receiver, django_capture_on_commit_callbacks
):
    make_contract(cast, starts_on=date(2026, 1, 31), initial_term_months=12, notice_number=1, today=date(2026, 1, 31))
    with django_capture_on_commit_callbacks(execute=True):
        contract_alerts_send(today=date(2026, 10, 1))  # 90 days before the notice date
    with django_capture_on_commit_callbacks(execute=True):
        contract_alerts_send(today=date(2026, 10, 1))  # a rerun: nothing new
    assert events(receiver) == ["contract.notice_due"]
    assert json.loads(receiver.requests[0].body)["data"]["notice_by"] == "30/12/2026"
    assert Delivery.objects.count() == 1
