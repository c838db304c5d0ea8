"""Hip-flexor and hamstring work for glutekit: a pack and a routine.

glutekit loads this module through the ``hip-flexors`` entry point in the
``glutekit`` group and calls the two hooks below. Both return paths to JSON
files inside the package, so the data ships in the wheel.
"""

from __future__ import annotations

from pathlib import Path

import glutekit

__version__ = "1.0.0"

_HERE = Path(__file__).resolve().parent


@glutekit.hookimpl
def glutekit_exercise_packs() -> list[Path]:
    return [_HERE / "pack.json"]


@glutekit.hookimpl
def glutekit_routines() -> list[Path]:
    return sorted((_HERE / "routines").glob("*.json"))
