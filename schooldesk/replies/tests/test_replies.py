"""Canned replies: kept by the desk (a school's) or the organisation (shared), rendered for a call with its
placeholders filled, never showing braces."""

from datetime import time

import pytest

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import UserFactory
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.replies.models import CannedReply
from schooldesk.replies.selectors import render_placeholders

pytestmark = pytest.mark.django_db

BODY = (
    "Hello {{ first_name }},\n\nThank you: {{ reference }} is with us. {{ spoc_name }} is in "
    "{{ spoc_hours }} if you need us sooner.\n{{my_name}}"
)


def _create_through_the_page(client, page, **typed):
    shown = client.get(page)
    assert shown.status_code == 200
    (form,) = [
        f
        for f in forms_in(shown.content.decode(), page)
        if f.method == "post" and any(c.name == "title" for c in f.controls)
    ]
    data, _touched = filled(form, form.buttons[0] if form.buttons else None)
    data.update(typed)
    return client.post(form.action, data)


def _picker(client, incident) -> str:
    response = client.get(f"/replies/for-call/{incident.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_spoc_adds_a_reply_and_it_is_filled_in_for_the_call(cast, client):
    school = cast.school
    school.spoc, school.spoc_days, school.spoc_from, school.spoc_until = cast.spoc, "0,1,2,3,4", time(8), time(15, 30)
    school.save()
    cast.reporter.first_name = "Emma"
    cast.reporter.save()
    client.force_login(cast.spoc)
    response = _create_through_the_page(client, "/replies/new/", title="Received", body=BODY)
    assert response.status_code == 302
    assert CannedReply.objects.get(title="Received").school == school
    call = IncidentFactory(school=school, by=cast.reporter, summary="Projector flickers")
    html = _picker(client, call)
    expected = (
        f"Hello Emma,\n\nThank you: {call.reference} is with us. {cast.spoc.get_full_name()} is in "
        f"Mon–Fri 08:00–15:30 if you need us sooner.\n{cast.spoc.get_full_name()}"
    )
    from html import unescape

    assert unescape(html.split('data-text="')[1].split('"')[0]) == expected
    assert "<html" not in html  # the picker's list only


def test_a_placeholder_with_no_value_leaves_no_gap_and_no_braces(cast, client):
    """A caller logged by name only with no first name, and a school with no SPOC."""
    CannedReply.objects.create(school=cast.school, title="Received", body=BODY)
    call = IncidentFactory(
        school=cast.school, by=cast.spoc, reporter_name="", reported_by=None, summary="Wi-Fi down in the hall"
    )
    call.reported_by = None
    call.save()
    client.force_login(cast.spoc)
    html = _picker(client, call)
    assert "{{" not in html and "}}" not in html
    assert "Hello,\n\nThank you: " in html.replace("&#x27;", "'")
    assert " is in  if" not in html
    assert render_placeholders("Dear {{ first_name }} ({{ unknown }}) , thanks", {}) == "Dear, thanks"


def test_a_misspelt_placeholder_is_refused_and_what_was_typed_is_kept(cast, client):
    client.force_login(cast.spoc)
    response = _create_through_the_page(client, "/replies/new/", title="Oops", body="Hello {{ firstname }}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "{{ firstname }} is not a placeholder" in html and "Hello {{ firstname }}</textarea>" in html
    assert not CannedReply.objects.exists()


def test_the_organisations_replies_are_shared_but_changed_only_by_the_organisation(cast, client):
    la_spoc = UserFactory(username="la-spoc")
    Membership.objects.create(user=la_spoc, organisation=cast.school.organisation, role="spoc")
    client.force_login(la_spoc)
    response = _create_through_the_page(
        client,
        "/replies/new/?for=organisation",
        title="Half-term",
        body="The LA desk is closed over half-term, {{ first_name }}.",
    )
    assert response.status_code == 302
    shared = CannedReply.objects.get(title="Half-term")
    assert shared.organisation == cast.school.organisation and shared.school is None

    client.force_login(cast.spoc)  # the school's own SPOC uses it, and cannot change it
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    assert "Half-term" in _picker(client, call)
    listing = client.get("/replies/").content.decode()
    assert "Shared by" in listing and f"/replies/{shared.pk}/edit/" not in listing
    assert client.get(f"/replies/{shared.pk}/edit/").status_code == 404
    assert client.post(f"/replies/{shared.pk}/delete/").status_code == 404
    assert client.get("/replies/new/?for=organisation").status_code == 403
    assert CannedReply.objects.filter(pk=shared.pk).exists()


def test_a_reporter_gets_no_replies_and_no_picker(cast, client):
    CannedReply.objects.create(school=cast.school, title="Received", body=BODY)
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    client.force_login(cast.reporter)
    assert client.get(f"/replies/for-call/{call.pk}/").status_code == 404
    assert "data-canned-open" not in client.get(f"/incidents/{call.pk}/").content.decode()
    client.force_login(cast.technician)
    assert "data-canned-open" in client.get(f"/incidents/{call.pk}/").content.decode()


def test_the_picker_costs_the_same_queries_for_one_reply_or_twenty(cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cast.school.spoc = cast.spoc
    cast.school.save()
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    CannedReply.objects.create(school=cast.school, title="R0", body=BODY)
    client.force_login(cast.spoc)
    with CaptureQueriesContext(connection) as one:
        _picker(client, call)
    for n in range(1, 20):
        CannedReply.objects.create(school=cast.school, title=f"R{n}", body=BODY)
    with CaptureQueriesContext(connection) as twenty:
        _picker(client, call)
    assert len(one) == len(twenty)


def test_without_the_picker_the_page_lists_every_reply_filled_in(cast, client):
    CannedReply.objects.create(school=cast.school, title="Received", body="Logged as {{ reference }}.")
    CannedReply.objects.create(school=cast.school, title="Visit", body="We visit on Tuesday, {{ school }}.")
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    client.force_login(cast.technician)
    html = client.get(f"/replies/for-call/{call.pk}/").content.decode()
    assert f"Logged as {call.reference}." in html and f"We visit on Tuesday, {cast.school.name}." in html


def test_the_replies_page_costs_the_same_queries_for_two_replies_or_twenty(cast, client):
    """The school's own replies and the organisation's shared ones, in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n, start):
        for i in range(start, start + n):
            CannedReply.objects.create(school=cast.school, title=f"Own {i}", body=BODY)
            CannedReply.objects.create(organisation=cast.school.organisation, title=f"Shared {i}", body=BODY)

    add(1, 0)
    client.force_login(cast.spoc)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/replies/").status_code == 200
    add(9, 1)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/replies/").content.decode()
    assert "Own 9" in html and "Shared 9" in html
    assert len(many) == len(few)
