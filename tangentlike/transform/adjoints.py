"""Bookkeeping of derivative variables in the reverse sweep.

Statements are visited in reverse order; ``Adjoints`` knows which derivative
variables hold a value at that point, so the first contribution is a plain
assignment and later ones add.  Control flow merges reconcile that state with
explicit zeros where one path initialised a variable and another did not.
"""

from __future__ import annotations

import gast

from .. import anno, runtime


class Adjoints:
    """Which derivatives are initialised (name -> whether we own the array)."""

    def __init__(self, fn):
        self.fn = fn  # its ``helpers``: the runtime helpers generated code imports
        self.namer = fn.namer
        self.np = fn.np_alias
        self.state: dict[str, bool] = {}
        self.containers: set[str] = set()
        self.sequences: set[str] = set()  # parameters a loop iterates over

    def name(self, primal: str) -> str:
        return self.namer.adjoint(primal)

    def has(self, primal: str) -> bool:
        return primal in self.state

    def contribute(self, primal: str, value) -> list:
        """``d[primal] = value``: assign the first time, add afterwards (in place
        when the array is one this sweep made and nothing else refers to)."""
        target = self.name(primal)
        if self.state.get(primal) and primal not in self.containers:
            return [
                gast.AugAssign(target=anno.store(target), op=gast.Add(), value=value)
            ]
        if primal in self.state and self._container(primal):
            self.fn.helpers["add"] = runtime.add  # item by item: ``+`` may concatenate
            added = anno.call(anno.name("add"), [anno.name(target), value])
            return [anno.assign(target, added)]
        if primal in self.state:
            add = gast.BinOp(left=anno.name(target), op=gast.Add(), right=value)
            self.state[primal] = True
            return [anno.assign(target, add)]
        self.state[primal] = False
        return [anno.assign(target, value)]

    def _container(self, primal: str) -> bool:
        return primal in self.containers or primal in self.sequences

    def kill(self, primal: str) -> None:
        self.state.pop(primal, None)

    def zeros(self, primal: str, like: str | None = None) -> gast.stmt:
        """``bx = np.zeros_like(x)``; the new array is ours to update in place."""
        self.state[primal] = (like or primal) not in self.containers
        func = anno.dotted(f"{self.np}.zeros_like")
        if (like or primal) in self.containers:
            func = anno.name("zero_grad")  # GradList, GradTuple, GradDict of zeros
            self.fn.helpers["zero_grad"] = runtime.zero_grad
        elif (like or primal) in self.sequences:
            func = anno.name("zeros_items")  # a list of zeros for a list of arrays
        return anno.assign(
            self.name(primal), anno.call(func, [anno.name(like or primal)])
        )

    def snapshot(self) -> dict[str, bool]:
        return dict(self.state)

    def restore(self, state: dict[str, bool]) -> None:
        self.state = dict(state)
