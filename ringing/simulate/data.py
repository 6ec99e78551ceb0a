"""Inputs for the simulations: correlated pairs, waveform-noise, digits, Gaussian data.

Nothing here downloads anything: the waveform-noise set is generated from its
published definition and scikit-learn's digits ship inside the package.
"""

from __future__ import annotations

import gzip
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "DATASETS",
    "Dataset",
    "correlated_pairs",
    "pair_correlations",
    "gaussian_data",
    "waveform_noise",
    "digits",
    "load_dataset",
    "load_local_dataset",
    "LOCAL_DATASETS",
    "process_images",
    "standardize_features",
    "check_rho0",
]

DATASETS = ("gaussian", "waveform", "digits")


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` ``(n, d)`` (float64 numpy), integer labels ``y`` ``(n,)`` and a name."""

    x: np.ndarray
    y: np.ndarray
    name: str

    @property
    def n_classes(self) -> int:
        return int(self.y.max()) + 1 if self.y.size else 0


def check_rho0(rho0: Sequence[float] | np.ndarray | float) -> np.ndarray:
    """``rho0`` as a 1-d float64 array, every value finite and in ``[-1, 1]``."""
    arr = np.atleast_1d(np.asarray(rho0, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"rho0 must be a non-empty list of numbers, got {rho0!r}")
    bad = arr[~np.isfinite(arr) | (np.abs(arr) > 1)]
    if bad.size:
        raise ValueError(f"rho0 = {float(bad[0])!r} is outside [-1, 1]")
    return arr


def correlated_pairs(rho0: Sequence[float] | np.ndarray, dim: int, *,
                     generator: torch.Generator, n_pairs: int = 1,
                     dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Pairs of inputs with exact cosine similarity ``ρ_0`` and ``‖x‖² = dim``, in one batch.

    For every ``ρ_0`` (and each of ``n_pairs`` independent repeats) an orthonormal
    pair ``(u, v)`` is drawn (Gram–Schmidt of two Gaussian vectors) and the inputs
    are ``x_α = √d u`` and ``x_β = √d (ρ_0 u + √(1-ρ_0²) v)``, so that the per-
    coordinate second moment is 1, as for the normalised preactivations of seed 002
    eq 2.1.  Returns a ``(2 · R · n_pairs, dim)`` tensor; rows ``2k`` and ``2k+1``
    form pair ``k``, pairs ordered ρ-major (``k = r · n_pairs + j``).
    """
    rho = check_rho0(rho0)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 2:
        raise ValueError(f"input dimension must be an integer >= 2, got {dim!r}")
    if n_pairs < 1:
        raise ValueError(f"n_pairs must be >= 1, got {n_pairs}")
    m = rho.size * n_pairs
    g = torch.randn(m, 2, dim, generator=generator, dtype=torch.float64)
    u = g[:, 0] / torch.linalg.vector_norm(g[:, 0], dim=1, keepdim=True)
    v = g[:, 1] - (g[:, 1] * u).sum(1, keepdim=True) * u
    v = v / torch.linalg.vector_norm(v, dim=1, keepdim=True)
    r = torch.as_tensor(np.repeat(rho, n_pairs), dtype=torch.float64)[:, None]
    xb = r * u + torch.sqrt(torch.clamp(1 - r * r, min=0.0)) * v
    out = torch.stack([u, xb], dim=1).reshape(2 * m, dim) * math.sqrt(dim)
    return out.to(dtype)


def pair_correlations(z: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of rows ``2k`` and ``2k+1`` of ``z`` (seed 002 eq 2.2)."""
    a, b = z[0::2], z[1::2]
    num = (a * b).sum(-1)
    den = torch.linalg.vector_norm(a, dim=-1) * torch.linalg.vector_norm(b, dim=-1)
    return num / den


def gaussian_data(n: int, dim: int, *, seed: int = 0) -> Dataset:
    """``n`` i.i.d. ``N(0, I_dim)`` inputs (labels all 0).

    Parameters
    ----------
    n
        Number of inputs ``>= 2``.
    dim
        Input dimension ``>= 1``.
    seed
        Seed of the torch generator.

    Returns
    -------
    Dataset
        ``x`` of shape ``(n, dim)``.
    """
    if n < 2 or dim < 1:
        raise ValueError(f"gaussian data needs n >= 2 and dim >= 1, got n={n}, dim={dim}")
    rng = np.random.default_rng(seed)
    return Dataset(rng.standard_normal((n, dim)), np.zeros(n, dtype=np.int64), "gaussian")


def _base_waves() -> np.ndarray:
    """The three triangular base waves of Breiman et al. (1984, pp. 49–55), 21 points each.

    ``h(i) = max(6 - |i - c|, 0)`` for ``i = 1..21`` with centres ``c = 7, 15, 11``
    (the UCI generator ``waveform.c``).
    """
    i = np.arange(1, 22, dtype=float)
    return np.stack([np.maximum(6 - np.abs(i - c), 0.0) for c in (7.0, 15.0, 11.0)])


def waveform_noise(n: int = 5000, *, seed: int = 0, standardize: bool = True) -> Dataset:
    """Breiman's waveform-noise data (UCI "waveform database generator, version 2").

    Seed 004 App. D: 40 features, 3 classes.  Each class mixes two of the three base
    waves (class 0: h1, h2; class 1: h1, h3; class 2: h2, h3) with a uniform weight
    ``u``: ``x_i = u h_a(i) + (1-u) h_b(i) + ε_i`` for the 21 signal attributes, then
    19 pure-noise attributes; all ``ε`` are ``N(0, 1)``; classes equiprobable.  With
    ``standardize`` each feature is scaled to mean 0 and variance 1 (seed 004 D.2).
    """
    if n < 3:
        raise ValueError(f"waveform-noise needs n >= 3 samples, got {n}")
    rng = np.random.default_rng(seed)
    h = _base_waves()
    pairs = np.array([[0, 1], [0, 2], [1, 2]])
    y = rng.integers(0, 3, size=n)
    u = rng.uniform(0.0, 1.0, size=(n, 1))
    signal = u * h[pairs[y, 0]] + (1 - u) * h[pairs[y, 1]] + rng.standard_normal((n, 21))
    x = np.concatenate([signal, rng.standard_normal((n, 19))], axis=1)
    if standardize:
        x = standardize_features(x)
    return Dataset(x, y.astype(np.int64), "waveform")


def standardize_features(x: np.ndarray) -> np.ndarray:
    """Each feature to mean 0 and variance 1 (constant features are left at 0)."""
    mu = x.mean(0)
    sd = x.std(0)
    return (x - mu) / np.where(sd > 0, sd, 1.0)


def digits() -> Dataset:
    """scikit-learn's 8×8 digits (1797 × 64, 10 classes; ships with scikit-learn).

    Processed as seed 004 D.2 processes MNIST, without the PCA projection: each image
    to mean 0 and variance 1, each feature to mean 0, then one global scale so that
    ``Q_{x,i} x(i) = 1``.
    """
    from sklearn.datasets import load_digits

    raw = load_digits()
    x = process_images(np.asarray(raw.data, dtype=float), project=False)
    return Dataset(x, np.asarray(raw.target, dtype=np.int64), "digits")


def load_dataset(name: str, *, n: int = 2000, dim: int = 100, seed: int = 0) -> Dataset:
    """``"gaussian"`` (``n × dim``), ``"waveform"`` (``n × 40``) or ``"digits"`` (1797 × 64)."""
    if name == "gaussian":
        return gaussian_data(n, dim, seed=seed)
    if name == "waveform":
        return waveform_noise(n, seed=seed)
    if name == "digits":
        return digits()
    raise ValueError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")


#: Local image files :func:`load_local_dataset` reads: name -> (pixels per image, classes)
LOCAL_DATASETS = {"mnist": (784, 10), "cifar10": (3072, 10)}


def process_images(x: np.ndarray, *, project: bool = True, dims: int | None = None,
                   variance: float = 0.99, seed: int = 0) -> np.ndarray:
    """Seed 004 App. D.2's processing of MNIST and CIFAR10 (rows are images).

    1. each image to mean 0 and variance 1; 2. each feature to mean 0; 3. the number ``k``
    of principal directions holding ``variance`` of the variance (or ``dims`` when given;
    the paper found 334 for MNIST, 810 for CIFAR10); 4. multiplication with a ``d × k``
    sub-matrix of a Haar-random orthogonal matrix (the first ``k`` columns of the ``Q`` of a
    Gaussian ``d × k`` matrix, drawn with ``seed`` — a random projection, as printed, not the
    PCA projection); 5. one global scale so that ``Q_{x,i} x(i) = 1``.  ``project=False``
    skips steps 3–4 (scikit-learn's digits).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"images must be an (n >= 2, d) array, got shape {x.shape}")
    sd = x.std(1, keepdims=True)
    x = (x - x.mean(1, keepdims=True)) / np.where(sd > 0, sd, 1.0)
    x = x - x.mean(0)
    if project:
        d = x.shape[1]
        if dims is None:
            ev = np.linalg.eigvalsh(x.T @ x)[::-1]
            frac = np.cumsum(ev) / ev.sum()
            k = int(np.searchsorted(frac, variance) + 1)
        else:
            k = int(dims)
        if not 1 <= k <= d:
            raise ValueError(f"projection dimension {k} outside 1..{d}")
        g = np.random.default_rng(seed).standard_normal((d, k))
        q, r = np.linalg.qr(g)
        q = q * np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))
        x = x @ q
    return x / math.sqrt(float(np.mean(x * x)))


def _open(path: Path) -> bytes:
    with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as fh:
        return fh.read()


def _find(folder: Path, stem: str) -> Path | None:
    for p in (folder / stem, folder / f"{stem}.gz"):
        if p.is_file():
            return p
    return None


def _idx(path: Path) -> np.ndarray:
    """An IDX file (MNIST's format): magic 0x0000 08 ndim, big-endian int32 dims, uint8 data."""
    raw = _open(path)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    nd = raw[3]
    dims = np.frombuffer(raw, dtype=">i4", count=nd, offset=4).astype(int)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data, header says {tuple(dims)}")
    return data.reshape(tuple(dims))


def _read_local(path: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    if path.is_file() and path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            if "x" in z and "y" in z:
                return np.asarray(z["x"]), np.asarray(z["y"])
            if all(k in z for k in ("x_train", "y_train", "x_test", "y_test")):
                return (np.concatenate([z["x_train"], z["x_test"]]),
                        np.concatenate([z["y_train"], z["y_test"]]))
        raise ValueError(f"{path} must hold arrays x and y (or x_train, y_train, x_test, y_test)")
    if not path.is_dir():
        raise ValueError(f"{path} is neither an .npz file nor a directory")
    if name == "mnist":
        xs, ys = [], []
        for part in ("train", "t10k"):
            pi = _find(path, f"{part}-images-idx3-ubyte")
            pl = _find(path, f"{part}-labels-idx1-ubyte")
            if pi and pl:
                xs.append(_idx(pi))
                ys.append(_idx(pl))
        if not xs:
            raise ValueError(f"{path} holds no MNIST IDX files (train-images-idx3-ubyte[.gz], "
                             "train-labels-idx1-ubyte[.gz])")
        return np.concatenate(xs), np.concatenate(ys)
    files = sorted(path.glob("data_batch_*.bin")) + sorted(path.glob("test_batch.bin"))
    if not files:
        raise ValueError(f"{path} holds no CIFAR-10 binary batches (data_batch_1.bin, ...)")
    rows = np.concatenate([np.frombuffer(_open(f), dtype=np.uint8) for f in files])
    if rows.size % 3073:
        raise ValueError(f"{path}: CIFAR-10 binary records are 3073 bytes each")
    rows = rows.reshape(-1, 3073)
    return rows[:, 1:], rows[:, 0]


def load_local_dataset(path: str | os.PathLike[str], name: str, *, dims: int | None = None,
                       seed: int = 0, limit: int | None = None) -> Dataset:
    """A user's local MNIST or CIFAR10 copy, processed as seed 004 App. D.2 (nothing is
    downloaded).

    ``path``: an ``.npz`` file with ``x`` (images, any shape per image) and ``y`` (labels), or
    ``x_train``, ``y_train``, ``x_test``, ``y_test`` (concatenated, training part first); or
    a directory with MNIST's IDX files (``train-images-idx3-ubyte[.gz]``,
    ``train-labels-idx1-ubyte[.gz]``, and the ``t10k-`` pair when present) or CIFAR-10's
    binary batches (``data_batch_*.bin``, ``test_batch.bin``).  ``limit`` keeps the first
    ``limit`` images (before processing).  ``dims``, ``seed``: :func:`process_images`.
    """
    if name not in LOCAL_DATASETS:
        raise ValueError(f"unknown local data set {name!r}; known: {', '.join(LOCAL_DATASETS)}")
    p = Path(path)
    if not p.exists():
        raise ValueError(f"local data set {str(p)!r} does not exist")
    x, y = _read_local(p, name)
    pixels, classes = LOCAL_DATASETS[name]
    x = np.asarray(x).reshape(len(x), -1)
    y = np.asarray(y).reshape(-1)
    if x.shape[1] != pixels:
        raise ValueError(f"{name} images have {pixels} values each, {p} has {x.shape[1]}")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{p}: {x.shape[0]} images but {y.shape[0]} labels")
    if y.size and (y.min() < 0 or y.max() >= classes or not np.all(y == np.round(y))):
        raise ValueError(f"{p}: labels must be integers in 0..{classes - 1}")
    if limit is not None:
        x, y = x[:limit], y[:limit]
    return Dataset(process_images(x.astype(float), dims=dims, seed=seed), y.astype(np.int64), name)
