"""``glutekit run`` (play a routine, hands-free) and ``glutekit transcript``.

How a run is put together, and where each feature plugs in:

1. **Options** — ``run``'s click options fill a :class:`RunOptions`. An option meant
   for outputs (voice: ``--voice``, ``--rate``, ``--volume``, ``--voice-backend``) goes
   into ``RunOptions.values``; every output receives those as ``OutputOptions.values``.
2. **Routine** — :func:`load_routine` turns ROUTINE (an id or a path) into a Routine.
   ``--compose`` builds the routine there instead.
3. **Plan** — :func:`prepare_session` picks the outputs (``glutekit_outputs`` hook),
   compiles the plain timeline, asks the outputs how long each cue takes to say and
   compiles again with those lengths. ``--resume`` sets ``RunOptions.start_segment``
   (see :func:`glutekit.timeline.step_start`); ``--pain*`` and other session records
   add a callable to ``RunPlan.session_listeners``, called with the plan and summary.
   ``RunPlan.extra_outputs`` takes outputs that are not chosen with ``--output``.
4. **Play** — :func:`execute` plays the plan with Ctrl-C and SIGTERM handled, and
   :func:`summary_line` describes the result.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click

from glutekit.catalog import suggest
from glutekit.cli.app import App, pass_app
from glutekit.cli.compose import compose_options
from glutekit.cli.voice_options import voice_options, voice_values
from glutekit.clock import MonotonicClock
from glutekit.durations import clock
from glutekit.engine import Controls, play, speech_lengths
from glutekit.errors import GlutekitError, InputError, UnknownId
from glutekit.interfaces import Output, OutputOptions, OutputSpec, SessionSummary
from glutekit.model import Routine, Timeline
from glutekit.plugins import collect_named
from glutekit.timeline import CompileSettings, compile, cue_texts

EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


@dataclass(kw_only=True)
class RunOptions:
    speed: float = 1.0
    voice: bool = True
    #: Output names from ``--output``; empty means every default output.
    outputs: tuple[str, ...] = ()
    interactive: bool = False
    start_segment: int = 0
    #: Option values handed to every output (``OutputOptions.values``).
    values: dict[str, Any] = field(default_factory=dict)


Listener = Callable[["RunPlan", SessionSummary], None]


@dataclass(kw_only=True)
class RunPlan:
    routine: Routine
    timeline: Timeline
    options: RunOptions
    controls: Controls
    outputs: list[tuple[str, Output]]
    extra_outputs: list[tuple[str, Output]] = field(default_factory=list)
    session_listeners: list[Listener] = field(default_factory=list)


def load_routine(app: App, ref: str) -> Routine:
    return app.catalog.find_routine(ref)


def routine_to_run(
    app: App, ref: str | None, compose_now: bool, compose_args: dict[str, Any]
) -> Routine:
    """ROUTINE, or with ``--compose`` a routine composed from the compose options."""
    if compose_now:
        if ref is not None:
            raise InputError(f"give ROUTINE ('{ref}') or --compose, not both")
        from glutekit.cli.compose import composed

        return composed(app, compose_args)[1]
    stray = [
        k
        for k in ("targets", "symptom", "equipment", "place", "avoid", "seed")
        if compose_args.get(k)
    ]
    if stray:
        raise InputError(f"--{stray[0].rstrip('s')} only works with --compose")
    if ref is None:
        raise InputError(
            "missing ROUTINE: an id from 'glutekit routines', a .json file, "
            "or --compose with compose options"
        )
    return load_routine(app, ref)


def output_specs(app: App) -> dict[str, tuple[str, OutputSpec]]:
    """Every output the plugins offer: name -> (plugin, spec)."""
    return collect_named(
        app.host,
        "glutekit_outputs",
        lambda spec: spec.name if isinstance(spec, OutputSpec) else None,
        expected="an OutputSpec",
        what="output",
    )


def choose_outputs(app: App, options: RunOptions) -> list[tuple[str, OutputSpec]]:
    specs = output_specs(app)
    for name in options.outputs:
        if name not in specs:
            known = ", ".join(sorted(specs)) or "none"
            raise UnknownId(f"unknown output '{name}'{suggest(name, specs)} (outputs: {known})")
    if options.outputs:
        chosen = [(name, specs[name][1]) for name in dict.fromkeys(options.outputs)]
    else:
        chosen = [(name, spec) for name, (_, spec) in specs.items() if spec.default]
    if not options.voice:
        chosen = [(name, spec) for name, spec in chosen if not spec.speaks]
    return chosen


def create_outputs(app: App, options: RunOptions, controls: Controls) -> list[tuple[str, Output]]:
    values = {**options.values, "controls": controls}
    output_options = OutputOptions(
        speed=options.speed, interactive=options.interactive, values=values
    )
    created: list[tuple[str, Output]] = []
    for name, spec in choose_outputs(app, options):
        try:
            created.append((name, spec.create(output_options)))
        except InputError:
            raise  # the user asked for something that does not exist, e.g. --voice xx
        except Exception as exc:
            app.host.report(
                f"output '{name}' could not start: {type(exc).__name__}: {exc}; "
                "the session runs without it"
            )
    return created


def prepare_session(app: App, routine: Routine, options: RunOptions) -> RunPlan:
    """Choose and create outputs, then compile a timeline that leaves room for speech."""
    controls = Controls()
    outputs = create_outputs(app, options, controls)
    if not outputs:
        raise InputError("no output to run the session on (see 'glutekit run --help')")
    timeline = compile(routine, app.catalog)
    lengths = speech_lengths(outputs, cue_texts(timeline), report=app.host.report)
    if lengths:
        timeline = compile(routine, app.catalog, CompileSettings(speech_lengths=lengths))
    return RunPlan(
        routine=routine, timeline=timeline, options=options, controls=controls, outputs=outputs
    )


def execute(plan: RunPlan) -> tuple[SessionSummary, int | None]:
    """Play the plan; returns the summary and the signal that ended it, if any.

    The session plays on a helper thread so the main thread is free to take signals:
    a handler only asks the engine to stop. A second Ctrl-C stops waiting at once.
    """
    caught: list[int] = []
    result: list[SessionSummary] = []

    def on_signal(signum: int, frame: object) -> None:
        if caught:
            raise KeyboardInterrupt
        caught.append(signum)
        plan.controls.interrupt()

    def session() -> None:
        clock_ = MonotonicClock(plan.options.speed)
        result.append(
            play(
                plan.timeline,
                clock_,
                plan.outputs + plan.extra_outputs,
                controls=plan.controls,
                start_segment=plan.options.start_segment,
                report=_warn,
            )
        )

    previous = {sig: signal.signal(sig, on_signal) for sig in EXIT_SIGNAL}
    try:
        worker = threading.Thread(target=session, name="glutekit-session", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not result:
        raise InputError("the session stopped unexpectedly")
    for listener in plan.session_listeners:
        listener(plan, result[0])
    return result[0], caught[0] if caught else None


def _warn(message: str) -> None:
    click.echo(f"glutekit: warning: {message}", err=True)


def summary_line(summary: SessionSummary) -> str:
    exercises = len({exercise for exercise, _ in summary.completed})
    sides = sum(1 for _, side in summary.completed if side)
    work = (
        f"{exercises} exercise{'s' if exercises != 1 else ''}, "
        f"{sides} side{'s' if sides != 1 else ''}"
    )
    if summary.skipped:
        work += f", {len(summary.skipped)} skipped"
    if summary.status == "finished":
        return f"Finished in {clock(summary.elapsed)}: {work}."
    verb = "Quit" if summary.status == "quit" else "Stopped"
    return f"{verb} after {clock(summary.elapsed)} of {clock(summary.planned)}: {work} done."


@click.command()
@click.argument("routine", required=False)
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True, max=1000),
    default=1.0,
    show_default=True,
    help="Play faster, e.g. 60 plays 10 minutes in 10 s (for trying out).",
)
@click.option("--no-voice", is_flag=True, help="Leave out outputs that speak.")
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="NAME",
    help="Send the session to this output (repeatable); default: the default outputs.",
)
@voice_options
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the last interrupted session of ROUTINE at the first hold not done.",
)
@click.option(
    "--pain", "ask_pain", is_flag=True, help="Ask for a pain score (0-10) before and after."
)
@click.option("--pain-before", type=click.IntRange(0, 10), metavar="N", help="Pain before (0-10).")
@click.option("--pain-after", type=click.IntRange(0, 10), metavar="N", help="Pain after (0-10).")
@click.option(
    "--compose",
    "compose_now",
    is_flag=True,
    help="Compose a routine with the options below (as 'glutekit compose') and run it.",
)
@compose_options
@pass_app
def run(
    app: App,
    /,
    routine: str | None,
    speed: float,
    no_voice: bool,
    outputs: tuple[str, ...],
    resume: bool = False,
    ask_pain: bool = False,
    pain_before: int | None = None,
    pain_after: int | None = None,
    compose_now: bool = False,
    **compose_args: Any,
) -> None:
    """Run ROUTINE (an id from 'glutekit routines', or a .json file), hands-free.

    With --compose, run a routine composed on the spot instead, e.g.
    'glutekit run --compose --target gluteus_medius --minutes 10 --equipment tennis_ball'.

    On a terminal: space pauses and resumes, n skips ahead, b goes back, q quits.
    """
    speech = voice_values(compose_args)
    options = RunOptions(
        speed=speed,
        voice=not no_voice,
        outputs=outputs,
        interactive=sys.stdout.isatty(),
        values=speech,
    )
    plan = prepare_session(app, routine_to_run(app, routine, compose_now, compose_args), options)
    from glutekit.cli.history import attach_history

    history = attach_history(
        app, plan, resume=resume, ask=ask_pain, pain_before=pain_before, pain_after=pain_after
    )
    summary, signum = execute(plan)
    click.echo(summary_line(summary))
    history.finish(interrupted=signum is not None)
    if signum is not None:
        raise click.exceptions.Exit(EXIT_SIGNAL[signal.Signals(signum)])


@click.command()
@click.argument("routine")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@click.option(
    "--spoken",
    is_flag=True,
    help="Fit the times around the speech, as a voiced run and the WAV export play them "
    "(renders every cue).",
)
@voice_options
@pass_app
def transcript(app: App, /, routine: str, as_json: bool, spoken: bool, **speech: Any) -> None:
    """Print every cue of ROUTINE with its time: 'mm:ss kind text'.

    Without --spoken the times are those of a session with no voice.
    """
    loaded = load_routine(app, routine)
    timeline = compile(loaded, app.catalog)
    if spoken:
        from glutekit.cli.export import compile_for, exporters

        speaking = [e for _, e in exporters(app).values() if e.speech_lengths is not None]
        if not speaking:
            raise GlutekitError("--spoken needs a plugin that speaks; none is loaded")
        timeline = compile_for(speaking[0], loaded, app, voice_values(speech))
    if as_json:
        import json

        cues = [
            {"at": c.at, "kind": c.kind, "text": c.text, "exercise": c.exercise, "side": c.side}
            for c in timeline.cues
        ]
        click.echo(
            json.dumps({"duration": timeline.duration, "cues": cues}, indent=2, ensure_ascii=False)
        )
        return
    for cue in timeline.cues:
        click.echo(f"{clock(cue.at)} {cue.kind:<11} {cue.text}")
