"""The device scheme's downloads, declared once (decision 0039): core.exports writes them as CSV. Their headings
are in English whatever the page's language, as they always were (the charges' are the payment system's)."""

from django.utils.translation import gettext_lazy as _

from schooldesk.core.tables import Column, Table

#: the loan reports (who has what, overdue, out of support): rows are loans
LOAN_EXPORT = Table(
    columns=[
        Column("Pupil or member of staff", lambda loan: str(loan.borrower)),
        Column("Year group", "pupil.year_group"),
        Column("Class", "pupil.form"),
        Column("Asset tag", "asset.tag"),
        Column("Device", "asset.description"),
        Column("Serial number", "asset.serial"),
        Column("Handed out", "issued_on", "isodate"),
        Column("Due back", "due_on", "isodate"),
        Column("Support ends", "asset.support_ends_on", "isodate"),
        Column("School", "school.name"),
    ],
)


def _charge_description(charge) -> str:
    device = charge.loan.asset
    return f"{charge.get_reason_display()}: {device.reference} {device.description}".strip()[:200]


#: the charges for the school's finance or parent payment system: rows are charges (loans.charges.charges_export)
CHARGE_EXPORT = Table(
    columns=[
        Column("Reference", "reference"),
        Column("MIS ID", "loan.pupil.mis_id"),
        Column("Pupil name", lambda charge: str(charge.loan.borrower)),
        Column("Year", "loan.pupil.year_group"),
        Column("Class", "loan.pupil.form"),
        Column("Description", _charge_description),
        Column("Amount", lambda charge: f"{charge.amount:.2f}"),
        Column("Date", lambda charge: charge.sent_at or charge.created_at, "date"),
    ],
)

#: the charge list page (loans/pool/charge_list.html): its headings in the page's language
CHARGE_PAGE = Table(
    caption=_("Charges"),
    scrolls=True,
    columns=[
        Column(_("Charge"), cell="loans/cells/charge.html"),
        Column(_("Borrower"), cell="loans/cells/charge_borrower.html"),
        Column(_("Device"), "loan.asset.tag"),
        Column(_("Reason"), "get_reason_display"),
        Column(_("Amount"), lambda charge: f"£{charge.amount}"),
        Column(_("Status"), cell="loans/cells/charge_status.html"),
        Column(_("Raised"), "created_at", "date"),
    ],
)
