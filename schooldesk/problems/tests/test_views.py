"""The problem pages: forms keep what was typed, the htmx known-error fragment, the candidates page,
the report with its CSV, who may open what, and a fixed number of queries whatever the number of rows."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from schooldesk.core.tests.pages import count_queries
from schooldesk.incidents.choices import IncidentStatus, UpdateKind
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.problems.models import Problem, ProblemSettings
from schooldesk.problems.services import problem_note_add, problem_resolve
from schooldesk.problems.tests.factories import ProblemFactory, known_error, repeat_calls

pytestmark = pytest.mark.django_db


def test_raising_a_problem_from_a_call_links_it(cast, login):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector flickers")
    client = login(cast.technician)
    page = client.get(f"/problems/new/?incident={call.pk}")
    assert page.status_code == 200 and b"Projector flickers" in page.content
    response = client.post(
        f"/problems/new/?incident={call.pk}",
        {"school": cast.school.pk, "title": "Hall projector flickers", "priority": "P3", "symptoms": "Flicker"},
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/{problem.pk}/"
    assert list(problem.incidents.all()) == [call]


def test_bad_input_is_kept_with_the_errors(cast, login):
    client = login(cast.spoc)
    response = client.post(
        "/problems/new/", {"school": cast.school.pk, "title": "", "symptoms": "It keeps dropping", "priority": "P9"}
    )
    assert response.status_code == 400
    assert b"It keeps dropping" in response.content and b"This field is required." in response.content
    assert not Problem.objects.exists()


def test_a_failed_action_re_renders_the_problem_with_what_was_typed(cast, login):
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    client = login(cast.spoc)
    response = client.post(f"/problems/{problem.pk}/close/", {"version": problem.version, "note": ""})
    assert response.status_code == 400 and b"Say why an unresolved problem is closed." in response.content
    stale = client.post(
        f"/problems/{problem.pk}/known-error/",
        {"version": problem.version + 5, "audience": "desk", "workaround": "Use the library PCs"},
    )
    assert stale.status_code == 400 and b"Someone else changed this problem" in stale.content
    assert b"Use the library PCs" in stale.content
    assert Problem.objects.get().status == "open"


def test_resolving_from_the_page_resolves_the_calls(cast, login):
    calls = repeat_calls(cast, 2)
    problem = ProblemFactory(school=cast.school, by=cast.spoc, incidents=calls)
    response = login(cast.technician).post(
        f"/problems/{problem.pk}/resolve/",
        {"version": problem.version, "resolution": "New access point", "resolve_calls": "on"},
        follow=True,
    )
    assert b"2 open calls resolved with it" in response.content
    assert set(Incident.objects.values_list("status", flat=True)) == {IncidentStatus.RESOLVED}


def test_linking_calls_by_reference(cast, login):
    calls = repeat_calls(cast, 2)
    problem = ProblemFactory(school=cast.school, by=cast.spoc)
    client = login(cast.spoc)
    bad = client.post(f"/problems/{problem.pk}/link/", {"references": "INC-999999"})
    assert bad.status_code == 400 and b"INC-999999" in bad.content
    ok = client.post(f"/problems/{problem.pk}/link/", {"references": f"{calls[0].reference}, {calls[1].reference}"})
    assert ok.status_code == 302 and problem.links.count() == 2
    unlinked = client.post(f"/problems/{problem.pk}/unlink/", {"incident": calls[0].pk}, follow=True)
    assert [str(m) for m in unlinked.context["messages"]] == ["Calls linked.", "Call unlinked."]  # and no error
    assert list(problem.incidents.all()) == [calls[1]]


def test_the_known_error_fragment_for_the_report_form_and_the_call_page(cast, login):
    room = Location.objects.filter(school=cast.school).first()
    problem = known_error(
        cast.school, title="Wi-Fi drops in the library", location=room, workaround="Use the wired PCs"
    )
    client = login(cast.spoc)
    fragment = client.get(f"/problems/known-errors/suggest/?location={room.pk}&summary=wifi", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"Use the wired PCs" in fragment.content
    assert b"<html" not in fragment.content  # only the fragment
    page = client.get(f"/problems/known-errors/suggest/?location={room.pk}")
    assert b"<html" in page.content and b"Use the wired PCs" in page.content  # and a page of its own
    call = IncidentFactory(school=cast.school, by=cast.reporter, location=room, summary="No wifi")
    on_call = client.get(f"/problems/known-errors/suggest/?incident={call.pk}", HTTP_HX_REQUEST="true")
    assert b"Give this workaround to the call" in on_call.content
    given = client.post(
        f"/problems/{problem.pk}/give-workaround/", {"incident": call.pk, "next": f"/incidents/{call.pk}/"}
    )
    assert given.status_code == 302 and given["Location"] == f"/incidents/{call.pk}/"
    assert call.updates.filter(kind=UpdateKind.REPLY, body__contains="Use the wired PCs").exists()
    again = client.get(f"/problems/known-errors/suggest/?incident={call.pk}", HTTP_HX_REQUEST="true")
    assert b"Given to this call" in again.content and problem.reference.encode() in again.content
    # the call page and the report form carry the fragment's container
    assert b'id="known-errors"' in client.get(f"/incidents/{call.pk}/").content
    assert b'id="known-errors"' in client.get("/incidents/new/?for=caller").content


def test_the_reporter_cannot_give_workarounds_or_open_problems(cast, login):
    problem = known_error(cast.school, audience="reporter")
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    client = login(cast.reporter)
    assert client.get(f"/problems/{problem.pk}/").status_code == 403
    assert client.post(f"/problems/{problem.pk}/give-workaround/", {"incident": call.pk}).status_code == 403
    fragment = client.get(f"/problems/known-errors/suggest/?incident={call.pk}", HTTP_HX_REQUEST="true")
    assert b"Give this workaround" not in fragment.content
    assert not call.updates.filter(kind=UpdateKind.REPLY).exists()


def test_a_candidate_is_raised_from_the_candidates_page(cast, login):
    room = Location.objects.filter(school=cast.school).first()
    repeat_calls(cast, 3, location=room)  # "Projector n shows no picture"
    repeat_calls(cast, 1, location=room, summary="Printer out of toner")  # something else: not bundled
    client = login(cast.technician)
    page = client.get("/problems/candidates/").content.decode()
    assert "Raise a problem from these calls" in page and f"“Projector shows picture” in {room.name}" in page
    assert "When calls count as repeats" not in page  # settings are for the desk
    [form] = re.findall(r'<form method="post" action="/problems/candidates/raise/".*?</form>', page, flags=re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    response = client.post("/problems/candidates/raise/", {**fields, "title": ""})
    problem = Problem.objects.get()
    assert response["Location"] == f"/problems/{problem.pk}/" and problem.links.count() == 3
    assert problem.title == f"Repeat calls: “Projector shows picture” in {room.name}"
    assert not problem.incidents.filter(summary="Printer out of toner").exists()


def test_the_desk_changes_the_thresholds_and_bad_values_are_kept(cast, other, login):
    client = login(cast.spoc)
    bad = client.post(
        "/problems/candidates/settings/", {"school": cast.school.pk, "candidate_calls": 1, "candidate_days": 5}
    )
    assert bad.status_code == 400 and b'value="1"' in bad.content
    assert (
        client.post(
            "/problems/candidates/settings/", {"school": other.school.pk, "candidate_calls": 4, "candidate_days": 5}
        ).status_code
        == 404
    )
    client.post("/problems/candidates/settings/", {"school": cast.school.pk, "candidate_calls": 4, "candidate_days": 6})
    assert ProblemSettings.objects.get(school=cast.school).candidate_calls == 4
    assert (
        login(cast.technician)
        .post("/problems/candidates/settings/", {"school": cast.school.pk, "candidate_calls": 9, "candidate_days": 6})
        .status_code
        == 403
    )


def test_the_problem_report_and_its_csv(cast, login):
    calls = repeat_calls(cast, 2)
    problem = ProblemFactory(school=cast.school, by=cast.spoc, incidents=calls, title="=cmd|' /C calc'!A0")
    problem_resolve(problem=problem, by=cast.spoc, version=problem.version, resolution="Fixed")
    known_error(cast.school, title="Printer jams")
    client = login(cast.viewer)  # heads and governors read reports
    page = client.get("/problems/report/")
    assert page.status_code == 200
    assert page.context["report"]["totals"]["raised"] == 2 and page.context["report"]["totals"]["resolved"] == 1
    assert page.context["report"]["totals"]["calls_per_problem"] == 1.0
    today = timezone.localdate()
    export = client.get(f"/problems/report/?start={today - timedelta(days=7)}&end={today}&format=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference" and len(rows) == 3
    resolved = next(r for r in rows if r[0] == problem.reference)
    assert resolved[2].startswith("'=") and resolved[-1] == "2"  # formula made safe; two calls
    assert rows[0][9] == "Time to resolve" and resolved[9].endswith(("minute", "minutes"))  # words, not "0.0"
    assert login(cast.technician).get("/problems/report/").status_code == 403


def grow(cast, n):
    for i in range(n):
        calls = repeat_calls(cast, 2, summary=f"Fault {i}")
        problem = known_error(cast.school, title=f"Problem {i}", incidents=calls, by=cast.spoc)
        problem_note_add(problem=problem, by=cast.technician, body=f"Note {i}")


@pytest.mark.parametrize(
    "url",
    [
        "/problems/",
        "/problems/?state=open&q=problem",
        "/problems/{pk}/",
        "/problems/candidates/",
        "/problems/known-errors/suggest/?summary=problem+fault",
        "/problems/report/",
        "/problems/new/",
    ],
)
def test_problem_pages_do_a_fixed_number_of_queries(cast, login, url):
    client = login(cast.spoc)
    grow(cast, 2)
    first = Problem.objects.order_by("pk").first()
    small = count_queries(client, url.format(pk=first.pk))
    grow(cast, 12)
    for call in repeat_calls(cast, 3):
        first.links.create(incident=call)
    client = login(cast.spoc)
    large = count_queries(client, url.format(pk=first.pk))
    assert large == small, f"{url}: {small} queries with few rows, {large} with many"
    assert large <= 25
