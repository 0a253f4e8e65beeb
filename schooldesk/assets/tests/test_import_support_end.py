"""The asset import reads the support end (end of support, a Chromebook's auto-update expiry, end of life)
under the headings schools and the makers' exports use."""

from datetime import date

import pytest

from schooldesk.assets.importer import asset_import_apply, asset_import_check, guess_mapping
from schooldesk.assets.models import Asset
from schooldesk.assets.tests.test_import import HEADINGS, csv_file, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "heading", ["Support ends", "End of support", "Auto Update Expiration", "AUE", "AUE date", "End of life", "EOL"]
)
def test_the_support_end_heading_is_recognised(heading):
    assert guess_mapping([*HEADINGS, heading])["support_ends_on"] == heading


def test_the_support_end_is_imported_and_a_bad_date_reported_by_line(cast):
    headings = [*HEADINGS, "AUE"]
    row = [
        "OAK-0001",
        "Chromebook",
        "Acer",
        "C733",
        "SN1",
        "ICT suite",
        "In use",
        "01/09/2023",
        "£229.00",
        "Oak Support Ltd",
        "31/08/2026",
        "",
        "30/06/2029",
    ]
    bad = upload(cast, csv_file([row, ["OAK-0002", *row[1:4], "SN2", *row[5:12], "June-ish"]], headings))
    check = asset_import_check(record=bad, mapping=bad.mapping)
    assert not check.is_valid and [(e.line, e.column) for e in check.errors] == [(3, "Support ends")]
    record = upload(cast, csv_file([row], headings, name="chromebooks.csv"))
    assert asset_import_apply(record=record, mapping=record.mapping, by=cast.spoc, create_missing=False) == 1
    assert Asset.objects.get(tag="OAK-0001").support_ends_on == date(2029, 6, 30)
