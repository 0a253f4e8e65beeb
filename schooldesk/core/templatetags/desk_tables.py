"""`{% list_table table rows %}`: a list page's HTML table drawn from its `core.tables.Table` (decision 0039), the
same declaration its downloads are written from, so a page's columns are declared in one place.

The heading row comes from the columns (`<th scope="col">`, a sort link where a column sorts); each row's cells
from the columns too, each with its heading as `data-label` (the phone layout, app.css). A column with a `cell`
template draws its cell with it, given `row` and the page's context; the others show their value in their format.

Drawn here in Python rather than by a template per cell: a cell template is found once per column for the whole
table (the engine's cached loader compiles it once) and rendered in the page's own context, as `{% include %}`
would, without its per-cell look-up; a plain value is escaped text."""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from schooldesk.core.tables import Column, Table, display

register = template.Library()


def _compiled(context, name: str):
    """The compiled template `name`, from the engine rendering the page (its cached loader); the default engine's
    when the context has no template bound to an engine."""
    engine = getattr(context.template, "engine", None)
    if engine is not None:
        return engine.get_template(name)
    return get_template(name).template


def _class(css: str):
    return format_html(' class="{}"', css) if css else ""


def _sort_link(context, column: Column, heading):
    """The heading as a link sorting the list by the column's ordering key (again: the other way), the page's
    other filters kept; and its `aria-sort` when the list is sorted by it."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    current = query.get("ordering", "")
    query.pop("page", None)
    ascending = current == column.sort
    query["ordering"] = f"-{column.sort}" if ascending else column.sort
    aria = ""
    if ascending:
        aria = format_html(' aria-sort="{}"', "ascending")
    elif current == f"-{column.sort}":
        aria = format_html(' aria-sort="{}"', "descending")
    link = format_html(
        '<a href="?{}" title="{}">{}</a>', query.urlencode(), _("Sort by %(heading)s") % {"heading": heading}, heading
    )
    return aria, link


def _heading(context, column: Column):
    heading = column.label
    aria = ""
    if column.head:
        with context.push(heading=heading):
            text = mark_safe(_compiled(context, column.head).render(context).strip())  # noqa: S308 - a template's output
    elif column.heading_hidden:
        text = format_html('<span class="visually-hidden">{}</span>', heading)
    elif column.sort:
        aria, text = _sort_link(context, column, heading)
    else:
        text = conditional_escape(heading)
    return format_html('<th scope="col"{}{}>{}</th>', _class(column.css), aria, text)


def render_table(context, table: Table, rows, caption=None) -> str:
    """The table's columns shown in this context (`when`), their headings, then one row per row: each cell opened
    with its class and `data-label`, filled by its cell template or its value in its format."""
    columns = [(i, column) for i, column in enumerate(table.columns) if column.shown(context)]
    cells = {i: _compiled(context, column.cell) for i, column in columns if column.cell}
    opens = [
        (
            i,
            column,
            format_html('<td{} data-label="{}">', _class(f"{column.css} {column.cell_css}".strip()), column.label),
        )
        for i, column in columns
    ]
    out = []
    if table.scrolls:
        out.append('<div class="table-responsive">')
    attrs = table.attrs(context) if table.attrs else {}
    out.append(format_html('<table class="{}"{}>', table.css, format_html_join("", ' {}="{}"', attrs.items())))
    if caption or table.caption:
        out.append(format_html('<caption class="visually-hidden">{}</caption>', caption or table.caption))
    out.append("<thead><tr>")
    out.extend(_heading(context, column) for _i, column in columns)
    out.append("</tr></thead><tbody>")
    if table.body is not None:
        out.append(table.body(context, rows))
        rows = ()
    for row in rows:
        out.append(format_html("<tr{}>", _class(table.row_class(row))) if table.row_class else "<tr>")
        for i, column, opening in opens:
            out.append(opening)
            cell = cells.get(i)
            if cell is not None:
                with context.push(row=row):
                    out.append(cell.render(context).strip())
            else:
                out.append(conditional_escape(display(column.read(row, i), column.format)))
            out.append("</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if table.scrolls:
        out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped or a rendered template


@register.simple_tag(takes_context=True)
def list_table(context, table: Table, rows, caption=None) -> str:
    """`{% list_table table object_list %}`: the table's HTML for these rows (the page's own empty message is the
    page's: call it only when there are rows). `caption=…` names one of several tables of a page (the agenda's
    days) instead of the table's own caption."""
    return render_table(context, table, rows, caption)
