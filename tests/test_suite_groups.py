"""The suite's own promise: tests that share an expensive fixture run on one worker.

``.ci/test`` spreads tests over workers with ``--dist loadgroup``; tests/conftest.py puts
the tests of a module with module-scoped fixtures (a wheel, a venv, a whole session's
audio) in one group, so the fixture is made once per run. pytest-xdist sends a group to
one worker only when it could name each test after its group; with a pytest it cannot
do that for, every worker would make those fixtures again, silently.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def made_once() -> list[str]:
    return []


@pytest.mark.parametrize("turn", range(4))
def test_tests_sharing_a_module_fixture_are_sent_to_one_worker(
    made_once: list[str], turn: int, request: pytest.FixtureRequest
) -> None:
    made_once.append(request.node.name)
    # One fixture for the four, in order: the same worker ran the ones before.
    assert len(made_once) == turn + 1, made_once
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not spread over workers by group (run with -n N --dist loadgroup)")
    assert request.node.nodeid.endswith("@tests/test_suite_groups.py"), (
        f"{request.node.nodeid}: pytest-xdist did not group this test, so every worker "
        "makes the shared fixtures again; install the pytest that the test extra names"
    )
