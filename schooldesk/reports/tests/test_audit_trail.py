"""The audit trail people can read: what is recorded at the shared places (downloads, reads of restricted calls,
role grants, sign-ins, refusals), the ICT owner's and DPO's page (sentences, filters, SQL pagination, exports),
who may read it, and the retention period (docs/decisions/0016)."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import PASSWORD, UserFactory
from schooldesk.core.audit import audit_prune, audit_sentence
from schooldesk.core.models import AuditEntry
from schooldesk.core.tasks import audit_prune_task
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast):
    """The cast, with the trail of its making (the roles given) cleared: each test counts its own entries."""
    AuditEntry.objects.all().delete()
    return cast


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters))


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


# --- what is recorded, where everyone passes ---------------------------------------------------------------------
def test_every_download_is_recorded_once_by_the_shared_mechanism(cast, login):
    named(cast.spoc, "Priya", "Patel")
    client = login(cast.spoc)
    assert client.get("/assets/export/?format=csv").status_code == 200
    assert client.get("/licences/export/?format=xlsx").status_code == 200
    downloads = entries(action="download")
    assert len(downloads) == 2 and {e.school_id for e in downloads} == {cast.school.pk}
    sentences = {audit_sentence(e) for e in downloads}
    assert sentences == {
        "Priya Patel downloaded the asset register (CSV)",
        "Priya Patel downloaded the licence list (XLSX)",
    }
    client.get("/assets/")  # a page is not a download
    assert len(entries(action="download")) == 2


def test_a_file_served_as_an_upload_is_recorded_with_its_name(cast, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    call = IncidentFactory(
        school=cast.school,
        by=cast.reporter,
        files=[SimpleUploadedFile("screen.png", b"\x89PNG x", content_type="image/png")],
    )
    attachment = call.attachments.get()
    response = login(cast.spoc).get(f"/incidents/{call.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    [entry] = entries(action="download")
    assert entry.school_id == cast.school.pk and "screen.png" in audit_sentence(entry)


def test_reading_a_restricted_call_is_recorded_and_an_ordinary_one_is_not(cast, login):
    named(cast.dpo, "Dana", "Price")
    restricted = IncidentFactory(school=cast.school, by=cast.reporter, is_restricted=True, summary="Data sent out")
    ordinary = IncidentFactory(school=cast.school, by=cast.reporter)
    client = login(cast.dpo)
    assert client.get(f"/incidents/{restricted.pk}/").status_code == 200
    client.force_login(cast.spoc)
    client.get(f"/incidents/{ordinary.pk}/")
    [entry] = entries(action="view")
    assert entry.actor == cast.dpo and entry.school == cast.school
    assert audit_sentence(entry) == f"Dana Price opened the restricted call {restricted.reference}"


def test_a_refusal_is_recorded_once_in_the_school_whose_record_was_asked_for(cast, other, login):
    named(cast.technician, "Tom", "Hill")
    restricted = IncidentFactory(school=cast.school, by=cast.reporter, is_restricted=True)
    client = login(cast.technician)  # a technician does not see restricted calls: a 404 for a call that exists
    assert client.get(f"/incidents/{restricted.pk}/").status_code == 404
    [entry] = entries(action="refuse")
    assert entry.school == cast.school
    assert audit_sentence(entry) == f"Tom Hill was refused the page of call {restricted.reference}"
    client.force_login(other.spoc)  # another school's desk: the entry is in the call's school, not theirs
    assert client.get(f"/incidents/{restricted.pk}/").status_code == 404
    assert len(entries(action="refuse", school=cast.school)) == 2
    assert client.get("/incidents/999999/").status_code == 404  # names nothing: not a refusal
    client.force_login(cast.reporter)
    assert client.get("/suppliers/").status_code == 403  # a PermissionDenied: one entry
    assert len(entries(action="refuse")) == 3
    assert entries(action="refuse", actor=cast.reporter)[0].changes["path"] == "/suppliers/"


def test_roles_given_and_taken_away_are_recorded(cast):
    person = UserFactory(username="new-teacher", first_name="Nia", last_name="Jones")
    membership = Membership.objects.create(user=person, school=cast.school, role="reporter")
    membership.role = "spoc"
    membership.save()
    membership.save()  # saved again without a change: nothing new
    membership.delete()
    recorded = [
        (e.action, e.changes["role"]) for e in AuditEntry.objects.filter(object_id=str(person.pk)).order_by("pk")
    ]
    assert recorded == [("grant", "reporter"), ("grant", "spoc"), ("revoke", "spoc")]
    assert audit_sentence(AuditEntry.objects.filter(action="revoke").get()) == (
        "SchoolDesk (automatically) took the role SPOC (service desk administrator) from Nia Jones"
    )
    assert all(e.school == cast.school for e in AuditEntry.objects.filter(object_id=str(person.pk)))


def test_a_role_given_in_the_admin_names_who_gave_it(cast, client):
    admin = UserFactory(username="site-admin", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)
    person = UserFactory(username="governor", first_name="Gil", last_name="Green")
    client.force_login(admin)
    response = client.post(
        "/django-admin/accounts/membership/add/",
        {"user": person.pk, "school": cast.school.pk, "role": "viewer", "organisation": "", "supplier": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = entries(action="grant", object_id=str(person.pk))
    assert audit_sentence(entry) == "Ada Admin gave Gil Green the role Viewer (head, governors)"


def test_a_sign_in_is_recorded_in_the_persons_school(cast, client):
    response = client.post("/accounts/login/", {"username": cast.viewer.username, "password": PASSWORD})
    assert response.status_code == 302
    [entry] = entries(action="sign_in")
    assert entry.actor == cast.viewer and entry.school == cast.school


# --- the page ------------------------------------------------------------------------------------------------------
def test_the_owner_reads_the_trail_as_sentences_with_links(cast, login):
    named(cast.spoc, "Priya", "Patel")
    client = login(cast.spoc)
    client.get("/assets/export/?format=csv")
    restricted = IncidentFactory(school=cast.school, by=cast.reporter, is_restricted=True)
    client.force_login(cast.owner)
    client.get(f"/incidents/{restricted.pk}/")
    page = client.get("/reports/audit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Priya Patel downloaded the asset register (CSV)" in html
    assert f"opened the restricted call {restricted.reference}" in html
    assert f'href="/incidents/{restricted.pk}/"' in html  # a link to the record, which still exists
    assert 'href="/reports/audit/"' in html  # linked from the owner's navigation


def test_the_trail_is_filtered_by_who_what_kind_and_date(cast, login, monkeypatch):
    named(cast.spoc, "Priya", "Quennell-Patel")  # a surname no generated person has
    named(cast.technician, "Tomasz", "Hillward")
    old = timezone.now() - datetime.timedelta(days=40)
    for actor, action, kind in [
        (cast.spoc, "download", "download"),
        (cast.technician, "update", "asset"),
        (cast.spoc, "update", "licence"),
    ]:
        AuditEntry.objects.create(
            school=cast.school,
            actor=actor,
            action=action,
            object_type=kind,
            object_id="1",
            object_label="x",
            summary=f"{action} {kind}",
        )
    long_ago = AuditEntry.objects.create(
        school=cast.school,
        actor=cast.spoc,
        action="delete",
        object_type="asset",
        object_id="2",
        object_label="AST-OLD",
        summary="deleted",
    )
    AuditEntry.objects.filter(pk=long_ago.pk).update(at=old)
    client = login(cast.owner)

    def shown(query):
        return client.get(f"/reports/audit/?{query}").context["paginator"].count

    assert shown("") == 5  # and the owner's own sign-in
    assert shown("action=sign_in") == 1
    assert shown("who=quennell") == 3 and shown("who=tomasz+hillward") == 1
    assert shown("action=download") == 1 and shown("action=update") == 2
    assert shown("kind=asset") == 2 and shown("kind=licence") == 1
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert shown(f"since={since}") == 4 and shown(f"until={until}") == 1


def test_a_person_of_several_schools_filters_by_school(cast, login):
    second = SchoolFactory(organisation=cast.school.organisation, name="Birch Primary School")
    Membership.objects.create(user=cast.owner, school=second, role="owner")
    for school in (cast.school, second, second):
        AuditEntry.objects.create(
            school=school,
            actor=cast.spoc,
            action="update",
            object_type="asset",
            object_id="1",
            object_label="x",
            summary="x",
        )
    client = login(cast.owner)
    html = client.get("/reports/audit/").content.decode()
    assert 'name="school"' in html and "Birch Primary School" in html
    # its two entries, and the school's creation, the role given and the owner's sign-in there
    assert client.get(f"/reports/audit/?school={second.pk}").context["paginator"].count == 5
    assert client.get(f"/reports/audit/?school={second.pk}&kind=asset").context["paginator"].count == 2


def test_the_trail_is_paginated_in_sql_with_a_fixed_number_of_queries(cast, login):
    client = login(cast.owner)

    def queries_for(n):
        AuditEntry.objects.all().delete()
        people = [UserFactory() for _ in range(3)]
        for i in range(n):
            AuditEntry.objects.create(
                school=cast.school,
                actor=people[i % 3],
                action="update",
                object_type="incident" if i % 2 else "asset",
                object_id=str(i),
                object_label=f"thing {i}",
                summary="x",
            )
        client.get("/reports/audit/")  # warm: the session, the content types
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/reports/audit/")
        assert response.status_code == 200
        return len(captured), response

    few, _ = queries_for(4)
    many, response = queries_for(60)
    assert few == many, (few, many)
    assert len(response.context["rows"]) == 25 and response.context["paginator"].count == 60
    assert "Page 1 of 3" in response.content.decode()


def test_the_trail_exports_as_csv_and_excel_and_the_export_is_itself_recorded(cast, login):
    named(cast.dpo, "Dana", "Price")
    AuditEntry.objects.create(
        school=cast.school,
        actor=cast.spoc,
        action="update",
        object_type="asset",
        object_id="1",
        object_label="=HYPERLINK(1)",
        summary="saved",
    )
    client = login(cast.dpo)
    response = client.get("/reports/audit/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["When", "School", "Who", "What happened"] and len(rows) == 3  # the DPO's sign-in too
    assert rows[1][3] == "Dana Price signed in"
    assert rows[2][5] == "'=HYPERLINK(1)"  # made safe for a spreadsheet
    book = load_workbook(io.BytesIO(client.get("/reports/audit/?format=xlsx&action=download").content))
    assert next(book.worksheets[0].iter_rows(max_row=1, values_only=True))[0] == "When"
    assert [audit_sentence(e) for e in entries(action="download")] == [
        "Dana Price downloaded the audit trail (XLSX)",
        "Dana Price downloaded the audit trail (CSV)",
    ]


@pytest.mark.parametrize("role", ["reporter", "spoc", "technician", "provider", "viewer"])
def test_only_the_ict_owner_and_the_dpo_read_the_trail(cast, login, role):
    client = login(getattr(cast, role))
    assert client.get("/reports/audit/").status_code in (403, 404)
    assert client.get("/reports/audit/?format=csv").status_code in (403, 404)
    assert 'href="/reports/audit/"' not in client.get("/").content.decode()


def test_an_owner_sees_their_school_and_an_la_owner_their_organisations(cast, other, login):
    second = SchoolFactory(organisation=cast.school.organisation, name="Birch Primary School")
    for school, label in [(cast.school, "OAK-ENTRY"), (second, "BIRCH-ENTRY"), (other.school, "ELM-ENTRY")]:
        AuditEntry.objects.create(
            school=school,
            organisation=school.organisation,
            actor=cast.spoc,
            action="update",
            object_type="asset",
            object_id="1",
            object_label=label,
            summary="x",
        )
    AuditEntry.objects.create(
        organisation=cast.school.organisation,
        actor=cast.spoc,
        action="update",
        object_type="supplier",
        object_id="1",
        object_label="LA-SUPPLIER",
        summary="x",
    )
    html = login(cast.owner).get("/reports/audit/").content.decode()
    assert "OAK-ENTRY" in html and "BIRCH-ENTRY" not in html and "ELM-ENTRY" not in html
    assert "LA-SUPPLIER" not in html  # the LA's own records are its officers'
    la_owner = UserFactory(username="la-owner")
    Membership.objects.create(user=la_owner, organisation=cast.school.organisation, role="owner")
    html = login(la_owner).get("/reports/audit/").content.decode()
    assert "OAK-ENTRY" in html and "BIRCH-ENTRY" in html and "LA-SUPPLIER" in html and "ELM-ENTRY" not in html


# --- retention -----------------------------------------------------------------------------------------------------
def test_the_nightly_task_deletes_exactly_the_entries_past_the_retention_period(cast, settings, monkeypatch):
    settings.SCHOOLDESK_AUDIT_RETENTION_DAYS = 730
    frozen = datetime.datetime(2026, 12, 7, 2, 45, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    ages = {"older": 731, "just-past": 730 * 1 + 0.001, "on-the-day": 729.999, "recent": 10}
    for label, days in ages.items():
        entry = AuditEntry.objects.create(
            school=cast.school, action="update", object_type="asset", object_id="1", object_label=label, summary=label
        )
        AuditEntry.objects.filter(pk=entry.pk).update(at=frozen - datetime.timedelta(days=days))
    assert audit_prune_task.call_local() == 2
    assert sorted(AuditEntry.objects.values_list("object_label", flat=True)) == ["on-the-day", "recent"]
    assert audit_prune() == 0


def test_an_api_refusal_is_recorded_in_the_records_school(cast, other, login):
    restricted = IncidentFactory(school=cast.school, by=cast.reporter, is_restricted=True)
    client = login(other.spoc)
    assert client.get(f"/api/v1/incidents/{restricted.pk}/").status_code == 404
    [entry] = entries(action="refuse")
    assert entry.school == cast.school and entry.object_label == restricted.reference
    assert client.get("/api/v1/incidents/999999/").status_code == 404  # names nothing
    assert len(entries(action="refuse")) == 1


def test_reading_a_restricted_call_through_the_api_is_recorded_as_its_page_is(cast, login):
    named(cast.dpo, "Dana", "Price")
    restricted = IncidentFactory(school=cast.school, by=cast.reporter, is_restricted=True, summary="Data sent out")
    ordinary = IncidentFactory(school=cast.school, by=cast.reporter)
    client = login(cast.dpo)
    assert client.get(f"/api/v1/incidents/{restricted.pk}/").status_code == 200
    assert client.get(f"/api/v1/incidents/{restricted.pk}/timeline/").status_code == 200
    client.force_login(cast.spoc)
    assert client.get(f"/api/v1/incidents/{ordinary.pk}/").status_code == 200
    read = entries(action="view")
    assert len(read) == 2 and {entry.actor for entry in read} == {cast.dpo}
    assert audit_sentence(read[0]) == f"Dana Price opened the restricted call {restricted.reference}"
