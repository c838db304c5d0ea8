"""List every exercise the installed plugins provide, optionally for one muscle.

    python examples/api/list_exercises.py [MUSCLE]

Uses the same plugin host and catalog as the ``glutekit`` command.
"""

from __future__ import annotations

import sys

from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host


def main(argv: list[str]) -> int:
    muscle = argv[0] if argv else None
    host = make_plugin_host()  # reads GLUTEKIT_PLUGINS and friends from the environment
    catalog = Catalog.build(host)
    for pack in catalog.packs.values():
        exercises = [ex for ex in pack.exercises if muscle is None or muscle in ex.targets]
        if not exercises:
            continue
        print(f"{pack.name} ({pack.id} {pack.version}, from plugin '{pack.plugin}')")
        for ex in exercises:
            sides = ", per side" if ex.per_side else ""
            print(f"  {ex.id:<40} {ex.kind:<10} {ex.dose.describe()}{sides}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
