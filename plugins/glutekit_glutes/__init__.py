"""The glute exercise pack: release, stretch and activation work for the glutes.

Also serves glutekit's ready-made routines and programs, which use this pack's exercises.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import glutekit

_HERE = Path(__file__).resolve().parent


def _routines_dir() -> Path:
    # In a wheel the routines are installed next to this module; in a source
    # checkout (and an editable install) they live in the top-level routines/ folder.
    bundled = _HERE / "routines"
    if bundled.is_dir():
        return bundled
    return _HERE.parent.parent / "routines"


def _programs_dir() -> Path:
    # As for the routines: installed next to this module, or the checkout's programs/.
    bundled = _HERE / "programs"
    if bundled.is_dir():
        return bundled
    return _HERE.parent.parent / "programs"


@glutekit.hookimpl
def glutekit_exercise_packs() -> Iterable[Path]:
    return [_HERE / "pack.json"]


@glutekit.hookimpl
def glutekit_routines() -> Iterable[Path]:
    return sorted(_routines_dir().glob("*.json"))


@glutekit.hookimpl
def glutekit_programs() -> Iterable[Path]:
    return sorted(_programs_dir().glob("*.json"))
