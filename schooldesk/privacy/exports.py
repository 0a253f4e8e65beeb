"""The subject access pack: a readable PDF (WeasyPrint, as the service report) and a ZIP of machine-readable files
(JSON and CSV per kind, and the attachments themselves). Exempt items are in neither."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from schooldesk.core.exports import spreadsheet_safe
from schooldesk.privacy.choices import RecordKind
from schooldesk.privacy.selectors import Records

ZIP = "application/zip"


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def readable(value) -> str:
    """A value as the person reads it in the PDF: en-GB dates, local times, Yes/No."""
    from django.utils.translation import gettext as _

    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def readable_items(items) -> list[tuple]:
    """(item, [(label, text)]) with the empty values left out: the PDF's rows."""
    return [
        (
            item,
            [
                (name.replace("_", " ").capitalize(), readable(value))
                for name, value in item.fields.items()
                if readable(value) != ""
            ],
        )
        for item in items
    ]


def pack_filename(request_obj, extension: str) -> str:
    return f"subject-access-{request_obj.reference.lower()}-{timezone.localdate():%Y-%m-%d}.{extension}"


def groups_for_pack(records: Records) -> list[tuple[str, str, list]]:
    """(kind, its name, items included) in RecordKind order, kinds with nothing left out."""
    included = records.included()
    return [(kind, RecordKind(kind).label, included[kind]) for kind in RecordKind.values if included.get(kind)]


def pack_pdf(http_request, request_obj, records: Records) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(
        "privacy/pack_pdf.html",
        {
            "sar": request_obj,
            "made_on": timezone.localdate(),
            "groups": [(kind, label, readable_items(items)) for kind, label, items in groups_for_pack(records)],
        },
        request=http_request,
    )
    document = HTML(string=html, base_url=http_request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack_filename(request_obj, "pdf")}"'
    return response


def _csv(items) -> str:
    """One row per item; the columns are every field any item has (a signed loan has more than an unsigned one)."""
    header = list(dict.fromkeys(name for item in items for name in item.fields))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for item in items:
        writer.writerow([spreadsheet_safe(_plain(item.fields.get(name, ""))) for name in header])
    return out.getvalue()


def pack_zip(request_obj, records: Records) -> HttpResponse:
    buffer = io.BytesIO()
    groups = groups_for_pack(records)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            (
                f"Subject access request {request_obj.reference} for {request_obj.subject_name}, "
                f"{request_obj.school.name}.\nReceived {request_obj.received_on:%d/%m/%Y}; pack made "
                f"{timezone.localdate():%d/%m/%Y}.\nOne JSON and one CSV file per kind of record; the attachments "
                "are in attachments/, the signed loan agreements' signatures and scans in agreements/.\n"
            ),
        )
        for kind, _label, items in groups:
            rows = [{name: _plain(value) for name, value in item.fields.items()} for item in items]
            archive.writestr(f"{kind}.json", json.dumps(rows, indent=2, ensure_ascii=False, default=str))
            archive.writestr(f"{kind}.csv", _csv(items))
            for item in items:  # an attachment's file, a loan agreement's signature or scanned copy
                for path, stored in item.files:
                    try:
                        with stored.open("rb") as file:
                            archive.writestr(path, file.read())
                    except OSError:  # a file gone from the disk: the listing still says it existed
                        continue
    response = HttpResponse(buffer.getvalue(), content_type=ZIP)
    response["Content-Disposition"] = f'attachment; filename="{pack_filename(request_obj, "zip")}"'
    return response
