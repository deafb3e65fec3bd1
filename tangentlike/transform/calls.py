"""Calls to the user's own functions: each is transformed from its source into a
forward function that returns what its reverse needs, and a backward function."""

from __future__ import annotations

import inspect

import gast

from .. import anno
from .. import template as tpl
from ..analysis.callees import is_user_function


class Calls:
    """The fwd/bwd pairs made so far for one generated module, keyed on (function, wrt)."""

    def __init__(self, module):
        self.module = module
        self.pairs: dict = {}

    def is_user_function(self, obj) -> bool:
        return is_user_function(obj, tpl.ADJOINTS)

    def reverse(self, rad, y, stmt):
        call = stmt.value
        func = anno.get(call, anno.CALLEE)
        atoms = bind_atoms(rad.fn, func, call, stmt)
        positions = tuple(
            i
            for i, a in enumerate(atoms)
            if isinstance(a, gast.Name) and a.id in rad.active
        )
        if not positions:
            return [stmt], []
        label = callee_label(func, call)
        fwd_name, bwd_name = self.pair(func, positions, label)
        saved = rad.namer.temp(f"{label}_saved")
        rad.fn.primal_names.add(saved)
        rad.sites.assigned.setdefault(saved, []).append(rad.sites.order[id(stmt)])
        target = gast.Tuple(elts=[anno.store(y), anno.store(saved)], ctx=gast.Store())
        fwd = [
            anno.copy_location(
                anno.assign(target, anno.call(anno.name(fwd_name), atoms)), stmt
            )
        ]
        grads = [rad.namer.temp(f"b{atoms[i].id}") for i in positions]
        back = anno.call(
            anno.name(bwd_name), [anno.name(saved), anno.name(rad.adj.name(y))]
        )
        unpack = gast.Tuple(elts=[anno.store(g) for g in grads], ctx=gast.Store())
        items = [anno.assign(unpack, back)]
        for i, g in zip(positions, grads):
            items.append(tpl.Contribution(atoms[i].id, anno.name(g)))
        return fwd, items

    def pair(self, func, positions, label):
        key = (func, positions)
        if key not in self.pairs:
            names = (
                self.module.fresh(f"_fwd_{label}"),
                self.module.fresh(f"_bwd_{label}"),
            )
            self.pairs[key] = names
            self._build(func, positions, names)
        return self.pairs[key]

    def _build(self, func, positions, names):
        from ..frontend.prepare import prepare
        from .assemble import split_functions

        info = prepare(func, helper=True)
        wrt = [info.params[i] for i in positions]
        fwd_def, bwd_def = split_functions(info, wrt, self, *names)
        self.module.add(info, [fwd_def, bwd_def])


def bind_atoms(fn, func, call, stmt) -> list:
    """A call's atoms in the order of ``func``'s parameters, defaults filled in."""
    sig = inspect.signature(func)
    try:
        bound = sig.bind(*call.args, **{k.arg: k.value for k in call.keywords})
    except TypeError as exc:
        raise fn.error(stmt, f"bad call to {func.__name__}: {exc}") from None
    atoms = []
    for pname, param in sig.parameters.items():
        if pname in bound.arguments:
            atoms.append(bound.arguments[pname])
        elif isinstance(param.default, (int, float, str, bool, type(None))):
            atoms.append(anno.const(param.default))
        else:
            msg = f"the default of parameter {pname!r} of {func.__name__} is not a constant"
            raise fn.error(stmt, msg, "pass that argument explicitly")
    return atoms


def callee_label(func, call) -> str:
    """A name for code made from ``func``: a lambda goes by the name it is called by."""
    if func.__name__ == "<lambda>" and isinstance(call.func, gast.Name):
        return call.func.id
    return func.__name__
