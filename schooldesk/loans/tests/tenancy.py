"""School A's loans, pupils, agreements and photos for the tenancy walk (schooldesk/core/tests/test_tenancy.py), with
the loaner pool's and the charges' objects (tenancy_pool.py)."""

import base64
import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.loans.agreements import agreement_sign
from schooldesk.loans.services import loan_issue, photo_add
from schooldesk.loans.tests import tenancy_pool
from schooldesk.loans.tests.factories import PupilFactory, agreement_template

SECTION = "loans"
PK = "loan"
PARAMS = {"pupil_pk": "pupil", "photo_pk": "loan_photo", **tenancy_pool.PARAMS}
API = {"pupils": "pupil", "loan-charges": "charge"}  # what <pk> means under /api/v1/<name>/ (loans/: the loan)


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    return buffer.getvalue()


def build(cast, secret):
    pupil = PupilFactory(
        school=cast.school, first_name=f"{secret}", last_name="Pupil", form=f"{secret}-7B", year_group=f"{secret} Year"
    )
    asset = AssetFactory(school=cast.school, tag=f"{secret}-LOAN", support_ends_on=date.today() - timedelta(days=3))
    agreement_template(cast.school, body=f"{secret} agreement for {{pupil_name}}")
    loan = loan_issue(asset=asset, pupil=pupil, by=None, due_on=None, condition_out=f"{secret} scratch")
    photo = photo_add(
        loan=loan,
        stage="out",
        by=None,
        upload=SimpleUploadedFile(f"{secret}.png", png_bytes(), content_type="image/png"),
    )
    agreement_sign(
        loan=loan,
        by=None,
        signer_name=f"{secret} Carer",
        relationship="parent",
        method="paper",
        scan=SimpleUploadedFile("signed.pdf", f"%PDF-1.4 {secret}".encode(), content_type="application/pdf"),
    )
    drawn = loan_issue(
        asset=AssetFactory(school=cast.school, tag=f"{secret}-DRAWN"),
        by=None,
        pupil=PupilFactory(school=cast.school, first_name=f"{secret} Second", form=f"{secret}-7B"),
    )
    agreement_sign(
        loan=drawn,
        by=None,
        signer_name=f"{secret} Parent",
        relationship="parent",
        method="drawn",
        signature="data:image/png;base64," + base64.b64encode(png_bytes()).decode(),
    )
    return {"loan": loan, "pupil": pupil, "loan_photo": photo, "drawn_loan": drawn, **tenancy_pool.build(cast, secret)}
