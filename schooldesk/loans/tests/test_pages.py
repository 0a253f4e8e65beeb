"""The scheme's pages as a user of one school meets them: the class-list import (bad rows named, nothing written,
then accepted), the scanning page's answers (each scan, the count, the errors, another school's device), signing
on paper or by typed name, the return with a photo kept without its EXIF, and the reports' CSV."""

import base64
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from schooldesk.accounts.models import Membership, Pupil
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.tests.pages import forms_in, rendered_form
from schooldesk.loans.models import Agreement, Loan, LoanPhoto
from schooldesk.loans.services import loan_issue
from schooldesk.loans.tests.factories import PupilFactory, agreement_template
from schooldesk.loans.tests.tenancy import png_bytes

pytestmark = pytest.mark.django_db
GPS = ExifTags.IFD.GPSInfo

CLASS_LIST = (
    "Forename,Surname,Year,Reg group,UPN,Parent email\n"
    "Amara,Okafor,Year 7,7B,U001,amara.parent@example.org\n"
    "Ben,,Year 7,7B,U002,\n"  # no surname
    "Chloe,Hughes,Year 7,7B,U003,not-an-email\n"  # a bad email
    "Dev,Patel,Year 7,7B,U004,\n"
)


def upload(text: str, name="7B.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_a_class_list_with_two_bad_rows_is_refused_row_by_row_then_accepted(cast, client):
    client.force_login(cast.spoc)
    refused = client.post("/loans/pupils/import/", {"file": upload(CLASS_LIST)})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Line 3: the last name is missing" in page
    assert "Line 4: “not-an-email” is not an email address" in page
    assert "2 rows need correcting; nothing was imported" in page
    assert not Pupil.objects.exists()

    fixed = CLASS_LIST.replace("Ben,,", "Ben,Adams,").replace("not-an-email", "chloe.parent@example.org")
    checked = client.post("/loans/pupils/import/", {"file": upload(fixed)})
    assert checked.status_code == 200 and "4 pupils to add" in checked.content.decode()
    assert not Pupil.objects.exists(), "checking writes nothing"
    confirm = next(
        f
        for f in forms_in(checked.content.decode(), "/loans/pupils/import/")
        if any(c.name == "rows" for c in f.controls)
    )
    data = {c.name: c.value for c in confirm.controls if c.name}
    done = client.post("/loans/pupils/import/", data)
    assert done.status_code == 302
    assert sorted(Pupil.objects.filter(school=cast.school).values_list("last_name", flat=True)) == [
        "Adams",
        "Hughes",
        "Okafor",
        "Patel",
    ]
    assert Pupil.objects.get(mis_id="U001").parent_email == "amara.parent@example.org"
    assert client.post("/loans/pupils/import/", data).status_code in (200, 302)  # the same form again: once
    assert Pupil.objects.count() == 4


def test_the_import_cannot_be_replayed_into_another_school(cast, other, client):
    client.force_login(cast.spoc)
    checked = client.post(
        "/loans/pupils/import/", {"file": upload(CLASS_LIST.replace("Ben,,", "Ben,A,").replace("not-an-email", ""))}
    )
    confirm = next(
        f
        for f in forms_in(checked.content.decode(), "/loans/pupils/import/")
        if any(c.name == "rows" for c in f.controls)
    )
    data = {c.name: c.value for c in confirm.controls if c.name}
    client.force_login(other.spoc)
    data["school"] = str(other.school.pk)
    assert client.post("/loans/pupils/import/", data).status_code == 400
    assert not Pupil.objects.exists()


def scan(client, school, code, mode="out", group="form:7B", **extra):
    return client.post(
        "/loans/scan/",
        {"school": school.pk, "group": group, "mode": mode, "code": code, **extra},
        HTTP_HX_REQUEST="true",
    )


def test_each_scan_lends_to_the_next_pupil_and_says_what_went_wrong(cast, other, client):
    pupils = [PupilFactory(school=cast.school, last_name=name) for name in ("Ali", "Bell", "Cole")]
    mine = [AssetFactory(school=cast.school, tag=f"CB-{n}") for n in range(3)]
    theirs = AssetFactory(school=other.school, tag="ELM-1")
    client.force_login(cast.technician)
    first = scan(
        client,
        cast.school,
        f"https://desk.example/assets/here/{mine[0].pk}/",  # the QR code's text
        condition_out="New, with charger",
    )
    assert "CB-0 handed out to" in first.content.decode() and "1 of 3 handed out" in first.content.decode()
    assert Loan.objects.get(asset=mine[0]).pupil == pupils[0]
    assert Loan.objects.get(asset=mine[0]).condition_out == "New, with charger"
    again = scan(client, cast.school, "CB-0").content.decode()
    assert "already on loan to" in again and "1 of 3 handed out" in again
    assert "is not a label of this school" in scan(client, cast.school, "NOPE-9").content.decode()
    foreign = scan(client, cast.school, f"https://desk.example/assets/here/{theirs.pk}/").content.decode()
    assert "is not a label of this school" in foreign and "Elm" not in foreign  # unknown: nothing of theirs shown
    chosen = scan(client, cast.school, "cb-1", pupil=pupils[2].pk).content.decode()  # the pupil chosen; any case
    assert "2 of 3 handed out" in chosen and Loan.objects.get(asset=mine[1]).pupil == pupils[2]
    back = scan(client, cast.school, "CB-0", mode="in").content.decode()
    assert "CB-0 returned by" in back and "1 of 2 returned" in back
    assert not Loan.objects.open().filter(asset=mine[0]).exists()
    assert not Loan.objects.filter(asset=theirs).exists()


def test_a_spoc_of_two_schools_is_told_the_device_is_another_schools(cast, other, client):
    both = UserFactory(username="two-schools")
    for school in (cast.school, other.school):
        Membership.objects.create(user=both, school=school, role="spoc")
    PupilFactory(school=cast.school)
    theirs = AssetFactory(school=other.school, tag="ELM-2")
    client.force_login(both)
    said = scan(client, cast.school, f"AST-{theirs.pk:06d}").content.decode()
    assert "belongs to another school" in said and not Loan.objects.exists()


def test_the_scanning_page_is_refused_to_reporters_and_shows_one_schools_classes(cast, other, client):
    PupilFactory(school=cast.school, form="7B")
    PupilFactory(school=other.school, form="ELM-FORM")
    client.force_login(cast.reporter)
    assert client.get("/loans/scan/").status_code == 403
    client.force_login(cast.spoc)
    page = client.get("/loans/scan/?group=form:7B").content.decode()
    assert "7B" in page and "ELM-FORM" not in page and "0 of 1 handed out" in page


@pytest.fixture
def loan(cast):
    agreement_template(cast.school)
    pupil = PupilFactory(school=cast.school, first_name="Amara", last_name="Okafor", parent_name="Mrs Okafor")
    asset = AssetFactory(school=cast.school, tag="CB-100", serial="SN100")
    return loan_issue(asset=asset, pupil=pupil, due_on=timezone.localdate() + timedelta(days=300), by=cast.spoc)


def test_an_agreement_signed_by_typed_name_and_another_on_paper(cast, client, loan):
    client.force_login(cast.spoc)
    action, data = rendered_form(client, f"/loans/{loan.pk}/agreement/", "/agreement/")
    page = client.get(f"/loans/{loan.pk}/agreement/").content.decode()
    assert "agree to look after CB-100" in page and "Amara Okafor (7B)" in page
    data.update({"method": "typed", "typed_signature": "", "confirm": "on"})
    refused = client.post(action, data)
    assert refused.status_code == 400 and Agreement.objects.count() == 0
    action, data = rendered_form(client, f"/loans/{loan.pk}/agreement/", "/agreement/")
    data.update({"method": "typed", "typed_signature": "Grace Okafor", "confirm": "on"})
    assert client.post(action, data, REMOTE_ADDR="192.0.2.7").status_code == 302
    agreement = Agreement.objects.get(loan=loan)
    assert (
        agreement.signer_name,
        agreement.typed_signature,
        agreement.relationship,
        agreement.ip_address,
        agreement.recorded_by,
    ) == ("Mrs Okafor", "Grace Okafor", "parent", "192.0.2.7", cast.spoc)
    pdf = client.get(f"/loans/{loan.pk}/agreement/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    second = loan_issue(asset=AssetFactory(school=cast.school), pupil=PupilFactory(school=cast.school), by=cast.spoc)
    action, data = rendered_form(client, f"/loans/{second.pk}/agreement/", "/agreement/")
    data.update(
        {
            "method": "paper",
            "confirm": "on",
            "scan": SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf"),
        }
    )
    assert client.post(action, data).status_code == 302
    assert Agreement.objects.get(loan=second).scan
    assert client.get(f"/loans/{second.pk}/agreement/scan/").status_code == 200


def test_a_drawn_signature_must_be_a_png(cast, loan):
    from django.core.exceptions import ValidationError

    from schooldesk.loans.agreements import agreement_sign

    with pytest.raises(ValidationError):
        agreement_sign(
            loan=loan,
            by=cast.spoc,
            signer_name="X",
            relationship="parent",
            method="drawn",
            signature="data:image/png;base64," + base64.b64encode(b"<svg>not a png</svg>").decode(),
        )
    agreement_sign(
        loan=loan,
        by=cast.spoc,
        signer_name="X",
        relationship="parent",
        method="drawn",
        signature="data:image/png;base64," + base64.b64encode(png_bytes()).decode(),
    )
    assert Agreement.objects.get(loan=loan).signature.read().startswith(b"\x89PNG")


def phone_photo() -> bytes:
    image = Image.new("RGB", (64, 32), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(GPS).update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def test_a_return_with_a_photo_keeps_it_without_its_gps_position(cast, client, loan):
    client.force_login(cast.technician)
    action, data = rendered_form(client, f"/loans/{loan.pk}/", "/return/")
    data.update(
        {
            "condition_in": "Cracked corner",
            "is_data_wiped": "on",
            "status": "in_repair",
            "photos": SimpleUploadedFile("corner.jpg", phone_photo(), content_type="image/jpeg"),
        }
    )
    assert client.post(action, data).status_code == 302
    loan.refresh_from_db()
    assert loan.returned_on and loan.condition_in == "Cracked corner" and loan.is_data_wiped
    assert loan.asset.is_data_wiped and loan.asset.status == "in_repair"
    photo = LoanPhoto.objects.get(loan=loan)
    assert photo.stage == "in"
    with Image.open(photo.file.path) as kept:
        assert not kept.getexif().get_ifd(GPS) and "PhoneCo" not in str(dict(kept.getexif()))
    download = client.get(f"/loans/{loan.pk}/photos/{photo.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_a_return_refuses_a_file_that_is_not_a_photo(cast, client, loan):
    client.force_login(cast.technician)
    action, data = rendered_form(client, f"/loans/{loan.pk}/", "/return/")
    data["photos"] = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    refused = client.post(action, data)
    assert refused.status_code == 400 and "is not a photo" in refused.content.decode()
    loan.refresh_from_db()
    assert loan.returned_on is None


def test_the_reports_and_their_csv(cast, other, client, loan):
    today = timezone.localdate()
    late = loan_issue(
        asset=AssetFactory(school=cast.school, tag="LATE-1", support_ends_on=today - timedelta(days=1)),
        pupil=PupilFactory(school=cast.school, last_name="Late", form="8C", year_group="Year 8"),
        by=cast.spoc,
    )
    Loan.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=2))
    loan_issue(
        asset=AssetFactory(school=other.school, tag="ELM-9"), pupil=PupilFactory(school=other.school), by=other.spoc
    )
    client.force_login(cast.spoc)
    who = client.get("/loans/?form=7B").content.decode()
    assert "CB-100" in who and "LATE-1" not in who and "ELM-9" not in who
    assert "LATE-1" in client.get("/loans/overdue/").content.decode()
    assert "CB-100" not in client.get("/loans/overdue/").content.decode()
    support = client.get("/loans/out-of-support/").content.decode()
    assert "LATE-1" in support and "CB-100" not in support
    csv = client.get("/loans/export/?report=who").content.decode()
    assert "CB-100" in csv and "LATE-1" in csv and "ELM-9" not in csv
    overdue_csv = client.get("/loans/export/?report=overdue").content.decode()
    assert "LATE-1" in overdue_csv and "CB-100" not in overdue_csv
