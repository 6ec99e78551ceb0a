"""``ringing simulate perturbation | manifold | manifold-classify | digits-noise |
pc-fprinciple | weighted-loss | info-plane`` (seed 001 §3–4, Exp. 3, 5, 6; seed 003 §2.1,
§3.2, App. 6.3).

Argument parsing and output only; the studies are in
:mod:`ringing.experiments.spectral_bias` and :mod:`ringing.experiments.frequency_principle`.
"""

from __future__ import annotations

import argparse
from typing import Any

from ringing.checks import positive_float
from ringing.cli_support import (
    DEPTH_HELP,
    DEVICE_HELP,
    DTYPE_HELP,
    SEEDS_HELP,
    add_alias,
    add_json_flag,
    arg_type,
    int_at_least,
)
from ringing.papers import cite

GROUP = "simulate"

_positive_float = arg_type(positive_float)


def _common(p: argparse.ArgumentParser, *, steps: int, seeds: int, lr: float | None,
            record_every: int | None = None, figure: bool = True) -> None:
    p.add_argument("--steps", type=int_at_least(0), default=steps,
                   help="training steps (the default is a reduced setting)")
    p.add_argument("--seeds", type=int_at_least(1), default=seeds,
                   help=SEEDS_HELP + ", per setting, trained as one batch")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="first seed S")
    p.add_argument("--lr", type=_positive_float, default=lr,
                   help="Adam learning rate" + (" (default: per network)" if lr is None else ""))
    if record_every is not None:
        p.add_argument("--record-every", type=int_at_least(1), default=record_every,
                       help="record every N steps")
    p.add_argument("--device", default="cpu", help=DEVICE_HELP)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help=DTYPE_HELP)
    if figure:
        p.add_argument("--figure", default=None, metavar="PATH", help="also save a PNG here")
    add_json_flag(p)


def _fmt(v: Any, digits: int = 3) -> str:
    return "—" if v is None else f"{float(v):.{digits}f}"


# ----------------------------------------------------------------------------
# handlers


def _perturbation(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.spectral_bias import perturbation
    from ringing.simulate.training import validate_steps

    validate_steps(args.steps)
    res = perturbation(frequencies=args.frequencies, sizes=args.sizes, draws=args.draws,
                       n_samples=args.samples, depth=args.depth, width=args.width,
                       steps=args.steps, lr=args.lr, seeds=args.seeds, seed=args.seed,
                       record_every=args.record_every, device=args.device, dtype=args.dtype)
    payload = res.payload()
    if args.figure:
        from ringing.experiments.spectral_bias import figure_perturbation

        payload["figure"] = figure_perturbation(res, args.figure)
    lines = [f"perturbation robustness ({args.seeds} seeds, {args.steps} steps, "
             f"{args.draws} draws per size as antithetic pairs)",
             "Spearman(k, ·) over seeds, mean [95% CI]; the paper's measure (Fig 3) is the "
             "magnitude lost, 1 − |c'_k|/|c_k|",
             f"{'δ':>8}  {'|Δc_k|/|c_k| (complex)':>24}  {'||c′_k|−|c_k||/|c_k|':>24}  "
             f"{'1 − |c′_k|/|c_k|':>24}  {'S/N':>6}"]
    for a, m, b, sn in zip(payload["rank_correlation"],
                           payload["magnitude_change_rank_correlation"],
                           payload["magnitude_decay_rank_correlation"],
                           payload["signal_to_noise_paired"], strict=True):
        lines.append(f"{a['size']:>8g}  " + "  ".join(
            f"{_fmt(r['mean'], 2):>6} [{_fmt(r['lo'], 2):>5}, {_fmt(r['hi'], 2):>5}]"
            for r in (a, m, b)) + f"  {_fmt(sn, 1):>6}")
    lines.append(f"eq 7 bound Π‖W_l‖₂ ≥ exact Lipschitz at every recorded step: "
                 f"{payload['bound_holds']}")
    args.table_text = "\n".join(lines)
    return payload


def _manifold(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.spectral_bias import manifold_regression
    from ringing.simulate.training import validate_steps

    validate_steps(args.steps)
    res = manifold_regression(petals=args.petals, frequencies=args.frequencies,
                              n_samples=args.samples, depth=args.depth, width=args.width,
                              steps=args.steps, lr=args.lr, seeds=args.seeds, seed=args.seed,
                              record_every=args.record_every, device=args.device,
                              dtype=args.dtype)
    payload = res.payload()
    if args.figure:
        from ringing.experiments.spectral_bias import figure_manifold

        payload["figure"] = figure_manifold(res, args.figure)
    head = "".join(f"{'L=' + str(int(p)):>8}" for p in res.petals)
    lines = [f"Experiment 5: final Δ_F along γ_L ({args.seeds} seeds, {args.steps} steps)",
             f"{'k':>6}{head}  {'ρ(L, Δ_F) [95% CI]':>24}"]
    for i, k in enumerate(res.frequencies):
        row = "".join(f"{payload['final_delta_mean'][j][i]:>8.3f}"
                      for j in range(res.petals.size))
        lo = payload["petal_rank_correlation_lo"]
        hi = payload["petal_rank_correlation_hi"]
        lines.append(f"{k:>6g}{row}  {payload['petal_rank_correlation_mean'][i]:>8.2f} "
                     f"[{_fmt(None if lo is None else lo[i], 2)}, "
                     f"{_fmt(None if hi is None else hi[i], 2)}]")
    lines.append("final MSE: " + ", ".join(f"L={int(p)}: {m:.3f}" for p, m in
                                           zip(res.petals, payload["final_mse_mean"],
                                               strict=True)))
    args.table_text = "\n".join(lines)
    return payload


def _manifold_classify(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.spectral_bias import manifold_classification
    from ringing.simulate.training import validate_steps

    validate_steps(args.steps)
    res = manifold_classification(petals=args.petals, frequencies=args.frequencies,
                                  n_samples=args.samples, depth=args.depth, width=args.width,
                                  steps=args.steps, lr=args.lr, seeds=args.seeds,
                                  seed=args.seed, device=args.device, dtype=args.dtype)
    payload = res.payload()
    if args.figure:
        from ringing.experiments.spectral_bias import figure_manifold_classification

        payload["figure"] = figure_manifold_classification(res, args.figure)
    head = "".join(f"{'L=' + str(int(p)):>8}" for p in res.petals)
    lines = [f"Experiment 6: held-out accuracy ({args.seeds} seeds, {args.steps} steps)",
             f"{'k':>6}{head}"]
    for i, k in enumerate(res.frequencies):
        lines.append(f"{k:>6g}" + "".join(f"{v:>8.3f}" for v in payload["accuracy_mean"][i]))
    pooled = payload["petal_rank_correlation_pooled"]
    if pooled is not None:
        lines.append(f"ρ(L, accuracy), mean over unsaturated k, over seeds: "
                     f"{_fmt(pooled['mean'], 2)} [{_fmt(pooled['lo'], 2)}, "
                     f"{_fmt(pooled['hi'], 2)}]")
    args.table_text = "\n".join(lines)
    return payload


def _digits_noise(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.spectral_bias import digits_noise
    from ringing.simulate.training import validate_steps

    validate_steps(args.steps)
    res = digits_noise(noise_frequencies=args.noise_frequencies, amplitudes=args.amplitudes,
                       classes=args.classes, standardize=args.standardize, depth=args.depth,
                       width=args.width, steps=args.steps, lr=args.lr, seeds=args.seeds,
                       seed=args.seed, record_every=args.record_every, device=args.device,
                       dtype=args.dtype)
    payload = res.payload()
    if args.figure:
        from ringing.experiments.spectral_bias import figure_digits_noise

        payload["figure"] = figure_digits_noise(res, args.figure)
    wave = "standardised wave" if args.standardize else "raw wave sin(k‖x‖)"
    lines = [f"Experiment 3 on digits {args.classes}, {wave} ({args.seeds} seeds, "
             f"{args.steps} steps); label's data frequency (kNN Dirichlet ratio) "
             f"{res.label_energy:.3f}",
             f"{'k':>6} {'osc.':>6} {'energy':>6} {'offset':>6} {'β':>5}  {'best val':>9}  "
             f"{'final val':>9}  {'dip depth [95% CI]':>22}"]
    for i, k in enumerate(res.noise_frequencies):
        for j, b in enumerate(res.amplitudes):
            lo, hi = payload["dip_depth_lo"], payload["dip_depth_hi"]
            lines.append(f"{k:>6g} {res.oscillations[i]:>6.2f} {res.noise_energy[i]:>6.3f} "
                         f"{res.noise_offset_share[i]:>6.3f} "
                         f"{b:>5g}  {payload['best_val_mean'][i][j]:>9.4f}  "
                         f"{payload['final_val_mean'][i][j]:>9.4f}  "
                         f"{payload['dip_depth_mean'][i][j]:>8.3f} "
                         f"[{_fmt(None if lo is None else lo[i][j])}, "
                         f"{_fmt(None if hi is None else hi[i][j])}]")
    if payload["depth_rank_correlation"] is not None:
        lines.append("Spearman(k, dip depth) over seeds: " + ", ".join(
            f"β={b:g}: " + ("—" if r is None else
                           f"{r['mean']:.2f} [{r['lo']:.2f}, {r['hi']:.2f}]")
            for b, r in zip(res.amplitudes, payload["depth_rank_correlation"], strict=True)))
    args.table_text = "\n".join(lines)
    return payload


def _learned_table(title: str, peaks: Any, med: list[float | None], rc: dict[str, Any],
                   oc: dict[str, Any]) -> str:
    lines = [title, f"{'peak':>6}  {'learned step (median)':>22}"]
    for k, s in zip(peaks, med, strict=True):
        lines.append(f"{k:>6g}  {'never' if s is None else f'{s:g}':>22}")
    lines.append(f"rank correlation (peak, learned step) over {rc['n']} seeds: "
                 f"{_fmt(rc['mean'], 2)} [{_fmt(rc['lo'], 2)}, {_fmt(rc['hi'], 2)}]")
    lines.append(f"rank correlation (peak, Δ_F) averaged over the run, over {oc['n']} seeds: "
                 f"{_fmt(oc['mean'], 2)} [{_fmt(oc['lo'], 2)}, {_fmt(oc['hi'], 2)}]")
    return "\n".join(lines)


def _pc_fprinciple(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.frequency_principle import pc_fprinciple
    from ringing.simulate.training import validate_steps

    validate_steps(args.steps)
    res = pc_fprinciple(args.network, n_peaks=args.peaks, max_index=args.max_index,
                        steps=args.steps, lr=args.lr, seeds=args.seeds, seed=args.seed,
                        record_every=args.record_every, threshold=args.threshold,
                        init_std=args.init_std, widths=args.widths, device=args.device,
                        dtype=args.dtype)
    payload = res.payload()
    if args.figure:
        from ringing.experiments.frequency_principle import figure_pc_fprinciple

        payload["figure"] = figure_pc_fprinciple(res, args.figure)
    args.table_text = _learned_table(
        f"first-PC F-principle on digits ({args.network}, {args.seeds} seeds, "
        f"{args.steps} steps)", res.peaks, payload["learned_step_median"],
        payload["rank_correlation"], payload["order_correlation"])
    return payload


def _weighted_loss(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.frequency_principle import weighted_loss
    from ringing.simulate.training import validate_steps

    validate_steps(args.steps)
    res = weighted_loss(args.weights, target=args.target, frequencies=args.frequencies,
                        n_samples=args.samples,
                        widths=args.widths, steps=args.steps, lr=args.lr, seeds=args.seeds,
                        seed=args.seed, init_std=args.init_std, record_every=args.record_every,
                        threshold=args.threshold, device=args.device, dtype=args.dtype)
    payload = res.payload()
    if args.figure:
        from ringing.experiments.frequency_principle import figure_weighted_loss

        payload["figure"] = figure_weighted_loss(res, args.figure)
    args.table_text = "\n\n".join(
        _learned_table(f"weighted loss w(γ) = {r['weight']} ({args.target}, {args.seeds} "
                       f"seeds, {args.steps} steps)", res.peaks, r["learned_step_median"],
                       r["rank_correlation"], r["order_correlation"])
        for r in payload["results"])
    return payload


def _info_plane(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.frequency_principle import info_plane
    from ringing.simulate.training import validate_steps

    validate_steps(args.steps)
    res = info_plane(args.alphas, n_samples=args.samples, widths=args.widths, steps=args.steps,
                     lr=args.lr, optimizer=args.optimizer, seeds=args.seeds, seed=args.seed,
                     init_std=args.init_std, record_every=args.record_every,
                     bin_size=args.bin_size, device=args.device, dtype=args.dtype)
    payload = res.payload()
    if args.figure:
        from ringing.experiments.frequency_principle import figure_info_plane

        payload["figure"] = figure_info_plane(res, args.figure)
    lines = [f"information plane, f0 = x on [-1, 1], bin {args.bin_size:g} ({args.seeds} "
             f"seeds, {args.steps} steps); I(f0_b) = {res.entropy_f0:.3f} bits",
             f"{'α':>5}  {'I(Y_b)':>7}  {'peak I(T_b)':>11}  {'final I(T_b)':>12}  "
             f"{'compression [95% CI]':>24}"]
    for i, a in enumerate(res.alphas):
        lo, hi = payload["compression_lo"], payload["compression_hi"]
        lines.append(f"{a:>5g}  {res.entropy_y[i]:>7.3f}  "
                     f"{payload['peak_entropy_t_mean'][i]:>11.3f}  "
                     f"{payload['final_entropy_t_mean'][i]:>12.3f}  "
                     f"{payload['compression_mean'][i]:>8.3f} "
                     f"[{_fmt(None if lo is None else lo[i])}, "
                     f"{_fmt(None if hi is None else hi[i])}]")
    args.table_text = "\n".join(lines)
    return payload


# ----------------------------------------------------------------------------
# parsers


def register(subparsers: Any) -> None:
    """Add the seed 001 / 003 studies beyond one dimension to ``ringing simulate``."""
    sb = "Spectral bias"
    p = subparsers.add_parser(
        "perturbation", help=f"{cite(sb, '§3')}: robustness of each Fourier coefficient to "
                             "parameter noise (exact CPWL transform), Fig 1 norms, eq 7",
        description=f"Train ReLU MLPs on a sum of sines ({cite(sb, '§3, Fig 1, eq 7')}), then "
        "perturb their parameters with Gaussian noise of each size δ and measure, from the "
        "exact Fourier transform of the piecewise-linear network, how much each frequency's "
        "coefficient changes; checks the Lipschitz bound of eq 7 along training.",
        epilog="examples:\n  ringing simulate perturbation --steps 500 --seeds 2\n"
               "  ringing simulate perturbation --sizes 0.01 0.1 --draws 4 --json")
    p.add_argument("--frequencies", type=float, nargs="+", default=[1, 2, 3, 4, 5, 6, 7, 8],
                   help="target frequencies k on [0, 1)")
    p.add_argument("--sizes", type=_positive_float, nargs="+",
                   default=[0.0003, 0.001, 0.003, 0.01, 0.03, 0.1],
                   help="noise std δ per parameter (0.0003 … 0.1: from where the spectrum "
                        "responds linearly to about the trained hidden weights' RMS)")
    p.add_argument("--draws", type=int_at_least(4), default=64,
                   help="perturbations per size and network, an even number: antithetic "
                        "pairs θ ± δθ")
    p.add_argument("--samples", type=int_at_least(2), default=200,
                   help="data points, evenly spaced on [0, 1)")
    p.add_argument("--depth", type=int_at_least(1), default=4, help=DEPTH_HELP)
    p.add_argument("--width", type=int_at_least(1), default=64, help="hidden width N")
    _common(p, steps=3000, seeds=5, lr=1e-3, record_every=300)
    p.set_defaults(func=_perturbation)

    q = subparsers.add_parser(
        "manifold", help=f"{cite(sb, 'Exp. 5')}: regression on the flower curves γ_L",
        description=f"Regress sin(2πkz) on the flower curves γ_L in the plane ({cite(sb, 'Exp. 5')}"
        "): the more petals L, the easier high frequencies k are to fit; reports the final "
        "Δ_F per (k, L) and the rank correlation of L and Δ_F.",
        epilog="examples:\n  ringing simulate manifold --steps 300 --seeds 2\n"
               "  ringing simulate manifold --petals 0 16 --frequencies 8 32 --json")
    q.add_argument("--petals", type=int_at_least(0), nargs="+", default=[0, 4, 10, 16],
                   help="petal counts L of the curves γ_L (0: a circle)")
    q.add_argument("--frequencies", type=float, nargs="+",
                   default=[4, 8, 12, 16, 20, 24, 28, 32, 36, 40],
                   help="target frequencies k of sin(2πkz) along the curve")
    q.add_argument("--samples", type=int_at_least(2), default=300,
                   help="data points z on the curve")
    q.add_argument("--depth", type=int_at_least(1), default=4, help=DEPTH_HELP)
    q.add_argument("--width", type=int_at_least(1), default=64, help="hidden width N")
    _common(q, steps=1500, seeds=5, lr=1e-3, record_every=50)
    q.set_defaults(func=_manifold)

    c = subparsers.add_parser(
        "manifold-classify", help=f"{cite(sb, 'Exp. 6')}: accuracy heat map over (k, L)",
        description=f"Classify points of the flower curves γ_L by 1[sin(2πkz) > 0] ("
        f"{cite(sb, 'Exp. 6')}): held-out accuracy per frequency k and petal count L.",
        epilog="examples:\n  ringing simulate manifold-classify --steps 200 --seeds 2\n"
               "  ringing simulate manifold-classify --petals 0 8 --frequencies 4 16 --json")
    c.add_argument("--petals", type=int_at_least(0), nargs="+", default=[0, 2, 4, 8, 16],
                   help="petal counts L of the curves γ_L (0: a circle)")
    c.add_argument("--frequencies", type=float, nargs="+",
                   default=[4, 8, 12, 16, 20, 24, 28, 32],
                   help="frequencies k of the labels 1[sin(2πkz) > 0]")
    c.add_argument("--samples", type=int_at_least(2), default=256,
                   help="data points z on the curve")
    c.add_argument("--depth", type=int_at_least(1), default=4, help=DEPTH_HELP)
    c.add_argument("--width", type=int_at_least(1), default=32, help="hidden width N")
    _common(c, steps=400, seeds=3, lr=1e-3)
    c.set_defaults(func=_manifold_classify)

    d = subparsers.add_parser(
        "digits-noise", help=f"{cite(sb, 'Exp. 3')} on digits: radial-wave noise, validation dip",
        description=f"Add radial-wave noise β·sin(k‖x‖) to two digit classes ({cite(sb, 'Exp. 3')}"
        ", on scikit-learn's 8x8 digits) and train: low-frequency noise is fitted together "
        "with the label (a worse best validation loss, no dip); high-frequency noise is fitted "
        "later, after the label (a validation dip).",
        epilog="examples:\n  ringing simulate digits-noise --steps 300 --seeds 2\n"
               "  ringing simulate digits-noise --noise-frequencies 1 20 --classes 3 8 --json")
    d.add_argument("--noise-frequencies", type=_positive_float, nargs="+",
                   default=[0.1, 0.3, 1.0, 3.0, 10.0, 30.0],
                   help="k of sin(k‖x‖) (0.1 … 30: 0.03 to 9 radial oscillations across "
                        "digits 0/1)")
    d.add_argument("--amplitudes", type=_positive_float, nargs="+", default=[0.5, 1.0],
                   help="β, the wave's amplitude (its RMS over the images with --standardize)")
    d.add_argument("--classes", type=int_at_least(0), nargs=2, default=[0, 1],
                   help="the two digit classes to separate")
    d.add_argument("--standardize", action="store_true",
                   help="ablation: remove the wave's mean over the images (its constant offset) "
                        "and scale it to unit RMS; the default is the paper's raw sin(k‖x‖)")
    d.add_argument("--depth", type=int_at_least(1), default=3, help=DEPTH_HELP)
    d.add_argument("--width", type=int_at_least(1), default=64, help="hidden width N")
    _common(d, steps=1000, seeds=5, lr=2e-4, record_every=10)
    d.set_defaults(func=_digits_noise)

    fp = "F-Principle"
    e = subparsers.add_parser(
        "pc-fprinciple", help=f"{cite(fp, '§2.1, Fig 1')} on digits: Δ_F along the first "
                              "principal component",
        description=f"Train on scikit-learn's digits and follow Δ_F of the network's output "
        f"projected on the first principal component ({cite(fp, '§2.1, Fig 1')}): the peaks "
        "of its spectrum are learned from low to high frequency.",
        epilog="examples:\n  ringing simulate pc-fprinciple --steps 200 --seeds 2\n"
               "  ringing simulate pc-fprinciple --network cnn --json")
    e.add_argument("--network", choices=("mlp", "cnn"), default="mlp",
                   help="architecture: an MLP (--widths) or a small CNN")
    e.add_argument("--peaks", type=int_at_least(1), default=6, help="spectral peaks followed")
    e.add_argument("--max-index", type=int_at_least(2), default=40,
                   help="frequencies γ = 1 … this")
    e.add_argument("--widths", type=int_at_least(1), nargs="+", default=[100, 50, 50],
                   help="hidden widths, one per layer (the paper: 200 100 100)")
    e.add_argument("--init-std", type=_positive_float, default=None,
                   help="std of every initial parameter (default 0.05)")
    e.add_argument("--threshold", type=_positive_float, default=0.1,
                   help="a frequency is learned when Δ_F ≤ this")
    _common(e, steps=600, seeds=3, lr=None, record_every=10)
    e.set_defaults(func=_pc_fprinciple)

    w = subparsers.add_parser(
        "weighted-loss", help=f"{cite(fp, '§3.2 eq 4')}: train with a frequency-weighted loss",
        description=f"Train with the loss Σ w(|γ|)·|F[f - f_θ](γ)|² ({cite(fp, '§3.2 eq 4')}) "
        "for each weight function w and report when each peak of the target is learned: a "
        "weight growing with |γ| speeds up the high frequencies.",
        epilog="examples:\n  ringing simulate weighted-loss --steps 300 --seeds 2\n"
               "  ringing simulate weighted-loss --loss-weights 1 'exp(x/4)' --json")
    w.add_argument("--loss-weights", dest="weights", nargs="+", default=["1", "1 + x**2"],
                   help="loss weights w(|γ|) as expressions in x (x = |γ|)")
    add_alias(w, "--weights", "weights", nargs="+")
    w.add_argument("--target", choices=("mixture", "linear", "sines"), default="mixture",
                   help="mixture: Σ sin(2πkx+φ) on [0, 1) at --frequencies (default); linear, "
                        "sines: " + cite("F-Principle", "Fig 3, 4"))
    w.add_argument("--frequencies", type=int_at_least(1), nargs="+",
                   default=[1, 2, 3, 4, 5, 6], help="mixture frequencies (1 … 6)")
    w.add_argument("--samples", type=int_at_least(4), default=200,
                   help="data points, evenly spaced")
    w.add_argument("--widths", type=int_at_least(1), nargs="+", default=[100, 100, 100, 50],
                   help="hidden widths, one per layer")
    w.add_argument("--init-std", type=_positive_float, default=0.1,
                   help="std of every initial parameter")
    w.add_argument("--threshold", type=_positive_float, default=0.1,
                   help="a frequency is learned when Δ_F ≤ this")
    _common(w, steps=1500, seeds=3, lr=1e-3, record_every=25)
    w.set_defaults(func=_weighted_loss)

    i = subparsers.add_parser(
        "info-plane", help=f"{cite(fp, 'App. 6.3')}: I(T) and I(Y;T) during training for α",
        description=f"Train on the staircase target α·Round(f0/α) with f0 = x "
        f"({cite(fp, 'App. 6.3')}) and follow the binned information I(T) and I(Y;T) of the "
        "output during training: a compression phase appears where the target is "
        "quantised (α > 0).",
        epilog="examples:\n  ringing simulate info-plane --steps 500 --seeds 2\n"
               "  ringing simulate info-plane --alphas 0 0.25 0.5 --json")
    i.add_argument("--alphas", type=float, nargs="+", default=[0.0, 0.5],
                   help="quantisation steps α of the target α·Round(f0/α) (0: f0 itself)")
    i.add_argument("--samples", type=int_at_least(2), default=40,
                   help="data points, evenly spaced on [-1, 1) (fewer than the paper's, so "
                        "that the staircase is fitted within the reduced budget)")
    i.add_argument("--widths", type=int_at_least(1), nargs="+", default=[100, 100, 100, 50],
                   help="hidden widths, one per layer")
    i.add_argument("--optimizer", choices=("adam", "sgd"), default="adam",
                   help="optimiser: Adam or plain SGD (full batch)")
    i.add_argument("--init-std", type=_positive_float, default=0.1,
                   help="std of every initial parameter")
    i.add_argument("--bin-size", type=_positive_float, default=0.05,
                   help="bin width of the entropy estimates")
    _common(i, steps=3000, seeds=3, lr=1e-3, record_every=25)
    i.set_defaults(func=_info_plane)
