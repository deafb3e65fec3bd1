"""Functions imported by the corpus, for calls across modules."""

import numpy as np


def scaled_sin(x, scale=2.0):
    return scale * np.sin(x)


def pair(x, y):
    return x * y, x + y


def deeper(x):
    return scaled_sin(x, scale=0.5) + x * x
