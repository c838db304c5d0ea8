"""The merged exercise catalog, compiled once and read from disk on later starts.

Parsing, validating and converting every pack file costs seconds with a catalog
of 100,000 exercises. Every start would pay it again although nothing changed, so
the merged packs (and the messages the merge reported) are kept in a file keyed by
the content of every pack the plugins return, the plugin that returned each, the
schema, the vocabulary and glutekit itself. Any change to any of them builds the
catalog again. The cache is an optimisation only: a file that cannot be read or
written is ignored and the catalog is built from the packs. The file is an SQLite
database that answers without loading every exercise: see :mod:`.index`.

Hashing every pack file on every start costs time too (tens of megabytes at
100,000 exercises), so a small index remembers which content key a set of pack
files had, by each file's size, modification and change times, inode and device.
A file's change time moves on every write, whatever its modification time is set
back to. A file written in the last few seconds is hashed again on each start
until it has been quiet for a while: file times are coarse, and a second write
in the same tick would otherwise go unseen.

The files are in the user's own cache folder, the same trust as the user's own
code; nothing from a pack is ever unpickled that glutekit did not write.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from glutekit import __version__
from glutekit.caches.digest import content_hash
from glutekit.catalog.index import FORMAT
from glutekit.catalog.schema import schema_path
from glutekit.errors import InputError
from glutekit.files import read_bounded
from glutekit.model import Exercise, Pack
from glutekit.model.records import record

try:
    # The C unpickler alone: a warm start only loads, and the pickle module (its Python
    # pickler, struct, the Python 2 name tables) cost it about 1 ms more to import.
    from _pickle import load as _load
except ImportError:  # a Python without it
    from pickle import load as _load

#: Cache files kept at most (different plugin sets, say in different projects).
MAX_FILES = 4
#: Content keys remembered by the stat of the pack files, at most, and where.
MAX_STAT_KEYS = 16
INDEX_NAME = "stat-keys.json"
#: A pack file written less than this long ago is hashed on each start (see above).
SETTLED_NS = 3_000_000_000


def default_folder() -> Path:
    from glutekit import paths

    return paths.catalog_cache_dir()


@record(frozen=True, kw_only=True)
class CompiledPacks:
    """What merging the packs produced: packs, exercises, and the messages to repeat."""

    packs: Mapping[str, Pack]
    exercises: Mapping[str, Exercise]
    reports: tuple[str, ...]


#: This folder, for the code fingerprint (a string: pathlib made each start's key slower).
_HERE = os.path.dirname(os.path.realpath(__file__))


def _code_fingerprint(digest: Any) -> None:
    # A development checkout changes code without changing the version: every module
    # that reads, checks or models a pack counts (by its size and time, as stat gives).
    for folder in (_HERE, os.path.join(_HERE, "..", "model")):
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith((".py", ".json")):
                    with contextlib.suppress(OSError):
                        stat = entry.stat()
                        digest.update(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())


def _common(digest: Any, extra: bytes) -> None:
    digest.update(__version__.encode())
    digest.update(schema_path("pack").read_bytes())
    digest.update(extra)
    _code_fingerprint(digest)


def data_text(source: Mapping[str, Any]) -> str:
    """Data a plugin returned in place of a file, as text to key it by."""
    try:
        return json.dumps(source, sort_keys=True, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return repr(source)


#: Pack files read for a key, by path: their bytes and the BLAKE2b digest of them.
Kept = dict[str, tuple[bytes, bytes]]


def sources_key(
    sources: Sequence[tuple[str, Any]], extra: bytes = b"", kept: Kept | None = None
) -> str:
    """A key for the packs ``sources`` (plugin, path or data) would build, read by content.

    With ``kept``, each file's bytes and digest are left there: a catalog built next
    parses those very bytes, and keys their validation by that digest, instead of
    reading and hashing each file again (at 100k exercises, 46 MB of each).
    """
    digest = content_hash(FORMAT.encode())
    _common(digest, extra)
    digest_sources(digest, sources, read_bounded, kept)
    return digest.hexdigest()


def digest_sources(
    digest: Any,
    sources: Sequence[tuple[str, Any]],
    read: Callable[[Path, str], bytes],
    kept: Kept | None = None,
) -> None:
    """Add each source (plugin, then a file's path and the digest of its bytes from
    ``read``, or data) to ``digest``; files read go into ``kept`` when given."""
    for plugin, source in sources:
        digest.update(f"\0plugin:{plugin}\0".encode())
        if isinstance(source, (str, Path)):
            digest.update(f"path:{source}\0".encode())
            try:
                data = read(Path(source), str(source))
                own = content_hash(data).digest()
                digest.update(own)
                if kept is not None:
                    kept[str(source)] = (data, own)
            except InputError as exc:  # reported when the pack or routine itself is read
                digest.update(f"unreadable:{exc}".encode())
        elif isinstance(source, Mapping):
            digest.update(f"data:{data_text(source)}".encode())
        else:
            digest.update(f"other:{type(source).__name__}".encode())


@record(frozen=True)
class StatKey:
    """A key for the pack files as ``stat`` sees them, and whether it may be remembered."""

    key: str
    #: Every file was last written long enough ago for its stat to tell every change.
    settled: bool


def _now_ns() -> int:
    return time.time_ns()


def stat_key(sources: Sequence[tuple[str, Any]], extra: bytes = b"") -> StatKey | None:
    """A key for ``sources`` from each pack file's stat; None when a file cannot be stat'ed."""
    digest = content_hash(FORMAT.encode() + b"\0stat")
    _common(digest, extra)
    newest = 0
    for plugin, source in sources:
        digest.update(f"\0plugin:{plugin}\0".encode())
        if isinstance(source, (str, Path)):
            try:
                st = os.stat(source)
            except OSError:
                return None  # the content key reports it
            newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
            digest.update(
                f"path:{source}\0{st.st_dev}:{st.st_ino}:{st.st_mode}:{st.st_size}:"
                f"{st.st_mtime_ns}:{st.st_ctime_ns}\0".encode()
            )
        elif isinstance(source, Mapping):
            digest.update(f"data:{data_text(source)}".encode())
        else:
            digest.update(f"other:{type(source).__name__}".encode())
    return StatKey(key=digest.hexdigest(), settled=newest < _now_ns() - SETTLED_NS)


def unpickle(fh: IO[bytes]) -> Any:
    """What a cache file written by glutekit holds (pickle.load, without the pickle module)."""
    return _load(fh)


class PackCache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()

    def _file(self, key: str) -> Path:
        return self.folder / f"{key[:32]}.sqlite"

    def _index_file(self) -> Path:
        return self.folder / INDEX_NAME

    def key(self, sources: Sequence[tuple[str, Any]], kept: Kept | None = None) -> str:
        """The content key of ``sources``, read from the stat index when nothing changed
        (``kept``: see :func:`sources_key`)."""
        fast = stat_key(sources)
        index = self._read_index() if fast is not None else {}
        if fast is not None and isinstance(index.get(fast.key), str):
            return str(index[fast.key])
        key = sources_key(sources, kept=kept)
        if fast is not None and fast.settled:
            index.pop(fast.key, None)
            index[fast.key] = key
            self._write_index(dict(list(index.items())[-MAX_STAT_KEYS:]))
        return key

    def _read_index(self) -> dict[str, Any]:
        try:
            data = json.loads(self._index_file().read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # RecursionError: absurdly deep JSON
            return {}
        return data if isinstance(data, dict) else {}

    def _write_index(self, index: dict[str, Any]) -> None:
        # The cache folder's rules are imported only to write: a warm start reads alone.
        from glutekit.caches.folders import CATALOG, write_extra

        write_extra(self.folder, CATALOG, INDEX_NAME, json.dumps(index))

    def load(self, key: str) -> CompiledPacks | None:
        from glutekit.catalog import index

        found = index.load(self._file(key), key)
        if found is None:
            return None
        packs, exercises, reports = found
        return CompiledPacks(packs=packs, exercises=exercises, reports=reports)

    def save(self, key: str, compiled: CompiledPacks) -> None:
        import sqlite3

        from glutekit.caches.folders import CATALOG, prepare
        from glutekit.catalog import indexwrite

        target = self._file(key)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            prepare(self.folder, CATALOG)
            indexwrite.save(temp, key, compiled.packs, compiled.exercises, compiled.reports)
            os.replace(temp, target)
            self._prune(keep=target)
        except (OSError, sqlite3.Error, RecursionError, TypeError, AttributeError, ValueError):
            # TypeError, AttributeError, ValueError: a value pickle cannot take (data a
            # plugin returned): the catalog is built again next time, nothing worse.
            with contextlib.suppress(OSError):
                temp.unlink()

    def _prune(self, keep: Path) -> None:
        """Keep the newest :data:`MAX_FILES` compiled catalogs (only glutekit's files go)."""
        from glutekit.caches.folders import CATALOG, trim

        trim(self.folder, 2**62, keep={keep}, kind=CATALOG, max_files=MAX_FILES)
