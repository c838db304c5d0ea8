"""A real wheel installed into a fresh virtual environment finds its plugins, schemas and routines.

The environment is the run's ``wheel_env`` (tests/conftest.py): this checkout's wheel
installed by pip with its dependencies, from the wheel built once for the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_glutekit


def _bin(env_dir: Path, name: str) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / name


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(_bin(env_dir, "glutekit")), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


@pytest.mark.slow
def test_wheel_lists_first_party_plugins(wheel_env: Path, tmp_path: Path) -> None:
    proc = _run(wheel_env, "plugins", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    records = {r["name"]: r for r in json.loads(proc.stdout)}
    assert {"glutes", "console", "voice", "strategies", "cards"} <= set(records)
    assert all(
        records[n]["status"] == "loaded"
        for n in ("glutes", "console", "voice", "strategies", "cards")
    )


@pytest.mark.slow
def test_wheel_ships_schemas_and_routines(wheel_env: Path, tmp_path: Path) -> None:
    proc = _run(wheel_env, "schema", "routine", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/routine/v1.json")
    where = subprocess.run(
        [
            str(_bin(wheel_env, "python")),
            "-c",
            "from glutekit.catalog.schema import schema_path; print(schema_path('pack'))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout.strip()
    assert str(wheel_env) in where, "schema must come from the installed wheel"
    routines = json.loads(_run(wheel_env, "routines", "--json", cwd=tmp_path).stdout)
    assert len(routines) >= 8
    assert all(str(wheel_env) in r["origin"] for r in routines)
    programs = json.loads(_run(wheel_env, "program", "list", "--json", cwd=tmp_path).stdout)
    assert {p["id"] for p in programs} >= {"medius-6-weeks", "outer-hip-4-weeks"}
    assert json.loads(_run(wheel_env, "schema", "program", cwd=tmp_path).stdout)["$id"].endswith(
        "/program/v1.json"
    )


def test_source_checkout_finds_schemas_and_routines() -> None:
    from glutekit.catalog.schema import schema_path

    assert schema_path("routine").is_file()
    proc = run_glutekit("routines", "--json")
    assert proc.returncode == 0, proc.stderr
    ids = {r["id"] for r in json.loads(proc.stdout)}
    assert {"medius-cycle", "quick-five", "desk-break", "gym-bar"} <= ids


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys; from glutekit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pyttsx3', 'jinja2', 'fpdf', 'rich', 'jsonschema') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY="


@pytest.mark.slow
def test_wheel_ships_py_typed_so_plugins_type_check(wheel_env: Path, tmp_path: Path) -> None:
    from tests.test_typing_and_metadata import PLUGIN

    (tmp_path / "gk_tiny.py").write_text(PLUGIN, encoding="utf-8")
    python = str(_bin(wheel_env, "python"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-executable",
            python,
            "gk_tiny.py",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_wheel_ships_fonts_and_templates_for_printing(wheel_env: Path, tmp_path: Path) -> None:
    package = Path(
        subprocess.run(
            [
                str(_bin(wheel_env, "python")),
                "-c",
                "import glutekit_cards; print(glutekit_cards.__file__)",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        ).stdout.strip()
    ).parent
    assert str(wheel_env) in str(package), "the cards plugin must come from the installed wheel"
    for name in (
        "fonts/DejaVuSans.ttf",
        "fonts/DejaVuSans-Bold.ttf",
        "fonts/LICENSE",
        "templates/print.css",
        "templates/layout.html.j2",
        "templates/sheet.html.j2",
        "templates/cards.html.j2",
        "templates/sheet.md.j2",
        "templates/cards.md.j2",
    ):
        assert (package / name).is_file(), f"{name} is missing from the wheel"
    for out in ("r.pdf", "r.html", "r.md"):
        proc = _run(wheel_env, "export", "quick-five", "--cards", "-o", out, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    rows = subprocess.run(
        ["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    # Regular and bold, both embedded (columns: name type encoding emb sub uni object-id).
    assert sorted(r.split()[0].split("+")[1] for r in rows) == ["DejaVuSansBold", "DejaVuSansBook"]
    assert all(r.split()[-5] == "yes" for r in rows)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "@page cards" in html and "break-inside: avoid" in html  # print.css, inlined
    assert "## Exercise cards" in (tmp_path / "r.md").read_text(encoding="utf-8")
