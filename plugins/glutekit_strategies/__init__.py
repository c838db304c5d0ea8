"""Built-in selection strategies for ``glutekit compose``: cycle, stretch and quick
for mobility, and workout for strength and gym packs.

They are registered through the ``glutekit_strategies`` hook like any third-party
strategy; see :mod:`glutekit_strategies.builtin` for what each one does.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import Strategy


@glutekit.hookimpl
def glutekit_strategies() -> Iterable[Strategy]:
    from glutekit_strategies.builtin import STRATEGIES
    from glutekit_strategies.workout import Workout

    return [*STRATEGIES, Workout()]
