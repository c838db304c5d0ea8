"""The routines the plugins and the user provide, as built on an earlier start.

Every command that loads the catalog reads, checks and builds every routine: the
ready-made ones and those in the user's routines folder. That is little work, but a
short command pays it at each start for routines that have not changed, most of it in
making the routines' records for the first time in the process. So what building them
gave (the routines, their data, and the messages it reported) is kept in one file in
the catalog cache folder, keyed by the content of every routine file and the plugin
that returned it, the packs they were checked against (:attr:`Catalog.packs_key`),
the routine schema and glutekit itself. Any change to any of them builds the routines
again, and keeps the new ones in place of the old.

Like the compiled packs (:mod:`.packcache`) it is a pickle in the user's own cache
folder, and an optimisation only: a file that cannot be read, written or unpickled is
ignored, and the routines are built from their files.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from glutekit.caches.digest import sha256
from glutekit.caches.kept import files_in, fingerprint
from glutekit.catalog.packcache import digest_sources, unpickle
from glutekit.catalog.schema import schema_path
from glutekit.files import read_bounded
from glutekit.model import Routine

NAME = "routines.bin"
_FORMAT = "glutekit-routines-1"
_CODE = Path(__file__).resolve().parent.parent

#: What building the routines gave: routines and their data by id, and the messages.
Built = tuple[dict[str, Routine], dict[str, dict[str, Any]], tuple[str, ...]]


def _code_fingerprint() -> str:
    """The files a routine's checks and building depend on: the catalog and the model."""
    files = [*files_in(_CODE / "catalog", ".py", ".json"), *files_in(_CODE / "model", ".py")]
    return fingerprint([*files, schema_path("routine")])


def routines_key(packs_key: str, sources: Sequence[tuple[str, Any]]) -> str:
    """A key for the routines ``sources`` (plugin, path or data) build, read by content."""
    digest = sha256(f"{_FORMAT}\0{packs_key}\0{_code_fingerprint()}".encode())
    digest_sources(digest, sources, read_bounded)
    return digest.hexdigest()


class RoutineCache:
    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            from glutekit import paths

            folder = paths.catalog_cache_dir()
        self.file = folder / NAME

    def load(self, key: str) -> Built | None:
        try:
            with self.file.open("rb") as fh:
                stored = unpickle(fh)
        except Exception:  # missing, truncated or from another glutekit: build again
            return None
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
            return None
        built = stored[1]
        if not (isinstance(built, tuple) and len(built) == 3):
            return None
        routines, data, reports = built
        if not (isinstance(routines, dict) and isinstance(data, dict)):
            return None
        if not all(isinstance(r, Routine) for r in routines.values()):
            return None
        return routines, data, tuple(str(m) for m in reports)

    def save(self, key: str, built: Built) -> None:
        import pickle

        from glutekit.caches.folders import CATALOG, prepare

        temp = self.file.with_name(f".{NAME}.{os.getpid()}.tmp")
        try:
            prepare(self.file.parent, CATALOG)
            with temp.open("wb") as fh:
                pickle.dump((key, built), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.file)
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            # TypeError, AttributeError: a plugin's routine data that cannot be pickled.
            with contextlib.suppress(OSError):
                temp.unlink()
