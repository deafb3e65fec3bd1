"""A grammar of small numeric programs for the differential fuzzer (tests/test_fuzz.py).

``Generator(choose).program()`` returns Python source text of a module with helper
functions and a main function ``f``, plus the shapes of ``f``'s parameters.
``choose(lo, hi)`` returns an int in ``[lo, hi]``: hypothesis drives it in the tests,
``random.Random(seed).randint`` works too. Programs are built so that:

- every value stays bounded (exp only of sin/tanh or in a sigmoid
  ``1 / (1 + exp(-e))``, log only of ``1 + e * e`` or of a sigmoid of sin/tanh,
  division only by ``1.5 + cos(e)`` or ``1 + e * e``, integer powers or fractional
  powers of ``1 + e * e``), so central differences are accurate;
- arrays are never aliased: in-place updates only touch local arrays created by an
  expression, or ``+=`` a ``()`` parameter of ``f`` (never of a helper, whose caller
  would see it: tangentlike refuses that), so ``f`` does not mutate its inputs;
- shapes are tracked exactly: ``()``, ``(3,)`` and ``(2, 3)``, mixed by broadcasting;
- values to differentiate also pass through constructors (``np.full``,
  ``np.linspace``, ``np.array([...])``), helpers taking ``*args`` or ``**kwargs``,
  calls through a name holding a function, and small classes holding arrays, so
  that a value wrongly taken for a constant is searched for.  A program with a
  class may be refused (``Generator.refusable``), never given a wrong derivative.

``STATS`` collects counts for the session summary printed by ``tests/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATS = {
    "programs": 0,
    "gradients": 0,
    "jvps": 0,
    "mismatches": 0,
    "errors": 0,
    "refused": 0,  # programs refused on purpose (a TangentlikeError)
    "hvps": 0,  # second-order checks (v.H.v)
    "metamorphic": 0,  # programs written two ways, both differentiated
}

SHAPES = [(), (3,), (2, 3)]
CONSTANTS = ["0.5", "2.0", "1.5", "-0.7", "3.0", "0.25"]
UNARY = [
    "np.sin({})",
    "np.cos({})",
    "np.tanh({})",
    "np.exp(np.sin({}))",
    "np.exp(np.tanh({}))",
    "np.log(1.0 + {0} * {0})",
    "({}) ** 2",
    "({}) ** 3",
    "(1.0 + {0} * {0}) ** 0.5",
    "(-({}))",
    "(1.0 / (1.0 + np.exp(-({}))))",
    "np.log(1.0 / (1 + np.exp(-np.sin({}))))",
    "np.log(1.0 - 1.0 / (1.0 + np.exp(-np.tanh({}))))",
]
BINARY = [
    "({0} + {1})",
    "({0} - {1})",
    "({0} * {1})",
    "({0} / (1.5 + np.cos({1})))",
    "({0} / (1.0 + {1} * {1}))",
]


def suffixes(shape: tuple) -> list[tuple]:
    """Shapes that broadcast into ``shape`` without growing it."""
    return [shape[k:] for k in range(len(shape) + 1)]


@dataclass
class Var:
    name: str
    shape: tuple
    mutable: bool  # a local array that nothing else refers to
    shared: bool = False  # a helper's parameter: its caller holds it too


@dataclass
class Helper:
    name: str
    params: list[tuple]
    result: tuple
    style: str = "plain"  # "star": def h(*args); "keywords": def h(**kw)


@dataclass
class Scope:
    vars: list[Var] = field(default_factory=list)
    loops: list[tuple[str, int]] = field(
        default_factory=list
    )  # (index name, trip count)

    def of_shape(self, shape) -> list[Var]:
        return [v for v in self.vars if v.shape == shape]


ELEMENTWISE = ["np.sin", "np.tanh", "np.cos"]


def header(name: str, params: str, style: str) -> list[str]:
    """The first lines of a function taking ``params``, as named parameters, as
    ``*args`` (``a = args[0]``) or as ``**kw`` (``a = kw["a"]``)."""
    if style == "star":
        return [f"def {name}(*args):"] + [
            f"    {p} = args[{k}]" for k, p in enumerate(params)
        ]
    if style == "keywords":
        return [f"def {name}(**kw):"] + [f'    {p} = kw["{p}"]' for p in params]
    return [f"def {name}({', '.join(params)}):"]


def arguments(args: list[str], style: str) -> str:
    """A call's arguments for a function of ``header``'s ``style``."""
    if style == "keywords":
        return ", ".join(f"{p}={a}" for p, a in zip("abc", args))
    return ", ".join(args)


@dataclass
class Holder:
    """A class holding two arrays, with a method computing from them."""

    name: str
    params: list[tuple]
    result: tuple


class Constructors:
    """Productions of values made by constructors and objects, mixed into
    ``Generator``: where a value to differentiate could be taken for a constant."""

    def constructed(self, scope: Scope, shape: tuple, depth: int) -> str:
        """``np.full``, ``np.linspace`` or ``np.array([...])`` of computed values."""
        if shape == ():
            return f"np.sum({self.constructed(scope, (3,), depth)})"
        kind = self.pick(["full", "linspace", "array"])
        if kind == "full":
            return f"np.full({shape!r}, {self.expr(scope, (), depth - 1)})"
        if kind == "linspace":
            n, ends = shape[0], shape[1:]
            a, b = (self.expr(scope, ends, depth - 1) for _ in "ab")
            return f"np.linspace({a}, {b}, {n})"
        items = [self.expr(scope, shape[1:], depth - 1) for _ in range(shape[0])]
        return f"np.array([{', '.join(items)}])"

    def holder(self, name: str) -> str:
        """A small class holding two arrays, and a method computing from them."""
        shapes = [self.pick(SHAPES) for _ in "uv"]
        result = self.pick(SHAPES)
        scope = Scope([Var(f"self.{p}", s, False, True) for p, s in zip("uv", shapes)])
        self.refusable = True
        lines = [
            f"class {name}:",
            "    def __init__(self, u, v):",
            "        self.u = u",
            "        self.v = v",
            "",
            "    def mix(self):",
            f"        return {self.expr(scope, result, 2, top=True)}",
        ]
        self.holders.append(Holder(name, shapes, result))  # not called in itself
        return "\n".join(lines) + "\n"

    def held(self, scope: Scope, shape: tuple, depth: int) -> str:
        """``Holder0(e1, e2).mix()`` of the result's shape, or a binary operation."""
        holders = [h for h in self.holders if h.result == shape]
        if not holders:
            return self.binary(scope, shape, depth)
        h = self.pick(holders)
        args = ", ".join(self.expr(scope, s, depth - 1) for s in h.params)
        return f"{h.name}({args}).mix()"


class Generator(Constructors):
    """Random programs from the grammar; every decision goes through ``choose``."""

    def __init__(self, choose, max_depth: int = 2, max_stmts: int = 5):
        self.choose = choose
        self.max_depth = max_depth
        self.max_stmts = max_stmts
        self.helpers: list[Helper] = []
        self.counter = 0
        self.holders: list[Holder] = []
        self.refusable = False  # a construct tangentlike may refuse (a class)

    def pick(self, items):
        return items[self.choose(0, len(items) - 1)]

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}{self.counter}"

    # programs -------------------------------------------------------------------
    def program(self) -> tuple[str, list[tuple]]:
        chunks = ["import numpy as np\n"]
        for k in range(self.choose(0, 2)):
            chunks.append(self.helper(f"helper{k}"))
        for k in range(self.choose(0, 1)):
            chunks.append(self.holder(f"Holder{k}"))
        shapes = [self.pick(SHAPES) for _ in range(self.choose(1, 3))]
        chunks.append(self.function("f", shapes, None))
        return "\n\n".join(chunks), shapes

    def helper(self, name: str) -> str:
        shapes = [self.pick(SHAPES) for _ in range(self.choose(1, 2))]
        result = self.pick(SHAPES)
        style = self.pick(["plain", "plain", "star", "keywords"])
        text = self.function(name, shapes, result, style)
        self.helpers.append(Helper(name, shapes, result, style))
        return text

    def function(
        self, name: str, shapes: list[tuple], result: tuple | None, style="plain"
    ) -> str:
        params = "abc"[: len(shapes)]
        shared = result is not None
        scope = Scope([Var(p, s, False, shared) for p, s in zip(params, shapes)])
        lines = header(name, params, style)
        for _ in range(self.choose(0, self.max_stmts)):
            lines += self.statement(scope, 1, 0)
        if result is None:
            out = self.pick(SHAPES)
            value = self.expr(scope, out, 2)
            lines.append(f"    return {value if out == () else f'np.sum({value})'}")
        else:
            lines.append(f"    return {self.expr(scope, result, 2, top=True)}")
        return "\n".join(lines) + "\n"

    # statements -----------------------------------------------------------------
    def statement(self, scope: Scope, indent: int, depth: int) -> list[str]:
        pad = "    " * indent
        kinds = [
            "new",
            "new",
            "new",
            "overwrite",
            "overwrite",
            "augassign",
            "setitem",
            "setitem",
        ]
        if depth < self.max_depth:
            kinds += ["if", "for", "for"]
        kinds.append("through_name")
        kind = self.pick(kinds)
        return getattr(self, f"stmt_{kind}")(scope, pad, indent, depth)

    def stmt_new(self, scope, pad, indent, depth):
        shape = self.pick(SHAPES)
        value = self.expr(scope, shape, 2, top=True)
        name = self.fresh("t")
        scope.vars.append(Var(name, shape, True))
        return [f"{pad}{name} = {value}"]

    def stmt_zeros(self, scope, pad, indent, depth):
        shape = self.pick(SHAPES[1:])
        name = self.fresh("w")
        scope.vars.append(Var(name, shape, True))
        return [f"{pad}{name} = np.zeros({shape!r})"]

    def stmt_overwrite(self, scope, pad, indent, depth):
        var = self.pick(scope.vars)
        value = self.expr(scope, var.shape, 2, top=True)
        return [f"{pad}{var.name} = {value}"]

    def stmt_augassign(self, scope, pad, indent, depth):
        candidates = [
            v for v in scope.vars if v.mutable or (v.shape == () and not v.shared)
        ]
        if not candidates:
            return self.stmt_new(scope, pad, indent, depth)
        var = self.pick(candidates)
        op = self.pick(["+=", "-=", "*="])
        value = self.expr(scope, self.pick(suffixes(var.shape)), 2)
        return [f"{pad}{var.name} {op} {value}"]

    def stmt_setitem(self, scope, pad, indent, depth):
        arrays = [v for v in scope.vars if v.mutable and v.shape]
        if not arrays:
            return self.stmt_zeros(scope, pad, indent, depth) + self.stmt_setitem(
                scope, pad, indent, depth
            )
        var = self.pick(arrays)
        index, shape = self.index(scope, var.shape)
        op = self.pick(["=", "=", "+="])
        value = self.expr(scope, self.pick(suffixes(shape)), 2)
        return [f"{pad}{var.name}[{index}] {op} {value}"]

    def stmt_through_name(self, scope, pad, indent, depth):
        """``g1 = np.tanh`` or ``g1 = helper0``, then a call through ``g1``."""
        callees = [(h.name, h.params, h.result, h.style) for h in self.helpers]
        callees += [(fn, [s], s, "plain") for fn in ELEMENTWISE for s in SHAPES]
        callee, params, result, style = self.pick(callees)
        g, name = self.fresh("g"), self.fresh("t")
        args = [self.expr(scope, s, 1) for s in params]
        scope.vars.append(Var(name, result, False))  # it may be what it was given
        return [f"{pad}{g} = {callee}", f"{pad}{name} = {g}({arguments(args, style)})"]

    def stmt_if(self, scope, pad, indent, depth):
        cond = self.expr(scope, self.pick(SHAPES), 1)
        lines = [f"{pad}if np.sum({cond}) > {self.pick(['0.0', '0.3', '-0.2'])}:"]
        lines += self.block(scope, indent + 1, depth + 1)
        if self.choose(0, 2):
            lines += [f"{pad}else:"] + self.block(scope, indent + 1, depth + 1)
        return lines

    def stmt_for(self, scope, pad, indent, depth):
        index, trips = self.fresh("i"), self.choose(1, 3)
        scope.loops.append((index, trips))
        lines = [f"{pad}for {index} in range({trips}):"]
        lines += self.block(scope, indent + 1, depth + 1)
        scope.loops.pop()
        return lines

    def block(self, scope: Scope, indent: int, depth: int) -> list[str]:
        """Statements of a nested block; names it creates are not used after it."""
        outer = list(scope.vars)
        lines = []
        for _ in range(self.choose(1, 3)):
            lines += self.statement(scope, indent, depth)
        scope.vars = outer
        return lines

    # expressions ----------------------------------------------------------------
    def index(self, scope: Scope, shape: tuple) -> tuple[str, tuple]:
        """An index into an array of ``shape`` and the shape of what it selects."""
        picks = 1 if len(shape) == 1 else self.choose(1, 2)
        parts = [self.axis_index(scope, n) for n in shape[:picks]]
        return ", ".join(parts), shape[picks:]

    def axis_index(self, scope: Scope, n: int) -> str:
        loops = [name for name, trips in scope.loops if trips <= n]
        options = [str(self.choose(0, n - 1)), "-1"] + loops * 2
        return self.pick(options)

    def expr(self, scope: Scope, shape: tuple, depth: int, top: bool = False) -> str:
        """An expression of exactly ``shape``; ``top`` forbids a bare name (aliasing)."""
        if depth <= 0 and not top:
            return self.leaf(scope, shape)
        kind = self.pick(["leaf", "unary", "binary", "binary", "reduce", "call"])
        if kind == "leaf" and not top:
            return self.leaf(scope, shape)
        if kind == "unary" or kind == "leaf":
            return self.pick(UNARY).format(self.expr(scope, shape, depth - 1))
        if kind == "reduce" and shape != (2, 3):
            return self.reduce(scope, shape, depth)
        if kind == "call":
            helpers = [h for h in self.helpers if h.result == shape]
            if helpers:
                h = self.pick(helpers)
                args = [self.expr(scope, s, depth - 1) for s in h.params]
                return f"{h.name}({arguments(args, h.style)})"
        if kind == "call" and self.choose(0, 1):
            return self.constructed(scope, shape, depth)
        if kind == "call" and self.holders:
            return self.held(scope, shape, depth)
        return self.binary(scope, shape, depth)

    def binary(self, scope: Scope, shape: tuple, depth: int) -> str:
        shapes = [shape, self.pick(suffixes(shape))]
        if self.choose(0, 1):
            shapes.reverse()
        left, right = (self.expr(scope, s, depth - 1) for s in shapes)
        return self.pick(BINARY).format(left, right)

    def reduce(self, scope: Scope, shape: tuple, depth: int) -> str:
        fn = self.pick(["np.sum", "np.mean"])
        if shape == ():
            inner = self.pick(SHAPES[1:])
            axis = self.pick(["", ", axis=0", ", axis=-1"] if inner == (3,) else [""])
            return f"{fn}({self.expr(scope, inner, depth - 1)}{axis})"
        return f"{fn}({self.expr(scope, (2, 3), depth - 1)}, axis=0)"

    def leaf(self, scope: Scope, shape: tuple) -> str:
        options = [v.name for v in scope.of_shape(shape)]
        for v in scope.vars:
            if (
                len(v.shape) > len(shape)
                and v.shape[len(v.shape) - len(shape) :] == shape
            ):
                index, _ = self.index_exact(scope, v.shape, len(v.shape) - len(shape))
                options.append(f"{v.name}[{index}]")
        if shape == ():
            options.append(self.pick(CONSTANTS))
        if not options:
            small = self.leaf(scope, self.pick(suffixes(shape)[1:]))
            return f"({small} * np.ones({shape!r}))"
        return self.pick(options)

    def index_exact(self, scope: Scope, shape: tuple, picks: int) -> tuple[str, tuple]:
        parts = [self.axis_index(scope, n) for n in shape[:picks]]
        return ", ".join(parts), shape[picks:]


# The wider grammar -----------------------------------------------------------------
# Containers read several ways at once, nested containers, aliasing, library calls,
# early exits inside nested loops, comprehensions (filtered, nested, consumed by
# sum, np.stack, max), loops over dicts, builtin max/min, dataclasses of arrays.
# Each production is a method of its own; the argument kinds (Python floats, 0-d
# arrays, float32, Dask) are the test's choice.
# A norm or standard deviation never meets zero, where it has no derivative
# (``norm(a - a)``): its argument is moved off it.

LIBRARY = {
    (): [
        "np.dot({3}, {3b})",
        "np.linalg.norm({3} + 0.5)",
        "np.var({3})",
        "np.std({23} + np.arange(6.0).reshape((2, 3)))",
        "np.max({3})",
        "np.min({23})",
        "np.prod({3})",
        "np.sum(np.cumsum({3}))",
        "np.mean(np.abs({23}))",
        "np.linalg.norm({23} + 0.5)",
    ],
    (3,): [
        "np.cumsum({3})",
        "np.flip({3})",
        "np.maximum({3}, {3b})",
        "np.where({3} > {3b}, {3}, {3b})",
        "np.clip({3}, -0.5, 0.5)",
        "np.sort({3})",
        "({23} @ {3}) @ {23}",
        "np.sum({23}, axis=0)",
        "np.concatenate([{3}, {3b}])[1:4]",
        "np.stack([{3}, {3b}])[1]",
        "np.max({23}, axis=0)",
    ],
    (2, 3): [
        "np.stack([{3}, {3b}])",
        "np.tile({3}, (2, 1))",
        "np.maximum({23}, {3})",
        "np.where({23} > 0.0, {23}, 0.5 * {23})",
        "np.reshape(np.concatenate([{3}, {3b}]), (2, 3))",
        "np.transpose(np.stack([{3}, {3b}], axis=1))",
        "{23} * np.cumsum({3})",
    ],
}
_SLOTS = {"3": (3,), "3b": (3,), "23": (2, 3)}


class Comprehensions:
    """Productions of the wider grammar: comprehensions and generator expressions
    (filtered, nested, consumed by ``sum``, ``np.stack``, ``max``), loops over
    dicts, builtin ``max``/``min``, and dataclasses of arrays with a method."""

    def items_list(self, scope, pad) -> tuple[list[str], str, tuple, int]:
        """``xs = [e1, e2, ...]``: its lines, name, items' shape and length."""
        shape, n = self.pick(SHAPES), self.choose(2, 3)
        xs = self.fresh("xs")
        items = ", ".join(self.expr(scope, shape, 1) for _ in range(n))
        return [f"{pad}{xs} = [{items}]"], xs, shape, n

    def of_item(self, scope, v: str, shape: tuple) -> str:
        """An expression of ``shape`` that reads the comprehension's ``v``."""
        inner = Scope(scope.vars + [Var(v, shape, False, True)], list(scope.loops))
        other = self.expr(inner, self.pick(suffixes(shape)), 1)
        return self.pick(
            [
                self.pick(UNARY).format(v),
                f"({v} * {other})",
                f"({self.pick(UNARY).format(v)} + {other})",
            ]
        )

    def wide_comprehension(self, scope, pad, indent, depth):
        lines, xs, shape, n = self.items_list(scope, pad)
        v, k = self.fresh("v"), self.fresh("k")
        item = self.of_item(scope, v, shape)
        filters = ["", f" if {k} != 1", f" if {k} == 0 or np.sum({v}) > 0.0"]
        where = self.pick(filters)
        loop = (
            f"for {k}, {v} in enumerate({xs}){where}" if where else f"for {v} in {xs}"
        )
        form = self.pick(["sum", "sum_list", "stack", "nested", "max", "range", "kept"])
        if form == "nested":
            w = self.fresh("w")
            other = f"{self.pick(UNARY).format(w)}"
            value = f"sum({item} * np.sum({other}) for {v} in {xs} for {w} in {xs}[:2])"
        elif form == "range":
            i = self.fresh("i")
            scope.loops.append((i, n))
            term = self.expr(scope, shape, 1)
            scope.loops.pop()
            value = f"sum({term} * ({i} + 0.5) for {i} in range({n}) if {i} != 1)"
        elif form == "max":
            fn = self.pick(["max", "min"])
            name = self.new_var(scope, "t", ())
            return lines + [f"{pad}{name} = {fn}(np.sum({item}) {loop})"]
        elif form == "stack":
            value = f"np.sum(np.stack([{item} {loop}]), axis=0)"
        elif form == "sum_list":
            value = f"sum([{item} {loop}])"
        elif form == "kept":
            ys = self.fresh("ys")
            lines.append(f"{pad}{ys} = [{item} {loop}]")
            value = f"{ys}[0] + {ys}[-1] * 0.5"
        else:
            value = f"sum({item} {loop})"
        name = self.new_var(scope, "t", shape)
        return lines + [f"{pad}{name} = {value}"]

    def dict_literal(self, scope, pad, keys: str) -> tuple[list[str], str, tuple]:
        """``dd = {"u": e1, ...}``: its lines, name and values' shape."""
        shape = self.pick(SHAPES)
        dd = self.fresh("dd")
        items = ", ".join(f'"{k}": {self.expr(scope, shape, 1)}' for k in keys)
        return [f"{pad}{dd} = {{{items}}}"], dd, shape

    def wide_dict_loop(self, scope, pad, indent, depth):
        lines, dd, shape = self.dict_literal(scope, pad, "uvw")
        form = self.pick(["keys", "values", "comprehension", "comprehension"])
        if form == "comprehension":
            dc, key, val = self.fresh("dc"), self.fresh("key"), self.fresh("val")
            item = self.of_item(scope, val, shape)
            lines.append(
                f"{pad}{dc} = {{{key}: {item} for {key}, {val} in {dd}.items()}}"
            )
            reads = [f'{dc}["u"]', f'{dc}["w"]', f"sum({dc}.values())"]
            name = self.new_var(scope, "t", shape)
            return lines + [f"{pad}{name} = {self.combined(reads)}"]
        if form == "keys":
            key = self.fresh("key")
            header, item = f"for {key} in {dd}", f"{dd}[{key}]"
        else:
            header, item = f"for val in {dd}.values()", "val"
        return lines + self.container_loop(scope, pad, shape, header, item)

    def wide_builtin_max(self, scope, pad, indent, depth):
        fn = self.pick(["max", "min"])
        terms = [self.expr(scope, (), 1) for _ in range(self.choose(2, 3))]
        if self.choose(0, 1):
            value = f"{fn}({', '.join(terms)})"
        else:
            value = f"{fn}([{', '.join(terms)}])"
        value += f" + {self.expr(scope, (), 1)}"
        return [f"{pad}{self.new_var(scope, 't', ())} = {value}"]

    def layer(self, name: str) -> str:
        """A dataclass of two arrays, its method reading ``self.W`` and ``self.b``."""
        shape = self.pick(SHAPES)
        scope = Scope(
            [Var("self.W", shape, False, True), Var("self.b", shape, False, True)]
        )
        scope.vars.append(Var("x", shape, False, True))
        body = self.expr(scope, shape, 2, top=True)
        self.layers.append(Layer(name, shape))
        return (
            "\n".join(
                [
                    "@dataclass",
                    f"class {name}:",
                    "    W: np.ndarray",
                    "    b: np.ndarray",
                    "",
                    "    def apply(self, x):",
                    f"        return np.tanh(self.W * x + self.b) + {body}",
                ]
            )
            + "\n"
        )

    def wide_object(self, scope, pad, indent, depth):
        """A layer made of computed arrays, applied once or in a loop of layers."""
        layer = self.pick(self.layers)
        s = layer.shape
        obj = self.fresh("layer")
        lines = [
            f"{pad}{obj} = {layer.name}({self.expr(scope, s, 1)}, {self.expr(scope, s, 1)})"
        ]
        x = self.expr(scope, s, 1)
        if self.choose(0, 1):
            value = f"{obj}.apply({x})"
        else:
            objs, h = self.fresh("layers"), self.fresh("h")
            lines.append(f"{pad}{objs} = [{obj}, {layer.name}({obj}.b, {obj}.W * 0.5)]")
            lines += [f"{pad}{h} = {x}", f"{pad}for lay in {objs}:"]
            lines.append(f"{pad}    {h} = lay.apply({h}) * 0.5")
            value = f"{h} + {obj}.W"
        name = self.new_var(scope, "t", s)
        return lines + [f"{pad}{name} = {value}"]


@dataclass
class Layer:
    name: str
    shape: tuple


class WideGenerator(Comprehensions, Generator):
    """The grammar above, with containers, aliasing, library calls and early exits."""

    def __init__(self, choose, max_depth: int = 2, max_stmts: int = 5):
        super().__init__(choose, max_depth, max_stmts)
        self.in_main = False

    def function(self, name, shapes, result, *style):
        self.in_main = result is None
        return super().function(name, shapes, result, *style)

    def program(self):
        self.layers: list[Layer] = []
        source, shapes = super().program()
        if self.layers:
            source = "from dataclasses import dataclass\n\n" + source
        return source, shapes

    def holder(self, name: str) -> str:
        """A plain class, or a dataclass of arrays whose method reads ``self.W``."""
        if self.choose(0, 1):
            return super().holder(name)
        return self.layer(name.replace("Holder", "Layer"))

    def statement(self, scope, indent, depth):
        pad = "    " * indent
        kinds = ["list", "tuple", "dict", "nested", "alias", "library", "library"]
        kinds += ["comprehension", "comprehension", "dict_loop", "builtin_max"]
        if self.layers:
            kinds.append("object")
        if depth < self.max_depth:
            kinds += ["exits"]
        if self.choose(0, 1):
            return super().statement(scope, indent, depth)
        return getattr(self, f"wide_{self.pick(kinds)}")(scope, pad, indent, depth)

    def new_var(self, scope, base, shape, mutable=True) -> str:
        name = self.fresh(base)
        scope.vars.append(Var(name, shape, mutable))
        return name

    def combined(self, reads: list[str]) -> str:
        """A new value from several reads of one container (never one of its items)."""
        picked = [self.pick(reads) for _ in range(self.choose(2, 3))]
        return " + ".join(f"({r})" for r in picked)

    # containers --------------------------------------------------------------------
    def wide_list(self, scope, pad, indent, depth):
        shape, n = self.pick(SHAPES), self.choose(2, 4)
        xs = self.fresh("xs")
        if self.choose(0, 1):
            items = ", ".join(self.expr(scope, shape, 1) for _ in range(n))
            lines = [f"{pad}{xs} = [{items}]"]
        else:
            index = self.fresh("i")
            scope.loops.append((index, n))
            item = self.expr(scope, shape, 1)
            scope.loops.pop()
            lines = [
                f"{pad}{xs} = []",
                f"{pad}for {index} in range({n}):",
                f"{pad}    {xs}.append({item} * ({index} + 1.0))",
            ]
        if self.choose(0, 2) == 0:
            lines.append(
                f"{pad}{xs}[{self.choose(0, n - 1)}] = {self.expr(scope, shape, 1)}"
            )
        reads = [f"{xs}[{self.choose(0, n - 1)}]", f"{xs}[-1]", f"sum({xs})"]
        reads.append(f"np.sum(np.stack({xs}), axis=0)")
        names = [self.fresh("p") for _ in range(n)]
        lines.append(f"{pad}{', '.join(names)} = {xs}")
        reads += [f"{names[0]} * {names[-1]}"]
        lines += self.container_loop(scope, pad, shape, f"for v in {xs}", "v")
        lines += self.container_loop(
            scope, pad, shape, f"for k, v in enumerate({xs})", "v * (k + 0.5)"
        )
        name = self.new_var(scope, "t", shape)
        return lines + [f"{pad}{name} = {self.combined(reads)}"]

    def container_loop(self, scope, pad, shape, header, item) -> list[str]:
        """``acc = ...`` then a loop over a container that adds ``item`` into it."""
        first = self.expr(scope, shape, 1, top=True)
        acc = self.new_var(scope, "acc", shape)
        op = self.pick(["{acc} + np.sin({item})", "{acc} * 0.5 + {item}"])
        step = op.format(acc=acc, item=item)
        return [f"{pad}{acc} = {first}", f"{pad}{header}:", f"{pad}    {acc} = {step}"]

    def wide_tuple(self, scope, pad, indent, depth):
        s1, s2 = self.pick(SHAPES), self.pick(SHAPES)
        tp = self.fresh("tp")
        lines = [f"{pad}{tp} = ({self.expr(scope, s1, 1)}, {self.expr(scope, s2, 1)})"]
        p, q = self.fresh("p"), self.fresh("q")
        lines.append(f"{pad}{p}, {q} = {tp}")
        scope.vars += [Var(p, s1, False), Var(q, s2, False)]
        name = self.new_var(scope, "t", s1)
        reads = [f"{tp}[0]", p, f"{tp}[-2]"]
        return lines + [f"{pad}{name} = {self.combined(reads)} + np.sum({tp}[1])"]

    def wide_dict(self, scope, pad, indent, depth):
        lines, dd, shape = self.dict_literal(scope, pad, "uv")
        if self.choose(0, 1):
            lines.append(f'{pad}{dd}["w"] = {self.expr(scope, shape, 1)}')
        reads = [f'{dd}["u"]', f'{dd}["v"]', f"sum({dd}.values())"]
        lines += self.container_loop(
            scope, pad, shape, f"for key, val in {dd}.items()", "val"
        )
        name = self.new_var(scope, "t", shape)
        return lines + [f"{pad}{name} = {self.combined(reads)}"]

    def wide_nested(self, scope, pad, indent, depth):
        shape = self.pick(SHAPES)
        nest = self.fresh("nest")
        if self.choose(0, 1):
            pairs = ", ".join(
                f"({self.expr(scope, shape, 1)}, {self.expr(scope, shape, 1)})"
                for _ in range(2)
            )
            lines = [f"{pad}{nest} = [{pairs}]"]
            reads = [f"{nest}[1][0]", f"{nest}[0][1] * {nest}[-1][-1]"]
            header, item = f"for a_, b_ in {nest}", "a_ * b_"
        else:
            inner = ", ".join(self.expr(scope, shape, 1) for _ in range(2))
            lines = [
                f'{pad}{nest} = {{"a": [{inner}], "b": [{self.expr(scope, shape, 1)}]}}'
            ]
            reads = [f'{nest}["a"][1]', f'sum({nest}["a"])', f'{nest}["b"][0]']
            header, item = f'for v in {nest}["a"]', "v"
        lines += self.container_loop(scope, pad, shape, header, item)
        name = self.new_var(scope, "t", shape)
        return lines + [f"{pad}{name} = {self.combined(reads)}"]

    # aliasing, library calls, early exits -------------------------------------------
    def wide_alias(self, scope, pad, indent, depth):
        arrays = [v for v in scope.vars if v.mutable and v.shape]
        if not arrays:
            return self.stmt_zeros(scope, pad, indent, depth)
        source = self.pick(arrays)
        alias = self.new_var(scope, "u", source.shape)
        lines = [f"{pad}{alias} = {source.name}"]
        value = self.expr(scope, self.pick(suffixes(source.shape)), 2)
        if self.choose(0, 1):
            lines.append(f"{pad}{alias} {self.pick(['+=', '*='])} {value}")
        else:
            index, shape = self.index(scope, source.shape)
            lines.append(f"{pad}{alias}[{index}] = {self.expr(scope, shape, 1)}")
        return lines

    def wide_library(self, scope, pad, indent, depth):
        shape = self.pick(SHAPES)
        template = self.pick(LIBRARY[shape])
        slots = {k: self.expr(scope, s, 1) for k, s in _SLOTS.items()}
        name = self.new_var(scope, "t", shape)
        return [f"{pad}{name} = {_fill(template, slots)}"]

    def wide_exits(self, scope, pad, indent, depth):
        outer, inner = self.fresh("i"), self.fresh("j")
        n, m = self.choose(1, 3), self.choose(1, 3)
        scope.loops += [(outer, n), (inner, m)]
        outer_vars = list(scope.vars)
        lines = [
            f"{pad}for {outer} in range({n}):",
            f"{pad}    for {inner} in range({m}):",
        ]
        for _ in range(self.choose(1, 2)):
            lines += self.statement(scope, indent + 2, depth + 1)
        exits = ["break", "continue"] + (["return"] if self.in_main else [])
        exit_ = self.pick(exits)
        cond = self.expr(scope, self.pick(SHAPES), 1)
        if exit_ == "return":
            exit_ = f"return np.sum({self.expr(scope, self.pick(SHAPES), 1)})"
        lines.append(
            f"{pad}        if np.sum({cond}) > {self.pick(['0.0', '0.3', '-0.2'])}:"
        )
        lines.append(f"{pad}            {exit_}")
        for _ in range(self.choose(0, 1)):
            lines += self.statement(scope, indent + 2, depth + 1)
        scope.vars = outer_vars
        del scope.loops[-2:]
        return lines


def _fill(template: str, slots: dict[str, str]) -> str:
    """``template`` with each ``{3}``, ``{3b}``, ``{23}`` replaced by its expression."""
    for key in sorted(slots, key=len, reverse=True):
        template = template.replace("{" + key + "}", slots[key])
    return template
