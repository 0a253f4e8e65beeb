"""Lending and taking back: who may, one open loan per device, one school's devices and pupils only, and the asset
page's own issue and return going through the same loans."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset
from schooldesk.assets.services import asset_issue, asset_return
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.loans.models import Loan
from schooldesk.loans.services import loan_issue, loan_return, pupil_save
from schooldesk.loans.tests.factories import PupilFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["spoc", "technician", "owner"])
def test_the_desk_technicians_and_the_owner_lend_and_take_back(cast, role):
    by = getattr(cast, role)
    asset, pupil = AssetFactory(school=cast.school), PupilFactory(school=cast.school)
    due = timezone.localdate() + timedelta(days=30)
    loan = loan_issue(asset=asset, pupil=pupil, due_on=due, condition_out="As new", by=by)
    asset.refresh_from_db()
    assert (asset.status, asset.issued_to, loan.issued_by, loan.condition_out) == (
        AssetStatus.ON_LOAN,
        None,
        by,
        "As new",
    )
    loan = loan_return(loan=loan, condition_in="Scuffed lid", is_data_wiped=True, status=AssetStatus.IN_REPAIR, by=by)
    asset.refresh_from_db()
    assert loan.returned_on == timezone.localdate() and loan.returned_by == by and loan.is_data_wiped
    assert asset.status == AssetStatus.IN_REPAIR and asset.is_data_wiped


@pytest.mark.parametrize("role", ["reporter", "viewer", "dpo", "provider"])
def test_other_roles_cannot_lend(cast, role):
    asset, pupil = AssetFactory(school=cast.school), PupilFactory(school=cast.school)
    with pytest.raises(PermissionDenied):
        loan_issue(asset=asset, pupil=pupil, by=getattr(cast, role))
    assert not Loan.objects.exists()


def test_one_open_loan_per_device(cast):
    asset = AssetFactory(school=cast.school)
    first, second = PupilFactory(school=cast.school), PupilFactory(school=cast.school)
    loan = loan_issue(asset=asset, pupil=first, by=cast.spoc)
    with pytest.raises(ValidationError, match="already on loan to"):
        loan_issue(asset=asset, pupil=second, by=cast.spoc)
    with pytest.raises(ValidationError, match="already on loan to"):
        asset_issue(asset=asset, person=cast.reporter, by=cast.spoc)
    loan_return(loan=loan, by=cast.spoc)
    assert loan_issue(asset=asset, pupil=second, by=cast.spoc).pupil == second
    assert Loan.objects.filter(asset=asset).count() == 2 and Loan.objects.open().count() == 1


def test_another_schools_device_pupil_or_staff_is_refused(cast, other):
    mine, theirs = AssetFactory(school=cast.school), AssetFactory(school=other.school)
    their_pupil = PupilFactory(school=other.school)
    with pytest.raises(PermissionDenied):  # their device: my role is not in their school
        loan_issue(asset=theirs, pupil=PupilFactory(school=cast.school), by=cast.spoc)
    with pytest.raises(ValidationError, match="this school's roll"):
        loan_issue(asset=mine, pupil=their_pupil, by=cast.spoc)
    with pytest.raises(ValidationError):
        loan_issue(asset=mine, person=other.reporter, by=cast.spoc)
    assert not Loan.objects.exists()


def test_a_pupil_who_has_left_and_a_past_date_are_refused(cast):
    asset = AssetFactory(school=cast.school)
    with pytest.raises(ValidationError, match="roll"):
        loan_issue(asset=asset, pupil=PupilFactory(school=cast.school, is_active=False), by=cast.spoc)
    with pytest.raises(ValidationError, match="past"):
        loan_issue(
            asset=asset,
            pupil=PupilFactory(school=cast.school),
            by=cast.spoc,
            due_on=timezone.localdate() - timedelta(days=1),
        )


def test_the_asset_pages_issue_and_return_are_loans_and_mirror_the_register(cast):
    asset = AssetFactory(school=cast.school)
    due = timezone.localdate() + timedelta(days=7)
    asset = asset_issue(asset=asset, person=cast.reporter, by=cast.spoc, loan_due_on=due)
    loan = Loan.objects.get(asset=asset)
    assert (loan.person, loan.due_on, loan.returned_on) == (cast.reporter, due, None)
    assert (asset.issued_to, asset.loan_due_on, asset.status) == (cast.reporter, due, AssetStatus.ON_LOAN)
    asset = asset_return(asset=asset, by=cast.spoc, is_data_wiped=True, condition_in="Fine")
    loan.refresh_from_db()
    assert loan.returned_on == timezone.localdate() and loan.condition_in == "Fine" and loan.is_data_wiped
    assert asset.issued_to is None and asset.is_data_wiped and Asset.objects.get(pk=asset.pk).status == "spare"


def test_a_pupils_loan_can_be_returned_from_the_asset_page(cast):
    asset = AssetFactory(school=cast.school)
    loan_issue(asset=asset, pupil=PupilFactory(school=cast.school), by=cast.spoc)
    asset = asset_return(asset=Asset.objects.get(pk=asset.pk), by=cast.technician)
    assert asset.status == AssetStatus.SPARE and not Loan.objects.open().exists()


def test_disposing_of_a_lent_device_ends_its_loan(cast):
    from schooldesk.assets.services import asset_dispose

    asset = AssetFactory(school=cast.school)
    loan_issue(asset=asset, pupil=PupilFactory(school=cast.school), by=cast.spoc)
    asset_dispose(
        asset=Asset.objects.get(pk=asset.pk),
        by=cast.spoc,
        disposed_on=timezone.localdate(),
        method="weee",
        is_data_wiped=True,
    )
    assert not Loan.objects.open().exists()


def test_pupil_save_refuses_a_second_pupil_with_the_same_mis_id_and_other_schools(cast, other):
    from schooldesk.accounts.models import Pupil

    pupil_save(pupil=Pupil(school=cast.school, first_name="Ann", last_name="Lee", mis_id="A1"), by=cast.spoc)
    with pytest.raises(ValidationError, match="MIS id"):
        pupil_save(pupil=Pupil(school=cast.school, first_name="Bo", last_name="Lee", mis_id="A1"), by=cast.spoc)
    with pytest.raises(PermissionDenied):
        pupil_save(pupil=Pupil(school=other.school, first_name="Cy", last_name="Lee"), by=cast.spoc)


def test_a_pupil_has_one_device_of_the_scheme_at_a_time(cast):
    pupil = PupilFactory(school=cast.school)
    loan_issue(asset=AssetFactory(school=cast.school), pupil=pupil, by=cast.spoc)
    with pytest.raises(ValidationError, match="already has a device"):
        loan_issue(asset=AssetFactory(school=cast.school), pupil=pupil, by=cast.spoc)
    assert Loan.objects.open().filter(pupil=pupil).count() == 1


def test_two_people_scanning_for_one_class_never_give_one_pupil_two_devices(cast):
    """The page each of them opened shows the same next pupil; the second scan goes to the pupil after."""
    from schooldesk.loans.scanning import scan_record, session_for

    first, second = PupilFactory(school=cast.school, form="7Q"), PupilFactory(school=cast.school, form="7Q")
    params = {"school": str(cast.school.pk), "group": "form:7Q", "mode": "out"}
    mine, theirs = session_for(cast.spoc, params), session_for(cast.technician, params)
    assert mine.waiting[0] == theirs.waiting[0]
    a, b = AssetFactory(school=cast.school, tag="SCAN-A"), AssetFactory(school=cast.school, tag="SCAN-B")
    assert scan_record(user=cast.spoc, session=mine, code=a.tag)[0] == "ok"
    assert scan_record(user=cast.technician, session=theirs, code=b.tag)[0] == "ok"
    assert {loan.pupil for loan in Loan.objects.open()} == {first, second}
