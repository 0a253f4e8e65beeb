"""The standards page works each part out from the desk's own records, links to them, and takes statements for
what it cannot work out; the LA's matrix reads the same in a fixed number of queries."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.licences.tests.factories import LicenceFactory
from schooldesk.schools.tests.factories import SchoolFactory
from schooldesk.standards.models import Statement
from schooldesk.standards.parts import standards_states
from schooldesk.suppliers.tests.factories import make_contract

from .helpers import restore_check_due, term_around_today

pytestmark = pytest.mark.django_db
#: the queries of the school's standards page and of the LA's matrix, whatever the number of schools and records
SCHOOL_PAGE_QUERIES = 15
MATRIX_QUERIES = 14


def parts_of(school):
    return {p.key: p for s in standards_states([school], timezone.localdate())[school.pk] for p in s["parts"]}


def test_restore_tested_this_term_turns_met_when_the_check_is_done_through_its_page(cast, client):
    item = restore_check_due(cast.school)
    part = parts_of(cast.school)["restore_tested"]
    assert part.state == "not_met" and f"/standards/checks/{item.pk}/" in dict(part.links).values()
    client.force_login(cast.technician)
    url = f"/standards/checks/{item.pk}/"
    page = client.get(url)
    form = next(
        f for f in forms_in(page.content.decode(), url) if f.method == "post" and "note" in [c.name for c in f.controls]
    )
    data, _touched = filled(form, None)
    data.update({k: "yes" for k in data if k.startswith("step_")})
    data["evidence"] = SimpleUploadedFile("restore-log.pdf", b"%PDF-1.4 restored", "application/pdf")
    response = client.post(url, data)
    assert response.status_code == 302
    part = parts_of(cast.school)["restore_tested"]
    assert part.state == "met" and part.as_of == timezone.localdate()
    assert f"/standards/checks/{item.pk}/" in dict(part.links).values()
    page = client.get(url).content.decode()
    assert "restore-log.pdf" in page
    evidence = item.evidence.get()
    download = client.get(f"/standards/checks/{item.pk}/attachments/{evidence.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 restored"


def test_a_check_needs_a_note_or_a_file_and_a_bad_file_is_refused(cast, client):
    item = restore_check_due(cast.school)
    client.force_login(cast.technician)
    steps = {f"step_{n}": "yes" for n in range(len(item.rule.step_list))}
    response = client.post(f"/standards/checks/{item.pk}/", steps)
    assert response.status_code == 400 and "Say what was done and found" in response.content.decode()
    bad = SimpleUploadedFile("restore.exe", b"MZ", "application/octet-stream")
    response = client.post(f"/standards/checks/{item.pk}/", {**steps, "evidence": bad})
    assert response.status_code == 400 and "is not a file type we accept" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "due"


def test_a_statement_decides_a_part_the_desk_cannot_work_out_and_every_one_is_kept(cast, client):
    assert parts_of(cast.school)["mfa"].state == "unknown"
    client.force_login(cast.owner)
    url = f"/standards/schools/{cast.school.pk}/"
    page = client.get(url).content.decode()
    form = next(f for f in forms_in(page, url) if ("part", "mfa") in [(c.name, c.value) for c in f.controls])
    data, _t = filled(form, None)
    data.update({"state": "not_met", "text": "MFA on the MIS only", "made_by_name": "Mrs Khan, business manager"})
    assert client.post(form.action, data).status_code == 302
    data.update(
        {
            "state": "met",
            "text": "MFA on every staff account",
            "file": SimpleUploadedFile("policy.pdf", b"%PDF-1.4 policy", "application/pdf"),
        }
    )
    assert client.post(form.action, data).status_code == 302
    part = parts_of(cast.school)["mfa"]
    assert part.state == "met" and "Mrs Khan, business manager" in part.detail
    assert Statement.objects.filter(school=cast.school, part="mfa").count() == 2
    page = client.get(url).content.decode()
    assert "MFA on the MIS only" in page and "policy.pdf" in page
    client.force_login(cast.viewer)  # governors read, but make no statements
    assert client.post(form.action, data).status_code in (403, 404)


def test_broadband_parts_come_from_the_contracts(cast):
    assert parts_of(cast.school)["full_fibre"].state == "unknown"
    make_contract(
        cast,
        name="Broadband",
        services=["broadband"],
        line_speed_mbps=500,
        line_is_full_fibre=True,
        today=timezone.localdate(),
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    parts = parts_of(cast.school)
    assert parts["full_fibre"].state == "met" and "500 Mbps" in parts["full_fibre"].detail
    assert parts["backup_line"].state == "not_met"
    make_contract(
        cast,
        name="4G backup",
        services=["broadband"],
        line_is_backup=True,
        today=timezone.localdate(),
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    assert parts_of(cast.school)["backup_line"].state == "met"


def test_devices_unsupported_and_licences_from_the_registers(cast):
    today = timezone.localdate()
    room = cast.school.location_set.first()
    AssetFactory(school=cast.school, location=room, support_ends_on=today + timedelta(days=100))
    parts = parts_of(cast.school)
    assert parts["devices_recorded"].state == "met" and parts["unsupported"].state == "met"
    AssetFactory(school=cast.school, tag="OLD-SWITCH", type_name="Switch", support_ends_on=today - timedelta(days=1))
    AssetFactory(
        school=cast.school,
        tag="GONE",
        status="disposed",
        disposed_on=today,
        location=room,
        support_ends_on=date(2019, 1, 1),
    )
    parts = parts_of(cast.school)
    assert parts["devices_recorded"].state == "not_met"  # the switch has neither a place nor a person
    assert parts["unsupported"].state == "not_met" and parts["unsupported"].detail.startswith("1 device")
    assert parts["licences"].state == "unknown"
    cast.school.roll_number = 238
    cast.school.save()
    LicenceFactory(school=cast.school, licence_type="per_pupil", quantity=200)
    assert parts_of(cast.school)["licences"].state == "not_met"


def test_requests_recorded_with_targets(cast):
    from schooldesk.incidents.tests.factories import IncidentFactory

    IncidentFactory(school=cast.school, by=cast.reporter)
    assert parts_of(cast.school)["requests_recorded"].state == "met"


def _fill(cast, school):
    """Records of every kind the parts read, so a query per row would show."""
    term_around_today(school)
    AssetFactory(school=school, support_ends_on=date(2020, 1, 1))
    LicenceFactory(school=school)
    statement_school = school
    Statement.objects.create(
        school=statement_school, part="mfa", state="met", text="Yes", made_by_name="Head", made_on=timezone.localdate()
    )


def test_the_school_page_and_the_la_matrix_take_a_fixed_number_of_queries(cast, client):
    la_owner = UserFactory(username="la-owner")
    MembershipFactory(user=la_owner, school=cast.school, role="owner")
    _fill(cast, cast.school)
    client.force_login(la_owner)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    school_page = f"/standards/schools/{cast.school.pk}/"
    one_school, one_matrix = count(school_page), count("/standards/")
    for n in range(3):
        school = SchoolFactory(organisation=cast.school.organisation, name=f"Extra {n}")
        MembershipFactory(user=la_owner, school=school, role="owner")
        _fill(cast, school)
        restore_check_due(school)
    AssetFactory(school=cast.school, tag="MORE-1")
    assert count(school_page) == one_school
    assert count("/standards/") == one_matrix
    assert (one_school, one_matrix) == (SCHOOL_PAGE_QUERIES, MATRIX_QUERIES)


def test_the_matrix_downloads_as_a_spreadsheet_and_a_pdf(cast, client):
    from schooldesk.core.tests.downloads import PDFINFO, problem

    client.force_login(cast.owner)
    response = client.get("/standards/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == cast.school.name and rows[0][-1] == "Evidence as of"
    assert rows[1][-1] == f"{timezone.localdate():%d/%m/%Y}"
    response = client.get("/standards/?format=pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    if PDFINFO:
        assert problem(response, response.content, kind="pdf", uploads=frozenset()) is None


def test_missed_checks_show_on_the_owners_dashboard(cast, client):
    item = restore_check_due(cast.school)
    if item.due_on >= timezone.localdate():
        pytest.skip("the first Monday of this term is today")
    client.force_login(cast.owner)
    page = client.get("/reports/dashboards/owner/").content.decode()
    assert "Missed scheduled checks" in page and f"/standards/checks/{item.pk}/" in page


def test_governors_read_a_checks_evidence_but_do_not_record_checks(cast, client):
    item = restore_check_due(cast.school)
    client.force_login(cast.viewer)
    page = client.get(f"/standards/checks/{item.pk}/")
    assert page.status_code == 200 and 'name="note"' not in page.content.decode()
    steps = {f"step_{n}": "yes" for n in range(len(item.rule.step_list))}
    assert client.post(f"/standards/checks/{item.pk}/", {**steps, "note": "Done"}).status_code == 403
    client.force_login(cast.reporter)
    assert client.get(f"/standards/checks/{item.pk}/").status_code in (403, 404)


def test_an_la_officer_sees_every_school_of_the_la_in_the_matrix(cast, client):
    second = SchoolFactory(organisation=cast.school.organisation, name="Riverside Academy")
    SchoolFactory(name="Another LA's school")
    officer = UserFactory(username="la-officer")
    MembershipFactory(user=officer, organisation=cast.school.organisation, role="owner")
    client.force_login(officer)
    page = client.get("/standards/").content.decode()
    assert cast.school.name in page and second.name in page and "Another LA" not in page


def test_filtering_reviewed_from_the_filtering_registers_signed_off_review(cast):
    """The issue: "filtering reviewed this year: from the filtering register". A review the DSL and a governor have
    both signed in the last year meets the part and links to it; one waiting for a signature, or older, does not."""
    from schooldesk.safeguarding.models import FilterReview

    today = timezone.localdate()
    now = timezone.now()
    assert parts_of(cast.school)["filtering_reviewed"].state == "not_met"  # no check, no review
    FilterReview.objects.create(
        school=cast.school, review_on=today - timedelta(days=400), dsl_signed_at=now, governor_signed_at=now
    )  # more than a year ago
    waiting = FilterReview.objects.create(school=cast.school, review_on=today - timedelta(days=10), dsl_signed_at=now)
    assert parts_of(cast.school)["filtering_reviewed"].state == "not_met"
    FilterReview.objects.filter(pk=waiting.pk).update(governor_signed_at=now)
    part = parts_of(cast.school)["filtering_reviewed"]
    assert part.state == "met" and part.as_of == today - timedelta(days=10)
    assert "signed off by the DSL and a governor" in part.detail
    assert f"/safeguarding/reviews/{waiting.pk}/" in dict(part.links).values()


def test_the_mfa_part_shows_the_desks_own_staff_accounts_beside_the_statement(cast):
    """The desk now has two-step sign-in (decision 0032): the MFA part says how many of the school's staff accounts in
    the desk use it, linking to the People page; the statement still decides (the standard covers the MIS and
    email too, which the desk cannot see)."""
    from allauth.mfa.models import Authenticator

    part = parts_of(cast.school)["mfa"]
    # the SPOC, technician, ICT owner and DPO of the cast; the reporter, provider and governor are not staff
    assert part.state == "unknown" and "In SchoolDesk, 0 of 4 staff accounts use two-step sign-in." in part.detail
    Authenticator.objects.create(user=cast.owner, type="totp", data={"secret": "x"})
    Authenticator.objects.create(user=cast.spoc, type="recovery_codes", data={})  # not a second step on its own
    part = parts_of(cast.school)["mfa"]
    assert part.state == "unknown" and "1 of 4 staff accounts" in part.detail
    assert "/accounts/people/" in dict(part.links).values()
