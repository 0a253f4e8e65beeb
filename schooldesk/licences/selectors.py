"""Reads of the licence list and its compliance, computed in SQL: a fixed number of queries whatever
the number of licences, allocations and installations.

In use against owned, per licence (the seats allocated and the devices installed on are counted by the
services into `allocated_count` and `installed_count`, so no row needs a count sub-select):
- site licence: covers everything (installations are shown, never counted against it);
- per pupil: the school's number on roll against the pupils the licence covers;
- per device, per user, concurrent, subscription: the larger of the seats allocated and the devices it
  is installed on (a school may record either or both; counting the larger never counts one twice).
Under-licensed: more in use than owned. Over-licensed: owned but unused (money that could be saved)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from schooldesk.core.access import access_for
from schooldesk.licences.choices import LICENCE_VIEW_ROLES, ComplianceState, LicenceType
from schooldesk.licences.models import Allocation, Installation, Licence

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User

#: worst first: what needs doing comes to the top of the compliance page
STATE_ORDER = {
    ComplianceState.UNDER: 0,
    ComplianceState.EXPIRED: 1,
    ComplianceState.OVER: 2,
    ComplianceState.OK: 3,
    ComplianceState.SITE: 4,
}


def licence_school_ids(*, user: User, roles: frozenset[str] = LICENCE_VIEW_ROLES) -> list[int]:
    """The schools where `user` holds one of `roles` (reading the list; the desk's: LICENCE_DESK_ROLES)."""
    return access_for(user).school_ids(roles)


def _state_rules(today: date) -> list[tuple[Q, str]]:
    """The compliance state of a licence, first rule met: a site licence still running, expired, under, over
    (in use against owned, the annotations of `with_compliance`); none met, OK."""
    return [
        (Q(licence_type=LicenceType.SITE, ends_on__isnull=True), ComplianceState.SITE),
        (Q(licence_type=LicenceType.SITE, ends_on__gte=today), ComplianceState.SITE),
        (Q(ends_on__lt=today), ComplianceState.EXPIRED),
        (Q(in_use__gt=F("owned")), ComplianceState.UNDER),
        (Q(in_use__lt=F("owned")), ComplianceState.OVER),
    ]


def with_compliance(queryset, today: date | None = None):
    """Annotate `installed`, `allocated`, `in_use`, `owned`, `difference` (owned − in use), `shortfall`
    (in use − owned), `state` and `state_order`."""
    today = today or timezone.localdate()
    queryset = queryset.annotate(installed=F("installed_count"), allocated=F("allocated_count"))
    queryset = queryset.annotate(
        in_use=Case(
            When(licence_type=LicenceType.PER_PUPIL, then=F("school__roll_number")),
            When(licence_type=LicenceType.SITE, then=F("installed")),
            default=Greatest(F("installed"), F("allocated")),
            output_field=IntegerField(),
        ),
        owned=Coalesce(F("quantity"), Value(0)),
        # seats allocated beyond those owned: only a person ticking "Allocate anyway" gets there (column arithmetic)
        over_allocated=Case(
            When(licence_type=LicenceType.SITE, then=Value(0)),
            default=Greatest(F("allocated") - Coalesce(F("quantity"), Value(0)), Value(0)),
            output_field=IntegerField(),
        ),
    )
    rules = _state_rules(today)
    queryset = queryset.annotate(
        difference=ExpressionWrapper(F("owned") - F("in_use"), output_field=IntegerField()),
        shortfall=ExpressionWrapper(F("in_use") - F("owned"), output_field=IntegerField()),
        state=Case(*[When(rule, then=Value(state)) for rule, state in rules], default=Value(ComplianceState.OK)),
        # on the same rules, not on `state`: a Case on `state` repeats its whole expression once for each state
        state_order=Case(
            *[When(rule, then=Value(STATE_ORDER[state])) for rule, state in rules],
            default=Value(STATE_ORDER[ComplianceState.OK]),
            output_field=IntegerField(),
        ),
    )
    return queryset


def licence_list(
    *, user: User, roles: frozenset[str] = LICENCE_VIEW_ROLES, today: date | None = None
) -> QuerySet[Licence]:
    """Without the key: lists, exports and the compliance page never show it, and it is stored encrypted, so
    leaving it out spares a decryption a row (the LA's compliance page reads 20,000 licences)."""
    base = Licence.objects.visible_to(user).filter(access_for(user).schools_q(roles)).defer("key")
    return with_compliance(base.select_related("school", "supplier"), today)


def licence_get(*, user: User, pk: int) -> Licence:
    """One licence with its key (shown on the page to those who may see it, and in the edit form)."""
    return licence_list(user=user).defer(None).select_related("school__organisation").get(pk=pk)


def allocation_list(*, user: User) -> QuerySet[Allocation]:
    """The allocations of the licences `user` reads (the API)."""
    return Allocation.objects.filter(licence__in=licence_list(user=user).values("pk"))


def installation_list(*, user: User) -> QuerySet[Installation]:
    """The installations of the licences `user` reads (the API)."""
    return Installation.objects.filter(licence__in=licence_list(user=user).values("pk"))


def licence_allocations(*, licence: Licence) -> QuerySet[Allocation]:
    return licence.allocations.select_related("asset__asset_type", "person", "location")


def licence_installations(*, licence: Licence, limit: int = 500) -> QuerySet[Installation]:
    return licence.installations.select_related("asset__asset_type", "asset__location")[:limit]


def _by_state(queryset, *fields: str) -> QuerySet:
    """One row per state (per `fields`, if any): the licences in it, their shortfall and their difference
    (owned − in use) summed, and what their unused seats cost (cost × difference ÷ owned; read for the
    over-licensed only).

    Grouped by state rather than totals each filtered on `state`: a total filtered on `state` repeats the
    state's whole expression in the SQL, nine times over, and Django copies and hashes it for each (issue 23)."""
    return (
        queryset.order_by()
        .values(*fields, "state")
        .annotate(
            licences=Count("pk"),
            shortfall_sum=Sum("shortfall"),
            difference_sum=Sum("difference"),
            unused_value_sum=Sum(
                Case(
                    When(
                        owned__gt=0,
                        cost__isnull=False,
                        then=ExpressionWrapper(F("cost") * F("difference") / F("owned"), output_field=DecimalField()),
                    ),
                    default=Value(Decimal("0")),
                    output_field=DecimalField(),
                )
            ),
        )
    )


def _totals(rows) -> dict:
    """The totals of one place's rows of `_by_state`: how many licences in all and in each state, the seats
    short (under-licensed), unused (over-licensed) and what these cost (not rounded)."""
    by_state = {row["state"]: row for row in rows}

    def of(state: str, key: str):
        return (by_state.get(state) or {}).get(key) or 0

    return {
        "licences": sum(row["licences"] for row in by_state.values()),
        "under": of(ComplianceState.UNDER, "licences"),
        "over": of(ComplianceState.OVER, "licences"),
        "ok": of(ComplianceState.OK, "licences"),
        "site": of(ComplianceState.SITE, "licences"),
        "expired": of(ComplianceState.EXPIRED, "licences"),
        "short": of(ComplianceState.UNDER, "shortfall_sum"),
        "unused": of(ComplianceState.OVER, "difference_sum"),
        "unused_value": of(ComplianceState.OVER, "unused_value_sum"),
    }


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def compliance_summary(queryset) -> dict:
    """The school's (or schools') position in one query: how many licences are in each state, the seats
    short and unused, and what the unused seats cost (cost × unused ÷ owned)."""
    totals = _totals(_by_state(queryset))
    totals["unused_value"] = _money(totals["unused_value"])
    return totals


def compliance_by_school(queryset) -> tuple[list[dict], dict]:
    """One row per school, most under-licensed first, and the sum of them all: an LA's or trust's view
    of its schools in a single query (one row per school and state, in the schools' name order, which a
    stable sort on the under-licensed and expired keeps among equals)."""
    places: dict[int, list[dict]] = {}
    for row in _by_state(queryset, "school_id", "school__name", "school__roll_number").order_by(
        "school__name", "school_id"
    ):
        places.setdefault(row["school_id"], []).append(row)
    rows = [
        {
            "school_id": school_id,
            "school__name": state_rows[0]["school__name"],
            "school__roll_number": state_rows[0]["school__roll_number"],
            **_totals(state_rows),
        }
        for school_id, state_rows in places.items()
    ]
    rows.sort(key=lambda row: (-row["under"], -row["expired"]))
    summary = {key: sum(row[key] for row in rows) for key in _totals([])}
    summary["unused_value"] = _money(summary["unused_value"])
    for row in rows:
        row["unused_value"] = _money(row["unused_value"])
    return rows, summary


def licences_due_for_renewal(queryset, *, within_days: int = 90, today: date | None = None):
    """For reminders (diary, mail): licences renewing, or ending, in the next `within_days`."""
    today = today or timezone.localdate()
    until = today + timedelta(days=within_days)
    return queryset.filter(Q(renews_on__gte=today, renews_on__lte=until) | Q(ends_on__gte=today, ends_on__lte=until))
