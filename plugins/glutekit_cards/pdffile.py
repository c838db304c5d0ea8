"""A :class:`~glutekit_cards.pdfdoc.Document`'s pages and fonts written out as a PDF 1.4 file.

Page contents and font files are compressed. Each font is a Type 0 font over a
TrueType CID font whose character codes are the glyph numbers of the bundled font
(Identity-H, CIDToGIDMap Identity), embedded as a subset of the glyphs the text
used, with its widths and a ToUnicode map so that the text can be searched and
copied as written.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime, timezone

from glutekit_cards.ttf import TrueType

#: How many entries a ToUnicode block may hold (the CMap format's limit).
_BLOCK = 100


class Font:
    """A font added to a document, with what the document's text has used of it."""

    def __init__(self, number: int, font: TrueType) -> None:
        self.i = number
        self.font = font
        self.cmap = font.cmap
        self.cw = font.cw
        #: Glyph number to the text it stands for, for the ToUnicode map.
        self.used: dict[int, str] = {}

    def encode(self, text: str) -> str:
        """``text`` as a PDF hex string of glyph numbers (.notdef for what the font lacks)."""
        glyphs = self.cmap
        used = self.used
        out = []
        for char in text:
            glyph = glyphs.get(ord(char), 0)
            if glyph not in used:
                used[glyph] = char
            out.append(f"{glyph:04X}")
        return "<" + "".join(out) + ">"


class _Objects:
    """The file's numbered objects, in order, each as its bytes."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def reserve(self) -> int:
        self.bodies.append(b"")
        return len(self.bodies)

    def set(self, number: int, body: str | bytes) -> int:
        self.bodies[number - 1] = body.encode("latin-1") if isinstance(body, str) else body
        return number

    def add(self, body: str | bytes) -> int:
        return self.set(self.reserve(), body)

    def stream(self, data: bytes, extra: str = "", *, compress: bool = True) -> int:
        if compress:
            data = zlib.compress(data)
            extra = f"/Filter /FlateDecode {extra}"
        head = f"<< {extra}/Length {len(data)} >>\nstream\n".encode("latin-1")
        return self.add(head + data + b"\nendstream")


def serialise(
    pages: Sequence[Sequence[str]],
    fonts: Sequence[Font],
    *,
    size: tuple[float, float],
    title: str,
    creator: str,
) -> bytes:
    """The file: ``pages`` (each its content operators), ``fonts``, the page ``size`` in
    points, and the title and creator for its information."""
    objects = _Objects()
    tree = objects.reserve()
    catalog = objects.reserve()
    named = " ".join(f"/F{font.i} {_font(objects, font)} 0 R" for font in fonts)
    resources = objects.add(f"<< /Font << {named} >> /ProcSet [/PDF /Text] >>")
    width, height = size
    kids = []
    for content in pages:
        stream = objects.stream("\n".join(content).encode("latin-1"))
        kids.append(
            objects.add(
                f"<< /Type /Page /Parent {tree} 0 R /Resources {resources} 0 R "
                f"/Contents {stream} 0 R >>"
            )
        )
    objects.set(
        tree,
        f"<< /Type /Pages /Count {len(kids)} /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
        f"/MediaBox [0 0 {width:.2f} {height:.2f}] >>",
    )
    objects.set(catalog, f"<< /Type /Catalog /Pages {tree} 0 R /PageLayout /OneColumn >>")
    stamp = datetime.now(timezone.utc).strftime("D:%Y%m%d%H%M%SZ")
    info = objects.add(
        f"<< /Title {_text(title)} /Creator {_text(creator)} /CreationDate ({stamp}) >>"
    )
    return _file(objects, catalog, info)


def _file(objects: _Objects, catalog: int, info: int) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects.bodies, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("latin-1") + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode("latin-1")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("latin-1")
    out += (
        f"trailer\n<< /Size {len(offsets) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode("latin-1")
    return bytes(out)


def _font(objects: _Objects, font: Font) -> int:
    """The objects of one font (Type 0, CID font, descriptor, file, ToUnicode)."""
    ttf = font.font
    glyphs = sorted(font.used)
    # A subset's name starts with six capitals of its own (here from the glyphs it holds).
    number = zlib.crc32(" ".join(map(str, glyphs)).encode("ascii"))
    tag = "".join(chr(65 + number // 26**n % 26) for n in range(6))
    name = f"{tag}+{ttf.name}"
    subset = ttf.subset(set(glyphs))
    file = objects.stream(subset, f"/Length1 {len(subset)} ")
    scale = ttf.scale
    flags = 4 | (1 if ttf.fixed_pitch else 0) | (64 if ttf.italic_angle else 0)
    flags |= 1 << 18 if ttf.weight >= 600 else 0
    x0, y0, x1, y1 = (round(v * scale) for v in ttf.bbox)
    descriptor = objects.add(
        f"<< /Type /FontDescriptor /FontName /{name} /Flags {flags} "
        f"/FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle {int(ttf.italic_angle)} "
        f"/Ascent {round(ttf.ascent * scale)} /Descent {round(ttf.descent * scale)} "
        f"/CapHeight {round(ttf.cap_height * scale)} "
        f"/StemV {round(50 + int((ttf.weight / 65) ** 2))} "
        f"/MissingWidth {ttf.missing_width} /FontFile2 {file} 0 R >>"
    )
    widths = " ".join(
        f"{g} [{round(scale * ttf.advances[g] + 0.001) if g else ttf.missing_width}]"
        for g in glyphs
    )
    cid_font = objects.add(
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {descriptor} 0 R /DW {ttf.missing_width} /W [{widths}] "
        "/CIDToGIDMap /Identity >>"
    )
    to_unicode = objects.stream(_to_unicode(font))
    return objects.add(
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
        f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
    )


def _to_unicode(font: Font) -> bytes:
    entries = [
        f"<{glyph:04X}> <{text.encode('utf-16-be').hex().upper()}>"
        for glyph, text in sorted(font.used.items())
        if glyph
    ]
    blocks = []
    for start in range(0, len(entries), _BLOCK):
        chunk = entries[start : start + _BLOCK]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _text(value: str) -> str:
    """A PDF text string: plain when it is printable ASCII, else UTF-16 with a byte mark."""
    if value.isascii() and value.isprintable():
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})"
    return "<FEFF" + value.encode("utf-16-be").hex().upper() + ">"
