"""Methods that call methods: ``self.forward(x)`` made a call of the function the
object's class has under that name, with the object passed first::

    class Model:
        def loss(self, x):                        def loss(self, x):
            h = self.forward(x)           ->          h = Model.forward(self, x)
            return np.sum(h ** 2)                     return np.sum(h ** 2)

so that the method is differentiated from its source as any function of the
user's is, with ``self`` among its arguments.  The class is the object's own
where ``grad`` was given a bound method (``grad(model.loss)``), else the class
whose body defines the function (``grad(Model.loss)``); ``Method.check`` refuses
an object whose class gives another function under one of those names (a
subclass overriding it), whose derivative this is not.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass

import gast
import numpy

from .. import anno
from ..errors import ArgumentError
from . import closures


@dataclass(frozen=True)
class Method:
    """``self.<name>(...)`` made a call of ``function``, found on ``owner``."""

    name: str
    function: types.FunctionType
    static: bool
    receiver: str = "self"  # the parameter holding the object


def defining_class(func) -> type | None:
    """The class whose body defines ``func`` (by its qualified name, in its
    module), or None for a plain function or a class defined in a function."""
    *path, _ = func.__qualname__.split(".")
    if not path or "<locals>" in path:
        return None
    found = func.__globals__.get(path[0])
    for part in path[1:]:
        found = getattr(found, part, None)
    if not isinstance(found, type) or found.__dict__.get(func.__name__) is None:
        return None
    return found


def lookup(owner: type, name: str) -> Method | None:
    """The plain function (or static method) ``owner`` has under ``name``."""
    for cls in owner.__mro__:
        if name in cls.__dict__:
            found = cls.__dict__[name]
            if isinstance(found, staticmethod):
                found = found.__func__
                return Method(name, found, True) if _plain(found) else None
            return Method(name, found, False) if _plain(found) else None
    return None


def is_record_class(cls) -> bool:
    """A named tuple, a dataclass whose ``__init__`` only stores its fields (no
    ``__post_init__``, no field left out of it, none of its own), or a class
    whose ``__init__`` only stores each of its parameters under its own name
    (``self.W = W``)."""
    if not dataclasses.is_dataclass(cls) and not issubclass(cls, tuple):
        return _stores_its_parameters(cls)
    if issubclass(cls, tuple):
        doc = getattr(cls.__new__, "__doc__", None) or ""  # the one namedtuple writes
        return hasattr(cls, "_fields") and doc.startswith("Create new instance of ")
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return False
    fields = dataclasses.fields(cls)
    return all(f.init for f in fields) and "__init__" not in {
        k for c in cls.__mro__[:-1] if not dataclasses.is_dataclass(c) for k in vars(c)
    }


def _stores_its_parameters(cls) -> bool:
    """``cls.__init__`` (its own, the only one in its bases) is
    ``self.a = a; self.b = b; ...``, one statement for each parameter, and
    nothing else makes or changes its objects (``__new__``, ``__setattr__``)."""
    own = [c for c in cls.__mro__[:-1] if "__init__" in vars(c)]
    if own != [cls] or any(
        k in vars(c) for c in cls.__mro__[:-1] for k in ("__new__", "__setattr__")
    ):
        return False
    init = vars(cls)["__init__"]
    if not isinstance(init, types.FunctionType):
        return False
    try:
        node = closures.tree_of(init)[0]
    except Exception:  # no source
        return False
    args = node.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        return False
    me, *params = [a.id for a in args.args]
    body = node.body
    if (
        body
        and isinstance(body[0], gast.Expr)
        and isinstance(body[0].value, gast.Constant)
    ):
        body = body[1:]  # the docstring
    stored = []
    for stmt in body:
        if not (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Attribute)
            and isinstance(stmt.targets[0].value, gast.Name)
            and stmt.targets[0].value.id == me
            and isinstance(stmt.value, gast.Name)
            and stmt.value.id == stmt.targets[0].attr
        ):
            return False
        stored.append(stmt.value.id)
    return sorted(stored) == sorted(params) and len(set(stored)) == len(stored)


def made_here(node: gast.FunctionDef, scope) -> dict:
    """Names the function binds once, to a record it makes (``p = Pair(a, b)``):
    name -> its class, whose methods ``p.total()`` calls."""
    counts: dict[str, int] = {}
    made = {}
    for n in anno.walk(gast.Module(body=node.body, type_ignores=[])):
        if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
            counts[n.id] = counts.get(n.id, 0) + 1
        if (
            isinstance(n, gast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], gast.Name)
            and isinstance(n.value, gast.Call)
        ):
            cls = scope.resolve(n.value.func)
            if isinstance(cls, type) and is_record_class(cls):
                made[n.targets[0].id] = cls
    made.update(_loop_items(node, scope))
    return {k: v for k, v in made.items() if counts.get(k) == 1}


def _loop_items(node: gast.FunctionDef, scope) -> dict:
    """Loop targets over a list or tuple the function makes of records of one
    class and never changes (``layers = [Dense(W1), Dense(W2)]``, then ``for
    layer in layers`` or ``for i, layer in enumerate(layers)``): target -> class."""
    tree = gast.Module(body=node.body, type_ignores=[])
    lists = {}
    for stmt in node.body:
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, (gast.List, gast.Tuple))
        ):
            lists[stmt.targets[0].id] = _one_record_class(stmt.value.elts, scope)
    read = set()  # the names read as a loop's iterable, for an item or a length
    for n in anno.walk(tree):
        if isinstance(n, gast.For):
            it = n.iter
            if _is_enumerate(it, scope):
                it = it.args[0]
            read.add(id(it))
        elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Load):
            read.add(id(n.value))
        elif isinstance(n, gast.Call) and scope.resolve(n.func) is len and n.args:
            read.add(id(n.args[0]))
    for n in anno.walk(tree):
        if isinstance(n, gast.Name) and n.id in lists:
            if not isinstance(n.ctx, gast.Load) or id(n) not in read:
                if not isinstance(n.ctx, gast.Store) or lists[n.id] is None:
                    lists[n.id] = None
                elif sum(1 for s in node.body if _binds(s, n.id)) != 1:
                    lists[n.id] = None
    found = {}
    for n in anno.walk(tree):
        if not isinstance(n, gast.For):
            continue
        target, it = n.target, n.iter
        if _is_enumerate(it, scope) and isinstance(target, gast.Tuple):
            target, it = target.elts[-1] if len(target.elts) == 2 else None, it.args[0]
        if (
            isinstance(target, gast.Name)
            and isinstance(it, gast.Name)
            and lists.get(it.id) is not None
        ):
            found[target.id] = lists[it.id]
    return found


def _one_record_class(items, scope):
    classes = set()
    for item in items:
        cls = scope.resolve(item.func) if isinstance(item, gast.Call) else None
        if not (isinstance(cls, type) and is_record_class(cls)):
            return None
        classes.add(cls)
    return classes.pop() if len(classes) == 1 else None


def _is_enumerate(it, scope) -> bool:
    return (
        isinstance(it, gast.Call)
        and scope.resolve(it.func) is enumerate
        and len(it.args) == 1
        and not it.keywords
    )


def _binds(stmt, name: str) -> bool:
    return any(
        isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Store)
        for n in anno.walk(stmt)
    )


def of_object(function):
    """``function`` as a bound method of an object whose class has it under its
    name (an object with ``__call__``: that method), or None."""
    call = getattr(type(function), "__call__", None)  # noqa: B004 (the method itself)
    if not isinstance(function, types.MethodType) and isinstance(
        call, types.FunctionType
    ):
        function = function.__call__
    if not isinstance(function, types.MethodType) or isinstance(
        function.__self__, type
    ):
        return None
    found = lookup(type(function.__self__), function.__name__)
    return (
        function if found is not None and found.function is function.__func__ else None
    )


def fresh_name(function, param: str, used: set) -> str:
    """A name for what a parameter holds: its class's, or its own, where free."""
    method = of_object(function)
    held = type(method.__self__) if method is not None else function
    name = getattr(held, "__name__", "")
    if not name.isidentifier() or name in used:
        name = f"{param}_arg"
    used.add(name)
    return name


def _plain(obj) -> bool:
    return isinstance(obj, types.FunctionType)


def direct(
    node: gast.FunctionDef, owners: dict, scope, namer, made: dict
) -> tuple[Method, ...]:
    """Rewrite ``p.m(args)`` in ``node``, for each parameter ``p`` (never rebound)
    whose object's class ``owners`` gives, and each record ``made`` here, to
    ``Owner.m(p, args)`` (and ``p(args)`` to ``Owner.__call__(p, args)``); the
    methods so called on parameters."""
    stored = rebound(node)
    found: dict[tuple, Method] = {}
    for me, owner in sorted({**owners, **made}.items()):
        if (me in stored and me not in made) or owner is None:
            continue
        reached = None
        for call in anno.walk(node):
            method = _method_call(call, me, owner)
            if method is None:
                continue
            reached = reached or _class_name(owner, scope, namer)
            call.func = gast.Attribute(
                value=anno.dotted(reached), attr=method.name, ctx=gast.Load()
            )
            if not method.static:
                call.args.insert(0, anno.dotted(me))
            if me not in made:
                found[me, method.name] = dataclasses.replace(method, receiver=me)
    return tuple(found[k] for k in sorted(found))


def rebound(node: gast.FunctionDef) -> set[str]:
    """The names ``node``'s body binds (a parameter among them is rebound)."""
    tree = gast.Module(body=node.body, type_ignores=[])
    return {
        n.id
        for n in anno.walk(tree)
        if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)
    }


# the types whose methods are the array's and the containers' (``d.items()``)
_VALUE_TYPES = (numpy.ndarray, list, dict, tuple, str, float)


def receivers(node: gast.FunctionDef) -> tuple[str, ...]:
    """The parameters of ``node`` (never rebound) whose methods it calls
    (``model.loss(x)``), methods of arrays and containers (``x.sum()``,
    ``d.items()``) left out."""
    from .normalize import METHODS

    params = [a.id for a in node.args.posonlyargs + node.args.args]
    tree = gast.Module(body=node.body, type_ignores=[])
    stored = rebound(node)
    called = {
        n.func.value.id
        for n in anno.walk(tree)
        if isinstance(n, gast.Call)
        and isinstance(n.func, gast.Attribute)
        and isinstance(n.func.value, gast.Name)
        and n.func.attr not in METHODS
        and not any(hasattr(t, n.func.attr) for t in _VALUE_TYPES)
    }
    found = [p for p in params if p in called and p not in stored]
    return tuple(found + attribute_receivers(node, params, stored))


def attribute_receivers(node, params, stored) -> list[str]:
    """``self.layer`` where ``node`` calls ``self.layer.forward(x)``: an attribute
    of a parameter (never rebound, the attribute never set) whose methods it
    calls, as a dotted path."""
    from .normalize import METHODS

    tree = gast.Module(body=node.body, type_ignores=[])
    set_here = {
        dotted_path(n)
        for n in anno.walk(tree)
        if isinstance(n, gast.Attribute) and not isinstance(n.ctx, gast.Load)
    }
    paths = set()
    for n in anno.walk(tree):
        if not (isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)):
            continue
        path = dotted_path(n.func.value)
        if (
            path is not None
            and "." in path
            and path.split(".")[0] in params
            and path.split(".")[0] not in stored
            and path not in set_here
            and n.func.attr not in METHODS
            and not any(hasattr(t, n.func.attr) for t in _VALUE_TYPES)
        ):
            paths.add(path)
    return sorted(paths)


def dotted_path(node) -> str | None:
    """``"self.layer"`` of the expression ``self.layer``; None for another."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def follow(obj, path: str):
    """What ``path`` (``"layer"``, ``"a.b"``) reads from ``obj``."""
    for part in path.split(".") if path else ():
        obj = getattr(obj, part)
    return obj


def _method_call(call, me: str, owner: type) -> Method | None:
    """``me.m(...)``'s method, or ``me(...)``'s ``__call__``, found on ``owner``
    (``me`` a name, or a path: ``self.layer``)."""
    if not isinstance(call, gast.Call):
        return None
    if (
        isinstance(call.func, gast.Name)
        and call.func.id == me
        and isinstance(call.func.ctx, gast.Load)
    ):  # self(x): the object called, its class's __call__
        return lookup(owner, "__call__")
    if not (
        isinstance(call.func, gast.Attribute) and dotted_path(call.func.value) == me
    ):
        return None
    return lookup(owner, call.func.attr)


def _class_name(owner: type, scope, namer) -> str:
    """A name (or dotted path) under which generated code reaches ``owner``: its
    own where the function's scope has it, else a new one put in that scope."""
    path = owner.__qualname__
    if "<locals>" not in path:
        root, *rest = path.split(".")
        found = scope.lookup(root)
        for part in rest:
            found = getattr(found, part, None)
        if found is owner:
            return path
    name = namer.fresh(owner.__name__)
    scope.closure[name] = owner
    return name


def check(methods: tuple[Method, ...], values: dict, qualname: str) -> None:
    """Raise where an object (``values``: parameter -> argument) has another
    function under the name of a method the derivative was made for."""
    for m in methods:
        root, _, path = m.receiver.partition(".")
        obj = follow(values.get(root), path)
        cls = type(obj)
        found = lookup(cls, m.name)
        if (
            found is None
            or found.function is not m.function
            or m.name in getattr(obj, "__dict__", ())
        ):
            raise ArgumentError(
                f"the derivative of {qualname} calls {m.function.__qualname__} for "
                f"{m.receiver}.{m.name}, but this {cls.__qualname__} object has "
                f"another {m.name}",
                hint="define the method on the class (the derivative is made for "
                "each class of object), not on the object",
            )
