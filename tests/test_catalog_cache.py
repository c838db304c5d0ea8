"""The compiled catalog: a warm start reads it from disk; any change to a pack builds it again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import glutekit
import glutekit.catalog.loaders as loaders
import glutekit.catalog.packcache as packcache
from glutekit.catalog import Catalog
from glutekit.host.plugins import PluginHost, make_plugin_host

EXAMPLE_PACK = (
    Path(__file__).resolve().parent.parent
    / "examples"
    / "glutekit-hip-flexors"
    / "glutekit_hip_flexors"
    / "pack.json"
)


class PackFile:
    """A plugin that returns one pack file from the test's folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @glutekit.hookimpl
    def glutekit_exercise_packs(self) -> list[Path]:
        return [self.path]


def _host(pack: Path, warnings: list[str]) -> PluginHost:
    host = make_plugin_host(
        autoload=True, only=None, block=(), strict=False, trace=False, warn=warnings.append
    )
    host.register(PackFile(pack), "test-pack")
    return host


def _build(pack: Path) -> tuple[Catalog, list[str], int]:
    """The catalog, what it reported, and how many packs were converted from JSON."""
    warnings: list[str] = []
    converted = 0
    real = loaders.pack_from_data

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal converted
        converted += 1
        return real(*args, **kwargs)

    loaders.pack_from_data = counting  # type: ignore[assignment]
    try:
        catalog = Catalog.build(_host(pack, warnings), user_routines=False)
    finally:
        loaders.pack_from_data = real
    return catalog, warnings, converted


def _cache_files() -> list[Path]:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "glutekit" / "catalog"
    return sorted(folder.glob("*.sqlite"))


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.json"
    path.write_text(EXAMPLE_PACK.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_a_warm_start_converts_no_pack_and_gives_the_same_catalog(pack: Path) -> None:
    cold, cold_warnings, cold_converted = _build(pack)
    assert cold_converted >= 2  # the glute pack and the test pack
    assert len(_cache_files()) == 1

    warm, warm_warnings, warm_converted = _build(pack)
    assert warm_converted == 0
    assert warm.exercises == cold.exercises
    assert warm.packs == cold.packs
    assert warm_warnings == cold_warnings == []
    assert "hip-flexors:couch-stretch" in warm.exercises or any(
        key.startswith("hip-flexors:") for key in warm.exercises
    )


def test_an_edit_to_a_pack_builds_the_catalog_again(pack: Path) -> None:
    _build(pack)
    data = json.loads(pack.read_text(encoding="utf-8"))
    first = data["exercises"][0]
    first["name"] = "Renamed by the author"
    pack.write_text(json.dumps(data), encoding="utf-8")

    catalog, _, converted = _build(pack)
    assert converted >= 1
    assert catalog.exercises[f"{data['id']}:{first['id']}"].name == "Renamed by the author"


def test_what_the_merge_reported_is_reported_again_on_a_warm_start(pack: Path) -> None:
    data = json.loads(pack.read_text(encoding="utf-8"))
    data["exercises"][0]["kind"] = 42
    pack.write_text(json.dumps(data), encoding="utf-8")

    _, cold_warnings, _ = _build(pack)
    _, warm_warnings, converted = _build(pack)
    assert converted == 0
    assert len(cold_warnings) == 1
    assert "plugin 'test-pack' returned an invalid pack" in cold_warnings[0]
    assert f"{pack}:" in cold_warnings[0] and "/exercises/0/kind" in cold_warnings[0]
    assert warm_warnings == cold_warnings


def test_a_damaged_cache_file_is_ignored_and_replaced(pack: Path) -> None:
    cold, _, _ = _build(pack)
    (damaged,) = _cache_files()
    damaged.write_bytes(b"not a catalog at all")

    again, warnings, converted = _build(pack)
    assert converted >= 2
    assert warnings == []
    assert again.exercises == cold.exercises
    assert _cache_files()[0].read_bytes() != b"not a catalog at all"


def test_an_unwritable_cache_folder_only_costs_speed(
    pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    for _ in range(2):
        catalog, warnings, converted = _build(pack)
        assert converted >= 2
        assert warnings == []
        assert any(key.startswith("hip-flexors:") for key in catalog.exercises)


def _reads_through(module: Any, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files ``module`` reads with ``read_bounded`` from now on."""
    reads: list[Path] = []
    real = module.read_bounded

    def counting(path: Path, name: str, *args: Any) -> bytes:
        reads.append(Path(path))
        return real(path, name, *args)

    monkeypatch.setattr(module, "read_bounded", counting)
    return reads


@pytest.fixture
def pack_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The pack files whose content the cache key was computed from."""
    return _reads_through(packcache, monkeypatch)


@pytest.fixture
def files_look_old(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file was last written long before now, as after an install."""
    monkeypatch.setattr(packcache, "_now_ns", lambda: time.time_ns() + 600 * 10**9)


def test_a_warm_start_with_old_pack_files_reads_none_of_them(
    pack: Path, pack_reads: list[Path], files_look_old: None
) -> None:
    cold, _, _ = _build(pack)
    assert pack in pack_reads  # the first start reads every pack to key the cache
    pack_reads.clear()

    warm, warnings, converted = _build(pack)
    assert pack_reads == []
    assert converted == 0
    assert warnings == []
    assert warm.exercises == cold.exercises


def test_a_pack_rewritten_with_its_old_size_and_time_builds_the_catalog_again(
    pack: Path, files_look_old: None
) -> None:
    _build(pack)
    _build(pack)  # now from the stat index
    before = os.stat(pack)
    text = pack.read_text(encoding="utf-8")
    data = json.loads(text)
    first = data["exercises"][0]
    renamed = first["name"][:-1] + ("X" if first["name"][-1] != "X" else "Y")
    assert text.count(json.dumps(first["name"])) == 1
    time.sleep(0.05)  # past the file system's clock tick
    pack.write_text(text.replace(json.dumps(first["name"]), json.dumps(renamed)), encoding="utf-8")
    os.utime(pack, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(pack)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    catalog, _, converted = _build(pack)
    assert converted >= 1
    assert catalog.exercises[f"{data['id']}:{first['id']}"].name == renamed


def test_a_pack_written_just_now_is_read_on_every_start(pack: Path, pack_reads: list[Path]) -> None:
    # A second write in the same clock tick would leave its stat as it was: a file
    # this fresh is keyed by its content until it has been left alone for a while.
    _build(pack)
    pack_reads.clear()
    _, _, converted = _build(pack)
    assert converted == 0
    assert pack in pack_reads
    index = Path(os.environ["XDG_CACHE_HOME"]) / "glutekit" / "catalog" / "stat-keys.json"
    assert not index.exists()


def test_a_cold_build_reads_and_parses_each_pack_file_once(
    pack: Path, pack_reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import glutekit.catalog.schema as schema

    parsed = _reads_through(schema, monkeypatch)
    catalog, warnings, _ = _build(pack)
    assert pack_reads.count(pack) == 1
    # The stock pack too: no file read for the key is read again to be parsed (the
    # routines, which have a key of their own, are read when parsed).
    assert pack_reads and not set(parsed) & set(pack_reads)
    assert warnings == []
    assert any(ex.origin == str(pack) for ex in catalog.packs.values())


def test_a_pack_changed_after_its_key_was_read_is_built_from_the_bytes_of_the_key(
    pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The catalog holds what was keyed: a pack rewritten between the key and the parse
    # is not half one version and half the other.
    real = packcache.read_bounded
    data = json.loads(pack.read_text(encoding="utf-8"))
    first = data["exercises"][0]

    def read_then_rewrite(path: Path, name: str, *args: Any) -> bytes:
        raw = real(path, name, *args)
        if Path(path) != pack:
            return raw
        changed = {**data, "exercises": [{**first, "name": "Rewritten"}, *data["exercises"][1:]]}
        pack.write_text(json.dumps(changed), encoding="utf-8")
        return raw

    monkeypatch.setattr(packcache, "read_bounded", read_then_rewrite)
    catalog, _, _ = _build(pack)
    assert catalog.exercises[f"{data['id']}:{first['id']}"].name == first["name"]


def test_a_validation_key_is_the_same_from_the_kept_bytes_as_from_the_file(pack: Path) -> None:
    from glutekit.catalog.schema import read_document
    from glutekit.catalog.validcache import ValidCache

    kept: packcache.Kept = {}
    packcache.sources_key([("test-pack", pack)], kept=kept)
    raw, digest = kept[str(pack)]
    assert raw == pack.read_bytes()
    from glutekit.catalog import document_from_source

    from_kept = document_from_source(pack, "pack", kept)
    assert from_kept.digest == digest and str(pack) not in kept
    from_file = read_document(pack)
    assert from_file.digest is None
    assert ValidCache.key(from_kept, "pack") == ValidCache.key(from_file, "pack") is not None


CHECK = """
import json, sys
from pathlib import Path
from glutekit.catalog.schema import read_document, schema_problems
problems = schema_problems(read_document(Path(sys.argv[1])), "pack")
print(json.dumps({"slow_validator_loaded": "jsonschema" in sys.modules,
                  "problems": [str(p) for p in problems]}))
"""


def _check(path: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", CHECK, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_a_valid_pack_never_loads_the_detailed_validator(pack: Path) -> None:
    result = _check(pack)
    assert result == {"slow_validator_loaded": False, "problems": []}


def test_a_failing_pack_still_gets_located_messages(pack: Path) -> None:
    text = pack.read_text(encoding="utf-8")
    data = json.loads(text)
    data["exercises"][1]["per_side"] = "upside-down"
    pack.write_text(json.dumps(data, indent=2), encoding="utf-8")
    lines = pack.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if '"upside-down"' in t)

    result = _check(pack)
    assert result["slow_validator_loaded"] is True
    (problem,) = result["problems"]
    assert problem.startswith(f"{pack}:{line}:")
    assert "/exercises/1/per_side" in problem and "'upside-down'" not in problem[:10]


def test_a_pack_nested_too_deeply_is_refused_before_the_detailed_validator(pack: Path) -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    data = json.loads(pack.read_text(encoding="utf-8"))
    data["guidance"] = {"notes": deep}
    pack.write_text(json.dumps(data), encoding="utf-8")
    result = _check(pack)
    assert result["problems"] == [f"{pack}:1:1: /: JSON is nested 33 levels deep; the limit is 32"]


@pytest.mark.parametrize("module", ["chains.py", "schema.py", "../model/durations.py"])
def test_a_change_to_any_module_that_reads_packs_builds_the_catalog_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    # A copy of the modules the fingerprint reads, so the test can touch one of them.
    code = tmp_path / "glutekit"
    for folder in ("catalog", "model"):
        (code / folder).mkdir(parents=True)
        for source in (Path(packcache.__file__).parent.parent / folder).iterdir():
            if source.suffix in (".py", ".json"):
                (code / folder / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(packcache, "_HERE", str(code / "catalog"))
    sources = [("p", tmp_path / "none.json")]
    before = packcache.sources_key(sources)
    assert packcache.sources_key(sources) == before
    changed = code / "catalog" / module
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert packcache.sources_key(sources) != before
