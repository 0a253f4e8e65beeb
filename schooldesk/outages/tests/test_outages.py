"""Outages: declared once, seen by everyone at the school, "I'm affected" instead of thirty calls, one email each
when it is over."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schooldesk.accounts.models import Membership
from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.outages.models import AffectedPerson, OutageCall
from schooldesk.outages.services import outage_affected, outage_declare, outage_link_calls, outage_resolve
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def declare(cast, **kwargs):
    return outage_declare(
        by=cast.spoc,
        schools=[cast.school],
        title="Wi-Fi down in the Science block",
        advice="Use the wired computers in the library.",
        **kwargs,
    )


def submit(client, url, action_contains, form_index=0, **values):
    """Post a form as the page renders it."""
    page = client.get(url)
    assert page.status_code == 200
    found = [f for f in forms_in(page.content.decode(), url) if f.method == "post" and action_contains in f.action]
    form = found[form_index]
    data, _touched = filled(form, None)
    data.update(values)
    return client.post(form.action, data)


def test_the_spoc_declares_from_the_page_and_every_page_of_the_school_shows_it(cast, other, client):
    client.force_login(cast.spoc)
    response = submit(
        client,
        "/outages/new/",
        action_contains="/outages/new/",
        title="Wi-Fi down in the Science block",
        advice="Use the wired computers in the library.",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(cast.reporter)
    for url in ("/", "/incidents/", "/procedures/"):
        assert "Wi-Fi down in the Science block" in client.get(url).content.decode(), url
    assert "Is it this? Tell us you are affected" in client.get("/incidents/new/").content.decode()
    client.force_login(other.reporter)
    assert "Wi-Fi down" not in client.get("/").content.decode()
    assert "Wi-Fi down" not in client.get("/incidents/new/").content.decode()


def test_declared_from_a_call_it_starts_from_the_call_and_links_it(cast, client):
    room = Location.objects.create(school=cast.school, name="Science lab 2", building="Science block")
    call = IncidentFactory(school=cast.school, by=cast.reporter, location=room, summary="No Wi-Fi in the lab")
    client.force_login(cast.spoc)
    page = client.get(f"/incidents/{call.pk}/").content.decode()
    assert f"/outages/new/?incident={call.pk}" in page
    form_page = client.get(f"/outages/new/?incident={call.pk}").content.decode()
    assert 'value="No Wi-Fi in the lab"' in form_page
    response = submit(client, f"/outages/new/?incident={call.pk}", action_contains="/outages/new/")
    assert response.status_code == 302, response.content.decode()
    link = OutageCall.objects.get(incident=call)
    assert link.outage.location == room and link.outage.source_incident == call
    timeline = client.get(f"/incidents/{call.pk}/").content.decode()
    assert link.outage.reference in timeline


def test_the_banner_costs_no_query_once_cached_and_the_services_refresh_it(cast, client):
    client.force_login(cast.reporter)
    client.get("/")  # the cache is warm, as on every page after the first
    with CaptureQueriesContext(connection) as warm:
        client.get("/")
    outage = declare(cast)
    with CaptureQueriesContext(connection) as cold:
        page = client.get("/").content.decode()
    assert "Wi-Fi down in the Science block" in page, "declaring did not refresh the school's banner"
    assert len(cold) == len(warm) + 1, "a school's banner is read in one query when it is not cached"
    with CaptureQueriesContext(connection) as again:
        client.get("/")
    assert len(again) == len(warm)
    outage_resolve(outage=outage, by=cast.spoc, version=None, resolution="The controller was restarted.")
    assert "Wi-Fi down" not in client.get("/").content.decode(), "resolving did not clear the banner"


def test_im_affected_is_one_tap_once_per_person_and_back_to_the_page(cast, client):
    outage = declare(cast)
    client.force_login(cast.reporter)
    response = submit(client, "/incidents/new/", action_contains="/affected/")
    assert response.status_code == 302 and response["Location"] == "/incidents/new/"
    page = client.get("/incidents/new/").content.decode()
    assert "You are on the list" in page
    outage_affected(outage=outage, by=cast.reporter)  # from another device: still one row
    assert AffectedPerson.objects.filter(outage=outage).count() == 1
    assert Incident.objects.count() == 0, "no call logged"


def test_linking_calls_several_at_once_from_the_outage_page(cast, client):
    outage = declare(cast)
    calls = [IncidentFactory(school=cast.school, by=cast.reporter, summary=f"Wi-Fi {n}") for n in range(3)]
    client.force_login(cast.spoc)
    page = client.get(f"/outages/{outage.pk}/").content.decode()
    form = next(f for f in forms_in(page, f"/outages/{outage.pk}/") if "/link/" in f.action)
    response = client.post(form.action, {"incidents": [calls[0].pk, calls[2].pk]})
    assert response.status_code == 302
    assert set(OutageCall.objects.values_list("incident_id", flat=True)) == {calls[0].pk, calls[2].pk}
    assert outage.reference in client.get(f"/incidents/{calls[2].pk}/").content.decode()


def test_resolving_resolves_linked_calls_and_tells_each_person_once(cast, client, django_capture_on_commit_callbacks):
    outage = declare(cast)
    twice = cast.reporter  # taps "I'm affected" and also logged a call
    tapped = [UserFactory(username=f"teacher-{n}") for n in range(3)]
    for person in tapped:
        MembershipFactory(user=person, school=cast.school, role="reporter")
        outage_affected(outage=outage, by=person)
    outage_affected(outage=outage, by=twice)
    calls = [
        IncidentFactory(school=cast.school, by=twice, summary="No internet"),
        IncidentFactory(school=cast.school, by=cast.technician, summary="No Wi-Fi upstairs"),
        IncidentFactory(
            school=cast.school,
            by=cast.spoc,
            reporter_name="Mr Supply",
            reporter_contact="supply@example.org",
            summary="Laptop offline",
        ),
    ]
    outage_link_calls(outage=outage, by=cast.spoc, incidents=calls)
    mail.outbox.clear()
    client.force_login(cast.spoc)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client,
            f"/outages/{outage.pk}/",
            action_contains="/resolve/",
            resolution="The broadband router was replaced.",
        )
    assert response.status_code == 302
    recipients = sorted(address for message in mail.outbox for address in message.to)
    expected = sorted([p.email for p in tapped] + [twice.email, cast.technician.email, "supply@example.org"])
    assert recipients == expected, "one email each, and only that one"
    assert all("The broadband router was replaced." in m.body for m in mail.outbox)
    for call in calls:
        call.refresh_from_db()
        assert call.status == "resolved" and "The broadband router was replaced." in call.resolution
    mail.outbox.clear()
    with pytest.raises(Exception):  # noqa: B017 - already resolved
        outage_resolve(outage=outage, by=cast.spoc, version=None, resolution="again")
    assert mail.outbox == []


def test_an_la_officer_declares_across_its_schools_and_each_school_sees_it(cast, other, client):
    second = SchoolFactory(organisation=cast.school.organisation, name="Birch Primary School")
    teacher = UserFactory(username="birch-teacher")
    MembershipFactory(user=teacher, school=second, role="reporter")
    officer = UserFactory(username="la-officer")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    client.force_login(officer)
    page = client.get("/outages/new/").content.decode()
    assert "Birch Primary School" in page and "Oak Primary School" in page
    response = client.post(
        "/outages/new/",
        {
            "title": "Broadband provider down",
            "scope": "school",
            "schools": [cast.school.pk, second.pk],
            "started_at": "2026-12-07T08:00",
            "advice": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    for person in (cast.reporter, teacher):
        client.force_login(person)
        assert "Broadband provider down" in client.get("/").content.decode()
    client.force_login(other.spoc)
    assert "Broadband provider down" not in client.get("/").content.decode()
    assert "Broadband provider down" not in client.get("/outages/").content.decode()


def test_reporters_cannot_declare_link_or_resolve_nor_read_the_linked_calls(cast, client):
    outage = declare(cast)
    colleague = UserFactory(username="oak-colleague")
    MembershipFactory(user=colleague, school=cast.school, role="reporter")
    call = IncidentFactory(school=cast.school, by=colleague, summary="Mrs Hill's laptop cannot join the Wi-Fi")
    outage_link_calls(outage=outage, by=cast.spoc, incidents=[call])
    with pytest.raises(PermissionDenied):
        outage_declare(by=cast.reporter, schools=[cast.school], title="Not me")
    with pytest.raises(PermissionDenied):
        outage_resolve(outage=outage, by=cast.reporter, version=None, resolution="x")
    client.force_login(cast.reporter)
    assert client.get("/outages/new/").status_code == 403
    page = client.get(f"/outages/{outage.pk}/").content.decode()
    assert "/resolve/" not in page and "/link/" not in page
    assert "Mrs Hill" not in page, "a reporter read someone else's call on the outage page"
    assert client.post(f"/outages/{outage.pk}/resolve/", {"version": 1, "resolution": "x"}).status_code == 403


def test_a_technician_declares_an_outage_of_some_devices_or_a_service_from_the_page(cast, client):
    """What is affected: some devices (chosen from the register) or a service (a category of calls); the page says
    which. A place chosen without the place is refused, and what was typed is kept."""
    from schooldesk.assets.tests.factories import AssetFactory
    from schooldesk.incidents.models import Category
    from schooldesk.outages.models import Outage

    trolley = [AssetFactory(school=cast.school, tag=f"LAP-{n:02d}") for n in (1, 2, 3)]
    client.force_login(cast.technician)
    response = submit(
        client,
        "/outages/new/",
        action_contains="/outages/new/",
        title="Laptop trolley 2 will not charge",
        scope="assets",
        assets=[str(trolley[0].pk), str(trolley[2].pk)],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    devices = Outage.objects.get(title="Laptop trolley 2 will not charge")
    assert set(devices.assets.all()) == {trolley[0], trolley[2]} and devices.declared_by == cast.technician
    page = client.get(f"/outages/{devices.pk}/").content.decode()
    assert "Some devices: LAP-01, LAP-03" in page

    email = Category.objects.get(school=cast.school, name="Software")
    response = submit(
        client,
        "/outages/new/",
        action_contains="/outages/new/",
        title="Email is down",
        scope="service",
        category=str(email.pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Outage.objects.get(title="Email is down")
    assert service.category == email and service.scope == "service"

    response = submit(
        client, "/outages/new/", action_contains="/outages/new/", title="Hall projector dead", scope="location"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose which, for an outage of this kind." in html and 'value="Hall projector dead"' in html
    assert not Outage.objects.filter(title="Hall projector dead").exists()


def test_only_a_desk_of_every_school_it_affects_resolves_an_las_outage(cast, client):
    """An LA's broadband outage across two schools: one school's SPOC cannot close it for the other school's calls;
    the LA's officer can."""
    second = SchoolFactory(organisation=cast.school.organisation, name="Birch Primary School")
    officer = UserFactory(username="la-officer")
    Membership.objects.create(user=officer, organisation=cast.school.organisation, role="spoc")
    outage = outage_declare(by=officer, schools=[cast.school, second], title="Broadband provider down")
    with pytest.raises(PermissionDenied):
        outage_resolve(outage=outage, by=cast.spoc, version=None, resolution="Back up")
    client.force_login(cast.spoc)
    assert "/resolve/" not in client.get(f"/outages/{outage.pk}/").content.decode()
    outage_resolve(outage=outage, by=officer, version=None, resolution="The provider fixed the line.")
    outage.refresh_from_db()
    assert not outage.is_active and outage.resolved_by == officer


def test_the_outage_pages_cost_the_same_queries_for_few_rows_or_many(cast, client):
    """The list, an outage's page (its linked calls, the people affected and the calls offered to link) and the
    call list under the banner: a fixed number of queries whatever the number of rows."""

    def grow(outage, n, start):
        people = []
        for i in range(start, start + n):
            person = UserFactory(username=f"oak-affected-{i}")
            MembershipFactory(user=person, school=cast.school, role="reporter")
            outage_affected(outage=outage, by=person)
            people.append(person)
        calls = [IncidentFactory(school=cast.school, by=p, summary=f"No Wi-Fi {p.username}") for p in people]
        outage_link_calls(outage=outage, by=cast.spoc, incidents=calls[: n // 2])  # the others are offered to link
        declare(cast)

    def counts(outage) -> list[int]:
        found = []
        for url in ("/outages/", f"/outages/{outage.pk}/", "/incidents/", "/incidents/new/"):
            client.get(url)  # the banner's cache entry is warm, as on every page after the first
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, url
            found.append(len(ctx))
        return found

    outage = declare(cast)
    grow(outage, 2, 0)
    client.force_login(cast.spoc)
    few = counts(outage)
    grow(outage, 12, 2)
    client.force_login(cast.spoc)
    page = client.get(f"/outages/{outage.pk}/").content.decode()
    assert "14 people said they are affected" in page and page.count("No Wi-Fi oak-affected") == 14
    assert counts(outage) == few, "a page's count grew with its rows"
