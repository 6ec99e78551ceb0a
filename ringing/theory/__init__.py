"""Exact and numeric theory (sympy, mpmath, numpy, scipy).  Never imports torch.

Modules: :mod:`~ringing.theory.gaussian` (the Gaussian-expectation engine),
:mod:`~ringing.theory.hermite` (seed 002 §2.1), :mod:`~ringing.theory.kernels`
(covariance and correlation maps, seed 002 eq 2.3, A.10), :mod:`~ringing.theory.convexity`
(excess convexity and Theorems 1-2, seed 002 App. A), :mod:`~ringing.theory.nlc`
(seed 004 §5), :mod:`~ringing.theory.chebyshev` and :mod:`~ringing.theory.harmonics`
(seed 000 §3), :mod:`~ringing.theory.fourier` (seeds 001, 003).
"""

from ringing.theory.convexity import excess_convexity

__all__ = ["excess_convexity"]
