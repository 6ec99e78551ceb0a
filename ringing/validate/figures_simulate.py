"""Figures of the simulation engine (matplotlib, Agg): each ``figure_*`` saves a PNG.

* :func:`figure_correlation_map` — seed 002 Figure 1: empirical ρ_L(ρ_0) with error bars
  against the composed map P_L∘…∘P_1.
* :func:`figure_jacobian_depth` — seed 002 Figure 3c/d: Jacobian operator and RMS-Frobenius
  norms against depth, with the theory's √((P_L∘…∘P_1)'(1)).
* :func:`figure_nlc_depth` — seed 004 Table 2: empirical NLC of batchnorm networks against
  depth, with NLC_τ(1)^(depth−1) and the printed values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ringing.simulate.data import load_dataset
from ringing.simulate.measure import measure_correlations, measure_jacobian, measure_nlc
from ringing.simulate.networks import NetworkConfig
from ringing.validate.compare import theory_composed_derivative, theory_correlations
from ringing.validate.plotting import pyplot, save_figure

__all__ = ["figure_correlation_map", "figure_jacobian_depth", "figure_nlc_depth"]


_plt = pyplot


def figure_correlation_map(path: str | Path, *, activation: str = "erf", width: int = 512,
                           depth: int = 10, sigma_w: float = 1.0, sigma_b: float = 0.0,
                           n_rho: int = 21, seeds: Sequence[int] = range(4),
                           device: str = "auto") -> Path:
    """ρ_L against ρ_0 for a LayerNorm MLP: simulation (±2 stderr) and theory (seed 002 Fig. 1)."""
    cfg = NetworkConfig(width=width, depth=depth, activation=activation, sigma_w=sigma_w,
                        sigma_b=sigma_b)
    rho0 = np.linspace(-1.0, 1.0, n_rho)
    res = measure_correlations(cfg, rho0, seeds=seeds, device=device)
    th = theory_correlations(cfg, rho0)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.errorbar(rho0, res.mean[:, -1], yerr=2 * res.stderr[:, -1], fmt="o", color="C3",
                ms=3, label=f"empirical, N={width}, {len(list(seeds))} seeds")
    ax.plot(rho0, th[:, -1], "k-", label="P_L∘…∘P_1 (theory)")
    ax.set_xlabel("ρ_0")
    ax.set_ylabel(f"ρ_{depth}")
    ax.set_title(f"{activation}, σ_w={sigma_w:g}, σ_b={sigma_b:.3g}, L={depth}")
    ax.legend(fontsize=8)
    return save_figure(fig, path, dpi=120)


def figure_jacobian_depth(path: str | Path, *, activation: str = "erf", width: int = 256,
                          depths: Sequence[int] = (2, 5, 10, 20), sigma_w: float = 1.0,
                          sigma_bs: Sequence[float] = (0.0,), weights: str = "gaussian",
                          seeds: Sequence[int] = range(2), device: str = "auto") -> Path:
    """Jacobian norms against depth for each σ_b (seed 002 Figure 3c/d)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    for k, sb in enumerate(sigma_bs):
        ops, ope, fro, th = [], [], [], []
        for d in depths:
            cfg = NetworkConfig(width=width, depth=d, activation=activation, sigma_w=sigma_w,
                                sigma_b=sb, weights=weights)
            r = measure_jacobian(cfg, seeds=seeds, device=device, show_progress=False)
            ops.append(r.op_norm)
            ope.append(r.op_norm_stderr)
            fro.append(r.frobenius_rms)
            th.append(math.sqrt(theory_composed_derivative(cfg)))
        ax.errorbar(depths, ops, yerr=2 * np.array(ope), fmt="o-", color=f"C{k}",
                    label=f"‖J‖_op, σ_b={sb:.3g}")
        ax.plot(depths, fro, "s--", color=f"C{k}", label="‖J‖_F/√N")
        ax.plot(depths, th, "k:", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("depth L")
    ax.set_ylabel("Jacobian norm (RMS convention)")
    ax.set_title(f"{activation}, N={width}, {weights} weights; dotted: √χ theory")
    ax.legend(fontsize=7)
    return save_figure(fig, path, dpi=120)


def figure_nlc_depth(path: str | Path, *, activation: str = "relu", width: int = 100,
                     depths: Sequence[int] = (2, 5, 10, 15, 20, 25), data: str = "gaussian",
                     seeds: Sequence[int] = range(3), device: str = "auto") -> Path:
    """Empirical NLC of batchnorm networks against depth (seed 004 Table 2)."""
    from ringing.reference import load_reference
    from ringing.theory.nlc import nlc_tau

    ds = load_dataset(data, n=1000, dim=810)
    med, lo, hi = [], [], []
    for d in depths:
        cfg = NetworkConfig(width=width, depth=d, activation=activation, norm="batch",
                            in_dim=ds.x.shape[1], out_dim=10, final_norm=False)
        r = measure_nlc(cfg, ds, seeds=seeds, n_probe_batches=5, device=device,
                        show_progress=False)
        med.append(r["nlc"])
        lo.append(min(r["nlc_per_seed"]))
        hi.append(max(r["nlc_per_seed"]))
    tau = nlc_tau(activation)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.fill_between(depths, lo, hi, color="C0", alpha=0.3)
    ax.plot(depths, med, "o-", color="C0", label=f"empirical (median), {data}")
    ax.plot(depths, [tau ** (d - 1) for d in depths], "k--", label="NLC_τ(1)^(depth−1)")
    if activation == "relu":
        ref = load_reference("nlc")["table2_batchnorm_relu_cifar10"]
        ax.plot(ref["depth"], ref["nlc"], "r^", label="Philipp & Carbonell, NLC, Table 2 (CIFAR10)")
    ax.set_yscale("log")
    ax.set_xlim(0, max(depths) + 2)
    ax.set_xlabel("depth")
    ax.set_ylabel("NLC")
    ax.set_title(f"batchnorm-{activation}, width {width}")
    ax.legend(fontsize=8)
    return save_figure(fig, path, dpi=120)
