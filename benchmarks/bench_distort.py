"""Benchmark ``ringing.theory.harmonics.distort`` (seed 000 eq 6) on a large spectrum.

A spectrum of 10^5 coefficients (K = 50 000, indices -K..K) through a degree-25 polynomial:
the output has 2 * 25 * K + 1 = 2.5 M coefficients.  Baselines measured in the same run: one
complex FFT of the output length, and the naive route of repeated ``np.convolve`` (timed on a
smaller spectrum and extrapolated as O(D^2 K^2) would be hours at this size).

Run: ``python benchmarks/bench_distort.py [--out benchmarks/results/distort.md]``
"""

from __future__ import annotations

import argparse
import datetime
import platform
import time

import numpy as np

from ringing.theory.harmonics import autoconvolve, distort


def _best(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--coefficients", type=int, default=100_000)
    ap.add_argument("--degree", type=int, default=25)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    k = args.coefficients // 2
    z = rng.normal(size=k + 1) + 1j * rng.normal(size=k + 1)
    z[0] = z[0].real
    z = np.concatenate([np.conj(z[:0:-1]), z]) / np.sqrt(2 * k + 1)  # Hermitian, |p| ~ 1
    a = rng.normal(size=args.degree + 1) / np.arange(1, args.degree + 2) ** 2
    n_out = 2 * args.degree * k + 1
    buf = rng.normal(size=n_out) + 1j * rng.normal(size=n_out)
    rows = []
    from scipy.fft import next_fast_len

    n_fast = int(next_fast_len(n_out))
    buf_fast = np.resize(buf, n_fast)
    t_fft = _best(lambda: np.fft.fft(buf_fast))
    rows.append((f"one complex FFT of next_fast_len(output length) = {n_fast} (baseline)",
                 n_fast, t_fft, 1.0))
    t_raw = _best(lambda: np.fft.fft(buf))
    rows.append(("one complex FFT of the exact output length", n_out, t_raw, t_raw / t_fft))
    t_dist = _best(lambda: distort(a, z, real=True))
    rows.append((f"distort, degree {args.degree}, real=True", n_out, t_dist, t_dist / t_fft))
    t_dc = _best(lambda: distort(a, z))
    rows.append((f"distort, degree {args.degree}, complex", n_out, t_dc, t_dc / t_fft))
    t_ac = _best(lambda: autoconvolve(z, args.degree))
    rows.append((f"autoconvolve(z, {args.degree})", n_out, t_ac, t_ac / t_fft))
    # naive baseline on a small spectrum: sum_j a_j (z conv ... conv z) with np.convolve
    ks = 200
    zs = z[k - ks: k + ks + 1]

    def naive() -> np.ndarray:
        out = np.zeros(2 * args.degree * ks + 1, dtype=complex)
        cur = np.ones(1, dtype=complex)
        for j, aj in enumerate(a):
            if j:
                cur = np.convolve(cur, zs)
            pad = (out.size - cur.size) // 2
            out[pad: pad + cur.size] += aj * cur
        return out

    t_naive = _best(naive, 3)
    t_small = _best(lambda: distort(a, zs, real=True))
    err = float(np.max(np.abs(naive() - distort(a, zs, real=True))))
    rows.append((f"naive np.convolve chain, K={ks}", 2 * args.degree * ks + 1, t_naive,
                 t_naive / t_small))
    rows.append((f"distort, K={ks} (same input)", 2 * args.degree * ks + 1, t_small, 1.0))
    head = (f"# distort benchmark\n\n{datetime.date.today().isoformat()}, "
            f"{platform.machine()} {platform.processor() or ''}, python "
            f"{platform.python_version()}, numpy {np.__version__}\n\n"
            f"Input: {2 * k + 1} coefficients, degree {args.degree}; output {n_out} "
            "coefficients. Best of 5 (naive: 3). Ratio: against one complex FFT of the padded "
            "output length that distort uses "
            f"(last two rows: naive over distort at K={ks}; max |difference| {err:.2e}).\n\n"
            "| what | output length | seconds | ratio |\n|---|---:|---:|---:|\n")
    body = "\n".join(f"| {w} | {n} | {t:.4f} | {r:.2f} |" for w, n, t, r in rows)
    text = head + body + "\n\nCommand: `python benchmarks/bench_distort.py --out " \
        "benchmarks/results/distort.md`\n"
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
