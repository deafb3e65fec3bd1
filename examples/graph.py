"""The computation graph of the README's example, the logistic loss, drawn with
its reverse sweep beside it: each adjoint level with the operation it
differentiates.  Writes an image where Graphviz's ``dot`` is installed (else the
DOT text) and says what it drew.

    python examples/graph.py [OUT.{png,svg,pdf,dot}]      (default: graph.png)
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from logistic import loss  # noqa: E402


def main(argv=None):
    import tangentlike as tl

    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "graph.png")
    if out.suffix != ".dot" and shutil.which("dot") is None:
        print("no Graphviz dot here (apt-get install graphviz): writing DOT text")
        out = out.with_suffix(".dot")
    drawn = tl.graph(loss, wrt="w", adjoint=True)
    drawn.save(out)
    text = drawn.dot
    nodes, edges = text.count("[label="), text.count(" -> ")
    links = text.count("style=dotted")
    print(f"the graph of loss(w, X, y): {nodes} nodes, {edges} edges")
    print(f"  {links} of them link an adjoint to the operation it differentiates")
    print(f"  written to {out}")
    return out


if __name__ == "__main__":
    main()
