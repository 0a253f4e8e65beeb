"""School A's scheduled checks, statements and annual review for the tenancy walk (core/tests/test_tenancy.py)
and the download and form walks: each carries the secret where its page shows it."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from schooldesk.standards.choices import Recurrence
from schooldesk.standards.models import CheckRule
from schooldesk.standards.services import (
    check_complete,
    checks_create_due,
    review_save,
    review_sign,
    review_start,
    statement_make,
)

SECTION = "standards"
PK = "check_item"
PARAMS = {
    "item_pk": "check_item",
    "rule_pk": "check_rule",
    "evidence_pk": "check_evidence",
    "statement_pk": "statement",
}


def build(cast, secret):
    rule = CheckRule.objects.create(
        school=cast.school,
        name=f"{secret} restore test",
        steps="Restore a file",
        recurrence=Recurrence.MONTHLY_FIRST_DAY,
        assigned_to=cast.technician,
    )
    checks_create_due(today=date(2026, 11, 2), since=date(2026, 10, 1), school_ids=[cast.school.pk])
    done, due = list(rule.items.order_by("due_on"))
    check_complete(
        item=done,
        by=cast.technician,
        note=f"{secret} restored",
        answers=[("Restore a file", True)],
        files=[SimpleUploadedFile(f"{secret}.txt", f"{secret} log".encode(), "text/plain")],
    )
    statement = statement_make(
        school=cast.school,
        part="mfa",
        state="met",
        text=f"{secret} MFA on every account",
        made_by_name="Ms Head",
        made_on=date(2026, 11, 1),
        by=cast.owner,
        upload=SimpleUploadedFile("mfa.pdf", b"%PDF-1.4 MFA", "application/pdf"),
    )
    review = review_start(school=cast.school, year=2026, month=7)
    review_save(review=review, by=cast.owner, version=0, findings=f"{secret} findings", actions="Replace switches")
    signed = review_start(school=cast.school, year=2025, month=7)  # last year's, signed off: it can be reopened
    signed = review_save(review=signed, by=cast.owner, version=0, findings=f"{secret} last year", actions="")
    review_sign(review=signed, by=cast.owner, version=signed.version)
    return {
        "check_rule": rule,
        "check_item": due,
        "done_check": done,
        "check_evidence": done.evidence.get(),
        "statement": statement,
        "annual_review": review,
    }
