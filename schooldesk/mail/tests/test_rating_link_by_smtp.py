"""A caller who emailed the desk (no SchoolDesk account) rates the resolved call from the link in the resolution
email as the real SMTP server received it (decision 0022): the link survives the message's encoding and works
without signing in."""

import re

import pytest
from django.urls import reverse

from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import incident_resolve
from schooldesk.mail.tests.factories import MailboxFactory
from schooldesk.mail.tests.test_intake import receive  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_an_email_caller_rates_the_resolved_call_from_the_link_the_smtp_server_received(
    cast, receive, smtp, client, settings, django_capture_on_commit_callbacks
):  # noqa: F811
    settings.SCHOOLDESK_SITE_URL = "https://desk.oak.sch.uk"
    mailbox = MailboxFactory(school=cast.school, address="desk@oak.sch.uk", unknown_senders="accept")
    message = receive(
        mailbox,
        sender="cook@catering.example",
        name="Mrs Patel",
        subject="Till in the hall is dead",
        body="The till will not turn on.",
    )
    call = message.incident
    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident_resolve(incident=call, by=cast.technician, version=call.version, resolution="Replaced the fuse.")
    [email] = smtp.to("cook@catering.example")
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    links = dict(re.findall(r"^- (Good|OK|Poor): (\S+)\r?$", text, re.M))  # the wire's lines end CRLF
    assert set(links) == {"Good", "OK", "Poor"} and all(f'href="{url}"' in html for url in links.values())
    path = links["Poor"].removeprefix("https://desk.oak.sch.uk")
    assert path.startswith("/incidents/rate/")
    page = client.get(path)  # not signed in: she has no account
    assert page.status_code == 200 and re.search(r'value="poor"[^>]*checked', page.content.decode())
    assert "Till in the hall" not in page.content.decode()  # the link shows the reference, not the call
    done = client.post(path, {"rating": "poor", "comment": "Nobody said it was fixed"})
    assert done.status_code == 200 and "Your rating of" in done.content.decode()
    call = Incident.objects.get(pk=call.pk)
    assert (call.satisfaction, call.satisfaction_comment) == ("poor", "Nobody said it was fixed")
    assert client.get(reverse("incidents:incident_detail", args=[call.pk])).status_code == 302  # the call stays shut
