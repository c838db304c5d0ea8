"""Files that passed validation are not re-validated, but any change is checked again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GLUTES = Path(__file__).resolve().parent.parent / "plugins" / "glutekit_glutes" / "pack.json"

BUILD = """
import json, sys
from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host
warnings = []
catalog = Catalog.build(make_plugin_host(warn=warnings.append))
validator = "jsonschema" in sys.modules or "jsonschema_rs" in sys.modules
print(json.dumps({"validator_loaded": validator,
                  "exercises": len(catalog.exercises), "routines": sorted(catalog.routines),
                  "warnings": warnings}))
"""


def _build(env: dict[str, str]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", BUILD],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def _routine(title: object) -> str:
    return json.dumps(
        {"id": "my-own", "title": title, "steps": [{"exercise": "glutes:supine-figure-four"}]}
    )


def test_second_start_skips_the_validator_and_an_edit_is_checked_again(tmp_path: Path) -> None:
    mine = tmp_path / "routines"
    mine.mkdir()
    (mine / "my-own.json").write_text(_routine("Mine"))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "GLUTEKIT_ROUTINES_DIR": str(mine)}

    first = _build(env)
    assert first["validator_loaded"] is True
    assert "my-own" in first["routines"]  # type: ignore[operator]

    second = _build(env)
    assert second["validator_loaded"] is False
    assert {k: v for k, v in second.items() if k != "validator_loaded"} == {
        k: v for k, v in first.items() if k != "validator_loaded"
    }

    (mine / "my-own.json").write_text(_routine(42))  # now breaks the schema
    third = _build(env)
    assert "my-own" not in third["routines"]  # type: ignore[operator]
    assert any("/title" in w for w in third["warnings"])  # type: ignore[union-attr]


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    env = {"XDG_CACHE_HOME": str(blocker)}
    for _ in range(2):
        result = _build(env)
        assert result["validator_loaded"] is True
        assert result["warnings"] == []
        assert result["exercises"] == len(
            json.loads(GLUTES.read_text(encoding="utf-8"))["exercises"]
        )


def test_the_key_follows_the_code_of_the_checks_as_well_as_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A development checkout changes the checks beyond the schema without changing the
    version: a file found valid by the old checks is checked again by the new ones."""
    from glutekit.caches import kept
    from glutekit.catalog import validcache
    from glutekit.catalog.schema import parse_document

    module = tmp_path / "semantics.py"
    module.write_text("# the checks, as they were\n")
    monkeypatch.setattr(kept, "files_in", lambda folder, *suffixes: [str(module)])
    doc = parse_document(GLUTES.read_bytes(), str(GLUTES))

    def key() -> str | None:
        validcache._fingerprint.cache_clear()
        return validcache.ValidCache.key(doc, "pack")

    before = key()
    assert before is not None and key() == before
    module.write_text("# the checks, with one more\n")
    assert key() != before
    validcache._fingerprint.cache_clear()
