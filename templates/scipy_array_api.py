"""SciPy's array-API helpers, as its own Python functions call them: a conversion
passes the derivative through.

Loaded only once the user's code has imported SciPy.
"""

from scipy._lib._array_api import xp_promote

from tangentlike.runtime import unbroadcast
from tangentlike.template import adjoint, d, tangent


# one array, or up to four made arrays of one floating dtype (broadcast=True: of
# one shape too, so each gradient is summed back to its array's shape)
@adjoint(xp_promote)
def xp_promote_(
    y, x, x2=None, x3=None, x4=None, *, broadcast=False, force_floating=False, xp=None
):
    if x2 is None and x3 is None and x4 is None:
        d[x] = d[y]
    else:
        d[x] = unbroadcast(d[y][0], x)
        d[x2] = unbroadcast(d[y][1], x2)
        d[x3] = unbroadcast(d[y][2], x3)
        d[x4] = unbroadcast(d[y][3], x4)


@tangent(xp_promote)
def xp_promote_tangent(
    y, x, x2=None, x3=None, x4=None, *, broadcast=False, force_floating=False, xp=None
):
    if x2 is None and x3 is None and x4 is None:
        d[y] = d[x]
    elif x3 is None and x4 is None:
        d[y] = xp_promote(d[x], d[x2], broadcast=broadcast, xp=xp)
    elif x4 is None:
        d[y] = xp_promote(d[x], d[x2], d[x3], broadcast=broadcast, xp=xp)
    else:
        d[y] = xp_promote(d[x], d[x2], d[x3], d[x4], broadcast=broadcast, xp=xp)
