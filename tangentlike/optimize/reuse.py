"""Reuse the names of dead temporaries, so large arrays are freed as soon as
nothing needs them (a local name keeps its array alive until the function ends).
Here ``_mul`` is dead when ``_mul3`` is made, which takes its name:

before:
    def f(x, y):
        _mul = y * 0.9
        _mul2 = 0.1 * x
        _add = _mul + _mul2
        _mul3 = _add * 0.9
        z = _mul3 * x
        return z
after:
    def f(x, y):
        _mul = y * 0.9
        _mul2 = 0.1 * x
        _add = _mul + _mul2
        _mul = _add * 0.9
        z = _mul * x
        return z

Only names of one family (the same name up to trailing digits), each assigned
once in the function's straight-line top level and never inside a loop or
branch, are merged; the parameters and the returned names keep theirs.
"""

from __future__ import annotations

import re

import gast

from .. import anno
from ..naming import ADJOINT_PREFIX, TANGENT_PREFIX, TEMP_PREFIX, names_in

_FAMILY = re.compile(r"\d+$")
# temporaries, and their adjoints and tangents
GENERATED = (TEMP_PREFIX, ADJOINT_PREFIX + TEMP_PREFIX, TANGENT_PREFIX + TEMP_PREFIX)


def reuse_dead_names(func: gast.FunctionDef) -> bool:
    """Rename temporaries onto dead ones of their family; whether anything changed."""
    defs, last_use, nested = _live_ranges(func)
    free: dict[str, list[tuple[int, str]]] = {}  # family -> (dies at, name)
    renames: dict[str, str] = {}
    for name, born in sorted(defs.items(), key=lambda item: item[1]):
        if name in nested or not name.startswith(GENERATED):
            continue
        family = _FAMILY.sub("", name)
        pool = free.setdefault(family, [])
        reusable = [entry for entry in pool if entry[0] <= born]
        if reusable:
            entry = min(reusable)
            pool.remove(entry)
            renames[name] = entry[1]
            target = entry[1]
        else:
            target = name
        pool.append((last_use.get(name, born), target))
    if not renames:
        return False
    renames = _by_family_name(renames, names_in(func))
    for node in anno.walk(func):
        if isinstance(node, gast.Name) and node.id in renames:
            node.id = renames[node.id]
    return True


def _by_family_name(renames: dict[str, str], taken: set[str]) -> dict[str, str]:
    """A merged group takes its family's plain name (``_add``, ``b_add``) when that
    name is free, so no ``b_add2`` ends up holding the gradient of ``_add``."""
    groups: dict[str, set[str]] = {}
    for member, target in renames.items():
        groups.setdefault(target, {target}).add(member)
    final = {}
    claimed = set()  # a plain name goes to one group only
    for target, members in sorted(groups.items()):
        base = _FAMILY.sub("", target)
        free = base in members or (base not in taken and base not in claimed)
        name = base if free and base not in claimed else target
        claimed.add(name)
        final.update({m: name for m in members if m != name})
    return final


def _live_ranges(func):
    """Top-level definition index and last use index of each name; names bound
    more than once, inside compound statements, or as parameters are 'nested'."""
    defs: dict[str, int] = {}
    last_use: dict[str, int] = {}
    nested = {a.id for a in func.args.args}
    for i, stmt in enumerate(func.body):
        for name in anno.load_names(stmt):
            last_use[name] = i
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            name = stmt.targets[0].id
            if name in defs:
                nested.add(name)
            defs[name] = i
        else:
            nested |= anno.store_names(stmt)
        if isinstance(stmt, gast.Return):
            nested |= anno.load_names(stmt)
    return defs, last_use, nested
