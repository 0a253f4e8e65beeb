"""Eight people press "Issue to a person" on one asset at once, and eight allocations of a licence's seats
arrive at once: the row lock takes them one at a time, so one issue wins and the others are told, and the
seats allocated never exceed those owned. Only PostgreSQL shows it (SQLite runs one writer at a time)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from schooldesk.accounts.models import Membership, User
from schooldesk.assets.models import Asset
from schooldesk.assets.services import asset_issue
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.assets.tests.test_concurrency import together
from schooldesk.licences.models import Allocation, Licence
from schooldesk.licences.services import allocation_add
from schooldesk.licences.tests.factories import LicenceFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


def people(cast, n):
    found = []
    for i in range(n):
        person = User.objects.create(username=f"race-{i}", first_name="Race", last_name=str(i))
        Membership.objects.create(user=person, school=cast.school, role="reporter")
        found.append(person.pk)
    return found


def test_eight_parallel_issues_of_one_asset_issue_it_once(cast):
    asset = AssetFactory(school=cast.school)
    asset_pk, spoc_pk = asset.pk, cast.spoc.pk

    def issue(person_pk):
        return lambda: asset_issue(
            asset=Asset.objects.get(pk=asset_pk), person=User.objects.get(pk=person_pk), by=User.objects.get(pk=spoc_pk)
        )

    results = together(*[issue(pk) for pk in people(cast, 8)])
    issued = [value for kind, value in results if kind == "ok"]
    refused = [value for kind, value in results if kind == "error"]
    assert len(issued) == 1 and len(refused) == 7, results
    assert all(isinstance(e, ValidationError) and "already issued to" in e.messages[0] for e in refused), refused
    assert Asset.objects.get(pk=asset_pk).issued_to_id == issued[0].issued_to_id


def test_eight_parallel_allocations_never_exceed_the_seats_owned(cast):
    licence = LicenceFactory(school=cast.school, product="Office", quantity=10, licence_type="per_user")
    licence_pk, spoc_pk = licence.pk, cast.spoc.pk

    def allocate(person_pk):
        return lambda: allocation_add(
            licence=Licence.objects.get(pk=licence_pk),
            by=User.objects.get(pk=spoc_pk),
            person=User.objects.get(pk=person_pk),
            quantity=3,
        )

    results = together(*[allocate(pk) for pk in people(cast, 8)])
    assert sorted(kind for kind, _ in results) == ["error"] * 5 + ["ok"] * 3, results
    assert Licence.objects.get(pk=licence_pk).allocated_count == 9
    assert sum(Allocation.objects.filter(licence_id=licence_pk).values_list("quantity", flat=True)) == 9
