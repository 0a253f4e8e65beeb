from django import forms

from schooldesk.core.forms import StyledFormMixin
from schooldesk.locations.models import Location
from schooldesk.schools.models import School


class LocationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Location
        fields = ["school", "name", "building"]

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(pk__in=school_ids)
        if self.instance.pk:
            self.fields["school"].disabled = True
        elif len(school_ids) == 1:
            self.fields["school"].initial = school_ids[0]
            self.fields["school"].widget = forms.HiddenInput()
        self.fields["name"].widget.attrs["placeholder"] = "e.g. Mrs Brown's class"

    def validate_unique(self):
        """Uniqueness is checked by the service, with a clearer message."""
