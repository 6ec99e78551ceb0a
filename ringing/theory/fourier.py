"""Fourier analysis of 1-D networks and of the frequency-principle targets.

Two papers:

* seed 001 (Rahaman et al., *On the spectral bias of neural networks*) §2,
  Theorem 1 (eq 6), App. C.2–C.3: a ReLU network is continuous piecewise linear
  (CPWL), so its Fourier transform is a rational function of the frequency whose
  numerator is built from the linear regions' slopes.  In one dimension the
  regions are intervals and the face-poset recursion of App. C.2 stops after two
  steps: integrating by parts twice on ``[a, b]`` with knots ``a = t_0 < … < t_m = b``,
  values ``v_j`` and slopes ``s_j`` on ``(t_j, t_{j+1})``,

  ``∫_a^b f(x) e^{-iωx} dx = (i/ω)[f(b)e^{-iωb} − f(a)e^{-iωa}]
  + (1/ω²) Σ_j s_j (e^{-iωt_{j+1}} − e^{-iωt_j})``,

  the ``1/ω`` boundary term (the 0-dimensional faces of the interval) plus the
  ``1/ω²`` term whose numerator is a sum over kinks of slope jumps
  (``Σ_j (s_{j-1} − s_j) e^{-iωt_j}`` in the interior), the 1-D case of eq 6 with
  its ``k^{-Δ-1}`` decay.  :func:`relu_network_pieces` finds the exact knots of
  a network by propagating breakpoints layer by layer (vectorised over units
  and segments), and :func:`piecewise_linear_fourier` evaluates the closed form.
  The Lipschitz bound of eq 7 / App. C.6 is :func:`lipschitz_bounds`.
* seed 003 (Xu, Zhang & Xiao, *Training behavior of deep neural network in
  frequency domain*) §2.1, §3: the quantised targets ``f = α Round(f0/α)``
  (eq 2, :func:`quantized_target`), their discrete spectra through the
  (non-uniform) DFT ``F[f](γ_k) = Σ_j y_j exp(−2πi x_j k)`` of §2.1 with ``x``
  rescaled to ``[0, 1)`` (:func:`nonuniform_dft`), the frequency peaks
  (:func:`spectrum_peaks`) and the relative error
  ``Δ_F(γ) = |F[f](γ) − F[T](γ)| / |F[f](γ)|`` of eq 1 (:func:`relative_error`).

The non-uniform DFT is an exact direct sum, vectorised as one complex matrix
product: O(n·m) for n samples and m frequencies, which is a few milliseconds at
the papers' sizes (n ≤ 6000, m ≤ 300) and has no approximation error beyond
float64 round-off, unlike a type-1 NUFFT (finufft), whose tolerance would have
to be chosen and which is not a dependency of this package.

This module is numpy only (never torch): networks are given as lists of weight
matrices ``W_l`` of shape ``(out, in)`` and bias vectors ``b_l``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ringing.spectral import (
    check_nyquist,
    nonuniform_dft,
    nyquist_limit,
    quantized_target,
    relative_error,
    round_half_away,
    sine_mixture,
    spectrum_peaks,
    validate_alpha,
    validate_interval,
)

__all__ = [
    "PiecewiseLinear",
    "LipschitzBounds",
    "validate_interval",
    "validate_alpha",
    "relu_network_forward",
    "relu_network_pieces",
    "piecewise_linear_fourier",
    "relu_network_fourier",
    "lipschitz_bounds",
    "measured_lipschitz",
    "round_half_away",
    "quantized_target",
    "nyquist_limit",
    "check_nyquist",
    "nonuniform_dft",
    "sine_mixture",
    "spectrum_peaks",
    "relative_error",
]

Weights = Sequence[tuple[np.ndarray, np.ndarray]]


# ----------------------------------------------------------------------------
# validation helpers


def _check_weights(weights: Weights) -> list[tuple[np.ndarray, np.ndarray]]:
    if len(weights) == 0:
        raise ValueError("a network needs at least one layer, got 0")
    out: list[tuple[np.ndarray, np.ndarray]] = []
    fan_in = 1
    for i, (w, b) in enumerate(weights):
        w = np.asarray(w, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64).reshape(-1)
        if w.ndim != 2 or w.shape[1] != fan_in or b.shape[0] != w.shape[0]:
            raise ValueError(f"layer {i}: weight shape {w.shape} / bias shape {b.shape} do not "
                             f"chain (expected (out, {fan_in}) and (out,))")
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError(f"layer {i}: weights are not finite")
        fan_in = w.shape[0]
        out.append((w, b))
    if fan_in != 1:
        raise ValueError(f"the last layer must have one output, got {fan_in}")
    return out


# ----------------------------------------------------------------------------
# seed 001: ReLU networks are CPWL


@dataclass(frozen=True)
class PiecewiseLinear:
    """A continuous piecewise-linear function on ``[knots[0], knots[-1]]``.

    Attributes
    ----------
    knots : np.ndarray
        Sorted breakpoints ``t_0 < … < t_m`` including the interval's ends.
    values : np.ndarray
        ``f(t_j)``.
    """

    knots: np.ndarray
    values: np.ndarray

    @property
    def slopes(self) -> np.ndarray:
        """Slope on each of the ``m`` pieces."""
        return np.diff(self.values) / np.diff(self.knots)

    @property
    def n_pieces(self) -> int:
        """Number of linear pieces (after merging none: adjacent equal slopes count twice)."""
        return int(self.knots.size - 1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Evaluate by linear interpolation between knots (exact for a CPWL function)."""
        return np.interp(np.asarray(x, dtype=np.float64), self.knots, self.values)


def relu_network_forward(weights: Weights, x: np.ndarray) -> np.ndarray:
    """Evaluate the 1-D ReLU network ``W_L σ(… σ(W_1 x + b_1) …) + b_L`` at ``x`` (numpy).

    seed 001 eq 1: ReLU after every layer but the last.
    """
    layers = _check_weights(weights)
    h = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    for i, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h[:, 0]


def relu_network_pieces(weights: Weights, interval: Sequence[float]) -> PiecewiseLinear:
    """Exact knots and values of a 1-D ReLU network on ``interval`` (seed 001 §2, App. B).

    Layer by layer: the pre-activations of layer ``l`` are affine between the
    current knots, so each unit's zero crossings inside a segment are found from
    its values at the segment's ends (one vectorised pass over units × segments)
    and added as new knots.  After the last hidden layer the network is affine
    between consecutive knots, so its values at the knots determine it exactly.

    Parameters
    ----------
    weights
        ``[(W_1, b_1), …, (W_L, b_L)]`` with ``W_l`` of shape ``(n_l, n_{l-1})``,
        ``n_0 = n_L = 1``.
    interval
        ``(a, b)``.
    """
    layers = _check_weights(weights)
    a, b = validate_interval(interval)
    knots = np.array([a, b])
    h = knots.reshape(-1, 1)
    for li, (w, bias) in enumerate(layers[:-1]):
        z = h @ w.T + bias  # (k, units): affine between knots
        z0, z1 = z[:-1], z[1:]
        cross = (z0 * z1) < 0  # strict sign change inside the segment
        seg, _unit = np.nonzero(cross)
        if seg.size:
            frac = z0[cross] / (z0[cross] - z1[cross])
            t_new = knots[seg] + frac * (knots[seg + 1] - knots[seg])
            knots = np.unique(np.concatenate([knots, t_new]))
        # recompute the activations at all knots by the exact forward pass up to here
        h = _forward_hidden(layers, knots, upto=li + 1)
    values = relu_network_forward(layers, knots)
    return PiecewiseLinear(knots=knots, values=values)


def _forward_hidden(layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray,
                    upto: int) -> np.ndarray:
    h = x.reshape(-1, 1)
    for w, b in layers[:upto]:
        h = np.maximum(h @ w.T + b, 0.0)
    return h


def piecewise_linear_fourier(pwl: PiecewiseLinear, frequencies: np.ndarray | Sequence[float],
                             ) -> np.ndarray:
    """Fourier coefficients of a CPWL function on its interval, in closed form.

    ``c_k = (1/L) ∫_a^b f(x) exp(−2πi k (x − a)/L) dx`` with ``L = b − a``; for an
    integer ``k`` this is the ``k``-th Fourier-series coefficient, and
    ``DFT_k / n → c_k`` as the grid is refined.  Formula: the module docstring
    (seed 001 Theorem 1 / eq 6 in one dimension); ``k = 0`` is the mean
    (trapezoid on each piece, exact).  Vectorised over knots × frequencies.
    """
    k = np.asarray(frequencies, dtype=np.float64)
    if not np.all(np.isfinite(k)):
        raise ValueError("frequencies must be finite")
    t, v = pwl.knots, pwl.values
    a, b = float(t[0]), float(t[-1])
    length = b - a
    s = pwl.slopes
    shape = k.shape
    kf = k.reshape(-1)
    omega = 2.0 * np.pi * kf / length
    out = np.empty(kf.shape, dtype=np.complex128)
    zero = omega == 0.0
    out[zero] = np.sum(np.diff(t) * (v[:-1] + v[1:]) / 2.0) / length
    om = omega[~zero]
    if om.size:
        ph = np.exp(-1j * np.outer(om, t - a))  # (m, knots)
        boundary = (1j / om) * (v[-1] * ph[:, -1] - v[0] * ph[:, 0])
        kinks = (np.diff(ph, axis=1) @ s) / om**2
        out[~zero] = (boundary + kinks) / length
    return out.reshape(shape)


def relu_network_fourier(weights: Weights, frequencies: np.ndarray | Sequence[float],
                         interval: Sequence[float]) -> np.ndarray:
    """Exact Fourier coefficients (:func:`piecewise_linear_fourier`) of a 1-D ReLU network."""
    return piecewise_linear_fourier(relu_network_pieces(weights, interval), frequencies)


@dataclass(frozen=True)
class LipschitzBounds:
    """The chain of seed 001 eq 7 / App. C.6 for a ReLU network.

    Attributes
    ----------
    spectral : float
        ``Π_l ‖W_l‖_2`` (the first inequality).
    max_norm : float
        ``Π_l √(n_{l-1} n_l) max|W_l|`` (the second: ``‖W‖_2 ≤ √(n_in n_out) ‖W‖_max``).
    theta_inf : float
        ``‖θ‖_∞^L √d Π_{l=1}^{L-1} n_l`` with ``θ`` all weights and biases (eq 7's
        right-hand side; the interior widths appear in pairs and lose their root).
    """

    spectral: float
    max_norm: float
    theta_inf: float


def lipschitz_bounds(weights: Weights) -> LipschitzBounds:
    """Upper bounds on the Lipschitz constant of a ReLU network (seed 001 eq 7, App. C.6)."""
    layers = _check_weights(weights)
    spectral = float(np.prod([np.linalg.norm(w, 2) for w, _ in layers]))
    max_norm = float(np.prod([np.sqrt(w.shape[0] * w.shape[1]) * np.abs(w).max()
                              for w, _ in layers]))
    theta = max(max(np.abs(w).max(), np.abs(b).max()) for w, b in layers)
    widths = [w.shape[0] for w, _ in layers[:-1]]
    d = layers[0][0].shape[1]
    theta_inf = float(theta ** len(layers) * np.sqrt(d) * np.prod(widths))
    return LipschitzBounds(spectral=spectral, max_norm=max_norm, theta_inf=theta_inf)


def measured_lipschitz(pwl: PiecewiseLinear) -> float:
    """Largest |slope| over the pieces: the exact Lipschitz constant on the interval."""
    return float(np.abs(pwl.slopes).max())


# ----------------------------------------------------------------------------
# seed 003: targets, spectra, Δ_F


