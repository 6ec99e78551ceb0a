"""Figures of the training-time spectra (seed 001 Fig 1; seed 003 Fig 3c, 4c, 6).

Each ``figure_*`` function saves a PNG (matplotlib, Agg) and returns its path.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ringing.validate.plotting import pyplot, save_figure

__all__ = ["figure_spectral_bias", "figure_fprinciple", "figure_early_stopping"]


_plt = pyplot


def _save(fig: Any, path: str | os.PathLike[str]) -> str:
    return str(save_figure(fig, os.fspath(path), tight=False, bbox_tight=True))


def _heat(ax: Any, values: np.ndarray, steps: np.ndarray, labels: np.ndarray, *, vmax: float,
          cmap: str, title: str, cbar: str, learned: list[float | None] | None = None) -> None:
    im = ax.imshow(values, aspect="auto", origin="lower", cmap=cmap, vmin=0.0, vmax=vmax,
                   interpolation="nearest",
                   extent=(-0.5, len(labels) - 0.5, float(steps[0]), float(steps[-1])))
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels([f"{v:g}" for v in labels])
    ax.set_xlabel("frequency")
    ax.set_ylabel("training step")
    ax.set_title(title)
    if learned is not None:
        pts = [(i, v) for i, v in enumerate(learned) if v is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "k.-", lw=1,
                    label="learned (median)")
            ax.legend(loc="upper left", fontsize=7)
    ax.figure.colorbar(im, ax=ax, label=cbar)


def figure_spectral_bias(res: Any, path: str | os.PathLike[str]) -> str:
    """Seed 001 Fig 1-style: |f̂(k_i)|/A_i over steps (left) and Δ_F (right), seed-averaged.

    ``res`` is a :class:`ringing.simulate.training.SpectralBiasResult`.
    """
    plt = _plt()
    payload = res.payload()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    mag = np.clip(res.magnitude.mean(axis=1), 0.0, 1.0)  # (R, K)
    _heat(axes[0], mag, res.steps, res.frequencies, vmax=1.0, cmap="viridis",
          title=f"|f̂(k)| / A_k (mean of {len(res.seeds)} seeds)", cbar="normalised amplitude")
    _heat(axes[1], np.clip(res.delta.mean(axis=1), 0.0, 1.0), res.steps, res.frequencies,
          vmax=1.0, cmap="magma_r", title="Δ_F (F-Principle eq 1)", cbar="relative error",
          learned=payload["learned_step"])
    rc = payload["rank_correlation"]
    fig.suptitle("spectral bias (Rahaman et al., Exp. 1): rank correlation of frequency and "
                 "learned "
                 f"step = {'n/a' if rc is None else f'{rc:.2f}'}")
    return _save(fig, path)


def figure_fprinciple(res: Any, path: str | os.PathLike[str]) -> str:
    """Seed 003 Fig 3a/3c (or 4b/4c): target spectrum with peaks, Δ_F at the peaks over steps.

    ``res`` is a :class:`ringing.simulate.training.FPrincipleResult`.  With a
    test set (the noisy target) a third panel shows the losses (Fig 6b).
    """
    plt = _plt()
    payload = res.payload()
    ncols = 3 if res.test_loss is not None else 2
    fig, axes = plt.subplots(1, ncols, figsize=(5.2 * ncols, 4.2))
    spec = np.abs(res.target_spectrum[0])
    axes[0].semilogy(res.spectrum_index, np.maximum(spec, 1e-4), "r-", lw=1)
    pk = np.searchsorted(res.spectrum_index, res.peaks)
    axes[0].semilogy(res.peaks, np.maximum(spec[pk], 1e-4), "ko")
    axes[0].set_xlabel("frequency index")
    axes[0].set_ylabel("|F[f]|")
    axes[0].set_title(f"target spectrum ({res.target}, {res.sampling})")
    # paper's colour code: Δ_F > 0.2 blue, < 0.05 red (Fig 3b)
    _heat(axes[1], np.clip(res.delta.mean(axis=1), 0.0, 1.0), res.steps, res.peaks, vmax=1.0,
          cmap="coolwarm_r", title="Δ_F at the peaks (seed mean)", cbar="Δ_F",
          learned=payload["learned_step"])
    if res.test_loss is not None:
        _losses(axes[2], res)
    return _save(fig, path)


def _losses(ax: Any, res: Any) -> None:
    es = early_stop = res.payload()["early_stopping"]
    ax.semilogy(np.arange(res.train_loss.shape[0]), res.train_loss.mean(axis=1), "g-",
                label="training loss")
    ax.semilogy(res.steps, res.test_loss.mean(axis=1), "r.", ms=3, label="test loss")
    ax.axvline(float(np.median(es["test_min_step"])), color="g", ls="--",
               label="test-loss minimum")
    ax.axvline(float(np.median(early_stop["train_leveloff_step"])), color="k", ls=":",
               label="training loss levels off")
    ax.set_xlabel("training step")
    ax.set_title("F-Principle Fig 6b")
    ax.legend(fontsize=7)


def figure_early_stopping(res: Any, path: str | os.PathLike[str]) -> str:
    """Seed 003 Fig 6b alone: training and test loss, with the test minimum marked."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    _losses(ax, res)
    return _save(fig, path)
