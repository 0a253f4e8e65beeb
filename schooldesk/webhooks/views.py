from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from schooldesk.core.permissions import can
from schooldesk.core.views import FormPageView, ObjectActionView
from schooldesk.webhooks import selectors, services
from schooldesk.webhooks.forms import ResendForm, SubscriptionForm
from schooldesk.webhooks.models import Delivery, Subscription

SHOWN_ONCE = "webhooks:new-secret"  # the session key holding a new secret until its page is shown


class ManagerRequiredMixin:
    """The school's ICT owner, or an organisation's desk (SPOC or ICT owner across it): the rule "webhooks.manage"
    (schooldesk/permissions/rules.py) in some school or organisation."""

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "webhooks.manage"):
            raise PermissionDenied(_("Your role does not include webhooks."))
        return super().dispatch(request, *args, **kwargs)


def _subscription_or_404(request, pk) -> Subscription:
    try:
        return selectors.subscription_get(user=request.user, pk=pk)
    except Subscription.DoesNotExist as exc:
        raise Http404 from exc


class SubscriptionListView(ManagerRequiredMixin, ListView):
    template_name = "webhooks/subscription_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.subscription_list(user=self.request.user)


class SubscriptionEditView(ManagerRequiredMixin, FormPageView):
    """Add a webhook (no pk) or change one; its page lists the latest deliveries and every attempt."""

    template_name = "webhooks/subscription_form.html"
    context_object_name = "subscription"
    success_message = gettext_lazy("Webhook saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return _subscription_or_404(self.request, pk) if pk else Subscription()

    def get_form(self, data=None, files=None):
        return SubscriptionForm(data, instance=self.object, user=self.request.user)

    def get_context_data(self, **context):
        if self.object.pk:
            shown = self.request.session.get(SHOWN_ONCE, {})
            context["new_secret"] = shown.get(str(self.object.pk), "") if self.request.method == "GET" else ""
            if context["new_secret"]:  # shown once: gone from the session with this page
                del shown[str(self.object.pk)]
                self.request.session[SHOWN_ONCE] = shown
            context["deliveries"] = selectors.subscription_deliveries(subscription=self.object)
        return context

    def perform(self, form):
        subscription, secret = services.subscription_save(subscription=form.instance, by=self.request.user)
        if secret:
            self.request.session[SHOWN_ONCE] = {
                **self.request.session.get(SHOWN_ONCE, {}),
                str(subscription.pk): secret,
            }
        return subscription

    def get_success_url(self, result):
        return reverse("webhooks:subscription_update", args=[result.pk])


class DeliveryResendView(ManagerRequiredMixin, ObjectActionView):
    def get_object(self):
        subscription = _subscription_or_404(self.request, self.kwargs["pk"])
        try:
            delivery = subscription.deliveries.get(pk=self.kwargs["delivery_pk"])
        except Delivery.DoesNotExist as exc:
            raise Http404 from exc
        delivery.subscription = subscription
        return delivery

    def get_form(self, obj, data, files):
        return ResendForm(data)

    def perform(self, obj, form):
        return services.delivery_resend(delivery=obj, by=self.request.user)

    def get_success_message(self, result) -> str:
        return _("Sent again: the attempt is listed below.")

    def get_success_url(self, obj) -> str:
        return reverse("webhooks:subscription_update", args=[obj.subscription_id])

    def render_failed(self, obj, form):
        for error in form.non_field_errors():
            messages.error(self.request, error)
        return redirect(self.get_success_url(obj))
