"""Free dead temporaries: ``del`` the temporaries a line of the user's code is done
with, after the last statement that comes from that line, so that their arrays
are freed while the function still runs (a local name keeps its value alive
until the function returns).  Names keep their meaning: a name is never given to
a second value to free the first.  (Here every statement is a line of its own.)

before:
    def f(z):
        _neg = -z
        _exp = np.exp(_neg)
        _add = 1.0 + _exp
        p = 1.0 / _add
        q = p * p
        return q
after:
    def f(z):
        _neg = -z
        _exp = np.exp(_neg)
        del _neg
        _add = 1.0 + _exp
        del _exp
        p = 1.0 / _add
        del _add
        q = p * p
        return q

Only temporaries (``_add``, ``b_add``, ``d_add``) bound once, at the function's top
level, are freed (in a variant compiled for known shapes, the user's names bound
once there too: an array the sweep no longer reads is freed whatever its name);
not those a variant knows to be numbers, not where only the ``return`` is left to
run, and not names whose array another name keeps alive:
``h = np.tanh(_add, out=_add)`` shares one array between ``_add`` and ``h``.
"""

from __future__ import annotations

import gast

from .. import anno
from ..analysis.shape_classes import SCALAR, Shapes
from ..naming import ADJOINT_PREFIX, TANGENT_PREFIX, TEMP_PREFIX

# temporaries, and their adjoints and tangents
GENERATED = (TEMP_PREFIX, ADJOINT_PREFIX + TEMP_PREFIX, TANGENT_PREFIX + TEMP_PREFIX)


def release_dead(func: gast.FunctionDef, numbers=None, users: bool = False) -> bool:
    """Insert the ``del`` statements (none for ``numbers``, names known to hold
    numbers, by default those the shape classes prove are; with ``users``, for
    the user's names as well as temporaries); whether anything changed."""
    if numbers is None:
        shapes = Shapes(func)
        numbers = {n for n in shapes.defs if shapes.of(anno.name(n)) == SCALAR}
    dying = _dying(func, numbers, users)
    if not dying:
        return False
    for i in sorted(dying, reverse=True):
        for names in reversed(_lines(sorted(dying[i]))):
            targets = [anno.name(n, gast.Del()) for n in names]
            release = gast.Delete(targets=targets)
            func.body.insert(i + 1, anno.copy_location(release, func.body[i]))
    return True


WIDTH = 88 - len("    del ")  # a line of a function's top level, as ruff formats


def _lines(names: list[str]) -> list[list[str]]:
    """The names in groups that each fit a ``del`` line."""
    lines = [[]]
    for name in names:
        if lines[-1] and len(", ".join([*lines[-1], name])) > WIDTH:
            lines.append([])
        lines[-1].append(name)
    return lines


def _dying(func, numbers, users=False) -> dict[int, set[str]]:
    """``{statement index: temporaries to delete after it}``: those a line is done
    with, and whose array no name that lives on holds."""
    once, last_read = _bound_once(func, users)
    end = len(func.body) - 1 if isinstance(func.body[-1], gast.Return) else None
    candidates = once - set(numbers)
    dying: dict[int, set[str]] = {}
    for group in _sharing(func, candidates):
        if not group <= candidates:
            continue  # its array lives on under another name
        i = max((last_read[n] for n in group if n in last_read), default=None)
        if i is None or i == end:
            continue
        i = _end_of_line(func.body, i, end)
        if end is None or i + 1 < end:  # not where only the return is left
            dying.setdefault(i, set()).update(group)
    return dying


def _sharing(func, names) -> list[set[str]]:
    """The names grouped by the array they hold: ``y = np.exp(x, out=x)`` puts
    ``x`` and ``y`` in one group; each of ``names`` is in one group."""
    group = {n: {n} for n in names}
    for node in anno.walk(func):
        if isinstance(node, gast.Assign):
            shared = anno.store_names(node.targets[0]) | anno.out_names(node.value)
            if len(shared) > 1:
                merged = set().union(*(group.get(n, {n}) for n in shared))
                for n in merged:
                    group[n] = merged
    unique = {id(g): g for n, g in group.items() if n in names}
    return sorted(unique.values(), key=sorted)


def _end_of_line(body, i: int, end) -> int:
    """The last statement from the same line of the user's as statement ``i`` (one
    ``del`` a line: the names the line's statements are done with)."""
    line = getattr(body[i], "lineno", None)
    while (
        i + 1 < len(body)
        and i + 1 != end
        and getattr(body[i + 1], "lineno", None) == line
    ):
        i += 1
    return i


def _bound_once(func, users=False) -> tuple[set[str], dict[str, int]]:
    """Temporaries (with ``users``, any names) bound by one plain assignment at the
    top level and nowhere else (not parameters, not returned), and the index of
    each name's last read."""
    once: set[str] = set()
    nested = {a.id for a in func.args.args}
    last_read: dict[str, int] = {}
    for i, stmt in enumerate(func.body):
        for name in anno.load_names(stmt):
            last_read[name] = i
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if isinstance(target, gast.Name) and target.id not in once:
            once.add(target.id)
        else:
            nested |= anno.store_names(stmt)
        if isinstance(stmt, gast.Return):
            nested |= anno.load_names(stmt)
    return {n for n in once - nested if users or n.startswith(GENERATED)}, last_read
