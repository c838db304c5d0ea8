"""The public API is stated once, in ``glutekit.__all__``, and loads only what is used."""

from __future__ import annotations

import subprocess
import sys

import glutekit


def test_every_public_name_resolves_and_all_lists_them() -> None:
    assert set(glutekit.__all__) == {"PROJECT", "__version__", "hookimpl", *glutekit._PUBLIC}
    for name in glutekit.__all__:
        assert getattr(glutekit, name) is not None, name
    assert glutekit.compile_timeline is glutekit.timeline.compile
    assert set(glutekit.__all__) <= set(dir(glutekit))


def test_importing_glutekit_loads_none_of_its_rooms() -> None:
    code = (
        "import sys, glutekit; glutekit.__version__; "
        "print(sorted(m for m in sys.modules if m.startswith('glutekit.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_module_of_the_package_still_imports_under_its_own_name() -> None:
    from glutekit import paths

    assert paths.__name__ == "glutekit.paths"
