"""Subject access requests as the DPO of ONE school meets them: record, find the person, see what is held grouped by
kind in a fixed number of queries, exempt an item, download the pack (PDF and ZIP), answer; and erasure by
pseudonymisation after a confirmation page."""

import datetime
import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.accounts.models import User
from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.pages import forms_in, sent
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.mail.models import InboundMessage, OutboundMessage
from schooldesk.privacy.models import SubjectAccessRequest
from schooldesk.privacy.selectors import person_records
from schooldesk.privacy.services import due_on_for, sar_create, sar_subject_set
from schooldesk.privacy.tests.conftest import TEACHER_EMAIL, add_calls, add_loans

pytestmark = pytest.mark.django_db


def post_as_rendered(client, page_url, action_part, *, fill=None, button_text=None):
    """Submit the first form on the page whose action contains `action_part`, as the page renders it."""
    html = client.get(page_url).content.decode()
    form = next(
        f
        for f in forms_in(html, page_url)
        if action_part in f.action
        and f.method == "post"
        and "logout" not in f.action
        and (button_text is None or any(button_text in b.text for b in f.buttons))
    )
    data = {}
    for name, value in sent(form)[0]:
        data[name] = value
    data.update(fill or {})
    return client.post(form.action or page_url, data)


def new_request(cast, **kwargs):
    values = {
        "requested_by": "Ruth Ellis",
        "subject_name": "Ruth Ellis",
        "subject_email": TEACHER_EMAIL,
        "received_on": timezone.localdate() - datetime.timedelta(days=2),
    } | kwargs
    return sar_create(school=cast.school, by=cast.dpo, **values)


def test_due_one_calendar_month_after_receipt():
    assert due_on_for(datetime.date(2026, 9, 3)) == datetime.date(2026, 10, 3)
    assert due_on_for(datetime.date(2027, 1, 31)) == datetime.date(2027, 2, 28)


def test_the_dpo_records_a_request_from_the_page_and_tracks_it_on_the_home_page(cast, login):
    client = login(cast.dpo)
    html = client.get("/privacy/requests/new/").content.decode()
    form = next(f for f in forms_in(html, "/privacy/requests/new/") if f.method == "post" and "logout" not in f.action)
    data = dict(sent(form)[0]) | {
        "requested_by": "Ruth Ellis (teacher)",
        "subject_name": "Ruth Ellis",
        "subject_email": TEACHER_EMAIL,
        "received_on": "2026-11-20",
    }
    response = client.post("/privacy/requests/new/", data)
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and sar.due_on == datetime.date(2026, 12, 20)
    home = client.get("/").content.decode()
    assert sar.reference in home and "due 20/12/2026" in home
    assert AuditEntry.objects.filter(action="create", object_type="subjectaccessrequest").exists()


def test_a_future_receipt_date_is_refused_with_the_input_kept(cast, login):
    client = login(cast.dpo)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        "/privacy/requests/new/", {"requested_by": "A parent", "subject_name": "Kim Pupil", "received_on": tomorrow}
    )
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    assert "Kim Pupil" in response.content.decode() and not SubjectAccessRequest.objects.exists()


def test_search_finds_the_teacher_and_choosing_them_links_the_account(cast, login, teacher_world):
    sar = new_request(cast, subject_email="")
    client = login(cast.dpo)
    page = f"/privacy/requests/{sar.pk}/?q=ruth+ellis"
    html = client.get(page).content.decode()
    assert "Choose Ruth Ellis" in html
    response = post_as_rendered(client, page, "/subject/")
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.subject_user == teacher_world.teacher and sar.subject_email == TEACHER_EMAIL


def test_everything_held_about_the_teacher_grouped_by_kind_and_nobody_elses(cast, teacher_world):
    sar = sar_subject_set(request=new_request(cast), by=cast.dpo, user=teacher_world.teacher)
    records = person_records(request=sar)
    found = {kind: [i.title for i in items] for kind, items in records.groups.items()}
    assert {
        "account",
        "call",
        "update",
        "attachment",
        "email_in",
        "email_out",
        "asset",
        "loan",
        "asset_event",
        "licence",
        "audit",
    } <= {k for k, v in found.items() if v}, found
    calls = " ".join(found["call"])
    assert teacher_world.web_call.reference in calls and teacher_world.phone_call.reference in calls  # by phone too
    assert teacher_world.other_call.reference not in calls + " ".join(found["update"])
    assert found["asset"] == ["OAK-LAP-7 Dell Latitude 3440"] and found["licence"] == ["Spelling Shed"]
    assert [t.split(" (")[0] for t in found["loan"]] == ["OAK-LAP-7 Dell Latitude 3440"]  # the laptop's loan


def test_the_search_takes_the_same_number_of_queries_whatever_the_number_of_records(cast, teacher_world):
    sar = sar_subject_set(request=new_request(cast), by=cast.dpo, user=teacher_world.teacher)
    sar = SubjectAccessRequest.objects.select_related("school", "subject_user", "subject_pupil").get(pk=sar.pk)
    with CaptureQueriesContext(connection) as few:
        small = person_records(request=sar).total()
    add_calls(cast, teacher_world.teacher, 4)
    add_loans(cast, teacher_world.teacher, 3)
    with CaptureQueriesContext(connection) as many:
        large = person_records(request=sar).total()
    assert large > small + 8 + 3
    assert len(many) == len(few) == 14, [q["sql"][:80] for q in many]  # one per kind, and the exemptions


def test_an_exempt_item_is_left_out_of_the_pdf_and_the_zip(cast, login, teacher_world):
    sar = sar_subject_set(request=new_request(cast), by=cast.dpo, user=teacher_world.teacher)
    client = login(cast.dpo)
    reply = IncidentUpdate.objects.get(incident=teacher_world.web_call, kind="reply")
    page = f"/privacy/requests/{sar.pk}/"
    html = client.get(page).content.decode()
    form = next(
        f
        for f in forms_in(html, page)
        if "/exempt/" in f.action and ("object_id", str(reply.pk)) in sent(f)[0] and ("kind", "update") in sent(f)[0]
    )
    response = client.post(form.action, dict(sent(form)[0]) | {"reason": "Mostly about another pupil"})
    assert response.status_code == 302
    assert "Mostly about another pupil" in client.get(page).content.decode()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{page}pack/?format=zip").content))
    updates = json.loads(archive.read("update.json"))
    assert reply.body not in json.dumps(updates) and len(updates) == 2  # the two "logged" entries stay
    assert (
        archive.read("attachments/" + json.loads(archive.read("attachment.json"))[0]["file"].split("/", 1)[1])
        == b"\x89PNG\r\n\x1a\nCHARGER"
    )
    assert "call.csv" in archive.namelist() and "Cannot print the register" in archive.read("call.csv").decode()
    pdf = client.get(f"{page}pack/?format=pdf").content
    if pdftotext := shutil.which("pdftotext"):
        text = subprocess.run(
            [pdftotext, "-layout", "-", "-"],
            input=pdf,
            capture_output=True,  # noqa: S603
            check=True,
        ).stdout.decode()
        assert "Your data held by the ICT service desk" in text and "OAK-LAP-7" in text
        assert "spare charger" not in text
        assert re.search(r"Back on:\s+23/07/2027", text), text  # the loan's date, as a date


def test_marking_answered_records_when(cast, login):
    sar = new_request(cast)
    client = login(cast.dpo)
    response = post_as_rendered(client, f"/privacy/requests/{sar.pk}/", "/answer/")
    sar.refresh_from_db()
    assert response.status_code == 302 and sar.answered_at is not None
    assert sar.reference not in client.get("/").content.decode()  # no longer on the home page's open list


def test_pseudonymising_shows_what_will_change_then_changes_it_everywhere(
    cast, login, teacher_world, django_capture_on_commit_callbacks
):
    sar = sar_subject_set(request=new_request(cast), by=cast.dpo, user=teacher_world.teacher)
    client = login(cast.dpo)
    confirm = client.get(f"/privacy/requests/{sar.pk}/erase/").content.decode()
    assert "Person " in confirm and "Calls: 2" in confirm
    assert Incident.objects.get(pk=teacher_world.phone_call.pk).reporter_name == "Ruth Ellis"  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        response = post_as_rendered(client, f"/privacy/requests/{sar.pk}/erase/", "", button_text="Confirm")
    assert response.status_code == 302
    sar.refresh_from_db()
    pseudonym = sar.pseudonym
    assert pseudonym.startswith("Person ") and len(pseudonym) == 11
    phone = Incident.objects.get(pk=teacher_world.phone_call.pk)
    assert phone.reporter_name == pseudonym and TEACHER_EMAIL not in phone.reporter_contact
    assert Incident.objects.filter(pk=teacher_world.web_call.pk).exists()  # kept for the statistics
    assert "Ruth" not in IncidentUpdate.objects.get(incident=teacher_world.web_call, kind="reply").body
    assert InboundMessage.objects.get(pk=teacher_world.inbound.pk).from_address.endswith("@pseudonymised.invalid")
    with InboundMessage.objects.get(pk=teacher_world.inbound.pk).raw.open("rb") as raw:
        assert TEACHER_EMAIL.encode() not in raw.read()
    assert not OutboundMessage.objects.filter(to_address=TEACHER_EMAIL).exists()
    teacher = User.objects.get(pk=teacher_world.teacher.pk)
    assert not teacher.is_active and teacher.get_full_name() == pseudonym and teacher.email == ""
    assert sar.erasure_counts["call"] == 2 and sar.erasure_counts["account"] == 1
    assert AuditEntry.objects.get(action="pseudonymise").changes == sar.erasure_counts
    assert "Ruth Ellis" not in json.dumps(list(AuditEntry.objects.values_list("object_label", "summary")))


def test_the_same_person_gets_the_same_pseudonym(cast, teacher_world):
    from schooldesk.privacy.selectors import pseudonym_for

    first = sar_subject_set(request=new_request(cast), by=cast.dpo, user=teacher_world.teacher)
    second = sar_subject_set(request=new_request(cast), by=cast.dpo, user=teacher_world.teacher)
    assert pseudonym_for(request=first) == pseudonym_for(request=second)


PAGES = [
    "/privacy/",
    "/privacy/requests/new/",
    "/privacy/requests/{pk}/",
    "/privacy/requests/{pk}/erase/",
    "/privacy/requests/{pk}/pack/?format=pdf",
    "/privacy/retention/{school}/",
]


def test_only_the_dpo_and_the_ict_owner_reach_the_pages(cast, login):
    sar = new_request(cast)
    for role in ("reporter", "spoc", "technician", "provider", "owner", "viewer", "dpo"):
        client = login(getattr(cast, role))
        for page in PAGES:
            url = page.format(pk=sar.pk, school=cast.school.pk)
            status = client.get(url).status_code
            if role in ("owner", "dpo"):
                assert status == 200, f"{url} as the {role} gave {status}"
            else:
                assert status in (403, 404), f"{url} as the {role} gave {status}"


def test_the_home_page_lists_open_requests_in_a_fixed_number_of_queries(cast, login):
    client = login(cast.dpo)
    new_request(cast)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for n in range(4):
        new_request(cast, subject_name=f"Pupil {n}")
    with CaptureQueriesContext(connection) as five:
        html = client.get("/").content.decode()
    assert len(five) == len(one) and "Pupil 3" in html


def test_a_person_with_a_role_in_another_school_is_not_renamed_from_this_one(cast, other, login, teacher_world):
    from schooldesk.accounts.models import Membership

    Membership.objects.create(user=teacher_world.teacher, school=other.school, role="reporter")
    sar = sar_subject_set(request=new_request(cast), by=cast.dpo, user=teacher_world.teacher)
    client = login(cast.dpo)
    response = post_as_rendered(client, f"/privacy/requests/{sar.pk}/erase/", "", button_text="Confirm")
    assert response.status_code == 400 and "another school" in response.content.decode()
    assert User.objects.get(pk=teacher_world.teacher.pk).is_active
    assert Incident.objects.get(pk=teacher_world.phone_call.pk).reporter_name == "Ruth Ellis"  # all or nothing
