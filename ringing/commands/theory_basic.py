"""``ringing hermite | gauss | covariance | nlc-tau | summary``.

Seed 002 §2.1 and App. B; seed 004 §5.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ringing.cli_support import DEPTH_HELP, add_activation, add_json_flag, chop, render_table
from ringing.papers import cite

GROUP = None


def _hermite(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.hermite import hermite_coefficients

    res = hermite_coefficients(args.activation, args.degree, sigma=args.sigma, exact=args.exact)
    payload = {
        "activation": res.activation,
        "sigma": res.sigma,
        "coefficients": res.coefficients,
        "method": res.method,
        "exact": res.exact_strings(),
        "error": res.error,
        "norm_sq": res.norm_sq,
        "tail": res.tail,
    }
    coef = [float(c) for c in res.coefficients]
    scale = max((abs(c) for c in coef), default=0.0)
    err = np.broadcast_to(np.asarray(res.error, dtype=float), (len(coef),))
    # within its quadrature error (or ZERO_RTOL of the largest) of 0: zero by symmetry
    shown = [chop(c, scale, e) for c, e in zip(coef, err.tolist(), strict=True)]
    rows = [f"{'k':>4}  {'h_k':>24}  exact"] + [
        f"{k:>4}  {c:>24.16g}  {e if e is not None else '-'}"
        for k, (c, e) in enumerate(zip(shown, res.exact_strings(), strict=True))
    ]
    args.table_text = (f"Hermite coefficients of {res.activation} (sigma={res.sigma:g}); "
                       f"method: {res.method}\n" + "\n".join(rows) +
                       f"\n||phi||^2 = {res.norm_sq:.16g}, tail beyond K = {res.tail:.3g}")
    return payload


def _gauss(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.hermite import gaussian_summary

    g = gaussian_summary(args.activation, args.sigma, exact=args.exact)
    payload: dict[str, Any] = {"activation": g.activation, "sigma": g.sigma, **g.as_dict(),
                               "method": g.method}
    if g.exact:
        payload["exact"] = {k: (str(list(v)) if isinstance(v, tuple) else str(v))
                            for k, v in g.exact.items()}
    scale = g.norm_sq ** 0.5  # E φ and h_0 below ZERO_RTOL·‖φ‖ are round-off of 0
    h0, h1 = chop(list(payload["linear"]), scale)
    rows: dict[str, Any] = {
        "‖φ‖² = E φ(σz)²": g.norm_sq,
        "‖φ'‖² = E φ'(σz)²": g.derivative_norm_sq,
        "mean E φ(σz)": chop(payload["mean"], scale),
        "variance": payload["variance"],
        "linearisation h_0 + h_1 z": f"h_0 = {h0:.10g}, h_1 = {h1:.10g}",
        "its squared error ‖φ - φ̄‖²": payload["linearization_error_sq"],
    }
    if g.exact:
        rows["exact"] = payload["exact"]
    args.table_text = (f"Gaussian statistics of {g.activation}(σz), z ~ N(0, 1), σ = {g.sigma:g}"
                       f"\n{render_table(rows)}\nmethod: {g.method}")
    return payload


def _covariance(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.gauss_kernel import covariance_result

    rho = np.asarray(args.rho, dtype=float)
    res = covariance_result(args.activation, rho, sigma=args.sigma, derivative=args.derivative)
    val, method = res.value, res.method
    payload = {"activation": args.activation, "sigma": args.sigma,
               "derivative": bool(args.derivative), "rho": rho, "covariance": val,
               "method": method, "error": res.error}
    what = "C[phi'|rho]" if args.derivative else "C[phi|rho]"
    args.table_text = (f"{what} of {args.activation} (sigma={args.sigma:g}); {method}; "
                       f"error <= {res.error:.1e}\n"
                       f"{'rho':>10}  {'C':>22}\n" +
                       "\n".join(f"{r:>10.6g}  {c:>22.16g}" for r, c in zip(rho, val,
                                                                              strict=True)))
    return payload


def _nlc_tau(args: argparse.Namespace) -> dict[str, Any]:
    import math

    from ringing.theory.nlc import nlc_tau_summary

    if args.depth < 1:
        raise ValueError(f"depth={args.depth} must be at least 1")
    # --depth counts hidden layers applying ACT; the library counts linear layers (seed 004)
    r = nlc_tau_summary(args.activation, args.sigma, args.depth + 1)
    payload = {"activation": r.activation, "sigma": r.sigma, "depth": args.depth,
               "linear_layers": r.depth,
               "nlc_tau": r.nlc_tau, "linear_approx_error": r.linear_approx_error,
               "nlc_tau_power": r.nlc_tau_power if math.isfinite(r.nlc_tau_power) else None,
               "log10_nlc_tau_power": r.log10_nlc_tau_power, "method": r.method}
    power = ("overflows float64" if payload["nlc_tau_power"] is None
             else f"{payload['nlc_tau_power']:.10g}")
    args.table_text = "\n".join([
        f"nonlinearity coefficient of {r.activation} ({cite('NLC', '§5')}), σ = {r.sigma:g}",
        f"NLC_τ(σ)                          {r.nlc_tau:.10g}",
        f"linear approximation error at σ=1 {r.linear_approx_error:.10g}",
        f"prediction NLC_τ^L, L = {args.depth:<9d} {power}  (log10 "
        f"{r.log10_nlc_tau_power:.6g}; {r.depth} linear layers)",
        f"method: {r.method}"])
    return payload


def _summary(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.runs.progress import progress
    from ringing.theory.hermite import gaussian_summary
    from ringing.theory.nlc import nlc_tau_summary

    rows: list[dict[str, Any]] = []
    for name in progress(args.activations, desc="summary"):
        g = gaussian_summary(name)
        n = nlc_tau_summary(name)
        rows.append({"activation": g.activation, "norm_sq": g.norm_sq,
                     "derivative_norm_sq": g.derivative_norm_sq, "mean": g.mean,
                     "variance": g.variance, "linear": list(g.linear),
                     "linearization_error_sq": g.linearization_error_sq,
                     "nlc_tau": n.nlc_tau, "linear_approx_error": n.linear_approx_error})
    head = (f"{'activation':<14}{'||phi||^2':>12}{'||phi_d||^2':>13}{'mean':>10}{'var':>10}"
            f"{'lin.err^2':>11}{'NLC_tau':>10}{'E':>9}")
    body = [f"{r['activation']:<14}{r['norm_sq']:>12.6f}{r['derivative_norm_sq']:>13.6f}"
            f"{chop(r['mean'], r['norm_sq'] ** 0.5):>10.5f}{r['variance']:>10.5f}"
            f"{r['linearization_error_sq']:>11.5f}"
            f"{r['nlc_tau']:>10.5f}{r['linear_approx_error']:>9.5f}" for r in rows]
    args.table_text = "\n".join([head, *body])
    return {"activations": rows}


def register(sub: Any) -> None:
    ge = cite("Gradient explosion", "§2.1, App. B")
    p = sub.add_parser(
        "hermite", help=f"normalised Hermite coefficients ({ge})",
        description=f"Expand ACT(σz), z ~ N(0, 1), in normalised Hermite polynomials h_k "
        f"({ge}): the coefficients h_0..h_K, how each was obtained (exact sympy or quadrature "
        "with its error), the Gaussian norm and the tail beyond K.  A coefficient zero by "
        "symmetry prints as 0.",
        epilog="examples:\n  ringing hermite relu --degree 8 --exact\n"
               "  ringing hermite 'lrelu(slope=0.2)' --sigma 2 --json")
    add_activation(p)
    p.add_argument("--degree", type=int, default=10, help="highest Hermite degree K")
    p.add_argument("--sigma", type=float, default=1.0, help="input standard deviation σ")
    p.add_argument("--exact", action="store_true", help="derive exact sympy expressions")
    add_json_flag(p)
    p.set_defaults(func=_hermite)

    p = sub.add_parser(
        "gauss", help="Gaussian norms, mean, variance, linearisation and its error",
        description=f"Gaussian statistics of ACT(σz), z ~ N(0, 1) ({ge}): ‖φ‖², ‖φ'‖², mean, "
        "variance, the best linear approximation h_0 + h_1 z and its squared error.",
        epilog="examples:\n  ringing gauss tanh\n  ringing gauss relu --exact --json")
    add_activation(p)
    p.add_argument("--sigma", type=float, default=1.0, help="input standard deviation σ")
    p.add_argument("--exact", action="store_true", help="derive exact sympy expressions")
    add_json_flag(p)
    p.set_defaults(func=_gauss)

    p = sub.add_parser(
        "covariance", help="C[phi|rho] (or C[phi'|rho] with --derivative)",
        description="The Gaussian covariance C[φ|ρ] = E φ(σu) φ(σv) of a pair (u, v) of "
        "standard normals with correlation ρ (" + cite("Gradient explosion", "eq 2.3") +
        "), or C[φ'|ρ] with --derivative, at each ρ given, with the method and its error.",
        epilog="examples:\n  ringing covariance relu --rho 0 0.5 1\n"
               "  ringing covariance tanh --rho 0.3 --derivative --json")
    add_activation(p)
    p.add_argument("--rho", type=float, nargs="+", required=True,
                   help="input correlation(s) ρ in [-1, 1]")
    p.add_argument("--sigma", type=float, default=1.0, help="input standard deviation σ")
    p.add_argument("--derivative", action="store_true", help="C[φ'|ρ] instead of C[φ|ρ]")
    add_json_flag(p)
    p.set_defaults(func=_covariance)

    nlc = cite("NLC", "§5")
    p = sub.add_parser(
        "nlc-tau", help=f"NLC_tau(sigma), linear approximation error ({nlc})",
        description=f"The nonlinearity coefficient of ACT alone, NLC_τ(σ) ({nlc}), its "
        "linear-approximation error, and the prediction NLC_τ^L for a network of --depth L "
        "hidden layers.",
        epilog="examples:\n  ringing nlc-tau relu --depth 48\n  ringing nlc-tau tanh --sigma 2")
    add_activation(p)
    p.add_argument("--sigma", type=float, default=1.0, help="input standard deviation σ")
    p.add_argument("--depth", type=int, default=1, help=DEPTH_HELP)
    add_json_flag(p)
    p.set_defaults(func=_nlc_tau)

    p = sub.add_parser(
        "summary", help="theory summary of a few activations",
        description="One row per activation: Gaussian norms, mean, variance, squared "
        "linearisation error, NLC_τ(1) and its linear-approximation error E.",
        epilog="examples:\n  ringing summary\n  ringing summary relu gelu 'x*tanh(x)'")
    p.add_argument("activations", nargs="*", metavar="ACT",
                   default=["relu", "lrelu", "tanh", "erf", "gelu", "softplus", "selu"],
                   help="activations (registry names or expressions in x)")
    add_json_flag(p)
    p.set_defaults(func=_summary)
