"""The report's layout (issue 20): claims first with a column legend, then figures, then the
findings as a short linked list, then the papers; papers named by citation in displayed text;
a claim's named statistic and threshold shown in its cells."""

from __future__ import annotations

import html
import re

from ringing.papers import PAPERS, reference
from ringing.validate.core import ClaimResult
from ringing.validate.report import (
    COLUMNS,
    Discrepancy,
    Figure,
    Report,
    finding_items,
    name_papers,
)


def _result(name: str, verdict: str, **kw: object) -> ClaimResult:
    base: dict[str, object] = dict(
        name=name, key="k", statement="Theorem 2 holds (seed 002 eq A.10)",
        source="seed 002 Theorem 2, App. A", kind="theory", verdict=verdict, theory=0.25,
        simulation=None, simulation_ci=None, paper=0.0, tolerance="margin >= 0",
        reason="" if verdict == "pass" else "differs (seed 004 Table 1 row C)", details={},
        config={}, elapsed_s=0.0)
    base.update(kw)
    return ClaimResult(**base)  # type: ignore[arg-type]


def _report() -> Report:
    labels = {"labels": {"theory": "margin: min ratio − 1", "paper": "threshold"}}
    res = [_result("seed002/theorem2/resnet-relu", "pass", details=labels),
           _result("seed004/table1/C/relu", "expected-difference")]
    disc = [Discrepancy(f"claim {res[1].name} ({res[1].source})", res[1].statement,
                        res[1].reason),
            Discrepancy("docs/maps.md", "Findings",
                        "### 1. A first finding\n\nThis finding is stated in one sentence, "
                        "here. More text.\n\n"
                        "### 2. A second one\n\n**Bold** start; and more.")]
    return Report.build(res, figures=[Figure("f", "a figure (seed 000 Fig. 3a)", None, "no")],
                        discrepancies=disc)


def test_sections_in_order_and_legend() -> None:
    h = _report().html()
    pos = [h.index(x) for x in ("id='claims'", "class='legend'", "<table class='claims'>",
                                "id='figures'", "id='discrepancies'", "id='papers'")]
    assert pos == sorted(pos)
    for col, meaning in COLUMNS:
        assert f"<th>{col}</th>" in h and html.escape(meaning) in h


def test_statistic_and_threshold_are_named() -> None:
    h = _report().html()
    row = h[h.index("id='claim-seed002-theorem2-resnet-relu'"):]
    row = row[: row.index("</tr>")]
    assert "margin: min ratio − 1" in row and "threshold" in row
    md = _report().markdown()
    assert "| seed002/theorem2/resnet-relu | pass | margin: min ratio − 1: 0.25 |" in md


def test_papers_named_by_citation_not_seed_labels() -> None:
    r = _report()
    assert "Anonymous, Gradient explosion, Theorem 2, App. A" in r.html()
    for text in (r.html(), r.markdown()):
        visible = re.sub(r"seed00\d/[^\s<|'\"]*", "", text)  # claim identifiers may stay
        assert not re.search(r"\b[Ss]eeds? \d{3}", visible)
        assert "Philipp & Carbonell, NLC, Table 1 row C" in html.unescape(text)
        for p in PAPERS.values():
            assert reference(p.key) in text
    assert name_papers("seeds 001 and 003") == ("Rahaman et al., Spectral bias; "
                                                 "Xu, Zhang & Xiao, F-Principle")
    assert name_papers("seed002/eq4.1") == "seed002/eq4.1"


def test_findings_are_a_short_list_linked_to_claims_and_docs() -> None:
    h = _report().html()
    findings = h[h.index("id='discrepancies'"): h.index("id='papers'")]
    assert "<ul class='findings'>" in findings
    assert "href='#claim-seed004-table1-C-relu'" in findings
    assert "A first finding</b>" in findings and "stated in one sentence, here.</li>" in findings
    assert "More text" not in findings  # one sentence per item, not the whole section
    first = "One sentence that is surely long enough to end."
    items = finding_items(Discrepancy("docs/x.md", "Findings",
                                      f"- **Alpha.** {first} Two.\n- Beta"))
    assert items == [("Alpha", first), ("Findings", "Beta")]
