"""Where the flow's text breaks into lines: fpdf's own rules, at a fraction of the cost.

fpdf2 (2.8) breaks a ``multi_cell`` into lines one character at a time, and for each
character sums the widths of the whole line so far again (``CurrentLine.width``); a
dry run then renders every line into a discarded buffer as well. Laying out a sheet
and its cards wraps several hundred paragraphs (more while the type scales are being
found), and those width sums were most of an export's layout time.

:func:`lines` applies the same rules (``MultiLineBreak.get_line`` in word mode) to the
plain case the flow uses: one TrueType font, no text shaping, no character spacing or
stretching, no page-number alias in the text. It keeps the line's width as it grows,
in the font's own units, and turns it into millimetres with fpdf's own arithmetic, so
each comparison with the frame's width is the very one fpdf makes. For anything
else, and for a character too wide for the frame on its own (where fpdf stops with an
error), it answers None and the caller asks the document (fpdf2's dry run, or the
plugin's own canvas, which cuts such text anywhere). The canvas measures text with
the same widths as fpdf2, so the lines are the same whichever draws them.
``tests/test_cards_linebreak.py`` holds it to fpdf's answers on the ready-made
routines' text and on random text.
"""

from __future__ import annotations

from typing import Any

#: Characters a line may break at, dropped at the break (fpdf's ``BREAKING_SPACE_SYMBOLS``).
BREAKING_SPACES = frozenset(
    " \u200b\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000\t"
)
NO_BREAK_SPACE = "\u00a0"
SOFT_HYPHEN = "\u00ad"
HYPHEN = "-"
#: fpdf's tolerance when it compares a line's width with the room for it.
TOLERANCE = 1e-9


def _plain(pdf: Any, text: str) -> bool:
    """Whether fpdf would measure ``text`` as one run of the current font's advance widths."""
    font = pdf.current_font
    alias = pdf.str_alias_nb_pages
    return bool(
        pdf.is_ttf_font
        and not pdf.text_shaping
        and not pdf.char_spacing
        and pdf.font_stretching == 100
        and not getattr(font, "is_symbol", False)
        and pdf.font_size_pt > 0
        and not (alias and alias in text)
    )


def lines(pdf: Any, text: str, width: float) -> list[str] | None:
    """``text`` broken into lines at most ``width`` wide (document units) in the current
    font, as ``pdf.multi_cell(width, text=text, dry_run=True, output="LINES")`` would;
    None where the caller should ask fpdf instead (see the module's docstring).

    Lines break at the last space or soft hyphen that fits (a soft hyphen prints as
    "-" where the line breaks at it), and inside a word only when the word has no such
    place; newlines end a line; a no-break space prints as a space.
    """
    if not _plain(pdf, text):
        return None
    advance = pdf.current_font.cw  # font units per 1000 em, by code point
    size, k = float(pdf.font_size_pt), float(pdf.k)

    def mm(units: int) -> float:  # fpdf's Fragment.get_width, operation for operation
        return units * size * 0.001 / k

    room = width
    for margin in (pdf.c_margin, pdf.c_margin):
        room -= float(margin)
    # A line this wide (computed in one step) fits whatever fpdf's rounding: only near
    # the edge is the width worked out fpdf's way, with its tolerance.
    per_unit, sure_fit = size * 0.001 / k, room - 1e-6
    text = text.replace("\r", "")
    out: list[str] = []
    i, end = 0, len(text)
    forced_at = -1  # where the last line was cut inside a word
    while i < end:
        line: list[str] = []
        units = 0
        # (index in text, characters on the line before it, line width before it)
        space: tuple[int, int, int] | None = None
        hyphen: tuple[int, int, int] | None = None
        cut_before, forced_at = forced_at, -1
        while i < end:
            char = text[i]
            if char in "\n\f":
                i += 1
                break
            wide = advance[ord(HYPHEN if char == SOFT_HYPHEN else char)]
            if (units + wide) * per_unit > sure_fit and mm(units) + mm(wide) - room > TOLERANCE:
                if char in BREAKING_SPACES:
                    i += 1
                elif space or hyphen:
                    later = hyphen and (not space or mm(hyphen[2]) > mm(space[2]))
                    at = hyphen if later else space
                    assert at is not None
                    line = line[: at[1]] + ([HYPHEN] if at is hyphen else [])
                    i = at[0] + 1
                elif i == cut_before:
                    return None  # one character wider than the frame: fpdf raises
                else:
                    forced_at = i
                break
            if char in BREAKING_SPACES:
                space = (i, len(line), units)
            elif char == SOFT_HYPHEN:
                hyphen = (i, len(line), units)
            if char != SOFT_HYPHEN:
                char = " " if char == NO_BREAK_SPACE else char
                line.append(char)
                units += advance[ord(char)]
            i += 1
        else:  # the text ran out: fpdf keeps a last line only if it has width
            if units:
                out.append("".join(line))
            break
        out.append("".join(line))
    return out or [""]
