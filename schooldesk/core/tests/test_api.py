"""The API as an LA's script meets it: a token, the documented endpoints, nothing else (docs/decisions/0025)."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from schooldesk.accounts.services import api_token_create
from schooldesk.assets.models import AssetType
from schooldesk.core.tests.test_tenancy import oak_world  # noqa: F401 - the fixture: one of everything in school A

pytestmark = pytest.mark.django_db


def token_client(user, scope="write") -> APIClient:
    _api_token, token = api_token_create(user=user, name="script", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_script_with_a_token_runs_the_desk_and_another_schools_token_gets_404s(cast, other):
    api = token_client(cast.spoc)
    calls_before = api.get("/api/v1/reports/service/").json()["figures"]["reactive"]["totals"]["now"]["calls"]
    kind = AssetType.objects.filter(school=cast.school).first() or AssetType.objects.create(
        school=cast.school, name="Switch"
    )
    room = api.post("/api/v1/locations/", {"school": cast.school.pk, "name": "Comms cupboard 2"}, format="json")
    assert room.status_code == 201, room.content
    room = room.json()
    asset = api.post(
        "/api/v1/assets/",
        {"school": cast.school.pk, "tag": "SW-0042", "asset_type": kind.pk, "make": "Netgear", "location": room["id"]},
        format="json",
    )
    assert asset.status_code == 201, asset.content
    asset = asset.json()
    assert asset["location"] == room["id"] and asset["reference"]
    call = api.post(
        "/api/v1/incidents/",
        {"summary": "Switch SW-0042 is down", "location": room["id"], "asset": asset["id"]},
        format="json",
    )
    assert call.status_code == 201, call.content
    call = call.json()
    detail = api.get(f"/api/v1/incidents/{call['id']}/")
    etag = detail["ETag"]
    stale = api.post(
        f"/api/v1/incidents/{call['id']}/escalate/",
        {"supplier": cast.supplier.pk},
        format="json",
        HTTP_IF_MATCH='"v999"',
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    escalated = api.post(
        f"/api/v1/incidents/{call['id']}/escalate/",
        {"supplier": cast.supplier.pk, "reference": "NET-77"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert escalated.status_code == 200, escalated.content
    assert escalated.json()["supplier_reference"] == "NET-77" and escalated.json()["support_level"] == "second"
    assert escalated["ETag"] != etag
    timeline = api.get(f"/api/v1/incidents/{call['id']}/timeline/").json()
    assert any(update["field"] == "escalated_to" for update in timeline)
    report = api.get("/api/v1/reports/service/")
    assert report.status_code == 200, report.content
    assert report.json()["periods"][0]["tag"] == "now"
    assert report.json()["figures"]["reactive"]["totals"]["now"]["calls"] == calls_before + 1, "the call is counted"

    elm = token_client(other.spoc)
    for url in (
        f"/api/v1/locations/{room['id']}/",
        f"/api/v1/assets/{asset['id']}/",
        f"/api/v1/incidents/{call['id']}/",
        f"/api/v1/incidents/{call['id']}/timeline/",
    ):
        answer = elm.get(url)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", url
    assert (
        elm.post(
            f"/api/v1/incidents/{call['id']}/escalate/", {"supplier": other.supplier.pk}, format="json"
        ).status_code
        == 404
    )
    assert call["id"] not in [row["id"] for row in elm.get("/api/v1/incidents/").json()["results"]]
    assert elm.patch(f"/api/v1/locations/{room['id']}/", {"name": "Mine"}, format="json").status_code == 404
    theirs = elm.get("/api/v1/reports/service/").json()  # their own school's figures, never school A's
    assert [school["id"] for school in theirs["schools"]] == [other.school.pk]
    asked = elm.get("/api/v1/reports/service/", {"school": cast.school.pk})  # not a choice: Elm's own, as the page
    assert [school["id"] for school in asked.json()["schools"]] == [other.school.pk]
    assert cast.school.name not in asked.content.decode()


def test_errors_have_one_shape_and_a_read_only_token_cannot_write(cast):
    api = token_client(cast.spoc)
    bad = api.post("/api/v1/locations/", {"school": cast.school.pk, "name": ""}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"error"} and bad.json()["error"]["code"] == "invalid"
    assert "name" in bad.json()["error"]["fields"]
    teacher = token_client(cast.reporter)
    refused = teacher.post("/api/v1/locations/", {"school": cast.school.pk, "name": "Den"}, format="json")
    assert refused.status_code in (400, 403) and set(refused.json()) == {"error"}
    read_only = token_client(cast.spoc, "read")
    assert (
        read_only.post("/api/v1/locations/", {"school": cast.school.pk, "name": "Den"}, format="json").json()["error"][
            "code"
        ]
        == "permission_denied"
    )


def test_fields_chooses_columns_and_lists_are_cursor_pages(cast):
    api = token_client(cast.spoc)
    rows = api.get("/api/v1/locations/", {"fields": "id,name", "page_size": 2}).json()
    assert set(rows) == {"next", "previous", "results"} and len(rows["results"]) == 2
    assert all(set(row) == {"id", "name"} for row in rows["results"])
    seen = [row["id"] for row in rows["results"]]
    following = api.get(rows["next"]).json()["results"]
    assert following and not set(seen) & {row["id"] for row in following}
    one = f"/api/v1/locations/{seen[0]}/"
    assert api.get(one, {"fields": "id"}).json() == {"id": seen[0]}
    assert api.get(one, {"fields": "id"})["ETag"] == api.get(one)["ETag"], "the record's ETag, whatever the columns"


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    """The schema of one answer with every $ref made local, for jsonschema (OpenAPI 3.0's `nullable` too)."""
    components = schema["components"]["schemas"]

    def walk(value):
        if isinstance(value, dict):
            if "$ref" in value:
                return walk(components[value["$ref"].rsplit("/", 1)[-1]])
            # oneOf as anyOf: without a `uri` format checker installed, "" matches both of a blank URL's choices
            out = {("anyOf" if key == "oneOf" else key): walk(item) for key, item in value.items() if key != "nullable"}
            if value.get("nullable"):
                return {"anyOf": [out, {"type": "null"}]}
            return out
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return walk(node)


def test_every_endpoints_answers_validate_against_the_published_schema(oak_world, cast):  # noqa: F811
    schema = _schema()
    world = oak_world[0]
    pks = {
        "incidents": world["incident"],
        "locations": world["location"],
        "assets": world["asset"],
        "asset-types": world["asset_type"],
        "licences": world["licence"],
        "licence-allocations": world["allocation"],
        "licence-installations": world["installation"],
        "suppliers": world["supplier"],
        "contacts": world["contact"],
        "contracts": world["contract"],
        "diary-entries": world["diary_entry"],
        "payments": world["payment"],
        "budgets": world["budget"],
        "problems": world["problem"],
        "known-errors": world["problem"],  # school A's problem is a known error (problems/tests/tenancy.py)
        "changes": world["change_request"],
        "milestones": world["change_milestone"],
        "procedures": world["procedure"],
        "people": world["person"],
        "roles": world["role"],
        "loans": world["loan"],
        "pupils": world["pupil"],
        "loan-charges": world["charge"],
    }
    api = token_client(cast.owner, "read")
    checked = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or path.endswith("/schema/"):
            continue
        name = path.removeprefix("/api/v1/").split("/")[0]
        if "{id}" in path:
            assert name in pks, f"{path}: say which of school A's records its detail answers are checked with"
            url = path.replace("{id}", str(pks[name].pk))
        else:
            url = path
        response = api.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code} {response.content[:300]}"
        body = response.json()
        answer = _resolve(schema, get["responses"]["200"]["content"]["application/json"]["schema"])
        try:
            jsonschema.validate(body, answer)
        except jsonschema.ValidationError as exc:
            pytest.fail(f"{url} does not match its schema: {exc.message} at {list(exc.absolute_path)}")
        if name != "reports" and "{id}" not in path and isinstance(body, dict) and "results" in body:
            assert body["results"], f"{url} answered no rows for school A's owner"
        checked += 1
    assert checked > 40, checked


def test_a_finance_system_schedules_a_payment_and_records_it_paid_with_if_match(cast, other):
    api = token_client(cast.spoc)
    made = api.post(
        "/api/v1/payments/",
        {
            "school": cast.school.pk,
            "supplier": cast.supplier.pk,
            "category": "hardware",
            "description": "Switch replacement",
            "kind": "one_off",
            "amount": "480.00",
            "due_on": "2026-11-30",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    url = f"/api/v1/payments/{made.json()['id']}/"
    etag = api.get(url)["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    paid = api.post(url + "paid/", {"paid_on": "2026-11-20", "reference": "PO-5521"}, format="json", HTTP_IF_MATCH=etag)
    assert paid.status_code == 200, paid.content
    assert paid.json()["paid_on"] == "2026-11-20" and paid.json()["paid_reference"] == "PO-5521"
    again = api.post(url + "paid/", {"paid_on": "2026-11-21"}, format="json", HTTP_IF_MATCH=etag)
    assert again.status_code == 412, "an If-Match read before the payment was paid is stale"
    assert token_client(other.spoc).post(url + "paid/", {"paid_on": "2026-11-21"}, format="json").status_code == 404
    teacher = token_client(cast.reporter)
    assert teacher.get(url).status_code == 404  # the payments page does not let a teacher in either


def test_every_list_endpoint_makes_the_same_number_of_queries_whatever_its_rows(oak_world, cast, other):  # noqa: F811
    """No N+1: each list is counted with school A's one of everything, then with school B's too (the owner is
    given B's owner role as well: twice the rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schooldesk.accounts.tests.factories import MembershipFactory
    from schooldesk.core.tests.test_tenancy import tenancy_modules

    api = token_client(cast.owner, "read")
    lists = [path for path in _schema()["paths"] if "{" not in path and not path.endswith(("/schema/", "/service/"))]

    def counts():
        found = {}
        nonlocal api
        for path in lists:
            with CaptureQueriesContext(connection) as queries:
                assert api.get(path).status_code == 200, path
            found[path] = len(queries)
        return found

    for module in tenancy_modules():
        if module.SECTION != "mail":  # (no API: and its mailbox's notices would be sent twice to one address)
            module.build(other, "ELMTWO")
    before = counts()
    MembershipFactory(user=cast.owner, school=other.school, role="owner")
    api = token_client(cast.owner, "read")  # a fresh request: the roles are read once per request
    after = counts()
    grown = {path: (before[path], after[path]) for path in lists if after[path] != before[path]}
    assert not grown, f"queries grew with the rows (before, after): {grown}"


def test_the_schema_describes_every_endpoint_without_a_warning(tmp_path):
    """drf-spectacular could read every viewset (a viewset it cannot read is left out of the docs, with a
    warning); `--fail-on-warn` turns each into a failure."""
    from django.core.management import call_command

    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"), "--fail-on-warn")
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/payments/{id}/paid/", "/api/v1/reports/service/", "/api/v1/people/", "Error:"):
        assert path in text, path


def test_an_inventory_tool_records_installations_and_the_licence_counts_follow(cast, other):
    from schooldesk.assets.tests.factories import AssetFactory
    from schooldesk.licences.tests.factories import LicenceFactory

    licence = LicenceFactory(school=cast.school, product="Maths Whizz", quantity=1)
    first, second = AssetFactory(school=cast.school, tag="PC-1"), AssetFactory(school=cast.school, tag="PC-2")
    api = token_client(cast.technician)
    for device in (first, second):
        made = api.post(
            "/api/v1/licence-installations/",
            {"licence": licence.pk, "asset": device.pk, "version": "4.2"},
            format="json",
        )
        assert made.status_code == 201, made.content
    twice = api.post("/api/v1/licence-installations/", {"licence": licence.pk, "asset": first.pk}, format="json")
    assert twice.status_code == 400 and "asset" in twice.json()["error"]["fields"]
    answer = api.get(f"/api/v1/licences/{licence.pk}/").json()
    assert answer["installed_count"] == 2 and answer["compliance"] == "under" and "key" not in answer
    installation = made.json()["id"]
    assert token_client(other.technician).delete(f"/api/v1/licence-installations/{installation}/").status_code == 404
    assert token_client(cast.reporter).delete(f"/api/v1/licence-installations/{installation}/").status_code == 404
    assert api.delete(f"/api/v1/licence-installations/{installation}/").status_code == 204
    assert api.get(f"/api/v1/licences/{licence.pk}/").json()["installed_count"] == 1


def test_actions_on_a_record_are_not_counted_as_creating(cast, settings):
    """The create limit (SCHOOLDESK_CREATE_RATE) counts new records, as on the web: a desk replying to twelve calls
    in a minute through the API is not refused, while a twelfth new record is."""
    from schooldesk.incidents.tests.factories import IncidentFactory

    settings.SCHOOLDESK_CREATE_RATE = "10/min"
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer jam")
    api = token_client(cast.spoc)
    for n in range(12):
        answer = api.post(f"/api/v1/incidents/{call.pk}/reply/", {"body": f"Update {n}"}, format="json")
        assert answer.status_code == 201, (n, answer.content)
    made = [
        api.post("/api/v1/locations/", {"school": cast.school.pk, "name": f"Room {n}"}, format="json").status_code
        for n in range(11)
    ]
    assert made == [201] * 10 + [429]


@pytest.mark.django_db(transaction=True)
def test_the_same_script_over_http_against_a_live_server(cast, other, live_server):
    """The LA's monitoring script as it runs: plain HTTP (urllib), a token, nothing but the documented API."""
    import json
    import urllib.error
    import urllib.request

    def call(token, method, path, body=None, headers=None):
        request = urllib.request.Request(
            live_server.url + path,
            method=method,  # noqa: S310 - http to the test server
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read() or b"null"), answer.headers
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"null"), refused.headers

    _t, token = api_token_create(user=cast.spoc, name="monitoring", scope="write")
    _t, elm = api_token_create(user=other.spoc, name="monitoring", scope="write")
    AssetType.objects.get_or_create(school=cast.school, name="Switch")
    status, types, _h = call(token, "GET", "/api/v1/asset-types/?fields=id,name")
    assert status == 200 and types["results"]
    status, room, _h = call(token, "POST", "/api/v1/locations/", {"school": cast.school.pk, "name": "Comms room 3"})
    assert status == 201, room
    status, switch, _h = call(
        token,
        "POST",
        "/api/v1/assets/",
        {"school": cast.school.pk, "tag": "SW-9", "asset_type": types["results"][0]["id"], "location": room["id"]},
    )
    assert status == 201, switch
    status, ticket, _h = call(
        token,
        "POST",
        "/api/v1/incidents/",
        {"summary": "SW-9 is not answering pings", "location": room["id"], "asset": switch["id"]},
    )
    assert status == 201, ticket
    status, _body, headers = call(token, "GET", f"/api/v1/incidents/{ticket['id']}/")
    status, escalated, _h = call(
        token,
        "POST",
        f"/api/v1/incidents/{ticket['id']}/escalate/",
        {"supplier": cast.supplier.pk, "reference": "NOC-1"},
        {"If-Match": headers["ETag"]},
    )
    assert status == 200 and escalated["support_level"] == "second", escalated
    status, report, _h = call(token, "GET", "/api/v1/reports/service/")
    assert status == 200 and "reactive" in report["figures"]
    for path in (
        f"/api/v1/locations/{room['id']}/",
        f"/api/v1/assets/{switch['id']}/",
        f"/api/v1/incidents/{ticket['id']}/",
    ):
        status, body, _h = call(elm, "GET", path)
        assert status == 404 and body["error"]["code"] == "not_found", path
    status, body, _h = call(elm, "POST", f"/api/v1/incidents/{ticket['id']}/escalate/", {"supplier": other.supplier.pk})
    assert status == 404


def test_the_browsable_api_shows_another_schools_person_nothing_of_school_a(oak_world, other, client):  # noqa: F811
    """The API's addresses as a browser asks for them (text/html: REST framework's browsable pages, with their filter
    and create forms, whose choices are drawn from a queryset) show another school's people none of school A's
    records: the tenancy walk reads the JSON answers; this reads the pages."""
    from schooldesk.core.tests.test_tenancy import API_PREFIX, SECRET, fill, routes

    walked = [route for route in routes(()) if route.startswith(API_PREFIX)]
    assert len(walked) > 40, walked
    for user in (other.spoc, other.owner, other.technician):
        client.force_login(user)
        for route in walked:
            url = fill(route, oak_world)
            response = client.get(url, HTTP_ACCEPT="text/html")
            assert response.status_code < 500, f"{url}: {response.status_code}"
            assert SECRET.encode() not in response.content, f"{user.username} saw school A's data at {url} (html)"
