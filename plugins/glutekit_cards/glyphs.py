"""Text the bundled fonts cannot draw (emoji, CJK …), found before printing.

fpdf prints such characters as empty boxes without a word; glutekit names each
field that holds one, in one warning line, and ``check-pack`` reports it.
"""

from __future__ import annotations

from functools import cache

from glutekit_cards.content import Sheet


@cache
def drawable() -> frozenset[int]:
    """Every code point both bundled fonts (regular and bold) have a glyph for."""
    from fontTools.ttLib import TTFont

    from glutekit_cards.pdf_base import FONT_DIR

    points: frozenset[int] | None = None
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(str(FONT_DIR / name), lazy=True) as font:
            found = frozenset(font.getBestCmap())
        points = found if points is None else points & found
    return points or frozenset()


def _missing(text: str) -> str:
    have = drawable()
    # Spaces and line breaks are laid out, not drawn.
    return "".join(dict.fromkeys(c for c in text if ord(c) not in have and not c.isspace()))


def undrawable(sheet: Sheet) -> list[tuple[str, str]]:
    """``(where, characters)`` for each field with characters the fonts lack."""
    found: list[tuple[str, str]] = []

    def check(where: str, *texts: str) -> None:
        missing = _missing("".join(texts))
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


def warning(sheet: Sheet) -> str | None:
    """One line naming every field with text the printing font cannot draw, or None."""
    found = undrawable(sheet)
    if not found:
        return None
    listed = "; ".join(f"{where}: {' '.join(chars)}" for where, chars in found)
    return f"the printing font cannot draw some characters, which print as empty boxes ({listed})"
