"""The computation graph of a function, as Graphviz DOT text.

One node per statement of the normalized function (one operation each, under the
user's names: ``p = 1.0 / _add``), an edge from the statement that last bound a
name to each statement that reads it, the parameters as inputs (those
differentiated drawn filled) and the ``return`` as the output.  Loops and
branches are boxes around their statements; a loop-carried name gets a dashed
edge back.  With the reverse sweep, its statements are drawn beside the primal
graph the same way, each linked (dotted) to the primal statement that bound the
name whose gradient it computes (``bz = ...`` to ``z = X @ w``).
"""

from __future__ import annotations

import ast

import gast

from ..naming import ADJOINT_PREFIX

PRIMAL, ADJOINT, INPUT, WRT, OUTPUT = (
    "#ffffff",
    "#fde2e2",
    "#f2f2f2",
    "#cfe2ff",
    "#fff0c2",
)


def draw(title: str, primal, wrt, reverse=None) -> str:
    """DOT text for ``primal`` (a normalized ``gast.FunctionDef``) with ``wrt`` (the
    names differentiated); ``reverse``: ``(seed, statements, grads)`` of the
    reverse sweep, drawn beside it."""
    dot = Dot()
    with dot.cluster("primal", f"{title}: the function"):
        flow = Flow(dot, "p")
        for arg in primal.args.args:
            is_wrt = arg.id in wrt
            label = f"{arg.id} (wrt)" if is_wrt else arg.id
            flow.define(arg.id, dot.node(label, WRT if is_wrt else INPUT, "ellipse"))
        flow.block(primal.body)
    if reverse is not None:
        _draw_reverse(dot, flow, *reverse)
    return dot.text(title)


def _draw_reverse(dot, primal_flow, seed: str, statements, grads) -> None:
    with dot.cluster("adjoint", "the reverse sweep"):
        flow = Flow(dot, "a", links=primal_flow)
        node = dot.node(f"{seed} = 1.0 (seed)", OUTPUT, "ellipse")
        flow.define(seed, node)
        flow.link(seed, node, _LAST_LINE)
        flow.block(statements)
        for name in grads:
            node = dot.node(f"{name} (gradient)", WRT, "ellipse")
            flow.read([name], node)


_LAST_LINE = 1 << 30  # the seed differentiates the output, bound last


class Dot:
    """Nodes, edges and clusters, printed as DOT in the order they were made."""

    def __init__(self):
        self.lines: list[str] = []
        self.edges: list[str] = []
        self.same: list[str] = []
        self.nodes: list[str] = []
        self.count = 0
        self.depth = 1

    def node(self, label: str, color: str, shape: str = "box") -> str:
        name = f"n{self.count}"
        self.count += 1
        self.nodes.append(name)
        style = "filled" if shape != "box" else "rounded,filled"
        self._line(
            f"{name} [label={_quoted(label)}, shape={shape}, "
            f'style="{style}", fillcolor="{color}"];'
        )
        return name

    def edge(self, a: str, b: str, attrs: str = "") -> None:
        self.edges.append(f"  {a} -> {b}{f' [{attrs}]' if attrs else ''};")

    def beside(self, a: str, b: str) -> None:
        """Draw ``a`` level with ``b`` (an adjoint beside its primal)."""
        self.same.append(f"  {{rank=same; {a}; {b};}}")

    def cluster(self, key: str, label: str):
        return _Cluster(self, key, label)

    def _line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def text(self, title: str) -> str:
        head = [
            f"digraph {_quoted(title)} {{",
            '  graph [fontname="Helvetica", fontsize=12, newrank=true];',
            '  node [fontname="Courier", fontsize=11];',
            '  edge [color="#555555", arrowsize=0.7, fontname="Helvetica", fontsize=10];',
        ]
        body = self.lines + self.edges + self.same
        return "\n".join([*head, *body, "}"]) + "\n"


class _Cluster:
    def __init__(self, dot: Dot, key: str, label: str):
        self.dot, self.key, self.label = dot, key, label

    def __enter__(self):
        self.dot.count += 1
        self.dot._line(f"subgraph cluster_{self.key}{self.dot.count} {{")
        self.dot.depth += 1
        self.dot._line(
            f'label={_quoted(self.label)}; style="rounded"; color="#999999";'
        )

    def __exit__(self, *exc):
        self.dot.depth -= 1
        self.dot._line("}")


class Flow:
    """Which node last bound each name, through a block of statements; every read
    becomes an edge from there.  ``links``: the primal graph's flow, which each
    adjoint node is linked to."""

    def __init__(self, dot: Dot, prefix: str, links: Flow | None = None):
        self.dot = dot
        self.prefix = prefix
        self.links = links
        self.bound: dict[str, set[str]] = {}
        self.made: dict[str, list[tuple[int, str]]] = {}  # name -> (line, node)
        # per loop being drawn: (names its body bound so far, name -> first reader)
        self.loops: list[tuple[set[str], dict[str, str]]] = []

    def define(self, name: str, node: str, line: int = 0) -> None:
        self.bound[name] = {node}
        self.made.setdefault(name, []).append((line, node))
        for bound, _ in self.loops:
            bound.add(name)

    def read(self, names, node: str) -> None:
        for source in sorted({s for n in names for s in self.bound.get(n, ())}):
            self.edge(source, node)
        for bound, first in self.loops:
            for name in names:
                if name not in bound:
                    first.setdefault(name, node)

    def edge(self, source: str, node: str, attrs: str = "") -> None:
        """An edge of the flow; the reverse sweep is laid out upwards, so that each
        adjoint is drawn beside what it differentiates."""
        if self.links is None:
            self.dot.edge(source, node, attrs)
        else:
            self.dot.edge(node, source, ", ".join(filter(None, ["dir=back", attrs])))

    def block(self, statements, control: str | None = None, label: str = "") -> None:
        """The statements; ``control``: the loop or branch node they depend on,
        joined to the first of them."""
        start = len(self.dot.nodes)
        for stmt in statements:
            self.statement(stmt)
        if control is not None and len(self.dot.nodes) > start:
            attrs = f'style=dashed, color="#999999", label="{label}"'
            self.edge(control, self.dot.nodes[start], attrs)

    def statement(self, stmt) -> None:
        if isinstance(stmt, (gast.For, gast.While)):
            self._loop(stmt)
        elif isinstance(stmt, gast.If):
            self._branches(stmt)
        elif not isinstance(stmt, gast.Delete):
            self._simple(stmt)

    def _simple(self, stmt) -> None:
        is_return = isinstance(stmt, gast.Return)
        color = OUTPUT if is_return else (ADJOINT if self.links else PRIMAL)
        node = self.dot.node(_source(stmt), color)
        self.read(sorted(_reads(stmt)), node)
        line = getattr(stmt, "lineno", 0) or 0
        for name in sorted(_binds(stmt)):
            self.define(name, node, line)
            self.link(name, node, line)

    def link(self, name: str, node: str, line: int) -> None:
        """An adjoint ``bX`` to the primal statement that bound ``X`` (the last one
        on the line it differentiates or before it)."""
        if self.links is None or not name.startswith(ADJOINT_PREFIX):
            return
        made = self.links.made.get(name[len(ADJOINT_PREFIX) :], [])
        before = [n for at, n in made if at <= line] or [n for _, n in made]
        if before:
            attrs = 'style=dotted, color="#c0392b", constraint=false, arrowhead=none'
            self.dot.edge(node, before[-1], attrs)
            self.dot.beside(node, before[-1])

    def _loop(self, stmt) -> None:
        text = _source(stmt).splitlines()[0]
        with self.dot.cluster("loop", ""):
            node = self.dot.node(text, PRIMAL, "diamond")
            self.read(sorted(_header_reads(stmt)), node)
            for name in sorted(_header_binds(stmt)):
                self.define(name, node)
            before = {k: set(v) for k, v in self.bound.items()}
            self.loops.append((set(), {}))
            self.block(stmt.body, node)
            _, first = self.loops.pop()
            self._carried(first, before)
        for name, nodes in before.items():
            self.bound[name] = self.bound.get(name, set()) | nodes

    def _carried(self, first: dict[str, str], before) -> None:
        """Dashed edges for names the body reads before binding them, from where the
        body binds them: what the next iteration reads (``h = np.tanh(h * 0.5)``)."""
        for name, node in sorted(first.items()):
            for source in sorted(self.bound.get(name, set()) - before.get(name, set())):
                self.edge(source, node, 'style=dashed, label="next"')

    def _branches(self, stmt) -> None:
        node = self.dot.node(f"if {_expr(stmt.test)}", PRIMAL, "diamond")
        self.read(sorted(_names(stmt.test)), node)
        start = {k: set(v) for k, v in self.bound.items()}
        ends = []
        for label, body in (("then", stmt.body), ("else", stmt.orelse)):
            self.bound = {k: set(v) for k, v in start.items()}
            if body:
                with self.dot.cluster(label, label):
                    self.block(body, node, label)
            ends.append(self.bound)
        self.bound = {
            n: ends[0].get(n, set()) | ends[1].get(n, set()) for n in ends[0] | ends[1]
        }


def _source(stmt) -> str:
    tree = gast.gast_to_ast(gast.Module(body=[stmt], type_ignores=[]))
    return ast.unparse(tree)


def _expr(node) -> str:
    return ast.unparse(gast.gast_to_ast(node))


def _names(node) -> set[str]:
    return {
        n.id
        for n in gast.walk(node)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    }


def _reads(stmt) -> set[str]:
    found = _names(stmt)
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        found.add(stmt.target.id)
    return found


def _binds(stmt) -> set[str]:
    """Names a simple statement binds, or updates (``y[i] = v`` binds ``y``)."""
    targets = []
    if isinstance(stmt, gast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (gast.AugAssign, gast.AnnAssign)):
        targets = [stmt.target]
    found = set()
    for target in targets:
        while isinstance(target, (gast.Subscript, gast.Attribute)):
            target = target.value
        found |= {n.id for n in gast.walk(target) if isinstance(n, gast.Name)}
    return found


def _header_reads(stmt) -> set[str]:
    return _names(stmt.iter if isinstance(stmt, gast.For) else stmt.test)


def _header_binds(stmt) -> set[str]:
    if not isinstance(stmt, gast.For):
        return set()
    return {n.id for n in gast.walk(stmt.target) if isinstance(n, gast.Name)}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
