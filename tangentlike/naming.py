"""One Namer hands out deterministic, readable names for generated code."""

from __future__ import annotations

import builtins
import keyword
import re

import gast

from . import anno

ADJOINT_PREFIX = "b"
TANGENT_PREFIX = "d"
TEMP_PREFIX = "_"
STACK_NAME = "_stack"
BSTACK_NAME = "_bstack"
_STACK_RE = re.compile(r"_b*stack\d*")


def is_stack_name(name: str) -> bool:
    """Whether ``name`` is a stack of saved values or adjoints (``_stack``, ``_bstack2``)."""
    return bool(_STACK_RE.fullmatch(name))


def label(name: str, owner: str | None = None) -> str:
    """A base for names made after a function or method: its name, or for a
    special method its name without the underscores, after its class where
    known (``Model.__call__`` -> ``Model_call``, so ``_fwd_Model_call``), never
    ``_fwd___call__``.

    >>> label("predict"), label("__call__", "Model"), label("__call__")
    ('predict', 'Model_call', 'call')
    """
    if len(name) > 4 and name.startswith("__") and name.endswith("__"):
        core = name[2:-2]
        return f"{owner}_{core}" if owner and owner.isidentifier() else core
    return name


def names_in(tree) -> set[str]:
    """Every identifier that appears in ``tree``."""
    found = set()
    for node in anno.walk(tree):
        if isinstance(node, gast.Name):
            found.add(node.id)
        elif isinstance(node, (gast.FunctionDef, gast.ClassDef)):
            found.add(node.name)
    return found


class Namer:
    """Gives fresh names that collide with nothing the function or its globals use."""

    def __init__(self, taken=()):
        self.taken = set(taken) | set(dir(builtins))
        self.adjoints: dict[str, str] = {}
        self.tangents: dict[str, str] = {}

    def reserve(self, names) -> None:
        self.taken.update(names)

    def fresh(self, base: str) -> str:
        base = re.sub(r"\W", "", base) or "tmp"  # "<lambda>" -> "lambda"
        if keyword.iskeyword(base):
            base += "_"
        name = base
        k = 1
        while name in self.taken:
            k += 1
            name = f"{base}{k}"
        self.taken.add(name)
        return name

    def temp(self, base: str) -> str:
        return self.fresh(TEMP_PREFIX + base.lstrip("_"))

    def adjoint(self, name: str) -> str:
        if name not in self.adjoints:
            self.adjoints[name] = self.fresh(ADJOINT_PREFIX + name)
        return self.adjoints[name]

    def tangent(self, name: str) -> str:
        if name not in self.tangents:
            self.tangents[name] = self.fresh(TANGENT_PREFIX + name)
        return self.tangents[name]
