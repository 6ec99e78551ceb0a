"""The command-line contract for the theory commands (DESIGN.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ringing.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hermite_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "hermite", "relu", "--degree", "4", "--exact", "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"activation", "coefficients", "method", "exact"}
    assert d["exact"][1] == "1/2" and len(d["coefficients"]) == 5


def test_gauss_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gauss", "lrelu(slope=0.2)", "--json")
    d = json.loads(out)
    assert code == 0
    assert set(d) >= {"norm_sq", "derivative_norm_sq", "mean", "variance", "linear",
                      "linearization_error_sq"}
    assert d["derivative_norm_sq"] == pytest.approx((1 + 0.04) / 2, rel=1e-13)


def test_covariance_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "covariance", "tanh", "--rho", "-1", "0", "0.5", "1", "--json")
    d = json.loads(out)
    assert code == 0 and d["rho"] == [-1.0, 0.0, 0.5, 1.0] and len(d["covariance"]) == 4
    code, out, _ = run(capsys, "covariance", "relu", "--rho", "1", "--derivative", "--json")
    assert json.loads(out)["covariance"] == [pytest.approx(0.5)]


def test_nlc_tau_json(capsys: pytest.CaptureFixture[str]) -> None:
    # --depth counts hidden layers applying ACT: 48 of them, NLC_tau^48 (seed 004's depth 49)
    code, out, _ = run(capsys, "nlc-tau", "relu", "--depth", "48", "--json")
    d = json.loads(out)
    assert code == 0 and set(d) >= {"nlc_tau", "linear_approx_error", "nlc_tau_power"}
    assert d["nlc_tau_power"] == pytest.approx(d["nlc_tau"] ** 48)


def test_readable_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "hermite", "tanh", "--degree", "3")
    assert code == 0 and "method" in out and not out.lstrip().startswith("{")
    code, out, _ = run(capsys, "summary", "relu", "tanh")
    assert code == 0 and "relu" in out and "tanh" in out


@pytest.mark.parametrize("argv,fragment", [
    (["hermite", "rleu"], "known activations"),
    (["hermite", "__import__('os')"], "__import__"),
    (["hermite", "x.__class__"], "Attribute"),
    (["hermite", "lambda x: x"], "Lambda"),
    (["covariance", "relu", "--rho", "1.5"], "rho=1.5"),
    (["gauss", "relu", "--sigma", "-1"], "sigma=-1"),
    (["hermite", "relu", "--degree", "-3"], "degree=-3"),
    (["gauss", "exp(x**2)"], "not square-integrable"),
    (["nlc-tau", "relu", "--depth", "0"], "depth=0"),
])
def test_bad_input(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_real_subprocess_bad_input_and_json() -> None:
    p = subprocess.run([sys.executable, "-m", "ringing", "hermite", "open('x','w')", "--json"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and p.stdout == "" and len(p.stderr.splitlines()) == 1
    p = subprocess.run([sys.executable, "-m", "ringing", "nlc-tau", "tanh", "--json"],
                       capture_output=True, text=True)
    assert p.returncode == 0 and json.loads(p.stdout)["nlc_tau"] == pytest.approx(1.085, abs=5e-4)
