"""Durations, money and changes as people write them (core/templatetags/desk_format.py), and pages that show
them that way."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template

from schooldesk.core.templatetags.desk_format import count_change, duration, money, money_whole, percent


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (None, "–"),
        ("", "–"),
        (0, "0 minutes"),
        (1, "1 minute"),
        (35, "35 minutes"),
        (60, "1 hour"),
        (95, "1 hour 35 minutes"),
        (120, "2 hours"),
        (23 * 60 + 59, "23 hours 59 minutes"),
        (24 * 60, "1 day"),
        (88 * 60, "3 days 16 hours"),
        (25 * 60 + 40, "1 day 2 hours"),
        (48 * 60 + 10, "2 days"),
        (timedelta(days=3, hours=16), "3 days 16 hours"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (Decimal("220.0"), "3 hours 40 minutes"),
        (-30, "−30 minutes"),
    ],
)
def test_durations_read_as_people_say_them(value, said):
    assert duration(value) == said


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (None, "–"),
        (0, "£0.00"),
        (2400, "£2,400.00"),
        (Decimal("1750.5"), "£1,750.50"),
        ("999", "£999.00"),
        (Decimal("-12.5"), "−£12.50"),
        (1234567.891, "£1,234,567.89"),
        (Decimal("0.005"), "£0.01"),
    ],
)
def test_money_has_pence_and_thousands(value, said):
    assert money(value) == said


def test_a_chart_scale_is_in_whole_pounds_and_shares_in_whole_per_cent():
    assert (money_whole(12500), money_whole(Decimal("-99.5")), money_whole(None)) == ("£12,500", "−£100", "–")
    assert (percent(87.4), percent(Decimal("66.5")), percent(None)) == ("87%", "67%", "–")


@pytest.mark.parametrize(
    ("now", "before", "said"),
    [
        (143, 12, "up from 12 to 143"),  # never "1092% more"
        (5, 19, "down from 19 to 5"),
        (25, 20, "up 25%"),
        (90, 100, "down 10%"),
        (40, 40, "no change"),
        (1001, 1000, "about the same"),
        (3, 0, "up from 0 to 3"),
        (3, None, ""),
    ],
)
def test_a_change_is_a_percentage_only_from_a_base_of_twenty(now, before, said):
    assert count_change(now, before) == said


def test_the_filters_work_in_templates():
    html = Template(
        "{% load desk_format %}{{ a|money }} · {{ m|duration }} · {{ p|percent }} · {% count_change 143 12 %}"
    ).render(Context({"a": 2400, "m": 5280, "p": 12.6}))
    assert html == "£2,400.00 · 3 days 16 hours · 13% · up from 12 to 143"


@pytest.mark.django_db
def test_an_asset_page_shows_its_cost_as_money(cast, login):
    from schooldesk.assets.tests.factories import AssetFactory

    asset = AssetFactory(school=cast.school, by=cast.spoc, cost=Decimal("2400"))
    page = login(cast.spoc).get(f"/assets/{asset.pk}/").content.decode()
    assert "£2,400.00" in page and "£2400" not in page


@pytest.mark.django_db
def test_an_assets_history_reads_in_words_not_field_names(cast, login):
    from schooldesk.assets.services import asset_move
    from schooldesk.assets.tests.factories import AssetFactory
    from schooldesk.locations.models import Location

    room, library = (Location.objects.create(school=cast.school, name=n) for n in ("Room 4", "Main library"))
    asset = AssetFactory(school=cast.school, location=room)
    asset_move(asset=asset, location=library, by=cast.spoc)
    page = login(cast.spoc).get(f"/assets/{asset.pk}/").content.decode()
    assert "Location changed from Room 4 to Main library" in page
    assert "location: Room 4" not in page
