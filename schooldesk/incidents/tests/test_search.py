"""Text search goes through the full-text index on both databases and finds what a person means."""

import pytest

from schooldesk.incidents.filtersets import IncidentFilterSet
from schooldesk.incidents.models import Incident
from schooldesk.incidents.search import search_words
from schooldesk.incidents.services import incident_escalate
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def found(cast, text):
    class Request:
        user = cast.spoc

    return set(
        IncidentFilterSet(
            {"q": text}, queryset=Incident.objects.visible_to(cast.spoc), request=Request()
        ).qs.values_list("summary", flat=True)
    )


@pytest.fixture
def calls(cast):
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector in Room 12 shows no picture")
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Wi-Fi drops in the hall", description="Since Monday")
    IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer jam", device="HP LaserJet OAK-164")
    IncidentFactory(
        school=cast.school, by=cast.reporter, summary="Café till will not print", description="Receipts blank"
    )


def test_words_match_as_prefixes_in_any_field(cast, calls):
    assert found(cast, "projector") == {"Projector in Room 12 shows no picture"}
    assert found(cast, "proj") == {"Projector in Room 12 shows no picture"}
    assert found(cast, "wi-fi hall") == {"Wi-Fi drops in the hall"}
    assert found(cast, "monday") == {"Wi-Fi drops in the hall"}  # the description
    assert found(cast, "laserjet") == {"Printer jam"}  # the device
    assert found(cast, "cafe") == {"Café till will not print"}  # accents do not matter
    assert found(cast, "projector hall") == set()  # every word must match


def test_index_follows_edits(cast, calls):
    call = Incident.objects.get(summary="Printer jam")
    Incident.objects.filter(pk=call.pk).update(summary="Photocopier jam")
    assert found(cast, "photocopier") == {"Photocopier jam"}
    assert found(cast, "printer") == set()
    call.delete()
    assert found(cast, "photocopier") == set()


def test_supplier_reference_is_found_exactly(cast, calls):
    call = Incident.objects.get(summary="Printer jam")
    incident_escalate(incident=call, by=cast.spoc, version=call.version, supplier=cast.supplier, reference="HD-99812")
    assert found(cast, "HD-99812") == {"Printer jam"}


def test_search_never_reaches_another_school(cast, other, calls):
    IncidentFactory(school=other.school, by=other.reporter, summary="Projector in the elm hall")
    assert found(cast, "projector") == {"Projector in Room 12 shows no picture"}


@pytest.mark.parametrize("text", ['"', "*", "AND OR NOT", "proj)(*", "NEAR(a b)", "'; DROP TABLE x; --", ""])
def test_odd_input_is_harmless(cast, calls, text):
    found(cast, text)  # no error from the index's query syntax


def test_search_words():
    assert search_words("Wi-Fi  HALL!") == ["wi", "fi", "hall"]


def test_word_forms_match_on_either_database(cast, calls):
    """The index stems English words (Porter on SQLite, 'english' on PostgreSQL): plural, -ing, -er."""
    assert found(cast, "projectors") == {"Projector in Room 12 shows no picture"}
    assert found(cast, "printing") == {"Printer jam", "Café till will not print"}
    assert found(cast, "printers jammed") == {"Printer jam"}
    assert found(cast, "pictures") == {"Projector in Room 12 shows no picture"}
    assert found(cast, "dropping") == {"Wi-Fi drops in the hall"}
    assert found(cast, "receipt") == {"Café till will not print"}


def test_a_word_search_and_the_whole_list_are_counted_only_up_to_their_caps(cast, login, monkeypatch):
    """At 100,000 calls a common word matches thousands: the list counts a search to 1,000 and the whole list to
    10,000 (core.views.CappedPaginator), so the count costs the same however many calls the school has had."""
    from schooldesk.core.views import CappedPaginator

    for n in range(3):
        IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Projector {n} flickers")
    client = login(cast.spoc)
    monkeypatch.setattr(CappedPaginator, "SEARCH_CAP", 2)
    searched = client.get("/incidents/?q=projector").content.decode()
    assert "More than 2 calls: filter to narrow them down." in searched
    assert "More than" not in client.get("/incidents/").content.decode()  # the list's own cap is 10,000
    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    assert "More than 2 calls" in client.get("/incidents/").content.decode()
    monkeypatch.setattr(CappedPaginator, "SEARCH_CAP", 3)
    monkeypatch.setattr(CappedPaginator, "CAP", 10_000)
    assert "3 calls" in client.get("/incidents/?q=projector").content.decode()
