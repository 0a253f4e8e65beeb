from datetime import timedelta

import factory
from django.utils import timezone

from schooldesk.changes.models import ChangeRequest
from schooldesk.changes.services import change_create, change_decide, change_submit, milestone_add


class ChangeFactory(factory.django.DjangoModelFactory):
    """Raised through the service (a draft), as a person would raise it."""

    class Meta:
        model = ChangeRequest

    title = factory.Sequence(lambda n: f"Replace the access points {n}")
    reason = "The Wi-Fi drops in the junior block."

    @classmethod
    def _create(cls, model_class, *args, school, by=None, **kwargs):
        return change_create(school=school, by=by, **kwargs)


def authorised_change(cast, *, milestones=0, **kwargs) -> ChangeRequest:
    """A change submitted by the SPOC and authorised by the owner, with `milestones` steps planned."""
    change = ChangeFactory(school=cast.school, by=cast.spoc, **kwargs)
    for n in range(milestones):
        milestone_add(
            change=change,
            by=cast.spoc,
            title=f"Step {n + 1}",
            due_on=timezone.localdate() + timedelta(days=n + 1),
            assigned_to=cast.technician,
        )
    change.refresh_from_db()
    change = change_submit(change=change, by=cast.spoc, version=change.version)
    change_decide(change=change, by=cast.owner, version=change.version, authorise=True, reason="Within budget.")
    change.refresh_from_db()
    return change
