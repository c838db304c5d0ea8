"""A pack's pictures at the size a sheet or card prints them.

A pack may ship a PNG or JPEG of up to 4,096 pixels on a side (``glutekit validate``
refuses larger ones); printed a few centimetres wide, 1,200 pixels are plenty, so a
larger picture is scaled down once before it is embedded in HTML or drawn into a PDF.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from glutekit.catalog.packwords import MAX_IMAGE_SIDE, PRINT_IMAGE_SIDE

_RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def scaled(path: str | Path) -> Any | None:
    """The picture as a Pillow image no larger than the printed size, or None when the
    file can be used as it is (an SVG, or a picture already small enough)."""
    kind = _RASTER.get(Path(path).suffix.lower())
    if kind is None:
        return None
    from PIL import Image

    with Image.open(path) as picture:
        if max(picture.size) <= PRINT_IMAGE_SIDE:
            return None
        if max(picture.size) > MAX_IMAGE_SIDE:
            raise ValueError(f"{path}: larger than {MAX_IMAGE_SIDE} pixels on a side")
        picture.draft("RGB", (PRINT_IMAGE_SIDE, PRINT_IMAGE_SIDE))  # JPEG: decode smaller
        copy = picture.copy()
    copy.thumbnail((PRINT_IMAGE_SIDE, PRINT_IMAGE_SIDE))
    return copy


def embedded_bytes(path: str | Path) -> bytes:
    """The file's bytes for embedding, scaled down first when the picture is large."""
    copy = scaled(path)
    if copy is None:
        return Path(path).read_bytes()
    out = io.BytesIO()
    kind = _RASTER[Path(path).suffix.lower()]
    if kind == "JPEG" and copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    copy.save(out, format=kind, **({"quality": 90} if kind == "JPEG" else {"optimize": True}))
    return out.getvalue()
