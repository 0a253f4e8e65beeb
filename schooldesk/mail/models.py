"""Mailboxes the desk reads, every email received (kept, exactly once per mailbox) and every email sent.

Who sees what: the desk (SPOC, ICT owner) of a school sees its mailbox and its mail; a mailbox shared
by all the schools of an LA or trust, and mail in it not yet matched to a school, are seen by the
people holding a desk role across that organisation.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import Membership
from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.fields import EncryptedTextField
from schooldesk.core.models import TimeStampedModel
from schooldesk.mail import choices

#: never shown back on a page, never in the admin, never logged; encrypted in the database (core/fields.py)
SECRET_FIELDS = ("password", "oauth_client_secret", "oauth_refresh_token", "oauth_access_token", "smtp_password")


def _desk_scope(user):
    """(school ids where the user runs the desk, organisation ids where they run it for every school)."""
    schools = access_for(user).school_ids(choices.MAIL_ROLES)
    organisations = Membership.objects.filter(
        user=user, organisation__isnull=False, role__in=choices.MAIL_ORGANISATION_ROLES
    ).values("organisation_id")
    return schools, organisations


class MailboxQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools, organisations = _desk_scope(user)
        return self.filter(Q(school_id__in=schools) | Q(organisation_id__in=organisations))


class Mailbox(VersionedModel, TimeStampedModel):
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailboxes",
        verbose_name=_("school"),
    )
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailboxes",
        verbose_name=_("every school of"),
        help_text=_("Instead of a school: one mailbox for all the LA's or trust's schools."),
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("For example: Oakfield ICT desk"))
    address = models.EmailField(
        _("desk email address"), help_text=_("The address people write to. Our emails are sent from it.")
    )
    #: the address is the desk's only once proved (a confirmation link emailed to it was followed, or an OAuth
    #: sign-in to it succeeded): until then the mailbox is not read and the address is not treated as ours
    verified_at = models.DateTimeField(_("address confirmed"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("check this mailbox for new email"), default=False)
    host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("connection security"), max_length=10, choices=choices.Security.choices, default=choices.Security.SSL
    )
    username = models.CharField(
        _("user name"), max_length=200, blank=True, help_text=_("Usually the mailbox's email address.")
    )
    auth_method = models.CharField(
        _("sign in with"), max_length=12, choices=choices.AuthMethod.choices, default=choices.AuthMethod.PASSWORD
    )
    password = EncryptedTextField(_("password"), blank=True)
    oauth_tenant = models.CharField(
        _("Microsoft tenant"),
        max_length=100,
        blank=True,
        help_text=_("Your tenant ID or domain, e.g. oakfield.sch.uk (Microsoft 365 only)."),
    )
    oauth_client_id = models.CharField(_("app (client) ID"), max_length=200, blank=True)
    oauth_client_secret = EncryptedTextField(_("client secret"), blank=True)
    oauth_authorize_url = models.URLField(max_length=300, blank=True)
    oauth_token_url = models.URLField(max_length=300, blank=True)
    oauth_scope = models.CharField(max_length=300, blank=True)
    oauth_refresh_token = EncryptedTextField(blank=True)
    oauth_access_token = EncryptedTextField(blank=True)
    oauth_expires_at = models.DateTimeField(null=True, blank=True)
    folder = models.CharField(_("folder"), max_length=100, default="INBOX")
    unknown_senders = models.CharField(
        _("email from an address we do not know"),
        max_length=10,
        choices=choices.UnknownSenders.choices,
        default=choices.UnknownSenders.HOLD,
    )
    default_location = models.ForeignKey(
        "locations.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location for emailed calls"),
        help_text=_("Used when the email names none of the school's locations."),
    )
    rate_limit_per_hour = models.PositiveSmallIntegerField(
        _("most emails per hour from one address"),
        default=20,
        help_text=_("Beyond this, email from that address is held for the SPOC and never answered (0: no limit)."),
    )
    poll_every_minutes = models.PositiveSmallIntegerField(_("check every (minutes)"), default=2)
    authserv_id = models.CharField(
        _("receiving server's authserv-id"),
        max_length=255,
        blank=True,
        help_text=_(
            "The name your mail server writes at the start of its Authentication-Results header (for "
            "Microsoft 365: spf.protection.outlook.com; Google: mx.google.com). Email that fails its "
            "checks (DMARC, or both SPF and DKIM) is held for the SPOC. Blank: senders are not checked."
        ),
    )
    send_with = models.CharField(
        _("send the desk's email with"),
        max_length=12,
        choices=choices.SendWith.choices,
        default=choices.SendWith.INSTALLATION,
        help_text=_("Microsoft 365 and Google mailboxes send with the same authorisation as they are read with."),
    )
    smtp_host = models.CharField(_("SMTP server"), max_length=200, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP connection security"),
        max_length=10,
        choices=choices.SmtpSecurity.choices,
        default=choices.SmtpSecurity.STARTTLS,
    )
    smtp_username = models.CharField(
        _("SMTP user name"), max_length=200, blank=True, help_text=_("Leave blank to use the IMAP user name.")
    )
    smtp_password = EncryptedTextField(_("SMTP password"), blank=True)
    uid_validity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    polling_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: which worker holds the poll lease, and when it last showed it was alive (a stale one is taken over)
    poll_owner = models.CharField(max_length=32, blank=True, editable=False)
    poll_heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(school__isnull=False, organisation__isnull=True)
                    | Q(school__isnull=True, organisation__isnull=False)
                ),
                name="mailbox_school_xor_organisation",
            ),
            models.UniqueConstraint(
                fields=["address"], condition=Q(verified_at__isnull=False), name="mailbox_address_once_proved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def __repr__(self) -> str:  # never the secrets
        return f"<Mailbox {self.pk} {self.address}>"

    @property
    def is_oauth(self) -> bool:
        return self.auth_method in choices.OAUTH_METHODS

    @property
    def is_proved(self) -> bool:
        return self.verified_at is not None

    @property
    def sends_itself(self) -> bool:
        return self.send_with == choices.SendWith.MAILBOX and self.is_proved

    @property
    def has_secret(self) -> bool:
        return bool(self.oauth_refresh_token if self.is_oauth else self.password)


class InboundMessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools, organisations = _desk_scope(user)
        return self.filter(
            Q(school_id__in=schools) | Q(school__isnull=True, mailbox__organisation_id__in=organisations)
        )


def raw_path(instance, filename: str) -> str:
    return f"mail/{instance.mailbox_id}/{filename}"


class InboundMessage(TimeStampedModel):
    """One email fetched from a mailbox. The original is kept; it is processed exactly once."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    message_id = models.CharField(max_length=255)
    #: what the email says (parsing.content_digest): another email reusing a Message-ID is another message
    digest = models.CharField(max_length=64, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    #: False from storing it until the server has it flagged \Seen (a poll that died in between: the next does it)
    is_marked_read = models.BooleanField(default=True)
    raw = models.FileField(upload_to=raw_path, max_length=300)
    size = models.PositiveIntegerField(default=0)
    from_address = models.CharField(_("from"), max_length=254, blank=True, db_index=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    preview = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=choices.MailKind.choices, default=choices.MailKind.PERSON)
    no_auto_response = models.BooleanField(default=False, help_text="Machine mail, or asked not to be answered.")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=choices.InboundStatus.choices,
        default=choices.InboundStatus.RECEIVED,
        db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    action = models.CharField(max_length=12, choices=choices.InboundAction.choices, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    #: the timeline rows this email made (the sender is not emailed about their own words)
    first_update = models.ForeignKey(
        "incidents.IncidentUpdate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_update_id_made = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_id", "digest"], name="inbound_once_per_mailbox_and_content"
            )
        ]
        indexes = [
            models.Index(fields=["mailbox", "from_address", "created_at"]),
            models.Index(fields=["school", "status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class OutboundMessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools, _organisations = _desk_scope(user)
        return self.filter(school_id__in=schools)


class OutboundMessage(TimeStampedModel):
    """Every email we send, logged on the call it concerns; sent after commit and retried on failure."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, null=True, blank=True, related_name="outbound_messages"
    )
    update = models.ForeignKey(
        "incidents.IncidentUpdate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: sent through this mailbox's own SMTP account (None: the installation's server)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    purpose = models.CharField(max_length=24, choices=choices.Purpose.choices)
    dedupe_key = models.CharField(max_length=120, help_text="The same purpose, address and key is sent once.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_address = models.CharField(_("to"), max_length=254)
    from_address = models.CharField(max_length=300)
    reply_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    is_automatic = models.BooleanField(default=True, help_text="Sent with Auto-Submitted: auto-generated.")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=choices.OutboundStatus.choices,
        default=choices.OutboundStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["purpose", "to_address", "dedupe_key"], name="outbound_once")]
        indexes = [models.Index(fields=["incident", "to_address", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} to {self.to_address}"


class NotificationPreference(models.Model):
    """A person's choice not to (or again to) receive one kind of email. No row: they receive it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=24, choices=choices.NotificationEvent.choices)
    is_enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="preference_once_per_event")]

    def __str__(self) -> str:
        return f"{self.user}: {self.event} {'on' if self.is_enabled else 'off'}"
