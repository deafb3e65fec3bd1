"""Every constant is proved: each parameter declared in templates/constants.py is
checked against finite differences on random inputs.

- ``structure``: perturbing the argument's values changes the result by nothing;
- ``piecewise``: by nothing, or by a jump (a step crossed), never by a slope;
- ``integer``: a float in its place is an error, or is read as a flag (perturbing
  it changes nothing);
- ``requested``: ``stop_gradient`` alone.
"""

from __future__ import annotations

import builtins
import io
import math
import warnings
from collections import namedtuple

import numpy as np
import pytest
from numpy.lib import array_utils

from tangentlike import constants, runtime
from tangentlike import template as tpl
from tangentlike.errors import TangentlikeError

tpl.load_templates()

H = 1e-7  # a perturbation, relative to the value perturbed
TRIALS = 4


def floats(r, *shape):
    return r.uniform(-2.0, 2.0, shape) if shape else float(r.uniform(-2.0, 2.0))


def spd(r, n):
    m = r.uniform(-1, 1, (n, n))
    return m @ m.T + n * np.eye(n)


# one example call of each declared function: parameter -> value
Pair = namedtuple("Pair", "a b")  # an object with attributes, for attr_grad
EXAMPLES = {
    builtins.len: lambda r: {"obj": floats(r, 4)},
    builtins.isinstance: lambda r: {"obj": floats(r), "class_or_tuple": float},
    builtins.print: lambda r: {
        "args": (floats(r), floats(r, 2)),
        "file": io.StringIO(),
    },
    builtins.int: lambda r: {"x": floats(r)},
    builtins.bool: lambda r: {"x": floats(r)},
    builtins.round: lambda r: {"number": floats(r), "ndigits": 2},
    builtins.range: lambda r: {"start": 1, "stop": 7, "step": 2},
    math.floor: lambda r: {"x": floats(r)},
    math.ceil: lambda r: {"x": floats(r)},
    math.trunc: lambda r: {"x": floats(r)},
    math.isnan: lambda r: {"x": floats(r)},
    math.isinf: lambda r: {"x": floats(r)},
    math.isfinite: lambda r: {"x": floats(r)},
    np.shape: lambda r: {"a": floats(r, 2, 3)},
    np.ndim: lambda r: {"a": floats(r, 2, 3)},
    np.size: lambda r: {"a": floats(r, 2, 3), "axis": 1},
    np.zeros: lambda r: {"shape": (2, 3)},
    np.ones: lambda r: {"shape": (2, 3), "dtype": np.float32},
    np.empty: lambda r: {"shape": 3},
    np.eye: lambda r: {"N": 3, "M": 4, "k": 1},
    np.identity: lambda r: {"n": 3},
    np.empty_like: lambda r: {"prototype": floats(r, 2, 3)},
    np.zeros_like: lambda r: {"a": floats(r, 2, 3)},
    np.ones_like: lambda r: {"a": floats(r, 2, 3), "dtype": np.float32},
    np.full: lambda r: {"shape": (2, 3), "fill_value": floats(r)},
    np.full_like: lambda r: {"a": floats(r, 2, 3), "fill_value": floats(r, 3)},
    np.linspace: lambda r: {"start": floats(r), "stop": floats(r), "num": 5},
    np.arange: lambda r: {"start": floats(r), "stop": floats(r) + 4.0, "step": 0.7},
    np.heaviside: lambda r: {"x1": floats(r, 5), "x2": floats(r, 5)},
    np.fix: lambda r: {"x": floats(r, 5)},
    np.isposinf: lambda r: {"x": floats(r, 5)},
    np.isneginf: lambda r: {"x": floats(r, 5)},
    np.round: lambda r: {"a": floats(r, 5), "decimals": 1},
    np.argsort: lambda r: {"a": floats(r, 3, 4), "axis": 0},
    np.nonzero: lambda r: {"a": floats(r, 5)},
    np.flatnonzero: lambda r: {"a": floats(r, 5)},
    np.argwhere: lambda r: {"a": floats(r, 2, 3)},
    np.count_nonzero: lambda r: {"a": floats(r, 2, 3), "axis": 1},
    np.searchsorted: lambda r: {"a": np.sort(floats(r, 6)), "v": floats(r, 3)},
    np.isclose: lambda r: {
        "a": floats(r, 4),
        "b": floats(r, 4),
        "rtol": 0.3,
        "atol": 0.5,
    },
    np.allclose: lambda r: {
        "a": floats(r, 4),
        "b": floats(r, 4),
        "rtol": 0.1,
        "atol": 1.5,
    },
    np.array_equal: lambda r: {"a1": floats(r, 4), "a2": floats(r, 4)},
    np.where: lambda r: {"condition": floats(r, 4), "x": floats(r, 4), "y": 0.5},
    np.copysign: lambda r: {"x1": floats(r, 4), "x2": floats(r, 4)},
    np.result_type: lambda r: {"arrays_and_dtypes": (floats(r, 3), floats(r))},
    np.iscomplexobj: lambda r: {"x": floats(r, 3)},
    np.isrealobj: lambda r: {"x": floats(r, 3)},
    np.isscalar: lambda r: {"element": floats(r)},
    np.min_scalar_type: lambda r: {"a": floats(r)},
    np.can_cast: lambda r: {"from_": floats(r, 3), "to": np.float32},
    np.promote_types: lambda r: {"type1": np.float32, "type2": np.int64},
    np.issubdtype: lambda r: {"arg1": np.float32, "arg2": np.floating},
    np.broadcast_shapes: lambda r: {"args": ((2, 1), (3,))},
    array_utils.normalize_axis_index: lambda r: {"axis": -1, "ndim": 3},
    array_utils.normalize_axis_tuple: lambda r: {"axis": (0, -1), "ndim": 3},
    runtime.interp_segment: lambda r: {"x": floats(r, 4), "xp": np.sort(floats(r, 5))},
    runtime.convolve_pads: lambda r: {
        "a": floats(r, 5),
        "v": floats(r, 3),
        "mode": "same",
    },
    runtime.absent: lambda r: {"value": floats(r)},
    runtime.reduced_size: lambda r: {"x": floats(r, 2, 3), "axis": 0},
    runtime.zeros_like: lambda r: {"x": floats(r, 2, 3)},
    runtime.zeros_items: lambda r: {"x": [floats(r, 2), {"k": floats(r)}]},
    runtime.zero_grad: lambda r: {"x": [floats(r, 2), {"k": floats(r)}]},
    runtime.clip_mask: lambda r: {"a": floats(r, 5), "a_min": -0.5, "a_max": 0.7},
    runtime.tensordot_subscripts: lambda r: {
        "a": floats(r, 2, 3),
        "b": floats(r, 3, 4),
        "axes": 1,
    },
    runtime.inner_subscripts: lambda r: {"a": floats(r, 2, 3), "b": floats(r, 4, 3)},
    runtime.layout_order: lambda r: {"a": floats(r, 2, 3), "order": "F"},
    runtime.inverse_axes: lambda r: {"axes": (1, 2, 0), "ndim": 3},
    runtime.stop_gradient: lambda r: {"x": floats(r, 3)},
    runtime.broadcast_like: lambda r: {"g": floats(r, 3), "z": floats(r, 2, 3)},
    runtime.unbroadcast: lambda r: {"g": floats(r, 2, 3), "x": floats(r, 1, 3)},
    runtime.unbroadcast_as: lambda r: {"g": floats(r, 2, 3), "x": floats(r, 3)},
    runtime.matmul_lhs: lambda r: {
        "g": floats(r, 2, 4),
        "x": floats(r, 2, 3),
        "y": floats(r, 3, 4),
    },
    runtime.matmul_rhs: lambda r: {
        "g": floats(r, 2, 4),
        "x": floats(r, 2, 3),
        "y": floats(r, 3, 4),
    },
    runtime.unreduce: lambda r: {"g": floats(r, 3), "x": floats(r, 2, 3), "axis": 0},
    runtime.pairwise_weights: lambda r: {
        "g": floats(r, 2, 4),
        "a": floats(r, 2, 3),
        "b": floats(r, 4, 3),
    },
    runtime.picked_sum: lambda r: {
        "value": floats(r, 3),
        "p": floats(r, 3, 4),
        "index": (np.array([0, 2, 2]), np.array([1, 0, 3])),
        "axis": 1,
    },
    runtime.add_at: lambda r: {
        "g": floats(r, 4),
        "x": floats(r, 4),
        "index": np.array([0, 2, 2]),
        "value": floats(r, 3),
    },
    runtime.sum_grad: lambda r: {"g": floats(r, 3), "xs": [floats(r, 3), floats(r, 1)]},
    runtime.array_grad: lambda r: {"g": floats(r, 2, 3), "a": [floats(r, 3)] * 2},
    runtime.attr_grad: lambda r: {
        "g": floats(r, 3),
        "obj": Pair(floats(r, 2), floats(r, 3)),
        "name": "b",
    },
    runtime.attr_part: lambda r: {
        "g": {"b": floats(r, 3)},
        "obj": Pair(floats(r, 2), floats(r, 3)),
        "name": "b",
    },
    runtime.unsort: lambda r: {"g": list(floats(r, 4)), "xs": list(floats(r, 4))},
    runtime.sorted_like: lambda r: {"t": list(floats(r, 4)), "xs": list(floats(r, 4))},
    runtime.plus_grad: lambda r: {
        "g": floats(r, 2, 3),
        "a": floats(r, 3),
        "b": floats(r, 2, 3),
        "k": 0,
    },
    runtime.tile_axes: lambda r: {"a": floats(r, 2, 3), "reps": (2, 1)},
    runtime.kron_layout: lambda r: {"a": floats(r, 2, 3), "b": floats(r, 3)},
    runtime.require: lambda r: {"ok": floats(r) + 5.0, "what": "something"},
    runtime.diagonal_grad: lambda r: {
        "g": floats(r, 2),
        "a": floats(r, 3, 3),
        "offset": 1,
    },
    runtime.diag_grad: lambda r: {"g": floats(r, 4, 4), "v": floats(r, 3), "k": 1},
    runtime.take_grad: lambda r: {
        "g": floats(r, 2, 2),
        "a": floats(r, 2, 3),
        "indices": np.array([2, 0]),
        "axis": 1,
    },
    runtime.take_along_grad: lambda r: {
        "g": floats(r, 2, 1),
        "a": floats(r, 2, 3),
        "indices": np.array([[2], [0]]),
        "axis": 1,
    },
    runtime.unconcat: lambda r: {
        "g": floats(r, 2, 5),
        "arrays": [floats(r, 2, 3), floats(r, 2, 2)],
        "axis": 1,
    },
    runtime.unstack: lambda r: {"g": floats(r, 2, 3), "arrays": [floats(r, 3)] * 2},
    runtime.hstack_grad: lambda r: {
        "g": floats(r, 5),
        "arrays": [floats(r, 3), floats(r, 2)],
    },
    runtime.vstack_grad: lambda r: {"g": floats(r, 2, 3), "arrays": [floats(r, 3)] * 2},
    runtime.column_stack_grad: lambda r: {
        "g": floats(r, 3, 2),
        "arrays": [floats(r, 3), floats(r, 3)],
    },
    runtime.repeat_grad: lambda r: {
        "g": floats(r, 6),
        "a": floats(r, 3),
        "repeats": 2,
        "axis": 0,
    },
    runtime.pad_grad: lambda r: {
        "g": floats(r, 7),
        "a": floats(r, 3),
        "pad_width": 2,
        "mode": "maximum",
    },
    runtime.pad_tangent: lambda r: {
        "da": floats(r, 3),
        "dfill": 0.0,
        "dend": 0.0,
        "a": floats(r, 3),
        "pad_width": 1,
        "mode": "minimum",
    },
    runtime.pad_fill_grad: lambda r: {
        "g": floats(r, 5),
        "a": floats(r, 3),
        "fill": floats(r),
        "pad_width": 1,
    },
    runtime.scatter_sum: lambda r: {
        "w": floats(r, 4),
        "index": np.array([0, 2, 2, 1]),
        "n": 3,
    },
    runtime.take_at: lambda r: {"h": floats(r, 4), "index": np.array([3, 0])},
    runtime.quantile_gather: lambda r: {"h": floats(r, 5), "a": floats(r, 5), "q": 0.3},
    runtime.quantile_scatter: lambda r: {"g": floats(r), "a": floats(r, 5), "q": 0.7},
    runtime.diff_grad: lambda r: {"g": floats(r, 3), "n": 1, "axis": -1},
    runtime.insert_sources: lambda r: {
        "arr": floats(r, 2, 3),
        "obj": [0, 2],
        "values": floats(r, 2, 1),
        "axis": 1,
    },
    runtime.gradient_grad: lambda r: {
        "g": floats(r, 4, 5),
        "f": floats(r, 4, 5),
        "spacing": (0.5,),
        "axis": 1,
        "edge_order": 2,
    },
    runtime.gradient_apply: lambda r: {
        "f": floats(r, 6),
        "spacing": (0.5,),
        "axis": 0,
        "edge_order": 1,
    },
    runtime.reshape_grad: lambda r: {
        "g": floats(r, 6),
        "a": floats(r, 2, 3),
        "order": "F",
    },
    runtime.reshape_tangent: lambda r: {
        "da": floats(r, 2, 3),
        "a": floats(r, 2, 3),
        "shape": (3, 2),
        "order": "F",
    },
    runtime.solve_rhs: lambda r: {"g": floats(r, 3), "a": spd(r, 3), "b": floats(r, 3)},
    runtime.solve_lhs: lambda r: {
        "g": floats(r, 3),
        "y": floats(r, 3),
        "a": spd(r, 3),
        "b": floats(r, 3),
    },
    runtime.einsum_grad: lambda r: {
        "g": floats(r, 2, 4),
        "subscripts": "ij,jk->ik",
        "k": 0,
        "operands": (floats(r, 2, 3), floats(r, 3, 4)),
    },
    runtime.prod_others: lambda r: {"a": floats(r, 2, 3), "axis": 1},
    runtime.norm_grad: lambda r: {
        "g": floats(r),
        "y": 2.0,
        "x": floats(r, 3),
        "ord": 2,
    },
    runtime.zero_cases: lambda r: {
        "g": floats(r, 3),
        "a": floats(r, 3),
        "derived": True,
    },
    runtime.first_zeros: lambda r: {"a": floats(r, 2, 3), "axis": 1},
    runtime.weights_shape: lambda r: {
        "weights": floats(r, 3),
        "a": floats(r, 2, 3),
        "axis": 1,
    },
    runtime.end_shape: lambda r: {"a": floats(r, 2, 3), "end": floats(r), "axis": 0},
}
for _f in (np.argmax, np.argmin, np.nanargmax, np.nanargmin):
    EXAMPLES[_f] = lambda r: {"a": floats(r, 3, 4), "axis": 1}
for _f in (np.all, np.any):
    EXAMPLES[_f] = lambda r: {"a": floats(r, 3, 4), "axis": 0}
for _f in (np.isnan, np.isfinite, np.isinf, np.sign, np.signbit):
    EXAMPLES[_f] = lambda r: {"x": floats(r, 5)}
for _f in (np.floor, np.ceil, np.rint, np.trunc, np.logical_not):
    EXAMPLES[_f] = lambda r: {"x": floats(r, 5)}
for _f in (np.greater, np.less, np.equal, np.not_equal, np.greater_equal):
    EXAMPLES[_f] = lambda r: {"x1": floats(r, 5), "x2": floats(r, 5)}
for _f in (np.less_equal, np.logical_and, np.logical_or, np.logical_xor):
    EXAMPLES[_f] = lambda r: {"x1": floats(r, 5), "x2": floats(r, 5)}
EXAMPLES[np.floor_divide] = lambda r: {
    "x1": floats(r, 5),
    "x2": 0.3 + floats(r, 5) ** 2,
}
# results that are uninitialized memory: only their shape and dtype are compared
UNINITIALIZED = {np.empty, np.empty_like}


def call(func, kwargs: dict):
    """``func`` called with ``kwargs`` by the kinds of its declared parameters."""
    sig = constants.declaration(func).signature
    args, keywords = [], {}
    for name, param in sig.parameters.items():
        if name not in kwargs:
            continue
        if param.kind is param.VAR_POSITIONAL:
            args.extend(kwargs[name])
        elif param.kind is param.POSITIONAL_ONLY:
            args.append(kwargs[name])
        else:
            keywords[name] = kwargs[name]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return func(*args, **keywords)


def leaves(value) -> list:
    """The parts of a result to compare: arrays, numbers, strings, shapes."""
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in leaves(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in leaves(value[k])]
    if isinstance(value, range):
        return [tuple(value)]
    return [value]


def change(a, b) -> float | None:
    """None when equal; else the largest change between numeric parts (inf where
    the structure, dtype or a non-numeric part differs)."""
    la, lb = leaves(a), leaves(b)
    if len(la) != len(lb):
        return math.inf
    largest = None
    for u, v in zip(la, lb):
        if isinstance(u, np.ndarray) or isinstance(v, np.ndarray):
            u, v = np.asarray(u), np.asarray(v)
            if u.shape != v.shape or u.dtype != v.dtype:
                return math.inf
            if np.array_equal(u, v, equal_nan=u.dtype.kind in "fc"):
                continue
            step = np.max(np.abs(u.astype(float) - v.astype(float)))
        elif u == v or (u != u and v != v):
            continue
        elif isinstance(u, (int, float)) and isinstance(v, (int, float)):
            step = abs(float(u) - float(v))
        else:
            return math.inf
        largest = step if largest is None else max(largest, step)
    return largest


def perturbed(value, r, h):
    """``value`` with each float moved by about ``h`` times its size, in a random
    direction; None if it holds no float."""
    if isinstance(value, float):
        return value + h * max(1.0, abs(value)) * r.choice([-1.0, 1.0])
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        scale = max(1.0, float(np.max(np.abs(value), initial=0.0)))
        return value + h * scale * r.uniform(-1.0, 1.0, value.shape)
    if isinstance(value, (list, tuple)):
        parts = [perturbed(v, r, h) for v in value]
        if all(p is None for p in parts):
            return None
        items = [v if p is None else p for v, p in zip(value, parts)]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        parts = {k: perturbed(v, r, h) for k, v in value.items()}
        if all(p is None for p in parts.values()):
            return None
        return {k: value[k] if parts[k] is None else parts[k] for k in value}
    return None


def compared(func, a, b):
    if func in UNINITIALIZED:
        a, b = (np.empty(np.shape(v), np.asarray(v).dtype) * 0 for v in (a, b))
    return change(a, b)


def steps_only(func, example, param, r, exact: bool) -> None:
    """Perturbing ``param`` changes the result by nothing (``exact``), or by jumps."""
    base = call(func, example)
    for _ in range(TRIALS):
        moved = perturbed(example[param], r, H)
        assert moved is not None, f"the example of {param!r} holds no float to move"
        step = compared(func, base, call(func, {**example, param: moved}))
        if step is None:
            continue
        assert not exact, f"{param!r}: the result changed by {step:.3g}"
        assert step > 1e3 * H, f"{param!r}: the result changed by {step:.3g}: a slope"


def refuses_floats(func, example, param, r) -> None:
    """A float in place of ``param`` is an error, or is read as a flag."""
    trial = {**example, param: 0.6}
    try:
        call(func, trial)
    except (
        TypeError,
        ValueError,
        AttributeError,
        IndexError,
        KeyError,
        TangentlikeError,
    ):
        return
    steps_only(func, trial, param, r, exact=True)


def declared():
    return sorted(constants.DECLARED.items(), key=lambda kv: _name(kv[0]))


def _name(func) -> str:
    return f"{getattr(func, '__module__', '') or ''}.{func.__name__}"


@pytest.mark.parametrize(
    "func, declaration", declared(), ids=lambda v: _name(v) if callable(v) else ""
)
def test_declaration_holds_against_finite_differences(func, declaration):
    assert func in EXAMPLES, f"give {_name(func)} an example call in EXAMPLES"
    r = np.random.default_rng(21)
    example = EXAMPLES[func](r)
    for param, reason in sorted(declaration.reasons.items()):
        if reason == "integer":
            refuses_floats(func, example, param, r)
        elif reason in ("structure", "piecewise"):
            steps_only(func, example, param, r, exact=reason == "structure")


def test_only_stop_gradient_is_a_constant_on_request():
    requested = {
        f for f, d in constants.DECLARED.items() if "requested" in d.reasons.values()
    }
    assert requested == {runtime.stop_gradient}


def test_a_function_without_a_template_declares_every_parameter():
    partial = [
        _name(f)
        for f, d in constants.DECLARED.items()
        if not d.whole
        and tpl.lookup(tpl.ADJOINTS, f) is None
        and tpl.lookup(tpl.TANGENTS, f) is None
    ]
    assert not partial, f"declared in part, with no template for the rest: {partial}"


def test_declarations_name_real_parameters():
    with pytest.raises(ValueError, match="no parameter"):
        constants.constant(np.argmax, piecewise="b")
    with pytest.raises(ValueError, match="unknown reason"):
        constants.constant(np.argmax, smooth="a")
