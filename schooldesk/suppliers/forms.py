from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.core.forms import DateInput, SchoolChoiceMixin, StyledFormMixin, TimeInput, VersionedFormMixin
from schooldesk.core.roles import STAFF_ROLES
from schooldesk.locations.models import Location
from schooldesk.schools.choices import Priority
from schooldesk.schools.models import Organisation
from schooldesk.suppliers.choices import (
    CONTACT_SUGGESTABLE,
    EDITABLE_STATUSES,
    SUPPLIER_SUGGESTABLE,
    WEEKDAYS,
    CoveredService,
    Decision,
)
from schooldesk.suppliers.models import Contact, Contract, Supplier
from schooldesk.suppliers.selectors import contract_schools

SMALL_TEXT = forms.Textarea(attrs={"rows": 2})
DAY_CHOICES = [(str(n), label) for n, label in WEEKDAYS]


class SupplierForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    owner_field = "organisation"

    class Meta:
        model = Supplier
        fields = ["organisation", "name", "kind", "contact_name", "email", "phone", "portal_url", "escalation_notes"]
        widgets = {"escalation_notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"portal_url": lambda **kw: forms.URLField(assume_scheme="https", **kw)}

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_owner(Organisation.objects.filter(pk__in=organisation_ids).order_by("name"))

    def clean(self):
        data = super().clean()
        if not (data.get("email") or data.get("phone") or data.get("portal_url")):
            raise forms.ValidationError(_("Give at least one way to escalate: an email, a phone number or a portal."))
        organisation = self.owner
        name = data.get("name")
        if (
            organisation
            and name
            and Supplier.objects.filter(organisation=organisation, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", _("There is already a supplier called “%(name)s”.") % {"name": name})
        return data


class ContactForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "email", "phone", "escalation_level", "notes"]


class ContractForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    """A contract and, around it, the fields that are not columns: the schools' shares of the cost,
    the support days and the targets per priority (in hours; stored in minutes)."""

    services = forms.MultipleChoiceField(
        choices=CoveredService.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("Services covered")
    )
    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.none(),
        required=False,
        label=_("Locations covered"),
        help_text=_("Leave empty when the contract covers the whole school."),
    )
    support_days = forms.MultipleChoiceField(
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label=_("Support days"),
        initial=["0", "1", "2", "3", "4"],
    )

    class Meta:
        model = Contract
        fields = [
            "supplier",
            "name",
            "supplier_reference",
            "status",
            "category",
            "services",
            "locations",
            "scope",
            "line_speed_mbps",
            "line_is_full_fibre",
            "line_is_backup",
            "starts_on",
            "initial_term_months",
            "ends_on",
            "renewal",
            "renewal_term_months",
            "notice_number",
            "notice_unit",
            "value",
            "billing_frequency",
            "vat_percent",
            "support_opens_at",
            "support_closes_at",
            "support_term_time_only",
            "visit_weekday",
            "visit_starts_at",
            "visit_ends_at",
            "visit_every_weeks",
            "visit_term_time_only",
            "visit_technician",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "scope": SMALL_TEXT,
            "support_opens_at": TimeInput(),
            "support_closes_at": TimeInput(),
            "visit_starts_at": TimeInput(),
            "visit_ends_at": TimeInput(),
            "visit_weekday": forms.Select(choices=[("", _("No scheduled visits")), *WEEKDAYS]),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = contract_schools(user=user)
        school_ids = [s.pk for s in self.schools]
        self.fields["supplier"].queryset = Supplier.objects.filter(
            organisation_id__in={s.organisation_id for s in self.schools}
        )
        self.fields["locations"].queryset = (
            Location.objects.filter(school_id__in=school_ids, is_archived=False)
            .select_related("school")
            .order_by("school__name", "name")
        )
        if len(self.schools) > 1:
            self.fields["locations"].label_from_instance = lambda loc: f"{loc.school.short_name or loc.school}: {loc}"
        self.fields["visit_technician"].queryset = User.objects.filter(
            memberships__school_id__in=school_ids, memberships__role__in=STAFF_ROLES
        ).distinct()
        current = self.instance.status if self.instance.pk else None
        self.fields["status"].choices = [
            (v, label) for v, label in self.fields["status"].choices if v in EDITABLE_STATUSES or v == current
        ]
        existing = {share.school_id: share.percent for share in self.instance.shares.all()} if self.instance.pk else {}
        for school in self.schools:
            initial = existing.get(school.pk, Decimal("100") if len(self.schools) == 1 and not existing else None)
            self.fields[f"share_{school.pk}"] = forms.DecimalField(
                label=_("%(school)s's share (%%)") % {"school": school.name},
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=initial,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
        targets = self.instance.targets or {}
        for priority in Priority:
            for part, label in (
                ("respond", _("respond within (support hours)")),
                ("fix", _("fix within (support hours)")),
            ):
                minutes = targets.get(priority.value, {}).get(part)
                self.fields[f"t_{priority.value}_{part}"] = forms.DecimalField(
                    label=f"{priority.value} {label}",
                    required=False,
                    min_value=Decimal("0.25"),
                    max_value=5000,
                    decimal_places=2,
                    initial=round(Decimal(minutes) / 60, 2) if minutes else None,
                    widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.25"}),
                )
        if self.instance.pk:
            self.initial["support_days"] = sorted(str(d) for d in self.instance.support_weekdays)
            self.fields["supplier"].disabled = True
        for name in ("services", "support_days"):
            self.fields[name].widget.attrs.pop("class", None)

    @property
    def share_fields(self):
        return [self[f"share_{school.pk}"] for school in self.schools]

    @property
    def target_rows(self):
        return [(p, [self[f"t_{p.value}_respond"], self[f"t_{p.value}_fix"]]) for p in Priority]

    def clean(self):
        data = super().clean()
        self.shares = {school: data[f"share_{school.pk}"] for school in self.schools if data.get(f"share_{school.pk}")}
        targets = {}
        for priority in Priority:
            respond, fix = data.get(f"t_{priority.value}_respond"), data.get(f"t_{priority.value}_fix")
            if respond and fix and fix < respond:
                self.add_error(f"t_{priority.value}_fix", _("The fix target is shorter than the response target."))
            row = {part: int(value * 60) for part, value in (("respond", respond), ("fix", fix)) if value}
            if row:
                targets[priority.value] = row
        self.instance.targets = targets
        return data

    def clean_support_days(self):
        days = ",".join(sorted(self.cleaned_data["support_days"]))
        self.instance.support_days = days
        return days


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect, label=_("Decision"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Why"),
        help_text=_("For example: good value, response times met; or: moving to the trust's contract."),
    )


class DocumentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(
        max_length=120, required=False, label=_("Title"), help_text=_("For example: Signed contract 2026.")
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, Office document or image, up to 10 MB."))


class SuggestionForm(StyledFormMixin, forms.Form):
    """A school's desk suggests a change to its organisation's shared supplier or contact."""

    field_name = forms.ChoiceField(label=_("What should change?"))
    value = forms.CharField(
        label=_("New value"),
        required=False,
        max_length=1000,
        widget=SMALL_TEXT,
        help_text=_("Leave empty when suggesting that the contact is removed."),
    )
    reason = forms.CharField(
        label=_("Why?"),
        max_length=1000,
        widget=SMALL_TEXT,
        help_text=_("The organisation's officers read this before they decide."),
    )

    def __init__(self, *args, for_contact: bool, **kwargs):
        super().__init__(*args, **kwargs)
        labels = CONTACT_SUGGESTABLE if for_contact else SUPPLIER_SUGGESTABLE
        self.fields["field_name"].choices = [("", _("Choose…")), *((k, str(v).capitalize()) for k, v in labels.items())]


class SuggestionDecisionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason (needed to decline)"), required=False, max_length=1000, widget=SMALL_TEXT)
