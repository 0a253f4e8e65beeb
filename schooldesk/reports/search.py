"""The header's search: a reference goes straight to its record, words find calls and records. A desk-wide page
that reads every app, so it lives on the top floor with the reports.

Every kind is read through its own list's selector and FilterSet (the same `q` as the list page's search
box), behind the same role as its list page, so the search shows nothing the lists would not. One query
per kind, each capped: the page does a fixed number of queries whatever the number of rows."""

import re
from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from schooldesk.assets.filtersets import AssetFilterSet
from schooldesk.assets.selectors import asset_list
from schooldesk.changes.filtersets import ChangeFilterSet
from schooldesk.changes.selectors import change_list
from schooldesk.core.permissions import can
from schooldesk.incidents.filtersets import IncidentFilterSet
from schooldesk.incidents.selectors import incident_list
from schooldesk.licences.filtersets import LicenceFilterSet
from schooldesk.licences.selectors import licence_list
from schooldesk.problems.filtersets import ProblemFilterSet
from schooldesk.problems.selectors import problem_list
from schooldesk.suppliers.filtersets import SupplierFilterSet
from schooldesk.suppliers.selectors import contract_list, supplier_list

#: rows shown per kind; one more is read to know whether to offer "more in the list"
SEARCH_CAP = 5
REFERENCE = re.compile(r"^(INC|AST|PRB|CHG|CON)-?0*(\d{1,9})$", re.IGNORECASE)
#: a supplier's reference has a digit and no space ("HD-99812", "CS0045123")
SUPPLIER_REFERENCE = re.compile(r"^(?=.*\d)[\w./-]{3,60}$")


@dataclass(frozen=True)
class Kind:
    key: str
    title: Any
    prefix: str | None
    permission: str | None  # the rule that lets a person search this kind; None: everyone (each sees their own)
    list_url: str
    detail_url: str
    rows: Any  # rows(user=...) -> the list's queryset
    filterset: Any = None
    order: tuple = ()

    def may_search(self, user) -> bool:
        return self.permission is None or can(user, self.permission)


def kinds() -> list[Kind]:
    """The kinds of record the search reads, each through its own list's selector and FilterSet."""

    return [
        Kind(
            "calls",
            _("Calls"),
            "INC",
            None,
            "incidents:incident_list",
            "incidents:incident_detail",
            incident_list,
            IncidentFilterSet,
            ("-logged_at",),
        ),
        Kind(
            "assets",
            _("Assets"),
            "AST",
            "assets.view",
            "assets:asset_list",
            "assets:asset_detail",
            asset_list,
            AssetFilterSet,
            ("tag",),
        ),
        Kind(
            "licences",
            _("Licences"),
            None,
            "licences.view",
            "licences:licence_list",
            "licences:licence_detail",
            licence_list,
            LicenceFilterSet,
            ("product",),
        ),
        Kind(
            "suppliers",
            _("Suppliers"),
            None,
            "suppliers.view",
            "suppliers:supplier_list",
            "suppliers:supplier_detail",
            supplier_list,
            SupplierFilterSet,
            ("name",),
        ),
        Kind(
            "problems",
            _("Problems"),
            "PRB",
            "problems.view",
            "problems:problem_list",
            "problems:problem_detail",
            problem_list,
            ProblemFilterSet,
            ("-created_at",),
        ),
        Kind(
            "changes",
            _("Requests for change"),
            "CHG",
            "changes.view",
            "changes:change_list",
            "changes:change_detail",
            change_list,
            ChangeFilterSet,
            ("-created_at",),
        ),
        Kind(
            "contracts",
            _("Contracts"),
            "CON",
            "suppliers.view",
            "suppliers:contract_list",
            "suppliers:contract_detail",
            contract_list,
        ),
    ]


@dataclass(frozen=True)
class Reference:
    """A reference typed in the search: `url` is the record's page, or None when this person cannot see it."""

    text: str
    url: str | None


def search_reference(user, text: str) -> Reference | None:
    """`INC-000123` (or AST-, PRB-, CHG-, CON-) → that record, if this person's list would show it;
    a supplier's reference that names exactly one call → that call. None when the text is not a reference."""
    match = REFERENCE.match(text.strip())
    if match:
        prefix, number = match.group(1).upper(), int(match.group(2))
        kind = next(k for k in kinds() if k.prefix == prefix)
        reference = f"{prefix}-{number:06d}"
        if kind.may_search(user) and kind.rows(user=user).filter(pk=number).exists():
            return Reference(reference, reverse(kind.detail_url, args=[number]))
        return Reference(reference, None)
    if SUPPLIER_REFERENCE.match(text.strip()):
        calls = list(
            incident_list(user=user)
            .alias(ref=Lower("supplier_reference"))
            .filter(ref=text.strip().lower())
            .values_list("pk", flat=True)[:2]
        )
        if len(calls) == 1:
            return Reference(text.strip(), reverse("incidents:incident_detail", args=[calls[0]]))
    return None


@dataclass
class SearchGroup:
    kind: Kind
    rows: list
    more: bool

    @property
    def list_url(self) -> str:
        return reverse(self.kind.list_url)


def search_groups(request, text: str) -> list[SearchGroup]:
    """For each kind this person may search: the first SEARCH_CAP matches of its list's own `q` filter."""
    groups = []
    for kind in kinds():
        if kind.filterset is None or not kind.may_search(request.user):
            continue
        filterset = kind.filterset({"q": text}, queryset=kind.rows(user=request.user), request=request)
        rows = list(filterset.qs.order_by(*kind.order, "pk")[: SEARCH_CAP + 1])
        groups.append(SearchGroup(kind, rows[:SEARCH_CAP], more=len(rows) > SEARCH_CAP))
    return groups
