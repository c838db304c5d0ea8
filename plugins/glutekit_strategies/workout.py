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
from glutekit_strategies.plan import AIM, Planned, bounds, take

#: Seconds of rest between sets and after the exercise come from the compiler's
#: defaults by kind (see :data:`glutekit.timeline.SET_REST_BY_KIND`) or the pack's dose.


def compound(ex: Exercise) -> bool:
    """A lift that works several big muscles at once: tagged so, or with two primaries."""
    if "isolation" in ex.tags:
        return False
    return "compound" in ex.tags or len(ex.primary) >= 2


class Workout(BuiltinStrategy):
    """A gym session for the target, in the order a coach writes one.

    A warm-up (warm-up or cardio exercises, about a sixth of the time), then power work
    (plyometric) while the legs are fresh, then strength, heavy compound lifts before
    accessory ones, then a cool-down of stretches or mobility. Equipment you name is
    preferred, not merely allowed: with ``--equipment dumbbell`` the main work is done
    with dumbbells where the pack has such exercises. Rests between sets and after
    each exercise follow the kind (strength 90 s between sets and 60 s after, power
    75 s and 60 s) unless the pack's dose states its own. The main work (power or
    strength) is required; a phase with nothing that fits is left out.
    """

    name = "workout"
    description = "Warm up, power, then strength work for the target, then stretch."
    shorter_hint = "ask for more --minutes"
    PHASES: tuple[tuple[frozenset[str], float], ...] = (
        (frozenset({"warm-up", "cardio"}), 0.15),
        (frozenset({"plyometric"}), 0.15),
        (frozenset({"strength"}), 0.50),
        (frozenset({"stretch", "mobility"}), 0.20),
    )
    MAIN = frozenset({"plyometric", "strength"})

    def choose(
        self,
        request: ComposeRequest,
        catalog: Catalog,
        rng: random.Random,
        settings: Settings,
        budget: float,
    ) -> list[Exercise]:
        pools = [
            (kinds, share, candidates(catalog, request, kinds)) for kinds, share in self.PHASES
        ]
        if not any(pool for kinds, _, pool in pools if kinds <= self.MAIN):
            raise InputError(explain_missing(catalog, request, "strength"))
        chosen: list[list[Exercise]] = []
        rankings: list[list[Exercise]] = []
        spare = 0.0
        for _, share, pool in pools:
            ranking = ranked(pool, request, rng, kit_bonus=1.5) if pool else []
            picked = take(ranking, budget * (share + spare), settings) if pool else []
            spare = 0.0 if pool else spare + share
            chosen.append(picked)
            rankings.append([ex for ex in ranking if ex not in picked])
        # Time the chosen cannot fill even with every set becomes another exercise,
        # main work first.
        for index in (2, 1, 0, 3):
            while rankings[index] and bounds(self._flat(chosen), settings)[1] < budget * (1 - AIM):
                chosen[index].append(rankings[index].pop(0))
        return self._arranged(chosen)

    @staticmethod
    def _flat(chosen: list[list[Exercise]]) -> list[Exercise]:
        return [ex for phase in chosen for ex in phase]

    @staticmethod
    def _arranged(chosen: list[list[Exercise]]) -> list[Exercise]:
        warm_up, power, strength, cool_down = chosen
        # Heavy compound lifts first, while fresh; accessory work after.
        heavy = [ex for ex in strength if compound(ex)]
        accessory = [ex for ex in strength if not compound(ex)]
        return order_phases([p for p in (warm_up, power, heavy, accessory, cool_down) if p])

    def _can_drop(self, exercises: Sequence[Exercise], index: int) -> bool:
        # The main work stays: a workout is never only its warm-up and cool-down.
        main = [ex for ex in exercises if ex.kind in self.MAIN]
        return exercises[index].kind not in self.MAIN or len(main) > 1

    def summary(self, plan: Sequence[Planned]) -> str:
        main = sum(1 for p in plan if p.exercise.kind in self.MAIN)
        return f"Warm up, {main} main exercise{'s' if main != 1 else ''}, then cool down."
