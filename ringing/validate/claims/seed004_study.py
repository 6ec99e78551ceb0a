"""Claims of seed 004's large-scale study (§4, Fig 1, 2, 3B; App. B.2): does the NLC at
initialisation predict the test error?

The study itself runs with ``ringing study nlc`` (:mod:`ringing.experiments.nlc_study`); its
results live in a results store.  These claims read the default slice's results (60
architectures × 8 learning rates, ``StudyConfig()``) from the store named by
``$RINGING_STUDY_STORE`` or, when unset, the default store — training nothing — and are
``skipped`` (with the command to run) when the store does not hold the whole slice.  The Fig 1
claim needs no training: in ``--quick`` mode it measures a small slice itself (10 tiny
architectures at initialisation, seconds).

The paper prints no numbers for these figures, only words ("remarkably close match", "one must
start with an NLC … approximately between 1 and 3", "all of these architectures attain a high
test error", "for the vast majority … the NLC decreases"); each claim states the test that
makes the words checkable.
"""

from __future__ import annotations

import os
from typing import Any

from ringing.validate.core import Claim, Outcome

CLAIMS: list[Claim] = []

STORE_ENV = "RINGING_STUDY_STORE"
#: significance level of the correlation claims
ALPHA = 0.01
#: the --quick slice of the Fig 1 claim: tiny networks, initialisation only
QUICK_FIG1 = {"n_architectures": 10, "param_budget": 2000, "n_train": 250, "n_val": 250,
              "n_test": 250, "nlc_probe_batches": 2, "region_batches": 1, "region_u": 1,
              "region_v": 10}
_RUN_IT = ("the results store holds no complete seed 004 study slice; run "
           "`ringing study nlc` (60 architectures × 8 learning rates, under an hour on 2 cores) "
           f"with the same store, or point ${STORE_ENV} at its store")


def _study(overrides: dict[str, Any]) -> tuple[Any, Any, Any] | str:
    """``(config, records, summary)`` from the store, or the reason they are unavailable."""
    from ringing.experiments import nlc_study as st
    from ringing.runs.store import ResultStore, default_store_path

    config = st.StudyConfig(**overrides)
    path = os.environ.get(STORE_ENV) or str(default_store_path())
    if not os.path.isfile(path):
        return f"{_RUN_IT} (no store at {path})"
    with ResultStore(path) as store:
        found, missing = st.stored_results(config, store)
    if missing:
        return f"{_RUN_IT} ({missing} of {len(found) + missing} tasks missing in {path})"
    recs = st.records(config, found)
    return config, recs, st.summarize(config, recs)


def _corr_details(c: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return dict(c, **extra)


def claim_fig1(source: str = "store", config: dict[str, Any] | None = None,
               device: str = "cpu") -> Outcome:
    """Seed 004 Fig 1: the NLC at initialisation against E.1's relative diameter of the
    linearly approximable region ("a remarkably close match").  Checked as a significant
    negative rank correlation of log NLC with log diameter (Spearman, p < 0.01); the value is
    reported.  ``source="store"`` reads the default slice; ``"measure"`` measures a small slice
    at initialisation (no training)."""
    from ringing.experiments import nlc_study as st

    if source == "measure":
        cfg = st.StudyConfig(**{"device": device, **(config or {})})
        recs = []
        for a in st.study_architectures(cfg):
            r = st.init_task(a.as_dict(), cfg.as_dict())
            recs.append(st.ArchitectureRecord(a.seed, a.depth, a.width, a.activation, a.norm,
                                              a.has_skip, r["nlc"], r["output_bias"],
                                              r["diameter"], None, None, None, None, None,
                                              None, None))
        summary = st.summarize(cfg, recs)
    else:
        got = _study({"device": device, **(config or {})})
        if isinstance(got, str):
            return Outcome("skipped", reason=got)
        summary = got[2]
    c = summary.fig1_log_nlc_vs_log_diameter
    tol = f"Spearman rho < 0 with p < {ALPHA} (the paper prints no correlation for Fig 1)"
    if c["spearman"] is None:
        return Outcome("fail", tolerance=tol, reason="no correlation: too few architectures",
                       details=c)
    ok = c["spearman"] < 0 and c["spearman_p"] < ALPHA
    return Outcome("pass" if ok else "fail", simulation=c["spearman"], tolerance=tol,
                   reason="" if ok else "no significant negative rank correlation",
                   details=_corr_details(c, source=source))


CLAIMS.append(Claim(
    "seed004/study/fig1_nlc_vs_region_diameter",
    "The NLC at initialisation matches the inverse relative diameter of the linearly "
    "approximable region (significant negative rank correlation of the logs)",
    "seed 004 §4, Fig 1, App. E.1", claim_fig1, {"source": "store"},
    {"source": "measure", "config": QUICK_FIG1}, kind="simulation", cost=10.0,
    requires=("torch", "scipy")))


def claim_fig2_range(config: dict[str, Any] | None = None, device: str = "cpu") -> Outcome:
    """Seed 004 Fig 2: "one must start with an NLC in a narrow range, approximately between
    1 and 3, to achieve optimal test error".  Checked as: the median test error of the
    architectures with NLC ∈ [1, 3] is below that of the rest, and the 95 % percentile-
    bootstrap interval of the difference (outside − inside) lies above 0."""
    got = _study({"device": device, **(config or {})})
    if isinstance(got, str):
        return Outcome("skipped", reason=got)
    s = got[2]
    tol = "95 % bootstrap interval of median(outside) − median(inside) above 0"
    iv = s.median_difference_interval
    details = {"median_inside": s.median_error_inside, "median_outside": s.median_error_outside,
               "n_inside": s.n_inside, "n_outside": s.n_outside, "interval": iv,
               "log_nlc_vs_test_error": s.fig2_log_nlc_vs_test_error}
    if iv is None or s.median_difference is None:
        return Outcome("fail", tolerance=tol, details=details,
                       reason="fewer than 2 architectures inside or outside [1, 3]")
    ok = iv[0] > 0
    return Outcome("pass" if ok else "fail", simulation=s.median_difference, simulation_ci=iv,
                   tolerance=tol, details=details,
                   reason="" if ok else "the interval of the difference reaches 0 or below")


CLAIMS.append(Claim(
    "seed004/study/fig2_nlc_range_1_3",
    "Architectures whose NLC at initialisation lies in [1, 3] reach a lower median test error "
    "than the others", "seed 004 §4, Fig 2, App. E.2", claim_fig2_range, {}, {},
    kind="simulation", cost=5.0, requires=("torch", "scipy")))


def claim_high_bias(config: dict[str, Any] | None = None, device: str = "cpu") -> Outcome:
    """Seed 004 Fig 2 / App. B.2: architectures with high output bias
    (``1000 Q_j S_x f < Q_{j,x} f`` at initialisation) "all … attain a high test error, even if
    their NLC is small".  Checked as: every high-bias architecture's test error is at least the
    median test error of the other architectures."""
    got = _study({"device": device, **(config or {})})
    if isinstance(got, str):
        return Outcome("skipped", reason=got)
    s = got[2]
    tol = "every high-bias error >= the median error of the others"
    details = {"high_bias_errors": s.high_bias_errors, "others_median": s.low_bias_median_error}
    if not s.high_bias_errors:
        return Outcome("skipped", reason="no high-bias architecture in this slice",
                       details=details)
    assert s.low_bias_median_error is not None
    ok = min(s.high_bias_errors) >= s.low_bias_median_error
    return Outcome("pass" if ok else "fail", simulation=min(s.high_bias_errors),
                   theory=None, tolerance=tol, details=details,
                   reason="" if ok else "a high-bias architecture beat the others' median")


CLAIMS.append(Claim(
    "seed004/study/high_output_bias",
    "Architectures with a highly biased output at initialisation attain a high test error",
    "seed 004 §4, Fig 2, App. B.2", claim_high_bias, {}, {}, kind="simulation", cost=5.0,
    requires=("torch", "scipy")))


def claim_fig3b(config: dict[str, Any] | None = None, device: str = "cpu") -> Outcome:
    """Seed 004 Fig 3B: "for the vast majority of architectures, the value of the NLC
    decreases" in training and "the before-training NLC significantly predicts the
    after-training NLC".  Checked as: more than half decrease, and the rank correlation of
    the logs before and after is positive with p < 0.01."""
    got = _study({"device": device, **(config or {})})
    if isinstance(got, str):
        return Outcome("skipped", reason=got)
    s = got[2]
    c = s.fig3b_log_nlc_before_vs_after
    tol = f"fraction decreased > 0.5 and Spearman rho > 0 with p < {ALPHA}"
    details = _corr_details(c, fraction_decreased=s.fraction_nlc_decreased)
    if c["spearman"] is None or s.fraction_nlc_decreased is None:
        return Outcome("fail", tolerance=tol, details=details, reason="too few trained runs")
    ok = s.fraction_nlc_decreased > 0.5 and c["spearman"] > 0 and c["spearman_p"] < ALPHA
    return Outcome("pass" if ok else "fail", simulation=s.fraction_nlc_decreased, tolerance=tol,
                   details=details, reason="" if ok else "not the paper's picture")


CLAIMS.append(Claim(
    "seed004/study/fig3b_nlc_before_after",
    "The NLC decreases in training for most architectures, and the NLC before training "
    "predicts the NLC after", "seed 004 §4, Fig 3B", claim_fig3b, {}, {}, kind="simulation",
    cost=5.0, requires=("torch", "scipy")))
