"""The call path of a derivative: bind arguments, check them, pick the backend,
check the results.  Each check has a fast path for the common types (floats and
NumPy float arrays) so a cached gradient call costs little more than the
generated function itself."""

from __future__ import annotations

import inspect
import os

import numpy

from .errors import ArgumentError, NonScalarOutputError

DEBUG = bool(os.environ.get("TANGENTLIKE_DEBUG"))
_NDARRAY = numpy.ndarray
_SCALAR_TYPES = (float, numpy.float64, numpy.float32, numpy.float16)
_BACKENDS: dict[type, str] = {}


class Signature:
    """A function's parameters, bound fast when called positionally."""

    def __init__(self, func):
        self.func = func
        self.signature = inspect.signature(func)
        self.names = list(self.signature.parameters)

    def bind(self, args, kwargs) -> tuple:
        if not kwargs and len(args) == len(self.names):
            return args
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.arguments.values())


def check_differentiable(sig: Signature, values, positions) -> None:
    """Integer, boolean and complex arguments get an error, never zeros."""
    for i in positions:
        v = values[i]
        t = type(v)
        if t is float or (t is _NDARRAY and v.dtype.kind == "f"):
            continue
        _check_slow(sig, i, v)


def _check_slow(sig, i, v) -> None:
    name, qualname = sig.names[i], sig.func.__qualname__
    dtype = getattr(v, "dtype", None)
    if isinstance(v, (bool, int, numpy.integer, numpy.bool_)) or (
        dtype is not None and dtype.kind in "biu"
    ):
        raise ArgumentError(
            f"argument {name!r} of {qualname} is an integer or boolean "
            f"({type(v).__name__}{'' if dtype is None else ' of ' + str(dtype)}): it has "
            "no gradient; pass floats (e.g. x.astype(float) or 1.0)"
        )
    if (dtype is not None and dtype.kind == "c") or isinstance(v, complex):
        raise ArgumentError(
            f"argument {name!r} of {qualname} is complex: complex gradients are not "
            "supported; split it into real and imaginary parts"
        )


def check_tangents(sig: Signature, values, positions, tangents) -> None:
    """Each tangent has the shape of its argument."""
    for i, t in zip(positions, tangents):
        if numpy.shape(t) != numpy.shape(values[i]):
            raise ArgumentError(
                f"the tangent for {sig.names[i]!r} of {sig.func.__qualname__} has shape "
                f"{numpy.shape(t)}, but the argument has shape {numpy.shape(values[i])}"
            )


def float_parameters(sig: Signature, values) -> tuple[str, ...]:
    """Names of the parameters given Python or NumPy floats (shape ``()`` for sure)."""
    return tuple(name for name, v in zip(sig.names, values) if type(v) in _SCALAR_TYPES)


def backend_of(args) -> str:
    """``cupy`` or ``dask`` when an argument lives there, else ``numpy``."""
    for a in args:
        t = type(a)
        backend = _BACKENDS.get(t)
        if backend is None:
            module = t.__module__ or ""
            backend = next((b for b in ("cupy", "dask") if module.startswith(b)), "numpy")
            _BACKENDS[t] = backend
        if backend != "numpy":
            return backend
    return "numpy"


def check_output(qualname: str, value, seed) -> None:
    """grad needs a scalar output; a vjp seed must have the output's shape."""
    if seed is None:
        if type(value) in _SCALAR_TYPES or numpy.ndim(value) == 0:
            return
        raise NonScalarOutputError(
            f"grad needs {qualname} to return a scalar, but it returned shape "
            f"{numpy.shape(value)}; use tangentlike.vjp(f)(*args, seed) for a "
            "vector-Jacobian product, or tangentlike.jacobian(f)"
        )
    if numpy.shape(seed) != numpy.shape(value):
        raise ArgumentError(
            f"the seed of vjp({qualname}) has shape {numpy.shape(seed)}, but the "
            f"function's output has shape {numpy.shape(value)}: they must match"
        )


def match(g, x):
    """The gradient in the shape and dtype of its argument."""
    tg = type(g)
    if tg is _NDARRAY and type(x) is _NDARRAY:
        if g.shape == x.shape and g.dtype == x.dtype:
            return g
    elif type(x) is float and tg in _SCALAR_TYPES:
        return float(g)
    return _match_slow(g, x)


def _match_slow(g, x):
    if numpy.shape(g) != numpy.shape(x) or (DEBUG and _dtype_differs(g, x)):
        raise AssertionError(
            f"internal error in tangentlike: a gradient has shape {numpy.shape(g)} and dtype "
            f"{getattr(g, 'dtype', type(g).__name__)} for an argument of shape "
            f"{numpy.shape(x)} and dtype {getattr(x, 'dtype', type(x).__name__)}; "
            "please report this with the function that caused it"
        )
    dtype = getattr(x, "dtype", None)
    if dtype is not None and getattr(g, "dtype", dtype) != dtype:
        return g.astype(dtype)
    if isinstance(x, float) and getattr(g, "shape", None) == ():
        return float(g)
    return g


def _dtype_differs(g, x) -> bool:
    dtype = getattr(x, "dtype", None)
    return dtype is not None and getattr(g, "dtype", dtype) != dtype


MAX_SHAPE_VARIANTS = 8


def fast_entry(d, values):
    """A function ``entry(*args)`` doing what ``Derivative.__call__`` does for
    positional arguments of these types, with the checks that types settle done
    once here; None where these types need the general path.

    Python floats get the variant compiled for floats; NumPy arrays, a variant
    compiled for their shapes (up to ``MAX_SHAPE_VARIANTS`` sets of shapes, then
    the generic code), checked for a floating dtype once per shape and dtype."""
    if not has_fast_path(d, values):
        return None
    types = tuple(map(type, values))
    floats = float_parameters(d.signature, values)
    arrays = tuple(i for i, t in enumerate(types) if t is _NDARRAY)
    generic = None if arrays else d.module.compiled("numpy", floats, None, True)
    variants: dict = {}
    pick = _shape_picker(d, floats, arrays, variants) if arrays else None
    return _finisher(d, generic, pick, types)


def has_fast_path(d, values) -> bool:
    """Positional NumPy arguments, floats or float arrays where differentiated,
    to a grad or value_and_grad."""
    if d.kind == "vjp" or d.backend not in (None, "numpy") or backend_of(values) != "numpy":
        return False
    if len(values) != len(d.signature.names):
        return False
    return all(type(values[i]) in (float, _NDARRAY) for i in d.positions)


def variant_key(d, values) -> tuple:
    """``(floats, shapes)`` naming the variant compiled for these arguments."""
    floats = float_parameters(d.signature, values)
    names = d.signature.names
    shapes = tuple(
        (names[i], v.shape, v.dtype.str) for i, v in enumerate(values) if type(v) is _NDARRAY
    )
    return floats, shapes or None


def _shape_picker(d, floats, arrays, variants):
    def pick(args):
        key = tuple([(args[i].shape, args[i].dtype) for i in arrays])
        fn = variants.get(key)
        if fn is None:
            check_differentiable(d.signature, args, d.positions)
            _, shapes = variant_key(d, args)
            specialize = len(variants) < MAX_SHAPE_VARIANTS
            fn = d.module.compiled("numpy", floats, shapes if specialize else None, True)
            variants[key] = fn
        return fn

    return pick


def _finisher(d, generic, pick, types):
    """The entry, generated for these positions and types: ``entry(*args)``."""
    from . import tracebacks

    args = [f"_a{i}" for i in range(len(types))]
    call = ", ".join(args)
    packed = "(" + call + ("," if len(args) == 1 else "") + ")"
    fn = "generic" if pick is None else f"pick({packed})"
    lines = [
        f"def entry({call}):",
        f"    fn = {fn}",
        "    try:",
        f"        value, grads = fn({call})",
        "    except Exception as exc:",
        "        annotate(exc)",
        "        raise",
        "    if value.__class__ is not float:",
        "        check_output(qualname, value, None)",
        *_matching(d, types, args),
        "    return grads" if d.kind == "grad" else "    return value, grads",
    ]
    namespace = {
        "generic": generic,
        "pick": pick,
        "annotate": tracebacks.annotate,
        "check_output": check_output,
        "match": match,
        "qualname": d.__qualname__,
    }
    exec(compile("\n".join(lines) + "\n", "<tangentlike entry>", "exec"), namespace)
    return namespace["entry"]


def _matching(d, types, args) -> list[str]:
    """Lines giving each gradient its argument's shape and dtype."""
    positions = d.positions
    if len(positions) == 1 and not d.many:
        x = args[positions[0]]
        if types[positions[0]] is float:
            return ["    if grads.__class__ is not float:", f"        grads = match(grads, {x})"]
        return [f"    grads = match(grads, {x})"]
    if len(positions) == 1:
        return [f"    grads = (match(grads, {args[positions[0]]}),)"]
    parts = ", ".join(f"match(grads[{k}], {args[i]})" for k, i in enumerate(positions))
    return [f"    grads = ({parts})"]


_FRONTS: dict[tuple, type] = {}
_SELF = "_tl_derivative"


def front_class(base: type, sig: Signature) -> type:
    """``base`` with a ``__call__`` taking the function's own parameters, which
    looks up the entry for the argument types without packing ``*args``; ``base``
    itself where the parameters have defaults, ``*args`` or keyword-only ones."""
    params = list(sig.signature.parameters.values())
    plain = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
    names = tuple(p.name for p in params)
    if not params or any(n.startswith("_tl_") for n in names):
        return base
    if any(p.kind not in plain or p.default is not p.empty for p in params):
        return base
    key = (base, names, tuple(p.kind for p in params))
    if key not in _FRONTS:
        _FRONTS[key] = type(base.__name__, (base,), {"__call__": _front_call(sig)})
    return _FRONTS[key]


def _front_call(sig: Signature):
    names = list(sig.signature.parameters)
    kinds = [p.kind for p in sig.signature.parameters.values()]
    positional_only = kinds.count(inspect.Parameter.POSITIONAL_ONLY)
    params = ", ".join(names[:positional_only] + ["/"] * bool(positional_only)
                       + names[positional_only:])  # fmt: skip
    key = (
        f"{names[0]}.__class__"
        if len(names) == 1
        else ("(" + ", ".join(f"{n}.__class__" for n in names) + ")")
    )
    args = "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    source = (
        f"def __call__({_SELF}, {params}):\n"
        f"    _tl_key = {key}\n"
        f"    _tl_entry = {_SELF}._fast.get(_tl_key)\n"
        f"    if _tl_entry is not None:\n"
        f"        return _tl_entry({', '.join(names)})\n"
        f"    return {_SELF}._miss(_tl_key, {args})\n"
    )
    namespace: dict = {}
    exec(compile(source, "<tangentlike call>", "exec"), namespace)
    return namespace["__call__"]
