"""The asset pages as people use them, the exports, the labels, and the link with calls."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(cast):
    return Location.objects.get(school=cast.school, name="Library")


def test_spoc_adds_an_asset_and_a_duplicate_tag_keeps_what_was_typed(cast, login, library):
    client = login(cast.spoc)
    form = client.get("/assets/new/")
    assert form.status_code == 200 and "Interactive panel or whiteboard" in form.content.decode()
    laptop = cast.school.assettype_set.get(name="Laptop")
    data = {
        "school": cast.school.pk,
        "tag": "OAK-0100",
        "asset_type": laptop.pk,
        "make": "Dell",
        "model": "Latitude",
        "serial": "ABC123",
        "location": library.pk,
        "status": "in_use",
        "cost": "689.00",
        "purchased_on": "2024-09-01",
    }
    response = client.post("/assets/new/", data)
    asset = Asset.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assets/{asset.pk}/"
    again = client.post("/assets/new/", {**data, "tag": "oak-0100", "serial": "abc123", "notes": "second one"})
    html = again.content.decode()
    assert again.status_code == 400 and "already used by" in html and "already recorded for OAK-0100" in html
    assert "second one" in html and Asset.objects.count() == 1


def test_the_asset_page_shows_history_relationships_and_calls_with_a_repeat_count(cast, login, library):
    projector = AssetFactory(school=cast.school, by=cast.spoc, tag="OAK-P1", type_name="Projector", location=library)
    switch = AssetFactory(school=cast.school, tag="OAK-SW", type_name="Switch")
    client = login(cast.spoc)
    client.post(f"/assets/{projector.pk}/relate/", {"kind": "connected_to", "to_asset": "oak-sw"})
    for n in range(3):
        IncidentFactory(
            school=cast.school, by=cast.reporter, location=library, asset=projector, summary=f"Projector fault {n}"
        )
    page = client.get(f"/assets/{projector.pk}/").content.decode()
    assert "Repeat: 3 calls in 90 days" in page and "Projector fault 2" in page
    assert "3 in all, 3 in the last 90 days, 3 still open." in page
    assert "OAK-SW" in page and "Added to the register" in page and "Relationship" in page
    switch_page = client.get(f"/assets/{switch.pk}/").content.decode()
    assert "If this fails, 1 other asset is affected" in switch_page and "OAK-P1" in switch_page


def test_actions_move_lend_and_failed_forms_keep_input(cast, login, library):
    asset = AssetFactory(school=cast.school, location=library)
    client = login(cast.technician)
    hall = Location.objects.get(school=cast.school, name="Hall")
    assert client.post(f"/assets/{asset.pk}/move/", {"location": hall.pk, "note": "for the concert"}).status_code == 302
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    failed = client.post(
        f"/assets/{asset.pk}/issue/", {"person": cast.reporter.pk, "loan_due_on": past, "note": "school trip"}
    )
    assert failed.status_code == 400 and "The return date is in the past" in failed.content.decode()
    assert "school trip" in failed.content.decode()
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    lent = client.post(f"/assets/{asset.pk}/issue/", {"person": cast.reporter.pk, "loan_due_on": due})
    assert lent.status_code == 302
    asset.refresh_from_db()
    assert asset.location == hall and asset.status == AssetStatus.ON_LOAN
    assert (
        client.post(
            f"/assets/{asset.pk}/dispose/", {"disposed_on": timezone.localdate().isoformat(), "method": "weee"}
        ).status_code
        == 403
    )  # technicians cannot


def test_list_filters_search_and_bulk(cast, login, library):
    a = AssetFactory(school=cast.school, tag="OAK-1", serial="SER-1", location=library)
    b = AssetFactory(school=cast.school, tag="OAK-2", type_name="Projector")
    client = login(cast.spoc)
    assert "OAK-2" not in client.get("/assets/?q=ser-1").content.decode()
    assert "OAK-1" in client.get(f"/assets/?q={a.reference}").content.decode()
    assert "OAK-1" not in client.get(f"/assets/?asset_type={b.asset_type_id}").content.decode()
    hall = Location.objects.get(school=cast.school, name="Hall")
    response = client.post(
        "/assets/bulk/",
        {"asset": [a.pk, b.pk], "location": hall.pk, "status": "spare", "action": "apply", "next": "/assets/"},
    )
    assert response.status_code == 302
    assert set(Asset.objects.values_list("location", "status")) == {(hall.pk, "spare")}


def test_exports_are_safe_against_formulas_and_follow_the_filter(cast, login):
    AssetFactory(school=cast.school, tag='=HYPERLINK("http://evil")', notes="+cmd|' /C calc'!A0")
    AssetFactory(school=cast.school, tag="OAK-SAFE", type_name="Projector", purchased_on=timezone.localdate())
    client = login(cast.spoc)
    text = client.get("/assets/export/").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text and "OAK-SAFE" in text
    xlsx = client.get("/assets/export/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0][:2]] == ["Reference", "Asset tag"]
    assert '\'=HYPERLINK("http://evil")' in {row[1].value for row in rows[1:]}
    assert not any(cell.data_type == "f" for row in rows for cell in row)
    assert any(cell.is_date for row in rows[1:] for cell in row)
    only_one = client.get("/assets/export/?q=OAK-SAFE").content.decode("utf-8-sig")
    assert "OAK-SAFE" in only_one and "HYPERLINK" not in only_one


def test_label_sheets_are_laid_out_three_by_seven():
    from schooldesk.assets.labels import Label, sheet_pages

    pages = sheet_pages([Label(url=f"https://x/{n}", title=str(n)) for n in range(23)], skip=2)
    assert [len(p) for p in pages] == [21, 4]
    first, second, fourth = pages[0][0], pages[0][2], pages[0][5]
    assert first.label is None and second.label.title == "0"
    assert (second.left_mm, second.top_mm) == (139.2, 15.15)  # third column, first row
    assert (fourth.left_mm, fourth.top_mm) == (139.2, 53.25)  # third column, second row
    assert (pages[0][20].left_mm, pages[0][20].top_mm) == (139.2, 243.75)  # the last of 21
    assert pages[1][0].label.title == "19"


def test_asset_labels_hold_the_absolute_report_here_address(cast, library, rf, settings):
    from schooldesk.assets.views import asset_labels

    settings.ALLOWED_HOSTS = ["desk.oakfield.sch.uk"]
    asset = AssetFactory(school=cast.school, tag="OAK-LBL", location=library)
    request = rf.get("/assets/labels/", HTTP_HOST="desk.oakfield.sch.uk", secure=True)
    label = asset_labels(request, [asset])[0]
    assert label.url == f"https://desk.oakfield.sch.uk/assets/here/{asset.pk}/"
    assert label.title == "OAK-LBL" and label.lines == ("Laptop, Dell Latitude 3440", "Library")
    assert label.qr_svg.startswith("data:image/svg+xml")


def test_labels_hold_schooldesk_site_url_when_it_is_set(cast, library, rf, settings):
    from schooldesk.assets.views import asset_labels

    settings.SCHOOLDESK_SITE_URL_IS_SET, settings.SCHOOLDESK_SITE_URL = True, "https://desk.oakfield.sch.uk"
    asset = AssetFactory(school=cast.school, tag="OAK-LBL", location=library)
    label = asset_labels(rf.get("/assets/labels/", HTTP_HOST="127.0.0.1:8102"), [asset])[0]
    assert label.url == f"https://desk.oakfield.sch.uk/assets/here/{asset.pk}/"


def test_labels_download_as_an_a4_pdf(cast, login, library, tmp_path):
    import shutil
    import subprocess

    assets = [AssetFactory(school=cast.school, tag=f"OAK-{n:03d}", location=library) for n in range(23)]
    client = login(cast.spoc)
    response = client.post("/assets/bulk/", {"asset": [a.pk for a in assets], "action": "labels", "skip": "2"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="asset-labels.pdf"'
    assert response.content.startswith(b"%PDF")
    rooms = client.get(f"/assets/labels/rooms/?school={cast.school.pk}")
    assert rooms.status_code == 200 and rooms.content.startswith(b"%PDF")
    nothing = client.get("/assets/labels/")
    assert nothing.status_code == 302
    if shutil.which("pdfinfo"):  # poppler-utils (make system-deps): the sheets are A4 and 25 labels take two
        path = tmp_path / "labels.pdf"
        path.write_bytes(response.content)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
        assert re.search(r"^Pages: +2$", info, re.M) and "(A4)" in info


def test_a_device_label_opens_the_report_form_with_device_and_room(cast, login, library):
    projector = AssetFactory(school=cast.school, tag="OAK-PRJ", type_name="Projector", location=library)
    client = login(cast.reporter)
    response = client.get(f"/assets/here/{projector.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/new/?location={library.pk}&asset={projector.pk}&via=qr"
    form = client.get(response["Location"]).content.decode()
    assert f'<option value="{projector.pk}" selected>OAK-PRJ – Projector, Dell Latitude 3440</option>' in form
    assert f'<option value="{library.pk}" selected>' in form
    posted = client.post(
        response["Location"],
        {"kind": "incident", "summary": "No picture", "location": library.pk, "asset": projector.pk},
    )
    incident = Incident.objects.get()
    assert posted.status_code == 302 and incident.asset == projector and incident.channel == "qr"
    call = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "OAK-PRJ" in call and f"/assets/{projector.pk}/" not in call  # a reporter does not see the register


def test_a_device_label_needs_a_login_and_the_right_school(cast, other, client, login, library):
    projector = AssetFactory(school=cast.school, location=library)
    response = client.get(f"/assets/here/{projector.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert login(other.reporter).get(f"/assets/here/{projector.pk}/").status_code == 404


def test_the_device_choices_follow_the_chosen_room(cast, other, login, library):
    AssetFactory(school=cast.school, tag="LIB-PANEL", type_name="Interactive panel or whiteboard", location=library)
    AssetFactory(
        school=cast.school,
        tag="HALL-PRJ",
        type_name="Projector",
        location=Location.objects.get(school=cast.school, name="Hall"),
    )
    AssetFactory(school=cast.school, tag="LIB-OLD", location=library, status=AssetStatus.RETIRED)
    options = login(cast.reporter).get(f"/assets/options/?location={library.pk}").content.decode()
    assert "LIB-PANEL" in options and "HALL-PRJ" not in options and "LIB-OLD" not in options
    assert "LIB-PANEL" not in login(other.reporter).get(f"/assets/options/?location={library.pk}").content.decode()
    form = login(cast.spoc).get("/incidents/new/?for=caller").content.decode()
    assert 'hx-get="/assets/options/"' in form and "Choose where first" in form


def test_a_call_cannot_name_another_schools_device(cast, other, login, library):
    theirs = AssetFactory(school=other.school, tag="ELM-1")
    response = login(cast.reporter).post(
        "/incidents/new/", {"kind": "incident", "summary": "Broken", "location": library.pk, "asset": theirs.pk}
    )
    assert response.status_code == 400 and not Incident.objects.exists()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        IncidentFactory(school=cast.school, by=cast.spoc, location=library, asset=theirs)
    assert "this school's register" in error.value.message_dict["asset"][0]


def test_the_incident_list_finds_calls_by_asset_tag(cast, login, library):
    projector = AssetFactory(school=cast.school, tag="OAK-FIND", location=library)
    IncidentFactory(school=cast.school, by=cast.reporter, location=library, asset=projector, summary="Found by tag")
    IncidentFactory(school=cast.school, by=cast.reporter, location=library, summary="Something else")
    client = login(cast.spoc)
    for url in ("/incidents/?device=oak-find", "/incidents/?q=OAK-FIND"):
        html = client.get(url).content.decode()
        assert "Found by tag" in html and "Something else" not in html


def test_reporters_and_other_schools_cannot_open_the_register(cast, other, login):
    asset = AssetFactory(school=cast.school)
    assert login(cast.reporter).get("/assets/").status_code == 403
    assert login(cast.reporter).get(f"/assets/{asset.pk}/").status_code == 403
    assert login(other.spoc).get(f"/assets/{asset.pk}/").status_code == 404
    assert login(other.spoc).post(f"/assets/{asset.pk}/move/", {}).status_code == 404
    assert "TAG-" not in login(other.spoc).get("/assets/").content.decode()


def test_audit_page_checks_then_records(cast, login, library):
    AssetFactory(school=cast.school, tag="LIB-1", location=library)
    AssetFactory(school=cast.school, tag="LIB-2", location=library)
    client = login(cast.technician)
    checked = client.post("/assets/audit/", {"location": library.pk, "codes": "LIB-1\nUNKNOWN-7", "action": "check"})
    html = checked.content.decode()
    assert checked.status_code == 200 and "UNKNOWN-7" in html and "1 of the 2 assets recorded here were scanned" in html
    assert Asset.objects.filter(last_audited_on__isnull=False).count() == 0
    recorded = client.post("/assets/audit/", {"location": library.pk, "codes": "LIB-1\nUNKNOWN-7", "action": "record"})
    assert recorded.status_code == 302
    assert list(Asset.objects.filter(last_audited_on__isnull=False).values_list("tag", flat=True)) == ["LIB-1"]


def test_an_la_with_many_schools_chooses_a_school_before_its_rooms(cast, login):
    from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
    from schooldesk.schools.tests.factories import SchoolFactory

    organisation = cast.school.organisation
    for n in range(5):
        SchoolFactory(organisation=organisation, name=f"Another school {n}")
    la = UserFactory(username="la-owner")
    MembershipFactory(user=la, organisation=organisation, role="owner")
    client = login(la)
    everything = client.get("/assets/").content.decode()
    assert ">Library</option>" not in everything  # 6 schools × their rooms would be one endless drop-down
    one = client.get(f"/assets/?school={cast.school.pk}").content.decode()
    assert ">Library</option>" in one
    assert "Which school is it for?" in client.get("/assets/new/").content.decode()
    form = client.get(f"/assets/new/?school={cast.school.pk}").content.decode()
    assert "Which school is it for?" not in form and ">Library</option>" in form


def test_the_list_counts_an_la_register_only_up_to_a_cap(cast):
    from schooldesk.core.views import CappedPaginator

    class SmallCap(CappedPaginator):
        CAP = 3

    for n in range(5):
        AssetFactory(school=cast.school, tag=f"CAP-{n}")
    capped = SmallCap(Asset.objects.order_by("tag"), 2)
    assert capped.count == 3 and capped.is_capped and capped.num_pages == 2
    whole = SmallCap(Asset.objects.filter(tag__in=["CAP-1", "CAP-2"]), 2)
    assert whole.count == 2 and not whole.is_capped


def test_a_word_search_is_counted_only_up_to_its_own_cap(cast, login, monkeypatch):
    from schooldesk.core.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "SEARCH_CAP", 2)
    for n in range(3):
        AssetFactory(school=cast.school, tag=f"CB-{n}", model="Chromebook 314")
    client = login(cast.spoc)
    searched = client.get("/assets/?q=chromebook").content.decode()
    assert "More than 2 assets: filter to narrow them down." in searched
    assert "More than" not in client.get("/assets/").content.decode()  # the list's own cap is still 10,000
    monkeypatch.setattr(CappedPaginator, "SEARCH_CAP", 3)
    assert "3 assets" in client.get("/assets/?q=chromebook").content.decode()


def test_a_word_search_finds_assets_by_their_type_in_any_word_form(cast, login):
    """Found using the desk: "projectors" in the header search found the projector calls but no projector."""
    from schooldesk.assets.tests.factories import AssetFactory, asset_type

    AssetFactory(school=cast.school, tag="OAK-0042", asset_type=asset_type(cast.school, "Projector"), make="Epson")
    AssetFactory(school=cast.school, tag="OAK-0043", asset_type=asset_type(cast.school, "Laptop"), make="Dell")
    page = login(cast.spoc).get("/assets/?q=projectors").content.decode()
    assert "OAK-0042" in page and "OAK-0043" not in page
