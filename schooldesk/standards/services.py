"""Writes for scheduled checks, statements and the annual review. Views, the periodic task and the demo call
these."""

from __future__ import annotations

import mimetypes
import secrets
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schooldesk.core.audit import audit_record
from schooldesk.core.permissions import can, require
from schooldesk.core.uploads import attachment_validate
from schooldesk.incidents.services import incident_assign, incident_create
from schooldesk.locations.models import Location
from schooldesk.schools.models import School
from schooldesk.standards.choices import (
    STARTER_CHECKS,
    CheckStatus,
    Recurrence,
    ReviewStatus,
)
from schooldesk.standards.models import (
    AnnualReview,
    AnnualReviewVersion,
    CheckEvidence,
    CheckItem,
    CheckRule,
    ReviewSetting,
    Statement,
)
from schooldesk.standards.parts import STATEMENT_PARTS
from schooldesk.standards.schedule import due_dates, school_days


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


# --- the schedule -------------------------------------------------------------------------------------
def checks_setup_defaults(*, school) -> list[CheckRule]:
    """Idempotent: the starter schedule (restore test, backup and patch checks, filtering review, cyber risk
    assessment, portable equipment testing), done by the school's SPOC until the school says otherwise."""
    have = set(CheckRule.objects.filter(school=school).values_list("kind", flat=True))
    made = [
        CheckRule(
            school=school,
            name=name,
            kind=kind,
            recurrence=recurrence,
            weekday=weekday,
            month=month,
            steps=steps,
            assigned_to_id=school.spoc_id,
        )
        for name, kind, recurrence, weekday, month, steps in STARTER_CHECKS
        if kind not in have
    ]
    return CheckRule.objects.bulk_create(made)


def _clean_rule(rule: CheckRule) -> None:
    errors = {}
    if rule.recurrence in (Recurrence.TERM_FIRST_WEEKDAY, Recurrence.WEEKLY_IN_TERM) and rule.weekday is None:
        errors["weekday"] = _("Choose the weekday.")
    if rule.recurrence == Recurrence.YEARLY_IN_MONTH and rule.month is None:
        errors["month"] = _("Choose the month.")
    if rule.assigned_to_id and not can(rule.assigned_to, "standards.check", rule.school_id):
        errors["assigned_to"] = _("Choose a technician or the SPOC of this school.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def check_rule_save(*, rule: CheckRule, by) -> CheckRule:
    require(by, "standards.schedule", rule)
    _clean_rule(rule)
    is_new = rule.pk is None
    rule.save()
    audit_record(
        actor=_actor(by),
        school=rule.school,
        action="create" if is_new else "update",
        obj=rule,
        summary=f"Scheduled check “{rule.name}” {'added' if is_new else 'changed'}",
    )
    return rule


def _raise_call(item: CheckItem):

    places = Location.objects.filter(school_id=item.school_id, is_archived=False)
    location = places.filter(name__icontains="server").first() or places.first()  # the server/comms room preset
    if location is None:
        return None
    incident = incident_create(
        school=item.school,
        location=location,
        by=None,
        kind="request",
        reporter_name="Scheduled checks",
        summary=f"Scheduled check: {item.rule.name} due {item.due_on:%d/%m/%Y}",
    )
    if item.assigned_to_id:
        incident = incident_assign(incident=incident, by=None, version=incident.version, technician=item.assigned_to)
    return incident


def checks_create_due(*, today: date | None = None, since: date | None = None, school_ids=None) -> int:
    """Make the checklist items that have come due up to `today`, once each (the unique rule-and-day keeps a
    second run, or a second worker, from making another). A rule's items start from the day it was made
    (or `since`). Returns how many were made."""

    today = today or timezone.localdate()
    rules = CheckRule.objects.filter(is_active=True).select_related("school", "assigned_to")
    if school_ids is not None:
        rules = rules.filter(school_id__in=list(school_ids))
    by_school: dict[int, list[CheckRule]] = {}
    for rule in rules:
        by_school.setdefault(rule.school_id, []).append(rule)
    made = 0
    for school in School.objects.filter(pk__in=list(by_school)):
        days = school_days(school)
        have = set(CheckItem.objects.filter(school=school, due_on__lte=today).values_list("rule_id", "due_on"))
        for rule in by_school[school.pk]:
            start = since or timezone.localdate(rule.created_at)
            for due_on in due_dates(rule, days, start, today):
                if (rule.pk, due_on) in have:
                    continue
                try:
                    with transaction.atomic():
                        item = CheckItem.objects.create(
                            school=school, rule=rule, due_on=due_on, assigned_to=rule.assigned_to
                        )
                        if rule.raises_call:
                            item.incident = _raise_call(item)
                            item.save(update_fields=["incident"])
                except IntegrityError:  # another worker made it first
                    continue
                made += 1
    return made


# --- doing a check ---------------------------------------------------------------------------------
@transaction.atomic
def check_complete(*, item: CheckItem, by, note: str, answers: list[tuple[str, bool]], files=()) -> CheckItem:
    """Record the check as done, with its evidence: a note, files (through the desk's upload check) and a yes
    or no for each step. Done once: a second person finds it done."""
    require(by, "standards.check", item)
    item = CheckItem.objects.select_for_update().select_related("rule", "school").get(pk=item.pk)
    if item.status == CheckStatus.DONE:
        raise ValidationError(_("This check is already recorded as done."))
    files = [f for f in files or () if f]
    if not note.strip() and not files:
        raise ValidationError({"note": _("Say what was done and found, or attach the evidence.")})
    for upload in files:
        attachment_validate(upload)
    item.status = CheckStatus.DONE
    item.note = note.strip()
    item.answers = [[step, bool(answer)] for step, answer in answers]
    item.done_at = timezone.now()
    item.done_by = _actor(by)
    item.save()
    for upload in files:
        extension = Path(upload.name).suffix.lower()
        evidence = CheckEvidence(
            item=item,
            uploaded_by=_actor(by),
            stored_name=f"{secrets.token_hex(16)}{extension}",
            original_name=Path(upload.name).name[:200],
            content_type=mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
            size=upload.size,
        )
        evidence.file.save(evidence.stored_name, upload, save=True)
    failed = [step for step, answer in item.answers if not answer]
    audit_record(
        actor=_actor(by),
        school=item.school,
        action="check_done",
        obj=item,
        summary=f"Check “{item.rule.name}” due {item.due_on:%d/%m/%Y} done"
        + (f"; not done: {'; '.join(failed)}" if failed else ""),
    )
    return item


# --- statements -----------------------------------------------------------------------------------
@transaction.atomic
def statement_make(
    *, school, part: str, state: str, text: str, made_by_name: str, made_on: date, by, upload=None
) -> Statement:

    require(by, "standards.state", school)
    errors = {}
    if part not in STATEMENT_PARTS:
        errors["part"] = _("Choose a part of a standard.")
    if not text.strip():
        errors["text"] = _("Say what is in place.")
    if not made_by_name.strip():
        errors["made_by_name"] = _("Give the name of the person making the statement.")
    if made_on and made_on > timezone.localdate():
        errors["made_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    statement = Statement(
        school=school,
        part=part,
        state=state,
        text=text.strip(),
        made_by_name=made_by_name.strip(),
        made_on=made_on,
        recorded_by=_actor(by),
    )
    if upload:
        attachment_validate(upload)
        statement.stored_name = f"{secrets.token_hex(16)}{Path(upload.name).suffix.lower()}"
        statement.original_name = Path(upload.name).name[:200]
        statement.file.save(statement.stored_name, upload, save=False)
    statement.save()
    audit_record(
        actor=_actor(by),
        school=school,
        action="statement",
        obj=statement,
        summary=f"Statement on {part}: {statement.get_state_display()} ({statement.made_by_name})",
    )
    return statement


# --- the annual review ---------------------------------------------------------------------------
@transaction.atomic
def review_month_set(*, school, month: int, by) -> ReviewSetting:
    require(by, "standards.review_month", school)
    if not 1 <= int(month) <= 12:
        raise ValidationError({"review_month": _("Choose a month.")})
    setting, _created = ReviewSetting.objects.update_or_create(school=school, defaults={"review_month": month})
    audit_record(
        actor=_actor(by),
        school=school,
        action="update",
        obj=school,
        summary=f"Annual IT support review month set to {setting.get_review_month_display()}",
    )
    return setting


def review_start(*, school, year: int, month: int) -> AnnualReview:
    review, _created = AnnualReview.objects.get_or_create(school=school, year=year, defaults={"review_month": month})
    return review


def _lock_review(review: AnnualReview, version: int) -> AnnualReview:
    review = AnnualReview.objects.select_for_update().select_related("school").get(pk=review.pk)
    if version != review.version:
        raise ValidationError(
            _(
                "Someone else saved this review since you opened it. Your words are kept below: "
                "read the latest version, then save again."
            )
        )
    return review


@transaction.atomic
def review_save(*, review: AnnualReview, by, version: int, findings: str, actions: str) -> AnnualReview:
    """Save the owner's findings and actions as a new version (the earlier ones are kept). `version` is the
    version the writer opened: someone else's save in between is refused, not overwritten."""
    require(by, "standards.review_write", review)
    review = _lock_review(review, version)
    if review.status == ReviewStatus.SIGNED:
        raise ValidationError(_("The review is signed off. Reopen it to change it."))
    review.version += 1
    review.save(update_fields=["version", "updated_at"])
    AnnualReviewVersion.objects.create(
        review=review, number=review.version, findings=findings.strip(), actions=actions.strip(), saved_by=_actor(by)
    )
    audit_record(
        actor=_actor(by),
        school=review.school,
        action="review_saved",
        obj=review,
        summary=f"Annual IT support review {review.year}: version {review.version} saved",
    )
    return review


@transaction.atomic
def review_sign(*, review: AnnualReview, by, version: int) -> AnnualReview:
    require(by, "standards.review_sign", review)
    review = _lock_review(review, version)
    if review.status == ReviewStatus.SIGNED:
        raise ValidationError(_("The review is already signed off."))
    if not review.versions.exists():
        raise ValidationError(_("Write the findings and actions before signing the review off."))
    review.status = ReviewStatus.SIGNED
    review.signed_by = _actor(by)
    review.signed_at = timezone.now()
    review.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    audit_record(
        actor=_actor(by),
        school=review.school,
        action="review_signed",
        obj=review,
        summary=f"Annual IT support review {review.year} signed off (version {review.version})",
    )
    return review


@transaction.atomic
def review_reopen(*, review: AnnualReview, by, version: int) -> AnnualReview:
    """A signed review opens again as a new version (a copy of the signed words); the signed one is kept."""
    require(by, "standards.review_reopen", review)
    review = _lock_review(review, version)
    if review.status != ReviewStatus.SIGNED:
        raise ValidationError(_("The review is not signed off."))
    latest = review.versions.first()
    review.status = ReviewStatus.DRAFT
    review.version += 1
    review.save(update_fields=["status", "version", "updated_at"])
    AnnualReviewVersion.objects.create(
        review=review,
        number=review.version,
        findings=latest.findings if latest else "",
        actions=latest.actions if latest else "",
        saved_by=_actor(by),
    )
    audit_record(
        actor=_actor(by),
        school=review.school,
        action="review_reopened",
        obj=review,
        summary=f"Annual IT support review {review.year} reopened as version {review.version}",
    )
    return review
