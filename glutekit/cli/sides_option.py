"""Options that change how a routine is timed for one user, for run, transcript and export.

``--first-side``: which side a per-side exercise starts on. ``--breath-pace``: how long
the user's counted breaths last, in and out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import click

from glutekit.model import BreathPace, Routine, SideOrder

_F = TypeVar("_F", bound=Callable[..., Any])


def first_side_option(func: _F) -> _F:
    option = click.option(
        "--first-side",
        type=click.Choice(["left", "right"]),
        help="Side to start each per-side exercise on (default: the routine's order, "
        "usually right; setting first_side in 'glutekit config').",
    )
    return option(func)


def timing_options(func: _F) -> _F:
    """Add ``--first-side`` and ``--breath-pace``."""
    return first_side_option(breath_pace_option(func))


def with_timing(
    routine: Routine, first_side: str | None, breath_pace: BreathPace | None
) -> Routine:
    """The routine as this user has it timed (unchanged without either option)."""
    return with_breath_pace(with_first_side(routine, first_side), breath_pace)


def with_first_side(routine: Routine, first_side: str | None) -> Routine:
    """The routine with its side order set by ``--first-side`` (unchanged without it)."""
    if first_side is None:
        return routine
    order: SideOrder = "left-first" if first_side == "left" else "right-first"
    return replace(routine, settings=replace(routine.settings, side_order=order))


if TYPE_CHECKING:  # click 8.2+ types ParamType as generic; 8.1 cannot subscript it
    _ParamType = click.ParamType[Any]
else:
    _ParamType = click.ParamType


class _BreathPaceType(_ParamType):
    name = "breath_pace"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, BreathPace):
            return value
        try:
            return BreathPace.parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)

    def get_metavar(self, *args: Any, **kwargs: Any) -> str | None:
        return "IN/OUT"


def breath_pace_option(func: _F) -> _F:
    option = click.option(
        "--breath-pace",
        type=_BreathPaceType(),
        envvar="GLUTEKIT_BREATH_PACE",
        help="Seconds in and out of each counted breath, such as 4/6, over the routine's "
        "pace (an exercise or step with a pace of its own keeps it; default: the routine's "
        "pace, else 4/6; setting breath_pace in 'glutekit config'). [env: GLUTEKIT_BREATH_PACE]",
    )
    return option(func)


def with_breath_pace(routine: Routine, pace: BreathPace | None) -> Routine:
    """The routine with its breath pace set by ``--breath-pace`` (unchanged without it)."""
    if pace is None:
        return routine
    return replace(routine, settings=replace(routine.settings, breath=pace))
