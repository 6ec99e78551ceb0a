"""The claim model: :class:`Claim` (a statement and the function that checks it),
:class:`Outcome` (what the function returns), :class:`ClaimResult` (one evaluated claim) and
:func:`evaluate`.

A claim function returns an :class:`Outcome`: the theory value, the simulated estimate with its
95% confidence interval over seeds, the paper's printed value, the tolerance model that was
applied (printed-digit rounding, quadrature accuracy, seed noise plus the finite-width error)
and a verdict:

* ``pass`` — every value agrees within its tolerance;
* ``fail`` — a disagreement that is not explained;
* ``expected-difference`` — a disagreement with the paper whose cause is known and shown by a
  computation (a typo, a double rounding, a value computed from a rounded number, a convention,
  a set-up that cannot be matched); the reason says which;
* ``skipped`` — the claim cannot run here (a module it ``requires`` does not import, a data
  file is missing); the reason says why.  A skipped claim stays in the catalogue and the report;
* ``error`` — the claim function raised (a bug): reported, never stored.

Claims are defined in the paper modules of :mod:`ringing.validate.claims` (see there how to add
one).  Claim functions import their theory/simulation modules lazily, so building the catalogue
is cheap, works without torch, and the process pool can pickle a claim by reference.
"""

from __future__ import annotations

import importlib
import inspect
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import ringing
from ringing.runs.store import config_key
from ringing.serialize import to_jsonable

__all__ = [
    "Verdict",
    "VERDICTS",
    "FAILING",
    "Outcome",
    "Claim",
    "ClaimResult",
    "evaluate",
    "missing_requirement",
    "takes_device",
]

Verdict = Literal["pass", "fail", "expected-difference", "skipped", "error"]
VERDICTS: tuple[str, ...] = ("pass", "fail", "expected-difference", "skipped", "error")
#: verdicts that make ``ringing validate`` exit 1 (the report is written either way)
FAILING: tuple[str, ...] = ("fail", "error")


# ----------------------------------------------------------------------------
# the model


@dataclass
class Outcome:
    """What a claim function returns (see the module docstring for the verdicts)."""

    verdict: Verdict
    theory: float | None = None
    simulation: float | None = None
    simulation_ci: tuple[float, float] | None = None
    paper: float | None = None
    tolerance: str = ""
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict={self.verdict!r} must be one of {', '.join(VERDICTS)}")
        for name in ("theory", "simulation", "paper"):
            v = getattr(self, name)
            if v is not None:
                v = float(v)
                if not math.isfinite(v):
                    raise ValueError(f"{name}={v} is not finite")
                setattr(self, name, v)
        if self.simulation_ci is not None:
            lo, hi = (float(u) for u in self.simulation_ci)
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError(f"simulation_ci={self.simulation_ci} is not finite")
            self.simulation_ci = (lo, hi)
        if self.verdict in ("expected-difference", "skipped") and not self.reason:
            raise ValueError(f"verdict {self.verdict!r} needs its reason")


@dataclass(frozen=True)
class Claim:
    """A named statement, the function that checks it and its parameters.

    Parameters
    ----------
    name
        Unique, ``/``-separated (``seed004/table1/A/relu``).
    statement
        One sentence: what is claimed.
    source
        Where it comes from (``seed 004 Table 1 row A``).
    func
        Module-level function ``func(**params) -> Outcome`` (picklable by reference).
    params
        JSON-serialisable keyword arguments (the full mode).
    quick_params
        Overrides for ``--quick`` (smaller widths / fewer seeds); theory claims have none,
        so their stored results are shared by both modes.
    kind
        ``"theory"`` (numbers against closed forms or the papers) or ``"simulation"``.
    cost
        Rough seconds (full mode) — the sweep schedules expensive claims first.
    revision
        Bump when the claim's logic changes, so stored results are not reused.
    requires
        Modules the claim needs beyond the package's core (``("torch",)`` for a simulation,
        ``("ray",)``): when one does not import, the claim is reported as ``skipped`` with the
        reason instead of being run (never dropped from the catalogue).
    """

    name: str
    statement: str
    source: str
    func: Callable[..., Outcome]
    params: dict[str, Any] = field(default_factory=dict)
    quick_params: dict[str, Any] = field(default_factory=dict)
    kind: Literal["theory", "simulation"] = "theory"
    cost: float = 0.1
    revision: int = 1
    requires: tuple[str, ...] = ()

    def effective_params(self, quick: bool) -> dict[str, Any]:
        """The parameters used in this mode."""
        p = dict(self.params)
        if quick:
            p.update(self.quick_params)
        return p

    def config(self, quick: bool, device: str = "cpu") -> dict[str, Any]:
        """The full configuration that determines the result (hashed into the store key).

        A claim that simulates (:func:`takes_device`) run on another ``device`` than the CPU
        has ``"device"`` in its configuration (its numbers differ by rounding, and by draw
        with a device generator), so it is stored apart; on the CPU the configuration, and
        so the key of results already stored, is unchanged."""
        cfg = {
            "name": self.name,
            "function": f"{self.func.__module__}.{self.func.__qualname__}",
            "params": self.effective_params(quick),
            "revision": self.revision,
            "ringing_version": ringing.__version__,
        }
        if device != "cpu" and takes_device(self):
            cfg["device"] = device
        return cfg

    def key(self, quick: bool, device: str = "cpu") -> str:
        """SHA-256 of the canonical JSON of :meth:`config`."""
        return config_key(self.config(quick, device))


@dataclass
class ClaimResult:
    """One evaluated claim: the :class:`Outcome` plus its identity and timing."""

    name: str
    key: str
    statement: str
    source: str
    kind: str
    verdict: str
    theory: float | None
    simulation: float | None
    simulation_ci: tuple[float, float] | None
    paper: float | None
    tolerance: str
    reason: str
    details: dict[str, Any]
    config: dict[str, Any]
    elapsed_s: float
    reused: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (what the store and the reports keep)."""
        return {
            "name": self.name, "key": self.key, "statement": self.statement,
            "source": self.source, "kind": self.kind, "verdict": self.verdict,
            "theory": self.theory, "simulation": self.simulation,
            "simulation_ci": list(self.simulation_ci) if self.simulation_ci else None,
            "paper": self.paper, "tolerance": self.tolerance, "reason": self.reason,
            "details": _jsonable(self.details), "config": self.config,
            "elapsed_s": self.elapsed_s, "reused": self.reused,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClaimResult:
        ci = d.get("simulation_ci")
        return cls(d["name"], d["key"], d["statement"], d["source"], d["kind"], d["verdict"],
                   d["theory"], d["simulation"], tuple(ci) if ci else None,  # type: ignore
                   d["paper"], d["tolerance"], d["reason"], d.get("details", {}),
                   d.get("config", {}), float(d.get("elapsed_s", 0.0)),
                   bool(d.get("reused", False)))


def _jsonable(obj: Any) -> Any:
    return to_jsonable(obj, nonfinite_as_str=True)


def takes_device(claim: Claim) -> bool:
    """Whether ``claim``'s function takes a ``device`` argument (every claim that simulates
    does: ``ringing validate --device`` reaches its simulation calls through it)."""
    try:
        return "device" in inspect.signature(claim.func).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False


def missing_requirement(claim: Claim) -> str:
    """The reason ``claim`` cannot run here (a required module does not import), or ``""``."""
    for mod in claim.requires:
        try:
            importlib.import_module(mod)
        except Exception as err:  # noqa: BLE001 - any import failure means "not available"
            msg = str(err).splitlines()[0] if str(err) else type(err).__name__
            return f"needs {mod}, which does not import here ({type(err).__name__}: {msg})"
    return ""


def evaluate(claim: Claim, quick: bool, device: str = "cpu") -> ClaimResult:
    """Run one claim; a claim that simulates gets ``device`` (``"cpu"`` by default).

    A claim whose requirements are missing gets verdict ``skipped`` (with the reason) without
    running; an exception becomes verdict ``error`` (neither is stored, see
    :func:`ringing.validate.pipeline.run_claims`).
    """
    t0 = time.perf_counter()
    missing = missing_requirement(claim)
    if missing:
        out = Outcome("skipped", reason=missing)
    else:
        try:
            kw = claim.effective_params(quick)
            if takes_device(claim):
                kw["device"] = device
            out = claim.func(**kw)
            if not isinstance(out, Outcome):
                raise TypeError(f"claim function returned {type(out).__name__}, not Outcome")
        except Exception as err:  # noqa: BLE001 - reported as verdict "error"
            msg = str(err).splitlines()[0] if str(err) else ""
            out = Outcome("error", reason=f"{type(err).__name__}: {msg}")
    return ClaimResult(claim.name, claim.key(quick, device), claim.statement, claim.source,
                       claim.kind, out.verdict, out.theory, out.simulation, out.simulation_ci,
                       out.paper, out.tolerance, out.reason, _jsonable(out.details),
                       claim.config(quick, device), time.perf_counter() - t0)
