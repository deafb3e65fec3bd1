"""The front of a derivative: the plain Python function ``grad`` returns.

It has the user's parameters and looks up, by the argument types, an *entry*
that runs the variant compiled for them and checks what it returns.  On the
first call, the front's own code is replaced by one that runs that call's
variant itself when the arguments have the same types (and, for arrays, the
same shapes and dtypes), on the variant's generated lines, with the entry's
checks after it: a gradient then costs what the generated statements cost,
with no call on the way in.  Other types and shapes go through their entries.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import keyword
import linecache
import types
import warnings

from .. import debug
from ..made import MARK
from . import arguments as calling
from . import probe
from .arguments import (
    MAX_SHAPE_VARIANTS,
    check_differentiable,
    check_output,
    match,
    variant_key,
)

_PREFIX = "_tl_"
_PLAIN = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)


def make(d, extra: tuple[str, ...] = ()):
    """The function a caller gets for derivative ``d``, which takes ``d.func``'s
    parameters, then the ``extra`` ones (a vjp's seed)."""
    names = None if extra or d.kind == "vjp" else plain_names(d.signature)
    namespace = {
        "__builtins__": builtins,
        "__name__": d.func.__module__,
        "_tl_fast": d.fast,
        "_tl_miss": d.miss,
        "_tl_call": d.call,
    }
    fn = types.FunctionType(_dispatch_code(d, names), namespace)
    d.module.watch().register_front(fn)
    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(fn, attr, getattr(d.func, attr, None))
    signature = _signature(d.signature.signature, extra)
    if signature is not None:
        fn.__signature__ = signature
    setattr(fn, MARK, d)
    fn.__wrapped__ = d.compiled("numpy")
    fn._repr_markdown_ = d.markdown  # a notebook cell's value: the generated code
    return fn


_CODES: dict[tuple, types.CodeType] = {}


def _dispatch_code(d, names):
    """The code of the plain front, compiled once per name and parameter list."""
    key = (_def_name(d.func), _params(d, names) if names else None)
    code = _CODES.get(key)
    if code is None:
        source = "\n".join(_dispatch(d, key[0], names)) + "\n"
        module = compile(source, "<tangentlike call>", "exec")
        code = _CODES[key] = next(
            c for c in module.co_consts if isinstance(c, types.CodeType)
        )
    return code


def _def_name(func) -> str:
    """The user's function name where it can name a ``def`` (not ``<lambda>``)."""
    name = func.__name__
    return name if name.isidentifier() and not keyword.iskeyword(name) else "_tl_front"


def plain_names(sig: calling.Signature) -> list[str] | None:
    """The parameter names when the front can take them as they are: no defaults,
    no ``*args``, no keyword-only parameters, none named like the front's own."""
    params = list(sig.signature.parameters.values())
    if not params or any(p.name.startswith(_PREFIX) for p in params):
        return None
    if any(p.kind not in _PLAIN or p.default is not p.empty for p in params):
        return None
    return [p.name for p in params]


def _signature(signature: inspect.Signature, extra) -> inspect.Signature | None:
    params = list(signature.parameters.values())
    params += [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in extra
    ]
    try:
        return signature.replace(parameters=params, return_annotation=signature.empty)
    except ValueError:  # a parameter without a default after one with
        return None


def _dispatch(d, name: str, names: list[str] | None) -> list[str]:
    """The lines of the plain front: find the entry for the argument types."""
    if names is None:
        return [f"def {name}(*args, **kwargs):", "    return _tl_call(args, kwargs)"]
    key = _key(names)
    args = ", ".join(names)
    packed = _tuple(names)
    return [
        f"def {name}({_params(d, names)}):",
        f"    _tl_entry = _tl_fast.get({key})",
        "    if _tl_entry is not None:",
        f"        return _tl_entry({args})",
        f"    return _tl_miss({key}, {packed})",
    ]


def _key(names: list[str]) -> str:
    """The types of the arguments, as the entries are keyed."""
    if len(names) == 1:
        return f"{names[0]}.__class__"
    return _tuple([f"{n}.__class__" for n in names])


def _tuple(items: list[str]) -> str:
    """The source of a tuple of these expressions."""
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _params(d, names: list[str]) -> str:
    """The parameter list, with a ``/`` after positional-only parameters."""
    kinds = [p.kind for p in d.signature.signature.parameters.values()]
    only = kinds.count(inspect.Parameter.POSITIONAL_ONLY)
    return ", ".join(names[:only] + ["/"] * bool(only) + names[only:])


# entries ----------------------------------------------------------------------------------
def entry(d, values):
    """``(entry, variant, shapes)``: a function ``entry(*args)`` doing what the
    general call does for positional arguments of these types, with the checks that
    types settle done once here; the variant it runs for ``values`` (None where
    these types need the general path); and ``(position, shape, dtype)`` of each
    array among them, which pick that variant."""
    if not calling.has_fast_path(d, values):
        return d.general, None, ()
    types = tuple(map(type, values))
    floats = calling.float_parameters(d.signature, values)
    arrays = tuple(i for i, t in enumerate(types) if t is calling.NDARRAY)
    dicts = tuple(i for i, t in enumerate(types) if t is dict)
    if arrays or dicts:
        pick = _shape_picker(d, floats, arrays, {}, dicts)
        variant = pick(values)  # checks that the arrays differentiated hold floats
        shapes = tuple((i, values[i].shape, values[i].dtype) for i in arrays)
        made = _entry(d, types, f"_tl_pick({_tuple(_args(types))})", {"_tl_pick": pick})
        # the front runs a variant itself for arrays' shapes, not a dict's items'
        return made, None if dicts else variant, shapes
    variant = d.compiled("numpy", floats, None, True)
    return _entry(d, types, "_tl_variant", {"_tl_variant": variant}), variant, ()


def _args(types) -> list[str]:
    """The entry's parameter names, one for each argument."""
    return [f"_a{i}" for i in range(len(types))]


def _shape_picker(d, floats, arrays, variants, dicts=()):
    def pick(args):
        key = tuple([(args[i].shape, args[i].dtype) for i in arrays])
        if dicts:
            key += tuple([_items_key(args[i]) for i in dicts])
        fn = variants.get(key)
        if fn is None:
            check_differentiable(d.signature, args, d.positions)
            _, shapes = variant_key(d, args)
            specialize = len(variants) < MAX_SHAPE_VARIANTS
            fn = d.compiled("numpy", floats, shapes if specialize else None, True)
            variants[key] = fn
        return fn

    return pick


def _items_key(v) -> tuple:
    """A dict argument's part of a variant's key: its keys and, for a dict of
    arrays, their shapes and dtypes (a variant knows those of float arrays)."""
    key = []
    for k, a in v.items():
        if a.__class__ is not calling.NDARRAY:
            return (None, tuple(v))
        key.append((k, a.shape, a.dtype))
    return tuple(key)


def _entry(d, types, variant: str, namespace: dict):
    """The entry, generated for these positions and types: ``entry(*args)``."""
    args = _args(types)
    call = ", ".join(args)
    watch = d.module.watch()
    lines = [
        f"def entry({call}):",
        *(["    _tl_sync()"] if watch.watched else []),
        f"    _tl_fn = {variant}",
        "    try:",
        f"        _tl_value, _tl_grads = _tl_fn({call})",
        "    except Exception as _tl_exc:",
        f"        _tl_failed(_tl_exc, {_tuple(args)})",
        "        raise",
        *finish(d, types, args),
    ]
    namespace.update(_finishing(d), _tl_sync=watch.sync)
    exec(compile("\n".join(lines) + "\n", "<tangentlike entry>", "exec"), namespace)
    return namespace["entry"]


def _finishing(d) -> dict:
    """What the lines of ``finish`` read."""
    return {
        "_tl_failed": d.failed,
        "_tl_check_output": check_output,
        "_tl_match": match,
        "_tl_qualname": d.func.__qualname__,
        "_tl_probe": probe.check_gradients,
        "_tl_func": d.func,
    }


def finish(d, types, args) -> list[str]:
    """Lines checking ``_tl_value`` and giving each gradient in ``_tl_grads`` its
    argument's shape and dtype, then returning what the caller asked for."""
    lines = [
        "    if _tl_value.__class__ is not float:",
        "        _tl_check_output(_tl_qualname, _tl_value, None)",
    ]
    positions = d.positions
    if len(positions) == 1 and not d.many:
        x = args[positions[0]]
        if types[positions[0]] is float:
            lines += [
                "    if _tl_grads.__class__ is not float:",
                f"        _tl_grads = _tl_match(_tl_grads, {x})",
            ]
        else:
            lines.append(f"    _tl_grads = _tl_match(_tl_grads, {x})")
    elif len(positions) == 1:
        lines.append(f"    _tl_grads = (_tl_match(_tl_grads, {args[positions[0]]}),)")
    else:
        parts = ", ".join(
            f"_tl_match(_tl_grads[{k}], {args[i]})" for k, i in enumerate(positions)
        )
        lines.append(f"    _tl_grads = ({parts})")
    if debug.enabled():  # a gradient identically zero: is it? (call/probe.py)
        found = "(_tl_grads,)" if len(positions) == 1 and not d.many else "_tl_grads"
        lines.append(f"    _tl_probe(_tl_func, {_tuple(args)}, {positions!r}, {found})")
    done = "_tl_grads" if d.kind == "grad" else "_tl_value, _tl_grads"
    return [*lines, f"    return {done}"]


# inlining ---------------------------------------------------------------------------------
def inline(d, function, types: tuple, variant, shapes=()) -> bool:
    """Give ``function`` (the front of ``d``) code that runs ``variant``'s body
    itself when the arguments have ``types`` (and the arrays among them ``shapes``,
    as ``entry`` gives them); False where it cannot (the variant returns early,
    reads its seed, or uses the front's names)."""
    names = plain_names(d.signature)
    if names is None:
        return False
    code = _front_code(d, names, types, variant, shapes)
    if code is None:
        return False
    namespace = variant.__globals__
    scratch: dict = {}
    globals_ = function.__globals__
    globals_.update({k: v for k, v in namespace.items() if not k.startswith(_PREFIX)})
    globals_.update({f"_tl_t{i}": t for i, t in enumerate(types)}, **_finishing(d))
    globals_.update({f"_tl_s{i}": shape for i, shape, _ in shapes})
    globals_.update({f"_tl_d{i}": dtype for i, _, dtype in shapes})
    exec(code, globals_, scratch)
    function.__code__ = scratch[_def_name(d.func)].__code__
    return True


def _front_code(d, names, types, variant, shapes):
    """The code of the front that runs ``variant`` itself, or None where it cannot;
    made once for the fronts of all the closures that share a transform."""
    shape_key = tuple((i, s, str(t)) for i, s, t in shapes)
    key = (variant.__code__, types, shape_key, d.kind, d.many, d.positions)
    key += (tuple(names), _def_name(d.func), debug.enabled())
    fronts = d.module.fronts
    if key not in fronts:
        found = _variant_def(variant)
        if found is None or not _inlinable(found[0], names):
            fronts[key] = None
        else:
            front = _front_tree(d, _def_name(d.func), names, types, shapes, found[0])
            module = ast.Module(body=[front], type_ignores=[])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                fronts[key] = compile(module, variant.__code__.co_filename, "exec")
    return fronts[key]


def _variant_def(variant):
    """The variant's ``def`` as parsed from its generated file (lines kept), and its
    namespace; None where its source is not at hand."""
    lines = linecache.getlines(variant.__code__.co_filename)
    if not lines:
        return None
    for node in ast.parse("".join(lines)).body:
        if isinstance(node, ast.FunctionDef) and node.name == variant.__name__:
            return node, variant.__globals__
    return None


# The variant's body can stand inside the front only if it reads what the front's
# parameters give it: one return, last; the user's parameters first; no seed or
# other parameter read; no name the front keeps for itself.
def _inlinable(tree: ast.FunctionDef, names: list[str]) -> bool:
    """One ``return`` of a pair, last; the user's parameters first and no other
    parameter read; no name of the front's own."""
    body = tree.body
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return False
    returns = [
        n
        for n in ast.walk(tree)
        if isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom))
    ]
    if len(returns) != 1:
        return False
    params = [a.arg for a in tree.args.posonlyargs + tree.args.args]
    if params[: len(names)] != names or tree.args.vararg or tree.args.kwarg:
        return False
    seeds = set(params[len(names) :]) | {a.arg for a in tree.args.kwonlyargs}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return not (used & seeds) and not any(n.startswith(_PREFIX) for n in used)


def _front_tree(
    d, name, names, types, shapes, tree: ast.FunctionDef
) -> ast.FunctionDef:
    """``def name(params): if <types match>: try: <body> ...; <plain front>``, with
    the variant's statements on their generated lines and the rest on its ``def``.
    The checks after the body read the arguments as passed: a parameter the body
    rebinds is kept under another name first."""
    guard = [f"{n}.__class__ is _tl_t{i}" for i, n in enumerate(names)]
    guard += d.module.watch().guard()  # the user's globals as the code last saw them
    for i, _, _ in shapes:
        guard += [f"{names[i]}.shape == _tl_s{i}", f"{names[i]}.dtype is _tl_d{i}"]
    stored = _rebound(tree)
    kept = [f"_tl_a{i}" if n in stored else n for i, n in enumerate(names)]
    copies = [f"    {k} = {n}" for k, n in zip(kept, names) if k != n]
    inner = [
        f"if {' and '.join(guard)}:",
        *copies,
        "    try:",
        "        pass",
        "    except Exception as _tl_exc:",
        f"        _tl_failed(_tl_exc, {_tuple(kept)})",
        "        raise",
        *finish(d, types, kept),
    ]
    outer = _dispatch(d, name, names)
    source = (
        "\n".join([outer[0], *["    " + line for line in inner], *outer[1:]]) + "\n"
    )
    front = ast.parse(source).body[0]
    for node in ast.walk(front):
        if hasattr(node, "lineno"):
            node.lineno = node.end_lineno = tree.lineno
            node.col_offset = node.end_col_offset = 0
    attempt = front.body[0].body[len(copies)]
    attempt.body = tree.body[:-1] + _unpack(tree.body[-1])
    return ast.fix_missing_locations(front)


def _rebound(tree: ast.FunctionDef) -> set[str]:
    """Names the function stores to or deletes."""
    names = (n for n in ast.walk(tree) if isinstance(n, ast.Name))
    return {n.id for n in names if not isinstance(n.ctx, ast.Load)}


def _unpack(ret: ast.Return) -> list[ast.stmt]:
    """``return value, grads`` as assignments to ``_tl_value`` and ``_tl_grads``."""
    value = ret.value
    if isinstance(value, ast.Tuple) and len(value.elts) == 2:
        targets = [("_tl_value", value.elts[0]), ("_tl_grads", value.elts[1])]
        made = [
            ast.Assign(targets=[ast.Name(id=t, ctx=ast.Store())], value=v)
            for t, v in targets
        ]
    else:
        names = [ast.Name(id=n, ctx=ast.Store()) for n in ("_tl_value", "_tl_grads")]
        pair = ast.Tuple(elts=names, ctx=ast.Store())
        made = [ast.Assign(targets=[pair], value=value)]
    for node in made:
        ast.copy_location(node, ret)
    return made
