"""The computation graph: the README's example drawn, node by node and edge by edge;
loops and branches; the reverse sweep linked to what it differentiates; the image
files, the command line, and what a notebook shows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import tangentlike as tl
from tangentlike.api import cli

from . import corpus_control as C

ROOT = Path(__file__).resolve().parent.parent
README_EXAMPLE = f"{ROOT / 'examples' / 'logistic.py'}:loss"
NODE = re.compile(r'^\s*(n\d+) \[label="((?:[^"\\]|\\.)*)"', re.M)
EDGE = re.compile(r"^\s*(n\d+) -> (n\d+)(?: \[(.*)\])?;", re.M)


def parsed(dot: str):
    """``({node: label}, [(from label, to label, attributes)])``."""
    labels = dict(NODE.findall(dot))
    edges = [(labels[a], labels[b], attrs) for a, b, attrs in EDGE.findall(dot)]
    return labels, edges


def _loss():
    cli.load_function(README_EXAMPLE)  # the module, as the command line imports it
    import importlib

    return importlib.import_module("logistic").loss


def test_the_readme_example_has_a_node_per_operation_and_its_data_flow():
    labels, edges = parsed(tl.graph(_loss(), wrt="w").dot)
    nodes = set(labels.values())
    assert {"w (wrt)", "X", "y", "return _result"} <= nodes
    assert {
        "z = X @ w",
        "p = 1.0 / _add",
        "ll = _mul + _mul2",
        "_result = -_mean",
    } <= nodes
    flow = {(a, b) for a, b, _ in edges}
    assert {("w (wrt)", "z = X @ w"), ("X", "z = X @ w")} <= flow
    assert ("_add = 1.0 + _exp", "p = 1.0 / _add") in flow
    assert ("p = 1.0 / _add", "_sub2 = 1.0 - p") in flow
    assert ("_result = -_mean", "return _result") in flow
    assert len(edges) == 21 and not any(n.startswith("b") for n in nodes)
    assert 'fillcolor="#cfe2ff"' in tl.graph(_loss()).dot  # w is differentiated


def test_the_reverse_sweep_is_linked_to_what_it_differentiates():
    labels, edges = parsed(tl.graph(_loss(), adjoint=True).dot)
    links = {(a, b) for a, b, attrs in edges if "dotted" in attrs}
    assert ("bz = bp * p * _sub2", "z = X @ w") in links
    assert ("bw = matmul_rhs(bz, X, w)", "w (wrt)") in links
    assert ("b_result = 1.0 (seed)", "_result = -_mean") in links
    adjoint_flow = {(b, a) for a, b, attrs in edges if "dir=back" in attrs}
    assert ("bp = bp + unbroadcast(b_add2, p)", "bz = bp * p * _sub2") in adjoint_flow
    assert ("bw = matmul_rhs(bz, X, w)", "bw (gradient)") in adjoint_flow


def test_a_loop_carries_its_names_to_the_next_iteration():
    labels, edges = parsed(tl.graph(C.rnn_like).dot)
    carried = [(a, b) for a, b, attrs in edges if 'label="next"' in attrs]
    assert ("h = np.tanh(_add)", "_mul = h * 0.5") in carried
    into_sum = {a for a, b, _ in edges if b == "_result = np.sum(h)"}
    assert into_sum == {"h = x", "h = np.tanh(_add)"}  # the loop may not run


def test_both_branches_reach_what_follows():
    labels, edges = parsed(tl.graph(C.if_elif_else).dot)
    into_return = {a for a, b, _ in edges if b == "return y"}
    assert into_return == {"y = x * x", "y = _neg * 3.0", "y = np.sin(x)"}


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)
def test_images_are_drawn_by_dot(tmp_path):
    drawn = tl.graph(_loss(), adjoint=True)
    assert drawn.save(tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in drawn.save(tmp_path / "g.svg").read_bytes()
    assert "<svg" in drawn._repr_svg_()


def test_without_dot_the_text_is_saved_and_shown(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    drawn = tl.graph(_loss())
    assert drawn.save(tmp_path / "g.dot").read_text() == drawn.dot
    with pytest.raises(tl.TangentlikeError, match="Graphviz's `dot`"):
        drawn.save(tmp_path / "g.svg")
    assert drawn._repr_svg_() is None
    assert drawn._repr_markdown_().startswith("```dot\ndigraph")


def test_the_command_line_writes_dot_text(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert (
        cli.main(["graph", README_EXAMPLE, "--wrt", "w", "--adjoint", "-o", str(out)])
        == 0
    )
    assert out.read_text() == tl.graph(_loss(), adjoint=True).dot
    assert cli.main(["graph", README_EXAMPLE]) == 0
    assert capsys.readouterr().out.startswith('digraph "loss" {')
    assert cli.main(["graph", README_EXAMPLE, "-o", str(tmp_path / "g.jpg")]) == 2
    assert "name it .dot, .svg, .png or .pdf" in capsys.readouterr().err
