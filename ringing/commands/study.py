"""``ringing study nlc``: seed 004's study — does the NLC at initialisation predict test error?

``ringing study nlc [--architectures N] [--lrs N] [--paper] [--store PATH]
[--executor local|ray] [--device auto|cpu|cuda] [--figures DIR] [--table PATH] [--json]``

Every (architecture, learning rate) is one task keyed in the results store; a re-run or a
resumed run reuses every finished task.  Bad input (an unknown data set, a missing local file,
a corrupt store, ``--executor ray`` without Ray) is a one-line error before anything runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ringing.checks import non_negative_int, positive_int
from ringing.cli_support import (
    DEVICE_HELP,
    add_alias,
    add_json_flag,
    arg_type,
    int_at_least,
)
from ringing.papers import cite

GROUP = None


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "study", help="the papers' large studies (training runs)",
        description="The papers' large studies: many training runs, each a task of the "
        "results store (a re-run reuses finished tasks), on a local process pool or Ray.",
        epilog="examples:\n  ringing study nlc --architectures 8 --lrs 2\n"
               "  ringing study architecture 3")
    sub = p.add_subparsers(dest="study", metavar="STUDY")
    p.set_defaults(func=_no_study)
    q = sub.add_parser(
        "nlc", help=f"{cite('NLC')}: random architectures trained; NLC at init vs test error",
        epilog="examples:\n  ringing study nlc --architectures 8 --lrs 2 --max-epochs 5\n"
               "  ringing study nlc --data digits --figures figs --table nlc.md --json",
        description=f"{cite('NLC')}'s study (App. C architectures, E.2 training, E.1 regions): "
                    "sample architectures, train each from several starting learning rates, "
                    "and relate the NLC at initialisation to the region diameter (Fig 1), "
                    "the test error (Fig 2) and the NLC after training (Fig 3B).")
    q.add_argument("--paper", action="store_true",
                   help="the paper's set-up (250 architectures of ~1e6 parameters, 40 rates, "
                        "3000/1000/1000 points, no epoch cap): days on a CPU")
    q.add_argument("--data", dest="dataset", choices=("waveform", "digits", "mnist", "cifar10"),
                   default=None, help="data set: waveform (default), digits, or a local "
                   "mnist/cifar10 (--data-path)")
    add_alias(q, "--dataset", "dataset", choices=("waveform", "digits", "mnist", "cifar10"))
    q.add_argument("--data-path", default=None, metavar="PATH",
                   help="local MNIST/CIFAR10 file or directory (.npz, IDX, CIFAR binary)")
    ints = {
        "architectures": ("n_architectures", 1, "architectures sampled (60)"),
        "seed": ("seed", 0, "first architecture seed (0)"),
        "param-budget": ("param_budget", 1, "trainable parameters per network (20000; "
                                            "paper 1e6)"),
        "lrs": ("n_lr", 1, "starting learning rates per architecture (8; paper 40)"),
        "lr-first-index": ("lr_first_index", 0, "first rate is base·3^I (13; paper 0)"),
        "n-train": ("n_train", 2, "training points (500; paper 3000)"),
        "n-val": ("n_val", 2, "validation points (500; paper 1000)"),
        "n-test": ("n_test", 2, "test points (1000; paper 1000)"),
        "max-epochs": ("max_epochs", 0, "epoch cap per run, 0 = none (40; paper none)"),
        "reductions": ("reductions", 0, "learning-rate divisions by 3 (3; paper 10)"),
        "probe-batches": ("nlc_probe_batches", 1, "NLC probe minibatches (10; paper 100)"),
    }
    for flag, (dest, lo, text) in ints.items():
        check = positive_int if lo >= 1 else non_negative_int
        q.add_argument(f"--{flag}", dest=dest, type=arg_type(check, flag) if lo <= 1
                       else int_at_least(lo), default=None, help=text)
    q.add_argument("--optimizer", choices=("sgd", "adam"), default=None,
                   help="optimiser: sgd (default) or adam (Fig 3F)")
    q.add_argument("--device", default="auto", help=DEVICE_HELP)
    q.add_argument("--store", default=None, metavar="PATH",
                   help="results store (SQLite; default $XDG_CACHE_HOME/ringing/results.sqlite)")
    q.add_argument("--executor", default="local", choices=("local", "ray"),
                   help="local process pool (default) or Ray (RAY_ADDRESS, else a local Ray)")
    q.add_argument("--workers", type=arg_type(positive_int, "workers"), default=None,
                   metavar="N", help="parallel workers (default: the CPUs, at most 8)")
    q.add_argument("--figures", default=None, metavar="DIR",
                   help="write fig1/fig2/fig3b PNGs here")
    q.add_argument("--table", default=None, metavar="PATH",
                   help="write the correlation table (Markdown) here")
    add_json_flag(q)
    q.set_defaults(func=_nlc)

    a = sub.add_parser("architecture",
                       help=f"{cite('NLC', 'App. C')}: one sampled architecture as JSON",
                       epilog="examples:\n  ringing study architecture 3\n"
                              "  ringing study architecture 3 --param-budget 100000 --json",
                       description="Sample the architecture of seed SEED (App. C) and print it; "
                                   "the same seed always rebuilds the same network.")
    a.add_argument("seed", type=arg_type(non_negative_int, "seed"),
                   help="the architecture's seed (the same seed rebuilds the same network)")
    a.add_argument("--param-budget", type=arg_type(positive_int, "param-budget"),
                   default=20_000, help="trainable parameters (20000; paper 1e6)")
    a.add_argument("--in-dim", dest="d_in", type=arg_type(positive_int, "in-dim"), default=40,
                   help="input width (40: waveform-noise)")
    add_alias(a, "--d-in", "d_in", type=arg_type(positive_int, "d-in"))
    a.add_argument("--out-dim", dest="d_out", type=arg_type(positive_int, "out-dim"),
                   default=3, help="output width (3: waveform-noise)")
    add_alias(a, "--d-out", "d_out", type=arg_type(positive_int, "d-out"))
    add_json_flag(a)
    a.set_defaults(func=_architecture)


def _architecture(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.simulate.architectures import sample_architecture

    arch = sample_architecture(args.seed, args.d_in, args.d_out, args.param_budget)
    out = arch.as_dict()
    out["trainable_parameters"] = arch.parameters
    return out


def _no_study(args: argparse.Namespace) -> dict[str, Any]:
    raise ValueError("choose a study: ringing study nlc ...")


def _nlc(args: argparse.Namespace) -> dict[str, Any]:
    from ringing.experiments import nlc_study as st
    from ringing.runs.executors import check_executor
    from ringing.runs.store import ResultStore
    from ringing.simulate.common import resolve_device

    device = resolve_device(args.device).type
    over = {k: getattr(args, k) for k in (
        "n_architectures", "seed", "param_budget", "n_lr", "lr_first_index", "n_train", "n_val",
        "n_test", "max_epochs", "reductions", "nlc_probe_batches", "optimizer")}
    over.update(dataset=args.dataset, data_path=args.data_path, device=device)
    base = st.StudyConfig.paper() if args.paper else st.StudyConfig()
    config = st.with_overrides(base, **over)
    check_executor(args.executor)
    if args.figures and Path(args.figures).exists() and not Path(args.figures).is_dir():
        raise ValueError(f"--figures {args.figures} exists and is not a directory")
    if args.table and Path(args.table).is_dir():
        raise ValueError(f"--table {args.table} is a directory")
    st.load_split(config)  # data problems are one-line errors before anything runs
    from ringing.runs.progress import progress_enabled

    if progress_enabled():
        cap = f"at most {config.max_epochs} epochs each" if config.max_epochs else "no epoch cap"
        print(f"plan: {config.n_architectures} architectures × {config.n_lr} learning rates = "
              f"{len(st.study_tasks(config))} tasks (initialisations and training runs, "
              f"{cap}) on the {args.executor} executor; finished tasks in the store are "
              "reused; the progress bar estimates the time left", file=sys.stderr, flush=True)
    t0 = time.time()
    with ResultStore(args.store) as store:
        results, stats = st.run_study(config, store=store, executor=args.executor,
                                      workers=args.workers)
    elapsed = time.time() - t0
    recs = st.records(config, st.results_by_name(results))
    summary = st.summarize(config, recs)
    payload: dict[str, Any] = {
        "config": config.as_dict(),
        "executor": args.executor,
        "tasks": {"total": stats.total, "reused": stats.reused, "computed": stats.computed,
                  "errors": stats.errors},
        "errors": sorted({r.error for r in results if r.error})[:10],
        "seconds": elapsed,
        "summary": summary.as_dict(),
        "architectures": [asdict(r) for r in recs],
    }
    if args.figures:
        out = Path(args.figures)
        out.mkdir(parents=True, exist_ok=True)
        files = []
        for name, png in st.figures(recs, summary).items():
            (out / f"{name}.png").write_bytes(png)
            files.append(str(out / f"{name}.png"))
        payload["figures"] = files
    table = st.markdown_table(summary)
    if args.table:
        Path(args.table).write_text(table)
        payload["table"] = args.table
    args.table_text = (f"{cite('NLC')} study: {summary.n_architectures} architectures × "
                       f"{config.n_lr} learning rates on {config.dataset}; tasks "
                       f"{stats.total} ({stats.reused} reused, {stats.computed} computed, "
                       f"{stats.errors} errors) in {elapsed:.0f} s\n\n{table}")
    if stats.errors:
        args.exit_status = 1
    return payload
