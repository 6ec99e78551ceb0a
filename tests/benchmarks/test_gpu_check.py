"""``benchmarks/gpu_check.py`` runs on the CPU in its dry-run mode, and every simulation path
has a gpu-marked test for it to run (issue 15 must-show 5)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "benchmarks" /
                                                  "gpu_check.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dry_run_on_cpu(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step on tiny shapes; torch.compile is stubbed (compiling takes ~30 s on this CPU,
    and ``tests/simulate/test_training_compile.py`` compiles for real)."""
    import torch

    monkeypatch.setattr(torch, "compile", lambda fn, **kw: fn)
    out = tmp_path / "gpu.md"
    rc = _script().main(["--device", "cpu", "--dry-run", "--out", str(out), "--tests",
                         "tests/simulate/test_training_compile.py"])
    assert rc == 0
    text = out.read_text()
    assert "DRY RUN" in text
    # the gpu tests ran through pytest -m gpu (skipped without CUDA, deselected otherwise)
    assert "## 1." in text and "skipped" in text.split("## 2.")[0]
    table = [ln for ln in text.split("## 2.")[1].split("## 3.")[0].splitlines()
             if ln.startswith("| 64 ") or ln.startswith("| 128 ")]
    assert len(table) == 2
    for ln in table:
        ratio = float(ln.split("|")[6])
        assert 0 < ratio < 10
    assert "Width 256, depth 3" in text and "theory" in text
    train = [ln for ln in text.split("## 3.")[1].split("## 4.")[0].splitlines()
             if ln.startswith("| seed 001")]
    assert len(train) == 1 and float(train[0].split("|")[4]) > 0


def test_skip_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gpu.md"
    assert _script().main(["--device", "cpu", "--dry-run", "--tests", "none", "--skip",
                           "throughput,training,widest", "--out", str(out)]) == 0
    assert out.read_text().count("skipped (--skip)") == 3
    assert _script().main(["--device", "cpu", "--dry-run", "--skip", "everything"]) == 2


def test_refuses_cpu_without_dry_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main(["--device", "cpu", "--tests", "none"]) == 2
    assert "--dry-run" in capsys.readouterr().err


#: every simulation path and the test file that holds its gpu test
PATHS = {
    "networks": "tests/simulate/test_networks.py",
    "correlations (CLI)": "tests/simulate/test_cli_simulate.py",
    "jacobian and nlc": "tests/simulate/test_measure.py",
    "model walks": "tests/simulate/test_model_walks.py",
    "training": "tests/simulate/test_training.py",
    "training compiled": "tests/simulate/test_training_compile.py",
    "device generator: walks, model walks, training, networks": "tests/simulate/test_rng_device.py",
}


def _gpu_tests(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                if ast.unparse(d) == "pytest.mark.gpu":
                    out.append(node.name)
    return out


@pytest.mark.parametrize("what, path", list(PATHS.items()))
def test_every_simulation_path_has_a_gpu_test(what: str, path: str) -> None:
    assert _gpu_tests(ROOT / path), f"no gpu-marked test for {what} in {path}"


def test_gpu_tests_cover_walks_jacobian_nlc() -> None:
    names = " ".join(_gpu_tests(ROOT / "tests/simulate/test_measure.py"))
    assert "jacobian" in names and "nlc" in names and "walk" in names
