"""Problems and known errors written through the API: the problem page's forms and services (`problem_create`,
`problem_update`, `problem_incidents_link`, `problem_known_error`), with If-Match; a read-only token refused,
another school's problems 404 (docs/decisions/0025)."""

import pytest

from schooldesk.core.tests.test_api import token_client
from schooldesk.problems.models import Problem

from .factories import repeat_calls

pytestmark = pytest.mark.django_db


def test_the_desk_raises_a_problem_changes_it_links_calls_and_records_a_known_error(cast, other):
    calls = repeat_calls(cast, n=2)
    api = token_client(cast.spoc)
    made = api.post(
        "/api/v1/problems/",
        {"title": "Wi-Fi drops in the hall", "priority": "P2", "symptoms": "Laptops lose the network at 10:00"},
        format="json",
    )
    assert made.status_code == 201, made.content
    problem = made.json()
    assert problem["school"] == cast.school.pk and problem["reference"].startswith("PRB-")
    assert problem["status"] and problem["raised_by"] == cast.spoc.pk
    url = f"/api/v1/problems/{problem['id']}/"
    assert api.patch(url, {"root_cause": "x"}, format="json", HTTP_IF_MATCH='"v0"').status_code == 412
    changed = api.patch(
        url, {"root_cause": "The access point reboots on a schedule"}, format="json", HTTP_IF_MATCH=made["ETag"]
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["root_cause"] == "The access point reboots on a schedule"
    assert changed.json()["title"] == "Wi-Fi drops in the hall" and changed["ETag"] != made["ETag"]
    blank = api.patch(url, {"title": ""}, format="json")
    assert blank.status_code == 400 and "title" in blank.json()["error"]["fields"]

    linked = api.post(
        url + "link/",
        {"references": ", ".join(c.reference for c in calls)},
        format="json",
        HTTP_IF_MATCH=changed["ETag"],
    )
    assert linked.status_code == 200, linked.content
    assert linked.json()["call_count"] == 2
    unknown = api.post(url + "link/", {"references": "INC-999999"}, format="json")
    assert unknown.status_code == 400 and "INC-999999" in unknown.json()["error"]["message"]
    assert (
        api.post(
            url + "known-error/",
            {"workaround": "Reconnect", "audience": "desk"},
            format="json",
            HTTP_IF_MATCH=made["ETag"],
        ).status_code
        == 412
    )
    known = api.post(
        url + "known-error/",
        {"workaround": "Reconnect to the Wi-Fi", "audience": "desk"},
        format="json",
        HTTP_IF_MATCH=linked["ETag"],
    )
    assert known.status_code == 200, known.content
    assert known.json()["known_error_at"] and known.json()["workaround"] == "Reconnect to the Wi-Fi"
    listed = api.get("/api/v1/known-errors/").json()["results"]
    assert [row["id"] for row in listed] == [problem["id"]]

    elm = token_client(other.spoc)
    assert elm.patch(url, {"title": "Mine"}, format="json").status_code == 404
    assert elm.post(url + "link/", {"references": calls[0].reference}, format="json").status_code == 404
    assert elm.post(url + "known-error/", {"workaround": "x", "audience": "desk"}, format="json").status_code == 404
    refused = token_client(cast.spoc, "read").patch(url, {"title": "Read"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert token_client(cast.reporter).post("/api/v1/problems/", {"title": "x"}, format="json").status_code == 403
    assert Problem.objects.get(pk=problem["id"]).title == "Wi-Fi drops in the hall"
