"""Claims of seed 001 (Rahaman, Baratin, Arpit, Draxler, Lin, Hamprecht, Bengio, Courville, "On
the spectral bias of neural networks"): the Fourier transform of ReLU networks (§2) and the
Lipschitz chain (eq 7, App. C.6)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ringing.validate.core import Claim, Outcome

CLAIMS: list[Claim] = []


def _random_relu_net(seed: int, widths: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, np.sqrt(2.0 / fi), size=(fo, fi)), rng.normal(0, 0.5, size=fo))
            for fi, fo in zip(widths[:-1], widths[1:], strict=True)]


def claim_relu_fourier_exact(seed: int = 0, n: int = 2**15, kmax: int = 40) -> Outcome:
    """Seed 001 §2 (1-D): the closed-form Fourier coefficients of a ReLU network (a CPWL
    function) equal a fine trapezoid DFT of samples, within the O(h²) quadrature bound."""
    from ringing.theory.fourier import (
        relu_network_forward,
        relu_network_fourier,
        relu_network_pieces,
    )

    ws = _random_relu_net(seed, (1, 12, 12, 12, 1))
    a, b = -2.0, 2.0
    length, h = b - a, (b - a) / n
    xs = a + h * np.arange(n)
    f = relu_network_forward(ws, xs)
    fb = relu_network_forward(ws, np.array([b]))[0]
    k = np.arange(kmax)
    dft = (np.fft.fft(f)[:kmax] + (fb - f[0]) / 2) / n
    pwl = relu_network_pieces(ws, (a, b))
    exact = relu_network_fourier(ws, k, (a, b))
    omega = 2 * np.pi * k / length
    s = pwl.slopes
    bound = (h**2 / 12 * (omega**2 * np.abs(f).sum() * h
                          + 2 * omega * np.abs(s * np.diff(pwl.knots)).sum()) / length
             + h**2 / 4 * np.abs(np.diff(s)).sum() / length)
    diff = np.abs(exact - dft)
    ok = bool(np.all(diff <= 2 * bound + 1e-13))
    j = int(np.argmax(diff / (2 * bound + 1e-13)))
    return Outcome("pass" if ok else "fail", theory=float(abs(exact[1])),
                   simulation=float(abs(dft[1])),
                   tolerance="|exact − DFT| <= 2 × the trapezoid error bound, every k < 40",
                   reason="" if ok else f"k={j}: differs by {diff[j]:.3g}",
                   details={"max_abs_diff": float(diff.max()), "worst_k": j})


CLAIMS.append(Claim("seed001/fourier/exact_vs_dft",
                    "the closed-form Fourier coefficients of a ReLU network equal its DFT",
                    "seed 001 §2", claim_relu_fourier_exact))


def claim_lipschitz_chain(seed: int = 0) -> Outcome:
    """Seed 001 eq 7 / App. C.6: Lip(f) <= Π‖W_l‖₂ <= Π √(n n') max|W_l| <= ‖θ‖_∞^L √d Π n_l."""
    from ringing.theory.fourier import lipschitz_bounds, measured_lipschitz, relu_network_pieces

    ws = _random_relu_net(seed, (1, 8, 16, 8, 1))
    lip = measured_lipschitz(relu_network_pieces(ws, (-5.0, 5.0)))
    lb = lipschitz_bounds(ws)
    chain = [lip, lb.spectral, lb.max_norm, lb.theta_inf]
    ok = all(u <= v * (1 + 1e-12) for u, v in zip(chain[:-1], chain[1:], strict=True))
    return Outcome("pass" if ok else "fail", theory=lb.spectral, simulation=lip,
                   tolerance="each inequality of the chain (relative 1e-12)",
                   reason="" if ok else f"chain violated: {chain}",
                   details={"measured": lip, "spectral": lb.spectral, "max_norm": lb.max_norm,
                            "theta_inf": lb.theta_inf})


CLAIMS.append(Claim("seed001/eq7/lipschitz_chain",
                    "Lip(f) <= Π‖W‖₂ <= Π √(n n') max|W| <= ‖θ‖_∞^L √d Π n_l",
                    "seed 001 eq 7, App. C.6", claim_lipschitz_chain))
