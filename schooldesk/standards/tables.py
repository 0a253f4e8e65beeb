"""The standards matrix's spreadsheet, declared in one place (decision 0039): a column per part of each standard,
so the table is made for the matrix it shows; core.exports writes it."""

from django.utils.translation import gettext as _

from schooldesk.core.tables import Column, Table


def matrix_table(context: dict) -> Table:
    """Rows: the matrix's rows ({"school", "parts"}); the evidence date is the day the matrix was read."""
    labels = [str(label) for _standard, parts in context["columns"] for _key, label in parts]
    as_of = f"{context['today']:%d/%m/%Y}"
    return Table(
        sheet=_("Standards"),
        columns=[
            Column(_("School"), "school.name"),
            Column(_("URN"), "school.urn"),
            *[Column(label, lambda row, i=i: row["parts"][i].state_label) for i, label in enumerate(labels)],
            Column(_("Evidence as of"), lambda row: as_of),
        ],
    )
