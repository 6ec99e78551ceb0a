"""Statistics shared by the simulation and the validation (below both): standard errors over
seeds, Student-t quantiles, the delete-one(-group) jackknife and the a + c·N^(−p) width law."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["mean_stderr", "t_quantile", "jackknife_ci", "WidthFit", "fit_width_law"]


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


@dataclass
class WidthFit:
    """``m(N) = a + c·N^(−p)`` fitted by weighted least squares to per-width means.

    ``cov`` is the 2×2 covariance of (a, c) from the per-width standard errors, ``chi2`` the
    weighted residual sum with ``dof`` = widths − 2 (a law that does not fit shows as
    chi2 ≫ dof).  :func:`ringing.validate.compare.width_bias` is the two-width case;
    :func:`ringing.simulate.gram_chain.batchnorm_nlc_wide_limit` fits the Gram chain.
    """

    exponent: float
    a: float
    c: float
    cov: np.ndarray
    chi2: float
    dof: int

    def predict(self, width: float) -> tuple[float, float]:
        """``(m(N), its standard error from the fit)``."""
        x = np.array([1.0, float(width) ** -self.exponent])
        return float(x @ np.array([self.a, self.c])), float(math.sqrt(x @ self.cov @ x))


def fit_width_law(samples: Mapping[int, Sequence[float] | np.ndarray], exponent: float = 1.0
                  ) -> WidthFit:
    """Fit ``a + c·N^(−exponent)`` to ``{width: per-seed values}`` (≥ 3 widths, ≥ 2 seeds each),
    weighting each width's mean by 1/stderr²."""
    if len(samples) < 3:
        raise ValueError(f"a width law needs >= 3 widths, got {len(samples)}")
    widths = np.array(sorted(samples), dtype=float)
    vals = [np.asarray(samples[int(n)], dtype=float) for n in widths]
    if any(v.size < 2 for v in vals):
        raise ValueError("every width needs >= 2 seeds for its standard error")
    y = np.array([v.mean() for v in vals])
    w = np.array([v.size / v.var(ddof=1) for v in vals])
    x = np.stack([np.ones_like(y), widths ** -exponent], axis=1)
    cov = np.linalg.inv(x.T @ (x * w[:, None]))
    beta = cov @ (x.T @ (w * y))
    chi2 = float(((y - x @ beta) ** 2 * w).sum())
    return WidthFit(exponent, float(beta[0]), float(beta[1]), cov, chi2, len(y) - 2)
