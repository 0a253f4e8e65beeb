"""The mail pages: held and failed email for the SPOC with its actions, mailbox settings (desk only,
secrets never shown back), each person's email choices, and a call's email log."""

import pytest
from django.core import mail as django_mail

from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_reply
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.mail.choices import InboundStatus
from schooldesk.mail.intake import inbound_process
from schooldesk.mail.models import InboundMessage, Mailbox, NotificationPreference, OutboundMessage
from schooldesk.mail.services import inbound_store
from schooldesk.mail.tests.factories import MailboxFactory, raw_email

pytestmark = pytest.mark.django_db

HTML = (
    '<p onmouseover="x()">The <b>visualiser</b> is dead</p><script>document.cookie</script>'
    '<img src="https://track.example/p.gif">'
)


@pytest.fixture
def held(cast):
    mailbox = MailboxFactory(school=cast.school, address="desk@oak.sch.uk")
    raw = raw_email(
        sender="volunteer@families.example",
        name="Jo Volunteer",
        to=mailbox.address,
        subject="Visualiser in the Library",
        body="The visualiser is dead.\n\nOn Mon, Jo wrote:\n> earlier",
        html=HTML,
    )
    message, _stored = inbound_store(mailbox=mailbox, raw=raw)
    return inbound_process(message)


@pytest.mark.parametrize("role", ["reporter", "technician", "provider", "viewer", "dpo"])
def test_only_the_desk_sees_the_email_pages(cast, held, login, role):
    client = login(getattr(cast, role))
    for url in ("/mail/", f"/mail/messages/{held.pk}/", "/mail/mailboxes/", "/mail/mailboxes/new/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/mail/preferences/").status_code == 200


def test_the_spoc_sees_held_email_safely_and_logs_it_as_a_call(cast, held, login):
    assert held.status == InboundStatus.HELD
    client = login(cast.spoc)
    listing = client.get("/mail/").content.decode()
    assert "Visualiser in the Library" in listing and "address we do not know" in listing
    page = client.get(f"/mail/messages/{held.pk}/").content.decode()
    assert "The visualiser is dead." in page
    shown = page.split('class="border rounded p-2 mail-html">', 1)[1].split("</div>", 1)[0]
    assert "<b>visualiser</b>" in shown
    for bad in ("<script", "document.cookie", "onmouseover", "<img", "track.example"):
        assert bad not in page.split("</header>", 1)[1], bad
    assert "<summary>Quoted text and signature</summary>" in page
    location = Location.objects.get(school=cast.school, name="Library")
    bad = client.post(f"/mail/messages/{held.pk}/accept/", {"location": "", "summary": "Visualiser broken (typed)"})
    assert bad.status_code == 400 and "Visualiser broken (typed)" in bad.content.decode()
    assert not Incident.objects.exists()
    done = client.post(f"/mail/messages/{held.pk}/accept/", {"location": location.pk, "summary": "Visualiser broken"})
    incident = Incident.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/incidents/{incident.pk}/"
    assert (incident.reporter_name, incident.reporter_contact, incident.logged_by) == (
        "Jo Volunteer",
        "volunteer@families.example",
        cast.spoc,
    )
    held.refresh_from_db()
    assert (held.status, held.handled_by, held.incident) == (InboundStatus.PROCESSED, cast.spoc, incident)
    assert client.get("/mail/").content.decode().count("Visualiser in the Library") == 0  # no longer needs the desk


def test_retry_and_discard(cast, held, login):
    client = login(cast.spoc)
    response = client.post(f"/mail/messages/{held.pk}/retry/", follow=True)
    assert "Tried again" in response.content.decode()
    held.refresh_from_db()
    assert held.status == InboundStatus.HELD and held.attempts == 2 and held.handled_by == cast.spoc
    # the sender turns out to be a new member of staff: added, and a retry logs their call
    volunteer = UserFactory(email="volunteer@families.example")
    MembershipFactory(user=volunteer, school=cast.school, role="reporter")
    client.post(f"/mail/messages/{held.pk}/retry/")
    held.refresh_from_db()
    assert held.status == InboundStatus.PROCESSED and held.incident.reported_by == volunteer
    assert client.post(f"/mail/messages/{held.pk}/discard/", follow=True).status_code == 200
    held.refresh_from_db()
    assert held.status == InboundStatus.PROCESSED  # already dealt with: not discarded


def test_discarding_keeps_the_email(cast, held, login):
    client = login(cast.spoc)
    assert client.post(f"/mail/messages/{held.pk}/discard/").status_code == 302
    held.refresh_from_db()
    assert held.status == InboundStatus.DISCARDED and held.raw.size
    assert "Visualiser" in client.get("/mail/?show=all").content.decode()
    original = client.get(f"/mail/messages/{held.pk}/original/")
    assert original["Content-Disposition"].startswith("attachment")
    assert b"Visualiser" in b"".join(original.streaming_content)


def test_mailbox_settings_never_show_secrets_and_keep_them_when_left_blank(cast, login):
    client = login(cast.spoc)
    form = {
        "school": cast.school.pk,
        "name": "Oak desk",
        "address": "Desk@Oak.sch.uk",
        "is_active": "on",
        "host": "imap.oak.sch.uk",
        "port": 993,
        "security": "ssl",
        "username": "desk@oak.sch.uk",
        "auth_method": "password",
        "password": "Sup3r-s3cret!",
        "folder": "INBOX",
        "unknown_senders": "hold",
        "rate_limit_per_hour": 20,
        "poll_every_minutes": 2,
    }
    response = client.post("/mail/mailboxes/new/", form)
    mailbox = Mailbox.objects.get()
    assert response.status_code == 302 and mailbox.password == "Sup3r-s3cret!" and mailbox.address == "desk@oak.sch.uk"
    page = client.get(f"/mail/mailboxes/{mailbox.pk}/").content.decode()
    assert "Sup3r-s3cret!" not in page and "saved (never shown)" in page
    client.post(f"/mail/mailboxes/{mailbox.pk}/", {**form, "password": "", "name": "Oak ICT desk"})
    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.password) == ("Oak ICT desk", "Sup3r-s3cret!")


def test_mailbox_settings_refuse_bad_input_and_keep_what_was_typed(cast, other, login):
    client = login(cast.spoc)
    form = {
        "school": cast.school.pk,
        "name": "Typed name",
        "address": "desk@oak.sch.uk",
        "is_active": "on",
        "host": "imap.oak.sch.uk",
        "port": 143,
        "security": "none",
        "username": "desk",
        "auth_method": "password",
        "password": "pw",
        "folder": "INBOX",
        "unknown_senders": "hold",
        "rate_limit_per_hour": 20,
        "poll_every_minutes": 2,
    }
    response = client.post("/mail/mailboxes/new/", form)
    html = response.content.decode()
    assert response.status_code == 400 and "must not cross the network unencrypted" in html and "Typed name" in html
    assert 'value="pw"' not in html  # not even a typed password is put back into the page
    # a school typed into the post that the page never offered is ignored: the mailbox is the SPOC's own school's
    foreign = client.post("/mail/mailboxes/new/", {**form, "security": "ssl", "school": other.school.pk})
    assert foreign.status_code == 302
    assert list(Mailbox.objects.values_list("school_id", flat=True)) == [cast.school.pk]


def test_everyone_chooses_their_own_emails(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.reporter)
    page = client.get("/mail/preferences/").content.decode()
    assert "A reply or a change of status on my call" in page and "checked" in page
    data = {event: "on" for event in ("call_logged", "call_resolved")}
    assert client.post("/mail/preferences/", data).status_code == 302
    assert NotificationPreference.objects.get(user=cast.reporter, event="call_updated").is_enabled is False
    assert NotificationPreference.objects.get(user=cast.reporter, event="call_resolved").is_enabled is True
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident_reply(incident=incident, by=cast.technician, body="Update")
    assert django_mail.outbox == []


def test_a_calls_email_log_for_the_people_who_work_it(cast, login, django_capture_on_commit_callbacks):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        incident_reply(incident=incident, by=cast.technician, body="On my way")
    assert OutboundMessage.objects.filter(incident=incident).count() == 1
    page = login(cast.technician).get(f"/mail/calls/{incident.pk}/").content.decode()
    assert cast.reporter.email in page and "Call updated" in page and "Sent" in page
    assert login(cast.reporter).get(f"/mail/calls/{incident.pk}/").status_code == 403


def test_an_organisations_shared_mailbox_is_for_its_desk_only(cast, login):
    la_owner = UserFactory(username="la-owner")
    MembershipFactory(user=la_owner, organisation=cast.school.organisation, role="owner")
    la_mailbox = MailboxFactory(organisation=cast.school.organisation, address="ict@council.example")
    raw = raw_email(sender="who@where.example", to="ict@council.example", subject="Unrouted")
    message, _stored = inbound_store(mailbox=la_mailbox, raw=raw)
    inbound_process(message)
    assert InboundMessage.objects.get().school is None
    assert "Unrouted" in login(la_owner).get("/mail/").content.decode()
    assert login(la_owner).get(f"/mail/mailboxes/{la_mailbox.pk}/").status_code == 200
    assert "Unrouted" not in login(cast.spoc).get("/mail/").content.decode()  # one school's SPOC: not theirs
    assert login(cast.spoc).get(f"/mail/mailboxes/{la_mailbox.pk}/").status_code == 404
    assert login(cast.spoc).get(f"/mail/messages/{message.pk}/").status_code == 404
