"""The built-in strategies: ``cycle``, ``stretch`` and ``quick``.

Each one picks exercises from the catalog that suit the request, orders them so the
user gets up and down as little as possible, and lets :mod:`.plan` set the doses so the
session fills the time asked for. Randomness comes only from ``random.Random(seed)``,
so a seed always gives the same routine.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

from glutekit.catalog import Catalog
from glutekit.compose import (
    candidates,
    count_transitions,
    describe_path,
    explain_missing,
    order_phases,
    posture,
    target_score,
    target_text,
)
from glutekit.errors import InputError
from glutekit.interfaces import ComposeRequest
from glutekit.model import Exercise, Settings
from glutekit.model.durations import format_seconds
from glutekit.timeline import compile as compile_timeline
from glutekit_strategies.plan import (
    AIM,
    BudgetError,
    Planned,
    bounds,
    default_seconds,
    fit_played,
    shortest,
    take,
)

KIND_ORDER = ("warm-up", "release", "mobility", "stretch", "activation")
#: Choices of exercises a strategy tries before it says the time cannot be met.
MAX_TRIES = 12
#: How much more time a second choice of exercises is made for, when the first misses.
WIDER = 0.3


def ranked(
    pool: Sequence[Exercise],
    request: ComposeRequest,
    rng: random.Random,
    *,
    kit_bonus: float = 0.0,
) -> list[Exercise]:
    """Best first: exercises that work the targets most directly, ties broken by the seed.

    The jitter is below one point, so the seed reorders exercises of equal worth and
    sometimes lets a close second through, but never puts a side issue ahead of direct work
    by more than that. What the symptom's guidance names instead gets a point, and with
    ``kit_bonus`` an exercise that uses the equipment the user has gets that much more.
    """
    keyed = [
        (
            target_score(ex, request.targets)
            + _instead(ex, request)
            + (kit_bonus if uses_kit(ex, request.equipment) else 0.0)
            + rng.random(),
            ex.id,
            ex,
        )
        for ex in pool
    ]
    return [ex for _, _, ex in sorted(keyed, key=lambda k: (-k[0], k[1]))]


def uses_kit(ex: Exercise, equipment: frozenset[str]) -> bool:
    """True when the exercise needs something the user has (not merely allows it)."""
    return any(item in equipment for need in ex.equipment for item in need)


def _instead(ex: Exercise, request: ComposeRequest) -> int:
    # What the symptom's guidance names to use instead goes first among its equals.
    return 1 if ex.id in request.instead else 0


def by_kind(exercises: Sequence[Exercise]) -> list[Exercise]:
    return sorted(
        exercises, key=lambda ex: KIND_ORDER.index(ex.kind) if ex.kind in KIND_ORDER else 9
    )


class BuiltinStrategy:
    """Shared steps: choose, fit the budget, and write the routine."""

    name = ""
    description = ""
    #: What to suggest when even a short routine of this kind does not fit the minutes.
    shorter_hint = "use --strategy quick"

    #: Keep at least one exercise of each kind chosen when making a routine shorter.
    keep_kinds = False

    def compose(self, request: ComposeRequest, catalog: Catalog) -> dict[str, Any]:
        settings = Settings()
        budget = request.minutes * 60
        exercises = self.choose(request, catalog, random.Random(request.seed), settings, budget)
        measure = played_by(catalog, settings, request.screens)
        # Doses never go below their range: too long means one exercise fewer. Which one
        # to leave out is tried best first, then the others (doses come in steps, a whole
        # set at a time, so the best guess can land between two lengths that both miss);
        # when none fits, the message is the one the best guesses ended with.
        primary = tuple(ex.id for ex in exercises)
        failed: BudgetError | None = None
        count = len(exercises)
        tried: set[tuple[str, ...]] = set()
        todo = [exercises]
        wider = False
        while len(tried) < MAX_TRIES:
            if not todo and not wider:
                # Nothing chosen fits: choose again as for a little more time (one more
                # exercise), whose leavings are tried in turn.
                wider = True
                rng = random.Random(request.seed)
                todo = [self.choose(request, catalog, rng, settings, budget * (1 + WIDER))]
            if not todo:
                break
            exercises = todo.pop(0)
            key = tuple(ex.id for ex in exercises)
            if key in tried:
                continue
            tried.add(key)
            try:
                plan, played = fit_played(exercises, budget, settings, measure)
            except BudgetError as exc:
                options = self._fewer_options(exercises, budget, settings)
                if exc.low > budget:
                    todo = options + todo  # the best guess's own next step first
                if key == primary:
                    failed, count = exc, len(exercises)
                    if exc.low > budget and options:
                        primary = tuple(ex.id for ex in options[0])
                continue
            return routine_data(self.name, request, plan, settings, self.summary(plan), played)
        assert failed is not None
        raise InputError(self._budget_message(failed, request, count)) from None

    def _can_drop(self, exercises: Sequence[Exercise], index: int) -> bool:
        if not self.keep_kinds:
            return True
        return sum(1 for ex in exercises if ex.kind == exercises[index].kind) > 1

    def _fewer_options(
        self, exercises: Sequence[Exercise], budget: float, settings: Settings
    ) -> list[list[Exercise]]:
        """The exercises less one, best first: the leaving that brings the shortest
        session nearest the budget from below, then the others; none when none can go."""
        if len(exercises) < 2:
            return []
        options = [
            [*exercises[:i], *exercises[i + 1 :]]
            for i in range(len(exercises))
            if self._can_drop(exercises, i)
        ]
        lows = [bounds(option, settings)[0] for option in options]
        order = sorted(
            range(len(options)),
            key=lambda i: (lows[i] > budget, -lows[i] if lows[i] <= budget else lows[i]),
        )
        return [options[i] for i in order]

    def choose(
        self,
        request: ComposeRequest,
        catalog: Catalog,
        rng: random.Random,
        settings: Settings,
        budget: float,
    ) -> list[Exercise]:
        raise NotImplementedError

    def summary(self, plan: Sequence[Planned]) -> str:
        return self.description

    def _budget_message(self, exc: BudgetError, request: ComposeRequest, count: int) -> str:
        if exc.low > exc.budget:
            shortest = max(1, round(exc.low / 60 / (1 + 0.1) + 0.49))
            return (
                f"--minutes {request.minutes:g} is too short for the {self.name} strategy "
                f"for {target_text(request)} (it needs about {exc.low / 60:.1f} min); "
                f"ask for --minutes {shortest} or more, or {self.shorter_hint}"
            )
        longest = max(1, int(exc.high / 60 / (1 - 0.1)))
        return (
            f"only {count} {self.name} exercise{'s' if count != 1 else ''} for "
            f"{target_text(request)} fit your equipment, place and avoid list, enough for "
            f"about {exc.high / 60:.1f} min, not {request.minutes:g}; ask for --minutes "
            f"{longest} or fewer, or allow more with --equipment, --place or --target"
        )


class Cycle(BuiltinStrategy):
    """Release, then stretch, then activate the target: the full cycle.

    Knots are loosened first with a ball or roller, so the stretches that follow go
    further with less effort; a few slow strength moves then teach the muscle to steady
    the pelvis again. Within each phase the exercises of one posture stay together, and
    the orders of the phases are chosen together so the whole routine gets up and down
    as few times as possible (a phase starts in the posture the last one ended in when it
    can). About a quarter of the time goes to release, under half
    to stretching and the rest to activation. Release needs a ball or a foam roller;
    without one the cycle leaves the release phase out, says so in one line, and gives
    its time to stretching and activation.
    """

    name = "cycle"
    description = "Release, stretch, then activate the target (needs a ball or roller)."
    keep_kinds = True
    PHASES = (
        ("release", 0.25, "use --strategy stretch"),
        ("stretch", 0.45, "use --strategy quick"),
        ("activation", 0.30, "use --strategy stretch"),
    )

    def choose(
        self,
        request: ComposeRequest,
        catalog: Catalog,
        rng: random.Random,
        settings: Settings,
        budget: float,
    ) -> list[Exercise]:
        phases = list(self.PHASES)
        # Every phase's candidates in one pass over the catalog, then by kind.
        allowed = candidates(catalog, request, {kind for kind, _, _ in phases})
        of_kind = {kind: [ex for ex in allowed if ex.kind == kind] for kind, _, _ in phases}
        if not of_kind.get("release"):
            # The bare command ('glutekit compose --minutes 10') names no ball or roller:
            # a routine without release beats no routine.
            phases = phases[1:]
            reason = explain_missing(catalog, request, "release", "").strip()
            from glutekit.messages import note

            note(f"the cycle leaves out release: {reason.removesuffix(' or').rstrip(';')}")
        pools = []
        for kind, _, otherwise in phases:
            pool = of_kind[kind]
            if not pool:
                raise InputError(explain_missing(catalog, request, kind, otherwise))
            pools.append(pool)
        total = sum(share for _, share, _ in phases)
        rankings = [ranked(pool, request, rng) for pool in pools]
        chosen = [
            take(ranking, budget * share / total - settings.rest, settings)
            for (_, share, _), ranking in zip(phases, rankings, strict=True)
        ]
        if bounds([ex for phase in chosen for ex in phase], settings)[0] > budget * (1 + AIM):
            # Even the shortest doses of the favourites overrun: a short session takes
            # each phase's quickest exercise, so the whole cycle still fits the minutes.
            chosen = [[shortest(ranking, settings)] for ranking in rankings]
        return order_phases(chosen)

    def summary(self, plan: Sequence[Planned]) -> str:
        counts = [sum(1 for p in plan if p.exercise.kind == kind) for kind, _, _ in self.PHASES]
        if not counts[0]:
            return f"Stretch ({counts[1]}), then activate ({counts[2]}); no release without a ball or roller."
        return f"Release ({counts[0]}), then stretch ({counts[1]}), then activate ({counts[2]})."


class Stretch(BuiltinStrategy):
    """Stretches only, for the target, from the floor up.

    For days without equipment, or when the muscle is too tender to press on. The
    stretches that work the target most directly are picked first, each side held for
    its usual time or longer when there are minutes to fill, and the whole routine goes
    from lying to sitting to kneeling to standing so the user gets up only as needed.
    """

    name = "stretch"
    description = "Stretches only, for the target, ordered from lying to standing."

    def choose(
        self,
        request: ComposeRequest,
        catalog: Catalog,
        rng: random.Random,
        settings: Settings,
        budget: float,
    ) -> list[Exercise]:
        pool = candidates(catalog, request, {"stretch"})
        if not pool:
            raise InputError(explain_missing(catalog, request, "stretch", "use --strategy quick"))
        return order_phases([take(ranked(pool, request, rng), budget, settings)])

    def summary(self, plan: Sequence[Planned]) -> str:
        return f"{len(plan)} stretch{'es' if len(plan) != 1 else ''}, from the floor up."


class Quick(BuiltinStrategy):
    """The most good in very little time: few exercises, no getting up if it can be helped.

    Exercises of any useful kind (release, mobility, stretch, activation) are ranked by
    how directly they work the target per minute they take. The posture of the best one
    becomes home, and the routine is filled from that posture first, so a two-minute
    routine usually never leaves the floor (or the chair). Within a posture the usual
    order holds: release, mobility, stretch, then activation.
    """

    name = "quick"
    description = "The best value in a few minutes, staying in one posture where it can."
    shorter_hint = "ask for fewer exercises by picking one --target"
    KINDS = frozenset({"release", "mobility", "stretch", "activation"})

    def choose(
        self,
        request: ComposeRequest,
        catalog: Catalog,
        rng: random.Random,
        settings: Settings,
        budget: float,
    ) -> list[Exercise]:
        pool = candidates(catalog, request, self.KINDS)
        if not pool:
            raise InputError(explain_missing(catalog, request, "stretch"))
        best = sorted(
            pool,
            key=lambda ex: (
                -(target_score(ex, request.targets) + rng.random()) / default_seconds(ex, settings),
                ex.id,
            ),
        )
        homes = list(dict.fromkeys(posture(ex.position) for ex in best))
        for home in homes:
            chosen = take([ex for ex in best if posture(ex.position) == home], budget, settings)
            low, high = bounds(chosen, settings)
            if low <= budget * (1 + AIM) and high >= budget * (1 - AIM):
                return order_phases([by_kind(chosen)])
        # No single posture fills the time: start from the best one and add the rest.
        home = homes[0]
        preferred = [ex for ex in best if posture(ex.position) == home]
        preferred += [ex for ex in best if posture(ex.position) != home]
        chosen = take(preferred, budget, settings)
        return order_phases([by_kind(chosen)])

    def summary(self, plan: Sequence[Planned]) -> str:
        count = f"{len(plan)} exercise{'s' if len(plan) != 1 else ''}"
        return f"{count}, picked for the most effect per minute."


STRATEGIES: tuple[BuiltinStrategy, ...] = (Cycle(), Stretch(), Quick())


# ----------------------------------------------------------------------------- routine data


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].rstrip("-") or "composed"


def played_by(
    catalog: Catalog, settings: Settings, screens: Sequence[str] = ()
) -> Callable[[Sequence[Planned]], float]:
    """Seconds a plan really plays: its routine compiled into the timeline a session plays,
    with the screens it will say before the first exercise."""

    def played(plan: Sequence[Planned]) -> float:
        steps = [p.step_data(settings) for p in plan]
        data: dict[str, Any] = {"id": "plan", "title": "plan", "steps": steps}
        if screens:
            data["screens"] = list(screens)
        routine = catalog.load_routine_data(data, "plan")
        return compile_timeline(routine, catalog).duration

    return played


def routine_data(
    name: str,
    request: ComposeRequest,
    plan: Sequence[Planned],
    settings: Settings,
    summary: str,
    played: float,
) -> dict[str, Any]:
    """Routine JSON for a plan that plays ``played`` seconds: schema-valid, with the
    transition count in the description."""
    positions = [p.exercise.position for p in plan]
    moves = count_transitions(positions)
    what = target_text(request).replace("_", " ")
    minutes = f"{request.minutes:g}"
    for_symptom = f" for {request.symptom}" if request.symptom else ""
    # Name what was asked: the symptom or the muscles, and nothing when neither was given.
    parts = (
        [name, request.symptom] if request.symptom else [name, *(request.asked or request.targets)]
    )
    data: dict[str, Any] = {
        "id": _slug("-".join([*parts, minutes.replace(".", "-"), "min"])),
        "title": f"{name.capitalize()}{for_symptom}: {what}, {minutes} min"[:200],
        "description": (
            f"Composed by the '{name}' strategy (seed {request.seed}). {summary} "
            f"Gets up or down {moves} time{'s' if moves != 1 else ''}: {describe_path(positions)}. "
            f"Planned length {format_seconds(played)}."
        ),
        "tags": ["composed", _slug(name)],
        "steps": [p.step_data(settings) for p in plan],
    }
    if request.symptom:
        data["symptom"] = request.symptom
    if request.screens:
        data["screens"] = list(request.screens)
    if request.targets:
        data["targets"] = list(request.targets)
    return data
