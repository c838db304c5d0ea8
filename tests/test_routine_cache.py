"""The routines as built: a warm start builds none; any change to what they depend on does."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import glutekit
import glutekit.catalog.loaders as loaders
from glutekit.catalog import Catalog
from glutekit.catalog.routinecache import NAME
from glutekit.host.plugins import make_plugin_host

EXAMPLE_PACK = (
    Path(__file__).resolve().parent.parent
    / "examples"
    / "glutekit-hip-flexors"
    / "glutekit_hip_flexors"
    / "pack.json"
)
STRETCH = "hip-flexors:couch-stretch"


class PackFile:
    """A plugin that returns one pack file from the test's folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[Path]:
        return [self.path]


def _build(pack: Path) -> tuple[Catalog, list[str], int]:
    """The catalog (with the user's routines), what it reported, and how many routines
    were built from their data."""
    warnings: list[str] = []
    host = make_plugin_host(
        autoload=True, only=None, block=(), strict=False, trace=False, warn=warnings.append
    )
    host.register(PackFile(pack), "test-pack")
    built = 0
    real = loaders.routine_from_data

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal built
        built += 1
        return real(*args, **kwargs)

    loaders.routine_from_data = counting  # type: ignore[assignment]
    try:
        catalog = Catalog.build(host)
    finally:
        loaders.routine_from_data = real
    return catalog, warnings, built


def _kept() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "glutekit" / "catalog" / NAME


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.json"
    path.write_text(EXAMPLE_PACK.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def mine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A routine of the user's that does the example pack's couch stretch."""
    folder = tmp_path / "routines"
    folder.mkdir()
    monkeypatch.setenv("GLUTEKIT_ROUTINES_DIR", str(folder))
    path = folder / "mine.json"
    _write_routine(path, seconds=30)
    return path


def _write_routine(path: Path, seconds: int, exercise: str = STRETCH) -> None:
    step = {"exercise": exercise, "dose": {"hold": seconds}}
    routine = {"id": path.stem, "title": path.stem.title(), "steps": [step]}
    path.write_text(json.dumps(routine))


def test_a_warm_start_builds_no_routine_and_gives_the_same_ones(pack: Path, mine: Path) -> None:
    cold, cold_warnings, cold_built = _build(pack)
    assert cold_built >= 2  # the ready-made ones and the user's
    assert _kept().is_file()

    warm, warm_warnings, warm_built = _build(pack)
    assert warm_built == 0
    assert warm.routines == cold.routines
    assert warm.routine_data == cold.routine_data
    assert warm.routines["mine"].origin == str(mine)
    assert warm.routines["mine"].plugin == "user"
    assert warm_warnings == cold_warnings == []


def test_an_edit_to_a_routine_builds_the_routines_again(pack: Path, mine: Path) -> None:
    _build(pack)
    _write_routine(mine, seconds=45)
    again, _, built = _build(pack)
    assert built >= 2
    assert again.routine_data["mine"]["steps"][0]["dose"] == {"hold": 45}
    # A routine added to the folder, and one taken away.
    _write_routine(mine.with_name("other.json"), seconds=20)
    catalog, _, built = _build(pack)
    assert built >= 3
    assert {"mine", "other"} <= set(catalog.routines)
    mine.unlink()
    assert "mine" not in _build(pack)[0].routines


def test_an_edit_to_a_pack_checks_the_routines_against_it_again(pack: Path, mine: Path) -> None:
    assert "mine" in _build(pack)[0].routines
    data = json.loads(pack.read_text(encoding="utf-8"))
    data["exercises"] = [e for e in data["exercises"] if e["id"] != STRETCH.split(":")[1]]
    pack.write_text(json.dumps(data), encoding="utf-8")
    catalog, warnings, _ = _build(pack)
    assert "mine" not in catalog.routines
    assert any("names an exercise no loaded pack has" in w for w in warnings)


def test_what_building_reported_is_reported_again_on_a_warm_start(pack: Path, mine: Path) -> None:
    _write_routine(mine, seconds=30, exercise="hip-flexors:no-such-stretch")
    mine.with_name("broken.json").write_text("{not json")
    _, cold_warnings, _ = _build(pack)
    warm, warm_warnings, built = _build(pack)
    assert built == 0
    assert len(cold_warnings) == 2
    assert warm_warnings == cold_warnings
    assert "mine" not in warm.routines


def test_a_damaged_file_is_ignored_and_replaced(pack: Path, mine: Path) -> None:
    cold, _, _ = _build(pack)
    _kept().write_bytes(b"not a pickle at all")
    again, warnings, built = _build(pack)
    assert built >= 2
    assert warnings == []
    assert again.routines == cold.routines
    assert _kept().read_bytes() != b"not a pickle at all"
