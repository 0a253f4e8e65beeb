"""The offer matches the refusal (issue 18): the menu offers the reports, the audit trail and each dashboard
exactly to whom their rules let in, and the pages open exactly then."""

import pytest
from django.urls import reverse

from schooldesk.core.permissions import can
from schooldesk.reports import dashboards

CAST = ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo")
PAGES = {
    "reports.view": ["reports:service_report", "reports:incident_report"],
    "reports.audit": ["reports:audit_trail"],
}


@pytest.mark.parametrize("member", CAST)
def test_the_reports_are_offered_exactly_to_whom_the_rules_let_in(cast, client, member):
    person = getattr(cast, member)
    client.force_login(person)
    home = client.get(reverse("home")).content.decode()
    for name, url_names in PAGES.items():
        allowed = can(person, name)
        for url_name in url_names:
            assert (f'href="{reverse(url_name)}"' in home) is allowed, (member, url_name)
            status = client.get(reverse(url_name)).status_code
            assert status < 500 and (status == 403) is (not allowed), (member, url_name, status)


@pytest.mark.parametrize("member", CAST)
def test_each_dashboard_opens_exactly_for_whom_its_rule_lets_in(cast, client, member):
    person = getattr(cast, member)
    client.force_login(person)
    offered = dashboards.available(person)
    for key in dashboards.DASHBOARDS:
        allowed = key in offered
        if key != "schools":  # "All schools" also needs two schools: the cast has one
            assert allowed is can(person, f"reports.dashboard_{key}"), (member, key)
        status = client.get(reverse(f"reports:dashboard_{key}")).status_code
        assert status == (200 if allowed else 403), (member, key)
