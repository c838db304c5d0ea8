"""Doses and timing: make a chosen list of exercises fill a time budget.

A strategy decides *which* exercises and in what order; this module decides *how much*
of each (hold seconds, breaths or reps, and sets) so the session lasts as long as the
user asked. The estimate follows the timeline's rules, with speech lengths estimated
from the words (:func:`glutekit.timeline.played.overhead`): the session opens with a safety
line, each exercise starts with a prepare, each side is worked with a switch between
the sides, sets are separated by a set rest, exercises by a rest, and the session ends
with a short "done".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from itertools import pairwise

from glutekit.errors import InputError
from glutekit.model import RELAXED_BREATH, Dose, Exercise, Settings
from glutekit.model.records import record
from glutekit.timeline import DONE_SECONDS, rest_after_seconds
from glutekit.timeline.played import overhead

#: Fraction of the budget a composed routine may miss by (the promise is ±10%;
#: aiming tighter leaves room for rounding).
AIM = 0.03
TOLERANCE = 0.10
MAX_SETS = 3
#: Seconds per rep when an exercise gives reps without a tempo.
DEFAULT_REP_SECONDS = 3.0


#: Holds are said in steps of this many seconds, as a coach says them.
HOLD_STEP = 5


@record(frozen=True, kw_only=True)
class Dosing:
    """How far an exercise's dose may be stretched or shrunk, in its own unit.

    A composed dose stays inside the range the pack gives (``hold`` to ``hold_max``,
    ``breaths`` to ``breaths_max``, ``reps`` to ``reps_max``; a single value is a range
    of one), in the numbers people say: holds in steps of :data:`HOLD_STEP` seconds,
    whole breaths and reps. Time beyond that goes to more sets, up to :data:`MAX_SETS`
    (or the pack's own number of sets, when it gives more).
    """

    unit: float  # seconds per hold second, per breath or per rep
    base: int
    low: int
    high: int
    base_sets: int
    #: Amounts are multiples of this (when the range has one).
    step: int = 1

    @property
    def max_sets(self) -> int:
        return max(MAX_SETS, self.base_sets)

    @classmethod
    def of(cls, ex: Exercise, settings: Settings) -> Dosing:
        pace = ex.dose.breath or settings.breath or RELAXED_BREATH
        return _dosing(ex.dose, pace.seconds)

    @classmethod
    def of_dose(cls, dose: Dose, breath: float) -> Dosing:
        if dose.kind == "hold":
            base = dose.seconds or 30
            high = max(dose.seconds_max or 0, base)
            return cls(
                unit=1.0, base=base, low=base, high=high, base_sets=dose.sets, step=HOLD_STEP
            )
        if dose.kind == "breaths":
            base = dose.breaths or 5
            high = max(dose.breaths_max or 0, base)
            return cls(unit=breath, base=base, low=base, high=high, base_sets=dose.sets)
        base = dose.reps or 10
        unit = dose.tempo.seconds if dose.tempo else DEFAULT_REP_SECONDS
        high = max(dose.reps_max or 0, base)
        return cls(unit=unit, base=base, low=base, high=high, base_sets=dose.sets)

    def clamp(self, amount: float) -> int:
        """The amount nearest ``amount`` inside the range, on the step where one fits."""
        low = math.ceil(self.low / self.step) * self.step
        high = self.high // self.step * self.step
        if low > high:  # no multiple of the step in the range: its own numbers will do
            return min(self.high, max(self.low, round(amount)))
        return min(high, max(low, self.step * round(amount / self.step)))

    def realise(self, work: float) -> tuple[int, int]:
        """``(amount, sets)`` closest to ``work`` seconds per side, within the bounds."""
        per_set_max = self.high * self.unit
        sets = min(self.max_sets, max(1, math.ceil(work / per_set_max - 1e-9)))
        return self.clamp(work / (sets * self.unit)), sets


def _dosing(dose: Dose, breath: float) -> Dosing:
    # Strategies ask for the same few doses thousands of times on a big catalog, and
    # exercises read from a compiled catalog share their dose objects: found by
    # identity first, which spares hashing every field of the dose each time.
    found = _BY_IDENTITY.get((id(dose), breath))
    if found is not None and found[0] is dose:
        return found[1]
    if len(_BY_IDENTITY) >= 4096:
        _BY_IDENTITY.clear()
    dosing = _dosing_of(dose, breath)
    # The dose is kept with it, so its id() is not another's while it is here.
    _BY_IDENTITY[(id(dose), breath)] = (dose, dosing)
    return dosing


_BY_IDENTITY: dict[tuple[int, float], tuple[Dose, Dosing]] = {}


@functools.lru_cache(maxsize=4096)
def _dosing_of(dose: Dose, breath: float) -> Dosing:
    return Dosing.of_dose(dose, breath)


@record(frozen=True, kw_only=True)
class Planned:
    """One exercise step with its dose decided."""

    exercise: Exercise
    amount: int
    sets: int

    def seconds(self, settings: Settings) -> float:
        return step_seconds(self.exercise, self.amount, self.sets, settings)

    def step_data(self, settings: Settings) -> dict[str, object]:
        dosing = Dosing.of(self.exercise, settings)
        data: dict[str, object] = {"exercise": self.exercise.id}
        if self.amount != dosing.base:
            key = {"hold": "hold", "breaths": "breaths", "reps": "reps"}[self.exercise.dose.kind]
            data["dose"] = {key: self.amount}
        if self.sets != dosing.base_sets:
            data["sets"] = self.sets
        return data


def step_seconds(ex: Exercise, amount: int, sets: int, settings: Settings) -> float:
    """How long one exercise step lasts in the timeline, its prepare included."""
    unit = Dosing.of(ex, settings).unit
    sides = 2 if ex.per_side else 1
    extra = overhead(ex, settings)
    one_set = sides * (amount * unit + extra.lead) + (sides - 1) * extra.switch
    return extra.prepare + sets * one_set + (sets - 1) * extra.set_rest


def total_seconds(plan: Sequence[Planned], settings: Settings) -> float:
    """The whole session: the opening safety line, every step, a rest between exercises,
    and the closing "done"."""
    if not plan:
        return 0.0
    rests = sum(
        max(overhead(p.exercise, settings).rest, rest_after_seconds(settings, before.exercise))
        for before, p in pairwise(plan)
    )
    opening = overhead(plan[0].exercise, settings).opening
    return opening + sum(p.seconds(settings) for p in plan) + rests + DONE_SECONDS


def work_seconds(ex: Exercise, settings: Settings) -> float:
    """The holds, breaths or reps of :func:`default_seconds` alone, without the speech
    and quiet around them: never more than it (the same sums, less added terms that
    are never negative), and much cheaper to work out."""
    dosing = Dosing.of(ex, settings)
    sides = 2 if ex.per_side else 1
    return dosing.base_sets * (sides * (dosing.base * dosing.unit))


def default_seconds(ex: Exercise, settings: Settings) -> float:
    dosing = Dosing.of(ex, settings)
    return step_seconds(ex, dosing.base, dosing.base_sets, settings)


def shortest(pool: Sequence[Exercise], settings: Settings) -> Exercise:
    """The exercise of ``pool`` with the shortest session at its lowest dose (the first
    of ``pool`` among equals)."""
    return min(pool, key=lambda ex: bounds([ex], settings)[0])


def take(
    pool: Sequence[Exercise], budget: float, settings: Settings, *, at_least: int = 1
) -> list[Exercise]:
    """The first exercises of ``pool`` that fit ``budget`` seconds at their usual dose."""
    chosen: list[Exercise] = []
    used = 0.0
    for ex in pool:
        rest = settings.rest if chosen else 0
        if len(chosen) >= at_least and used + (work_seconds(ex, settings) + rest) > budget:
            continue  # even its work alone does not fit: no need to weigh the speech
        cost = default_seconds(ex, settings) + rest
        if len(chosen) >= at_least and used + cost > budget:
            # Keep looking: a shorter exercise further down may still fit.
            continue
        chosen.append(ex)
        used += cost
    return chosen


def _plan_at(exercises: Sequence[Exercise], scale: float, settings: Settings) -> list[Planned]:
    plan = []
    for ex in exercises:
        dosing = Dosing.of(ex, settings)
        amount, sets = dosing.realise(dosing.base * dosing.base_sets * dosing.unit * scale)
        plan.append(Planned(exercise=ex, amount=amount, sets=sets))
    return plan


def bounds(exercises: Sequence[Exercise], settings: Settings) -> tuple[float, float]:
    """Shortest and longest the session can be with these exercises."""
    low = total_seconds(_plan_at(exercises, 0.0, settings), settings)
    high = total_seconds(_plan_at(exercises, 1e6, settings), settings)
    return low, high


def fit(exercises: Sequence[Exercise], budget: float, settings: Settings) -> list[Planned]:
    """Doses for ``exercises`` so that the session lasts ``budget`` seconds (±10%).

    As a coach fills a session: every exercise starts at the low end of its range, with
    one set; the doses then go up one step at a time (5 s more hold, one more breath or
    rep) while that brings the session closer to the time asked, then sets are added
    the same way, so the time left over becomes another set rather than a longer hold
    than the pack advises; last, any single step up or down that still brings it closer.

    :raises InputError: when no dose of these exercises gets within ±10% of the budget.
    """
    low, high = bounds(exercises, settings)
    if low > budget * (1 + TOLERANCE) or high < budget * (1 - TOLERANCE):
        raise BudgetError(low=low, high=high, budget=budget)
    plan = _plan_at(exercises, 0.0, settings)
    for moves in ((_longer,), (_another_set,), (_longer, _shorter, _another_set, _one_set_less)):
        plan = _improve(plan, moves, budget, settings)
    return plan


Move = Callable[[Planned, Settings], Planned | None]


def _improve(
    plan: list[Planned], moves: Sequence[Move], budget: float, settings: Settings
) -> list[Planned]:
    """Make the one change (of ``moves``, to one step) that brings the session nearest
    the budget, again and again while it brings it nearer."""
    plan = list(plan)
    total = total_seconds(plan, settings)
    while True:
        best: tuple[float, int, Planned] | None = None
        for index, step in enumerate(plan):
            for move in moves:
                changed = move(step, settings)
                if changed is None:
                    continue
                after = total - step.seconds(settings) + changed.seconds(settings)
                if best is None or abs(after - budget) < abs(best[0] - budget):
                    best = (after, index, changed)
        if best is None or abs(best[0] - budget) >= abs(total - budget) - 1e-9:
            return plan
        total, index, changed = best
        plan[index] = changed


def _longer(step: Planned, settings: Settings) -> Planned | None:
    dosing = Dosing.of(step.exercise, settings)
    amount = dosing.clamp(step.amount + dosing.step)
    if amount <= step.amount:
        return None
    return Planned(exercise=step.exercise, amount=amount, sets=step.sets)


def _shorter(step: Planned, settings: Settings) -> Planned | None:
    dosing = Dosing.of(step.exercise, settings)
    amount = dosing.clamp(step.amount - dosing.step)
    if amount >= step.amount:
        return None
    return Planned(exercise=step.exercise, amount=amount, sets=step.sets)


def _another_set(step: Planned, settings: Settings) -> Planned | None:
    if step.sets >= Dosing.of(step.exercise, settings).max_sets:
        return None
    return Planned(exercise=step.exercise, amount=step.amount, sets=step.sets + 1)


def _one_set_less(step: Planned, settings: Settings) -> Planned | None:
    if step.sets <= 1:
        return None
    return Planned(exercise=step.exercise, amount=step.amount, sets=step.sets - 1)


class BudgetError(InputError):
    """The chosen exercises cannot fill the budget; carries the range they can fill."""

    def __init__(self, *, low: float, high: float, budget: float) -> None:
        self.low, self.high, self.budget = low, high, budget
        super().__init__(
            f"these exercises fill {low / 60:.1f}–{high / 60:.1f} min, not {budget / 60:g} min"
        )


#: Rounds of measuring the compiled timeline and fitting again.
CORRECTIONS = 3


def fit_played(
    exercises: Sequence[Exercise],
    budget: float,
    settings: Settings,
    played: Callable[[Sequence[Planned]], float],
) -> tuple[list[Planned], float]:
    """Doses fitted with :func:`fit`, then checked against the timeline that really plays.

    The estimate sizes the doses without compiling every guess; ``played`` (seconds a plan
    plays) then measures the result, and the budget is corrected by what the estimate
    missed until the session plays within the aim, or stops getting closer.

    :returns: the plan and the seconds it plays.
    :raises BudgetError: when no dose of these exercises plays within ±10% of the budget.
    """
    plan = fit(exercises, budget, settings)
    length = played(plan)
    target = budget
    for _ in range(CORRECTIONS):
        if abs(length - budget) <= budget * AIM:
            break
        target += budget - length
        try:
            retry = fit(exercises, target, settings)
        except BudgetError:
            break
        retry_length = played(retry)
        if abs(retry_length - budget) >= abs(length - budget):
            break
        plan, length = retry, retry_length
    if abs(length - budget) > budget * TOLERANCE:
        raise BudgetError(low=length, high=length, budget=budget)
    return plan, length
