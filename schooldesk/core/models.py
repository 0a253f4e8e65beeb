"""Abstract models shared by every domain app, and the audit trail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.scoping import SchoolOwnedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SchoolOwnedModel(TimeStampedModel):
    """Anything a school owns. Reach rows only through `Model.objects.visible_to(user)`."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, verbose_name=_("school"))

    objects = SchoolOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who changed what, written by services (never by signals)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type} {self.object_id}"
