"""The README's 30-second tour is the one the benchmark times.

Its commands run, in order, with the README's other console examples in
``tests/test_docs_examples.py``: each must exit 0 without a traceback.
"""

from __future__ import annotations

import sys

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from tour import tour_commands


def test_the_tour_is_the_one_the_benchmark_times() -> None:
    commands = tour_commands()
    assert len(commands) >= 8
    assert ["run", "quick-five", "--speed", "60", "--no-voice"] in commands
