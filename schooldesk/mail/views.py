from csp.decorators import csp_update
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from schooldesk.core.permissions import can
from schooldesk.core.views import FilteredListView, FormPageView, PermissionRequiredMixin, apply_service
from schooldesk.incidents.models import Incident
from schooldesk.incidents.selectors import incident_get
from schooldesk.mail import oauth, parsing, selectors, services
from schooldesk.mail.choices import ATTENTION_STATUSES, OAUTH_METHODS
from schooldesk.mail.filtersets import InboundFilterSet
from schooldesk.mail.forms import AcceptForm, MailboxForm, PreferencesForm
from schooldesk.mail.imap import MailboxError
from schooldesk.mail.models import InboundMessage, Mailbox
from schooldesk.mail.tables import INBOUND_PAGE

OAUTH_SALT = "schooldesk.mail.oauth"


def _inbound_or_404(request, pk) -> InboundMessage:
    try:
        return selectors.inbound_get(user=request.user, pk=pk)
    except InboundMessage.DoesNotExist as exc:
        raise Http404 from exc


def _mailbox_or_404(request, pk) -> Mailbox:
    try:
        return selectors.mailbox_get(user=request.user, pk=pk)
    except Mailbox.DoesNotExist as exc:
        raise Http404 from exc


class InboundListView(FilteredListView):
    """Email for the desk: by default what needs it (held, or could not be processed)."""

    model = InboundMessage
    selector = selectors.inbound_list
    filterset_class = InboundFilterSet
    table = INBOUND_PAGE
    permission = "mail.handle"
    template_name = "mail/inbound_list.html"


def render_inbound(request, message, accept_form=None, status=200):
    try:
        with message.raw.open("rb") as handle:
            mail = parsing.parse(handle.read())
    except (OSError, ValueError):
        mail = None
    new_text, folded = parsing.split_reply(mail.text) if mail else ("", "")
    if accept_form is None and message.status in ATTENTION_STATUSES and not message.incident_id:
        accept_form = AcceptForm(user=request.user, message=message)
    return render(
        request,
        "mail/inbound_detail.html",
        {
            "message": message,
            "mail": mail,
            "new_text": new_text,
            "folded": folded,
            "accept_form": accept_form,
            "needs_desk": message.status in ATTENTION_STATUSES,
        },
        status=status,
    )


class InboundDetailView(PermissionRequiredMixin, View):
    permission = "mail.handle"

    def get(self, request, pk):
        return render_inbound(request, _inbound_or_404(request, pk))


class InboundOriginalView(PermissionRequiredMixin, View):
    """The email exactly as received, as a download (never rendered by the browser)."""

    permission = "mail.handle"

    def get(self, request, pk):
        message = _inbound_or_404(request, pk)
        response = FileResponse(
            message.raw.open("rb"),
            as_attachment=True,
            filename=f"email-{message.pk}.eml",
            content_type="application/octet-stream",
        )
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class InboundActionView(PermissionRequiredMixin, View):
    """POST: retry, accept (onto its call, or as a new call) or discard a held or failed email."""

    permission = "mail.handle"
    action = ""

    def post(self, request, pk):
        message = _inbound_or_404(request, pk)
        try:
            if self.action == "retry":
                message = services.inbound_retry(message=message, by=request.user)
                if message.status in ATTENTION_STATUSES:
                    messages.warning(request, _("Tried again: %(reason)s") % {"reason": message.reason})
                else:
                    messages.success(request, _("Tried again: %(status)s.") % {"status": message.get_status_display()})
            elif self.action == "discard":
                services.inbound_discard(message=message, by=request.user)
                messages.success(request, _("Email discarded (it is kept in the list of all email)."))
                return redirect("mail:inbound_list")
            elif message.incident_id:  # a held reply: onto its call as a note
                done = services.inbound_accept(message=message, by=request.user)
                messages.success(request, _("Added to %(ref)s.") % {"ref": done.incident.reference})
                return redirect("incidents:incident_detail", pk=done.incident_id)
            else:
                form = AcceptForm(request.POST, user=request.user, message=message)
                done = form.is_valid() and apply_service(
                    request,
                    form,
                    services.inbound_accept,
                    "",
                    message=message,
                    by=request.user,
                    school=form.owner,
                    location=form.cleaned_data["location"],
                    summary=form.cleaned_data["summary"],
                )
                if not done:
                    return render_inbound(request, message, accept_form=form, status=400)
                messages.success(request, _("Logged as %(ref)s.") % {"ref": done.incident.reference})
                return redirect("incidents:incident_detail", pk=done.incident_id)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            raise Http404 from exc
        return redirect("mail:inbound_detail", pk=message.pk)


class MailboxListView(PermissionRequiredMixin, ListView):
    permission = "mail.manage"
    template_name = "mail/mailbox_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.mailbox_list(user=self.request.user)


@method_decorator(csp_update({"form-action": oauth.CONSENT_ORIGINS}), name="dispatch")
class MailboxEditView(FormPageView):
    """Add a mailbox (no pk) or change one. Secrets are write-only."""

    permission = "mail.manage"
    template_name = "mail/mailbox_form.html"
    context_object_name = "mailbox"
    success_message = gettext_lazy("Mailbox saved.")

    def get_object(self):
        pk = self.kwargs.get("pk")
        return _mailbox_or_404(self.request, pk) if pk else Mailbox()

    def get_form(self, data=None, files=None):
        return MailboxForm(data, instance=self.object, user=self.request.user)

    def get_context_data(self, **context):
        return {**context, "callback": _callback_url(self.request)}

    def perform(self, form):
        return services.mailbox_save(
            mailbox=form.instance, by=self.request.user, secrets=form.secrets(), version=form.rendered_version
        )

    def get_success_url(self, result):
        return reverse("mail:mailbox_update", args=[result.pk])


class MailboxCheckView(PermissionRequiredMixin, View):
    """Only our own words: never what the server said (the Check button must not be a way to read banners)."""

    permission = "mail.manage"

    def post(self, request, pk):
        mailbox = _mailbox_or_404(request, pk)
        try:
            messages.success(request, services.mailbox_check(mailbox=mailbox))
        except MailboxError as exc:
            if exc.reason == "refused":  # the installation's rule (core/netguard.py): our own sentence
                error = str(exc)
            elif exc.reason == "sign-in":
                error = _("sign-in refused.")
            elif exc.reason == "connect":
                error = _("could not connect.")
            else:  # signed in, then our own finding (no such folder)
                error = str(exc)
            messages.error(request, _("The check failed: %(error)s") % {"error": error})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("mail:mailbox_update", pk=mailbox.pk)


class MailboxConfirmSendView(PermissionRequiredMixin, View):
    """POST: email the confirmation link to the mailbox's address (again)."""

    permission = "mail.manage"

    def post(self, request, pk):
        mailbox = _mailbox_or_404(request, pk)
        if not mailbox.is_proved:
            services.mailbox_confirmation_send(mailbox=mailbox)
        messages.success(
            request,
            _("A confirmation link has been emailed to %(address)s. It works for %(days)s days.")
            % {"address": mailbox.address, "days": services.CONFIRM_DAYS},
        )
        return redirect("mail:mailbox_update", pk=mailbox.pk)


class MailboxConfirmView(View):
    """Reached from the confirmation email (public: holding the link is the proof). GET only shows the question,
    so a mail scanner that opens links confirms nothing; the person confirms with POST."""

    def get(self, request, token):
        try:
            mailbox = services.mailbox_confirm_get(token=token)
        except ValidationError as exc:  # refused, like any other secret address that is not valid (403)
            return render(request, "mail/mailbox_confirm.html", {"error": " ".join(exc.messages)}, status=403)
        return render(request, "mail/mailbox_confirm.html", {"mailbox": mailbox})

    def post(self, request, token):
        try:
            mailbox = services.mailbox_confirm(token=token)
        except ValidationError as exc:
            return render(request, "mail/mailbox_confirm.html", {"error": " ".join(exc.messages)}, status=403)
        return render(request, "mail/mailbox_confirm.html", {"mailbox": mailbox})


def _callback_url(request) -> str:
    return request.build_absolute_uri(reverse("mail:oauth_callback"))


class MailboxAuthoriseView(PermissionRequiredMixin, View):
    """POST: off to Microsoft's or Google's consent page; they send the person back to the callback."""

    permission = "mail.manage"

    def post(self, request, pk):
        mailbox = _mailbox_or_404(request, pk)
        if mailbox.auth_method not in OAUTH_METHODS or not mailbox.oauth_client_id:
            messages.error(request, _("Choose Microsoft 365 or Google Workspace and save the app's details first."))
            return redirect("mail:mailbox_update", pk=mailbox.pk)
        state = signing.dumps({"m": mailbox.pk, "u": request.user.pk}, salt=OAUTH_SALT)
        return redirect(oauth.authorise_url(mailbox, redirect_uri=_callback_url(request), state=state))


class OAuthCallbackView(PermissionRequiredMixin, View):
    permission = "mail.manage"

    def get(self, request):
        try:
            state = signing.loads(request.GET.get("state", ""), salt=OAUTH_SALT, max_age=900)
        except signing.BadSignature:
            return HttpResponseBadRequest(_("This sign-in link is not valid or has expired: start again."))
        if state.get("u") != request.user.pk:
            return HttpResponseBadRequest(_("This sign-in was started by someone else."))
        mailbox = _mailbox_or_404(request, state.get("m"))
        if request.GET.get("error"):
            messages.error(
                request,
                _("The provider said: %(error)s")
                % {"error": request.GET.get("error_description") or request.GET["error"]},
            )
        else:
            try:
                services.mailbox_authorised(
                    mailbox=mailbox,
                    by=request.user,
                    code=request.GET.get("code", ""),
                    redirect_uri=_callback_url(request),
                )
                messages.success(request, _("Mailbox authorised."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except PermissionDenied as exc:
                raise Http404 from exc
        return redirect("mail:mailbox_update", pk=mailbox.pk)


class PreferencesView(View):
    """Each person chooses which emails they receive."""

    @staticmethod
    def is_desk(request) -> bool:
        return can(request.user, "mail.desk_emails")

    def get(self, request):
        form = PreferencesForm(saved=selectors.preferences_for(user=request.user), is_desk=self.is_desk(request))
        return render(request, "mail/preferences.html", {"form": form})

    def post(self, request):
        form = PreferencesForm(
            request.POST, saved=selectors.preferences_for(user=request.user), is_desk=self.is_desk(request)
        )
        if form.is_valid():
            services.preferences_save(user=request.user, enabled=form.cleaned_data)
            messages.success(request, _("Your email choices are saved."))
            return redirect("mail:preferences")
        return render(request, "mail/preferences.html", {"form": form}, status=400)


class IncidentMailView(PermissionRequiredMixin, View):
    """Every email sent and received about one call, for the people who work it."""

    permission = "mail.read_call"

    def get(self, request, pk):
        try:
            incident = incident_get(user=request.user, pk=pk)
        except Incident.DoesNotExist as exc:
            raise Http404 from exc
        self.require_in(incident)
        context = {"incident": incident, **selectors.incident_mail(incident=incident)}
        return render(request, "mail/incident_mail.html", context)
