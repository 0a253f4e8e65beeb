"""Saved views of the call list: each role's starting views, a person's own saved from the list, and the menu's
counts in a fixed number of queries."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.core.calendar import LONDON
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.diary.models import DiaryEntry
from schooldesk.incidents.models import SavedView
from schooldesk.incidents.services import incident_assign, incident_escalate, incident_resolve
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def menu(client) -> dict[str, str]:
    """The views in the Calls menu as the menu loads them (htmx), name -> count."""
    response = client.get("/incidents/views/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    found = re.findall(r'data-saved-view>([^<]+) <span class="badge[^>]*>([^<]+)<', html)
    return {name.strip(): count for name, count in found}


def _forward(cast, call):
    return incident_assign(incident=call, by=cast.spoc, version=call.version, technician=cast.technician)


def test_each_role_starts_with_its_views_and_their_counts(cast, client):
    mine = [_forward(cast, IncidentFactory(school=cast.school, by=cast.reporter)) for _ in range(3)]
    incident_resolve(incident=mine[2], by=cast.technician, version=mine[2].version, resolution="Done")
    IncidentFactory(school=cast.school, by=cast.reporter)  # new, nobody's yet
    client.force_login(cast.technician)
    assert menu(client) == {"Mine, open": "2", "Here today": "0"}
    client.force_login(cast.spoc)
    assert menu(client) == {"New calls, oldest first": "1", "Breaching, open": "0"}
    escalated = incident_escalate(incident=mine[0], by=cast.spoc, version=mine[0].version, supplier=cast.supplier)
    assert escalated.status == "second_level"
    client.force_login(cast.provider)
    assert menu(client) == {"Escalated to us, open": "1"}
    client.force_login(cast.reporter)
    assert client.get("/incidents/views/").status_code == 403


def test_here_today_is_where_the_technicians_visit_is_today(cast, client):
    hall = Location.objects.create(school=cast.school, name="Sports hall annexe")
    library = Location.objects.create(school=cast.school, name="Reading den")
    in_hall = _forward(cast, IncidentFactory(school=cast.school, by=cast.reporter, location=hall))
    IncidentFactory(school=cast.school, by=cast.reporter, location=library)
    today = timezone.localdate()
    start = datetime.combine(today, time(9), tzinfo=LONDON)
    visit = DiaryEntry.objects.create(
        school=cast.school,
        kind="visit",
        title="Technician visit",
        person=cast.technician,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        location=hall,
    )
    client.force_login(cast.technician)
    assert menu(client)["Here today"] == "1"
    html = client.get("/incidents/?whose=here_today&state=open").content.decode()
    assert in_hall.reference in html and "Reading den</td>" not in html and "Sports hall annexe</td>" in html
    visit.location = None  # a visit to the whole school: all its open calls
    visit.save()
    cache.clear()
    assert menu(client)["Here today"] == "2"
    visit.starts_at = visit.ends_at = start - timedelta(days=1)  # yesterday's visit is not today's
    visit.save()
    cache.clear()
    assert menu(client)["Here today"] == "0"


def test_a_person_saves_the_lists_filters_under_a_name_and_finds_it_in_the_menu(cast, client):
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer jams")
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector flickers")
    client.force_login(cast.spoc)
    page = "/incidents/?q=printer&ordering=-logged"
    shown = client.get(page).content.decode()
    (form,) = [f for f in forms_in(shown, page) if f.method == "post" and any(c.name == "name" for c in f.controls)]
    data, _touched = filled(form, form.buttons[0])
    data["name"] = "Printers"
    response = client.post(form.action, data)
    assert response.status_code == 302 and response["Location"] == "/incidents/?q=printer&ordering=-logged"
    saved = SavedView.objects.get(user=cast.spoc)
    assert (saved.name, saved.query) == ("Printers", "q=printer&ordering=-logged")
    assert menu(client)["Printers"] == "1"
    data["query"] = "q=projector"  # the same name again replaces it
    client.post(form.action, data)
    assert SavedView.objects.get(user=cast.spoc).query == "q=projector"
    assert client.post(f"/incidents/views/{saved.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_the_menu_counts_cost_the_same_queries_for_two_views_or_ten(cast, client):
    """One aggregate query counts every view, whatever the number of views and calls (a cold cache each time);
    a second look within the minute reads the counts from the cache."""
    for _ in range(2):
        _forward(cast, IncidentFactory(school=cast.school, by=cast.reporter))
    client.force_login(cast.technician)

    def cold() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            menu(client)
        return len(ctx)

    few = cold()
    for n in range(8):
        SavedView.objects.create(
            user=cast.technician, name=f"View {n}", query=f"status=first_level&priority=P{n % 4 + 1}"
        )
    for _ in range(20):
        _forward(cast, IncidentFactory(school=cast.school, by=cast.reporter))
    assert cold() == few
    with CaptureQueriesContext(connection) as warm:
        menu(client)
    assert len(warm) == few - 1  # the counts came from the cache


def test_the_menu_loads_into_every_pages_calls_menu_without_costing_that_page(cast, client):
    client.force_login(cast.technician)
    html = client.get("/").content.decode()
    assert 'hx-get="/incidents/views/" hx-trigger="show.bs.dropdown from:closest .dropdown once"' in html


def test_a_view_whose_filter_no_longer_fits_still_counts_and_opens(cast, client):
    """A saved room that was deleted, or a word from an older version: the menu still loads."""
    IncidentFactory(school=cast.school, by=cast.reporter)
    SavedView.objects.create(user=cast.spoc, name="Old room", query="location=999999&status=nonsense&page=x")
    client.force_login(cast.spoc)
    assert "Old room" in menu(client)
    assert client.get("/incidents/?location=999999&status=nonsense").status_code == 200
