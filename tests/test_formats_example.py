"""The first routine shown in docs/formats.md is valid and coaching-checked on a fresh install."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_glutekit

from tests.venvs import REPO


@pytest.mark.usefixtures("shared_voice_cache")
def test_the_first_routine_example_passes_validate_coaching(tmp_path: Path) -> None:
    text = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(\{\n.*?)```", text, re.S)
    assert example, "docs/formats.md shows a routine"
    path = tmp_path / "hips-front-and-back.json"
    path.write_text(example.group(1), encoding="utf-8")
    result = run_glutekit("validate", "--coaching", path, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok (routine)" in result.stdout
