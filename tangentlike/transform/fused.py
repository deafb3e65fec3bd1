"""Spot the logistic sigmoid and its logarithms, to give them one derivative each.

Written out as ``p = 1 / (1 + np.exp(-z))``, the sigmoid normalizes to four
statements, and the chain rule through them multiplies the gradient by ``p``,
divides it by ``1 + exp(-z)`` and multiplies it by ``exp(-z)``.  Where ``z`` is
very negative, ``exp(-z)`` overflows and that product is ``0 * inf``: NaN, for a
gradient whose value is 0.  Marked here, the last statement takes the
sigmoid's own derivative, ``p * (1 - p)``, finite everywhere and one pass
shorter; the three before it get no adjoint of their own from ``p``.  Likewise
``log(p)`` and ``log(1 - p)`` of such a ``p`` take ``1 - p`` and ``-p`` (the
derivatives of log-sigmoid), as cross-entropy losses write them.

The softmax written out, ``e = np.exp(x - np.max(x, axis=a, keepdims=True))``
and ``p = e / np.sum(e, axis=a, keepdims=True)`` (the shift is optional), takes
the softmax's derivative in ``x``, ``p * (d[p] - sum(d[p] * p))``: two passes where
the chain rule through the division, ``exp``, the shift and the maximum's ties
takes a dozen.  The shift, constant along the axis, changes no value of ``p``, so
it has no derivative of its own.  ``np.log(p)`` of such a ``p``, log-softmax as a
cross-entropy with a one-hot product writes it, takes
``d[l] - p * sum(d[l])``; picked first (``np.log(p[np.arange(n), labels])``, as a
cross-entropy with integer labels writes it), the same with ``d[l]`` scattered
to the picked places.  The log-sum-exp written out with its shift, ``m +
np.log(np.sum(np.exp(x - m), axis=a, keepdims=True))`` with ``m`` the maximum
(or ``m[:, 0] + np.log(np.sum(..., axis=1))``), takes ``d[y] * e / s``: the
softmax's weights, with no derivative through the maximum, whose two
contributions cancel.  Squared distances between rows written out are
``fused_pairs``'.

A pattern counts only within one straight-line block, where nothing between a
statement and the ones it reads rebinds or updates a name involved.
"""

from __future__ import annotations

import math

import gast
import numpy

from .. import anno
from . import fused_pairs

FUSED = "tl_fused"  # on a statement: (template key, {template parameter: name})
SIGMOID = ("fused", "sigmoid")
LOG_SIGMOID = ("fused", "log_sigmoid")
LOG1M_SIGMOID = ("fused", "log1m_sigmoid")
SOFTMAX = ("fused", "softmax")
LOG_SOFTMAX = ("fused", "log_softmax")
LOG_SOFTMAX_ITEM = ("fused", "log_softmax_item")
LOGSUMEXP = ("fused", "logsumexp")
LOGSUMEXP_KEPT = ("fused", "logsumexp_kept")
_EXP = (numpy.exp, math.exp)
_LOG = (numpy.log, math.log)
_SUM = (numpy.sum,)
_MAX = (numpy.max, numpy.amax)


def mark(body: list) -> None:
    """Annotate the sigmoids of ``body`` (and of the blocks inside it) and the
    logarithms taken of them."""
    for block in anno.blocks(gast.Module(body=body, type_ignores=[])):
        _Block(block).mark()


class _Block:
    def __init__(self, stmts: list):
        self.stmts = stmts
        self.defs: dict[str, int] = {}  # name -> index of its latest plain assignment
        self.updates = [anno.updated_names(s) for s in stmts]
        self.sigmoids: dict[str, tuple[int, str]] = {}  # p -> (index, z)
        self.softmaxes: dict[str, tuple[int, str, int]] = {}  # p -> (index, x, axis)

    def mark(self) -> None:
        for k, stmt in enumerate(self.stmts):
            target = _target(stmt)
            found = None if target is None else self._match(k, target, stmt.value)
            if found is not None:
                anno.set_(stmt, FUSED, found)
            for name in self.updates[k]:
                self.defs.pop(name, None)
                self.sigmoids.pop(name, None)
                self.softmaxes.pop(name, None)
            if target is not None:
                self.defs[target] = k
            if found is not None and found[0] == SIGMOID:
                self.sigmoids[target] = (k, found[1]["x"].id)
            if found is not None and found[0] == SOFTMAX:
                self.softmaxes[target] = (k, found[1]["x"].id, found[1]["axis"].value)

    # A statement is fused in one of three ways: a sigmoid itself, ``log(p)`` of
    # one, or ``log(1 - p)`` of one (where ``1 - p`` is read through its own
    # temporary); the log forms also need ``z`` unchanged since the sigmoid.
    def _match(self, k, target, value):
        z = self._sigmoid_of(k, value)
        if z is not None and z != target:
            return SIGMOID, {"x": anno.name(z)}
        softmax = self._softmax_of(k, value)
        if softmax is not None and softmax[0] != target:
            x, axis = softmax
            return SOFTMAX, {"x": anno.name(x), "axis": anno.const(axis)}
        lse = self._logsumexp_of(k, value)
        if lse is not None and target not in lse[1].values():
            return lse
        pairs = fused_pairs.match(self, k, target, value)
        if pairs is not None:
            return pairs
        arg = _call_arg(value, _LOG)
        if arg in self.softmaxes:
            j, x, axis = self.softmaxes[arg]
            if x != target and self._unchanged(x, j + 1, k):
                names = {"x": anno.name(x), "p": anno.name(arg)}
                return LOG_SOFTMAX, {**names, "axis": anno.const(axis)}
        picked = self._log_softmax_item(k, target, arg)
        if picked is not None:
            return picked
        p = arg if arg in self.sigmoids else None
        if p is None:  # log(1 - p)?
            found = self._def(arg, k)
            if found and _is_one_minus(found[1]) and found[1].right.id in self.sigmoids:
                p = found[1].right.id
                if self.sigmoids[p][0] > found[0]:
                    p = None
            key = LOG1M_SIGMOID
        else:
            key = LOG_SIGMOID
        if p is None:
            return None
        j, z = self.sigmoids[p]
        if not self._unchanged(z, j + 1, k):
            return None
        return key, {"x": anno.name(z), "p": anno.name(p)}

    # Four assignments make a sigmoid written out (``1 / (1 + exp(-z))``): each
    # step checks that the next one back is there, reads the name the one after it
    # reads, and came before it; ``1 + e`` may be written either way round.  Any
    # miss means an ordinary quotient.
    def _sigmoid_of(self, k, value) -> str | None:
        """``z`` where ``value`` is ``1 / a``, ``a = 1 + e``, ``e = exp(n)``, ``n = -z``,
        each assigned after the one it reads and none changed since."""
        if not (_binop(value, gast.Div) and _is_one(value.left)):
            return None
        a = self._def(value.right, k)
        if a is None or not _binop(a[1], gast.Add):
            return None
        one, e = (
            (a[1].left, a[1].right) if _is_one(a[1].left) else (a[1].right, a[1].left)
        )
        e = self._def(e, a[0]) if _is_one(one) else None
        n = self._def(_call_arg(e[1], _EXP), e[0]) if e else None
        if n is None or not (
            isinstance(n[1], gast.UnaryOp) and isinstance(n[1].op, gast.USub)
        ):
            return None
        z = n[1].operand
        if not isinstance(z, gast.Name) or not self._unchanged(z.id, n[0] + 1, k):
            return None
        return z.id

    def _softmax_of(self, k, value):
        """``(x, axis)`` where ``value`` is ``e / s``, ``s = np.sum(e, axis, keepdims=
        True)``, ``e = np.exp(t)``, and ``t`` is ``x`` or ``x - np.max(x, axis,
        keepdims=True)``, each assigned after the one it reads and none changed
        since."""
        if not (_binop(value, gast.Div) and isinstance(value.left, gast.Name)):
            return None
        s = self._def(value.right, k)
        found = _reduction(s[1], _SUM) if s else None
        if found is None or found[0] != value.left.id or found[1] is None:
            return None
        axis = found[1]
        e = self._def(value.left, s[0])
        t = _call_arg(e[1], _EXP) if e else None
        if t is None:
            return None
        x, start = t, e[0]
        shift = self._def(t, e[0])
        if (
            shift
            and _binop(shift[1], gast.Sub)
            and isinstance(shift[1].left, gast.Name)
        ):
            m = self._def(shift[1].right, shift[0])
            if m and _reduction(m[1], _MAX) == (shift[1].left.id, axis):
                x, start = shift[1].left.id, m[0]
        return (x, axis) if self._unchanged(x, start + 1, k) else None

    def _log_softmax_item(self, k, target, arg):
        """``(key, bindings)`` where ``arg`` is ``p[index]`` of a softmax ``p`` and
        ``np.log`` is taken of it: log-softmax picked (``p[np.arange(n), labels]``),
        with ``x``, ``p`` and the index's names unchanged since, and no slice in
        the index."""
        item = self._def(arg, k) if arg is not None else None
        value = item[1] if item else None
        if not (
            isinstance(value, gast.Subscript)
            and isinstance(value.value, gast.Name)
            and value.value.id in self.softmaxes
        ):
            return None
        p = value.value.id
        j, x, axis = self.softmaxes[p]
        if any(isinstance(n, gast.Slice) for n in gast.walk(value.slice)):
            return None  # a slice is no value to pass: the chain rule
        names = {n.id for n in gast.walk(value.slice) if isinstance(n, gast.Name)}
        if j > item[0] or target in names | {x, p}:
            return None
        if not self._unchanged(x, j + 1, k):
            return None
        if not all(self._unchanged(n, item[0] + 1, k) for n in names):
            return None
        bindings = {"x": anno.name(x), "p": anno.name(p), "index": value.slice}
        return LOG_SOFTMAX_ITEM, {**bindings, "axis": anno.const(axis)}

    def _logsumexp_of(self, k, value):
        """``(key, bindings)`` where ``value`` is ``m + l`` (either way round),
        ``l = np.log(s)``, ``s = np.sum(e, axis)``, ``e = np.exp(x - m)`` and ``m =
        np.max(x, axis, keepdims=True)``; without ``keepdims`` on the sum, ``m``
        is added as ``m[:, 0]``, the 0 at the axis."""
        if not _binop(value, gast.Add):
            return None
        for left, right in ((value.left, value.right), (value.right, value.left)):
            found = self._lse_parts(k, left, right)
            if found is not None:
                return found
        return None

    def _lse_parts(self, k, shift, log):
        l_def = self._def(log, k)
        s_name = _call_arg(l_def[1], _LOG) if l_def else None
        s_def = self._def(s_name, l_def[0]) if s_name else None
        summed = _reduction_kept(s_def[1], _SUM) if s_def else None
        e_def = self._def(summed[0], s_def[0]) if summed else None
        t = _call_arg(e_def[1], _EXP) if e_def else None
        t_def = self._def(t, e_def[0]) if t else None
        if t_def is None or not _binop(t_def[1], gast.Sub) or summed[1] is None:
            return None
        x, m = t_def[1].left, t_def[1].right
        m_def = self._def(m, t_def[0]) if isinstance(m, gast.Name) else None
        if not isinstance(x, gast.Name) or m_def is None:
            return None
        axis, kept = summed[1], summed[2]
        if _reduction(m_def[1], _MAX) != (x.id, axis):
            return None
        if not kept:  # the shift added back as m[:, 0]
            picked = self._def(shift, k)
            value = picked[1] if picked else None
            if not (
                isinstance(value, gast.Subscript)
                and isinstance(value.value, gast.Name)
                and value.value.id == m.id
                and picked[0] > m_def[0]
                and _drops_axis(value.slice, axis)
            ):
                return None
        elif not (isinstance(shift, gast.Name) and shift.id == m.id):
            return None
        if not self._unchanged(x.id, m_def[0] + 1, k):
            return None
        key = LOGSUMEXP_KEPT if kept else LOGSUMEXP
        names = {"x": anno.name(x.id), "e": anno.name(summed[0])}
        return key, {**names, "s": anno.name(s_name), "axis": anno.const(axis)}

    def _def(self, node, before: int):
        """``(index, value)`` of the assignment that gave a name (a ``Name`` or its
        id) the value it holds now, if it came before statement ``before``."""
        name = node.id if isinstance(node, gast.Name) else node
        k = self.defs.get(name) if isinstance(name, str) else None
        if k is None or k >= before:
            return None
        return k, self.stmts[k].value

    def _unchanged(self, name: str, start: int, end: int) -> bool:
        """Nothing in statements ``start`` to ``end - 1`` rebinds or updates ``name``."""
        return not any(name in self.updates[i] for i in range(start, end))


def _target(stmt) -> str | None:
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        if isinstance(stmt.targets[0], gast.Name):
            return stmt.targets[0].id
    return None


def _binop(node, op) -> bool:
    return isinstance(node, gast.BinOp) and isinstance(node.op, op)


def _is_one(node) -> bool:
    return (
        isinstance(node, gast.Constant)
        and type(node.value) in (int, float)
        and node.value == 1
    )


def _is_one_minus(node) -> bool:
    return (
        _binop(node, gast.Sub)
        and _is_one(node.left)
        and isinstance(node.right, gast.Name)
    )


def _call_arg(node, callees) -> str | None:
    """The one argument (a name) of a call to one of ``callees``."""
    if not isinstance(node, gast.Call) or node.keywords or len(node.args) != 1:
        return None
    callee = anno.get(node, anno.CALLEE)
    if not any(callee is c for c in callees) or not isinstance(node.args[0], gast.Name):
        return None
    return node.args[0].id


def _reduction(node, callees, kept=(True,)):
    """``(x, axis)`` of ``f(x, axis=a, keepdims=k)`` (``axis`` positional or not),
    ``f`` one of ``callees``, ``k`` one of ``kept``; None for any other call."""
    found = _reduction_kept(node, callees)
    return None if found is None or found[2] not in kept else found[:2]


def _reduction_kept(node, callees):
    """``(x, axis, keepdims)`` of a reduction ``f(x, axis=a, keepdims=k)``."""
    if not isinstance(node, gast.Call) or not node.args:
        return None
    callee = anno.get(node, anno.CALLEE)
    if not any(callee is c for c in callees) or not isinstance(node.args[0], gast.Name):
        return None
    keywords = {k.arg: k.value for k in node.keywords}
    if len(node.args) > 2 or set(keywords) - {"axis", "keepdims"}:
        return None
    keepdims = keywords.get("keepdims", anno.const(False))
    if not (isinstance(keepdims, gast.Constant) and type(keepdims.value) is bool):
        return None
    return node.args[0].id, _axis(node), keepdims.value


def _drops_axis(index, axis: int) -> bool:
    """Whether ``index`` is ``[:, ..., :, 0]`` with the 0 at ``axis`` (or
    ``[..., 0]`` for axis -1): it takes away that axis of length one."""
    items = index.elts if isinstance(index, gast.Tuple) else [index]
    last = items[-1]
    if not (isinstance(last, gast.Constant) and last.value == 0):
        return False
    rest = items[:-1]
    if axis == -1:
        return (
            len(rest) == 1
            and isinstance(rest[0], gast.Constant)
            and (rest[0].value is Ellipsis)
        )
    full = all(
        isinstance(i, gast.Slice) and not (i.lower or i.upper or i.step) for i in rest
    )
    return axis >= 0 and len(rest) == axis and full


def _axis(node) -> int | None:
    """The literal integer axis of a reduction call, else None."""
    axis = node.args[1] if len(node.args) == 2 else None
    for k in node.keywords:
        if k.arg == "axis":
            axis = k.value
    if isinstance(axis, gast.UnaryOp) and isinstance(axis.op, gast.USub):
        inner = axis.operand
        if isinstance(inner, gast.Constant) and type(inner.value) is int:
            return -inner.value
    if isinstance(axis, gast.Constant) and type(axis.value) is int:
        return axis.value
    return None


def template(table: dict, marked) -> tuple:
    """``(template, bindings)`` for a marked statement, from ``table``."""
    key, names = marked
    return table[key], {param: anno.clone(name) for param, name in names.items()}
