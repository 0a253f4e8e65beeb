"""Uploads are measured as they arrive, not after (docs/decisions/0015).

Django streams a multipart upload into memory or a temporary file, all of it, before any form sees it: a 2 GB
"photo" filled the disk first and was refused after. `SizeLimitUploadHandler` comes first in
FILE_UPLOAD_HANDLERS: it counts each file's bytes and, past SCHOOLDESK_UPLOAD_MAX_BYTES, passes no more of that
file on and hands the form an empty stand-in that knows its size (`OversizeUpload`). The form's own size check then
refuses it with its usual clear message, and the rest of the form (what the person typed) arrives as normal.
A request whose whole body is over SCHOOLDESK_REQUEST_MAX_BYTES (nginx's client_max_body_size, the same figure)
is refused before it is read (400)."""

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

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
