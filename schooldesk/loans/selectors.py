"""Reads of loans, pupils and agreements: each scoped with `visible_to` and the roles that keep the scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from schooldesk.accounts.models import Pupil
from schooldesk.assets.models import Asset
from schooldesk.core.access import access_for
from schooldesk.loans.choices import LOAN_ROLES
from schooldesk.loans.models import Agreement, AgreementTemplate, Loan
from schooldesk.schools.models import School

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from schooldesk.accounts.models import User


def loan_school_ids(*, user: User) -> list[int]:
    """The schools whose device scheme `user` keeps (rule "loans.lend")."""
    return sorted(access_for(user).school_ids(LOAN_ROLES)) if getattr(user, "is_authenticated", False) else []


def open_loan(*, asset: Asset) -> Loan | None:
    """The asset's open loan, with its borrower (the asset's page, through loans/templatetags/asset_loans.py)."""
    if asset.pk is None:
        return None
    return Loan.objects.open().filter(asset_id=asset.pk).select_related("pupil", "person").first()


def _scope(user):
    access = access_for(user)
    return access.school_q(access.school_ids(LOAN_ROLES)) if getattr(user, "is_authenticated", False) else Q(pk=None)


def loan_schools(*, user: User) -> QuerySet[School]:
    """The schools whose device scheme `user` keeps, by name."""
    return School.objects.filter(pk__in=loan_school_ids(user=user)).order_by("name")


def loans_for(*, user: User) -> QuerySet[Loan]:
    return (
        Loan.objects.visible_to(user)
        .filter(_scope(user))
        .select_related("asset", "asset__asset_type", "pupil", "person", "school")
    )


def loan_get(*, user: User, pk: int) -> Loan:
    return loans_for(user=user).get(pk=pk)


def agreement_of(*, loan: Loan) -> Agreement | None:
    return Agreement.objects.filter(loan_id=loan.pk).first()


def pupils_for(*, user: User) -> QuerySet[Pupil]:
    return Pupil.objects.visible_to(user).filter(_scope(user))


def pupil_list(
    *, user: User, school_id: int | None = None, q: str = "", year_group: str = "", form: str = "", active_only=True
):
    pupils = pupils_for(user=user).select_related("school")
    if school_id:
        pupils = pupils.filter(school_id=school_id)
    if active_only:
        pupils = pupils.filter(is_active=True)
    if year_group:
        pupils = pupils.filter(year_group=year_group)
    if form:
        pupils = pupils.filter(form=form)
    for word in q.split()[:5]:
        pupils = pupils.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(mis_id__iexact=word) | Q(form__iexact=word)
        )
    return pupils


def classes_of(*, user: User, school_id: int | None = None) -> dict:
    """The year groups and classes of the user's pupils, for the filters and the scanning page."""
    pupils = pupils_for(user=user).filter(is_active=True)
    if school_id:
        pupils = pupils.filter(school_id=school_id)
    years = list(pupils.exclude(year_group="").order_by("year_group").values_list("year_group", flat=True).distinct())
    forms = list(pupils.exclude(form="").order_by("form").values_list("form", flat=True).distinct())
    return {"years": years, "forms": forms}


def current_template(*, school_id: int) -> AgreementTemplate | None:
    return AgreementTemplate.objects.filter(school_id=school_id, is_current=True).first()


def templates_for(*, user: User) -> QuerySet[AgreementTemplate]:
    return AgreementTemplate.objects.visible_to(user).filter(_scope(user)).select_related("school")


# --- reports ------------------------------------------------------------------------------------------------
def who_has_what(*, user: User, year_group: str = "", form: str = ""):
    loans = loans_for(user=user).open().filter(pupil__isnull=False)
    if year_group:
        loans = loans.filter(pupil__year_group=year_group)
    if form:
        loans = loans.filter(pupil__form=form)
    return loans.order_by("pupil__year_group", "pupil__form", "pupil__last_name", "pupil__first_name", "pk")


def overdue_loans(*, user: User) -> QuerySet[Loan]:
    return loans_for(user=user).open().filter(due_on__lt=timezone.localdate()).order_by("due_on", "pk")


def out_of_support_on_loan(*, user: User) -> QuerySet[Loan]:
    return (
        loans_for(user=user)
        .open()
        .filter(asset__support_ends_on__lt=timezone.localdate())
        .order_by("asset__support_ends_on", "pk")
    )
