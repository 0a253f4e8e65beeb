"""Procedures written through the API: proposals (`procedure_create`, `procedure_propose` with If-Match) through the
proposal page's form, and the ICT owner's decision (`procedure_decide`); a read-only token refused, another school's
procedures 404 (docs/decisions/0025)."""

import pytest

from schooldesk.core.tests.test_api import token_client
from schooldesk.procedures.models import Procedure

pytestmark = pytest.mark.django_db


def test_the_desk_proposes_a_procedure_and_a_change_and_the_owner_decides(cast, other):
    api = token_client(cast.spoc)
    made = api.post("/api/v1/procedures/", {"title": "Logging a call", "body": "1. Ring the desk."}, format="json")
    assert made.status_code == 201, made.content
    procedure = made.json()
    assert procedure["has_proposal"] and procedure["current_version"] is None
    url = f"/api/v1/procedures/{procedure['id']}/"
    assert api.post(url + "decide/", {"decision": "authorise"}, format="json").status_code == 403  # the owner's
    owner = token_client(cast.owner)
    authorised = owner.post(url + "decide/", {"decision": "authorise"}, format="json", HTTP_IF_MATCH=made["ETag"])
    assert authorised.status_code == 200, authorised.content
    assert authorised.json()["current_version"]["body"] == "1. Ring the desk." and not authorised.json()["has_proposal"]

    change = {"body": "1. Ring the desk.\n2. Or email it.", "note": "Email too"}
    stale = api.post(url + "propose/", change, format="json", HTTP_IF_MATCH=made["ETag"])
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    proposed = api.post(url + "propose/", change, format="json", HTTP_IF_MATCH=authorised["ETag"])
    assert proposed.status_code == 201, proposed.content
    assert proposed.json()["status"] == "proposed" and proposed.json()["title"] == "Logging a call"
    unchanged = api.post(url + "propose/", {"note": "Nothing"}, format="json")
    assert unchanged.status_code == 400, unchanged.content
    turned_down = owner.post(url + "decide/", {"decision": "reject"}, format="json")
    assert turned_down.status_code == 400 and "reason" in turned_down.json()["error"]["fields"]
    rejected = owner.post(url + "decide/", {"decision": "reject", "reason": "Email is not watched"}, format="json")
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["current_version"]["body"] == "1. Ring the desk."
    assert owner.post(url + "decide/", {"decision": "authorise"}, format="json").status_code == 404  # none waiting

    elm = token_client(other.spoc)
    assert elm.post(url + "propose/", change, format="json").status_code == 404
    assert token_client(other.owner).post(url + "decide/", {"decision": "authorise"}, format="json").status_code == 404
    read_only = token_client(cast.spoc, "read")
    assert read_only.post(url + "propose/", change, format="json").status_code == 403
    assert read_only.post("/api/v1/procedures/", {"title": "x", "body": "y"}, format="json").status_code == 403
    assert (
        token_client(cast.reporter).post("/api/v1/procedures/", {"title": "x", "body": "y"}, format="json").status_code
        == 403
    )
    assert Procedure.objects.filter(school=cast.school).count() == 1
