"""The cycle collector kept out of the way of a catalog's many small objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

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
