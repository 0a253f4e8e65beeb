"""The People pages and their services (docs/decisions/0033): who may give which role, where; leavers; invitations;
the audit trail; the pages as one school's desk meets them."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from schooldesk.accounts import services
from schooldesk.accounts.models import Membership, User
from schooldesk.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from schooldesk.core.access import access_for
from schooldesk.core.models import AuditEntry
from schooldesk.core.tests.pages import rendered_form
from schooldesk.incidents.models import Incident
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_the_owner_gives_a_technician_a_role_and_it_is_audited_once_naming_the_owner(cast):
    membership, made = services.role_give(person=cast.technician, school=cast.school, role="spoc", by=cast.owner)
    assert made and membership.role == "spoc"
    entries = AuditEntry.objects.filter(action="grant", object_id=str(cast.technician.pk), changes__role="spoc")
    assert entries.count() == 1 and entries.get().actor == cast.owner
    # given again: nothing new, nothing audited
    _again, made = services.role_give(person=cast.technician, school=cast.school, role="spoc", by=cast.owner)
    assert not made and entries.count() == 1


def test_nobody_gives_a_role_above_their_own(cast):
    with pytest.raises(PermissionDenied):
        services.role_give(person=cast.technician, school=cast.school, role="owner", by=cast.spoc)
    # a technician, a viewer, a DPO run nobody's desk
    for who in (cast.technician, cast.viewer, cast.dpo, cast.reporter):
        with pytest.raises(PermissionDenied):
            services.role_give(person=cast.reporter, school=cast.school, role="reporter", by=who)
    # the SPOC may give the SPOC's own role and those below it
    services.role_give(person=cast.technician, school=cast.school, role="spoc", by=cast.spoc)


def test_dpo_and_dsl_are_given_only_by_the_ict_owner_or_above(cast):
    for role in ("dpo", "dsl"):
        with pytest.raises(PermissionDenied):
            services.role_give(person=cast.technician, school=cast.school, role=role, by=cast.spoc)
        services.role_give(person=cast.technician, school=cast.school, role=role, by=cast.owner)


def test_nobody_changes_the_roles_of_someone_above_them(cast):
    with pytest.raises(PermissionDenied):  # the SPOC cannot take a role from the owner, even one below theirs
        services.role_give(person=cast.owner, school=cast.school, role="technician", by=cast.spoc)
    reporter_role = MembershipFactory(user=cast.owner, school=cast.school, role="reporter")
    with pytest.raises(PermissionDenied):
        services.role_remove(membership=reporter_role, by=cast.spoc)
    with pytest.raises(PermissionDenied):
        services.person_deactivate(person=cast.owner, by=cast.spoc)


def test_nobody_acts_in_a_school_they_do_not_hold(cast, other):
    with pytest.raises(PermissionDenied):  # a person of another school: not theirs to see
        services.role_give(person=other.reporter, school=other.school, role="technician", by=cast.owner)
    with pytest.raises(PermissionDenied):  # their own person, in another school
        services.role_give(person=cast.reporter, school=other.school, role="technician", by=cast.owner)
    with pytest.raises(PermissionDenied):
        services.person_invite(
            email="new@example.org", first_name="A", last_name="B", school=other.school, role="reporter", by=cast.owner
        )
    with pytest.raises(PermissionDenied):
        services.person_deactivate(person=other.reporter, by=cast.owner)
    assert not User.objects.filter(email="new@example.org").exists()


def test_a_person_of_two_schools_is_not_signed_out_by_one_schools_desk(cast, other):
    MembershipFactory(user=cast.reporter, school=other.school, role="technician")
    with pytest.raises(PermissionDenied, match="also works in"):
        services.person_deactivate(person=cast.reporter, by=cast.owner)
    # … but either school can take its own role away
    services.role_remove(membership=cast.reporter.memberships.get(school=cast.school), by=cast.owner)


def test_nobody_deactivates_themselves_or_removes_their_own_last_owner_role(cast):
    with pytest.raises(ValidationError):
        services.person_deactivate(person=cast.owner, by=cast.owner)
    own = cast.owner.memberships.get(school=cast.school, role="owner")
    with pytest.raises(ValidationError, match="last ICT owner"):
        services.role_remove(membership=own, by=cast.owner)
    second = SchoolFactory(organisation=cast.school.organisation)
    MembershipFactory(user=cast.owner, school=second, role="owner")
    services.role_remove(membership=own, by=cast.owner)  # another owner role left: allowed
    assert not access_for(cast.owner).has_role(cast.school.pk, {"owner"})


def test_a_provider_role_is_tied_to_a_supplier_of_that_school(cast, other):
    with pytest.raises(ValidationError):
        services.role_give(person=cast.technician, school=cast.school, role="provider", by=cast.owner)
    with pytest.raises(ValidationError):
        services.role_give(
            person=cast.technician, school=cast.school, role="provider", supplier=other.supplier, by=cast.owner
        )
    membership, _made = services.role_give(
        person=cast.technician, school=cast.school, role="provider", supplier=cast.supplier, by=cast.owner
    )
    assert membership.supplier == cast.supplier


def test_an_la_officer_stands_above_the_schools_owner(cast):
    la = UserFactory()
    Membership.objects.create(user=la, organisation=cast.school.organisation, role="owner")
    services.person_deactivate(person=cast.owner, by=la)
    services.role_remove(membership=cast.owner.memberships.get(school=cast.school, role="owner"), by=la)
    with pytest.raises(PermissionDenied):  # the school's owner cannot touch the LA's officer
        services.person_deactivate(person=la, by=cast.spoc)


def signs_in(client, user, password=PASSWORD) -> bool:
    """Whether the sign-in form signed them in (allauth also answers a leaver with a redirect, to its "inactive"
    page, so the session is what tells)."""
    client.post("/accounts/login/", {"username": user.username, "password": password})
    signed_in = str(user.pk) == client.session.get("_auth_user_id")
    client.logout()
    return signed_in


def test_a_leaver_cannot_sign_in_but_their_calls_remain(cast, client):
    incident = IncidentFactory(school=cast.school, by=cast.reporter, summary="Projector flickers")
    services.person_deactivate(person=cast.reporter, by=cast.spoc)
    assert not signs_in(client, cast.reporter)
    assert Incident.objects.get(pk=incident.pk).reported_by == cast.reporter
    client.force_login(cast.spoc)
    assert "Projector flickers" in client.get(f"/incidents/{incident.pk}/").content.decode()
    assert AuditEntry.objects.filter(action="deactivate", object_id=str(cast.reporter.pk), actor=cast.spoc).exists()
    services.person_reactivate(person=cast.reporter, by=cast.spoc)
    client.logout()
    assert signs_in(client, cast.reporter)


def test_an_invited_person_chooses_a_password_through_a_link_that_works_once(
    cast, client, settings, django_capture_on_commit_callbacks
):
    settings.SCHOOLDESK_SITE_URL = "https://desk.example.sch.uk"
    with django_capture_on_commit_callbacks(execute=True):
        person, created = services.person_invite(
            email="Ann.Lee@Example.sch.uk",
            first_name="Ann",
            last_name="Lee",
            job_title="TA",
            school=cast.school,
            role="technician",
            by=cast.spoc,
        )
    assert created and not person.has_usable_password() and person.email == "ann.lee@example.sch.uk"
    assert access_for(User.objects.get(pk=person.pk)).has_role(cast.school.pk, {"technician"})
    assert AuditEntry.objects.filter(action="invite", object_id=str(person.pk), actor=cast.spoc).exists()
    [email] = mail.outbox
    assert email.to == [person.email] and cast.school.name in email.body
    link = re.search(r"https://desk\.example\.sch\.uk(/accounts/reset/\S+)", email.body).group(1)
    page = client.get(link, follow=True)
    new_password = "a-long-new-password-42"
    done = client.post(page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert signs_in(client, person, new_password)
    again = client.get(link, follow=True)
    assert b"new_password1" not in again.content  # used once: no longer valid
    # the same address again: the role is added, no second sign-in
    same, created = services.person_invite(
        email="ann.lee@example.sch.uk",
        first_name="Ann",
        last_name="Lee",
        school=cast.school,
        role="reporter",
        by=cast.spoc,
    )
    assert not created and same.pk == person.pk and User.objects.filter(email__iexact=person.email).count() == 1


def test_the_people_page_lists_filters_and_hides_other_schools(cast, other, client):
    from django.utils.html import escape

    def name(person):  # as the page shows it (a generated name may hold an apostrophe: O'Neill)
        return escape(person.get_full_name())

    client.force_login(cast.spoc)
    page = client.get("/accounts/people/").content.decode()
    assert name(cast.technician) in page and name(other.technician) not in page
    filtered = client.get("/accounts/people/", {"role": "technician"}).content.decode()
    assert name(cast.technician) in filtered and name(cast.viewer) not in filtered
    found = client.get("/accounts/people/", {"q": cast.viewer.email}).content.decode()
    assert name(cast.viewer) in found and name(cast.technician) not in found
    services.person_deactivate(person=cast.viewer, by=cast.spoc)
    left = client.get("/accounts/people/", {"state": "left"}).content.decode()
    assert name(cast.viewer) in left and name(cast.technician) not in left
    assert client.get(f"/accounts/people/{other.reporter.pk}/").status_code == 404
    client.force_login(cast.technician)
    assert client.get("/accounts/people/").status_code == 403


def test_the_spoc_gives_a_role_on_the_persons_page_as_it_renders_and_the_role_shows_next(cast, client):
    client.force_login(cast.spoc)
    url = f"/accounts/people/{cast.technician.pk}/"
    action, data = rendered_form(client, url, "/roles/")
    offered = re.findall(r'<option value="(\w+)"', client.get(url).content.decode())
    assert "owner" not in offered and "dpo" not in offered  # only the roles the SPOC may give
    response = client.post(action, {**data, "role": "spoc"})
    assert response.status_code == 302
    client.force_login(cast.technician)
    assert "People" in client.get("/").content.decode()  # the Desk menu's People link, on their next page
    assert client.get("/accounts/people/").status_code == 200


def test_the_export_lists_the_import_columns(cast, client):
    client.force_login(cast.owner)
    response = client.get("/accounts/people/export/")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.startswith("First name,Last name,Email,Job title,Roles,School")
    assert cast.technician.email in text


def test_a_refused_button_says_why_beside_it(cast, other, client):
    MembershipFactory(user=cast.reporter, school=other.school, role="reporter")
    client.force_login(cast.spoc)
    action, data = rendered_form(client, f"/accounts/people/{cast.reporter.pk}/", "/deactivate/")
    response = client.post(action, data)
    assert response.status_code == 400 and "also works in" in response.content.decode()
    assert User.objects.get(pk=cast.reporter.pk).is_active
    # the owner's roles are not offered to the SPOC to take away
    page = client.get(f"/accounts/people/{cast.owner.pk}/").content.decode()
    assert "/remove/" not in page


def test_reactivate_and_resend_the_invitation_as_the_page_renders_them(
    cast, client, django_capture_on_commit_callbacks
):
    services.person_deactivate(person=cast.viewer, by=cast.owner)
    client.force_login(cast.owner)
    action, data = rendered_form(client, f"/accounts/people/{cast.viewer.pk}/", "/reactivate/")
    assert client.post(action, data).status_code == 302 and User.objects.get(pk=cast.viewer.pk).is_active
    person, _created = services.person_invite(
        email="new@example.sch.uk",
        first_name="N",
        last_name="Ew",
        school=cast.school,
        role="reporter",
        by=cast.owner,
        send=False,
    )
    action, data = rendered_form(client, f"/accounts/people/{person.pk}/", "/invitation/")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(action, data).status_code == 302
    assert [m.to for m in mail.outbox] == [["new@example.sch.uk"]]


def test_the_list_costs_the_same_queries_whatever_the_number_of_people(cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.owner)
    client.get("/accounts/people/")
    with CaptureQueriesContext(connection) as few:
        client.get("/accounts/people/")
    for _n in range(20):
        MembershipFactory(user=UserFactory(), school=cast.school, role="reporter")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/accounts/people/")
    assert len(many) == len(few) and "Page 2 of 2" not in page.content.decode()  # 27 people: one page of 25 + 2
    assert "Page 1 of 2" in page.content.decode()


def test_the_people_pages_show_each_persons_two_step_sign_in(cast, client):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=cast.technician, type="totp", data={"secret": "x"})
    Authenticator.objects.create(user=cast.technician, type="recovery_codes", data={"seed": "x"})
    Authenticator.objects.create(user=cast.spoc, type="totp", data={"secret": "y"})
    Authenticator.objects.create(user=cast.spoc, type="webauthn", data={"name": "key", "credential": {}})
    client.force_login(cast.owner)
    page = client.get("/accounts/people/").content.decode()
    assert '<th scope="col">Two-step sign-in</th>' in page

    def cell(person):  # the row's own two-step cell
        row = re.search(rf'people/{person.pk}/".*?</tr>', page, re.S).group(0)
        return re.search(r'data-label="Two-step sign-in">(.*?)</td>', row, re.S).group(1)

    assert cell(cast.technician) == "Authenticator app"
    assert cell(cast.spoc) == "Authenticator app, passkey"
    assert cell(cast.viewer) == "Not set up"
    assert "Authenticator app" in client.get(f"/accounts/people/{cast.technician.pk}/").content.decode()
    detail = client.get(f"/accounts/people/{cast.viewer.pk}/").content.decode()
    assert re.search(r"Two-step sign-in</dt><dd[^>]*>Not set up</dd>", detail)
