"""``ringing chebyshev | distort | blueshift`` (seed 000 §3.2-3.4, B.1-B.3, F.1, Table 1)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ringing.cli_support import add_json_flag, render_table

GROUP = None


def _chebyshev(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.chebyshev import PRESETS, TABLE1_SPECS, chebyshev_approximation

    act = args.activation
    if args.preset == "ringing-relus-table1" and act in TABLE1_SPECS:
        act = TABLE1_SPECS[act]  # Table 1 row names ("lrelu -0.25") -> registry specs
    r = chebyshev_approximation(act, args.degree, args.interval, fit=args.fit, grid=args.grid,
                                preset=args.preset)
    basis = args.basis or ("monomial" if args.preset else "chebyshev")
    coef = r.monomial if basis == "monomial" else r.chebyshev

    def _decay(d: Any) -> dict[str, Any] | None:
        if d is None:
            return None
        return {"kind": d.kind, "geometric_rate": d.geometric_rate,
                "geometric_r2": d.geometric_r2, "algebraic_rate": d.algebraic_rate,
                "algebraic_r2": d.algebraic_r2, "n": d.n}

    payload: dict[str, Any] = {
        "activation": r.activation, "basis": basis, "coefficients": coef,
        "degree": r.degree, "interval": [-r.interval, r.interval], "fit": r.fit,
        "grid": r.grid, "preset": r.preset,
        "preset_description": PRESETS[r.preset]["description"] if r.preset else None,
        "chebyshev": r.chebyshev, "monomial": r.monomial,
        "sup_error": r.sup_error, "sup_error_at": r.sup_error_at, "tail_bound": r.tail_bound,
        "chebyshev_decay": _decay(r.chebyshev_decay), "monomial_decay": _decay(r.monomial_decay),
        "method": r.method,
    }
    name = "a_j (x^j)" if basis == "monomial" else "t_j (T_j(x/A))"
    rows = [f"{'j':>4}  {name:>24}"] + [f"{j:>4}  {c:>24.16g}" for j, c in enumerate(coef)]
    args.table_text = (f"{r.activation} on [-{r.interval:g}, {r.interval:g}], degree {r.degree}"
                       f"; {r.method}\n" + "\n".join(rows) +
                       f"\nsup-norm error ~ {r.sup_error:.3g} at x = {r.sup_error_at:.6g}")
    return payload


def _parse_complex_list(values: list[str], name: str) -> np.ndarray:
    out = []
    for v in values:
        try:
            out.append(complex(v.replace(" ", "").replace("i", "j")))
        except ValueError:
            raise ValueError(f"{name}: {v!r} is not a number (use e.g. 0.5 or 0.3+0.1j)") from None
    arr = np.array(out)
    return arr.real.copy() if np.all(arr.imag == 0) else arr


def _distort(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.chebyshev import cheb_to_monomial, chebyshev_approximation, chop_chebyshev
    from ringing.theory.harmonics import distort

    if (args.activation is None) == (args.coefficients is None):
        raise ValueError("give exactly one of ACT (an activation) or --coefficients a_0 .. a_D")
    if args.coefficients is not None:
        a = np.asarray(_parse_complex_list(args.coefficients, "--coefficients"))
        source = "monomial coefficients given"
    else:
        r = chebyshev_approximation(args.activation, args.degree, args.interval, fit=args.fit,
                                    error_estimate=False)
        # round-off of exact zeros chopped, so a polynomial activation keeps its degree
        a = cheb_to_monomial(chop_chebyshev(r.chebyshev), r.interval)
        source = f"{r.activation}: {r.method}, degree {r.degree} on [-{r.interval:g}, " \
                 f"{r.interval:g}]"
    z = _parse_complex_list(args.z, "--z")
    out = distort(a, z, real=args.real)
    half = out.size // 2
    k = np.arange(-half, half + 1)
    payload: dict[str, Any] = {"source": source, "degree": int(np.flatnonzero(a)[-1])
                               if np.any(a) else 0,
                               "k": k, "real": np.real(out), "imag": np.imag(out),
                               "power": np.abs(out) ** 2}
    args.table_text = (source + "\n" + f"{'k':>6}  {'Re z_k':>22}  {'Im z_k':>22}\n" +
                       "\n".join(f"{kk:>6}  {v.real:>22.15g}  {v.imag:>22.15g}"
                                 for kk, v in zip(k.tolist(), np.asarray(out, dtype=complex),
                                                  strict=True)))
    return payload


def _blueshift(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.harmonics import predict_walk_spectra

    radius: Any = args.radius if len(args.radius) > 1 else args.radius[0]
    r = predict_walk_spectra(args.activation, args.depth, path=args.path, points=args.points,
                             radius=radius, degree=args.degree, interval=args.interval,
                             weight_scale=args.weight_scale, bias_scale=args.bias_scale,
                             input_scale=args.input_scale, kmin=args.kmin, kmax=args.kmax,
                             normalise=args.normalise, approximation=args.approximation,
                             continuous=not args.no_continuous)
    payload = r.as_dict()
    head = f"{'layer':>5} {'centroid':>9} {'bandwidth':>9} {'h':>7} {'h 95% CI':>17} " \
           f"{'||dp||':>10} {'var':>9}"
    lines = [head]
    for i in range(r.depth):
        h = payload["fractal_exponent"][i]
        ci = payload["fractal_exponent_ci"][i]
        lines.append(f"{i + 1:>5} {r.spectral_centroid[i]:>9.4f} {r.spectral_bandwidth[i]:>9.4f} "
                     f"{'-' if h is None else f'{h:.3f}':>7} "
                     f"{'-' if ci is None else f'[{ci[0]:.3f}, {ci[1]:.3f}]':>17} "
                     f"{r.gradient_norm[i]:>10.4g} {r.variance[i]:>9.4g}")
    args.table_text = (f"predicted walk spectra: {r.activation}, {r.path}, T={r.points}, "
                       f"sigma_w={r.weight_scale:.4g}\n" + "\n".join(lines) +
                       f"\n{r.method}")
    return payload


def register(sub: Any) -> None:
    from ringing.theory.chebyshev import PRESETS

    p = sub.add_parser("chebyshev", help="Chebyshev approximation on [-A, A] (seed 000 §3.3)")
    p.add_argument("activation", help="registry name or spec (or a Table 1 row with the preset)")
    p.add_argument("--degree", type=int, default=25)
    p.add_argument("--interval", type=float, default=5.0, help="half-width A of [-A, A]")
    p.add_argument("--fit", choices=["interpolate", "lstsq"], default="interpolate")
    p.add_argument("--grid", type=int, default=None, help="least-squares points (lstsq)")
    p.add_argument("--basis", choices=["chebyshev", "monomial"], default=None,
                   help="coefficients to print (default: chebyshev; monomial with --preset)")
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="a named recipe (overrides degree, interval, fit, grid)")
    add_json_flag(p)
    p.set_defaults(func=_chebyshev)

    p = sub.add_parser("distort", help="harmonic distortion sum_j a_j z^(*j) (seed 000 eq 6)")
    p.add_argument("activation", nargs="?", default=None,
                   help="activation (its Chebyshev polynomial is used); or --coefficients")
    p.add_argument("--coefficients", nargs="+", default=None, metavar="A_J",
                   help="monomial coefficients a_0 .. a_D")
    p.add_argument("--z", nargs="+", required=True, metavar="Z_K",
                   help="Fourier coefficients z_-K .. z_K (odd count; complex as 0.3+0.1j)")
    p.add_argument("--real", action="store_true",
                   help="p is real: z must be Hermitian (z_k = conj(z_-k))")
    p.add_argument("--degree", type=int, default=25)
    p.add_argument("--interval", type=float, default=5.0)
    p.add_argument("--fit", choices=["interpolate", "lstsq"], default="interpolate")
    add_json_flag(p)
    p.set_defaults(func=_distort)

    p = sub.add_parser("blueshift", help="predicted power spectra through depth along a "
                       "weight-space walk (seed 000 §3.2-3.4, B.2-B.3)")
    p.add_argument("activation")
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--path", choices=["loop", "segment"], default="loop")
    p.add_argument("--points", type=int, default=100)
    p.add_argument("--radius", type=float, nargs="+", default=[0.5],
                   help="relative radius R (one value, or one per layer)")
    p.add_argument("--degree", type=int, default=25)
    p.add_argument("--interval", type=float, default=5.0)
    p.add_argument("--weight-scale", type=float, default=None,
                   help="sigma_w (default 1/sqrt(E phi(z)^2))")
    p.add_argument("--bias-scale", type=float, default=0.0)
    p.add_argument("--input-scale", type=float, default=1.0, help="|x|^2 / n_0")
    p.add_argument("--kmin", type=int, default=1)
    p.add_argument("--kmax", type=int, default=None)
    p.add_argument("--normalise", action="store_true", help="static batch normalisation")
    p.add_argument("--approximation", choices=["exact", "hermite", "chebyshev"], default=None,
                   help="exact: the exact kernel map (loops; what a wide network measures); "
                   "hermite: degree-D Hermite truncation (says how much of E[phi^2] it drops); "
                   "chebyshev: the Chebyshev polynomial of eq 4 (default: exact on a loop, "
                   "hermite on a segment)")
    p.add_argument("--no-continuous", action="store_true",
                   help="skip the un-aliased continuous spectrum")
    add_json_flag(p)
    p.set_defaults(func=_blueshift)
    _ = render_table  # the default table renderer is used when table_text is not set
