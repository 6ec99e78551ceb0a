"""``rho_max_profile`` (seed 002 App. A.1): max over depth of the *minimum* over inputs of
P_l∘…∘P_1, against a dense grid over all of [−1, 1] computed here."""

from __future__ import annotations

import numpy as np

from ringing.theory.convexity import rho_max_profile
from ringing.theory.kernels import compose, critical_layer


def test_rho_max_profile_is_a_max_of_minima() -> None:
    layers = [critical_layer("erf")] * 6
    rho = np.linspace(-1.0, 1.0, 801)
    comp = np.asarray(compose(layers, rho))[1:]  # (L, grid)
    want = np.maximum.accumulate(comp.min(axis=1))
    got = rho_max_profile(layers, points=401)
    # the profile's grid on [-1, 0] is coarser: it may only sit above the dense minimum
    assert np.all(got >= want - 1e-12)
    assert np.all(got - want <= 1e-3)
    assert np.all(got < 0.9)  # far from the max over inputs (1 at rho = 1)


# ------------------------------------------------------------ deep ordered phase (issue 12)

import mpmath as mp  # noqa: E402
import pytest  # noqa: E402
from test_engine_extremes import _erf, _lrelu, _relu  # noqa: E402

from ringing.theory.convexity import one_minus_rho_max_profile, theorem2_study  # noqa: E402
from ringing.theory.kernels import Layer  # noqa: E402


def _mp_gap_max(cov: object, sb2: float, depth: int, points: int) -> list:
    """1 − ρ_max(L) = min_{l ≤ L} max_{ρ0 ∈ grid} (1 − P^l(ρ0)) at 80 digits (σ_w = 1)."""
    with mp.workdps(80):
        c1 = cov(mp.mpf(1))  # type: ignore[operator]
        rs = [1 - (1 - mp.mpf(float(g))) for g in np.linspace(-1.0, 0.0, points)]
        best, out = mp.inf, []
        for _ in range(depth):
            rs = [(sb2 + cov(r)) / (sb2 + c1) for r in rs]  # type: ignore[operator]
            best = min(best, max(1 - r for r in rs))
            out.append(best)
        return out


@pytest.mark.parametrize("spec, cov, sb", [
    ("relu", _relu, 0.5), ("erf", _erf, 0.5), ("lrelu(slope=0.2)", _lrelu, 0.4),
])
def test_one_minus_rho_max_carried_as_a_gap(spec: str, cov: object, sb: float) -> None:
    """In the deep ordered phase 1 − ρ_max falls far below 1e-16 (1.6e-36-ish for relu at
    depth 200); carried as a gap it keeps ~1e-10 relative accuracy, where 1 − ρ_max from
    ρ_max rounds to 0 and the theorem's right-hand side with it."""
    layers = [Layer(spec, 1.0, sb)] * 200
    got = one_minus_rho_max_profile(layers, points=5)
    want = _mp_gap_max(cov, sb * sb, 200, 5)
    assert float(want[-1]) < 1e-17  # below the resolution of ρ near 1 (1.1e-16)
    rel = max(abs(float((g - w) / w)) for g, w in zip(got, want, strict=True))
    assert rel < 1e-9
    st = theorem2_study(layers, points=5)
    np.testing.assert_array_equal(st["one_minus_rho_max"], got)
    assert np.all(st["rhs_stated"] > 0) and np.all(np.isfinite(st["ratio_stated"]))
