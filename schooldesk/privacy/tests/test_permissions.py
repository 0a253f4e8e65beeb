"""The offer matches the refusal: for each of the cast, the DPO's pages offer a form or a button exactly when the
rule the service enforces (schooldesk/permissions/rules.py) says yes."""

import pytest
from django.core.exceptions import PermissionDenied

from schooldesk.core.permissions import can
from schooldesk.privacy import services
from schooldesk.privacy.tests import tenancy

pytestmark = pytest.mark.django_db

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


def test_the_pages_offer_what_the_rules_allow(cast, client):
    sar = tenancy.build(cast, "OAK")["subject_access_request"]
    for role in CAST:
        person = getattr(cast, role)
        client.force_login(person)
        keeps = role in ("dpo", "owner")
        for action in ("privacy.request", "privacy.erase"):
            assert can(person, action, sar) == keeps, (role, action)
        assert can(person, "privacy.retention", cast.school) == keeps, role
        assert can(person, "privacy.request") == keeps, role  # the menu, the home page's open requests
        detail = client.get(f"/privacy/requests/{sar.pk}/")
        erase = client.get(f"/privacy/requests/{sar.pk}/erase/")
        retention = client.get(f"/privacy/retention/{cast.school.pk}/")
        if keeps:
            text = detail.content.decode()
            for action in ("exempt", "answer"):  # "subject" is offered beside a search's results
                assert f'action="/privacy/requests/{sar.pk}/{action}/"' in text, (role, action)
            assert 'method="post"' in erase.content.decode(), role
            assert 'method="post"' in retention.content.decode(), role
            assert 'href="/privacy/requests/new/"' in client.get("/privacy/").content.decode(), role
        else:
            assert detail.status_code == erase.status_code == retention.status_code == 403, role
            assert client.get("/privacy/").status_code == 403, role
            with pytest.raises(PermissionDenied):
                services.sar_answer(request=sar, by=person)
            with pytest.raises(PermissionDenied):
                services.person_pseudonymise(request=sar, by=person)
            with pytest.raises(PermissionDenied):
                services.retention_policy_save(school=cast.school, by=person, values={"closed_call_days": 10})


def test_another_schools_dpo_may_do_nothing_to_the_request(cast, other):
    sar = tenancy.build(cast, "OAK")["subject_access_request"]
    assert not can(other.dpo, "privacy.request", sar)
    with pytest.raises(PermissionDenied):
        services.sar_answer(request=sar, by=other.dpo)
