"""Plugin authors get types (py.typed) and the package names its homepage, docs and tracker."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

PLUGIN = textwrap.dedent('''\
    """A tiny glutekit plugin, as a third party writes it."""

    from __future__ import annotations

    from pathlib import Path

    import glutekit


    @glutekit.hookimpl
    def glutekit_exercise_packs() -> list[Path]:
        return [Path(__file__).with_name("pack.json")]
    ''')


def test_a_small_plugin_passes_mypy_strict_against_the_installed_glutekit(tmp_path: Path) -> None:
    (tmp_path / "gk_tiny.py").write_text(PLUGIN, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "gk_tiny.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def test_the_package_metadata_lists_homepage_docs_changelog_and_issues() -> None:
    urls = dict(
        value.split(", ", 1) for value in metadata.metadata("glutekit").get_all("Project-URL") or []
    )
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
