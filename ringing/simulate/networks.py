"""Wide fully connected networks at initialisation (torch).

One layer structure covers the networks of seed 002 and seed 004:

* **MLP layer** ``l`` (seed 002 eq 2.1; seed 004 App. C): ``a = φ_l(z^{l-1})``,
  ``y^l = W^l a + b^l``, ``z^l = norm(y^l)`` where ``W^l`` has entries of variance
  ``σ_w² / N_{l-1}`` (the ``1/√N_{l-1}`` of eq 2.1 is folded into ``W``) and ``b^l``
  entries of variance ``σ_b²``.  ``φ_1`` is the identity (the "embedding" of seed 002
  §2.2), so a network of depth ``L`` has ``L`` linear layers and ``L - 1``
  activations, which is also how seed 004 counts depth ("depth 2 has one
  activation").  ``norm`` is ``"layer"`` (LayerNorm *without centering*,
  ``z = √N y / ‖y‖``, seed 002 eq 2.1), ``"batch"`` (BatchNorm without affine
  parameters, statistics over the batch, seed 004 App. C) or ``"none"``.
* **Residual block** ``l`` (seed 002 §3): ``Y = U z^{l-1}``,
  ``y = z^{l-1} + V φ(√m Y/‖Y‖) / √m``, ``z^l = √n y/‖y‖`` with ``U`` of unit
  variance and ``V`` of variance ``σ²`` (before the ``1/√m``).

Weights are Gaussian or orthogonal (seed 004 App. C: a sub-matrix of a Haar
orthogonal matrix times ``max(1, √(out/in))``, here also times ``σ_w``, so that both
kinds give ``E‖Wx‖² = σ_w² (out/in) ‖x‖²``).

Every layer's parameters are drawn from their own ``torch.Generator`` seeded by
``(seed, layer)`` (:func:`layer_seed`), on the CPU, so that a layer can be
regenerated bit-identically at any time: a :class:`Network` keeps its layers in
memory when they fit in ``memory_budget`` bytes and otherwise regenerates them on
the fly, so that memory stays bounded at large width × depth.  Drawing on the
CPU also makes the numbers independent of the device.

The building blocks (:func:`layer_seed`, :func:`layer_generator`,
:func:`init_weight`, :func:`init_bias`, :func:`layer_norm_nc`,
:func:`batch_norm_na`, :func:`normalize`, :func:`mlp_layer`,
:func:`residual_block`) are public so that other simulations (weight-space walks)
can reuse them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ringing.activations import Activation, get_activation
from ringing.simulate.common import resolve_device, resolve_dtype

__all__ = [
    "NORMS",
    "WEIGHT_KINDS",
    "ARCHITECTURES",
    "NetworkConfig",
    "Network",
    "ForwardOverflowError",
    "layer_seed",
    "layer_generator",
    "init_weight",
    "init_bias",
    "layer_norm_nc",
    "batch_norm_na",
    "normalize",
    "mlp_layer",
    "residual_block",
    "check_finite",
    "input_tensor",
]

NORMS = ("layer", "batch", "none")
WEIGHT_KINDS = ("gaussian", "orthogonal")
ARCHITECTURES = ("mlp", "resnet")
BN_EPS = 1e-5


class ForwardOverflowError(ValueError):
    """The forward (or backward) pass produced a non-finite value."""


# ----------------------------------------------------------------------------
# building blocks


def layer_seed(seed: int, layer: int) -> int:
    """A 63-bit seed for layer ``layer`` of the network drawn with ``seed``.

    Uses :class:`numpy.random.SeedSequence` so that nearby ``(seed, layer)`` pairs give
    unrelated streams.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if layer < 0:
        raise ValueError(f"layer index must be non-negative, got {layer}")
    state = np.random.SeedSequence([int(seed), int(layer)]).generate_state(2, dtype=np.uint32)
    return (int(state[0]) << 31) ^ int(state[1])


def layer_generator(seed: int, layer: int) -> torch.Generator:
    """The CPU ``torch.Generator`` from which layer ``layer``'s parameters are drawn."""
    g = torch.Generator(device="cpu")
    g.manual_seed(layer_seed(seed, layer))
    return g


def init_weight(fan_out: int, fan_in: int, *, generator: torch.Generator,
                kind: str = "gaussian", gain: float = 1.0,
                dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A ``(fan_out, fan_in)`` weight matrix with ``E‖Wx‖² = gain² (fan_out/fan_in) ‖x‖²``.

    ``kind="gaussian"``: i.i.d. ``N(0, gain²/fan_in)`` (seed 002 eq 2.1 with
    ``σ_w = gain``).  ``kind="orthogonal"``: seed 004 App. C, a ``fan_out × fan_in``
    sub-matrix of a Haar-random orthogonal matrix (QR of a Gaussian matrix with the
    sign of ``diag R`` fixed) times ``max(1, √(fan_out/fan_in))``, times ``gain``.
    Drawn on the CPU from ``generator``.
    """
    _check_dim("fan_out", fan_out)
    _check_dim("fan_in", fan_in)
    if not math.isfinite(gain):
        raise ValueError(f"weight gain must be finite, got {gain}")
    if kind == "gaussian":
        w = torch.randn(fan_out, fan_in, generator=generator, dtype=dtype)
        return w.mul_(gain / math.sqrt(fan_in))
    if kind == "orthogonal":
        big, small = max(fan_out, fan_in), min(fan_out, fan_in)
        a = torch.randn(big, small, generator=generator, dtype=torch.float64)
        q, r = torch.linalg.qr(a, mode="reduced")
        q = q * torch.sign(torch.diagonal(r)).where(torch.diagonal(r) != 0, 1.0)
        w = q if fan_out >= fan_in else q.T
        scale = gain * max(1.0, math.sqrt(fan_out / fan_in))
        return (w * scale).to(dtype).contiguous()
    raise ValueError(f"unknown weight kind {kind!r}; known: {', '.join(WEIGHT_KINDS)}")


def init_bias(n: int, *, generator: torch.Generator, sigma_b: float = 0.0,
              dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A bias vector with i.i.d. ``N(0, σ_b²)`` entries (seed 002 eq 2.1)."""
    _check_dim("bias length", n)
    b = torch.randn(n, generator=generator, dtype=dtype)
    return b.mul_(sigma_b)


def layer_norm_nc(y: torch.Tensor) -> torch.Tensor:
    """LayerNorm without centering, ``z = √N y / ‖y‖`` row-wise (seed 002 eq 2.1)."""
    n = y.shape[-1]
    return y * (math.sqrt(n) / torch.linalg.vector_norm(y, dim=-1, keepdim=True))


def batch_norm_na(y: torch.Tensor, eps: float = BN_EPS, *, dim: int = 0) -> torch.Tensor:
    """BatchNorm without affine parameters: ``(y - mean)/√(var + eps)`` over the batch axis
    ``dim`` (default 0).

    The biased batch variance is used, as in ``torch.nn.BatchNorm1d`` in training mode
    (seed 004 App. C: normalisation without trainable bias and variance).
    """
    if y.shape[dim] < 2:
        raise ValueError(f"batch normalisation needs a batch of at least 2, got {y.shape[dim]}")
    if y.dim() == 2 and dim in (0, -2):  # torch's fused kernel: (batch, features)
        return F.batch_norm(y, None, None, training=True, eps=eps)
    # two passes (torch.var_mean over a middle axis is ~30x slower on the CPU)
    centred = y - y.mean(dim=dim, keepdim=True)
    inv = torch.rsqrt(centred.square().mean(dim=dim, keepdim=True) + eps)
    if torch.is_grad_enabled() and centred.requires_grad:
        return centred * inv
    return centred.mul_(inv)  # no graph to keep: reuse the fresh buffer


def normalize(y: torch.Tensor, norm: str) -> torch.Tensor:
    """Apply the normalisation named ``norm`` (``"layer"``, ``"batch"`` or ``"none"``)."""
    if norm == "layer":
        return layer_norm_nc(y)
    if norm == "batch":
        return batch_norm_na(y)
    if norm == "none":
        return y
    raise ValueError(f"unknown normalisation {norm!r}; known: {', '.join(NORMS)}")


def mlp_layer(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
              act: Callable[[torch.Tensor], torch.Tensor] | None, norm: str) -> torch.Tensor:
    """One layer of seed 002 eq 2.1: ``norm(W φ(h) + b)`` (``act=None`` is the identity)."""
    a = h if act is None else act(h)
    return normalize(torch.addmm(bias, a, weight.T), norm)


def residual_block(z: torch.Tensor, u: torch.Tensor, v: torch.Tensor,
                   act: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """The residual block of seed 002 §3.

    ``Y = U z``; ``y = z + V φ(√m Y/‖Y‖)`` with ``V`` already carrying its
    ``σ/√m`` scale; ``z' = √n y/‖y‖``.  ``u`` is ``(m, n)``, ``v`` is ``(n, m)``.
    """
    big_y = z @ u.T
    return layer_norm_nc(z + act(layer_norm_nc(big_y)) @ v.T)


def input_tensor(x: Any, d_in: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """``x`` as a ``(batch, d_in)`` tensor on ``device`` in ``dtype``, or a one-line error."""
    t = torch.as_tensor(x).to(device=device, dtype=dtype)
    if t.ndim != 2 or t.shape[1] != d_in:
        raise ValueError(f"input must have shape (batch, {d_in}), got {tuple(t.shape)}")
    return t


def check_finite(t: torch.Tensor, what: str) -> None:
    """Raise :class:`ForwardOverflowError` naming ``what`` when ``t`` holds inf/NaN."""
    if not bool(torch.isfinite(t).all()):
        raise ForwardOverflowError(
            f"{what} is not finite (overflow); use a normalisation, a smaller sigma_w, "
            "float64 or fewer layers")


def _check_dim(name: str, n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")


# ----------------------------------------------------------------------------
# network


@dataclass(frozen=True)
class NetworkConfig:
    """Architecture of a network at initialisation.

    Parameters
    ----------
    width
        Hidden width ``N`` (also the input width unless ``in_dim`` is given).
    depth
        Number of linear layers (MLP) or residual blocks (resnet).
    activation
        One spec for every layer (then ``φ_1`` is the identity, seed 002 §2.2), or a
        sequence of ``depth`` specs ``φ_1..φ_L``.
    sigma_w, sigma_b
        Weight and bias standard deviations (seed 002 eq 2.1).
    norm
        ``"layer"``, ``"batch"`` or ``"none"``.
    weights
        ``"gaussian"`` or ``"orthogonal"``.
    architecture
        ``"mlp"`` or ``"resnet"`` (seed 002 §3; ``resnet_sigma`` is σ of ``V``).
    in_dim, out_dim
        Input and output widths (default ``width``).
    final_norm
        Whether the last layer is normalised (seed 002: yes; seed 004's NLC networks:
        no, the last layer is a plain linear map).
    """

    width: int
    depth: int
    activation: str | tuple[str, ...] = "relu"
    sigma_w: float = 1.0
    sigma_b: float = 0.0
    norm: str = "layer"
    weights: str = "gaussian"
    architecture: str = "mlp"
    resnet_sigma: float = 1.0
    in_dim: int | None = None
    out_dim: int | None = None
    final_norm: bool = True
    activations: tuple[Activation | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_dim("width", self.width)
        _check_dim("depth", self.depth)
        if self.in_dim is not None:
            _check_dim("in_dim", self.in_dim)
        if self.out_dim is not None:
            _check_dim("out_dim", self.out_dim)
        for name in ("sigma_w", "sigma_b", "resnet_sigma"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"{name} must be a finite non-negative number, got {v!r}")
        if self.norm not in NORMS:
            raise ValueError(f"unknown normalisation {self.norm!r}; known: {', '.join(NORMS)}")
        if self.weights not in WEIGHT_KINDS:
            raise ValueError(f"unknown weight kind {self.weights!r}; known: "
                             f"{', '.join(WEIGHT_KINDS)}")
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.architecture!r}; known: "
                             f"{', '.join(ARCHITECTURES)}")
        if self.architecture == "resnet":
            if self.in_dim not in (None, self.width) or self.out_dim not in (None, self.width):
                raise ValueError("a resnet keeps its width: in_dim and out_dim must equal width")
        acts: tuple[Activation | None, ...]
        if isinstance(self.activation, str):
            act = get_activation(self.activation)
            if self.architecture == "mlp":
                acts = (None,) + (act,) * (self.depth - 1)
            else:
                acts = (act,) * self.depth
        else:
            specs = tuple(self.activation)
            if len(specs) != self.depth:
                raise ValueError(f"{len(specs)} activations given for depth {self.depth}")
            acts = tuple(None if s == "identity" else get_activation(s) for s in specs)
            object.__setattr__(self, "activation", specs)
        object.__setattr__(self, "activations", acts)

    @property
    def d_in(self) -> int:
        return self.in_dim or self.width

    @property
    def d_out(self) -> int:
        return self.out_dim or self.width

    def layer_shape(self, layer: int) -> tuple[int, int]:
        """``(fan_out, fan_in)`` of linear layer ``layer`` (1-based)."""
        fan_in = self.d_in if layer == 1 else self.width
        fan_out = self.d_out if layer == self.depth else self.width
        return fan_out, fan_in

    def layer_norm_kind(self, layer: int) -> str:
        """The normalisation applied after linear layer ``layer``."""
        if layer == self.depth and not self.final_norm:
            return "none"
        return self.norm

    def param_bytes(self, itemsize: int) -> int:
        """Bytes of all parameters held at once."""
        total = 0
        for layer in range(1, self.depth + 1):
            o, i = self.layer_shape(layer)
            total += (o * i + o) if self.architecture == "mlp" else 2 * self.width**2
        return total * itemsize


class Network:
    """A network at initialisation drawn with ``seed``; layers held or regenerated.

    Parameters
    ----------
    config
        The architecture.
    seed
        Non-negative integer; layer ``l`` is drawn from ``layer_generator(seed, l)``.
    device, dtype
        ``"auto"`` picks CUDA when present; ``"float32"`` or ``"float64"``.
    memory_budget
        Parameters are kept in memory when they need at most this many bytes;
        otherwise every pass regenerates each layer (bounded memory, slower).
    """

    def __init__(self, config: NetworkConfig, seed: int = 0, *, device: str = "auto",
                 dtype: str | torch.dtype = "float32", memory_budget: int = 2 << 30) -> None:
        layer_seed(seed, 0)  # validates the seed
        self.config = config
        self.seed = int(seed)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype)
        itemsize = torch.empty((), dtype=self.dtype).element_size()
        self.hold = config.param_bytes(itemsize) <= memory_budget
        self._cache: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self._fns: list[Callable[..., torch.Tensor]] = [
            self._make_fn(layer) for layer in range(1, config.depth + 1)]

    # -- parameters ---------------------------------------------------------------
    def _draw(self, layer: int) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.config
        g = layer_generator(self.seed, layer)
        if c.architecture == "mlp":
            fan_out, fan_in = c.layer_shape(layer)
            w = init_weight(fan_out, fan_in, generator=g, kind=c.weights, gain=c.sigma_w,
                            dtype=self.dtype)
            b = init_bias(fan_out, generator=g, sigma_b=c.sigma_b, dtype=self.dtype)
            return w.to(self.device), b.to(self.device)
        n = c.width
        u = init_weight(n, n, generator=g, kind=c.weights, gain=1.0, dtype=self.dtype)
        v = init_weight(n, n, generator=g, kind=c.weights, gain=c.resnet_sigma, dtype=self.dtype)
        return u.to(self.device), v.to(self.device)

    def params(self, layer: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Parameters of layer ``layer`` (1-based): ``(W, b)`` or, for a resnet, ``(U, V)``."""
        if not 1 <= layer <= self.config.depth:
            raise ValueError(f"layer {layer} outside 1..{self.config.depth}")
        if layer in self._cache:
            return self._cache[layer]
        p = self._draw(layer)
        if self.hold:
            self._cache[layer] = p
        return p

    def _make_fn(self, layer: int) -> Callable[..., torch.Tensor]:
        c = self.config
        act = c.activations[layer - 1]
        act_fn = None if act is None else act.torch
        if c.architecture == "mlp":
            norm = c.layer_norm_kind(layer)
            return lambda h, w, b: mlp_layer(h, w, b, act_fn, norm)
        assert act_fn is not None
        return lambda z, u, v: residual_block(z, u, v, act_fn)

    def describe_layer(self, layer: int) -> str:
        """``"layer l output (activation NAME)"``, for error messages."""
        act = self.config.activations[layer - 1]
        return f"layer {layer} output (activation {act.name if act else 'identity'!r})"

    def layer_fn(self, layer: int) -> Callable[..., torch.Tensor]:
        """The pure function ``(h, *params) -> z^l`` of layer ``layer`` (1-based)."""
        return self._fns[layer - 1]

    # -- passes ---------------------------------------------------------------
    def as_input(self, x: Any) -> torch.Tensor:
        """``x`` as a ``(batch, d_in)`` tensor on this network's device and dtype."""
        return input_tensor(x, self.config.d_in, self.device, self.dtype)

    def forward(self, x: Any, *, keep: bool = False) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Propagate ``x``; returns the output and, with ``keep``, ``[z^0, ..., z^L]``."""
        h = self.as_input(x)
        check_finite(h, "the input")
        hs = [h] if keep else []
        for layer in range(1, self.config.depth + 1):
            h = self._fns[layer - 1](h, *self.params(layer))
            check_finite(h, self.describe_layer(layer))
            if keep:
                hs.append(h)
        return h, hs

    __call__ = forward

    def function(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """The whole network as one function of its input (for ``torch.func``)."""
        def f(x: torch.Tensor) -> torch.Tensor:
            h = x
            for layer in range(1, self.config.depth + 1):
                h = self._fns[layer - 1](h, *self.params(layer))
            return h
        return f

    def jvp(self, hs: Sequence[torch.Tensor], tangent: torch.Tensor) -> torch.Tensor:
        """Forward-mode product ``J t`` at the stored activations ``hs`` (from ``forward(keep)``).

        Layer by layer with :func:`torch.func.jvp`, so held or regenerated layers work alike.
        """
        t = tangent
        for layer in range(1, self.config.depth + 1):
            p = self.params(layer)
            fn = self._fns[layer - 1]
            t = torch.func.jvp(lambda h, fn=fn, p=p: fn(h, *p), (hs[layer - 1],), (t,))[1]
        return t

    def vjp(self, hs: Sequence[torch.Tensor], cotangent: torch.Tensor, *,
            param_grad_norms: bool = False) -> tuple[torch.Tensor, list[float]]:
        """Reverse-mode product ``uᵀ J`` at the stored activations ``hs``.

        With ``param_grad_norms`` also returns ``‖∂(u·f)/∂W^l‖_F`` for every layer
        (for a resnet, of the block's second matrix ``V``), input layer first.
        """
        g = cotangent
        norms: list[float] = []
        for layer in range(self.config.depth, 0, -1):
            p = self.params(layer)
            fn = self._fns[layer - 1]
            if param_grad_norms:
                pull = torch.func.vjp(fn, hs[layer - 1], *p)[1]
                g, gw, gb = pull(g)
                norms.append(float(torch.linalg.vector_norm(
                    gw if self.config.architecture == "mlp" else gb)))
            else:
                pull = torch.func.vjp(lambda h, fn=fn, p=p: fn(h, *p), hs[layer - 1])[1]
                (g,) = pull(g)
            check_finite(g, f"the backward pass at layer {layer}")
        norms.reverse()
        return g, norms
