"""Small results kept beside the compiled catalog, worked out again only when their inputs change.

Some answers cost far more to work out than to look up, and depend only on things that
rarely change: how long each routine plays (a whole timeline compile), or the type
scale at which a printout fits its page (the PDF laid out at several sizes). Each
kind is one small JSON file in the catalog cache folder, mapping a key to a value. A
key is a hash of everything the value depends on: the caller's inputs and a
fingerprint of the code (and data files) that computes it, so an edit to either is a
miss, never a stale answer.

Like every cache here it is an optimisation only: a file that cannot be read or
written is ignored, and the value is worked out again.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

from glutekit import __version__
from glutekit.caches.digest import sha256

#: Values kept in one file at most (the newest): several plugin sets, inputs edited over time.
MAX_ENTRIES = 512

T = TypeVar("T")


def fingerprint(files: Iterable[str | os.PathLike[str]], *extra: str) -> str:
    """glutekit's version, ``extra``, and the size and time of each file (missing ones skipped).

    In an installed release the version alone would do; in a development checkout the
    files change without it. Paths are handled as strings: this runs at every start of
    the commands that keep something, and ``pathlib`` made it several times slower.
    """
    parts = [__version__, *extra]
    for path in sorted(os.fspath(file) for file in files):
        with contextlib.suppress(OSError):
            stat = os.stat(path)
            parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(parts)


def files_in(folder: str | os.PathLike[str], *suffixes: str) -> list[str]:
    """The files directly in ``folder`` with one of ``suffixes`` (none if it cannot be read)."""
    try:
        with os.scandir(folder) as entries:
            return [e.path for e in entries if e.name.endswith(suffixes)]
    except OSError:
        return []


class Kept(Generic[T]):
    """Values of one kind, by key: read once, written back once if any was added.

    :param name: the file's name in the cache folder (one of ``caches.folders.CATALOG.extras``,
        so ``cache clear`` removes it).
    :param base: what every value of this instance depends on (a code fingerprint, the
        packs' key...); None keeps nothing.
    :param valid: whether a value read from the file has the right shape.
    :param max_entries: values kept at most, the newest (fewer for large values).
    """

    def __init__(
        self,
        name: str,
        base: str | None,
        valid: Callable[[Any], bool],
        folder: Path | None = None,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        from glutekit import paths

        self.name = name
        self.folder = folder or paths.catalog_cache_dir()
        self._base = base
        self._valid = valid
        #: The file's values as read: each is checked when it is looked up.
        self._known: dict[str, Any] | None = None
        self._added = False
        self._max = max_entries

    def key(self, inputs: str) -> str | None:
        if self._base is None:
            return None
        return sha256(f"{self._base}|{inputs}".encode()).hexdigest()[:32]

    def _read(self) -> dict[str, Any]:
        if self._known is None:
            try:
                data = json.loads((self.folder / self.name).read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):  # RecursionError: absurdly deep JSON
                data = {}
            items = data.items() if isinstance(data, dict) else ()
            # Not checked here: a file keeps several values, and a command wants one or two.
            self._known = {k: v for k, v in items if isinstance(k, str)}
        return self._known

    def get(self, inputs: str | None, compute: Callable[[], T]) -> T:
        """The value for ``inputs`` from the file, or ``compute()``, kept for next time."""
        key = self.key(inputs) if inputs else None
        if key is None:
            return compute()
        known = self._read()
        if key in known:
            if self._valid(known[key]):
                found: T = known[key]
                return found
            del known[key]  # the wrong shape: worked out again
        value = compute()
        known[key] = value
        self._added = True
        return value

    def replace(self, inputs: str, value: T) -> T:
        """Keep ``value`` for ``inputs`` in place of what was kept (found to be stale)."""
        key = self.key(inputs)
        if key is not None:
            self._read()[key] = value
            self._added = True
        return value

    def save(self) -> None:
        """Write the values back if any was added (atomically; failures are ignored)."""
        if not self._added or self._known is None:
            return
        from glutekit.caches.folders import CATALOG, write_extra

        valid = [(k, v) for k, v in self._known.items() if self._valid(v)]
        kept = dict(valid[-self._max :])
        write_extra(self.folder, CATALOG, self.name, json.dumps(kept))
        self._added = False
