"""Measurements against closed forms, dense Jacobians, the theory and seed 004's Table 1."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ringing.reference import load_reference
from ringing.simulate.data import gaussian_data
from ringing.simulate.measure import (
    ConvergenceWarning,
    empirical_nlc,
    gradient_norms,
    jacobian_frobenius_sq,
    jacobian_operator_norm,
    measure_correlations,
    measure_jacobian,
    measure_nlc,
    operator_norm,
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


# ----------------------------------------------------------------------------
# issue 15: one stored forward, exact norms, reported non-convergence


def test_operator_norm_exact_and_power_agree_with_dense_svd() -> None:
    cfg = NetworkConfig(width=40, depth=3, activation="erf", sigma_w=1.2, sigma_b=0.2,
                        in_dim=30, out_dim=20)
    net = Network(cfg, 1, device="cpu", dtype="float64")
    x = torch.randn(3, 30, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    ex = operator_norm(net, x, method="exact")
    assert ex.method == "exact" and ex.converged and ex.iterations == 0
    assert operator_norm(net, x).method == "exact"  # auto: the flop model at this width
    pw = operator_norm(net, x, method="power", n_iter=500, tol=1e-13)
    assert pw.method == "power" and pw.converged
    rms = math.sqrt(30 / 20)
    for i in range(3):
        top = float(torch.linalg.svdvals(_dense_jacobian(net, x[i]))[0]) * rms
        assert ex.sigma[i] == pytest.approx(top, rel=1e-12)
        assert pw.sigma[i] <= top * (1 + 1e-9) and pw.sigma[i] == pytest.approx(top, rel=1e-4)
    # forward mode for the exact Jacobian when the input side is the smaller one
    wide_out = Network(NetworkConfig(width=40, depth=2, activation="tanh", in_dim=8,
                                     out_dim=30), 0, device="cpu", dtype="float64")
    x8 = torch.randn(2, 8, dtype=torch.float64)
    got = operator_norm(wide_out, x8, method="exact").sigma
    want = [float(torch.linalg.svdvals(_dense_jacobian(wide_out, x8[i]))[0]) * math.sqrt(8 / 30)
            for i in range(2)]
    assert np.allclose(got, want, rtol=1e-12)


def test_power_iteration_reports_non_convergence() -> None:
    cfg = NetworkConfig(width=64, depth=4, activation="tanh", sigma_w=1.3)
    net = Network(cfg, 0, device="cpu", dtype="float64")
    x = torch.randn(2, 64, dtype=torch.float64)
    with pytest.warns(ConvergenceWarning, match="cap of 2 steps"):
        r = operator_norm(net, x, method="power", n_iter=2)
    assert not r.converged and r.iterations == 2 and r.rel_change > 1e-5
    with pytest.warns(ConvergenceWarning):
        res = measure_jacobian(cfg, n_inputs=2, n_iter=2, method="power", device="cpu",
                               show_progress=False)
    assert not res.converged and res.method == "power"
    with pytest.raises(ValueError, match="unknown method"):
        operator_norm(net, x, method="lanczos")


def test_frobenius_one_forward_equals_repeated_batch() -> None:
    """The vmapped pullback through one stored forward gives the numbers of the old
    repeat-the-batch method (same probes), without storing the activations per probe."""
    cfg = NetworkConfig(width=32, depth=3, activation="relu", sigma_b=0.1)
    net = Network(cfg, 0, device="cpu", dtype="float64")
    x = torch.randn(5, 32, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    got = jacobian_frobenius_sq(net, x, n_probes=6, generator=torch.Generator().manual_seed(9))
    out, hs = net.forward(x.repeat(6, 1), keep=True)
    u = torch.randn(out.shape, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    grad, _ = net.vjp(hs, u)
    want = (grad**2).sum(1).reshape(6, 5).numpy()
    assert np.allclose(got, want, rtol=1e-12)


def test_measure_jacobian_without_operator_norm_and_held_once(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    cfg = NetworkConfig(width=32, depth=3, activation="erf", weights="orthogonal")
    calls: list[int] = []
    draw = Network._draw
    monkeypatch.setattr(Network, "_draw", lambda self, layer: calls.append(layer)
                        or draw(self, layer))
    res = measure_jacobian(cfg, n_inputs=2, n_probes=4, device="cpu", show_progress=False,
                           memory_budget=0, method="power", n_iter=30)
    assert calls == [1, 2, 3]  # 30 power steps and the probes: each layer drawn once
    res = measure_jacobian(cfg, n_inputs=2, n_probes=4, device="cpu", show_progress=False,
                           op_norm=False)
    assert res.method == "none" and math.isnan(res.op_norm) and res.frobenius_rms > 0


def test_nlc_overflow_is_named() -> None:
    cfg = NetworkConfig(width=16, depth=30, activation="square", sigma_w=3.0, norm="none",
                        in_dim=8, out_dim=4, final_norm=False)
    net = Network(cfg, 0, device="cpu", dtype="float32")
    with pytest.raises(ValueError, match="not finite"):
        empirical_nlc(net, gaussian_data(20, 8).x, batch_size=10, n_probe_batches=2)


@pytest.mark.gpu
def test_cuda_jacobian_and_nlc_match_cpu() -> None:
    cfg = NetworkConfig(width=256, depth=4, activation="erf", sigma_w=1.0, sigma_b=0.3)
    x = torch.randn(2, 256, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    a = operator_norm(Network(cfg, 1, device="cpu", dtype="float64"), x, method="exact")
    b = operator_norm(Network(cfg, 1, device="cuda", dtype="float64"), x, method="exact")
    assert np.allclose(a.sigma, b.sigma, rtol=1e-8)
    p = operator_norm(Network(cfg, 1, device="cuda", dtype="float64"), x, method="power",
                      n_iter=400, tol=1e-10)
    assert np.all(p.sigma <= a.sigma * (1 + 1e-9))
    fa = jacobian_frobenius_sq(Network(cfg, 1, device="cpu", dtype="float64"), x)
    fb = jacobian_frobenius_sq(Network(cfg, 1, device="cuda", dtype="float64"), x)
    assert np.allclose(fa, fb, rtol=1e-8)
    mj = measure_jacobian(cfg, seeds=[0, 1], device="cuda", show_progress=False,
                          generator_device="device")
    assert np.isfinite(mj.frobenius_rms)
    ncfg = NetworkConfig(width=128, depth=3, activation="relu", norm="batch", in_dim=20,
                         out_dim=5, final_norm=False)
    data = gaussian_data(500, 20, seed=0)
    cpu = measure_nlc(ncfg, data, seeds=range(2), n_probe_batches=4, device="cpu",
                      show_progress=False)
    gpu = measure_nlc(ncfg, data, seeds=range(2), n_probe_batches=4, device="cuda",
                      show_progress=False)  # float32 by default on the GPU
    # same networks and probes (CPU draws), float32 vs float64: far inside the probe error
    assert np.allclose(cpu["nlc_per_seed"], gpu["nlc_per_seed"], rtol=1e-4)


@pytest.mark.gpu
def test_cuda_walk_matches_cpu() -> None:
    from ringing.simulate.walks import WalkConfig, walk

    kw = dict(activation="relu", depth=2, width=64, points=16, directions=2, inputs=4)
    a = walk(WalkConfig(device="cpu", dtype="float64", **kw), show_progress=False)
    b = walk(WalkConfig(device="cuda", dtype="float64", **kw), show_progress=False)
    assert np.allclose(a.spectral_centroid, b.spectral_centroid, rtol=1e-6)
