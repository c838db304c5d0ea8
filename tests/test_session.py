"""The session API (glutekit.session): what the CLI, the tests and Python users call."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from glutekit.catalog import Catalog
from glutekit.errors import UnknownId
from glutekit.host.plugins import PluginHost
from glutekit.interfaces import Event, OutputSpec, SessionSummary
from glutekit.model import Timeline
from glutekit.session import SessionOptions, choose_outputs, prepare, summary_line
from glutekit.session.clock import VirtualClock

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "api" / "run_session.py"


class _Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.closed: SessionSummary | None = None

    def speech_lengths(self, texts: object) -> dict[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        self.timeline = timeline

    def handle(self, event: Event) -> None:
        self.events.append(event)

    def close(self, summary: SessionSummary | None) -> None:
        self.closed = summary


def test_prepare_and_play_from_python_without_click(host: PluginHost, catalog: Catalog) -> None:
    recorder = _Recorder()

    class Plugin:
        import glutekit

        @glutekit.hookimpl
        def glutekit_outputs(self) -> list[OutputSpec]:
            return [OutputSpec(name="recorder", description="test", create=lambda o: recorder)]

    host.register(Plugin(), "recorder-plugin")
    options = SessionOptions(outputs=("recorder",))
    session = prepare(
        catalog.find_routine("quick-five"), host=host, catalog=catalog, options=options
    )
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    assert result.exit_code == 0
    assert recorder.closed == result.summary
    cues = [e.cue.text for e in recorder.events if e.kind == "cue" and e.cue]
    assert cues == [c.text for c in session.timeline.cues]
    assert summary_line(result.summary).startswith("Finished in ")


def test_play_from_a_helper_thread_leaves_signals_alone(host: PluginHost, catalog: Catalog) -> None:
    options = SessionOptions(outputs=("console",), voice=False)
    session = prepare(
        catalog.find_routine("quick-five"), host=host, catalog=catalog, options=options
    )
    results = []
    worker = threading.Thread(target=lambda: results.append(session.play(clock=VirtualClock())))
    worker.start()
    worker.join(60)
    assert results and results[0].summary.status == "finished"


def test_unknown_output_is_named_with_a_suggestion(host: PluginHost) -> None:
    with pytest.raises(UnknownId, match=r"unknown output 'consol'.*console"):
        choose_outputs(host, SessionOptions(outputs=("consol",)))


def test_no_voice_leaves_out_outputs_that_speak(host: PluginHost) -> None:
    chosen = [name for name, _ in choose_outputs(host, SessionOptions(voice=False))]
    assert "voice" not in chosen and "console" in chosen


def test_example_script_runs_a_routine_to_the_end() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "quick-five", "300"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Finished in " in done.stdout.splitlines()[-1]
