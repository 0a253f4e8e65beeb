from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel

#: every new school starts with these; the SPOC adds the school's own
PRESET_LOCATIONS = [
    "ICT suite",
    "Library",
    "School office",
    "Staff room",
    "Hall",
    "Server / comms room",
    "Head teacher's office",
    "Reception",
    "SENCo room",
    "Music room",
    "Science lab",
    "Playground / outdoors",
    "Mobile (laptop trolley)",
]


class Location(VersionedModel, SchoolOwnedModel):
    name = models.CharField(_("name"), max_length=100)
    building = models.CharField(_("building or block"), max_length=60, blank=True)
    is_preset = models.BooleanField(default=False, editable=False)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="location_unique_name_per_school")]

    def __str__(self) -> str:
        return f"{self.name} ({self.building})" if self.building else self.name
