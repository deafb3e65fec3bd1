"""Calls to the user's own functions, in both modes: each callee is transformed
from its source, in reverse mode into a forward function that returns what its
reverse needs and a backward function, in forward mode into a jvp function."""

from __future__ import annotations

import inspect

import gast

from .. import anno
from .. import template as tpl
from ..analysis.callees import is_user_function

# the functions made for one call, by mode: a fwd/bwd pair, or a jvp
PREFIXES = {"reverse": ("_fwd", "_bwd"), "forward": ("_jvp",)}


class Calls:
    """The functions made so far for the user's calls in one generated module,
    keyed on (mode, function, positions of the active arguments)."""

    def __init__(self, module):
        self.module = module
        self.made: dict = {}

    def is_user_function(self, obj, table) -> bool:
        return is_user_function(obj, table)

    def reverse(self, rad, y, stmt):
        """``y = g(a, b)`` -> ``y, _g_saved = _fwd_g(a, b)``; its adjoint
        ``_ba, _bb = _bwd_g(_g_saved, by)``."""
        call = stmt.value
        func = anno.get(call, anno.CALLEE)
        atoms = bind_atoms(rad.fn, func, call, stmt)
        positions = _active_positions(rad, atoms)
        if not positions:
            return [stmt], []
        label = callee_label(func, call)
        fwd_name, bwd_name = self.made_for("reverse", func, positions, label)
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

    def forward(self, fad, y, stmt) -> list:
        """``y = g(a, b)`` -> ``y, dy = _jvp_g(a, b, da)``."""
        call = stmt.value
        func = anno.get(call, anno.CALLEE)
        atoms = bind_atoms(fad.fn, func, call, stmt)
        positions = _active_positions(fad, atoms)
        if not positions:
            return [stmt, fad.zeros(y)]
        (name,) = self.made_for("forward", func, positions, callee_label(func, call))
        tangents = [anno.name(fad.tangent(atoms[i].id)) for i in positions]
        pair = gast.Tuple(
            elts=[anno.store(y), anno.store(fad.tangent(y))], ctx=gast.Store()
        )
        return [anno.assign(pair, anno.call(anno.name(name), atoms + tangents))]

    def made_for(self, mode, func, positions, label) -> tuple[str, ...]:
        """The names of the functions made for ``func`` in ``mode``, made once."""
        key = (mode, func, positions)
        if key not in self.made:
            names = tuple(self.module.fresh(f"{p}_{label}") for p in PREFIXES[mode])
            self.made[key] = names
            self._build(mode, func, positions, names)
        return self.made[key]

    def _build(self, mode, func, positions, names) -> None:
        from ..frontend.prepare import prepare
        from .assemble import jvp_function, split_functions

        info = prepare(func, helper=True)
        wrt = [info.params[i] for i in positions]
        if mode == "reverse":
            defs = list(split_functions(info, wrt, self, *names))
        else:
            defs = [jvp_function(info, wrt, self, *names)]
        self.module.add(info, defs)


def _active_positions(sweep, atoms) -> tuple[int, ...]:
    return tuple(i for i, a in enumerate(atoms) if sweep.is_active(a))


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
