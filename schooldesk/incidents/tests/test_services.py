"""The incident workflow through its services: states, timeline, permissions, versions,
attachments and notification emails."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.accounts.tests.factories import MembershipFactory, UserFactory
from schooldesk.core.exceptions import ConflictError
from schooldesk.core.uploads import attachment_validate
from schooldesk.incidents.choices import IncidentStatus, SupportLevel, UpdateKind
from schooldesk.incidents.models import Attachment, Category, Incident, IncidentUpdate
from schooldesk.incidents.services import (
    incident_assign,
    incident_cancel,
    incident_chase,
    incident_confirm,
    incident_escalate,
    incident_mark_duplicate,
    incident_reopen,
    incident_reply,
    incident_resolve,
    incident_resume,
    incident_triage,
    incident_wait,
)
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.locations.models import Location
from schooldesk.suppliers.models import Supplier

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """Run the after-commit side effects (Huey runs tasks immediately under test) and collect mail."""

    def _notify():
        mail.outbox.clear()
        return django_capture_on_commit_callbacks(execute=True)

    return _notify


def reload(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def category(school, name="Network and internet") -> Category:
    return Category.objects.get(school=school, name=name)


def statuses(incident) -> list[tuple[str, str]]:
    return list(incident.updates.filter(kind=UpdateKind.STATUS, field="status").values_list("old_value", "new_value"))


def triage(incident, by, version=None, **kwargs) -> Incident:
    options = {"category": None, "impact": "I3", "urgency": "U2"} | kwargs
    return incident_triage(incident=incident, by=by, version=version or incident.version, **options)


# --- the whole journey ----------------------------------------------------------------------------
def test_a_call_from_logging_to_confirmed_closure(cast, notify):
    with notify():
        incident = IncidentFactory(school=cast.school, by=cast.reporter, summary="Class 4 has no internet")
    assert incident.status == IncidentStatus.NEW
    assert incident.version == 1
    assert incident.reference == f"INC-{incident.pk:06d}"
    assert incident.reported_by == cast.reporter and incident.logged_by == cast.reporter
    assert mail.outbox == []  # nobody to tell: the reporter wrote it

    incident = triage(incident, cast.spoc, category=category(cast.school), impact="I2", urgency="U1")
    assert (incident.status, incident.priority, incident.version) == (IncidentStatus.OPEN, "P2", 2)
    assert incident.responded_at is not None
    body = incident.updates.get(kind=UpdateKind.TRIAGE).body
    assert "Category: Network and internet." in body
    assert "Impact: A class, teaching space, department or group (was One person or one device)." in body
    assert "Urgency: Teaching, statutory or safeguarding work stopped now (was Work impaired" in body
    assert "Priority: P2 – high (was P4 – low)." in body

    with notify():
        incident = incident_assign(incident=incident, by=cast.spoc, version=2, technician=cast.technician)
    assert (incident.status, incident.support_level, incident.version) == (
        IncidentStatus.WITH_FIRST_LEVEL,
        SupportLevel.FIRST,
        3,
    )
    # the technician gets the assignment; the reporter hears their call is with first-level support
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.technician.email, cast.reporter.email])
    to_technician = next(m for m in mail.outbox if m.to == [cast.technician.email])
    assert "Assignment by" in to_technician.body

    incident = incident_escalate(
        incident=incident,
        by=cast.technician,
        version=3,
        supplier=cast.supplier,
        reference=" BT-998877 ",
        note="Line down",
    )
    assert (incident.status, incident.support_level) == (
        IncidentStatus.WITH_SECOND_LEVEL,
        SupportLevel.SECOND,
    )
    assert incident.supplier == cast.supplier and incident.supplier_reference == "BT-998877"
    assert incident.escalated_at is not None
    escalation = incident.updates.get(kind=UpdateKind.ESCALATION)
    assert (escalation.field, escalation.old_value, escalation.new_value, escalation.body) == (
        "escalated_to",
        "BT-998877",
        cast.supplier.name,
        "Line down",
    )
    assert escalation.change_text == f"Escalated to {cast.supplier.name} (their ref BT-998877)"

    chase = incident_chase(incident=incident, by=cast.spoc, note="Rang BT: engineer Thursday")
    assert (chase.kind, chase.is_public, chase.author) == (UpdateKind.CHASE, False, cast.spoc)
    assert reload(incident).version == 4  # a chase is a note, not a change to the call

    incident = incident_wait(incident=incident, by=cast.technician, version=4, on="supplier")
    assert incident.status == IncidentStatus.WAITING_SUPPLIER and incident.is_paused

    with notify():
        incident_reply(incident=incident, by=cast.provider, body="Engineer booked for Thursday.")
    assert [m.to for m in mail.outbox] == [[cast.reporter.email]]
    incident = reload(incident)

    incident = incident_resume(incident=incident, by=cast.technician, version=incident.version)
    assert incident.status == IncidentStatus.WITH_SECOND_LEVEL and not incident.is_paused

    with notify():
        incident = incident_resolve(
            incident=incident,
            by=cast.provider,
            version=incident.version,
            resolution="Replaced the router.",
            minutes_spent=40,
        )
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_at is not None
    assert mail.outbox[0].to == [cast.reporter.email] and "Replaced the router." in mail.outbox[0].body

    incident = incident_confirm(incident=incident, by=cast.reporter, satisfaction="good", comment="Thanks!")
    assert (incident.status, incident.satisfaction, incident.version) == (IncidentStatus.CLOSED, "good", 9)
    assert incident.closed_at is not None
    assert statuses(incident) == [
        ("New", "Open (triaged)"),
        ("Open (triaged)", "With first-level support"),
        ("With first-level support", "With second-level provider"),
        ("With second-level provider", "Waiting on supplier"),
        ("Waiting on supplier", "With second-level provider"),
        ("With second-level provider", "Resolved"),
        ("Resolved", "Closed"),
    ]
    kinds = list(incident.updates.values_list("kind", flat=True))
    assert kinds[0] == UpdateKind.LOGGED and kinds[-1] == UpdateKind.STATUS
    assert UpdateKind.CONFIRMATION in kinds and UpdateKind.RESOLUTION in kinds


# --- logging --------------------------------------------------------------------------------------
def test_the_desk_logs_a_phone_call_for_someone_without_an_account(cast):
    incident = IncidentFactory(
        school=cast.school,
        by=cast.spoc,
        reporter_name="Mrs Patel (cook)",
        reporter_contact="ext 204",
        channel="phone",
    )
    assert incident.reported_by is None and incident.logged_by == cast.spoc
    assert incident.reporter_display == "Mrs Patel (cook)"
    assert "Phone" in incident.updates.get(kind=UpdateKind.LOGGED).body


def test_the_desk_logs_for_a_colleague_and_the_colleague_is_told(cast, notify):
    with notify():
        incident = IncidentFactory(school=cast.school, by=cast.spoc, reported_by=cast.reporter)
    assert incident.reported_by == cast.reporter
    assert [m.to for m in mail.outbox] == [[cast.reporter.email]]
    assert mail.outbox[0].subject == f"[{incident.reference}] {incident.summary}"
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_reporter_cannot_log_for_someone_else_or_set_the_priority(cast):
    with pytest.raises(PermissionDenied):
        IncidentFactory(school=cast.school, by=cast.reporter, reported_by=cast.viewer)
    with pytest.raises(PermissionDenied):
        IncidentFactory(school=cast.school, by=cast.reporter, reporter_name="My colleague")
    with pytest.raises(PermissionDenied):
        IncidentFactory(school=cast.school, by=cast.reporter, urgency="U1")
    assert not Incident.objects.exists()


def test_only_members_of_the_school_can_log_there(cast, other):
    with pytest.raises(PermissionDenied):
        IncidentFactory(school=cast.school, by=other.reporter)
    with pytest.raises(PermissionDenied):
        IncidentFactory(school=cast.school, by=other.spoc)


def test_location_and_category_must_belong_to_the_school(cast, other):
    with pytest.raises(ValidationError) as error:
        IncidentFactory(school=cast.school, by=cast.spoc, location=Location.objects.filter(school=other.school).first())
    assert "location" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        IncidentFactory(school=cast.school, by=cast.spoc, category=category(other.school))
    assert "category" in error.value.message_dict
    assert not Incident.objects.exists()


def test_an_archived_location_is_refused(cast):
    location = Location.objects.filter(school=cast.school).first()
    location.is_archived = True
    location.save()
    with pytest.raises(ValidationError, match="location"):
        IncidentFactory(school=cast.school, by=cast.reporter, location=location)


def test_an_empty_summary_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        IncidentFactory(school=cast.school, by=cast.reporter, summary="   ")
    assert "summary" in error.value.message_dict


# --- triage ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["reporter", "technician", "provider", "viewer", "dpo"])
def test_only_the_desk_can_triage(cast, role):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        triage(incident, getattr(cast, role), impact="I1", urgency="U1")
    assert reload(incident).status == IncidentStatus.NEW and reload(incident).version == 1


def test_the_owner_can_triage_but_another_schools_spoc_cannot(cast, other):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        triage(incident, other.spoc)
    assert triage(incident, cast.owner).status == IncidentStatus.OPEN


def test_triage_refuses_another_schools_category(cast, other):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError) as error:
        triage(incident, cast.spoc, category=category(other.school))
    assert "category" in error.value.message_dict
    assert reload(incident).category is None


def test_triage_without_changes_still_records_that_it_was_checked(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = triage(incident, cast.spoc)
    assert incident.updates.get(kind=UpdateKind.TRIAGE).body == "Checked, no changes."
    assert statuses(incident) == [("New", "Open (triaged)")]


def test_triage_can_restrict_a_call(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = triage(incident, cast.owner, is_restricted=True)
    assert reload(incident).is_restricted
    assert "Marked restricted." in incident.updates.get(kind=UpdateKind.TRIAGE).body


# --- versions -------------------------------------------------------------------------------------
def test_a_stale_version_raises_conflict_and_changes_nothing(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    stale = reload(incident)
    triage(incident, cast.spoc, version=1, impact="I1", urgency="U1")
    with pytest.raises(ConflictError) as error:
        triage(stale, cast.owner, version=1, impact="I3", urgency="U3")
    assert isinstance(error.value, ValidationError)  # forms show it like any other error
    assert "Someone else changed this call" in error.value.messages[0]
    current = reload(incident)
    assert (current.priority, current.version) == ("P1", 2)
    assert current.updates.filter(kind=UpdateKind.TRIAGE).count() == 1
    with pytest.raises(ConflictError):
        incident_assign(incident=stale, by=cast.spoc, version=1, technician=cast.technician)
    with pytest.raises(ConflictError):
        incident_resolve(incident=stale, by=cast.technician, version="1", resolution="x")
    assert reload(incident).assigned_to is None


def test_every_change_increments_the_version_by_one(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = triage(incident, cast.spoc)
    assert incident.version == 2 and reload(incident).version == 2
    incident_reply(incident=incident, by=cast.technician, body="On my way", is_public=True)
    assert reload(incident).version == 3


# --- assigning and escalating ---------------------------------------------------------------------
def test_a_technician_of_another_school_cannot_be_assigned(cast, other):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError) as error:
        incident_assign(incident=incident, by=cast.spoc, version=1, technician=other.technician)
    assert "technician" in error.value.message_dict
    with pytest.raises(ValidationError):
        incident_assign(incident=incident, by=cast.spoc, version=1, technician=cast.reporter)  # not support staff
    with pytest.raises(ValidationError):
        incident_assign(incident=incident, by=cast.spoc, version=1)  # nobody and no visit
    assert reload(incident).assigned_to is None and reload(incident).version == 1


@pytest.mark.parametrize("role", ["reporter", "technician", "provider"])
def test_only_the_desk_can_forward_calls(cast, role):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        incident_assign(incident=incident, by=getattr(cast, role), version=1, technician=cast.technician)


def test_assignment_records_old_and_new_and_tells_only_the_new_technician(cast, notify):
    second = UserFactory(username="oak-technician-2", first_name="Sam", last_name="Jones")
    MembershipFactory(user=second, school=cast.school, role="technician")
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_assign(incident=incident, by=cast.spoc, version=1, technician=cast.technician)
    with notify():
        incident = incident_assign(incident=incident, by=cast.spoc, version=2, technician=second, note="Sam's area")
    assert [m.to for m in mail.outbox] == [[second.email]]  # status unchanged: the reporter is not told again
    assert "Sam's area" in mail.outbox[0].body
    rows = list(incident.updates.filter(kind=UpdateKind.ASSIGNMENT).values_list("old_value", "new_value"))
    assert rows == [("", str(cast.technician)), (str(cast.technician), "Sam Jones")]

    with notify():
        incident = incident_assign(incident=incident, by=cast.spoc, version=3, next_visit=True)
    assert mail.outbox == []
    assert incident.assigned_to is None and incident.for_next_visit
    assert incident.updates.filter(kind=UpdateKind.ASSIGNMENT).last().change_text == (
        "Forwarded to the next scheduled technician visit"
    )


def test_nobody_is_emailed_about_assigning_a_call_to_themselves(cast, notify):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with notify():
        incident_assign(incident=incident, by=cast.spoc, version=1, technician=cast.spoc)
    assert cast.spoc.email not in [address for m in mail.outbox for address in m.to]
    assert [m.to for m in mail.outbox] == [[cast.reporter.email]]  # only the status change, to the reporter


def test_a_supplier_of_another_organisation_is_refused(cast, other):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError) as error:
        incident_escalate(incident=incident, by=cast.spoc, version=1, supplier=other.supplier)
    assert "supplier" in error.value.message_dict
    assert reload(incident).supplier is None


@pytest.mark.parametrize("role", ["reporter", "provider", "viewer"])
def test_only_support_staff_can_escalate(cast, role):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        incident_escalate(incident=incident, by=getattr(cast, role), version=1, supplier=cast.supplier)


def test_re_escalating_records_the_new_supplier_and_their_reference(cast):
    broadband = Supplier.objects.create(organisation=cast.school.organisation, name="Broadband Co")
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_escalate(incident=incident, by=cast.spoc, version=1, supplier=cast.supplier)
    incident = incident_escalate(incident=incident, by=cast.spoc, version=2, supplier=broadband, reference="B-1")
    first, last = incident.updates.filter(kind=UpdateKind.ESCALATION)
    assert first.change_text == f"Escalated to {cast.supplier.name}"  # the earlier row still names the first
    assert last.change_text == "Escalated to Broadband Co (their ref B-1)"


# --- providers work only their own supplier's calls -----------------------------------------------
def test_a_provider_cannot_touch_calls_not_escalated_to_their_supplier(cast):
    broadband = Supplier.objects.create(organisation=cast.school.organisation, name="Broadband Co")
    not_escalated = IncidentFactory(school=cast.school, by=cast.reporter)
    elsewhere = IncidentFactory(school=cast.school, by=cast.reporter)
    elsewhere = incident_escalate(incident=elsewhere, by=cast.spoc, version=1, supplier=broadband)
    for incident in (not_escalated, elsewhere):
        with pytest.raises(PermissionDenied):
            incident_reply(incident=incident, by=cast.provider, body="Hello")
        with pytest.raises(PermissionDenied):
            incident_resolve(incident=incident, by=cast.provider, version=incident.version, resolution="Done")
        with pytest.raises(PermissionDenied):
            incident_wait(incident=incident, by=cast.provider, version=incident.version, on="reporter")
        assert reload(incident).status != IncidentStatus.RESOLVED
    assert not IncidentUpdate.objects.filter(author=cast.provider).exists()


def test_a_provider_cannot_write_internal_notes_on_a_call_they_cannot_work(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        incident_reply(incident=incident, by=cast.provider, body="note", is_public=False)


# --- chasing and replies --------------------------------------------------------------------------
def test_a_chase_needs_a_note_staff_and_an_active_call(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError):
        incident_chase(incident=incident, by=cast.spoc, note="  ")
    with pytest.raises(PermissionDenied):
        incident_chase(incident=incident, by=cast.reporter, note="Any news?")
    incident = incident_cancel(incident=incident, by=cast.reporter, version=1, reason="Fixed itself")
    with pytest.raises(ValidationError):
        incident_chase(incident=incident, by=cast.spoc, note="Rang them")
    assert not incident.updates.filter(kind=UpdateKind.CHASE).exists()


def test_public_replies_reach_the_reporter_and_internal_notes_do_not(cast, notify):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with notify():
        note = incident_reply(
            incident=incident, by=cast.technician, body="Suspect the PSU", is_public=False, minutes_spent=15
        )
    assert mail.outbox == []
    assert (note.kind, note.is_public, note.minutes_spent) == (UpdateKind.NOTE, False, 15)
    assert reload(incident).responded_at is None  # an internal note is not a response

    with notify():
        reply = incident_reply(incident=incident, by=cast.technician, body="I'll come at break.")
    assert reply.kind == UpdateKind.REPLY and reply.is_public
    assert [m.to for m in mail.outbox] == [[cast.reporter.email]]
    assert "I'll come at break." in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["X-SchoolDesk-Reference"] == incident.reference
    assert reload(incident).responded_at is not None


def test_a_reporter_cannot_write_internal_notes_or_book_time(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    update = incident_reply(incident=incident, by=cast.reporter, body="Still broken", is_public=False, minutes_spent=90)
    assert (update.kind, update.is_public, update.minutes_spent) == (UpdateKind.REPLY, True, 0)


def test_people_not_involved_cannot_reply(cast, other):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    for person in (cast.viewer, cast.dpo, other.technician, other.spoc):
        with pytest.raises(PermissionDenied):
            incident_reply(incident=incident, by=person, body="Hello")
    with pytest.raises(ValidationError):
        incident_reply(incident=incident, by=cast.reporter, body="   ")


def test_waiting_on_the_reporter_asks_them_and_their_answer_emails_nobody(cast, notify):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with notify():
        incident = incident_wait(
            incident=incident, by=cast.technician, version=1, on="reporter", note="Which room is it?"
        )
    assert [m.to for m in mail.outbox] == [[cast.reporter.email]]
    assert "Which room is it?" in mail.outbox[0].body
    with notify():
        incident_reply(incident=incident, by=cast.reporter, body="Room 12")
    assert mail.outbox == []  # the reporter is not emailed about their own reply
    assert reload(incident).status == IncidentStatus.OPEN


# --- resolving, confirming, reopening -------------------------------------------------------------
def test_resolving_needs_support_staff_and_a_resolution(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        incident_resolve(incident=incident, by=cast.reporter, version=1, resolution="It works now")
    with pytest.raises(ValidationError) as error:
        incident_resolve(incident=incident, by=cast.technician, version=1, resolution=" ")
    assert "resolution" in error.value.message_dict
    incident = incident_resolve(
        incident=incident,
        by=cast.technician,
        version=1,
        resolution="Reseated the RAM",
        is_workaround=True,
        minutes_spent=20,
    )
    assert incident.is_workaround
    row = incident.updates.get(kind=UpdateKind.RESOLUTION)
    assert (row.body, row.field, row.minutes_spent) == ("Reseated the RAM", "workaround", 20)
    with pytest.raises(ValidationError):  # already resolved
        incident_resolve(incident=incident, by=cast.technician, version=incident.version, resolution="Again")


def test_confirming(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError, match="resolved"):
        incident_confirm(incident=incident, by=cast.reporter)
    incident = incident_resolve(incident=incident, by=cast.technician, version=1, resolution="Fixed")
    with pytest.raises(PermissionDenied):
        incident_confirm(incident=incident, by=cast.technician)  # neither the reporter nor the desk
    with pytest.raises(ValidationError):
        incident_confirm(incident=incident, by=cast.reporter, satisfaction="5")  # good, OK or poor now
    with pytest.raises(PermissionDenied):
        incident_confirm(incident=incident, by=cast.spoc, satisfaction="good")  # the desk cannot rate itself
    assert reload(incident).status == IncidentStatus.RESOLVED
    incident = incident_confirm(incident=incident, by=cast.spoc)  # the desk, on the reporter's behalf
    assert incident.status == IncidentStatus.CLOSED and incident.satisfaction == ""


def test_reopening(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError):
        incident_reopen(incident=incident, by=cast.reporter, reason="?")  # not resolved
    incident = incident_assign(incident=incident, by=cast.spoc, version=1, technician=cast.technician)
    incident = incident_resolve(incident=incident, by=cast.technician, version=2, resolution="Fixed")
    with pytest.raises(ValidationError):
        incident_reopen(incident=incident, by=cast.reporter, reason="  ")
    with pytest.raises(PermissionDenied):
        incident_reopen(incident=incident, by=cast.viewer, reason="Broken")
    incident = incident_reopen(incident=incident, by=cast.reporter, reason="Still no sound")
    assert incident.status == IncidentStatus.WITH_FIRST_LEVEL  # back to the technician who had it
    assert incident.resolved_at is None and incident.closed_at is None
    assert incident.updates.get(kind=UpdateKind.REOPENED).body == "Still no sound"
    assert statuses(incident)[-1] == ("Resolved", "With first-level support")


# --- cancelling and duplicates --------------------------------------------------------------------
def test_cancelling(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        incident_cancel(incident=incident, by=cast.technician, version=1, reason="Not needed")
    with pytest.raises(ValidationError):
        incident_cancel(incident=incident, by=cast.reporter, version=1, reason=" ")
    incident = incident_cancel(incident=incident, by=cast.reporter, version=1, reason="It fixed itself")
    assert incident.status == IncidentStatus.CANCELLED and incident.closed_at is not None
    assert statuses(incident) == [("New", "Cancelled")]
    assert incident.updates.get(kind=UpdateKind.STATUS).body == "It fixed itself"
    assert incident.sla_state(incident.closed_at) is None
    with pytest.raises(ValidationError):
        incident_cancel(incident=incident, by=cast.spoc, version=incident.version, reason="again")
    with pytest.raises(ValidationError):
        incident_reopen(incident=incident, by=cast.reporter, reason="Oh, it's back")


def test_marking_a_duplicate(cast):
    original = IncidentFactory(school=cast.school, by=cast.reporter, summary="Wi-Fi down in the hall")
    copy = IncidentFactory(school=cast.school, by=cast.viewer, summary="No Wi-Fi")
    with pytest.raises(PermissionDenied):
        incident_mark_duplicate(incident=copy, by=cast.technician, version=1, original=original)
    copy = incident_mark_duplicate(incident=copy, by=cast.spoc, version=1, original=original)
    assert copy.status == IncidentStatus.DUPLICATE and copy.duplicate_of == original
    assert copy.closed_at is not None
    assert (
        copy.updates.get(kind=UpdateKind.DUPLICATE).body == f"Duplicate of {original.reference}: Wi-Fi down in the hall"
    )
    note = original.updates.get(kind=UpdateKind.NOTE)
    assert note.body == f"{copy.reference} was linked as a duplicate of this call." and not note.is_public
    assert reload(original).status == IncidentStatus.NEW


def test_duplicate_rules(cast, other):
    first = IncidentFactory(school=cast.school, by=cast.reporter)
    second = IncidentFactory(school=cast.school, by=cast.reporter)
    foreign = IncidentFactory(school=other.school, by=other.reporter)
    with pytest.raises(ValidationError):
        incident_mark_duplicate(incident=first, by=cast.spoc, version=1, original=first)
    with pytest.raises(ValidationError):
        incident_mark_duplicate(incident=first, by=cast.spoc, version=1, original=foreign)
    second = incident_mark_duplicate(incident=second, by=cast.spoc, version=1, original=first)
    with pytest.raises(ValidationError):  # second is closed as a duplicate already
        incident_mark_duplicate(incident=second, by=cast.spoc, version=second.version, original=first)
    assert reload(first).status == IncidentStatus.NEW


def test_a_duplicate_does_not_leak_a_restricted_calls_summary(cast, notify):
    restricted = IncidentFactory(
        school=cast.school, by=cast.dpo, summary="Pupil shown unfiltered site in IT1", is_restricted=True
    )
    copy = IncidentFactory(school=cast.school, by=cast.reporter, summary="Filtering problem in IT1")
    with notify():
        copy = incident_mark_duplicate(incident=copy, by=cast.owner, version=1, original=restricted)
    body = copy.updates.get(kind=UpdateKind.DUPLICATE).body
    assert body == f"Duplicate of {restricted.reference}"
    assert all("unfiltered" not in m.body for m in mail.outbox)
    assert [m.to for m in mail.outbox] == [[cast.reporter.email]]


# --- attachments ----------------------------------------------------------------------------------
def test_allowed_attachments_are_stored_under_a_random_name(cast, media):
    files = [
        SimpleUploadedFile("Broken screen.PNG", PNG, content_type="image/png"),
        SimpleUploadedFile("invoice.pdf", PDF),
        SimpleUploadedFile("error.txt", b"Fatal: disk full\n"),
    ]
    incident = IncidentFactory(school=cast.school, by=cast.reporter, files=files)
    stored = list(Attachment.objects.filter(incident=incident).order_by("id"))
    assert [a.original_name for a in stored] == ["Broken screen.PNG", "invoice.pdf", "error.txt"]
    assert [a.content_type for a in stored] == ["image/png", "application/pdf", "text/plain"]
    assert [a.size for a in stored] == [len(PNG), len(PDF), len(b"Fatal: disk full\n")]
    logged = incident.updates.get(kind=UpdateKind.LOGGED)
    assert all(a.update == logged and a.uploaded_by == cast.reporter for a in stored)
    png = stored[0]
    assert png.stored_name.endswith(".png") and "Broken" not in png.stored_name
    path = Path(png.file.path)
    assert path.is_relative_to(media) and path.read_bytes() == PNG
    assert path.parent == Path(media) / "attachments" / str(cast.school.pk) / str(incident.pk)


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "image.svg", "README", "backup.tar.gz", "x.png.exe"])
def test_disallowed_types_are_refused_and_nothing_is_logged(cast, name):
    with pytest.raises(ValidationError, match="not a file type we accept"):
        IncidentFactory(school=cast.school, by=cast.reporter, files=[SimpleUploadedFile(name, b"MZ\x90\x00")])
    assert not Incident.objects.exists() and not Attachment.objects.exists()


def test_oversize_files_are_refused(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PNG)
    attachment_validate(SimpleUploadedFile("exact.png", PNG))  # at the limit: fine
    with pytest.raises(ValidationError, match="larger than"):
        attachment_validate(SimpleUploadedFile("big.png", PNG + b"\x00"))
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError):
        incident_reply(
            incident=incident, by=cast.reporter, body="photo", files=[SimpleUploadedFile("big.png", PNG * 2)]
        )
    assert not incident.updates.filter(kind=UpdateKind.REPLY).exists()
    assert reload(incident).version == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("scan.pdf", b"<html>"),
        ("pic.jpg", b"GIF89a"),
        ("sheet.xlsx", b"%PDF-1.4"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(cast, name, content):
    with pytest.raises(ValidationError, match="does not look like"):
        attachment_validate(SimpleUploadedFile(name, content))
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError):
        incident_reply(
            incident=incident, by=cast.technician, body="see file", files=[SimpleUploadedFile(name, content)]
        )
    assert not Attachment.objects.exists()


def test_reply_with_only_an_attachment(cast):
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    update = incident_reply(incident=incident, by=cast.reporter, body="", files=[SimpleUploadedFile("a.png", PNG)])
    assert update.attachments.get().original_name == "a.png"
    attachment_validate(SimpleUploadedFile("report.docx", b"PK\x03\x04rest"))  # Office files are zip archives


# --- background work runs immediately in tests ----------------------------------------------------
def test_huey_runs_tasks_immediately_under_pytest():
    assert django_settings.HUEY["immediate"] is True


def test_archived_category_refused_for_new_triage(cast):
    from schooldesk.incidents.models import Category
    from schooldesk.incidents.services import incident_triage
    from schooldesk.incidents.tests.factories import IncidentFactory

    category = Category.objects.create(school=cast.school, name="Old kit", is_archived=True)
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(ValidationError):
        incident_triage(
            incident=incident, by=cast.spoc, version=incident.version, category=category, impact="I3", urgency="U2"
        )


def test_reporter_cannot_reply_to_a_closed_call_but_can_reopen(cast):
    from schooldesk.incidents.services import incident_confirm, incident_reopen, incident_reply, incident_resolve
    from schooldesk.incidents.tests.factories import IncidentFactory

    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_resolve(incident=incident, by=cast.technician, version=incident.version, resolution="Fixed")
    incident = incident_confirm(incident=incident, by=cast.reporter)
    with pytest.raises(ValidationError, match="closed"):
        incident_reply(incident=incident, by=cast.reporter, body="It broke again")
    assert incident_reopen(incident=incident, by=cast.reporter, reason="It broke again").status != "closed"


def test_triage_can_correct_the_location_within_the_school(cast, other):
    from schooldesk.incidents.services import incident_triage
    from schooldesk.incidents.tests.factories import IncidentFactory
    from schooldesk.locations.models import Location

    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    library = Location.objects.get(school=cast.school, name="Library")
    assert incident.location != library
    before = incident.location.name
    incident = incident_triage(
        incident=incident,
        by=cast.spoc,
        version=incident.version,
        category=None,
        impact="I3",
        urgency="U2",
        location=library,
    )
    assert incident.location == library
    assert incident.updates.filter(kind="triage").last().body == f"Where: Library (was {before})."
    foreign = Location.objects.filter(school=other.school).first()
    with pytest.raises(ValidationError):
        incident_triage(
            incident=incident,
            by=cast.spoc,
            version=incident.version,
            category=None,
            impact="I3",
            urgency="U2",
            location=foreign,
        )


def test_a_caller_without_an_account_replies_as_the_reporter(cast):
    from schooldesk.incidents.services import incident_reply, incident_wait
    from schooldesk.incidents.tests.factories import IncidentFactory

    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    incident = incident_wait(incident=incident, by=cast.technician, version=incident.version, on="reporter")
    update = incident_reply(incident=incident, by=None, body="It works now", from_caller="Mr Patel")
    incident.refresh_from_db()
    assert update.is_public and update.body.startswith("Mr Patel wrote:")
    assert incident.status != "waiting_reporter" and incident.sla_paused_at is None
    assert incident.responded_at is None  # a caller's message is not the desk's response
