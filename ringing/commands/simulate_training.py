"""``ringing simulate spectral-bias | fprinciple`` (seed 001 Experiment 1; seed 003 §3–4)."""

from __future__ import annotations

import argparse
from typing import Any

from ringing.checks import positive_float
from ringing.cli_support import add_json_flag, add_rng_flag, arg_type, int_at_least

GROUP = "simulate"


_int_at_least = int_at_least
_positive_float = arg_type(positive_float)


def _common(p: argparse.ArgumentParser, *, steps: int, seeds: int, lr: float,
            record_every: int) -> None:
    # steps ≥ 0 is parsed so that 0 reaches the library's one-line error
    p.add_argument("--steps", type=_int_at_least(0), default=steps,
                   help=f"training steps (default {steps}, the paper's set-up)")
    p.add_argument("--seeds", type=_int_at_least(1), default=seeds,
                   help=f"independent runs (default {seeds})")
    p.add_argument("--seed", type=_int_at_least(0), default=0, help="first seed (default 0)")
    p.add_argument("--lr", type=_positive_float, default=lr, help=f"learning rate ({lr:g})")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    p.add_argument("--record-every", type=_int_at_least(1), default=record_every,
                   help=f"record the spectrum every N steps (default {record_every})")
    p.add_argument("--threshold", type=_positive_float, default=0.1,
                   help="a frequency is learned when Δ_F ≤ this (default 0.1, seed 003 §3.2)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
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


def _table(payload: dict[str, Any], title: str) -> str:
    lines = [title, f"{'frequency':>10}  {'learned step (median)':>22}"]
    for k, s in zip(payload["frequencies"], payload["learned_step"], strict=True):
        lines.append(f"{k:>10g}  {'never' if s is None else f'{s:g}':>22}")
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
                                      f"{args.seeds} seeds, {args.steps} steps)")
    return payload


def _fprinciple(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.training import fprinciple, validate_steps

    validate_steps(args.steps)
    widths = None
    if args.widths:
        widths = [int(w) for w in args.widths]
    res = fprinciple(args.target, sampling=args.sampling, noise_placement=args.noise_placement,
                     widths=widths,
                     activation=args.activation, steps=args.steps, seeds=args.seeds,
                     seed=args.seed, lr=args.lr, init_std=args.init_std,
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
                           f"{args.seeds} seeds, {args.steps} steps)")
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
    p = subparsers.add_parser(
        "spectral-bias", help="seed 001 Exp. 1: which frequencies a ReLU MLP learns first")
    p.add_argument("--amplitudes", choices=("equal", "rising"), default="equal")
    p.add_argument("--frequencies", type=float, nargs="+", default=None,
                   help="k_i (default 5 10 ... 50)")
    p.add_argument("--samples", type=_int_at_least(2), default=200,
                   help="evenly spaced points on [0, 1) (default 200)")
    p.add_argument("--depth", type=_int_at_least(1), default=6, help="hidden layers (6)")
    p.add_argument("--width", type=_int_at_least(1), default=256, help="hidden width (256)")
    p.add_argument("--activation", default="relu", help="registry spec (relu)")
    _common(p, steps=80000, seeds=10, lr=3e-4, record_every=100)
    p.set_defaults(func=_spectral_bias)

    q = subparsers.add_parser(
        "fprinciple", help="seed 003 §3–4: Δ_F at the target's peaks during training")
    q.add_argument("--target", choices=("linear", "sines", "noisy-sin"), default="linear")
    q.add_argument("--sampling", choices=("uniform", "nonuniform"), default="uniform")
    q.add_argument("--noise-placement", choices=("inside", "outside"), default="inside",
                   help="noisy-sin: noise added to f0 before rounding (inside, as §4 words "
                        "it) or to the rounded target (outside)")
    q.add_argument("--widths", type=_int_at_least(1), nargs="+", default=None,
                   help="hidden widths (default 200 200 200 100; 400 400 400 200 200 "
                        "non-uniform)")
    q.add_argument("--activation", default="tanh", help="registry spec (tanh)")
    q.add_argument("--init-std", type=_positive_float, default=0.1,
                   help="std of every initial parameter (0.1)")
    _common(q, steps=20000, seeds=5, lr=2e-5, record_every=50)
    q.set_defaults(func=_fprinciple)
