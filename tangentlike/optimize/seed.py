"""Read the seed as the number 1.0 where no caller passes one.

before:
    def f(x, by=1.0):
        y = x * x
        bx = by * 2.0 * x
        return y, bx
after:
    def f(x, by=1.0):
        y = x * x
        bx = 1.0 * 2.0 * x
        return y, bx

For variants only: a caller of the general code may pass its own seed.
"""

from __future__ import annotations

import gast

from .. import anno
from ..naming import ADJOINT_PREFIX


def constant_seed(func: gast.FunctionDef) -> bool:
    """Read the seed parameter (last, ``b...=1.0``) as the number 1.0 where the
    body never assigns it: for callers that never pass a seed.  Whether any
    read of it was replaced."""
    args = func.args
    if not args.args or len(args.defaults) != 1:
        return False
    seed, default = args.args[-1].id, args.defaults[0]
    if not (seed.startswith(ADJOINT_PREFIX) and isinstance(default, gast.Constant)):
        return False
    if default.value != 1.0 or seed in anno.store_names(func):
        return False
    replace = _SeedToOne(seed)
    replace.visit(func)
    return replace.changed


class _SeedToOne(gast.NodeTransformer):
    def __init__(self, seed: str):
        self.seed = seed
        self.changed = False

    def visit_Name(self, node):
        if node.id == self.seed and isinstance(node.ctx, gast.Load):
            self.changed = True
            return gast.Constant(value=1.0, kind=None)
        return node
