"""`manage.py desk_init` starts a desk from nothing, and running it again changes nothing."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from schooldesk.accounts.models import Membership, User
from schooldesk.core.models import AuditEntry
from schooldesk.locations.models import Location
from schooldesk.schools.models import Organisation, School
from schooldesk.suppliers.models import Supplier

pytestmark = pytest.mark.django_db
FIRST = "Lantern-Harbour-Quietly-82"


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text(FIRST + "\n")
    return path


def init(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command("desk_init", *args, stdout=out, **kwargs)
    return out.getvalue()


def test_a_school_of_its_own_from_nothing(client, password_file):
    out = init(
        "--school",
        "Oakfield Primary School",
        "--urn",
        "123456",
        "--username",
        "j.bell",
        "--email",
        "ict@oakfield.sch.uk",
        "--first-name",
        "Jo",
        "--last-name",
        "Bell",
        "--password-file",
        str(password_file),
    )
    assert "The desk for Oakfield Primary School is ready" in out
    school = School.objects.get()
    assert (school.urn, school.organisation.name, school.organisation.kind) == ("123456", school.name, "school")
    assert Location.objects.filter(school=school, is_preset=True).exists()  # ready to use, like any new school
    owner = User.objects.get(username="j.bell")
    assert owner.is_superuser and owner.is_staff and owner.email == "ict@oakfield.sch.uk"
    assert Membership.objects.filter(user=owner, school=school, role="owner").exists()
    response = client.post(reverse("login"), {"username": "j.bell", "password": FIRST})
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "No SPOC has been set yet." in home and "not a member of any school" not in home


def test_running_it_again_keeps_everything_as_it_was(password_file, tmp_path):
    args = [
        "--school",
        "Oakfield Primary School",
        "--urn",
        "123456",
        "--username",
        "j.bell",
        "--user",
        "a.spoc:spoc",
        "--password-file",
        str(password_file),
    ]
    init(*args)
    counts = (
        Organisation.objects.count(),
        School.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Location.objects.count(),
        AuditEntry.objects.count(),
    )
    other = tmp_path / "other"
    other.write_text("Another-Long-Passphrase-19\n")
    out = init(*args[:-1], str(other))
    assert "already there, kept as it was" in out and "created" not in out
    assert counts == (
        Organisation.objects.count(),
        School.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Location.objects.count(),
        AuditEntry.objects.count(),
    )
    assert User.objects.get(username="a.spoc").check_password(FIRST)


def test_no_password_is_needed_when_nobody_is_new(password_file, monkeypatch):
    init("--school", "Oakfield Primary School", "--username", "j.bell", "--password-file", str(password_file))
    monkeypatch.delenv("SCHOOLDESK_INIT_PASSWORD", raising=False)
    assert "ready" in init("--school", "Oakfield Primary School", "--username", "j.bell")


def test_an_la_gets_its_owner_across_every_school(monkeypatch):
    monkeypatch.setenv("SCHOOLDESK_INIT_PASSWORD", FIRST)
    for name, urn in [("Oakfield Primary School", "100001"), ("Riverside Academy", "100002")]:
        init("--organisation", "Northbridge Borough Council", "--school", name, "--urn", urn, "--username", "la.ict")
    organisation = Organisation.objects.get()
    assert organisation.kind == "la" and organisation.schools.count() == 2
    owner = User.objects.get(username="la.ict")
    assert list(owner.memberships.values_list("organisation__name", "school", "role")) == [
        ("Northbridge Borough Council", None, "owner")
    ]
    assert School.objects.visible_to(owner).count() == 2


def test_the_first_people_hold_their_roles_in_the_school(password_file, client):
    init(
        "--school",
        "Oakfield Primary School",
        "--username",
        "j.bell",
        "--password-file",
        str(password_file),
        "--user",
        "a.spoc:spoc",
        "--user",
        "t.teacher:reporter",
    )
    school = School.objects.get()
    assert set(Membership.objects.filter(school=school).values_list("user__username", "role")) == {
        ("j.bell", "owner"),
        ("a.spoc", "spoc"),
        ("t.teacher", "reporter"),
    }
    assert not User.objects.get(username="a.spoc").is_superuser
    client.post(reverse("login"), {"username": "a.spoc", "password": FIRST})
    assert client.get(reverse("incidents:triage")).status_code == 200


def test_a_provider_belongs_to_the_supplier_named(password_file, client):
    args = [
        "--organisation",
        "Northbridge Borough Council",
        "--school",
        "Oakfield Primary School",
        "--username",
        "la.ict",
        "--password-file",
        str(password_file),
        "--supplier",
        "Northbridge ICT",
        "--user",
        "n.tech:provider",
    ]
    init(*args)
    out = init(*args)  # again: the supplier is kept, not made twice
    assert "Supplier Northbridge ICT: already there" in out
    supplier = Supplier.objects.get()
    assert (supplier.name, supplier.organisation.name) == ("Northbridge ICT", "Northbridge Borough Council")
    provider = Membership.objects.get(user__username="n.tech")
    assert (provider.role, provider.supplier, provider.school.name) == ("provider", supplier, "Oakfield Primary School")
    client.post(reverse("login"), {"username": "n.tech", "password": FIRST})
    assert client.get(reverse("incidents:incident_list")).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "j.bell"], "Give --school"),
        (["--school", "Oakfield", "--username", "j.bell", "--urn", "12345"], "six digits"),
        (["--school", "Oakfield", "--username", "j.bell", "--user", "p:provider"], "name it with --supplier"),
        (["--school", "Oakfield", "--username", "j.bell", "--user", "nobody"], "USERNAME:ROLE"),
        (["--school", "Oakfield", "--username", "j.bell"], "need a first password"),
    ],
)
def test_what_is_wrong_is_said_and_nothing_is_written(args, message, monkeypatch, password_file):
    monkeypatch.delenv("SCHOOLDESK_INIT_PASSWORD", raising=False)
    if "need a first password" not in message:
        args += ["--password-file", str(password_file)]
    with pytest.raises(CommandError, match=message):
        init(*args)
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_a_weak_password_is_refused(tmp_path):
    path = tmp_path / "password"
    path.write_text("password\n")
    with pytest.raises(CommandError, match="too common"):
        init("--school", "Oakfield", "--username", "j.bell", "--password-file", str(path))
    assert not User.objects.exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_at_a_terminal_the_missing_answers_are_asked_for(monkeypatch):
    answers = ["Oakfield Primary School", "123456", "", "j.bell", "ict@oakfield.sch.uk"]
    monkeypatch.setattr(sys, "stdin", Terminal("\n".join(answers) + "\n"))
    monkeypatch.delenv("SCHOOLDESK_INIT_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": FIRST)
    init()
    school = School.objects.get()
    assert (school.name, school.urn, school.organisation.kind) == ("Oakfield Primary School", "123456", "school")
    assert User.objects.get(username="j.bell", email="ict@oakfield.sch.uk").check_password(FIRST)
