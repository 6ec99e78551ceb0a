"""``ringing simulate walk`` -- weight-space Fourier walks (seed 000 eq 1, §4, App. D, E)."""

from __future__ import annotations

import argparse
from typing import Any

from ringing.checks import positive_float
from ringing.cli_support import (
    DEPTH_HELP,
    DEVICE_HELP,
    DTYPE_HELP,
    SIGMA_W_HELP,
    add_activation,
    add_json_flag,
    add_norm,
    add_rng_flag,
    add_seeds,
    arg_type,
    check_norm,
    default_sigma_w,
    int_at_least,
)
from ringing.papers import cite

GROUP = "simulate"


_int_at_least = int_at_least
_positive_float = arg_type(positive_float)


def register(subparsers: Any) -> None:
    rr = cite("Ringing ReLUs", "eq 1, §4, App. D, E")
    p = subparsers.add_parser(
        "walk", help="weight-space Fourier walk: per-layer spectra, centroid, fractal exponent",
        description="Walk the weights of a wide network along a closed loop (default) or the "
        f"paper's open segment ({rr}) and measure every layer's power spectrum: spectral "
        "centroid and fractal exponent h with 95% intervals over directions (and networks).  "
        "--theory sets the prediction of `ringing blueshift` beside each layer.",
        epilog="examples:\n  ringing simulate walk relu --depth 10 --width 256 --theory\n"
               "  ringing simulate walk tanh --depth 5 --width 128 --path segment --seeds 4 "
               "--json")
    add_activation(p)
    p.add_argument("--depth", type=_int_at_least(1), required=True, help=DEPTH_HELP)
    p.add_argument("--width", type=_int_at_least(1), default=128,
                   help="hidden width N (the default keeps the finite-width bias of every "
                   "layer's centroid, O(L/N), inside the default interval)")
    p.add_argument("--in-dim", type=_int_at_least(1), default=None,
                   help="input width n_0 (default: the width)")
    p.add_argument("--path", choices=("loop", "segment"), default="loop",
                   help="closed loop in weight space (periodic, no boundary jump) or the "
                   "paper's open segment")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--radius", type=float, default=None,
                   help="absolute radius (||D||_F = 1 over moved weights, times A)")
    g.add_argument("--relative-radius", type=float, default=None,
                   help="relative radius ||D^l|| = R ||W^l|| (default 0.5)")
    p.add_argument("--residual", type=float, default=None, metavar="NU",
                   help="residual blocks with branch weight NU in [0, 1]")
    p.add_argument("--points", type=int, default=100, help="path samples T >= 4")
    p.add_argument("--directions", type=_int_at_least(1), default=8,
                   help="random directions K per network")
    add_seeds(p, 4, _int_at_least(1), "; with >= 2 the intervals are over networks (population "
              "intervals, comparable with the wide-limit prediction); with 1 they are "
              "conditional on that network")
    p.add_argument("--direction", choices=("random", "gradient"), default="random",
                   help="walk direction: a random Gaussian direction, or the loss gradient")
    p.add_argument("--second", choices=("auto", "shifted", "independent"), default="auto",
                   help="a loop's second direction D2: D1 with its rows shifted by one (two "
                   "matrix products per layer), its own Gaussian draw (three), or auto "
                   "(shifted for random directions, independent for gradients)")
    p.add_argument("--layer-only", type=int, default=None, metavar="K",
                   help="move only layer K (1..L)")
    p.add_argument("--average", type=_int_at_least(1), default=1, metavar="A",
                   help="feature averaging factor (" + cite("Ringing ReLUs", "§4.4") + ")")
    add_norm(p, "none", supported=("batch", "none"))
    p.add_argument("--inputs", type=_int_at_least(1), default=8,
                   help="inputs B fed to each network")
    p.add_argument("--sigma-w", type=_positive_float, default=None, help=SIGMA_W_HELP)
    p.add_argument("--kmax", type=_int_at_least(1), default=None,
                   help="highest frequency of the fractal-exponent fit (default min(25, T//2))")
    p.add_argument("--correlation-bins", type=_int_at_least(0), default=0,
                   help="frequency bins of the branch/shortcut correlation (needs --residual)")
    p.add_argument("--theory", action="store_true",
                   help="also set the theory's predicted spectra beside the measured ones")
    p.add_argument("--seed", type=_int_at_least(0), default=0, help="first seed S")
    p.add_argument("--device", default="auto", help=DEVICE_HELP)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help=DTYPE_HELP)
    p.add_argument("--max-memory", type=_size, default=None, metavar="SIZE",
                   help="memory this run may use, e.g. 8G (default: half the memory "
                   "available); directions are chunked to fit, and a walk whose weights and "
                   "one direction do not fit is refused before it allocates")
    add_rng_flag(p)
    add_json_flag(p)
    p.set_defaults(func=_handler)


def _size(text: str) -> int:
    from ringing.simulate.budget import parse_size

    return parse_size(text, "--max-memory")


def _handler(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.walks import WalkConfig, walk
    from ringing.validate.compare import compare_with_theory

    check_norm(args)
    if args.sigma_w is None:
        args.sigma_w = default_sigma_w(args.activation, args.norm)
    cfg = WalkConfig(
        activation=args.activation, depth=args.depth, width=args.width, in_dim=args.in_dim,
        path=args.path, points=args.points, radius=args.radius,
        relative_radius=args.relative_radius, directions=args.directions,
        networks=args.seeds, direction=args.direction, layer_only=args.layer_only,
        residual=args.residual, average=args.average, norm=args.norm, inputs=args.inputs,
        sigma_w=args.sigma_w, kmax=args.kmax, second=args.second,
        correlation_bins=args.correlation_bins,
        seed=args.seed, device=args.device, dtype=args.dtype, generator_device=args.rng)
    if cfg.directions * cfg.networks < 2:
        raise ValueError("intervals need at least 2 independent walks: use --directions >= 2 "
                         "or --seeds >= 2")
    res = walk(cfg, max_memory=args.max_memory)
    out = res.as_dict()
    if args.theory:
        cmp = compare_with_theory(res)
        out["theory"] = {key: cmp[key] for key in ("predicted_centroid", "centroid_z", "tv",
                                                   "tv_noise", "predicted_h", "method")}
        out["theory"]["power_spectrum"] = cmp["predicted_normalised"]
    if cfg.layer_only is not None:
        _null_unmoved(out, cfg.layer_only - 1)
    lines = [f"walk {cfg.path} {cfg.activation} L={cfg.depth} N={cfg.width} T={cfg.points} "
             f"σ_w={cfg.sigma_w:.4g} units={out['units']} (centroid: frequency in cycles per "
             "path; h: fractal exponent, P(k) ~ k^-h; 95% intervals over units)",
             "layer  centroid [95% CI]          h [95% CI]"]
    rows = layer_rows(out, [f"{layer:5d}" for layer in out["layers"]])
    if "theory" in out:
        th = out["theory"]
        lines[-1] += "           theory: centroid (z)       h"
        for i, row in enumerate(rows):
            c, z, h = (th["predicted_centroid"][i], th["centroid_z"][i], th["predicted_h"][i])
            if c is not None:
                row += (f"   {c:7.4f} ({'-' if z is None else f'{z:+.2f}'})"
                        f"{'-' if h is None else f'{h:9.3f}':>10}")
            rows[i] = row
        lines += rows
        lines.append(f"theory: {th['method']}")
    else:
        lines += rows
    args.table_text = "\n".join(lines)
    return out


def layer_rows(out: dict[str, Any], labels: list[str]) -> list[str]:
    """One text row per layer of a walk payload: centroid and h with their intervals (also
    used by ``ringing simulate model-walk``)."""
    rows = []
    for i, label in enumerate(labels):
        if out["spectral_centroid"][i] is None:
            rows.append(f"{label}        - (layer below --layer-only: its path is constant)")
            continue
        lo, hi = out["spectral_centroid_ci"][i]
        h = out["fractal_exponent"][i]
        hs = "   -" if h is None else (f"{h:6.3f} [{out['fractal_exponent_ci'][i][0]:6.3f}, "
                                      f"{out['fractal_exponent_ci'][i][1]:6.3f}]")
        rows.append(f"{label}  {out['spectral_centroid'][i]:7.4f} [{lo:7.4f}, {hi:7.4f}]  {hs}")
    return rows


#: per-layer entries of the payload that are statistics of a layer's spectrum
_PER_LAYER = ("spectral_centroid", "spectral_centroid_ci", "fractal_exponent",
              "fractal_exponent_ci", "fractal_exponent_fit_ci", "power_spectrum",
              "derivative_spectrum")
_PER_LAYER_THEORY = ("centroid_z", "tv", "tv_noise")


def _null_unmoved(out: dict[str, Any], below: int) -> None:
    """With ``--layer-only K`` the layers below K do not move: their path is constant and its
    spectrum is round-off (float32 and float64 disagree), so their statistics are ``null``."""
    def blank(d: dict[str, Any], keys: tuple[str, ...]) -> None:
        for key in keys:
            if key in d and d[key] is not None:
                d[key] = [None if i < below else v for i, v in enumerate(list(d[key]))]

    blank(out, _PER_LAYER)
    if "theory" in out:
        blank(out["theory"], _PER_LAYER_THEORY)
