"""Every change to a problem goes through these services; views, the demo and tests call the same
functions. Each checks the role, validates, writes the problem's progress notes and the audit trail.
Calls are only ever changed through the incident services (the call's own timeline and mail)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_lock
from schooldesk.core.permissions import can, require
from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_reply, incident_resolve
from schooldesk.problems.choices import (
    MANUAL_STATUSES,
    NoteKind,
    ProblemStatus,
    WorkaroundAudience,
)
from schooldesk.problems.models import Problem, ProblemIncident, ProblemNote, ProblemSettings
from schooldesk.problems.selectors import candidate_calls
from schooldesk.schools.choices import Priority

CONFLICT = (
    "Someone else changed this problem after you opened it. Your changes were not saved: "
    "check the latest version below and try again."
)
#: the fields problem_update may change, with their labels for the progress notes
EDITABLE = (
    "title",
    "symptoms",
    "priority",
    "category",
    "location",
    "asset",
    "device",
    "root_cause",
    "workaround",
    "workaround_audience",
    "assigned_to",
    "due_on",
)


def _lock(problem: Problem, version: int | None) -> Problem:
    return version_lock(problem, version, message=CONFLICT, related=("school",))


def _save(problem: Problem) -> None:
    problem.version += 1
    problem.save()


def _note(problem: Problem, by, kind: str, body: str = "", *, field: str = "", old="", new="") -> ProblemNote:
    return ProblemNote.objects.create(
        problem=problem,
        kind=kind,
        body=body,
        author=by if getattr(by, "is_authenticated", False) else None,
        field=field,
        old_value=str(old or "")[:200],
        new_value=str(new or "")[:200],
    )


def _set_status(problem: Problem, by, status: str, body: str = "") -> None:
    if problem.status == status:
        return
    old = problem.get_status_display()
    problem.status = status
    _note(problem, by, NoteKind.STATUS, body, field="status", old=old, new=problem.get_status_display())


def _check_related(school_id: int, *, category=None, location=None, asset=None, assigned_to=None) -> None:
    """What a problem points at must belong to its own school."""
    errors = {}
    if category is not None and category.school_id != school_id:
        errors["category"] = "Choose a category from this school's list."
    if location is not None and location.school_id != school_id:
        errors["location"] = "Choose a location from this school's list."
    if asset is not None and asset.school_id != school_id:
        errors["asset"] = "Choose a device from this school's register."
    if assigned_to is not None and not can(assigned_to, "problems.change", school_id):
        errors["assigned_to"] = f"{assigned_to} does not support this school."
    if errors:
        raise ValidationError(errors)


def _check_active(problem: Problem) -> None:
    if not problem.is_active:
        raise ValidationError(
            _("%(reference)s is %(status)s; reopen it first.")
            % {"reference": problem.reference, "status": problem.get_status_display().lower()}
        )


def _visible_calls(by, incidents):
    """The calls `by` may see among `incidents` (restricted calls stay out of reach of those who cannot see them)."""
    pks = [i.pk for i in incidents]
    queryset = Incident.objects.filter(pk__in=pks) if by is None else Incident.objects.visible_to(by).filter(pk__in=pks)
    return list(queryset.select_related("school"))


# --- raising and editing -----------------------------------------------------------------------
@transaction.atomic
def problem_create(
    *,
    school,
    by,
    title: str,
    symptoms: str = "",
    priority: str = Priority.P3,
    category=None,
    location=None,
    asset=None,
    device: str = "",
    assigned_to=None,
    due_on=None,
    incidents=(),
) -> Problem:
    """Raise a problem, on its own or from one or several calls (linked at once)."""
    require(by, "problems.create", school)
    if not title.strip():
        raise ValidationError({"title": _("Give the problem a short title.")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority from the list.")})
    _check_related(school.pk, category=category, location=location, asset=asset, assigned_to=assigned_to)
    problem = Problem(
        school=school,
        title=title.strip(),
        symptoms=symptoms.strip(),
        priority=priority,
        category=category,
        location=location,
        asset=asset,
        device=device.strip(),
        assigned_to=assigned_to,
        due_on=due_on,
        raised_by=by if getattr(by, "is_authenticated", False) else None,
    )
    problem.full_clean(exclude=["school", "category", "location", "asset", "assigned_to", "raised_by"])
    problem.save()
    _note(problem, by, NoteKind.RAISED, f"Raised by {by or 'SchoolDesk'}.")
    if incidents:
        _link(problem, by, incidents)
    audit_record(actor=by, school=school, action="create", obj=problem, summary=f"Problem {problem.reference} raised")
    return problem


@transaction.atomic
def problem_update(*, problem: Problem, by, version, **fields) -> Problem:
    """Change the details: root cause (the theory), workaround, owner, target date and so on."""
    require(by, "problems.change", problem)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"problem_update cannot change {', '.join(sorted(unknown))}")
    problem = version_lock(problem, version, related=("school",))  # the edit page's words
    _check_related(
        problem.school_id,
        category=fields.get("category"),
        location=fields.get("location"),
        asset=fields.get("asset"),
        assigned_to=fields.get("assigned_to"),
    )
    for name in ("title", "symptoms", "device", "root_cause", "workaround"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "title" in fields and not fields["title"]:
        raise ValidationError({"title": _("Give the problem a short title.")})
    if problem.is_known_error and "workaround" in fields and not fields["workaround"]:
        raise ValidationError(
            {"workaround": _("A known error keeps its workaround: change it rather than removing it.")}
        )
    changed = []
    for name, value in fields.items():
        old = getattr(problem, name)
        if old != value:
            label = str(Problem._meta.get_field(name).verbose_name)
            changed.append(label)
            setattr(problem, name, value)
    if not changed:
        return problem
    problem.full_clean(exclude=["school", "category", "location", "asset", "assigned_to", "raised_by"])
    _save(problem)
    _note(problem, by, NoteKind.DETAILS, "Changed: " + ", ".join(changed) + ".")
    return problem


@transaction.atomic
def problem_note_add(*, problem: Problem, by, body: str) -> ProblemNote:
    """A dated progress note: what was tried, what the theory is, what happens next."""
    require(by, "problems.change", problem)
    if not body.strip():
        raise ValidationError({"body": _("Write what was done or found.")})
    note = _note(problem, by, NoteKind.NOTE, body.strip())
    Problem.objects.filter(pk=problem.pk).update(updated_at=timezone.now())
    return note


# --- calls ---------------------------------------------------------------------------------------
def _link(problem: Problem, by, incidents) -> list[ProblemIncident]:
    calls = _visible_calls(by, incidents)
    if len(calls) != len({i.pk for i in incidents}):
        raise ValidationError({"incidents": _("Choose calls you can see.")})
    if any(call.school_id != problem.school_id for call in calls):
        raise ValidationError({"incidents": _("Choose calls of the problem's own school.")})
    already = set(
        ProblemIncident.objects.filter(problem=problem, incident__in=calls).values_list("incident_id", flat=True)
    )
    new = [call for call in calls if call.pk not in already]
    if not new:
        raise ValidationError({"incidents": _("Those calls are already linked to this problem.")})
    try:
        with transaction.atomic():
            links = ProblemIncident.objects.bulk_create(
                [
                    ProblemIncident(
                        problem=problem, incident=call, linked_by=by if getattr(by, "is_authenticated", False) else None
                    )
                    for call in new
                ]
            )
    except IntegrityError as exc:
        raise ValidationError({"incidents": _("Those calls are already linked to this problem.")}) from exc
    _note(problem, by, NoteKind.LINK, ", ".join(f"{c.reference} {c.summary}"[:80] for c in new)[:2000])
    return links


@transaction.atomic
def problem_incidents_link(*, problem: Problem, by, incidents) -> list[ProblemIncident]:
    require(by, "problems.change", problem)
    problem = _lock(problem, None)
    if problem.status == ProblemStatus.CLOSED:
        raise ValidationError(_("%(reference)s is closed; reopen it first.") % {"reference": problem.reference})
    links = _link(problem, by, list(incidents))
    _save(problem)
    return links


@transaction.atomic
def problem_incident_unlink(*, problem: Problem, by, incident) -> None:
    require(by, "problems.change", problem)
    problem = _lock(problem, None)
    deleted, _rows = ProblemIncident.objects.filter(problem=problem, incident=incident).delete()
    if not deleted:
        raise ValidationError(_("That call is not linked to this problem."))
    _note(problem, by, NoteKind.UNLINK, f"{incident.reference} unlinked.")
    _save(problem)


# --- status --------------------------------------------------------------------------------------
@transaction.atomic
def problem_status_set(*, problem: Problem, by, version, status: str, note: str = "") -> Problem:
    """Open or investigating; a resolved or closed problem can be reopened this way."""
    require(by, "problems.change", problem)
    problem = _lock(problem, version)
    if status not in MANUAL_STATUSES:
        raise ValidationError(
            {"status": _("Choose open or investigating (known error, resolved and closed have their own forms).")}
        )
    if problem.status in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED):
        if not note.strip():
            raise ValidationError({"note": _("Say why the problem is back.")})
        problem.resolved_at = problem.closed_at = None
    _set_status(problem, by, status, note.strip())
    _save(problem)
    return problem


@transaction.atomic
def problem_known_error(
    *, problem: Problem, by, version, workaround: str, root_cause: str = "", audience: str = WorkaroundAudience.DESK
) -> Problem:
    """A workaround is known: from now on the desk is offered it while logging and triaging calls."""
    require(by, "problems.change", problem)
    problem = _lock(problem, version)
    _check_active(problem)
    if not workaround.strip():
        raise ValidationError({"workaround": _("Write the workaround: the steps that get people working again.")})
    if audience not in WorkaroundAudience.values:
        raise ValidationError({"audience": _("Choose who may apply the workaround.")})
    problem.workaround, problem.workaround_audience = workaround.strip(), audience
    if root_cause.strip():
        problem.root_cause = root_cause.strip()
    problem.known_error_at = problem.known_error_at or timezone.now()
    _set_status(problem, by, ProblemStatus.KNOWN_ERROR, f"Workaround: {problem.workaround}")
    _save(problem)
    audit_record(
        actor=by,
        school=problem.school,
        action="known_error",
        obj=problem,
        summary=f"Problem {problem.reference} is a known error",
    )
    return problem


@transaction.atomic
def problem_resolve(
    *, problem: Problem, by, version, resolution: str, root_cause: str = "", resolve_calls: bool = True
) -> Problem:
    """The permanent fix. With `resolve_calls`, each open call linked to it (that `by` can see) is resolved with
    the same resolution through the incident service, which tells its reporter. `problem.calls_resolved` lists them."""
    require(by, "problems.change", problem)
    problem = _lock(problem, version)
    _check_active(problem)
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say what fixed it, so the next person knows.")})
    now = timezone.now()
    problem.resolution = resolution.strip()
    if root_cause.strip():
        problem.root_cause = root_cause.strip()
    problem.resolved_at = now
    _set_status(problem, by, ProblemStatus.RESOLVED)
    _note(problem, by, NoteKind.RESOLUTION, problem.resolution)
    resolved = []
    if resolve_calls:
        linked = Incident.objects.filter(problem_links__problem=problem, status__in=ACTIVE_STATUSES)
        for call in _visible_calls(by, list(linked)):
            body = f"Fixed by the solution to {problem.reference} ({problem.title}): {problem.resolution}"
            resolved.append(incident_resolve(incident=call, by=by, version=None, resolution=body))
        if resolved:
            _note(problem, by, NoteKind.NOTE, "Calls resolved with it: " + ", ".join(c.reference for c in resolved))
    _save(problem)
    audit_record(
        actor=by,
        school=problem.school,
        action="resolve",
        obj=problem,
        summary=f"Problem {problem.reference} resolved; {len(resolved)} calls resolved with it",
    )
    problem.calls_resolved = resolved
    return problem


@transaction.atomic
def problem_close(*, problem: Problem, by, version, note: str = "") -> Problem:
    """Closed: resolved and stayed fixed, or no longer worth pursuing (say why)."""
    require(by, "problems.change", problem)
    problem = _lock(problem, version)
    if problem.status == ProblemStatus.CLOSED:
        raise ValidationError(_("%(reference)s is already closed.") % {"reference": problem.reference})
    if problem.status != ProblemStatus.RESOLVED and not note.strip():
        raise ValidationError({"note": _("Say why an unresolved problem is closed.")})
    problem.closed_at = timezone.now()
    _set_status(problem, by, ProblemStatus.CLOSED, note.strip())
    _save(problem)
    return problem


# --- known errors on calls -----------------------------------------------------------------------
@transaction.atomic
def known_error_give(*, problem: Problem, incident, by) -> ProblemIncident:
    """Give a known error's workaround to a call: a public update on the call (so its reporter is told)
    through the incident service, and the call linked to the problem."""
    require(by, "problems.change", problem)
    problem = _lock(problem, None)
    if not problem.is_known_error or not problem.workaround:
        raise ValidationError(_("%(reference)s has no known workaround to give.") % {"reference": problem.reference})
    if incident.school_id != problem.school_id:
        raise ValidationError(_("Choose a call of the problem's own school."))
    if not _visible_calls(by, [incident]):
        raise PermissionDenied(_("You cannot update this call."))
    link = ProblemIncident.objects.filter(problem=problem, incident=incident).first()
    if link is not None and link.workaround_sent_at:
        raise ValidationError(
            _("The workaround was already given to %(reference)s.") % {"reference": incident.reference}
        )
    incident_reply(
        incident=incident,
        by=by,
        is_public=True,
        body=f"This is a known problem ({problem.reference}: {problem.title}). Until it is fixed, "
        f"please try this:\n{problem.workaround}",
    )
    now, actor = timezone.now(), by if getattr(by, "is_authenticated", False) else None
    if link is None:
        link = ProblemIncident.objects.create(problem=problem, incident=incident, linked_by=actor)
    link.workaround_sent_at, link.workaround_sent_by = now, actor
    link.save(update_fields=["workaround_sent_at", "workaround_sent_by", "updated_at"])
    _note(problem, by, NoteKind.WORKAROUND, f"Workaround given to {incident.reference} {incident.summary}"[:300])
    _save(problem)
    return link


# --- settings and candidates ---------------------------------------------------------------------
@transaction.atomic
def problem_settings_save(*, school, by, candidate_calls: int, candidate_days: int) -> ProblemSettings:
    """When repeat calls become a problem candidate in this school (the SPOC or the ICT owner sets it)."""
    require(by, "problems.settings", school)
    settings = ProblemSettings.objects.select_for_update().filter(school=school).first() or ProblemSettings(
        school=school
    )
    old = str(settings) if settings.pk else "default"
    settings.candidate_calls, settings.candidate_days = candidate_calls, candidate_days
    settings.full_clean(exclude=["school"], validate_constraints=False)
    settings.save()
    audit_record(
        actor=by, school=school, action="settings", obj=settings, summary=f"Problem candidates: {old} → {settings}"
    )
    return settings


@transaction.atomic
def problem_from_candidate(*, school, by, basis: str, key: str, title: str = "", now=None) -> Problem:
    """Raise a problem from repeat calls in one step: the calls of the candidate are linked to it."""
    require(by, "problems.create", school)
    calls, label = candidate_calls(user=by, school=school, basis=basis, key=key, now=now)
    if len(calls) < 2:
        raise ValidationError(_("These calls are no longer repeat calls without a problem: refresh the list."))

    def shared(name):  # what every call has in common (the basis, and often more)
        values = {getattr(c, f"{name}_id") for c in calls}
        return getattr(calls[0], name) if len(values) == 1 and None not in values else None

    devices = {c.device.strip().lower() for c in calls}
    return problem_create(
        school=school,
        by=by,
        title=title.strip() or f"Repeat calls: {label}"[:200],
        symptoms="\n".join(f"{c.reference} ({c.logged_at:%d/%m/%Y}): {c.summary}" for c in calls)[:4000],
        priority=min(c.priority for c in calls),
        category=shared("category"),
        location=shared("location"),
        asset=shared("asset"),
        device=calls[0].device if len(devices) == 1 else "",
        incidents=calls,
    )
