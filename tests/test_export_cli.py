"""``glutekit export``: format choice, errors, atomic writes and template overrides."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import click.testing
import pytest

import glutekit
from glutekit.atomic import atomic_path, write_bytes
from glutekit.cli import cli as root
from glutekit.cli.app import App
from glutekit.errors import GlutekitError


def test_real_process_writes_a_pdf(glutekit_proc: Any, tmp_path: Path) -> None:
    out = tmp_path / "quick.pdf"
    done = glutekit_proc("export", "quick-five", "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert done.stdout == ""
    assert done.stderr.strip() == f"wrote {out} (pdf)"


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(info.stdout.split("Pages:")[1].split()[0])


def test_one_command_prints_sheet_and_cards(glutekit_proc: Any, tmp_path: Path) -> None:
    # quick-five has four exercises: sheet, log grid, then one page of four cards.
    both, only = tmp_path / "both.pdf", tmp_path / "cards.pdf"
    assert glutekit_proc("export", "quick-five", "--cards", "-o", both).returncode == 0
    assert glutekit_proc("export", "quick-five", "--cards-only", "-o", only).returncode == 0
    assert (pages(both), pages(only)) == (3, 1)


def test_format_comes_from_the_suffix(cli: Any, tmp_path: Path) -> None:
    for name, start in (("a.html", "<!doctype html>"), ("a.md", "# "), ("a.pdf", "%PDF-")):
        assert cli("export", "desk-break", "-o", tmp_path / name).exit_code == 0
        assert (tmp_path / name).read_text(encoding="latin-1").startswith(start)


def test_unknown_format_lists_the_known_ones(cli: Any, tmp_path: Path) -> None:
    result = cli("export", "desk-break", "--format", "docx", "-o", tmp_path / "a.docx")
    assert result.exit_code == 2
    assert "unknown format 'docx'" in result.output
    assert "html" in result.output and "md" in result.output and "pdf" in result.output
    assert not (tmp_path / "a.docx").exists()


def test_unknown_routine_is_one_line(cli: Any, tmp_path: Path) -> None:
    result = cli("export", "desk-brake", "-o", tmp_path / "a.pdf")
    assert result.exit_code == 2
    assert "did you mean: desk-break" in result.output


def test_path_under_a_file_is_one_clear_line(glutekit_proc: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "a.pdf"
    done = glutekit_proc("export", "quick-five", "-o", target)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"glutekit: error: cannot write {target}: Not a directory"
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_missing_folder_is_one_clear_line(glutekit_proc: Any, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "a.pdf"
    done = glutekit_proc("export", "quick-five", "-o", target)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"glutekit: error: cannot write {target}: No such file or directory"
    ]


def test_a_folder_as_output_is_refused_without_traceback(
    glutekit_proc: Any, tmp_path: Path
) -> None:
    done = glutekit_proc("export", "quick-five", "--format", "pdf", "-o", tmp_path)
    assert done.returncode == 2
    assert "is a directory" in done.stderr and "Traceback" not in done.stderr


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sheet.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half of a new fi")
        raise RuntimeError("renderer crashed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]


def test_atomic_write_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(GlutekitError, match=r"cannot write .*missing/x\.txt"):
        write_bytes(tmp_path / "missing" / "x.txt", b"x")


class TemplatePlugin:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.formats: list[str] = []

    @glutekit.hookimpl
    def glutekit_template_dirs(self, format: str) -> list[Path]:
        self.formats.append(format)
        return [self.folder]


def test_plugin_overrides_a_block_of_the_built_in_template(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "sheet.html.j2").write_text(
        '{% extends "base/sheet.html.j2" %}'
        '{% block cautions %}<p class="clinic">Call us: {{ sheet.title }}</p>{% endblock %}',
        encoding="utf-8",
    )
    plugin = TemplatePlugin(folder)
    app = App(extra_plugins=[("clinic", plugin)])
    out = tmp_path / "sheet.html"
    result = click.testing.CliRunner().invoke(
        root.get_command(click.Context(root), "export"),
        ["gym-bar", "-o", str(out)],
        obj=app,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<p class="clinic">Call us: Gym session with the bar</p>' in html
    assert "<h2>Cautions</h2>" not in html
    assert "Hanging side arch" in html  # the rest of the built-in sheet is still there
    assert plugin.formats == ["html"]


def test_pdf_export_leaves_numpy_unloaded_but_importable(tmp_path: Path) -> None:
    # fpdf only needs numpy for raster images; a cold export skips it (a fifth of a
    # second), and code that runs afterwards in the same process can still import it.
    code = (
        "import sys\n"
        "from glutekit.cli import main\n"
        "try:\n"
        f"    main(['export', 'quick-five', '--cards', '-o', {str(tmp_path / 'q.pdf')!r}])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print('loaded' if 'numpy' in sys.modules else 'not loaded')\n"
        "try:\n"
        "    import numpy\n"
        "    print(numpy.array([1, 2]).sum())\n"
        "except ImportError:\n"
        "    print('not installed')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    installed = importlib.util.find_spec("numpy") is not None
    assert done.stdout.splitlines()[-2:] == ["not loaded", "3" if installed else "not installed"]
    assert (tmp_path / "q.pdf").read_bytes().startswith(b"%PDF-")


def test_print_scales_are_worked_out_once_and_follow_every_change(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from glutekit_cards import pdf_cards, pdf_sheet
    from glutekit_cards.scales import NAME

    from glutekit import paths

    def export(routine: str, name: str) -> str:
        out = tmp_path / name
        result = cli("export", routine, "--cards", "-o", out)
        assert result.exit_code == 0, result.output
        return out.read_text(encoding="latin-1")

    export("quick-five", "first.html")
    kept = paths.catalog_cache_dir() / NAME
    stored = json.loads(kept.read_text())
    ((key, (sheet, cards)),) = stored.items()
    assert sheet == 1.0 and len(cards) == 3 and set(cards.values()) <= {1.0, 0.92, 0.85, 0.8}

    # A later export reads the scales kept, as HTML or as PDF, without laying text out.
    kept.write_text(json.dumps({key: [0.75, {card: 0.8 for card in cards}]}))

    def no_layout(*args: Any) -> float:
        raise AssertionError("the scales were laid out again")

    with monkeypatch.context() as patched:
        patched.setattr(pdf_sheet, "fit_scale", no_layout)
        patched.setattr(pdf_cards, "card_scale", no_layout)
        html = export("quick-five", "second.html")
        assert "--print-scale: 0.75;" in html
        assert html.count("--card-scale: 0.8") == html.count("--card-scale:") == len(cards)
        assert export("quick-five", "again.pdf").startswith("%PDF-")

    # Another sheet is laid out and kept beside it; a damaged file is ignored and rewritten.
    export("desk-break", "other.html")
    assert len(json.loads(kept.read_text())) == 2
    kept.write_text("{not json")
    assert "--print-scale: 1.0;" in export("quick-five", "third.html")
    assert len(json.loads(kept.read_text())) == 1
