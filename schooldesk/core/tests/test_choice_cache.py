"""The drop-downs' cached options (core/choice_cache.py, issue 23): each school sees only its own, however often
the page was drawn for another, and a change shows at once."""

import pytest

from schooldesk.incidents.models import Category
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db

PAGES = ["/incidents/", "/assets/", "/incidents/new/?for=caller"]


def options(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_two_schools_never_share_an_option_list(url, cast, other, client):
    Location.objects.create(school=cast.school, name="Oak Laboratory")
    Location.objects.create(school=other.school, name="Elm Laboratory")
    Category.objects.create(school=cast.school, name="Oak Whiteboards")
    Category.objects.create(school=other.school, name="Elm Whiteboards")
    for _ in range(2):  # the second time from the cache
        oak, elm = options(client, cast.spoc, url), options(client, other.spoc, url)
        assert "Oak Laboratory" in oak and "Elm Laboratory" not in oak
        assert "Elm Laboratory" in elm and "Oak Laboratory" not in elm
        if url.startswith("/incidents/"):
            assert "Oak Whiteboards" in oak and "Elm Whiteboards" not in oak
            assert "Elm Whiteboards" in elm and "Oak Whiteboards" not in elm


@pytest.mark.parametrize("url", PAGES)
def test_a_new_renamed_or_archived_room_shows_at_once(url, cast, other, client):
    options(client, cast.spoc, url)  # cached
    room = Location.objects.create(school=cast.school, name="Oak Annexe")
    assert "Oak Annexe" in options(client, cast.spoc, url)
    assert "Oak Annexe" not in options(client, other.spoc, url)
    room.name = "Oak Pavilion"
    room.save()
    page = options(client, cast.spoc, url)
    assert "Oak Pavilion" in page and "Oak Annexe" not in page
    if "new" in url:  # the lists' filters show archived rooms too (their calls and assets are still there)
        room.is_archived = True
        room.save()
        assert "Oak Pavilion" not in options(client, cast.spoc, url)
