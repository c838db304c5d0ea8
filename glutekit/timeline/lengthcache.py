"""How long each routine plays, computed once per catalog and kept.

``glutekit routines`` shows every routine's length, and a length is a whole compile of
the routine's timeline (with speech estimated from the words). Nothing about it
changes until the routine, a pack or glutekit's own code does, so the lengths are kept
in a small file beside the compiled catalog, keyed by the routine's content, the
packs' content key (:attr:`Catalog.packs_key`) and glutekit's version (and, in a
development checkout, the files of the code that lays a timeline out).

Like every cache here it is an optimisation only: a file that cannot be read or
written is ignored, and the lengths are computed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from glutekit import __version__
from glutekit.catalog import Catalog
from glutekit.model import Routine

NAME = "routine-lengths.json"
#: Lengths kept at most (the newest): several plugin sets, routines edited over time.
MAX_ENTRIES = 512
_CODE = Path(__file__).resolve().parent.parent


def _code_fingerprint() -> str:
    """The size and time of every file of the code a length depends on."""
    parts = [__version__]
    for folder in ("timeline", "model"):
        with contextlib.suppress(OSError):
            for entry in sorted(os.scandir(_CODE / folder), key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    stat = entry.stat()
                    parts.append(f"{folder}/{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(parts)


class LengthCache:
    """Routine lengths by key, read once and written back once when any was added."""

    def __init__(self, catalog: Catalog, folder: Path | None = None) -> None:
        from glutekit.catalog.packcache import default_folder

        self.catalog = catalog
        self.folder = folder or default_folder()
        self._known: dict[str, float | None] | None = None
        self._added = False
        self._base = (
            f"{catalog.packs_key}|{_code_fingerprint()}" if catalog.packs_key is not None else None
        )

    def _key(self, routine: Routine) -> str | None:
        if self._base is None or not routine.content_hash:
            return None
        return hashlib.sha256(f"{self._base}|{routine.content_hash}".encode()).hexdigest()[:32]

    def _read(self) -> dict[str, float | None]:
        if self._known is None:
            try:
                data = json.loads((self.folder / NAME).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            self._known = {
                k: v
                for k, v in (data.items() if isinstance(data, dict) else ())
                if isinstance(k, str) and (v is None or isinstance(v, (int, float)))
            }
        return self._known

    def length(self, routine: Routine, compute: Callable[[], float | None]) -> float | None:
        """The routine's length in seconds from the cache, or ``compute()`` kept for next time."""
        key = self._key(routine)
        if key is None:
            return compute()
        known = self._read()
        if key in known:
            return known[key]
        seconds = compute()
        known[key] = seconds
        self._added = True
        return seconds

    def save(self) -> None:
        """Write the lengths back if any was added (atomically; failures are ignored)."""
        if not self._added or self._known is None:
            return
        from glutekit.catalog.cache import CATALOG, write_extra

        kept = dict(list(self._known.items())[-MAX_ENTRIES:])
        write_extra(self.folder, CATALOG, NAME, json.dumps(kept))
        self._added = False
