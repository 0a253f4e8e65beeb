"""The annual IT support review: a year of the desk, the owner's findings versioned, concurrent saves detected,
signed off (then read-only until reopened as a new version), and the governors' PDF."""

import shutil
import subprocess
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schooldesk.core.tests.pages import filled, forms_in
from schooldesk.incidents.tests.factories import IncidentFactory
from schooldesk.standards.models import AnnualReview
from schooldesk.standards.review import review_calls
from schooldesk.standards.selectors import review_period, review_year
from schooldesk.standards.services import review_reopen, review_save, review_sign, review_start

pytestmark = pytest.mark.django_db


def test_the_year_runs_to_the_month_before_the_review_month():
    assert review_year(7, date(2026, 12, 7)) == 2026 and review_year(7, date(2026, 6, 30)) == 2025
    assert review_period(2026, 7) == (date(2025, 7, 1), date(2026, 6, 30))
    assert review_period(2027, 1) == (date(2026, 1, 1), date(2026, 12, 31))


def test_each_save_is_a_version_and_a_stale_save_is_refused(cast):
    review = review_start(school=cast.school, year=2026, month=7)
    review = review_save(review=review, by=cast.owner, version=0, findings="First", actions="")
    review = review_save(review=review, by=cast.owner, version=1, findings="Second", actions="Act")
    with pytest.raises(ValidationError, match="Someone else saved this review"):
        review_save(review=review, by=cast.owner, version=1, findings="Stale", actions="")
    assert [v.findings for v in review.versions.all()] == ["Second", "First"]
    with pytest.raises(PermissionDenied):
        review_save(review=review, by=cast.spoc, version=2, findings="Not mine", actions="")


def test_signed_off_is_read_only_and_reopening_makes_a_new_version(cast, client):
    review = review_start(school=cast.school, year=review_year(7, timezone.localdate()), month=7)
    review = review_save(review=review, by=cast.owner, version=0, findings="Good year", actions="Renew")
    review = review_sign(review=review, by=cast.owner, version=1)
    with pytest.raises(ValidationError, match="signed off"):
        review_save(review=review, by=cast.owner, version=1, findings="Changed", actions="")
    client.force_login(cast.owner)
    page = client.get(f"/standards/reviews/{cast.school.pk}/").content.decode()
    assert 'name="findings"' not in page and "Signed off by" in page and "Reopen as a new version" in page
    review = review_reopen(review=review, by=cast.owner, version=1)
    assert review.status == "draft" and review.version == 2
    assert review.versions.first().findings == "Good year" and review.versions.count() == 2


def test_the_owner_writes_through_the_page_and_a_concurrent_edit_keeps_the_words(cast, client):
    client.force_login(cast.owner)
    url = f"/standards/reviews/{cast.school.pk}/"
    page = client.get(url).content.decode()
    form = next(f for f in forms_in(page, url) if "findings" in [c.name for c in f.controls])
    data, _t = filled(form, None)
    data.update({"findings": "Response times met in every month but March.", "actions": "Ask for a P1 review."})
    assert client.post(form.action, data).status_code == 302
    review = AnnualReview.objects.get(school=cast.school)
    assert review.version == 1
    data["findings"] = "Written in another tab"  # still version 0: someone (this person) saved since
    response = client.post(form.action, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else saved this review" in body and "Written in another tab" in body
    assert AnnualReview.objects.get(pk=review.pk).version == 1


def test_the_review_counts_calls_against_targets_and_satisfaction(cast):
    call = IncidentFactory(school=cast.school, by=cast.reporter)
    call.satisfaction, call.satisfaction_asked_at = "good", timezone.now()
    call.save()
    asked = IncidentFactory(school=cast.school, by=cast.reporter)
    asked.satisfaction_asked_at = timezone.now()
    asked.save()
    today = timezone.localdate()
    calls = review_calls(cast.school, date(today.year - 1, today.month, 1), today)
    satisfaction = calls["satisfaction"]
    assert calls["totals"]["n"] == 2
    assert (satisfaction["asked"], satisfaction["rated"], satisfaction["good"]) == (2, 1, 1)
    assert satisfaction["good_share"] == 100.0 and satisfaction["answered_share"] == 50.0


def test_the_governors_pdf_has_the_findings(cast, client):
    review = review_start(school=cast.school, year=review_year(7, timezone.localdate()), month=7)
    review_save(review=review, by=cast.owner, version=0, findings="Broadband was the weak point.", actions="")
    client.force_login(cast.viewer)  # a governor reads it
    response = client.get(f"/standards/reviews/{cast.school.pk}/?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="it-support-review-' in response["Content-Disposition"]
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(
            [pdftotext, "-", "-"],
            input=response.content,
            capture_output=True,  # noqa: S603
            check=True,
        ).stdout.decode()
        assert "Annual IT support review" in text and "Broadband was the weak point." in text


def test_the_owner_chooses_the_review_month_and_the_year_follows(cast, client):
    from schooldesk.standards.models import ReviewSetting

    client.force_login(cast.owner)
    url = f"/standards/reviews/{cast.school.pk}/"
    page = client.get(url).content.decode()
    form = next(f for f in forms_in(page, url) if f.action.endswith("/month/"))
    data, _t = filled(form, None)
    data["review_month"] = "1"
    assert client.post(form.action, data).status_code == 302
    assert ReviewSetting.objects.get(school=cast.school).review_month == 1
    today = timezone.localdate()
    start, end = review_period(review_year(1, today), 1)
    assert f"{start:%d/%m/%Y} to {end:%d/%m/%Y}" in client.get(url).content.decode()
    client.force_login(cast.spoc)
    assert client.post(form.action, data).status_code in (403, 404)


def test_the_review_shows_suppliers_spend_renewals_and_standards_on_the_page_and_in_the_pdf(cast, client):
    """The review's sections built from the desk: a supplier's scorecard against its contract, spend against the
    budget, a contract coming up for renewal with its decision, and the standards' state."""
    from datetime import timedelta
    from decimal import Decimal

    from schooldesk.budgets.services import budget_set
    from schooldesk.diary.selectors import financial_year
    from schooldesk.reports.tests.factories import at_noon, call_at
    from schooldesk.suppliers.services import contract_decide
    from schooldesk.suppliers.tests.factories import make_contract

    today = timezone.localdate()
    year = review_year(7, today)
    start, end = review_period(year, 7)
    contract = make_contract(
        cast, name="Oak technical support", starts_on=start, initial_term_months=24, today=start
    )  # ends within the next year
    contract_decide(
        contract=contract, by=cast.owner, decision="renegotiate", reason="Quick fixes all year", today=today
    )
    call_at(
        cast,
        at_noon(end - timedelta(days=30)),
        satisfaction="good",
        supplier=cast.supplier,
        escalated_at=at_noon(end - timedelta(days=30)),
    )
    fy = financial_year(cast.school.financial_year_start_month, end)
    budget_set(school=cast.school, year=fy.starts_on.year, amounts={"hardware": Decimal("4321")}, by=cast.owner)
    client.force_login(cast.owner)
    page = client.get(f"/standards/reviews/{cast.school.pk}/").content.decode()

    def section(heading_id):
        return page[page.index(f'id="{heading_id}"') :].split("</section>")[0]

    calls = section("calls-h")
    assert "Satisfaction: 1 of 1 reporters asked rated the help they got: 100.0% good" in " ".join(calls.split())
    assert "Oak technical support" in section("sup-h")
    assert "4,321.00" in section("spend-h") and "Hardware" in section("spend-h")
    renewals = section("ren-h")
    assert "Oak technical support" in renewals and "Quick fixes all year" in renewals and "Renegotiate" in renewals
    assert "Backup restore tested this term" in section("std-h")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        pdf = client.get(f"/standards/reviews/{cast.school.pk}/?format=pdf").content
        text = subprocess.run([pdftotext, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S603
        for words in ("Suppliers against their contracts", "Oak technical support", "4,321.00", "Quick fixes all year"):
            assert words in text, words
