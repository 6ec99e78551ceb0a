"""Hostile spec strings: every one parsed or refused (ValueError / exit 2), fast, small, never run.

Spec strings come from :mod:`hostile_grammar`, a grammar larger than the accepted one
(calls, attributes, lambdas, huge literals, power towers, deep nesting, payloads that
would write a sentinel file if they were ever executed).  In-process, each must give an
:class:`~ringing.activations.Activation` or a ``ValueError`` in under 2 s, with the
process's peak memory growing by less than 200 MB over the whole test; ``eval`` and
``exec`` must never be called.  A sample goes through the command line too (exit 0 or
2, one line on stderr, no traceback).
"""

from __future__ import annotations

import builtins
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hostile_grammar import PAYLOADS, SENTINEL, specs
from hypothesis import HealthCheck, given, settings

from ringing.activations import get_activation

ROOT = Path(__file__).resolve().parents[1]
SPEC_SECONDS = 2.0
SPEC_MEMORY = 200 * 2**20


def _rss_peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


_EVAL, _EXEC = builtins.eval, builtins.exec


def _recording(real: Any, calls: list[Any]) -> Any:
    """``real`` (eval or exec), recording every call on source text first (imports pass code
    objects and keep working)."""
    def wrapper(source: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, (str, bytes)):
            calls.append(source)
        return real(source, *args, **kwargs)
    return wrapper


def _ran_user_text(calls: list[Any], spec: str) -> bool:
    """Whether any recorded eval/exec ran the spec's text (libraries eval their own code)."""
    text = spec.strip()
    return any(SENTINEL in str(c) or (len(text) > 2 and text in str(c)) for c in calls)


@pytest.fixture()
def no_eval(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """``eval``/``exec`` of source text recorded (none may be the user's)."""
    calls: list[Any] = []
    monkeypatch.setattr(builtins, "eval", _recording(_EVAL, calls))
    monkeypatch.setattr(builtins, "exec", _recording(_EXEC, calls))
    if os.path.exists(SENTINEL):
        os.remove(SENTINEL)
    return calls


def _resolve(spec: str) -> tuple[str, float]:
    """``("ok"|"refused", seconds)``; any other exception propagates (a failure)."""
    t0 = time.perf_counter()
    try:
        act = get_activation(spec)
        with np.errstate(all="ignore"):
            act.numpy(np.linspace(-3.0, 3.0, 7))
        out = "ok"
    except ValueError as err:
        assert "\n" not in str(err).strip() or str(err).splitlines()[0], spec
        out = "refused"
    return out, time.perf_counter() - t0


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=specs())
def test_generated_specs_parse_or_refuse_fast_and_small(spec: str) -> None:
    calls: list[Any] = []
    builtins.eval, builtins.exec = _recording(_EVAL, calls), _recording(_EXEC, calls)
    try:
        before = _rss_peak()
        _, seconds = _resolve(spec)
    finally:
        builtins.eval, builtins.exec = _EVAL, _EXEC
    assert seconds < SPEC_SECONDS, (spec, seconds)
    assert _rss_peak() - before < SPEC_MEMORY, spec
    assert not _ran_user_text(calls, spec), spec
    assert not os.path.exists(SENTINEL), spec


@pytest.mark.parametrize("spec", PAYLOADS)
def test_payloads_are_refused_and_never_run(spec: str, no_eval: list[Any]) -> None:
    assert _resolve(spec)[0] == "refused"
    assert not _ran_user_text(no_eval, spec)
    assert not os.path.exists(SENTINEL)


# the reproductions, in-process: (spec, a fragment of the one-line message)
REFUSED = [
    ("((((2**64)**64)**64)**64)", "number too large"),
    ("(((((2**64)**64)**64)**64)**64)", "number too large"),
    ("exp(exp(exp(100)))", "number too large"),
    ("+".join(["x"] * 990), "nested deeper"),
    ("exp(" * 150 + "x" + ")" * 150, "nested deeper"),
    ("(" * 300 + "x" + ")" * 300, "nested"),
    ("x**sqrt(-1)", "complex"),
    ("1/x", "x = 0"),
    ("tan(x)", "x = -1.5708"),
    ("1/x**2", "x = 0"),
    ("log(abs(x))", "x = 0"),
    ("exp(1/x)", "x = 0"),
    ("1/(exp(x) - 1)", "x = 0"),
    ("1/(x - 100)", "x = 100"),
    ("sqrt(x)", "not real"),
    ("(-2)**x", "not real"),
    ("abs(x)**0.5", "derivative"),
    ("lrelu(0.2)", "lrelu(slope=0.2)"),
    ("relu(2)", "depend on x"),
    ("lrelu(slope=1, slope=2)", "given twice"),
    ("elu(alpha=1, alpha=1)", "given twice"),
    ("exp(1000)*x", "float64"),
    ("abs(htanh(abs(gelu)))", "nested more than"),
    ("x**(10**6)", "degree"),
    ("-(-" + "9" * 1200 + ") ** 0.5", "non-integer power"),
]


@pytest.mark.parametrize(("spec", "fragment"), REFUSED)
def test_reproductions_are_refused_in_one_line(spec: str, fragment: str) -> None:
    t0 = time.perf_counter()
    with pytest.raises(ValueError) as info:
        get_activation(spec)
    assert time.perf_counter() - t0 < SPEC_SECONDS
    msg = str(info.value)
    assert fragment in msg and "\n" not in msg


@pytest.mark.parametrize("spec", ["softsign", "1/(1 + x**2)", "1/(1 - tanh(x))", "sigmoid",
                                  "x*tanh(log(1+exp(x)))", "1.2*relu(0.8*x + 0.2) - 0.3",
                                  "relu(relu(x))", "hermite(k=200)", "x**1024", "2**1000*x",
                                  "1e-300*x", "sign(x)", "0.5", "selu(scale=0)"])
def test_valid_specs_still_parse(spec: str) -> None:
    """Poles of a piece outside its own region (softsign's 1/(1-x) for x < 0), values that
    only round to zero (1 - tanh x) and large-but-bounded numbers are not refused."""
    get_activation(spec)


def test_constant_activations_map_tensors_to_tensors() -> None:
    import torch

    for spec, value in (("0.5", 0.5), ("selu(scale=0)", 0.0)):
        act = get_activation(spec)
        t = torch.zeros(3, 4)
        out = act.torch(t)
        assert isinstance(out, torch.Tensor) and out.shape == t.shape
        assert torch.all(out == value)
        assert act.numpy(np.zeros((2, 5))).shape == (2, 5)


def test_sign_derivative_is_zero_almost_everywhere() -> None:
    act = get_activation("sign(x)")
    assert act.diff_expr() == 0
    np.testing.assert_array_equal(act.numpy_derivative(np.array([-1.0, 2.0])), [0.0, 0.0])


CLI_SAMPLE = ["((((2**64)**64)**64)**64)", "1/x", "lrelu(0.2)", "x**sqrt(-1)",
              "exp(1/x)", "+".join(["x"] * 990), PAYLOADS[0], "tanh(x)**2 - 0.5"]


def _run_cli(*argv: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ringing", *argv], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)
    return proc, time.perf_counter() - t0


def test_cli_sample_exit_0_or_2_with_one_line() -> None:
    """Through the command line, against the start-up of the same command on ``relu``."""
    base, base_s = _run_cli("gauss", "relu", "--json")
    assert base.returncode == 0 and base.stderr == ""
    for spec in CLI_SAMPLE:
        proc, secs = _run_cli("gauss", spec, "--json")
        assert proc.returncode in (0, 2), (spec, proc.stderr)
        assert "Traceback" not in proc.stderr
        if proc.returncode == 2:
            assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
        else:
            assert proc.stderr == ""
        assert secs < base_s + 5.0, (spec, secs, base_s)
    assert not os.path.exists(SENTINEL)
