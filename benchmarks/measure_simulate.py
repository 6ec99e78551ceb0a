"""The "Must show" measurements of the simulation engine (issue 5), printed as markdown.

    python benchmarks/measure_simulate.py table1 table2 correlations figure3 figure3_width [--quick]

* ``table1``: seed 004 Table 1 rows B and D (depth-2 and depth-49 batchnorm networks).
* ``table2``: seed 004 Table 2 (batchnorm-ReLU, width 100, depths 2–50) on three data sets.
* ``correlations``: ρ_l(ρ_0) of LayerNorm MLPs at widths 256–4096 against the composed map.
* ``correlations_bias``: the same for relu and erf at critical init with 32 seeds, to
  resolve the finite-width bias.
* ``figure3`` (orthogonal weights) / ``figure3_gaussian``: seed 002 Figure 3 — Jacobian
  operator norm, ‖J‖_F²/N, (P_L∘…∘P_1)'(1), 1 − ρ_max and Theorem 1's right-hand side
  against depth.
* ``figure3_width``: ‖J‖_op at critical init, depth 20, widths 256–2048, both weight kinds.

The output is appended to ``benchmarks/results/simulate_must_show.md``.
"""

from __future__ import annotations

import datetime
import math
import platform
import sys
import time
from pathlib import Path

import numpy as np

from ringing.reference import load_reference
from ringing.simulate.data import gaussian_data, load_dataset
from ringing.simulate.measure import (
    measure_correlations,
    measure_jacobian,
    measure_nlc,
    rho_max,
)
from ringing.simulate.networks import NetworkConfig
from ringing.validate.compare import theory_correlations

OUT = Path(__file__).parent / "results" / "simulate_must_show.md"
TABLE1_ACTS = {"relu": "relu", "selu": "selu_seed004", "tanh": "tanh", "sigmoid": "sigmoid",
               "even tanh": "even_tanh", "gaussian": "gaussian", "square": "square",
               "odd square": "odd_square"}


def emit(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n\n"
    print(text, flush=True)
    with OUT.open("a") as fh:
        fh.write(text)


def table1(quick: bool) -> None:
    from ringing.theory.nlc import nlc_tau

    ref = load_reference("nlc")["table1"]
    seeds = range(4 if quick else 10)
    data = gaussian_data(2000, 810, seed=0)
    lines = ["### Seed 004 Table 1, rows B and D (batchnorm, Gaussian data d_in = 810, "
             f"d_out = 10, median of {len(seeds)} initialisations, float64)", "",
             "| τ | NLC_τ(1) (ours) | A (paper) | B depth 2 (ours, width 1024) | B/NLC_τ(1) − 1 "
             "| B (paper) | NLC_τ(1)^48 | C (paper) | D depth 49 (ours, width 137) "
             "| D/NLC_τ^48 | D (paper) | spread of D over seeds (min–max) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, spec in TABLE1_ACTS.items():
        tau = nlc_tau(spec)
        c2 = NetworkConfig(width=1024, depth=2, activation=spec, norm="batch", in_dim=810,
                           out_dim=10, final_norm=False, sigma_w=math.sqrt(2))
        r2 = measure_nlc(c2, data, seeds=seeds, show_progress=False)
        c49 = NetworkConfig(width=137, depth=49, activation=spec, norm="batch", in_dim=810,
                            out_dim=10, final_norm=False, sigma_w=math.sqrt(2))
        r49 = measure_nlc(c49, data, seeds=seeds, n_probe_batches=10, show_progress=False)
        p48 = tau**48
        lo, hi = min(r49["nlc_per_seed"]), max(r49["nlc_per_seed"])
        lines.append(
            f"| {key} | {tau:.4f} | {ref['nlc_tau_1'][key]} | {r2['nlc']:.4f} ± "
            f"{r2['nlc_stderr']:.4f} | {r2['nlc'] / tau - 1:+.3%} | {ref['nlc_depth_2'][key]} "
            f"| {p48:.4g} | {ref['nlc_tau_1_pow_48'][key]:.4g} | {r49['nlc']:.4g} | "
            f"{r49['nlc'] / p48:.3g} | {ref['nlc_depth_49'][key]:.4g} | {lo:.3g}–{hi:.3g} |")
        print(lines[-1], file=sys.stderr, flush=True)
    emit(lines)


def table2(quick: bool) -> None:
    ref = load_reference("nlc")["table2_batchnorm_relu_cifar10"]
    seeds = range(4 if quick else 10)
    sets = {"gaussian (d_in 810)": gaussian_data(2000, 810, seed=0),
            "digits (64)": load_dataset("digits"),
            "waveform-noise (40)": load_dataset("waveform", n=2000)}
    head = "| depth | paper (CIFAR10) | " + " | ".join(
        f"{k} | ratio" for k in sets) + " |"
    lines = ["### Seed 004 Table 2 (batchnorm-ReLU, width 100, d_out 10, median of "
             f"{len(seeds)} initialisations)", "", head,
             "|---|---|" + "---|---|" * len(sets)]
    for depth, paper in zip(ref["depth"], ref["nlc"], strict=True):
        cells = []
        for data in sets.values():
            cfg = NetworkConfig(width=100, depth=depth, activation="relu", norm="batch",
                                in_dim=data.x.shape[1], out_dim=10, final_norm=False,
                                sigma_w=math.sqrt(2))
            r = measure_nlc(cfg, data, seeds=seeds, show_progress=False)
            cells.append(f"{r['nlc']:.4g} ± {r['nlc_stderr']:.2g} | {r['nlc'] / paper:.3f}")
        lines.append(f"| {depth} | {paper} | " + " | ".join(cells) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
    emit(lines)


CORR_CONFIGS = {
    # name: (activation, phase); critical σ_b/σ_w from ringing.theory.kernels.critical_ratio
    "erf critical": ("erf", "critical"),
    "erf chaotic": ("erf", "chaotic"),
    "tanh critical": ("tanh", "critical"),
    "tanh chaotic": ("tanh", "chaotic"),
    "relu critical": ("relu", "critical"),
    "relu ordered": ("relu", "ordered"),
}


def _critical_sb_over_sw(act: str) -> float:
    """σ_b/σ_w at critical init, √(ringing.theory.kernels.critical_ratio(act))."""
    from ringing.theory.kernels import critical_ratio

    ratio = critical_ratio(act)
    if ratio is None:
        raise ValueError(f"activation {act!r} has no critical initialisation")
    return math.sqrt(max(ratio, 0.0))


def _sigmas(act: str, phase: str) -> tuple[float, float]:
    if phase == "critical":
        return 1.0, _critical_sb_over_sw(act)
    if phase == "chaotic":
        return 1.0, 0.0
    # relu has no chaotic phase with LayerNorm: P'(1) = 1/(1 + 2σ_b²/σ_w²) <= 1 (critical
    # only at σ_b = 0), so its second configuration is the ordered σ_b = σ_w.
    return 1.0, 1.0


def correlations(quick: bool, names: tuple[str, ...] = tuple(CORR_CONFIGS),
                 n_seeds: int | None = None) -> None:
    widths = [256, 512, 1024, 2048] if quick else [256, 512, 1024, 2048, 4096]
    if n_seeds is None:
        n_seeds = 4 if quick else 8
    n_pairs = 4  # independent input pairs per ρ_0 and seed, averaged (free: same batch)
    depth = 5
    rho0 = np.array([-0.5, 0.0, 0.5, 0.9])
    nmax = widths[-1]
    lines = [f"### ρ_l(ρ_0) of LayerNorm MLPs, depth {depth}, ρ_0 ∈ {rho0.tolist()}, "
             f"{n_seeds} seeds per width, {n_pairs} input pairs per ρ_0 and seed "
             "(float32, Gaussian weights, all ρ_0 in one batch)", "",
             "| network | σ_b/σ_w | P'(1) | spread slope, pooled | spread slope per (ρ_0, l): "
             f"median (range) | max |z| at N={nmax} | #(|z|>3) at N={nmax} "
             "| finite-width bias at 256 → max N | bias slope in N |",
             "|---|---|---|---|---|---|---|---|---|"]
    detail = ["| network | N | RMS spread | RMS (mean − theory) | RMS stderr "
              "| bias estimate √(mean(d² − se²)) | max |z| | time (s) |",
              "|---|---|---|---|---|---|---|---|"]
    for name in names:
        act, phase = CORR_CONFIGS[name]
        sw, sb = _sigmas(act, phase)
        th = None
        spreads, diffs, ses, zs = [], [], [], []
        for n in widths:
            cfg = NetworkConfig(width=n, depth=depth, activation=act, sigma_w=sw, sigma_b=sb)
            if th is None:
                th = theory_correlations(cfg, rho0)
                from ringing.validate.compare import theory_composed_derivative
                chi1 = theory_composed_derivative(
                    NetworkConfig(width=n, depth=2, activation=act, sigma_w=sw, sigma_b=sb))
            t0 = time.time()
            res = measure_correlations(cfg, rho0, seeds=range(n_seeds), n_pairs=n_pairs,
                                       device="cpu", show_progress=False)
            d = res.mean[:, 1:] - th[:, 1:]
            se = res.stderr[:, 1:]
            spreads.append(res.spread[:, 1:])
            diffs.append(d)
            ses.append(se)
            zs.append(np.abs(d) / np.maximum(se, 1e-12))
            b2w = float(np.mean(d**2 - se**2))
            detail.append(
                f"| {name} | {n} | {np.sqrt(np.mean(res.spread[:, 1:]**2)):.2e} | "
                f"{np.sqrt(np.mean(d**2)):.2e} | {np.sqrt(np.mean(se**2)):.2e} | "
                f"{(f'{math.sqrt(b2w):.2e}' if b2w > 0 else '< noise')} | {zs[-1].max():.2f} | "
                f"{time.time() - t0:.1f} |")
            print(detail[-1], file=sys.stderr, flush=True)
        sp = np.stack(spreads)  # (W, R, L)
        logn = np.log(widths)
        mask = sp.min(axis=0) > 1e-6
        slopes = np.array([np.polyfit(logn, np.log(sp[:, r, l]), 1)[0]
                           for r, l in zip(*np.nonzero(mask), strict=True)])
        pooled = np.polyfit(logn, np.log(np.sqrt(np.mean(sp[:, mask] ** 2, axis=1))), 1)[0]
        b2 = np.array([np.mean(dd**2 - ss**2) for dd, ss in zip(diffs, ses, strict=True)])
        pos = b2 > 0
        if pos.sum() >= 2:
            bslope = f"{np.polyfit(logn[pos], 0.5 * np.log(b2[pos]), 1)[0]:.2f}"
            bslope += f" (from {int(pos.sum())} widths)"
        else:
            bslope = "not resolved"
        bias_txt = " → ".join(f"{math.sqrt(v):.1e}" if v > 0 else "<noise" for v in b2)
        zl = zs[-1]
        lines.append(f"| {name} | {sb / sw:.4f} | {chi1:.3f} | {pooled:.3f} | "
                     f"{np.median(slopes):.3f} ({slopes.min():.2f} to {slopes.max():.2f}) | "
                     f"{zl.max():.2f} | {int((zl > 3).sum())}/{zl.size} | {bias_txt} | "
                     f"{bslope} |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", "spread = standard deviation over seeds of ρ_l at fixed ρ_0 (l = 1..L); "
              "pooled slope = fitted slope of log RMS-spread vs log N; "
              "z = |mean over seeds − theory| / standard error (t-distributed with "
              f"{n_seeds - 1} degrees of freedom, so P(|z| > 3) ≈ 0.02 per entry without "
              "bias); bias estimate = √(mean over (ρ_0, l) of (mean − theory)² − stderr²), "
              "the part of the deviation not explained by seed noise ('<noise' where it "
              "is not positive); its slope is fitted over the widths where it is resolved. "
              "P'(1) is one layer's slope of the map (critical = 1).", "", *detail]
    emit(lines)


def theorem1_rhs(cfg: NetworkConfig, one_minus_rho_max: float) -> float:
    """Right-hand side of seed 002 Theorem 1: (1 − ρ_max)²/8 · Σ_l ‖φ_l − φ̄_l‖²/‖φ_l'‖².

    The identity first layer (φ_1, seed 002 §2.2) contributes 0.  The proof (App. A,
    eq A.1 and below) bounds (P_L∘…∘P_1)'(1) ≥ this, and then ‖J‖²_op ≥ (P_L∘…∘P_1)'(1).
    """
    from ringing.theory.hermite import gaussian_summary

    total = 0.0
    for a in cfg.activations:
        if a is not None:
            g = gaussian_summary(a)
            total += g.linearization_error_sq / g.derivative_norm_sq
    return one_minus_rho_max**2 / 8 * total


def figure3(quick: bool, weights: tuple[str, ...] = ("orthogonal",)) -> None:
    from ringing.theory.kernels import Layer, fixed_point
    from ringing.validate.compare import theory_composed_derivative

    width = 512 if quick else 1024
    depths = [2, 5, 10, 20, 35, 50]
    n_seeds = 3
    c42 = 4 / math.sqrt((math.atan(2 / math.sqrt(5)) - 2 / 3) * math.sqrt(5))  # eq 4.2
    c43 = 1 / c42  # eq 4.3: sqrt((atan(2/√5) − 2/3)√5)/4
    rho0 = np.array([-1.0, -0.5, 0.0, 0.5, 0.9])
    sb_crit = _critical_sb_over_sw("erf")
    rfp = float(fixed_point(Layer("erf", 1.0, 0.0)))
    lines = [f"### Seed 002 Figure 3: erf LayerNorm MLPs, width {width}, {n_seeds} seeds, "
             f"weights {', '.join(weights)}", "",
             "| weights | phase | L | ‖J‖_op (RMS) | ‖J‖_op² | ‖J‖_F²/N | χ = (P_L∘…∘P_1)'(1) "
             "| 1 − ρ_max (meas.) | Thm 1 RHS (1−ρ_max)²/8·Σ | RHS ≤ χ | eq 4.2 C/√L "
             "| eq 4.3 bound |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for kind in weights:
        for phase in ("critical", "chaotic"):
            sb = sb_crit if phase == "critical" else 0.0
            for depth in depths:
                t0 = time.time()
                cfg = NetworkConfig(width=width, depth=depth, activation="erf", sigma_w=1.0,
                                    sigma_b=sb, weights=kind)
                j = measure_jacobian(cfg, seeds=range(n_seeds), n_inputs=2, n_iter=60,
                                     device="cpu", show_progress=False)
                cr = measure_correlations(cfg, rho0, seeds=range(n_seeds), device="cpu",
                                          show_progress=False)
                one_minus = 1 - rho_max(cr.mean)
                chi = theory_composed_derivative(cfg)
                rhs = theorem1_rhs(cfg, one_minus)
                cell = f"{c43 * (1 - rfp) * math.sqrt(depth):.3f}" if phase == "chaotic" else "–"
                lines.append(
                    f"| {kind} | {phase} | {depth} | {j.op_norm:.3f} ± {j.op_norm_stderr:.3f} | "
                    f"{j.op_norm**2:.3g} | {j.frobenius_rms**2:.3g} | {chi:.3g} | "
                    f"{one_minus:.4f} | {rhs:.3g} | {'yes' if rhs <= chi else 'NO'} | "
                    f"{c42 / math.sqrt(depth):.3f} | {cell} |")
                print(lines[-1], f"[{time.time() - t0:.0f} s]", file=sys.stderr, flush=True)
    emit(lines)


def figure3_width(quick: bool) -> None:
    """‖J‖_op at critical init, depth 20, against width: does it go to O(1) as N grows?"""
    from ringing.validate.compare import theory_composed_derivative

    depth = 20
    widths = [256, 512, 1024] if quick else [256, 512, 1024, 2048]
    n_seeds = 3
    sb = _critical_sb_over_sw("erf")
    lines = [f"### ‖J‖_op against width: erf LayerNorm MLP, critical, depth {depth}, "
             f"{n_seeds} seeds", "",
             "| weights | N | ‖J‖_op (RMS) | ‖J‖_F/√N | √χ (infinite width) |",
             "|---|---|---|---|---|"]
    for kind in ("gaussian", "orthogonal"):
        for n in widths:
            t0 = time.time()
            cfg = NetworkConfig(width=n, depth=depth, activation="erf", sigma_w=1.0,
                                sigma_b=sb, weights=kind)
            j = measure_jacobian(cfg, seeds=range(n_seeds), n_inputs=2, n_iter=60,
                                 device="cpu", show_progress=False)
            chi = theory_composed_derivative(cfg)
            lines.append(f"| {kind} | {n} | {j.op_norm:.3f} ± {j.op_norm_stderr:.3f} | "
                         f"{j.frobenius_rms:.3f} ± {j.frobenius_rms_stderr:.3f} | "
                         f"{math.sqrt(chi):.3f} |")
            print(lines[-1], f"[{time.time() - t0:.0f} s]", file=sys.stderr, flush=True)
    emit(lines)


def main(argv: list[str]) -> None:
    import torch

    # One thread: on this shared 2-core machine two OpenMP threads spin against the other
    # jobs and run up to 10x slower (measured: a width-1024 Jacobian 4.5 s vs 41 s).
    torch.set_num_threads(1)
    quick = "--quick" in argv
    what = [a for a in argv if not a.startswith("--")] or ["table1", "table2", "correlations",
                                                           "figure3", "figure3_width"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    emit([f"## run {datetime.date.today()} on {platform.machine()} "
          f"({platform.processor() or 'cpu'}), {'quick' if quick else 'full'}: {' '.join(what)}"])
    for w in what:
        t0 = time.time()
        {"table1": table1, "table2": table2, "correlations": correlations,
         "figure3": figure3, "figure3_gaussian": lambda q: figure3(q, ("gaussian",)),
         "figure3_width": figure3_width,
         "correlations_bias": lambda q: correlations(q, ("relu critical", "erf critical"),
                                                     n_seeds=32)}[w](quick)
        print(f"[{w}: {time.time() - t0:.0f} s]", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
