"""Full-batch training of small MLPs on 1-D targets, with the spectrum recorded.

Seeds 001 (spectral bias, Experiment 1, App. A.1) and 003 (frequency principle,
§3 and §4).  ``S`` independent networks (one per seed) are trained at once as a
*batched* MLP: each layer is a ``(S, in, out)`` weight tensor applied with
``torch.baddbmm``, the loss is the sum over networks of each one's mean squared
error, so each network receives exactly its own gradient, and Adam/SGD act
elementwise, so the batch is the same as ``S`` separate runs, only faster.

Recording the spectrum costs almost nothing: the network's outputs on the
training points at a recorded step are the forward pass that training does
anyway, so they are copied (on the device, no synchronisation) into a buffer;
other point sets (a test grid) get one extra no-grad forward pass per recorded
step.  All spectra are computed once at the end, as one batched DFT
(:func:`ringing.theory.fourier.nonuniform_dft`).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ringing.activations import get_activation
from ringing.checks import positive_float, positive_int
from ringing.runs.progress import progress
from ringing.simulate.common import make_generator, resolve_device, resolve_dtype, rng_device
from ringing.spectral import (
    check_nyquist,
    nonuniform_dft,
    quantized_target,
    relative_error,
    sine_mixture,
    spectrum_peaks,
    validate_alpha,
    validate_interval,
)

__all__ = [
    "BatchedMLP",
    "COMPILE_MODES",
    "CompileFallbackWarning",
    "use_compile",
    "TrainRecord",
    "train_full_batch",
    "validate_steps",
    "record_schedule",
    "learned_steps",
    "rank_correlation",
    "censored_rank_correlations",
    "SpectralBiasResult",
    "spectral_bias",
    "FPrincipleTarget",
    "FPRINCIPLE_TARGETS",
    "FPrincipleResult",
    "fprinciple",
    "early_stopping_summary",
]


# ----------------------------------------------------------------------------
# validation


def validate_steps(steps: Any) -> int:
    """A number of training steps ≥ 1, or a one-line ``ValueError``."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    return int(steps)


_positive_int = positive_int
_positive_float = positive_float


def record_schedule(steps: int, every: int) -> np.ndarray:
    """Recorded steps: 0, ``every``, 2·``every``, … and ``steps`` (after the last update)."""
    steps = validate_steps(steps)
    every = _positive_int(every, "record_every")
    return np.unique(np.concatenate([np.arange(0, steps + 1, every), [steps]])).astype(np.int64)


def check_training_budget(widths: Sequence[int], models: int, points: int, eval_points: int,
                          steps: int, record_every: int, optimizer: str, device: str,
                          dtype: str, max_memory: int | None, what: str) -> None:
    """Refuse, before anything is allocated, a training run that does not fit in memory
    (:mod:`ringing.simulate.budget`): parameters and optimiser state, activations, recorded
    outputs and per-step losses of :func:`train_full_batch`."""
    from ringing.simulate.budget import check, training_estimate

    if any(isinstance(w, bool) or int(w) != w or w < 1 for w in widths):
        return  # BatchedMLP gives the one-line error
    records = int(validate_steps(steps)) // _positive_int(record_every, "record_every") + 2
    itemsize = torch.finfo(resolve_dtype(dtype)).bits // 8
    est = training_estimate(widths=[int(w) for w in widths], models=models, points=points,
                            eval_points=eval_points, steps=steps, records=records,
                            itemsize=itemsize, optimizer=optimizer, what=what)
    check(est, max_memory, resolve_device(device))


# ----------------------------------------------------------------------------
# the batched MLP


class BatchedMLP(torch.nn.Module):
    """``S`` independent MLPs ``widths[0] → … → widths[-1]`` (activation on hidden layers).

    Parameters
    ----------
    widths
        Layer sizes including input and output, e.g. ``[1, 256, …, 256, 1]``.
    activation
        Registry spec; its ``.torch`` callable is used.
    seeds
        One seed per network; network ``s`` is drawn from ``make_generator(seeds[s])``
        on the CPU, so it does not depend on the device or on the other seeds.
    generator_device
        ``"cpu"`` (default) as above; ``"device"`` draws on ``device`` instead (the same
        distribution, not bit-identical to the CPU draw:
        :func:`ringing.simulate.common.rng_device`).
    init
        ``"torch"``: ``torch.nn.Linear``'s default, ``U(±1/√fan_in)`` for weights and
        biases (seed 001 used PyTorch); ``"normal"``: every parameter
        ``N(0, init_std²)`` (seed 003 Fig 3: std 0.1).
    """

    def __init__(self, widths: Sequence[int], activation: str, seeds: Sequence[int], *,
                 init: str = "torch", init_std: float = 0.1, device: str = "auto",
                 dtype: str = "float32", generator_device: str = "cpu") -> None:
        super().__init__()
        if len(widths) < 2 or any(isinstance(w, bool) or int(w) != w or w < 1 for w in widths):
            raise ValueError(f"widths must be ≥ 2 positive integers, got {list(widths)!r}")
        if len(seeds) == 0:
            raise ValueError("need at least one seed")
        if init not in ("torch", "normal"):
            raise ValueError(f"unknown init {init!r}; known: torch, normal")
        std = _positive_float(init_std, "init_std")
        self.widths = [int(w) for w in widths]
        self.act = get_activation(activation)
        self.activation_name = self.act.name
        dev = resolve_device(device)
        dt = resolve_dtype(dtype)
        gdev = rng_device(generator_device, dev)
        ws: list[list[torch.Tensor]] = [[] for _ in self.widths[:-1]]
        bs: list[list[torch.Tensor]] = [[] for _ in self.widths[:-1]]
        for s in seeds:
            g = make_generator(int(s), gdev)
            kw: dict[str, Any] = {"generator": g, "dtype": torch.float64, "device": gdev}
            for layer, (fi, fo) in enumerate(zip(self.widths[:-1], self.widths[1:],
                                                 strict=True)):
                if init == "torch":
                    bound = 1.0 / math.sqrt(fi)
                    w = (torch.rand(fi, fo, **kw) * 2 - 1) * bound
                    b = (torch.rand(1, fo, **kw) * 2 - 1) * bound
                else:
                    w = torch.randn(fi, fo, **kw) * std
                    b = torch.randn(1, fo, **kw) * std
                ws[layer].append(w)
                bs[layer].append(b)
        self.weights = torch.nn.ParameterList(
            [torch.nn.Parameter(torch.stack(w).to(device=dev, dtype=dt)) for w in ws])
        self.biases = torch.nn.ParameterList(
            [torch.nn.Parameter(torch.stack(b).to(device=dev, dtype=dt)) for b in bs])

    @property
    def n_models(self) -> int:
        """Number of networks ``S``."""
        return int(self.weights[0].shape[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs ``(S, n)``.

        One input unit: ``x`` of shape ``(n,)`` (shared) or ``(S, n)``.  ``d > 1``
        input units: ``(n, d)`` (shared) or ``(S, n, d)``.
        """
        s = self.n_models
        d = self.widths[0]
        shared = x.ndim == (1 if d == 1 else 2)
        # a contiguous copy: baddbmm on a stride-0 expanded batch takes a slow path
        h = (x.reshape(1, -1, d).repeat(s, 1, 1) if shared
             else x.reshape(s, -1, d).contiguous())
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b, h, w)
            if i < last:
                h = self.act.torch(h)
        return h[..., 0]

    def layer_weights(self, index: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Network ``index`` as ``[(W_l (out, in), b_l)]`` in float64 numpy (for the theory)."""
        return [(w[index].detach().double().cpu().numpy().T,
                 b[index, 0].detach().double().cpu().numpy())
                for w, b in zip(self.weights, self.biases, strict=True)]


# ----------------------------------------------------------------------------
# training


@dataclass
class TrainRecord:
    """What :func:`train_full_batch` recorded.

    Attributes
    ----------
    steps : np.ndarray
        Recorded steps (number of updates done), shape ``(R,)``.
    train_outputs : np.ndarray or None
        Outputs on the training points at the recorded steps, ``(R, S, n)``.
    eval_outputs : np.ndarray or None
        Outputs on the evaluation points, ``(R, S, n_eval)``.
    train_loss : np.ndarray
        Mean squared error on the training points before each update and after
        the last one, ``(steps + 1, S)``.
    seconds : float
        Wall time of the training loop.
    monitor : np.ndarray or None
        What ``monitor`` returned at the recorded steps, stacked ``(R, ...)``.
    """

    steps: np.ndarray
    train_outputs: np.ndarray | None
    eval_outputs: np.ndarray | None
    train_loss: np.ndarray
    seconds: float
    monitor: np.ndarray | None = None

    @property
    def steps_per_second(self) -> float:
        """Training steps per second."""
        return float((self.train_loss.shape[0] - 1) / max(self.seconds, 1e-12))


#: ``compile=`` choices of :func:`train_full_batch`: ``"auto"`` compiles on CUDA only (where
#: it pays: the per-op launch overhead of a small MLP dominates); ``"on"``; ``"off"``.
COMPILE_MODES = ("auto", "on", "off")


class CompileFallbackWarning(RuntimeWarning):
    """``torch.compile`` failed; training went on without it (same numbers up to rounding)."""


def use_compile(mode: str | bool, device: str | torch.device) -> bool:
    """Whether :func:`train_full_batch` compiles the training step on ``device``: ``"on"`` /
    ``True`` always, ``"off"`` / ``False`` never, ``"auto"`` on CUDA only (on the CPU it did
    not pay for these small MLPs: ``benchmarks/results/training_compile.md``)."""
    if isinstance(mode, bool):
        return mode
    if mode not in COMPILE_MODES:
        raise ValueError(f"unknown compile mode {mode!r}; known: {', '.join(COMPILE_MODES)}")
    if mode == "auto":
        return torch.device(device).type == "cuda"
    return mode == "on"


class _CompiledOrEager:
    """``fn`` through :func:`torch.compile`; if compiling (or a recompilation) raises, one
    :class:`CompileFallbackWarning` and ``fn`` itself from then on.  ``fn`` must have no side
    effects (a forward pass and a loss), so a failed call is simply repeated eagerly."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.failed = False
        try:
            self.compiled: Callable[..., Any] = torch.compile(fn, dynamic=False)
        except Exception as err:  # noqa: BLE001 - any failure falls back to eager
            self._fail(err)

    def _fail(self, err: BaseException) -> None:
        self.failed = True
        msg = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        warnings.warn(f"torch.compile failed ({type(err).__name__}: {msg}); training "
                      "without it", CompileFallbackWarning, stacklevel=3)

    def __call__(self, *args: Any) -> Any:
        if not self.failed:
            try:
                return self.compiled(*args)
            except Exception as err:  # noqa: BLE001 - any failure falls back to eager
                self._fail(err)
        return self.fn(*args)


def _mse(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-network mean squared error, ``(S, n), (S, n) → (S,)``."""
    return ((out - target) ** 2).mean(dim=1)


def train_full_batch(model: torch.nn.Module, x: np.ndarray, y: np.ndarray, *, steps: int,
                     lr: float, optimizer: str = "adam", record_every: int = 100,
                     eval_x: np.ndarray | None = None, record: bool = True,
                     desc: str = "training",
                     loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
                     monitor: Callable[[torch.nn.Module], torch.Tensor] | None = None,
                     compile: str | bool = "auto",
                     ) -> TrainRecord:
    """Train every network of ``model`` on its own full batch for ``steps`` updates.

    Parameters
    ----------
    model
        A batched model: ``n_models`` networks, ``model(x) → (S, n)``
        (:class:`BatchedMLP`, or any module with an ``n_models`` attribute).
    x
        Inputs, ``(n,)`` shared by all networks or ``(S, n)``; with ``d > 1``
        input units ``(n, d)`` or ``(S, n, d)`` (the model's own convention).
    y
        Targets, ``(S, n)`` (or ``(n,)``, shared).
    optimizer
        ``"adam"`` (torch defaults β = (0.9, 0.999), ε = 1e-8, as seed 003 Fig 3)
        or ``"sgd"`` (plain gradient descent).
    record
        With ``False`` nothing but the loss is kept (the benchmark's baseline).
    loss_fn
        ``(outputs (S, n), targets (S, n)) → (S,)`` per-network loss; default
        the mean squared error.  The recorded ``train_loss`` is this loss.
    monitor
        Called (no grad) on the model at every recorded step; its tensors are
        stacked into :attr:`TrainRecord.monitor` ``(R, ...)`` (e.g. per-layer
        spectral norms, or a parameter snapshot).
    compile
        Run the forward pass and the loss (and so their backward) through
        :func:`torch.compile`: ``"auto"`` (default) on CUDA only, ``"on"``, ``"off"``
        (:func:`use_compile`).  The same training up to float rounding; a compilation that
        fails is one :class:`CompileFallbackWarning` and the eager loop.
    """
    steps = validate_steps(steps)
    lr = _positive_float(lr, "lr")
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"unknown optimizer {optimizer!r}; known: adam, sgd")
    sched = record_schedule(steps, record_every)
    p0 = next(model.parameters())
    dev, dt = p0.device, p0.dtype
    batched: Any = model
    s = int(batched.n_models)
    lossf = _mse if loss_fn is None else loss_fn
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=dt, device=dev)
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64), dtype=dt, device=dev)
    yt = yt.reshape(1, -1).expand(s, -1) if yt.ndim == 1 else yt
    ex = None if eval_x is None else torch.as_tensor(np.asarray(eval_x, dtype=np.float64),
                                                      dtype=dt, device=dev)
    with torch.no_grad():  # the number of points as the model reads them
        n_train = int(model(xt).shape[-1])
        n_eval = 0 if ex is None else int(model(ex).shape[-1])
    if yt.shape[0] != s or yt.shape[1] != n_train:
        raise ValueError(f"targets of shape {tuple(yt.shape)} do not match {s} networks and "
                         f"{n_train} points")
    n_rec = sched.size
    rec_train = torch.empty((n_rec, s, n_train), dtype=dt, device=dev) if record else None
    rec_eval = (torch.empty((n_rec, s, n_eval), dtype=dt, device=dev)
                if (record and ex is not None) else None)
    rec_mon: list[torch.Tensor] = []
    losses = torch.empty((steps + 1, s), dtype=dt, device=dev)
    params = list(model.parameters())
    opt: torch.optim.Optimizer = (torch.optim.Adam(params, lr=lr) if optimizer == "adam"
                                  else torch.optim.SGD(params, lr=lr))

    def forward_loss(inp: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = model(inp)
        return out, lossf(out, target)

    step_fn: Callable[..., tuple[torch.Tensor, torch.Tensor]] = (
        _CompiledOrEager(forward_loss) if use_compile(compile, dev) else forward_loss)
    is_rec = np.zeros(steps + 1, dtype=bool)
    is_rec[sched] = True
    slot = np.cumsum(is_rec) - 1
    t0 = time.perf_counter()
    for i in progress(range(steps + 1), total=steps + 1, desc=desc):
        last = i == steps
        with torch.set_grad_enabled(not last):
            out, per = step_fn(xt, yt)
        losses[i] = per.detach()
        if is_rec[i] and monitor is not None:
            with torch.no_grad():
                rec_mon.append(monitor(model).detach().clone())
        if is_rec[i] and record:
            assert rec_train is not None
            rec_train[slot[i]] = out.detach()
            if rec_eval is not None and ex is not None:
                with torch.no_grad():
                    rec_eval[slot[i]] = model(ex)
        if last:
            break
        opt.zero_grad(set_to_none=True)
        per.sum().backward()
        opt.step()
    loss_np = losses.double().cpu().numpy()
    seconds = time.perf_counter() - t0
    if not np.all(np.isfinite(loss_np)):
        raise RuntimeError("training diverged (non-finite loss); lower the learning rate")
    return TrainRecord(
        steps=sched,
        train_outputs=None if rec_train is None else rec_train.double().cpu().numpy(),
        eval_outputs=None if rec_eval is None else rec_eval.double().cpu().numpy(),
        train_loss=loss_np, seconds=seconds,
        monitor=None if not rec_mon else torch.stack(rec_mon).double().cpu().numpy())


# ----------------------------------------------------------------------------
# learned steps and their ordering


def learned_steps(delta: np.ndarray, steps: np.ndarray, threshold: float) -> np.ndarray:
    """First recorded step at which ``Δ_F ≤ threshold``, per seed and frequency.

    ``delta`` has shape ``(R, S, K)``; returns ``(S, K)`` int64 with ``-1`` where
    the frequency is never learned within the run (censored).
    """
    thr = _positive_float(threshold, "threshold")
    below = delta <= thr
    first = np.argmax(below, axis=0)
    hit = below.any(axis=0)
    return np.where(hit, np.asarray(steps)[first], -1).astype(np.int64)


def rank_correlation(frequencies: np.ndarray, learned: np.ndarray, censor_value: float,
                     ) -> float | None:
    """Spearman correlation of frequency against learned step (censored → ``censor_value``).

    ``None`` when it is undefined (fewer than 3 frequencies or all steps equal).
    """
    from scipy.stats import spearmanr

    ls = np.where(np.asarray(learned) < 0, censor_value, learned).astype(np.float64)
    k = np.asarray(frequencies, dtype=np.float64)
    if k.size < 3 or np.all(ls == ls[0]):
        return None
    rho = float(spearmanr(k, ls).statistic)
    return rho if math.isfinite(rho) else None


def censor_step(total_steps: int, record_every: int) -> float:
    """The step a never-learned frequency counts as learned at: one recording after the end."""
    return float(total_steps + record_every)


def censored_rank_correlations(frequencies: np.ndarray, learned: np.ndarray, total_steps: int,
                               record_every: int) -> list[float | None]:
    """:func:`rank_correlation` of ``frequencies`` against each row (seed) of ``learned``
    ``(S, K)``, never-learned frequencies at :func:`censor_step`."""
    cens = censor_step(total_steps, record_every)
    return [rank_correlation(frequencies, row, cens) for row in learned]


def _median_learned(learned: np.ndarray) -> list[float | None]:
    """Median over seeds per frequency, censored runs counting as +∞; ``None`` if censored."""
    ls = np.where(learned < 0, np.inf, learned.astype(np.float64))
    med = np.median(ls, axis=0)
    return [None if not math.isfinite(v) else float(v) for v in med]


def _spread(values: list[float | None]) -> dict[str, float | None]:
    vals = np.array([v for v in values if v is not None], dtype=np.float64)
    if vals.size == 0:
        return {"median": None, "min": None, "max": None}
    return {"median": float(np.median(vals)), "min": float(vals.min()), "max": float(vals.max())}


# ----------------------------------------------------------------------------
# seed 001 Experiment 1


@dataclass
class SpectralBiasResult:
    """Seed 001 Experiment 1: spectrum of the network at the target's frequencies over training.

    Attributes
    ----------
    frequencies, amplitudes : np.ndarray
        ``k_i`` and ``A_i``, shape ``(K,)``.
    steps : np.ndarray
        Recorded steps ``(R,)``.
    delta : np.ndarray
        Δ_F (seed 003 eq 1, complex) at each ``k_i``, ``(R, S, K)``.
    magnitude : np.ndarray
        ``|f̂(k_i)| / A_i`` (single-sided DFT magnitude, seed 001 Fig 1), ``(R, S, K)``.
    learned : np.ndarray
        First step with ``Δ_F ≤ threshold`` (``-1``: never), ``(S, K)``.
    """

    frequencies: np.ndarray
    amplitudes: np.ndarray
    seeds: list[int]
    steps: np.ndarray
    delta: np.ndarray
    magnitude: np.ndarray
    learned: np.ndarray
    train_loss: np.ndarray
    threshold: float
    total_steps: int
    record_every: int
    config: dict[str, Any] = field(default_factory=dict)
    steps_per_second: float = 0.0

    def rank_correlations(self) -> list[float | None]:
        """Spearman(frequency, learned step) per seed."""
        return censored_rank_correlations(self.frequencies, self.learned, self.total_steps,
                                          self.record_every)

    def payload(self) -> dict[str, Any]:
        """The JSON payload of ``ringing simulate spectral-bias``."""
        return _payload(self.frequencies, self.learned, self.delta, self.steps,
                        self.rank_correlations(), self.total_steps, self.record_every,
                        self.threshold, extra={
                            "amplitudes": self.amplitudes,
                            "magnitude_curves": self.magnitude.mean(axis=1).T,
                            "final_train_loss": _spread(list(self.train_loss[-1])),
                            "config": self.config})


def _payload(frequencies: np.ndarray, learned: np.ndarray, delta: np.ndarray,
             steps: np.ndarray, per_seed: list[float | None], total_steps: int,
             record_every: int, threshold: float, extra: dict[str, Any]) -> dict[str, Any]:
    med = _median_learned(learned)
    cens = censor_step(total_steps, record_every)
    med_arr = np.array([-1 if v is None else v for v in med])
    out: dict[str, Any] = {
        "frequencies": frequencies,
        "learned_step": med,
        "rank_correlation": rank_correlation(frequencies, med_arr, cens),
        "rank_correlation_per_seed": per_seed,
        "rank_correlation_spread": _spread(per_seed),
        "learned_step_per_seed": [[None if v < 0 else int(v) for v in row] for row in learned],
        "threshold": threshold,
        "steps": steps,
        "curves": delta.mean(axis=1).T,
    }
    out.update(extra)
    return out


def spectral_bias(*, frequencies: Sequence[float] = tuple(range(5, 55, 5)),
                  amplitudes: str | Sequence[float] = "equal", n_samples: int = 200,
                  depth: int = 6, width: int = 256, activation: str = "relu",
                  steps: int = 80000, seeds: int = 10, seed: int = 0, lr: float = 3e-4,
                  optimizer: str = "adam", record_every: int = 100, threshold: float = 0.1,
                  device: str = "auto", dtype: str = "float32",
                  max_memory: int | None = None, generator_device: str = "cpu",
                  compile: str | bool = "auto") -> SpectralBiasResult:
    """Seed 001 Experiment 1 (§3, App. A.1): fit ``Σ A_i sin(2π k_i x + φ_i)`` on [0, 1).

    ``n_samples`` points ``j/n`` (the DFT bins are then exactly the integers),
    ``depth`` hidden ReLU layers of ``width`` units (seed 001 eq 1), full-batch
    Adam, phases ``φ_i ~ U(0, 2π)`` drawn per seed.  ``amplitudes``: ``"equal"``
    (``A_i = 1``), ``"rising"`` (``A_i = i/K``, i.e. 0.1, 0.2, …, 1 for K = 10),
    or explicit values.  The spectrum is recorded every ``record_every`` steps.
    ``generator_device`` (:class:`BatchedMLP`) and ``compile`` (:func:`train_full_batch`)
    change how, not what, is computed.
    """
    steps = validate_steps(steps)
    n_samples = _positive_int(n_samples, "n_samples")
    k = check_nyquist(frequencies, n_samples)
    n_k = k.size
    if isinstance(amplitudes, str):
        if amplitudes == "equal":
            amp = np.ones(n_k)
        elif amplitudes == "rising":
            amp = np.arange(1, n_k + 1) / n_k
        else:
            raise ValueError(f"unknown amplitudes {amplitudes!r}; known: equal, rising")
    else:
        amp = np.asarray(amplitudes, dtype=np.float64).reshape(-1)
        if amp.size != n_k or not np.all(np.isfinite(amp)) or np.any(amp <= 0):
            raise ValueError(f"need {n_k} positive amplitudes, got {list(amp)}")
    n_seeds = _positive_int(seeds, "seeds")
    depth = _positive_int(depth, "depth")
    width = _positive_int(width, "width")
    seed_list = [int(seed) + i for i in range(n_seeds)]
    x = np.arange(n_samples) / n_samples
    phases = np.stack([np.random.default_rng(s).uniform(0, 2 * np.pi, n_k) for s in seed_list])
    y = sine_mixture(x, k, amp, phases)  # (S, n)
    check_training_budget([1] + [width] * depth + [1], n_seeds, n_samples, 0, steps,
                          record_every, optimizer, device, dtype, max_memory, "spectral bias")
    model = BatchedMLP([1] + [width] * depth + [1], activation, seed_list, init="torch",
                       device=device, dtype=dtype, generator_device=generator_device)
    rec = train_full_batch(model, x, y, steps=steps, lr=lr, optimizer=optimizer,
                           record_every=record_every, desc="spectral bias", compile=compile)
    assert rec.train_outputs is not None
    interval = (0.0, 1.0)
    f_target = nonuniform_dft(x, y, k, interval)  # (S, K)
    f_model = nonuniform_dft(x, rec.train_outputs, k, interval)  # (R, S, K)
    delta = relative_error(f_target[None], f_model)
    magnitude = 2.0 * np.abs(f_model) / n_samples / amp
    learned = learned_steps(delta, rec.steps, threshold)
    cfg = {"n_samples": n_samples, "depth": depth, "width": width, "activation": model.act.name,
           "lr": lr, "optimizer": optimizer, "seeds": seed_list, "device": str(model.weights[0]
                                                                               .device),
           "dtype": dtype, "generator_device": generator_device}
    return SpectralBiasResult(frequencies=k, amplitudes=amp, seeds=seed_list, steps=rec.steps,
                              delta=delta, magnitude=magnitude, learned=learned,
                              train_loss=rec.train_loss, threshold=float(threshold),
                              total_steps=steps, record_every=int(record_every), config=cfg,
                              steps_per_second=rec.steps_per_second)


# ----------------------------------------------------------------------------
# seed 003 §3-4


@dataclass(frozen=True)
class FPrincipleTarget:
    """One target of seed 003: ``f = α Round((f0 + ε)/α)`` on ``interval``."""

    f0: str
    alpha: float
    interval: tuple[float, float]
    n_train: int
    n_peaks: int
    max_index: int = 40
    noise: float = 0.0
    n_test: int = 0


#: seed 003 Fig 3 (f0 = x, α = 0.5 on [-1, 1], the first 6 peaks among the first 40
#: components), Fig 4 (the three sines, α = 2 on [-10, 10], 600 samples, 4 peaks) and
#: Fig 6 (sin x, α = 0.5, noise 0.1, 300 training and 6000 test points on [-10, 10];
#: the dominant peak).  Fig 3 does not give its sample size; 600 (Fig 4, 7b) is used.
FPRINCIPLE_TARGETS: dict[str, FPrincipleTarget] = {
    "linear": FPrincipleTarget("x", 0.5, (-1.0, 1.0), 600, 6),
    "sines": FPrincipleTarget("sin(x)+2*sin(3*x)+3*sin(5*x)", 2.0, (-10.0, 10.0), 600, 4),
    "noisy-sin": FPrincipleTarget("sin(x)", 0.5, (-10.0, 10.0), 300, 1, noise=0.1,
                                  n_test=6000),
}


@dataclass
class FPrincipleResult:
    """Seed 003: Δ_F at the target's frequency peaks over training.

    Attributes
    ----------
    peaks : np.ndarray
        Frequency indices of the peaks (of the first seed's training data; the
        same for every seed unless the sampling is non-uniform or noisy, in
        which case each seed's Δ_F is taken at these indices), ``(K,)``.
    delta : np.ndarray
        ``(R, S, K)``.
    test_loss : np.ndarray or None
        ``(R, S)`` MSE on the test points (noisy target).
    """

    target: str
    sampling: str
    peaks: np.ndarray
    seeds: list[int]
    steps: np.ndarray
    delta: np.ndarray
    learned: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray | None
    threshold: float
    total_steps: int
    record_every: int
    spectrum_index: np.ndarray
    target_spectrum: np.ndarray
    delta_all: np.ndarray
    config: dict[str, Any] = field(default_factory=dict)
    steps_per_second: float = 0.0

    def rank_correlations(self) -> list[float | None]:
        """Spearman(peak frequency, learned step) per seed."""
        return censored_rank_correlations(self.peaks, self.learned, self.total_steps,
                                          self.record_every)

    def payload(self) -> dict[str, Any]:
        """The JSON payload of ``ringing simulate fprinciple``."""
        extra: dict[str, Any] = {"target": self.target, "sampling": self.sampling,
                                 "final_train_loss": _spread(list(self.train_loss[-1])),
                                 "config": self.config}
        if self.test_loss is not None:
            extra["early_stopping"] = early_stopping_summary(self)
        return _payload(self.peaks, self.learned, self.delta, self.steps,
                        self.rank_correlations(), self.total_steps, self.record_every,
                        self.threshold, extra=extra)


def _sample_points(t: FPrincipleTarget, sampling: str, seed: int) -> np.ndarray:
    a, b = t.interval
    if sampling == "uniform":
        return a + (b - a) * np.arange(t.n_train) / t.n_train
    # seed 003 Fig 7b: 3000 = 5·600 even points in [-1, 1], a random 600 of them
    pool = a + (b - a) * np.arange(5 * t.n_train) / (5 * t.n_train)
    rng = np.random.default_rng(10_000 + seed)
    return np.sort(rng.choice(pool, size=t.n_train, replace=False))


def fprinciple(target: str = "linear", *, sampling: str = "uniform",
               noise_placement: str = "inside", widths: Sequence[int] | None = None,
               activation: str = "tanh",
               steps: int = 20000, seeds: int = 5, seed: int = 0, lr: float = 2e-5,
               init_std: float = 0.1, optimizer: str = "adam", record_every: int = 50,
               threshold: float = 0.1, device: str = "auto", dtype: str = "float32",
               max_memory: int | None = None, generator_device: str = "cpu",
               compile: str | bool = "auto") -> FPrincipleResult:
    """Seed 003 §3.1 (Fig 3, 4, 7b) and §4 (Fig 6): Δ_F at the target's peaks over training.

    Defaults are the paper's: tanh network 200-200-200-100 (400-400-400-200-200
    for non-uniform samples, Fig 7b), every parameter ``N(0, 0.1²)``, full-batch
    Adam with learning rate 2e-5 and default moments.  ``noise_placement``
    (noisy target only): ``"inside"`` adds ε to f0 before rounding, as §4 words
    it; ``"outside"`` adds it to the rounded target.  The spectrum is the DFT of
    §2.1 on the training points (exact non-uniform sum when they are not evenly
    spaced); Δ_F is eq 1, complex.

    Parameters
    ----------
    target
        A target of :data:`FPRINCIPLE_TARGETS` (``"linear"``, ``"noisy-sin"``, ...).
    sampling, noise_placement
        Uniform or non-uniform training points; where the noise enters (see above).
    widths, activation, init_std
        Hidden widths (default the paper's), activation, parameter standard deviation.
    steps, seeds, seed, lr, optimizer, record_every
        Training length, independent networks, base seed, learning rate, optimiser, and how
        often Δ_F is recorded.
    threshold
        Δ_F at or below which a peak counts as learned.
    device, dtype, max_memory
        Torch device and dtype; bytes the run may use.
    generator_device, compile
        As in :func:`spectral_bias`.

    Returns
    -------
    FPrincipleResult
        ``peaks``, ``delta`` (recorded steps × seeds × peaks), ``learned`` (first step at or
        below ``threshold``, ``-1``: never), losses.
    """
    if target not in FPRINCIPLE_TARGETS:
        raise ValueError(f"unknown target {target!r}; known: {', '.join(FPRINCIPLE_TARGETS)}")
    if sampling not in ("uniform", "nonuniform"):
        raise ValueError(f"unknown sampling {sampling!r}; known: uniform, nonuniform")
    if noise_placement not in ("inside", "outside"):
        raise ValueError(f"unknown noise_placement {noise_placement!r}; known: inside, outside")
    t = FPRINCIPLE_TARGETS[target]
    validate_alpha(t.alpha)
    steps = validate_steps(steps)
    n_seeds = _positive_int(seeds, "seeds")
    seed_list = [int(seed) + i for i in range(n_seeds)]
    if widths is None:
        widths = (400, 400, 400, 200, 200) if sampling == "nonuniform" else (200, 200, 200, 100)
    interval = validate_interval(t.interval)
    index = np.arange(1, t.max_index + 1)
    check_nyquist(index, t.n_train)
    xs = np.stack([_sample_points(t, sampling, s) for s in seed_list])  # (S, n)
    noise_train = np.zeros_like(xs)
    x_test = None
    y_test = None
    if t.noise > 0:
        noise_train = np.stack([np.random.default_rng(s).normal(0, t.noise, t.n_train)
                                for s in seed_list])
        a, b = interval
        x_test = a + (b - a) * np.arange(t.n_test) / t.n_test
        noise_test = np.stack([np.random.default_rng(20_000 + s).normal(0, t.noise, t.n_test)
                               for s in seed_list])
        if noise_placement == "inside":
            y_test = quantized_target(t.f0, t.alpha, x_test[None, :], noise_test)
        else:
            y_test = quantized_target(t.f0, t.alpha, x_test[None, :]) + noise_test
    if noise_placement == "inside":
        y = quantized_target(t.f0, t.alpha, xs, noise_train)  # (S, n)
    else:
        y = quantized_target(t.f0, t.alpha, xs) + noise_train
    spec = nonuniform_dft(xs, y, index, interval)  # (S, M)
    if t.noise > 0:  # the dominant peak (§4)
        peaks = index[[int(np.argmax(np.abs(spec[0])))]].astype(np.float64)
    else:  # the peaks of the evenly sampled target (Fig 3a; Fig 7b uses the same peaks)
        x_even = _sample_points(t, "uniform", 0)
        y_even = quantized_target(t.f0, t.alpha, x_even)
        peaks = spectrum_peaks(np.abs(nonuniform_dft(x_even, y_even, index, interval)), index,
                               n_peaks=t.n_peaks)
    check_training_budget([1, *widths, 1], n_seeds, xs.shape[1],
                          0 if x_test is None else x_test.size, steps, record_every, optimizer,
                          device, dtype, max_memory, f"fprinciple {target}")
    model = BatchedMLP([1, *widths, 1], activation, seed_list, init="normal", init_std=init_std,
                       device=device, dtype=dtype, generator_device=generator_device)
    x_in = xs[0] if sampling == "uniform" else xs
    rec = train_full_batch(model, x_in, y, steps=steps, lr=lr, optimizer=optimizer,
                           record_every=record_every, eval_x=x_test,
                           desc=f"fprinciple {target}", compile=compile)
    assert rec.train_outputs is not None
    f_model = nonuniform_dft(xs, rec.train_outputs, index, interval)  # (R, S, M)
    pos = np.searchsorted(index, peaks)
    delta = relative_error(spec[None][..., pos], f_model[..., pos])
    safe = np.where(np.abs(spec) > 0, spec, 1.0)
    delta_all = np.where(np.abs(spec)[None] > 0,
                         np.abs(f_model - spec[None]) / np.abs(safe)[None], 0.0)
    test_loss = None
    if rec.eval_outputs is not None and y_test is not None:
        test_loss = ((rec.eval_outputs - y_test[None]) ** 2).mean(axis=2)
    learned = learned_steps(delta, rec.steps, threshold)
    cfg = {"f0": t.f0, "alpha": t.alpha, "interval": list(interval), "n_train": t.n_train,
           "n_test": t.n_test, "noise": t.noise, "noise_placement": noise_placement,
           "widths": list(widths),
           "activation": model.act.name, "lr": lr, "init_std": init_std, "optimizer": optimizer,
           "seeds": seed_list, "device": str(model.weights[0].device), "dtype": dtype,
           "generator_device": generator_device}
    return FPrincipleResult(target=target, sampling=sampling, peaks=peaks, seeds=seed_list,
                            steps=rec.steps, delta=delta, learned=learned,
                            train_loss=rec.train_loss, test_loss=test_loss,
                            threshold=float(threshold), total_steps=steps,
                            record_every=int(record_every), spectrum_index=index,
                            target_spectrum=spec, delta_all=delta_all, config=cfg,
                            steps_per_second=rec.steps_per_second)


def early_stopping_summary(res: FPrincipleResult, level_tol: float = 0.01) -> dict[str, Any]:
    """Seed 003 Fig 6: where the test loss is smallest, against where the training loss levels off.

    The training loss *levels off* at the first step from which it is within
    ``level_tol`` (relative) of its value at the end of the run; a test-loss
    minimum before that step is a minimum while the training loss is still
    falling.  Per seed: the recorded step of the test-loss minimum, the
    level-off step, the training loss at both and at the end, and Δ_F of the
    dominant peak at the minimum.
    """
    if res.test_loss is None:
        raise ValueError("this run has no test set (only the noisy-sin target has one)")
    tol = _positive_float(level_tol, "level_tol")
    train = res.train_loss  # (steps+1, S)
    final = train[-1]
    within = train <= final[None] * (1.0 + tol)
    # first step from which on the loss stays within the tolerance
    outside = ~within
    last_out = np.where(outside.any(axis=0),
                        train.shape[0] - 1 - np.argmax(outside[::-1], axis=0), -1)
    level = last_out + 1
    best = np.argmin(res.test_loss, axis=0)
    best_step = res.steps[best]
    s_idx = np.arange(res.test_loss.shape[1])
    dom = res.delta[best, s_idx, 0]
    return {
        "test_min_step": best_step, "train_leveloff_step": level,
        "test_min_before_leveloff": bool(np.all(best_step < level)),
        "dominant_peak": float(res.peaks[0]),
        "dominant_delta_at_test_min": dom,
        "dominant_captured": bool(np.all(dom <= res.threshold)),
        "test_loss_min": res.test_loss[best, s_idx],
        "test_loss_final": res.test_loss[-1],
        "train_loss_at_test_min": train[best_step, s_idx],
        "train_loss_final": final,
    }
