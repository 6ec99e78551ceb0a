"""The issue's reproductions through the command line (in-process ``ringing.cli.main``).

Each gives exit status 2 with one line on stderr, or a correct answer with nothing on
stderr, in under 5 s (in-process: the interpreter's start-up is not counted).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import pytest

from ringing.cli import main
from ringing.simulate import budget

LIMIT_S = 5.0


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    t0 = time.perf_counter()
    rc = main(list(argv))
    secs = time.perf_counter() - t0
    out, err = capsys.readouterr()
    assert secs < LIMIT_S, (argv, secs)
    assert "Traceback" not in err
    return rc, out, err


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    rc, out, err = run(capsys, *argv)
    assert rc == 2, (argv, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and out == "", err
    return lines[0]


GAUSS_REFUSED = [
    ("((((2**64)**64)**64)**64)", "number too large"),
    ("+".join(["x"] * 990), "nested deeper"),
    ("exp(" * 150 + "x" + ")" * 150, "nested deeper"),
    ("x**sqrt(-1)", "complex"),
    ("exp(1/x)", "x = 0"),
    ("1/x", "x = 0"),
    ("tan(x)", "x = -1.5708"),
    ("1/x**2", "x = 0"),
    ("log(abs(x))", "x = 0"),
    ("lrelu(0.2)", "slope=0.2"),
    ("lrelu(slope=1, slope=2)", "given twice"),
]


@pytest.mark.parametrize(("spec", "fragment"), GAUSS_REFUSED)
def test_gauss_reproductions_exit_2_one_line(capsys: pytest.CaptureFixture[str], spec: str,
                                             fragment: str) -> None:
    assert fragment in refused(capsys, "gauss", spec, "--json")


def test_sign_is_answered_with_its_ae_derivative(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "gauss", "sign(x)", "--json")
    assert rc == 0 and err == ""
    p = json.loads(out)
    assert p["norm_sq"] == pytest.approx(1.0, abs=1e-9)  # E[sign(z)^2] = 1
    assert p["derivative_norm_sq"] == 0.0  # a.e. derivative, as torch's autograd


@pytest.mark.parametrize("spec", ["0.5", "selu(scale=0)"])
@pytest.mark.parametrize("what", [
    ("correlation", "--rho0", "0.5"),
    ("jacobian", "--iters", "3", "--probes", "2", "--samples", "2"),
    ("walk", "--points", "16", "--directions", "2")])
def test_constant_activation_never_crashes_simulate(capsys: pytest.CaptureFixture[str],
                                                    spec: str, what: tuple[str, ...]) -> None:
    """Exit 0 with an answer (a constant layer has ρ = 1 and a zero Jacobian) or exit 2 naming
    0/0 (selu(scale=0) makes every pre-activation zero before LayerNorm), never exit 1."""
    rc, out, err = run(capsys, "simulate", what[0], spec, "--width", "32", "--depth", "2",
                       *what[1:], "--json")
    assert rc in (0, 2), err
    if rc == 2:
        assert "0 by 0" in err and len(err.strip().splitlines()) == 1
    else:
        assert err == "" and json.loads(out)


def test_correlation_of_constant_is_one(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "simulate", "correlation", "0.5", "--width", "32", "--depth", "2",
                     "--rho0", "0.3", "--json")
    assert rc == 0
    # layer 1 is linear (phi_1 = identity); after the constant layer 2 both inputs coincide
    assert json.loads(out)["empirical"][0][-1] == pytest.approx(1.0)


@pytest.mark.parametrize("extra", [("--sigma-w", "0"), ("--sigma-w", "0", "--sigma-b", "1e-300")])
def test_zero_preactivations_named_as_0_by_0(capsys: pytest.CaptureFixture[str],
                                             extra: tuple[str, ...]) -> None:
    line = refused(capsys, "simulate", "correlation", "relu", "--width", "32", "--depth", "2",
                   "--rho0", "0.5", *extra)
    assert "0 by 0" in line and "overflow" not in line


def test_width_65536_refused_before_allocating(capsys: pytest.CaptureFixture[str]) -> None:
    # orthogonal layers cannot be streamed in row blocks (a Gaussian one can: it runs, at
    # ~0.8 GiB peak, see benchmarks/results/wide.md), so this one is refused up front
    line = refused(capsys, "simulate", "correlation", "relu", "--width", "65536", "--depth",
                   "2", "--rho0", "0.5", "--weights", "orthogonal", "--max-memory", "8G")
    assert "GiB" in line and "--width" in line and "--max-memory" in line


def test_default_budget_is_the_memory_available(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "available_memory", lambda device="cpu": (1 << 30,
                                                                          "MemAvailable"))
    line = refused(capsys, "simulate", "correlation", "relu", "--width", "65536", "--depth",
                   "2", "--rho0", "0.5", "--weights", "orthogonal")
    assert "50% of MemAvailable" in line


def test_huge_depth_refused(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "simulate", "jacobian", "relu", "--width", "64", "--depth",
                   "1000000000")
    assert "--depth" in line


def test_walk_too_wide_refused(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "simulate", "walk", "relu", "--width", "16384", "--depth", "2",
                   "--max-memory", "2G")
    assert "one direction" in line and "--width" in line


def test_training_steps_refused(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "simulate", "spectral-bias", "--steps", "1000000000",
                   "--max-memory", "4G")
    assert "--steps" in line


def test_blueshift_degree_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert "degree >= 1" in refused(capsys, "blueshift", "relu", "--degree", "0")


def test_chebyshev_tiny_interval(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "chebyshev", "relu", "--interval", "1e-300", "--degree", "3")
    assert "float64" in line


def test_identical_training_runs_print_identical_bytes(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    argv = ("simulate", "spectral-bias", "--steps", "20", "--seeds", "1", "--samples", "32",
            "--width", "8", "--depth", "1", "--frequencies", "1", "2", "--record-every", "5",
            "--device", "cpu", "--json")
    outs = [run(capsys, *argv) for _ in range(2)]
    assert outs[0][0] == 0 and outs[0][1] == outs[1][1]
    assert "steps_per_second" not in outs[0][1]
    rc, out, _ = run(capsys, *argv, "--timings")
    assert rc == 0 and json.loads(out)["timings"]["steps_per_second"] > 0


def test_successful_run_keeps_stderr_empty(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, "gauss", "relu", "--json")
    assert rc == 0 and err == ""


def _fake_parser(exc: BaseException, warn: bool = False) -> Any:
    def handler(args: argparse.Namespace) -> dict[str, Any]:
        if warn:
            import warnings

            warnings.warn("overflow encountered", RuntimeWarning, stacklevel=1)
            return {"value": 1.0}
        raise exc

    class P:
        def parse_args(self, argv: Any) -> argparse.Namespace:
            return argparse.Namespace(command="fake", func=handler, json=True)

        def print_help(self, file: Any) -> None:  # pragma: no cover
            pass

    return lambda: P()


@pytest.mark.parametrize("exc", [RecursionError("maximum recursion depth exceeded"),
                                 OverflowError("(34, 'Numerical result out of range')")])
def test_recursion_and_overflow_from_input_exit_2(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  exc: BaseException) -> None:
    import ringing.cli as cli

    monkeypatch.setattr(cli, "build_parser", _fake_parser(exc))
    refused(capsys, "fake")


def test_warnings_of_a_successful_run_go_into_the_payload(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    import ringing.cli as cli

    monkeypatch.setattr(cli, "build_parser", _fake_parser(RuntimeError(), warn=True))
    rc, out, err = run(capsys, "fake")
    assert rc == 0 and err == ""
    assert json.loads(out)["warnings"] == ["RuntimeWarning: overflow encountered"]


def test_rho_just_outside_is_named_with_its_digits(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "covariance", "relu", "--rho", "1.0000001")
    assert "rho=1.0000001 " in line
