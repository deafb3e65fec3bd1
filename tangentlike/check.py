"""check_grads: compare tangentlike's derivatives with central finite differences."""

from __future__ import annotations

from collections.abc import Sequence

import numpy


def numerical_grad(f, args, i, eps=1e-6):
    """Central finite differences of scalar-valued ``f`` in argument ``i`` (float64)."""
    args = [numpy.array(a, dtype=float) if _floaty(a) else a for a in args]
    x = args[i]
    g = numpy.zeros(numpy.shape(x))
    flat = x.reshape(-1) if x.ndim else None
    for k in range(max(x.size, 1)):
        vals = []
        for sign in (1.0, -1.0):
            trial = list(args)
            if flat is None:
                trial[i] = float(x) + sign * eps
            else:
                xk = x.copy().reshape(-1)
                xk[k] += sign * eps
                trial[i] = xk.reshape(x.shape)
            vals.append(numpy.sum(f(*trial)))
        g.reshape(-1)[k] = (vals[0] - vals[1]) / (2 * eps)
    return g


def _floaty(a) -> bool:
    return isinstance(a, (float, numpy.floating)) or (
        isinstance(a, numpy.ndarray) and a.dtype.kind == "f"
    )


def check_grads(f, args: Sequence, wrt=0, modes=("reverse",), order: int = 1,
                rtol: float = 1e-5, atol: float = 1e-6) -> None:  # fmt: skip
    """Raise AssertionError with the largest error unless derivatives match."""
    from .api import grad

    positions = wrt if isinstance(wrt, (tuple, list)) else (wrt,)
    for mode in modes:
        if mode != "reverse":
            raise NotImplementedError(f"mode {mode!r} is not available yet")
        for i in positions:
            got = numpy.asarray(grad(f, wrt=i)(*args))
            want = numerical_grad(f, list(args), i)
            _compare(got, want, rtol, atol, f"reverse-mode gradient of argument {i}")


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
