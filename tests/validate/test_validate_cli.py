"""``ringing validate``: JSON contract, reuse, the report, SIGKILL interruption, bad input."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ringing.cli import main
from ringing.runs.store import ResultStore
from ringing.validate.claims import CATALOGUE_ENV, Claim, ClaimResult, Outcome
from ringing.validate.report import (
    Figure,
    discover_figures,
    markdown_to_html,
    resolve_report_paths,
    write_report,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FAST = "seed000/table1/lrelu-0.75,seed004/table1/A/relu,seed004/table1/E/sigmoid"  # catalogue order


# ----------------------------------------------------------------------------
# a test-only catalogue of slow dummy claims (for the interruption test)


def slow_claim(index: int, seconds: float, log: str) -> Outcome:
    """Sleeps, appends its index to ``log`` (so recomputation is visible), and passes."""
    time.sleep(seconds)
    with open(log, "a") as fh:
        fh.write(f"{index}\n")
    return Outcome("pass", theory=float(index), paper=float(index), tolerance="exact")


def slow_catalogue() -> list[Claim]:
    log = os.environ["RINGING_TEST_LOG"]
    n = int(os.environ.get("RINGING_TEST_N", "12"))
    return [Claim(f"test/slow/{i:02d}", "sleeps and passes", "test", slow_claim,
                  {"index": i, "seconds": 0.4, "log": log}) for i in range(n)]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


# ----------------------------------------------------------------------------


def test_json_contract_and_reuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, rep = tmp_path / "s.sqlite", tmp_path / "rep"
    args = ["--quick", "--only", FAST, "--store", str(store), "--report", str(rep),
            "--no-figures", "--workers", "1", "--json"]
    code, out, _ = run_cli(capsys, *args)
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"claims", "report"}
    assert d["report"] == str((rep / "report.html").resolve())
    names = [c["name"] for c in d["claims"]]
    assert names == FAST.split(",")
    for c in d["claims"]:
        assert set(c) >= {"name", "verdict", "theory", "simulation", "simulation_ci", "paper",
                          "reason"}
        assert c["verdict"] in ("pass", "expected-difference") and not c["reused"]
    assert {c["name"]: c["verdict"] for c in d["claims"]}["seed004/table1/E/sigmoid"] == \
        "expected-difference"
    html = (rep / "report.html").read_text()
    assert "Discrepancies with the papers" in html and "double rounding" in html
    js = json.loads((rep / "report.json").read_text())
    assert js["counts"]["expected-difference"] == 2 and len(js["claims"]) == 3
    assert "| seed004/table1/A/relu | pass" in (rep / "report.md").read_text()
    # a re-run reuses everything from the store
    code, out, _ = run_cli(capsys, *args)
    assert code == 0 and all(c["reused"] for c in json.loads(out)["claims"])
    # the readable output
    code, out, _ = run_cli(capsys, *args[:-1])
    assert code == 0 and "3 claims (3 reused)" in out


def test_sigkill_mid_run_then_resume(tmp_path: Path) -> None:
    """SIGKILL a run part-way: the finished claims survive and are reused, not recomputed."""
    store, log = tmp_path / "s.sqlite", tmp_path / "computed.log"
    env = dict(os.environ, RINGING_TEST_LOG=str(log), RINGING_TEST_N="12",
               PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT),
                                           os.environ.get("PYTHONPATH", "")]))
    env[CATALOGUE_ENV] = "test_validate_cli:slow_catalogue"
    cmd = [sys.executable, "-m", "ringing", "validate", "--quick", "--store", str(store),
           "--report", str(tmp_path / "rep"), "--no-figures", "--workers", "2"]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    stored = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if store.exists():
                try:
                    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1)
                    stored = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                    con.close()
                except sqlite3.Error:
                    stored = 0
            if stored >= 3:
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its pool workers
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    before = ResultStore(store)
    assert before.integrity_ok()
    kept = set(before.names())
    before.close()
    assert 3 <= len(kept) < 12
    computed_first = log.read_text().split()
    # rerun: the kept claims are reused, the rest computed, nothing recomputed
    res = subprocess.run(cmd + ["--json"], env=env, cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    d = json.loads(res.stdout)
    reused = {c["name"] for c in d["claims"] if c["reused"]}
    assert reused == kept
    assert len(d["claims"]) == 12 and all(c["verdict"] == "pass" for c in d["claims"])
    recomputed = log.read_text().split()[len(computed_first):]
    assert not {f"test/slow/{int(i):02d}" for i in recomputed} & kept
    after = ResultStore(store)
    assert after.integrity_ok() and after.count() == 12
    after.close()


def test_unwritable_report_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = tmp_path / "s.sqlite"
    code, out, err = run_cli(capsys, "--only", FAST, "--store", str(store),
                             "--report", str(blocker / "rep"), "--no-figures")
    assert code == 2 and out == ""
    assert err.startswith("error: cannot write the report to") and err.count("\n") == 1
    assert not store.exists()  # nothing was run or written
    code, _, err = run_cli(capsys, "--only", FAST, "--store", str(store),
                           "--report", str(tmp_path / "x.txt"), "--no-figures")
    assert code == 2 and "must be a directory or end in .html" in err


def test_corrupt_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.sqlite"
    data = b"\x00garbage" * 512
    store.write_bytes(data)
    code, out, err = run_cli(capsys, "--only", FAST, "--store", str(store),
                             "--report", str(tmp_path / "rep"), "--no-figures")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "corrupt or not a SQLite database" in err and str(store) in err
    assert store.read_bytes() == data  # never overwritten


def test_executor_ray_without_ray(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    store = tmp_path / "s.sqlite"
    code, out, err = run_cli(capsys, "--only", FAST, "--store", str(store),
                             "--report", str(tmp_path / "rep"), "--executor", "ray")
    assert code == 2 and out == ""
    assert "needs Ray" in err and "ringing[dist]" in err and err.count("\n") == 1
    assert not store.exists() and not (tmp_path / "rep").exists()


def test_executor_ray_local_instance(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """With ``ringing[dist]`` installed: the same claims on a local Ray instance, stored, and
    reused by a local re-run (the store key does not depend on the executor)."""
    pytest.importorskip("ray")
    store, rep = tmp_path / "s.sqlite", tmp_path / "rep"
    common = ["--quick", "--only", FAST, "--store", str(store), "--report", str(rep),
              "--no-figures", "--workers", "2", "--json"]
    code, out, err = run_cli(capsys, *common, "--executor", "ray")
    assert code == 0, err
    d = json.loads(out)
    assert [c["name"] for c in d["claims"]] == FAST.split(",")
    assert all(not c["reused"] and c["verdict"] in ("pass", "expected-difference")
               for c in d["claims"])
    code, out, _ = run_cli(capsys, *common, "--executor", "local")
    assert code == 0 and all(c["reused"] for c in json.loads(out)["claims"])


def test_bad_only_and_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--only", "nothing-matches", "--store",
                           str(tmp_path / "s"), "--report", str(tmp_path / "r"))
    assert code == 2 and "matches no claim" in err
    code, _, err = run_cli(capsys, "--only", FAST, "--workers", "0", "--store",
                           str(tmp_path / "s"), "--report", str(tmp_path / "r"))
    assert code == 2 and "--workers 0" in err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--list", "--json")
    assert code == 0 and len(json.loads(out)["claims"]) >= 25


# ----------------------------------------------------------------------------
# the report


def _result(name: str, verdict: str, **kw: object) -> ClaimResult:
    base = dict(name=name, key="k" + name, statement="s <b>", source="src", kind="simulation",
                verdict=verdict, theory=1.0, simulation=1.01, simulation_ci=(0.99, 1.03),
                paper=1.02, tolerance="tol", reason="because", details={}, config={},
                elapsed_s=0.1)
    base.update(kw)
    return ClaimResult(**base)  # type: ignore[arg-type]


def test_report_embeds_figures_and_escapes(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    png_path = tmp_path / "f.png"
    fig.savefig(png_path)
    plt.close(fig)
    res = [_result("a/x", "pass"), _result("a/y", "expected-difference")]
    paths = resolve_report_paths(tmp_path / "out.html")
    assert paths.markdown == tmp_path / "out.md" and paths.json == tmp_path / "out.json"
    write_report(res, paths, figures=[Figure("f", "a figure", png_path.read_bytes()),
                                      Figure("g", "broken", None, "ValueError: no")])
    html = paths.html.read_text()
    assert html.count("data:image/png;base64,") == 2  # ours + the simulation overview
    assert "s &lt;b&gt;" in html and "s <b>" not in html  # statements are escaped
    assert "ValueError: no" in html and "src=\"http" not in html and "src='http" not in html
    d = json.loads(paths.json.read_text())
    assert d["counts"] == {"pass": 1, "fail": 0, "expected-difference": 1, "skipped": 0,
                           "error": 0}
    assert [x["source"] for x in d["discrepancies"]][0].startswith("claim a/y")


def test_discover_figures_callable_with_path_only() -> None:
    import inspect

    for name, fn in discover_figures():
        assert name.startswith("figures_")
        sig = inspect.signature(fn)
        assert "path" in sig.parameters


def test_markdown_subset() -> None:
    h = markdown_to_html("## Findings\n\n- a `x<y`\n- **b**\n\n| p | q |\n|---|---|\n| 1 | 2 |\n"
                         "\n```\ncode <here>\n```\ntext <script>")
    assert "<ul><li>a <code>x&lt;y</code></li><li><strong>b</strong></li></ul>" in h
    assert "<table><tr><th>p</th><th>q</th></tr><tr><td>1</td><td>2</td></tr></table>" in h
    assert "<pre><code>code &lt;here&gt;</code></pre>" in h and "<script>" not in h
