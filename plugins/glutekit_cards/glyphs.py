"""Text the bundled fonts cannot draw (emoji, CJK …), found before printing.

A PDF prints such characters as empty boxes (or not at all) without a word; glutekit
names each field that holds one, in one warning line, and ``check-pack`` reports it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from glutekit_cards.content import Sheet


@cache
def drawable() -> frozenset[int]:
    """Every code point both bundled fonts (regular and bold) have a glyph for, read from
    the font files (see :func:`loaded` for a PDF export, which has read them already)."""
    from glutekit_cards.pdf_base import FONT_DIR
    from glutekit_cards.ttf import TrueType

    regular, bold = (TrueType(FONT_DIR / n) for n in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    return frozenset(regular.cmap).intersection(bold.cmap)


def loaded(pdf: Any) -> frozenset[int]:
    """Every code point each font loaded in the document ``pdf`` has a glyph for.

    The document read each font's character map when the font was added (glutekit's
    own canvas and fpdf2 alike keep it as ``cmap``), so an export takes it from there
    instead of reading both font files a second time.
    """
    maps = [frozenset(font.cmap) for font in pdf.fonts.values() if getattr(font, "cmap", None)]
    return frozenset.intersection(*maps) if maps else drawable()


def _missing(text: str, have: frozenset[int] | None = None) -> str:
    have = drawable() if have is None else have
    # Spaces and line breaks are laid out, not drawn.
    return "".join(dict.fromkeys(c for c in text if ord(c) not in have and not c.isspace()))


def undrawable(sheet: Sheet, have: frozenset[int] | None = None) -> list[tuple[str, str]]:
    """``(where, characters)`` for each field with characters the fonts lack (the code
    points in ``have``, by default :func:`drawable`)."""
    found: list[tuple[str, str]] = []

    def check(where: str, *texts: str) -> None:
        missing = _missing("".join(texts), have)
        if missing:
            found.append((where, missing))

    check("routine title", sheet.title)
    check("routine purpose", sheet.purpose)
    check("steps table", *(f"{r.name}{r.note}{r.dose}" for r in sheet.steps))
    for info in sheet.exercises:
        for field in ("name", "targets", "equipment", "dose"):
            check(f"exercise {info.id} {field}", getattr(info, field))
        for field in ("instructions", "cues", "mistakes", "cautions", "sources"):
            check(f"exercise {info.id} {field}", *getattr(info, field))
    check("cautions", *sheet.cautions)
    check("sources", *sheet.sources, *sheet.credits)
    return found


def warning(sheet: Sheet, have: frozenset[int] | None = None) -> str | None:
    """One line naming every field with text the printing font cannot draw, or None."""
    found = undrawable(sheet, have)
    if not found:
        return None
    listed = "; ".join(f"{where}: {' '.join(chars)}" for where, chars in found)
    return f"the printing font cannot draw some characters, which print as empty boxes ({listed})"
