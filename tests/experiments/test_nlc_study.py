"""Seed 004's NLC study: resumable store-keyed tasks, Ray = local, the NLC against the standalone
estimator and NLC_τ^(D−1), the statistics, the command line."""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest
import torch

from ringing.experiments import nlc_study as st
from ringing.runs.store import ResultStore
from ringing.simulate.architectures import SampledNetwork, sample_architecture
from ringing.simulate.measure import empirical_nlc
from ringing.simulate.networks import Network, layer_generator

ROOT = Path(__file__).resolve().parents[2]

#: a study small enough for the tests (seconds): tiny networks, one step per epoch
TINY = st.StudyConfig(n_architectures=3, n_lr=2, lr_first_index=14, param_budget=1500,
                      n_train=250, n_val=250, n_test=250, patience_first=2, patience=1,
                      reductions=1, max_epochs=5, nlc_probe_batches=2,
                      nlc_after_probe_batches=2, region_batches=1, region_u=1, region_v=4)
TINY_FLAGS = ["--param-budget", "1500", "--n-train", "250", "--n-val", "250", "--n-test", "250",
              "--lrs", "2", "--lr-first-index", "14", "--max-epochs", "5", "--reductions", "1",
              "--probe-batches", "2"]
#: the study those flags give (the other settings at their defaults)
CLI_TINY = st.StudyConfig(param_budget=1500, n_train=250, n_val=250, n_test=250, n_lr=2,
                          lr_first_index=14, max_epochs=5, reductions=1, nlc_probe_batches=2)


def _records(config: st.StudyConfig, results: list) -> list[dict]:
    return [asdict(r) for r in st.records(config, st.results_by_name(results))]


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, object, Path]:
    path = tmp_path_factory.mktemp("store") / "s.sqlite"
    with ResultStore(path) as store:
        results, stats = st.run_study(TINY, store=store, workers=1, show_progress=False)
    return results, stats, path


def test_every_task_is_stored_and_a_rerun_reuses_all(local_run: tuple) -> None:
    results, stats, path = local_run
    assert stats.total == 3 * (1 + 2) and stats.computed == stats.total and stats.errors == 0
    with ResultStore(path) as store:
        again, st2 = st.run_study(TINY, store=store, workers=1, show_progress=False)
        stored, missing = st.stored_results(TINY, store)
    assert st2.reused == st2.total and st2.computed == 0 and missing == 0
    assert _records(TINY, again) == _records(TINY, results)
    assert st.records(TINY, stored) == st.records(TINY, st.results_by_name(results))
    # a task's key is its own configuration: a shifted learning-rate window (15, 16) shares
    # exactly the index-15 runs and the init tasks; another budget shares nothing
    mine = {t.name: t.key for t in st.study_tasks(TINY)}
    other = {t.name: t.key for t in st.study_tasks(replace(TINY, lr_first_index=15))}
    shared = {n for n in mine if other.get(n) == mine[n]}
    assert shared == {n for n in mine if n.endswith(("/init", "/lr15"))}
    budget = {t.key for t in st.study_tasks(replace(TINY, param_budget=1600))}
    assert not budget & set(mine.values())


def test_ray_gives_identical_numbers(local_run: tuple, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    results, _, _ = local_run
    with ResultStore(tmp_path / "ray.sqlite") as store:
        ray_results, stats = st.run_study(TINY, store=store, executor="ray", workers=2,
                                          show_progress=False)
    assert stats.computed == stats.total and stats.errors == 0
    assert st.results_by_name(ray_results) == st.results_by_name(results)


def test_killed_run_restarts_and_reuses_every_finished_task(tmp_path: Path) -> None:
    """SIGKILL the command mid-way; the restart reuses exactly what was committed and ends
    with the numbers of an uninterrupted run."""
    config = replace(CLI_TINY, n_architectures=5)
    store = tmp_path / "k.sqlite"
    cmd = [sys.executable, "-m", "ringing", "study", "nlc", "--architectures", "5",
           *TINY_FLAGS, "--store", str(store), "--workers", "1", "--device", "cpu", "--json"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", RINGING_PROGRESS="0")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = 0
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        if store.exists():
            try:
                with sqlite3.connect(store, timeout=5) as c:
                    done = c.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.Error:
                done = 0
            if done >= 3:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(store) as c:
        done = c.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    total = 5 * 3
    assert 3 <= done < total, f"kill came too late or too early ({done} of {total})"
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["tasks"] == {"total": total, "reused": done, "computed": total - done,
                                "errors": 0}
    with ResultStore(tmp_path / "fresh.sqlite") as s:
        fresh, _ = st.run_study(config, store=s, workers=1, show_progress=False)
    assert payload["architectures"] == json.loads(json.dumps(_records(config, fresh)))


def test_study_nlc_is_the_standalone_estimator_for_20_architectures() -> None:
    """The NLC at initialisation the study stores equals the package's estimator run on its
    own: on :class:`ringing.simulate.networks.Network` for plain architectures without layer
    norm (the same parameters, drawn independently), on the rebuilt sampled network
    otherwise."""
    config = replace(TINY, n_architectures=20)
    split = st.load_split(config)
    plain = 0
    for a in st.study_architectures(config):
        stored = st.init_task(a.as_dict(), config.as_dict())
        if not a.has_skip and a.norm != "layer":
            net = Network(a.network_config(), a.seed, device="cpu", dtype="float64")
            plain += 1
        else:
            net = SampledNetwork(a).estimator_view()  # type: ignore[assignment]
        try:
            ref = empirical_nlc(net, split.x_train, batch_size=config.batch_size,
                                n_probe_batches=config.nlc_probe_batches,
                                generator=layer_generator(a.seed, 0))
        except ValueError:
            assert stored["nlc"] is None and stored["nlc_error"]
            continue
        assert stored["nlc"] == pytest.approx(ref.nlc, rel=1e-12, abs=0)
        assert stored["output_bias"] == pytest.approx(ref.output_bias, rel=1e-12)
    assert plain >= 3


#: seed 004 Table 1, rows C (NLC_τ(1)^48) and D (measured, depth 49) for the six stable
#: activations: the largest |log(D/C)|/48 is the per-layer drift the paper itself shows
_ROW_C = {"relu": 9793, "selu": 5.21, "tanh": 50.19, "sigmoid": 2.25, "even_tanh": 4.76e17,
          "gaussian": 3.13e9}
_ROW_D = {"relu": 7376, "selu": 7.06, "tanh": 59.9, "sigmoid": 3.06, "even_tanh": 4.90e17,
          "gaussian": 3.74e9}
PER_LAYER_DRIFT = max(abs(math.log(_ROW_D[k] / _ROW_C[k])) for k in _ROW_C) / 48


def test_plain_batchnorm_architectures_follow_the_nlc_tau_power() -> None:
    """Plain batchnorm architectures (sampled activations c·τ(d·s + t) + b) against seed 004
    §5's NLC_τ(1)^(D−1) of the very same spec: |log(measured/predicted)| within three
    standard errors over initialisations plus the depth error the paper's own Table 1 shows
    (rows C vs D: at most 0.0063 per layer).  Gaussian inputs and d_out = 64 (a 3-dimensional
    output adds a large projection noise to a single network's NLC)."""
    from ringing.simulate.data import gaussian_data
    from ringing.theory.nlc import nlc_tau

    x = gaussian_data(500, 64, seed=1).x
    checked = 0
    for s in (0, 2, 5, 8, 10):
        a = sample_architecture(s, 64, 64, 20000)
        if a.base_activation in ("square", "odd_square"):  # unstable (§5): not predicted
            continue
        for depth in (3, 7):
            logs = []
            for k in range(3):
                b = replace(a, seed=1000 * k + s, depth=depth, width=96, skip="none",
                            skip_strength=0.0, skip_start="none", norm="batch")
                r = empirical_nlc(SampledNetwork(b).estimator_view(), x, n_probe_batches=4,
                                  generator=torch.Generator().manual_seed(k))
                logs.append(math.log(r.nlc))
            pred = nlc_tau(a.activation) ** (depth - 1)
            v = np.array(logs)
            se = float(v.std(ddof=1) / math.sqrt(v.size))
            allowance = 3 * se + (depth - 1) * PER_LAYER_DRIFT
            assert abs(v.mean() - math.log(pred)) <= allowance, (a.activation, depth, v, pred)
            checked += 1
    assert checked >= 6


def _rec(nlc: float, err: float, bias: float = 1.0, skip: bool = False) -> st.ArchitectureRecord:
    return st.ArchitectureRecord(0, 3, 10, "relu", "none", skip, nlc, bias, 1 / nlc, err, err,
                                 0.0, nlc / 2, 1.0, 14, 0.1)


def test_summary_statistics_on_known_records() -> None:
    recs = ([_rec(v, 0.15) for v in (1.2, 1.8, 2.5, 2.9)]
            + [_rec(v, 0.4) for v in (0.5, 5.0, 20.0, 100.0)]
            + [_rec(50.0, 0.66, bias=5000.0)])
    s = st.summarize(TINY, recs)
    assert s.median_error_inside == pytest.approx(0.15)
    assert s.n_inside == 4 and s.n_outside == 5
    assert s.median_error_outside == pytest.approx(0.4)
    assert s.median_difference == pytest.approx(0.25)
    lo, hi = s.median_difference_interval
    assert lo <= 0.25 <= hi and lo > 0
    assert s.high_bias_errors == [0.66]
    # diameter = 1/NLC exactly: Spearman -1
    assert s.fig1_log_nlc_vs_log_diameter["spearman"] == pytest.approx(-1.0)
    assert s.fraction_nlc_decreased == 1.0
    table = st.markdown_table(s)
    assert "nan" not in table.lower() and "0.250" in table
    figs = st.figures(recs, s)
    assert set(figs) == {"fig1_nlc_vs_diameter", "fig2_nlc_vs_test_error",
                         "fig3b_nlc_before_after"}
    assert all(p.startswith(b"\x89PNG") for p in figs.values())


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "ringing", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.mark.parametrize("args, message", [
    (["study"], "choose a study"),
    (["study", "nlc", "--dataset", "mnist"], "needs a local file"),
    (["study", "nlc", "--dataset", "cifar10", "--data-path", "/nonexistent"], "does not exist"),
    (["study", "nlc", "--lrs", "0"], "positive integer"),
])
def test_cli_bad_input_is_one_line_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    out = _cli(*args, "--store", str(tmp_path / "x.sqlite")) if len(args) > 1 else _cli(*args)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert out.stdout == ""
    assert not (tmp_path / "x.sqlite").exists()


def test_cli_json_figures_and_table(tmp_path: Path) -> None:
    args = ["study", "nlc", "--architectures", "2", *TINY_FLAGS, "--store",
            str(tmp_path / "c.sqlite"), "--device", "cpu", "--figures", str(tmp_path / "f"),
            "--table", str(tmp_path / "t.md"), "--json"]
    out = _cli(*args)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["tasks"] == {"total": 6, "reused": 0, "computed": 6, "errors": 0}
    assert payload["config"] == replace(CLI_TINY, n_architectures=2).as_dict()
    assert len(payload["figures"]) == 3 and (tmp_path / "t.md").read_text().startswith("|")
    assert len(payload["architectures"]) == 2
    again = json.loads(_cli(*args).stdout)
    assert again["tasks"]["reused"] == 6 and again["architectures"] == payload["architectures"]


def test_cli_prints_a_sampled_architecture_as_one_json_object() -> None:
    out = _cli("study", "architecture", "7", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    a = sample_architecture(7, 40, 3, 20_000)
    assert d.pop("trainable_parameters") == a.parameters
    assert d == json.loads(json.dumps(a.as_dict()))


@pytest.mark.gpu
def test_study_runs_on_cuda(local_run: tuple, tmp_path: Path) -> None:
    """--device cuda: the same study on the GPU (float64); its NLCs at initialisation agree
    with the CPU's (same parameters, drawn on the CPU) to float64 round-off."""
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    results, _, _ = local_run
    cfg = replace(TINY, device="cuda")
    with ResultStore(tmp_path / "g.sqlite") as store:
        res, stats = st.run_study(cfg, store=store, workers=1, show_progress=False)
    assert stats.errors == 0
    cpu = {r.seed: r for r in st.records(TINY, st.results_by_name(results))}
    for r in st.records(cfg, st.results_by_name(res)):
        assert r.nlc == pytest.approx(cpu[r.seed].nlc, rel=1e-8)
        assert r.test_error is not None
