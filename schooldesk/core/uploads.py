"""Uploads are measured as they arrive, not after (docs/decisions/0015).

Django streams a multipart upload into memory or a temporary file, all of it, before any form sees it: a 2 GB
"photo" filled the disk first and was refused after. `SizeLimitUploadHandler` comes first in
FILE_UPLOAD_HANDLERS: it counts each file's bytes and, past SCHOOLDESK_UPLOAD_MAX_BYTES, passes no more of that
file on and hands the form an empty stand-in that knows its size (`OversizeUpload`). The form's own size check then
refuses it with its usual clear message, and the rest of the form (what the person typed) arrives as normal.
A request whose whole body is over SCHOOLDESK_REQUEST_MAX_BYTES (nginx's client_max_body_size, the same figure)
is refused before it is read (400).

`attachment_validate(upload)` is the one check every kept file passes (a call's attachments, mail's, a contract's
documents, a licence's proof, a loan's photos and agreements, a check's evidence): type, size, first bytes, the virus
scanner, and a JPEG kept without its EXIF."""

import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _

from schooldesk.core import scanning

ORIENTATION = 0x0112  # the EXIF tag that says which way up a photo is shown


class OversizeUpload(InMemoryUploadedFile):
    """A file that was larger than the desk takes: its name, type and size so far, none of its content."""

    is_oversize = True

    def __init__(self, *, field_name, name, content_type, size, charset=None):
        super().__init__(io.BytesIO(b""), field_name, name, content_type, size, charset)


class SizeLimitUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.SCHOOLDESK_REQUEST_MAX_BYTES:
            raise RequestDataTooBig(
                f"The request's body ({content_length} bytes) is over "
                f"SCHOOLDESK_REQUEST_MAX_BYTES ({settings.SCHOOLDESK_REQUEST_MAX_BYTES})."
            )

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.SCHOOLDESK_UPLOAD_MAX_BYTES:
            return None  # the handlers after this one (memory, temporary file) get no more of this file
        return raw_data

    def file_complete(self, file_size):
        if self.received > settings.SCHOOLDESK_UPLOAD_MAX_BYTES:
            return OversizeUpload(
                field_name=self.field_name,
                name=self.file_name,
                content_type=self.content_type,
                size=self.received,
                charset=self.charset,
            )
        return None  # the next handler's file


def without_metadata(upload):
    """A JPEG photo as it will be kept: without its EXIF block (GPS position, camera serial, times), XMP or comments,
    turned the way its EXIF said it should be shown. Other files are returned as they are.

    A photo that needs no turning keeps its own quantisation tables (`quality="keep"`), so it is not compressed a
    second time; a turned one is saved at quality 90. The colour profile is kept. Raises ValueError for a file
    that says it is a JPEG and cannot be read as one."""
    from PIL import Image, ImageOps

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format != "JPEG":
                raise ValueError("not a JPEG")
            image.load()
            icc = image.info.get("icc_profile")
            if image.getexif().get(ORIENTATION, 1) == 1:
                turned, options = image, {"quality": "keep", "subsampling": "keep"}
            else:
                turned, options = ImageOps.exif_transpose(image), {"quality": 90}
            buffer = io.BytesIO()
            turned.save(buffer, "JPEG", optimize=True, icc_profile=icc, comment=b"", **options)
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(str(exc)) from exc
    finally:
        upload.seek(0)
    return InMemoryUploadedFile(
        buffer,
        getattr(upload, "field_name", None),
        upload.name,
        getattr(upload, "content_type", None) or "image/jpeg",
        buffer.getbuffer().nbytes,
        None,
    )


ALLOWED_EXTENSIONS = {
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".heic",
    ".txt",
    ".log",
    ".csv",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".odt",
    ".ods",
    ".eml",
    ".msg",
    ".zip",
}
#: the first bytes a file of that type must start with; a renamed executable is refused
MAGIC = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8",),
    ".jpeg": (b"\xff\xd8",),
    ".gif": (b"GIF8",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
}


def attachment_validate(upload):
    """Refuse files of an unexpected type or size, or that the virus scanner refuses (fail closed), with a message
    the person can act on. Returns the file to keep: a JPEG photo without its EXIF (its GPS position above all),
    turned the way it is shown; any other file as it came (docs/decisions/0015)."""
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("“%(name)s” is not a file type we accept. Send a photo, PDF, text or Office document.")
            % {"name": upload.name}
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB. Send a smaller file or a screenshot.")
            % {"name": upload.name, "limit": limit}
        )
    if extension in MAGIC:
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(MAGIC[extension]):
            raise ValidationError(
                _("“%(name)s” does not look like a %(kind)s file.")
                % {"name": upload.name, "kind": extension[1:].upper()}
            )
    try:
        scanning.scan(upload)
    except scanning.ScanRefused as exc:
        raise ValidationError(exc.message) from exc
    if extension in (".jpg", ".jpeg"):
        try:
            return without_metadata(upload)
        except ValueError as exc:
            raise ValidationError(
                _("“%(name)s” could not be read as a photo. Take it again or send it as a PDF.") % {"name": upload.name}
            ) from exc
    return upload
