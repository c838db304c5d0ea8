"""A session played through the Python API is recorded as ``glutekit run`` records it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from tests.conftest import run_glutekit


def history() -> list[dict[str, Any]]:
    done = run_glutekit("history", "--json")
    assert done.returncode == 0, done.stderr
    sessions: list[dict[str, Any]] = json.loads(done.stdout)["sessions"]
    return sessions


def play_from_python(code: str) -> None:
    script = "import glutekit\nfrom glutekit.session import HistoryOptions\n" + textwrap.dedent(
        code
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_a_script_adds_one_record_shaped_like_the_one_glutekit_run_adds() -> None:
    ran = run_glutekit("run", "quick-five", "--no-voice", "--speed", "1000")
    assert ran.returncode == 0, ran.stderr
    play_from_python(
        """
        session = glutekit.open_session("quick-five", speed=1000, voice=False)
        assert session.play().summary.status == "finished"
        """
    )
    by_cli, by_script = history()
    assert by_cli.keys() == by_script.keys()
    same = ("routine", "title", "content_hash", "status", "planned_seconds", "holds_completed")
    assert {k: by_cli[k] for k in same} == {k: by_script[k] for k in same}
    assert by_script["status"] == "finished" and by_script["holds_completed"] == 6
    assert by_script["id"] == by_cli["id"] + 1


def test_a_script_gives_pain_scores_or_leaves_no_trace_as_it_asks() -> None:
    play_from_python(
        """
        options = HistoryOptions(pain_before=4, pain_after=2)
        glutekit.open_session("quick-five", speed=1000, voice=False, history=options).play()
        glutekit.open_session(
            "quick-five", speed=1000, voice=False, history=HistoryOptions(record=False)
        ).play()
        """
    )
    (only,) = history()
    assert (only["pain_before"], only["pain_after"]) == (4, 2)


def test_a_script_resumes_where_a_stopped_run_left_off() -> None:
    # A session that ends half-way (quit as its second exercise begins) is resumed by a
    # script as 'glutekit run --resume' would resume it. The quit follows the session's
    # events, not a timer: on a busy machine the session may not have left its first
    # part after any fixed time.
    play_from_python(
        """
        session = glutekit.open_session("quick-five", speed=1000, voice=False)
        first = []

        def quit_at_the_second_exercise(event):
            exercise = event.segment.exercise if event.name == "segment" else None
            if exercise and not first:
                first.append(exercise)
            elif exercise and exercise != first[0]:
                session.controls.quit()

        session.events.subscribe(quit_at_the_second_exercise)
        assert session.play().summary.status == "quit"
        resumed = glutekit.open_session(
            "quick-five", speed=1000, voice=False, history=HistoryOptions(resume=True)
        )
        assert resumed.options.start_segment > 0
        assert resumed.play().summary.status == "finished"
        """
    )
    (resumed,) = history()  # the resumed session carries on the stopped one's record
    assert resumed["status"] == "finished" and resumed["holds_completed"] == 6
