"""Keep a whole test run away from the real user's glutekit folders, and prove it.

Importing this module (``tests/conftest.py`` does it first thing) moves the process to a
throw-away home before any test, fixture or subprocess can run: ``HOME``, every ``XDG_*``
folder, and no inherited ``GLUTEKIT_*`` variable. Fixtures of any scope and every
subprocess inherit that environment.

As a pytest plugin it also guards the real folders: it records what glutekit's data,
cache, config and state folders of the real user hold when the run starts, and fails the
run, naming each changed path, if anything there changed by the end.

With pytest-xdist (``.ci/test`` uses it) the main process isolates itself and starts
the workers, which inherit its throw-away environment and then move to homes of their
own. The main process records the real folders before any worker exists and checks
them after the last worker is done, so it guards the whole run; a worker's own guard
only watches the main process's throw-away folders.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import platformdirs
import pytest

APP = "glutekit"

#: Per-user folder variables that the run replaces with folders of its own.
FOLDER_VARS = ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")

Snapshot = Mapping[str, tuple[int, int, int]]


def user_folders() -> list[Path]:
    """The folders glutekit would use under the current environment."""
    folders = {
        Path(platformdirs.user_data_dir(APP)),
        Path(platformdirs.user_cache_dir(APP)),
        Path(platformdirs.user_config_dir(APP)),
        Path(platformdirs.user_state_dir(APP)),
    }
    for name, value in os.environ.items():
        if name.startswith("GLUTEKIT_") and name.endswith("_DIR") and value:
            folders.add(Path(value))
    return sorted(folders)


def snapshot(folders: Iterable[Path]) -> dict[str, tuple[int, int, int]]:
    """Every path under ``folders`` with its type, size and modification time."""
    state: dict[str, tuple[int, int, int]] = {}
    for root in folders:
        paths = [root]
        if root.is_dir() and not root.is_symlink():
            for dirpath, dirnames, filenames in os.walk(root):
                paths += [Path(dirpath, name) for name in (*dirnames, *filenames)]
        for path in paths:
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            size = 0 if stat.S_ISDIR(info.st_mode) else info.st_size
            mtime = 0 if stat.S_ISDIR(info.st_mode) else info.st_mtime_ns
            state[str(path)] = (stat.S_IFMT(info.st_mode), size, mtime)
    return state


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """One line per path that appeared, disappeared or changed."""
    lines = []
    for path in sorted(set(before) | set(after)):
        if path not in before:
            lines.append(f"added:   {path}")
        elif path not in after:
            lines.append(f"removed: {path}")
        elif before[path] != after[path]:
            lines.append(f"changed: {path}")
    return lines


def isolate(root: Path) -> None:
    """Point this process (and so its children) at a fresh home under ``root``.

    pip keeps the machine's download cache (the one that installed the test tools), so
    the tests that install glutekit into fresh venvs read wheels from it rather than
    download them again; and it installs without byte-compiling every module of every
    package (the modules a test imports are compiled when imported).
    """
    home = root / "home"
    os.environ.setdefault("PIP_CACHE_DIR", platformdirs.user_cache_dir("pip"))
    os.environ.setdefault("PIP_NO_COMPILE", "1")
    for name in [n for n in os.environ if n.startswith("GLUTEKIT_")]:
        del os.environ[name]
    os.environ["HOME"] = str(home)
    os.environ["USERPROFILE"] = str(home)
    os.environ["XDG_DATA_HOME"] = str(home / ".local" / "share")
    os.environ["XDG_CACHE_HOME"] = str(home / ".cache")
    os.environ["XDG_CONFIG_HOME"] = str(home / ".config")
    os.environ["XDG_STATE_HOME"] = str(home / ".local" / "state")
    os.environ["XDG_CONFIG_DIRS"] = str(root / "etc-xdg")
    os.environ["XDG_DATA_DIRS"] = str(root / "usr-share")
    for var in FOLDER_VARS:
        Path(os.environ[var]).mkdir(parents=True, exist_ok=True)


#: Names the run's speech folder to the xdist workers and to the second part of
#: ``.ci/test`` (not a ``GLUTEKIT_`` variable, so that :func:`isolate` and the tests'
#: own clean-ups leave it alone).
RUN_SPEECH_VAR = "GKTESTS_RUN_SPEECH"


def _run_speech_folder(root: Path) -> Path:
    """The run's speech folder: the voice cache shared by the whole run (``voice/``) and
    the lock and record of rendering it up front (``tests/run_speech.py``)."""
    inherited = os.environ.get(RUN_SPEECH_VAR)
    if inherited:
        Path(inherited).mkdir(parents=True, exist_ok=True)
        return Path(inherited)
    folder = root / "run-speech"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[RUN_SPEECH_VAR] = str(folder)
    return folder


# Done at import, before conftest.py imports anything else and before any fixture exists.
REAL_FOLDERS = user_folders()
_BEFORE = snapshot(REAL_FOLDERS)
_ROOT = Path(tempfile.mkdtemp(prefix="glutekit-tests-"))
isolate(_ROOT)
#: This process's throw-away root (removed when the run ends).
RUN_ROOT = _ROOT
#: Where the run keeps its shared speech.
RUN_SPEECH = _run_speech_folder(_ROOT)
#: Rendered speech shared by every test and worker of the run (see ``conftest.py``).
RUN_VOICE_CACHE = RUN_SPEECH / "voice"


def folders_header() -> str:
    return f"glutekit user folders: isolated under {_ROOT}; guarding {len(REAL_FOLDERS)} real ones"


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    found = changes(_BEFORE, snapshot(REAL_FOLDERS))
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = [
        "",
        f"The test run changed the real user's glutekit folders ({len(found)} paths):",
        *(f"  {line}" for line in found[:50]),
    ]
    if reporter is not None:
        for line in message:
            reporter.write_line(line, red=True, bold=True)
    else:  # pragma: no cover - running without the terminal plugin
        print("\n".join(message))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure() -> None:
    shutil.rmtree(_ROOT, ignore_errors=True)
