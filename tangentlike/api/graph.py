"""``graph(f)``: the computation graph of a function, drawn (``codegen/graph.py``),
as DOT text, an image file, or a picture in a Jupyter notebook."""

from __future__ import annotations

import inspect
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gast

from .. import anno
from ..codegen.graph import draw
from ..errors import ArgumentError, TangentlikeError, public
from ..made import plain
from .arguments import normalize_wrt
from .cache import transform

IMAGES = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
NO_DOT = (
    "drawing {what} needs Graphviz's `dot` program, which is not installed: get it "
    "with `apt-get install graphviz`, `brew install graphviz` or `conda install "
    "graphviz` (https://graphviz.org/download/), or save the graph as .dot text"
)


class Graph:
    """A function's computation graph.

    Attributes:
        dot: the graph as Graphviz DOT text.
        name: the function's name.

    In a Jupyter notebook the graph shows itself as a picture (or, without
    Graphviz's ``dot`` program, as DOT text).
    """

    def __init__(self, dot: str, name: str):
        self.dot = dot
        self.name = name

    def save(self, path: str | Path) -> Path:
        """Write the graph to ``path``: DOT text for ``.dot`` (or ``.gv``), an image
        for ``.svg``, ``.png`` or ``.pdf`` (drawn by Graphviz's ``dot``).

        Returns:
            The path written.
        """
        path = Path(path)
        if path.suffix in (".dot", ".gv"):
            path.write_text(self.dot)
        elif path.suffix in IMAGES:
            path.write_bytes(self.render(IMAGES[path.suffix]))
        else:
            raise ArgumentError(
                f"cannot tell the format of {path.name!r}: name it .dot, .svg, .png or .pdf"
            )
        return path

    def render(self, fmt: str = "svg") -> bytes:
        """The graph drawn by Graphviz's ``dot`` in ``fmt`` (``svg``, ``png``, ``pdf``)."""
        program = shutil.which("dot")
        if program is None:
            raise TangentlikeError(NO_DOT.format(what=f"a .{fmt} file"))
        done = subprocess.run(
            [program, f"-T{fmt}"], input=self.dot.encode(), capture_output=True
        )
        if done.returncode:
            raise TangentlikeError(f"dot failed: {done.stderr.decode().strip()}")
        return done.stdout

    def _repr_svg_(self) -> str | None:
        """The picture a notebook shows; None without ``dot`` (then the DOT text)."""
        return self.render("svg").decode() if shutil.which("dot") else None

    def _repr_markdown_(self) -> str:
        return f"```dot\n{self.dot}```"

    def __repr__(self) -> str:
        return f"<tangentlike.Graph of {self.name}: .dot, .save(path)>"


@public
def graph(f: Callable, wrt: Any = 0, adjoint: bool = False) -> Graph:
    """The computation graph of ``f``: one node per operation of the normalized
    function (under your names), the data flow between them, the parameters
    differentiated (``wrt``) and the output marked.

    Args:
        f: the function, as for ``grad``.
        wrt: the parameters differentiated, as for ``grad``: a position, a name, or
            a tuple of them.
        adjoint: draw the reverse sweep beside it, each adjoint linked to the
            operation it differentiates.

    Returns:
        A ``Graph``: ``.dot`` is its DOT text, ``.save("graph.svg")`` draws it, and a
        notebook shows it.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> def f(x):
        ...     return np.sum(np.sin(x) * x)
        >>> tl.graph(f, adjoint=True).dot.splitlines()[0]
        'digraph "f" {'
    """
    if inspect.ismethod(f):
        raise ArgumentError(
            f"graph takes a function: pass {f.__func__.__qualname__} itself, with the "
            "object as its first argument"
        )
    if not callable(f):
        raise ArgumentError(f"graph expects a function, not {f!r}")
    f = plain(f)
    positions, _ = normalize_wrt(f, wrt)
    module = transform(f, "reverse", positions, True, 0)
    info = module.top
    wrt_names = {info.params[i] for i in positions}
    reverse = _reverse_sweep(module.functions[-1]) if adjoint else None
    return Graph(draw(info.name, info.node, wrt_names, reverse), info.name)


def _reverse_sweep(main: gast.FunctionDef):
    """``(seed, statements, gradients)`` of a generated gradient function."""
    body = main.body
    first = next((i for i, s in enumerate(body) if getattr(s, anno.SWEEP, 0)), None)
    statements = body[first:-1] if first is not None else []
    grads = body[-1].value.elts[1]
    items = grads.elts if isinstance(grads, gast.Tuple) else [grads]
    names = [g.id for g in items if isinstance(g, gast.Name)]
    return main.args.args[-1].id, statements, names
