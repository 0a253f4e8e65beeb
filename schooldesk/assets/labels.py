"""Printable sheets of QR labels: A4, 3 × 7 labels of 63.5 × 38.1 mm (the Avery L7160 layout and its
equivalents). Each QR code holds the absolute address of the "report a fault here" page of the device
or the room; scanning it with a phone's camera opens the report form with the place (and the device)
filled in, after signing in. segno draws the codes as SVG; WeasyPrint lays out the PDF."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.template.loader import render_to_string

COLUMNS, ROWS = 3, 7
PER_SHEET = COLUMNS * ROWS
LABEL_WIDTH_MM, LABEL_HEIGHT_MM = 63.5, 38.1
LEFT_MM, TOP_MM = 7.2, 15.15  # the sheet's margins
PITCH_X_MM, PITCH_Y_MM = 66.0, 38.1  # label width + gap between columns; rows touch


@dataclass
class Label:
    url: str  # what the QR code opens
    title: str  # the tag, or the room's name: printed large
    lines: tuple[str, ...] = ()  # what it is, where
    caption: str = "Scan to report a fault"
    owner: str = ""  # the school
    reference: str = ""

    @property
    def qr_svg(self) -> str:
        return segno.make(self.url, error="m").svg_data_uri(border=2, dark="#000", light="#fff", scale=4)


@dataclass
class Slot:
    label: Label | None
    left_mm: float
    top_mm: float


def sheet_pages(labels: list[Label], *, skip: int = 0) -> list[list[Slot]]:
    """Lay the labels out on sheets, leaving the first `skip` positions empty (a partly used sheet)."""
    items: list[Label | None] = [None] * max(0, min(skip, PER_SHEET - 1)) + list(labels)
    pages = []
    for start in range(0, len(items), PER_SHEET):
        page = []
        for position, label in enumerate(items[start : start + PER_SHEET]):
            row, column = divmod(position, COLUMNS)
            page.append(Slot(label, round(LEFT_MM + column * PITCH_X_MM, 2), round(TOP_MM + row * PITCH_Y_MM, 2)))
        pages.append(page)
    return pages


def labels_pdf(labels: list[Label], *, skip: int = 0, title: str = "Labels") -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "assets/labels.html",
        {
            "pages": sheet_pages(labels, skip=skip),
            "title": title,
            "width": LABEL_WIDTH_MM,
            "height": LABEL_HEIGHT_MM,
        },
    )
    return HTML(string=html).write_pdf()


def asset_label(asset, url: str) -> Label:
    where = str(asset.location) if asset.location_id else ""
    return Label(
        url=url,
        title=asset.tag,
        lines=tuple(x for x in (asset.description, where) if x),
        owner=asset.school.short_name or asset.school.name,
        reference=asset.reference,
    )


def location_label(location, url: str) -> Label:
    return Label(
        url=url,
        title=location.name,
        lines=(location.building,) if location.building else (),
        caption="Scan to report a fault in this room",
        owner=location.school.short_name or location.school.name,
    )
