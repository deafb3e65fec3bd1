"""The call path of a derivative: bind arguments, check them, pick the backend,
check the results.  Each check has a fast path for the common types (floats and
NumPy float arrays) so a cached gradient call costs little more than the
generated function itself."""

from __future__ import annotations

import inspect
import weakref

import numpy

from .. import debug
from ..analysis.shapes import item_name
from ..errors import ArgumentError, NonScalarOutputError
from ..runtime.containers import is_record

NDARRAY = numpy.ndarray
_SCALAR_TYPES = (float, numpy.float64, numpy.float32, numpy.float16)
_BACKENDS: dict[type, str] = {}


class Signature:
    """A function's parameters, bound fast when called positionally; ``of(func)``
    reads them once per function."""

    _known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, func) -> Signature:
        try:
            found = cls._known.get(func)
        except TypeError:  # not weakly referable
            return cls(func)
        if found is None:
            found = cls._known[func] = cls(func)
        return found

    def __init__(self, func):
        # a name, not func: the cache holds func weakly
        self.qualname = getattr(func, "__qualname__", repr(func))
        self.signature = inspect.signature(func)
        self.names = list(self.signature.parameters)
        self.plain = all(  # no *args, **kwargs or keyword-only parameter
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            for p in self.signature.parameters.values()
        )

    def bind(self, args, kwargs) -> tuple:
        """The values of the parameters, in their order (``*args`` a tuple,
        ``**kwargs`` a dict), defaults filled in."""
        if not kwargs and self.plain and len(args) == len(self.names):
            return args
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.arguments.values())


def check_differentiable(sig: Signature, values, positions) -> None:
    """Integer, boolean and complex arguments get an error, never zeros."""
    for i in positions:
        v = values[i]
        t = type(v)
        if t is float or (t is NDARRAY and v.dtype.kind == "f"):
            continue
        _check_slow(sig, i, v)


def _check_slow(sig, i, v) -> None:
    name, qualname = sig.names[i], sig.qualname
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
    """Each tangent has the shape of its argument (item by item, for a list,
    tuple or dict of arrays)."""
    for i, t in zip(positions, tangents):
        if shapes(t) != shapes(values[i], t):
            raise ArgumentError(
                f"the tangent for {sig.names[i]!r} of {sig.qualname} has shape "
                f"{shapes(t)}, but the argument has shape {shapes(values[i], t)}"
            )


def shapes(value, like=None):
    """The shape of an array or a number; of a list or tuple, the list of its
    items' shapes; of a dict, a dict of them; of an object (``like`` a dict of
    tangents of some of its attributes), a dict of those attributes' shapes."""
    if is_record(value) and isinstance(like, dict):
        return {k: shapes(getattr(value, k, None), like[k]) for k in like}
    if isinstance(value, (list, tuple)):
        return [shapes(v) for v in value]
    if isinstance(value, dict):
        return {k: shapes(v) for k, v in value.items()}
    return numpy.shape(value)


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
            backend = next(
                (b for b in ("cupy", "dask") if module.startswith(b)), "numpy"
            )
            _BACKENDS[t] = backend
        if backend != "numpy":
            return backend
    return "numpy"


def check_output(qualname: str, value, seed) -> None:
    """grad needs a scalar output; a vjp seed must have the output's shape."""
    if seed is None:
        if isinstance(value, (tuple, list, dict)):
            raise NonScalarOutputError(
                f"grad needs {qualname} to return one scalar, but it returned a "
                f"{type(value).__name__}; return only the scalar (value_and_grad "
                "gives its value with the gradient), or use "
                "tangentlike.vjp(f)(*args, seed) with a seed for each item"
            )
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
    if tg is NDARRAY and type(x) is NDARRAY:
        if g.shape == x.shape and g.dtype == x.dtype:
            return g
    elif type(x) is float and tg in _SCALAR_TYPES:
        return float(g)
    return _match_slow(g, x)


# The slow path of ``match``: each branch is a kind of argument whose gradient
# comes back in its form (a 0-d array, a list or tuple, a dict, an array or NumPy
# scalar of another dtype, a Python float); a gradient of another shape is a bug.
def _match_slow(g, x):
    if type(x) is NDARRAY and x.ndim == 0 and numpy.ndim(g) == 0:  # 0-d in, 0-d out
        return numpy.asarray(g, dtype=x.dtype)
    if (
        isinstance(x, (list, tuple))
        and isinstance(g, (list, tuple))
        and len(g) == len(x)
    ):
        items = [match(u, v) for u, v in zip(g, x)]  # a list of arrays: a list
        return type(x)._make(items) if hasattr(type(x), "_make") else type(x)(items)
    if isinstance(x, dict) and isinstance(g, dict):
        return {k: match(v, x[k]) if k in x else v for k, v in g.items()}
    if isinstance(g, dict) and is_record(x):  # an object's: by attribute name
        return {k: match(v, getattr(x, k)) for k, v in g.items()}
    if numpy.shape(g) != numpy.shape(x) or (debug.enabled() and _dtype_differs(g, x)):
        raise AssertionError(
            f"internal error in tangentlike: a gradient has shape {numpy.shape(g)} and dtype "
            f"{getattr(g, 'dtype', type(g).__name__)} for an argument of shape "
            f"{numpy.shape(x)} and dtype {getattr(x, 'dtype', type(x).__name__)}; "
            "please report this with the function that caused it"
        )
    dtype = getattr(x, "dtype", None)
    g_dtype = getattr(g, "dtype", None)  # None for a Python float (and None == float64)
    if dtype is not None and (g_dtype is None or g_dtype != dtype):
        if isinstance(x, numpy.generic):
            return dtype.type(g)  # np.float32 in, np.float32 out
        return numpy.asarray(g).astype(dtype, copy=False)
    if type(x) is float and getattr(g, "shape", None) == ():
        return float(g)
    return g


def _dtype_differs(g, x) -> bool:
    dtype = getattr(x, "dtype", None)
    return dtype is not None and getattr(g, "dtype", dtype) != dtype


MAX_SHAPE_VARIANTS = 8


def has_fast_path(d, values) -> bool:
    """Positional NumPy arguments, floats or float arrays where differentiated,
    to a grad or value_and_grad."""
    if (
        d.kind == "vjp"
        or d.backend not in (None, "numpy")
        or backend_of(values) != "numpy"
    ):
        return False
    if len(values) != len(d.signature.names):
        return False
    return all(
        type(values[i]) in (float, NDARRAY) or is_array_dict(values[i])
        for i in d.positions
    )


def is_array_dict(v) -> bool:
    """A dict of float arrays by str keys (a model's parameters)."""
    return type(v) is dict and all(
        type(k) is str and type(a) is NDARRAY and a.dtype.kind == "f"
        for k, a in v.items()
    )


def variant_key(d, values) -> tuple:
    """``(floats, shapes)`` naming the variant compiled for these arguments: the
    shape and dtype of each array, and of each item of a dict of arrays (named as
    ``analysis.shapes.item_name`` names it)."""
    floats = float_parameters(d.signature, values)
    names = d.signature.names
    shapes = []
    for i, v in enumerate(values):
        if type(v) is NDARRAY:
            shapes.append((names[i], v.shape, v.dtype.str))
        elif is_array_dict(v):
            shapes += [
                (item_name(names[i], k), a.shape, a.dtype.str) for k, a in v.items()
            ]
    return floats, tuple(shapes) or None
