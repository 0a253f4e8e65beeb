"""Reads of the loaner pool and charges: scoped to the person's schools, with what each page shows fetched at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, Sum

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset
from schooldesk.core.access import access_for
from schooldesk.core.permissions import can
from schooldesk.loans.choices_pool import CHARGE_ROLES, POOL_ROLES, ChargeStatus
from schooldesk.loans.models import Loan
from schooldesk.loans.models_pool import Charge, Loaner, LoanSwap
from schooldesk.loans.pool import repair_calls, spares
from schooldesk.schools.models import School

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User
    from schooldesk.incidents.models import Incident


def loans_for(*, user: User, roles: frozenset[str] = POOL_ROLES) -> QuerySet[Loan]:
    """The loans of the schools where the person holds one of `roles`."""
    access = access_for(user)
    school_ids = access.school_ids(roles)
    if not school_ids:
        return Loan.objects.none()
    return Loan.objects.filter(access.school_q(school_ids))


def pool_sections(school) -> dict:
    """The pool page: spares, loaners lent (and to whom), and devices in repair (the borrowers' own, and loaners)."""
    open_loans = Loan.objects.open().filter(asset=OuterRef("asset"))
    loaners = (
        Loaner.objects.filter(school=school)
        .select_related("asset__asset_type")
        .annotate(is_lent=Exists(open_loans))
        .order_by("asset__tag")
    )
    lent_swaps = {
        s.loaner_id: s
        for s in LoanSwap.objects.filter(school=school, swapped_back_at__isnull=True).select_related(
            "loan__pupil", "loan__person", "original", "incident"
        )
    }
    spare, lent, repair, other = [], [], [], []
    for loaner in loaners:
        if loaner.is_lent:
            lent.append((loaner, lent_swaps.get(loaner.asset_id)))
        elif loaner.asset.status == AssetStatus.SPARE:
            spare.append(loaner)
        elif loaner.asset.status == AssetStatus.IN_REPAIR:
            repair.append(loaner)
        else:
            other.append(loaner)
    return {
        "spares": spare,
        "lent": lent,
        "loaners_in_repair": repair,
        "others": other,
        "originals_in_repair": list(lent_swaps.values()),
    }


def pool_school_ids(*, user: User, roles: frozenset[str] = POOL_ROLES) -> list[int]:
    """The schools whose loaner pool (or, with CHARGE_ROLES, whose charges) `user` keeps."""
    return access_for(user).school_ids(roles)


def pool_schools(*, user: User) -> QuerySet[School]:
    """The schools whose loaner pool `user` keeps, by name."""
    return School.objects.filter(pk__in=pool_school_ids(user=user)).order_by("name")


def swap_offer(*, user: User, loan: Loan | None) -> dict:
    """What the desk may do about a loan's device and repairs: swap a loaner in (its device has an active call and no
    loaner is out), or swap back (a loaner is out; its repair call is resolved, or there is none)."""
    if loan is None or not can(user, "loans.pool", loan) or loan.returned_on is not None:
        return {}
    swap = (
        LoanSwap.objects.filter(loan=loan, swapped_back_at__isnull=True)
        .select_related("original", "loaner", "incident")
        .first()
    )
    if swap is not None:
        resolved = swap.incident is None or not swap.incident.is_active
        return {"loan": loan, "swap": swap, "ready_to_swap_back": resolved}
    calls = repair_calls(loan.asset_id)
    if not calls.exists():
        return {"loan": loan}
    return {"loan": loan, "calls": calls, "spares": spares(loan.school_id)}


def swap_offer_for_call(*, user: User, incident: Incident) -> dict:
    if not incident.asset_id or not can(user, "loans.pool", incident):
        return {}
    swap = (
        LoanSwap.objects.filter(incident=incident, swapped_back_at__isnull=True)
        .select_related("loan__pupil", "loan__person")
        .first()
    )
    loan = (
        swap.loan
        if swap
        else Loan.objects.open().filter(asset_id=incident.asset_id).select_related("pupil", "person", "asset").first()
    )
    return swap_offer(user=user, loan=loan) if loan else {}


def charge_list(*, user: User) -> QuerySet[Charge]:
    return Charge.objects.visible_to(user).select_related(
        "school", "loan__pupil", "loan__person", "loan__asset__asset_type"
    )


def charge_totals(charges) -> dict:
    """The filtered list's totals, counted in SQL: each status's number and sum, and the outstanding amount."""
    sums = {}
    for status in ChargeStatus:
        sums[f"{status.value}_count"] = Count("pk", filter=Q(status=status))
        sums[f"{status.value}_sum"] = Sum("amount", filter=Q(status=status))
    return charges.order_by().aggregate(count=Count("pk"), total=Sum("amount"), **sums)


def charge_api_list(*, user: User) -> QuerySet[Charge]:
    """The API's charges: those of the schools whose charges `user` keeps."""
    access = access_for(user)
    rows = charge_list(user=user)
    return rows.filter(access.schools_q(CHARGE_ROLES)) if access.school_ids(CHARGE_ROLES) else rows.none()


def chargeable_loans(*, user: User) -> QuerySet[Loan]:
    return loans_for(user=user, roles=CHARGE_ROLES)


def assets_of(school):
    return Asset.objects.filter(school=school)
