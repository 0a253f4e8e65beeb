from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import StyledFormMixin
from schooldesk.reports.periods import (
    HALF_TERM,
    MONTH,
    TERM,
    YEAR,
    comparisons,
    default_period,
    find,
    parse_key,
    period_options,
)
from schooldesk.schools.models import School

OPTION_GROUPS = ((TERM, _("Terms")), (HALF_TERM, _("Half-terms")), (MONTH, _("Months")), (YEAR, _("School years")))


class ServiceReportForm(StyledFormMixin, forms.Form):
    """Which school (or all of them) and which period: a term, a half-term, a month or a school year."""

    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), required=False, empty_label=_("All my schools")
    )
    period = forms.CharField(label=_("Period"), widget=forms.Select)

    def __init__(self, *args, school_ids, options, **kwargs):
        super().__init__(*args, **kwargs)
        if len(school_ids) > 1:
            self.fields["school"].queryset = School.objects.filter(pk__in=school_ids).order_by("name")
        else:
            del self.fields["school"]
        choices = [
            (str(label), [(p.key, p.label) for p in reversed(options[kind])])
            for kind, label in OPTION_GROUPS
            if options.get(kind)
        ]
        self.fields["period"].widget.choices = choices

    def clean_period(self):
        period = parse_key(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(_("Choose a period from the list."))
        return period


def service_report_request(data, *, school_ids, today):
    """The service report a person asked for (the page's query string or the API's): the bound form, and when it
    is valid, `service_report`'s keyword arguments (the period, its comparisons and the school chosen). The
    periods offered are those of the school asked for, else of all the person's schools; no period asked for
    means the current one."""
    data = data.copy()
    wanted = data.get("school", "")
    scope = [int(wanted)] if wanted.isdecimal() and int(wanted) in school_ids else school_ids
    options = period_options(scope, today)
    if not data.get("period"):
        data["period"] = default_period(options, today).key
    form = ServiceReportForm(data, school_ids=school_ids, options=options)
    if not form.is_valid():
        return form, None
    period = find(options, form.cleaned_data["period"])
    return form, {
        "period": period,
        "comparisons": comparisons(options, period),
        "school": form.cleaned_data.get("school"),
    }
