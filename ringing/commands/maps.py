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

#: Largest --depth accepted (a repeated map is iterated in O(1) memory and stops at its
#: float64 fixed point; unconverged iterations are refused after
#: ringing.theory.kernels.MAX_ITERATIONS layers).
MAX_DEPTH = 10**12
#: Deepest network whose full trace rho_0..rho_L is printed.
TRACE_DEPTH = 10_000


def _layers(args: argparse.Namespace, *, critical_default: bool) -> Any:
    from ringing.theory.kernels import Layer, LayerStack, ResidualLayer, critical_layer

    if args.depth < 1:
        raise ValueError(f"depth={args.depth} must be at least 1")
    if args.depth > MAX_DEPTH:
        raise ValueError(f"depth={args.depth} exceeds the limit {MAX_DEPTH}")
    if args.resnet_sigma is not None:
        if args.sigma_w is not None or args.sigma_b is not None:
            raise ValueError("--resnet-sigma cannot be combined with --sigma-w/--sigma-b")
        if getattr(args, "embedding", False):
            raise ValueError("--embedding applies to MLP layers, not to --resnet-sigma")
        return LayerStack(ResidualLayer(args.activation, args.resnet_sigma), args.depth)
    sw = 1.0 if args.sigma_w is None else args.sigma_w
    if args.sigma_b is None and critical_default:
        lay = critical_layer(args.activation, sw)
    else:
        lay = Layer(args.activation, sw, 0.0 if args.sigma_b is None else args.sigma_b)
    head = [Layer("identity", lay.sigma_w, lay.sigma_b)] if getattr(args, "embedding", False) \
        else []
    return LayerStack(lay, args.depth, head)


def _correlation(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from ringing.theory.kernels import (
        compose,
        log_composed_derivative_at_one,
        phase,
        propagate,
    )

    layers = _layers(args, critical_default=False)
    r0 = np.asarray(args.rho0, dtype=float)
    last = layers[-1]
    log_j2 = log_composed_derivative_at_one(layers)
    out: dict[str, Any] = {"activation": last.act.name}
    if len(layers) <= TRACE_DEPTH:
        rho = compose(layers, r0)
        out["rho"] = rho[:, 0].tolist() if len(args.rho0) == 1 else rho.T.tolist()
        final = rho[-1]
    else:
        final, conv = propagate(layers, r0)
        out["rho"] = None
        out["trace_omitted"] = (f"depth {len(layers)} > {TRACE_DEPTH}: only rho_L is given "
                                "(iterated in O(1) memory)")
        out["converged_at"] = conv
    out["rho_final"] = final.tolist() if len(args.rho0) > 1 else float(final[0])
    out.update(phase=phase(last), jacobian_sq=math.exp(log_j2) if log_j2 < 709 else None,
               log10_jacobian_sq=log_j2 / math.log(10.0) if math.isfinite(log_j2) else None)
    return out


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
    for key, val in list(res.items()):
        if isinstance(val, float) and not math.isfinite(val):
            res[key] = None  # e.g. the sum is 0: the theorem gives no bound
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
    p.add_argument("--depth", type=int, required=True,
                   help=f"number of layers L (1..{MAX_DEPTH}; the trace rho_0..rho_L is printed "
                   f"up to L = {TRACE_DEPTH}, beyond it only rho_L)")
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
