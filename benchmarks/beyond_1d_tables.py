"""Markdown tables for docs/training_beyond_1d.md from the JSON the commands wrote.

Usage: ``python benchmarks/beyond_1d_tables.py benchmarks/results/beyond_1d`` (a folder with
``perturbation.json``, ``manifold.json``, ``manifold_classify.json``, ``digits_noise.json``,
``digits_noise_standardized.json`` (optional), ``weighted_loss.json``, ``info_plane.json``,
``pc_mlp.json``, ``pc_cnn.json`` from
``ringing simulate ... --json`` and ``timings.txt``).  Prints Markdown on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _f(v: Any, d: int = 3) -> str:
    return "—" if v is None else f"{float(v):.{d}f}"


def _ci(m: Any, lo: Any, hi: Any, d: int = 2) -> str:
    return f"{_f(m, d)} [{_f(lo, d)}, {_f(hi, d)}]"


def perturbation(d: dict[str, Any]) -> str:
    head = ["δ", "δ / RMS hidden weight",
            "Spearman(k, ·) [95% CI] of: complex change E|c'_k − c_k|/|c_k|",
            "magnitude change E||c'_k| − |c_k||/|c_k|",
            "**magnitude loss 1 − E|c'_k|/|c_k| (Fig 3)**", "S/N paired", "S/N independent"]
    rows = ["| " + " | ".join(h.replace("|", "\\|") for h in head) + " |",
            "|---|---|---|---|---|---|---|"]
    hidden = sum(d["parameter_rms"][1:-1]) / max(len(d["parameter_rms"]) - 2, 1)
    for a, m, b, sp, si in zip(d["rank_correlation"], d["magnitude_change_rank_correlation"],
                               d["magnitude_decay_rank_correlation"],
                               d["signal_to_noise_paired"], d["signal_to_noise_independent"],
                               strict=True):
        rows.append(f"| {a['size']:g} | {a['size'] / hidden:.3f} | "
                    f"{_ci(a['mean'], a['lo'], a['hi'])} | {_ci(m['mean'], m['lo'], m['hi'])} | "
                    f"{_ci(b['mean'], b['lo'], b['hi'])} | {_f(sp, 1)} | {_f(si, 2)} |")
    k = d["frequencies"]
    rows += ["", "| δ, measure (mean over seeds) | " + " | ".join(f"k={v:g}" for v in k) + " |",
             "|---|" + "---|" * len(k)]
    rows.append("| \\|c_k\\| (trained) | "
                + " | ".join(_f(v) for v in d["coefficient_magnitude_mean"]) + " |")
    for i, s in enumerate(d["sizes"]):
        for key, name in (("absolute_change_mean", "E|Δc_k| (abs. change)"),
                          ("relative_change_mean", "E|Δc_k|/|c_k|"),
                          ("magnitude_change_mean", "E||c'_k|−|c_k||/|c_k|"),
                          ("magnitude_ratio_mean", "E|c'_k|/|c_k| (Fig 3)"),
                          ("coherent_ratio_mean", "Re(E c'_k c̄_k)/|c_k|²")):
            digits = 4 if s < 0.003 else 3
            name = name.replace("|", "\\|")
            rows.append(f"| {s:g}: {name} | " + " | ".join(_f(v, digits) for v in d[key][i])
                        + " |")
    lip, spec = d["lipschitz_measured_mean"], d["bound_spectral_mean"]
    mx, th = d["bound_max_norm_mean"], d["bound_theta_mean"]
    rows += ["", "| step | exact Lipschitz | Π‖W_l‖₂ | Π√(n n')‖W_l‖max | ‖θ‖∞^L √d Π n_l |",
             "|---|---|---|---|---|"]
    for i in sorted({0, len(lip) // 2, len(lip) - 1}):
        rows.append(f"| {d['steps'][i]} | {lip[i]:.4g} | {spec[i]:.4g} | {mx[i]:.4g} | "
                    f"{th[i]:.4g} |")
    return "\n".join(rows)


def manifold(d: dict[str, Any]) -> str:
    pet = d["petals"]
    rows = ["| k | " + " | ".join(f"Δ_F, L={p}" for p in pet) + " | Spearman(L, Δ_F) [95% CI] |",
            "|---|" + "---|" * (len(pet) + 1)]
    for i, k in enumerate(d["frequencies"]):
        lo = d["petal_rank_correlation_lo"]
        hi = d["petal_rank_correlation_hi"]
        rows.append(f"| {k:g} | " + " | ".join(_f(d["final_delta_mean"][j][i])
                                                for j in range(len(pet)))
                    + f" | {_ci(d['petal_rank_correlation_mean'][i], lo and lo[i], hi and hi[i])}"
                    " |")
    rows.append("| MSE | " + " | ".join(_ci(m, lo, hi, 3) for m, lo, hi in
                                         zip(d["final_mse_mean"], d["final_mse_lo"],
                                             d["final_mse_hi"], strict=True)) + " | |")
    rows.append("| input ‖k‖ needed for k = 40 (App. C.7) | "
                + " | ".join(_f(r[-1], 2) for r in d["input_frequency_needed"]) + " | |")
    if d.get("input_radius_90"):
        r = d["input_radius_90"]
        rows.append("| measured: input frequency holding 90 % of the network's power | "
                    + " | ".join(_ci(m, lo, hi) for m, lo, hi in
                                 zip(r["mean"], r["lo"], r["hi"], strict=True)) + " | |")
    return "\n".join(rows)


def manifold_classify(d: dict[str, Any]) -> str:
    pet = d["petals"]
    rows = ["| k | " + " | ".join(f"L={p}" for p in pet) + " |", "|---|" + "---|" * len(pet)]
    for i, k in enumerate(d["frequencies"]):
        rows.append(f"| {k:g} | " + " | ".join(
            f"{_f(d['accuracy_mean'][i][j])} [{_f(d['accuracy_lo'][i][j])}, "
            f"{_f(d['accuracy_hi'][i][j])}]" for j in range(len(pet))) + " |")
    p = d["petal_rank_correlation_pooled"]
    rows.append("")
    rows.append(f"Spearman(L, accuracy), averaged over the frequencies where some L is below "
                f"100 %, over seeds: {_ci(p['mean'], p['lo'], p['hi'])} (min {_f(p['min'], 2)}, "
                f"max {_f(p['max'], 2)}).")
    return "\n".join(rows)


def digits_noise(d: dict[str, Any]) -> str:
    wave = "standardised wave (ablation)" if d["config"]["standardize"] else "raw wave sin(k‖x‖)"
    rows = [f"{wave}; the label's data frequency (10-NN Dirichlet ratio): "
            f"{d['label_graph_energy']:.3f}", "",
            "| k | radial oscillations across the data | noise's data frequency | offset share "
            "of the raw wave | β | best val. MSE [95% CI] | final val. MSE | "
            "**dip depth** [95% CI] | half-rise step [95% CI] |",
            "|---|---|---|---|---|---|---|---|---|"]
    for i, k in enumerate(d["noise_frequencies"]):
        for j, b in enumerate(d["amplitudes"]):
            rows.append(f"| {k:g} | {d['oscillations'][i]:.2f} | "
                        f"{d['noise_graph_energy'][i]:.3f} | {d['noise_offset_share'][i]:.3f} | "
                        f"{b:g} | "
                        f"{_ci(d['best_val_mean'][i][j], d['best_val_lo'][i][j], d['best_val_hi'][i][j], 4)} | "  # noqa: E501
                        f"{_f(d['final_val_mean'][i][j], 4)} | "
                        f"{_ci(d['dip_depth_mean'][i][j], d['dip_depth_lo'][i][j], d['dip_depth_hi'][i][j], 3)} | "  # noqa: E501
                        f"{_ci(d['half_rise_step_mean'][i][j], d['half_rise_step_lo'][i][j], d['half_rise_step_hi'][i][j], 0)} |")  # noqa: E501
    rows.append("")
    rows.append("Spearman(k, dip depth) over seeds: " + "; ".join(
        f"β = {b:g}: " + ("—" if r is None else _ci(r["mean"], r["lo"], r["hi"]))
        for b, r in zip(d["amplitudes"], d["depth_rank_correlation"], strict=True)) + ".")
    return "\n".join(rows)


def learned(d: dict[str, Any], peaks: list[float], title: str) -> str:
    rows = [f"| {title} | " + " | ".join(f"γ={p:g}" for p in peaks)
            + " | Spearman(γ, learned step) [95% CI] | Spearman(γ, Δ_F) over the run [95% CI] |",
            "|---|" + "---|" * (len(peaks) + 2)]
    return "\n".join(rows)


def _learned_row(name: str, r: dict[str, Any]) -> str:
    rc, oc = r["rank_correlation"], r["order_correlation"]
    med = r.get("learned_step_median")
    return (f"| {name} | " + " | ".join("never" if v is None else f"{v:g}" for v in med)
            + f" | {_ci(rc['mean'], rc['lo'], rc['hi'])} | {_ci(oc['mean'], oc['lo'], oc['hi'])} |")


def weighted_loss(d: dict[str, Any]) -> str:
    out = [learned(d, d["peaks"], "w(γ), learned step (median)")]
    out += [_learned_row(f"w = {r['weight']}", r) for r in d["results"]]
    return "\n".join(out)


def pc(ds: list[tuple[str, dict[str, Any]]]) -> str:
    out = []
    for name, d in ds:
        out.append(f"{name}: peaks {d['peaks']}, final training MSE {d['final_train_loss']:.3f}")
        out.append("")
        out.append(learned(d, d["peaks"], "network, learned step (median)"))
        out.append(_learned_row(name, d))
        out.append("")
    return "\n".join(out)


def info_plane(d: dict[str, Any]) -> str:
    rows = [f"I(f0_b) = {d['entropy_f0']:.3f} bits", "",
            "| α | I(Y_b) | peak I(T_b) | final I(T_b) | compression [95% CI] | final MSE |",
            "|---|---|---|---|---|---|"]
    for i, a in enumerate(d["alphas"]):
        rows.append(f"| {a:g} | {d['entropy_y'][i]:.3f} | {d['peak_entropy_t_mean'][i]:.3f} | "
                    f"{d['final_entropy_t_mean'][i]:.3f} | "
                    f"{_ci(d['compression_mean'][i], d['compression_lo'][i], d['compression_hi'][i], 3)} | "  # noqa: E501
                    f"{d['final_train_loss'][i]:.2g} |")
    return "\n".join(rows)


def main(folder: str) -> None:
    p = Path(folder)

    def load(n: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads((p / f"{n}.json").read_text())
        return result

    print("### Timings\n\n```\n" + (p / "timings.txt").read_text() + "```\n")
    print("### Perturbation\n\n" + perturbation(load("perturbation")) + "\n")
    print("### Experiment 5\n\n" + manifold(load("manifold")) + "\n")
    print("### Experiment 6\n\n" + manifold_classify(load("manifold_classify")) + "\n")
    print("### Experiment 3 on digits\n\n" + digits_noise(load("digits_noise")) + "\n")
    if (p / "digits_noise_standardized.json").exists():
        print(digits_noise(load("digits_noise_standardized")) + "\n")
    print("### Weighted loss\n\n" + weighted_loss(load("weighted_loss")) + "\n")
    print("### Information plane\n\n" + info_plane(load("info_plane")) + "\n")
    print("### First principal component\n\n"
          + pc([("MLP", load("pc_mlp")), ("CNN", load("pc_cnn"))]) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/beyond_1d")
