"""SciPy calls of the library corpus (tests/library_corpus.py has the layout):
special functions, distributions, linear algebra and ``optimize.rosen``."""

import numpy as np
import scipy.integrate
import scipy.linalg
import scipy.optimize
import scipy.spatial.distance as distance
import scipy.special as sp
import scipy.stats as st
from scipy._lib._array_api import xp_promote

from .library_corpus import M3, P4, SOURCE, T4, TEMPLATE, U4, W4, X4, X6

L3 = np.linalg.cholesky(M3 @ M3.T)
B3 = np.array([0.3, -1.2, 0.8])
X32 = np.array([[0.3, 0.5], [1.0, -0.4], [0.2, 0.1]])
C2 = np.array([[2.0, 0.3], [0.3, 1.0]])


def expit(x):
    return np.sum(sp.expit(x) * W4)


def log_expit(x):
    return np.sum(sp.log_expit(x) * W4)


def logit(u):
    return np.sum(sp.logit(u) * W4)


def erf(x):
    return np.sum(sp.erf(x) * W4)


def erfc(x):
    return np.sum(sp.erfc(x) * W4)


def ndtr(x):
    return np.sum(sp.ndtr(x) * W4)


def log_ndtr(x):
    return np.sum(sp.log_ndtr(x - 3.0) * W4)


def ndtri(u):
    return np.sum(sp.ndtri(u) * W4)


def gamma(p):
    return np.sum(sp.gamma(p) * W4)


def gammaln(p):
    return np.sum(sp.gammaln(p) * W4)


def digamma(p):
    return np.sum(sp.digamma(p) * W4)


def polygamma(p):
    return np.sum(sp.polygamma(1, p) * W4)


def entr(p):
    return np.sum(sp.entr(p) * W4)


def xlogy(p):
    return np.sum(sp.xlogy(p, p[::-1] + 1.0))


def xlog1py(p):
    return np.sum(sp.xlog1py(p[::-1], p))


def rel_entr(p):
    return np.sum(sp.rel_entr(p, p[::-1] * 0.5 + 0.3))


def huber(x):
    return np.sum(sp.huber(1.0, x)) + np.sum(sp.huber(x[0] + 1.0, x))


def betaln(p):
    return np.sum(sp.betaln(p, p[::-1]))


def logsumexp(x):
    return sp.logsumexp(x * W4)


def logsumexp_weighted(x):
    return np.sum(sp.logsumexp(np.outer(x, W4), axis=1, b=np.abs(x) + 0.5) * W4)


def softmax(x):
    return np.sum(sp.softmax(x) * W4)


def log_softmax(x):
    return np.sum(sp.log_softmax(np.outer(x, W4), axis=0) * M3[0, 0])


def norm_logpdf(v):
    return np.sum(st.norm.logpdf(v[:4], v[4], v[5]))


def norm_pdf(v):
    return np.sum(st.norm.pdf(v[:4], loc=v[4], scale=v[5]))


def norm_cdf(v):
    return np.sum(st.norm.cdf(v[:4], v[4], v[5]))


def norm_logcdf(v):
    return np.sum(st.norm.logcdf(v[:4], v[4], v[5]))


def t_logpdf(v):
    return np.sum(st.t.logpdf(v[:4], v[4] + 3.0, v[5], 1.3))


def t_pdf(v):
    return np.sum(st.t.pdf(v[:4], 3.5, v[4], v[5]))


def t_cdf(v):
    return np.sum(st.t.cdf(v[:4], 3.5, loc=v[4], scale=v[5]))


def t_logcdf(v):
    return np.sum(st.t.logcdf(v[:4], 3.5, v[4], v[5]))


def gamma_logpdf(v):
    return np.sum(st.gamma.logpdf(v[:4], v[5] + 1.0, v[4] - 1.0, 1.3))


def gamma_pdf(v):
    return np.sum(st.gamma.pdf(v[:4], 2.5, v[4] - 1.0, v[5]))


def gamma_cdf(v):
    return np.sum(st.gamma.cdf(v[:4], 2.5, loc=v[4] - 1.0, scale=v[5]))


def gamma_logcdf(v):
    return np.sum(st.gamma.logcdf(v[:4], 2.5, v[4] - 1.0, v[5]))


def beta_logpdf(u):
    return np.sum(st.beta.logpdf(u, u[0] + 1.5, u[1] + 2.0))


def beta_pdf(u):
    return np.sum(st.beta.pdf(u, 2.0, 3.0, loc=-0.1 * u[0], scale=1.2))


def beta_cdf(u):
    return np.sum(st.beta.cdf(u, 2.0, 3.0, -0.1 * u[0], 1.2))


def beta_logcdf(u):
    return np.sum(st.beta.logcdf(u, 2.0, 3.0))


def expon_logpdf(v):
    return np.sum(st.expon.logpdf(v[:4], v[4] - 1.0, v[5]))


def expon_pdf(v):
    return np.sum(st.expon.pdf(v[:4], v[4] - 1.0, v[5]))


def expon_cdf(v):
    return np.sum(st.expon.cdf(v[:4], v[4] - 1.0, v[5]))


def expon_logcdf(v):
    return np.sum(st.expon.logcdf(v[:4], v[4] - 1.0, v[5]))


def laplace_logpdf(v):
    return np.sum(st.laplace.logpdf(v[:4], v[4], v[5]))


def laplace_pdf(v):
    return np.sum(st.laplace.pdf(v[:4], v[4], v[5]))


def laplace_cdf(v):
    return np.sum(st.laplace.cdf(v[:4], v[4], v[5]))


def laplace_logcdf(v):
    return np.sum(st.laplace.logcdf(v[:4], v[4], v[5]))


def logistic_logpdf(v):
    return np.sum(st.logistic.logpdf(v[:4], v[4], v[5]))


def logistic_pdf(v):
    return np.sum(st.logistic.pdf(v[:4], v[4], v[5]))


def logistic_cdf(v):
    return np.sum(st.logistic.cdf(v[:4], v[4], v[5]))


def logistic_logcdf(v):
    return np.sum(st.logistic.logcdf(v[:4], v[4], v[5]))


def mvn_logpdf(v):
    cov = C2 + np.outer(v[:2], v[:2]) * 0.1
    return np.sum(st.multivariate_normal.logpdf(X32 * v[2], mean=v[3:5], cov=cov))


def solve_triangular(v):
    a = np.tril(M3 + v[0])
    return np.sum(scipy.linalg.solve_triangular(a, v[1:4], lower=True) ** 2)


def solve_triangular_t(v):
    a = np.triu(M3 * v[0])
    return np.sum(scipy.linalg.solve_triangular(a, v[1:4], trans="T") ** 2)


def cho_solve(v):
    return np.sum(scipy.linalg.cho_solve((L3, True), v[:3]) ** 2)


def expm(v):
    return np.sum(scipy.linalg.expm(0.3 * v[:4].reshape(2, 2)) * C2)


def linalg_norm(x):
    return scipy.linalg.norm(x * W4) + scipy.linalg.norm(
        x.reshape(2, 2), check_finite=False
    )


def entropy(x):
    return st.entropy(np.exp(x))


def relative_entropy(p):
    return st.entropy(p, p[::-1] + 0.5, base=2.0)


def entropy_rows(x):
    return np.sum(st.entropy(np.exp(x.reshape(2, 2)), axis=1) * W4[:2])


def kl_div(p):
    return np.sum(sp.kl_div(p, P4[::-1] * p[0]) * W4)


def zeta(p):
    return np.sum(sp.zeta(3.0, p) * W4)


def rosen(x):
    return scipy.optimize.rosen(x)


def cumulative_trapezoid(x):
    return np.sum(scipy.integrate.cumulative_trapezoid(x * x, np.cumsum(P4)) * W4[:3])


def xp_promote_two(x):  # as SciPy's array-API functions call it
    a, b = xp_promote(x, W4 * x, force_floating=True, xp=np)
    return np.sum(a * b * W4)


def xp_promote_broadcast(x):
    a, b, c = xp_promote(x, x[:2, None] ** 2, 2.0, broadcast=True, xp=np)
    return np.sum(a * b * c)


def cosine(x):
    return distance.cosine(x, T4 + 1.0)


def braycurtis(p):
    return distance.braycurtis(p, T4 + 1.0)


def cityblock(x):
    return distance.cityblock(x, T4 * 3.0)


def correlation(x):
    return distance.correlation(x, T4)


def jensenshannon(p):
    return distance.jensenshannon(p, T4 + 0.5)


def mahalanobis(x):
    return distance.mahalanobis(x, T4, np.eye(4) + 0.1)


# shifted points, each inside its function's domain
V6 = np.array([0.3, 1.2, -0.7, 2.05, 0.1, 1.3])
G6 = np.array([0.3, 1.2, 0.7, 2.05, 0.1, 1.3])
E6 = np.array([0.8, 1.2, 0.5, 2.05, 0.6, 1.3])

SCIPY = [
    ("scipy.special.expit", TEMPLATE, expit, X4, True),
    ("scipy.special.log_expit", TEMPLATE, log_expit, X4, True),
    ("scipy.special.logit", TEMPLATE, logit, U4, True),
    ("scipy.special.erf", TEMPLATE, erf, X4, True),
    ("scipy.special.erfc", TEMPLATE, erfc, X4, True),
    ("scipy.special.ndtr", TEMPLATE, ndtr, X4, True),
    ("scipy.special.log_ndtr", TEMPLATE, log_ndtr, X4, True),
    ("scipy.special.ndtri", TEMPLATE, ndtri, U4, True),
    ("scipy.special.gamma", TEMPLATE, gamma, P4, True),
    ("scipy.special.gammaln", TEMPLATE, gammaln, P4, True),
    ("scipy.special.digamma", TEMPLATE, digamma, P4, True),
    ("scipy.special.polygamma", TEMPLATE, polygamma, P4, True),
    ("scipy.special.zeta", TEMPLATE, zeta, P4, True),
    ("scipy.special.entr", TEMPLATE, entr, P4, True),
    ("scipy.special.xlogy", TEMPLATE, xlogy, P4, True),
    ("scipy.special.xlog1py", TEMPLATE, xlog1py, P4, True),
    ("scipy.special.rel_entr", TEMPLATE, rel_entr, P4, True),
    ("scipy.special.kl_div", TEMPLATE, kl_div, P4, True),
    ("scipy.special.huber", TEMPLATE, huber, X4, True),
    ("scipy.special.betaln", TEMPLATE, betaln, P4, True),
    ("scipy.special.logsumexp", TEMPLATE, logsumexp, X4, True),
    ("scipy.special.logsumexp", TEMPLATE, logsumexp_weighted, X4, True),
    ("scipy.special.softmax", TEMPLATE, softmax, X4, True),
    ("scipy.special.log_softmax", TEMPLATE, log_softmax, X4, True),
    ("scipy.stats.norm.logpdf", TEMPLATE, norm_logpdf, V6, True),
    ("scipy.stats.norm.pdf", TEMPLATE, norm_pdf, V6, True),
    ("scipy.stats.norm.cdf", TEMPLATE, norm_cdf, V6, True),
    ("scipy.stats.norm.logcdf", TEMPLATE, norm_logcdf, V6, True),
    ("scipy.stats.t.logpdf", TEMPLATE, t_logpdf, V6, True),
    ("scipy.stats.t.pdf", TEMPLATE, t_pdf, V6, True),
    ("scipy.stats.t.cdf", TEMPLATE, t_cdf, V6, True),
    ("scipy.stats.t.logcdf", TEMPLATE, t_logcdf, V6, True),
    ("scipy.stats.gamma.logpdf", TEMPLATE, gamma_logpdf, G6, True),
    ("scipy.stats.gamma.pdf", TEMPLATE, gamma_pdf, G6, True),
    ("scipy.stats.gamma.cdf", TEMPLATE, gamma_cdf, G6, True),
    ("scipy.stats.gamma.logcdf", TEMPLATE, gamma_logcdf, G6, True),
    ("scipy.stats.beta.logpdf", TEMPLATE, beta_logpdf, U4, True),
    ("scipy.stats.beta.pdf", TEMPLATE, beta_pdf, U4, True),
    ("scipy.stats.beta.cdf", TEMPLATE, beta_cdf, U4, True),
    ("scipy.stats.beta.logcdf", TEMPLATE, beta_logcdf, U4, True),
    ("scipy.stats.expon.logpdf", TEMPLATE, expon_logpdf, E6, True),
    ("scipy.stats.expon.pdf", TEMPLATE, expon_pdf, E6, True),
    ("scipy.stats.expon.cdf", TEMPLATE, expon_cdf, E6, True),
    ("scipy.stats.expon.logcdf", TEMPLATE, expon_logcdf, E6, True),
    ("scipy.stats.laplace.logpdf", TEMPLATE, laplace_logpdf, V6, True),
    ("scipy.stats.laplace.pdf", TEMPLATE, laplace_pdf, V6, True),
    ("scipy.stats.laplace.cdf", TEMPLATE, laplace_cdf, V6, True),
    ("scipy.stats.laplace.logcdf", TEMPLATE, laplace_logcdf, V6, True),
    ("scipy.stats.logistic.logpdf", TEMPLATE, logistic_logpdf, V6, True),
    ("scipy.stats.logistic.pdf", TEMPLATE, logistic_pdf, V6, True),
    ("scipy.stats.logistic.cdf", TEMPLATE, logistic_cdf, V6, True),
    ("scipy.stats.logistic.logcdf", TEMPLATE, logistic_logcdf, V6, True),
    ("scipy.stats.multivariate_normal.logpdf", TEMPLATE, mvn_logpdf, E6, True),
    ("scipy.linalg.solve_triangular", TEMPLATE, solve_triangular, X4, True),
    ("scipy.linalg.solve_triangular", TEMPLATE, solve_triangular_t, P4, True),
    ("scipy.linalg.cho_solve", TEMPLATE, cho_solve, X4, True),
    ("scipy.linalg.expm", TEMPLATE, expm, X4, True),
    ("scipy.linalg.norm", TEMPLATE, linalg_norm, X4, True),
    ("scipy.stats.entropy", TEMPLATE, entropy, X4, True),
    ("scipy.stats.entropy", TEMPLATE, relative_entropy, P4, True),
    ("scipy.stats.entropy", TEMPLATE, entropy_rows, X4, True),
    ("scipy.optimize.rosen", SOURCE, rosen, X6, True),
    ("scipy.integrate.cumulative_trapezoid", SOURCE, cumulative_trapezoid, X4, True),
    ("scipy._lib._array_api.xp_promote", TEMPLATE, xp_promote_two, X4, True),
    ("scipy._lib._array_api.xp_promote", TEMPLATE, xp_promote_broadcast, X4, True),
    ("scipy.spatial.distance.cosine", SOURCE, cosine, X4, True),
    ("scipy.spatial.distance.braycurtis", SOURCE, braycurtis, P4, True),
    ("scipy.spatial.distance.cityblock", SOURCE, cityblock, X4, False),
    ("scipy.spatial.distance.correlation", SOURCE, correlation, X4, True),
    ("scipy.spatial.distance.jensenshannon", SOURCE, jensenshannon, P4, True),
    ("scipy.spatial.distance.mahalanobis", SOURCE, mahalanobis, X4, True),
]
