"""Two people adding the same tag, serial or licence key at the same moment: one is saved, the other is
told why. Only PostgreSQL proves this (SQLite runs one writer at a time), so it is skipped there."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from schooldesk.accounts.models import User
from schooldesk.assets.models import Asset, AssetType
from schooldesk.assets.services import asset_save, asset_types_ensure
from schooldesk.licences.models import Licence
from schooldesk.licences.services import licence_save

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


def together(*jobs, timeout=20):
    """Each job in its own thread (its own connection and transaction), released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=timeout)
            results[index] = ("ok", job())
        except Exception as error:  # noqa: BLE001 - handed to the test, which asserts on it
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads)
    return results


def slow_commit(save):
    """Save, then hold the transaction open a moment: the other person's check cannot see this row yet, so
    only the database's unique constraint can stop the second insert (the race the check alone would lose)."""
    with transaction.atomic():
        result = save()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.5)")
    return result


def one_saved_one_told(results, field, words):
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError), repr(error)
    assert field in error.message_dict and words in error.message_dict[field][0]


@pytest.mark.parametrize(
    "first, second, field",
    [
        ({"tag": "RACE-1"}, {"tag": "race-1"}, "tag"),
        ({"tag": "RACE-1", "serial": "SN-1"}, {"tag": "RACE-2", "serial": "sn-1"}, "serial"),
    ],
)
def test_the_same_tag_or_serial_added_twice_at_once(cast, first, second, field):
    asset_types_ensure(school=cast.school)
    laptop = AssetType.objects.get(school=cast.school, name="Laptop")
    spoc_pk, technician_pk = cast.spoc.pk, cast.technician.pk

    def add(user_pk, fields):
        def job():
            return slow_commit(
                lambda: asset_save(
                    asset=Asset(school_id=cast.school.pk, asset_type_id=laptop.pk, **fields),
                    by=User.objects.get(pk=user_pk),
                )
            )

        return job

    results = together(add(spoc_pk, first), add(technician_pk, second))
    one_saved_one_told(results, field, "Another asset in this school already has")
    assert Asset.objects.filter(school=cast.school).count() == 1


def test_the_same_licence_key_added_twice_at_once(cast):
    owner_pk, spoc_pk = cast.owner.pk, cast.spoc.pk

    def add(user_pk, product):
        def job():
            return slow_commit(
                lambda: licence_save(
                    licence=Licence(school_id=cast.school.pk, product=product, licence_type="site", key="ABCDE-FGHIJ"),
                    by=User.objects.get(pk=user_pk),
                )
            )

        return job

    results = together(add(owner_pk, "Office"), add(spoc_pk, "Office (again)"))
    one_saved_one_told(results, "key", "already recorded")
    assert Licence.objects.filter(school=cast.school).count() == 1
