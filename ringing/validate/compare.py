"""Comparisons of theory with printed numbers, closed forms and measurements: the tolerance
models every claim uses.

* :func:`compare_printed` — against a printed table entry, within half a unit of its last
  printed digit;
* :func:`compare_closed_form` — a numeric theory value against a closed form;
* :func:`compare_simulation` — a simulated estimate over seeds against theory (standard error
  plus a finite-width allowance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ringing.validate.core import Outcome

__all__ = [
    "printed_decimals",
    "half_unit",
    "round_sig",
    "compare_printed",
    "compare_closed_form",
    "compare_simulation",
    "t_quantile",
]


def printed_decimals(printed: float) -> int:
    """Decimal places of a printed number as stored in the reference JSON (``1.211`` -> 3)."""
    text = repr(float(printed))
    if "e" in text or "E" in text:
        mant, exp = text.lower().split("e")
        dec = len(mant.split(".")[1]) if "." in mant else 0
        if mant.endswith(".0"):
            dec = 0
        return max(0, dec - int(exp))
    frac = text.split(".")[1] if "." in text else ""
    return 0 if frac == "0" else len(frac)


def half_unit(printed: float) -> float:
    """Half a unit in the last printed decimal place: the rounding tolerance of a table entry."""
    return 0.5 * 10.0 ** (-printed_decimals(printed))


def round_sig(v: float, digits: int) -> float:
    """``v`` rounded to ``digits`` significant digits."""
    if digits < 1:
        raise ValueError(f"digits={digits} must be >= 1")
    return float(f"{v:.{digits - 1}e}")


def compare_printed(theory: float, printed: float, *, tol: float | None = None,
                    what: str = "", slack: float = 1e-12) -> Outcome:
    """Theory against a printed table entry, within half a unit of its last digit."""
    t = half_unit(printed) if tol is None else tol
    diff = abs(theory - printed)
    ok = diff <= t + slack * max(1.0, abs(printed))
    return Outcome("pass" if ok else "fail", theory=theory, paper=printed,
                   tolerance=f"|theory - paper| <= {t:.3g} (printed rounding)",
                   reason="" if ok else f"{what} differs by {diff:.3g} > {t:.3g}",
                   details={"abs_diff": diff})


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


def t_quantile(n: int, level: float = 0.95) -> float:
    """Two-sided Student-t quantile for ``n`` samples (``n - 1`` degrees of freedom)."""
    from scipy.stats import t as student

    if n < 2:
        raise ValueError(f"n={n}: a confidence interval needs at least 2 seeds")
    return float(student.ppf(0.5 + level / 2, n - 1))


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
