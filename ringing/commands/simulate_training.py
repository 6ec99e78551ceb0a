"""``ringing simulate spectral-bias | fprinciple`` (seed 001 Experiment 1; seed 003 §3–4)."""

from __future__ import annotations

import argparse
from typing import Any

from ringing.checks import positive_float
from ringing.cli_support import (
    DEPTH_HELP,
    DEVICE_HELP,
    DTYPE_HELP,
    SEEDS_HELP,
    add_activation,
    add_json_flag,
    add_rng_flag,
    arg_type,
    int_at_least,
)
from ringing.papers import cite

GROUP = "simulate"


_int_at_least = int_at_least
_positive_float = arg_type(positive_float)


def _common(p: argparse.ArgumentParser, *, steps: int, seeds: int, lr: float,
            record_every: int) -> None:
    # steps ≥ 0 is parsed so that 0 reaches the library's one-line error
    p.add_argument("--steps", type=_int_at_least(0), default=steps,
                   help="training steps (the default is the paper's set-up; a run prints its "
                   "plan and estimated time first when progress is shown)")
    p.add_argument("--seeds", type=_int_at_least(1), default=seeds,
                   help=SEEDS_HELP + ", trained as one batch")
    p.add_argument("--seed", type=_int_at_least(0), default=0, help="first seed (default 0)")
    p.add_argument("--lr", type=_positive_float, default=lr, help="learning rate")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam",
                   help="optimiser: Adam or plain SGD (full batch)")
    p.add_argument("--record-every", type=_int_at_least(1), default=record_every,
                   help="record the spectrum every N steps")
    p.add_argument("--threshold", type=_positive_float, default=0.1,
                   help="a frequency is learned when Δ_F ≤ this ("
                   + cite("F-Principle", "§3.2") + ")")
    p.add_argument("--device", default="auto", help=DEVICE_HELP)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help=DTYPE_HELP)
    p.add_argument("--max-memory", type=_size, default=None, metavar="SIZE",
                   help="memory this run may use, e.g. 8G (default: half the memory "
                   "available); a run estimated to need more is refused before it starts")
    p.add_argument("--timings", action="store_true",
                   help="also report the training speed (steps_per_second); off by default so "
                   "that identical runs print identical bytes")
    p.add_argument("--figure", default=None, metavar="PATH",
                   help="also save the Δ_F heat map as a PNG here")
    p.add_argument("--compile", choices=("auto", "on", "off"), default="auto",
                   help="run the training step through torch.compile: auto (default) on CUDA "
                   "only, on, off; the same training up to float rounding, and a failed "
                   "compilation warns once and trains without it")
    add_rng_flag(p)
    add_json_flag(p)


def _size(text: str) -> int:
    from ringing.simulate.budget import parse_size

    return parse_size(text, "--max-memory")


def _table(payload: dict[str, Any], title: str, steps: int, paper_steps: int) -> str:
    finals = [row[-1] if len(row) else None for row in payload["curves"]]
    lines = [title, f"{'frequency':>10}  {'learned step (median)':>22}  {'final Δ_F':>10}"]
    for k, s, d in zip(payload["frequencies"], payload["learned_step"], finals, strict=True):
        when = f"not within {steps}" if s is None else f"{s:g}"
        lines.append(f"{k:>10g}  {when:>22}  {'-' if d is None else f'{d:.3f}':>10}")
    n_learned = sum(s is not None for s in payload["learned_step"])
    n = len(payload["learned_step"])
    loss = payload.get("final_train_loss", {}).get("median")
    lines.append(f"learned (median Δ_F ≤ {payload['threshold']:g}): {n_learned} of {n} "
                 f"frequencies in {steps} steps; final training loss (median over seeds) "
                 + ("-" if loss is None else f"{loss:.3g}"))
    if n_learned < n:
        lines.append(f"{n - n_learned} not learned yet: more steps are needed"
                     + (f" (the paper trains {paper_steps})" if steps < paper_steps else ""))
    rc = payload["rank_correlation"]
    spread = payload["rank_correlation_spread"]
    lines.append(f"rank correlation (medians): {'undefined' if rc is None else f'{rc:.3f}'}")
    if spread["median"] is not None:
        lines.append(f"per seed: median {spread['median']:.3f}, min {spread['min']:.3f}, "
                     f"max {spread['max']:.3f}")
    return "\n".join(lines)


def _spectral_bias(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.training import spectral_bias, validate_steps

    validate_steps(args.steps)
    freqs = args.frequencies if args.frequencies else list(range(5, 55, 5))
    res = spectral_bias(frequencies=freqs, amplitudes=args.amplitudes, n_samples=args.samples,
                        depth=args.depth, width=args.width, activation=args.activation,
                        steps=args.steps, seeds=args.seeds, seed=args.seed, lr=args.lr,
                        optimizer=args.optimizer, record_every=args.record_every,
                        threshold=args.threshold, device=args.device, dtype=args.dtype,
                        max_memory=args.max_memory, generator_device=args.rng,
                        compile=args.compile)
    payload = res.payload()
    if args.timings:
        payload["timings"] = {"steps_per_second": res.steps_per_second}
    if args.figure:
        from ringing.validate.figures_training import figure_spectral_bias

        payload["figure"] = figure_spectral_bias(res, args.figure)
    args.table_text = _table(payload, f"spectral bias ({args.amplitudes} amplitudes, "
                                      f"{args.seeds} seeds, {args.steps} steps)",
                             args.steps, 80000)
    return payload


def _fprinciple(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.training import fprinciple, validate_steps

    validate_steps(args.steps)
    widths = None
    if args.widths:
        widths = [int(w) for w in args.widths]
    res = fprinciple(args.target, sampling=args.sampling, noise_placement=args.noise_placement,
                     widths=widths, activation=args.activation, steps=args.steps,
                     seeds=args.seeds, seed=args.seed, lr=args.lr, init_std=args.init_std,
                     optimizer=args.optimizer, record_every=args.record_every,
                     threshold=args.threshold, device=args.device, dtype=args.dtype,
                     max_memory=args.max_memory, generator_device=args.rng,
                     compile=args.compile)
    payload = res.payload()
    if args.timings:
        payload["timings"] = {"steps_per_second": res.steps_per_second}
    if args.figure:
        from ringing.validate.figures_training import figure_fprinciple

        payload["figure"] = figure_fprinciple(res, args.figure)
    text = _table(payload, f"frequency principle ({args.target}, {args.sampling} samples, "
                           f"{args.seeds} seeds, {args.steps} steps)", args.steps, 20000)
    if "early_stopping" in payload:
        es = payload["early_stopping"]
        text += ("\nearly stopping: test-loss minimum at steps "
                 f"{list(map(int, es['test_min_step']))}, training loss levels off at "
                 f"{list(map(int, es['train_leveloff_step']))}; Δ_F of the dominant peak there "
                 f"{[round(float(v), 3) for v in es['dominant_delta_at_test_min']]}")
    args.table_text = text
    return payload


def register(subparsers: Any) -> None:
    """Add ``spectral-bias`` and ``fprinciple`` to ``ringing simulate``."""
    sb = cite("Spectral bias", "Exp. 1")
    p = subparsers.add_parser(
        "spectral-bias", help=f"{sb}: which frequencies a ReLU MLP learns first",
        description=f"Train MLPs (full batch) on a sum of sines on [0, 1) ({sb}) and record, "
        "for each frequency, when its relative Fourier error Δ_F first falls below the "
        "threshold; the rank correlation of frequency and learning step measures the bias.  "
        "The defaults are the paper's set-up (80 000 steps × 10 networks).",
        epilog="examples:\n  ringing simulate spectral-bias --steps 2000 --seeds 2\n"
               "  ringing simulate spectral-bias tanh --amplitudes rising --steps 5000 "
               "--figure sb.png --json")
    add_activation(p, default="relu")
    p.add_argument("--amplitudes", choices=("equal", "rising"), default="equal",
                   help="amplitudes of the sines: all 1 (equal) or rising with frequency "
                   "(i/K)")
    p.add_argument("--frequencies", type=float, nargs="+", default=None,
                   help="frequencies k_i of the target (default 5 10 ... 50)")
    p.add_argument("--samples", type=_int_at_least(2), default=200,
                   help="data points, evenly spaced on [0, 1)")
    p.add_argument("--depth", type=_int_at_least(1), default=6, help=DEPTH_HELP)
    p.add_argument("--width", type=_int_at_least(1), default=256, help="hidden width N")
    _common(p, steps=80000, seeds=10, lr=3e-4, record_every=100)
    p.set_defaults(func=_spectral_bias)

    fp = cite("F-Principle", "§3-4")
    q = subparsers.add_parser(
        "fprinciple", help=f"{fp}: Δ_F at the target's peaks during training",
        description=f"Train tanh MLPs on a quantised 1-D target ({fp}) and follow the relative "
        "error Δ_F at the peaks of the target's spectrum: low frequencies converge first "
        "(the frequency principle).  The defaults are the paper's set-up (20 000 steps).",
        epilog="examples:\n  ringing simulate fprinciple --steps 2000 --seeds 2\n"
               "  ringing simulate fprinciple --target noisy-sin --sampling nonuniform "
               "--steps 5000 --json")
    add_activation(q, default="tanh")
    q.add_argument("--target", choices=("linear", "sines", "noisy-sin"), default="linear",
                   help="the target function f0 (quantised as α·Round(f0/α))")
    q.add_argument("--sampling", choices=("uniform", "nonuniform"), default="uniform",
                   help="training points evenly spaced, or the paper's non-uniform sample")
    q.add_argument("--noise-placement", choices=("inside", "outside"), default="inside",
                   help="noisy-sin: noise added to f0 before rounding (inside, as §4 words "
                        "it) or to the rounded target (outside)")
    q.add_argument("--widths", type=_int_at_least(1), nargs="+", default=None,
                   help="hidden widths, one per layer (default 200 200 200 100; "
                        "400 400 400 200 200 non-uniform)")
    q.add_argument("--init-std", type=_positive_float, default=0.1,
                   help="std of every initial parameter")
    _common(q, steps=20000, seeds=5, lr=2e-5, record_every=50)
    q.set_defaults(func=_fprinciple)
