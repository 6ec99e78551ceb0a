"""Comparisons of theory with printed numbers, closed forms and measurements: the tolerance
models every claim uses.

* :func:`compare_printed` — against a printed table entry, within half a unit of its last
  printed digit;
* :func:`compare_closed_form` — a numeric theory value against a closed form;
* :func:`compare_simulation` — a simulated estimate over seeds against theory (standard error
  plus a finite-width allowance);
* the theory columns set beside measurements: :func:`theory_correlations` and
  :func:`theory_composed_derivative` (seed 002 eq 2.3, §2.1, for a simulated network's
  configuration) and :func:`compare_with_theory` (a weight-space walk against seed 000's
  prediction: TV distances, centroid z-scores).

This is the one place where theory meets measurement (DESIGN.md): ``ringing.simulate`` measures
and never compares.  Torch is imported only inside the simulation comparisons, so the theory
claims run without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ringing.stats import t_quantile
from ringing.validate.core import Outcome

if TYPE_CHECKING:  # torch is imported only when a simulation is compared
    from ringing.simulate.networks import NetworkConfig
    from ringing.simulate.walks import WalkResult

__all__ = [
    "Printed",
    "printed_value",
    "printed_decimals",
    "significant_digits",
    "half_unit",
    "round_sig",
    "compare_printed",
    "compare_closed_form",
    "compare_simulation",
    "width_bias",
    "compare_means_widths",
    "compare_simulation_widths",
    "theory_layers",
    "theory_correlations",
    "theory_composed_derivative",
    "compare_with_theory",
]


Printed = str | float


def printed_value(printed: Printed) -> float:
    """The number a printed entry stands for (``"0.030"`` -> 0.03); a clear ``ValueError``
    for text that is not a number."""
    try:
        v = float(printed.strip() if isinstance(printed, str) else printed)
    except ValueError:
        raise ValueError(f"printed value {printed!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"printed value {printed!r} is not finite")
    return v


def printed_decimals(printed: Printed) -> int:
    """Decimal places of a printed number: the position of its last printed digit.

    A string keeps the printed digits: ``"0.030"`` -> 3, ``"2.000"`` -> 3, ``"1.20"`` -> 2,
    ``"9793"`` -> 0, ``"4.76e17"`` -> -15 (the last digit is the 10^15 place).  A float has lost
    its trailing zeros (``0.03`` -> 2, ``2.0`` -> 0), which is why the reference tables keep the
    papers' numbers as strings (``table1_printed`` in ``nlc_table1_table2.json``).
    """
    if isinstance(printed, str):
        printed_value(printed)
        mant, _, exp = printed.strip().lower().partition("e")
        dec = len(mant.split(".")[1]) if "." in mant else 0
        return dec - int(exp or 0)
    text = repr(float(printed))
    if "e" in text or "E" in text:
        mant, exp = text.lower().split("e")
        dec = len(mant.split(".")[1]) if "." in mant else 0
        if mant.endswith(".0"):
            dec = 0
        return max(0, dec - int(exp))
    frac = text.split(".")[1] if "." in text else ""
    return 0 if frac == "0" else len(frac)


def significant_digits(printed: str) -> int:
    """Significant digits of a printed number (``"9793"`` -> 4, ``"0.0024"`` -> 2,
    ``"4.76e17"`` -> 3, ``"2.000"`` -> 4)."""
    printed_value(printed)
    mant = printed.strip().lower().partition("e")[0].lstrip("+-").replace(".", "")
    return max(1, len(mant.lstrip("0")))


def half_unit(printed: Printed) -> float:
    """Half a unit in the last printed digit: the rounding tolerance of a table entry."""
    return 0.5 * 10.0 ** (-printed_decimals(printed))


def round_sig(v: float, digits: int) -> float:
    """``v`` rounded to ``digits`` significant digits."""
    if digits < 1:
        raise ValueError(f"digits={digits} must be >= 1")
    return float(f"{v:.{digits - 1}e}")


def compare_printed(theory: float, printed: Printed, *, tol: float | None = None,
                    what: str = "", slack: float = 1e-12) -> Outcome:
    """Theory against a printed table entry, within half a unit of its last printed digit
    (``"0.030"``: ±0.0005)."""
    value = printed_value(printed)
    t = half_unit(printed) if tol is None else tol
    diff = abs(theory - value)
    ok = diff <= t + slack * max(1.0, abs(value))
    return Outcome("pass" if ok else "fail", theory=theory, paper=value,
                   tolerance=f"|theory - paper| <= {t:.3g} (half a unit of the last printed "
                             f"digit of {printed!s})",
                   reason="" if ok else f"{what} differs by {diff:.3g} > {t:.3g}",
                   details={"abs_diff": diff, "printed": str(printed)})


def compare_closed_form(theory: float, closed_form: float, *, rtol: float = 1e-10,
                        atol: float = 1e-12, what: str = "") -> Outcome:
    """A numeric theory value against a closed form (quadrature accuracy ~1e-12)."""
    diff = abs(theory - closed_form)
    t = atol + rtol * abs(closed_form)
    ok = diff <= t
    return Outcome("pass" if ok else "fail", theory=theory, paper=closed_form,
                   tolerance=f"|theory - closed form| <= {atol:g} + {rtol:g}|closed form|",
                   reason="" if ok else f"{what} differs by {diff:.3g} > {t:.3g}",
                   details={"abs_diff": diff})


def compare_simulation(theory: float, samples: Sequence[float] | np.ndarray, *,
                       finite_width_error: float, z: float = 4.0, paper: float | None = None,
                       paper_tol: float | None = None, estimate: str = "mean",
                       what: str = "") -> Outcome:
    """A simulated estimate over seeds against theory (and optionally the paper).

    The estimate is the mean (or median) of ``samples`` (one per seed) with the 95% t-interval
    of the mean; the tolerance model is ``z·stderr + finite_width_error`` where the second term
    is the expected O(1/N) or O(1/√N) bias of a finite network (the claim states which).
    """
    s = np.asarray(samples, dtype=float)
    if s.size < 2 or not np.all(np.isfinite(s)):
        raise ValueError(f"{what}: need >= 2 finite samples, got {s.tolist()}")
    mean = float(s.mean())
    se = float(s.std(ddof=1) / math.sqrt(s.size))
    half = t_quantile(s.size) * se
    est = float(np.median(s)) if estimate == "median" else mean
    tol = z * se + finite_width_error
    diff = abs(mean - theory)
    ok = diff <= tol
    reason = "" if ok else f"{what}: |sim - theory| = {diff:.3g} > {tol:.3g}"
    details: dict[str, Any] = {"samples": s.tolist(), "stderr": se, "abs_diff": diff,
                               "finite_width_error": finite_width_error, "estimate": estimate}
    if paper is not None and paper_tol is not None:
        pd = abs(est - paper)
        details["paper_abs_diff"] = pd
        if pd > paper_tol + z * se:
            ok = False
            reason = (reason + "; " if reason else "") + \
                f"{what}: |sim - paper| = {pd:.3g} > {paper_tol + z * se:.3g}"
    return Outcome("pass" if ok else "fail", theory=theory, simulation=est,
                   simulation_ci=(mean - half, mean + half), paper=paper,
                   tolerance=(f"|mean - theory| <= {z:g}·stderr + {finite_width_error:.3g} "
                              "(finite-width error)"
                              + (f"; |estimate - paper| <= {paper_tol:.3g} + {z:g}·stderr"
                                 if paper is not None and paper_tol is not None else "")),
                   reason=reason, details=details)


def width_bias(mean_small: float, se_small: float, mean_large: float, se_large: float,
               width_small: int, width_large: int, exponent: float = 1.0
               ) -> tuple[float, float]:
    """The finite-width bias at ``width_large`` estimated from two widths, and its standard
    error.

    With ``m(N) = m_∞ + c·N^(−p)`` (``p = exponent``: 1 for an O(1/N) bias, 0.5 for
    O(1/√N)), ``m(N_s) − m(N_l) = c·(N_s^(−p) − N_l^(−p))``, so the bias at ``N_l`` is
    ``(m(N_s) − m(N_l))·N_l^(−p) / (N_s^(−p) − N_l^(−p))`` (``(m(N/2) − m(N))/(2^p − 1)``
    for ``N_s = N/2``): Richardson extrapolation.
    """
    if not 0 < width_small < width_large:
        raise ValueError(f"widths {width_small}, {width_large}: need 0 < small < large")
    if exponent <= 0:
        raise ValueError(f"exponent={exponent} must be > 0")
    f = width_large ** -exponent / (width_small ** -exponent - width_large ** -exponent)
    return f * (mean_small - mean_large), f * math.hypot(se_small, se_large)


def compare_means_widths(theory: float, mean_small: float, se_small: float, mean_large: float,
                         se_large: float, *, width_small: int, width_large: int,
                         exponent: float = 1.0, z: float = 4.0,
                         ci: tuple[float, float] | None = None, estimate: float | None = None,
                         what: str = "", details: dict[str, Any] | None = None,
                         size: str = "width N") -> Outcome:
    """Estimates (mean ± standard error) at two widths against theory, with the derived
    allowance ``z·se_∞ + |b|`` (see :func:`compare_simulation_widths`)."""
    b, se_b = width_bias(mean_small, se_small, mean_large, se_large, width_small, width_large,
                         exponent)
    f = width_large ** -exponent / (width_small ** -exponent - width_large ** -exponent)
    se_inf = math.hypot((1 + f) * se_large, f * se_small)  # m_l − b = (1+f)·m_l − f·m_s
    tol = z * se_inf + abs(b)
    diff = abs(mean_large - theory)
    ok = diff <= tol
    out = dict(details or {})
    out.update({"stderr": se_large, "mean_small_width": mean_small,
                "stderr_small_width": se_small, "widths": [width_small, width_large],
                "bias_exponent": exponent, "finite_width_bias": b, "finite_width_bias_se": se_b,
                "extrapolated": mean_large - b, "extrapolated_se": se_inf, "abs_diff": diff,
                "allowance": tol, "margin": tol - diff})
    scaling = "1/N" if exponent == 1 else f"N^-{exponent:g}"
    return Outcome("pass" if ok else "fail", theory=theory,
                   simulation=mean_large if estimate is None else estimate, simulation_ci=ci,
                   tolerance=(f"|mean − theory| <= {z:g}·se_∞ + |b| = {tol:.3g}: b = {b:.3g} the "
                              f"{scaling} finite-size bias at {size} = {width_large} estimated "
                              f"from {width_small} and {width_large}, se_∞ = {se_inf:.2g} the "
                              "standard error of the extrapolated mean"),
                   reason="" if ok else f"{what}: |sim - theory| = {diff:.3g} > {tol:.3g}",
                   details=out)


def compare_simulation_widths(theory: float, samples_small: Sequence[float] | np.ndarray,
                              samples_large: Sequence[float] | np.ndarray, *,
                              width_small: int, width_large: int, exponent: float = 1.0,
                              z: float = 4.0, estimate: str = "mean",
                              what: str = "") -> Outcome:
    """A simulation at two widths (one sample per seed at each) against theory, with a
    finite-width allowance derived from the data (:func:`width_bias`), never asserted.

    The claim's estimate is the measurement at ``width_large`` (mean or median over seeds, with
    the 95% t-interval of the mean).  With ``b`` the bias at ``width_large`` estimated from the
    two widths and ``se_∞`` the standard error of the extrapolated value ``m_l − b``, the
    verdict is ``|m_l − theory| <= z·se_∞ + |b|``: seed noise of the extrapolation plus the
    measured finite-width bias.  The extrapolated value, both widths' means and the margin
    (allowance − difference) are in the details.
    """
    a = np.asarray(samples_small, dtype=float)
    s = np.asarray(samples_large, dtype=float)
    for name, v in (("small", a), ("large", s)):
        if v.size < 2 or not np.all(np.isfinite(v)):
            raise ValueError(f"{what}: need >= 2 finite samples ({name} width), got {v.tolist()}")
    m_s, se_s = float(a.mean()), float(a.std(ddof=1) / math.sqrt(a.size))
    m_l, se_l = float(s.mean()), float(s.std(ddof=1) / math.sqrt(s.size))
    half = t_quantile(s.size) * se_l
    est = float(np.median(s)) if estimate == "median" else m_l
    return compare_means_widths(theory, m_s, se_s, m_l, se_l, width_small=width_small,
                                width_large=width_large, exponent=exponent, z=z,
                                ci=(m_l - half, m_l + half), estimate=est, what=what,
                                details={"samples": s.tolist(),
                                         "samples_small_width": a.tolist(),
                                         "estimate": estimate})


# ----------------------------------------------------------------------------
# theory columns beside measurements: correlations and Jacobians (seed 002 eq 2.3, §2.1)


def theory_layers(config: NetworkConfig) -> list[Any]:
    """The :mod:`ringing.theory.kernels` layers matching ``config`` (LayerNorm networks).

    MLP: ``Layer(φ_l, σ_w, σ_b)`` for ``l = 1..L`` with ``φ_1`` the identity; resnet:
    ``ResidualLayer(φ, σ)`` per block.  Only LayerNorm (or resnet) networks follow the
    correlation map of seed 002 eq 2.3 exactly in the wide limit.
    """
    from ringing.theory import kernels

    if config.architecture == "resnet":
        return [kernels.ResidualLayer(a if a is not None else "identity",
                                      config.resnet_sigma) for a in config.activations]
    if config.norm != "layer":
        raise ValueError(f"the correlation-map theory (seed 002 eq 2.3) is for LayerNorm "
                         f"networks; norm={config.norm!r} has no such map")
    return [kernels.Layer(a if a is not None else "identity", config.sigma_w,
                          config.sigma_b) for a in config.activations]


def theory_correlations(config: NetworkConfig, rho0: Sequence[float] | np.ndarray) -> np.ndarray:
    """``(P_l∘…∘P_1)(ρ_0)`` for ``l = 0..L``, shape ``(R, L+1)`` (seed 002 eq 2.3).

    Parameters
    ----------
    config
        A LayerNorm MLP or a resnet (:class:`~ringing.simulate.networks.NetworkConfig`).
    rho0
        Input correlations ``ρ_0``.

    Returns
    -------
    numpy.ndarray
        ``ρ_l`` for every ``ρ_0`` and ``l = 0..L``, shape ``(R, L+1)``.
    """
    from ringing.simulate.data import check_rho0
    from ringing.theory import kernels

    rho = check_rho0(rho0)
    out = np.asarray(kernels.compose(theory_layers(config), rho), dtype=float)  # (L+1, R)
    return out.T


def theory_composed_derivative(config: NetworkConfig) -> float:
    """``(P_L∘…∘P_1)'(1)`` from :func:`ringing.theory.kernels.composed_derivative_at_one`."""
    from ringing.theory import kernels

    return float(kernels.composed_derivative_at_one(theory_layers(config)))


# ----------------------------------------------------------------------------
# weight-space walks against the prediction (seed 000 §3.2–3.4)


def compare_with_theory(result: WalkResult, **theory_kwargs: Any) -> dict[str, Any]:
    """Set the measured spectra beside :func:`ringing.theory.harmonics.predict_walk_spectra`
    layer by layer (plain networks only: the prediction has no residual blocks or averaging).

    The prediction uses the walk's own per-layer relative radii, ``sigma_w``, ``T``, path and
    ``normalise = (norm == "batch")``, and on loops the exact kernel map
    (``approximation="exact"``: a truncated Hermite series under-predicts a kinked
    activation's high harmonics).  With one network the measured intervals are conditional on
    that network's weights, so ``centroid_z`` against the (population) prediction is inflated;
    use ``networks >= 2``.  Agreement measures per layer:

    * ``tv``: total-variation distance ``(1/2) sum_k |p_k - q_k|`` between the normalised
      measured and predicted spectra (0 = identical, 1 = disjoint supports);
    * ``tv_noise``: the same distance between the two halves of the units (the sampling
      floor; ``tv`` well above it is a real disagreement);
    * ``centroid_z``: (measured - predicted centroid) / jackknife standard error.

    Parameters
    ----------
    result
        A walk (:func:`ringing.simulate.walks.walk`) of a plain network.
    **theory_kwargs
        Overrides of the prediction's arguments (e.g. ``approximation="hermite"``).

    Returns
    -------
    dict
        The measures above with the measured and predicted centroids, ``h`` and spectra.
    """
    from ringing.theory.harmonics import normalise_power, predict_walk_spectra

    cfg = result.config
    if cfg.residual is not None or cfg.average > 1:
        raise ValueError("the theory's prediction covers plain networks only (residual=None, "
                         "average=1)")
    kw: dict[str, Any] = {"path": cfg.path, "points": cfg.points,
                          "radius": result.relative_radius, "weight_scale": cfg.sigma_w,
                          "normalise": cfg.norm == "batch", "continuous": False,
                          "kmin": cfg.fit_range[0], "kmax": cfg.fit_range[1],
                          "approximation": "exact" if cfg.path == "loop" else "hermite"}
    kw.update(theory_kwargs)
    pred = predict_walk_spectra(cfg.activation, cfg.depth, **kw)
    q = pred.normalised
    p = result.normalised
    tv = 0.5 * np.abs(p - q).sum(axis=-1)
    u = result.unit_power.shape[0]
    if u >= 2:
        half = u // 2
        a = normalise_power(result.unit_power[:half].mean(axis=0))
        b = normalise_power(result.unit_power[half:].mean(axis=0))
        tv_noise = 0.5 * np.abs(a - b).sum(axis=-1)
    else:
        tv_noise = np.full(cfg.depth, np.inf)
    c = result.spectral_centroid
    se = result.spectral_centroid_se
    return {
        "layers": result.layers,
        "measured_centroid": c,
        "measured_centroid_ci": result.spectral_centroid_ci,
        "measured_centroid_se": se,
        "predicted_centroid": np.asarray(pred.spectral_centroid),
        "centroid_z": (c - np.asarray(pred.spectral_centroid)) / se,
        "tv": tv,
        "tv_noise": tv_noise,
        "measured_h": result.fractal_exponent,
        "predicted_h": pred.fractal_exponent,
        "predicted_normalised": q,
        "method": pred.method,
    }
