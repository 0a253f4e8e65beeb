from datetime import datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.core.calendar import LONDON
from schooldesk.core.forms import DateInput, SchoolChoiceMixin, StyledFormMixin, TimeInput, VersionedFormMixin
from schooldesk.diary.choices import PaymentKind, VisitOutcome
from schooldesk.diary.models import DiaryEntry, Payment
from schooldesk.diary.selectors import desk_schools
from schooldesk.incidents.models import Incident
from schooldesk.locations.models import Location
from schooldesk.suppliers.models import Contract, Supplier


class DiaryEntryForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    """Date and time are asked for separately (phone date and time pickers), then combined in London time."""

    starts_on = forms.DateField(label=_("Date"), widget=DateInput())
    starts_time = forms.TimeField(label=_("From"), required=False, widget=TimeInput())
    ends_on = forms.DateField(
        label=_("Until (date)"), required=False, widget=DateInput(), help_text=_("Leave empty for the same day.")
    )
    ends_time = forms.TimeField(label=_("Until (time)"), required=False, widget=TimeInput())
    call = forms.CharField(label=_("Call it concerns"), required=False, help_text=_("Its reference, e.g. INC-000123."))

    class Meta:
        model = DiaryEntry
        fields = [
            "school",
            "kind",
            "title",
            "starts_on",
            "starts_time",
            "ends_on",
            "ends_time",
            "is_all_day",
            "location",
            "person",
            "contract",
            "call",
            "notes",
            "remind_days_before",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        schools = list(desk_schools(user=user))
        self.decide_owner(desk_schools(user=user), chosen=schools[0] if len(schools) == 1 else None)
        school_ids = self.owner_ids([s.pk for s in schools])
        self.fields["location"].queryset = (
            Location.objects.filter(school_id__in=school_ids, is_archived=False)
            .select_related("school")
            .order_by("school__name", "name")
        )
        self.fields["person"].queryset = User.objects.filter(memberships__school_id__in=school_ids).distinct()
        self.fields["contract"].queryset = (
            Contract.objects.visible_to(user)
            .filter(shares__school_id__in=school_ids)
            .select_related("supplier")
            .distinct()
        )
        if len(school_ids) > 1:
            self.fields["location"].label_from_instance = lambda loc: f"{loc.school.short_name or loc.school}: {loc}"
        entry = self.instance
        if entry.pk:
            starts, ends = entry.starts_at.astimezone(LONDON), entry.ends_at.astimezone(LONDON)
            self.initial.update(
                starts_on=starts.date(),
                ends_on=ends.date(),
                starts_time=None if entry.is_all_day else starts.time(),
                ends_time=None if entry.is_all_day else ends.time(),
                call=entry.incident.reference if entry.incident_id else "",
            )

    def clean(self):
        data = super().clean()
        starts_on, all_day = data.get("starts_on"), data.get("is_all_day")
        if not starts_on:
            return data
        starts_time = data.get("starts_time")
        if not all_day and starts_time is None:
            self.add_error("starts_time", _("Give a start time, or tick “all day”."))
            return data
        starts = datetime.combine(starts_on, time.min if all_day else starts_time, tzinfo=LONDON)
        ends_on = data.get("ends_on") or starts_on
        ends_time = data.get("ends_time")
        if all_day:
            ends = datetime.combine(ends_on, time.min, tzinfo=LONDON)
        elif ends_time is None:
            same_day = ends_on == starts_on
            ends = starts + timedelta(hours=1) if same_day else datetime.combine(ends_on, starts_time, tzinfo=LONDON)
        else:
            ends = datetime.combine(ends_on, ends_time, tzinfo=LONDON)
        if ends < starts:
            self.add_error(
                "ends_on" if ends_on < starts_on else "ends_time",
                _("The end (%(end)s) is before the start (%(start)s).")
                % {"end": f"{ends:%d/%m/%Y %H:%M}", "start": f"{starts:%d/%m/%Y %H:%M}"},
            )
        else:
            self.instance.starts_at, self.instance.ends_at = starts, ends
        reference = (data.get("call") or "").strip()
        self.instance.incident = None
        if reference:
            incident = Incident.objects.visible_to(self.user).with_reference(reference).first()
            if incident is None:
                self.add_error("call", _("There is no call %(ref)s that you can see.") % {"ref": reference})
            self.instance.incident = incident
        return data


class VisitRecordForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        choices=VisitOutcome.choices, widget=forms.RadioSelect, label=_("Outcome"), initial=VisitOutcome.RESOLVED
    )
    notes = forms.CharField(label=_("What you did"), widget=forms.Textarea(attrs={"rows": 2}))
    minutes_spent = forms.IntegerField(label=_("Minutes spent"), required=False, min_value=0, max_value=1440)
    tell_reporter = forms.BooleanField(label=_("Tell the reporter"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PaymentForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Payment
        fields = [
            "school",
            "supplier",
            "contract",
            "for_entry",
            "category",
            "description",
            "kind",
            "amount",
            "vat",
            "due_on",
            "paid_on",
            "paid_reference",
        ]
        widgets = {"due_on": DateInput(), "paid_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = list(desk_schools(user=user))
        self.decide_owner(desk_schools(user=user), chosen=schools[0] if len(schools) == 1 else None)
        school_ids = self.owner_ids([s.pk for s in schools])
        organisation_ids = {s.organisation_id for s in schools if s.pk in school_ids}
        self.fields["supplier"].queryset = Supplier.objects.filter(organisation_id__in=organisation_ids)
        self.fields["contract"].queryset = (
            Contract.objects.visible_to(user)
            .filter(shares__school_id__in=school_ids)
            .select_related("supplier")
            .distinct()
        )
        self.fields["for_entry"].queryset = DiaryEntry.objects.filter(
            school_id__in=school_ids, kind__in=["installation", "milestone", "training"]
        ).order_by("-starts_at")


class PaidForm(StyledFormMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    paid_reference = forms.CharField(label=_("Payment reference"), max_length=60, required=False)


class ScheduleForm(StyledFormMixin, forms.Form):
    mode = forms.ChoiceField(
        label=_("How it is paid"),
        widget=forms.RadioSelect,
        initial=PaymentKind.RECURRING,
        choices=[
            (PaymentKind.RECURRING, _("At the contract's billing frequency")),
            (PaymentKind.ONE_OFF, _("In one payment at the start of the term")),
            (PaymentKind.INSTALMENT, _("In instalments I give below")),
        ],
    )


class InstalmentForm(StyledFormMixin, forms.Form):
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())
    amount = forms.DecimalField(
        label=_("Amount (£, before VAT)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=6, max_num=36)
