"""Canned replies: a school's own, or an organisation's (an LA or trust) shared by all its schools."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.models import TimeStampedModel
from schooldesk.schools.models import School


class CannedReplyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The replies of the schools where the user works calls (staff or provider), and of those schools'
        organisations. Built on the same access object as every other scoped query."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        from schooldesk.replies.choices import USE_ROLES

        access = access_for(user)
        school_ids = access.school_ids(USE_ROLES)
        if not school_ids:
            return self.none()
        organisations = School.objects.filter(pk__in=school_ids).values("organisation_id")
        return self.filter(Q(school_id__in=school_ids) | Q(organisation_id__in=organisations))


class CannedReply(TimeStampedModel):
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("school")
    )
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CannedReplyQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "canned replies"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(school__isnull=False, organisation__isnull=True)
                    | Q(school__isnull=True, organisation__isnull=False)
                ),
                name="canned_reply_school_xor_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        return self.school or self.organisation
