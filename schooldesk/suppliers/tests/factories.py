from datetime import date
from decimal import Decimal

from schooldesk.suppliers.models import Contract
from schooldesk.suppliers.services import contract_save


def make_contract(cast, *, shares=None, by=None, today=None, locations=None, **fields) -> Contract:
    """A contract saved through the service, as a person would save it (defaults: a year from 1 Sep 2026)."""
    values = {
        "supplier": cast.supplier,
        "name": "Technical support",
        "starts_on": date(2026, 9, 1),
        "initial_term_months": 12,
        "value": Decimal("1200.00"),
    }
    values.update(fields)
    return contract_save(
        contract=Contract(**values),
        by=by,
        shares=shares or {cast.school: Decimal("100")},
        today=today or date(2026, 9, 1),
        locations=locations,
    )
