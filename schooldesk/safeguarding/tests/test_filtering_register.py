"""The filtering and monitoring register: requests, the DSL's decision with its reason, the call that makes the
change, the expiry that takes it off, and the yearly review signed by the DSL and a governor."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.accounts.models import Membership
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.models import Incident
from schooldesk.safeguarding import services
from schooldesk.safeguarding.models import FilterRequest, FilterReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def dsl(cast):
    Membership.objects.create(user=cast.dpo, school=cast.school, role="dsl")
    return cast.dpo


def form_on(client, url, having):
    html = client.get(url).content.decode()
    (form,) = [f for f in forms_in(html, url) if f.method == "post" and any(c.name == having for c in f.controls)]
    return form


def ask(client, **values):
    form = form_on(client, "/safeguarding/filtering/new/", "site")
    data, _touched = filled(form, None)
    data.update(values)
    response = client.post("/safeguarding/filtering/new/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    return FilterRequest.objects.get(site=values["site"])


def test_a_dsl_approves_a_one_week_unblock_for_year_10_and_it_expires(cast, client, dsl):
    client.force_login(cast.reporter)
    request = ask(
        client,
        change="unblock",
        site="www.bbc.co.uk/bitesize",
        reason="GCSE revision videos",
        audience="year_group",
        year_group="Year 10",
        days="7",
    )
    client.force_login(dsl)
    url = f"/safeguarding/filtering/{request.pk}/"
    form = form_on(client, url, "decision")
    data, _touched = filled(form, None)
    data.update(decision="approve", reason="Curriculum need; time-limited")
    assert client.post(form.action, data).status_code == 302
    request.refresh_from_db()
    today = timezone.localdate()
    assert request.status == "approved" and request.expires_on == today + timedelta(days=7)
    call = request.incident
    assert call.kind == "request" and "Unblock www.bbc.co.uk/bitesize for Year 10" in call.summary
    assert "GCSE revision" not in call.summary + call.description  # the reason stays in the register
    register = client.get("/safeguarding/filtering/").content.decode()
    assert "Curriculum need; time-limited" in register and f"until {request.expires_on:%d/%m/%Y}" in register

    assert services.filter_expiries_run(now=timezone.now() + timedelta(days=6)) == 0
    later = timezone.now() + timedelta(days=8)
    assert services.filter_expiries_run(now=later) == 1
    assert services.filter_expiries_run(now=later) == 0  # taken once
    request.refresh_from_db()
    assert request.status == "removed" and request.removed_on == timezone.localdate(later)
    assert "Block again www.bbc.co.uk/bitesize for Year 10" in request.removal_incident.summary
    register = client.get("/safeguarding/filtering/").content.decode()
    assert f"removed on {request.removed_on:%d/%m/%Y}" in register
    client.force_login(cast.reporter)  # the teacher who asked sees the decision on their own request
    assert "Curriculum need" in client.get("/safeguarding/filtering/").content.decode()


def test_a_refusal_needs_a_reason_and_makes_no_call(cast, client, dsl):
    request = services.filter_request_create(
        school=cast.school,
        by=cast.reporter,
        change="unblock",
        site="games.example",
        reason="Wet play",
        audience="pupils",
    )
    client.force_login(dsl)
    form = form_on(client, f"/safeguarding/filtering/{request.pk}/", "decision")
    data, _touched = filled(form, None)
    data.update(decision="refuse", reason="")
    assert client.post(form.action, data).status_code == 400
    data["reason"] = "Not for learning"
    before = Incident.objects.count()
    assert client.post(form.action, data).status_code == 302
    request.refresh_from_db()
    assert request.status == "refused" and Incident.objects.count() == before


def test_only_the_dsl_or_owner_decides_and_others_see_only_their_own_requests(cast, client, dsl):
    mine = services.filter_request_create(
        school=cast.school,
        by=cast.reporter,
        change="block",
        site="a.example",
        reason="Distracting",
        audience="everyone",
    )
    theirs = services.filter_request_create(
        school=cast.school, by=cast.technician, change="block", site="b.example", reason="Malware", audience="everyone"
    )
    client.force_login(cast.reporter)
    page = client.get("/safeguarding/filtering/").content.decode()
    assert "a.example" in page and "b.example" not in page
    assert client.get(f"/safeguarding/filtering/{theirs.pk}/").status_code == 404
    assert "decision" not in client.get(f"/safeguarding/filtering/{mine.pk}/").content.decode()
    client.force_login(cast.spoc)
    assert (
        client.post(
            f"/safeguarding/filtering/{mine.pk}/decide/", {"version": 1, "decision": "approve", "reason": "x"}
        ).status_code
        == 404
    )
    assert FilterRequest.objects.get(pk=mine.pk).status == "requested"


def test_the_yearly_review_is_signed_by_the_dsl_and_a_governor_and_then_kept(cast, client, dsl):
    request = services.filter_request_create(
        school=cast.school, by=cast.reporter, change="unblock", site="c.example", reason="Art project", audience="staff"
    )
    services.filter_request_decide(request=request, by=dsl, version=request.version, approve=True, reason="Staff only")
    client.force_login(dsl)
    form = form_on(client, "/safeguarding/reviews/new/", "review_on")
    data, _touched = filled(form, None)
    data.update(review_on="2026-09-01", notes="Annual review with the governor for safeguarding")
    assert client.post("/safeguarding/reviews/new/", data).status_code == 302
    review = FilterReview.objects.get()
    assert [d["site"] for d in review.decisions] == ["c.example"]
    url = f"/safeguarding/reviews/{review.pk}/"
    (sign,) = [f for f in forms_in(client.get(url).content.decode(), url) if f.action.endswith("/sign/")]
    assert client.post(sign.action).status_code == 302
    client.force_login(cast.viewer)  # a governor
    page = client.get(url).content.decode()
    assert "c.example" in page and "Sign off this review" in page
    assert client.post(f"{url}sign/").status_code == 302
    review.refresh_from_db()
    assert review.dsl_signed_by == dsl and review.governor_signed_by == cast.viewer and review.is_signed_off
    # read-only after: later decisions do not change it, and nobody can sign again
    services.filter_request_decide(
        request=services.filter_request_create(
            school=cast.school, by=cast.reporter, change="block", site="d.example", reason="r", audience="pupils"
        ),
        by=dsl,
        version=1,
        approve=False,
        reason="No",
    )
    review.refresh_from_db()
    assert [d["site"] for d in review.decisions] == ["c.example"]
    assert "Sign off this review" not in client.get(url).content.decode()
    assert client.post(f"{url}sign/").status_code == 400


def test_the_register_query_count_is_fixed(cast, client, dsl):
    def grow(n):
        for i in range(n):
            r = services.filter_request_create(
                school=cast.school,
                by=cast.reporter,
                change="unblock",
                site=f"s{i}-{FilterRequest.objects.count()}.example",
                reason="r",
                audience="year_group",
                year_group="Year 7",
                days=3,
            )
            services.filter_request_decide(request=r, by=dsl, version=r.version, approve=True, reason="ok")
        services.filter_review_create(school=cast.school, by=dsl, review_on=datetime.date.today())

    client.force_login(dsl)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/safeguarding/filtering/").status_code == 200
        return len(ctx.captured_queries)

    grow(2)
    small = count()
    grow(20)
    assert count() == small
