"""``ringing study blueshift`` and ``ringing study cnn-figure``: seed 000 on Toy-CNN / ResNets.

``ringing study blueshift [--depths D ...] [--alphas A ...] [--arch resnet_v1|resnet_v2]
[--seeds N] [--epochs E] [--store PATH] [--executor local|ray] [--workers W]
[--device auto|cpu|cuda] [--figure PATH] [--json]`` trains every (architecture, alpha, seed)
of the grid as one task of the results store (a re-run reuses finished tasks) and sets the
training accuracy beside the fractal coefficient h of the last layer at initialisation
(seed 000 Fig 9).  ``ringing study cnn-figure fig1|fig3|fig4|fig5|fig6|fig7|fig8|fig12|fig15
[--out DIR] [--paths N]`` runs one of the walk figures at its reduced default size
(``--paths 500``: Fig 4 with the paper's number of loss paths).
"""

from __future__ import annotations

import argparse
from typing import Any

from ringing.checks import positive_float
from ringing.cli_support import (
    DEVICE_HELP,
    SEEDS_HELP,
    add_alias,
    add_json_flag,
    arg_type,
    int_at_least,
)
from ringing.commands.walk_models import unit_float
from ringing.papers import cite

GROUP = None

FIGURE_NAMES = ("fig1", "fig3", "fig4", "fig5", "fig6", "fig7", "fig8", "fig12", "fig15")


def _study_subparsers(subparsers: Any) -> Any:
    """The ``study`` command's sub-command action, creating ``study`` when no other command
    module has (several modules add studies)."""
    parser = subparsers.choices.get("study")
    if parser is None:
        parser = subparsers.add_parser("study", help="the papers' large studies",
                                       description="The papers' large studies (training runs).")
        parser.set_defaults(func=_no_study)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="study", metavar="STUDY")


def _no_study(args: argparse.Namespace) -> dict[str, Any]:
    raise ValueError("ringing study: name a study (see ringing study --help)")


def register(subparsers: Any) -> None:
    sub = _study_subparsers(subparsers)
    q = sub.add_parser(
        "blueshift", help=f"{cite('Ringing ReLUs', 'Fig 9')}: h at initialisation vs training "
                          "accuracy (ResNets)",
        epilog="examples:\n  ringing study blueshift --depths 8 --slopes 0 1 --epochs 1\n"
               "  ringing study blueshift --arch resnet_v2 --seeds 2 --figure fig9.png --json",
        description="Train ResNets with and without shortcuts over a grid of depth and LReLU "
        "slope alpha (each run a task of the results store) and relate the training accuracy "
        "to the fractal coefficient h of the last layer at initialisation ("
        + cite("Ringing ReLUs", "Fig 9") + ").")
    q.add_argument("--depths", type=int_at_least(8), nargs="+", default=[8, 20, 32],
                   help="ResNet depths 6n+2 (8 20 32)")
    q.add_argument("--slopes", dest="alphas", type=unit_float, nargs="+",
                   default=[0.0, 0.3, 1.0], help="LReLU negative slopes α in [0, 1]")
    add_alias(q, "--alphas", "alphas", type=unit_float, nargs="+")
    q.add_argument("--arch", choices=("resnet_v1", "resnet_v2"), default="resnet_v1",
                   help="ResNet v1 (post-activation) or v2 (pre-activation)")
    q.add_argument("--seeds", type=int_at_least(1), default=1,
                   help=SEEDS_HELP + ", per cell")
    q.add_argument("--channels", type=int_at_least(1), default=4,
                   help="first-stage planes (4; paper 16)")
    q.add_argument("--size", type=int_at_least(8), default=16, help="image side (16; paper 32)")
    q.add_argument("--data", default="digits", help="digits (default) | cifar10:PATH")
    q.add_argument("--epochs", type=int_at_least(1), default=4, help="epochs (4; paper 30)")
    q.add_argument("--batch-size", dest="batch", type=int_at_least(2), default=64,
                   help="minibatch size")
    add_alias(q, "--batch", "batch", type=int_at_least(2))
    q.add_argument("--lr", type=arg_type(positive_float), default=0.05, help="learning rate")
    q.add_argument("--walk-directions", type=int_at_least(2), default=4,
                   help="walk directions per network for h at initialisation")
    q.add_argument("--store", default=None, metavar="PATH", help="results store (SQLite)")
    q.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="local process pool or Ray (needs ringing[dist])")
    q.add_argument("--workers", type=int_at_least(1), default=1, help="parallel workers")
    q.add_argument("--device", default="cpu", help=DEVICE_HELP)
    q.add_argument("--figure", default=None, metavar="PATH", help="write the figure (PNG)")
    add_json_flag(q)
    q.set_defaults(func=_blueshift)
    f = sub.add_parser("cnn-figure", help=f"{cite('Ringing ReLUs')} walk figures on Toy-CNN / "
                       "ResNets",
                       epilog="examples:\n  ringing study cnn-figure fig3 --out figs\n"
                              "  ringing study cnn-figure fig4 --paths 500 --json",
                       description=f"One of {cite('Ringing ReLUs')}'s walk figures "
                       "(Fig 1 alpha-nu plane, Fig 3 Toy-CNN spectra, Fig 4 many loss paths of "
                       "a ResNet, Fig 5 h vs depth, Fig 6 branch correlation, Fig 7 v1 vs v2, "
                       "Fig 8 averaging, Fig 12 delta-orthogonal vs Gaussian init, Fig 15 one "
                       "layer walked) at its reduced default size.")
    f.add_argument("figure", choices=FIGURE_NAMES, help="which figure: " + ", ".join(FIGURE_NAMES))
    f.add_argument("--out", default=".", metavar="DIR", help="folder for cnn_<figure>.png")
    f.add_argument("--paths", type=int_at_least(2), default=None, metavar="N",
                   help="fig4 only: loss paths per variant (default 60; the paper: 500)")
    f.add_argument("--device", default="cpu", help=DEVICE_HELP)
    add_json_flag(f)
    f.set_defaults(func=_figure)


def _blueshift(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.seed000_cnn import blueshift_trainability
    from ringing.runs.executors import check_executor
    from ringing.runs.store import ResultStore
    from ringing.simulate.common import resolve_device
    from ringing.simulate.zoo import resnet_blocks

    for d in args.depths:
        resnet_blocks(d)
    check_executor(args.executor)
    resolve_device(args.device)
    with ResultStore(args.store) as store:
        out = blueshift_trainability(
            depths=args.depths, alphas=args.alphas, arch=args.arch,
            seeds=list(range(args.seeds)), channels=args.channels, size=args.size,
            data=args.data, epochs=args.epochs, batch=args.batch, lr=args.lr,
            walk_directions=args.walk_directions, store=store, executor=args.executor,
            workers=args.workers, device=args.device, figure=args.figure)
    rc = out.get("rank_correlation")
    lines = ["depth alpha short  h_init [95% CI]           train acc"]
    for r in out["rows"]:
        h = r["h_init"]
        hs = "  -" if h is None else f"{h['value']:6.3f} [{h['lo']:6.3f}, {h['hi']:6.3f}]"
        lines.append(f"{r['depth']:5d} {r['alpha']:5.2f} {str(r['shortcut']):5s}  {hs}  "
                     f"{r['train_accuracy']:.3f}")
    if rc:
        lines.append(f"Spearman(h_init, accuracy) = {rc['spearman']:.3f} "
                     f"[{rc['lo']:.3f}, {rc['hi']:.3f}] over {rc['pairs']} runs")
    args.table_text = "\n".join(lines)
    return out


def _figure(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments.seed000_cnn import run_figures
    from ringing.simulate.common import resolve_device

    resolve_device(args.device)
    extra: dict[str, Any] = {}
    if args.paths is not None:
        if args.figure != "fig4":
            raise ValueError(f"--paths applies to fig4 only, not {args.figure}")
        extra["paths"] = args.paths
    return run_figures([args.figure], args.out, device=args.device, **extra)[args.figure]
