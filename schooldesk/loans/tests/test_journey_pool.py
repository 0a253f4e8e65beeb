"""The issue's "done when", in Chromium at phone size (390x844): a loaner is swapped in for a device sent to repair
and swapped back on resolve. The SPOC opens the escalated call about a pupil's Chromebook on a phone, picks a spare
and taps "Swap in the loaner"; the supplier's fix is recorded and the call resolved; the call page offers the swap
back and one tap gives the pupil their own device again. Screenshots: test-artifacts/screenshots/pool-*.png."""

import re

import pytest
from playwright.sync_api import expect

from schooldesk.accounts.tests.factories import PASSWORD
from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset, AssetEvent
from schooldesk.core.tests.browser import screenshot, sign_in
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_escalate, incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.loans.models import Loan
from schooldesk.loans.models_pool import LoanSwap
from schooldesk.loans.tests.factories_pool import loan, loaners

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_loaner_is_swapped_in_for_a_device_sent_to_repair_and_back_on_resolve(cast, open_page):
    lent = loan(school=cast.school, by=cast.spoc)
    first, second = loaners(school=cast.school, by=cast.spoc, count=2)
    call = IncidentFactory(school=cast.school, by=cast.spoc, summary="Chromebook screen cracked", asset=lent.asset)
    call = incident_escalate(
        incident=call, by=cast.spoc, version=call.version, supplier=cast.supplier, reference="RMA-2231"
    )

    phone = open_page("phone")
    sign_in(phone, cast.spoc, PASSWORD)
    phone.goto(f"/incidents/{call.pk}/")
    panel = phone.get_by_role("region", name="Loaner for the borrower")
    expect(panel).to_contain_text("PUP-0001 is on loan to Amara Okafor")
    panel.get_by_label("Loaner from the pool").select_option(label=f"{second.tag} · {second.description}")
    screenshot(phone, "pool-offer-phone.png")
    panel.get_by_role("button", name="Swap in the loaner").click()
    expect(phone.get_by_role("status").first).to_contain_text(f"Amara Okafor now has the loaner {second.tag}")
    swap = LoanSwap.objects.get()
    assert (swap.loaner, swap.incident_id, swap.swapped_by) == (second, call.pk, cast.spoc)
    assert Loan.objects.get(pk=lent.pk).asset == second
    assert Asset.objects.get(tag="PUP-0001").status == AssetStatus.IN_REPAIR
    assert Asset.objects.get(pk=first.pk).status == AssetStatus.SPARE
    expect(phone.get_by_role("region", name="Loaner for the borrower")).to_contain_text("Swap back")

    call = Incident.objects.get(pk=call.pk)
    incident_resolve(incident=call, by=cast.technician, version=call.version, resolution="Screen replaced (RMA-2231).")
    assert LoanSwap.objects.get().is_open  # the school swaps back by hand: the desk is offered it
    phone.reload()
    panel = phone.get_by_role("region", name="Loaner for the borrower")
    expect(panel).to_contain_text("The repair call is resolved")
    screenshot(phone, "pool-swap-back-phone.png")
    panel.get_by_role("button", name=re.compile("^Swap back")).click()
    expect(phone.get_by_role("status").first).to_contain_text("PUP-0001 is back with Amara Okafor")
    swap = LoanSwap.objects.get()
    assert not swap.is_open and swap.swapped_back_by == cast.spoc
    assert Loan.objects.get(pk=lent.pk).asset.tag == "PUP-0001"
    assert Asset.objects.get(pk=second.pk).status == AssetStatus.SPARE
    assert Asset.objects.get(tag="PUP-0001").status == AssetStatus.ON_LOAN
    # never lost track: both devices' histories tell the story
    assert AssetEvent.objects.filter(asset=second, kind="loaned").exists()
    assert AssetEvent.objects.filter(asset=second, kind="returned").exists()
    assert AssetEvent.objects.filter(asset__tag="PUP-0001", note__contains="Sent for repair").exists()
    assert AssetEvent.objects.filter(asset__tag="PUP-0001", note__contains="Back from repair").exists()
