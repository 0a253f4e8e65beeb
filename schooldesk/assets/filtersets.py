"""One filterset serves the register page, its exports and the API."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schooldesk.assets.choices import REFERENCE_PREFIX, AssetStatus
from schooldesk.assets.models import Asset, AssetType
from schooldesk.assets.selectors import asset_school_ids, forecast_assets, loans_overdue, schools_for_choices
from schooldesk.core.filtersets import DeskFilterSet, SearchFilter, words_q
from schooldesk.locations.models import Location
from schooldesk.schools.models import School
from schooldesk.suppliers.models import Supplier


def _user(request):
    return request.user if request else None


def _school_ids(request):
    return asset_school_ids(user=_user(request)) if request else []


def _choice_school_ids(request):
    """Rooms and types of the chosen school (or of all, for someone with only a few schools)."""
    return schools_for_choices(user=_user(request), chosen=request.GET.get("school")) if request else []


WARRANTY_CHOICES = [("expired", "Expired"), ("90", "Ends within 90 days"), ("none", "Not recorded")]
SUPPORT_CHOICES = [
    ("ended", _("Out of support")),
    ("90", _("Support ends within 90 days")),
    ("none", _("Not recorded")),
]


class AssetFilterSet(DeskFilterSet):
    q = SearchFilter(method="search", label=_("Search (tag, AST-000123, serial, make or model)"))
    school = django_filters.ModelChoiceFilter(
        queryset=lambda r: School.objects.filter(pk__in=_school_ids(r)).only("id", "name")
    )
    asset_type = django_filters.ModelChoiceFilter(
        queryset=lambda r: AssetType.objects.filter(school_id__in=_choice_school_ids(r)), label="Type"
    )
    location = django_filters.ModelChoiceFilter(
        queryset=lambda r: Location.objects.filter(school_id__in=_choice_school_ids(r)), label="Location"
    )
    status = django_filters.MultipleChoiceFilter(choices=AssetStatus.choices, distinct=False)
    supplier = django_filters.ModelChoiceFilter(queryset=lambda r: Supplier.objects.visible_to(_user(r)))
    warranty = django_filters.ChoiceFilter(choices=WARRANTY_CHOICES, method="filter_warranty", label="Warranty")
    support = django_filters.ChoiceFilter(choices=SUPPORT_CHOICES, method="filter_support", label=_("Support"))
    # the replacement forecast's links: the assets in service behind one figure (kept, unseen, while filtering)
    forecast = django_filters.CharFilter(method="filter_forecast", widget=forms.HiddenInput)
    type_name = django_filters.CharFilter(field_name="asset_type__name", lookup_expr="iexact", widget=forms.HiddenInput)
    overdue = django_filters.ChoiceFilter(
        choices=[("yes", "Overdue loans only")], method="filter_overdue", label="Loans", empty_label="All"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("tag", "tag"),
            ("asset_type__name", "type"),
            ("location__name", "location"),
            ("status", "status"),
            ("purchased_on", "purchased"),
            ("warranty_ends_on", "warranty"),
            ("support_ends_on", "support"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Asset
        fields = [
            "q",
            "school",
            "asset_type",
            "location",
            "status",
            "supplier",
            "warranty",
            "support",
            "forecast",
            "type_name",
            "overdue",
        ]

    @property
    def qs(self):
        """As sorted (by tag unless asked otherwise), then by id: the same order on every page."""
        rows = super().qs
        return rows.order_by(*(rows.query.order_by or ["tag"]), "pk")

    def search(self, queryset, name, value):
        """A tag, serial number or AST- reference finds that asset (through the unique index, at any size);
        otherwise every word must appear in the tag, serial, make, model, notes or type ("projectors")."""
        value = value.strip()
        if not value:
            return queryset
        digits = value.upper().removeprefix(REFERENCE_PREFIX)
        exact = [
            queryset.alias(tag_lower=Lower("tag")).filter(tag_lower=value.lower()),
            # "serial is not empty" is the partial unique index's condition: the lookup uses that index
            queryset.alias(serial_lower=Lower("serial")).filter(serial_lower=value.lower()).exclude(serial=""),
        ]
        if value.upper().startswith(REFERENCE_PREFIX) and digits.isascii() and digits.isdecimal():
            exact.insert(0, queryset.filter(pk=int(digits)))
        for hits in exact:  # each through its own index; an OR of them would read every asset of an LA
            if hits.exists():
                return hits
        return queryset.filter(words_q(value, ["tag", "serial", "make", "model", "notes", "asset_type__name"]))

    def filter_warranty(self, queryset, name, value):
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(warranty_ends_on__lt=today)
        if value == "90":
            return queryset.filter(warranty_ends_on__gte=today, warranty_ends_on__lte=today + timedelta(days=90))
        if value == "none":
            return queryset.filter(warranty_ends_on__isnull=True)
        return queryset

    def filter_support(self, queryset, name, value):
        today = timezone.localdate()
        if value == "ended":
            return queryset.filter(support_ends_on__lt=today)
        if value == "90":
            return queryset.filter(support_ends_on__gte=today, support_ends_on__lte=today + timedelta(days=90))
        if value == "none":
            return queryset.filter(support_ends_on__isnull=True)
        return queryset

    def filter_forecast(self, queryset, name, value):
        return forecast_assets(queryset, value.strip(), timezone.localdate()) if value.strip() else queryset

    def filter_overdue(self, queryset, name, value):
        return loans_overdue(queryset) if value else queryset
