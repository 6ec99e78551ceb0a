"""The Gram chain of a batchnorm MLP: a width-M network's minibatch statistics without its weights.

Seed 004 §G measures the NLC of a batchnorm network in its *batch form*: the Jacobian of the
jointly propagated minibatch X (b inputs) and the output's spread on that minibatch.  For
Gaussian weights W ~ N(0, σ_w²/fan_in) and biases N(0, σ_b²), given layer l − 1's units, the
pre-activations of layer l's units over the minibatch, together with their forward-mode
tangents (the directional derivatives along input perturbations V), are *independent and
identically distributed* Gaussian vectors in R^((k+1)b) with covariance

    K_l = σ_w²/fan_in · Σ_units [a; ȧ_1; …; ȧ_k][a; ȧ_1; …; ȧ_k]ᵀ + σ_b² (forward block),

the sum running over the previous layer's units.  So a width-M network's minibatch Gram
matrices form a Markov chain: draw M Gaussian vectors with covariance K_l, normalise each
unit over the batch (batchnorm), apply φ and its derivative (one sympy expression,
:mod:`ringing.activations`), accumulate K_(l+1).  That chain has *the same distribution* as
the network's; it costs O(M·((k+1)b)²) per layer instead of O(b·M²), so widths of 10⁴–10⁵ —
where a network's O(1/N) finite-width excess is below the seeds' noise — take seconds to
minutes, and the fixed-minibatch wide limit (N → ∞ at fixed b and d) is reached by
extrapolation in 1/M (:func:`batchnorm_nlc_wide_limit`).

Why this is needed (docs/design.md, issue 19 must-show 2): in the batch form each unit is
normalised by its *own* minibatch spread ‖P z_j‖/√b, and when the minibatch Gram has a finite
effective rank (b and the data dimension d are finite) that spread fluctuates from unit to
unit even at infinite width; the NLC, a ratio of tangent energy to spread averaged over
units, picks up a Jensen-type excess at every layer.  NLC_τ^(L−1) (seed 004 §5) assumes a
deterministic scale.  ``scale="common"`` replaces the per-unit spreads by the chain's
deterministic mean spread tr(P K P)/b (every unit still centred on the minibatch): with it the
designed leaky ReLU's chain is within about 1 % of NLC_τ^49 = 2 at b = 250 and tends to
1.996 ± 0.005 as b → ∞; with the per-unit spreads of seed 004's setting (b = 250, d = 100)
its wide limit is 2.335 ± 0.007 (docs/design.md, must-show 2).

References: Philipp & Carbonell, "The Nonlinearity Coefficient — A Practical Guide to Neural
Architecture Design" (seed 004), §G (batch form), §5 (NLC_τ^(L−1)); Yang et al. 2019, "A Mean
Field Theory of Batch Normalization" (the minibatch Gram recursion at infinite width).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ringing.runs.progress import progress
from ringing.simulate.common import resolve_device
from ringing.simulate.networks import BN_EPS, NetworkConfig
from ringing.stats import WidthFit, fit_width_law, mean_stderr

__all__ = ["GramChainResult", "WideLimit", "BatchNLCDesign", "batchnorm_nlc_chain",
           "batchnorm_nlc_wide_limit", "solve_batch_nlc", "random_minibatches", "DERIVATIVES",
           "SCALES"]

#: ``joint``: seed 004 §G, the derivative through the minibatch mean and variance;
#: ``fixed``: statistics held fixed (a diagnostic).
DERIVATIVES = ("joint", "fixed")
#: ``minibatch``: each unit divided by its own minibatch spread (batchnorm);
#: ``common``: one deterministic spread tr(P K P)/b for every unit (the mean-field idealisation
#: behind NLC_τ^(L−1); a diagnostic, its derivative is zero).
SCALES = ("minibatch", "common")


@dataclass(frozen=True)
class GramChainResult:
    """Batch-form NLC of ``replicates`` independent width-``width`` chains on one minibatch.

    ``nlc`` (replicates,) the output's NLC, seed 004 §G per minibatch:
    √(E_V‖J(X)V‖²/b · q_in² / (d_out · spread)), the expectation over output units taken
    exactly from the last Gram (no d_out sampling noise); ``profile`` (replicates, depth − 1)
    the same ratio at every normalised hidden layer (spread 1 by batchnorm);
    ``effective_rank`` (replicates, depth) the participation ratio (tr S)²/tr S² of each
    layer's centred minibatch Gram S = P K P of the pre-activations.
    """

    width: int
    batch_size: int
    d_in: int
    depth: int
    derivative: str
    scale: str
    nlc: np.ndarray
    profile: np.ndarray
    effective_rank: np.ndarray

    def mean_stderr(self) -> tuple[float, float]:
        """Mean of ``nlc`` over replicates and its standard error (0 for one replicate)."""
        m, se = mean_stderr(self.nlc)
        return float(m), float(se)

    def as_dict(self) -> dict[str, Any]:
        m, se = self.mean_stderr()
        return {"width": self.width, "batch_size": self.batch_size, "d_in": self.d_in,
                "depth": self.depth, "derivative": self.derivative, "scale": self.scale,
                "nlc": m, "nlc_stderr": se, "nlc_per_replicate": self.nlc.tolist(),
                "profile": self.profile.mean(axis=0).tolist(),
                "effective_rank": self.effective_rank.mean(axis=0).tolist()}


def random_minibatches(x: np.ndarray | torch.Tensor, batch_size: int, replicates: int, *,
                       generator: torch.Generator) -> torch.Tensor:
    """``replicates`` minibatches of ``batch_size`` rows of ``x`` drawn without replacement,
    shape (replicates, batch_size, d), float64 — as :func:`ringing.simulate.measure.empirical_nlc`
    draws its probe minibatches."""
    xt = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x,
                         dtype=torch.float64)
    if batch_size < 2 or batch_size > xt.shape[0]:
        raise ValueError(f"batch_size must be in [2, {xt.shape[0]}] (the data's size), "
                         f"got {batch_size}")
    idx = torch.stack([torch.randperm(xt.shape[0], generator=generator)[:batch_size]
                       for _ in range(replicates)])
    return xt[idx]


def _check_config(config: NetworkConfig) -> None:
    if config.architecture != "mlp" or config.norm != "batch" or config.weights != "gaussian":
        raise ValueError("the Gram chain is exact for a batchnorm MLP with Gaussian weights; got "
                         f"architecture={config.architecture!r}, norm={config.norm!r}, "
                         f"weights={config.weights!r}")


def _factor(k: torch.Tensor) -> torch.Tensor:
    """F with Fᵀ F = K for a batch of symmetric PSD K: the (transposed) Cholesky factor, which is
    continuous in K — so common random numbers make the chain a smooth function of the
    activation's parameters — and an eigen-factor where K is singular (eigenvalues below 0
    are rounding)."""
    chol, info = torch.linalg.cholesky_ex(k)
    f = chol.transpose(-1, -2).contiguous()
    bad = info != 0
    if bool(bad.any()):
        lam, u = torch.linalg.eigh(k[bad])
        f[bad] = (u * lam.clamp_min(0).sqrt().unsqueeze(-2)).transpose(-1, -2)
    return f


def _participation(s: torch.Tensor) -> torch.Tensor:
    tr = torch.diagonal(s, dim1=-2, dim2=-1).sum(-1)
    return tr.square() / s.square().sum((-2, -1))


def batchnorm_nlc_chain(config: NetworkConfig, x: np.ndarray | torch.Tensor, *,
                        replicates: int = 4, n_tangents: int = 1, derivative: str = "joint",
                        scale: str = "minibatch", generator: torch.Generator | None = None,
                        dtype: str = "float64", max_bytes: int = 256 << 20,
                        device: str = "cpu", show_progress: bool = False) -> GramChainResult:
    """Batch-form NLC (seed 004 §G) of the batchnorm MLP ``config`` on the minibatch ``x``,
    from ``replicates`` Gram chains of width ``config.width`` (exact in distribution).

    Parameters
    ----------
    config
        A batchnorm MLP with Gaussian weights (:class:`~ringing.simulate.networks.NetworkConfig`,
        ``norm="batch"``; ``final_norm=False`` for seed 004's plain last layer).  Its width is
        the chain's M.
    x
        The minibatch, shape ``(b, d_in)``, or one per replicate, ``(replicates, b, d_in)``.
    replicates
        Independent chains (networks), run together as one batch.
    n_tangents
        Gaussian input perturbations V per chain (each an estimate of ‖J(X)‖_F²).
    derivative, scale
        See :data:`DERIVATIVES` and :data:`SCALES`.
    generator
        Draws V and every layer's units (default ``torch.Generator().manual_seed(0)``).
    dtype
        Of the sampled units; the Grams are accumulated in float64.
    max_bytes
        Memory for one block of sampled units.
    device
        Where the chain computes (``"auto"``: a GPU when there is one); the draws come from
        ``generator`` on its own device, so a CPU generator gives the same numbers anywhere.

    Returns
    -------
    GramChainResult
    """
    _check_config(config)
    if derivative not in DERIVATIVES:
        raise ValueError(f"unknown derivative {derivative!r}; known: {', '.join(DERIVATIVES)}")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; known: {', '.join(SCALES)}")
    for name, count in (("replicates", replicates), ("n_tangents", n_tangents)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"{name} must be a positive integer, got {count!r}")
    xt = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    xt = xt.to(torch.float64)
    if xt.dim() == 2:
        xt = xt.expand(replicates, *xt.shape)
    if xt.dim() != 3 or xt.shape[0] != replicates or xt.shape[2] != config.d_in:
        raise ValueError(f"x must have shape (batch, {config.d_in}) or (replicates, batch, "
                         f"{config.d_in}), got {tuple(xt.shape)}")
    b, d = xt.shape[1], xt.shape[2]
    if b < 2:
        raise ValueError(f"batch normalisation needs a batch of at least 2, got {b}")
    if not bool(torch.isfinite(xt).all()):
        raise ValueError("x holds inf or NaN")
    q_in2 = xt.var(dim=1, unbiased=False).mean(-1)  # (R,)
    if not bool((q_in2 > 0).all()):
        raise ValueError("the minibatch does not vary (its spread is 0)")
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    sd = torch.float64 if dtype == "float64" else torch.float32
    dev = resolve_device(device)

    def randn(*shape: int, dt: torch.dtype = sd) -> torch.Tensor:
        return torch.randn(*shape, generator=g, dtype=dt, device=g.device).to(dev)

    xt = xt.to(dev)
    q_in2 = q_in2.to(dev)
    R, k, M, L = replicates, n_tangents, config.width, config.depth
    kb = (k + 1) * b
    v = randn(R, k, b, d, dt=torch.float64)
    stack = torch.cat([xt.unsqueeze(1), v], 1).reshape(R, kb, d)
    fwd = torch.zeros(kb, kb, dtype=torch.float64, device=dev)
    fwd[:b, :b] = 1.0
    pm = torch.eye(b, dtype=torch.float64, device=dev) - 1.0 / b
    K = config.sigma_w ** 2 / d * stack @ stack.transpose(1, 2) + config.sigma_b ** 2 * fwd
    profile = torch.zeros(R, max(L - 1, 0), dtype=torch.float64, device=dev)
    ranks = torch.zeros(R, L, dtype=torch.float64, device=dev)
    chunk = max(1, min(M, max_bytes // (R * kb * 8 * 6)))
    out_nlc2 = torch.zeros(R, dtype=torch.float64, device=dev)
    layers = progress(range(1, L + 1), total=L, desc="gram chain",
                      disable=None if show_progress else True)
    for layer in layers:
        kf = pm @ K[:, :b, :b] @ pm
        ranks[:, layer - 1] = _participation(kf)
        common = torch.diagonal(kf, dim1=-2, dim2=-1).mean(-1) + BN_EPS  # (R,)
        if layer == L and config.layer_norm_kind(layer) == "none":
            # plain last layer: expectations over output units are exact from K
            tan = torch.diagonal(K[:, b:, b:], dim1=-2, dim2=-1).sum(-1) / (k * b)
            out_nlc2 = tan * q_in2 / (common - BN_EPS)
            break
        act = config.activations[layer] if layer < L else None
        # layer 1 from its d Gaussian weights per unit (exact, and smooth in the data);
        # deeper layers from a factor of K
        rf = (config.sigma_w / math.sqrt(d) * stack.transpose(1, 2)).to(sd) if layer == 1 \
            else _factor(K).to(sd)
        k_new = torch.zeros_like(K)
        tangent_energy = torch.zeros(R, dtype=torch.float64, device=dev)
        done = 0
        while done < M:
            m = min(chunk, M - done)
            z = randn(R, m, rf.shape[1]) @ rf
            if layer == 1 and config.sigma_b:
                z[:, :, :b] += config.sigma_b * randn(R, m, 1)
            z = z.reshape(R, m, k + 1, b)
            y = z[:, :, 0]
            yd = z[:, :, 1:]
            yc = y - y.mean(-1, keepdim=True)
            if scale == "minibatch":
                s2 = yc.square().mean(-1, keepdim=True) + BN_EPS
            else:
                s2 = common.to(sd).view(R, 1, 1).expand(R, m, 1)
            inv = s2.rsqrt()
            zh = yc * inv
            if derivative == "fixed":
                zhd = yd * inv.unsqueeze(2)
            else:
                ydc = yd - yd.mean(-1, keepdim=True)
                zhd = ydc * inv.unsqueeze(2)
                if scale == "minibatch":
                    cov = (yc.unsqueeze(2) * ydc).mean(-1, keepdim=True)
                    zhd = zhd - (yc * inv.pow(3)).unsqueeze(2) * cov
            tangent_energy += zhd.double().square().sum((1, 2, 3)) / (k * b)
            if act is None:
                a, ad = zh, zhd
            else:
                a = act.torch(zh)
                ad = act.derivative().torch(zh).unsqueeze(2) * zhd
            blk = torch.cat([a.unsqueeze(2), ad], 2).reshape(R, m, kb).double()
            k_new += blk.transpose(1, 2) @ blk
            done += m
        if layer < L:
            profile[:, layer - 1] = tangent_energy / M * q_in2
        else:  # normalised last layer: spread 1 per unit
            out_nlc2 = tangent_energy / M * q_in2
        K = config.sigma_w ** 2 / M * k_new + config.sigma_b ** 2 * fwd
    if not bool(torch.isfinite(out_nlc2).all()) or not bool((out_nlc2 > 0).all()):
        raise ValueError("the chain's NLC is not finite or not positive (an activation that "
                         "vanishes on the whole minibatch, or overflow)")
    return GramChainResult(M, b, d, L, derivative, scale, out_nlc2.sqrt().cpu().numpy(),
                           profile.sqrt().cpu().numpy(), ranks.cpu().numpy())


@dataclass(frozen=True)
class WideLimit:
    """``a + c/M`` fitted over the chain widths (:func:`ringing.stats.fit_width_law`)."""

    results: tuple[GramChainResult, ...]
    fit: WidthFit

    @property
    def value(self) -> float:
        return self.fit.a

    @property
    def stderr(self) -> float:
        return float(math.sqrt(self.fit.cov[0, 0]))

    def as_dict(self) -> dict[str, Any]:
        return {"wide_limit": self.value, "wide_limit_stderr": self.stderr,
                "slope": self.fit.c, "chi2": self.fit.chi2, "dof": self.fit.dof,
                "method": "Gram chain (exact in distribution at each width), a + c/M "
                          "weighted least squares over the widths",
                "widths": [r.as_dict() for r in self.results]}


def batchnorm_nlc_wide_limit(config: NetworkConfig, x: np.ndarray | torch.Tensor, *,
                             widths: Sequence[int] = (1024, 4096, 16384),
                             replicates: int = 4, seed: int = 0, **kw: Any) -> WideLimit:
    """The fixed-minibatch wide limit of the batch-form NLC: chains at ``widths`` (the
    config's own width is ignored), each with its own generator stream, and ``a + c/M``.

    The leading finite-width correction of a self-averaging mean is O(1/M); the fit's χ² says
    whether the widths are in that regime.
    """
    if len(widths) < 3:
        raise ValueError(f"a wide limit needs >= 3 widths, got {len(widths)}")
    if replicates < 2:
        raise ValueError("a wide limit needs >= 2 replicates per width for its error")
    res = []
    for i, M in enumerate(widths):
        cfg = dataclasses.replace(config, width=int(M))
        g = torch.Generator().manual_seed(seed * 7919 + i)
        res.append(batchnorm_nlc_chain(cfg, x, replicates=replicates, generator=g, **kw))
    fit = fit_width_law({r.width: r.nlc for r in res})
    return WideLimit(tuple(res), fit)


@dataclass(frozen=True)
class BatchNLCDesign:
    """A parameter value whose chain batch-form NLC equals the target (:func:`solve_batch_nlc`).

    ``calls`` lists every chain evaluation (parameter, NLC mean, its standard error, seconds);
    ``stderr`` is the parameter's error: the NLC's standard error at the call nearest the root
    over the slope of a weighted straight line through the calls within 0.1 of it.
    """

    parameter: float
    activation: str
    nlc: float
    nlc_stderr: float
    stderr: float
    width: int
    calls: tuple[dict[str, float], ...]


def solve_batch_nlc(family: Callable[[float], str], config: NetworkConfig,
                    x: np.ndarray | torch.Tensor, target: float, bracket: tuple[float, float], *,
                    replicates: int = 8, xtol: float = 2e-4, seed: int = 3,
                    **kw: Any) -> BatchNLCDesign:
    """The parameter p in ``bracket`` whose activation ``family(p)`` gives the batchnorm network
    ``config`` (its width is the chain's M) the batch-form NLC ``target`` on the minibatches
    ``x`` — the inverse of :func:`batchnorm_nlc_chain`.

    Brent's method (:func:`scipy.optimize.brentq`) on the chain mean with *common random
    numbers* (the same generator seed at every p), so the function is smooth in p and the
    root is that of one fixed sample of networks; its statistical error is reported, not
    hidden.  A chain evaluation takes seconds to minutes, so this is a study, not an
    interactive :func:`ringing.theory.design.design` target.
    """
    from scipy.optimize import brentq

    if not (math.isfinite(target) and target > 0):
        raise ValueError(f"target must be a positive number, got {target!r}")
    calls: list[dict[str, float]] = []
    seen: dict[float, float] = {}

    def f(p: float) -> float:
        if p in seen:  # brentq re-evaluates the bracket's ends
            return seen[p]
        t0 = time.perf_counter()
        cfg = dataclasses.replace(config, activation=family(p))
        r = batchnorm_nlc_chain(cfg, x, replicates=replicates,
                                generator=torch.Generator().manual_seed(seed), **kw)
        m, se = r.mean_stderr()
        calls.append({"parameter": p, "nlc": m, "stderr": se,
                      "seconds": time.perf_counter() - t0})
        seen[p] = m - target
        return seen[p]

    lo, hi = bracket
    f_lo, f_hi = f(lo), f(hi)
    if f_lo * f_hi > 0:
        raise ValueError(f"the batch-form NLC does not cross {target} on [{lo}, {hi}] "
                         f"({calls[0]['nlc']:.4g} and {calls[1]['nlc']:.4g})")
    p = float(brentq(f, lo, hi, xtol=xtol, rtol=1e-6))
    # the NLC's slope in p: weighted least squares through the calls within 0.1 of the root
    # (the last calls sit closer together than the chain's noise can resolve)
    use = [c for c in calls if abs(c["parameter"] - p) <= 0.1] or calls
    pp = np.array([c["parameter"] for c in use])
    yy = np.array([c["nlc"] for c in use])
    ww = 1.0 / np.maximum(np.array([c["stderr"] for c in use]), 1e-12) ** 2
    slope = float(np.polyfit(pp, yy, 1, w=np.sqrt(ww))[0]) if len(use) >= 2 else float("nan")
    root = min(calls, key=lambda c: abs(c["parameter"] - p))
    p_se = abs(root["stderr"] / slope) if slope and math.isfinite(slope) else float("inf")
    return BatchNLCDesign(p, family(p), root["nlc"], root["stderr"], p_se, config.width,
                          tuple(calls))
