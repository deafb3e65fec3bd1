"""GPU benchmark: tangentlike's gradient on CuPy arrays against a hand-written CuPy
gradient and JAX's jit of the same function, on one GPU.

    python benchmarks/gpu.py [--repeat 15] [--only mlp,rnn] [--quick] [--out FILE]

The workloads are those of workloads.py (the function and its hand-written gradient,
rebound to CuPy), sized for a GPU, in float32: the MLP, the tanh RNN, logistic
regression and the chain of 30 elementwise operations on 1e7 elements. The device
is synchronised before and after each timed batch; each contender's batch holds
as many calls as take about 50 ms at its own speed; ratios are medians of the
paired ratios to the hand-written gradient. Peak memory is the rise of CuPy's
memory pool over one call (JAX: XLA's temporaries and outputs of the compiled
gradient). Without CuPy or a GPU it says so and exits 0; without JAX on the GPU,
the JAX columns say why they are empty.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # JAX shares the GPU
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workloads as W  # noqa: E402
from run import fmt_time, rebind, table  # noqa: E402

import tangentlike as tl  # noqa: E402

F32 = np.float32
MAX_BATCH = 2000


@dataclass
class Case:
    name: str
    title: str
    func: object
    hand: object
    make_args: object  # () -> NumPy float32 arrays, put on the device by each contender
    wrt: object = 0


@dataclass
class Contender:
    call: object  # () -> output
    finish: object  # output -> None, once the output is computed
    peak: object = None  # () -> bytes, or None where unknown
    times: list = field(default_factory=list)


def _normal(r, *shape):
    return r.standard_normal(shape, dtype=F32)


def _mlp_args(batch, sizes):
    r, params = np.random.default_rng(0), []
    for n_in, n_out in zip(sizes, sizes[1:]):
        params += [_normal(r, n_in, n_out) / F32(n_in**0.5), np.zeros(n_out, F32)]
    labels = np.eye(sizes[-1], dtype=F32)[r.integers(0, sizes[-1], batch)]
    return (*params, _normal(r, batch, sizes[0]), labels)


def _rnn_args(batch, n_in, hidden):
    r = np.random.default_rng(0)
    Wx = _normal(r, n_in, hidden) / F32(n_in**0.5)
    Wh = _normal(r, hidden, hidden) / F32(hidden**0.5)
    xs = _normal(r, 50, batch, n_in)  # workloads.rnn takes 50 steps
    return Wx, Wh, np.zeros(hidden, F32), xs, np.zeros((batch, hidden), F32)


def _logreg_args(n, d):
    r = np.random.default_rng(0)
    X, w = _normal(r, n, d), F32(0.1) * _normal(r, d)
    return w, X, (r.random(n) < 0.5).astype(F32)


SIZES = {  # MLP (batch, layers), RNN (batch, inputs, hidden), logreg (n, d), chain
    "gpu": ((4096, (1024, 4096, 4096, 10)), (256, 256, 1024), (10**6, 100), 10**7),
    "tiny": ((8, (6, 5, 4, 3)), (2, 3, 4), (20, 3), 10),
}


def cases(scale: str = "gpu") -> list[Case]:
    """The four workloads at ``scale`` ("gpu", or "tiny" to check this script)."""
    (batch, sizes), rnn, (n, d), m = SIZES[scale]
    layers = "-".join(map(str, sizes))
    return [
        Case(
            "mlp",
            f"MLP {layers}, batch {batch}",
            W.mlp,
            W.mlp_hand,
            lambda: _mlp_args(batch, sizes),
            (0, 1, 2, 3, 4, 5),
        ),
        Case(
            "rnn",
            f"tanh RNN 50 steps, hidden {rnn[2]}, batch {rnn[0]}",
            W.rnn,
            W.rnn_hand,
            lambda: _rnn_args(*rnn),
            (0, 1, 2),
        ),
        Case(
            "logreg",
            f"logistic regression {n}x{d}",
            W.logreg,
            W.logreg_hand,
            lambda: _logreg_args(n, d),
        ),
        Case(
            "chain",
            f"30 elementwise ops, {m:.0e} elements",
            W.chain,
            W.chain_hand,
            lambda: (np.linspace(-1.0, 1.0, m, dtype=F32),),
        ),
    ]


# contenders ---------------------------------------------------------------------
def _grads(out):
    return out if isinstance(out, tuple) else (out,)


def cupy_contenders(cp, case: Case) -> dict[str, Contender]:
    """The hand-written gradient and tangentlike's, on the same CuPy arrays."""
    args = [cp.asarray(a) for a in case.make_args()]
    hand = rebind(case.hand, np=cp, math=cp)
    df = tl.grad(case.func, wrt=case.wrt)
    sync = cp.cuda.Device().synchronize

    def contender(call):
        return Contender(call, lambda out: sync(), lambda: _pool_peak(cp, call, sync))

    return {
        "hand": contender(lambda: hand(*args)[1]),
        "tangentlike": contender(lambda: df(*args)),
    }


def _pool_peak(cp, call, sync) -> int:
    """How far one call raises what CuPy's memory pool holds: its temporaries and
    outputs (the pool keeps freed blocks for reuse, so what it holds after the
    call is its high-water mark)."""
    pool = cp.get_default_memory_pool()
    sync()
    pool.free_all_blocks()
    before = pool.total_bytes()
    out = call()
    sync()
    peak = pool.total_bytes() - before
    del out
    return peak


def jax_contender(case: Case, any_device: bool = False) -> Contender:
    """JAX's jit of the same function's gradient, on JAX's default device (a GPU)."""
    import jax
    import jax.numpy as jnp

    if jax.default_backend() != "gpu" and not any_device:
        raise RuntimeError(f"JAX runs on {jax.default_backend()}, not on a GPU")
    f = rebind(case.func, np=jnp, math=jnp)
    grad = jax.jit(jax.grad(f, argnums=case.wrt))
    args = [jax.device_put(a) for a in case.make_args()]

    def peak():
        stats = grad.lower(*args).compile().memory_analysis()
        return stats.temp_size_in_bytes + stats.output_size_in_bytes

    return Contender(lambda: grad(*args), jax.block_until_ready, peak)


# timing -------------------------------------------------------------------------
def _batch(c: Contender, n: int, sync) -> float:
    """Seconds per call of ``n`` calls, the device synchronised before and after."""
    sync()
    start = time.perf_counter()
    for _ in range(n):
        out = c.call()
    c.finish(out)
    sync()
    return (time.perf_counter() - start) / n


def calibrate(c: Contender, sync, target: float) -> int:
    """Calls per batch so that a batch of this contender takes about ``target`` s."""
    c.finish(c.call())  # compiles (kernels, the jit, the transform)
    once = min(_batch(c, 1, sync) for _ in range(2))
    return max(1, min(MAX_BATCH, int(target / max(once, 1e-7))))


def interleaved(contenders: dict, repeat: int, sync, target: float) -> dict:
    """name -> (median seconds a call, median paired ratio to "hand")."""
    sizes = {name: calibrate(c, sync, target) for name, c in contenders.items()}
    names = list(contenders)
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            contenders[name].times.append(_batch(contenders[name], sizes[name], sync))
    hand = contenders["hand"].times
    return {
        name: (
            statistics.median(c.times),
            statistics.median(t / h for t, h in zip(c.times, hand)),
        )
        for name, c in contenders.items()
    }


# checking -----------------------------------------------------------------------
def relative_error(got, want, host) -> float:
    """The largest difference over all gradients, relative to the largest entry."""
    worst = 0.0
    for g, w in zip(_grads(got), _grads(want)):
        g, w = np.asarray(host(g), dtype=float), np.asarray(host(w), dtype=float)
        worst = max(worst, float(np.max(np.abs(g - w)) / max(np.max(np.abs(w)), 1e-30)))
    return worst


# one workload, all contenders -------------------------------------------------------
def measure(cp, case: Case, opts) -> tuple[list, list]:
    """One workload: (its row of the table, notes on what was left out)."""
    sync = cp.cuda.Device().synchronize

    def host(x):
        return cp.asnumpy(x) if isinstance(x, cp.ndarray) else np.asarray(x)

    contenders = cupy_contenders(cp, case)
    want = contenders["hand"].call()
    errors = {
        "tangentlike": relative_error(contenders["tangentlike"].call(), want, host)
    }
    notes = []
    if opts.use_jax:
        try:
            contenders["jax-jit"] = jax_contender(case, opts.any_device)
            errors["jax-jit"] = relative_error(contenders["jax-jit"].call(), want, host)
            if errors["jax-jit"] > TOLERANCE:
                notes.append(
                    f"JAX differs from hand-written by {errors['jax-jit']:.1e}"
                )
        except Exception as exc:  # an optional contender: reported, not fatal
            notes.append(f"JAX left out: {type(exc).__name__}: {exc}")
            contenders.pop("jax-jit", None)
    del want
    times = interleaved(contenders, opts.repeat, sync, opts.target)
    peaks = {name: _peak(c, notes, name) for name, c in contenders.items()}
    return _row(case, times, peaks, errors), notes


def _peak(c: Contender, notes: list, name: str):
    try:
        return c.peak()
    except Exception as exc:  # a measurement this library does not offer
        notes.append(f"peak memory of {name} unknown: {type(exc).__name__}: {exc}")
        return None


def fmt_bytes(n) -> str:
    return "-" if n is None else f"{n / 2**20:.1f} MiB"


def _row(case: Case, times, peaks, errors) -> list:
    def ratio(name):
        return f"{times[name][1]:.2f}" if name in times else "-"

    def mem_ratio():
        hand, tl_ = peaks.get("hand"), peaks.get("tangentlike")
        return f"{tl_ / hand:.2f}" if hand and tl_ is not None else "-"

    jax_time = fmt_time(times["jax-jit"][0]) if "jax-jit" in times else "-"
    return [
        case.title,
        fmt_time(times["hand"][0]),
        fmt_time(times["tangentlike"][0]),
        ratio("tangentlike"),
        jax_time,
        ratio("jax-jit"),
        fmt_bytes(peaks.get("hand")),
        fmt_bytes(peaks.get("tangentlike")),
        mem_ratio(),
        fmt_bytes(peaks.get("jax-jit")),
        f"{errors['tangentlike']:.1e}"
        + (" (differs)" if errors["tangentlike"] > TOLERANCE else ""),
    ]


HEADER = [
    "workload (float32)",
    "hand CuPy",
    "tangentlike",
    "tl/hand",
    "JAX jit",
    "jax/hand",
    "peak hand",
    "peak tl",
    "tl/hand mem",
    "peak JAX",
    "tl rel. err",
]
TOLERANCE = 1e-3  # float32 gradients summed in other orders


# the run ------------------------------------------------------------------------
@dataclass
class Options:
    chosen: list
    repeat: int = 15
    target: float = 0.05  # seconds a timed batch takes
    budget: float = 300.0  # seconds; workloads not started by then are left out
    use_jax: bool = True
    scale: str = "gpu"
    any_device: bool = False  # JAX on a CPU too (to check this script without a GPU)


def report(cp, opts: Options, emit=print) -> bool:
    """Measure each chosen workload and ``emit`` the table after each one (so a run
    stopped early still leaves its rows). True if all ran and agreed."""
    start, rows, lines, ok = time.perf_counter(), [], [], True
    for case in cases(opts.scale):
        if case.name not in opts.chosen:
            continue
        if time.perf_counter() - start > opts.budget:
            lines.append(f"- {case.name}: not run, the {opts.budget:.0f} s were spent")
            continue
        try:
            row, notes = measure(cp, case, opts)
        except Exception as exc:  # reported; the other workloads still run
            traceback.print_exc()
            row, notes = None, [f"FAILED: {type(exc).__name__}: {exc}"]
        ok = ok and row is not None and not row[-1].endswith("(differs)")
        rows += [row] if row else []
        lines += [f"- {case.name}: {n}" for n in notes]
        print(f"  {case.name} done", file=sys.stderr, flush=True)
        emit(_text(rows, lines))
    return ok


def _text(rows, lines) -> str:
    text = table(HEADER, rows) if rows else "(no workload ran)"
    return "\n".join([text, "", *lines]).rstrip() + "\n"


def describe(cp, use_jax) -> str:
    name = cp.cuda.runtime.getDeviceProperties(0)["name"]
    name = name.decode() if isinstance(name, bytes) else name
    versions = [f"NumPy {np.__version__}", f"CuPy {getattr(cp, '__version__', '?')}"]
    if use_jax:
        import jax

        versions.append(f"JAX {jax.__version__} ({jax.default_backend()})")
    py = ".".join(map(str, sys.version_info[:3]))
    return f"Device: {name}; Python {py}, {', '.join(versions)}, tangentlike {tl.__version__}."


def _cupy():
    """CuPy with a device, or None after saying why not."""
    try:
        import cupy
    except ImportError as exc:
        print(f"CuPy is not installed ({exc}): no GPU benchmark.")
        return None
    try:
        if cupy.cuda.runtime.getDeviceCount() > 0:
            return cupy
    except Exception as exc:  # no driver or no device
        print(f"No CUDA device ({type(exc).__name__}: {exc}): no GPU benchmark.")
        return None
    print("No CUDA device: no GPU benchmark.")
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [c.name for c in cases("tiny")]
    parser.add_argument("--only", help=f"comma-separated, out of {','.join(names)}")
    parser.add_argument("--repeat", type=int, default=None, help="default 15")
    parser.add_argument("--quick", action="store_true", help="3 repetitions")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args(argv)
    cp = _cupy()
    if cp is None:
        return 0
    opts = Options(args.only.split(",") if args.only else names, budget=args.budget)
    opts.repeat = args.repeat or (3 if args.quick else 15)
    opts.target = 0.02 if args.quick else 0.05
    opts.use_jax = importlib.util.find_spec("jax") is not None
    if not opts.use_jax:
        print("JAX is not installed: its columns are left empty.")
    head = describe(cp, opts.use_jax) + (
        f"\nMedian time a call, {opts.repeat} repetitions; ratios are medians of "
        "paired ratios to hand-written CuPy; peak: rise of device memory over one call."
    )
    print(head, flush=True)

    texts = ["(no workload ran)\n"]

    def emit(text):
        texts.append(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(f"{head}\n\n{text}")

    ok = report(cp, opts, emit)
    print(texts[-1], flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
