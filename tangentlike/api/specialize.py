"""Derivatives made for what some arguments are: the class of the object a method
is called on, the functions passed in to be called, and a module passed in whose
functions are called (an array namespace, ``xp``).

``grad(Model.loss)`` differentiates ``self.forward(x)`` as the function the
object's class has under that name, which a subclass may override; ``def
apply(f, x): return f(x)`` calls whatever function it is given.  Neither is known
before the call, so the function ``grad`` returns makes one derivative for each
class and each function passed (``Specialized``), the derivative of the function
with that class as the methods' owner and those functions in place of the
parameters (``bound``).
"""

from __future__ import annotations

import inspect
import types
import weakref

import gast
import numpy

from .. import anno
from ..analysis.scope import parameter_names
from ..call.arguments import Signature
from ..errors import ArgumentError
from ..frontend import closures, methods
from ..made import made_by

_READ: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# What a derivative's call takes after the function's own arguments: a count of
# positional values, or one value by a keyword name instead: ``(0, None)`` for
# grad, ``(1, "seed")`` for vjp's seed, ``(k, None)`` for jvp's k tangents.
After = tuple[int, str | None]


def _calls(f) -> tuple | None:
    """``(called parameters, parameters whose methods are called, whether the
    class defining a method has every method it calls on self)`` of ``f``, read
    from its source once; None where it has none."""
    try:
        return _READ[f]
    except (KeyError, TypeError):
        pass
    try:
        node = closures.tree_of(f)[0]
    except Exception:  # no source: the transform says so
        return None
    found = (
        called_parameters(node),
        methods.receivers(node),
        _has_every_method(node, methods.defining_class(f)),
    )
    try:
        _READ[f] = found
    except TypeError:  # not weakly referable: read again next time
        pass
    return found


def called_parameters(node) -> tuple[str, ...]:
    """The parameters ``node`` calls (``def apply(f, x): return f(x)``)."""
    params = parameter_names(node.args)
    tree = gast.Module(body=node.body, type_ignores=[])
    rebound = methods.rebound(node)
    called = {
        n.func.id
        for n in anno.walk(tree)
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Name)
    }
    return tuple(p for p in params if p in called and p not in rebound)


def specialized(f, positions, owner, make, after: After = (0, None)):
    """``make(owners, bound)``: the derivative of ``f`` for the classes of the
    objects whose methods it calls (parameter -> class) and the functions passed
    to the parameters it calls; itself where nothing is to be known of the
    arguments first (``owner``, a bound method's class, is), else a
    ``Specialized`` making one for each, whose calls take ``after`` (what the
    derivative takes after ``f``'s arguments) after ``f``'s arguments.  A method
    whose own class has every method it calls gets that one made now, so that
    what cannot be differentiated is refused here."""
    names = list(Signature.of(f).names)
    found = _calls(f)
    if found is None or not names:
        return make({}, {})
    fixed = {names[0]: owner} if owner is not None else {}
    called = tuple(p for p in found[0] if names.index(p) not in positions)
    objects = tuple(p for p in found[1] if p not in fixed and p not in called)
    if not called and not objects:
        return make(fixed, {})

    def build(key):
        owners, spaces = {}, {}
        for p, held in zip(objects, key[0]):  # a module: its functions are called
            if isinstance(held, types.ModuleType) and names.index(p) in positions:
                raise ArgumentError(
                    f"wrt names {p!r} of {getattr(f, '__qualname__', f)}, which "
                    f"holds the module {held.__name__}: a module has no gradient; "
                    "differentiate with respect to an array or a float"
                )
            (spaces if isinstance(held, types.ModuleType) else owners)[p] = held
        return make({**fixed, **owners}, {**spaces, **dict(zip(called, key[1:]))})

    made = Specialized(f, names, objects, called, build, [after])
    if not called and objects == (names[0],) and found[2]:
        made.get(((methods.defining_class(f),),))
    return made


def _has_every_method(node, cls) -> bool:
    """``cls`` has a function for every ``self.m(...)`` of the method ``node``."""
    if cls is None:
        return False
    me = parameter_names(node.args)[0]
    return all(
        methods.lookup(cls, n.func.attr) is not None
        for n in anno.walk(node)
        if isinstance(n, gast.Call)
        and isinstance(n.func, gast.Attribute)
        and isinstance(n.func.value, gast.Name)
        and n.func.value.id == me
        and not hasattr(numpy.ndarray, n.func.attr)
    )


def _defaults(f) -> dict:
    """Parameter name -> default, for the parameters that have one."""
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in params if p.default is not p.empty}


def _kind(held):
    """What a derivative is made for: an object's class, or a module itself (an
    array namespace passed in, ``def f(x, xp): return xp.sum(xp.exp(x))``, whose
    functions the derivative calls as NumPy's)."""
    return held if isinstance(held, types.ModuleType) else type(held)


def _position(names, receiver: str) -> tuple[int, str]:
    """A receiver's parameter's position and the attributes read from it."""
    root, _, path = receiver.partition(".")
    return names.index(root), path


class Specialized:
    """``f``'s derivative, made (by ``build(key)``) for each class of the objects
    whose methods it calls and each function passed to the ``called`` parameters
    (the key: those classes, then those functions)."""

    def __init__(self, f, names, objects, called, build, after: list[After]):
        # (position, attribute path): self.layer is (0, "layer")
        self.objects = [_position(names, p) for p in objects]
        self.called = [names.index(p) for p in called]
        self.names = names
        self.defaults = _defaults(f)
        self.build = build
        self.after = after  # outermost first: a nested derivative's, then its own
        self.made: dict = {}
        self.__name__ = getattr(f, "__name__", "derivative")
        self.__qualname__ = getattr(f, "__qualname__", self.__name__)
        self.__doc__ = getattr(f, "__doc__", None)

    def __call__(self, *args, **kwargs):
        return self.get(self.key(args, kwargs))(*args, **kwargs)

    def __get__(self, obj, owner=None):
        """Bound as a function is, where it decorates a method (``@tl.grad``)."""
        return self if obj is None else types.MethodType(self, obj)

    def get(self, key: tuple):
        """The derivative for ``key``, made once."""
        found = self.made.get(key)
        if found is None:
            found = self.made[key] = self.build(key)
        return found

    def key(self, args, kwargs) -> tuple:
        args, kwargs = self.own(args, kwargs)

        def value(i):
            if i < len(args):
                return args[i]
            return kwargs.get(self.names[i], self.defaults.get(self.names[i]))

        classes = tuple(
            _kind(methods.follow(value(i), path)) for i, path in self.objects
        )
        return (classes, *(value(i) for i in self.called))

    def own(self, args, kwargs) -> tuple[tuple, dict]:
        """The arguments of ``f`` in a call's: without the seeds and tangents
        the derivatives take after them (a defaulted parameter left out is not
        given the first tangent)."""
        for count, keyword in self.after:
            if keyword is not None and keyword in kwargs and keyword not in self.names:
                kwargs = {k: v for k, v in kwargs.items() if k != keyword}
            else:
                args = args[: max(len(args) - count, 0)]
        return args, kwargs

    def nested(self, make, after: After = (0, None)) -> Specialized:
        """``make`` (``grad``, ``jvp``, ...) of this derivative, for each key: a
        derivative of the derivative made for it, whose calls take ``after``
        after this derivative's arguments."""
        outer = object.__new__(Specialized)
        outer.__dict__.update(self.__dict__, made={}, after=[after, *self.after])
        outer.build = lambda key: make(self.get(key))
        return outer

    @property
    def __tangentlike__(self):
        """What stands behind the derivative made first (``made.MARK``)."""
        return next((made_by(f) for f in self.made.values()), None)
