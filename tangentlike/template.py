"""The template language: each derivative is a short Python function keyed on its primal.

An adjoint template's parameters are the primal's result followed by the primal's
own parameters; ``d[x]`` is the gradient operator::

    @adjoint(numpy.sin)
    def sin(y, x):
        d[x] = d[y] * np.cos(x)

A tangent template has the same parameters and assigns ``d[y]``.  ``np`` in a
template is the array namespace, bound in generated code to the user's NumPy
alias (or CuPy, or Dask).  Other names a template assigns are temporaries of the
generated code (``hit = a == y`` becomes ``_hit = ...``); in a tangent template a
temporary whose value is a zero tangent is zero where it is read.

Template-level ``if`` statements are folded when their test only depends on
constant arguments (``if keepdims:``); ``p is None`` of an argument passed as a
name (or ``np.inf``) is false, since it holds a value, so a rule's general case
goes in the ``else``.  A ``raise NotImplementedError("qr with mode='r'")`` in the
branch taken refuses the call where the user wrote it.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import inspect
import sys
import textwrap
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import gast
import numpy

from . import anno

ARRAY_NAMESPACE = "np"
GRAD_OP = "d"


class _GradOp:
    """``d`` in templates: marks derivatives; templates are parsed, never run."""

    def __getitem__(self, key):
        raise RuntimeError(
            "templates are source code for tangentlike, not functions to call"
        )

    __setitem__ = __getitem__


d = _GradOp()


class NotLiteral(ValueError):
    """A template chooses its derivative by an argument that is not a literal."""


class Refused(ValueError):
    """A template's ``raise``: no derivative for these arguments (the message says
    which), refused where the user's call is."""


ADJOINTS: dict = {}
TANGENTS: dict = {}


class Template:
    """A derivative template: its parameters, and its body parsed when first read.

    A template is parsed the first time a transform reads its body or helpers, so
    that loading the templates costs only what a program's functions use;
    ``parse`` does it at once (a user's template is checked when registered).
    """

    def __init__(self, primal, func, params, signature, make) -> None:
        self.primal = primal
        self.func = func
        self.params: list[str] = params
        self.signature: inspect.Signature = signature
        self._make = make  # () -> (body, helpers)
        self._parsed = None

    @classmethod
    def from_function(cls, primal, func, source: str | None = None) -> Template:
        """The template of ``func`` (its ``source`` where not in a file) for
        ``primal``; its body is parsed on first use."""
        code = func.__code__
        params = list(code.co_varnames[: code.co_argcount])
        sig = inspect.signature(func)
        primal_sig = sig.replace(parameters=list(sig.parameters.values())[1:])
        return cls(
            primal,
            func,
            params,
            primal_sig,
            partial(_parse_function, func, params, source),
        )

    @property
    def body(self) -> list:
        """The template's statements."""
        return self.parse()[0]

    @property
    def helpers(self) -> dict:
        """The runtime helpers its statements read, by name."""
        return self.parse()[1]

    def parse(self) -> tuple[list, dict]:
        """The body and helpers, parsed once (whichever thread reads them first)."""
        parsed = self._parsed
        if parsed is None:
            with _PARSE_LOCK:
                if self._parsed is None:
                    self._parsed = self._make()
                parsed = self._parsed
        return parsed

    @property
    def differentiated(self) -> set[str]:
        """The parameters some ``d[...]`` of the template names (in any branch)."""
        body = gast.Module(body=self.body, type_ignores=[])
        return {n.slice.id for n in anno.walk(body) if _is_grad(n)}

    @property
    def refuses(self) -> bool:
        """The template is a refusal (``refused()``): a ``raise`` and nothing else."""
        return len(self.body) == 1 and isinstance(self.body[0], gast.Raise)


_PARSE_LOCK = threading.Lock()


def _parse_function(func, params, source=None) -> tuple[list, dict]:
    source = source or textwrap.dedent(inspect.getsource(func))
    node = gast.parse(source).body[0]
    shadowed = set(params) & anno.store_names(gast.Module(node.body, []))
    if shadowed:
        raise ValueError(
            f"template {func.__qualname__} assigns its parameter "
            f"{sorted(shadowed)[0]!r}: name the temporary otherwise"
        )
    return node.body, _helpers_of(func, node)


def _unlocated(stmt) -> None:
    """A statement a template made takes the location of the statement it
    differentiates (the user's line), not the template's own line."""
    for node in anno.walk(stmt):
        if isinstance(node, gast.stmt):
            node.lineno = node.end_lineno = None
            node.col_offset = node.end_col_offset = None


def _helpers_of(func, node) -> dict:
    """Globals a template reads other than the array namespace and its own
    temporaries: runtime helpers."""
    out = {}
    body = gast.Module(body=node.body, type_ignores=[])
    temporaries = anno.store_names(body)
    for name in sorted(anno.load_names(body) - temporaries):
        if name in (ARRAY_NAMESPACE, GRAD_OP) or name not in func.__globals__:
            continue
        out[name] = func.__globals__[name]
    return out


def _keys(primal):
    return primal if isinstance(primal, list) else [primal]


def adjoint(primal):
    """Register a reverse-mode derivative template for ``primal``.

    The template's parameters are the primal's result, then the primal's own
    parameters; ``d[x]`` is the gradient of ``x``, and ``np`` the array
    namespace of the generated code.

    Args:
        primal: the function differentiated (or a list of functions).

    Returns:
        A decorator that registers the template and returns it unchanged.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> from tangentlike.template import d
        >>> def softplus(x):
        ...     return np.log1p(np.exp(x))
        >>> @tl.adjoint(softplus)
        ... def softplus_adjoint(y, x):
        ...     d[x] = d[y] / (1.0 + np.exp(-x))
        >>> def f(x):
        ...     return np.sum(softplus(x))
        >>> tl.grad(f)(np.array([0.0]))
        array([0.5])
    """
    return _registrar(ADJOINTS, primal)


def tangent(primal):
    """Register a forward-mode derivative template for ``primal``.

    The parameters are as for ``adjoint``; the template assigns ``d[y]``, the
    tangent of the result, from the tangents ``d[x]`` of the inputs.

    Args:
        primal: as for ``adjoint``.

    Returns:
        A decorator, as for ``adjoint``.

    Example:
        >>> import numpy as np, tangentlike as tl
        >>> from tangentlike.template import d
        >>> def cube(x):
        ...     return x * x * x
        >>> @tl.tangent(cube)
        ... def cube_tangent(y, x):
        ...     d[y] = 3.0 * x * x * d[x]
        >>> tl.jvp(lambda x: cube(x) + 0.0)(2.0, 1.0)
        12.0
    """

    return _registrar(TANGENTS, primal)


_BUILT_IN = "tangentlike.templates"  # parsed when first used


def _registrar(table: dict, primal):
    """The decorator that puts a template for ``primal`` in ``table``."""

    def register(func):
        for key in _keys(primal):
            template = Template.from_function(key, func)
            if not func.__module__.startswith(_BUILT_IN):
                template.parse()  # the user's own: checked when registered
            table[key] = template
        return func

    return register


def from_source(table: dict, primal, source: str, namespace: dict) -> None:
    """Register the template ``source`` (one ``def``, written as a decorated template
    would be) for ``primal`` in ``table`` (``ADJOINTS`` or ``TANGENTS``): for rules
    assembled from a table of formulas; ``namespace`` holds the names it reads."""
    node = gast.parse(source).body[0]
    scope = {**namespace, GRAD_OP: d}
    exec(compile(source, f"<template {node.name}>", "exec"), scope)
    for key in _keys(primal):
        table[key] = Template.from_function(key, scope[node.name], source)


ANY = object()  # a neutral keyword whatever its value
NEUTRAL: dict = {}  # primal -> {keyword: ANY, or the one literal it is neutral with}
RENAMED: dict = {}  # primal -> {keyword: the template parameter it is}


def neutral(primals, *keywords: str, **literals) -> None:
    """Keywords of ``primals`` that leave the mathematics as it is, which their
    templates ignore: ``neutral(numpy.einsum, "optimize")``; each of ``literals``
    only with that value (``out=None``: no ``out`` array)."""
    for key in _keys(primals):
        table = NEUTRAL.setdefault(key, {})
        table.update({k: ANY for k in keywords})
        table.update(literals)


def renamed(primals, **names: str) -> None:
    """Keywords of ``primals`` that are another name of a template parameter:
    ``renamed(numpy.var, correction="ddof")``."""
    for key in _keys(primals):
        RENAMED.setdefault(key, {}).update(names)


def unary(primal, derivative: str, namespace: dict | None = None) -> None:
    """An elementwise function in one line: ``derivative`` in terms of ``x`` and ``y``.

    ``unary(numpy.sin, "np.cos(x)")`` registers ``d[x] = d[y] * np.cos(x)`` and
    its tangent ``d[y] = d[x] * np.cos(x)``.  A derivative written as a quotient
    ``"1.0 / (...)"`` divides instead (``d[x] = d[y] / (...)``: one pass less).
    Other names in ``derivative`` are looked up in ``namespace`` (the caller's
    globals by default).
    """
    if namespace is None:
        namespace = inspect.currentframe().f_back.f_globals
    for table, target, source in ((ADJOINTS, "x", "y"), (TANGENTS, "y", "x")):
        make = partial(_unary_rule, derivative, namespace, target, source)
        for key in _keys(primal):
            table[key] = Template(key, None, ["y", "x"], _UNARY_SIG, make)


def _unary_rule(derivative: str, namespace: dict, target: str, source: str):
    """``d[target] = d[source] * (derivative)``, or ``/`` for a reciprocal."""
    expr = gast.parse(derivative, mode="eval").body
    helpers = {
        n: namespace[n]
        for n in sorted(anno.load_names(expr))
        if n not in ("x", "y", ARRAY_NAMESPACE) and n in namespace
    }
    op = "*"
    if _is_reciprocal(expr):
        op, expr = "/", expr.right
    stmt = gast.parse(f"d[{target}] = d[{source}] {op} (D)").body[0]
    _replace_name(stmt, "D", expr)
    return [stmt], helpers


def _is_reciprocal(expr) -> bool:
    return (
        isinstance(expr, gast.BinOp)
        and isinstance(expr.op, gast.Div)
        and isinstance(expr.left, gast.Constant)
        and expr.left.value == 1.0
    )


_UNARY_SIG = inspect.Signature(
    [inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
)


def _replace_name(tree, name, expr) -> None:
    for node in anno.walk(tree):
        for fname, value in gast.iter_fields(node):
            if isinstance(value, gast.Name) and value.id == name:
                setattr(node, fname, anno.clone(expr))


# linear and bilinear primitives ---------------------------------------------------

# the name a primal is called by -> the arguments it is linear in (zero in, zero out)
LINEAR_IN: dict[str, tuple[int, ...]] = {}
SKIPPED = ("out", "dtype")  # parameters a derivative leaves out


def linear(primals, transpose: str | None = None, *, params=None) -> None:
    """Declare each of ``primals`` linear in its first parameter, the others held.

    Its tangent is itself applied to the tangent, ``d[y] = f(d[x], ...)``, the other
    parameters passed along by name (``out`` and ``dtype`` left out); ``params``
    names them where the primal's signature cannot be read or is not the adjoint
    template's.  ``transpose``, an expression in ``d[y]`` (the output's gradient;
    ``d[z]`` where a parameter is named ``y``) and the parameters, is its
    adjoint, ``d[x] = <transpose>``; without it the primal has an adjoint template
    of its own.
    """
    for key in _keys(primals):
        names, signature = _parameters(key, params)
        first, rest, out = names[0], names[1:], _output(names)
        _declare(key, (0,))
        call = _call_source(key, f"d[{first}]", rest)
        _register(TANGENTS, key, names, signature, f"d[{out}] = {call}")
        if transpose is not None:
            rule = f"d[{first}] = {transpose}"
            _register(ADJOINTS, key, names, signature, rule, _caller_globals())


def bilinear(primals, *, params=None) -> None:
    """Declare each of ``primals`` linear in each of its first two parameters (a
    product): its tangent is the product rule, ``d[y] = f(d[a], b) + f(a, d[b])``,
    a term dropped where its operand is constant."""
    for key in _keys(primals):
        names, signature = _parameters(key, params)
        a, b, rest, out = names[0], names[1], names[2:], _output(names)
        _declare(key, (0, 1))
        left = _call_source(key, f"d[{a}], {b}", rest)
        right = _call_source(key, f"{a}, d[{b}]", rest)
        _register(TANGENTS, key, names, signature, f"d[{out}] = {left} + {right}")


def refused(primals, why: str) -> None:
    """Declare that ``primals`` have no derivative here (``why`` says which): both
    modes refuse a call of one where the user's code, or generated code being
    differentiated again, makes it, instead of finding no template."""
    for key in _keys(primals):
        names, signature = _parameters(key, None)
        rule = f"raise NotImplementedError({why!r})"
        for table in (ADJOINTS, TANGENTS):
            _register(table, key, names, signature, rule)


def linear_in(primal, *positions: int) -> None:
    """Declare ``primal`` linear in each argument at ``positions`` (zero in, zero
    out), for a tangent template written out (``einsum``'s operands)."""
    _declare(primal, positions)


def _declare(primal, positions: tuple[int, ...]) -> None:
    LINEAR_IN[primal.__name__] = positions


def _parameters(primal, params):
    """The primal's parameter names (the adjoint template's where it has one) and
    its signature; ``params`` replaces the names after the first."""
    adjoint = ADJOINTS.get(primal)
    if adjoint is not None:
        names, signature = adjoint.params[1:], adjoint.signature
    else:
        signature = inspect.signature(primal)
        names = list(signature.parameters)
    if params is not None:
        names = [names[0], *params]
    return names, signature


def _output(names) -> str:
    """The output's name in a declared template: y, or z where y is a parameter."""
    return "z" if "y" in names else "y"


def _call_source(primal, first: str, rest) -> str:
    """``f(first, p=p, ...)`` in the template language, ``f`` as generated code
    names ``primal``."""
    kept = "".join(f", {p}={p}" for p in rest if p not in SKIPPED)
    return f"{_path(primal)}({first}{kept})"


def _path(primal) -> str:
    module = getattr(primal, "__module__", None) or ""
    if isinstance(primal, numpy.ufunc) or module.startswith("numpy"):
        linalg = "linalg" in module
        return (
            f"{ARRAY_NAMESPACE}.linalg.{primal.__name__}"
            if linalg
            else (f"{ARRAY_NAMESPACE}.{primal.__name__}")
        )
    return primal.__name__  # a runtime helper, or a builtin


def _register(table, primal, names, signature, rule, namespace=None) -> None:
    make = partial(_rule, primal, names, rule, namespace)
    table[primal] = Template(primal, None, [_output(names), *names], signature, make)


def _rule(primal, names, rule: str, namespace) -> tuple[list, dict]:
    """A declared template's statements and the helpers they read."""
    body = gast.parse(rule).body
    helpers = {}
    if primal.__name__ in {
        n.id for n in anno.walk(body[0]) if isinstance(n, gast.Name)
    }:
        if _path(primal) == primal.__name__ and not _is_builtin(primal):
            helpers[primal.__name__] = primal
    out = _output(names)
    for name in sorted(anno.load_names(gast.Module(body=body, type_ignores=[]))):
        if namespace and name in namespace and name not in names:
            if name not in (ARRAY_NAMESPACE, GRAD_OP, out):
                helpers[name] = namespace[name]
    return body, helpers


def _is_builtin(primal) -> bool:
    return getattr(builtins, getattr(primal, "__name__", ""), None) is primal


def _caller_globals() -> dict:
    """The globals of the template module that called ``linear``."""
    frame = inspect.currentframe().f_back.f_back
    return frame.f_globals


def lookup(table: dict, primal):
    """The template of ``primal``: ufuncs and builtins compare by identity."""
    try:
        return table.get(primal)
    except TypeError:
        return None


# instantiation ----------------------------------------------------------------


@dataclass
class Contribution:
    """``d[name] = value`` in a template: add ``value`` into name's derivative."""

    name: str
    value: gast.expr


class Instantiator:
    """Turns a template into statements for one call site.

    ``bindings`` maps template parameters to the call's atoms; ``deriv`` names
    the derivative variable of an active name and returns None for inactive ones.
    """

    def __init__(
        self, template, bindings, deriv, namer, np_alias, zero=None, fold=None
    ):
        self.template = template
        self.bindings = bindings
        self.deriv = deriv
        self.namer = namer
        self.np_alias = np_alias
        self.zero = zero  # the zero tangent of an atom (forward mode), or None
        self.fold = fold  # an expression with zero terms dropped, None if zero
        self.locals: dict[str, str] = {}
        self.zeros: set[str] = set()  # temporaries whose value is a zero tangent

    def run(self) -> list:
        out = []
        for stmt in self.template.body:
            out.extend(self.stmt(anno.clone(stmt)))
        for item in out:
            if isinstance(item, gast.stmt):
                _unlocated(item)
        return out

    # A template's body is a small language of its own, one case per statement:
    # an ``if`` decided by the literal arguments, ``d[x] = ...`` (a contribution,
    # or nothing when ``x`` takes no derivative), a temporary, a call for its effect,
    # and ``raise`` (refused at the user's line).
    def stmt(self, node) -> list:
        if isinstance(node, gast.If):
            test = self.expr(node.test)
            folded = _fold(test)
            if folded is _UNKNOWN:
                raise NotLiteral("template if-statement depends on a runtime value")
            branch = node.body if folded else node.orelse
            return [s for b in branch for s in self.stmt(b)]
        if isinstance(node, gast.Assign) and _is_grad(node.targets[0]):
            target = self.bindings[node.targets[0].slice.id]
            if not isinstance(target, gast.Name) or self.deriv(target.id) is None:
                return []
            value = self.expr(node.value)
            if value is None:
                return []
            return [Contribution(target.id, value)]
        if isinstance(node, gast.Assign):
            return self.assign(node)
        if isinstance(node, gast.Expr):
            node.value = self.expr(node.value)
            return [] if node.value is None else [node]
        if isinstance(node, gast.Raise):
            raise Refused(node.exc.args[0].value)
        raise ValueError(f"unsupported statement in template: {type(node).__name__}")

    def assign(self, node) -> list:
        """``t = value``: a temporary of the generated code, or a known zero."""
        value = self.expr(node.value)
        if value is not None and self.fold is not None:
            value = self.fold(value)
        target = node.targets[0]
        if value is None:
            if isinstance(target, gast.Name):
                self.zeros.add(target.id)  # read as zero from here on
            return []
        for sub in anno.walk(target):
            if isinstance(sub, gast.Name):
                self.zeros.discard(sub.id)
                if sub.id not in self.locals:
                    self.locals[sub.id] = self.namer.temp(sub.id)
        node.value = value
        node.targets = [self.expr(t) for t in node.targets]
        return [node]

    def expr(self, node):
        """Substitute parameters and ``d[...]``; None when a read derivative is zero."""
        try:
            return _Substitute(self).visit(node)
        except _ZeroDerivative:
            return None


class _ZeroDerivative(Exception):
    pass


class _Substitute(gast.NodeTransformer):
    def __init__(self, inst: Instantiator):
        self.inst = inst

    def visit_Subscript(self, node):
        if _is_grad(node):
            bound = self.inst.bindings.get(node.slice.id)
            name = self.inst.deriv(bound.id) if isinstance(bound, gast.Name) else None
            if name is None:
                if self.inst.zero is None:
                    raise _ZeroDerivative
                return self.inst.zero(bound)
            return anno.name(name)
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in self.inst.zeros and isinstance(node.ctx, gast.Load):
            if self.inst.zero is None:
                raise _ZeroDerivative
            return self.inst.zero(None)
        if node.id in self.inst.bindings:
            new = anno.clone(self.inst.bindings[node.id])
            return anno.as_load(new) if isinstance(node.ctx, gast.Load) else new
        if node.id in self.inst.locals:
            return gast.Name(
                id=self.inst.locals[node.id],
                ctx=node.ctx,
                annotation=None,
                type_comment=None,
            )
        if node.id == ARRAY_NAMESPACE:
            return anno.name(self.inst.np_alias)
        return node


def _is_grad(node) -> bool:
    return (
        isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and node.value.id == GRAD_OP
        and isinstance(node.slice, gast.Name)
    )


_UNKNOWN = object()


def _fold(test):
    """Evaluate a template test made only of constants; _UNKNOWN otherwise.  An
    argument that is not a literal (a name, ``np.inf``) is not None."""
    test = _NamesNotNone().visit(test)
    if any(
        isinstance(n, (gast.Name, gast.Call, gast.Attribute)) for n in anno.walk(test)
    ):
        return _UNKNOWN
    tree = gast.gast_to_ast(gast.Expression(body=test))
    import ast

    ast.fix_missing_locations(tree)
    return eval(compile(tree, "<template>", "eval"), {"__builtins__": {}})


class _NamesNotNone(gast.NodeTransformer):
    def visit_Compare(self, node):
        self.generic_visit(node)
        if not (
            len(node.ops) == 1
            and isinstance(node.ops[0], (gast.Is, gast.IsNot))
            and isinstance(node.comparators[0], gast.Constant)
            and node.comparators[0].value is None
        ):
            return node
        none = isinstance(node.left, gast.Constant) and node.left.value is None
        return anno.const(none != isinstance(node.ops[0], gast.IsNot))


def bind(template: Template, call: gast.Call) -> dict:
    """Map a template's parameters to a call's atoms, filling defaults as constants;
    keywords are read by their template names, neutral ones left out.  A spread
    argument (``*xs``, ``**kw``) is refused: which parameters it fills is known
    only when the call runs."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        raise TypeError("a spread argument (*xs or **kw): pass each one by itself")
    bound = template.signature.bind(*call.args, **_keywords(template, call))
    out = {}
    for pname, param in template.signature.parameters.items():
        if pname in bound.arguments:
            out[pname] = bound.arguments[pname]
        elif param.default is not inspect.Parameter.empty:
            out[pname] = anno.const(param.default)
    return out


def _keywords(template: Template, call: gast.Call) -> dict:
    names = RENAMED.get(template.primal, {})
    rules = NEUTRAL.get(template.primal, {})
    out = {}
    for k in call.keywords:
        arg = names.get(k.arg, k.arg)
        if arg in template.signature.parameters or not _is_neutral(rules, k):
            out[arg] = k.value
    return out


def _is_neutral(rules: dict, keyword) -> bool:
    rule = rules.get(keyword.arg, _UNKNOWN)
    if rule is ANY:
        return True
    value = keyword.value
    return (
        rule is not _UNKNOWN
        and isinstance(value, gast.Constant)
        and type(value.value) is type(rule)
        and value.value == rule
    )


_LOAD_LOCK = threading.Lock()
_loaded = False


# an optional library's templates -> the module whose import brings them in: SciPy's
# are loaded once the user's code has imported it, never by ``import tangentlike``
OPTIONAL = {
    "scipy_array_api": "scipy._lib._array_api",
    "scipy_special": "scipy.special",
    "scipy_stats": "scipy.stats",
    "scipy_linalg": "scipy.linalg",
}
_optional_loaded: set[str] = set()


def load_templates() -> None:
    """Import the templates once, whichever thread asks first; the others wait until
    the import has finished (a package in ``sys.modules`` may still be importing).
    An optional library's templates are imported once that library is."""
    global _loaded
    if _loaded and not _optional_due():
        return
    with _LOAD_LOCK:
        if not _loaded:
            _import_templates()
            _loaded = True
        for family in _optional_due():
            importlib.import_module(f"tangentlike.templates.{family}")
            _optional_loaded.add(family)


def _optional_due() -> list[str]:
    """The optional families whose library the process has imported, not loaded yet."""
    return [
        family
        for family, module in OPTIONAL.items()
        if family not in _optional_loaded and module in sys.modules
    ]


def _import_templates() -> None:
    """``tangentlike.templates`` when installed, else the top-level ``templates/``
    folder of a source checkout under that name."""
    folder = Path(__file__).resolve().parent.parent / "templates"
    try:
        importlib.import_module("tangentlike.templates")
    except ModuleNotFoundError:
        spec = importlib.util.spec_from_file_location(
            "tangentlike.templates",
            folder / "__init__.py",
            submodule_search_locations=[str(folder)],
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["tangentlike.templates"] = module
        spec.loader.exec_module(module)
