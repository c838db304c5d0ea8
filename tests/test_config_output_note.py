"""Settings that quietly change every later run say so when they are set."""

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
