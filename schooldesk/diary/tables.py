"""The payments' download, declared once (decision 0039): one row per payment for the school's finance system,
amounts as numbers and dates as dates (ISO in CSV); core.exports writes it as CSV and XLSX. Its headings are in
English whatever the page's language, as they always were."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import PAGE_CSS, Column, Table

#: rows: payments from `diary.selectors.payments_for_export` (which sets `export_year` and `export_status`)
PAYMENT_EXPORT = Table(
    columns=[
        Column("Financial year", "export_year"),
        Column("School", "school.name"),
        Column("Due on", "due_on", "isodate"),
        Column("Supplier", "supplier.name"),
        Column("Budget category", "get_category_display"),
        Column("Description", "description"),
        Column("Kind", "get_kind_display"),
        Column("Contract", lambda p: p.contract.reference if p.contract_id else ""),
        Column("Net (£)", "amount", "money"),
        Column("VAT (£)", "vat", "money"),
        Column("Gross (£)", "gross", "money"),
        Column("Status", "export_status"),
        Column("Paid on", "paid_on", "isodate"),
        Column("Payment reference", "paid_reference"),
    ],
)

#: the agenda (diary/agenda.html): under each day's heading, that day's entries
AGENDA_PAGE = Table(
    css=f"{PAGE_CSS} agenda-day",  # one table a day, their columns lined up (app.css)
    columns=[
        Column(_("Entry"), cell="diary/cells/entry.html"),
        Column(_("Kind"), "get_kind_display"),
        Column(_("Who"), "person"),
        Column(_("Where"), "location"),
    ],
)
