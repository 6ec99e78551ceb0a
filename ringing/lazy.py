"""Lazy package exports: ``ringing.theory``, ``ringing.simulate`` and ``ringing.validate`` list
their public names in ``__all__`` and import each defining submodule on first use, so importing
the package stays cheap (``ringing.simulate`` would otherwise import torch)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str], namespace: dict[str, Any]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package`` (PEP 562).

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name -> the submodule (relative to ``package``) that defines it.
    namespace
        The package's ``globals()``: a resolved name is cached there, so the next access does
        not call ``__getattr__``.

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)``; an unknown name is an ``AttributeError`` (so ``from
        package import submodule`` still falls back to importing the submodule).
    """
    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
