"""Remembers which pack and routine files have already passed validation.

Every command that needs the catalog would otherwise import the JSON Schema
validator and re-check the same unchanged files on each start. A file is known
valid by a hash of its text, its kind, the schema file and glutekit's version,
so any edit to the file, the schema or glutekit checks it again. The cache is an
optimisation only: when it cannot be read or written, everything is validated.
"""

from __future__ import annotations

import contextlib
import json
import os
from functools import cache
from pathlib import Path

from glutekit import __version__
from glutekit.caches.digest import content_hash
from glutekit.catalog.schema import Document, SchemaName, schema_path

#: Entries kept at most; the oldest are dropped first.
MAX_ENTRIES = 2000


def looks_like_ours(data: bytes) -> bool:
    """Is this the content of a validation cache (a JSON list of hex keys)?"""
    try:
        keys = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(keys, list) and all(
        isinstance(k, str) and len(k) == 64 and all(c in "0123456789abcdef" for c in k)
        for k in keys
    )


def default_path() -> Path:
    from glutekit import paths

    return paths.validation_cache_path()


@cache
def _fingerprint(kind: SchemaName) -> bytes:
    digest = content_hash(schema_path(kind).read_bytes())
    digest.update(__version__.encode())
    # The checks beyond the schema change in a development checkout without the version:
    # the catalog's modules (and the model's, which they use) count by size and time.
    from glutekit.caches.kept import files_in, fingerprint

    here = os.path.dirname(os.path.realpath(__file__))
    files = [*files_in(here, ".py", ".json"), *files_in(os.path.join(here, "..", "model"), ".py")]
    digest.update(fingerprint(files).encode())
    return digest.digest()


class ValidCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._keys: list[str] | None = None
        self._changed = False

    def _load(self) -> list[str]:
        if self._keys is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._keys = (
                    [k for k in data if isinstance(k, str)] if isinstance(data, list) else []
                )
            except (OSError, ValueError):
                self._keys = []
        return self._keys

    @staticmethod
    def key(doc: Document, kind: SchemaName) -> str | None:
        if doc.text is None:
            return None  # data handed over in memory: cheap to check, nothing to key on
        content = doc.digest
        if content is None:
            content = content_hash(doc.text.encode("utf-8")).digest()
        digest = content_hash(_fingerprint(kind))
        digest.update(kind.encode())
        digest.update(content)
        return digest.hexdigest()

    def known_valid(self, key: str | None) -> bool:
        return key is not None and key in self._load()

    def remember(self, key: str | None) -> None:
        if key is None or self.known_valid(key):
            return
        self._load().append(key)
        self._changed = True

    def save(self) -> None:
        if not self._changed:
            return
        keys = self._load()[-MAX_ENTRIES:]
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_text(json.dumps(keys), encoding="utf-8")
            os.replace(temp, self.path)
            self._changed = False
        except OSError:  # a read-only or missing cache folder only costs speed
            with contextlib.suppress(OSError):
                temp.unlink()
