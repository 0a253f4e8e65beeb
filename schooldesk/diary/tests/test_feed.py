"""Each person's private calendar feed: public by design at a secret address, parsed with `icalendar`."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from schooldesk.core.calendar import LONDON
from schooldesk.diary.models import DiaryEntry
from schooldesk.diary.services import entry_save, feed_token_ensure
from schooldesk.suppliers.tests.factories import make_contract

pytestmark = pytest.mark.django_db


def feed_url(user) -> str:
    """The address the person's feed page shows (made when they first open it)."""
    return reverse("diary:feed_ics", args=[user.pk, feed_token_ensure(user=user)])


def parse(response) -> dict[str, object]:
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_needs_no_login_and_holds_the_persons_diary(cast, other, client):
    visit = entry_save(
        by=cast.spoc,
        entry=DiaryEntry(
            school=cast.school,
            kind="visit",
            title="Technician visit; Tuesday, =SUM(A1)",
            person=cast.technician,
            starts_at=datetime(2026, 12, 1, 8, 30, tzinfo=LONDON),
            ends_at=datetime(2026, 12, 1, 12, tzinfo=LONDON),
            notes="Bring a spare HDMI lead",
            remind_days_before=1,
        ),
    )
    today = timezone.localdate()
    contract = make_contract(cast, starts_on=today - timedelta(days=300), notice_number=1, today=today)
    make_contract(other, name="Elm contract", starts_on=today - timedelta(days=300), notice_number=1, today=today)
    events = parse(client.get(feed_url(cast.technician)))  # no login: calendar apps cannot sign in
    event = events["Technician visit; Tuesday, =SUM(A1)"]
    assert event["UID"] == f"diary-{visit.pk}@schooldesk"
    assert event.decoded("DTSTART") == datetime(2026, 12, 1, 8, 30, tzinfo=LONDON)
    assert event.decoded("DTEND") == datetime(2026, 12, 1, 12, tzinfo=LONDON)
    assert "Bring a spare HDMI lead" in str(event["DESCRIPTION"]) and "Oak Primary School" in str(event["LOCATION"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=1)
    notice = events[f"Notice deadline: {contract}"]
    assert notice.decoded("DTSTART") == contract.notice_by_on  # an all-day event: a date, not a time
    assert notice.decoded("DTEND") == contract.notice_by_on + timedelta(days=1)
    # Regression: the note said "give notice by today", read days early in reminders and calendar apps.
    assert f"give notice by {contract.notice_by_on:%d/%m/%Y}" in str(notice["DESCRIPTION"])
    assert not any("Elm" in summary for summary in events)


def test_a_reporter_sees_only_the_entries_that_name_them(cast, client):
    starts = timezone.now() + timedelta(days=2)
    for title, person in (("Staff training", cast.reporter), ("Desk meeting", cast.spoc)):
        entry_save(
            by=cast.spoc,
            entry=DiaryEntry(
                school=cast.school,
                kind="training",
                title=title,
                person=person,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
            ),
        )
    assert set(parse(client.get(feed_url(cast.reporter)))) == {"Staff training"}
    assert set(parse(client.get(feed_url(cast.spoc)))) == {"Staff training", "Desk meeting"}


def test_a_wrong_or_reset_token_is_refused(cast, other, client):
    old = feed_url(cast.spoc)
    assert client.get(old).status_code == 200
    other_token = feed_token_ensure(user=other.spoc)
    assert client.get(reverse("diary:feed_ics", args=[cast.spoc.pk, other_token])).status_code == 403
    assert client.get(reverse("diary:feed_ics", args=[cast.spoc.pk, cast.spoc.feed_token[:-1]])).status_code == 403
    assert client.get(reverse("diary:feed_ics", args=[999999, cast.spoc.feed_token])).status_code == 403
    client.force_login(cast.spoc)
    page = client.get("/diary/feed/").content.decode()
    assert cast.spoc.feed_token in page and "webcal://" in page
    client.post("/diary/feed/reset/")
    cast.spoc.refresh_from_db()
    assert client.get(old).status_code == 403
    client.logout()
    assert client.get(feed_url(cast.spoc)).status_code == 200
    assert len(cast.spoc.feed_token) >= 40
