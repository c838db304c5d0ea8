"""The plugins' entry points, found once for each set of installed distributions.

Finding glutekit's entry points means reading the metadata of every distribution on
the path (a hundred in a development environment), and naming their distributions
means parsing each one's ``METADATA`` with the standard library's e-mail parser. That
was a fifth of a short command's start-up. What it finds changes only when something
is installed, reinstalled, upgraded or removed, which makes, renames or removes a
metadata folder on the path. So the answer is kept (:mod:`glutekit.caches.kept`),
keyed by each path folder that holds metadata folders (their names, and when the
folder last changed), and checked against the ``entry_points.txt`` files it came
from (in case one is edited in place).

An entry point is then imported as the standard library would: ``module:attribute``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from glutekit.model.records import record

NAME = "entry-points.json"


@record(frozen=True, kw_only=True)
class Found:
    """An entry point, with the name and version of the distribution that declares it."""

    name: str
    value: str
    distribution: str | None
    version: str | None
    #: The entry_points.txt it was read from (None when the metadata is not a folder).
    source: str | None = None

    def load(self) -> Any:
        # "module:attribute [extras]"; the extras name what to install, not what to load.
        module_name, _, attribute = self.value.split("[", 1)[0].partition(":")
        target: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            target = getattr(target, part)
        return target


def discover(group: str) -> list[Found]:
    """Every entry point of ``group``, read from the installed metadata."""
    from importlib.metadata import entry_points

    found = []
    for ep in entry_points(group=group):
        dist = getattr(ep, "dist", None)
        name = version = source = None
        if dist is not None:
            meta = dist.metadata
            name, version = meta["Name"], meta["Version"]
            where = getattr(dist, "_path", None)
            if where is not None:
                source = os.path.join(str(where), "entry_points.txt")
        found.append(
            Found(name=ep.name, value=ep.value, distribution=name, version=version, source=source)
        )
    return found


def _stamp(path: str) -> str:
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # ValueError: a path with a NUL in it
        return "-"
    return f"{info.st_mtime_ns}:{info.st_size}"


def _metadata_names(entry: str) -> str:
    try:
        names = os.listdir(entry or ".")
    except OSError:
        return "-"
    return ",".join(sorted(n for n in names if n.endswith((".dist-info", ".egg-info"))))


def _path_key(group: str) -> str:
    """The distributions on the module path: each folder that holds metadata folders,
    when it last changed (pip removes and makes a metadata folder at every install,
    reinstall or removal) and their names (a name holds the version)."""
    names = ((entry, _metadata_names(entry)) for entry in sys.path)
    # Entries without any (the working folder, the standard library) add nothing.
    return "|".join(
        [group, *(f"{entry}={_stamp(entry or '.')}={found}" for entry, found in names if found)]
    )


def _as_json(found: Sequence[Found]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "value": f.value,
            "distribution": f.distribution,
            "version": f.version,
            "source": f.source,
            "stamp": _stamp(f.source) if f.source else None,
        }
        for f in found
    ]


def _valid(value: Any) -> bool:
    fields = ("name", "value", "distribution", "version", "source", "stamp")
    return isinstance(value, list) and all(
        isinstance(item, dict)
        and set(item) == set(fields)
        and isinstance(item["name"], str)
        and isinstance(item["value"], str)
        and all(item[k] is None or isinstance(item[k], str) for k in fields[2:])
        for item in value
    )


def entry_points(group: str) -> list[Found]:
    """Every entry point of ``group``: kept from an earlier start while nothing on the
    path has changed, else read from the metadata (and kept)."""
    from glutekit.caches.kept import Kept, fingerprint

    kept: Kept[list[dict[str, Any]]] = Kept(NAME, fingerprint([], "entry-points"), _valid)
    inputs = _path_key(group)
    items = kept.get(inputs, lambda: _as_json(discover(group)))
    # A file edited in place (a plugin's entry points changed by hand) leaves its
    # folder's time alone, so the files the answer came from are checked too.
    if any(item["source"] and _stamp(item["source"]) != item["stamp"] for item in items):
        items = kept.replace(inputs, _as_json(discover(group)))
    kept.save()
    return [
        Found(
            name=item["name"],
            value=item["value"],
            distribution=item["distribution"],
            version=item["version"],
            source=item["source"],
        )
        for item in items
    ]
