from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.choices import ApiTokenScope, Role
from schooldesk.core.concurrency import VersionedModel
from schooldesk.core.fields import EncryptedTextField
from schooldesk.core.models import SchoolOwnedModel, TimeStampedModel


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
        "schools.Organisation", on_delete=models.CASCADE, null=True, blank=True,
        help_text=_("Set instead of a school for a role held across all of an LA's or trust's schools."),
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, null=True, blank=True,
        help_text=_("For providers: the supplier whose escalated calls they see."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(school__isnull=False, organisation__isnull=True)
                           | models.Q(school__isnull=True, organisation__isnull=False)),
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
    mis_id = models.CharField(_("MIS id"), max_length=80, blank=True,
                              help_text=_("The pupil's id in the school's MIS or Wonde, used to match on each sync."))
    parent_name = models.CharField(_("parent or carer"), max_length=160, blank=True)
    parent_email = models.EmailField(_("parent or carer's email"), blank=True)
    user = models.OneToOneField(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="pupil",
                                verbose_name=_("sign-in"))
    is_active = models.BooleanField(_("on roll"), default=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "mis_id"], condition=~models.Q(mis_id=""),
                                    name="pupil_unique_mis_id_per_school"),
        ]
        indexes = [models.Index(fields=["school", "year_group", "form"], name="pupil_school_class")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class MfaPolicy(VersionedModel, TimeStampedModel):
    """Which roles must use two-step sign-in, for every school of one organisation (an LA, a trust, or a stand-alone
    school's own organisation). No row: the installation's default (settings.SCHOOLDESK_MFA_DEFAULT_ROLES)."""

    organisation = models.OneToOneField("schools.Organisation", on_delete=models.CASCADE, related_name="mfa_policy",
                                        verbose_name=_("organisation"))
    roles = models.JSONField(_("roles that must use two-step sign-in"), default=list, blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("two-step sign-in policy")
        verbose_name_plural = _("two-step sign-in policies")

    def __str__(self) -> str:
        return str(_("Two-step sign-in policy of %(organisation)s") % {"organisation": self.organisation})
