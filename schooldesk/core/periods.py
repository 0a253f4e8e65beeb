"""A period of days chosen on a report page (from, to, and which of my schools), and its bounds in time.

Shared by the incident, problem and change reports; the school terms and half-terms the service report offers
are schooldesk.reports.periods."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.core.calendar import LONDON
from schooldesk.core.forms import DateInput, StyledFormMixin


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the start of the day after `end`, in school (London) time."""
    return (
        datetime.combine(start, time.min, tzinfo=LONDON),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=LONDON),
    )


class PeriodForm(StyledFormMixin, forms.Form):
    start = forms.DateField(widget=DateInput(), label=_("From"))
    end = forms.DateField(widget=DateInput(), label=_("To"))
    school = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("All my schools"))

    def __init__(self, data=None, *args, schools, **kwargs):
        """`schools`: the schools the person may report on (a queryset), offered in the drop-down."""
        today = timezone.localdate()
        super().__init__(data, *args, **kwargs)
        self.fields["start"].initial = today - timedelta(days=30)
        self.fields["end"].initial = today
        self.fields["school"].queryset = schools

    @classmethod
    def from_query(cls, params, *, schools) -> "PeriodForm":
        """Bound to the query, with the dates it leaves out (the page as first rendered, an old Download CSV
        link, a bookmark) set to the defaults: the last 30 days. A date sent empty is still an error to show."""
        data = params.copy()
        for name, field in cls(schools=schools).fields.items():
            if name not in data and field.initial is not None:
                data[name] = str(field.initial)
        return cls(data, schools=schools)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                self.add_error("end", _("The end is before the start."))
            elif (data["end"] - data["start"]).days > 3 * 366:
                self.add_error("end", _("Choose a period of three years or less."))
        return data
