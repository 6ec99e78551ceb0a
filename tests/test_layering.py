"""The dependency rules of DESIGN.md, each a test.

Layers, bottom to top: ``activations``, ``checks``, ``serialize``, ``reference``, ``spectral``,
``stats`` (shared vocabulary) <- ``theory`` (never torch) and ``simulate`` (torch; asks theory
only for initialisation constants) <- ``runs`` (no science at all) <- ``experiments`` and
``validate`` (the one place where theory meets measurement) <- ``cli``, ``cli_support``,
``commands`` (the only argparse users).  No import cycles, function-level imports included.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "ringing"

#: what simulate/ may import from theory/: initialisation constants only (a critical variance,
#: the standard weight scale of an activation) — never a prediction to compare with
ALLOWED_THEORY_IN_SIMULATE: dict[str, set[str]] = {
    "ringing.theory.kernels": {"critical_ratio"},
    "ringing.theory.harmonics": {"default_weight_scale"},
    # seed 004 App. C: c and b of the sampled activation c·τ(d·s + t) + b (Q τ = 1, E τ = 0)
    "ringing.theory.nlc": {"modified_activation"},
}

BOTTOM = ("activations", "checks", "serialize", "reference", "spectral", "stats")
CLI_LAYER = ("ringing.cli", "ringing.cli_support", "ringing.cli_glossary", "ringing.commands")


def module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, pathlib.Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py")}


MODULES = all_modules()


def imports(path: pathlib.Path) -> list[tuple[str, tuple[str, ...]]]:
    """``(module, names)`` of every import in the file, function-level ones included; relative
    imports resolved.  ``names`` is empty for ``import m``."""
    tree = ast.parse(path.read_text())
    me = module_name(path)
    pkg = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([mod] if mod else []))
            out.append((mod, tuple(a.name for a in node.names)))
    return out


def ringing_targets(path: pathlib.Path) -> set[str]:
    """The ringing modules a file imports (``from pkg import submodule`` counts as the
    submodule)."""
    out: set[str] = set()
    for mod, names in imports(path):
        if not mod.split(".")[0] == "ringing":
            continue
        subs = [f"{mod}.{n}" for n in names if f"{mod}.{n}" in MODULES]
        out.update(subs or [mod])
        if subs and len(subs) < len(names):
            out.add(mod)
    return out


def files(layer: str) -> list[pathlib.Path]:
    d = ROOT / layer
    return sorted(d.rglob("*.py")) if d.is_dir() else [ROOT / f"{layer}.py"]


def under(mod: str, *prefixes: str) -> bool:
    return any(mod == p or mod.startswith(p + ".") for p in prefixes)


# ----------------------------------------------------------------------------
# the layers


def test_theory_never_imports_torch_or_upper_layers() -> None:
    for f in files("theory"):
        bad = {m for m, _ in imports(f) if m.split(".")[0] == "torch"
               or under(m, "ringing.simulate", "ringing.validate", "ringing.runs",
                        "ringing.experiments", *CLI_LAYER)}
        assert not bad, f"{f.name} imports {bad}"


def test_simulate_imports_only_initialisation_constants_from_theory() -> None:
    for f in files("simulate"):
        for mod, names in imports(f):
            if not under(mod, "ringing.theory"):
                continue
            allowed = ALLOWED_THEORY_IN_SIMULATE.get(mod, set())
            assert names and set(names) <= allowed, (
                f"simulate/{f.name} imports {names or 'the module'} from {mod}: simulate/ may ask "
                f"theory only for initialisation constants ({ALLOWED_THEORY_IN_SIMULATE}); "
                "comparisons belong in ringing.validate")


def test_simulate_does_not_import_upper_layers() -> None:
    for f in files("simulate"):
        bad = {m for m in ringing_targets(f)
               if under(m, "ringing.validate", "ringing.runs.store", "ringing.runs.executors",
                        "ringing.experiments", *CLI_LAYER)}
        assert not bad, f"{f.name} imports {bad}"


def test_runs_knows_no_science() -> None:
    for f in files("runs"):
        bad = {m for m in ringing_targets(f) if not under(m, "ringing.runs")}
        assert not bad, f"runs/{f.name} imports {bad}"


def test_bottom_modules_import_only_the_bottom() -> None:
    for name in BOTTOM:
        for f in files(name):
            bad = {m for m in ringing_targets(f)
                   if not any(under(m, f"ringing.{b}") for b in BOTTOM) and m != "ringing"}
            assert not bad, f"{f.name} imports {bad}"


def test_validate_and_experiments_never_import_the_command_line() -> None:
    for layer in ("validate", "experiments", "runs"):
        for f in files(layer):
            bad = {m for m in ringing_targets(f) if under(m, *CLI_LAYER)}
            assert not bad, f"{layer}/{f.name} imports {bad}"


def test_only_the_command_line_uses_argparse() -> None:
    for name, f in MODULES.items():
        if under(name, *CLI_LAYER):
            continue
        assert "argparse" not in {m for m, _ in imports(f)}, f"{name} imports argparse"


# ----------------------------------------------------------------------------
# no cycles


def import_graph() -> dict[str, set[str]]:
    return {name: {t for t in ringing_targets(p) if t in MODULES and t != name}
            for name, p in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, f"import cycles: {[sorted(c) for c in found]}"


def test_the_cycle_detector_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


# ----------------------------------------------------------------------------
# torch stays out of the theory, the command line and the catalogue


def test_importing_theory_and_the_cli_does_not_load_torch() -> None:
    code = ("import sys, ringing.theory.hermite, ringing.theory.kernels, ringing.theory.nlc, "
            "ringing.cli, ringing.validate.claims; ringing.cli.build_parser(); "
            "ringing.validate.claims.catalogue(); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
