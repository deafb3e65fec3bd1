"""SciPy's templates: loaded only once the user's code imports SciPy, refusals at the
user's line for what they cannot take, and the functions the issue names by name
(the corpus, tests/test_library_corpus.py, checks the numbers of every call)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad

sp = pytest.importorskip("scipy.special")
st = pytest.importorskip("scipy.stats")
linalg = pytest.importorskip("scipy.linalg")
optimize = pytest.importorskip("scipy.optimize")

X = np.array([0.3, 1.2, -0.7, 2.0])
C = np.array([1.0, 2.0, 3.0, 4.0])


def run(code: str, folder) -> str:
    """Run ``code`` from a file (tangentlike reads its functions' source) in a fresh
    interpreter; its output."""
    script = folder / "script.py"
    script.write_text(textwrap.dedent(code))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_import_tangentlike_imports_no_scipy(tmp_path):
    out = run(
        """
        import sys
        import numpy as np
        import tangentlike as tl
        from tangentlike import template as tpl

        def f(x):
            return np.sum(np.exp(x) * x)

        tl.grad(f)
        print(sorted(m for m in sys.modules if m.split(".")[0] == "scipy"))
        print(sorted(tpl.OPTIONAL) == sorted(set(tpl.OPTIONAL) - tpl._optional_loaded))
        """,
        tmp_path,
    )
    assert out.split() == ["[]", "True"]


def test_scipy_templates_load_once_scipy_is_imported(tmp_path):
    out = run(
        """
        import numpy as np
        import tangentlike as tl

        def g(x):
            return np.sum(x * x)

        tl.grad(g)  # the NumPy templates, loaded first
        import scipy.special

        def f(x):
            return np.sum(scipy.special.expit(x))

        print(tl.grad(f)(np.array([0.0, 1.0])))
        """,
        tmp_path,
    )
    expit = 1.0 / (1.0 + np.exp(-np.array([0.0, 1.0])))
    got = np.array(out.strip().strip("[]").split(), dtype=float)
    np.testing.assert_allclose(got, expit * (1.0 - expit), rtol=1e-6)


def rosen_inside(x):
    return optimize.rosen(x) + np.sum(x)


def test_rosen_through_its_array_api_source():
    """SciPy writes rosen against an array namespace (``xp = array_namespace(x)``,
    ``xp.sum(..., axis=0, dtype=x.dtype)``); SciPy's own rosen_der is the oracle."""
    np.testing.assert_allclose(tl.grad(optimize.rosen)(X), optimize.rosen_der(X))
    np.testing.assert_allclose(
        tl.grad(rosen_inside)(X), optimize.rosen_der(X) + 1.0, rtol=1e-12
    )
    source = tl.getsource(tl.grad(optimize.rosen), comments=False)
    assert "xp." not in source and "np.sum(" in source


def softmax_weighted(x):
    return np.sum(sp.softmax(x) * C)


def test_softmax_takes_its_template_and_the_dump_shows_its_adjoint():
    want = numerical_grad(softmax_weighted, [X], 0)
    np.testing.assert_allclose(tl.grad(softmax_weighted)(X), want, rtol=1e-6)
    source = tl.getsource(tl.grad(softmax_weighted))
    assert "_weighted = b_softmax * _softmax" in source
    assert "np.sum(_weighted, axis=None, keepdims=True)" in source


def t_cdf_in_df(x, df):
    return np.sum(st.t.cdf(x, df))


def signed_logsumexp(x):
    return sp.logsumexp(x, b=C - 2.5, return_sign=True)[0]


def conjugate_solve(x):
    return np.sum(linalg.solve_triangular(np.eye(4) + 1.0, x, trans=2))


def cholesky_factor(x):
    factor = np.diag(x)
    return np.sum(linalg.cho_solve((factor, True), C))


@pytest.mark.parametrize(
    "f, wrt, says",
    [
        (t_cdf_in_df, 1, "its argument `df`"),
        (signed_logsumexp, 0, "logsumexp with return_sign=True"),
        (conjugate_solve, 0, "solve_triangular with trans=2"),
        (cholesky_factor, 0, "its argument `c_and_lower`"),
    ],
)
@pytest.mark.parametrize("transform", [tl.grad, tl.jvp], ids=["reverse", "forward"])
def test_what_a_template_cannot_take_is_refused_at_the_user_line(
    f, wrt, says, transform
):
    with pytest.raises(tl.NoDerivativeError, match=says) as info:
        transform(f, wrt=wrt)
    where = info.value.location
    first = f.__code__.co_firstlineno
    assert where.filename == __file__ and first < where.lineno <= first + 2


# Dask: the special functions' templates are ufuncs and NumPy functions, which a
# Dask array takes block by block: the derivative stays lazy (nothing is computed
# until the caller asks), and gives the numbers of the NumPy function (logsumexp,
# softmax, log_softmax and polygamma are not among them: SciPy itself makes NumPy
# arrays of their arguments)


def special_unary(x):
    u = sp.expit(x)
    total = sp.log_expit(x) + sp.logit(u) * u + sp.erf(x) + sp.erfc(x) * x
    total = total + sp.ndtr(x) + sp.log_ndtr(x) + sp.ndtri(u) + sp.entr(u)
    p = x * x + 0.5
    return np.sum((total + sp.gamma(p) + sp.gammaln(p) + sp.digamma(p)) * C)


def special_binary(x):
    p = x * x + 0.5
    total = sp.xlogy(p, x + 3.0) + sp.xlog1py(x, p) + sp.rel_entr(p, C)
    total = total + sp.huber(0.5, x) + sp.betaln(p, C) + sp.zeta(3.0, p)
    total = total + sp.kl_div(p, C)
    return np.sum(total * C)


@pytest.mark.parametrize("f", [special_unary, special_binary])
def test_special_functions_stay_lazy_on_dask(f):
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    xd = da.from_array(X, chunks=2)
    vd = da.from_array(C[::-1] / 4.0, chunks=2)

    def computing(*args, **kwargs):
        raise AssertionError("a Dask array was computed inside the derivative")

    with dask.config.set(scheduler=computing):
        g = tl.grad(f)(xd)
        t = tl.jvp(f)(xd, vd)
    assert isinstance(g, da.Array) and isinstance(t, da.Array)
    want = numerical_grad(f, [X], 0)
    np.testing.assert_allclose(g.compute(), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(t.compute(), want @ (C[::-1] / 4.0), rtol=1e-6)
