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
import warnings
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch

from ringing.runs.progress import progress
from ringing.simulate.common import default_dtype, resolve_device
from ringing.simulate.data import Dataset, check_rho0, correlated_pairs, pair_correlations
from ringing.simulate.networks import (
    ForwardOverflowError,
    Network,
    NetworkConfig,
    check_finite,
    layer_generator,
)
from ringing.stats import mean_stderr

__all__ = [
    "mean_stderr",
    "layer_correlations",
    "CorrelationResult",
    "measure_correlations",
    "rho_max",
    "ConvergenceWarning",
    "OperatorNorm",
    "operator_norm",
    "jacobian_operator_norm",
    "jacobian_frobenius_sq",
    "JacobianResult",
    "measure_jacobian",
    "gradient_norms",
    "NLCResult",
    "empirical_nlc",
    "NLCNetwork",
    "measure_nlc",
]

INPUT_STREAM = 0  # layer index 0 of layer_generator(seed, ·) draws the inputs and probes


# ----------------------------------------------------------------------------
# correlations


def layer_correlations(net: Network, x: torch.Tensor) -> np.ndarray:
    """``ρ_l`` for every pair of rows ``(2k, 2k+1)`` of ``x`` and every layer: ``(K, L+1)``.

    Column 0 is ``ρ_0`` of the inputs, column ``l`` the cosine similarity of ``z^l``
    (seed 002 eq 2.2).  Layers are visited one at a time (held, regenerated or streamed in
    row blocks, :meth:`Network.apply_layer`), so memory stays at one layer — or one row
    block of it.  One host synchronisation: a non-finite ``z^l`` makes its cosines NaN,
    and the first such column names the layer.
    """
    h = net.as_input(x)
    out = [pair_correlations(h)]
    with net.holding():
        for layer in range(1, net.config.depth + 1):
            h = net.apply_layer(layer, h)
            out.append(pair_correlations(h))
    c = torch.stack(out, dim=1).double().cpu().numpy()
    bad = ~np.isfinite(c).all(axis=0)
    if bad.any():  # re-run layer by layer: names 0/0 in a normalisation, or the overflow
        net.name_overflow(net.as_input(x))
        first = int(np.argmax(bad))
        what = "the input" if first == 0 else net.describe_layer(first)
        raise ForwardOverflowError(
            f"{what} is not finite (overflow); use a normalisation, a smaller sigma_w, "
            "float64 or fewer layers")
    return c


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
                         memory_budget: int = 2 << 30, show_progress: bool = True,
                         generator_device: str = "cpu", memory_available: int | None = None
                         ) -> CorrelationResult:
    """ρ_l(ρ_0) at every layer for every seed (seed 002 eq 2.2); all ρ_0 of the sweep in one
    batch.

    With seed ``s`` the network is ``Network(config, s)`` and the input pairs are
    drawn from ``layer_generator(s, 0)`` (:func:`correlated_pairs`).  A Gaussian network
    whose layers do not fit in memory is streamed in row blocks (``memory_available``,
    see :class:`Network`).

    Parameters
    ----------
    config
        The network (:class:`~ringing.simulate.networks.NetworkConfig`).
    rho0
        Input correlations ``ρ_0`` of the sweep.
    seeds
        One network per seed; the intervals are over seeds.
    n_pairs
        Input pairs per ``ρ_0`` and seed (their mean is ``ρ_l``).
    device, dtype
        Torch device (``"auto"``: CUDA if available) and dtype.
    memory_budget, memory_available, generator_device
        Memory limits of the streamed path and where the weights are drawn.
    show_progress
        A progress bar on stderr.

    Returns
    -------
    CorrelationResult
        ``per_seed[s, r, l]``, ``mean`` and ``stderr`` over seeds, shape ``(R, L+1)``.
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
        net = Network(config, s, device=device, dtype=dtype, memory_budget=memory_budget,
                      generator_device=generator_device, memory_available=memory_available)
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


class ConvergenceWarning(RuntimeWarning):
    """An iterative estimate stopped at its step cap before meeting its tolerance."""


def _rownorm(t: torch.Tensor) -> torch.Tensor:
    return torch.linalg.vector_norm(t, dim=-1, keepdim=True)


def _no_batchnorm(net: Network, what: str) -> None:
    if net.config.norm == "batch":
        raise ValueError(f"the per-input {what} of a batchnorm network is not defined; "
                         "use the batch form of the NLC (norm 'layer' or 'none' here)")


class _StoredPass:
    """One stored forward of the whole network at ``x`` and its pullbacks ``u ↦ uᵀJ``.

    Built inside ``net.holding()``.  The autograd graph keeps the activations once;
    :meth:`pull` backpropagates one cotangent and :meth:`pull_many` a stack of them in one
    batched backward (``is_grads_batched``, torch's vmap over the backward pass).  The
    output is checked for finiteness once; only when that fails is the pass re-run layer
    by layer to name the layer.
    """

    def __init__(self, net: NLCNetwork, x: torch.Tensor, *, check: bool = True) -> None:
        self.x = x.detach().requires_grad_(True)  # a new leaf; x itself is untouched
        with torch.enable_grad():
            self.out = net.function()(self.x)
        if check and not bool(torch.isfinite(self.out.detach().sum())):
            net.name_overflow(x)
            check_finite(self.out.detach(), "the network output")

    def pull(self, u: torch.Tensor) -> torch.Tensor:
        """``uᵀJ`` for one cotangent ``u`` shaped like the output."""
        if not self.out.requires_grad:  # the output does not depend on x (a constant φ): J = 0
            return torch.zeros_like(self.x)
        (g,) = torch.autograd.grad(self.out, self.x, u, retain_graph=True)
        return g

    def pull_many(self, u: torch.Tensor, max_bytes: int = 256 << 20) -> torch.Tensor:
        """``u_kᵀJ`` for cotangents ``u`` of shape ``(K, *out.shape)``, in chunks of at most
        ``max_bytes`` of cotangents and gradients per backward."""
        if not self.out.requires_grad:  # J = 0, as in pull
            return self.x.new_zeros((u.shape[0], *self.x.shape))
        row = (self.out.numel() + self.x.numel()) * self.x.element_size()
        step = max(1, max_bytes // row)
        parts = [torch.autograd.grad(self.out, self.x, u[k:k + step], retain_graph=True,
                                     is_grads_batched=True)[0]
                 for k in range(0, u.shape[0], step)]
        return parts[0] if len(parts) == 1 else torch.cat(parts)


@dataclass
class OperatorNorm:
    """The Jacobian operator norm of every input row, and how it was obtained.

    ``sigma`` is in seed 002 §2.1's RMS-induced convention ``√(d_in/d_out) σ_max(J)``.
    ``method`` is ``"exact"`` (the whole Jacobian and its singular values) or
    ``"power"`` (power iteration on ``JᵀJ``, a lower bound that converges from
    below); ``iterations`` its steps (0 when exact), ``rel_change`` the largest relative
    change of ``σ²`` at the last step, ``converged`` whether that met the tolerance.
    """

    sigma: np.ndarray
    method: str
    iterations: int
    converged: bool
    rel_change: float


OPERATOR_NORM_METHODS = ("auto", "exact", "power")
# A product with a few vectors runs far below the matrix-matrix flop rate: measured ~13× for 2
# inputs at width 1024 (benchmarks/results/jacobian.md); taken as 26/batch, at least 1.
GEMV_PENALTY = 26.0


def _exact_is_cheaper(net: Network, n_iter: int, batch: int) -> bool:
    """Flop model: the whole Jacobian (``m = min(d_in, d_out)`` tangents through every
    layer as matrix-matrix products, then a ``m × max`` SVD) against ``n_iter`` power
    steps (a whole-network jvp, 2 matrix-vector products per layer, and a stored pullback,
    1) at the slower matrix-vector rate."""
    c = net.config
    m, big = min(c.d_in, c.d_out), max(c.d_in, c.d_out)
    per_layer = sum(o * i for o, i in (c.layer_shape(k) for k in range(1, c.depth + 1)))
    exact = 2.0 * per_layer * m + 8.0 * m * m * big
    power = n_iter * 3 * 2.0 * per_layer * max(1.0, GEMV_PENALTY / batch)
    return exact <= power


def _dense_jacobian(net: Network, stored: _StoredPass) -> torch.Tensor:
    """``J(x_i)`` for every row, ``(batch, d_out, d_in)``: reverse mode (the stored pass's
    batched pullback over the output basis) when ``d_out ≤ d_in``, else forward mode
    (a vmapped :func:`torch.func.jvp` over the input basis, in chunks)."""
    c = net.config
    x = stored.x.detach()
    b = x.shape[0]
    if c.d_out <= c.d_in:
        eye = torch.eye(c.d_out, dtype=x.dtype, device=x.device)
        basis = eye[:, None, :].expand(c.d_out, b, c.d_out)
        return stored.pull_many(basis).permute(1, 0, 2)
    f = net.function()
    eye = torch.eye(c.d_in, dtype=x.dtype, device=x.device)
    basis = eye[:, None, :].expand(c.d_in, b, c.d_in)
    chunk = max(1, (256 << 20) // (3 * b * max(c.width, c.d_out) * x.element_size()))
    cols = torch.func.vmap(lambda t: torch.func.jvp(f, (x,), (t,))[1], chunk_size=chunk)(basis)
    return cols.permute(1, 2, 0)


def operator_norm(net: Network, x: Any, *, method: str = "auto", n_iter: int = 50,
                  tol: float = 1e-5, generator: torch.Generator | None = None,
                  warn: bool = True) -> OperatorNorm:
    """Operator norm of ``∂z^L/∂z^0`` at every row of ``x`` (seed 002 §2.1).

    One stored forward: the autograd graph keeps the activations and its pullback gives
    ``Jᵀw``.  ``method="exact"`` builds ``J`` (the batched pullback over the output
    basis, or a vmapped jvp over the input basis, whichever side is smaller)
    and takes ``torch.linalg.svdvals``; ``"power"`` iterates ``v ← JᵀJv/‖JᵀJv‖`` with a
    whole-network :func:`torch.func.jvp` and the stored pullback, stopping when the
    largest relative change of ``σ²`` is below ``tol`` or after ``n_iter`` steps; when
    it stops unconverged it says so (:class:`ConvergenceWarning`, and ``converged`` in
    the result).  ``"auto"`` picks the cheaper by a flop model (:func:`_exact_is_cheaper`).
    Each row is its own problem (the batch Jacobian is block-diagonal), so batchnorm
    networks are refused.
    """
    _no_batchnorm(net, "Jacobian")
    if method not in OPERATOR_NORM_METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(OPERATOR_NORM_METHODS)}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be >= 1, got {n_iter}")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol}")
    c = net.config
    rms = math.sqrt(c.d_in / c.d_out)
    xt = net.as_input(x)
    if method == "auto":
        method = "exact" if _exact_is_cheaper(net, n_iter, xt.shape[0]) else "power"
    with net.holding():
        stored = _StoredPass(net, xt)
        if method == "exact":
            jac = _dense_jacobian(net, stored)
            top = torch.linalg.svdvals(jac)[:, 0]
            check_finite(top, "the Jacobian")
            return OperatorNorm(top.double().cpu().numpy() * rms, "exact", 0, True, 0.0)
        f = net.function()
        g = generator if generator is not None else torch.Generator().manual_seed(0)
        v = torch.randn(xt.shape, generator=g, dtype=torch.float64).to(xt)
        v = v / _rownorm(v)
        lam = torch.zeros(v.shape[0], 1, dtype=v.dtype, device=v.device)
        steps, rel = 0, math.inf
        for steps in range(1, n_iter + 1):  # noqa: B007 - the count is returned
            jtjv = stored.pull(torch.func.jvp(f, (xt,), (v,))[1])
            new = _rownorm(jtjv)
            rel = float(((new - lam).abs() / torch.clamp(new, min=torch.finfo(v.dtype).tiny))
                        .max())  # one host sync per step
            lam = new
            v = jtjv / torch.clamp(new, min=torch.finfo(v.dtype).tiny)
            if rel <= tol:
                break
    if not math.isfinite(rel):
        check_finite(lam, "the Jacobian power iteration")
    converged = rel <= tol
    if not converged and warn:
        warnings.warn(f"power iteration stopped at its cap of {n_iter} steps before "
                      f"converging (last relative change of σ² {rel:.1e} > tol {tol:g}); "
                      "the operator norm is a lower bound — raise n_iter or use "
                      "method='exact'", ConvergenceWarning, stacklevel=2)
    sigma = torch.sqrt(lam[:, 0]).double().cpu().numpy() * rms
    return OperatorNorm(sigma, "power", steps, converged, rel)


def jacobian_operator_norm(net: Network, x: torch.Tensor, *, n_iter: int = 50,
                           tol: float = 1e-5, generator: torch.Generator | None = None,
                           method: str = "auto") -> tuple[np.ndarray, int]:
    """``(σ, steps)`` of :func:`operator_norm` (``steps`` is 0 when computed exactly).

    Operator norm of ``∂z^L/∂z^0`` at every row of ``x`` in seed 002 §2.1's RMS-induced
    convention, ``√(d_in/d_out) σ_max(J)``; a non-converged power iteration warns.
    """
    r = operator_norm(net, x, method=method, n_iter=n_iter, tol=tol, generator=generator)
    return r.sigma, r.iterations


def jacobian_frobenius_sq(net: Network, x: torch.Tensor, *, n_probes: int = 8,
                          generator: torch.Generator | None = None) -> np.ndarray:
    """Gaussian-probe estimates of ``‖J(x)‖_F²`` (seed 004 §G): array ``(n_probes, batch)``.

    ``‖J‖_F² = E_u ‖uᵀJ‖²`` for ``u ~ N(0, I_{d_out})``: one stored forward of ``x``
    and one pullback vmapped over the probes (the activations are stored once, not once
    per probe).  Networks without batchnorm only (their batch Jacobian is block-diagonal).
    """
    _no_batchnorm(net, "Frobenius norm")
    if n_probes < 1:
        raise ValueError(f"n_probes must be >= 1, got {n_probes}")
    xt = net.as_input(x)
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    with net.holding():
        stored = _StoredPass(net, xt)
        out = stored.out
        u = torch.randn((n_probes * out.shape[0], out.shape[1]), generator=g,
                        dtype=torch.float64).to(out).reshape(n_probes, *out.shape)
        sq = stored.pull_many(u).double().square().sum(dim=-1)
    check_finite(sq, "the backward pass")
    return sq.cpu().numpy()


@dataclass
class JacobianResult:
    """Per-seed Jacobian norms (each averaged over ``n_inputs`` inputs and the probes).

    ``op_norm`` is in the RMS convention (seed 002 §2.1); ``frobenius_rms`` is
    ``‖J‖_F/√d_out`` — the root mean square singular value for square ``J`` — to be
    compared with ``√((P_L∘…∘P_1)'(1))``.  ``probe_stderr`` is the standard error of
    the Frobenius estimate from the probes alone (mean over seeds).  ``method``,
    ``iterations`` (the most over seeds) and ``converged`` (all seeds) say how the
    operator norm was obtained (:class:`OperatorNorm`); ``method`` is ``"none"`` when it
    was not asked for (``op_norm`` is then NaN and must not be reported).
    """

    op_norm_per_seed: np.ndarray
    frobenius_rms_per_seed: np.ndarray
    probe_stderr: float
    iterations: int
    method: str = "power"
    converged: bool = True
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
                     show_progress: bool = True, method: str = "auto",
                     tol: float = 1e-5, op_norm: bool = True,
                     generator_device: str = "cpu") -> JacobianResult:
    """Jacobian operator and Frobenius norms at ``n_inputs`` random unit-RMS inputs per seed.

    Per seed one stored forward serves both: the operator norm (:func:`operator_norm`,
    ``method``, ``n_iter``, ``tol``; skipped with ``op_norm=False``) and the Frobenius
    probes (one vmapped pullback).  A power iteration that stops unconverged warns once
    and sets ``converged=False``.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("at least one seed is needed")
    if n_inputs < 1:
        raise ValueError(f"n_inputs must be >= 1, got {n_inputs}")
    if n_probes < 1:
        raise ValueError(f"n_probes must be >= 1, got {n_probes}")
    ops, fros, probe_err = [], [], []
    steps, converged, used = 0, True, "none"
    it = progress(seeds, total=len(seeds), desc="jacobian",
                  disable=None if show_progress else True)
    for s in it:
        net = Network(config, s, device=device, dtype=dtype, memory_budget=memory_budget,
                      generator_device=generator_device)
        g = layer_generator(s, INPUT_STREAM)
        x = torch.randn(n_inputs, config.d_in, generator=g, dtype=torch.float64)
        x = x * (math.sqrt(config.d_in) / _rownorm(x))
        x = x.to(net.dtype)
        with net.holding():
            if op_norm:
                r = operator_norm(net, x, method=method, n_iter=n_iter, tol=tol, generator=g,
                                  warn=False)
                steps, converged, used = max(steps, r.iterations), converged and r.converged, \
                    r.method
                ops.append(float(r.sigma.mean()))
            else:
                ops.append(math.nan)
            sq = jacobian_frobenius_sq(net, x, n_probes=n_probes, generator=g)
        fro = np.sqrt(sq.mean() / config.d_out)
        per_probe = np.sqrt(np.maximum(sq.mean(axis=1), 0) / config.d_out)
        probe_err.append(float(per_probe.std(ddof=1) / math.sqrt(n_probes))
                         if n_probes > 1 else 0.0)
        fros.append(float(fro))
    if not converged:
        warnings.warn(f"power iteration stopped at its cap of {n_iter} steps before "
                      f"converging for some seed (tol {tol:g}); the operator norms are lower "
                      "bounds — raise n_iter or use method='exact'", ConvergenceWarning,
                      stacklevel=2)
    return JacobianResult(np.array(ops), np.array(fros), float(np.mean(probe_err)), steps,
                          used, converged)


def gradient_norms(config: NetworkConfig, *, seeds: Sequence[int] = (0,), n_inputs: int = 8,
                   device: str = "auto", dtype: str = "float32",
                   memory_budget: int = 2 << 30,
                   generator_device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error over seeds of ``‖∂(u·f(x))/∂W^l‖_F``, ``l = 1..L``.

    ``u`` is a standard Gaussian probe at the output of every input (seed 002
    Figure 3e/f's "gradients in low layers"); ``x`` are unit-RMS Gaussian inputs.
    """
    rows = []
    for s in seeds:
        net = Network(config, s, device=device, dtype=dtype, memory_budget=memory_budget,
                      generator_device=generator_device)
        g = layer_generator(s, INPUT_STREAM)
        x = torch.randn(n_inputs, config.d_in, generator=g, dtype=torch.float64)
        x = (x * (math.sqrt(config.d_in) / _rownorm(x))).to(net.dtype)
        with net.holding():
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


class NLCNetwork(Protocol):
    """What :func:`empirical_nlc` needs of a network: :class:`~ringing.simulate.networks.Network`
    has it, and so does the NLC study's sampled network (its ``estimator_view``)."""

    @property
    def config(self) -> Any: ...

    def as_input(self, x: Any) -> torch.Tensor: ...

    def holding(self) -> AbstractContextManager[Any]: ...

    def function(self) -> Callable[[torch.Tensor], torch.Tensor]: ...

    def name_overflow(self, x: torch.Tensor, hs: Sequence[torch.Tensor] | None = None
                      ) -> None: ...


def empirical_nlc(net: NLCNetwork, x: np.ndarray | torch.Tensor, *, batch_size: int = 250,
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
      ``Q_X ‖J(X)‖_F/√b``, equal to ``Q_x ‖J(x)‖_F`` without batchnorm).  Each minibatch
      is one stored forward (:func:`torch.func.vjp`) and one pullback; the layers are
      held for the whole measurement when memory allows (:meth:`Network.holding`).
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
    with net.holding():
        fn = net.function()
        with torch.no_grad():  # minibatches of the single pass (not a loop over samples)
            f = torch.cat([fn(xt[perm[k * b:(k + 1) * b]]) for k in range(nb)]).double()
        q_out = float(torch.sqrt(f.var(dim=0, unbiased=False).mean()))
        q_f = float(torch.sqrt((f * f).mean()))
        batches, sums = [], []
        for _ in range(n_probe_batches):  # one stored forward and one pullback per minibatch
            batches.append(torch.randperm(n, generator=g)[:b])
            stored = _StoredPass(net, xt[batches[-1]], check=False)
            u = torch.randn(stored.out.shape, generator=g, dtype=torch.float64).to(xt)
            sums.append(stored.pull(u).double().square().sum() / b)
        s = torch.stack(sums).cpu().numpy()  # one host sync for all probe batches
        if not (math.isfinite(q_f) and np.isfinite(s).all()):  # name the layer, then fail
            bad = [xt[perm[k * b:(k + 1) * b]] for k in range(nb)] + [xt[i] for i in batches]
            for xb in bad:
                net.name_overflow(xb)
            raise ForwardOverflowError("the backward pass is not finite (overflow); use "
                                       "float64 or fewer layers")
    if not q_out > 0:
        raise ValueError("the network output does not vary over the data (Q_j S f = 0)")
    sa = np.asarray(s, dtype=float)
    q_j = math.sqrt(float(sa.mean()))
    if not sa.mean() > 0:
        raise ValueError("the network's input-output Jacobian is zero on every probe (the "
                         "activation's derivative is zero almost everywhere): the NLC is 0 "
                         "and its ratio to NLC_tau is undefined")
    rel = 0.5 * float(sa.std(ddof=1) / math.sqrt(sa.size) / sa.mean()) if sa.size > 1 else 0.0
    d_out = net.config.d_out
    nlc = q_j * q_in / (math.sqrt(d_out) * q_out)
    if not math.isfinite(nlc):
        raise ValueError("the NLC is not finite (overflow); use float64 or fewer layers")
    return NLCResult(nlc, nlc * rel, q_j, q_in, q_out, q_f / q_out)


def measure_nlc(config: NetworkConfig, data: Dataset, *, seeds: Sequence[int] = range(10),
                batch_size: int = 250, n_probe_batches: int = 20, device: str = "auto",
                dtype: str | None = None, show_progress: bool = True,
                generator_device: str = "cpu") -> dict[str, Any]:
    """Empirical NLC of ``len(seeds)`` initialisations on ``data`` (seed 004 Table 1/2).

    ``dtype`` defaults to float64 on the CPU and float32 on a GPU
    (:func:`ringing.simulate.common.default_dtype`): the NLC is a ratio of
    root-mean-squares with a probe error of order 1e-3, far above float32's 1e-7
    rounding, and float32 reaches 3e38 (the deepest unstable networks of Table 1 reach
    1e17); float64 stays the CPU default, where it costs little, for continuity.

    Returns ``nlc`` (the median over seeds, as the paper reports), ``nlc_mean`` with its
    ``nlc_stderr`` over seeds, ``nlc_per_seed``, the mean probe standard error and the
    median output bias.

    Parameters
    ----------
    config
        The network (``final_norm=False`` for the paper's plain last layer).
    data
        Inputs (:class:`~ringing.simulate.data.Dataset`, e.g.
        :func:`~ringing.simulate.data.gaussian_data`).
    seeds
        One network per seed.
    batch_size, n_probe_batches
        Minibatch size and the number of probe batches per network.
    device, dtype, generator_device, show_progress
        Torch device and dtype, where weights are drawn, a progress bar on stderr.

    Returns
    -------
    dict
        ``nlc`` (median over seeds), ``nlc_mean``, ``nlc_stderr``, ``nlc_per_seed``,
        ``probe_stderr``, ``output_bias``.
    """
    if config.d_in != data.x.shape[1]:
        raise ValueError(f"network input width {config.d_in} != data dimension "
                         f"{data.x.shape[1]}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("at least one seed is needed")
    dev = resolve_device(device)
    if dtype is None:
        dtype = default_dtype(dev, "nlc")
    res = []
    it = progress(seeds, total=len(seeds), desc="nlc", disable=None if show_progress else True)
    for s in it:
        net = Network(config, s, device=str(dev), dtype=dtype,
                      generator_device=generator_device)
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
