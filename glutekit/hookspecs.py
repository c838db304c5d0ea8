"""Every hook glutekit calls. Plugins implement them with ``@glutekit.hookimpl``.

Hooks return data; the host validates what comes back and records which plugin
returned it, so every error names the plugin. Unless a hook says otherwise, all
implementations are called and their results are collected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pluggy

from glutekit.interfaces import (
    CommandSpec,
    Exporter,
    InputSpec,
    LicenceNote,
    OptionSpec,
    OutputSpec,
    Strategy,
    VoiceInfo,
    VoiceModel,
)

hookspec = pluggy.HookspecMarker("glutekit")

#: A pack or routine, as a path to a JSON file or as already-parsed data.
Source = str | Path | Mapping[str, Any]


@hookspec
def glutekit_exercise_packs() -> Iterable[Source]:
    """Return the exercise packs this plugin provides.

    Called once when the catalog is built (by any command that needs
    exercises). Each item is a path to a pack JSON file, or a dict with the
    same content. Every pack is validated against ``exercise-pack.schema.json``;
    an invalid one is skipped with a warning that names the plugin.

    :returns: an iterable of pack sources (may be empty).
    """
    raise NotImplementedError


@hookspec
def glutekit_routines() -> Iterable[Source]:
    """Return ready-made routines this plugin provides.

    Called once when the catalog is built. Each item is a path to a routine
    JSON file or a dict. Routines are validated against
    ``routine.schema.json`` and found by their ``id`` (``glutekit run ID``).

    :returns: an iterable of routine sources (may be empty).
    """
    raise NotImplementedError


@hookspec
def glutekit_programs() -> Iterable[Source]:
    """Return programs (weeks of sessions that progress) this plugin provides.

    Called when a ``glutekit program`` command needs the list of programs, after the
    catalog is built. Each item is a path to a program JSON file or a dict. Programs
    are validated against ``program.schema.json``; every routine a program names must
    be loaded and every compose request valid, else the program is skipped with a
    warning that names the plugin. Found by their ``id``
    (``glutekit program start ID``).

    :returns: an iterable of program sources (may be empty).
    """
    raise NotImplementedError


@hookspec
def glutekit_strategies() -> Iterable[Strategy]:
    """Return selection strategies for ``glutekit compose``.

    Called when ``compose``, ``strategies`` or ``run --compose`` needs the list.
    Each strategy has a unique ``name``, a one-line ``description`` and a
    ``compose(request, catalog)`` method returning routine data.

    :returns: an iterable of :class:`glutekit.interfaces.Strategy`.
    """
    raise NotImplementedError


@hookspec
def glutekit_outputs() -> Iterable[OutputSpec]:
    """Return live outputs that ``glutekit run`` can send session events to.

    Called when ``run`` starts, before the timeline is compiled. The user
    picks outputs with ``--output NAME``; without it, every output marked
    ``default`` is used (and those that speak are left out with ``--no-voice``).

    :returns: an iterable of :class:`glutekit.interfaces.OutputSpec`.
    """
    raise NotImplementedError


@hookspec
def glutekit_inputs() -> Iterable[InputSpec]:
    """Return inputs that can drive a ``glutekit run`` session (voice commands, say).

    Called when ``run`` starts, after the outputs are created. An input is used only
    when asked for (``glutekit run --input NAME``; ``--listen`` asks for ``listen``).
    Its ``create(options)`` gets the session's controls as ``options.controls`` and
    ``options.coach_speaking``, a callable that says whether the coach's voice is
    sounding now (True, False, or None when unknown).
    The input then receives the session's events like an output. An input that
    cannot start is reported in one line and the session goes on without it.

    :returns: an iterable of :class:`glutekit.interfaces.InputSpec`.
    """
    raise NotImplementedError


@hookspec
def glutekit_exporters() -> Iterable[Exporter]:
    """Return file formats that ``glutekit export --format`` can write.

    Called when ``export`` runs. Each exporter names its format (``pdf``,
    ``html``, ``wav``, …) and a ``write(request)`` function that writes
    ``request.path`` (atomically) from the routine and its timeline.

    :returns: an iterable of :class:`glutekit.interfaces.Exporter`.
    """
    raise NotImplementedError


@hookspec
def glutekit_template_dirs(format: str) -> Iterable[str | Path]:
    """Return folders of Jinja2 templates that override the built-in ones.

    Called by the HTML and Markdown exporters before rendering. Folders are
    searched in the order returned, before the built-in templates, so a plugin
    can replace a whole template (``sheet.html.j2``) or extend it and override
    single blocks with ``{% extends "base/sheet.html.j2" %}``.

    :param format: the export format being rendered, such as ``"html"``.
    :returns: an iterable of folder paths (may be empty).
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def glutekit_voices(backend: str | None, models: tuple[VoiceModel, ...]) -> list[VoiceInfo] | None:
    """List the voices of a speech backend, for ``glutekit voices``.

    Stops at the first non-None result.

    :param backend: the backend the user asked for, or None for every backend
        (best first).
    :param models: the voice models every plugin offers (``glutekit_voice_models``),
        for a plugin that can speak with them.
    :returns: the voices, or None when this plugin does not speak.
    """
    raise NotImplementedError


@hookspec
def glutekit_commands() -> Iterable[CommandSpec]:
    """Return commands (or command groups) this plugin adds to ``glutekit``.

    Called when the command line needs the list: for ``glutekit --help``, for a
    command name that is not built in, and by ``glutekit plugins``. Return
    :class:`glutekit.interfaces.CommandSpec` items; each names the click
    command to import (``"module:attribute"``) only when it runs, so adding
    commands keeps ``glutekit --help`` fast. A name that clashes with a
    built-in command, or with another plugin's, is reported and ignored.

    :returns: an iterable of :class:`glutekit.interfaces.CommandSpec`.
    """
    raise NotImplementedError


@hookspec
def glutekit_options() -> Iterable[OptionSpec]:
    """Return the options this plugin adds to ``run``, ``export`` or ``transcript``.

    Called when one of those commands is parsed, or its ``--help`` or shell completion
    is asked for (never for ``glutekit --help``). Each
    :class:`~glutekit.interfaces.OptionSpec` declares a name (``"pitch"`` gives
    ``--pitch``), help, a type (``int``, ``float``, ``text``, ``choice`` or ``flag``),
    a default, a range or choices, an optional environment variable and the commands
    that take it. glutekit builds the option, its help and its completion, and checks
    every value (option given, else the variable, else the default): a bad one stops the
    command with one line naming the option or variable, exit 2. The value reaches every
    plugin under the spec's ``key``, in ``OutputOptions.values`` and
    ``ExportOptions.values``; the voice plugin hands it to a speech backend that reads it.

    A declaration that cannot work, or whose name the command already uses, is reported
    naming the plugin and left out; when two plugins declare one name the first keeps it.

    :returns: an iterable of :class:`~glutekit.interfaces.OptionSpec` (may be empty).
    """
    raise NotImplementedError


@hookspec
def glutekit_voice_models() -> Iterable[VoiceModel]:
    """Return the voice models (such as Piper ``.onnx`` voices) this plugin ships.

    Called when a session or a spoken export starts and by ``glutekit voices``. The
    models go to the plugin that speaks (in ``OutputOptions.voice_models`` and
    ``ExportRequest.options.voice_models``), which lists them and speaks with the one
    that ``--voice`` names, by id or name.

    :returns: an iterable of :class:`~glutekit.interfaces.VoiceModel` (may be empty).
    """
    raise NotImplementedError


@hookspec
def glutekit_licences() -> Iterable[LicenceNote]:
    """Return the licences of what this plugin ships besides its code.

    Called by ``glutekit plugins --licenses``. A plugin's own code licence is read from
    its distribution's metadata (``License-Expression``) and an exercise pack's content
    licence from the pack, so return only the rest: a font embedded in exported files, a
    voice model, a data set, each with what its licence covers.

    :returns: an iterable of :class:`~glutekit.interfaces.LicenceNote` (may be empty).
    """
    raise NotImplementedError
