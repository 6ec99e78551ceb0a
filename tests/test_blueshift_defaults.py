"""``ringing blueshift`` and ``ringing simulate walk`` agree by default (issue 20, must-show 3).

The prediction (wide-limit kernel recursion, Ali Mehmeti-Göpel, Hartmann & Wand, Ringing
ReLUs, eq 1, §3.2-3.4, B.2-B.3) and the measurement are both run through the command line
with *their own defaults* for everything that defines the walk (σ_w, σ_b, radius, path,
points, fit range); the simulation runs at its default size too (the must-show command as typed).
Every layer's predicted spectral centroid and fractal exponent h must lie inside the
simulation's 95% interval.  With the old default (``--approximation hermite``, a degree-24
truncation of relu) layer 1's h was 4.79 against 2.16 measured; with the old fit range of the
prediction (all k up to T/2 instead of the simulation's min(25, T/2)) it was 2.04.

Size: the walk's defaults, width 128, 4 networks x 8 directions (intervals over networks,
i.e. population intervals); a few seconds.  At this width the finite-width bias of the centroid
(O(L / N)) is below the interval's half-width at every layer.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from ringing.cli import build_parser, main


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _defaults(argv: list[str]) -> dict:
    return vars(build_parser().parse_args(argv))


def test_walk_defining_defaults_match() -> None:
    """The flags that define the walk have the same defaults in both commands (relu)."""
    from ringing.activations import get_activation
    from ringing.spectral import default_kmax
    from ringing.theory.harmonics import default_weight_scale

    b = _defaults(["blueshift", "relu"])
    s = _defaults(["simulate", "walk", "relu", "--depth", "10", "--width", "8"])
    assert b["path"] == s["path"] == "loop"
    assert b["points"] == s["points"]
    assert b["radius"] == [0.5] and s["radius"] is None and s["relative_radius"] is None
    sw_b = b["sigma_w"] if b["sigma_w"] is not None \
        else default_weight_scale(get_activation("relu"))
    from ringing.cli_support import default_sigma_w

    sw_s = s["sigma_w"] if s["sigma_w"] is not None else default_sigma_w("relu", s["norm"])
    assert sw_b == pytest.approx(sw_s, rel=1e-12)
    assert b["sigma_b"] == 0.0  # the walk simulation has no biases
    assert b["kmin"] == 1 and b["kmax"] is None and s["kmax"] is None
    assert b["approximation"] is None  # exact on a loop
    assert default_kmax(b["points"]) == 25


def test_blueshift_agrees_with_simulate_walk_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    pred = _run(capsys, ["blueshift", "relu", "--depth", "10", "--no-continuous"])
    # exactly the must-show's command: every simulation setting at its default (width 128,
    # 4 networks x 8 directions, seed 0)
    sim = _run(capsys, ["simulate", "walk", "relu", "--depth", "10"])
    assert sim["config"]["networks"] >= 2  # population intervals by default
    assert pred["approximation"] == "exact"
    assert pred["fit_range"] == sim["fit_range"]
    c_pred = np.asarray(pred["spectral_centroid"], dtype=float)
    h_pred = np.asarray(pred["fractal_exponent"], dtype=float)
    c_ci = np.asarray(sim["spectral_centroid_ci"], dtype=float)
    h_ci = np.asarray(sim["fractal_exponent_ci"], dtype=float)
    assert c_pred.shape == h_pred.shape == (10,)
    bad_c = [(i + 1, c_pred[i], tuple(c_ci[i])) for i in range(10)
             if not c_ci[i, 0] <= c_pred[i] <= c_ci[i, 1]]
    bad_h = [(i + 1, h_pred[i], tuple(h_ci[i])) for i in range(10)
             if not h_ci[i, 0] <= h_pred[i] <= h_ci[i, 1]]
    assert not bad_c, f"predicted centroid outside the simulation's interval: {bad_c}"
    assert not bad_h, f"predicted h outside the simulation's interval: {bad_h}"
    # the claim has teeth: the intervals are narrow enough to reject the truncated prediction
    trunc = _run(capsys, ["blueshift", "relu", "--depth", "10", "--no-continuous",
                          "--approximation", "hermite"])
    assert not h_ci[0, 0] <= trunc["fractal_exponent"][0] <= h_ci[0, 1]
    assert "drops" in trunc["method"] and trunc["hermite_tail"][0] > 1e-4


def test_hermite_tail_closed_form() -> None:
    """relu truncated at degree 1 keeps ĥ_0² + ĥ_1² = 1/(2π) + 1/4 of E relu² = 1/2 (any
    variance: relu is homogeneous); a cubic is kept whole at degree 3."""
    from ringing.theory.harmonics import hermite_tail

    np.testing.assert_allclose(hermite_tail("relu", 1, [1.0, 4.0]), 0.5 - 1 / np.pi,
                               rtol=1e-10)
    assert float(hermite_tail("polynomial(coeffs=[0, 1, 0.3, -0.1])", 3, 2.0)) < 1e-12
    t = hermite_tail("relu", 24, 1.0)
    assert 0 < float(t) < float(hermite_tail("relu", 8, 1.0))
