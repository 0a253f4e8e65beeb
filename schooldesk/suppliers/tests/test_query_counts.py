"""The supplier and contract pages do a fixed number of queries whatever the number of rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from schooldesk.conftest import make_cast
from schooldesk.core.tests.pages import count_queries
from schooldesk.incidents.services import incident_escalate, incident_reply
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.suppliers.models import Contact
from schooldesk.suppliers.services import contract_decide, contract_document_add

from .factories import make_contract

pytestmark = pytest.mark.django_db
CEILING = 30


def grow(cast, second, trust, n):
    today = timezone.localdate()
    for i in range(n):
        contract = make_contract(
            cast,
            name=f"Contract {i}",
            starts_on=today - timedelta(days=300 + i),
            notice_number=1,
            shares={cast.school: Decimal("50"), second.school: Decimal("50")},
            today=today,
            targets={"P4": {"respond": 60, "fix": 600}},
            visit_weekday=i % 5,
            visit_starts_at="09:00",
            visit_ends_at="10:00",
        )
        if i % 2:  # half decided (the "decided" list), half still needing a decision
            contract_decide(contract=contract, by=trust, decision="renegotiate", reason=f"Reason {i}", today=today)
        from django.core.files.uploadedfile import SimpleUploadedFile

        contract_document_add(contract=contract, by=None, upload=SimpleUploadedFile(f"d{i}.pdf", b"%PDF-1 x"))
        Contact.objects.create(supplier=cast.supplier, name=f"Contact {i}", phone="1")
        incident = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Call {i}")
        incident = incident_escalate(incident=incident, by=cast.spoc, version=incident.version, supplier=cast.supplier)
        incident_reply(incident=incident, by=cast.provider, body="On it")


PAGES = {
    "suppliers": lambda cast, c: "/suppliers/",
    "supplier page": lambda cast, c: f"/suppliers/{cast.supplier.pk}/",
    "contracts": lambda cast, c: "/suppliers/contracts/",
    "contracts filtered": lambda cast, c: f"/suppliers/contracts/?q=contract&status=active&school={cast.school.pk}",
    "needs a decision": lambda cast, c: "/suppliers/contracts/decisions/",
    "contract page": lambda cast, c: f"/suppliers/contracts/{c.pk}/",
    "contract form": lambda cast, c: f"/suppliers/contracts/{c.pk}/edit/",
}


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_is_fixed(page, cast, client):
    from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory

    second = make_cast("ash", organisation=cast.school.organisation)
    trust = UserFactory(username="trust")
    MembershipFactory(user=trust, organisation=cast.school.organisation, role="owner")
    grow(cast, second, trust, 2)
    first = cast.supplier.contracts.order_by("pk").first()
    client.force_login(trust)
    small = count_queries(client, PAGES[page](cast, first))
    grow(cast, second, trust, 12)
    client.force_login(trust)
    large = count_queries(client, PAGES[page](cast, first))
    assert large == small, f"{page}: {small} queries with few rows, {large} with many"
    assert large <= CEILING, f"{page}: {large} queries"
    print(f"{page}: {large} queries")
