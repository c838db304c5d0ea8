"""Programs: weeks of sessions that get harder or easier from what the user logs.

The room's parts, from the values inward to the edges:

* :mod:`.model` — the program file as values, the schedule, the log and decisions;
* :mod:`glutekit.catalog.chains` — progression chains of packs (in the catalog, which
  checks them): their checks and the ladders they make;
* :mod:`.rules` — the rules, pure: from logged pain and effort to decisions with reasons;
* :mod:`.plan` and :mod:`.course` — today's routine at the level the log has reached;
* :mod:`.files` — finding and validating program files;
* :mod:`.state` — the program's log in the history database;
* :mod:`.calendar`, :mod:`.sheet`, :mod:`.share` — reminders, a printable plan, hand-over.
"""
