"""A corpus of everyday Python around the arithmetic: comprehensions and generator
expressions, loops over dicts, ``enumerate`` and ``zip``, builtins and ``math`` on
numbers, ``:=``, ``else`` on loops and ``nonlocal``.

Each entry of ``CORPUS`` is ``(function, args, autograd_ok)``; every function
returns a scalar and is differentiated in its first argument, which is an array,
a float, or a list or dict of them.
"""

import math

import numpy as np

from .corpus_tools import registrar

RNG = np.random.default_rng(7)
VEC = RNG.normal(size=4)
POS = np.abs(VEC) + 0.5
MAT = RNG.normal(size=(3, 2))
PARAMS = [RNG.normal(size=3), RNG.normal(size=(2, 2)), 0.7]
LAYERS = {"W0": RNG.normal(size=(2, 2)), "W1": RNG.normal(size=2), "b": 0.3}
CORPUS = []
case = registrar(CORPUS)


# comprehensions -------------------------------------------------------------------
@case(PARAMS)
def l2_penalty_of_a_list(params):
    return sum(np.sum(w**2) for w in params)


@case(VEC)
def stacked_features(x):
    feats = np.stack([np.sin(x * k) for k in range(1, 4)])
    return np.sum(feats * feats[::-1])


@case(VEC)
def filtered_squares(x):
    ys = [v * v for v in x if v > 0]
    return sum(ys) + 0.5 * sum([v for v in x if v < 0 if v > -5.0])


@case(VEC)
def pairwise_products(x):
    return sum([a * b for a in x for b in x[:2]])


@case(LAYERS)
def dict_comprehension(params):
    doubled = {k: v * 2.0 for k, v in params.items()}
    return np.sum(doubled["W0"] @ doubled["W1"]) * doubled["b"]


@case(MAT)
def comprehension_over_rows(m):
    norms = [np.sqrt(np.sum(row**2)) for row in m]
    return sum(n**2 for n in norms)


@case(VEC)
def comprehension_keeps_its_names(x):
    v = x[0] * 3.0
    squares = [v * v for v in x]  # this v is the comprehension's own
    return np.sum(np.array(squares)) + v


@case(VEC)
def nested_comprehension(x):
    rows = [[a * b for b in x[:2]] for a in x]
    return np.sum(np.array(rows) ** 2)


@case(PARAMS)
def comprehension_of_items(params):
    total = sum([np.sum(w) * i for i, w in enumerate(params)])
    return total + sum(np.sum(w**2) for w in params[1:])


# dicts ----------------------------------------------------------------------------
@case(LAYERS)
def loop_over_a_dict(params):
    total = 0.0
    for name in params:
        total = total + np.sum(params[name] ** 2)
    return total


@case(LAYERS)
def keys_built_from_a_counter(params):
    h = np.array([0.5, -1.0])
    for i in range(2):
        w = params[f"W{i}"]
        h = np.tanh(w @ h if np.ndim(w) == 2 else w * h)
    return np.sum(h) * params["b"]


@case(LAYERS)
def keys_from_a_list(params):
    total = 0.0
    for name in ["W1", "b", "W0"]:
        total = total + np.sum(np.cos(params[name]))
    return total


@case(LAYERS)
def values_and_items(params):
    total = 0.0
    for value in params.values():
        total = total + np.sum(value**3)
    for key, value in params.items():
        total = total + np.sum(value) * len(key)
    return total


# enumerate and zip ----------------------------------------------------------------
@case(VEC, POS)
def enumerate_a_zip(a, b):
    total = 0.0
    for i, (p, q) in enumerate(zip(a, b)):
        total = total + (i + 1) * p * q
    return total


@case(VEC)
def enumerate_from_one(x):
    total = 0.0
    for i, v in enumerate(x, 1):
        total = total + v**2 / i
    return total


@case(VEC)
def enumerate_into_one_name(x):
    total = 0.0
    for pair in enumerate(x):
        total = total + pair[1] * (pair[0] - 1.5)
    return total


@case(VEC)
def loop_over_a_computed_array(x):
    total = 0.0
    for v in np.cos(x) * 2.0:
        total = total + v * v
    for v in np.tanh(x):
        total = total + v
    for i, v in enumerate(np.sin(x)):
        total = total + i * v
    return total


@case(VEC, POS)
def zip_into_one_name(a, b):
    total = 0.0
    for pair in zip(a, b):
        total = total + pair[0] * np.log(pair[1])
    return total


# builtins and math on numbers ------------------------------------------------------
@case(VEC)
def largest_magnitude(x):
    return max(abs(v) for v in x) + min(x[0], x[1], 0.25)


@case(1.3, -0.4)
def max_and_min_of_two(a, b):
    return max(a, b) * min(a, b) + max(a * a, 0.5)


@case(VEC)
def max_of_a_list(x):
    return max([x[0] * 2.0, x[1], x[2] ** 2]) - min(np.cos(x))


@case(LAYERS)
def max_over_a_dict(params):
    scores = {k: np.sum(np.tanh(v)) for k, v in params.items()}
    return max(scores.values()) + min(params["b"], 1.0)


@case(1.3, 0.7)
def builtin_pow(a, b):
    return pow(a, b) + pow(b, 2) + abs(b - a)


@case(VEC)
def sorted_floats(x):
    ranked = sorted([x[0], x[1] * 2.0, x[2], x[3] - 0.1])
    return ranked[0] + 2.0 * ranked[1] + 3.0 * ranked[2] + 4.0 * ranked[-1]


@case(1.37)
def round_is_a_constant(a):
    return a * round(a, 1) + round(a * 3.0)


@case(VEC, autograd=False)
def math_on_numbers(x):
    a, b = float(x[0]), float(x[1])
    total = math.fsum([a * a, b, a * b])
    return total + math.lgamma(a + 3.0) + math.erf(b) + math.hypot(a, b)


@case(POS, autograd=False)
def numbers_out_of_arrays(x):
    s = np.sum(x**2).item()
    m = float(np.mean(x))
    return s * m + np.sum(x[:1]).item() * math.log(s)


# syntax ---------------------------------------------------------------------------
@case(VEC)
def walrus_in_a_test(x):
    if (n := np.sum(x**2)) > 0.1:
        return n * 2.0 + (m := np.sin(n)) * m
    return n


@case(VEC)
def for_else_without_break(x):
    total = 0.0
    for v in x:
        if v > 5.0:
            break
        total = total + v * v
    else:
        total = total * 2.0
    return total


@case(VEC)
def for_else_with_break(x):
    total = 0.0
    for v in x:
        total = total + np.exp(v)
        if v > 0.5:
            break
    else:
        total = -total
    return total


@case(VEC)
def while_else(x):
    total, i = 0.0, 0
    while i < 3:
        total = total + x[i] ** 2
        i += 1
    else:
        total = total + x[3]
    return total


@case(VEC)
def nonlocal_accumulator(x):
    total = 0.0
    calls = 0

    def add(v):
        nonlocal total, calls
        total = total + np.sin(v) * v
        calls += 1
        return v * 2.0

    for v in x:
        doubled = add(v)
        total = total + doubled**2
    add(x[0])
    return total / calls
