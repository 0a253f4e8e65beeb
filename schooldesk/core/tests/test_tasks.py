import pytest
from django.db import connection

from schooldesk.core.tasks import database_optimise


@pytest.mark.django_db
def test_database_optimise_gives_sqlite_planner_statistics(cast):
    from schooldesk.incidents.tests.factories import IncidentFactory

    IncidentFactory(school=cast.school, by=cast.reporter)
    database_optimise()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'incidents_incident'")
            assert cursor.fetchone()[0] > 0
