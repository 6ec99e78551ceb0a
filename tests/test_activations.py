"""The activation registry and the spec parser."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from ringing.activations import ACTIVATIONS, get_activation, list_activations, x

DESIGN_NAMES = ["identity", "relu", "lrelu", "abs", "htanh", "tanh", "erf", "sigmoid",
                "softplus", "gelu", "silu", "mish", "elu", "selu", "selu_seed004", "sin", "cos",
                "gaussian", "square", "odd_square", "even_tanh", "softsign", "polynomial",
                "hermite"]


def test_registry_has_every_design_name() -> None:
    assert set(DESIGN_NAMES) <= set(list_activations())


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_backends_agree(name: str) -> None:
    a = get_activation(name)
    pts = np.linspace(-4.3, 4.1, 37)
    np_vals = a.numpy(pts)
    mp_vals = np.array([float(a.mpmath(p)) for p in pts])
    t_vals = a.torch(torch.tensor(pts, dtype=torch.float64)).numpy()
    sym = np.array([float(a.expr.subs(x, sp.Float(p, 30)).evalf(20)) for p in pts[:5]])
    np.testing.assert_allclose(np_vals, mp_vals, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(np_vals, t_vals, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(np_vals[:5], sym, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivatives_agree_with_autograd(name: str) -> None:
    a = get_activation(name)
    pts = np.array([-3.1, -0.7, 0.3, 1.9, 2.6])  # away from kinks
    t = torch.tensor(pts, dtype=torch.float64, requires_grad=True)
    a.torch(t).sum().backward()
    assert t.grad is not None
    np.testing.assert_allclose(a.numpy_derivative(pts), t.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_kinks() -> None:
    assert get_activation("relu").kinks == (0.0,)
    assert get_activation("htanh").kinks == (-1.0, 1.0)
    assert get_activation("tanh").kinks == ()
    assert get_activation("1.2*relu(0.8*x + 0.2) - 0.3").kinks == pytest.approx((-0.25,))


def test_parameterised_and_expression_specs() -> None:
    a = get_activation("lrelu(slope=0.2)")
    assert a.params["slope"] == 0.2
    np.testing.assert_allclose(a.numpy([-1.0, 2.0]), [-0.2, 2.0])
    b = get_activation("1.2*relu(0.8*x + 0.2) - 0.3")
    np.testing.assert_allclose(b.numpy([-1.0, 1.0]), [-0.3, 1.2 * 1.0 - 0.3])
    m = get_activation("x*tanh(log(1+exp(x)))")
    np.testing.assert_allclose(m.numpy([0.7]), get_activation("mish").numpy([0.7]), rtol=1e-14)
    p = get_activation("polynomial(coeffs=[1, 0, -2])")
    np.testing.assert_allclose(p.numpy([2.0]), [1 - 8.0])
    h = get_activation("hermite(k=2)")
    np.testing.assert_allclose(h.numpy([3.0]), [(9 - 1) / np.sqrt(2)])


def test_stable_evaluation_far_out() -> None:
    pts = np.array([-800.0, 800.0])
    np.testing.assert_allclose(get_activation("softplus").numpy(pts), [0.0, 800.0])
    np.testing.assert_allclose(get_activation("sigmoid").numpy(pts), [0.0, 1.0])
    t = torch.tensor([-100.0, 100.0], requires_grad=True)
    get_activation("softplus").torch(t).sum().backward()
    assert t.grad is not None and torch.all(torch.isfinite(t.grad))


@pytest.mark.parametrize("spec", [
    "__import__('os')", "x.real", "lambda x: x", "(lambda: 1)()", "os.system('true')",
    "x if x > 0 else 0", "[x for x in y]", "'relu'", "x @ x", "9**9**9", "relu(slope=x)",
    "getattr(x, 'a')", "exec('1')", "x; 1", "", "relu(x, x)", "{1: 2}",
])
def test_bad_specs_raise_value_error(spec: str) -> None:
    with pytest.raises(ValueError):
        get_activation(spec)


def test_unknown_name_lists_known() -> None:
    with pytest.raises(ValueError, match="known activations: .*relu"):
        get_activation("rleu")


def test_unknown_parameter() -> None:
    with pytest.raises(ValueError, match="slope"):
        get_activation("lrelu(alpha=0.3)")


def test_parser_never_evaluates(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    calls: list[str] = []
    monkeypatch.setattr(builtins, "eval", lambda *a, **k: calls.append("eval"))
    real_sympify = sp.sympify

    def spy(arg: object, *a: object, **k: object) -> object:
        if isinstance(arg, str):
            calls.append(f"sympify({arg!r})")
        return real_sympify(arg, *a, **k)

    monkeypatch.setattr(sp, "sympify", spy)
    with pytest.raises(ValueError):
        get_activation("__import__('os').system('echo hacked')")
    get_activation("0.5*tanh(x) + sin(2*x)")
    assert calls == []


def test_callable_has_no_exact_path() -> None:
    a = get_activation(np.tanh)
    assert not a.is_exact
    with pytest.raises(ValueError, match="no exact path"):
        a.diff_expr()
    np.testing.assert_allclose(a.numpy([0.5]), np.tanh([0.5]))
