"""An LA's or trust's suppliers and their contacts are the organisation's: its officers change them; a school's desk
suggests a change, which an officer accepts (made through the same service) or declines with a reason. A stand-alone
school (its own organisation) changes its own suppliers as before (docs/decisions/0016)."""

import pytest
from django.core.exceptions import PermissionDenied

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.audit import audit_sentence
from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.pages import forms_in, read_page, sent
from schooldesk.schools.tests.factories import OrganisationFactory, SchoolFactory
from schooldesk.suppliers.models import Contact, SupplierSuggestion
from schooldesk.suppliers.services import contact_delete, contact_save, supplier_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(cast):
    """Oakfield (the cast's school) and Riverside, two schools of one LA, sharing the LA's supplier and its contact;
    Riverside's SPOC, and the LA's officer (a SPOC across all its schools)."""
    riverside = SchoolFactory(organisation=cast.school.organisation, name="Riverside Primary School")
    riverside_spoc = UserFactory(username="riverside-spoc", first_name="Rita", last_name="Rivers")
    Membership.objects.create(user=riverside_spoc, school=riverside, role="spoc")
    officer = UserFactory(username="la-officer", first_name="Lee", last_name="Council")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    contact = Contact.objects.create(supplier=cast.supplier, name="Ann Lee", phone="01632 960001", escalation_level=1)
    return riverside_spoc, officer, contact


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def post_as_rendered(client, html, url, action_contains, button_value=None, **typed):
    """Submit the page's form whose action contains `action_contains`, as rendered, with what a person typed."""
    form = next(f for f in forms_in(html, url) if f.method == "post" and action_contains in f.action)
    button = next((b for b in form.buttons if b.value == button_value), form.buttons[0] if form.buttons else None)
    data = dict(sent(form, button)[0]) | typed
    return client.post(form.action, data)


def test_a_school_desk_in_an_la_cannot_change_the_shared_contact(shared, cast, login):
    riverside_spoc, _officer, contact = shared
    client = login(riverside_spoc)
    supplier_url = f"/suppliers/{cast.supplier.pk}/"
    html = page(client, supplier_url)
    hrefs = {link.href for link in read_page(html, supplier_url).links}
    assert f"/suppliers/{cast.supplier.pk}/contacts/{contact.pk}/edit/" not in hrefs  # not offered
    assert f"/suppliers/{cast.supplier.pk}/edit/" not in hrefs
    assert f"/suppliers/{cast.supplier.pk}/contacts/new/" not in hrefs
    assert not [f for f in forms_in(html, supplier_url) if "/delete/" in f.action]
    assert f"/suppliers/{cast.supplier.pk}/contacts/{contact.pk}/suggest/" in hrefs  # a suggestion is
    for url, data in [  # and refused if posted
        (f"/suppliers/{cast.supplier.pk}/contacts/{contact.pk}/delete/", {}),
        (
            f"/suppliers/{cast.supplier.pk}/contacts/{contact.pk}/edit/",
            {"name": "Gone", "phone": "1", "escalation_level": "1"},
        ),
        (f"/suppliers/{cast.supplier.pk}/edit/", {"name": "Renamed", "kind": "support", "email": "a@b.example"}),
        (f"/suppliers/{cast.supplier.pk}/contacts/new/", {"name": "New", "phone": "1", "escalation_level": "1"}),
    ]:
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code in (403, 405), url
    contact.refresh_from_db()
    assert contact.name == "Ann Lee" and Contact.objects.count() == 1
    with pytest.raises(PermissionDenied):  # the service refuses too: the fault is fixed where it is born
        contact_delete(contact=contact, by=riverside_spoc)
    with pytest.raises(PermissionDenied):
        supplier_save(supplier=cast.supplier, by=cast.spoc)  # Oakfield's own SPOC is a school desk too


def test_a_school_suggests_a_change_and_an_la_officer_accepts_it(shared, cast, login, client):
    riverside_spoc, officer, contact = shared
    login(riverside_spoc)
    supplier_url = f"/suppliers/{cast.supplier.pk}/"
    suggest_url = f"/suppliers/{cast.supplier.pk}/contacts/{contact.pk}/suggest/"
    html = page(client, suggest_url)
    response = post_as_rendered(
        client,
        html,
        suggest_url,
        "/suggest/",
        field_name="phone",
        value="01632 960999",
        reason="Ann's direct line changed in September.",
    )
    assert response.status_code == 302
    suggestion = SupplierSuggestion.objects.get()
    assert (suggestion.field_name, suggestion.value, suggestion.status) == ("phone", "01632 960999", "pending")
    assert "Waiting for the organisation" in page(client, supplier_url)

    client.force_login(officer)
    assert cast.supplier.name in page(client, "/suppliers/")  # "Schools have suggested changes to these suppliers"
    html = page(client, supplier_url)
    assert "direct line changed in September" in html and "Riverside Primary School" in html
    response = post_as_rendered(client, html, supplier_url, "/decide/", button_value="accept")
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "01632 960999"
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.decided_by == officer

    client.force_login(riverside_spoc)  # the proposer sees the outcome
    html = page(client, supplier_url)
    assert "Accepted" in html and "Lee Council" in html
    assert [
        audit_sentence(e)
        for e in AuditEntry.objects.filter(object_type__in=["contact", "suppliersuggestion"]).order_by("pk")
    ] == [
        "Rita Rivers suggested a change to Ann Lee",
        "Lee Council changed the contact Ann Lee (Oak Support Ltd)",
        "Lee Council accepted a suggested change to Ann Lee",
    ]


def test_declining_needs_a_reason_which_the_school_reads(shared, cast, login, client):
    riverside_spoc, officer, contact = shared
    login(riverside_spoc)
    client.post(
        f"/suppliers/{cast.supplier.pk}/suggest/",
        {"field_name": "email", "value": "new@example.org", "reason": "They told us."},
    )
    suggestion = SupplierSuggestion.objects.get()
    client.force_login(officer)
    supplier_url = f"/suppliers/{cast.supplier.pk}/"
    html = page(client, supplier_url)
    refused = post_as_rendered(client, html, supplier_url, "/decide/", button_value="decline")
    assert refused.status_code == 400 and "Say why the suggestion is declined" in refused.content.decode()
    html = refused.content.decode()
    post_as_rendered(
        client, html, supplier_url, "/decide/", button_value="decline", reason="That address is for sales, not support."
    )
    suggestion.refresh_from_db()
    cast.supplier.refresh_from_db()
    assert suggestion.status == "declined" and cast.supplier.email != "new@example.org"
    client.force_login(riverside_spoc)
    assert "That address is for sales, not support." in page(client, supplier_url)


def test_a_suggested_removal_accepted_removes_the_contact(shared, cast, login, client):
    riverside_spoc, officer, contact = shared
    login(riverside_spoc)
    client.post(
        f"/suppliers/{cast.supplier.pk}/contacts/{contact.pk}/suggest/",
        {"field_name": "remove", "value": "", "reason": "Ann has left the company."},
    )
    client.force_login(officer)
    suggestion = SupplierSuggestion.objects.get()
    response = client.post(
        f"/suppliers/{cast.supplier.pk}/suggestions/{suggestion.pk}/decide/", {"decision": "accept", "reason": ""}
    )
    assert response.status_code == 302 and not Contact.objects.filter(pk=contact.pk).exists()
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.subject == "Ann Lee"


def test_a_school_desk_cannot_decide_a_suggestion(shared, cast, login):
    riverside_spoc, _officer, contact = shared
    client = login(riverside_spoc)
    client.post(f"/suppliers/{cast.supplier.pk}/suggest/", {"field_name": "phone", "value": "0", "reason": "x"})
    suggestion = SupplierSuggestion.objects.get()
    assert (
        client.post(
            f"/suppliers/{cast.supplier.pk}/suggestions/{suggestion.pk}/decide/", {"decision": "accept"}
        ).status_code
        == 403
    )
    assert SupplierSuggestion.objects.get().status == "pending"


def test_a_stand_alone_school_keeps_editing_its_own_suppliers(login):
    from schooldesk.conftest import make_cast

    alone = make_cast("ash", organisation=OrganisationFactory(name="Ash Academy", kind="school"))
    client = login(alone.spoc)
    supplier_url = f"/suppliers/{alone.supplier.pk}/"
    hrefs = {link.href for link in read_page(page(client, supplier_url), supplier_url).links}
    assert f"/suppliers/{alone.supplier.pk}/edit/" in hrefs and "/suppliers/new/" in page(client, "/suppliers/")
    response = client.post(
        f"/suppliers/{alone.supplier.pk}/contacts/new/",
        {"name": "Bob", "phone": "01632 960002", "escalation_level": "1"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(name="Bob")
    contact_save(contact=contact, by=alone.owner)  # the service agrees
    assert client.post(f"/suppliers/{alone.supplier.pk}/contacts/{contact.pk}/delete/").status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_suggestion_already_decided_says_so(shared, cast, login):
    riverside_spoc, officer, contact = shared
    client = login(riverside_spoc)
    client.post(f"/suppliers/{cast.supplier.pk}/suggest/", {"field_name": "phone", "value": "0", "reason": "x"})
    suggestion = SupplierSuggestion.objects.get()
    client.force_login(officer)
    url = f"/suppliers/{cast.supplier.pk}/suggestions/{suggestion.pk}/decide/"
    assert client.post(url, {"decision": "decline", "reason": "No"}).status_code == 302
    again = client.post(url, {"decision": "accept", "reason": ""})  # a second officer's page, opened before
    assert again.status_code == 400 and "This suggestion was already declined." in again.content.decode()
