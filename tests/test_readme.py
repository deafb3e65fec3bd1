"""The README's code runs as written, and the gradient it shows is what dump prints."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
from pathlib import Path

import numpy as np

from tangentlike.api import cli
from tangentlike.api.check import numerical_grad

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_the_first_snippet_runs_as_written(tmp_path):
    script = tmp_path / "snippet.py"
    script.write_text(BLOCKS[0])
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        namespace = runpy.run_path(str(script))
    w, X, y = namespace["w"], namespace["X"], namespace["y"]
    want = numerical_grad(namespace["loss"], [w, X, y], 0)
    np.testing.assert_allclose(namespace["g"], want, rtol=1e-6, atol=1e-9)
    assert "def dloss_dw(w, X, y, b_result=1.0):" in printed.getvalue()


def test_the_gradient_shown_is_what_dump_prints(capsys):
    assert (
        cli.main(["dump", str(ROOT / "examples/logistic.py") + ":loss", "--wrt", "w"])
        == 0
    )
    assert capsys.readouterr().out == BLOCKS[1]
