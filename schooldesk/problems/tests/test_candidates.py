"""Problem candidates: repeat calls on one device, place or category within the school's number of school
days, raised as a problem in one step; and the known errors offered while a call is logged."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.core.calendar import LONDON, ServiceCalendar
from schooldesk.incidents.models import Category
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.problems.models import Problem
from schooldesk.problems.selectors import known_error_suggestions, problem_candidates, window_start
from schooldesk.problems.services import problem_from_candidate, problem_settings_save
from schooldesk.problems.tests.factories import known_error

pytestmark = pytest.mark.django_db


def local(day: date, hour=10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def test_the_window_counts_school_days_not_weekends_or_holidays():
    calendar = ServiceCalendar(closed_dates=frozenset({date(2026, 3, 4)}))  # a Wednesday INSET day
    monday = local(date(2026, 3, 9))
    assert window_start(calendar, 1, monday) == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # today counts
    assert window_start(calendar, 2, monday).astimezone(LONDON).date() == date(2026, 3, 6)  # Friday
    # Mon, Fri, Thu, (Wed shut), Tue
    assert window_start(calendar, 4, monday).astimezone(LONDON).date() == date(2026, 3, 3)


def calls(cast, n, *, days_ago=0, **kwargs):
    now = timezone.now()
    return [IncidentFactory(school=cast.school, by=cast.spoc, now=now - timedelta(days=days_ago, minutes=i), **kwargs)
            for i in range(n)]


def candidate_keys(user, **kwargs):
    return {(c["basis"], str(c["key"])) for c in problem_candidates(user, **kwargs)}


def test_three_calls_about_one_device_are_a_candidate_and_two_are_not(cast):
    laptop = AssetFactory(school=cast.school, tag="OAK-L1")
    rooms = list(Location.objects.filter(school=cast.school)[:3])
    for room in rooms[:2]:
        calls(cast, 1, asset=laptop, location=room)
    assert ("asset", str(laptop.pk)) not in candidate_keys(cast.technician)
    calls(cast, 1, asset=laptop, location=rooms[2])
    found = problem_candidates(cast.technician)
    device = next(c for c in found if c["basis"] == "asset")
    assert (device["key"], device["label"], device["count"], len(device["calls"])) == (laptop.pk, "OAK-L1", 3, 3)
    assert found[0]["basis"] == "asset"  # the most specific first


def test_the_schools_own_thresholds_decide(cast):
    room = Location.objects.filter(school=cast.school).first()
    calls(cast, 3, location=room)
    assert ("location", str(room.pk)) in candidate_keys(cast.spoc)
    problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=4, candidate_days=5)
    assert ("location", str(room.pk)) not in candidate_keys(cast.spoc)
    problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=3, candidate_days=5)
    assert ("location", str(room.pk)) in candidate_keys(cast.spoc)


def test_old_calls_fall_out_of_the_window(cast):
    problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=3, candidate_days=2)
    wifi = Category.objects.get(school=cast.school, name="Wi-Fi")
    calls(cast, 2, category=wifi)
    calls(cast, 1, category=wifi, days_ago=14)  # more than two school days ago, whatever the weekday
    assert ("category", str(wifi.pk)) not in candidate_keys(cast.spoc)


def test_requests_cancelled_calls_and_other_schools_are_not_counted(cast, other):
    room = Location.objects.filter(school=cast.school).first()
    calls(cast, 2, location=room)
    calls(cast, 1, location=room, kind="request")
    IncidentFactory(school=other.school, by=other.spoc, summary="theirs")
    assert ("location", str(room.pk)) not in candidate_keys(cast.spoc)
    assert problem_candidates(other.spoc) == []
    assert problem_candidates(cast.reporter) == []  # not someone who works problems


def test_a_device_described_in_words_is_grouped_too(cast):
    rooms = list(Location.objects.filter(school=cast.school)[:3])
    for n, room in enumerate(rooms):
        calls(cast, 1, location=room, device=["Office printer", "office printer ", "OFFICE PRINTER"][n])
    assert ("device", "office printer") in candidate_keys(cast.spoc)


def test_a_candidate_becomes_a_problem_in_one_step_and_leaves_the_list(cast):
    laptop = AssetFactory(school=cast.school, tag="OAK-L2")
    made = calls(cast, 3, asset=laptop, summary="Laptop will not charge")
    problem = problem_from_candidate(school=cast.school, by=cast.technician, basis="asset", key=str(laptop.pk))
    assert problem.title == "Repeat calls: OAK-L2 Laptop, Dell Latitude 3440" and problem.asset == laptop
    assert set(problem.incidents.values_list("pk", flat=True)) == {c.pk for c in made}
    assert all(c.reference in problem.symptoms for c in made)
    assert ("asset", str(laptop.pk)) not in candidate_keys(cast.technician)
    with pytest.raises(ValidationError):  # nothing left to raise
        problem_from_candidate(school=cast.school, by=cast.technician, basis="asset", key=str(laptop.pk))
    assert Problem.objects.count() == 1


def test_known_errors_are_offered_by_place_category_device_and_words(cast, other):
    wifi = Category.objects.get(school=cast.school, name="Wi-Fi")
    room, elsewhere = list(Location.objects.filter(school=cast.school)[:2])
    problem = known_error(cast.school, title="Wi-Fi drops in Year 5", category=wifi, location=room,
                          symptoms="Chromebooks lose the connection")
    unrelated = known_error(cast.school, title="Printer jams", location=elsewhere)
    known_error(other.school, title="Wi-Fi drops in Year 5 (theirs)")
    assert known_error_suggestions(cast.spoc, location_id=room.pk, category_id=wifi.pk) == [problem]
    assert known_error_suggestions(cast.spoc, text="the chromebooks keep dropping off the wifi drops") == [problem]
    assert known_error_suggestions(cast.spoc, text="something else entirely") == []
    assert unrelated not in known_error_suggestions(cast.spoc, location_id=room.pk, text="wi-fi")
    assert known_error_suggestions(other.spoc, location_id=room.pk, category_id=wifi.pk) == []


def test_reporters_are_offered_only_workarounds_they_may_apply(cast):
    room = Location.objects.filter(school=cast.school).first()
    for_desk = known_error(cast.school, title="Projector flickers", location=room, audience="desk")
    for_anyone = known_error(cast.school, title="Projector shows no picture", location=room, audience="reporter")
    assert set(known_error_suggestions(cast.spoc, location_id=room.pk)) == {for_desk, for_anyone}
    assert known_error_suggestions(cast.reporter, location_id=room.pk) == [for_anyone]
