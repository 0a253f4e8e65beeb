"""Device management consoles the asset register is kept in step with (docs/decisions/0030).

A connection belongs to one school, or to an organisation (an LA, a trust) whose devices are routed to its
schools by a routing table (Google's organisational unit, Intune's device category, Jamf School's location).
Each synced asset has a DeviceLink: the console's id for it, what the console last said about it (the values the
sync last wrote, field by field, so a value someone changed in the desk is never written over) and whether it has
gone from the console. Each run keeps its report: counts and one line per device added, changed, left alone or gone.

Who sees and manages them: the school's ICT owner, SPOC and technicians; for an organisation's connection, the
people holding the desk's roles across the organisation (an LA's officers), who also see their schools' own.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.fields import EncryptedTextField
from schooldesk.core.models import TimeStampedModel
from schooldesk.devicesync.choices import (
    CONSOLE_ORGANISATION_ROLES,
    CONSOLE_ROLES,
    DEFAULT_BASE_URLS,
    ConsoleKind,
    LeftReason,
    LineKind,
    RunStatus,
)


def console_scope(user) -> tuple[list[int], list[int]]:
    """(school ids whose connections the user may manage, organisation ids whose connections they may)."""
    access = access_for(user)
    return access.school_ids(CONSOLE_ROLES), access.organisation_ids(CONSOLE_ORGANISATION_ROLES)


class ConnectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools, organisations = console_scope(user)
        return self.filter(
            Q(school_id__in=schools)
            | Q(school__organisation_id__in=organisations)
            | Q(organisation_id__in=organisations)
        )


class ConsoleConnection(VersionedModel, TimeStampedModel):
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="console_connections",
        verbose_name=_("school"),
    )
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="console_connections",
        verbose_name=_("every school of"),
        help_text=_("Instead of a school: the organisation's console, its devices routed to schools below."),
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("For example: Chromebooks (Google Admin)"))
    kind = models.CharField(_("console"), max_length=10, choices=ConsoleKind.choices, default=ConsoleKind.GOOGLE)
    base_url = models.CharField(
        _("API address"),
        max_length=300,
        blank=True,
        help_text=_(
            "Leave empty for the console's own (Google, Microsoft Graph). Jamf School: your school's, "
            "e.g. https://yourschool.jamfcloud.com/api"
        ),
    )
    #: the token endpoint; empty for the provider's own (not on the form: settable for the tests' stand-ins)
    token_url = models.CharField(max_length=300, blank=True)
    credentials = EncryptedTextField(
        _("key or secret"),
        blank=True,
        help_text=_(
            "Google: the service account's JSON key. Intune: the app's client secret. Jamf School: the API "
            "key. Stored encrypted and never shown again; leave empty to keep the one stored."
        ),
    )
    admin_email = models.EmailField(
        _("admin to act as (Google)"),
        blank=True,
        help_text=_("A Google Workspace administrator the service account's domain-wide delegation acts for."),
    )
    customer_id = models.CharField(_("customer ID (Google)"), max_length=40, blank=True, default="my_customer")
    tenant_id = models.CharField(_("tenant ID (Intune)"), max_length=80, blank=True)
    client_id = models.CharField(_("application (client) ID (Intune)"), max_length=80, blank=True)
    network_id = models.CharField(_("network ID (Jamf School)"), max_length=80, blank=True)
    routing = models.TextField(
        _("routing"),
        blank=True,
        help_text=_(
            "Organisation's console only: one line per school, “what the console says = school”, the school "
            "by its DfE URN or name. Google: the organisational unit (e.g. /Schools/Oakfield = 123456; a "
            "unit's sub-units go with it). Intune: the device category. Jamf School: the location ID."
        ),
    )
    write_back = models.BooleanField(
        _("write the desk's tag and location to the console"),
        default=False,
        help_text=_("Google only: the asset tag as the device's Asset ID and the location's name as its Location."),
    )
    is_active = models.BooleanField(_("sync every night"), default=True)
    access_token = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, organisation__isnull=True)
                | Q(school__isnull=True, organisation__isnull=False),
                name="console_school_or_organisation",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def owner_name(self) -> str:
        return self.school.name if self.school_id else self.organisation.name

    @property
    def endpoint(self) -> str:
        return (self.base_url or DEFAULT_BASE_URLS.get(self.kind, "")).rstrip("/")

    @property
    def credentials_hint(self) -> str:
        """What the pages show of the stored key: that there is one, and its last four characters at most."""
        secret = (self.credentials or "").strip()
        if not secret:
            return ""
        return f"…{secret[-4:]}" if len(secret) >= 24 and not secret.startswith("{") else "✓"


class DeviceLinkQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(connection__in=ConsoleConnection.objects.visible_to(user))


class DeviceLink(TimeStampedModel):
    """An asset as one console knows it."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    asset = models.OneToOneField("assets.Asset", on_delete=models.CASCADE, related_name="console_link")
    connection = models.ForeignKey(ConsoleConnection, on_delete=models.CASCADE, related_name="links")
    console_id = models.CharField(max_length=120)
    #: {"make": "Acme", "issued_to": 12, …}: the value the sync last wrote to each asset field (as compared)
    synced = models.JSONField(default=dict)
    os_version = models.CharField(max_length=80, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    enrolled_user = models.CharField(max_length=200, blank=True)
    org_unit = models.CharField(max_length=300, blank=True)
    gone_since = models.DateTimeField(null=True, blank=True)

    objects = DeviceLinkQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "console_id"], name="devicelink_once")]
        indexes = [models.Index(fields=["school", "connection"])]

    def __str__(self):
        return self.console_id


class RunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(connection__in=ConsoleConnection.objects.visible_to(user))


class SyncRun(TimeStampedModel):
    connection = models.ForeignKey(ConsoleConnection, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seen = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    left_alone = models.PositiveIntegerField(default=0)
    gone = models.PositiveIntegerField(default=0)
    written_back = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.connection} {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class SyncLine(models.Model):
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=LineKind.choices)
    reason = models.CharField(max_length=12, choices=LeftReason.choices, blank=True)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    asset = models.ForeignKey("assets.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    device = models.CharField(max_length=200)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["run", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.device}"
