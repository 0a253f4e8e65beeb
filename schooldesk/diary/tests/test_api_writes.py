"""Diary entries written through the API: the diary page's form and `entry_save` / `entry_delete`, with If-Match;
a read-only token refused, another school's entries 404, an entry kept in step with a contract not changed here
(docs/decisions/0025)."""

import pytest

from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.test_api import token_client
from schooldesk.diary.models import DiaryEntry

pytestmark = pytest.mark.django_db


def test_the_desk_adds_changes_and_removes_a_diary_entry_through_the_api(cast, other):
    api = token_client(cast.spoc)
    made = api.post(
        "/api/v1/diary-entries/",
        {
            "kind": "meeting",
            "title": "Budget meeting",
            "starts_on": "2026-12-10",
            "starts_time": "15:30",
            "person": cast.owner.pk,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    entry = made.json()
    assert entry["school"] == cast.school.pk and entry["starts_at"].startswith("2026-12-10T15:30")
    assert entry["ends_at"].startswith("2026-12-10T16:30")  # an hour, as on the page
    assert AuditEntry.objects.filter(object_type="diaryentry", object_id=str(entry["id"]), action="create").exists()
    url = f"/api/v1/diary-entries/{entry['id']}/"
    assert api.patch(url, {"title": "Late"}, format="json", HTTP_IF_MATCH='"v0"').status_code == 412
    moved = api.patch(
        url, {"starts_time": "16:00", "notes": "Bring the quotes"}, format="json", HTTP_IF_MATCH=made["ETag"]
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["starts_at"].startswith("2026-12-10T16:00") and moved.json()["title"] == "Budget meeting"
    assert moved.json()["person"] == cast.owner.pk and moved["ETag"] != made["ETag"]
    wrong = api.patch(url, {"ends_on": "2026-12-01"}, format="json")
    assert wrong.status_code == 400 and "ends_on" in wrong.json()["error"]["fields"], wrong.content

    elm = token_client(other.spoc)
    assert elm.patch(url, {"title": "Mine"}, format="json").status_code == 404
    assert elm.delete(url).status_code == 404
    refused = token_client(cast.spoc, "read").patch(url, {"title": "Read"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    teacher = token_client(cast.reporter)
    assert (
        teacher.post(
            "/api/v1/diary-entries/",
            {"kind": "meeting", "title": "x", "starts_on": "2026-12-11", "starts_time": "09:00"},
            format="json",
        ).status_code
        == 403
    )
    assert api.delete(url, HTTP_IF_MATCH=made["ETag"]).status_code == 412
    assert api.delete(url, HTTP_IF_MATCH=moved["ETag"]).status_code == 204
    assert not DiaryEntry.objects.filter(pk=entry["id"]).exists()


def test_an_entry_kept_in_step_with_a_contract_is_not_changed_through_the_api(cast):
    entry = DiaryEntry.objects.create(
        school=cast.school,
        kind="renewal",
        title="Renewal",
        generated_key="c-1",
        starts_at="2027-08-31T00:00:00Z",
        ends_at="2027-08-31T00:00:00Z",
    )
    api = token_client(cast.spoc)
    assert api.patch(f"/api/v1/diary-entries/{entry.pk}/", {"title": "x"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/diary-entries/{entry.pk}/").status_code == 404
    assert DiaryEntry.objects.filter(pk=entry.pk, title="Renewal").exists()
