"""Weight-space Fourier walks (seed 000 eq 1, §4, App. B.3-B.5, D, E): small but honest.

Widths and depths are small (CPU, < 90 s in all); tolerances come from the jackknife
intervals over independent walks, which carry the finite-width spread.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ringing.cli import main
from ringing.simulate.walks import (
    WalkConfig,
    WalkResult,
    draw_directions,
    draw_inputs,
    draw_network,
    forward_fixed,
    run_walk,
    shift_rows,
    walk,
)
from ringing.stats import jackknife_ci
from ringing.validate.compare import compare_with_theory

SMALL: dict[str, Any] = {"width": 48, "depth": 4, "points": 32, "directions": 6, "inputs": 6}


def _walk(act: str, **kw: Any) -> WalkResult:
    args: dict[str, Any] = dict(SMALL)
    args.update(kw)
    return walk(WalkConfig(act, device="cpu", **args), show_progress=False)


# ----------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("kw, match", [
    ({"points": 3}, "points"),
    ({"radius": 0.0}, "radius"),
    ({"radius": -1.0}, "radius"),
    ({"relative_radius": 0.0}, "relative_radius"),
    ({"layer_only": 0}, "layer_only"),
    ({"layer_only": 5}, "layer_only"),
    ({"residual": 1.5}, "residual"),
    ({"path": "circle"}, "path"),
    ({"radius": 1.0, "relative_radius": 0.5}, "not both"),
    ({"norm": "batch", "inputs": 1}, "BatchNorm"),
    ({"kmax": 40}, "kmax"),
    ({"correlation_bins": 4}, "residual"),
])
def test_bad_config(kw: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = dict(SMALL)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        WalkConfig("relu", **args)


def test_bad_activation() -> None:
    with pytest.raises(ValueError):
        WalkConfig("nonsense_act(", depth=2, width=4)


@pytest.mark.parametrize("flags", [["--points", "3"], ["--radius", "0"], ["--radius", "-2"],
                                   ["--layer-only", "0"], ["--layer-only", "4"],
                                   ["--relative-radius", "0"],
                                   ["--direction", "gradient", "--second", "shifted"]])
def test_cli_bad_input(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["simulate", "walk", "relu", "--depth", "3", "--width", "8", "--json", *flags])
    cap = capsys.readouterr()
    assert rc == 2
    assert cap.out == ""
    assert len(cap.err.strip().splitlines()) == 1


def test_cli_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["simulate", "walk", "tanh", "--depth", "3", "--width", "16", "--points", "16",
               "--directions", "3", "--inputs", "4", "--device", "cpu", "--json"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    out = json.loads(cap.out)
    assert out["layers"] == [1, 2, 3]
    assert out["second_direction"] == "shifted" and out["config"]["second"] == "auto"
    for key in ("spectral_centroid", "fractal_exponent", "fractal_exponent_ci"):
        assert len(out[key]) == 3
    assert len(out["power_spectrum"]) == 3 and len(out["power_spectrum"][0]) == 8
    assert np.allclose(np.sum(out["power_spectrum"], axis=1), 1.0)
    for h, (lo, hi) in zip(out["fractal_exponent"], out["fractal_exponent_ci"], strict=True):
        assert lo <= h <= hi


# ----------------------------------------------------------------------------
# the engine: batched walk = pointwise forward passes; shared definitions


@pytest.mark.parametrize("kw", [
    {"path": "loop"},  # shifted second direction (the default)
    {"path": "loop", "second": "independent"},
    {"path": "segment"},
    {"path": "loop", "average": 2, "residual": 0.7},
    {"path": "loop", "layer_only": 2, "norm": "none"},
])
def test_batched_walk_equals_pointwise_forward(kw: dict[str, object]) -> None:
    """(W + c1 D1 + c2 D2) x evaluated as one batch equals T separate forward passes."""
    base: dict[str, object] = {"norm": "batch"}
    base.update(kw)
    cfg = WalkConfig("tanh", width=12, depth=3, points=8, directions=2, inputs=3,
                     dtype="float64", device="cpu", **base)  # type: ignore[arg-type]
    dev, dt = torch.device("cpu"), torch.float64
    w = draw_network(cfg, 0, dev, dt)
    x = draw_inputs(cfg, 0, cfg.inputs, dev, dt)
    d1, d2, _ = draw_directions(cfg, 0, range(2), w, dev, dt)
    assert (d2 is not None) == (cfg.second == "independent")
    power, _, _ = run_walk(cfg, w, x, d1, d2)
    # reference: T separate forward passes at W(t_n), D2 written out
    if cfg.path == "segment":
        c, s = torch.linspace(0, 1, cfg.points, dtype=dt), torch.zeros(cfg.points, dtype=dt)
        d2 = [None if d is None else torch.zeros_like(d) for d in d1]
    else:
        t = torch.arange(cfg.points, dtype=dt) / cfg.points
        c, s = torch.cos(2 * math.pi * t), torch.sin(2 * math.pi * t)
        if d2 is None:
            d2 = [None if d is None else shift_rows(d) for d in d1]
    zero = [torch.zeros_like(wi) for wi in w]
    dd1 = [zero[i] if d is None else d for i, d in enumerate(d1)]
    dd2 = [zero[i] if d is None else d for i, d in enumerate(d2)]
    ref = np.zeros((2, cfg.depth, cfg.n_freq))
    for k in range(2):
        outs = []
        for n in range(cfg.points):
            wt = [w[i] + c[n] * (dd1[i] if dd1[i].dim() == 2 else dd1[i][k])
                  + s[n] * (dd2[i] if dd2[i].dim() == 2 else dd2[i][k])
                  for i in range(cfg.depth)]
            outs.append(torch.stack(forward_fixed(cfg, wt, x)))  # (L, B, N)
        path = torch.stack(outs, dim=1)  # (L, T, B, N)
        z = torch.fft.rfft(path, dim=1)[:, 1: cfg.n_freq + 1] / cfg.points
        ref[k] = (z.abs() ** 2).mean(dim=(2, 3)).numpy()
    assert np.allclose(power.numpy(), ref, rtol=1e-9, atol=1e-14)


def test_shifted_and_independent_second_directions_agree() -> None:
    """The shifted D2 gives every neuron the same law as an independent D2 (two independent
    Gaussian rows); across neurons it only correlates pairs, an O(1/N) effect on the kernel.
    At width 128 the per-layer centroids of the two kinds agree within 4 combined standard
    errors (their jackknife intervals over 16 walks each), relu and tanh, depth 6, and their
    mean |z| is that of noise (< 1.5)."""

    zs = []
    for act in ("relu", "tanh"):
        r = {sec: _walk(act, width=128, depth=6, directions=16, inputs=8, second=sec)
             for sec in ("shifted", "independent")}
        assert r["shifted"].interval_df == 15  # 16 directions of one network
        z = (r["shifted"].spectral_centroid - r["independent"].spectral_centroid) \
            / np.hypot(r["shifted"].spectral_centroid_se, r["independent"].spectral_centroid_se)
        assert np.all(np.abs(z) < 4), (act, z)
        zs.append(np.abs(z))
        # and the blueshift itself is resolved: layer 6 differs from layer 1 by >> the noise
        c = r["shifted"].spectral_centroid_ci
        assert c[-1, 0] > c[0, 1] + 0.1
    assert float(np.mean(zs)) < 1.5


def test_shifted_second_direction_is_a_derangement_of_rows() -> None:
    d = torch.arange(12.0).view(1, 4, 3)
    e = shift_rows(d)
    assert torch.equal(e[0, 0], d[0, 1]) and torch.equal(e[0, 3], d[0, 0])
    assert WalkConfig("relu", depth=2, width=4).second_direction == "shifted"
    assert WalkConfig("relu", depth=2, width=4,
                      direction="gradient").second_direction == "independent"
    with pytest.raises(ValueError, match="needs random directions"):
        WalkConfig("relu", depth=2, width=4, direction="gradient", second="shifted")
    with pytest.raises(ValueError, match="second='sideways'; known"):
        WalkConfig("relu", depth=2, width=4, second="sideways")


def test_radius_conventions() -> None:
    rel = _walk("relu", relative_radius=0.3)
    assert np.allclose(rel.relative_radius, 0.3)
    cfg = WalkConfig("relu", radius=2.0, device="cpu", **dict(SMALL))
    dev, dt = torch.device("cpu"), torch.float32
    w = draw_network(cfg, 0, dev, dt)
    d1, d2, _ = draw_directions(cfg, 0, range(3), w, dev, dt)
    tot = torch.stack([(d.flatten(1) ** 2).sum(1) for d in d1 if d is not None]).sum(0)
    assert torch.allclose(torch.sqrt(tot), torch.full((3,), 2.0), rtol=1e-5)


def test_layer_only_moves_one_layer() -> None:
    r = _walk("relu", layer_only=3)
    assert np.allclose(r.relative_radius[[0, 1, 3]], 0.0)
    assert r.relative_radius[2] == pytest.approx(0.5)
    # layers below the moved one do not move at all
    assert np.all(r.power[:2] < 1e-12 * r.power[2].sum())


def test_gradient_direction_runs_and_is_finite() -> None:
    r = _walk("tanh", direction="gradient", directions=3)
    assert np.all(np.isfinite(r.power)) and np.all(r.power[:, 0] > 0)


def test_uses_theory_definitions() -> None:
    from ringing.theory.harmonics import fractal_exponent, spectral_centroid

    r = _walk("relu")
    assert np.allclose(r.spectral_centroid, spectral_centroid(r.power, r.k))
    kmin, kmax = r.config.fit_range
    assert r.fractal_exponent[0] == pytest.approx(
        float(fractal_exponent(r.power[0], r.k, kmin=kmin, kmax=kmax).h))


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 12), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_jackknife_of_mean_is_t_interval(u: int, m: int, seed: int) -> None:
    """For the identity statistic the jackknife s.e. is the usual s / sqrt(U)."""
    from scipy import stats

    x = np.random.default_rng(seed).normal(size=(u, m))
    est, lo, hi = jackknife_ci(lambda p: p, x)
    se = x.std(axis=0, ddof=1) / math.sqrt(u)
    tq = stats.t.ppf(0.975, u - 1)
    assert np.allclose(est, x.mean(axis=0))
    assert np.allclose(hi - est, tq * se)
    assert np.allclose(est - lo, tq * se)


# ----------------------------------------------------------------------------
# the physics, at small width with jackknife tolerances


def test_linear_network_band_limited() -> None:
    """A linear network on a loop is a trigonometric polynomial of degree l at layer l."""
    r = _walk("identity", dtype="float64", depth=5, width=24)
    for i in range(5):
        tot = r.power[i].sum()
        assert r.power[i, : i + 1].min() > 1e-8 * tot  # k = 1..l present
        assert r.power[i, i + 1:].sum() < 1e-20 * tot  # nothing above k = l
    assert r.fractal_exponent[0] is None  # a single frequency: no power law to fit


def test_segment_tail_against_loop() -> None:
    """Segments (eq 1): the boundary jump makes every layer's spectrum that of a sampled ramp
    (h ~ 1, flat in depth); loops of the same radius have a steeper spectrum (h > 1.5) that
    flattens with depth (blueshift)."""
    from ringing.theory.harmonics import fractal_exponent

    seg = _walk("relu", path="segment", radius=1.0)
    loop = _walk("relu", path="loop", radius=1.0)
    tn = SMALL["points"]
    ramp = np.fft.rfft(np.linspace(0.0, 1.0, tn))[1: tn // 2 + 1] / tn
    kmin, kmax = seg.config.fit_range
    h_ramp = float(fractal_exponent(np.abs(ramp) ** 2, kmin=kmin, kmax=kmax).h)
    hs = np.array(seg.fractal_exponent, dtype=float)
    assert np.all(np.abs(hs - h_ramp) < 0.05)
    assert np.ptp(hs) < 0.05
    hl = np.array(loop.fractal_exponent, dtype=float)
    assert np.all(hl > 1.5)
    hl_ci = np.array(loop.fractal_exponent_ci, dtype=float)
    assert hl_ci[-1, 1] < hl_ci[0, 0]  # h falls from layer 1 to layer L, beyond the intervals
    ci = loop.spectral_centroid_ci
    assert ci[-1, 0] > ci[0, 1]


def _growth(r: WalkResult) -> tuple[float, float]:
    """Centroid growth layer 1 -> L and its (conservative) half-width."""
    c, ci = r.spectral_centroid, r.spectral_centroid_ci
    half = 0.5 * (ci[-1, 1] - ci[-1, 0]) + 0.5 * (ci[0, 1] - ci[0, 0])
    return float(c[-1] - c[0]), float(half)


def test_relu_tanh_softplus_order_with_batchnorm() -> None:
    """Seed 000 Fig. 3a (BatchNorm, as the paper's Toy-CNN): relu > tanh > softplus."""
    g = {a: _growth(_walk(a, norm="batch", inputs=16)) for a in ("relu", "tanh", "softplus")}
    assert g["relu"][0] - g["relu"][1] > g["tanh"][0] + g["tanh"][1]
    assert g["tanh"][0] - g["tanh"][1] > g["softplus"][0] + g["softplus"][1]
    assert g["softplus"][0] - g["softplus"][1] > 0


def test_residual_flatter() -> None:
    plain = _growth(_walk("relu", norm="batch", inputs=16))
    res = _growth(_walk("relu", norm="batch", inputs=16, residual=1.0))
    assert res[0] + res[1] < plain[0] - plain[1]


def test_averaging_is_not_a_low_pass_at_width() -> None:
    """Finding (docs/walks.md): averaging a independent feature groups does not lower the
    centroid of a wide MLP beyond its interval (in the wide limit the averaged layer has the
    kernel of a plain one up to a common mode that BatchNorm removes); it runs and keeps the
    spectrum normalised."""
    a1 = _walk("relu", norm="batch", inputs=16, width=32)
    a4 = _walk("relu", norm="batch", inputs=16, width=32, average=4)
    assert np.allclose(a4.normalised.sum(axis=1), 1.0)

    def half(r: WalkResult) -> float:
        return float(0.5 * (r.spectral_centroid_ci[-1, 1] - r.spectral_centroid_ci[-1, 0]))

    tol = 2 * (half(a1) + half(a4))
    assert abs(a4.spectral_centroid[-1] - a1.spectral_centroid[-1]) < tol + 0.05


def test_leaky_slope_monotone() -> None:
    """The same walks (same seed: same weights, directions, inputs) at slopes 0, 0.5, 1: the
    paired jackknife interval of each centroid difference lies above 0."""
    from ringing.theory.harmonics import spectral_centroid

    rs = [_walk(f"lrelu(slope={s})", depth=3) for s in (0.0, 0.5, 1.0)]
    k = rs[0].k
    for a, b in zip(rs[:-1], rs[1:], strict=True):
        units = np.stack([a.unit_power[:, -1], b.unit_power[:, -1]], axis=1)
        _, lo, _ = jackknife_ci(lambda m: np.asarray(spectral_centroid(m[:, 0], k))
                                - np.asarray(spectral_centroid(m[:, 1], k)), units)
        assert lo > 0


def test_matches_theory_without_norm() -> None:
    """Plain He-initialised networks: measured spectra match the wide-limit prediction
    within a few times the sampling floor (total-variation distance)."""
    r = _walk("tanh", width=64)
    cmp = compare_with_theory(r)
    assert np.all(cmp["tv"] < 0.03)
    assert np.all(np.abs(cmp["centroid_z"]) < 6)


def test_grouped_jackknife_is_the_t_interval_of_group_means() -> None:
    """Delete-one-network jackknife of a mean = Student-t interval over the networks' means."""
    from scipy import stats

    rng = np.random.default_rng(3)
    units = rng.normal(size=(12, 5))
    groups = np.repeat(np.arange(4), 3)
    est, lo, hi = jackknife_ci(lambda p: p, units, groups=groups)
    means = units.reshape(4, 3, 5).mean(axis=1)
    half = stats.t.ppf(0.975, 3) * means.std(axis=0, ddof=1) / 2.0
    assert np.allclose(est, units.mean(axis=0))
    assert np.allclose(hi - est, half) and np.allclose(est - lo, half)
    with pytest.raises(ValueError, match="at least 2"):
        jackknife_ci(lambda p: p, units, groups=np.zeros(12))


def test_relu_matches_the_exact_kernel_not_the_truncated_one() -> None:
    """relu, width 128, 8 networks x 2 directions (intervals over networks): every layer's
    centroid within 3 s.e. of the exact-kernel prediction, while the degree-25 Hermite
    truncation is resolved as too low at layer 1 (its missing tail is the high harmonics)."""
    r = _walk("relu", width=128, networks=8, directions=2, inputs=6)
    assert r.groups is not None and r.interval_df == 7
    exact = compare_with_theory(r)
    assert "exact kernel map" in exact["method"]
    assert np.all(np.abs(exact["centroid_z"]) < 3), exact["centroid_z"]
    assert np.all(exact["tv"] < 0.02)
    truncated = compare_with_theory(r, approximation="hermite")
    assert truncated["centroid_z"][0] > 3
    assert np.all(truncated["predicted_centroid"] < exact["predicted_centroid"])
