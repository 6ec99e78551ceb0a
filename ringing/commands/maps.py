"""``ringing correlation | critical | bound`` (seed 002 eq 2.3, A.10, Theorems 1 and 2).

Layer convention: ``--depth L`` means L layers that all apply ACT (so the sums of
Theorem 1 have L terms, as in eq 4.1-4.3).  ``--embedding`` prepends the paper's
first layer φ_1(x) = x of eq 2.1 (the convention of ``ringing simulate``), giving
L + 1 maps.  ``--resnet-sigma S`` switches to L residual blocks (eq A.10).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from ringing.cli_support import add_json_flag

GROUP = None


def _layers(args: argparse.Namespace, *, critical_default: bool) -> list[Any]:
    from ringing.theory.kernels import Layer, ResidualLayer, critical_layer

    if args.depth < 1:
        raise ValueError(f"depth={args.depth} must be at least 1")
    if args.resnet_sigma is not None:
        if args.sigma_w is not None or args.sigma_b is not None:
            raise ValueError("--resnet-sigma cannot be combined with --sigma-w/--sigma-b")
        if getattr(args, "embedding", False):
            raise ValueError("--embedding applies to MLP layers, not to --resnet-sigma")
        return [ResidualLayer(args.activation, args.resnet_sigma)] * args.depth
    sw = 1.0 if args.sigma_w is None else args.sigma_w
    if args.sigma_b is None and critical_default:
        lay = critical_layer(args.activation, sw)
    else:
        lay = Layer(args.activation, sw, 0.0 if args.sigma_b is None else args.sigma_b)
    layers = [lay] * args.depth
    if getattr(args, "embedding", False):
        layers = [Layer("identity", lay.sigma_w, lay.sigma_b), *layers]
    return layers


def _correlation(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from ringing.theory.kernels import compose, composed_derivative_at_one, phase

    layers = _layers(args, critical_default=False)
    rho = compose(layers, np.asarray(args.rho0, dtype=float))
    out = rho[:, 0].tolist() if len(args.rho0) == 1 else rho.T.tolist()
    last = layers[-1]
    return {"activation": last.act.name, "rho": out, "phase": phase(last),
            "jacobian_sq": composed_derivative_at_one(layers)}


def _critical(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.activations import get_activation
    from ringing.theory.hermite import gaussian_summary
    from ringing.theory.kernels import critical_ratio

    act = get_activation(args.activation)
    g = gaussian_summary(act)
    return {"activation": act.name, "ratio": critical_ratio(act), "norm_sq": g.norm_sq,
            "derivative_norm_sq": g.derivative_norm_sq}


def _bound(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.convexity import theorem_bound
    from ringing.theory.kernels import phase

    layers = _layers(args, critical_default=True)
    res: dict[str, Any] = dict(theorem_bound(layers, denominator=args.denominator))
    if not math.isfinite(res["one_minus_rho_max_bound"]):
        res["one_minus_rho_max_bound"] = None  # the sum is 0: the theorem gives no bound
    last = layers[-1]
    res.update(activation=last.act.name, phase=phase(last), depth=len(layers))
    if args.resnet_sigma is not None:
        res["denominator"] = args.denominator
    else:
        res.update(sigma_w=last.sigma_w, sigma_b=last.sigma_b)
    return res


def _common(p: argparse.ArgumentParser, *, rho0: bool) -> None:
    p.add_argument("activation", metavar="ACT", help="activation spec (registry)")
    p.add_argument("--sigma-w", type=float, default=None, help="weight std σ_w (default 1)")
    p.add_argument("--sigma-b", type=float, default=None, help="bias std σ_b")
    p.add_argument("--depth", type=int, required=True, help="number of layers L (>= 1)")
    if rho0:
        p.add_argument("--rho0", type=float, nargs="+", required=True,
                       help="input correlation(s) ρ_0 in [-1, 1]")
    p.add_argument("--resnet-sigma", type=float, default=None,
                   help="residual blocks (eq A.10) with branch std S instead of MLP layers")
    p.add_argument("--embedding", action="store_true",
                   help="prepend the identity embedding layer φ_1(x) = x of eq 2.1")
    add_json_flag(p)


def register(sub: Any) -> None:
    p = sub.add_parser("correlation", help="ρ_0..ρ_L through a wide LayerNorm MLP or resnet "
                       "(seed 002 eq 2.3, A.10)")
    _common(p, rho0=True)
    p.set_defaults(func=_correlation)

    p = sub.add_parser("critical", help="σ_b²/σ_w² with P'(1) = 1, or null (seed 002 §2.2)")
    p.add_argument("activation", metavar="ACT", help="activation spec (registry)")
    add_json_flag(p)
    p.set_defaults(func=_critical)

    p = sub.add_parser("bound", help="Theorem 1/2 beside the exact (P_L∘…∘P_1)'(1) and ρ̃_max "
                       "(critical initialisation unless --sigma-w/--sigma-b)")
    _common(p, rho0=False)
    p.add_argument("--denominator", choices=("stated", "proof"), default="stated",
                   help="Theorem 2's denominator: σ²‖φ‖² as stated or σ²‖φ'‖² as proved")
    p.set_defaults(func=_bound)
