"""``max``, ``min`` and ``sorted`` with a ``key=``: the items they pick, by the
order of keys that are constants::

    best = max(rows, key=lambda r: np.sum(r * r))

becomes

    _items = [_item for _item in rows]
    _keys = stop_gradient([np.sum(_key * _key) for _key in _items])
    _pick = max(range(len(_keys)), key=_keys.__getitem__)
    best = _items[_pick]

so the derivative is that of the item picked (of each item moved, for
``sorted``: ``[_items[i] for i in _order]``), and the key, a comparison, has
none.  A lambda key is written out on the items; another function is called.
"""

from __future__ import annotations

import copy

import gast

from .. import anno, runtime

PICKS = (max, min, sorted)
ORDER = "tl_order"  # on the call that orders the keys: a plain call now


def is_keyed(node, callee) -> bool:
    """``max(xs, key=f)``, ``min(xs, key=f)``, ``sorted(xs, key=f, reverse=r)``
    (either option)."""
    if callee not in PICKS or len(node.args) != 1 or anno.get(node, ORDER):
        return False
    names = {k.arg for k in node.keywords}
    if callee is sorted:  # sorted(xs, reverse=True) too: the items are the keys
        return bool(names) and names <= {"key", "reverse"}
    return names == {"key"}


def keyed(node, callee, namer) -> tuple[list, gast.expr]:
    """The assignments (name, value), in order, and the expression they give."""
    options = {k.arg: k.value for k in node.keywords}
    items, keys, at = (namer.temp(b) for b in ("items", "keys", "pick"))
    each, key = namer.temp("item"), namer.temp("key")
    steps = [(items, _list_of(anno.name(each), each, node.args[0]))]
    applied = _applied(options["key"], key) if "key" in options else anno.name(key)
    frozen = anno.call(
        anno.name("stop_gradient"), [_list_of(applied, key, anno.name(items))]
    )
    anno.set_(frozen, anno.CALLEE, runtime.stop_gradient)
    steps.append((keys, frozen))
    size = anno.call(anno.name("len"), [anno.name(keys)])
    indices = anno.call(anno.name("range"), [size])
    anno.set_(indices, anno.CALLEE, range)
    by = [gast.keyword(arg="key", value=anno.attr(anno.name(keys), "__getitem__"))]
    if "reverse" in options:
        by.append(gast.keyword(arg="reverse", value=options["reverse"]))
    order = anno.call(anno.name(callee.__name__), [indices], by)
    anno.set_(order, anno.CALLEE, callee)
    anno.set_(order, ORDER, True)
    steps.append((at, order))
    if callee is sorted:
        i = namer.temp("i")
        picked = gast.Subscript(
            value=anno.name(items), slice=anno.name(i), ctx=gast.Load()
        )
        return steps, _list_of(picked, i, anno.name(at))
    return steps, gast.Subscript(
        value=anno.name(items), slice=anno.name(at), ctx=gast.Load()
    )


def _list_of(elt, name: str, iterable) -> gast.ListComp:
    """``[elt for name in iterable]``."""
    loop = gast.comprehension(
        target=anno.store(name), iter=iterable, ifs=[], is_async=0
    )
    return gast.ListComp(elt=elt, generators=[loop])


def _applied(key, name: str):
    """``key(name)``: a one-parameter lambda's body, with ``name`` for its
    parameter; any other function, called."""
    args = getattr(key, "args", None)
    if (
        isinstance(key, gast.Lambda)
        and len(args.args) == 1
        and not (args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg)
    ):
        param = args.args[0].id
        body = copy.deepcopy(key.body)
        for n in anno.walk(body):
            if isinstance(n, gast.Name) and n.id == param:
                n.id = name
        return body
    return anno.call(key, [anno.name(name)])
