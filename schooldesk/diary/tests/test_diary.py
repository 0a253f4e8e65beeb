"""Diary entries: bad input kept and explained, month, week and agenda views, reminders sent once."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from schooldesk.core.calendar import LONDON
from schooldesk.diary.models import DiaryEntry
from schooldesk.diary.services import diary_reminders_send, entry_delete, entry_save
from schooldesk.diary.tasks import diary_reminders_task
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def entry_form(cast, **overrides) -> dict:
    data = {
        "kind": "meeting",
        "title": "Termly review",
        "starts_on": "2026-12-03",
        "starts_time": "15:45",
        "ends_on": "",
        "ends_time": "16:30",
        "location": "",
        "person": cast.owner.pk,
        "contract": "",
        "call": "",
        "notes": "Bring the figures",
        "remind_days_before": "2",
        "school": cast.school.pk,
    }
    data.update(overrides)
    return data


def test_the_desk_adds_an_entry_linked_to_a_call(cast, login):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    client = login(cast.spoc)
    assert client.get("/diary/new/?date=2026-12-03").status_code == 200
    response = client.post("/diary/new/", entry_form(cast, call=incident.reference.lower()))
    entry = DiaryEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/diary/{entry.pk}/"
    assert (entry.starts_at, entry.ends_at, entry.incident, entry.person) == (
        at(2026, 12, 3, 15, 45),
        at(2026, 12, 3, 16, 30),
        incident,
        cast.owner,
    )
    assert entry.remind_at == at(2026, 12, 1, 7)  # two days before, at 07:00
    page = client.get(response["Location"]).content.decode()
    assert incident.reference in page and "Thursday 03/12/2026 15:45–16:30" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_time": "15:00"}, "The end (03/12/2026 15:00) is before the start (03/12/2026 15:45)."),
        ({"ends_on": "2026-12-01"}, "The end (01/12/2026 16:30) is before the start (03/12/2026 15:45)."),
        ({"starts_time": ""}, "Give a start time, or tick “all day”."),
        ({"call": "INC-999999"}, "There is no call INC-999999 that you can see."),
    ],
)
def test_bad_entries_are_refused_with_what_was_typed(cast, login, overrides, message):
    response = login(cast.spoc).post("/diary/new/", entry_form(cast, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Bring the figures" in html and 'value="Termly review"' in html
    assert not DiaryEntry.objects.exists()


def test_links_must_belong_to_the_entrys_school(cast, other):
    foreign = Location.objects.filter(school=other.school).first()
    with pytest.raises(ValidationError) as exc:
        entry_save(
            by=cast.spoc,
            entry=DiaryEntry(
                school=cast.school,
                title="x",
                location=foreign,
                person=other.spoc,
                starts_at=at(2026, 12, 1, 9),
                ends_at=at(2026, 12, 1, 10),
            ),
        )
    assert set(exc.value.message_dict) == {"location", "person"}
    with pytest.raises(ValidationError, match="not a technician"):
        entry_save(
            by=cast.spoc,
            entry=DiaryEntry(
                school=cast.school,
                kind="visit",
                title="x",
                person=cast.reporter,
                starts_at=at(2026, 12, 1, 9),
                ends_at=at(2026, 12, 1, 10),
            ),
        )


def test_month_week_and_agenda_show_the_entries(cast, login):
    now = timezone.now()
    soon = now.astimezone(LONDON).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
    entry_save(
        by=cast.spoc,
        entry=DiaryEntry(
            school=cast.school,
            kind="installation",
            title="New panels in Room 4",
            starts_at=soon,
            ends_at=soon + timedelta(hours=3),
        ),
    )
    client = login(cast.technician)
    month = client.get(f"/diary/?month={soon:%Y-%m}").content.decode()
    week = client.get(f"/diary/week/?date={soon:%Y-%m-%d}").content.decode()
    agenda = client.get("/diary/agenda/?kind=installation").content.decode()
    for html in (month, week, agenda):
        assert "New panels in Room 4" in html
    assert "10:00 New panels in Room 4" in month
    assert "New panels" not in client.get(f"/diary/?month={soon + timedelta(days=62):%Y-%m}").content.decode()
    assert "New panels" not in client.get("/diary/agenda/?kind=meeting").content.decode()
    assert client.get("/diary/?month=nonsense").status_code == 200  # falls back to this month
    assert "New panels" not in login(cast.reporter).get(f"/diary/?month={soon:%Y-%m}").content.decode()


def test_reminders_go_once_to_the_person(cast):
    cast.school.spoc = cast.spoc
    cast.school.save()
    starts = at(2026, 12, 10, 9)
    mine = entry_save(
        by=cast.spoc,
        entry=DiaryEntry(
            school=cast.school,
            kind="training",
            title="Online safety training",
            person=cast.technician,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            remind_days_before=3,
        ),
    )
    entry_save(
        by=cast.spoc,
        entry=DiaryEntry(
            school=cast.school,
            kind="meeting",
            title="Budget meeting",
            starts_at=starts,
            ends_at=starts,
            remind_days_before=1,
        ),
    )
    assert diary_reminders_send(now=at(2026, 12, 7, 6, 59)) == 0
    assert diary_reminders_send(now=at(2026, 12, 7, 7, 0)) == 1
    assert diary_reminders_send(now=at(2026, 12, 8, 9)) == 0
    assert mail.outbox[0].to == [cast.technician.email]
    assert mail.outbox[0].subject == "Reminder: Online safety training on 10/12/2026"
    assert diary_reminders_send(now=at(2026, 12, 9, 8)) == 1
    assert mail.outbox[1].to == [cast.spoc.email]  # nobody named: the school's SPOC
    diary_reminders_task()
    assert len(mail.outbox) == 2
    # moving the date reminds again
    mine.starts_at, mine.ends_at = at(2026, 12, 17, 9), at(2026, 12, 17, 11)
    entry_save(by=cast.spoc, entry=mine)
    assert diary_reminders_send(now=at(2026, 12, 14, 7)) == 1


def test_generated_entries_and_visits_with_work_cannot_be_deleted(cast):
    entry = entry_save(
        by=cast.spoc,
        entry=DiaryEntry(
            school=cast.school,
            kind="visit",
            title="Visit",
            person=cast.technician,
            starts_at=at(2026, 12, 1, 9),
            ends_at=at(2026, 12, 1, 12),
        ),
    )
    entry.calls_worked.add(IncidentFactory(school=cast.school, by=cast.reporter))
    with pytest.raises(ValidationError, match="stays in the diary"):
        entry_delete(entry=entry, by=cast.spoc)
