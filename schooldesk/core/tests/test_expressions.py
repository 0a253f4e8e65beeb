"""Rare: the same rows as the condition alone, on either database; a likelihood only SQLite reads."""

import pytest
from django.db import connection
from django.db.models import Q

from schooldesk.core.expressions import Rare
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory


@pytest.mark.django_db
def test_a_rare_condition_finds_the_same_rows(cast):
    waiting = IncidentFactory(school=cast.school, by=cast.spoc)
    Incident.objects.filter(pk=waiting.pk).update(status="waiting_supplier")
    IncidentFactory(school=cast.school, by=cast.spoc)
    condition = Q(status__in=["waiting_supplier", "waiting_reporter"])

    rare = Incident.objects.filter(Rare(condition))

    assert list(rare.values_list("pk", flat=True)) == [waiting.pk]
    assert list(Incident.objects.filter(~Rare(condition)).values_list("pk", flat=True)) == list(
        Incident.objects.exclude(condition).values_list("pk", flat=True)
    )
    assert ("likelihood(" in str(rare.query)) == (connection.vendor == "sqlite")


def test_the_likelihood_is_a_fraction():
    with pytest.raises(ValueError):
        Rare(Q(pk=1), likelihood=1.5)
