"""Independent 30-digit references for C[φ|ρ; σ] over the whole registry (issue 12).

    python benchmarks/covariance_reference.py [--workers 2] [--only tanh,elu]

Written with mpmath only; nothing is imported from ``ringing.theory`` (the activations
are re-typed here from their textbook definitions, so that a mistake in the package's
registry would show up as a disagreement too).  C = E[φ(σu)φ(σv)], corr(u, v) = ρ, at
σ ∈ {0.5, 1, 3} and the 201 values of :func:`rho_grid` (including ±(1 − 1e-10); the
smoothed-integral group at every 4th of them and ±(1 − 1e-10), 52 values), working
precision 36 digits, stored to 32.  Three independent methods:

* **closed forms** (identity, relu, lrelu, abs, odd_square, square, erf, gaussian, sin,
  cos, polynomial = hermite(k=1) = x): arc-cosine kernels of order 1 and 2
  (Cho & Saul 2009), the arcsine kernel (Williams 1997), the Gaussian determinant,
  E[sin σu sin σv] = e^{−σ²} sinh(σ²ρ), E[cos σu cos σv] = e^{−σ²} cosh(σ²ρ).
* **one smoothed integral** (htanh, gelu, elu, selu, selu_seed004):
  C = E_u[φ(σu) g(σρu, σ√(1−ρ²))] with g(m, s) = E[φ(m + s z)] in closed form (ramps,
  YΦ(Y), the lognormal truncated mean), the outer integral by ``mpmath.quad``
  (tanh-sinh) split at the kinks and the smoothed kinks; its error estimate is kept.
* **Mehler series in mpmath** (tanh, sigmoid, softplus, silu, mish): ĥ_k by the
  trapezoidal (sinc) rule in z at two step sizes (exponentially convergent for an
  integrand analytic in a strip), the normalised Hermite recurrence in mpmath, and
  C = Σ ĥ_k² ρ^k; the truncation error is bounded by the tail ‖φ‖² − Σ ĥ_k² with
  ‖φ‖² from ``mpmath.quad``; the stored error is tail + step-size difference.

softsign and even_tanh (kinked, no closed-form smoothing) are not covered.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp_
import time
from pathlib import Path
from typing import Any

import mpmath as mp

HERE = Path(__file__).parent
OUT = HERE / "reference_covariance_sigma.json"
SIGMAS = (0.5, 1.0, 3.0)
DPS = 36
DIGITS = 32


def rho_grid() -> list[float]:
    """201 values: sin(π/2 · t) for 199 uniform t in [−1, 1], and ±(1 − 1e-10)."""
    pts = [math.sin(math.pi / 2 * (-1 + 2 * k / 198)) for k in range(199)]
    pts += [1 - 1e-10, -1 + 1e-10]
    return sorted(set(pts))


def _pdf(x: Any) -> Any:
    return mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi)


def _cdf(x: Any) -> Any:
    return mp.erfc(-x / mp.sqrt(2)) / 2


# ----------------------------------------------------------------------------- closed forms


def _jn(n: int, r: Any) -> Any:
    """E[u₊^n v₊^n] (Cho & Saul's J_n/2π) for n = 1, 2 at correlation r."""
    th = mp.acos(r)
    if n == 1:
        return (mp.sin(th) + (mp.pi - th) * mp.cos(th)) / (2 * mp.pi)
    return (3 * mp.sin(th) * mp.cos(th) + (mp.pi - th) * (1 + 2 * mp.cos(th) ** 2)) / (2 * mp.pi)


def closed_form(act: str, r: Any, s: Any) -> Any:
    s2 = s * s
    if act in ("identity", "polynomial", "hermite"):
        return s2 * r
    if act in ("relu", "lrelu", "abs"):
        a = {"relu": 0, "lrelu": mp.mpf("0.01"), "abs": -1}[act]
        return s2 * ((1 + a * a) * _jn(1, r) - 2 * a * _jn(1, -r))
    if act == "odd_square":
        return s2 * s2 * 2 * (_jn(2, r) - _jn(2, -r))
    if act == "square":
        return s2 * s2 * (1 + 2 * r * r)
    if act == "erf":
        return 2 / mp.pi * mp.asin(2 * s2 * r / (1 + 2 * s2))
    if act == "gaussian":
        return 1 / (2 * mp.pi) / mp.sqrt((1 + s2) ** 2 - s2 * s2 * r * r)
    if act == "sin":
        return mp.exp(-s2) * mp.sinh(s2 * r)
    if act == "cos":
        return mp.exp(-s2) * mp.cosh(s2 * r)
    raise KeyError(act)


CLOSED = ("identity", "polynomial", "hermite", "relu", "lrelu", "abs", "odd_square", "square",
          "erf", "gaussian", "sin", "cos")


# ----------------------------------------------------------------------------- one integral

SELU = (mp.mpf("1.0507009873554805"), mp.mpf("1.6732632423543772"))
SELU4 = (mp.mpf("1.0507"), mp.mpf("1.75814") / mp.mpf("1.0507"))


def _ramp(m: Any, s: Any, a: Any) -> Any:
    """E[(Y − a)₊], Y ~ N(m, s²)."""
    t = (m - a) / s
    return (m - a) * _cdf(t) + s * _pdf(t)


def _phi_smooth(act: str) -> tuple[Any, Any, list[Any]]:
    if act == "htanh":
        return (lambda u: min(max(u, -1), 1),
                lambda m, s: m - _ramp(m, s, 1) + _ramp(-m, s, 1), [mp.mpf(-1), mp.mpf(1)])
    if act == "gelu":
        def g(m: Any, s: Any) -> Any:
            q = mp.sqrt(1 + s**2)
            return m * _cdf(m / q) + s**2 * _pdf(m / q) / q
        return (lambda u: u * _cdf(u)), g, []
    lam, alpha = {"elu": (mp.mpf(1), mp.mpf(1)), "selu": SELU, "selu_seed004": SELU4}[act]

    def phi(u: Any) -> Any:
        return lam * (u if u > 0 else alpha * mp.expm1(u))

    def g2(m: Any, s: Any) -> Any:
        # E[Y 1{Y>0}] + α E[(e^Y − 1) 1{Y<0}], Y ~ N(m, s²)
        pos = _ramp(m, s, 0)
        neg = mp.exp(m + s * s / 2) * _cdf(-m / s - s) - _cdf(-m / s)
        return lam * (pos + alpha * neg)

    return phi, g2, [mp.mpf(0)]


def one_integral(act: str, r: Any, s: Any) -> tuple[Any, Any]:
    phi, g, kinks = _phi_smooth(act)
    c = mp.sqrt(1 - r * r)
    if c == 0:  # ρ = ±1: v = ±u
        sg = 1 if r > 0 else -1
        val, err = mp.quad(lambda u: phi(s * u) * phi(sg * s * u) * _pdf(u),
                           [-mp.inf, *sorted({k / s for k in kinks} | {0}), mp.inf],
                           error=True)
        return val, err
    pts = {mp.mpf(v) for v in (-8, -4, -2, 0, 2, 4, 8)} | {k / s for k in kinks}
    if r != 0:
        for k in kinks:  # the smoothed kink of g(σρu, σc) sits at u = k/(σρ), width c/|ρ|
            cen = k / (s * r)
            for j in (-8, -1, 0, 1, 8):
                p = cen + j * c / abs(r)
                if abs(p) < 14:
                    pts.add(p)
    grid = [-mp.inf, *sorted(pts), mp.inf]
    val, err = mp.quad(lambda u: phi(s * u) * g(s * r * u, s * c) * _pdf(u), grid, error=True,
                       maxdegree=10)
    return val, err


ONE = ("htanh", "gelu", "elu", "selu", "selu_seed004")


# ----------------------------------------------------------------------------- Mehler


def _smooth_phi(act: str) -> Any:
    return {
        "tanh": mp.tanh,
        "sigmoid": lambda u: 1 / (1 + mp.exp(-u)),
        "softplus": lambda u: mp.log1p(mp.exp(u)) if u < 30 else u + mp.log1p(mp.exp(-u)),
        "silu": lambda u: u / (1 + mp.exp(-u)),
        "mish": lambda u: u * mp.tanh(mp.log1p(mp.exp(u)) if u < 30 else u + mp.log1p(
            mp.exp(-u))),
    }[act]


MEHLER = ("tanh", "sigmoid", "softplus", "silu", "mish")
# distance of the nearest singularity of φ(x) from the real axis (tanh: iπ/2; the others
# iπ, mish ~ 1.1 at worst): sets the trapezoid step and the degree K
STRIP = {"tanh": math.pi / 2, "sigmoid": math.pi, "softplus": math.pi, "silu": math.pi,
         "mish": 1.0}


def _hermite_coeffs(phi: Any, s: Any, h: float, kmax: int, half: float) -> list[Any]:
    hh = mp.mpf(h)
    n = int(math.ceil(half / h))
    acc = [mp.mpf(0)] * (kmax + 1)
    sq = [mp.sqrt(k) for k in range(kmax + 2)]
    for j in range(-n, n + 1):
        z = j * hh
        w = hh * _pdf(z) * phi(s * z)
        if w == 0:
            continue
        h0, h1 = mp.mpf(1), z
        acc[0] += w
        acc[1] += w * z
        for k in range(1, kmax):
            h0, h1 = h1, (z * h1 - sq[k] * h0) / sq[k + 1]
            acc[k + 1] += w * h1
    return acc


def mehler(act: str, s: Any, rhos: list[Any]) -> tuple[list[Any], Any, dict[str, Any]]:
    phi = _smooth_phi(act)
    d = STRIP[act] / float(s)  # strip half-width in z
    # ĥ_k² falls like exp(−1.37 d √(2k)) (measured for tanh): K for a tail ~1e-34, capped
    kmax = int(min(3000, (78 / (1.37 * d)) ** 2 / 2 + 40))
    half = 2 * math.sqrt(kmax) + 14
    # the integrand's spectrum: h_k oscillates at ≤ √(2K), φ(σz) decays like e^{−d|ω|}
    h1 = 2 * math.pi / (math.sqrt(2 * kmax) + 78 / d)
    co1 = _hermite_coeffs(phi, s, h1, kmax, half)
    co2 = _hermite_coeffs(phi, s, h1 * 1.15, kmax, half)
    step_err = max(abs(a - b) for a, b in zip(co1, co2, strict=True))
    norm = mp.quad(lambda u: phi(s * u) ** 2 * _pdf(u), [-mp.inf, -5, 0, 5, mp.inf])
    tail = norm - mp.fsum(c * c for c in co1)
    sq = [c * c for c in co1]
    vals = [mp.polyval(sq[::-1], r) for r in rhos]
    err = abs(tail) + 2 * step_err * mp.fsum(abs(c) for c in co1)
    return vals, err, {"K": kmax, "h": h1, "tail": float(tail), "step_diff": float(step_err)}


# ----------------------------------------------------------------------------- driver


def _task(args: tuple[str, float]) -> tuple[str, float, list[str], list[str], dict[str, Any]]:
    act, sig = args
    mp.mp.dps = DPS
    s = mp.mpf(sig)
    rhos = [mp.mpf(r) for r in rho_grid()]
    meta: dict[str, Any] = {}
    if act in CLOSED:
        vals = [closed_form(act, r, s) for r in rhos]
        errs = [mp.mpf(0)] * len(vals)
        meta["method"] = "closed form"
    elif act in ONE:
        # every 4th ρ of the grid and ±(1 − 1e-10): the nested quadrature is slow
        grid = rho_grid()
        keep = sorted(set(range(0, len(grid), 4)) | {1, len(grid) - 2, len(grid) - 1})
        rhos = [rhos[i] for i in keep]
        meta["rho_index"] = keep
        got = [one_integral(act, r, s) for r in rhos]
        vals, errs = [g[0] for g in got], [g[1] for g in got]
        meta["method"] = "one smoothed integral (mpmath.quad)"
    else:
        vals, err, meta = mehler(act, s, rhos)
        errs = [err] * len(vals)
        meta["method"] = "Mehler series, trapezoidal Hermite coefficients (mpmath)"
    return (act, sig, [mp.nstr(v, DIGITS) for v in vals], [mp.nstr(e, 3) for e in errs], meta)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--patch-endpoints", action="store_true",
                    help="recompute only ρ = ±1 of the smoothed-integral group in the stored "
                    "file (an earlier version took ρ = −1 as +1 there)")
    a = ap.parse_args()
    if a.patch_endpoints:
        patch_endpoints()
        return
    acts = [*CLOSED, *ONE, *MEHLER]
    if a.only:
        acts = [x for x in acts if x in a.only.split(",")]
    data: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    data.setdefault("values", {})
    data.setdefault("error", {})
    data.setdefault("meta", {})
    data["rho"] = rho_grid()
    data["sigmas"] = list(SIGMAS)
    tasks = [(x, s) for x in acts for s in SIGMAS]
    t0 = time.time()
    with mp_.get_context("spawn").Pool(a.workers) as pool:
        for act, sig, vals, errs, meta in pool.imap_unordered(_task, tasks):
            key = f"{act}@{sig:g}"
            data["values"][key] = vals
            data["error"][key] = errs
            data["meta"][key] = meta
            OUT.write_text(json.dumps(data))
            print(f"{key}: done ({time.time() - t0:.0f} s) {meta}", flush=True)


def patch_endpoints() -> None:
    data = json.loads(OUT.read_text())
    grid = data["rho"]
    mp.mp.dps = DPS
    for key, meta in data["meta"].items():
        act, sig = key.split("@")
        if act not in ONE:
            continue
        for pos, i in enumerate(meta["rho_index"]):
            if abs(grid[i]) == 1.0:
                val, err = one_integral(act, mp.mpf(grid[i]), mp.mpf(sig))
                data["values"][key][pos] = mp.nstr(val, DIGITS)
                data["error"][key][pos] = mp.nstr(err, 3)
    OUT.write_text(json.dumps(data))


if __name__ == "__main__":
    main()
