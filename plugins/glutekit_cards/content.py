"""What a printed sheet says, worked out once and shared by the PDF, HTML and Markdown writers.

Everything here is plain text and numbers: no layout, no escaping. Each writer
escapes for its own medium, so a title like ``<script>`` prints literally.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from glutekit.catalog.vocabulary import Vocabulary
from glutekit.interfaces import ExportRequest
from glutekit.model import (
    BlockStep,
    Dose,
    Exercise,
    ExerciseStep,
    MessageStep,
    RestStep,
    Routine,
    Side,
    Step,
)
from glutekit.model.durations import format_seconds
from glutekit.model.records import record
from glutekit.model.sides import fill
from glutekit_cards.figures import choose_figure

DEFAULT_WEEKS = 4
MIN_SESSIONS_PER_WEEK = 2
SIDE_WORDS = {"both": "each side", "left": "left side", "right": "right side"}


@record(frozen=True, kw_only=True)
class Picture:
    """One of an exercise's pictures as printed: a file of its pack, what it shows, its label."""

    #: Absolute path of a PNG, JPEG or SVG inside the pack's folder.
    path: str
    alt: str
    #: "Start" or "End" when an exercise shows two pictures side by side, else empty.
    caption: str = ""
    #: The folder of the picture's pack: the only place it may read files from.
    folder: str = ""


#: The captions of an exercise's first two pictures, printed side by side.
PAIR_CAPTIONS = ("Start", "End")


@record(frozen=True, kw_only=True)
class StepRow:
    """One line of the steps table."""

    number: str
    name: str
    dose: str = ""
    sides: str = ""
    note: str = ""
    #: "exercise", "rest" or "block" (a heading for the steps that follow).
    kind: str = "exercise"
    depth: int = 0
    #: The exercise's first picture, printed small beside its row; None when it has none.
    thumbnail: Picture | None = None


@record(frozen=True, kw_only=True)
class ExerciseInfo:
    """One exercise as the sheet and its card show it."""

    id: str
    name: str
    kind: str
    position: str
    figure: str
    targets: str
    equipment: str
    dose: str
    sides: str
    summary: str
    instructions: tuple[str, ...]
    cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    cautions: tuple[str, ...]
    #: A picture from the pack (absolute path: PNG, JPEG or SVG), drawn instead of the figure.
    image: str = ""
    image_alt: str = ""
    #: The folder of the image's pack: the only place a picture may read files from.
    image_folder: str = ""
    #: The pack, its authors, licence and attribution, and the exercise's sources.
    credit: str = ""
    sources: tuple[str, ...] = ()
    #: What the card shows: the start and end pictures side by side when the pack has
    #: two, its one picture, or nothing (the stick figure is drawn instead).
    pictures: tuple[Picture, ...] = ()

    @property
    def key_cue(self) -> str:
        return self.cues[0] if self.cues else ""


@record(frozen=True, kw_only=True)
class LogRow:
    label: str
    side: str = ""


@record(frozen=True, kw_only=True)
class LogGrid:
    weeks: int
    sessions_per_week: int
    rows: tuple[LogRow, ...]


#: Printed last under the sheet's cautions, whatever the pack.
SEE_A_PROFESSIONAL = (
    "Stop if you feel sharp, shooting or burning pain, or tingling down the leg. These "
    "exercises are general self-care: for a specific concern, an injury or a condition, ask a "
    "physiotherapist or doctor before you start."
)


@record(frozen=True, kw_only=True)
class Sheet:
    title: str
    purpose: str
    total_time: str
    equipment: str
    steps: tuple[StepRow, ...]
    exercises: tuple[ExerciseInfo, ...]
    cautions: tuple[str, ...]
    #: One line for each pack the routine uses: name, authors, licence, attribution.
    credits: tuple[str, ...]
    #: Every source the exercises name, once.
    sources: tuple[str, ...]
    log: LogGrid
    paper: str
    #: Which parts to print: the sheet (with its log grid), the exercise cards, or both.
    show_sheet: bool = True
    show_cards: bool = False

    @property
    def thumbnails(self) -> bool:
        """Whether the steps table has a column of thumbnails (some exercise has a picture)."""
        return any(row.thumbnail is not None for row in self.steps)


def effective_dose(step: ExerciseStep, exercise: Exercise) -> Dose:
    """The exercise's dose with the step's overrides (amount, tempo, sets) applied."""
    dose = exercise.dose
    override = step.dose
    if override is not None:
        tempo = override.tempo or dose.tempo
        if override.hold is not None:
            dose = Dose(kind="hold", seconds=override.hold, sets=dose.sets)
        elif override.breaths is not None:
            dose = Dose(kind="breaths", breaths=override.breaths, sets=dose.sets)
        elif override.reps is not None:
            dose = Dose(kind="reps", reps=override.reps, tempo=tempo, sets=dose.sets)
        elif override.tempo is not None:
            dose = replace(dose, tempo=override.tempo)
    if step.sets is not None:
        dose = replace(dose, sets=step.sets)
    return dose


def side_text(step: ExerciseStep, exercise: Exercise) -> str:
    """``each side``, ``left side``, ``right side``, or empty for two-sided exercises."""
    return SIDE_WORDS[step.sides] if exercise.per_side else ""


def _rows(request: ExportRequest) -> list[StepRow]:
    rows: list[StepRow] = []
    counter = 0

    def walk(steps: tuple[Step, ...], depth: int) -> None:
        nonlocal counter
        for step in steps:
            if isinstance(step, ExerciseStep):
                counter += 1
                ex = request.catalog.exercise(step.exercise)
                pictures = _pictures(ex, _pack_folder(request, ex))
                rows.append(
                    StepRow(
                        number=str(counter),
                        name=ex.name,
                        dose=effective_dose(step, ex).describe(),
                        sides=side_text(step, ex),
                        note=fill(step.note, _one_side(step, ex)) if step.note else "",
                        depth=depth,
                        thumbnail=replace(pictures[0], caption="") if pictures else None,
                    )
                )
            elif isinstance(step, RestStep):
                rows.append(
                    StepRow(
                        number="",
                        name="Rest",
                        dose=format_seconds(step.seconds),
                        note=step.say or "",
                        kind="rest",
                        depth=depth,
                    )
                )
            elif isinstance(step, BlockStep):
                rows.append(
                    StepRow(
                        number="", name=step.name, note=_block_note(step), kind="block", depth=depth
                    )
                )
                walk(step.steps, depth + 1)
            elif isinstance(step, MessageStep):
                continue  # spoken during the session; nothing to do on paper

    walk(request.routine.steps, 0)
    return rows


def _block_note(block: BlockStep) -> str:
    if block.repeat <= 1:
        return ""
    note = f"{block.repeat} rounds"
    if block.rest_between:
        note += f", {format_seconds(block.rest_between)} rest between"
    return note


def _exercise_steps(routine: Routine) -> list[ExerciseStep]:
    found: list[ExerciseStep] = []

    def walk(steps: tuple[Step, ...]) -> None:
        for step in steps:
            if isinstance(step, ExerciseStep):
                found.append(step)
            elif isinstance(step, BlockStep):
                walk(step.steps)

    walk(routine.steps)
    return found


def _sides_used(steps: list[ExerciseStep]) -> dict[str, list[str]]:
    """Exercise id -> sides it is done on, in routine order (for the log grid)."""
    out: dict[str, list[str]] = {}
    for step in steps:
        sides = out.setdefault(step.exercise, [])
        for side in ("right", "left") if step.sides == "both" else (step.sides,):
            if side not in sides:
                sides.append(side)
    return out


def _printed(texts: tuple[str, ...], side: Side | None = None) -> tuple[str, ...]:
    # Printed once for both sides: "{side}" reads "working", "{other}" reads "other";
    # a step that does one side only reads for that side.
    return tuple(fill(t, side) for t in texts)


def _one_side(step: ExerciseStep, ex: Exercise) -> Side | None:
    """The side a step does, when it does one side of a per-side exercise only."""
    return step.sides if step.sides != "both" and ex.per_side else None


def _info(
    step: ExerciseStep,
    ex: Exercise,
    posture: str | None = None,
    words: Vocabulary | None = None,
    folder: str = "",
) -> ExerciseInfo:
    side = _one_side(step, ex)
    pictures = _pictures(ex, folder)
    return ExerciseInfo(
        id=ex.id,
        name=ex.name,
        kind=ex.kind,
        position=ex.position.replace("-", " "),
        figure=choose_figure(
            ex.position,
            posture=posture,
            equipment=frozenset(item for need in ex.equipment for item in need),
        ),
        targets=", ".join(
            words.inline_label("muscles", m) if words else m.replace("_", " ") for m in ex.targets
        ),
        equipment=ex.equipment_text(),
        dose=effective_dose(step, ex).describe(),
        sides=side_text(step, ex),
        summary=ex.summary or "",
        instructions=_printed(ex.instructions, side),
        cues=_printed(step.cues + ex.cues, side),
        mistakes=_printed(ex.mistakes, side),
        cautions=ex.cautions,
        image=pictures[0].path if pictures else "",
        image_folder=folder,
        image_alt=pictures[0].alt if pictures else f"{ex.name}: figure",
        credit=ex.credit,
        sources=tuple(s.describe() for s in ex.sources),
        pictures=pictures,
    )


def _pack_folder(request: ExportRequest, ex: Exercise) -> str:
    """The folder of the exercise's pack file ("" for a pack given as data)."""
    pack = request.catalog.packs.get(ex.pack)
    if pack is None or not pack.origin or not Path(pack.origin).is_file():
        return ""
    return str(Path(pack.origin).resolve().parent)


def _pictures(ex: Exercise, folder: str) -> tuple[Picture, ...]:
    """The pack's own pictures for the card: its first two images (start and end), its one
    image, else its figure; only files that are there."""
    images = [i for i in ex.images if Path(i.path).is_file()][:2]
    if len(images) == 2:
        return tuple(
            Picture(
                path=i.path,
                alt=i.alt or f"{ex.name}: {caption.lower()}",
                caption=caption,
                folder=folder,
            )
            for i, caption in zip(images, PAIR_CAPTIONS, strict=True)
        )
    if images:
        return (Picture(path=images[0].path, alt=images[0].alt or ex.name, folder=folder),)
    if ex.figure and Path(ex.figure).is_file():
        return (Picture(path=ex.figure, alt=f"{ex.name}: figure", folder=folder),)
    return ()


def _log(request: ExportRequest, steps: list[ExerciseStep], weeks: int) -> LogGrid:
    sessions = MIN_SESSIONS_PER_WEEK
    rows: list[LogRow] = []
    order = request.routine.settings.side_order
    for ex_id, sides in _sides_used(steps).items():
        ex = request.catalog.exercise(ex_id)
        pack = request.catalog.packs.get(ex.pack)
        wanted = pack.guidance.min_sessions_per_week if pack else None
        sessions = max(sessions, wanted or 0)
        if not ex.per_side:
            rows.append(LogRow(label=ex.name))
            continue
        if order == "left-first":
            sides = sorted(sides)
        rows.extend(LogRow(label=ex.name, side=side) for side in sides)
    return LogGrid(weeks=weeks, sessions_per_week=sessions, rows=tuple(rows))


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def build_sheet(request: ExportRequest) -> Sheet:
    """Everything the sheet, the log grid and the cards print, from an export request.

    Options: ``cards`` adds the exercise cards after the sheet and log grid;
    ``cards_only`` prints the cards alone.
    """
    options = request.options.values
    weeks = int(options.get("weeks") or DEFAULT_WEEKS)
    steps = _exercise_steps(request.routine)
    first_steps: dict[str, ExerciseStep] = {}
    for step in steps:
        first_steps.setdefault(step.exercise, step)
    words = request.catalog.vocabulary
    infos = tuple(
        _info(s, ex, words.posture(ex.position), words, _pack_folder(request, ex))
        for s, ex in ((s, request.catalog.exercise(i)) for i, s in first_steps.items())
    )
    needs: list[str] = []
    for ex_id in first_steps:
        ex = request.catalog.exercise(ex_id)
        needs.extend(" or ".join(n.replace("_", " ") for n in need) for need in ex.equipment)
    equipment = ", ".join(_unique(needs)) or "none"
    routine = request.routine
    cards_only = bool(options.get("cards_only"))
    return Sheet(
        title=routine.title,
        purpose=routine.purpose or routine.description,
        total_time=format_seconds(request.timeline.duration),
        equipment=equipment,
        steps=tuple(_rows(request)),
        exercises=infos,
        # The routine's screens first: who should not do this at all comes before how.
        cautions=_unique(
            [*routine.screens, *(c for info in infos for c in info.cautions), SEE_A_PROFESSIONAL]
        ),
        credits=_unique([info.credit for info in infos]),
        sources=_unique([s for info in infos for s in info.sources]),
        log=_log(request, steps, weeks),
        paper=str(options.get("paper") or "a4"),
        show_sheet=not cards_only,
        show_cards=cards_only or bool(options.get("cards")),
    )
