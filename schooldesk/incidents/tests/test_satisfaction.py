"""Satisfaction (decision 0022): one question after a resolved call (good / OK / poor, and a comment), asked as
the school chooses (off, every call, one in N picked deterministically), answered once by the reporter (a
second answer within a day replaces the first), on the call page or through the signed link of the email."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schooldesk.incidents.choices import IncidentStatus, UpdateKind
from schooldesk.incidents.models import Incident
from schooldesk.incidents.services import (
    incident_confirm,
    incident_rate,
    incident_reopen,
    incident_resolve,
    satisfaction_is_sampled,
    satisfaction_token,
)
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db
RATE_LINK = re.compile(r"https?://\S+/incidents/rate/[^/\s\"]+/")


def resolved(cast, **kwargs):
    incident = IncidentFactory(school=cast.school, by=kwargs.pop("by", cast.reporter), **kwargs)
    return incident_resolve(incident=incident, by=cast.technician, version=incident.version, resolution="Rebooted.")


def reload(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def links_in(message) -> dict[str, str]:
    """{"Good": url, …} from the text part of the resolution email."""
    return dict(re.findall(r"^- (Good|OK|Poor): (\S+)$", message.body, re.M))


def test_the_school_chooses_off_every_call_or_one_in_n(cast):
    cast.school.satisfaction_survey = "off"
    cast.school.save()
    assert resolved(cast).satisfaction_asked_at is None
    cast.school.satisfaction_survey = "every"
    cast.school.save()
    assert resolved(cast).satisfaction_asked_at is not None
    cast.school.satisfaction_survey, cast.school.satisfaction_sample_every = "sample", 4
    cast.school.save()
    picked = [pk for pk in range(1, 2001) if satisfaction_is_sampled(school=cast.school, pk=pk)]
    assert 400 < len(picked) < 600  # about one in four
    assert picked == [pk for pk in range(1, 2001) if satisfaction_is_sampled(school=cast.school, pk=pk)]  # the same
    assert picked[:10] != list(range(4, 44, 4))  # not every fourth number: nobody can tell beforehand
    calls = [resolved(cast) for _ in range(12)]
    # each call asked exactly when its number is picked (numbers may pass 2,000 on PostgreSQL, whose sequences a
    # rolled-back test does not wind back)
    assert [c.satisfaction_asked_at is not None for c in calls] == [
        satisfaction_is_sampled(school=cast.school, pk=c.pk) for c in calls
    ]


def test_a_rating_is_given_once_and_can_be_changed_within_a_day(cast):
    incident = resolved(cast)
    incident = incident_rate(incident=incident, by=cast.reporter, rating="poor", comment="Took three days")
    assert (incident.satisfaction, incident.satisfaction_comment) == ("poor", "Took three days")
    assert incident.status == IncidentStatus.RESOLVED  # rating does not confirm the fix
    first_at = incident.satisfaction_at
    incident = incident_rate(incident=incident, by=cast.reporter, rating="ok")  # a second click, soon after
    assert (incident.satisfaction, incident.satisfaction_at) == ("ok", first_at)
    rows = list(incident.updates.filter(field="satisfaction").values_list("old_value", "new_value", "is_public"))
    assert rows == [("", "Poor", False), ("Poor", "OK", False)]
    Incident.objects.filter(pk=incident.pk).update(satisfaction_at=timezone.now() - timedelta(hours=25))
    with pytest.raises(ValidationError, match="only be changed within a day"):
        incident_rate(incident=incident, by=cast.reporter, rating="good")
    assert reload(incident).satisfaction == "ok"


def test_only_the_reporter_rates_and_only_a_resolved_call_that_was_asked(cast):
    incident = resolved(cast)
    for person in (cast.spoc, cast.technician, cast.owner):
        with pytest.raises(PermissionDenied):
            incident_rate(incident=incident, by=person, rating="good")
    with pytest.raises(PermissionDenied):
        incident_rate(incident=incident, by=None, rating="good")  # the reporter has an account: sign in
    with pytest.raises(ValidationError):
        incident_rate(incident=incident, by=cast.reporter, rating="5")
    incident = incident_reopen(incident=incident, by=cast.reporter, reason="Still broken")
    with pytest.raises(ValidationError, match="reopened"):
        incident_rate(incident=incident, by=cast.reporter, rating="good")
    cast.school.satisfaction_survey = "off"
    cast.school.save()
    not_asked = resolved(cast)
    with pytest.raises(ValidationError, match="not picked"):
        incident_rate(incident=not_asked, by=cast.reporter, rating="good")


def test_a_closed_call_is_still_rated_and_the_confirmation_can_carry_the_rating(cast):
    incident = incident_confirm(incident=resolved(cast), by=cast.reporter)
    assert incident.status == IncidentStatus.CLOSED and incident.satisfaction == ""
    assert incident_rate(incident=incident, by=cast.reporter, rating="good").satisfaction == "good"
    other = incident_confirm(incident=resolved(cast), by=cast.reporter, satisfaction="poor", comment="Slow")
    assert (other.status, other.satisfaction, other.satisfaction_comment) == ("closed", "poor", "Slow")
    assert other.updates.filter(kind=UpdateKind.CONFIRMATION, body="Slow").exists()


def test_the_reporter_rates_a_resolved_call_from_the_email_link(
    cast, client, password, settings, django_capture_on_commit_callbacks
):
    settings.SCHOOLDESK_SITE_URL = "http://testserver"
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_resolve(
            incident=incident, by=cast.technician, version=incident.version, resolution="Replaced the cable."
        )
    (email,) = [m for m in mail.outbox if m.to == [cast.reporter.email]]
    links = links_in(email)
    assert set(links) == {"Good", "OK", "Poor"} and all(RATE_LINK.fullmatch(url) for url in links.values())
    assert all(url in email.alternatives[0][0] for url in links.values())  # the HTML part has the same links
    path = links["Good"].removeprefix("http://testserver")
    response = client.get(path)  # not signed in: the reporter has an account, so they sign in first
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.post(response["Location"], {"username": cast.reporter.username, "password": password})
    page = client.get(path).content.decode()
    assert re.search(r'<input[^>]*value="good"[^>]*checked', page)  # the answer clicked is chosen
    done = client.post(path, {"rating": "good", "comment": "Quick, thank you"})
    assert done.status_code == 302 and done["Location"] == reverse("incidents:incident_detail", args=[incident.pk])
    incident = reload(incident)
    assert (incident.satisfaction, incident.satisfaction_comment) == ("good", "Quick, thank you")
    assert "Quick, thank you" in client.get(done["Location"]).content.decode()
    client.force_login(cast.spoc)  # someone else following the reporter's link
    assert client.post(path, {"rating": "poor"}).status_code == 403
    assert reload(incident).satisfaction == "good"


def test_a_caller_without_an_account_rates_through_the_link_without_signing_in(cast, client):
    incident = IncidentFactory(
        school=cast.school,
        by=cast.spoc,
        channel="phone",
        reported_by=None,
        reporter_name="Mr Patel (caretaker)",
        reporter_contact="r.patel@example.org",
        summary="Boiler room camera offline",
    )
    incident = resolved_by_technician(cast, incident)
    path = reverse("incidents:rating_link", args=[satisfaction_token(incident=incident, rating="poor")])
    page = client.get(path)
    assert page.status_code == 200
    assert incident.reference in page.content.decode() and "Boiler room camera" not in page.content.decode()
    response = client.post(path, {"rating": "poor", "comment": "Nobody told me it was done"})
    assert response.status_code == 200 and "Your rating of" in response.content.decode()
    incident = reload(incident)
    assert (incident.satisfaction, incident.satisfaction_comment) == ("poor", "Nobody told me it was done")


def test_a_forged_or_expired_link_is_refused(cast, client):
    incident = resolved(cast)
    token = satisfaction_token(incident=incident, rating="good")
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    assert client.get(reverse("incidents:rating_link", args=[forged])).status_code == 400
    old = signing.dumps({"c": incident.pk, "r": "good"}, salt="schooldesk.incidents.satisfaction")
    from unittest.mock import patch

    with patch("django.core.signing.time.time", return_value=__import__("time").time() + 15 * 86400):
        response = client.get(reverse("incidents:rating_link", args=[old]))
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert reload(incident).satisfaction == ""


def resolved_by_technician(cast, incident):
    return incident_resolve(incident=incident, by=cast.technician, version=incident.version, resolution="Done.")


def test_the_call_page_asks_its_reporter_only(cast, login):
    incident = incident_confirm(incident=resolved(cast), by=cast.reporter)  # closed without a rating
    url = reverse("incidents:incident_detail", args=[incident.pk])
    assert "Send my rating" not in login(cast.technician).get(url).content.decode()
    client = login(cast.reporter)
    assert "Send my rating" in client.get(url).content.decode()
    response = client.post(reverse("incidents:incident_rate", args=[incident.pk]), {"rating": "ok", "comment": ""})
    assert response.status_code == 302 and reload(incident).satisfaction == "ok"
    page = client.get(url).content.decode()
    assert "rating:</strong> OK" in page and "Send my rating" in page  # changeable for a day
    assert (
        login(cast.spoc).post(reverse("incidents:incident_rate", args=[incident.pk]), {"rating": "good"}).status_code
        == 403
    )
