"""Spreadsheets built to hurt the server (docs/decisions/0015): a workbook whose XML defines entities that expand a
billion times, one that unzips to far more than it weighs, one that says it has a million rows. Each gets the
import's usual clear message on the page, through both imports that read spreadsheets (the asset register and the
licence installations), and nothing is imported."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from schooldesk.assets.models import Asset, AssetImport
from schooldesk.core import spreadsheets
from schooldesk.licences.models import Installation

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook() -> bytes:
    book = Workbook()
    book.active.append(["Asset tag", "Type", "Product"])
    book.active.append(["OAK-1", "Laptop", "Scratch Desktop"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replaced(data: bytes, name: str, writer) -> bytes:
    """The workbook with one part written anew by `writer(handle, old content)` (streamed and compressed: a bomb
    is never held whole)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    assert name in source.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == name:
                part = zipfile.ZipInfo(name)
                part.compress_type = zipfile.ZIP_DEFLATED
                with target.open(part, "w", force_zip64=True) as handle:
                    writer(handle, source.read(name))
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def billion_laughs_in_the_sheet() -> bytes:
    return replaced(
        workbook(),
        SHEET,
        lambda h, _old: h.write(
            f'<?xml version="1.0"?>{LAUGHS}<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
            f"<t>&lol9;</t></is></c></row></sheetData></worksheet>".encode()
        ),
    )


def billion_laughs_in_the_workbook() -> bytes:
    return replaced(
        workbook(),
        "xl/workbook.xml",
        lambda h, old: h.write(
            old.replace(b"<workbook ", f"{LAUGHS}<workbook ".encode(), 1).replace(b"Sheet", b"&lol9;", 1)
        ),
    )


def zip_bomb() -> bytes:
    """A sheet of 40 KB that unzips to 200 MB (blank space inside the sheet's XML: well formed, if read whole)."""

    def write(handle, _old):
        handle.write(f'<?xml version="1.0"?><worksheet {MAIN}><sheetData>'.encode())
        for _ in range(200):
            handle.write(b" " * (1024 * 1024))
        handle.write(b"</sheetData></worksheet>")

    return replaced(workbook(), SHEET, write)


def a_million_rows() -> bytes:
    """Two cells, the second in the last row and last column a sheet can have: read as a grid, 17 billion cells."""
    return replaced(
        workbook(),
        SHEET,
        lambda h, _old: h.write(
            f'<?xml version="1.0"?><worksheet {MAIN}><dimension ref="A1:XFD1048576"/><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Asset tag</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            "</sheetData></worksheet>".encode()
        ),
    )


def too_many_real_rows() -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Asset tag", "Type", "Product"])
    for i in range(spreadsheets.MAX_ROWS + 1):
        sheet.append([f"BIG-{i}", "Laptop", "Scratch Desktop"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HOSTILE = {
    "billion laughs in the sheet": (billion_laughs_in_the_sheet, "could not be opened"),
    "billion laughs in the workbook": (billion_laughs_in_the_workbook, "could not be opened"),
    "zip bomb": (zip_bomb, "unpacks to more than"),
    "a million rows, declared": (a_million_rows, "more than 20,000 rows"),
    "20,001 rows": (too_many_real_rows, "more than 20,000 rows"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("page", ["/assets/import/", "/licences/installations/import/"])
def test_a_hostile_workbook_gets_the_imports_clear_message_and_nothing_is_imported(cast, client, kind, page):
    make, message = HOSTILE[kind]
    client.force_login(cast.spoc)
    client.raise_request_exception = False  # a 500 is what this test is here to catch, not an error of its own
    upload = SimpleUploadedFile("register.xlsx", make(), content_type=XLSX)  # made before the clock starts
    started = time.monotonic()
    response = client.post(page, {"school": cast.school.pk, "file": upload})
    seconds = time.monotonic() - started
    assert response.status_code == 400, f"{kind}: {response.status_code}"
    assert message in response.content.decode(), response.content.decode()[-3000:]
    assert seconds < 60, f"{kind} took {seconds:.0f} s to refuse"  # a bomb would take minutes or exhaust memory
    assert not AssetImport.objects.exists() and not Asset.objects.exists() and not Installation.objects.exists()


def test_openpyxl_parses_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml is not installed: openpyxl would parse workbooks with the standard library"


def test_a_wide_but_honest_workbook_still_imports_its_rows():
    table = spreadsheets.read_table(SimpleUploadedFile("register.xlsx", workbook()))
    assert table.headers == ["Asset tag", "Type", "Product"] and table.rows == [
        (2, ["OAK-1", "Laptop", "Scratch Desktop"])
    ]


def test_without_defusedxml_a_billion_laughs_is_still_the_clear_message(tmp_path):
    """openpyxl falls back to the standard library's parser when defusedxml is missing (a server installed without
    it): expat's own guard then stops the expansion with a ParseError, which must be the usual message too, not a
    500. Run in a fresh interpreter where defusedxml cannot be imported."""
    import subprocess
    import sys

    from django.conf import settings

    (tmp_path / "laughs.xlsx").write_bytes(billion_laughs_in_the_sheet())
    script = f"""
import sys
sys.modules["defusedxml"] = None  # as if not installed
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from openpyxl.xml import DEFUSEDXML
assert not DEFUSEDXML
from schooldesk.core.spreadsheets import ImportFileError, read_table
try:
    read_table(open({str(tmp_path / "laughs.xlsx")!r}, "rb"), "laughs.xlsx")
except ImportFileError as exc:
    print("CLEAR:", exc.message)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,  # noqa: S603
        timeout=120,
        check=False,
    )
    assert result.stdout.startswith("CLEAR: The workbook could not be opened"), result.stdout + result.stderr[-1500:]
