"""The example third-party pack, built as a wheel and installed into a real venv."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.listing import first_column
from tests.venvs import EXAMPLE, Venv

pytestmark = pytest.mark.slow

PACK = json.loads((EXAMPLE / "glutekit_hip_flexors" / "pack.json").read_text(encoding="utf-8"))
EXERCISE_IDS = [f"hip-flexors:{ex['id']}" for ex in PACK["exercises"]]
ROUTINE = "hips-front-and-back"


def _ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_plugins_json_lists_the_installed_example(plugin_venv: Venv) -> None:
    records = json.loads(_ok(plugin_venv.glutekit("plugins", "--json")).stdout)
    mine = [r for r in records if r["name"] == "hip-flexors"]
    assert len(mine) == 1, records
    assert mine[0]["status"] == "loaded"
    assert mine[0]["distribution"] == "glutekit-hip-flexors"
    assert mine[0]["version"] == "1.0.0"
    assert set(mine[0]["hooks"]) == {"glutekit_exercise_packs", "glutekit_routines"}


def test_exercises_lists_the_pack(plugin_venv: Venv) -> None:
    proc = _ok(plugin_venv.glutekit("exercises", "--pack", "hip-flexors"))
    listed = first_column(proc.stdout)
    assert listed == EXERCISE_IDS
    assert proc.stderr == ""


def test_the_glutekit_in_the_venv_is_the_installed_wheel(plugin_venv: Venv) -> None:
    code = "import glutekit, glutekit_hip_flexors; print(glutekit.__file__, glutekit_hip_flexors.__file__)"
    paths = _ok(plugin_venv.run(plugin_venv.python, "-c", code)).stdout.split()
    assert all(str(plugin_venv.root) in p for p in paths), paths


def test_routine_runs_fast_without_voice(plugin_venv: Venv) -> None:
    proc = _ok(plugin_venv.glutekit("run", ROUTINE, "--speed", "100", "--no-voice", timeout=120))
    for name in ("Knee hug", "Kneeling hip flexor stretch", "Glute bridge march"):
        assert name.lower() in proc.stdout.lower(), proc.stdout[-2000:]


def test_routine_exports_to_pdf(plugin_venv: Venv, tmp_path: Path) -> None:
    out = tmp_path / "hips.pdf"
    _ok(plugin_venv.glutekit("export", ROUTINE, "--format", "pdf", "-o", out))
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Hips, front and back" in text
    assert "Kneeling hip flexor stretch" in text
    assert "Supine figure-four" in text or "figure-four" in text.lower()


def test_check_pack_passes_on_the_installed_module(plugin_venv: Venv) -> None:
    proc = _ok(plugin_venv.glutekit("check-pack", "glutekit_hip_flexors", "--no-voice"))
    assert "glutekit_hip_flexors: ok (1 pack(s), 7 exercise(s), 1 routine(s)" in proc.stdout
    assert "error:" not in proc.stdout


def test_the_example_s_own_tests_pass(plugin_venv: Venv, tmp_path: Path) -> None:
    proc = plugin_venv.run(
        plugin_venv.python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        EXAMPLE / "tests",
        cwd=tmp_path,
        timeout=300,
    )
    _ok(proc)
    assert "3 passed" in proc.stdout


API = EXAMPLE.parent / "api"


def test_api_scripts_see_the_installed_pack(plugin_venv: Venv) -> None:
    listed = _ok(plugin_venv.run(plugin_venv.python, API / "list_exercises.py", "hamstrings"))
    assert "hip-flexors:supine-hamstring-strap" in listed.stdout
    assert "glutes:" in listed.stdout

    routine = EXAMPLE / "glutekit_hip_flexors" / "routines" / f"{ROUTINE}.json"
    checked = _ok(plugin_venv.run(plugin_venv.python, API / "validate_routine.py", routine))
    assert checked.stdout.strip() == f"{routine}: ok (routine)"

    transcript = _ok(plugin_venv.run(plugin_venv.python, API / "compile_transcript.py", ROUTINE))
    lines = transcript.stdout.splitlines()
    # Every session opens with the spoken safety line, then the routine's own first words.
    assert lines[0].startswith("00:00  safety")
    assert re.match(
        r"00:\d\d  message +Hips, front and back\. Start lying on your back\.$", lines[1]
    )
    assert any("Kneeling hip flexor stretch" in line for line in lines)
    assert lines[-1].startswith("Hips, front and back: ")


def test_api_validate_script_reports_a_bad_routine(plugin_venv: Venv, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "bad", "title": "Bad", "steps": [{"exercise": "hip-flexors:couch"}]}')
    proc = plugin_venv.run(plugin_venv.python, API / "validate_routine.py", bad)
    assert proc.returncode == 2
    assert "unknown exercise 'hip-flexors:couch' (did you mean: hip-flexors:couch-stretch" in (
        proc.stderr
    )
