"""The move from a 1–5 score to good / OK / poor keeps every rating (migration 0011, decision 0022):
4–5 → good, 3 → OK, 1–2 → poor; a rated call counts as asked; the full-text index still finds calls after
SQLite made the table again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("incidents", "0010_category_needs_approval_and_awaiting_approval")]
AFTER = [("incidents", "0011_satisfaction_good_ok_poor")]


def test_old_scores_become_good_ok_and_poor(cast):
    from schooldesk.incidents.tests.factories import IncidentFactory

    calls = [IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Projector {n} flickers") for n in range(6)]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("incidents", "Incident")
    for call, score in zip(calls, [5, 4, 3, 2, 1, None], strict=True):
        old.objects.filter(pk=call.pk).update(
            satisfaction=score, status="closed", resolved_at=call.logged_at, closed_at=call.logged_at
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    from schooldesk.incidents.models import Incident
    from schooldesk.incidents.search import incident_text_filter

    rows = Incident.objects.filter(pk__in=[c.pk for c in calls]).order_by("pk")
    assert [r.satisfaction for r in rows] == ["good", "good", "ok", "poor", "poor", ""]
    assert [r.satisfaction_asked_at is not None for r in rows] == [True] * 5 + [False]
    assert Incident.objects.filter(incident_text_filter("projector")).count() == 6  # the index survived
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for the next tests
