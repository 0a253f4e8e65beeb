"""Importing a staff list (docs/decisions/0033): every bad row named with its line, nothing written until the whole
file is right; existing people matched by email get roles, never a second sign-in; an LA's file by URN or name."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from schooldesk.accounts.models import Membership, User
from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

HEAD = "First name,Last name,Email,Job title,Roles\n"


def csv_file(body: str, name="staff.csv"):
    return SimpleUploadedFile(name, (HEAD + body).encode(), content_type="text/csv")


def upload(client, file, school=None):
    data = {"file": file}
    if school is not None:
        data["school"] = school.pk
    return client.post("/accounts/people/import/", data)


def test_two_bad_rows_are_named_and_nothing_is_written_then_the_fixed_file_imports(
    cast, client, django_capture_on_commit_callbacks
):
    client.force_login(cast.spoc)
    bad = (
        "Ann,Lee,ann.lee@example.sch.uk,TA,technician\n"
        "Bob,Ray,not-an-address,Teacher,reporter\n"
        f"{cast.technician.first_name},{cast.technician.last_name},{cast.technician.email},,spoc; technician\n"
        "Cy,Day,cy@example.sch.uk,Head,headmaster\n"
    )
    response = upload(client, csv_file(bad))
    assert response.status_code == 302
    check = client.get("/accounts/people/import/check/")
    page = check.content.decode()
    assert check.status_code == 400
    assert "Line 3" in page and "not-an-address" in page and "Line 5" in page and "headmaster" in page
    assert "Import " not in page  # no button to import a file with problems
    assert client.post("/accounts/people/import/check/", {"send": "on"}).status_code == 400
    assert not User.objects.filter(email="ann.lee@example.sch.uk").exists()

    fixed = bad.replace("not-an-address", "bob.ray@example.sch.uk").replace("headmaster", "viewer")
    upload(client, csv_file(fixed))
    check = client.get("/accounts/people/import/check/")
    assert check.status_code == 200 and "Import 4 people" in check.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/accounts/people/import/check/", {"send": "on"})
    assert response.status_code == 302
    invitations = [callback for callback in callbacks if "_queue_invitation" in callback.__qualname__]
    assert len(invitations) == 3  # three new people invited; the technician has a sign-in already
    ann = User.objects.get(email="ann.lee@example.sch.uk")
    assert ann.job_title == "TA" and not ann.has_usable_password()
    assert set(cast.technician.memberships.values_list("role", flat=True)) == {"technician", "spoc"}
    assert User.objects.filter(email__iexact=cast.technician.email).count() == 1


def test_roles_above_the_importers_own_are_refused(cast, client):
    client.force_login(cast.spoc)
    upload(
        client,
        csv_file(
            "Ann,Lee,ann@example.sch.uk,,owner\nBob,Ray,bob@example.sch.uk,,dpo\nCy,Day,cy@example.sch.uk,,provider\n"
        ),
    )
    page = client.get("/accounts/people/import/check/").content.decode()
    assert page.count("above your own") == 2 and "supplier" in page
    assert not User.objects.filter(email__in=["ann@example.sch.uk", "bob@example.sch.uk"]).exists()


def test_an_la_file_names_schools_by_urn_or_name_and_only_the_las_own(cast, other, client):
    second = SchoolFactory(organisation=cast.school.organisation, name="Birch Academy", urn="123456")
    la = UserFactory()
    Membership.objects.create(user=la, organisation=cast.school.organisation, role="owner")
    client.force_login(la)
    body = (
        "First name,Last name,Email,Job title,Roles,School\n"
        f"Ann,Lee,ann@example.sch.uk,,technician,{cast.school.name}\n"
        "Bob,Ray,bob@example.sch.uk,,pupil,123456\n"
        f"Cy,Day,cy@example.sch.uk,,reporter,{other.school.name}\n"
    )
    client.post("/accounts/people/import/", {"file": SimpleUploadedFile("la.csv", body.encode())})
    page = client.get("/accounts/people/import/check/").content.decode()
    assert "Line 4" in page and "not a school whose people you manage" in page and "Line 2" not in page
    body = body.rsplit("Cy,", 1)[0]
    client.post("/accounts/people/import/", {"file": SimpleUploadedFile("la.csv", body.encode())})
    assert client.post("/accounts/people/import/check/", {}).status_code == 302
    assert Membership.objects.filter(user__email="bob@example.sch.uk", school=second, role="reporter").exists()


def test_an_xlsx_staff_list_imports(cast, client):
    workbook = Workbook()
    workbook.active.append(["Forename", "Surname", "Email address", "Position", "Role(s)"])
    workbook.active.append(["Dee", "Fox", "dee@example.sch.uk", "Office", "SPOC"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(cast.owner)
    upload(client, SimpleUploadedFile("staff.xlsx", buffer.getvalue()))
    assert client.post("/accounts/people/import/check/", {}).status_code == 302
    assert Membership.objects.filter(user__email="dee@example.sch.uk", school=cast.school, role="spoc").exists()


def test_a_file_without_the_columns_is_refused_at_upload(cast, client):
    client.force_login(cast.spoc)
    response = upload(client, SimpleUploadedFile("x.csv", b"Name,Mail\nAnn,ann@example.org\n"))
    assert response.status_code == 400 and "Roles" in response.content.decode()


def test_an_existing_person_above_the_importer_is_refused(cast, client):
    MembershipFactory(user=cast.owner, school=cast.school, role="reporter")
    client.force_login(cast.spoc)
    upload(client, csv_file(f"A,B,{cast.owner.email},,technician\n"))
    page = client.get("/accounts/people/import/check/").content.decode()
    assert "stands above you" in page
