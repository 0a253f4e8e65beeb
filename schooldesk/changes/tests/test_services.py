"""Requests for change through their services: only the owner authorises, standard changes are
pre-authorised, milestones give progress, completion puts the new kit and licences into the registers
(through their services) in one step and updates the changed assets; the diary follows the plan."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schooldesk.assets.models import Asset, AssetEvent
from schooldesk.assets.tests.factories import AssetFactory, asset_type
from schooldesk.changes.choices import ChangeStatus, Decision
from schooldesk.changes.models import Approval, ChangeRequest, StandardChange
from schooldesk.changes.services import (
    affected_asset_add,
    change_complete,
    change_decide,
    change_review,
    change_submit,
    change_update,
    change_withdraw,
    milestone_add,
    milestone_done,
    milestone_remove,
    new_asset_add,
    new_licence_add,
    standard_change_save,
)
from schooldesk.changes.tests.factories import ChangeFactory, authorised_change
from schooldesk.core.exceptions import ConflictError
from schooldesk.diary.models import DiaryEntry
from schooldesk.licences.models import Licence
from schooldesk.locations.models import Location
from schooldesk.problems.tests.factories import ProblemFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def fresh(change) -> ChangeRequest:
    return ChangeRequest.objects.get(pk=change.pk)


def submitted(cast, **kwargs) -> ChangeRequest:
    change = ChangeFactory(school=cast.school, by=cast.technician, **kwargs)
    return change_submit(change=change, by=cast.spoc, version=change.version)


@pytest.mark.parametrize("role", ["spoc", "technician", "viewer", "reporter", "provider"])
def test_only_the_owner_authorises_a_change(cast, role):
    change = submitted(cast)
    with pytest.raises(PermissionDenied):
        change_decide(change=change, by=getattr(cast, role), version=change.version, authorise=True, reason="Fine")
    assert fresh(change).status == ChangeStatus.SUBMITTED and not Approval.objects.exists()


def test_the_owner_authorises_with_a_reason_shown_on_the_change(cast):
    change = submitted(cast)
    with pytest.raises(ValidationError):
        change_decide(change=change, by=cast.owner, version=change.version, authorise=True, reason=" ")
    approval = change_decide(
        change=change, by=cast.owner, version=change.version, authorise=True, reason="Within budget"
    )
    change = fresh(change)
    assert change.status == ChangeStatus.AUTHORISED and change.decided_at
    assert (approval.decision, approval.reason, approval.decided_by) == (
        Decision.AUTHORISED,
        "Within budget",
        cast.owner,
    )
    with pytest.raises(ValidationError):  # decided already
        change_decide(change=change, by=cast.owner, version=change.version, authorise=False, reason="No")


def test_a_rejected_change_records_why(cast):
    change = submitted(cast)
    change_decide(change=change, by=cast.owner, version=change.version, authorise=False, reason="No budget")
    assert fresh(change).status == ChangeStatus.REJECTED
    assert Approval.objects.get().decision == Decision.REJECTED


def test_a_standard_change_is_pre_authorised_by_the_owner_and_authorised_on_submit(cast):
    with pytest.raises(PermissionDenied):
        standard_change_save(
            standard=StandardChange(
                school=cast.school, title="New printer", description="Steps", authorised_by=cast.owner
            ),
            by=cast.spoc,
        )
    standard = standard_change_save(
        standard=StandardChange(school=cast.school, title="New printer", description="Steps", authorised_by=cast.spoc),
        by=cast.owner,
    )
    assert standard.authorised_by == cast.owner
    with pytest.raises(ValidationError):  # a standard change names its pre-authorisation
        ChangeFactory(school=cast.school, by=cast.spoc, change_type="standard")
    change = ChangeFactory(school=cast.school, by=cast.spoc, change_type="standard", standard_change=standard)
    change = change_submit(change=change, by=cast.spoc, version=change.version)
    assert change.status == ChangeStatus.AUTHORISED
    approval = Approval.objects.get(change=change)
    assert (approval.decision, approval.decided_by, approval.standard_change) == (
        Decision.PREAUTHORISED,
        cast.owner,
        standard,
    )


def test_the_request_is_fixed_once_authorised_but_the_plan_moves(cast):
    change = authorised_change(cast)
    with pytest.raises(ValidationError):
        change_update(change=change, by=cast.spoc, version=change.version, estimated_cost=Decimal("99999"))
    change = change_update(
        change=fresh(change),
        by=cast.spoc,
        version=fresh(change).version,
        planned_on=TODAY() + timedelta(days=3),
        assigned_to=cast.technician,
    )
    assert change.planned_on == TODAY() + timedelta(days=3)
    with pytest.raises(ConflictError):
        change_update(change=change, by=cast.spoc, version=change.version - 1, planned_on=TODAY())


def test_milestones_give_progress_and_go_into_the_diary(cast):
    change = authorised_change(cast, milestones=2, planned_on=TODAY() + timedelta(days=5))
    keys = set(DiaryEntry.objects.filter(school=cast.school).values_list("generated_key", flat=True))
    milestones = list(change.milestones.all())
    assert keys == {f"change:{change.pk}:implementation"} | {f"change:{change.pk}:milestone:{m.pk}" for m in milestones}
    entry = DiaryEntry.objects.get(generated_key=f"change:{change.pk}:milestone:{milestones[0].pk}")
    assert entry.change == change  # linked, so the diary entry leads back to the change
    assert entry.kind == "milestone" and entry.person == cast.technician and change.reference in entry.title
    milestone_done(milestone=milestones[0], by=cast.technician)
    assert change.milestones.filter(done_at__isnull=False).count() == 1
    milestone_remove(milestone=milestones[1], by=cast.spoc)
    assert DiaryEntry.objects.filter(school=cast.school).count() == 2
    change_withdraw(change=fresh(change), by=cast.spoc, version=fresh(change).version, reason="Not needed")
    assert not DiaryEntry.objects.filter(school=cast.school).exists()


def test_drafts_are_not_in_the_diary(cast):
    change = ChangeFactory(school=cast.school, by=cast.spoc, planned_on=TODAY())
    milestone_add(change=change, by=cast.spoc, title="Order", due_on=TODAY())
    assert not DiaryEntry.objects.exists()


def test_completion_puts_the_new_kit_and_licences_into_the_registers_in_one_step(cast):
    room, store = list(Location.objects.filter(school=cast.school)[:2])
    old = AssetFactory(school=cast.school, tag="OAK-AP-OLD", type_name="Access point", location=room)
    change = ChangeFactory(school=cast.school, by=cast.technician, problem=ProblemFactory(school=cast.school))
    new_asset_add(
        change=change,
        by=cast.technician,
        tag="OAK-AP-NEW",
        asset_type=asset_type(cast.school, "Access point"),
        make="Ubiquiti",
        model="U6 Pro",
        location=room,
        cost=Decimal("165.00"),
        supplier=cast.supplier,
    )
    new_licence_add(
        change=change,
        by=cast.technician,
        product="UniFi controller",
        licence_type="per_device",
        quantity=2,
        cost=Decimal("20.00"),
    )
    affected_asset_add(
        change=change, by=cast.technician, asset=old, new_location=store, new_status="spare", note="Kept as a spare"
    )
    milestone_add(change=change, by=cast.technician, title="Install", due_on=TODAY())
    change = change_submit(change=fresh(change), by=cast.spoc, version=fresh(change).version)
    change_decide(change=change, by=cast.owner, version=change.version, authorise=True, reason="Yes")
    with pytest.raises(ValidationError):  # the milestone is still open
        change_complete(
            change=fresh(change),
            by=cast.spoc,
            version=fresh(change).version,
            outcome="successful",
            implemented_on=TODAY(),
        )
    milestone_done(milestone=change.milestones.get(), by=cast.technician)
    with pytest.raises(PermissionDenied):  # the desk keeps the registers
        change_complete(
            change=fresh(change),
            by=cast.technician,
            version=fresh(change).version,
            outcome="successful",
            implemented_on=TODAY(),
        )
    change = change_complete(
        change=fresh(change), by=cast.spoc, version=fresh(change).version, outcome="successful", implemented_on=TODAY()
    )
    assert change.status == ChangeStatus.IMPLEMENTED and change.outcome == "successful"
    asset = Asset.objects.get(tag="OAK-AP-NEW")
    assert (asset.location, asset.cost, asset.supplier, asset.order_reference, asset.purchased_on) == (
        room,
        Decimal("165.00"),
        cast.supplier,
        change.reference,
        TODAY(),
    )
    assert AssetEvent.objects.filter(asset=asset, kind="created", note__contains=change.reference).exists()
    assert change.new_assets.get().asset == asset
    licence = Licence.objects.get(product="UniFi controller")
    assert (licence.school, licence.quantity, licence.order_reference) == (cast.school, 2, change.reference)
    old.refresh_from_db()
    assert (old.location, old.status) == (store, "spare")
    assert AssetEvent.objects.filter(asset=old, kind="moved", note__contains=change.reference).exists()
    assert change.events.filter(kind="registers").exists()
    change = change_review(change=change, by=cast.owner, version=change.version, review="Wi-Fi is stable now.")
    assert change.status == ChangeStatus.CLOSED and change.reviewed_by == cast.owner


def test_a_refused_register_entry_saves_nothing(cast):
    AssetFactory(school=cast.school, tag="OAK-TAKEN")
    change = authorised_change(cast)
    item = new_asset_add(
        change=ChangeFactory(school=cast.school, by=cast.spoc),
        by=cast.spoc,
        tag="OAK-LATER",
        asset_type=asset_type(cast.school, "Laptop"),
    )
    item.change = change  # planned on another change, then the tag was taken in the register meanwhile
    item.tag = "OAK-TAKEN"
    item.save()
    new_licence_add(change=change, by=cast.spoc, product="Site software", licence_type="site")
    with pytest.raises(ValidationError) as caught:
        change_complete(
            change=fresh(change),
            by=cast.spoc,
            version=fresh(change).version,
            outcome="successful",
            implemented_on=TODAY(),
        )
    assert "OAK-TAKEN" in str(caught.value)
    assert fresh(change).status == ChangeStatus.AUTHORISED
    assert not Licence.objects.exists() and Asset.objects.count() == 1


def test_a_failed_change_registers_nothing(cast):
    change = authorised_change(cast)
    new_asset_add(change=change, by=cast.spoc, tag="OAK-NEVER", asset_type=asset_type(cast.school, "Laptop"))
    change = change_complete(
        change=fresh(change),
        by=cast.owner,
        version=fresh(change).version,
        outcome="backed_out",
        implemented_on=TODAY(),
        note="Broke the VPN",
    )
    assert change.status == ChangeStatus.FAILED and not Asset.objects.filter(tag="OAK-NEVER").exists()
    with pytest.raises(ValidationError):
        change_complete(
            change=change, by=cast.owner, version=change.version, outcome="successful", implemented_on=TODAY()
        )


def test_plan_items_of_another_school_are_refused(cast, other):
    change = ChangeFactory(school=cast.school, by=cast.spoc)
    theirs = AssetFactory(school=other.school, tag="ELM-1")
    with pytest.raises(ValidationError):
        affected_asset_add(change=change, by=cast.spoc, asset=theirs)
    with pytest.raises(ValidationError):
        new_asset_add(change=change, by=cast.spoc, tag="X", asset_type=asset_type(other.school, "Laptop"))
    with pytest.raises(ValidationError):
        milestone_add(change=change, by=cast.spoc, title="Go", due_on=TODAY(), assigned_to=other.technician)
    with pytest.raises(PermissionDenied):
        milestone_add(change=change, by=other.spoc, title="Go", due_on=TODAY())
    assert not change.milestones.exists() and not change.affected_assets.exists()


def test_a_closed_plan_cannot_change(cast):
    change = authorised_change(cast)
    change = change_complete(
        change=change, by=cast.spoc, version=change.version, outcome="successful", implemented_on=TODAY()
    )
    with pytest.raises(ValidationError):
        milestone_add(change=change, by=cast.spoc, title="Late step", due_on=TODAY())
    with pytest.raises(ValidationError):
        change_complete(
            change=change,
            by=cast.spoc,
            version=change.version,
            outcome="successful",
            implemented_on=TODAY() + timedelta(days=1),
        )
