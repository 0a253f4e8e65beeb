"""The audit trail's filters: who, what they did, which kind of record, when, and which school (for people with
several). One filterset for the page and its CSV and Excel exports."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schooldesk.core.audit import DOWNLOAD, GRANT, REFUSE, REVOKE, SIGN_IN, VIEW
from schooldesk.core.filtersets import DeskFilterSet
from schooldesk.core.models import AuditEntry
from schooldesk.core.roles import AUDIT_ROLES
from schooldesk.schools.models import School
from schooldesk.schools.selectors import schools_for

#: what a person did, as the filter offers it: a label and the actions it covers
ACTIONS = {
    "create": (_("Added"), ["create"]),
    "update": (_("Changed"), ["update", "save", "settings", "budget_set"]),
    "delete": (_("Deleted or archived"), ["delete", "archive", "dispose", "discard"]),
    VIEW: (_("Opened a restricted call"), [VIEW]),
    DOWNLOAD: (_("Downloaded"), [DOWNLOAD]),
    REFUSE: (_("Was refused"), [REFUSE]),
    GRANT: (_("Role given"), [GRANT]),
    REVOKE: (_("Role taken away"), [REVOKE]),
    SIGN_IN: (_("Signed in"), [SIGN_IN]),
    "mfa": (_("Two-step sign-in set up, removed or used"), ["mfa_add", "mfa_remove", "mfa_reset", "mfa_use"]),
}
#: the kinds of record the filter offers (model names as stored)
KINDS = {
    "incident": _("Calls"),
    "asset": _("Assets"),
    "licence": _("Licences"),
    "supplier": _("Suppliers"),
    "contact": _("Supplier contacts"),
    "suppliersuggestion": _("Suggested changes"),
    "contract": _("Contracts"),
    "changerequest": _("Requests for change"),
    "problem": _("Problems"),
    "location": _("Locations"),
    "diaryentry": _("Diary entries"),
    "payment": _("Payments"),
    "procedure": _("Procedures"),
    "school": _("School settings"),
    "mailbox": _("Mailboxes"),
    "user": _("People and roles"),
    "download": _("Downloads"),
    "page": _("Pages"),
    "mfapolicy": _("Two-step sign-in rules"),
}


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterSet(DeskFilterSet):
    who = django_filters.CharFilter(method="filter_who", label=_("Who (name or user name)"))
    action = django_filters.ChoiceFilter(
        choices=[(k, label) for k, (label, _a) in ACTIONS.items()], method="filter_action", label=_("What they did")
    )
    kind = django_filters.ChoiceFilter(field_name="object_type", choices=list(KINDS.items()), label=_("Kind of record"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"), widget=DateInput)
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"), widget=DateInput)
    school = django_filters.ModelChoiceFilter(
        queryset=lambda request: (
            schools_for(user=request.user, roles=AUDIT_ROLES) if request else School.objects.none()
        ).only("id", "name"),
        label=_("School"),
    )

    class Meta:
        model = AuditEntry
        fields = ["who", "action", "kind", "since", "until", "school"]

    def filter_who(self, queryset, name, value):
        condition = Q()
        for word in value.split()[:4]:
            condition &= (
                Q(actor__first_name__icontains=word)
                | Q(actor__last_name__icontains=word)
                | Q(actor__username__icontains=word)
            )
        return queryset.filter(condition)

    def filter_action(self, queryset, name, value):
        return queryset.filter(action__in=ACTIONS[value][1])
