from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from schooldesk.schools.models import Closure, Term

pytestmark = pytest.mark.django_db


def test_spoc_sets_service_hours_and_deputy(cast, login):
    client = login(cast.spoc)
    data = {
        "s-name": cast.school.name,
        "s-nation": "wales",
        "s-roll_number": "210",
        "s-financial_year_start_month": "4",
        "s-service_opens_at": "08:15",
        "s-service_closes_at": "16:00",
        "s-is_term_time_only": "on",
        "s-auto_close_after_days": "3",
        "s-spoc": cast.spoc.pk,
        "s-spoc_days": ["0", "1", "2"],
        "s-spoc_from": "08:00",
        "s-spoc_until": "15:30",
        "s-deputy": cast.owner.pk,
        "s-deputy_from": "09:00",
        "s-deputy_until": "15:00",
    }
    response = client.post(reverse("schools:school_settings", args=[cast.school.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cast.school.refresh_from_db()
    assert cast.school.service_opens_at == time(8, 15) and cast.school.nation == "wales"
    assert cast.school.spoc_weekdays == {0, 1, 2} and cast.school.deputy == cast.owner


def test_service_hours_closing_before_opening_refused_and_kept(cast, login):
    client = login(cast.spoc)
    response = client.post(
        reverse("schools:school_settings", args=[cast.school.pk]),
        {
            "s-name": cast.school.name,
            "s-nation": "england",
            "s-roll_number": "1",
            "s-financial_year_start_month": "4",
            "s-service_opens_at": "16:00",
            "s-service_closes_at": "08:00",
            "s-auto_close_after_days": "5",
            "s-spoc_days": ["0"],
            "s-spoc_from": "08:00",
            "s-spoc_until": "15:00",
            "s-deputy_from": "08:00",
            "s-deputy_until": "15:00",
        },
    )
    assert response.status_code == 400
    assert "Service must close after it opens" in response.content.decode()
    cast.school.refresh_from_db()
    assert cast.school.service_opens_at == time(8, 0)


def test_terms_and_inset_days(cast, login):
    client = login(cast.spoc)
    response = client.post(
        reverse("schools:term_create", args=[cast.school.pk]),
        {
            "t-name": "Autumn 2026",
            "t-starts_on": "2026-09-03",
            "t-ends_on": "2026-12-18",
            "t-half_term_starts_on": "2026-10-26",
            "t-half_term_ends_on": "2026-10-30",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("schools:term_create", args=[cast.school.pk]),
        {
            "t-name": "Overlap",
            "t-starts_on": "2026-12-01",
            "t-ends_on": "2027-01-10",
        },
    )
    assert bad.status_code == 400 and "overlaps" in bad.content.decode()
    half_outside = client.post(
        reverse("schools:term_create", args=[cast.school.pk]),
        {
            "t-name": "Spring 2027",
            "t-starts_on": "2027-01-05",
            "t-ends_on": "2027-03-26",
            "t-half_term_starts_on": "2027-04-01",
            "t-half_term_ends_on": "2027-04-05",
        },
    )
    assert half_outside.status_code == 400 and "inside the term" in half_outside.content.decode()
    client.post(
        reverse("schools:closure_create", args=[cast.school.pk]),
        {"c-name": "INSET", "c-kind": "inset", "c-starts_on": "2026-09-02", "c-ends_on": "2026-09-02"},
    )
    assert Term.objects.filter(school=cast.school).count() == 1
    assert Closure.objects.filter(school=cast.school).count() == 1


def test_priority_matrix_and_targets_change_new_calls(cast, login):
    from schooldesk.incidents.tests.factories import IncidentFactory

    client = login(cast.spoc)
    page = client.get(reverse("schools:school_detail", args=[cast.school.pk]))
    form = page.context["matrix_form"]
    data = {f"m-{name}": field.initial for name, field in form.fields.items()}
    data["m-m_I3_U2"] = "P3"
    data["m-t_P3_respond"] = "1"
    response = client.post(reverse("schools:school_matrix", args=[cast.school.pk]), data)
    assert response.status_code == 302
    cast.school.refresh_from_db()
    assert cast.school.priority_matrix["I3"]["U2"] == "P3" and cast.school.sla_targets["P3"]["respond"] == 60
    incident = IncidentFactory(school=cast.school, by=cast.reporter)
    assert incident.priority == "P3"


def test_resolve_target_before_respond_target_refused(cast, login):
    client = login(cast.spoc)
    form = client.get(reverse("schools:school_detail", args=[cast.school.pk])).context["matrix_form"]
    data = {f"m-{name}": field.initial for name, field in form.fields.items()}
    data["m-t_P1_respond"], data["m-t_P1_resolve"] = "5", "1"
    response = client.post(reverse("schools:school_matrix", args=[cast.school.pk]), data)
    assert response.status_code == 400 and "cannot be due before" in response.content.decode()


def test_reporter_sees_spoc_of_the_day(cast, login):
    cast.school.spoc = cast.spoc
    cast.school.deputy = cast.owner
    cast.school.spoc_days = ",".join(str(d) for d in range(7))
    cast.school.save()
    html = login(cast.reporter).get("/").content.decode()
    assert f"Your SPOC today is <strong>{cast.spoc}</strong>" in html
    cast.school.spoc_days = ",".join(str(d) for d in range(7) if d != timezone.localdate().weekday())
    cast.school.save()
    html = login(cast.reporter).get("/").content.decode()
    assert f"Your deputy SPOC today is <strong>{cast.owner}</strong>" in html


def test_categories_added_and_archived(cast, login):
    client = login(cast.spoc)
    client.post(reverse("schools:category_create", args=[cast.school.pk]), {"g-name": "Exam software"})
    dup = client.post(reverse("schools:category_create", args=[cast.school.pk]), {"g-name": "exam software"})
    assert dup.status_code == 400
    from schooldesk.incidents.models import Category

    category = Category.objects.get(school=cast.school, name="Exam software")
    client.post(reverse("schools:category_archive", args=[cast.school.pk, category.pk]))
    category.refresh_from_db()
    assert category.is_archived


def test_spoc_asks_for_ratings_after_one_call_in_n(cast, login):
    """The settings form as the page renders it, changed to ask one resolved call in ten (decision 0022)."""
    from schooldesk.core.tests.pages import forms_in, sent

    client = login(cast.spoc)
    url = reverse("schools:school_settings", args=[cast.school.pk])
    page = client.get(reverse("schools:school_detail", args=[cast.school.pk])).content.decode()
    form = next(f for f in forms_in(page, "http://testserver/") if f.action.endswith(url))
    pairs, _touched = sent(form)
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    data.update({"s-satisfaction_survey": ["sample"], "s-satisfaction_sample_every": ["1"]})
    response = client.post(url, data)
    assert response.status_code == 400 and "Ask one call in 2 to 100" in response.content.decode()
    data["s-satisfaction_sample_every"] = ["10"]
    assert client.post(url, data).status_code == 302
    cast.school.refresh_from_db()
    assert (cast.school.satisfaction_survey, cast.school.satisfaction_sample_every) == ("sample", 10)
