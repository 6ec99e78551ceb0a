"""Accuracy and speed of the Gaussian covariance C[φ|ρ] = E[φ(u)φ(v)] (issue 2).

    python benchmarks/bench_covariance.py [--recompute [--resume]] [--workers 2] [--repeats 3]

Other flags (for a crowded machine): ``--reference-only``; ``--measure-only
--measurements FILE`` (time the methods, save values and times) and then
``--measurements FILE`` (build the table from them); ``--from-checkpoint`` (build
the reference from an interrupted ``--recompute``, leaving missing ρ out).

u, v standard normal with correlation ρ (seed 002 §2.1, the kernel of eq 2.3).
For relu, abs, htanh, tanh, gelu and softplus, at 1000 values of ρ in [−1, 1]
(ρ = ±1 and points within 1e-12 of ±1 included), the maximum absolute error
against a 30-digit mpmath reference and the time per 10^4 values of

* ``ringing.theory.kernels.covariance`` (the library: arc-cosine closed forms for
  relu/abs, the split polar Gauss–Legendre rule otherwise),
* ``ringing.theory.gaussian.polar_covariance`` called directly (for relu and abs,
  so that the quadrature's own error on kinked functions is shown),
* plain tensor Gauss–Hermite of degree 25 and 100 (the baseline),

all timed in the same run.  The reference is cached in
``benchmarks/reference_covariance.json`` (``--recompute`` rebuilds it, ~30–50 min on
two busy cores; progress is checkpointed to $TMPDIR and ``--resume`` continues);
the table goes to ``benchmarks/results/covariance.md``.

Reference (mpmath, working precision 40 digits, stored to 30), independent of
the polar rule:

* relu, abs: arc-cosine kernels (Cho & Saul 2009; seed 002 App. B)
  C[relu|ρ] = (√(1−ρ²) + ρ(π − arccos ρ)) / (2π),
  C[abs|ρ]  = (2/π)(√(1−ρ²) + ρ arcsin ρ).
* htanh, gelu: C = E_u[φ(u) g(ρu, s)], s = √(1−ρ²), with the inner Gaussian
  smoothing g(m, s) = E_z[φ(m + s z)] in closed form —
  htanh = clip(x, −1, 1) = x − (x−1)₊ + (−1−x)₊ and
  E(Y−a)₊ = (m−a)Φ((m−a)/s) + s ϕ((m−a)/s) for Y ~ N(m, s²);
  gelu = xΦ(x), E[YΦ(Y)] = mΦ(m/q) + s² ϕ(m/q)/q, q = √(1+s²) —
  and the outer 1-D integral by ``mpmath.quad`` (tanh-sinh) split at the kinks
  ±1 and at the smoothed kinks ±1/ρ (± multiples of s/|ρ|), so that ρ → ±1 is
  resolved.  The quad error estimate is kept.
* tanh, softplus: 2-D trapezoidal (sinc) rule in (u, z) on [−12.5, 12.5]², which
  converges like exp(−2πd/h) for integrands analytic in the strip |Im| < d
  (d = π/2 for tanh, π for softplus).  h = 0.11 (tanh), 0.19 (softplus);
  a coarser h (0.13, 0.23) is evaluated at every 4th point, and the largest
  difference is stored as the convergence check.  One interior point is
  cross-checked against nested ``mpmath.quad``.
* For htanh, tanh, gelu and softplus only ρ ≥ 0 is integrated; ρ < 0 follows from
  exact identities: C[φ|−ρ] = −C[φ|ρ] for odd φ (htanh, tanh), and
  C[φ|−ρ] = C[φ|ρ] − ρ/2 when φ(−x) = φ(x) − x (softplus, gelu), since then
  E[φ(u)φ(−v)] = C[φ|ρ] − E[φ(u) v] and E[φ(u) v] = ρ E[φ'(u)] = ρ/2 (Stein).
  Both are verified by direct evaluation at three negative ρ (:data:`MIRROR`).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import math
import multiprocessing as mp_
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np

HERE = Path(__file__).parent
REF = HERE / "reference_covariance.json"
OUT = HERE / "results" / "covariance.md"
ACTS = ("relu", "abs", "htanh", "tanh", "gelu", "softplus")
DPS = 40  # working precision; 30 digits stored
STORE_DIGITS = 30
TRAP_H = {"tanh": (0.11, 0.13), "softplus": (0.19, 0.23)}
TRAP_L = 12.5
CHECK_EVERY = 4
NESTED = "@nested"  # task suffix: nested mpmath.quad cross-check


# ----------------------------------------------------------------------------
# the ρ grid


def rho_grid(n: int = 1000) -> np.ndarray:
    """``n`` (even) values of ρ in [−1, 1], symmetric about 0, with ±1 and ±(1 − 10^−j).

    ±sin(πk/(2K)), k = 1..K (dense near ±1: 1 − ρ ≈ 5e-6 next to ±1), plus
    ±(1 − 10^−j) for j = 4, 6, 8, 10, 12 and ±1e-8.
    """
    extra = [1 - 10.0**-j for j in (4, 6, 8, 10, 12)] + [1e-8]
    k = n // 2 - len(extra)
    pos = np.unique(np.concatenate([np.sin(np.pi / 2 * np.arange(1, k + 1) / k), extra]))
    pos[-1] = 1.0
    pts = np.concatenate([-pos[::-1], pos])
    if pts.size != n:
        raise ValueError(f"n={n} gives a grid of {pts.size} points")
    return pts


# ----------------------------------------------------------------------------
# 30-digit reference values (mpmath only; nothing from ringing.theory)


def _npdf(x: Any) -> Any:
    return mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi)


def _ncdf(x: Any) -> Any:
    return mp.erfc(-x / mp.sqrt(2)) / 2


def _relu_ref(r: Any) -> Any:
    return (mp.sqrt(1 - r**2) + r * (mp.pi - mp.acos(r))) / (2 * mp.pi)


def _abs_ref(r: Any) -> Any:
    return 2 / mp.pi * (mp.sqrt(1 - r**2) + r * mp.asin(r))


def _ramp_mean(m: Any, s: Any, a: Any) -> Any:
    """E[(Y − a)₊] for Y ~ N(m, s²)."""
    if s == 0:
        return max(m - a, 0)
    t = (m - a) / s
    return (m - a) * _ncdf(t) + s * _npdf(t)


def _htanh_smooth(m: Any, s: Any) -> Any:
    """E[clip(m + s z, −1, 1)] = m − E(Y−1)₊ + E(−1−Y)₊ (the last by Y → −Y)."""
    return m - _ramp_mean(m, s, 1) + _ramp_mean(-m, s, 1)


def _gelu_smooth(m: Any, s: Any) -> Any:
    """E[Y Φ(Y)] for Y ~ N(m, s²): mΦ(m/q) + s² ϕ(m/q)/q, q = √(1+s²)."""
    q = mp.sqrt(1 + s**2)
    return m * _ncdf(m / q) + s**2 * _npdf(m / q) / q


def _smoothed_ref(act: str, r: Any) -> tuple[Any, Any]:
    s = mp.sqrt(1 - r**2)
    if act == "htanh":
        def phi(u: Any) -> Any:
            return min(max(u, -1), 1)
        smooth = _htanh_smooth
        kinks = [mp.mpf(-1), mp.mpf(1)]
    else:
        def phi(u: Any) -> Any:
            return u * _ncdf(u)
        smooth = _gelu_smooth
        kinks = []
    pts = {mp.mpf(v) for v in (-6, -3, 0, 3, 6)} | set(kinks)
    if r != 0:
        for k in kinks:
            c = k / r  # the smoothed kink of g(ρu, s), width s/|ρ|
            js = (-30, -8, -2, -0.5, 0, 0.5, 2, 8, 30) if s < abs(r) else (0,)
            for j in js:
                p = c + j * s / abs(r)
                if abs(p) < 14:
                    pts.add(p)
    grid = [-mp.inf, *sorted(pts), mp.inf]

    def f(u: Any) -> Any:
        return phi(u) * smooth(r * u, s) * _npdf(u)

    val, err = mp.quad(f, grid, error=True, maxdegree=10)
    return val, err


def _trap_nodes(h: float) -> tuple[list[Any], list[Any]]:
    hh = mp.mpf(h)
    k = int(math.ceil(TRAP_L / h))
    u = [j * hh for j in range(-k, k + 1)]
    w = [hh * _npdf(x) for x in u]
    return u, w


def _trap_ref(act: str, r: Any, h: float) -> Any:
    """Σ_i Σ_j W_i W_j φ(u_i) φ(ρ u_i + s u_j), trapezoidal weights W = h ϕ(u)."""
    s = mp.sqrt(1 - r**2)
    u, w = _trap_nodes(h)
    if act == "tanh":  # tanh(ρu + sz) = 1 − 2/(1 + e^{2ρu} e^{2sz})
        a = [mp.exp(2 * r * x) for x in u]
        b = [mp.exp(2 * s * x) for x in u]
        sw = mp.fsum(w)
        f = [mp.tanh(x) for x in u]
        inner = [sw - 2 * mp.fdot(w, [1 / (1 + ai * bj) for bj in b]) for ai in a]
    elif act == "softplus":  # log(1 + e^{ρu} e^{sz})
        a = [mp.exp(r * x) for x in u]
        b = [mp.exp(s * x) for x in u]
        f = [mp.log1p(mp.exp(x)) for x in u]
        inner = [mp.fdot(w, [mp.log1p(ai * bj) for bj in b]) for ai in a]
    else:
        raise ValueError(f"act={act!r} has no trapezoidal reference")
    return mp.fdot(w, [fi * gi for fi, gi in zip(f, inner, strict=True)])


def reference_point(task: tuple[str, float, bool]) -> tuple[str, float, str, float]:
    """(act, ρ, 30-digit value, error estimate) for one ρ (worker function)."""
    act, rho, check = task
    if act.endswith(NESTED):
        return act, rho, mp.nstr(_nested_quad(act[:-len(NESTED)], rho), 20), 0.0
    with mp.workdps(DPS):
        r = mp.mpf(rho)  # the exact double
        err: Any = 0
        if act == "relu":
            v = _relu_ref(r)
        elif act == "abs":
            v = _abs_ref(r)
        elif act in ("htanh", "gelu"):
            v, err = _smoothed_ref(act, r)
        else:
            h, hc = TRAP_H[act]
            v = _trap_ref(act, r, h)
            err = abs(v - _trap_ref(act, r, hc)) if check else -1
        return act, rho, mp.nstr(v, STORE_DIGITS, min_fixed=-1, max_fixed=1), float(err)


def _nested_quad(act: str, rho: float) -> Any:
    """Nested mpmath.quad at 22 digits (slow; one cross-check point)."""
    fn: Callable[[Any], Any] = mp.tanh if act == "tanh" else (lambda y: mp.log1p(mp.exp(y)))
    with mp.workdps(22):
        r = mp.mpf(rho)
        s = mp.sqrt(1 - r**2)

        def outer(u: Any) -> Any:
            g = mp.quad(lambda z: fn(r * u + s * z) * _npdf(z), [-mp.inf, 0, mp.inf])
            return fn(u) * g * _npdf(u)

        return mp.quad(outer, [-mp.inf, 0, mp.inf])


#: C(−ρ) from C(ρ): odd φ give C(−ρ) = −C(ρ); φ(−x) = φ(x) − x (softplus, gelu) gives
#: C(−ρ) = C(ρ) − E[φ(u) v] = C(ρ) − ρ E[φ'(u)] = C(ρ) − ρ/2 (Stein; E[φ'] = 1/2 for both).
MIRROR: dict[str, Callable[[Any, Any], Any]] = {
    "htanh": lambda c, r: -c, "tanh": lambda c, r: -c,
    "gelu": lambda c, r: c + r / 2, "softplus": lambda c, r: c + r / 2,
}  # (C(|ρ|), ρ) ↦ C(ρ) for ρ < 0


def _van_der_corput(i: int) -> float:
    v, d = 0.0, 0.5
    while i:
        v, i, d = v + d * (i & 1), i >> 1, d / 2
    return v


def _identity_points(rho: np.ndarray) -> list[float]:
    """Three negative grid points evaluated directly to verify the ρ → −ρ identities."""
    return [float(rho[0]), float(rho[rho.size // 4]), float(rho[rho < -0.999999][-1])]


def compute_reference(rho: np.ndarray, workers: int, checkpoint: Path | None = None,
                      run: bool = True) -> dict[str, Any]:
    """The 30-digit reference on ``rho`` (ρ ≥ 0 directly; ρ < 0 by :data:`MIRROR`).

    Results are appended to ``checkpoint`` (JSON lines) as they arrive, and a rerun
    resumes from it.  With ``run=False`` only the checkpoint is used (points it
    lacks are ``None``, and the nested-quad cross-check is skipped).
    """
    from ringing.runs.progress import progress

    pos = [float(r) for r in rho if r >= 0]
    tasks: list[tuple[str, float, bool]] = [(a, float(r), False) for a in ("relu", "abs")
                                            for r in rho]
    for act in ("htanh", "gelu"):
        tasks += [(act, r, False) for r in pos + _identity_points(rho)]
    tasks += [(a + NESTED, 0.6, False) for a in TRAP_H]
    # tanh, softplus: the ends and the identity points first, then the ρ ≥ 0 grid in
    # van der Corput order, so that any prefix of the run is spread over [0, 1]
    first = [1.0, 0.0, 1e-8, *[1 - 10.0**-j for j in (4, 6, 8, 10, 12)]]
    order = sorted(range(len(pos)), key=_van_der_corput)
    trap_rhos = first + _identity_points(rho) + [pos[i] for i in order if pos[i] not in first]
    for i, r in enumerate(trap_rhos):
        tasks += [(a, r, i % CHECK_EVERY == 0 or i < len(first) + 3) for a in TRAP_H]
    res: dict[str, dict[float, tuple[str, float]]] = {
        a: {} for a in (*ACTS, *(b + NESTED for b in TRAP_H))}
    seconds = 0.0
    if checkpoint is not None and checkpoint.exists():
        for line in checkpoint.read_text().splitlines():
            rec = json.loads(line)
            if "seconds" in rec:
                seconds = rec["seconds"]
                continue
            res[rec["act"]][rec["rho"]] = (rec["value"], rec["err"])
    tasks = [t for t in tasks if t[1] not in res[t[0]]] if run else []
    if run:
        t0 = time.time()
        sink = checkpoint.open("a") if checkpoint is not None else None
        with mp_.Pool(workers) as pool:
            for act, r, v, e in progress(pool.imap_unordered(reference_point, tasks),
                                         total=len(tasks), desc="reference"):
                res[act][r] = (v, e)
                if sink is not None:
                    sink.write(json.dumps({"act": act, "rho": r, "value": v, "err": e}) + "\n")
                    sink.flush()
        seconds += time.time() - t0
        if sink is not None:
            sink.write(json.dumps({"seconds": seconds}) + "\n")
            sink.close()
    meta: dict[str, Any] = {"dps_working": DPS, "digits_stored": STORE_DIGITS,
                            "seconds": round(seconds, 1), "workers": workers,
                            "trapezoid_h": TRAP_H, "trapezoid_L": TRAP_L,
                            "direct_points": {a: len(res[a]) for a in ACTS}}
    values: dict[str, list[str | None]] = {}
    errors: dict[str, float] = {}
    with mp.workdps(DPS):
        for act in ACTS:
            d = res[act]
            out: list[str | None] = []
            for r in rho:
                r = float(r)
                if r in d:
                    out.append(d[r][0])
                elif -r not in d:
                    out.append(None)
                else:
                    out.append(mp.nstr(MIRROR[act](mp.mpf(d[-r][0]), mp.mpf(r)),
                                       STORE_DIGITS, min_fixed=-1, max_fixed=1))
            values[act] = out
            errors[act] = max((e for _, e in d.values()), default=0.0)
            if act in MIRROR:
                meta[f"{act}_identity_check_max_diff"] = max(
                    (float(abs(mp.mpf(d[r][0]) - MIRROR[act](mp.mpf(d[-r][0]), mp.mpf(r))))
                     for r in _identity_points(rho) if r in d and -r in d), default=None)
            if act in TRAP_H:
                nested = res[act + NESTED].get(0.6)
                meta[f"{act}_nested_quad_rho_0.6"] = nested[0] if nested else None
                meta[f"{act}_trapezoid_rho_0.6"] = mp.nstr(
                    mp.mpf(reference_point((act, 0.6, False))[2]), 20)
                meta[f"{act}_checked_points"] = sum(1 for _, e in d.values() if e > 0)
    return {"meta": meta, "rho": [repr(float(r)) for r in rho], "values": values,
            "error_estimate": errors}


# ----------------------------------------------------------------------------
# methods under test


def gauss_hermite_covariance(f: Callable[[np.ndarray], np.ndarray], rho: np.ndarray,
                             degree: int, chunk: int = 64) -> np.ndarray:
    """Plain tensor Gauss–Hermite: Σ_ij w_i w_j f(x_i) f(ρ x_i + √(1−ρ²) x_j)."""
    xg, wg = np.polynomial.hermite_e.hermegauss(degree)
    wg = wg / wg.sum()
    fx = wg * f(xg)
    out = np.empty(rho.size)
    for s0 in range(0, rho.size, chunk):
        r = rho[s0:s0 + chunk, None, None]
        s = np.sqrt(np.maximum(1 - r**2, 0.0))
        inner = f(r * xg[None, :, None] + s * xg[None, None, :]) @ wg
        out[s0:s0 + chunk] = inner @ fx
    return out


def methods(act: str) -> list[tuple[str, Callable[[np.ndarray], np.ndarray]]]:
    from ringing.activations import get_activation
    from ringing.theory.gaussian import polar_covariance
    from ringing.theory.kernels import covariance

    a = get_activation(act)
    out: list[tuple[str, Callable[[np.ndarray], np.ndarray]]] = [
        ("kernels.covariance", lambda r: covariance(a, r))]
    if act in ("relu", "abs"):
        out.append(("polar_covariance (direct)", lambda r: polar_covariance(a.numpy, a.kinks, r)))
    for n in (25, 100):
        out.append((f"Gauss-Hermite n={n}",
                    functools.partial(gauss_hermite_covariance, a.numpy, degree=n)))
    return out


def best_time(fn: Callable[[], Any], repeats: int) -> float:
    ts = [math.inf]
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def main(argv: list[str]) -> None:
    if "--engine" in argv:
        engine_benchmark([a for a in argv if a != "--engine"])
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recompute", action="store_true", help="rebuild the mpmath reference")
    p.add_argument("--resume", action="store_true",
                   help="with --recompute: keep the checkpoint of an interrupted run")
    p.add_argument("--from-checkpoint", action="store_true",
                   help="build the reference from an interrupted run's checkpoint, computing "
                   "nothing (missing points are left out of the table)")
    p.add_argument("--measurements", default=None,
                   help="JSON file of method values and times (from --measure-only)")
    p.add_argument("--measure-only", action="store_true",
                   help="time the methods and save values and times to --measurements")
    p.add_argument("--reference-only", action="store_true", help="stop after the reference")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3, help="timed calls per method (best of)")
    args = p.parse_args(argv)
    rho = rho_grid()
    if args.measure_only:
        save_measurements(rho, args)
        return
    if args.recompute or args.from_checkpoint or not REF.exists():
        ckpt = Path(os.environ.get("TMPDIR", "/tmp")) / "ringing_reference_covariance.jsonl"
        if args.recompute and not (args.resume or args.from_checkpoint):
            ckpt.unlink(missing_ok=True)
        ref = compute_reference(rho, args.workers, ckpt, run=not args.from_checkpoint)
        REF.write_text(json.dumps(ref, indent=1) + "\n")
    ref = json.loads(REF.read_text())
    if args.reference_only:
        return
    if not np.array_equal(np.array([float(r) for r in ref["rho"]]), rho):
        raise ValueError(f"{REF} was computed on another ρ grid; rerun with --recompute")
    if args.measurements is None:
        meas, load = measure(rho, args.repeats), os.getloadavg()[0]
        repeats, when = args.repeats, time.time()
    else:
        meas = load_measurements(Path(args.measurements))
        extra = json.loads(Path(args.measurements).read_text())
        load, repeats, when = extra["_load"], extra["_repeats"], extra["_when"]
    rows = []
    worst: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for act in ACTS:
        with mp.workdps(DPS):
            exact = [mp.mpf(v) if v is not None else None for v in ref["values"][act]]
        have = np.array([e is not None for e in exact])
        for name, val, t in meas[act]:
            with mp.workdps(DPS):
                err = np.array([float(abs(mp.mpf(float(v)) - e)) if e is not None else 0.0
                                for v, e in zip(val, exact, strict=True)])
            i = int(np.argmax(err))
            rows.append((act, name, int(have.sum()), float(err.max()), float(rho[i]),
                         t * 1e4 / rho.size))
            bad = np.flatnonzero(err > 1e-12)
            worst[(act, name)] = [(float(rho[j]), float(err[j])) for j in
                                  bad[np.argsort(-err[bad])]]
            print(f"{act:9s} {name:28s} {err.max():9.2e} at rho={rho[i]:+.12g} "
                  f"{t * 1e4 / rho.size:9.3f} s/1e4", flush=True)
    write_table(rows, worst, ref, load, repeats, when)


Measurements = dict[str, list[tuple[str, np.ndarray, float]]]


def measure(rho: np.ndarray, repeats: int) -> Measurements:
    """Values on ``rho`` and best-of-``repeats`` time of every method, all in this run."""
    out: Measurements = {}
    for act in ACTS:
        out[act] = []
        for name, fn in methods(act):
            t0 = time.perf_counter()
            val = fn(rho)
            t = min(time.perf_counter() - t0, best_time(functools.partial(fn, rho), repeats - 1))
            out[act].append((name, np.asarray(val, dtype=float), t))
            print(f"measured {act} {name}: {t:.3f} s for {rho.size}", file=sys.stderr, flush=True)
    return out


def save_measurements(rho: np.ndarray, args: argparse.Namespace) -> None:
    if args.measurements is None:
        raise ValueError("--measure-only needs --measurements PATH")
    meas = measure(rho, args.repeats)
    Path(args.measurements).write_text(json.dumps(
        {a: [(n, [repr(float(v)) for v in val], t) for n, val, t in rows]
         for a, rows in meas.items()} | {"_when": time.time(), "_load": os.getloadavg()[0],
                                          "_repeats": args.repeats}))


def load_measurements(path: Path) -> Measurements:
    d = json.loads(path.read_text())
    return {a: [(n, np.array([float(v) for v in val]), t) for n, val, t in d[a]] for a in ACTS}


def _e(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1e}"


def _fmt_rho(r: float) -> str:
    if abs(r) > 0.999 and abs(r) != 1.0:
        return f"1 − {1 - r:.3g}" if r > 0 else f"−1 + {1 + r:.3g}"
    return f"{r:+.6g}"


def write_table(rows: list[tuple[str, str, int, float, float, float]],
                worst: dict[tuple[str, str], list[tuple[float, float]]], ref: dict[str, Any],
                load: float, repeats: int, when: float) -> None:
    meta = ref["meta"]
    now = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    lines = [
        "# Gaussian covariance C[φ|ρ]: accuracy and speed",
        "",
        f"Measured {now} on {platform.machine()} / {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}; "
        f"load average after the timings {load:.1f} (shared machine: times are "
        f"best of {repeats} calls, ratios within this table are what to compare).",
        "",
        "Command: `python benchmarks/bench_covariance.py` (reference cached in "
        "`benchmarks/reference_covariance.json`; `--recompute` rebuilds it"
        + (f", it took {meta['seconds']:.0f} s on {meta['workers']} workers)." if meta["seconds"]
           else "; this one was built from a run stopped at a deadline, with "
           "`--from-checkpoint`).") ,
        "",
        "1000 values of ρ in [−1, 1] (±sin(πk/988), k = 1..494, which includes ±1 and "
        "puts ±(1 − 5e-6) next to them, plus ±(1 − 10^−j) for j = 4, 6, 8, 10, 12 and ±1e-8); "
        "error = max |method − reference| over the ρ points that have a reference value "
        "(column 3; reference: 30-digit mpmath, see below and the script's docstring); "
        "time per 10^4 ρ values = best of the timed calls on the 1000 values × 10.",
        "",
        "| activation | method | ρ points checked | max abs error | at ρ | "
        "time per 10^4 ρ (s) | time / GH n=100 | ≤ 1e-12 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    gh100 = {act: t for act, name, _, _, _, t in rows if name == "Gauss-Hermite n=100"}
    for act, name, npts, err, at, t in rows:
        ok = "yes" if err <= 1e-12 else "**no**"
        lines.append(f"| {act} | {name} | {npts} | {err:.2e} | {_fmt_rho(at)} | {t:.3g} | "
                     f"{t / gh100[act]:.3g} | {ok} |")
    lines += ["", "Where `kernels.covariance` / `polar_covariance` miss 1e-12 (ρ, error; "
              "worst first, at most 10):", ""]
    any_miss = False
    for (act, name), bad in worst.items():
        if "Hermite" in name or not bad:
            continue
        any_miss = True
        pts = ", ".join(f"({r:.17g}, {e:.2e})" for r, e in bad[:10])
        lines.append(f"- {act}, {name}: {len(bad)} points; {pts}")
    if not any_miss:
        lines.append("- nowhere: every point is within 1e-12.")
    direct = meta["direct_points"]
    lines += ["", "Reference checks (from the JSON's `meta`):", "",
              f"- relu, abs: arc-cosine closed forms in mpmath at all {direct['relu']} points.",
              "- htanh, tanh, gelu, softplus: computed directly at "
              + ", ".join(f"{direct[a]} ({a})" for a in ("htanh", "gelu", "tanh", "softplus"))
              + " values of ρ (the 500 grid ρ > 0, 3 negative ρ for the identity checks, and "
              "for tanh and softplus also ρ = 0); the other ρ < 0 from the exact "
              "identities C(−ρ) = −C(ρ) (odd φ: htanh, tanh) and C(−ρ) = C(ρ) − ρ/2 "
              "(φ(−x) = φ(x) − x: gelu, softplus); largest deviation from the identity at the 3 "
              "direct negative points: "
              + ", ".join(f"{a} {_e(meta[f'{a}_identity_check_max_diff'])}"
                          for a in ("htanh", "tanh", "gelu", "softplus")) + "."]
    for act in ("htanh", "gelu"):
        lines.append(f"- {act}: closed-form inner smoothing, outer mpmath.quad; largest quad "
                     f"error estimate {ref['error_estimate'][act]:.1e}.")
    for act in ("tanh", "softplus"):
        h, hc = meta["trapezoid_h"][act]
        lines.append(
            f"- {act}: 2-D trapezoid h={h} vs h={hc} differ by at most "
            f"{ref['error_estimate'][act]:.1e} over {meta[f'{act}_checked_points']} points "
            f"(the error of the h={hc} rule; the h={h} rule's is far smaller); nested "
            f"mpmath.quad (22 digits) at ρ = 0.6: {meta[f'{act}_nested_quad_rho_0.6']}, "
            f"trapezoid: {meta[f'{act}_trapezoid_rho_0.6']}.")
    text = "\n".join(lines) + "\n"
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)
    print(text)



# ----------------------------------------------------------------------------
# issue 12: the whole registry at σ ∈ {0.5, 1, 3}, cold and warm throughput, a Gram matrix

SIGMA_REF = HERE / "reference_covariance_sigma.json"

_TIMING_SCRIPT = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, {here!r})
from bench_covariance import gauss_hermite_covariance
act = sys.argv[1]
rng = np.random.default_rng(0)
rho = np.sort(rng.uniform(-1, 1, 100000))
t0, c0 = time.perf_counter(), time.process_time()
from ringing.activations import get_activation
from ringing.theory.kernels import covariance
t_import, c_import = time.perf_counter() - t0, time.process_time() - c0
def timed(fn, *a):
    t0, c0 = time.perf_counter(), time.process_time()
    fn(*a)
    return time.perf_counter() - t0, time.process_time() - c0
cold, cold_cpu = timed(covariance, act, rho)
warm = min(timed(covariance, act, rho)[0] for _ in range(3))
a = get_activation(act)
gh25, gh25_cpu = timed(gauss_hermite_covariance, a.numpy, rho, 25)
gh100, gh100_cpu = timed(gauss_hermite_covariance, a.numpy, rho[::10], 100)
print(json.dumps(dict(act=act, cold=cold, cold_cpu=cold_cpu, warm=warm, gh25=gh25,
                      gh25_cpu=gh25_cpu, gh100=gh100 * 10, gh100_cpu=gh100_cpu * 10,
                      import_s=t_import, import_cpu=c_import)))
"""


def _cold_ratio(t: dict[str, Any]) -> float:
    return float(t.get("cold_cpu", t["cold"]) / t.get("gh25_cpu", t["gh25"]))


def _timings(act: str, runs: int = 3) -> dict[str, Any]:
    """Cold/warm timings of ``act`` in ``runs`` fresh processes: the run with the median
    cold / GH-25 ratio (each ratio is taken within one process), with the range of the
    ratios over the runs (``ratio_min``, ``ratio_max``).  A cold call costs ~0.1 s, so one
    process alone moves its ratio by ±0.3 on a shared machine."""
    import subprocess

    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    got = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _TIMING_SCRIPT.format(here=str(HERE)),
                              act], capture_output=True, text=True, env=env, check=True)
        got.append(json.loads(out.stdout.strip().splitlines()[-1]))
    got.sort(key=_cold_ratio)
    med = dict(got[len(got) // 2])
    med.update(runs=runs, ratio_min=_cold_ratio(got[0]), ratio_max=_cold_ratio(got[-1]))
    return med


def _uptime() -> str:
    import subprocess

    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return f"load average {os.getloadavg()}"


def _gram_benchmark() -> dict[str, Any]:
    from ringing.theory.kernels import Layer, LayerStack, covariance, propagate

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 64))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    g = np.clip(x @ x.T, -1.0, 1.0)
    lay = Layer("tanh", 1.3, 0.1)
    covariance("tanh", np.zeros(1))  # build the interpolant (cold cost measured separately)
    t0 = time.perf_counter()
    out, _ = propagate(LayerStack(lay, 50), g)
    t_engine = time.perf_counter() - t0
    # one layer by Gauss–Hermite-25 on the same matrix, for scale
    from ringing.activations import get_activation

    a = get_activation("tanh")
    t0 = time.perf_counter()
    gauss_hermite_covariance(a.numpy, g.ravel(), 25)
    t_gh = time.perf_counter() - t0
    return {"shape": list(out.shape), "layers": 50, "seconds": t_engine,
            "gh25_one_layer_seconds": t_gh, "diag_max_dev": float(np.max(np.abs(
                np.diag(out) - 1.0))), "symmetric": bool(np.array_equal(out, out.T))}


def engine_benchmark(argv: list[str]) -> None:
    """Accuracy against the independent σ-reference, cold/warm throughput, Gram matrix."""
    from ringing.activations import get_activation, list_activations
    from ringing.theory.gauss_kernel import covariance_result

    p = argparse.ArgumentParser(description="issue 12 engine benchmark")
    p.add_argument("--no-timing", action="store_true",
                   help="reuse the times saved in results/covariance_timing.json")
    p.add_argument("--only", default="")
    args = p.parse_args(argv)
    t_acc = time.perf_counter()
    ref = json.loads(SIGMA_REF.read_text())
    grid = np.array(ref["rho"], dtype=float)
    names = [n for n in list_activations() if not args.only or n in args.only.split(",")]
    rows = []
    for name in names:
        a = get_activation(name)
        for sig in (0.5, 1.0, 3.0):
            key = f"{name}@{sig:g}"
            if key not in ref["values"]:
                rows.append((name, sig, None))
                continue
            idx = ref["meta"][key].get("rho_index", list(range(grid.size)))
            r = grid[idx]
            want = np.array([float(v) for v in ref["values"][key]])
            rerr = max(float(e) for e in ref["error"][key])
            res = covariance_result(a, r, sigma=sig)
            scale = max(1.0, float(np.max(np.abs(want))))
            e_eng = float(np.max(np.abs(res.value - want)))
            def f(v: np.ndarray, s: float = sig, a: Any = a) -> np.ndarray:
                return a.numpy(s * v)

            e25 = float(np.max(np.abs(gauss_hermite_covariance(f, r, 25) - want)))
            e100 = float(np.max(np.abs(gauss_hermite_covariance(f, r, 100) - want)))
            rows.append((name, sig, dict(n=int(r.size), scale=scale, ref_err=rerr, eng=e_eng,
                                         est=res.error, gh25=e25, gh100=e100,
                                         method=res.method.split("(")[0].strip() + " (" +
                                         res.method.split("(")[1].split(",")[0].split(";")[0]
                                         + ")")))
    acc_s = time.perf_counter() - t_acc
    saved = HERE / "results" / "covariance_timing.json"
    if args.no_timing and saved.exists():  # re-tabulate accuracy, keep the measured times
        kept = json.loads(saved.read_text())
        timing, gram, load = kept["timing"], kept["gram"], kept["load"]
        t_wall, uptime = kept.get("seconds"), kept.get("uptime", "")
    else:
        t_start = time.perf_counter()
        timing = [_timings(n) for n in names]
        gram = _gram_benchmark()
        load = os.getloadavg()[0]
        t_wall = time.perf_counter() - t_start
        uptime = _uptime()
        saved.write_text(json.dumps({"timing": timing, "gram": gram, "load": load,
                                     "seconds": t_wall, "uptime": uptime}, indent=1))
    checks = ref.get("self_check", {})
    lines = ["# Gaussian covariance C[φ|ρ; σ]: accuracy and speed (issue 12 engine)", "",
             f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
             f"{platform.machine()}, {os.cpu_count()} cores shared by several jobs, Python "
             f"{platform.python_version()}, numpy {np.__version__}; load average after the "
             f"timing run {load:.1f}.  Times are wall-clock on a loaded machine: compare ratios "
             "within a row (all methods timed in the same process).", "",
             "Command: `python benchmarks/bench_covariance.py --engine` (reference: "
             "`python benchmarks/covariance_reference.py`, mpmath only, written independently "
             "of ringing.theory; see its docstring).", "",
             "## Accuracy against the independent reference (36 working digits, 32 stored)",
             "",
             "Max abs error over the reference's ρ (201 values in [−1, 1] incl. ±1 and "
             "±(1 − 1e-10)), relative to max(1, max|C|) = 'scale'.  'estimate' is the "
             "engine's own error estimate; 'reference error' the largest error estimate of "
             "the reference values (mpmath.quad's, the Mehler tail, or for even_tanh the "
             "measured agreement of two rules).  Reference methods: closed forms; one "
             "smoothed integral (htanh, gelu, elu, selu, selu_seed004: closed-form inner "
             "Gaussian mean, outer mpmath.quad); the polar form (softsign: radial integral "
             "in closed form via the Goodwin–Staton integral, angle by mpmath.quad; "
             "even_tanh: radial 192-point and angular graded 24-point Gauss–Legendre in "
             "mpmath); Mehler series (tanh, sigmoid, softplus, silu, mish).  For the "
             "odd/even/gelu-type functions (softsign, even_tanh, htanh, gelu) the ρ < 0 "
             "values come from C(|ρ|) by the exact identity, checked directly at 3 negative "
             "ρ (largest deviation in the JSON's meta)." + (
                 f"  Self-check of the reference (`covariance_reference.py --self-check`, "
                 f"{len(checks['points'])} points incl. σ = 3, ρ = 1 − 1e-10): at 26 "
                 f"instead of 36 digits it moves by ≤ {checks['max_diff_dps_minus_10']:.0e}; "
                 f"softsign and even_tanh by a second method (radial and angular "
                 f"integrals by adaptive tanh-sinh) differ by "
                 f"≤ {checks['max_diff_second_method']:.0e}." if checks else ""), "",
             "| activation | σ | ρ | engine method | engine error / scale | estimate | "
             "GH-25 error | GH-100 error | reference error | ≤ 1e-12 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, sig, d in rows:
        if d is None:
            lines.append(f"| {name} | {sig:g} | – | not covered by the reference | | | | | | |")
            continue
        ok = d["eng"] / d["scale"] <= 1e-12
        lines.append(f"| {name} | {sig:g} | {d['n']} | {d['method']} | "
                     f"{d['eng'] / d['scale']:.1e} | {d['est']:.1e} | {d['gh25']:.1e} | "
                     f"{d['gh100']:.1e} | {d['ref_err']:.0e} | {'yes' if ok else '**no**'} |")
    if timing:
        lines += ["", "## Throughput on 10^5 ρ (σ = 1), one core", "",
                  "Cold: the first `covariance` call in a fresh process (spec parsing, structure "
                  "recognition, square-integrability check and building the interpolant "
                  "included; module imports not, see the last column), in 3 fresh processes: "
                  "the run with the median cold / GH-25 ratio, the range over the 3 beside it.  "
                  "Warm: best of 3 "
                  "further calls.  GH-25 on the same 10^5 ρ, GH-100 on 10^4 of them ×10, in "
                  "the same process after the engine.  Costs are CPU seconds "
                  "(`time.process_time`), which a loaded machine inflates far less than wall "
                  "time; wall seconds of the cold call beside them.", "",
                  "| activation | cold CPU (s) | cold wall (s) | warm ρ/s (wall) | GH-25 CPU (s) "
                  "| cold / GH-25 (median) | range over runs | GH-100 CPU (s) | cold / GH-100 "
                  "| import CPU (s) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for t in timing:
            cc = t.get("cold_cpu", t["cold"])
            g25 = t.get("gh25_cpu", t["gh25"])
            g100 = t.get("gh100_cpu", t["gh100"])
            lines.append(f"| {t['act']} | {cc:.3f} | {t['cold']:.3f} | {1e5 / t['warm']:.2e} | "
                         f"{g25:.3f} | {cc / g25:.2f} | "
                         f"{t.get('ratio_min', cc / g25):.2f}–{t.get('ratio_max', cc / g25):.2f}"
                         f" | {g100:.2f} | {cc / g100:.3f} | "
                         f"{t.get('import_cpu', t['import_s']):.2f} |")
        over = [t["act"] for t in timing if _cold_ratio(t) > 1.0]
        lines += ["", "Cold calls costing more than GH-25: " + (", ".join(over) or "none")
                  + " (see docs/theory.md, 'Where the engine is not yet at 1e-12 or at "
                  "speed')."]
    if gram:
        lines += ["", "## A 1000×1000 correlation matrix through 50 tanh layers", "",
                  f"`propagate(LayerStack(Layer('tanh', 1.3, 0.1), 50), G)` on the Gram matrix "
                  f"of 1000 random unit vectors: {gram['seconds']:.2f} s for 50 layers "
                  f"({gram['seconds'] / 50:.3f} s per layer of 10^6 ρ, one call per layer); one "
                  f"layer by GH-25 on the same matrix: {gram['gh25_one_layer_seconds']:.2f} s.  "
                  f"Output shape {gram['shape']}, symmetric: {gram['symmetric']}, "
                  f"max |diag − 1| = {gram['diag_max_dev']:.1e}."]
    if t_wall:
        lines += ["", f"Timing part: {t_wall:.0f} s wall; `uptime` after it: "
                  f"{uptime.strip()} (2 cores shared by 7 jobs).  The accuracy part "
                  f"(`--no-timing` re-tabulates it against the stored times) took "
                  f"{acc_s:.0f} s."]
    text = "\n".join(lines) + "\n"
    OUT.write_text(text + "\n" + PREVIOUS_NOTE)
    print(text)


PREVIOUS_NOTE = """## Earlier table (issue 2, σ = 1, 1000 ρ)

The 1000-ρ, σ = 1 reference of issue 2 (`reference_covariance.json`: relu, abs, htanh,
tanh, gelu, softplus) is still checked by `python benchmarks/bench_covariance.py`
(without `--engine`), which rewrites this file with that table.
"""


if __name__ == "__main__":
    main(sys.argv[1:])
