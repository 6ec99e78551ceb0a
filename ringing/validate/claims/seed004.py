"""Claims of seed 004 (anonymous, "The nonlinearity coefficient — predicting generalization in
deep neural networks"): Table 1 rows A, B, C, E and Table 2."""

from __future__ import annotations

from ringing.validate.compare import (
    compare_printed,
    compare_simulation_widths,
    half_unit,
    printed_decimals,
    printed_value,
    round_sig,
    significant_digits,
)
from ringing.validate.core import Claim, Outcome

CLAIMS: list[Claim] = []


#: seed 004's activation names -> registry specs (SELU with the paper's rounded constants)
SEED004_NAMES: dict[str, str] = {
    "relu": "relu", "selu": "selu_seed004", "tanh": "tanh", "sigmoid": "sigmoid",
    "even tanh": "even_tanh", "gaussian": "gaussian", "square": "square",
    "odd square": "odd_square",
}


def claim_nlc_row_a(activation: str) -> Outcome:
    """Seed 004 Table 1 row A: NLC_τ(1) against the printed value (3 decimals: ±0.0005)."""
    from ringing.theory.nlc import nlc_tau

    printed = _printed("nlc_tau_1", activation)
    return compare_printed(nlc_tau(SEED004_NAMES[activation]), printed, what="NLC_tau(1)")


CLAIMS += [Claim(f"seed004/table1/A/{act.replace(' ', '_')}", f"NLC_τ(1) of {act} is as printed",
                 "seed 004 §5, Table 1 row A", claim_nlc_row_a, {"activation": act},
                 revision=2)
           for act in SEED004_NAMES]


def claim_nlc_row_e(activation: str) -> Outcome:
    """Seed 004 Table 1 row E: the linear approximation error (App. E.4), within half a unit
    of the printed digits (``0.030``: ±0.0005; ``2.000``: ±0.0005)."""
    from ringing.theory.nlc import linear_approx_error

    printed = _printed("linear_approx_error", activation)
    v = linear_approx_error(SEED004_NAMES[activation])
    out = compare_printed(v, printed, what="linear approximation error")
    if out.verdict == "fail":
        dec = printed_decimals(printed)
        double = round(round(v, dec + 1), dec)
        if abs(double - printed_value(printed)) <= 1e-12:
            out.verdict = "expected-difference"
            out.reason = (f"double rounding: the value {v:.7f} rounds to {round(v, dec)} but was "
                          f"printed {printed} (rounded first to {round(v, dec + 1)}, then to "
                          f"{dec} decimals)")
            out.details["double_rounded"] = double
    return out


CLAIMS += [Claim(f"seed004/table1/E/{act.replace(' ', '_')}",
                 f"the linear approximation error of {act} is as printed",
                 "seed 004 App. E.4, Table 1 row E", claim_nlc_row_e, {"activation": act},
                 revision=2)
           for act in SEED004_NAMES]


def claim_nlc_row_c(activation: str, depth: int = 49) -> Outcome:
    """Seed 004 Table 1 row C: NLC_τ(1)^48, the depth-49 prediction, at the printed
    significant digits (``9793``: 4, ``5.21``: 3, ``4.76e17``: 3)."""
    from ringing.theory.nlc import nlc_tau, nlc_tau_power

    name = SEED004_NAMES[activation]
    text = _printed("nlc_tau_1_pow_48", activation)
    printed = printed_value(text)
    sig = significant_digits(text)
    exact = nlc_tau_power(name, depth)
    rounded = round(nlc_tau(name), 3) ** (depth - 1)
    tol = f"{sig} significant digits (the printed precision of {text})"
    details = {"exact_power": exact, "power_of_rounded": rounded, "printed": text,
               "rel_diff": abs(exact / printed - 1)}
    if round_sig(exact, sig) == round_sig(printed, sig):
        return Outcome("pass", theory=exact, paper=printed, tolerance=tol, details=details)
    if round_sig(rounded, sig) == round_sig(printed, sig):
        return Outcome("expected-difference", theory=exact, paper=printed, tolerance=tol,
                       reason=(f"the paper raised the 3-decimal rounded NLC_tau(1) = "
                               f"{round(nlc_tau(name), 3)} to the power {depth - 1} "
                               f"(= {round_sig(rounded, sig):.{sig}g}); the unrounded power is "
                               f"{round_sig(exact, sig):.{sig}g}"),
                       details=details)
    return Outcome("fail", theory=exact, paper=printed, tolerance=tol,
                   reason="neither the exact power nor the power of the rounded value matches",
                   details=details)


CLAIMS += [Claim(f"seed004/table1/C/{act.replace(' ', '_')}",
                 f"NLC_τ(1)^48 of {act} (depth-49 prediction) is as printed",
                 "seed 004 §5, Table 1 row C", claim_nlc_row_c, {"activation": act},
                 revision=2)
           for act in SEED004_NAMES]


def _nlc_two_sizes(activation: str, depth: int, width: int, seeds: int, n_data: int,
                   n_probe_batches: int, weights: str, batch_size: int,
                   device: str = "cpu") -> tuple[list[float], list[float]]:
    """Per-seed NLCs of batchnorm networks at (width/2, batch/2) and (width, batch)."""
    from ringing.simulate.data import gaussian_data
    from ringing.simulate.measure import measure_nlc
    from ringing.simulate.networks import NetworkConfig

    name = SEED004_NAMES[activation]
    data = gaussian_data(n_data, 100, seed=1)
    out = []
    for w, b in ((width // 2, batch_size // 2), (width, batch_size)):
        cfg = NetworkConfig(width=w, depth=depth, activation=name, norm="batch", in_dim=100,
                            out_dim=10, final_norm=False, weights=weights)
        res = measure_nlc(cfg, data, seeds=range(seeds), n_probe_batches=n_probe_batches,
                          batch_size=b, device=device, show_progress=False)
        out.append([float(v) for v in res["nlc_per_seed"]])
    return out[0], out[1]


def _against_paper(out: Outcome, printed: str | None, setup: str) -> Outcome:
    """Hold a simulation that agrees with theory against the paper's printed value.

    Allowance: 4 standard errors + the estimated finite-size bias + half a unit of the last
    printed digit.  Outside it the verdict is ``expected-difference`` (the paper's set-up
    cannot be matched here: ``setup`` says how), never a silent pass.
    """
    if printed is None or out.verdict != "pass" or out.simulation is None:
        return out
    value = printed_value(printed)
    d = out.details
    tol = 4 * d["stderr"] + abs(d["finite_width_bias"]) + half_unit(printed)
    diff = abs(out.simulation - value)
    out.paper = value
    d["paper_printed"] = printed
    d["paper_abs_diff"] = diff
    d["paper_allowance"] = tol
    out.tolerance += (f"; paper: |estimate − paper| <= 4·stderr + |b| + half a unit of "
                      f"{printed} = {tol:.3g}")
    if diff > tol:
        out.verdict = "expected-difference"
        out.reason = (f"the simulation agrees with theory, the paper's {printed} differs by "
                      f"{diff:.3g} > {tol:.3g}: {setup}")
    return out


_SETUP = ("the paper measured CIFAR10 inputs (not shipped with the package; we use Gaussian "
          "inputs, d_in 100) with its own width and batch, whose finite-size excess over "
          "NLC_τ(1)^(D−1) is part of its printed value")


def claim_nlc_depth2(activation: str, width: int, seeds: int, n_data: int,
                     n_probe_batches: int, batch_size: int = 250, device: str = "cpu") -> Outcome:
    """Seed 004 Table 1 row B: the median empirical NLC of depth-2 batchnorm networks.

    Theory: a depth-2 network has one copy of τ, so its NLC is NLC_τ(1) (row A) in the wide
    limit.  Allowance (derived, :func:`~ringing.validate.compare.compare_simulation_widths`):
    the finite-width and finite-batch bias, both O(1/size), estimated by measuring at half the
    width and half the batch, plus 4 standard errors of the extrapolated mean over seeds.
    """
    from ringing.theory.nlc import nlc_tau

    small, large = _nlc_two_sizes(activation, 2, width, seeds, n_data, n_probe_batches,
                                  "gaussian", batch_size, device=device)
    out = compare_simulation_widths(nlc_tau(SEED004_NAMES[activation]), small, large,
                                    width_small=width // 2, width_large=width,
                                    estimate="median", what="depth-2 NLC")
    return _against_paper(out, _printed("nlc_depth_2", activation), _SETUP)


def _printed(row: str, activation: str) -> str:
    from ringing.reference import load_reference

    table: dict[str, dict[str, str]] = load_reference("nlc")["table1_printed"]
    return table[row][activation]


CLAIMS += [Claim(f"seed004/table1/B/{act.replace(' ', '_')}",
                 f"the median NLC of depth-2 batchnorm {act} networks is NLC_τ(1) (row B)",
                 "seed 004 Table 1 row B", claim_nlc_depth2,
                 {"activation": act, "width": 512, "seeds": 10, "n_data": 1000,
                  "n_probe_batches": 10},
                 {"width": 256, "seeds": 4, "n_data": 500, "n_probe_batches": 4},
                 kind="simulation", cost=20.0, requires=("torch",), revision=2)
           for act in ("relu", "tanh", "odd square")]


def claim_nlc_depth(activation: str, depth: int, width: int, seeds: int, n_data: int,
                    n_probe_batches: int, weights: str = "gaussian",
                    batch_size: int = 250, device: str = "cpu") -> Outcome:
    """Seed 004 §5, Table 1 row D, Table 2: the NLC of a depth-D batchnorm network is
    NLC_τ(1)^(D−1) (one factor per copy of τ).

    Simulation: batchnorm networks, d_in 100, d_out 10, Gaussian inputs; ``weights`` Gaussian
    or orthogonal (seed 004 App. C initialises every weight matrix as a scaled submatrix of a
    uniformly random orthogonal matrix; with Gaussian weights the per-layer finite-width
    excess compounds over depth: 1.5–1.9× at depth 49 for selu/tanh/sigmoid).  Allowance
    (derived): the O(1/size) finite-width and finite-batch bias estimated from half the width
    and half the batch, plus 4 standard errors of the extrapolated mean.  The paper's printed
    value (Table 1 row D, or Table 2 for relu) is compared with the same allowance plus its
    printed rounding; a difference beyond it is an expected difference (CIFAR10 inputs).
    """
    from ringing.reference import load_reference
    from ringing.theory.nlc import nlc_tau_power

    small, large = _nlc_two_sizes(activation, depth, width, seeds, n_data, n_probe_batches,
                                  weights, batch_size, device=device)
    out = compare_simulation_widths(nlc_tau_power(SEED004_NAMES[activation], depth), small,
                                    large, width_small=width // 2, width_large=width,
                                    estimate="median", what=f"depth-{depth} NLC")
    out.details["weights"] = weights
    printed: str | None = None
    if depth == 49:
        printed = _printed("nlc_depth_49", activation)
    else:
        t2 = load_reference("nlc")["table2_printed"]
        if activation == "relu" and depth in t2["depth"]:
            printed = t2["nlc"][t2["depth"].index(depth)]
    return _against_paper(out, printed, _SETUP)


CLAIMS += [Claim(f"seed004/table2/depth{depth}/relu",
                 f"the NLC of depth-{depth} batchnorm ReLU networks is NLC_τ(1)^{depth - 1}",
                 "seed 004 §5, Table 2", claim_nlc_depth,
                 {"activation": "relu", "depth": depth, "width": 512, "seeds": 6,
                  "n_data": 1000, "n_probe_batches": 8},
                 {"width": 256, "seeds": 4, "n_data": 500, "n_probe_batches": 4},
                 kind="simulation", cost=25.0, requires=("torch",), revision=2)
           for depth in (5, 10)]
CLAIMS += [Claim(f"seed004/table2/depth{depth}/relu/orthogonal",
                 f"the NLC of depth-{depth} batchnorm ReLU networks with orthogonal weights "
                 f"(App. C) is NLC_τ(1)^{depth - 1}",
                 "seed 004 §5, Table 2, App. C", claim_nlc_depth,
                 {"activation": "relu", "depth": depth, "width": 256, "seeds": 6,
                  "n_data": 1000, "n_probe_batches": 8, "weights": "orthogonal"},
                 {"width": 64, "seeds": 3, "n_data": 500, "n_probe_batches": 3},
                 kind="simulation", cost=60.0, requires=("torch",))
           for depth in (25, 50)]
CLAIMS += [Claim(f"seed004/table1/D/{act.replace(' ', '_')}",
                 f"the median NLC of depth-49 batchnorm {act} networks with orthogonal weights "
                 "(App. C) is NLC_τ(1)^48 (row D)",
                 "seed 004 §5, Table 1 row D, App. C", claim_nlc_depth,
                 {"activation": act, "depth": 49, "width": 256, "seeds": 6, "n_data": 1000,
                  "n_probe_batches": 8, "weights": "orthogonal"},
                 {"width": 64, "seeds": 3, "n_data": 500, "n_probe_batches": 3},
                 kind="simulation", cost=60.0, requires=("torch",))
           for act in ("relu", "selu", "tanh", "sigmoid")]
