"""Every command's readable text output runs (issue 20, must-show 1), at a tiny setting.

One minimal argument list per command, run in-process through :func:`ringing.cli.main`;
a command without an entry here fails :func:`test_every_command_has_a_tiny_setting`, so a
new command must bring its own.  The text must be non-empty and free of what a reader
should never see: Python reprs, nested lists, NaN.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

pytest.importorskip("torch")

from ringing.cli import build_parser, main  # noqa: E402

CPU = ["--device", "cpu"]

TINY: dict[str, list[str]] = {
    "hermite": ["tanh", "--degree", "4"],
    "gauss": ["tanh"],
    "covariance": ["relu", "--rho", "0", "0.5"],
    "nlc-tau": ["relu", "--depth", "3"],
    "summary": ["relu", "tanh"],
    "correlation": ["relu", "--depth", "20", "--rho0", "0.2", "0.5"],
    "critical": ["tanh"],
    "bound": ["relu", "--depth", "5"],
    "chebyshev": ["relu", "--degree", "6"],
    "distort": ["relu", "--z", "0.5", "0", "0.5", "--real", "--degree", "5"],
    "blueshift": ["relu", "--depth", "2", "--points", "16", "--degree", "8"],
    "design": ["tanh", "--depth", "10", "--target", "nlc=1.5"],
    "papers": [],
    "validate": ["--list"],
    "simulate correlation": ["relu", "--width", "16", "--depth", "2", "--rho0", "0.5",
                             "--seeds", "2", *CPU],
    "simulate jacobian": ["tanh", "--width", "16", "--depth", "2", "--seeds", "2", "--iters",
                          "3", "--probes", "2", *CPU],
    "simulate nlc": ["relu", "--depth", "1", "--width", "16", "--seeds", "2", "--samples", "64",
                     "--batch-size", "32", "--probe-batches", "1", *CPU],
    "simulate walk": ["relu", "--depth", "2", "--width", "16", "--points", "16", "--directions",
                      "2", "--theory", *CPU],
    "simulate model-walk": ["toycnn", "--depth", "1", "--channels", "2", "--size", "8",
                            "--points", "8", "--directions", "2", "--inputs", "2", *CPU],
    "simulate spectral-bias": ["--steps", "20", "--seeds", "1", "--samples", "32", "--width",
                               "8", "--depth", "1", "--frequencies", "1", "2",
                               "--record-every", "5", *CPU],
    "simulate fprinciple": ["--steps", "20", "--seeds", "1", "--widths", "8",
                            "--record-every", "5", *CPU],
    "simulate perturbation": ["--steps", "20", "--seeds", "2", "--samples", "32", "--width",
                              "8", "--depth", "1", "--frequencies", "1", "2", "3", "--sizes",
                              "0.01", "--draws", "4", "--record-every", "10"],
    "simulate manifold": ["--steps", "20", "--seeds", "2", "--samples", "32", "--width", "8",
                          "--depth", "1", "--petals", "0", "4", "--frequencies", "1", "2",
                          "--record-every", "10"],
    "simulate manifold-classify": ["--steps", "20", "--seeds", "2", "--samples", "32",
                                   "--width", "8", "--depth", "1", "--petals", "0", "2", "4",
                                   "--frequencies", "1", "2", "4"],
    "simulate digits-noise": ["--steps", "20", "--seeds", "2", "--width", "8", "--depth", "1",
                              "--noise-frequencies", "1", "--amplitudes", "0.5",
                              "--record-every", "10"],
    "simulate pc-fprinciple": ["--steps", "20", "--seeds", "2", "--widths", "8", "--peaks",
                               "2", "--max-index", "8", "--record-every", "10"],
    "simulate weighted-loss": ["--steps", "20", "--seeds", "2", "--samples", "32", "--widths",
                               "8", "--frequencies", "1", "2", "--record-every", "10"],
    "simulate info-plane": ["--steps", "20", "--seeds", "2", "--samples", "16", "--widths",
                            "8", "--record-every", "10"],
    "study architecture": ["3"],
    "study nlc": ["--architectures", "1", "--lrs", "1", "--max-epochs", "1", "--n-train", "30",
                  "--n-val", "20", "--n-test", "20", "--param-budget", "300",
                  "--probe-batches", "1", "--reductions", "0", "--workers", "1", *CPU,
                  "--store", "{tmp}/nlc.sqlite"],
    "study blueshift": ["--depths", "8", "--slopes", "0", "--epochs", "1", "--channels", "1",
                        "--size", "8", "--walk-directions", "2", "--batch-size", "16",
                        "--store", "{tmp}/blueshift.sqlite"],
    "study cnn-figure": ["fig8", "--out", "{tmp}"],
}

#: what a reader must never see in a table
FORBIDDEN = [
    (re.compile(r"\[\["), "a nested list"),
    (re.compile(r"array\(|tensor\(|np\.float|dtype="), "a Python/numpy/torch repr"),
    (re.compile(r"\bnan\b", re.IGNORECASE), "NaN"),
    (re.compile(r"<[a-zA-Z_.]+ object at 0x"), "an object repr"),
    (re.compile(r"\{'|': "), "a dict repr"),
]


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[str]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [" ".join(path)]
    return [leaf for a in subs for name, p in a.choices.items()
            for leaf in _leaves(p, (*path, name))]


def test_every_command_has_a_tiny_setting() -> None:
    assert sorted(_leaves(build_parser())) == sorted(TINY)


@pytest.mark.parametrize("command", sorted(TINY))
def test_text_output_runs_and_reads(command: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*command.split(), *(a.replace("{tmp}", str(tmp_path)) for a in TINY[command]),
            "--no-progress", "--threads", "1"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip(), f"{command}: no text output"
    for pattern, what in FORBIDDEN:
        m = pattern.search(out)
        where = "" if m is None else out[max(0, m.start() - 60):m.end() + 60]
        assert m is None, f"{command}: {what} in the text output: {where!r}"


def _text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([*argv, "--no-progress"]) == 0
    return capsys.readouterr().out


def test_zero_by_symmetry_prints_0(capsys: pytest.CaptureFixture[str]) -> None:
    """tanh is odd: its even Hermite coefficients and its mean are 0, printed as 0 (the
    quadrature gives ~1e-17); the odd ones keep their digits."""
    rows = [line.split() for line in _text(capsys, "hermite", "tanh", "--degree", "4")
            .splitlines()[2:7]]
    assert [r[1] for r in rows[0::2]] == ["0", "0", "0"]
    assert float(rows[1][1]) == pytest.approx(0.6057055096, rel=1e-9)
    assert "mean E φ(σz)                 0\n" in _text(capsys, "gauss", "tanh")


def test_a_sweep_shows_its_final_value(capsys: pytest.CaptureFixture[str]) -> None:
    out = _text(capsys, "correlation", "relu", "--depth", "50", "--rho0", "0.2")
    last = out.splitlines()[-2].split()
    assert last[0] == "50" and float(last[1]) == pytest.approx(0.98, abs=0.02)
    from ringing.cli_support import render_table

    text = render_table({"values": [float(i) for i in range(40)]})
    assert "39" in text and "(30 more)" in text


def test_vacuous_bound_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    vacuous = _text(capsys, "bound", "relu", "--depth", "5").splitlines()[1]
    assert "vacuous" in vacuous
    assert "vacuous" not in _text(capsys, "bound", "relu", "--depth", "200").splitlines()[1]
    assert "vacuous: no bound" in _text(capsys, "bound", "identity", "--depth", "3")


def test_walk_theory_is_in_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    out = _text(capsys, "simulate", "walk", *TINY["simulate walk"])
    head, row1 = out.splitlines()[1:3]
    assert "theory: centroid" in head and len(row1.split()) >= 12


def test_a_long_run_prints_its_plan_and_estimate(capsys: pytest.CaptureFixture[str]) -> None:
    """--progress (forced: stderr is not a terminal here) prints the plan and an estimate from
    timed probes on stderr before a run longer than the probes; --no-progress prints
    nothing there; a short run says what it saw and that more steps are needed."""
    argv = ["simulate", "spectral-bias", "--steps", "250", "--seeds", "2", "--samples", "32",
            "--width", "8", "--depth", "1", "--frequencies", "1", "2", "--record-every", "50",
            *CPU]
    assert main([*argv, "--progress"]) == 0
    out, err = capsys.readouterr()
    plan = [line for line in err.replace("\r", "\n").splitlines() if line.startswith("plan:")]
    assert len(plan) == 1 and "2 network(s) × 250 steps" in plan[0]
    assert re.search(r"ms per step, .* s set-up: about \d+ (s|min|h)", plan[0])
    assert "frequencies in 250 steps; final training loss" in out
    assert main([*argv, "--no-progress"]) == 0
    out2, err2 = capsys.readouterr()
    assert err2 == "" and out2 == out  # the probes change nothing in the result
