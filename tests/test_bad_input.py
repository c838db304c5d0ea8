"""Every row of docs/errors.md, through the real command line in a subprocess.

Each case builds its bad input, runs glutekit, and checks the exit code, that the
problem is one line holding the documented text, and that no traceback appears.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from glutekit.files import MAX_FILE_BYTES
from glutekit.history.db import HistoryDB
from tests.conftest import REPO, run_glutekit

KNEE_HUG = {"exercise": "glutes:knee-hug"}


def routine(**fields: object) -> str:
    return json.dumps({"id": "r", "title": "T", "steps": [KNEE_HUG], **fields}, ensure_ascii=False)


@dataclass
class Case:
    args: list[str]
    expect: str
    exit: int
    #: name -> contents (str or bytes) of files to create; None makes a directory.
    files: dict[str, str | bytes | None] = field(default_factory=dict)
    #: Prepares the data folder; may return a context manager to hold during the run.
    setup: Callable[[Path], object] | None = None
    #: Other commands print "glutekit: error: ..."; validate prints bare lines.
    warning: bool = False


def corrupt_history(data: Path) -> None:
    ok = run_glutekit(
        "run", "quick-five", "--speed", "1000", "--no-voice", env={"GLUTEKIT_DATA_DIR": str(data)}
    )
    assert ok.returncode == 0, ok.stderr
    with open(data / "history.sqlite3", "r+b") as handle:
        handle.write(b"junk" * 64)


@contextmanager
def locked_history(data: Path) -> Iterator[None]:
    """Another process holds the database's write lock for the whole run."""
    HistoryDB.open(data / "history.sqlite3").close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, time\n"
            f"c = sqlite3.connect({str(data / 'history.sqlite3')!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True); time.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()


def unwritable(data: Path) -> None:
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text("a file where the data folder should be")


RUN = ["run", "quick-five", "--speed", "1000", "--no-voice"]

CASES: dict[str, Case] = {
    "malformed-json": Case(
        ["validate", "bad.json"],
        "bad.json:2:11: invalid JSON: Expecting value",
        2,
        {"bad.json": '{"id": "x",\n "title": }'},
    ),
    "nan-in-json": Case(
        ["validate", "nan.json"],
        "invalid JSON: NaN is not allowed in JSON",
        2,
        {"nan.json": '{"id": "x", "title": "t", "steps": [{"rest": NaN}]}'},
    ),
    "huge-file": Case(
        ["transcript", "huge.json"],
        f"the limit is {MAX_FILE_BYTES:,} bytes",
        2,
        {"huge.json": routine(description="a" * (MAX_FILE_BYTES + 1))},
    ),
    "deep-nesting": Case(
        ["validate", "deep.json"],
        "nested 33 levels deep; the limit is 32",
        2,
        {"deep.json": '{"id": "d", "title": "d", "steps": ' + "[" * 32 + "]" * 32 + "}"},
    ),
    "nesting-bomb": Case(
        ["transcript", "bomb.json"],
        "JSON is nested too deeply",
        2,
        {"bomb.json": "[" * 100_000 + "]" * 100_000},
    ),
    "negative-hold": Case(
        ["validate", "neg.json"],
        "/steps/0/dose/hold: -5 is not valid here",
        2,
        {"neg.json": routine(steps=[{**KNEE_HUG, "dose": {"hold": -5}}])},
    ),
    "zero-hold": Case(
        ["validate", "zero.json"],
        "/steps/0/dose/hold: '0s' is no time to hold; a hold is at least 1 s",
        2,
        {"zero.json": routine(steps=[{**KNEE_HUG, "dose": {"hold": "0s"}}])},
    ),
    "ten-hour-hold": Case(
        ["transcript", "ten.json"],
        "/steps/0/dose/hold: '10h' is 36000 s; the limit is 3600 s",
        2,
        {"ten.json": routine(steps=[{**KNEE_HUG, "dose": {"hold": "10h"}}])},
    ),
    "ten-thousand-steps": Case(
        ["validate", "many.json"],
        "/steps: has 10000 items; at most 500 allowed",
        2,
        {"many.json": routine(steps=[{"rest": 1}] * 10_000)},
    ),
    "block-explosion": Case(
        ["validate", "blocks.json"],
        "/steps: the routine expands to 4021 steps; the limit is 2000",
        2,
        {
            "blocks.json": routine(
                steps=[
                    {
                        "block": "outer",
                        "repeat": 20,
                        "steps": [{"block": "inner", "repeat": 20, "steps": [KNEE_HUG] * 10}],
                    }
                ]
            )
        },
    ),
    "huge-repeat": Case(
        ["validate", "repeat.json"],
        "10000 is greater than the maximum of 20",
        2,
        {"repeat.json": routine(steps=[{"block": "b", "repeat": 10_000, "steps": [KNEE_HUG]}])},
    ),
    "unknown-exercise": Case(
        ["transcript", "unk.json"],
        "/steps/0/exercise: unknown exercise 'glutes:knee-hugg' (did you mean: glutes:knee-hug",
        2,
        {"unk.json": routine(steps=[{"exercise": "glutes:knee-hugg"}])},
    ),
    "unknown-routine": Case(["run", "no-such-routine"], "unknown routine 'no-such-routine'", 2),
    "wrong-type": Case(
        ["validate", "type.json"],
        "/steps: 'abc' is not of type 'array'",
        2,
        {"type.json": routine(steps="abc")},
    ),
    "control-characters": Case(
        ["transcript", "ctl.json"],
        "/title: contains a control character (U+0007); use plain text",
        2,
        {"ctl.json": routine(title="Bell\u0007")},
    ),
    "long-text": Case(
        ["validate", "long.json"],
        "/title: is 100000 characters long; at most 200 allowed",
        2,
        {"long.json": routine(title="x" * 100_000)},
    ),
    "unicode-text": Case(
        ["transcript", "uni.json"],
        "Respirez — lentement 🍑 深呼吸",
        0,
        {
            "uni.json": routine(
                title="Étirement", steps=[{"say": "Respirez — lentement 🍑 深呼吸"}, KNEE_HUG]
            )
        },
    ),
    "missing-file": Case(["validate", "missing.json"], "missing.json: no such file", 2),
    "directory": Case(
        ["transcript", "folder.json"], "folder.json: is a directory", 2, {"folder.json": None}
    ),
    "empty-file": Case(
        ["validate", "empty.json"], "empty.json: file is empty", 2, {"empty.json": ""}
    ),
    "not-utf8": Case(
        ["validate", "latin.json"],
        "latin.json: not UTF-8 text (byte 7)",
        2,
        {"latin.json": '{"id":"é"}'.encode("latin-1")},
    ),
    "bad-since": Case(["history", "--since", "yesterday"], "--since: 'yesterday' is not a date", 2),
    "bad-plot-format": Case(
        ["history", "--plot", "chart.gif"], "cannot plot to '.gif'; use .svg or .png", 2
    ),
    "pain-out-of-range": Case(
        [*RUN, "--pain-before", "11"],
        "Invalid value for '--pain-before': 11 is not in the range 0<=x<=10.",
        2,
    ),
    "corrupted-history": Case(["history"], "was damaged; moved to ", 1, setup=corrupt_history),
    "corrupted-history-run": Case(
        RUN, "was damaged; moved to ", 0, setup=corrupt_history, warning=True
    ),
    "locked-history-run": Case(
        RUN,
        "is locked by another program (waited 5 s); this session will not be recorded",
        0,
        setup=locked_history,
        warning=True,
    ),
    "locked-history-read": Case(["history"], "No sessions recorded yet", 0, setup=locked_history),
    "unwritable-data-folder": Case(
        RUN, "this session will not be recorded", 0, setup=unwritable, warning=True
    ),
}


def documented_cases() -> list[str]:
    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.MULTILINE)


def documented_tests() -> dict[str, str]:
    """Rows whose second column names a test in another module: case -> test name."""
    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([a-z0-9-]+)` \| `(test_[a-z0-9_]+)` \|", text, re.MULTILINE))


def test_every_documented_row_has_a_case() -> None:
    elsewhere = documented_tests()
    assert [c for c in documented_cases() if c not in elsewhere] == list(CASES)
    sources = "".join(
        (REPO / "tests" / name).read_text(encoding="utf-8")
        for name in (
            "test_faults.py",
            "test_output_paths.py",
            "test_hostile.py",
            "test_crashes.py",
            "test_plugin_matrix.py",
            "test_attack_storage.py",
            "test_attack_inputs.py",
            "test_serve.py",
            "test_events.py",
            "test_voice_render.py",
            "test_voice_pool.py",
            "test_voice_music.py",
        )
        if (REPO / "tests" / name).exists()
    )
    for case, test in elsewhere.items():
        assert f"def {test}(" in sources, case


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    for filename, content in case.files.items():
        target = tmp_path / filename
        if content is None:
            target.mkdir()
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    data = tmp_path / "data"
    held = case.setup(data) if case.setup else None
    started = time.monotonic()
    with held if hasattr(held, "__enter__") else _nothing():  # type: ignore[union-attr]
        result = run_glutekit(*case.args, env={"GLUTEKIT_DATA_DIR": str(data)}, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == case.exit, output
    if case.exit == 0 and not case.warning:
        assert case.expect in result.stdout
        return
    lines = [line for line in result.stderr.splitlines() if case.expect in line]
    assert len(lines) == 1, result.stderr
    if case.warning:
        assert lines[0].startswith("glutekit: warning: ")
        assert result.stdout.rstrip().splitlines()[-1].startswith("Finished in")
    elif case.args[0] == "validate":
        assert result.stderr.splitlines()[-1] == "1 of 1 file(s) invalid"
    elif not case.expect.startswith("Error:"):
        assert result.stderr.strip() == lines[0] and lines[0].startswith("glutekit: error: ")
    assert time.monotonic() - started < 30


@contextmanager
def _nothing() -> Iterator[None]:
    yield
