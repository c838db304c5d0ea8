"""The HTML sheet and cards, printed by a real browser, lose no text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from glutekit.catalog import Catalog
from glutekit.model.sides import fill
from tests.conftest import run_glutekit

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
# A browser with no network and no profile of its own: nothing to reach out to.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
@pytest.mark.skipif(BROWSER is None, reason="needs Chromium (Debian package chromium)")
def test_printed_html_keeps_every_step_cue_and_mistake(tmp_path: Path, catalog: Catalog) -> None:
    html, pdf = tmp_path / "sheet.html", tmp_path / "sheet.pdf"
    result = run_glutekit("export", "medius-cycle", "--cards", "-o", html)
    assert result.returncode == 0, result.stderr
    subprocess.run(
        [
            BROWSER,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    printed = _squash(
        subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    )
    routine = catalog.routines["medius-cycle"]
    for exercise_id in dict.fromkeys(routine.exercise_ids()):
        exercise = catalog.exercise(exercise_id)
        for text in (*exercise.instructions, *exercise.cues, *exercise.mistakes):
            text = fill(text, None)  # both sides on one card: "working" and "other"
            assert _squash(text) in printed, f"{exercise_id}: lost in print: {text!r}"
