"""The change pages: the SPOC cannot authorise (the owner can), forms keep what was typed, the progress
page for one school or every school of an LA, the change report and CSV, fixed query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.assets.tests.factories import asset_type
from schooldesk.changes.choices import ChangeStatus
from schooldesk.changes.models import Approval, ChangeRequest
from schooldesk.changes.services import change_submit, milestone_add, new_asset_add
from schooldesk.changes.tests.factories import ChangeFactory, authorised_change
from schooldesk.conftest import make_cast
from schooldesk.core.tests.pages import count_queries
from schooldesk.problems.tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db


def submitted(cast, **kwargs):
    change = ChangeFactory(school=cast.school, by=cast.spoc, **kwargs)
    return change_submit(change=change, by=cast.spoc, version=change.version)


def test_the_spoc_cannot_authorise_a_change_and_is_not_offered_to(cast, login):
    change = submitted(cast)
    client = login(cast.spoc)
    assert b"Authorise or reject" not in client.get(f"/changes/{change.pk}/").content
    response = client.post(
        f"/changes/{change.pk}/decide/", {"version": change.version, "decision": "authorise", "reason": "I can do this"}
    )
    assert response.status_code == 403
    assert ChangeRequest.objects.get().status == ChangeStatus.SUBMITTED and not Approval.objects.exists()


def test_the_owner_authorises_and_the_reason_is_shown(cast, login):
    change = submitted(cast)
    client = login(cast.owner)
    assert b"Authorise or reject" in client.get(f"/changes/{change.pk}/").content
    missing = client.post(f"/changes/{change.pk}/decide/", {"version": change.version, "decision": "authorise"})
    assert missing.status_code == 400 and b"This field is required." in missing.content
    response = client.post(
        f"/changes/{change.pk}/decide/",
        {"version": change.version, "decision": "authorise", "reason": "Within the capital budget"},
        follow=True,
    )
    assert b"Decision recorded." in response.content and b"Within the capital budget" in response.content
    assert ChangeRequest.objects.get().status == ChangeStatus.AUTHORISED


def test_raising_from_a_problem_and_bad_input_kept(cast, login):
    problem = ProblemFactory(school=cast.school, by=cast.spoc, title="Slow logons")
    client = login(cast.technician)
    page = client.get(f"/changes/new/?problem={problem.pk}")
    assert b"Fix: Slow logons" in page.content
    bad = client.post(
        "/changes/new/",
        {
            "school": cast.school.pk,
            "title": "New server",
            "reason": "",
            "change_type": "normal",
            "risk": "low",
            "priority": "normal",
            "estimated_cost": "-5",
        },
    )
    assert bad.status_code == 400 and b"New server" in bad.content and not ChangeRequest.objects.exists()
    good = client.post(
        "/changes/new/",
        {
            "school": cast.school.pk,
            "title": "New server",
            "reason": "Old one dies",
            "change_type": "normal",
            "risk": "low",
            "priority": "normal",
            "problem": problem.pk,
        },
    )
    change = ChangeRequest.objects.get()
    assert good["Location"] == f"/changes/{change.pk}/" and change.problem == problem
    assert change.status == ChangeStatus.DRAFT and change.raised_by == cast.technician


def test_plan_forms_and_items_from_the_page(cast, login):
    change = ChangeFactory(school=cast.school, by=cast.spoc)
    client = login(cast.technician)
    bad = client.post(f"/changes/{change.pk}/new-asset/", {"tag": "", "asset_type": "", "make": "Dell"})
    assert bad.status_code == 400 and b'value="Dell"' in bad.content
    ok = client.post(
        f"/changes/{change.pk}/new-asset/",
        {"tag": "OAK-NEW", "make": "Dell", "asset_type": asset_type(cast.school, "Laptop").pk},
    )
    assert ok.status_code == 302 and change.new_assets.get().tag == "OAK-NEW"
    client.post(f"/changes/{change.pk}/milestone/", {"title": "Order", "due_on": timezone.localdate().isoformat()})
    milestone = change.milestones.get()
    client.post(f"/changes/{change.pk}/milestones/{milestone.pk}/done/", {"done": "1"})
    milestone.refresh_from_db()
    assert milestone.is_done
    client.post(f"/changes/{change.pk}/new-assets/{change.new_assets.get().pk}/delete/")
    assert not change.new_assets.exists()


def test_completing_from_the_page_puts_the_kit_in_the_register(cast, login):
    change = authorised_change(cast)
    new_asset_add(change=change, by=cast.spoc, tag="OAK-PAGE", asset_type=asset_type(cast.school, "Printer"))
    change.refresh_from_db()
    assert b"Complete the change" not in login(cast.technician).get(f"/changes/{change.pk}/").content
    response = login(cast.spoc).post(
        f"/changes/{change.pk}/complete/",
        {"version": change.version, "outcome": "successful", "implemented_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert b"The registers are up to date." in response.content and b"in the register" in response.content


def test_the_progress_page_for_the_owner_and_per_school_for_the_la(cast, login):
    ash = make_cast("ash", organisation=cast.school.organisation)
    today = timezone.localdate()
    mine = authorised_change(cast, title="Replace the Year 5 access point", planned_on=today + timedelta(days=4))
    milestone_add(
        change=mine,
        by=cast.spoc,
        title="Cable the cupboard",
        due_on=today - timedelta(days=2),
        assigned_to=cast.technician,
    )
    authorised_change(ash, title="New Ash server")
    ProblemFactory(
        school=cast.school,
        by=cast.spoc,
        title="Hall projector",
        due_on=today - timedelta(days=1),
        assigned_to=cast.technician,
    )
    page = login(cast.owner).get("/changes/progress/").content.decode()
    assert "Replace the Year 5 access point" in page and "Cable the cupboard" in page and "Hall projector" in page
    assert "New Ash server" not in page and escape(str(cast.technician)) in page
    assert login(cast.technician).get("/changes/progress/").status_code == 403
    la = UserFactory(username="la-owner")
    Membership.objects.create(user=la, organisation=cast.school.organisation, role="owner")
    client = login(la)
    everything = client.get("/changes/progress/").content.decode()
    assert "New Ash server" in everything and "Replace the Year 5 access point" in everything
    one = client.get(f"/changes/progress/?school={ash.school.pk}").content.decode()
    assert "New Ash server" in one and "Replace the Year 5 access point" not in one


def test_the_change_report_and_its_csv(cast, login):
    authorised_change(cast, title="@SUM(1+1)")
    rejected = submitted(cast)
    from schooldesk.changes.services import change_decide

    change_decide(change=rejected, by=cast.owner, version=rejected.version, authorise=False, reason="No")
    ChangeFactory(school=cast.school, by=cast.spoc)
    client = login(cast.viewer)
    report = client.get("/changes/report/").context["report"]
    assert {k: report["totals"][k] for k in ("raised", "authorised", "rejected", "implemented", "failed")} == {
        "raised": 3,
        "authorised": 1,
        "rejected": 1,
        "implemented": 0,
        "failed": 0,
    }
    today = timezone.localdate()
    export = client.get(f"/changes/report/?start={today - timedelta(days=3)}&end={today}&format=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "School", "Title"] and len(rows) == 4
    assert "'@SUM(1+1)" in [r[2] for r in rows]


def grow(cast, n):
    for i in range(n):
        change = authorised_change(cast, milestones=2, title=f"Change {i}", problem=ProblemFactory(school=cast.school))
        new_asset_add(
            change=change, by=cast.spoc, tag=f"OAK-G{change.pk}", asset_type=asset_type(cast.school, "Laptop")
        )


@pytest.mark.parametrize(
    "url",
    [
        "/changes/",
        "/changes/?state=open&q=change",
        "/changes/{pk}/",
        "/changes/progress/",
        "/changes/report/",
        "/changes/standard/",
        "/changes/{pk}/edit/",
    ],
)
def test_change_pages_do_a_fixed_number_of_queries(cast, login, url):
    client = login(cast.owner)
    grow(cast, 2)
    first = ChangeRequest.objects.order_by("pk").first()
    small = count_queries(client, url.format(pk=first.pk))
    grow(cast, 10)
    for n in range(4):
        milestone_add(change=first, by=cast.spoc, title=f"More {n}", due_on=timezone.localdate())
    client = login(cast.owner)
    large = count_queries(client, url.format(pk=first.pk))
    assert large == small, f"{url}: {small} queries with few rows, {large} with many"
    assert large <= 30
