"""The suite's own promise: tests that share an expensive fixture run on one worker.

``.ci/test`` spreads tests over workers with ``--dist loadgroup``; tests/conftest.py puts
the tests of a module with module-scoped fixtures (a wheel, a venv, a whole session's
audio) in one group, so the fixture is made once per run. pytest-xdist sends a group to
one worker only when it could name each test after its group; with a pytest it cannot
do that for, every worker would make those fixtures again, silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def made_once() -> list[str]:
    return []


@pytest.mark.parametrize("turn", range(4))
def test_tests_sharing_a_module_fixture_are_sent_to_one_worker(
    made_once: list[str], turn: int, request: pytest.FixtureRequest
) -> None:
    made_once.append(request.node.name)
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not spread over workers by group (run with -n N --dist loadgroup)")
    # One fixture for the four, in order: the same worker ran the ones before.
    assert len(made_once) == turn + 1, made_once
    assert request.node.nodeid.endswith("@tests/test_suite_groups.py"), (
        f"{request.node.nodeid}: pytest-xdist did not group this test, so every worker "
        "makes the shared fixtures again; install the pytest that the test extra names"
    )


class _Test:
    """A collected test as the ordering reads it: its node id and its markers."""

    def __init__(self, nodeid: str, *markers: str) -> None:
        self.nodeid = nodeid
        self.markers = set(markers)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


def test_each_module_s_tests_are_spread_over_the_parallel_part() -> None:
    from conftest import _spread

    many = [_Test(f"tests/test_a.py::t{i}") for i in range(6)]
    few = [_Test(f"tests/test_b.py::t{i}") for i in range(2)]
    slow = [_Test(f"tests/test_c.py::t{i}", "slow") for i in range(2)]
    mixed = [_Test("tests/test_d.py::t0"), _Test("tests/test_d.py::t1")]
    mixed += [_Test("tests/test_d.py::t2", "slow"), _Test("tests/test_d.py::t3", "slow")]
    everything = [*many, *few, *slow, *mixed]
    order = [t.nodeid for t in _spread(everything)]  # type: ignore[arg-type]
    assert sorted(order) == sorted(t.nodeid for t in everything)
    # Each module keeps its own order, also one with slow tests after others.
    for module in ("test_a", "test_b", "test_c", "test_d"):
        mine = [n for n in order if module in n]
        assert mine == sorted(mine, key=lambda n: int(n.rsplit("t", 1)[1]))
    # The two tests of test_b: one in each half, not side by side at the start.
    halves = order[:7], order[7:]
    assert [sum("test_b" in n for n in half) for half in halves] == [1, 1]
    # Slow tests all start in the first half, so none is what runs last.
    assert all("test_c" not in n for n in order[7:])


def test_the_realtime_part_is_told_which_files_hold_realtime_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import _note_realtime_files

    target = tmp_path / "files"
    monkeypatch.setenv("GKTESTS_REALTIME_FILES", str(target))
    tests = [
        _Test("tests/test_x.py::a", "realtime"),
        _Test("tests/test_x.py::b", "realtime"),
        _Test("tests/test_y.py::c"),
        _Test("tests/test_w.py::d[1]", "realtime"),
    ]
    _note_realtime_files(tests)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "tests/test_w.py\ntests/test_x.py\n"
    assert [p.name for p in tmp_path.iterdir()] == ["files"]
