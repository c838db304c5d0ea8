"""What an SVG picture of a pack refers to, and the picture made self-contained.

An SVG can pull in other files: ``<image href="...">`` (also ``xlink:href``, on
any element) and ``url(...)`` in styles. A PDF library would read those files, or
fetch those URLs, while it draws the picture, so a pack's SVG could put any file
of the user's into a printout, or call a web address when it is printed.

The rule: an SVG may refer only to parts of itself (``#id``), to ``data:`` URIs,
and to PNG or JPEG files inside its pack's folder. ``validate`` and ``check-pack``
name every other reference. For printing, each allowed file is read by glutekit
and put into the SVG as a ``data:`` URI, and the PDF library is then told to load
nothing at all, so even a file changed after validation cannot bring anything in.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

#: Files an SVG may embed, by suffix, with their media type.
EMBEDDABLE = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
#: The largest picture (or picture an SVG embeds) read for checking or printing.
MAX_PICTURE_BYTES = 64 * 1024 * 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)")
_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"


class Refused(ValueError):
    """An SVG that cannot be read, or that refers to something outside its pack."""


def _parse(data: bytes) -> Any:
    """The SVG's element tree; entity declarations and external DTDs are refused."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data)
    except DefusedXmlException as exc:
        raise Refused(f"declares entities, which glutekit does not read ({exc})") from None
    except Exception as exc:  # ParseError and the like: anything unreadable
        raise Refused(f"is not a readable SVG file ({exc})") from None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _href_attributes(root: Any) -> list[tuple[Any, str, str]]:
    """(element, attribute, value) for every ``href`` in the document."""
    return [
        (element, key, value)
        for element in root.iter()
        for key, value in element.attrib.items()
        if _local(key) == "href"
    ]


def _style_urls(root: Any) -> list[str]:
    found = []
    for element in root.iter():
        texts = [v for k, v in element.attrib.items() if _local(k) != "href"]
        if _local(str(element.tag)) == "style" and element.text:
            texts.append(element.text)
        for text in texts:
            found += [m.group(2).strip() for m in _URL.finditer(text)]
    return found


def _inside(reference: str, svg: Path, folder: Path) -> Path:
    """The pack file ``reference`` names; :class:`Refused` says why when it may not be used."""
    if _SCHEME.match(reference) or reference.startswith("//"):
        raise Refused(f"refers to '{reference}', a URL; an SVG may only use files in its pack")
    try:
        target = (svg.parent / reference).resolve()
    except (OSError, RuntimeError) as exc:
        raise Refused(f"refers to '{reference}', which cannot be followed ({exc})") from None
    if not target.is_relative_to(folder):
        raise Refused(
            f"refers to '{reference}', outside the pack's folder ({folder}); "
            "an SVG may only use files in its pack"
        )
    if not target.is_file():
        raise Refused(f"refers to '{reference}': no such file in the pack's folder ({folder})")
    if target.suffix.lower() not in EMBEDDABLE:
        raise Refused(f"refers to '{reference}', which is not a PNG or JPEG file")
    return target


def _internal(reference: str) -> bool:
    return reference.startswith("#") or reference.lower().startswith("data:")


def problems(svg: Path, folder: Path) -> list[str]:
    """Why the SVG file ``svg`` of the pack in ``folder`` may not be used (empty when it may)."""
    from glutekit.files import read_bounded

    try:
        root = _parse(read_bounded(svg, str(svg), MAX_PICTURE_BYTES))
    except Refused as exc:
        return [str(exc)]
    except Exception as exc:  # InputError: a file too large, unreadable...
        return [str(exc)]
    found = []
    references = [value for _, _, value in _href_attributes(root)] + _style_urls(root)
    for reference in references:
        reference = reference.strip()
        if _internal(reference):
            continue
        try:
            _inside(reference, svg, folder)
        except Refused as exc:
            found.append(str(exc))
    return found


def picture_bytes(path: Path, folder: Path) -> bytes:
    """A pack's picture for printing: PNG and JPEG as they are, SVG made self-contained.

    :raises Refused: when the file is not inside ``folder`` or cannot be used.
    """
    from glutekit.files import read_bounded

    if path.suffix.lower() == ".svg":
        return self_contained(path, folder)
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise Refused(f"cannot be followed ({exc})") from None
    if not target.is_relative_to(folder):
        raise Refused(f"is outside the pack's folder ({folder})")
    try:
        return read_bounded(target, str(target), MAX_PICTURE_BYTES)
    except Exception as exc:
        raise Refused(str(exc)) from None


def self_contained(svg: Path, folder: Path) -> bytes:
    """The SVG with every pack file it uses embedded as a ``data:`` URI.

    :raises Refused: the file is outside ``folder``, cannot be read, or refers to
        anything but itself, ``data:`` URIs and image files inside ``folder``.
    """
    from xml.etree import ElementTree

    from glutekit.files import read_bounded

    try:
        path = svg.resolve()
    except (OSError, RuntimeError) as exc:
        raise Refused(f"cannot be followed ({exc})") from None
    if not path.is_relative_to(folder):
        raise Refused(f"is outside the pack's folder ({folder})")
    try:
        root = _parse(read_bounded(path, str(path), MAX_PICTURE_BYTES))
    except Refused:
        raise
    except Exception as exc:
        raise Refused(str(exc)) from None
    for url in _style_urls(root):
        if not _internal(url):
            raise Refused(f"refers to '{url}' in a style; only '#id' and data: are allowed there")
    for element, key, value in _href_attributes(root):
        reference = value.strip()
        if _internal(reference):
            continue
        target = _inside(reference, path, folder)
        data = base64.b64encode(read_bounded(target, str(target), MAX_PICTURE_BYTES))
        element.set(key, f"data:{EMBEDDABLE[target.suffix.lower()]};base64,{data.decode()}")
    ElementTree.register_namespace("", _SVG)
    ElementTree.register_namespace("xlink", _XLINK)
    return bytes(ElementTree.tostring(root, encoding="utf-8"))
