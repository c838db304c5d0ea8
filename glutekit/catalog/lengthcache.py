"""How long each routine plays, computed once per catalog and kept.

``glutekit routines`` shows every routine's length, and a length is a whole compile of
the routine's timeline (with speech estimated from the words). Nothing about it
changes until the routine, a pack or glutekit's own code does, so the lengths are kept
in a small file beside the compiled catalog, keyed by the routine's content, the
packs' content key (:attr:`Catalog.packs_key`) and glutekit's version (and, in a
development checkout, the files of the code that lays a timeline out).

Like every cache here it is an optimisation only: a file that cannot be read or
written is ignored, and the lengths are computed again.

It lives with the catalog rather than the timeline: importing any module of
:mod:`glutekit.timeline` loads the whole compiler, which a listing whose lengths are
all kept never needs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from glutekit.caches.kept import Kept, files_in, fingerprint
from glutekit.catalog import Catalog
from glutekit.model import Routine

NAME = "routine-lengths.json"
_CODE = Path(__file__).resolve().parent.parent


def _code_fingerprint() -> str:
    """The files of the code a length depends on: the timeline and the model."""
    return fingerprint([*files_in(_CODE / "timeline", ".py"), *files_in(_CODE / "model", ".py")])


def _length(value: object) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


class LengthCache:
    """Routine lengths by key, read once and written back once when any was added."""

    def __init__(self, catalog: Catalog, folder: Path | None = None) -> None:
        self.catalog = catalog
        base = (
            f"{catalog.packs_key}|{_code_fingerprint()}" if catalog.packs_key is not None else None
        )
        self._kept: Kept[float | None] = Kept(NAME, base, _length, folder)
        self.folder = self._kept.folder

    def length(self, routine: Routine, compute: Callable[[], float | None]) -> float | None:
        """The routine's length in seconds from the cache, or ``compute()`` kept for next time."""
        return self._kept.get(routine.content_hash or None, compute)

    def save(self) -> None:
        """Write the lengths back if any was added (atomically; failures are ignored)."""
        self._kept.save()
