"""``ringing validate --device`` / ``run(device=...)`` reaches every simulation claim and figure
(issue 15): spies stand in for the simulation entry points, so no GPU is needed."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from ringing.cli import main
from ringing.validate import pipeline, report
from ringing.validate.claims import CATALOGUE_ENV, Claim, Outcome, catalogue
from ringing.validate.core import evaluate, takes_device

#: every function through which a claim simulates (module, name)
ENTRY_POINTS = [
    ("ringing.simulate.measure", "measure_correlations"),
    ("ringing.simulate.measure", "measure_jacobian"),
    ("ringing.simulate.measure", "measure_nlc"),
    ("ringing.simulate.gram_chain", "batchnorm_nlc_chain"),
    ("ringing.simulate.walks", "walk"),
    ("ringing.simulate.training", "spectral_bias"),
    ("ringing.simulate.training", "fprinciple"),
    ("ringing.experiments.seed000_cnn", "zoo_walk"),
    ("ringing.experiments.seed000_cnn", "blueshift_trainability"),
    ("ringing.experiments.spectral_bias", "perturbation"),
    ("ringing.experiments.spectral_bias", "manifold_regression"),
    ("ringing.experiments.spectral_bias", "digits_noise"),
    ("ringing.experiments.frequency_principle", "weighted_loss"),
    ("ringing.experiments.frequency_principle", "info_plane"),
    ("ringing.experiments.nlc_study", "StudyConfig"),
]

DEVICE = "cuda:7"  # never resolved here: the spies stop the claim first


class _Reached(Exception):
    pass


def _install_spies(monkeypatch: pytest.MonkeyPatch, seen: list[str]) -> None:
    for mod_name, name in ENTRY_POINTS:
        mod = importlib.import_module(mod_name)

        def spy(*args: Any, _name: str = name, **kw: Any) -> Any:
            dev = kw.get("device")
            if dev is None:  # a walk / model-walk configuration carries it
                dev = next((getattr(a, "device", None) for a in args
                            if hasattr(a, "device") and not isinstance(a, torch.Tensor)), None)
            seen.append(f"{_name}:{dev}")
            raise _Reached(_name)

        monkeypatch.setattr(mod, name, spy)


def test_every_simulation_claim_takes_a_device() -> None:
    claims = catalogue()
    sims = [c for c in claims if c.kind == "simulation"]
    assert sims and all(takes_device(c) for c in sims)
    assert not any(takes_device(c) for c in claims if c.kind == "theory")


def test_device_reaches_every_simulation_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each simulation claim, evaluated with a device, hands it to the simulation it calls."""
    missed = []
    for claim in (c for c in catalogue() if c.kind == "simulation"):
        seen: list[str] = []
        with monkeypatch.context() as m:
            _install_spies(m, seen)
            r = evaluate(claim, True, DEVICE)
        if not seen or any(not s.endswith(f":{DEVICE}") for s in seen):
            missed.append((claim.name, seen, r.reason))
        assert r.config.get("device") == DEVICE
    assert not missed, missed


def test_cpu_keys_unchanged_and_gpu_keys_apart() -> None:
    sim = next(c for c in catalogue() if c.kind == "simulation")
    theory = next(c for c in catalogue() if c.kind == "theory")
    assert sim.key(True) == sim.key(True, "cpu") and "device" not in sim.config(True)
    assert sim.key(True, "cuda") != sim.key(True)
    assert theory.key(False, "cuda") == theory.key(False)  # theory does not depend on it


def dummy_catalogue() -> list[Claim]:
    return [Claim("test/sim", "a dummy simulation", "test", _dummy_sim, {}, kind="simulation"),
            Claim("test/theory", "a dummy theory claim", "test", _dummy_theory)]


def _dummy_sim(device: str = "cpu") -> Outcome:
    return Outcome("pass", details={"device": device})


def _dummy_theory() -> Outcome:
    return Outcome("pass")


def test_run_threads_the_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CATALOGUE_ENV, "test_validate_device:dummy_catalogue")
    monkeypatch.setattr(pipeline, "resolve_claim_device", lambda d: d)  # no GPU here
    rep = pipeline.run(store=tmp_path / "s.sqlite", workers=1, figures=False,
                       show_progress=False, device="cuda")
    by = {r.name: r for r in rep.results}
    assert by["test/sim"].details == {"device": "cuda"}
    assert rep.meta["device"] == "cuda"
    cpu = pipeline.run(store=tmp_path / "s.sqlite", workers=1, figures=False,
                       show_progress=False)
    assert {r.name: r for r in cpu.results}["test/sim"].details == {"device": "cpu"}
    assert not any(r.reused for r in cpu.results if r.name == "test/sim")  # stored apart


def test_figures_get_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    got: list[str] = []

    def figure_fake(path: Any, device: str = "auto") -> Any:
        """A fake figure that simulates."""
        got.append(device)
        Path(path).write_bytes(b"\x89PNG fake")
        return path

    def figure_theory(path: Any) -> Any:
        """A fake theory figure."""
        Path(path).write_bytes(b"\x89PNG fake")
        return path

    monkeypatch.setattr(report, "discover_figures",
                        lambda: [("f.sim", figure_fake), ("f.theory", figure_theory)])
    figs = report.render_figures(None, workers=1, show_progress=False, device="cuda")
    assert got == ["cuda"] and all(f.error == "" for f in figs)
    report.render_figures(None, workers=1, show_progress=False)
    assert got == ["cuda", "cpu"]  # the CPU default, not the figure's own "auto"
    assert (report._figure_key("f.sim", figure_fake, "cuda")
            != report._figure_key("f.sim", figure_fake))
    assert (report._figure_key("f.theory", figure_theory, "cuda")
            == report._figure_key("f.theory", figure_theory))


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the no-GPU error")
def test_cli_device_cuda_without_gpu(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--device", "cuda", "--store", str(tmp_path / "s"), "--report",
                 str(tmp_path / "r"), "--only", "seed004/table1/A/relu", "--json"])
    err = capsys.readouterr().err
    assert code == 2 and "no CUDA GPU" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists() and not (tmp_path / "r").exists()


def test_cli_device_cpu_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--device", "cpu", "--store", str(tmp_path / "s"), "--report",
                 str(tmp_path / "r"), "--only", "seed004/table1/A/relu", "--no-figures",
                 "--workers", "1", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["device"] == "cpu"


@pytest.mark.gpu
def test_cuda_simulation_claim_passes_on_the_gpu() -> None:
    """A quick simulation claim evaluated on CUDA runs there and keeps its verdict."""
    claim = next(c for c in catalogue() if c.name.startswith("seed002/sim/correlation"))
    cpu = evaluate(claim, True)
    gpu = evaluate(claim, True, "cuda")
    assert gpu.verdict == cpu.verdict == "pass", gpu.reason
    assert gpu.config["device"] == "cuda" and gpu.key != cpu.key
