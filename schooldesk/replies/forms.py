from django import forms
from django.utils.translation import gettext_lazy as _

from schooldesk.core.forms import SchoolChoiceMixin, StyledFormMixin
from schooldesk.replies.choices import PLACEHOLDERS
from schooldesk.replies.models import CannedReply
from schooldesk.schools.models import Organisation, School


class CannedReplyForm(SchoolChoiceMixin, StyledFormMixin, forms.ModelForm):
    """A school's reply, or (`owner_field = "organisation"`) one shared by all the organisation's schools: whose it
    is, decided as every form decides it (SchoolChoiceMixin)."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))

    class Meta:
        model = CannedReply
        fields = ["school", "organisation", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, school_ids, organisation_ids, shared: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_field = "organisation" if shared else "school"
        self.fields.pop("school" if shared else "organisation")
        if shared:
            self.decide_owner(Organisation.objects.filter(pk__in=organisation_ids).order_by("name"))
        else:
            self.decide_school(school_ids)
        self.fields["title"].help_text = _("What the desk looks for in the list, e.g. “Password reset done”.")
        self.fields["body"].help_text = _("You can use: %(names)s.") % {
            "names": "; ".join(f"{{{{ {name} }}}} ({what})" for name, what in PLACEHOLDERS.items())
        }
