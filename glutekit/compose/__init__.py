"""Composing routines: a request, a strategy from a plugin, and checks on what it made.

The strategies themselves are plugins (hook ``glutekit_strategies``). This package holds
what every strategy needs and what the CLI needs around them: the request and its checks
and the filter that applies the user's constraints (:mod:`.request`), the ordering that
keeps the user from getting up and down and the transition count
(:mod:`glutekit.catalog.postures`), and
here, finding a strategy and checking the routine it returns. It is pure apart from
calling the hook.
"""

from __future__ import annotations

from typing import Any

from glutekit.catalog import Catalog
from glutekit.catalog.postures import (
    POSTURES,
    SURFACES,
    count_transitions,
    describe_path,
    order_phases,
    position_key,
    posture,
    surfaces_of,
)
from glutekit.catalog.schema import whole_numbers
from glutekit.compose.request import (
    LEVELS,
    PLACE_EQUIPMENT,
    PLACE_SURFACES,
    PLACES,
    avoided,
    blockers,
    build_request,
    candidates,
    excluded_note,
    explain_missing,
    fits_place,
    known_targets,
    target_score,
    target_text,
    works,
)
from glutekit.errors import GlutekitError, UnknownId, ValidationFailed, suggest
from glutekit.host.offers import STRATEGIES
from glutekit.host.plugins import PluginHost
from glutekit.interfaces import ComposeRequest, Strategy
from glutekit.model import Routine
from glutekit.model.records import record

__all__ = [
    "LEVELS",
    "PLACES",
    "PLACE_EQUIPMENT",
    "PLACE_SURFACES",
    "POSTURES",
    "SURFACES",
    "FoundStrategy",
    "available_strategies",
    "avoided",
    "blockers",
    "build_request",
    "candidates",
    "compose",
    "constraint_violations",
    "count_transitions",
    "describe_path",
    "excluded_note",
    "explain_missing",
    "find_strategy",
    "fits_place",
    "known_targets",
    "order_phases",
    "position_key",
    "posture",
    "surfaces_of",
    "target_score",
    "target_text",
    "with_screens",
    "works",
]

# ----------------------------------------------------------------------------- strategies


@record(frozen=True, kw_only=True)
class FoundStrategy:
    """A strategy and the plugin that provided it."""

    strategy: Strategy
    plugin: str

    @property
    def name(self) -> str:
        return self.strategy.name


def available_strategies(host: PluginHost) -> dict[str, FoundStrategy]:
    """Every strategy the plugins provide, by name; bad or duplicate ones are reported."""

    return {
        name: FoundStrategy(strategy=item, plugin=plugin)
        for name, (plugin, item) in STRATEGIES.offered(host).items()
    }


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
    # Whole floats as ints, as a file would be read: the data is also written out and
    # climbed by a program's ladders.
    data = with_screens(whole_numbers(data), request)
    try:
        routine = catalog.load_routine_data(data, f"<{found.name} strategy>")
    except ValidationFailed as exc:
        raise GlutekitError(f"{who} made an invalid routine: {exc.problems[0]}") from None
    broken = constraint_violations(routine, request, catalog)
    if broken:
        raise GlutekitError(f"{who} ignored the request: {broken[0]}")
    return data, routine


def with_screens(data: dict[str, Any], request: ComposeRequest) -> dict[str, Any]:
    """The routine data with the symptom and its screens written in, whatever the strategy.

    A routine composed for a symptom carries them, so that every session of it (run
    now, exported, or run again next week) says the red flags before it starts.
    """
    if request.symptom is None:
        return data
    extra: dict[str, Any] = {}
    if "symptom" not in data:
        extra["symptom"] = request.symptom
    screens = list(data.get("screens") or [])
    missing = [s for s in request.screens if s not in screens]
    if missing:
        extra["screens"] = missing + screens
    return {**data, **extra} if extra else data


def constraint_violations(routine: Routine, request: ComposeRequest, catalog: Catalog) -> list[str]:
    """One line for each exercise in the routine that the request rules out."""
    problems: list[str] = []
    for exercise_id in dict.fromkeys(routine.exercise_ids()):
        ex = catalog.exercise(exercise_id)
        for constraint in blockers(ex, request):
            problems.append(f"'{ex.id}' breaks the {constraint} constraint")
    return problems
