"""The pool page and the charge list cost the same number of queries whatever the number of rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.loans.charges import charge_raise
from schooldesk.loans.pool import loaner_swap_in
from schooldesk.loans.tests.factories_pool import loan, loaners, pupil

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # the first load fills the caches every later load finds
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(cast, n: int):
    for i in range(n):
        lent = loan(
            school=cast.school, by=cast.spoc, borrower=pupil(cast.school, mis_id=f"M-{n}-{i}"), tag=f"P-{n}-{i}"
        )
        (spare,) = loaners(school=cast.school, by=cast.spoc, prefix=f"L{n}{i}")
        call = IncidentFactory(school=cast.school, by=cast.spoc, asset=lent.asset)
        loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.spoc)
        loaners(school=cast.school, by=cast.spoc, prefix=f"S{n}{i}")
        charge_raise(loan=lent, by=cast.spoc, reason="damage", description="Dent", amount=Decimal("9"))


@pytest.mark.parametrize("url", ["/loans/pool/{school}/", "/loans/charges/"])
def test_pages_cost_the_same_with_more_rows(cast, client, url):
    client.force_login(cast.spoc)
    url = url.format(school=cast.school.pk)
    _grow(cast, 1)
    few = _queries(client, url)
    _grow(cast, 4)
    assert _queries(client, url) == few
