"""Start-up: ``import tangentlike`` loads neither the transforms nor the templates,
and a template is parsed only when a transform first reads it."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tangentlike as tl
from tangentlike import template as tpl


def _fresh(program: str, folder) -> str:
    script = folder / "program.py"
    script.write_text(textwrap.dedent(program))
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_import_loads_no_transform(tmp_path):
    loaded = _fresh(
        """
        import sys
        import tangentlike
        print(sorted(m for m in sys.modules if m.startswith(("tangentlike", "gast"))))
        """,
        tmp_path,
    )
    expected = [
        "tangentlike",
        "tangentlike.api",
        "tangentlike.debug",
        "tangentlike.errors",
    ]
    assert loaded.strip() == str(expected)


def test_public_names_resolve_on_first_use():
    for name in tl.__all__:
        assert getattr(tl, name) is not None
    assert set(tl.__all__) <= set(dir(tl))
    with pytest.raises(AttributeError, match="no_such_name"):
        tl.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no_such_module"):
        tl.api.no_such_module  # noqa: B018
    assert tl.api.check.numerical_grad is not None  # a module, when asked for


def test_templates_parsed_when_first_read(tmp_path):
    parsed = _fresh(
        """
        import sys

        import numpy as np
        import tangentlike as tl
        from tangentlike import template as tpl

        def f(x):
            return np.sum(np.sin(x))

        tl.grad(f)(np.ones(3))
        print(tpl.ADJOINTS[np.sin]._parsed is not None,
              tpl.ADJOINTS[np.linalg.svd]._parsed is None)
        print(sorted(m for m in sys.modules if m.startswith("tangentlike.api.")))
        """,
        tmp_path,
    )
    templates, api = parsed.splitlines()
    assert templates.split() == ["True", "True"]
    # what grad() needs, not check_grads, graph or the dense derivatives
    needed = ["arguments", "cache", "reverse", "specialize"]
    assert api == str([f"tangentlike.api.{name}" for name in needed])


def test_every_template_parses():
    for table in (tpl.ADJOINTS, tpl.TANGENTS):
        for template in table.values():
            body, helpers = template.parse()
            assert body and isinstance(helpers, dict)


def test_a_users_template_is_checked_when_registered():
    def mine(x):
        return x * 2.0

    with pytest.raises(ValueError, match="assigns its parameter 'x'"):

        @tl.adjoint(mine)
        def mine_adjoint(y, x):
            x = 2.0
            tpl.d[x] = tpl.d[y] * x

    assert np.isclose(tl.grad(lambda v: mine(v) * 1.0)(3.0), 2.0)
