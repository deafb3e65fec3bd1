"""Calls to the user's own functions, in both modes: each callee is transformed
from its source, in reverse mode into a forward function that returns what its
reverse needs and a backward function, in forward mode into a jvp function."""

from __future__ import annotations

import contextlib
import inspect
import sys

import gast

from .. import anno
from .. import template as tpl
from ..analysis.callees import is_library, is_user_function
from ..errors import NoDerivativeError, TangentlikeError

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
        atoms, constants = call_site(rad.fn, func, call, stmt)
        positions = _active_positions(rad, atoms)
        if not positions:
            return [stmt], []
        label = callee_label(func, call)
        with from_library(rad.fn, func, call):
            made = self.made_for("reverse", func, positions, label, constants)
        fwd_name, bwd_name = made
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
        atoms, constants = call_site(fad.fn, func, call, stmt)
        positions = _active_positions(fad, atoms)
        if not positions:
            return [stmt, fad.zeros(y)]
        label = callee_label(func, call)
        with from_library(fad.fn, func, call):
            (name,) = self.made_for("forward", func, positions, label, constants)
        tangents = [anno.name(fad.tangent(atoms[i].id)) for i in positions]
        pair = gast.Tuple(
            elts=[anno.store(y), anno.store(fad.tangent(y))], ctx=gast.Store()
        )
        return [anno.assign(pair, anno.call(anno.name(name), atoms + tangents))]

    def made_for(self, mode, func, positions, label, constants) -> tuple[str, ...]:
        """The names of the functions made for ``func`` in ``mode`` (and a library
        function's ``constants``), made once."""
        key = (mode, func, positions, constants_key(constants))
        if key not in self.made:
            names = tuple(self.module.fresh(f"{p}_{label}") for p in PREFIXES[mode])
            self.made[key] = names  # first: a recursive call finds it
            try:
                self._build(mode, func, positions, names, constants)
            except TangentlikeError:
                del self.made[key]
                raise
        return self.made[key]

    def _build(self, mode, func, positions, names, constants) -> None:
        from ..frontend.prepare import prepare
        from .assemble import jvp_function, split_functions

        info = prepare(func, helper=True, constants=constants)
        wrt = [info.params[i] for i in positions]
        if mode == "reverse":
            defs = list(split_functions(info, wrt, self, *names))
        else:
            defs = [jvp_function(info, wrt, self, *names)]
        self.module.add(info, defs)


def _active_positions(sweep, atoms) -> tuple[int, ...]:
    return tuple(i for i, a in enumerate(atoms) if sweep.is_active(a))


def bind_atoms(fn, func, call, stmt, library: bool = False) -> list:
    """A call's atoms in the order of ``func``'s parameters, defaults filled in;
    for a ``library`` function, None for a default that is not a literal."""
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
        elif library:
            atoms.append(None)
        else:
            msg = f"the default of parameter {pname!r} of {func.__name__} is not a constant"
            raise fn.error(stmt, msg, "pass that argument explicitly")
    return atoms


def call_site(fn, func, call, stmt) -> tuple[list, dict | None]:
    """The atoms a call passes and, for a library function, the constants it binds
    (parameter -> literal, or None for a default), which it does not pass."""
    if not is_library(func):
        return bind_atoms(fn, func, call, stmt), None
    atoms = bind_atoms(fn, func, call, stmt, library=True)
    names = list(inspect.signature(func).parameters)
    constants = {
        p: a for p, a in zip(names, atoms) if a is None or isinstance(a, gast.Constant)
    }
    return [a for p, a in zip(names, atoms) if p not in constants], constants


def constants_key(constants) -> tuple | None:
    """A hashable key of the constants a library call binds."""
    if constants is None:
        return None
    return tuple(
        (p, None if v is None else (type(v.value).__name__, repr(v.value)))
        for p, v in sorted(constants.items())
    )


@contextlib.contextmanager
def from_library(fn, func, call):
    """What stops the transform of a library function is reported at the user's
    call, with the library's frames below it."""
    try:
        yield
    except TangentlikeError as exc:
        if not is_library(func):
            raise
        what = describe(func)
        raise NoDerivativeError.in_library(
            what, fn.source.location(call), exc
        ) from None


def describe(func) -> str:
    """``numpy.cov``, ``scipy.special.softmax``: a function as its users import it
    (from the shortest module path that has it)."""
    module = getattr(func, "__module__", None) or ""
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))
    parts = module.split(".")
    for i in range(1, len(parts)):
        public = sys.modules.get(".".join(parts[:i]))
        if public is not None and getattr(public, name, None) is func:
            return f"{'.'.join(parts[:i])}.{name}"
    return f"{module}.{name}" if module and module != "builtins" else name


def callee_label(func, call) -> str:
    """A name for code made from ``func``: a lambda goes by the name it is called by."""
    if func.__name__ == "<lambda>" and isinstance(call.func, gast.Name):
        return call.func.id
    return func.__name__
