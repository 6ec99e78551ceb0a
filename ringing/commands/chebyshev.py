"""``ringing chebyshev | distort | blueshift`` (seed 000 §3.2-3.4, B.1-B.3, F.1, Table 1)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ringing.cli_support import (
    DEPTH_HELP,
    NORMS,
    SIGMA_W_HELP,
    add_activation,
    add_alias,
    add_json_flag,
    chop,
    render_table,
)
from ringing.papers import cite

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
    shown = chop([float(c) for c in coef], max((abs(float(c)) for c in coef), default=0.0))
    rows = [f"{'j':>4}  {name:>24}"] + [f"{j:>4}  {c:>24.16g}" for j, c in enumerate(shown)]
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
    vals = np.asarray(out, dtype=complex)
    scale = float(np.max(np.abs(vals))) if vals.size else 0.0
    args.table_text = (source + "\n" + f"{'k':>6}  {'Re z_k':>22}  {'Im z_k':>22}\n" +
                       "\n".join(f"{kk:>6}  {chop(float(v.real), scale):>22.15g}  "
                                 f"{chop(float(v.imag), scale):>22.15g}"
                                 for kk, v in zip(k.tolist(), vals, strict=True)))
    return payload


def _blueshift(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.theory.harmonics import predict_walk_spectra

    if args.norm == "layer":
        raise ValueError("--norm layer is not available for blueshift; choose batch or none")
    radius: Any = args.radius if len(args.radius) > 1 else args.radius[0]
    r = predict_walk_spectra(args.activation, args.depth, path=args.path, points=args.points,
                             radius=radius, degree=args.degree, interval=args.interval,
                             weight_scale=args.sigma_w, bias_scale=args.sigma_b,
                             input_scale=args.input_scale, kmin=args.kmin, kmax=args.kmax,
                             normalise=args.norm == "batch", approximation=args.approximation,
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
                       f"σ_w={r.weight_scale:.4g}, {r.depth} layers\n"
                       "(centroid and bandwidth in cycles per path; h: fractal exponent of the "
                       "power spectrum, P(k) ~ k^-h; ||dp||: RMS derivative along the path; "
                       "var: output variance)\n" + "\n".join(lines) + f"\nmethod: {r.method}")
    return payload


def register(sub: Any) -> None:
    from ringing.theory.chebyshev import PRESETS

    rr = cite("Ringing ReLUs", "§3.3")
    p = sub.add_parser(
        "chebyshev", help=f"Chebyshev approximation on [-A, A] ({rr})",
        description=f"Approximate ACT on [-A, A] by a degree-D polynomial ({rr}, App. F.1): "
        "Chebyshev interpolation or a least-squares fit, its coefficients in the Chebyshev "
        "or monomial basis, the sup-norm error and the coefficients' decay.",
        epilog="examples:\n  ringing chebyshev relu --degree 25 --interval 5\n"
               "  ringing chebyshev 'lrelu -0.25' --preset ringing-relus-table1 --json")
    add_activation(p)
    p.add_argument("--degree", type=int, default=25, help="polynomial degree D")
    p.add_argument("--interval", type=float, default=5.0, help="half-width A of [-A, A]")
    p.add_argument("--fit", choices=["interpolate", "lstsq"], default="interpolate",
                   help="Chebyshev interpolation at D + 1 points, or least squares on --grid")
    p.add_argument("--grid", type=int, default=None,
                   help="number of grid points (least-squares points with --fit lstsq)")
    p.add_argument("--basis", choices=["chebyshev", "monomial"], default=None,
                   help="coefficients to print (default: chebyshev; monomial with --preset)")
    p.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="a named recipe (overrides degree, interval, fit, grid); "
                   "ringing-relus-table1 also accepts the Table 1 row names")
    add_json_flag(p)
    p.set_defaults(func=_chebyshev)

    p = sub.add_parser(
        "distort", help=f"harmonic distortion sum_j a_j z^(*j) "
                        f"({cite('Ringing ReLUs', 'eq 6')})",
        description="The Fourier coefficients of φ(p(t)) for a periodic p with Fourier "
        "coefficients z: Σ_j a_j z^(*j), the auto-convolutions weighted by φ's monomial "
        f"coefficients ({cite('Ringing ReLUs', 'eq 6')}).  φ is ACT's Chebyshev polynomial or "
        "the coefficients given.",
        epilog="examples:\n  ringing distort relu --z 0.5 0 0.5 --real\n"
               "  ringing distort --coefficients 0 1 0.5 --z 0.3+0.1j 0 0.3-0.1j --json")
    p.add_argument("activation", nargs="?", default=None, metavar="ACT",
                   help="activation (its Chebyshev polynomial is used); or --coefficients")
    add_alias(p, "--activation", "activation_flag")
    p.add_argument("--coefficients", nargs="+", default=None, metavar="A_J",
                   help="monomial coefficients a_0 .. a_D")
    p.add_argument("--z", nargs="+", required=True, metavar="Z_K",
                   help="Fourier coefficients z_-K .. z_K (odd count; complex as 0.3+0.1j)")
    p.add_argument("--real", action="store_true",
                   help="p is real: z must be Hermitian (z_k = conj(z_-k))")
    p.add_argument("--degree", type=int, default=25, help="polynomial degree D")
    p.add_argument("--interval", type=float, default=5.0, help="half-width A of [-A, A]")
    p.add_argument("--fit", choices=["interpolate", "lstsq"], default="interpolate",
                   help="Chebyshev interpolation at D + 1 points, or least squares")
    add_json_flag(p)
    p.set_defaults(func=_distort)

    bs = cite("Ringing ReLUs", "§3.2-3.4, App. B.2-B.3")
    p = sub.add_parser(
        "blueshift", help=f"predicted power spectra through depth along a weight-space walk "
                          f"({bs})",
        description=f"Predict, layer by layer, the power spectrum of a wide network's output "
        f"along a closed loop or an open segment in weight space ({bs}): spectral centroid, "
        "bandwidth, fractal exponent h with its interval, gradient norm and variance.  The "
        "measured counterpart is `ringing simulate walk ACT --depth L --theory`.",
        epilog="examples:\n  ringing blueshift relu --depth 10\n"
               "  ringing blueshift tanh --depth 20 --path segment --points 200 --json")
    add_activation(p)
    p.add_argument("--depth", type=int, default=10, help=DEPTH_HELP)
    p.add_argument("--path", choices=["loop", "segment"], default="loop",
                   help="closed loop in weight space (periodic, no boundary jump) or the "
                   "paper's open segment")
    p.add_argument("--points", type=int, default=100, help="path samples T")
    p.add_argument("--radius", type=float, nargs="+", default=[0.5],
                   help="relative radius R (one value, or one per layer)")
    p.add_argument("--degree", type=int, default=25,
                   help="truncation degree D of the Hermite / Chebyshev series")
    p.add_argument("--interval", type=float, default=5.0,
                   help="half-width A of [-A, A] (--approximation chebyshev)")
    p.add_argument("--sigma-w", type=float, default=None, help=SIGMA_W_HELP)
    add_alias(p, "--weight-scale", "sigma_w", type=float)
    p.add_argument("--sigma-b", type=float, default=0.0, help="bias std σ_b")
    add_alias(p, "--bias-scale", "sigma_b", type=float)
    p.add_argument("--input-scale", type=float, default=1.0,
                   help="input second moment |x|²/n_0")
    p.add_argument("--kmin", type=int, default=1,
                   help="lowest frequency of the fractal-exponent fit")
    p.add_argument("--kmax", type=int, default=None,
                   help="highest frequency of the fractal-exponent fit (default min(25, T//2))")
    p.add_argument("--norm", choices=NORMS, default="none",
                   help="normalisation after each linear layer: batch = static batch "
                   "normalisation, none (layer: not available here)")
    add_alias(p, "--normalise", "norm", const="batch")
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
