"""Shared fixtures: a fresh plugin host per test, the real catalog, and a CLI runner."""

from __future__ import annotations

# First of all: move the whole run (every fixture, whatever its scope, and every
# subprocess) to a throw-away home, and guard the real user's glutekit folders.
# isort: off
from tests.isolation import pytest_report_header, pytest_sessionfinish, pytest_unconfigure

# isort: on

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from glutekit.catalog import Catalog
from glutekit.plugins import PluginHost, make_plugin_host

__all__ = ["pytest_report_header", "pytest_sessionfinish", "pytest_unconfigure"]

REPO = Path(__file__).resolve().parent.parent
ROUTINES_DIR = REPO / "routines"
SEEDS_DIR = REPO.parent / "shared" / "seeds"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep tests away from the real user's data, cache and routines."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for var in (
        "GLUTEKIT_DISABLE_PLUGIN_AUTOLOAD",
        "GLUTEKIT_PLUGINS",
        "GLUTEKIT_BLOCK_PLUGINS",
        "GLUTEKIT_STRICT_PLUGINS",
        "GLUTEKIT_TRACE_PLUGINS",
        "GLUTEKIT_ROUTINES_DIR",
        "GLUTEKIT_DATA_DIR",
        "GLUTEKIT_CACHE_DIR",
        "GLUTEKIT_CONFIG_DIR",
        "GLUTEKIT_VOICE_CACHE_MB",
        "GLUTEKIT_VOICE",
        "GLUTEKIT_RATE",
        "GLUTEKIT_VOLUME",
        "GLUTEKIT_VOICE_BACKEND",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def host() -> PluginHost:
    """A fresh host with the installed entry-point plugins (first-party ones included)."""
    return make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False)


@pytest.fixture
def bare_host() -> PluginHost:
    """A fresh host with no plugins at all."""
    return make_plugin_host(autoload=False, only=None, block=(), strict=False, trace=False)


@pytest.fixture
def catalog(host: PluginHost) -> Catalog:
    return Catalog.build(host)


@pytest.fixture
def register(host: PluginHost) -> Iterator[object]:
    """Register test plugins on ``host``; they are unregistered afterwards."""
    names: list[str] = []

    def _register(plugin: object, name: str) -> None:
        host.register(plugin, name)
        names.append(name)

    try:
        yield _register
    finally:
        for name in names:
            host.unregister(name)


@pytest.fixture
def cli() -> object:
    """Invoke the CLI in-process: ``cli("validate", path)`` -> click Result."""
    from glutekit.cli import cli as root

    def _invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(
            root, [str(a) for a in args], input=input, env=env, catch_exceptions=False
        )

    return _invoke


def run_glutekit(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    input: str | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "glutekit", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        input=input,
        cwd=cwd,
    )


@pytest.fixture
def glutekit_proc() -> object:
    return run_glutekit


# ----------------------------------------------------------------- real venvs (slow tests)


@pytest.fixture(scope="session")
def built_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Wheels of this checkout's glutekit and of the example pack, built once per session."""
    from tests.venvs import EXAMPLE, build_wheel

    out = tmp_path_factory.mktemp("wheels")
    return {"glutekit": build_wheel(REPO, out), "hip-flexors": build_wheel(EXAMPLE, out)}


@pytest.fixture(scope="session")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory, built_wheels: dict[str, Path]) -> object:
    """One venv for the session with glutekit and the example pack installed from wheels.

    Tests must not install anything else into it: use ``make_venv`` for that.
    """
    from tests.venvs import make_venv

    root = tmp_path_factory.mktemp("venv") / "shared"
    return make_venv(root, built_wheels["glutekit"], built_wheels["hip-flexors"])
