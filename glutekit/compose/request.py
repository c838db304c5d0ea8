"""Compose requests: the user's options checked against the catalog, and the filter.

Also explains, in one line, which constraint leaves a strategy with nothing to choose
and what would work instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from glutekit.catalog import Catalog
from glutekit.catalog.postures import GROUP_NAMES, POSTURE_OF, POSTURES, posture, surfaces_of
from glutekit.catalog.vocabulary import Vocabulary
from glutekit.errors import InputError, UnknownId, suggest
from glutekit.interfaces import ComposeRequest
from glutekit.model import Exercise
from glutekit.model.types import needs_met

if TYPE_CHECKING:
    from glutekit.catalog.indexrows import Where

_ON_THE_FLOOR = frozenset(
    {"supine", "prone", "side-lying", "seated", "kneeling", "half-kneeling", "quadruped", "lunge"}
)

PLACES: dict[str, frozenset[str]] = {
    "bed": frozenset({"supine", "prone", "side-lying", "seated"}),
    "floor": _ON_THE_FLOOR | {"standing"},
    "chair": frozenset({"seated", "standing"}),
    "standing": frozenset({"standing"}),
    "gym": _ON_THE_FLOOR | {"standing", "hanging"},
    "home": _ON_THE_FLOOR | {"standing"},
}

#: What each place offers to do an exercise on (None: anything). A seated exercise is
#: done on the floor unless it says it works on a chair or a bed (its ``surfaces``).
PLACE_SURFACES: dict[str, frozenset[str] | None] = {
    "bed": frozenset({"bed"}),
    "floor": frozenset({"floor", "standing"}),
    "chair": frozenset({"chair", "standing"}),
    "standing": frozenset({"standing"}),
    "gym": None,
    "home": frozenset({"floor", "chair", "bed", "standing"}),
}

#: Equipment a place brings with it, so "--place chair" needs no "--equipment chair".
PLACE_EQUIPMENT: dict[str, frozenset[str]] = {
    "bed": frozenset({"bed"}),
    "chair": frozenset({"chair"}),
    "gym": frozenset({"bench", "foam_roller", "mat", "pull_up_bar"}),
    "home": frozenset({"bed", "chair", "table", "wall"}),
}

LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")


# ----------------------------------------------------------------------------- requests


def known_targets(catalog: Catalog) -> set[str]:
    return {t for ex in catalog.exercises.values() for t in ex.targets}


def _worked(catalog: Catalog, target: str) -> bool:
    # The whole set of targets is made only for the error.
    return catalog.works_any(frozenset({target}), mainly=False)


def _working(
    catalog: Catalog, targets: Collection[str], where: Where | None = None
) -> Iterable[Exercise]:
    """The exercises that work any of ``targets`` (all of them when there are none), in
    catalog order: a compiled catalog reads only those from its index, and makes only
    those whose values pass ``where``."""
    if not targets:
        return catalog.exercises.values()
    return catalog.working(frozenset(targets), mainly=False, where=where)


def _target_word(words: Vocabulary, word: str) -> str:
    """A muscle's own term for a synonym; a region as it is."""
    term = words.term("muscles", word)
    return term.id if term is not None else word


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
    kinds: Sequence[str] = (),
) -> ComposeRequest:
    """Check what the user typed against the catalog and build a request.

    :raises InputError: one line naming the option and value, with close matches.
    """
    words = catalog.vocabulary
    # A region or a muscle group stands for every muscle in it: "--target upper_back"
    # finds lats and traps. The words as asked name the routine and the messages.
    named = list(dict.fromkeys(_target_word(words, t) for t in targets))
    wanted: list[str] = []
    for target in named:
        muscles = words.muscles_in(target)
        if not any(_worked(catalog, m) for m in muscles):
            known = known_targets(catalog)
            raise UnknownId(f"--target: no exercise works '{target}'{suggest(target, known)}")
        wanted += [m for m in muscles if m not in wanted]
    found = None
    if symptom is not None:
        symptoms = catalog.symptoms()
        found = symptoms.get(symptom)
        if found is None:
            raise UnknownId(
                f"--symptom: unknown symptom '{symptom}'{suggest(symptom, symptoms)} "
                f"(known: {', '.join(sorted(symptoms)) or 'none'})"
            )
        for target in found.targets:
            named += [target] if target not in named else []
            wanted += [m for m in words.muscles_in(target) if m not in wanted]
    if not minutes > 0:
        raise InputError(f"--minutes must be more than 0, got {minutes:g}")
    if place is not None and place not in PLACES:
        raise InputError(f"--place: unknown place '{place}' (use one of: {', '.join(PLACES)})")
    if level is not None and level not in LEVELS:
        raise InputError(f"--level: unknown level '{level}' (use one of: {', '.join(LEVELS)})")
    have = {words.resolve("equipment", item, "--equipment") for item in equipment if item != "none"}
    have |= PLACE_EQUIPMENT.get(place or "", frozenset())
    asked = frozenset(words.resolve("kinds", kind, "--kind") for kind in kinds)
    avoid = [_avoid_word(catalog, word) for word in avoid]
    _check_avoid(catalog, avoid)
    return ComposeRequest(
        targets=tuple(wanted),
        asked=tuple(named) if named != wanted else (),
        minutes=float(minutes),
        equipment=frozenset(have),
        positions=place_positions(catalog, place) if place else None,
        avoid=frozenset(avoid),
        level=level,
        seed=seed,
        symptom=symptom,
        place=place,
        surfaces=PLACE_SURFACES[place] if place else None,
        kinds=asked or None,
        excludes=frozenset(found.excludes) if found else frozenset(),
        screens=(found.screen_text,) if found and found.screen_text else (),
        instead=found.instead if found else (),
    )


#: The postures each place allows, for positions packs declare.
PLACE_POSTURES: dict[str, frozenset[str]] = {
    "bed": frozenset({"lying", "seated"}),
    "floor": frozenset({"lying", "seated", "kneeling", "standing"}),
    "chair": frozenset({"seated", "standing"}),
    "standing": frozenset({"standing"}),
    "gym": frozenset({"lying", "seated", "kneeling", "standing", "hanging"}),
    "home": frozenset({"lying", "seated", "kneeling", "standing"}),
}


def place_positions(catalog: Catalog, place: str) -> frozenset[str]:
    """The built-in positions of a place, and the declared ones whose posture it allows."""
    allowed = PLACE_POSTURES[place]
    declared = {
        term.id
        for term in catalog.vocabulary.terms["positions"].values()
        if term.id not in POSTURE_OF and term.posture in allowed
    }
    return PLACES[place] | declared


def _avoid_word(catalog: Catalog, word: str) -> str:
    """A position's synonym stands for the position; anything else is kept as typed."""
    term = catalog.vocabulary.term("positions", word)
    return term.id if term is not None else word


def _check_avoid(catalog: Catalog, avoid: Iterable[str]) -> None:
    # A typo in --avoid would silently keep the very thing the user cannot do.
    if not avoid:
        return
    words = set(GROUP_NAMES) | set(POSTURE_OF)
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
    if not avoid:
        return False  # most requests avoid nothing: no posture to look up
    return not avoid.isdisjoint(ex.tags) or _avoided_position(ex.position, avoid)


def _avoided_position(position: str, avoid: frozenset[str] | set[str]) -> bool:
    return bool(avoid) and (position in avoid or POSTURES[posture(position)][0] in avoid)


def blockers(ex: Exercise, request: ComposeRequest) -> list[str]:
    """The request's constraints that rule the exercise out (empty when it is allowed)."""
    found: list[str] = []
    if not ex.usable_with(request.equipment):
        found.append("equipment")
    if not fits_place(ex, request.positions, request.surfaces):
        found.append("place")
    if avoided(ex, request.avoid):
        found.append("avoid")
    if request.level is not None and _level(ex.level) > _level(request.level):
        found.append("level")
    if request.kinds is not None and ex.kind not in request.kinds:
        found.append("kind")
    if request.excludes and not request.excludes.isdisjoint(ex.loads):
        found.append("symptom")
    return found


def excluded_note(catalog: Catalog, request: ComposeRequest) -> str | None:
    """One line on what the symptom's guidance left out and what to use instead.

    Counts the exercises that would otherwise have been candidates (they work a target
    and fit the other constraints); None when the symptom left nothing out.
    """
    if not request.excludes:
        return None
    left_out = [
        ex for ex in _working(catalog, request.targets) if blockers(ex, request) == ["symptom"]
    ]
    if not left_out:
        return None
    words = catalog.vocabulary
    loads = sorted({load for ex in left_out for load in ex.loads if load in request.excludes})
    named = [words.inline_label("loads", load) for load in loads]
    what = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" or {named[-1]}"
    count = len(left_out)
    line = (
        f"for {request.symptom}, left out {count} exercise{'s' if count != 1 else ''} "
        f"that load{'s' if count == 1 else ''} {what}"
    )
    instead = [catalog.exercises[i].name for i in request.instead if i in catalog.exercises]
    if instead:
        line += f"; use {' or '.join(instead)} instead"
    return line


def fits_place(
    ex: Exercise, positions: frozenset[str] | None, surfaces: frozenset[str] | None
) -> bool:
    """True when the place allows the exercise's position and offers one of its surfaces."""
    if positions is not None and ex.position not in positions:
        return False
    return surfaces is None or not surfaces.isdisjoint(surfaces_of(ex))


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
    # The cheap test first: this runs for every compose.
    return [
        ex
        for ex in _working(catalog, request.targets, _single_values(request, kinds))
        if (kinds is None or ex.kind in kinds) and not blockers(ex, request)
    ]


def _single_values(request: ComposeRequest, kinds: Collection[str] | None) -> Where:
    """The tests of :func:`blockers` (and of ``kinds``) that look at one value each.

    An exercise that fails one is blocked whatever its other values, so a compiled
    catalog need not make it; :func:`blockers` still judges every exercise that passes
    (the place's surfaces, for one, depend on two values).
    """
    where: dict[str, Callable[[Any], bool]] = {}
    # ``kinds`` is asked as candidates() asks it ('in'), whatever the collection: as a
    # set, a strategy's "stretch" (a string) would be its letters.
    wanted = request.kinds
    if kinds is not None:
        where["kind"] = lambda kind: kind in kinds and (wanted is None or kind in wanted)
    elif wanted is not None:
        where["kind"] = wanted.__contains__
    have = request.equipment
    where["equipment"] = lambda needs: needs_met(needs, have)
    if request.positions is not None or request.avoid:
        where["position"] = lambda position: (
            (request.positions is None or position in request.positions)
            and not _avoided_position(position, request.avoid)
        )
    if request.avoid:
        where["tags"] = request.avoid.isdisjoint
    if request.level is not None:
        most = _level(request.level)
        where["level"] = lambda level: _level(level) <= most
    if request.excludes:
        where["loads"] = request.excludes.isdisjoint
    return where


# ----------------------------------------------------------------------------- explaining


def target_text(request: ComposeRequest) -> str:
    """What the user asked for: the muscles, or the regions and groups as they were named."""
    named = request.asked or request.targets
    return " and ".join(named) if named else "any muscle"


def explain_missing(
    catalog: Catalog, request: ComposeRequest, kind: str, otherwise: str | None = None
) -> str:
    """One line saying which constraint leaves no exercise of ``kind``, and what would work.

    :param otherwise: another way out, such as ``"use --strategy stretch"``.
    """
    pool = [ex for ex in _working(catalog, request.targets) if ex.kind == kind]
    tail = f" or {otherwise}" if otherwise else ""
    if not pool:
        return f"no {kind} exercise for {target_text(request)} in any loaded pack; {otherwise or 'try another --target'}"
    # What the symptom excludes is never offered back: no change of option makes it safe.
    allowed_pool = [ex for ex in pool if "symptom" not in blockers(ex, request)]
    if not allowed_pool:
        return (
            f"no {kind} exercise for {target_text(request)} that the {request.symptom} "
            f"guidance allows; {otherwise or 'try another --target'}"
        )
    pool = allowed_pool
    reasons = [(blockers(ex, request), ex) for ex in pool]
    for constraint in ("equipment", "place", "avoid", "level", "kind"):
        only_this = [ex for found, ex in reasons if found == [constraint]]
        if only_this:
            return (
                f"no {kind} exercise {_phrase(constraint, request)} for {target_text(request)}; "
                f"{_fix(constraint, only_this, request)}{tail}"
            )
    # Every candidate is ruled out by two or more constraints: name the fewest changes
    # that let one in, taking the combination most candidates share.
    fewest = min(len(found) for found, _ in reasons)
    combos: dict[tuple[str, ...], list[Exercise]] = {}
    for found, ex in reasons:
        if len(found) == fewest:
            combos.setdefault(tuple(found), []).append(ex)
    combo, allowed = max(combos.items(), key=lambda item: len(item[1]))
    named = ", ".join(combo[:-1]) + f" and {combo[-1]}"
    fixes = " and ".join(_fix(constraint, allowed, request) for constraint in combo)
    return (
        f"no {kind} exercise for {target_text(request)} fits your {named} together; "
        f"to allow {allowed[0].name}, {fixes}{tail}"
    )


def _phrase(constraint: str, request: ComposeRequest) -> str:
    if constraint == "equipment":
        have = ", ".join(sorted(request.equipment))
        return f"with your equipment ({have})" if have else "without equipment"
    if constraint == "place":
        return f"for --place {request.place}" if request.place else "in the allowed positions"
    if constraint == "avoid":
        return f"that avoids {', '.join(sorted(request.avoid))}"
    if constraint == "kind":
        return f"when you ask for --kind {', '.join(sorted(request.kinds or ()))}"
    return f"at --level {request.level}"


def _fix(constraint: str, exercises: Sequence[Exercise], request: ComposeRequest) -> str:
    if constraint == "equipment":
        return _equipment_fix(exercises, request.equipment)
    if constraint == "place":
        places = [
            name
            for name, allowed in PLACES.items()
            if any(fits_place(ex, allowed, PLACE_SURFACES[name]) for ex in exercises)
        ]
        return f"use --place {places[0]}" if places else "use another --place"
    if constraint == "avoid":
        words = sorted(request.avoid)
        if len(words) == 1:
            return f"leave out --avoid {words[0]}"
        return "leave out one of " + ", ".join(f"--avoid {word}" for word in words)
    if constraint == "kind":
        return f"add --kind {exercises[0].kind}"
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
