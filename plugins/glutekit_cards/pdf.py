"""The PDF exporter: routine sheet and log grid, then the exercise cards, in one document."""

from __future__ import annotations

from typing import Any

from glutekit.atomic import write_bytes
from glutekit.interfaces import ExportRequest
from glutekit_cards.content import Sheet, build_sheet
from glutekit_cards.pdf_base import add_footers, new_document
from glutekit_cards.pdf_cards import render_cards
from glutekit_cards.pdf_sheet import render_log, render_sheet
from glutekit_cards.scales import print_scales


def pdf_bytes(sheet: Sheet, pdf: Any = None) -> bytes:
    """The whole document, in memory, so a failure never leaves a partial file.

    Sheet and cards share one document (``pdf``, by default a new one that can draw
    the sheet's pictures), so the fonts are read and embedded once.
    """
    if pdf is None:
        pdf = sheet_document(sheet)
    pdf.add_page()
    scales = print_scales(sheet, pdf)
    if sheet.show_sheet:
        render_sheet(pdf, sheet, scales.sheet)
        render_log(pdf, sheet)
    if sheet.show_cards:
        if sheet.show_sheet:
            pdf.add_page()
        render_cards(pdf, sheet, scales.cards)
    add_footers(pdf, sheet.title)
    return bytes(pdf.output())


def sheet_document(sheet: Sheet) -> Any:
    """An empty document for ``sheet``: fpdf2's when the sheet or a card shows a pack
    picture (the plugin's own canvas draws none), else the plugin's own."""
    pictures = sheet.thumbnails or any(info.pictures for info in sheet.exercises)
    return new_document(sheet.paper, sheet.title, pictures=pictures)


def write_pdf(request: ExportRequest) -> None:
    sheet = build_sheet(request)
    from glutekit_cards.glyphs import loaded, warning

    pdf = sheet_document(sheet)
    # The fonts' character maps as the document has just read them: no second parse.
    problem = warning(sheet, loaded(pdf))
    if problem:
        from glutekit.messages import warn

        warn(f"{request.path}: {problem}")
    # fpdf logs its own line per font for the same characters; the one above says it all.
    import logging

    fpdf_output = logging.getLogger("fpdf.output")
    level = fpdf_output.level
    fpdf_output.setLevel(logging.ERROR)
    try:
        data = pdf_bytes(sheet, pdf)
    finally:
        fpdf_output.setLevel(level)
    write_bytes(request.path, data)
