"""Every change to a call goes through these services: views, API, mail intake, tasks and commands
call the same functions. Each validates, writes the timeline and enqueues side effects after commit."""

from __future__ import annotations

import mimetypes
import secrets
from datetime import timedelta
from pathlib import Path

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from schooldesk.core.concurrency import version_lock
from schooldesk.core.permissions import can, refusal, require
from schooldesk.core.uploads import attachment_validate
from schooldesk.incidents.choices import (
    ACTIVE_STATUSES,
    PAUSED_STATUSES,
    SATISFACTION_CHANGE_WINDOW,
    IncidentStatus,
    Satisfaction,
    SupportLevel,
    UpdateKind,
)
from schooldesk.incidents.models import Attachment, Incident, IncidentUpdate, SavedView, change_sentence
from schooldesk.incidents.signals import incident_resolved
from schooldesk.schools.choices import (
    DEFAULT_PRIORITY_MATRIX,
    DEFAULT_SLA_TARGETS,
    Impact,
    Priority,
    SatisfactionSurvey,
    Urgency,
)
from schooldesk.schools.models import School
from schooldesk.schools.selectors import school_calendar
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.events import emit


# --- rules ------------------------------------------------------------------------------------
def priority_for(*, school, impact: str, urgency: str) -> str:
    if impact not in Impact.values or urgency not in Urgency.values:
        raise ValidationError(_("Choose the impact and the urgency from the lists."))
    row = school.priority_matrix.get(impact) or DEFAULT_PRIORITY_MATRIX[impact]
    return row.get(urgency) or DEFAULT_PRIORITY_MATRIX[impact][urgency]


def _is_reporter(by, incident) -> bool:
    return by is not None and by.pk in (incident.reported_by_id, incident.logged_by_id)


def sla_refresh(incident: Incident, calendar=None) -> None:
    """Due times from when the call was logged, the priority's targets and the time spent waiting."""
    calendar = calendar or school_calendar(school=incident.school)
    targets = incident.school.sla_targets.get(incident.priority) or DEFAULT_SLA_TARGETS[incident.priority]
    paused = incident.sla_paused_minutes
    incident.response_due_at = calendar.add_minutes(incident.logged_at, int(targets["respond"]) + paused)
    incident.resolve_due_at = calendar.add_minutes(incident.logged_at, int(targets["resolve"]) + paused)


def _pause(incident: Incident, now) -> None:
    if incident.sla_paused_at is None:
        incident.sla_paused_at = now


def _resume(incident: Incident, now) -> None:
    if incident.sla_paused_at is not None:
        incident.sla_paused_minutes += school_calendar(school=incident.school).minutes_between(
            incident.sla_paused_at, now
        )
        incident.sla_paused_at = None
        sla_refresh(incident)


def _working_status(incident: Incident) -> str:
    return {
        SupportLevel.FIRST: IncidentStatus.WITH_FIRST_LEVEL,
        SupportLevel.SECOND: IncidentStatus.WITH_SECOND_LEVEL,
    }.get(incident.support_level, IncidentStatus.OPEN)


CONFLICT = (
    "Someone else changed this call after you opened it. Your changes were not saved: "
    "check the latest version below and try again."
)


def _lock(incident: Incident, version: int | None) -> Incident:
    """Re-read the call under a row lock; refuse if someone changed it since `version` was read."""
    # of=("self",): FOR UPDATE on the join would also lock the school's row, and every new call
    # for the school (its foreign key takes a KEY SHARE lock on that row) would wait behind it.
    return version_lock(incident, version, message=CONFLICT, related=("school",))


def _save(incident: Incident) -> None:
    incident.version += 1
    incident.save()


def _timeline(
    incident, by, kind, body="", *, is_public=True, field="", old="", new="", minutes=0, notify=True
) -> IncidentUpdate:
    update = IncidentUpdate.objects.create(
        incident=incident,
        author=by,
        kind=kind,
        body=body,
        is_public=is_public,
        field=field,
        old_value=str(old)[:200],
        new_value=str(new)[:200],
        minutes_spent=minutes,
    )
    if notify and (is_public or kind in (UpdateKind.ASSIGNMENT, UpdateKind.ESCALATION)):
        _notify_after_commit(incident, update)
    return update


def _notify_after_commit(incident, update) -> None:
    """Every row one save writes about a call goes to the mail app together, so that the reporter reads one
    email saying what happened rather than one per changed field. The first callback after the commit takes
    the whole batch; the others find it empty."""
    from schooldesk.incidents.tasks import incident_notify  # a real circle: the tasks' mail reads the services

    batch = incident.__dict__.setdefault("_notify_batch", [])
    batch.append(update.pk)

    def send():
        ids = incident.__dict__.pop("_notify_batch", [])
        if ids:
            incident_notify(ids)

    transaction.on_commit(send)


def _emit(incident, event: str, **data) -> None:
    """Tell the webhooks' subscribers (after the commit; restricted calls carry their reference and link only)."""
    emit(
        event,
        school=incident.school_id,
        obj=incident,
        data={
            "summary": incident.summary,
            "priority": incident.priority,
            "status": incident.get_status_display(),
            **data,
        },
    )


def _set_status(incident, by, status, body="", *, is_public=True) -> IncidentUpdate | None:
    if incident.status == status:
        return None
    old = incident.get_status_display()
    incident.status = status
    _emit(incident, WebhookEvent.STATUS_CHANGED, old_status=old)
    return _timeline(
        incident,
        by,
        UpdateKind.STATUS,
        body,
        is_public=is_public,
        field="status",
        old=old,
        new=incident.get_status_display(),
    )


def _check_active(incident: Incident) -> None:
    if incident.status not in ACTIVE_STATUSES:
        raise ValidationError(
            _("%(reference)s is %(status)s; reopen it first.")
            % {"reference": incident.reference, "status": incident.get_status_display().lower()}
        )


def _check_not_awaiting_approval(incident: Incident) -> None:
    """A call awaiting approval waits for the decision: it can only be decided (approved, refused) or cancelled."""
    if incident.status == IncidentStatus.WAITING_APPROVAL:
        raise ValidationError(
            _(
                "%(ref)s is awaiting approval: it can be approved, refused or cancelled, nothing "
                "else, until the approver decides."
            )
            % {"ref": incident.reference}
        )


# --- attachments ------------------------------------------------------------------------------
def _attach(incident, update, by, files) -> None:
    for upload in files or ():
        upload = attachment_validate(upload)
        extension = Path(upload.name).suffix.lower()
        attachment = Attachment(
            incident=incident,
            update=update,
            uploaded_by=by,
            stored_name=f"{secrets.token_hex(16)}{extension}",
            original_name=Path(upload.name).name[:200],
            content_type=mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
            size=upload.size,
        )
        attachment.file.save(attachment.stored_name, upload, save=True)


# --- logging a call ---------------------------------------------------------------------------
@transaction.atomic
def incident_create(
    *,
    school,
    location,
    summary: str,
    by,
    reported_by=None,
    reporter_name: str = "",
    reporter_contact: str = "",
    channel: str = "web",
    kind: str = "incident",
    category=None,
    impact: str | None = None,
    urgency: str | None = None,
    files=(),
    now=None,
    **details,
) -> Incident:
    """Log a call. Anyone with a role in the school may log one; the desk may log it for someone else."""
    require(by, "incidents.report", school)
    on_behalf = reported_by is not None and by is not None and reported_by.pk != by.pk or bool(reporter_name)
    if on_behalf or impact or urgency or category:
        require(by, "incidents.log_for_someone", school)
    if location.school_id != school.pk or location.is_archived:
        raise ValidationError({"location": _("Choose a location from this school's list.")})
    if category is not None and (category.school_id != school.pk or category.is_archived):
        raise ValidationError({"category": _("Choose a category from this school's list.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Say briefly what is wrong.")})
    now = now or timezone.now()
    incident = Incident(
        school=school,
        location=location,
        summary=summary.strip(),
        kind=kind,
        channel=channel,
        reported_by=reported_by if reported_by is not None else (None if reporter_name else by),
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        logged_by=by,
        category=category,
        impact=impact or "I3",
        urgency=urgency or "U2",
        logged_at=now,
        **details,
    )
    incident.priority = priority_for(school=school, impact=incident.impact, urgency=incident.urgency)
    sla_refresh(incident)
    incident.full_clean(exclude=["school", "location", "reported_by", "logged_by", "category"])
    incident.save()
    update = _timeline(
        incident, by, UpdateKind.LOGGED, f"Logged by {by or 'the system'} ({incident.get_channel_display()})."
    )
    _attach(incident, update, by, files)
    _emit(incident, WebhookEvent.CALL_CREATED, location=str(location))
    if incident.priority == Priority.P1:
        _emit(incident, WebhookEvent.PRIORITY_P1, location=str(location))
    return _approval_if_needed(incident, by)


# --- triage and routing -----------------------------------------------------------------------
@transaction.atomic
def incident_triage(
    *,
    incident,
    by,
    version,
    category,
    impact: str,
    urgency: str,
    priority: str = "",
    reason: str = "",
    is_restricted: bool | None = None,
    location=None,
) -> Incident:
    """Check the call: category, impact × urgency → priority (an override needs a reason), restriction,
    and where it is when the reporter (or an email) gave the wrong place."""
    incident = _lock(incident, version)
    _check_active(incident)
    _check_not_awaiting_approval(incident)
    require(by, "incidents.triage", incident)
    if location is not None and location.pk != incident.location_id:
        if location.school_id != incident.school_id or location.is_archived:
            raise ValidationError({"location": _("Choose a location from this school's list.")})
    if category is not None and (
        category.school_id != incident.school_id or (category.is_archived and category.pk != incident.category_id)
    ):
        raise ValidationError({"category": _("Choose a category from this school's list.")})
    matrix_priority = priority_for(school=incident.school, impact=impact, urgency=urgency)
    if priority and priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority from the list.")})
    if priority and priority != matrix_priority and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for overriding the priority the matrix suggests.")})
    changes = []
    labels = {"impact": dict(Impact.choices), "urgency": dict(Urgency.choices), "priority": dict(Priority.choices)}
    for field, new in (("category", category), ("impact", impact), ("urgency", urgency)):
        old = getattr(incident, field)
        if old != new:
            named = labels.get(field, {})
            changes.append(change_sentence(field, named.get(old, old) or "", named.get(new, new) or ""))
            setattr(incident, field, new)
    new_priority = priority or matrix_priority
    became_p1 = new_priority == Priority.P1 != incident.priority
    if new_priority != incident.priority:
        changes.append(
            change_sentence(
                "priority_level", labels["priority"].get(incident.priority, ""), labels["priority"][new_priority]
            )
        )
        incident.priority = new_priority
    incident.priority_override_reason = reason.strip() if new_priority != matrix_priority else ""
    if location is not None and location.pk != incident.location_id:
        changes.append(change_sentence("location", str(incident.location), str(location)))
        incident.location = location
    if is_restricted is not None and is_restricted != incident.is_restricted:
        changes.append(change_sentence("restricted", new="yes" if is_restricted else "no"))
        incident.is_restricted = is_restricted
    now = timezone.now()
    incident.responded_at = incident.responded_at or now
    sla_refresh(incident)
    if incident.status == IncidentStatus.NEW:
        _set_status(incident, by, IncidentStatus.OPEN)
    _timeline(
        incident,
        by,
        UpdateKind.TRIAGE,
        ". ".join(changes) + "." if changes else _("Checked, no changes."),
        is_public=False,
    )
    if incident.priority_override_reason:
        _timeline(
            incident,
            by,
            UpdateKind.PRIORITY,
            incident.priority_override_reason,
            is_public=False,
            field="priority",
            old=matrix_priority,
            new=new_priority,
        )
    _save(incident)
    if became_p1:
        _emit(incident, WebhookEvent.PRIORITY_P1)
    return _approval_if_needed(incident, by)


@transaction.atomic
def incident_assign(*, incident, by, version, technician=None, next_visit: bool = False, note: str = "") -> Incident:
    """Forward to first-level support: a named technician, or the next scheduled visit."""
    incident = _lock(incident, version)
    _check_active(incident)
    _check_not_awaiting_approval(incident)
    require(by, "incidents.assign", incident)
    if technician is None and not next_visit:
        raise ValidationError({"technician": _("Choose a technician or the next scheduled visit.")})
    if technician is not None and not can(technician, "incidents.take_calls", incident):
        raise ValidationError({"technician": _("%(person)s does not support this school.") % {"person": technician}})
    old = str(incident.assigned_to or "")
    incident.assigned_to = technician
    incident.for_next_visit = next_visit
    incident.support_level = SupportLevel.FIRST
    incident.responded_at = incident.responded_at or timezone.now()
    _timeline(
        incident,
        by,
        UpdateKind.ASSIGNMENT,
        note,
        is_public=False,
        field="next_visit" if next_visit else "assigned_to",
        old=old,
        new=str(technician or ""),
    )
    _resume(incident, timezone.now())
    _set_status(incident, by, IncidentStatus.WITH_FIRST_LEVEL)
    _save(incident)
    return incident


@transaction.atomic
def incident_escalate(*, incident, by, version, supplier, reference: str = "", note: str = "") -> Incident:
    """Escalate to a second-level provider, recording their own call reference."""
    incident = _lock(incident, version)
    _check_active(incident)
    _check_not_awaiting_approval(incident)
    require(by, "incidents.escalate", incident)
    if supplier.organisation_id != incident.school.organisation_id:
        raise ValidationError({"supplier": _("Choose a supplier from your organisation's list.")})
    incident.supplier = supplier
    incident.supplier_reference = reference.strip()
    incident.support_level = SupportLevel.SECOND
    incident.escalated_at = timezone.now()
    incident.responded_at = incident.responded_at or incident.escalated_at
    incident.supplier_responded_at = incident.supplier_fixed_at = None  # the supplier's clock starts again
    # "escalated_to" keeps the supplier's own reference in old_value (see incidents.models.change_sentence)
    _timeline(
        incident,
        by,
        UpdateKind.ESCALATION,
        note.strip(),
        is_public=False,
        field="escalated_to",
        old=incident.supplier_reference,
        new=supplier.name,
    )
    _resume(incident, timezone.now())
    _set_status(incident, by, IncidentStatus.WITH_SECOND_LEVEL)
    _save(incident)
    _emit(incident, WebhookEvent.ESCALATED, supplier=supplier.name)
    return incident


@transaction.atomic
def incident_chase(*, incident, by, note: str) -> IncidentUpdate:
    """Record a chase of the technician or supplier (phone call, email)."""
    _check_active(incident)
    _check_not_awaiting_approval(incident)
    require(by, "incidents.chase", incident)
    if not note.strip():
        raise ValidationError({"note": _("Say who you chased and what they said.")})
    return _timeline(incident, by, UpdateKind.CHASE, note.strip(), is_public=False)


@transaction.atomic
def incident_supplier_reference_set(*, incident, by, reference: str) -> Incident:
    require(by, "incidents.supplier_reference", incident)
    incident = _lock(incident, None)
    old = incident.supplier_reference
    incident.supplier_reference = reference.strip()
    _timeline(
        incident,
        by,
        UpdateKind.NOTE,
        "",
        is_public=False,
        field="supplier_reference",
        old=old,
        new=incident.supplier_reference,
    )
    _save(incident)
    return incident


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else "–"


@transaction.atomic
def incident_record_supplier_times(*, incident, by, version, responded_at=None, fixed_at=None) -> Incident:
    """Record when the supplier responded and when they fixed it, as the desk learnt it (a phone call, their
    portal): the supplier's scorecard measures these against the contract's targets. Times are to the minute."""
    incident = _lock(incident, version)
    if not incident.supplier_id or not incident.escalated_at:
        raise ValidationError(_("%(ref)s has not been escalated to a supplier.") % {"ref": incident.reference})
    require(by, "incidents.supplier_times", incident)
    escalated = incident.escalated_at.replace(second=0, microsecond=0)
    now, errors = timezone.now(), {}
    for name, moment in (("responded_at", responded_at), ("fixed_at", fixed_at)):
        if moment and moment < escalated:
            errors[name] = _("That is before the call was escalated to %(supplier)s (%(when)s).") % {
                "supplier": incident.supplier.name,
                "when": _when(incident.escalated_at),
            }
        elif moment and moment > now:
            errors[name] = _("That is in the future.")
    if not errors and responded_at and fixed_at and fixed_at < responded_at:
        errors["fixed_at"] = _("The fix cannot come before the response (%(when)s).") % {"when": _when(responded_at)}
    if errors:
        raise ValidationError(errors)
    if (responded_at, fixed_at) == (incident.supplier_responded_at, incident.supplier_fixed_at):
        raise ValidationError(_("Nothing changed: give the time the supplier responded or fixed it."))
    said = []
    for label, old, new in (
        (_("responded"), incident.supplier_responded_at, responded_at),
        (_("fixed it"), incident.supplier_fixed_at, fixed_at),
    ):
        if old != new:
            said.append(
                _("%(what)s at %(when)s") % {"what": label, "when": _when(new)}
                if new
                else _("%(what)s: time removed (was %(old)s)") % {"what": label, "old": _when(old)}
            )
    incident.supplier_responded_at, incident.supplier_fixed_at = responded_at, fixed_at
    _timeline(
        incident,
        by,
        UpdateKind.NOTE,
        _("%(supplier)s %(said)s.") % {"supplier": incident.supplier.name, "said": "; ".join(said)},
        is_public=False,
    )
    _save(incident)
    return incident


# --- conversation -----------------------------------------------------------------------------
@transaction.atomic
def incident_reply(
    *,
    incident,
    by,
    body: str,
    is_public: bool = True,
    minutes_spent: int = 0,
    files=(),
    from_caller: str = "",
) -> IncidentUpdate:
    """A public reply or an internal note, with time spent and attachments.

    `from_caller` (with `by=None`): a reply from a caller without an account, such as an email from an
    address the desk accepts; it counts as the reporter's reply."""
    caller = by is None and bool(from_caller.strip())
    is_worker = can(by, "incidents.see_internal", incident) and not caller
    if caller:
        body = f"{from_caller.strip()} wrote:\n{body.strip()}"
    if not is_worker:
        is_public, minutes_spent = True, 0  # reporters cannot write internal notes
        if (caller or _is_reporter(by, incident)) and incident.status not in ACTIVE_STATUSES | {
            IncidentStatus.RESOLVED
        }:
            raise ValidationError(_("This call is closed. If the problem is back, reopen it or report it again."))
        if not caller:
            require(by, "incidents.reply", incident)
    if not body.strip() and not files:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    incident = _lock(incident, None)
    now = timezone.now()
    update = _timeline(
        incident,
        by,
        UpdateKind.REPLY if is_public else UpdateKind.NOTE,
        body.strip(),
        is_public=is_public,
        minutes=minutes_spent,
    )
    _attach(incident, update, by, files)
    if is_worker and is_public and incident.responded_at is None:
        incident.responded_at = now
    if not is_worker and incident.status == IncidentStatus.WAITING_REPORTER:
        _resume(incident, now)
        _set_status(incident, by, _working_status(incident), "The reporter replied.")
    _save(incident)
    return update


@transaction.atomic
def incident_wait(*, incident, by, version, on: str, note: str = "") -> Incident:
    """Waiting on the reporter or on a supplier pauses the SLA clock."""
    incident = _lock(incident, version)
    _check_active(incident)
    _check_not_awaiting_approval(incident)
    require(by, "incidents.wait", incident)
    status = {"reporter": IncidentStatus.WAITING_REPORTER, "supplier": IncidentStatus.WAITING_SUPPLIER}.get(on)
    if status is None:
        raise ValidationError(_("Say whether the call waits on the reporter or on a supplier."))
    if status == IncidentStatus.WAITING_SUPPLIER and not incident.supplier_id:
        raise ValidationError(_("Escalate the call to a supplier before waiting on one."))
    _pause(incident, timezone.now())
    _set_status(incident, by, status, note, is_public=status == IncidentStatus.WAITING_REPORTER)
    _save(incident)
    return incident


@transaction.atomic
def incident_resume(*, incident, by, version, note: str = "") -> Incident:
    incident = _lock(incident, version)
    if incident.status not in PAUSED_STATUSES:
        raise ValidationError(_("This call is not waiting."))
    _check_not_awaiting_approval(incident)
    require(by, "incidents.resume", incident)
    _resume(incident, timezone.now())
    _set_status(incident, by, _working_status(incident), note, is_public=False)
    _save(incident)
    return incident


# --- ending -----------------------------------------------------------------------------------
@transaction.atomic
def incident_resolve(
    *, incident, by, version, resolution: str, is_workaround: bool = False, minutes_spent: int = 0, notify: bool = True
) -> Incident:
    """`notify=False`: the reporter is told some other way (an outage's one email to everyone it affected)."""
    incident = _lock(incident, version)
    _check_active(incident)
    _check_not_awaiting_approval(incident)
    require(by, "incidents.resolve", incident)
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say what was done, so the reporter and the next person know.")})
    now = timezone.now()
    _resume(incident, now)
    incident.resolution = resolution.strip()
    incident.is_workaround = is_workaround
    incident.resolved_at = now
    incident.responded_at = incident.responded_at or now
    _pause(incident, now)  # a resolved call's clock stands still; reopening starts it again
    if incident.satisfaction_asked_at is None and satisfaction_is_sampled(school=incident.school, pk=incident.pk):
        incident.satisfaction_asked_at = now  # asked once per call: a reopened call keeps its question
    _timeline(
        incident,
        by,
        UpdateKind.RESOLUTION,
        incident.resolution,
        minutes=minutes_spent,
        field="workaround" if is_workaround else "",
        notify=notify,
    )
    _set_status(incident, by, IncidentStatus.RESOLVED, is_public=False)
    _save(incident)
    transaction.on_commit(lambda: incident_resolved.send(sender=Incident, incident=incident, by=by))
    return incident


@transaction.atomic
def incident_confirm(*, incident, by, satisfaction: str = "", comment: str = "") -> Incident:
    """The reporter (or the desk on their behalf) confirms the fix; the call closes. The reporter may rate
    how it was handled at the same time (good / OK / poor), if the call was picked for a rating."""
    incident = _lock(incident, None)
    if incident.status != IncidentStatus.RESOLVED:
        raise ValidationError(_("Only a resolved call can be confirmed."))
    require(by, "incidents.confirm", incident)
    now = timezone.now()
    if satisfaction:
        _rate(incident, by, satisfaction, comment, now)
    incident.closed_at = now
    _timeline(incident, by, UpdateKind.CONFIRMATION, comment.strip() or "Fix confirmed.")
    _set_status(incident, by, IncidentStatus.CLOSED)
    _save(incident)
    return incident


# --- satisfaction (decision 0022) -------------------------------------------------------------
#: how long the links in the resolution email work
SATISFACTION_LINK_AGE = timedelta(days=14)
_SATISFACTION_SALT = "schooldesk.incidents.satisfaction"


def satisfaction_is_sampled(*, school, pk: int) -> bool:
    """Whether the school's survey setting asks the reporter of call `pk` for a rating. "One in N" picks by a
    keyed hash of the call's number: the same call always gets the same answer, about one call in N is
    picked, and nobody working the call can tell beforehand whether it will be rated."""
    if school.satisfaction_survey == SatisfactionSurvey.OFF:
        return False
    if school.satisfaction_survey == SatisfactionSurvey.EVERY:
        return True
    every = max(2, int(school.satisfaction_sample_every or 2))
    digest = salted_hmac(_SATISFACTION_SALT, f"call:{pk}", algorithm="sha256").digest()
    return int.from_bytes(digest[:8], "big") % every == 0


def satisfaction_token(*, incident, rating: str) -> str:
    """The signed, expiring token of a one-click rating link: it names the call and the rating, nothing else."""
    return signing.dumps({"c": incident.pk, "r": rating}, salt=_SATISFACTION_SALT)


def satisfaction_token_read(token: str) -> tuple[int, str]:
    """(call id, rating) from a link's token; ValidationError when it is forged, garbled or too old."""
    try:
        data = signing.loads(token, salt=_SATISFACTION_SALT, max_age=SATISFACTION_LINK_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This link has expired. Open the call to rate it, or reply to the email.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This link is not valid. Check that it was copied whole.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) or data.get("r") not in Satisfaction.values:
        raise ValidationError(_("This link is not valid. Check that it was copied whole."))
    return data["c"], data["r"]


def satisfaction_refusal(incident, now=None) -> str:
    """Why the call cannot be rated now ("" when it can): not picked, reopened, or rated too long ago to change."""
    if not incident.satisfaction_asked_at:
        return _("This call was not picked for a rating.")
    if incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return _("This call has been reopened: it can be rated once it is resolved again.")
    if incident.satisfaction and (now or timezone.now()) - incident.satisfaction_at > SATISFACTION_CHANGE_WINDOW:
        return _("This call was rated on %(when)s; a rating can only be changed within a day of giving it.") % {
            "when": timezone.localtime(incident.satisfaction_at).strftime("%d/%m/%Y %H:%M")
        }
    return ""


def satisfaction_can_rate(by, incident) -> bool:
    """Whether the call page offers `by` the rating question now (the rule "incidents.rate")."""
    return by is not None and can(by, "incidents.rate", incident)


def _rate(incident, by, rating: str, comment: str, now) -> None:
    """`by` is the reporter (signed in), or None for a caller without an account who followed the signed link."""
    if rating not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose good, OK or poor.")})
    if by is None and incident.reported_by_id:
        raise PermissionDenied(_("Sign in to rate this call."))
    if by is not None and by.pk != incident.reported_by_id:
        raise PermissionDenied(refusal("incidents.rate"))
    if refused := satisfaction_refusal(incident, now):
        raise ValidationError(refused)
    require(by, "incidents.rate", incident)
    old = incident.get_satisfaction_display() if incident.satisfaction else ""
    if not incident.satisfaction:
        incident.satisfaction_at = now  # the window to change it runs from the first answer
    incident.satisfaction = rating
    incident.satisfaction_comment = comment.strip()[:500]
    _timeline(
        incident,
        by,
        UpdateKind.NOTE,
        comment.strip()[:500],
        is_public=False,
        field="satisfaction",
        old=old,
        new=incident.get_satisfaction_display(),
    )


@transaction.atomic
def incident_rate(*, incident, by, rating: str, comment: str = "") -> Incident:
    """The reporter says how a resolved call was handled: good, OK or poor, with an optional comment. Given
    once; a second answer within SATISFACTION_CHANGE_WINDOW of the first replaces it, later ones are refused.
    Rating does not close the call: confirming the fix is a separate answer."""
    incident = _lock(incident, None)
    _rate(incident, by, rating, comment, timezone.now())
    _save(incident)
    return incident


@transaction.atomic
def incident_reopen(*, incident, by, reason: str, files=()) -> Incident:
    incident = _lock(incident, None)
    if incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        raise ValidationError(_("Only a resolved or closed call can be reopened."))
    require(by, "incidents.reopen", incident)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is still wrong.")})
    _resume(incident, timezone.now())
    incident.resolved_at = None
    incident.closed_at = None
    update = _timeline(incident, by, UpdateKind.REOPENED, reason.strip())
    _attach(incident, update, by, files)
    _set_status(incident, by, _working_status(incident))
    _save(incident)
    return incident


@transaction.atomic
def incident_cancel(*, incident, by, version, reason: str) -> Incident:
    incident = _lock(incident, version)
    _check_active(incident)
    require(by, "incidents.cancel", incident)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the call is cancelled (for example: it fixed itself).")})
    incident.closed_at = timezone.now()
    _pause(incident, incident.closed_at)
    if incident.status == IncidentStatus.WAITING_APPROVAL:  # the approver has nothing left to decide
        from schooldesk.outages.services import approval_cancel  # a real circle: outages.services imports us

        approval_cancel(incident=incident, by=by, reason=reason.strip())
    _set_status(incident, by, IncidentStatus.CANCELLED, reason.strip())
    _save(incident)
    return incident


@transaction.atomic
def incident_mark_duplicate(*, incident, by, version, original) -> Incident:
    incident = _lock(incident, version)
    _check_active(incident)
    _check_not_awaiting_approval(incident)
    require(by, "incidents.mark_duplicate", incident)
    if original.pk == incident.pk or original.school_id != incident.school_id:
        raise ValidationError({"original": _("Choose another call from the same school.")})
    if original.duplicate_of_id == incident.pk:
        raise ValidationError(
            {"original": _("%(reference)s is already a duplicate of this call.") % {"reference": original.reference}}
        )
    incident.duplicate_of = original
    incident.closed_at = timezone.now()
    _pause(incident, incident.closed_at)
    about = "" if original.is_restricted and not incident.is_restricted else f": {original.summary}"
    _timeline(incident, by, UpdateKind.DUPLICATE, f"Duplicate of {original.reference}{about}")
    _set_status(incident, by, IncidentStatus.DUPLICATE, is_public=False)
    _save(incident)
    _timeline(
        original, by, UpdateKind.NOTE, f"{incident.reference} was linked as a duplicate of this call.", is_public=False
    )
    return incident


def incidents_auto_close(*, now=None) -> int:
    """Close resolved calls whose reporters have not answered within the school's number of school days."""
    now = now or timezone.now()
    closed = 0
    for school in School.objects.filter(incident__status=IncidentStatus.RESOLVED).distinct():
        calendar = school_calendar(school=school)
        for incident in Incident.objects.filter(school=school, status=IncidentStatus.RESOLVED).only(
            "pk", "resolved_at"
        ):
            if calendar.add_service_days(incident.resolved_at, school.auto_close_after_days) <= now:
                with transaction.atomic():
                    current = _lock(incident, None)
                    if current.status != IncidentStatus.RESOLVED:
                        continue
                    current.closed_at = now
                    days = school.auto_close_after_days
                    _set_status(
                        current,
                        None,
                        IncidentStatus.CLOSED,
                        f"Closed automatically after {days} school days without a reply.",
                    )
                    _save(current)
                    closed += 1
    return closed


# --- saved views (a person's own; no school's data) ------------------------------------------------------------
def saved_view_save(*, user, name: str, query: str):
    """Save the call list's filters and sort under a name; saving under a name already used replaces it."""
    if not name.strip():
        raise ValidationError({"name": _("Give the view a name.")})
    saved, _created = SavedView.objects.update_or_create(
        user=user, name=name.strip()[:60], defaults={"query": query[:1000]}
    )
    return saved


def saved_view_delete(*, view, user) -> None:
    if view.user_id != user.pk:
        raise PermissionDenied(_("That is someone else's view."))
    view.delete()


# --- approval and records written by other apps --------------------------------------------------------------
def _approval_if_needed(incident: Incident, by) -> Incident:
    """A request in a category the school marks "needs approval" waits for the school's approver
    (schooldesk/outages/services.py, docs/decisions/0019)."""
    from schooldesk.outages.services import approval_request_if_needed  # a real circle: it imports us

    return approval_request_if_needed(incident=incident, by=by) or incident


@transaction.atomic
def incident_await_approval(*, incident, by, approver_name: str) -> Incident:
    """The call waits for the approver: the SLA clock pauses as it does for any waiting."""
    incident = _lock(incident, None)
    _check_active(incident)
    _pause(incident, timezone.now())
    _set_status(
        incident,
        by,
        IncidentStatus.WAITING_APPROVAL,
        _("Waiting for %(name)s to approve it.") % {"name": approver_name},
    )
    _save(incident)
    return incident


@transaction.atomic
def incident_approval_decided(*, incident, by, approved: bool, reason: str) -> Incident:
    """The approver's decision: approved, the call goes back to work (the clock runs again); refused, it is
    cancelled with the reason. Both are on the timeline for the reporter."""
    incident = _lock(incident, None)
    if incident.status != IncidentStatus.WAITING_APPROVAL:
        raise ValidationError(_("%(ref)s is not awaiting approval.") % {"ref": incident.reference})
    now = timezone.now()
    if approved:
        _resume(incident, now)
        _set_status(
            incident,
            by,
            _working_status(incident),
            _("Approved by %(name)s: %(reason)s") % {"name": by, "reason": reason}
            if reason.strip()
            else _("Approved by %(name)s.") % {"name": by},
        )
    else:
        incident.closed_at = now
        _set_status(
            incident,
            by,
            IncidentStatus.CANCELLED,
            _("Refused by %(name)s: %(reason)s") % {"name": by, "reason": reason},
        )
    _save(incident)
    return incident


@transaction.atomic
def incident_record(*, incident, by, body: str, is_public: bool = True) -> IncidentUpdate:
    """A line on the timeline written by another record (an outage the call is linked to), with no email."""
    return _timeline(incident, by, UpdateKind.NOTE, body, is_public=is_public, notify=False)
