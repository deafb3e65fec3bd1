"""Calls to the user's own functions, in both modes: each callee is transformed
from its source, in reverse mode into a forward function that returns what its
reverse needs and a backward function, in forward mode into a jvp function."""

from __future__ import annotations

import contextlib
import inspect
import sys
import types

import gast
import numpy

from .. import anno
from ..analysis.callees import is_library, is_user_function
from ..analysis.scope import is_resolved
from ..errors import NoDerivativeError, TangentlikeError
from ..frontend.library import is_array_namespace
from ..naming import label
from .binding import bind_atoms, contributions, is_active, label_of, tangent_of

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
        atoms, constants, pre = call_site(rad.fn, func, call, stmt, rad.active)
        positions = _active_positions(rad, atoms)
        if not positions:
            return [stmt], []
        label = callee_label(func, call)
        passed = functions_passed(rad.fn, func, atoms, constants)
        with from_library(rad.fn, func, call):
            made = self.made_for(
                "reverse",
                func,
                positions,
                label,
                constants,
                owner_of(rad.fn, call),
                passed,
            )
        fwd_name, bwd_name = made
        saved = rad.namer.temp(f"{label}_saved")
        rad.fn.primal_names.add(saved)
        rad.sites.assigned.setdefault(saved, []).append(rad.sites.order[id(stmt)])
        target = gast.Tuple(elts=[anno.store(y), anno.store(saved)], ctx=gast.Store())
        fwd = pre + [
            anno.copy_location(
                anno.assign(target, anno.call(anno.name(fwd_name), atoms)), stmt
            )
        ]
        params = _passed(func, constants)
        grads = [rad.namer.temp(f"b{label_of(atoms[i], params[i])}") for i in positions]
        back = anno.call(
            anno.name(bwd_name), [anno.name(saved), anno.name(rad.adj.name(y))]
        )
        unpack = gast.Tuple(elts=[anno.store(g) for g in grads], ctx=gast.Store())
        items = [anno.assign(unpack, back)]
        for i, g in zip(positions, grads):
            items += contributions(atoms[i], anno.name(g), rad.active)
        return fwd, items

    def forward(self, fad, y, stmt) -> list:
        """``y = g(a, b)`` -> ``y, dy = _jvp_g(a, b, da)``."""
        call = stmt.value
        func = anno.get(call, anno.CALLEE)
        atoms, constants, pre = call_site(fad.fn, func, call, stmt, fad.active)
        positions = _active_positions(fad, atoms)
        if not positions:
            return [stmt, fad.zeros(y)]
        label = callee_label(func, call)
        passed = functions_passed(fad.fn, func, atoms, constants)
        with from_library(fad.fn, func, call):
            (name,) = self.made_for(
                "forward",
                func,
                positions,
                label,
                constants,
                owner_of(fad.fn, call),
                passed,
            )
        tangents = [tangent_of(atoms[i], fad._part) for i in positions]
        pair = gast.Tuple(
            elts=[anno.store(y), anno.store(fad.tangent(y))], ctx=gast.Store()
        )
        jvp = anno.call(anno.name(name), atoms + tangents)
        return pre + [anno.assign(pair, jvp)]

    def made_for(
        self, mode, func, positions, label, constants, owner=None, passed=None
    ) -> tuple[str, ...]:
        """The names of the functions made for ``func`` in ``mode`` (and a library
        function's ``constants``; a method called on an ``owner`` object; the
        functions ``passed`` to its parameters), made once."""
        passed = passed or {}
        key = (mode, func, positions, constants_key(constants), owner)
        key += (tuple(sorted(passed.items(), key=lambda item: item[0])),)
        if key not in self.made:
            names = tuple(self.module.fresh(f"{p}_{label}") for p in PREFIXES[mode])
            self.made[key] = names  # first: a recursive call finds it
            try:
                self._build(mode, func, positions, names, constants, owner, passed)
            except TangentlikeError:
                del self.made[key]
                raise
        return self.made[key]

    def _build(self, mode, func, positions, names, constants, owner, passed) -> None:
        from ..frontend.prepare import prepare
        from .assemble import jvp_function, split_functions

        info = prepare(
            func, helper=True, constants=constants, owner=owner, bound=passed
        )
        wrt = [info.params[i] for i in positions]
        if mode == "reverse":
            defs = list(split_functions(info, wrt, self, *names))
        else:
            defs = [jvp_function(info, wrt, self, *names)]
        self.module.add(info, defs)


def _active_positions(sweep, atoms) -> tuple[int, ...]:
    return tuple(i for i, a in enumerate(atoms) if is_active(a, sweep.active))


def call_site(fn, func, call, stmt, active) -> tuple[list, dict | None, list]:
    """The atoms a call passes, the statements to run before it (a binding made
    when it runs) and, for a library function, the constants it binds (parameter
    -> literal, or None for a default), which it does not pass."""
    if not is_library(func):
        atoms, pre = bind_atoms(fn, func, call, stmt, active)
        return atoms, None, pre
    atoms, pre = bind_atoms(fn, func, call, stmt, active, library=True)
    names = list(inspect.signature(func).parameters)
    constants = {
        p: a for p, a in zip(names, atoms) if a is None or isinstance(a, gast.Constant)
    }
    return [a for p, a in zip(names, atoms) if p not in constants], constants, pre


def functions_passed(fn, func, atoms, constants) -> dict:
    """The parameters of a user's function that a call gives a function (a
    ``def`` of a module, a NumPy function), each called in its place: the
    derivative is made for the functions it is given (``apply(np.sin, x)``),
    and for an array namespace given, whose functions it calls as NumPy's
    (``xp_swapaxes(a, 0, 1, xp)``)."""
    passed = {}
    for param, atom in zip(_passed(func, constants), atoms):
        named = isinstance(atom, (gast.Name, gast.Attribute))
        obj = fn.scope.resolve(atom) if named else None
        if not is_resolved(obj):
            continue
        if is_array_namespace(obj) or isinstance(obj, FUNCTIONS):
            passed[param] = obj
    return passed


FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, numpy.ufunc)


def owner_of(fn, call) -> type | None:
    """The class of ``Model.forward(self, x)``: the class whose function is called
    (its ``self.m(...)`` calls are the class's too)."""
    func = call.func
    if not isinstance(func, gast.Attribute):
        return None
    found = fn.scope.resolve(func.value)
    return found if isinstance(found, type) else None


def _passed(func, constants) -> list[str]:
    """The parameters a call passes (those a library call binds left out)."""
    names = list(inspect.signature(func).parameters)
    return [p for p in names if not constants or p not in constants]


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
    """A name for code made from ``func``: a lambda goes by the name it is called
    by, a special method by its class (``Model.__call__`` -> ``Model_call``)."""
    if func.__name__ == "<lambda>" and isinstance(call.func, gast.Name):
        return call.func.id
    path = getattr(func, "__qualname__", "").split(".")
    return label(func.__name__, path[-2] if len(path) > 1 else None)
