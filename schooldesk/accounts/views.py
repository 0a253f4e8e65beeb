"""A person's own API tokens: list, make (the token shown once), revoke. Nobody sees or revokes another's. The sign-in
page, and the settings of a school's sign-in with Microsoft or Google (docs/decisions/0031). And who must use
two-step sign-in, set by an organisation's ICT owner (docs/decisions/0032)."""

from allauth.account import views as allauth_views
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from schooldesk.accounts import services, sso
from schooldesk.accounts.choices import SignInProvider
from schooldesk.accounts.forms import (
    ApiTokenForm,
    ApiTokenRevokeForm,
    MfaPolicyForm,
    SignInConnectionForm,
    SignInStartForm,
)
from schooldesk.accounts.models import SignInConnection
from schooldesk.accounts.selectors import api_token_list, mfa_policy_for, mfa_policy_organisations
from schooldesk.core.views import FormPageView, ObjectActionView, PermissionRequiredMixin

#: the session key that carries a new token from the form to the list page, which shows it once and forgets it
NEW_TOKEN = "api_token_new"  # noqa: S105 - a session key
#: the newest tokens shown (a person has a handful; revoked ones stay listed for the record)
MAX_SHOWN = 100


class ApiTokenListView(ListView):
    template_name = "accounts/api_token_list.html"
    context_object_name = "tokens"

    def get_queryset(self):
        return api_token_list(user=self.request.user)[:MAX_SHOWN]

    def get_context_data(self, **kwargs):
        new = self.request.session.pop(NEW_TOKEN, None)  # shown this once
        return super().get_context_data(
            new_token=new,
            revoke_form=kwargs.pop("revoke_form", None),
            failed_pk=kwargs.pop("failed_pk", None),
            **kwargs,
        )


class ApiTokenCreateView(FormPageView):
    template_name = "accounts/api_token_form.html"

    def get_form(self, data=None, files=None):
        return ApiTokenForm(data)

    def perform(self, form):
        api_token, token = services.api_token_create(user=self.request.user, **form.cleaned_data)
        self.request.session[NEW_TOKEN] = {"name": api_token.name, "token": token}
        return api_token

    def get_success_message(self, result) -> str:
        return _("Token “%(name)s” made. Copy it now: it will not be shown again.") % {"name": result.name}

    def get_success_url(self, result) -> str:
        return reverse("api_token_list")


class ApiTokenRevokeView(ObjectActionView):
    action = "revoke"

    def get_object(self):
        return get_object_or_404(api_token_list(user=self.request.user), pk=self.kwargs["pk"])

    def get_form(self, obj, data, files):
        return ApiTokenRevokeForm(data)

    def perform(self, obj, form):
        return services.api_token_revoke(api_token=obj, by=self.request.user)

    def get_success_message(self, result) -> str:
        return _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": result.name}

    def get_success_url(self, obj) -> str:
        return reverse("api_token_list")

    def render_failed(self, obj, form):
        view = ApiTokenListView(request=self.request, args=(), kwargs={})
        view.object_list = view.get_queryset()
        context = view.get_context_data(revoke_form=form, failed_pk=obj.pk)
        return view.render_to_response(context, status=400)


# --- Sign in with Microsoft or Google (docs/decisions/0031) -------------------------------------------------------
def _sign_in_csp(response):
    """Starting a sign-in sends the browser, from a form, to Microsoft's or Google's (or the test issuer's) page:
    the page's form-action must allow them (the CSP allows the desk's own only)."""
    origins = sso.issuer_origins()
    if origins:
        response._csp_update = {"form-action": origins}  # noqa: SLF001 - django-csp's per-response update
    return response


@login_not_required
def login(request, *args, **kwargs):
    """allauth's sign-in page, with the Microsoft and Google buttons where a school has them."""
    return _sign_in_csp(allauth_views.login(request, *args, **kwargs))


@method_decorator(login_not_required, name="dispatch")
class SignInStartView(View):
    """POST: the school email address (and which button) says whose tenant or domain; allauth then sends the
    browser to Microsoft or Google with the address filled in. An address no school signs in from: back to the
    sign-in page, saying so."""

    def post(self, request):
        form = SignInStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give your school email address, then press the button again."))
            return redirect("login")
        email, provider = form.cleaned_data["email"].lower(), form.cleaned_data["provider"]
        connection = sso.connection_for_email(provider, email)
        if connection is None:
            messages.error(
                request,
                _(
                    "No school on this desk signs in with %(provider)s from %(domain)s. Check the "
                    "address, or sign in with your username and password."
                )
                % {"provider": SignInProvider(provider).label, "domain": email.rpartition("@")[2]},
            )
            return redirect("login")
        provider_obj = get_social_adapter(request).get_provider(request, connection.provider_id)
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = None
        return _sign_in_csp(
            provider_obj.redirect(request, "login", next_url=next_url or None, auth_params={"login_hint": email})
        )


class SignInConnectionListView(PermissionRequiredMixin, ListView):
    permission = "accounts.sign_in_change"
    template_name = "accounts/sign_in_connection_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            SignInConnection.objects.visible_to(self.request.user)
            .select_related("school", "organisation", "break_glass")
            .order_by("provider", "pk")
        )


class SignInConnectionEditView(FormPageView):
    """Add a sign-in with Microsoft or Google (no pk) or change one. The client id and secret are write-only."""

    permission = "accounts.sign_in_change"
    template_name = "accounts/sign_in_connection_form.html"
    context_object_name = "connection"
    success_message = gettext_lazy("Sign-in settings saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        if not pk:
            return SignInConnection()
        return get_object_or_404(SignInConnection.objects.visible_to(self.request.user), pk=pk)

    def get_form(self, data=None, files=None):
        return SignInConnectionForm(data, instance=self.object, user=self.request.user)

    def get_context_data(self, **context):
        callback = ""
        if self.object is not None and self.object.pk:
            callback = self.request.build_absolute_uri(
                reverse("openid_connect_callback", kwargs={"provider_id": self.object.provider_id})
            )
        return {**context, "callback": callback}

    def perform(self, form):
        return sso.connection_save(
            connection=form.instance, by=self.request.user, secrets=form.secrets(), version=form.rendered_version
        )

    def get_success_url(self, result):
        return reverse("sign_in_connection_update", args=[result.pk])


class MfaPolicyListView(View):
    """The organisations whose two-step sign-in policy the person sets: straight to the one, or a list."""

    def get(self, request):
        organisations = list(mfa_policy_organisations(user=request.user)[:MAX_SHOWN])
        if not organisations:
            raise PermissionDenied
        if len(organisations) == 1:
            return redirect("mfa_policy", organisation_pk=organisations[0].pk)
        return render(request, "accounts/mfa_policy_list.html", {"organisations": organisations})


class MfaPolicyView(FormPageView):
    """Which roles of one organisation must use two-step sign-in: its ICT owner's (an LA's or trust's officer, a
    stand-alone school's owner); another organisation's is not found."""

    template_name = "accounts/mfa_policy_form.html"
    context_object_name = "policy"

    def get_object(self):
        self.organisation = get_object_or_404(
            mfa_policy_organisations(user=self.request.user), pk=self.kwargs["organisation_pk"]
        )
        return mfa_policy_for(organisation=self.organisation)

    def is_create(self) -> bool:
        return False  # a setting, not a new record: not rate-limited

    def get_form(self, data=None, files=None):
        return MfaPolicyForm(data, instance=self.object, initial={"roles": self.object.roles})

    def get_context_data(self, **context) -> dict:
        return {
            **context,
            "organisation": self.organisation,
            "schools": list(self.organisation.schools.order_by("name").values_list("name", flat=True)[:20]),
        }

    def perform(self, form):
        return services.mfa_policy_save(
            organisation=self.organisation,
            roles=form.cleaned_data["roles"],
            by=self.request.user,
            version=form.rendered_version,
        )

    def get_success_message(self, result) -> str:
        return _("Saved: people are asked again when they next open a page.")

    def get_success_url(self, result) -> str:
        return reverse("mfa_policy", kwargs={"organisation_pk": self.organisation.pk})
