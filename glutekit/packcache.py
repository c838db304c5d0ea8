"""The merged exercise catalog, compiled once and loaded whole on later starts.

Parsing, validating and converting every pack file costs seconds with a catalog
of 100,000 exercises. Every start would pay it again although nothing changed, so
the merged packs (and the messages the merge reported) are kept in a file keyed by
the content of every pack the plugins return, the plugin that returned each, the
schema, the vocabulary and glutekit itself. Any change to any of them builds the
catalog again. The cache is an optimisation only: a file that cannot be read,
written or unpickled is ignored and the catalog is built from the packs.

The file is a pickle in the user's own cache folder, the same trust as the
user's own code; nothing from a pack is ever unpickled that glutekit did not write.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glutekit import __version__
from glutekit.errors import InputError
from glutekit.model import Exercise, Pack
from glutekit.schema import read_bounded, schema_path

#: Cache files kept at most (different plugin sets, say in different projects).
MAX_FILES = 4
_FORMAT = b"glutekit-catalog-1"


def default_folder() -> Path:
    from glutekit import paths

    return paths.catalog_cache_dir()


#: Catalogs larger than this are frozen out of the cycle collector's way once built.
FREEZE_ABOVE = 5000


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Build or load the catalog without the cycle collector walking it again and again.

    A catalog is up to a million small objects made at once; each collection while they
    are made would walk all of them (loading 100k exercises took three times as long).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def settle(exercises: int) -> None:
    """Keep a large catalog, which lives as long as the process, out of later collections."""
    if exercises > FREEZE_ABOVE:
        gc.freeze()


@dataclass(frozen=True, kw_only=True)
class CompiledPacks:
    """What merging the packs produced: packs, exercises, and the messages to repeat."""

    packs: dict[str, Pack]
    exercises: dict[str, Exercise]
    reports: tuple[str, ...]


def _code_fingerprint(digest: Any) -> None:
    # A development checkout changes code without changing the version.
    here = Path(__file__).resolve().parent
    names = ("model.py", "loaders.py", "catalog.py", "packcache.py", "packdefaults.py")
    for name in (*names, "packwords.py", "semantics.py", "vocabulary.py", "vocabulary.json"):
        with contextlib.suppress(OSError):
            stat = (here / name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())


def sources_key(sources: Sequence[tuple[str, Any]], extra: bytes = b"") -> str:
    """A key for the packs ``sources`` (plugin, path or data) would build, read by content."""
    digest = hashlib.sha256(_FORMAT)
    digest.update(__version__.encode())
    digest.update(schema_path("pack").read_bytes())
    digest.update(extra)
    _code_fingerprint(digest)
    for plugin, source in sources:
        digest.update(f"\0plugin:{plugin}\0".encode())
        if isinstance(source, (str, Path)):
            digest.update(f"path:{source}\0".encode())
            try:
                digest.update(read_bounded(Path(source), str(source)))
            except InputError as exc:  # reported when the pack itself is read
                digest.update(f"unreadable:{exc}".encode())
        elif isinstance(source, Mapping):
            try:
                text = json.dumps(source, sort_keys=True, ensure_ascii=False, default=repr)
            except (TypeError, ValueError):
                text = repr(source)
            digest.update(f"data:{text}".encode())
        else:
            digest.update(f"other:{type(source).__name__}".encode())
    return digest.hexdigest()


class PackCache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()

    def _file(self, key: str) -> Path:
        return self.folder / f"{key[:32]}.pickle"

    def load(self, key: str) -> CompiledPacks | None:
        try:
            with self._file(key).open("rb") as fh:
                stored = pickle.load(fh)
        except Exception:  # missing, truncated or from another glutekit: build again
            return None
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
            return None
        compiled = stored[1]
        return compiled if isinstance(compiled, CompiledPacks) else None

    def save(self, key: str, compiled: CompiledPacks) -> None:
        target = self._file(key)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temp.open("wb") as fh:
                pickle.dump((key, compiled), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, target)
            self._prune(keep=target)
        except (OSError, pickle.PicklingError, RecursionError):
            with contextlib.suppress(OSError):
                temp.unlink()

    def _prune(self, keep: Path) -> None:
        files = sorted(
            (p for p in self.folder.glob("*.pickle") if p != keep),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in files[MAX_FILES - 1 :]:
            with contextlib.suppress(OSError):
                old.unlink()
