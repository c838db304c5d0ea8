"""Progression chains: the checks on a pack's links, and the ladder of doses they make.

An exercise's ``progression`` names easier and harder exercises and the dose steps in
between. :func:`chain_problems` checks a pack's links (every end exists, no chain comes
back on itself, linked exercises work the same muscles); :func:`ladder` turns one
routine step into the rungs a program climbs, leaving out exercises the program rules
out (so a tendinopathy program never climbs into side-lying or crossed-leg work).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from glutekit.model import Dose, Exercise
from glutekit.model.counted import counted
from glutekit.model.records import record

if TYPE_CHECKING:
    from glutekit.catalog.schema import Document, Problem

#: The most rungs one ladder may have (a guard against a pack with very small steps).
MAX_RUNGS = 60


# ----------------------------------------------------------------------------- checks


def chain_problems(doc: Document) -> list[Problem]:
    """Problems with the ``progression`` links of a pack that passed its schema."""
    exercises = [e for e in doc.data.get("exercises", []) if isinstance(e, dict)]
    # Only an exercise with a progression has links (or an up_to) to check: in a large
    # catalog most have none, and nothing below needs to look at them.
    linked = [(i, ex) for i, ex in enumerate(exercises) if ex.get("progression")]
    if not linked:
        return []
    index = {e["id"]: i for i, e in enumerate(exercises) if isinstance(e.get("id"), str)}
    found: list[Problem] = []
    for i, ex in linked:
        links = ex["progression"]
        for way in ("easier", "harder"):
            for j, target in enumerate(_ids(links.get(way))):
                pointer = f"/exercises/{i}/progression/{way}" + (
                    f"/{j}" if isinstance(links.get(way), list) else ""
                )
                if target not in index:
                    found.append(
                        doc.problem(pointer, f"'{target}' is not an exercise of this pack")
                    )
                elif target == ex.get("id"):
                    found.append(doc.problem(pointer, f"'{target}' links to itself"))
                elif not _share_a_primary(ex, exercises[index[target]]):
                    found.append(
                        doc.problem(
                            pointer,
                            f"'{ex.get('id')}' and '{target}' work no primary muscle in common; "
                            "a chain keeps to the same targets",
                        )
                    )
        found += _up_to_problems(doc, ex, i)
    for way in ("harder", "easier"):
        found += _cycle_problems(doc, [ex for _, ex in linked], index, way)
    return found


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _share_a_primary(a: dict[str, Any], b: dict[str, Any]) -> bool:
    first = set((a.get("targets") or {}).get("primary", ()))
    second = set((b.get("targets") or {}).get("primary", ()))
    return bool(first & second)


def _cycle_problems(
    doc: Document, exercises: list[dict[str, Any]], index: dict[str, int], way: str
) -> list[Problem]:
    """One problem for each chain that comes back to an exercise it has passed.

    ``exercises`` may leave out those without links: they cannot be on a circle.
    """
    edges = {
        ex["id"]: [t for t in _ids((ex.get("progression") or {}).get(way)) if t in index]
        for ex in exercises
        if isinstance(ex.get("id"), str)
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset[str]] = set()
    found: list[Problem] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in edges.get(node, []):
            if target == node:
                continue  # reported as a link to itself
            if state.get(target) == 1:
                loop = [*path[path.index(target) :], target]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    where = f"/exercises/{index[node]}/progression/{way}"
                    found.append(
                        doc.problem(
                            where,
                            f"the {way} chain goes round in a circle ({' → '.join(loop)}); "
                            "a chain must end",
                        )
                    )
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for start in edges:
        if start not in state:
            visit(start, [start])
    return found


def _up_to_problems(doc: Document, ex: dict[str, Any], i: int) -> list[Problem]:
    from glutekit.model.durations import parse_duration

    up_to = (ex.get("progression") or {}).get("up_to") or {}
    dose = ex.get("dose") or {}
    found: list[Problem] = []
    for key in ("hold", "reps", "breaths"):
        if key not in up_to:
            continue
        if key not in dose:
            found.append(
                doc.problem(
                    f"/exercises/{i}/progression/up_to/{key}",
                    f"the dose has no '{key}' to step up",
                )
            )
            continue
        try:
            low = parse_duration(dose[key]) if key == "hold" else int(dose[key])
            high = parse_duration(up_to[key]) if key == "hold" else int(up_to[key])
        except (TypeError, ValueError):
            continue
        if high < low:
            found.append(
                doc.problem(
                    f"/exercises/{i}/progression/up_to/{key}",
                    f"{up_to[key]} is below the dose's {dose[key]}",
                )
            )
    return found


# ----------------------------------------------------------------------------- ladders


@record(frozen=True, kw_only=True)
class Rung:
    """One step of a ladder: an exercise and how much of it."""

    exercise: str
    name: str
    kind: str  # "hold", "reps" or "breaths"
    amount: int
    sets: int = 1

    def dose_text(self) -> str:
        if self.kind == "hold":
            text = f"{self.amount} s"
        else:
            text = counted(self.amount, "reps" if self.kind == "reps" else "breaths")
        return f"{self.sets} × {text}" if self.sets > 1 else text

    def describe(self) -> str:
        return f"{self.name}, {self.dose_text()}"


@record(frozen=True, kw_only=True)
class Ladder:
    """Every rung one routine step can be at, and where the routine as written sits."""

    rungs: tuple[Rung, ...]
    origin: int
    #: Why the ladder stops where it does, at the top and at the bottom (or None).
    top_note: str | None = None
    bottom_note: str | None = None

    def at(self, level: int) -> Rung:
        return self.rungs[max(0, min(len(self.rungs) - 1, self.origin + level))]

    @property
    def highest(self) -> int:
        return len(self.rungs) - 1 - self.origin

    @property
    def lowest(self) -> int:
        return -self.origin


Lookup = Callable[[str], Exercise | None]


def _amount(dose: Dose) -> int:
    value = {"hold": dose.seconds, "reps": dose.reps, "breaths": dose.breaths}[dose.kind]
    return int(value or 0)


def dose_rungs(ex: Exercise, *, amount: int | None = None, sets: int | None = None) -> list[Rung]:
    """The rungs of one exercise: from its dose (or the routine's) up its steps."""
    prog = ex.progression
    dose = ex.dose
    start = amount if amount is not None else _amount(dose)
    start_sets = sets if sets is not None else dose.sets
    if prog is None:
        return [Rung(exercise=ex.id, name=ex.name, kind=dose.kind, amount=start, sets=start_sets)]
    step, cap = {
        "hold": (prog.hold_step, prog.hold_up_to or dose.seconds_max),
        "reps": (prog.reps_step, prog.reps_up_to or dose.reps_max),
        "breaths": (prog.breaths_step, prog.breaths_up_to or dose.breaths_max),
    }[dose.kind]
    top = max(start, cap or start)
    amounts = [*range(start, top, max(1, step)), top]
    rungs = [
        Rung(exercise=ex.id, name=ex.name, kind=dose.kind, amount=a, sets=start_sets)
        for a in amounts
    ]
    for extra in range(start_sets + 1, max(start_sets, prog.sets_up_to or 0) + 1):
        rungs.append(Rung(exercise=ex.id, name=ex.name, kind=dose.kind, amount=top, sets=extra))
    return rungs[:MAX_RUNGS]


@record(frozen=True, kw_only=True)
class Bounds:
    """What a ladder may climb into: none of ``excludes``' loads, no exercise the
    session already does (it would be done twice), and only positions the session
    already uses or standing (a chair-side session never ends on the floor)."""

    excludes: Collection[str] = ()
    in_session: Collection[str] = ()
    positions: Collection[str] | None = None

    def why_not(self, ex: Exercise) -> str | None:
        """Why ``ex`` is left out of the ladder, in a few words, or None."""
        loads = sorted(set(ex.loads) & set(self.excludes))
        if loads:
            return ", ".join(loads).replace("_", " ") + ", left out by this program"
        if ex.id in self.in_session:
            return "already in this session"
        if self.positions is not None and ex.position not in self.positions:
            return f"{ex.position.replace('-', ' ')}, a position this session does not use"
        return None


def _next(
    ex: Exercise, way: str, lookup: Lookup, bounds: Bounds, seen: set[str]
) -> tuple[Exercise | None, str | None]:
    """The first exercise ``way`` of ``ex`` the program allows, or why there is none."""
    prog = ex.progression
    links = (prog.harder if way == "harder" else prog.easier) if prog else ()
    skipped: list[str] = []
    for link in links:
        found = lookup(link)
        if found is None or found.id in seen:
            continue
        why = bounds.why_not(found)
        if why is not None:
            skipped.append(f"{found.name} ({why})")
            continue
        return found, None
    if skipped:
        return None, f"the {way} step is left out: {' or '.join(skipped)}"
    return None, None


def _no_more_than(rungs: list[Rung], limit: Rung) -> list[Rung]:
    """The rungs of an easier exercise that ask no more than ``limit`` does.

    One step down must lighten the load: never more sets, nor more of the same count,
    than the rung it steps down from (not the easier exercise's top dose, which can be
    several times the volume).
    """
    kept = [
        r
        for r in rungs
        if r.sets <= limit.sets and (r.kind != limit.kind or r.amount <= limit.amount)
    ]
    if kept:
        return kept
    first = rungs[0]
    amount = min(first.amount, limit.amount) if first.kind == limit.kind else first.amount
    return [replace(first, amount=amount, sets=min(first.sets, limit.sets))]


def ladder(
    ex: Exercise,
    lookup: Lookup,
    *,
    excludes: Collection[str] = (),
    in_session: Collection[str] = (),
    positions: Collection[str] | None = None,
    amount: int | None = None,
    sets: int | None = None,
) -> Ladder:
    """The ladder of a routine step that does ``ex`` (at ``amount``/``sets`` if it says).

    ``in_session`` are the exercises the session already does and ``positions`` the
    positions it may use (None: any); the ladder climbs into neither another step's
    exercise nor a new position.
    """
    bounds = Bounds(excludes=excludes, in_session=in_session, positions=positions)
    seen = {ex.id}
    rungs = dose_rungs(ex, amount=amount, sets=sets)
    top_note = None
    current = ex
    while len(rungs) < MAX_RUNGS:
        found, top_note = _next(current, "harder", lookup, bounds, seen)
        if found is None:
            break
        seen.add(found.id)
        rungs += dose_rungs(found)
        current = found
    below: list[Rung] = []
    bottom_note = None
    current = ex
    while len(below) < MAX_RUNGS:
        found, bottom_note = _next(current, "easier", lookup, bounds, seen)
        if found is None:
            break
        seen.add(found.id)
        below = _no_more_than(dose_rungs(found), below[0] if below else rungs[0]) + below
        current = found
    return Ladder(
        rungs=tuple(below + rungs[:MAX_RUNGS]),
        origin=len(below),
        top_note=top_note,
        bottom_note=bottom_note,
    )


def lookup_in(exercises: Mapping[str, Exercise]) -> Lookup:
    return exercises.get
