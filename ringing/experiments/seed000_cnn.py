"""Seed 000 (Ringing ReLUs) on its own architectures: Toy-CNN and ResNets.

The figures of seed 000 §4-5 measured with :mod:`ringing.simulate.model_walks` on the networks
of :mod:`ringing.simulate.zoo`, at reduced size on the CPU (every function takes the sizes; the
defaults are the reduced ones used for ``docs/cnn_walks.md``):

* :func:`alpha_nu_plane` -- Fig 1: the loss path of a ResNet v2 over a grid of LReLU slope
  ``alpha`` and skip weight ``nu``; centroid and ``h`` of the loss spectrum, and the power above
  the polynomial degree where the network is a polynomial (``alpha = 1``, no batchnorm).
* :func:`toycnn_spectra` -- Fig 3: per-layer normalised spectra of a Toy-CNN (all weights
  moved), and Fig 3b / Fig 15: first-layer-only walks, spectrum of ``p'(t)``.
* :func:`depth_smoothness` -- Fig 5: ``h`` of the loss path against depth, with and without
  shortcuts.
* :func:`branch_correlation` -- Fig 6: main/skip correlation per frequency bin (ResNet v2).
* :func:`v1_vs_v2` -- Fig 7: last-layer spectra of ResNet v1 and v2.
* :func:`averaging` -- Fig 8 right: the averaging factor ``a`` of a Toy-CNN.
* :func:`blueshift_trainability` -- Fig 9: train ResNets with and without shortcuts over a
  grid of depth and ``alpha``; training accuracy against ``h`` of the last layer at
  initialisation, rank correlation with a bootstrap interval.  Each (architecture, alpha, seed)
  run is a task in the results store (:func:`ringing.runs.executors.run_tasks`).

Data: scikit-learn's digits upsampled to 32x32 (or 16x16 for the ResNet figures, to fit the
CPU budget) -- :func:`ringing.simulate.zoo.digit_images`; it ships on disk with scikit-learn,
so nothing is downloaded, and the upsampling gives the architectures the spatial size they are
built for (a stride-5 Toy-CNN input, three ResNet stages).  A user's CIFAR10 file plugs in
through :func:`load_images` (``"cifar10:PATH"``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["load_images", "zoo_walk", "paired_difference", "alpha_nu_plane", "toycnn_spectra",
           "depth_smoothness", "branch_correlation", "v1_vs_v2", "averaging",
           "blueshift_trainability", "train_task", "rank_correlation_ci", "FIGURES",
           "loss_paths", "delta_orthogonal", "layer_walks"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | Path | None) -> str | None:
    if path is None:
        _plt().close(fig)
        return None
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    _plt().close(fig)
    return str(out)


# ----------------------------------------------------------------------------
# data and one walk


def load_images(data: str = "digits", size: int = 32) -> tuple[Any, Any]:
    """Images and labels: ``"digits"`` (scikit-learn's digits upsampled to ``size``, shipped on
    disk) or ``"cifar10:PATH"`` (a user's local CIFAR10 file, through the package's local
    dataset loader when it is present)."""
    from ringing.simulate.zoo import digit_images

    if data == "digits":
        return digit_images(size)
    if data.startswith("cifar10:"):
        return _local_cifar10(data.split(":", 1)[1], size)
    raise ValueError(f"data={data!r}; known: digits, cifar10:PATH")


def _local_cifar10(path: str, size: int) -> tuple[Any, Any]:
    """A user's local CIFAR10 copy (binary batches or ``.npz``, read by the package's local
    dataset reader, :mod:`ringing.simulate.data`) as ``(n, 3, 32, 32)`` images (channel-major
    rows as in CIFAR's binary batches, or ``(n, 32, 32, 3)`` arrays), standardised over all
    pixels, resized to ``size``.  ``load_local_dataset`` itself flattens and randomly projects
    the images (seed 004's processing), which a convolution cannot use, so the raw reader is
    used here."""
    import torch

    from ringing.simulate import data as sim_data

    p = Path(path)
    if not p.exists():
        raise ValueError(f"local data set {str(p)!r} does not exist")
    x, y = sim_data._read_local(p, "cifar10")
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim == 4 and arr.shape[-1] == 3:
        arr = arr.transpose(0, 3, 1, 2)
    arr = arr.reshape(len(arr), 3, 32, 32)
    t = torch.as_tensor(arr)
    t = (t - t.mean()) / t.std()
    if size != 32:
        t = torch.nn.functional.interpolate(t, size=(size, size), mode="bilinear",
                                            align_corners=False)
    return t, torch.as_tensor(np.asarray(y).reshape(-1), dtype=torch.int64)


def zoo_walk(spec: Any, cfg: Any, *, data: str = "digits", size: int = 32,
             correlation: bool = False) -> Any:
    """Walk ``cfg`` (:class:`ModelWalkConfig`) on networks ``spec`` (:class:`ZooSpec`) of seeds
    ``cfg.seed ..``; ``spec.in_channels`` is set from the data."""
    import dataclasses

    from ringing.simulate.model_walks import walk_model
    from ringing.simulate.zoo import build

    x, y = load_images(data, size)
    spec = dataclasses.replace(spec, in_channels=int(x.shape[1]))

    def factory(seed: int) -> Any:
        return build(spec, seed, image_size=size, device=cfg.device, dtype=cfg.dtype,
                     generator_device=cfg.generator_device)

    def layers(m: Any) -> list[tuple[str, Any]]:
        mods = m.layers()
        return [(f"layer {i + 1}", mod) for i, mod in enumerate(mods[:-1])] + [("logits",
                                                                                  mods[-1])]

    pairs = (lambda m: [(b.main, b.skip) for b in m.blocks_with_skip()]) if correlation \
        else None
    return walk_model(factory, x, y, cfg, layers=layers, pairs=pairs, show_progress=False,
                      describe={"spec": spec.as_dict(), "label": spec.label, "data": data,
                                "image_size": size})


def _ci(est: float, ci: Any) -> dict[str, float]:
    return {"value": float(est), "lo": float(ci[0]), "hi": float(ci[1])}


def _h(res: Any, row: int) -> dict[str, float] | None:
    f = res.fits()[row]
    return None if f is None else _ci(f["h"], f["ci"])


def paired_difference(a: Any, b: Any, row: int = -1, stat: str = "centroid"
                      ) -> tuple[float, tuple[float, float]]:
    """``stat`` (``"centroid"`` or ``"h"``, the fractal exponent over the walks' fit range) of
    row ``row`` of walk ``a`` minus that of ``b``, with the delete-one-network jackknife
    interval of the *difference*: both walks use the same network seeds, directions and
    minibatches (the streams of :mod:`ringing.simulate.model_walks`), so deleting network ``i``
    from both at once cancels the between-network spread they share."""
    from ringing.spectral import fractal_exponent, spectral_centroid
    from ringing.stats import jackknife_ci

    if a.unit_power.shape[0] != b.unit_power.shape[0] or a.k.size != b.k.size:
        raise ValueError("paired walks need the same units and frequencies")
    nf = a.k.size
    kmin, kmax = a.config.fit_range
    units = np.concatenate([a.unit_power[:, row], b.unit_power[:, row]], axis=-1)

    def one(p: np.ndarray) -> np.ndarray:
        if stat == "centroid":
            return np.asarray(spectral_centroid(p, a.k))
        return np.asarray(fractal_exponent(p, a.k, kmin=kmin, kmax=kmax).h)

    if stat not in ("centroid", "h"):
        raise ValueError(f"stat={stat!r}; known: centroid, h")
    est, lo, hi = jackknife_ci(lambda p: one(p[..., :nf]) - one(p[..., nf:]), units,
                               groups=a.groups)
    return float(est), (float(lo), float(hi))


# ----------------------------------------------------------------------------
# Fig 1: the alpha-nu plane


def alpha_nu_plane(*, alphas: Sequence[float] = (0.0, 0.5, 1.0),
                   nus: Sequence[float] = (0.0, 0.5, 1.0), depth: int = 20, channels: int = 4,
                   size: int = 16, points: int = 64, norm: str = "batch",
                   radius: float | None = 2.0, relative_radius: float | None = None,
                   networks: int = 6, directions: int = 2, inputs: int = 8, seed: int = 0,
                   device: str = "cpu", figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 1: centroid and ``h`` of a ResNet v2's loss path (MSE) over ``alpha x nu``.

    ``norm="batch"`` is the paper's network (ResNet v2 with batchnorm; radius 2, the doubled
    path length of Figs 1, 4, 6).  ``norm="none"`` (run in float64) makes the network at
    ``alpha = 1`` a polynomial of degree 1 in every weight, so the loop's loss path is a
    trigonometric polynomial of degree ``2 (6n + 2)``; ``tail_above_degree`` is its power above
    that degree (0 up to rounding there).  Intervals: delete-one-network jackknife (95 %); the
    differences to the ``(alphas[0], nus[0])`` corner are paired (same seeds and directions)."""
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    cfg = ModelWalkConfig(points=points, radius=radius, relative_radius=relative_radius,
                          networks=networks, directions=directions, inputs=inputs,
                          dtype="float64" if norm == "none" else "float32", seed=seed,
                          device=device, loss="mse")
    cells: list[dict[str, Any]] = []
    paths: dict[tuple[float, float], np.ndarray] = {}
    results: dict[tuple[float, float], Any] = {}
    degree = 2 * depth
    for a in alphas:
        for nu in nus:
            spec = ZooSpec("resnet_v2", depth, slope=float(a), shortcut=float(nu),
                           channels=channels, norm=norm)
            r = zoo_walk(spec, cfg, size=size)
            cells.append({"alpha": float(a), "nu": float(nu),
                          "centroid": _ci(r.spectral_centroid[-1], r.spectral_centroid_ci[-1]),
                          "h": _h(r, -1),
                          # a polynomial (degree < T/2) only without batchnorm
                          "tail_above_degree": (r.tail(degree) if norm == "none"
                                                and degree < cfg.n_freq else None)})
            paths[(float(a), float(nu))] = r.loss_paths[0]
            results[(float(a), float(nu))] = r
    ref = (float(alphas[0]), float(nus[0]))
    for c in cells:  # paired against the (alpha_0, nu_0) corner: same seeds, same directions
        key = (c["alpha"], c["nu"])
        if key != ref:
            c["centroid_minus_corner"] = _ci(*paired_difference(results[ref], results[key]))
    out = {"cells": cells, "degree": degree, "corner": {"alpha": ref[0], "nu": ref[1]},
           "config": {
        "arch": f"ResNet{depth} v2, planes {channels}/{2 * channels}/{4 * channels}, "
                f"{'BN' if norm == 'batch' else 'no BN'}",
        "data": f"digits {size}x{size}", "points": points,
        "radius": (f"absolute {radius}" if radius is not None
                   else f"relative {cfg.radius_value}"),
        "networks": networks, "directions": directions, "inputs": inputs, "dtype": cfg.dtype,
        "loss": "mse"}}
    if figure is not None:
        plt = _plt()
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
        grid_c = np.array([[c["centroid"]["value"] for c in cells if c["alpha"] == a]
                           for a in alphas])
        grid_h = np.array([[(c["h"] or {"value": np.nan})["value"] for c in cells
                            if c["alpha"] == a] for a in alphas])
        for ax, g, title in ((axes[0], grid_c, "loss centroid"), (axes[1], grid_h, "loss h")):
            im = ax.imshow(g, origin="lower", cmap="viridis", aspect="auto")
            ax.set_xticks(range(len(nus)), [f"{v:g}" for v in nus])
            ax.set_yticks(range(len(alphas)), [f"{v:g}" for v in alphas])
            ax.set_xlabel("ν (skip weight)")
            ax.set_ylabel("α (LReLU slope)")
            ax.set_title(title, fontsize=9)
            fig.colorbar(im, ax=ax)
        t = np.arange(points) / points
        for (a, nu), lab in (((alphas[0], nus[0]), "α=0 ν=0"), ((alphas[-1], nus[0]), "α=1 ν=0"),
                             ((alphas[-1], nus[-1]), "α=1 ν=1")):
            p = paths[(float(a), float(nu))]
            axes[2].plot(t, (p - p.mean()) / (p.std() or 1.0), lw=1, label=lab)
        axes[2].set_xlabel("t (loop)")
        axes[2].set_title("loss paths (standardised)", fontsize=9)
        axes[2].legend(fontsize=7)
        out["figure"] = _save(fig, figure)
    return out


def alpha_nu_figure(*, device: str = "cpu", figure: str | Path | None = None,
                    **kw: Any) -> dict[str, Any]:
    """Fig 1 as committed: the plane with batchnorm (the paper's ResNet v2) and its
    polynomial twin without batchnorm (float64, relative radius 0.02, ResNet14), whose
    ``alpha = 1`` loss path must be band-limited."""
    out = alpha_nu_plane(device=device, figure=figure, **kw)
    out["no_bn"] = alpha_nu_plane(device=device, norm="none", radius=None,
                                  relative_radius=0.02, depth=14, networks=8, **kw)
    return out


# ----------------------------------------------------------------------------
# Fig 3 / 15: Toy-CNN per-layer spectra


def _spectra_panel(ax: Any, res: Any, title: str, derivative: bool = False) -> None:
    plt = _plt()
    spec = res.derivative if derivative else res.normalised
    layers = spec.shape[0] - 1  # the last row is the loss
    cmap = plt.get_cmap("coolwarm")
    for i in range(layers):
        ax.loglog(res.k, np.maximum(spec[i], 1e-14), color=cmap(i / max(layers - 1, 1)), lw=0.8)
    ax.set_title(title, fontsize=8)
    ax.set_ylim(1e-8, 1.5)
    ax.set_xlabel("k")


def _layer_theory(spec: Any, cfg: Any, size: int) -> float:
    """The harmonic-distortion model's last-layer centroid for a NoShort Toy-CNN, labelled as
    such: :func:`ringing.theory.harmonics.predict_walk_spectra` of the wide *dense* network
    (a 3x3 convolution acts on each receptive field as a dense layer of fan-in 9C), with the
    walk's measured per-layer relative radii ``||D_l|| / ||W_l||`` (network 0, direction 0),
    batchnorm as a static rescaling (seed 000 App. B.1), the exact kernel map on the loop."""
    import dataclasses

    import torch

    from ringing.simulate.model_walks import draw_model_directions, walked_modules
    from ringing.simulate.zoo import build
    from ringing.theory.harmonics import predict_walk_spectra

    x, _ = load_images("digits", size)
    m = build(dataclasses.replace(spec, in_channels=int(x.shape[1])), cfg.seed, image_size=size)
    w = [mod.weight.detach() for mod in walked_modules(m)]  # type: ignore[operator]
    d = draw_model_directions(cfg, w, 0, 0, 0)  # as the walk draws them (classifier included)
    radii = [float(torch.linalg.vector_norm(di) / torch.linalg.vector_norm(wi))
             for di, wi in zip(d[: spec.depth], w[: spec.depth], strict=True)
             if di is not None]
    pred = predict_walk_spectra(spec.activation_spec, spec.depth, path=cfg.path,
                                points=cfg.points, radius=radii, normalise=True,
                                continuous=False, approximation="exact")
    return float(np.asarray(pred.spectral_centroid)[-1])


def toycnn_spectra(*, activations: Sequence[str] = ("relu", "tanh", "softplus",
                                                    "lrelu(slope=0.2)"), theory: bool = True,
                   depth: int = 50, channels: int = 16, size: int = 32, points: int = 100,
                   radius: float = 1.0, directions: int = 2, inputs: int = 8, seed: int = 0,
                   device: str = "cpu", figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 3 (a: all weights, per-layer spectra of ``p(t)``; b: first layer only,
    spectra of ``p'(t)``) on a Toy-CNN with batchnorm, with and without shortcuts; radius 1
    (``||D||_F = 1`` over all moved weights, the paper's A.2).  One network, intervals over
    directions (conditional on the network)."""
    import dataclasses

    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    base = ModelWalkConfig(points=points, radius=radius, directions=directions, inputs=inputs,
                           seed=seed, device=device, loss="cross_entropy")
    rows: list[dict[str, Any]] = []
    panels: list[tuple[str, Any, bool]] = []
    for act in activations:
        for sc in (0.0, 1.0):
            spec = ZooSpec("toycnn", depth, activation=act, shortcut=sc, channels=channels)
            r = zoo_walk(spec, base, size=size)
            panels.append((f"{act} {'S' if sc else 'NS'}", r, False))
            c = r.spectral_centroid
            rows.append({"activation": act, "shortcut": bool(sc), "moved": "all",
                         "centroid_layer1": float(c[0]), "centroid_mid": float(c[depth // 2]),
                         "centroid_last": _ci(c[depth - 1], r.spectral_centroid_ci[depth - 1]),
                         "h_last": _h(r, depth - 1)})
            if theory and not sc:
                rows[-1]["theory_centroid_last"] = _layer_theory(spec, base, size)
        spec = ZooSpec("toycnn", depth, activation=act, shortcut=0.0, channels=channels)
        r1 = zoo_walk(spec, dataclasses.replace(base, layer_only=1), size=size)
        panels.append((f"{act} NS, layer 1 only, p'(t)", r1, True))
        rows.append({"activation": act, "shortcut": False, "moved": "layer 1",
                     "centroid_layer1": float(r1.spectral_centroid[0]),
                     "centroid_mid": float(r1.spectral_centroid[depth // 2]),
                     "centroid_last": _ci(r1.spectral_centroid[depth - 1],
                                          r1.spectral_centroid_ci[depth - 1]),
                     "h_last": _h(r1, depth - 1)})
    out: dict[str, Any] = {"rows": rows, "config": {
        "arch": f"Toy-CNN {depth}, {channels} channels, BN, stride-5 input",
        "data": f"digits {size}x{size}", "points": points, "radius": radius,
        "directions": directions, "inputs": inputs}}
    if figure is not None:
        plt = _plt()
        ncol = 3
        fig, axes = plt.subplots(len(activations), ncol, figsize=(9, 2.4 * len(activations)),
                                 squeeze=False)
        for ax, (title, r, der) in zip(axes.flat, panels, strict=True):
            _spectra_panel(ax, r, title, der)
        out["figure"] = _save(fig, figure)
    return out


# ----------------------------------------------------------------------------
# Fig 5: h against depth


def depth_smoothness(*, depths: Sequence[int] = (4, 12, 24, 50), activation: str = "relu",
                     channels: int = 16, size: int = 32, points: int = 100,
                     radius: float = 1.0, networks: int = 4, directions: int = 2,
                     inputs: int = 8, seed: int = 0, device: str = "cpu",
                     figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 5: ``h`` of the loss path (cross-entropy) of a Toy-CNN against depth,
    with and without shortcuts (paper: 50 networks x 20 directions; here ``networks`` x
    ``directions``, delete-one-network jackknife intervals)."""
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    cfg = ModelWalkConfig(points=points, radius=radius, networks=networks,
                          directions=directions, inputs=inputs, seed=seed, device=device,
                          loss="cross_entropy")
    rows: list[dict[str, Any]] = []
    for sc in (0.0, 1.0):
        for d in depths:
            spec = ZooSpec("toycnn", d, activation=activation, shortcut=sc, channels=channels)
            r = zoo_walk(spec, cfg, size=size)
            rows.append({"depth": int(d), "shortcut": bool(sc), "h_loss": _h(r, -1),
                         "h_last_layer": _h(r, d - 1),
                         "centroid_loss": _ci(r.spectral_centroid[-1],
                                              r.spectral_centroid_ci[-1])})
    out: dict[str, Any] = {"rows": rows, "config": {
        "arch": f"Toy-CNN, {channels} channels, BN, {activation}", "data": f"digits {size}",
        "points": points, "radius": radius, "networks": networks, "directions": directions,
        "inputs": inputs}}
    if figure is not None:
        plt = _plt()
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        for sc, lab in ((False, "NoShort"), (True, "Short")):
            sel = [r for r in rows if r["shortcut"] == sc and r["h_loss"] is not None]
            xs = [r["depth"] for r in sel]
            ys = [r["h_loss"]["value"] for r in sel]
            err = [[r["h_loss"]["value"] - r["h_loss"]["lo"] for r in sel],
                   [r["h_loss"]["hi"] - r["h_loss"]["value"] for r in sel]]
            ax.errorbar(xs, ys, yerr=err, marker="o", capsize=3, label=lab)
        ax.set_xlabel("depth L")
        ax.set_ylabel("h of the loss path")
        ax.legend(fontsize=8)
        out["figure"] = _save(fig, figure)
    return out


# ----------------------------------------------------------------------------
# Fig 6, 7, 8 right


def branch_correlation(*, activations: Sequence[str] = ("relu", "tanh", "softplus"),
                       depth: int = 20, channels: int = 8, size: int = 16, points: int = 100,
                       radius: float = 1.0, bins: int = 10, directions: int = 4,
                       inputs: int = 4, seed: int = 0, device: str = "cpu",
                       figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 6: mean ``|corr|`` between each block's residual branch and its skip path
    per Gaussian frequency bin (ResNet v2 with batchnorm, all outputs, one network)."""
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    cfg = ModelWalkConfig(points=points, radius=radius, directions=directions, inputs=inputs,
                          seed=seed, device=device, correlation_bins=bins)
    rows = []
    for act in activations:
        spec = ZooSpec("resnet_v2", depth, activation=act, shortcut=1.0, channels=channels)
        r = zoo_walk(spec, cfg, size=size, correlation=True)
        rows.append({"activation": act, "centres": r.correlation_centres,
                     "correlation": r.branch_correlation, "ci": r.branch_correlation_ci})
    out: dict[str, Any] = {"rows": rows, "config": {
        "arch": f"ResNet{depth} v2, planes {channels}, BN", "data": f"digits {size}",
        "points": points, "radius": radius, "bins": bins, "directions": directions}}
    if figure is not None:
        plt = _plt()
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        for row in rows:
            ax.plot(np.arange(1, bins + 1), row["correlation"], marker="o", label=row["activation"])
        ax.set_xlabel("frequency bin (low → high)")
        ax.set_ylabel("mean |corr| branch vs skip")
        ax.legend(fontsize=8)
        out["figure"] = _save(fig, figure)
    return out


def v1_vs_v2(*, depth: int = 56, channels: int = 16, size: int = 32, points: int = 100,
             radius: float = 1.0, networks: int = 6, directions: int = 2, inputs: int = 8,
             activation: str = "relu", seed: int = 0, device: str = "cpu",
             figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 7: normalised power spectrum of the last layer of ResNet v1
    (post-activation) and v2 (pre-activation) with shortcuts and batchnorm; centroid and ``h``
    with delete-one-network jackknife intervals, and the paired v1 − v2 differences.

    "The last layer" is read two ways (the paper does not say which output it plots): the
    logits (``centroid_last``/``h_last``; App. B.1 "layer outputs before classification") and
    the output of the last residual block, every channel at every position
    (``centroid_block``/``h_block``; for v1 after the block's final activation, for v2 the
    sum itself, before the network's final BN-activation)."""
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    cfg = ModelWalkConfig(points=points, radius=radius, networks=networks,
                          directions=directions, inputs=inputs, seed=seed, device=device)
    rows, res = [], {}
    for arch in ("resnet_v1", "resnet_v2"):
        spec = ZooSpec(arch, depth, activation=activation, shortcut=1.0, channels=channels)
        r = zoo_walk(spec, cfg, size=size)
        res[arch] = r
        rows.append({"arch": arch, "centroid_last": _ci(r.spectral_centroid[-2],
                                                        r.spectral_centroid_ci[-2]),
                     "h_last": _h(r, -2),
                     "centroid_block": _ci(r.spectral_centroid[-3], r.spectral_centroid_ci[-3]),
                     "h_block": _h(r, -3)})
    # v1 and v2 share conv shapes, so the same seeds draw the same weights and directions
    v1, v2 = res["resnet_v1"], res["resnet_v2"]
    rows.append({"arch": "v1 − v2 (paired)",
                 "centroid_last": _ci(*paired_difference(v1, v2, -2)),
                 "h_last": _ci(*paired_difference(v1, v2, -2, stat="h")),
                 "centroid_block": _ci(*paired_difference(v1, v2, -3)),
                 "h_block": _ci(*paired_difference(v1, v2, -3, stat="h"))})
    out: dict[str, Any] = {"rows": rows, "config": {
        "arch": f"ResNet{depth} v1/v2, planes {channels}, BN, {activation}",
        "data": f"digits {size}", "points": points, "radius": radius, "networks": networks,
        "directions": directions, "inputs": inputs}}
    if figure is not None:
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
        for ax, row, what in ((axes[0], -2, "logits"), (axes[1], -3, "last block output")):
            for arch, r in res.items():
                ax.loglog(r.k, np.maximum(r.normalised[row], 1e-14),
                          label=arch.replace("_", " "))
            ax.set_xlabel("k")
            ax.set_ylabel(f"|z_k|² {what} (normalised)")
            ax.legend(fontsize=8)
        out["figure"] = _save(fig, figure)
    return out


def averaging(*, factors: Sequence[int] = (1, 2, 3, 4), depth: int = 20, channels: int = 8,
              size: int = 32, points: int = 100, radius: float = 1.0, networks: int = 4,
              directions: int = 2, inputs: int = 8, activation: str = "relu", seed: int = 0,
              device: str = "cpu", figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 8 right: per-layer spectral centroid of a feature-averaging Toy-CNN
    (NoShort, batchnorm) for averaging factors ``a``."""
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    cfg = ModelWalkConfig(points=points, radius=radius, networks=networks,
                          directions=directions, inputs=inputs, seed=seed, device=device)
    rows, res = [], {}
    for a in factors:
        spec = ZooSpec("toycnn", depth, activation=activation, average=int(a), channels=channels)
        r = zoo_walk(spec, cfg, size=size)
        res[a] = r
        rows.append({"a": int(a), "centroid_last": _ci(r.spectral_centroid[depth - 1],
                                                       r.spectral_centroid_ci[depth - 1]),
                     "h_last": _h(r, depth - 1)})
    out: dict[str, Any] = {"rows": rows, "config": {
        "arch": f"Toy-CNN {depth}, {channels} channels x a, BN, NoShort, {activation}",
        "data": f"digits {size}", "points": points, "radius": radius, "networks": networks,
        "directions": directions}}
    if figure is not None:
        plt = _plt()
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        for a, r in res.items():
            ax.plot(np.arange(1, depth + 1), r.spectral_centroid[:depth], label=f"a={a}")
        ax.set_xlabel("layer")
        ax.set_ylabel("spectral centroid")
        ax.legend(fontsize=8)
        out["figure"] = _save(fig, figure)
    return out


# ----------------------------------------------------------------------------
# Fig 4, 12, 15


def _per_path_h(res: Any, row: int = -1) -> np.ndarray:
    """``h`` of every single walk's spectrum in row ``row`` (the loss by default), fitted over
    the walk's fit range (:func:`ringing.spectral.fractal_exponent`, vectorised over walks;
    NaN where a path has fewer than 3 fitted frequencies)."""
    from ringing.spectral import fractal_exponent

    kmin, kmax = res.config.fit_range
    p = res.unit_power[:, row]
    try:
        return np.atleast_1d(np.asarray(fractal_exponent(p, res.k, kmin=kmin, kmax=kmax).h,
                                        dtype=float))
    except ValueError:
        return np.full(p.shape[0], np.nan)


def loss_paths(*, variants: Sequence[tuple[str, float]] = (
        ("identity", 0.0), ("relu", 0.0), ("relu", 1.0), ("tanh", 0.0), ("tanh", 1.0)),
        paths: int = 60, depth: int = 56, arch: str = "resnet_v1", channels: int = 4,
        size: int = 16, points: int = 200, radius: float = 2.0, networks: int = 4,
        inputs: int = 8, seed: int = 0, device: str = "cpu",
        figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 4 (§4.3): many random loss paths of a ResNet at initialisation per variant
    (activation, shortcut weight ``nu``); the path with the median ``h`` and its magnitude
    spectrum, the distribution of the per-path ``h``, and ``h`` / centroid of the mean loss
    spectrum with delete-one-network jackknife intervals.

    The paper walks 500 directions on ResNet56 (16 planes, CIFAR10) with the doubled path
    length and resolution of A.2 (200 points, radius 2); here ``paths`` loss paths spread over
    ``networks`` networks (``paths // networks`` directions each), 4 planes, digits
    ``size x size`` by default.  All variants share seeds, weights (the convolutions have the
    same shapes), directions and minibatches, so the differences ``h(S) − h(NS)`` and
    ``h(identity) − h(act, S)`` carry paired jackknife intervals."""
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    if isinstance(paths, bool) or not isinstance(paths, int) or paths < 2 * networks:
        raise ValueError(f"paths={paths!r} must be an integer >= 2 x networks ({2 * networks})")
    directions = paths // networks
    cfg = ModelWalkConfig(points=points, radius=radius, networks=networks,
                          directions=directions, inputs=inputs, seed=seed, device=device,
                          loss="cross_entropy")
    rows: list[dict[str, Any]] = []
    res: dict[tuple[str, float], Any] = {}
    for act, nu in variants:
        spec = ZooSpec(arch, depth, activation=act, shortcut=float(nu), channels=channels)
        r = zoo_walk(spec, cfg, size=size)
        res[(act, float(nu))] = r
        hp = _per_path_h(r)
        ok = np.isfinite(hp)
        med = int(np.flatnonzero(ok)[np.argsort(hp[ok])[ok.sum() // 2]]) if ok.any() else 0
        rows.append({"activation": act, "shortcut": float(nu),
                     "h_mean_spectrum": _h(r, -1),
                     "centroid": _ci(r.spectral_centroid[-1], r.spectral_centroid_ci[-1]),
                     "h_paths_median": float(np.median(hp[ok])) if ok.any() else None,
                     "h_paths_quartiles": ([float(np.quantile(hp[ok], q)) for q in (0.25, 0.75)]
                                           if ok.any() else None),
                     "median_path_index": med,
                     "median_path": r.loss_paths[med].tolist(),
                     "median_path_power": r.unit_power[med, -1].tolist()})
    contrasts: list[dict[str, Any]] = []
    for act, nu in variants:
        if nu > 0 and (act, 0.0) in res:
            contrasts.append({"what": f"h({act} S) − h({act} NS)", **_ci(*paired_difference(
                res[(act, float(nu))], res[(act, 0.0)], stat="h"))})
            if ("identity", 0.0) in res and act != "identity":
                contrasts.append({"what": f"h(identity NS) − h({act} S)", **_ci(
                    *paired_difference(res[("identity", 0.0)], res[(act, float(nu))],
                                       stat="h"))})
    out: dict[str, Any] = {"rows": rows, "contrasts": contrasts, "config": {
        "arch": f"ResNet{depth} {arch[-2:]}, planes {channels}/{2 * channels}/{4 * channels}, "
                "BN", "data": f"digits {size}x{size}", "points": points, "radius": radius,
        "paths": directions * networks, "networks": networks, "directions": directions,
        "inputs": inputs, "loss": "cross_entropy", "paper_paths": 500}}
    if figure is not None:
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
        t = np.arange(points) / points
        for row in rows:
            lab = f"{row['activation']} {'S' if row['shortcut'] else 'NS'}"
            p = np.asarray(row["median_path"])
            axes[0].plot(t, p - p.mean(), lw=1, label=lab)
            pw = np.asarray(row["median_path_power"])
            axes[1].loglog(np.arange(1, pw.size + 1), np.sqrt(np.maximum(pw, 1e-30)), lw=1,
                           label=lab)
        axes[0].set_xlabel("t (loop)")
        axes[0].set_ylabel("loss − mean (path with the median h)")
        axes[1].set_xlabel("k")
        axes[1].set_ylabel("|z_k| of that path")
        axes[0].legend(fontsize=7)
        out["figure"] = _save(fig, figure)
    return out


def delta_orthogonal(*, inits: Sequence[str] = ("delta_orthogonal", "he"),
                     radii: Sequence[float] = (0.1, 1.0, 10.0), activation: str = "tanh",
                     networks_kind: Sequence[tuple[str, float | None]] = (("batch", None),
                                                                          ("none", 1.0)),
                     depth: int = 50, channels: int = 16, size: int = 32, points: int = 100,
                     networks: int = 3, directions: int = 2, inputs: int = 8, seed: int = 0,
                     device: str = "cpu", figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 12 (App. D.2): the Fig 3 walk (all layers moved, per-layer spectra of a
    NoShort Toy-CNN) for tanh with delta-orthogonal initialisation (Xiao et al. 2018) at path
    lengths ``radius`` in {0.1, 1, 10}, beside the same network with Gaussian (He)
    initialisation.  The paper: for a very small region near the orthogonal initialisation
    blueshift vanishes; walking further it becomes visible again.

    The paper does not say whether its Fig 12 network keeps batchnorm; ``networks_kind`` lists
    ``(norm, gain)`` pairs and the default runs both readings: the Fig 3 network (batchnorm,
    ``sigma_w = 1/sqrt(E[tanh^2])``) and Xiao et al.'s setting (no batchnorm, no biases, the
    critical ``sigma_w = 1`` of tanh at ``sigma_b = 0``).  Per cell: centroids of the first,
    middle and last layer and ``h`` of the last layer (delete-one-network jackknife); the
    paired (same networks, directions, minibatches) differences of the last-layer centroid
    between the largest and the smallest radius, and between the two inits at each radius."""
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    rows: list[dict[str, Any]] = []
    panels: list[tuple[str, Any]] = []
    contrasts: list[dict[str, Any]] = []
    lo_r, hi_r = float(min(radii)), float(max(radii))
    for norm, gain in networks_kind:
        kind = f"{'BN' if norm == 'batch' else 'no BN'}, σ_w " + (
            "default" if gain is None else f"{gain:g}")
        res: dict[tuple[str, float], Any] = {}
        for init in inits:
            spec = ZooSpec("toycnn", depth, activation=activation, channels=channels,
                           init=init, norm=norm, gain=gain)
            for rad in radii:
                cfg = ModelWalkConfig(points=points, radius=float(rad), networks=networks,
                                      directions=directions, inputs=inputs, seed=seed,
                                      device=device, loss="cross_entropy")
                r = zoo_walk(spec, cfg, size=size)
                res[(init, float(rad))] = r
                panels.append((f"{kind}, {init}, radius {rad:g}", r))
                c = r.spectral_centroid
                rows.append({"network": kind, "init": init, "radius": float(rad),
                             "centroid_layer1": float(c[0]),
                             "centroid_mid": float(c[depth // 2]),
                             "centroid_last": _ci(c[depth - 1],
                                                  r.spectral_centroid_ci[depth - 1]),
                             "h_last": _h(r, depth - 1)})
        for init in inits:
            contrasts.append({"network": kind, "init": init,
                              "what": f"centroid last layer, radius {hi_r:g} − radius {lo_r:g}",
                              **_ci(*paired_difference(res[(init, hi_r)], res[(init, lo_r)],
                                                       depth - 1))})
        if len(inits) == 2:
            for rad in radii:
                contrasts.append({"network": kind, "init": f"{inits[1]} − {inits[0]}",
                                  "what": f"centroid last layer, radius {rad:g}",
                                  **_ci(*paired_difference(res[(inits[1], float(rad))],
                                                           res[(inits[0], float(rad))],
                                                           depth - 1))})
    out: dict[str, Any] = {"rows": rows, "contrasts": contrasts, "config": {
        "arch": f"Toy-CNN {depth}, {channels} channels, NoShort, {activation}",
        "data": f"digits {size}x{size}", "points": points, "networks": networks,
        "directions": directions, "inputs": inputs}}
    if figure is not None:
        plt = _plt()
        nrow = len(inits) * len(networks_kind)
        fig, axes = plt.subplots(nrow, len(radii), figsize=(3.2 * len(radii), 2.5 * nrow),
                                 squeeze=False)
        for ax, (title, r) in zip(axes.flat, panels, strict=True):
            _spectra_panel(ax, r, title)
        out["figure"] = _save(fig, figure)
    return out


def layer_walks(*, layers: Sequence[int] = (1, 2, 3, 5, 10, 20, 30, 40, 50),
                activation: str = "relu", depth: int = 50, channels: int = 16, size: int = 32,
                points: int = 100, radius: float = 1.0, networks: int = 3, directions: int = 2,
                inputs: int = 8, seed: int = 0, device: str = "cpu",
                figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 15 (App. E): loss paths of a Toy-CNN (batchnorm, NoShort) when only the
    weights of one layer ``k`` are moved (``||D_k||_F = radius``), beside the walk of all
    weights; path-normalised loss spectra coloured by ``k``.  The paper: moving deeper layers
    gives smooth paths, moving early layers rough ones (more blueshift).  Per row: centroid
    and ``h`` of the loss spectrum (delete-one-network jackknife), the Spearman correlation of
    the layer index with the centroid, and the paired difference centroid(first) −
    centroid(last) of the listed layers (same networks and minibatches)."""
    import dataclasses

    from scipy.stats import spearmanr

    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.zoo import ZooSpec

    if any(not 1 <= k <= depth + 1 for k in layers):
        raise ValueError(f"layers {list(layers)} must lie in 1..{depth + 1} (L + 1: classifier)")
    base = ModelWalkConfig(points=points, radius=radius, networks=networks,
                           directions=directions, inputs=inputs, seed=seed, device=device,
                           loss="cross_entropy")
    spec = ZooSpec("toycnn", depth, activation=activation, channels=channels)
    rows: list[dict[str, Any]] = []
    res: dict[int | str, Any] = {}
    moved: list[int | str] = [*layers, "all"]
    for k in moved:
        cfg = base if isinstance(k, str) else dataclasses.replace(base, layer_only=int(k))
        r = zoo_walk(spec, cfg, size=size)
        res[k] = r
        rows.append({"moved": k, "centroid": _ci(r.spectral_centroid[-1],
                                                 r.spectral_centroid_ci[-1]),
                     "h": _h(r, -1), "loss_path": r.loss_paths[0].tolist()})
    first, last = layers[0], layers[-1]
    cents = [res[k].spectral_centroid[-1] for k in layers]
    out: dict[str, Any] = {
        "rows": rows,
        "spearman_layer_centroid": float(spearmanr(list(layers), cents).statistic)
        if len(layers) >= 3 else None,
        "first_minus_last": {"what": f"centroid(layer {first}) − centroid(layer {last})",
                             **_ci(*paired_difference(res[first], res[last]))},
        "config": {"arch": f"Toy-CNN {depth}, {channels} channels, BN, NoShort, {activation}",
                   "data": f"digits {size}x{size}", "points": points, "radius": radius,
                   "networks": networks, "directions": directions, "inputs": inputs,
                   "loss": "cross_entropy"}}
    if figure is not None:
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
        cmap = plt.get_cmap("coolwarm")
        t = np.arange(points) / points
        for i, k in enumerate(layers):
            col = cmap(i / max(len(layers) - 1, 1))
            p = res[k].loss_paths[0]
            axes[0].plot(t, p - p.mean(), color=col, lw=0.9, label=f"layer {k}")
            axes[1].loglog(res[k].k, np.maximum(res[k].normalised[-1], 1e-14), color=col,
                           lw=0.9)
        axes[1].loglog(res["all"].k, np.maximum(res["all"].normalised[-1], 1e-14), "k--",
                       lw=1, label="all layers")
        axes[0].set_xlabel("t (loop)")
        axes[0].set_ylabel("loss − mean (network 0, direction 0)")
        axes[1].set_xlabel("k")
        axes[1].set_ylabel("normalised loss power")
        axes[0].legend(fontsize=6, ncol=2)
        axes[1].legend(fontsize=7)
        out["figure"] = _save(fig, figure)
    return out


# ----------------------------------------------------------------------------
# Fig 9: blueshift at initialisation against trainability


def train_task(config: dict[str, Any]) -> dict[str, Any]:
    """One (architecture, alpha, seed) run of Fig 9, a task of the results store.

    1. ``h`` of the last layer (logits) at initialisation: a walk of ``walk_directions`` loops
       on the freshly initialised network (interval over directions, conditional on it).
    2. Train the same network (SGD, momentum 0.9, weight decay 1e-4, seed 000 A.3; ``lr``,
       ``batch`` and ``epochs`` from ``config``) on the data set and record the training
       accuracy: the mean of the last 25 minibatch accuracies (the paper's "average over the
       last 25 values").
    """
    import dataclasses

    import torch

    from ringing.simulate.common import resolve_device
    from ringing.simulate.model_walks import ModelWalkConfig
    from ringing.simulate.networks import layer_generator
    from ringing.simulate.zoo import ZooSpec, build

    t0 = time.perf_counter()
    c0 = time.process_time()
    spec = ZooSpec(**config["spec"])
    size = int(config["size"])
    device = str(config.get("device", "cpu"))
    seed = int(config["seed"])
    cfg = ModelWalkConfig(points=int(config["walk_points"]), radius=float(config["radius"]),
                          directions=int(config["walk_directions"]),
                          inputs=int(config["walk_inputs"]), seed=seed, device=device)
    walk_res = zoo_walk(spec, cfg, data=str(config["data"]), size=size)
    h = _h(walk_res, -2)
    x, y = load_images(str(config["data"]), size)
    spec = dataclasses.replace(spec, in_channels=int(x.shape[1]))
    dev = resolve_device(device)
    x, y = x.to(dev), y.to(dev)
    model = build(spec, seed, image_size=size, device=device)
    opt = torch.optim.SGD(model.parameters(), lr=float(config["lr"]), momentum=0.9,
                          weight_decay=1e-4)
    g = layer_generator(seed, 7_000_000)
    batch = int(config["batch"])
    accs: list[torch.Tensor] = []
    losses: list[torch.Tensor] = []
    n = x.shape[0]
    for _epoch in range(int(config["epochs"])):
        perm = torch.randperm(n, generator=g).to(dev)
        for s in range(0, n - batch + 1, batch):  # steps: the one loop training needs
            idx = perm[s: s + batch]
            out = model(x[idx])
            loss = torch.nn.functional.cross_entropy(out, y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            accs.append((out.argmax(1) == y[idx]).float().mean().detach())
            losses.append(loss.detach())
    acc = torch.stack(accs).cpu().numpy()
    lo = torch.stack(losses).cpu().numpy()
    finite = bool(np.all(np.isfinite(lo)))
    return {"h_init": h, "centroid_init": float(walk_res.spectral_centroid[-2]),
            "train_accuracy": float(acc[-25:].mean()), "final_loss": float(lo[-1]) if finite
            else None, "diverged": not finite, "steps": int(acc.size),
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}


def rank_correlation_ci(a: Sequence[float], b: Sequence[float], *, resamples: int = 2000,
                        confidence: float = 0.95, seed: int = 0
                        ) -> tuple[float, float, float]:
    """Spearman rank correlation of ``a`` and ``b`` and a percentile bootstrap interval over
    the pairs (resamples vectorised: ranks per resample row, then row-wise Pearson)."""
    from scipy.stats import rankdata, spearmanr

    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape or x.size < 4:
        raise ValueError(f"rank correlation needs >= 4 pairs, got {x.size}")
    rho = float(spearmanr(x, y).statistic)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(resamples, x.size))
    rx = rankdata(x[idx], axis=1)
    ry = rankdata(y[idx], axis=1)
    rx -= rx.mean(1, keepdims=True)
    ry -= ry.mean(1, keepdims=True)
    den = np.sqrt((rx * rx).sum(1) * (ry * ry).sum(1))
    ok = den > 0
    boot = (rx * ry).sum(1)[ok] / den[ok]
    q = (1 - confidence) / 2
    return rho, float(np.quantile(boot, q)), float(np.quantile(boot, 1 - q))


def blueshift_trainability(*, depths: Sequence[int] = (8, 20, 32),
                           alphas: Sequence[float] = (0.0, 0.3, 1.0),
                           arch: str = "resnet_v1", shortcuts: Sequence[float] = (0.0, 1.0),
                           seeds: Sequence[int] = (0,), channels: int = 4, size: int = 16,
                           data: str = "digits", epochs: int = 4, batch: int = 64,
                           lr: float = 0.05, walk_points: int = 100,
                           walk_directions: int = 4, walk_inputs: int = 8,
                           radius: float = 1.0, store: Any = None, executor: str = "local",
                           workers: int | None = 1, device: str = "cpu",
                           show_progress: bool = True,
                           figure: str | Path | None = None) -> dict[str, Any]:
    """Seed 000 Fig 9 on a reduced grid: ``depths x alphas x shortcuts x seeds`` training runs
    (:func:`train_task`, each a task of ``store``), and the Spearman rank correlation between
    ``h`` of the last layer at initialisation and the training accuracy, with a bootstrap
    interval over the runs.  The paper (§5, Fig 9) reports the link qualitatively: rougher
    networks at initialisation (smaller ``h``: deep, NoShort, small ``alpha``) train worse,
    i.e. a positive correlation, with no number printed.  It also notes the opposite effect
    of near-linear networks (alpha -> 1: smooth but not expressive), so the correlation is
    reported over all runs (``rank_correlation``) and over the nonlinear ones, alpha < 1
    (``rank_correlation_nonlinear``), the set the paper's link is about."""
    from ringing.runs.executors import Task, run_tasks
    from ringing.runs.store import ResultStore, config_key
    from ringing.simulate.zoo import ZooSpec

    tasks = []
    for d in depths:
        for a in alphas:
            for sc in shortcuts:
                for s in seeds:
                    spec = ZooSpec(arch, int(d), slope=float(a), shortcut=float(sc),
                                   channels=channels)
                    cfg = {"study": "seed000/fig9", "spec": spec.as_dict(), "seed": int(s),
                           "size": size, "data": data, "epochs": epochs, "batch": batch,
                           "lr": lr, "walk_points": walk_points,
                           "walk_directions": walk_directions, "walk_inputs": walk_inputs,
                           "radius": radius, "device": device, "revision": 1}
                    tasks.append(Task(config_key(cfg), f"fig9 {spec.label} seed {s}", cfg,
                                      train_task, (cfg,), cost=float(d)))
    own = store is None
    st = ResultStore() if own else store
    try:
        results, stats = run_tasks(tasks, store=st, executor=executor, workers=workers,
                                   show_progress=show_progress, desc="fig9")
    finally:
        if own:
            st.close()
    rows: list[dict[str, Any]] = []
    errors = []
    for r in results:
        c = r.task.config
        if r.result is None:
            errors.append(f"{r.task.name}: {r.error}")
            continue
        rows.append({"depth": c["spec"]["depth"], "alpha": c["spec"]["slope"],
                     "shortcut": c["spec"]["shortcut"] > 0, "seed": c["seed"], **r.result})
    usable = [r for r in rows if r["h_init"] is not None]
    out: dict[str, Any] = {"rows": rows, "errors": errors, "config": {
        "arch": f"{arch}, planes {channels}/{2 * channels}/{4 * channels}, BN",
        "depths": list(depths), "alphas": list(alphas), "shortcuts": list(shortcuts),
        "seeds": list(seeds), "data": f"{data} {size}x{size}", "epochs": epochs,
        "batch": batch, "lr": lr, "optimizer": "SGD, momentum 0.9, weight decay 1e-4",
        "walk": f"{walk_directions} loops of {walk_points} points, radius {radius}, "
                f"{walk_inputs} images"},
                           "store": {"total": stats.total, "reused": stats.reused,
                                     "computed": stats.computed, "errors": stats.errors},
                           "paper": "seed 000 §5 / Fig 9: networks with strong blueshift at "
                                    "initialisation (small h) are hard to train; no "
                                    "correlation coefficient printed (qualitative)"}
    for key, sel in (("rank_correlation", usable),
                     ("rank_correlation_nonlinear", [r for r in usable if r["alpha"] < 1])):
        if len(sel) >= 4:
            rho, lo, hi = rank_correlation_ci([r["h_init"]["value"] for r in sel],
                                              [r["train_accuracy"] for r in sel])
            out[key] = {"spearman": rho, "lo": lo, "hi": hi, "pairs": len(sel),
                        "interval": "percentile bootstrap over runs, 95 %"}
    if figure is not None:
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        for sc, marker in ((False, "o"), (True, "s")):
            for d in depths:
                sel = [r for r in rows if r["shortcut"] == sc and r["depth"] == d
                       and isinstance(r["h_init"], dict)]
                al = sorted({r["alpha"] for r in sel})
                if not al:
                    continue
                acc = [np.mean([r["train_accuracy"] for r in sel if r["alpha"] == a])
                       for a in al]  # mean over seeds
                hh = [np.mean([r["h_init"]["value"] for r in sel if r["alpha"] == a])
                      for a in al]
                lab = f"{'S' if sc else 'NS'} depth {d}"
                ls = "-" if sc else "--"
                axes[0].plot(al, acc, marker=marker, ls=ls, label=lab)
                axes[1].plot(al, hh, marker=marker, ls=ls, label=lab)
        axes[0].set_xlabel("α")
        axes[0].set_ylabel("training accuracy (mean over seeds)")
        axes[1].set_xlabel("α")
        axes[1].set_ylabel("h of the last layer at init")
        axes[0].legend(fontsize=6)
        out["figure"] = _save(fig, figure)
    return out


FIGURES: dict[str, Callable[..., dict[str, Any]]] = {
    "fig1": alpha_nu_figure, "fig3": toycnn_spectra, "fig5": depth_smoothness,
    "fig6": branch_correlation, "fig7": v1_vs_v2, "fig8": averaging, "fig4": loss_paths,
    "fig12": delta_orthogonal, "fig15": layer_walks}


def run_figures(names: Sequence[str], out: str | Path, **overrides: Any) -> dict[str, Any]:
    """Run the figure functions ``names`` (keys of :data:`FIGURES`), writing
    ``out/cnn_<name>.png``; each result carries its wall time and the load average."""
    import os

    results: dict[str, Any] = {}
    for name in names:
        if name not in FIGURES:
            raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        c0 = time.process_time()
        res = FIGURES[name](figure=Path(out) / f"cnn_{name}.png", **overrides)
        res["seconds"] = time.perf_counter() - t0
        res["cpu_seconds"] = time.process_time() - c0
        res["load_average"] = [load0, os.getloadavg()[0]]
        results[name] = res
    return results


# ----------------------------------------------------------------------------
# generated tables (docs/cnn_walks.md)


def _fmt(d: dict[str, float] | None, digits: int = 3) -> str:
    if d is None:
        return "– (band-limited)"
    return f"{d['value']:.{digits}f} [{d['lo']:.{digits}f}, {d['hi']:.{digits}f}]"


def _timing(res: dict[str, Any]) -> str:
    la = res.get("load_average", [float("nan")] * 2)
    return (f"_CPU time {res.get('cpu_seconds', float('nan')):.0f} s (one thread); wall time "
            f"{res.get('seconds', float('nan')):.0f} s on the shared 2-core machine, load "
            f"average {la[0]:.1f} → {la[1]:.1f}._")


def tables_markdown(results: dict[str, dict[str, Any]]) -> str:
    """Markdown tables of the figure results (keys of :data:`FIGURES` and ``"fig9"``)."""
    out: list[str] = []
    if "fig1" in results:
        r = results["fig1"]
        out += ["### Fig 1: the α–ν plane (loss path of a ResNet v2)", ""]
        for plane in (r, r.get("no_bn")):
            if plane is None:
                continue
            cf = plane["config"]
            out += [f"{cf['arch']}, {cf['data']}, T = {cf['points']}, radius {cf['radius']}, "
                    f"{cf['networks']} networks × {cf['directions']} directions, {cf['dtype']}, "
                    f"MSE loss; intervals: delete-one-network jackknife 95 %; polynomial degree "
                    f"of the loss path at α = 1 without BN: {plane['degree']}.", "",
                    "| α | ν | centroid | centroid (α=0, ν=0) − this (paired) | h | "
                    "power above degree |", "|---|---|---|---|---|---|"]
            for c in plane["cells"]:
                diff = c.get("centroid_minus_corner")
                tail = c.get("tail_above_degree")
                out.append(f"| {c['alpha']:g} | {c['nu']:g} | {_fmt(c['centroid'], 4)} | "
                           f"{'–' if diff is None else _fmt(diff, 4)} | {_fmt(c['h'], 2)} | "
                           f"{'– (not a polynomial)' if tail is None else f'{tail:.1e}'} |")
            out.append("")
        out += [_timing(r), ""]
    if "fig3" in results:
        r = results["fig3"]
        out += ["### Fig 3: Toy-CNN per-layer spectra", "",
                f"{r['config']['arch']}, {r['config']['data']}, T = {r['config']['points']}, "
                f"radius {r['config']['radius']}, {r['config']['directions']} directions on one "
                "network (intervals conditional on it).", "",
                "| activation | shortcuts | moved | centroid layer 1 | centroid middle | "
                "centroid last [95 %] | h last [95 %] | model: centroid last |",
                "|---|---|---|---|---|---|---|---|"]
        for x in r["rows"]:
            th = x.get("theory_centroid_last")
            out.append(f"| {x['activation']} | {'S' if x['shortcut'] else 'NS'} | {x['moved']} | "
                       f"{x['centroid_layer1']:.3f} | {x['centroid_mid']:.3f} | "
                       f"{_fmt(x['centroid_last'])} | {_fmt(x['h_last'], 2)} | "
                       f"{'–' if th is None else f'{th:.3f}'} |")
        out += ["", "_model_: the harmonic-distortion model of the wide dense network "
                "(`predict_walk_spectra`, exact kernel map, static batchnorm) with the walk's "
                "measured per-layer relative radii -- a per-layer prediction treating each 3×3 "
                "receptive field as a dense layer, labelled as such, not a CNN theory."]
        out += ["", _timing(r), ""]
    if "fig4" in results:
        r = results["fig4"]
        cf = r["config"]
        out += ["### Fig 4: many loss paths of a ResNet", "",
                f"{cf['arch']}, {cf['data']}, T = {cf['points']}, radius {cf['radius']}, "
                f"{cf['paths']} loss paths per variant ({cf['networks']} networks × "
                f"{cf['directions']} directions; the paper: {cf['paper_paths']} paths), "
                f"{cf['loss']}; intervals: delete-one-network jackknife 95 %.", "",
                "| activation | shortcuts | h of the mean spectrum | centroid | median h of "
                "single paths [quartiles] |", "|---|---|---|---|---|"]
        for x in r["rows"]:
            q = x["h_paths_quartiles"]
            med = "–" if x["h_paths_median"] is None else (
                f"{x['h_paths_median']:.2f} [{q[0]:.2f}, {q[1]:.2f}]")
            out.append(f"| {x['activation']} | {'S' if x['shortcut'] else 'NS'} | "
                       f"{_fmt(x['h_mean_spectrum'], 2)} | {_fmt(x['centroid'])} | {med} |")
        out += ["", "| paired difference | value [95 %] |", "|---|---|"]
        out += [f"| {c['what']} | {_fmt(c, 2)} |" for c in r["contrasts"]]
        out += ["", _timing(r), ""]
    if "fig12" in results:
        r = results["fig12"]
        cf = r["config"]
        out += ["### Fig 12: delta-orthogonal against Gaussian initialisation", "",
                f"{cf['arch']}, {cf['data']}, T = {cf['points']}, {cf['networks']} networks "
                f"× {cf['directions']} directions (delete-one-network jackknife 95 %).", "",
                "| network | init | radius | centroid layer 1 | centroid middle | centroid "
                "last [95 %] | h last [95 %] |", "|---|---|---|---|---|---|---|"]
        for x in r["rows"]:
            out.append(f"| {x['network']} | {x['init']} | {x['radius']:g} | "
                       f"{x['centroid_layer1']:.4f} | {x['centroid_mid']:.3f} | "
                       f"{_fmt(x['centroid_last'], 4)} | {_fmt(x['h_last'], 2)} |")
        out += ["", "| network | init | paired difference | value [95 %] |",
                "|---|---|---|---|"]
        out += [f"| {c['network']} | {c['init']} | {c['what']} | {_fmt(c, 4)} |"
                for c in r["contrasts"]]
        out += ["", _timing(r), ""]
    if "fig15" in results:
        r = results["fig15"]
        cf = r["config"]
        d = r["first_minus_last"]
        out += ["### Fig 15: walking one layer only", "",
                f"{cf['arch']}, {cf['data']}, T = {cf['points']}, radius {cf['radius']} "
                f"(‖D‖ = radius in the moved layer), {cf['networks']} networks × "
                f"{cf['directions']} directions, {cf['loss']} (delete-one-network jackknife "
                "95 %).", "", "| moved | centroid of the loss path | h of the loss path |",
                "|---|---|---|"]
        for x in r["rows"]:
            mv = "all layers" if x["moved"] == "all" else f"layer {x['moved']} only"
            out.append(f"| {mv} | {_fmt(x['centroid'])} | {_fmt(x['h'], 2)} |")
        sp = r.get("spearman_layer_centroid")
        out += ["", f"{d['what']} (paired): {_fmt(d)}"
                + ("" if sp is None else f"; Spearman(layer index, centroid) = {sp:.2f} "
                   "(descriptive, no interval)") + ".", "", _timing(r), ""]
    if "fig5" in results:
        r = results["fig5"]
        out += ["### Fig 5: smoothness h of the loss path against depth", "",
                f"{r['config']['arch']}, {r['config']['data']}, T = {r['config']['points']}, "
                f"radius {r['config']['radius']}, {r['config']['networks']} networks × "
                f"{r['config']['directions']} directions (delete-one-network jackknife 95 %).", "",
                "| depth | shortcuts | h (loss) | h (last layer) | centroid (loss) |",
                "|---|---|---|---|---|"]
        for x in r["rows"]:
            out.append(f"| {x['depth']} | {'S' if x['shortcut'] else 'NS'} | "
                       f"{_fmt(x['h_loss'], 2)} | {_fmt(x['h_last_layer'], 2)} | "
                       f"{_fmt(x['centroid_loss'])} |")
        out += ["", _timing(r), ""]
    if "fig6" in results:
        r = results["fig6"]
        out += ["### Fig 6: branch/skip correlation per frequency bin", "",
                f"{r['config']['arch']}, {r['config']['data']}, T = {r['config']['points']}, "
                f"{r['config']['bins']} Gaussian bins, {r['config']['directions']} directions.",
                "", "| activation | " + " | ".join(f"bin {i + 1}" for i in
                                                 range(r["config"]["bins"])) + " |",
                "|---|" + "---|" * r["config"]["bins"]]
        for x in r["rows"]:
            out.append(f"| {x['activation']} | " + " | ".join(f"{v:.3f}" for v in
                                                             x["correlation"]) + " |")
        out += ["", _timing(r), ""]
    if "fig7" in results:
        r = results["fig7"]
        out += ["### Fig 7: ResNet v1 against v2 (last layer)", "",
                f"{r['config']['arch']}, {r['config']['data']}, T = {r['config']['points']}, "
                f"radius {r['config']['radius']}, {r['config']['networks']} networks × "
                f"{r['config']['directions']} directions (delete-one-network jackknife 95 %).", "",
                "| block | centroid (logits) | h (logits) | centroid (last block) | "
                "h (last block) |", "|---|---|---|---|---|"]
        for x in r["rows"]:
            blk = (f" {_fmt(x['centroid_block'])} | {_fmt(x['h_block'], 2)} |"
                   if "centroid_block" in x else " – | – |")
            out.append(f"| {x['arch']} | {_fmt(x['centroid_last'])} | {_fmt(x['h_last'], 2)} |"
                       + blk)
        out += ["", _timing(r), ""]
    if "fig8" in results:
        r = results["fig8"]
        out += ["### Fig 8 right: feature averaging factor a", "",
                f"{r['config']['arch']}, {r['config']['data']}, T = {r['config']['points']}, "
                f"{r['config']['networks']} networks × {r['config']['directions']} directions.",
                "", "| a | centroid last layer | h last layer |", "|---|---|---|"]
        for x in r["rows"]:
            out.append(f"| {x['a']} | {_fmt(x['centroid_last'])} | {_fmt(x['h_last'], 2)} |")
        out += ["", _timing(r), ""]
    if "fig9" in results:
        r = results["fig9"]
        cf = r.get("config", {})
        cpu = sum(x.get("cpu_seconds", 0.0) for x in r["rows"])
        out += ["### Fig 9: blueshift at initialisation against trainability", "",
                "; ".join(f"{k}: {v}" for k, v in cf.items()) + f".  CPU time of the "
                f"{len(r['rows'])} tasks: {cpu:.0f} s (one thread each).", "",
                "| depth | α | shortcuts | seed | h last layer at init [95 %, over directions] "
                "| training accuracy (last 25 minibatches) |", "|---|---|---|---|---|---|"]
        for x in sorted(r["rows"], key=lambda x: (x["shortcut"], x["depth"], x["alpha"],
                                                  x["seed"])):
            out.append(f"| {x['depth']} | {x['alpha']:g} | {'S' if x['shortcut'] else 'NS'} | "
                       f"{x['seed']} | {_fmt(x['h_init'], 2)} | {x['train_accuracy']:.3f} |")
        for key, what in (("rank_correlation", "all runs"),
                          ("rank_correlation_nonlinear", "nonlinear runs, α < 1")):
            rc = r.get(key)
            if rc:
                out += ["", f"Spearman rank correlation of h at initialisation with training "
                        f"accuracy, {what}: **{rc['spearman']:.3f}** [{rc['lo']:.3f}, "
                        f"{rc['hi']:.3f}] ({rc['interval']}, {rc['pairs']} runs)."]
        out += ["", f"Paper: {r['paper']}."]
        out.append("")
    if "fig9_replication" in results:
        r = results["fig9_replication"]
        cpu = sum(x.get("cpu_seconds", 0.0) for x in r["rows"])
        out += ["### Fig 9 replication on fresh seeds", "",
                f"The same grid and settings, seeds {r['config']['seeds']} (not seen when the "
                f"α < 1 subset was chosen); {len(r['rows'])} tasks, CPU time {cpu:.0f} s.", ""]
        for key, what in (("rank_correlation", "all runs"),
                          ("rank_correlation_nonlinear", "nonlinear runs, α < 1")):
            rc = r.get(key)
            if rc:
                out += [f"* Spearman(h at init, training accuracy), {what}: "
                        f"**{rc['spearman']:.3f}** [{rc['lo']:.3f}, {rc['hi']:.3f}] "
                        f"({rc['interval']}, {rc['pairs']} runs)."]
        out.append("")
    return "\n".join(out)
