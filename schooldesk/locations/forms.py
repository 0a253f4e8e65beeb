from django import forms

from schooldesk.core.forms import SchoolChoiceMixin, StyledFormMixin, VersionedFormMixin
from schooldesk.locations.models import Location


class LocationForm(VersionedFormMixin, SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Location
        fields = ["school", "name", "building"]

    def __init__(self, *args, school_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.decide_school(school_ids)
        self.fields["name"].widget.attrs["placeholder"] = "e.g. Mrs Brown's class"

    def validate_unique(self):
        """Uniqueness is checked by the service, with a clearer message."""
