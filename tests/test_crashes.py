"""Crashes and hangs found by attacking the CLI: each test reproduces one, as a user would."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from glutekit.catalog import Catalog
from tests.conftest import run_glutekit

RUN = ["run", "quick-five", "--speed", "1000", "--no-voice"]


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _clean(stderr: str) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr


# ----------------------------------------------------------------- 6: a locked database at the end


def test_run_survives_a_history_lock_taken_as_the_session_ends(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_glutekit(*RUN, env={"GLUTEKIT_DATA_DIR": str(data)})
    assert first.returncode == 0, first.stderr
    env = {**os.environ, "GLUTEKIT_DATA_DIR": str(data)}
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "glutekit", "run", "quick-five", "--speed", "100", "--no-voice"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        # The lock is taken once the session is under way (its first cue is shown), however
        # long this machine took to start it, and held until the session has ended.
        assert proc.stdout is not None
        while "[00:00]" not in (line := proc.stdout.readline()):
            assert line, "the session ended before its first cue"
        holder = sqlite3.connect(data / "history.sqlite3", isolation_level=None, timeout=30)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            _, stderr = proc.communicate(timeout=120)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert proc.returncode == 0, (proc.returncode, stderr)  # was -11 (segfault)
        _clean(stderr)
        assert "is locked by another program" in stderr
        kept = [line for line in stderr.splitlines() if "will be added on the next run" in line]
        assert len(kept) == 1, stderr
        assert "still busy" not in stderr  # the recorder never keeps the session waiting
    # The next run adds what the lock kept out: every session is there, finished.
    again = run_glutekit(*RUN, env={"GLUTEKIT_DATA_DIR": str(data)})
    assert "added" in again.stderr and "kept from an earlier session" in again.stderr
    assert not list((data / "history-pending").glob("*.json"))
    shown = json.loads(
        run_glutekit("history", "--json", env={"GLUTEKIT_DATA_DIR": str(data)}).stdout
    )
    assert [row["status"] for row in shown["sessions"]] == ["finished"] * 4


# ----------------------------------------------------------------- 7, 9: texts


def test_lone_surrogates_are_refused_at_validation_with_the_pointer(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_text('{"id":"r","title":"a\\ud800b","steps":[{"say":"x\\udfffy"}]}')
    for command in ("validate", "transcript"):
        done = run_glutekit(command, str(bad))
        assert done.returncode == 2
        _clean(done.stderr)
        assert "/title: contains a lone surrogate (U+D800)" in done.stderr


@pytest.mark.parametrize(
    ("kind", "pointer", "data"),
    [
        ("routine", "/purpose", {"purpose": "red \x1b[31m"}),
        ("routine", "/description", {"description": "\x9b31m"}),
        ("routine", "/steps/0/say", {"steps": [{"say": "a\x00b"}]}),
        ("pack", "/exercises/0/sources/0/title", {"sources": [{"title": "\x1b[31mred"}]}),
        ("pack", "/authors/0", {"authors": ["\x1b]0;x\x07"]}),
        ("pack", "/description", {"description": "bell\x07"}),
    ],
)
def test_every_text_field_refuses_control_characters(
    kind: str, pointer: str, data: dict[str, object], tmp_path: Path
) -> None:
    from glutekit.catalog.schema import Document, schema_problems

    if kind == "routine":
        doc_data: dict[str, object] = {"id": "r", "title": "t", "steps": [{"rest": 1}], **data}
    else:
        from tests.test_hostile import pack

        doc_data = json.loads(pack())
        if "sources" in data:
            doc_data["exercises"][0]["sources"] = data["sources"]  # type: ignore[index]
        else:
            doc_data.update(data)
    problems = schema_problems(Document(name="f.json", data=doc_data), kind)  # type: ignore[arg-type]
    assert [p.pointer for p in problems] == [pointer]
    assert "control character" in problems[0].message


def test_a_file_name_with_control_characters_is_printed_escaped(tmp_path: Path) -> None:
    path = tmp_path / "red\x1b[31m.json"
    path.write_text("{")
    done = run_glutekit("validate", str(path))
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\\u001b[31m.json" in done.stderr


# ----------------------------------------------------------------- 8: rich markup


def test_show_prints_pack_texts_literally(
    catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    from glutekit.cli.card import print_card

    exercise = replace(
        catalog.exercises["glutes:knee-hug"],
        name="Hug [/] [blink]now[/blink]",
        id="glutes:[link=http://example.invalid]x[/link]",
        cues=("Breathe [bold]out[/] slowly",),
    )
    print_card(exercise)  # crashed on "[/]" before
    out = capsys.readouterr().out
    assert "Hug [/] [blink]now[/blink]" in out
    assert "[link=http://example.invalid]x[/link]" in out
    assert "Breathe [bold]out[/] slowly" in out


def test_tables_print_cells_literally(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from glutekit.cli.output import print_table

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    print_table(["id", "title"], [["a", "[/] [blink]x"]])
    assert "[/] [blink]x" in capsys.readouterr().out


# ----------------------------------------------------------------- 11, 12: sizes


def test_problems_stop_after_a_bounded_number(tmp_path: Path) -> None:
    bad = _write(tmp_path / "b.json", {"id": "r", "title": "t", "steps": [{"rest": "x"}] * 400})
    done = run_glutekit("validate", str(bad))
    assert done.returncode == 2
    assert "stopped after 50 problems" in done.stderr
    assert len(done.stderr.splitlines()) <= 53


def test_a_long_list_is_refused_before_the_schema(tmp_path: Path) -> None:
    from glutekit.catalog.schema import Document, list_size_problems

    data = {"id": "r", "title": "t", "steps": [{"block": "b", "steps": [{"rest": 1}] * 600}]}
    problems = list_size_problems(Document(name="x.json", data=data), "routine")
    assert [(p.pointer, p.message) for p in problems] == [
        ("/steps/0/steps", "has 600 items; at most 500 allowed")
    ]


def test_long_names_are_shortened_in_messages(tmp_path: Path) -> None:
    bad = _write(
        tmp_path / "n.json",
        {"id": "r", "title": "t", "steps": [{"exercise": "glutes:" + "x" * 100_000}]},
    )
    done = run_glutekit("validate", str(bad))
    assert done.returncode == 2
    assert "unknown exercise 'glutes:xxx" in done.stderr and "…" in done.stderr
    assert max(len(line) for line in done.stderr.splitlines()) < 1000


@pytest.mark.own_voice_cache
def test_a_wav_past_4_gib_is_refused_before_rendering(tmp_path: Path) -> None:
    long = _write(
        tmp_path / "long.json",
        {"id": "long", "title": "Long", "steps": [{"exercise": "glutes:knee-hug"}]
         + [{"rest": "1h"}] * 28},
    )  # fmt: skip
    out = tmp_path / "long.wav"
    done = run_glutekit("export", str(long), "-f", "wav", "-o", str(out), timeout=30)
    assert done.returncode == 2, done.stderr
    _clean(done.stderr)
    assert "a WAV file holds at most 27.1 h" in done.stderr and "MP3" in done.stderr
    assert not out.exists()
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "glutekit" / "voice"
    assert not list(cache.glob("*.wav"))  # refused before any speech was rendered


# ----------------------------------------------------------------- 13: streams


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize(
    "args",
    [
        ["show", "glutes:knee-hug"],
        ["transcript", "quick-five"],
        ["history"],
        ["compose", "--target", "gluteus_medius", "--strategy", "stretch"],
        RUN,
    ],
)
def test_text_the_terminal_cannot_encode_is_replaced(
    encoding: str, args: list[str], tmp_path: Path
) -> None:
    env = {"PYTHONIOENCODING": encoding, "GLUTEKIT_DATA_DIR": str(tmp_path)}
    done = run_glutekit(*args, env=env)
    assert done.returncode == 0, done.stderr
    _clean(done.stderr)
    if args[0] in ("transcript", "run"):
        utf8 = run_glutekit(*args, env={"GLUTEKIT_DATA_DIR": str(tmp_path / "u")})
        # No cue line is lost: as many lines as with UTF-8.
        assert len(done.stdout.splitlines()) == len(utf8.stdout.splitlines())


def _shell(command: str) -> subprocess.CompletedProcess[str]:
    glutekit = f"{sys.executable} -m glutekit"
    return subprocess.run(
        ["bash", "-c", command.replace("GLUTEKIT", glutekit)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", ["transcript quick-five", " ".join(RUN)])
def test_a_closed_stdout_is_one_line_and_exit_1(args: str) -> None:
    done = _shell(f"GLUTEKIT {args} >&-")
    assert done.returncode == 1, done.stderr
    _clean(done.stderr)
    assert "cannot write to standard output: standard output is closed" in done.stderr


def test_a_full_stdout_is_one_line_and_exit_1() -> None:
    done = _shell("GLUTEKIT transcript quick-five > /dev/full")
    assert done.returncode == 1
    _clean(done.stderr)
    assert done.stderr.strip().splitlines() == [
        "glutekit: error: cannot write to standard output: No space left on device"
    ]


@pytest.mark.parametrize(
    "args", ["transcript quick-five", "exercises", "schema routine", "history --json"]
)
def test_a_closed_pipe_is_exit_0(args: str) -> None:
    done = _shell(f"GLUTEKIT {args} | head -1 >/dev/null; exit ${{PIPESTATUS[0]}}")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


# ----------------------------------------------------------------- 14, 15


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31"])
def test_history_since_far_dates(since: str, tmp_path: Path) -> None:
    done = run_glutekit("history", "--since", since, env={"GLUTEKIT_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0
    _clean(done.stderr)


def _package_folders() -> list[str]:
    import click
    import pluggy

    import glutekit

    return [f'File "{Path(m.__file__).parent}{os.sep}' for m in (glutekit, pluggy, click)]


#: Python's start-up stages that report a Ctrl-C landing in them as a fatal error.
PYTHON_START_UP = ("init_import_site", "init_sys_streams")


def test_ctrl_c_while_starting_prints_no_glutekit_traceback() -> None:
    script = Path(sys.executable).parent / "glutekit"
    if not script.exists():
        pytest.skip("no glutekit console script next to this Python")
    # Once, so the bytecode is compiled (as pip does at install): compiling a module
    # happens before its first line runs, and nothing can catch Ctrl-C there.
    subprocess.run([str(script), "--version"], capture_output=True, check=True)
    for delay in [i * 0.015 for i in range(1, 21)]:
        proc = subprocess.Popen(
            [str(script), "transcript", "quick-five"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        # Only Python's own start-up (before glutekit's first line) may still show one:
        # no frame of glutekit's, pluggy's or click's code. (The console script itself,
        # whose path may well contain "glutekit", is not glutekit's code.)
        for marker in _package_folders():
            assert not ("Traceback" in stderr and marker in stderr), (delay, stderr)
        # Python's own start-up stages, before glutekit's first line, where nothing of
        # glutekit's can catch the signal yet.
        python_start = any(stage in stderr for stage in PYTHON_START_UP)
        assert proc.returncode in (0, 130, -signal.SIGINT) or python_start, (delay, stderr)


WRAPPED_INTERRUPT = """
import sys
import click
import glutekit.cli as entry

def made_while_interrupted(*args, **kwargs):
    # What Python raises when Ctrl-C lands while a class is being made (seen on a fresh
    # machine, 105 ms into 'glutekit transcript'): the interrupt, wrapped.
    try:
        raise {signal}
    except BaseException as exc:
        raise RuntimeError("Error calling __set_name__ on 'Field' instance 'x' in 'App'") from exc

entry.cli.main = made_while_interrupted
entry.main(["routines"])
"""


@pytest.mark.parametrize(
    ("signal_raised", "said", "code"),
    [
        ("KeyboardInterrupt", "glutekit: interrupted", 130),
        ("entry.Terminated", "glutekit: terminated", 143),
    ],
)
def test_an_interrupt_python_wrapped_in_another_error_is_still_an_interrupt(
    signal_raised: str, said: str, code: int
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPED_INTERRUPT.replace("{signal}", signal_raised)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.strip() == said, proc.stderr


def test_bad_speech_variables_do_not_stop_a_silent_run(tmp_path: Path) -> None:
    env = {"GLUTEKIT_RATE": "abc", "GLUTEKIT_VOLUME": "nan", "GLUTEKIT_DATA_DIR": str(tmp_path)}
    silent = run_glutekit(*RUN, env=env)
    assert silent.returncode == 0, silent.stderr
    for args in (["transcript", "quick-five"], ["export", "quick-five", "-f", "md", "-o", "-"]):
        assert run_glutekit(*args, env=env).returncode == 0
    spoken = run_glutekit("transcript", "quick-five", "--spoken", env=env)
    assert spoken.returncode == 2
    assert "GLUTEKIT_RATE: must be whole words per minute, 80 to 450 (got 'abc')" in spoken.stderr
    nan = run_glutekit(
        "export", "quick-five", "-f", "wav", "-o", str(tmp_path / "x.wav"),
        env={"GLUTEKIT_VOLUME": "nan"},
    )  # fmt: skip
    assert nan.returncode == 2
    assert "GLUTEKIT_VOLUME: must be a number from 0 to 1 (got 'nan')" in nan.stderr


def test_an_interrupt_during_held_work_waits_for_it_to_end() -> None:
    """Ctrl-C and SIGTERM that land while ``interrupts_held`` runs its block are
    acted on when it ends, by the handlers that were there; those are put back."""
    import os

    from glutekit.host.deferred import interrupts_held

    class Stopped(BaseException):
        pass

    def stop(signum: int, frame: object) -> None:
        raise Stopped

    before = signal.signal(signal.SIGTERM, stop)
    # Python's own Ctrl-C handler, also where the run was started with SIGINT ignored
    # (a shell's background job).
    before_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        steps = []
        with pytest.raises(KeyboardInterrupt), interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler has run by now: it only took note
            steps.append("finished")
        assert steps == ["finished"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with pytest.raises(Stopped), interrupts_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            steps.append("finished again")
        assert steps == ["finished", "finished again"]
        assert signal.getsignal(signal.SIGTERM) is stop
        with interrupts_held():  # nothing came: nothing happens after
            steps.append("quiet")
        assert steps[-1] == "quiet"
    finally:
        signal.signal(signal.SIGTERM, before)
        signal.signal(signal.SIGINT, before_int)
