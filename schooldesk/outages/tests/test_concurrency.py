"""An outage resolved by two people at once, and thirty taps at once: real concurrent transactions, so only
PostgreSQL proves it (SQLite runs one writer at a time)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from schooldesk.accounts.models import User
from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.incidents.tests.test_concurrency import run_together
from schooldesk.outages.models import AffectedPerson, Outage
from schooldesk.outages.services import outage_affected, outage_declare, outage_resolve

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_resolved_twice_at_once_one_wins_and_each_person_is_emailed_once(cast):
    outage = outage_declare(by=cast.spoc, schools=[cast.school], title="Internet down")
    people = []
    for n in range(5):
        person = UserFactory(username=f"oak-tapper-{n}")
        MembershipFactory(user=person, school=cast.school, role="reporter")
        outage_affected(outage=outage, by=person)
        people.append(person)
    mail.outbox.clear()

    def resolve(user_pk):
        return lambda: outage_resolve(
            outage=Outage.objects.get(pk=outage.pk),
            by=User.objects.get(pk=user_pk),
            version=None,
            resolution="The router was restarted.",
        )

    results = run_together(resolve(cast.spoc.pk), resolve(cast.owner.pk))
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), ValidationError)
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(p.email for p in people)


def test_the_same_person_tapping_twice_at_once_is_listed_once(cast):
    outage = outage_declare(by=cast.spoc, schools=[cast.school], title="Internet down")
    tap = lambda: outage_affected(outage=Outage.objects.get(pk=outage.pk), by=User.objects.get(pk=cast.reporter.pk))  # noqa: E731
    results = run_together(tap, tap)
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert AffectedPerson.objects.filter(outage=outage).count() == 1
