"""Exact and numeric theory (sympy, mpmath, numpy, scipy).  Never imports torch.

The public functions of the submodules are importable from here, e.g.
``from ringing.theory import hermite_coefficients, correlation_map, nlc_tau``; each is imported
lazily on first use, so ``import ringing.theory`` stays cheap.  Submodules (papers by their
short keys, see :mod:`ringing.papers`):

* :mod:`~ringing.theory.gaussian` -- the Gaussian-expectation engine;
* :mod:`~ringing.theory.hermite` -- Hermite expansions (Gradient explosion §2.1);
* :mod:`~ringing.theory.gauss_kernel` -- the covariance ``C[φ|ρ] = E[φ(u)φ(v)]``;
* :mod:`~ringing.theory.kernels` -- covariance and correlation maps, criticality
  (Gradient explosion eq 2.3, A.10);
* :mod:`~ringing.theory.convexity` -- excess convexity, Theorems 1-2, eq 4.1-4.3
  (Gradient explosion App. A);
* :mod:`~ringing.theory.nlc` -- ``NLC_τ`` (Philipp & Carbonell, NLC §5);
* :mod:`~ringing.theory.chebyshev`, :mod:`~ringing.theory.harmonics` -- Chebyshev
  approximations, harmonic distortion, blueshift (Ali Mehmeti-Göpel, Hartmann & Wand,
  Ringing ReLUs §3);
* :mod:`~ringing.theory.fourier` -- Fourier spectra of ReLU networks (Rahaman et al.,
  Spectral bias; Xu, Zhang & Xiao, F-Principle);
* :mod:`~ringing.theory.design` -- inverse design of activations and initialisations
  (import from the submodule).

See ``docs/quickstart.md`` for examples.
"""

from __future__ import annotations

from ringing.lazy import lazy_exports

#: public name -> the submodule that defines it
_EXPORTS: dict[str, str] = {
    # Hermite expansions and Gaussian summaries
    "hermite_coefficients": "hermite", "HermiteResult": "hermite", "norm_sq": "hermite",
    "derivative_norm_sq": "hermite", "gaussian_summary": "hermite",
    # covariance C[φ|ρ]
    "gaussian_covariance": "gauss_kernel", "covariance_result": "gauss_kernel",
    "covariance_gap": "gauss_kernel",
    # covariance and correlation maps, depth
    "covariance": "kernels", "correlation_map": "kernels",
    "residual_correlation_map": "kernels", "Layer": "kernels", "ResidualLayer": "kernels",
    "LayerStack": "kernels", "compose": "kernels", "propagate": "kernels",
    "fixed_point": "kernels", "phase": "kernels", "critical_ratio": "kernels",
    "critical_layer": "kernels", "composed_derivative_at_one": "kernels",
    # excess convexity and the theorems
    "excess_convexity": "convexity", "theorem_bound": "convexity",
    "bound_profile": "convexity", "BoundProfile": "convexity",
    "rho_max_profile": "convexity", "cropped_excess_lower_bound": "convexity",
    "eq_4_1": "convexity", "eq_4_2": "convexity", "eq_4_3": "convexity",
    "theorem2_study": "convexity",
    # nonlinearity coefficient
    "nlc_tau": "nlc", "nlc_tau_summary": "nlc", "linear_approx_error": "nlc",
    "nlc_tau_power": "nlc", "modified_activation": "nlc",
    # Chebyshev approximations, harmonic distortion, blueshift
    "chebyshev_approximation": "chebyshev", "cheb_to_monomial": "chebyshev",
    "table1_coefficients": "chebyshev", "autoconvolve": "harmonics", "distort": "harmonics",
    "predict_walk_spectra": "harmonics", "WalkSpectra": "harmonics",
    "default_weight_scale": "harmonics", "relative_radius": "harmonics",
    "hermite_tail": "harmonics",
    # Fourier spectra of piecewise-linear networks
    "relu_network_fourier": "fourier", "piecewise_linear_fourier": "fourier",
    "lipschitz_bounds": "fourier", "flower_curve": "fourier",
    "manifold_frequency_reach": "fourier",
}
# (inverse design stays in its submodule: ``from ringing.theory.design import design`` -- a
# package-level ``design`` would collide with the submodule of the same name)

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
