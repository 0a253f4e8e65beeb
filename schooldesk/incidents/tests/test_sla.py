"""The SLA clock as the services run it: due times at logging, overrides, pauses, resolution,
reopening and closing resolved calls after N school days.

`cast.school` is an English school open all year, 08:00–16:30, Monday to Friday (see the factory);
Monday 2 March 2026 starts an ordinary fortnight with no bank holiday.
"""

from datetime import date, datetime
from unittest.mock import patch

import pytest
from django.core.exceptions import ValidationError

from schooldesk.core.calendar import LONDON
from schooldesk.incidents.choices import IncidentStatus, SlaState, UpdateKind
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import (
    incident_confirm,
    incident_escalate,
    incident_reopen,
    incident_reply,
    incident_resolve,
    incident_resume,
    incident_triage,
    incident_wait,
    incidents_auto_close,
    priority_for,
)
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.schools.models import Closure, Term
from schooldesk.schools.selectors import school_calendar


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def set(self, *args) -> datetime:
        self.now = london(*args)
        return self.now


@pytest.fixture
def clock():
    """Controls the time the services read. This mocks the clock (django.utils.timezone.now), not
    any SchoolDesk code: services, model auto_now fields and the SLA maths all run for real."""
    state = Clock(london(2026, 3, 2, 10, 0))
    with patch("django.utils.timezone.now", side_effect=lambda: state.now):
        yield state


def reload(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


# --- due times at logging -------------------------------------------------------------------------
def test_due_times_at_logging_follow_the_default_matrix_and_targets(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)  # I3 × U2 → P4
    incident = reload(incident)
    assert incident.priority == "P4"
    assert incident.logged_at == london(2026, 3, 2, 10, 0)
    assert incident.response_due_at == london(2026, 3, 3, 10, 0)  # 510 minutes: one school day
    assert incident.resolve_due_at == london(2026, 3, 9, 10, 0)  # five school days
    assert incident.sla_state(london(2026, 3, 2, 10, 0)) == SlaState.ON_TRACK


def test_due_times_use_the_schools_own_matrix_and_targets(cast, clock):
    school = cast.school
    school.priority_matrix["I2"]["U2"] = "P2"
    school.sla_targets["P2"] = {"respond": 45, "resolve": 90}
    school.save()
    clock.set(2026, 3, 2, 16, 0)
    incident = IncidentFactory(school=school, by=cast.spoc, impact="I2", urgency="U2")
    incident = reload(incident)
    assert incident.priority == "P2"  # the default matrix says P3
    assert incident.response_due_at == london(2026, 3, 3, 8, 15)
    assert incident.resolve_due_at == london(2026, 3, 3, 9, 0)  # 30 minutes on Monday, 60 on Tuesday


def test_a_school_with_gaps_in_its_matrix_and_targets_falls_back_to_the_defaults(cast, clock):
    cast.school.priority_matrix = {"I3": {"U1": "P2"}}
    cast.school.sla_targets = {"P2": {"respond": 15, "resolve": 60}}
    cast.school.save()
    assert priority_for(school=cast.school, impact="I3", urgency="U1") == "P2"
    assert priority_for(school=cast.school, impact="I3", urgency="U3") == "P4"
    assert priority_for(school=cast.school, impact="I1", urgency="U1") == "P1"
    incident = IncidentFactory(school=cast.school, by=cast.spoc, impact="I1", urgency="U1")
    assert incident.response_due_at == london(2026, 3, 2, 10, 30)  # default P1: 30 minutes
    assert incident.resolve_due_at == london(2026, 3, 2, 15, 0)  # default P1: 5 hours


@pytest.mark.parametrize(("impact", "urgency"), [("I9", "U1"), ("I1", "U7"), ("", "")])
def test_unknown_impact_or_urgency_is_a_validation_error(cast, impact, urgency):
    with pytest.raises(ValidationError):
        priority_for(school=cast.school, impact=impact, urgency=urgency)


def test_a_term_time_school_does_not_count_half_term(cast, clock):
    school = cast.school
    school.is_term_time_only = True
    school.save()
    Term.objects.create(
        school=school,
        name="Autumn 2026",
        starts_on=date(2026, 9, 2),
        ends_on=date(2026, 12, 18),
        half_term_starts_on=date(2026, 10, 26),
        half_term_ends_on=date(2026, 10, 30),
    )
    clock.set(2026, 10, 23, 16, 0)  # Friday before half-term, and before the clocks go back
    incident = IncidentFactory(school=school, by=cast.spoc, impact="I1", urgency="U2")  # P2: 60 / 510
    assert incident.response_due_at == london(2026, 11, 2, 8, 30)  # 30 minutes on Friday, 30 after
    assert incident.resolve_due_at == london(2026, 11, 2, 16, 0)


# --- triage and priority overrides ----------------------------------------------------------------
def test_triage_recomputes_due_times_from_logging_with_the_new_priority(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)  # P4
    clock.set(2026, 3, 2, 11, 0)
    incident = incident_triage(incident=incident, by=cast.spoc, version=1, category=None, impact="I1", urgency="U1")
    incident = reload(incident)
    assert incident.priority == "P1"
    # from when it was logged (10:00), not from triage (11:00): respond by 10:30, resolve by 15:00
    assert incident.response_due_at == london(2026, 3, 2, 10, 30)
    assert incident.resolve_due_at == london(2026, 3, 2, 15, 0)
    assert incident.responded_at == london(2026, 3, 2, 11, 0)
    assert incident.priority_override_reason == ""


def test_overriding_the_matrix_priority_needs_a_reason(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError) as error:
        incident_triage(
            incident=incident,
            by=cast.spoc,
            version=1,
            category=None,
            impact="I3",
            urgency="U2",
            priority="P1",
            reason="   ",
        )
    assert "reason" in error.value.message_dict
    unchanged = reload(incident)
    assert (unchanged.priority, unchanged.version, unchanged.status) == ("P4", 1, IncidentStatus.NEW)
    assert not unchanged.updates.filter(kind=UpdateKind.TRIAGE).exists()


def test_a_priority_override_with_a_reason_sets_the_targets_and_is_recorded(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_triage(
        incident=incident,
        by=cast.spoc,
        version=1,
        category=None,
        impact="I3",
        urgency="U2",
        priority="P1",
        reason="Head teacher's laptop before Ofsted",
    )
    incident = reload(incident)
    assert incident.priority == "P1"
    assert incident.priority_override_reason == "Head teacher's laptop before Ofsted"
    assert incident.resolve_due_at == london(2026, 3, 2, 15, 0)
    row = incident.updates.get(kind=UpdateKind.PRIORITY)
    assert (row.field, row.old_value, row.new_value) == ("priority", "P4", "P1")
    assert row.body == "Head teacher's laptop before Ofsted"
    assert not row.is_public

    # Triage again at the matrix priority: the override and its reason go.
    incident = incident_triage(
        incident=incident,
        by=cast.spoc,
        version=incident.version,
        category=None,
        impact="I3",
        urgency="U2",
        priority="P4",
        reason="",
    )
    assert reload(incident).priority_override_reason == ""
    assert reload(incident).resolve_due_at == london(2026, 3, 9, 10, 0)


def test_an_unknown_priority_is_refused(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError):
        incident_triage(
            incident=incident,
            by=cast.spoc,
            version=1,
            category=None,
            impact="I3",
            urgency="U2",
            priority="P9",
            reason="because",
        )


# --- pausing --------------------------------------------------------------------------------------
def test_waiting_on_the_reporter_pauses_and_resuming_pushes_due_times_out_by_the_minutes_waited(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)  # logged Mon 10:00, P4
    before = reload(incident)
    clock.set(2026, 3, 2, 15, 30)
    incident = incident_wait(
        incident=incident, by=cast.technician, version=1, on="reporter", note="Which room is the printer in?"
    )
    assert incident.status == IncidentStatus.WAITING_REPORTER
    assert reload(incident).sla_paused_at == london(2026, 3, 2, 15, 30)
    assert reload(incident).sla_state(london(2026, 3, 10, 12, 0)) == SlaState.PAUSED  # never breached while paused

    clock.set(2026, 3, 3, 9, 0)  # 60 minutes on Monday + 60 on Tuesday morning
    incident = incident_resume(incident=incident, by=cast.technician, version=incident.version)
    after = reload(incident)
    assert after.sla_paused_at is None
    assert after.sla_paused_minutes == 120
    assert after.status == IncidentStatus.OPEN
    assert after.response_due_at == london(2026, 3, 3, 12, 0)
    assert after.resolve_due_at == london(2026, 3, 9, 12, 0)
    calendar = school_calendar(school=cast.school)
    assert calendar.minutes_between(before.resolve_due_at, after.resolve_due_at) == 120
    assert calendar.minutes_between(before.response_due_at, after.response_due_at) == 120


def test_waiting_on_a_supplier_pauses_and_resumes_to_second_level(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    clock.set(2026, 3, 2, 11, 0)
    incident = incident_escalate(
        incident=incident, by=cast.technician, version=1, supplier=cast.supplier, reference="SR-1"
    )
    clock.set(2026, 3, 2, 14, 0)
    incident = incident_wait(incident=incident, by=cast.technician, version=incident.version, on="supplier")
    assert incident.status == IncidentStatus.WAITING_SUPPLIER
    clock.set(2026, 3, 3, 14, 0)  # exactly one school day later
    incident = incident_resume(incident=incident, by=cast.spoc, version=incident.version)
    after = reload(incident)
    assert after.status == IncidentStatus.WITH_SECOND_LEVEL
    assert after.sla_paused_minutes == 510
    assert after.resolve_due_at == london(2026, 3, 10, 10, 0)


def test_waiting_over_a_weekend_counts_only_service_minutes(cast, clock):
    clock.set(2026, 3, 6, 15, 0)  # Friday
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    clock.set(2026, 3, 6, 16, 0)
    incident = incident_wait(incident=incident, by=cast.technician, version=1, on="reporter")
    clock.set(2026, 3, 9, 8, 15)  # Monday
    incident = incident_resume(incident=incident, by=cast.technician, version=incident.version)
    assert reload(incident).sla_paused_minutes == 30 + 15


def test_separate_waits_add_up(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    for start, end in (
        ((2026, 3, 2, 11, 0), (2026, 3, 2, 11, 20)),
        ((2026, 3, 2, 13, 0), (2026, 3, 2, 13, 45)),
    ):
        clock.set(*start)
        incident = incident_wait(incident=incident, by=cast.technician, version=incident.version, on="reporter")
        clock.set(*end)
        incident = incident_resume(incident=incident, by=cast.technician, version=incident.version)
    incident = reload(incident)
    assert incident.sla_paused_minutes == 65
    assert incident.resolve_due_at == london(2026, 3, 9, 11, 5)


def test_waiting_on_a_supplier_needs_an_escalation_first(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError, match="Escalate"):
        incident_wait(incident=incident, by=cast.technician, version=1, on="supplier")
    with pytest.raises(ValidationError):
        incident_wait(incident=incident, by=cast.technician, version=1, on="the moon")
    assert reload(incident).sla_paused_at is None


def test_resuming_a_call_that_is_not_waiting_is_refused(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError, match="not waiting"):
        incident_resume(incident=incident, by=cast.technician, version=1)


def test_the_reporters_reply_restarts_the_clock(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_triage(incident=incident, by=cast.spoc, version=1, category=None, impact="I3", urgency="U2")
    clock.set(2026, 3, 2, 15, 0)
    incident = incident_wait(incident=incident, by=cast.technician, version=incident.version, on="reporter")
    clock.set(2026, 3, 3, 8, 30)
    incident_reply(incident=incident, by=cast.reporter, body="It's in room 12.")
    after = reload(incident)
    assert after.status == IncidentStatus.OPEN
    assert after.sla_paused_at is None
    assert after.sla_paused_minutes == 120
    status_row = after.updates.filter(kind=UpdateKind.STATUS).last()
    assert (status_row.old_value, status_row.new_value) == ("Waiting on reporter", "Open (triaged)")
    assert status_row.author == cast.reporter


# --- resolution, reopening, closing ---------------------------------------------------------------
def test_a_resolved_calls_clock_stands_still_and_reopening_restarts_it(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)  # resolve due Mon 9 March 10:00
    clock.set(2026, 3, 3, 10, 0)
    incident = incident_resolve(incident=incident, by=cast.technician, version=1, resolution="Replaced the cable.")
    resolved = reload(incident)
    assert resolved.resolved_at == london(2026, 3, 3, 10, 0)
    assert resolved.sla_state(london(2026, 3, 20, 10, 0)) is None  # not breached: it is no longer running
    assert resolved.resolve_due_at == london(2026, 3, 9, 10, 0)

    clock.set(2026, 3, 5, 10, 0)  # two school days later the reporter says it is still broken
    incident = incident_reopen(incident=incident, by=cast.reporter, reason="It stopped again.")
    reopened = reload(incident)
    assert reopened.status == IncidentStatus.OPEN
    assert reopened.resolved_at is None
    assert reopened.sla_paused_at is None
    assert reopened.sla_paused_minutes == 2 * 510
    assert reopened.resolve_due_at == london(2026, 3, 11, 10, 0)
    assert reopened.sla_state(london(2026, 3, 5, 10, 0)) == SlaState.ON_TRACK


def test_resolving_a_waiting_call_counts_the_wait_then_stops(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    clock.set(2026, 3, 2, 11, 0)
    incident = incident_wait(incident=incident, by=cast.technician, version=1, on="reporter")
    clock.set(2026, 3, 2, 12, 0)
    incident = incident_resolve(
        incident=incident, by=cast.technician, version=incident.version, resolution="Fixed while waiting."
    )
    resolved = reload(incident)
    assert resolved.sla_paused_minutes == 60
    assert resolved.sla_paused_at == london(2026, 3, 2, 12, 0)
    assert resolved.resolve_due_at == london(2026, 3, 9, 11, 0)


def test_reopening_a_closed_call_counts_from_its_resolution(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    clock.set(2026, 3, 2, 12, 0)
    incident = incident_resolve(incident=incident, by=cast.technician, version=1, resolution="Rebooted.")
    clock.set(2026, 3, 2, 13, 0)
    incident = incident_confirm(incident=incident, by=cast.reporter, satisfaction="good")
    clock.set(2026, 3, 2, 14, 30)
    incident = incident_reopen(incident=incident, by=cast.reporter, reason="Broken again")
    assert reload(incident).sla_paused_minutes == 150


# --- sla_state ------------------------------------------------------------------------------------
def test_sla_state_through_a_p1_call(cast, clock):
    incident = IncidentFactory(school=cast.school, by=cast.spoc, impact="I1", urgency="U1")  # 10:30 / 15:00
    incident = reload(incident)
    assert incident.sla_state(london(2026, 3, 2, 10, 0)) == SlaState.DUE_SOON  # respond within 30 minutes
    assert incident.sla_state(london(2026, 3, 2, 10, 31)) == SlaState.BREACHED  # no response yet
    clock.set(2026, 3, 2, 10, 20)
    incident = reload(
        incident_triage(incident=incident, by=cast.spoc, version=1, category=None, impact="I1", urgency="U1")
    )
    # responded: only the resolve target (15:00) counts now
    assert incident.sla_state(london(2026, 3, 2, 10, 31)) == SlaState.ON_TRACK
    assert incident.sla_state(london(2026, 3, 2, 12, 59)) == SlaState.ON_TRACK
    assert incident.sla_state(london(2026, 3, 2, 13, 0)) == SlaState.DUE_SOON
    assert incident.sla_state(london(2026, 3, 2, 15, 0)) == SlaState.DUE_SOON
    assert incident.sla_state(london(2026, 3, 2, 15, 1)) == SlaState.BREACHED


# --- closing resolved calls after N school days ---------------------------------------------------
def _resolved(cast, clock, *when) -> Incident:
    clock.set(*when)
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    return incident_resolve(incident=incident, by=cast.technician, version=1, resolution="Done.")


def test_auto_close_closes_only_calls_past_the_schools_limit(cast, other, clock, django_capture_on_commit_callbacks):
    cast.school.auto_close_after_days = 3
    cast.school.save()
    early = _resolved(cast, clock, 2026, 3, 2, 10, 0)  # Monday: closes at the end of Thursday
    late = _resolved(cast, clock, 2026, 3, 4, 10, 0)  # Wednesday: closes at the end of next Monday
    confirmed = incident_confirm(incident=_resolved(cast, clock, 2026, 3, 2, 9, 0), by=cast.reporter)
    active = IncidentFactory(school=cast.school, by=cast.reporter)
    other.school.auto_close_after_days = 10
    other.school.save()
    elsewhere = _resolved(other, clock, 2026, 3, 2, 10, 0)

    assert incidents_auto_close(now=london(2026, 3, 5, 16, 29)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents_auto_close(now=london(2026, 3, 5, 16, 30)) == 1

    closed = reload(early)
    assert closed.status == IncidentStatus.CLOSED
    assert closed.closed_at == london(2026, 3, 5, 16, 30)
    assert closed.version == early.version + 1
    row = closed.updates.filter(kind=UpdateKind.STATUS).last()
    assert (row.field, row.old_value, row.new_value) == ("status", "Resolved", "Closed")
    assert "3 school days" in row.body
    assert row.author is None
    assert reload(late).status == IncidentStatus.RESOLVED
    assert reload(confirmed).status == IncidentStatus.CLOSED
    assert reload(confirmed).closed_at == london(2026, 3, 2, 9, 0)  # untouched
    assert reload(active).status == IncidentStatus.NEW
    assert reload(elsewhere).status == IncidentStatus.RESOLVED

    assert incidents_auto_close(now=london(2026, 3, 6, 12, 0)) == 0  # nothing more is due
    assert incidents_auto_close(now=london(2026, 3, 9, 16, 30)) == 1  # the Wednesday call
    assert reload(late).status == IncidentStatus.CLOSED
    assert reload(elsewhere).status == IncidentStatus.RESOLVED


def test_auto_close_counts_school_days_not_calendar_days(cast, clock):
    cast.school.auto_close_after_days = 2
    cast.school.save()
    Closure.objects.create(school=cast.school, name="INSET", starts_on=date(2026, 3, 3), ends_on=date(2026, 3, 3))
    incident = _resolved(cast, clock, 2026, 3, 2, 10, 0)  # Monday; Tuesday is an INSET day
    assert incidents_auto_close(now=london(2026, 3, 4, 16, 30)) == 0
    assert incidents_auto_close(now=london(2026, 3, 5, 16, 30)) == 1
    assert reload(incident).status == IncidentStatus.CLOSED
