"""Real virtual environments with real installed packages, for end-to-end plugin tests.

Creating a venv and building wheels is slow on a small machine, so wheels are
built once per session and venvs are shared where the tests allow it. Each venv
sees the site-packages of the environment running the tests (listed in a ``.pth``
file, so this works whether that environment is a venv or the system's Python),
so glutekit's dependencies need no download; glutekit itself (and every plugin
under test) is installed into the venv from a wheel built from this checkout, so
entry points are read for real. The outer environment's own ``.pth`` files are not
processed, so an editable glutekit there stays invisible.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: pip installing what is given and nothing else, with the build backend already there.
PIP_INSTALL = ("-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation")
EXAMPLE = REPO / "examples" / "glutekit-hip-flexors"

#: Variables that would change which plugins load; each test sets what it needs.
PLUGIN_VARS = (
    "GLUTEKIT_DISABLE_PLUGIN_AUTOLOAD",
    "GLUTEKIT_PLUGINS",
    "GLUTEKIT_BLOCK_PLUGINS",
    "GLUTEKIT_STRICT_PLUGINS",
    "GLUTEKIT_TRACE_PLUGINS",
    "PYTHONPATH",
)


def _check(cmd: list[str], *, cwd: Path | None = None, timeout: float = 600) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc.stdout


def build_wheel(project: Path, out: Path) -> Path:
    """Build ``project`` into a wheel in ``out`` with the hatchling already installed."""
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.glob("*.whl"))
    _check(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(project),
        ]
    )
    made = set(out.glob("*.whl")) - before
    assert len(made) == 1, f"expected one new wheel from {project}, got {sorted(made)}"
    return made.pop()


def install_to_folder(project: Path, target: Path) -> Path:
    """Install ``project`` with pip into ``target``, a folder to put on PYTHONPATH: pip
    builds its wheel with the hatchling already installed, and installs that wheel.

    One pip run for both (a wheel built with :func:`build_wheel` and then installed took
    two: pip's start is most of the work for a project of one module).
    """
    _check([sys.executable, *PIP_INSTALL, "--target", str(target), str(project)])
    return target


def write_project(
    root: Path, distribution: str, modules: dict[str, str], entry_points: dict[str, str]
) -> Path:
    """Write a tiny distribution: one top-level module per entry, plus pyproject.toml."""
    root.mkdir(parents=True, exist_ok=True)
    eps = "\n".join(f'{name} = "{target}"' for name, target in entry_points.items())
    mods = ", ".join(f'"{m}.py"' for m in modules)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(f"""\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{distribution}"
        version = "0.0.1"

        [project.entry-points.glutekit]
        """)
        + eps
        + textwrap.dedent(f"""

        [tool.hatch.build.targets.wheel]
        only-include = [{mods}]
        """)
    )
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))
    return root


@dataclass(frozen=True)
class Venv:
    """A virtual environment and a way to run commands in it."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in PLUGIN_VARS}
        env["VIRTUAL_ENV"] = str(self.root)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str | Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        # Never the checkout: 'python -c' would import glutekit from the working directory.
        return subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            env=self.env(env),
            cwd=cwd or self.root,
            timeout=timeout,
        )

    def glutekit(
        self,
        *args: str | Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        return self.run(self.bin / "glutekit", *args, env=env, cwd=cwd, timeout=timeout)

    def pip_install(self, *args: str | Path) -> None:
        _check([str(self.python), *PIP_INSTALL, *map(str, args)])


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment for a program of another virtual environment, as a
    user's shell would start it: no ``GLUTEKIT_*`` or ``PYTHON*`` variables (PYTHONPATH
    would show pip the test environment's packages as installed), no active venv, and a
    home of its own at ``home``. pip's own settings stay (its cache, no byte-compiling)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLUTEKIT_", "PYTHON"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def fresh_venv(root: Path) -> Path:
    """A new virtual environment with pip and nothing else, as ``python -m venv`` makes it
    (it does not see the test environment's packages)."""
    venv.EnvBuilder(with_pip=True).create(root)
    return root


def wheel_venv(root: Path, wheel: Path) -> Path:
    """A fresh virtual environment (:func:`fresh_venv`) in which its own pip installed
    ``wheel`` and every dependency it asks for, as ``pip install glutekit`` would."""
    fresh_venv(root)
    python = root / ("Scripts" if os.name == "nt" else "bin") / "python"
    home = root.parent / "home"
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        env=clean_env(home),
        cwd=root.parent,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"pip install {wheel} failed ({proc.returncode}):\n{proc.stderr}")
    return root


def outer_site_packages() -> list[str]:
    """The site-packages folders of the environment that runs the tests, in order."""
    return [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]


def make_venv(root: Path, *wheels: Path) -> Venv:
    """A venv that sees the test environment's packages but has its own glutekit and plugins."""
    _check([sys.executable, "-m", "venv", "--without-pip", str(root)])
    venv = Venv(root)
    site = _check(
        [str(venv.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).strip()
    Path(site, "_glutekit_test_outer.pth").write_text("\n".join(outer_site_packages()) + "\n")
    if os.name != "nt":  # 'pip' in this venv runs the shared pip under this venv's python
        for name in ("pip", "pip3"):
            script = venv.bin / name
            script.write_text('#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@"\n')
            script.chmod(0o755)
    if wheels:
        venv.pip_install(*wheels)
    return venv


def run_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this pytest run shares (with pytest-xdist, the workers'
    temporary folders have one parent made for the run); without workers, the run's own."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def once_per_run(factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """``(folder, build)``: the first worker to ask builds into ``folder`` while the others
    wait; ``build`` is False for the others, who use what it built. A build that failed
    is tried again by the next one."""
    folder = run_folder(factory) / f"shared-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / ".built"
    import fcntl  # POSIX, as the rest of the suite's process handling

    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if done.exists():
                yield folder, False
                return
            for stale in folder.iterdir():
                if stale.name != ".lock":
                    shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
            yield folder, True
            done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
