"""Problem candidates: repeat calls that say the same thing on one device, in one place or on one kind of
device within the school's number of school days, raised as a problem in one step; and the known errors
offered while a call is logged."""

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
from schooldesk.problems.selectors import (
    known_error_suggestions,
    problem_candidates,
    summary_words,
    window_start,
)
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


def calls(cast, n, *, days_ago=0, summaries=None, **kwargs):
    """`n` calls logged by the desk, the newest first; `summaries` say what each caller wrote."""
    now = timezone.now()
    made = []
    for i in range(n):
        if summaries:
            kwargs["summary"] = summaries[i % len(summaries)]
        made.append(
            IncidentFactory(school=cast.school, by=cast.spoc, now=now - timedelta(days=days_ago, minutes=i), **kwargs)
        )
    return made


def room(cast, name="Room 4") -> Location:
    return Location.objects.get_or_create(school=cast.school, name=name)[0]


def candidate_keys(user, **kwargs):
    return {(c["basis"], str(c["key"])) for c in problem_candidates(user=user, **kwargs)}


def shown(user, **kwargs) -> list[tuple[str, str, set]]:
    """Each candidate as the page shows it: its heading and the summaries of its calls."""
    return [
        (c["basis_label"], c["label"], {call.summary for call in c["calls"]})
        for c in problem_candidates(user=user, **kwargs)
    ]


BULB = ["Projector bulb gone", "The projector bulb has gone again", "Bulb gone in the projector"]


def test_calls_that_say_the_same_thing_in_one_place_are_one_candidate_and_unrelated_ones_none(cast):
    room4 = room(cast)
    calls(cast, 3, location=room4, summaries=BULB)
    calls(cast, 1, location=room4, summary="Printer jammed")
    calls(cast, 1, location=room4, summary="Wi-Fi slow")
    assert shown(cast.spoc) == [("Same place", "“Projector bulb gone” in Room 4", set(BULB))]
    [candidate] = problem_candidates(user=cast.spoc)
    assert (candidate["count"], candidate["key"]) == (3, f"{room4.pk}|bulb gone projector")


def test_a_room_with_several_different_faults_has_no_candidate(cast):
    calls(
        cast,
        5,
        location=room(cast),
        summaries=[
            "Printer jammed",
            "Wi-Fi slow",
            "Visualiser will not focus",
            "Interactive whiteboard pen missing",
            "Teacher laptop won't turn on",
        ],
    )
    assert problem_candidates(user=cast.spoc) == []


def test_two_faults_of_one_projector_are_two_candidates_not_one_about_projectors(cast):
    room4 = room(cast)
    calls(cast, 3, location=room4, summaries=BULB)
    remote = [
        "Projector remote missing",
        "Remote for the projector is missing",
        "Projector remote control missing again",
    ]
    calls(cast, 3, location=room4, summaries=remote)
    assert sorted(shown(cast.spoc)) == [
        ("Same place", "“Projector bulb gone” in Room 4", set(BULB)),
        ("Same place", "“Projector remote missing” in Room 4", set(remote)),
    ]


def test_words_are_compared_as_written_by_people(cast):
    # Capitals, punctuation, Wi-Fi or WiFi, plurals and stop words do not make calls different.
    calls(
        cast,
        3,
        location=room(cast, "Year 5 classroom"),
        summaries=[
            "Chromebooks keep dropping off the WiFi",
            "A chromebook dropping off wi-fi!",
            "CHROMEBOOK DROPPING OFF WI-FI",
        ],
    )
    [(basis, label, _calls)] = shown(cast.spoc)
    assert (basis, label) == ("Same place", "“Chromebooks dropping WiFi” in Year 5 classroom")
    assert summary_words("The batteries and switches in Classes 3 and 4") == {"battery", "switch", "class"}


def test_the_same_fault_on_one_kind_of_device_across_the_school(cast):
    rooms = [room(cast, f"Room {n}") for n in (4, 6, 9)]
    for n, where in enumerate(rooms):
        projector = AssetFactory(school=cast.school, tag=f"OAK-P{n}", type_name="Projector", location=where)
        calls(
            cast,
            1,
            location=where,
            asset=projector,
            summary=["Projector bulb blown", "Bulb blown", "Blown bulb on the projector"][n],
        )
    calls(
        cast,
        1,
        location=rooms[0],
        asset=AssetFactory(school=cast.school, type_name="Projector"),
        summary="Projector fan is very loud",
    )
    assert shown(cast.spoc) == [
        (
            "Same kind of device",
            "“Blown bulb” on any Projector",
            {"Projector bulb blown", "Bulb blown", "Blown bulb on the projector"},
        )
    ]


def test_three_calls_about_one_device_are_a_candidate_and_two_are_not(cast):
    laptop = AssetFactory(school=cast.school, tag="OAK-L1")
    rooms = list(Location.objects.filter(school=cast.school)[:3])
    summaries = [
        "Laptop battery will not charge",
        "Battery not charging, will not charge overnight",
        "Laptop will not charge: battery light off",
    ]
    for where, summary in zip(rooms[:2], summaries, strict=False):
        calls(cast, 1, asset=laptop, location=where, summary=summary)
    assert problem_candidates(user=cast.technician) == []
    calls(cast, 1, asset=laptop, location=rooms[2], summary=summaries[2])
    found = problem_candidates(user=cast.technician)
    assert [(c["basis"], c["key"], c["label"], c["count"]) for c in found] == [
        ("asset", f"{laptop.pk}|battery charge", "“charge battery” on OAK-L1 Laptop, Dell Latitude 3440", 3)
    ]


def test_the_schools_own_thresholds_decide(cast):
    where = room(cast)
    calls(cast, 3, location=where, summaries=BULB)
    key = ("location", f"{where.pk}|bulb gone projector")
    assert key in candidate_keys(cast.spoc)
    problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=4, candidate_days=5)
    assert key not in candidate_keys(cast.spoc)
    problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=3, candidate_days=5)
    assert key in candidate_keys(cast.spoc)


def test_old_calls_fall_out_of_the_window(cast):
    problem_settings_save(school=cast.school, by=cast.spoc, candidate_calls=3, candidate_days=2)
    where = room(cast)
    calls(cast, 2, location=where, summaries=BULB)
    calls(cast, 1, location=where, summary=BULB[2], days_ago=14)  # more than two school days ago, whatever the day
    assert problem_candidates(user=cast.spoc) == []


def test_requests_cancelled_calls_and_other_schools_are_not_counted(cast, other):
    where = room(cast)
    calls(cast, 2, location=where, summaries=BULB)
    calls(cast, 1, location=where, kind="request", summary="Projector bulb gone: please order a spare")
    IncidentFactory(school=other.school, by=other.spoc, summary="Projector bulb gone")
    assert problem_candidates(user=cast.spoc) == []
    assert problem_candidates(user=other.spoc) == []
    assert problem_candidates(user=cast.reporter) == []  # not someone who works problems


def test_a_device_described_in_words_is_grouped_too(cast):
    rooms = list(Location.objects.filter(school=cast.school)[:3])
    for n, where in enumerate(rooms):
        calls(
            cast,
            1,
            location=where,
            device=["Office printer", "office printer ", "OFFICE PRINTER"][n],
            summary=["Printing blank pages", "Blank pages again", "Only blank pages come out"][n],
        )
    assert ("device", "office printer|blank page") in candidate_keys(cast.spoc)


def test_a_candidate_becomes_a_problem_in_one_step_and_leaves_the_list(cast):
    laptop = AssetFactory(school=cast.school, tag="OAK-L2")
    made = calls(cast, 3, asset=laptop, summary="Laptop will not charge")
    calls(cast, 1, asset=laptop, summary="Laptop keyboard sticky")  # about something else: not linked
    [candidate] = problem_candidates(user=cast.technician)
    problem = problem_from_candidate(school=cast.school, by=cast.technician, basis="asset", key=candidate["key"])
    assert problem.title == "Repeat calls: “charge” on OAK-L2 Laptop, Dell Latitude 3440" and problem.asset == laptop
    assert set(problem.incidents.values_list("pk", flat=True)) == {c.pk for c in made}
    assert all(c.reference in problem.symptoms for c in made)
    assert problem_candidates(user=cast.technician) == []
    with pytest.raises(ValidationError):  # nothing left to raise
        problem_from_candidate(school=cast.school, by=cast.technician, basis="asset", key=candidate["key"])
    assert Problem.objects.count() == 1


def test_the_candidates_are_found_in_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            problem_candidates(user=cast.spoc)
        return len(queries)

    calls(cast, 3, location=room(cast), summaries=BULB)
    few = count_queries()
    for n in range(5, 12):
        projector = AssetFactory(school=cast.school, type_name="Projector", location=room(cast, f"Room {n}"))
        calls(cast, 3, location=room(cast, f"Room {n}"), asset=projector, summaries=BULB)
    calls(cast, 3, location=room(cast, "Library"), device="Library printer", summaries=["Printing blank pages"])
    assert len(problem_candidates(user=cast.spoc)) > 5
    assert count_queries() == few


def test_known_errors_are_offered_by_place_category_device_and_words(cast, other):
    wifi = Category.objects.get(school=cast.school, name="Wi-Fi")
    room, elsewhere = list(Location.objects.filter(school=cast.school)[:2])
    problem = known_error(
        cast.school,
        title="Wi-Fi drops in Year 5",
        category=wifi,
        location=room,
        symptoms="Chromebooks lose the connection",
    )
    unrelated = known_error(cast.school, title="Printer jams", location=elsewhere)
    known_error(other.school, title="Wi-Fi drops in Year 5 (theirs)")
    assert known_error_suggestions(user=cast.spoc, location_id=room.pk, category_id=wifi.pk) == [problem]
    assert known_error_suggestions(user=cast.spoc, text="the chromebooks keep dropping off the wifi drops") == [problem]
    assert known_error_suggestions(user=cast.spoc, text="something else entirely") == []
    assert unrelated not in known_error_suggestions(user=cast.spoc, location_id=room.pk, text="wi-fi")
    assert known_error_suggestions(user=other.spoc, location_id=room.pk, category_id=wifi.pk) == []


def test_reporters_are_offered_only_workarounds_they_may_apply(cast):
    room = Location.objects.filter(school=cast.school).first()
    for_desk = known_error(cast.school, title="Projector flickers", location=room, audience="desk")
    for_anyone = known_error(cast.school, title="Projector shows no picture", location=room, audience="reporter")
    assert set(known_error_suggestions(user=cast.spoc, location_id=room.pk)) == {for_desk, for_anyone}
    assert known_error_suggestions(user=cast.reporter, location_id=room.pk) == [for_anyone]
