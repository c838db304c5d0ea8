"""Hand-over files: one routine or program, what it needs, a note, and a checksum.

A physiotherapist shares a routine or program as one JSON file; the patient imports it.
The file holds the routine or program as written, every routine a program names, the
packs (and versions) whose exercises it uses with how to install them, the author's
note, and a SHA-256 checksum of all of that, so a file changed on the way is refused.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from glutekit.errors import InputError
from glutekit.model.records import record

if TYPE_CHECKING:
    from glutekit.catalog import Catalog

FORMAT = "glutekit-share/1"
Kind = Literal["routine", "program"]
_FIELDS = {"format", "kind", "content", "routines", "requires", "author", "note", "created"}


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checksum_of(bundle: dict[str, Any]) -> str:
    body = {k: v for k, v in bundle.items() if k != "checksum"}
    return "sha256:" + hashlib.sha256(canonical(body)).hexdigest()


def distribution_of(plugin: str) -> str | None:
    """The installed distribution that provides plugin ``plugin``, if one does."""
    from importlib.metadata import entry_points

    from glutekit import PROJECT

    for ep in entry_points(group=PROJECT):
        if ep.name == plugin and ep.dist is not None:
            return str(ep.dist.name)
    return None


def install_hint(pack: str, plugin: str, distribution: str | None) -> str:
    if distribution:
        return f"glutekit install {distribution}"
    return f"ask whoever shared it for the plugin that provides pack '{pack}' (plugin '{plugin}')"


def requirements(exercise_ids: list[str], catalog: Catalog) -> list[dict[str, Any]]:
    """The packs whose exercises are named, with their versions and install hints."""
    out: list[dict[str, Any]] = []
    for pack_id in sorted({catalog.exercise(e).pack for e in exercise_ids}):
        pack = catalog.packs[pack_id]
        dist = distribution_of(pack.plugin)
        out.append(
            {
                "pack": pack.id,
                "version": pack.version,
                "plugin": pack.plugin,
                "distribution": dist,
                "install": install_hint(pack.id, pack.plugin, dist),
            }
        )
    return out


def exercises_of(routine: dict[str, Any]) -> list[str]:
    """The exercise ids a routine's steps name, blocks included, in order."""
    from glutekit.catalog.steps import exercise_steps

    return [ref for _, ref in exercise_steps(routine.get("steps", []))]


def make_bundle(
    kind: Kind,
    content: dict[str, Any],
    routines: dict[str, dict[str, Any]],
    catalog: Catalog,
    *,
    author: str | None,
    note: str | None,
) -> dict[str, Any]:
    used = [
        e
        for r in [content if kind == "routine" else {}, *routines.values()]
        for e in exercises_of(r)
    ]
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "kind": kind,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "author": author,
        "note": note,
        "content": content,
        "routines": routines,
        "requires": requirements(used, catalog),
    }
    bundle["checksum"] = checksum_of(bundle)
    return bundle


@record(frozen=True, kw_only=True)
class Bundle:
    name: str
    kind: Kind
    content: dict[str, Any]
    routines: dict[str, dict[str, Any]]
    requires: list[dict[str, Any]]
    author: str | None
    note: str | None


def read_bundle(path: Path) -> Bundle:
    """Read a hand-over file, checking its shape and its checksum.

    :raises InputError: one line naming the file and what is wrong.
    """
    from glutekit.catalog.schema import read_document

    doc = read_document(path)
    name, data = doc.name, doc.data
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(
            f'{name}: /format: not a glutekit hand-over file (expected "{FORMAT}"; '
            "make one with 'glutekit share')"
        )
    extra = sorted(set(data) - _FIELDS - {"checksum"})
    if extra:
        raise InputError(f"{name}: /{extra[0]}: unknown field in a hand-over file")
    if not isinstance(data.get("checksum"), str):
        raise InputError(f"{name}: /checksum: missing; the file cannot be checked")
    if data["checksum"] != checksum_of(data):
        raise InputError(
            f"{name}: /checksum: does not match the content, so the file was changed after "
            "it was shared; not imported (ask for the file again)"
        )
    kind = data.get("kind")
    if kind not in ("routine", "program"):
        raise InputError(f"{name}: /kind: {json.dumps(kind)} is not 'routine' or 'program'")
    for key, wanted in (("content", dict), ("routines", dict), ("requires", list)):
        if not isinstance(data.get(key), wanted):
            raise InputError(
                f"{name}: /{key}: expected {'an object' if wanted is dict else 'a list'}"
            )
    for i, need in enumerate(data["requires"]):
        if not isinstance(need, dict) or not isinstance(need.get("pack"), str):
            raise InputError(f"{name}: /requires/{i}: expected an object with a 'pack'")
    for key in ("author", "note"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InputError(f"{name}: /{key}: expected text")
    return Bundle(
        name=name,
        kind=kind,
        content=data["content"],
        routines=data["routines"],
        requires=data["requires"],
        author=data.get("author"),
        note=data.get("note"),
    )


def missing(bundle: Bundle, catalog: Catalog) -> tuple[list[str], list[str]]:
    """Lines for packs the bundle needs that are not installed, and for other versions."""
    absent: list[str] = []
    other: list[str] = []
    for need in bundle.requires:
        pack = catalog.packs.get(need["pack"])
        version = need.get("version") or "?"
        if pack is None:
            hint = need.get("install") or install_hint(need["pack"], "?", None)
            absent.append(
                f"{bundle.name}: needs pack '{need['pack']}' {version}, which is not installed "
                f"({hint})"
            )
        elif pack.version != version:
            other.append(
                f"shared with pack '{pack.id}' {version}; you have {pack.version}, which may differ"
            )
    return absent, other
