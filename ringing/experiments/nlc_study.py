"""Seed 004's large-scale study: does the NLC at initialisation predict the test error?

Philipp & Carbonell, "The nonlinearity coefficient — predicting generalization in deep
neural networks" (seed 004) §4, App. C (architectures), D.2 (data), E.1 (Fig 1), E.2
(Fig 2, 3B, 7), B.2 (output bias), G (the NLC estimator):

* architectures from :func:`ringing.simulate.architectures.sample_architecture`, seeds
  ``seed, seed + 1, …``;
* per architecture one **init task** (NLC and output bias at initialisation by the package's
  estimator :func:`ringing.simulate.measure.empirical_nlc`, E.1's region diameter, the base
  learning rate) and one **training task per starting learning rate** (E.2's protocol,
  :func:`ringing.simulate.protocol.train_run`, then the NLC and bias after training on the
  training set) — each keyed in the results store by a SHA-256 of its whole configuration, so
  an interrupted study resumes and loses nothing, on the local process pool or on Ray;
* :func:`summarize` picks each architecture's run with the lowest validation error and
  computes the correlations of Fig 1, Fig 2, Fig 3B with their significance, the median test
  error inside NLC ∈ [1, 3] against outside (bootstrap interval of the difference), the
  high-bias architectures' errors (``1000 Q_j S f < Q_{j,x} f``, B.2) and where the chosen
  learning rates fall in the window (Fig 7);
* :func:`figures` renders Fig 1, Fig 2 (red: high output bias, blue: skip connections) and
  Fig 3B; :func:`markdown_table` the correlation table.

The paper's set-up is :meth:`StudyConfig.paper`; the default is a reduced one that a 2-core
machine finishes in under an hour for 60 architectures × 8 learning rates (smaller
parameter budget and data, 8 learning rates placed where the good ones lie, 3 learning-rate
divisions with patience 5 then 3, an epoch cap); docs/nlc_study.md lists every difference.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

__all__ = ["DATASETS", "StudyConfig", "ArchitectureRecord", "StudySummary", "load_split",
           "study_architectures", "study_tasks", "init_task", "train_task", "run_study",
           "results_by_name", "stored_results", "records", "with_overrides", "summarize",
           "figures", "markdown_table", "HIGH_BIAS"]

DATASETS = ("waveform", "digits", "mnist", "cifar10")
#: B.2 / Fig 2: an output is "highly biased" when 1000 Q_j S_x f(x, j) < Q_{j,x} f(x, j)
HIGH_BIAS = 1000.0
#: Fig 2's ideal range of the NLC at initialisation
NLC_RANGE = (1.0, 3.0)


@dataclass(frozen=True)
class StudyConfig:
    """Everything that determines the study's numbers (the store keys hash all of it).

    The protocol fields are those of :class:`ringing.simulate.protocol.Protocol`; the
    learning rates are ``base · 3^i`` for ``i = lr_first_index … lr_first_index + n_lr − 1``
    (the paper: 40 rates, ``i = 0 … 39``).
    """

    dataset: str = "waveform"
    data_path: str | None = None
    n_train: int = 500
    n_val: int = 500
    n_test: int = 1000
    data_seed: int = 0
    n_architectures: int = 60
    seed: int = 0
    param_budget: int = 20_000
    n_lr: int = 8
    lr_first_index: int = 13
    optimizer: str = "sgd"
    batch_size: int = 250
    patience_first: int = 5
    patience: int = 3
    reductions: int = 3
    max_epochs: int = 40
    nlc_probe_batches: int = 10
    nlc_after_probe_batches: int = 4
    region_batches: int = 2
    region_u: int = 2
    region_v: int = 10
    device: str = "cpu"

    def __post_init__(self) -> None:
        from ringing.checks import non_negative_int, positive_int

        if self.dataset not in DATASETS:
            raise ValueError(f"dataset={self.dataset!r} must be one of {', '.join(DATASETS)}")
        if self.dataset in ("mnist", "cifar10") and not self.data_path:
            raise ValueError(f"dataset {self.dataset!r} needs a local file: pass --data-path "
                             "(nothing is downloaded)")
        for name in ("n_train", "n_val", "n_test", "n_architectures", "param_budget", "n_lr",
                     "batch_size", "patience_first", "patience", "nlc_probe_batches",
                     "nlc_after_probe_batches", "region_batches", "region_u", "region_v"):
            positive_int(getattr(self, name), name)
        for name in ("data_seed", "seed", "lr_first_index", "reductions", "max_epochs"):
            non_negative_int(getattr(self, name), name)
        self.protocol()  # validates the optimizer and the rest

    @classmethod
    def paper(cls, **kw: Any) -> StudyConfig:
        """Seed 004's own set-up (App. C–E): 250 architectures of ~10⁶ parameters, 40
        learning rates from the base rate, 3000/1000/1000 waveform-noise points, ten
        divisions, no epoch cap, 100 probe minibatches, 10·10·10 region configurations."""
        base: dict[str, Any] = dict(n_train=3000, n_val=1000, n_test=1000, n_architectures=250,
                    param_budget=1_000_000, n_lr=40, lr_first_index=0, patience_first=10,
                    patience=5, reductions=10, max_epochs=0, nlc_probe_batches=100,
                    nlc_after_probe_batches=100, region_batches=10, region_u=10, region_v=10)
        base.update(kw)
        return cls(**base)

    def protocol(self) -> Any:
        from ringing.simulate.protocol import Protocol

        return Protocol(optimizer=self.optimizer, batch_size=self.batch_size,
                        patience_first=self.patience_first, patience=self.patience,
                        reductions=self.reductions, max_epochs=self.max_epochs)

    def lr_indices(self) -> list[int]:
        return list(range(self.lr_first_index, self.lr_first_index + self.n_lr))

    def data_dims(self) -> tuple[int, int]:
        split = load_split(self)
        return int(split.x_train.shape[1]), int(max(split.y_train.max(), split.y_val.max(),
                                                    split.y_test.max()) + 1)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.lru_cache(maxsize=4)
def _split(dataset: str, data_path: str | None, n_train: int, n_val: int, n_test: int,
           data_seed: int) -> Any:
    from ringing.simulate import data
    from ringing.simulate.protocol import Split

    need = n_train + n_val + n_test
    if dataset == "waveform":
        ds = data.waveform_noise(need, seed=data_seed)
    elif dataset == "digits":
        ds = data.digits()
        ds = data.Dataset(*_shuffled(ds.x, ds.y, data_seed), ds.name)
    else:
        assert data_path is not None
        ds = data.load_local_dataset(data_path, dataset, seed=data_seed)
        ds = data.Dataset(*_shuffled(ds.x, ds.y, data_seed), ds.name)
    return Split.from_dataset(ds, n_train, n_val, n_test)


def _shuffled(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(len(y))
    return x[perm], y[perm]


def load_split(config: StudyConfig) -> Any:
    """The training / validation / test split of ``config`` (cached per process)."""
    return _split(config.dataset, config.data_path, config.n_train, config.n_val,
                  config.n_test, config.data_seed)


def study_architectures(config: StudyConfig) -> list[Any]:
    """The sampled architectures, seeds ``config.seed … config.seed + n − 1``."""
    from ringing.simulate.architectures import sample_architecture

    d_in, d_out = config.data_dims()
    return [sample_architecture(config.seed + i, d_in, d_out, config.param_budget)
            for i in range(config.n_architectures)]


# ----------------------------------------------------------------------------
# the tasks (module-level functions: picklable for the process pool and Ray)


def _finite(v: float) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


def init_task(arch: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Measurements at initialisation of one architecture (no training): the NLC and output
    bias on the training set (App. G estimator, ``nlc_probe_batches`` minibatches of 250),
    E.1's region diameters (median and the fraction censored) and the base learning rate."""
    import torch

    from ringing.simulate.architectures import Architecture, SampledNetwork
    from ringing.simulate.measure import empirical_nlc
    from ringing.simulate.networks import layer_generator
    from ringing.simulate.protocol import base_learning_rate, linear_region_diameter

    cfg = StudyConfig(**config)
    a = Architecture.from_dict(arch)
    split = load_split(cfg)
    net = SampledNetwork(a, device=cfg.device)
    out: dict[str, Any] = {}
    try:
        r = empirical_nlc(net.estimator_view(), split.x_train, batch_size=cfg.batch_size,
                          n_probe_batches=cfg.nlc_probe_batches,
                          generator=layer_generator(a.seed, 0))
        out.update(nlc=_finite(r.nlc), nlc_stderr=_finite(r.stderr),
                   output_bias=_finite(r.output_bias), nlc_error=None)
    except ValueError as err:
        out.update(nlc=None, nlc_stderr=None, output_bias=None, nlc_error=str(err))
    g = torch.Generator().manual_seed(a.seed)
    with torch.no_grad():
        dia = linear_region_diameter(net, split.x_train, n_batches=cfg.region_batches,
                                     n_u=cfg.region_u, n_v=cfg.region_v,
                                     batch_size=cfg.batch_size, generator=g)
    out.update(diameter=float(np.median(dia)), diameter_censored=float(np.mean(dia >= 1e2)),
               diameter_below=float(np.mean(dia < 1e-9)))
    try:
        out["base_lr"] = _finite(base_learning_rate(net, split, cfg.protocol()))
    except ValueError:
        out["base_lr"] = None
    return out


def train_task(arch: dict[str, Any], config: dict[str, Any], lr_index: int
               ) -> dict[str, Any]:
    """One training run of E.2 from the starting rate ``base · 3^lr_index``, then the NLC and
    output bias after training (training set, ``nlc_after_probe_batches`` minibatches)."""
    from ringing.simulate.architectures import Architecture, SampledNetwork
    from ringing.simulate.measure import empirical_nlc
    from ringing.simulate.networks import layer_generator
    from ringing.simulate.protocol import base_learning_rate, train_run

    cfg = StudyConfig(**config)
    a = Architecture.from_dict(arch)
    split = load_split(cfg)
    proto = cfg.protocol()
    net = SampledNetwork(a, device=cfg.device)
    try:
        base = base_learning_rate(net, split, proto)
    except ValueError as err:
        return {"lr_index": lr_index, "lr": None, "error": str(err)}
    try:
        res = train_run(net, split, base * proto.factor ** lr_index, proto)
    except ValueError as err:  # e.g. a non-finite output at initialisation: deterministic
        return {"lr_index": lr_index, "lr": None, "val_error": None, "error": str(err)}
    out = {k: (_finite(v) if isinstance(v, float) else v) for k, v in res.as_dict().items()}
    out.update(lr_index=lr_index, error=None)
    try:
        r = empirical_nlc(net.estimator_view(), split.x_train, batch_size=cfg.batch_size,
                          n_probe_batches=cfg.nlc_after_probe_batches,
                          generator=layer_generator(a.seed, 0))
        out.update(nlc_after=_finite(r.nlc), bias_after=_finite(r.output_bias))
    except ValueError:
        out.update(nlc_after=None, bias_after=None)
    return out


def study_tasks(config: StudyConfig) -> list[Any]:
    """The study's :class:`ringing.runs.executors.Task` list: per architecture its init task
    and one training task per learning rate, each keyed by :func:`ringing.runs.store.config_key`
    of the task's whole configuration (architecture, study settings that matter, index, code
    version)."""
    import ringing
    from ringing.runs.executors import Task
    from ringing.runs.store import config_key

    conf = config.as_dict()
    common = {k: v for k, v in conf.items() if k not in ("n_architectures", "seed", "n_lr",
                                                         "lr_first_index")}
    tasks = []
    for a in study_architectures(config):
        ad = a.as_dict()
        cost = a.depth * (1 + a.width / 64)
        base = {"study": "seed004-nlc", "version": ringing.__version__, "architecture": ad,
                "settings": common}
        ci = dict(base, task="init")
        tasks.append(Task(config_key(ci), f"nlc-study/arch{a.seed}/init", ci, init_task,
                          (ad, conf), cost))
        for i in config.lr_indices():
            ct = dict(base, task="train", lr_index=i)
            tasks.append(Task(config_key(ct), f"nlc-study/arch{a.seed}/lr{i}", ct, train_task,
                              (ad, conf, i), 4 * cost))
    return tasks


def run_study(config: StudyConfig, *, store: Any, executor: str = "local",
              workers: int | None = None, show_progress: bool = True,
              on_result: Callable[[Any], None] | None = None) -> tuple[list[Any], Any]:
    """Run (or resume) the study; returns the task results in task order and the counts
    (``total``, ``reused``, ``computed``, ``errors``)."""
    from ringing.runs.executors import run_tasks

    return run_tasks(study_tasks(config), store=store, executor=executor, workers=workers,
                     show_progress=show_progress, desc="nlc study", on_result=on_result)


# ----------------------------------------------------------------------------
# per-architecture records and the statistics


@dataclass
class ArchitectureRecord:
    """One architecture's study outcome (the best run: lowest validation error)."""

    seed: int
    depth: int
    width: int
    activation: str
    norm: str
    skip: bool
    nlc: float | None
    output_bias: float | None
    diameter: float | None
    test_error: float | None
    val_error: float | None
    train_error: float | None
    nlc_after: float | None
    bias_after: float | None
    lr_index: int | None
    lr: float | None

    @property
    def high_bias(self) -> bool:
        return self.output_bias is not None and self.output_bias > HIGH_BIAS


def results_by_name(results: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """``{task name: result}`` of :func:`run_study`'s finished tasks."""
    return {r.task.name: r.result for r in results if r.result is not None}


def stored_results(config: StudyConfig, store: Any) -> tuple[dict[str, dict[str, Any]], int]:
    """The study's results already in ``store`` (nothing is run) and how many are missing."""
    out: dict[str, dict[str, Any]] = {}
    missing = 0
    for t in study_tasks(config):
        r = store.get(t.key)
        if r is None:
            missing += 1
        else:
            out[t.name] = r
    return out, missing


def records(config: StudyConfig, by_name: dict[str, dict[str, Any]]
            ) -> list[ArchitectureRecord]:
    """Per-architecture records from ``{task name: result}`` (:func:`results_by_name`,
    :func:`stored_results`)."""
    out = []
    for a in study_architectures(config):
        init = by_name.get(f"nlc-study/arch{a.seed}/init") or {}
        runs = [by_name.get(f"nlc-study/arch{a.seed}/lr{i}") for i in config.lr_indices()]
        ok = [r for r in runs if r and r.get("val_error") is not None]
        best = min(ok, key=lambda r: (r["val_error"], r["lr_index"])) if ok else {}
        out.append(ArchitectureRecord(
            a.seed, a.depth, a.width, a.activation, a.norm, a.has_skip, init.get("nlc"),
            init.get("output_bias"), init.get("diameter"), best.get("test_error"),
            best.get("val_error"), best.get("train_error"), best.get("nlc_after"),
            best.get("bias_after"), best.get("lr_index"), best.get("lr")))
    return out


def _corr(xs: np.ndarray, ys: np.ndarray) -> dict[str, Any]:
    from scipy import stats

    n = int(xs.size)
    if n < 3 or np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return {"n": n, "pearson": None, "pearson_p": None, "spearman": None,
                "spearman_p": None}
    pr = stats.pearsonr(xs, ys)
    sr = stats.spearmanr(xs, ys)
    return {"n": n, "pearson": float(pr[0]), "pearson_p": float(pr[1]),
            "spearman": float(sr[0]), "spearman_p": float(sr[1])}


def _median_diff_interval(inside: np.ndarray, outside: np.ndarray, *, n_boot: int = 4000,
                          seed: int = 0, level: float = 0.95) -> tuple[float, float] | None:
    """Percentile bootstrap interval of ``median(outside) − median(inside)`` (all resamples
    drawn at once)."""
    if inside.size < 2 or outside.size < 2:
        return None
    rng = np.random.default_rng(seed)
    bi = np.median(inside[rng.integers(0, inside.size, (n_boot, inside.size))], axis=1)
    bo = np.median(outside[rng.integers(0, outside.size, (n_boot, outside.size))], axis=1)
    d = bo - bi
    lo, hi = np.quantile(d, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


@dataclass
class StudySummary:
    """The numbers the paper's claims are checked against (see :func:`summarize`)."""

    n_architectures: int
    n_trained: int
    fig1_log_nlc_vs_log_diameter: dict[str, Any]
    fig2_log_nlc_vs_test_error: dict[str, Any]
    fig3b_log_nlc_before_vs_after: dict[str, Any]
    fraction_nlc_decreased: float | None
    median_error_inside: float | None
    median_error_outside: float | None
    n_inside: int
    n_outside: int
    median_difference: float | None
    median_difference_interval: tuple[float, float] | None
    high_bias_errors: list[float]
    low_bias_median_error: float | None
    skip_median_error: float | None
    plain_median_error: float | None
    chosen_lr_index_counts: dict[int, int]
    at_window_edge: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["chosen_lr_index_counts"] = {str(k): v for k, v in self.chosen_lr_index_counts.items()}
        if self.median_difference_interval is not None:
            d["median_difference_interval"] = list(self.median_difference_interval)
        return d


def summarize(config: StudyConfig, recs: Sequence[ArchitectureRecord]) -> StudySummary:
    """Fig 1: correlation of log NLC with log region diameter; Fig 2: log NLC against test
    error, the median test error inside NLC ∈ [1, 3] against outside with a 95 % bootstrap
    interval of the difference (outside − inside); the high-bias architectures' errors;
    Fig 3B: log NLC before against after training; Fig 7: chosen learning-rate indices."""
    def col(rs: Sequence[ArchitectureRecord], name: str) -> np.ndarray:
        return np.array([float(getattr(r, name)) for r in rs], dtype=float)

    pos = [r for r in recs if r.nlc is not None and r.nlc > 0]
    d1 = [r for r in pos if r.diameter is not None and r.diameter > 0]
    fig1 = _corr(np.log(col(d1, "nlc")), np.log(col(d1, "diameter")))
    tr = [r for r in pos if r.test_error is not None]
    nlc_tr, err_tr = col(tr, "nlc"), col(tr, "test_error")
    fig2 = _corr(np.log(nlc_tr), err_tr)
    ab = [r for r in tr if r.nlc_after is not None and r.nlc_after > 0]
    fig3 = _corr(np.log(col(ab, "nlc")), np.log(col(ab, "nlc_after")))
    dec = float(np.mean(col(ab, "nlc_after") < col(ab, "nlc"))) if ab else None
    lo, hi = NLC_RANGE
    within = (nlc_tr >= lo) & (nlc_tr <= hi)
    inside, outside = err_tr[within], err_tr[~within]
    mi = float(np.median(inside)) if inside.size else None
    mo = float(np.median(outside)) if outside.size else None
    trained = [r for r in recs if r.test_error is not None]
    hb = sorted(col([r for r in trained if r.high_bias], "test_error").tolist())
    lb = col([r for r in trained if not r.high_bias], "test_error").tolist()
    sk = col([r for r in trained if r.skip], "test_error").tolist()
    pl = col([r for r in trained if not r.skip], "test_error").tolist()
    idx = config.lr_indices()
    counts = {i: 0 for i in idx}
    for r in trained:
        if r.lr_index is not None:
            counts[r.lr_index] = counts.get(r.lr_index, 0) + 1
    edge = counts.get(idx[0], 0) + counts.get(idx[-1], 0)
    return StudySummary(
        len(recs), len(trained), fig1, fig2, fig3, dec, mi, mo, int(inside.size),
        int(outside.size), (mo - mi) if mi is not None and mo is not None else None,
        _median_diff_interval(inside, outside), hb,
        float(np.median(lb)) if lb else None, float(np.median(sk)) if sk else None,
        float(np.median(pl)) if pl else None, counts, edge)


# ----------------------------------------------------------------------------
# figures and the table


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _title(name: str, c: dict[str, Any]) -> str:
    if c.get("pearson") is None:
        return f"{name} (n={c['n']})"
    return (f"{name}: r={c['pearson']:.2f} (p={c['pearson_p']:.1g}), "
            f"ρ_s={c['spearman']:.2f}, n={c['n']}")


def figures(recs: Sequence[ArchitectureRecord], summary: StudySummary) -> dict[str, bytes]:
    """Fig 1 (NLC vs region diameter), Fig 2 (NLC vs test error; red: high output bias, blue:
    skip connections, black: the rest), Fig 3B (NLC before vs after training), as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, bytes] = {}
    pos = [r for r in recs if r.nlc is not None and r.nlc > 0]
    fig, ax = plt.subplots(figsize=(5, 4))
    d1 = [r for r in pos if r.diameter is not None and r.diameter > 0]
    ax.loglog([r.nlc for r in d1], [r.diameter for r in d1], "k.")
    ax.set_xlabel("NLC at initialisation")
    ax.set_ylabel("relative diameter of linear region (E.1)")
    ax.set_title(_title("Fig 1", summary.fig1_log_nlc_vs_log_diameter), fontsize=8)
    out["fig1_nlc_vs_diameter"] = _png(fig)

    fig, ax = plt.subplots(figsize=(5, 4))
    tr = [r for r in pos if r.test_error is not None]
    for sel, colour, label in (
            ([r for r in tr if not r.high_bias and not r.skip], "k", "plain"),
            ([r for r in tr if not r.high_bias and r.skip], "b", "skip connections"),
            ([r for r in tr if r.high_bias], "r", "high output bias")):
        if sel:
            ax.semilogx([r.nlc for r in sel], [r.test_error for r in sel], ".", color=colour,
                        label=label)
    ax.axvspan(*NLC_RANGE, color="0.9")
    ax.set_xlabel("NLC at initialisation")
    ax.set_ylabel("test error (best learning rate)")
    ax.legend(fontsize=7)
    ax.set_title(_title("Fig 2", summary.fig2_log_nlc_vs_test_error), fontsize=8)
    out["fig2_nlc_vs_test_error"] = _png(fig)

    fig, ax = plt.subplots(figsize=(5, 4))
    ab = [r for r in tr if r.nlc_after is not None and r.nlc_after > 0]
    ax.loglog([r.nlc for r in ab], [r.nlc_after for r in ab], "k.")
    if ab:
        lim = [min(min(r.nlc for r in ab), min(r.nlc_after for r in ab)),  # type: ignore[type-var]
               max(max(r.nlc for r in ab), max(r.nlc_after for r in ab))]  # type: ignore[type-var]
        ax.loglog(lim, lim, color="0.6", lw=0.8)
    ax.set_xlabel("NLC before training")
    ax.set_ylabel("NLC after training")
    ax.set_title(_title("Fig 3B", summary.fig3b_log_nlc_before_vs_after), fontsize=8)
    out["fig3b_nlc_before_after"] = _png(fig)
    return out


def _fmt(v: Any, spec: str = ".3f") -> str:
    return "–" if v is None else format(v, spec)


def markdown_table(summary: StudySummary) -> str:
    """The correlations with their significance and the Fig 2 / B.2 numbers, as Markdown."""
    rows = ["| quantity | n | Pearson r | p | Spearman ρ | p |", "|---|---|---|---|---|---|"]
    for name, c in (("Fig 1: log NLC vs log region diameter", summary.fig1_log_nlc_vs_log_diameter),
                    ("Fig 2: log NLC vs test error", summary.fig2_log_nlc_vs_test_error),
                    ("Fig 3B: log NLC before vs after training",
                     summary.fig3b_log_nlc_before_vs_after)):
        rows.append(f"| {name} | {c['n']} | {_fmt(c['pearson'])} | {_fmt(c['pearson_p'], '.2g')}"
                    f" | {_fmt(c['spearman'])} | {_fmt(c['spearman_p'], '.2g')} |")
    iv = summary.median_difference_interval
    rows += ["", "| Fig 2 / B.2 | value |", "|---|---|",
             f"| median test error, NLC in [1, 3] | {_fmt(summary.median_error_inside)} "
             f"(n = {summary.n_inside}) |",
             f"| median test error, NLC outside [1, 3] | {_fmt(summary.median_error_outside)} "
             f"(n = {summary.n_outside}) |",
             f"| difference outside − inside, 95 % bootstrap interval | "
             f"{_fmt(summary.median_difference)} "
             f"[{_fmt(iv[0]) if iv else '–'}, {_fmt(iv[1]) if iv else '–'}] |",
             f"| high-bias architectures' test errors | "
             f"{', '.join(f'{e:.3f}' for e in summary.high_bias_errors) or 'none'} |",
             f"| median test error, other architectures | {_fmt(summary.low_bias_median_error)} |",
             f"| median test error with / without skip connections | "
             f"{_fmt(summary.skip_median_error)} / {_fmt(summary.plain_median_error)} |",
             f"| fraction whose NLC decreased in training (Fig 3B) | "
             f"{_fmt(summary.fraction_nlc_decreased)} |",
             f"| chosen learning-rate index at the window's edge (Fig 7) | "
             f"{summary.at_window_edge} of {summary.n_trained} |"]
    return "\n".join(rows) + "\n"


def with_overrides(config: StudyConfig, **kw: Any) -> StudyConfig:
    """``config`` with the given fields replaced (``None`` values ignored)."""
    return replace(config, **{k: v for k, v in kw.items() if v is not None})
