"""``TANGENTLIKE_DEBUG``: a derivative that comes back identically zero is checked
against the function itself.

A gradient (or a tangent) of exactly zero everywhere is what a value wrongly taken
for a constant gives.  Where one comes back, the function is run again at its
arguments moved a little along one random direction, both ways (a central
difference); if the function moves, with a slope that stays the same at a tenth
of the step (a step function would jump, not slope), the zero is wrong and
``SilentZeroError`` says so.  Only identically zero derivatives are probed, so
the check costs nothing where derivatives are not zero.
"""

from __future__ import annotations

import numpy

from ..errors import SilentZeroError

SEED = 21  # the random directions: the same run after run
SHRINK = 10.0  # the second step, a tenth of the first
AGREE = 0.1  # two slopes agree within this fraction of the larger


def check_gradients(func, values, positions, grads, seed=None) -> None:
    """Raise ``SilentZeroError`` for a gradient of ``func`` (one per position, of
    ``sum(seed * func(...))`` with a seed) that is identically zero where
    ``func`` has a slope along a random direction of that argument."""
    rng = numpy.random.default_rng(SEED)
    for i, g in zip(positions, grads):
        if not is_zero(g):
            continue
        direction = random_like(values[i], rng)
        if direction is None:
            continue
        slope = slope_along(func, values, {i: direction}, seed)
        if slope is not None:
            raise _error(func, values, [i], slope, "gradient")


def check_tangent(func, values, positions, tangents, out) -> None:
    """Raise ``SilentZeroError`` for a tangent ``out`` of ``func`` that is
    identically zero where ``func`` has a slope along the ``tangents``."""
    if not is_zero(out) or all(is_zero(t) for t in tangents):
        return
    slope = slope_along(func, values, dict(zip(positions, tangents)), None)
    if slope is not None:
        raise _error(func, values, positions, slope, "tangent")


def is_zero(value) -> bool:
    """Every number in ``value`` (a float, an array, a list, tuple or dict of
    them) is zero; False for anything else."""
    if isinstance(value, dict):
        return all(is_zero(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_zero(v) for v in value)
    try:
        array = numpy.asarray(value)
    except Exception:
        return False
    return array.dtype.kind in "fc" and not numpy.any(array)


def random_like(value, rng):
    """A random direction shaped like ``value``; None where it holds no float."""
    if isinstance(value, dict):
        return _some({k: random_like(v, rng) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        parts = [random_like(v, rng) for v in value]
        return _some(parts if isinstance(value, list) else tuple(parts))
    if isinstance(value, float):
        return float(rng.standard_normal())
    if isinstance(value, (numpy.ndarray, numpy.floating)) and value.dtype.kind == "f":
        return rng.standard_normal(numpy.shape(value)).astype(value.dtype)
    return None


def _some(parts):
    items = parts.values() if isinstance(parts, dict) else parts
    return None if all(p is None for p in items) else parts


def slope_along(func, values, directions: dict, seed):
    """The central difference of ``func`` at ``values`` along ``directions``
    (position -> direction), where it is not zero and stays the same when the
    step shrinks; None otherwise."""
    base = _scalar(func(*_copies(values)), seed)
    step = _step(values, directions)
    first = _difference(func, values, directions, step, seed)
    size = numpy.max(numpy.abs(first), initial=0.0)
    tol = 1e3 * _eps(values, directions) ** (2 / 3) * max(1.0, _largest(base))
    if not numpy.isfinite(size) or size <= tol:
        return None
    second = _difference(func, values, directions, step / SHRINK, seed)
    if numpy.max(numpy.abs(second - first), initial=0.0) > AGREE * size:
        return None  # a step crossed, or too curved to tell
    return first


def _difference(func, values, directions, h, seed):
    up = _scalar(func(*_moved(values, directions, h)), seed)
    down = _scalar(func(*_moved(values, directions, -h)), seed)
    return (up - down) / (2 * h)


def _scalar(out, seed):
    """The function's output as float64 numbers (``sum(seed * out)`` with a seed)."""
    if seed is not None:
        return numpy.sum(numpy.asarray(seed) * numpy.asarray(out)).astype(float)
    return numpy.asarray(out, dtype=float)


def _largest(value) -> float:
    return float(numpy.max(numpy.abs(value), initial=0.0))


def _eps(values, directions) -> float:
    """The machine epsilon of the coarsest argument moved."""
    return max(
        numpy.finfo(numpy.result_type(leaf)).eps
        for i in directions
        for leaf in _leaves(values[i])
    )


def _step(values, directions) -> float:
    """A step for central differences: the cube root of epsilon, to scale."""
    scale = max(_largest(leaf) for i in directions for leaf in _leaves(values[i]))
    return _eps(values, directions) ** (1 / 3) * max(1.0, scale)


def _leaves(value) -> list:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    ok = isinstance(value, (float, numpy.ndarray, numpy.floating))
    return [value] if ok and numpy.asarray(value).dtype.kind == "f" else []


def _moved(values, directions, h) -> list:
    out = _copies(values)
    for i, v in directions.items():
        out[i] = _plus(values[i], v, h)
    return out


def _plus(value, direction, h):
    """``value + h * direction``, item by item in containers."""
    if direction is None:
        return value
    if isinstance(value, dict):
        return {k: _plus(v, direction[k], h) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        moved = [_plus(v, d, h) for v, d in zip(value, direction)]
        return moved if isinstance(value, list) else tuple(moved)
    moved = value + h * direction
    return type(value)(moved) if isinstance(value, float) else moved


def _copies(values) -> list:
    """The arguments, arrays copied: a function updating its own stays probed
    at the same point."""
    return [numpy.copy(v) if isinstance(v, numpy.ndarray) else v for v in values]


def _error(func, values, positions, slope, what: str) -> SilentZeroError:
    names = _names(func, len(values))
    wrt = ", ".join(f"`{names[i]}`" for i in positions)
    name = getattr(func, "__qualname__", repr(func))
    return SilentZeroError(
        f"the {what} of {name} with respect to {wrt} is identically zero, but the "
        f"function moves along a random direction (slope {_largest(slope):.3g}): "
        "a value that depends on it was taken for a constant. This is a bug of "
        "tangentlike's; please report it with the function (TANGENTLIKE_DEBUG "
        "found it)"
    )


def _names(func, n: int) -> list[str]:
    code = getattr(func, "__code__", None)
    names = list(code.co_varnames[: code.co_argcount]) if code else []
    return names + [f"argument {k}" for k in range(len(names), n)]
