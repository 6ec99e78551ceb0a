"""``ringing simulate correlation | jacobian | nlc`` (seed 002 §2.2, §4.1; seed 004 §3, §5, §G)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from ringing.checks import non_negative_float, non_negative_int, positive_int
from ringing.cli_support import add_json_flag, add_rng_flag, arg_type

GROUP = "simulate"


_positive_int = arg_type(positive_int)
_nonneg_int = arg_type(non_negative_int)
_nonneg_float = arg_type(non_negative_float, "--resnet-sigma")


def _size(text: str) -> int:
    from ringing.simulate.budget import parse_size

    return parse_size(text, "--max-memory")


_MAX_MEMORY_HELP = ("memory this run may use, e.g. 8G or 500M (default: half the memory "
                    "available); a run estimated to need more is refused before it allocates")


def _check_budget(args: argparse.Namespace, *, width: int, depth: int, d_in: int, d_out: int,
                  rows: int, keep: bool, passes: float, what: str,
                  extra: dict[str, float] | None = None,
                  extra_params: dict[str, tuple[str, ...]] | None = None) -> None:
    """Refuse, before anything is allocated, a run that does not fit (simulate/budget.py)."""
    import torch

    from ringing.simulate.budget import available_memory, check, mlp_estimate
    from ringing.simulate.common import resolve_device

    device = resolve_device(args.device)
    itemsize = torch.finfo(getattr(torch, args.dtype)).bits // 8
    est = mlp_estimate(width=width, depth=depth, d_in=d_in, d_out=d_out, rows=rows,
                       itemsize=itemsize, weights=args.weights, keep=keep, passes=passes,
                       extra=extra, extra_params=extra_params, what=what,
                       available=available_memory(device)[0])
    check(est, args.max_memory, device)


def _common(p: argparse.ArgumentParser, *, norms: tuple[str, ...], default_norm: str) -> None:
    p.add_argument("activation", metavar="ACT", help="activation spec (registry)")
    p.add_argument("--width", type=int, required=True, help="hidden width N")
    p.add_argument("--depth", type=int, required=True, help="number of linear layers L")
    p.add_argument("--sigma-w", type=float, default=1.0, help="weight std σ_w (default 1)")
    p.add_argument("--sigma-b", type=float, default=0.0, help="bias std σ_b (default 0)")
    p.add_argument("--norm", choices=norms, default=default_norm)
    p.add_argument("--weights", choices=("gaussian", "orthogonal"), default="gaussian")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="first seed (default 0)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--max-memory", type=_size, default=None, metavar="SIZE",
                   help=_MAX_MEMORY_HELP)
    add_rng_flag(p)
    add_json_flag(p)


def _config(args: argparse.Namespace, **extra: Any) -> Any:
    from ringing.simulate.networks import NetworkConfig

    return NetworkConfig(width=args.width, depth=args.depth, activation=args.activation,
                         sigma_w=args.sigma_w, sigma_b=args.sigma_b, norm=args.norm,
                         weights=args.weights, **extra)


def _fmt_row(values: Any) -> str:
    return " ".join(f"{v:9.5f}" for v in values)


def _correlation(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.common import resolve_device
    from ringing.simulate.data import check_rho0
    from ringing.simulate.measure import measure_correlations
    from ringing.validate.compare import theory_correlations

    resolve_device(args.device)
    rho0 = check_rho0(args.rho0)
    resnet = getattr(args, "resnet_sigma", None)
    _check_budget(args, width=args.width, depth=args.depth * (1 if resnet is None else 2),
                  d_in=args.width, d_out=args.width, rows=2 * rho0.size * args.pairs,
                  keep=False, passes=args.samples,
                  what=f"simulate correlation (width {args.width}, depth {args.depth})")
    cfg = (_config(args) if resnet is None else
           _config(args, architecture="resnet", resnet_sigma=resnet, in_dim=args.width,
                   out_dim=args.width))
    seeds = range(args.seed, args.seed + args.samples)
    res = measure_correlations(cfg, rho0, seeds=seeds, n_pairs=args.pairs, device=args.device,
                               dtype=args.dtype, generator_device=args.rng)
    theory: Any = None
    note = None
    if cfg.norm == "layer" or cfg.architecture == "resnet":
        theory = theory_correlations(cfg, rho0)
    else:
        note = (f"no correlation-map theory for norm={cfg.norm!r}: seed 002 eq 2.3 holds "
                "for LayerNorm networks")
    payload: dict[str, Any] = {
        "activation": cfg.activations[-1].name if cfg.activations[-1] else "identity",
        "width": cfg.width, "depth": cfg.depth, "sigma_w": cfg.sigma_w,
        "sigma_b": cfg.sigma_b, "norm": cfg.norm, "weights": cfg.weights,
        "architecture": cfg.architecture,
        "resnet_sigma": cfg.resnet_sigma if cfg.architecture == "resnet" else None,
        "samples": args.samples, "seeds": list(seeds), "generator_device": args.rng,
        "rho0": rho0, "empirical": res.mean, "stderr": res.stderr, "theory": theory,
    }
    if note:
        payload["theory_note"] = note
    lines = [f"rho_l per layer l = 0..{cfg.depth} (mean over {args.samples} seeds; "
             "theory below each row)"]
    for r in range(rho0.size):
        lines.append(f"rho0={rho0[r]:+.3f}  emp    {_fmt_row(res.mean[r])}")
        lines.append(f"{'':12s}  stderr {_fmt_row(res.stderr[r])}")
        if theory is not None:
            lines.append(f"{'':12s}  theory {_fmt_row(theory[r])}")
    args.table_text = "\n".join(lines)
    return payload


def _jacobian(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.common import resolve_device
    from ringing.simulate.measure import gradient_norms, measure_jacobian
    from ringing.validate.compare import theory_composed_derivative

    resolve_device(args.device)
    _check_budget(args, width=args.width, depth=args.depth, d_in=args.width, d_out=args.width,
                  rows=args.inputs * max(args.probes, 1), keep=True,
                  passes=args.samples * (2 * args.iters + 2 * args.probes + 2),
                  what=f"simulate jacobian (width {args.width}, depth {args.depth})")
    cfg = _config(args)
    seeds = range(args.seed, args.seed + args.samples)
    res = measure_jacobian(cfg, seeds=seeds, n_inputs=args.inputs, n_iter=args.iters,
                           n_probes=args.probes, device=args.device, dtype=args.dtype,
                           generator_device=args.rng)
    gm, ge = gradient_norms(cfg, seeds=seeds, n_inputs=args.inputs, device=args.device,
                            dtype=args.dtype, generator_device=args.rng)
    chi: float | None = None
    if cfg.norm == "layer":
        chi = theory_composed_derivative(cfg)
    payload: dict[str, Any] = {
        "activation": cfg.activations[-1].name if cfg.activations[-1] else "identity",
        "width": cfg.width, "depth": cfg.depth, "sigma_w": cfg.sigma_w, "sigma_b": cfg.sigma_b,
        "norm": cfg.norm, "samples": args.samples, "generator_device": args.rng,
        "op_norm": res.op_norm, "op_norm_stderr": res.op_norm_stderr,
        "op_norm_per_seed": res.op_norm_per_seed,
        "frobenius_rms": res.frobenius_rms, "frobenius_rms_stderr": res.frobenius_rms_stderr,
        "frobenius_rms_per_seed": res.frobenius_rms_per_seed,
        "power_iterations": res.iterations,
        "theory_composed_derivative": chi,
        "theory_frobenius_rms": None if chi is None else math.sqrt(chi),
        "gradient_norms": gm, "gradient_norms_stderr": ge,
    }
    if chi is None:
        payload["theory_note"] = "(P_L∘…∘P_1)'(1) is the LayerNorm theory (seed 002 eq 2.3)"
    args.table_text = "\n".join([
        f"operator norm (RMS)   {res.op_norm:.6g} ± {res.op_norm_stderr:.2g}",
        f"Frobenius/sqrt(d_out) {res.frobenius_rms:.6g} ± {res.frobenius_rms_stderr:.2g}",
        f"theory sqrt((P_L..P_1)'(1)) "
        f"{'-' if chi is None else format(math.sqrt(chi), '.6g')}",
        "gradient norms per layer " + " ".join(f"{v:.4g}" for v in gm),
    ])
    return payload


def _nlc(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.common import default_dtype, resolve_device
    from ringing.simulate.data import load_dataset
    from ringing.simulate.measure import measure_nlc
    from ringing.simulate.networks import NetworkConfig
    from ringing.theory.nlc import nlc_tau

    dev = resolve_device(args.device)
    if args.dtype == "auto":
        args.dtype = default_dtype(dev, "nlc")
    in_dim = args.in_dim or args.width
    _check_budget(args, width=args.width, depth=args.depth, d_in=in_dim,
                  d_out=max(args.out_dim or 10, 10), rows=min(args.batch_size, args.n_data),
                  keep=True, passes=args.seeds * (args.n_data / max(args.batch_size, 1)
                                                  + 2 * args.probe_batches),
                  extra={"data": 24.0 * args.n_data * in_dim},
                  extra_params={"data": ("n_data", "in_dim")},
                  what=f"simulate nlc (width {args.width}, depth {args.depth}, "
                  f"{args.n_data} x {in_dim} data)")
    NetworkConfig(width=args.width, depth=args.depth, activation=args.activation)  # validates
    data = load_dataset(args.data, n=args.n_data, dim=args.in_dim or args.width, seed=args.seed)
    out_dim = args.out_dim or (data.n_classes if data.n_classes > 1 else 10)
    cfg = NetworkConfig(width=args.width, depth=args.depth, activation=args.activation,
                        sigma_w=args.sigma_w, sigma_b=args.sigma_b, norm=args.norm,
                        weights=args.weights, in_dim=data.x.shape[1], out_dim=out_dim,
                        final_norm=False)
    seeds = range(args.seed, args.seed + args.seeds)
    res = measure_nlc(cfg, data, seeds=seeds, batch_size=args.batch_size,
                      n_probe_batches=args.probe_batches, device=args.device, dtype=args.dtype,
                      generator_device=args.rng)
    tau = nlc_tau(cfg.activations[-1] if cfg.activations[-1] is not None else "identity")
    pred = tau ** (cfg.depth - 1)
    payload: dict[str, Any] = {
        "activation": args.activation, "depth": cfg.depth, "width": cfg.width,
        "norm": cfg.norm, "data": data.name, "n_data": int(data.x.shape[0]),
        "in_dim": cfg.d_in, "out_dim": cfg.d_out, "seeds": list(seeds), "dtype": args.dtype,
        "generator_device": args.rng, **res,
        "nlc_tau": tau, "nlc_tau_prediction": pred,
        "ratio_to_prediction": res["nlc"] / pred,
    }
    args.table_text = "\n".join([
        f"NLC (median of {args.seeds})  {res['nlc']:.6g}   mean {res['nlc_mean']:.6g} ± "
        f"{res['nlc_stderr']:.2g}",
        f"NLC_tau(1)^(depth-1)     {pred:.6g}   (NLC_tau(1) = {tau:.6g})",
        "per seed " + " ".join(f"{v:.5g}" for v in res["nlc_per_seed"]),
        f"output bias (median)     {res['output_bias']:.4g}",
    ])
    return payload


def register(subparsers: Any) -> None:
    """Add ``correlation``, ``jacobian`` and ``nlc`` to ``ringing simulate``."""
    p = subparsers.add_parser("correlation", help="empirical ρ_l(ρ_0) against the theory's "
                              "composed correlation map (seed 002 eq 2.3)")
    _common(p, norms=("layer", "batch", "none"), default_norm="layer")
    p.add_argument("--rho0", type=float, nargs="+", required=True, help="input correlations")
    p.add_argument("--samples", type=_positive_int, default=8, help="networks (seeds)")
    p.add_argument("--pairs", type=_positive_int, default=1, help="input pairs per ρ_0 and seed")
    p.add_argument("--resnet-sigma", type=_nonneg_float, default=None, metavar="S",
                   help="a residual network of --depth blocks z + V·φ(LN(U z)) with branch std "
                        "S (seed 002 §3; theory: eq A.10) instead of an MLP")
    p.set_defaults(func=_correlation)

    p = subparsers.add_parser("jacobian", help="Jacobian operator/Frobenius norms and "
                              "per-layer gradient norms (seed 002 Fig. 3)")
    _common(p, norms=("layer", "none"), default_norm="layer")
    p.add_argument("--samples", type=_positive_int, default=4, help="networks (seeds)")
    p.add_argument("--inputs", type=_positive_int, default=2, help="inputs per network")
    p.add_argument("--iters", type=_positive_int, default=50, help="power iterations (max)")
    p.add_argument("--probes", type=_positive_int, default=8, help="Gaussian probes")
    p.set_defaults(func=_jacobian)

    p = subparsers.add_parser("nlc", help="empirical NLC (seed 004 Def. 1, §G) against "
                              "NLC_τ(1)^(depth-1)")
    p.add_argument("activation", metavar="ACT", help="activation spec (registry)")
    p.add_argument("--depth", type=int, required=True, help="linear layers (depth 2 = one τ)")
    p.add_argument("--width", type=int, required=True, help="hidden width")
    p.add_argument("--norm", choices=("batch", "layer", "none"), default="batch")
    p.add_argument("--data", choices=("gaussian", "waveform", "digits"), default="gaussian")
    p.add_argument("--seeds", type=_positive_int, default=10, help="initialisations")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="first seed")
    p.add_argument("--n-data", type=_positive_int, default=2000,
                   help="samples for gaussian/waveform data")
    p.add_argument("--in-dim", type=_positive_int, default=None,
                   help="gaussian data dimension (default: width)")
    p.add_argument("--out-dim", type=_positive_int, default=None,
                   help="output width (default: classes, 10 for gaussian)")
    p.add_argument("--batch-size", type=_positive_int, default=250)
    p.add_argument("--probe-batches", type=_positive_int, default=20)
    p.add_argument("--sigma-w", type=float, default=math.sqrt(2.0))
    p.add_argument("--sigma-b", type=float, default=0.0)
    p.add_argument("--weights", choices=("gaussian", "orthogonal"), default="gaussian")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument("--dtype", choices=("auto", "float32", "float64"), default="auto",
                   help="auto (default): float64 on the CPU, float32 on a GPU (the probe error "
                   "~1e-3 is far above float32 rounding; docs/simulate.md)")
    p.add_argument("--max-memory", type=_size, default=None, metavar="SIZE",
                   help=_MAX_MEMORY_HELP)
    add_rng_flag(p)
    add_json_flag(p)
    p.set_defaults(func=_nlc)

