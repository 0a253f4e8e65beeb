"""The call page offers exactly what the services accept (issue 18, docs/decisions/0036).

For every member of the cast and calls in several states, each action form the call's page offers, posted with
valid data through the page's own URL, goes through (it is not refused); each action it does not offer is refused
by the service (PermissionDenied) or is invalid in that state (ValidationError). One rule decides both
(schooldesk/permissions/rules.py, "incidents.<action>"; schooldesk/incidents/actions.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from schooldesk.core.permissions import can
from schooldesk.incidents import services
from schooldesk.incidents.actions import ACTIONS, CALL_ACTIONS
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory

PEOPLE = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")
STATES = ("new", "assigned", "escalated", "waiting", "resolved", "closed", "cancelled")


class _Undo(Exception):
    """Raised to roll a savepoint back: every action is tried on the call as it was."""


def _call(cast, state: str, reporter) -> Incident:
    incident = IncidentFactory(school=cast.school, by=reporter, summary=f"Printer jams ({state})")
    spoc = cast.spoc
    if state == "assigned":
        incident = services.incident_assign(
            incident=incident, by=spoc, version=incident.version, technician=cast.technician
        )
    elif state == "escalated":
        incident = services.incident_escalate(
            incident=incident, by=spoc, version=incident.version, supplier=cast.supplier, reference="OAK-1"
        )
    elif state == "waiting":
        incident = services.incident_wait(incident=incident, by=spoc, version=incident.version, on="reporter")
    elif state in ("resolved", "closed"):
        incident = services.incident_resolve(
            incident=incident, by=spoc, version=incident.version, resolution="Cleared the paper path."
        )
        if state == "closed":
            incident = services.incident_confirm(incident=incident, by=spoc)
    elif state == "cancelled":
        incident = services.incident_cancel(incident=incident, by=spoc, version=incident.version, reason="Gone away")
    return Incident.objects.get(pk=incident.pk)


def _posted(name: str, incident: Incident, cast, original: Incident) -> dict:
    """Valid data for the action's form, as a person would send it."""
    minute = f"{timezone.localtime():%Y-%m-%dT%H:%M}"
    return {
        "version": incident.version,
        **{
            "triage": {"impact": incident.impact, "urgency": incident.urgency, "location": incident.location_id},
            "assign": {"technician": cast.technician.pk},
            "escalate": {"supplier": cast.supplier.pk, "reference": "OAK-2"},
            "reply": {"body": "Any news?", "is_public": "on"},
            "chase": {"note": "Phoned them: tomorrow."},
            "supplier_times": {"responded_at": minute},
            "wait": {"on": "reporter"},
            "resolve": {"resolution": "Replaced the roller."},
            "rate": {"rating": "good"},
            "reopen": {"reason": "It jams again."},
            "duplicate": {"original": original.reference},
            "cancel": {"reason": "It fixed itself."},
        }.get(name, {}),
    }


def _cleaned(name: str, incident: Incident, cast, original: Incident) -> dict:
    """The same data as the form's cleaned data, for calling the service itself."""
    data = _posted(name, incident, cast, original)
    data.update(
        {
            "triage": {
                "category": incident.category,
                "priority": "",
                "reason": "",
                "is_restricted": False,
                "location": incident.location,
                "restricted_lane": "",
            },
            "assign": {"technician": cast.technician, "next_visit": False, "note": ""},
            "escalate": {"supplier": cast.supplier, "note": ""},
            "reply": {"is_public": True, "minutes_spent": 0},
            "supplier_times": {"responded_at": timezone.now(), "fixed_at": None},
            "wait": {"note": ""},
            "resume": {"note": ""},
            "resolve": {"is_workaround": False, "minutes_spent": 0},
            "confirm": {"satisfaction": "", "comment": ""},
            "rate": {"comment": ""},
            "duplicate": {"original": original},
        }.get(name, {})
    )
    return data


def _offered(client, incident) -> tuple[int, set[str], bool]:
    response = client.get(reverse("incidents:incident_detail", args=[incident.pk]))
    if response.status_code != 200 or "offers" not in response.context:
        return response.status_code, set(), False
    offers = {offer.name: offer for offer in response.context["offers"]}
    page = response.content.decode()
    for name in offers:  # each offered form is on the page, posting to its own URL
        assert f'action="{reverse(f"incidents:incident_{name}", args=[incident.pk])}"' in page, name
    rating_in_confirm = "confirm" in offers and "satisfaction" in offers["confirm"].form.fields
    return response.status_code, set(offers), rating_in_confirm


def _check(cast, client, incident, person, original) -> dict:
    """Every action, tried on the call as it is, by `person`: offered ones through the page, the others through
    the service. Returns what happened, by action name."""
    client.force_login(person)
    _status, offered, rating_in_confirm = _offered(client, incident)
    seen = {}
    for action in CALL_ACTIONS:
        name = action.name
        try:
            with transaction.atomic():
                if name in offered:
                    response = client.post(
                        reverse(f"incidents:incident_{name}", args=[incident.pk]),
                        _posted(name, incident, cast, original),
                    )
                    assert response.status_code == 302, (
                        f"{person.username}: {name} offered on a {incident.status} call but answered "
                        f"{response.status_code}"
                    )
                    seen[name] = "done"
                else:
                    fresh = Incident.objects.get(pk=incident.pk)
                    try:
                        action.perform(fresh, person, _cleaned(name, fresh, cast, original))
                    except PermissionDenied:
                        seen[name] = "refused"
                    except ValidationError:
                        seen[name] = "invalid"
                    else:
                        # the one allowed case: the rating is asked inside "Is it fixed?" until the call closes
                        assert name == "rate" and rating_in_confirm, (
                            f"{person.username}: {name} is not offered on a {incident.status} call, "
                            "but the service accepted it"
                        )
                        seen[name] = "inside confirm"
                raise _Undo
        except _Undo:
            pass
    return seen


@pytest.mark.parametrize("state", STATES)
def test_the_page_offers_what_the_service_accepts_and_the_service_refuses_the_rest(cast, client, state):
    original = IncidentFactory(school=cast.school, by=cast.spoc, summary="The first report of the jam")
    incident = _call(cast, state, cast.reporter)
    outcomes = {role: _check(cast, client, incident, getattr(cast, role), original) for role in PEOPLE}
    # the page offers something to those who work on the call in every state
    assert any(v == "done" for v in outcomes["spoc"].values())
    if state in ("new", "assigned", "escalated", "waiting", "resolved"):
        assert outcomes["reporter"]["reply"] == "done"
    assert all(v != "done" for v in outcomes["viewer"].values())


@pytest.mark.parametrize("state", ["new", "assigned", "waiting", "resolved", "closed", "cancelled"])
def test_a_provider_who_reported_a_call_not_escalated_to_them_is_offered_only_what_a_reporter_may_do(
    cast, client, state
):
    """The edge of issue 18: a provider holds a working role in the school, but on a call they reported that was
    not escalated to their supplier they are its reporter, no more."""
    original = IncidentFactory(school=cast.school, by=cast.spoc, summary="The first report of the jam")
    incident = _call(cast, state, cast.provider)
    assert incident.reported_by == cast.provider and incident.supplier_id is None
    seen = _check(cast, client, incident, cast.provider, original)
    done = {name for name, outcome in seen.items() if outcome == "done"}
    assert done <= {"reply", "cancel", "confirm", "rate", "reopen"}
    assert seen["resolve"] in ("refused", "invalid") and seen["wait"] in ("refused", "invalid")
    if state == "new":
        assert done == {"reply", "cancel"}
        assert seen["resolve"] == seen["wait"] == "refused"
    client.force_login(cast.provider)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert "data-canned-open" not in page  # the saved replies are for those working the call


def test_each_action_is_declared_once_with_its_rule_url_and_words(cast):
    for action in CALL_ACTIONS:
        assert ACTIONS[action.name] is action
        assert action.rule.startswith("incidents.")
        can(cast.spoc, action.rule, None)  # the rule exists (LookupError if not)
        reverse(f"incidents:incident_{action.name}", args=[1])
        assert str(action.title) and str(action.button) and str(action.done)


def test_what_each_person_is_offered_on_a_new_call(cast, login):
    """Read the page as each member of the cast: the offer matches the rule."""
    incident = IncidentFactory(school=cast.school, by=cast.reporter, summary="Mouse missing")
    expected = {
        "reporter": {"reply", "cancel"},
        "spoc": {"triage", "assign", "escalate", "reply", "chase", "wait", "resolve", "duplicate", "cancel"},
        "owner": {"triage", "assign", "escalate", "reply", "chase", "wait", "resolve", "duplicate", "cancel"},
        "technician": {"escalate", "reply", "chase", "wait", "resolve"},
        "provider": set(),
        "viewer": set(),
        "dpo": set(),
    }
    for role, names in expected.items():
        person = getattr(cast, role)
        _status, offered, _rating = _offered(login(person), incident)
        assert offered == names, role
        ruled = {a.name for a in CALL_ACTIONS if can(person, a.rule, incident) and (a.alone is None)}
        assert offered == ruled, role


def test_the_bulk_picker_offers_each_person_the_actions_their_rules_allow(cast, login):
    """The call list's bulk actions (incidents/bulk.py): offered by the action's rule, in some school."""
    from schooldesk.incidents.bulk import BULK_ACTIONS, actions_for

    expected = {
        "reporter": set(),
        "viewer": set(),
        "dpo": set(),
        "provider": {"wait", "resolve"},
        "technician": {"escalate", "wait", "resolve", "problem"},
        "spoc": {"triage", "forward", "escalate", "wait", "resolve", "problem"},
    }
    for role, names in expected.items():
        person = getattr(cast, role)
        offered = {a.name for a in actions_for(person)}
        assert offered & set(BULK_ACTIONS) >= names, role
        assert offered == {a.name for a in BULK_ACTIONS.values() if can(person, a.rule)}, role
        page = login(person).get("/incidents/").content.decode()
        for name in offered:
            assert f'value="{name}"' in page, (role, name)
        if not offered:
            assert 'name="action"' not in page, role
