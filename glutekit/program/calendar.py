"""Reminders: a program's sessions as iCalendar events with alarms.

Made with the ``icalendar`` library (BSD-2-Clause). Sessions that fall on the same
weekdays every week are one recurring event (``RRULE``, with ``COUNT``); ``each``
writes one event per session instead, for calendars that handle recurrence badly.
Times are floating (no time zone), so a session at 18:00 stays at 18:00 wherever the
calendar is opened.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from glutekit.program.model import DAY_NAMES

_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _when(day: date, at: str) -> datetime:
    hour, minute = (int(p) for p in at.split(":"))
    return datetime.combine(day, time(hour, minute))


def _event(
    *,
    uid: str,
    start: datetime,
    minutes: int,
    summary: str,
    description: str,
    alarm_minutes: int,
) -> Any:
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now().astimezone())
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("description", description)
    event.add("categories", ["glutekit"])
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(minutes=-alarm_minutes))
    event.add_component(alarm)
    return event


def calendar_bytes(
    *,
    program_id: str,
    title: str,
    dates: list[date],
    days: tuple[str, ...],
    at: str,
    minutes: int,
    alarm_minutes: int,
    each: bool,
    key: str,
) -> bytes:
    """The .ics file for the sessions on ``dates`` (all on ``days``) at ``at``."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//glutekit//program calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", title)
    description = (
        f"Session of '{title}'. Run it with: glutekit program run "
        "(or see it first with: glutekit program today). Afterwards, if you did it "
        "elsewhere: glutekit program log --effort N --pain-after N"
    )
    summary = f"glutekit: {title}"
    if not dates:
        return bytes(cal.to_ical())
    if each:
        for number, day in enumerate(dates, start=1):
            cal.add_component(
                _event(
                    uid=f"{program_id}-{key}-{number}@glutekit",
                    start=_when(day, at),
                    minutes=minutes,
                    summary=f"{summary} (session {number} of {len(dates)})",
                    description=description,
                    alarm_minutes=alarm_minutes,
                )
            )
        return bytes(cal.to_ical())
    event = _event(
        uid=f"{program_id}-{key}@glutekit",
        start=_when(dates[0], at),
        minutes=minutes,
        summary=summary,
        description=description,
        alarm_minutes=alarm_minutes,
    )
    by_day = [_ICAL_DAYS[DAY_NAMES.index(d)] for d in days]
    event.add("rrule", {"freq": "weekly", "byday": by_day, "count": len(dates)})
    cal.add_component(event)
    return bytes(cal.to_ical())
