import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from schooldesk.schools.models import School
from schooldesk.standards.choices import CheckStatus
from schooldesk.standards.models import CheckItem, CheckRule

pytestmark = pytest.mark.django_db


def test_the_demo_schools_have_the_starter_schedule_with_checks_done_and_some_missed():
    call_command("demo_seed", incidents=0, stdout=io.StringIO())
    for school in School.objects.all():
        assert CheckRule.objects.filter(school=school).count() == 6
    done = CheckItem.objects.filter(status=CheckStatus.DONE)
    missed = CheckItem.objects.filter(status=CheckStatus.DUE, due_on__lt=timezone.localdate())
    assert done.exists() and done.first().note
    assert missed.exists() and set(missed.values_list("school__name", flat=True)) == {"Riverside Academy"}


def test_the_demo_checks_were_done_on_their_days_not_the_day_the_demo_was_loaded():
    call_command("demo_seed", incidents=0, stdout=io.StringIO())
    done = list(CheckItem.objects.filter(status=CheckStatus.DONE))
    today = timezone.localdate()
    days = {timezone.localtime(item.done_at).date() for item in done}
    assert len(days) > 3  # a year of history, not one day
    for item in done:
        assert (
            item.due_on
            <= timezone.localtime(item.done_at).date()
            <= min(item.due_on + timezone.timedelta(days=2), today)
        )
