"""check_grads: compare tangentlike's derivatives with central finite differences."""

from __future__ import annotations

from collections.abc import Sequence

import numpy

from ..errors import public
from ..made import plain
from .arguments import normalize_wrt
from .forward import jvp
from .reverse import grad, vjp


def numerical_grad(f, args, i, eps=1e-6):
    """Central finite differences of scalar-valued ``f`` in argument ``i``, in float64.
    Every evaluation gets fresh copies of the arguments, so a function that updates
    its array arguments in place does not disturb the next evaluation."""
    args = [_as_float64(a) for a in args]
    x = numpy.array(args[i], dtype=float)
    g = numpy.zeros(x.shape)
    for k in range(x.size):
        vals = []
        for sign in (1.0, -1.0):
            xk = x.copy()
            xk.flat[k] += sign * eps
            trial = [numpy.copy(a) if isinstance(a, numpy.ndarray) else a for a in args]
            trial[i] = float(xk) if x.ndim == 0 else xk
            vals.append(numpy.sum(f(*trial)))
        g.flat[k] = (vals[0] - vals[1]) / (2 * eps)
    return g


def _as_float64(a):
    if isinstance(a, (float, numpy.floating)):
        return float(a)
    return numpy.array(a, dtype=float) if _floaty(a) else a


def _floaty(a) -> bool:
    return isinstance(a, (float, numpy.floating)) or (
        isinstance(a, numpy.ndarray) and a.dtype.kind == "f"
    )


@public
def check_grads(
    f,
    args: Sequence,
    wrt=0,
    modes=("reverse", "forward"),
    order: int = 1,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Check tangentlike's derivatives of ``f`` against central finite differences.

    Args:
        f: the function (scalar-valued for reverse mode).
        args: the arguments to check at.
        wrt: a position or name, or a tuple of them.
        modes: ``"reverse"`` (grad) and/or ``"forward"`` (jvp).
        order: 2 also compares the derivative of the gradient (reverse over
            reverse, or forward over reverse) with finite differences of the
            gradient: the checked quantity is the gradient of ``sum(grad(f))``.
        rtol, atol: the tolerances of ``numpy.testing.assert_allclose``.

    Returns:
        None.

    Raises:
        AssertionError: with the largest error and where it is, when a
            derivative differs.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sum(np.tanh(x) ** 2)
        >>> tl.check_grads(f, (np.array([0.5, -1.0]),))
    """
    positions, _ = normalize_wrt(plain(f), wrt)  # names as well as positions
    for mode in modes:
        if mode not in ("reverse", "forward"):
            raise ValueError(f"unknown mode {mode!r}: use 'reverse' or 'forward'")
        for i in positions:
            _check_order(f, args, i, mode, order, rtol, atol)


def _check_order(f, args, i, mode, order, rtol, atol) -> None:
    got = _derivative(f, args, i, mode)
    want = numerical_grad(f, list(args), i)
    _compare(got, want, rtol, atol, f"{mode}-mode derivative of argument {i}")
    if order >= 2:
        first = grad(f, wrt=i)
        got2 = _derivative(first, args, i, mode)
        want2 = numerical_grad(first, list(args), i, eps=1e-5)
        what = f"{mode}-mode second derivative of argument {i}"
        _compare(got2, want2, rtol * 10, atol * 10, what)


def _derivative(f, args, i, mode):
    """The gradient of ``sum(f)`` in argument ``i`` by ``mode``, shaped like the argument."""
    if mode == "reverse":
        seed = numpy.ones_like(numpy.asarray(f(*args), dtype=float))
        return numpy.asarray(vjp(f, wrt=i)(*args, seed[()] if seed.ndim == 0 else seed))
    x = numpy.asarray(args[i], dtype=float)
    product = jvp(plain(f), wrt=i)
    out = numpy.zeros(x.shape)
    for k in range(max(x.size, 1)):
        e = numpy.zeros(x.size)
        e[k] = 1.0
        tangent = e.reshape(x.shape) if x.ndim else float(e[0])
        out.reshape(-1)[k] = numpy.sum(product(*args, tangent))
    return out


def _compare(got, want, rtol, atol, what) -> None:
    if got.shape != want.shape:
        raise AssertionError(f"{what}: shape {got.shape}, expected {want.shape}")
    err = numpy.abs(got - want)
    bad = err > atol + rtol * numpy.abs(want)
    if numpy.any(bad):
        k = numpy.unravel_index(numpy.argmax(err - rtol * numpy.abs(want)), err.shape)
        raise AssertionError(
            f"{what} differs from finite differences: largest error {err[k]:.3g} at index "
            f"{tuple(int(j) for j in k)} (got {got[k]!r}, expected {want[k]!r})"
        )
