"""Bulk actions on the ticked calls of a list, submitted as the page renders them."""

import pytest
from django.contrib.messages import get_messages

from schooldesk.core.tests.pages import Form, forms_in, sent
from schooldesk.incidents import bulk
from schooldesk.incidents.choices import IncidentStatus
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_assign, incident_escalate, incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.problems.services import problem_create

pytestmark = pytest.mark.django_db


def _bulk_form(html: str, page: str) -> Form:
    (form,) = [f for f in forms_in(html, page) if f.method == "post" and any(c.name == "action" for c in f.controls)]
    return form


def _submit(client, page: str, *, tick, **fields):
    """Tick the rows of these calls on the page, choose and fill as a person would, press the button."""
    shown = client.get(page)
    assert shown.status_code == 200
    form = _bulk_form(shown.content.decode(), page)
    boxes = {c.value for c in form.controls if c.name == "call"}
    wanted = {str(i.pk) for i in tick}
    assert wanted <= boxes, f"the page offers no box for {wanted - boxes}"
    pairs, _touched = sent(form, form.buttons[0])
    data: dict[str, list] = {"call": sorted(wanted)}
    for name, value in pairs:
        if name != "call" and name not in fields:
            data.setdefault(name, []).append(value)
    for name, value in fields.items():
        data[name] = [value]
    return client.post(form.action, data)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _forwarded(cast, n, **kwargs):
    calls = []
    for i in range(n):
        call = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Laptop {i} will not charge", **kwargs)
        calls.append(incident_assign(incident=call, by=cast.spoc, version=call.version, technician=cast.technician))
    return calls


def test_a_technician_resolves_three_calls_with_one_note_and_is_told_what_was_refused(cast, client):
    calls = _forwarded(cast, 4)
    done_already = incident_resolve(
        incident=calls[3], by=cast.technician, version=calls[3].version, resolution="Replaced the charger."
    )
    client.force_login(cast.technician)
    response = _submit(
        client,
        "/incidents/?whose=mine",
        tick=calls,
        action="resolve",
        note="Reseated the charging cable in the trolley.",
    )
    assert response.status_code == 302 and response["Location"] == "/incidents/?whose=mine"
    for call in calls[:3]:
        call.refresh_from_db()
        assert call.status == IncidentStatus.RESOLVED
        assert call.resolution == "Reseated the charging cable in the trolley."
        assert call.updates.filter(kind="resolution", author=cast.technician).count() == 1  # through the service
    assert _messages(response) == [
        f"3 resolved; {done_already.reference} was refused: it is resolved; reopen it first."
    ]


def test_a_refusal_by_the_service_is_reported_and_the_others_go_through(cast, client):
    """A technician may not forward (the SPOC forwards): a desk-only action sent anyway is refused call by call by
    the service, with its reason, and nothing changes."""
    calls = _forwarded(cast, 2)
    client.force_login(cast.technician)
    shown = client.get("/incidents/").content.decode()
    offered = {
        value for c in _bulk_form(shown, "/incidents/").controls if c.name == "action" for value, _s in c.options
    }
    assert "forward" not in offered and "resolve" in offered
    response = client.post("/incidents/", {"call": [c.pk for c in calls], "action": "wait", "on": "supplier"})
    assert response.status_code == 302
    [message] = _messages(response)
    assert message.startswith(f"{calls[0].reference} was refused: ") and "supplier" in message
    assert Incident.objects.filter(pk__in=[c.pk for c in calls], status="first_level").count() == 2


def test_the_spoc_triages_and_forwards_from_the_triage_queue(cast, client):
    new = [IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Printer {i} jams") for i in range(3)]
    client.force_login(cast.spoc)
    response = _submit(
        client,
        "/incidents/triage/",
        tick=new,
        action="triage",
        category="Printing and copying",
        impact="I2",
        urgency="U1",
    )
    assert _messages(response) == ["3 triaged"]
    assert set(
        Incident.objects.filter(pk__in=[c.pk for c in new]).values_list("category__name", "impact", "status")
    ) == {("Printing and copying", "I2", "open")}
    # triaged, they leave the queue's "new" section: forwarded from the call list
    response = _submit(
        client,
        "/incidents/?state=open",
        tick=new[:2],
        action="forward",
        technician=str(cast.technician.pk),
        note="On your Tuesday visit",
    )
    assert _messages(response) == ["2 forwarded"]
    assert Incident.objects.filter(assigned_to=cast.technician, status="first_level").count() == 2


def test_escalate_and_link_to_a_problem(cast, client):
    calls = _forwarded(cast, 2)
    problem = problem_create(school=cast.school, by=cast.spoc, title="Trolley chargers fail")
    client.force_login(cast.spoc)
    response = _submit(client, "/incidents/", tick=calls, action="problem", problem=problem.reference)
    assert _messages(response) == ["2 linked to the problem"]
    assert problem.links.count() == 2
    response = _submit(client, "/incidents/", tick=calls, action="escalate", supplier=str(cast.supplier.pk))
    assert _messages(response) == ["2 escalated"]
    assert Incident.objects.filter(supplier=cast.supplier, status="second_level").count() == 2


def test_a_form_missing_what_its_action_needs_comes_back_with_the_ticks_and_the_text(cast, client):
    calls = _forwarded(cast, 2)
    client.force_login(cast.technician)
    response = client.post("/incidents/", {"call": [calls[0].pk], "action": "escalate", "note": "Told them by phone"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Escalate to a supplier needs this." in html
    assert f'value="{calls[0].pk}" form="bulk-form" id="pick-{calls[0].pk}" data-pick checked' in html
    assert f'id="pick-{calls[1].pk}" data-pick>' in html
    assert "Told them by phone</textarea>" in html
    assert Incident.objects.get(pk=calls[0].pk).supplier_id is None


def test_nothing_ticked_says_so_and_changes_nothing(cast, client):
    _forwarded(cast, 1)
    client.force_login(cast.spoc)
    response = client.post("/incidents/", {"action": "resolve", "note": "Done"})
    assert response.status_code == 302
    assert _messages(response) == ["Tick the calls to act on first."]


def test_a_reporter_has_no_bulk_actions(cast, client):
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    client.force_login(cast.reporter)
    assert 'id="bulk-form"' not in client.get("/incidents/").content.decode()
    assert client.post("/incidents/", {"call": [call.pk], "action": "resolve", "note": "x"}).status_code == 403


def test_another_schools_call_cannot_be_ticked_in(cast, other, client):
    theirs = IncidentFactory(school=other.school, by=other.reporter)
    client.force_login(cast.spoc)
    response = client.post("/incidents/", {"call": [theirs.pk], "action": "resolve", "note": "x"})
    assert _messages(response) == ["Tick the calls to act on first."]
    assert Incident.objects.get(pk=theirs.pk).status == "new"


def test_another_app_adds_an_action_to_the_picker(cast, client, monkeypatch):
    """The registry: an app registers an action (as the outages app will: "link to an outage") and the picker
    offers it and applies it through its own function, call by call."""
    from django import forms

    from schooldesk.incidents.forms import BulkForm

    seen = []
    monkeypatch.setitem(BulkForm.extra_fields, "outage", forms.CharField(required=False, label="Outage"))
    monkeypatch.setitem(
        bulk.BULK_ACTIONS,
        "noted",
        bulk.BulkAction(
            "noted",
            "Link to an outage",
            lambda n: f"{n} linked",
            lambda incident, by, data: seen.append((incident.pk, data["outage"])),
            fields=("outage",),
        ),
    )
    calls = _forwarded(cast, 2)
    client.force_login(cast.technician)
    response = _submit(client, "/incidents/", tick=calls, action="noted", outage="OUT-000001")
    assert _messages(response) == ["2 linked"]
    assert sorted(seen) == sorted((c.pk, "OUT-000001") for c in calls)


def test_the_ticked_boxes_cost_no_query_per_row(cast, client, django_assert_max_num_queries):
    """The list page's count with boxes stays the same for 2 rows and for 20."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _forwarded(cast, 2)
    client.force_login(cast.spoc)
    client.get("/incidents/")  # the drop-downs' options read once (core/choice_cache.py)
    with CaptureQueriesContext(connection) as few:
        assert 'name="call"' in client.get("/incidents/").content.decode()
    _forwarded(cast, 18)
    client.force_login(cast.spoc)
    with CaptureQueriesContext(connection) as many:
        client.get("/incidents/")
    assert len(few) == len(many)


def test_escalated_calls_can_be_resolved_by_their_provider(cast, client):
    calls = _forwarded(cast, 2)
    calls = [incident_escalate(incident=c, by=cast.spoc, version=c.version, supplier=cast.supplier) for c in calls]
    client.force_login(cast.provider)
    response = _submit(
        client, "/incidents/?whose=ours&state=open", tick=calls, action="resolve", note="Replaced the switch port."
    )
    assert _messages(response) == ["2 resolved"]


def test_the_spoc_puts_ticked_calls_waiting_on_the_reporter_and_their_clocks_stop(cast, client):
    calls = _forwarded(cast, 3)
    client.force_login(cast.spoc)
    response = _submit(
        client,
        "/incidents/?state=open",
        tick=calls[:2],
        action="wait",
        on="reporter",
        note="Which room is the printer in?",
    )
    assert response.status_code == 302
    assert _messages(response) == ["2 waiting"]
    waiting = Incident.objects.filter(pk__in=[c.pk for c in calls[:2]])
    assert {(c.status, c.sla_paused_at is not None) for c in waiting} == {("waiting_reporter", True)}
    for call in waiting:  # through the service: the reporter is asked on the timeline
        assert call.updates.filter(body="Which room is the printer in?", is_public=True).count() == 1
    assert Incident.objects.get(pk=calls[2].pk).status == "first_level"
