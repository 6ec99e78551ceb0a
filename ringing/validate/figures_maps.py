"""Figures for the correlation maps and the shrinkage/explosion bounds (seed 002 Fig. 1, 2a).

Each ``figure_*`` function draws with matplotlib (Agg backend), saves a PNG at
``path`` and returns the path, so the report can embed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ringing.validate.plotting import pyplot, save_figure

_plt = pyplot


def figure_correlation_map(path: str | Path, activation: str = "erf",
                           depths: Sequence[int] = (5, 20, 80), points: int = 401) -> Path:
    """Figure 1 analogue: ρ_L against ρ_0 (critical initialisation) with the Remark-2 upper curve.

    Black: P_L∘…∘P_1(ρ_0) on [−1, 1] (:func:`ringing.theory.kernels.compose`);
    dashed blue: the piecewise-linear bound of Property 1 / Remark 2 on [0, 1]
    (:func:`ringing.theory.convexity.composition_upper_curve`).
    """
    from ringing.theory.convexity import composition_upper_curve
    from ringing.theory.kernels import compose, critical_layer

    plt = _plt()
    lay = critical_layer(activation)
    rho0 = np.linspace(-1.0, 1.0, points)
    t = np.linspace(0.0, 1.0, points)
    rho = compose([lay] * max(depths), rho0)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(depths)))
    for d, col in zip(depths, colors, strict=True):
        ax.plot(rho0, rho[d], color=col, lw=1.8, label=f"$\\rho_L$, L={d}")
        ax.plot(t, composition_upper_curve([lay] * d, t), "--", color=col, lw=1.2,
                label=f"upper curve, L={d}")
    ax.plot([-1, 1], [-1, 1], ":", color="grey", lw=0.8)
    ax.set_xlabel("$\\rho_0$")
    ax.set_ylabel("$\\rho_L = P_L\\circ\\cdots\\circ P_1(\\rho_0)$")
    ax.set_title(f"{lay.act.name}, critical ($\\sigma_b^2/\\sigma_w^2$={lay.sigma_b**2:.4f})")
    ax.set_ylim(-0.05, 1.02)
    ax.legend(fontsize=7, ncol=2)
    return save_figure(fig, path, dpi=120)


def figure_shrinkage_depth(path: str | Path, slope: float = 0.2, max_depth: int = 200,
                           rho_max_points: int = 33) -> Path:
    """Figure 2a analogue: 1 − ρ against depth L for critical leaky ReLU (σ_b = 0), with eq 4.1.

    Plotted: the exact 1 − ρ̃_L = 1 − P^L(0), 2(1 − ρ̃_max) (the proof's bound on
    1 − ρ_max), 1 − ρ_max (grid over [−1, 0]) and eq 4.1 (derived symbolically
    by :func:`ringing.theory.convexity.eq_4_1`), on log–log axes.
    """
    import sympy as sp

    from ringing.theory.convexity import bound_profile, eq_4_1, one_minus_rho_max_profile
    from ringing.theory.kernels import critical_layer

    plt = _plt()
    act = f"lrelu(slope={slope})"
    layers = [critical_layer(act)] * max_depth
    prof = bound_profile(layers)
    gmax = one_minus_rho_max_profile(layers, points=rho_max_points)
    a, L = sp.Symbol("a", positive=True), sp.Symbol("L", positive=True)
    f41 = sp.lambdify(L, eq_4_1().subs(a, sp.Rational(repr(slope))), "numpy")
    depth = prof.depth
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.loglog(depth, 1.0 - prof.rho_tilde, "k-", lw=1.8, label="$1-\\tilde\\rho_L$ (exact)")
    ax.loglog(depth, gmax, "g-", lw=1.2, label="$1-\\rho_{\\max}$ (grid)")
    ax.loglog(depth, 2.0 * (1.0 - prof.rho_tilde_max), "k--", lw=1.0,
              label="$2(1-\\tilde\\rho_{\\max})$")
    ax.loglog(depth, f41(depth.astype(float)), "b-", lw=1.8, label="eq 4.1 bound")
    ax.loglog(depth, prof.one_minus_rho_max_bound, "c:", lw=1.5,
              label="Theorem 1 with exact $J^2$")
    ax.set_xlabel("depth L")
    ax.set_ylabel("$1-\\rho$")
    ax.set_title(f"critical leaky ReLU, a={slope}")
    ax.legend(fontsize=8)
    return save_figure(fig, path, dpi=120)


def slack_table(activations: Sequence[str] | None = None, depths: Sequence[int] = (1, 10, 50, 200),
                rho_max_points: int = 33) -> str:
    """Markdown table: how loose Theorem 1 is, per registry activation and phase.

    For each activation, the critical phase (where a critical ratio exists) and the
    chaotic phase σ_b = 0 (where the ratio is > 0; otherwise the ordered phase
    σ_b = 0): at each depth L the exact J² = (P_L∘…∘P_1)'(1), the theorem's sum S,
    its bound B = sqrt(8 J²/S) on 1 − ρ_max, the exact 1 − ρ_max (grid over
    [−1, 0], :func:`ringing.theory.convexity.rho_max_profile`), and the slack
    B / (1 − ρ_max).
    """
    from ringing.activations import list_activations
    from ringing.runs.progress import progress
    from ringing.theory.convexity import bound_profile, one_minus_rho_max_profile
    from ringing.theory.kernels import Layer, critical_layer, critical_ratio

    names = list(activations) if activations is not None else list_activations()
    lines = ["| activation | phase | L | J² | S | B = √(8J²/S) | 1 − ρ_max | B / (1 − ρ_max) |",
             "|---|---|---|---|---|---|---|---|"]
    top = max(depths)
    for name in progress(names, total=len(names), desc="slack table"):
        ratio = critical_ratio(name)
        phases = []
        if ratio is not None:
            phases.append(("critical", critical_layer(name)))
        if ratio != 0.0:  # σ_b = 0 is the critical layer itself when the ratio is 0
            phases.append(("chaotic" if ratio is not None and ratio > 0 else "ordered",
                           Layer(name, 1.0, 0.0)))
        for ph, lay in phases:
            prof = bound_profile([lay] * top)
            gmax = one_minus_rho_max_profile([lay] * top, points=rho_max_points)
            for d in depths:
                i = d - 1
                b = float(prof.one_minus_rho_max_bound[i])
                one = float(gmax[i])
                slack = b / one if one > 0 and np.isfinite(b) else float("inf")
                lines.append(f"| {name} | {ph} | {d} | {prof.jacobian_sq[i]:.4g} | "
                             f"{prof.theorem_sum[i]:.4g} | {b:.4g} | {one:.4g} | {slack:.3g} |")
    return "\n".join(lines)


def theorem2_table(activations: Sequence[str], sigmas: Sequence[float], depth: int = 30,
                   points: int = 33) -> str:
    """Markdown table of :func:`ringing.theory.convexity.search_theorem2_counterexample`."""
    from ringing.theory.convexity import search_theorem2_counterexample

    rows = search_theorem2_counterexample(activations, sigmas, depth, points=points)
    lines = ["| activation | σ | min J²/RHS (stated ‖φ‖²) | at L | min J²/RHS (proof ‖φ'‖²) "
             "| min_l e(P̃_l) / stated per-block bound |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['activation']} | {r['sigma']:g} | {r['min_ratio_stated']:.4g} | "
                     f"{r['depth_stated']} | {r['min_ratio_proof']:.4g} | "
                     f"{r.get('min_layer_ratio_stated', float('nan')):.4g} |")
    return "\n".join(lines)
