"""Claims of the inverse-design solver (issue 19, :mod:`ringing.theory.design`).

One family of claims per design family:

* ``design/dks/...`` — DKS's setting (Martens et al. 2021, "Rapid training of deep neural
  networks without skip connections or normalization layers using Deep Kernel Shaping", §4):
  the transform c·φ(d·x + t) + b of softplus and tanh with per-layer Q(1) = 1, Q'(1) = 1,
  C(0) = 0 and composed C'(1) = ζ over 100 layers; theory to 1e-10 and a width-1024
  simulation of the composed correlation map.
* ``design/nlc_budget/...`` — seed 004 §5 / App. C: for each Table 1 activation the transform
  with E φ = 0, Q φ = 1 and the largest d with NLC_τ^48 ≤ 3 (t = 0).
* ``design/lrelu_nlc/...`` — the leaky-ReLU slope with NLC_τ^(L−1) = 2 at depth 50: the
  closed form, and the batchnorm network's empirical NLC (seed 004 §G).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ringing.validate.compare import compare_closed_form, compare_simulation
from ringing.validate.core import Claim, Outcome

CLAIMS: list[Claim] = []

#: DKS chain length and the ζ values of issue 19's must-show 1.
DKS_DEPTH = 100
DKS_ZETAS = (1.5, 2.0, 5.0)
#: The eight activations of seed 004 Table 1 (registry specs).
TABLE1 = ("relu", "selu_seed004", "tanh", "sigmoid", "even_tanh", "gaussian", "square",
          "odd_square")


def dks_design(base: str, zeta: float) -> Any:
    """The DKS transform of ``base`` for the composed C'(1) = ζ over :data:`DKS_DEPTH` layers."""
    from ringing.theory.design import Transform, design

    return design(Transform(base, free=("d", "t")), DKS_DEPTH, ["qslope=1", f"cslope={zeta}"])


def claim_dks_theory(base: str, zeta: float) -> Outcome:
    """DKS conditions met to 1e-10 by the public engine on the designed spec.

    Q(1) = 1 and C(0) = 0 are E φ² = 1 and E φ = 0 (:func:`ringing.theory.hermite.
    gaussian_summary` of the spec string); Q'(1) and the composed C'(1) are the engine values
    of :func:`ringing.theory.design.evaluate`.
    """
    from ringing.theory.hermite import gaussian_summary

    res = dks_design(base, zeta)
    if res.chosen is None or res.chosen.engine_values is None:
        return Outcome("fail", reason=f"no DKS solution found ({res.status})")
    g = gaussian_summary(res.chosen.activation)
    errs = {"Q(1)": abs(g.norm_sq - 1.0), "C(0)": g.mean**2,
            "Q'(1)": abs(res.chosen.engine_values[0] - 1.0),
            "C'(1)": abs(res.chosen.engine_values[1] - zeta)}
    worst = max(errs.values())
    details = {"activation": res.chosen.activation, "errors": errs, "status": res.status,
               "solutions": len(res.solutions), "parameters": res.chosen.parameters}
    ok = worst <= 1e-10
    return Outcome("pass" if ok else "fail", theory=res.chosen.engine_values[1], paper=None,
                   tolerance="every DKS condition to 1e-10 (engine re-evaluation)",
                   reason="" if ok else f"worst condition error {worst:.3g}", details=details)


CLAIMS += [Claim(f"design/dks/{base}/zeta{zeta:g}",
                 f"the DKS transform of {base} (100 layers, C'(1) = {zeta:g}) meets Q(1) = 1, "
                 "Q'(1) = 1, C(0) = 0 and the composed C'(1) to 1e-10",
                 "DKS (Martens et al. 2021) §4; seed 004 App. C", claim_dks_theory,
                 {"base": base, "zeta": zeta}, cost=0.5)
           for base in ("softplus", "tanh") for zeta in DKS_ZETAS]


def dks_finite_width_error(zeta: float, depth: int, width: int) -> float:
    """Allowance for the O(1/N) bias of the simulated correlation after ``depth`` layers.

    The sample correlation of N Gaussian pairs is biased by −ρ(1−ρ²)/(2N) (Fisher 1915),
    |ρ(1−ρ²)| ≤ 2/(3√3); one such bias per layer, each carried to the output by the rest
    of the composed map, whose slope on [0, 1] is at most its slope at 1, ≤ ζ (convex map
    with non-negative coefficients, seed 002 eq 2.4).
    """
    return zeta * depth * (2.0 / (3.0 * math.sqrt(3.0))) / (2.0 * width)


def claim_dks_simulation(base: str, zeta: float, width: int, seeds: int, n_pairs: int,
                         rho0: tuple[float, ...] = (0.2, 0.5, 0.8), device: str = "cpu") -> Outcome:
    """The designed DKS network (no normalisation) follows the composed C map at width N.

    Network: 101 linear layers (the first applies the identity, then 100 copies of φ),
    σ_w = 1, σ_b = 0, no normalisation (DKS's setting; Q(1) = 1 keeps q at 1).  Theory:
    :func:`ringing.theory.kernels.compose` of the engine's map.  Per ρ_0 the seeds' output
    correlations are compared with :func:`compare_simulation` (4·stderr plus
    :func:`dks_finite_width_error`); the outcome reports the worst ρ_0.
    """
    from ringing.simulate.measure import measure_correlations
    from ringing.simulate.networks import NetworkConfig
    from ringing.theory.kernels import Layer, compose

    res = dks_design(base, zeta)
    if res.chosen is None:
        return Outcome("fail", reason=f"no DKS solution found ({res.status})")
    spec = res.chosen.activation
    cfg = NetworkConfig(width=width, depth=DKS_DEPTH + 1, activation=spec, norm="none")
    r0 = np.asarray(rho0, dtype=float)
    sim = measure_correlations(cfg, r0, seeds=range(seeds), n_pairs=n_pairs, device=device,
                               dtype="float32", show_progress=False)
    theory = compose([Layer("identity"), *[Layer(spec)] * DKS_DEPTH], r0)[-1]
    fwe = dks_finite_width_error(zeta, DKS_DEPTH, width)
    outs = [compare_simulation(float(theory[i]), sim.per_seed[:, i, -1], finite_width_error=fwe,
                               what=f"rho_100(rho_0={r0[i]:g})") for i in range(r0.size)]
    worst = max(range(r0.size), key=lambda i: abs(outs[i].details["abs_diff"]) /
                (4 * outs[i].details["stderr"] + fwe))
    out = outs[worst]
    out.details.update(activation=spec, rho0=r0.tolist(), theory_all=theory.tolist(),
                       simulation_all=sim.mean[:, -1].tolist(),
                       stderr_all=sim.stderr[:, -1].tolist(),
                       verdicts=[o.verdict for o in outs])
    if any(o.verdict != "pass" for o in outs):
        out.verdict = "fail"
        out.reason = "; ".join(o.reason for o in outs if o.reason)
    return out


CLAIMS += [Claim(f"design/dks/{base}/simulation",
                 f"the width-1024 DKS network of {base} (100 layers, C'(1) = 2) follows the "
                 "composed correlation map",
                 "DKS (Martens et al. 2021) §4; seed 002 eq 2.3", claim_dks_simulation,
                 {"base": base, "zeta": 2.0, "width": 1024, "seeds": 8, "n_pairs": 4},
                 {"seeds": 4, "n_pairs": 2}, kind="simulation", cost=20.0,
                 requires=("torch",))
           for base in ("softplus", "tanh")]


def nlc_budget_row(base: str, depth: int = 49, budget: float = 3.0, t: float = 0.0
                   ) -> dict[str, Any]:
    """The transform with E φ = 0, Q φ = 1 and the largest d with NLC^(depth−1) ≤ budget.

    Returns the design status, (c, d, t, b), the achieved NLC power (engine) and, for an
    infeasible activation, the range the NLC power attains over d ∈ [0.01, 10].
    """
    from ringing.theory.design import Transform, design

    res = design(Transform(base, t=t), depth, [f"nlc<={budget}"])
    row: dict[str, Any] = {"activation": base, "t": t, "status": res.status,
                           "attained": res.attained}
    if res.chosen is not None:
        row.update(res.chosen.parameters, spec=res.chosen.activation,
                   nlc_power=(res.chosen.engine_values or res.chosen.model_values)[0])
    return row


def claim_nlc_budget(base: str) -> Outcome:
    """Largest d with NLC_τ(1)^48 ≤ 3: met with equality at d (engine), exceeded just above it;
    or infeasible with the NLC power above 3 over the whole searched range of d."""
    from ringing.theory.nlc import nlc_tau_power

    row = nlc_budget_row(base)
    if row["status"] == "feasible":
        d = row["d"]
        above = nlc_tau_power(f"{base}({d * 1.001!r}*x)", 49)
        ok = abs(row["nlc_power"] - 3.0) <= 1e-9 and above > 3.0
        return Outcome("pass" if ok else "fail", theory=row["nlc_power"], tolerance=
                       "NLC^48 = 3 at the largest d to 1e-9, > 3 at 1.001 d",
                       reason="" if ok else f"NLC^48 = {row['nlc_power']} at d, {above} above",
                       details=row)
    lo = row["attained"][0][0] if row["attained"] else float("nan")
    ok = row["status"] == "infeasible" and lo > 3.0
    return Outcome("pass" if ok else "fail", theory=lo,
                   tolerance="infeasible: NLC^48 > 3 for every d in [0.01, 10]",
                   reason="" if ok else f"status {row['status']}", details=row)


CLAIMS += [Claim(f"design/nlc_budget/{base}",
                 f"the largest d of c*{base}(d*x)+b (E = 0, Q = 1) with NLC^48 <= 3, or none",
                 "seed 004 §5, App. C", claim_nlc_budget, {"base": base}, cost=0.5)
           for base in TABLE1]


def claim_lrelu_nlc_theory(depth: int = 50, value: float = 2.0) -> Outcome:
    """The designed leaky-ReLU slope against the closed form NLC_τ² = E₂/(E₂ − (1−a)²/(2π)),
    E₂ = (1+a²)/2 (seed 002 App. B moments of leaky ReLU)."""
    from ringing.theory.design import Parametrised, design

    res = design(Parametrised("lrelu", "slope"), depth, [f"nlc={value}"])
    if res.chosen is None:
        return Outcome("fail", reason=f"no slope found ({res.status})")
    a = res.chosen.parameters["slope"]
    e2 = (1 + a * a) / 2
    closed = (e2 / (e2 - (1 - a) ** 2 / (2 * math.pi))) ** ((depth - 1) / 2)
    out = compare_closed_form(value, closed, rtol=1e-12)
    out.details.update(slope=a, status=res.status)
    return out


CLAIMS.append(Claim("design/lrelu_nlc/theory",
                    "the leaky-ReLU slope with NLC_tau^49 = 2 (depth 50) meets the closed form",
                    "seed 004 §5", claim_lrelu_nlc_theory, {}, cost=0.1))


#: The designed network's setting for the batchnorm-form NLC check (seed 004's study:
#: Gaussian data in 100 dimensions, 10 outputs, minibatches of 250, 500 inputs).
LRELU_NLC_SETTING = {"depth": 50, "d_in": 100, "d_out": 10, "batch_size": 250, "n_data": 500}


@dataclass
class WidthFit:
    """``m(N) = a + c·N^(−p)`` fitted by weighted least squares to per-width means.

    ``cov`` is the 2×2 covariance of (a, c) from the per-width standard errors, ``chi2`` the
    weighted residual sum with ``dof`` = widths − 2 (a law that does not fit shows as
    chi2 ≫ dof).  :func:`ringing.validate.compare.width_bias` is the two-width case.
    """

    exponent: float
    a: float
    c: float
    cov: np.ndarray
    chi2: float
    dof: int

    def predict(self, width: float) -> tuple[float, float]:
        """``(m(N), its standard error from the fit)``."""
        x = np.array([1.0, float(width) ** -self.exponent])
        return float(x @ np.array([self.a, self.c])), float(math.sqrt(x @ self.cov @ x))


def fit_width_law(samples: dict[int, Sequence[float] | np.ndarray], exponent: float = 1.0
                  ) -> WidthFit:
    """Fit ``a + c·N^(−exponent)`` to ``{width: per-seed values}`` (≥ 3 widths, ≥ 2 seeds each),
    weighting each width's mean by 1/stderr²."""
    if len(samples) < 3:
        raise ValueError(f"a width law needs >= 3 widths, got {len(samples)}")
    widths = np.array(sorted(samples), dtype=float)
    vals = [np.asarray(samples[int(n)], dtype=float) for n in widths]
    if any(v.size < 2 for v in vals):
        raise ValueError("every width needs >= 2 seeds for its standard error")
    y = np.array([v.mean() for v in vals])
    w = np.array([v.size / v.var(ddof=1) for v in vals])
    x = np.stack([np.ones_like(y), widths ** -exponent], axis=1)
    cov = np.linalg.inv(x.T @ (x * w[:, None]))
    beta = cov @ (x.T @ (w * y))
    chi2 = float(((y - x @ beta) ** 2 * w).sum())
    return WidthFit(exponent, float(beta[0]), float(beta[1]), cov, chi2, len(y) - 2)


def lrelu_nlc_samples(width: int, seeds: int, n_probe_batches: int, *, depth: int = 50,
                      value: float = 2.0, n_data: int | None = None,
                      batch_size: int | None = None, dtype: str = "float32",
                      device: str = "cpu") -> tuple[str, np.ndarray, np.ndarray]:
    """Per-seed batchnorm-form NLC (seed 004 §G) of the designed leaky-ReLU network and of the
    same network (same seeds, so the same weights) with the identity activation.

    Returns ``(spec, designed, identity)``; the setting is :data:`LRELU_NLC_SETTING`.
    """
    from ringing.simulate.data import gaussian_data
    from ringing.simulate.measure import measure_nlc
    from ringing.simulate.networks import NetworkConfig
    from ringing.theory.design import Parametrised, design

    st = LRELU_NLC_SETTING
    res = design(Parametrised("lrelu", "slope"), depth, [f"nlc={value}"])
    if res.chosen is None:
        raise ValueError(f"no leaky-ReLU slope found ({res.status})")
    spec = res.chosen.activation
    data = gaussian_data(n_data or st["n_data"], st["d_in"], seed=1)
    out = []
    for act in (spec, "identity"):
        cfg = NetworkConfig(width=width, depth=depth, activation=act, norm="batch",
                            in_dim=st["d_in"], out_dim=st["d_out"], final_norm=False)
        r = measure_nlc(cfg, data, seeds=range(seeds), batch_size=batch_size or st["batch_size"],
                        n_probe_batches=n_probe_batches, device=device, dtype=dtype,
                        show_progress=False)
        out.append(np.asarray(r["nlc_per_seed"], dtype=float))
    return spec, out[0], out[1]


#: The paired ratio designed / identity network against width (:func:`lrelu_nlc_samples`,
#: depth 50, b = 250, float32), fitted as R∞ + c/N on widths 256 (8 seeds, 8 probe
#: batches), 512 (8 seeds, 4) and 2048 (4 seeds, 4) — width 1024, the claim's, held out
#: (docs/design.md, "Must-show 2"; 1/√N is rejected: it mispredicts 1024 by 3.3σ).
LRELU_RATIO_FIT = WidthFit(1.0, 2.154024140701582, 154.70491479257913,
                           np.array([[0.00013205610339761477, -0.05708998365395819],
                                     [-0.05708998365395819, 48.3689266328486]]), 1.70, 1)


def claim_lrelu_nlc_simulation(width: int, seeds: int, n_probe_batches: int, depth: int = 50,
                               value: float = 2.0, device: str = "cpu") -> Outcome:
    """The empirical NLC (batchnorm form, seed 004 §G) of the designed depth-50 network.

    Network as in seed 004's study (:data:`LRELU_NLC_SETTING`): ``depth`` linear layers with
    batchnorm, d_in 100, d_out 10, Gaussian data, minibatches of 250.  Against the prediction
    NLC_τ^(D−1) = ``value`` with the stated error of the NLC claims, 4·stderr plus 2(D−1)/N
    relative (an O(1/N) bias per batchnorm layer): ``pass``.

    Finding (docs/design.md): it is not met.  The batchnorm form differentiates through the
    minibatch statistics and measures the output's spread on the minibatch that set them, so
    batchnorm is itself nonlinear in it: the *identity* network measures 1.07–1.10 (widths
    256–2048) and extrapolates to 1.10 in the wide limit — it grows with width, it is not
    finite-size (with statistics held fixed the wide-limit value is the minibatch-whitening
    factor :func:`ringing.theory.design.batchnorm_whitening_nlc` = 1.150).  The paired ratio
    designed / identity approaches its wide limit as R∞ + c/N (:data:`LRELU_RATIO_FIT`:
    R∞ = 2.154 ± 0.012, c = 155 ± 7), so a residual R∞/value = 1.077 remains too.  Verdict:
    ``expected-difference`` when the measurement is above ``value`` *and* its ratio to the
    identity network agrees with the documented law at this width (4·√(se² + se_fit²));
    ``fail`` otherwise (below the prediction, or an excess the law does not account for).
    """
    try:
        spec, des, ide = lrelu_nlc_samples(width, seeds, n_probe_batches, depth=depth,
                                           value=value, device=device)
    except ValueError as e:
        return Outcome("fail", reason=str(e))
    fwe = 2.0 * (depth - 1) / width * value
    cmp = compare_simulation(value, des, finite_width_error=fwe, what=f"depth-{depth} NLC")
    ratio = des / ide
    r_mean = float(ratio.mean())
    r_se = float(ratio.std(ddof=1) / math.sqrt(ratio.size)) if ratio.size > 1 else 0.0
    law, law_se = LRELU_RATIO_FIT.predict(width)
    documented = (depth == LRELU_NLC_SETTING["depth"] and value == 2.0
                  and abs(r_mean - law) <= 4.0 * math.hypot(r_se, law_se))
    cmp.details.update(activation=spec, identity_nlc=float(ide.mean()),
                       identity_nlc_stderr=float(ide.std(ddof=1) / math.sqrt(ide.size))
                       if ide.size > 1 else 0.0,
                       ratio=r_mean, ratio_stderr=r_se, ratio_law=law, ratio_law_stderr=law_se,
                       ratio_wide_limit=LRELU_RATIO_FIT.a, **LRELU_NLC_SETTING)
    if cmp.verdict == "pass":
        return cmp
    cmp.reason += (f"; the identity network measures {ide.mean():.3f} (batchnorm's own "
                   f"nonlinearity in the batch form), designed/identity = {r_mean:.3f} ± "
                   f"{r_se:.3f} against the documented R_inf + c/N = {law:.3f} ± {law_se:.3f}")
    if cmp.simulation is not None and cmp.simulation > value and documented:
        cmp.verdict = "expected-difference"
        cmp.reason += (f"; above NLC_tau^(D-1), which omits batchnorm's minibatch nonlinearity, "
                       f"a 1/N finite-width excess and a wide-limit residual "
                       f"{LRELU_RATIO_FIT.a / value:.3f} (as seed 004 Table 1 rows C vs D; "
                       "docs/design.md)")
    return cmp


CLAIMS.append(Claim("design/lrelu_nlc/simulation",
                    "the width-1024 depth-50 batchnorm network of the designed leaky ReLU has "
                    "empirical NLC 2",
                    "seed 004 §5, §G", claim_lrelu_nlc_simulation,
                    {"width": 1024, "seeds": 4, "n_probe_batches": 4},
                    {"seeds": 2, "n_probe_batches": 2},
                    kind="simulation", cost=240.0, requires=("torch",)))


def claim_init_cslope_closed_form(activation: str = "tanh", zeta: float = 0.5,
                                  depth: int = 20) -> Outcome:
    """σ_b with P'(1)^L = ζ against the closed form σ_b² = σ_w²(‖φ'‖²/ζ^(1/L) − ‖φ‖²), σ_w = 1
    (seed 002 eq 2.3 with Stein's lemma; the initialisation family)."""
    from ringing.theory.design import Initialisation, design
    from ringing.theory.hermite import gaussian_summary

    res = design(Initialisation(activation), depth, [f"cslope={zeta}"])
    if res.chosen is None:
        return Outcome("fail", reason=f"no sigma_b found ({res.status})")
    g = gaussian_summary(activation)
    closed = math.sqrt(g.derivative_norm_sq / zeta ** (1.0 / depth) - g.norm_sq)
    out = compare_closed_form(res.chosen.sigma_b, closed, rtol=1e-10)
    out.details.update(status=res.status)
    return out


CLAIMS.append(Claim("design/init/tanh/cslope",
                    "the sigma_b giving a composed slope 0.5 over 20 tanh LayerNorm layers "
                    "meets its closed form",
                    "seed 002 eq 2.3", claim_init_cslope_closed_form, {}, cost=0.1))


def claim_init_cvalue_simulation(width: int, seeds: int, n_pairs: int,
                                 activation: str = "tanh", depth: int = 10, rho0: float = 0.5,
                                 value: float = 0.9, device: str = "cpu") -> Outcome:
    """The designed σ_b sends ρ_0 to ``value`` through ``depth`` LayerNorm layers (simulated).

    The simulated MLP (``simulate.networks``, seed 002 eq 2.1) starts with a linear embedding
    layer, whose map ρ → (σ_b² + σ_w²ρ)/(σ_b² + σ_w²) is inverted for the input correlation so
    that the first of the ``depth`` designed layers sees ρ_0.  Allowance: 4·stderr over seeds
    plus :func:`dks_finite_width_error` with the design's composed slope.
    """
    from ringing.simulate.measure import measure_correlations
    from ringing.simulate.networks import NetworkConfig
    from ringing.theory.design import Initialisation, design

    res = design(Initialisation(activation), depth, [f"cvalue@{rho0!r}={value!r}"])
    if res.chosen is None:
        return Outcome("fail", reason=f"no sigma_b found ({res.status})")
    sw, sb = float(res.chosen.sigma_w or 1.0), float(res.chosen.sigma_b)
    rho_in = (rho0 * (sb**2 + sw**2) - sb**2) / sw**2
    cfg = NetworkConfig(width=width, depth=depth + 1, activation=activation, sigma_w=sw,
                        sigma_b=sb)
    sim = measure_correlations(cfg, [rho_in], seeds=range(seeds), n_pairs=n_pairs,
                               device=device, dtype="float32", show_progress=False)
    from ringing.theory.design import Target, evaluate

    zeta = evaluate(activation, depth, [Target("cslope", 1.0)], sigma_w=sw, sigma_b=sb)[0]
    fwe = dks_finite_width_error(max(zeta, 1.0), depth, width)
    out = compare_simulation(value, sim.per_seed[:, 0, -1], finite_width_error=fwe,
                             what=f"rho_{depth}(rho_0={rho0:g})")
    out.details.update(sigma_b=sb, rho_in=rho_in, composed_slope=zeta)
    return out


CLAIMS.append(Claim("design/init/tanh/cvalue_simulation",
                    "the designed sigma_b sends rho_0 = 0.5 to 0.9 through 10 tanh LayerNorm "
                    "layers of width 1024",
                    "seed 002 eq 2.3", claim_init_cvalue_simulation,
                    {"width": 1024, "seeds": 8, "n_pairs": 8}, {"seeds": 4, "n_pairs": 4},
                    kind="simulation", cost=5.0, requires=("torch",)))
