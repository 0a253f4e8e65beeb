"""The demo desk: what `make run` shows a first-time visitor must be complete and must keep schools apart."""

import io

import pytest
from django.core.management import CommandError, call_command

from schooldesk.accounts.models import Membership, User
from schooldesk.core.roles import Role
from schooldesk.demo.schools import DEMO_PASSWORD, demo_usernames
from schooldesk.incidents.choices import IncidentStatus, SupportLevel
from schooldesk.incidents.models import Incident
from schooldesk.schools.models import Closure, School, Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("demo_seed", incidents=40, stdout=io.StringIO())
    return {school.short_name.lower(): school for school in School.objects.all()}


def test_two_schools_with_calendars_and_a_login_per_role(demo):
    assert set(demo) == {"oakfield", "riverside"}
    assert {s.organisation.name for s in demo.values()} == {"Northbridge Borough Council"}
    for key, school in demo.items():
        assert school.spoc.username == f"{key}.spoc" and school.deputy_id
        assert Term.objects.filter(school=school).count() == 6
        assert Closure.objects.filter(school=school, kind="inset").count() == 10
        for role in Role.values:
            membership = Membership.objects.get(user__username=f"{key}.{role}", school=school)
            assert membership.role == role
        assert Membership.objects.get(user__username=f"{key}.provider").supplier.kind == "la_ict"
    la = Membership.objects.get(user__username="northbridge.la")
    assert la.school is None and la.organisation == demo["oakfield"].organisation
    visiting = Membership.objects.filter(user__username="northbridge.tech")
    assert sorted(visiting.values_list("role", flat=True)) == ["technician", "technician"]
    logins = User.objects.filter(username__in=demo_usernames())
    assert logins.count() == len(demo_usernames()) == 18
    assert all(user.check_password(DEMO_PASSWORD) for user in logins)


def test_calls_in_every_status_with_due_times_and_suppliers(demo):
    for school in demo.values():
        calls = Incident.objects.filter(school=school)
        assert calls.count() == 40
        assert set(calls.values_list("status", flat=True)) == set(IncidentStatus.values)
        assert not calls.filter(response_due_at__isnull=True).exists()
        assert not calls.filter(resolve_due_at__isnull=True).exists()
        assert all(call.updates.exists() for call in calls)
    second = Incident.objects.filter(status__in=[IncidentStatus.WITH_SECOND_LEVEL, IncidentStatus.WAITING_SUPPLIER])
    assert second.exists()
    assert not second.filter(supplier__isnull=True).exists()
    assert not second.filter(supplier_reference="").exists()
    assert not Incident.objects.filter(support_level=SupportLevel.SECOND, supplier__isnull=True).exists()
    assert not Incident.objects.filter(
        status=IncidentStatus.WITH_FIRST_LEVEL, assigned_to__isnull=True, for_next_visit=False
    ).exists()
    ended = Incident.objects.filter(status__in=[IncidentStatus.RESOLVED, IncidentStatus.CLOSED])
    assert not ended.filter(resolved_at__isnull=True).exists()
    assert not Incident.objects.filter(status=IncidentStatus.CLOSED, closed_at__isnull=True).exists()
    assert not Incident.objects.filter(status=IncidentStatus.NEW, responded_at__isnull=False).exists()


def test_no_login_of_one_school_sees_a_call_of_the_other(demo):
    for key, other in (("oakfield", demo["riverside"]), ("riverside", demo["oakfield"])):
        for role in Role.values:
            user = User.objects.get(username=f"{key}.{role}")
            assert not Incident.objects.visible_to(user).filter(school=other).exists(), user.username
        spoc = User.objects.get(username=f"{key}.spoc")
        assert Incident.objects.visible_to(spoc).exists()
    provider = User.objects.get(username="oakfield.provider")
    seen = Incident.objects.visible_to(provider)
    assert (
        not seen.exclude(supplier__kind="la_ict")
        .exclude(reported_by=provider)
        .exclude(logged_by=provider)
        .exclude(assigned_to=provider)
        .exists()
    )
    la = User.objects.get(username="northbridge.la")
    assert Incident.objects.visible_to(la).filter(school=demo["riverside"]).exists()
    assert Incident.objects.visible_to(la).filter(school=demo["oakfield"]).exists()


def test_if_empty_is_idempotent_and_logins_are_listed(demo, capsys, settings):
    before = (School.objects.count(), User.objects.count(), Incident.objects.count())
    call_command("demo_seed", "--if-empty")
    assert (School.objects.count(), User.objects.count(), Incident.objects.count()) == before
    with pytest.raises(CommandError):
        call_command("demo_seed")
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert "riverside.dpo" in out and "northbridge.la" in out and DEMO_PASSWORD in out
    assert "http://127.0.0.1:8000/" in out
    settings.SCHOOLDESK_SITE_URL = "http://127.0.0.1:8102"  # what `make run PORT=8102` gives the settings
    call_command("demo_logins")
    assert "Open http://127.0.0.1:8102/ in a browser" in capsys.readouterr().out


def test_demo_logins_says_when_there_is_no_demo(capsys):
    call_command("demo_logins")
    assert "No demo data" in capsys.readouterr().out
