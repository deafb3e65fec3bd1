"""Every optimizer pass shows itself in its module's docstring, on code before and
after it; this runs each example, so that no docstring drifts from its pass.

An example is written as labels at the start of a line, each over its code:

    given: shapes={"X": (1000, 784)}, keep={"h"}
    before:
        def f(X, ...):
            ...
    after:
        def f(X, ...):
            ...

``given`` (optional) holds what the pass is told, as Python literals: ``shapes``
of float64 array parameters (as a variant knows them), ``scalars`` (parameters
that are Python floats) and ``keep`` (the user's own names).  Calls of ``np.``
and ``math.`` functions know what they call, as in generated code."""

import ast
import importlib
import math
import pkgutil
import re
from dataclasses import dataclass, field
from textwrap import dedent

import gast
import numpy as np
import pytest

import tangentlike.optimize
from tangentlike import anno
from tangentlike.analysis.shapes import ConcreteShapes
from tangentlike.codegen.render import to_source
from tangentlike.optimize.copied_slices import merge_copied_slices
from tangentlike.optimize.cse import share_common
from tangentlike.optimize.dead import remove_dead
from tangentlike.optimize.defaults import name_defaults
from tangentlike.optimize.dict_grads import gather_dict_grads
from tangentlike.optimize.floats import fold_float_units
from tangentlike.optimize.fold import fold_constants
from tangentlike.optimize.forwarding import forward_values
from tangentlike.optimize.fuse import fuse_temporaries
from tangentlike.optimize.indexed_saves import index_saves
from tangentlike.optimize.inplace import DTypes, write_in_place
from tangentlike.optimize.last_reads import write_last_reads
from tangentlike.optimize.negations import cancel_negations
from tangentlike.optimize.reductions import call_reductions
from tangentlike.optimize.release import release_dead
from tangentlike.optimize.saved_tuples import prune_saved
from tangentlike.optimize.saves import remove_unread_saves
from tangentlike.optimize.seed import constant_seed
from tangentlike.optimize.specialize import specialize
from tangentlike.optimize.unbroadcast import remove_unbroadcasts
from tangentlike.optimize.zeros import known_zeros

from .stages import code, expected

LABEL = re.compile(r"(given): (.+)|(before|after):")
MODULES = {"np": np, "math": math}


@dataclass
class Example:
    before: str = ""
    after: str = ""
    given: dict = field(default_factory=dict)


def _blocks(doc: str) -> list[tuple[str, str]]:
    """``(label, text)`` for each labelled block: a ``given`` line's rest, or the
    indented code under ``before:`` or ``after:``."""
    blocks, lines = [], None
    for line in doc.splitlines():
        match = LABEL.fullmatch(line)
        if match:
            lines = [match[2] or ""]
            blocks.append((match[1] or match[3], lines))
        elif lines is not None and (line.startswith(" ") or not line.strip()):
            lines.append(line)
        else:
            lines = None
    return [(label, "\n".join(lines)) for label, lines in blocks]


def _given(text: str) -> dict:
    call = ast.parse(f"given({text})", mode="eval").body
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords}


def examples(doc: str) -> list[Example]:
    found, current = [], Example()
    for label, text in _blocks(doc):
        if label == "given":
            current.given = _given(text)
        elif label == "before":
            current.before = text
        else:
            current.after = expected(text)
            found.append(current)
            current = Example()
    return found


def _known(func, shapes: dict):
    """The shapes and dtypes a variant knows, for arrays of float64."""
    known = ConcreteShapes(func, shapes)
    return known, DTypes(known, {name: np.dtype(np.float64) for name in shapes})


NONE = frozenset()
PASSES = {
    "copied_slices": lambda func, shapes: merge_copied_slices(func, shapes),
    "cse": lambda func: share_common(func),
    "dead": lambda func: remove_dead(func),
    "defaults": lambda func: name_defaults(func),
    "dict_grads": lambda func, shapes: gather_dict_grads(func, shapes),
    "floats": lambda func, scalars=NONE, shapes=None: fold_float_units(
        func, scalars, "np", shapes and _known(func, shapes)[1]
    ),
    "fold": lambda func: fold_constants(func),
    "forwarding": lambda func: forward_values(func),
    "fuse": lambda func, keep=NONE: fuse_temporaries(func, keep),
    "indexed_saves": lambda func: index_saves(func),
    "inplace": lambda func, shapes, keep=NONE: write_in_place(
        func, *_known(func, shapes), "np", keep
    ),
    "last_reads": lambda func, shapes: write_last_reads(
        func, *_known(func, shapes), "np"
    ),
    "negations": lambda func, keep=NONE: cancel_negations(func, keep),
    "reductions": lambda func, shapes: call_reductions(
        func, *_known(func, shapes), "np"
    ),
    "release": lambda func: release_dead(func),
    "saved_tuples": lambda funcs: prune_saved(funcs),
    "saves": lambda func: remove_unread_saves(func),
    "seed": lambda func: constant_seed(func),
    "specialize": lambda func, shapes: specialize(func, shapes, "np"),
    "unbroadcast": lambda func, scalars=NONE: remove_unbroadcasts(func, scalars),
    "zeros": lambda func, shapes: known_zeros(
        func, shapes, {name: np.dtype(np.float64) for name in shapes}, "np"
    ),
}


def pass_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(tangentlike.optimize.__path__))


def docstring_examples() -> list:
    params = []
    for name in pass_modules():
        module = importlib.import_module(f"tangentlike.optimize.{name}")
        for i, example in enumerate(examples(module.__doc__ or "")):
            params.append(pytest.param(name, example, id=f"{name}-{i + 1}"))
    return params


def with_callees(func: gast.FunctionDef) -> gast.FunctionDef:
    """``np.tanh(x)`` knows it calls ``numpy.tanh``, as normalize leaves it."""
    for node in anno.walk(func):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            base = node.func.value
            module = MODULES.get(base.id) if isinstance(base, gast.Name) else None
            if module is not None and hasattr(module, node.func.attr):
                anno.set_(node, anno.CALLEE, getattr(module, node.func.attr))
    return func


def test_every_pass_has_an_example():
    assert pass_modules() == sorted(PASSES)
    for name in pass_modules():
        module = importlib.import_module(f"tangentlike.optimize.{name}")
        assert examples(module.__doc__ or ""), f"optimize/{name}.py shows no example"


@pytest.mark.parametrize("name, example", docstring_examples())
def test_the_docstring_example_is_what_the_pass_does(name, example):
    funcs = [with_callees(f) for f in gast.parse(dedent(example.before)).body]
    func = funcs[0] if len(funcs) == 1 else funcs  # a pass over several functions

    def printed():
        return code(func) if len(funcs) == 1 else to_source(funcs, []).strip() + "\n"

    assert printed() != example.after, "the example shows no change"
    assert PASSES[name](func, **example.given) is True  # it says it changed the tree
    assert printed() == example.after
