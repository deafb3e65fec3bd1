"""Points-to analysis: which objects each name of a function may hold.

A *site* stands for the objects one expression makes (or a parameter, or a value
from outside the function).  Views (``x[1:]``, ``x.T``, ``np.reshape(x, ...)``)
hold their base's site, a list holds its items' sites, and an update in place
(``x += e``, ``x[i] = e``, ``x.append(e)``, ``out=x``) is recorded with the
sites it changes and the state before it, for ``aliases`` to judge.
"""

from __future__ import annotations

import builtins
import math
from collections import Counter

import gast
import numpy

from ..anno import root_name, walk
from ..naming import is_stack_name
from ..runtime.facts import facts_of
from ..template import ADJOINTS
from .callees import is_user_function
from .scope import is_module, is_resolved

# NumPy functions and array methods whose result shares memory with an argument.
VIEW_FUNCTIONS = set(
    "reshape ravel transpose squeeze expand_dims asarray asanyarray ascontiguousarray "
    "asfortranarray atleast_1d atleast_2d atleast_3d broadcast_to broadcast_arrays "
    "swapaxes moveaxis rollaxis diagonal real imag flip fliplr flipud rot90 split "
    "array_split hsplit vsplit dsplit matrix_transpose permute_dims unstack".split()
)
VIEW_METHODS = {
    "reshape",
    "ravel",
    "transpose",
    "squeeze",
    "view",
    "swapaxes",
    "diagonal",
}
VIEW_ATTRIBUTES = {"T", "mT", "real", "imag", "flat", "base"}
# Methods that change their object in place; the value they return, if any, is an item.
UPDATING_METHODS = set(
    "append extend insert pop remove clear reverse sort fill put resize itemset partition "
    "setflags setfield".split()
)
# NumPy functions that write into their first argument.
UPDATING_FUNCTIONS = {
    "copyto",
    "put",
    "place",
    "putmask",
    "fill_diagonal",
    "put_along_axis",
}
# Builtins whose result holds (or is) their arguments' items.
ITEM_BUILTINS = {
    "list",
    "tuple",
    "sorted",
    "reversed",
    "iter",
    "enumerate",
    "zip",
    "set",
}
PASSING_BUILTINS = {"min", "max", "next"}
# builtins that compute a new value, an array where their arguments are arrays
# (``sum(xs)`` is ``0 + xs[0] + ...``): one the function may update in place
COMPUTING_BUILTINS = {"sum", "abs", "pow", "round"}

LIST, ARRAY, OTHER = "list", "array", "other"  # what a site is known to be


class Site:
    """An object the function may hold: a parameter, an outer value, or what one
    expression makes (one site stands for every object made there)."""

    __slots__ = ("label", "kind", "external")

    def __init__(self, label: str, kind: str = OTHER, external: str = ""):
        self.label = label
        self.kind = kind
        self.external = external  # how code outside the function sees it, if it does


class PointsTo:
    """Forward analysis: the sites each name may hold before every statement."""

    def __init__(
        self,
        scope,
        params: list[str],
        locals_: set[str],
        helper: bool,
        callee,
        peel: bool = False,
        paired: dict[str, set[str]] | None = None,
    ):
        """``callee(func)``: whether the user's function ``func``, called here, may
        return one of its arguments (it raises where ``func`` itself is refused).
        ``peel``: follow each loop's first turn apart from the later ones (more
        precise, and slower: each body is followed once more).  ``paired``: the
        names each save stack of generated code gives back what it saved of
        (``paired_pops``)."""
        self.scope = scope
        self.locals = locals_
        self.callee = callee
        self.peel = peel
        self.paired = paired or {}
        self.turns: tuple = ()  # the loops around, and whether in their first turn
        self.made: dict[int, Site] = {}
        self.older: dict[Site, Site] = {}  # a site's objects made before its last
        self.outer: dict[str, Site] = {}
        self.updates: dict[
            tuple, tuple
        ] = {}  # (id(stmt), name, turns) -> (stmt, name, sites, state)
        caller = "an argument the caller passed in" if helper else ""
        self.params = {p: Site(p, external=caller) for p in params}
        self.stmt = None
        self.returned: set = set()  # every site a return may hold, however deep

    def start(self) -> dict:
        return {p: frozenset({s}) for p, s in self.params.items()}

    # statements ---------------------------------------------------------------
    def block(self, stmts, state: dict) -> dict:
        for stmt in stmts:
            state = self.statement(stmt, state)
        return state

    # One case per kind of statement, each moving objects its own way: assignments
    # bind, augmented ones update in place, loops run to a fixed point, branches join,
    # ``with`` binds its managers' values, a handler may start anywhere in its
    # ``try``, and what is returned is recorded.
    def statement(self, node, state: dict) -> dict:
        self.stmt = node
        state = dict(state)
        if isinstance(node, (gast.Assign, gast.AnnAssign)):
            if node.value is not None:
                targets = (
                    node.targets if isinstance(node, gast.Assign) else [node.target]
                )
                for target in targets:
                    self.bind(target, node.value, state)
        elif isinstance(node, gast.AugAssign):
            self.update_target(node.target, state, self.value(node.value, state), True)
        elif isinstance(node, gast.For):
            return self.loop(node, state, node.iter)
        elif isinstance(node, gast.While):
            return self.loop(node, state, node.test)
        elif isinstance(node, gast.If):
            self.value(node.test, state)
            return join(self.block(node.body, state), self.block(node.orelse, state))
        elif isinstance(node, gast.With):
            for item in node.items:
                sites = self.value(item.context_expr, state)
                if item.optional_vars is not None:
                    self.bind_sites(item.optional_vars, sites, state)
            return self.block(node.body, state)
        elif isinstance(node, gast.Try):
            body = self.block(node.body, state)
            entry = join(state, body)  # a handler may start anywhere in the body
            out = body
            for handler in node.handlers:
                out = join(out, self.block(handler.body, dict(entry)))
            return out
        elif isinstance(node, gast.Return) and node.value is not None:
            sites = self.value(node.value, state)
            self.returned |= self.reach(sites, state)
        elif isinstance(node, gast.Expr):
            self.value(node.value, state)
        return state

    def loop(self, node, state: dict, head) -> dict:
        """The state after a loop: its body followed to a fixed point.  Peeled,
        the first turn starts from the state before the loop and the later ones
        from the states its turns end with, so that what a name held before the
        loop is not taken to meet what the body put in a list after rebinding
        that name (``xs.append(g); g = np.zeros_like(g)``, with ``g`` from before
        the loop)."""
        entry = state
        if self.peel:
            entry = self.turn(node, state, head, True)
        while True:
            after = join(entry, self.turn(node, entry, head, False))
            if after == entry:
                return join(state, after)
            entry = after

    def turn(self, node, state: dict, head, first: bool) -> dict:
        """The state after one turn of a loop's body, from ``state``."""
        inner = dict(state)
        self.stmt = node
        outer, self.turns = self.turns, (*self.turns, (id(node), first))
        if isinstance(node, gast.For):
            self.bind_sites(
                node.target, self.items(self.value(head, inner), inner), inner
            )
        else:
            self.value(head, inner)
        after = self.block(node.body, inner)
        self.turns = outer
        return after

    def bind(self, target, value, state: dict) -> None:
        if isinstance(target, (gast.Tuple, gast.List)) and isinstance(
            value, (gast.Tuple, gast.List)
        ):
            if len(target.elts) == len(value.elts):
                sites = [self.value(v, state) for v in value.elts]
                for t, s in zip(target.elts, sites):
                    self.bind_sites(t, s, state)
                return
        self.bind_sites(target, self.value(value, state), state)

    def bind_sites(self, target, sites: frozenset, state: dict) -> None:
        if isinstance(target, gast.Name):
            state[target.id] = sites
        elif isinstance(target, (gast.Tuple, gast.List)):
            for elt in target.elts:
                self.bind_sites(elt, self.items(sites, state), state)
        elif isinstance(target, gast.Subscript):
            self.update_target(target, state, sites)

    def update_target(
        self, target, state: dict, stored: frozenset, augmented=False
    ) -> None:
        """``target op= value`` or ``target[i] = value``: an update of what it holds
        (``xs[i] += e`` also updates the item of a list in place)."""
        if isinstance(target, gast.Name):
            self.record(target.id, state.get(target.id, frozenset()), state)
        elif isinstance(target, gast.Subscript):
            base = self.value(target.value, state)
            self.value(target.slice, state)
            root = root_name(target.value)
            if root is not None:
                self.record(
                    root, (base | self.items(base, state)) if augmented else base, state
                )
            for site in base:
                if site.kind != ARRAY:  # an array copies what is stored in it
                    state[site] = state.get(site, frozenset()) | stored

    def record(self, name: str, sites: frozenset, state: dict) -> None:
        stmt = self.stmt
        self.updates[id(stmt), name, self.turns] = (stmt, name, sites, dict(state))

    # expressions ---------------------------------------------------------------
    # One branch per kind of expression, since each says differently which objects its
    # value may be: a name what it holds, a subscript an item, a view attribute its
    # base, a literal or a list concatenation a new list of items, ``and``/``or`` and
    # ``if``-``else`` either side.
    def value(self, node, state: dict) -> frozenset:
        if isinstance(node, gast.Name):
            return self.name(node.id, state)
        if isinstance(node, gast.Subscript):
            self.value(node.slice, state)
            return self.items(self.value(node.value, state), state)
        if isinstance(node, gast.Attribute):
            if is_resolved(self.scope.resolve(node)) and not self.is_local(node):
                return frozenset()
            base = self.value(node.value, state)
            return base if node.attr in VIEW_ATTRIBUTES else frozenset()
        if isinstance(node, gast.Call):
            return self.call(node, state)
        if isinstance(node, (gast.Tuple, gast.List, gast.Set, gast.Dict)):
            parts = node.values if isinstance(node, gast.Dict) else node.elts
            return self.make(node, state, LIST, [self.value(p, state) for p in parts])
        if isinstance(node, gast.BinOp):
            left, right = self.value(node.left, state), self.value(node.right, state)
            if isinstance(node.op, (gast.Add, gast.Mult)) and (
                self.is_list(left) or self.is_list(right)
            ):
                parts = [self.items(left, state), self.items(right, state)]
                return self.make(node, state, LIST, parts)
            return self.make(node, state)
        if isinstance(node, gast.UnaryOp) and not isinstance(node.op, gast.Not):
            self.value(node.operand, state)
            return self.make(node, state)  # -x, +x, ~x of an array: a new array
        if isinstance(node, (gast.BoolOp, gast.IfExp)):
            parts = (
                node.values
                if isinstance(node, gast.BoolOp)
                else [node.body, node.orelse]
            )
            if isinstance(node, gast.IfExp):
                self.value(node.test, state)
            return frozenset().union(*(self.value(p, state) for p in parts))
        for child in gast.iter_child_nodes(node):
            if isinstance(child, gast.expr):
                self.value(child, state)
        return frozenset()

    def name(self, name: str, state: dict) -> frozenset:
        if name in self.locals:
            return state.get(name, frozenset())
        obj = self.scope.lookup(name)
        if not is_resolved(obj) or isinstance(obj, (int, float, complex, str, bool)):
            return frozenset()
        if is_module(obj) or callable(obj):
            return frozenset()
        site = self.outer.setdefault(
            name, Site(name, external="defined outside the function")
        )
        return frozenset({site})

    def is_local(self, node) -> bool:
        root = root_name(node)
        return root is not None and root in self.locals

    def call(self, node, state: dict) -> frozenset:
        args = [self.value(a, state) for a in node.args]
        keywords = {k.arg: self.value(k.value, state) for k in node.keywords}
        for k in node.keywords:
            if k.arg == "out":
                self.update_target(_out_target(k.value), state, frozenset())
        func = node.func
        obj = self.scope.resolve(func) if not self.is_local(func) else None
        if isinstance(func, gast.Attribute) and (obj is None or not is_resolved(obj)):
            return self.method(node, func, state, args)
        everything = frozenset().union(*args, *keywords.values())
        return self.function(node, obj, args, everything, state)

    def method(self, node, func, state: dict, args) -> frozenset:
        base = self.value(func.value, state)
        if func.attr in UPDATING_METHODS:
            root = root_name(func.value)
            stack = root if root is not None and is_stack_name(root) else None
            if root is not None and stack is None:  # generated code's own
                self.record(root, base, state)
            for site in base:
                state[site] = state.get(site, frozenset()).union(*args)
            if stack is not None and func.attr == "append" and len(args) == 1:
                self.push(stack, node.args[0], args[0], state)
            restored = self.restored(stack, node, state) if stack else None
            if restored is not None:
                return restored
            if func.attr == "pop":  # an item taken out: never the container itself
                return self.items(base, state) - base
            return self.items(base, state)
        if func.attr in VIEW_METHODS:
            return base
        return self.make(node, state, OTHER)

    # A save stack of generated code gives each name back what it saved of it:
    # ``u = _stack.pop()`` takes what a ``_stack.append(u)`` pushed, not any item
    # (``paired_pops`` says for which names that holds).  What other pushes saved
    # goes to every pop.
    def push(self, stack: str, pushed, sites: frozenset, state: dict) -> None:
        name = pushed.id if isinstance(pushed, gast.Name) else None
        key = (stack, name if name in self.paired.get(stack, ()) else None)
        state[key] = state.get(key, frozenset()) | sites

    def restored(self, stack: str, node, state: dict) -> frozenset | None:
        """What ``name = stack.pop()`` (``node``) gives back to a paired name."""
        stmt = self.stmt
        if not (
            isinstance(stmt, gast.Assign)
            and stmt.value is node
            and not node.args
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and node.func.attr == "pop"
        ):
            return None
        name = stmt.targets[0].id
        if name not in self.paired.get(stack, ()):
            return None
        return state.get((stack, name), frozenset()) | state.get(
            (stack, None), frozenset()
        )

    # Whether a call's result shares memory with its arguments depends on what is
    # called: builtins pass or hold their arguments, NumPy makes views or writes in
    # place, math gives numbers, generated code makes fresh zeros, a helper may be
    # known to return none of its arguments.  Anything else may hold any of them.
    def function(self, node, obj, args, everything, state: dict) -> frozenset:
        first = args[0] if args else frozenset()
        name = getattr(obj, "__name__", None)
        if name and getattr(builtins, name, None) is obj:
            if name in PASSING_BUILTINS:
                return everything | self.items(everything, state)
            if name in ITEM_BUILTINS:
                return self.make(
                    node, state, LIST, [self.items(everything, state), everything]
                )
            if name in COMPUTING_BUILTINS:  # sum([], start) is start itself
                start = args[1] if name == "sum" and len(args) > 1 else frozenset()
                return self.make(node, state) | start
            return frozenset()
        if _is_numpy(obj):
            if name in UPDATING_FUNCTIONS and node.args:
                self.update_target(_out_target(node.args[0]), state, frozenset())
            if name in VIEW_FUNCTIONS:
                return first | self.make(node, state, LIST, [first])
            return self.make(node, state)
        if getattr(obj, "__module__", None) in ("math", "cmath") or isinstance(
            obj, type(math.sin)
        ):
            return frozenset()
        declared = facts_of(obj)
        if declared is not None and declared.item_of is not None:
            return self.items(args[declared.item_of], state)  # never the container
        if declared is not None and declared.fresh:
            return self.make(node, state)  # new zeros, shared with nothing
        if declared is not None and declared.held:
            return self.held(node, declared, args, state)
        if _is_transformed(obj) and not self.callee(obj):
            return self.make(node, state)  # a helper returning none of its arguments
        # the user's own functions and anything else: the result may hold any argument
        parts = [everything, self.items(everything, state)]
        return self.make(node, state, OTHER, parts) | everything

    def held(self, node, declared, args, state: dict) -> frozenset:
        """A helper that holds (parts of) some arguments only (those it is linear
        in, whose shapes the others give): one that makes a list holds them in a
        new list."""
        held = frozenset().union(*(args[i] for i in declared.held if i < len(args)))
        parts = [held, self.items(held, state)]
        if declared.returns_list:
            return self.make(node, state, LIST, parts)
        if declared.holds and declared.holds[0] < len(args):
            # the first may be the result itself, or give it its items; the
            # others may be held in it
            first = args[declared.holds[0]]
            rest = frozenset().union(*(args[i] for i in declared.holds[1:]))
            parts = [self.items(first, state), rest, self.items(rest, state)]
            return self.make(node, state, OTHER, parts) | first
        return self.make(node, state, OTHER, parts) | held

    # sites -----------------------------------------------------------------------
    def make(self, node, state: dict, kind: str = ARRAY, parts=()) -> frozenset:
        """The site of what ``node`` makes, holding ``parts`` (kept in ``state``).

        A site stands for the object ``node`` made last; those it made before (in
        earlier turns of a loop) are its older twin's, so that a new array updated
        in place is not taken for last turn's, which another name may hold
        (``u_next = np.zeros_like(u)`` after ``u = u_next``)."""
        site = self.made.get(id(node))
        if site is None:
            label = f"line {getattr(node, 'lineno', '?')}"
            site = self.made[id(node)] = Site(label, kind)
            self.older[site] = Site(label, kind)
        older = self.older[site]
        aged = {older if s is site else s for part in parts for s in part}
        _replace(state, site, older)
        if aged:
            state[site] = frozenset(aged)
        return frozenset({site})

    @staticmethod
    def items(sites: frozenset, state: dict) -> frozenset:
        """What iterating or indexing these objects may give: their items, and for
        anything but a list, views of themselves."""
        out = set()
        for site in sites:
            out.update(state.get(site, ()))
            if site.kind != LIST:
                out.add(site)
        return frozenset(out)

    @staticmethod
    def reach(sites, state: dict) -> set:
        """These objects and every object held in them, however deep."""
        seen, todo = set(), list(sites)
        while todo:
            site = todo.pop()
            if site not in seen:
                seen.add(site)
                todo.extend(state.get(site, ()))
        return seen

    @staticmethod
    def is_list(sites: frozenset) -> bool:
        return bool(sites) and all(s.kind == LIST for s in sites)


def paired_pops(func_node) -> dict[str, set[str]]:
    """For each save stack the function makes (``_stack = []``), the names whose
    every pop (``u = _stack.pop()``) takes back what a push of the same name
    (``_stack.append(u)``) saved, as generated code saves and restores: as many
    pushes of the name as pops into it."""
    made, pushes, pops = set(), Counter(), Counter()
    for node in walk(func_node):
        if not isinstance(node, (gast.Assign, gast.Expr)):
            continue
        call = node.value
        target = node.targets[0] if isinstance(node, gast.Assign) else None
        if isinstance(call, gast.List) and isinstance(target, gast.Name):
            made.add(target.id)
        if not (
            isinstance(call, gast.Call)
            and isinstance(call.func, gast.Attribute)
            and isinstance(call.func.value, gast.Name)
            and is_stack_name(call.func.value.id)
        ):
            continue
        stack, args = call.func.value.id, call.args
        if call.func.attr == "append" and len(args) == 1:
            pushes[stack, getattr(args[0], "id", None)] += 1
        elif call.func.attr == "pop" and not args and isinstance(target, gast.Name):
            if len(node.targets) == 1:
                pops[stack, target.id] += 1
    paired: dict[str, set[str]] = {}
    for (stack, name), count in pops.items():
        if stack in made and pushes[stack, name] == count:
            paired.setdefault(stack, set()).add(name)
    return paired


def _replace(state: dict, site: Site, by: Site) -> None:
    """``site`` is ``by`` wherever ``state`` holds it, and what it holds, ``by``'s."""
    for key, sites in list(state.items()):
        if site in sites:
            state[key] = (sites - {site}) | {by}
    if site in state:
        state[by] = state.get(by, frozenset()) | state.pop(site)


def join(a: dict, b: dict) -> dict:
    out = dict(a)
    for name, sites in b.items():
        out[name] = out.get(name, frozenset()) | sites
    return out


def _out_target(node):
    """The array an ``out=`` argument writes into (``out=(y,)`` writes into ``y``)."""
    if isinstance(node, gast.Tuple) and len(node.elts) == 1:
        return node.elts[0]
    return node


def _is_numpy(obj) -> bool:
    if isinstance(obj, numpy.ufunc):
        return True
    module = getattr(obj, "__module__", None) or ""
    return module == "numpy" or module.startswith("numpy.")


def _is_transformed(obj) -> bool:
    return is_user_function(obj, ADJOINTS)
