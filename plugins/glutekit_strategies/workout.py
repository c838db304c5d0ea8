"""The ``workout`` strategy: warm up, work, cool down, for strength and gym packs.

The mobility strategies (cycle, stretch, quick) never pick strength, plyometric or
cardio exercises: a jump has no place in a release-and-stretch session. ``workout``
is where they are asked for.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from glutekit.catalog import Catalog
from glutekit.compose import candidates, explain_missing, order_phases
from glutekit.errors import InputError
from glutekit.interfaces import ComposeRequest
from glutekit.model import Exercise, Settings
from glutekit_strategies.builtin import BuiltinStrategy, ranked
from glutekit_strategies.plan import Planned, take


class Workout(BuiltinStrategy):
    """A gym session for the target: a warm-up, the main work, then a cool-down stretch.

    About a sixth of the time goes to warming up (warm-up or cardio exercises), two
    thirds to strength and plyometric work for the target, and the rest to stretching
    or mobility. The main work is required; a phase with nothing that fits is left out.
    """

    name = "workout"
    description = "Warm up, strength and plyometric work for the target, then stretch."
    shorter_hint = "ask for more --minutes"
    PHASES: tuple[tuple[frozenset[str], float, bool], ...] = (
        (frozenset({"warm-up", "cardio"}), 0.15, False),
        (frozenset({"strength", "plyometric"}), 0.65, True),
        (frozenset({"stretch", "mobility"}), 0.20, False),
    )

    def choose(
        self,
        request: ComposeRequest,
        catalog: Catalog,
        rng: random.Random,
        settings: Settings,
        budget: float,
    ) -> list[Exercise]:
        phases: list[list[Exercise]] = []
        spare = 0.0
        for kinds, share, required in self.PHASES:
            pool = candidates(catalog, request, kinds)
            if not pool and required:
                raise InputError(explain_missing(catalog, request, "strength"))
            if not pool:
                spare += share
                continue
            phases.append(take(ranked(pool, request, rng), budget * (share + spare), settings))
            spare = 0.0
        return order_phases(phases)

    def summary(self, plan: Sequence[Planned]) -> str:
        main = sum(1 for p in plan if p.exercise.kind in ("strength", "plyometric"))
        return f"Warm up, {main} main exercise{'s' if main != 1 else ''}, then cool down."
