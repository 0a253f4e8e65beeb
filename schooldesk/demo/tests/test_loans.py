"""The demo desk's device scheme: Oakfield's Year 7 pupils, its agreement and some loans (one overdue), and every
device the demo register shows as issued has its loan, so it can be returned through the one service."""

import io

import pytest
from django.core.management import call_command

from schooldesk.accounts.models import Pupil
from schooldesk.assets.models import Asset
from schooldesk.assets.services import asset_return
from schooldesk.loans.models import AgreementTemplate, Loan
from schooldesk.loans.selectors import overdue_loans
from schooldesk.schools.models import School

pytestmark = pytest.mark.django_db


def test_the_demo_has_oakfields_year_7_their_loans_and_every_issued_device_has_its_loan(db):
    call_command("demo_seed", incidents=5, stdout=io.StringIO())
    oakfield = School.objects.get(short_name="Oakfield")
    assert Pupil.objects.filter(school=oakfield, year_group="Year 7").count() >= 6
    assert AgreementTemplate.objects.get(school=oakfield, is_current=True).body.count("{") >= 4
    pupil_loans = Loan.objects.open().filter(school=oakfield, pupil__isnull=False)
    assert pupil_loans.count() >= 4 and all(loan.asset.status == "on_loan" for loan in pupil_loans)
    issued = Asset.objects.filter(issued_to__isnull=False)
    assert issued.exists()
    assert set(issued.values_list("pk", flat=True)) <= set(Loan.objects.open().values_list("asset_id", flat=True))
    asset = issued.first()
    asset_return(asset=asset, by=None)
    assert not Loan.objects.open().filter(asset=asset).exists()
    spoc = next(m.user for m in oakfield.membership_set.select_related("user") if m.role == "spoc")
    assert overdue_loans(user=spoc).filter(pupil__isnull=False).count() == 1
