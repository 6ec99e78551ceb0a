"""Seed 000 on Toy-CNN / ResNets (ringing.experiments.seed000_cnn) and its commands: tiny
versions of the studies, the rank-correlation interval, the store reuse, the CLI contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from ringing.experiments import seed000_cnn as ex


def test_rank_correlation_ci() -> None:
    rho, lo, hi = ex.rank_correlation_ci([1, 2, 3, 4, 5], [2, 4, 6, 8, 11])
    assert rho == pytest.approx(1.0) and lo == pytest.approx(1.0) and hi == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=30), rng.normal(size=30)
    rho, lo, hi = ex.rank_correlation_ci(a, b)
    assert rho == pytest.approx(float(spearmanr(a, b).statistic))
    assert lo < rho < hi
    with pytest.raises(ValueError):
        ex.rank_correlation_ci([1, 2, 3], [1, 2, 3])


def test_alpha_nu_plane_tiny(tmp_path) -> None:
    out = ex.alpha_nu_plane(alphas=(0.0, 1.0), nus=(0.0, 1.0), depth=8, channels=2, size=8,
                            points=40, norm="none", radius=None, relative_radius=0.05,
                            networks=2, directions=2, inputs=4, figure=tmp_path / "f1.png")
    cells = {(c["alpha"], c["nu"]): c for c in out["cells"]}
    assert cells[(1.0, 0.0)]["tail_above_degree"] <= 1e-20
    assert cells[(0.0, 0.0)]["tail_above_degree"] > 1e-10
    d = cells[(0.0, 1.0)]["centroid_minus_corner"]
    assert d["lo"] <= d["value"] <= d["hi"]
    assert (tmp_path / "f1.png").stat().st_size > 1000


def test_loss_paths_tiny(tmp_path) -> None:
    out = ex.loss_paths(variants=(("identity", 0.0), ("relu", 0.0), ("relu", 1.0)), paths=6,
                        networks=2, depth=8, channels=2, size=8, points=32, inputs=4,
                        figure=tmp_path / "f4.png")
    assert out["config"]["paths"] == 6 and len(out["rows"]) == 3
    for row in out["rows"]:
        # the plotted path is the one whose own h is the median (odd count of fitted paths
        # aside, it lies between the quartiles)
        q1, q3 = row["h_paths_quartiles"]
        assert q1 <= row["h_paths_median"] <= q3
        assert 0 <= row["median_path_index"] < 6 and len(row["median_path"]) == 32
        h = row["h_mean_spectrum"]
        assert h["lo"] <= h["value"] <= h["hi"]
    whats = [c["what"] for c in out["contrasts"]]
    assert whats == ["h(relu S) − h(relu NS)", "h(identity NS) − h(relu S)"]
    assert (tmp_path / "f4.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="paths"):
        ex.loss_paths(paths=3, networks=2)


def test_delta_orthogonal_tiny_small_radius_is_smooth() -> None:
    """Without batchnorm at the critical gain a short walk stays in the near-linear regime:
    the last layer's centroid is 1 to a few 1e-3 at radius 0.01, and rises at radius 10."""
    out = ex.delta_orthogonal(radii=(0.01, 10.0), networks_kind=(("none", 1.0),), depth=6,
                              channels=4, size=16, points=32, networks=2, directions=1,
                              inputs=4)
    cells = {(r["init"], r["radius"]): r for r in out["rows"]}
    for init in ("delta_orthogonal", "he"):
        assert abs(cells[(init, 0.01)]["centroid_last"]["value"] - 1.0) < 5e-3
        assert cells[(init, 10.0)]["centroid_last"]["value"] > 1.05
    assert {c["init"] for c in out["contrasts"]} == {"delta_orthogonal", "he",
                                                      "he − delta_orthogonal"}


def test_layer_walks_tiny(tmp_path) -> None:
    out = ex.layer_walks(layers=(1, 3, 6), depth=6, channels=4, size=16, points=32,
                         networks=2, directions=1, inputs=4, figure=tmp_path / "f15.png")
    assert [r["moved"] for r in out["rows"]] == [1, 3, 6, "all"]
    d = out["first_minus_last"]
    assert d["lo"] <= d["value"] <= d["hi"] and "layer 1" in d["what"]
    assert -1.0 <= out["spearman_layer_centroid"] <= 1.0
    assert (tmp_path / "f15.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="must lie in"):
        ex.layer_walks(layers=(0, 3), depth=6)


def _tiny_fig9(store, **kw):
    return ex.blueshift_trainability(depths=(8,), alphas=(0.0, 0.5, 1.0), shortcuts=(0.0, 1.0),
                                     channels=2, size=8, epochs=1, batch=256, lr=0.05,
                                     walk_points=16, walk_directions=2, walk_inputs=4,
                                     store=store, show_progress=False, **kw)


def test_blueshift_trainability_tasks_are_stored(tmp_path) -> None:
    from ringing.runs.store import ResultStore

    with ResultStore(tmp_path / "s.sqlite") as store:
        first = _tiny_fig9(store)
        assert first["store"]["computed"] == 6 and not first["errors"]
        second = _tiny_fig9(store)
        assert second["store"]["reused"] == 6 and second["store"]["computed"] == 0
    for r in first["rows"]:
        assert 0.0 <= r["train_accuracy"] <= 1.0 and r["steps"] == 7
    rc = first["rank_correlation"]
    assert -1.0 <= rc["lo"] <= rc["spearman"] <= rc["hi"] <= 1.0


def test_load_images_errors_and_local_cifar(tmp_path) -> None:
    with pytest.raises(ValueError, match="known"):
        ex.load_images("mnist")
    with pytest.raises(ValueError, match="does not exist"):
        ex.load_images(f"cifar10:{tmp_path / 'none.npz'}")
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "c.npz", x=rng.integers(0, 255, size=(6, 32, 32, 3)).astype(np.uint8),
             y=np.arange(6) % 10)
    x, y = ex.load_images(f"cifar10:{tmp_path / 'c.npz'}", 16)
    assert tuple(x.shape) == (6, 3, 16, 16) and y.tolist() == [0, 1, 2, 3, 4, 5]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from ringing.cli import main

    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_model_walk_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "simulate", "model-walk", "resnet_v2", "--depth", "8",
                        "--channels", "2", "--size", "8", "--points", "16", "--directions",
                        "2", "--inputs", "4", "--device", "cpu")
    assert rc == 0, err
    rows = out.splitlines()
    assert rows[1].split()[:2] == ["layer", "centroid"]
    assert len(rows) >= 3 and "[" in rows[2]  # a centroid with its interval per layer


def test_cli_model_walk_json_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(capsys, "simulate", "model-walk", "resnet_v2", "--depth", "8",
                        "--channels", "2", "--size", "8", "--points", "16", "--directions",
                        "2", "--inputs", "4", "--shortcut", "1", "--device", "cpu",
                        "--no-spectra", "--json")
    assert rc == 0, err
    payload = json.loads(out)
    assert payload["layers"][-2:] == ["logits", "loss"] and payload["units"] == 2
    rc, out, err = _cli(capsys, "simulate", "model-walk", "resnet_v1", "--depth", "9", "--json")
    assert rc == 2 and "6n + 2" in err and out == ""
    rc, out, err = _cli(capsys, "simulate", "model-walk", "toycnn", "--depth", "3", "--slope",
                        "2", "--json")
    assert rc == 2 and out == ""
    rc, out, err = _cli(capsys, "study", "blueshift", "--depths", "10", "--json")
    assert rc == 2 and "6n + 2" in err and out == ""
    rc, out, err = _cli(capsys, "study", "cnn-figure", "fig5", "--paths", "10", "--json")
    assert rc == 2 and "fig4 only" in err and out == ""
    rc, out, err = _cli(capsys, "study", "cnn-figure", "fig4", "--paths", "1", "--json")
    assert rc == 2 and out == ""


@pytest.mark.gpu
def test_train_task_on_cuda() -> None:
    cfg = {"spec": {"arch": "resnet_v1", "depth": 8, "channels": 2}, "seed": 0, "size": 8,
           "data": "digits", "epochs": 1, "batch": 256, "lr": 0.05, "walk_points": 16,
           "walk_directions": 2, "walk_inputs": 4, "radius": 1.0, "device": "cuda"}
    out = ex.train_task(cfg)
    assert 0.0 <= out["train_accuracy"] <= 1.0
