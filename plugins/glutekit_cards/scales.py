"""The type scales a printout uses, worked out once for each sheet and kept.

The sheet prints in the largest type at which it fits one page, and each card in the
largest at which it fits its quarter page. Finding them lays the text out at several
sizes (the sheet up to five times, each card up to four): about half as much work as
drawing the document, since :mod:`glutekit_cards.linebreak` breaks the lines. The HTML
export prints at the same scales, so it lays the text out in a PDF document too.

So the scales are kept beside the compiled catalog (:mod:`glutekit.caches.kept`),
keyed by everything on the sheet and by the code and fonts that lay it out: a second
export of the same routine (as PDF or as HTML) lays its text out once, or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from glutekit.caches.kept import Kept, files_in, fingerprint
from glutekit.model.records import record
from glutekit_cards.content import Sheet

NAME = "print-scales.json"
_HERE = Path(__file__).resolve().parent


@record(frozen=True)
class Scales:
    #: The sheet's type scale (1.0 when the sheet is not printed).
    sheet: float
    #: Each card's type scale, by exercise id (empty when cards are not printed).
    cards: dict[str, float]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1


def _valid(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and _number(value[0])
        and isinstance(value[1], dict)
        and all(isinstance(k, str) and _number(v) for k, v in value[1].items())
    )


def _base() -> str:
    """The code and fonts that lay a sheet out (glutekit's own: see :mod:`.pdfdoc`)."""
    files = [*files_in(_HERE, ".py"), *files_in(_HERE / "fonts", ".ttf")]
    return fingerprint(files, "print-scales")


def measure(pdf: Any, sheet: Sheet) -> Scales:
    """The scales, found by laying the sheet and each card out at trial sizes in ``pdf``."""
    from glutekit_cards.pdf_cards import card_scale
    from glutekit_cards.pdf_sheet import fit_scale

    sheet_scale = fit_scale(pdf, sheet) if sheet.show_sheet else 1.0
    cards = {info.id: card_scale(pdf, info) for info in sheet.exercises} if sheet.show_cards else {}
    return Scales(sheet_scale, cards)


def print_scales(sheet: Sheet, pdf: Any = None) -> Scales:
    """The sheet's scales, kept from an earlier export or measured (in ``pdf``, or in a
    new document) and kept."""

    def compute() -> list[Any]:
        document = pdf
        if document is None:
            from glutekit_cards.pdf_base import new_pdf

            document = new_pdf(sheet.paper, sheet.title)
            document.add_page()
        found = measure(document, sheet)
        return [found.sheet, found.cards]

    kept: Kept[list[Any]] = Kept(NAME, _base(), _valid)
    value = kept.get(repr(sheet), compute)
    kept.save()
    return Scales(float(value[0]), {k: float(v) for k, v in value[1].items()})
