"""The offer matches the refusal: for each of the cast, the webhook pages offer a form or a button exactly when the
rule the service enforces (schooldesk/permissions/rules.py) says yes."""

import pytest
from django.core.exceptions import PermissionDenied

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.permissions import can
from schooldesk.webhooks import services
from schooldesk.webhooks.tests import tenancy

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


def test_the_pages_offer_what_the_rules_allow(cast, client):
    world = tenancy.build(cast, "OAK")
    hook, delivery = world["webhook"], world["webhook_delivery"]
    resend = f"/webhooks/{hook.pk}/deliveries/{delivery.pk}/resend/"
    for role in CAST:
        person = getattr(cast, role)
        client.force_login(person)
        manages = can(person, "webhooks.manage", hook)
        assert manages == (role == "owner"), role
        assert can(person, "webhooks.resend", hook) == manages, role
        assert can(person, "webhooks.manage") == manages, role  # the list's "Add a webhook", the menu
        listing = client.get("/webhooks/")
        page = client.get(f"/webhooks/{hook.pk}/")
        if manages:
            assert 'href="/webhooks/new/"' in listing.content.decode(), role
            assert f'action="{resend}"' in page.content.decode(), role
            assert "Save" in page.content.decode(), role
        else:
            assert listing.status_code == 403 and page.status_code in (403, 404), role
            with pytest.raises(PermissionDenied):
                services.delivery_resend(delivery=delivery, by=person)


def test_an_organisations_desk_manages_its_schools_webhooks_and_no_other(cast, other):
    hook = tenancy.build(cast, "OAK")["webhook"]
    officer = UserFactory(username="la-owner")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="owner")
    assert can(officer, "webhooks.manage", hook)
    assert not can(officer, "webhooks.manage", tenancy.build(other, "ELM")["webhook"])
    assert not can(other.owner, "webhooks.manage", hook)
