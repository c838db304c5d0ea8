"""Messages that tell the user what happened in words: settings that change later runs, formats, schema errors."""

from __future__ import annotations

from typing import Any


def test_setting_outputs_without_the_voice_says_sessions_go_silent(cli: Any) -> None:
    result = cli("config", "set", "output", "console")
    assert result.exit_code == 0, result.output
    assert "silent" in result.stderr
    assert "glutekit config set output console,voice" in result.stderr
    kept = cli("config", "set", "output", "console,voice")
    assert kept.exit_code == 0 and "silent" not in kept.stderr


def test_the_command_list_names_every_export_format(cli: Any) -> None:
    shown = cli("--help").output
    line = next(x for x in shown.splitlines() if x.strip().startswith("export "))
    for name in ("PDF", "HTML", "Markdown", "WAV", "MP3"):
        assert name in line, line


def test_schema_errors_are_said_in_words(cli: Any, tmp_path: Any) -> None:
    routine = tmp_path / "bad.json"
    routine.write_text(
        '{"id": "Bad_Id", "title": "x", "steps": [{"exercise": "glutes:knee-hug",'
        ' "dose": {"hold": 20, "reps": 5}}]}',
        encoding="utf-8",
    )
    result = cli("validate", str(routine))
    assert result.exit_code == 2
    assert '/id: "Bad_Id" has the wrong form (lower-case letters, digits' in result.output
    assert "/steps/0/dose: give only one of hold, breaths, reps, not hold and reps" in result.output
    assert "anyOf" not in result.output


def test_the_option_parser_s_errors_are_one_glutekit_line() -> None:
    from conftest import run_glutekit

    wrong = run_glutekit("rn")
    assert wrong.returncode == 2
    assert wrong.stderr.splitlines() == [
        "glutekit: error: No such command 'rn'. Did you mean 'run'? (see 'glutekit --help')"
    ]
    bad = run_glutekit("run", "quick-five", "--speed", "x")
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
    assert bad.stderr.startswith("glutekit: error: Invalid value for '--speed'")
    assert bad.stderr.rstrip().endswith("(see 'glutekit run --help')")
    # A group run without a command still shows its help, not an error.
    bare = run_glutekit("config")
    assert (bare.stdout + bare.stderr).startswith("Usage: glutekit config")
