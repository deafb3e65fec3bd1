"""Constants, proved argument by argument: why a function's result carries no
derivative from an argument.

A function that tangentlike treats as having no derivative (a comparison, a
constructor, a shape, an integer result) says so for each of its parameters, in
``templates/constants.py``::

    constant(numpy.argmax, piecewise="a", integer="axis out keepdims")

and a function with a template says so for each parameter its template does not
differentiate (``np.where``'s condition).  The reasons, each checked against finite
differences by ``tests/test_constants.py``:

- ``structure``: only the argument's shape, dtype or type is read, never its
  values (``np.zeros_like(a)``, ``len(x)``): perturbing the values changes nothing;
- ``piecewise``: the values are read only through comparisons, so the result is a
  step function of them (``x > y``, ``np.floor``, ``np.argmax``): perturbing them
  changes nothing but where a step is crossed;
- ``integer``: an integer or an option (a shape, a count, an axis, a dtype, an
  order, a flag): a float there is an error, or is read as a flag;
- ``requested``: ``stop_gradient``, a constant because the user asks for one.

A value to differentiate passed to a parameter with no declaration is
differentiated by a template, or refused by name; it is never dropped.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import gast
import numpy

REASONS = ("structure", "piecewise", "integer", "requested")


@dataclass(frozen=True)
class Declaration:
    """One function's parameters and the reason each declared one is constant."""

    signature: inspect.Signature
    reasons: dict[str, str]

    def covers(self, params) -> bool:
        return all(p in self.reasons for p in params)

    @property
    def whole(self) -> bool:
        """Every parameter declared: the function has no derivative at all."""
        return self.covers(self.signature.parameters)


DECLARED: dict = {}  # primal -> Declaration


def constant(primal, signature: str | None = None, **reasons: str) -> None:
    """Declare why ``primal``'s result carries no derivative from some of its
    parameters: ``reason="param param ..."`` for each reason of ``REASONS``.
    ``signature`` (``"x, base=10, /"``) stands in for a builtin that has none."""
    sig = _signature(primal, signature)
    found = dict(DECLARED[primal].reasons) if primal in DECLARED else {}
    for reason, names in reasons.items():
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}: one of {REASONS}")
        for name in names.split():
            if name not in sig.parameters:
                raise ValueError(f"{primal!r} has no parameter {name!r}")
            found[name] = reason
    DECLARED[primal] = Declaration(sig, found)


def _signature(primal, text: str | None) -> inspect.Signature:
    if text is not None:
        return inspect.signature(_parsed(text))
    try:
        return inspect.signature(primal)
    except (TypeError, ValueError):
        if isinstance(primal, numpy.ufunc):  # NumPy before 2.1: no signature
            return inspect.signature(_parsed(_ufunc_parameters(primal)))
        raise ValueError(
            f"{primal!r} has no signature: declare one, signature='x, /'"
        ) from None


def _ufunc_parameters(ufunc) -> str:
    inputs = ["x"] if ufunc.nin == 1 else [f"x{i + 1}" for i in range(ufunc.nin)]
    options = "out=None, *, where=True, casting='same_kind', order='K', dtype=None"
    return f"{', '.join(inputs)}, /, {options}, subok=True, signature=None"


def _parsed(text: str):
    namespace: dict = {}
    exec(f"def declared({text}): pass", namespace)  # a signature, nothing more
    return namespace["declared"]


def declaration(primal) -> Declaration | None:
    try:
        return DECLARED.get(primal)
    except TypeError:  # an object that cannot be hashed
        return None


def is_constant(primal) -> bool:
    """Whether every parameter of ``primal`` is declared constant."""
    found = declaration(primal)
    return found is not None and found.whole


def reason(primal, param: str) -> str | None:
    """Why ``param`` of ``primal`` carries no derivative; None if not declared."""
    found = declaration(primal)
    return None if found is None else found.reasons.get(param)


def bind(primal, call: gast.Call) -> dict | None:
    """Parameter -> atom (a tuple of atoms for ``*args``) of a call of a declared
    function; None where the call cannot be bound before it runs."""
    found = declaration(primal)
    if found is None or any(isinstance(a, gast.Starred) for a in call.args):
        return None
    if any(k.arg is None for k in call.keywords):
        return None
    try:
        bound = found.signature.bind(
            *call.args, **{k.arg: k.value for k in call.keywords}
        )
    except TypeError:
        return None
    return dict(bound.arguments)


def constant_atoms(primal, call: gast.Call) -> list:
    """The atoms of a call bound to parameters declared constant."""
    bound = bind(primal, call)
    if bound is None:
        return []
    out = []
    for param, atom in bound.items():
        if reason(primal, param) is not None:
            out.extend(atom if isinstance(atom, tuple) else [atom])
    return out
