"""The documentation site builds with ``mkdocs build --strict``: a broken link fails."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

try:
    import material  # noqa: F401
    import mkdocs  # noqa: F401
    import mkdocstrings  # noqa: F401
except ImportError as exc:  # pragma: no cover - the test extra installs them
    pytest.skip(
        f"mkdocs, mkdocs-material or mkdocstrings is not installed ({exc}); "
        "pip install -e '.[test]'",
        allow_module_level=True,
    )


def _build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=config.parent,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = _build(REPO / "mkdocs.yml", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_every_page_in_docs_is_in_the_navigation() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s+([\w-]+\.md)\s*$", nav, flags=re.M))
    pages = {p.name for p in (REPO / "docs").glob("*.md")}
    assert listed == pages


def test_the_site_has_every_page_search_and_the_generated_references(site: Path) -> None:
    for page in ("index.html", "cli/index.html", "exercises/index.html", "hooks/index.html"):
        assert (site / page).is_file(), page
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any("glutekit config" in doc["text"] for doc in index["docs"])
    assert "glutekit completion" in (site / "cli" / "index.html").read_text(encoding="utf-8")


def test_the_api_page_is_generated_from_the_docstrings(site: Path) -> None:
    html = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in (
        "glutekit.session",
        "glutekit.catalog",
        "glutekit.timeline",
        "glutekit.hookspecs",
        "glutekit.testing",
    ):
        assert f'id="{name}"' in html, name
    # Text from docstrings, not from the page itself.
    assert "Return the exercise packs this plugin provides." in html
    assert ":class:" not in html


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [the missing page](missing.md).\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: broken\ndocs_dir: docs\n")
    proc = _build(config, tmp_path / "site")
    assert proc.returncode != 0
    assert "missing.md" in proc.stdout + proc.stderr
