"""Gaussian covariance maps and correlation maps of wide networks (seed 002 §2).

First part (the foundation): C[φ|ρ] = E[φ(u)φ(v)] for standard normal u, v with
correlation ρ (seed 002 eq 2.3's kernel), and C[φ'|ρ]; with an input variance
σ², φ is applied to N(0, σ²) inputs.  The numerical engine lives in
:mod:`ringing.theory.gaussian`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ringing.activations import Activation
from ringing.theory.gaussian import gaussian_covariance

__all__ = ["covariance"]


def covariance(act: Activation | str | Any, rho: Any, *, sigma: float = 1.0,
               derivative: bool = False) -> np.ndarray:
    """C[φ|ρ] (or C[φ'|ρ] with ``derivative=True``) for an array of ρ in [-1, 1].

    Seed 002 §2.1: C[φ|ρ] = E[φ(σu)φ(σv)], (u, v) standard normal with correlation ρ.
    Closed forms are used where they exist (arc-cosine kernels for relu and
    leaky ReLU, the arcsine kernel for erf, polynomials); otherwise the polar
    Gauss–Legendre quadrature of :func:`ringing.theory.gaussian.gaussian_covariance`.
    """
    return gaussian_covariance(act, rho, sigma=sigma, derivative=derivative)
