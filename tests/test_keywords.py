"""Every keyword of a function with a template is taken: by the template, as another
name of one of its parameters, or as neutral (it does not change the mathematics),
unless it changes the derivative and is listed below with why."""

import inspect

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import template as tpl
from tangentlike.api.supported import resolve, rows
from tangentlike.frontend.keywords import ENDS

# keywords that change the derivative, refused when a call passes them
CHANGES_MATH = {
    ("numpy.max", "initial"): "the maximum may be the initial value",
    ("numpy.min", "initial"): "the minimum may be the initial value",
    ("numpy.amax", "initial"): "the maximum may be the initial value",
    ("numpy.amin", "initial"): "the minimum may be the initial value",
    ("numpy.nanmax", "initial"): "the maximum may be the initial value",
    ("numpy.nanmin", "initial"): "the minimum may be the initial value",
    ("numpy.prod", "initial"): "a factor of the product",
    ("numpy.matmul", "axes"): "a contraction over other axes",
    ("numpy.cross", "axisa"): "vectors along another axis",
    ("numpy.cross", "axisb"): "vectors along another axis",
    ("numpy.cross", "axisc"): "vectors along another axis",
    ("numpy.cross", "axis"): "vectors along another axis",
    ("numpy.quantile", "weights"): "weighted quantiles",
    ("numpy.percentile", "weights"): "weighted quantiles",
    ("numpy.matmul", "axis"): "a contraction over other axes",
    ("numpy.matmul", "keepdims"): "a contraction over other axes",
    ("numpy.sort", "descending"): "the other order (NumPy 2.5)",
    ("numpy.linspace", "retstep"): "the result becomes a pair (samples, step)",
    ("sorted", "key"): "another order, by a function of the items",
    ("sorted", "reverse"): "the other order (equal items keep theirs)",
}
# keywords written out with other functions before the transform (frontend/keywords.py)
WRITTEN_OUT = {("numpy.diff", k) for k in ENDS}
UFUNC_KEYWORDS = ["out", "where", "casting", "order", "dtype", "subok", "signature"]


def keywords_of(primal) -> list[str]:
    """The parameters a call can pass by keyword."""
    if isinstance(primal, np.ufunc):
        return UFUNC_KEYWORDS
    try:
        params = inspect.signature(primal).parameters.values()
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in params if p.kind in kinds]


def differentiable():
    tpl.load_templates()
    return [(name, resolve(name)) for name, r, _ in rows() if r != "constant"]


def test_every_keyword_is_taken_or_refused_for_a_reason():
    untaken = []
    for name, primal in differentiable():
        for table in (tpl.ADJOINTS, tpl.TANGENTS):
            template = tpl.lookup(table, primal)
            if template is None:
                continue
            taken = (
                set(template.signature.parameters)
                | set(tpl.NEUTRAL.get(primal, ()))
                | set(tpl.RENAMED.get(primal, ()))
            )
            for keyword in keywords_of(primal):
                known = CHANGES_MATH.keys() | WRITTEN_OUT
                if keyword not in taken and (name, keyword) not in known:
                    untaken.append(f"{name}({keyword}=)")
    assert not untaken, f"keywords neither taken nor refused: {sorted(set(untaken))}"


X = np.array([0.3, 1.2, -0.7, 2.0])


def einsum_optimized(x):
    return np.einsum("i,i->", x, x, optimize=True)


def astype_no_copy(x):
    return np.sum(x.astype(np.float64, copy=False) ** 2)


def diff_prepended(x):
    return np.sum(np.diff(x, prepend=0.0) ** 2)


def diff_both_ends(x):
    m = x.reshape(2, 2)
    return np.sum(np.diff(m, axis=0, prepend=x[None, :2], append=1.5) ** 2)


def diff_appended_twice(x):
    return np.sum(np.diff(x, 2, append=x[:2] * 3.0) ** 2)


def array_api_names(x):
    return np.var(x, correction=1) + np.sum(np.clip(x, min=-0.5, max=1.5) ** 2)


def given_mean(x):
    return np.std(x, mean=np.mean(x, keepdims=True))


def given_other_mean(x):
    """Deviations from a value that is not the mean: its derivative is not zero."""
    m = x[:1] * 0.5
    return np.var(x, mean=0.3) + np.std(x, axis=0, mean=m, keepdims=True)[0]


def ufunc_loop_keywords(x):
    return np.sum(np.multiply(x, x, dtype=np.float64, casting="same_kind", out=None))


def ndmin(x):
    return np.sum(np.array(x[0], ndmin=2) * np.array([[1.0, 2.0]]))


@pytest.mark.parametrize(
    "f",
    [
        einsum_optimized,
        astype_no_copy,
        diff_prepended,
        diff_both_ends,
        diff_appended_twice,
        array_api_names,
        given_mean,
        given_other_mean,
        ufunc_loop_keywords,
        ndmin,
    ],
)
def test_keywords_against_finite_differences(f):
    tl.check_grads(f, (X,))


def initial_of_a_maximum(x):
    return np.max(x, initial=10.0)


def test_a_keyword_that_changes_the_derivative_is_refused():
    with pytest.raises(tl.TangentlikeError, match="initial"):
        tl.grad(initial_of_a_maximum)
