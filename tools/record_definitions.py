"""Record which STEM definition tables an edition used: `python tools/record_definitions.py EDITION`.

Copies every definition table of the classification plan into `reference/stem/archive/` and adds
their versions and sha256 to `reference/stem/definition_history.csv` (see
pipeline/definition_history.py). Run it when an edition is published and commit the result; a later
edition built with a changed table then reports the change and the figures under both versions.
"""

from __future__ import annotations

import sys

from pipeline import definition_history


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print(__doc__, file=sys.stderr)
        return 2
    table = definition_history.record(argv[0])
    print(table[table["edition"] == argv[0]].to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
