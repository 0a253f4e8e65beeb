"""The restricted lane: a data breach's record (for the DPO), a safeguarding concern's (for the DSL), and the
filtering and monitoring register with its yearly review (docs/decisions/0023)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.roles import BREACH_ROLES, SAFEGUARDING_ROLES, Role
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.safeguarding import choices


class BreachQuerySet(SchoolOwnedQuerySet):
    def role_filter(self, user, access):
        ids = access.school_ids(BREACH_ROLES)
        return access.school_q(ids) if ids else None


class ConcernQuerySet(SchoolOwnedQuerySet):
    def role_filter(self, user, access):
        ids = access.school_ids(SAFEGUARDING_ROLES)
        return access.school_q(ids) if ids else None


class Breach(SchoolOwnedModel):
    """What the DPO records about a personal-data breach reported as a restricted call; every breach is in the
    school's breach log, notifiable or not (UK GDPR Article 33(5))."""

    incident = models.OneToOneField("incidents.Incident", on_delete=models.PROTECT, related_name="breach")
    aware_at = models.DateTimeField(_("when the school became aware"))
    data_involved = models.TextField(_("what personal data"), blank=True)
    people_affected = models.PositiveIntegerField(_("how many people"), null=True, blank=True)
    is_special_category = models.BooleanField(_("special category data (health, ethnicity, religion…)"), default=False)
    involves_children = models.BooleanField(_("children's data"), default=False)
    consequences = models.TextField(_("likely consequences"), blank=True)
    containment = models.TextField(_("what was done to contain it"), blank=True)
    notifiable = models.CharField(
        _("notifiable to the ICO?"), max_length=5, choices=choices.Notifiable.choices, blank=True
    )
    notifiable_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ico_told_at = models.DateTimeField(_("when the ICO was told"), null=True, blank=True)
    ico_reference = models.CharField(_("the ICO's reference"), max_length=60, blank=True)
    people_told = models.CharField(
        _("were the people affected told?"), max_length=12, choices=choices.PeopleTold.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["-aware_at", "-pk"]
        indexes = [models.Index(fields=["school", "aware_at"])]

    def __str__(self) -> str:
        return f"Breach {self.incident_id}"

    @property
    def deadline_at(self):
        return self.aware_at + timedelta(hours=choices.ICO_HOURS)

    @property
    def clock_running(self) -> bool:
        """The 72 hours matter until the DPO decides it is not notifiable or the ICO has been told."""
        return self.notifiable != choices.Notifiable.NO and self.ico_told_at is None


class Concern(SchoolOwnedModel):
    """A safeguarding or filtering concern reported as a restricted call: the DSL's actions and outcome."""

    incident = models.OneToOneField("incidents.Incident", on_delete=models.PROTECT, related_name="concern")
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Concern {self.incident_id}"


class ConcernAction(TimeStampedModel):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("action taken"))

    class Meta:
        ordering = ["created_at", "pk"]


class FilterRequestQuerySet(SchoolOwnedQuerySet):
    def role_filter(self, user, access):
        """The register: the DSL, the ICT owner and the governors (viewers) of the school; anyone else only the
        requests they made."""
        readers = set(access.school_ids(SAFEGUARDING_ROLES | {Role.VIEWER}))
        rest = set(access.school_ids()) - readers
        conditions = []
        if readers:
            conditions.append(access.school_q(readers))
        if rest:
            conditions.append(access.school_q(rest) & Q(requested_by=user))
        if not conditions:
            return None
        return conditions[0] | conditions[1] if len(conditions) == 2 else conditions[0]


class FilterRequest(SchoolOwnedModel):
    """A request to block or unblock a website or app, the DSL's decision, and what became of it."""

    change = models.CharField(_("what change"), max_length=10, choices=choices.FilterChange.choices)
    site = models.CharField(_("website or app"), max_length=200)
    reason = models.TextField(_("why"))
    audience = models.CharField(_("for whom"), max_length=12, choices=choices.Audience.choices)
    year_group = models.CharField(_("which year group"), max_length=40, blank=True)
    days = models.PositiveIntegerField(_("for how many days"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(
        _("state"), max_length=10, choices=choices.FilterStatus.choices, default=choices.FilterStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("call to make the change"),
    )
    removal_incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("call to remove the change"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = FilterRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "status", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.site}"

    @property
    def reference(self) -> str:
        return f"FLT-{self.pk:06d}" if self.pk else "FLT-(new)"

    @property
    def for_whom(self) -> str:
        if self.audience == choices.Audience.YEAR_GROUP and self.year_group:
            return self.year_group
        return str(self.get_audience_display())


class FilterReviewQuerySet(SchoolOwnedQuerySet):
    def role_filter(self, user, access):
        ids = access.school_ids(SAFEGUARDING_ROLES | {Role.VIEWER})
        return access.school_q(ids) if ids else None


class FilterReview(SchoolOwnedModel):
    """The yearly review of the filtering and monitoring decisions: what the register held when it was made, kept
    as written, and the DSL's and a governor's sign-off (who and when). Read-only once both have signed."""

    review_on = models.DateField(_("review date"))
    decisions = models.JSONField(default=list)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    dsl_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dsl_signed_at = models.DateTimeField(null=True, blank=True)
    governor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    governor_signed_at = models.DateTimeField(null=True, blank=True)

    objects = FilterReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-review_on", "-pk"]

    def __str__(self) -> str:
        return f"Filtering review {self.review_on:%d/%m/%Y}"

    @property
    def is_signed_off(self) -> bool:
        return bool(self.dsl_signed_at and self.governor_signed_at)
