"""Figures and measurements for the weight-space walks (seed 000 Figures 1, 3, 5, 6, 8).

Every ``figure_*`` function takes measured :class:`ringing.simulate.walks.WalkResult` objects
(or sweeps of them), saves a PNG with matplotlib's Agg backend and returns its path.
:func:`measure_all` runs the issue-6 "Must show" measurements and returns their numbers;
``python -m ringing.validate.figures_walks --out DIR`` runs it, writes the figures and prints
a markdown summary (the numbers quoted in ``docs/walks.md``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ringing.simulate.walks import WalkConfig, WalkResult, walk
from ringing.validate.compare import compare_with_theory
from ringing.validate.plotting import pyplot, save_figure

__all__ = [
    "figure_walk_spectra",
    "figure_depth",
    "figure_transition",
    "figure_averaging",
    "figure_branch_correlation",
    "figure_segment_vs_loop",
    "measure_all",
]


_plt = pyplot


def _save(fig: Any, path: str | Path) -> str:
    return str(save_figure(fig, path))


def figure_walk_spectra(results: dict[str, WalkResult], path: str | Path, *,
                        derivative: bool = False) -> str:
    """Normalised spectra by layer (red = deeper), one panel per result (seed 000 Fig. 3a;
    ``derivative=True``: the ``k^2``-weighted spectra of Fig. 3b)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 3.4), squeeze=False)
    for ax, (name, r) in zip(axes[0], results.items(), strict=True):
        spec = r.derivative if derivative else r.normalised
        cmap = plt.get_cmap("coolwarm")
        for i in range(spec.shape[0]):
            ax.loglog(r.k, np.maximum(spec[i], 1e-16), color=cmap(i / max(spec.shape[0] - 1, 1)),
                      lw=1)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("k")
        ax.set_ylim(1e-10, 1.5)
    axes[0][0].set_ylabel("k² |z_k|² (normalised)" if derivative else "|z_k|² (normalised)")
    return _save(fig, path)


def _ci_plot(ax: Any, x: Sequence[float], y: np.ndarray, ci: np.ndarray, label: str) -> None:
    ax.errorbar(x, y, yerr=[y - ci[:, 0], ci[:, 1] - y], capsize=2, marker="o", ms=3,
                label=label)


def figure_depth(results: dict[str, WalkResult], path: str | Path, *,
                 quantity: str = "centroid") -> str:
    """Spectral centroid (or fractal exponent ``h``) against depth with 95 % intervals, e.g.
    with and without shortcuts (seed 000 Fig. 5)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for name, r in results.items():
        if quantity == "centroid":
            _ci_plot(ax, r.layers, r.spectral_centroid, r.spectral_centroid_ci, name)
        else:
            idx = [i for i, h in enumerate(r.fractal_exponent) if h is not None]
            hs = np.array([r.fractal_exponent[i] for i in idx], dtype=float)
            ci = np.array([r.fractal_exponent_ci[i] for i in idx], dtype=float)
            _ci_plot(ax, [r.layers[i] for i in idx], hs, ci, name)
    ax.set_xlabel("layer (depth)")
    ax.set_ylabel("spectral centroid" if quantity == "centroid" else "fractal exponent h")
    ax.legend(fontsize=8)
    return _save(fig, path)


def _layer_stat(results: dict[float, WalkResult], layer: int) -> tuple[np.ndarray, ...]:
    xs = np.array(sorted(results))
    c = np.array([results[v].spectral_centroid[layer - 1] for v in xs])
    ci = np.array([results[v].spectral_centroid_ci[layer - 1] for v in xs])
    return xs, c, ci


def figure_transition(slopes: dict[float, WalkResult], residuals: dict[float, WalkResult],
                      path: str | Path) -> str:
    """Output-layer centroid against the leaky-ReLU slope (plain) and against the branch
    weight ``nu`` (residual, ReLU) (seed 000 Fig. 1's transition linear -> nonlinear ->
    residual)."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for ax, res, lab in ((axes[0], slopes, "leaky-ReLU slope α (plain)"),
                         (axes[1], residuals, "branch weight ν (residual, relu)")):
        if not res:
            continue
        depth = next(iter(res.values())).config.depth
        xs, c, ci = _layer_stat(res, depth)
        _ci_plot(ax, list(xs), c, ci, f"layer {depth}")
        ax.set_xlabel(lab)
        ax.set_ylabel("spectral centroid")
        ax.legend(fontsize=8)
    return _save(fig, path)


def figure_averaging(results: dict[int, WalkResult], path: str | Path) -> str:
    """Normalised spectrum of the last layer for averaging factors ``a`` (seed 000 Fig. 8
    right) and the centroid by layer."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for a in sorted(results):
        r = results[a]
        axes[0].loglog(r.k, np.maximum(r.normalised[-1], 1e-16), label=f"a = {a}")
        _ci_plot(axes[1], r.layers, r.spectral_centroid, r.spectral_centroid_ci, f"a = {a}")
    axes[0].set_xlabel("k")
    axes[0].set_ylabel("|z_k|² (normalised), last layer")
    axes[1].set_xlabel("layer")
    axes[1].set_ylabel("spectral centroid")
    axes[0].legend(fontsize=8)
    return _save(fig, path)


def figure_averaging_width(results: dict[int, dict[int, WalkResult]], path: str | Path) -> str:
    """Last-layer centroid against the averaging factor ``a``, one line per width (seed 000
    Fig. 8 right): the lowering is a finite-width effect that shrinks as the width grows."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for w in sorted(results):
        byw = results[w]
        a_s = sorted(byw)
        c = np.array([byw[a].spectral_centroid[-1] for a in a_s])
        ci = np.array([byw[a].spectral_centroid_ci[-1] for a in a_s])
        _ci_plot(ax, a_s, c, ci, f"N = {w}")
    ax.set_xscale("log", base=2)
    a_all = sorted({a for byw in results.values() for a in byw})
    ax.set_xticks(a_all, [str(a) for a in a_all])
    ax.set_xlabel("averaging factor a")
    ax.set_ylabel("spectral centroid, last layer")
    ax.legend(fontsize=8)
    return _save(fig, path)


def figure_branch_correlation(results: dict[str, WalkResult], path: str | Path) -> str:
    """Mean absolute correlation between each residual block's shortcut and branch per
    Gaussian frequency bin (seed 000 Fig. 6)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for name, r in results.items():
        if r.branch_correlation is None or r.correlation_centres is None:
            continue
        y = r.branch_correlation
        ci = r.branch_correlation_ci if r.branch_correlation_ci is not None \
            else np.stack([y, y], axis=-1)
        _ci_plot(ax, list(r.correlation_centres), y, ci, name)
    ax.set_xlabel("frequency bin centre k")
    ax.set_ylabel("mean |corr(shortcut, branch)|")
    ax.legend(fontsize=8)
    return _save(fig, path)


def figure_segment_vs_loop(results: dict[str, WalkResult], path: str | Path) -> str:
    """Last-layer normalised spectra and ``h`` by layer for segments and loops."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for name, r in results.items():
        axes[0].loglog(r.k, np.maximum(r.normalised[-1], 1e-16), label=name)
        idx = [i for i, h in enumerate(r.fractal_exponent) if h is not None]
        hs = np.array([r.fractal_exponent[i] for i in idx], dtype=float)
        ci = np.array([r.fractal_exponent_ci[i] for i in idx], dtype=float)
        _ci_plot(axes[1], [r.layers[i] for i in idx], hs, ci, name)
    axes[0].set_xlabel("k")
    axes[0].set_ylabel("|z_k|² (normalised), last layer")
    axes[1].set_xlabel("layer")
    axes[1].set_ylabel("fractal exponent h")
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    return _save(fig, path)


# ----------------------------------------------------------------------------
# the issue-6 measurements


def _summ(r: WalkResult, layers: Sequence[int] | None = None) -> dict[str, Any]:
    ls = list(layers) if layers is not None else r.layers
    hs, hci = r.fractal_exponent, r.fractal_exponent_ci
    return {
        "layers": ls,
        "centroid": [round(float(r.spectral_centroid[i - 1]), 4) for i in ls],
        "centroid_ci": [[round(float(v), 4) for v in r.spectral_centroid_ci[i - 1]] for i in ls],
        "h": [None if (h := hs[i - 1]) is None else round(float(h), 3) for i in ls],
        "h_ci": [None if (c := hci[i - 1]) is None else [round(float(v), 3) for v in c]
                 for i in ls],
    }


def measure_all(out: str | Path, *, width: int = 256, depth: int = 10, directions: int = 2,
                networks: int = 8, inputs: int = 8, seed: int = 0, device: str = "auto",
                averaging_widths: Sequence[int] = (32, 64)) -> dict[str, Any]:
    """Run every issue-6 measurement, write the figures under ``out``, return the numbers.

    ``networks`` independent networks with ``directions`` walks each; with ``networks >= 2``
    the intervals are over networks (population intervals, comparable with the theory)."""
    outp = Path(out)
    base: dict[str, Any] = {"width": width, "depth": depth, "directions": directions,
                            "networks": networks, "inputs": inputs, "seed": seed,
                            "device": device}
    res: dict[str, Any] = {"settings": dict(base)}
    t0 = time.time()

    def run(act: str, **kw: Any) -> WalkResult:
        args: dict[str, Any] = dict(base)
        args.update(kw)
        return walk(WalkConfig(act, **args), show_progress=False)

    # 1. the paper's segments (alpha = 1) against loops of the same radius
    seg = {"segment, radius 1": run("relu", path="segment", radius=1.0),
           "loop, radius 1": run("relu", path="loop", radius=1.0),
           "segment, R = 0.5": run("relu", path="segment", relative_radius=0.5),
           "loop, R = 0.5": run("relu", path="loop", relative_radius=0.5)}
    res["segment_vs_loop"] = {k: _summ(v) for k, v in seg.items()}
    res["segment_vs_loop"]["relative_radius_of_radius_1"] = float(
        seg["loop, radius 1"].relative_radius[1])
    figure_segment_vs_loop(seg, outp / "walk_segment_vs_loop.png")

    # 2. relu > tanh > softplus, plain, with and without BatchNorm; theory beside
    plain: dict[str, WalkResult] = {}
    for norm, b in (("none", inputs), ("batch", 32)):
        for act in ("relu", "tanh", "softplus"):
            plain[f"{act}, {norm}"] = run(act, norm=norm, inputs=b)
    res["activations"] = {k: _summ(v) for k, v in plain.items()}
    res["theory"] = {}
    for k, v in plain.items():
        c = compare_with_theory(v)
        res["theory"][k] = {"tv": np.round(c["tv"], 4).tolist(),
                            "tv_noise": np.round(c["tv_noise"], 4).tolist(),
                            "predicted_centroid": np.round(c["predicted_centroid"], 4).tolist(),
                            "centroid_z": np.round(c["centroid_z"], 2).tolist()}
    figure_walk_spectra({k: plain[k] for k in ("relu, batch", "tanh, batch", "softplus, batch")},
                        outp / "walk_spectra_bn.png")
    figure_walk_spectra({k: plain[k] for k in ("relu, none", "tanh, none", "softplus, none")},
                        outp / "walk_spectra_plain.png")
    first = {f"relu, layer-only {k}": run("relu", layer_only=k, norm="batch", inputs=32)
             for k in (1, depth // 2, depth)}
    res["layer_only_derivative"] = {
        k: {"derivative_centroid_last_layer": round(float(
            np.sum(v.k * v.derivative[-1])), 3)} for k, v in first.items()}
    figure_walk_spectra(first, outp / "walk_layer_only_derivative.png", derivative=True)

    # 3. residual connections (Fig. 5), BatchNorm like the paper's Toy-CNN
    resid = {"relu plain": plain["relu, batch"],
             "relu residual ν=1": run("relu", norm="batch", inputs=32, residual=1.0),
             "tanh plain": plain["tanh, batch"],
             "tanh residual ν=1": run("tanh", norm="batch", inputs=32, residual=1.0)}
    res["residual"] = {k: _summ(v) for k, v in resid.items()}
    figure_depth(resid, outp / "walk_residual_centroid.png")
    figure_depth(resid, outp / "walk_residual_h.png", quantity="h")

    # 4. feature averaging (Fig. 8 right)
    avg = {a: run("relu", norm="batch", inputs=32, average=a) for a in (1, 2, 4)}
    res["averaging"] = {str(a): _summ(v, [depth]) for a, v in avg.items()}
    figure_averaging(avg, outp / "walk_averaging.png")
    # ... and by width, with twice the networks: the lowering is a finite-width effect
    avg_w = {w: {a: run("relu", norm="batch", inputs=32, average=a, width=w,
                        networks=2 * networks) for a in (1, 2, 4)}
             for w in sorted({*averaging_widths, width})}
    res["averaging_by_width"] = {str(w): {str(a): _summ(v, [depth]) for a, v in d.items()}
                                 for w, d in avg_w.items()}
    res["averaging_by_width_networks"] = 2 * networks
    figure_averaging_width(avg_w, outp / "walk_averaging_width.png")

    # 5. leaky-ReLU slope and branch weight (Fig. 1)
    slopes = {s: run(f"lrelu(slope={s})") for s in (0.0, 0.25, 0.5, 0.75, 1.0)}
    nus = {nu: run("relu", residual=nu) for nu in (0.25, 0.5, 0.75, 1.0)}
    res["lrelu_slope"] = {str(s): _summ(v, [depth]) for s, v in slopes.items()}
    res["branch_weight"] = {str(nu): _summ(v, [depth]) for nu, v in nus.items()}
    figure_transition(slopes, nus, outp / "walk_transition.png")

    # 6. linear network: band-limited at k <= l
    lin = run("identity", dtype="float64", depth=6)
    ratio = [float(lin.power[i, i + 1:].sum() / lin.power[i].sum()) for i in range(5)]
    res["linear_band_limit"] = {"power_fraction_above_l": ratio,
                                "centroid": _summ(lin)["centroid"]}

    # 7. aliasing: T = 100 against T = 200
    alias = {}
    for act in ("relu", "tanh"):
        a100, a200 = run(act, points=100), run(act, points=200)
        alias[act] = {"T100": _summ(a100, [1, depth // 2, depth]),
                      "T200": _summ(a200, [1, depth // 2, depth])}
    res["aliasing"] = alias

    # 8. branch/shortcut correlation by frequency (Fig. 6)
    corr = {act: run(act, norm="batch", inputs=32, residual=1.0, correlation_bins=10)
            for act in ("relu", "tanh", "softplus")}
    res["branch_correlation"] = {
        act: {"centres": np.round(v.correlation_centres, 2).tolist()
              if v.correlation_centres is not None else None,
              "corr": np.round(v.branch_correlation, 4).tolist()
              if v.branch_correlation is not None else None,
              "ci": np.round(v.branch_correlation_ci, 4).tolist()
              if v.branch_correlation_ci is not None else None}
        for act, v in corr.items()}
    figure_branch_correlation(corr, outp / "walk_branch_correlation.png")

    # 9. a loop's shifted second direction against an independent one (the engine's default
    # costs two matrix products per layer, the independent one three): same law per neuron
    eq: dict[str, Any] = {}
    for act, norm, b in (("relu", "none", inputs), ("tanh", "none", inputs),
                         ("relu", "batch", 32)):
        pair = {sec: run(act, norm=norm, inputs=b, second=sec)
                for sec in ("shifted", "independent")}
        z = (pair["shifted"].spectral_centroid - pair["independent"].spectral_centroid) \
            / np.hypot(pair["shifted"].spectral_centroid_se,
                       pair["independent"].spectral_centroid_se)
        eq[f"{act}, {norm}"] = {k: _summ(v) for k, v in pair.items()}
        eq[f"{act}, {norm}"]["centroid_z"] = np.round(z, 2).tolist()
    res["second_direction"] = eq
    res["seconds"] = round(time.time() - t0, 1)
    return res


def _ci(c: float, ci: Sequence[float], digits: int = 3) -> str:
    return f"{c:.{digits}f} [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def _at(s: dict[str, Any], layer: int, key: str = "centroid", digits: int = 3) -> str:
    """``s`` (a :func:`_summ` dict) at ``layer``: value with its interval, or ``-``."""
    i = s["layers"].index(layer)
    v, ci = s[key][i], s[key + "_ci"][i]
    return "-" if v is None else _ci(v, ci, digits)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *["| " + " | ".join(r) + " |" for r in rows], ""]


def measurements_markdown(res: dict[str, Any]) -> str:
    """The tables of docs/walks.md "Measurements", from :func:`measure_all`'s numbers (so that
    the document is regenerated, not transcribed).  ``cL`` is the centroid at layer ``L``."""
    st = res["settings"]
    depth = int(st["depth"])
    mid = depth // 2
    nets = int(st.get("networks", 1))
    units = (f"{nets} networks × {st['directions']} directions (intervals over networks)"
             if nets >= 2 else f"{st['directions']} directions of one network (intervals "
             "conditional on it)")
    out = [f"Settings: width {st['width']}, depth {depth}, T = 100, {units}, seed "
           f"{st['seed']}, relative radius 0.5, "
           f"B = {st['inputs']} inputs (B = 32 with BatchNorm), float32; 95 % jackknife "
           f"intervals; {res['seconds']} s.", ""]
    sl = res["segment_vs_loop"]
    out += ["Segments (the paper's method) against loops of the same radius (relu, no norm; "
            f"radius 1 is a relative radius of {sl['relative_radius_of_radius_1']:.4f} per "
            "layer):", ""]
    out += _table(["walk", "c1", f"c{depth}", "h (layer 1)", f"h (layer {depth})"],
                  [[k, _at(v, 1, digits=4), _at(v, depth, digits=4), _at(v, 1, "h"),
                    _at(v, depth, "h")] for k, v in sl.items() if isinstance(v, dict)])
    out += ["Activations (loops), Fig. 3a:", ""]
    out += _table(["activation, norm", "c1", f"c{mid}", f"c{depth}", f"h{depth}"],
                  [[k, _at(v, 1, digits=4), _at(v, mid), _at(v, depth), _at(v, depth, "h")]
                   for k, v in res["activations"].items()])
    lo = res["layer_only_derivative"]
    out += ["One layer moved (BatchNorm), centroid of the normalised `k²|z_k|²` at the last "
            "layer: " + ", ".join(f"{k.split('layer-only ')[1]}: "
                                  f"{v['derivative_centroid_last_layer']:.2f}"
                                  for k, v in lo.items()) + ".", ""]
    out += ["Residual connections (Fig. 5; BatchNorm, ν = 1):", ""]
    out += _table(["", f"c{mid}", f"c{depth}", f"h{depth}"],
                  [[k, _at(v, mid), _at(v, depth), _at(v, depth, "h")]
                   for k, v in res["residual"].items()])
    slopes = res["lrelu_slope"]
    out += [f"Leaky-ReLU slope and branch weight (Fig. 1; no norm, layer {depth}):", ""]
    out += _table(["lrelu slope α", *slopes], [[f"c{depth}", *[_at(v, depth)
                                                              for v in slopes.values()]]])
    nus = res["branch_weight"]
    out += _table(["residual ν (relu)", *nus], [[f"c{depth}", *[_at(v, depth)
                                                               for v in nus.values()]]])
    lin = res["linear_band_limit"]
    out += ["Linear network (identity, float64, depth 6): largest fraction of power above "
            f"`k = l` at layer `l`: {max(lin['power_fraction_above_l']):.1e}; centroids "
            + ", ".join(f"{c:.3f}" for c in lin["centroid"]) + ".", ""]
    avg = res["averaging"]
    out += [f"Feature averaging (Fig. 8 right; relu, BatchNorm, layer {depth}):", ""]
    out += _table(["a", *avg], [[f"c{depth}", *[_at(v, depth, digits=4)
                                                for v in avg.values()]]])
    aw = res.get("averaging_by_width")
    if aw:
        out += [f"... by width ({res['averaging_by_width_networks']} networks × "
                f"{st['directions']} directions each), c{depth}:", ""]
        a_s = list(next(iter(aw.values())))

        def change(d: dict[str, Any]) -> str:
            return f"{100 * (d[a_s[-1]]['centroid'][0] / d[a_s[0]]['centroid'][0] - 1):+.1f} %"

        out += _table(["width", *[f"a = {a}" for a in a_s], f"a = {a_s[-1]} vs a = {a_s[0]}"],
                      [[w, *[_at(d[a], depth) for a in a_s], change(d)]
                       for w, d in aw.items()])
    bc = res["branch_correlation"]
    centres = next(iter(bc.values()))["centres"]
    pick = [0, 1, 2, 4, len(centres) - 2, len(centres) - 1]
    half = max(hi - m for v in bc.values()
               for m, (_, hi) in zip(v["corr"], v["ci"], strict=True))
    out += ["Branch/shortcut correlation by frequency (Fig. 6; ν = 1, BatchNorm), mean |corr| "
            f"(largest 95 % half-interval {half:.4f}):", ""]
    out += _table(["bin centre", *[f"{centres[i]:.1f}" for i in pick]],
                  [[act, *[f"{v['corr'][i]:.3f}" for i in pick]] for act, v in bc.items()])
    th = res["theory"]
    out += ["Measured against the theory (per layer 1..L: TV distance, its sampling floor, "
            "centroid z):", ""]
    out += _table(["activation, norm", "TV", "TV floor", "max abs z", f"c{depth} measured",
                   f"c{depth} predicted"],
                  [[k, f"{min(v['tv']):.4f}–{max(v['tv']):.4f}",
                    f"{min(v['tv_noise']):.4f}–{max(v['tv_noise']):.4f}",
                    f"{max(abs(z) for z in v['centroid_z']):.1f}",
                    f"{res['activations'][k]['centroid'][-1]:.3f}",
                    f"{v['predicted_centroid'][-1]:.3f}"] for k, v in th.items()])
    al = res["aliasing"]
    out += ["Aliasing: T = 100 against T = 200 (loop, R = 0.5, no norm):", ""]
    rows = []
    for act, v in al.items():
        for tk in ("T100", "T200"):
            s = v[tk]
            rows.append([f"{act} {tk[0]}={tk[1:]}", _at(s, 1, digits=4), _at(s, mid, digits=4),
                         _at(s, depth, digits=4), _at(s, mid, "h"), _at(s, depth, "h")])
    out += _table(["", "c1", f"c{mid}", f"c{depth}", f"h{mid}", f"h{depth}"], rows)
    sd = res.get("second_direction")
    if sd:
        out += ["A loop's second direction, shifted (default) against independent: centroid "
                "z = (shifted − independent)/combined s.e. per layer:", ""]
        out += _table(["activation, norm", f"c{depth} shifted", f"c{depth} independent",
                       "z per layer (1..L)", "max abs z"],
                      [[k, _at(v["shifted"], depth), _at(v["independent"], depth),
                        " ".join(f"{z:+.2f}" for z in v["centroid_z"]),
                        f"{max(abs(z) for z in v['centroid_z']):.2f}"] for k, v in sd.items()])
    return "\n".join(out)
