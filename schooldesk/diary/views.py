import secrets
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from schooldesk.accounts.models import User
from schooldesk.core.exports import export_response
from schooldesk.core.permissions import can
from schooldesk.core.views import (
    FilteredListView,
    FormPageView,
    PermissionRequiredMixin,
    apply_service,
    is_filtered,
    redirect_back,
)
from schooldesk.diary import services
from schooldesk.diary.filtersets import DiaryFilterSet, PaymentFilterSet
from schooldesk.diary.forms import (
    DiaryEntryForm,
    InstalmentFormSet,
    PaidForm,
    PaymentForm,
    ScheduleForm,
    VisitRecordForm,
)
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.selectors import (
    agenda_list,
    diary_feed,
    entries_between,
    entry_get,
    entry_list,
    financial_year,
    month_weeks,
    payment_list,
    payment_schools,
    payment_totals,
    payments_for_export,
    payments_in_year,
    visit_sheet,
)
from schooldesk.diary.tables import AGENDA_PAGE, PAYMENT_EXPORT
from schooldesk.incidents.models import Incident
from schooldesk.suppliers.models import Contract
from schooldesk.suppliers.selectors import contract_get


def _entry(request, pk) -> DiaryEntry:
    try:
        return entry_get(user=request.user, pk=pk)
    except DiaryEntry.DoesNotExist as exc:
        raise Http404 from exc


def _parse_date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


# --- calendar views ---------------------------------------------------------------------------
class DiaryCalendarView(PermissionRequiredMixin, TemplateView):
    """Month (the default), week or agenda: the same filters, one query for the entries shown."""

    view = "month"
    template_name = "diary/diary.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        filterset = DiaryFilterSet(
            self.request.GET or None, queryset=entry_list(user=self.request.user), request=self.request
        )
        entries = filterset.qs
        query = self.request.GET.copy()
        for key in ("month", "date", "page"):
            query.pop(key, None)
        context = {"filter": filterset, "view": self.view, "today": today, "query": query.urlencode()}
        if self.view == "month":
            chosen = self.request.GET.get("month")
            month = _parse_date(f"{chosen}-01" if chosen else None, today.replace(day=1))
            weeks = month_weeks(month.year, month.month)
            days = entries_between(entries, weeks[0][0], weeks[-1][-1])
            context.update(
                month=month,
                weeks=[[(d, days.get(d, [])) for d in week] for week in weeks],
                previous=(month - timedelta(days=1)).replace(day=1),
                next=(month + timedelta(days=32)).replace(day=1),
                listed=[(d, days[d]) for d in sorted(days) if d.month == month.month],
            )
        elif self.view == "week":
            start = _parse_date(self.request.GET.get("date"), today)
            start -= timedelta(days=start.weekday())
            days = entries_between(entries, start, start + timedelta(days=6))
            context.update(
                start=start,
                end=start + timedelta(days=6),
                previous=start - timedelta(days=7),
                next=start + timedelta(days=7),
                days=[(day, days.get(day, [])) for day in (start + timedelta(days=n) for n in range(7))],
            )
        return super().get_context_data(**context, **kwargs)


class AgendaView(FilteredListView):
    model = DiaryEntry
    selector = agenda_list
    filterset_class = DiaryFilterSet
    table = AGENDA_PAGE
    template_name = "diary/agenda.html"
    paginate_by = 50


# --- entries ----------------------------------------------------------------------------------
class EntryDetailView(View):
    def get(self, request, pk):
        entry = _entry(request, pk)
        return render(
            request,
            "diary/entry_detail.html",
            {
                "entry": entry,
                "can_edit": can(request.user, "diary.change", entry),
                "can_see_payments": can(request.user, "diary.see_payments", entry),
                "can_work": entry.is_visit and can(request.user, "diary.work_visit", entry),
            },
        )


class EntryEditView(FormPageView):
    permission = "diary.change"
    template_name = "diary/entry_form.html"
    context_object_name = "entry"
    success_message = gettext_lazy("Saved in the diary.")

    def get_object(self):
        if not self.kwargs.get("pk"):
            return DiaryEntry()
        entry = _entry(self.request, self.kwargs["pk"])
        self.require_in(entry)
        if entry.generated_key:
            raise Http404  # kept in step with its contract or payment: change that instead
        return entry

    def get_form(self, data=None, files=None):
        query = self.request.GET
        initial = (
            None
            if self.object.pk
            else {"starts_on": query.get("date") or timezone.localdate(), "kind": query.get("kind")}
        )
        return DiaryEntryForm(data, instance=self.object, user=self.request.user, initial=initial)

    def perform(self, form):
        return services.entry_save(entry=form.instance, by=self.request.user, version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("diary:entry_detail", args=[result.pk])


class EntryDeleteView(PermissionRequiredMixin, View):
    permission = "diary.change"

    def post(self, request, pk):
        entry = _entry(request, pk)
        self.require_in(entry)
        try:
            services.entry_delete(entry=entry, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("diary:entry_detail", pk=pk)
        messages.success(request, _("Removed from the diary."))
        return redirect("diary:month")


# --- visits -----------------------------------------------------------------------------------
def _visit(request, pk) -> DiaryEntry:
    entry = _entry(request, pk)
    if not entry.is_visit or not can(request.user, "diary.work_visit", entry):
        raise Http404
    return entry


def render_sheet(request, entry, bound=None, status=200):
    sheet = visit_sheet(user=request.user, entry=entry)
    for incident in sheet["gathered"]:
        if bound and bound[0] == incident.pk:
            incident.form = bound[1]
        else:
            incident.form = VisitRecordForm(prefix=f"call{incident.pk}", initial={"version": incident.version})
    return render(
        request, "diary/visit_sheet.html", {"entry": entry, **sheet, "failed": bound is not None}, status=status
    )


class VisitSheetView(View):
    """The visit sheet: calls forwarded to the next visit, by location, with where and when to find each reporter."""

    def get(self, request, pk):
        return render_sheet(request, _visit(request, pk))


class VisitRecordView(View):
    """POST: what was done on one call, from the sheet (through the call's own services)."""

    def post(self, request, pk, call_pk):
        entry = _visit(request, pk)
        incident = get_object_or_404(
            Incident.objects.visible_to(request.user).filter(school_id=entry.school_id), pk=call_pk
        )
        form = VisitRecordForm(request.POST, prefix=f"call{incident.pk}")
        if form.is_valid():
            data = form.cleaned_data
            done = apply_service(
                request,
                form,
                services.visit_record,
                "",
                entry=entry,
                incident=incident,
                by=request.user,
                outcome=data["outcome"],
                notes=data["notes"],
                minutes_spent=data["minutes_spent"] or 0,
                version=data["version"],
                tell_reporter=data["tell_reporter"],
            )
            if done is not None:
                messages.success(request, _("%(ref)s: recorded.") % {"ref": incident.reference})
                return redirect(reverse("diary:visit_sheet", args=[entry.pk]) + f"#call-{incident.pk}")
        return render_sheet(request, entry, bound=(incident.pk, form), status=400)


class VisitCompleteView(View):
    def post(self, request, pk):
        entry = _visit(request, pk)
        services.visit_complete(entry=entry, by=request.user)
        messages.success(request, _("Visit completed."))
        return redirect("diary:visit_sheet", pk=entry.pk)


# --- the calendar feed ------------------------------------------------------------------------
class FeedView(TemplateView):
    """Subscribe from Outlook or Google Calendar: the person's secret feed address, and a reset."""

    template_name = "diary/feed.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        path = reverse("diary:feed_ics", args=[user.pk, services.feed_token_ensure(user=user)])
        url = self.request.build_absolute_uri(path)
        return super().get_context_data(feed_url=url, webcal_url="webcal://" + url.split("://", 1)[1], **kwargs)


class FeedResetView(View):
    def post(self, request):
        services.feed_token_reset(user=request.user)
        messages.success(
            request, _("Your calendar has a new address. Subscribe again with it; the old one no longer works.")
        )
        return redirect("diary:feed")


class FeedIcsView(View):
    """Public by design (marked login_not_required in urls.py): the secret in the address is the key,
    as calendar apps cannot sign in.
    The token is compared in constant time; any mismatch gets the same refusal."""

    def get(self, request, user_pk, token):
        user = User.objects.filter(pk=user_pk, is_active=True).first()
        expected = (user.feed_token if user else "") or secrets.token_urlsafe(32)  # none yet: nothing matches
        if not secrets.compare_digest(expected.encode(), token.encode()) or user is None:
            return HttpResponseForbidden("This calendar address is not valid any more.", content_type="text/plain")

        response = HttpResponse(diary_feed(user=user, now=timezone.now()), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="schooldesk.ics"'
        response["Cache-Control"] = "private, max-age=900"
        response["X-Robots-Tag"] = "noindex"
        return response


# --- payments ---------------------------------------------------------------------------------
def _year_param(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isascii() and value.isdecimal() and 2000 <= int(value) <= 2100 else None


class PaymentListView(PermissionRequiredMixin, View):
    """Payments in each school's financial year, with totals by supplier and category, and the exports."""

    permission = "diary.see_payments"

    def get(self, request):
        today = timezone.localdate()
        schools = list(payment_schools(user=request.user))
        filterset = PaymentFilterSet(request.GET or None, queryset=payment_list(user=request.user), request=request)
        chosen = filterset.form.cleaned_data.get("school") if filterset.is_valid() else None
        year = _year_param(request)
        payments, years = payments_in_year(filterset.qs, [chosen] if chosen else schools, year, today)
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            label = "-".join(sorted({fy.label for fy in years.values()})).replace("–", "-") or "none"
            name = f"payments-{label}"
            rows = payments_for_export(payments.select_related("school", "supplier", "contract"), years, today)
            return export_response(PAYMENT_EXPORT, export, name, rows)
        page = Paginator(payments.with_status(today).order_by("due_on", "school__name", "pk"), 50).get_page(
            request.GET.get("page")
        )
        current = financial_year(schools[0].financial_year_start_month, today).starts_on.year if schools else today.year
        query = request.GET.copy()
        query.pop("page", None)
        export_query = query.copy()
        export_query.pop("format", None)
        narrowed = query.copy()
        narrowed.pop("year", None)  # the financial year is which list, not a filter of it
        return render(
            request,
            "diary/payment_list.html",
            {
                "filter": filterset,
                "page_obj": page,
                "object_list": page.object_list,
                "years": years,
                "year": year,
                "year_choices": range(current - 3, current + 3),
                "summary": payment_totals(payments, today),
                "today": today,
                "query_without_page": query.urlencode(),
                "export_query": export_query.urlencode(),
                "can_edit": can(request.user, "diary.schedule_payment"),
                "is_filtered": is_filtered(narrowed),
                "paid_form": PaidForm(initial={"paid_on": today}),
            },
        )


def _desk_payment(request, payment_pk, permission: str) -> Payment:
    """A payment of the person's schools that `permission` allows them to act on (else a 404)."""
    payment = get_object_or_404(payment_list(user=request.user).select_related("school", "supplier"), pk=payment_pk)
    if not can(request.user, permission, payment):
        raise Http404
    return payment


class PaymentEditView(FormPageView):
    permission = "diary.schedule_payment"
    template_name = "diary/payment_form.html"
    context_object_name = "payment"
    success_message = gettext_lazy("Payment saved.")

    def get_object(self):
        pk = self.kwargs.get("payment_pk")
        return _desk_payment(self.request, pk, self.permission) if pk else Payment()

    def get_form(self, data=None, files=None):
        initial = (
            None if self.object.pk else {"due_on": timezone.localdate(), "for_entry": self.request.GET.get("entry")}
        )
        return PaymentForm(data, instance=self.object, user=self.request.user, initial=initial)

    def perform(self, form):
        return services.payment_save(payment=form.instance, by=self.request.user, version=form.rendered_version)

    def get_success_url(self, result):
        return reverse("diary:payment_list")


class PaymentPaidView(PermissionRequiredMixin, View):
    permission = "diary.record_payment"

    def post(self, request, payment_pk):
        payment = _desk_payment(request, payment_pk, self.permission)
        form = PaidForm(request.POST)
        if form.is_valid() and apply_service(
            request,
            form,
            services.payment_mark_paid,
            _("Marked as paid."),
            payment=payment,
            by=request.user,
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["paid_reference"],
        ):
            return redirect_back(request, reverse("diary:payment_list"))
        messages.error(
            request, _("Not recorded: %(why)s") % {"why": " ".join(e for errs in form.errors.values() for e in errs)}
        )
        return redirect_back(request, reverse("diary:payment_list"))


class PaymentDeleteView(PermissionRequiredMixin, View):
    permission = "diary.remove_payment"

    def post(self, request, payment_pk):
        payment = _desk_payment(request, payment_pk, self.permission)
        try:
            services.payment_delete(payment=payment, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Payment removed."))
        return redirect_back(request, reverse("diary:payment_list"))


class PaymentScheduleView(PermissionRequiredMixin, View):
    """Schedule a contract's payments for its current term: recurring, one-off or instalments."""

    permission = "diary.schedule_payments"

    def _contract(self, request, contract_pk):
        try:
            contract = contract_get(user=request.user, pk=contract_pk)
        except Contract.DoesNotExist as exc:
            raise Http404 from exc
        self.require_in(contract, "diary.schedule_payments")
        return contract

    def _render(self, request, contract, form, formset, status=200):
        k = contract.renewals
        starts, ends = contract.term_bounds(k)
        already = Payment.objects.filter(contract=contract, generated_key__startswith=f"contract:{contract.pk}:t{k}:")
        return render(
            request,
            "diary/payment_schedule.html",
            {
                "contract": contract,
                "form": form,
                "formset": formset,
                "starts": starts,
                "ends": ends,
                "term_value": contract.term_value(k),
                "already": already.exists(),
            },
            status=status,
        )

    def get(self, request, contract_pk):
        contract = self._contract(request, contract_pk)
        return self._render(request, contract, ScheduleForm(), InstalmentFormSet(prefix="instalment"))

    def post(self, request, contract_pk):
        contract = self._contract(request, contract_pk)
        form, formset = ScheduleForm(request.POST), InstalmentFormSet(request.POST, prefix="instalment")
        if form.is_valid() and formset.is_valid():
            instalments = [
                (f.cleaned_data.get("due_on"), f.cleaned_data.get("amount")) for f in formset.forms if f.cleaned_data
            ]
            try:
                done = apply_service(
                    request,
                    form,
                    services.payments_schedule,
                    _("Payments scheduled."),
                    contract=contract,
                    by=request.user,
                    mode=form.cleaned_data["mode"],
                    instalments=instalments,
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            if done is not None:
                return redirect("suppliers:contract_detail", contract_pk=contract.pk)
        return self._render(request, contract, form, formset, status=400)
