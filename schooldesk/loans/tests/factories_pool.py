"""Loans made directly (the loan services are another branch's), pupils, and a loaner pool to swap from."""

import datetime

from django.utils import timezone

from schooldesk.accounts.models import Pupil
from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.loans.models import Loan
from schooldesk.loans.pool import loaner_add


def pupil(school, **kwargs) -> Pupil:
    values = {
        "first_name": "Amara",
        "last_name": "Okafor",
        "year_group": "Year 8",
        "form": "8R",
        "mis_id": "UPN-4471",
        "parent_name": "Mrs Okafor",
    }
    return Pupil.objects.create(school=school, **{**values, **kwargs})


def loan(*, school, by, borrower=None, tag="PUP-0001", **kwargs) -> Loan:
    """A device lent to a pupil (or, `borrower` a User, a member of staff), as the loan services will leave it."""
    borrower = borrower if borrower is not None else pupil(school)
    asset = AssetFactory(school=school, tag=tag, type_name="Chromebook")
    asset.status = AssetStatus.ON_LOAN  # a pupil is not a User: the register says "on loan" with nobody issued to
    asset.issued_to = None if isinstance(borrower, Pupil) else borrower
    asset.save(update_fields=["status", "issued_to"])
    who = {"pupil": borrower} if isinstance(borrower, Pupil) else {"person": borrower}
    return Loan.objects.create(
        school=school,
        asset=asset,
        issued_by=by,
        issued_on=kwargs.pop("issued_on", timezone.localdate() - datetime.timedelta(days=30)),
        **who,
        **kwargs,
    )


def loaners(*, school, by, count=1, prefix="LNR"):
    """Spare devices put into the school's pool."""
    return [
        loaner_add(
            asset=AssetFactory(
                school=school, tag=f"{prefix}-{n:03d}", type_name="Chromebook", status=AssetStatus.SPARE
            ),
            by=by,
        ).asset
        for n in range(1, count + 1)
    ]
