"""The standards matrix and the annual review as files for governors: PDF through the reports app's WeasyPrint
mechanism, the spreadsheet through the house export (safe against formula injection)."""

from django.utils.text import slugify

from schooldesk.core.exports import export_response
from schooldesk.reports.exports import pdf_response
from schooldesk.standards.tables import matrix_table


def matrix_pdf(request, context: dict):
    return pdf_response(
        request, "standards/standards_pdf.html", context, f"dfe-standards-{context['today']:%Y-%m-%d}.pdf"
    )


def matrix_xlsx(context: dict):
    name = f"dfe-standards-{context['today']:%Y-%m-%d}"
    return export_response(matrix_table(context), "xlsx", name, context["rows"])


def review_pdf(request, context: dict):
    name = slugify(context["school"].short_name or context["school"].name)
    return pdf_response(
        request, "standards/review_pdf.html", context, f"it-support-review-{name}-{context['review'].year}.pdf"
    )
