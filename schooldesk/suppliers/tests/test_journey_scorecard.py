"""The SPOC records on a call when the supplier responded and fixed it, then reads the contract's scorecard:
in a real browser, at a desktop and a phone, signed in through the login form."""

from datetime import date, datetime

import pytest
from playwright.sync_api import expect

from schooldesk.core.calendar import LONDON
from schooldesk.core.tests.browser import nav_to
from schooldesk.core.tests.roles import escalated_call, looked_at
from schooldesk.incidents.models import Incident

from .factories import make_contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_spoc_records_the_suppliers_times_and_reads_the_scorecard(cast, signed_in, viewport):
    targets = {p: {"respond": 120, "fix": 480} for p in ("P1", "P2", "P3", "P4")}
    contract = make_contract(cast, starts_on=date(2026, 9, 1), targets=targets)  # support Mon–Fri 08:00–17:00
    call = escalated_call(cast, "Server room switch is beeping", "OAK-4411")
    Incident.objects.filter(pk=call.pk).update(escalated_at=datetime(2026, 11, 9, 9, 0, tzinfo=LONDON))  # Monday

    page = signed_in(cast.spoc, viewport)
    page.goto(f"/incidents/{call.pk}/")
    page.get_by_text("When the supplier responded and fixed it").click()
    form = page.locator("#action-supplier_times")
    # First the fix before the response: refused, with what was typed kept.
    form.get_by_label("The supplier responded at").fill("2026-11-09T10:30")
    form.get_by_label("The supplier fixed it at").fill("2026-11-09T10:00")
    form.get_by_role("button", name="Save").click()
    form = page.locator("#action-supplier_times")
    expect(form).to_contain_text("The fix cannot come before the response (09/11/2026 10:30).")
    expect(form.get_by_label("The supplier fixed it at")).to_have_value("2026-11-09T10:00")
    form.get_by_label("The supplier fixed it at").fill("2026-11-09T15:00")
    looked_at(page, "spoc-supplier-times", viewport)
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("The supplier's times are recorded.")
    expect(page.locator("#supplier-responded")).to_have_text("Supplier responded 09/11/2026 10:30")
    expect(page.locator("#supplier-fixed")).to_have_text("Supplier fixed it 09/11/2026 15:00")
    said = "Oak Support Ltd responded at 09/11/2026 10:30; fixed it at 09/11/2026 15:00."
    expect(page.get_by_text(said)).to_be_visible()

    nav_to(page, "Records", "Contracts")
    page.get_by_role("link", name=contract.reference).click()
    scorecard = page.get_by_role("region", name="Supplier performance")
    expect(scorecard).to_contain_text("while this contract was in force (01/09/2026 to 31/08/2027)")
    # 1 h 30 min to respond against 2 h; 6 h of support time to fix against 8 h.
    expect(scorecard).to_contain_text("Responded within target100% (1 of 1)")
    expect(scorecard).to_contain_text("Fixed within target100% (1 of 1)")
    expect(scorecard).to_contain_text("Average fix6 h")
    looked_at(page, "spoc-contract-scorecard", viewport)
