"""``train_full_batch(compile=...)``: the selection rule, the compiled step on the CPU, and the
fallback when compilation fails (issue 15)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from ringing.cli import main
from ringing.simulate import training
from ringing.simulate.training import (
    BatchedMLP,
    CompileFallbackWarning,
    train_full_batch,
    use_compile,
)

X = np.linspace(0, 1, 32, endpoint=False)
Y = np.sin(2 * np.pi * 2 * X)


def _train(compile: str, steps: int = 4) -> np.ndarray:
    m = BatchedMLP([1, 16, 16, 1], "tanh", [0, 1], device="cpu", dtype="float64")
    return train_full_batch(m, X, Y, steps=steps, lr=1e-2, record_every=2,
                            compile=compile).train_loss


def test_use_compile_rule() -> None:
    assert use_compile("auto", "cuda") and use_compile("auto", torch.device("cuda:1"))
    assert not use_compile("auto", "cpu")
    assert use_compile("on", "cpu") and not use_compile("off", "cuda")
    assert use_compile(True, "cpu") and not use_compile(False, "cuda")
    with pytest.raises(ValueError, match="compile mode"):
        use_compile("yes", "cpu")


def test_compile_failure_falls_back_with_one_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fn: object, **kw: object) -> object:
        def call(*a: object) -> object:
            raise RuntimeError("inductor: no C compiler\nsecond line")
        return call

    monkeypatch.setattr(torch, "compile", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = _train("on")
    fallback = [w for w in caught if issubclass(w.category, CompileFallbackWarning)]
    assert len(fallback) == 1
    msg = str(fallback[0].message)
    assert "\n" not in msg and "no C compiler" in msg and "without it" in msg
    np.testing.assert_array_equal(loss, _train("off"))  # the eager loop, the same numbers


def test_compile_raising_at_wrap_time_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fn: object, **kw: object) -> object:
        raise RuntimeError("dynamo unavailable")

    monkeypatch.setattr(torch, "compile", broken)
    with pytest.warns(CompileFallbackWarning, match="dynamo unavailable"):
        loss = _train("on")
    np.testing.assert_array_equal(loss, _train("off"))


def test_auto_does_not_compile_on_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    called = []
    monkeypatch.setattr(torch, "compile", lambda fn, **kw: called.append(1) or fn)
    _train("auto")
    assert not called
    _train("on")
    assert called == [1]


def test_compiled_step_matches_eager_on_cpu() -> None:
    """The compiled step really compiles here (a fallback would be an error) and trains the same
    networks to float64 rounding."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileFallbackWarning)
        compiled = _train("on")
    np.testing.assert_allclose(compiled, _train("off"), rtol=1e-10, atol=0)


def test_cli_compile_flag(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "spectral-bias", "--width", "8", "--depth", "1", "--steps", "2",
            "--seeds", "1", "--samples", "20", "--frequencies", "1", "2", "--device", "cpu",
            "--json"]
    assert main(argv + ["--compile", "off"]) == 0
    capsys.readouterr()
    assert main(argv + ["--compile", "sometimes"]) == 2
    assert "--compile" in capsys.readouterr().err


@pytest.mark.gpu
def test_cuda_compiled_training_matches_eager() -> None:
    """On CUDA ``compile="auto"`` compiles; float64 losses agree with the eager loop."""
    losses = []
    for mode in ("auto", "off"):
        m = BatchedMLP([1, 64, 64, 1], "relu", [0, 1], device="cuda", dtype="float64")
        with warnings.catch_warnings():
            warnings.simplefilter("error", CompileFallbackWarning)
            losses.append(train_full_batch(m, X, Y, steps=20, lr=1e-3, record_every=5,
                                           compile=mode).train_loss)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-9)
    assert training.use_compile("auto", "cuda")
