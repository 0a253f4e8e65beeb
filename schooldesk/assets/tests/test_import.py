"""Importing a school's spreadsheet: every bad row reported by line, nothing written until the whole
file is right, and a clear message for files that cannot be read at all."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from schooldesk.assets.importer import asset_import_apply, asset_import_check, asset_import_upload, guess_mapping
from schooldesk.assets.models import Asset, AssetEvent, AssetImport, AssetType
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.locations.models import Location
from schooldesk.suppliers.models import Supplier

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Asset No",
    "Device type",
    "Manufacturer",
    "Model",
    "Serial Number",
    "Room",
    "Status",
    "Purchase date",
    "Cost",
    "Supplier",
    "Warranty expiry",
    "Notes",
]


def csv_file(rows, headings=HEADINGS, name="register.csv", encoding="utf-8"):
    lines = [",".join(headings)] + [",".join(str(c) for c in row) for row in rows]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(encoding), content_type="text/csv")


def xlsx_file(rows, headings=HEADINGS, name="register.xlsx", merge=None, title=None):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name, buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def good_rows(n, prefix="OAK"):
    return [
        (
            f"{prefix}-{i:04d}",
            "Laptop" if i % 2 else "Chromebook",
            "Dell",
            "Latitude 3440",
            f"SN{i:06d}",
            "ICT suite",
            "In use",
            "01/09/2023",
            "£689.00",
            "Oak Support Ltd",
            "31/08/2026",
            "",
        )
        for i in range(1, n + 1)
    ]


def upload(cast, file):
    return asset_import_upload(school=cast.school, upload=file, by=cast.spoc)


def test_the_usual_headings_are_recognised():
    mapping = guess_mapping(HEADINGS)
    assert mapping == {
        "tag": "Asset No",
        "asset_type": "Device type",
        "make": "Manufacturer",
        "model": "Model",
        "serial": "Serial Number",
        "location": "Room",
        "status": "Status",
        "purchased_on": "Purchase date",
        "cost": "Cost",
        "supplier": "Supplier",
        "warranty_ends_on": "Warranty expiry",
        "notes": "Notes",
    }


def test_a_clean_csv_imports_every_row_in_one_go(cast):
    record = upload(cast, csv_file(good_rows(500)))
    check = asset_import_check(record=record, mapping=record.mapping)
    assert check.is_valid and check.total == 500 and not check.needs_confirmation
    added = asset_import_apply(record=record, mapping=record.mapping, by=cast.spoc, create_missing=False)
    assert added == 500 == Asset.objects.filter(school=cast.school).count()
    asset = Asset.objects.get(tag="OAK-0007")
    assert (
        asset.asset_type.name,
        asset.location.name,
        asset.supplier,
        asset.cost,
        asset.purchased_on,
        asset.warranty_ends_on,
    ) == ("Laptop", "ICT suite", cast.supplier, Decimal("689.00"), date(2023, 9, 1), date(2026, 8, 31))
    assert AssetEvent.objects.get(asset=asset).note == "Imported from register.csv, line 8"
    with pytest.raises(ValidationError):  # the same file twice
        asset_import_apply(record=record, mapping=record.mapping, by=cast.spoc, create_missing=False)


def test_every_bad_row_is_reported_by_line_and_nothing_is_written(cast):
    AssetFactory(school=cast.school, tag="OAK-0002")
    rows = good_rows(6)
    rows[1] = ("OAK-0002",) + rows[1][1:]  # line 3: already in the register
    rows[2] = ("OAK-0001",) + rows[2][1:]  # line 4: also on line 2
    rows[3] = rows[3][:7] + ("31/02/2024",) + rows[3][8:]  # line 5: no such date
    rows[4] = rows[4][:8] + ("=1+1",) + rows[4][9:]  # line 6: a formula
    rows[5] = ("",) + rows[5][1:6] + ("Broken beyond repair",) + rows[5][7:]  # line 7: no tag, unknown status
    record = upload(cast, csv_file(rows))
    check = asset_import_check(record=record, mapping=record.mapping)
    problems = [(e.line, e.column, e.message) for e in check.errors]
    assert (3, "Asset tag", f"“OAK-0002” is already in the register (AST-{Asset.objects.get().pk:06d})") in problems
    assert (4, "Asset tag", "“OAK-0001” is also on line 2") in problems
    assert (5, "Purchase date", "“31/02/2024” is not a date: write dates as dd/mm/yyyy") in problems
    assert any(line == 6 and column == "Cost (£)" and "formula" in message for line, column, message in problems)
    assert {(line, column) for line, column, _ in problems if line == 7} == {(7, "Asset tag"), (7, "Status")}
    assert check.bad_lines == 5 and not check.is_valid
    with pytest.raises(ValidationError) as error:
        asset_import_apply(record=record, mapping=record.mapping, by=cast.spoc, create_missing=True)
    assert "5 rows have problems: nothing was imported" in error.value.messages[0]
    assert Asset.objects.count() == 1


def test_new_locations_types_and_suppliers_wait_for_the_spocs_confirmation(cast):
    rows = [
        ("NEW-1", "3D printer", "Ultimaker", "S3", "", "Makerspace", "", "", "", "Printing Supplies Ltd", "", ""),
        ("NEW-2", "Laptop", "", "", "", "makerspace", "spare", "", "", "", "", ""),
    ]
    record = upload(cast, csv_file(rows))
    check = asset_import_check(record=record, mapping=record.mapping)
    assert check.is_valid and check.needs_confirmation
    assert list(check.new_locations.values()) == ["Makerspace"] and list(check.new_types.values()) == ["3D printer"]
    assert list(check.new_suppliers.values()) == ["Printing Supplies Ltd"]
    with pytest.raises(ValidationError):
        asset_import_apply(record=record, mapping=record.mapping, by=cast.spoc, create_missing=False)
    assert not Asset.objects.exists() and not Location.objects.filter(name="Makerspace").exists()
    assert asset_import_apply(record=record, mapping=record.mapping, by=cast.spoc, create_missing=True) == 2
    makerspace = Location.objects.get(school=cast.school, name="Makerspace")
    assert set(Asset.objects.values_list("location", flat=True)) == {makerspace.pk}
    assert AssetType.objects.filter(school=cast.school, name="3D printer").exists()
    assert Supplier.objects.filter(organisation=cast.school.organisation, name="Printing Supplies Ltd").exists()


def test_xlsx_with_real_dates_numbers_and_people(cast):
    rows = [
        [
            "X-1",
            "Tablet",
            "Apple",
            "iPad",
            123456789,
            "Library",
            "On loan",
            date(2024, 1, 15),
            319,
            "",
            date(2025, 1, 15),
            "Class set",
        ]
    ]
    headings = HEADINGS[:-1] + ["Issued to"]
    rows[0][-1] = cast.reporter.username
    record = upload(cast, xlsx_file(rows, headings=headings))
    check = asset_import_check(record=record, mapping=record.mapping)
    assert check.is_valid, check.errors
    asset_import_apply(record=record, mapping=record.mapping, by=cast.spoc, create_missing=False)
    asset = Asset.objects.get()
    assert (asset.serial, asset.status, asset.issued_to, asset.purchased_on, asset.cost) == (
        "123456789",
        "on_loan",
        cast.reporter,
        date(2024, 1, 15),
        Decimal("319.00"),
    )


def test_formulas_in_a_workbook_are_reported_not_imported(cast):
    rows = [["F-1", "Laptop", "Dell", "", "", "Library", "", "", "=SUM(1,2)", "", "", ""]]
    record = upload(cast, xlsx_file(rows))
    check = asset_import_check(record=record, mapping=record.mapping)
    assert [(e.line, e.column) for e in check.errors] == [(2, "Cost (£)")]
    assert "holds a formula (=SUM(1,2)): replace it with its value" == check.errors[0].message


@pytest.mark.parametrize(
    "make_file, message",
    [
        (
            lambda: (
                csv_file(good_rows(3), encoding="cp1252")
                if False
                else SimpleUploadedFile("old.csv", "Asset tag,Type,Cost\nA-1,Laptop,£300\n".encode("cp1252"))
            ),
            "not saved as UTF-8 text: line 2",
        ),
        (lambda: xlsx_file(good_rows(2), merge="A1:C1"), "Columns B, C have data but no heading"),
        (
            lambda: xlsx_file(good_rows(2), title="Asset register 2024"),
            "The first row holds only “Asset register 2024”",
        ),
        (
            lambda: csv_file(good_rows(2), headings=HEADINGS[:2] + ["Model"] * 2 + HEADINGS[4:]),
            "Two columns are headed",
        ),
        (
            lambda: SimpleUploadedFile("register.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100),
            "old-style Excel",
        ),
        (
            lambda: SimpleUploadedFile("register.xlsx", b"Asset tag,Type\n"),
            "is called .xlsx but is not an Excel workbook",
        ),
        (lambda: SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n0000"), "imports .csv and .xlsx files"),
        (lambda: SimpleUploadedFile("empty.csv", b""), "The file is empty"),
        (lambda: csv_file([]), "headings but no rows"),
        (lambda: SimpleUploadedFile("binary.csv", b"Asset tag,Type\n\x00\x01\x02,x\n"), "binary data"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message(cast, make_file, message):
    with pytest.raises(ValidationError) as error:
        upload(cast, make_file())
    assert message in error.value.message_dict["file"][0]
    assert not AssetImport.objects.exists() and not Asset.objects.exists()


def test_fifty_thousand_rows_are_refused_with_the_reason(cast):
    body = "Asset tag,Type\n" + "".join(f"BIG-{i},Laptop\n" for i in range(50_000))
    with pytest.raises(ValidationError) as error:
        upload(cast, SimpleUploadedFile("big.csv", body.encode()))
    message = error.value.message_dict["file"][0]
    assert "more than 20,000 rows" in message and "split it" in message
    assert not AssetImport.objects.exists()


def test_the_mapping_must_name_the_tag_and_type_once(cast):
    record = upload(cast, csv_file(good_rows(2)))
    with pytest.raises(ValidationError) as error:
        asset_import_check(record=record, mapping={"tag": "Asset No"})
    assert "asset_type" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        asset_import_check(record=record, mapping={"tag": "Asset No", "asset_type": "Asset No"})
    assert "already used for asset tag" in error.value.message_dict["asset_type"][0]


def test_the_import_pages_map_check_and_import(cast, login):
    client = login(cast.spoc)
    response = client.post("/assets/import/", {"school": cast.school.pk, "file": csv_file(good_rows(30))})
    record = AssetImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assets/import/{record.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert '<option value="Asset No" selected>' in page
    mapping = {f"map_{name}": heading for name, heading in record.mapping.items()}
    checked = client.post(f"/assets/import/{record.pk}/", {**mapping, "action": "check"})
    assert checked.status_code == 200 and "All 30 assets are ready to import" in checked.content.decode()
    assert not Asset.objects.exists()
    done = client.post(f"/assets/import/{record.pk}/", {**mapping, "action": "import"})
    assert done.status_code == 302 and Asset.objects.count() == 30


def test_the_import_page_lists_the_problems_and_keeps_the_mapping(cast, login):
    client = login(cast.spoc)
    rows = good_rows(3)
    rows[2] = rows[2][:7] + ("yesterday",) + rows[2][8:]
    client.post("/assets/import/", {"school": cast.school.pk, "file": csv_file(rows)})
    record = AssetImport.objects.get()
    mapping = {f"map_{name}": heading for name, heading in record.mapping.items()}
    response = client.post(f"/assets/import/{record.pk}/", {**mapping, "action": "import"})
    html = response.content.decode()
    assert response.status_code == 400 and "1 row of 3 has a problem" in html
    assert "<td>4</td><td>Purchase date</td><td>“yesterday” is not a date" in html
    assert '<option value="Serial Number" selected>' in html
    assert not Asset.objects.exists()


def test_a_reporter_or_another_school_cannot_import(cast, other, login):
    record = upload(cast, csv_file(good_rows(2)))
    assert login(cast.reporter).get("/assets/import/").status_code == 403
    assert login(other.spoc).get(f"/assets/import/{record.pk}/").status_code == 404
    assert login(other.spoc).post(f"/assets/import/{record.pk}/", {"action": "import"}).status_code == 404
