"""The offer matches the refusal (docs/decisions/0036): for each person of a school, the procedure pages offer
proposing, withdrawing and deciding exactly when the rule the service enforces says yes."""

import pytest

from schooldesk.core.permissions import can
from schooldesk.core.tests.pages import offered
from schooldesk.procedures.services import procedure_create, procedure_decide, procedure_propose

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_list_offers_proposing_and_the_starting_set_as_the_rule_allows(cast, client, role):
    user = getattr(cast, role)
    client.force_login(user)
    status, offers = offered(client, "/procedures/")
    assert status == 200
    may = can(user, "procedures.propose", cast.school)
    assert ("/procedures/new/" in offers) == may
    assert ("/procedures/starter/" in offers) == may
    assert client.get("/procedures/new/").status_code == (200 if may else 403)


@pytest.mark.parametrize("role", CAST)
def test_the_procedure_offers_proposing_withdrawing_and_deciding_as_the_rules_allow(cast, client, role):
    user = getattr(cast, role)
    first = procedure_create(school=cast.school, by=cast.spoc, title="Reporting a fault", body="Use the desk.")
    procedure = first.procedure
    procedure_decide(version=first, by=cast.owner, authorise=True)
    procedure.refresh_from_db()
    client.force_login(user)
    status, offers = offered(client, f"/procedures/{procedure.pk}/")
    assert status == 200
    assert (f"/procedures/{procedure.pk}/propose/" in offers) == can(user, "procedures.propose", procedure)
    proposal = procedure_propose(
        procedure=procedure, by=cast.spoc, title="Reporting a fault", body="Use the desk, or call.", note="Phone"
    )
    status, offers = offered(client, f"/procedures/{procedure.pk}/")
    assert (f"/procedures/{procedure.pk}/versions/{proposal.pk}/withdraw/" in offers) == can(
        user, "procedures.propose", procedure
    )
    assert (f"/procedures/{procedure.pk}/versions/{proposal.pk}/decide/" in offers) == can(
        user, "procedures.decide", procedure
    )
