"""The command line's own conveniences: --version, papers, --threads, a closed pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ringing import __version__
from ringing.cli import main
from ringing.papers import PAPERS, by_seed, cite, reference
from ringing.runs.threads import configure_threads, default_threads


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"ringing {__version__}"


def test_papers_json_cites_all_five(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["papers", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["papers"]
    assert [r["seed"] for r in rows] == ["000", "001", "002", "003", "004"]
    assert all(r["title"] and r["venue"] and r["reference"] for r in rows)


def test_cite_and_seed_labels() -> None:
    assert cite("NLC", "Table 1 row C") == "Philipp & Carbonell, NLC, Table 1 row C"
    assert by_seed(2) is PAPERS["Gradient explosion"] and by_seed("000").key == "Ringing ReLUs"
    assert "(2019)" in reference("Spectral bias")
    assert "(" not in reference("Gradient explosion").split(".")[0]  # no invented year
    with pytest.raises(ValueError, match="no paper has seed"):
        by_seed(7)


def test_threads_default_respects_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert 1 <= default_threads() <= (os.cpu_count() or 1)
    with pytest.raises(ValueError, match="at least 1"):
        configure_threads(0)


def test_threads_flag_reaches_torch() -> None:
    code = ("import sys, torch; from ringing.cli import main; "
            "main(['covariance', 'relu', '--rho', '0.5', '--json', '--threads', '1']); "
            "print(torch.get_num_threads(), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert out.stderr.strip().splitlines()[-1] == "1"


class _ClosedPipe:
    """A stdout whose reader has gone (``ringing ... | head``)."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    flush = write

    def fileno(self) -> int:
        return self.write_fd


def test_closed_pipe_is_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = _ClosedPipe()
    monkeypatch.setattr(sys, "stdout", pipe)
    try:
        assert main(["covariance", "relu", "--rho", "0.5"]) == 0
        assert main(["covariance", "relu", "--rho", "0.5", "--json"]) == 0
    finally:
        os.close(pipe.read_fd)
        os.close(pipe.write_fd)
