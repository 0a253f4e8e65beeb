import copy

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from schooldesk.accounts.models import User
from schooldesk.assets.choices import GONE_STATUSES
from schooldesk.assets.models import Asset
from schooldesk.assets.selectors import asset_choices_for
from schooldesk.core.choice_cache import cached_rows
from schooldesk.core.forms import MinuteInput, StyledFormMixin, freeze_model_choices
from schooldesk.core.roles import STAFF_ROLES
from schooldesk.incidents import selectors
from schooldesk.incidents.choices import Channel, Satisfaction
from schooldesk.incidents.models import Category, Incident
from schooldesk.locations.models import Location
from schooldesk.problems.models import Problem
from schooldesk.safeguarding.choices import LANE_CHOICES
from schooldesk.schools.choices import Impact, Priority, Urgency
from schooldesk.suppliers.models import Supplier

SMALL_TEXT = forms.Textarea(attrs={"rows": 2})


class LocationChoiceField(forms.ModelChoiceField):
    """The school's locations as the drop-down; grouped by school for people in several schools."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset=queryset, **kwargs)
        self.widget.attrs["autocomplete"] = "off"

    def label_from_instance(self, obj):
        return str(obj)


def _location_rows(locations) -> list[tuple]:
    return [(location.pk, str(location), location.school.name) for location in locations]


def _grouped_location_choices(locations) -> list:
    """The rooms, grouped by school for someone with several; read through the option cache (core.choice_cache:
    keyed by the query, so by the person's schools)."""
    groups: dict[str, list] = {}
    for pk, label, school in cached_rows(locations, _location_rows, kind="incidents.location_choices"):
        groups.setdefault(school, []).append((pk, label))
    if len(groups) == 1:
        return [("", "Choose where")] + next(iter(groups.values()))
    return [("", "Choose where")] + [(school, options) for school, options in groups.items()]


class IncidentReportForm(StyledFormMixin, forms.ModelForm):
    """What anyone in school fills in: short on top, the FITS questions below and optional."""

    attachment = forms.FileField(label=_("Photo or file (optional)"), required=False)
    # docs/decisions/0023: a data breach goes to the DPO, a safeguarding concern to the DSL
    restricted_lane = forms.ChoiceField(
        choices=LANE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        initial="",
        label=_("Is this about personal data or a pupil's safety online?"),
        help_text=_("If so, only the school's DPO or DSL and the ICT owner will see what you write."),
    )

    class Meta:
        model = Incident
        fields = [
            "kind",
            "summary",
            "location",
            "asset",
            "device",
            "reporter_availability",
            "expected",
            "happened",
            "checked",
            "last_worked",
            "happened_before",
            "description",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "expected": SMALL_TEXT,
            "happened": SMALL_TEXT,
            "checked": SMALL_TEXT,
            "description": SMALL_TEXT,
        }

    def __init__(self, *args, user, initial_location=None, initial_asset=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Location.objects.visible_to(user).filter(is_archived=False)
        self.fields["location"] = LocationChoiceField(queryset=visible, label=_("Where?"))
        # read when the form is drawn: a post that is saved shows neither drop-down again (issue 23)
        self.fields["location"].choices = lambda: _grouped_location_choices(
            visible.select_related("school").order_by("school__name", "name")
        )
        self.fields["location"].widget.attrs["class"] = "form-select"
        self.fields["summary"].widget.attrs.update(
            {"placeholder": _("e.g. The projector in Room 12 shows no picture"), "autofocus": True}
        )
        self.fields["kind"].initial = "incident"
        if initial_location:
            self.initial["location"] = initial_location
        self._asset_field(user, initial_asset)
        self.fields["happened_before"].choices = [("", _("Not sure")), ("yes", _("Yes")), ("no", _("No"))]

    def _get_validation_exclusions(self):
        """The place and the device are checked by their fields against what this person may choose (stricter
        than "the row exists"), so the model's own check would only read each row once more."""
        return {*super()._get_validation_exclusions(), "location", "asset"}

    def _asset_field(self, user, initial_asset) -> None:
        """The devices recorded in the chosen room (htmx refreshes them when the room changes); a device
        label's QR code brings its own asset. Any working device of the person's schools is accepted.

        The list is read only when the form is drawn (the page, or a post that failed): a post that is saved
        validates the chosen device against the field's queryset alone (10 ms a call logged, issue 23)."""
        field = forms.ModelChoiceField(
            queryset=Asset.objects.visible_to(user).exclude(status__in=GONE_STATUSES),
            required=False,
            label=_("Which device? (optional)"),
            help_text=_("The equipment recorded in the place you chose. Not listed? Describe it below."),
        )
        location = str(self.data.get(self.add_prefix("location")) or self.initial.get("location") or "")
        wanted = str(self.data.get(self.add_prefix("asset")) or initial_asset or "")
        if initial_asset and wanted.isdigit():
            self.initial["asset"] = int(wanted)
        empty = _("Not sure, or not listed") if location else _("Choose where first")

        def choices() -> list:
            assets = list(asset_choices_for(user=user, location_id=int(location))) if location.isdigit() else []
            if wanted.isdigit() and all(a.pk != int(wanted) for a in assets):
                assets += list(asset_choices_for(user=user).filter(pk=int(wanted)))
            return [("", empty)] + [(a.pk, f"{a.tag} – {a.description}") for a in assets]

        field.choices = choices
        field.widget.attrs.update({"class": "form-select"})
        self.fields["asset"] = field
        self.fields["device"].label = _("…or describe the device (optional)")
        self.fields["location"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("assets:asset_options"),
                "hx-target": "#id_asset",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )


class IncidentLogForm(IncidentReportForm):
    """The SPOC logging a call for a caller (phone, in person), with triage at once."""

    reported_by = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Caller"),
        help_text=_("Someone with a SchoolDesk login. Otherwise give a name below."),
    )
    reporter_name = forms.CharField(required=False, label=_("…or the caller's name"))
    reporter_contact = forms.CharField(required=False, label=_("Caller's phone or email"))
    channel = forms.ChoiceField(
        choices=[c for c in Channel.choices if c[0] != "qr"], initial="phone", label=_("How it came in")
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False)
    impact = forms.ChoiceField(choices=Impact.choices, initial="I3")
    urgency = forms.ChoiceField(choices=Urgency.choices, initial="U2")

    def __init__(self, *args, user, school_ids, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["reported_by"].queryset = (
            User.objects.filter(memberships__school_id__in=school_ids).distinct().order_by("first_name", "last_name")
        )
        self.fields["category"].queryset = Category.objects.filter(school_id__in=school_ids, is_archived=False)
        for name in ("reported_by", "category"):  # read when drawn, from the option cache
            freeze_model_choices(self.fields[name])
        for name in ("channel", "impact", "urgency"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["summary"].widget.attrs.pop("autofocus", None)  # the caller comes first here
        self.fields["reported_by"].widget.attrs["autofocus"] = True

    def clean(self):
        data = super().clean()
        if not data.get("reported_by") and not data.get("reporter_name", "").strip():
            self.add_error("reporter_name", _("Choose the caller or give their name."))
        return data


class VersionedForm(StyledFormMixin, forms.Form):
    """Carries the version of the call the person saw, so a concurrent change is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TriageForm(VersionedForm):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=_("Where"))
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, label=_("Category"))
    impact = forms.ChoiceField(choices=Impact.choices, label=_("Impact"))
    urgency = forms.ChoiceField(choices=Urgency.choices, label=_("Urgency"))
    priority = forms.ChoiceField(
        choices=[("", _("As the matrix says"))] + list(Priority.choices), required=False, label=_("Override priority")
    )
    reason = forms.CharField(required=False, label=_("Reason for the override"), max_length=200)
    is_restricted = forms.BooleanField(required=False, label=_("Restricted: data breach or safeguarding concern"))
    restricted_lane = forms.ChoiceField(
        choices=LANE_CHOICES,
        required=False,
        label=_("Restricted: who holds it"),
        help_text=_(
            "A data breach goes to the DPO, a safeguarding or filtering "
            "concern to the DSL; the desk then sees only that it exists."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("restricted_lane"):
            data["is_restricted"] = True
        return data

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(school_id=incident.school_id, is_archived=False)
        self.fields["location"].queryset = Location.objects.filter(school_id=incident.school_id, is_archived=False)


class AssignForm(VersionedForm):
    technician = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Technician"))
    next_visit = forms.BooleanField(required=False, label=_("Leave it for the next scheduled visit"))
    note = forms.CharField(required=False, widget=SMALL_TEXT, label=_("Note for the technician"))

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = User.objects.filter(
            memberships__school_id=incident.school_id, memberships__role__in=STAFF_ROLES
        ).distinct()


class EscalateForm(VersionedForm):
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none(), label=_("Second-level provider"))
    reference = forms.CharField(required=False, label=_("Their call reference"), max_length=60)
    note = forms.CharField(required=False, widget=SMALL_TEXT, label=_("What you told them"))

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Supplier.objects.filter(organisation_id=incident.school.organisation_id)
        if incident.is_restricted:  # mail/outbound.py restricted(): this text is all the supplier is sent
            self.fields["note"].help_text = _(
                "This call is restricted: the supplier's email carries only this text, our reference, the school, "
                "the place, the priority and the SPOC's contact; never the summary, the description or the reporter."
            )


class SupplierTimesForm(VersionedForm):
    responded_at = forms.DateTimeField(
        required=False,
        widget=MinuteInput,
        label=_("The supplier responded at"),
        help_text=_("When they first answered: a call back, an email, their portal."),
    )
    fixed_at = forms.DateTimeField(required=False, widget=MinuteInput, label=_("The supplier fixed it at"))


class ChaseForm(StyledFormMixin, forms.Form):
    note = forms.CharField(widget=SMALL_TEXT, label=_("Who you chased and what they said"))


class ReplyForm(StyledFormMixin, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Message"))
    is_public = forms.BooleanField(required=False, initial=True, label=_("Visible to the reporter"))
    minutes_spent = forms.IntegerField(required=False, min_value=0, max_value=24 * 60, label=_("Time spent (minutes)"))
    attachment = forms.FileField(required=False, label=_("Attach a file"))


class WaitForm(VersionedForm):
    on = forms.ChoiceField(
        choices=[("reporter", _("Waiting on the reporter")), ("supplier", _("Waiting on the supplier"))],
        label=_("Waiting on"),
    )
    note = forms.CharField(required=False, widget=SMALL_TEXT, label=_("What we are waiting for"))


class ResumeForm(VersionedForm):
    note = forms.CharField(required=False, label=_("Note"))


class ResolveForm(VersionedForm):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("What was done"))
    is_workaround = forms.BooleanField(required=False, label=_("This is a workaround: follow-up needed"))
    minutes_spent = forms.IntegerField(required=False, min_value=0, max_value=24 * 60, label=_("Time spent (minutes)"))


RATING_LABEL = _("How was your call handled?")


class ConfirmForm(StyledFormMixin, forms.Form):
    """Confirm the fix; the rating is there only when the call was picked for one (`rate=True`)."""

    satisfaction = forms.ChoiceField(
        choices=[("", _("Rather not say")), *Satisfaction.choices],
        required=False,
        label=RATING_LABEL,
    )
    comment = forms.CharField(required=False, widget=SMALL_TEXT, label=_("Comment (optional)"))

    def __init__(self, *args, rate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not rate:
            del self.fields["satisfaction"]

    def clean(self):
        data = super().clean()
        data.setdefault("satisfaction", "")
        return data


class RateForm(StyledFormMixin, forms.Form):
    """The one question after a resolved call: good, OK or poor, and an optional comment."""

    rating = forms.ChoiceField(choices=Satisfaction.choices, widget=forms.RadioSelect, label=RATING_LABEL)
    comment = forms.CharField(
        required=False, max_length=500, widget=SMALL_TEXT, label=_("Anything you would like to add? (optional)")
    )


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(widget=SMALL_TEXT, label=_("What is still wrong?"))


class CancelForm(VersionedForm):
    reason = forms.CharField(widget=SMALL_TEXT, label=_("Why cancel it?"))


class DuplicateForm(VersionedForm):
    original = forms.CharField(label=_("Duplicate of (reference, e.g. INC-000123)"), max_length=20)

    def __init__(self, *args, incident, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident, self.user = incident, user

    def clean_original(self):
        original = Incident.objects.visible_to(self.user).with_reference(self.cleaned_data["original"]).first()
        if original is None:
            raise forms.ValidationError(_("No call with that reference."))
        return original


class BulkForm(StyledFormMixin, forms.Form):
    """The action picker above a list's ticked calls: which action, and what each needs. The drop-downs hold the
    choices of every school the person works in; each call's own service checks its school."""

    action = forms.ChoiceField(label=_("Action"))
    category = forms.ChoiceField(required=False, label=_("Category"))
    impact = forms.ChoiceField(
        required=False, choices=[("", _("Leave as it is"))] + list(Impact.choices), label=_("Impact")
    )
    urgency = forms.ChoiceField(
        required=False, choices=[("", _("Leave as it is"))] + list(Urgency.choices), label=_("Urgency")
    )
    technician = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Technician"))
    next_visit = forms.BooleanField(required=False, label=_("Leave them for the next scheduled visit"))
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.none(), required=False, label=_("Second-level provider")
    )
    on = forms.ChoiceField(
        required=False,
        choices=[("reporter", _("Waiting on the reporter")), ("supplier", _("Waiting on the supplier"))],
        label=_("Waiting on"),
    )
    problem = forms.CharField(required=False, max_length=20, label=_("Problem (reference, e.g. PRB-000012)"))
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        label=_("Note (for resolving: what was done)"),
    )

    #: fields other apps' actions need (incidents/bulk.py), by name: added before the note
    extra_fields: dict[str, forms.Field] = {}

    def __init__(self, *args, user, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.actions = user, {a.name: a for a in actions}
        self.fields["action"].choices = [("", _("Choose an action"))] + [(a.name, a.label) for a in actions]
        note = self.fields.pop("note")
        for name, field in self.extra_fields.items():
            self.fields[name] = copy.deepcopy(field)
        self.fields["note"] = note
        used = {name for a in actions for name in a.fields}
        for name in [n for n in self.fields if n not in used | {"action"}]:
            del self.fields[name]  # nothing the person can do needs it
        if "category" in self.fields:
            names = selectors.bulk_category_names(user=user)
            self.fields["category"].choices = [("", _("Leave as it is"))] + [(n, n) for n in names]
        if "technician" in self.fields:
            self.fields["technician"].queryset = selectors.bulk_technicians(user=user)
        if "supplier" in self.fields:
            self.fields["supplier"].queryset = selectors.bulk_suppliers(user=user)

    def fields_by_action(self) -> list[tuple]:
        """Each field after the picker, with the actions that use it (app.js shows only the chosen action's)."""
        return [
            (self[name], " ".join(a.name for a in self.actions.values() if name in a.fields))
            for name in self.fields
            if name != "action"
        ]

    def freeze(self) -> "BulkForm":
        """Read each drop-down's rows once (rendering then runs no query of its own)."""
        for name in ("technician", "supplier"):
            field = self.fields.get(name)
            if field is not None:
                field.widget.choices = [("", field.empty_label)] + [(o.pk, str(o)) for o in field.queryset]
        if "category" in self.fields:
            self.fields["category"].choices = list(self.fields["category"].choices)
        return self

    def clean_problem(self):
        text = self.cleaned_data.get("problem", "").strip()
        if not text or self.data.get(self.add_prefix("action")) != "problem":
            return None
        digits = text.upper().removeprefix("PRB-").lstrip("0")
        problem = (
            Problem.objects.visible_to(self.user).filter(pk=int(digits)).first()
            if digits.isascii() and digits.isdecimal()
            else None
        )
        if problem is None:
            raise forms.ValidationError(_("No problem with that reference."))
        return problem

    def clean(self):
        data = super().clean()
        action = self.actions.get(data.get("action"))
        if action is None:
            return data
        for name in action.required:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("%(action)s needs this.") % {"action": action.label})
        if action.name == "forward" and not data.get("technician") and not data.get("next_visit"):
            self.add_error("technician", _("Choose a technician or the next scheduled visit."))
        return data
