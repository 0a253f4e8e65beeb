"""A person's own API tokens: list, make (the token shown once), revoke. Nobody sees or revokes another's. And
who must use two-step sign-in, set by an organisation's ICT owner (docs/decisions/0032)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from schooldesk.accounts import services
from schooldesk.accounts.forms import ApiTokenForm, ApiTokenRevokeForm, MfaPolicyForm
from schooldesk.accounts.selectors import api_token_list, mfa_policy_for, mfa_policy_organisations
from schooldesk.core.views import FormPageView, ObjectActionView

#: the session key that carries a new token from the form to the list page, which shows it once and forgets it
NEW_TOKEN = "api_token_new"  # noqa: S105 - a session key
#: the newest tokens shown (a person has a handful; revoked ones stay listed for the record)
MAX_SHOWN = 100


class ApiTokenListView(ListView):
    template_name = "accounts/api_token_list.html"
    context_object_name = "tokens"

    def get_queryset(self):
        return api_token_list(self.request.user)[:MAX_SHOWN]

    def get_context_data(self, **kwargs):
        new = self.request.session.pop(NEW_TOKEN, None)  # shown this once
        return super().get_context_data(new_token=new, revoke_form=kwargs.pop("revoke_form", None),
                                        failed_pk=kwargs.pop("failed_pk", None), **kwargs)


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
        return get_object_or_404(api_token_list(self.request.user), pk=self.kwargs["pk"])

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


class MfaPolicyListView(View):
    """The organisations whose two-step sign-in policy the person sets: straight to the one, or a list."""

    def get(self, request):
        organisations = list(mfa_policy_organisations(request.user)[:MAX_SHOWN])
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
        self.organisation = get_object_or_404(mfa_policy_organisations(self.request.user),
                                              pk=self.kwargs["organisation_pk"])
        return mfa_policy_for(self.organisation)

    def is_create(self) -> bool:
        return False  # a setting, not a new record: not rate-limited

    def get_form(self, data=None, files=None):
        return MfaPolicyForm(data, instance=self.object, initial={"roles": self.object.roles})

    def get_context_data(self, **context) -> dict:
        return {**context, "organisation": self.organisation,
                "schools": list(self.organisation.schools.order_by("name").values_list("name", flat=True)[:20])}

    def perform(self, form):
        return services.mfa_policy_save(organisation=self.organisation, roles=form.cleaned_data["roles"],
                                        by=self.request.user, version=form.rendered_version)

    def get_success_message(self, result) -> str:
        return _("Saved: people are asked again when they next open a page.")

    def get_success_url(self, result) -> str:
        return reverse("mfa_policy", kwargs={"organisation_pk": self.organisation.pk})
