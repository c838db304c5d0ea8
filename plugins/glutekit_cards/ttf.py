"""Just enough of a TrueType font to print with it: metrics, character map, subsets.

The printouts embed the bundled DejaVu fonts in every PDF. Reading a font here means
slicing a few tables out of the file: the character map (formats 4 and 12), advance
widths, and the facts a PDF font descriptor states. A subset keeps every glyph's
number and empties the glyphs no text uses (components of composite glyphs are
kept), so a PDF can name glyphs by their numbers in the original font and the
hinting programs still apply unchanged.
"""

from __future__ import annotations

import struct
from pathlib import Path

#: How each character map is preferred, best first, as (platform, encoding).
CMAP_ORDER = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))
#: Tables a subset carries over unchanged (those it rewrites are added to them).
KEPT_TABLES = (b"OS/2", b"cvt ", b"fpgm", b"gasp", b"prep")
# Composite glyph flags (the OpenType 'glyf' table).
_WORDS, _SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080


class FontError(ValueError):
    """The file is not a TrueType font this module can read."""


class TrueType:
    """A TrueType font file, read once; widths in PDF glyph space (1000 units per em)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.data = data = self.path.read_bytes()
        try:
            self.tables = _directory(data)
            self._read()
        except (struct.error, KeyError, IndexError) as error:
            raise FontError(f"{self.path.name}: not a TrueType font this can read") from error

    def _table(self, tag: bytes) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset : offset + length]

    def _read(self) -> None:
        head, hhea = self._table(b"head"), self._table(b"hhea")
        self.units_per_em: int = struct.unpack_from(">H", head, 18)[0]
        self.bbox = struct.unpack_from(">4h", head, 36)
        self.long_loca = struct.unpack_from(">h", head, 50)[0] == 1
        self.ascent, self.descent = struct.unpack_from(">2h", hhea, 4)
        metric_count = struct.unpack_from(">H", hhea, 34)[0]
        self.glyph_count = struct.unpack_from(">H", self._table(b"maxp"), 4)[0]
        hmtx = self._table(b"hmtx")
        advances = list(struct.unpack_from(f">{metric_count}I", hmtx))
        # Each entry is (advance << 16 | left side bearing); only advances matter here.
        self.advances: list[int] = [entry >> 16 for entry in advances]
        self.advances += [self.advances[-1]] * (self.glyph_count - metric_count)
        self.scale: float = 1000 / self.units_per_em
        os2, post = self._table(b"OS/2"), self._table(b"post")
        version, _, self.weight = struct.unpack_from(">HhH", os2, 0)
        self.cap_height = struct.unpack_from(">h", os2, 88)[0] if version >= 2 else self.ascent
        self.italic_angle = struct.unpack_from(">i", post, 4)[0] / 65536
        self.fixed_pitch = struct.unpack_from(">I", post, 12)[0] != 0
        self.cmap = _best_cmap(self._table(b"cmap"))
        self.names = _names(self._table(b"name"))
        self.name = "".join(_full_name(self.names).split())
        self.missing_width = self.width_of_glyph(0)
        # fpdf's widths, to the unit: line breaks and centring are worked out with these.
        self.cw: dict[int, int] = _Widths(self.missing_width)
        for code, glyph in self.cmap.items():
            advance = self.advances[glyph]
            self.cw[code] = round(self.scale * (0 if advance == 65535 else advance) + 0.001)

    def width_of_glyph(self, glyph: int) -> int:
        return round(self.scale * self.advances[glyph])

    # ----------------------------------------------------------------- subsets

    def _glyph_range(self, loca: bytes, glyph: int) -> tuple[int, int]:
        if self.long_loca:
            start, end = struct.unpack_from(">2I", loca, 4 * glyph)
            return start, end
        start, end = struct.unpack_from(">2H", loca, 2 * glyph)
        return 2 * start, 2 * end

    def _with_components(self, glyphs: set[int], loca: bytes, glyf: bytes) -> set[int]:
        """``glyphs`` and every glyph their composite glyphs are built from."""
        todo, found = list(glyphs), set(glyphs)
        while todo:
            start, end = self._glyph_range(loca, todo.pop())
            if end - start < 10 or struct.unpack_from(">h", glyf, start)[0] >= 0:
                continue
            at = start + 10
            while True:
                flags, component = struct.unpack_from(">2H", glyf, at)
                if component not in found:
                    found.add(component)
                    todo.append(component)
                at += 4 + (4 if flags & _WORDS else 2) + _transform_size(flags)
                if not flags & _MORE:
                    break
        return found

    def subset(self, glyphs: set[int]) -> bytes:
        """A font file holding only ``glyphs`` (and .notdef), each at its own number."""
        loca, glyf = self._table(b"loca"), self._table(b"glyf")
        keep = self._with_components({0, *glyphs}, loca, glyf)
        count = max(keep) + 1
        pieces: list[bytes] = []
        offsets = [0]
        boxes: list[tuple[int, int, int, int]] = []
        for glyph in range(count):
            start, end = self._glyph_range(loca, glyph) if glyph in keep else (0, 0)
            if end - start >= 10:
                boxes.append(struct.unpack_from(">4h", glyf, start + 2))
            piece = glyf[start:end]
            pieces.append(piece + b"\0" * (-len(piece) % 4))
            offsets.append(offsets[-1] + len(pieces[-1]))
        hmtx = self._table(b"hmtx")
        metric_count = min(count, struct.unpack_from(">H", self._table(b"hhea"), 34)[0])
        metrics = bytearray(hmtx[: 4 * metric_count])
        lsb_start = 4 * struct.unpack_from(">H", self._table(b"hhea"), 34)[0]
        metrics += hmtx[lsb_start : lsb_start + 2 * (count - metric_count)]
        head = bytearray(self._table(b"head"))
        struct.pack_into(">I", head, 8, 0)  # checksum adjustment, set below
        struct.pack_into(">h", head, 50, 1)  # long offsets
        if boxes:
            # The subset's own bounds: a renderer sizes its glyph cache by them.
            x0, y0, x1, y1 = zip(*boxes, strict=True)
            struct.pack_into(">4h", head, 36, min(x0), min(y0), max(x1), max(y1))
        hhea = bytearray(self._table(b"hhea"))
        struct.pack_into(">H", hhea, 34, metric_count)
        maxp = bytearray(self._table(b"maxp"))
        struct.pack_into(">H", maxp, 4, count)
        post = bytearray(self._table(b"post")[:32])
        struct.pack_into(">I", post, 0, 0x00030000)  # version 3: no glyph names
        tables = {tag: self._table(tag) for tag in KEPT_TABLES if tag in self.tables}
        tables |= {
            b"glyf": b"".join(pieces),
            b"head": bytes(head),
            b"hhea": bytes(hhea),
            b"hmtx": bytes(metrics),
            b"loca": struct.pack(f">{len(offsets)}I", *offsets),
            b"maxp": bytes(maxp),
            b"post": bytes(post),
            # Not needed to draw with, but some readers refuse a font without names.
            b"name": _name_table(self.names),
        }
        return _assemble(tables)


def _transform_size(flags: int) -> int:
    """The bytes of a composite glyph component's scale or matrix, after its offsets."""
    if flags & _TWO_BY_TWO:
        return 8
    if flags & _XY_SCALE:
        return 4
    return 2 if flags & _SCALE else 0


class _Widths(dict[int, int]):
    """Advance widths by code point; a character the font lacks has .notdef's width."""

    def __init__(self, missing: int) -> None:
        super().__init__()
        self.missing = missing

    def __missing__(self, key: int) -> int:
        return self.missing


def _directory(data: bytes) -> dict[bytes, tuple[int, int]]:
    version, count = struct.unpack_from(">IH", data, 0)
    if version not in (0x00010000, 0x74727565):  # TrueType outlines only
        raise KeyError(version)
    out: dict[bytes, tuple[int, int]] = {}
    for n in range(count):
        tag, _, offset, length = struct.unpack_from(">4s3I", data, 12 + 16 * n)
        out[tag] = (offset, length)
    return out


def _best_cmap(table: bytes) -> dict[int, int]:
    count = struct.unpack_from(">H", table, 2)[0]
    found: dict[tuple[int, int], int] = {}
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">2HI", table, 4 + 8 * n)
        found.setdefault((platform, encoding), offset)
    for key in CMAP_ORDER:
        if key in found:
            kind = struct.unpack_from(">H", table, found[key])[0]
            if kind == 12:
                return _cmap_12(table, found[key])
            if kind == 4:
                return _cmap_4(table, found[key])
    return {}


def _cmap_12(table: bytes, at: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", table, at + 12)[0]
    out: dict[int, int] = {}
    for first, last, glyph in struct.iter_unpack(">3I", table[at + 16 : at + 16 + 12 * groups]):
        out.update(zip(range(first, last + 1), range(glyph, glyph + last - first + 1), strict=True))
    return out


def _cmap_4(table: bytes, at: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", table, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", table, at + 14)
    starts = struct.unpack_from(f">{segments}H", table, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", table, at + 16 + 4 * segments)
    range_at = at + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", table, range_at)
    out: dict[int, int] = {}
    for n in range(segments):
        for code in range(starts[n], ends[n] + 1):
            if code == 0xFFFF:
                continue
            if ranges[n] == 0:
                glyph = (code + deltas[n]) & 0xFFFF
            else:
                where = range_at + 2 * n + ranges[n] + 2 * (code - starts[n])
                glyph = struct.unpack_from(">H", table, where)[0]
                glyph = (glyph + deltas[n]) & 0xFFFF if glyph else 0
            if glyph:
                out[code] = glyph
    return out


def _names(table: bytes) -> dict[int, str]:
    """The font's names by name id (Windows English first, else Macintosh Roman)."""
    count, strings = struct.unpack_from(">2xHH", table, 0)
    names: dict[int, str] = {}
    for n in range(count):
        platform, encoding, _, name_id, length, offset = struct.unpack_from(
            ">6H", table, 6 + 12 * n
        )
        raw = table[strings + offset : strings + offset + length]
        if platform == 3 and encoding in (0, 1, 10):
            names[name_id] = raw.decode("utf-16-be", "replace")
        elif platform == 1 and encoding == 0:
            names.setdefault(name_id, raw.decode("mac-roman", "replace"))
    return names


def _full_name(names: dict[int, str]) -> str:
    for family, style in ((21, 22), (16, 17), (1, 2)):
        if family in names and style in names:
            return f"{names[family]} {names[style]}"
    return names.get(4, "Font")


def _name_table(names: dict[int, str]) -> bytes:
    """A name table with only the font's family, style, full and PostScript names
    (Windows platform, English, UTF-16)."""
    entries = [(name_id, names[name_id]) for name_id in (1, 2, 4, 6) if name_id in names]
    records, strings = bytearray(), bytearray()
    for name_id, text in entries:
        raw = text.encode("utf-16-be")
        records += struct.pack(">6H", 3, 1, 0x409, name_id, len(raw), len(strings))
        strings += raw
    return struct.pack(">3H", 0, len(entries), 6 + len(records)) + records + strings


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    """A font file of ``tables``, its directory sorted and every checksum set."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, 16 * power, power.bit_length() - 1, 16 * (count - power)
    )
    directory, body = bytearray(), bytearray()
    offset = 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4s3I", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    head_at = (
        12
        + 16 * count
        + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[: tags.index(b"head")])
    )
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)
