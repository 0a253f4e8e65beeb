"""Search as a school's own people meet it: a box on every list, the header's search, references that jump,
word forms that match, and lists that say what to do when they are empty."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.changes.tests.factories import ChangeFactory
from schooldesk.core.filtersets import word_stem
from schooldesk.incidents.services import incident_escalate
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.licences.tests.factories import LicenceFactory
from schooldesk.locations.models import Location
from schooldesk.problems.tests.factories import ProblemFactory
from schooldesk.reports.search import SEARCH_CAP

pytestmark = pytest.mark.django_db

LISTS = {
    "calls": "/incidents/",
    "assets": "/assets/",
    "licences": "/licences/",
    "suppliers": "/suppliers/",
    "contracts": "/suppliers/contracts/",
    "locations": "/locations/",
    "problems": "/problems/",
    "changes": "/changes/",
    "diary": "/diary/agenda/",
    "payments": "/diary/payments/",
    "procedures": "/procedures/",
    "email held": "/mail/",
}


def search_box(html: str) -> str | None:
    """The list's own search field (the header's is `site-search`), if it has a visible label."""
    field = re.search(r'<input[^>]*name="q"[^>]*id="id_q"[^>]*>|<input[^>]*id="id_q"[^>]*name="q"[^>]*>', html)
    label = re.search(r'<label class="form-label[^"]*" for="id_q">([^<]+)</label>', html)
    return label.group(1).strip() if field and label and 'type="search"' in field.group(0) else None


@pytest.mark.parametrize("name", LISTS)
def test_every_list_has_a_labelled_search_box_and_the_header_search(name, cast, login):
    html = login(cast.spoc).get(LISTS[name]).content.decode()
    assert (search_box(html) or "").startswith("Search"), name
    assert 'id="site-search"' in html and 'action="/search/"' in html


@pytest.mark.parametrize("name", LISTS)
def test_the_search_box_filters_the_list_and_clears(name, cast, login):
    """A search that matches nothing says so and offers to clear it: as a page and as an htmx swap."""
    client = login(cast.spoc)
    html = client.get(LISTS[name], {"q": "zzqqxx"}).content.decode()
    assert "Nothing matches these filters." in html, name
    assert f'href="{LISTS[name]}">Clear the filters</a>' in html
    assert 'value="zzqqxx"' in html  # what was typed stays in the box
    if name not in ("payments", "procedures"):  # those two are whole pages, not htmx lists
        partial = client.get(LISTS[name], {"q": "zzqqxx"}, headers={"HX-Request": "true"}).content.decode()
        assert "Nothing matches these filters." in partial and "<html" not in partial


def test_lists_search_word_forms(cast, login):
    AssetFactory(school=cast.school, by=cast.spoc, tag="HALL-PROJ", make="Epson", model="Projector EB-L200")
    AssetFactory(school=cast.school, by=cast.spoc, tag="OFFICE-PRN", make="HP", model="LaserJet printer")
    client = login(cast.spoc)
    assert "HALL-PROJ" in client.get("/assets/", {"q": "projectors"}).content.decode()
    found = client.get("/assets/", {"q": "printing"}).content.decode()
    assert "OFFICE-PRN" in found and "HALL-PROJ" not in found


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("projectors", "projector"),
        ("printing", "print"),
        ("printers", "print"),
        ("batteries", "batter"),
        ("battery", "batter"),
        ("speed", "speed"),
        ("HD-99812", "hd-99812"),
        ("pcs", "pcs"),
    ],
)
def test_word_stem(word, stem):
    assert word_stem(word) == stem


# --- empty states -------------------------------------------------------------------------------------------
def test_an_empty_list_says_what_to_do_next(cast, login):
    Location.objects.filter(school=cast.school).delete()
    html = login(cast.spoc).get("/locations/").content.decode()
    assert "No locations yet. Add your school's rooms so people can say where a fault is." in html
    assert re.search(r'<a class="btn btn-primary" href="/locations/new/">Add a location</a>', html)
    problems = login(cast.spoc).get("/problems/").content.decode()
    assert "No problems recorded yet." in problems and 'href="/problems/new/">Raise a problem</a>' in problems


def test_the_add_button_is_offered_only_to_who_may_add(cast, login):
    html = login(cast.viewer).get("/suppliers/contracts/").content.decode()
    assert "No contracts yet." in html and "/suppliers/contracts/new/" not in html


# --- locations filter ---------------------------------------------------------------------------------------
def test_locations_filter_offers_current_archived_all_never_unknown(cast, login):
    hall = Location.objects.get(school=cast.school, name="Hall")
    hall.is_archived = True
    hall.save()
    client = login(cast.spoc)
    html = client.get("/locations/").content.decode()
    show = re.search(r'<select name="show".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", show) == ["Current", "Archived", "All"]
    assert "Unknown" not in html
    assert ">Hall<" not in html.replace(" ", "") and "Library" in html  # current ones by default
    archived = client.get("/locations/", {"show": "archived"}).content.decode()
    assert "Hall" in archived and "Library" not in archived


# --- the header's search ------------------------------------------------------------------------------------
def test_a_reference_goes_straight_to_the_record(cast, login):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector flickers")
    asset = AssetFactory(school=cast.school, by=cast.spoc)
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    change = ChangeFactory(school=cast.school, by=cast.spoc)
    client = login(cast.spoc)
    for text, url in [
        (call.reference, f"/incidents/{call.pk}/"),
        (call.reference.lower(), f"/incidents/{call.pk}/"),
        (f"INC{call.pk}", f"/incidents/{call.pk}/"),
        (asset.reference, f"/assets/{asset.pk}/"),
        (problem.reference, f"/problems/{problem.pk}/"),
        (change.reference, f"/changes/{change.pk}/"),
    ]:
        response = client.get("/search/", {"q": text})
        assert response.status_code == 302 and response.url == url, text
        assert client.get(response.url).status_code == 200


def test_another_schools_reference_gives_nothing(cast, other, login):
    theirs = IncidentFactory(school=other.school, by=other.reporter, summary="Elm projector")
    their_asset = AssetFactory(school=other.school, by=other.spoc, tag="ELM-001")
    client = login(cast.spoc)
    for reference in (theirs.reference, their_asset.reference):
        response = client.get("/search/", {"q": reference})
        html = response.content.decode()
        assert response.status_code == 200
        assert f"There is no {reference} that you can see." in html
        assert f"/incidents/{theirs.pk}/" not in html and f"/assets/{their_asset.pk}/" not in html
    assert "Elm projector" not in client.get("/search/", {"q": "projector"}).content.decode()


def test_a_reporter_cannot_jump_to_a_record_their_role_does_not_show(cast, login):
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    response = login(cast.reporter).get("/search/", {"q": problem.reference})
    assert response.status_code == 200 and "that you can see" in response.content.decode()


def test_a_suppliers_reference_finds_the_call(cast, login):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer jam")
    incident_escalate(incident=call, by=cast.spoc, version=call.version, supplier=cast.supplier, reference="HD-99812")
    response = login(cast.spoc).get("/search/", {"q": "hd-99812"})
    assert response.status_code == 302 and response.url == f"/incidents/{call.pk}/"


def test_words_find_calls_and_records_grouped_in_their_forms(cast, other, login):
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector in Room 12 shows no picture")
    AssetFactory(school=cast.school, by=cast.spoc, tag="R12-PROJ", make="Epson", model="Projector EB-L200")
    LicenceFactory(school=cast.school, product="Projector Studio")
    ProblemFactory(school=cast.school, by=cast.spoc, title="Projector bulbs fail early")
    ChangeFactory(school=cast.school, by=cast.spoc, title="Replace the hall projector")
    IncidentFactory(school=other.school, by=other.reporter, summary="Projector in the elm hall")
    html = login(cast.spoc).get("/search/", {"q": "projectors"}).content.decode()
    for heading in ("Calls", "Assets", "Licences", "Suppliers", "Problems", "Requests for change"):
        assert f">{heading}</h2>" in html
    for found in (
        "Projector in Room 12 shows no picture",
        "R12-PROJ",
        "Projector Studio",
        "Projector bulbs fail early",
        "Replace the hall projector",
    ):
        assert found in html
    assert "No suppliers match." in html
    assert "elm hall" not in html


def test_a_reporter_searches_only_their_own_calls(cast, login):
    IncidentFactory(school=cast.school, by=cast.reporter, summary="My projector is dim")
    IncidentFactory(school=cast.school, by=cast.technician, summary="Staff room projector")
    html = login(cast.reporter).get("/search/", {"q": "projector"}).content.decode()
    assert "My projector is dim" in html and "Staff room projector" not in html
    assert ">Assets</h2>" not in html and ">Problems</h2>" not in html


def test_each_group_is_capped_and_links_to_its_list(cast, login):
    for n in range(SEARCH_CAP + 2):
        IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Printer {n} jammed")
    html = login(cast.spoc).get("/search/", {"q": "printer"}).content.decode()
    assert html.count("jammed") == SEARCH_CAP
    assert 'href="/incidents/?q=printer">See all the matching calls</a>' in html


SEARCH_QUERIES = 11  # session, user, roles; one per kind (6); the asset filter's tag and serial look-ups (2)


def search_queries(client, text) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_results_page_does_a_fixed_number_of_queries(cast, login):
    client = login(cast.spoc)

    def grow(n):
        for i in range(n):
            IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Projector {i} flickers")
            AssetFactory(school=cast.school, by=cast.spoc, model=f"Projector {i}")
            LicenceFactory(school=cast.school, product=f"Projector tool {i}")
            ProblemFactory(school=cast.school, by=cast.spoc, title=f"Projector fault {i}")
            ChangeFactory(school=cast.school, by=cast.spoc, title=f"New projector {i}")

    grow(1)
    small = search_queries(client, "projector")
    grow(SEARCH_CAP + 3)
    assert search_queries(client, "projector") == small == SEARCH_QUERIES


def test_a_search_alone_leaves_the_filters_closed(cast, login):
    client = login(cast.spoc)
    assert "<details >" in client.get("/incidents/", {"q": "printer"}).content.decode()
    assert "<details open>" in client.get("/incidents/", {"q": "printer", "sla": "breached"}).content.decode()


def test_the_api_searches_with_the_same_filter(cast, other, login):
    """One filterset, two interfaces: the API's ?q= finds word forms as the page's search box does."""
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector dead")
    IncidentFactory(school=other.school, by=other.reporter, summary="Elm projector dead")
    data = login(cast.spoc).get("/api/v1/incidents/", {"q": "projectors"}).json()
    assert [row["summary"] for row in data["results"]] == ["Projector dead"]
