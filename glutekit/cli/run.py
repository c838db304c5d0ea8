"""``glutekit run`` (play a routine, hands-free) and ``glutekit transcript``.

The session itself (choosing outputs, compiling around speech, playing with signals
handled) is the core's :mod:`glutekit.session`; this module only turns options into a
:class:`~glutekit.session.SessionOptions` and prints. ``--compose`` builds the routine
here; ``--resume`` and ``--pain*`` attach the history (see :mod:`glutekit.cli.history`).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from glutekit.cli import completion as complete
from glutekit.cli.app import App, pass_app
from glutekit.cli.compose import compose_options, compose_options_given
from glutekit.cli.music_options import music_options, music_values
from glutekit.cli.plugin_options import WithPluginOptions, take_declared
from glutekit.cli.sides_option import timing_options, with_timing
from glutekit.cli.voice_options import voice_options, voice_values
from glutekit.errors import GlutekitError, InputError, UnknownId
from glutekit.model import BreathPace, Cue, Routine
from glutekit.model.durations import clock
from glutekit.session import HistoryOptions, SessionOptions, prepare, summary_line
from glutekit.textcheck import safe
from glutekit.timeline import compile


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
    if ref is None:
        raise InputError(
            "missing ROUTINE: an id from 'glutekit routines', a .json file, "
            "or --compose with compose options"
        )
    return load_routine(app, ref)


def _warn(message: str) -> None:
    click.echo(f"glutekit: warning: {safe(message)}", err=True)


@click.command(cls=WithPluginOptions)
@click.argument("routine", required=False, shell_complete=complete.complete_routine)
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
    shell_complete=complete.complete_output,
    help="Send the session to this output (repeatable); default: the default outputs.",
)
@click.option(
    "--listen",
    is_flag=True,
    help="Take spoken commands ('coach, pause', 'coach, next' …) from the microphone, "
    "offline; same as --input listen.",
)
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="NAME",
    help="Let this input drive the session too (repeatable), e.g. listen.",
)
@voice_options
@music_options
@timing_options
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
    "--program",
    "program_session",
    is_flag=True,
    help="Run the next session of the program under way (see 'glutekit program'), then "
    "ask effort beside pain.",
)
@click.option(
    "--effort",
    type=click.IntRange(0, 10),
    metavar="N",
    help="With --program: how hard it was (0-10), instead of being asked.",
)
@click.option(
    "--red-flag/--no-red-flag",
    default=None,
    help="With --program: answer the warning-sign question instead of being asked.",
)
@click.option(
    "--events",
    "events_format",
    type=click.Choice(["jsonl"]),
    metavar="jsonl",
    help="Print the session's events (segment, cue, paused, resumed, finished …) on "
    "standard output, one JSON object a line, for other programs; the session's text "
    "goes to standard error instead.",
)
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
    listen: bool = False,
    inputs: tuple[str, ...] = (),
    resume: bool = False,
    ask_pain: bool = False,
    pain_before: int | None = None,
    pain_after: int | None = None,
    compose_now: bool = False,
    first_side: str | None = None,
    breath_pace: BreathPace | None = None,
    program_session: bool = False,
    effort: int | None = None,
    red_flag: bool | None = None,
    events_format: str | None = None,
    program_json: bool = False,
    **compose_args: Any,
) -> None:
    """Run ROUTINE (an id from 'glutekit routines', or a .json file), hands-free.

    With --compose, run a routine composed on the spot instead, e.g.
    'glutekit run --compose --target gluteus_medius --minutes 10 --equipment tennis_ball'.
    With --program, run the next session of the program under way and answer how
    hard it was afterwards; add --pain to be asked for a pain score before and after.

    With --events jsonl, every event of the session is printed as it happens, one
    JSON object a line, for scripts and other tools (see 'docs/serve.md').

    On a terminal: space pauses and resumes, n skips ahead, b goes back, q quits.
    With --listen, say "coach, pause", "coach, go on", "coach, next", "coach, back",
    "coach, again", "coach, stop" or "coach, how long" instead.
    """
    options = _session_options(
        compose_args,
        speed=speed,
        voice=not no_voice,
        outputs=outputs,
        inputs=(*inputs, "listen") if listen else inputs,
        stdout_is_data=events_format is not None or program_json,
        history=HistoryOptions(
            resume=resume,
            ask=ask_pain,
            pain_before=pain_before,
            pain_after=pain_after,
            finish_on_end=False,  # the summary line comes before the question of pain after
        ),
    )
    stray = [] if compose_now else compose_options_given(click.get_current_context())
    if stray:
        named = stray[0] if len(stray) == 1 else f"{', '.join(stray[:-1])} and {stray[-1]}"
        works = "works" if len(stray) == 1 else "work"
        raise InputError(f"{named} only {works} with --compose")
    pending = None
    if program_session:
        if routine is not None or compose_now:
            raise InputError("give ROUTINE, --compose or --program, not more than one")
        from glutekit.cli.program_session import todays_session

        pending = todays_session(app)
        chosen = app.catalog.load_routine_data(pending.routine_data, "<program session>")
    elif effort is not None or red_flag is not None:
        raise InputError("--effort and --red-flag only work with --program")
    else:
        chosen = routine_to_run(app, routine, compose_now, compose_args)
    try:
        session = prepare(
            with_timing(chosen, first_side, breath_pace),
            host=app.host,
            catalog=app.catalog,
            options=options,
            report=_warn,
        )
    except UnknownId as exc:
        raise _named_with_config(exc) from None
    if events_format == "jsonl":
        from glutekit.session.events import JsonLines

        session.events.subscribe(JsonLines(sys.stdout))
    result = session.play()
    click.echo(summary_line(result.summary), err=options.stdout_is_data)
    _note_gaps(result.summary.underruns)
    history = session.history
    if history is not None:
        history.finish(interrupted=result.signal is not None)
    if pending is not None:
        from glutekit.cli.program_session import finish_program_session

        finish_program_session(
            app,
            pending,
            history,
            finished=result.summary.status == "finished",
            effort=effort,
            red_flag=red_flag,
            as_json=program_json,
        )
    if result.signal is not None:
        raise click.exceptions.Exit(result.exit_code)


def _session_options(
    compose_args: dict[str, Any],
    *,
    speed: float,
    voice: bool,
    outputs: tuple[str, ...],
    inputs: tuple[str, ...],
    stdout_is_data: bool,
    history: HistoryOptions,
) -> SessionOptions:
    """The session's options; takes the voice, music and plugin options out of
    ``compose_args``, leaving those of --compose."""
    speech = voice_values(compose_args, speaking=voice)
    music = music_values(compose_args)
    if music and not voice:
        raise InputError("--music plays under the voice; leave out --no-voice to hear it")
    speech.update(music)
    speech.update(take_declared(compose_args))
    return SessionOptions(
        # Standard output carries the events (or the program's JSON): outputs that print
        # must use stderr.
        stdout_is_data=stdout_is_data,
        speed=speed,
        voice=voice,
        outputs=outputs,
        inputs=inputs,
        interactive=sys.stdout.isatty(),
        values=speech,
        history=history,
    )


def _note_gaps(gaps: int | None) -> None:
    if gaps:
        from glutekit.messages import note

        note(
            f"the sound broke up {gaps} time{'s' if gaps != 1 else ''}: the machine was "
            "too busy to feed the audio in time"
        )


def _named_with_config(exc: UnknownId) -> UnknownId:
    """An unknown output that came from the config file says so, and how to change it."""
    from click.core import ParameterSource

    from glutekit import paths

    source = click.get_current_context().get_parameter_source("outputs")
    if source is not ParameterSource.DEFAULT_MAP or not str(exc).startswith("unknown output"):
        return exc
    return UnknownId(
        f"{exc}; it is the 'output' setting of the config file {paths.config_path()} "
        "('glutekit config set output NAME' or 'glutekit config unset output' changes it)"
    )


@click.command(cls=WithPluginOptions)
@click.argument("routine", shell_complete=complete.complete_routine)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@click.option(
    "--spoken",
    is_flag=True,
    help="Fit the times around the speech, as a voiced run and the WAV export play them "
    "(renders every cue).",
)
@voice_options
@timing_options
@pass_app
def transcript(
    app: App,
    /,
    routine: str,
    as_json: bool,
    spoken: bool,
    first_side: str | None = None,
    breath_pace: BreathPace | None = None,
    **speech: Any,
) -> None:
    """Print every cue of ROUTINE with its time: 'mm:ss kind text'.

    Without --spoken the times are those of a session with no voice.
    """
    options = {**voice_values(speech, speaking=spoken), **take_declared(speech)}
    loaded = with_timing(load_routine(app, routine), first_side, breath_pace)
    timeline = compile(loaded, app.catalog)
    if spoken:
        from glutekit.cli.exporting import compile_for, export_options, exporters

        speaking = [e for _, e in exporters(app).values() if e.speech_lengths is not None]
        if not speaking:
            raise GlutekitError("--spoken needs a plugin that speaks; none is loaded")
        typed = export_options(app, options, speaks=True)
        timeline = compile_for(speaking[0], loaded, app, typed, plain=timeline)
    # With tones the 3-2-1 is heard as tones, not words: say so.
    tones = spoken and options.get("countdown") == "tones"

    def kind_of(cue: Cue) -> str:
        return "tone" if tones and cue.kind == "countdown" else cue.kind

    def text_of(cue: Cue) -> str:
        return f"(tone) {cue.text.rstrip('.')}" if kind_of(cue) == "tone" else cue.text

    if as_json:
        import json

        cues = [
            {
                "at": c.at,
                "kind": kind_of(c),
                "text": text_of(c),
                "exercise": c.exercise,
                "side": c.side,
            }
            for c in timeline.cues
        ]
        click.echo(
            json.dumps({"duration": timeline.duration, "cues": cues}, indent=2, ensure_ascii=False)
        )
        return
    for cue in timeline.cues:
        click.echo(f"{clock(cue.at)} {kind_of(cue):<11} {text_of(cue)}")
