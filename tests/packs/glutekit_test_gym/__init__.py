"""A gym pack for glutekit's tests: new muscles, equipment, kinds, a position, images."""

from __future__ import annotations

from pathlib import Path

import glutekit


@glutekit.hookimpl
def glutekit_exercise_packs() -> list[Path]:
    return [Path(__file__).resolve().parent / "pack.json"]
