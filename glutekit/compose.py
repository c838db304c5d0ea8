"""Composing routines: turn what the user asked for into a request, run a strategy, check it.

The strategies themselves are plugins (hook ``glutekit_strategies``). This module holds
what every strategy needs and what the CLI needs around them: the request and its
checks, the filter that applies the user's constraints, the ordering that keeps the
user from getting up and down, the transition count, and the explanation given when
nothing fits. It is pure apart from calling the hook.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from glutekit.catalog import Catalog, suggest
from glutekit.errors import GlutekitError, InputError, UnknownId, ValidationFailed
from glutekit.interfaces import ComposeRequest, Strategy
from glutekit.model import Exercise, Routine

if TYPE_CHECKING:
    from glutekit.plugins import PluginHost

#: Where the user is -> the body positions that make sense there.
PLACES: dict[str, frozenset[str]] = {
    "bed": frozenset({"supine", "prone", "side-lying", "seated"}),
    "floor": frozenset(
        {
            "supine",
            "prone",
            "side-lying",
            "seated",
            "kneeling",
            "half-kneeling",
            "quadruped",
            "lunge",
            "standing",
        }
    ),
    "chair": frozenset({"seated", "standing"}),
    "standing": frozenset({"standing"}),
    "gym": frozenset(
        {
            "supine",
            "prone",
            "side-lying",
            "seated",
            "kneeling",
            "half-kneeling",
            "quadruped",
            "lunge",
            "standing",
            "hanging",
        }
    ),
}

#: Equipment a place brings with it, so "--place chair" needs no "--equipment chair".
PLACE_EQUIPMENT: dict[str, frozenset[str]] = {
    "bed": frozenset({"bed"}),
    "chair": frozenset({"chair"}),
    "gym": frozenset({"bench", "foam_roller", "mat", "pull_up_bar"}),
}

LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")

#: Postures from the floor up. Moving between groups means getting up or down;
#: moving within a group (supine to side-lying) does not.
POSTURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lying", ("supine", "prone", "side-lying")),
    ("seated", ("seated",)),
    ("kneeling", ("quadruped", "kneeling", "half-kneeling", "lunge")),
    ("standing", ("standing", "hanging")),
)
_POSTURE_OF: dict[str, tuple[int, int]] = {
    position: (group, rank)
    for group, (_, positions) in enumerate(POSTURES)
    for rank, position in enumerate(positions)
}
_GROUP_NAMES = {name: frozenset(positions) for name, positions in POSTURES}


# ----------------------------------------------------------------------------- positions


def posture(position: str) -> int:
    """The posture group of a position: 0 lying, 1 seated, 2 kneeling, 3 standing.

    Positions a third-party pack invents count as standing: the safe guess is that
    the user has to get up for them.
    """
    return _POSTURE_OF.get(position, (len(POSTURES) - 1, 99))[0]


def position_key(position: str) -> tuple[int, int, str]:
    group, rank = _POSTURE_OF.get(position, (len(POSTURES) - 1, 99))
    return (group, rank, position)


def order_phases(
    phases: Sequence[Sequence[Exercise]], *, start: str | None = None
) -> list[Exercise]:
    """Put phases one after another, each ordered so the whole runs with fewest transitions.

    Within a phase, exercises of one posture group stay together (splitting a group
    only adds a transition). A phase may begin in the group the previous one ended in,
    which saves getting up, so the group a phase ends in matters for the next one: a
    small dynamic programme over that end group finds the best sequence. Among equally
    good ones it prefers going up (lying, then seated, then standing).
    """
    first = posture(start) if start is not None else None
    # end group -> (transitions, descents, group order for each phase so far)
    best: dict[int | None, tuple[int, int, list[list[int]]]] = {first: (0, 0, [])}
    for phase in phases:
        groups = sorted({posture(ex.position) for ex in phase})
        if not groups:
            continue
        found: dict[int | None, tuple[int, int, list[list[int]]]] = {}
        for prev, (moves, descents, orders) in best.items():
            for end in groups:
                order = _group_order(groups, prev, end)
                path = ([prev] if prev is not None else []) + order
                score = (
                    moves + sum(1 for a, b in pairwise(path) if a != b),
                    descents + sum(1 for a, b in pairwise(path) if b < a),
                )
                if end not in found or score < found[end][:2]:
                    found[end] = (*score, [*orders, order])
        best = found
    _, _, orders = min(best.values(), key=lambda item: item[:2])
    out: list[Exercise] = []
    for phase, order in zip((p for p in phases if p), orders, strict=True):
        for group in order:
            out += sorted(
                (ex for ex in phase if posture(ex.position) == group),
                key=lambda ex: position_key(ex.position),
            )
    return out


def _group_order(groups: list[int], prev: int | None, end: int) -> list[int]:
    if len(groups) == 1:
        return [end]
    head = [prev] if prev in groups and prev != end else []
    return head + [g for g in groups if g != end and g not in head] + [end]


def count_transitions(positions: Sequence[str]) -> int:
    """How many times the user gets up or down: changes of posture group in a row."""
    groups = [posture(p) for p in positions]
    return sum(1 for a, b in pairwise(groups) if a != b)


def describe_path(positions: Sequence[str]) -> str:
    """``lying → seated → standing``: the posture groups in the order visited."""
    names: list[str] = []
    for position in positions:
        name = POSTURES[posture(position)][0]
        if not names or names[-1] != name:
            names.append(name)
    return " → ".join(names)


# ----------------------------------------------------------------------------- requests


def known_targets(catalog: Catalog) -> set[str]:
    return {t for ex in catalog.exercises.values() for t in ex.targets}


def build_request(
    catalog: Catalog,
    *,
    targets: Sequence[str] = (),
    symptom: str | None = None,
    minutes: float = 10.0,
    equipment: Sequence[str] = (),
    place: str | None = None,
    avoid: Sequence[str] = (),
    level: str | None = None,
    seed: int = 0,
) -> ComposeRequest:
    """Check what the user typed against the catalog and build a request.

    :raises InputError: one line naming the option and value, with close matches.
    """
    wanted = list(dict.fromkeys(targets))
    known = known_targets(catalog)
    for target in wanted:
        if target not in known:
            raise UnknownId(f"--target: no exercise works '{target}'{suggest(target, known)}")
    if symptom is not None:
        symptoms = catalog.symptoms()
        found = symptoms.get(symptom)
        if found is None:
            raise UnknownId(
                f"--symptom: unknown symptom '{symptom}'{suggest(symptom, symptoms)} "
                f"(known: {', '.join(sorted(symptoms)) or 'none'})"
            )
        wanted += [t for t in found.targets if t not in wanted]
    if not minutes > 0:
        raise InputError(f"--minutes must be more than 0, got {minutes:g}")
    if place is not None and place not in PLACES:
        raise InputError(f"--place: unknown place '{place}' (use one of: {', '.join(PLACES)})")
    if level is not None and level not in LEVELS:
        raise InputError(f"--level: unknown level '{level}' (use one of: {', '.join(LEVELS)})")
    have = {item for item in equipment if item != "none"}
    have |= PLACE_EQUIPMENT.get(place or "", frozenset())
    _check_avoid(catalog, avoid)
    return ComposeRequest(
        targets=tuple(wanted),
        minutes=float(minutes),
        equipment=frozenset(have),
        positions=PLACES[place] if place else None,
        avoid=frozenset(avoid),
        level=level,
        seed=seed,
        symptom=symptom,
        place=place,
    )


def _check_avoid(catalog: Catalog, avoid: Iterable[str]) -> None:
    # A typo in --avoid would silently keep the very thing the user cannot do.
    words = set(_GROUP_NAMES) | set(_POSTURE_OF)
    for ex in catalog.exercises.values():
        words.add(ex.position)
        words.update(ex.tags)
    for word in avoid:
        if word not in words:
            raise InputError(
                f"--avoid: '{word}' is not a position, posture or tag of any "
                f"exercise{suggest(word, words)}"
            )


# ----------------------------------------------------------------------------- filtering


def avoided(ex: Exercise, avoid: frozenset[str] | set[str]) -> bool:
    """True when the exercise's position, posture group or one of its tags is avoided."""
    if ex.position in avoid or not avoid.isdisjoint(ex.tags):
        return True
    return POSTURES[posture(ex.position)][0] in avoid


def blockers(ex: Exercise, request: ComposeRequest) -> list[str]:
    """The request's constraints that rule the exercise out (empty when it is allowed)."""
    found: list[str] = []
    if not ex.usable_with(request.equipment):
        found.append("equipment")
    if request.positions is not None and ex.position not in request.positions:
        found.append("place")
    if avoided(ex, request.avoid):
        found.append("avoid")
    if request.level is not None and _level(ex.level) > _level(request.level):
        found.append("level")
    return found


def _level(name: str) -> int:
    return LEVELS.index(name) if name in LEVELS else len(LEVELS)


def works(ex: Exercise, targets: Collection[str]) -> bool:
    """True when the exercise works one of the targets (any exercise when there are none)."""
    return not targets or not set(targets).isdisjoint(ex.targets)


def target_score(ex: Exercise, targets: Collection[str]) -> int:
    """2 for each target the exercise works first of all, 1 for each it works as well."""
    if not targets:
        return 1
    return sum(2 if t in ex.primary else 1 if t in ex.secondary else 0 for t in targets)


def candidates(
    catalog: Catalog, request: ComposeRequest, kinds: Collection[str] | None = None
) -> list[Exercise]:
    """Allowed exercises of these kinds that work a requested target, in catalog order."""
    return [
        ex
        for ex in catalog.exercises.values()
        if (kinds is None or ex.kind in kinds)
        and works(ex, request.targets)
        and not blockers(ex, request)
    ]


# ----------------------------------------------------------------------------- explaining


def target_text(request: ComposeRequest) -> str:
    return " and ".join(request.targets) if request.targets else "any muscle"


def explain_missing(
    catalog: Catalog, request: ComposeRequest, kind: str, otherwise: str | None = None
) -> str:
    """One line saying which constraint leaves no exercise of ``kind``, and what would work.

    :param otherwise: another way out, such as ``"use --strategy stretch"``.
    """
    pool = [
        ex for ex in catalog.exercises.values() if ex.kind == kind and works(ex, request.targets)
    ]
    tail = f" or {otherwise}" if otherwise else ""
    if not pool:
        return f"no {kind} exercise for {target_text(request)} in any loaded pack; {otherwise or 'try another --target'}"
    reasons = [(blockers(ex, request), ex) for ex in pool]
    for constraint in ("equipment", "place", "avoid", "level"):
        only_this = [ex for found, ex in reasons if found == [constraint]]
        if only_this:
            return (
                f"no {kind} exercise {_phrase(constraint, request)} for {target_text(request)}; "
                f"{_fix(constraint, only_this, request)}{tail}"
            )
    return (
        f"no {kind} exercise for {target_text(request)} meets all of your constraints "
        f"(equipment, place, avoid, level); relax one of them{tail}"
    )


def _phrase(constraint: str, request: ComposeRequest) -> str:
    if constraint == "equipment":
        have = ", ".join(sorted(request.equipment))
        return f"with your equipment ({have})" if have else "without equipment"
    if constraint == "place":
        return f"for --place {request.place}" if request.place else "in the allowed positions"
    if constraint == "avoid":
        return f"that avoids {', '.join(sorted(request.avoid))}"
    return f"at --level {request.level}"


def _fix(constraint: str, exercises: Sequence[Exercise], request: ComposeRequest) -> str:
    if constraint == "equipment":
        return _equipment_fix(exercises, request.equipment)
    if constraint == "place":
        positions = {ex.position for ex in exercises}
        places = [name for name, allowed in PLACES.items() if positions & allowed]
        return f"use --place {places[0]}" if places else "use another --place"
    if constraint == "avoid":
        return "avoid less"
    needed = min(_level(ex.level) for ex in exercises)
    return f"use --level {LEVELS[min(needed, len(LEVELS) - 1)]}"


def _equipment_fix(exercises: Sequence[Exercise], have: frozenset[str]) -> str:
    """``add --equipment tennis_ball (or foam_roller)``: the items that unlock most."""
    unlocks: dict[str, int] = {}
    for ex in exercises:
        missing = [need for need in ex.equipment if not any(item in have for item in need)]
        if len(missing) == 1:
            for item in missing[0]:
                unlocks[item] = unlocks.get(item, 0) + 1
    if not unlocks:  # every such exercise lacks two things: name both for the simplest
        easiest = min(exercises, key=lambda ex: (len(ex.equipment), ex.id))
        needs = [need[0] for need in easiest.equipment if not any(i in have for i in need)]
        return "add " + " ".join(f"--equipment {item}" for item in needs)
    ranked = sorted(unlocks, key=lambda item: (-unlocks[item], item))
    others = f" (or {', '.join(ranked[1:4])})" if len(ranked) > 1 else ""
    return f"add --equipment {ranked[0]}{others}"


# ----------------------------------------------------------------------------- strategies


@dataclass(frozen=True, kw_only=True)
class FoundStrategy:
    """A strategy and the plugin that provided it."""

    strategy: Strategy
    plugin: str

    @property
    def name(self) -> str:
        return self.strategy.name


def available_strategies(host: PluginHost) -> dict[str, FoundStrategy]:
    """Every strategy the plugins provide, by name; bad or duplicate ones are reported."""
    found: dict[str, FoundStrategy] = {}
    for plugin, item in host.collect("glutekit_strategies"):
        name = getattr(item, "name", None)
        if not isinstance(name, str) or not callable(getattr(item, "compose", None)):
            host.report(
                f"plugin '{plugin}' returned {type(item).__name__} from "
                f"glutekit_strategies, expected a strategy with a name and compose()"
            )
            continue
        if name in found:
            host.report(
                f"duplicate strategy '{name}': from plugin '{plugin}' and plugin "
                f"'{found[name].plugin}'; keeping the one from '{found[name].plugin}'"
            )
            continue
        found[name] = FoundStrategy(strategy=item, plugin=plugin)
    return found


def find_strategy(host: PluginHost, name: str) -> FoundStrategy:
    strategies = available_strategies(host)
    if name not in strategies:
        known = ", ".join(sorted(strategies)) or "none loaded"
        raise UnknownId(
            f"--strategy: unknown strategy '{name}'{suggest(name, strategies)} "
            f"(available: {known}; see 'glutekit strategies')"
        )
    return strategies[name]


def compose(
    request: ComposeRequest, catalog: Catalog, found: FoundStrategy
) -> tuple[dict[str, Any], Routine]:
    """Run a strategy and check what it made: valid, resolvable, and true to the request.

    :raises InputError: when the strategy says the request cannot be met.
    :raises GlutekitError: when the strategy fails or breaks its contract (names the plugin).
    """
    who = f"strategy '{found.name}' (plugin '{found.plugin}')"
    try:
        data = found.strategy.compose(request, catalog)
    except GlutekitError:
        raise
    except Exception as exc:
        raise GlutekitError(f"{who} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(data, dict):
        raise GlutekitError(f"{who} returned {type(data).__name__}, expected routine data (a dict)")
    try:
        routine = catalog.load_routine_data(data, f"<{found.name} strategy>")
    except ValidationFailed as exc:
        raise GlutekitError(f"{who} made an invalid routine: {exc.problems[0]}") from None
    broken = constraint_violations(routine, request, catalog)
    if broken:
        raise GlutekitError(f"{who} ignored the request: {broken[0]}")
    return data, routine


def constraint_violations(routine: Routine, request: ComposeRequest, catalog: Catalog) -> list[str]:
    """One line for each exercise in the routine that the request rules out."""
    problems: list[str] = []
    for exercise_id in dict.fromkeys(routine.exercise_ids()):
        ex = catalog.exercise(exercise_id)
        for constraint in blockers(ex, request):
            problems.append(f"'{ex.id}' breaks the {constraint} constraint")
    return problems
