from datetime import timedelta

from django.utils import timezone

from schooldesk.schools.models import Term
from schooldesk.standards.choices import CheckKind
from schooldesk.standards.models import CheckItem
from schooldesk.standards.services import checks_create_due, checks_setup_defaults


def term_around_today(school, name="This term"):
    today = timezone.localdate()
    return Term.objects.create(
        school=school, name=name, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30)
    )


def restore_check_due(school) -> CheckItem:
    """The school's termly restore test, come due this term and not done."""
    term = term_around_today(school)
    checks_setup_defaults(school=school)
    checks_create_due(today=timezone.localdate(), since=term.starts_on, school_ids=[school.pk])
    return CheckItem.objects.get(school=school, rule__kind=CheckKind.RESTORE_TEST)
