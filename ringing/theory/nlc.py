"""The nonlinearity coefficient of an activation, NLC_τ (seed 004 §5 and App. E.4).

NLC_τ(σ) = σ · Q_{s~N(0,σ²)}[τ'(s)] / S_{s~N(0,σ²)}[τ(s)]   (seed 004 §5)

with Q the root mean square and S the standard deviation; in this package's
Gaussian norms (σ the input standard deviation) that is
σ·√(‖τ'‖²_N) / √(Var τ).  The linear approximation error of App. E.4 is
(Q[τ − τ̄] / Q[τ̄])² with τ̄ the best affine fit under N(0, 1), i.e.
‖τ − τ̄‖²_N / (ĥ_0² + ĥ_1²).  Seed 004 predicts the NLC of a depth-D network with
D − 1 copies of τ by NLC_τ(1)^(D−1) (Table 1 row C uses D = 49).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ringing.activations import ACTIVATIONS, Activation
from ringing.theory.gaussian import as_activation, validate_sigma
from ringing.theory.hermite import gaussian_summary

__all__ = ["NLCTau", "nlc_tau", "nlc_tau_summary", "linear_approx_error", "nlc_tau_power",
           "validate_depth", "modified_activation"]


def validate_depth(depth: Any, name: str = "depth") -> int:
    """A positive integer depth, or a one-line ``ValueError``."""
    if isinstance(depth, bool) or not isinstance(depth, int):
        if isinstance(depth, float) and depth.is_integer():
            depth = int(depth)
        else:
            raise ValueError(f"{name}={depth!r} must be a positive integer")
    if depth < 1:
        raise ValueError(f"{name}={depth} must be a positive integer")
    return int(depth)


@dataclass
class NLCTau:
    """NLC_τ(σ), the linear approximation error and the depth prediction (seed 004 §5, E.4)."""

    activation: str
    sigma: float
    nlc_tau: float
    linear_approx_error: float
    depth: int
    nlc_tau_power: float
    method: str
    exact: dict[str, Any]
    log10_nlc_tau_power: float = 0.0


def nlc_tau_summary(act: Activation | str | Any, sigma: float = 1.0, depth: int = 2, *,
                    exact: bool = False) -> NLCTau:
    """NLC_τ(σ), the linear approximation error (at σ = 1, App. E.4) and NLC_τ(σ)^(depth−1).

    ``depth`` counts linear layers as in seed 004 (depth 2 has one activation).
    With ``exact`` the sympy forms are in ``.exact`` where the exact path finished.
    """
    a = as_activation(act)
    s = validate_sigma(sigma)
    d = validate_depth(depth)
    g = gaussian_summary(a, s, exact=exact)
    if g.variance <= 0:
        raise ValueError(f"activation {a.name!r} is constant under N(0, {s:g}^2): NLC undefined")
    nlc = s * math.sqrt(g.derivative_norm_sq) / math.sqrt(g.variance)
    g1 = g if s == 1 else gaussian_summary(a, 1.0, exact=exact)
    lin_sq = g1.linear[0] ** 2 + g1.linear[1] ** 2
    if lin_sq <= 0:
        raise ValueError(f"activation {a.name!r} has no linear part: linear error undefined")
    err = g1.linearization_error_sq / lin_sq
    ex: dict[str, Any] = {}
    if g.exact:
        ex["nlc_tau"] = sp.simplify(sp.nsimplify(s) * sp.sqrt(g.exact["derivative_norm_sq"]) /
                                    sp.sqrt(g.exact["variance"]))
    if g1.exact:
        h0, h1 = g1.exact["linear"]
        ex["linear_approx_error"] = sp.simplify(g1.exact["linearization_error_sq"] /
                                                (h0**2 + h1**2))
    log10_power = (d - 1) * math.log10(nlc)  # the power in log form: finite at any depth
    power = nlc ** (d - 1) if log10_power <= 307 else math.inf
    return NLCTau(a.name, s, nlc, err, d, power, g.method, ex, log10_power)


def nlc_tau(act: Activation | str | Any, sigma: float = 1.0) -> float:
    """NLC_τ(σ) = σ Q[τ'(s)] / S[τ(s)], s ~ N(0, σ²) (seed 004 §5, Table 1 row A at σ = 1).

    Parameters
    ----------
    act
        Activation spec (registry name or expression) or an
        :class:`~ringing.activations.Activation`.
    sigma
        Pre-activation standard deviation ``σ > 0``.

    Returns
    -------
    float
        ``NLC_τ(σ)``; relu: ``sqrt(π / (π − 1))`` at every ``σ``.
    """
    return nlc_tau_summary(act, sigma).nlc_tau


def linear_approx_error(act: Activation | str | Any) -> float:
    """(Q[τ − τ̄]/Q[τ̄])² under N(0, 1) (seed 004 App. E.4, Table 1 row E)."""
    return nlc_tau_summary(act).linear_approx_error


def nlc_tau_power(act: Activation | str | Any, depth: int, sigma: float = 1.0) -> float:
    """NLC_τ(σ)^(depth−1): seed 004's prediction for a depth-``depth`` network (Table 1 row C).

    ``inf`` beyond float64's range; :func:`nlc_tau_summary` also gives its log10.

    Parameters
    ----------
    act
        Activation spec (registry name or expression) or an
        :class:`~ringing.activations.Activation`.
    depth
        Network depth ``D >= 1`` (``D − 1`` copies of the activation).
    sigma
        Pre-activation standard deviation ``σ > 0``.

    Returns
    -------
    float
        ``NLC_τ(σ)^(D−1)``.
    """
    return nlc_tau_summary(act, sigma, depth).nlc_tau_power


def _num(v: float) -> str:
    """Shortest round-trip decimal of a float (the registry parses it exactly)."""
    return repr(float(v))


@functools.lru_cache(maxsize=256)
def modified_activation(base: str, d: float = 1.0, t: float = 0.0, debias: bool = False
                        ) -> tuple[str, float, float]:
    """The spec of ``c·τ(d·s + t) + b`` (seed 004 App. C) and its ``c``, ``b``; ``base`` is a
    registry name (seed 004 uses the eight of Table 1).

    ``b = -c·E τ(d z + t)`` when ``debias`` (else 0) and ``c`` makes ``Q_z`` of the result 1,
    ``z ~ N(0, 1)``: ``c = 1/S τ(d z + t)`` (debiased) or ``1/Q τ(d z + t)``.  The Gaussian
    moments come from :func:`~ringing.theory.hermite.gaussian_summary` (split Gauss–Legendre
    quadrature, float64; the tests check them against the exact engine / mpmath to 1e-10).
    ``c`` and ``b`` are written with their shortest round-trip decimals, which the registry
    parses as exact rationals, so the spec *is* the function the theory sees.
    """
    if not isinstance(base, str) or not base.isidentifier() or base not in ACTIVATIONS:
        raise ValueError(f"unknown base activation {base!r}: a registry name is needed")
    inner = "x" if d == 1 else f"{_num(d)}*x"
    if t:
        inner += f" + {_num(t)}" if t > 0 else f" - {_num(-t)}"
    core = f"{base}({inner})" if inner != "x" else base
    g = gaussian_summary(core)
    if debias:
        c = 1.0 / math.sqrt(g.variance)
        b = -c * g.mean
    else:
        c = 1.0 / math.sqrt(g.norm_sq)
        b = 0.0
    spec = f"{_num(c)}*{core}"
    if b:
        spec += f" + {_num(b)}" if b > 0 else f" - {_num(-b)}"
    return spec, c, b
