"""Demo device scheme for Oakfield: a few pupils of Year 7 (class 7O), the school's loan agreement, Chromebooks
lent to most of them (one overdue, one agreement signed by a parent), and the staff loans and issues that the demo
register made (demo_registers_create writes `issued_to` in bulk) given their Loan rows. Bulk inserts: quick."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from schooldesk.accounts.models import Pupil
from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset
from schooldesk.loans.agreements import agreement_sign, agreement_template_save
from schooldesk.loans.choices import SignatureMethod, SignerRelationship
from schooldesk.loans.models import Loan

AGREEMENT = (
    "Oakfield Primary School lends {device} (serial {serial}) to {pupil_name} of {form} from {issued_on} "
    "until {due_on}.\n\n"
    "We, the parent or carer, agree that:\n"
    "1. The device is for schoolwork and stays the property of {school}.\n"
    "2. We will keep it charged, in its case, and away from food and drink.\n"
    "3. We will report any damage or loss to the school office straight away.\n"
    "4. We will return it, with its charger, when asked or when our child leaves the school.\n"
    "5. The school may check the device and wipe it when it is returned."
)
PUPILS = [
    ("Amara", "Okafor", "Mrs Grace Okafor"),
    ("Ben", "Adams", "Mr Tom Adams"),
    ("Chloe", "Hughes", "Ms Ann Hughes"),
    ("Dev", "Patel", "Mrs Priya Patel"),
    ("Ella", "Wright", "Mr Sam Wright"),
    ("Finn", "O'Brien", "Ms Kate O'Brien"),
    ("Grace", "Nowak", "Mrs Anna Nowak"),
    ("Harry", "Singh", "Mr Raj Singh"),
]


@transaction.atomic
def loans_demo(demo) -> None:
    today = timezone.localdate()
    lent = Exists(Loan.objects.open().filter(asset=OuterRef("pk")))
    staff_loans = [
        Loan(
            school_id=a.school_id,
            asset_id=a.pk,
            person_id=a.issued_to_id,
            due_on=a.loan_due_on,
            issued_on=a.purchased_on or today - timedelta(days=200),
        )
        for a in Asset.objects.filter(issued_to__isnull=False)
        .exclude(lent)
        .only("pk", "school_id", "issued_to_id", "loan_due_on", "purchased_on")
    ]
    Loan.objects.bulk_create(staff_loans)
    school = demo.schools.get("oakfield")
    if school is None:
        return
    agreement_template_save(school=school, title="Home learning device agreement", body=AGREEMENT, by=None)
    pupils = Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                first_name=first,
                last_name=last,
                year_group="Year 7",
                form="7O",
                mis_id=f"OAK7{n:03d}",
                parent_name=parent,
                parent_email=f"{first.lower()}.parent@example.org",
            )
            for n, (first, last, parent) in enumerate(PUPILS, start=1)
        ]
    )
    spare = list(
        Asset.objects.filter(
            school=school, status=AssetStatus.IN_USE, issued_to__isnull=True, asset_type__name="Chromebook"
        )  # from the trolleys
        .exclude(lent)
        .order_by("tag")[: len(pupils) - 2]
    )
    start = today - timedelta(days=60)
    loans = [
        Loan(
            school=school,
            asset=asset,
            pupil=pupil,
            issued_on=start,
            condition_out="Good: no marks",
            due_on=today - timedelta(days=5) if n == 0 else today + timedelta(days=200),
        )
        for n, (asset, pupil) in enumerate(zip(spare, pupils, strict=False))
    ]
    Loan.objects.bulk_create(loans)
    Asset.objects.filter(pk__in=[a.pk for a in spare]).update(status=AssetStatus.ON_LOAN)
    if loans:
        agreement_sign(
            loan=loans[1] if len(loans) > 1 else loans[0],
            by=None,
            signer_name=PUPILS[1][2],
            relationship=SignerRelationship.PARENT,
            method=SignatureMethod.TYPED,
            typed_signature=PUPILS[1][2],
        )
