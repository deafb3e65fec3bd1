"""Resolve: map every name and attribute chain the function reads to its live object."""

from __future__ import annotations

import builtins
import types

import gast

from .. import anno

_MISSING = object()


class Scope:
    """The names a function can see: its closure cells, its globals, then builtins."""

    def __init__(self, func, locals_: set[str]):
        self.globals = func.__globals__
        self.locals = locals_
        self.closure = {}
        code = func.__code__
        for name, cell in zip(code.co_freevars, func.__closure__ or ()):
            try:
                self.closure[name] = cell.cell_contents
            except ValueError:
                continue

    def lookup(self, name: str):
        if name in self.locals:
            return _MISSING
        for table in (self.closure, self.globals, vars(builtins)):
            if name in table:
                return table[name]
        return _MISSING

    def resolve(self, node):
        """The object an expression of names and attributes denotes, or None."""
        if isinstance(node, gast.Name):
            return self.lookup(node.id)
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            if base is _MISSING:
                return _MISSING
            return getattr(base, node.attr, _MISSING)
        return _MISSING

    def numpy_alias(self) -> str | None:
        """The global name the user imported NumPy under, if any."""
        import numpy

        for table in (self.closure, self.globals):
            for name in sorted(table):
                if table[name] is numpy:
                    return name
        return None


def is_resolved(obj) -> bool:
    return obj is not _MISSING


def assigned_names(func_node) -> set[str]:
    """Names the function binds: parameters and assignment targets."""
    names = {a.id for a in func_node.args.args + func_node.args.kwonlyargs}
    for extra in (func_node.args.vararg, func_node.args.kwarg):
        if extra is not None:
            names.add(extra.id)
    for node in anno.walk(func_node):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            names.add(node.id)
        elif isinstance(node, gast.FunctionDef) and node is not func_node:
            names.add(node.name)
    return names


def is_module(obj) -> bool:
    return isinstance(obj, types.ModuleType)
