"""Who sees which calls: `Incident.objects.visible_to(user)`, the one place tenancy is decided."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from schooldesk.accounts.models import Membership, User
from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.conftest import make_cast
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_assign, incident_escalate
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.schools.tests.factories import OrganisationFactory
from schooldesk.suppliers.models import Supplier


def fresh(user) -> User:
    """The same person as a new request would load them (roles are cached on the user object)."""
    return User.objects.get(pk=user.pk)


def seen_by(user) -> set[str]:
    return {i.summary for i in Incident.objects.visible_to(fresh(user))}


@dataclass
class Calls:
    teacher: User  # a second reporter
    second_technician: User


@pytest.fixture
def calls(cast, other) -> Calls:
    teacher = UserFactory(username="oak-teacher")
    MembershipFactory(user=teacher, school=cast.school, role="reporter")
    second_technician = UserFactory(username="oak-technician-2")
    MembershipFactory(user=second_technician, school=cast.school, role="technician")
    broadband = Supplier.objects.create(organisation=cast.school.organisation, name="Broadband Co")

    IncidentFactory(school=cast.school, by=cast.reporter, summary="reporter's own")
    IncidentFactory(school=cast.school, by=cast.viewer, summary="viewer's own")
    IncidentFactory(school=cast.school, by=cast.spoc, reporter_name="Mrs Patel", summary="phoned in")
    escalated = IncidentFactory(school=cast.school, by=teacher, summary="escalated to oak support")
    incident_escalate(incident=escalated, by=cast.spoc, version=1, supplier=cast.supplier)
    elsewhere = IncidentFactory(school=cast.school, by=teacher, summary="escalated to broadband")
    incident_escalate(incident=elsewhere, by=cast.spoc, version=1, supplier=broadband)
    restricted = IncidentFactory(school=cast.school, by=teacher, summary="safeguarding", is_restricted=True)
    restricted = incident_assign(incident=restricted, by=cast.owner, version=1, technician=cast.technician)
    incident_escalate(incident=restricted, by=cast.owner, version=restricted.version, supplier=cast.supplier)

    IncidentFactory(school=other.school, by=other.reporter, summary="elm call")
    foreign = IncidentFactory(school=other.school, by=other.spoc, summary="elm escalated")
    incident_escalate(incident=foreign, by=other.spoc, version=1, supplier=other.supplier)
    IncidentFactory(school=other.school, by=other.reporter, summary="elm restricted", is_restricted=True)
    return Calls(teacher=teacher, second_technician=second_technician)


UNRESTRICTED = {
    "reporter's own",
    "viewer's own",
    "phoned in",
    "escalated to oak support",
    "escalated to broadband",
}


def test_a_reporter_sees_only_their_own_calls(cast, calls):
    assert seen_by(cast.reporter) == {"reporter's own"}
    assert seen_by(calls.teacher) == {"escalated to oak support", "escalated to broadband", "safeguarding"}


def test_a_viewer_sees_only_their_own_calls(cast, calls):
    assert seen_by(cast.viewer) == {"viewer's own"}


def test_spoc_and_technicians_see_the_schools_unrestricted_calls(cast, calls):
    assert seen_by(cast.spoc) == UNRESTRICTED
    assert seen_by(calls.second_technician) == UNRESTRICTED


def test_a_provider_sees_only_calls_escalated_to_their_supplier(cast, calls):
    # not the call escalated to another supplier, nor the restricted call escalated to theirs
    assert seen_by(cast.provider) == {"escalated to oak support"}


def test_restricted_calls_show_only_to_owner_dpo_reporter_and_assignee(cast, calls):
    assert seen_by(cast.owner) == UNRESTRICTED | {"safeguarding"}
    assert seen_by(cast.dpo) == {"safeguarding"}  # the DPO/DSL is there for the restricted calls
    assert "safeguarding" in seen_by(calls.teacher)  # reported it
    assert seen_by(cast.technician) == UNRESTRICTED | {"safeguarding"}  # assigned to it
    for person in (cast.spoc, calls.second_technician, cast.provider, cast.viewer, cast.reporter):
        assert "safeguarding" not in seen_by(person), person


def test_nobody_sees_another_schools_calls(cast, other, calls):
    ours = UNRESTRICTED | {"safeguarding"}
    theirs = {"elm call", "elm escalated", "elm restricted"}
    for role in ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo"):
        assert not seen_by(getattr(cast, role)) & theirs, role
        assert not seen_by(getattr(other, role)) & ours, role
    assert seen_by(other.spoc) == {"elm call", "elm escalated"}
    assert seen_by(other.owner) == theirs
    assert seen_by(other.provider) == {"elm escalated"}


def test_anonymous_and_roleless_users_see_nothing(cast, calls):
    assert not Incident.objects.visible_to(AnonymousUser()).exists()
    assert not Incident.objects.visible_to(UserFactory()).exists()


def test_roles_are_per_school(cast, other, calls):
    """A reporter in one school and a technician in another works calls only in the second."""
    person = UserFactory(username="both")
    MembershipFactory(user=person, school=cast.school, role="reporter")
    MembershipFactory(user=person, school=other.school, role="technician")
    IncidentFactory(school=cast.school, by=person, summary="own at oak")
    assert seen_by(person) == {"own at oak", "elm call", "elm escalated"}


def test_leaving_the_school_ends_access_even_to_ones_own_calls(cast, calls):
    Membership.objects.filter(user=cast.reporter).delete()
    assert seen_by(cast.reporter) == set()


def test_an_organisation_wide_role_sees_every_school_of_that_organisation(other):
    trust = OrganisationFactory(name="Forest Trust")
    ash = make_cast("ash", organisation=trust)
    birch = make_cast("birch", organisation=trust)
    IncidentFactory(school=ash.school, by=ash.reporter, summary="ash call")
    birch_call = IncidentFactory(school=birch.school, by=birch.reporter, summary="birch call")
    incident_escalate(incident=birch_call, by=birch.spoc, version=1, supplier=ash.supplier)  # the trust's supplier
    IncidentFactory(school=birch.school, by=birch.reporter, summary="birch restricted", is_restricted=True)
    IncidentFactory(school=other.school, by=other.reporter, summary="elm call")

    technician = UserFactory(username="trust-technician")
    Membership.objects.create(user=technician, organisation=trust, role="technician")
    assert seen_by(technician) == {"ash call", "birch call"}

    owner = UserFactory(username="trust-owner")
    Membership.objects.create(user=owner, organisation=trust, role="owner")
    assert seen_by(owner) == {"ash call", "birch call", "birch restricted"}

    provider = UserFactory(username="trust-provider")
    Membership.objects.create(user=provider, organisation=trust, role="provider", supplier=ash.supplier)
    assert seen_by(provider) == {"birch call"}

    # a school-level role in one trust school does not reach the other
    assert seen_by(ash.spoc) == {"ash call"}


def test_visible_to_costs_one_query_for_roles_and_one_for_calls(cast, calls, django_assert_num_queries):
    spoc = fresh(cast.spoc)
    with django_assert_num_queries(2):  # the roles, then the calls
        assert set(Incident.objects.visible_to(spoc).active().values_list("summary", flat=True)) == UNRESTRICTED


# --- finding a call by its reference --------------------------------------------------------------
@pytest.mark.parametrize("text", ["INC-{n:06d}", "inc-{n}", "{n}", " INC-{n:06d} ", "000{n}"])
def test_with_reference_accepts_the_forms_people_type(cast, text):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    IncidentFactory(school=cast.school, by=cast.reporter)
    assert list(Incident.objects.with_reference(text.format(n=incident.pk))) == [incident]


@pytest.mark.parametrize("text", ["", "INC-", "INC-000000", "printer", "12a", "-5", "INC 12", "9" * 30])
def test_with_reference_finds_nothing_for_other_text(cast, text):
    IncidentFactory(school=cast.school, by=cast.reporter)
    assert not Incident.objects.with_reference(text).exists()


def test_with_reference_respects_visibility(cast, other):
    foreign = IncidentFactory(school=other.school, by=other.reporter)
    assert not Incident.objects.visible_to(fresh(cast.spoc)).with_reference(foreign.reference).exists()
    assert Incident.objects.visible_to(fresh(other.spoc)).with_reference(foreign.reference).exists()


def test_with_reference_does_not_crash_on_superscript_digits(cast):
    assert not Incident.objects.with_reference("INC-²").exists()
