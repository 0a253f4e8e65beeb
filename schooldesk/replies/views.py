from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from schooldesk.core.permissions import can
from schooldesk.core.views import FormPageView, PermissionRequiredMixin
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import incident_get
from schooldesk.replies import services
from schooldesk.replies.choices import PLACEHOLDERS
from schooldesk.replies.forms import CannedReplyForm
from schooldesk.replies.models import CannedReply
from schooldesk.replies.selectors import (
    manageable_organisations,
    manageable_school_ids,
    replies_for_call,
    replies_managed_by,
    reply_list,
)


class CannedReplyListView(PermissionRequiredMixin, TemplateView):
    """The desk's replies: the school's own and the organisation's shared ones (read-only to a school's SPOC)."""

    permission = "replies.change"
    template_name = "replies/reply_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            replies=list(reply_list(user=self.request.user)), placeholders=PLACEHOLDERS, **kwargs
        )


class CannedReplyEditView(FormPageView):
    """Add a reply (?for=organisation: one shared by the organisation's schools) or change one."""

    permission = "replies.change"
    template_name = "replies/reply_form.html"
    context_object_name = "reply"
    success_message = gettext_lazy("Reply saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk:
            return get_object_or_404(replies_managed_by(user=self.request.user), pk=pk)
        if self.request.GET.get("for") == "organisation" and not can(self.request.user, "replies.share"):
            raise PermissionDenied(_("Only someone holding a role across the organisation can share replies."))
        return CannedReply()

    def get_form(self, data=None, files=None):
        shared = bool(self.object.organisation_id) or (
            not self.object.pk and self.request.GET.get("for") == "organisation"
        )
        return CannedReplyForm(
            data,
            instance=self.object,
            shared=shared,
            school_ids=manageable_school_ids(user=self.request.user),
            organisation_ids=manageable_organisations(user=self.request.user),
        )

    def perform(self, form):
        data = form.cleaned_data
        if self.object.pk:
            return services.canned_reply_update(
                reply=self.object, by=self.request.user, title=data["title"], body=data["body"]
            )
        owner = {form.owner_field: form.owner}
        return services.canned_reply_create(by=self.request.user, title=data["title"], body=data["body"], **owner)

    def get_success_url(self, result):
        return reverse("replies:reply_list")


class CannedReplyDeleteView(PermissionRequiredMixin, View):
    permission = "replies.change"

    def post(self, request, pk):
        reply = get_object_or_404(replies_managed_by(user=request.user), pk=pk)
        try:
            services.canned_reply_delete(reply=reply, by=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Reply “%(title)s” deleted.") % {"title": reply.title})
        return redirect("replies:reply_list")


class CallRepliesView(View):
    """The replies for one call, rendered for it (placeholders filled): the picker on the call page loads this
    (htmx gets only the picker's list); as a page of its own it lists the texts to copy."""

    def get(self, request, incident_pk):
        try:
            incident = incident_get(user=request.user, pk=incident_pk)
        except Incident.DoesNotExist as exc:
            raise Http404 from exc
        if not can(request.user, "replies.use", incident):
            raise Http404
        template = "replies/call_replies.html"
        if getattr(request, "htmx", False):
            template += "#picker"
        replies = replies_for_call(user=request.user, incident=incident)
        return render(request, template, {"incident": incident, "replies": replies})
