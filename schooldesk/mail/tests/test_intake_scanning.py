"""An emailed attachment passes the same upload check as one sent from a page (docs/decisions/0015): the virus
scanner (a real clamd) refuses an infected one, noted on the call with the rest kept, and a photo loses its GPS
position before it is kept."""

import io
from pathlib import Path

import pytest
from PIL import Image

from schooldesk.core.tests.clamd import EICAR, SIGNATURE, clamd  # noqa: F401 - the fixture
from schooldesk.incidents.tests.test_upload_safety import GPS, photo
from schooldesk.mail.intake import inbound_process
from schooldesk.mail.services import inbound_store
from schooldesk.mail.tests.factories import PNG, MailboxFactory, raw_email

pytestmark = pytest.mark.django_db


def test_an_emailed_attachment_is_scanned_and_a_photo_kept_without_its_position(
    cast,
    clamd,
    settings,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    settings.SCHOOLDESK_CLAMD_SOCKET = clamd.unix_socket
    mailbox = MailboxFactory(school=cast.school, address="desk@oak.sch.uk")
    raw = raw_email(
        to=mailbox.address,
        sender=cast.reporter.email,
        subject="Odd attachment",
        body="See attached.",
        attachments=[
            ("invoice.txt", b"Pay now\n" + EICAR, "text", "plain"),
            ("screen.png", PNG, "image", "png"),
            ("door.jpg", photo(), "image", "jpeg"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        message, _stored = inbound_store(mailbox=mailbox, raw=raw)
        message = inbound_process(message)
    incident = message.incident
    kept = {a.original_name: a for a in incident.attachments.all()}
    assert sorted(kept) == ["door.jpg", "screen.png"]
    assert "Attachments not kept" in incident.description and SIGNATURE in incident.description
    with Image.open(io.BytesIO(Path(kept["door.jpg"].file.path).read_bytes())) as image:
        assert not image.getexif().get_ifd(GPS) and not image.getexif()
