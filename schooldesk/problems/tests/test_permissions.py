"""The offer matches the refusal (docs/decisions/0036): for each person of a school, the problem pages offer
raising, working, settings and the report exactly when the rule the service enforces says yes."""

import pytest

from schooldesk.core.permissions import can
from schooldesk.core.tests.pages import offered
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.problems.tests.factories import ProblemFactory, known_error
from schooldesk.problems.views import ACTIONS

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_problem_pages_offer_working_a_problem_as_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    client.force_login(user)
    may_work = can(user, "problems.change", problem)
    status, offers = offered(client, "/problems/")
    assert status == (200 if can(user, "problems.change") else 403)
    status, offers = offered(client, f"/problems/{problem.pk}/")
    if not may_work:
        assert status in (403, 404)
        return
    assert status == 200
    for action in ("note", "link", "known_error", "resolve", "status", "close"):
        assert action in ACTIONS
        assert f"/problems/{problem.pk}/{action.replace('_', '-')}/" in offers
    assert client.get("/problems/new/").status_code == (200 if can(user, "problems.create", cast.school) else 403)


@pytest.mark.parametrize("role", CAST)
def test_the_report_and_the_candidate_settings_are_offered_as_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    client.force_login(user)
    status, offers = offered(client, "/problems/")
    if status == 200:
        assert ("/problems/report/" in offers) == can(user, "problems.report")
    assert client.get("/problems/report/").status_code in ((200, 400) if can(user, "problems.report") else (403,))
    status, offers = offered(client, "/problems/candidates/")
    assert status == (200 if can(user, "problems.create") else 403)
    if status == 200:
        assert ("/problems/candidates/settings/" in offers) == can(user, "problems.settings", cast.school)


@pytest.mark.parametrize("role", CAST)
def test_a_calls_known_errors_offer_the_workaround_as_the_rule_allows(cast, client, role):
    user = getattr(cast, role)
    problem = known_error(cast.school)
    call = IncidentFactory(school=cast.school, by=cast.reporter, location=problem.location)
    client.force_login(user)
    status, offers = offered(client, f"/problems/known-errors/suggest/?incident={call.pk}")
    if status != 200:
        return
    if not can(user, "problems.give_workaround", call):
        assert f"/problems/{problem.pk}/give-workaround/" not in offers
