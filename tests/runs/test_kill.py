"""SIGKILL and SIGTERM of a run leave no process behind within 10 s (local pool and Ray).

A run is started as a child process; once it has workers (descendants), it is killed,
and every process that descended from it must be gone within 10 s.  Descendants are
collected from ``/proc`` (parent links) while the run is alive, so workers that were
re-parented to init after the kill are still tracked by pid.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GONE_S = 10.0

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _children() -> dict[int, int]:
    """``{pid: ppid}`` of every process."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    text = fh.read()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2:].split()
            if fields[0] != "Z":
                out[int(d)] = int(fields[1])
    return out


def _descendants(root: int) -> set[int]:
    table = _children()
    found, frontier = set(), {root}
    while frontier:
        nxt = {p for p, pp in table.items() if pp in frontier and p not in found}
        found |= nxt
        frontier = nxt
    return found


def _alive(pids: set[int]) -> set[int]:
    table = _children()
    return {p for p in pids if p in table}


def _kill_and_check(argv: list[str], sig: int, min_children: int, wait_s: float,
                    tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               XDG_CACHE_HOME=str(tmp_path / "cache"), RINGING_PROGRESS="0")
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and proc.poll() is None:
            seen |= _descendants(proc.pid)
            if len(_alive(seen)) >= min_children:
                time.sleep(1.0)  # let the workers start their tasks
                seen |= _descendants(proc.pid)
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the run ended before it could be killed"
        assert len(_alive(seen)) >= min_children, f"no workers appeared: {seen}"
        os.kill(proc.pid, sig)
        proc.wait(timeout=GONE_S)
        end = time.monotonic() + GONE_S
        while _alive(seen) and time.monotonic() < end:
            time.sleep(0.2)
        left = _alive(seen)
        assert not left, f"processes left {GONE_S:.0f} s after the kill: {sorted(left)}"
    finally:
        for p in _alive(seen | {proc.pid}):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


SLEEPER = (
    "import sys, time\n"
    "from ringing.runs.executors import execute\n"
    "for _ in execute(time.sleep, [(600.0,)] * 4, executor=sys.argv[1], workers=2):\n"
    "    pass\n"
)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_local_pool_workers_end_with_their_parent(sig: int, tmp_path: Path) -> None:
    _kill_and_check([sys.executable, "-c", SLEEPER, "local"], sig, 2, 60, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_validate_local_leaves_no_process(sig: int, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "ringing", "validate", "--quick", "--workers", "2",
            "--no-figures", "--store", str(tmp_path / "s.sqlite"), "--report",
            str(tmp_path / "report")]
    _kill_and_check(argv, sig, 2, 180, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_ray_leaves_no_process(sig: int, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    _kill_and_check([sys.executable, "-c", SLEEPER, "ray"], sig, 4, 240, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_validate_ray_leaves_no_process(sig: int, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    argv = [sys.executable, "-m", "ringing", "validate", "--quick", "--workers", "2",
            "--executor", "ray", "--no-figures", "--store", str(tmp_path / "s.sqlite"),
            "--report", str(tmp_path / "report")]
    _kill_and_check(argv, sig, 4, 240, tmp_path)
