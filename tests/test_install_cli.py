"""``glutekit install`` / ``uninstall`` put plugins into the environment glutekit runs in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.listing import first_column
from tests.venvs import make_venv


@pytest.mark.slow
def test_install_and_uninstall_a_pack_into_glutekit_s_own_environment(
    tmp_path: Path, built_wheels: dict[str, Path]
) -> None:
    venv = make_venv(tmp_path / "env", built_wheels["glutekit"])
    assert (
        "unknown pack 'hip-flexors'" in venv.glutekit("exercises", "--pack", "hip-flexors").stderr
    )
    installed = venv.glutekit("install", built_wheels["hip-flexors"], timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = venv.glutekit("exercises", "--pack", "hip-flexors")
    assert listed.returncode == 0, listed.stderr
    assert all(i.startswith("hip-flexors:") for i in first_column(listed.stdout))
    removed = venv.glutekit("uninstall", "-y", "glutekit-hip-flexors")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert venv.glutekit("exercises", "--pack", "hip-flexors").returncode == 2


def test_uninstall_refuses_to_remove_glutekit_itself(cli: Any) -> None:
    result = cli("uninstall", "-y", "glutekit")
    assert result.exit_code == 1
    assert "glutekit cannot uninstall itself" in result.stderr


def test_a_failing_pip_passes_its_exit_code_on(cli: Any, tmp_path: Path) -> None:
    # A folder that is not a Python project: pip refuses it without touching anything.
    result = cli("install", "--no-cache-dir", tmp_path)
    assert result.exit_code != 0
