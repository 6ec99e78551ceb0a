"""The command line's vocabulary: one meaning for every flag word, and the page docs/cli.md.

:data:`GLOSSARY` gives each flag word its one meaning; the commands that take it and its old
spellings (hidden aliases) are read from the parser itself, so :func:`render` cannot drift
from the command line.  ``tests/test_cli_help.py`` checks that every flag of every command
is in the glossary and that docs/cli.md is what :func:`render` writes
(``python -m ringing.cli_glossary > docs/cli.md``).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

__all__ = ["GLOSSARY", "CONVENTIONS", "flag_table", "render"]

#: the vocabulary decisions that span many flags (printed at the top of docs/cli.md)
CONVENTIONS = """\
- **ACT**, the activation, is a positional argument everywhere (a registry name such as
  `relu`, a name with parameters such as `'lrelu(slope=0.2)'`, or an expression in `x`).
  Where a command has a default activation (the training commands) ACT may be left out.
  `--activation ACT` is an old spelling that still works.
- **--depth L** is the number of hidden layers that apply ACT.  A network's linear
  embedding layer (the first layer of the Gradient-explosion paper's networks, eq 2.1:
  φ_1(x) = x) and its linear readout (the NLC paper's networks, the training MLPs) are not
  counted: `ringing simulate nlc --depth L` has L + 1 weight matrices and is predicted by
  NLC_τ^L (the NLC paper calls it depth L + 1); `ringing correlation relu --depth L` and
  `ringing simulate correlation relu --depth L` report the same theory ρ_L (the simulated
  network has the embedding layer; with σ_b > 0 add `--embedding` to the theory command to
  include it).  ResNets count their blocks (`--resnet-sigma`) or their conventional depth
  6n+2 (the CNN zoo).  One exception remains: `ringing design`'s `nlc` target counts linear
  layers as the NLC paper does (L − 1 activations); its map targets count layers applying
  ACT.
- **--seeds N** is the number of independent networks (initialisations, training runs);
  **--seed S** is the first seed, so the networks use seeds S, S+1, ..., S+N-1.
  **--samples N** is the number of data points (inputs drawn or sampled) and nothing else;
  **--inputs N** is the number of inputs fed to each network by a measurement.
- **--sigma-w / --sigma-b** are the weight and bias standard deviations (W has variance
  σ_w²/fan-in).  The one default: σ_w = 1 in LayerNorm networks (the Gradient-explosion
  paper's setting, where the pre-activation variance is σ_w² + σ_b²), otherwise
  σ_w = 1/sqrt(E φ(z)²), z ~ N(0, 1), which keeps the pre-activation variance at 1
  (√2 for relu: He; the same value in `ringing blueshift` and `ringing simulate walk`,
  so theory and measurement agree by default).  σ_b defaults to 0.
- **--norm** always has the choices `layer | batch | none`; a command that lacks one
  refuses it with a one-line error.
- **--dtype** is float32 for the simulations, except `simulate nlc` (float64: the NLC is a
  ratio of small Jacobian differences); the theory commands compute in float64 or exact
  arithmetic.
- Defaults are shown in every command's `--help`; every command takes `--json`,
  `--threads` and `--progress/--no-progress`.
"""

#: each flag word's one meaning
GLOSSARY: dict[str, str] = {
    "--alphas": "quantisation steps α of the target α·Round(f0/α) (0: unquantised)",
    "--amplitudes": "amplitudes of the sine components (a profile, equal or rising, or the "
                    "values β)",
    "--approximation": "how the predicted spectra are computed (Hermite truncation, exact "
                       "kernel map, Chebyshev polynomial)",
    "--arch": "ResNet version (resnet_v1 post-activation, resnet_v2 pre-activation)",
    "--architectures": "number of random architectures sampled",
    "--average": "feature averaging factor A",
    "--basis": "basis of the printed polynomial coefficients (chebyshev or monomial)",
    "--batch-size": "minibatch size",
    "--bin-size": "bin width of the entropy estimates",
    "--channels": "convolution channels (Toy-CNN) or first-stage planes (ResNet)",
    "--choose": "which feasible solution an inequality target reports (max or min)",
    "--classes": "the digit classes used",
    "--compile": "run the training step through torch.compile (auto: on CUDA only)",
    "--coefficients": "monomial coefficients a_0 .. a_D of a polynomial",
    "--correlation-bins": "frequency bins of the branch/shortcut correlation",
    "--d": "fixed input scale d of c·ACT(d·x + t) + b when d is not free",
    "--data": "data set",
    "--data-path": "a local data file or directory (MNIST, CIFAR10)",
    "--degree": "polynomial degree D of a Hermite or Chebyshev series",
    "--denominator": "Theorem 2's denominator (as stated or as proved)",
    "--depth": "L, the number of hidden layers that apply ACT (see above)",
    "--depths": "several depths (ResNet depths 6n+2)",
    "--derivative": "use φ' instead of φ",
    "--device": "where torch runs: auto (CUDA when present), cpu or cuda",
    "--direction": "walk direction (random Gaussian, or the loss gradient)",
    "--directions": "random walk directions per network",
    "--draws": "random perturbations per size and network (antithetic pairs θ ± δθ)",
    "--dtype": "floating-point type of the simulated networks",
    "--embedding": "include the linear embedding layer φ_1(x) = x in the theory's layers",
    "--epochs": "training epochs",
    "--exact": "derive exact (sympy) expressions where they exist",
    "--executor": "where tasks run: a local process pool or Ray",
    "--figure": "also write the command's figure (PNG) to this path",
    "--figures": "also write the command's figures (PNGs) to this folder",
    "--fit": "polynomial fit (Chebyshev interpolation or least squares)",
    "--free": "the parameters an inverse design solves for",
    "--frequencies": "frequencies of the target (or of the labels)",
    "--gain": "weight scale σ_w of every convolution followed by an activation",
    "--gram-chain": "simulate a batchnorm network's minibatch Gram chain instead of its weights",
    "--grid": "number of grid points (least-squares points, scan points)",
    "--in-dim": "input width n_0",
    "--init": "convolution initialisation (He or delta-orthogonal)",
    "--init-std": "standard deviation of every initial parameter",
    "--input-scale": "input second moment |x|²/n_0",
    "--inputs": "inputs fed to each network by a measurement",
    "--interval": "half-width A of the approximation interval [-A, A]",
    "--iters": "power iterations (at most)",
    "--json": "print one JSON object on stdout instead of the table",
    "--kmax": "highest frequency of the fractal-exponent fit",
    "--kmin": "lowest frequency of the fractal-exponent fit",
    "--layer-only": "move only this layer (or weight tensor) in a walk",
    "--list": "list the claims and exit",
    "--loss": "the loss whose spectrum is measured",
    "--loss-weights": "loss weights w(|γ|) in the frequency domain",
    "--lr": "learning rate",
    "--lr-first-index": "index I of the first learning rate base·3^I",
    "--lrs": "number of starting learning rates per architecture",
    "--max-epochs": "epoch cap per training run (0: none)",
    "--max-index": "highest frequency index followed",
    "--max-memory": "memory a run may use; a run estimated to need more is refused first",
    "--n-test": "test points",
    "--n-train": "training points",
    "--n-val": "validation points",
    "--network": "architecture family of the trained network (mlp or cnn)",
    "--no-continuous": "skip the un-aliased continuous spectrum",
    "--no-figures": "leave the figures out of the report",
    "--no-progress": "hide progress bars and the plan of a long run",
    "--no-spectra": "leave the spectra out of the JSON",
    "--no-verify": "skip the re-evaluation through the public engine",
    "--noise-frequencies": "frequencies k of the noise sin(k‖x‖)",
    "--noise-placement": "where the noise enters the target (before or after rounding)",
    "--norm": "normalisation after each linear layer: layer, batch or none",
    "--only": "only the claims whose name matches",
    "--optimizer": "optimiser (adam or sgd)",
    "--out": "output folder",
    "--out-dim": "output width",
    "--pairs": "input pairs per ρ_0 and network",
    "--paper": "the paper's full set-up (slow)",
    "--param-budget": "trainable parameters per network",
    "--path": "walk path in weight space: closed loop or open segment",
    "--paths": "number of loss paths walked per variant",
    "--peaks": "spectral peaks followed",
    "--petals": "petal counts L of the flower curves γ_L",
    "--points": "path samples T of a walk",
    "--preset": "a named recipe that sets several flags",
    "--probe-batches": "minibatches of Gaussian probes for a Jacobian estimate",
    "--probes": "Gaussian probe vectors",
    "--progress": "show progress bars and the plan of a long run on stderr",
    "--quick": "small widths and few seeds (minutes)",
    "--radius": "walk radius (absolute, or relative per layer)",
    "--range": "search range NAME=LO:HI of a free parameter",
    "--real": "the input is real (Hermitian Fourier coefficients)",
    "--record-every": "record every N training steps",
    "--reductions": "learning-rate divisions by 3",
    "--relative-radius": "walk radius relative to each layer's weights",
    "--report": "where the report is written",
    "--rerun": "recompute even when the store has the result",
    "--residual": "residual blocks with this branch weight ν",
    "--resnet-sigma": "residual blocks with this branch standard deviation",
    "--rng": "where random weights and directions are drawn: cpu, or on the device (same "
             "distribution, not bit-identical)",
    "--rho": "input correlation(s) ρ",
    "--rho0": "input correlation(s) ρ_0",
    "--samples": "number of data points (and nothing else)",
    "--sampling": "how training points are placed (uniform or non-uniform)",
    "--scale": "normalisation scale of a Gram chain (minibatch or common)",
    "--second": "a loop's second direction (shifted copy or independent draw)",
    "--seed": "first seed S (networks use S, S+1, ...)",
    "--seeds": "number of independent networks (initialisations, runs)",
    "--shortcut": "skip-path weight ν of a CNN/ResNet",
    "--sigma": "standard deviation σ of the Gaussian input",
    "--sigma-b": "bias standard deviation σ_b",
    "--sigma-w": "weight standard deviation σ_w (see above for the default)",
    "--size": "image side in pixels",
    "--sizes": "noise standard deviations δ",
    "--standardize": "remove the noise's mean over the data and scale it to unit RMS",
    "--slope": "LReLU negative slope α in [0, 1]",
    "--slopes": "several LReLU negative slopes α in [0, 1]",
    "--steps": "training steps",
    "--store": "results store (SQLite file)",
    "--t": "fixed shift t of c·ACT(d·x + t) + b when t is not free",
    "--table": "also write the table (Markdown) to this path",
    "--target": "what to aim at: the target function to fit, or a target value of a "
                "quantity (design)",
    "--theory": "also show the theory's prediction beside the measurement",
    "--threads": "threads for torch/OpenMP",
    "--threshold": "a frequency counts as learned when Δ_F ≤ this",
    "--timings": "also report the training speed",
    "--walk-directions": "walk directions per network when h is measured",
    "--weights": "weight distribution (gaussian or orthogonal)",
    "--width": "hidden width N",
    "--widths": "hidden widths, one per layer",
    "--workers": "parallel workers",
    "--z": "Fourier coefficients z_-K .. z_K",
}


def _walk(parser: argparse.ArgumentParser,
          prefix: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(prefix, parser)]
    return [leaf for a in subs for name, p in a.choices.items()
            for leaf in _walk(p, f"{prefix} {name}".strip())]


def flag_table(parser: argparse.ArgumentParser | None = None
               ) -> tuple[dict[str, set[str]], dict[str, dict[str, set[str]]]]:
    """From the parser: ``(commands, aliases)``, where ``commands[flag]`` is the set of
    commands that show ``flag`` and ``aliases[flag][old]`` the commands where the hidden
    ``old`` spelling stores into ``flag``'s destination."""
    if parser is None:
        from ringing.cli import build_parser

        parser = build_parser()
    commands: dict[str, set[str]] = defaultdict(set)
    aliases: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, leaf in _walk(parser):
        shown: dict[str, str] = {}
        for a in leaf._actions:
            if isinstance(a, argparse._HelpAction) or a.help == argparse.SUPPRESS:
                continue
            flags = [o for o in a.option_strings if o.startswith("--")]
            for o in flags:
                commands[o].add(name)
            shown[a.dest] = flags[0] if flags else str(a.metavar or a.dest.upper())
        for a in leaf._actions:
            if a.help != argparse.SUPPRESS:
                continue
            dest = "activation" if a.dest == "activation_flag" else a.dest
            for o in a.option_strings:
                aliases[shown.get(dest, dest)][o].add(name)
    return commands, aliases


def render(parser: argparse.ArgumentParser | None = None) -> str:
    """The Markdown of docs/cli.md."""
    commands, aliases = flag_table(parser)
    lines = ["# The command line: one meaning per flag", "",
             "Generated from the parser by `python -m ringing.cli_glossary > docs/cli.md`; "
             "`tests/test_cli_help.py` checks that it lists every flag.", "",
             "## Conventions", "", CONVENTIONS, "## Every flag", "",
             "| flag | meaning | commands | old spellings (still accepted) |",
             "|---|---|---|---|"]
    for flag in sorted(commands):
        cmds = ", ".join(f"`{c}`" for c in sorted(commands[flag]))
        if len(commands[flag]) > 8:
            cmds = f"all {len(commands[flag])} commands" if flag in (
                "--json", "--threads", "--progress", "--no-progress") else cmds
        old = "; ".join(f"`{o}` ({', '.join(sorted(c))})"
                        for o, c in sorted(aliases.get(flag, {}).items()))
        meaning = GLOSSARY.get(flag, "**undocumented**").replace("|", "\\|")
        lines.append(f"| `{flag}` | {meaning} | {cmds} | {old} |")
    pos = {k: v for k, v in aliases.items() if not k.startswith("--")}
    if pos:
        lines += ["", "## Old spellings of positional arguments", ""]
        for name, olds in sorted(pos.items()):
            for o, c in sorted(olds.items()):
                lines.append(f"- `{o}` is the old spelling of the positional `{name}` "
                             f"({', '.join(f'`{x}`' for x in sorted(c))})")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
