"""Inverse design (ringing.theory.design): DKS conditions, NLC budgets, statuses, errors."""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringing.activations import get_activation
from ringing.theory.design import (
    Initialisation,
    Parametrised,
    Target,
    Transform,
    design,
    evaluate,
    transformed_spec,
)
from ringing.theory.hermite import gaussian_summary
from ringing.theory.nlc import nlc_tau

DKS_DEPTH = 100


def _gauss_mp(f: object) -> mpmath.mpf:
    """E f(z), z ~ N(0, 1), by mpmath quadrature at 30 digits (independent of the engine)."""
    with mpmath.workdps(30):
        return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) \
            / mpmath.sqrt(2 * mpmath.pi)


@pytest.mark.parametrize("base", ["softplus", "tanh"])
@pytest.mark.parametrize("zeta", [1.5, 2.0, 5.0])
def test_dks_conditions_met_to_1e10(base: str, zeta: float) -> None:
    """Must-show 1 (theory): Q(1) = 1, Q'(1) = 1, C(0) = 0, composed C'(1) = ζ over 100 layers.

    Checked three ways: the solver's model, the public engine on the spec string, and
    30-digit mpmath quadrature of the four DKS conditions.
    """
    res = design(Transform(base, free=("d", "t")), DKS_DEPTH, ["qslope=1", f"cslope={zeta}"])
    assert res.met
    sol = res.chosen
    assert sol is not None and sol.engine_values is not None
    assert abs(sol.model_values[0] - 1) < 1e-10 and abs(sol.model_values[1] - zeta) < 1e-10
    assert abs(sol.engine_values[0] - 1) < 1e-10 and abs(sol.engine_values[1] - zeta) < 1e-10
    p = sol.parameters
    c, d, t, b = (mpmath.mpf(p[k]) for k in ("c", "d", "t", "b"))
    tau = {"softplus": lambda u: mpmath.log1p(mpmath.exp(u)), "tanh": mpmath.tanh}[base]
    dtau = {"softplus": lambda u: 1 / (1 + mpmath.exp(-u)),
            "tanh": lambda u: 1 / mpmath.cosh(u) ** 2}[base]

    def phi(z: mpmath.mpf) -> mpmath.mpf:
        return c * tau(d * z + t) + b

    with mpmath.workdps(30):
        mean = _gauss_mp(phi)
        q1 = _gauss_mp(lambda z: phi(z) ** 2)
        qslope = _gauss_mp(lambda z: (z * z - 1) * phi(z) ** 2) / 2
        cslope = _gauss_mp(lambda z: (c * d * dtau(d * z + t)) ** 2) ** DKS_DEPTH
    assert abs(mean) < 1e-10          # C(0) = (E phi)^2 = 0
    assert abs(q1 - 1) < 1e-10        # Q(1) = 1
    assert abs(qslope - 1) < 1e-10    # Q'(1) = 1
    assert abs(cslope - zeta) < 1e-10  # (C'(1))^100 = zeta


def test_dks_tanh_has_mirror_pair_softplus_unique() -> None:
    """tanh is odd: (t, b) -> (-t, -b) is a second solution, reported as "many"."""
    r = design(Transform("tanh", free=("d", "t")), DKS_DEPTH, ["qslope=1", "cslope=2"])
    assert r.status == "many" and len(r.solutions) == 2
    (d0, t0), (d1, t1) = ((s.free["d"], s.free["t"]) for s in r.solutions)
    assert d0 == pytest.approx(d1, rel=1e-9) and t0 == pytest.approx(-t1, rel=1e-9)
    assert r.chosen is not None and r.chosen.free["t"] > 0  # the documented choice
    assert any("odd" in n for n in r.notes)
    s = design(Transform("softplus", free=("d", "t")), DKS_DEPTH, ["qslope=1", "cslope=2"])
    assert s.status == "unique"


def _lrelu_nlc_sq(a: float) -> float:
    """NLC_τ(1)² of leaky ReLU, closed form: ((1+a²)/2) / ((1+a²)/2 − (1−a)²/(2π))."""
    e2 = (1 + a * a) / 2
    return e2 / (e2 - (1 - a) ** 2 / (2 * math.pi))


def test_lrelu_slope_for_nlc_2_at_depth_50() -> None:
    """Must-show 2 (theory): the slope's NLC_τ^49 = 2, against the closed form."""
    r = design(Parametrised("lrelu", "slope"), 50, ["nlc=2"])
    assert r.status == "unique" and r.met
    assert r.chosen is not None
    a = r.chosen.parameters["slope"]
    assert _lrelu_nlc_sq(a) ** 24.5 == pytest.approx(2.0, rel=1e-12)
    assert r.chosen.activation == f"lrelu(slope={a!r})"


def test_lrelu_mirror_slopes_are_many() -> None:
    """NLC of slope a equals that of 1/a: on [0, 2] both roots appear, with their range."""
    r = design(Parametrised("lrelu", "slope", p_range=(0.0, 2.0)), 50, ["nlc=2"])
    assert r.status == "many" and len(r.solutions) == 2
    lo, hi = r.range["slope"]  # type: ignore[index]
    assert lo * hi == pytest.approx(1.0, rel=1e-10)
    assert r.chosen is not None and r.chosen.parameters["slope"] == pytest.approx(lo)


def test_nlc_budget_largest_d_tanh_and_homogeneous() -> None:
    """Must-show 3 (theory): largest d with NLC^48 <= 3 meets it with equality (tanh); relu,
    whose NLC does not depend on d (positive homogeneity), is infeasible at t = 0."""
    r = design(Transform("tanh"), 49, ["nlc<=3"])
    assert r.status == "feasible" and r.chosen is not None and r.intervals is not None
    d = r.chosen.parameters["d"]
    assert r.intervals[-1][1] == d
    assert nlc_tau("tanh", d) ** 48 == pytest.approx(3.0, rel=1e-11)  # NLC_tanh(d)
    assert nlc_tau("tanh", d * 1.01) ** 48 > 3.0
    z = design(Transform("relu"), 49, ["nlc<=3"])
    assert z.status == "infeasible" and z.chosen is None and not z.met
    assert "does not vary" in z.method


def test_initialisation_cslope_closed_form() -> None:
    """σ_b with P'(1)^L = ζ: σ_b² = ‖φ'‖²/ζ^(1/L) − ‖φ‖² (seed 002 eq 2.3 + Stein), σ_w = 1."""
    g = gaussian_summary("tanh")
    zeta, depth = 0.5, 20
    r = design(Initialisation("tanh"), depth, [f"cslope={zeta}"])
    assert r.status == "unique" and r.chosen is not None
    expect = math.sqrt(g.derivative_norm_sq / zeta ** (1 / depth) - g.norm_sq)
    assert r.chosen.sigma_b == pytest.approx(expect, rel=1e-12)
    assert any("ratio" in n for n in r.notes)


@pytest.mark.parametrize("family, target", [
    (Initialisation("tanh"), "cvalue@0.5=0.9"),
    (Transform("tanh"), "cdistance=0.05"),
    (Initialisation("tanh"), "bound=3"),
])
def test_map_targets_agree_with_engine(family: object, target: str) -> None:
    """The solver's Mehler model and the public engine (compose, theorem_bound) agree."""
    r = design(family, 10, [target])  # type: ignore[arg-type]
    assert r.status in ("unique", "many") and r.chosen is not None
    assert r.chosen.engine_values is not None
    tg = Target.parse(target)
    assert r.chosen.engine_values[0] == pytest.approx(tg.value, abs=1e-9)
    assert r.met


def test_blueshift_target() -> None:
    """Seed 000's predicted last-layer centroid, solved through the engine (black box)."""
    r = design(Initialisation("tanh", "sigma_w", s_range=(0.5, 3.0)), 3, ["blueshift=1.3"],
               grid=9)
    assert r.chosen is not None
    assert r.chosen.engine_values is not None
    assert r.chosen.engine_values[0] == pytest.approx(1.3, rel=1e-9)


def test_transform_spec_round_trip_and_normalised() -> None:
    """transformed_spec re-parses to an activation with E φ = 0, E φ² = 1 (any base spelling)."""
    for base in ("tanh", "lrelu(slope=0.2)", "x*tanh(softplus(x))", "even tanh"):
        fam = Transform(base, t=0.3, d=0.7)
        real = fam.realise(np.array([0.7]))
        g = gaussian_summary(real["activation"])
        assert abs(g.mean) < 1e-12 and g.norm_sq == pytest.approx(1.0, abs=1e-12)
    assert transformed_spec("tanh", 2.0, 1.5, -0.25, -0.5) == \
        "2.0*(tanh(1.5*x - 0.25)) - 0.5"


@settings(max_examples=15, deadline=None)
@given(st.floats(0.2, 3.0), st.floats(-1.5, 1.5))
def test_transform_model_equals_engine(d: float, t: float) -> None:
    """Metamorphic: the solver's batched statistics equal the engine on the realised spec."""
    fam = Transform("softplus", free=("d", "t"))
    real = fam.realise(np.array([d, t]))
    tg = [Target("qslope", 1.0), Target("cslope", 2.0), Target("nlc", 2.0)]
    from ringing.theory.design import _model

    counter = {"model_batches": 0, "candidates": 0, "engine_calls": 0}
    model = _model(fam, tg, 7, np.array([[d, t]]), True, counter)[0]
    eng = evaluate(real["activation"], 7, tg)
    np.testing.assert_allclose(model, eng, rtol=1e-11)


@pytest.mark.parametrize("bad, match", [
    ("nlc=0.5", "impossible"),
    ("cslope=0.5", "impossible"),
    ("cvalue=0.5", "rho0"),
    ("cvalue@2=0.5", "rho0"),
    ("foo=1", "unknown target"),
    ("nlc~2", "QUANTITY"),
    ("cvalue@0.5=1.5", "correlation"),
])
def test_bad_targets_one_line(bad: str, match: str) -> None:
    with pytest.raises(ValueError, match=match) as e:
        design(Transform("tanh"), 10, [bad])
    assert "\n" not in str(e.value)


def test_bad_counts_and_families() -> None:
    with pytest.raises(ValueError, match="underdetermined"):
        design(Transform("tanh", free=("d", "t")), 10, ["nlc=2"])
    with pytest.raises(ValueError, match="overdetermined"):
        design(Transform("tanh"), 10, ["nlc=2", "cslope=2"])
    with pytest.raises(ValueError, match="activation only"):
        design(Initialisation("tanh"), 10, ["nlc=2"])
    with pytest.raises(ValueError, match="no free numeric parameter"):
        Parametrised("lrelu", "alpha")
    with pytest.raises(ValueError, match="positive"):
        Transform("tanh", d=-1.0)
    with pytest.raises(ValueError, match="depth"):
        design(Transform("tanh"), 0, ["nlc=2"])


def test_none_reports_attained_range() -> None:
    r = design(Parametrised("elu", "alpha"), 50, ["nlc=2"])
    assert r.status == "none" and r.chosen is None and r.attained is not None
    assert r.attained[0][0] > 2.0


def test_cli_design_json(capsys: pytest.CaptureFixture[str]) -> None:
    from ringing.cli import main

    assert main(["design", "lrelu", "--depth", "50", "--free", "slope", "--target", "nlc=2",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "unique" and out["met"]
    assert out["chosen"]["parameters"]["slope"] == pytest.approx(0.6473521455873, rel=1e-9)
    assert main(["design", "tanh", "--depth", "5", "--target", "nlc=0.5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
    assert main(["design", "tanh", "--depth", "5", "--free", "d", "--range", "t=0:1",
                 "--target", "nlc=2"]) == 2


def test_spec_helpers_dont_evaluate() -> None:
    """The spec rewrite goes through ast and the ordinary parser (no eval)."""
    with pytest.raises(ValueError):
        get_activation(transformed_spec("__import__('os')", 1.0, 1.0, 0.0, 0.0))


def test_parametrised_affine_batch_equals_registry_instances() -> None:
    """The affine fast path (φ_p = A + p·B) equals one registry instance per candidate."""
    fam = Parametrised("elu", "alpha")
    p = np.array([[0.3], [1.0], [2.5]])
    fast = fam.stats(p, True)
    assert fam._affine
    fam._affine = False
    slow = fam.stats(p, True)
    for name in ("mean", "q1", "d1", "z2", "h"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-13,
                                   atol=1e-15)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["nlc", "qslope", "cslope", "cvalue", "cdistance", "bound", "blueshift"]),
       st.sampled_from(["=", "<=", ">="]), st.floats(1.0, 50.0), st.floats(-1.0, 1.0))
def test_target_label_round_trip(q: str, op: str, v: float, r: float) -> None:
    """Target.parse(label) gives the target back (the CLI form is the API's)."""
    value = max(-1.0, min(1.0, r)) if q == "cvalue" else v
    if q == "nlc" and value == 1.0 and op == "=":
        return
    t = Target(q, value, op, r if q == "cvalue" else None)
    assert Target.parse(t.label()) == t
