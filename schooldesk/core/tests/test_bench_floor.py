"""`make bench`'s floors (bench/floor) show what their product pages show: the same calls, assets, licences and
diary entries, as many and in the same order, so that the ratio of a page to its floor measures the page's own
work and nothing else. Served as the bench serves them (bench.floor.settings' URLs and template engines)."""

import re

import pytest
from django.test import override_settings

from bench import loans as bench_loans
from bench import register
from bench.floor import settings as floor_settings
from bench.run import FLOORS, PAGES
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory

LINKS = re.compile(r'href="/(incidents|assets|licences|diary)/(\d+)/"')


def linked(page) -> list[tuple[str, str]]:
    """The rows a page shows, as the links to their own pages, in order (each once, as it first appears)."""
    assert page.status_code == 200, page.content[:300]
    return list(dict.fromkeys(LINKS.findall(page.content.decode())))


@pytest.fixture
def desk(cast, other):
    """The SPOC's school with more calls than a page holds (some new, some open P3, some about a projector), its
    licences, diary and spare devices; and another school's call, which no floor may show."""
    for n in range(30):
        call = IncidentFactory(
            school=cast.school, by=cast.reporter, summary=("Projector" if n % 3 else "Printer") + f" {n} is dim"
        )
        if n % 4 == 0:
            Incident.objects.filter(pk=call.pk).update(status="open", priority="P3")
    IncidentFactory(school=other.school, by=other.reporter, summary="Projector of another school")
    bench_loans.seed(cast.school, scans=30)
    register.seed(cast.school)
    return cast


@override_settings(ROOT_URLCONF="bench.floor.urls", TEMPLATES=floor_settings.TEMPLATES)
def test_each_floor_shows_the_rows_its_page_shows(desk, login):
    client = login(desk.spoc)
    call = Incident.objects.filter(school=desk.school).order_by("pk").first()
    assert set(PAGES) == set(FLOORS)
    for page, shown in PAGES.items():
        path = shown.replace("<pk>", str(call.pk))
        product, floor = linked(client.get(path)), linked(client.get(f"/floor{path}"))
        assert product == floor, page
    # the figures above the rows: the same counts
    assert "30 calls" in client.get("/incidents/").content.decode()
    assert "<p>30 calls</p>" in client.get("/floor/incidents/").content.decode()
    assert "<p>300 licences</p>" in client.get("/floor/licences/compliance/").content.decode()

    # the comparison holds only if the pages list something: each list floor shows rows
    counts = {path: len(linked(client.get(f"/floor{path}"))) for path in PAGES.values() if "<pk>" not in path}
    assert counts["/incidents/"] == 25 and counts["/incidents/?q=projector"] == 20
    assert counts["/incidents/?status=open&priority=P3"] == 8
    assert counts["/assets/"] == 25 and counts["/licences/compliance/"] == 50 and counts["/diary/"] > 10
    assert counts["/incidents/triage/"] > 0 and counts["/"] == 0  # the SPOC reported none of them

    # the floor pays for no menu: its engine runs the request and auth context processors only
    page = client.get("/floor/incidents/")
    assert "nav" not in page.context and "messages" not in page.context
    assert page.context["user"] == desk.spoc
