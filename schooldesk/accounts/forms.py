from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts import sso
from schooldesk.accounts.choices import ApiTokenScope, SignInProvider
from schooldesk.accounts.models import MfaPolicy, SignInConnection, User
from schooldesk.accounts.selectors import desk_organisation_ids, desk_school_ids, people_school_ids, rank_in
from schooldesk.core.forms import SchoolOrOrganisationMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.core.roles import ROLE_ORDER, ROLE_RANK, Role
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier

KEEP = _("Leave blank to keep the one saved. It is never shown again.")


class LoginForm(StyledFormMixin, AllauthLoginForm):
    """allauth's sign-in form (a username or an email address, and the password: docs/decisions/0031), its first
    field still called `username` as before allauth: the scripts, the benchmark, the deploy check and django-axes
    (AXES_USERNAME_FORM_FIELD) post and read that name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields.pop("login")
        login.label = _("Username or email address")
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs.update(autocomplete="username", autocapitalize="none", spellcheck="false")
        password = self.fields.pop("password")
        password.help_text = ""  # allauth's own "forgot" link; the page has the desk's
        password.widget.attrs.pop("placeholder", None)
        password.widget.attrs["autocomplete"] = "current-password"
        self.fields = {"username": login, "password": password, **self.fields}

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean(self):
        if "username" in self.cleaned_data:
            self.cleaned_data["login"] = self.cleaned_data["username"]  # the name allauth's own clean reads
        return super().clean()


class QueuedPasswordResetForm(PasswordResetForm):
    """ "Forgotten your password?": the request only queues the job (accounts.tasks); the worker looks the address
    up and sends the email. Known and unknown addresses then cost the page the same."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        from schooldesk.accounts.tasks import password_reset_send_task

        password_reset_send_task(self.cleaned_data["email"], domain_override or request.get_host(), use_https)


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What it is for, so you know which to revoke: “Governors’ dashboard”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiTokenScope.choices,
        initial=ApiTokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_("Read only is enough to fetch calls; read and write can also log them."),
    )


class ApiTokenRevokeForm(StyledFormMixin, forms.Form):
    """Nothing to fill in: the button is the whole form."""


# --- the People pages (docs/decisions/0033) ------------------------------------------------------------------------
def _role_choices(*, rank: int):
    """The roles a person of this rank may give, commonest first (accounts/choices.ROLE_ORDER)."""
    return [(role.value, role.label) for role in ROLE_ORDER if ROLE_RANK[role] <= rank]


class PeopleFilterForm(StyledFormMixin, forms.Form):
    one_time_token = False  # sent by GET, as often as a person likes

    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])
    school = forms.ModelChoiceField(label=_("School"), required=False, queryset=None, empty_label=_("Any school"))
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Everyone")), ("active", _("Can sign in")), ("left", _("Left (cannot sign in)"))],
    )

    def __init__(self, *args, school_ids, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(pk__in=school_ids).order_by("name")
        if len(school_ids) < 2:
            del self.fields["school"]


class _SchoolRoleFields(StyledFormMixin, forms.Form):
    """A school whose people the user manages, a role they may give there, and for a provider the supplier."""

    school = forms.ModelChoiceField(label=_("School"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=())
    supplier = forms.ModelChoiceField(
        label=_("Supplier (for a provider)"),
        queryset=None,
        required=False,
        help_text=_("A provider sees only the calls escalated to this supplier."),
    )

    def __init__(self, *args, user, **kwargs):
        # a real circle: suppliers' forms and models import accounts (User, the roles)

        super().__init__(*args, **kwargs)
        school_ids = people_school_ids(user=user)
        schools = School.objects.filter(pk__in=school_ids).order_by("name")
        self.fields["school"].queryset = schools
        if len(school_ids) == 1:
            self.fields["school"].initial = school_ids[0]
        self.fields["role"].choices = _role_choices(
            rank=max((rank_in(user=user, school_id=pk) for pk in school_ids), default=0)
        )
        self.fields["supplier"].queryset = Supplier.objects.filter(
            organisation_id__in=schools.values("organisation_id")
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.PROVIDER and not data.get("supplier"):
            self.add_error("supplier", _("A provider belongs to a supplier: choose which."))
        return data


class RoleGiveForm(_SchoolRoleFields):
    pass


class InviteForm(_SchoolRoleFields):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_(
            "They are emailed a link (it works once) to choose their password; they sign in with this address."
        ),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=80, required=False)

    field_order = ["first_name", "last_name", "email", "job_title", "school", "role", "supplier"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class PeopleImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
        help_text=_(
            "Columns: First name, Last name, Email, Job title, Roles (e.g. “technician; "
            "spoc”, or “pupil” for a reporter) and, for several schools, School (its "
            "name or URN). Up to 5,000 rows."
        ),
    )
    school = forms.ModelChoiceField(label=_("School (for rows that name none)"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        school_ids = people_school_ids(user=user)
        schools = School.objects.filter(pk__in=school_ids).order_by("name")
        self.only_school = schools.first() if len(school_ids) == 1 else None
        if self.only_school is not None:  # one school: every row is its, no field to fill
            del self.fields["school"]
        else:
            self.fields["school"].queryset = schools


class PeopleImportConfirmForm(StyledFormMixin, forms.Form):
    send = forms.BooleanField(
        label=_("Email each new person a link to choose their password"), required=False, initial=True
    )


class PersonActionForm(StyledFormMixin, forms.Form):
    """Nothing to fill in: the button is the whole form."""


class SignInStartForm(StyledFormMixin, forms.Form):
    """ "Sign in with Microsoft" or "… Google": the school email address says which school's tenant or domain."""

    email = forms.EmailField(
        label=_("Your school email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )
    provider = forms.ChoiceField(choices=SignInProvider.choices, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="sso", **kwargs)


class SignInConnectionForm(VersionedFormMixin, SchoolOrOrganisationMixin, StyledFormMixin, forms.ModelForm):
    """The client id and secret are write-only: never put back into the page; a blank box keeps the saved one."""

    client_id = forms.CharField(
        label=_("Client ID"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    field_order = [
        "school",
        "organisation",
        "provider",
        "tenant_id",
        "domains",
        "client_id",
        "client_secret",
        "issuer",
        "is_enabled",
        "creates_accounts",
        "passwords_off",
        "break_glass",
    ]

    class Meta:
        model = SignInConnection
        fields = [
            "school",
            "organisation",
            "provider",
            "tenant_id",
            "domains",
            "issuer",
            "is_enabled",
            "creates_accounts",
            "passwords_off",
            "break_glass",
        ]

    either_message = _("Choose a school, or the organisation for a tenant all its schools share.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = desk_school_ids(user=user)
        self.decide_school_or_organisation(schools, desk_organisation_ids(user=user))
        if self.instance.pk:
            self.fields["break_glass"].queryset = sso.people_of(self.instance).order_by("first_name", "last_name")
        else:
            self.fields["break_glass"].queryset = (
                User.objects.filter(memberships__school_id__in=schools).distinct().order_by("first_name", "last_name")
            )
        for name in ("client_id", "client_secret"):
            self.fields[name].help_text = KEEP if getattr(self.instance, name) else _("Not set yet.")

    def secrets(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in ("client_id", "client_secret")}


class MfaPolicyForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    """Which roles must use two-step sign-in in every school of one organisation (docs/decisions/0032)."""

    roles = forms.MultipleChoiceField(
        label=_("Roles that must use two-step sign-in"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A person holding a ticked role is asked to set it up when they next open the desk, and can do "
            "nothing else until they have. Leave a role unticked to let its people choose."
        ),
    )

    class Meta:
        model = MfaPolicy
        fields = ["roles"]
