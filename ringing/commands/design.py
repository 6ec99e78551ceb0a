"""``ringing design ACT --depth L --target ...``: inverse design (issue 19).

The free parameters pick the family (:mod:`ringing.theory.design`):

* ``--free d``, ``--free t``, ``--free d,t``: the transform c·ACT(d·x + t) + b with
  E φ = 0 and E φ² = 1 (seed 004 App. C; DKS when the targets are qslope=1 and cslope=ζ);
* ``--free sigma_b`` / ``--free sigma_w``: the initialisation of LayerNorm layers of ACT;
* ``--free NAME`` for any other NAME: ACT's own registry parameter (``lrelu`` ``slope``).

Examples::

    ringing design softplus --depth 100 --free d,t --target qslope=1 --target cslope=2
    ringing design lrelu --depth 50 --free slope --target nlc=2
    ringing design tanh --depth 49 --free d --target 'nlc<=3'
"""

from __future__ import annotations

import argparse
from typing import Any

from ringing.cli_support import SIGMA_W_HELP, add_activation, add_json_flag

GROUP = None


def _ranges(items: list[str] | None) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for it in items or []:
        name, sep, rest = it.partition("=")
        lo, sep2, hi = rest.partition(":")
        if not sep or not sep2:
            raise ValueError(f"--range {it!r} must be NAME=LO:HI, e.g. d=0.1:5")
        try:
            out[name.strip()] = (float(lo), float(hi))
        except ValueError:
            raise ValueError(f"--range {it!r}: LO and HI must be numbers") from None
    return out


def _family(args: argparse.Namespace) -> Any:
    from ringing.theory.design import Initialisation, Parametrised, Transform

    free = tuple(f.strip() for f in args.free.split(",") if f.strip())
    rng = _ranges(args.range)
    unknown = set(rng) - set(free)
    if unknown:
        raise ValueError(f"--range names {', '.join(sorted(unknown))}, which is not free "
                         f"(free: {', '.join(free)})")
    sw = 1.0 if args.sigma_w is None else args.sigma_w
    sb = 0.0 if args.sigma_b is None else args.sigma_b
    if set(free) <= {"d", "t"} and free:
        kw: dict[str, Any] = {}
        if "d" in rng:
            kw["d_range"] = rng["d"]
        if "t" in rng:
            kw["t_range"] = rng["t"]
        return Transform(args.activation, free, d=args.d, t=args.t, sigma_w=sw, sigma_b=sb,
                         **kw)
    if len(free) != 1:
        raise ValueError(f"--free {args.free!r}: give d, t, d,t, sigma_b, sigma_w or one "
                         "parameter of the activation")
    name = free[0]
    if name in ("sigma_b", "sigma_w"):
        if (name == "sigma_b" and args.sigma_b is not None) or \
                (name == "sigma_w" and args.sigma_w is not None):
            raise ValueError(f"--{name.replace('_', '-')} cannot be fixed when it is free")
        return Initialisation(args.activation, name, sigma_w=sw, sigma_b=sb,
                              s_range=rng.get(name))
    return Parametrised(args.activation, name, sigma_w=sw, sigma_b=sb, p_range=rng.get(name))


def _design(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.design import Target, design

    if not args.target:
        raise ValueError("give at least one --target, e.g. --target nlc=2")
    targets = [Target.parse(t) for t in args.target]
    fam = _family(args)
    res = design(fam, args.depth, targets, choose=args.choose, grid=args.grid,
                 verify=not args.no_verify)
    payload = res.as_dict()
    lines = [f"family   {res.family}", f"depth    {res.depth}",
             f"status   {res.status}" + ("" if res.met else "  (targets NOT met)")]
    if res.chosen is not None:
        lines.append(f"chosen   {res.chosen.activation}  sigma_w={res.chosen.sigma_w} "
                     f"sigma_b={res.chosen.sigma_b:g}")
        lines.append("params   " + ", ".join(f"{k}={v:.15g}"
                                             for k, v in res.chosen.parameters.items()))
        vals = res.chosen.engine_values or res.chosen.model_values
        for t, v, e in zip(res.targets, vals, res.errors, strict=True):
            err = "-" if e is None else f"{e:.2e}"
            lines.append(f"target   {t.label():<22} achieved {v:.15g}  |error| {err}")
    if res.range:
        lines.append("range    " + ", ".join(f"{k} in [{a:.10g}, {b:.10g}]"
                                             for k, (a, b) in res.range.items()))
    if len(res.solutions) > 1:
        lines.append(f"solutions ({len(res.solutions)}):")
        lines += ["  " + ", ".join(f"{k}={v:.12g}" for k, v in s.free.items())
                  for s in res.solutions]
    if res.attained and res.status in ("none", "infeasible"):
        lines.append(f"attained {res.attained[0][0]:.6g} .. {res.attained[0][1]:.6g} over the "
                     "searched range")
    lines += [f"note     {n}" for n in res.notes]
    lines.append(f"method   {res.method}")
    args.table_text = "\n".join(lines)
    return payload


def register(sub: Any) -> None:
    p = sub.add_parser(
        "design", help="inverse design: parameters that meet targets "
                       "(NLC, correlation maps, blueshift, convexity bound)",
        description="Find the parameters of an activation family (the transform "
        "c·ACT(d·x + t) + b, an initialisation σ_w or σ_b, or one of ACT's own parameters) "
        "at which the theory meets the targets (NLC, the correlation map's slopes and values, "
        "the blueshift, the convexity bound), each target solved exactly or to a stated "
        "tolerance and re-checked through the public engine.",
        epilog="examples:\n"
               "  ringing design softplus --depth 100 --free d,t --target qslope=1 "
               "--target cslope=2\n"
               "  ringing design lrelu --depth 50 --free slope --target nlc=2\n"
               "  ringing design tanh --depth 49 --free d --target 'nlc<=3'")
    add_activation(p)
    p.add_argument("--depth", type=int, required=True,
                   help="L: nlc uses L linear layers (L-1 activations, seed 004); the map "
                   "targets L layers applying ACT")
    p.add_argument("--target", action="append", metavar="Q[@RHO0](=|<=|>=)V",
                   help="nlc, qslope, cslope, cvalue@RHO0, cdistance, bound, blueshift; "
                   "one per free parameter (repeat the flag)")
    p.add_argument("--free", default="d", help="d | t | d,t (transform c*ACT(d*x+t)+b with "
                   "E=0, Q=1), sigma_b | sigma_w (initialisation), or a parameter of ACT "
                   "(default d)")
    p.add_argument("--d", type=float, default=1.0, help="fixed d when d is not free")
    p.add_argument("--t", type=float, default=0.0, help="fixed t when t is not free")
    p.add_argument("--sigma-w", type=float, default=None, help=SIGMA_W_HELP)
    p.add_argument("--sigma-b", type=float, default=None, help="bias std σ_b (default 0)")
    p.add_argument("--range", action="append", metavar="NAME=LO:HI",
                   help="search range of a free parameter")
    p.add_argument("--choose", choices=("max", "min"), default="max",
                   help="for an inequality target: report the largest (default) or smallest "
                   "feasible parameter")
    p.add_argument("--grid", type=int, default=None, help="scan points per free parameter")
    p.add_argument("--no-verify", action="store_true",
                   help="skip the re-evaluation through the public engine")
    add_json_flag(p)
    p.set_defaults(func=_design)
