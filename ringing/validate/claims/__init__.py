"""The claim catalogue: one module per paper, discovered automatically.

Each module of this package (``seed000.py`` … ``seed004.py``, and any module added later, e.g.
``seed004_study.py``) defines its claims next to the functions that check them and lists them
in a module-level ``CLAIMS: list[Claim]``.  :func:`catalogue` imports every module of the
package (sorted by name; modules whose name starts with ``_`` are skipped) and concatenates
their ``CLAIMS``: adding a claim never edits a shared list.

How to add a claim
------------------
1. Write a module-level function returning an :class:`~ringing.validate.core.Outcome`; import
   theory/simulation modules inside the function (so the catalogue builds without torch), and
   say in its docstring what is compared, with which tolerance and why (cite the paper).
2. Right after it, register the claim with its statement::

       from ringing.validate.core import Claim, Outcome

       CLAIMS: list[Claim] = []          # once, at the top of the module

       def claim_my_thing(width: int, seeds: int) -> Outcome:
           ...

       CLAIMS.append(Claim("seed004/study/my_thing", "what is claimed, in one sentence",
                           "seed 004 §5", claim_my_thing, {"width": 512, "seeds": 8},
                           {"width": 128, "seeds": 4},     # --quick overrides
                           kind="simulation", cost=20.0, requires=("torch",)))

3. ``requires`` names optional modules (``"torch"``, ``"ray"``): without them the claim is
   reported as ``skipped: <reason>``, never dropped.  A claim that needs a data file returns
   ``Outcome("skipped", reason=...)`` itself when the file is missing.
4. Names are unique, ``/``-separated, starting with the paper (``seed004/…``); the catalogue
   size is a tested number (``tests/validate/test_catalogue.py``): update it there.

``$RINGING_VALIDATE_CATALOGUE = "module:function"`` replaces the catalogue by that function's
claims (used by the tests, e.g. slow dummy claims for the interruption test).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Sequence
from fnmatch import fnmatchcase

from ringing.validate.core import VERDICTS, Claim, ClaimResult, Outcome, Verdict, evaluate

__all__ = ["Claim", "ClaimResult", "Outcome", "Verdict", "VERDICTS", "evaluate", "CATALOGUE_ENV",
           "catalogue", "claim_modules", "select"]

#: Environment variable naming an alternative catalogue, ``"module:function"`` (a function
#: returning ``list[Claim]``).
CATALOGUE_ENV = "RINGING_VALIDATE_CATALOGUE"


def claim_modules() -> list[str]:
    """Full names of the claim modules of this package, sorted."""
    return sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__)
                  if not m.name.startswith("_"))


def catalogue() -> list[Claim]:
    """Every claim of every module of this package (or of ``$RINGING_VALIDATE_CATALOGUE``).

    A module that does not import is an error (``ImportError``), never a silently smaller
    catalogue; claims that cannot run here are in the list and evaluate to ``skipped``.
    """
    claims: list[Claim] = []
    alt = os.environ.get(CATALOGUE_ENV, "").strip()
    if alt:
        mod_name, _, fn_name = alt.partition(":")
        try:
            fn = getattr(importlib.import_module(mod_name), fn_name or "catalogue")
        except (ImportError, AttributeError) as err:
            raise ValueError(f"{CATALOGUE_ENV}={alt!r} cannot be loaded: {err}") from None
        claims = list(fn())
    else:
        for name in claim_modules():
            mod = importlib.import_module(name)
            found = getattr(mod, "CLAIMS", None)
            if not isinstance(found, list):
                raise TypeError(f"{name} has no module-level CLAIMS list")
            claims.extend(found)
    names = [c.name for c in claims]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise RuntimeError(f"duplicate claim names in the catalogue: {', '.join(dup)}")
    return claims


def select(claims: Sequence[Claim], only: str | None) -> list[Claim]:
    """Claims whose name matches ``only``: comma-separated globs, or substrings without ``*?[``.

    Raises ``ValueError`` when nothing matches.
    """
    if not only:
        return list(claims)
    pats = [p.strip() for p in only.split(",") if p.strip()]
    if not pats:
        raise ValueError(f"--only {only!r} has no pattern")

    def hit(name: str) -> bool:
        return any(fnmatchcase(name, p) if any(ch in p for ch in "*?[") else p in name
                   for p in pats)

    out = [c for c in claims if hit(c.name)]
    if not out:
        raise ValueError(f"--only {only!r} matches no claim")
    return out
