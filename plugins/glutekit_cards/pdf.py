"""The PDF exporter: routine sheet plus log grid, or exercise cards."""

from __future__ import annotations

from glutekit.atomic import write_bytes
from glutekit.interfaces import ExportRequest
from glutekit_cards.content import Sheet, build_sheet
from glutekit_cards.pdf_base import new_pdf
from glutekit_cards.pdf_cards import render_cards
from glutekit_cards.pdf_sheet import render_log, render_sheet


def pdf_bytes(sheet: Sheet) -> bytes:
    """The whole document, in memory, so a failure never leaves a partial file."""
    pdf = new_pdf(sheet.paper, sheet.title)
    pdf.add_page()
    if sheet.cards:
        render_cards(pdf, sheet)
    else:
        render_sheet(pdf, sheet)
        render_log(pdf, sheet)
    return bytes(pdf.output())


def write_pdf(request: ExportRequest) -> None:
    write_bytes(request.path, pdf_bytes(build_sheet(request)))
