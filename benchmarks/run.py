"""Benchmark tangentlike against a hand-written NumPy gradient (and autograd, JAX,
PyTorch when installed), in one process with the contenders interleaved.

    python benchmarks/run.py                      # every workload, default repetitions
    python benchmarks/run.py --only rnn,mlp --repeat 50
    python benchmarks/run.py --quick              # a short smoke run

Each repetition times every contender once (a batch of calls, in an order that
rotates between repetitions); a ratio is taken within each repetition and the
table shows the median time and the median of those paired ratios.  Batches are
timed by the process's CPU time (``--clock wall`` for wall time), which other
work on a shared machine changes far less than it changes wall time.  Each
contender's batch holds as many calls as take about the same time at its own
speed, and BLAS and OpenMP run one thread (unless the environment says otherwise),
so that a ratio compares the code, not the threads it happened to get.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import inspect
import os
import statistics
import sys
import time
import tracemalloc

for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")
# "grad() cold" times the transform: code kept on disk by an earlier run is not read
os.environ.setdefault("TANGENTLIKE_DISK_CACHE", "0")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workloads import WORKLOADS  # noqa: E402

import tangentlike as tl  # noqa: E402
import tangentlike.api.cache  # noqa: E402

# unrolling 10,000 Python steps under jit takes minutes; RK4's 200 steps of four
# calls did not compile within 40 minutes on 2 busy cores
NO_JIT = {"loop10k", "rk4"}


# checking ---------------------------------------------------------------------------
def _as_tuple(g):
    return g if isinstance(g, tuple) else (g,)


def _positions(w):
    return _as_tuple(w.wrt)


def check_hand(w, args, probes=4, eps=1e-6):
    """Compare the hand-written gradient with central differences at a few entries
    (of each item, for a dict of arrays)."""
    rng = np.random.default_rng(1)
    _, grads = w.hand(*args)
    for pos, g in zip(_positions(w), _as_tuple(grads)):
        for key, part in _items(g):
            for _ in range(probes):
                base = np.array(_item(args[pos], key), dtype=float)
                idx = tuple(rng.integers(0, n) for n in base.shape)
                hi, lo = base.copy(), base.copy()
                hi[idx] += eps
                lo[idx] -= eps
                f_hi = w.func(*_with(args, pos, key, hi))
                f_lo = w.func(*_with(args, pos, key, lo))
                fd = (f_hi - f_lo) / (2 * eps)
                if not np.isclose(np.asarray(part)[idx], fd, rtol=1e-4, atol=1e-6):
                    raise AssertionError(
                        f"{w.name}: hand gradient {np.asarray(part)[idx]} != fd {fd}"
                    )


def _items(g) -> list:
    """``(key, array)`` of each item of a dict; ``[(None, g)]`` for anything else."""
    return list(g.items()) if isinstance(g, dict) else [(None, g)]


def _item(value, key):
    return value if key is None else value[key]


def _with(args, pos, key, moved) -> list:
    """``args`` with ``moved`` in place of argument ``pos`` (or of its item ``key``)."""
    a = list(args)
    moved = moved if moved.shape else float(moved)
    a[pos] = moved if key is None else {**args[pos], key: moved}
    return a


def check_same(name, w, got, want):
    pairs = [
        (a, b)
        for u, v in zip(_as_tuple(got), _as_tuple(want))
        for (_, a), (_, b) in zip(_items(u), _items(v), strict=True)
    ]
    for a, b in pairs:
        if not np.allclose(
            np.asarray(a, dtype=float), np.asarray(b), rtol=1e-5, atol=1e-8
        ):
            raise AssertionError(
                f"{w.name}: {name} gradient differs from the hand-written one"
            )


# contenders ---------------------------------------------------------------------------
def rebind(func, **names):
    """``func``'s source executed with ``names`` (``np``, ``math``) bound to another
    library, in a copy of its module's globals, and so are the functions of its
    module it calls (RK4's right-hand side)."""
    ns = {**func.__globals__, **names}
    for called in _module_functions(func):
        exec(inspect.getsource(called), ns)
    return ns[func.__name__]


def _module_functions(func, seen=None) -> list:
    """``func`` and the functions of its module it calls, directly or not."""
    seen = seen if seen is not None else {}
    seen[func.__name__] = func
    for name in func.__code__.co_names:
        called = func.__globals__.get(name)
        if (
            inspect.isfunction(called)
            and called.__module__ == func.__module__
            and name not in seen
        ):
            _module_functions(called, seen)
    return list(seen.values())


def autograd_contender(w, args):
    import autograd
    import autograd.numpy as anp

    f = rebind(w.func, np=anp, math=anp)
    return autograd.grad(f, w.wrt), args


def jax_contenders(w, args):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    f = rebind(w.func, np=jnp, math=jnp)
    g = jax.grad(f, w.wrt)
    jargs = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)

    def eager(*a):
        return jax.block_until_ready(g(*a))

    out = {"jax": (eager, jargs)}
    if w.name not in NO_JIT:
        jg = jax.jit(g)

        def jitted(*a):
            return jax.block_until_ready(jg(*a))

        jitted(*jargs)
        out["jax-jit"] = (jitted, jargs)
    return out


class _TorchNumpy:
    """The few NumPy names the workloads use, on torch tensors."""

    def __init__(self, torch):
        self.t = torch
        for name in ("sin", "cos", "tanh", "exp", "log"):
            setattr(self, name, getattr(torch, name))

    def sum(self, x, axis=None, keepdims=False):
        return x.sum() if axis is None else x.sum(dim=axis, keepdim=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        return x.mean() if axis is None else x.mean(dim=axis, keepdim=keepdims)

    def max(self, x, axis=None, keepdims=False):
        return x.max() if axis is None else x.amax(dim=axis, keepdim=keepdims)


def torch_contender(w, args):
    import torch

    f = rebind(w.func, np=_TorchNumpy(torch), math=torch)
    targs = [torch.tensor(a, dtype=torch.float64) for a in args]
    positions = _positions(w)

    def grad(*a):
        leaves = [x.detach().requires_grad_(i in positions) for i, x in enumerate(a)]
        out = f(*leaves)
        return torch.autograd.grad(out, [leaves[i] for i in positions])

    return grad, targs


def contenders(w, args):
    """name -> (callable, args); the optional libraries only when importable."""
    _, hand_grads = w.hand(*args)
    out = {
        "forward": (w.func, args),
        "hand": (w.hand, args),
        "tangentlike": (tl.grad(w.func, w.wrt), args),
    }
    check_same("tangentlike", w, out["tangentlike"][0](*args), hand_grads)
    optional = [
        ("autograd", autograd_contender),
        ("jax", jax_contenders),
        ("torch", torch_contender),
    ]
    for module, make in optional:
        if importlib.util.find_spec(module) is None:
            continue
        try:
            made = make(w, args)
            made = made if isinstance(made, dict) else {module: made}
            for name, (fn, fargs) in made.items():
                got = fn(*fargs)
                got = tuple(
                    g if isinstance(g, dict) else np.asarray(g) for g in _as_tuple(got)
                )
                check_same(name, w, got, hand_grads)
                out[name] = (fn, fargs)
        except (
            Exception
        ) as exc:  # an optional contender that fails is reported, not fatal
            print(
                f"  ({w.name}: {module} skipped: {type(exc).__name__}: {exc})",
                file=sys.stderr,
            )
    return out


# timing -------------------------------------------------------------------------------------
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]  # what a batch is timed by: set by --clock


def _batch(fn, args, number):
    t0 = clock()
    for _ in range(number):
        fn(*args)
    return (clock() - t0) / number


def calibrate(fn, args, target):
    """Calls per batch so that one batch takes about ``target`` seconds."""
    once = _batch(fn, args, 1)
    once = min(once, _batch(fn, args, 1))
    return max(1, int(target / max(once, 1e-7)))


def interleaved(entries, repeat, target):
    """Median seconds a call and median paired ratio to ``hand``, per contender;
    each contender's batch sized by its own speed to take about ``target``."""
    names = list(entries)
    numbers = {n: calibrate(*entries[n], target) for n in names}
    times = {n: [] for n in names}
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            fn, args = entries[name]
            times[name].append(_batch(fn, args, numbers[name]))
    base = times["hand"]
    return {
        n: (statistics.median(ts), statistics.median(t / b for t, b in zip(ts, base)))
        for n, ts in times.items()
    }


def transform_times(w, args, cached_calls=2000):
    """(cold grad() seconds, first call seconds, cached grad() seconds).  The
    garbage of the timing runs before (autograd's and JAX's objects) is collected
    first, so that its collection does not land in the transform's time."""
    tangentlike.api.cache.clear()
    gc.collect()
    t0 = time.perf_counter()
    df = tl.grad(w.func, w.wrt)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    df(*args)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(cached_calls):
        tl.grad(w.func, w.wrt)
    cached = (time.perf_counter() - t0) / cached_calls
    return cold, first, cached


def peak_memory(fn, args):
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


# reporting ------------------------------------------------------------------------------------
def fmt_time(t):
    if t < 1e-3:
        return f"{t * 1e6:.1f} us"
    if t < 1.0:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(n) for c, n in zip(cells, widths)) + " |"

    out = [line(header), "|" + "|".join("-" * (n + 2) for n in widths) + "|"]
    return "\n".join(out + [line(r) for r in rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [w.name for w in WORKLOADS]
    parser.add_argument(
        "--only", help=f"comma-separated workloads out of {','.join(names)}"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="repetitions (default 21)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions, short batches"
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="time batches by this process's CPU time (default: what the code "
        "costs, whatever else the machine runs) or by wall time",
    )
    parser.add_argument(
        "--batch-ms",
        type=float,
        default=None,
        help="target milliseconds for one batch of hand-written calls",
    )
    opts = parser.parse_args(argv)
    chosen = opts.only.split(",") if opts.only else names
    unknown = set(chosen) - set(names)
    if unknown:
        parser.error(
            f"unknown workload(s) {', '.join(sorted(unknown))}; choose from {names}"
        )
    global clock
    clock = CLOCKS[opts.clock]
    repeat = opts.repeat or (5 if opts.quick else 21)
    target = (opts.batch_ms or (2.0 if opts.quick else 10.0)) / 1e3

    speed, setup, memory, others = [], [], [], []
    for w in WORKLOADS:
        if w.name not in chosen:
            continue
        args = w.make_args()
        check_hand(w, args)
        entries = contenders(w, args)
        result = interleaved(entries, repeat, target)
        rest = [n for n in entries if n not in ("forward", "hand", "tangentlike")]
        others = others + [n for n in rest if n not in others]
        speed.append((w, result))
        cold, first, cached = transform_times(w, args)
        setup.append([w.title, fmt_time(cold), fmt_time(first), fmt_time(cached)])
        if w.memory:
            hand_peak = peak_memory(w.hand, args)
            tl_peak = peak_memory(tl.grad(w.func, w.wrt), args)
            memory.append(
                [
                    w.title,
                    f"{hand_peak / 1e6:.2f} MB",
                    f"{tl_peak / 1e6:.2f} MB",
                    f"{tl_peak / hand_peak:.2f}",
                ]
            )
        print(
            f"  done {w.name} ({repeat} repetitions)",
            file=sys.stderr,
        )

    ratios = [f"{n}/hand" for n in others]
    header = ["workload", "forward", "hand", "tangentlike", "tl/hand", *ratios]
    rows = []
    for w, result in speed:
        row = [w.title] + [
            fmt_time(result[n][0]) for n in ("forward", "hand", "tangentlike")
        ]
        row.append(f"{result['tangentlike'][1]:.2f}")
        row += [f"{result[n][1]:.2f}" if n in result else "-" for n in others]
        rows.append(row)
    print(
        "Median time per gradient call; ratios are medians of paired ratios to hand.\n"
    )
    print(table(header, rows))
    print(
        "\nTransform: grad() with an empty cache, the first call (compiles), a cached grad().\n"
    )
    print(table(["workload", "grad() cold", "first call", "grad() cached"], setup))
    if memory:
        print("\nPeak traced memory of one gradient call (tracemalloc).\n")
        print(table(["workload", "hand", "tangentlike", "tl/hand"], memory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
