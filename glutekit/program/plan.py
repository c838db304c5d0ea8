"""Today's session of a program: the routine it names, at the level the log has reached.

Pure apart from composing (a strategy from a plugin): the routine data comes in, the
same routine with each exercise step moved along its ladder goes out, with one line
for each change.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from glutekit.catalog.chains import Ladder, Rung, ladder
from glutekit.errors import GlutekitError, InputError
from glutekit.model.records import record
from glutekit.program.model import Program

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import PluginHost

Path = tuple[int, ...]


@record(frozen=True, kw_only=True)
class StepLadder:
    path: Path
    ladder: Ladder


def routine_data(
    program: Program, number: int, catalog: Catalog, host: PluginHost | None
) -> dict[str, Any]:
    """The routine of session ``number`` (0-based) as written, before any progression."""
    plan = program.plan_for(number)
    if plan.routine is not None:
        if plan.routine not in catalog.routine_data:
            raise InputError(
                f"program '{program.id}' names routine '{plan.routine}', which is not installed "
                "(see 'glutekit routines')"
            )
        return copy.deepcopy(catalog.routine_data[plan.routine])
    assert plan.compose is not None
    if host is None:
        raise InputError("composing a program session needs the plugins")
    from glutekit import messages
    from glutekit.compose import compose, find_strategy
    from glutekit.program.files import compose_request

    # The strategy's notes ("leaves out release …") were for whoever wrote the program;
    # every program command composes the session again, so they are not repeated.
    was = messages.level()
    messages.set_level(min(was, messages.QUIET))
    try:
        request = compose_request(catalog, plan.compose)
        found = find_strategy(host, plan.compose.get("strategy") or "cycle")
        with messages.capture():
            data, _ = compose(request, catalog, found)
    except GlutekitError as exc:
        where = program.origin if program.origin.endswith(".json") else f"program '{program.id}'"
        pointer = f"/sessions/{number % len(program.sessions)}/compose"
        raise InputError(
            f"{where}: {pointer}: this session cannot be composed with the exercises "
            f"installed here: {exc}"
        ) from None
    finally:
        messages.set_level(was)
    data = copy.deepcopy(data)
    data["id"] = f"{program.id}-session-{number % len(program.sessions) + 1}"
    if plan.title:
        data["title"] = plan.title
    return data


def excludes_for(program: Program, catalog: Catalog, data: dict[str, Any]) -> set[str]:
    """Loads no step may progress into: the program's, its symptom's, the routine's and
    those of the symptoms the routine names (its ``symptom``, a tag that is one)."""
    from glutekit.catalog.symptoms import routine_symptoms

    out = set(program.excludes) | set(data.get("excludes", ()))
    program_symptom = catalog.symptoms().get(program.symptom or "")
    if program_symptom is not None:
        out |= set(program_symptom.excludes)
    # The routine's symptom, and each tag that names one, as the catalog checks it.
    for symptom, _ in routine_symptoms(data.get("symptom"), data.get("tags") or (), catalog):
        out |= set(symptom.excludes)
    return out


def _exercise_steps(steps: list[Any], base: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        if "exercise" in step:
            yield (*base, i), step
        elif "steps" in step:
            yield from _exercise_steps(step["steps"], (*base, i))


def _step_at(data: dict[str, Any], path: Path) -> dict[str, Any]:
    steps = data["steps"]
    node: dict[str, Any] = {}
    for i in path:
        node = steps[i]
        steps = node.get("steps", [])
    return node


def ladders(data: dict[str, Any], catalog: Catalog, excludes: set[str]) -> list[StepLadder]:
    """The ladder of every exercise step of the routine.

    No ladder climbs into an exercise another step already does, nor into a position
    the routine does not use (standing aside): a desk session stays off the floor.
    """
    from glutekit.model.durations import parse_duration

    steps = list(_exercise_steps(data.get("steps", [])))
    exercises = [catalog.exercise(step["exercise"]) for _, step in steps]
    in_session = {ex.id for ex in exercises}
    positions = {ex.position for ex in exercises} | {"standing"}
    found: list[StepLadder] = []
    for (path, step), ex in zip(steps, exercises, strict=True):
        dose = step.get("dose") or {}
        amount = None
        if ex.dose.kind == "hold" and "hold" in dose:
            amount = parse_duration(dose["hold"])
        elif ex.dose.kind in ("reps", "breaths") and ex.dose.kind in dose:
            amount = int(dose[ex.dose.kind])
        found.append(
            StepLadder(
                path=path,
                ladder=ladder(
                    ex,
                    catalog.exercises.get,
                    excludes=excludes,
                    in_session=in_session,
                    positions=positions,
                    amount=amount,
                    sets=step.get("sets"),
                ),
            )
        )
    return found


def level_range(steps: list[StepLadder]) -> tuple[int, int]:
    """The lowest and highest level at which some step still changes."""
    if not steps:
        return 0, 0
    return min(s.ladder.lowest for s in steps), max(s.ladder.highest for s in steps)


def _write_rung(step: dict[str, Any], rung: Rung, catalog: Catalog) -> None:
    ex = catalog.exercise(rung.exercise)
    same = catalog.resolve_id(step["exercise"]) == ex.id
    tempo = (step.get("dose") or {}).get("tempo") if same else None
    if not same:
        for key in ("cues", "note", "round_notes"):
            step.pop(key, None)
    step["exercise"] = ex.id
    step["dose"] = {rung.kind: rung.amount, **({"tempo": tempo} if tempo else {})}
    if rung.sets != ex.dose.sets or "sets" in step:
        step["sets"] = rung.sets


def at_level(
    data: dict[str, Any], steps: list[StepLadder], level: int, catalog: Catalog
) -> dict[str, Any]:
    """The routine data with every exercise step at ``level`` of its ladder."""
    out = copy.deepcopy(data)
    out.pop("length", None)  # the stated length no longer holds once doses change
    if level == 0:
        return out
    for item in steps:
        _write_rung(_step_at(out, item.path), item.ladder.at(level), catalog)
    return out


def change_lines(steps: list[StepLadder], before: int, after: int) -> list[str]:
    """One line per exercise whose dose or variant changes between two levels."""
    lines: list[str] = []
    for item in steps:
        old, new = item.ladder.at(before), item.ladder.at(after)
        if old == new:
            continue
        if old.exercise == new.exercise:
            line = f"{old.name}: {old.dose_text()} → {new.dose_text()}"
        else:
            line = f"{old.describe()} → {new.describe()}"
        if line not in lines:
            lines.append(line)
    return lines


def top_notes(steps: list[StepLadder], level: int) -> list[str]:
    """Why a step that stays at the top of its ladder goes no further."""
    notes: list[str] = []
    for item in steps:
        lad = item.ladder
        if level >= lad.highest and lad.top_note:
            note = f"{lad.at(level).name}: stays here; {lad.top_note}"
            if note not in notes:
                notes.append(note)
    return notes
