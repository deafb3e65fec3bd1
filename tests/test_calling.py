"""The call path of a derivative: every way of calling gives the same checked result."""

import functools
import math

import numpy as np
import pytest

import tangentlike as tl
from tangentlike.api.check import numerical_grad


def two(x, y):
    return math.sin(x) * y + x * x


def annotated(x: float, y: float = 2.0) -> float:
    return x * y * y


def positional_only(x, y, /):
    return x * np.sum(y)


def arrays(w, x):
    return np.sum(np.tanh(w * x))


def test_positional_keyword_and_mixed_calls_agree():
    df = tl.grad(two, wrt=(0, 1))
    want = (math.cos(0.3) * 1.5 + 0.6, math.sin(0.3))
    for got in (df(0.3, 1.5), df(x=0.3, y=1.5), df(0.3, y=1.5), df(y=1.5, x=0.3)):
        assert got == pytest.approx(want)


def test_defaults_and_annotations():
    df = tl.grad(annotated)
    assert df(1.0) == pytest.approx(4.0)
    assert df(1.0, 3.0) == pytest.approx(9.0)
    assert df(1.0, y=3.0) == pytest.approx(9.0)


def test_positional_only_parameters():
    df = tl.grad(positional_only, wrt=1)
    np.testing.assert_allclose(df(2.0, np.ones(3)), 2.0 * np.ones(3))
    with pytest.raises(TypeError):
        df(2.0, y=np.ones(3))


def test_wrong_arity_is_pythons_type_error():
    with pytest.raises(TypeError):
        tl.grad(two)(0.3)


def test_types_switching_between_calls():
    df = tl.grad(arrays)
    x = np.linspace(0.1, 1.0, 4)
    for w in (
        0.5,
        np.float64(0.5),
        np.full(4, 0.5),
        np.full(4, 0.5, dtype=np.float32),
        0.5,
    ):
        got = df(w, x)
        want = numerical_grad(arrays, [np.asarray(w, dtype=float), x], 0)
        np.testing.assert_allclose(got, want, rtol=1e-4)
        assert np.shape(got) == np.shape(w)
        assert np.result_type(got) == np.result_type(w)


def test_integer_argument_refused_after_float_calls():
    df = tl.grad(two)
    df(0.3, 1.5)
    with pytest.raises(tl.TangentlikeError, match="integer"):
        df(1, 1.5)


def test_non_scalar_output_refused_on_every_path():
    df = tl.grad(lambda w, x: np.tanh(w * x))
    x = np.ones(3)
    for w in (0.5, np.ones(3), 0.5, np.ones(3)):  # first calls, then the fast paths
        with pytest.raises(tl.TangentlikeError, match="scalar"):
            df(w, x)


def test_value_and_grad_through_the_fast_path():
    vg = tl.value_and_grad(two, wrt=(0,))
    value, (g,) = vg(0.3, 1.5)
    assert value == pytest.approx(two(0.3, 1.5))
    assert g == pytest.approx(math.cos(0.3) * 1.5 + 0.6)


def shadowing(entry, key, fn):
    return entry * key + math.sin(fn)


def test_parameters_named_like_the_call_path_internals():
    df = tl.grad(shadowing, wrt=(0, 1, 2))
    for _ in range(2):  # the first call compiles, the second takes the fast path
        got = df(0.5, 2.0, 0.3)
        assert got == pytest.approx((2.0, 0.5, math.cos(0.3)))


def test_many_parameters_and_tuple_of_one():
    f = lambda a, b, c, d: a * b + np.sum(c * d)  # noqa: E731
    args = (1.5, 2.0, np.ones(3), np.arange(3.0))
    (ga,) = tl.grad(f, wrt=(0,))(*args)
    assert ga == pytest.approx(2.0)
    gc, gd = tl.grad(f, wrt=(2, 3))(*args)
    np.testing.assert_allclose(gc, np.arange(3.0))
    np.testing.assert_allclose(gd, np.ones(3))


# the front: grad returns a plain function, whose code runs a float variant itself
def domain(x, y):
    return math.log(x) * y


def test_grad_returns_a_function_with_the_users_signature():
    import inspect

    for df in (tl.grad(annotated), tl.value_and_grad(two, wrt=(0, 1))):
        assert inspect.isfunction(df)
        want = inspect.signature(df.__tangentlike__.func).parameters
        assert inspect.signature(df).parameters == want
        assert df.__name__ == df.__tangentlike__.func.__name__
    assert str(inspect.signature(tl.vjp(two))) == "(x, y, seed)"
    assert tl.grad(lambda x: x * x).__name__ == "<lambda>"


def test_the_front_runs_the_float_variant_in_its_own_frame():
    df = tl.grad(two, wrt=(0, 1))
    general = df.__code__.co_filename
    first = df(0.3, 1.5)
    assert df.__code__.co_filename != general  # now the variant's generated file
    assert "for float x, y" in df.__code__.co_filename
    for _ in range(3):
        assert df(0.3, 1.5) == first
    want = tuple(float(numerical_grad(two, [0.3, 1.5], i)) for i in (0, 1))
    assert first == pytest.approx(want, rel=1e-6)


def test_inlined_and_entry_paths_agree_bit_for_bit():
    for make in (tl.grad, tl.value_and_grad):
        inlined, entry = make(two, wrt=(1, 0)), make(two, wrt=(1, 0))
        inlined(0.2, 0.9)  # compiles, and from now runs in the front
        entry.__tangentlike__._inlined = True  # keeps the entry path
        for x in (0.3, -1.25, 7.0):
            assert inlined(x, 2.5) == entry(x, 2.5)
            want = (
                math.sin(x),
                math.cos(x) * 2.5 + 2.0 * x,
            )  # an oracle besides the entry
            got = inlined(x, 2.5) if make is tl.grad else inlined(x, 2.5)[1]
            assert got == pytest.approx(want)
        assert inlined.__code__ is not entry.__code__


def test_other_types_after_the_front_took_floats():
    df = tl.grad(arrays)
    x = np.linspace(0.1, 1.0, 4)
    df(0.5, 2.0)  # floats: the front now runs this variant itself
    for w in (0.5, np.full(4, 0.5), np.float32(0.5), 0.25):
        want = numerical_grad(arrays, [np.asarray(w, dtype=float), x], 0)
        np.testing.assert_allclose(df(w, x), want, rtol=1e-4)
    with pytest.raises(tl.TangentlikeError, match="integer"):
        df(1, x)


def test_errors_in_the_inlined_code_name_the_generated_and_user_lines():
    df = tl.grad(domain)
    assert df(2.0, 1.0) == pytest.approx(0.5)
    for _ in range(2):
        with pytest.raises(ValueError) as info:
            df(-1.0, 1.0)
        notes = "\n".join(info.value.__notes__)
        assert "in code generated by tangentlike" in notes
        assert "math.log(x) * y" in notes


def test_inspect_shows_the_general_code_after_the_front_changed():
    import inspect

    df = tl.grad(two)
    before = inspect.getsource(df)
    df(0.3, 1.5)
    assert inspect.getsource(df) == before
    assert before in tl.getsource(df)


def rebinds(a, b):
    a = np.sum(a * 0.0) + 2.0
    return np.sum(a * b)


def test_the_inlined_checks_read_the_arguments_as_passed():
    df = tl.grad(rebinds, wrt=(0, 1))
    for _ in range(2):
        assert df(0.3, 1.5) == (0.0, 2.0)
    ga, gb = tl.grad(rebinds, wrt=(0, 1))(np.ones((2, 3)), np.full(3, 0.5))
    assert ga.shape == (2, 3) and not ga.any()
    np.testing.assert_allclose(gb, [2.0, 2.0, 2.0])


def test_the_front_runs_the_first_arrays_variant_for_those_shapes_only():
    df = tl.grad(arrays, wrt=(0, 1))
    w, x = np.full(4, 0.5), np.linspace(0.1, 1.0, 4)
    df(w, x)
    assert "for w <f8[4], x <f8[4]" in df.__code__.co_filename
    calls = [
        (w, x),
        (np.full(5, 0.5), np.ones(5)),
        (w.astype(np.float32), x),
        (0.5, x),
        (w, x),
    ]
    for args in calls:
        got = df(*args)
        for i in (0, 1):
            want = numerical_grad(arrays, [np.asarray(a, dtype=float) for a in args], i)
            np.testing.assert_allclose(got[i], want, rtol=1e-4, atol=1e-8)
            assert np.shape(got[i]) == np.shape(args[i])
            assert np.result_type(got[i]) == np.result_type(args[i])


def test_an_integer_array_on_the_first_call_is_refused_before_the_front_changes():
    df = tl.grad(arrays)
    for _ in range(2):
        with pytest.raises(tl.TangentlikeError, match="integer"):
            df(np.arange(4), np.ones(4))
    assert df(np.full(4, 0.5), np.ones(4)).shape == (4,)


def test_vjp_takes_its_seed_last_or_by_keyword():
    v = tl.vjp(lambda x, y: np.sin(x) * y)
    x, seed = np.linspace(0.0, 1.0, 3), np.arange(3.0)
    want = np.cos(x) * 2.0 * seed
    for got in (v(x, 2.0, seed), v(x, 2.0, seed=seed), v(x, y=2.0, seed=seed)):
        np.testing.assert_allclose(got, want)
    with pytest.raises(tl.TangentlikeError, match="seed"):
        v()


class Model:
    def __init__(self, scale):
        self.scale = scale

    def energy(self, x, y):
        return self.scale * np.sum(x * x) + math.sin(y)

    @classmethod
    def cubic(cls, x):
        return x * x * x

    @staticmethod
    def square(x):
        return x * x


def test_methods_are_differentiated_with_their_object_a_constant():
    m, x = Model(3.0), np.linspace(-1.0, 1.0, 4)
    for _ in range(2):
        np.testing.assert_allclose(tl.grad(m.energy)(x, 0.5), 6.0 * x)
        assert tl.grad(m.energy, wrt="y")(x, 0.5) == pytest.approx(math.cos(0.5))
        gx, gy = tl.grad(m.energy, wrt=(0, -1))(x, 0.5)
        np.testing.assert_allclose(gx, 6.0 * x)
        assert gy == pytest.approx(math.cos(0.5))
    value, _ = tl.value_and_grad(m.energy)(x, 0.5)
    assert value == pytest.approx(m.energy(x, 0.5))
    assert tl.grad(Model.cubic)(2.0) == pytest.approx(12.0)
    assert tl.grad(Model.square)(2.0) == pytest.approx(4.0)
    assert tl.grad(tl.grad(Model.cubic))(2.0) == pytest.approx(12.0)
    np.testing.assert_allclose(tl.jvp(m.energy)(x, 0.5, np.ones(4)), 6.0 * np.sum(x))
    np.testing.assert_allclose(tl.hessian(m.energy)(x, 0.5), 6.0 * np.eye(4))
    import inspect

    assert str(inspect.signature(tl.grad(m.energy))) == "(x, y)"
    assert "def denergy_dx(self, x, y" in tl.getsource(tl.grad(m.energy))


def test_numpy_scalars_and_0d_arrays_get_gradients_of_their_own_type_and_dtype():
    df = tl.grad(two)
    want = math.cos(0.5) * 2.0 + 1.0
    for x in (
        np.float32(0.5),
        np.float64(0.5),
        np.array(0.5),
        np.array(0.5, np.float32),
        0.5,
    ):
        for _ in range(2):
            got = df(x, 2.0)
            assert np.shape(got) == ()
            assert type(got) is type(x) or isinstance(
                x, np.ndarray
            )  # 0-d: array or scalar
            assert getattr(got, "dtype", None) == getattr(x, "dtype", None)
            assert float(got) == pytest.approx(want, rel=1e-6)


class Quadratic:
    def __init__(self, a):
        self.a = a

    def __call__(self, x):
        return self.a * x * x


def test_an_object_with_a_call_method_is_differentiated_through_it():
    q = Quadratic(2.0)
    for _ in range(2):
        assert tl.grad(q)(3.0) == pytest.approx(12.0)
    assert tl.jvp(q)(3.0, 1.0) == pytest.approx(12.0)
    assert tl.grad(tl.grad(q))(3.0) == pytest.approx(4.0)
    np.testing.assert_allclose(tl.vjp(q)(np.full(2, 3.0), np.ones(2)), np.full(2, 12.0))


def weighted(x, a, b=1.0):
    return np.sum(a * x**2) + b * np.sum(x)


def test_a_partial_is_differentiated_with_its_bound_arguments_constant():
    x, a = np.array([1.0, 2.0]), np.array([3.0, 0.5])
    by_keyword = functools.partial(weighted, b=3.0)
    np.testing.assert_allclose(tl.grad(by_keyword)(x, a), 2 * a * x + 3.0)
    np.testing.assert_allclose(tl.grad(by_keyword, wrt=1)(x, a), x**2)
    np.testing.assert_allclose(
        tl.vjp(by_keyword)(x, a, seed=2.0), 2 * (2 * a * x + 3.0)
    )
    assert tl.jvp(by_keyword)(x, a, np.ones(2)) == pytest.approx(
        np.sum(2 * a * x + 3.0)
    )
    np.testing.assert_allclose(tl.hessian(by_keyword)(x, a), np.diag(2 * a))
    by_position = functools.partial(weighted, x)  # wrt=0 is now a
    np.testing.assert_allclose(tl.grad(by_position)(a), x**2)
    value, grad = tl.value_and_grad(by_position)(a)
    assert value == pytest.approx(weighted(x, a)) and grad == pytest.approx(x**2)
    assert tl.jvp(by_position)(a, np.ones(2)) == pytest.approx(np.sum(x**2))
    assert "def dweighted_da(x, a, b" in tl.getsource(tl.grad(by_position), args=(a,))
    second = tl.grad(tl.grad(functools.partial(weighted, a=a, b=0.0)))
    assert second(x[0]) == pytest.approx(2 * np.sum(a))


def test_a_front_that_cannot_change_its_code_keeps_using_the_entry(monkeypatch):
    from tangentlike.call import front

    def broken(*args):
        raise RuntimeError("inlining failed")

    monkeypatch.setattr(front, "_front_code", broken)
    df = tl.grad(two, wrt=(0, 1))
    code = df.__code__
    for _ in range(2):
        assert df(0.3, 1.5) == pytest.approx((math.cos(0.3) * 1.5 + 0.6, math.sin(0.3)))
    assert df.__code__ is code
    monkeypatch.setenv("TANGENTLIKE_DEBUG", "1")  # where bugs should show, it raises
    with pytest.raises(RuntimeError, match="inlining failed"):
        tl.grad(two, wrt=(1, 0))(0.3, 1.5)
