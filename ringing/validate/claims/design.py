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
  closed form; the batchnorm network's empirical NLC (seed 004 §G), judged against the
  network's own Gram chain (:mod:`ringing.simulate.gram_chain`); the chain with one common
  spread per layer (→ NLC_τ^(L−1)); and the slope designed on the chain for batch-form NLC 2,
  checked on real networks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ringing.stats import mean_stderr
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


def lrelu_nlc_spec(depth: int = 50, value: float = 2.0) -> str:
    """The leaky ReLU designed for NLC_τ^(depth−1) = ``value`` (``ringing design lrelu
    --free slope --target nlc=VALUE``), as an activation spec."""
    from ringing.theory.design import Parametrised, design

    res = design(Parametrised("lrelu", "slope"), depth, [f"nlc={value}"])
    if res.chosen is None:
        raise ValueError(f"no leaky-ReLU slope found ({res.status})")
    return str(res.chosen.activation)


def lrelu_nlc_samples(width: int, seeds: int, n_probe_batches: int, *, depth: int = 50,
                      value: float = 2.0, spec: str | None = None, dtype: str = "float32",
                      device: str = "cpu") -> tuple[str, np.ndarray]:
    """Per-seed batchnorm-form NLC (seed 004 §G, :func:`ringing.simulate.measure.measure_nlc`)
    of the leaky-ReLU network in :data:`LRELU_NLC_SETTING`; ``spec`` defaults to the slope
    designed for NLC_τ^(depth−1) = ``value``.  Returns ``(spec, per-seed NLC)``."""
    from ringing.simulate.data import gaussian_data
    from ringing.simulate.measure import measure_nlc

    st = LRELU_NLC_SETTING
    spec = spec or lrelu_nlc_spec(depth, value)
    data = gaussian_data(st["n_data"], st["d_in"], seed=1)
    r = measure_nlc(lrelu_nlc_config(spec, width, depth), data, seeds=range(seeds),
                    batch_size=st["batch_size"], n_probe_batches=n_probe_batches,
                    device=device, dtype=dtype, show_progress=False)
    return spec, np.asarray(r["nlc_per_seed"], dtype=float)


def lrelu_nlc_config(spec: str, width: int, depth: int = 50, d_in: int | None = None) -> Any:
    """The batchnorm network of :data:`LRELU_NLC_SETTING` with activation ``spec``."""
    from ringing.simulate.networks import NetworkConfig

    st = LRELU_NLC_SETTING
    return NetworkConfig(width=width, depth=depth, activation=spec, norm="batch",
                         in_dim=d_in or st["d_in"], out_dim=st["d_out"], final_norm=False)


def lrelu_nlc_minibatches(replicates: int, seed: int = 0, *, batch_size: int | None = None,
                          d_in: int | None = None) -> Any:
    """``replicates`` random minibatches of the setting's Gaussian data (seed 1, max(500, 2b)
    inputs), shape (R, b, d) (:func:`ringing.simulate.gram_chain.random_minibatches`)."""
    import torch

    from ringing.simulate.data import gaussian_data
    from ringing.simulate.gram_chain import random_minibatches

    st = LRELU_NLC_SETTING
    b, d = batch_size or st["batch_size"], d_in or st["d_in"]
    x = gaussian_data(max(st["n_data"], 2 * b), d, seed=1).x
    return random_minibatches(x, b, replicates, generator=torch.Generator().manual_seed(
        10_000 + seed))


def lrelu_nlc_chain(spec: str, width: int, replicates: int, *, depth: int = 50,
                    scale: str = "minibatch", device: str = "cpu") -> np.ndarray:
    """Per-replicate batch-form NLC of the same network from the Gram chain at the same width
    (:func:`ringing.simulate.gram_chain.batchnorm_nlc_chain`, exact in distribution)."""
    import torch

    from ringing.simulate.gram_chain import batchnorm_nlc_chain

    r = batchnorm_nlc_chain(lrelu_nlc_config(spec, width, depth),
                            lrelu_nlc_minibatches(replicates), replicates=replicates,
                            scale=scale, generator=torch.Generator().manual_seed(1),
                            device=device)
    return np.asarray(r.nlc, dtype=float)


#: The fixed-minibatch wide limit of the batch-form NLC of the NLC_τ^49 = 2 leaky ReLU in
#: :data:`LRELU_NLC_SETTING` (benchmarks/batchnorm_chain.py --part wide; Gram chains at
#: M = 4096, 16384, 65536, 4 replicates, a + c/M): batchnorm's per-unit minibatch spreads.
LRELU_BATCH_WIDE_LIMIT = (2.334775180540715, 0.007241663537769338)


def claim_lrelu_nlc_simulation(width: int, seeds: int, n_probe_batches: int, depth: int = 50,
                               value: float = 2.0, chain_replicates: int = 8,
                               device: str = "cpu") -> Outcome:
    """The empirical NLC (batchnorm form, seed 004 §G) of the NLC_τ^49 = 2 network.

    Network as in seed 004's study (:data:`LRELU_NLC_SETTING`): ``depth`` linear layers with
    batchnorm, d_in 100, d_out 10, Gaussian data, minibatches of 250.  Against the prediction
    NLC_τ^(D−1) = ``value`` with the stated error of the NLC claims, 4·stderr plus 2(D−1)/N
    relative (an O(1/N) bias per batchnorm layer): ``pass``.

    Finding (docs/design.md): it is not met, and the cause is identified.  In the batch form
    every unit is divided by its *own* minibatch spread; with a finite minibatch (b = 250,
    d = 100) those spreads fluctuate from unit to unit even at infinite width, and the NLC —
    tangent energy over spread, averaged over units — gains a Jensen-type excess at every
    layer.  The Gram chain (:mod:`ringing.simulate.gram_chain`) has the network's
    distribution at every width: the same network's chain at this width is the reference of
    the verdict; its wide limit is :data:`LRELU_BATCH_WIDE_LIMIT`, and with one common spread
    per layer the chain gives NLC_τ^49 (claim ``design/lrelu_nlc/common_scale``).
    Verdict: ``expected-difference`` when the measurement is above ``value`` and agrees with
    the chain at this width within 4·√(se_net² + se_chain²); ``fail`` otherwise.
    """
    try:
        spec, des = lrelu_nlc_samples(width, seeds, n_probe_batches, depth=depth, value=value,
                                      device=device)
        chain = lrelu_nlc_chain(spec, width, chain_replicates, depth=depth, device=device)
    except ValueError as e:
        return Outcome("fail", reason=str(e))
    fwe = 2.0 * (depth - 1) / width * value
    cmp = compare_simulation(value, des, finite_width_error=fwe, what=f"depth-{depth} NLC")
    (m, se), (cm, cse) = mean_stderr(des), mean_stderr(chain)
    agree = abs(m - cm) <= 4.0 * math.hypot(se, cse)
    cmp.details.update(activation=spec, chain_nlc=cm, chain_stderr=cse,
                       chain_replicates=chain_replicates,
                       chain_wide_limit=LRELU_BATCH_WIDE_LIMIT[0],
                       chain_wide_limit_stderr=LRELU_BATCH_WIDE_LIMIT[1], **LRELU_NLC_SETTING)
    if cmp.verdict == "pass":
        return cmp
    cmp.reason += (f"; the Gram chain of the same network at width {width} (same "
                   f"distribution) gives {cm:.3f} ± {cse:.3f}")
    if cmp.simulation is not None and cmp.simulation > value and agree:
        cmp.verdict = "expected-difference"
        cmp.reason += (f": the excess is batchnorm's per-unit minibatch spread (wide limit "
                       f"{LRELU_BATCH_WIDE_LIMIT[0]:.3f} ± {LRELU_BATCH_WIDE_LIMIT[1]:.3f}; "
                       "with one common spread the chain gives NLC_tau^49, claim "
                       "design/lrelu_nlc/common_scale; docs/design.md)")
    else:
        cmp.reason += ": the network does not measure what its own chain predicts"
    return cmp


CLAIMS.append(Claim("design/lrelu_nlc/simulation",
                    "the width-1024 depth-50 batchnorm network of the designed leaky ReLU has "
                    "empirical NLC 2",
                    "seed 004 §5, §G", claim_lrelu_nlc_simulation,
                    {"width": 1024, "seeds": 4, "n_probe_batches": 4},
                    {"seeds": 2, "n_probe_batches": 2, "chain_replicates": 4},
                    kind="simulation", cost=150.0, requires=("torch",)))


def claim_lrelu_nlc_common_scale(width: int = 4096,
                                 batch_sizes: tuple[int, ...] = (125, 250, 500, 1000),
                                 replicates: int = 4, depth: int = 50,
                                 value: float = 2.0, device: str = "cpu") -> Outcome:
    """The mechanism behind ``design/lrelu_nlc/simulation``: the designed network's Gram chain
    with *one common* spread per layer (every unit still centred on its minibatch) has
    batch-form NLC NLC_τ^(D−1) = ``value`` (seed 004 §5) in the population limit.

    At a finite minibatch the per-unit centring leaves a small deficit (about −1 % at
    b = 250, docs/design.md), so the chain is run at chain width ``width`` for the minibatch sizes
    ``batch_sizes`` (``replicates`` chains each, the setting's data) and a + c/b is fitted
    (b → ∞: population statistics; :func:`ringing.stats.fit_width_law`).  ``pass`` when
    |a − value| ≤ 4·se(a) and the 1/b law fits (χ² p-value ≥ 0.001); ``fail`` otherwise.
    The chain's finite-width excess at this width is below the replicates' noise with a
    common spread (docs/design.md: 1.982, 1.987, 1.970 ± 0.007 at M = 4096, 16384,
    65536, b = 250).
    """
    import torch

    from ringing.simulate.gram_chain import batchnorm_nlc_chain
    from ringing.stats import fit_width_law

    spec = lrelu_nlc_spec(depth, value)
    vals: dict[int, np.ndarray] = {}
    try:
        for b in batch_sizes:
            r = batchnorm_nlc_chain(lrelu_nlc_config(spec, width, depth),
                                    lrelu_nlc_minibatches(replicates, batch_size=b),
                                    replicates=replicates, scale="common",
                                    generator=torch.Generator().manual_seed(4), device=device)
            vals[b] = np.asarray(r.nlc, dtype=float)
        fit = fit_width_law(vals)
    except ValueError as e:
        return Outcome("fail", reason=str(e))
    from scipy.stats import chi2 as chi2_dist

    se = math.sqrt(fit.cov[0, 0])
    diff = abs(fit.a - value)
    p_fit = float(chi2_dist.sf(fit.chi2, fit.dof))
    ok = diff <= 4.0 * se and p_fit >= 1e-3
    reason = "" if ok else (f"common-spread b → ∞ limit {fit.a:.4f} ± {se:.4f} vs {value} "
                            f"(|diff| {diff:.3g}, 4·se {4 * se:.3g}); a + c/b fit χ² "
                            f"{fit.chi2:.2f} for {fit.dof} dof (p = {p_fit:.2g})")
    return Outcome("pass" if ok else "fail", theory=value, simulation=fit.a,
                   simulation_ci=(fit.a - 1.96 * se, fit.a + 1.96 * se),
                   tolerance="4·se of the a + c/b fit (b → ∞); finite-width error not "
                             "added: with one common spread it is below the replicates' noise "
                             "(1.982, 1.987, 1.970 ± 0.007 at M = 4096, 16384, 65536, b = 250)",
                   reason=reason,
                   details={"activation": spec, "width": width,
                            "batch_sizes": list(batch_sizes), "replicates": replicates,
                            "limit_stderr": se, "slope_c": fit.c, "chi2": fit.chi2,
                            "dof": fit.dof, "fit_p_value": p_fit,
                            "per_batch_size": {str(b): [float(v.mean()),
                                                        float(v.std(ddof=1) / math.sqrt(v.size))]
                                               for b, v in vals.items()},
                            "d_in": LRELU_NLC_SETTING["d_in"], "depth": depth})


CLAIMS.append(Claim("design/lrelu_nlc/common_scale",
                    "with one common spread per layer instead of batchnorm's per-unit minibatch "
                    "spreads, the designed network's batch-form NLC tends to NLC_tau^49 = 2 as "
                    "the minibatch grows",
                    "seed 004 §5, §G", claim_lrelu_nlc_common_scale,
                    {}, {"batch_sizes": (125, 250, 500)},
                    kind="simulation", cost=300.0, requires=("torch",)))


#: The slope whose *batch-form* NLC in :data:`LRELU_NLC_SETTING` has wide limit 2
#: (benchmarks/batchnorm_chain.py --part design --excess 0.013344 --bracket 0.683 0.688:
#: Brent's method on Gram chains of width 16384, 8 replicates, common random numbers, for
#: 2 + c/M with c/M the excess of that width from a first solve), its standard error, and the
#: wide limit a + c/M of its chains at M = 4096, 16384, 65536 with its standard error.
BATCH_FORM_SLOPE = (0.6850426831083236, 0.000321390284205566)
BATCH_FORM_WIDE_LIMIT = (1.999024391038249, 0.0035444857725384863)


def claim_lrelu_batch_form_simulation(width: int, seeds: int, n_probe_batches: int,
                                      depth: int = 50, value: float = 2.0,
                                      chain_replicates: int = 8,
                                      device: str = "cpu") -> Outcome:
    """Must-show 2 in the quantity the estimator measures: the leaky-ReLU slope designed (by the
    Gram chain, :func:`ringing.simulate.gram_chain.solve_batch_nlc`) for batch-form NLC
    ``value`` at depth 50 in seed 004's setting (:data:`BATCH_FORM_SLOPE`), checked on real
    networks with the existing empirical NLC (seed 004 §G) at ``width``: ``pass`` within the
    stated error of the NLC claims (4·stderr + 2(D−1)/N relative), ``fail`` otherwise.  The
    same network's chain at this width is reported beside it."""
    spec = f"lrelu(slope={BATCH_FORM_SLOPE[0]!r})"
    try:
        spec, des = lrelu_nlc_samples(width, seeds, n_probe_batches, depth=depth, spec=spec,
                                      device=device)
        chain = lrelu_nlc_chain(spec, width, chain_replicates, depth=depth, device=device)
    except ValueError as e:
        return Outcome("fail", reason=str(e))
    fwe = 2.0 * (depth - 1) / width * value
    cmp = compare_simulation(value, des, finite_width_error=fwe,
                             what=f"depth-{depth} batch-form NLC")
    cm, cse = mean_stderr(chain)
    cmp.details.update(activation=spec, slope_stderr=BATCH_FORM_SLOPE[1], chain_nlc=cm,
                       chain_stderr=cse, wide_limit=BATCH_FORM_WIDE_LIMIT[0],
                       wide_limit_stderr=BATCH_FORM_WIDE_LIMIT[1], **LRELU_NLC_SETTING)
    return cmp


CLAIMS.append(Claim("design/lrelu_nlc/batch_form_simulation",
                    "the leaky ReLU designed for batch-form NLC 2 at depth 50 measures 2 on "
                    "width-1024 batchnorm networks",
                    "seed 004 §5, §G", claim_lrelu_batch_form_simulation,
                    {"width": 1024, "seeds": 4, "n_probe_batches": 4},
                    {"seeds": 2, "n_probe_batches": 2, "chain_replicates": 4},
                    kind="simulation", cost=150.0, requires=("torch",)))



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
