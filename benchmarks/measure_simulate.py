"""The "Must show" measurements of the simulation engine (issue 5), printed as markdown.

    python benchmarks/measure_simulate.py table1 table2 correlations figure3 [--quick]

* ``table1``: seed 004 Table 1 rows B and D (depth-2 and depth-49 batchnorm networks).
* ``table2``: seed 004 Table 2 (batchnorm-ReLU, width 100, depths 2–50) on three data sets.
* ``correlations``: ρ_l(ρ_0) of LayerNorm MLPs at widths 256–4096 against the composed map.
* ``figure3``: seed 002 Figure 3 — Jacobian operator norm and 1 − ρ_max against depth.

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
    theory_correlations,
)
from ringing.simulate.networks import NetworkConfig

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


def _sigmas(act: str, phase: str) -> tuple[float, float]:
    from ringing.theory.kernels import critical_ratio

    if phase == "critical":
        ratio = critical_ratio(act)
        return 1.0, math.sqrt(max(float(ratio), 0.0))
    if phase == "chaotic":
        return 1.0, 0.0
    return 1.0, 1.0  # relu has no chaotic phase with LayerNorm: P'(1) <= 1; use σ_b = σ_w


def correlations(quick: bool) -> None:
    widths = [256, 512, 1024, 2048] if quick else [256, 512, 1024, 2048, 4096]
    n_seeds = 4 if quick else 8
    depth = 6
    rho0 = np.array([-0.5, 0.0, 0.5, 0.9])
    lines = [f"### ρ_l(ρ_0) of LayerNorm MLPs, depth {depth}, ρ_0 ∈ {rho0.tolist()}, "
             f"{n_seeds} seeds per width (float32, Gaussian weights)", "",
             "| network | σ_b/σ_w | slope of spread vs N (median, range over ρ_0, l) "
             f"| max |mean−theory|/stderr at N={widths[-1]} | bias slope in N "
             "| |bias| at N=256 | |bias| at max N |",
             "|---|---|---|---|---|---|---|"]
    for name, (act, phase) in CORR_CONFIGS.items():
        sw, sb = _sigmas(act, phase)
        spreads, biases, zs, b_abs = [], [], [], []
        for n in widths:
            cfg = NetworkConfig(width=n, depth=depth, activation=act, sigma_w=sw, sigma_b=sb)
            t0 = time.time()
            res = measure_correlations(cfg, rho0, seeds=range(n_seeds), device="cpu",
                                       show_progress=False)
            th = theory_correlations(cfg, rho0)
            spreads.append(res.spread[:, 1:])
            diff = res.mean[:, 1:] - th[:, 1:]
            biases.append(np.sqrt(np.mean(diff**2)))
            zs.append(np.abs(diff) / np.maximum(res.stderr[:, 1:], 1e-12))
            b_abs.append(np.sqrt(np.mean(diff**2)))
            print(f"{name} N={n} {time.time() - t0:.1f}s rms(mean-theory)={biases[-1]:.2e}",
                  file=sys.stderr, flush=True)
        sp = np.stack(spreads)  # (W, R, L)
        logn = np.log(widths)
        mask = sp.min(axis=0) > 1e-6
        slopes = np.array([np.polyfit(logn, np.log(sp[:, r, l]), 1)[0]
                           for r, l in zip(*np.nonzero(mask), strict=True)])
        bias_slope = np.polyfit(logn, np.log(np.maximum(b_abs, 1e-12)), 1)[0]
        lines.append(f"| {name} | {sb / sw:.4f} | {np.median(slopes):.3f} "
                     f"({slopes.min():.2f} to {slopes.max():.2f}) | {zs[-1].max():.2f} | "
                     f"{bias_slope:.2f} | {b_abs[0]:.2e} | {b_abs[-1]:.2e} |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", "spread = standard deviation over seeds of ρ_l at fixed ρ_0 (l ≥ 1); "
              "bias = RMS over (ρ_0, l) of (mean over seeds − theory), which at large N is "
              "dominated by the seed noise (≈ spread/√seeds), so its slope is an upper "
              "estimate of the finite-width bias's."]
    emit(lines)


def figure3(quick: bool) -> None:
    from ringing.theory.kernels import critical_ratio, fixed_point

    width = 512 if quick else 1024
    depths = [2, 5, 10, 20, 35, 50]
    n_seeds = 3 if quick else 4
    c42 = 4 / math.sqrt((math.atan(2 / math.sqrt(5)) - 2 / 3) * math.sqrt(5))  # eq 4.2
    c43 = 1 / c42  # eq 4.3: sqrt((atan(2/√5) − 2/3)√5)/4
    rho0 = np.array([-1.0, -0.5, 0.0, 0.5, 0.9])
    lines = [f"### Seed 002 Figure 3: erf LayerNorm MLPs, width {width}, {n_seeds} seeds", "",
             "| phase | L | ‖J‖_op (RMS) | ‖J‖_F/√N | theory √χ | 1 − ρ_max (meas.) "
             "| eq 4.2 bound C/√L | eq 4.3 lower bound on ‖J‖_op |",
             "|---|---|---|---|---|---|---|---|"]
    from ringing.simulate.measure import theory_composed_derivative

    for phase in ("critical", "chaotic"):
        sb = math.sqrt(float(critical_ratio("erf"))) if phase == "critical" else 0.0
        for depth in depths:
            cfg = NetworkConfig(width=width, depth=depth, activation="erf", sigma_w=1.0,
                                sigma_b=sb)
            j = measure_jacobian(cfg, seeds=range(n_seeds), n_inputs=2, n_iter=60,
                                 device="cpu", show_progress=False)
            cr = measure_correlations(cfg, rho0, seeds=range(n_seeds), device="cpu",
                                      show_progress=False)
            one_minus = 1 - rho_max(cr.mean)
            chi = theory_composed_derivative(cfg)
            if phase == "chaotic":
                from ringing.theory.kernels import Layer

                rfp = float(fixed_point(Layer("erf", 1.0, 0.0)))
                low = c43 * (1 - rfp) * math.sqrt(depth)
                cell = f"{low:.3f}"
            else:
                cell = "–"
            lines.append(f"| {phase} | {depth} | {j.op_norm:.3f} ± {j.op_norm_stderr:.3f} | "
                         f"{j.frobenius_rms:.3f} ± {j.frobenius_rms_stderr:.3f} | "
                         f"{math.sqrt(chi):.3f} | {one_minus:.4f} | {c42 / math.sqrt(depth):.3f}"
                         f" | {cell} |")
            print(lines[-1], file=sys.stderr, flush=True)
    emit(lines)


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    what = [a for a in argv if not a.startswith("--")] or ["table1", "table2", "correlations",
                                                           "figure3"]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    emit([f"## run {datetime.date.today()} on {platform.machine()} "
          f"({platform.processor() or 'cpu'}), {'quick' if quick else 'full'}: {' '.join(what)}"])
    for w in what:
        t0 = time.time()
        {"table1": table1, "table2": table2, "correlations": correlations,
         "figure3": figure3}[w](quick)
        print(f"[{w}: {time.time() - t0:.0f} s]", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
