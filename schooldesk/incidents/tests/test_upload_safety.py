"""What happens to a file people upload, at the one upload check (`attachment_validate`) every upload passes
through (call attachments by page or email, contract documents, licence proofs): a photo's GPS position is
not kept, a file far over the limit is not received whole, and a file the virus scanner (a real clamd) refuses,
or cannot vouch for, is not kept (docs/decisions/0015)."""

import io
import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.validators import ValidationError
from PIL import ExifTags, Image

from schooldesk.assets.models import AssetImport
from schooldesk.core.tests.clamd import EICAR, SIGNATURE, clamd, clamd_small_stream  # noqa: F401 - the fixtures
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.models import Attachment, Incident
from schooldesk.incidents.services import incident_reply
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.suppliers.services import contract_document_add
from schooldesk.suppliers.tests.factories import make_contract

pytestmark = pytest.mark.django_db
GPS = ExifTags.IFD.GPSInfo
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(*, orientation: int = 1, size=(64, 32)) -> bytes:
    """A JPEG as a phone writes it: the GPS position, the camera, a comment, and which way up to show it."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(GPS).update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment="Taken at 12 Acacia Avenue", quality=95)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS)[2] == (51.0, 30.0, 26.0)  # the position really is in the file
    return data


def report_form(client, user, *, summary: str, attachment):
    client.force_login(user)
    page = client.get("/incidents/new/")
    form = next(
        f for f in forms_in(page.content.decode(), "/incidents/new/") if any(c.name == "attachment" for c in f.controls)
    )
    data, _touched = filled(form, None, {"attachment": lambda: attachment})
    data["summary"] = summary
    return client.post(form.action, data)


def test_a_photo_keeps_no_gps_position_and_no_other_exif(cast, client):
    response = report_form(
        client,
        cast.reporter,
        summary="Broken window catch",
        attachment=SimpleUploadedFile("IMG_0001.jpg", photo(orientation=6), "image/jpeg"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Attachment.objects.get(incident__summary="Broken window catch")
    data = Path(stored.file.path).read_bytes()
    assert stored.size == len(data)
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), dict(image.getexif())
        assert "comment" not in image.info and "exif" not in image.info
        assert image.size == (32, 64), "the photo is not turned the way its EXIF said to show it"
    assert b"Exif" not in data and b"PhoneCo" not in data and b"Acacia" not in data


def test_a_photo_that_needs_no_turning_is_not_compressed_again(cast):
    original = photo()
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    update = incident_reply(
        incident=incident, by=cast.reporter, body="", files=[SimpleUploadedFile("door.jpeg", original, "image/jpeg")]
    )
    kept = Path(update.attachments.get().file.path).read_bytes()
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(kept)) as after:
        assert not after.getexif() and after.size == before.size
        assert after.quantization == before.quantization


def test_a_file_that_says_it_is_a_jpeg_and_is_not_a_photo_is_refused(cast):
    with pytest.raises(ValidationError, match="could not be read as a photo"):
        IncidentFactory(
            school=cast.school,
            by=cast.reporter,
            files=[SimpleUploadedFile("scan.jpg", b"\xff\xd8\xff\xe0 not really a photo")],
        )


class Probe(FileUploadHandler):
    """A test's eye on the upload: the bytes of each file passed on to where uploads are kept (memory, disk)."""

    kept: dict[str, int] = {}

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        Probe.kept[self.file_name] = 0

    def receive_data_chunk(self, raw_data, start):
        Probe.kept[self.file_name] += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_a_file_far_over_the_limit_is_not_received_whole_and_the_form_says_why(cast, client, settings):
    settings.ATTACHMENT_MAX_BYTES = settings.SCHOOLDESK_UPLOAD_MAX_BYTES = 1024 * 1024
    probe = f"{__name__}.Probe"
    handlers = [h for h in settings.FILE_UPLOAD_HANDLERS if "Memory" not in h and "Temporary" not in h]
    settings.FILE_UPLOAD_HANDLERS = [
        *handlers,
        probe,
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    huge = PNG + b"\x00" * (3 * 1024 * 1024)
    response = report_form(
        client,
        cast.reporter,
        summary="Projector bulb gone in Hall",
        attachment=SimpleUploadedFile("hall.png", huge, "image/png"),
    )
    assert Probe.kept["hall.png"] <= settings.SCHOOLDESK_UPLOAD_MAX_BYTES + 64 * 1024, (
        f"{Probe.kept['hall.png']} bytes of a {len(huge)}-byte file were received before the size check"
    )
    page = response.content.decode()
    assert response.status_code == 400  # the form again, with its errors and what was typed
    assert "“hall.png” is larger than 1 MB" in page and "Projector bulb gone in Hall" in page
    assert not Incident.objects.filter(summary="Projector bulb gone in Hall").exists()


def test_a_request_body_over_the_cap_is_refused_before_it_is_read(cast, client, settings):
    settings.SCHOOLDESK_REQUEST_MAX_BYTES = 1024 * 1024
    response = report_form(
        client,
        cast.reporter,
        summary="Too big",
        attachment=SimpleUploadedFile("big.png", PNG + b"\x00" * (2 * 1024 * 1024)),
    )
    assert response.status_code == 400 and b"Too big" not in response.content  # not the form: the body was not read
    assert not Incident.objects.filter(summary="Too big").exists()


def test_django_and_nginx_take_the_same_largest_request():
    from django.conf import settings

    nginx = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf.example").read_text()
    assert f"client_max_body_size {settings.SCHOOLDESK_REQUEST_MAX_BYTES // (1024 * 1024)}m;" in nginx
    assert settings.SCHOOLDESK_UPLOAD_MAX_BYTES >= settings.ATTACHMENT_MAX_BYTES
    assert settings.FILE_UPLOAD_HANDLERS[0] == "schooldesk.core.uploads.SizeLimitUploadHandler"


# --- the virus scanner: a real clamd ------------------------------------------------------------
@pytest.fixture(params=["unix", "tcp"])
def scanner(request, clamd, settings):  # noqa: F811 - the fixture imported above
    settings.SCHOOLDESK_CLAMD_SOCKET = clamd.unix_socket if request.param == "unix" else clamd.tcp_address
    return clamd


def test_the_scanner_refuses_an_infected_file_and_keeps_a_clean_one(cast, client, scanner):
    response = report_form(
        client,
        cast.reporter,
        summary="Odd file from a parent",
        attachment=SimpleUploadedFile("letter.txt", b"Dear school,\n" + EICAR, "text/plain"),
    )
    page = response.content.decode()
    assert response.status_code == 400 and "the virus scanner found" in page and SIGNATURE in page
    assert "Odd file from a parent" in page  # what was typed is still there
    assert not Incident.objects.exists() and not Attachment.objects.exists()
    response = report_form(
        client,
        cast.reporter,
        summary="Clean file",
        attachment=SimpleUploadedFile("notes.txt", b"Room 4 projector: no picture.\n"),
    )
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "notes.txt"


def test_every_upload_is_scanned_contract_documents_too(cast, scanner):
    contract = make_contract(cast)
    with pytest.raises(ValidationError, match="virus scanner found"):
        contract_document_add(contract=contract, by=cast.owner, upload=SimpleUploadedFile("quote.txt", EICAR))
    assert not contract.documents.exists()


def test_a_spreadsheet_the_asset_import_would_keep_is_scanned_too(cast, client, scanner):
    client.force_login(cast.spoc)
    body = b"Asset tag,Type\nOAK-1," + EICAR + b"\n"
    response = client.post("/assets/import/", {"school": cast.school.pk, "file": SimpleUploadedFile("reg.csv", body)})
    assert response.status_code == 400 and "the virus scanner found" in response.content.decode()
    assert not AssetImport.objects.exists()


def test_a_scanner_that_cannot_be_reached_refuses_the_upload_and_says_so(cast, settings, caplog, tmp_path):
    settings.SCHOOLDESK_CLAMD_SOCKET = str(tmp_path / "no-clamd-here.sock")
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with (
        caplog.at_level(logging.ERROR, logger="schooldesk.core.scanning"),
        pytest.raises(ValidationError, match="could not be checked for viruses"),
    ):
        incident_reply(incident=incident, by=cast.reporter, body="", files=[SimpleUploadedFile("a.png", PNG)])
    assert "could not be reached" in caplog.text and "no-clamd-here.sock" in caplog.text
    assert not Attachment.objects.exists()


def test_a_file_larger_than_clamd_will_read_is_refused_not_kept_unscanned(cast, settings, caplog, clamd_small_stream):  # noqa: F811
    """A real clamd whose StreamMaxLength (1 MB) is below the file answers "INSTREAM size limit exceeded": the
    file is refused with the message for a large file, never kept as if it were clean; a smaller one is kept."""
    settings.SCHOOLDESK_CLAMD_SOCKET = clamd_small_stream.unix_socket
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    large = SimpleUploadedFile("log.txt", b"0" * (2 * 1024 * 1024))
    with (
        caplog.at_level(logging.ERROR, logger="schooldesk.core.scanning"),
        pytest.raises(ValidationError, match="If it is larger than usual, send a smaller file"),
    ):
        incident_reply(incident=incident, by=cast.reporter, body="", files=[large])
    assert "size limit exceeded" in caplog.text
    assert not Attachment.objects.exists()
    incident_reply(incident=incident, by=cast.reporter, body="", files=[SimpleUploadedFile("a.txt", b"Room 4.\n")])
    assert Attachment.objects.get().original_name == "a.txt"
