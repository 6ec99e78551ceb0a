"""Independent ≥ 30-digit references for C[φ|ρ; σ] over the whole registry (issue 12).

    python benchmarks/covariance_reference.py [--workers 2] [--only tanh,elu] [--out FILE]
    python benchmarks/covariance_reference.py --self-check
    python benchmarks/covariance_reference.py --only even_tanh --points FILE.jsonl
    python benchmarks/covariance_reference.py --assemble FILE.jsonl | --merge OTHER.json

Written with mpmath only; nothing is imported from ``ringing`` (the activations are
re-typed here from their textbook definitions, so that a mistake in the package's
registry would show up as a disagreement too).  C = E[φ(σu)φ(σv)], corr(u, v) = ρ, at
σ ∈ {0.5, 1, 3} and the 201 values of :func:`rho_grid` (including ±1 and ±(1 − 1e-10)),
working precision :data:`DPS` = 36 digits for every group (recorded per entry in
``meta["dps"]``; the closed-form and Mehler entries predate that field and were computed
at the same 36), stored to 32.  Four independent methods:

* **closed forms** (identity, relu, lrelu, abs, odd_square, square, erf, gaussian, sin,
  cos, polynomial = hermite(k=1) = x): arc-cosine kernels of order 1 and 2
  (Cho & Saul 2009), the arcsine kernel (Williams 1997), the Gaussian determinant,
  E[sin σu sin σv] = e^{−σ²} sinh(σ²ρ), E[cos σu cos σv] = e^{−σ²} cosh(σ²ρ).
* **one smoothed integral** (htanh, gelu, elu, selu, selu_seed004):
  C = E_u[φ(σu) g(σρu, σ√(1−ρ²))] with g(m, s) = E[φ(m + s z)] in closed form (ramps,
  YΦ(Y), the lognormal truncated mean), the outer integral by ``mpmath.quad``
  (tanh-sinh) split at the kinks and the smoothed kinks; its error estimate is kept.
* **the polar form** (softsign, even_tanh: kink at 0, no closed-form smoothing):
  C = (1/2π)∫dt ∫ φ(σr cos t) φ(σr cos(t − θ)) r e^{−r²/2} dr, halved twice by symmetry
  and split at the rays; softsign's radial integral in closed form (Goodwin–Staton),
  the angle by ``mpmath.quad``; even_tanh's radial integral by 96/192-point and the
  angle by graded 24-point Gauss–Legendre in mpmath (:func:`polar_integral`).
* **Mehler series in mpmath** (tanh, sigmoid, softplus, silu, mish): ĥ_k by the
  trapezoidal (sinc) rule in z at two step sizes (exponentially convergent for an
  integrand analytic in a strip), the normalised Hermite recurrence in mpmath, and
  C = Σ ĥ_k² ρ^k; the truncation error is bounded by the tail ‖φ‖² − Σ ĥ_k² with
  ‖φ‖² from ``mpmath.quad``; the stored error is tail + step-size difference.

softsign, even_tanh, htanh and gelu are computed at the distinct |ρ| of the grid and
mapped to ρ < 0 by exact identities (:data:`MIRROR`), verified directly at three
negative ρ.  ``--self-check`` recomputes :data:`CHECK_POINTS` at 26 digits and, for the
polar group, by adaptive tanh-sinh in both integrals (and even_tanh once in the
conditional form with a Cohen–Villegas–Zagier inner mean), storing the differences.
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
#: working precision (decimal digits) of every group (each entry's ``meta["dps"]`` records
#: the precision it was computed at); values are stored to :data:`DIGITS`
DPS = 36
DPS_MEHLER = DPS
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


def _laplace_abs(m: Any, s: Any, lam: Any) -> Any:
    """E[e^{−λ|Y|}], Y ~ N(m, s²): e^{−λm+λ²s²/2} Φ(m/s − λs) + e^{λm+λ²s²/2} Φ(−m/s − λs)."""
    q = lam * lam * s * s / 2
    return (mp.exp(q - lam * m) * _cdf(m / s - lam * s)
            + mp.exp(q + lam * m) * _cdf(-m / s - lam * s))


#: terms of the Cohen–Villegas–Zagier acceleration: error ≤ 2·5.83^−n relative
CVZ_TERMS = 60


def _even_tanh_smooth(m: Any, s: Any) -> Any:
    """E[tanh|Y|], Y ~ N(m, s²).

    tanh|y| = 1 − 2 Σ_{k≥0} (−1)^k e^{−2(k+1)|y|}, and a_k = E[e^{−2(k+1)|Y|}] = ∫ x^k dμ
    are the moments of the positive measure x·(law of x = e^{−2|Y|}) on [0, 1], so the
    alternating sum is summed by Cohen, Rodriguez Villegas & Zagier (2000), Algorithm 1,
    with error ≤ 2 a_0 / 5.83^n.
    """
    if s == 0:
        return mp.tanh(abs(m))
    n = CVZ_TERMS
    d = (3 + mp.sqrt(8)) ** n
    d = (d + 1 / d) / 2
    b, c, tot = mp.mpf(-1), -d, mp.mpf(0)
    for k in range(n):
        c = b - c
        tot += c * _laplace_abs(m, s, 2 * (k + 1))
        b = (k + n) * (k - n) * b / ((k + mp.mpf(1) / 2) * (k + 1))
    return 1 - 2 * tot / d


# ----------------------------------------------------------------------------- polar form
# C = (1/2π) ∫_0^{2π} dt ∫_0^∞ φ(σ r cos t) φ(σ r cos(t − θ)) r e^{−r²/2} dr, ρ = cos θ
# (u = r cos t, v = r cos(t − θ) = ρu + √(1−ρ²) r sin t).  For softsign and even_tanh
# (odd / even, kink at 0 only) the integrand is invariant under t → t + π and analytic in
# t between the rays cos t = 0 and cos(t − θ) = 0, so C = (1/π) ∫_0^π … split there.


def _goodwin_staton(z: Any) -> Any:
    """∫_0^∞ e^{−t²}/(t + z) dt = e^{−z²} ((π/2) erfi z − Ei(z²)/2), z > 0 (A&S 7.4.?;
    checked here against mpmath.quad in the self-check)."""
    return mp.exp(-z * z) * (mp.pi / 2 * mp.erfi(z) - mp.ei(z * z) / 2)


def _moment_series(a: Any, first: int) -> Any:
    """Σ_{k≥0} (−a)^k M_{k+first}, M_j = ∫_0^∞ r^j e^{−r²/2} dr (M_j = (j−1) M_{j−2}).

    The asymptotic expansion of ∫_0^∞ r^first e^{−r²/2}/(1 + a r) dr; for a < 1/20 its
    terms fall below 10^−(dps+10) long before the smallest one (k ≈ 1/a²), and the
    truncation error is then below that last term.
    """
    m = [mp.sqrt(mp.pi / 2), mp.mpf(1)]
    tol = mp.mpf(10) ** (-mp.mp.dps - 10)
    tot, k = mp.mpf(0), 0
    while True:
        j = k + first
        while len(m) <= j:
            m.append((len(m) - 1) * m[-2])
        term = (-a) ** k * m[j]
        tot += term
        if abs(term) < tol and k > 2:
            return tot
        k += 1


_SMALL = mp.mpf(1) / 20


def _J(a: Any) -> Any:
    """∫_0^∞ e^{−r²/2} / (1 + a r) dr: G(1/a)/a with G(x) = ∫_0^∞ e^{−r²/2}/(r + x) dr
    (Goodwin–Staton) for a ≥ 1/20, the asymptotic series below (where e^{1/(2a²)} in the
    closed form would cost 2·log10(1/a) digits)."""
    if a < _SMALL:
        return _moment_series(a, 0)
    return _goodwin_staton(1 / (a * mp.sqrt(2))) / a


def _K(a: Any) -> Any:
    """∫_0^∞ r e^{−r²/2} / (1 + a r) dr = (√(π/2) − J(a))/a."""
    if a < _SMALL:
        return _moment_series(a, 1)
    return (mp.sqrt(mp.pi / 2) - _J(a)) / a


def _softsign_radial(a: Any, b: Any) -> Any:
    """∫_0^∞ (a r/(1 + a r)) (b r/(1 + b r)) r e^{−r²/2} dr for a, b > 0, in closed form.

    (1 − 1/(1+ar))(1 − 1/(1+br)) = 1 − 1/(1+ar) − 1/(1+br) + 1/((1+ar)(1+br)), with
    K(a) = ∫ r e^{−r²/2}/(1+ar) and, by partial fractions,
    ∫ r e^{−r²/2}/((1+ar)(1+br)) = −(J(a) − J(b))/(a − b); the difference cancels
    log10(max(a,b)/|a − b|) digits, which are added to the working precision.
    """
    if min(a, b) < mp.mpf(10) ** (-mp.mp.dps - 8):  # the integral is ≤ √(π/2)·min(a, b)
        return mp.mpf(0)
    near = abs(a - b) < max(a, b) * mp.mpf(10) ** -12
    extra = 8 + (0 if near else max(0, int(mp.log10(max(a, b) / abs(a - b)))))
    with mp.extradps(extra):
        a, b = +a, +b
        if near:  # next to the crossing angle: the last integral directly
            lab = mp.quad(lambda r: r * mp.exp(-r * r / 2) / ((1 + a * r) * (1 + b * r)),
                          [0, 1, mp.inf])
        else:
            lab = -(_J(a) - _J(b)) / (a - b)
        return +(1 - _K(a) - _K(b) + lab)


_GL_CACHE: dict[int, tuple[list[Any], list[Any]]] = {}
#: Gauss–Legendre degree of mpmath's rule (3·2^(d−1) nodes): 192 nodes on [0, 16]
EVEN_TANH_GL_DEGREE = 7


def _radial_rule(degree: int) -> tuple[list[Any], list[Any]]:
    """Nodes r_i on [0, 16] and weights w_i r_i e^{−r_i²/2} (cached per precision)."""
    key = (degree, mp.mp.prec)
    if key not in _GL_CACHE:
        from mpmath.calculus.quadrature import GaussLegendre

        half = mp.mpf(8)
        nodes = GaussLegendre(mp.mp).calc_nodes(degree, mp.mp.prec)
        rs = [(x + 1) * half for x, _ in nodes]
        ws = [w * half * r * mp.exp(-r * r / 2) for (_, w), r in zip(nodes, rs, strict=True)]
        _GL_CACHE[key] = (rs, ws)
    return _GL_CACHE[key]


def _radial_degree() -> int:
    """192 radial nodes for σ > 1 (poles of tanh(σ r cos t) down to 0.52 from the axis);
    96 suffice for σ ≤ 1 (1.4e-36 at a = b = 1 against tanh-sinh)."""
    return EVEN_TANH_GL_DEGREE if _SIGMA[0] > 1 else EVEN_TANH_GL_DEGREE - 1


_SIGMA = [mp.mpf(3)]  # the σ of the current even_tanh evaluation (set by polar_integral)


def _even_tanh_radial(a: Any, b: Any) -> Any:
    """∫_0^∞ tanh(a r) tanh(b r) r e^{−r²/2} dr (0 ≤ a, b ≤ 3) by 192-point Gauss–Legendre
    on [0, 16] (the weight beyond 16 is < e^{−127}).  The nearest poles, r = iπ/(2a), are
    ≥ 0.52 from the axis; against 384 points and against tanh-sinh the rule agrees to
    ≤ 1e-41 at the worst case a = b = 3 (:func:`self_check`)."""
    if a == 0 or b == 0:
        return mp.mpf(0)
    rs, ws = _radial_rule(_radial_degree())
    return mp.fdot(ws, [mp.tanh(a * r) * mp.tanh(b * r) for r in rs])


def _even_tanh_radial_quad(a: Any, b: Any) -> Any:
    """The same by adaptive tanh-sinh (``mpmath.quad``): the second method of the self-check."""
    if a == 0 or b == 0:
        return mp.mpf(0)
    return mp.quad(lambda r: mp.tanh(a * r) * mp.tanh(b * r) * r * mp.exp(-r * r / 2),
                   [0, 1, 3, 6, 10, 16])


def _softsign_radial_quad(a: Any, b: Any) -> Any:
    """:func:`_softsign_radial` by adaptive tanh-sinh instead of the closed form."""
    if a == 0 or b == 0:
        return mp.mpf(0)
    return mp.quad(lambda r: a * r / (1 + a * r) * b * r / (1 + b * r) * r * mp.exp(-r * r / 2),
                   [0, 1, 3, 6, 10, 16])


POLAR = {"softsign": (_softsign_radial, True), "even_tanh": (_even_tanh_radial, False)}
POLAR_QUAD = {"softsign": (_softsign_radial_quad, True),
              "even_tanh": (_even_tanh_radial_quad, False)}


def polar_integral(act: str, r: Any, s: Any, radials: dict[str, Any] | None = None
                   ) -> tuple[Any, Any]:
    """C[φ|ρ; σ] for softsign (odd) and even_tanh (even) in polar form, with quad's error."""
    radial, odd = (radials or POLAR)[act]
    _SIGMA[0] = s
    if abs(r) == 1:  # ρ = ±1: E[φ(σu)²], and for odd φ C(−1) = −C(1)
        phi = _phi_smooth(act)[0]
        val, err = mp.quad(lambda u: phi(s * u) ** 2 * _pdf(u), [-mp.inf, 0, mp.inf],
                           error=True)
        return (-val if (odd and r < 0) else val), err
    th = mp.acos(r)

    def f(t: Any) -> Any:
        ct, cd = mp.cos(t), mp.cos(t - th)
        sgn = 1 if (not odd or ct * cd > 0) else -1
        return sgn * radial(s * abs(ct), s * abs(cd))

    # t → θ − t swaps |cos t| and |cos(t − θ)| (the radial integral is symmetric), so each
    # of the two arcs between the rays π/2 and θ + π/2 (mod π) is twice its half from the
    # crossing point: the arcs [θ/2, π/2] and [π/2, π/2 + θ/2]
    arcs = [th / 2, mp.pi / 2, mp.pi / 2 + th / 2]
    if radials is None and not odd:  # even_tanh: graded Gauss–Legendre (see below)
        return 2 * _graded_outer(f, arcs) / mp.pi, mp.mpf(EVEN_TANH_OUTER_ERROR)
    val, err = mp.quad(f, arcs, error=True)
    return 2 * val / mp.pi, 2 * err / mp.pi


#: grading of the even_tanh outer rule towards the ray t = π/2 (fractions of the arc)
OUTER_GRADES = (0.01, 0.04, 0.15, 0.4)
#: stored error estimate of the even_tanh values: the graded 24-point Gauss–Legendre outer
#: rule agreed with the adaptive tanh-sinh one (and 192-point radial GL with tanh-sinh)
#: to ≤ 1e-34 at ρ ∈ {0.5, 1 − 1e-10}, σ ∈ {1, 3}; :func:`self_check` re-measures it
EVEN_TANH_OUTER_ERROR = 1e-33


def _graded_outer(f: Any, arcs: list[Any]) -> Any:
    """Σ over the two arcs of 24-point Gauss–Legendre on panels graded towards the ray π/2.

    Near the ray the t-integrand is smooth but not analytic (a factor like
    e^{−π²/(8σ² cos² t)} from tanh's poles), which costs tanh-sinh twice as many
    evaluations; panels at 1%, 4%, 15% and 40% of the arc from the ray isolate it.
    """
    from mpmath.calculus.quadrature import GaussLegendre

    nodes = GaussLegendre(mp.mp).calc_nodes(4, mp.mp.prec)
    tot = mp.mpf(0)
    for p, q in zip(arcs[:-1], arcs[1:], strict=True):
        ray, sgn = (q, -1) if q == mp.pi / 2 else (p, 1)
        pts = sorted({p, q} | {ray + sgn * g * (q - p) for g in OUTER_GRADES})
        for a, b in zip(pts[:-1], pts[1:], strict=True):
            h, c = (b - a) / 2, (a + b) / 2
            tot += h * mp.fsum(w * f(c + h * x) for x, w in nodes)
    return tot


def _phi_smooth(act: str) -> tuple[Any, Any, list[Any]]:
    if act == "htanh":
        return (lambda u: min(max(u, -1), 1),
                lambda m, s: m - _ramp(m, s, 1) + _ramp(-m, s, 1), [mp.mpf(-1), mp.mpf(1)])
    if act == "gelu":
        def g(m: Any, s: Any) -> Any:
            q = mp.sqrt(1 + s**2)
            return m * _cdf(m / q) + s**2 * _pdf(m / q) / q
        return (lambda u: u * _cdf(u)), g, []
    if act == "even_tanh":
        return (lambda u: mp.tanh(abs(u))), _even_tanh_smooth, [mp.mpf(0)]
    if act == "softsign":  # φ only (used at ρ = ±1); no closed-form smoothing
        return (lambda u: u / (1 + abs(u))), None, [mp.mpf(0)]
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


#: C(−ρ) from C(ρ) (value at |ρ|, ρ < 0, σ): odd φ (softsign, htanh) give −C; even φ
#: (even_tanh) C; gelu(−x) = gelu(x) − x gives C(−ρ) = C(ρ) − σ E[φ(σu) v] = C(ρ) − ρσ²/2
#: (Stein: E[φ(σu) v] = ρ σ E[φ'(σu)], and E[gelu'(σu)] = E[Φ(σu) + σu ϕ(σu)] = 1/2)
MIRROR: dict[str, Any] = {
    "softsign": lambda c, r, s: -c, "htanh": lambda c, r, s: -c,
    "even_tanh": lambda c, r, s: c, "gelu": lambda c, r, s: c + r * s * s / 2,
}
#: grid indices of the negative ρ computed directly as well (−1, −(1 − 1e-10), −0.874)
MIRROR_CHECK = (0, 1, 33)


def _task(args: tuple[str, float]) -> tuple[str, float, list[str], list[str], dict[str, Any]]:
    act, sig = args
    mp.mp.dps = DPS_MEHLER if act in MEHLER else DPS
    s = mp.mpf(sig)
    rhos = [mp.mpf(r) for r in rho_grid()]
    meta: dict[str, Any] = {"dps": mp.mp.dps}
    t0 = time.time()
    if act in CLOSED:
        vals = [closed_form(act, r, s) for r in rhos]
        errs = [mp.mpf(0)] * len(vals)
        meta["method"] = "closed form"
    elif act in ONE or act in POLAR:
        fn = one_integral if act in ONE else polar_integral
        mirror = MIRROR.get(act)
        if mirror is None:
            got = [fn(act, r, s) for r in rhos]
        else:
            # ρ ≥ 0 and three negative ρ directly; the other ρ < 0 by the exact identity,
            # whose largest deviation at the three direct points is recorded
            grid = rho_grid()
            at = {a: fn(act, mp.mpf(a), s) for a in sorted({abs(g) for g in grid})}
            neg = {i: fn(act, rhos[i], s) for i in MIRROR_CHECK}
            got = [at[g] if g >= 0 else (mirror(at[-g][0], rhos[i], s), at[-g][1])
                   for i, g in enumerate(grid)]
            meta["mirror_check_max_diff"] = float(max(
                abs(neg[i][0] - got[i][0]) for i in MIRROR_CHECK))
            meta["direct_points"] = len(at) + len(neg)
        vals, errs = [g[0] for g in got], [g[1] for g in got]
        meta["method"] = ("one smoothed integral (mpmath.quad)" if act in ONE else
                          "polar form, t by mpmath.quad, r " + (
                              "in closed form" if act == "softsign" else
                              "by 192-point Gauss-Legendre"))
    else:
        vals, err, meta = mehler(act, s, rhos)
        meta["dps"] = mp.mp.dps
        errs = [err] * len(vals)
        meta["method"] = "Mehler series, trapezoidal Hermite coefficients (mpmath)"
    meta["seconds"] = round(time.time() - t0, 1)
    return (act, sig, [mp.nstr(v, DIGITS) for v in vals], [mp.nstr(e, 3) for e in errs], meta)


#: (activation, σ, ρ) points of the self-check (the worst σ and ρ near 1 included)
CHECK_POINTS = [(a, sg, r) for a in (*ONE, *POLAR) for sg, r in
                ((1.0, "0.5"), (3.0, "0.9999999999"), (3.0, "-0.7"))]


def self_check() -> dict[str, Any]:
    """The reference against itself: at :data:`CHECK_POINTS`, the value at DPS − 10 digits
    and (for the polar group) by a second method — softsign with the radial integral by
    tanh-sinh instead of the closed form, even_tanh in the conditional form
    E_u[φ(σu) E_v φ(σ(ρu + √(1−ρ²) v))] with the inner mean summed by Cohen–Villegas–Zagier
    (:func:`_even_tanh_smooth`).  Returns the largest differences."""
    out: dict[str, Any] = {"points": []}
    for act, sg, rr in CHECK_POINTS:
        mp.mp.dps = DPS
        fn = one_integral if act in ONE else polar_integral
        s, r = mp.mpf(sg), mp.mpf(rr)
        t0 = time.time()
        v, _ = fn(act, r, s)
        row: dict[str, Any] = {"act": act, "sigma": sg, "rho": rr}
        with mp.workdps(DPS - 10):
            v2, _ = fn(act, +r, +s)
        row["diff_dps_minus_10"] = float(abs(v - v2))
        if act in POLAR:
            v3, _ = polar_integral(act, r, s, POLAR_QUAD)
            row["second_method"] = "radial and outer integrals by adaptive tanh-sinh"
            if act == "even_tanh" and sg == 1.0:  # a third, conditional formulation
                v4, _ = one_integral(act, r, s)
                row["diff_conditional_form_cvz"] = float(abs(v - v4))
            row["diff_second_method"] = float(abs(v - v3))
        row["seconds"] = round(time.time() - t0, 1)
        print(row, flush=True)
        out["points"].append(row)
    mp.mp.dps = DPS
    big = mp.mpf(3)
    v192 = _even_tanh_radial(big, big)
    rs, ws = _radial_rule(EVEN_TANH_GL_DEGREE + 1)
    v384 = mp.fdot(ws, [mp.tanh(big * x) ** 2 for x in rs])
    out["even_tanh_radial_192_vs_384_at_a=b=3"] = float(abs(v192 - v384))
    out["even_tanh_radial_192_vs_tanh_sinh_at_a=b=3"] = float(abs(
        v192 - _even_tanh_radial_quad(big, big)))
    out["max_diff_dps_minus_10"] = max(p["diff_dps_minus_10"] for p in out["points"])
    out["max_diff_second_method"] = max(p.get("diff_second_method", 0.0)
                                        for p in out["points"])
    return out


def _van_der_corput(i: int) -> float:
    v, d = 0.0, 0.5
    while i:
        v, i, d = v + d * (i & 1), i >> 1, d / 2
    return v


def _points_task(args: tuple[str, float, str]) -> str:
    """One (activation, σ) of the mirrored group point by point, each appended to a JSON
    lines file as it is done (|ρ| in van der Corput order, so any prefix spans [0, 1])."""
    act, sig, path = args
    mp.mp.dps = DPS
    s = mp.mpf(sig)
    fn = one_integral if act in ONE else polar_integral
    grid = rho_grid()
    absr = sorted({abs(g) for g in grid})
    order = [0, len(absr) - 1, len(absr) - 2] + sorted(
        range(1, len(absr) - 2), key=_van_der_corput)
    todo = [absr[i] for i in order] + [grid[i] for i in MIRROR_CHECK]
    done = set()
    p = Path(path)
    if p.exists():
        done = {(d["act"], d["sigma"], d["rho"])
                for d in map(json.loads, p.read_text().splitlines())}
    for r in todo:
        if (act, sig, r) in done:
            continue
        v, e = fn(act, mp.mpf(r), s)
        with p.open("a") as fh:
            fh.write(json.dumps({"act": act, "sigma": sig, "rho": r,
                                 "value": mp.nstr(v, DIGITS), "err": mp.nstr(e, 3)}) + "\n")
    return f"{act}@{sig:g}"


def assemble_points(path: Path, data: dict[str, Any]) -> None:
    """Entries of ``data`` from a :func:`_points_task` file: every grid ρ whose |ρ| is done
    (ρ < 0 by the mirror identity), with ``rho_index`` naming them."""
    grid = rho_grid()
    got: dict[tuple[str, float], dict[float, tuple[str, str]]] = {}
    for d in map(json.loads, path.read_text().splitlines()):
        got.setdefault((d["act"], d["sigma"]), {})[d["rho"]] = (d["value"], d["err"])
    mp.mp.dps = DPS
    for (act, sig), pts in got.items():
        idx, vals, errs = [], [], []
        for i, g in enumerate(grid):
            if g in pts:
                v, e = pts[g]
            elif g < 0 and -g in pts:
                v = mp.nstr(MIRROR[act](mp.mpf(pts[-g][0]), mp.mpf(g), mp.mpf(sig)), DIGITS)
                e = pts[-g][1]
            else:
                continue
            idx.append(i)
            vals.append(v)
            errs.append(e)
        checks = [abs(mp.mpf(pts[grid[i]][0]) - MIRROR[act](mp.mpf(pts[-grid[i]][0]),
                                                            mp.mpf(grid[i]), mp.mpf(sig)))
                  for i in MIRROR_CHECK if grid[i] in pts and -grid[i] in pts]
        key = f"{act}@{sig:g}"
        data["values"][key], data["error"][key] = vals, errs
        data["meta"][key] = {"dps": DPS, "rho_index": idx, "direct_points": len(pts),
                             "mirror_check_max_diff": float(max(checks)) if checks else None,
                             "method": "polar form, t by graded Gauss-Legendre, r by "
                             "Gauss-Legendre (point by point)"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--self-check", action="store_true",
                    help="only the reference's self-consistency check (two precisions, two "
                    "methods), stored under 'self_check'")
    ap.add_argument("--out", default=str(OUT), help="JSON file to update (default: %(default)s)")
    ap.add_argument("--merge", default="",
                    help="copy the entries of this JSON file (another --out) into --out")
    ap.add_argument("--points", default="",
                    help="compute --only (mirrored group) point by point, appending to this "
                    "JSON-lines file (resumable)")
    ap.add_argument("--assemble", default="",
                    help="put the points of a --points file into --out")
    a = ap.parse_args()
    out = Path(a.out)
    data: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    if a.points:  # checkpointed point-by-point run of the mirrored group
        tasks = [(x, sg, a.points) for x in a.only.split(",") for sg in SIGMAS[::-1]]
        with mp_.get_context("spawn").Pool(a.workers) as pool:
            for key in pool.imap_unordered(_points_task, tasks):
                print(f"{key}: done", flush=True)
        return
    if a.assemble:
        data.setdefault("values", {})
        data.setdefault("error", {})
        data.setdefault("meta", {})
        assemble_points(Path(a.assemble), data)
        out.write_text(json.dumps(data))
        return
    if a.merge:
        other = json.loads(Path(a.merge).read_text())
        for part in ("values", "error", "meta"):
            data.setdefault(part, {}).update(other.get(part, {}))
        if "self_check" in other:
            data["self_check"] = other["self_check"]
        out.write_text(json.dumps(data))
        return
    if a.self_check:
        data["self_check"] = self_check()
        out.write_text(json.dumps(data))
        print(json.dumps({k: v for k, v in data["self_check"].items() if k != "points"}))
        return
    acts = [*POLAR, *ONE, *CLOSED, *MEHLER]
    if a.only:
        acts = [x for x in acts if x in a.only.split(",")]
    data.setdefault("values", {})
    data.setdefault("error", {})
    data.setdefault("meta", {})
    data["rho"] = rho_grid()
    data["sigmas"] = list(SIGMAS)
    tasks = [(x, s) for x in acts for s in SIGMAS[::-1]]
    t0 = time.time()
    with mp_.get_context("spawn").Pool(a.workers) as pool:
        for act, sig, vals, errs, meta in pool.imap_unordered(_task, tasks):
            key = f"{act}@{sig:g}"
            data["values"][key] = vals
            data["error"][key] = errs
            data["meta"][key] = meta
            out.write_text(json.dumps(data))
            print(f"{key}: done ({time.time() - t0:.0f} s) {meta}", flush=True)


if __name__ == "__main__":
    main()
