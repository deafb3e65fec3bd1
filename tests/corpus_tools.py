"""What the corpora of small functions share: registering a case, and autograd's
gradient as an oracle."""

import pytest


def registrar(corpus: list):
    """``@case(*args, autograd=True)``: adds ``(func, args, autograd)`` to ``corpus``."""

    def case(*args, autograd=True):
        def register(func):
            corpus.append((func, args, autograd))
            return func

        return register

    return case


def autograd_gradient(module, func, args, autograd_ok: bool, monkeypatch):
    """autograd's gradient of ``func`` in its first argument, ``module`` reading
    ``np`` as autograd.numpy; the test is skipped where autograd cannot run it."""
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    if not autograd_ok:
        pytest.skip("autograd cannot run it")
    monkeypatch.setattr(module, "np", anp)
    try:
        want = autograd.grad(func)(*args)
    except Exception as exc:  # noqa: BLE001 - autograd's own limits
        pytest.skip(f"autograd cannot run it: {type(exc).__name__}")
    monkeypatch.undo()
    return want
