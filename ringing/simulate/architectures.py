"""Seed 004's randomly sampled fully connected architectures (App. C), built in torch.

Philipp & Carbonell, "The nonlinearity coefficient — predicting generalization in deep
neural networks" (seed 004), App. C, every rule as printed:

* depth uniform over the odd numbers 3..49; one hidden width for all hidden layers, set by a
  parameter budget (:func:`width_for_budget`; the paper: about 10⁶ trainable parameters);
* orthogonal weights (a sub-matrix of a Haar orthogonal matrix times ``max(1, √(out/in))``,
  :func:`ringing.simulate.networks.init_weight`); biases zero (50 %) or ``N(0, 0.05)`` with the
  weights times ``√0.95`` (50 %); then all weights and biases jointly ×0.9 (25 %) or ×1.1 (25 %);
* no normalisation (50 %), batchnorm (25 %) or layer norm (25 %), no trainable affine part;
* one of the 8 activations of Table 1 (ReLU, SELU, Gaussian 2/11 each; tanh, even tanh,
  sigmoid, square, odd square 1/11 each), modified to ``c·τ(d·s + t) + b``: ``d`` ∈ {1, 1.2,
  0.8} (50/25/25 %), ``t`` ∈ {0, 0.2, -0.2} (50/25/25 %), ``b`` debiasing ``E τ = 0`` under a
  unit Gaussian (50 %), ``c`` always making ``Q_s τ = 1``; the result is an ordinary registry
  spec string (:func:`ringing.theory.nlc.modified_activation`), so the theory applies to it;
* skip connections: none (50 %), strength 1 (25 %), one strength uniform in (0, 1) (25 %);
  starting after the linear (50 %) or the normalisation operation (50 %); each bypasses two
  layers and ends after a linear operation; the last one is a fixed orthogonal projection
  times ``max(1, √(d_out/d_in))``;
* post-processing: square / odd-square or skip architectures without normalisation get
  batchnorm or layer norm (50/50) — no norm 20.4 %, batchnorm 39.8 %, layer norm 39.8 %.

A sampled :class:`Architecture` is a JSON-able record; :class:`SampledNetwork` rebuilds it
bit-identically from its seed (parameters from :func:`ringing.simulate.networks.layer_generator`
exactly as :class:`ringing.simulate.networks.Network` draws them, so a plain architecture is
the same network as ``Network(arch.network_config(), arch.seed)``).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ringing.activations import get_activation
from ringing.simulate.common import resolve_device, resolve_dtype
from ringing.simulate.networks import (
    ForwardOverflowError,
    NetworkConfig,
    batch_norm_na,
    check_finite,
    init_bias,
    init_weight,
    input_tensor,
    layer_generator,
)
from ringing.theory.nlc import modified_activation

__all__ = [
    "BASE_ACTIVATIONS",
    "ACTIVATION_WEIGHTS",
    "DEPTHS",
    "Architecture",
    "modified_activation",
    "width_for_budget",
    "trainable_parameters",
    "sample_architecture",
    "SampledNetwork",
    "NLCView",
    "ForwardOverflowError",
]

#: Table 1's activations as registry specs (SELU with the constants seed 004 prints)
BASE_ACTIVATIONS = ("relu", "selu_seed004", "gaussian", "tanh", "even_tanh", "sigmoid",
                    "square", "odd_square")
#: App. C: ReLU, SELU, Gaussian 2/11 each; the other five 1/11 each
ACTIVATION_WEIGHTS = (2, 2, 2, 1, 1, 1, 1, 1)
DEPTHS = tuple(range(3, 50, 2))
BIAS_VARIANCE = 0.05
NORMS_004 = ("none", "batch", "layer")
SKIPS = ("none", "one", "uniform")
SKIP_STARTS = ("linear", "norm")
_SAMPLER_STREAM = 0x5EED004


def trainable_parameters(depth: int, width: int, d_in: int, d_out: int) -> int:
    """Weights and biases of ``depth`` linear layers ``d_in → width → … → d_out``."""
    if depth < 2:
        raise ValueError(f"depth={depth} must be >= 2")
    return (d_in + 1) * width + (depth - 2) * (width + 1) * width + (width + 1) * d_out


def width_for_budget(depth: int, d_in: int, d_out: int, budget: int) -> int:
    """The hidden width whose trainable-parameter count is closest to ``budget`` (App. C)."""
    if budget < 1:
        raise ValueError(f"parameter budget={budget} must be positive")
    # (depth-2) w² + (d_in + 1 + depth - 2 + d_out) w + d_out - budget = 0
    a, b = depth - 2, d_in + 1 + (depth - 2) + d_out
    c = d_out - budget
    w0 = (-c / b) if a == 0 else (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    cands = {max(1, math.floor(w0)), max(1, math.ceil(w0))}
    return min(sorted(cands),
               key=lambda w: abs(trainable_parameters(depth, w, d_in, d_out) - budget))


@dataclass(frozen=True)
class Architecture:
    """One sampled architecture (seed 004 App. C); JSON-able via :meth:`as_dict`.

    ``weight_gain`` multiplies every orthogonal weight matrix (``√0.95`` with Gaussian biases,
    times the joint 0.9/1.1 factor), ``bias_std`` is the biases' standard deviation (0 for
    zero biases, ``√0.05`` times the joint factor otherwise).  ``skip_strength`` is 0 without
    skip connections.  ``activation`` is the registry spec of ``c·τ(d·s + t) + b``.
    """

    seed: int
    depth: int
    width: int
    d_in: int
    d_out: int
    base_activation: str
    dilation: float
    shift: float
    debias: bool
    activation: str
    c: float
    b: float
    gaussian_bias: bool
    joint_scale: float
    weight_gain: float
    bias_std: float
    norm: str
    norm_sampled: str
    skip: str
    skip_strength: float
    skip_start: str

    @property
    def has_skip(self) -> bool:
        return self.skip != "none"

    @property
    def parameters(self) -> int:
        return trainable_parameters(self.depth, self.width, self.d_in, self.d_out)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Architecture:
        return cls(**d)

    def network_config(self) -> NetworkConfig:
        """The same network as a :class:`~ringing.simulate.networks.NetworkConfig` (plain
        architectures without layer norm only: the package's ``"layer"`` norm is seed 002's
        uncentred one)."""
        if self.has_skip or self.norm == "layer":
            raise ValueError("only plain architectures without layer norm map to NetworkConfig")
        return NetworkConfig(width=self.width, depth=self.depth, activation=self.activation,
                             sigma_w=self.weight_gain, sigma_b=self.bias_std, norm=self.norm,
                             weights="orthogonal", in_dim=self.d_in, out_dim=self.d_out,
                             final_norm=False)


def _choice(rng: np.random.Generator, options: tuple[Any, ...], weights: tuple[float, ...]
            ) -> Any:
    p = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=p / p.sum()))]


def sample_architecture(seed: int, d_in: int, d_out: int, budget: int = 1_000_000
                        ) -> Architecture:
    """Draw one architecture by seed 004 App. C's procedure (module docstring), then
    post-process it.  The same ``seed`` always gives the same architecture."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), _SAMPLER_STREAM]))
    depth = int(rng.choice(DEPTHS))
    width = width_for_budget(depth, d_in, d_out, budget)
    gaussian_bias = bool(rng.random() < 0.5)
    joint = float(_choice(rng, (0.9, 1.0, 1.1), (1, 2, 1)))
    norm_sampled = str(_choice(rng, NORMS_004, (2, 1, 1)))
    base = str(_choice(rng, BASE_ACTIVATIONS, ACTIVATION_WEIGHTS))
    dil = float(_choice(rng, (1.0, 1.2, 0.8), (2, 1, 1)))
    shift = float(_choice(rng, (0.0, 0.2, -0.2), (2, 1, 1)))
    debias = bool(rng.random() < 0.5)
    skip = str(_choice(rng, SKIPS, (2, 1, 1)))
    u = float(rng.random())
    strength = {"none": 0.0, "one": 1.0, "uniform": u}[skip]
    start = str(_choice(rng, SKIP_STARTS, (1, 1)))
    post = str(_choice(rng, ("batch", "layer"), (1, 1)))
    norm = norm_sampled
    if norm == "none" and (base in ("square", "odd_square") or skip != "none"):
        norm = post  # App. C's post-processing step
    spec, c, b = modified_activation(base, dil, shift, debias)
    gain = (math.sqrt(1 - BIAS_VARIANCE) if gaussian_bias else 1.0) * joint
    bstd = math.sqrt(BIAS_VARIANCE) * joint if gaussian_bias else 0.0
    return Architecture(int(seed), depth, width, int(d_in), int(d_out), base, dil, shift, debias,
                        spec, c, b, gaussian_bias, joint, gain, bstd, norm, norm_sampled, skip,
                        strength, start if skip != "none" else "none")


class SampledNetwork(torch.nn.Module):
    """A sampled :class:`Architecture` as a trainable torch module.

    Layer ``l`` (1-based): ``y_l = W_l a_{l-1} + b_l`` (``a_0 = x``), plus the skip stream
    after odd layers ``l ≥ 3``; ``n_l = norm(y_l)``; ``a_l = τ(n_l)``; the last layer is
    ``y_D`` alone (no normalisation, no activation).  A skip connection starts after the
    linear (``y_l``) or the normalisation (``n_l``) operation of odd layer ``l`` and ends after
    the linear operation of layer ``l + 2``, scaled by the skip strength; the last one
    (into layer ``D``) goes through the fixed projection ``P`` (a buffer, never trained).
    Batchnorm uses the statistics of the batch axis ``-2`` (any leading axes are independent
    batches); layer norm is Ba et al.'s (centred), both without affine parameters.

    Parameters are drawn on the CPU exactly as :class:`ringing.simulate.networks.Network`
    draws them (``layer_generator(seed, l)``: the orthogonal weight, then the bias); ``P``
    from ``layer_generator(seed, depth + 1)``.  Floats are float64 by default (E.2).

    :meth:`estimator_view` presents it to :func:`ringing.simulate.measure.empirical_nlc`.
    """

    projection: torch.Tensor

    def __init__(self, arch: Architecture, *, device: str = "cpu", dtype: str = "float64"
                 ) -> None:
        super().__init__()
        self.arch = arch
        dev = resolve_device(device)
        dt = resolve_dtype(dtype)
        self.act = get_activation(arch.activation).torch
        ws, bs = [], []
        for layer in range(1, arch.depth + 1):
            fan_in = arch.d_in if layer == 1 else arch.width
            fan_out = arch.d_out if layer == arch.depth else arch.width
            g = layer_generator(arch.seed, layer)
            w = init_weight(fan_out, fan_in, generator=g, kind="orthogonal",
                            gain=arch.weight_gain, dtype=dt)
            b = init_bias(fan_out, generator=g, sigma_b=arch.bias_std, dtype=dt)
            ws.append(torch.nn.Parameter(w.to(dev)))
            bs.append(torch.nn.Parameter(b.to(dev)))
        self.weights = torch.nn.ParameterList(ws)
        self.biases = torch.nn.ParameterList(bs)
        proj = init_weight(arch.d_out, arch.width, generator=layer_generator(arch.seed,
                                                                            arch.depth + 1),
                           kind="orthogonal", gain=1.0, dtype=dt)
        self.register_buffer("projection", proj.to(dev))
        self.device_ = dev
        self.dtype_ = dt

    def _norm(self, y: torch.Tensor) -> torch.Tensor:
        if self.arch.norm == "batch":
            return batch_norm_na(y, dim=-2)
        if self.arch.norm == "layer":
            return F.layer_norm(y, (y.shape[-1],))
        return y

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """The network output for a ``(..., batch, d_in)`` input."""
        return self._forward(x)

    def estimator_view(self) -> NLCView:
        """This network in the protocol of :func:`ringing.simulate.measure.empirical_nlc`."""
        return NLCView(self)

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.arch
        h = x
        stream: torch.Tensor | None = None
        skip = a.skip != "none"
        for i in range(a.depth):
            layer = i + 1
            y = F.linear(h, self.weights[i], self.biases[i])
            if skip and layer >= 3 and layer % 2 == 1:
                assert stream is not None
                s = stream if layer < a.depth else F.linear(stream, self.projection)
                y = y + a.skip_strength * s
            if layer == a.depth:
                return y
            n = self._norm(y)
            if skip and layer % 2 == 1:
                stream = y if a.skip_start == "linear" else n
            h = self.act(n)
        raise AssertionError("unreachable")  # pragma: no cover

    def as_input(self, x: Any) -> torch.Tensor:
        """``x`` as a ``(batch, d_in)`` tensor on this network's device and dtype."""
        return input_tensor(x, self.arch.d_in, self.device_, self.dtype_)


class NLCView:
    """A :class:`SampledNetwork` seen through the estimator protocol of
    :mod:`ringing.simulate.measure` (``config.d_out``, ``as_input``, ``forward(x, keep)``
    returning ``(output, stored)``, ``vjp(stored, u)``), so that
    :func:`~ringing.simulate.measure.empirical_nlc` measures it unchanged."""

    def __init__(self, net: SampledNetwork) -> None:
        self.net = net
        self.config = _Dims(net.arch.d_in, net.arch.d_out)

    def as_input(self, x: Any) -> torch.Tensor:
        return self.net.as_input(x)

    def forward(self, x: Any, *, keep: bool = False) -> tuple[torch.Tensor, list[torch.Tensor]]:
        h = self.as_input(x)
        out = self.net(h)
        check_finite(out, "the network output")
        return out, ([h] if keep else [])

    def holding(self) -> contextlib.AbstractContextManager[Any]:
        """The sampled network's parameters are always held: nothing to do."""
        return contextlib.nullcontext()

    def function(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """The whole network as one function of its (jointly propagated) batch."""
        return self.net._forward

    def name_overflow(self, x: torch.Tensor, hs: Sequence[torch.Tensor] | None = None) -> None:
        """Raise :class:`ForwardOverflowError` when the output at ``x`` is not finite (the
        sampled network is checked as a whole, not layer by layer)."""
        check_finite(x, "the input")
        with torch.no_grad():
            check_finite(self.net._forward(x), "the network output")

    def vjp(self, hs: Sequence[torch.Tensor], cotangent: torch.Tensor, *,
            param_grad_norms: bool = False) -> tuple[torch.Tensor, list[float]]:
        """``uᵀ J(X)`` of the jointly propagated batch ``hs[0]`` (batchnorm couples rows)."""
        pull = torch.func.vjp(self.net._forward, hs[0])[1]
        (g,) = pull(cotangent)
        check_finite(g, "the backward pass")
        return g.detach(), []


@dataclass(frozen=True)
class _Dims:
    d_in: int
    d_out: int


