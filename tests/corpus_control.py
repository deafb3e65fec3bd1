"""A corpus of small functions in the Python people write, with arguments.

Each entry of ``CORPUS`` is ``(function, args, autograd_ok, todo)``; every function
returns a scalar and is differentiated in its first argument.  ``todo`` names
what reverse mode does not support yet (the test is then an expected failure).
"""

import numpy as np

from .helpers_imported import deeper, pair, scaled_sin

RNG = np.random.default_rng(0)
VEC = RNG.normal(size=5)
MAT = RNG.normal(size=(3, 4))
CORPUS = []


def case(*args, autograd=True, todo=None):
    def register(func):
        CORPUS.append((func, args, autograd, todo))
        return func

    return register


# branches ---------------------------------------------------------------------
@case(1.5)
@case(-0.5)
@case(0.2)
def if_elif_else(x):
    if x > 1.0:
        y = x * x
    elif x < 0.0:
        y = -x * 3.0
    else:
        y = np.sin(x)
    return y


@case(0.7)
@case(-0.7)
def conditional_expression(x):
    y = x * 2.0 if x > 0 else x * x
    return y + 1.0


@case(0.5, 1.0)
@case(2.5, -1.0)
def boolean_conditions(x, t):
    if x > 0 and not t < 0:
        return x * t
    if x > 2 or t > 5:
        return x * x
    return x


@case(VEC)
@case(-VEC)
def array_condition(x):
    if np.sum(x) > 0:
        return np.sum(x**2)
    return np.sum(np.sin(x))


# loops ------------------------------------------------------------------------
@case(0.3, 4)
@case(0.3, 0)
def range_loop(x, n):
    y = x
    for i in range(n):
        y = y * np.cos(x) + i
    return y


@case(MAT)
def loop_over_rows(x):
    total = 0.0
    for row in x:
        total = total + np.sum(row * row)
    return total


@case(0.5)
def loop_over_list_and_tuple(x):
    total = 0.0
    for c in [1.0, 2.0, 3.0]:
        total = total + c * x
    for c in (0.5, 0.25):
        total = total * c + x
    return total


@case(VEC)
def enumerate_loop(x):
    total = 0.0
    for i, v in enumerate(x):
        total = total + i * v * v
    return total


@case(VEC, VEC * 2)
def zip_loop(x, y):
    total = 0.0
    for a, b in zip(x, y):
        total = total + a * b
    return total


@case(0.1)
@case(5.0)
def while_loop(x):
    y = x
    while y < 3.0:
        y = y * 1.5 + 0.1
    return y


@case(0.4, 3)
def nested_loops(x, n):
    y = x
    for i in range(n):
        for j in range(i):
            y = y * np.sin(x) + 0.1 * j
    return y


@case(VEC)
@case(np.zeros(3))
def break_in_loop(x):
    total = 0.0
    for i in range(x.shape[0]):
        if total > 1.0:
            break
        total = total + x[i] * x[i]
    return total


@case(VEC)
def continue_in_loop(x):
    total = 0.0
    for i in range(x.shape[0]):
        if x[i] < 0:
            continue
        total = total + x[i] ** 2
    return total


@case(VEC)
@case(np.full(5, -1.0))
@case(np.array([0.2, 0.9, 1.4, 2.0]))  # two elements could return: the first does
def return_in_loop(x):
    for i in range(x.shape[0]):
        if x[i] > 0.5:
            return x[i] * 3.0
    return np.sum(x)


@case(np.array([0.2, 1.5, 2.0]))
@case(np.array([0.1, 0.2, 0.3]))
def return_in_while(x):
    i = 0
    while i < 3:
        if x[i] > 1.0:
            return x[i] ** 3
        i = i + 1
    return np.sum(x)


@case(np.array([0.5, 1.5, 2.0]))
@case(np.array([1.3, 0.2, 3.0]))
def return_in_nested_loops(x):
    for i in range(2):
        for j in range(3):
            if x[j] * (i + 1) > 2.5:
                return x[j] * (i + 0.5)
    return np.sum(x * x)


@case(np.array([0.5, 1.5, 2.0]))
@case(np.array([4.0, 6.0, 1.0]))
def return_with_work_after(x):
    t = 0.0
    for i in range(3):
        t = t + x[i]
        if t > 5.0:
            return t
        t = t * 2.0
    return t


@case(0.3)
@case(3.0)
def break_in_while(x):
    y = x
    while True:
        y = y * 1.2
        if y > 2.0:
            break
    return y


# calls ------------------------------------------------------------------------
def square(x):
    return x * x


def poly(x, a=1.0, b=2.0):
    return a * x + b * square(x)


def fact_like(x, n):
    if n <= 0:
        return x
    return x * fact_like(x, n - 1)


@case(0.7)
def call_defaults(x):
    return poly(x) + poly(x, b=3.0) + poly(x, 0.5, b=-1.0)


@case(0.7)
def call_imported(x):
    a, b = pair(x, 2.0)
    return scaled_sin(x) + deeper(x) + a * b


@case(0.7)
def call_recursive(x):
    return fact_like(x, 3)


@case(0.7)
def inner_def(x):
    c = 3.0

    def inner(z):
        return z * c + x

    return inner(x * x)


@case(0.7)
def lambda_name(x):
    f = lambda z: z * z + 1.0  # noqa: E731
    return f(x) * 2.0


# containers -------------------------------------------------------------------
@case(0.7, 1.3)
def tuple_list_dict(x, y):
    t = (x, y)
    lst = [x * y, y]
    d = {"a": x, "b": lst[0]}
    return t[0] * t[1] + lst[1] + d["a"] * d["b"]


@case(0.7, 3)
@case(0.7, 0)
def append_and_sum(x, n):
    parts = []
    for i in range(n):
        parts.append(x * (i + 1.0))
    return sum(parts) + x


@case(VEC, 3)
def stack_list(x, n):
    rows = []
    for i in range(n):
        rows.append(x * (i + 1.0))
    return np.sum(np.stack(rows) ** 2)


# arrays -----------------------------------------------------------------------
@case(MAT)
def shape_and_methods(x):
    n = x.shape[0] * x.ndim
    y = x.T.dot(x) * n
    return y.sum() + x.mean() + x.max() + x.sum(axis=0).dot(x.sum(axis=0))


@case(MAT)
def reshape_transpose(x):
    y = x.reshape(4, 3).transpose().astype(np.float64).copy()
    return np.sum(y * x)


@case(MAT)
def subscripts(x):
    a = x[0, -1] + x[-1, 1:3].sum() + x[:, ::2].sum()
    b = x[None, 1, :].sum() + x[np.array([0, 2])].sum() + x[x > 0].sum()
    return a * b


@case(VEC, autograd=False)
def subscript_assign(x):
    y = np.zeros(7)
    y[0] = x[1] * 2.0
    y[1:4] = x[2:5] * x[0]
    y[0] = y[0] * x[3]
    mask = y > 0.5
    y[mask] = 0.0
    return np.sum(y * y)


@case(VEC, 0.5, autograd=False)
def aug_assign(x, s):
    y = x.copy()
    y += s
    y *= x
    s = s * 1.0
    s *= 2.0
    s += x[0]
    y[1] += s
    return np.sum(y) * s


@case(VEC)
def print_assert_raise(x):
    print("sum", np.sum(x))
    assert x.shape[0] == 5
    if x.shape[0] > 10:
        raise ValueError("too long")
    return np.sum(x * x)


@case(VEC, 4)
def rnn_like(x, n):
    h = x
    for _ in range(n):
        h = np.tanh(h * 0.5 + x)
    return np.sum(h)


# loops over sequences, unpacked ---------------------------------------------------
@case(np.array([0.3, 0.5, 0.9]))
def enumerate_from_one(xs):
    s = 0.0
    for i, v in enumerate(xs, 1):
        s = s + i * v**2
    return s


@case(np.array([0.3, 0.5, 0.9]))
def enumerate_into_one_name(xs):
    s = 0.0
    for p in enumerate(xs, start=2):
        s = s + p[0] * p[1] ** 2
    return s


@case(np.array([0.3, 0.5, 0.9]))
def zip_into_one_name(xs):
    s = 0.0
    for p in zip(xs, xs * 2.0):
        s = s + p[0] * p[1] ** 2
    return s


@case(0.7)
def unpack_an_item_of_a_list_of_pairs(x):
    pairs = [(x, 2.0), (x * x, 3.0)]
    a, c = pairs[1]
    return a * c


@case(0.7)
@case(-0.4)
def loop_over_pairs(x):
    pairs = [(x, 2.0), (x * x, 3.0), (np.exp(x), 0.5)]
    s = 0.0
    for a, c in pairs:
        s = s + a * c
    return s


@case(0.7)
@case(-1.2)
def inner_calls_inner(x):
    def scaled(t):
        return t * x

    def both(t):
        return scaled(t) + scaled(t * 2.0)

    return both(x)


@case(np.array([0.5, 1.5]))
@case(np.array([1.5, 0.5]))
def return_in_first_step(x):
    for v in x:
        if v > 1.0:
            return v * v
        return 2.0 * v
    return 0.0
