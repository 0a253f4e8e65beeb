"""Retention on a frozen clock: for each kind, a record just inside its period and one just outside; the run removes
exactly those outside, nothing else, and only once the DPO has switched the job on after seeing the preview."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from schooldesk.accounts.models import Membership, User
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.audit import audit_prune
from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.pages import forms_in, sent
from schooldesk.incidents.models import Attachment, Incident, IncidentUpdate
from schooldesk.incidents.services import incident_reply
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.choices import Purpose
from schooldesk.mail.models import InboundMessage, Mailbox, OutboundMessage
from schooldesk.mail.services import inbound_store
from schooldesk.mail.tests.factories import raw_email
from schooldesk.privacy.models import RetentionPolicy, RetentionRun
from schooldesk.privacy.services import retention_run, retention_run_all
from schooldesk.privacy.tasks import retention_task

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)  # the frozen clock every run of this module is given
HOUR = datetime.timedelta(hours=1)
PERIODS = {
    "closed_call_days": 2000,
    "restricted_call_days": 2500,
    "mail_days": 700,
    "leaver_days": 365,
    "audit_days": 400,
}


def at(days: int, inside: bool) -> datetime.datetime:
    """Just inside the period (an hour younger than it) or just outside (an hour older)."""
    return NOW - datetime.timedelta(days=days) + (HOUR if inside else -HOUR)


def closed_call(cast, summary, *, days, inside, restricted=False):
    call = IncidentFactory(
        school=cast.school,
        by=cast.reporter,
        summary=summary,
        is_restricted=restricted,
        description="Her laptop, room 4",
    )
    Incident.objects.filter(pk=call.pk).update(reporter_name="Ruth Ellis")
    incident_reply(
        incident=call,
        by=cast.spoc,
        body="Ruth, it is fixed.",
        files=[SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nA", content_type="image/png")],
    )
    Incident.objects.filter(pk=call.pk).update(status="closed", closed_at=at(days, inside))
    Attachment.objects.filter(incident=call).update(created_at=NOW)  # its own age is the mail rule's, not this
    return call


@pytest.fixture
def world(cast, other):
    w = {}
    for inside in (True, False):
        tag = "in" if inside else "out"
        w[f"call_{tag}"] = closed_call(cast, f"Closed {tag}", days=PERIODS["closed_call_days"], inside=inside)
        w[f"restricted_{tag}"] = closed_call(
            cast, f"Restricted {tag}", days=PERIODS["restricted_call_days"], inside=inside, restricted=True
        )
        open_call = IncidentFactory(
            school=cast.school,
            by=cast.reporter,
            summary=f"Open {tag}",
            files=[SimpleUploadedFile(f"{tag}.png", b"\x89PNG\r\n\x1a\nB", content_type="image/png")],
        )
        w[f"attachment_{tag}"] = open_call.attachments.get()
        Attachment.objects.filter(pk=w[f"attachment_{tag}"].pk).update(created_at=at(PERIODS["mail_days"], inside))
        mailbox = Mailbox.objects.get_or_create(
            school=cast.school, name="Oak desk", host="imap.example", address="desk@oak.example", username="desk"
        )[0]
        message, _new = inbound_store(
            mailbox=mailbox, raw=raw_email(sender=f"{tag}@oak.example", to=mailbox.address, subject=f"Mail {tag}")
        )
        InboundMessage.objects.filter(pk=message.pk).update(
            school=cast.school, created_at=at(PERIODS["mail_days"], inside)
        )
        w[f"inbound_{tag}"] = message
        sent_mail = OutboundMessage.objects.create(
            school=cast.school,
            purpose=Purpose.CALL_UPDATED,
            dedupe_key=tag,
            to_address=f"{tag}@oak.example",
            from_address="desk@oak.example",
            subject=f"Sent {tag}",
            body_text="x",
            message_id=f"<{tag}@oak>",
        )
        OutboundMessage.objects.filter(pk=sent_mail.pk).update(created_at=at(PERIODS["mail_days"], inside))
        w[f"outbound_{tag}"] = sent_mail
        leaver = UserFactory(username=f"leaver-{tag}", is_active=False)
        Membership.objects.create(user=leaver, school=cast.school, role="reporter")
        User.objects.filter(pk=leaver.pk).update(last_login=at(PERIODS["leaver_days"], inside))
        w[f"leaver_{tag}"] = leaver
        entry = AuditEntry.objects.create(
            school=cast.school, action="update", object_type="asset", object_id="1", summary=f"Audit {tag}"
        )
        AuditEntry.objects.filter(pk=entry.pk).update(at=at(PERIODS["audit_days"], inside))
        w[f"audit_{tag}"] = entry
    # never touched: an active person not seen for years, a leaver who still has a role in another school, and
    # the other school's old records (its DPO has not switched anything on)
    quiet = UserFactory(username="quiet-but-active")
    Membership.objects.create(user=quiet, school=cast.school, role="reporter")
    User.objects.filter(pk=quiet.pk).update(last_login=NOW - datetime.timedelta(days=3000))
    shared = UserFactory(username="leaver-shared", is_active=False)
    Membership.objects.create(user=shared, school=cast.school, role="reporter")
    Membership.objects.create(user=shared, school=other.school, role="reporter")
    User.objects.filter(pk=shared.pk).update(last_login=NOW - datetime.timedelta(days=3000))
    w["quiet"], w["shared"] = quiet, shared
    w["other_call"] = closed_call(other, "Elm closed long ago", days=5000, inside=False)
    return w


def switch_on(cast, **periods):
    return RetentionPolicy.objects.create(school=cast.school, is_enabled=True, reviewed_at=NOW, **(PERIODS | periods))


def test_nothing_happens_until_the_dpo_switches_it_on(cast, world):
    RetentionPolicy.objects.create(school=cast.school, **PERIODS)
    assert retention_run(school=cast.school, now=NOW) is None
    assert retention_run_all(now=NOW) == []
    assert Incident.objects.get(pk=world["call_out"].pk).reporter_name == "Ruth Ellis"
    assert AuditEntry.objects.filter(pk=world["audit_out"].pk).exists() and not RetentionRun.objects.exists()


def test_the_run_removes_exactly_what_is_past_its_time(cast, world):
    switch_on(cast)
    run = retention_run_all(now=NOW)[0]
    assert run.counts == {"closed_calls": 1, "restricted_calls": 1, "mail": 3, "leavers": 1, "audit": 1}
    assert world["call_out"].reference in run.items["closed_calls"]
    for tag, gone in (("in", False), ("out", True)):
        for kind in ("call", "restricted"):
            call = Incident.objects.get(pk=world[f"{kind}_{tag}"].pk)  # kept either way, for the statistics
            assert (call.reporter_name == "" and call.description == "" and call.reported_by is None) is gone
            assert (IncidentUpdate.objects.filter(incident=call, body__contains="Ruth").exists()) is not gone
            assert Attachment.objects.filter(incident=call).exists() is not gone
        assert Attachment.objects.filter(pk=world[f"attachment_{tag}"].pk).exists() is not gone
        assert InboundMessage.objects.filter(pk=world[f"inbound_{tag}"].pk).exists() is not gone
        assert OutboundMessage.objects.filter(pk=world[f"outbound_{tag}"].pk).exists() is not gone
        assert AuditEntry.objects.filter(pk=world[f"audit_{tag}"].pk).exists() is not gone
        leaver = User.objects.get(pk=world[f"leaver_{tag}"].pk)
        assert leaver.username.startswith("pseudonymised-") is gone
    assert User.objects.get(pk=world["quiet"].pk).username == "quiet-but-active"
    assert User.objects.get(pk=world["shared"].pk).username == "leaver-shared"
    assert Incident.objects.get(pk=world["other_call"].pk).reporter_name == "Ruth Ellis"
    assert retention_run(school=cast.school, now=NOW).counts == dict.fromkeys(run.counts, 0)  # the next night


def test_the_nightly_task_runs_the_schools_switched_on(cast, world):
    switch_on(cast, audit_days=30, mail_days=30, closed_call_days=30, restricted_call_days=30, leaver_days=30)
    assert retention_task.call_local() == 1
    assert Incident.objects.get(pk=world["call_in"].pk).reporter_name == ""


def test_the_preview_shows_counts_and_the_oldest_then_the_dpo_switches_it_on(cast, login, world):
    RetentionPolicy.objects.create(school=cast.school, **PERIODS)
    Incident.objects.filter(pk=world["call_out"].pk).update(closed_at=timezone.now() - datetime.timedelta(days=2001))
    client = login(cast.dpo)
    page = f"/privacy/retention/{cast.school.pk}/"
    html = client.get(page).content.decode()
    assert "The nightly job is off" in html and world["call_out"].reference in html
    form = next(f for f in forms_in(html, page) if f.method == "post" and "logout" not in f.action)
    data = dict(sent(form)[0]) | {"is_enabled": "on"}
    assert client.post(page, data).status_code == 302
    policy = RetentionPolicy.objects.get(school=cast.school)
    assert policy.is_enabled and policy.reviewed_by == cast.dpo and policy.closed_call_days == 2000
    assert "The nightly job is on" in client.get(page).content.decode()


def test_a_new_schedule_starts_from_the_installations_audit_period(cast, login, settings):
    settings.SCHOOLDESK_AUDIT_RETENTION_DAYS = 999
    html = login(cast.dpo).get(f"/privacy/retention/{cast.school.pk}/").content.decode()
    assert 'name="audit_days" value="999"' in html


def test_the_installation_wide_prune_leaves_a_school_with_its_own_schedule(cast, other, settings):
    settings.SCHOOLDESK_AUDIT_RETENTION_DAYS = 100
    old = timezone.now() - datetime.timedelta(days=200)
    mine = AuditEntry.objects.create(
        school=cast.school, action="update", object_type="asset", object_id="1", summary="Oak's"
    )
    theirs = AuditEntry.objects.create(
        school=other.school, action="update", object_type="asset", object_id="1", summary="Elm's"
    )
    AuditEntry.objects.filter(pk__in=[mine.pk, theirs.pk]).update(at=old)
    RetentionPolicy.objects.create(school=cast.school, audit_days=365, is_enabled=True)
    audit_prune()
    assert AuditEntry.objects.filter(pk=mine.pk).exists() and not AuditEntry.objects.filter(pk=theirs.pk).exists()


def test_the_log_after_a_run_says_what_went(cast, login, world):
    switch_on(cast)
    retention_run(school=cast.school, now=NOW)
    html = login(cast.dpo).get(f"/privacy/retention/{cast.school.pk}/").content.decode()
    assert "Closed calls (anonymised): 1" in html and "Emails and attachments (deleted): 3" in html
    assert world["call_out"].reference in html and "Ruth" not in html
