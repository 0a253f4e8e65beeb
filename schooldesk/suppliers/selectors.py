"""Reads for suppliers and contracts: lists, the decisions page and supplier performance."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from schooldesk.core.access import access_for
from schooldesk.core.calendar import LONDON, ServiceCalendar
from schooldesk.core.calendar import Term as CalendarTerm
from schooldesk.core.roles import REPORT_ROLES, STAFF_ROLES, Role
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.mail.choices import InboundAction
from schooldesk.mail.models import InboundMessage
from schooldesk.schools.models import Closure, School, Term
from schooldesk.suppliers.choices import (
    ALERT_THRESHOLDS,
    CONTRACT_ROLES,
    LIVE_STATUSES,
    SUPPLIER_DESK_ROLES,
    ContractStatus,
    Renewal,
    SuggestionStatus,
)
from schooldesk.suppliers.models import Contact, Contract, ContractDecision, ContractShare, Supplier, SupplierSuggestion

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User

PERFORMANCE_DAYS = 365


def supplier_list(*, user: User) -> QuerySet[Supplier]:
    return Supplier.objects.visible_to(user).select_related("organisation")


def supplier_get(*, user: User, pk: int) -> Supplier:
    return supplier_list(user=user).prefetch_related("contacts").get(pk=pk)


def managed_organisation_ids(*, user: User) -> list[int]:
    """The organisations whose shared suppliers this person changes (docs/decisions/0016; rule suppliers.change)."""
    return sorted(access_for(user).organisations_managed(SUPPLIER_DESK_ROLES))


def desk_organisation_ids(*, user: User) -> list[int]:
    """The organisations of the schools whose desk this person runs (whose suppliers they add contracts with)."""
    ids = access_for(user).school_ids(SUPPLIER_DESK_ROLES)
    return sorted(set(School.objects.filter(pk__in=ids).values_list("organisation_id", flat=True)))


def contract_schools(*, user: User) -> list[School]:
    """The schools a contract may be shared by, on the contract's form: those whose desk this person runs."""
    return list(School.objects.filter(pk__in=access_for(user).school_ids(SUPPLIER_DESK_ROLES)).order_by("name"))


def suggestion_school(*, user: User, supplier: Supplier) -> School | None:
    """The school whose desk the person speaks for on this supplier: one of theirs in its organisation."""
    ids = access_for(user).school_ids(SUPPLIER_DESK_ROLES)
    return School.objects.filter(pk__in=ids, organisation_id=supplier.organisation_id).order_by("name").first()


def suppliers_for(*, user: User) -> QuerySet[Supplier]:
    """The suppliers of the organisations of the schools where the person reads contracts (the API)."""
    schools = School.objects.filter(pk__in=access_for(user).school_ids(CONTRACT_ROLES))
    return supplier_list(user=user).filter(organisation_id__in=schools.values("organisation_id"))


def contacts_for(*, user: User) -> QuerySet[Contact]:
    """The contacts of `suppliers_for` (the API)."""
    return Contact.objects.filter(supplier__in=suppliers_for(user=user).values("pk")).select_related("supplier")


def supplier_suggestions(*, user: User, supplier: Supplier, managing: bool) -> list:
    """For the organisation's officers, the suggestions waiting for them; for a school's desk, its own (the
    latest ten, with their outcome)."""
    rows = SupplierSuggestion.objects.filter(supplier=supplier).select_related("school", "proposed_by", "decided_by")
    if managing:
        return list(rows.filter(status=SuggestionStatus.PENDING).order_by("created_at"))
    return list(rows.filter(school_id__in=access_for(user).school_ids(SUPPLIER_DESK_ROLES))[:10])


def suggestions_waiting(*, organisation_ids) -> QuerySet[Supplier]:
    """Suppliers with suggestions waiting for their organisation's officers, and how many."""
    return (
        Supplier.objects.filter(organisation_id__in=organisation_ids)
        .annotate(waiting=Count("suggestions", filter=Q(suggestions__status=SuggestionStatus.PENDING)))
        .filter(waiting__gt=0)
        .order_by("name")[:20]
    )


def contract_list(*, user: User) -> QuerySet[Contract]:
    shares = Prefetch("shares", queryset=ContractShare.objects.select_related("school"))
    return Contract.objects.visible_to(user).select_related("supplier").prefetch_related(shares)


def contract_list_by_end(*, user: User) -> QuerySet[Contract]:
    """The contracts page: the soonest to end first."""
    return contract_list(user=user).order_by("term_ends_on", "name", "pk")


def contract_get(*, user: User, pk: int) -> Contract:
    decisions = Prefetch("decisions", queryset=ContractDecision.objects.select_related("decided_by"))
    return (
        contract_list(user=user)
        .select_related("visit_technician", "supplier__organisation")
        .prefetch_related("locations__school", "documents", decisions)
        .get(pk=pk)
    )


# --- what needs a decision --------------------------------------------------------------------
def decision_deadline(contract: Contract, today: date) -> tuple[str, date]:
    """What the next decision is about: the notice date while it is still ahead, then the end."""
    if contract.notice_number and contract.notice_by_on >= today:
        return "notice", contract.notice_by_on
    return "end", contract.term_ends_on


def contracts_needing_decision(*, user: User, today: date) -> dict:
    """Live contracts whose notice date (or, once that has passed, whose end) falls within 90 days and
    that have no decision for their current term, in bands of 30, 60 and 90 days."""
    horizon = today + timedelta(days=max(ALERT_THRESHOLDS))
    undecided = (
        contract_list(user=user)
        .filter(status__in=LIVE_STATUSES, term_ends_on__gte=today)
        .exclude(decisions__term_ends_on=F("term_ends_on"))
    )
    due = undecided.filter(
        Q(notice_number__gt=0, notice_by_on__range=(today, horizon))
        | Q(term_ends_on__lte=horizon) & (Q(notice_number=0) | Q(notice_by_on__lt=today))
    )
    bands = {t: [] for t in sorted(ALERT_THRESHOLDS)}
    for contract in due.order_by("notice_by_on", "term_ends_on", "pk"):
        what, deadline = decision_deadline(contract, today)
        days = (deadline - today).days
        band = next(t for t in sorted(ALERT_THRESHOLDS) if days <= t)
        bands[band].append(
            {
                "contract": contract,
                "what": what,
                "deadline": deadline,
                "days": days,
                "late": bool(contract.notice_number) and what == "end",
                "automatic": contract.renewal == Renewal.AUTOMATIC,
            }
        )
    since = datetime.combine(today - timedelta(days=90), datetime.min.time(), tzinfo=LONDON)
    recent = contract_list(user=user).filter(decisions__created_at__gte=since).distinct().order_by("-updated_at")[:10]
    return {"bands": bands, "count": sum(len(rows) for rows in bands.values()), "recent": list(recent), "today": today}


# --- supplier performance ---------------------------------------------------------------------
def _first_supplier_response():
    """When the supplier first answered after escalation, as the timeline shows it: the first entry by one of
    its provider users, an email from the supplier that the mailbox added to the call, or the desk recording
    the supplier's own reference (their acknowledgement)."""
    # imported here: incidents imports suppliers (a call escalated to its supplier); suppliers reads calls late

    supplier_mail = InboundMessage.objects.filter(first_update_id=OuterRef("pk"), action=InboundAction.SUPPLIER)
    return Subquery(
        IncidentUpdate.objects.filter(incident=OuterRef("pk"), created_at__gte=OuterRef("escalated_at"))
        .filter(
            Q(author__memberships__role=Role.PROVIDER, author__memberships__supplier_id=OuterRef("supplier_id"))
            | Q(field="supplier_reference")
            | Exists(supplier_mail)
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )


def _calendars(contracts, school_ids) -> dict:
    """A support-hours calendar per (contract, school): the contract's hours and days, the school's
    nation's bank holidays and, for term-time-only support, the school's terms and closures."""
    nations = dict(School.objects.filter(pk__in=school_ids).values_list("pk", "nation"))
    terms, closed = defaultdict(list), defaultdict(set)
    for row in Term.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on"
    ):
        terms[row[0]].append(CalendarTerm(*row[1:]))
    for school_id, first, last in Closure.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "starts_on", "ends_on"
    ):
        closed[school_id].update(first + timedelta(days=n) for n in range((last - first).days + 1))
    calendars = {}
    for contract in contracts:
        for share in contract.shares.all():
            term_time = contract.support_term_time_only
            calendars[contract.pk, share.school_id] = ServiceCalendar(
                opens_at=contract.support_opens_at,
                closes_at=contract.support_closes_at,
                weekdays=contract.support_weekdays or frozenset(range(5)),
                nation=nations.get(share.school_id, "england"),
                closed_dates=frozenset(closed[share.school_id]) if term_time else frozenset(),
                term_time_only=term_time,
                terms=tuple(terms[share.school_id]) if term_time else (),
            )
    return calendars


def _empty() -> dict:
    return {
        "calls": 0,
        "good": 0,
        "ok": 0,
        "poor": 0,  # the reporters' ratings of the calls
        "open": 0,
        "responded": 0,
        "response_met": 0,
        "response_targeted": 0,
        "response_minutes": 0,
        "resolved": 0,
        "fix_met": 0,
        "fix_targeted": 0,
        "fix_minutes": 0,
    }


def _finish(row: dict) -> dict:
    def rate(part, whole):
        return round(100 * part / whole) if whole else None

    row["response_rate"] = rate(row["response_met"], row["response_targeted"])
    row["fix_rate"] = rate(row["fix_met"], row["fix_targeted"])
    row["response_avg"] = row["response_minutes"] / row["responded"] if row["responded"] else None
    row["fix_avg"] = row["fix_minutes"] / row["resolved"] if row["resolved"] else None
    return row


def supplier_performance(*, user: User, supplier_id: int, contracts, today: date, since: date | None = None) -> dict:
    """Response and fix times of the calls escalated to the supplier since `since` (by default in the last
    year), each counted against the contract in force for the call's school on the day it was escalated, in
    that contract's support hours and against its targets for the call's priority.

    Response: when the desk recorded that the supplier responded, else the supplier's first answer on the
    timeline, else the recorded fix. Fix: when the desk recorded that the supplier fixed it, else when the call
    was resolved. The calls and their first supplier response come from one SQL query; the support-hours
    arithmetic (bank holidays, terms) is Python."""
    # imported here: incidents imports suppliers (a call escalated to its supplier); suppliers reads calls late

    school_ids = access_for(user).school_ids(STAFF_ROLES | REPORT_ROLES)
    since = since or today - timedelta(days=PERFORMANCE_DAYS)
    calls = (
        Incident.objects.filter(
            school_id__in=school_ids,
            supplier_id=supplier_id,
            escalated_at__gte=datetime.combine(since, datetime.min.time(), tzinfo=LONDON),
        )
        .annotate(
            responded=Coalesce("supplier_responded_at", _first_supplier_response(), "supplier_fixed_at"),
            fixed=Coalesce("supplier_fixed_at", "resolved_at"),
        )
        .values_list("school_id", "priority", "escalated_at", "responded", "fixed", "satisfaction")
    )
    contracts = [c for c in contracts if c.status != ContractStatus.DRAFT]
    calendars = _calendars(contracts, school_ids)
    by_contract = {c.pk: _empty() for c in contracts}
    uncovered = _empty()
    for school_id, priority, escalated_at, responded_at, fixed_at, rating in calls:
        day = escalated_at.astimezone(LONDON).date()
        candidates = [c for c in contracts if (c.pk, school_id) in calendars and _in_force(c, day)]
        contract = max(candidates, key=lambda c: c.starts_on, default=None)
        row = by_contract[contract.pk] if contract else uncovered
        row["calls"] += 1
        if rating:  # how the reporter rated the call's handling (decision 0022)
            row[rating] += 1
        if contract is None:
            row["open"] += fixed_at is None
            continue
        calendar = calendars[contract.pk, school_id]
        for what, done_at, key in (("respond", responded_at, "response"), ("fix", fixed_at, "fix")):
            if done_at is None:
                if key == "fix":
                    row["open"] += 1
                continue
            minutes = calendar.minutes_between(escalated_at, max(done_at, escalated_at))
            row["responded" if key == "response" else "resolved"] += 1
            row[f"{key}_minutes"] += minutes
            target = contract.target_minutes(priority, what)
            if target:
                row[f"{key}_targeted"] += 1
                row[f"{key}_met"] += minutes <= target
    return {
        "contracts": [(c, _finish(by_contract[c.pk])) for c in contracts],
        "uncovered": _finish(uncovered),
        "since": since,
    }


def _in_force(contract: Contract, day: date) -> bool:
    """Whether the contract was in force on `day`: from its start to the end of its current (or last) term."""
    ends_on = contract.term_ends_on or contract.initial_ends_on
    return contract.starts_on <= day and (ends_on is None or day <= ends_on)


def contract_school_ids(contract: Contract) -> list[int]:
    return [share.school_id for share in contract.shares.all()] if contract.pk else []
