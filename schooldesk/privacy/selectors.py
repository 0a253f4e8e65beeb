"""Reads: a person's records across the desk for a subject access request (a fixed number of queries per kind,
whatever the number of rows), the search for a person, and what the retention job would do."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from schooldesk.accounts.models import Membership, Pupil, User
from schooldesk.assets.models import Asset, AssetEvent
from schooldesk.core.access import access_for
from schooldesk.core.models import AuditEntry
from schooldesk.incidents.choices import IncidentStatus
from schooldesk.incidents.models import Attachment, Incident, IncidentUpdate
from schooldesk.licences.models import Allocation
from schooldesk.mail.models import InboundMessage, OutboundMessage
from schooldesk.privacy.choices import PRIVACY_ROLES, SAMPLE, RecordKind, RetentionKind, days
from schooldesk.privacy.models import RetentionPolicy, RetentionRun, SubjectAccessRequest
from schooldesk.privacy.selectors_loans import take_loan_records
from schooldesk.schools.models import School

#: the most rows of one kind a search returns (a person's sign-ins can be many): the page says when it is reached
KIND_LIMIT = 2000
SEARCH_LIMIT = 20
FINISHED = (IncidentStatus.CLOSED, IncidentStatus.CANCELLED, IncidentStatus.DUPLICATE)
PSEUDONYMISED_PREFIX = "pseudonymised-"


def request_list(*, user: User) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.visible_to(user).select_related("school", "subject_user", "subject_pupil")


def requests_open(*, user: User) -> QuerySet[SubjectAccessRequest]:
    """The open requests, soonest due first: the DPO's home page."""
    return request_list(user=user).filter(answered_at__isnull=True).order_by("due_on", "pk")


# --- who the request is about ----------------------------------------------------------------------------------
@dataclass
class Subject:
    user: User | None
    names: list[str]
    emails: list[str]
    pupil: Pupil | None = None

    def q(self, name_fields=(), email_fields=(), user_fields=(), pupil_fields=()) -> Q:
        """Rows naming the person in any of these fields (exactly, ignoring case), or pointing at their account or
        their pupil record. Never an empty condition: with nothing to match, nothing matches."""
        condition = Q(pk__in=[])
        for name in self.names:
            for f in name_fields:
                condition |= Q(**{f"{f}__iexact": name})
        for email in self.emails:
            for f in email_fields:
                condition |= Q(**{f"{f}__iexact": email})
        if self.user is not None:
            for f in user_fields:
                condition |= Q(**{f: self.user})
        if self.pupil is not None:
            for f in pupil_fields:
                condition |= Q(**{f: self.pupil.pk})
        return condition

    def mentions(self, *fields) -> Q:
        """Rows whose text holds the person's full name or an address anywhere (an audit entry's sentence)."""
        condition = Q(pk__in=[])
        for text in [n for n in self.names if " " in n or "@" in n] + self.emails:
            for f in fields:
                condition |= Q(**{f"{f}__icontains": text})
        return condition


def subject_of(*, request: SubjectAccessRequest) -> Subject:
    user, pupil = request.subject_user, request.subject_pupil
    names = {request.subject_name.strip()}
    emails = {request.subject_email.strip()}
    if user is not None:
        names |= {user.get_full_name().strip(), user.username}
        emails.add(user.email.strip())
    if pupil is not None:
        names.add(f"{pupil.first_name} {pupil.last_name}".strip())
    return Subject(user=user, names=sorted(n for n in names if n), emails=sorted(e for e in emails if e), pupil=pupil)


def pseudonym_for(*, request: SubjectAccessRequest) -> str:
    """ "Person 7F3A": the same for the same person of the same school every time, guessable by nobody without
    the installation's secret key."""
    subject = subject_of(request=request)
    key = f"user:{subject.user.pk}" if subject.user else f"{(subject.emails or subject.names or [''])[0].lower()}"
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{request.school_id}:{key}".encode(), hashlib.sha256)
    return f"Person {digest.hexdigest()[:4].upper()}"


def pseudonym_email(*, pseudonym: str) -> str:
    return pseudonym.lower().replace(" ", "-") + "@pseudonymised.invalid"


# --- what the desk holds about them ----------------------------------------------------------------------------
@dataclass
class Item:
    kind: str
    pk: int | str
    title: str
    when: datetime | None
    fields: dict
    obj: object = None
    exempt_reason: str = ""
    #: the files the ZIP carries for this item: (path in the ZIP, the stored file)
    files: list = field(default_factory=list)


@dataclass
class Records:
    groups: dict[str, list[Item]] = field(default_factory=dict)
    truncated: list[str] = field(default_factory=list)

    def included(self) -> dict[str, list[Item]]:
        return {kind: [i for i in items if not i.exempt_reason] for kind, items in self.groups.items()}

    def total(self) -> int:
        return sum(len(items) for items in self.groups.values())


def _take(records: Records, kind: str, rows, make) -> None:
    rows = list(rows[: KIND_LIMIT + 1])
    if len(rows) > KIND_LIMIT:
        records.truncated.append(kind)
        rows = rows[:KIND_LIMIT]
    records.groups[kind] = [make(row) for row in rows]


def calls_about(*, school: School, subject: Subject) -> QuerySet[Incident]:
    return Incident.objects.filter(school=school).filter(
        subject.q(name_fields=("reporter_name",), email_fields=("reporter_contact",), user_fields=("reported_by",))
    )


def person_records(*, request: SubjectAccessRequest) -> Records:
    """Everything the school's desk holds about the request's person, grouped by kind: one query per kind (and one
    for the exemptions), whatever the number of rows."""
    school, subject, records = request.school, subject_of(request=request), Records()
    user = subject.user
    calls = calls_about(school=school, subject=subject)
    call_ids = calls.values("pk")
    if user is not None:
        _take(
            records,
            RecordKind.ACCOUNT,
            Membership.objects.filter(user=user, school=school).order_by("role"),
            lambda m: Item(
                RecordKind.ACCOUNT,
                m.pk,
                user.get_full_name() or user.username,
                user.date_joined,
                {
                    "name": user.get_full_name(),
                    "username": user.username,
                    "email": user.email,
                    "phone": user.phone,
                    "job_title": user.job_title,
                    "role": m.get_role_display(),
                    "active": user.is_active,
                    "joined": user.date_joined,
                    "last_sign_in": user.last_login,
                },
            ),
        )
    _take(
        records,
        RecordKind.CALL,
        calls.select_related("location", "category").order_by("logged_at", "pk"),
        lambda c: Item(
            RecordKind.CALL,
            c.pk,
            f"{c.reference} {c.summary}",
            c.logged_at,
            {
                "reference": c.reference,
                "summary": c.summary,
                "description": c.description,
                "expected": c.expected,
                "happened": c.happened,
                "checked": c.checked,
                "caller_name": c.reporter_name,
                "caller_contact": c.reporter_contact,
                "where": c.location.name,
                "category": c.category.name if c.category else "",
                "status": c.get_status_display(),
                "logged_at": c.logged_at,
                "closed_at": c.closed_at,
                "resolution": c.resolution,
            },
            obj=c,
        ),
    )
    updates = IncidentUpdate.objects.filter(incident__school=school).filter(
        Q(incident__in=call_ids) | subject.q(user_fields=("author",))
    )
    _take(
        records,
        RecordKind.UPDATE,
        updates.select_related("incident", "author").order_by("created_at", "pk"),
        lambda u: Item(
            RecordKind.UPDATE,
            u.pk,
            f"{u.incident.reference}: {u.get_kind_display()}",
            u.created_at,
            {
                "call": u.incident.reference,
                "kind": u.get_kind_display(),
                "body": u.body,
                "by": (u.author.get_full_name() or u.author.username) if u.author else "",
                "shown_to_reporter": u.is_public,
                "changed": u.field,
                "from": u.old_value,
                "to": u.new_value,
                "at": u.created_at,
            },
        ),
    )
    attachments = Attachment.objects.filter(incident__school=school).filter(
        Q(incident__in=call_ids) | subject.q(user_fields=("uploaded_by",))
    )
    _take(
        records,
        RecordKind.ATTACHMENT,
        attachments.select_related("incident").order_by("created_at", "pk"),
        lambda a: Item(
            RecordKind.ATTACHMENT,
            a.pk,
            f"{a.incident.reference}: {a.original_name}",
            a.created_at,
            {
                "call": a.incident.reference,
                "name": a.original_name,
                "type": a.content_type,
                "size": a.size,
                "file": f"attachments/{a.pk}-{a.stored_name}",
                "at": a.created_at,
            },
            obj=a,
            files=[(f"attachments/{a.pk}-{a.stored_name}", a.file)],
        ),
    )
    inbound = InboundMessage.objects.filter(school=school).filter(
        Q(incident__in=call_ids) | subject.q(name_fields=("from_name",), email_fields=("from_address",))
    )
    _take(
        records,
        RecordKind.EMAIL_IN,
        inbound.select_related("incident").order_by("created_at", "pk"),
        lambda m: Item(
            RecordKind.EMAIL_IN,
            m.pk,
            m.subject or m.from_address,
            m.sent_at or m.created_at,
            {
                "from": m.from_address,
                "from_name": m.from_name,
                "subject": m.subject,
                "preview": m.preview,
                "call": m.incident.reference if m.incident else "",
                "received_at": m.created_at,
            },
        ),
    )
    outbound = OutboundMessage.objects.filter(school=school).filter(
        subject.q(email_fields=("to_address",), user_fields=("recipient",))
    )
    _take(
        records,
        RecordKind.EMAIL_OUT,
        outbound.order_by("created_at", "pk"),
        lambda m: Item(
            RecordKind.EMAIL_OUT,
            m.pk,
            m.subject,
            m.sent_at or m.created_at,
            {
                "to": m.to_address,
                "subject": m.subject,
                "body": m.body_text,
                "status": m.get_status_display(),
                "sent_at": m.sent_at,
            },
        ),
    )
    if user is not None:
        _take(
            records,
            RecordKind.ASSET,
            Asset.objects.filter(school=school, issued_to=user).select_related("asset_type").order_by("tag"),
            lambda a: Item(
                RecordKind.ASSET,
                a.pk,
                f"{a.tag} {a.make} {a.model}".strip(),
                a.updated_at,
                {
                    "tag": a.tag,
                    "type": a.asset_type.name,
                    "make": a.make,
                    "model": a.model,
                    "serial": a.serial,
                    "status": a.get_status_display(),
                    "back_on": a.loan_due_on,
                },
            ),
        )
    events = AssetEvent.objects.filter(asset__school=school).filter(
        subject.q(name_fields=("old_value", "new_value"), user_fields=("by",))
    )
    _take(
        records,
        RecordKind.ASSET_EVENT,
        events.select_related("asset").order_by("created_at", "pk"),
        lambda e: Item(
            RecordKind.ASSET_EVENT,
            e.pk,
            f"{e.asset.tag}: {e.get_kind_display()}",
            e.created_at,
            {
                "asset": e.asset.tag,
                "what": e.get_kind_display(),
                "field": e.field,
                "from": e.old_value,
                "to": e.new_value,
                "note": e.note,
                "at": e.created_at,
            },
        ),
    )
    if user is not None:
        _take(
            records,
            RecordKind.LICENCE,
            Allocation.objects.filter(school=school, person=user).select_related("licence").order_by("pk"),
            lambda a: Item(
                RecordKind.LICENCE,
                a.pk,
                a.licence.product,
                a.created_at,
                {"product": a.licence.product, "seats": a.quantity, "note": a.note, "since": a.created_at},
            ),
        )
    take_loan_records(records, school, subject, take=_take, item_class=Item)
    _take(
        records,
        RecordKind.AUDIT,
        audit_about(school=school, subject=subject).order_by("at", "pk"),
        lambda e: Item(
            RecordKind.AUDIT,
            e.pk,
            e.summary,
            e.at,
            {
                "at": e.at,
                "action": e.action,
                "record": f"{e.object_type} {e.object_label}".strip(),
                "summary": e.summary,
            },
        ),
    )
    reasons = {
        (kind, object_id): reason
        for kind, object_id, reason in request.exemptions.values_list("kind", "object_id", "reason")
    }
    for items in records.groups.values():
        for item in items:
            item.exempt_reason = reasons.get((item.kind, str(item.pk)), "")
    return records


def audit_about(*, school: School, subject: Subject) -> QuerySet[AuditEntry]:
    """The school's audit entries by the person, about their account, or naming them in their sentence."""
    condition = subject.mentions("object_label", "summary")
    if subject.user is not None:
        condition |= Q(actor=subject.user) | Q(object_type="user", object_id=str(subject.user.pk))
    return AuditEntry.objects.filter(school=school).filter(condition)


def person_search(*, school, text: str) -> dict:
    """People of the school whose name, user name or email holds every word typed, its pupils (the device
    scheme's) whose name or MIS id does, and callers and senders without an account: four queries."""
    words = text.split()[:5]
    if not words:
        return {"accounts": [], "pupils": [], "callers": []}
    accounts = User.objects.filter(memberships__school=school)
    for word in words:
        accounts = accounts.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(username__icontains=word)
        )
    pupils = Pupil.objects.filter(school=school)
    for word in words:
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(mis_id__iexact=word))
    callers = Incident.objects.filter(school=school, reported_by__isnull=True)
    senders = InboundMessage.objects.filter(school=school)
    for word in words:
        callers = callers.filter(Q(reporter_name__icontains=word) | Q(reporter_contact__icontains=word))
        senders = senders.filter(Q(from_name__icontains=word) | Q(from_address__icontains=word))
    found = {
        (name, contact if "@" in contact else "")
        for name, contact in callers.values_list("reporter_name", "reporter_contact").distinct()[:SEARCH_LIMIT]
    }
    found |= set(senders.values_list("from_name", "from_address").distinct()[:SEARCH_LIMIT])
    return {
        "accounts": list(accounts.distinct().order_by("last_name", "first_name", "pk")[:SEARCH_LIMIT]),
        "pupils": list(pupils.order_by("last_name", "first_name", "pk")[:SEARCH_LIMIT]),
        "callers": sorted(found, key=lambda pair: (pair[0].lower(), pair[1].lower()))[:SEARCH_LIMIT],
    }


# --- retention -------------------------------------------------------------------------------------------------
def policy_for(*, school: School) -> RetentionPolicy:
    """The school's schedule, or the defaults (not saved) if it has none yet."""
    return RetentionPolicy.objects.filter(school=school).first() or RetentionPolicy(school=school)


def _not_anonymised() -> Q:
    return (
        Q(reported_by__isnull=False)
        | Q(logged_by__isnull=False)
        | ~Q(reporter_name="")
        | ~Q(reporter_contact="")
        | ~Q(description="")
    )


def leavers(*, school: School) -> QuerySet[User]:
    """Deactivated accounts whose only roles are in this school (a person of several schools is left to them)."""
    elsewhere = Membership.objects.filter(Q(organisation__isnull=False) | ~Q(school=school)).values("user_id")
    return (
        User.objects.filter(is_active=False, memberships__school=school)
        .exclude(pk__in=elsewhere)
        .exclude(username__startswith=PSEUDONYMISED_PREFIX)
        .distinct()
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
    )


def retention_due(*, policy: RetentionPolicy, now: datetime) -> dict[str, list[tuple[str, object, str]]]:
    """kind -> [(what, queryset, date field)] past its time at `now`: what the job would remove."""
    school, period = policy.school, policy.days_for()
    cutoff = {kind: now - days(n) for kind, n in period.items()}
    calls = Incident.objects.filter(school=school, status__in=FINISHED).filter(_not_anonymised())
    return {
        RetentionKind.CLOSED_CALLS: [
            ("call", calls.filter(is_restricted=False, closed_at__lt=cutoff[RetentionKind.CLOSED_CALLS]), "closed_at")
        ],
        RetentionKind.RESTRICTED_CALLS: [
            (
                "call",
                calls.filter(is_restricted=True, closed_at__lt=cutoff[RetentionKind.RESTRICTED_CALLS]),
                "closed_at",
            )
        ],
        RetentionKind.MAIL: [
            (
                "email_in",
                InboundMessage.objects.filter(school=school, created_at__lt=cutoff[RetentionKind.MAIL]),
                "created_at",
            ),
            (
                "email_out",
                OutboundMessage.objects.filter(school=school, created_at__lt=cutoff[RetentionKind.MAIL]),
                "created_at",
            ),
            (
                "attachment",
                Attachment.objects.filter(incident__school=school, created_at__lt=cutoff[RetentionKind.MAIL]),
                "created_at",
            ),
        ],
        RetentionKind.LEAVERS: [
            ("account", leavers(school=school).filter(last_seen__lt=cutoff[RetentionKind.LEAVERS]), "last_seen")
        ],
        RetentionKind.AUDIT: [
            ("audit", AuditEntry.objects.filter(school=school, at__lt=cutoff[RetentionKind.AUDIT]), "at")
        ],
    }


def describe(*, what: str, obj) -> str:
    """How a preview or a log names an item, with no personal data: its reference or number."""
    if what == "call":
        return obj.reference
    if what == "attachment":
        return f"attachment {obj.pk}"
    if what == "account":
        return f"account {obj.pk}"
    return f"{what.replace('_', ' ')} {obj.pk}"


def retention_preview(*, policy: RetentionPolicy, now: datetime) -> list[dict]:
    """Per kind: its period, how many items are past it and the oldest few. Two queries per part of a kind."""
    rows = []
    for kind, parts in retention_due(policy=policy, now=now).items():
        count, oldest = 0, []
        for what, queryset, date_field in parts:
            count += queryset.count()
            oldest += [
                (getattr(obj, date_field), describe(what=what, obj=obj))
                for obj in queryset.order_by(date_field, "pk")[:SAMPLE]
            ]
        rows.append(
            {
                "kind": kind,
                "label": RetentionKind(kind).label,
                "days": policy.days_for()[kind],
                "count": count,
                "oldest": sorted(oldest, key=lambda pair: pair[0])[:SAMPLE],
            }
        )
    return rows


def retention_runs(*, school: School, limit: int = 20) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.filter(school=school)[:limit]


def privacy_schools(*, user: User) -> QuerySet[School]:
    """The schools whose requests and retention schedule the person keeps (the DPO's, the ICT owner's), by name."""
    return School.objects.filter(pk__in=privacy_school_ids(user=user)).order_by("name")


def privacy_school_ids(*, user: User) -> list[int]:
    """The same schools' ids: a new request's school choices."""
    return access_for(user).school_ids(PRIVACY_ROLES)
