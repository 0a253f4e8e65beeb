# ruff: noqa: E501 - the expected markup, one printed line per line
"""The call table's rows and the call badges, drawn by their Jinja2 fragments (decision 0038), print what the Python
format strings printed before, to the character; what people typed is escaped; the words are translated."""

from datetime import UTC, datetime, timedelta

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def sample_calls():
    """Six calls held in memory, one of each kind of row the table draws (no database: the rows cost no query)."""
    from schooldesk.accounts.models import User
    from schooldesk.incidents.models import Incident
    from schooldesk.locations.models import Location
    from schooldesk.schools.models import School
    from schooldesk.suppliers.models import Supplier

    school = School(pk=1, name="St Mary's & St John's")
    room = Location(pk=4, name="ICT suite <B>", school=school)
    tech = User(pk=2, username="tech", first_name="Tom", last_name="O'Tech")
    supplier = Supplier(pk=3, name="Broadband & Co")
    common = {"school": school, "logged_at": NOW - timedelta(hours=3)}
    return [
        Incident(
            pk=7,
            summary='<script>alert("x")</script> & more',
            priority="P1",
            status="new",
            location=room,
            device="Room 4 <PC>",
            response_due_at=NOW + timedelta(hours=1),
            resolve_due_at=NOW + timedelta(hours=8),
            **common,
        ),
        Incident(
            pk=8,
            summary="Printer jam",
            priority="P3",
            status="first_level",
            assigned_to=tech,
            responded_at=NOW,
            response_due_at=NOW - timedelta(hours=1),
            resolve_due_at=NOW + timedelta(days=2),
            **common,
        ),
        Incident(
            pk=9,
            summary="Wobbly desk",
            priority="P5",
            status="open",
            for_next_visit=True,
            response_due_at=NOW - timedelta(minutes=5),
            **common,
        ),
        Incident(
            pk=10,
            summary="Broadband down",
            priority="P2",
            status="waiting_supplier",
            supplier=supplier,
            sla_paused_at=NOW,
            resolve_due_at=NOW + timedelta(hours=4),
            **common,
        ),
        Incident(pk=11, summary="Laptop left on a bus", priority="P2", status="open", is_restricted=True, **common),
        Incident(pk=12, summary="Projector fixed", priority="P4", status="resolved", **common),
    ]


def rows_html(rows, **context) -> str:
    select = ' select="q-"' if context.pop("tickable", False) else ""
    return Template("{% load desk %}{% call_rows rows" + select + " %}").render(
        Context({"rows": rows, "now": NOW, **context})
    )


# What the format strings printed for the sample (captured before the switch, decision 0038); lines over 120
# characters are the markup as it is.
ROWS_TICKABLE_MANY_SCHOOLS = (
    "  <tr>\n"
    '    <td data-label="Select"><input class="form-check-input" type="checkbox" name="call" value="7" form="bulk-form" id="pick-q-7" data-pick><label class="visually-hidden" for="pick-q-7">Select INC-000007</label></td>\n'
    '    <td data-label="Call"><a href="/incidents/7/">INC-000007</a> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more<div class="small text-body-secondary">St Mary&#x27;s &amp; St John&#x27;s</div></td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P1">P1</span></td>\n'
    '    <td data-label="Status">New</td>\n'
    '    <td data-label="Where">ICT suite &lt;B&gt;<div class="small text-body-secondary">Room 4 &lt;PC&gt;</div></td>\n'
    '    <td data-label="With">Desk</td>\n'
    '    <td data-label="SLA"><span class="badge badge-sla-due_soon">Due within 2 hours</span> <span class="small">response due 07/12/2026 11:00</span></td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
    "  <tr>\n"
    '    <td data-label="Select"><input class="form-check-input" type="checkbox" name="call" value="8" form="bulk-form" id="pick-q-8" data-pick checked><label class="visually-hidden" for="pick-q-8">Select INC-000008</label></td>\n'
    '    <td data-label="Call"><a href="/incidents/8/">INC-000008</a> Printer jam<div class="small text-body-secondary">St Mary&#x27;s &amp; St John&#x27;s</div></td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P3">P3</span></td>\n'
    '    <td data-label="Status">With first-level support</td>\n'
    '    <td data-label="Where"></td>\n'
    '    <td data-label="With">Tom O&#x27;Tech</td>\n'
    '    <td data-label="SLA"><span class="badge badge-sla-on_track">On track</span> <span class="small">resolution due 09/12/2026 10:00</span></td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
    "  <tr>\n"
    '    <td data-label="Select"><input class="form-check-input" type="checkbox" name="call" value="9" form="bulk-form" id="pick-q-9" data-pick><label class="visually-hidden" for="pick-q-9">Select INC-000009</label></td>\n'
    '    <td data-label="Call"><a href="/incidents/9/">INC-000009</a> Wobbly desk<div class="small text-body-secondary">St Mary&#x27;s &amp; St John&#x27;s</div></td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P5">P5</span></td>\n'
    '    <td data-label="Status">Open (triaged)</td>\n'
    '    <td data-label="Where"></td>\n'
    '    <td data-label="With">Next visit</td>\n'
    '    <td data-label="SLA"><span class="badge badge-sla-breached">Breached</span> <span class="small">response due 07/12/2026 09:55</span></td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
    "  <tr>\n"
    '    <td data-label="Select"><input class="form-check-input" type="checkbox" name="call" value="10" form="bulk-form" id="pick-q-10" data-pick><label class="visually-hidden" for="pick-q-10">Select INC-000010</label></td>\n'
    '    <td data-label="Call"><a href="/incidents/10/">INC-000010</a> Broadband down<div class="small text-body-secondary">St Mary&#x27;s &amp; St John&#x27;s</div></td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P2">P2</span></td>\n'
    '    <td data-label="Status">Waiting on supplier</td>\n'
    '    <td data-label="Where"></td>\n'
    '    <td data-label="With">Broadband &amp; Co</td>\n'
    '    <td data-label="SLA"><span class="badge badge-sla-paused">Paused</span></td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
    "  <tr>\n"
    '    <td data-label="Select"><input class="form-check-input" type="checkbox" name="call" value="11" form="bulk-form" id="pick-q-11" data-pick><label class="visually-hidden" for="pick-q-11">Select INC-000011</label></td>\n'
    '    <td data-label="Call"><a href="/incidents/11/">INC-000011</a> Laptop left on a bus <span class="badge text-bg-dark">Restricted</span><div class="small text-body-secondary">St Mary&#x27;s &amp; St John&#x27;s</div></td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P2">P2</span></td>\n'
    '    <td data-label="Status">Open (triaged)</td>\n'
    '    <td data-label="Where"></td>\n'
    '    <td data-label="With">Desk</td>\n'
    '    <td data-label="SLA"><span class="badge badge-sla-on_track">On track</span></td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
    "  <tr>\n"
    '    <td data-label="Select"><input class="form-check-input" type="checkbox" name="call" value="12" form="bulk-form" id="pick-q-12" data-pick><label class="visually-hidden" for="pick-q-12">Select INC-000012</label></td>\n'
    '    <td data-label="Call"><a href="/incidents/12/">INC-000012</a> Projector fixed<div class="small text-body-secondary">St Mary&#x27;s &amp; St John&#x27;s</div></td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P4">P4</span></td>\n'
    '    <td data-label="Status">Resolved</td>\n'
    '    <td data-label="Where"></td>\n'
    '    <td data-label="With">Desk</td>\n'
    '    <td data-label="SLA">–</td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
)
ROWS_PLAIN = (
    "  <tr>\n"
    '    <td data-label="Call"><a href="/incidents/7/">INC-000007</a> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P1">P1</span></td>\n'
    '    <td data-label="Status">New</td>\n'
    '    <td data-label="Where">ICT suite &lt;B&gt;<div class="small text-body-secondary">Room 4 &lt;PC&gt;</div></td>\n'
    '    <td data-label="With">Desk</td>\n'
    '    <td data-label="SLA"><span class="badge badge-sla-due_soon">Due within 2 hours</span> <span class="small">response due 07/12/2026 11:00</span></td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
    "  <tr>\n"
    '    <td data-label="Call"><a href="/incidents/8/">INC-000008</a> Printer jam</td>\n'
    '    <td data-label="Priority"><span class="badge badge-priority badge-priority-P3">P3</span></td>\n'
    '    <td data-label="Status">With first-level support</td>\n'
    '    <td data-label="Where"></td>\n'
    '    <td data-label="With">Tom O&#x27;Tech</td>\n'
    '    <td data-label="SLA"><span class="badge badge-sla-on_track">On track</span> <span class="small">resolution due 09/12/2026 10:00</span></td>\n'
    '    <td data-label="Logged">07/12/2026 07:00</td>\n'
    "  </tr>\n"
)
BADGES = (
    '<span class="badge badge-priority badge-priority-P1">P1</span>|<span class="badge badge-sla-due_soon">Due within 2 hours</span> <span class="small">response due 07/12/2026 11:00</span>\n'
    '<span class="badge badge-priority badge-priority-P3">P3</span>|<span class="badge badge-sla-on_track">On track</span> <span class="small">resolution due 09/12/2026 10:00</span>\n'
    '<span class="badge badge-priority badge-priority-P5">P5</span>|<span class="badge badge-sla-breached">Breached</span> <span class="small">response due 07/12/2026 09:55</span>\n'
    '<span class="badge badge-priority badge-priority-P2">P2</span>|<span class="badge badge-sla-paused">Paused</span>\n'
    '<span class="badge badge-priority badge-priority-P2">P2</span>|<span class="badge badge-sla-on_track">On track</span>\n'
    '<span class="badge badge-priority badge-priority-P4">P4</span>|\n'
)


def test_the_rows_print_what_they_printed_before():
    rows = sample_calls()
    assert rows_html(rows, tickable=True, nav={"school_count": 2}, ticked={8}) == ROWS_TICKABLE_MANY_SCHOOLS
    assert rows_html(rows[:2], nav={"school_count": 1}) == ROWS_PLAIN


def test_the_badges_print_what_they_printed_before():
    template = Template("{% load desk %}{% for i in rows %}{% priority_badge i %}|{% sla_badge i now %}\n{% endfor %}")
    assert template.render(Context({"rows": sample_calls(), "now": NOW})) == BADGES


def test_the_table_page_holds_the_rows_and_a_summary_s_script_is_text():
    rows = sample_calls()
    html = render_to_string("incidents/incident_table.html", {"rows": rows[:2], "now": NOW, "nav": {}})
    assert ROWS_PLAIN in html
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html


def test_the_rows_words_are_welsh_in_welsh():
    rows = sample_calls()
    with translation.override("cy"):
        assert translation.gettext("Desk") == "Desg"  # the word the test reads is in locale/cy
        html = rows_html(rows[4:5], nav={})
    assert '<td data-label="With">Desg</td>' in html and ">Desk<" not in html
    assert rows_html(rows[4:5], nav={}).count('<td data-label="With">Desk</td>') == 1
