"""A PDF export names undrawable text from the fonts its document has loaded, as from the files."""

from __future__ import annotations

from glutekit_cards.glyphs import drawable, loaded
from glutekit_cards.pdf_base import new_fpdf, new_pdf


def test_the_loaded_fonts_draw_exactly_what_the_font_files_draw() -> None:
    for pdf in (new_pdf("a4", "glyphs"), new_fpdf("a4", "glyphs")):
        have = loaded(pdf)
        assert have == drawable()
        assert ord("é") in have and ord("—") in have and ord("漢") not in have
