"""``ringing simulate walk --layer-only K``: the layers below K do not move, so their
statistics are null (never round-off printed as a result), in float32 and float64 alike."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from ringing.cli import main  # noqa: E402


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers_below_k_are_null(dtype: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "walk", "relu", "--depth", "4", "--width", "32", "--layer-only",
                 "3", "--directions", "2", "--points", "32", "--dtype", dtype, "--theory",
                 "--json"])
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    for key in ("spectral_centroid", "spectral_centroid_ci", "fractal_exponent",
                "fractal_exponent_ci", "power_spectrum"):
        assert d[key][0] is None and d[key][1] is None, key
        assert d[key][2] is not None and d[key][3] is not None, key
    assert d["theory"]["centroid_z"][:2] == [None, None]
    assert d["spectral_centroid"][2] > 0
