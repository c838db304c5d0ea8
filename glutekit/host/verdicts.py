"""What the host keeps about installed plugins between runs, without importing them.

The distribution and version behind an entry point, and the plugins caught trying to
end glutekit (``plugin-verdicts.json`` in the cache folder), which ``glutekit plugins
--safe`` reports while it imports nothing.
"""

from __future__ import annotations

import os
from typing import Any

#: Plugins caught trying to end the process, by name (in the cache folder).
VERDICTS_NAME = "plugin-verdicts.json"


def _module_stamp(module: str) -> str:
    """The size and time of the file of a plugin's top-level module, found (never
    imported) through the import system: a changed plugin is a new plugin."""
    import importlib.util

    top = module.split(":", 1)[0].split(".", 1)[0].strip()
    try:
        spec = importlib.util.find_spec(top)
        origin = spec.origin if spec is not None else None
        info = os.stat(origin) if origin else None
    except (ImportError, ValueError, OSError):
        return ""
    return f"{origin}:{info.st_size}:{info.st_mtime_ns}" if info is not None else ""


def _verdicts_path() -> Any:
    from glutekit import paths

    return paths.cache_dir() / VERDICTS_NAME


def _read_verdicts() -> dict[str, Any]:
    import json

    try:
        data = json.loads(_verdicts_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember_ending(
    name: str, distribution: str | None, version: str | None, module: str, reason: str
) -> None:
    """Note that plugin ``name`` (an entry point of ``distribution`` at ``version``,
    loading ``module``) tried to end glutekit: kept until the plugin changes."""
    import contextlib
    import json

    from glutekit.atomic import write_text

    verdicts = _read_verdicts()
    verdicts[name] = {
        "distribution": distribution,
        "version": version,
        "stamp": _module_stamp(module),
        "reason": reason,
    }
    with contextlib.suppress(Exception):  # a cache that cannot be written only forgets
        path = _verdicts_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, json.dumps(verdicts, indent=1) + "\n")


def remembered_ending(ep: Any) -> str | None:
    """What this installed plugin did that would have ended glutekit, when it last ran
    (None if nothing, or if the plugin has changed since)."""
    verdict = _read_verdicts().get(ep.name)
    if not isinstance(verdict, dict):
        return None
    same = (verdict.get("distribution"), verdict.get("version")) == dist_name_version(
        ep
    ) and verdict.get("stamp") == _module_stamp(str(ep.value))
    reason = verdict.get("reason")
    return str(reason) if same and reason else None


#: Name and version of each distribution seen, by the object importlib.metadata made for
#: it (all the entry points of one distribution share it): its metadata file is parsed
#: once per process, not once per entry point and question.
_DIST_FACTS: dict[int, tuple[Any, str | None, str | None]] = {}


def dist_name_version(ep: Any) -> tuple[str | None, str | None]:
    """The name and version of the distribution that declares entry point ``ep``."""
    from glutekit.host.entrypoints import Found

    if isinstance(ep, Found):
        return ep.distribution, ep.version
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    known = _DIST_FACTS.get(id(dist))
    if known is None or known[0] is not dist:
        meta = dist.metadata
        known = (dist, meta["Name"], meta["Version"])
        _DIST_FACTS[id(dist)] = known
    return known[1], known[2]
