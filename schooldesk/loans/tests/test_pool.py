"""The loaner pool: a spare swapped in when a lent device goes for repair, and back when the repair call is resolved
(by the desk, or by itself where the school chose it); every swap on both devices' histories and on the loan."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import AssetEvent
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.services import incident_escalate, incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.loans.models import Loan
from schooldesk.loans.models_pool import LoanSwap
from schooldesk.loans.pool import loaner_add, loaner_swap_back, loaner_swap_in, pool_for
from schooldesk.loans.tests.factories_pool import loan, loaners

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair(cast):
    """A pupil's Chromebook on loan, a call about it escalated to the supplier, and two spares in the pool."""
    lent = loan(school=cast.school, by=cast.spoc)
    spares = loaners(school=cast.school, by=cast.technician, count=2)
    call = IncidentFactory(school=cast.school, by=cast.spoc, summary="Screen cracked", asset=lent.asset)
    call = incident_escalate(
        incident=call, by=cast.spoc, version=call.version, supplier=cast.supplier, reference="RMA-771"
    )
    return lent, spares, call


def _post_form(client, page, action_part, **typed):
    shown = client.get(page)
    assert shown.status_code == 200
    (form,) = [f for f in forms_in(shown.content.decode(), page) if action_part in f.action]
    data, _touched = filled(form, form.buttons[0] if form.buttons else None)
    data.update(typed)
    return client.post(form.action, data)


def test_the_call_page_offers_a_spare_and_one_click_swaps_it_in(cast, client, repair):
    lent, (spare, _other), call = repair
    client.force_login(cast.spoc)
    page = f"/incidents/{call.pk}/"
    assert "Swap in the loaner" in client.get(page).content.decode()
    response = _post_form(client, page, "/swap-in/", loaner=str(spare.pk))
    assert response.status_code == 302 and response["Location"] == page
    lent.refresh_from_db()
    original = lent.asset.__class__.objects.get(tag="PUP-0001")
    assert lent.asset == spare
    spare.refresh_from_db()
    assert spare.status == AssetStatus.ON_LOAN and original.status == AssetStatus.IN_REPAIR
    swap = LoanSwap.objects.get()
    assert (swap.original, swap.loaner, swap.incident, swap.swapped_by) == (original, spare, call, cast.spoc)
    assert swap.original_status == AssetStatus.ON_LOAN
    # on both devices' histories, and on the call's timeline as an internal note
    assert "Sent for repair (" + call.reference in AssetEvent.objects.filter(asset=original).first().note
    assert "in place of " + original.reference in AssetEvent.objects.filter(asset=spare).first().note
    assert call.updates.filter(is_public=False, body__contains=spare.reference).exists()
    # the call page now offers the swap back (not yet ready: the call is still open)
    assert "Swap back" in client.get(page).content.decode()


def test_resolving_the_call_offers_the_swap_back_and_the_desk_does_it(
    cast, client, repair, django_capture_on_commit_callbacks
):
    lent, (spare, _other), call = repair
    swap = loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.spoc)
    with django_capture_on_commit_callbacks(execute=True):
        incident_resolve(
            incident=call,
            by=cast.technician,
            version=call.__class__.objects.get(pk=call.pk).version,
            resolution="Screen replaced by the supplier.",
        )
    swap.refresh_from_db()
    assert swap.is_open, "the school did not choose to swap back automatically: the desk is offered it"
    client.force_login(cast.technician)
    page = f"/loans/{lent.pk}/repairs/"
    assert "The repair call is resolved" in client.get(page).content.decode()
    response = _post_form(client, page, "/swap-back/")
    assert response.status_code == 302
    swap.refresh_from_db()
    lent.refresh_from_db()
    assert swap.swapped_back_by == cast.technician and lent.asset == swap.original
    spare.refresh_from_db()
    assert spare.status == AssetStatus.SPARE and lent.asset.status == AssetStatus.ON_LOAN
    assert AssetEvent.objects.filter(asset=spare, kind="returned").exists()
    assert AssetEvent.objects.filter(asset=swap.original, note__contains="Back from repair").exists()


def test_a_school_that_chose_it_swaps_back_by_itself_on_resolve(cast, repair, django_capture_on_commit_callbacks):
    lent, (spare, _other), call = repair
    pool = pool_for(cast.school)
    pool.is_swap_back_automatic = True
    pool.save()
    swap = loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.spoc)
    with django_capture_on_commit_callbacks(execute=True):
        incident_resolve(
            incident=call,
            by=cast.provider,
            version=call.__class__.objects.get(pk=call.pk).version,
            resolution="Repaired under warranty.",
        )
    swap.refresh_from_db()
    lent.refresh_from_db()
    assert not swap.is_open and swap.swapped_back_by is None  # SchoolDesk did it
    assert lent.asset == swap.original and lent.asset.status == AssetStatus.ON_LOAN
    spare.refresh_from_db()
    assert spare.status == AssetStatus.SPARE
    assert "automatically" in AssetEvent.objects.filter(asset=swap.original).first().note


def test_a_staff_loan_moves_the_register_summary_with_the_device(cast, django_capture_on_commit_callbacks):
    lent = loan(school=cast.school, by=cast.spoc, borrower=cast.reporter, tag="STAFF-1")
    (spare,) = loaners(school=cast.school, by=cast.spoc)
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Laptop will not charge", asset=lent.asset)
    swap = loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.spoc)
    spare.refresh_from_db()
    swap.original.refresh_from_db()
    assert spare.issued_to == cast.reporter and swap.original.issued_to is None
    loaner_swap_back(swap=swap, by=cast.spoc)
    spare.refresh_from_db()
    swap.original.refresh_from_db()
    assert spare.issued_to is None and swap.original.issued_to == cast.reporter


def test_refusals_lose_nothing(cast, other, repair):
    lent, (spare, second), call = repair
    with pytest.raises(PermissionDenied):
        loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        loaner_swap_in(loan=lent, loaner=spare, incident=call, by=other.spoc)
    (elsewhere,) = loaners(school=other.school, by=other.spoc, prefix="ELM")
    with pytest.raises(ValidationError):  # another school's spare
        loaner_swap_in(loan=lent, loaner=elsewhere, incident=call, by=cast.spoc)
    swap = loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.spoc)
    with pytest.raises(ValidationError):  # one loaner at a time
        loaner_swap_in(loan=Loan.objects.get(pk=lent.pk), loaner=second, incident=call, by=cast.spoc)
    with pytest.raises(ValidationError):  # a lent loaner cannot leave the pool
        from schooldesk.loans.pool import loaner_remove

        loaner_remove(loaner=spare.loaner, by=cast.spoc)
    loaner_swap_back(swap=swap, by=cast.spoc)
    with pytest.raises(ValidationError):
        loaner_swap_back(swap=swap, by=cast.spoc)
    with pytest.raises(ValidationError):  # a device with someone is not a spare
        loaner_add(asset=lent.asset, by=cast.spoc)


def test_the_pool_page_shows_spares_loaners_lent_and_devices_in_repair(cast, client, repair):
    lent, (spare, second), call = repair
    loaner_swap_in(loan=lent, loaner=spare, incident=call, by=cast.spoc)
    client.force_login(cast.technician)
    response = client.get("/loans/pool/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    spares_part, rest = html.split('id="lent-h"')
    lent_part, repair_part = rest.split('id="repair-h"')
    assert second.tag in spares_part and spare.tag not in spares_part
    assert spare.tag in lent_part and "Amara Okafor" in lent_part
    assert "PUP-0001" in repair_part and call.reference in repair_part


def test_the_pool_is_for_the_desk_and_technicians_not_reporters(cast, client, repair):
    lent, _spares, call = repair
    client.force_login(cast.reporter)
    assert client.get(f"/loans/pool/{cast.school.pk}/").status_code in (403, 404)
    assert client.get(f"/loans/{lent.pk}/repairs/").status_code in (403, 404)
    assert "Swap in the loaner" not in client.get(f"/incidents/{call.pk}/").content.decode()
    assert "Loaner pool" not in client.get("/").content.decode()
    client.force_login(cast.technician)
    assert client.get(f"/loans/pool/{cast.school.pk}/settings/").status_code in (403, 404)
    assert "Loaner pool" in client.get("/").content.decode()
