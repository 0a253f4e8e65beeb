"""Directory connections (a school's or an organisation's Microsoft 365, Google Workspace or Wonde), the link from
each person or pupil to their id in the directory with the values last read from it, and a kept report of each
sync (what was added, changed, left alone and why, deactivated; the rooms offered as locations).

Who sees what (docs/decisions/0034): a connection is managed by the school's ICT owner or, for an organisation's
connection and those of its schools, by the people holding the ICT owner's or SPOC's role across the organisation
(an LA's or trust's officers). A school's SPOC reads the reports of their school's connections.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.fields import EncryptedTextField
from schooldesk.core.models import TimeStampedModel
from schooldesk.directory.choices import (
    DIRECTORY_ORGANISATION_ROLES,
    DIRECTORY_READER_ROLES,
    DIRECTORY_ROLES,
    ChangeKind,
    Provider,
    RunStatus,
    Subject,
    Trigger,
)


def manager_scope(user) -> tuple[list[int], list[int]]:
    """(school ids where the user may manage connections, organisation ids where they may for every school)."""
    access = access_for(user)
    return access.school_ids(DIRECTORY_ROLES), access.organisation_ids(DIRECTORY_ORGANISATION_ROLES)


def reader_scope(user) -> list[int]:
    """School ids whose connections' reports the user may read (their SPOCs and ICT owners)."""
    return access_for(user).school_ids(DIRECTORY_READER_ROLES)


class ConnectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The connections the user may manage."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools, organisations = manager_scope(user)
        return self.filter(
            Q(school_id__in=schools)
            | Q(school__organisation_id__in=organisations)
            | Q(organisation_id__in=organisations)
        )

    def readable_by(self, user):
        """The connections whose reports the user may read: those they manage, and their school's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools, organisations = manager_scope(user)
        return self.filter(
            Q(school_id__in=set(schools) | set(reader_scope(user)))
            | Q(school__organisation_id__in=organisations)
            | Q(organisation_id__in=organisations)
        )


class Connection(VersionedModel, TimeStampedModel):
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="directory_connections",
        verbose_name=_("school"),
    )
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="directory_connections",
        verbose_name=_("organisation"),
        help_text=_("Instead of a school: one directory for several schools (each mapping line names the school)."),
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("For example: Staff in Microsoft 365"))
    provider = models.CharField(_("directory"), max_length=12, choices=Provider.choices)
    tenant = models.CharField(
        _("tenant, domain or Wonde school id"),
        max_length=120,
        help_text=_(
            "Microsoft: the tenant id or domain (contoso.onmicrosoft.com). Google: the domain "
            "(school.example.org), or leave empty for every domain of the account. Wonde: the school's "
            "id (A1234567890)."
        ),
        blank=True,
    )
    client_id = models.CharField(
        _("client id or account"),
        max_length=200,
        blank=True,
        help_text=_(
            "Microsoft: the app registration's application (client) id. Google: the administrator the "
            "service account acts for (admin@school.example.org). Wonde: leave empty."
        ),
    )
    secret = EncryptedTextField(
        _("secret"),
        blank=True,
        help_text=_(
            "Microsoft: the client secret. Google: the service account's JSON key file, pasted whole. "
            "Wonde: the API token. Kept encrypted and never shown again; leave empty to keep the one "
            "stored."
        ),
    )
    role_mapping = models.TextField(
        _("who gets which role"),
        blank=True,
        help_text=_(
            "One line each: a group's name (Microsoft), an organisational unit (Google, e.g. /Staff/Office) "
            "or * for everyone, then = and the role: Teachers = reporter. For an organisation's "
            "connection add @ and the school's DfE URN: Teachers = reporter @ 123456."
        ),
    )
    sync_pupils = models.BooleanField(
        _("read pupils and rooms"),
        default=True,
        help_text=_("Wonde only: pupils with their year and class, and the rooms."),
    )
    is_active = models.BooleanField(_("sync every night"), default=True)
    #: the latest access token (Microsoft, Google) and when it runs out: fetched again when it has
    access_token = EncryptedTextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField(_("last sync"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("directory connection")
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, organisation__isnull=True)
                | Q(school__isnull=True, organisation__isnull=False),
                name="directory_school_or_organisation",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def owner_name(self) -> str:
        return self.school.name if self.school_id else self.organisation.name

    @property
    def secret_hint(self) -> str:
        """What the page shows of the stored secret: that there is one, and its last four characters at most."""
        secret = self.secret or ""
        if not secret:
            return ""
        return "…" + secret.strip()[-4:] if len(secret.strip()) > 12 else "…"


class Link(TimeStampedModel):
    """A person (a User) or a pupil, and their stable id in the connection's directory. `synced` keeps the values
    last read from the directory, field by field, so that a value a person changed on the desk is left alone, and
    the roles the sync gave ("role@school id"), so that only those are ever taken away."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="links")
    provider_id = models.CharField(max_length=200)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="directory_links"
    )
    pupil = models.ForeignKey(
        "accounts.Pupil", on_delete=models.CASCADE, null=True, blank=True, related_name="directory_links"
    )
    synced = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "provider_id"], name="directory_link_once")]

    def __str__(self):
        return self.provider_id


class RunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(connection__in=Connection.objects.readable_by(user))


class Run(models.Model):
    """One sync of one connection, kept as its report."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(_("started"), max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    error = models.CharField(_("what went wrong"), max_length=500, blank=True)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    left_alone = models.PositiveIntegerField(_("left alone"), default=0)
    deactivated = models.PositiveIntegerField(_("deactivated"), default=0)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("sync report")

    def __str__(self):
        return f"{self.connection} {self.started_at:%d/%m/%Y %H:%M}"


class Change(models.Model):
    """One line of a report: a person or pupil added, changed (field: [old, new]), left alone (and why), deactivated,
    or a role given or taken away."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    subject = models.CharField(max_length=6, choices=Subject.choices)
    label = models.CharField(max_length=200)
    fields = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.kind} {self.label}"


class Room(models.Model):
    """A room read from Wonde, offered as a location; `location` once added."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="rooms")
    provider_id = models.CharField(max_length=200)
    name = models.CharField(_("name"), max_length=100)
    location = models.ForeignKey(
        "locations.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name
