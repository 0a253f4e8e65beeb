"""One dashboard per role, each in a fixed number of queries whatever the number of calls, schools or rows:
- desk (SPOC): today's queue, calls about to breach, calls with suppliers, the next visits, contracts and
  payments needing action;
- technician: my calls by location, my next visits;
- owner: progress of changes and problem solutions, contracts and renewals, spend this financial year
  against budget, service levels this term;
- governors (head, governors): the service at a glance this term;
- schools (an LA or trust): the same across its schools, school by school."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.budgets.selectors import budget_vs_spend, years_for
from schooldesk.changes.choices import Outcome
from schooldesk.changes.models import ChangeRequest
from schooldesk.changes.selectors import progress
from schooldesk.core.access import access_for
from schooldesk.core.calendar import LONDON
from schooldesk.core.permissions import can
from schooldesk.core.roles import DESK_ROLES, REPORT_ROLES, STAFF_ROLES, Role
from schooldesk.diary.choices import DiaryKind
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.incidents.choices import ACTIVE_STATUSES, PAUSED_STATUSES, IncidentStatus
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import incident_list, satisfaction_counts, satisfaction_shares
from schooldesk.licences.models import Licence
from schooldesk.licences.selectors import compliance_by_school, compliance_summary, with_compliance
from schooldesk.problems.choices import ACTIVE_PROBLEM_STATUSES, ProblemStatus
from schooldesk.problems.models import Problem
from schooldesk.procedures.choices import VersionStatus
from schooldesk.procedures.models import ProcedureVersion
from schooldesk.reports.charts import MAX_SCHOOLS, chart
from schooldesk.reports.periods import Period, school_year
from schooldesk.reports.proactive import contract_figures
from schooldesk.reports.selectors import _rate, window
from schooldesk.schools.models import School, Term
from schooldesk.standards.selectors import checks_missed
from schooldesk.suppliers.selectors import contracts_needing_decision

if TYPE_CHECKING:
    from schooldesk.accounts.models import User

LIST_ROWS = 8
MY_CALLS = 60
DUE_SOON = timedelta(hours=2)
PAYMENT_DAYS = 14
RATINGS_SINCE = timedelta(days=90)

DASHBOARDS = {
    "desk": (DESK_ROLES, _("Service desk")),
    "technician": (STAFF_ROLES, _("My calls and visits")),
    "owner": (frozenset({Role.OWNER}), _("ICT owner")),
    "governors": (REPORT_ROLES, _("Head and governors")),
    "schools": (REPORT_ROLES, _("All schools")),
}


#: which dashboard a person starts on: an LA's or trust's people across their schools, others on their main role's
#: (the first of these the rules let them open: an owner's before a SPOC's, a technician's, a viewer's)
PREFERENCE = ("schools", "owner", "desk", "technician", "governors")


def available(user) -> list[str]:
    """The dashboards the rules let `user` open ("reports.dashboard_<key>"); "All schools" needs two schools."""
    keys = [key for key in DASHBOARDS if can(user, f"reports.dashboard_{key}")]
    if "schools" in keys and len(dashboard_school_ids(user=user, kind="schools")) < 2:
        keys.remove("schools")
    return keys


def default_for(user) -> str | None:
    """An LA's or trust's people start across their schools; others on their own role's dashboard."""
    keys = available(user)
    return next((key for key in PREFERENCE if key in keys), None)


def dashboard_school_ids(*, user: User, kind: str) -> list[int]:
    """The schools a dashboard reads: those where `user` holds one of its roles."""
    return access_for(user).school_ids(DASHBOARDS[kind][0])


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LONDON)


def _at_risk(now: datetime) -> Q:
    soon = now + DUE_SOON
    return Q(status__in=ACTIVE_STATUSES - PAUSED_STATUSES, sla_paused_at__isnull=True) & (
        Q(resolve_due_at__lt=soon) | Q(responded_at__isnull=True, response_due_at__lt=soon)
    )


# --- the SPOC --------------------------------------------------------------------------------------
def desk_dashboard(user, school_ids, now: datetime) -> dict:

    today = timezone.localdate(now)
    calls = incident_list(user=user).filter(school_id__in=school_ids)
    with_supplier = Q(status__in=(IncidentStatus.WITH_SECOND_LEVEL, IncidentStatus.WAITING_SUPPLIER))
    counts = calls.filter(status__in=ACTIVE_STATUSES).aggregate(
        new=Count("pk", filter=Q(status=IncidentStatus.NEW)),
        today=Count("pk", filter=Q(logged_at__gte=local_midnight(today))),
        at_risk=Count("pk", filter=_at_risk(now)),
        breached=Count("pk", filter=_at_risk(now - DUE_SOON)),
        suppliers=Count("pk", filter=with_supplier),
        waiting_reporter=Count("pk", filter=Q(status=IncidentStatus.WAITING_REPORTER)),
        next_visit=Count("pk", filter=Q(for_next_visit=True)),
        active=Count("pk"),
    )
    unpaid = Payment.objects.visible_to(user).filter(school_id__in=school_ids, paid_on__isnull=True)
    money = DecimalField(max_digits=14, decimal_places=2)
    payment_counts = unpaid.filter(due_on__lte=today + timedelta(days=PAYMENT_DAYS)).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        overdue_total=Coalesce(Sum(F("amount") + F("vat"), filter=Q(due_on__lt=today)), Value(0), output_field=money),
        due=Count("pk", filter=Q(due_on__gte=today)),
        due_total=Coalesce(Sum(F("amount") + F("vat"), filter=Q(due_on__gte=today)), Value(0), output_field=money),
    )
    return {
        "counts": counts,
        "new": list(calls.filter(status=IncidentStatus.NEW).order_by("logged_at")[:LIST_ROWS]),
        "at_risk": list(calls.filter(_at_risk(now)).order_by("resolve_due_at", "pk")[:LIST_ROWS]),
        "suppliers": list(
            calls.filter(with_supplier).order_by(F("escalated_at").asc(nulls_last=True), "pk")[:LIST_ROWS]
        ),
        "visits": list(
            DiaryEntry.objects.visible_to(user)
            .filter(
                school_id__in=school_ids,
                kind=DiaryKind.VISIT,
                starts_at__gte=local_midnight(today),
                completed_at__isnull=True,
            )
            .select_related("school", "person", "location")
            .order_by("starts_at", "pk")[:5]
        ),
        "contracts": contracts_needing_decision(user=user, today=today),
        "payments": list(
            unpaid.filter(due_on__lte=today + timedelta(days=PAYMENT_DAYS))
            .select_related("school", "supplier")
            .with_status(today)
            .order_by("due_on", "pk")[:LIST_ROWS]
        ),
        "payment_counts": payment_counts,
        "payment_days": PAYMENT_DAYS,
    }


# --- the technician --------------------------------------------------------------------------------
def technician_dashboard(user, school_ids, now: datetime) -> dict:

    today = timezone.localdate(now)
    mine = incident_list(user=user).filter(school_id__in=school_ids, assigned_to=user, status__in=ACTIVE_STATUSES)
    rows = list(mine.order_by("school__name", "location__name", "resolve_due_at", "pk")[:MY_CALLS])
    places = list(
        mine.order_by()
        .values("school_id", "school__name", "location_id", "location__name")
        .annotate(n=Count("pk"), late=Count("pk", filter=_at_risk(now - DUE_SOON)))
        .order_by("school__name", "location__name")
    )
    by_place = defaultdict(list)
    for call in rows:
        by_place[call.school_id, call.location_id].append(call)
    locations = [{**place, "calls": by_place.get((place["school_id"], place["location_id"]), [])} for place in places]
    gathered = (
        Incident.objects.filter(school_id=OuterRef("school_id"), for_next_visit=True, status__in=ACTIVE_STATUSES)
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    visits = list(
        DiaryEntry.objects.visible_to(user)
        .filter(
            school_id__in=school_ids,
            person=user,
            kind=DiaryKind.VISIT,
            starts_at__gte=local_midnight(today),
            completed_at__isnull=True,
        )
        .select_related("school", "location")
        .annotate(gathered=Coalesce(Subquery(gathered, output_field=IntegerField()), Value(0)))
        .order_by("starts_at", "pk")[:5]
    )
    # the technician's own scorecard: how the reporters of their calls rated them lately (decision 0022)

    ratings = satisfaction_shares(
        Incident.objects.filter(
            school_id__in=school_ids, assigned_to=user, satisfaction_asked_at__gte=now - RATINGS_SINCE
        ).aggregate(**satisfaction_counts())
    )
    return {
        "locations": locations,
        "total": sum(p["n"] for p in places),
        "shown": len(rows),
        "visits": visits,
        "ratings": ratings,
        "ratings_days": RATINGS_SINCE.days,
    }


# --- "this term" for each school ---------------------------------------------------------------------
def current_terms(school_ids, today: date) -> dict[int, Period]:
    """Each school's term under way (or the last one to have started); the school year when none is recorded."""

    found: dict[int, Period] = {}
    for school_id, name, starts_on, ends_on in (
        Term.objects.filter(school_id__in=school_ids, starts_on__lte=today, starts_on__gte=today - timedelta(days=400))
        .order_by("school_id", "starts_on")
        .values_list("school_id", "name", "starts_on", "ends_on")
    ):
        found[school_id] = Period("term", starts_on, ends_on, name)
    year = school_year(today.year if today.month >= 9 else today.year - 1)
    return {pk: found.get(pk, year) for pk in school_ids}


def in_terms(terms: dict[int, Period], field: str = "logged_at") -> Q:
    """Each school's own term: one condition per distinct term, not per school."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for school_id, period in terms.items():
        groups[period.start, period.end, period.label].append(school_id)
    condition = Q(pk__in=[])
    for (start, end, label), ids in groups.items():
        condition |= Q(school_id__in=sorted(ids)) & window(Period("term", start, end, label), field)
    return condition


def term_label(terms: dict[int, Period]) -> str:
    labels = sorted({p.label for p in terms.values()})
    return labels[0] if len(labels) == 1 else ", ".join(labels[:3]) + ("…" if len(labels) > 3 else "")


def service_levels(school_ids, terms: dict[int, Period], now: datetime, *, by: str | None = None):
    """Calls this term, targets met and satisfaction (one query over each school's term), and what is open
    now (one query on the status index); grouped by `by` (e.g. "school_id") when given."""

    calls = Incident.objects.filter(school_id__in=school_ids)
    term = {
        "calls": Count("pk"),
        "major": Count("pk", filter=Q(priority="P1")),
        "restricted": Count("pk", filter=Q(is_restricted=True)),
        "responded": Count("pk", filter=Q(responded_at__isnull=False)),
        "response_met": Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "resolve_met": Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "rated_good": Count("pk", filter=Q(satisfaction="good")),
    }
    now_open = {"open": Count("pk"), "open_late": Count("pk", filter=Q(resolve_due_at__lt=now))}
    in_term, active = calls.filter(in_terms(terms)), calls.filter(status__in=ACTIVE_STATUSES)
    empty = dict.fromkeys(term, 0) | dict.fromkeys(now_open, 0)
    if by is None:
        rows = {None: {**empty, **in_term.aggregate(**term), **active.aggregate(**now_open)}}
    else:
        rows = {}
        for queryset, figures in ((in_term, term), (active, now_open)):
            for row in queryset.order_by().values(by).annotate(**figures):
                rows.setdefault(row[by], {**empty, by: row[by]}).update(row)
    for row in rows.values():
        row["response_rate"] = _rate(row["response_met"], row["responded"])
        row["resolve_rate"] = _rate(row["resolve_met"], row["resolved"])
        row["satisfaction"] = _rate(row["rated_good"], row["rated"])  # % of the ratings that were good
    return rows[None] if by is None else rows


# --- the ICT owner ---------------------------------------------------------------------------------
def owner_dashboard(user, school_ids, now: datetime) -> dict:

    today = timezone.localdate(now)
    schools = list(School.objects.filter(pk__in=school_ids).order_by("name"))
    school = schools[0] if len(schools) == 1 else None
    terms = current_terms(school_ids, today)
    owner_ids = access_for(user).school_ids(frozenset({Role.OWNER}))
    return {
        "progress": progress(user=user, school=school, today=today),
        "contracts": contracts_needing_decision(user=user, today=today),
        "budget": budget_vs_spend(user=user, years=years_for(schools, today)),
        "levels": service_levels(school_ids, terms, now),
        "term": term_label(terms),
        "checks_missed": checks_missed(user=user, school_ids=school_ids, today=today),
        "proposals": ProcedureVersion.objects.filter(
            status=VersionStatus.PROPOSED, procedure__school_id__in=[s for s in school_ids if s in owner_ids]
        ).count(),
    }


# --- the head and governors ------------------------------------------------------------------------
def governors_dashboard(user, school_ids, now: datetime) -> dict:

    today = timezone.localdate(now)
    schools = list(School.objects.filter(pk__in=school_ids).order_by("name"))
    terms = current_terms(school_ids, today)
    problems = Problem.objects.filter(school_id__in=school_ids).aggregate(
        open=Count("pk", filter=Q(status__in=ACTIVE_PROBLEM_STATUSES)),
        known_errors=Count("pk", filter=Q(status=ProblemStatus.KNOWN_ERROR)),
        solved=Count("pk", filter=in_terms(terms, "resolved_at")),
    )
    changes = ChangeRequest.objects.filter(school_id__in=school_ids).aggregate(
        implemented=Count("pk", filter=in_terms(terms, "completed_at") & Q(outcome=Outcome.SUCCESSFUL)),
        failed=Count("pk", filter=in_terms(terms, "completed_at") & ~Q(outcome=Outcome.SUCCESSFUL)),
    )
    contracts = contract_figures(school_ids, today)
    return {
        "schools": schools,
        "term": term_label(terms),
        "terms": terms,
        "levels": service_levels(school_ids, terms, now),
        "problems": problems,
        "changes": changes,
        "licences": compliance_summary(with_compliance(Licence.objects.filter(school_id__in=school_ids), today)),
        "contracts": {"count": contracts["count"], "undecided": contracts["undecided"]},
        "budget": budget_vs_spend(user=user, years=years_for(schools, today)),
    }


# --- an LA or trust ---------------------------------------------------------------------------------
def schools_dashboard(user, school_ids, now: datetime) -> dict:
    """The governors' figures for every school side by side, with the totals across them."""

    today = timezone.localdate(now)
    schools = list(School.objects.filter(pk__in=school_ids).order_by("name"))
    terms = current_terms(school_ids, today)
    levels = service_levels(school_ids, terms, now, by="school_id")
    problems = dict(
        Problem.objects.filter(school_id__in=school_ids, status__in=ACTIVE_PROBLEM_STATUSES)
        .order_by()
        .values_list("school_id")
        .annotate(n=Count("pk"))
    )
    by_school, _all = compliance_by_school(with_compliance(Licence.objects.filter(school_id__in=school_ids), today))
    licences = {row["school_id"]: row for row in by_school}
    budget = budget_vs_spend(user=user, years=years_for(schools, today))
    rows = []
    for school in schools:
        level = levels.get(school.pk, {})
        calls = level.get("calls", 0)
        rows.append(
            {
                "school": school,
                "term": terms[school.pk],
                "level": level,
                "calls": calls,
                "per_100": round(100 * calls / school.roll_number, 1) if school.roll_number else None,
                "problems": problems.get(school.pk, 0),
                "licences_short": licences.get(school.pk, {}).get("under", 0),
                "budget": budget["schools"].get(school.pk),
            }
        )
    names = ("calls", "responded", "response_met", "resolved", "resolve_met", "open", "open_late", "major")
    totals = {name: sum(level.get(name, 0) for level in levels.values()) for name in names}
    totals["response_rate"] = _rate(totals["response_met"], totals["responded"])
    totals["resolve_rate"] = _rate(totals["resolve_met"], totals["resolved"])
    return {
        "rows": rows,
        "totals": totals,
        "term": term_label(terms),
        "budget": budget,
        "chart": _chart(rows),
        "problems": sum(problems.values()),
        "licences_short": sum(r["licences_short"] for r in rows),
    }


def _chart(rows: list[dict]) -> dict | None:
    """Calls fixed within target, school by school (the furthest from it first, at most MAX_SCHOOLS)."""

    rated = sorted(
        (r for r in rows if r["level"].get("resolve_rate") is not None),
        key=lambda r: (r["level"]["resolve_rate"], r["school"].name),
    )[:MAX_SCHOOLS]
    if not rated:
        return None
    title = (
        _("Calls fixed within target this term")
        if len(rows) <= MAX_SCHOOLS
        else _("Calls fixed within target this term: the %(n)s schools furthest from it") % {"n": MAX_SCHOOLS}
    )
    return chart(
        "schools",
        str(title),
        [r["school"].name for r in rated],
        [(str(_("Fixed within target")), [r["level"]["resolve_rate"] for r in rated])],
        unit="%",
        horizontal=True,
        maximum=100,
    )
