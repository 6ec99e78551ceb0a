"""``ringing simulate model-walk`` -- weight-space walks on the Toy-CNN / ResNet zoo (seed 000)."""

from __future__ import annotations

import argparse
from typing import Any

from ringing.checks import non_negative_float, positive_float
from ringing.cli_support import (
    DEVICE_HELP,
    DTYPE_HELP,
    add_alias,
    add_json_flag,
    add_norm,
    add_rng_flag,
    add_seeds,
    arg_type,
    check_norm,
    int_at_least,
)
from ringing.commands.simulate_walk import layer_rows
from ringing.papers import cite

GROUP = "simulate"

_positive_float = arg_type(positive_float)


def unit_float(text: str) -> float:
    """argparse type: a number in [0, 1]."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"{v} is not in [0, 1]")
    return v


def add_zoo_arguments(p: argparse.ArgumentParser) -> None:
    """The architecture flags shared by the zoo commands."""
    p.add_argument("arch", metavar="ARCH", choices=("toycnn", "resnet_v1", "resnet_v2"),
                   help="toycnn | resnet_v1 | resnet_v2")
    p.add_argument("activation", metavar="ACT", nargs="?", default=None,
                   help="activation: any registry spec (default: LReLU with --slope)")
    add_alias(p, "--activation", "activation_flag")
    p.add_argument("--depth", type=int_at_least(1), required=True,
                   help="Toy-CNN: units L (each applies ACT); ResNet: its depth 6n+2")
    p.add_argument("--slope", type=unit_float, default=0.0,
                   help="LReLU negative slope alpha in [0, 1] (0: ReLU), when no ACT is given")
    p.add_argument("--shortcut", type=arg_type(non_negative_float), default=0.0,
                   metavar="NU", help="skip-path weight nu (0 = NoShort, 1 = Short)")
    p.add_argument("--channels", type=int_at_least(1), default=16,
                   help="Toy-CNN channels / ResNet first-stage planes (16; wide: 28)")
    p.add_argument("--average", type=int_at_least(1), default=1, metavar="A",
                   help="feature averaging factor a")
    add_norm(p, "batch", supported=("batch", "none"))
    p.add_argument("--init", choices=("he", "delta_orthogonal"), default="he",
                   help="convolution initialisation: He (Gaussian) or delta-orthogonal "
                   "(Xiao et al. 2018; Fig 12)")
    p.add_argument("--gain", type=_positive_float, default=None, metavar="SIGMA_W",
                   help="weight scale of every conv followed by an activation (default "
                   "1/sqrt(E[phi(z)^2]); Xiao et al.'s critical tanh without BN: 1)")
    p.add_argument("--data", default="digits", help="digits (default) | cifar10:PATH")
    p.add_argument("--size", type=int_at_least(8), default=32, help="image side (32)")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "model-walk", help="weight-space walk of a Toy-CNN / ResNet: per-layer and loss spectra",
        description="Walk the weights of a Toy-CNN or ResNet ("
        + cite("Ringing ReLUs", "App. A.1") + ") along a closed "
        "loop (default) or the paper's open segment, all path points as one batch, and measure "
        "every layer's and the loss's power spectrum, centroid and fractal exponent h.",
        epilog="examples:\n  ringing simulate model-walk toycnn --depth 4 --channels 8 --size 16\n"
               "  ringing simulate model-walk resnet_v1 --depth 8 --slope 0.3 --shortcut 1 "
               "--json")
    add_zoo_arguments(p)
    p.add_argument("--path", choices=("loop", "segment"), default="loop",
                   help="closed loop in weight space (periodic, no boundary jump) or the "
                   "paper's open segment")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--radius", type=_positive_float, default=None,
                   help="absolute radius (||D||_F over all moved weights; paper: 1)")
    g.add_argument("--relative-radius", type=_positive_float, default=None,
                   help="per-tensor relative radius ||D_p|| = R ||W_p|| (default 0.5)")
    p.add_argument("--points", type=int_at_least(4), default=100, help="path samples T (100)")
    p.add_argument("--directions", type=int_at_least(1), default=4,
                   help="random directions K per network")
    add_seeds(p, 1, int_at_least(1), "; with >= 2 the intervals are over networks")
    p.add_argument("--layer-only", type=int_at_least(1), default=None, metavar="K",
                   help="move only the K-th weight tensor (Toy-CNN unit K; L+1: classifier)")
    p.add_argument("--second", choices=("shifted", "independent"), default="shifted",
                   help="a loop's second direction: the first with its entries shifted by one, "
                   "or its own Gaussian draw")
    p.add_argument("--inputs", type=int_at_least(1), default=8, help="images B per walk (8)")
    p.add_argument("--loss", choices=("mse", "cross_entropy"), default="cross_entropy",
                   help="loss whose spectrum along the path is measured")
    p.add_argument("--correlation-bins", type=int_at_least(0), default=0,
                   help="branch/skip correlation per frequency bin (Fig 6; needs --shortcut)")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="first seed S")
    p.add_argument("--device", default="auto", help=DEVICE_HELP)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help=DTYPE_HELP)
    p.add_argument("--no-spectra", action="store_true", help="leave the spectra out of the JSON")
    add_rng_flag(p)
    add_json_flag(p)
    p.set_defaults(func=_handler)


def zoo_spec(args: argparse.Namespace) -> Any:
    from ringing.simulate.zoo import ZooSpec

    check_norm(args)
    if args.activation is not None and args.slope != 0.0:
        raise ValueError("give an activation ACT or --slope, not both")
    return ZooSpec(args.arch, args.depth, slope=args.slope, activation=args.activation,
                   shortcut=args.shortcut, channels=args.channels, average=args.average,
                   norm=args.norm, init=args.init, gain=args.gain)


def _handler(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.seed000_cnn import zoo_walk
    from ringing.simulate.model_walks import ModelWalkConfig

    spec = zoo_spec(args)
    cfg = ModelWalkConfig(path=args.path, points=args.points, radius=args.radius,
                          relative_radius=args.relative_radius, directions=args.directions,
                          networks=args.seeds, layer_only=args.layer_only,
                          second=args.second, inputs=args.inputs, loss=args.loss,
                          correlation_bins=args.correlation_bins, seed=args.seed,
                          device=args.device, dtype=args.dtype, generator_device=args.rng)
    if cfg.directions * cfg.networks < 2:
        raise ValueError("intervals need at least 2 walks: use --directions >= 2 or "
                         "--seeds >= 2")
    if cfg.correlation_bins and spec.shortcut <= 0:
        raise ValueError("--correlation-bins needs skip paths (--shortcut > 0)")
    res = zoo_walk(spec, cfg, data=args.data, size=args.size,
                   correlation=bool(cfg.correlation_bins))
    out = res.as_dict(spectra=not args.no_spectra)
    lines = [f"model walk {cfg.path} {spec.label} T={cfg.points} units={out['units']}",
             "layer      centroid [95% CI]          h [95% CI]"]
    lines += layer_rows(out, [f"{name:9s}" for name in out["layers"]])
    args.table_text = "\n".join(lines)
    return out
