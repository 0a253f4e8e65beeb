"""A rendered form is done once (docs/decisions/0014, core/submissions.py): the same payment, call or reply sent
twice (a double click, "resend" after a timeout) makes one record, and the second answer takes the person to
what the first made, saying so. A form corrected after an error is still sent; a post with no token (an old
page, a test posting by hand) is handled as before."""

import pytest

from schooldesk.core.models import FormSubmission
from schooldesk.core.tests.pages import rendered_form
from schooldesk.diary.models import Payment
from schooldesk.incidents.models import Incident, IncidentUpdate
from schooldesk.incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

ALREADY = "That form had already been sent, so it was not sent again"


def payment_form(client, cast):
    action, data = rendered_form(client, "/diary/payments/new/", "/diary/payments/new/")
    data.update(supplier=cast.supplier.pk, description="Broadband, spring term", amount="450.00", due_on="2027-01-15")
    return action, data


def test_the_same_payment_sent_twice_is_recorded_once(cast, client):
    client.force_login(cast.spoc)
    action, data = payment_form(client, cast)
    assert "form_token" in data, "the payment form carries no one-time token"
    first = client.post(action, data)
    assert first.status_code == 302
    second = client.post(action, data, follow=True)
    assert Payment.objects.filter(description="Broadband, spring term").count() == 1
    payment = Payment.objects.get(description="Broadband, spring term")
    assert second.redirect_chain[0][0] == first["Location"]  # where the first one went
    assert ALREADY in second.content.decode()
    assert payment.description in second.content.decode()


def test_the_same_call_logged_twice_is_one_call(cast, client):
    client.force_login(cast.reporter)
    action, data = rendered_form(client, "/incidents/new/", "/incidents/new/")
    data.update(summary="Interactive whiteboard pen not working", happened="The pen does nothing")
    assert client.post(action, data).status_code == 302
    again = client.post(action, data)
    assert again.status_code == 302
    calls = Incident.objects.filter(summary="Interactive whiteboard pen not working")
    assert calls.count() == 1 and again["Location"] == f"/incidents/{calls.get().pk}/"


def test_the_same_action_sent_twice_is_done_once(cast, client):
    """An action on a record's page (ObjectActionView): a reply posted twice is one reply."""
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    client.force_login(cast.spoc)
    action, data = rendered_form(client, f"/incidents/{incident.pk}/", "/reply/")
    data["body"] = "We will be with you after break."
    assert client.post(action, data).status_code == 302
    assert client.post(action, data).status_code == 302
    replies = IncidentUpdate.objects.filter(incident=incident, body="We will be with you after break.")
    assert replies.count() == 1


def test_a_form_corrected_after_an_error_is_sent_with_the_same_token(cast, client):
    client.force_login(cast.spoc)
    action, data = payment_form(client, cast)
    refused = client.post(action, {**data, "amount": ""})
    assert refused.status_code == 400 and not FormSubmission.objects.exists()
    assert client.post(action, data).status_code == 302
    assert Payment.objects.filter(description="Broadband, spring term").count() == 1


def test_a_post_without_a_token_is_handled_as_before(cast, client):
    client.force_login(cast.spoc)
    action, data = payment_form(client, cast)
    del data["form_token"]
    assert client.post(action, data).status_code == 302
    assert client.post(action, data).status_code == 302
    assert Payment.objects.filter(description="Broadband, spring term").count() == 2


def test_a_term_added_twice_from_one_page_is_added_once(cast, client):
    """The school's settings page posts to SchoolSectionView, which uses the same `do_once`."""
    from schooldesk.schools.models import Term

    client.force_login(cast.spoc)
    action, data = rendered_form(client, f"/schools/{cast.school.pk}/", "/terms/")
    data.update({"t-name": "Summer 2031", "t-starts_on": "2031-04-22", "t-ends_on": "2031-07-22"})
    assert client.post(action, data).status_code == 302
    assert client.post(action, data).status_code == 302
    assert Term.objects.filter(school=cast.school, name="Summer 2031").count() == 1
