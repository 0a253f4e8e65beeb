"""School A's loaner pool and charges for the tenancy walk (schooldesk/core/tests/test_tenancy.py): loans/tests/
tenancy.py takes these in (another branch's loan pages add their own objects beside them)."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.loans.charges import charge_raise
from schooldesk.loans.models_pool import Loaner
from schooldesk.loans.pool import loaner_swap_in
from schooldesk.loans.tests.factories_pool import loan, loaners, pupil

PARAMS = {
    "loan_pk": "repair_loan",
    "loaner_pk": "loaner",
    "swap_pk": "loan_swap",
    "charge_pk": "charge",
    "charge_photo_pk": "charge_photo",
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def build(cast, secret):
    borrower = pupil(cast.school, first_name=secret, mis_id=f"{secret}-1")
    lent = loan(school=cast.school, by=cast.spoc, borrower=borrower, tag=f"{secret}-PUP")
    spare, _second = loaners(school=cast.school, by=cast.spoc, count=2, prefix=secret)
    call = IncidentFactory(school=cast.school, by=cast.spoc, summary=f"{secret} screen cracked", asset=lent.asset)
    swap = loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.spoc)
    other = loan(
        school=cast.school,
        by=cast.spoc,
        borrower=pupil(cast.school, last_name=secret, mis_id=f"{secret}-2"),
        tag=f"{secret}-PUP2",
    )
    charge = charge_raise(
        loan=other,
        by=cast.spoc,
        reason="damage",
        description=f"{secret} keyboard missing keys",
        amount=Decimal("25.00"),
        photos=[SimpleUploadedFile(f"{secret}.png", PNG, "image/png")],
    )
    # a device on loan with a repair call and no loaner yet: its page offers a spare (the swapped one, the swap back)
    waiting = loan(
        school=cast.school,
        by=cast.spoc,
        borrower=pupil(cast.school, last_name=f"{secret}W", mis_id=f"{secret}-3"),
        tag=f"{secret}-PUP3",
    )
    IncidentFactory(school=cast.school, by=cast.spoc, summary=f"{secret} will not switch on", asset=waiting.asset)
    return {
        "repair_loan": waiting,
        "loaner": Loaner.objects.get(asset=_second),
        "loan_swap": swap,
        "charge": charge,
        "charge_photo": charge.photos.get(),
        "charge_loan": other,
        "pool_call": call,
        "swapped_loan": lent,
    }
