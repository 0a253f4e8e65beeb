"""The offer matches the refusal (issue 18): the school's settings page, its forms and the menu item are offered
exactly to whom the rule "schools.change" lets in, and the services refuse the others."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schooldesk.core.permissions import can
from schooldesk.schools import services
from schooldesk.schools.models import Closure

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")


@pytest.mark.parametrize("member", CAST)
def test_the_settings_page_and_its_forms_are_offered_exactly_to_whom_the_rule_lets_in(cast, client, member):
    person = getattr(cast, member)
    client.force_login(person)
    allowed = can(person, "schools.change", cast.school)
    assert allowed is (member in ("spoc", "owner"))
    home = client.get(reverse("home")).content.decode()
    assert (f'href="{reverse("schools:school_list")}"' in home) is allowed
    page = client.get(reverse("schools:school_detail", args=[cast.school.pk]))
    assert page.status_code == (200 if allowed else 403)
    if allowed:
        html = page.content.decode()
        for name in ("school_settings", "school_matrix", "term_create", "closure_create", "category_create"):
            assert reverse(f"schools:{name}", args=[cast.school.pk]) in html
        return
    closure = Closure(school=cast.school, name="Snow", starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 4))
    with pytest.raises(PermissionDenied):
        services.closure_save(closure=closure, by=person)
    with pytest.raises(PermissionDenied):
        services.category_add(school=cast.school, name="Exam software", by=person)
    refused = client.post(reverse("schools:category_create", args=[cast.school.pk]), {"g-name": "Exam software"})
    assert refused.status_code == 403
