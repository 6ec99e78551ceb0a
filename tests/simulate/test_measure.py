"""Measurements against closed forms, dense Jacobians, the theory and seed 004's Table 1."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ringing.reference import load_reference
from ringing.simulate.data import gaussian_data
from ringing.simulate.measure import (
    empirical_nlc,
    gradient_norms,
    jacobian_frobenius_sq,
    jacobian_operator_norm,
    measure_correlations,
    measure_jacobian,
    measure_nlc,
    rho_max,
)
from ringing.simulate.networks import Network, NetworkConfig
from ringing.stats import mean_stderr
from ringing.validate.compare import theory_correlations


def _dense_jacobian(net: Network, x: torch.Tensor) -> torch.Tensor:
    return torch.func.jacrev(net.function())(x[None])[0, :, 0, :]


def test_mean_stderr() -> None:
    m, e = mean_stderr(np.array([[1.0, 2.0], [3.0, 6.0]]))
    assert np.allclose(m, [2.0, 4.0]) and np.allclose(e, [1.0, 2.0])
    m, e = mean_stderr(np.array([[1.0, 2.0]]))
    assert np.allclose(e, 0.0)


@pytest.mark.parametrize("norm", ["layer", "none"])
def test_power_iteration_and_probes_match_dense_jacobian(norm: str) -> None:
    cfg = NetworkConfig(width=24, depth=3, activation="tanh", sigma_w=1.3, sigma_b=0.2,
                        norm=norm)
    net = Network(cfg, 2, device="cpu", dtype="float64")
    x = torch.randn(3, 24, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    op, _ = jacobian_operator_norm(net, x, n_iter=60, tol=1e-13)
    sq = jacobian_frobenius_sq(net, x, n_probes=400)
    for i in range(3):
        jac = _dense_jacobian(net, x[i])
        s = torch.linalg.svdvals(jac)
        # power iteration converges from below at rate (σ_2/σ_1)^(2k)
        assert op[i] <= float(s[0]) * (1 + 1e-9)
        assert op[i] == pytest.approx(float(s[0]), rel=1e-3)
        fro2 = float((jac**2).sum())
        # probe estimate: relative std sqrt(2 Σσ⁴)/Σσ² per probe, averaged over 400 probes
        rel = math.sqrt(2 * float((s**4).sum())) / fro2 / math.sqrt(400)
        assert abs(sq[:, i].mean() / fro2 - 1) < 5 * rel


def test_linear_orthogonal_network_norms_are_exact() -> None:
    cfg = NetworkConfig(width=128, depth=5, activation="identity", sigma_w=1.1, norm="none",
                        weights="orthogonal")
    res = measure_jacobian(cfg, seeds=[0, 1], n_inputs=2, n_iter=20, n_probes=16,
                           device="cpu", show_progress=False)
    # J = 1.1^5 × (orthogonal): every singular value is 1.1^5
    assert res.op_norm == pytest.approx(1.1**5, rel=1e-4)
    tol = 5 * math.sqrt(2 / (128 * 16 * 2 * 2)) * 1.1**5
    assert abs(res.frobenius_rms - 1.1**5) < tol


def test_vjp_matches_autograd_with_batchnorm() -> None:
    cfg = NetworkConfig(width=32, depth=3, activation="relu", norm="batch", in_dim=10,
                        out_dim=4, final_norm=False)
    net = Network(cfg, 0, device="cpu", dtype="float64")
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, 10, generator=g, dtype=torch.float64)
    u = torch.randn(16, 4, generator=g, dtype=torch.float64)
    _, hs = net.forward(x, keep=True)
    ours, _ = net.vjp(hs, u)
    xx = x.clone().requires_grad_(True)
    (ref,) = torch.autograd.grad((net.function()(xx) * u).sum(), xx)
    assert torch.allclose(ours, ref, atol=1e-12)
    with pytest.raises(ValueError, match="batchnorm"):
        jacobian_operator_norm(net, x)


def test_gradient_norms_match_autograd() -> None:
    cfg = NetworkConfig(width=24, depth=3, activation="erf", sigma_w=1.0, sigma_b=0.3)
    gm, ge = gradient_norms(cfg, seeds=[4], n_inputs=5, device="cpu", dtype="float64")
    assert gm.shape == (3,) and np.all(ge == 0)
    net = Network(cfg, 4, device="cpu", dtype="float64")
    from ringing.simulate.networks import layer_generator

    g = layer_generator(4, 0)
    x = torch.randn(5, 24, generator=g, dtype=torch.float64)
    x = x * (math.sqrt(24) / x.norm(dim=1, keepdim=True))
    ws = [net.params(layer)[0].clone().requires_grad_(True) for layer in (1, 2, 3)]
    h = x
    for layer in (1, 2, 3):
        h = net.layer_fn(layer)(h, ws[layer - 1], net.params(layer)[1])
    u = torch.randn(h.shape, generator=g, dtype=torch.float64)
    grads = torch.autograd.grad((h * u).sum(), ws)
    assert np.allclose(gm, [float(t.norm()) for t in grads], rtol=1e-10)


def test_correlations_deterministic_and_first_layer_closed_form() -> None:
    # layer 1 applies the identity: ρ_1 → (σ_b² + σ_w² ρ_0)/(σ_b² + σ_w²) (seed 002 eq 2.3)
    cfg = NetworkConfig(width=1024, depth=2, activation="tanh", sigma_w=1.0, sigma_b=0.5)
    rho0 = [-0.6, 0.0, 0.7]
    a = measure_correlations(cfg, rho0, seeds=range(4), device="cpu", show_progress=False)
    b = measure_correlations(cfg, rho0, seeds=range(4), device="cpu", show_progress=False)
    assert np.array_equal(a.per_seed, b.per_seed)
    expected = (0.25 + np.array(rho0)) / 1.25
    tol = 5 * a.stderr[:, 1] + 4.0 / 1024
    assert np.all(np.abs(a.mean[:, 1] - expected) < tol)


def test_spread_shrinks_like_inverse_sqrt_width() -> None:
    rho0 = [0.0, 0.5]
    sp = []
    for n in (128, 512):
        cfg = NetworkConfig(width=n, depth=3, activation="erf", sigma_w=1.0, sigma_b=0.3)
        r = measure_correlations(cfg, rho0, seeds=range(16), device="cpu", show_progress=False)
        sp.append(r.spread[:, 1:].mean())
    # ratio 2 expected; the ratio of two sample stds of 16 values each has ~25% noise
    assert 1.3 < sp[0] / sp[1] < 3.1


def test_correlations_match_theory_layernorm() -> None:
    pytest.importorskip("ringing.theory.kernels")
    from ringing.theory.kernels import critical_ratio

    sb = math.sqrt(float(critical_ratio("erf")))
    cfg = NetworkConfig(width=512, depth=5, activation="erf", sigma_w=1.0, sigma_b=sb)
    rho0 = np.array([-0.5, 0.3, 0.9])
    r = measure_correlations(cfg, rho0, seeds=range(6), device="cpu", show_progress=False)
    th = theory_correlations(cfg, rho0)
    # seed noise (5 stderr) plus an O(1/N) finite-width bias allowance
    assert np.all(np.abs(r.mean[:, 1:] - th[:, 1:]) < 5 * r.stderr[:, 1:] + 4.0 / 512)
    assert 0 < 1 - rho_max(r.mean) < 2


def test_nlc_of_linear_network_is_one() -> None:
    cfg = NetworkConfig(width=256, depth=3, activation="identity", norm="none",
                        weights="orthogonal", in_dim=256, out_dim=256)
    data = gaussian_data(1000, 256, seed=0)
    net = Network(cfg, 0, device="cpu", dtype="float64")
    res = empirical_nlc(net, data.x, n_probe_batches=10)
    # seed 004 §3: NLC = 1 for orthogonal A; the probe error is ~1/sqrt(2 · 256 · 250 · 10)
    assert abs(res.nlc - 1) < 0.01
    assert res.stderr < 0.01


@pytest.mark.parametrize("key, spec", [("relu", "relu"), ("tanh", "tanh")])
def test_table1_row_b_depth2_batchnorm(key: str, spec: str) -> None:
    """Seed 004 Table 1: depth-2 batchnorm NLC ≈ NLC_τ(1) (row A, printed values)."""
    tau = load_reference("nlc")["table1"]["nlc_tau_1"][key]
    cfg = NetworkConfig(width=256, depth=2, activation=spec, norm="batch", in_dim=100,
                        out_dim=10, final_norm=False)
    data = gaussian_data(500, 100, seed=1)
    res = measure_nlc(cfg, data, seeds=range(3), n_probe_batches=4, device="cpu",
                      show_progress=False)
    # finite width/batch corrections are O(1/√(width·d_out)) ≈ 2%; allow 5% (the bar)
    assert abs(res["nlc"] / tau - 1) < 0.05
    again = measure_nlc(cfg, data, seeds=range(3), n_probe_batches=4, device="cpu",
                        show_progress=False)
    assert again["nlc_per_seed"] == res["nlc_per_seed"]


def test_output_bias() -> None:
    data = gaussian_data(500, 32, seed=0)
    big = NetworkConfig(width=64, depth=2, activation="relu", norm="batch", in_dim=32,
                        out_dim=8, final_norm=False, sigma_b=5.0)
    small = NetworkConfig(width=64, depth=2, activation="tanh", norm="batch", in_dim=32,
                          out_dim=8, final_norm=False, sigma_b=0.0)
    rb = empirical_nlc(Network(big, 0, device="cpu", dtype="float64"), data.x, n_probe_batches=2)
    rs = empirical_nlc(Network(small, 0, device="cpu", dtype="float64"), data.x,
                       n_probe_batches=2)
    assert rb.output_bias > 3 and 1 <= rs.output_bias < 1.1


def test_measure_bad_input() -> None:
    cfg = NetworkConfig(width=16, depth=2)
    with pytest.raises(ValueError, match="outside"):
        measure_correlations(cfg, [0.2, -1.01], device="cpu", show_progress=False)
    with pytest.raises(ValueError, match="seed"):
        measure_correlations(cfg, [0.2], seeds=[], device="cpu", show_progress=False)
    with pytest.raises(ValueError, match="data dimension"):
        measure_nlc(cfg, gaussian_data(10, 3), seeds=[0], device="cpu", show_progress=False)
    with pytest.raises(ValueError, match="no such map|LayerNorm"):
        theory_correlations(NetworkConfig(width=16, depth=2, norm="none"), [0.1])
