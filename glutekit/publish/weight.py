"""How heavy a pack's pictures make it: ``check-pack``'s advice on image and wheel sizes.

Within the hard limits that ``validate`` enforces (5 MiB and 4,096 pixels an image),
pictures can still make a package far larger than it needs to be: sheets and cards
print an image at most ``PRINT_IMAGE_SIDE`` pixels on a side, and every user downloads
the whole wheel. These are suggestions, reported as warnings, one line per image, or
one line for them all when there are many.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from glutekit.catalog.packwords import PRINT_IMAGE_SIDE, image_side, pack_folder
from glutekit.catalog.schema import Document
from glutekit.model.records import record

#: Suggested largest image file: a 1,200-pixel JPEG at quality 85 is usually smaller.
SUGGESTED_IMAGE_BYTES = 300 * 1024
#: Suggested largest wheel. PyPI refuses files over 100 MB unless asked for more.
SUGGESTED_WHEEL_BYTES = 20 * 1024 * 1024
#: Up to this many heavy images are named one a line; more are summed up in one line.
ONE_LINE_EACH = 5


@record(frozen=True)
class Picture:
    path: str
    bytes: int
    side: int | None

    def too_heavy(self) -> list[str]:
        found = []
        if self.side is not None and self.side > PRINT_IMAGE_SIDE:
            found.append(f"{self.side:,} pixels on its longer side")
        if self.bytes > SUGGESTED_IMAGE_BYTES:
            found.append(megabytes(self.bytes))
        return found


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} KB"


def _pictures(doc: Document) -> list[Picture]:
    """Each image file the pack names, once, with its size (files it cannot read are left
    to ``validate``, which refuses them)."""
    folder = pack_folder(doc.name)
    paths: dict[str, None] = {}
    for ex in doc.data.get("exercises", ()):
        paths.update((image["path"], None) for image in ex.get("images", ()))
        if "figure" in ex:
            paths[ex["figure"]] = None
    found = []
    for relative in paths:
        target = folder / relative
        try:
            size = target.stat().st_size
        except OSError:
            continue
        side = None if target.suffix.lower() == ".svg" else image_side(target)
        found.append(Picture(relative, size, side))
    return found


def wheel_estimate(doc: Document, pictures: list[Picture]) -> int:
    """About how many bytes a wheel of the pack's file and pictures takes (zip deflates
    the JSON and SVG; PNG and JPEG are compressed already)."""
    packed = len(zlib.compress(doc.text.encode("utf-8"), 6)) if doc.text else 0
    folder = pack_folder(doc.name)
    for picture in pictures:
        if picture.path.lower().endswith(".svg"):
            packed += len(zlib.compress((folder / picture.path).read_bytes(), 6))
        else:
            packed += picture.bytes
    return packed


def check_weight(doc: Document, warn: Callable[[str], None], note: Callable[[str], None]) -> None:
    """Warn about images larger than sheets and cards use and a wheel larger than it need be."""
    pictures = _pictures(doc)
    if not pictures:
        return
    advice = (
        f"sheets and cards print at most {PRINT_IMAGE_SIDE:,} pixels on a side; "
        f"suggested: {PRINT_IMAGE_SIDE:,} pixels and {megabytes(SUGGESTED_IMAGE_BYTES)} "
        "an image (a JPEG at quality 85)"
    )
    heavy = [(p, p.too_heavy()) for p in pictures if p.too_heavy()]
    if 0 < len(heavy) <= ONE_LINE_EACH:
        for picture, why in heavy:
            warn(f"{doc.name}: image '{picture.path}' is {' and '.join(why)}; {advice}")
    elif heavy:
        largest = sorted(heavy, key=lambda h: (-h[0].bytes, -(h[0].side or 0)))[:3]
        named = ", ".join(f"'{p.path}' ({', '.join(why)})" for p, why in largest)
        total = sum(p.bytes for p, _ in heavy)
        warn(
            f"{doc.name}: {len(heavy)} of {len(pictures)} images are larger than suggested, "
            f"{megabytes(total)} in all; the largest: {named}; {advice}"
        )
    wheel = wheel_estimate(doc, pictures)
    images = sum(p.bytes for p in pictures)
    size = f"a wheel of this pack would be about {megabytes(wheel)} ({len(pictures)} image(s), {megabytes(images)})"
    if wheel > SUGGESTED_WHEEL_BYTES:
        warn(
            f"{doc.name}: {size}; keep it under {megabytes(SUGGESTED_WHEEL_BYTES)}: every "
            "user downloads all of it, and PyPI refuses files over 100 MB"
        )
    else:
        note(f"{doc.name}: {size}")
