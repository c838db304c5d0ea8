"""`glutekit run` records sessions; `glutekit history` reports them; faults never stop a session.

Every test runs the real command line in a subprocess, with its own data folder.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from glutekit.history.db import HistoryDB
from tests.conftest import run_glutekit


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def gk(data: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_glutekit(*args, env={"GLUTEKIT_DATA_DIR": str(data)}, input=input)


def run_fast(data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = gk(data, "run", "quick-five", "--speed", "1000", "--no-voice", *extra)
    assert "Traceback" not in result.stderr
    return result


def db_rows(data: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data / "history.sqlite3")
    return conn.execute(
        "SELECT status, pain_before, pain_after FROM sessions ORDER BY id"
    ).fetchall()


def test_run_records_the_session_and_history_shows_it(data: Path) -> None:
    assert run_fast(data, "--pain-before", "6", "--pain-after", "3").returncode == 0
    assert db_rows(data) == [("finished", 6, 3)]
    result = gk(data, "history")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Started", "Routine", "Status", "Time", "Holds", "Pain"]
    assert "quick-five" in lines[1] and "finished" in lines[1] and lines[1].endswith("6 → 3")
    assert "Sessions per week (advised: at least 2):" in result.stdout
    assert "before 6.0, after 3.0" in result.stdout


def test_history_json_since_and_empty(data: Path) -> None:
    assert "No sessions recorded yet" in gk(data, "history").stdout
    run_fast(data)
    payload = json.loads(gk(data, "history", "--json").stdout)
    (session,) = payload["sessions"]
    assert (session["routine"], session["status"], session["holds_completed"]) == (
        "quick-five",
        "finished",
        6,  # quick-five: three exercises, both sides
    )
    assert payload["counted_sessions"] == 1 and payload["advised_per_week"] == 2
    assert payload["weeks"][-1]["sessions"] == 1
    later = gk(data, "history", "--since", "2999-01-01")
    assert later.returncode == 0 and "No sessions recorded since 2999-01-01" in later.stdout
    bad = gk(data, "history", "--since", "last tuesday")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "glutekit: error: --since: 'last tuesday' is not a date (use YYYY-MM-DD, or 30d, or 8w)"
    ]


def _filled(data: Path, sessions: int, seed: int) -> None:
    """``sessions`` recorded sessions through the database's own calls, some of them
    --resume chains."""
    import random

    from tests.test_history_aggregate import _fill

    data.mkdir(parents=True, exist_ok=True)
    db = HistoryDB.open(data / "history.sqlite3")
    _fill(db, random.Random(seed), sessions)
    db.close()


def _many(data: Path, sessions: int) -> None:
    """``sessions`` finished sessions over three years, written in one transaction."""
    data.mkdir(parents=True, exist_ok=True)
    db = HistoryDB.open(data / "history.sqlite3")
    conn = db._conn
    step = 3 * 365 * 86400 / sessions
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sessions (routine_id, routine_title, content_hash, started, ended,"
        " status, planned, elapsed, pain_before, pain_after, completed)"
        " VALUES ('quick-five', 'Quick five', 'h', ?, ?, 'finished', 305, 300, 5, 3, 6)",
        [(1.6e9 + i * step, 1.6e9 + i * step + 300) for i in range(sessions)],
    )
    conn.execute("COMMIT")
    db.close()


def test_history_json_is_the_whole_report_written_session_by_session(data: Path) -> None:
    from glutekit.cli.history import parse_since
    from glutekit.history.report import as_json_data
    from glutekit.history.stats import merge_resumed, summarise

    _filled(data, 120, seed=5)
    db = HistoryDB.open(data / "history.sqlite3")
    rows = db.sessions()
    db.close()
    merged = merge_resumed(rows)
    assert len(merged) < len(rows)  # some sessions were resumed and are folded
    whole = json.loads(json.dumps(as_json_data(data / "history.sqlite3", summarise(rows), merged)))
    streamed = gk(data, "history", "--json")
    assert streamed.returncode == 0, streamed.stderr
    got = json.loads(streamed.stdout)
    # The same document as the one built whole (the pain slope is added up by SQLite,
    # in another order: equal to the last few bits).
    assert got.pop("pain").pop("slope_per_week") == pytest.approx(
        whole.pop("pain").pop("slope_per_week"), rel=1e-9
    )
    assert got == whole and got["total_sessions"] == len(merged) == len(got["sessions"])
    # Laid out as json.dumps lays it out, so a diff of two reports reads as before.
    assert streamed.stdout == json.dumps(json.loads(streamed.stdout), indent=2) + "\n"
    # --limit lists the last few, --since the later ones; the summary is over all of them.
    last = json.loads(gk(data, "history", "--json", "--limit", "3").stdout)
    assert last["sessions"] == whole["sessions"][-3:]
    assert last["total_sessions"] == len(merged)
    assert last["counted_sessions"] == whole["counted_sessions"]
    cut = whole["sessions"][len(merged) // 2]["started"][:10]
    later = json.loads(gk(data, "history", "--json", "--since", cut).stdout)
    db = HistoryDB.open(data / "history.sqlite3")
    since = merge_resumed(db.sessions(since=parse_since(cut)))
    db.close()
    assert (
        later["sessions"]
        == json.loads(json.dumps(as_json_data(data, summarise(rows), since)))["sessions"]
    )
    assert 0 < later["total_sessions"] == len(since) < len(merged)


def _peak_kib(data: Path, *args: str) -> int:
    """The peak resident memory of ``glutekit history ARGS``, its output thrown away."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = {**os.environ, "GLUTEKIT_DATA_DIR": str(data)}
    done = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "glutekit", "history", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return int(done.stdout)


def test_history_json_memory_stays_flat_however_long_the_history(tmp_path: Path) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    _many(small, 200)
    _many(large, 20_000)
    # Read whole, 20,000 sessions took about 84 MiB more than 200 did.
    grew = _peak_kib(large, "--json") - _peak_kib(small, "--json")
    assert grew < 8 * 1024, f"{grew} KiB more for 20,000 sessions than for 200"


def test_plot_svg_and_png(data: Path, tmp_path: Path) -> None:
    run_fast(data, "--pain-before", "5", "--pain-after", "2")
    svg, png = tmp_path / "chart.svg", tmp_path / "chart.png"
    assert gk(data, "history", "--plot", str(svg)).returncode == 0
    root = ElementTree.parse(svg).getroot()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Sessions per week (advised: at least 2)" in texts and "Pain (0 to 10)" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) >= 2  # before and after
    assert gk(data, "history", "--plot", str(png)).returncode == 0
    from PIL import Image

    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (800, 540)
        assert len(image.getcolors(maxcolors=1 << 20) or []) > 10  # something was drawn
    bad = gk(data, "history", "--plot", str(tmp_path / "chart.gif"))
    assert bad.returncode == 2 and "use .svg or .png" in bad.stderr
    assert not (tmp_path / "chart.gif").exists()


def corrupt(data: Path) -> None:
    path = data / "history.sqlite3"
    with open(path, "r+b") as handle:
        handle.write(b"\x00garbage, not a database\x00" * 8)


def test_corrupted_database_history_says_so_and_run_still_works(data: Path) -> None:
    run_fast(data)
    corrupt(data)
    result = gk(data, "history")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    backups = list(data.glob("history.sqlite3.corrupt-*"))
    assert len(backups) == 1 and str(backups[0]) in line and "damaged" in line
    assert "Traceback" not in result.stderr + result.stdout
    assert run_fast(data).returncode == 0
    assert db_rows(data) == [("finished", None, None)]


def test_run_on_a_corrupted_database_backs_it_up_and_records(data: Path) -> None:
    run_fast(data)
    corrupt(data)
    result = run_fast(data)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "history" in line]
    assert len(warnings) == 1 and "corrupt-" in warnings[0]
    assert result.stdout.rstrip().splitlines()[-1].startswith("Finished in")
    assert db_rows(data) == [("finished", None, None)]


def test_unwritable_data_folder_runs_without_history(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    result = run_fast(blocker)
    assert result.returncode == 0
    (warning,) = result.stderr.strip().splitlines()
    assert "cannot create the history folder" in warning and "will not be recorded" in warning


def test_pain_prompt_is_skipped_without_a_terminal(data: Path) -> None:
    result = run_fast(data, "--pain")
    assert result.returncode == 0 and "Pain" not in result.stderr
    assert db_rows(data) == [("finished", None, None)]
    bad = run_fast(data, "--pain-before", "11")
    assert bad.returncode == 2 and "11 is not in the range" in bad.stderr


def test_resume_refuses_when_there_is_nothing_to_resume(data: Path, tmp_path: Path) -> None:
    result = run_fast(data, "--resume")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "glutekit: error: nothing to resume: no earlier session of 'quick-five' is recorded"
    )
    run_fast(data)
    result = run_fast(data, "--resume")
    assert result.returncode == 2 and "finished; run it without --resume" in result.stderr


def test_resume_refuses_a_routine_that_changed(data: Path, tmp_path: Path) -> None:
    routine = tmp_path / "mine.json"
    steps = [{"exercise": "glutes:knee-hug"}, {"exercise": "glutes:supine-figure-four"}]
    routine.write_text(json.dumps({"id": "mine", "title": "Mine", "steps": steps}))
    db = HistoryDB.open(data / "history.sqlite3")
    sid = db.start_session(routine_id="mine", title="Mine", content_hash="old", planned=1)
    db.end_session(sid, status="interrupted", elapsed=1)
    result = gk(data, "run", str(routine), "--speed", "1000", "--no-voice", "--resume")
    assert result.returncode == 2
    assert "cannot resume: routine 'mine' has changed since the session of" in result.stderr


def test_two_sessions_at_once_both_record(data: Path) -> None:
    env = {**os.environ, "GLUTEKIT_DATA_DIR": str(data)}
    command = [
        sys.executable,
        "-m",
        "glutekit",
        "run",
        "quick-five",
        "--speed",
        "100",
        "--no-voice",
    ]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for proc in (first, second):
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert b"warning" not in err
    db = HistoryDB.open(data / "history.sqlite3")
    rows = db.sessions()
    assert [(r.status, r.completed) for r in rows] == [("finished", 6), ("finished", 6)]
    assert db.integrity() == "ok"


def test_a_first_chart_with_one_session_looks_intended(data: Path, tmp_path: Path) -> None:
    from glutekit.history.plot import MIN_WEEKS, WIDTH

    run_fast(data, "--pain-before", "5", "--pain-after", "2")
    svg = tmp_path / "chart.svg"
    assert gk(data, "history", "--plot", str(svg)).returncode == 0
    ns = "{http://www.w3.org/2000/svg}"
    root = ElementTree.parse(svg).getroot()
    bars = [r for r in root.iter(f"{ns}rect") if r.get("fill") == "#48a36b"]
    (bar,) = bars
    assert float(bar.get("width", 0)) < WIDTH / MIN_WEEKS  # one ordinary bar, not a slab
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert any("1 session so far" in t for t in texts)
    dates = [t for t in texts if re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", t)]
    assert len(dates) == 2 * MIN_WEEKS  # under the bars and under the pain scores
    # Headroom: the advised line (dashed) sits below the top of the panel.
    (advised,) = [p for p in root.iter(f"{ns}polyline") if p.get("stroke-dasharray")]
    grid_top = min(
        float(p.get("points", "0,0").split()[0].split(",")[1])
        for p in root.iter(f"{ns}polyline")
        if p.get("stroke") == "#dddddd"
    )
    assert float(advised.get("points", "").split()[0].split(",")[1]) > grid_top


def test_the_png_is_anti_aliased(data: Path, tmp_path: Path) -> None:
    from PIL import Image

    run_fast(data, "--pain-before", "5", "--pain-after", "2")
    png, svg = tmp_path / "chart.png", tmp_path / "chart.svg"
    assert gk(data, "history", "--plot", str(png)).returncode == 0
    assert gk(data, "history", "--plot", str(svg)).returncode == 0
    ns = "{http://www.w3.org/2000/svg}"
    dot = next(c for c in ElementTree.parse(svg).getroot().iter(f"{ns}circle") if c.get("r") == "3")
    x, y = round(float(dot.get("cx", 0))), round(float(dot.get("cy", 0)))
    with Image.open(png) as image:
        assert image.size == (800, 540)
        around = image.convert("RGB").crop((x - 5, y - 5, x + 6, y + 6))
        # A hard-edged dot has two colours (dot and paper); a smooth one blends between.
        assert len(around.getcolors(maxcolors=1000) or []) > 6
