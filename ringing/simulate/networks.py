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
``(seed, layer)`` (:func:`layer_seed`), on the CPU by default, so that a layer can be
regenerated bit-identically at any time: a :class:`Network` keeps its layers in
memory when they fit in ``memory_budget`` bytes and otherwise regenerates them on
the fly, so that memory stays bounded at large width × depth.  Inside one
measurement (:meth:`Network.holding`) the layers are held whenever they fit in the
memory actually available (:func:`ringing.simulate.common.available_memory`), so a
layer — an orthogonal one with its QR above all — is drawn once per measurement,
not once per pass.  A Gaussian layer too large for memory is never built whole: its
rows are drawn in blocks from the layer's generator (:func:`gaussian_weight_blocks`,
the same numbers as the whole draw) and multiplied as they come.  Drawing on the
CPU makes the numbers independent of the device; ``generator_device="device"``
draws on the network's device instead (same distribution, faster on a GPU, not
bit-identical to the CPU draw).

Finite checks cost no host synchronisation per layer: a pass accumulates one sum per
layer on the device and checks them once at the end; only when that check fails is
the pass re-run layer by layer to name the layer that overflowed.

The building blocks (:func:`layer_seed`, :func:`layer_generator`,
:func:`init_weight`, :func:`init_bias`, :func:`layer_norm_nc`,
:func:`batch_norm_na`, :func:`normalize`, :func:`mlp_layer`,
:func:`residual_block`) are public so that other simulations (weight-space walks)
can reuse them.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ringing.activations import Activation, get_activation
from ringing.simulate.budget import BLOCK_BYTES, STREAM_FRACTION
from ringing.simulate.common import (
    GENERATOR_DEVICES,
    available_memory,
    resolve_device,
    resolve_dtype,
    rng_device,
)

__all__ = [
    "GENERATOR_DEVICES",
    "NORMS",
    "WEIGHT_KINDS",
    "ARCHITECTURES",
    "NetworkConfig",
    "Network",
    "ForwardOverflowError",
    "layer_seed",
    "layer_generator",
    "init_weight",
    "gaussian_weight_blocks",
    "init_bias",
    "layer_norm_nc",
    "batch_norm_na",
    "normalize",
    "mlp_layer",
    "mlp_layer_blocks",
    "residual_block",
    "check_finite",
    "input_tensor",
]

NORMS = ("layer", "batch", "none")
WEIGHT_KINDS = ("gaussian", "orthogonal")
ARCHITECTURES = ("mlp", "resnet")
BN_EPS = 1e-5
HOLD_FRACTION = 0.5    # a measurement holds its layers when they need at most this share


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


def layer_generator(seed: int, layer: int,
                    device: str | torch.device = "cpu") -> torch.Generator:
    """The ``torch.Generator`` from which layer ``layer``'s parameters are drawn.

    On the CPU by default (the same numbers on every machine); on another ``device``
    the draws follow the same distribution but are not bit-identical to the CPU's
    (a different generator algorithm, e.g. Philox on CUDA).
    """
    g = torch.Generator(device=torch.device(device))
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
    Drawn from ``generator`` on that generator's device.
    """
    _check_dim("fan_out", fan_out)
    _check_dim("fan_in", fan_in)
    if not math.isfinite(gain):
        raise ValueError(f"weight gain must be finite, got {gain}")
    dev = generator.device
    if kind == "gaussian":
        w = torch.randn(fan_out, fan_in, generator=generator, dtype=dtype, device=dev)
        return w.mul_(gain / math.sqrt(fan_in))
    if kind == "orthogonal":
        big, small = max(fan_out, fan_in), min(fan_out, fan_in)
        a = torch.randn(big, small, generator=generator, dtype=torch.float64, device=dev)
        q, r = torch.linalg.qr(a, mode="reduced")
        q = q * torch.sign(torch.diagonal(r)).where(torch.diagonal(r) != 0, 1.0)
        w = q if fan_out >= fan_in else q.T
        scale = gain * max(1.0, math.sqrt(fan_out / fan_in))
        return (w * scale).to(dtype).contiguous()
    raise ValueError(f"unknown weight kind {kind!r}; known: {', '.join(WEIGHT_KINDS)}")


def gaussian_weight_blocks(fan_out: int, fan_in: int, *, generator: torch.Generator,
                           gain: float = 1.0, dtype: torch.dtype = torch.float32,
                           block_rows: int = 1024) -> Iterator[tuple[int, torch.Tensor]]:
    """The rows of ``init_weight(fan_out, fan_in, kind="gaussian")`` in blocks.

    Yields ``(first_row, block)`` with ``block`` of shape ``(rows, fan_in)``, drawn
    one after another from ``generator``: the blocks are the rows of the whole draw,
    bit for bit (torch's CPU normal sampler transforms its uniforms in groups of 16 and
    redraws the last 16 values of a tensor whose size is not a multiple of 16; so every
    block but the last holds a multiple of 16 rows, and the last at least 16 values —
    checked by a property test), and the generator
    ends in the same state, so the bias drawn next is the same too.  A layer
    therefore never needs to exist whole: width beyond memory.
    """
    _check_dim("fan_out", fan_out)
    _check_dim("fan_in", fan_in)
    _check_dim("block_rows", block_rows)
    rows = max(16, (block_rows // 16) * 16)
    scale = gain / math.sqrt(fan_in)
    r0 = 0
    while r0 < fan_out:
        n = min(rows, fan_out - r0)
        if 0 < (fan_out - r0 - n) * fan_in < 16:  # the sampler redraws a short tail's last
            n = fan_out - r0  # 16 values: a final block of < 16 values joins this one
        blk = torch.randn(n, fan_in, generator=generator, dtype=dtype, device=generator.device)
        yield r0, blk.mul_(scale)
        r0 += n


def init_bias(n: int, *, generator: torch.Generator, sigma_b: float = 0.0,
              dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A bias vector with i.i.d. ``N(0, σ_b²)`` entries (seed 002 eq 2.1)."""
    _check_dim("bias length", n)
    b = torch.randn(n, generator=generator, dtype=dtype, device=generator.device)
    return b.mul_(sigma_b)


def layer_norm_nc(y: torch.Tensor, *, inplace: bool = False) -> torch.Tensor:
    """LayerNorm without centering, ``z = √N y / ‖y‖`` row-wise (seed 002 eq 2.1).

    ``inplace=True`` scales ``y`` itself when nothing needs its old value (no autograd
    graph, no torch.func transform); callers pass it for a buffer they just made.
    """
    n = y.shape[-1]
    scale = math.sqrt(n) / torch.linalg.vector_norm(y, dim=-1, keepdim=True)
    if inplace and _plain(y):
        return y.mul_(scale)
    return y * scale


def _plain(t: torch.Tensor) -> bool:
    """Whether ``t`` can be overwritten: an ordinary tensor outside autograd and torch.func."""
    return (not (torch.is_grad_enabled() and t.requires_grad) and type(t) is torch.Tensor
            and not torch._C._functorch.is_functorch_wrapped_tensor(t))


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


def normalize(y: torch.Tensor, norm: str, *, inplace: bool = False) -> torch.Tensor:
    """Apply the normalisation named ``norm`` (``"layer"``, ``"batch"`` or ``"none"``);
    ``inplace`` as in :func:`layer_norm_nc`."""
    if norm == "layer":
        return layer_norm_nc(y, inplace=inplace)
    if norm == "batch":
        return batch_norm_na(y)
    if norm == "none":
        return y
    raise ValueError(f"unknown normalisation {norm!r}; known: {', '.join(NORMS)}")


def mlp_layer(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
              act: Callable[[torch.Tensor], torch.Tensor] | None, norm: str) -> torch.Tensor:
    """One layer of seed 002 eq 2.1: ``norm(W φ(h) + b)`` (``act=None`` is the identity)."""
    a = h if act is None else act(h)
    return normalize(torch.addmm(bias, a, weight.T), norm, inplace=True)


def mlp_layer_blocks(h: torch.Tensor, blocks: Iterator[tuple[int, torch.Tensor]],
                     bias: Callable[[], torch.Tensor], fan_out: int,
                     act: Callable[[torch.Tensor], torch.Tensor] | None,
                     norm: str) -> torch.Tensor:
    """:func:`mlp_layer` with ``W`` given as row blocks (``(first_row, rows)`` pairs).

    ``y[:, rows] = φ(h) W[rows]ᵀ`` block by block, then ``+ b`` (``bias()`` is called
    after the last block, so a bias drawn after the weights from one generator gets
    the same numbers) and the normalisation: the same layer as :func:`mlp_layer`
    without ever holding ``W`` whole.
    """
    a = h if act is None else act(h)
    y = torch.empty(a.shape[0], fan_out, dtype=a.dtype, device=a.device)
    for r0, blk in blocks:
        y[:, r0:r0 + blk.shape[0]] = a @ blk.T
    y += bias()
    return normalize(y, norm, inplace=True)


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
    """A network at initialisation drawn with ``seed`` (seed 002 eq 2.1); layers held,
    regenerated or streamed.

    Parameters
    ----------
    config
        The architecture.
    seed
        Non-negative integer; layer ``l`` is drawn from ``layer_generator(seed, l)``.
    device, dtype
        ``"auto"`` picks CUDA when present; ``"float32"`` or ``"float64"``.
    memory_budget
        Parameters are kept in memory for the network's lifetime when they need at most
        this many bytes; otherwise each layer is regenerated when it is needed, except
        inside :meth:`holding` (one measurement), which holds them when they fit in the
        available memory.
    generator_device
        ``"cpu"`` (default): parameters drawn by CPU generators, bit-identical on every
        device.  ``"device"``: drawn by generators on ``device`` — the same distribution,
        no host-to-device copy, but not the same numbers as the CPU draw.
    memory_available
        Bytes this network may use; default (``None``): :func:`available_memory` of the
        device, asked when needed.  A Gaussian MLP layer larger than a quarter of it is
        streamed in row blocks (:func:`gaussian_weight_blocks`); an orthogonal or resnet
        layer that large is refused (a QR needs the whole matrix).
    """

    def __init__(self, config: NetworkConfig, seed: int = 0, *, device: str = "auto",
                 dtype: str | torch.dtype = "float32", memory_budget: int = 2 << 30,
                 generator_device: str = "cpu", memory_available: int | None = None) -> None:
        layer_seed(seed, 0)  # validates the seed
        if memory_available is not None and memory_available < 1:
            raise ValueError(f"memory_available must be positive, got {memory_available}")
        self.config = config
        self.seed = int(seed)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype)
        self.generator_device = rng_device(generator_device, self.device)
        self._memory_available = memory_available
        self.itemsize = torch.empty((), dtype=self.dtype).element_size()
        self.hold = config.param_bytes(self.itemsize) <= memory_budget
        self._measuring = 0  # depth of nested holding() blocks
        self._held_now = False
        self._cache: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self._spill: tempfile.TemporaryDirectory[str] | None = None
        self._spilled: set[int] = set()
        self.stream = self._layer_bytes() > STREAM_FRACTION * self.memory_available()
        if self.stream:
            if config.architecture != "mlp" or config.weights != "gaussian":
                need = self._layer_bytes() * (2 if config.weights == "orthogonal" else 1)
                raise ValueError(
                    f"one {config.architecture} layer of width {config.width} with "
                    f"{config.weights} weights needs {need / 2**30:.1f} GiB whole, more than "
                    f"{STREAM_FRACTION:.0%} of the {self.memory_available() / 2**30:.1f} GiB "
                    "available; only Gaussian MLP layers can be streamed in row blocks")
            self.hold = False
        self._fns: list[Callable[..., torch.Tensor]] = [
            self._make_fn(layer) for layer in range(1, config.depth + 1)]

    # -- memory -------------------------------------------------------------------
    def memory_available(self) -> int:
        """Bytes this network may use (``memory_available`` or the device's free memory)."""
        if self._memory_available is not None:
            return self._memory_available
        return available_memory(self.device)

    def _layer_bytes(self) -> int:
        c = self.config
        if c.architecture == "resnet":
            return 2 * c.width**2 * self.itemsize
        big = max(o * i for o, i in (c.layer_shape(layer) for layer in range(1, c.depth + 1)))
        item = 8 if c.weights == "orthogonal" else self.itemsize  # the QR is in float64
        return big * item

    @contextmanager
    def holding(self) -> Iterator[bool]:
        """Hold every layer for the duration of one measurement, when memory allows.

        Inside the block each layer is drawn at most once (an orthogonal layer's QR
        included) if all parameters need at most half the available memory; the held
        layers are released on exit unless the network holds them anyway.  Yields
        whether layers are held.  Blocks nest (the outermost decides).
        """
        if self._measuring:
            self._measuring += 1
            try:
                yield self.hold or self._held_now
            finally:
                self._measuring -= 1
            return
        self._measuring = 1
        self._held_now = (not self.hold and not self.stream and self.config.param_bytes(
            self.itemsize) <= HOLD_FRACTION * self.memory_available())
        try:
            yield self.hold or self._held_now
        finally:
            if self._held_now:
                self._cache.clear()
            self._held_now = False
            self._measuring = 0

    # -- parameters ---------------------------------------------------------------
    def _generator(self, layer: int) -> torch.Generator:
        return layer_generator(self.seed, layer, self.generator_device)

    def _draw(self, layer: int) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.config
        g = self._generator(layer)
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
        """Parameters of layer ``layer`` (1-based): ``(W, b)`` or, for a resnet, ``(U, V)``.

        A streamed network (a layer too large for memory) has no whole parameters:
        use :meth:`apply_layer`.
        """
        if not 1 <= layer <= self.config.depth:
            raise ValueError(f"layer {layer} outside 1..{self.config.depth}")
        if layer in self._cache:
            return self._cache[layer]
        if self.stream:
            raise ValueError(f"layer {layer} of width {self.config.width} is streamed in row "
                             "blocks (too large for memory): only forward passes and "
                             "correlations are available, not Jacobians or gradients")
        p = self._load(layer) if layer in self._spilled else None
        if p is None:
            p = self._draw(layer)
            if not self.hold and self.config.weights == "orthogonal":
                self._store(layer, p)
        if self.hold or self._held_now:
            self._cache[layer] = p
        return p

    # An orthogonal layer not held for the network's lifetime is kept in a temporary file
    # once factorised ("keep Q"), and mapped back (mmap) when needed: the same bits for a
    # fraction of a QR, in page cache that the kernel may reclaim, not in the heap.
    def _store(self, layer: int, p: tuple[torch.Tensor, torch.Tensor]) -> None:
        need = sum(t.numel() for t in p) * self.itemsize
        if self._spill is None:
            if shutil.disk_usage(tempfile.gettempdir()).free < 2 * self.config.param_bytes(
                    self.itemsize):
                return  # no room on disk for every layer: regenerate instead
            self._spill = tempfile.TemporaryDirectory(prefix="ringing-layers-")
        if shutil.disk_usage(self._spill.name).free < 2 * need:
            return
        for k, t in enumerate(p):
            t.detach().cpu().numpy().tofile(Path(self._spill.name) / f"{layer}.{k}")
        self._spilled.add(layer)

    def _load(self, layer: int) -> tuple[torch.Tensor, torch.Tensor] | None:
        assert self._spill is not None
        ts = []
        for k, shape in enumerate(self._param_shapes(layer)):
            path = Path(self._spill.name) / f"{layer}.{k}"
            try:
                t = torch.from_file(str(path), shared=True, size=math.prod(shape),
                                    dtype=self.dtype).view(shape)
            except (OSError, RuntimeError):  # the file went away: draw again
                self._spilled.discard(layer)
                return None
            ts.append(t.to(self.device))
        return ts[0], ts[1]

    def _param_shapes(self, layer: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        c = self.config
        if c.architecture == "mlp":
            fan_out, fan_in = c.layer_shape(layer)
            return (fan_out, fan_in), (fan_out,)
        return (c.width, c.width), (c.width, c.width)

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

    def apply_layer(self, layer: int, h: torch.Tensor) -> torch.Tensor:
        """``z^l`` from ``z^{l-1} = h``, with held, regenerated or streamed parameters."""
        if not self.stream:
            return self._fns[layer - 1](h, *self.params(layer))
        c = self.config
        fan_out, fan_in = c.layer_shape(layer)
        g = self._generator(layer)
        rows = max(16, BLOCK_BYTES // (fan_in * self.itemsize))
        blocks = ((r0, blk.to(self.device)) for r0, blk in gaussian_weight_blocks(
            fan_out, fan_in, generator=g, gain=c.sigma_w, dtype=self.dtype, block_rows=rows))
        act = c.activations[layer - 1]
        return mlp_layer_blocks(
            h, blocks, lambda: init_bias(fan_out, generator=g, sigma_b=c.sigma_b,
                                         dtype=self.dtype).to(self.device),
            fan_out, None if act is None else act.torch, c.layer_norm_kind(layer))

    # -- passes ---------------------------------------------------------------
    def as_input(self, x: Any) -> torch.Tensor:
        """``x`` as a ``(batch, d_in)`` tensor on this network's device and dtype."""
        return input_tensor(x, self.config.d_in, self.device, self.dtype)

    def forward(self, x: Any, *, keep: bool = False) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Propagate ``x``; returns the output and, with ``keep``, ``[z^0, ..., z^L]``.

        One host synchronisation per pass: every layer adds its output's sum to a list
        on the device, checked once at the end (an inf or NaN anywhere makes its sum
        non-finite); only then is the pass re-run layer by layer to name the layer
        (:class:`ForwardOverflowError`).
        """
        x0 = self.as_input(x)
        h = x0
        hs = [h] if keep else []
        sums = [h.sum()]
        with self.holding():
            for layer in range(1, self.config.depth + 1):
                h = self.apply_layer(layer, h)
                sums.append(h.sum())
                if keep:
                    hs.append(h)
            if not bool(torch.isfinite(torch.stack(sums)).all()):
                self.name_overflow(x0, hs if keep else None)
        return h, hs

    def check_layer(self, layer: int, prev: torch.Tensor, out: torch.Tensor) -> None:
        """Raise a one-line error when layer ``layer``'s output ``out`` (from ``prev``) is not
        finite: ``ValueError`` naming 0/0 when the layer normalised all-zero rows,
        :class:`ForwardOverflowError` otherwise.  A host sync: called only from
        :meth:`name_overflow`, after the pass's single finite check failed (or per layer where
        a caller wants it)."""
        if bool(torch.isfinite(out).all()):
            return
        self._zero_before_norm(layer, prev)
        check_finite(out, self.describe_layer(layer))

    def _zero_before_norm(self, layer: int, prev: torch.Tensor) -> None:
        c = self.config
        norm = c.layer_norm_kind(layer)
        if c.architecture != "mlp" or norm == "none":
            return
        act = c.activations[layer - 1]
        w, b = self.params(layer)
        y = torch.addmm(b, prev if act is None else act.torch(prev), w.T)
        dim = -1 if norm == "layer" else 0
        spread = y.abs().amax(dim=dim) if norm == "layer" else (y - y.mean(dim=0)).abs().amax(dim=0)
        if bool((spread == 0).any()):
            tiny = torch.finfo(self.dtype).tiny
            raise ValueError(
                f"layer {layer}'s pre-activations are all zero, so its {norm} normalisation "
                f"divides 0 by 0 (sigma_w={c.sigma_w:.6g}, sigma_b={c.sigma_b:.6g}; values "
                f"below {tiny:.3g} are 0 in {self.dtype}, and activation "
                f"{act.name if act else 'identity'!r} may be constant): use sigma_w > 0 or a "
                "larger sigma_b")

    __call__ = forward

    def name_overflow(self, x: torch.Tensor, hs: Sequence[torch.Tensor] | None = None) -> None:
        """Re-run (or, given the kept ``hs``, re-check) layer by layer and raise
        :class:`ForwardOverflowError` naming the first non-finite layer output.

        Returns quietly when every layer is finite (a sum that overflowed although its
        terms did not).
        """
        check_finite(x, "the input")
        h = x
        for layer in range(1, self.config.depth + 1):
            prev = h
            h = hs[layer] if hs is not None else self.apply_layer(layer, h)
            self.check_layer(layer, prev, h)  # names 0/0 in a normalisation, or overflow

    def function(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """The whole network as one function of its input (for ``torch.func``).

        Use it inside :meth:`holding` so that each layer is drawn once per measurement.
        """
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
        with self.holding():
            for layer in range(1, self.config.depth + 1):
                p = self.params(layer)
                fn = self._fns[layer - 1]
                t = torch.func.jvp(lambda h, fn=fn, p=p: fn(h, *p), (hs[layer - 1],), (t,))[1]
        return t

    def vjp(self, hs: Sequence[torch.Tensor], cotangent: torch.Tensor, *,
            param_grad_norms: bool = False) -> tuple[torch.Tensor, list[float]]:
        """Reverse-mode product ``uᵀ J`` at the stored activations ``hs``.

        With ``param_grad_norms`` also returns ``‖∂(u·f)/∂W^l‖_F`` for every layer
        (for a resnet, of the block's second matrix ``V``), input layer first.  Finite
        checks: one per pass, naming the layer where the backward pass stopped being
        finite.
        """
        g = cotangent
        norms: list[torch.Tensor] = []
        sums: list[torch.Tensor] = []
        with self.holding():
            for layer in range(self.config.depth, 0, -1):
                p = self.params(layer)
                fn = self._fns[layer - 1]
                if param_grad_norms:
                    pull = torch.func.vjp(fn, hs[layer - 1], *p)[1]
                    g, gw, gb = pull(g)
                    norms.append(torch.linalg.vector_norm(
                        gw if self.config.architecture == "mlp" else gb))
                else:
                    pull = torch.func.vjp(lambda h, fn=fn, p=p: fn(h, *p), hs[layer - 1])[1]
                    (g,) = pull(g)
                sums.append(g.sum())
        finite = torch.isfinite(torch.stack(sums)).cpu()
        if not bool(finite.all()):
            layer = self.config.depth - int(torch.nonzero(~finite)[0, 0])
            raise ForwardOverflowError(
                f"the backward pass at layer {layer} is not finite (overflow); use a "
                "normalisation, a smaller sigma_w, float64 or fewer layers")
        out = [float(v) for v in torch.stack(norms).cpu()] if norms else []
        out.reverse()
        return g, out
