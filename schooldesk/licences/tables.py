"""The licence list's download, declared once (decision 0039): core.exports writes it as CSV and XLSX, without keys.
Its headings are in English whatever the page's language, as they always were."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table
from schooldesk.licences.choices import ComplianceState

STATES = dict(ComplianceState.choices)

LICENCE_EXPORT = Table(
    sheet="Licences",
    columns=[
        Column("Product", "product"),
        Column("Publisher", "publisher"),
        Column("School", "school.name"),
        Column("Type", "get_licence_type_display"),
        Column("Owned", lambda lic: "site" if lic.is_site else lic.owned, "int"),
        Column("In use", "in_use", "int"),
        Column("Owned − in use", lambda lic: "" if lic.is_site else lic.difference, "int"),
        Column("Compliance", lambda lic: str(STATES[lic.state])),
        Column("Starts", "starts_on", "date"),
        Column("Ends", "ends_on", "date"),
        Column("Renewal date", "renews_on", "date"),
        Column("Cost (£)", "cost", "money"),
        Column("Supplier", lambda lic: lic.supplier.name if lic.supplier_id else ""),
        Column("Order reference", "order_reference"),
    ],
)

#: the licence list's page and the compliance page's tables (licences/licence_list.html, licence_table.html), in the
#: page's language
LICENCE_PAGE = Table(
    caption=_("Licences"),
    scrolls=True,
    columns=[
        Column(_("Product"), cell="licences/cells/product.html"),
        Column(_("Type"), cell="licences/cells/type.html"),
        Column(_("Owned"), lambda lic: _("site") if lic.is_site else lic.owned, css="text-end"),
        Column(_("In use"), cell="licences/cells/in_use.html", css="text-end"),
        Column(_("Compliance"), cell="licences/cells/compliance.html"),
        Column(_("Renewal"), cell="licences/cells/renewal.html"),
    ],
)
