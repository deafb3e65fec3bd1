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


def is_data(value) -> bool:
    """A value generated code reads when it runs (not a module, function or class,
    which the transform resolves)."""
    return not isinstance(value, types.ModuleType) and not callable(value)


def is_resolved(obj) -> bool:
    return obj is not _MISSING


def parameter_names(args) -> list[str]:
    """A ``def``'s parameters in the order ``inspect.signature`` lists them:
    positional-only, positional, ``*args``, keyword-only, ``**kwargs``."""
    var, kw = [args.vararg] if args.vararg else [], [args.kwarg] if args.kwarg else []
    every = args.posonlyargs + args.args + var + args.kwonlyargs + kw
    return [a.id for a in every]


def assigned_names(func_node) -> set[str]:
    """Names the function binds: parameters and assignment targets."""
    names = set(parameter_names(func_node.args))
    for node in anno.walk(func_node):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            names.add(node.id)
        elif isinstance(node, gast.FunctionDef) and node is not func_node:
            names.add(node.name)
    return names


def is_module(obj) -> bool:
    return isinstance(obj, types.ModuleType)
