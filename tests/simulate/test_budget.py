"""The simulation budget: sizes, estimates that bound the measured peak, walks that chunk down."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ringing.simulate import budget
from ringing.simulate.budget import BudgetError, fit_chunk_bytes, mlp_estimate, parse_size

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "value"), [("8G", 8 << 30), ("500M", 500 << 20),
                                             ("2e9", 2e9), ("1.5GiB", 1.5 * 2**30),
                                             ("3GB", 3e9), ("64k", 64 << 10)])
def test_parse_size(text: str, value: float) -> None:
    assert parse_size(text) == int(value)


@pytest.mark.parametrize("text", ["", "-1G", "0", "inf", "nan", "8X", "G", "1e999"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="max_memory"):
        parse_size(text)


def test_estimate_is_O1_in_depth_and_names_depth() -> None:
    est = mlp_estimate(width=64, depth=10**12, d_in=64, d_out=64, rows=2, itemsize=4)
    assert est.params == ("depth",) and est.bytes > 1e15
    with pytest.raises(BudgetError) as info:
        budget.check(est, max_memory=1 << 30)
    assert "reduce depth, or raise max_memory" in str(info.value)
    assert info.value.advice(lambda p: "--" + p).endswith("reduce --depth, or raise --max_memory")


def test_a_layer_the_network_streams_counts_one_row_block() -> None:
    # the network streams a Gaussian layer over STREAM_FRACTION of the memory it sees; the
    # estimate follows the same rule (one rule, budget.streamed)
    avail = 20 << 30
    assert budget.streamed(65536, 65536, 4, "gaussian", avail)
    assert not budget.streamed(65536, 65536, 4, "orthogonal", avail)
    assert not budget.streamed(1024, 1024, 4, "gaussian", avail)
    est = mlp_estimate(width=65536, depth=2, d_in=65536, d_out=65536, rows=2, itemsize=4,
                       available=avail)
    assert est.parts["weights"] < 2 * budget.BLOCK_BYTES
    assert "streamed" in est.notes["weights"]
    whole = mlp_estimate(width=65536, depth=2, d_in=65536, d_out=65536, rows=2, itemsize=4,
                         weights="orthogonal", available=avail)
    assert whole.parts["weights"] > 4 * 65536 * 65536


def test_width_65536_weights_are_16_gib_one_layer_at_a_time() -> None:
    est = mlp_estimate(width=65536, depth=2, d_in=65536, d_out=65536, rows=2, itemsize=4)
    assert est.parts["weights"] == 4 * 65536 * 65536  # (65536 + 1) * 65536 would be held
    assert est.params == ("width",)


def test_chunk_comes_down_to_what_fits() -> None:
    per, fixed = 100 << 20, 300 << 20
    assert fit_chunk_bytes(fixed=fixed, per_direction=per, directions=8, chunk_bytes=1 << 29,
                           max_memory=fixed + 3 * per) == 3 * per
    assert fit_chunk_bytes(fixed=fixed, per_direction=per, directions=8, chunk_bytes=1 << 29,
                           max_memory=1 << 40) == 1 << 29
    with pytest.raises(BudgetError, match="one direction"):
        fit_chunk_bytes(fixed=fixed, per_direction=per, directions=8, chunk_bytes=1 << 29,
                        max_memory=fixed + per // 2)


def test_walk_results_do_not_depend_on_the_chunk_the_budget_picks() -> None:
    from ringing.simulate.walks import WalkConfig, _direction_bytes, walk, walk_chunk_bytes

    cfg = WalkConfig(activation="tanh", depth=2, width=32, points=16, directions=4,
                     device="cpu", dtype="float64")
    one = _direction_bytes(cfg, 8)
    limit = int(budget.RUNTIME_OVERHEAD + 3 * 8 * 32 * 32 + 1.5 * one)
    assert one <= walk_chunk_bytes(cfg, limit) < 2 * one  # one direction per chunk
    whole = walk(cfg, show_progress=False)
    small = walk(cfg, show_progress=False, max_memory=limit)
    np.testing.assert_array_equal(whole.unit_power, small.unit_power)


@pytest.mark.slow
def test_estimate_bounds_the_measured_peak() -> None:
    """One case of benchmarks/budget_rss.py: peak-RSS growth of a run <= its estimate."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import budget_rss
    finally:
        sys.path.pop(0)
    argv = ["simulate", "correlation", "relu", "--width", "2048", "--depth", "3", "--rho0",
            "0.5", "--weights", "orthogonal", "--samples", "1"]
    est = budget_rss.estimate(argv)
    m = budget_rss.measure(argv)
    assert m["rc"] == 0
    assert m["peak"] - m["base"] <= est
