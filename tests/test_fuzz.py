"""Fuzzing: `validate` and `transcript` meet arbitrary JSON and near-valid routines.

Whatever the input, they either succeed or raise a :class:`glutekit.errors.GlutekitError`
(which the CLI turns into one line and an exit code). Any other exception is a bug.
The functions the two commands use are called directly, so thousands of examples
run in seconds. The ``fuzz`` profile (the default) runs 2,000 examples per property, in
four parts of 500 with seeds of their own; set ``GKTESTS_FUZZ_PROFILE=fuzz-quick`` for
200 while working (not a ``GLUTEKIT_`` variable: the tests' isolation clears those).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from glutekit.catalog import Catalog
from glutekit.errors import GlutekitError
from glutekit.host.plugins import make_plugin_host
from glutekit.timeline import compile
from tests.conftest import ROUTINES_DIR

settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile("fuzz-quick", settings.get_profile("fuzz"), max_examples=200)
PROFILE = settings.get_profile(os.environ.get("GKTESTS_FUZZ_PROFILE", "fuzz"))
#: Each property runs in this many parts, each a test of its own with a fixed seed of its
#: own (1, 2, ...) and its share of the profile's examples: the same number of examples,
#: spread over the workers, and each part replays the same examples on every machine.
PARTS = 4
PART_PROFILE = settings(PROFILE, max_examples=max(1, PROFILE.max_examples // PARTS))


REAL_ROUTINES = [
    json.loads(p.read_text(encoding="utf-8")) for p in sorted(ROUTINES_DIR.glob("*.json"))
]

CATALOG = Catalog.build(
    make_plugin_host(autoload=True, only=None, block=(), strict=False, trace=False),
    user_routines=False,
)
#: The folder the properties write their file into, made by the first one that runs (each
#: worker imports this module, and most run none of its tests) and removed at the end.
_WORKDIR: list[Path] = []


def _workdir() -> Path:
    if not _WORKDIR:
        _WORKDIR.append(Path(tempfile.mkdtemp(prefix="glutekit-fuzz-")))
    return _WORKDIR[0]


# ----------------------------------------------------------------------------- strategies

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)
#: Values that probe the edges: limits, wrong types, odd text, real and fake ids.
nasty = (
    st.sampled_from(
        [
            -1,
            0,
            1,
            3600,
            3601,
            10**9,
            -(10**9),
            2**63,
            1.5,
            -0.0,
            True,
            False,
            None,
            "",
            " ",
            "10h",
            "1m30s",
            "-5s",
            "0s",
            "60m",
            "\u0000",
            "a\u0007b",
            "🍑" * 50,
            "x" * 500,
            [],
            {},
            "glutes:knee-hug",
            "glutes:nope",
            "knee-hug",
            "left",
            "right",
            "both",
            "hold",
            {"hold": 30},
            {"reps": 5, "tempo": {"up": 0, "down": 0}},
            {"breaths": 0},
        ]
    )
    | json_values
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, (*path, i))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


@st.composite
def near_valid_routines(draw: st.DrawFn) -> Any:
    """A real routine with one to three changes: a value replaced, a key dropped or added,
    a list item duplicated or removed."""
    data = json.loads(json.dumps(draw(st.sampled_from(REAL_ROUTINES))))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            continue
        parent, last = _get(data, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "drop", "add", "duplicate"]))
        if action == "replace":
            parent[last] = copy.deepcopy(draw(nasty))  # sampled values are shared objects
        elif action == "drop":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[
                draw(
                    st.sampled_from(
                        [
                            "dose",
                            "sides",
                            "sets",
                            "repeat",
                            "rest",
                            "say",
                            "pause",
                            "block",
                            "steps",
                            "extra",
                        ]
                    )
                )
            ] = copy.deepcopy(draw(nasty))
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(last, json.loads(json.dumps(parent[last])))
    return data


# ----------------------------------------------------------------------------- properties


def validate_and_transcribe(raw: bytes) -> None:
    """What `glutekit validate FILE` and `glutekit transcript FILE` do with these bytes."""
    path = _workdir() / "fuzz.json"
    path.write_bytes(raw)
    kind, _, problems = CATALOG.check_file(path)
    assert all(isinstance(p, str) and "\n" not in p for p in problems)
    try:
        timeline = compile(CATALOG.load_routine_file(path), CATALOG)
    except GlutekitError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert problems or kind != "routine", "transcript refused what validate accepted"
        return
    assert kind == "routine" and not problems, "transcript accepted what validate refused"
    assert timeline.duration >= 0
    assert all(seg.duration >= 0 for seg in timeline.segments)


def _in_parts(name: str, strategy: Any, check: Callable[[Any], None]) -> None:
    """Define ``test_<name>_part_<k>`` for k = 1..PARTS: ``check`` over ``strategy``.

    Only the first part is traced for coverage: tracing doubles the CPU time of these
    thousands of examples, and each part reaches the same lines (the rare error branches
    part 1 reaches, parts 2 to 4 reach again).
    """
    for part in range(1, PARTS + 1):

        @seed(part)
        @PART_PROFILE
        @given(strategy)
        def test(value: Any) -> None:
            check(value)

        if part > 1:
            test = pytest.mark.untraced(test)

        test.__name__ = test.__qualname__ = f"test_{name}_part_{part}"
        globals()[test.__name__] = test


_in_parts("arbitrary_json", json_values, lambda v: validate_and_transcribe(json.dumps(v).encode()))
_in_parts("arbitrary_bytes", st.binary(max_size=200), validate_and_transcribe)
_in_parts(
    "near_valid_routines",
    near_valid_routines(),
    lambda data: validate_and_transcribe(json.dumps(data, ensure_ascii=False).encode()),
)


def test_real_routines_still_pass() -> None:
    # The mutations start from these; they must be valid for the fuzzing to mean anything.
    assert len(REAL_ROUTINES) >= 8
    for data in REAL_ROUTINES:
        validate_and_transcribe(json.dumps(data).encode())


# For the session, not the module: a module-scoped fixture would keep the three long
# fuzz tests on one worker, one after another.
@pytest.fixture(scope="session", autouse=True)
def _clean_workdir() -> Any:
    yield
    if _WORKDIR:
        shutil.rmtree(_WORKDIR.pop())
