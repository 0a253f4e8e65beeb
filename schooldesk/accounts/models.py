from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.choices import ApiTokenScope, SignInProvider
from schooldesk.core.access import access_for
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.fields import EncryptedTextField
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel
from schooldesk.core.roles import DESK_ROLES, Role


class User(AbstractUser):
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=80, blank=True)
    # The secret in the person's calendar feed address, encrypted at rest (docs/decisions/0012): the feed is
    # found by the person's id in the address and the token compared, so a copy of the database alone gives
    # no address that works. Kept (not only a digest) so the feed page can show the address again. Empty until
    # the person first opens their feed page (diary.services.feed_token_ensure): no address, no secret to keep.
    feed_token = EncryptedTextField(blank=True, editable=False)

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A role held by a person in one school, or across every school of an organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True)
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Set instead of a school for a role held across all of an LA's or trust's schools."),
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("For providers: the supplier whose escalated calls they see."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, organisation__isnull=True)
                    | models.Q(school__isnull=True, organisation__isnull=False)
                ),
                name="membership_school_xor_organisation",
            ),
            models.UniqueConstraint(fields=["user", "school", "role"], name="membership_unique_school_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.school or self.organisation}"

    def clean(self):
        if self.role == Role.PROVIDER and not self.supplier_id:
            raise ValidationError({"supplier": _("A provider must belong to a supplier.")})


class ApiToken(models.Model):
    """A person's key to the API (Authorization: Bearer ...), named by them, read-only or read-write, revocable.
    Only a SHA-256 digest of the token is kept (docs/decisions/0013): it is shown once, when made; `prefix`, its
    first characters, tells a person's tokens apart."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person"))
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("access"), max_length=10, choices=ApiTokenScope.choices, default=ApiTokenScope.READ)
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == ApiTokenScope.WRITE


class Pupil(VersionedModel, SchoolOwnedModel):
    """A pupil of one school: a borrower in the device scheme, read from the MIS (through Wonde), an import or typed
    in. Not a sign-in: a pupil who reports faults to the desk is also a User, linked here (`user`)."""

    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    year_group = models.CharField(_("year group"), max_length=20, blank=True, help_text=_("e.g. Year 7."))
    form = models.CharField(_("class or form"), max_length=40, blank=True, help_text=_("e.g. 7B or Oak class."))
    mis_id = models.CharField(
        _("MIS id"),
        max_length=80,
        blank=True,
        help_text=_("The pupil's id in the school's MIS or Wonde, used to match on each sync."),
    )
    parent_name = models.CharField(_("parent or carer"), max_length=160, blank=True)
    parent_email = models.EmailField(_("parent or carer's email"), blank=True)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="pupil", verbose_name=_("sign-in")
    )
    is_active = models.BooleanField(_("on roll"), default=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "mis_id"], condition=~models.Q(mis_id=""), name="pupil_unique_mis_id_per_school"
            ),
        ]
        indexes = [models.Index(fields=["school", "year_group", "form"], name="pupil_school_class")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class SignInConnectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The connections of the schools where the person runs the desk, and of the organisations they run it for."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        schools = access_for(user).school_ids(DESK_ROLES)
        organisations = Membership.objects.filter(user=user, organisation__isnull=False, role__in=DESK_ROLES).values(
            "organisation_id"
        )
        return self.filter(models.Q(school_id__in=schools) | models.Q(organisation_id__in=organisations))


class SignInConnection(VersionedModel, TimeStampedModel):
    """ "Sign in with Microsoft" for one Entra ID tenant, or "Sign in with Google" for one Workspace, set up by a
    school's (or an organisation's) desk (docs/decisions/0031): which email domains are its people's, the app's
    client id and secret (encrypted at rest), and what a first sign-in may do. allauth's OpenID Connect provider
    signs in through it as the app `desk-<pk>` (accounts/sso.py)."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sign_in_connections",
        verbose_name=_("school"),
    )
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sign_in_connections",
        verbose_name=_("every school of"),
        help_text=_("Instead of a school: one tenant or domain shared by the LA's or trust's schools."),
    )
    provider = models.CharField(_("sign in with"), max_length=12, choices=SignInProvider.choices)
    tenant_id = models.CharField(
        _("Microsoft tenant ID"),
        max_length=100,
        blank=True,
        help_text=_("The Directory (tenant) ID from Entra ID, e.g. 3f2c8a9e-…. Microsoft only."),
    )
    domains = models.CharField(
        _("email domains"),
        max_length=400,
        help_text=_(
            "The domains of your people's addresses, separated by commas: oakfield.sch.uk, oakfield.org.uk. "
            "For Google, your Workspace's primary domain first."
        ),
    )
    client_id = EncryptedTextField(_("client ID"))
    client_secret = EncryptedTextField(_("client secret"))
    issuer = models.URLField(
        _("issuer"),
        max_length=300,
        blank=True,
        help_text=_("Leave blank: Microsoft's or Google's own. Only for a test or a private provider."),
    )
    is_enabled = models.BooleanField(_("show the button on the sign-in page"), default=True)
    creates_accounts = models.BooleanField(
        _("a first sign-in makes the account"),
        default=True,
        help_text=_(
            "Someone from your domain with no account yet gets one, as a reporter of the school. Untick to "
            "let only the people you have added sign in."
        ),
    )
    passwords_off = models.BooleanField(
        _("no passwords for the school's people"),
        default=False,
        help_text=_(
            "Your people must sign in with this button; their passwords stop working. Superusers and the "
            "break-glass account below still sign in with a password."
        ),
    )
    break_glass = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("break-glass account"),
        help_text=_(
            "A local account that keeps its password when passwords are off, for when the sign-in with "
            "Microsoft or Google is down."
        ),
    )

    objects = SignInConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "pk"]
        verbose_name = _("sign-in with Microsoft or Google")
        verbose_name_plural = _("sign-ins with Microsoft or Google")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, organisation__isnull=True)
                    | models.Q(school__isnull=True, organisation__isnull=False)
                ),
                name="signinconnection_school_xor_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.domains}"

    @property
    def domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.domains.replace(";", ",").split(",") if d.strip()]

    @property
    def provider_id(self) -> str:
        """allauth's name for this app (the sign-in and callback addresses: /accounts/oidc/desk-<pk>/login/)."""
        return f"desk-{self.pk}"

    @property
    def server_url(self) -> str:
        if self.issuer:
            return self.issuer.rstrip("/")
        if self.provider == SignInProvider.MICROSOFT:
            return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"
        return "https://accounts.google.com"


class MfaPolicy(VersionedModel, TimeStampedModel):
    """Which roles must use two-step sign-in, for every school of one organisation (an LA, a trust, or a stand-alone
    school's own organisation). No row: the installation's default (settings.SCHOOLDESK_MFA_DEFAULT_ROLES)."""

    organisation = models.OneToOneField(
        "schools.Organisation", on_delete=models.CASCADE, related_name="mfa_policy", verbose_name=_("organisation")
    )
    roles = models.JSONField(_("roles that must use two-step sign-in"), default=list, blank=True)
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )

    class Meta:
        verbose_name = _("two-step sign-in policy")
        verbose_name_plural = _("two-step sign-in policies")

    def __str__(self) -> str:
        return str(_("Two-step sign-in policy of %(organisation)s") % {"organisation": self.organisation})
