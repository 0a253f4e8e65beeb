from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.roles import REPORT_ROLES, RESTRICTED_ROLES, STAFF_ROLES, Role
from schooldesk.core.scoping import SchoolOwnedQuerySet
from schooldesk.incidents import choices
from schooldesk.safeguarding.models import Breach, Concern
from schooldesk.schools.choices import Impact, Priority, Urgency

REFERENCE_PREFIX = "INC-"


class IncidentQuerySet(SchoolOwnedQuerySet):
    def role_filter(self, user, access) -> Q | None:
        """Staff see their schools' calls; a provider only what was escalated to their supplier;
        everyone sees the calls they reported, logged or were given; restricted calls only the owner,
        the DPO/DSL and those involved.

        Built as one `school IN (…) AND (…)` term per kind of access, so that the database can use
        the (school, status, logged_at) index instead of scanning every call."""

        own = Q(reported_by=user) | Q(logged_by=user) | Q(assigned_to=user)
        full = set(access.school_ids(STAFF_ROLES)) & set(access.school_ids(RESTRICTED_ROLES))  # the owner
        staff = set(access.school_ids(STAFF_ROLES)) - full
        restricted_only = set(access.school_ids(RESTRICTED_ROLES)) - full - staff  # DPO/DSL
        providers = {s: access.suppliers_by_school.get(s) for s in access.school_ids(frozenset({Role.PROVIDER}))}
        rest = set(access.school_ids()) - full - staff - restricted_only
        conditions = []
        if full:
            conditions.append(access.school_q(full))
        if staff:
            conditions.append(access.school_q(staff) & (Q(is_restricted=False) | own))
        if restricted_only:
            conditions += self._restricted_lanes(access, restricted_only, own)
        for school_id, suppliers in providers.items():
            if suppliers and school_id not in full | staff:
                conditions.append(Q(school_id=school_id) & (Q(supplier_id__in=suppliers, is_restricted=False) | own))
        for school_id in sorted(rest):
            if school_id not in providers:
                conditions.append(Q(school_id=school_id) & own)
        if not conditions:
            return None
        combined = conditions[0]
        for condition in conditions[1:]:
            combined |= condition
        return combined

    def _restricted_lanes(self, access, school_ids, own) -> list[Q]:
        """A DPO (without the DSL role) sees the restricted calls that are not safeguarding concerns, a DSL those
        that are not data breaches, someone holding both every one (docs/decisions/0023)."""

        both = set(access.school_ids(frozenset({Role.DPO}))) & set(access.school_ids(frozenset({Role.DSL})))
        conditions = []
        if school_ids & both:
            conditions.append(access.school_q(school_ids & both) & (Q(is_restricted=True) | own))
        for role, other_lane in ((Role.DPO, Concern), (Role.DSL, Breach)):
            ids = (school_ids - both) & set(access.school_ids(frozenset({role})))
            if ids:
                not_theirs = Q(pk__in=other_lane.objects.filter(access.school_q(ids)).values("incident_id"))
                conditions.append(access.school_q(ids) & (Q(is_restricted=True) & ~not_theirs | own))
        return conditions

    def reportable_by(self, user):
        """For counts in reports: every call of the schools where the user may read reports."""

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(access_for(user).schools_q(REPORT_ROLES))

    def active(self):
        from schooldesk.incidents.choices import ACTIVE_STATUSES

        return self.filter(status__in=ACTIVE_STATUSES)

    def with_reference(self, text: str):
        """`INC-000123`, `inc-123` or `123` finds the call with that number."""
        digits = text.strip().upper().removeprefix(REFERENCE_PREFIX).lstrip("0")
        return self.filter(pk=int(digits)) if digits.isascii() and digits.isdecimal() else self.none()


class Category(SchoolOwnedModel):
    name = models.CharField(_("name"), max_length=80)
    is_archived = models.BooleanField(_("archived"), default=False)
    needs_approval = models.BooleanField(
        _("needs approval"),
        default=False,
        help_text=_("Requests in this category cost money or change access: they wait for the school's approver."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="category_unique_name_per_school")]

    def __str__(self) -> str:
        return self.name


class Incident(VersionedModel, SchoolOwnedModel):
    kind = models.CharField(_("type"), max_length=20, choices=choices.IncidentKind.choices, default="incident")
    summary = models.CharField(_("what is wrong?"), max_length=200)
    description = models.TextField(_("anything else that may help"), blank=True)
    expected = models.TextField(_("what did you expect to happen?"), blank=True)
    happened = models.TextField(_("what actually happened?"), blank=True)
    checked = models.TextField(_("what have you checked already?"), blank=True)
    last_worked = models.CharField(_("when did it last work?"), max_length=120, blank=True)
    happened_before = models.CharField(
        _("has it happened before?"), max_length=5, choices=choices.HappenedBefore.choices, blank=True
    )
    reporter_availability = models.CharField(
        _("where and when can you be found?"),
        max_length=200,
        blank=True,
        help_text=_("For example: Room 12, free periods 3 and 4, or after 3:15pm."),
    )
    location = models.ForeignKey("locations.Location", on_delete=models.PROTECT, verbose_name=_("where"))
    device = models.CharField(
        _("device (optional)"),
        max_length=120,
        blank=True,
        help_text=_("Asset tag or a description, e.g. 'teacher laptop'."),
    )
    asset = models.ForeignKey(
        "assets.Asset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("device from the register"),
    )
    channel = models.CharField(max_length=20, choices=choices.Channel.choices, default="web")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reported_incidents"
    )
    reporter_name = models.CharField(_("caller's name"), max_length=120, blank=True)
    reporter_contact = models.CharField(_("caller's phone or email"), max_length=120, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="logged_incidents"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category"))
    impact = models.CharField(_("impact"), max_length=2, choices=Impact.choices, default=Impact.ONE_USER)
    urgency = models.CharField(_("urgency"), max_length=2, choices=Urgency.choices, default=Urgency.IMPAIRED)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, db_index=True)
    priority_override_reason = models.CharField(_("reason for overriding the priority"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=choices.IncidentStatus.choices, default="new", db_index=True
    )
    support_level = models.CharField(max_length=10, choices=choices.SupportLevel.choices, default="desk")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_incidents",
        verbose_name=_("technician"),
    )
    for_next_visit = models.BooleanField(_("for the next technician visit"), default=False)
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("escalated to")
    )
    supplier_reference = models.CharField(_("supplier's reference"), max_length=60, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # what the supplier did, as the desk records it: measured against the contract's targets
    supplier_responded_at = models.DateTimeField(_("supplier responded at"), null=True, blank=True)
    supplier_fixed_at = models.DateTimeField(_("supplier fixed it at"), null=True, blank=True)
    logged_at = models.DateTimeField(db_index=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_minutes = models.PositiveIntegerField(
        default=0, help_text="Service minutes spent waiting, added to the targets."
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    is_workaround = models.BooleanField(_("this is a workaround; follow-up needed"), default=False)
    # how the reporter rated the handling (asked at resolution when the school's survey setting picks the call)
    satisfaction = models.CharField(
        _("how the reporter rated it"), max_length=4, choices=choices.Satisfaction.choices, blank=True
    )
    satisfaction_comment = models.CharField(_("the reporter's comment on the rating"), max_length=500, blank=True)
    satisfaction_asked_at = models.DateTimeField(_("rating asked for at"), null=True, blank=True)
    satisfaction_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    is_restricted = models.BooleanField(
        _("restricted (data breach or safeguarding)"),
        default=False,
        help_text=_(
            "Only the ICT owner, the DPO/DSL and the people involved (reporter, whoever logged it, "
            "the assignee) can see a restricted call."
        ),
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-logged_at"]
        indexes = [
            models.Index(fields=["school", "status", "logged_at"]),
            models.Index(fields=["school", "logged_at"]),
            # everything visible_to() asks of a call, so counting a school's calls reads only this index
            models.Index(
                fields=["school", "is_restricted", "reported_by", "logged_by", "assigned_to"],
                name="incident_visibility_idx",
            ),
            models.Index(Lower("supplier_reference"), name="incident_supplier_ref_idx"),  # search by their ref
            # the restricted calls a desk holds but cannot read, oldest first (restricted_held): only the few
            # restricted ones, by status, so the triage queue does not walk a school's every call in date order
            models.Index(
                fields=["school", "status", "logged_at"],
                condition=Q(is_restricted=True),
                name="incident_restricted_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.asset_id and self.school_id and self.asset.school_id != self.school_id:
            raise ValidationError({"asset": _("Choose a device from this school's register.")})

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else "INC-(new)"

    @property
    def reporter_display(self) -> str:
        return str(self.reported_by) if self.reported_by_id else (self.reporter_name or "Unknown caller")

    @property
    def is_active(self) -> bool:
        return self.status in choices.ACTIVE_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.sla_paused_at is not None

    @property
    def next_due_at(self):
        """The target that matters now: the response until someone responds, then the resolution."""
        dues = [d for d in (self.resolve_due_at, None if self.responded_at else self.response_due_at) if d]
        return min(dues) if dues else None

    def sla_state(self, now) -> str | None:
        if not self.is_active:
            return None
        if self.is_paused:
            return choices.SlaState.PAUSED
        first = self.next_due_at
        if first is None:
            return choices.SlaState.ON_TRACK
        if first < now:
            return choices.SlaState.BREACHED
        if (first - now).total_seconds() <= 2 * 3600:
            return choices.SlaState.DUE_SOON
        return choices.SlaState.ON_TRACK


#: the names people know the recorded fields by (a triage note and a timeline row say "Category", not "category")
FIELD_LABELS = {
    "category": _("Category"),
    "impact": _("Impact"),
    "urgency": _("Urgency"),
    "priority_level": _("Priority"),
    "location": _("Where"),
    "restricted": _("Restricted"),
    "status": _("Status"),
    "supplier_reference": _("Supplier's reference"),
    "satisfaction": _("Reporter's rating"),
}
NONE = "–"


def change_sentence(field: str, old: str = "", new: str = "") -> str:
    """One recorded change as a sentence a school's own people read: "Forwarded to Tom Hargreaves",
    "Escalated to Classroom Technology Direct (their ref CTD-884213)", "Status: Open (triaged)".

    The values are what the services stored: display labels and names, never codes. The call page's timeline
    and the emails both read changes through this (`IncidentUpdate.change_text`), and triage writes its note
    with it."""
    old, new = ("" if v in (None, NONE) else str(v) for v in (old, new))
    if field == "status":
        return gettext("Status: %(new)s") % {"new": new}
    if field == "assigned_to":  # rows written before the next-visit flag had its own field
        if new == "next scheduled visit":
            return gettext("Forwarded to the next scheduled technician visit")
        if new.endswith(" (next visit)"):
            return change_sentence("next_visit", old, new.removesuffix(" (next visit)"))
        return gettext("Forwarded to %(name)s") % {"name": new} if new else gettext("No longer forwarded")
    if field == "next_visit":
        if new:
            return gettext("Forwarded to %(name)s for the next scheduled visit") % {"name": new}
        return gettext("Forwarded to the next scheduled technician visit")
    if field == "escalated_to":  # old_value holds the supplier's own reference
        if old:
            return gettext("Escalated to %(supplier)s (their ref %(ref)s)") % {"supplier": new, "ref": old}
        return gettext("Escalated to %(supplier)s") % {"supplier": new}
    if field == "supplier":  # rows written before the reference was kept with the escalation
        return gettext("Escalated to %(supplier)s") % {"supplier": new}
    if field == "supplier_reference":
        if not new:
            return gettext("Supplier's reference removed (was %(old)s)") % {"old": old}
        if old:
            return gettext("Supplier's reference changed from %(old)s to %(new)s") % {"old": old, "new": new}
        return gettext("Supplier's reference: %(new)s") % {"new": new}
    if field == "priority":  # an override: old is what the matrix suggested
        return gettext("Priority set to %(new)s (the matrix suggested %(old)s)") % {
            "new": _priority_label(new),
            "old": _priority_label(old),
        }
    if field == "workaround":
        return gettext("Recorded as a workaround; follow-up needed")
    if field == "restricted":
        return gettext("Marked restricted") if new == "yes" else gettext("No longer restricted")
    label = FIELD_LABELS.get(field) or field.replace("_", " ").capitalize()
    if old and new:
        return gettext("%(label)s: %(new)s (was %(old)s)") % {"label": label, "new": new, "old": old}
    if new:
        return gettext("%(label)s: %(new)s") % {"label": label, "new": new}
    return gettext("%(label)s cleared (was %(old)s)") % {"label": label, "old": old}


def _priority_label(value: str) -> str:
    return str(dict(Priority.choices).get(value, value))


class IncidentUpdate(TimeStampedModel):
    """One row of a call's timeline."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=choices.UpdateKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    body = models.TextField(blank=True)
    is_public = models.BooleanField(default=True, help_text=_("Shown to the reporter."))
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    minutes_spent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.incident_id}"

    @property
    def change_text(self) -> str:
        """The recorded change as a sentence, or "" for a row that records none."""
        return change_sentence(self.field, self.old_value, self.new_value) if self.field else ""


def attachment_path(instance, filename: str) -> str:
    return f"attachments/{instance.incident.school_id}/{instance.incident_id}/{instance.stored_name}"


class Attachment(TimeStampedModel):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    update = models.ForeignKey(
        IncidentUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class SavedView(TimeStampedModel):
    """A person's own named filters and sort of the call list (its query string), shown in their menu with a
    count. Each role's starting views are not stored: see incidents.selectors.STARTING_VIEWS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name_per_person")]

    def __str__(self) -> str:
        return self.name
