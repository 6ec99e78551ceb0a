"""``ringing simulate correlation | jacobian | nlc``: JSON contract and bad input."""

from __future__ import annotations

import json

import pytest
import torch

from ringing.cli import main


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_correlation_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, ["simulate", "correlation", "erf", "--width", "64", "--depth", "3",
                               "--rho0", "0.2", "0.8", "--sigma-b", "0.3", "--samples", "2",
                               "--device", "cpu", "--json"])
    assert rc == 0
    d = json.loads(out)
    assert d["rho0"] == [0.2, 0.8]
    for key in ("empirical", "stderr", "theory"):
        # ρ_0, the embedding layer, then the 3 layers applying ACT
        assert len(d[key]) == 2 and all(len(row) == 5 for row in d[key])
    assert abs(d["theory"][1][0] - 0.8) < 1e-12


def test_correlation_same_seed_same_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "correlation", "relu", "--width", "32", "--depth", "2", "--rho0", "0.5",
            "--samples", "2", "--seed", "7", "--norm", "none", "--device", "cpu", "--json"]
    a = json.loads(_run(capsys, argv)[1])
    b = json.loads(_run(capsys, argv)[1])
    assert a == b and a["theory"] is None


def test_jacobian_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, ["simulate", "jacobian", "tanh", "--width", "32", "--depth", "3",
                               "--samples", "2", "--iters", "10", "--device", "cpu", "--json"])
    assert rc == 0
    d = json.loads(out)
    # one gradient norm per linear layer: the embedding and the 3 layers applying ACT
    assert d["op_norm"] > 0 and d["frobenius_rms"] > 0 and len(d["gradient_norms"]) == 4
    assert d["theory_composed_derivative"] > 0


def test_nlc_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, ["simulate", "nlc", "relu", "--depth", "1", "--width", "64",
                               "--seeds", "2", "--data", "waveform", "--n-data", "500",
                               "--probe-batches", "2", "--device", "cpu", "--json"])
    assert rc == 0
    d = json.loads(out)
    assert len(d["nlc_per_seed"]) == 2 and d["out_dim"] == 3 and d["in_dim"] == 40
    assert d["nlc_tau_prediction"] == pytest.approx(1.2111, abs=1e-3)


@pytest.mark.parametrize("argv, match", [
    (["simulate", "correlation", "relu", "--width", "0", "--depth", "2", "--rho0", "0.5"],
     "width"),
    (["simulate", "correlation", "relu", "--width", "8", "--depth", "2", "--rho0", "1.5"],
     "outside"),
    (["simulate", "nlc", "relu", "--width", "0", "--depth", "2"], "width"),
    (["simulate", "correlation", "square", "--width", "16", "--depth", "40", "--sigma-w", "3",
      "--norm", "none", "--rho0", "0.5", "--samples", "1"], "not finite"),
    (["simulate", "correlation", "nosuch", "--width", "8", "--depth", "2", "--rho0", "0.5"],
     "nosuch"),
])
def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                          match: str) -> None:
    rc, out, err = _run(capsys, argv + ["--device", "cpu", "--json"])
    assert rc == 2 and out == ""
    assert match in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the no-GPU error")
def test_cuda_without_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _run(capsys, ["simulate", "correlation", "relu", "--width", "8", "--depth", "2",
                               "--rho0", "0.5", "--device", "cuda", "--json"])
    assert rc == 2 and "no CUDA GPU" in err


@pytest.mark.gpu
def test_cuda_run(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, ["simulate", "correlation", "erf", "--width", "256", "--depth",
                               "3", "--rho0", "0.5", "--device", "cuda", "--json"])
    assert rc == 0 and len(json.loads(out)["empirical"][0]) == 5


def test_nlc_gram_chain_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``--gram-chain`` measures the same network on its Gram chain: the same seeds give the
    same numbers, and ``--scale common`` moves the value (the per-unit spreads matter)."""
    argv = ["simulate", "nlc", "lrelu(slope=0.3)", "--depth", "4", "--width", "256",
            "--samples", "120", "--in-dim", "12", "--batch-size", "40", "--seeds", "3",
            "--gram-chain", "--json"]
    rc, out, _ = _run(capsys, argv)
    assert rc == 0
    d = json.loads(out)
    assert d["method"] == "gram chain" and len(d["nlc_per_seed"]) == 3
    assert len(d["profile"]) == 4 and len(d["effective_rank"]) == 5
    assert json.loads(_run(capsys, argv)[1])["nlc_per_seed"] == d["nlc_per_seed"]
    common = json.loads(_run(capsys, argv + ["--scale", "common"])[1])
    assert common["scale"] == "common" and common["nlc_mean"] < d["nlc_mean"]


@pytest.mark.parametrize("extra, msg", [
    (["--scale", "common"], "--scale applies to --gram-chain only"),
    (["--gram-chain", "--norm", "layer"], "exact for batchnorm networks"),
    (["--gram-chain", "--weights", "orthogonal"], "exact for batchnorm networks"),
])
def test_nlc_gram_chain_errors(capsys: pytest.CaptureFixture[str], extra: list[str],
                               msg: str) -> None:
    rc, _, err = _run(capsys, ["simulate", "nlc", "relu", "--depth", "2", "--width", "16",
                               "--samples", "40", "--in-dim", "4", "--batch-size", "20"] + extra)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1
