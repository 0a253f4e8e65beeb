"""Problems through their services: raising from calls, the known-error workaround given to a call,
resolving a problem and its open calls (their reporters told), permissions, versions, bad input."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from schooldesk.core.exceptions import ConflictError
from schooldesk.incidents.choices import IncidentStatus, UpdateKind
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_cancel, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.problems.choices import NoteKind, ProblemStatus
from schooldesk.problems.models import Problem, ProblemIncident, ProblemSettings
from schooldesk.problems.services import (
    known_error_give,
    problem_close,
    problem_create,
    problem_incident_unlink,
    problem_incidents_link,
    problem_known_error,
    problem_note_add,
    problem_resolve,
    problem_settings_save,
    problem_status_set,
    problem_update,
)
from schooldesk.problems.tests.factories import ProblemFactory, known_error, repeat_calls

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    def _notify():
        mail.outbox.clear()
        return django_capture_on_commit_callbacks(execute=True)

    return _notify


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_a_technician_raises_a_problem_from_calls_and_they_are_linked(cast):
    calls = repeat_calls(cast, 2)
    problem = problem_create(
        school=cast.school, by=cast.technician, title="  Wi-Fi drops  ", incidents=calls, assigned_to=cast.technician
    )
    assert problem.reference == f"PRB-{problem.pk:06d}" and problem.title == "Wi-Fi drops"
    assert problem.status == ProblemStatus.OPEN and problem.raised_by == cast.technician
    assert set(problem.incidents.values_list("pk", flat=True)) == {c.pk for c in calls}
    assert list(problem.notes.values_list("kind", flat=True)) == [NoteKind.RAISED, NoteKind.LINK]
    for call in calls:  # the calls themselves are not changed by linking
        assert reload(call).version == call.version


@pytest.mark.parametrize("role", ["reporter", "provider", "viewer", "dpo"])
def test_only_the_desk_and_technicians_raise_problems(cast, role):
    with pytest.raises(PermissionDenied):
        problem_create(school=cast.school, by=getattr(cast, role), title="Slow network")
    assert not Problem.objects.exists()


def test_calls_and_things_of_another_school_are_refused(cast, other):
    theirs = IncidentFactory(school=other.school, by=other.reporter)
    with pytest.raises(ValidationError):
        problem_create(school=cast.school, by=cast.spoc, title="X", incidents=[theirs])
    from schooldesk.locations.models import Location

    with pytest.raises(ValidationError) as caught:
        problem_create(
            school=cast.school, by=cast.spoc, title="X", location=Location.objects.filter(school=other.school)[0]
        )
    assert "location" in caught.value.message_dict
    assert not Problem.objects.exists()


def test_a_restricted_call_cannot_be_linked_by_someone_who_cannot_see_it(cast):
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    incident_triage(
        incident=call, by=cast.owner, version=call.version, category=None, impact="I3", urgency="U2", is_restricted=True
    )
    problem = ProblemFactory(school=cast.school, by=cast.technician)
    with pytest.raises(ValidationError):
        problem_incidents_link(problem=problem, by=cast.technician, incidents=[call])
    problem_incidents_link(problem=problem, by=cast.owner, incidents=[call])  # the owner sees restricted calls
    assert problem.links.count() == 1


def test_linking_twice_and_unlinking(cast):
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    problem = ProblemFactory(school=cast.school, by=cast.spoc, incidents=[call])
    with pytest.raises(ValidationError):
        problem_incidents_link(problem=problem, by=cast.spoc, incidents=[call])
    problem_incident_unlink(problem=problem, by=cast.spoc, incident=call)
    assert not problem.links.exists()
    assert problem.notes.filter(kind=NoteKind.UNLINK, body__contains=call.reference).exists()
    with pytest.raises(ValidationError):
        problem_incident_unlink(problem=problem, by=cast.spoc, incident=call)


def test_an_edit_on_a_stale_version_is_refused_and_nothing_changes(cast):
    problem = ProblemFactory(school=cast.school, by=cast.spoc, title="Old title")
    stale = problem.version
    problem_update(problem=problem, by=cast.technician, version=stale, root_cause="A loose cable")
    with pytest.raises(ConflictError):
        problem_update(problem=problem, by=cast.spoc, version=stale, title="New title")
    problem = reload(problem)
    assert problem.title == "Old title" and problem.root_cause == "A loose cable"
    assert problem.notes.filter(kind=NoteKind.DETAILS, body__contains="root cause").exists()


def test_progress_notes_need_words(cast):
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    with pytest.raises(ValidationError):
        problem_note_add(problem=problem, by=cast.technician, body="   ")
    problem_note_add(problem=problem, by=cast.technician, body="Swapped the cable.")
    assert problem.notes.filter(kind=NoteKind.NOTE, author=cast.technician).count() == 1


def test_a_known_error_needs_a_workaround_and_keeps_it(cast):
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    with pytest.raises(ValidationError):
        problem_known_error(problem=problem, by=cast.technician, version=problem.version, workaround=" ")
    assert reload(problem).status == ProblemStatus.OPEN
    problem = problem_known_error(
        problem=problem,
        by=cast.technician,
        version=problem.version,
        workaround="Use the library",
        root_cause="Old access point",
        audience="reporter",
    )
    assert problem.status == ProblemStatus.KNOWN_ERROR and problem.known_error_at is not None
    with pytest.raises(ValidationError):
        problem_update(problem=problem, by=cast.spoc, version=problem.version, workaround="")


def test_the_workaround_is_given_to_a_call_as_a_public_update_and_the_call_is_linked(cast, notify):
    problem = known_error(cast.school, workaround="Move to the library.")
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    with notify():
        link = known_error_give(problem=problem, incident=call, by=cast.spoc)
    update = call.updates.get(kind=UpdateKind.REPLY)
    assert update.is_public and update.author == cast.spoc
    assert "Move to the library." in update.body and problem.reference in update.body
    assert link.workaround_sent_by == cast.spoc and link.incident == call
    assert [m.to for m in mail.outbox] == [[cast.reporter.email]]  # the reporter is told
    with pytest.raises(ValidationError):
        known_error_give(problem=problem, incident=call, by=cast.spoc)
    assert call.updates.filter(kind=UpdateKind.REPLY).count() == 1


def test_only_a_known_error_has_a_workaround_to_give(cast, other):
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError):
        known_error_give(problem=problem, incident=call, by=cast.spoc)
    theirs = IncidentFactory(school=other.school, by=other.reporter)
    with pytest.raises(ValidationError):
        known_error_give(problem=known_error(cast.school), incident=theirs, by=cast.spoc)
    assert not theirs.updates.filter(kind=UpdateKind.REPLY).exists()


def test_resolving_resolves_the_open_calls_and_tells_their_reporters(cast, notify):
    calls = repeat_calls(cast, 3)
    incident_cancel(incident=calls[2], by=cast.spoc, version=calls[2].version, reason="Fixed itself")
    problem = ProblemFactory(school=cast.school, by=cast.technician, incidents=calls)
    with notify():
        problem = problem_resolve(
            problem=problem,
            by=cast.technician,
            version=problem.version,
            resolution="Replaced the access point.",
            root_cause="Faulty access point",
        )
    assert problem.status == ProblemStatus.RESOLVED and problem.resolved_at is not None
    assert {c.pk for c in problem.calls_resolved} == {calls[0].pk, calls[1].pk}
    for call in calls[:2]:
        call = reload(call)
        assert call.status == IncidentStatus.RESOLVED and "Replaced the access point." in call.resolution
        assert problem.reference in call.resolution
    assert reload(calls[2]).status == IncidentStatus.CANCELLED  # an ended call is left alone
    assert sorted(m.to[0] for m in mail.outbox) == [cast.reporter.email, cast.reporter.email]


def test_resolving_without_the_calls_leaves_them_open(cast):
    calls = repeat_calls(cast, 2)
    problem = ProblemFactory(school=cast.school, by=cast.technician, incidents=calls)
    problem_resolve(problem=problem, by=cast.spoc, version=problem.version, resolution="Fixed", resolve_calls=False)
    assert set(Incident.objects.values_list("status", flat=True)) == {IncidentStatus.NEW}


def test_resolve_needs_a_resolution_and_a_fresh_version(cast):
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    with pytest.raises(ValidationError):
        problem_resolve(problem=problem, by=cast.spoc, version=problem.version, resolution="")
    with pytest.raises(ConflictError):
        problem_resolve(problem=problem, by=cast.spoc, version=problem.version + 1, resolution="Done")
    assert reload(problem).status == ProblemStatus.OPEN


def test_close_and_reopen(cast):
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    with pytest.raises(ValidationError):  # not resolved: say why
        problem_close(problem=problem, by=cast.spoc, version=problem.version)
    problem = problem_close(problem=problem, by=cast.spoc, version=problem.version, note="Could not reproduce")
    assert problem.status == ProblemStatus.CLOSED and problem.closed_at
    with pytest.raises(ValidationError):
        problem_status_set(problem=problem, by=cast.spoc, version=problem.version, status="investigating")
    problem = problem_status_set(
        problem=problem, by=cast.spoc, version=problem.version, status="investigating", note="It is back"
    )
    assert problem.status == ProblemStatus.INVESTIGATING and problem.closed_at is None


def test_the_desk_sets_when_calls_count_as_repeats(cast):
    with pytest.raises(PermissionDenied):
        problem_settings_save(school=cast.school, by=cast.technician, candidate_calls=4, candidate_days=5)
    with pytest.raises(ValidationError):
        problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=1, candidate_days=5)
    assert not ProblemSettings.objects.exists()
    problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=4, candidate_days=8)
    problem_settings_save(school=cast.school, by=cast.owner, candidate_calls=5, candidate_days=8)
    settings = ProblemSettings.objects.get()
    assert (settings.school, settings.candidate_calls, settings.candidate_days) == (cast.school, 5, 8)


def test_links_survive_only_through_the_services(cast):
    """The link rows are ours: the incident record has no problem field to keep in step."""
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    problem = ProblemFactory(school=cast.school, by=cast.spoc, incidents=[call])
    assert ProblemIncident.objects.get().incident == call
    assert list(call.problems.all()) == [problem]
