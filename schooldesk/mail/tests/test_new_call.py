"""A SPOC may choose to be emailed about each new call (off by default: the triage queue is the usual
signal). Chosen on the preferences page as it renders; sent through the real SMTP server on loopback."""

import pytest

from schooldesk.core.tests.pages import forms_in, sent
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.mail.choices import Purpose
from schooldesk.mail.models import OutboundMessage

pytestmark = pytest.mark.django_db


def choose(client, **ticks):
    html = client.get("/mail/preferences/").content.decode()
    [form] = [
        f
        for f in forms_in(html, "http://testserver/mail/preferences/")
        if f.method == "post" and f.action.endswith("/mail/preferences/")
    ]
    data = dict(sent(form)[0])
    for name, on in ticks.items():
        if on:
            data[name] = "on"
        else:
            data.pop(name, None)
    assert client.post("/mail/preferences/", data).status_code == 302
    return form


def test_a_spoc_who_chooses_it_is_emailed_about_each_new_call_and_nobody_else_is(
    cast, login, smtp, django_capture_on_commit_callbacks
):
    client = login(cast.spoc)
    form = choose(client)  # saved as rendered
    [box] = [c for c in form.controls if c.name == "new_call"]
    assert not box.checked  # off by default
    assert all(c.checked for c in form.controls if c.kind == "checkbox" and c.name != "new_call")
    with django_capture_on_commit_callbacks(execute=True):
        IncidentFactory(school=cast.school, by=cast.reporter, summary="Whiteboard pen lost")
    assert smtp.to(cast.spoc.email) == []
    choose(client, new_call=True)
    with django_capture_on_commit_callbacks(execute=True):
        incident = IncidentFactory(school=cast.school, by=cast.reporter, summary="Printer jammed in the office")
    [email] = smtp.to(cast.spoc.email)
    assert " ".join(str(email["Subject"]).split()) == f"[{incident.reference}] New call: Printer jammed in the office"
    assert f"/incidents/{incident.pk}/" in email.get_body(("plain",)).get_content()
    assert smtp.to(cast.owner.email) == []  # the owner did not choose it
    assert OutboundMessage.objects.filter(purpose=Purpose.NEW_CALL).count() == 1


def test_the_spoc_is_not_told_of_a_call_they_logged_or_cannot_see(
    cast, login, smtp, django_capture_on_commit_callbacks
):
    choose(login(cast.spoc), new_call=True)
    with django_capture_on_commit_callbacks(execute=True):
        IncidentFactory(school=cast.school, by=cast.spoc, summary="Logged by the SPOC")
        IncidentFactory(school=cast.school, by=cast.reporter, summary="Restricted", is_restricted=True)
    assert smtp.to(cast.spoc.email) == []


def test_only_people_who_run_a_desk_are_offered_the_new_call_email(cast, login):
    assert 'name="new_call"' not in login(cast.reporter).get("/mail/preferences/").content.decode()
    assert 'name="new_call"' in login(cast.owner).get("/mail/preferences/").content.decode()
