"""Every error class: the message names the user's file and line, shows a caret and a hint."""

import linecache
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api import cache as api

HERE = __file__


def many_problems(x):
    global COUNTER
    y, *rest = x
    del rest[0]
    yield y


def test_unsupported_syntax_lists_every_problem():
    with pytest.raises(tl.UnsupportedSyntaxError) as info:
        tl.grad(many_problems)
    text = str(info.value)
    for what in ("global statement", "starred target", "del of an item", "yield"):
        assert what in text
    assert len(info.value.problems) >= 4
    assert f'File "{HERE}"' in text
    assert "    del rest[0]\n" in text and "^" in text and "Hint:" in text
    first = many_problems.__code__.co_firstlineno + 1
    assert info.value.location.lineno == first


def uses_fft(x):
    return np.sum(np.abs(np.fft.fft(x)))


def test_no_derivative_names_the_call_and_a_fix():
    with pytest.raises(tl.NoDerivativeError) as info:
        tl.grad(uses_fft)
    text = str(info.value)
    assert "fft" in text and f'File "{HERE}"' in text
    assert "np.fft.fft(x)" in text and "^" in text and "tangentlike.adjoint" in text


ACTIVATIONS = {"tanh": np.tanh, "square": np.square}


def by_activation_name(z):
    total = 0.0
    for name in ["tanh", "square"]:
        total = total + np.sum(ACTIVATIONS[name](z))
    return total


def test_a_function_taken_from_a_dict_is_named_by_the_users_line():
    """No generated name (``_item``) stands for the user's ``ACTIVATIONS[name]``."""
    with pytest.raises(tl.NoDerivativeError) as info:
        tl.grad(by_activation_name)(np.ones(2))
    text = str(info.value)
    assert "a function taken from a container" in text and "_item" not in text
    assert "ACTIVATIONS[name](z)" in text and f'File "{HERE}"' in text


def test_no_source_builtin():
    with pytest.raises(tl.NoSourceError) as info:
        tl.grad(len)
    assert "Hint:" in str(info.value)


def test_no_source_exec():
    ns = {}
    exec("def g(x):\n    return x * x\n", ns)
    with pytest.raises(tl.NoSourceError):
        tl.grad(ns["g"])


def two(x, y):
    return x * y


@pytest.mark.parametrize("wrt", [2, -3, "z", ("x", 5)])
def test_bad_wrt_lists_parameters(wrt):
    with pytest.raises(tl.ArgumentError, match="x, y"):
        tl.grad(two, wrt=wrt)


def vector(x):
    return x * 2.0


def test_non_scalar_output_points_to_vjp():
    with pytest.raises(tl.NonScalarOutputError, match="vjp"):
        tl.grad(vector)(np.ones(3))


@pytest.mark.parametrize("arg", [3, True, np.arange(3), np.array([True, False])])
def test_integer_or_boolean_wrt_is_an_error(arg):
    with pytest.raises(tl.ArgumentError, match="integer or boolean"):
        tl.grad(lambda_free_square)(arg)


def lambda_free_square(x):
    return np.sum(x * x)


def test_vjp_seed_shape_names_both_shapes():
    with pytest.raises(tl.ArgumentError) as info:
        tl.vjp(vector)(np.ones(3), np.ones(4))
    assert "(3,)" in str(info.value) and "(4,)" in str(info.value)


def poly(x):
    return np.sum(x**3 + np.sin(x))


def test_concurrent_grad_transforms_once():
    before = api.cached_functions()
    x = np.linspace(0.1, 1.0, 5)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: tl.grad(poly)(x), range(32)))
    assert api.cached_functions() == before + 1
    for g in results:
        np.testing.assert_allclose(g, 3 * x**2 + np.cos(x))


def test_generated_source_is_deterministic():
    code = (
        "import sys; sys.path.insert(0, 'tests'); import test_errors as t, tangentlike as tl;"
        "print(tl.getsource(tl.grad(t.poly)))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and b"def " in runs[0]


def test_ipython_cell_source():
    name = "<ipython-input-7-0123456789ab>"
    source = "import numpy as np\n\ndef cell(x):\n    return np.sum(x * x)\n"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    ns = {}
    exec(compile(source, name, "exec"), ns)
    np.testing.assert_allclose(tl.grad(ns["cell"])(np.ones(2)), [2.0, 2.0])


def test_jvp_tangent_shape_is_checked():
    def f(x):
        return np.sum(np.sin(x))

    with pytest.raises(tl.ArgumentError, match=r"tangent for 'x'.*\(2,\).*\(3,\)"):
        tl.jvp(f)(np.ones(3), np.ones(2))


def several_missing(x):
    a = np.fft.fft(x).real
    c = np.i0(x)
    return np.sum(a) + np.sum(c)


@pytest.mark.parametrize("transform", [tl.grad, tl.jvp], ids=["reverse", "forward"])
def test_every_missing_derivative_is_reported_at_once(transform):
    with pytest.raises(tl.NoDerivativeError) as info:
        transform(several_missing)
    text = str(info.value)
    assert "no derivative for 2 call(s)" in text
    assert "numpy.fft.fft" in text and "numpy.i0" in text
    first = several_missing.__code__.co_firstlineno
    assert f"line {first + 1}" in text and f"line {first + 2}" in text
    assert "        ^" in text  # the caret sits under the call, not the statement


def item_of_an_item(x):
    y = x * 1.0
    y[0][1] = 2.0 * x[0, 0]
    return np.sum(y**2)


def uses_a_stack_name(x):
    _stack = x * 2.0
    return np.sum(_stack * x)


def test_assignment_into_an_item_of_an_item_is_refused():
    """``y[0][1] = v`` updates the view ``y[0]``: it was differentiated as a new value."""
    with pytest.raises(tl.UnsupportedSyntaxError, match=r"item of an item") as info:
        tl.grad(item_of_an_item)
    assert "y[i, j] = v" in str(info.value)


def test_a_save_stack_name_is_refused_once():
    """Generated code keeps saved values in ``_stack``: a user's ``_stack`` lost its tangent."""
    with pytest.raises(tl.UnsupportedSyntaxError) as info:
        tl.jvp(uses_a_stack_name)
    assert str(info.value).count("the name `_stack`") == 1


def vector_valued(x):
    return np.sin(x) * 2.0


def test_hessians_of_a_vector_output_are_refused():
    """The plain gradient they build on sums the outputs: that Hessian was returned."""
    for make in (tl.hessian, tl.hvp):
        with pytest.raises(tl.NonScalarOutputError):
            make(vector_valued)(*([np.ones(3)] * (2 if make is tl.hvp else 1)))


def test_wrt_naming_an_argument_a_partial_binds_is_refused():
    import functools

    bound = functools.partial(two_args, y=2.0)
    with pytest.raises(tl.ArgumentError, match="binds"):
        tl.grad(bound, wrt="y")


def two_args(x, y):
    return x * y


ORDER = "F"


def order_in_a_name(x):
    return np.sum(x.reshape(2, 3, order=ORDER)[0] * np.arange(3.0))


@pytest.mark.parametrize("make", [tl.grad, tl.jvp])
def test_an_argument_the_derivative_reads_as_a_literal_must_be_one(make):
    with pytest.raises(tl.TangentlikeError, match="not a literal") as info:
        make(order_in_a_name)
    assert "order='F'" in str(info.value)


def reads_a_nonlocal_beside_the_call(x):
    acc = x

    def bump():
        nonlocal acc
        acc = acc * 2.0
        return 1.0

    return acc + bump()  # Python reads acc before bump() rebinds it


def test_a_call_that_rebinds_a_name_its_line_reads_is_refused_by_name():
    with pytest.raises(
        tl.UnsupportedSyntaxError, match="a call of `bump`, which rebinds acc"
    ):
        tl.grad(reads_a_nonlocal_beside_the_call)


def test_a_jvp_short_of_tangents_says_what_it_takes():
    with pytest.raises(tl.ArgumentError, match=r"one tangent for each of x, y"):
        tl.jvp(two_args, wrt=(0, 1))(1.0, 2.0, 1.0)


def test_check_grads_takes_names():
    tl.check_grads(two_args, [1.5, 2.0], wrt="y")
    tl.check_grads(two_args, [1.5, 2.0], wrt=("x", 1))


def doubled_sine(x):
    return np.sin(x) * 2.0


def listed_items(x):
    return x[1:].tolist()[0] * 2.0


def test_a_vjp_seed_that_fits_no_output_is_named():
    with pytest.raises(
        tl.ArgumentError, match=r"seed of vjp\(doubled_sine\) has shape \(4,\)"
    ):
        tl.vjp(doubled_sine)(np.ones(3), np.ones(4))


def test_a_method_without_a_derivative_is_named_as_the_user_wrote_it():
    with pytest.raises(tl.NoDerivativeError, match=r"the method \.tolist\(\)"):
        tl.grad(listed_items)


class Model:
    def loss(self, x):
        return np.sum(np.fft.fft(x).real)


def test_the_caret_points_at_the_call_in_a_method():
    """A method's source is dedented to parse it: columns are put back."""
    with pytest.raises(tl.NoDerivativeError) as info:
        tl.grad(Model().loss)
    lines = str(info.value).splitlines()
    code, caret = lines[2], lines[3]
    assert code[caret.index("^") :].startswith("np.fft.fft(x)")


def test_a_vjp_without_its_seed_names_the_seed():
    with pytest.raises(tl.ArgumentError, match=r"vjp\(doubled_sine\)\(x, seed\)"):
        tl.vjp(doubled_sine)(np.ones(3))


def test_a_vjp_with_too_many_arguments_says_so():
    with pytest.raises(TypeError, match="too many"):
        tl.vjp(doubled_sine)(np.ones(3), np.ones(3), np.ones(3))


def loss_and_prediction(x):
    p = np.tanh(x)
    return np.sum(p**2), p


def test_grad_of_a_function_returning_a_tuple_names_value_and_grad_and_vjp():
    with pytest.raises(tl.ArgumentError) as info:
        tl.grad(loss_and_prediction)
    text = str(info.value)
    assert "returns a tuple" in text and "value_and_grad" in text and "vjp" in text
    assert "return np.sum(p**2), p" in text and f'File "{HERE}"' in text


def packed(x):
    out = (np.sum(x**2), x)
    return out


@pytest.mark.parametrize("x", [1.5, np.ones(3)])
def test_a_tuple_returned_by_name_is_named_when_the_gradient_runs(x):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SyntaxWarning from generated code
        df = tl.grad(packed)
        for _ in range(2):  # the first call, then the one its front runs
            with pytest.raises(tl.ArgumentError, match="returned a tuple"):
                df(x)
        with pytest.raises(tl.ArgumentError, match="returned a tuple"):
            df(x=x)


def _own_frames(exc) -> list[str]:
    import traceback

    package = tl.__file__.rsplit("/", 1)[0]
    return [
        f.filename
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.startswith(package) or f.filename.startswith("<tangentlike")
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda: tl.grad(uses_fft),
        lambda: tl.hessian(uses_fft),
        lambda: tl.grad(wrt=0)(uses_fft),
        lambda: tl.jvp(many_problems),
    ],
)
def test_errors_raised_on_purpose_hide_tangentlike_frames(make, monkeypatch):
    """As JAX filters its tracebacks: the user's frames and one line of
    tangentlike's, which says how to see the rest."""
    monkeypatch.delenv("TANGENTLIKE_DEBUG", raising=False)
    with pytest.raises(tl.TangentlikeError) as info:
        make()
    own = _own_frames(info.value)
    assert len(own) == 1 and own[0].endswith("errors.py")
    assert (
        info.traceback[-1]
        .statement.lines[-1]
        .endswith("# tangentlike's frames are hidden: TANGENTLIKE_DEBUG=1 shows them")
    )
    monkeypatch.setenv("TANGENTLIKE_DEBUG", "1")
    with pytest.raises(tl.TangentlikeError) as info:
        make()
    assert len(_own_frames(info.value)) > 5


def test_argument_errors_of_a_call_hide_tangentlike_frames(monkeypatch):
    monkeypatch.delenv("TANGENTLIKE_DEBUG", raising=False)
    with pytest.raises(tl.ArgumentError) as info:
        tl.grad(lambda x: np.sum(x * x))(np.arange(3))
    own = [f for f in _own_frames(info.value) if not f.startswith("<tangentlike")]
    assert len(own) == 1 and own[0].endswith("errors.py")


def test_errors_inside_generated_code_keep_their_frames():
    """A shape mismatch is not raised on purpose: its frames stay, with the note."""

    def mismatched(x, y):
        return np.sum(x + y)

    with pytest.raises(ValueError) as info:
        tl.grad(mismatched)(np.ones(3), np.ones(4))
    assert any(f.startswith("<tangentlike ") for f in _own_frames(info.value))
