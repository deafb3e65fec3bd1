"""The compiled path: tangentlike.grad(f, jit=True) beside hand-written NumPy.

    python benchmarks/jit.py                      # 11 repetitions
    python benchmarks/jit.py --repeat 21 --only loop100,rk4

Four workloads written as a user writes them, each with a hand-written NumPy
gradient checked against central differences before timing: a scalar loop with
``np.sin`` on Python floats (100 and 1,000 steps), the gradient taken with
respect to a parameter that is not the loop's carry; RK4 integration of a
3-state ODE whose right-hand side is a function of the user's; a heat-equation
stencil written with slices. Contenders: the hand-written gradient, tangentlike's
NumPy gradient, and the same with ``jit=True``, interleaved (each repetition
runs a batch of each, in rotating order, each batch sized by that contender's
speed); ratios are medians of per-repetition ratios to the hand-written one.
Where JAX is installed, ``jax.jit(jax.grad(f))`` of the same functions written
in ``jax.numpy`` (float64, loops as ``lax.fori_loop``) runs beside them, after
its own compile.

Times are the CPU time of the thread that calls (``--clock wall`` for wall
time: on a machine running other work, wall times move by a factor of two from
run to run); JAX's, which computes on threads of its own, are wall times.
Compile time is that of the first call of the jit gradient with an empty cache
folder (the variant made, rewritten for Numba, and compiled; Numba itself is
imported and started before, its time shown on its own); "from disk" is the first call in a
fresh process once Numba's machine code is cached.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import tangentlike as tl

STEPS_RK4, STEPS_HEAT = 200, 100


# the workloads, as a user writes them --------------------------------------------------
def loop100(a, x0):
    x = x0
    for _ in range(100):
        x = x + 0.01 * a * np.sin(x) - 0.001 * x
    return x


def loop1000(a, x0):
    x = x0
    for _ in range(1000):
        x = x + 0.01 * a * np.sin(x) - 0.001 * x
    return x


def lorenz(y, k):
    a, b, c = y[0], y[1], y[2]
    return np.array([k * (b - a), a * (28.0 - c) - b, a * b - 2.5 * c])


def rk4(y0, k):
    y = y0
    h = 0.01
    for _ in range(200):
        k1 = lorenz(y, k)
        k2 = lorenz(y + 0.5 * h * k1, k)
        k3 = lorenz(y + 0.5 * h * k2, k)
        k4 = lorenz(y + h * k3, k)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return np.sum(y * y)


def heat(u0, kappa):
    u = u0
    for _ in range(100):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        inner = u[1:-1] + kappa * lap
        u = np.concatenate([u[:1], inner, u[-1:]])
    return np.sum(u * u)


# hand-written gradients: (value, gradient) -----------------------------------------------
def _hand_loop(steps):
    def grad(a, x0):
        x, xs = x0, []
        for _ in range(steps):
            xs.append(x)
            x = x + 0.01 * a * np.sin(x) - 0.001 * x
        bx, ba = 1.0, 0.0
        for xk in reversed(xs):
            ba += bx * 0.01 * np.sin(xk)
            bx = bx * (1.0 + 0.01 * a * np.cos(xk) - 0.001)
        return x, ba

    return grad


def _lorenz_tangent(y, dy, k):
    """The right-hand side at ``y``, and its derivative along ``dy`` and ``k``."""
    a, b, c = y
    da, db, dc = dy
    f = np.array([k * (b - a), a * (28.0 - c) - b, a * b - 2.5 * c])
    df = np.array(
        [
            k * (db - da) + (b - a),
            da * (28.0 - c) - a * dc - db,
            da * b + a * db - 2.5 * dc,
        ]
    )
    return f, df


def hand_rk4(y0, k):
    """Forward mode: one parameter, so the tangent rides along the steps."""
    y, dy, h = y0, np.zeros(3), 0.01
    for _ in range(STEPS_RK4):
        k1, d1 = _lorenz_tangent(y, dy, k)
        k2, d2 = _lorenz_tangent(y + 0.5 * h * k1, dy + 0.5 * h * d1, k)
        k3, d3 = _lorenz_tangent(y + 0.5 * h * k2, dy + 0.5 * h * d2, k)
        k4, d4 = _lorenz_tangent(y + h * k3, dy + h * d3, k)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        dy = dy + h / 6.0 * (d1 + 2.0 * d2 + 2.0 * d3 + d4)
    return np.sum(y * y), 2.0 * np.dot(y, dy)


def hand_heat(u0, kappa):
    """Forward mode along ``kappa``; the ends are fixed, their tangent zero."""
    u, du = u0.copy(), np.zeros_like(u0)
    for _ in range(STEPS_HEAT):
        lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
        dlap = du[:-2] - 2.0 * du[1:-1] + du[2:]
        du[1:-1] = du[1:-1] + kappa * dlap + lap
        u[1:-1] = u[1:-1] + kappa * lap
    return np.sum(u * u), 2.0 * np.dot(u, du)


WORKLOADS = {
    "loop100": ("scalar loop, 100 steps", loop100, _hand_loop(100), (0.5, 0.3), 0, 10),
    "loop1000": (
        "scalar loop, 1,000 steps",
        loop1000,
        _hand_loop(1000),
        (0.5, 0.3),
        0,
        10,
    ),
    "rk4": (
        "RK4, 3-state ODE, 200 steps",
        rk4,
        hand_rk4,
        (np.array([1.0, 1.0, 1.0]), 0.5),
        1,
        3,
    ),
    "heat": (
        "heat stencil, 100 steps on 256 points",
        heat,
        hand_heat,
        (np.sin(np.linspace(0.0, np.pi, 256)), 0.2),
        1,
        3,
    ),
}


# JAX, where it is installed: the same functions in jax.numpy, loops as fori_loop -------
def jax_gradients() -> dict | None:
    """``name -> jit(grad(f))`` written for JAX (float64), or None without JAX."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    jnp, lax = jax.numpy, jax.lax

    def loop(steps):
        def f(a, x0):
            def step(_, x):
                return x + 0.01 * a * jnp.sin(x) - 0.001 * x

            return lax.fori_loop(0, steps, step, x0)

        return f

    def lorenz_j(y, k):
        a, b, c = y[0], y[1], y[2]
        return jnp.stack([k * (b - a), a * (28.0 - c) - b, a * b - 2.5 * c])

    def rk4_j(y0, k):
        h = 0.01

        def step(_, y):
            k1 = lorenz_j(y, k)
            k2 = lorenz_j(y + 0.5 * h * k1, k)
            k3 = lorenz_j(y + 0.5 * h * k2, k)
            k4 = lorenz_j(y + h * k3, k)
            return y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)

        y = lax.fori_loop(0, STEPS_RK4, step, y0)
        return jnp.sum(y * y)

    def heat_j(u0, kappa):
        def step(_, u):
            lap = u[:-2] - 2.0 * u[1:-1] + u[2:]
            inner = u[1:-1] + kappa * lap
            return jnp.concatenate([u[:1], inner, u[-1:]])

        u = lax.fori_loop(0, STEPS_HEAT, step, u0)
        return jnp.sum(u * u)

    made = {"loop100": loop(100), "loop1000": loop(1000), "rk4": rk4_j, "heat": heat_j}
    out = {}
    for name, f in made.items():
        wrt = WORKLOADS[name][4]
        compiled = jax.jit(jax.grad(f, argnums=wrt))
        out[name] = lambda *args, g=compiled: g(*args).block_until_ready()
    return out


# checking and timing ---------------------------------------------------------------------
def central(f, args, wrt, h=1e-6):
    up, down = list(args), list(args)
    up[wrt], down[wrt] = args[wrt] + h, args[wrt] - h
    return (f(*up) - f(*down)) / (2 * h)


def check(name, f, hand, args, wrt, jitted) -> None:
    want = central(f, args, wrt)
    for who, got in (("hand", hand(*args)[1]), ("jit", jitted(*args))):
        if not np.isclose(got, want, rtol=1e-5, atol=1e-9):
            raise SystemExit(f"{name}: the {who} gradient {got} is not {want}")


def batch_size(fn, args, seconds=0.02) -> int:
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn(*args)
        if time.perf_counter() - start > seconds or n >= 1 << 20:
            return n
        n *= 2


# the calling thread's CPU time: XLA's threads, which spin after JAX's calls,
# would count in the process's CPU time of every contender
CLOCK = {"cpu": time.thread_time, "wall": time.perf_counter}
clock = CLOCK["cpu"]  # --clock


def timed(fn, args, n, clock=None) -> float:
    clock = clock or globals()["clock"]
    start = clock()
    for _ in range(n):
        fn(*args)
    return (clock() - start) / n


def from_disk(name: str, cache: str) -> float:
    """The first call's time in a fresh process, the machine code in ``cache``
    (Numba imported before, as in the process that compiled it)."""
    child = (
        "import sys, time, json; sys.path.insert(0, sys.argv[1]); import jit as b; "
        "import tangentlike as tl; import tangentlike.runtime.compiled; "
        "w = b.WORKLOADS[sys.argv[2]]; df = tl.grad(w[1], wrt=w[4], jit=True); "
        f"c = time.{clock.__name__}; t = c(); df(*w[3]); print(json.dumps(c() - t))"
    )
    env = {**os.environ, "TANGENTLIKE_CACHE": cache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: from bytecode
    command = [sys.executable, "-c", child, str(Path(__file__).resolve().parent), name]
    subprocess.run(command, env=env, capture_output=True)  # writes the bytecode
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else float("nan")


def run(name, repeat, cache, jax_grads=None) -> dict:
    label, f, hand, args, wrt, _ = WORKLOADS[name]
    plain = tl.grad(f, wrt=wrt)
    jitted = tl.grad(f, wrt=wrt, jit=True)
    plain(*args)
    start = clock()
    jitted(*args)
    compile_s = clock() - start
    check(name, f, hand, args, wrt, jitted)
    contenders = {"hand": hand, "tl": plain, "jit": jitted}
    if jax_grads is not None:
        contenders["jax"] = jax_grads[name]
        check(name, f, hand, args, wrt, lambda *a: float(contenders["jax"](*a)))
    sizes = {k: batch_size(fn, args) for k, fn in contenders.items()}
    times = {k: [] for k in contenders}
    order = list(contenders)
    for r in range(repeat):
        turn = r % len(order)
        for k in order[turn:] + order[:turn]:
            # JAX computes on XLA's threads: its calls are timed by the wall clock
            own = time.perf_counter if k == "jax" else None
            times[k].append(timed(contenders[k], args, sizes[k], own))
    ratio = [h / j for h, j in zip(times["hand"], times["jit"])]
    tl_ratio = [t / h for t, h in zip(times["tl"], times["hand"])]
    jax_ratio = [h / j for h, j in zip(times["hand"], times.get("jax", []))]
    return {
        "jax": statistics.median(times["jax"]) if jax_ratio else None,
        "hand/jax": statistics.median(jax_ratio) if jax_ratio else None,
        "label": label,
        "hand": statistics.median(times["hand"]),
        "tl": statistics.median(times["tl"]),
        "jit": statistics.median(times["jit"]),
        "tl/hand": statistics.median(tl_ratio),
        "speed-up": statistics.median(ratio),
        "compile": compile_s,
        "from disk": from_disk(name, cache),
        "compiled": tl.explain_jit(jitted).endswith("compiled by Numba"),
    }


def _time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e3:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--clock", choices=sorted(CLOCK), default="cpu")
    opts = parser.parse_args()
    global clock
    clock = CLOCK[opts.clock]
    start = clock()
    import tangentlike.runtime.compiled  # noqa: F401  (Numba, and the helpers for it)

    sys.modules["numba"].njit(lambda x: x + 1.0)(1.0)  # Numba's own first use
    imported = clock() - start
    jax_grads = jax_gradients()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TANGENTLIKE_CACHE"] = cache  # compile time from an empty cache
        names = opts.only.split(",")
        rows = [run(name, opts.repeat, cache, jax_grads) for name in names]
    print(
        f"{opts.repeat} repetitions, Python {sys.version.split()[0]}, NumPy "
        f"{np.__version__}, Numba {sys.modules['numba'].__version__} (imported and "
        f"started in {imported:.2f} s)\n"
    )
    jax_columns = " jax jit | hand/jax |" if jax_grads is not None else ""
    print(
        "| workload | hand | tangentlike | tl/hand | jit | hand/jit | target "
        f"| compile | from disk |{jax_columns}"
    )
    print("|---|---|---|---|---|---|---|---|---|" + "---|" * 2 * bool(jax_columns))
    for name, row in zip(names, rows):
        target = WORKLOADS[name][5]
        jit = _time(row["jit"]) if row["compiled"] else "(NumPy code)"
        jax = ""
        if row["jax"] is not None:
            jax = f" {_time(row['jax'])} | {row['hand/jax']:.1f}x |"
        print(
            f"| {row['label']} | {_time(row['hand'])} | {_time(row['tl'])} "
            f"| {row['tl/hand']:.2f} | {jit} | {row['speed-up']:.1f}x | {target}x "
            f"| {row['compile']:.2f} s | {row['from disk']:.2f} s |{jax}"
        )


if __name__ == "__main__":
    main()
