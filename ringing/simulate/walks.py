"""Weight-space Fourier walks: measured blueshift on wide networks at initialisation.

Seed 000 (Ringing ReLUs) eq 1, §3-5, App. A.2, B.3, B.5, D.3, E.

A *walk* moves the weights of a network along a path ``W(t)`` and records every neuron of
every layer along it.  Two kinds of path, ``T`` samples each (default 100, seed 000 A.2):

* ``"segment"`` -- the paper's eq 1, ``W(t) = W + t * radius * D``, ``t = linspace(0, 1, T)``
  (``radius = 1/alpha``).  Its path function jumps from ``p(1)`` back to ``p(0)`` in the
  periodic extension that the DFT assumes, so every layer's spectrum carries a ``1/k``
  amplitude tail that has nothing to do with the network (seed 000 B.2 reads it as a property
  of ReLU).
* ``"loop"`` (the default) -- ``W(t) = W + R (cos 2 pi t D1 + sin 2 pi t D2)``, ``t = n / T``.
  The path is periodic, so the DFT sees only the harmonics the network makes: the first layer
  pre-activation is exactly the fundamental ``k = 1`` and every nonlinearity spreads it
  (eq 5-6) -- the quantity :func:`ringing.theory.harmonics.predict_walk_spectra` predicts.

The radius is absolute (``||D||_F = 1`` over all moved weights, times ``radius``: the paper's
convention) or relative (``||D^l||_F = R ||W^l||_F`` for every moved layer ``l``: the theory's
convention, width-independent).  Directions are random Gaussian over all layers, over one
layer only (B.3, App. E), or the gradient of a regression loss (App. D.3).

All ``T`` path points (and all directions of a chunk) are one batch: ``(W + c D) x = W x +
c (D x)`` (for loops ``W x + R(cos D1 x + sin D2 x)``), never ``T`` separate forward passes.
A loop's second direction is by default the first with its rows shifted by one,
``D2[i] = D1[i+1 mod m]`` (``second="shifted"``): every neuron's incoming weights still walk a
circle in the plane of two independent Gaussian vectors -- the same marginal law as two
independent draws -- but ``D2 x`` is ``D1 x`` with its entries shifted, so a loop costs two
matrix products per layer (``W x``, ``D1 x``), as a segment does, instead of three
(``second="independent"`` draws ``D2`` on its own; gradient directions always do).
Activations are kept feature-major, ``(K, N, B, T)``, so that the path axis is the contiguous
one for the per-layer FFT.

Spectra (seed 000 §3.1, §4.2): per layer, FFT of every neuron's path, DC removed, one-sided
power ``|z_k|^2`` with ``z_k = (1/T) sum_n p(t_n) e^{-2 pi i k n / T}``, ``k = 1..T//2``,
averaged over neurons and inputs for each (network, direction) *unit*, then over units;
normalised by its sum (:func:`ringing.spectral.normalise_power`).  Spectral centroid
and fractal exponent come from ``ringing.spectral`` (one definition); their
intervals are delete-one jackknife intervals over the independent networks (over the
directions when there is one network: intervals conditional on it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from ringing.activations import get_activation
from ringing.simulate.common import resolve_device, resolve_dtype, rng_device
from ringing.simulate.networks import batch_norm_na, init_weight, layer_generator
from ringing.stats import jackknife_ci

__all__ = [
    "PATHS",
    "DIRECTIONS",
    "SECONDS",
    "shift_rows",
    "WalkConfig",
    "WalkResult",
    "walk",
    "forward_fixed",
    "draw_network",
    "draw_inputs",
    "draw_directions",
    "run_walk",
    "layer_fits",
    "path_coefficients",
    "bin_filters",
    "band_correlation",
    "path_power",
    "SpectraMixin",
    "PathSettings",
]

PATHS = ("loop", "segment")
DIRECTIONS = ("random", "gradient")
SECONDS = ("auto", "shifted", "independent")
_DIR_OFFSET = 1_000_000  # layer_generator stream offsets: directions, inputs, readout
_INPUT_STREAM = 2_000_000
_READOUT_STREAM = 2_000_001
_GRAD_INPUT_STREAM = 3_000_000


# ----------------------------------------------------------------------------
# configuration


class PathSettings:
    """What every walk configuration shares (the MLP walks here, the model walks of
    :mod:`ringing.simulate.model_walks`): ``path``, ``points``, ``radius`` /
    ``relative_radius``, ``kmin`` / ``kmax`` and ``correlation_bins`` -- their checks and the
    quantities derived from them."""

    path: str
    points: int
    radius: float | None
    relative_radius: float | None
    kmin: int
    kmax: int | None
    correlation_bins: int

    def check_path_settings(self) -> None:
        """ValueError for a bad path, radius, fit range or number of correlation bins."""
        _check_int("points", self.points, 4, "T < 4 has no frequency to fit")
        if self.path not in PATHS:
            raise ValueError(f"path={self.path!r}; known: {', '.join(PATHS)}")
        if self.radius is not None and self.relative_radius is not None:
            raise ValueError("give a radius or a relative radius, not both")
        for name in ("radius", "relative_radius"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v)
                                      and v > 0):
                raise ValueError(f"{name}={v!r} must be a positive number")
        _check_int("kmin", self.kmin, 1)
        if self.kmax is not None:
            _check_int("kmax", self.kmax, self.kmin)
            if self.kmax > self.points // 2:
                raise ValueError(f"kmax={self.kmax} exceeds the Nyquist index T//2 = "
                                 f"{self.points // 2}")
        _check_int("correlation_bins", self.correlation_bins, 0)
        if self.correlation_bins > self.points // 2:
            raise ValueError(f"correlation_bins={self.correlation_bins} exceeds T//2")

    @property
    def n_freq(self) -> int:
        return self.points // 2

    @property
    def fit_range(self) -> tuple[int, int]:
        from ringing.spectral import default_kmax

        kmax = self.kmax if self.kmax is not None else default_kmax(self.points)
        return self.kmin, max(kmax, self.kmin)

    @property
    def is_relative(self) -> bool:
        return self.radius is None

    @property
    def radius_value(self) -> float:
        """The radius in force (absolute if ``radius`` was given, else relative)."""
        if self.radius is not None:
            return float(self.radius)
        return 0.5 if self.relative_radius is None else float(self.relative_radius)


@dataclass(frozen=True)
class WalkConfig(PathSettings):
    """A walk experiment.

    Parameters
    ----------
    activation
        Registry spec (``"relu"``, ``"lrelu(slope=0.2)"``, ``"identity"``, ...).
    depth, width
        Number of layers ``L`` and hidden width ``N``.
    in_dim
        Input width ``n_0`` (default ``width``).
    path
        ``"loop"`` (default) or ``"segment"`` (seed 000 eq 1).
    points
        Path samples ``T >= 4`` (default 100, seed 000 A.2).
    radius, relative_radius
        Absolute radius (``||D||_F = 1`` over all moved weights, times ``radius``; the paper's
        ``alpha^-1``) or relative radius (``||D^l||_F = R ||W^l||_F`` per moved layer).  At
        most one; neither means ``relative_radius=0.5``.
    directions
        Independent directions ``K`` per network (default 8).
    networks
        Independently initialised networks (seeds ``seed, seed+1, ...``; default 1).  With
        ``networks >= 2`` the intervals are delete-one-network jackknife intervals (population
        intervals); with one network they run over its directions and are conditional on it.
    direction
        ``"random"`` (Gaussian) or ``"gradient"`` (App. D.3: the gradient of a regression
        loss on a fresh minibatch per direction; a loop's second direction is a random one
        orthogonalised against it).
    layer_only
        Move only the weights of layer ``1..L`` (B.3, App. E); ``None`` moves all layers.
    residual
        ``None`` for a plain network; ``nu in [0, 1]`` for residual blocks
        ``x^l = (x^{l-1} + nu * branch(x^{l-1})) / sqrt(1 + nu^2)`` at layers ``2..L``
        (layer 1 maps ``n_0 -> N`` and is plain).
    average
        Feature averaging factor ``a >= 1`` (seed 000 §4.4): every layer has ``a N`` features
        and the ``a`` groups are averaged after the activation.
    norm
        ``"none"`` (default) or ``"batch"`` (BatchNorm without affine parameters on the
        pre-activation, statistics over the inputs at each path point, as in training mode).
    inputs
        Inputs ``B`` per walk (Gaussian, ``|x|^2 / n_0 = 1``; default 8; at least 2 with
        BatchNorm).
    sigma_w
        Weight standard deviation times ``sqrt(fan_in)`` (default ``sqrt 2``: He init).
    kmin, kmax
        Fit range of the fractal exponent (default ``1 .. min(25, T//2)``: fixed in ``k`` so
        that doubling ``T`` fits the same frequencies).
    second
        A loop's second direction ``D2``: ``"shifted"`` (``D1`` with its rows shifted by one:
        same law per neuron, two matrix products per layer instead of three),
        ``"independent"`` (its own Gaussian draw), or ``"auto"`` (default: shifted for random
        directions, independent for gradient directions, whose rows are not independent).
    correlation_bins
        Number of Gaussian frequency bins for the branch/shortcut correlation (Figure 6);
        0 (default) skips it.  Needs ``residual``.
    seed, device, dtype, chunk_bytes
        Seed, ``"auto"|"cpu"|"cuda"``, ``"float32"|"float64"``, and the memory budget of one
        chunk of directions (activations ``K T B N`` and directions are chunked to fit).
    generator_device
        Where weights, directions and inputs are drawn: ``"cpu"`` (default; the same numbers
        on every device) or ``"device"`` (on ``device``: the same distribution, no copy, not
        bit-identical to the CPU draw), see :func:`ringing.simulate.common.rng_device`.
    """

    activation: str
    depth: int
    width: int
    in_dim: int | None = None
    path: str = "loop"
    points: int = 100
    radius: float | None = None
    relative_radius: float | None = None
    directions: int = 8
    networks: int = 1
    direction: str = "random"
    layer_only: int | None = None
    residual: float | None = None
    average: int = 1
    norm: str = "none"
    inputs: int = 8
    sigma_w: float = math.sqrt(2.0)
    kmin: int = 1
    kmax: int | None = None
    second: str = "auto"
    correlation_bins: int = 0
    seed: int = 0
    device: str = "auto"
    dtype: str = "float32"
    chunk_bytes: int = 1 << 29
    generator_device: str = "cpu"

    def __post_init__(self) -> None:
        get_activation(self.activation)  # ValueError for a bad spec
        for name in ("depth", "width", "directions", "networks", "inputs", "average"):
            _check_int(name, getattr(self, name), 1)
        if self.in_dim is not None:
            _check_int("in_dim", self.in_dim, 1)
        self.check_path_settings()
        _check_int("seed", self.seed, 0)
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction={self.direction!r}; known: {', '.join(DIRECTIONS)}")
        if self.second not in SECONDS:
            raise ValueError(f"second={self.second!r}; known: {', '.join(SECONDS)}")
        if self.second == "shifted" and self.direction == "gradient":
            raise ValueError("second='shifted' needs random directions (a gradient's rows are "
                             "not independent); use second='independent'")
        if self.path == "loop" and self.second_direction == "shifted" \
                and self.average * self.width < 2:
            raise ValueError("a shifted second direction needs at least 2 neurons per layer")
        if self.norm not in ("none", "batch"):
            raise ValueError(f"norm={self.norm!r}; known: none, batch")
        if self.layer_only is not None:
            if isinstance(self.layer_only, bool) or not isinstance(self.layer_only, int) \
                    or not 1 <= self.layer_only <= self.depth:
                raise ValueError(f"layer_only={self.layer_only!r} must be a layer in "
                                 f"1..{self.depth}")
        if self.residual is not None and not (isinstance(self.residual, (int, float))
                                              and 0.0 <= self.residual <= 1.0):
            raise ValueError(f"residual={self.residual!r} must be a branch weight in [0, 1]")
        if self.norm == "batch" and self.inputs < 2:
            raise ValueError(f"BatchNorm needs at least 2 inputs, got inputs={self.inputs}")
        if not (math.isfinite(self.sigma_w) and self.sigma_w > 0):
            raise ValueError(f"sigma_w={self.sigma_w!r} must be positive")
        if self.correlation_bins and self.residual is None:
            raise ValueError("correlation_bins needs residual blocks (residual=nu)")
        resolve_dtype(self.dtype)
        rng_device(self.generator_device, "cpu")  # ValueError for an unknown choice

    @property
    def n_in(self) -> int:
        return self.in_dim or self.width

    @property
    def second_direction(self) -> str:
        """``"shifted"`` or ``"independent"`` (``second`` with ``"auto"`` resolved)."""
        if self.second != "auto":
            return self.second
        return "independent" if self.direction == "gradient" else "shifted"

    def moved(self, layer: int) -> bool:
        return self.layer_only is None or layer == self.layer_only

    def layer_shape(self, layer: int) -> tuple[int, int]:
        fan_in = self.n_in if layer == 1 else self.width
        return self.average * self.width, fan_in


def _check_int(name: str, v: Any, lo: int, why: str = "") -> None:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        extra = f" ({why})" if why else ""
        raise ValueError(f"{name}={v!r} must be an integer >= {lo}{extra}")


# ----------------------------------------------------------------------------
# network pieces (reusing ringing.simulate.networks' seeded building blocks)


def _generator(cfg: WalkConfig, net: int, stream: int, device: torch.device
               ) -> torch.Generator:
    """Stream ``stream`` of network ``net``: on the CPU or, with
    ``cfg.generator_device="device"``, on ``device``."""
    return layer_generator(cfg.seed + net, stream, rng_device(cfg.generator_device, device))


def draw_network(cfg: WalkConfig, net: int, device: torch.device,
                 dtype: torch.dtype) -> list[torch.Tensor]:
    """The weights ``W^1..W^L`` of network ``net`` (seed ``cfg.seed + net``), He-scaled."""
    out = []
    for layer in range(1, cfg.depth + 1):
        fo, fi = cfg.layer_shape(layer)
        w = init_weight(fo, fi, generator=_generator(cfg, net, layer, device),
                        gain=cfg.sigma_w, dtype=dtype)
        out.append(w.to(device))
    return out


def draw_inputs(cfg: WalkConfig, net: int, n: int, device: torch.device, dtype: torch.dtype,
                stream: int = _INPUT_STREAM) -> torch.Tensor:
    """``n`` Gaussian inputs rescaled to ``|x|^2 / n_0 = 1`` (the theory's ``input_scale``)."""
    g = _generator(cfg, net, stream, device)
    x = torch.randn(n, cfg.n_in, generator=g, dtype=dtype, device=g.device)
    x = x * (math.sqrt(cfg.n_in) / torch.linalg.vector_norm(x, dim=-1, keepdim=True))
    return x.to(device)


def _act_fn(cfg: WalkConfig) -> Callable[[torch.Tensor], torch.Tensor]:
    a = get_activation(cfg.activation)
    return a.torch  # type: ignore[no-any-return]


def _post(h: torch.Tensor, x_prev: torch.Tensor | None, layer: int, cfg: WalkConfig,
          act: Callable[[torch.Tensor], torch.Tensor], *, batch_dim: int = -2,
          feature_dim: int = -1) -> tuple[torch.Tensor, torch.Tensor]:
    """From pre-activation ``h`` to the layer output; returns (output, branch).

    ``h`` has its inputs on ``batch_dim`` and its ``a N`` features on ``feature_dim``: rows
    ``(..., B, aN)`` for a forward pass, ``(K, aN, B, T)`` along a walk."""
    if cfg.norm == "batch":  # statistics over the inputs at each path point
        h = batch_norm_na(h, dim=batch_dim)
    a = act(h)
    if cfg.average > 1:
        a = a.unflatten(feature_dim, (cfg.average, cfg.width)).mean(
            dim=feature_dim if feature_dim >= 0 else feature_dim - 1)
    if cfg.residual is not None and layer > 1 and x_prev is not None:
        nu = float(cfg.residual)
        return (x_prev + nu * a) / math.sqrt(1.0 + nu * nu), a
    return a, a


def forward_fixed(cfg: WalkConfig, weights: list[torch.Tensor], x: torch.Tensor
                  ) -> list[torch.Tensor]:
    """One forward pass at fixed weights; ``x`` is ``(..., B, n_0)``.  Returns every layer's
    output.  Same architecture as the walk (the walk's baseline in ``benchmarks/``)."""
    act = _act_fn(cfg)
    outs = []
    h = x
    for layer, w in enumerate(weights, start=1):
        h, _ = _post(h @ w.T, h, layer, cfg, act)
        outs.append(h)
    return outs


# ----------------------------------------------------------------------------
# directions


def _gaussian_dirs(cfg: WalkConfig, net: int, chunk: range, which: int, device: torch.device,
                   dtype: torch.dtype) -> list[torch.Tensor | None]:
    """Gaussian directions for the directions in ``chunk`` (``which`` = 0 or 1 for a loop's
    ``D1``/``D2``), one ``(K, fan_out, fan_in)`` tensor per moved layer, ``None`` elsewhere.
    Direction ``d`` of layer ``l`` is drawn from its own stream, so chunking does not change
    the numbers."""
    out: list[torch.Tensor | None] = []
    for layer in range(1, cfg.depth + 1):
        if not cfg.moved(layer):
            out.append(None)
            continue
        fo, fi = cfg.layer_shape(layer)
        mats = []
        for d in chunk:  # one generator per direction (K small): reproducible across chunks
            g = _generator(cfg, net, _DIR_OFFSET + (2 * d + which) * 4096 + layer, device)
            mats.append(torch.randn(fo, fi, generator=g, dtype=dtype, device=g.device))
        out.append(torch.stack(mats).to(device))
    return out


def _gradient_dirs(cfg: WalkConfig, net: int, chunk: range, weights: list[torch.Tensor],
                   device: torch.device, dtype: torch.dtype) -> list[torch.Tensor | None]:
    """App. D.3: the gradient at ``W`` of ``mean_b (u . x^L_b / sqrt N - y_b)^2 / 2`` (random
    readout ``u``, targets ``y``) on a fresh minibatch of ``inputs`` per direction."""
    g = _generator(cfg, net, _READOUT_STREAM, device)
    u = torch.randn(cfg.width, generator=g, dtype=dtype, device=g.device).to(device)
    per_layer: list[list[torch.Tensor]] = [[] for _ in range(cfg.depth)]
    for d in chunk:
        x = draw_inputs(cfg, net, max(cfg.inputs, 2), device, dtype,
                        stream=_GRAD_INPUT_STREAM + d)
        gy = _generator(cfg, net, _GRAD_INPUT_STREAM + 500_000 + d, device)
        y = torch.randn(x.shape[0], generator=gy, dtype=dtype, device=gy.device).to(device)
        ws = [w.detach().clone().requires_grad_(True) for w in weights]
        out = forward_fixed(cfg, ws, x)[-1]
        loss = 0.5 * ((out @ u / math.sqrt(cfg.width) - y) ** 2).mean()
        grads = torch.autograd.grad(loss, ws)
        for layer in range(cfg.depth):
            per_layer[layer].append(grads[layer].detach())
    return [torch.stack(per_layer[i]) if cfg.moved(i + 1) else None for i in range(cfg.depth)]


def _scale_dirs(cfg: WalkConfig, dirs: list[torch.Tensor | None],
                weights: list[torch.Tensor]) -> list[torch.Tensor | None]:
    """Absolute: ``||D||_F = radius`` over all moved layers; relative: ``||D^l||_F = R
    ||W^l||_F`` per moved layer.  Per direction (leading axis)."""
    r = cfg.radius_value
    if cfg.is_relative:
        out: list[torch.Tensor | None] = []
        for d, w in zip(dirs, weights, strict=True):
            if d is None:
                out.append(None)
                continue
            nd = torch.linalg.vector_norm(d.flatten(1), dim=1).clamp_min(1e-30)
            out.append(d * (r * torch.linalg.vector_norm(w) / nd)[:, None, None])
        return out
    sq = sum(torch.linalg.vector_norm(d.flatten(1), dim=1) ** 2 for d in dirs if d is not None)
    tot = torch.sqrt(torch.as_tensor(sq)).clamp_min(1e-30)
    return [None if d is None else d * (r / tot)[:, None, None] for d in dirs]


def _orthogonalise(d2: list[torch.Tensor | None], d1: list[torch.Tensor | None]
                   ) -> list[torch.Tensor | None]:
    """Remove from ``d2`` its component along ``d1`` (jointly over all layers, per direction)."""
    dot = sum((a.flatten(1) * b.flatten(1)).sum(1) for a, b in zip(d2, d1, strict=True)
              if a is not None and b is not None)
    n1 = sum((b.flatten(1) ** 2).sum(1) for b in d1 if b is not None)
    coef = torch.as_tensor(dot) / torch.as_tensor(n1).clamp_min(1e-30)
    return [None if a is None or b is None else a - coef[:, None, None] * b
            for a, b in zip(d2, d1, strict=True)]


# ----------------------------------------------------------------------------
# the walk engine


def path_coefficients(path: str, points: int, device: torch.device, dtype: torch.dtype
                      ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``c1(t_n)``, ``c2(t_n)`` with ``W(t) = W + c1 D1 + c2 D2`` for ``points`` samples of a
    ``"loop"`` (``cos``, ``sin`` of ``2 pi n / T``) or a ``"segment"`` (``linspace(0, 1, T)``,
    ``c2 = None``)."""
    if path == "segment":
        return torch.linspace(0.0, 1.0, points, dtype=dtype, device=device), None
    ang = 2.0 * math.pi * torch.arange(points, dtype=torch.float64) / points
    return torch.cos(ang).to(device, dtype), torch.sin(ang).to(device, dtype)


def _path_coefficients(cfg: WalkConfig, device: torch.device, dtype: torch.dtype
                       ) -> tuple[torch.Tensor, torch.Tensor | None]:
    return path_coefficients(cfg.path, cfg.points, device, dtype)


def shift_rows(d: torch.Tensor) -> torch.Tensor:
    """A loop's shifted second direction: ``D2[..., i, :] = D1[..., i+1 mod m, :]``.

    The engine never forms it -- ``D2 a`` is ``D1 a`` with its entries shifted (see
    :func:`_walk_linear`) -- this is the same matrix written out, for tests and for anyone who
    wants the weights at a path point."""
    return torch.roll(d, shifts=-1, dims=-2)


def _walk_linear(a: torch.Tensor, w: torch.Tensor, d1: torch.Tensor | None,
                 d2: torch.Tensor | None, c1: torch.Tensor, c2: torch.Tensor | None,
                 *, shifted: bool, shared_input: bool, n_dirs: int) -> torch.Tensor:
    """``(W + c1(t) D1 + c2(t) D2) a(t)`` for all directions and path points as one batch.

    ``a`` is feature-major ``(K, n, B, T)`` or, when ``shared_input`` (the network input,
    identical at every path point), ``(B, n)``.  Returns ``(K, m, B, T)``.  Two batched matrix
    products (``W a``, ``D1 a``) on all ``K B T`` columns, then ``W a + c1 D1 a + c2 D2 a``
    where, for a ``shifted`` loop, ``D2 a`` is ``D1 a`` shifted by one entry
    (:func:`shift_rows`); an ``independent`` loop adds the third product ``D2 a``.
    """
    m = w.shape[0]
    tn = c1.numel()
    if shared_input:  # the network input: the same at every path point -> B columns only
        xs = a.T  # (n, B)
        yw = (w @ xs)[None, :, :, None]  # (1, m, B, 1)
        if d1 is None:
            return yw.expand(n_dirs, m, xs.shape[1], tn)
        yd1 = torch.matmul(d1, xs)[..., None]  # (K, m, B, 1)
        yd2 = None if d2 is None else torch.matmul(d2, xs)[..., None]
    else:
        k, n, b, _ = a.shape
        flat = a.reshape(k, n, b * tn)
        yw = torch.matmul(w, flat).view(k, m, b, tn)
        if d1 is None:
            return yw
        yd1 = torch.bmm(d1, flat).view(k, m, b, tn)
        yd2 = None if d2 is None else torch.bmm(d2, flat).view(k, m, b, tn)
    # c1, c2 broadcast along the path axis (last); yw is a fresh product unless shared
    out = torch.addcmul(yw, yd1, c1) if shared_input else yw.addcmul_(yd1, c1)
    if c2 is not None:
        if shifted:  # (D2 a)_i = (D1 a)_{i+1 mod m}
            out[:, : m - 1].addcmul_(yd1[:, 1:], c2)
            out[:, m - 1:].addcmul_(yd1[:, :1], c2)
        elif yd2 is not None:
            out.addcmul_(yd2, c2)
    return out


def path_power(x: torch.Tensor, n_freq: int) -> torch.Tensor:
    """One-sided DFT power ``|z_k|^2``, ``z_k = (1/T) sum_n x(t_n) e^{-2 pi i k n/T}``,
    ``k = 1..n_freq``, of feature-major ``x`` ``(K, N, B, T)``, averaged over neurons and
    inputs -> ``(K, n_freq)`` float64.  The FFT runs along the contiguous path axis; the sum
    over the ``N B`` paths is torch's pairwise-summed reduction in the walk's dtype (relative
    error ~ eps log(N B), far below the sampling error)."""
    k, n, b, tn = x.shape
    r = torch.view_as_real(torch.fft.rfft(x, dim=-1)).reshape(k, n * b, -1).square_()
    p = r.sum(dim=1).view(k, -1, 2).sum(-1)[:, 1: n_freq + 1]  # sum_{N B} |z_k|^2
    return p.double() / (n * b * tn * tn)


def _bin_filters(cfg: WalkConfig, device: torch.device) -> tuple[np.ndarray, torch.Tensor]:
    return bin_filters(cfg.correlation_bins, cfg.n_freq, device)


def bin_filters(nb: int, kf: int, device: torch.device) -> tuple[np.ndarray, torch.Tensor]:
    """Gaussian frequency filters (seed 000 §4.4, Figure 6): ``nb`` centres evenly spaced over
    ``k = 1..kf``, standard deviation half the spacing.  Returns (centres, ``G_j(k)^2``)."""
    centres = np.linspace(1.0, float(kf), nb) if nb > 1 else np.array([0.5 * (1 + kf)])
    sd = max((kf - 1) / max(nb - 1, 1) / 2.0, 0.5)
    k = np.arange(1, kf + 1, dtype=float)
    g2 = np.exp(-((k[None, :] - centres[:, None]) ** 2) / (sd * sd))  # G^2, G = exp(-d^2/2sd^2)
    return centres, torch.as_tensor(g2, device=device, dtype=torch.float64)


def band_correlation(a: torch.Tensor, b: torch.Tensor, g2: torch.Tensor
                      ) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-bin Pearson correlation over ``t`` of the Gaussian-band-passed paths ``a``, ``b``
    (feature-major ``(K, N, B, T)``), by Parseval: ``Re sum_k G_k^2 A_k conj(B_k) / sqrt(sum
    G^2 |A|^2 sum G^2 |B|^2)``.  Returns the sum of ``|corr|`` per (direction, bin) over neurons
    and inputs with non-zero energy, and their count."""
    nf = g2.shape[1]
    fa = torch.fft.rfft(a, dim=-1)[..., 1: nf + 1].to(torch.complex128)
    fb = torch.fft.rfft(b, dim=-1)[..., 1: nf + 1].to(torch.complex128)
    cross = torch.einsum("jk,cnbk->cjnb", g2, (fa * fb.conj()).real)
    ea = torch.einsum("jk,cnbk->cjnb", g2, fa.abs() ** 2)
    eb = torch.einsum("jk,cnbk->cjnb", g2, fb.abs() ** 2)
    den = torch.sqrt(ea * eb)
    tiny = 1e-24 * float(den.max().clamp_min(1e-300))
    ok = den > tiny
    corr = torch.where(ok, cross.abs() / torch.where(ok, den, torch.ones_like(den)),
                       torch.zeros_like(den))
    return corr.sum(dim=(2, 3)), ok.sum(dim=(2, 3)).to(torch.float64)


_power = path_power
_band_correlation = band_correlation


def draw_directions(cfg: WalkConfig, net: int, chunk: range, weights: list[torch.Tensor],
                    device: torch.device, dtype: torch.dtype
                    ) -> tuple[list[torch.Tensor | None], list[torch.Tensor | None] | None,
                               torch.Tensor]:
    """The scaled directions ``D1`` (and an independent loop's ``D2``; ``None`` for a segment
    and for a shifted loop, whose ``D2`` is :func:`shift_rows` of ``D1``) of the directions in
    ``chunk``, one ``(K, fan_out, fan_in)`` tensor per moved layer, and the per-layer relative
    radii ``(K, L)`` they walk."""
    loop = cfg.path == "loop" and cfg.second_direction == "independent"
    if cfg.direction == "gradient":
        d1 = _gradient_dirs(cfg, net, chunk, weights, device, dtype)
        d2 = _gaussian_dirs(cfg, net, chunk, 1, device, dtype) if loop else None
        if d2 is not None:
            d2 = _orthogonalise(d2, d1)
    else:
        d1 = _gaussian_dirs(cfg, net, chunk, 0, device, dtype)
        d2 = _gaussian_dirs(cfg, net, chunk, 1, device, dtype) if loop else None
    d1 = _scale_dirs(cfg, d1, weights)
    if d2 is not None:
        d2 = _scale_dirs(cfg, d2, weights)
    rel = torch.zeros(len(chunk), cfg.depth, dtype=torch.float64)
    for i, (d, w) in enumerate(zip(d1, weights, strict=True)):
        if d is not None:
            rel[:, i] = (torch.linalg.vector_norm(d.flatten(1), dim=1)
                         / torch.linalg.vector_norm(w)).double().cpu()
    return d1, d2, rel


def run_walk(cfg: WalkConfig, weights: list[torch.Tensor], x: torch.Tensor,
             d1: list[torch.Tensor | None], d2: list[torch.Tensor | None] | None,
             g2: torch.Tensor | None = None
             ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """The walk engine: all directions and path points of a chunk as one batch through the
    network at ``weights`` from inputs ``x`` ``(B, n_0)``; activations feature-major ``(K, N,
    B, T)``.  ``d2`` is ``None`` for segments and shifted loops (:func:`draw_directions`).
    Returns per-direction power ``(K, L, n_freq)`` and the branch-correlation sums and counts
    ``(K, bins)``."""
    device, dtype = x.device, x.dtype
    n_dirs = next(d.shape[0] for d in d1 if d is not None)
    c1, c2 = _path_coefficients(cfg, device, dtype)
    shifted = cfg.path == "loop" and cfg.second_direction == "shifted"
    if c2 is not None and not shifted and d2 is None:
        raise ValueError("an independent loop needs its second directions d2")
    act = _act_fn(cfg)
    power = torch.zeros(n_dirs, cfg.depth, cfg.n_freq, dtype=torch.float64, device=device)
    nb = cfg.correlation_bins
    csum = torch.zeros(n_dirs, nb, dtype=torch.float64, device=device)
    ccount = torch.zeros(n_dirs, nb, dtype=torch.float64, device=device)
    h: torch.Tensor = x
    with torch.no_grad():
        for i, w in enumerate(weights):
            layer = i + 1
            pre = _walk_linear(h, w, d1[i], None if d2 is None else d2[i], c1, c2,
                               shifted=shifted, shared_input=(layer == 1), n_dirs=n_dirs)
            prev = h if layer > 1 else None
            h, branch = _post(pre, prev, layer, cfg, act, batch_dim=2, feature_dim=1)
            if g2 is not None and prev is not None:
                s, c = _band_correlation(prev, branch, g2)
                csum += s
                ccount += c
            power[:, i] = _power(h, cfg.n_freq)
    return power.cpu(), (csum.cpu() if nb else None), ccount.cpu()


def _direction_bytes(cfg: WalkConfig, itemsize: int) -> int:
    """Bytes of one direction of a chunk: its activations and its direction matrices."""
    rows = cfg.points * cfg.inputs * cfg.average * cfg.width
    per_dir = 6 * rows * itemsize  # a few live (T, B, aN) activations and FFT buffers
    mats = sum(int(np.prod(cfg.layer_shape(layer))) for layer in range(1, cfg.depth + 1)
               if cfg.moved(layer))
    n_mats = 2 if cfg.path == "loop" and cfg.second_direction == "independent" else 1
    return per_dir + n_mats * mats * itemsize


def _chunk_size(cfg: WalkConfig, itemsize: int, chunk_bytes: int | None = None) -> int:
    per_dir = _direction_bytes(cfg, itemsize)
    budget = cfg.chunk_bytes if chunk_bytes is None else chunk_bytes
    return int(max(1, min(cfg.directions, budget // max(per_dir, 1))))


def walk_chunk_bytes(cfg: WalkConfig, max_memory: int | None = None) -> int:
    """The chunk budget of ``cfg``: ``cfg.chunk_bytes`` lowered to what fits in memory.

    Raises :class:`~ringing.simulate.budget.BudgetError` (naming ``width``, ``points``,
    ``inputs``) when the weights, the inputs and one direction do not fit in
    ``max_memory`` (default: a share of the memory available).
    """
    from ringing.simulate.budget import fit_chunk_bytes, walk_fixed_bytes

    itemsize = torch.finfo(resolve_dtype(cfg.dtype)).bits // 8
    shapes = [cfg.layer_shape(layer) for layer in range(1, cfg.depth + 1)]
    fixed = walk_fixed_bytes(layer_shapes=shapes, inputs=cfg.inputs, in_dim=cfg.n_in,
                             itemsize=itemsize)
    return fit_chunk_bytes(fixed=fixed, per_direction=_direction_bytes(cfg, itemsize),
                           directions=cfg.directions, chunk_bytes=cfg.chunk_bytes,
                           max_memory=max_memory, device=resolve_device(cfg.device),
                           what=f"the walk (width {cfg.width}, T={cfg.points}, "
                           f"B={cfg.inputs})")


# ----------------------------------------------------------------------------
# results


def layer_fits(unit_power: np.ndarray, k: np.ndarray, groups: np.ndarray | None,
               fit_range: tuple[int, int]) -> list[dict[str, Any] | None]:
    """Per layer of ``unit_power`` ``(units, layers, n_freq)``: the fractal exponent ``h``
    (:func:`ringing.spectral.fractal_exponent` on the mean spectrum), its jackknife
    interval over units (``groups`` as in :func:`jackknife_ci`), the fit's own interval and
    ``r_squared``; ``None`` where the spectrum has fewer than 3 non-negligible frequencies in
    the fit range (a band-limited layer)."""
    from ringing.spectral import fractal_exponent

    kmin, kmax = fit_range
    out: list[dict[str, Any] | None] = []
    for i in range(unit_power.shape[1]):
        units = unit_power[:, i]
        try:
            fit = fractal_exponent(units.mean(axis=0), k, kmin=kmin, kmax=kmax)
            _, lo, hi = jackknife_ci(
                lambda p: np.asarray(fractal_exponent(p, k, kmin=kmin, kmax=kmax).h),
                units, groups=groups)
        except ValueError:
            out.append(None)
            continue
        out.append({"h": float(fit.h), "ci": (float(lo), float(hi)),
                    "fit_ci": (float(fit.h_ci[0]), float(fit.h_ci[1])),
                    "r_squared": float(fit.r_squared)})
    return out


class SpectraMixin:
    """The statistics of measured walk spectra, shared by :class:`WalkResult` and the model
    walks (:class:`ringing.simulate.model_walks.ModelWalkResult`): a subclass provides
    ``unit_power`` ``(units, rows, n_freq)`` (network-major units), ``k``, a ``config`` with
    ``networks``, ``directions`` and ``fit_range``, and a ``_cache`` dict."""

    unit_power: np.ndarray
    k: np.ndarray
    config: Any
    branch_correlation: np.ndarray | None
    branch_correlation_ci: np.ndarray | None
    correlation_centres: np.ndarray | None
    _cache: dict[str, Any]

    @property
    def groups(self) -> np.ndarray | None:
        """Jackknife groups: the network of each unit when there are several networks (the
        walks of one network share its weights and inputs), else ``None`` (every direction its
        own group: an interval *conditional on the one network*)."""
        if self.config.networks < 2:
            return None
        return np.repeat(np.arange(self.config.networks), self.config.directions)

    @property
    def fit_range(self) -> tuple[int, int]:
        return self.config.fit_range  # type: ignore[no-any-return]

    @property
    def power(self) -> np.ndarray:
        return np.asarray(self.unit_power.mean(axis=0))

    @property
    def normalised(self) -> np.ndarray:
        from ringing.spectral import normalise_power

        return normalise_power(self.power)

    @property
    def derivative(self) -> np.ndarray:
        from ringing.spectral import normalise_power

        return normalise_power(self.power * self.k**2)

    def _centroid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from ringing.spectral import spectral_centroid

        if "c" not in self._cache:
            self._cache["c"] = jackknife_ci(
                lambda p: np.asarray(spectral_centroid(p, self.k)), self.unit_power,
                groups=self.groups)
        return self._cache["c"]  # type: ignore[no-any-return]

    @property
    def spectral_centroid(self) -> np.ndarray:
        return self._centroid()[0]

    @property
    def spectral_centroid_ci(self) -> np.ndarray:
        c = self._centroid()
        return np.stack([c[1], c[2]], axis=-1)

    def _fits(self) -> list[dict[str, Any] | None]:
        """Per layer: ``h`` (theory's :func:`fractal_exponent` on the mean spectrum), its
        jackknife interval over units, and the fit's own (power-law misfit) interval; ``None``
        where the spectrum has fewer than 3 non-negligible frequencies in the fit range (a
        band-limited layer)."""
        if "h" not in self._cache:
            self._cache["h"] = layer_fits(self.unit_power, self.k, self.groups,
                                          self.fit_range)
        return self._cache["h"]  # type: ignore[no-any-return]

    @property
    def fractal_exponent(self) -> list[float | None]:
        return [None if f is None else f["h"] for f in self._fits()]

    @property
    def fractal_exponent_ci(self) -> list[tuple[float, float] | None]:
        return [None if f is None else f["ci"] for f in self._fits()]

    def set_branch_correlation(self, sums: np.ndarray, counts: np.ndarray,
                               centres: np.ndarray | None) -> None:
        """From per-walk sums and counts of ``|corr|`` per bin (:func:`band_correlation`): the
        mean per bin and its jackknife interval (over networks, or directions with one)."""
        per_unit = sums / np.maximum(counts, 1.0)  # mean |corr| per walk and bin
        self.branch_correlation = per_unit.mean(axis=0)
        if self.groups is not None or per_unit.shape[0] >= 2:
            _, lo, hi = jackknife_ci(lambda m: m, per_unit, groups=self.groups)
            self.branch_correlation_ci = np.stack([lo, hi], axis=-1)
        self.correlation_centres = centres

    def spectra_payload(self, spectra: bool = True) -> dict[str, Any]:
        """The JSON entries of the spectra (``k``, ``power_spectrum``, ``derivative_spectrum``
        when ``spectra``) and of the branch correlation when it was measured."""
        out: dict[str, Any] = {}
        if spectra:
            out["k"] = self.k
            out["power_spectrum"] = self.normalised
            out["derivative_spectrum"] = self.derivative
        if getattr(self, "branch_correlation", None) is not None:
            out["branch_correlation"] = self.branch_correlation
            out["branch_correlation_ci"] = self.branch_correlation_ci
            out["correlation_centres"] = self.correlation_centres
        return out


@dataclass
class WalkResult(SpectraMixin):
    """Measured walk spectra (see the module docstring for the conventions).

    ``unit_power[u, l-1, k-1]`` is the raw power of layer ``l`` at frequency ``k`` of walk
    (unit) ``u``; ``power`` its mean over units; ``normalised`` per layer (seed 000 Fig. 3a);
    ``derivative`` the normalised ``k^2 P_k`` (Fig. 3b); ``relative_radius`` the per-layer
    ``||D^l|| / ||W^l||`` actually walked (mean over units, 0 for unmoved layers);
    ``branch_correlation`` the mean ``|corr|`` per frequency bin between each residual block's
    shortcut and branch (Fig. 6), with bin ``correlation_centres``.
    """

    config: WalkConfig
    k: np.ndarray
    unit_power: np.ndarray
    relative_radius: np.ndarray
    branch_correlation: np.ndarray | None = None
    branch_correlation_ci: np.ndarray | None = None
    correlation_centres: np.ndarray | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def layers(self) -> list[int]:
        return list(range(1, self.config.depth + 1))

    @property
    def interval_df(self) -> int:
        """Degrees of freedom of the intervals' Student t (groups - 1)."""
        n = self.config.networks if self.config.networks >= 2 else self.unit_power.shape[0]
        return int(n - 1)

    @property
    def spectral_centroid_se(self) -> np.ndarray:
        """Jackknife standard error of the centroid per layer: the 95 % interval's half-width
        over ``t_{df, 0.975}`` (``df = interval_df``), floored at 1e-15."""
        from scipy import stats

        ci = self.spectral_centroid_ci
        tq = float(stats.t.ppf(0.975, self.interval_df))
        return np.asarray(np.maximum((ci[:, 1] - ci[:, 0]) / (2 * tq), 1e-15))

    @property
    def spectral_bandwidth(self) -> np.ndarray:
        from ringing.spectral import spectral_bandwidth

        return np.asarray(spectral_bandwidth(self.power, self.k))

    def as_dict(self, spectra: bool = True) -> dict[str, Any]:
        """The JSON payload of ``ringing simulate walk``."""
        fits = self._fits()
        cfg = asdict(self.config)
        cfg.pop("chunk_bytes", None)
        out: dict[str, Any] = {
            "layers": self.layers,
            "spectral_centroid": self.spectral_centroid,
            "spectral_centroid_ci": self.spectral_centroid_ci,
            "fractal_exponent": [None if f is None else f["h"] for f in fits],
            "fractal_exponent_ci": [None if f is None else list(f["ci"]) for f in fits],
            "fractal_exponent_fit_ci": [None if f is None else list(f["fit_ci"]) for f in fits],
            "fit_range": list(self.config.fit_range),
            "relative_radius": self.relative_radius,
            "units": int(self.unit_power.shape[0]),
            "second_direction": (self.config.second_direction if self.config.path == "loop"
                                 else None),
            "config": cfg,
        }
        out.update(self.spectra_payload(spectra))
        return out


def walk(cfg: WalkConfig, *, show_progress: bool = True,
         max_memory: int | None = None) -> WalkResult:
    """Run the walks of ``cfg`` and measure every layer's spectrum (seed 000 §4.2-4.4).

    Directions are processed in chunks of at most ``cfg.chunk_bytes``, lowered to what
    fits in ``max_memory`` (default: a share of the memory available), see
    :func:`walk_chunk_bytes`; results do not depend on the chunking.

    Parameters
    ----------
    cfg
        The walk (:class:`WalkConfig`: activation, depth, width, path, radius, directions,
        networks, ...).
    show_progress
        A progress bar on stderr.
    max_memory
        Bytes the run may use (default: half the available memory); a walk that cannot fit is
        refused before it allocates.

    Returns
    -------
    WalkResult
        Per-layer spectra, centroids and fractal exponents with 95% intervals.

    Raises
    ------
    ValueError
        Bad configuration (from :class:`WalkConfig`), a device that is not available, or a
        non-finite activation (overflow: use ``norm="batch"`` or fewer layers).
    """
    from ringing.runs.progress import progress

    device = resolve_device(cfg.device)
    dtype = resolve_dtype(cfg.dtype)
    per = _chunk_size(cfg, torch.finfo(dtype).bits // 8, walk_chunk_bytes(cfg, max_memory))
    chunks = [range(s, min(s + per, cfg.directions)) for s in range(0, cfg.directions, per)]
    jobs = [(n, c) for n in range(cfg.networks) for c in chunks]
    g2 = None
    centres = None
    if cfg.correlation_bins:
        centres, g2 = _bin_filters(cfg, device)
    powers, rels, csums, ccounts = [], [], [], []
    cache: dict[int, tuple[list[torch.Tensor], torch.Tensor]] = {}
    for net, chunk in progress(jobs, total=len(jobs), desc="walks",
                               disable=None if show_progress else True):
        if net not in cache:
            cache.clear()
            cache[net] = (draw_network(cfg, net, device, dtype),
                          draw_inputs(cfg, net, cfg.inputs, device, dtype))
        weights, x = cache[net]
        d1, d2, r = draw_directions(cfg, net, chunk, weights, device, dtype)
        p, cs, cc = run_walk(cfg, weights, x, d1, d2, g2)
        powers.append(p)
        rels.append(r)
        if cs is not None:
            csums.append(cs)
            ccounts.append(cc)
    unit_power = torch.cat(powers).numpy()
    if not np.all(np.isfinite(unit_power)):
        raise ValueError(f"the walk overflowed ({cfg.activation!r}, depth {cfg.depth}); use "
                         "norm='batch', float64 or fewer layers")
    k = np.arange(1, cfg.n_freq + 1, dtype=float)
    res = WalkResult(cfg, k, unit_power, torch.cat(rels).numpy().mean(axis=0))
    if csums:
        res.set_branch_correlation(torch.cat(csums).numpy(), torch.cat(ccounts).numpy(),
                                   centres)
    return res
