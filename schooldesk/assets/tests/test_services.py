"""The asset register's services: uniqueness, school consistency, history of moves and changes,
issue/return/loans, disposal, bulk changes, relationships and the audit by scan."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from schooldesk.assets import services
from schooldesk.assets.choices import AssetStatus, EventKind
from schooldesk.assets.models import Asset, AssetEvent, AssetType
from schooldesk.assets.selectors import asset_audit_check, assets_affected_by, scanned_codes
from schooldesk.assets.tests.factories import AssetFactory, asset_type
from schooldesk.core.exceptions import ConflictError
from schooldesk.locations.models import Location

pytestmark = pytest.mark.django_db


def room(school, name):
    return Location.objects.get_or_create(school=school, name=name)[0]


def test_a_new_school_gets_the_preset_types_once(cast):
    services.asset_types_ensure(school=cast.school)
    services.asset_types_ensure(school_ids=[cast.school.pk])
    names = set(AssetType.objects.filter(school=cast.school).values_list("name", flat=True))
    assert {"Laptop", "Chromebook", "Interactive panel or whiteboard", "Access point", "Server"} <= names
    assert AssetType.objects.filter(school=cast.school).count() == 15


def test_adding_an_asset_writes_its_history_and_reference(cast):
    asset = AssetFactory(
        school=cast.school, by=cast.spoc, tag="OAK-0001", serial="SN1", location=room(cast.school, "Library")
    )
    assert asset.reference == f"AST-{asset.pk:06d}"
    event = asset.events.get()
    assert event.kind == EventKind.CREATED and event.by == cast.spoc
    assert Asset.objects.with_reference(asset.reference).get() == asset
    assert Asset.objects.with_reference("oak-0001").get() == asset


@pytest.mark.parametrize("tag", ["OAK-0001", "oak-0001", "  OAK-0001 "])
def test_duplicate_tag_in_the_same_school_is_refused_with_a_message(cast, tag):
    first = AssetFactory(school=cast.school, tag="OAK-0001")
    with pytest.raises(ValidationError) as error:
        AssetFactory(school=cast.school, tag=tag)
    message = error.value.message_dict["tag"][0]
    assert "already used by" in message and first.reference in message
    assert Asset.objects.count() == 1


def test_duplicate_serial_in_the_same_school_is_refused_but_other_schools_may_repeat(cast, other):
    AssetFactory(school=cast.school, tag="A1", serial="5CG1234XYZ")
    with pytest.raises(ValidationError) as error:
        AssetFactory(school=cast.school, tag="A2", serial="5cg1234xyz")
    assert "already recorded for A1" in error.value.message_dict["serial"][0]
    AssetFactory(school=other.school, tag="A1", serial="5CG1234XYZ")  # another school: fine
    AssetFactory(school=cast.school, tag="A3", serial="")  # no serial: many allowed
    AssetFactory(school=cast.school, tag="A4", serial="")
    assert Asset.objects.count() == 4


def test_the_database_itself_refuses_duplicates_and_the_refusal_reads_well(cast):
    """What a race gets past the service's check, the unique constraints still refuse (tags case-insensitively,
    serials only when given); the service turns that refusal into a message on the right field."""
    AssetFactory(school=cast.school, tag="RACE-1", serial="SN-RACE")
    kind = asset_type(cast.school)
    for fields, field in (({"tag": "race-1"}, "tag"), ({"tag": "RACE-2", "serial": "sn-race"}, "serial")):
        twin = Asset(school=cast.school, asset_type=kind, **fields)
        with pytest.raises(IntegrityError) as refused, transaction.atomic():
            twin.save()
        message = services.duplicate_message(refused.value, twin).message_dict
        assert list(message) == [field] and "Another asset in this school already has" in message[field][0]


def test_another_schools_location_type_or_supplier_is_refused(cast, other):
    foreign_room = Location.objects.filter(school=other.school).first()
    with pytest.raises(ValidationError) as error:
        AssetFactory(school=cast.school, location=foreign_room)
    assert "location" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        AssetFactory(school=cast.school, asset_type=asset_type(other.school))
    assert "asset_type" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        AssetFactory(school=cast.school, supplier=other.supplier)
    assert "supplier" in error.value.message_dict


def test_only_staff_of_the_school_change_the_register(cast, other):
    with pytest.raises(PermissionDenied):
        AssetFactory(school=cast.school, by=cast.reporter)
    with pytest.raises(PermissionDenied):
        AssetFactory(school=cast.school, by=other.spoc)
    asset = AssetFactory(school=cast.school, by=cast.technician)
    with pytest.raises(PermissionDenied):
        services.asset_dispose(asset=asset, by=cast.technician, disposed_on=timezone.localdate(), method="weee")


def test_editing_records_each_change_old_to_new_and_detects_a_stale_version(cast):
    asset = AssetFactory(school=cast.school, tag="T1", make="Dell", location=room(cast.school, "Library"))
    stale = Asset.objects.get(pk=asset.pk)
    asset.make, asset.location = "HP", room(cast.school, "Hall")
    services.asset_save(asset=asset, by=cast.spoc, version=1)
    changes = {e.field: (e.old_value, e.new_value, e.kind) for e in asset.events.exclude(kind=EventKind.CREATED)}
    assert changes["make"] == ("Dell", "HP", EventKind.CHANGED)
    assert changes["location"] == ("Library", "Hall", EventKind.MOVED)
    stale.notes = "typed on an old page"
    with pytest.raises(ConflictError):
        services.asset_save(asset=stale, by=cast.spoc, version=1)
    assert Asset.objects.get(pk=asset.pk).notes == ""


def test_move_issue_lend_return_and_status_are_history(cast):
    asset = AssetFactory(school=cast.school, location=room(cast.school, "Library"))
    services.asset_move(asset=asset, location=room(cast.school, "Hall"), by=cast.technician)
    due = timezone.localdate() + timedelta(days=7)
    asset = services.asset_issue(asset=asset, person=cast.reporter, by=cast.spoc, loan_due_on=due)
    assert asset.status == AssetStatus.ON_LOAN and asset.issued_to == cast.reporter and asset.loan_due_on == due
    asset = services.asset_return(
        asset=asset, by=cast.spoc, status=AssetStatus.SPARE, location=room(cast.school, "School office")
    )
    assert asset.status == AssetStatus.SPARE and asset.issued_to is None and asset.loan_due_on is None
    asset = services.asset_status_set(asset=asset, status=AssetStatus.IN_REPAIR, by=cast.technician, note="Fan noise")
    kinds = list(asset.events.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.MOVED,
        EventKind.LOANED,
        EventKind.RETURNED,
        EventKind.MOVED,
        EventKind.STATUS,
    ]
    status = asset.events.get(kind=EventKind.STATUS)
    assert (status.old_value, status.new_value, status.note) == ("Spare", "In repair", "Fan noise")


def test_issue_refuses_outsiders_past_dates_and_gone_kit(cast, other):
    asset = AssetFactory(school=cast.school)
    with pytest.raises(ValidationError):
        services.asset_issue(asset=asset, person=other.reporter, by=cast.spoc)
    with pytest.raises(ValidationError):
        services.asset_issue(
            asset=asset, person=cast.reporter, by=cast.spoc, loan_due_on=timezone.localdate() - timedelta(days=1)
        )
    services.asset_status_set(asset=asset, status=AssetStatus.RETIRED, by=cast.spoc)
    with pytest.raises(ValidationError):
        services.asset_issue(asset=asset, person=cast.reporter, by=cast.spoc)


def test_disposal_keeps_a_record(cast):
    asset = AssetFactory(school=cast.school)
    services.asset_issue(asset=asset, person=cast.reporter, by=cast.spoc)
    asset = services.asset_dispose(
        asset=asset,
        by=cast.spoc,
        disposed_on=timezone.localdate(),
        method="weee",
        reference="WEEE-123",
        is_data_wiped=True,
    )
    assert asset.status == AssetStatus.DISPOSED and asset.issued_to is None
    event = asset.events.get(kind=EventKind.DISPOSED)
    assert "WEEE-123" in event.note and "data wiped" in event.note
    with pytest.raises(ValidationError):
        services.asset_dispose(
            asset=asset, by=cast.spoc, disposed_on=timezone.localdate() + timedelta(days=2), method="weee"
        )


def test_bulk_move_and_status_write_one_line_per_asset_and_change(cast, other):
    hall = room(cast.school, "Hall")
    mine = [AssetFactory(school=cast.school, location=room(cast.school, "Library")) for _ in range(3)]
    theirs = AssetFactory(school=other.school)
    changed = services.assets_bulk_update(
        assets=Asset.objects.filter(pk__in=[a.pk for a in mine]),
        by=cast.spoc,
        location=hall,
        status=AssetStatus.SPARE,
        note="Summer move",
    )
    assert changed == 3
    after = Asset.objects.filter(pk__in=[a.pk for a in mine]).values_list("location", "status")
    assert set(after) == {(hall.pk, "spare")}
    assert AssetEvent.objects.filter(asset__in=mine, note="Summer move").count() == 6
    with pytest.raises(PermissionDenied):
        services.assets_bulk_update(assets=Asset.objects.filter(pk=theirs.pk), by=cast.spoc, status=AssetStatus.SPARE)
    with pytest.raises(ValidationError):
        services.assets_bulk_update(
            assets=Asset.objects.filter(pk=mine[0].pk), by=cast.spoc, status=AssetStatus.DISPOSED
        )


def test_what_a_failed_switch_takes_down(cast):
    router = AssetFactory(school=cast.school, tag="R1", type_name="Router")
    switch = AssetFactory(school=cast.school, tag="SW1", type_name="Switch")
    ap = AssetFactory(school=cast.school, tag="AP1", type_name="Access point")
    server = AssetFactory(school=cast.school, tag="SRV1", type_name="Server")
    desktop = AssetFactory(school=cast.school, tag="PC1", type_name="Desktop")
    trolley = AssetFactory(school=cast.school, tag="TR1", type_name="Other")
    chromebook = AssetFactory(school=cast.school, tag="CB1", type_name="Chromebook")
    services.relationship_add(from_asset=switch, kind="connected_to", to_asset=router, by=cast.spoc)
    services.relationship_add(from_asset=ap, kind="connected_to", to_asset=switch, by=cast.spoc)
    services.relationship_add(from_asset=server, kind="connected_to", to_asset=switch, by=cast.spoc)
    services.relationship_add(from_asset=desktop, kind="depends_on", to_asset=server, by=cast.spoc)
    services.relationship_add(from_asset=chromebook, kind="part_of", to_asset=trolley, by=cast.spoc)
    assert {a.tag for a in assets_affected_by(switch)} == {"AP1", "SRV1", "PC1"}
    assert {a.tag for a in assets_affected_by(router)} == {"SW1", "AP1", "SRV1", "PC1"}
    assert {a.tag for a in assets_affected_by(chromebook)} == {"TR1"}  # a failed part affects the whole
    assert assets_affected_by(desktop) == []
    with pytest.raises(ValidationError):
        services.relationship_add(from_asset=ap, kind="connected_to", to_asset=switch, by=cast.spoc)
    with pytest.raises(ValidationError):
        services.relationship_add(from_asset=ap, kind="connected_to", to_asset=ap, by=cast.spoc)


def test_audit_by_scan_finds_missing_wrong_room_and_unknown(cast):
    library, hall = room(cast.school, "Library"), room(cast.school, "Hall")
    here = [AssetFactory(school=cast.school, tag=f"LIB-{n}", location=library) for n in range(3)]
    elsewhere = AssetFactory(school=cast.school, tag="HALL-1", serial="SERIAL-H1", location=hall)
    retired = AssetFactory(school=cast.school, tag="OLD-1", location=library, status=AssetStatus.RETIRED)
    codes = scanned_codes(
        f"LIB-0\nhttps://desk.example/assets/here/{here[1].pk}/\nserial-h1\nNOPE-9\nOLD-1\nLIB-0\nAST-{999999:06d}"
    )
    result = asset_audit_check(user=cast.spoc, location=library, codes=codes)
    assert [a.tag for a in result.found_here] == ["LIB-0", "LIB-1"]
    assert [a.tag for a in result.missing] == ["LIB-2"]
    assert [a.tag for a in result.wrong_room] == ["HALL-1"]
    assert [a.tag for a in result.gone] == ["OLD-1"]
    assert result.unknown == ["NOPE-9", "AST-999999"]
    assert retired not in result.expected
    count = services.asset_audit_record(location=library, found=result.found, by=cast.technician, move_here=True)
    assert count == 4
    elsewhere.refresh_from_db()
    assert elsewhere.location == library and elsewhere.last_audited_on == timezone.localdate()
    assert elsewhere.events.filter(kind=EventKind.AUDITED).exists()


def test_the_audit_never_sees_another_schools_assets(cast, other):
    AssetFactory(school=other.school, tag="SECRET-1")
    result = asset_audit_check(user=cast.spoc, location=room(cast.school, "Library"), codes=["SECRET-1"])
    assert result.found == [] and result.unknown == ["SECRET-1"]
