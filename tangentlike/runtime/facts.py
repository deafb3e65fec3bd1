"""What the compiler knows about each runtime helper, declared once, beside it:

    @helper(linear=0, shape_of=1)
    def unbroadcast(g, x): ...

The analyses and passes that treat helpers apart (shapes, points-to, forward
mode's zero terms, lists of gradients) read these facts from the function, or
by the name generated code calls it by, instead of keeping lists of names.  Why a
helper's result carries no derivative from an argument is declared with the
other constants, in ``templates/constants.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facts:
    """The facts of one helper; every field says "no" by default."""

    linear: tuple[int, ...] = ()  # linear in each of these arguments: zero in, zero out
    shape_of: int | None = None  # the result has this argument's shape
    shape_value: int | None = None  # the result's shape is this argument's value
    fresh: bool = False  # a new value, shared with nothing: the sweep may update it
    returns_list: bool = False  # a list: one gradient per piece
    statement: bool = False  # called for its effect on generated code's bookkeeping
    holds: tuple[int, ...] = ()  # the result holds these arguments' objects only,
    # and may be the first of them itself, never another (a helper linear in some
    # arguments holds those, and may be any of them; with neither, any argument)
    item_of: int | None = None  # an item of this argument (a copy, or a marker)

    @property
    def held(self) -> tuple[int, ...]:
        """The arguments whose objects the result may hold; () for any."""
        return self.holds or self.linear


HELPERS: dict[str, object] = {}  # name generated code calls it by -> the helper


def helper(
    *,
    linear: int | tuple[int, ...] = (),
    shape_of: int | None = None,
    shape_value: int | None = None,
    fresh: bool = False,
    returns_list: bool = False,
    statement: bool = False,
    holds: int | tuple[int, ...] = (),
    item_of: int | None = None,
):
    """Declare a function a helper of generated code, with its facts."""
    if isinstance(linear, int):
        linear = (linear,)
    if isinstance(holds, int):
        holds = (holds,)
    facts = Facts(
        linear, shape_of, shape_value, fresh, returns_list, statement, holds, item_of
    )

    def declare(func):
        func.tl_facts = facts
        HELPERS[func.__name__] = func
        return func

    return declare


def facts_of(obj) -> Facts | None:
    """The facts of a helper; None for anything else."""
    return getattr(obj, "tl_facts", None)


def named(name: str) -> Facts | None:
    """The facts of the helper generated code calls ``name``; None if none is."""
    return facts_of(HELPERS.get(name))


def names(**wanted) -> frozenset[str]:
    """The names of the helpers whose facts have the ``wanted`` values; a field of
    ``True`` matches any set value (``shape_of=True``: a shape is declared)."""

    def matches(f: Facts) -> bool:
        for key, value in wanted.items():
            have = getattr(f, key)
            if value is True and have not in (None, False, ()):
                continue
            if have != value:
                return False
        return True

    return frozenset(n for n, h in HELPERS.items() if matches(h.tl_facts))
