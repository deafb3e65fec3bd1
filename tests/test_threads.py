"""Eight threads differentiating at once in a fresh process: the templates are
loaded once, and no thread reads them before their import has finished."""

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import sys
    import threading

    import numpy as np

    import tangentlike as tl
    from losses import loss

    barrier = threading.Barrier(8)
    errors = []


    def run():
        barrier.wait()
        try:
            x = np.linspace(0.1, 1.0, 3)
            t = np.tanh(x)
            assert np.allclose(tl.grad(loss)(x), 2 * t * (1 - t * t) + 1)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")


    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\\n".join(errors))
    sys.exit(1 if errors else 0)
    """
)
LOSSES = """\
import numpy as np


def loss(x):
    return np.sum(np.tanh(x) ** 2) + np.sum(x)
"""


def test_eight_threads_on_first_use(tmp_path):
    (tmp_path / "losses.py").write_text(LOSSES)
    (tmp_path / "race.py").write_text(PROGRAM)
    runs = [
        subprocess.Popen(
            [sys.executable, "race.py"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    for run in runs:
        out, _ = run.communicate(timeout=120)
        assert run.returncode == 0, out
