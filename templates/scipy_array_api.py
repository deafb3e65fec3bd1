"""SciPy's array-API helpers, as its own Python functions call them: a conversion
passes the derivative through.

Loaded only once the user's code has imported SciPy.
"""

from scipy._lib._array_api import xp_promote

from tangentlike.template import adjoint, d, tangent


# one array made an array of a floating dtype (of several, refused by the binding)
@adjoint(xp_promote)
def xp_promote_(y, x, broadcast=False, force_floating=False, xp=None):
    d[x] = d[y]


@tangent(xp_promote)
def xp_promote_tangent(y, x, broadcast=False, force_floating=False, xp=None):
    d[y] = d[x]
