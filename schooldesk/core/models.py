"""Abstract models shared by every domain app, and the audit trail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.roles import AUDIT_ROLES
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


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The trail of the schools in which the user is ICT owner or DPO, and of the organisations whose own
        records they look after (an LA's or trust's owner; a stand-alone school's owner). Nobody else's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        access = access_for(user)
        school_ids = access.school_ids(AUDIT_ROLES)
        if not school_ids:
            return self.none()
        condition = access.school_q(school_ids)
        organisations = access.organisations_managed(AUDIT_ROLES)
        if organisations:
            condition |= models.Q(school__isnull=True, organisation_id__in=sorted(organisations))
        return self.filter(condition)


class AuditEntry(models.Model):
    """Who did what: changes (written by services), and reads of restricted calls, downloads, role grants, sign-ins
    and refusals (written by schooldesk/core/audit.py's hooks). Read on the audit trail page as sentences."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True)
    #: the organisation whose own record it concerns (a supplier), or the school's organisation
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    #: what the record is called when the entry is written ("INC-000123", "Oak Support Ltd"), for the sentence
    object_label = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["school", "-at"], name="audit_school_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type} {self.object_id}"


class FormSubmission(models.Model):
    """A one-time form token that has been used (docs/decisions/0014): every POST form carries a new token, and a
    second submission of the same rendered form is answered with what the first did, not done again. Kept for
    FORM_TOKEN_DAYS, then purged (core/tasks.py)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    redirect_to = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.redirect_to}"


class IdempotencyKey(models.Model):
    """An API create's `Idempotency-Key`, per person, with the first answer (status and body) to give a retry.
    `fingerprint` is a digest of the method, path and body: the same key with another body is refused (422)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)  # the first answer's JSON as written (key order kept, unlike jsonb)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
