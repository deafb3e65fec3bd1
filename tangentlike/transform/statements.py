"""How both modes read a normalized statement: what it is, what is active, which
template differentiates it.

After normalization a statement is one of a few kinds: an assignment to a name
(a copy, a literal, an item read, a call of the user's, an operation with a
template), to an item, to a tuple; a pop or push of the save stacks; a call
that appends or updates in place.  ``Sweep`` tells them apart once and hands each
kind to a method of the mode: ``ReverseAD`` returns ``(forward, adjoint)`` from
each, ``ForwardAD`` the statements with their tangents.  A new construct is
taught to both modes here: its kind here, its handler in each mode.
"""

from __future__ import annotations

import inspect

import gast

from .. import anno, constants
from .. import template as tpl
from ..analysis import activity as analyze
from ..analysis import custom_items
from ..errors import NoDerivativeError
from ..frontend.methods import is_record_class
from ..naming import TEMP_PREFIX
from . import fused


class Sweep:
    """What reverse and forward mode share: the kinds of statements and how an
    operation's template is found, bound and run."""

    table: dict  # tpl.ADJOINTS or tpl.TANGENTS
    zero_of = None  # the expression of a zero derivative; None drops the term
    fold_zero = None  # a template temporary with zero terms dropped; None if zero

    def __init__(self, fn, active: set[str], calls):
        self.fn = fn
        self.namer = fn.namer
        self.np = fn.np_alias
        self.active = active
        self.calls = calls
        self.missing: list = []  # calls without a derivative, reported together
        self.sequences = built_sequences(fn.node.body)

    def unchanged(self, stmt):
        """What the mode makes of a statement with no derivative."""
        raise NotImplementedError

    def derivative(self, name: str) -> str | None:
        """The derivative variable of ``name``; None where it is not active."""
        raise NotImplementedError

    def is_active(self, atom) -> bool:
        return isinstance(atom, gast.Name) and atom.id in self.active

    # the kinds of statements -----------------------------------------------------
    def visit(self, stmt):
        method = getattr(self, "visit_" + type(stmt).__name__, None)
        return self.unchanged(stmt) if method is None else method(stmt)

    # An assignment's target decides its kind first, then (for a name) its value.
    def visit_Assign(self, stmt):
        target = stmt.targets[0]
        written = anno.out_names(stmt.value) & self.active
        if written:
            raise in_place_error(self.fn, stmt, written)
        if isinstance(target, gast.Subscript):
            return self.setitem(stmt)
        if isinstance(target, (gast.Tuple, gast.List)):
            return self.unpack(stmt)
        if isinstance(target, gast.Attribute):
            return self.set_attribute(stmt)
        if not isinstance(target, gast.Name):
            return self.unchanged(stmt)
        if analyze.is_stack_call(stmt.value, "pop"):
            return self.stack_pop(stmt)
        if is_list_pop(stmt.value):
            return self.list_pop(target.id, stmt)
        return self.assign(target.id, stmt)

    # A call as a statement pushes, appends or updates its argument in place.
    def visit_Expr(self, stmt):
        call = stmt.value
        if analyze.is_stack_call(call, "append"):
            return self.stack_append(stmt)
        if analyze.is_method_call(call, "append"):
            return self.list_append(stmt)
        if is_list_pop(call):
            return self.list_pop(None, stmt)
        changed = (
            analyze.mutated_names(call) & self.active
            if isinstance(call, gast.Call)
            else set()
        )
        if not changed:
            return self.unchanged(stmt)
        if analyze.is_ufunc_at(call) and call.func.value.attr == "add":
            return self.add_at(stmt)
        raise in_place_error(self.fn, stmt, changed)

    def rule(self, y: str, stmt):
        """The derivative of ``y = value`` by the kind of ``value``."""
        value = stmt.value
        if isinstance(value, (gast.Name, gast.Constant)):
            return self.copy_value(y, stmt)
        if isinstance(value, (gast.Tuple, gast.List)):
            return self.sequence(y, stmt)
        if isinstance(value, gast.Dict):
            return self.dict_literal(y, stmt)
        if isinstance(value, gast.Subscript):
            computed = anno.get(value, custom_items.COMPUTED, False)
            if self.holds_active(value.slice) and (
                computed or analyze.is_built_from_index(value)
            ):
                raise index_error(self.fn, stmt, value)
            return self.getitem(y, stmt)
        if is_sequence_op(value, self.sequences):  # lists joined or repeated
            return self.sequence_op(y, stmt)
        if record_fields(value) is not None:  # Point(x, y): a dataclass, a named tuple
            return self.record(y, stmt)
        if self.is_user_call(value):
            return self.user_call(y, stmt)
        template, bindings = self.template_for(value, stmt)
        if anno.get(stmt, fused.FUSED) is None:
            self.account(template, bindings, value, stmt)
        return self.operation(y, stmt, self.instantiate(template, bindings, y, stmt))

    def set_attribute(self, stmt):
        """``p.a = v``: an object's attributes are not differentiated; a value to
        differentiate stored there (or into an object holding one) is refused."""
        target = stmt.targets[0]
        if self.holds_active(stmt.value) or self.holds_active(target.value):
            raise NoDerivativeError(
                f"no derivative through the attribute `.{target.attr}`, given a "
                "value to differentiate",
                self.fn.source.location(stmt),
                "keep the value in a local name, or pass it to a function as an "
                "argument; wrap it in tangentlike.stop_gradient if it should be "
                "a constant",
            )
        return self.unchanged(stmt)

    def collecting(self, build, fallback):
        """``build()``; a missing derivative is kept for the report at the end."""
        try:
            return build()
        except NoDerivativeError as exc:
            self.missing.append(exc)
            return fallback

    # templates -------------------------------------------------------------------
    def is_user_call(self, value) -> bool:
        """A call of the user's function with no template: transformed from source."""
        if not isinstance(value, gast.Call):
            return False
        callee = anno.get(value, anno.CALLEE)
        return tpl.lookup(self.table, callee) is None and self.calls.is_user_function(
            callee, self.table
        )

    # A template is found by the sigmoid mark, by the callee, or by the operator.
    def template_for(self, value, stmt):
        """(template, bindings of its parameters but the first) for ``value``."""
        marked = anno.get(stmt, fused.FUSED)
        if marked is not None:
            return fused.template(self.table, marked)
        if isinstance(value, gast.Call):
            return self._call_template(value, stmt)
        key, operands = operator_key(value)
        if key is None:
            raise self.fn.error(
                stmt, f"cannot differentiate {type(value).__name__} expression"
            )
        template = tpl.lookup(self.table, key)
        if template is None and isinstance(value, gast.Attribute):
            template = tpl.lookup(self.table, ATTRIBUTE)  # an object's attribute
            operands = [*operands, anno.const(value.attr)]
        if template is None:
            what = key[1] if isinstance(key, tuple) else key.__name__
            raise self.fn.no_derivative(stmt, f"operator or attribute {what!r}")
        return template, dict(zip(template.params[1:], operands))

    def _call_template(self, call, stmt):
        callee = anno.get(call, anno.CALLEE)
        template = tpl.lookup(self.table, callee)
        if template is None:
            param = self.undeclared_active(callee, call)
            if param is not None:
                raise not_differentiated(self.fn, where(call, stmt), callee, param)
            if isinstance(callee, type) and not _library_class(callee):
                raise object_error(self.fn, where(call, stmt), callee)
            if callee is None:
                raise unknown_call_error(self.fn, where(call, stmt), call)
            raise self.fn.no_derivative(where(call, stmt), describe(callee, call))
        try:
            return template, tpl.bind(template, call)
        except TypeError as exc:
            raise self.fn.error(
                stmt, f"unsupported arguments to {describe(callee, call)}: {exc}"
            ) from None

    def instantiate(self, template, bindings, y: str, stmt) -> list:
        """The template's statements and contributions for ``y = value``."""
        bindings[template.params[0]] = anno.name(y)
        inst = tpl.Instantiator(
            template,
            bindings,
            self.derivative,
            self.namer,
            self.np,
            self.zero_of,
            self.fold_zero,
        )
        self.fn.helpers.update(template.helpers)
        try:
            return inst.run()
        except tpl.Refused as exc:
            raise NoDerivativeError(
                f"no derivative of {exc}",
                self.fn.source.location(stmt),
                "compute the value another way, or register a derivative for it "
                "with @tangentlike.adjoint / @tangentlike.tangent",
            ) from None
        except tpl.NotLiteral:
            raise self.fn.error(
                stmt,
                "an argument the derivative depends on (an order, an axis, a mode) "
                "is not a literal",
                "write its value in the call, e.g. order='F' or axis=0",
            ) from None

    # A value to differentiate reaches the result through each parameter it is
    # passed to: the template differentiates it there, a declaration proves it
    # constant there, or the call is refused.
    def account(self, template, bindings, call, stmt) -> None:
        """Refuse a template that leaves a value to differentiate undifferentiated
        in a parameter that no declaration proves constant."""
        if template.refuses:
            return  # it says why when it runs
        primal, done = template.primal, template.differentiated
        passed = list(bindings.items()) + self.left_out(template, bindings, call)
        for param, atom in passed:
            if param in done or not self.holds_active(atom):
                continue
            if constants.reason(primal, param) is None:
                raise not_differentiated(self.fn, where(call, stmt), primal, param)

    @staticmethod
    def left_out(template, bindings, call) -> list:
        """The keywords a call passes that its template does not take (the neutral
        ones, ``np.sum``'s ``initial=``), with their values."""
        if not isinstance(call, gast.Call):
            return []
        names = tpl.RENAMED.get(template.primal, {})
        pairs = [(names.get(k.arg, k.arg), k.value) for k in call.keywords]
        return [(name, value) for name, value in pairs if name not in bindings]

    def holds_active(self, atom) -> bool:
        """A name to differentiate, or a literal tuple or list holding one."""
        return bool(anno.load_names(atom) & self.active)

    def undeclared_active(self, callee, call) -> str | None:
        """The first parameter of a partly declared function given a value to
        differentiate that no declaration covers (``np.full``'s fill value)."""
        bound = constants.bind(callee, call)
        for param, atom in (bound or {}).items():
            atoms = atom if isinstance(atom, tuple) else (atom,)
            held = any(self.holds_active(a) for a in atoms)
            if held and constants.reason(callee, param) is None:
                return param
        return None


def not_differentiated(fn, node, callee, param: str) -> NoDerivativeError:
    """The error for a value to differentiate passed where no derivative is known."""
    what = describe(callee, node) if callable(callee) else "this operation"
    return NoDerivativeError(
        f"no derivative of {what} with respect to its argument `{param}`, "
        "which is given a value to differentiate",
        fn.source.location(node),
        f"register a derivative for it with @tangentlike.adjoint({what}) (and "
        "@tangentlike.tangent for forward mode), or wrap the value in "
        "tangentlike.stop_gradient if it should be a constant",
    )


# where a class is a library's, whose objects are not the user's to rewrite
LIBRARY_ROOTS = ("numpy", "scipy", "builtins")


def _library_class(cls) -> bool:
    return cls.__module__.split(".")[0] in LIBRARY_ROOTS


def object_error(fn, stmt, cls) -> NoDerivativeError:
    """The error for an object of a class of the user's made from a value to
    differentiate, where tangentlike cannot follow its fields."""
    return NoDerivativeError(
        f"no derivative through an object of class {cls.__qualname__} made from a "
        "value to differentiate",
        fn.source.location(stmt),
        "tangentlike follows objects whose __init__ only stores its parameters "
        "(self.w = w), dataclasses and named tuples: compute derived values in a "
        "method instead of __init__, or pass the arrays to a function",
    )


def unknown_call_error(fn, stmt, call) -> NoDerivativeError:
    """The error for a call of what tangentlike cannot resolve, given a value to
    differentiate: a method of an object it does not follow, a name it cannot
    bind to a function."""
    what, where = describe(None, call), fn.source.location(stmt)
    if what.startswith(TEMP_PREFIX) and what not in where.text:  # ACTS[name](z)
        what = "a function taken from a container or returned by a call"
    return NoDerivativeError(
        f"no derivative for {what}: tangentlike cannot tell what it calls",
        where,
        "tangentlike follows your functions, the methods of the function's "
        "parameters, and those of objects it makes and binds to a name "
        "(m = Model(w), then m.loss(x)), and functions passed as arguments: "
        "call the function by its name or pass it in; wrap the value in "
        "tangentlike.stop_gradient if it should be a constant",
    )


def index_error(fn, stmt, value) -> NoDerivativeError:
    """The error for an item whose index holds a value to differentiate: an
    ``np.r_[a, b]``-like object that builds its result from the index, or any
    other container (an object's ``__getitem__`` may compute from it)."""
    what = describe(None, gast.Call(func=value.value, args=[], keywords=[]))
    if not analyze.is_built_from_index(value):
        return NoDerivativeError(
            f"no derivative of `{what}[...]` with respect to its index, which holds "
            "a value to differentiate",
            fn.source.location(stmt),
            "an index is a position or a key: compute the value with a function "
            "instead of an object's `[]`, or wrap the index in "
            "tangentlike.stop_gradient if it should be a constant",
        )
    return NoDerivativeError(
        f"no derivative of {what}[...] with respect to its index, which holds a "
        "value to differentiate",
        fn.source.location(stmt),
        "build the array with a function instead (np.concatenate, np.stack, "
        "np.linspace), or wrap the value in tangentlike.stop_gradient if it "
        "should be a constant",
    )


def where(call, stmt):
    """Where a call is reported: the call itself, or its statement if it has no line."""
    return call if getattr(call, "lineno", None) else stmt


def is_sequence_op(value, containers) -> bool:
    """``a + b`` or ``a * b`` where an operand may be a list or tuple."""
    return (
        isinstance(value, gast.BinOp)
        and isinstance(value.op, (gast.Add, gast.Mult))
        and any(
            isinstance(v, gast.Name) and v.id in containers
            for v in (value.left, value.right)
        )
    )


def built_sequences(body) -> set[str]:
    """Names that surely hold a list or tuple: built from a literal, appended to, or
    joined or repeated from such names (``a + b``, ``a * n``)."""
    found = set()
    nodes = list(anno.walk(gast.Module(body=body, type_ignores=[])))
    for node in nodes:
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            if isinstance(node.value, (gast.List, gast.Tuple)):
                found.add(node.targets[0].id)
        elif isinstance(node, gast.Call) and (
            analyze.is_method_call(node, "append") or is_list_pop(node)
        ):
            found.add(node.func.value.id)
    return _joined(nodes, found)


def is_list_pop(call) -> bool:
    """``lst.pop()`` of the last item, on a local name (not a save stack)."""
    return (
        isinstance(call, gast.Call)
        and analyze.is_method_call(call, "pop")
        and not analyze.is_stack_call(call, "pop")
        and not call.args
        and not call.keywords
    )


def _joined(nodes, found: set[str]) -> set[str]:
    """``found`` and what ``a + b`` and ``a * n`` of its names make (joined or
    repeated lists), to a fixed point."""
    while True:
        more = {
            name
            for node in nodes
            if isinstance(node, gast.Assign) and is_sequence_op(node.value, found)
            for name in anno.store_names(node.targets[0])
        }
        if more <= found:
            return found
        found = found | more


def record_fields(value) -> list[tuple[str, gast.expr]] | None:
    """``(field, atom)`` of each field a call makes a record of: a named tuple or a
    dataclass whose ``__init__`` only stores its fields (no ``__post_init__``, no
    field left out of it); None for any other call."""
    cls = anno.get(value, anno.CALLEE) if isinstance(value, gast.Call) else None
    if (
        not isinstance(cls, type)
        or any(isinstance(a, gast.Starred) for a in value.args)
        or any(k.arg is None for k in value.keywords)
    ):
        return None
    if not is_record_class(cls):
        return None
    try:
        bound = inspect.signature(cls).bind(
            *value.args, **{k.arg: k.value for k in value.keywords}
        )
    except TypeError:
        return None
    return list(bound.arguments.items())


ATTRIBUTE = ("attr", "*")  # the template key of an object's attribute, ``model.W``


def operator_key(value):
    """The template key of an operator or attribute, and its operands."""
    if isinstance(value, gast.BinOp):
        return type(value.op), [value.left, value.right]
    if isinstance(value, gast.UnaryOp):
        return type(value.op), [value.operand]
    if isinstance(value, gast.Attribute):
        return ("attr", value.attr), [value.value]
    return None, []


def in_place_error(fn, stmt, names):
    """The error for a call that updates a value the derivative flows through."""
    listed = ", ".join(f"`{n}`" for n in sorted(names))
    return fn.error(
        stmt,
        f"in-place update of {listed} by a call: its derivative is not known",
        "compute a new value instead (y = np.where(...), y = y + v, out= left out), "
        "or use np.add.at for indexed sums",
    )


# A callee is named as the user wrote it where it is unknown (a method of a
# value made here is just ``.item()``), else by its module and qualified name,
# with builtins named alone.
def describe(callee, call) -> str:
    """A callee as the user knows it: ``numpy.fft.fft``, ``the method .tolist()``."""
    if callee is None:
        func = call.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            if func.value.id.startswith(TEMP_PREFIX):  # x[1:].tolist(): made here
                return f"the method .{func.attr}()"
        return gast.unparse(func) if hasattr(gast, "unparse") else "a call"
    module = getattr(callee, "__module__", None) or ""
    name = getattr(callee, "__qualname__", None) or getattr(
        callee, "__name__", repr(callee)
    )
    return f"{module}.{name}" if module and module != "builtins" else name
