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

from ringing.cli_support import DEPTH_HELP, SIGMA_W_HELP, add_activation, add_json_flag
from ringing.papers import cite

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
    args.table_text = _correlation_text(args, out, len(layers), last)
    return out


def _correlation_text(args: argparse.Namespace, out: dict[str, Any], n: int, last: Any) -> str:
    from ringing.cli_support import chop

    net = (f"{n} residual blocks, branch std {args.resnet_sigma:g}" if args.resnet_sigma
           is not None else f"{n} layers" + (" (the embedding, then ACT)" if args.embedding
                                             else " applying ACT") +
           f", σ_w={last.sigma_w:.4g}, σ_b={last.sigma_b:.4g}")
    lines = [f"correlation map of {out['activation']}: {net}; phase {out['phase']}"]
    r0 = list(args.rho0)
    finals = out["rho_final"] if isinstance(out["rho_final"], list) else [out["rho_final"]]
    if out["rho"] is not None:
        rows = out["rho"] if len(r0) > 1 else [out["rho"]]
        shown = list(range(n + 1)) if n <= 12 else [*range(9), n - 1, n]
        lines.append(f"{'layer l':>8}  " + "  ".join(f"rho0={r:<+8.4g}" for r in r0))
        for i in shown:
            if i == n - 1 and n > 12:
                lines.append(f"{'...':>8}")
            lines.append(f"{i:>8}  " + "  ".join(f"{row[i]:<13.10f}" for row in rows))
    else:
        lines.append(str(out["trace_omitted"]))
        lines.append(f"{'rho_L':>8}  " + "  ".join(f"{v:.10f}" for v in finals))
    j2 = out["jacobian_sq"]
    lines.append("squared Jacobian norm (P_L∘…∘P_1)'(1): "
                 + ("overflows float64" if j2 is None else f"{chop(j2, 1.0):.10g}")
                 + ("" if out["log10_jacobian_sq"] is None else
                    f" (log10 {chop(out['log10_jacobian_sq'], 1.0):.10g})"))
    return "\n".join(lines)


def _critical(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.activations import get_activation
    from ringing.theory.hermite import gaussian_summary
    from ringing.theory.kernels import critical_ratio

    act = get_activation(args.activation)
    g = gaussian_summary(act)
    ratio = critical_ratio(act)
    args.table_text = (
        f"critical initialisation of {act.name} in a LayerNorm network\n"
        + (f"σ_b²/σ_w² with P'(1) = 1   {ratio:.10g}" if ratio is not None else
           "σ_b²/σ_w² with P'(1) = 1   none (no ratio reaches P'(1) = 1)")
        + f"\n‖φ‖² (Gaussian norm)       {g.norm_sq:.10g}"
        f"\n‖φ'‖²                      {g.derivative_norm_sq:.10g}")
    return {"activation": act.name, "ratio": ratio, "norm_sq": g.norm_sq,
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
    b = res.get("one_minus_rho_max_bound")
    # 1 - ρ_max ≤ 2 always: a bound of 2 or more (or none) asserts nothing
    res["vacuous"] = b is None or b >= 2.0
    args.table_text = _bound_text(args, res)
    return res


def _bound_text(args: argparse.Namespace, res: dict[str, Any]) -> str:
    from ringing.cli_support import chop, render_table

    b = res.get("one_minus_rho_max_bound")
    if b is None:
        verdict = "vacuous: no bound (the sum of linearisation errors is 0)"
    elif b >= 2.0:
        verdict = f"{b:.6g}: vacuous (1 - ρ_max ≤ 2 always)"
    else:
        verdict = f"{b:.6g}"
    net = (f"{res['depth']} residual blocks" if args.resnet_sigma is not None else
           f"{res['depth']} layers, σ_w={res['sigma_w']:.6g}, σ_b={res['sigma_b']:.6g}")
    rows = {
        "bound on 1 - ρ_max": verdict,
        "sum of linearisation terms S": res["theorem_sum"],
        "(P_L∘…∘P_1)'(1) (= J²)": chop(res["jacobian_sq"], 1.0),
        "log10 J²": chop(res["log10_jacobian_sq"], 1.0),
        "ρ̃_max": res["rho_tilde_max"],
        "1 - ρ̃ at layer L": res["one_minus_rho_tilde"],
        "1 - ρ̃_max": res["one_minus_rho_tilde_max"],
        "phase": res["phase"],
    }
    if "denominator" in res:
        rows["Theorem 2 denominator"] = res["denominator"]
    head = (f"{cite('Gradient explosion', 'Theorems 1, 2')} for {res['activation']}: {net}")
    return head + "\n" + render_table(rows) + f"\nprecision: {res['precision']}"


def _common(p: argparse.ArgumentParser, *, rho0: bool) -> None:
    add_activation(p)
    p.add_argument("--sigma-w", type=float, default=None, help=SIGMA_W_HELP)
    p.add_argument("--sigma-b", type=float, default=None,
                   help="bias std σ_b (default 0; `bound`: the critical σ_b unless --sigma-w "
                   "or --sigma-b is given)")
    p.add_argument("--depth", type=int, required=True,
                   help=f"{DEPTH_HELP} (1..{MAX_DEPTH}; the trace ρ_0..ρ_L is printed up to "
                   f"L = {TRACE_DEPTH}, beyond it only ρ_L)")
    if rho0:
        p.add_argument("--rho0", type=float, nargs="+", required=True,
                       help="input correlation(s) ρ_0 in [-1, 1]")
    p.add_argument("--resnet-sigma", type=float, default=None, metavar="S",
                   help="residual blocks (" + cite("Gradient explosion", "eq A.10") + ") with "
                   "branch std S instead of MLP layers; --depth counts the blocks")
    p.add_argument("--embedding", action="store_true",
                   help="prepend the linear embedding layer φ_1(x) = x of "
                   + cite("Gradient explosion", "eq 2.1") + " (as `ringing simulate "
                   "correlation` does); with σ_b = 0 it leaves ρ unchanged")
    add_json_flag(p)


def register(sub: Any) -> None:
    ge = cite("Gradient explosion", "eq 2.3, A.10")
    p = sub.add_parser(
        "correlation", help=f"ρ_0..ρ_L through a wide LayerNorm MLP or resnet ({ge})",
        description=f"The infinite-width correlation map ({ge}): ρ_l = P(ρ_(l-1)) through L "
        "layers applying ACT (or L residual blocks), from each ρ_0, with the phase (ordered, "
        "critical, chaotic) and the squared Jacobian norm (P_L∘…∘P_1)'(1).",
        epilog="examples:\n  ringing correlation relu --depth 10 --rho0 0.2 0.5 0.9\n"
               "  ringing correlation tanh --sigma-w 1.5 --sigma-b 0.3 --depth 50 --rho0 0.5 "
               "--json")
    _common(p, rho0=True)
    p.set_defaults(func=_correlation)

    p = sub.add_parser(
        "critical", help="σ_b²/σ_w² with P'(1) = 1, or null "
                         f"({cite('Gradient explosion', '§2.2')})",
        description="The critical initialisation of ACT in a LayerNorm network: the ratio "
        "σ_b²/σ_w² at which the correlation map has slope P'(1) = 1 ("
        + cite("Gradient explosion", "§2.2") + "), or none when no ratio reaches it.",
        epilog="examples:\n  ringing critical tanh\n  ringing critical 'lrelu(slope=0.2)' "
               "--json")
    add_activation(p)
    add_json_flag(p)
    p.set_defaults(func=_critical)

    th = cite("Gradient explosion", "Theorems 1 and 2")
    p = sub.add_parser(
        "bound", help=f"{th} beside the exact (P_L∘…∘P_1)'(1) and ρ̃_max "
                      "(critical initialisation unless --sigma-w/--sigma-b)",
        description=f"Evaluate {th}: the lower bound on the squared Jacobian norm from the "
        "linearisation errors and the maximal correlation, beside the exact composed slope "
        "(P_L∘…∘P_1)'(1) and ρ̃_max.  A bound that asserts nothing (1 - ρ_max bounded by a "
        "number ≥ 1, or no bound at all) is reported as vacuous.",
        epilog="examples:\n  ringing bound relu --depth 50\n"
               "  ringing bound tanh --sigma-w 1 --sigma-b 0.1 --depth 20 --json")
    _common(p, rho0=False)
    p.add_argument("--denominator", choices=("stated", "proof"), default="stated",
                   help="Theorem 2's denominator: σ²‖φ‖² as stated or σ²‖φ'‖² as proved")
    p.set_defaults(func=_bound)
