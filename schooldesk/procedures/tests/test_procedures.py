"""Procedures: the SPOC proposes, only the ICT owner authorises, the authorised version becomes current;
history says who authorised what and when; everyone in school reads the current ones."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape

from schooldesk.core.tests.pages import count_queries
from schooldesk.procedures.choices import STARTER_PROCEDURES, VersionStatus
from schooldesk.procedures.models import Procedure, ProcedureVersion
from schooldesk.procedures.services import (
    procedure_create,
    procedure_decide,
    procedure_propose,
    procedure_withdraw,
    procedures_starter_create,
)

pytestmark = pytest.mark.django_db


def in_force(cast, title="How to report a fault", body="1. Use the form."):
    version = procedure_create(school=cast.school, by=cast.spoc, title=title, body=body)
    return procedure_decide(version=version, by=cast.owner, authorise=True).procedure


def test_a_proposal_becomes_current_only_when_the_owner_authorises_it(cast):
    version = procedure_create(school=cast.school, by=cast.spoc, title="Password resets", body="Call the desk.")
    procedure = version.procedure
    assert procedure.current_version is None and version.status == VersionStatus.PROPOSED
    with pytest.raises(PermissionDenied):
        procedure_decide(version=version, by=cast.spoc, authorise=True)
    assert ProcedureVersion.objects.get().status == VersionStatus.PROPOSED
    version = procedure_decide(version=version, by=cast.owner, authorise=True)
    procedure.refresh_from_db()
    assert procedure.current_version == version and version.decided_by == cast.owner and version.decided_at


def test_a_change_supersedes_the_current_version_and_history_says_who_and_when(cast):
    procedure = in_force(cast)
    first = procedure.current_version
    with pytest.raises(ValidationError):  # say why
        procedure_propose(procedure=procedure, by=cast.spoc, title=procedure.title, body="1. Use the app.", note="")
    second = procedure_propose(
        procedure=procedure, by=cast.spoc, title=procedure.title, body="1. Use the app.", note="The app is out"
    )
    with pytest.raises(ValidationError):  # one proposal at a time
        procedure_propose(procedure=procedure, by=cast.owner, title=procedure.title, body="2", note="Other")
    procedure_decide(version=second, by=cast.owner, authorise=True)
    procedure.refresh_from_db()
    first.refresh_from_db()
    assert procedure.current_version == second and second.number == 2
    assert first.status == VersionStatus.SUPERSEDED
    third = procedure_propose(procedure=procedure, by=cast.spoc, title="Reporting faults", body="3", note="Shorter")
    with pytest.raises(ValidationError):  # turning down needs a reason
        procedure_decide(version=third, by=cast.owner, authorise=False)
    procedure_decide(version=third, by=cast.owner, authorise=False, reason="Too short")
    procedure.refresh_from_db()
    assert procedure.current_version == second and procedure.title == "How to report a fault"
    assert list(procedure.versions.values_list("number", "status")) == [
        (3, "rejected"),
        (2, "current"),
        (1, "superseded"),
    ]


@pytest.mark.parametrize("role", ["technician", "reporter", "viewer"])
def test_only_the_desk_proposes(cast, role):
    with pytest.raises(PermissionDenied):
        procedure_create(school=cast.school, by=getattr(cast, role), title="X", body="Y")


def test_withdrawing_a_proposal(cast):
    procedure = in_force(cast)
    proposal = procedure_propose(procedure=procedure, by=cast.spoc, title=procedure.title, body="New", note="Why")
    procedure_withdraw(version=proposal, by=cast.spoc)
    with pytest.raises(ValidationError):
        procedure_decide(version=proposal, by=cast.owner, authorise=True)
    assert (
        procedure_propose(procedure=procedure, by=cast.spoc, title=procedure.title, body="Again", note="Why").number
        == 3
    )


def test_the_starting_set_is_filled_in_with_the_schools_details(cast):
    cast.spoc.first_name, cast.spoc.last_name = "Siobhán", "O'Connor"  # the body is text: kept as typed
    cast.spoc.save()
    cast.school.spoc, cast.school.desk_phone = cast.spoc, "01632 960000"
    cast.school.save()
    made = procedures_starter_create(school=cast.school, by=cast.spoc)
    assert len(made) == len(STARTER_PROCEDURES) == 6
    hours = ProcedureVersion.objects.get(title="The SPOC's hours and cover").body
    assert "is Siobhán O'Connor, available" in hours and "08:00 to 16:00" in hours and "{" not in hours
    assert "01632 960000" in ProcedureVersion.objects.get(title="What counts as a priority 1").body
    resets = ProcedureVersion.objects.get(title="Password resets and locked accounts").body
    assert "the number the school holds) before anything is reset" in resets  # one line per step, not hard-wrapped
    assert "\n2. Pupils:" in resets
    assert procedures_starter_create(school=cast.school, by=cast.spoc) == []  # not twice


def test_everyone_in_school_reads_current_procedures_but_not_proposals(cast, other, login):
    procedure = in_force(cast, body="Phone the office on 0123.")
    procedure_propose(procedure=procedure, by=cast.spoc, title=procedure.title, body="SECRET DRAFT", note="Draft")
    draft_only = procedure_create(school=cast.school, by=cast.spoc, title="Unreleased", body="Not yet").procedure
    client = login(cast.reporter)
    listing = client.get("/procedures/").content.decode()
    assert procedure.title in listing and "Unreleased" not in listing
    page = client.get(f"/procedures/{procedure.pk}/").content.decode()
    assert "Phone the office on 0123." in page and "SECRET DRAFT" not in page and escape(str(cast.owner)) in page
    assert client.get(f"/procedures/{draft_only.pk}/").status_code == 404
    assert client.get(f"/procedures/{procedure.pk}/propose/").status_code == 403
    assert "SECRET DRAFT" in login(cast.spoc).get(f"/procedures/{procedure.pk}/").content.decode()
    assert login(other.owner).get(f"/procedures/{procedure.pk}/").status_code == 404


def test_the_spoc_cannot_authorise_from_the_page_and_the_owner_can(cast, login):
    procedure = in_force(cast)
    proposal = procedure_propose(procedure=procedure, by=cast.spoc, title=procedure.title, body="v2", note="Why")
    spoc = login(cast.spoc)
    assert b"Record the decision" not in spoc.get(f"/procedures/{procedure.pk}/").content
    refused = spoc.post(f"/procedures/{procedure.pk}/versions/{proposal.pk}/decide/", {"decision": "authorise"})
    assert refused.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == VersionStatus.PROPOSED
    owner = login(cast.owner)
    no_reason = owner.post(f"/procedures/{procedure.pk}/versions/{proposal.pk}/decide/", {"decision": "reject"})
    assert no_reason.status_code == 400 and b"Say why it is not authorised" in no_reason.content
    owner.post(f"/procedures/{procedure.pk}/versions/{proposal.pk}/decide/", {"decision": "authorise"})
    procedure.refresh_from_db()
    assert procedure.current_version == proposal


def test_a_proposal_from_the_page_keeps_bad_input(cast, login):
    procedure = in_force(cast)
    client = login(cast.spoc)
    response = client.post(
        f"/procedures/{procedure.pk}/propose/", {"title": procedure.title, "body": "New text", "note": ""}
    )
    assert response.status_code == 400 and b"New text" in response.content
    assert procedure.versions.count() == 1


@pytest.mark.parametrize("url", ["/procedures/", "/procedures/{pk}/", "/procedures/{pk}/versions/{version}/"])
def test_procedure_pages_do_a_fixed_number_of_queries(cast, login, url):
    def grow(n):
        for _ in range(n):
            p = in_force(cast, title=f"Procedure {Procedure.objects.count()}")
            procedure_propose(procedure=p, by=cast.spoc, title=p.title, body="v2", note="more")

    grow(2)
    first = Procedure.objects.order_by("pk").first()
    client = login(cast.spoc)
    target = url.format(pk=first.pk, version=first.current_version_id)
    small = count_queries(client, target)
    grow(10)
    for n in range(3):
        version = ProcedureVersion.objects.get(procedure=first, status="proposed")
        procedure_decide(version=version, by=cast.owner, authorise=True)
        procedure_propose(procedure=first, by=cast.spoc, title=first.title, body=f"v{n + 3}", note="again")
    client = login(cast.spoc)
    assert count_queries(client, target) == small
