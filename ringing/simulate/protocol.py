"""Seed 004's training protocol (App. E.2) and linearly-approximable-region measurement (E.1).

Philipp & Carbonell, "The nonlinearity coefficient — predicting generalization in deep
neural networks" (seed 004):

* :func:`base_learning_rate` — the smallest starting learning rate of E.2: one epoch of SGD
  with learning rate 1 whose updates are computed but not applied; ``δW_lb`` is the update of
  layer ``l``'s weight matrix on minibatch ``b``.  E.2 prints ``10⁻⁸ Σ_l Q_b‖δW_lb‖_F/‖W_l‖_F``
  but justifies it as the rate at which "no individual weight matrix update would perturb any
  weight matrix by more than approximately 10⁻⁸", and B.1 says high-NLC (large-gradient)
  networks get the *smaller* rates; both hold only for the reciprocal, so this function
  returns ``10⁻⁸ / Σ_l Q_b‖δW_lb‖_F/‖W_l‖_F`` (docs/nlc_study.md records the reading).  For
  Adam (Fig 3F) four epochs first warm up the running averages, as E.2 says.
* :func:`train_run` — one training run: minibatch SGD (or Adam), float64, softmax
  cross-entropy of ``f(x)/c`` with ``c = Q_{x,j} f(x, j)`` fixed at initialisation (App. C);
  train until the validation classification error has not improved for ``patience_first``
  epochs, rewind to the best state, divide the learning rate by 3, continue with patience
  ``patience``; after ``reductions`` divisions, a last patience period, a final rewind.
* :func:`linear_region_diameter` — E.1's relative diameter of the linearly approximable
  region, for a batch ``X``, an input direction ``U`` and an output direction ``V``.

Batchnorm networks are evaluated with the statistics of minibatches of ``batch_size`` (the
network has no running averages), as the NLC is in App. G.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ringing.simulate.architectures import SampledNetwork
from ringing.simulate.data import Dataset
from ringing.simulate.networks import layer_generator

__all__ = ["OPTIMIZERS", "Protocol", "Split", "output_scale", "classification_error",
           "base_learning_rate", "TrainResult", "train_run", "linear_region_diameter",
           "shuffle_generator"]

OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class Protocol:
    """The knobs of E.2's protocol; the defaults are the paper's (no epoch cap: ``0``)."""

    optimizer: str = "sgd"
    batch_size: int = 250
    patience_first: int = 10
    patience: int = 5
    reductions: int = 10
    factor: float = 3.0
    max_epochs: int = 0
    floor: float = 1e-8
    adam_warmup_epochs: int = 4

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer={self.optimizer!r} must be one of "
                             f"{', '.join(OPTIMIZERS)}")
        for name in ("batch_size", "patience_first", "patience"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}={v!r} must be a positive integer")
        if self.batch_size < 2:
            raise ValueError("batch_size must be >= 2 (batchnorm statistics)")
        if not isinstance(self.reductions, int) or self.reductions < 0:
            raise ValueError(f"reductions={self.reductions!r} must be a non-negative integer")
        if not isinstance(self.max_epochs, int) or self.max_epochs < 0:
            raise ValueError(f"max_epochs={self.max_epochs!r} must be >= 0 (0: no cap)")
        if not (self.factor > 1 and math.isfinite(self.factor)):
            raise ValueError(f"factor={self.factor!r} must be > 1")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Split:
    """Training, validation and test sets (numpy float64 inputs, int64 labels)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @classmethod
    def from_dataset(cls, ds: Dataset, n_train: int, n_val: int, n_test: int) -> Split:
        """The first ``n_train`` points, the next ``n_val``, the next ``n_test`` (the data
        sets here are already in random order; seed 004 D.2's 3000/1000/1000 for
        waveform-noise)."""
        need = n_train + n_val + n_test
        if min(n_train, n_val, n_test) < 2:
            raise ValueError("each of n_train, n_val, n_test must be >= 2")
        if need > ds.x.shape[0]:
            raise ValueError(f"data set {ds.name!r} has {ds.x.shape[0]} points, "
                             f"{need} asked for")
        a, b = n_train, n_train + n_val
        return cls(ds.x[:a], ds.y[:a], ds.x[a:b], ds.y[a:b], ds.x[b:need], ds.y[b:need])


def shuffle_generator(net: SampledNetwork) -> torch.Generator:
    """Minibatch order stream: the same for every learning rate of one architecture."""
    return layer_generator(net.arch.seed, net.arch.depth + 2)


def _batched(net: SampledNetwork, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    """``net`` on ``x`` in consecutive minibatches of ``batch_size`` (one call; a remainder
    of at least 2 points is its own minibatch), outputs in input order."""
    n = x.shape[0]
    nb = n // batch_size
    outs = []
    if nb:
        outs.append(net(x[:nb * batch_size].reshape(nb, batch_size, -1)).reshape(
            nb * batch_size, -1))
    if n - nb * batch_size >= 2 or (n - nb * batch_size == 1 and net.arch.norm != "batch"):
        outs.append(net(x[nb * batch_size:]))
    return torch.cat(outs)


def output_scale(net: SampledNetwork, x: torch.Tensor, batch_size: int = 250) -> float:
    """``c = Q_{x,j} f(x, j)`` at initialisation (App. C's loss scale)."""
    with torch.no_grad():
        f = _batched(net, x, batch_size)
    c = float(torch.sqrt((f * f).mean()))
    if not (c > 0 and math.isfinite(c)):
        raise ValueError(f"output scale Q f = {c} at initialisation is not positive and finite")
    return c


def classification_error(net: SampledNetwork, x: torch.Tensor, y: torch.Tensor,
                         batch_size: int = 250) -> float:
    """Fraction misclassified (argmax of the output; non-finite outputs count as wrong)."""
    with torch.no_grad():
        f = _batched(net, x, batch_size)
    ok = torch.isfinite(f).all(dim=1) & (f.argmax(dim=1) == y[:f.shape[0]])
    return 1.0 - float(ok.double().mean())


def _loss(net: SampledNetwork, xb: torch.Tensor, yb: torch.Tensor, scale: float
          ) -> torch.Tensor:
    return F.cross_entropy(net(xb) / scale, yb)


def base_learning_rate(net: SampledNetwork, split: Split, protocol: Protocol) -> float:
    """The smallest starting learning rate (E.2; see the module docstring for the reading).

    Gradients of one epoch (the minibatch order of :func:`shuffle_generator`), nothing
    applied; for Adam the update direction ``m̂/(√v̂ + ε)`` after ``adam_warmup_epochs``.
    """
    x = torch.as_tensor(split.x_train, dtype=net.dtype_, device=net.device_)
    y = torch.as_tensor(split.y_train, device=net.device_)
    scale = output_scale(net, x, protocol.batch_size)
    g = shuffle_generator(net)
    weights = list(net.weights)
    norms = [float(torch.linalg.vector_norm(w.detach())) for w in weights]
    b = protocol.batch_size
    nb = x.shape[0] // b
    sq = torch.zeros(len(weights), dtype=torch.float64)
    m = [torch.zeros_like(w) for w in weights]
    v = [torch.zeros_like(w) for w in weights]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    epochs = 1 + (protocol.adam_warmup_epochs if protocol.optimizer == "adam" else 0)
    step = 0
    for epoch in range(epochs):
        perm = torch.randperm(x.shape[0], generator=g).to(net.device_)
        last = epoch == epochs - 1
        for k in range(nb):
            idx = perm[k * b:(k + 1) * b]
            grads = torch.autograd.grad(_loss(net, x[idx], y[idx], scale), weights)
            step += 1
            for i, gr in enumerate(grads):
                if protocol.optimizer == "adam":
                    m[i].mul_(beta1).add_(gr, alpha=1 - beta1)
                    v[i].mul_(beta2).addcmul_(gr, gr, value=1 - beta2)
                    upd = (m[i] / (1 - beta1**step)) / (
                        torch.sqrt(v[i] / (1 - beta2**step)) + eps)
                else:
                    upd = gr
                if last:
                    sq[i] += float((upd.double() ** 2).sum())
    ratios = torch.sqrt(sq / nb).numpy() / np.asarray(norms)
    total = float(ratios.sum())
    if not (total > 0 and math.isfinite(total)):
        raise ValueError(f"the gradient ratios sum to {total}; no base learning rate")
    return protocol.floor / total


@dataclass
class TrainResult:
    """One training run (E.2): the errors at the rewound (best-validation) state."""

    lr: float
    val_error: float
    test_error: float
    train_error: float
    epochs: int
    best_epoch: int
    reductions_done: int
    diverged: bool
    capped: bool
    output_scale: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _make_optimizer(protocol: Protocol, params: list[torch.nn.Parameter], lr: float
                    ) -> torch.optim.Optimizer:
    if protocol.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)


def train_run(net: SampledNetwork, split: Split, lr: float, protocol: Protocol
              ) -> TrainResult:
    """Train ``net`` in place by E.2's protocol from starting learning rate ``lr``; on return
    ``net`` holds the rewound (lowest validation error) parameters.

    A non-finite loss ends the current learning-rate phase at once (rewind, divide by 3),
    counted in ``diverged``.  ``protocol.max_epochs`` (when > 0) caps the total number of
    epochs (then a final rewind; ``capped``).
    """
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"learning rate {lr!r} must be positive and finite")
    dev, dt = net.device_, net.dtype_
    x = torch.as_tensor(split.x_train, dtype=dt, device=dev)
    y = torch.as_tensor(split.y_train, device=dev)
    xv = torch.as_tensor(split.x_val, dtype=dt, device=dev)
    yv = torch.as_tensor(split.y_val, device=dev)
    b = protocol.batch_size
    nb = x.shape[0] // b
    if nb < 1:
        raise ValueError(f"the training set ({x.shape[0]}) is smaller than one minibatch ({b})")
    scale = output_scale(net, x, b)
    g = shuffle_generator(net)
    params = list(net.parameters())
    best = classification_error(net, xv, yv, b)
    best_state = [p.detach().clone() for p in params]
    best_epoch = 0
    cur_lr = lr
    opt = _make_optimizer(protocol, params, cur_lr)
    phase, since, epoch = 0, 0, 0
    diverged = capped = False
    while True:
        patience = protocol.patience_first if phase == 0 else protocol.patience
        perm = torch.randperm(x.shape[0], generator=g).to(dev)
        bad = False
        for k in range(nb):
            idx = perm[k * b:(k + 1) * b]
            opt.zero_grad(set_to_none=True)
            loss = _loss(net, x[idx], y[idx], scale)
            if not bool(torch.isfinite(loss)):
                bad = True
                break
            loss.backward()
            opt.step()
        epoch += 1
        if bad:
            diverged = True
            since = patience
        else:
            err = classification_error(net, xv, yv, b)
            if err < best:
                best, best_epoch, since = err, epoch, 0
                best_state = [p.detach().clone() for p in params]
            else:
                since += 1
        if protocol.max_epochs and epoch >= protocol.max_epochs:
            capped = True
            break
        if since >= patience:
            with torch.no_grad():
                for p, s in zip(params, best_state, strict=True):
                    p.copy_(s)
            if phase >= protocol.reductions:
                break
            phase += 1
            since = 0
            cur_lr /= protocol.factor
            opt = _make_optimizer(protocol, params, cur_lr)
    with torch.no_grad():
        for p, s in zip(params, best_state, strict=True):
            p.copy_(s)
    xt = torch.as_tensor(split.x_test, dtype=dt, device=dev)
    yt = torch.as_tensor(split.y_test, device=dev)
    return TrainResult(lr, best, classification_error(net, xt, yt, b),
                       classification_error(net, x, y, b), epoch, best_epoch, phase, diverged,
                       capped, scale)


def linear_region_diameter(net: SampledNetwork, x: np.ndarray | torch.Tensor, *,
                           n_batches: int = 10, n_u: int = 10, n_v: int = 10,
                           batch_size: int = 250, k_min: float = 1e-9, k_max: float = 1e2,
                           steps_per_decade: int = 10,
                           generator: torch.Generator | None = None) -> np.ndarray:
    """E.1's relative diameters of the linearly approximable region, ``n_batches·n_u·n_v``
    values (the paper: 10·10·10, median reported).

    For a minibatch ``X`` (rows: inputs), a Gaussian direction ``U`` whose rows are scaled to
    length ``1/(2 Q_i S_x x(i))`` and a Gaussian output direction ``V``, the value is the
    largest ``k`` of the geometric series ``k_min·10^(j/steps_per_decade)`` (checked upwards
    until the first failure) with ``(J(X) kU)·V / (f(X + kU) − f(X))·V ∈ [1/2, 2]`` — E.1's
    condition ``½ Δf·V ≤ (J ΔX)·V ≤ 2 Δf·V`` written as a ratio so that it does not depend on
    the sign of ``Δf·V``.  ``J(X)kU`` is one forward-mode product; all ``k`` of one ``(X, U)``
    go through the network as one batch of batches (batchnorm statistics per ``X``).  A value
    below ``k_min`` is returned as ``k_min/10^(1/steps_per_decade)``; a region wider than
    ``k_max`` as ``k_max`` (censored).  The row normalisation of ``U`` is a reading of E.1's
    ``kU/(‖U‖ 2Q)`` that keeps the single-input definition for every column.
    """
    xt = torch.as_tensor(x).to(device=net.device_, dtype=net.dtype_)
    n = xt.shape[0]
    b = min(batch_size, n)
    if b < 2:
        raise ValueError("the region diameter needs at least 2 inputs")
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    q_in = float(torch.sqrt(xt.var(dim=0, unbiased=False).mean()))
    decades = math.log10(k_max / k_min)
    ks = k_min * 10.0 ** (np.arange(int(round(decades * steps_per_decade)) + 1)
                          / steps_per_decade)
    kt = torch.as_tensor(ks, dtype=net.dtype_, device=net.device_)
    below = k_min / 10.0 ** (1.0 / steps_per_decade)
    out: list[np.ndarray] = []
    with torch.no_grad():
        for _ in range(n_batches):
            xb = xt[torch.randperm(n, generator=g)[:b].to(net.device_)]
            f0 = net(xb)
            for _ in range(n_u):
                u = torch.randn(xb.shape, generator=g, dtype=torch.float64).to(xb)
                u = u / (torch.linalg.vector_norm(u, dim=1, keepdim=True) * 2 * q_in)
                ju = torch.func.jvp(net, (xb,), (u,))[1]
                fk = net(xb[None] + kt[:, None, None] * u[None]) - f0[None]  # (K, b, d_out)
                vs = torch.randn((n_v,) + tuple(f0.shape), generator=g,
                                 dtype=torch.float64).to(f0)
                actual = torch.einsum("kbj,vbj->vk", fk, vs)
                pred = kt[None, :] * torch.einsum("bj,vbj->v", ju, vs)[:, None]
                ratio = pred / actual
                ok = torch.isfinite(ratio) & (ratio >= 0.5) & (ratio <= 2.0)
                fail = ~ok
                first = torch.where(fail.any(dim=1), fail.double().argmax(dim=1),
                                    torch.full((n_v,), len(ks), device=fail.device))
                j = first.cpu().numpy()
                out.append(np.where(j == 0, below, ks[np.maximum(j - 1, 0)]))
    return np.concatenate(out)
