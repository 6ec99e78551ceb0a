"""Weight-space Fourier walks on any torch network (convolutions, batchnorm, residual blocks).

Seed 000 (Ringing ReLUs) eq 1, §4, App. A.2, D.3, E: walk the weights along a path ``W(t)``
and record every layer's output and the loss along it.  This module generalises the MLP engine
of :mod:`ringing.simulate.walks` (same paths, same spectra, same statistics) from Gaussian
inputs through dense layers to any network built from ``Conv2d``/``Linear`` (the moved weights),
``BatchNorm`` (training mode: statistics per path point) and parameter-free modules -- the
Toy-CNN and ResNets of :mod:`ringing.simulate.zoo` in particular.

**Batched by linearity.**  All ``T`` path points are one batch of ``B T`` inputs (batch-major:
row ``b T + t``).  A moved convolution or linear layer computes ``(W + c1(t) D1 + c2(t) D2) * x``
as ``W * x + c1(t) (D1 * x) + c2(t) (D2 * x)``: one convolution with the stacked output
channels ``[W; D1]`` of the ``B T`` batch, and, on a loop with the default *shifted* second
direction (``D2`` = ``D1`` with its output channels shifted by one,
:func:`ringing.simulate.walks.shift_rows`: the same law per output channel), ``D2 * x`` is
``D1 * x`` shifted by one channel -- so a walk costs about two forward passes of ``B T``
inputs, whatever ``T``.  BatchNorm normalises each path point over its own ``B`` inputs (and
positions), as the paper's training-mode walks do (App. A.2): the batch viewed as ``(B, T C,
...)`` is one fused ``batch_norm`` call.  There is no Python loop
over path points, neurons or images; the loop is over walks (network, direction).

**What is recorded.**  Per recorded layer (by default :meth:`ZooModel.layers`: every unit or
block and the logits) the one-sided DFT power along the path of every output -- every channel
at every position of every image (neurons, receptive fields and images, seed 000 Fig 3) --
averaged (:func:`ringing.simulate.walks.path_power`), and the power of the loss path
(mean over the ``B`` images of the squared error to the one-hot label, or the cross-entropy).
Optionally the per-frequency-bin correlation between each residual block's two summands
(Fig 6, :func:`ringing.simulate.walks.band_correlation`).

**Statistics** are those of the MLP walks: spectral centroid and fractal exponent ``h`` from
:mod:`ringing.spectral`, delete-one-network jackknife intervals
(:func:`ringing.stats.jackknife_ci`, :func:`ringing.simulate.walks.layer_fits`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ringing.simulate.common import resolve_device, resolve_dtype, rng_device
from ringing.simulate.networks import layer_generator
from ringing.simulate.walks import (
    PathSettings,
    SpectraMixin,
    band_correlation,
    bin_filters,
    path_coefficients,
    path_power,
)

__all__ = ["LOSSES", "ModelWalkConfig", "ModelWalkResult", "walk_model", "walked_modules",
           "draw_model_directions", "walk_once", "polynomial_tail", "sample_batch", "loss_path"]

LOSSES = ("mse", "cross_entropy")
_DIR_STREAM = 5_000_000
_BATCH_STREAM = 6_000_000
_MOVED = (nn.Conv2d, nn.Linear)
_BN = nn.modules.batchnorm._BatchNorm


@dataclass(frozen=True)
class ModelWalkConfig(PathSettings):
    """A walk of a torch network (see the module docstring).

    Parameters
    ----------
    path, points
        ``"loop"`` (default) or ``"segment"`` (seed 000 eq 1); ``T >= 4`` samples (100, A.2).
    radius, relative_radius
        Absolute radius (``||D||_F = radius`` over all moved weights: the paper's path length
        ``alpha``) or relative radius (``||D_p||_F = R ||W_p||_F`` per moved weight tensor).
        At most one; neither means ``relative_radius=0.5`` (as the MLP walks).
    directions, networks
        Directions per network and independently initialised networks (seeds ``seed..``).
        With ``networks >= 2`` intervals are delete-one-network jackknife intervals.
    layer_only
        Move only the ``k``-th moved weight tensor (1-based, module order: a Toy-CNN's unit
        ``k``, its classifier ``L + 1``; seed 000 Fig 15); ``None`` moves all.
    second
        A loop's second direction: ``"shifted"`` (default) or ``"independent"``.
    inputs
        Images ``B`` per walk (a fresh minibatch per network, App. A.2).
    loss
        ``"mse"`` (squared error to the one-hot label: a polynomial of the logits, so a
        polynomial network has a band-limited loss path) or ``"cross_entropy"``.
    kmin, kmax
        Fit range of ``h`` (default ``1 .. min(25, T//2)``).
    correlation_bins
        Frequency bins of the branch/shortcut correlation (Fig 6); 0 skips it.
    seed, device, dtype
        Seed of the networks, directions and minibatches; ``auto|cpu|cuda``; float32/64.
    generator_device
        Where the directions and minibatch indices are drawn (and, through the caller's
        factory, e.g. :func:`ringing.simulate.zoo.build`, the weights): ``"cpu"`` (default;
        the same numbers on every device) or ``"device"`` (the same distribution, not
        bit-identical to the CPU draw).
    """

    path: str = "loop"
    points: int = 100
    radius: float | None = None
    relative_radius: float | None = None
    directions: int = 4
    networks: int = 1
    layer_only: int | None = None
    second: str = "shifted"
    inputs: int = 8
    loss: str = "mse"
    kmin: int = 1
    kmax: int | None = None
    correlation_bins: int = 0
    seed: int = 0
    device: str = "auto"
    dtype: str = "float32"
    generator_device: str = "cpu"

    def __post_init__(self) -> None:
        def need_int(name: str, lo: int) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
                raise ValueError(f"{name}={v!r} must be an integer >= {lo}")

        self.check_path_settings()
        for name, lo in (("directions", 1), ("networks", 1), ("inputs", 1), ("seed", 0)):
            need_int(name, lo)
        if self.second not in ("shifted", "independent"):
            raise ValueError(f"second={self.second!r}; known: shifted, independent")
        if self.loss not in LOSSES:
            raise ValueError(f"loss={self.loss!r}; known: {', '.join(LOSSES)}")
        if self.layer_only is not None:
            need_int("layer_only", 1)
        resolve_dtype(self.dtype)
        rng_device(self.generator_device, "cpu")  # ValueError for an unknown choice


# ----------------------------------------------------------------------------
# directions


def walked_modules(model: nn.Module) -> list[nn.Module]:
    """The modules whose weights a walk moves: every ``Conv2d`` and ``Linear``, in module
    order.  ValueError when the model has another kind of module with parameters of its own
    (other than BatchNorm, whose affine parameters stay fixed): the linear split of the
    walk would not cover it."""
    out: list[nn.Module] = []
    for name, m in model.named_modules():
        if isinstance(m, _MOVED):
            out.append(m)
        elif not isinstance(m, _BN) and any(True for _ in m.parameters(recurse=False)):
            raise ValueError(f"module {name or '<root>'} ({type(m).__name__}) has parameters "
                             "the walk cannot move; supported: Conv2d, Linear, BatchNorm")
    if not out:
        raise ValueError("the model has no Conv2d or Linear layer to walk")
    return out


def draw_model_directions(cfg: ModelWalkConfig, weights: Sequence[torch.Tensor], net: int,
                          direction: int, which: int) -> list[torch.Tensor | None]:
    """Gaussian direction ``which`` (0 = ``D1``, 1 = an independent ``D2``) of walk
    ``(net, direction)``: one tensor per moved weight (``None`` when ``layer_only`` leaves it),
    each from its own stream (on the CPU, or on the weights' device with
    ``cfg.generator_device="device"``), scaled to the radius (absolute over all moved tensors, or
    relative per tensor)."""
    if cfg.layer_only is not None and cfg.layer_only > len(weights):
        raise ValueError(f"layer_only={cfg.layer_only} but the model has {len(weights)} moved "
                         "weight tensors")
    dirs: list[torch.Tensor | None] = []
    for i, w in enumerate(weights, start=1):
        if cfg.layer_only is not None and i != cfg.layer_only:
            dirs.append(None)
            continue
        g = layer_generator(cfg.seed + net, _DIR_STREAM + (2 * direction + which) * 4096 + i,
                            rng_device(cfg.generator_device, w.device))
        dirs.append(torch.randn(w.shape, generator=g, dtype=torch.float64, device=g.device))
    r = cfg.radius_value
    if cfg.is_relative:
        return [None if d is None else
                (d * (r * float(torch.linalg.vector_norm(w.double()))
                      / float(torch.linalg.vector_norm(d)))).to(w.device, w.dtype)
                for d, w in zip(dirs, weights, strict=True)]
    tot = math.sqrt(sum(float(torch.linalg.vector_norm(d)) ** 2 for d in dirs if d is not None))
    return [None if d is None else (d * (r / tot)).to(w.device, w.dtype)
            for d, w in zip(dirs, weights, strict=True)]


# ----------------------------------------------------------------------------
# the engine: module forwards replaced by their batched path versions


def _linear_op(m: nn.Module) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor | None],
                                         torch.Tensor]:
    if isinstance(m, nn.Conv2d):
        return m._conv_forward  # type: ignore[no-any-return]
    return F.linear


def _path_linear(m: nn.Module, d1: torch.Tensor, d2: torch.Tensor | None, c1: torch.Tensor,
                 c2: torch.Tensor | None) -> Callable[[torch.Tensor], torch.Tensor]:
    """``(W + c1(t) D1 + c2(t) D2) x(t)`` on a batch-major ``(B T, ...)`` batch.

    One convolution (or matrix product) with the stacked output channels ``[W; D1]`` (``[W;
    D1; D2]`` for an independent second direction) -- the input is read once -- then
    ``W x + c1 (D1 x) + c2 (D2 x)``, where a shifted ``D2 x`` is ``D1 x`` shifted by one
    output channel."""
    op = _linear_op(m)
    tn = c1.numel()
    w: Any = m.weight
    b: Any = m.bias
    cout = w.shape[0]
    stacked = torch.cat([w, d1] if d2 is None else [w, d1, d2])

    def forward(x: torch.Tensor) -> torch.Tensor:
        z = op(x, stacked, None).unflatten(0, (-1, tn))  # (B, T, k C, ...)
        shape = (1, tn) + (1,) * (z.dim() - 2)
        yd = z[:, :, cout: 2 * cout]
        y = torch.addcmul(z[:, :, :cout], yd, c1.view(shape))
        if c2 is not None:
            cc = c2.view(shape)
            if d2 is None:  # shifted: (D2 x)_c = (D1 x)_{c+1 mod C}
                y[:, :, :-1].addcmul_(yd[:, :, 1:], cc)
                y[:, :, -1:].addcmul_(yd[:, :, :1], cc)
            else:
                y.addcmul_(z[:, :, 2 * cout:], cc)
        if b is not None:
            y += b.view((1, 1, -1) + (1,) * (z.dim() - 3))
        return y.flatten(0, 1)

    return forward


def _path_batchnorm(m: nn.Module, tn: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """Training-mode BatchNorm with statistics per path point (over its images and
    positions); running statistics are left untouched.  The batch-major ``(B T, C, ...)``
    batch is viewed as ``(B, T C, ...)`` -- one channel per (path point, channel) -- so the
    fused ``batch_norm`` computes exactly the per-point statistics without a copy."""
    assert isinstance(m, _BN)

    def forward(x: torch.Tensor) -> torch.Tensor:
        if not m.training:
            return F.batch_norm(x, m.running_mean, m.running_var, m.weight, m.bias, False,
                                0.0, m.eps)
        z = x.unflatten(0, (-1, tn)).flatten(1, 2)  # (B, T C, ...)
        wt = None if m.weight is None else m.weight.repeat(tn)
        bt = None if m.bias is None else m.bias.repeat(tn)
        z = F.batch_norm(z, None, None, wt, bt, True, 0.0, m.eps)
        return z.unflatten(1, (tn, -1)).flatten(0, 1)

    return forward


@contextlib.contextmanager
def _walking(model: nn.Module, moved: Sequence[nn.Module], d1: Sequence[torch.Tensor | None],
             d2: Sequence[torch.Tensor | None] | None, c1: torch.Tensor,
             c2: torch.Tensor | None) -> Iterator[None]:
    patched: list[nn.Module] = []
    try:
        for i, m in enumerate(moved):
            if d1[i] is not None:
                m.forward = _path_linear(m, d1[i], None if d2 is None else d2[i],  # type: ignore
                                         c1, c2)
                patched.append(m)
        for m in model.modules():
            if isinstance(m, _BN):
                m.forward = _path_batchnorm(m, c1.numel())  # type: ignore[method-assign,assignment]
                patched.append(m)
        yield
    finally:
        for m in patched:
            del m.forward


def loss_path(logits: torch.Tensor, y: torch.Tensor, tn: int, loss: str) -> torch.Tensor:
    """The loss at every path point, ``(T,)``: mean over the ``B`` images of the squared error
    to the one-hot label (summed over classes) or of the cross-entropy."""
    z = logits.unflatten(0, (-1, tn))  # (B, T, classes)
    if loss == "mse":
        target = F.one_hot(y, z.shape[-1]).to(z.dtype)[:, None]
        return (z - target).square().sum(-1).mean(0)
    ce = F.cross_entropy(logits, y.repeat_interleave(tn), reduction="none")
    return ce.view(-1, tn).mean(0)


def _paths(out: torch.Tensor, tn: int) -> torch.Tensor:
    """Every output's path: batch-major ``(B T, ...)`` as ``(1, B, M, T)`` (a view)."""
    return out.reshape(-1, tn, out[0].numel()).transpose(1, 2)[None]


def _batch_power(out: torch.Tensor, tn: int, n_freq: int) -> torch.Tensor:
    """Power of every output's path, averaged over images and outputs (:func:`path_power`)."""
    return path_power(_paths(out, tn), n_freq)[0]


def walk_once(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
              d1: Sequence[torch.Tensor | None], d2: Sequence[torch.Tensor | None] | None,
              cfg: ModelWalkConfig, layers: Sequence[nn.Module] = (),
              pairs: Sequence[tuple[nn.Module, nn.Module]] = (),
              g2: torch.Tensor | None = None
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """One walk: all ``T`` path points of ``x`` ``(B, ...)`` as one batch of ``T B``.

    Returns the per-layer power ``(len(layers) + 1, n_freq)`` (last row: the loss path), the
    loss path ``(T,)``, and, with ``pairs`` (hook points of each block's two summands) and
    filters ``g2``, the per-bin sums and counts of ``|corr|`` (:func:`band_correlation`)."""
    device, dtype = x.device, x.dtype
    tn = cfg.points
    c1, c2 = path_coefficients(cfg.path, tn, device, dtype)
    moved = walked_modules(model)
    powers: list[torch.Tensor | None] = [None] * len(layers)
    pair_out: dict[int, torch.Tensor] = {}
    nb = 0 if g2 is None else g2.shape[0]
    csum = torch.zeros(nb, dtype=torch.float64, device=device)
    ccount = torch.zeros(nb, dtype=torch.float64, device=device)
    handles = []

    def rec(i: int) -> Callable[..., None]:
        def hook(_m: nn.Module, _inp: Any, out: torch.Tensor) -> None:
            powers[i] = _batch_power(out, tn, cfg.n_freq)
        return hook

    def pair_hook(key: int) -> Callable[..., None]:
        def hook(_m: nn.Module, _inp: Any, out: torch.Tensor) -> None:
            nonlocal csum, ccount
            if key % 2 == 0:
                pair_out[key] = out
                return
            a = _paths(pair_out.pop(key - 1), tn)
            b = _paths(out, tn)
            s, c = band_correlation(a, b, g2)  # type: ignore[arg-type]
            csum = csum + s[0]
            ccount = ccount + c[0]
        return hook

    for i, m in enumerate(layers):
        handles.append(m.register_forward_hook(rec(i)))
    if g2 is not None:
        for j, (a, b) in enumerate(pairs):
            handles.append(a.register_forward_hook(pair_hook(2 * j)))
            handles.append(b.register_forward_hook(pair_hook(2 * j + 1)))
    xb = x.unsqueeze(1).expand(x.shape[0], tn, *x.shape[1:]).reshape(-1, *x.shape[1:])
    try:
        with torch.no_grad(), _walking(model, moved, d1, d2, c1, c2):
            logits = model(xb)
    finally:
        for h in handles:
            h.remove()
    lp = loss_path(logits, y, tn, cfg.loss)
    rows = [p if p is not None else torch.zeros(cfg.n_freq, dtype=torch.float64,
                                                device=device) for p in powers]
    rows.append(path_power(lp.view(1, 1, 1, tn), cfg.n_freq)[0])
    return torch.stack(rows), lp, (csum if nb else None), (ccount if nb else None)


# ----------------------------------------------------------------------------
# data and the study loop


def sample_batch(x: torch.Tensor, y: torch.Tensor, n: int, seed: int,
                 generator_device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` images drawn without replacement from ``(x, y)`` by the stream ``seed`` (a
    different minibatch per network, seed 000 App. A.2), on the CPU or, with
    ``generator_device="device"``, on ``x``'s device."""
    if n > x.shape[0]:
        raise ValueError(f"inputs={n} exceeds the data set's {x.shape[0]} images")
    g = layer_generator(seed, _BATCH_STREAM, rng_device(generator_device, x.device))
    idx = torch.randperm(x.shape[0], generator=g, device=g.device)[:n].to(x.device)
    return x[idx], y[idx]


def polynomial_tail(unit_power: np.ndarray, degree: int) -> float:
    """The largest fraction, over walks, of a path's power above frequency ``degree``
    (``sum_{k > degree} P_k / sum_k P_k``): 0 up to rounding when the path is a trigonometric
    polynomial of that degree (a loop through a network that is a polynomial in its weights)."""
    p = np.asarray(unit_power, dtype=float)
    tot = p.sum(axis=-1)
    tail = p[..., degree:].sum(axis=-1)
    return float(np.max(tail / np.where(tot > 0, tot, 1.0)))


@dataclass
class ModelWalkResult(SpectraMixin):
    """Measured spectra of a model walk.

    ``unit_power[u, i, k-1]``: raw power of recorded layer ``i`` (last: the loss) at frequency
    ``k`` for walk ``u`` (network-major); ``loss_paths[u]`` the loss along walk ``u``;
    ``names`` the recorded layers; ``branch_correlation`` the mean ``|corr|`` per frequency
    bin between every block's two summands (Fig 6).
    """

    config: ModelWalkConfig
    names: list[str]
    k: np.ndarray
    unit_power: np.ndarray
    loss_paths: np.ndarray
    model: dict[str, Any] = field(default_factory=dict)
    branch_correlation: np.ndarray | None = None
    branch_correlation_ci: np.ndarray | None = None
    correlation_centres: np.ndarray | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def fits(self) -> list[dict[str, Any] | None]:
        """Per recorded row: ``h``, its intervals, ``r_squared`` (``walks.layer_fits``)."""
        return self._fits()

    def tail(self, degree: int, row: int = -1) -> float:
        """:func:`polynomial_tail` of recorded row ``row`` (default: the loss)."""
        return polynomial_tail(self.unit_power[:, row], degree)

    def as_dict(self, spectra: bool = True) -> dict[str, Any]:
        fits = self.fits()
        out: dict[str, Any] = {
            "layers": self.names,
            "spectral_centroid": self.spectral_centroid,
            "spectral_centroid_ci": self.spectral_centroid_ci,
            "fractal_exponent": [None if f is None else f["h"] for f in fits],
            "fractal_exponent_ci": [None if f is None else list(f["ci"]) for f in fits],
            "fit_range": list(self.config.fit_range),
            "units": int(self.unit_power.shape[0]),
            "interval": ("delete-one-network jackknife, 95 %" if self.config.networks >= 2
                         else "delete-one-direction jackknife, 95 %, conditional on the "
                         "one network"),
            "config": asdict(self.config),
            "model": self.model,
        }
        out.update(self.spectra_payload(spectra))
        return out


def walk_model(factory: Callable[[int], nn.Module], x: torch.Tensor, y: torch.Tensor,
               cfg: ModelWalkConfig, *,
               layers: Callable[[nn.Module], Sequence[tuple[str, nn.Module]]] | None = None,
               pairs: Callable[[nn.Module], Sequence[tuple[nn.Module, nn.Module]]] | None = None,
               show_progress: bool = True, describe: dict[str, Any] | None = None
               ) -> ModelWalkResult:
    """Walk ``cfg.directions`` directions on each of ``cfg.networks`` networks.

    Parameters
    ----------
    factory
        ``factory(seed)`` -> the network at initialisation (on ``cfg.device``/``cfg.dtype``;
        training mode for batch statistics).
    x, y
        The data set (images and integer labels); each network gets its own minibatch of
        ``cfg.inputs`` images.
    layers
        ``layers(model)`` -> named modules whose outputs are recorded (default: the model's
        ``layers()`` if it has one, else none: only the loss).
    pairs
        ``pairs(model)`` -> the ``(main, skip)`` hook modules of each residual block, for
        ``cfg.correlation_bins``.
    """
    from ringing.runs.progress import progress

    device = resolve_device(cfg.device)
    dtype = resolve_dtype(cfg.dtype)
    x = x.to(device, dtype)
    y = y.to(device)
    g2 = centres = None
    if cfg.correlation_bins:
        if pairs is None:
            raise ValueError("correlation_bins needs the residual blocks' hook points (pairs)")
        centres, g2 = bin_filters(cfg.correlation_bins, cfg.n_freq, device)
    jobs = [(n, d) for n in range(cfg.networks) for d in range(cfg.directions)]
    rows, paths, csums, ccounts = [], [], [], []
    names: list[str] = []
    model: nn.Module | None = None
    current = -1
    xb = yb = x
    for net, d in progress(jobs, total=len(jobs), desc="model walks",
                           disable=None if show_progress else True):
        if net != current:
            model = factory(cfg.seed + net).to(device, dtype)
            current = net
            xb, yb = sample_batch(x, y, cfg.inputs, cfg.seed + net, cfg.generator_device)
        assert model is not None
        named = list(layers(model)) if layers is not None else (
            [(f"layer {i + 1}", m) for i, m in enumerate(model.layers())]  # type: ignore
            if hasattr(model, "layers") else [])
        names = [n for n, _ in named] + ["loss"]
        weights = [m.weight.detach() for m in walked_modules(model)]  # type: ignore[operator]
        d1 = draw_model_directions(cfg, weights, net, d, 0)
        d2 = (draw_model_directions(cfg, weights, net, d, 1)
              if cfg.path == "loop" and cfg.second == "independent" else None)
        p, lp, cs, cc = walk_once(model, xb, yb, d1, d2, cfg, [m for _, m in named],
                                  pairs(model) if pairs is not None else (), g2)
        rows.append(p.cpu())
        paths.append(lp.double().cpu())
        if cs is not None and cc is not None:
            csums.append(cs.cpu())
            ccounts.append(cc.cpu())
    unit_power = torch.stack(rows).numpy()
    if not np.all(np.isfinite(unit_power)):
        raise ValueError("the walk overflowed (non-finite outputs); use batchnorm, float64 or "
                         "a smaller radius")
    k = np.arange(1, cfg.n_freq + 1, dtype=float)
    res = ModelWalkResult(cfg, names, k, unit_power, torch.stack(paths).numpy(),
                          model=dict(describe or {}))
    if csums:
        res.set_branch_correlation(torch.stack(csums).numpy(), torch.stack(ccounts).numpy(),
                                   centres)
    return res
