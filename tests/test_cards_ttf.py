"""The printouts' own TrueType reader: the same characters, widths and outlines as fontTools
and fpdf2 read from the bundled fonts, and subsets that keep exactly what text needs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from glutekit_cards.pdf_base import FONT_DIR, new_fpdf
from glutekit_cards.ttf import FontError, TrueType

FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


@pytest.mark.parametrize("name", FONTS)
def test_character_map_is_the_one_fonttools_reads(name: str) -> None:
    ours = TrueType(FONT_DIR / name)
    theirs = TTFont(str(FONT_DIR / name))
    expected = {code: theirs.getGlyphID(glyph) for code, glyph in theirs.getBestCmap().items()}
    assert ours.cmap == expected
    assert len(ours.cmap) > 5000


def test_widths_and_names_are_fpdfs_to_the_unit() -> None:
    # Lines break and text is centred by these widths: any difference moves a word.
    pdf = new_fpdf("a4", "widths")
    for name, theirs in zip(FONTS, pdf.fonts.values(), strict=True):
        ours = TrueType(FONT_DIR / name)
        assert dict(ours.cw) == dict(theirs.cw)
        assert ours.cw[0x6F22] == theirs.cw[0x6F22] == ours.missing_width  # 漢: not in the font
        assert ours.name == theirs.name
        assert ours.missing_width == theirs.desc.missing_width


def test_the_character_map_format_4_agrees_with_format_12() -> None:
    from glutekit_cards import ttf

    font = TrueType(FONT_DIR / FONTS[0])
    table = font.data[slice(*_span(font, b"cmap"))]
    offsets = _subtables(table)
    assert ttf._cmap_4(table, offsets[(3, 1)]) == {
        code: glyph for code, glyph in font.cmap.items() if code <= 0xFFFF
    }


def _span(font: TrueType, tag: bytes) -> tuple[int, int]:
    offset, length = font.tables[tag]
    return offset, offset + length


def _subtables(table: bytes) -> dict[tuple[int, int], int]:
    import struct

    count = struct.unpack_from(">H", table, 2)[0]
    found = {}
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">2HI", table, 4 + 8 * n)
        found[(platform, encoding)] = offset
    return found


def test_a_subset_keeps_the_glyphs_asked_for_and_their_components_at_their_numbers() -> None:
    font = TrueType(FONT_DIR / FONTS[0])
    original = TTFont(str(FONT_DIR / FONTS[0]))
    glyf = original["glyf"]
    order = original.getGlyphOrder()
    # A composite glyph (an accented capital is built from the letter and the accent).
    composite = next(
        code
        for code in range(0xC0, 0x17F)
        if code in font.cmap and glyf[order[font.cmap[code]]].isComposite()
    )
    wanted = {font.cmap[ord("A")], font.cmap[composite]}
    components = {
        original.getGlyphID(c.glyphName) for c in glyf[order[font.cmap[composite]]].components
    }
    subset = TTFont(io.BytesIO(font.subset(wanted)))
    sub_glyf = subset["glyf"]
    sub_order = subset.getGlyphOrder()
    kept = {n for n, g in enumerate(sub_order) if sub_glyf[g].numberOfContours != 0}
    assert kept == {0} | wanted | components
    for number in kept:
        ours, theirs = sub_glyf[sub_order[number]], glyf[order[number]]
        assert ours.compile(sub_glyf) == theirs.compile(glyf)
        assert subset["hmtx"][sub_order[number]] == original["hmtx"][order[number]]
    assert subset["maxp"].numGlyphs == max(kept) + 1
    assert len(font.subset(wanted)) < len(font.data) / 5


def test_a_file_that_is_not_a_truetype_font_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"OTTO" + bytes(200))
    with pytest.raises(FontError, match=r"bad\.ttf"):
        TrueType(bad)


@pytest.mark.parametrize("name", FONTS)
def test_a_subset_s_checksums_are_right(name: str) -> None:
    # A strict reader (a printer's RIP, a PDF/A check) may refuse a font whose sums are off.
    import struct

    font = TrueType(FONT_DIR / name)
    data = font.subset({font.cmap[ord(c)] for c in "Glute Å ’ – × •"})
    TTFont(io.BytesIO(data), checkChecksums=2).ensureDecompiled()  # every table's own sum
    padded = data + bytes(-len(data) % 4)
    whole = sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF
    assert whole == 0xB1B0AFBA  # the sum the head table's adjustment makes for the file


@pytest.mark.parametrize("name", FONTS)
def test_a_subset_is_named_as_its_font(name: str) -> None:
    # Some readers refuse an embedded font without a name table.
    font = TrueType(FONT_DIR / name)
    original = TTFont(str(FONT_DIR / name))
    subset = TTFont(io.BytesIO(font.subset({font.cmap[ord("G")]})))
    for name_id in (1, 2, 4, 6):
        assert subset["name"].getDebugName(name_id) == original["name"].getDebugName(name_id)
