"""Measurements on networks at initialisation, each with a standard error.

* Correlations ``ρ_l`` of input pairs at every layer (seed 002 eq 2.2), all ``ρ_0`` of a
  sweep in one batch, mean and standard error over seeds.
* The input–output Jacobian: operator norm by power iteration on ``JᵀJ`` with
  :func:`torch.func.jvp` / :func:`torch.func.vjp` (seed 002 §2.1's RMS-induced norm),
  Frobenius norm by Gaussian-probe backpropagation (seed 004 §G, ``E‖uᵀJ‖² = ‖J‖_F²``).
* Per-layer gradient norms ``‖∂(u·f)/∂W^l‖_F`` for a Gaussian probe ``u``.
* The empirical NLC (seed 004 Definition 1 and its batchnorm form, §G) and the output
  bias (seed 004 App. B.2).

Standard errors are ``std/√K`` over the K independent replicates (seeds, or probes
within one network); the NLC's probe error is propagated by the delta method.
Theory values are looked up in :mod:`ringing.theory` (never re-derived here).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ringing.runs.progress import progress
from ringing.simulate.data import Dataset, check_rho0, correlated_pairs, pair_correlations
from ringing.simulate.networks import Network, NetworkConfig, check_finite, layer_generator

__all__ = [
    "mean_stderr",
    "layer_correlations",
    "CorrelationResult",
    "measure_correlations",
    "rho_max",
    "jacobian_operator_norm",
    "jacobian_frobenius_sq",
    "JacobianResult",
    "measure_jacobian",
    "gradient_norms",
    "NLCResult",
    "empirical_nlc",
    "measure_nlc",
    "theory_layers",
    "theory_correlations",
    "theory_composed_derivative",
]

INPUT_STREAM = 0  # layer index 0 of layer_generator(seed, ·) draws the inputs and probes


def mean_stderr(samples: Any, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error ``std(ddof=1)/√K`` along ``axis`` (0 when K = 1)."""
    a = np.asarray(samples, dtype=float)
    k = a.shape[axis]
    mean = a.mean(axis=axis)
    if k < 2:
        return mean, np.zeros_like(mean)
    return mean, a.std(axis=axis, ddof=1) / math.sqrt(k)


# ----------------------------------------------------------------------------
# correlations


def layer_correlations(net: Network, x: torch.Tensor) -> np.ndarray:
    """``ρ_l`` for every pair of rows ``(2k, 2k+1)`` of ``x`` and every layer: ``(K, L+1)``.

    Column 0 is ``ρ_0`` of the inputs, column ``l`` the cosine similarity of ``z^l``
    (seed 002 eq 2.2).  Layers are visited one at a time, so memory stays at one layer.
    """
    h = net.as_input(x)
    out = [pair_correlations(h)]
    for layer in range(1, net.config.depth + 1):
        h = net.layer_fn(layer)(h, *net.params(layer))
        check_finite(h, net.describe_layer(layer))
        out.append(pair_correlations(h))
    return torch.stack(out, dim=1).double().cpu().numpy()


@dataclass
class CorrelationResult:
    """``per_seed[s, r, l]``: ρ_l for ρ_0 = ``rho0[r]`` (mean over ``n_pairs``) with seed ``s``."""

    rho0: np.ndarray
    per_seed: np.ndarray
    mean: np.ndarray = field(init=False)
    stderr: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.mean, self.stderr = mean_stderr(self.per_seed, axis=0)

    @property
    def spread(self) -> np.ndarray:
        """Standard deviation over seeds ``(R, L+1)``."""
        if self.per_seed.shape[0] < 2:
            return np.zeros(self.per_seed.shape[1:])
        return np.asarray(self.per_seed.std(axis=0, ddof=1))


def measure_correlations(config: NetworkConfig, rho0: Sequence[float] | np.ndarray, *,
                         seeds: Sequence[int] = (0,), n_pairs: int = 1,
                         device: str = "auto", dtype: str = "float32",
                         memory_budget: int = 2 << 30, show_progress: bool = True
                         ) -> CorrelationResult:
    """ρ_l(ρ_0) at every layer for every seed; all ρ_0 of the sweep in one batch.

    With seed ``s`` the network is ``Network(config, s)`` and the input pairs are
    drawn from ``layer_generator(s, 0)`` (:func:`correlated_pairs`).
    """
    rho = check_rho0(rho0)
    seeds = list(seeds)
    if not seeds:
        raise ValueError("at least one seed is needed")
    if config.d_in < 2:
        raise ValueError(f"input dimension must be >= 2 for input pairs, got {config.d_in}")
    rows = []
    it = progress(seeds, total=len(seeds), desc="correlations",
                  disable=None if show_progress else True)
    for s in it:
        net = Network(config, s, device=device, dtype=dtype, memory_budget=memory_budget)
        x = correlated_pairs(rho, config.d_in, generator=layer_generator(s, INPUT_STREAM),
                             n_pairs=n_pairs, dtype=net.dtype)
        c = layer_correlations(net, x)  # (R * n_pairs, L+1)
        rows.append(c.reshape(rho.size, n_pairs, -1).mean(axis=1))
    return CorrelationResult(rho, np.stack(rows))


def rho_max(correlations: np.ndarray) -> float:
    """``ρ_max = max_{1≤l≤L} min_pairs ρ_l`` (seed 002 Theorem 1) from a ``(R, L+1)`` array.

    The minimum runs over the pairs measured (the ρ_0 sweep), so it is an upper
    bound on the minimum over all inputs, and ``1 - ρ_max`` a lower bound.
    """
    c = np.asarray(correlations, dtype=float)
    return float(c[:, 1:].min(axis=0).max())


# ----------------------------------------------------------------------------
# Jacobians


def _rownorm(t: torch.Tensor) -> torch.Tensor:
    return torch.linalg.vector_norm(t, dim=1, keepdim=True)


def jacobian_operator_norm(net: Network, x: torch.Tensor, *, n_iter: int = 50,
                           tol: float = 1e-5, generator: torch.Generator | None = None
                           ) -> tuple[np.ndarray, int]:
    """Operator norm of ``∂z^L/∂z^0`` at every row of ``x`` by power iteration on ``JᵀJ``.

    Returned in seed 002 §2.1's RMS-induced convention, ``√(d_in/d_out) σ_max(J)``
    (``= σ_max`` for square layers).  Each row is its own problem (the batch is
    block-diagonal), so it needs a network without batchnorm.  Power iteration
    converges to ``σ_max`` from below; it stops when the largest relative change of
    ``σ_max²`` is below ``tol`` or after ``n_iter`` steps (returned second).
    """
    c = net.config
    if c.norm == "batch":
        raise ValueError("the per-input Jacobian of a batchnorm network is not defined; "
                         "use the batch form of the NLC (norm 'layer' or 'none' here)")
    if n_iter < 1:
        raise ValueError(f"n_iter must be >= 1, got {n_iter}")
    _, hs = net.forward(x, keep=True)
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    v = torch.randn(hs[0].shape, generator=g, dtype=torch.float64).to(hs[0])
    v = v / _rownorm(v)
    lam = torch.zeros(v.shape[0], 1, dtype=v.dtype, device=v.device)
    steps = 0
    for steps in range(1, n_iter + 1):  # noqa: B007 - the count is returned
        w = net.jvp(hs, v)
        jtjv, _ = net.vjp(hs, w)
        new = _rownorm(jtjv)
        check_finite(new, "the Jacobian power iteration")
        done = bool(((new - lam).abs() <= tol * new).all())
        lam = new
        v = jtjv / torch.clamp(new, min=torch.finfo(v.dtype).tiny)
        if done:
            break
    sigma = torch.sqrt(lam[:, 0]).double().cpu().numpy()
    return sigma * math.sqrt(c.d_in / c.d_out), steps


def jacobian_frobenius_sq(net: Network, x: torch.Tensor, *, n_probes: int = 8,
                          generator: torch.Generator | None = None) -> np.ndarray:
    """Gaussian-probe estimates of ``‖J(x)‖_F²`` (seed 004 §G): array ``(n_probes, batch)``.

    ``‖J‖_F² = E_u ‖uᵀJ‖²`` for ``u ~ N(0, I_{d_out})``; all probes go through one
    backward pass (the batch is repeated ``n_probes`` times).  Networks without
    batchnorm only (their batch Jacobian is block-diagonal).
    """
    if net.config.norm == "batch":
        raise ValueError("per-input Frobenius norms need a network without batchnorm; "
                         "use empirical_nlc for the batch form")
    if n_probes < 1:
        raise ValueError(f"n_probes must be >= 1, got {n_probes}")
    xx = net.as_input(x).repeat(n_probes, 1)
    out, hs = net.forward(xx, keep=True)
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    u = torch.randn(out.shape, generator=g, dtype=torch.float64).to(out)
    grad, _ = net.vjp(hs, u)
    sq = (grad.double() ** 2).sum(dim=1).reshape(n_probes, -1)
    return sq.cpu().numpy()


@dataclass
class JacobianResult:
    """Per-seed Jacobian norms (each averaged over ``n_inputs`` inputs and the probes).

    ``op_norm`` is in the RMS convention (seed 002 §2.1); ``frobenius_rms`` is
    ``‖J‖_F/√d_out`` — the root mean square singular value for square ``J`` — to be
    compared with ``√((P_L∘…∘P_1)'(1))``.  ``probe_stderr`` is the standard error of
    the Frobenius estimate from the probes alone (mean over seeds).
    """

    op_norm_per_seed: np.ndarray
    frobenius_rms_per_seed: np.ndarray
    probe_stderr: float
    iterations: int
    op_norm: float = field(init=False)
    op_norm_stderr: float = field(init=False)
    frobenius_rms: float = field(init=False)
    frobenius_rms_stderr: float = field(init=False)

    def __post_init__(self) -> None:
        m, s = mean_stderr(self.op_norm_per_seed)
        self.op_norm, self.op_norm_stderr = float(m), float(s)
        m, s = mean_stderr(self.frobenius_rms_per_seed)
        self.frobenius_rms = float(m)
        self.frobenius_rms_stderr = float(max(float(s), self.probe_stderr / math.sqrt(
            max(1, self.frobenius_rms_per_seed.size))))


def measure_jacobian(config: NetworkConfig, *, seeds: Sequence[int] = (0,), n_inputs: int = 2,
                     n_iter: int = 50, n_probes: int = 8, device: str = "auto",
                     dtype: str = "float32", memory_budget: int = 2 << 30,
                     show_progress: bool = True) -> JacobianResult:
    """Jacobian operator and Frobenius norms at ``n_inputs`` random unit-RMS inputs per seed."""
    seeds = list(seeds)
    if not seeds:
        raise ValueError("at least one seed is needed")
    if n_inputs < 1:
        raise ValueError(f"n_inputs must be >= 1, got {n_inputs}")
    ops, fros, probe_err = [], [], []
    steps = 0
    it = progress(seeds, total=len(seeds), desc="jacobian",
                  disable=None if show_progress else True)
    for s in it:
        net = Network(config, s, device=device, dtype=dtype, memory_budget=memory_budget)
        g = layer_generator(s, INPUT_STREAM)
        x = torch.randn(n_inputs, config.d_in, generator=g, dtype=torch.float64)
        x = x * (math.sqrt(config.d_in) / _rownorm(x))
        x = x.to(net.dtype)
        op, k = jacobian_operator_norm(net, x, n_iter=n_iter, generator=g)
        steps = max(steps, k)
        sq = jacobian_frobenius_sq(net, x, n_probes=n_probes, generator=g)
        fro = np.sqrt(sq.mean() / config.d_out)
        per_probe = np.sqrt(np.maximum(sq.mean(axis=1), 0) / config.d_out)
        probe_err.append(float(per_probe.std(ddof=1) / math.sqrt(n_probes))
                         if n_probes > 1 else 0.0)
        ops.append(float(op.mean()))
        fros.append(float(fro))
    return JacobianResult(np.array(ops), np.array(fros), float(np.mean(probe_err)), steps)


def gradient_norms(config: NetworkConfig, *, seeds: Sequence[int] = (0,), n_inputs: int = 8,
                   device: str = "auto", dtype: str = "float32",
                   memory_budget: int = 2 << 30) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over seeds of ``‖∂(u·f(x))/∂W^l‖_F``, ``l = 1..L``.

    ``u`` is a standard Gaussian probe at the output of every input (seed 002
    Figure 3e/f's "gradients in low layers"); ``x`` are unit-RMS Gaussian inputs.
    """
    rows = []
    for s in seeds:
        net = Network(config, s, device=device, dtype=dtype, memory_budget=memory_budget)
        g = layer_generator(s, INPUT_STREAM)
        x = torch.randn(n_inputs, config.d_in, generator=g, dtype=torch.float64)
        x = (x * (math.sqrt(config.d_in) / _rownorm(x))).to(net.dtype)
        out, hs = net.forward(x, keep=True)
        u = torch.randn(out.shape, generator=g, dtype=torch.float64).to(out)
        _, norms = net.vjp(hs, u, param_grad_norms=True)
        rows.append(norms)
    if not rows:
        raise ValueError("at least one seed is needed")
    m, e = mean_stderr(np.array(rows))
    return np.asarray(m), np.asarray(e)


# ----------------------------------------------------------------------------
# NLC


@dataclass
class NLCResult:
    """One network's empirical NLC (seed 004 Def. 1 / §G) and its ingredients.

    ``nlc = q_jacobian · q_input / (√d_out · q_output)``; ``stderr`` is the error from
    the finite number of Gaussian probes (delta method); ``output_bias`` is
    ``Q_{j,x} f(x,j) / Q_j S_x f(x,j)`` (seed 004 App. B.2).
    """

    nlc: float
    stderr: float
    q_jacobian: float
    q_input: float
    q_output: float
    output_bias: float


def empirical_nlc(net: Network, x: np.ndarray | torch.Tensor, *, batch_size: int = 250,
                  n_probe_batches: int = 20, generator: torch.Generator | None = None
                  ) -> NLCResult:
    """The empirical NLC of ``net`` on the inputs ``x`` (seed 004 §3 Def. 1 and §G).

    * ``Q_i S_x x(i)``: exactly over ``x``.
    * ``Q_j S f(·, j)``: the data, shuffled once, are split into minibatches of
      ``batch_size`` (batchnorm statistics are per minibatch) and the standard
      deviation is taken over all outputs of this one pass (§G).
    * ``Q ‖J‖_F``: ``n_probe_batches`` random minibatches ``X``; a standard Gaussian
      ``u`` of shape ``(b, d_out)`` is backpropagated through the jointly propagated
      batch and ``‖uᵀJ(X)‖²/b`` is averaged (the batchnorm form
      ``Q_X ‖J(X)‖_F/√b``, equal to ``Q_x ‖J(x)‖_F`` without batchnorm).
    """
    xt = net.as_input(x)
    n = xt.shape[0]
    if n < 2:
        raise ValueError(f"the NLC needs at least 2 inputs, got {n}")
    if batch_size < 2:
        raise ValueError(f"batch_size must be >= 2, got {batch_size}")
    if n_probe_batches < 1:
        raise ValueError(f"n_probe_batches must be >= 1, got {n_probe_batches}")
    b = min(batch_size, n)
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    q_in = float(torch.sqrt(xt.double().var(dim=0, unbiased=False).mean()))
    perm = torch.randperm(n, generator=g)
    nb = n // b
    outs = []
    with torch.no_grad():
        for k in range(nb):  # minibatches of the single pass (not a loop over samples)
            out, _ = net.forward(xt[perm[k * b:(k + 1) * b]])
            outs.append(out.double())
    f = torch.cat(outs)
    q_out = float(torch.sqrt(f.var(dim=0, unbiased=False).mean()))
    q_f = float(torch.sqrt((f * f).mean()))
    if not q_out > 0:
        raise ValueError("the network output does not vary over the data (Q_j S f = 0)")
    s = []
    for _ in range(n_probe_batches):
        idx = torch.randperm(n, generator=g)[:b]
        out, hs = net.forward(xt[idx], keep=True)
        u = torch.randn(out.shape, generator=g, dtype=torch.float64).to(out)
        grad, _ = net.vjp(hs, u)
        s.append(float((grad.double() ** 2).sum()) / b)
    sa = np.array(s)
    q_j = math.sqrt(float(sa.mean()))
    rel = 0.5 * float(sa.std(ddof=1) / math.sqrt(sa.size) / sa.mean()) if sa.size > 1 else 0.0
    d_out = net.config.d_out
    nlc = q_j * q_in / (math.sqrt(d_out) * q_out)
    if not math.isfinite(nlc):
        raise ValueError("the NLC is not finite (overflow); use float64 or fewer layers")
    return NLCResult(nlc, nlc * rel, q_j, q_in, q_out, q_f / q_out)


def measure_nlc(config: NetworkConfig, data: Dataset, *, seeds: Sequence[int] = range(10),
                batch_size: int = 250, n_probe_batches: int = 20, device: str = "auto",
                dtype: str = "float64", show_progress: bool = True) -> dict[str, Any]:
    """Empirical NLC of ``len(seeds)`` initialisations on ``data`` (seed 004 Table 1/2).

    Returns ``nlc`` (the median over seeds, as the paper reports), ``nlc_mean`` with its
    ``nlc_stderr`` over seeds, ``nlc_per_seed``, the mean probe standard error and the
    median output bias.
    """
    if config.d_in != data.x.shape[1]:
        raise ValueError(f"network input width {config.d_in} != data dimension "
                         f"{data.x.shape[1]}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("at least one seed is needed")
    res = []
    it = progress(seeds, total=len(seeds), desc="nlc", disable=None if show_progress else True)
    for s in it:
        net = Network(config, s, device=device, dtype=dtype)
        res.append(empirical_nlc(net, data.x, batch_size=batch_size,
                                 n_probe_batches=n_probe_batches,
                                 generator=layer_generator(s, INPUT_STREAM)))
    vals = np.array([r.nlc for r in res])
    m, e = mean_stderr(vals)
    return {
        "nlc": float(np.median(vals)),
        "nlc_mean": float(m),
        "nlc_stderr": float(e),
        "nlc_per_seed": vals.tolist(),
        "probe_stderr": float(np.mean([r.stderr for r in res])),
        "output_bias": float(np.median([r.output_bias for r in res])),
    }


# ----------------------------------------------------------------------------
# theory look-ups (ringing.theory.kernels; formulas live there)


def theory_layers(config: NetworkConfig) -> list[Any]:
    """The :mod:`ringing.theory.kernels` layers matching ``config`` (LayerNorm networks).

    MLP: ``Layer(φ_l, σ_w, σ_b)`` for ``l = 1..L`` with ``φ_1`` the identity; resnet:
    ``ResidualLayer(φ, σ)`` per block.  Only LayerNorm (or resnet) networks follow the
    correlation map of seed 002 eq 2.3 exactly in the wide limit.
    """
    from ringing.theory import kernels

    if config.architecture == "resnet":
        return [kernels.ResidualLayer(a if a is not None else "identity",
                                      config.resnet_sigma) for a in config.activations]
    if config.norm != "layer":
        raise ValueError(f"the correlation-map theory (seed 002 eq 2.3) is for LayerNorm "
                         f"networks; norm={config.norm!r} has no such map")
    return [kernels.Layer(a if a is not None else "identity", config.sigma_w,
                          config.sigma_b) for a in config.activations]


def theory_correlations(config: NetworkConfig, rho0: Sequence[float] | np.ndarray) -> np.ndarray:
    """``(P_l∘…∘P_1)(ρ_0)`` for ``l = 0..L``, shape ``(R, L+1)`` (seed 002 eq 2.3)."""
    from ringing.theory import kernels

    rho = check_rho0(rho0)
    out = np.asarray(kernels.compose(theory_layers(config), rho), dtype=float)  # (L+1, R)
    return out.T


def theory_composed_derivative(config: NetworkConfig) -> float:
    """``(P_L∘…∘P_1)'(1)`` from :func:`ringing.theory.kernels.composed_derivative_at_one`."""
    from ringing.theory import kernels

    return float(kernels.composed_derivative_at_one(theory_layers(config)))
