"""Deleting a location asks first, on a page that works without JavaScript, and says when the location will be
archived instead because calls or other records name it. Walked as a one-school SPOC following the list's links."""

import re

import pytest
from django.urls import reverse

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def delete_link(client, name: str, query: str = "") -> str:
    """The Delete link the list offers for `name` (its hidden text names the location)."""
    page = " ".join(client.get(reverse("locations:location_list") + query).content.decode().split())
    links = re.findall(
        r'<a class="btn btn-sm btn-outline-danger" href="([^"]+)">\s*Delete\s*'
        r'<span class="visually-hidden">\s*([^<]+?)\s*</span>\s*</a>',
        page,
    )
    return dict((label, href) for href, label in links)[name]


def submit(client, page: str):
    """Submit the confirmation form as the page renders it."""
    action = re.search(r'<form method="post" action="([^"]+)"', page[page.index("<main") :]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.post(action, {"csrfmiddlewaretoken": token}, follow=True)


def test_delete_asks_first_and_cancel_changes_nothing(cast, login):
    client = login(cast.spoc)
    url = delete_link(client, "Music room")
    page = " ".join(client.get(url).content.decode().split())  # however the markup is wrapped
    assert "Delete “Music room”?" in page and "removed for good" in page
    assert '<button class="btn btn-danger" type="submit"> Delete </button>' in page
    cancel = re.search(r'<a class="btn btn-outline-secondary" href="([^"]+)">\s*Cancel\s*</a>', page).group(1)
    assert client.get(cancel).status_code == 200
    assert Location.objects.filter(school=cast.school, name="Music room").exists()  # asking deleted nothing
    done = submit(client, page)
    assert done.status_code == 200 and "“Music room” deleted." in done.content.decode()
    assert not Location.objects.filter(school=cast.school, name="Music room").exists()


def test_a_location_with_equipment_in_it_says_it_will_be_archived_instead(cast, login):
    room = Location.objects.get(school=cast.school, name="Music room")
    AssetFactory(school=cast.school, location=room)
    client = login(cast.spoc)
    page = " ".join(client.get(delete_link(client, "Music room")).content.decode().split())
    assert "It is named on other records: assets." in page and "archived instead of deleted" in page
    assert "> Archive instead </button>" in page and "> Delete </button>" not in page
    done = submit(client, page).content.decode()
    assert "archived instead of deleted" in done
    room.refresh_from_db()
    assert room.is_archived
    again = client.get(delete_link(client, "Music room", "?show=archived")).content.decode()
    assert "it is archived already" in again and "<button" not in again[again.index("<main") : again.index("</main>")]


def test_a_location_with_calls_says_how_many_and_that_it_will_be_archived(cast, login):
    hall = Location.objects.get(school=cast.school, name="Hall")
    IncidentFactory(school=cast.school, by=cast.reporter, location=hall)
    IncidentFactory(school=cast.school, by=cast.reporter, location=hall)
    client = login(cast.spoc)
    with pytest.raises(KeyError):  # the list offers Archive, not Delete; the address still answers, and explains
        delete_link(client, "Hall")
    page = " ".join(client.get(reverse("locations:location_delete", args=[hall.pk])).content.decode().split())
    assert "It has 2 calls logged against it." in page and "archived instead of deleted" in page
    submit(client, page)
    hall.refresh_from_db()
    assert hall.is_archived


def test_another_schools_location_cannot_be_asked_about(cast, other, login):
    room = Location.objects.get(school=other.school, name="Music room")
    client = login(cast.spoc)
    assert client.get(reverse("locations:location_delete", args=[room.pk])).status_code == 404
    assert (
        login(cast.reporter)
        .get(reverse("locations:location_delete", args=[Location.objects.filter(school=cast.school).first().pk]))
        .status_code
        == 403
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_spoc_is_asked_then_deletes(cast, signed_in):
    from playwright.sync_api import expect

    from schooldesk.core.tests.browser import axe_violations, describe_violations

    page = signed_in(cast.spoc)
    page.goto("/locations/")
    page.get_by_role("link", name="Delete Music room").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Music room”?")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("“Music room” deleted.")).to_be_visible()
    assert not Location.objects.filter(school=cast.school, name="Music room").exists()
