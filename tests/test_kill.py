"""SIGKILL `glutekit run` at random moments: the history survives and --resume continues.

Each round plays quick-five at --speed 150 (two seconds) and kills it at a random point (seeded, so a
failure can be replayed). Afterwards the database must pass ``integrity_check``, every
hold the printed cues show as finished must be recorded, and ``--resume`` must start
at the set-up of the first hold that was not recorded.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from glutekit.catalog import Catalog
from glutekit.model import Segment, Timeline
from glutekit.timeline import compile

ROUNDS = 20
SEED = 20240515
#: Fast enough for twenty rounds in a short while, slow enough that a round's holds are
#: each written well apart from the next (a 20-s hold lasts 0.13 s).
SPEED = 150
#: A hold finished this recently before the kill may still be on its way to the disk
#: (it is the "step in progress" of the recording); older ones must be there.
GRACE = 0.05
CUE_LINE = re.compile(r"^\[\d\d:\d\d\] (\S+)\s+(.*)$")
WORK = ("hold", "reps")


def start(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], list[tuple[float, str]]]:
    """Start glutekit; a thread collects each stdout line with the time it arrived."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "glutekit", "run", "quick-five", "--no-voice", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append((time.monotonic(), line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc.reader = reader  # type: ignore[attr-defined]
    return proc, lines


def cue_segments(timeline: Timeline, lines: list[tuple[float, str]]) -> list[tuple[float, Segment]]:
    """The segment of each printed cue line, checked against the timeline's own cues."""
    owners = [(cue, seg) for seg in timeline.segments for cue in seg.cues]
    out = []
    for k, (arrived, line) in enumerate(ln for ln in lines if CUE_LINE.match(ln[1])):
        kind, text = CUE_LINE.match(line).groups()  # type: ignore[union-attr]
        cue, seg = owners[k]
        assert (kind, text) == (cue.kind, cue.text), f"cue {k} printed as {line!r}"
        out.append((arrived, seg))
    return out


def recorded_holds(db: Path, session_id: int) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute(
            "SELECT segment_index, outcome FROM holds WHERE session_id = ? ORDER BY id",
            (session_id,),
        ).fetchall()
    finally:
        conn.close()
    assert all(outcome == "completed" for _, outcome in rows)
    return [index for index, _ in rows]


def check_resume_start(timeline: Timeline, done: set[int], first: Segment) -> None:
    """The resumed run starts at the set-up leading into the first hold not recorded."""
    segments = timeline.segments
    holds = [s for s in segments if s.kind in WORK]
    missing = [s for s in holds if s.index not in done]
    if not done:
        assert first.index == 0
        return
    target = missing[0]
    assert all(s.index in done for s in holds if s.index < first.index)
    assert first.index <= target.index
    between = segments[first.index : target.index]
    assert all(s.kind not in WORK and s.step_path == target.step_path for s in between)
    if first.index > 0:
        before = segments[first.index - 1]
        assert before.kind in WORK or before.step_path != target.step_path


@pytest.mark.slow
def test_sigkill_at_random_points(tmp_path: Path, catalog: Catalog) -> None:
    timeline = compile(catalog.routines["quick-five"], catalog)
    env = {**os.environ, "GLUTEKIT_DATA_DIR": str(tmp_path)}
    db = tmp_path / "history.sqlite3"
    rng = random.Random(SEED)
    real_length = timeline.duration / SPEED
    for round_ in range(1, ROUNDS + 1):
        proc, lines = start(env, "--speed", str(SPEED))
        while not lines and proc.poll() is None:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.2, real_length - 0.2))
        killed_at = time.monotonic()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.reader.join(timeout=10)  # type: ignore[attr-defined]
        assert proc.returncode == -signal.SIGKILL

        printed = cue_segments(timeline, lines)
        session_id = round_ * 2 - 1  # each round adds the killed run and its resume
        done = recorded_holds(db, session_id)
        assert done == sorted(done) and len(done) == len(set(done))
        for hold in (s for s in timeline.segments if s.kind in WORK):
            shown = [t for t, seg in printed if seg.index > hold.index]
            if shown and shown[0] < killed_at - GRACE:
                assert hold.index in done, f"round {round_}: hold {hold.index} was lost"
        last_shown = printed[-1][1].index if printed else 0
        assert all(index < last_shown + 3 for index in done), "recorded a hold not yet played"

        resumed = subprocess.run(
            [
                sys.executable,
                "-m",
                "glutekit",
                "run",
                "quick-five",
                "--no-voice",
                "--speed",
                "1000",
                "--resume",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert resumed.returncode == 0, resumed.stderr
        assert "Traceback" not in resumed.stderr
        cues = [line for line in resumed.stdout.splitlines() if CUE_LINE.match(line)]
        first_segment = _segment_of_first_cue(timeline, cues[0])
        check_resume_start(timeline, set(done), first_segment)

    sessions = json.loads(
        subprocess.run(
            [sys.executable, "-m", "glutekit", "history", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )["sessions"]
    # Each killed session and its resume read as one finished session with every hold done.
    holds = sum(1 for s in timeline.segments if s.kind in WORK)
    assert holds, "quick-five has holds to record"
    assert [(s["status"], s["holds_completed"]) for s in sessions] == [("finished", holds)] * ROUNDS


def _segment_of_first_cue(timeline: Timeline, line: str) -> Segment:
    """The segment whose first cue the resumed run printed first (times are absolute)."""
    kind, text = CUE_LINE.match(line).groups()  # type: ignore[union-attr]
    stamp = line[1:6]
    for seg in timeline.segments:
        if seg.cues and (seg.cues[0].kind, seg.cues[0].text) == (kind, text):
            minutes, seconds = int(stamp[:2]), int(stamp[3:])
            if int(seg.cues[0].at) == minutes * 60 + seconds:
                return seg
    raise AssertionError(f"the resumed run began with {line!r}, no segment starts so")
