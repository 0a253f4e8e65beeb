"""The restricted lane as people meet it: a teacher reports a data breach in plain words, the DPO holds it with the
72-hour clock and records it, the breach log exports it, the desk sees only that it exists; every email of a
breach's and a concern's life carries a link and a reference, never what was written."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schooldesk.accounts.models import Membership
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.models import OutboundMessage
from schooldesk.safeguarding import services
from schooldesk.safeguarding.models import Breach, Concern

pytestmark = pytest.mark.django_db

SUMMARY = "I emailed a class list to the wrong parent"
DETAILS = "Year 4 list with allergy notes went to Mrs Quarrington-Lee"


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def dsl(cast):
    Membership.objects.create(user=cast.dpo, school=cast.school, role="dsl")  # as the migration leaves holders
    return cast.dpo


def form_on(client, url, having):
    html = client.get(url).content.decode()
    (form,) = [f for f in forms_in(html, url) if f.method == "post" and any(c.name == having for c in f.controls)]
    return form


def report(client, lane, summary=SUMMARY, description=DETAILS):
    form = form_on(client, "/incidents/new/", "summary")
    data, _touched = filled(form, None)
    data.update(summary=summary, restricted_lane=lane, description=description)
    response = client.post("/incidents/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Incident.objects.get(summary=summary)


def test_the_report_form_offers_both_lanes_in_plain_words(cast, client):
    client.force_login(cast.reporter)
    page = client.get("/incidents/new/").content.decode()
    assert "I think personal data has been lost or seen by the wrong person" in page
    assert "I am worried about something a pupil could reach or did online" in page


def test_a_teacher_reports_a_breach_and_only_the_dpo_holds_it(cast, client):
    client.force_login(cast.reporter)
    call = report(client, "breach")
    assert call.is_restricted and Breach.objects.get(incident=call).aware_at == call.logged_at
    client.force_login(cast.dpo)
    home = client.get("/").content.decode()
    assert "72 hours to tell the ICO" in home and call.reference in home and "71 hours left" in home
    client.force_login(cast.spoc)
    for url in ("/incidents/triage/", f"/incidents/{call.pk}/", "/incidents/", "/"):
        page = client.get(url).content.decode()
        assert SUMMARY not in page and "Year 4 list" not in page, url
    triage = client.get("/incidents/triage/").content.decode()
    assert f"Restricted call {call.reference} held by the DPO" in triage
    stub = client.get(f"/incidents/{call.pk}/")
    assert stub.status_code == 200 and f"Restricted call {call.reference} held by the DPO" in stub.content.decode()
    client.force_login(cast.technician)  # not the desk: nothing at all
    assert client.get(f"/incidents/{call.pk}/").status_code == 404


def test_the_dpo_records_the_breach_as_notifiable_and_the_log_exports_it(cast, client):
    client.force_login(cast.reporter)
    call = report(client, "breach")
    breach = call.breach
    client.force_login(cast.dpo)
    url = f"/safeguarding/breaches/{breach.pk}/"
    data, _touched = filled(form_on(client, url, "notifiable"), None)
    data.update(
        notifiable="yes",
        notifiable_reason="Children's health data; likely distress",
        ico_reference="IC-123456-A1B2",
        people_affected="28",
        involves_children="on",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    breach.refresh_from_db()
    assert breach.notifiable == "yes" and breach.decided_by == cast.dpo and breach.ico_told_at is not None
    page = client.get(url).content.decode()
    assert "The ICO was told on" in page and "IC-123456-A1B2" in page
    assert "72 hours to tell the ICO" not in client.get("/").content.decode()  # the clock has stopped
    csv = client.get("/safeguarding/breaches/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode()
    assert call.reference in body and "IC-123456-A1B2" in body and "Yes: report it to the ICO" in body
    xlsx = client.get("/safeguarding/breaches/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_decision_without_a_reason_is_refused_and_keeps_what_was_typed(cast, client):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary=SUMMARY)
    breach = services.restricted_lane_open(incident=call, lane="breach", by=cast.reporter)
    client.force_login(cast.dpo)
    url = f"/safeguarding/breaches/{breach.pk}/"
    data, _touched = filled(form_on(client, url, "notifiable"), None)
    data.update(notifiable="no", notifiable_reason="", containment="Parent deleted the email")
    response = client.post(url, data)
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert "Parent deleted the email" in response.content.decode()
    assert Breach.objects.get(pk=breach.pk).notifiable == ""


def test_other_roles_cannot_open_the_breach_log_or_a_record(cast, client, dsl):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary=SUMMARY)
    breach = services.restricted_lane_open(incident=call, lane="breach", by=cast.reporter)
    for user in (cast.reporter, cast.spoc, cast.technician, cast.viewer, cast.provider):
        client.force_login(user)
        assert client.get("/safeguarding/breaches/").status_code in (403, 404), user
        assert client.get(f"/safeguarding/breaches/{breach.pk}/").status_code in (403, 404), user
        assert client.get("/safeguarding/breaches/?format=csv").status_code in (403, 404), user


def test_the_desk_puts_a_call_into_the_dsl_lane_while_triaging(cast, client, dsl):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Pupil found a proxy site")
    client.force_login(cast.spoc)
    url = f"/incidents/{call.pk}/"
    form = form_on(client, url, "restricted_lane")
    data, _touched = filled(form, None)
    data["restricted_lane"] = "safeguarding"
    response = client.post(form.action, data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.is_restricted and Concern.objects.filter(incident=call).exists()
    page = client.get(url).content.decode()
    assert "held by the DSL" in page and "proxy site" not in page


def test_the_dsl_records_actions_and_the_outcome(cast, client, dsl):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Pupil reached a chat site")
    concern = services.restricted_lane_open(incident=call, lane="safeguarding", by=cast.reporter)
    client.force_login(dsl)
    url = f"/safeguarding/concerns/{concern.pk}/"
    assert "Pupil reached a chat site" in client.get(url).content.decode()
    form = form_on(client, url, "text")
    data, _touched = filled(form, None)
    data["text"] = "Spoke to the pupil and parents"
    assert client.post(form.action, data).status_code == 302
    form = form_on(client, url, "outcome")
    data, _touched = filled(form, None)
    data["outcome"] = "Site blocked for pupils; no further action"
    assert client.post(form.action, data).status_code == 302
    page = client.get(url).content.decode()
    assert "Spoke to the pupil and parents" in page and "Site blocked for pupils" in page


def test_the_dpo_is_reminded_at_24_and_48_hours_once_each(cast):
    call = IncidentFactory(school=cast.school, by=cast.reporter, summary=SUMMARY)
    breach = services.restricted_lane_open(incident=call, lane="breach", by=cast.reporter)
    mine = OutboundMessage.objects.filter(to_address=cast.dpo.email, dedupe_key__startswith="breach-")
    assert services.breach_reminders_send(now=breach.aware_at + timedelta(hours=23)) == 0
    assert services.breach_reminders_send(now=breach.aware_at + timedelta(hours=24, minutes=5)) == 1
    assert services.breach_reminders_send(now=breach.aware_at + timedelta(hours=30)) == 1  # the same one, kept once
    assert mine.count() == 1
    services.breach_reminders_send(now=breach.aware_at + timedelta(hours=49))
    assert sorted(mine.values_list("dedupe_key", flat=True)) == [f"breach-{breach.pk}-24h", f"breach-{breach.pk}-48h"]
    services.breach_record(
        breach=breach, by=cast.dpo, version=breach.version, notifiable="no", notifiable_reason="Encrypted; no risk"
    )
    breach.aware_at -= timedelta(days=30)  # a decided breach is never reminded again
    Breach.objects.filter(pk=breach.pk).update(aware_at=breach.aware_at)
    before = OutboundMessage.objects.count()
    services.breach_reminders_send(now=timezone.now())
    assert OutboundMessage.objects.count() == before


def test_no_email_in_the_life_of_a_breach_or_a_concern_carries_its_content(cast, client, dsl, mailoutbox, after_commit):
    client.force_login(cast.reporter)
    with after_commit():
        breach_call = report(client, "breach")
    with after_commit():
        concern_call = report(
            client,
            "safeguarding",
            summary="Pupil reached a self-harm forum",
            description="Seen on a Year 9 Chromebook in the library at lunch",
        )
    breach, concern = breach_call.breach, concern_call.concern
    with after_commit():
        services.breach_reminders_send(now=breach.aware_at + timedelta(hours=49))
    with after_commit():
        services.breach_record(
            breach=breach,
            by=cast.dpo,
            version=breach.version,
            notifiable="yes",
            notifiable_reason="Health data of children",
            ico_reference="IC-99",
        )
    with after_commit():
        services.concern_action_add(concern=concern, by=dsl, text="Parents called; forum blocked")
    with after_commit():
        services.concern_close(concern=concern, by=dsl, outcome="Referred to early help")
    with after_commit():
        from schooldesk.incidents.services import incident_reply

        incident_reply(
            incident=breach_call, by=cast.owner, body="We have asked the parent to delete it", is_public=True
        )
    texts = [
        f"{m.subject}\n{m.body}\n" + "".join(str(a[0]) for a in getattr(m, "alternatives", [])) for m in mailoutbox
    ]
    assert len(texts) >= 4, [m.subject for m in mailoutbox]
    assert {cast.dpo.email} <= {m.to[0] for m in mailoutbox}
    secrets = [
        SUMMARY,
        "Year 4 list",
        "Quarrington",
        "self-harm",
        "Year 9 Chromebook",
        "Health data",
        "IC-99",
        "Parents called",
        "early help",
        "delete it",
    ]
    leaks = [(m.subject, s) for m, t in zip(mailoutbox, texts, strict=True) for s in secrets if s in t]
    assert not leaks, leaks
    for message, text in zip(mailoutbox, texts, strict=True):
        assert "/incidents/" in text, message.subject  # a link only


def test_the_breach_log_query_count_is_fixed(cast, client):
    def grow(n):
        for i in range(n):
            call = IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Breach {i}")
            services.restricted_lane_open(incident=call, lane="breach", by=cast.reporter)

    client.force_login(cast.dpo)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    grow(2)
    small = [count(u) for u in ("/safeguarding/breaches/", "/safeguarding/breaches/?format=csv", "/")]
    grow(20)
    assert [count(u) for u in ("/safeguarding/breaches/", "/safeguarding/breaches/?format=csv", "/")] == small


def test_existing_dpo_dsl_holders_become_both(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("schooldesk.safeguarding.migrations.0002_dpo_holders_are_also_dsl")
    Membership.objects.filter(role="dsl").delete()
    migration.grant(apps, None)
    migration.grant(apps, None)  # twice changes nothing
    assert list(Membership.objects.filter(role="dsl").values_list("user_id", flat=True)) == [cast.dpo.pk]


def test_a_breach_call_is_the_dpos_and_a_concern_call_the_dsls(cast, client):
    from schooldesk.accounts.tests.factories import UserFactory

    only_dsl = UserFactory(username="oak-dsl-only")
    Membership.objects.create(user=only_dsl, school=cast.school, role="dsl")
    breach_call = IncidentFactory(school=cast.school, by=cast.reporter, summary="List to the wrong parent")
    services.restricted_lane_open(incident=breach_call, lane="breach", by=cast.reporter)
    concern_call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Pupil on a chat site")
    services.restricted_lane_open(incident=concern_call, lane="safeguarding", by=cast.reporter)
    seen = {
        user: set(Incident.objects.visible_to(user).values_list("summary", flat=True))
        for user in (cast.dpo, only_dsl, cast.owner)
    }
    assert seen[cast.dpo] == {"List to the wrong parent"}
    assert seen[only_dsl] == {"Pupil on a chat site"}
    assert seen[cast.owner] >= {"List to the wrong parent", "Pupil on a chat site"}
    Membership.objects.create(user=cast.dpo, school=cast.school, role="dsl")
    cast.dpo.__dict__.pop("_schooldesk_access", None)
    assert set(Incident.objects.visible_to(cast.dpo).values_list("summary", flat=True)) == {
        "List to the wrong parent",
        "Pupil on a chat site",
    }


def test_the_breach_log_keeps_every_breach_notifiable_or_not_with_every_field(cast, client):
    import csv as csv_module
    import io

    kept = IncidentFactory(school=cast.school, by=cast.reporter, summary="Encrypted laptop left on a train")
    not_notifiable = services.restricted_lane_open(incident=kept, lane="breach", by=cast.reporter)
    services.breach_record(
        breach=not_notifiable,
        by=cast.dpo,
        version=not_notifiable.version,
        data_involved="Staff payroll numbers",
        people_affected=12,
        is_special_category=True,
        consequences="None likely: the disk is encrypted",
        containment="Laptop wiped remotely",
        notifiable="no",
        notifiable_reason="Encrypted; no likely risk to anyone",
        people_told="not_needed",
    )
    undecided_call = IncidentFactory(school=cast.school, by=cast.reporter, summary="Register seen by a visitor")
    services.restricted_lane_open(incident=undecided_call, lane="breach", by=cast.reporter)
    client.force_login(cast.dpo)
    rows = list(
        csv_module.reader(io.StringIO(client.get("/safeguarding/breaches/?format=csv").content.decode("utf-8-sig")))
    )
    by_call = {row[0]: row for row in rows[1:]}
    assert set(by_call) == {kept.reference, undecided_call.reference}
    row = dict(zip(rows[0], by_call[kept.reference], strict=True))
    assert row["What data"] == "Staff payroll numbers" and row["How many people"] == "12"
    assert row["Special category"] == "yes" and row["Children"] == "no"
    assert row["Likely consequences"].startswith("None likely") and row["Containment"] == "Laptop wiped remotely"
    assert row["Notifiable"] == "No: record it in the breach log only"
    assert row["Reason"] == "Encrypted; no likely risk to anyone" and row["Decided by"]
    assert row["People affected told"] == "Not needed (no high risk to them)" and row["ICO reference"] == ""
    assert dict(zip(rows[0], by_call[undecided_call.reference], strict=True))["Notifiable"] == "Not decided yet"
    page = client.get("/safeguarding/breaches/").content.decode()
    assert kept.reference in page and undecided_call.reference in page
