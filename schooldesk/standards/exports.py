"""The standards matrix and the annual review as files for governors: PDF through the reports app's WeasyPrint
mechanism, the spreadsheet through the house export (safe against formula injection)."""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from schooldesk.core.exports import xlsx_response
from schooldesk.reports.exports import pdf_response


def matrix_pdf(request, context: dict):
    return pdf_response(
        request, "standards/standards_pdf.html", context, f"dfe-standards-{context['today']:%Y-%m-%d}.pdf"
    )


def matrix_xlsx(context: dict):
    labels = [str(label) for _standard, parts in context["columns"] for _key, label in parts]
    header = [_("School"), _("URN"), *labels, _("Evidence as of")]
    rows = [
        [row["school"].name, row["school"].urn, *[p.state_label for p in row["parts"]], f"{context['today']:%d/%m/%Y}"]
        for row in context["rows"]
    ]
    return xlsx_response(f"dfe-standards-{context['today']:%Y-%m-%d}.xlsx", header, rows, sheet=_("Standards"))


def review_pdf(request, context: dict):
    name = slugify(context["school"].short_name or context["school"].name)
    return pdf_response(
        request, "standards/review_pdf.html", context, f"it-support-review-{name}-{context['review'].year}.pdf"
    )
