"""The Python API (issue 20): ``ringing.theory``, ``ringing.simulate`` and ``ringing.validate``
export their public functions through ``__all__``; every exported name resolves, has a
NumPy-style docstring, and cites its paper where the docs map a paper's equation to it."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ringing.papers import PAPERS

PACKAGES = ("ringing.theory", "ringing.simulate", "ringing.validate")
DOCS = Path(__file__).resolve().parents[1] / "docs"

#: a citation: an old seed label, an equation / section / table / theorem / appendix
#: reference, or a paper's short key or authors (ringing.papers)
_CITE = re.compile("|".join([r"seed \d{3}", r"\b[Ee]q\.? ?\(?\d", "§", r"\bTheorem", r"\bTable",
                             r"\bApp\.", r"\bObservation", r"\bProperty", r"\bDef\.",
                             r"\bRemark", r"\bFig"]
                            + [re.escape(p.key) for p in PAPERS.values()]
                            + [re.escape(p.short_authors.split(",")[0].split(" &")[0])
                               for p in PAPERS.values()]))
#: Google / Sphinx docstring markup (the project writes NumPy style)
_NOT_NUMPY = re.compile(r"^\s*(Args|Arguments|Returns|Raises|Yields):\s*$|:param |:returns?:",
                        re.M)
_SECTION = re.compile(r"^\s*(Parameters|Returns|Raises|Attributes|Yields|Notes|Examples|"
                      r"See Also)\s*\n\s*(\S+)\s*$", re.M)


def _exports() -> list[tuple[str, str]]:
    out = []
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        out += [(pkg, name) for name in mod.__all__]
    return out


def _mapped_names() -> set[str]:
    """Names the docs' equation -> function maps list (table rows whose first cell names an
    equation, section, table, theorem or appendix)."""
    names: set[str] = set()
    for page in DOCS.glob("*.md"):
        for line in page.read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 2 or not _CITE.search(cells[0]):
                continue
            for ref in re.findall(r"`([^`]+)`", " ".join(cells[1:])):
                names.add(re.split(r"[.(\s]", ref.split("(")[0].split(".")[-1] or ref)[0])
    return names


def test_every_package_exports_functions() -> None:
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        assert len(mod.__all__) >= 10 or pkg == "ringing.validate", pkg
        assert len(set(mod.__all__)) == len(mod.__all__) and sorted(mod.__all__) == mod.__all__
        assert set(mod.__all__) <= set(dir(mod))


@pytest.mark.parametrize(("pkg", "name"), _exports())
def test_export_resolves_with_a_numpy_docstring(pkg: str, name: str) -> None:
    obj = getattr(importlib.import_module(pkg), name)
    doc = inspect.getdoc(obj)
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return  # a constant (e.g. VERDICTS) documents itself where it is defined
    assert doc and doc.splitlines()[0].strip(), f"{pkg}.{name} has no summary line"
    assert not _NOT_NUMPY.search(doc), f"{pkg}.{name}: Google/Sphinx markup, not NumPy style"
    for m in _SECTION.finditer(doc):
        assert set(m.group(2)) == {"-"}, f"{pkg}.{name}: section {m.group(1)} not underlined"


def test_mapped_exports_cite_their_paper() -> None:
    mapped = _mapped_names()
    missing = []
    for pkg, name in _exports():
        obj = getattr(importlib.import_module(pkg), name)
        if name in mapped and (inspect.isfunction(obj) or inspect.isclass(obj)):
            if not _CITE.search(inspect.getdoc(obj) or ""):
                missing.append(f"{pkg}.{name}")
    assert not missing, f"mapped to a paper's equation in docs/ but no citation: {missing}"
    assert {"hermite_coefficients", "correlation_map", "nlc_tau",
            "predict_walk_spectra"} <= mapped  # the maps were read


def test_unknown_name_is_an_attribute_error() -> None:
    import ringing.theory

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = ringing.theory.nope  # type: ignore[attr-defined]
    from ringing.theory import kernels  # submodules still import

    assert kernels.__name__ == "ringing.theory.kernels"


def test_importing_the_packages_stays_cheap() -> None:
    """The lazy exports keep ``import ringing.theory`` free of torch and of its submodules."""
    code = ("import sys, ringing.theory, ringing.simulate, ringing.validate; "
            "print('torch' in sys.modules, 'ringing.theory.kernels' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_docs_references_are_built_from_ringing_papers() -> None:
    """docs/index.md's references (the target of every paper link in docs/) and the quick
    start's list carry each paper's full reference from :mod:`ringing.papers`; no docs page
    uses the old "seed 00N" labels or points at files the repository does not have."""
    from ringing.papers import reference

    index = (DOCS / "index.md").read_text()
    quick = (DOCS / "quickstart.md").read_text()
    assert "## References" in index
    for p in PAPERS.values():
        assert reference(p.key) in index and reference(p.key) in quick, p.key
    for page in [*DOCS.glob("*.md"), DOCS.parent / "README.md"]:
        text = page.read_text()
        assert not re.search(r"\b[Ss]eeds?\s+\d{3}\b", text), f"{page.name}: seed label"
        assert "DESIGN.md" not in text and "shared/seeds" not in text, page.name


def test_quickstart_functions_document_their_parameters() -> None:
    """Every function the quick start imports from the three packages has NumPy sections in
    the standard order (Parameters, Returns, Raises)."""
    text = (DOCS / "quickstart.md").read_text()
    used = {(pkg, n.strip()) for pkg, names in
            re.findall(r"from (ringing\.(?:theory|simulate|validate)) import ([\w, ]+)", text)
            for n in names.split(",")}
    order = ["Parameters", "Returns", "Raises"]
    checked = 0
    for pkg, name in sorted(used):
        obj = getattr(importlib.import_module(pkg), name)
        if not inspect.isfunction(obj) or not inspect.signature(obj).parameters:
            continue
        doc = inspect.getdoc(obj) or ""
        sections = [s for s in re.findall(r"^(\w+)\n-{3,}$", doc, re.M) if s in order]
        assert "Parameters" in sections, f"{pkg}.{name} has no Parameters section"
        assert sections == sorted(sections, key=order.index), f"{pkg}.{name}: {sections}"
        checked += 1
    assert checked >= 15
