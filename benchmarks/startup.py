"""What a fresh process pays before its first gradient, measured in fresh processes.

    python benchmarks/startup.py                  # 21 processes of each kind
    python benchmarks/startup.py --repeat 51

Each process imports NumPy, then tangentlike, then differentiates a ten-line
function (``tl.grad``) and calls the gradient once (the call compiles the
variant for its arguments' types). A *cold* process starts with an empty cache
folder, so it transforms the function (and keeps the generated code on disk); a
*warm* one finds the code a process before it kept. The table shows the median
of each step over the processes, in CPU time (what the step costs, whatever
else the machine runs) and wall time. Processes run from bytecode compiled once
before the first, as an installed package does; cold and warm processes
alternate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CHILD = textwrap.dedent(
    """
    import json
    import time

    clocks = (time.process_time, time.perf_counter)
    marks = [tuple(c() for c in clocks)]
    import numpy as np

    marks.append(tuple(c() for c in clocks))
    import tangentlike as tl

    marks.append(tuple(c() for c in clocks))


    def loss(w, X, y):
        z = X @ w
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        a = np.log(p + eps)
        b = np.log(1.0 - p + eps)
        ll = y * a + (1.0 - y) * b
        s = np.sum(w * w)
        return -np.mean(ll) + 0.01 * s


    X = np.linspace(-1.0, 1.0, 15).reshape(5, 3)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    w = np.zeros(3)
    dloss = tl.grad(loss)
    marks.append(tuple(c() for c in clocks))
    dloss(w, X, y)
    marks.append(tuple(c() for c in clocks))
    print(json.dumps(marks))
    """
)
STEPS = ("import numpy", "import tangentlike", "first grad()", "first call")
TARGETS = {"import tangentlike": 30.0, "first grad() + call": 50.0}  # warm


def run_once(script: Path, env: dict) -> list[tuple[float, float]]:
    """The (CPU, wall) milliseconds of each step in one fresh process."""
    out = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    marks = json.loads(out.stdout)
    return [
        (1e3 * (b[0] - a[0]), 1e3 * (b[1] - a[1])) for a, b in zip(marks, marks[1:])
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    opts = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("TANGENTLIKE_DISK_CACHE", None)
    runs: dict[str, list] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "first_gradient.py"
        script.write_text(CHILD)
        warm = {**env, "TANGENTLIKE_CACHE": str(Path(folder) / "warm")}
        run_once(script, warm)  # compiles the bytecode, keeps the generated code
        for k in range(opts.repeat):
            cold = {**env, "TANGENTLIKE_CACHE": str(Path(folder) / f"cold{k}")}
            runs["cold"].append(run_once(script, cold))
            runs["warm"].append(run_once(script, warm))
    print(
        f"{opts.repeat} fresh processes of each kind, Python {sys.version.split()[0]}\n"
    )
    print("| step | cold CPU ms | cold wall ms | warm CPU ms | warm wall ms | target |")
    print("|---|---|---|---|---|---|")
    columns = {kind: _rows(found) for kind, found in runs.items()}
    for step in columns["cold"]:
        cells = []
        for kind in ("cold", "warm"):
            values = columns[kind][step]
            cells.append(f"{statistics.median(v[0] for v in values):.1f}")
            cells.append(f"{statistics.median(v[1] for v in values):.1f}")
        target = TARGETS.get(step)
        shown = f"at most {target:.0f} ms" if target else ""
        print(f"| {step} | {' | '.join(cells)} | {shown} |")


def _rows(runs: list) -> dict[str, list[tuple[float, float]]]:
    """Each step's (CPU, wall) milliseconds over the processes, and the first
    gradient's and call's together."""
    rows = {step: [r[i] for r in runs] for i, step in enumerate(STEPS)}
    rows["first grad() + call"] = [
        (g[0] + c[0], g[1] + c[1])
        for g, c in zip(rows["first grad()"], rows["first call"])
    ]
    return rows


if __name__ == "__main__":
    main()
