"""Statistics shared by the simulation and the validation (below both): standard errors over
seeds, Student-t quantiles and the delete-one(-group) jackknife."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["mean_stderr", "t_quantile", "jackknife_ci"]


def mean_stderr(samples: Any, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error ``std(ddof=1)/√K`` along ``axis`` (0 when K = 1)."""
    a = np.asarray(samples, dtype=float)
    k = a.shape[axis]
    mean = a.mean(axis=axis)
    if k < 2:
        return mean, np.zeros_like(mean)
    return mean, a.std(axis=axis, ddof=1) / math.sqrt(k)


def t_quantile(n: int, level: float = 0.95) -> float:
    """Two-sided Student-t quantile for ``n`` samples (``n - 1`` degrees of freedom)."""
    from scipy.stats import t as student

    if n < 2:
        raise ValueError(f"n={n}: a confidence interval needs at least 2 seeds")
    return float(student.ppf(0.5 + level / 2, n - 1))


def jackknife_ci(stat: Callable[[np.ndarray], np.ndarray], units: np.ndarray,
                 confidence: float = 0.95, groups: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delete-one(-group) jackknife for a statistic of the mean over units (axis 0).

    Returns ``(estimate, lo, hi)``: ``stat(mean)`` and ``estimate -/+ t_{G-1} * se_jack``.
    ``stat`` maps ``(..., G-or-1, ...)`` mean spectra (leading axis kept) to statistics.
    ``groups`` (one label per unit) deletes a whole group at a time -- the walks of one network
    share its weights and inputs, so they are not independent of each other; ``None`` treats
    every unit as its own group.  Needs at least 2 groups.
    """
    from scipy import stats

    u = units.shape[0]
    labels = np.arange(u) if groups is None else np.asarray(groups)
    if labels.shape != (u,):
        raise ValueError(f"groups has {labels.shape} labels for {u} units")
    _, inverse = np.unique(labels, return_inverse=True)
    g = int(inverse.max()) + 1 if u else 0
    if g < 2:
        raise ValueError(f"a jackknife interval needs at least 2 independent walks, got {g}")
    total = units.sum(axis=0)
    full = np.asarray(stat(total[None] / u))[0]
    sums = np.zeros((g,) + units.shape[1:])
    np.add.at(sums, inverse, units)  # per-group sums, no loop over groups
    counts = np.bincount(inverse, minlength=g).astype(float)
    counts = counts.reshape((g,) + (1,) * (units.ndim - 1))
    loo = np.asarray(stat((total[None] - sums) / (u - counts)))
    se = np.sqrt((g - 1) / g * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
    tq = float(stats.t.ppf(0.5 + confidence / 2, g - 1))
    return full, full - tq * se, full + tq * se
