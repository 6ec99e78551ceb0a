"""The five papers this package is built from: one place for their citations.

Help texts, docs and the validation report refer to a paper by its short key (``"NLC"``,
``"Ringing ReLUs"``, ...) and cite it through :func:`cite` / :func:`reference`, so an outside
reader always learns which paper "seed 004" is.  The ``seed`` field is the number of the
paper's text in the project's shared seed folder (``000`` ... ``004``), kept only so that old
labels ("seed 002 eq 2.3") can be translated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Paper", "PAPERS", "cite", "reference", "by_seed"]


@dataclass(frozen=True)
class Paper:
    """One paper: how to cite it in full and how to refer to it briefly."""

    key: str
    seed: str
    authors: str
    short_authors: str
    title: str
    venue: str
    year: int | None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


PAPERS: dict[str, Paper] = {p.key: p for p in (
    Paper("Ringing ReLUs", "000",
          "Christian H. X. Ali Mehmeti-Göpel, David Hartmann, Michael Wand",
          "Ali Mehmeti-Göpel, Hartmann & Wand",
          "Ringing ReLUs: Harmonic Distortion Analysis of Nonlinear Feedforward Networks",
          "International Conference on Learning Representations (ICLR)", 2021),
    Paper("Spectral bias", "001",
          "Nasim Rahaman, Aristide Baratin, Devansh Arpit, Felix Draxler, Min Lin, "
          "Fred A. Hamprecht, Yoshua Bengio, Aaron Courville",
          "Rahaman et al.",
          "On the Spectral Bias of Neural Networks",
          "International Conference on Machine Learning (ICML)", 2019),
    Paper("Gradient explosion", "002",
          "Anonymous authors", "Anonymous",
          "Gradient Explosion and Representation Shrinkage in Infinite Networks",
          "conference submission under double-blind review", None,
          note="the text we hold is the anonymous review version; it names no authors or year"),
    Paper("F-Principle", "003",
          "Zhi-Qin John Xu, Yaoyu Zhang, Yanyang Xiao",
          "Xu, Zhang & Xiao",
          "Training Behavior of Deep Neural Network in Frequency Domain",
          "International Conference on Neural Information Processing (ICONIP), LNCS 11953",
          2019),
    Paper("NLC", "004",
          "George Philipp, Jaime G. Carbonell", "Philipp & Carbonell",
          "The Nonlinearity Coefficient - Predicting Generalization in Deep Neural Networks",
          "arXiv:1806.00179 (the text we hold is the anonymous review version)", 2018),
)}

_BY_SEED = {p.seed: p for p in PAPERS.values()}


def by_seed(seed: str | int) -> Paper:
    """The paper behind an old "seed NNN" label."""
    key = f"{int(seed):03d}" if not isinstance(seed, str) or seed.isdigit() else seed
    try:
        return _BY_SEED[key]
    except KeyError:
        raise ValueError(f"no paper has seed {seed!r}; known: {', '.join(sorted(_BY_SEED))}") \
            from None


def _paper(key: str) -> Paper:
    if key in PAPERS:
        return PAPERS[key]
    if key.isdigit():
        return by_seed(key)
    raise ValueError(f"unknown paper {key!r}; known: {', '.join(PAPERS)}")


def cite(key: str, where: str = "") -> str:
    """A short in-text reference: ``cite("NLC", "Table 1 row C")`` ->
    ``"Philipp & Carbonell, NLC, Table 1 row C"``."""
    p = _paper(key)
    return f"{p.short_authors}, {p.key}" + (f", {where}" if where else "")


def reference(key: str) -> str:
    """The full reference: authors, title, venue, year."""
    p = _paper(key)
    year = f" ({p.year})" if p.year is not None else ""
    return f"{p.authors}{year}. {p.title}. {p.venue}."
