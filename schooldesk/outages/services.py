"""Writes for outages and approvals. Each validates, records on the calls' timelines (through the incidents
services) and the audit, and sends its emails through the one outbound path after commit."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.accounts.models import User
from schooldesk.changes.services import change_create
from schooldesk.core.access import access_for
from schooldesk.core.audit import audit_record
from schooldesk.core.exceptions import ConflictError
from schooldesk.core.permissions import can, refusal, require
from schooldesk.core.roles import Role
from schooldesk.incidents.choices import ACTIVE_STATUSES, IncidentKind, IncidentStatus
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import (
    incident_approval_decided,
    incident_await_approval,
    incident_record,
    incident_resolve,
)
from schooldesk.mail.choices import Purpose
from schooldesk.mail.outbound import deliver_after_commit, is_email, message_queue
from schooldesk.outages.choices import ApprovalDecision, OutageScope
from schooldesk.outages.models import (
    AffectedPerson,
    CallApproval,
    CallChange,
    Outage,
    OutageCall,
    OutageSchool,
)
from schooldesk.outages.selectors import banner_forget

APPROVAL_SALT = "schooldesk.outages.approval"


def _forget_banner() -> None:
    """Now, for this request's own next read, and again after the commit, in case another request cached the old
    banner in between."""
    banner_forget()
    transaction.on_commit(banner_forget)


# --- outages ----------------------------------------------------------------------------------------------------
@transaction.atomic
def outage_declare(
    *,
    by,
    schools,
    title: str,
    scope: str = OutageScope.WHOLE_SCHOOL,
    started_at=None,
    advice: str = "",
    category=None,
    location=None,
    assets=(),
    source_incident=None,
) -> Outage:
    """Declare an outage for one school or, by an LA or trust, across several of its schools."""
    schools = list(schools)
    if not schools:
        raise PermissionDenied(refusal("outages.declare"))
    for school in schools:
        require(by, "outages.declare", school)
    errors = {}
    if len({s.organisation_id for s in schools}) > 1:
        errors["schools"] = _("Choose schools of one organisation.")
    if not title.strip():
        errors["title"] = _("Say what is down, as people will read it.")
    if scope not in OutageScope.values:
        errors["scope"] = _("Choose what is affected.")
    needs = {
        OutageScope.SERVICE: ("category", category),
        OutageScope.LOCATION: ("location", location),
        OutageScope.ASSETS: ("assets", list(assets)),
    }
    if scope in needs:
        field, value = needs[scope]
        if not value:
            errors[field] = _("Choose which, for an outage of this kind.")
        elif len(schools) != 1:
            errors["scope"] = _(
                "A service, place or devices belong to one school: choose one school, or the whole school for several."
            )
    one_school = schools[0].pk if len(schools) == 1 else None
    for field, value in (("category", category), ("location", location)):
        if value is not None and value.school_id != one_school:
            errors[field] = _("Choose one of this school's.")
    if any(asset.school_id != one_school for asset in assets):
        errors["assets"] = _("Choose devices from this school's register.")
    now = timezone.now()
    started_at = started_at or now
    if started_at > now + timedelta(minutes=5):
        errors["started_at"] = _("That is in the future: give when it went down.")
    if source_incident is not None and source_incident.school_id not in {s.pk for s in schools}:
        errors["schools"] = _("Include the school of %(ref)s.") % {"ref": source_incident.reference}
    if errors:
        raise ValidationError(errors)
    outage = Outage.objects.create(
        title=title.strip(),
        scope=scope,
        started_at=started_at,
        advice=advice.strip(),
        organisation_id=(schools[0].organisation_id),
        category=category if scope == OutageScope.SERVICE else None,
        location=location if scope == OutageScope.LOCATION else None,
        source_incident=source_incident,
        declared_by=by,
    )
    if scope == OutageScope.ASSETS:
        outage.assets.set(assets)
    OutageSchool.objects.bulk_create([OutageSchool(outage=outage, school=s) for s in schools])
    for school in schools:
        audit_record(
            actor=by,
            school=school,
            action="declare",
            obj=outage,
            summary=f"Outage {outage.reference} declared: {outage.title}",
        )
    if source_incident is not None:
        _link(outage, source_incident, by)
    _forget_banner()
    return outage


def _school_ids(outage) -> list[int]:
    return list(OutageSchool.objects.filter(outage=outage).values_list("school_id", flat=True))


def _link(outage, incident, by) -> OutageCall:
    link = OutageCall.objects.create(outage=outage, incident=incident, linked_by=by)
    incident_record(
        incident=incident,
        by=by,
        body=_("Linked to the outage %(ref)s: %(title)s. It will be resolved with it.")
        % {"ref": outage.reference, "title": outage.title},
    )
    return link


@transaction.atomic
def outage_affected(*, outage, by) -> tuple[AffectedPerson, bool]:
    """ "I'm affected": the person is told when it is over, instead of logging a call. Once per person."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    require(by, "outages.affected", outage)
    mine = [s for s in _school_ids(outage) if s in access_for(by).roles_by_school]
    if not outage.is_active:
        raise ValidationError(_("This outage is over. If it is still not working for you, report it."))
    return AffectedPerson.objects.get_or_create(outage=outage, person=by, defaults={"school_id": mine[0]})


@transaction.atomic
def outage_link_calls(*, outage, by, incidents) -> int:
    """Link calls logged about the outage anyway, several at once; each is resolved with the outage."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    school_ids = set(_school_ids(outage))
    if not outage.is_active:
        raise ValidationError(_("This outage is over."))
    incidents = list(incidents)
    if not incidents:
        raise ValidationError({"incidents": _("Tick the calls to link.")})
    for incident in incidents:
        if incident.school_id not in school_ids or not can(by, "outages.link", incident):
            raise ValidationError(
                {"incidents": _("%(ref)s is not at a school this outage affects.") % {"ref": incident.reference}}
            )
        if incident.status not in ACTIVE_STATUSES:
            raise ValidationError({"incidents": _("%(ref)s is no longer open.") % {"ref": incident.reference}})
        if OutageCall.objects.filter(incident=incident).exists():
            raise ValidationError(
                {"incidents": _("%(ref)s is already linked to an outage.") % {"ref": incident.reference}}
            )
    for incident in incidents:
        _link(outage, incident, by)
    audit_record(
        actor=by,
        school=incidents[0].school,
        action="link",
        obj=outage,
        summary=f"{len(incidents)} call(s) linked to {outage.reference}",
    )
    return len(incidents)


def _recipients(outage) -> dict[str, tuple[object | None, object]]:
    """address -> (the person, or None for a caller without an account; their school): everyone who tapped
    "I'm affected" and the reporter of every linked call, each address once."""
    found: dict[str, tuple[object | None, object]] = {}
    for row in AffectedPerson.objects.filter(outage=outage).select_related("person", "school"):
        if row.person.email:
            found.setdefault(row.person.email.strip().lower(), (row.person, row.school))
    for link in OutageCall.objects.filter(outage=outage).select_related("incident__reported_by", "incident__school"):
        incident = link.incident
        if incident.reported_by_id and incident.reported_by.email:
            found.setdefault(incident.reported_by.email.strip().lower(), (incident.reported_by, incident.school))
        elif not incident.reported_by_id and is_email(incident.reporter_contact.strip()):
            found.setdefault(incident.reporter_contact.strip().lower(), (None, incident.school))
    return found


@transaction.atomic
def outage_resolve(*, outage, by, version, resolution: str) -> Outage:
    """It is over: the linked calls are resolved with the outage's note, and everyone linked is told once."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    require(by, "outages.resolve", outage)
    if version is not None and outage.version != int(version):
        raise ConflictError()
    if not outage.is_active:
        raise ValidationError(_("This outage is already resolved."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say what was done, so that people know it is fixed.")})
    outage.resolved_at, outage.resolved_by, outage.resolution = timezone.now(), by, resolution.strip()
    outage.version += 1
    outage.save()
    note = _("Resolved with the outage %(ref)s: %(resolution)s") % {
        "ref": outage.reference,
        "resolution": outage.resolution,
    }
    for link in OutageCall.objects.filter(outage=outage).select_related("incident"):
        incident = link.incident
        if incident.status in ACTIVE_STATUSES and incident.status != IncidentStatus.WAITING_APPROVAL:
            incident_resolve(incident=incident, by=by, version=None, resolution=note, notify=False)
    messages = []
    for address, (person, school) in _recipients(outage).items():
        messages.append(
            message_queue(
                purpose=Purpose.OUTAGE_RESOLVED,
                to_address=address,
                dedupe_key=f"outage:{outage.pk}",
                subject=_("Fixed: %(title)s") % {"title": outage.title},
                template="outage_resolved",
                context={"outage": outage, "school": school},
                school=school,
                recipient=person,
            )
        )
    deliver_after_commit(messages)
    audit_record(
        actor=by,
        school=OutageSchool.objects.filter(outage=outage).first().school,
        action="resolve",
        obj=outage,
        summary=f"Outage {outage.reference} resolved; {len(messages)} people told",
    )
    _forget_banner()
    return outage


# --- approvals ----------------------------------------------------------------------------------------------------
def approval_token(approval) -> str:
    return signing.dumps({"a": approval.pk, "u": approval.approver_id}, salt=APPROVAL_SALT)


def approval_token_valid(approval, token: str) -> bool:
    try:
        data = signing.loads(token, salt=APPROVAL_SALT, max_age=60 * 60 * 24 * 60)
    except signing.BadSignature:
        return False
    return data == {"a": approval.pk, "u": approval.approver_id}


def _deciders(school):
    """The named approver; without one, the school's ICT owners."""
    if school.approver_id:
        return [school.approver]
    return list(User.objects.filter(memberships__school=school, memberships__role=Role.OWNER).distinct())


def approval_request_if_needed(*, incident, by) -> Incident | None:
    """A request in a category the school marks "needs approval" waits for the approver, once: returns the call
    (now awaiting approval), or None when it needs no approval."""
    category = incident.category
    if (
        incident.kind != IncidentKind.REQUEST
        or category is None
        or not category.needs_approval
        or incident.status not in ACTIVE_STATUSES
        or incident.status == IncidentStatus.WAITING_APPROVAL
    ):
        return None
    if CallApproval.objects.filter(
        incident=incident, decision__in=[ApprovalDecision.PENDING, ApprovalDecision.APPROVED]
    ).exists():
        return None
    school = incident.school
    approval = CallApproval.objects.create(school=school, incident=incident, approver=school.approver, requested_by=by)
    deciders = _deciders(school)
    names = ", ".join(str(p) for p in deciders) or _("the ICT owner")
    incident = incident_await_approval(incident=incident, by=by, approver_name=names)
    path = reverse("outages:approval_detail", args=[approval.pk])
    messages = [
        message_queue(
            purpose=Purpose.APPROVAL_REQUESTED,
            to_address=person.email,
            dedupe_key=f"approval:{approval.pk}",
            subject=_("Approval needed: [%(ref)s] %(summary)s")
            % {"ref": incident.reference, "summary": "" if incident.is_restricted else incident.summary},
            template="approval_requested",
            school=school,
            incident=incident,
            recipient=person,
            is_automatic=False,
            context={
                "incident": incident,
                "approval": approval,
                "school": school,
                "link": f"{path}?t={approval_token(approval)}" if person.pk == approval.approver_id else path,
            },
        )
        for person in deciders
        if person.email
    ]
    deliver_after_commit(messages)
    audit_record(
        actor=by,
        school=school,
        action="request",
        obj=approval,
        summary=f"Approval asked for {incident.reference} from {names}",
    )
    return incident


@transaction.atomic
def approval_decide(*, approval, by, approve: bool, reason: str = "") -> CallApproval:
    """The approver's yes or no, with a reason (needed for a no). The call goes on, or is cancelled."""
    approval = CallApproval.objects.select_for_update().select_related("incident").get(pk=approval.pk)
    require(by, "outages.decide", approval)
    if not approval.is_pending:
        raise ValidationError(
            _("This request has already been decided (%(decision)s).")
            % {"decision": approval.get_decision_display().lower()}
        )
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why it is refused, so that the person who asked knows.")})
    if approval.incident.status != IncidentStatus.WAITING_APPROVAL:
        raise ValidationError(
            _("The call is no longer waiting for approval (it is %(status)s).")
            % {"status": approval.incident.get_status_display().lower()}
        )
    approval.decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REFUSED
    approval.reason, approval.decided_by, approval.decided_at = reason.strip(), by, timezone.now()
    approval.save()
    incident_approval_decided(incident=approval.incident, by=by, approved=approve, reason=approval.reason)
    audit_record(
        actor=by,
        school=approval.school,
        action=approval.decision,
        obj=approval,
        summary=f"{approval.incident.reference} {approval.get_decision_display().lower()}",
    )
    return approval


def approval_cancel(*, incident, by, reason: str) -> int:
    """The call awaiting approval was cancelled (by the reporter or the desk): its approval is closed with it."""
    return CallApproval.objects.filter(incident=incident, decision=ApprovalDecision.PENDING).update(
        decision=ApprovalDecision.CANCELLED, reason=reason, decided_by=by, decided_at=timezone.now()
    )


@transaction.atomic
def category_set_needs_approval(*, category, needs: bool, by) -> object:
    require(by, "outages.category_approval", category)
    category.needs_approval = needs
    category.save(update_fields=["needs_approval", "updated_at"])
    audit_record(
        actor=by,
        school=category.school,
        action="approval" if needs else "no approval",
        obj=category,
        summary=f"Category {category} {'needs' if needs else 'no longer needs'} approval",
    )
    return category


@transaction.atomic
def change_from_call(*, incident, by):
    """Raise a request for change from a call (a draft, for the desk to complete and submit): the change shows the
    call and its approval decision, the call's timeline the change."""
    if incident.is_restricted:
        raise ValidationError(_("A restricted call cannot be copied into a request for change."))
    if CallChange.objects.filter(incident=incident).exists():
        raise ValidationError(
            _("A request for change has already been raised from %(ref)s.") % {"ref": incident.reference}
        )
    if incident.status == IncidentStatus.WAITING_APPROVAL:
        raise ValidationError(
            _("%(ref)s is awaiting approval: raise the change once it is approved.") % {"ref": incident.reference}
        )
    approval = CallApproval.objects.filter(incident=incident).first()
    reason = _("Asked for in %(ref)s: %(summary)s.") % {"ref": incident.reference, "summary": incident.summary}
    if approval is not None and approval.decision == ApprovalDecision.APPROVED:
        reason += " " + _("Approved by %(name)s on %(when)s.") % {
            "name": approval.decided_by,
            "when": f"{timezone.localtime(approval.decided_at):%d/%m/%Y}",
        }
    change = change_create(
        school=incident.school,
        by=by,
        title=incident.summary[:200],
        reason=reason,
        description=incident.description,
        affected_locations=[incident.location],
    )
    CallChange.objects.create(incident=incident, change=change, raised_by=by)
    incident_record(
        incident=incident,
        by=by,
        is_public=False,
        body=_("Request for change %(ref)s raised from this call.") % {"ref": change.reference},
    )
    return change
