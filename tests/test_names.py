"""Names that tell the truth, across the corpus, in the general code and in every
variant: a temporary holds one value, an adjoint is named after its primal, the
seed after what it seeds; helper calls pass no default flags; each block of a
sweep quotes the user's line; tracebacks still point at the right lines."""

from __future__ import annotations

import ast
import inspect
import re

import numpy as np
import pytest

import tangentlike as tl
import tangentlike.runtime as runtime

from . import corpus_control as C
from .test_standalone import CASES


def _sources():
    """``(id, printed source)``: every corpus derivative, the general code and, for
    gradients with a variant, the variant for the case's arguments."""
    for name, df, args, _ in CASES:
        yield name, tl.getsource(df)
        if "jvp" not in name:
            yield f"{name}_variant", tl.getsource(df, args=args)


SOURCES = dict(_sources())


def _functions(source: str) -> list[ast.FunctionDef]:
    return [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]


def _assignments(stmts) -> dict[str, int]:
    """How many statements bind each name on one path through ``stmts`` (a loop's
    body counted once); left out are restores of saved values and updates of a name
    from itself (``_n = _n + 1``), which give the name a value it stands for, and
    ``None`` put where a branch may not bind the name."""
    counts: dict[str, int] = {}
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            body, orelse = _assignments(stmt.body), _assignments(stmt.orelse)
            found = {n: max(body.get(n, 0), orelse.get(n, 0)) for n in body | orelse}
        elif isinstance(stmt, (ast.For, ast.While)):
            found = _assignments(stmt.body)
        elif isinstance(stmt, ast.Assign) and not _keeps_meaning(stmt):
            found = {n: 1 for n in _bound(stmt.targets[0])}
        else:
            found = {}
        for name, k in found.items():
            counts[name] = counts.get(name, 0) + k
    return counts


def _bound(target) -> list[str]:
    names = target.elts if isinstance(target, ast.Tuple) else [target]
    return [n.id for n in names if isinstance(n, ast.Name)]


def _keeps_meaning(stmt: ast.Assign) -> bool:
    value = stmt.value
    if isinstance(value, ast.Constant) and value.value is None:
        return True
    reads = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    if set(_bound(stmt.targets[0])) & reads:
        return True
    if isinstance(value, ast.Call):  # _stack.pop()
        return ast.unparse(value.func).endswith(".pop")
    return isinstance(value, ast.Subscript) and ast.unparse(value.value).endswith(
        "_saved"
    )


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_temporary_holds_one_value(name):
    for func in _functions(SOURCES[name]):
        counts = _assignments(func.body)
        twice = {n for n, k in counts.items() if n.startswith("_") and k > 1}
        assert not twice, f"{func.name} binds {sorted(twice)} more than once"


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_an_adjoint_is_named_after_its_primal(name):
    source = SOURCES[name]
    for func in _functions(source):
        names = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
        names |= {a.arg for a in func.args.args}
        for adjoint in sorted(n for n in names if n.startswith(("b_", "d_"))):
            primal = adjoint[1:]
            assert primal in names or primal in source, f"{adjoint} in {func.name}"


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_seed_is_named_after_what_it_seeds(name):
    func = _functions(SOURCES[name])[-1]
    if not func.args.defaults:  # forward mode: no seed
        return
    seed = func.args.args[-1].arg
    seeded = ast.unparse(func.body[-1].value.elts[0])
    kept = [  # value = y: the returned name's value, kept from the reverse sweep
        ast.unparse(s.value)
        for s in func.body
        if isinstance(s, ast.Assign) and ast.unparse(s.targets[0]) == seeded
    ]
    assert seed in ("b_result", f"b{seeded}", *(f"b{k}" for k in kept)), seed


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_return_flag_is_set_only_where_it_is_read(name):
    """``returned = True`` outside any loop is read by a line below it (inside a
    loop, the next step may read it above)."""
    for func in _functions(SOURCES[name]):
        for stmt in _outside_loops(func.body):
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
            if not (isinstance(target, ast.Name) and target.id.startswith("returned")):
                continue
            reads = [
                n.lineno
                for n in ast.walk(func)
                if isinstance(n, ast.Name)
                and n.id == target.id
                and isinstance(n.ctx, ast.Load)
            ]
            assert max(reads, default=0) > stmt.lineno, (
                f"{func.name}: {ast.unparse(stmt)} on line {stmt.lineno} is never read"
            )


def _outside_loops(stmts):
    for stmt in stmts:
        yield stmt
        if not isinstance(stmt, (ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody"):
                yield from _outside_loops(getattr(stmt, field, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _outside_loops(handler.body)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_helper_calls_pass_no_default_flags(name):
    for node in ast.walk(ast.parse(SOURCES[name])):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        helper = getattr(runtime, node.func.id, None)
        if not inspect.isfunction(helper):
            continue
        params = list(inspect.signature(helper).parameters.values())
        for param in params[: len(node.args)]:
            assert param.default is param.empty or param.kind is param.VAR_POSITIONAL, (
                f"{ast.unparse(node)}: {param.name} passed by position"
            )
        for kw in node.keywords:
            default = inspect.signature(helper).parameters[kw.arg].default
            literal = isinstance(kw.value, ast.Constant)
            assert not (literal and kw.value.value == default), ast.unparse(node)


def test_each_block_of_the_reverse_sweep_quotes_its_line():
    source = SOURCES["core_logistic"]
    quoted = re.findall(r"^    # line (\d+): (.*)$", source, re.M)
    lines, texts = zip(*quoted)
    assert lines == ("36", "35")  # the return, then p = ..., in reverse order
    assert texts[1] == "p = 1.0 / (1.0 + np.exp(-(X @ w)))"
    plain = tl.getsource(tl.grad(C.rnn_like), comments=False)
    assert "#" not in plain
    commented = tl.getsource(tl.grad(C.rnn_like))
    assert "\n".join(
        line for line in commented.splitlines() if not line.lstrip().startswith("#")
    ) == plain.rstrip("\n")


SCALE = 2.0


def scaled_mismatch(x, A):
    y = np.sin(x) * SCALE
    z = A @ y
    return np.sum(z)


def test_errors_name_the_users_line_past_comments_and_printed_globals():
    with pytest.raises(ValueError) as info:
        tl.grad(scaled_mismatch)(np.ones(3), np.ones((2, 4)))
    note = "\n".join(info.value.__notes__)
    assert "z = A @ y" in note and "return np.sum(z)" not in note


def bounded(x):
    h = np.tanh(x)
    return np.sum(h * h) + np.sum(np.log(h + 2.0))


def test_second_derivatives_read_the_released_and_keyword_code(rng):
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    x = rng.normal(size=4)
    first = tl.getsource(tl.grad(bounded))
    assert "del " in first and "unreduce(b_result, _log)" in first
    want = autograd.hessian(
        lambda x: anp.sum(anp.tanh(x) ** 2) + anp.sum(anp.log(anp.tanh(x) + 2.0))
    )(x)
    np.testing.assert_allclose(tl.hessian(bounded)(x), want, rtol=1e-10, atol=1e-12)


def _branch_with_dead_else(x, c):
    y = x * 2.0
    if c > 0:
        y = np.sin(y)
    else:
        z = c * 3.0  # noqa: F841 (dead: the gradient's code drops it)
    return np.sum(y)


def test_an_else_left_empty_is_not_printed():
    df = tl.grad(_branch_with_dead_else)
    x = np.array([0.3, -0.2])
    for source in (tl.getsource(df), tl.getsource(df, args=(x, 1.0))):
        for node in ast.walk(ast.parse(source)):
            orelse = getattr(node, "orelse", [])
            assert not (orelse and all(isinstance(s, ast.Pass) for s in orelse))
    np.testing.assert_allclose(df(x, 1.0), 2.0 * np.cos(2.0 * x))
    np.testing.assert_allclose(df(x, -1.0), [2.0, 2.0])


class Model:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return np.tanh(self.w * x)


def applied_model(x, model):
    return np.sum(model(x) ** 2)


def _fwd_Model_call(x):  # a user name the generated helper must not take
    return x


def calls_a_user_name(x, model):
    return np.sum(model(x) ** 2) + np.sum(_fwd_Model_call(x))


X2 = np.array([0.3, -0.7])
MODEL = Model(np.array([1.5, -0.5]))


def _central(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


@pytest.mark.parametrize("f", [applied_model, calls_a_user_name])
def test_a_special_method_is_named_after_its_class(f):
    """``model(x)`` of an object with ``__call__``: its halves are
    ``_fwd_Model_call``, ``_bwd_Model_call`` and ``_jvp_Model_call``, its value
    ``_Model_call``, never ``_fwd___call__`` or ``_call__``; the user's own
    ``_fwd_Model_call`` keeps its name."""
    df, dj = tl.grad(f), tl.jvp(f)
    expected = _central(lambda x: f(x, MODEL), X2)
    np.testing.assert_allclose(df(X2, MODEL), expected, rtol=1e-6)
    v = np.array([1.0, 2.0])
    assert dj(X2, MODEL, v) == pytest.approx(expected @ v, rel=1e-6)
    reverse, forward = tl.getsource(df), tl.getsource(dj)
    for source in (reverse, forward):
        assert "___" not in source and "call__" not in source
    assert re.search(r"^def _fwd_Model_call\d+\(self, x\):", reverse, re.M)
    assert not re.search(r"^def _fwd_Model_call\(", reverse, re.M)  # the user's
    assert re.search(r"^def _bwd_Model_call\(saved, ", reverse, re.M)
    assert re.search(r"^def _jvp_Model_call\(self, x, dx\):", forward, re.M)
    assert re.search(r"^    _Model_call, _Model_call_saved = ", reverse, re.M)


def generated_sum(x):
    return sum(np.sin(v) * v for v in x)


def test_no_pop_whose_value_nothing_reads_is_printed():
    """The reverse sweep undoes the generator's appends on its adjoint list only:
    the list of values, read by nothing after, is not popped back."""
    df = tl.grad(generated_sum)
    expected = _central(generated_sum, X2)
    np.testing.assert_allclose(df(X2), expected, rtol=1e-6)
    source = tl.getsource(df)
    assert "b_genexp.pop()" in source
    assert not re.search(r"^\s*\w+\.pop\(\)$", source, re.MULTILINE)
