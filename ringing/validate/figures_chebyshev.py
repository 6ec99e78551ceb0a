"""Figures for seed 000 §3.3 / F.1 (coefficient decay) and the blueshift prediction (§3.2-3.4).

Each ``figure_*`` function saves a PNG (matplotlib, Agg) and returns its path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ringing.validate.plotting import pyplot, save_figure

_plt = pyplot


def figure_coefficient_decay(path: str | Path, activations: Sequence[str] = ("relu", "tanh",
                                                                              "softplus"),
                             degree: int = 25, interval: float = 5.0,
                             preset: str | None = "ringing-relus-table1") -> Path:
    """|a_j| (monomial) and |t_j| (Chebyshev) over j, log scale (seed 000 Fig. 2 and 19).

    With the default preset the monomials are seed 000 Table 1's recipe (degree 25, [-5, 5]).
    """
    from ringing.theory.chebyshev import chebyshev_approximation

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for name in activations:
        r = chebyshev_approximation(name, degree, interval, preset=preset, error_estimate=False)
        j = np.arange(r.degree + 1)
        for ax, c in zip(axes, (r.monomial, r.chebyshev), strict=True):
            mag = np.abs(c)
            keep = mag > 1e-13 * mag.max()  # zeros by symmetry are round-off
            ax.semilogy(j[keep], mag[keep], "o-", ms=3, label=r.activation)
    axes[0].set_title(f"|a_j| (x^j), degree {degree} on [-{interval:g}, {interval:g}]")
    axes[1].set_title("|t_j| (T_j(x/A))")
    for ax in axes:
        ax.set_xlabel("j")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    return save_figure(fig, path, dpi=110)


def figure_predicted_spectra(path: str | Path, activations: Sequence[str] = ("relu", "tanh",
                                                                              "softplus"),
                             depth: int = 20, *, path_kind: str = "loop", points: int = 100,
                             radius: float = 0.2, weight_scales: dict[str, float] | None = None,
                             layers: Sequence[int] | None = None) -> Path:
    """Predicted normalised power spectra by layer (seed 000 Fig. 3a analogue), one panel per
    activation, from the exact kernel map on a loop (the default of ``predict_walk_spectra``,
    which the walk simulation agrees with); default weight scales are the standard
    initialisations (He for relu, ``sigma_w = 1`` otherwise)."""
    from ringing.theory.harmonics import predict_walk_spectra

    plt = _plt()
    ws = {"relu": float(np.sqrt(2.0))} if weight_scales is None else dict(weight_scales)
    fig, axes = plt.subplots(1, len(activations), figsize=(4.2 * len(activations), 3.8),
                             squeeze=False)
    show = list(layers) if layers is not None else sorted({1, 2, 5, 10, depth})
    cmap = plt.get_cmap("viridis")
    for ax, name in zip(axes[0], activations, strict=True):
        r = predict_walk_spectra(name, depth, path=path_kind, points=points, radius=radius,
                                 weight_scale=ws.get(name, 1.0), continuous=False)
        norm = r.normalised
        for i, layer in enumerate(s for s in show if 1 <= s <= depth):
            row = norm[layer - 1]
            keep = row > 1e-16
            ax.loglog(r.k[keep], row[keep], color=cmap(i / max(1, len(show) - 1)),
                      label=f"layer {layer}")
        ax.set_title(f"{r.activation} ({path_kind}, R={radius:g}, {r.approximation} map)"
                     if r.approximation == "exact" else
                     f"{r.activation} ({path_kind}, R={radius:g}, degree-{r.effective_degree} "
                     f"{r.approximation})")
        ax.set_xlabel("k")
        ax.set_ylim(1e-12, 1.5)
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("normalised E|z_k|^2")
    axes[0][-1].legend(fontsize=8)
    return save_figure(fig, path, dpi=110)
