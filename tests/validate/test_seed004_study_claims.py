"""The seed 004 study claims: the quick Fig 1 slice measures, the others read a study store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ringing.experiments import nlc_study as st
from ringing.runs.store import ResultStore
from ringing.validate.claims import catalogue
from ringing.validate.claims import seed004_study as c4

TINY = dict(n_architectures=6, n_lr=2, lr_first_index=14, param_budget=1500, n_train=250,
            n_val=250, n_test=250, patience_first=2, patience=1, reductions=1, max_epochs=5,
            nlc_probe_batches=2, nlc_after_probe_batches=2, region_batches=1, region_u=1,
            region_v=4)


def test_the_claims_are_in_the_catalogue() -> None:
    names = {c.name for c in catalogue()}
    assert {"seed004/study/fig1_nlc_vs_region_diameter", "seed004/study/fig2_nlc_range_1_3",
            "seed004/study/high_output_bias", "seed004/study/fig3b_nlc_before_after"} <= names


def test_quick_fig1_measures_a_small_slice() -> None:
    o = c4.claim_fig1("measure", c4.QUICK_FIG1)
    assert o.verdict == "pass" and o.simulation is not None and o.simulation < -0.7
    assert o.details["n"] >= 8


def test_without_a_study_store_the_claims_are_skipped_with_the_command(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(c4.STORE_ENV, str(tmp_path / "none.sqlite"))
    for fn in (c4.claim_fig2_range, c4.claim_high_bias, c4.claim_fig3b):
        o = fn()
        assert o.verdict == "skipped" and "ringing study nlc" in o.reason
    assert c4.claim_fig1().verdict == "skipped"


def test_claims_read_a_complete_slice_from_the_store(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "study.sqlite"
    config = st.StudyConfig(**TINY)
    with ResultStore(path) as store:
        results, _ = st.run_study(config, store=store, workers=1, show_progress=False)
    summary = st.summarize(config, st.records(config, st.results_by_name(results)))
    monkeypatch.setenv(c4.STORE_ENV, str(path))
    o = c4.claim_fig2_range(TINY)
    assert o.verdict in ("pass", "fail")
    assert o.details["median_inside"] == summary.median_error_inside
    f1 = c4.claim_fig1("store", TINY)
    assert f1.simulation == summary.fig1_log_nlc_vs_log_diameter["spearman"]
    assert c4.claim_fig3b(TINY).verdict in ("pass", "fail")
    assert c4.claim_high_bias(TINY).verdict in ("pass", "fail", "skipped")
    # one task missing: the slice is incomplete, so the claims say so instead of guessing
    with ResultStore(path) as store:
        store.delete(st.study_tasks(config)[1].key)
    o = c4.claim_fig2_range(TINY)
    assert o.verdict == "skipped" and "1 of 18 tasks missing" in o.reason
