"""The call table's rows (built by the `call_rows` tag) as a SPOC reads them on the triage page."""

import re

from django.utils import timezone

from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import incident_rows
from schooldesk.incidents.services import incident_assign, incident_escalate
from schooldesk.incidents.tests.factories import IncidentFactory


def rows_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_each_row_shows_the_call_its_holder_and_escapes_what_people_typed(cast, login):
    by_desk = IncidentFactory(
        school=cast.school, by=cast.spoc, summary="<script>alert(1)</script> & more", device="Room 4 <PC>"
    )
    with_tech = IncidentFactory(school=cast.school, by=cast.spoc, summary="Printer jam")
    incident_assign(incident=with_tech, by=cast.spoc, version=with_tech.version, technician=cast.technician)
    for_visit = IncidentFactory(school=cast.school, by=cast.spoc, summary="Wobbly desk")
    incident_assign(incident=for_visit, by=cast.spoc, version=for_visit.version, next_visit=True)
    escalated = IncidentFactory(school=cast.school, by=cast.spoc, summary="Broadband down")
    incident_escalate(
        incident=escalated, by=cast.spoc, version=escalated.version, supplier=cast.supplier, reference="CASE-1"
    )
    restricted = IncidentFactory(school=cast.school, by=cast.spoc, summary="Laptop left on a bus")
    Incident.objects.filter(pk=restricted.pk).update(is_restricted=True)

    rows = rows_of(login(cast.spoc).get("/incidents/").content.decode())
    row = {
        summary: next(r for r in rows if summary in r or summary.replace("&", "&amp;") in r)
        for summary in ("alert(1)", "Printer jam", "Wobbly desk", "Broadband down", "Laptop left on a bus")
    }

    first = row["alert(1)"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in first and "<script>" not in first
    assert f'<a href="/incidents/{by_desk.pk}/">{by_desk.reference}</a>' in first
    assert '<div class="small text-body-secondary">Room 4 &lt;PC&gt;</div>' in first
    assert '<td data-label="With">Desk</td>' in first
    assert '<td data-label="Status">New</td>' in first
    assert f'badge-priority-{by_desk.priority}">{by_desk.priority}</span>' in first
    assert timezone.localtime(by_desk.logged_at).strftime("%d/%m/%Y %H:%M") in first
    assert re.search(r'<td data-label="SLA"><span class="badge badge-sla-[a-z_]+">', first)
    assert (
        f'<td data-label="With">{cast.technician.get_full_name() or cast.technician.username}</td>'
        in row["Printer jam"]
    )
    assert '<td data-label="With">Next visit</td>' in row["Wobbly desk"]
    assert f'<td data-label="With">{cast.supplier.name}</td>' in row["Broadband down"]
    assert '<span class="badge text-bg-dark">Restricted</span>' in row["Laptop left on a bus"]
    assert "Restricted" not in row["Printer jam"]
    assert cast.school.name not in first  # one school: no school line under each call


def test_someone_with_several_schools_sees_each_call_s_school(cast, login):
    from schooldesk.accounts.tests.factories import MembershipFactory
    from schooldesk.schools.tests.factories import SchoolFactory

    second = SchoolFactory(organisation=cast.school.organisation, name="Second Street School")
    MembershipFactory(user=cast.spoc, school=second, role="spoc")
    IncidentFactory(school=cast.school, by=cast.spoc, summary="Projector flickers")
    rows = rows_of(login(cast.spoc).get("/incidents/").content.decode())
    assert any(f'Projector flickers<div class="small text-body-secondary">{cast.school.name}</div>' in r for r in rows)


def test_the_rows_cost_no_query_of_their_own(cast, django_assert_num_queries):
    from django.template.loader import render_to_string

    for n in range(5):
        IncidentFactory(school=cast.school, by=cast.spoc, summary=f"Call {n}")
    rows = list(incident_rows(Incident.objects.filter(school=cast.school)))
    with django_assert_num_queries(0):
        html = render_to_string(
            "incidents/incident_table.html",
            {"rows": rows, "now": timezone.now(), "nav": {"school_count": 1}},
        )
    assert len(rows_of(html)) == len(rows) >= 5
    # each status in its words, with no context processor behind the render (they are the tag's own)
    assert all(str(call.get_status_display()) in row for call, row in zip(rows, rows_of(html), strict=True))


def test_a_call_with_no_clock_shows_a_dash_in_its_sla_cell(cast):
    """On a phone each cell is read out with its heading: a resolved call said "SLA:" and nothing after it."""
    from django.template.loader import render_to_string

    from schooldesk.incidents.services import incident_resolve

    call = IncidentFactory(school=cast.school, by=cast.spoc, summary="Printer jam")
    incident_resolve(incident=call, by=cast.spoc, version=call.version, resolution="Cleared the paper path.")
    rows = list(incident_rows(Incident.objects.filter(pk=call.pk)))
    html = render_to_string("incidents/incident_table.html", {"rows": rows, "now": timezone.now(), "nav": {}})
    assert re.search(r'<td data-label="SLA">–</td>', html), html


def test_the_headings_come_from_the_declaration_and_each_cell_is_labelled_with_its_own(cast, login):
    """One declaration (incidents/tables.py CALL_TABLE) gives the headings; the Jinja2 rows label each cell with the
    same words in the same order, the bulk box's column first on a page with bulk actions."""
    from schooldesk.incidents.tables import CALL_TABLE

    IncidentFactory(school=cast.school, by=cast.spoc, summary="Projector flickers")
    html = login(cast.spoc).get("/incidents/").content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert "data-call-table" in table[: table.index(">")] and "data-pick-all" in table
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th scope=\"col\">(.*?)</th>", table, re.S)]
    assert headings == [str(column.heading) for column in CALL_TABLE.columns]
    first_row = rows_of(html)[0]
    assert re.findall(r'data-label="([^"]+)"', first_row) == headings
