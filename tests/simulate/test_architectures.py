"""Seed 004 App. C's architecture sampler, the modified activation and the sampled network."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import replace

import mpmath
import numpy as np
import pytest
import torch

from ringing.activations import get_activation
from ringing.simulate.architectures import (
    ACTIVATION_WEIGHTS,
    BASE_ACTIVATIONS,
    DEPTHS,
    Architecture,
    SampledNetwork,
    sample_architecture,
    trainable_parameters,
    width_for_budget,
)
from ringing.simulate.networks import Network
from ringing.theory.hermite import gaussian_summary
from ringing.theory.nlc import modified_activation

N_SAMPLES = 10_000
Z = 4.0  # binomial allowance in standard deviations (about 40 checks: false alarm < 0.3 %)


@pytest.fixture(scope="module")
def samples() -> list[Architecture]:
    return [sample_architecture(s, 40, 3, 20_000) for s in range(N_SAMPLES)]


def _check_freq(counts: Counter, expected: dict, n: int) -> None:
    assert set(counts) <= set(expected), (counts, expected)
    for k, p in expected.items():
        sd = math.sqrt(n * p * (1 - p))
        assert abs(counts.get(k, 0) - n * p) <= Z * sd, (k, counts.get(k, 0), n * p, sd)


def test_sampler_frequencies_match_app_c(samples: list[Architecture]) -> None:
    n = len(samples)
    _check_freq(Counter(a.depth for a in samples), {d: 1 / len(DEPTHS) for d in DEPTHS}, n)
    _check_freq(Counter(a.gaussian_bias for a in samples), {True: 0.5, False: 0.5}, n)
    _check_freq(Counter(a.joint_scale for a in samples), {0.9: 0.25, 1.0: 0.5, 1.1: 0.25}, n)
    _check_freq(Counter(a.norm_sampled for a in samples),
                {"none": 0.5, "batch": 0.25, "layer": 0.25}, n)
    # after post-processing (App. C: no norm 20.4 %, batchnorm 39.8 %, layer norm 39.8 %)
    p_none = 0.5 * (9 / 11) * 0.5
    _check_freq(Counter(a.norm for a in samples),
                {"none": p_none, "batch": (1 - p_none) / 2, "layer": (1 - p_none) / 2}, n)
    assert round(100 * p_none, 1) == 20.5 or abs(100 * p_none - 20.4) < 0.1
    w = np.array(ACTIVATION_WEIGHTS, dtype=float)
    _check_freq(Counter(a.base_activation for a in samples),
                dict(zip(BASE_ACTIVATIONS, w / w.sum(), strict=True)), n)
    _check_freq(Counter(a.dilation for a in samples), {1.0: 0.5, 1.2: 0.25, 0.8: 0.25}, n)
    _check_freq(Counter(a.shift for a in samples), {0.0: 0.5, 0.2: 0.25, -0.2: 0.25}, n)
    _check_freq(Counter(a.debias for a in samples), {True: 0.5, False: 0.5}, n)
    _check_freq(Counter(a.skip for a in samples), {"none": 0.5, "one": 0.25, "uniform": 0.25}, n)
    skips = [a for a in samples if a.has_skip]
    _check_freq(Counter(a.skip_start for a in skips), {"linear": 0.5, "norm": 0.5}, len(skips))
    u = np.array([a.skip_strength for a in samples if a.skip == "uniform"])
    from scipy import stats

    assert stats.kstest(u, "uniform").pvalue > 1e-4
    # the post-processing rule itself
    for a in samples:
        if a.norm_sampled == "none" and (a.has_skip or a.base_activation in ("square",
                                                                              "odd_square")):
            assert a.norm in ("batch", "layer")
        else:
            assert a.norm == a.norm_sampled
        assert a.weight_gain == pytest.approx(
            (math.sqrt(0.95) if a.gaussian_bias else 1.0) * a.joint_scale, rel=1e-15)
        assert a.bias_std == pytest.approx(
            math.sqrt(0.05) * a.joint_scale if a.gaussian_bias else 0.0, rel=1e-15)


def test_width_follows_the_parameter_budget() -> None:
    for depth in (3, 25, 49):
        w = width_for_budget(depth, 40, 3, 1_000_000)
        p = trainable_parameters(depth, w, 40, 3)
        # the closest width: one more or less is farther from the budget
        assert abs(p - 1e6) <= abs(trainable_parameters(depth, w + 1, 40, 3) - 1e6)
        assert abs(p - 1e6) <= abs(trainable_parameters(depth, w - 1, 40, 3) - 1e6)
    assert width_for_budget(3, 40, 3, 1_000_000) > width_for_budget(49, 40, 3, 1_000_000)


def test_an_architecture_prints_as_json_and_rebuilds_bit_identically() -> None:
    a = sample_architecture(123, 40, 3, 5000)
    text = json.dumps(a.as_dict())
    b = Architecture.from_dict(json.loads(text))
    assert b == a == sample_architecture(123, 40, 3, 5000)
    n1, n2 = SampledNetwork(a), SampledNetwork(b)
    for p, q in zip(n1.parameters(), n2.parameters(), strict=True):
        assert torch.equal(p, q)
    x = torch.randn(300, 40, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    assert torch.equal(n1(x), n2(x))


def _pdf(z: object) -> object:
    return mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)  # type: ignore[operator]


EXACT = ("relu", "square", "odd_square")  # piecewise polynomials: truncated Gaussian moments


@pytest.mark.parametrize("base", BASE_ACTIVATIONS)
def test_modified_activation_has_unit_q_and_zero_mean(base: str) -> None:
    """c and b give Q_s τ = 1 and (debiased) E τ = 0 under N(0, 1) to 1e-10: the exact engine
    (sympy) for the piecewise polynomials, 30-digit mpmath quadrature split at the kinks
    otherwise (an independent high-precision code path)."""
    import sympy as sp

    for d, t, deb in ((1.2, -0.2, True), (0.8, 0.2, False), (1.0, 0.0, True)):
        spec, c, b = modified_activation(base, d, t, deb)
        act = get_activation(spec)  # an ordinary registry spec
        if base in EXACT:
            g = gaussian_summary(act, exact=True)
            assert g.method == "exact (sympy)"
            mean = float(sp.N(g.exact["mean"], 30))
            q2 = float(sp.N(g.exact["norm_sq"], 30))
        else:
            with mpmath.workdps(30):
                # panels of width 1 on [-20, 20] split at the kinks (one panel over the
                # whole line loses 6 digits)
                pts = sorted({float(k) for k in range(-20, 21)} | set(act.kinks))
                mean = float(mpmath.quad(lambda z, a=act: a.mpmath(z) * _pdf(z), pts))
                q2 = float(mpmath.quad(lambda z, a=act: a.mpmath(z) ** 2 * _pdf(z), pts))
        assert abs(q2 - 1) < 1e-10, (spec, q2)
        if deb:
            assert abs(mean) < 1e-10, (spec, mean)
        else:
            assert b == 0.0


def test_modified_activation_spec_is_the_formula() -> None:
    spec, c, b = modified_activation("tanh", 1.2, 0.2, True)
    z = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(get_activation(spec).numpy(z), c * np.tanh(1.2 * z + 0.2) + b,
                               rtol=1e-14, atol=1e-14)
    assert spec.startswith(repr(c)) and "tanh(1.2*x + 0.2)" in spec
    with pytest.raises(ValueError, match="unknown base activation"):
        modified_activation("swishy")


def test_skip_projection_scale() -> None:
    """App. C: the last skip is a sub-matrix of a Haar orthogonal matrix × max(1, √(out/in))."""
    a = replace(sample_architecture(5, 40, 3, 5000), skip="one", skip_strength=1.0,
                skip_start="linear", norm="batch")
    p = SampledNetwork(a).projection  # (3, width): factor 1, orthonormal rows
    np.testing.assert_allclose((p @ p.T).numpy(), np.eye(3), atol=1e-12)
    # a wide output (d_out > width): √(d_out/width) times orthonormal columns
    w = replace(a, width=4, d_out=10)
    q = SampledNetwork(w).projection
    np.testing.assert_allclose((q.T @ q).numpy(), (10 / 4) * np.eye(4), atol=1e-12)
    # the scale keeps the per-coordinate mean square of a random signal (to chi-square error)
    s = torch.randn(20000, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    ratio = float((s @ q.T).pow(2).mean() / s.pow(2).mean())
    assert abs(ratio - 1) < 5 * math.sqrt(2 / 20000)


def test_plain_architecture_is_the_package_network() -> None:
    """Without skips and layer norm the sampled network is Network(...) bit for bit."""
    a = replace(sample_architecture(7, 40, 3, 5000), skip="none", skip_strength=0.0,
                skip_start="none", norm="batch")
    net = SampledNetwork(a)
    ref = Network(a.network_config(), a.seed, device="cpu", dtype="float64")
    x = torch.randn(250, 40, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    out, _ = ref.forward(x)
    assert torch.equal(net(x), out)


def test_skip_wiring_by_hand() -> None:
    """Depth 5, skips after layers 1 and 3 (strength s), projection into layer 5."""
    a = replace(sample_architecture(11, 6, 3, 400), depth=5, width=8, d_in=6, skip="uniform",
                skip_strength=0.3, skip_start="norm", norm="layer")
    net = SampledNetwork(a)
    x = torch.randn(5, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    ws, bs = list(net.weights), list(net.biases)
    act = get_activation(a.activation).torch
    ln = lambda y: torch.nn.functional.layer_norm(y, (y.shape[-1],))  # noqa: E731
    y1 = x @ ws[0].T + bs[0]
    n1 = ln(y1)
    y2 = act(n1) @ ws[1].T + bs[1]
    y3 = act(ln(y2)) @ ws[2].T + bs[2] + 0.3 * n1
    n3 = ln(y3)
    y4 = act(n3) @ ws[3].T + bs[3]
    y5 = act(ln(y4)) @ ws[4].T + bs[4] + 0.3 * n3 @ net.projection.T
    torch.testing.assert_close(net(x), y5, rtol=1e-13, atol=1e-13)


def test_bad_seed_is_an_error() -> None:
    with pytest.raises(ValueError, match="seed"):
        sample_architecture(-1, 40, 3)
