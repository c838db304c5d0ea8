"""Publisher tools: one subpackage, glutekit.testing as the public import, no self-clash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import glutekit.publish.testing
import glutekit.testing

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "glutekit-hip-flexors"


def test_glutekit_testing_is_the_public_face_of_the_publisher_tools() -> None:
    for name in glutekit.testing.__all__:
        assert getattr(glutekit.testing, name) is getattr(glutekit.publish.testing, name)
    from glutekit.publish import checks, scaffold, subject  # noqa: F401

    assert (scaffold.template_root() / "pyproject.toml.j2").is_file()


def test_a_pack_file_is_not_a_clash_with_its_own_installed_copy(
    tmp_path: Path, glutekit_proc: Any
) -> None:
    """After 'pip install .' (not editable), checking the source's pack.json is fine."""
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(EXAMPLE)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    listed = glutekit_proc("exercises", "--pack", "hip-flexors", "--json", env=env)
    assert listed.returncode == 0 and "hip-flexors:" in listed.stdout  # the installed copy loads
    pack = EXAMPLE / "glutekit_hip_flexors" / "pack.json"
    proc = glutekit_proc("check-pack", pack, "--no-voice", env=env)
    assert "clashes" not in proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # A copy of the pack outside its package is a different pack with the same id.
    stray = tmp_path / "pack.json"
    stray.write_text(pack.read_text(encoding="utf-8"), encoding="utf-8")
    clash = glutekit_proc("check-pack", stray, "--no-voice", env=env)
    assert clash.returncode != 0
    assert "pack id 'hip-flexors' clashes with the installed plugin" in clash.stderr
