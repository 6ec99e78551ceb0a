"""Seed 003 beyond the 1-D targets: image data, the weighted loss, the information plane.

Xu, Zhang & Xiao, *Training behavior of deep neural network in frequency domain*
(ICONIP 2019):

* §2.1, Fig 1 (:func:`pc_fprinciple`): project the images on their first
  principal component, rescale the projection to [0, 1] (the paper's formula),
  take the non-uniform DFT ``F[f](γ) = Σ_j y_j exp(−2πi x_j γ)`` of the labels and
  of the network's outputs along it, and follow Δ_F (eq 1) at the spectrum's
  peaks during training, for a tanh MLP and a small ReLU CNN.  The paper used
  MNIST and CIFAR10 test sets; nothing is downloaded here, so scikit-learn's 8×8
  digits (1797 images) stand in.  The seed text describes no filtering of the
  spectrum (a Gaussian filter appears in the authors' later work, not in this
  paper), so none is applied.
* §3.2, eq 3–4 (:func:`weighted_loss`): train with
  ``L_wf = (1/N²) Σ_γ w(γ) |F[f](γ) − F[T](γ)|²`` over all ``N`` DFT indices (the
  ``1/N²`` makes ``w ≡ 1`` equal the MSE ``L_s`` of eq 3 exactly, Parseval; the
  paper drops the constant), for a user-chosen ``w``, and compare the order in
  which the peaks converge with plain MSE.  The paper's conjecture (stated, then
  doubted): the weight sets each frequency's speed of convergence.
* App. 6.3–6.4 (:func:`info_plane`): the information-plane trajectory
  ``(I(T_b), I(Y_b; T_b))`` with the paper's binning ``v_b = Round(v/b)·b``,
  ``b = 0.05``, for ``f0 = x`` on [−1, 1] quantised with α = 0 and α = 0.5: the
  compression of ``I(T)`` appears for α = 0.5 and not for α = 0.

Every study trains all its networks as one batched model (no Python loop over
seeds, weights or α).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ringing.activations import get_activation
from ringing.checks import positive_float, positive_int
from ringing.experiments.spectral_bias import (
    CORRELATION_RANGE,
    make_seed_list,
    mean_interval,
    spearman_rows,
)
from ringing.simulate.common import make_generator, resolve_device, resolve_dtype
from ringing.simulate.training import (
    FPRINCIPLE_TARGETS,
    BatchedMLP,
    censored_rank_correlations,
    learned_steps,
    train_full_batch,
    validate_steps,
)
from ringing.spectral import (
    check_nyquist,
    nonuniform_dft,
    quantized_target,
    relative_error,
    round_half_away,
    sine_mixture,
    spectrum_peaks,
    validate_alpha,
)

__all__ = [
    "first_pc_coordinate",
    "BatchedCNN",
    "PCFPrincipleResult",
    "pc_fprinciple",
    "order_correlation",
    "frequency_weights",
    "weighted_frequency_loss",
    "WeightedLossResult",
    "weighted_loss",
    "binned_entropy",
    "binned_mutual_information",
    "InfoPlaneResult",
    "info_plane",
]


def order_correlation(peaks: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Spearman(frequency, Δ_F) at every recorded step after the first, averaged: ``(..., S)``.

    ``delta`` ``(R, ..., S, K)``.  Positive when, along the run, higher frequencies
    have the larger relative error (converge later); it does not depend on a
    threshold.  Steps where Δ_F is constant over the peaks are left out.
    """
    rho = spearman_rows(peaks, delta[1:])
    return np.asarray(np.nanmean(rho, axis=0))


def _rc_summary(values: Sequence[float | None]) -> dict[str, Any]:
    v = np.array([x for x in values if x is not None], dtype=np.float64)
    if v.size == 0:
        return {"mean": None, "lo": None, "hi": None, "min": None, "max": None, "n": 0}
    st = mean_interval(v[:, None], bounds=CORRELATION_RANGE)
    return {k: None if x is None else float(np.asarray(x).reshape(-1)[0])
            for k, x in st.items()} | {"n": int(v.size)}


# ----------------------------------------------------------------------------
# §2.1: the first principal component


def first_pc_coordinate(x: np.ndarray) -> np.ndarray:
    """Seed 003 §2.1: the projection on the first principal direction, rescaled to [0, 1].

    Centre the images, take the eigenvector ``p_1`` of the largest eigenvalue of
    ``C = X Xᵀ``, project ``x'_k = p_1ᵀ x_k`` and rescale
    ``x_k = (x'_k − min x') / max(x' − min x')``.  The sign of ``p_1`` is fixed so
    that its largest-magnitude entry is positive (eigenvectors have no sign).
    """
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim != 2 or xs.shape[0] < 2:
        raise ValueError(f"need a (n ≥ 2, features) array of images, got shape {xs.shape}")
    xc = xs - xs.mean(axis=0)
    _, vecs = np.linalg.eigh(xc.T @ xc)
    p1 = vecs[:, -1]
    p1 = p1 * np.sign(p1[np.argmax(np.abs(p1))])
    proj = xs @ p1
    span = proj.max() - proj.min()
    if span <= 0:
        raise ValueError("all images project to the same point")
    out: np.ndarray = (proj - proj.min()) / span
    return out


class BatchedCNN(torch.nn.Module):
    """``S`` independent small CNNs on 8×8 images, one grouped convolution per layer.

    Seed 003 Fig 1's CNN (two 3×3 convolution layers with 2×2 max-pooling, then a
    dense network, ReLU, every parameter ``N(0, init_std²)``), scaled to 8×8
    digits: ``channels`` features per convolution, ``hidden`` dense units, output
    1.  Network ``s``'s convolutions are group ``s`` of a grouped convolution, so
    the ``S`` networks never mix and one forward pass runs them all.
    """

    def __init__(self, seeds: Sequence[int], *, channels: int = 8, hidden: int = 32,
                 init_std: float = 0.05, device: str = "auto", dtype: str = "float32") -> None:
        super().__init__()
        if len(seeds) == 0:
            raise ValueError("need at least one seed")
        c = positive_int(channels, "channels")
        h = positive_int(hidden, "hidden")
        std = positive_float(init_std, "init_std")
        self.channels, self.hidden = c, h
        shapes = {"c1": (c, 1, 3, 3), "b1": (c,), "c2": (c, c, 3, 3), "b2": (c,),
                  "d1": (4 * c, h), "e1": (1, h), "d2": (h, 1), "e2": (1, 1)}
        draws: dict[str, list[torch.Tensor]] = {k: [] for k in shapes}
        for s in seeds:
            g = make_generator(int(s), "cpu")
            for k, shp in shapes.items():
                draws[k].append(torch.randn(*shp, generator=g, dtype=torch.float64) * std)
        dev, dt = resolve_device(device), resolve_dtype(dtype)

        def par(k: str) -> torch.nn.Parameter:
            t = torch.stack(draws[k])
            if k in ("c1", "c2"):  # (S, out, in, 3, 3) → grouped (S·out, in, 3, 3)
                t = t.reshape(-1, *t.shape[2:])
            elif k in ("b1", "b2"):
                t = t.reshape(-1)
            return torch.nn.Parameter(t.to(device=dev, dtype=dt))

        self.params = torch.nn.ParameterDict({k: par(k) for k in shapes})
        self._n = len(seeds)

    @property
    def n_models(self) -> int:
        """Number of networks ``S``."""
        return self._n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``(n, 64)`` (shared) or ``(S, n, 64)`` → outputs ``(S, n)``."""
        s, c, p = self._n, self.channels, self.params
        xs = x.reshape(1, -1, 64).expand(s, -1, -1) if x.ndim == 2 else x
        n = xs.shape[1]
        img = xs.permute(1, 0, 2).reshape(n, s, 8, 8)  # channels = networks
        fn = torch.nn.functional
        h = fn.max_pool2d(torch.relu(fn.conv2d(img, p["c1"], p["b1"], padding=1, groups=s)), 2)
        h = fn.max_pool2d(torch.relu(fn.conv2d(h, p["c2"], p["b2"], padding=1, groups=s)), 2)
        h = h.reshape(n, s, c * 4).permute(1, 0, 2)  # (S, n, 4c)
        h = torch.relu(torch.baddbmm(p["e1"], h, p["d1"]))
        return torch.baddbmm(p["e2"], h, p["d2"])[..., 0]


@dataclass
class PCFPrincipleResult:
    """Seed 003 Fig 1 analogue: Δ_F at the first-PC spectrum's peaks during training.

    Attributes
    ----------
    coordinate : np.ndarray
        The rescaled first-PC coordinate of every image ``(n,)``.
    index, spectrum : np.ndarray
        Frequency indices ``γ = 1 … max_index`` and ``|F[f](γ)|`` of the labels.
    peaks : np.ndarray
        The selected components (the paper's black dots), ``(K,)``.
    delta : np.ndarray
        ``(R, S, K)``; ``learned`` ``(S, K)`` the first step with Δ_F ≤ threshold.
    """

    network: str
    coordinate: np.ndarray
    index: np.ndarray
    spectrum: np.ndarray
    peaks: np.ndarray
    seeds: list[int]
    steps: np.ndarray
    delta: np.ndarray
    learned: np.ndarray
    train_loss: np.ndarray
    threshold: float
    total_steps: int
    record_every: int
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def rank_correlations(self) -> list[float | None]:
        """Spearman(peak frequency, learned step) per seed (censored runs last)."""
        return censored_rank_correlations(self.peaks, self.learned, self.total_steps,
                                           self.record_every)

    def payload(self) -> dict[str, Any]:
        """JSON payload of ``ringing simulate pc-fprinciple``."""
        lst = np.where(self.learned < 0, np.inf, self.learned.astype(np.float64))
        med = np.median(lst, axis=0)
        return {
            "network": self.network, "peaks": self.peaks, "seeds": self.seeds,
            "spectrum_index": self.index, "spectrum": self.spectrum,
            "learned_step_median": [None if not np.isfinite(v) else float(v) for v in med],
            "learned_step_per_seed": [[None if v < 0 else int(v) for v in row]
                                      for row in self.learned],
            "rank_correlation_per_seed": self.rank_correlations(),
            "rank_correlation": _rc_summary(self.rank_correlations()),
            "order_correlation_per_seed": order_correlation(self.peaks, self.delta),
            "order_correlation": _rc_summary(list(order_correlation(self.peaks, self.delta))),
            "threshold": self.threshold, "steps": self.steps,
            "curves": self.delta.mean(axis=1).T,
            "final_train_loss": float(self.train_loss[-1].mean()),
            "config": self.config, "seconds": self.seconds,
        }


def pc_fprinciple(network: str = "mlp", *, n_peaks: int = 6, max_index: int = 40,
                  steps: int = 600, lr: float | None = None, seeds: int = 3, seed: int = 0,
                  record_every: int = 10, threshold: float = 0.1,
                  init_std: float | None = None, widths: Sequence[int] = (200, 100, 100),
                  device: str = "cpu", dtype: str = "float32") -> PCFPrincipleResult:
    """Seed 003 §2.1 / Fig 1 on scikit-learn's digits: Δ_F along the first principal component.

    Inputs are the 1797 digits' pixels / 16 (64 features), labels the digit
    value 0–9 as a real number (the paper's 1-output regression on the label).
    ``network``: ``"mlp"`` (tanh, ``widths``, the paper's 200-100-100) or
    ``"cnn"`` (:class:`BatchedCNN`).  Full-batch Adam (the paper: batches of
    100/128, learning rates 1e-5 – 1e-6 and init std 1e-4 for the MLP, 0.05 for
    the CNN, over many epochs; the defaults here — lr 3e-4 (MLP) / 1e-3 (CNN),
    init std 0.05 for both — are reduced so that a run takes a minute on two
    cores).  The peaks are those of ``|F[f](γ)|`` on ``γ = 1 … max_index``
    (:func:`ringing.theory.fourier.spectrum_peaks`, first ``n_peaks``).
    """
    from sklearn.datasets import load_digits

    if network not in ("mlp", "cnn"):
        raise ValueError(f"unknown network {network!r}; known: mlp, cnn")
    steps = validate_steps(steps)
    seed_list = make_seed_list(seeds, seed)
    raw = load_digits()
    x = np.asarray(raw.data, dtype=np.float64) / 16.0
    y = np.asarray(raw.target, dtype=np.float64)
    u = first_pc_coordinate(x)
    index = np.arange(1, positive_int(max_index, "max_index") + 1)
    spec = nonuniform_dft(u, y, index, (0.0, 1.0))
    peaks = spectrum_peaks(np.abs(spec), index, n_peaks=positive_int(n_peaks, "n_peaks"))
    std = 0.05 if init_std is None else positive_float(init_std, "init_std")
    model: torch.nn.Module
    if network == "mlp":
        lr_v = 3e-4 if lr is None else lr
        model = BatchedMLP([64, *[positive_int(w, "width") for w in widths], 1], "tanh",
                           seed_list, init="normal", init_std=std, device=device, dtype=dtype)
    else:
        lr_v = 1e-3 if lr is None else lr
        model = BatchedCNN(seed_list, init_std=std, device=device, dtype=dtype)
    t0 = time.perf_counter()
    rec = train_full_batch(model, x, y, steps=steps, lr=lr_v, record_every=record_every,
                           desc=f"first-PC F-principle ({network})")
    assert rec.train_outputs is not None
    pos = np.searchsorted(index, peaks)
    f_model = nonuniform_dft(u, rec.train_outputs, peaks, (0.0, 1.0))  # (R, S, K)
    delta = relative_error(spec[pos][None, None], f_model)
    learned = learned_steps(delta, rec.steps, threshold)
    cfg = {"data": "scikit-learn digits 8x8, pixels/16, label value as target "
                   "(stand-in for MNIST/CIFAR10)", "n": int(x.shape[0]), "network": network,
           "widths": list(widths) if network == "mlp" else None, "lr": lr_v,
           "init_std": std, "optimizer": "adam (full batch)", "steps": steps,
           "record_every": record_every, "device": device, "dtype": dtype,
           "filtering": "none (seed 003 describes none)"}
    return PCFPrincipleResult(network=network, coordinate=u, index=index, spectrum=np.abs(spec),
                              peaks=peaks, seeds=seed_list, steps=rec.steps, delta=delta,
                              learned=learned, train_loss=rec.train_loss,
                              threshold=float(threshold), total_steps=steps,
                              record_every=int(record_every), config=cfg,
                              seconds=time.perf_counter() - t0)


# ----------------------------------------------------------------------------
# §3.2: the weighted frequency loss


def frequency_weights(spec: str, n: int) -> np.ndarray:
    """``w(γ)`` on the ``n`` DFT indices from a registry expression in ``x`` (``x`` = |γ|).

    ``γ = 0 … n−1`` is folded to ``|γ| = min(γ, n − γ)`` (the paper's "second half
    fulfilled by symmetry", so that a real residual keeps a real gradient).  The
    spec is parsed, never evaluated as Python (``"1"``, ``"x"``, ``"x**2"``,
    ``"1 + (x/10)**2"``).  Weights must be finite, ≥ 0 and not all 0.
    """
    n = positive_int(n, "n")
    g = np.arange(n, dtype=np.float64)
    folded = np.minimum(g, n - g)
    act = get_activation(spec)
    w = np.asarray(act.numpy(folded), dtype=np.float64) * np.ones(n)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError(f"weight {spec!r} must be finite, ≥ 0 and not all 0 on the indices "
                         f"0..{n // 2}")
    return w


def weighted_frequency_loss(out: torch.Tensor, target: torch.Tensor,
                            weights: torch.Tensor) -> torch.Tensor:
    """Seed 003 eq 4, ``L_wf = (1/N²) Σ_γ w(γ) |F[f](γ) − F[T](γ)|²`` per network → ``(S,)``.

    ``F`` is the DFT over the ``N`` evenly spaced training points (``torch.fft``);
    ``weights`` ``(S, N)`` or ``(N,)``.  With ``w ≡ 1`` this equals the mean squared
    error (eq 3) by Parseval's theorem.
    """
    n = out.shape[-1]
    r = torch.fft.fft(out - target, dim=-1)
    return (weights * (r.real**2 + r.imag**2)).sum(dim=-1) / (n * n)


@dataclass
class WeightedLossResult:
    """Seed 003 §3.2: Δ_F at the peaks under ``L_wf`` for each weight, and the order.

    ``delta`` ``(R, W, S, K)``; ``learned`` ``(W, S, K)``.
    """

    weights: list[str]
    peaks: np.ndarray
    seeds: list[int]
    steps: np.ndarray
    delta: np.ndarray
    learned: np.ndarray
    train_mse: np.ndarray
    threshold: float
    total_steps: int
    record_every: int
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def payload(self) -> dict[str, Any]:
        """JSON payload of ``ringing simulate weighted-loss``."""
        per: list[dict[str, Any]] = []
        for i, w in enumerate(self.weights):
            rc = censored_rank_correlations(self.peaks, self.learned[i], self.total_steps,
                                             self.record_every)
            lst = np.where(self.learned[i] < 0, np.inf, self.learned[i].astype(np.float64))
            med = np.median(lst, axis=0)
            final = mean_interval(self.delta[-1, i])
            per.append({
                "weight": w,
                "learned_step_median": [None if not np.isfinite(v) else float(v) for v in med],
                "learned_step_per_seed": [[None if v < 0 else int(v) for v in row]
                                          for row in self.learned[i]],
                "rank_correlation_per_seed": rc, "rank_correlation": _rc_summary(rc),
                "order_correlation": _rc_summary(list(order_correlation(self.peaks,
                                                                        self.delta[:, i]))),
                "final_delta_mean": final["mean"], "final_delta_lo": final["lo"],
                "final_delta_hi": final["hi"],
                "curves": self.delta[:, i].mean(axis=1).T,
                "final_mse": float(self.train_mse[-1, i].mean()),
            })
        return {"peaks": self.peaks, "seeds": self.seeds, "steps": self.steps,
                "threshold": self.threshold, "results": per, "config": self.config,
                "seconds": self.seconds}


def weighted_loss(weights: Sequence[str] = ("1", "1 + x**2"), *, target: str = "mixture",
                  frequencies: Sequence[int] = (1, 2, 3, 4, 5, 6),
                  n_samples: int = 200, widths: Sequence[int] = (100, 100, 100, 50),
                  steps: int = 1500, lr: float = 1e-3, seeds: int = 3, seed: int = 0,
                  init_std: float = 0.1, record_every: int = 25, threshold: float = 0.1,
                  device: str = "cpu", dtype: str = "float32") -> WeightedLossResult:
    """Seed 003 §3.2 (eq 3–4): train with ``L_wf`` for each weight ``w(γ)`` and follow Δ_F.

    The target is ``"mixture"`` (default): ``Σ_k sin(2πkx + φ_k)`` on [0, 1) at the
    integer ``frequencies`` (phases per seed; the peaks are the ``k``), or one of
    :data:`ringing.simulate.training.FPRINCIPLE_TARGETS` (``"linear"``: ``f0 = x``,
    α = 0.5 on [−1, 1], the first 6 peaks, as Fig 3 — whose upper peaks need
    ≥ 20000 steps at the paper's settings, beyond the reduced budget), on
    ``n_samples`` evenly spaced points (600 in the paper); a tanh MLP
    (every parameter ``N(0, init_std²)``) trained by full-batch Adam.  All
    ``weights × seeds`` networks are one batch; seed ``s`` has the same
    initialisation under every weight.  The paper's Fig 3 set-up is 200-200-200-100,
    lr 2e-5, 20000+ steps; the defaults are reduced.
    """
    known = ("mixture", *(k for k, v in FPRINCIPLE_TARGETS.items() if v.noise == 0))
    if target not in known:
        raise ValueError(f"unknown target {target!r}; known: {', '.join(known)}")
    if len(weights) == 0:
        raise ValueError("need at least one weight")
    steps = validate_steps(steps)
    n = positive_int(n_samples, "n_samples")
    seed_list = make_seed_list(seeds, seed)
    s, nw = len(seed_list), len(weights)
    wmat = np.stack([frequency_weights(w, n) for w in weights])  # (W, n)
    cfg_t: dict[str, Any]
    if target == "mixture":
        interval = (0.0, 1.0)
        peaks = check_nyquist(frequencies, n)
        if np.any(peaks <= 0) or np.any(peaks != np.round(peaks)):
            raise ValueError("mixture frequencies must be positive integers")
        x = np.arange(n) / n
        phases = np.stack([np.random.default_rng(v).uniform(0, 2 * np.pi, peaks.size)
                           for v in seed_list])
        y = np.tile(sine_mixture(x, peaks, np.ones(peaks.size), phases), (nw, 1))  # (W·S, n)
        spec_p = nonuniform_dft(x, y, peaks, interval)  # (W·S, K)
        cfg_t = {"target": "mixture", "frequencies": peaks.tolist()}
    else:
        t = FPRINCIPLE_TARGETS[target]
        interval = t.interval
        a, b = t.interval
        x = a + (b - a) * np.arange(n) / n
        y = quantized_target(t.f0, t.alpha, x)
        index = np.arange(1, min(t.max_index, n // 2 - 1) + 1)
        spec = nonuniform_dft(x, y, index, t.interval)
        peaks = spectrum_peaks(np.abs(spec), index, n_peaks=t.n_peaks)
        spec_p = spec[np.searchsorted(index, peaks)][None]
        cfg_t = {"target": target, "f0": t.f0, "alpha": t.alpha, "interval": list(t.interval)}
    model = BatchedMLP([1, *[positive_int(w, "width") for w in widths], 1], "tanh",
                       seed_list * nw, init="normal", init_std=init_std, device=device,
                       dtype=dtype)
    p0 = next(model.parameters())
    w_t = torch.as_tensor(np.repeat(wmat, s, axis=0), dtype=p0.dtype, device=p0.device)

    def loss(out: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        return weighted_frequency_loss(out, tgt, w_t)

    t0 = time.perf_counter()
    rec = train_full_batch(model, x, y, steps=steps, lr=lr, record_every=record_every,
                           loss_fn=loss, desc="weighted loss")
    assert rec.train_outputs is not None
    f_model = nonuniform_dft(x, rec.train_outputs, peaks, interval)  # (R, W·S, K)
    delta = relative_error(spec_p[None], f_model)
    learned = learned_steps(delta, rec.steps, threshold)
    r = rec.steps.size
    mse = ((rec.train_outputs - y) ** 2).mean(axis=2).reshape(r, nw, s)
    cfg = {**cfg_t, "n_samples": n, "widths": list(widths), "lr": lr, "init_std": init_std,
           "steps": steps, "record_every": record_every, "device": device, "dtype": dtype,
           "loss": "L_wf = (1/N^2) sum_gamma w(|gamma|) |DFT residual|^2"}
    return WeightedLossResult(weights=list(weights), peaks=peaks, seeds=seed_list,
                              steps=rec.steps, delta=delta.reshape(r, nw, s, -1),
                              learned=learned.reshape(nw, s, -1), train_mse=mse,
                              threshold=float(threshold), total_steps=steps,
                              record_every=int(record_every), config=cfg,
                              seconds=time.perf_counter() - t0)


# ----------------------------------------------------------------------------
# App. 6.3-6.4: the information plane


def _bin(v: np.ndarray, b: float) -> np.ndarray:
    """Seed 003 App. 6.4: ``v_b = Round(v/b)·b``, returned as the integer ``Round(v/b)``."""
    return round_half_away(np.asarray(v, dtype=np.float64) / b).astype(np.int64)


def _row_entropy(codes: np.ndarray) -> np.ndarray:
    """Plug-in entropy (bits) of each row of integer codes ``(..., n)``, vectorised."""
    c = np.asarray(codes)
    lead, n = c.shape[:-1], c.shape[-1]
    flat = np.sort(c.reshape(-1, n), axis=1)
    rows = flat.shape[0]
    new = np.ones_like(flat, dtype=bool)
    new[:, 1:] = flat[:, 1:] != flat[:, :-1]
    ids = np.cumsum(new.reshape(-1)) - 1  # run id over the whole array (runs never span rows)
    counts = np.bincount(ids)
    row_of = np.repeat(np.arange(rows), new.sum(axis=1))
    p = counts / n
    h = np.bincount(row_of, weights=-p * np.log2(p), minlength=rows)
    return h.reshape(lead)


def binned_entropy(values: np.ndarray, bin_size: float = 0.05) -> np.ndarray:
    """``I(V_b)`` (bits) of each row of ``values`` ``(..., n)`` over its ``n`` samples.

    Seed 003 App. 6.4: bin ``v_b = Round(v/b)·b``, then the plug-in entropy of the
    empirical distribution over the samples (``x`` uniform on the training points).
    """
    b = positive_float(bin_size, "bin_size")
    return _row_entropy(_bin(values, b))


def binned_mutual_information(y: np.ndarray, t: np.ndarray, bin_size: float = 0.05,
                              ) -> np.ndarray:
    """``I(Y_b; T_b) = I(Y_b) + I(T_b) − I(Y_b, T_b)`` (bits), rows of ``t`` against ``y``."""
    b = positive_float(bin_size, "bin_size")
    yb = np.broadcast_to(_bin(y, b), np.shape(t))
    tb = _bin(t, b)
    tmin = tb.min(axis=-1, keepdims=True)
    span = int((tb - tmin).max()) + 1
    joint = (yb - yb.min()) * span + (tb - tmin)
    return _row_entropy(yb) + _row_entropy(tb) - _row_entropy(joint)


@dataclass
class InfoPlaneResult:
    """Seed 003 App. 6.3, Fig 9: information-plane trajectories for each α.

    ``entropy_t`` ``(R, A, S)`` is ``I(T_b)`` (= ``I(X; T)`` up to binning),
    ``mutual_yt`` ``I(Y_b; T_b)``; ``entropy_f0`` and ``entropy_y`` ``(A,)`` the
    dashed lines of Fig 9 (``I(f0_b)``, ``I(Y_b)``, exact from the data).
    """

    alphas: np.ndarray
    seeds: list[int]
    steps: np.ndarray
    entropy_t: np.ndarray
    mutual_yt: np.ndarray
    entropy_f0: float
    entropy_y: np.ndarray
    train_loss: np.ndarray
    bin_size: float
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def compression(self) -> np.ndarray:
        """``max_t I(T_b) − I(T_b)(end)`` (bits), ``(A, S)``: how far I(T) falls after its peak."""
        return self.entropy_t.max(axis=0) - self.entropy_t[-1]

    def payload(self) -> dict[str, Any]:
        """JSON payload of ``ringing simulate info-plane``."""
        comp = mean_interval(self.compression.T)
        return {
            "alphas": self.alphas, "seeds": self.seeds, "steps": self.steps,
            "bin_size": self.bin_size,
            "entropy_f0": self.entropy_f0, "entropy_y": self.entropy_y,
            "entropy_t_mean": self.entropy_t.mean(axis=2).T,
            "mutual_yt_mean": self.mutual_yt.mean(axis=2).T,
            "peak_entropy_t_mean": self.entropy_t.max(axis=0).mean(axis=1),
            "final_entropy_t_mean": self.entropy_t[-1].mean(axis=1),
            "compression_mean": comp["mean"], "compression_lo": comp["lo"],
            "compression_hi": comp["hi"],
            "final_train_loss": self.train_loss[-1].mean(axis=1),
            "config": self.config, "seconds": self.seconds,
        }


def info_plane(alphas: Sequence[float] = (0.0, 0.5), *, n_samples: int = 40,
               widths: Sequence[int] = (100, 100, 100, 50), steps: int = 3000,
               lr: float = 1e-3, optimizer: str = "adam", seeds: int = 3, seed: int = 0,
               init_std: float = 0.1, record_every: int = 25, bin_size: float = 0.05,
               device: str = "cpu", dtype: str = "float32") -> InfoPlaneResult:
    """Seed 003 App. 6.3 (Fig 9): ``f0 = x`` on [−1, 1] quantised with each α; I(T) over training.

    α = 0 is the unquantised ``f0``; α > 0 is ``α·Round(x/α)`` (eq 2).  A tanh MLP
    (``N(0, init_std²)`` initialisation) per (α, seed), all in one batch, trained
    full batch (the paper: gradient descent; ``optimizer="sgd"`` is plain full-batch
    gradient descent, the default Adam converges within the reduced budget).
    At every recorded step ``I(T_b)`` and ``I(Y_b; T_b)`` with the paper's bin
    ``b = 0.05``, in bits, the samples uniform over the training points.
    """
    al = np.array([float(a) for a in alphas], dtype=np.float64)
    if al.size == 0 or not np.all(np.isfinite(al)) or np.any(al < 0):
        raise ValueError(f"alphas must be numbers ≥ 0, got {list(alphas)!r}")
    steps = validate_steps(steps)
    n = positive_int(n_samples, "n_samples")
    b = positive_float(bin_size, "bin_size")
    seed_list = make_seed_list(seeds, seed)
    s, na = len(seed_list), al.size
    x = -1.0 + 2.0 * np.arange(n) / n
    ys = np.stack([x if a == 0 else quantized_target("x", validate_alpha(a), x) for a in al])
    model = BatchedMLP([1, *[positive_int(w, "width") for w in widths], 1], "tanh",
                       seed_list * na, init="normal", init_std=init_std, device=device,
                       dtype=dtype)
    t0 = time.perf_counter()
    rec = train_full_batch(model, x, np.repeat(ys, s, axis=0), steps=steps, lr=lr,
                           optimizer=optimizer, record_every=record_every,
                           desc="information plane")
    assert rec.train_outputs is not None
    r = rec.steps.size
    out = rec.train_outputs.reshape(r, na, s, n)
    h_t = binned_entropy(out, b)
    mi = binned_mutual_information(np.repeat(ys[:, None, :], s, axis=1)[None].repeat(r, 0),
                                   out, b)
    cfg = {"f0": "x", "interval": [-1.0, 1.0], "n_samples": n, "widths": list(widths),
           "lr": lr, "optimizer": optimizer, "init_std": init_std, "steps": steps,
           "record_every": record_every, "bin_size": b, "device": device, "dtype": dtype,
           "units": "bits"}
    return InfoPlaneResult(alphas=al, seeds=seed_list, steps=rec.steps, entropy_t=h_t,
                           mutual_yt=mi, entropy_f0=float(binned_entropy(x, b)),
                           entropy_y=binned_entropy(ys, b),
                           train_loss=rec.train_loss.reshape(-1, na, s), bin_size=b,
                           config=cfg, seconds=time.perf_counter() - t0)



# ----------------------------------------------------------------------------
# figures


def _heat(ax: Any, fig: Any, curves: np.ndarray, steps: np.ndarray, peaks: np.ndarray,
          title: str) -> None:
    im = ax.imshow(curves, aspect="auto", origin="lower", cmap="coolwarm_r", vmin=0.0,
                   vmax=0.3, interpolation="nearest",
                   extent=(-0.5, peaks.size - 0.5, float(steps[0]), float(steps[-1])))
    ax.set_xticks(range(peaks.size), [f"{k:g}" for k in peaks])
    ax.set_xlabel("frequency index γ (peak)")
    ax.set_ylabel("step")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="Δ_F (mean over seeds)")


def figure_pc_fprinciple(res: PCFPrincipleResult, path: str) -> str:
    """Seed 003 Fig 1 analogue: |F[f]| along the first PC with peaks, and Δ_F over steps."""
    from ringing.experiments.spectral_bias import _fig, _save

    fig, ax = _fig(2)
    ax[0].semilogy(res.index, res.spectrum, "r-")
    pos = np.searchsorted(res.index, res.peaks)
    ax[0].semilogy(res.peaks, res.spectrum[pos], "ko")
    ax[0].set_xlabel("frequency index γ")
    ax[0].set_ylabel("|F[f](γ)|")
    ax[0].set_title("digits, first principal component")
    _heat(ax[1], fig, res.delta.mean(axis=1), res.steps, res.peaks, f"Δ_F ({res.network})")
    return _save(fig, path)


def figure_weighted_loss(res: WeightedLossResult, path: str) -> str:
    """Seed 003 Fig 3c under each weight: Δ_F at the peaks over steps."""
    from ringing.experiments.spectral_bias import _fig, _save

    fig, ax = _fig(len(res.weights))
    for i, w in enumerate(res.weights):
        _heat(ax[i], fig, res.delta[:, i].mean(axis=1), res.steps, res.peaks, f"w = {w}")
    return _save(fig, path)


def figure_info_plane(res: InfoPlaneResult, path: str) -> str:
    """Seed 003 Fig 9 (b, d) analogue: (I(T_b), I(Y_b;T_b)) trajectories, coloured by step."""
    from ringing.experiments.spectral_bias import _fig, _save

    fig, ax = _fig(res.alphas.size)
    for i, a in enumerate(res.alphas):
        sc = ax[i].scatter(res.entropy_t[:, i].mean(axis=1), res.mutual_yt[:, i].mean(axis=1),
                           c=res.steps, cmap="viridis", s=8)
        ax[i].axvline(res.entropy_f0, color="g", ls="--", lw=1, label="I(f0_b)")
        ax[i].axhline(res.entropy_y[i], color="r", ls="--", lw=1, label="I(Y_b)")
        ax[i].set_xlabel("I(T_b) (bits)")
        ax[i].set_ylabel("I(Y_b; T_b) (bits)")
        ax[i].set_title(f"α = {a:g}")
        ax[i].legend(fontsize=7)
        fig.colorbar(sc, ax=ax[i], label="step")
    return _save(fig, path)
