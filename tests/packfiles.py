"""A plugin that offers pack files from anywhere, and the example pack to start from."""

from __future__ import annotations

from pathlib import Path

import glutekit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PACK = ROOT / "examples" / "glutekit-hip-flexors" / "glutekit_hip_flexors" / "pack.json"


class PackFiles:
    """Registered on a plugin host, offers ``paths`` as exercise packs."""

    def __init__(self, *paths: Path) -> None:
        self.paths = list(paths)

    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[Path]:
        return self.paths
