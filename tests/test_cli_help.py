"""Help and vocabulary of the whole command line (issue 20, must-show 1 and 2).

Generic: every test walks the parser, so a command or flag added later is checked too.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from ringing.cli import build_parser, main
from ringing.cli_glossary import GLOSSARY, flag_table, render
from ringing.cli_support import NORMS, default_sigma_w, resolve_activation

ROOT = Path(__file__).resolve().parents[1]


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
             ) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    out = [(path, parser)]
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                out += _parsers(sub, (*path, name))
    return out


def _is_leaf(p: argparse.ArgumentParser) -> bool:
    return not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)


PARSERS = _parsers(build_parser())
LEAVES = [(path, p) for path, p in PARSERS if _is_leaf(p)]
IDS = [" ".join(path) or "ringing" for path, _ in PARSERS]
LEAF_IDS = [" ".join(path) for path, _ in LEAVES]


def _visible_dests(p: argparse.ArgumentParser) -> set[str]:
    return {a.dest for a in p._actions if a.help != argparse.SUPPRESS}


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=IDS)
def test_every_command_has_a_description_and_examples(path: tuple[str, ...],
                                                      parser: argparse.ArgumentParser) -> None:
    assert parser.description and len(parser.description.split()) >= 5, path
    assert parser.epilog and "example" in parser.epilog and "ringing " in parser.epilog, path


@pytest.mark.parametrize(("path", "parser"), LEAVES, ids=LEAF_IDS)
def test_every_flag_and_positional_has_help(path: tuple[str, ...],
                                            parser: argparse.ArgumentParser) -> None:
    shown = _visible_dests(parser)
    for a in parser._actions:
        if isinstance(a, (argparse._HelpAction, argparse._VersionAction)):
            continue
        name = "/".join(a.option_strings) or a.dest
        assert a.help, f"{' '.join(path)}: {name} has no help text"
        if a.help == argparse.SUPPRESS:  # only an old spelling of a shown argument is hidden
            dest = "activation" if a.dest == "activation_flag" else a.dest
            assert dest in shown, f"{' '.join(path)}: {name} is hidden but aliases nothing"


@pytest.mark.parametrize("path", [p for p, _ in PARSERS], ids=IDS)
def test_help_runs_and_names_papers_not_seed_folders(path: tuple[str, ...],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*path, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: ringing")
    assert not re.search(r"seed 00\d", text), "help cites a paper as 'seed 00N'"


def test_glossary_gives_every_flag_one_meaning() -> None:
    commands, _ = flag_table()
    missing = sorted(set(commands) - set(GLOSSARY))
    stale = sorted(set(GLOSSARY) - set(commands))
    assert not missing, f"flags without a meaning in ringing/cli_glossary.py: {missing}"
    assert not stale, f"glossary words no command takes: {stale}"


def test_docs_cli_md_is_generated_from_the_parser() -> None:
    page = (ROOT / "docs" / "cli.md").read_text()
    assert page == render(), "docs/cli.md is stale: python -m ringing.cli_glossary > docs/cli.md"
    commands, aliases = flag_table()
    for flag in commands:
        assert f"| `{flag}` |" in page
    for olds in aliases.values():
        for old in olds:
            assert f"`{old}`" in page


@pytest.mark.parametrize(("path", "parser"), LEAVES, ids=LEAF_IDS)
def test_one_vocabulary(path: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
    for a in parser._actions:
        if a.help == argparse.SUPPRESS:
            continue
        if a.dest == "activation":  # the activation is a positional everywhere
            assert not a.option_strings, f"{' '.join(path)}: ACT must be positional"
        if "--norm" in a.option_strings:
            assert tuple(a.choices or ()) == NORMS, f"{' '.join(path)}: --norm choices"
        if "--samples" in a.option_strings:  # data points, never networks
            assert a.dest == "samples" and "network" not in (a.help or "")
        if "--seeds" in a.option_strings:
            assert "network" in (a.help or "") or "run" in (a.help or "")


def _parsed(argv: list[str]) -> dict[str, object]:
    args = build_parser().parse_args(argv)
    resolve_activation(args)
    return {k: v for k, v in vars(args).items()
            if k not in ("alias_notes", "activation_flag", "func")}


OLD_NEW = [
    (["simulate", "correlation", "relu", "--width", "8", "--depth", "2", "--rho0", "0.5",
      "--samples", "3"],
     ["simulate", "correlation", "relu", "--width", "8", "--depth", "2", "--rho0", "0.5",
      "--seeds", "3"]),
    (["simulate", "jacobian", "--activation", "tanh", "--width", "8", "--depth", "2",
      "--networks", "2"],
     ["simulate", "jacobian", "tanh", "--width", "8", "--depth", "2", "--seeds", "2"]),
    (["simulate", "nlc", "relu", "--depth", "2", "--width", "8", "--n-data", "100"],
     ["simulate", "nlc", "relu", "--depth", "2", "--width", "8", "--samples", "100"]),
    (["simulate", "walk", "relu", "--depth", "2", "--width", "8", "--networks", "3"],
     ["simulate", "walk", "relu", "--depth", "2", "--width", "8", "--seeds", "3"]),
    (["simulate", "model-walk", "toycnn", "--depth", "2", "--activation", "tanh",
      "--networks", "2"],
     ["simulate", "model-walk", "toycnn", "tanh", "--depth", "2", "--seeds", "2"]),
    (["simulate", "spectral-bias", "--activation", "tanh"], ["simulate", "spectral-bias", "tanh"]),
    (["simulate", "fprinciple", "--activation", "relu"], ["simulate", "fprinciple", "relu"]),
    (["simulate", "weighted-loss", "--weights", "1", "x"],
     ["simulate", "weighted-loss", "--loss-weights", "1", "x"]),
    (["blueshift", "relu", "--weight-scale", "1.3", "--bias-scale", "0.1", "--normalise"],
     ["blueshift", "relu", "--sigma-w", "1.3", "--sigma-b", "0.1", "--norm", "batch"]),
    (["hermite", "--activation", "relu"], ["hermite", "relu"]),
    (["study", "nlc", "--dataset", "digits"], ["study", "nlc", "--data", "digits"]),
    (["study", "architecture", "3", "--d-in", "7", "--d-out", "2"],
     ["study", "architecture", "3", "--in-dim", "7", "--out-dim", "2"]),
    (["study", "blueshift", "--alphas", "0", "0.5", "--batch", "32"],
     ["study", "blueshift", "--slopes", "0", "0.5", "--batch-size", "32"]),
]


@pytest.mark.parametrize(("old", "new"), OLD_NEW, ids=[" ".join(o[:2]) for o, _ in OLD_NEW])
def test_old_spellings_parse_to_the_same_values(old: list[str], new: list[str]) -> None:
    assert _parsed(old) == _parsed(new)


def test_old_spelling_of_networks_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "correlation", "relu", "--width", "8", "--depth", "1", "--rho0", "0.5",
            "--device", "cpu"]
    assert main([*argv, "--samples", "2", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "--seeds" in json.loads(out)["notes"][0]
    assert main([*argv, "--samples", "2"]) == 0
    assert "note: --samples is an old spelling of --seeds" in capsys.readouterr().out


def test_missing_activation_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert main(["hermite", "--degree", "3"]) == 2
    err = capsys.readouterr().err
    assert "ACT" in err and len(err.strip().splitlines()) == 1


def test_a_norm_a_command_lacks_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "walk", "relu", "--depth", "1", "--width", "8", "--norm", "layer",
                 "--device", "cpu"]) == 2
    assert "--norm layer is not available" in capsys.readouterr().err


def test_default_sigma_w_convention() -> None:
    assert default_sigma_w("relu", "none") == pytest.approx(2 ** 0.5, rel=1e-12)  # He
    assert default_sigma_w("relu", "batch") == pytest.approx(2 ** 0.5, rel=1e-12)
    assert default_sigma_w("tanh", "layer") == 1.0
    # tanh: 1/sqrt(E tanh(z)^2), ‖tanh‖² = 0.3942944903978 (ringing gauss tanh)
    assert default_sigma_w("tanh", "none") == pytest.approx(0.3942944903978 ** -0.5, rel=1e-9)


@pytest.mark.parametrize(("act", "depth", "extra"), [
    ("relu", 5, []), ("tanh", 3, []), ("erf", 4, ["--sigma-b", "0.3"])])
def test_depth_means_the_same_in_correlation_and_simulate_correlation(
        capsys: pytest.CaptureFixture[str], act: str, depth: int, extra: list[str]) -> None:
    """The theory ρ_L of ``ringing correlation X --depth L`` is the theory row of ``ringing
    simulate correlation X --depth L`` (by default; with σ_b > 0 the theory command needs
    ``--embedding`` to include the simulated network's linear embedding layer)."""
    emb = ["--embedding"] if extra else []
    assert main(["correlation", act, "--depth", str(depth), "--rho0", "0.3", *extra, *emb,
                 "--json"]) == 0
    theory = json.loads(capsys.readouterr().out)["rho_final"]
    assert main(["simulate", "correlation", act, "--width", "16", "--depth", str(depth),
                 "--rho0", "0.3", "--seeds", "1", "--device", "cpu", *extra, "--json"]) == 0
    sim = json.loads(capsys.readouterr().out)
    assert sim["depth"] == depth and sim["linear_layers"] == depth + 1
    assert sim["theory"][0][-1] == pytest.approx(theory, rel=1e-12)
    if not extra:  # σ_b = 0: the embedding leaves ρ unchanged, so it is the same either way
        assert main(["correlation", act, "--depth", str(depth), "--rho0", "0.3",
                     "--embedding", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["rho_final"] == pytest.approx(theory,
                                                                                 rel=1e-12)


def test_nlc_depth_counts_activations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlc-tau", "relu", "--depth", "3", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["nlc_tau_power"] == pytest.approx(d["nlc_tau"] ** 3, rel=1e-12)
    assert d["linear_layers"] == 4
