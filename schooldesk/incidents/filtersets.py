"""One filterset serves the HTML list and the API."""

import django_filters
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.assets.models import Asset
from schooldesk.core.filtersets import DeskFilterSet, SearchFilter
from schooldesk.incidents.choices import ACTIVE_STATUSES, IncidentStatus, SlaState
from schooldesk.incidents.models import REFERENCE_PREFIX, Category, Incident
from schooldesk.incidents.search import incident_text_filter
from schooldesk.incidents.selectors import (
    incidents_in_sla_state,
    own_supplier_ids,
    technician_choices,
    visits_today_q,
)
from schooldesk.locations.models import Location
from schooldesk.schools.choices import Priority
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier


def reference_matches(value: str) -> Q:
    """Calls whose supplier's reference or device's asset tag is `value` (any case).

    Each is a list of ids read through an index, so that with the words' full-text match the database
    joins three short lists instead of reading every call of the school (41 ms → 3 ms at 20,000 calls)."""
    by_reference = Incident.objects.alias(ref=Lower("supplier_reference")).filter(ref=value.lower())
    by_tag = Incident.objects.filter(
        asset__in=Asset.objects.alias(tag_lower=Lower("tag")).filter(tag_lower=value.lower()).values("pk")
    )
    return Q(pk__in=by_reference.values("pk")) | Q(pk__in=by_tag.values("pk"))


#: "open": not yet resolved; "ended": resolved, closed, cancelled or a duplicate
STATE_CHOICES = [("open", _("Open (not yet resolved)")), ("ended", _("Resolved or closed"))]
#: calls by who has them, for the person looking: their saved views keep these, not their own ids
WHOSE_CHOICES = [
    ("mine", _("Forwarded to me")),
    ("ours", _("Escalated to my supplier")),
    ("here_today", _("Where I visit today")),
]


def _user(request):
    return request.user if request else None


class IncidentFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (words, INC-000123 or a supplier's reference)"))
    school = django_filters.ModelChoiceFilter(queryset=lambda r: School.objects.visible_to(_user(r)))
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    category = django_filters.ModelChoiceFilter(queryset=lambda r: Category.objects.visible_to(_user(r)))
    location = django_filters.ModelChoiceFilter(queryset=lambda r: Location.objects.visible_to(_user(r)))
    device = django_filters.CharFilter(method="filter_device", label="Device or asset tag")
    assigned_to = django_filters.ModelChoiceFilter(
        queryset=lambda r: technician_choices(user=_user(r)),
        label="Technician",
    )
    supplier = django_filters.ModelChoiceFilter(queryset=lambda r: Supplier.objects.visible_to(_user(r)))
    sla = django_filters.ChoiceFilter(choices=SlaState.choices, method="filter_sla", label="SLA")
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="filter_state", label=_("Open or ended"))
    whose = django_filters.ChoiceFilter(choices=WHOSE_CHOICES, method="filter_whose", label=_("Whose"))
    ordering = django_filters.OrderingFilter(
        fields=(("logged_at", "logged"), ("priority", "priority"), ("resolve_due_at", "due"), ("status", "status")),
        label="Sort by",
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "school",
            "status",
            "priority",
            "category",
            "location",
            "device",
            "assigned_to",
            "supplier",
            "sla",
            "state",
            "whose",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.upper().removeprefix(REFERENCE_PREFIX).removeprefix("-")
        if digits.isascii() and digits.isdecimal():
            return queryset.filter(pk=int(digits))
        exact = reference_matches(value)
        condition = incident_text_filter(value)
        return queryset.filter(exact | condition) if condition else queryset.filter(exact)

    def filter_device(self, queryset, name, value):
        """The device text people typed, or the asset chosen from the register by its tag."""
        value = value.strip()
        return queryset.filter(Q(device__icontains=value) | Q(asset__tag__iexact=value)) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        return queryset.exclude(status__in=ACTIVE_STATUSES) if value == "ended" else queryset

    def filter_whose(self, queryset, name, value):
        user = _user(self.request)
        if user is None:
            return queryset.none()
        if value == "mine":
            return queryset.filter(assigned_to=user)
        if value == "ours":
            return queryset.filter(supplier_id__in=own_supplier_ids(user=user))
        if value == "here_today":
            return queryset.filter(visits_today_q(user=user, today=timezone.localdate()))
        return queryset

    def filter_sla(self, queryset, name, value):
        return incidents_in_sla_state(queryset=queryset, state=value, now=timezone.now())
