"""Charges for damage and loss: raised by a person with photos (their EXIF removed), the letter to parents as PDF,
the CSV for the payment system (each charge once), and who may see any of it."""

import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.loans.charges import charge_raise, charge_set_status
from schooldesk.loans.models_pool import Charge
from schooldesk.loans.pool import pool_for
from schooldesk.loans.tables import CHARGE_EXPORT
from schooldesk.loans.tests.factories_pool import loan

pytestmark = pytest.mark.django_db
EXPORT_HEADER = CHARGE_EXPORT.header


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 32), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def _form_post(client, page, data_for, files=None):
    shown = client.get(page)
    assert shown.status_code == 200
    form = next(
        f
        for f in forms_in(shown.content.decode(), page)
        if f.method == "post" and any(c.name in data_for for c in f.controls)
    )
    data, _touched = filled(form, form.buttons[0] if form.buttons else None)
    data.update(data_for)
    data.update(files or {})
    return client.post(form.action, data)


def test_the_spoc_raises_a_charge_with_a_photo_and_downloads_the_letter(cast, client, tmp_path):
    pool = pool_for(cast.school)
    pool.letter_address, pool.payment_instructions = "1 Oak Lane\nOakford OK1 2AB", "Pay on ParentPay: Device scheme."
    pool.save()
    lent = loan(school=cast.school, by=cast.spoc)
    client.force_login(cast.spoc)
    loan_page = f"/loans/{lent.pk}/repairs/"
    assert f"/loans/{lent.pk}/charges/new/" in client.get(loan_page).content.decode()
    response = _form_post(
        client,
        f"/loans/{lent.pk}/charges/new/",
        {"reason": "damage", "description": "Screen cracked across the corner.", "amount": "45.00"},
        {"photos": SimpleUploadedFile("crack.jpg", photo_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    charge = Charge.objects.get()
    assert (charge.status, charge.amount, charge.raised_by) == ("proposed", Decimal("45.00"), cast.spoc)
    kept = charge.photos.get()
    with Image.open(kept.file.path) as image:
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the photo kept its GPS position"
    detail = client.get(response["Location"]).content.decode()
    assert "crack.jpg" in detail
    photo = client.get(f"/loans/charges/{charge.pk}/photos/{kept.pk}/")
    assert photo.status_code == 200 and photo["Content-Disposition"].startswith("attachment")

    letter = client.get(f"/loans/charges/{charge.pk}/letter/")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(letter.content)
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
        assert re.search(r"^Pages:\s+1$", info, re.M) and "595.276 x 841.89" in info  # one A4 page
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,  # noqa: S603, S607
            check=True,
        ).stdout
        for expected in (
            cast.school.name,
            "Oakford OK1 2AB",
            "Dear Mrs Okafor",
            "Amara Okafor",
            "Year 8",
            "8R",
            "PUP-0001",
            "Screen cracked across the corner.",
            "£45.00",
            "Pay on ParentPay",
            charge.reference,
        ):
            assert expected in text, f"{expected!r} is not in the letter:\n{text}"
    assert AuditEntry.objects.filter(action="download", object_label=f"{charge.reference}-letter.pdf").exists()

    # sent, then paid: who and when
    response = _form_post(client, f"/loans/charges/{charge.pk}/", {"status": "sent"})
    charge.refresh_from_db()
    assert charge.status == "sent" and charge.sent_by == cast.spoc and charge.sent_at


def test_a_charge_is_never_raised_without_a_person(cast):
    """Nothing in SchoolDesk raises a charge: the service needs someone who may."""
    lent = loan(school=cast.school, by=cast.spoc)
    from django.core.exceptions import PermissionDenied

    for who in (None, cast.technician, cast.reporter):
        with pytest.raises((PermissionDenied, AttributeError)):
            charge_raise(loan=lent, by=who, reason="loss", description="Lost on the bus.", amount=Decimal("200"))
    assert not Charge.objects.exists()


def _export(client, **data):
    response = client.post("/loans/charges/export/", {"which": "new", "format": "csv", **data})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_export_has_the_payment_systems_columns_and_exports_nothing_twice(cast, client):
    lent = loan(school=cast.school, by=cast.spoc)
    staff = loan(school=cast.school, by=cast.spoc, borrower=cast.viewer, tag="STAFF-1")
    first = charge_raise(loan=lent, by=cast.spoc, reason="damage", description="Hinge broken", amount=Decimal("30.5"))
    second = charge_raise(
        loan=staff, by=cast.owner, reason="loss", description='=HYPERLINK("x")', amount=Decimal("199.99")
    )
    charge_raise(loan=lent, by=cast.spoc, reason="other", description="Still proposed", amount=Decimal("5"))
    for charge in (first, second):
        charge_set_status(charge=charge, by=cast.spoc, status="sent")
    client.force_login(cast.spoc)
    rows = _export(client)
    assert (
        rows[0]
        == EXPORT_HEADER
        == ["Reference", "MIS ID", "Pupil name", "Year", "Class", "Description", "Amount", "Date"]
    )
    by_ref = {row[0]: row for row in rows[1:]}
    assert set(by_ref) == {first.reference, second.reference}, "a proposed charge is not exported"
    assert by_ref[first.reference][1:5] == ["UPN-4471", "Amara Okafor", "Year 8", "8R"]
    assert by_ref[first.reference][6] == "30.50"
    assert by_ref[second.reference][1] == "" and by_ref[second.reference][5].startswith("Loss: ")
    assert _export(client) == [EXPORT_HEADER], "the same charges were exported twice"
    third = charge_raise(loan=lent, by=cast.spoc, reason="charger", description="Charger lost", amount=Decimal("15"))
    charge_set_status(charge=third, by=cast.spoc, status="sent")
    assert [row[0] for row in _export(client)[1:]] == [third.reference]
    # a date range exports again, for checking, and marks nothing
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    again = _export(client, which="range", date_from=today, date_to=today)
    assert {row[0] for row in again[1:]} == {first.reference, second.reference, third.reference}
    assert AuditEntry.objects.filter(action="download", object_id="loans:charge_export").count() == 4
    assert AuditEntry.objects.filter(action="charge.export").exists()


def test_the_list_filters_and_totals(cast, client):
    lent = loan(school=cast.school, by=cast.spoc)
    for amount, status in (("10", "proposed"), ("20", "sent"), ("30", "sent"), ("40", "waived")):
        charge = charge_raise(loan=lent, by=cast.spoc, reason="damage", description="Dent", amount=Decimal(amount))
        if status == "sent":
            charge_set_status(charge=charge, by=cast.spoc, status="sent")
        elif status == "waived":
            charge_set_status(charge=charge, by=cast.spoc, status="waived", note="Hardship")
    client.force_login(cast.owner)
    html = client.get("/loans/charges/").content.decode()
    totals = html.split('id="totals"')[1].split("</dl>")[0]
    assert "2 · £50.00" in totals and "4 · £100.00" in totals and "1 · £40.00" in totals
    filtered = client.get("/loans/charges/?status=sent").content.decode()
    assert "2 charges" in filtered


def test_charges_are_for_the_spoc_and_the_ict_owner_only(cast, other, client):
    lent = loan(school=cast.school, by=cast.spoc)
    charge = charge_raise(loan=lent, by=cast.spoc, reason="damage", description="Dent", amount=Decimal("10"))
    for who in (cast.technician, cast.reporter, cast.viewer, cast.provider, other.spoc, other.owner):
        client.force_login(who)
        own_list = who in (other.spoc, other.owner)  # their own school's charges: none of school A's
        for url in (
            *(() if own_list else ("/loans/charges/",)),
            f"/loans/charges/{charge.pk}/",
            f"/loans/charges/{charge.pk}/letter/",
            f"/loans/{lent.pk}/charges/new/",
        ):
            assert client.get(url).status_code in (403, 404), f"{who} reached {url}"
        if own_list:
            assert charge.reference not in client.get("/loans/charges/").content.decode()
        assert "£10" not in client.get(f"/loans/{lent.pk}/repairs/").content.decode()
    client.force_login(cast.owner)
    assert client.get(f"/loans/charges/{charge.pk}/").status_code == 200
