"""Concurrent changes to one call, in real concurrent transactions. Only PostgreSQL proves this:
SQLite runs one writer at a time, so these tests are skipped there."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from schooldesk.accounts.models import User
from schooldesk.core.exceptions import ConflictError
from schooldesk.incidents.choices import IncidentStatus, UpdateKind
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.incidents.services import incident_create, incident_reply, incident_triage
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def run_together(*jobs, timeout=20):
    """Run each job in its own thread (and so its own database connection), released together."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=timeout)
            results[index] = ("ok", job())
        except Exception as error:  # noqa: BLE001 - reported to the test, which asserts on it
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting on a lock"
    return results


def test_two_people_triaging_the_same_version_one_wins_the_other_is_told(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)

    def triage(user_pk, impact, urgency):
        def job():
            return incident_triage(
                incident=Incident.objects.get(pk=incident.pk),
                by=User.objects.get(pk=user_pk),
                version=1,
                category=None,
                impact=impact,
                urgency=urgency,
            )

        return job

    results = run_together(triage(cast.spoc.pk, "I1", "U1"), triage(cast.owner.pk, "I3", "U3"))

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ConflictError)
    winner = next(value for kind, value in results if kind == "ok")
    current = Incident.objects.get(pk=incident.pk)
    assert current.version == 2
    assert current.status == IncidentStatus.OPEN
    assert current.priority == winner.priority  # the loser changed nothing
    assert IncidentUpdate.objects.filter(incident=incident, kind=UpdateKind.TRIAGE).count() == 1
    assert IncidentUpdate.objects.filter(incident=incident, kind=UpdateKind.STATUS).count() == 1


def test_concurrent_replies_are_all_kept_and_no_version_is_lost(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)

    def reply(user_pk, text):
        return lambda: incident_reply(
            incident=Incident.objects.get(pk=incident.pk), by=User.objects.get(pk=user_pk), body=text
        )

    people = [cast.technician.pk, cast.spoc.pk, cast.reporter.pk, cast.owner.pk]
    results = run_together(*(reply(pk, f"message {n}") for n, pk in enumerate(people)))

    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert Incident.objects.get(pk=incident.pk).version == 1 + 4  # each increment under the row lock
    assert IncidentUpdate.objects.filter(incident=incident, kind=UpdateKind.REPLY).count() == 4


def test_changing_a_call_does_not_block_logging_another_at_the_same_school(cast):
    """The lock on a call being changed must not hold the school's row, or every new call for
    that school would wait (inserting a call takes a KEY SHARE lock on its school)."""
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    location = Location.objects.filter(school=cast.school).first()
    outcome = {}

    def log_another():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            outcome["created"] = incident_create(
                school=cast.school,
                location=location,
                summary="Another call",
                by=User.objects.get(pk=cast.viewer.pk),
            )
        except OperationalError as error:
            outcome["error"] = error
        finally:
            connection.close()

    with transaction.atomic():
        incident_reply(incident=incident, by=cast.technician, body="Working on it")  # holds the call's lock
        thread = threading.Thread(target=log_another)
        thread.start()
        thread.join(10)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["created"].school_id == cast.school.pk
