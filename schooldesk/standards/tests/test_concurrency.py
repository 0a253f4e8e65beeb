"""At the same moment: two saves of the review from the same version, two workers making the due checks, two
technicians recording the same check. Only PostgreSQL proves these (SQLite runs one writer at a time)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from schooldesk.assets.tests.test_concurrency import together
from schooldesk.standards.models import AnnualReview, AnnualReviewVersion, CheckItem
from schooldesk.standards.services import check_complete, checks_create_due, review_save, review_start

from .calendar import school_year

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_two_saves_from_the_same_version_one_is_kept_the_other_told(cast):
    review = review_start(school=cast.school, year=2026, month=7)
    results = together(
        *[
            lambda words=words: review_save(review=review, by=cast.owner, version=0, findings=words, actions="")
            for words in ("Mine", "Theirs")
        ]
    )
    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and "Someone else saved" in str(error)
    assert AnnualReview.objects.get(pk=review.pk).version == 1 and AnnualReviewVersion.objects.count() == 1


def test_two_workers_make_each_due_check_once(cast):
    school_year(cast.school)
    results = together(*[lambda: checks_create_due(today=date(2026, 10, 1), since=date(2026, 9, 1))] * 2)
    assert all(kind == "ok" for kind, _value in results), results
    made = sum(value for _kind, value in results)
    assert made == CheckItem.objects.count() > 0


def test_two_technicians_record_the_same_check_once(cast):
    school_year(cast.school)
    checks_create_due(today=date(2026, 9, 8), since=date(2026, 9, 1))
    item = CheckItem.objects.filter(rule__kind="restore_test").get()
    answers = [(step, True) for step in item.rule.step_list]
    results = together(
        *[
            lambda who=who: check_complete(item=item, by=who, note=f"By {who}", answers=answers)
            for who in (cast.technician, cast.spoc)
        ]
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    assert "already recorded as done" in str(next(v for k, v in results if k == "error"))
