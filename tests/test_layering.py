"""The dependency direction of DESIGN.md: activations <- theory <- validate, activations <-
simulate <- validate; importing ringing.theory never imports torch."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "ringing"


def imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_theory_never_imports_torch_or_upper_layers() -> None:
    for f in (ROOT / "theory").glob("*.py"):
        mods = imported_modules(f)
        bad = {m for m in mods if m.split(".")[0] == "torch"
               or m.startswith(("ringing.simulate", "ringing.validate"))}
        assert not bad, f"{f.name} imports {bad}"


def test_simulate_does_not_import_validate() -> None:
    for f in (ROOT / "simulate").glob("*.py"):
        bad = {m for m in imported_modules(f) if m.startswith("ringing.validate")}
        assert not bad, f"{f.name} imports {bad}"


def test_importing_theory_and_the_cli_does_not_load_torch() -> None:
    code = ("import sys, ringing.theory.hermite, ringing.theory.kernels, ringing.theory.nlc, "
            "ringing.cli; ringing.cli.build_parser(); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
