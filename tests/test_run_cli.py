"""``glutekit run`` and ``glutekit transcript`` through the real console script."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from glutekit.catalog import Catalog
from glutekit.timeline import compile

ROUTINES = sorted((Path(__file__).resolve().parent.parent / "routines").glob("*.json"))
CUE_LINE = re.compile(r"^\[(\d\d:\d\d(?::\d\d)?)\] (\S+)\s+(.*)$")
TRANSCRIPT_LINE = re.compile(r"^(\d\d:\d\d(?::\d\d)?) (\S+)\s+(.*)$")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "glutekit", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _pairs(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str, str]]:
    return [m.groups() for m in map(pattern.match, text.splitlines()) if m]  # type: ignore[misc]


@pytest.fixture(scope="module")
def fast_runs() -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Every ready-made routine at --speed 100, all at once (they mostly sleep)."""
    procs = {p.stem: _start("run", str(p), "--speed", "100", "--no-voice") for p in ROUTINES}
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("path", ROUTINES, ids=lambda p: p.stem)
def test_ready_made_routine_runs_and_prints_the_transcript(
    path: Path, fast_runs: dict[str, subprocess.Popen[str]], glutekit_proc: object
) -> None:
    out, err = fast_runs[path.stem].communicate(timeout=120)
    assert fast_runs[path.stem].returncode == 0, err
    transcript = glutekit_proc("transcript", str(path))  # type: ignore[operator]
    assert transcript.returncode == 0, transcript.stderr
    expected = _pairs(transcript.stdout, TRANSCRIPT_LINE)
    printed = _pairs(out, CUE_LINE)
    assert expected and printed == expected
    assert re.search(r"^Finished in \d\d:\d\d: \d+ exercises?, \d+ sides?\.$", out, re.M)
    assert "Traceback" not in err


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_mid_run_stops_cleanly(sig: signal.Signals, code: int, catalog: Catalog) -> None:
    from glutekit.model.durations import clock
    from glutekit.timeline.played import played_length

    # A text session plays the timeline laid out with speech estimated from the words.
    length = clock(played_length(catalog.routines["quick-five"], catalog))
    proc = _start("run", "quick-five", "--speed", "10", "--no-voice")
    assert proc.stdout is not None
    lines = []
    deadline = time.monotonic() + 30
    while len(lines) < 12 and time.monotonic() < deadline:  # well into the first hold
        lines.append(proc.stdout.readline())
    proc.send_signal(sig)
    rest, err = proc.communicate(timeout=15)
    assert proc.returncode == code, err
    summary = rest.strip().splitlines()[-1]
    assert re.match(
        rf"^Stopped after \d\d:\d\d of {length}: "
        rf"(\d+ exercises?(, \d+ sides?)? done|nothing done yet)\.$",
        summary,
    ), summary
    assert "Traceback" not in err


def test_transcript_json_matches_the_timeline(
    tmp_path: Path, glutekit_proc: object, catalog: Catalog
) -> None:
    routine = {
        "id": "mini",
        "title": "Mini",
        "settings": {"prepare": 4, "rest": 3},
        "steps": [
            {"exercise": "glutes:knee-hug", "dose": {"hold": 20}},
            {"exercise": "glutes:double-knee-hug"},
        ],
    }
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(routine))
    result = glutekit_proc("transcript", str(path), "--json")  # type: ignore[operator]
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    timeline = compile(catalog.find_routine(str(path)), catalog)
    assert data["duration"] == timeline.duration
    assert [(c["at"], c["kind"], c["text"]) for c in data["cues"]] == [
        (c.at, c.kind, c.text) for c in timeline.cues
    ]
    sides = {(c["exercise"], c["side"]) for c in data["cues"] if c["kind"] == "begin"}
    assert sides == {
        ("glutes:knee-hug", "right"),
        ("glutes:knee-hug", "left"),
        ("glutes:double-knee-hug", None),
    }


def test_unknown_output_is_named_with_a_suggestion(glutekit_proc: object) -> None:
    result = glutekit_proc("run", "quick-five", "--output", "consol")  # type: ignore[operator]
    assert result.returncode == 2
    assert "unknown output 'consol' (did you mean: console?)" in result.stderr


def test_unknown_routine_is_one_line(glutekit_proc: object) -> None:
    result = glutekit_proc("run", "quick-fiv", "--no-voice")  # type: ignore[operator]
    assert result.returncode == 2
    assert "unknown routine 'quick-fiv'" in result.stderr and "Traceback" not in result.stderr


class Terminal:
    """``glutekit`` running on a real pseudo-terminal, with a given ``TERM``."""

    def __init__(self, term: str, *args: str) -> None:
        self.controller, self.terminal = pty.openpty()
        self.settings = termios.tcgetattr(self.terminal)
        self.screen = b""
        self.arrivals: list[tuple[float, bytes]] = []  # (when, chunk) as read
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "glutekit", *args],
            stdin=self.terminal,
            stdout=self.terminal,
            stderr=subprocess.PIPE,
            env={**os.environ, "TERM": term},
            start_new_session=True,
        )

    def read_until(self, wanted: bytes, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while wanted not in self.screen:
            assert time.monotonic() < deadline, self.screen[-500:]
            ready, _, _ = select.select([self.controller], [], [], 0.1)
            if ready:
                chunk = os.read(self.controller, 65536)
                self.arrivals.append((time.monotonic(), chunk))
                self.screen += chunk

    def press(self, key: bytes) -> None:
        os.write(self.controller, key)

    def finish(self) -> tuple[int, bytes]:
        """Wait for the exit; the exit code and what went to stderr."""
        code = self.proc.wait(15)
        err = self.proc.stderr.read()  # type: ignore[union-attr]
        os.close(self.controller)
        os.close(self.terminal)
        return code, err


def test_keys_on_a_terminal_skip_and_quit_and_restore_the_terminal() -> None:
    term = Terminal("xterm-256color", "run", "quick-five", "--speed", "5", "--no-voice")
    term.read_until(b"Supine figure-four")  # the live view is up
    time.sleep(0.3)
    term.press(b"n")  # skip the prepare ...
    term.read_until(b"Begin. Hold for 20 seconds.")
    term.press(b"q")
    term.read_until(b"Quit after")
    after = termios.tcgetattr(term.terminal)
    code, err = term.finish()
    assert code == 0, err
    assert b"space pause/resume" in term.screen and b"Traceback" not in err
    assert after[3] == term.settings[3]  # echo and line editing are back on


def test_a_terminal_without_cursor_control_gets_each_cue_line_as_it_happens() -> None:
    """Under TERM=dumb (Emacs shells, some IDE consoles) the session is not a blank screen."""
    term = Terminal("dumb", "run", "quick-five", "--speed", "60", "--no-voice")
    term.read_until(b"Finished in", timeout=60)
    code, err = term.finish()
    assert code == 0, err
    text = term.screen.decode().replace("\r\n", "\n")
    assert "\x1b[" not in text  # no cursor movement, no colours
    cues = _pairs(text, CUE_LINE)
    transcript = subprocess.run(
        [sys.executable, "-m", "glutekit", "transcript", "quick-five"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert cues == _pairs(transcript.stdout, TRANSCRIPT_LINE)
    # Lines arrived while the ~5-second session played, not all at once at the end.
    times = [
        when
        for when, chunk in term.arrivals
        if any(CUE_LINE.match(line) for line in chunk.decode().splitlines())
    ]
    assert len(times) >= 10 and times[-1] - times[0] > 2.5, times
