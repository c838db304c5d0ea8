"""Validate routine files against the schema and the installed exercise packs.

    python examples/api/validate_routine.py ROUTINE.json [...]

Prints one line per problem (FILE:LINE:COL: /pointer: message) and exits 2 if
any file is invalid, like ``glutekit validate``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from glutekit.catalog import Catalog
from glutekit.host.plugins import make_plugin_host


def main(argv: list[str]) -> int:
    catalog = Catalog.build(make_plugin_host())
    invalid = 0
    for name in argv:
        kind, _, problems = catalog.check_file(Path(name))
        if problems:
            invalid += 1
            for problem in problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{name}: ok ({kind})")
    return 2 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
