"""Access.school_q: the same schools as the plain list, in SQL that stays short for an LA."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.core.access import access_for
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.schools.tests.factories import SchoolFactory


def test_an_organisation_wide_role_is_one_condition_on_the_organisation_not_a_list_of_schools(cast, other):
    organisation = cast.school.organisation
    more = [SchoolFactory(organisation=organisation, name=f"School {n}") for n in range(3)]
    la = UserFactory()
    MembershipFactory(user=la, organisation=organisation, role="owner")
    MembershipFactory(user=la, school=other.school, role="viewer")  # and one school elsewhere, by name
    access = access_for(la)
    every = {cast.school.pk, other.school.pk, *(s.pk for s in more)}
    assert set(access.school_ids()) == every

    with CaptureQueriesContext(connection) as queries:
        seen = set(Location.objects.filter(access.schools_q()).values_list("school_id", flat=True))
    assert seen == set(Location.objects.filter(school_id__in=every).values_list("school_id", flat=True))
    sql = queries.captured_queries[0]["sql"]
    assert "organisation_id" in sql  # the LA's schools as a condition on their organisation …
    assert str(other.school.pk) in sql  # … and the other school by its id
    for school in more:  # none of the LA's schools spelt out
        assert f" {school.pk}," not in sql and f"({school.pk})" not in sql and f" {school.pk})" not in sql


def test_a_school_by_school_user_gets_the_plain_list(cast):
    access = access_for(cast.spoc)
    assert access.schools_by_organisation == {}
    sql, params = Location.objects.filter(access.schools_q()).query.sql_with_params()
    assert "organisation_id" not in sql and cast.school.pk in params


def test_no_school_means_no_row(cast):
    stranger = UserFactory()
    assert not Location.objects.filter(access_for(stranger).schools_q()).exists()


def test_an_la_owner_sees_every_call_of_its_schools_and_none_of_another_organisation(cast, other):
    IncidentFactory(school=cast.school, by=cast.spoc, summary="Ours")
    IncidentFactory(school=other.school, by=other.spoc, summary="Theirs")
    la = UserFactory()
    MembershipFactory(user=la, organisation=cast.school.organisation, role="owner")
    summaries = set(Incident.objects.visible_to(la).values_list("summary", flat=True))
    assert "Ours" in summaries and "Theirs" not in summaries
