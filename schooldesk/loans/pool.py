"""The loaner pool: a school's spare devices lent while a borrower's own is repaired (docs/decisions/0029).

Every write is here: adding and removing loaners, the school's pool settings, swapping a loaner in for a device
sent for repair and swapping it back. Each swap is written on the loan (`LoanSwap`), on both devices' histories
(`AssetEvent`) and, when there is one, on the repair call's timeline as an internal note."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.assets.choices import AssetStatus, EventKind
from schooldesk.assets.models import Asset, AssetEvent
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim, version_lock
from schooldesk.core.permissions import require
from schooldesk.incidents.choices import ACTIVE_STATUSES
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_record
from schooldesk.loans.models import Loan
from schooldesk.loans.models_pool import Loaner, LoanerPool, LoanSwap
from schooldesk.webhooks.choices import WebhookEvent
from schooldesk.webhooks.events import emit

logger = logging.getLogger(__name__)


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _asset_event(
    asset: Asset, kind: str, by, *, field: str = "", old: str = "", new: str = "", note: str = ""
) -> AssetEvent:
    emit(
        WebhookEvent.ASSET_CHANGED,
        school=asset.school_id,
        obj=asset,
        data={"name": str(asset), "change": kind, "field": field, "was": old, "now": new},
    )
    return AssetEvent.objects.create(
        asset=asset, kind=kind, by=_actor(by), field=field, old_value=old[:200], new_value=new[:200], note=note[:300]
    )


def _save_asset(asset: Asset) -> None:
    asset.version += 1
    asset.save()


def _has_open_loan(asset: Asset, *, other_than: Loan | None = None) -> bool:
    loans = Loan.objects.open().filter(asset=asset)
    if other_than is not None:
        loans = loans.exclude(pk=other_than.pk)
    return loans.exists()


def _call_note(incident, by, body: str) -> None:
    if incident is None:
        return
    incident_record(incident=incident, by=_actor(by), body=body, is_public=False)


# --- the pool -------------------------------------------------------------------------------------------------------
def pool_for(school) -> LoanerPool:
    """The school's pool settings (made with the defaults the first time they are needed)."""
    pool, _created = LoanerPool.objects.get_or_create(school=school)
    return pool


@transaction.atomic
def pool_settings_save(*, pool: LoanerPool, by, version: int | None = None) -> LoanerPool:
    """The school's choices: swap back automatically on resolve; the address and how to pay on letters."""
    require(by, "loans.pool_settings", pool)
    version_claim(pool, version)
    pool.save()
    audit_record(
        actor=by,
        school=pool.school,
        action="loaner_pool.update",
        obj=pool,
        summary="Changed the loaner pool's settings",
        changes={"is_swap_back_automatic": pool.is_swap_back_automatic},
    )
    return pool


@transaction.atomic
def loaner_add(*, asset: Asset, by) -> Loaner:
    """Put a device of the register into the pool: it becomes a spare, ready to lend."""
    require(by, "loans.pool", asset)
    asset = version_lock(asset, None)
    if asset.is_gone:
        raise ValidationError(
            {
                "asset": _("%(tag)s is %(status)s: it cannot be lent.")
                % {"tag": asset.tag, "status": asset.get_status_display().lower()}
            }
        )
    if Loaner.objects.filter(asset=asset).exists():
        raise ValidationError({"asset": _("%(tag)s is already in the pool.") % {"tag": asset.tag}})
    if asset.issued_to_id or _has_open_loan(asset):
        raise ValidationError(
            {
                "asset": _("%(tag)s is with someone: record its return first, then add it to the pool.")
                % {"tag": asset.tag}
            }
        )
    loaner = Loaner.objects.create(school_id=asset.school_id, asset=asset, added_by=_actor(by))
    old = asset.get_status_display()
    if asset.status != AssetStatus.SPARE:
        asset.status = AssetStatus.SPARE
        _save_asset(asset)
    _asset_event(
        asset,
        EventKind.STATUS,
        by,
        field="status",
        old=old,
        new=asset.get_status_display(),
        note=_("Added to the loaner pool."),
    )
    return loaner


@transaction.atomic
def loaner_remove(*, loaner: Loaner, by) -> None:
    """Take a device out of the pool (it stays in the register, a spare). Not while it is lent."""
    require(by, "loans.pool", loaner)
    asset = version_lock(loaner.asset, None)
    if _has_open_loan(asset):
        raise ValidationError(_("%(tag)s is lent as a loaner: swap it back first.") % {"tag": asset.tag})
    loaner.delete()
    _asset_event(asset, EventKind.STATUS, by, note=_("Taken out of the loaner pool."))


# --- swapping -------------------------------------------------------------------------------------------------------
def _lend(asset: Asset, loan: Loan, *, status: str, due_on) -> None:
    """The device is now the one the borrower holds: its status, and for a member of staff the register's
    summary of the loan (`issued_to`, `loan_due_on`, written by the loan services only: decision 0027)."""
    asset.status = status
    if loan.person_id:
        asset.issued_to_id, asset.loan_due_on = loan.person_id, due_on
    _save_asset(asset)


def _unlend(asset: Asset, loan: Loan, *, status: str) -> None:
    asset.status = status
    if loan.person_id:
        asset.issued_to, asset.loan_due_on = None, None
    _save_asset(asset)


@transaction.atomic
def loaner_swap_in(*, loan: Loan, loaner: Asset, by, incident=None, version: int | None = None) -> LoanSwap:
    """The borrower's device goes for repair (`incident`, the call about it): the loan now holds `loaner`, a spare
    of the pool; the borrower's own device is "in repair" until it is swapped back."""
    require(by, "loans.pool", loan)
    loan = version_lock(loan, version)
    if loan.returned_on is not None:
        raise ValidationError(_("This loan has ended: nothing to swap."))
    if LoanSwap.objects.filter(loan=loan, swapped_back_at__isnull=True).exists():
        raise ValidationError(_("The borrower already has a loaner: swap it back before lending another."))
    if incident is not None and (incident.school_id != loan.school_id or incident.asset_id != loan.asset_id):
        raise ValidationError(_("That call is not about the borrower's device."))
    if loaner.school_id != loan.school_id or not Loaner.objects.filter(asset=loaner).exists():
        raise ValidationError({"loaner": _("Choose a spare from this school's loaner pool.")})
    original = version_lock(loan.asset, None)
    loaner = version_lock(loaner, None)
    if loaner.status != AssetStatus.SPARE or _has_open_loan(loaner):
        raise ValidationError({"loaner": _("%(tag)s is not a spare now: choose another.") % {"tag": loaner.tag}})
    now = timezone.now()
    swap = LoanSwap.objects.create(
        school_id=loan.school_id,
        loan=loan,
        original=original,
        loaner=loaner,
        incident=incident,
        original_status=original.status,
        swapped_at=now,
        swapped_by=_actor(by),
    )
    due_on = original.loan_due_on
    loan.asset = loaner
    loan.version += 1
    loan.save()
    borrower, call = str(loan.borrower), incident.reference if incident else ""
    old_status = original.get_status_display()
    _unlend(original, loan, status=AssetStatus.IN_REPAIR)
    _lend(loaner, loan, status=AssetStatus.ON_LOAN, due_on=due_on)
    for_call = f" ({call})" if call else ""
    _asset_event(
        original,
        EventKind.STATUS,
        by,
        field="status",
        old=old_status,
        new=original.get_status_display(),
        note=_("Sent for repair%(call)s; %(borrower)s has the loaner %(loaner)s meanwhile.")
        % {"call": for_call, "borrower": borrower, "loaner": loaner.reference},
    )
    _asset_event(
        loaner,
        EventKind.LOANED,
        by,
        field="lent to",
        new=borrower,
        note=_("Lent from the loaner pool in place of %(original)s while it is repaired%(call)s.")
        % {"original": original.reference, "call": for_call},
    )
    _call_note(
        incident,
        by,
        _("Loaner %(loaner)s lent to %(borrower)s in place of %(original)s while it is repaired.")
        % {"loaner": loaner.reference, "borrower": borrower, "original": original.reference},
    )
    audit_record(
        actor=by,
        school=loan.school,
        action="loan.swap_in",
        obj=loan,
        label=str(loan),
        summary=f"Loaner {loaner.reference} in place of {original.reference}{for_call}",
    )
    return swap


@transaction.atomic
def loaner_swap_back(*, swap: LoanSwap, by, automatic: bool = False) -> LoanSwap:
    """The repaired device goes back to its borrower; the loaner goes back to the pool, a spare."""
    require(by, "loans.pool", swap)
    swap = LoanSwap.objects.select_for_update().get(pk=swap.pk)
    if not swap.is_open:
        raise ValidationError(_("This device has already been swapped back."))
    loan = version_lock(swap.loan, None)
    if loan.returned_on is not None or loan.asset_id != swap.loaner_id:
        raise ValidationError(_("The loan no longer holds the loaner: record its return on the loan instead."))
    original = version_lock(swap.original, None)
    loaner = version_lock(swap.loaner, None)
    if original.is_gone or _has_open_loan(original):
        raise ValidationError(
            _("%(tag)s is %(status)s or lent to someone else: it cannot go back to the borrower.")
            % {"tag": original.tag, "status": original.get_status_display().lower()}
        )
    due_on = loaner.loan_due_on
    loan.asset = original
    loan.version += 1
    loan.save()
    borrower = str(loan.borrower)
    old_original, old_loaner = original.get_status_display(), loaner.get_status_display()
    _lend(original, loan, status=swap.original_status or AssetStatus.ON_LOAN, due_on=due_on)
    _unlend(loaner, loan, status=AssetStatus.SPARE)
    swap.swapped_back_at, swap.swapped_back_by = timezone.now(), _actor(by)
    swap.save(update_fields=["swapped_back_at", "swapped_back_by", "updated_at"])
    how = _(" automatically, as the repair call was resolved") if automatic else ""
    _asset_event(
        original,
        EventKind.STATUS,
        by,
        field="status",
        old=old_original,
        new=original.get_status_display(),
        note=_("Back from repair and returned to %(borrower)s%(how)s; loaner %(loaner)s back in the pool.")
        % {"borrower": borrower, "how": how, "loaner": loaner.reference},
    )
    _asset_event(
        loaner,
        EventKind.RETURNED,
        by,
        field="lent to",
        old=borrower,
        new="",
        note=_("Back in the loaner pool (%(was)s → %(now)s): %(original)s is repaired.")
        % {"was": old_loaner, "now": loaner.get_status_display(), "original": original.reference},
    )
    _call_note(
        swap.incident,
        by,
        _("%(original)s returned to %(borrower)s%(how)s; loaner %(loaner)s back in the pool.")
        % {"original": original.reference, "borrower": borrower, "how": how, "loaner": loaner.reference},
    )
    audit_record(
        actor=by,
        school=loan.school,
        action="loan.swap_back",
        obj=loan,
        label=str(loan),
        summary=f"{original.reference} back in place of loaner {loaner.reference}",
    )
    return swap


def repair_resolved(*, incident) -> LoanSwap | None:
    """A repair call was resolved: where the school chose "swap back automatically", the borrower's device goes
    back to them now; otherwise the desk is offered the swap back on the call and the loan pages."""
    swap = LoanSwap.objects.filter(incident=incident, swapped_back_at__isnull=True).select_related("school").first()
    if swap is None or not pool_for(swap.school).is_swap_back_automatic:
        return None
    return loaner_swap_back(swap=swap, by=None, automatic=True)


def on_incident_resolved(sender, *, incident, by=None, **kwargs) -> None:
    """The receiver of incidents.signals.incident_resolved (after the resolve committed): a swap back that cannot
    be done is left for the desk, offered on the pages, and logged; the call stays resolved."""
    try:
        repair_resolved(incident=incident)
    except (ValidationError, PermissionDenied):
        logger.warning("The loaner for %s could not be swapped back automatically", incident.reference, exc_info=True)


# --- what to offer --------------------------------------------------------------------------------------------------
def spares(school_id: int):
    """The pool's devices ready to lend now."""
    lent = Loan.objects.open().filter(asset=OuterRef("pk"))
    return (
        Asset.objects.filter(school_id=school_id, loaner__isnull=False, status=AssetStatus.SPARE)
        .exclude(Exists(lent))
        .select_related("asset_type")
        .order_by("tag")
    )


def repair_calls(asset_id: int):
    return Incident.objects.filter(asset_id=asset_id, status__in=ACTIVE_STATUSES).order_by("-logged_at")
