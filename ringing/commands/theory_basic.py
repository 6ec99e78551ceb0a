"""``ringing hermite | gauss | covariance | nlc-tau | summary``.

Seed 002 §2.1 and App. B; seed 004 §5.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ringing.cli_support import add_json_flag, render_table

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
    rows = [f"{'k':>4}  {'h_k':>24}  exact"] + [
        f"{k:>4}  {c:>24.16g}  {e if e is not None else '-'}"
        for k, (c, e) in enumerate(zip(res.coefficients, res.exact_strings(), strict=True))
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
    args.table_text = render_table(payload)
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

    r = nlc_tau_summary(args.activation, args.sigma, args.depth)
    payload = {"activation": r.activation, "sigma": r.sigma, "depth": r.depth,
               "nlc_tau": r.nlc_tau, "linear_approx_error": r.linear_approx_error,
               "nlc_tau_power": r.nlc_tau_power if math.isfinite(r.nlc_tau_power) else None,
               "log10_nlc_tau_power": r.log10_nlc_tau_power, "method": r.method}
    args.table_text = render_table(payload)
    return payload


def _summary(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.runs.progress import progress
    from ringing.theory.hermite import gaussian_summary
    from ringing.theory.nlc import nlc_tau_summary

    rows = []
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
            f"{r['mean']:>10.5f}{r['variance']:>10.5f}{r['linearization_error_sq']:>11.5f}"
            f"{r['nlc_tau']:>10.5f}{r['linear_approx_error']:>9.5f}" for r in rows]
    args.table_text = "\n".join([head, *body])
    return {"activations": rows}


def register(sub: Any) -> None:
    p = sub.add_parser("hermite", help="normalised Hermite coefficients (seed 002 §2.1)")
    p.add_argument("activation", help="registry name or spec, e.g. 'lrelu(slope=0.2)'")
    p.add_argument("--degree", type=int, default=10)
    p.add_argument("--sigma", type=float, default=1.0, help="input standard deviation")
    p.add_argument("--exact", action="store_true", help="derive exact sympy expressions")
    add_json_flag(p)
    p.set_defaults(func=_hermite)

    p = sub.add_parser("gauss", help="Gaussian norms, mean, variance, linearisation and its error")
    p.add_argument("activation")
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--exact", action="store_true")
    add_json_flag(p)
    p.set_defaults(func=_gauss)

    p = sub.add_parser("covariance", help="C[phi|rho] (or C[phi'|rho] with --derivative)")
    p.add_argument("activation")
    p.add_argument("--rho", type=float, nargs="+", required=True)
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--derivative", action="store_true")
    add_json_flag(p)
    p.set_defaults(func=_covariance)

    p = sub.add_parser("nlc-tau", help="NLC_tau(sigma), linear approximation error (seed 004 §5)")
    p.add_argument("activation")
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--depth", type=int, default=2, help="linear layers (depth-1 activations)")
    add_json_flag(p)
    p.set_defaults(func=_nlc_tau)

    p = sub.add_parser("summary", help="theory summary of a few activations")
    p.add_argument("activations", nargs="*",
                   default=["relu", "lrelu", "tanh", "erf", "gelu", "softplus", "selu"])
    add_json_flag(p)
    p.set_defaults(func=_summary)
