"""Writes of the restricted lane and the filtering register. Each validates who may act, writes the audit entry,
and mails only a link and a reference (through schooldesk/mail/outbound.py, which strips a restricted call's
content whatever the template)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import User
from schooldesk.core.audit import audit_record
from schooldesk.core.permissions import can, require
from schooldesk.core.roles import Role
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_create, incident_triage
from schooldesk.locations.models import Location
from schooldesk.mail.choices import Purpose
from schooldesk.mail.outbound import deliver_after_commit, message_queue, site_url
from schooldesk.safeguarding import choices
from schooldesk.safeguarding.models import Breach, Concern, ConcernAction, FilterRequest, FilterReview


def _holders(school, role: str):
    """The people holding `role` in the school (or across its organisation); the ICT owner when nobody does."""

    def holding(wanted):
        return list(
            User.objects.filter(
                Q(memberships__school=school)
                | Q(memberships__organisation_id=school.organisation_id, memberships__school__isnull=True),
                memberships__role=wanted,
                is_active=True,
            )
            .distinct()
            .order_by("pk")
        )

    return holding(role) or holding(Role.OWNER)


def _tell(*, school, incident, role: str, key: str) -> int:
    """A link to the restricted call for each holder of `role`: never what it says (mail/outbound.py restricted())."""
    sent = []
    for person in _holders(school, role):
        sent.append(
            message_queue(
                purpose=Purpose.REMINDER,
                to_address=person.email,
                dedupe_key=key,
                subject="",
                template="restricted_call",
                context={
                    "reference": incident.reference,
                    "school": school,
                    "url": f"{site_url()}/incidents/{incident.pk}/",
                },
                school=school,
                incident=incident,
                recipient=person,
            )
        )
    deliver_after_commit(sent)
    return len([m for m in sent if m is not None])


# --- the restricted lane ------------------------------------------------------------------------------------------
@transaction.atomic
def restricted_lane_open(*, incident, lane: str, by, now=None):
    """Mark the call restricted and give it to the DPO (a data breach) or the DSL (a safeguarding concern), who
    are sent a link to it. A call already in a lane stays in it."""
    if lane not in choices.Lane.values:
        raise ValidationError(_("Choose what kind of restricted call this is."))
    existing = Breach.objects.filter(incident=incident).first() or Concern.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    if not incident.is_restricted:
        Incident.objects.filter(pk=incident.pk).update(is_restricted=True, version=incident.version + 1)
        incident.is_restricted, incident.version = True, incident.version + 1
    if lane == choices.Lane.BREACH:
        record = Breach.objects.create(school=incident.school, incident=incident, aware_at=incident.logged_at or now)
        summary, role = f"Opened the breach record of {incident.reference}", Role.DPO
    else:
        record = Concern.objects.create(school=incident.school, incident=incident)
        summary, role = f"Opened the safeguarding concern of {incident.reference}", Role.DSL
    audit_record(
        actor=by, school=incident.school, action="create", obj=record, summary=summary, label=incident.reference
    )
    _tell(school=incident.school, incident=incident, role=role, key=f"lane-{incident.pk}")
    return record


@transaction.atomic
def restricted_call_report(*, lane: str, **create) -> object:
    """Report a call straight into the restricted lane (the report form's two plain-words choices)."""
    incident = incident_create(is_restricted=True, **create)
    restricted_lane_open(incident=incident, lane=lane, by=create.get("by"))
    return incident


BREACH_FIELDS = (
    "aware_at",
    "data_involved",
    "people_affected",
    "is_special_category",
    "involves_children",
    "consequences",
    "containment",
    "notifiable",
    "notifiable_reason",
    "ico_told_at",
    "ico_reference",
    "people_told",
)


@transaction.atomic
def breach_record(*, breach, by, version: int, now=None, **fields) -> Breach:
    """The DPO records what happened and decides whether it is notifiable (with the reason); a notifiable breach
    records when the ICO was told and its reference."""
    require(by, "safeguarding.breach_record", breach)
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    if breach.version != version:
        raise ValidationError(
            _("Someone else has changed this breach record since you opened it. Reload the page to see their changes.")
        )
    unknown = set(fields) - set(BREACH_FIELDS)
    if unknown:
        raise ValueError(f"not a breach field: {sorted(unknown)}")
    now = now or timezone.now()
    old = {name: getattr(breach, name) for name in fields}
    for name, value in fields.items():
        setattr(breach, name, "" if value is None and name in ("notifiable", "people_told") else value)
    errors = {}
    if breach.notifiable and not breach.notifiable_reason.strip():
        errors["notifiable_reason"] = _("Say why: the ICO expects the reason for the decision to be kept.")
    if breach.ico_reference and breach.notifiable != choices.Notifiable.YES:
        errors["ico_reference"] = _("An ICO reference is for a breach decided notifiable.")
    if breach.ico_reference and not breach.ico_told_at:
        breach.ico_told_at = now
    if breach.ico_told_at and breach.ico_told_at > now + timedelta(minutes=5):
        errors["ico_told_at"] = _("The ICO cannot have been told in the future.")
    if errors:
        raise ValidationError(errors)
    if old.get("notifiable", breach.notifiable) != breach.notifiable:
        breach.decided_by, breach.decided_at = by, now
    breach.version += 1
    breach.save()
    changed = {
        name: [str(old[name]), str(getattr(breach, name))]
        for name in fields
        if old[name] != getattr(breach, name) and name not in ("data_involved", "consequences", "containment")
    }
    audit_record(
        actor=by,
        school=breach.school,
        action="update",
        obj=breach,
        changes=changed,
        summary=f"Recorded the breach of {breach.incident.reference}",
        label=breach.incident.reference,
    )
    return breach


def breach_reminders_send(*, now=None) -> int:
    """At 24 and 48 hours from awareness, each breach whose clock still runs reminds the DPO (a link only). The
    outbound log keeps each (breach, hour, person) once, so a rerun sends nothing twice."""
    now = now or timezone.now()
    earliest = min(choices.REMINDER_HOURS)
    due = (
        Breach.objects.filter(aware_at__lte=now - timedelta(hours=earliest), ico_told_at__isnull=True)
        .exclude(notifiable=choices.Notifiable.NO)
        .select_related("incident", "school")
    )
    sent = 0
    for breach in due:
        for hours in choices.REMINDER_HOURS:
            if breach.aware_at + timedelta(hours=hours) <= now:
                with transaction.atomic():
                    sent += _tell(
                        school=breach.school,
                        incident=breach.incident,
                        role=Role.DPO,
                        key=f"breach-{breach.pk}-{hours}h",
                    )
    return sent


@transaction.atomic
def concern_action_add(*, concern, by, text: str) -> ConcernAction:
    require(by, "safeguarding.concern_act", concern)
    if not text.strip():
        raise ValidationError({"text": _("Say what was done.")})
    action = ConcernAction.objects.create(concern=concern, by=by, text=text.strip())
    audit_record(
        actor=by,
        school=concern.school,
        action="update",
        obj=concern,
        label=concern.incident.reference,
        summary=f"Recorded an action on the concern {concern.incident.reference}",
    )
    return action


@transaction.atomic
def concern_close(*, concern, by, outcome: str, now=None) -> Concern:
    require(by, "safeguarding.concern_close", concern)
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what the outcome was.")})
    concern.outcome, concern.closed_at = outcome.strip(), now or timezone.now()
    concern.save(update_fields=["outcome", "closed_at", "updated_at"])
    audit_record(
        actor=by,
        school=concern.school,
        action="update",
        obj=concern,
        label=concern.incident.reference,
        summary=f"Recorded the outcome of the concern {concern.incident.reference}",
    )
    return concern


# --- the filtering and monitoring register ------------------------------------------------------------------------
@transaction.atomic
def filter_request_create(
    *, school, by, change: str, site: str, reason: str, audience: str, year_group: str = "", days: int | None = None
) -> FilterRequest:
    require(by, "safeguarding.filter_request", school)
    errors = {}
    if not site.strip():
        errors["site"] = _("Say which website or app.")
    if not reason.strip():
        errors["reason"] = _("Say why: the register keeps the reason for every decision.")
    if audience == choices.Audience.YEAR_GROUP and not year_group.strip():
        errors["year_group"] = _("Say which year group.")
    if errors:
        raise ValidationError(errors)
    request = FilterRequest.objects.create(
        school=school,
        requested_by=by,
        change=change,
        site=site.strip(),
        reason=reason.strip(),
        audience=audience,
        year_group=year_group.strip() if audience == choices.Audience.YEAR_GROUP else "",
        days=days,
    )
    audit_record(actor=by, school=school, action="create", obj=request, summary=f"Asked: {request}")
    return request


def _change_location(school):
    places = Location.objects.filter(school=school, is_archived=False)
    return places.filter(name__icontains="server").order_by("name").first() or places.order_by("name").first()


def _filter_call(request, by, summary: str):
    """The call that asks the technician (or the filtering supplier, once the desk escalates it) to make the
    change. It says what and for whom, not why: the reason stays in the register."""
    location = _change_location(request.school)
    if location is None:
        raise ValidationError(_("The school has no locations yet, so the call for the technician cannot be logged."))
    return incident_create(
        school=request.school,
        location=location,
        summary=summary[:200],
        by=by,
        kind="request",
        description=_("From the filtering register, %(ref)s.") % {"ref": request.reference},
    )


@transaction.atomic
def filter_request_decide(*, request, by, version: int, approve: bool, reason: str, now=None) -> FilterRequest:
    """The DSL approves (the change goes to the technician as a call, with its expiry) or refuses, with a reason."""
    require(by, "safeguarding.filter_decide", request)
    request = FilterRequest.objects.select_for_update().get(pk=request.pk)
    if request.version != version or request.status != choices.FilterStatus.REQUESTED:
        raise ValidationError(_("This request has been decided since you opened it. Reload the page."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision: the register keeps it.")})
    now = now or timezone.now()
    today = timezone.localdate(now)
    request.decided_by, request.decided_at, request.decision_reason = by, now, reason.strip()
    if approve:
        request.status = choices.FilterStatus.APPROVED
        request.expires_on = today + timedelta(days=request.days) if request.days else None
        until = (_(" until %(day)s") % {"day": f"{request.expires_on:%d/%m/%Y}"}) if request.expires_on else ""
        request.incident = _filter_call(
            request,
            by,
            _("%(change)s %(site)s for %(whom)s%(until)s (%(ref)s)")
            % {
                "change": _("Block") if request.change == choices.FilterChange.BLOCK else _("Unblock"),
                "site": request.site,
                "whom": request.for_whom,
                "until": until,
                "ref": request.reference,
            },
        )
    else:
        request.status = choices.FilterStatus.REFUSED
    request.version += 1
    request.save()
    audit_record(
        actor=by,
        school=request.school,
        action="update",
        obj=request,
        summary=f"{'Approved' if approve else 'Refused'} {request.reference}: {request.decision_reason}",
    )
    return request


def filter_expiries_run(*, now=None) -> int:
    """Approved changes whose time is up: a call to take each off, and the register records the removal. Each
    change is taken once (a rerun finds it removed)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = 0
    for pk in FilterRequest.objects.filter(status=choices.FilterStatus.APPROVED, expires_on__lte=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            request = FilterRequest.objects.select_for_update().select_related("school").get(pk=pk)
            if request.status != choices.FilterStatus.APPROVED:
                continue
            undo = _("Block again") if request.change == choices.FilterChange.UNBLOCK else _("Unblock again")
            request.removal_incident = _filter_call(
                request,
                None,
                _("%(undo)s %(site)s for %(whom)s: its time ended on %(day)s (%(ref)s)")
                % {
                    "undo": undo,
                    "site": request.site,
                    "whom": request.for_whom,
                    "day": f"{request.expires_on:%d/%m/%Y}",
                    "ref": request.reference,
                },
            )
            request.status, request.removed_on = choices.FilterStatus.REMOVED, today
            request.version += 1
            request.save()
            audit_record(
                actor=None,
                school=request.school,
                action="update",
                obj=request,
                summary=f"Time up: {request.reference} removed on {today:%d/%m/%Y}",
            )
            done += 1
    return done


def review_decisions(school) -> list[dict]:
    """What the register holds for a review: every decided request, as the review keeps it."""
    rows = (
        FilterRequest.objects.filter(school=school)
        .exclude(status=choices.FilterStatus.REQUESTED)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    )
    return [
        {
            "reference": r.reference,
            "change": str(r.get_change_display()),
            "site": r.site,
            "for_whom": r.for_whom,
            "reason": r.reason,
            "status": str(r.get_status_display()),
            "decision_reason": r.decision_reason,
            "decided_by": str(r.decided_by or ""),
            "decided_on": f"{timezone.localtime(r.decided_at):%d/%m/%Y}" if r.decided_at else "",
            "expires_on": f"{r.expires_on:%d/%m/%Y}" if r.expires_on else "",
            "removed_on": f"{r.removed_on:%d/%m/%Y}" if r.removed_on else "",
        }
        for r in rows
    ]


@transaction.atomic
def filter_review_create(*, school, by, review_on, notes: str = "") -> FilterReview:
    require(by, "safeguarding.review_start", school)
    review = FilterReview.objects.create(
        school=school, review_on=review_on, notes=notes.strip(), created_by=by, decisions=review_decisions(school)
    )
    audit_record(actor=by, school=school, action="create", obj=review, summary=f"Started {review}")
    return review


@transaction.atomic
def filter_review_sign(*, review, by, now=None) -> FilterReview:
    """The DSL signs as the DSL, a governor (a viewer of the school) as the governor; each once. A review both
    have signed is kept as it is."""
    review = FilterReview.objects.select_for_update().get(pk=review.pk)
    require(by, "safeguarding.review_sign", review)
    now = now or timezone.now()
    if can(by, "safeguarding.review_sign_as_dsl", review):
        review.dsl_signed_by, review.dsl_signed_at, as_whom = by, now, "the DSL"
    else:
        review.governor_signed_by, review.governor_signed_at, as_whom = by, now, "a governor"
    review.save()
    audit_record(actor=by, school=review.school, action="update", obj=review, summary=f"Signed {review} as {as_whom}")
    return review


@transaction.atomic
def incident_triage_into_lane(*, lane: str = "", **triage):
    """The desk's triage, and with a lane chosen the call goes into the restricted lane (docs/decisions/0023)."""
    incident = incident_triage(**triage)
    if lane:
        restricted_lane_open(incident=incident, lane=lane, by=triage.get("by"))
    return incident
