"""The asset register's downloads, declared once (decision 0039): core.exports writes them as CSV and XLSX.
Their headings are in English whatever the page's language, as they always were."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table

ASSET_EXPORT = Table(
    sheet="Assets",
    columns=[
        Column("Reference", "reference"),
        Column("Asset tag", "tag"),
        Column("Type", "asset_type.name"),
        Column("Make", "make"),
        Column("Model", "model"),
        Column("Serial number", "serial"),
        Column("School", "school.name"),
        Column("Location", lambda a: str(a.location or "")),
        Column("Status", "get_status_display"),
        Column("Issued to", lambda a: str(a.issued_to or "")),
        Column("Expected back", "loan_due_on", "date"),
        Column("Purchase date", "purchased_on", "date"),
        Column("Cost (£)", "cost", "money"),
        Column("Supplier", lambda a: a.supplier.name if a.supplier_id else ""),
        Column("Order reference", "order_reference"),
        Column("Warranty ends", "warranty_ends_on", "date"),
        Column("Support ends", "support_ends_on", "date"),
        Column("Funding source", "funding_source"),
        Column("Notes", "notes"),
        Column("Last seen in an audit", "last_audited_on", "date"),
    ],
)

#: one row per type and financial year (the view flattens the forecast, "All types" last)
FORECAST_EXPORT = Table(
    sheet="Replacement forecast",
    columns=[
        Column("Type"),
        Column("Financial year"),
        Column("Devices", format="int"),
        Column("Devices without a price", format="int"),
        Column("Replacement cost (£)", format="money"),
    ],
)

#: the asset register's page (assets/asset_list.html), in the page's language; the select column only when the
#: person may act on several at once (`bulk`)
ASSET_PAGE = Table(
    caption=_("Assets"),
    scrolls=True,
    columns=[
        Column(
            _("Select"), cell="assets/cells/select.html", heading_hidden=True, when=lambda context: context.get("bulk")
        ),
        Column(_("Tag"), cell="assets/cells/tag.html"),
        Column(_("What"), cell="assets/cells/what.html"),
        Column(_("Where"), cell="assets/cells/where.html"),
        Column(_("Status"), cell="assets/cells/status.html"),
        Column(_("Warranty ends"), "warranty_ends_on", "date"),
        Column(_("Support ends"), cell="assets/cells/support.html"),
    ],
)
