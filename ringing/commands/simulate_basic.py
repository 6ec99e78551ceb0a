"""``ringing simulate correlation | jacobian | nlc`` (seed 002 §2.2, §4.1; seed 004 §3, §5, §G)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from ringing.checks import non_negative_float, non_negative_int, positive_int
from ringing.cli_support import (
    DEPTH_HELP,
    DEVICE_HELP,
    DTYPE_HELP,
    SIGMA_W_HELP,
    add_activation,
    add_alias,
    add_json_flag,
    add_norm,
    add_rng_flag,
    add_seeds,
    arg_type,
    check_norm,
    default_sigma_w,
)
from ringing.papers import cite

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


def _common(p: argparse.ArgumentParser, *, norms: tuple[str, ...], default_norm: str,
            seeds: int) -> None:
    add_activation(p)
    p.add_argument("--width", type=int, required=True, help="hidden width N")
    p.add_argument("--depth", type=int, required=True,
                   help=DEPTH_HELP + "; the network is that of "
                   + cite("Gradient explosion", "eq 2.1") + ": a linear embedding layer, then "
                   "L layers applying ACT (L + 1 weight matrices)")
    p.add_argument("--sigma-w", type=float, default=None, help=SIGMA_W_HELP)
    p.add_argument("--sigma-b", type=float, default=0.0, help="bias std σ_b")
    add_norm(p, default_norm, supported=norms)
    p.add_argument("--weights", choices=("gaussian", "orthogonal"), default="gaussian",
                   help="weight distribution: i.i.d. Gaussian, or a scaled orthogonal matrix "
                   "(" + cite("NLC", "App. C") + ")")
    add_seeds(p, seeds, _positive_int)
    add_alias(p, "--samples", "seeds", type=_positive_int,
              note="is an old spelling of --seeds (the number of networks) here")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="first seed S")
    p.add_argument("--device", default="auto", help=DEVICE_HELP)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help=DTYPE_HELP)
    p.add_argument("--max-memory", type=_size, default=None, metavar="SIZE",
                   help=_MAX_MEMORY_HELP)
    add_rng_flag(p)
    add_json_flag(p)


def _prepare(args: argparse.Namespace) -> int:
    """Check the flags every handler shares and resolve the default σ_w; returns the number
    of linear layers of the MLP (``--depth`` counts the layers applying ACT; the first linear
    layer is the embedding φ_1(x) = x of seed 002 eq 2.1)."""
    check_norm(args)
    if args.depth < 1:
        raise ValueError(f"depth={args.depth} must be at least 1")
    if args.sigma_w is None:
        args.sigma_w = default_sigma_w(args.activation, args.norm)
    return int(args.depth) + 1


def _config(args: argparse.Namespace, **extra: Any) -> Any:
    from ringing.simulate.networks import NetworkConfig

    # a resnet counts its blocks (each applies ACT once); an MLP gets the embedding layer
    depth = args.depth if extra.get("architecture") == "resnet" else args.depth + 1
    return NetworkConfig(width=args.width, depth=depth, activation=args.activation,
                         sigma_w=args.sigma_w, sigma_b=args.sigma_b, norm=args.norm,
                         weights=args.weights, **extra)


def _fmt_row(values: Any) -> str:
    return " ".join(f"{v:9.5f}" for v in values)


def _layer_labels(n: int, embedding: bool) -> str:
    labels = ["in"] + (["emb"] if embedding else []) + [str(i) for i in range(1, n + 1)]
    return " ".join(f"{lab:>9}" for lab in labels)


def _correlation(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.common import resolve_device
    from ringing.simulate.data import check_rho0
    from ringing.simulate.measure import measure_correlations
    from ringing.validate.compare import theory_correlations

    linear = _prepare(args)
    resolve_device(args.device)
    rho0 = check_rho0(args.rho0)
    resnet = getattr(args, "resnet_sigma", None)
    _check_budget(args, width=args.width, depth=linear if resnet is None else 2 * args.depth,
                  d_in=args.width, d_out=args.width, rows=2 * rho0.size * args.pairs,
                  keep=False, passes=args.seeds,
                  what=f"simulate correlation (width {args.width}, depth {args.depth})")
    cfg = (_config(args) if resnet is None else
           _config(args, architecture="resnet", resnet_sigma=resnet, in_dim=args.width,
                   out_dim=args.width))
    seeds = range(args.seed, args.seed + args.seeds)
    res = measure_correlations(cfg, rho0, seeds=seeds, n_pairs=args.pairs, device=args.device,
                               dtype=args.dtype, generator_device=args.rng)
    theory: Any = None
    note = None
    if cfg.norm == "layer" or cfg.architecture == "resnet":
        theory = theory_correlations(cfg, rho0)
    else:
        note = (f"no correlation-map theory for norm={cfg.norm!r}: "
                f"{cite('Gradient explosion', 'eq 2.3')} holds for LayerNorm networks")
    embedding = cfg.architecture != "resnet"
    payload: dict[str, Any] = {
        "activation": cfg.activations[-1].name if cfg.activations[-1] else "identity",
        "width": cfg.width, "depth": args.depth, "linear_layers": cfg.depth,
        "sigma_w": cfg.sigma_w, "sigma_b": cfg.sigma_b, "norm": cfg.norm,
        "weights": cfg.weights, "architecture": cfg.architecture,
        "resnet_sigma": cfg.resnet_sigma if cfg.architecture == "resnet" else None,
        "seeds": list(seeds), "generator_device": args.rng,
        "rho0": rho0, "empirical": res.mean, "stderr": res.stderr, "theory": theory,
        "rho_final": res.mean[:, -1], "theory_final": None if theory is None else theory[:, -1],
    }
    if note:
        payload["theory_note"] = note
    what = (f"{args.depth} residual blocks" if not embedding else
            f"the embedding layer (emb) and {args.depth} layers applying {args.activation}")
    lines = [f"correlation ρ_l of two inputs through {what}: width {cfg.width}, "
             f"σ_w={cfg.sigma_w:.4g}, σ_b={cfg.sigma_b:.4g}, norm={cfg.norm}; mean ± stderr "
             f"over {args.seeds} networks; theory = `ringing correlation"
             + (" --embedding" if embedding else " --resnet-sigma S") + "`",
             f"{'':12s}  layer  {_layer_labels(args.depth, embedding)}"]
    for r in range(rho0.size):
        lines.append(f"rho0={rho0[r]:+.3f}  mean   {_fmt_row(res.mean[r])}")
        lines.append(f"{'':12s}  stderr {_fmt_row(res.stderr[r])}")
        if theory is not None:
            lines.append(f"{'':12s}  theory {_fmt_row(theory[r])}")
    if note:
        lines.append(f"theory: none ({note})")
    args.table_text = "\n".join(lines)
    return payload


def _jacobian(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.common import resolve_device
    from ringing.simulate.measure import gradient_norms, measure_jacobian
    from ringing.validate.compare import theory_composed_derivative

    linear = _prepare(args)
    resolve_device(args.device)
    _check_budget(args, width=args.width, depth=linear, d_in=args.width, d_out=args.width,
                  rows=args.inputs * max(args.probes, 1), keep=True,
                  passes=args.seeds * (2 * args.iters + 2 * args.probes + 2),
                  what=f"simulate jacobian (width {args.width}, depth {args.depth})")
    cfg = _config(args)
    seeds = range(args.seed, args.seed + args.seeds)
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
        "width": cfg.width, "depth": args.depth, "linear_layers": cfg.depth,
        "sigma_w": cfg.sigma_w, "sigma_b": cfg.sigma_b, "norm": cfg.norm, "seeds": list(seeds),
        "generator_device": args.rng,
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
        payload["theory_note"] = ("(P_L∘…∘P_1)'(1) is the LayerNorm theory ("
                                  + cite("Gradient explosion", "eq 2.3") + ")")
    th = "- (no theory without LayerNorm)" if chi is None else format(math.sqrt(chi), ".6g")
    args.table_text = "\n".join([
        f"input-output Jacobian of {args.activation}, width {cfg.width}, {args.depth} layers "
        f"applying ACT after the embedding; mean ± stderr over {args.seeds} networks",
        f"operator norm (RMS over inputs)        {res.op_norm:.6g} ± {res.op_norm_stderr:.2g}",
        f"Frobenius norm / sqrt(output width)    {res.frobenius_rms:.6g} ± "
        f"{res.frobenius_rms_stderr:.2g}",
        f"theory sqrt((P_L∘…∘P_1)'(1))           {th}",
        f"gradient norm per linear layer (emb, 1..{args.depth})  "
        + " ".join(f"{v:.4g}" for v in gm),
    ])
    return payload


def _nlc(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.common import default_dtype, resolve_device
    from ringing.simulate.data import load_dataset
    from ringing.simulate.measure import measure_nlc
    from ringing.simulate.networks import NetworkConfig
    from ringing.theory.nlc import nlc_tau

    linear = _prepare(args)
    dev = resolve_device(args.device)
    if args.dtype == "auto":
        args.dtype = default_dtype(dev, "nlc")
    in_dim = args.in_dim or args.width
    # the network's memory plan; a Gram chain holds no weights (blocks of 256 MB)
    _check_budget(args, width=min(args.width, 2 * args.batch_size) if args.gram_chain
                  else args.width, depth=linear, d_in=in_dim,
                  d_out=max(args.out_dim or 10, 10), rows=min(args.batch_size, args.samples),
                  keep=True, passes=args.seeds * (args.samples / max(args.batch_size, 1)
                                                  + 2 * args.probe_batches),
                  extra={"data": 24.0 * args.samples * in_dim},
                  extra_params={"data": ("samples", "in_dim")},
                  what=f"simulate nlc (width {args.width}, depth {args.depth}, "
                  f"{args.samples} x {in_dim} data)")
    NetworkConfig(width=args.width, depth=linear, activation=args.activation)  # validates
    if args.scale != "minibatch" and not args.gram_chain:
        raise ValueError("--scale applies to --gram-chain only")
    if args.gram_chain and (args.norm != "batch" or args.weights != "gaussian"):
        raise ValueError("--gram-chain is exact for batchnorm networks with Gaussian weights "
                         f"(got --norm {args.norm} --weights {args.weights})")
    data = load_dataset(args.data, n=args.samples, dim=args.in_dim or args.width, seed=args.seed)
    out_dim = args.out_dim or (data.n_classes if data.n_classes > 1 else 10)
    cfg = NetworkConfig(width=args.width, depth=linear, activation=args.activation,
                        sigma_w=args.sigma_w, sigma_b=args.sigma_b, norm=args.norm,
                        weights=args.weights, in_dim=data.x.shape[1], out_dim=out_dim,
                        final_norm=False)
    seeds = range(args.seed, args.seed + args.seeds)
    if args.gram_chain:
        res = _nlc_gram_chain(args, cfg, data.x)
    else:
        res = measure_nlc(cfg, data, seeds=seeds, batch_size=args.batch_size,
                          n_probe_batches=args.probe_batches, device=args.device,
                          dtype=args.dtype, generator_device=args.rng)
    tau = nlc_tau(cfg.activations[-1] if cfg.activations[-1] is not None else "identity")
    pred = tau ** args.depth
    payload: dict[str, Any] = {
        "activation": args.activation, "depth": args.depth, "linear_layers": cfg.depth,
        "width": cfg.width, "norm": cfg.norm, "sigma_w": cfg.sigma_w, "data": data.name,
        "samples": int(data.x.shape[0]),
        "in_dim": cfg.d_in, "out_dim": cfg.d_out, "seeds": list(seeds), "dtype": args.dtype,
        "generator_device": args.rng,
        **res,
        "nlc_tau": tau, "nlc_tau_prediction": pred,
        "ratio_to_prediction": res["nlc"] / pred,
    }
    how = (f"{args.seeds} Gram chains (exact in distribution, one minibatch of "
           f"{args.batch_size} each, scale={args.scale})" if args.gram_chain
           else f"{args.seeds} networks")
    args.table_text = "\n".join([
        f"NLC of {args.activation}: {args.depth} hidden layers, width {cfg.width}, "
        f"norm={cfg.norm}, {data.name} data ({int(data.x.shape[0])} points), {how}",
        f"measured NLC (median)       {res['nlc']:.6g}   (mean {res['nlc_mean']:.6g} ± "
        f"{res['nlc_stderr']:.2g})",
        f"predicted NLC_τ(1)^L        {pred:.6g}   (NLC_τ(1) = {tau:.6g}, L = {args.depth})",
        f"ratio measured/predicted    {res['nlc'] / pred:.4g}",
        "NLC per network             " + " ".join(f"{v:.5g}" for v in res["nlc_per_seed"]),
    ] + ([f"output bias (median)        {res['output_bias']:.4g}"]
         if "output_bias" in res else []))
    return payload


def _nlc_gram_chain(args: argparse.Namespace, cfg: Any, x: Any) -> dict[str, Any]:
    """``simulate nlc --gram-chain``: the batch-form NLC from the network's Gram chain
    (:func:`ringing.simulate.gram_chain.batchnorm_nlc_chain`), replicates = --seeds."""
    import numpy as np
    import torch

    from ringing.simulate.gram_chain import batchnorm_nlc_chain, random_minibatches

    g = torch.Generator().manual_seed(args.seed)
    xb = random_minibatches(x, args.batch_size, args.seeds, generator=g)
    r = batchnorm_nlc_chain(cfg, xb, replicates=args.seeds, scale=args.scale, generator=g,
                            dtype="float64" if args.dtype == "auto" else args.dtype,
                            device=args.device, show_progress=True)
    m, se = r.mean_stderr()
    return {"nlc": float(np.median(r.nlc)), "nlc_mean": m, "nlc_stderr": se,
            "nlc_per_seed": r.nlc.tolist(), "method": "gram chain", "scale": args.scale,
            "profile": r.profile.mean(axis=0).tolist(),
            "effective_rank": r.effective_rank.mean(axis=0).tolist()}


def register(subparsers: Any) -> None:
    """Add ``correlation``, ``jacobian`` and ``nlc`` to ``ringing simulate``."""
    ge = cite("Gradient explosion", "eq 2.1-2.3")
    p = subparsers.add_parser(
        "correlation", help=f"empirical ρ_l(ρ_0) against the composed correlation map ({ge})",
        description=f"Propagate pairs of inputs with correlation ρ_0 through wide random "
        f"LayerNorm MLPs ({ge}) and measure the correlation ρ_l at every layer, mean and "
        "standard error over independent networks, beside the theory's composed map "
        "P_l∘…∘P_1(ρ_0) (the same numbers as `ringing correlation --embedding`).",
        epilog="examples:\n"
               "  ringing simulate correlation relu --width 512 --depth 5 --rho0 0.2 0.8\n"
               "  ringing simulate correlation tanh --width 256 --depth 3 --rho0 0.5 "
               "--resnet-sigma 1 --json")
    _common(p, norms=("layer", "batch", "none"), default_norm="layer", seeds=8)
    p.add_argument("--rho0", type=float, nargs="+", required=True,
                   help="input correlation(s) ρ_0 in [-1, 1]")
    p.add_argument("--pairs", type=_positive_int, default=1,
                   help="input pairs per ρ_0 and network")
    p.add_argument("--resnet-sigma", type=_nonneg_float, default=None, metavar="S",
                   help="a residual network of --depth blocks z + V·φ(LN(U z)) with branch std "
                        "S (" + cite("Gradient explosion", "§3, eq A.10") + ") instead of an "
                        "MLP")
    p.set_defaults(func=_correlation)

    p = subparsers.add_parser(
        "jacobian", help="Jacobian operator/Frobenius norms and per-layer gradient norms "
                         f"({cite('Gradient explosion', 'Fig. 3')})",
        description="Measure the input-output Jacobian of wide random LayerNorm MLPs (operator "
        "norm by power iteration, Frobenius norm from Gaussian probes) and the gradient norm "
        "at every layer, beside the theory's sqrt((P_L∘…∘P_1)'(1)) ("
        + cite("Gradient explosion", "Theorem 1") + ").",
        epilog="examples:\n  ringing simulate jacobian tanh --width 256 --depth 10\n"
               "  ringing simulate jacobian relu --width 128 --depth 5 --seeds 8 --json")
    _common(p, norms=("layer", "none"), default_norm="layer", seeds=4)
    p.add_argument("--inputs", type=_positive_int, default=2, help="inputs per network")
    p.add_argument("--iters", type=_positive_int, default=50,
                   help="power iterations for the operator norm (at most)")
    p.add_argument("--probes", type=_positive_int, default=8,
                   help="Gaussian probe vectors for the Frobenius norm")
    p.set_defaults(func=_jacobian)

    nlc = cite("NLC", "Def. 1, §G")
    p = subparsers.add_parser(
        "nlc", help=f"empirical NLC ({nlc}) against NLC_τ(1)^L",
        description=f"Measure the nonlinearity coefficient ({nlc}) of wide random MLPs at "
        "initialisation (L hidden layers applying ACT, then a linear readout) on a data set, "
        "over independent networks, beside the prediction NLC_τ(1)^L.",
        epilog="examples:\n  ringing simulate nlc relu --depth 4 --width 256\n"
               "  ringing simulate nlc tanh --depth 10 --width 128 --data waveform --seeds 3 "
               "--json")
    add_activation(p)
    p.add_argument("--depth", type=int, required=True,
                   help=DEPTH_HELP + "; the network is L hidden layers and a linear readout "
                   "(the paper's depth L + 1)")
    p.add_argument("--width", type=int, required=True, help="hidden width N")
    add_norm(p, "batch")
    p.add_argument("--data", choices=("gaussian", "waveform", "digits"), default="gaussian",
                   help="data set: Gaussian inputs, waveform-noise (generated), or "
                        "scikit-learn's 8x8 digits")
    add_seeds(p, 10, _positive_int)
    p.add_argument("--seed", type=_nonneg_int, default=0, help="first seed S")
    p.add_argument("--samples", type=_positive_int, default=2000,
                   help="data points (gaussian and waveform data; digits has its own)")
    add_alias(p, "--n-data", "samples", type=_positive_int)
    p.add_argument("--in-dim", type=_positive_int, default=None,
                   help="gaussian data dimension (default: width)")
    p.add_argument("--out-dim", type=_positive_int, default=None,
                   help="output width (default: classes, 10 for gaussian)")
    p.add_argument("--batch-size", type=_positive_int, default=250,
                   help="minibatch size of the forward passes (BatchNorm statistics)")
    p.add_argument("--probe-batches", type=_positive_int, default=20,
                   help="minibatches of Gaussian probes for the Jacobian estimate")
    p.add_argument("--sigma-w", type=float, default=None, help=SIGMA_W_HELP)
    p.add_argument("--sigma-b", type=float, default=0.0, help="bias std σ_b")
    p.add_argument("--weights", choices=("gaussian", "orthogonal"), default="gaussian",
                   help="weight distribution: i.i.d. Gaussian, or a scaled orthogonal matrix "
                   "(" + cite("NLC", "App. C") + ")")
    p.add_argument("--device", default="auto", help=DEVICE_HELP)
    p.add_argument("--dtype", choices=("auto", "float32", "float64"), default="auto",
                   help="auto: float64 on the CPU, float32 on a GPU (the probe error ~1e-3 is "
                   "far above float32 rounding; docs/simulate.md)")
    p.add_argument("--max-memory", type=_size, default=None, metavar="SIZE",
                   help=_MAX_MEMORY_HELP)
    p.add_argument("--gram-chain", action="store_true",
                   help="measure on the network's Gram chain instead of its weights: the same "
                   "distribution for batchnorm networks with Gaussian weights, at "
                   "O(width·(2·batch)²) per layer, so widths of 1e4-1e5 are cheap "
                   "(docs/simulate.md); each seed is one chain on one random minibatch")
    p.add_argument("--scale", choices=("minibatch", "common"), default="minibatch",
                   help="with --gram-chain: each unit divided by its own minibatch spread "
                   "(batchnorm), or one common spread per layer (the idealisation behind "
                   "NLC_τ(1)^L; docs/design.md)")
    add_rng_flag(p)
    add_json_flag(p)
    p.set_defaults(func=_nlc)
