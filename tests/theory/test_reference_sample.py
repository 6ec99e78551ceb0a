"""The engine against a sample of the independent 36-digit reference
(benchmarks/reference_covariance_sigma.json, written with mpmath only, see
benchmarks/covariance_reference.py): every numeric-engine activation the benchmark
checks, 11 ρ per σ including ±(1 − 1e-10), at 1e-12 relative to max(1, |C|)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ringing.theory.gauss_kernel import covariance_result

REF = Path(__file__).resolve().parents[2] / "benchmarks" / "reference_covariance_sigma.json"


@pytest.fixture(scope="module")
def ref() -> dict:
    return json.loads(REF.read_text())


@pytest.mark.parametrize("act", ["softsign", "even_tanh", "htanh", "elu", "selu_seed004"])
def test_engine_against_reference_sample(ref: dict, act: str) -> None:
    grid = np.array(ref["rho"], dtype=float)
    for sig in (0.5, 1.0, 3.0):
        key = f"{act}@{sig:g}"
        idx = ref["meta"][key].get("rho_index", list(range(grid.size)))
        assert len(idx) == grid.size  # every ρ of the grid
        pick = sorted({0, 1, len(idx) - 2, len(idx) - 1, *range(0, len(idx), 25)})
        want = np.array([float(ref["values"][key][i]) for i in pick])
        got = covariance_result(act, grid[[idx[i] for i in pick]], sigma=sig).value
        scale = max(1.0, float(np.max(np.abs(want))))
        assert np.max(np.abs(got - want)) / scale < 1e-12, key
