from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.procedures.choices import VersionStatus


class ProcedureQuerySet(SchoolOwnedQuerySet):
    """Everyone in the school reads its current procedures (visible_roles None: any role)."""

    def in_force(self):
        return self.filter(current_version__isnull=False)


class Procedure(VersionedModel, SchoolOwnedModel):
    """One of the service desk's procedures. Its text lives in versions: the current one is in force. `version` (the
    edit check, core/concurrency.py) goes up when a new text is authorised, so a proposal drawn from an older text
    is refused."""

    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=100)
    current_version = models.OneToOneField(
        "procedures.ProcedureVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class ProcedureVersion(TimeStampedModel):
    """A version of a procedure: proposed by the desk, authorised (or not) by the ICT owner."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("procedure"))
    change_note = models.CharField(_("what changes and why"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedureversion_unique_number"),
            models.UniqueConstraint(
                fields=["procedure"], condition=models.Q(status="proposed"), name="procedureversion_one_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def is_proposed(self) -> bool:
        return self.status == VersionStatus.PROPOSED
