"""The catalogue as a whole: its size (with and without torch), every quick claim's verdict,
the Python API against the command line, and the exit status.

``test_quick_catalogue_verdicts`` runs the whole quick catalogue (``ringing validate --quick``
without figures) and asserts each claim's verdict: a claim that starts to fail, pass
vacuously or disappear changes this table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ringing.cli import main
from ringing.validate import run
from ringing.validate.claims import CATALOGUE_ENV, Claim, Outcome, catalogue, claim_modules

ROOT = Path(__file__).resolve().parents[2]

#: the catalogue's size; a claim added or removed changes it here (never silently)
CATALOGUE_SIZE = 142

#: every quick claim's verdict (``ringing validate --quick``)
EXPECTED_EXPECTED_DIFFERENCE = {
    "seed000/table1/lrelu-0.75",
    "seed000/sim/walk_centroid/relu/batchnorm",
    "seed000/sim/walk_centroid/softplus/batchnorm",
    "seed002/appB/lrelu_covariance/a=0.0",
    "seed002/appB/lrelu_covariance/a=0.2",
    "seed002/theorem2/denominator",
    "seed004/table1/B/odd_square",
    "seed004/table1/C/relu",
    "seed004/table1/C/selu",
    "seed004/table1/C/tanh",
    "seed004/table1/C/sigmoid",
    "seed004/table1/C/gaussian",
    "seed004/table1/C/square",
    "seed004/table1/C/odd_square",
    "seed004/table1/D/selu",
    "seed004/table1/D/sigmoid",
    "seed004/table1/E/sigmoid",
    "seed004/table2/depth50/relu/orthogonal",
    "seed000/cnn/v2_smoother_than_v1",
    "design/lrelu_nlc/simulation",
}


#: seed 004's study claims that read a study store (issue 16): skipped without one
EXPECTED_SKIPPED = {
    "seed004/study/fig2_nlc_range_1_3",
    "seed004/study/high_output_bias",
    "seed004/study/fig3b_nlc_before_after",
}


def expected_verdict(name: str) -> str:
    if name in EXPECTED_SKIPPED:
        return "skipped"
    return "expected-difference" if name in EXPECTED_EXPECTED_DIFFERENCE else "pass"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["OMP_NUM_THREADS"] = "1"
    env["RINGING_PROGRESS"] = "0"
    env.pop(CATALOGUE_ENV, None)
    return env


# ----------------------------------------------------------------------------
# the catalogue


def test_catalogue_size_and_modules() -> None:
    cat = catalogue()
    assert len(cat) == CATALOGUE_SIZE
    assert len({c.name for c in cat}) == len(cat)
    mods = claim_modules()
    short = [m.rsplit(".", 1)[1] for m in mods]
    assert {f"seed00{i}" for i in range(5)} <= set(short)  # one module per paper at least
    assert short == sorted(short)
    for c in cat:
        assert c.statement and c.source and c.func.__doc__, c.name
        # a paper, or "design" (inverse problems across papers, ringing/theory/design.py)
        assert c.name.split("/")[0] in ("seed000", "seed001", "seed002", "seed003", "seed004",
                                        "identity", "design"), c.name
        if c.kind == "simulation":
            assert "torch" in c.requires, c.name


def test_expected_differences_are_in_the_catalogue() -> None:
    names = {c.name for c in catalogue()}
    assert EXPECTED_EXPECTED_DIFFERENCE <= names


def test_catalogue_without_torch_has_the_same_size_and_skips(tmp_path: Path) -> None:
    """torch made unimportable in a fresh interpreter: the same claims, the simulations
    ``skipped`` with the reason, the theory claims still run."""
    code = (
        "import sys, json; sys.modules['torch'] = None\n"
        "from ringing.validate.claims import catalogue\n"
        "from ringing.validate import run\n"
        "cat = catalogue()\n"
        f"rep = run(quick=True, store={str(tmp_path / 's.sqlite')!r}, figures=False, "
        "only='seed002/sim/jacobian,seed004/table1/A/relu', show_progress=False)\n"
        "print(json.dumps({'n': len(cat), 'sim': sum(c.kind == 'simulation' for c in cat), "
        "'v': {r.name: [r.verdict, r.reason] for r in rep.results}, 'ok': rep.ok}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout.strip().splitlines()[-1])
    assert d["n"] == CATALOGUE_SIZE
    assert d["sim"] == sum(c.kind == "simulation" for c in catalogue())
    verdict, reason = d["v"]["seed002/sim/jacobian/tanh"]
    assert verdict == "skipped" and reason.startswith("needs torch")
    assert d["v"]["seed004/table1/A/relu"][0] == "pass"
    assert d["ok"]


# ----------------------------------------------------------------------------
# every verdict of the quick catalogue, stored and reused


def test_quick_catalogue_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGING_STUDY_STORE", str(tmp_path / "no-study.sqlite"))
    store = tmp_path / "quick.sqlite"
    rep = run(quick=True, store=store, figures=False, show_progress=False)
    got = rep.verdicts()
    assert len(got) == CATALOGUE_SIZE
    wrong = {n: (v, expected_verdict(n)) for n, v in got.items() if v != expected_verdict(n)}
    reasons = {r.name: r.reason for r in rep.results if r.name in wrong}
    assert not wrong, f"verdicts (got, expected): {wrong}; reasons: {reasons}"
    assert rep.ok
    for r in rep.results:
        if r.kind == "simulation" and r.simulation is not None and r.theory is not None:
            assert r.simulation_ci is not None, r.name
            # measured at two widths ("finite-size bias") or the O(L/N) theory term
            # ("finite-width error"), both stated in the claim's docstring (issue 13)
            assert any(w in r.tolerance for w in ("finite-size bias", "finite-width error",
                                                  "inequality")), r.name
    # reused from the store: the same results, intervals and details included
    again = run(quick=True, store=store, figures=False, show_progress=False)
    # (skipped claims are never stored: they run again, with the same reason)
    assert all(r.reused for r in again.results if r.verdict != "skipped")
    first = {r.name: r.as_dict() for r in rep.results}
    for r in again.results:
        d = r.as_dict()
        for key in ("verdict", "theory", "simulation", "simulation_ci", "paper", "tolerance",
                    "reason", "details"):
            assert d[key] == first[r.name][key], (r.name, key)


# ----------------------------------------------------------------------------
# the Python API writes what the command line writes


def _comparable(report_json: Path) -> dict[str, object]:
    d = json.loads(report_json.read_text())
    for c in d["claims"]:
        for k in ("elapsed_s", "reused"):
            c.pop(k)
    meta = {k: v for k, v in d["meta"].items()
            if k not in ("generated", "claims_seconds", "total_seconds", "computed", "reused")}
    return {"claims": d["claims"], "counts": d["counts"], "meta": meta,
            "discrepancies": d["discrepancies"], "figures": d["figures"]}


def test_api_writes_the_same_report_as_the_cli(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    only = "seed004/table1/A/*,seed004/table1/E/sigmoid,seed002/sim/jacobian"
    store = tmp_path / "s.sqlite"
    code = main(["validate", "--quick", "--only", only, "--store", str(store), "--report",
                 str(tmp_path / "cli"), "--no-figures", "--json"])
    assert code == 0
    capsys.readouterr()
    rep = run(quick=True, only=only, store=store, figures=False, report=tmp_path / "api",
              show_progress=False)
    a, b = _comparable(tmp_path / "cli" / "report.json"), _comparable(tmp_path / "api" /
                                                                         "report.json")
    assert a == b
    assert (tmp_path / "api" / "report.html").read_text().count("<tr class=") == \
        len(rep.results)
    assert rep.json() and "## Claims" in rep.markdown() and rep.html().startswith("<!DOCTYPE")


# ----------------------------------------------------------------------------
# the exit status follows the verdicts


def _dummy(verdict: str) -> Outcome:
    if verdict == "raise":
        raise RuntimeError("boom")
    return Outcome(verdict, theory=1.0, reason="because" if verdict != "pass" else "")  # type: ignore[arg-type]


def dummy_catalogue() -> list[Claim]:
    verdicts = os.environ["RINGING_TEST_VERDICTS"].split(",")
    return [Claim(f"test/{i}/{v}", "a dummy", "test", _dummy, {"verdict": v})
            for i, v in enumerate(verdicts)]


@pytest.mark.parametrize("verdicts, status", [
    ("pass,expected-difference,skipped", 0),
    ("pass,fail", 1),
    ("pass,raise", 1),
])
def test_exit_status(verdicts: str, status: int, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(CATALOGUE_ENV, "test_catalogue:dummy_catalogue")
    monkeypatch.setenv("RINGING_TEST_VERDICTS", verdicts)
    code = main(["validate", "--store", str(tmp_path / "s"), "--report", str(tmp_path / "r"),
                 "--no-figures", "--workers", "1", "--json"])
    assert code == status
    d = json.loads(capsys.readouterr().out)
    assert len(d["claims"]) == len(verdicts.split(","))
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert len(report["claims"]) == len(verdicts.split(","))  # written either way
