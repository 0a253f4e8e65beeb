"""Requests for change and their milestones written through the API: the change page's forms and services
(`change_create`, `change_update`, `change_submit`, `change_decide`, `change_complete`, `milestone_add`,
`milestone_done`), with If-Match; a read-only token refused, another school's changes 404 (docs/decisions/0025)."""

import pytest
from django.utils import timezone

from schooldesk.changes.models import ChangeRequest, Milestone
from schooldesk.core.tests.test_api import token_client

pytestmark = pytest.mark.django_db


def test_a_change_is_raised_planned_submitted_authorised_and_completed_through_the_api(cast, other):
    api = token_client(cast.spoc)
    made = api.post(
        "/api/v1/changes/",
        {"title": "Replace the hall access point", "reason": "It drops out daily", "risk": "medium"},
        format="json",
    )
    assert made.status_code == 201, made.content
    change = made.json()
    assert change["status"] == "draft" and change["school"] == cast.school.pk and change["risk"] == "medium"
    url = f"/api/v1/changes/{change['id']}/"
    assert api.patch(url, {"backout_plan": "x"}, format="json", HTTP_IF_MATCH='"v0"').status_code == 412
    planned = api.patch(url, {"backout_plan": "Refit the old access point"}, format="json", HTTP_IF_MATCH=made["ETag"])
    assert planned.status_code == 200, planned.content
    assert planned.json()["backout_plan"] == "Refit the old access point"
    assert planned.json()["title"] == "Replace the hall access point" and planned["ETag"] != made["ETag"]

    step = api.post(
        "/api/v1/milestones/",
        {"change": change["id"], "title": "Fit the new access point", "due_on": str(timezone.localdate())},
        format="json",
    )
    assert step.status_code == 201, step.content
    assert api.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=planned["ETag"]).status_code == 412  # the plan
    submitted = api.post(url + "submit/", {}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted", submitted.content
    refused = api.post(url + "decide/", {"decision": "authorise", "reason": "Needed"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"  # the owner's
    owner = token_client(cast.owner)
    authorised = owner.post(
        url + "decide/",
        {"decision": "authorise", "reason": "Needed before the exams"},
        format="json",
        HTTP_IF_MATCH=submitted["ETag"],
    )
    assert authorised.status_code == 200 and authorised.json()["status"] == "authorised", authorised.content
    done = api.post(f"/api/v1/milestones/{step.json()['id']}/done/", {"done": True}, format="json")
    assert done.status_code == 200 and done.json()["done_at"], done.content
    current = api.get(url)["ETag"]
    completed = api.post(
        url + "complete/",
        {"outcome": "successful", "implemented_on": str(timezone.localdate())},
        format="json",
        HTTP_IF_MATCH=current,
    )
    assert completed.status_code == 200 and completed.json()["status"] == "implemented", completed.content
    assert completed.json()["outcome"] == "successful"
    finished = api.patch(url, {"title": "Late"}, format="json")
    assert finished.status_code == 409 and finished.json()["error"]["code"] == "conflict"

    elm = token_client(other.spoc)
    assert elm.patch(url, {"title": "Mine"}, format="json").status_code == 404
    assert elm.post(url + "submit/", {}, format="json").status_code == 404
    assert (
        elm.post(
            "/api/v1/milestones/", {"change": change["id"], "title": "x", "due_on": "2026-12-01"}, format="json"
        ).status_code
        == 400
    )
    assert elm.delete(f"/api/v1/milestones/{step.json()['id']}/").status_code == 404
    read_only = token_client(cast.spoc, "read")
    assert read_only.patch(url, {"title": "Read"}, format="json").status_code == 403
    assert (
        read_only.post(
            "/api/v1/milestones/", {"change": change["id"], "title": "x", "due_on": "2026-12-01"}, format="json"
        ).status_code
        == 403
    )
    assert (
        token_client(cast.reporter).post("/api/v1/changes/", {"title": "x", "reason": "y"}, format="json").status_code
        == 403
    )
    assert ChangeRequest.objects.get(pk=change["id"]).title == "Replace the hall access point"
    assert Milestone.objects.filter(change_id=change["id"]).count() == 1
