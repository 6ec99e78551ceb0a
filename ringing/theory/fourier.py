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
from typing import Any

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
    "lipschitz_bounds_batched",
    "measured_lipschitz",
    "relu_network_pieces_batched",
    "cpwl_slopes",
    "cpwl_fourier",
    "flower_curve",
    "flower_speed",
    "flower_max_speed",
    "manifold_frequency_reach",
    "manifold_input_frequency",
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

    The one-network case of :func:`relu_network_pieces_batched` (duplicate
    knots removed).

    Parameters
    ----------
    weights
        ``[(W_1, b_1), …, (W_L, b_L)]`` with ``W_l`` of shape ``(n_l, n_{l-1})``,
        ``n_0 = n_L = 1``.
    interval
        ``(a, b)``.
    """
    layers = _check_weights(weights)
    knots, _ = relu_network_pieces_batched([(w[None], b[None]) for w, b in layers], interval)
    knots = np.unique(knots[0])
    return PiecewiseLinear(knots=knots, values=relu_network_forward(layers, knots))


def _check_batched(weights: Sequence[tuple[np.ndarray, np.ndarray]],
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    if len(weights) == 0:
        raise ValueError("a network needs at least one layer, got 0")
    out: list[tuple[np.ndarray, np.ndarray]] = []
    fan_in = 1
    batch: int | None = None
    for i, (w, b) in enumerate(weights):
        w = np.asarray(w, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if (w.ndim != 3 or b.ndim != 2 or w.shape[2] != fan_in or b.shape[1] != w.shape[1]
                or b.shape[0] != w.shape[0] or (batch is not None and w.shape[0] != batch)):
            raise ValueError(f"layer {i}: batched weight shape {w.shape} / bias shape {b.shape} "
                             f"do not chain (expected (B, out, {fan_in}) and (B, out))")
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise ValueError(f"layer {i}: weights are not finite")
        batch = w.shape[0]
        fan_in = w.shape[1]
        out.append((w, b))
    if fan_in != 1:
        raise ValueError(f"the last layer must have one output, got {fan_in}")
    return out


def _batched_forward(layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray,
                     upto: int | None = None) -> np.ndarray:
    """``(B, K)`` points through the first ``upto`` layers of ``B`` networks → ``(B, K, units)``.

    ReLU after every layer but the network's last (seed 001 eq 1).
    """
    h = x[..., None]
    n = len(layers)
    stop = n if upto is None else upto
    for i, (w, b) in enumerate(layers[:stop]):
        h = np.einsum("bki,boi->bko", h, w) + b[:, None, :]
        if i < n - 1:
            h = np.maximum(h, 0.0)
    return h


def _add_crossings(knots: np.ndarray, z: np.ndarray, pad: float) -> np.ndarray:
    """Insert, per row, the strict zero crossings of ``z`` (affine between knots) as knots.

    ``knots`` ``(B, K)``, ``z`` ``(B, K, units)``; rows are padded with ``pad``.
    """
    z0, z1 = z[:, :-1], z[:, 1:]
    cross = (z0 * z1) < 0  # strict sign change inside the segment
    bi, seg, _unit = np.nonzero(cross)
    if bi.size == 0:
        return knots
    frac = z0[cross] / (z0[cross] - z1[cross])
    t_new = knots[bi, seg] + frac * (knots[bi, seg + 1] - knots[bi, seg])
    counts = np.bincount(bi, minlength=knots.shape[0])
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    col = np.arange(bi.size) - start[bi]  # np.nonzero is row-major: bi is sorted
    extra = np.full((knots.shape[0], int(counts.max())), pad)
    extra[bi, col] = t_new
    return np.sort(np.concatenate([knots, extra], axis=1), axis=1)


def relu_network_pieces_batched(weights: Sequence[tuple[np.ndarray, np.ndarray]],
                                interval: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Exact knots and values of ``B`` 1-D ReLU networks at once (seed 001 §2, App. B).

    Layer by layer: the pre-activations of layer ``l`` are affine between the
    current knots, so each unit's zero crossings inside a segment are found from
    its values at the segment's ends (one vectorised pass over networks × units
    × segments) and added as new knots.  After the last hidden layer each
    network is affine between consecutive knots, so its values at the knots
    determine it exactly.  Networks have different numbers of knots: rows are
    padded by repeating the right end ``b``, i.e. with zero-length pieces, which
    :func:`cpwl_fourier` and :func:`cpwl_slopes` give slope 0.

    Parameters
    ----------
    weights
        ``[(W_1, b_1), …]`` with ``W_l`` of shape ``(B, n_l, n_{l-1})`` and ``b_l``
        of shape ``(B, n_l)``, ``n_0 = n_L = 1``.
    interval
        ``(a, b)``.

    Returns
    -------
    knots, values : np.ndarray
        ``(B, K)`` each, knots sorted along each row.
    """
    layers = _check_batched(weights)
    a, b = validate_interval(interval)
    n_b = layers[0][0].shape[0]
    knots = np.tile(np.array([a, b]), (n_b, 1))
    for li in range(len(layers) - 1):
        h = _batched_forward(layers, knots, upto=li)  # (B, K, n_li) hidden state
        w, bias = layers[li]
        z = np.einsum("bki,boi->bko", h, w) + bias[:, None, :]  # affine between knots
        knots = _add_crossings(knots, z, b)
    values = _batched_forward(layers, knots)[..., 0]
    return knots, values


def cpwl_slopes(knots: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Slopes of CPWL functions given by rows of knots/values ``(..., K)``; 0 on empty pieces."""
    dt = np.diff(knots, axis=-1)
    dv = np.diff(values, axis=-1)
    return np.divide(dv, dt, out=np.zeros_like(dv), where=dt > 0)


def cpwl_fourier(knots: np.ndarray, values: np.ndarray,
                 frequencies: np.ndarray | Sequence[float]) -> np.ndarray:
    """Fourier coefficients of CPWL functions, rows ``(..., K)`` → ``(..., m)``, closed form.

    ``c_k = (1/L) ∫_a^b f(x) exp(−2πi k (x − a)/L) dx`` with ``a, b`` the first and
    last knot of each row, ``L = b − a``; formula in the module docstring (seed
    001 Theorem 1 / eq 6 in one dimension); ``k = 0`` is the mean (trapezoid,
    exact).  Zero-length pieces (padding) contribute nothing.
    """
    k = np.asarray(frequencies, dtype=np.float64)
    if not np.all(np.isfinite(k)):
        raise ValueError("frequencies must be finite")
    t = np.asarray(knots, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    a = t[..., :1]
    length = t[..., -1] - t[..., 0]  # (...,)
    s = cpwl_slopes(t, v)
    kf = k.reshape(-1)
    omega = 2.0 * np.pi * kf / length[..., None]  # (..., m)
    zero = kf == 0.0
    safe = np.where(zero, 1.0, omega)
    ph = np.exp(-1j * (t - a)[..., None, :] * omega[..., :, None])  # (..., m, K)
    boundary = (1j / safe) * (v[..., -1:] * ph[..., -1] - v[..., :1] * ph[..., 0])
    kinks = np.einsum("...mk,...k->...m", np.diff(ph, axis=-1), s) / safe**2
    mean = np.sum(np.diff(t, axis=-1) * (v[..., :-1] + v[..., 1:]) / 2.0, axis=-1)
    out = np.where(zero, mean[..., None], boundary + kinks) / length[..., None]
    return out.reshape(t.shape[:-1] + k.shape)


def piecewise_linear_fourier(pwl: PiecewiseLinear, frequencies: np.ndarray | Sequence[float],
                             ) -> np.ndarray:
    """Fourier coefficients of a CPWL function on its interval, in closed form (seed 001 §2).

    ``c_k = (1/L) ∫_a^b f(x) exp(−2πi k (x − a)/L) dx`` with ``L = b − a``; for an
    integer ``k`` this is the ``k``-th Fourier-series coefficient, and
    ``DFT_k / n → c_k`` as the grid is refined.  The one-function case of
    :func:`cpwl_fourier`.
    """
    return cpwl_fourier(pwl.knots, pwl.values, frequencies)


def relu_network_fourier(weights: Weights, frequencies: np.ndarray | Sequence[float],
                         interval: Sequence[float]) -> np.ndarray:
    """Exact Fourier coefficients (:func:`piecewise_linear_fourier`) of a 1-D ReLU network
    (seed 001 §2).

    Parameters
    ----------
    weights
        ``[(W_1, b_1), ..., (W_L, b_L)]``: a network from 1 input to 1 output, ReLU between the
        layers (``W_1`` of shape ``(n_1, 1)``, ``W_L`` of shape ``(1, n_{L-1})``).
    frequencies
        Frequencies ``k`` (cycles per unit length).
    interval
        ``(a, b)``: the function is taken on ``[a, b]``.

    Returns
    -------
    numpy.ndarray
        Complex Fourier coefficients at ``frequencies``.
    """
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


def lipschitz_bounds_batched(weights: Sequence[tuple[np.ndarray, np.ndarray]],
                             ) -> dict[str, np.ndarray]:
    """seed 001 eq 7 / App. C.6 for ``B`` ReLU networks at once (``W_l`` ``(B, out, in)``).

    Returns ``{"spectral", "max_norm", "theta_inf"}`` (each ``(B,)``, see
    :class:`LipschitzBounds`) and ``"layer_spectral"`` ``(B, L)``, the per-layer
    spectral norms ``‖W_l‖_2`` (seed 001 Fig 1).  Input dimension ``d`` may be > 1.
    """
    layers = [(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
              for w, b in weights]
    if not layers:
        raise ValueError("a network needs at least one layer, got 0")
    layer_spec = np.stack([np.linalg.norm(w, 2, axis=(-2, -1)) for w, _ in layers], axis=-1)
    max_norm = np.prod(np.stack([np.sqrt(w.shape[-2] * w.shape[-1]) * np.abs(w).max(axis=(-2, -1))
                                 for w, _ in layers], axis=-1), axis=-1)
    theta = np.max(np.stack([np.maximum(np.abs(w).max(axis=(-2, -1)), np.abs(b).max(axis=-1))
                             for w, b in layers], axis=-1), axis=-1)
    widths = [w.shape[-2] for w, _ in layers[:-1]]
    d = layers[0][0].shape[-1]
    theta_inf = theta ** len(layers) * np.sqrt(d) * float(np.prod(widths))
    return {"spectral": np.prod(layer_spec, axis=-1), "max_norm": max_norm,
            "theta_inf": theta_inf, "layer_spectral": layer_spec}


def lipschitz_bounds(weights: Weights) -> LipschitzBounds:
    """Upper bounds on the Lipschitz constant of a ReLU network (seed 001 eq 7, App. C.6)."""
    layers = _check_weights(weights)
    r = lipschitz_bounds_batched([(w[None], b[None]) for w, b in layers])
    return LipschitzBounds(spectral=float(r["spectral"][0]), max_norm=float(r["max_norm"][0]),
                           theta_inf=float(r["theta_inf"][0]))


def measured_lipschitz(pwl: PiecewiseLinear) -> float:
    """Largest |slope| over the pieces: the exact Lipschitz constant on the interval."""
    return float(np.abs(pwl.slopes).max())


# ----------------------------------------------------------------------------
# seed 001 §4, App. C.7: the flower manifolds and the frequency transfer


def flower_curve(z: np.ndarray | Sequence[float], petals: int) -> np.ndarray:
    """``γ_L(z) = (1 + ½ sin(2πLz)) (cos 2πz, sin 2πz)`` (seed 001 §4, Exp. 5–6): ``(..., 2)``.

    A closed curve in the plane with ``L`` petals (``L = 0``: the unit circle).
    """
    lv = _petals(petals)
    zz = np.asarray(z, dtype=np.float64)
    r = 1.0 + 0.5 * np.sin(2 * np.pi * lv * zz)
    return np.stack([r * np.cos(2 * np.pi * zz), r * np.sin(2 * np.pi * zz)], axis=-1)


def _petals(petals: Any) -> int:
    if isinstance(petals, bool) or not isinstance(petals, (int, np.integer)) or petals < 0:
        raise ValueError(f"petals must be an integer ≥ 0, got {petals!r}")
    return int(petals)


def flower_speed(z: np.ndarray | Sequence[float], petals: int) -> np.ndarray:
    """``‖γ_L'(z)‖`` (input-space distance per unit of ``z``), exact.

    ``γ_L' = R'(cos, sin) + 2πR(−sin, cos)`` with ``R = 1 + ½ sin(2πLz)``, so
    ``‖γ_L'‖ = 2π √(R² + (L/2)² cos²(2πLz))``.
    """
    lv = _petals(petals)
    zz = np.asarray(z, dtype=np.float64)
    r = 1.0 + 0.5 * np.sin(2 * np.pi * lv * zz)
    return 2 * np.pi * np.sqrt(r**2 + (0.5 * lv * np.cos(2 * np.pi * lv * zz)) ** 2)


def flower_max_speed(petals: int) -> float:
    """``max_z ‖γ_L'(z)‖`` in closed form.

    With ``s = sin(2πLz)``, ``‖γ_L'‖²/(2π)² = (1 + s/2)² + (L²/4)(1 − s²)``, a
    concave quadratic in ``s`` for ``L² > 1`` with its vertex at ``s = 2/(L² − 1)``;
    inside ``[−1, 1]`` when ``L² ≥ 3``, giving ``1 + L²/4 + 1/(L² − 1)``.  For
    ``L = 1`` the maximum is at ``s = 1``: ``9/4``; ``L = 0`` is the unit circle: 1.
    """
    lv = _petals(petals)
    if lv == 0:
        return float(2 * np.pi)
    if lv * lv >= 3:
        return float(2 * np.pi * np.sqrt(1 + lv * lv / 4 + 1 / (lv * lv - 1)))
    return float(2 * np.pi * 1.5)


def manifold_frequency_reach(input_frequency: float | np.ndarray, petals: int,
                             ) -> np.ndarray | float:
    """Highest manifold frequency a plane wave of input frequency ``‖k‖`` carries on ``γ_L``.

    seed 001 App. C.7 (stationary phase): ``∫ exp(2πi(k·γ(z) − l z)) dz`` has a
    stationary point only where ``k·γ'(z) = l``, so the plane wave's spectrum along
    the curve lies (up to an exponentially small tail) in
    ``|l| ≤ ‖k‖ max_z ‖γ_L'(z)‖``.  Frequencies in cycles per unit of ``x`` and of ``z``.
    """
    return np.asarray(input_frequency, dtype=np.float64) * flower_max_speed(petals)


def manifold_input_frequency(manifold_frequency: float | np.ndarray, petals: int,
                             ) -> np.ndarray | float:
    """The smallest input frequency ``‖k‖`` whose plane wave reaches manifold frequency ``l``.

    The inverse of :func:`manifold_frequency_reach`: ``l / max_z ‖γ_L'(z)‖``.  It
    falls like ``2l/(2πL)`` as the number of petals grows: the same target on the
    curve needs lower input-space frequencies (seed 001 §4).
    """
    return np.asarray(manifold_frequency, dtype=np.float64) / flower_max_speed(petals)


# ----------------------------------------------------------------------------
# seed 003: targets, spectra, Δ_F


