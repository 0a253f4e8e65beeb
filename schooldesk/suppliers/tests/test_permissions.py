"""The offer matches the refusal: for each of the cast, the supplier's and the contract's pages offer an action
exactly when the rule the service asks allows it (schooldesk/permissions/rules.py), and the refusal says the rule's
own words."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.core.permissions import can
from schooldesk.suppliers.services import contract_decide
from schooldesk.suppliers.tests.factories import make_contract

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("role", CAST)
def test_the_supplier_page_offers_what_the_rules_allow(cast, login, role):
    user, supplier = getattr(cast, role), cast.supplier
    client = login(user)
    page = client.get(reverse("suppliers:supplier_detail", args=[supplier.pk]))
    if not can(user, "suppliers.view", cast.school):
        assert page.status_code == 403
        return
    text = page.content.decode()
    may_change = can(user, "suppliers.change", supplier)
    assert (reverse("suppliers:supplier_update", args=[supplier.pk]) in text) == may_change
    suggest = reverse("suppliers:supplier_suggest", args=[supplier.pk])
    assert (suggest in text) == (not may_change and can(user, "suppliers.suggest", supplier))
    add_contract = reverse("suppliers:contract_create")
    assert (f"{add_contract}?supplier={supplier.pk}" in text) == can(user, "suppliers.add_contract", supplier)
    if not may_change:
        assert client.get(reverse("suppliers:supplier_update", args=[supplier.pk])).status_code == 403
    if not can(user, "suppliers.suggest", supplier):
        assert client.get(suggest).status_code in (403, 404)


@pytest.mark.parametrize("role", CAST)
def test_the_contract_page_offers_what_the_rules_allow(cast, login, role):
    user, contract = getattr(cast, role), make_contract(cast)
    client = login(user)
    page = client.get(reverse("suppliers:contract_detail", kwargs={"contract_pk": contract.pk}))
    if not can(user, "suppliers.view", cast.school):
        assert page.status_code in (403, 404)
        return
    text = page.content.decode()
    may_manage = can(user, "suppliers.manage_contract", contract)
    for url in (
        reverse("suppliers:contract_update", kwargs={"contract_pk": contract.pk}),
        reverse("suppliers:contract_decide", kwargs={"contract_pk": contract.pk}),
        reverse("suppliers:document_upload", kwargs={"contract_pk": contract.pk}),
    ):
        assert (url in text) == may_manage, url
    payments = reverse("diary:payment_schedule", args=[contract.pk])
    assert (payments in text) == can(user, "diary.schedule_payments", contract)
    listing = client.get(reverse("suppliers:contract_list")).content.decode()
    assert (reverse("suppliers:contract_create") in listing) == can(user, "suppliers.manage_contract")
    if not may_manage:
        edit = client.get(reverse("suppliers:contract_update", kwargs={"contract_pk": contract.pk}))
        assert edit.status_code in (403, 404)


def test_a_refusal_carries_the_rules_words(cast):
    contract = make_contract(cast)
    with pytest.raises(PermissionDenied, match="Only the SPOC or ICT owner of every school sharing this contract"):
        contract_decide(contract=contract, by=cast.technician, decision="renew", reason="Good value")
