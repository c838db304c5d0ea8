"""Shared fixtures: a fresh plugin host per test, the real catalog, and a CLI runner."""

from __future__ import annotations

# First of all: move the whole run (every fixture, whatever its scope, and every
# subprocess) to a throw-away home, and guard the real user's glutekit folders.
# isort: off
from tests.isolation import (
    RUN_SPEECH,
    RUN_VOICE_CACHE,
    folders_header,
    pytest_sessionfinish,
    pytest_unconfigure,
)

# isort: on

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings as hypothesis_settings

from glutekit.catalog import Catalog
from glutekit.host.plugins import PluginHost, make_plugin_host
from tests import forkserver, run_speech

__all__ = ["pytest_sessionfinish", "pytest_unconfigure"]

# ------------------------------------------------------------------- property tests
# Every property test replays: by default Hypothesis derives its examples from each
# test's name ("replayable", what .ci/test runs), so a failure seen on one machine is
# seen on any other. "explore" draws new examples each run and, when one fails, prints
# the seed to replay it (--hypothesis-seed=N) and the failing example's blob.
# Loaded here, before any test module builds its own settings on top of the profile.
hypothesis_settings.register_profile("replayable", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis_settings.load_profile("replayable")


def drawn_seed(request: pytest.FixtureRequest) -> int:
    """A seed for a test that draws its own random requests, as Hypothesis's are drawn:
    derived from the test's id under the "replayable" profile (the same on every
    machine), new each run under "explore". ``--hypothesis-seed=N`` gives N. The seed is
    printed, so a failure shows how to replay it."""
    import random
    import zlib

    config = request.config
    given = config.getoption("hypothesis_seed", None)
    profile = config.getoption("hypothesis_profile", None) or "replayable"
    if given is not None:
        seed = int(given) if str(given).isdigit() else zlib.crc32(str(given).encode())
    elif hypothesis_settings.get_profile(profile).derandomize:
        seed = zlib.crc32(request.node.nodeid.encode()) % 1_000_000
    else:
        seed = random.randrange(1_000_000)
    print(f"seed {seed} (--hypothesis-seed={seed} replays it)")
    return seed


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    """See :func:`drawn_seed`."""
    return drawn_seed(request)


def pytest_report_header(config: pytest.Config) -> list[str]:
    profile = config.getoption("hypothesis_profile", None) or "replayable"
    seed = config.getoption("hypothesis_seed", None)
    if seed is not None:
        examples = f"seed {seed}"
    elif hypothesis_settings.get_profile(profile).derandomize:
        examples = "derived from each test's name, the same on every machine"
    else:
        examples = "random; a failure prints its seed (--hypothesis-seed=N replays it)"
    return [
        folders_header(),
        f"property tests: Hypothesis profile {profile!r}, examples {examples}",
    ]


# ------------------------------------------------------------------- parts of a run
# ``.ci/test`` runs the suite in two parts: everything else spread over the CPU cores
# (pytest-xdist), and the tests marked ``realtime``, four at a time: they assert
# lateness, latency or real-time playback and mostly wait on the clock. They run beside
# the parallel part at a higher priority where the user may raise one (root), so the
# scheduler hands them the CPU as soon as they wake; elsewhere after it, with nothing
# else running. A neighbour of equal priority that kept every core busy would make
# them measure the machine.

PARTS = ("all", "parallel", "realtime")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--part",
        choices=PARTS,
        default="all",
        help="all (default); parallel: leave out the realtime tests; realtime: only those",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "realtime(seconds=N): asserts lateness, latency or real-time playback; .ci/test "
        "runs these apart from the others (beside them at a higher priority, or after "
        "them), the longest (about N seconds) first",
    )
    config.addinivalue_line(
        "markers",
        "own_voice_cache: the test tests the voice cache itself (its place, cap, damage or "
        "clearing), so it gets an empty one of its own instead of the run's shared one",
    )
    config.addinivalue_line(
        "markers",
        "untraced: coverage does not trace the test's body (property tests that run the "
        "same code thousands of times; tracing would double their CPU time)",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Run a test marked ``untraced`` with coverage measurement stopped.

    pytest-cov's own ``no_cover`` marker stops only the measurement it started last; an
    xdist worker has two running, so the other one went on tracing every line.
    """
    if item.get_closest_marker("untraced") is None:
        yield
        return
    stopped = _stop_coverage()
    try:
        yield
    finally:
        for measurement in reversed(stopped):
            measurement.start()


def _stop_coverage() -> list[Any]:
    """Stop every running coverage measurement; the ones stopped, latest first."""
    try:
        from coverage import Coverage
    except ImportError:
        return []
    stopped: list[Any] = []
    while (current := Coverage.current()) is not None and current not in stopped:
        current.stop()
        stopped.append(current)
    return stopped


LOCAL_SCOPES = ("package", "module", "class")


def _shared_work(item: pytest.Item) -> str | None:
    """The group of tests that share this test's expensive fixtures, if any.

    With ``--dist loadgroup`` a group runs on one worker, so a fixture made once per
    module (a module's venv, a session's audio) is made once for the whole run, not once
    per worker. What the whole run shares needs no group: the voice cache (see
    :data:`tests.isolation.RUN_VOICE_CACHE`) and the wheels and venv every worker may
    use (see :func:`tests.venvs.once_per_run`).
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    scopes = set()
    for defs in info.name2fixturedefs.values():
        for fixturedef in defs:
            if fixturedef.baseid.startswith("tests") and fixturedef.scope in LOCAL_SCOPES:
                scopes.add(fixturedef.scope)
    if scopes:
        return item.nodeid.split("::", 1)[0]
    return None


# First: xdist's own hook reads the groups, to name each test by its group; a group
# added after it would be ignored, and every worker would build the shared fixtures again.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        group = _shared_work(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    part = config.getoption("--part")
    if part == "all":
        return
    wanted = part == "realtime"
    keep = [item for item in items if (item.get_closest_marker("realtime") is not None) == wanted]
    if wanted:
        # xdist hands each worker its next test before the last one ends: with the
        # longest first, two long ones do not end up one after the other on one worker
        # while another worker is done (in file order, one worker had 41 s of tests and
        # another 20).
        keep.sort(key=_realtime_seconds, reverse=True)
    else:
        if getattr(config.option, "loadgroup", False):  # set by xdist, workers included
            # Only where xdist keeps a module's shared-fixture tests on one worker: in
            # one process, interleaved modules would build their fixtures again and again.
            keep = _spread(keep)
        _note_realtime_files(items)
    kept = set(keep)
    dropped = [item for item in items if item not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep


def _note_realtime_files(items: list[pytest.Item]) -> None:
    """Write the test files that hold realtime tests, one a line, where
    ``GKTESTS_REALTIME_FILES`` says (``.ci/test`` hands them to the realtime part, whose
    workers then collect a few files instead of the whole suite: 7 s of a 40-s part)."""
    target = os.environ.get("GKTESTS_REALTIME_FILES")
    if not target:
        return
    files = sorted(
        {item.nodeid.split("::", 1)[0] for item in items if item.get_closest_marker("realtime")}
    )
    # Every worker collects the same tests and writes the same list; each replaces the
    # file whole, so the reader never sees half a list.
    partial = Path(f"{target}.{os.getpid()}")
    partial.write_text("".join(f"{name}\n" for name in files), encoding="utf-8")
    partial.replace(target)


def _spread(items: list[pytest.Item]) -> list[pytest.Item]:
    """The tests in an order that spreads each module's tests evenly over the run, each
    module's in its own order.

    The workers take single tests in this order. Tests of one module tend to spend their
    time alike: in file order, the four misbehaving-plugin tests of ``test_plugin_matrix``
    ran at once on four of the six workers, each waiting on a watchdog, and the two
    cores stood idle two fifths of the time for half a minute. Spread out, a test that
    waits runs beside tests that compute; slow tests come early (see :func:`_share`).
    The tests of a module that share fixtures are one unit of work for xdist (see
    :func:`_shared_work`), which hands such units out first, the largest first.
    """
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    keyed = []
    for number, tests in enumerate(modules.values()):
        # Where each test would go on its own, given to the module's tests in file order.
        places = sorted(
            _share(item) * (index + 0.5) / len(tests) for index, item in enumerate(tests)
        )
        keyed += [
            (place, number, index, item)
            for index, (place, item) in enumerate(zip(places, tests, strict=True))
        ]
    keyed.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in keyed]


def _share(item: pytest.Item) -> float:
    """The part of the run a test is spread over: the first half for tests marked
    ``slow`` (they build wheels or venvs, up to 40 s), so that none of them is what
    the last worker still runs after the others are done; all of it for the others."""
    return 0.5 if item.get_closest_marker("slow") is not None else 1.0


def _realtime_seconds(item: pytest.Item) -> float:
    """About how long a realtime test takes (its marker's ``seconds``, else 0)."""
    marker = item.get_closest_marker("realtime")
    return float(marker.kwargs.get("seconds", 0)) if marker is not None else 0.0


def pytest_collection_finish(session: pytest.Session) -> None:
    """Render the ready-made routines' speech once, up front, if any selected test hears it."""
    if session.config.option.collectonly or not run_speech.wanted(session.items):
        return
    run_speech.prefill(RUN_SPEECH, say=lambda line: print(f"\n{line}", file=sys.stderr))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    done = run_speech.summary(RUN_SPEECH)
    if done:
        terminalreporter.write_line(done)
        kept = run_speech.still_cached(RUN_SPEECH)
        if kept:
            terminalreporter.write_line(kept)


REPO = Path(__file__).resolve().parent.parent
ROUTINES_DIR = REPO / "routines"
SEEDS_DIR = REPO.parent / "shared" / "seeds"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """Keep tests away from the real user's data, cache and routines.

    Every test has a home of its own, but speech rendered by one test is reused by the
    others (same text, voice and settings, so the same file): ``GLUTEKIT_VOICE_CACHE_DIR``
    points at the run's shared voice cache, in this process and in the glutekit
    processes a test starts. Tests marked ``own_voice_cache`` test the cache itself and
    get the default, empty one in their home instead; a test that is not marked and
    empties the shared cache fails, since every later test would render its speech again.
    """
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
        "GLUTEKIT_VOICE_CACHE_DIR",
    ):
        monkeypatch.delenv(var, raising=False)
    if request.node.get_closest_marker("own_voice_cache") is not None:
        yield
        return
    monkeypatch.setenv("GLUTEKIT_VOICE_CACHE_DIR", str(RUN_VOICE_CACHE))
    already = run_speech.emptied(RUN_SPEECH)
    yield
    if not already and run_speech.emptied(RUN_SPEECH):
        pytest.fail(
            "this test emptied the run's shared voice cache (the cues rendered up front "
            "for every test): a test that clears or trims a voice cache must have its "
            "own, mark it own_voice_cache",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def _run_voice_cache() -> Path:
    """The voice cache shared by every test and worker of the run."""
    return RUN_VOICE_CACHE


@pytest.fixture
def shared_voice_cache(_run_voice_cache: Path) -> Path:
    """The run's shared voice cache, for tests that hand a cache folder to the API.

    Subprocesses and in-process commands use it already (``GLUTEKIT_VOICE_CACHE_DIR``);
    tests of the cache itself (its cap, damage, faults) must be marked
    ``own_voice_cache`` and not use it.
    """
    return _run_voice_cache


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
    """Run ``python -m glutekit`` in a process of its own: forked from one that has
    imported glutekit already, or a fresh one where that would differ (see
    :mod:`tests.forkserver`)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [*forkserver.command(full_env), *map(str, args)],
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
    """Wheels of this checkout's glutekit and of the example pack, built once per run (the
    first worker to need them builds them; the others wait for them)."""
    from tests.venvs import EXAMPLE, build_wheel, once_per_run

    with once_per_run(tmp_path_factory, "wheels") as (out, build):
        if build:
            build_wheel(REPO, out / "glutekit")
            build_wheel(EXAMPLE, out / "hip-flexors")
        return {name: next((out / name).glob("*.whl")) for name in ("glutekit", "hip-flexors")}


@pytest.fixture(scope="session")
def wheel_env(tmp_path_factory: pytest.TempPathFactory, built_wheels: dict[str, Path]) -> Path:
    """A fresh venv (pip only, no system site-packages) in which pip installed this
    checkout's glutekit wheel and its dependencies, and nothing else: what a user's
    ``pip install glutekit`` gives. Made once per run for every worker (it took each of
    the two test modules that use it a venv and an install of its own).

    Tests must not install anything into it: tests/test_licence_and_reach.py checks
    what it holds. The README's own install command, build isolation and all, is tried
    in a venv of its own there.
    """
    from tests.venvs import once_per_run, wheel_venv

    with once_per_run(tmp_path_factory, "wheel-env") as (folder, build):
        if build:
            wheel_venv(folder / "venv", built_wheels["glutekit"])
        return folder / "venv"


@pytest.fixture(scope="session")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory, built_wheels: dict[str, Path]) -> object:
    """One venv for the run with glutekit and the example pack installed from wheels.

    Tests must not install anything else into it: use ``make_venv`` for that.
    """
    from tests.venvs import Venv, make_venv, once_per_run

    with once_per_run(tmp_path_factory, "venv") as (folder, build):
        if build:
            make_venv(folder / "shared", built_wheels["glutekit"], built_wheels["hip-flexors"])
        return Venv(folder / "shared")
