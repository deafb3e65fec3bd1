"""Compare two snapshots of generated code (``scripts/snapshot_sources.py``).

Import lines of runtime helpers are compared as sets of names, since helpers may
move between the modules of ``tangentlike.runtime``; every other line must be
byte-identical.  Exit 1 and print the first differences otherwise.

    python scripts/compare_snapshots.py before.txt after.txt
"""

from __future__ import annotations

import re
import sys

_RUNTIME = re.compile(r"^from tangentlike\.runtime[\w.]* import (.*)$")


def normalized(text: str) -> list[str]:
    out: list[str] = []
    names: set[str] = set()
    for line in text.split("\n"):
        found = _RUNTIME.match(line)
        if found:
            names |= {n.strip() for n in found.group(1).split(",")}
            continue
        if names:
            out.append("from tangentlike.runtime import " + ", ".join(sorted(names)))
            names = set()
        out.append(line)
    return out


def main(before: str, after: str) -> int:
    a = normalized(open(before).read())
    b = normalized(open(after).read())
    if a == b:
        print(
            f"identical: {sum(line.startswith('### ') for line in a)} compiled sources"
        )
        return 0
    shown = 0
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print(f"line {i}:\n- {x}\n+ {y}")
            shown += 1
            if shown == 10:
                break
    if len(a) != len(b):
        print(f"lengths differ: {len(a)} and {len(b)} lines")
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
