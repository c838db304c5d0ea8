"""The progression rules: pure functions from the log to decisions, each with its reason.

A program has one level for all its sessions: 0 is every routine as written, +1 one
step harder for each exercise (see :mod:`glutekit.catalog.chains`), -1 one step
easier. After each logged session the rules, in this order, decide:

1. a warning sign answered yes, or pain up by ``stop_pain_rise`` → stop;
2. pain up by ``regress_pain_rise``, or effort ``regress_effort`` or more → one step down;
3. pain up by ``hold_pain_rise`` → no change (and the count of easy sessions restarts);
4. effort ``easy_effort`` or less and pain no higher than the baseline → an easy session;
   ``progress_after`` easy sessions in a row → one step up;
5. anything else → no change.

"Pain up" is the session's pain after minus its pain before (or the baseline when the
before score is missing).
"""

from __future__ import annotations

from collections.abc import Sequence

from glutekit.program.model import Action, Decision, Logged, Rules


def baseline_of(sessions: Sequence[Logged], given: int | None) -> int | None:
    """The pain the program is measured against: given at start, else the first score."""
    if given is not None:
        return given
    for s in sessions:
        first = s.pain_before if s.pain_before is not None else s.pain_after
        if first is not None:
            return first
    return None


def pain_rise(session: Logged, baseline: int | None) -> int | None:
    before = session.pain_before if session.pain_before is not None else baseline
    if session.pain_after is None or before is None:
        return None
    return session.pain_after - before


def decide(
    rules: Rules,
    sessions: Sequence[Logged],
    *,
    baseline: int | None = None,
    lowest: int = 0,
    highest: int = 0,
) -> list[Decision]:
    """One decision for each logged session, in order; none after a stop."""
    base = baseline_of(sessions, baseline)
    level = 0
    easy: list[Logged] = []
    out: list[Decision] = []
    for session in sessions:
        action, after, reason = _one(rules, session, base, level, easy, lowest, highest)
        out.append(
            Decision(
                after=session.number,
                action=action,
                level_before=level,
                level_after=after,
                reason=reason,
            )
        )
        level = after
        if action == "stop":
            break
    return out


def _one(
    rules: Rules,
    s: Logged,
    base: int | None,
    level: int,
    easy: list[Logged],
    lowest: int,
    highest: int,
) -> tuple[Action, int, str]:
    rise = pain_rise(s, base)
    effort = s.effort
    if s.red_flag:
        easy.clear()
        return "stop", level, "a warning sign was answered yes: have it checked before going on"
    if rise is not None and rise >= rules.stop_pain_rise:
        easy.clear()
        return "stop", level, f"pain rose by {rise} ({_pains(s, base)}): have it checked first"
    if (rise is not None and rise >= rules.regress_pain_rise) or (
        effort is not None and effort >= rules.regress_effort
    ):
        easy.clear()
        why = (
            f"pain rose by {rise} ({_pains(s, base)})"
            if rise is not None and rise >= rules.regress_pain_rise
            else f"effort was {effort} of 10"
        )
        if level <= lowest:
            return "hold", level, f"{why}, and this is already the easiest step"
        return "regress", level - 1, why
    if rise is not None and rise >= rules.hold_pain_rise:
        easy.clear()
        return "hold", level, f"pain rose by {rise} ({_pains(s, base)}), so the dose stays"
    if effort is None:
        easy.clear()
        return "hold", level, "no effort score, so the dose stays"
    if s.pain_after is None:
        easy.clear()
        return "hold", level, "no pain score after the session, so the dose stays"
    limit = base if base is not None else s.pain_after
    if effort <= rules.easy_effort and s.pain_after <= limit:
        easy.append(s)
        return _after_easy(rules, s, base, level, easy, highest, s.pain_after)
    easy.clear()
    if effort > rules.easy_effort:
        return "hold", level, f"effort {effort} of 10 is about right, so the dose stays"
    return (
        "hold",
        level,
        (f"pain after ({s.pain_after}) is above where it started ({base}), so the dose stays"),
    )


def _after_easy(
    rules: Rules,
    s: Logged,
    base: int | None,
    level: int,
    easy: list[Logged],
    highest: int,
    pain_after: int,
) -> tuple[Action, int, str]:
    """What an easy session (``s``, the last of ``easy``, with ``pain_after`` given)
    does to the dose."""
    effort = s.effort
    if len(easy) < rules.progress_after:
        left = rules.progress_after - len(easy)
        return (
            "hold",
            level,
            (
                f"an easy session (effort {effort}, pain {pain_after}); "
                f"{left} more like it and the dose goes up"
            ),
        )
    efforts = ", ".join(str(e.effort) for e in easy)
    easy.clear()
    if level >= highest:
        return (
            "hold",
            level,
            (
                f"{_last_were(rules.progress_after)} easy (effort {efforts}), "
                "but every exercise is at the top of its chain"
            ),
        )
    return (
        "progress",
        level + 1,
        (
            f"{_last_were(rules.progress_after)} easy (effort {efforts}) "
            f"and pain is {_level_word(pain_after, base)}"
        ),
    )


def _last_were(count: int) -> str:
    return "the last session was" if count == 1 else f"the last {count} sessions were"


def _pains(s: Logged, base: int | None) -> str:
    before = s.pain_before if s.pain_before is not None else base
    return f"{before} before, {s.pain_after} after"


def _level_word(pain: int, base: int | None) -> str:
    if base is None or pain == base:
        return f"steady at {pain}"
    return f"down to {pain}" if pain < base else f"at {pain}"


def next_change(rules: Rules, sessions: Sequence[Logged], decisions: Sequence[Decision]) -> str:
    """What would change the dose next, in one line."""
    if decisions and decisions[-1].action == "stop":
        return "none: the program has stopped"
    easy = 0
    for d in reversed(decisions):
        if d.action != "hold" or not d.reason.startswith("an easy session"):
            break
        easy += 1
    left = rules.progress_after - easy
    return (
        f"one step harder after {left} more easy session(s) (effort {rules.easy_effort} or "
        f"less, pain not above where it started); one step easier if pain rises by "
        f"{rules.regress_pain_rise} or effort reaches {rules.regress_effort}"
    )
