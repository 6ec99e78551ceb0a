"""``ringing simulate correlation --resnet-sigma S``: the resnet of seed 002 §3 against the
residual correlation map (eq A.10), from the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from ringing.cli import main  # noqa: E402


def test_resnet_correlation_has_the_eq_a10_column(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "correlation", "relu", "--width", "128", "--depth", "3",
                 "--rho0", "0.3", "--resnet-sigma", "1.0", "--samples", "3", "--pairs", "4",
                 "--device", "cpu", "--json"])
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert d["architecture"] == "resnet" and d["resnet_sigma"] == 1.0
    th, emp, se = (np.asarray(d[k])[0] for k in ("theory", "empirical", "stderr"))
    assert th[0] == 0.3 and emp[0] == pytest.approx(0.3, abs=1e-6)  # float32 inputs
    from ringing.theory.kernels import ResidualLayer, compose

    want = np.asarray(compose([ResidualLayer("relu", 1.0)] * 3, [0.3]))[:, 0]
    assert np.allclose(th, want, rtol=1e-12)
    assert np.all(np.abs(emp - th) <= 6 * se + 0.05)  # width 128: a loose sanity bound


def test_negative_resnet_sigma_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "correlation", "relu", "--width", "16", "--depth", "2",
                 "--rho0", "0.3", "--resnet-sigma", "-1"])
    assert code == 2 and "--resnet-sigma" in capsys.readouterr().err
