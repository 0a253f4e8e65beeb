"""School A's problems for the tenancy walk (schooldesk/core/tests/test_tenancy.py)."""

from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.problems.services import known_error_give, problem_settings_save
from schooldesk.problems.tests.factories import known_error

SECTION = "problems"
PK = "problem"

API = {"known-errors": "problem"}  # what <pk> means under /api/v1/<name>/


def build(cast, secret):
    room = Location.objects.create(school=cast.school, name=f"{secret} problem room")
    calls = [
        IncidentFactory(school=cast.school, by=cast.reporter, location=room, summary=f"{secret} wifi drops {n}")
        for n in range(3)
    ]
    problem = known_error(
        cast.school,
        title=f"{secret} Wi-Fi problem",
        location=room,
        incidents=calls[:2],
        workaround=f"{secret} workaround steps",
    )
    known_error_give(problem=problem, incident=calls[2], by=None)
    problem_settings_save(school=cast.school, by=None, candidate_calls=2, candidate_days=20)
    return {"problem": problem}
