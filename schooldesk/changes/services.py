"""Every change to a request for change goes through these services (views, the demo, tests).

Roles: the desk and technicians raise and plan changes; only the ICT owner authorises or rejects them
and pre-authorises standard changes; the desk completes a change, which adds its new equipment and
licences to the registers (through the asset and licence services) and updates the assets it changed."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.assets.choices import AssetStatus
from schooldesk.assets.models import Asset
from schooldesk.assets.services import asset_move, asset_save, asset_status_set
from schooldesk.changes.choices import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    PLANNING_STATUSES,
    ChangePriority,
    ChangeStatus,
    ChangeType,
    Decision,
    EventKind,
    Outcome,
    Risk,
)
from schooldesk.changes.models import (
    AffectedAsset,
    Approval,
    ChangeEvent,
    ChangeRequest,
    Milestone,
    NewAsset,
    NewLicence,
    StandardChange,
)
from schooldesk.core.access import access_for
from schooldesk.core.audit import audit_record
from schooldesk.core.concurrency import version_claim, version_lock
from schooldesk.core.permissions import can, require
from schooldesk.diary.choices import DiaryKind
from schooldesk.diary.models import DiaryEntry
from schooldesk.diary.services import entry_save, local_midnight
from schooldesk.licences.models import Licence
from schooldesk.licences.services import licence_save
from schooldesk.schools.models import School

CONFLICT = (
    "Someone else changed this request for change after you opened it. Your changes were not saved: "
    "check the latest version below and try again."
)
#: what the request says (fixed once authorised) and what the plan says (changes until it is done)
REQUEST_FIELDS = (
    "title",
    "reason",
    "description",
    "change_type",
    "standard_change",
    "risk",
    "impact",
    "priority",
    "estimated_cost",
    "problem",
    "affected_locations",
)
PLAN_FIELDS = ("assigned_to", "planned_on", "backout_plan")


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _lock(change: ChangeRequest, version: int | None) -> ChangeRequest:
    return version_lock(change, version, message=CONFLICT, related=("school",))


def _save(change: ChangeRequest) -> None:
    change.version += 1
    change.save()


def _event(change, by, kind: str, body: str = "", *, field: str = "", old="", new="") -> ChangeEvent:
    return ChangeEvent.objects.create(
        change=change,
        kind=kind,
        author=_actor(by),
        body=body[:4000],
        field=field,
        old_value=str(old or "")[:200],
        new_value=str(new or "")[:200],
    )


def _set_status(change, by, status: str, body: str = "") -> None:
    old = change.get_status_display()
    change.status = status
    _event(change, by, EventKind.STATUS, body, field="status", old=old, new=change.get_status_display())


def _check_status(change, statuses, message: str) -> None:
    """Refuse unless the change is in one of `statuses`; `message` has %(reference)s and %(status)s."""
    if change.status not in statuses:
        raise ValidationError(message % {"reference": change.reference, "status": change.get_status_display().lower()})


def _check(school_id: int, **related) -> None:
    """Everything a change points at belongs to its own school."""
    errors = {}
    for name, value in related.items():
        if value is None:
            continue
        if name == "assigned_to":
            if not can(value, "changes.change", school_id):
                errors[name] = f"{value} does not support this school."
        elif name == "supplier":
            if value.organisation_id != School.objects.values_list("organisation_id", flat=True).get(pk=school_id):
                errors[name] = "Choose one of your organisation's suppliers."
        elif name == "affected_locations":
            if any(location.school_id != school_id for location in value):
                errors[name] = "Choose locations of this school."
        elif value.school_id != school_id:
            errors[name] = "Choose one of this school's own."
    if errors:
        raise ValidationError(errors)


# --- the request ---------------------------------------------------------------------------------
@transaction.atomic
def change_create(
    *,
    school,
    by,
    title: str,
    reason: str,
    description: str = "",
    change_type: str = ChangeType.NORMAL,
    standard_change=None,
    risk: str = Risk.LOW,
    impact: str = "",
    priority: str = ChangePriority.NORMAL,
    estimated_cost=None,
    problem=None,
    affected_locations=(),
    assigned_to=None,
    planned_on=None,
    backout_plan: str = "",
) -> ChangeRequest:
    """Raise a request for change (a draft until it is submitted for authorisation)."""
    require(by, "changes.create", school)
    _check(
        school.pk,
        standard_change=standard_change,
        problem=problem,
        assigned_to=assigned_to,
        affected_locations=list(affected_locations),
    )
    change = ChangeRequest(
        school=school,
        title=title.strip(),
        reason=reason.strip(),
        description=description.strip(),
        change_type=change_type,
        standard_change=standard_change,
        risk=risk,
        impact=impact.strip(),
        priority=priority,
        estimated_cost=estimated_cost,
        problem=problem,
        assigned_to=assigned_to,
        planned_on=planned_on,
        backout_plan=backout_plan.strip(),
        raised_by=_actor(by),
    )
    _validate(change)
    change.save()
    change.affected_locations.set(affected_locations)
    _event(change, by, EventKind.RAISED, f"Raised by {by or 'SchoolDesk'}.")
    audit_record(actor=by, school=school, action="create", obj=change, summary=f"Change {change.reference} raised")
    return change


def _validate(change: ChangeRequest) -> None:
    if change.change_type == ChangeType.STANDARD and change.standard_change_id is None:
        raise ValidationError(
            {"standard_change": _("A standard change follows one of the pre-authorised standard changes: choose it.")}
        )
    if change.change_type != ChangeType.STANDARD:
        change.standard_change = None
    if change.standard_change_id and not change.standard_change.is_active:
        raise ValidationError({"standard_change": _("That standard change is no longer in use.")})
    change.full_clean(
        exclude=["school", "problem", "standard_change", "assigned_to", "raised_by", "completed_by", "reviewed_by"]
    )


@transaction.atomic
def change_update(*, change: ChangeRequest, by, version, **fields) -> ChangeRequest:
    """The request can be edited until it is decided; the plan (implementer, date, back-out) until it is done."""
    require(by, "changes.change", change)
    unknown = set(fields) - set(REQUEST_FIELDS) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"change_update cannot change {', '.join(sorted(unknown))}")
    change = version_lock(change, version, related=("school",))  # the edit page's words
    _check_status(change, PLANNING_STATUSES, _("%(reference)s is %(status)s: it cannot be changed now."))
    locations = fields.pop("affected_locations", None)
    _check(
        change.school_id,
        **{k: fields.get(k) for k in ("standard_change", "problem", "assigned_to")},
        affected_locations=list(locations or ()),
    )
    changed = []
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(change, name) != value:
            changed.append(name)
            setattr(change, name, value)
    if locations is not None and {loc.pk for loc in locations} != set(
        change.affected_locations.values_list("pk", flat=True)
    ):
        changed.append("affected_locations")
    if set(changed) & set(REQUEST_FIELDS) and change.status not in EDITABLE_STATUSES:
        raise ValidationError(_("The request was decided as it stood: raise a new request for a different change."))
    if not changed:
        return change
    _validate(change)
    _save(change)
    if locations is not None:
        change.affected_locations.set(locations)
    labels = [str(ChangeRequest._meta.get_field(name).verbose_name) for name in changed]
    _event(change, by, EventKind.DETAILS, "Changed: " + ", ".join(labels) + ".")
    _diary_sync(change)
    return change


@transaction.atomic
def change_submit(*, change: ChangeRequest, by, version) -> ChangeRequest:
    """Ask the owner to authorise it. A standard change is authorised at once, by its pre-authorisation."""
    require(by, "changes.change", change)
    change = _lock(change, version)
    _check_status(change, {ChangeStatus.DRAFT}, _("%(reference)s is %(status)s: it cannot be submitted now."))
    now = timezone.now()
    change.submitted_at = now
    _set_status(change, by, ChangeStatus.SUBMITTED)
    if change.change_type == ChangeType.STANDARD and change.standard_change_id:
        standard = change.standard_change
        reason = f"Standard change “{standard.title}”, authorised in advance by {standard.authorised_by}."
        Approval.objects.create(
            change=change,
            decision=Decision.PREAUTHORISED,
            reason=reason,
            decided_by=standard.authorised_by,
            standard_change=standard,
        )
        change.decided_at = now
        _event(change, by, EventKind.DECISION, reason, field="decision", new=Decision.PREAUTHORISED.label)
        _set_status(change, by, ChangeStatus.AUTHORISED)
    _save(change)
    _diary_sync(change)
    return change


@transaction.atomic
def change_decide(*, change: ChangeRequest, by, version, authorise: bool, reason: str) -> Approval:
    """The ICT owner authorises or rejects a submitted change, with the reason (shown on the RFC)."""
    require(by, "changes.decide", change)
    change = _lock(change, version)
    _check_status(change, {ChangeStatus.SUBMITTED}, _("%(reference)s is %(status)s: it cannot be decided now."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision: it is recorded on the request.")})
    decision = Decision.AUTHORISED if authorise else Decision.REJECTED
    approval = Approval.objects.create(change=change, decision=decision, reason=reason.strip(), decided_by=_actor(by))
    change.decided_at = approval.created_at
    _event(change, by, EventKind.DECISION, reason.strip(), field="decision", new=decision.label)
    _set_status(change, by, ChangeStatus.AUTHORISED if authorise else ChangeStatus.REJECTED)
    _save(change)
    _diary_sync(change)
    audit_record(
        actor=by,
        school=change.school,
        action=decision,
        obj=change,
        summary=f"Change {change.reference} {decision.label.lower()}",
    )
    return approval


@transaction.atomic
def change_withdraw(*, change: ChangeRequest, by, version, reason: str) -> ChangeRequest:
    require(by, "changes.change", change)
    change = _lock(change, version)
    _check_status(change, OPEN_STATUSES, _("%(reference)s is %(status)s: it cannot be withdrawn now."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the change is withdrawn.")})
    _set_status(change, by, ChangeStatus.WITHDRAWN, reason.strip())
    _save(change)
    _diary_sync(change)
    return change


# --- the plan ------------------------------------------------------------------------------------
def _plan_lock(change, by) -> ChangeRequest:
    require(by, "changes.change", change)
    change = _lock(change, None)
    _check_status(change, PLANNING_STATUSES, _("%(reference)s is %(status)s: it cannot be planned now."))
    return change


@transaction.atomic
def milestone_add(*, change: ChangeRequest, by, title: str, due_on: date, assigned_to=None) -> Milestone:
    change = _plan_lock(change, by)
    _check(change.school_id, assigned_to=assigned_to)
    if not title.strip():
        raise ValidationError({"title": _("Say what the milestone is.")})
    milestone = Milestone(change=change, title=title.strip(), due_on=due_on, assigned_to=assigned_to)
    milestone.full_clean(exclude=["change", "assigned_to"])
    milestone.save()
    _event(
        change,
        by,
        EventKind.PLAN,
        f"Milestone “{milestone.title}” due {due_on:%d/%m/%Y}{f' ({assigned_to})' if assigned_to else ''}.",
    )
    _save(change)
    _diary_sync(change)
    return milestone


@transaction.atomic
def milestone_done(*, milestone: Milestone, by, done: bool = True) -> Milestone:
    """Tick a milestone off (or untick it): the change's progress follows."""
    change = _plan_lock(milestone.change, by)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, change=change)
    if milestone.is_done == done:
        return milestone
    milestone.done_at, milestone.done_by = (timezone.now(), _actor(by)) if done else (None, None)
    milestone.save(update_fields=["done_at", "done_by", "updated_at"])
    _event(change, by, EventKind.MILESTONE, f"“{milestone.title}” {'done' if done else 'not done after all'}.")
    _save(change)
    _diary_sync(change)
    return milestone


@transaction.atomic
def milestone_remove(*, milestone: Milestone, by) -> None:
    change = _plan_lock(milestone.change, by)
    _event(change, by, EventKind.PLAN, f"Milestone “{milestone.title}” removed.")
    milestone.delete()
    _save(change)
    _diary_sync(change)


@transaction.atomic
def new_asset_add(*, change: ChangeRequest, by, tag: str, asset_type, **fields) -> NewAsset:
    """Equipment the change brings: it goes into the asset register when the change is completed."""
    change = _plan_lock(change, by)
    tag = tag.strip()
    _check(change.school_id, asset_type=asset_type, location=fields.get("location"), supplier=fields.get("supplier"))
    if (
        Asset.objects.filter(school_id=change.school_id, tag__iexact=tag).exists()
        or NewAsset.objects.filter(change__school_id=change.school_id, asset__isnull=True, tag__iexact=tag).exists()
    ):
        raise ValidationError(
            {"tag": _("The tag “%(tag)s” is already used in this school's register or another change.") % {"tag": tag}}
        )
    item = NewAsset(change=change, tag=tag, asset_type=asset_type, **fields)
    item.full_clean(exclude=["change", "asset_type", "location", "supplier", "asset"])
    item.save()
    _event(change, by, EventKind.PLAN, f"New equipment: {item.tag} ({asset_type}) added to the plan.")
    _save(change)
    return item


@transaction.atomic
def new_licence_add(*, change: ChangeRequest, by, product: str, licence_type: str, **fields) -> NewLicence:
    """Software the change brings: it goes into the licence list when the change is completed."""
    change = _plan_lock(change, by)
    _check(change.school_id, supplier=fields.get("supplier"))
    item = NewLicence(change=change, product=product.strip(), licence_type=licence_type, **fields)
    if licence_type != "site" and not item.quantity:
        raise ValidationError({"quantity": _("Say how many this licence covers.")})
    item.full_clean(exclude=["change", "supplier", "licence"])
    item.save()
    _event(change, by, EventKind.PLAN, f"New licence: {item.product} added to the plan.")
    _save(change)
    return item


@transaction.atomic
def affected_asset_add(
    *, change: ChangeRequest, by, asset, new_location=None, new_status: str = "", note: str = ""
) -> AffectedAsset:
    """Equipment the change touches; a new place or status is applied to the register when it is completed."""
    change = _plan_lock(change, by)
    _check(change.school_id, asset=asset, new_location=new_location)
    if new_status and new_status not in (
        AssetStatus.IN_USE,
        AssetStatus.SPARE,
        AssetStatus.IN_REPAIR,
        AssetStatus.RETIRED,
    ):
        raise ValidationError(
            {"new_status": _("Choose in use, spare, in repair or retired (disposals have their own form).")}
        )
    item = AffectedAsset(
        change=change, asset=asset, new_location=new_location, new_status=new_status, note=note.strip()[:200]
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise ValidationError({"asset": _("%(tag)s is already listed on this change.") % {"tag": asset.tag}}) from exc
    _event(change, by, EventKind.PLAN, f"Affects {asset.tag}{': ' + item.note if item.note else ''}.")
    _save(change)
    return item


@transaction.atomic
def plan_item_remove(*, item, by) -> None:
    """Remove a new asset, new licence or affected asset from the plan."""
    change = _plan_lock(item.change, by)
    _event(change, by, EventKind.PLAN, f"Removed from the plan: {item}.")
    item.delete()
    _save(change)


# --- completion and review -----------------------------------------------------------------------
def _registers_update(change: ChangeRequest, by, implemented_on: date) -> list[str]:
    """New equipment and licences into the registers, changed assets updated: one step, through the
    asset and licence services; any refusal stops the whole completion (nothing is saved half-way)."""

    done, now = [], timezone.now()
    for item in change.new_assets.filter(asset__isnull=True).select_related("asset_type", "location", "supplier"):
        asset = Asset(
            school_id=change.school_id,
            tag=item.tag,
            asset_type=item.asset_type,
            make=item.make,
            model=item.model,
            serial=item.serial,
            location=item.location,
            cost=item.cost,
            supplier=item.supplier,
            warranty_ends_on=item.warranty_ends_on,
            purchased_on=implemented_on,
            order_reference=change.reference,
            notes=f"Added by {change.reference}: {change.title}",
        )
        try:
            asset_save(asset=asset, by=by, note=f"Added by {change.reference}: {change.title}"[:300])
        except ValidationError as exc:
            raise ValidationError(
                _("New equipment %(tag)s: %(problem)s") % {"tag": item.tag, "problem": " ".join(exc.messages)}
            ) from exc
        item.asset = asset
        item.save(update_fields=["asset", "updated_at"])
        done.append(f"{asset.tag} added to the asset register")
    for item in change.new_licences.filter(licence__isnull=True).select_related("supplier"):
        licence = Licence(
            school_id=change.school_id,
            product=item.product,
            publisher=item.publisher,
            licence_type=item.licence_type,
            quantity=item.quantity,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
            cost=item.cost,
            supplier=item.supplier,
            order_reference=change.reference,
            notes=f"Added by {change.reference}: {change.title}",
        )
        try:
            licence_save(licence=licence, by=by)
        except ValidationError as exc:
            raise ValidationError(
                _("New licence %(product)s: %(problem)s") % {"product": item.product, "problem": " ".join(exc.messages)}
            ) from exc
        item.licence = licence
        item.save(update_fields=["licence", "updated_at"])
        done.append(f"{licence.product} added to the licence list")
    for item in change.affected_assets.filter(applied_at__isnull=True).select_related("asset", "new_location"):
        note = f"{change.reference}: {item.note or change.title}"[:300]
        try:
            if item.new_location_id and item.new_location_id != item.asset.location_id:
                asset_move(asset=item.asset, location=item.new_location, by=by, note=note)
            if item.new_status and item.new_status != item.asset.status:
                asset_status_set(asset=item.asset, status=item.new_status, by=by, note=note)
        except ValidationError as exc:
            raise ValidationError(
                _("Asset %(tag)s: %(problem)s") % {"tag": item.asset.tag, "problem": " ".join(exc.messages)}
            ) from exc
        item.applied_at = now
        item.save(update_fields=["applied_at", "updated_at"])
        if item.new_location_id or item.new_status:
            done.append(f"{item.asset.tag} updated")
    return done


@transaction.atomic
def change_complete(
    *, change: ChangeRequest, by, version, outcome: str, implemented_on: date, note: str = ""
) -> ChangeRequest:
    """Record the implementation. A successful change updates the registers in the same step."""
    require(by, "changes.complete", change)
    change = _lock(change, version)
    _check_status(change, {ChangeStatus.AUTHORISED}, _("%(reference)s is %(status)s: it cannot be completed now."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose how it went.")})
    if implemented_on > timezone.localdate():
        raise ValidationError({"implemented_on": _("The implementation date is in the future.")})
    successful = outcome == Outcome.SUCCESSFUL
    if successful:
        open_steps = list(change.milestones.filter(done_at__isnull=True).values_list("title", flat=True))
        if open_steps:
            raise ValidationError(
                _("Tick off (or remove) the milestones still open first: %(milestones)s.")
                % {"milestones": "; ".join(open_steps)}
            )
    change.outcome, change.implemented_on = outcome, implemented_on
    change.completed_at, change.completed_by = timezone.now(), _actor(by)
    _set_status(change, by, ChangeStatus.IMPLEMENTED if successful else ChangeStatus.FAILED, note.strip())
    if successful:
        done = _registers_update(change, by, implemented_on)
        if done:
            _event(change, by, EventKind.REGISTERS, "; ".join(done) + ".")
    _save(change)
    _diary_sync(change)
    audit_record(
        actor=by,
        school=change.school,
        action="complete",
        obj=change,
        summary=f"Change {change.reference} completed: {Outcome(outcome).label}",
    )
    return change


@transaction.atomic
def change_review(*, change: ChangeRequest, by, version, review: str) -> ChangeRequest:
    """The post-implementation review closes the change: did it do what was intended, what was learnt."""
    require(by, "changes.review", change)
    change = _lock(change, version)
    _check_status(
        change,
        {ChangeStatus.IMPLEMENTED, ChangeStatus.FAILED},
        _("%(reference)s is %(status)s: it cannot be reviewed now."),
    )
    if not review.strip():
        raise ValidationError({"review": _("Say whether it did what was intended, and what was learnt.")})
    change.review, change.reviewed_at, change.reviewed_by = review.strip(), timezone.now(), _actor(by)
    _event(change, by, EventKind.REVIEW, change.review)
    _set_status(change, by, ChangeStatus.CLOSED)
    _save(change)
    return change


# --- standard changes ----------------------------------------------------------------------------
@transaction.atomic
def standard_change_save(*, standard: StandardChange, by, version: int | None = None) -> StandardChange:
    """The ICT owner pre-authorises a routine change (a new one, or new wording of one)."""
    require(by, "changes.standard", standard)
    version_claim(standard, version)  # a save from an older page is refused (core/concurrency.py)
    standard.title, standard.description = standard.title.strip(), standard.description.strip()
    if _actor(by) is not None:
        standard.authorised_by = by
    standard.full_clean(exclude=["school", "authorised_by"])
    created = standard.pk is None
    standard.save()
    audit_record(
        actor=by,
        school=standard.school,
        action="create" if created else "update",
        obj=standard,
        summary=f"Standard change “{standard.title}” {'pre-authorised' if standard.is_active else 'retired'}",
    )
    return standard


# --- the diary -----------------------------------------------------------------------------------
def _diary_sync(change: ChangeRequest) -> None:
    """An authorised change's implementation date and milestones in the school's diary, kept in step
    through the diary service (entries keyed `change:<pk>:...` and linked to the change); none for drafts,
    rejected or withdrawn ones."""

    prefix = f"change:{change.pk}:"
    wanted = {}
    if change.status in (ChangeStatus.AUTHORISED, ChangeStatus.IMPLEMENTED, ChangeStatus.CLOSED) and change.outcome in (
        "",
        Outcome.SUCCESSFUL,
    ):
        day = change.implemented_on or change.planned_on
        if day:
            wanted[prefix + "implementation"] = (
                DiaryKind.INSTALLATION,
                day,
                change.assigned_to,
                f"{change.reference} implementation: {change.title}",
            )
        for m in change.milestones.select_related("assigned_to"):
            title = f"{change.reference} milestone{' (done)' if m.is_done else ''}: {m.title}"
            wanted[f"{prefix}milestone:{m.pk}"] = (DiaryKind.MILESTONE, m.due_on, m.assigned_to, title)
    existing = {
        e.generated_key: e
        for e in DiaryEntry.objects.filter(school_id=change.school_id, generated_key__startswith=prefix)
    }
    for key, (kind, day, person, title) in wanted.items():
        if person is not None and not access_for(person).roles_by_school.get(change.school_id):
            person = None
        fields = {
            "kind": kind,
            "title": title[:200],
            "starts_at": local_midnight(day),
            "ends_at": local_midnight(day),
            "is_all_day": True,
            "person": person,
            "notes": f"{change.reference}: {change.title}",
            "change": change,
        }
        entry = existing.pop(key, None) or DiaryEntry(school_id=change.school_id, generated_key=key)
        if entry.pk is None or any(getattr(entry, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(entry, name, value)
            entry_save(entry=entry, by=None)
    if existing:
        DiaryEntry.objects.filter(pk__in=[e.pk for e in existing.values()]).delete()
