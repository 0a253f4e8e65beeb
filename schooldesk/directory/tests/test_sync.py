"""Sync against the stand-in: staff with roles by group, pupils by year and class, hand edits left alone,
leavers deactivated, paging, a 429 waited out and an expired token fetched again."""

import pytest
from django.core.exceptions import ValidationError

from schooldesk.accounts.models import Membership, Pupil, User
from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.core.models import AuditEntry
from schooldesk.directory.choices import ChangeKind, Provider, RunStatus
from schooldesk.directory.models import Connection, Link
from schooldesk.directory.services import connection_save, connection_test, directory_sync, syncs_due
from schooldesk.directory.tests import standin
from schooldesk.directory.tests.conftest import google_secret
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

MAPPING = "Teachers = reporter\nOffice = spoc\nIT = technician"


def graph_world(state):
    state.graph_groups = [
        {"id": "g-teach", "displayName": "Teachers"},
        {"id": "g-office", "displayName": "Office"},
        {"id": "g-it", "displayName": "IT"},
        {"id": "g-gov", "displayName": "Governors"},
    ]
    state.graph_users = [
        standin.graph_user("u1", "Ann", "Able", job="Teacher"),
        standin.graph_user("u2", "Ben", "Bold", job="Office manager"),
        standin.graph_user("u3", "Cal", "Cole", job="Technician"),
        standin.graph_user("u4", "Dee", "Dane"),  # in no mapped group: never added
        standin.graph_user("u5", "Eve", "Ely", job="Teacher"),
    ]
    state.graph_members = {"g-teach": ["u1", "u5"], "g-office": ["u2"], "g-it": ["u3"], "g-gov": ["u4"]}


def graph_connection(cast):
    return connection_save(
        connection=Connection(
            school=cast.school,
            name="Staff in Microsoft 365",
            provider=Provider.MICROSOFT,
            tenant="oak.onmicrosoft.com",
            client_id="app-1",
            role_mapping=MAPPING,
        ),
        by=cast.owner,
        secret="graph-secret",
    )


def roles_of(user):
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def test_first_graph_sync_creates_staff_with_roles_by_group(cast, stand_in):
    graph_world(stand_in)
    stand_in.expire_first_token = True  # the first token is refused as expired: a new one is fetched, once
    stand_in.throttle = ["/v1.0/users"]  # and the first page of users answers 429 with Retry-After
    connection = graph_connection(cast)
    run = directory_sync(connection=connection, by=cast.owner)
    assert run.status == RunStatus.DONE, run.error
    assert run.added == 4
    ann = User.objects.get(email="ann.able@oak.example")
    assert (ann.first_name, ann.last_name, ann.job_title, ann.has_usable_password()) == (
        "Ann",
        "Able",
        "Teacher",
        False,
    )
    assert roles_of(ann) == {"reporter"}
    assert roles_of(User.objects.get(email="ben.bold@oak.example")) == {"spoc"}
    assert roles_of(User.objects.get(email="cal.cole@oak.example")) == {"technician"}
    assert not User.objects.filter(email="dee.dane@oak.example").exists()
    assert Link.objects.get(connection=connection, provider_id="u1").user == ann
    # the stand-in's paging, throttling and expiry were all met
    assert len(stand_in.tokens) == 2 and stand_in.grants[0]["grant_type"] == "client_credentials"
    assert sum(1 for _m, path, _a in stand_in.requests if path.startswith("/v1.0/users")) >= 4  # 429 + 3 pages
    assert any("%24skiptoken" in path or "$skiptoken" in path for _m, path, _a in stand_in.requests)
    assert AuditEntry.objects.filter(action="grant", object_id=str(ann.pk)).exists()
    assert AuditEntry.objects.filter(action="sync", object_type="run").exists()
    # the token is kept (encrypted) and used again by the next sync, not fetched anew
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.access_token == "token-2"
    assert Connection.objects.filter(pk=connection.pk, access_token__startswith="fernet:").exists()
    directory_sync(connection=stored, by=cast.owner)
    assert len(stand_in.tokens) == 2


def test_an_organisations_connection_gives_roles_in_the_school_each_line_names(cast, stand_in):
    graph_world(stand_in)
    cast.school.urn = "123456"
    cast.school.save(update_fields=["urn"])
    sister = SchoolFactory(organisation=cast.school.organisation, urn="654321")
    officer = UserFactory(username="la-officer")
    MembershipFactory(user=officer, organisation=cast.school.organisation, school=None, role="owner")
    connection_save(
        connection=Connection(
            organisation=cast.school.organisation,
            name="Council tenant",
            provider=Provider.MICROSOFT,
            tenant="council.onmicrosoft.com",
            client_id="app-2",
            role_mapping="Teachers = reporter @ 123456\nIT = technician @ 654321",
        ),
        by=officer,
        secret="graph-secret",
    )
    with pytest.raises(ValidationError):
        connection_save(
            connection=Connection(
                organisation=cast.school.organisation,
                name="Bad",
                provider=Provider.MICROSOFT,
                tenant="t",
                client_id="c",
                role_mapping="Teachers = reporter",
            ),
            by=officer,
            secret="s",
        )
    assert syncs_due() == 1  # the nightly job: every active connection
    assert set(Membership.objects.filter(user__email="cal.cole@oak.example").values_list("role", "school")) == {
        ("technician", sister.pk)
    }
    assert set(Membership.objects.filter(user__email="ann.able@oak.example").values_list("role", "school")) == {
        ("reporter", cast.school.pk)
    }


def test_second_sync_changes_only_what_changed_and_leaves_hand_edits(cast, stand_in):
    graph_world(stand_in)
    connection = graph_connection(cast)
    directory_sync(connection=connection, by=cast.owner)
    ann = User.objects.get(email="ann.able@oak.example")
    ann.first_name = "Annie"  # edited by hand on the desk
    ann.save()
    stand_in.graph_users[0].update(givenName="Anne", jobTitle="Head of Year 7")  # both changed in the directory
    stand_in.graph_users[2]["surname"] = "Coles"  # Cal's surname changed; not edited on the desk
    stand_in.graph_users = [u for u in stand_in.graph_users if u["id"] != "u5"]  # Eve left
    stand_in.graph_users[1]["accountEnabled"] = False  # Ben disabled
    stand_in.graph_members["g-it"] = []  # Cal no longer in IT
    stand_in.graph_members["g-teach"] = ["u1", "u3"]  # but now a teacher
    run = directory_sync(connection=connection, by=cast.owner)
    assert run.status == RunStatus.DONE, run.error
    ann.refresh_from_db()
    assert ann.first_name == "Annie" and ann.job_title == "Head of Year 7"
    kept = run.changes.get(kind=ChangeKind.LEFT_ALONE, label="Annie Able")
    assert kept.fields == {"first name": ["Annie", "Anne"]}
    cal = User.objects.get(email="cal.cole@oak.example")
    assert cal.last_name == "Coles" and roles_of(cal) == {"reporter"}
    assert run.changes.filter(kind=ChangeKind.ROLE_REMOVED, label="Cal Coles").exists()
    assert AuditEntry.objects.filter(action="revoke", object_id=str(cal.pk)).exists()
    assert not User.objects.get(email="eve.ely@oak.example").is_active
    assert not User.objects.get(email="ben.bold@oak.example").is_active
    assert User.objects.filter(email="eve.ely@oak.example").exists()  # never deleted
    assert run.deactivated == 2 and run.added == 0
    # a third sync with nothing new changes nothing
    quiet = directory_sync(connection=connection, by=cast.owner)
    assert (quiet.added, quiet.changed, quiet.deactivated) == (0, 0, 0)


def test_a_person_already_on_the_desk_is_matched_by_email_and_keeps_what_was_typed(cast, stand_in):
    graph_world(stand_in)
    typed = User.objects.create(
        username="aable", email="Ann.Able@oak.example", first_name="Ann", last_name="Able-Smith"
    )
    run = directory_sync(connection=graph_connection(cast), by=cast.owner)
    typed.refresh_from_db()
    assert typed.last_name == "Able-Smith" and typed.job_title == "Teacher" and roles_of(typed) == {"reporter"}
    assert User.objects.filter(email__iexact="ann.able@oak.example").count() == 1
    assert run.changes.filter(kind=ChangeKind.LEFT_ALONE, label="Ann Able-Smith").exists()


def test_google_users_by_organisational_unit_with_paging_and_a_signed_assertion(cast, stand_in):
    stand_in.google_users = [
        standin.google_user("101", "Fay", "Fox", "/Staff/Teaching"),
        standin.google_user("102", "Gus", "Gale", "/Staff/Office"),
        standin.google_user("103", "Hal", "Hunt", "/Staff/Teaching", suspended=True),
        standin.google_user("104", "Ivy", "Isle", "/Pupils"),
    ]
    connection = connection_save(
        connection=Connection(
            school=cast.school,
            name="Google",
            provider=Provider.GOOGLE,
            tenant="oak.example",
            client_id="admin@oak.example",
            role_mapping="/Staff = reporter\n/Staff/Office = spoc",
        ),
        by=cast.owner,
        secret=google_secret(stand_in),
    )
    assert connection_test(connection=connection, by=cast.owner)[0]
    run = directory_sync(connection=connection, by=cast.owner)
    assert run.status == RunStatus.DONE, run.error
    assert roles_of(User.objects.get(email="fay.fox@oak.example")) == {"reporter"}
    assert roles_of(User.objects.get(email="gus.gale@oak.example")) == {"reporter", "spoc"}
    assert not User.objects.filter(email__in=["hal.hunt@oak.example", "ivy.isle@oak.example"]).exists()
    assert any("pageToken=2" in path for _m, path, _a in stand_in.requests)
    assert stand_in.grants[0]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    # suspended later: deactivated
    stand_in.google_users[0]["suspended"] = True
    second = directory_sync(connection=connection, by=cast.owner)
    assert not User.objects.get(email="fay.fox@oak.example").is_active and second.deactivated == 1


def wonde_connection(cast, stand_in):
    stand_in.wonde_employees = [
        standin.wonde_employee("E1", "Jo", "Jay", job="Teacher"),
        standin.wonde_employee("E2", "Kit", "Kay"),
    ]
    stand_in.wonde_students = [
        standin.wonde_student("S1", "Liam", "Lee", 3, "Oak class"),
        standin.wonde_student("S2", "Mia", "May", 3, "Oak class"),
        standin.wonde_student("S3", "Noor", "Nash", 5, "Ash class"),
    ]
    stand_in.wonde_rooms = [
        standin.wonde_room("R1", "Room 12"),
        standin.wonde_room("R2", "Music room"),
        standin.wonde_room("R3", "ICT suite"),
    ]
    return connection_save(
        connection=Connection(
            school=cast.school, name="MIS", provider=Provider.WONDE, tenant="A1234567890", role_mapping="* = reporter"
        ),
        by=cast.owner,
        secret=stand_in.wonde_token,
    )


def test_wonde_staff_and_pupils_by_year_and_class_then_a_leaver(cast, stand_in):
    connection = wonde_connection(cast, stand_in)
    run = directory_sync(connection=connection, by=cast.owner)
    assert run.status == RunStatus.DONE, run.error
    liam = Pupil.objects.get(school=cast.school, mis_id="S1")
    assert (liam.first_name, liam.year_group, liam.form, liam.is_active) == ("Liam", "Year 3", "Oak class", True)
    assert Pupil.objects.filter(school=cast.school).count() == 3
    assert roles_of(User.objects.get(email="jo.jay@oak.example")) == {"reporter"}
    assert run.rooms.count() == 3 and not run.rooms.filter(location__isnull=False).exists()
    assert any("page=2" in path for _m, path, _a in stand_in.requests)
    liam.form = "Willow"  # moved by hand on the desk
    liam.save()
    stand_in.wonde_students = [
        standin.wonde_student("S1", "Liam", "Lee", 4, "Elm class"),
        standin.wonde_student("S3", "Noor", "Nash", 5, "Ash class"),
    ]
    second = directory_sync(connection=connection, by=cast.owner)
    liam.refresh_from_db()
    assert (liam.year_group, liam.form) == ("Year 4", "Willow")
    assert not Pupil.objects.get(mis_id="S2").is_active
    assert second.changes.filter(kind=ChangeKind.DEACTIVATED, label="Mia May").exists()


def test_a_refused_token_fails_the_run_and_changes_nothing(cast, stand_in):
    graph_world(stand_in)
    connection = graph_connection(cast)
    Connection.objects.filter(pk=connection.pk).update(secret="wrong")
    connection.refresh_from_db()
    run = directory_sync(connection=connection, by=cast.owner)
    assert run.status == RunStatus.FAILED and "invalid_client" in run.error
    assert not User.objects.filter(email__endswith="@oak.example").exists()
    worked, message = connection_test(connection=connection, by=cast.owner)
    assert not worked and "invalid_client" in message
