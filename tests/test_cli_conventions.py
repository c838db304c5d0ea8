"""One way for every command: tables with headers, --json shapes, streams and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_conformance import PACK, _write

LISTINGS = (
    ("routines",),
    ("exercises",),
    ("plugins",),
    ("strategies",),
    ("compose", "--symptoms"),
    ("vocabulary",),
    ("config", "list"),
)


@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_every_listing_has_a_json_array_of_objects(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and rows
    assert all(isinstance(row, dict) for row in rows)
    assert result.stderr == ""


@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_every_listing_is_a_table_with_a_header_and_aligned_columns(
    cli: Any, args: tuple[str, ...]
) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    table = result.stdout.split("\n\n")[0]  # notes may follow the table after a blank line
    header, rule, *rows = table.splitlines()
    assert set(rule.strip()) == {"─"}
    # Every column starts where its heading starts, on every row.
    starts = [i for i, ch in enumerate(header) if ch != " " and (i == 0 or header[i - 1] == " ")]
    second = starts[1]
    for row in rows:
        assert row[second - 1] == " " and row[second] != " ", (header, row)


def test_routines_lists_the_length_each_routine_plays(cli: Any) -> None:
    from glutekit import timeline
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import make_plugin_host

    catalog = Catalog.build(make_plugin_host())
    rows = {r["id"]: r for r in json.loads(cli("routines", "--json").stdout)}
    quick = catalog.routines["quick-five"]
    assert rows["quick-five"]["seconds"] == pytest.approx(
        timeline.compile(quick, catalog).duration, abs=0.1
    )
    table = cli("routines").stdout
    line = next(line for line in table.splitlines() if line.startswith("quick-five "))
    minutes = int(rows["quick-five"]["seconds"] // 60)
    assert f"{minutes} min" in line
    assert "plugin glutes" in line


def test_long_ids_and_wide_characters_keep_the_columns_straight(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    long_id = "a-routine-with-a-really-remarkably-long-identifier"
    for rid, title in ((long_id, "Long"), ("wide", "ストレッチ 日本")):
        (folder / f"{rid}.json").write_text(
            json.dumps({"id": rid, "title": title, "steps": [{"exercise": "glutes:knee-hug"}]}),
            encoding="utf-8",
        )
    monkeypatch.setenv("GLUTEKIT_ROUTINES_DIR", str(folder))
    lines = cli("routines").stdout.splitlines()
    from rich.cells import cell_len

    header = lines[0]
    length_end = cell_len(header[: header.index("Length") + len("Length")])
    for line in lines[2:]:
        # Length is right-aligned: each value ends in the heading's last cell, even
        # after a title in double-width characters or a very long id.
        length = re.search(r"\d+ min \d+ s|\d+ min|\d+ s", line)
        assert length, line
        assert cell_len(line[: length.end()]) == length_end, (header, line)
    assert any(line.startswith(long_id + " ") for line in lines)
    assert any("ストレッチ" in line for line in lines)


def test_empty_listings_say_so_on_stderr_and_print_an_empty_array(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLUTEKIT_BLOCK_PLUGINS", "strategies")
    for args in (("strategies",), ("exercises", "--kind", "release", "--position", "hanging")):
        result = cli(*args)
        assert result.exit_code == 0
        assert result.stdout == ""
        assert result.stderr.strip()
        as_json = cli(*args, "--json")
        assert json.loads(as_json.stdout) == []


def test_check_pack_has_a_json_report_with_ok(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "pack.json"
    _write(target, PACK)
    good = cli("check-pack", target, "--no-voice", "--no-export", "--json")
    assert good.exit_code == 0, good.output
    report = json.loads(good.stdout)
    assert report["ok"] is True
    assert report["packs"] == ["legs"]
    broken = {**PACK, "exercises": [{**PACK["exercises"][0], "kind": "yoga"}]}
    _write(target, broken)
    bad = cli("check-pack", target, "--no-voice", "--no-export", "--json")
    assert bad.exit_code == 2
    report = json.loads(bad.stdout)
    assert report["ok"] is False
    assert any(f["severity"] == "error" for f in report["findings"])


def test_validate_and_check_pack_report_problems_the_same_way(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "pack.json"
    _write(target, {**PACK, "exercises": [{**PACK["exercises"][0], "kind": "yoga"}]})
    validate = cli("validate", target)
    check = cli("check-pack", target, "--no-voice", "--no-export")
    assert validate.exit_code == check.exit_code == 2
    assert validate.stdout == check.stdout == ""
    assert "yoga" in validate.stderr and "yoga" in check.stderr
    assert json.loads(cli("validate", target, "--json").stdout)["ok"] is False


def test_export_with_no_format_and_no_output_writes_a_pdf(
    glutekit_proc: Any, tmp_path: Path
) -> None:
    done = glutekit_proc("export", "quick-five", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "quick-five.pdf").read_bytes().startswith(b"%PDF-")
    assert done.stdout == ""
    assert done.stderr.strip() == "wrote quick-five.pdf (pdf)"


def test_export_names_an_unknown_suffix_and_lists_the_formats(cli: Any, tmp_path: Path) -> None:
    result = cli("export", "quick-five", "-o", tmp_path / "out.docx")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "out.docx" in line and "'.docx'" in line
    for known in ("pdf (.pdf)", "html (.html)", "md (.md)"):
        assert known in line
    assert not (tmp_path / "out.docx").exists()


def test_compose_writes_its_note_on_stderr_and_the_routine_on_stdout(
    cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    written = cli(
        "compose", "--minutes", "6", "--equipment", "tennis_ball", "--seed", "1", "-o", out
    )
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert written.stderr.startswith(f"wrote {out}")
    printed = cli("compose", "--minutes", "6", "--equipment", "tennis_ball", "--seed", "1")
    assert json.loads(printed.stdout) == json.loads(out.read_text(encoding="utf-8"))


def test_commands_that_write_files_say_so_on_stderr(cli: Any, tmp_path: Path) -> None:
    created = cli("new-pack", "demo", "--dir", tmp_path / "demo")
    assert created.exit_code == 0 and created.stdout == ""
    assert created.stderr.startswith(f"created {tmp_path / 'demo'}/")
    chart = cli("history", "--plot", tmp_path / "chart.svg")
    assert chart.exit_code == 0
    assert f"wrote chart {tmp_path / 'chart.svg'}" in chart.stderr
    assert "chart" not in chart.stdout


def test_a_misspelt_command_gets_a_did_you_mean(cli: Any) -> None:
    result = cli("exprot", "quick-five")
    assert result.exit_code == 2
    assert "No such command 'exprot'. Did you mean 'export'?" in result.stderr
    assert "Did you mean" not in cli("zzz").stderr
