"""The supplier and contract lists' tables, declared once (decision 0039): the pages draw them by `list_table`."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table

SUPPLIER_PAGE = Table(
    caption=_("Suppliers"),
    css="table table-sm table-responsive-stack",
    columns=[
        Column(_("Name"), cell="suppliers/cells/supplier.html"),
        Column(_("Kind"), "get_kind_display"),
        Column(_("Escalate by"), lambda supplier: f"{supplier.email or ''} {supplier.phone or ''}"),
    ],
)

CONTRACT_PAGE = Table(
    caption=_("Contracts"),
    scrolls=True,
    columns=[
        Column(_("Contract"), cell="suppliers/cells/contract.html"),
        Column(_("Supplier"), "supplier.name"),
        Column(_("Schools"), cell="suppliers/cells/contract_schools.html"),
        Column(_("Status"), "get_status_display"),
        Column(_("Current term ends"), "term_ends_on", "date"),
        Column(_("Notice by"), lambda contract: contract.notice_by_on if contract.notice_number else None, "date"),
        Column(_("Value"), "value", "money", css="text-end"),
    ],
)
