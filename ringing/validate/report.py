"""The comparison report: one self-contained HTML file plus Markdown and JSON summaries.

* The claims table first, with a legend of its columns (:data:`COLUMNS`): per claim the
  computed value (a theory value, or the claim's named statistic), the simulated estimate with
  its 95% interval, what it is compared with (the paper's printed value or a named
  threshold), the tolerance model, the verdict and its reason.  A claim names its statistic
  and threshold through ``details["labels"] = {"theory": ..., "paper": ...}``.
* Papers are named by their citations (:func:`name_papers`, :mod:`ringing.papers`) in every
  displayed text; claim identifiers keep their ``seedNNN`` prefix.
* Every figure the other layers provide: each ``figure_*`` function of the modules
  ``ringing.validate.figures_*`` whose only required argument is ``path`` is called, and the PNG
  is embedded as base64 (cached in the results store, keyed by the function, its module's source
  and the package version).  A figure that fails is listed with its error, never fatal.
* Figures one per row at the page's full width (click for full resolution).
* "Discrepancies with the papers (findings)": a short list -- every claim with verdict
  ``expected-difference`` (linked to its row) and every "Findings"/"Discrepancies" section of
  the pages in ``docs/`` (its first sentence, linked to the page, when the package runs from a
  source checkout).

:func:`resolve_report_paths` maps ``--report PATH`` to the three files (a directory gets
``report.html``, ``report.md``, ``report.json``; a path ending in ``.html`` gets sibling
``.md``/``.json`` files) and :func:`check_writable` fails early with a one-line ``ValueError``.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
import importlib
import inspect
import json
import os
import pkgutil
import platform
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ringing
from ringing.runs.store import ResultStore
from ringing.validate.core import VERDICTS, ClaimResult

__all__ = [
    "ReportPaths",
    "Figure",
    "Discrepancy",
    "resolve_report_paths",
    "check_writable",
    "discover_figures",
    "render_figures",
    "figure_simulation_vs_theory",
    "collect_discrepancies",
    "markdown_to_html",
    "name_papers",
    "finding_items",
    "COLUMNS",
    "write_report",
    "Report",
]


@dataclass(frozen=True)
class ReportPaths:
    """Where the three report files go."""

    html: Path
    markdown: Path
    json: Path


@dataclass
class Figure:
    """One figure for the report: its PNG bytes or the error that prevented it."""

    name: str
    caption: str
    png: bytes | None
    error: str = ""
    cached: bool = False


@dataclass
class Discrepancy:
    """A difference between a paper and the computation, with its explanation."""

    source: str
    title: str
    explanation: str  # markdown


# ----------------------------------------------------------------------------
# paths


def resolve_report_paths(path: str | os.PathLike[str]) -> ReportPaths:
    """``dir/`` -> ``dir/report.{html,md,json}``; ``x.html`` -> ``x.html``, ``x.md``, ``x.json``."""
    p = Path(path).expanduser()
    if p.suffix.lower() in (".html", ".htm"):
        return ReportPaths(p, p.with_suffix(".md"), p.with_suffix(".json"))
    if p.suffix and not p.is_dir():
        raise ValueError(f"--report {str(path)!r} must be a directory or end in .html")
    return ReportPaths(p / "report.html", p / "report.md", p / "report.json")


def check_writable(paths: ReportPaths) -> None:
    """Create the report's directory and probe it; a one-line ``ValueError`` when it fails."""
    d = paths.html.parent
    for f in (paths.html, paths.markdown, paths.json):
        if f.exists() and f.is_dir():
            raise ValueError(f"cannot write the report to {f}: it is a directory")
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".ringing-probe-", dir=d)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise ValueError(f"cannot write the report to {d}: {err.strerror or err}") from None
    for f in (paths.html, paths.markdown, paths.json):
        if f.exists() and not os.access(f, os.W_OK):
            raise ValueError(f"cannot write the report to {f}: permission denied")


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ----------------------------------------------------------------------------
# figures


@dataclass(frozen=True)
class _ImportFailed:
    """A figure module that does not import (its figures cannot be drawn)."""

    message: str

    def __call__(self, path: str | os.PathLike[str]) -> None:
        raise RuntimeError(self.message)


def _import_failed(modname: str, err: BaseException) -> Callable[..., Any]:
    msg = str(err).splitlines()[0] if str(err) else ""
    return _ImportFailed(f"{modname} does not import ({type(err).__name__}: {msg})")


def discover_figures() -> list[tuple[str, Callable[..., Any]]]:
    """``(module.function, fn)`` for every ``figure_*`` in ``ringing.validate.figures_*`` that
    can be called with ``path`` alone.  A module that does not import is listed as one figure
    whose drawing raises the import error (reported, never silently dropped)."""
    out: list[tuple[str, Callable[..., Any]]] = []
    here = str(Path(__file__).resolve().parent)
    for info in sorted(pkgutil.iter_modules([here]), key=lambda m: m.name):
        if not info.name.startswith("figures_"):
            continue
        modname = f"ringing.validate.{info.name}"
        try:
            mod = importlib.import_module(modname)
        except Exception as err:  # noqa: BLE001 - reported as a failed figure
            out.append((info.name, _import_failed(modname, err)))
            continue
        for name, fn in sorted(vars(mod).items()):
            if not (name.startswith("figure_") and callable(fn)
                    and getattr(fn, "__module__", "") == modname):
                continue
            try:
                sig = inspect.signature(fn)
            except (TypeError, ValueError):  # pragma: no cover
                continue
            params = sig.parameters
            required = [p for p in params.values() if p.default is inspect.Parameter.empty
                        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
            if "path" in params and [p.name for p in required] in (["path"], []):
                out.append((f"{info.name}.{name}", fn))
    return out


def _takes_device(fn: Callable[..., Any]) -> bool:
    try:
        return "device" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False


def _figure_key(name: str, fn: Callable[..., Any], device: str = "cpu") -> str:
    try:
        src = inspect.getsource(inspect.getmodule(fn))  # type: ignore[arg-type]
    except (OSError, TypeError):  # pragma: no cover
        src = ""
    ident: dict[str, str] = {"figure": name, "version": ringing.__version__,
                             "source": hashlib.sha256(src.encode()).hexdigest()}
    if device != "cpu" and _takes_device(fn):  # CPU keys unchanged
        ident["device"] = device
    text = json.dumps(ident, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _caption(fn: Callable[..., Any]) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


def _render_one(fn: Callable[..., Any], name: str, device: str = "cpu"
                ) -> tuple[bytes | None, str]:
    """Call one figure function into a temporary file (a figure that simulates gets
    ``device``); (PNG bytes, "") or (None, error)."""
    with tempfile.TemporaryDirectory(prefix="ringing-fig-") as tmp:
        target = Path(tmp) / f"{name}.png"
        try:
            res = fn(path=target, device=device) if _takes_device(fn) else fn(path=target)
            data = Path(res if res is not None else target).read_bytes()
            if not data.startswith(b"\x89PNG"):
                raise ValueError("the file written is not a PNG")
        except Exception as err:  # noqa: BLE001 - a failing figure is reported, not fatal
            msg = str(err).splitlines()[0] if str(err) else ""
            return None, f"{type(err).__name__}: {msg}"
    return data, ""


def render_figures(store: ResultStore | None, *, only: Sequence[str] | None = None,
                   workers: int = 1, show_progress: bool = True,
                   device: str = "cpu") -> list[Figure]:
    """Render (or fetch from the store) every discoverable figure, ``workers`` at a time;
    figures that simulate (a ``device`` argument) run on ``device``.

    Rendered PNGs are committed to the store one by one, so an interrupted run keeps them.
    """
    from ringing.runs.progress import progress

    found = [(n, fn) for n, fn in discover_figures() if only is None or n in only]
    figs: dict[str, Figure] = {}
    todo: list[tuple[str, Callable[..., Any], str]] = []
    for name, fn in found:
        key = _figure_key(name, fn, device)
        png = store.get_figure(key) if store is not None else None
        if png is not None:
            figs[name] = Figure(name, _caption(fn), png, cached=True)
        else:
            todo.append((name, fn, key))

    def done(name: str, fn: Callable[..., Any], key: str, data: bytes | None, err: str) -> None:
        if data is not None and store is not None:
            store.put_figure(key, name, data)
        figs[name] = Figure(name, _caption(fn), data, err)

    if workers <= 1 or len(todo) <= 1:
        for name, fn, key in progress(todo, total=len(todo), desc="figures",
                                      disable=None if show_progress else True):
            done(name, fn, key, *_render_one(fn, name, device))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        from ringing.runs.executors import default_workers, init_worker

        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                                 initializer=init_worker,
                                 initargs=(max(1, default_workers() // workers),)) as pool:
            futs = {pool.submit(_render_one, fn, name, device): (name, fn, key)
                    for name, fn, key in todo}
            for fut in progress(as_completed(futs), total=len(futs), desc="figures",
                                disable=None if show_progress else True):
                name, fn, key = futs[fut]
                try:
                    data, err = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker
                    data, err = None, f"{type(exc).__name__}: {exc}"
                done(name, fn, key, data, err)
    return [figs[n] for n, _ in found]


def figure_simulation_vs_theory(results: Sequence[ClaimResult], path: str | os.PathLike[str]
                                ) -> Path | None:
    """Simulation claims: the estimate and its 95% interval divided by the theory value."""
    sims = [r for r in results if r.kind == "simulation" and r.simulation is not None
            and r.theory not in (None, 0.0)]
    if not sims:
        return None
    from ringing.validate.plotting import pyplot, save_figure

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(sims) + 1.2))
    for i, r in enumerate(sims):
        th = float(r.theory)  # type: ignore[arg-type]
        lo, hi = r.simulation_ci if r.simulation_ci else (r.simulation, r.simulation)
        col = {"pass": "tab:green", "fail": "tab:red"}.get(r.verdict, "tab:orange")
        ax.errorbar([float(r.simulation) / th], [i],  # type: ignore[arg-type]
                    xerr=[[(float(r.simulation) - float(lo)) / abs(th)],  # type: ignore[arg-type]
                          [(float(hi) - float(r.simulation)) / abs(th)]],  # type: ignore
                    fmt="o", color=col, capsize=3)
        if r.paper is not None:
            ax.plot([r.paper / th], [i], "x", color="k")
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_yticks(range(len(sims)))
    ax.set_yticklabels([r.name for r in sims], fontsize=7)
    ax.set_xlabel("simulation / theory (95% CI over seeds); x: paper / theory")
    ax.invert_yaxis()
    return save_figure(fig, path, dpi=110)


# ----------------------------------------------------------------------------
# discrepancies

_FINDING_RE = re.compile(r"finding|discrepanc|errat|typo", re.IGNORECASE)


def _docs_dir() -> Path | None:
    d = Path(ringing.__file__).resolve().parents[1] / "docs"
    return d if d.is_dir() else None


def collect_discrepancies(results: Sequence[ClaimResult],
                          docs: Path | None = None) -> list[Discrepancy]:
    """Expected differences among ``results`` plus the findings sections of ``docs/*.md``."""
    out = [Discrepancy(f"claim {r.name} ({r.source})", r.statement, r.reason)
           for r in results if r.verdict == "expected-difference"]
    d = docs if docs is not None else _docs_dir()
    if d is None:
        return out
    for page in sorted(d.glob("*.md")):
        if page.name == "validate.md":  # this layer's own page lists the claims above
            continue
        try:
            lines = page.read_text(encoding="utf-8").splitlines()
        except OSError:  # pragma: no cover
            continue
        i = 0
        while i < len(lines):
            m = re.match(r"^(#{2,6})\s+(.*)$", lines[i])
            if m and _FINDING_RE.search(m.group(2)):
                level = len(m.group(1))
                body: list[str] = []
                j = i + 1
                while j < len(lines):
                    m2 = re.match(r"^(#{1,6})\s+", lines[j])
                    if m2 and len(m2.group(1)) <= level:
                        break
                    body.append(lines[j])
                    j += 1
                text = "\n".join(body).strip()
                if text:
                    out.append(Discrepancy(f"docs/{page.name}", m.group(2).strip(), text))
                i = j
            else:
                i += 1
    return out


# ----------------------------------------------------------------------------
# a small Markdown -> HTML converter (headings, lists, tables, code, emphasis)


def _inline(text: str) -> str:
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append(f"<code>{html.escape(p[1:-1])}</code>")
        else:
            e = html.escape(p)
            e = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", e)
            e = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", e)
            e = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', e)
            out.append(e)
    return "".join(out)


def markdown_to_html(md: str) -> str:
    """Convert the Markdown subset used in docs/ to HTML (escaped; no raw HTML passes)."""
    lines = md.splitlines()
    out: list[str] = []
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append("<p>" + _inline(" ".join(para)) + "</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s.startswith("```"):
            flush()
            j = i + 1
            code = []
            while j < len(lines) and not lines[j].strip().startswith("```"):
                code.append(lines[j])
                j += 1
            out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
            i = j + 1
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", s)
        if m:
            flush()
            lv = min(6, len(m.group(1)) + 2)
            out.append(f"<h{lv}>{_inline(m.group(2))}</h{lv}>")
            i += 1
            continue
        if s.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip().strip("|").split("|"))
                i += 1
            body = [r for r in rows if not all(re.fullmatch(r"\s*:?-{2,}:?\s*", c) for c in r)]
            t = ["<table>"]
            for k, r in enumerate(body):
                tag = "th" if k == 0 else "td"
                t.append("<tr>" + "".join(f"<{tag}>{_inline(c.strip())}</{tag}>" for c in r)
                         + "</tr>")
            t.append("</table>")
            out.append("".join(t))
            continue
        if re.match(r"^([-*]|\d+\.)\s+", s):
            flush()
            ordered = bool(re.match(r"^\d+\.", s))
            items: list[str] = []
            while i < len(lines):
                cur = lines[i].strip()
                mm = re.match(r"^([-*]|\d+\.)\s+(.*)$", cur)
                if mm:
                    items.append(mm.group(2))
                elif cur and items and lines[i].startswith((" ", "\t")):
                    items[-1] += " " + cur
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(it)}</li>" for it in items)
                       + f"</{tag}>")
            continue
        if not s:
            flush()
        else:
            para.append(s)
        i += 1
    flush()
    return "\n".join(out)


# ----------------------------------------------------------------------------
# writing


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    a = abs(v)
    if a != 0 and (a >= 1e6 or a < 1e-4):
        return f"{v:.6e}"
    return f"{v:.8g}"


def _ci(r: ClaimResult) -> str:
    if r.simulation is None:
        return "—"
    if r.simulation_ci is None:
        return _num(r.simulation)
    return f"{_num(r.simulation)} [{_num(r.simulation_ci[0])}, {_num(r.simulation_ci[1])}]"


def _ci_html(r: ClaimResult) -> str:
    """The estimate, and its interval on a second line."""
    if r.simulation is None or r.simulation_ci is None:
        return html.escape(_ci(r))
    return (f"{_num(r.simulation)}<br><small>[{_num(r.simulation_ci[0])}, "
            f"{_num(r.simulation_ci[1])}]</small>")


def _counts(results: Sequence[ClaimResult]) -> dict[str, int]:
    c = {v: 0 for v in VERDICTS}
    for r in results:
        c[r.verdict] = c.get(r.verdict, 0) + 1
    return c


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1200px;color:#222;line-height:1.45;padding:0 1em}
table{border-collapse:collapse;font-size:13px;margin:0.5em 0}
table.claims{width:100%;table-layout:fixed}
table.claims th:nth-child(1){width:27%}table.claims th:nth-child(2){width:8%}
table.claims th:nth-child(3){width:11%}table.claims th:nth-child(4){width:13%}
table.claims th:nth-child(5){width:10%}table.claims th:nth-child(6){width:14%}
table.claims td{overflow-wrap:anywhere}
.meta{font-size:13px;color:#444}
td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f0f0f0;text-align:left}
.pass{background:#dff5dd}.fail{background:#f9d6d5}.expected-difference{background:#fff0c7}
.error{background:#f3c0ff}.skipped{background:#e4e4e4}
.num{font-family:ui-monospace,Menlo,Consolas,monospace}
.label{display:block;font-size:11px;color:#555;font-family:system-ui,sans-serif;
white-space:normal}
figure{display:block;margin:1.2em 0;width:100%}
figure img{display:block;max-width:100%;height:auto;border:1px solid #ddd;cursor:zoom-in}
figure img.zoom{max-width:none;cursor:zoom-out}
figure .scroll{overflow-x:auto}
figcaption{font-size:13px;color:#444;margin-top:0.3em}
.summary span{display:inline-block;margin-right:1em;padding:2px 8px;border-radius:4px}
code,pre{background:#f6f6f6}
pre{padding:0.5em;overflow-x:auto}
table.legend{font-size:13px;background:#fafafa;width:100%}
table.legend td{border:none;border-bottom:1px solid #eee;padding:2px 8px}
table.legend td:first-child{font-weight:bold;white-space:nowrap;width:12em}
ul.findings li{margin-bottom:0.35em}
"""

#: what each column of the claims table means (HTML legend and Markdown report)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("claim", "the claim's identifier (its first part names the paper: see Papers below), "
              "what it states, and where in the paper"),
    ("verdict", "pass; fail; expected-difference (a documented difference with the paper, listed "
                "under Discrepancies with the papers); skipped (a requirement is missing); error"),
    ("computed", "the package's own value: an exact or numeric theory value, or the "
                 "claim's statistic, named in the cell when it is not a plain theory value "
                 "(Theorem claims: the margin, the smallest ratio of the two sides minus 1)"),
    ("simulation [95% CI]", "the torch measurement and its 95% interval over seeds"),
    ("compared with", "the paper's printed value, or the threshold the statistic must meet "
                      "(named in the cell)"),
    ("tolerance", "the rule that decides the verdict"),
    ("reason", "why a claim failed, differs or was skipped"),
)

_SEED_RE = re.compile(r"\b([Ss])eeds? (\d{3})((?:,? (?:and |& )?\d{3})*)")


def name_papers(text: str) -> str:
    """Replace the project's old paper labels ("seed 002", "seeds 001 and 003") in displayed
    text by the papers' short citations (:func:`ringing.papers.cite`); claim identifiers such
    as ``seed002/eq4.1`` are left alone."""
    from ringing.papers import by_seed, cite

    def one(m: re.Match[str]) -> str:
        nums = [m.group(2)] + re.findall(r"\d{3}", m.group(3) or "")
        try:
            names = [cite(by_seed(n).key) for n in nums]
        except ValueError:
            return m.group(0)
        joined = names[0] if len(names) == 1 else "; ".join(names)
        follows = m.string[m.end(): m.end() + 2]
        return joined + ("," if len(follows) == 2 and follows[0] == " "
                         and (follows[1].isalnum() or follows[1] == "§") else "")

    return _SEED_RE.sub(one, text)


def _labels(r: ClaimResult) -> dict[str, str]:
    lab = r.details.get("labels") if isinstance(r.details, dict) else None
    return {str(k): str(v) for k, v in lab.items()} if isinstance(lab, dict) else {}


_ABBREVIATIONS = {"app", "fig", "figs", "eq", "eqs", "sec", "thm", "e.g", "i.e", "vs", "cf",
                  "al", "approx", "resp", "no", "obs", "def", "prop"}


def _first_sentence(text: str, limit: int = 280, *, split: bool = True) -> str:
    """The first sentence of a finding (at least 40 characters; abbreviations such as "App."
    do not end it), cut at ``limit`` characters with an ellipsis."""
    kept = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("|", "!["))]
    flat = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", " ".join(" ".join(kept).split()))
    flat = re.sub(r"\[([^\]]+)\]\([^)\s]+\)", r"\1", flat)  # a link: its text
    flat = re.sub(r"\*\*|`|^[-*#]+\s+", "", flat).strip()
    out = flat
    if split:
        for m in re.finditer(r"[.;](?=\s|$)", flat):
            word = re.split(r"[\s(]", flat[: m.start()])[-1].lower()
            if m.start() >= 40 and word not in _ABBREVIATIONS and not word[-1:].isdigit():
                out = flat[: m.end()]
                break
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def finding_items(d: Discrepancy) -> list[tuple[str, str]]:
    """A finding as short ``(title, first sentence)`` items: one per sub-heading, else one per
    top-level list item, else one per paragraph of the section (markdown markers removed)."""
    lines = d.explanation.splitlines()
    heads = [i for i, ln in enumerate(lines) if re.match(r"^#{1,6}\s+", ln)]
    chunks: list[tuple[str, str]] = []
    if heads:
        for a, b in zip(heads, [*heads[1:], len(lines)], strict=True):
            title = re.sub(r"^#{1,6}\s+(\d+\.\s*)?", "", lines[a]).strip()
            chunks.append((title, "\n".join(lines[a + 1: b])))
    else:
        items: list[list[str]] = []
        for ln in lines:
            if re.match(r"^[-*]\s+", ln):
                items.append([ln[2:]])
            elif items and (ln.startswith((" ", "\t")) and ln.strip()):
                items[-1].append(ln.strip())
            elif ln.strip() and not items:
                items.append([ln.strip()])
            elif not ln.strip() and items and not re.match(r"^[-*]\s+", lines[0]):
                items.append([])
        for it in items:
            text = " ".join(it).strip()
            if not text:
                continue
            m = re.match(r"^\*\*(.+?)\*\*[.:]?\s*(.*)$", text)
            chunks.append((m.group(1).rstrip(".:"), m.group(2)) if m else (d.title, text))
    return [(_first_sentence(t, 160, split=False), _first_sentence(b)) for t, b in chunks
            if t or b]


def _doc_link(source: str) -> str | None:
    """``docs/page.md`` -> a file URI of the page in a source checkout (else None)."""
    if not source.startswith("docs/"):
        return None
    d = _docs_dir()
    return (d / source[len("docs/"):]).as_uri() if d is not None else None


def _cell(value: float | None, label: str | None, as_html: bool) -> str:
    """A number, preceded by its name when the claim gives one (a statistic, a threshold)."""
    if not label or value is None:
        return _num(value)
    return (f"<span class='label'>{html.escape(label)}</span>{_num(value)}" if as_html
            else f"{label}: {_num(value)}")


def _anchor(name: str) -> str:
    return "claim-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)


@dataclass
class Report:
    """The validation report: evaluated claims, figures, discrepancies and run metadata.

    Built by :func:`ringing.validate.run`; renders to HTML (:meth:`html`, self-contained with
    embedded figures), Markdown (:meth:`markdown`) and JSON (:meth:`json`), and writes all
    three with :meth:`write`.
    """

    results: list[ClaimResult]
    figures: list[Figure]
    discrepancies: list[Discrepancy]
    meta: dict[str, Any]

    @classmethod
    def build(cls, results: Sequence[ClaimResult], *, figures: Sequence[Figure] = (),
              meta: dict[str, Any] | None = None,
              discrepancies: Sequence[Discrepancy] | None = None) -> Report:
        """Fill in the metadata and the simulation-vs-theory figure."""
        m = dict(meta or {})
        m.setdefault("ringing_version", ringing.__version__)
        m.setdefault("generated",
                     _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
        m.setdefault("machine", f"{platform.node()} ({platform.machine()}, "
                                f"{os.cpu_count()} CPUs, Python {platform.python_version()})")
        disc = (list(discrepancies) if discrepancies is not None
                else collect_discrepancies(results))
        figs = list(figures)
        with tempfile.TemporaryDirectory(prefix="ringing-fig-") as tmp:
            p = figure_simulation_vs_theory(results, Path(tmp) / "sim.png")
            if p is not None:
                figs.insert(0, Figure("validate.simulation_vs_theory",
                                      "Simulation claims: estimate and 95% interval over seeds, "
                                      "relative to theory (x: the paper's value).",
                                      Path(p).read_bytes()))
        return cls(list(results), figs, disc, m)

    @property
    def counts(self) -> dict[str, int]:
        """Number of claims per verdict (every verdict listed, zeros included)."""
        return _counts(self.results)

    @property
    def ok(self) -> bool:
        """No claim failed or raised (skipped and expected differences are fine)."""
        return not any(r.verdict in ("fail", "error") for r in self.results)

    def verdicts(self) -> dict[str, str]:
        """``{claim name: verdict}``."""
        return {r.name: r.verdict for r in self.results}

    def html(self) -> str:
        """One self-contained HTML page (figures embedded as base64 PNG)."""
        return _html(self.results, self.figures, self.discrepancies, self.meta, self.counts)

    def markdown(self) -> str:
        """The Markdown summary."""
        return _markdown(self.results, self.figures, self.discrepancies, self.meta,
                         self.counts)

    def as_dict(self) -> dict[str, Any]:
        """The JSON summary as a dict."""
        return {
            "meta": self.meta, "counts": self.counts,
            "claims": [r.as_dict() for r in self.results],
            "discrepancies": [{"source": d.source, "title": d.title,
                               "explanation": d.explanation} for d in self.discrepancies],
            "figures": [{"name": f.name, "caption": f.caption, "ok": f.png is not None,
                         "error": f.error} for f in self.figures],
        }

    def json(self) -> str:
        """The JSON summary (no NaN)."""
        return json.dumps(self.as_dict(), indent=1, allow_nan=False) + "\n"

    def write(self, path: str | os.PathLike[str] | ReportPaths) -> ReportPaths:
        """Write the three files (each atomically): a directory gets ``report.html/.md/.json``,
        a ``.html`` path gets sibling ``.md``/``.json`` files."""
        paths = path if isinstance(path, ReportPaths) else resolve_report_paths(path)
        paths.html.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(paths.html, self.html().encode())
        _atomic_write(paths.markdown, self.markdown().encode())
        _atomic_write(paths.json, self.json().encode())
        return paths


def write_report(results: Sequence[ClaimResult], paths: ReportPaths, *,
                 figures: Sequence[Figure] = (), meta: dict[str, Any] | None = None,
                 discrepancies: Sequence[Discrepancy] | None = None) -> ReportPaths:
    """Write the HTML, Markdown and JSON report files (each atomically)."""
    return Report.build(results, figures=figures, meta=meta,
                        discrepancies=discrepancies).write(paths)


def _html(results: Sequence[ClaimResult], figs: Sequence[Figure], disc: Sequence[Discrepancy],
          meta: dict[str, Any], counts: dict[str, int]) -> str:
    from ringing.papers import PAPERS, reference

    e = html.escape

    def t(text: str) -> str:
        return e(name_papers(text))

    h = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
         "<meta name='viewport' content='width=device-width, initial-scale=1'>",
         "<title>ringing validation report</title>", f"<style>{_CSS}</style></head><body>",
         "<h1>ringing — validation report</h1>", "<p class='summary'>"]
    for k, v in counts.items():
        h.append(f"<span class='{k}'>{e(k)}: {v}</span>")
    h.append(f"<span>total: {len(results)}</span></p>")
    h.append("<p class='meta'>" + " · ".join(f"<b>{e(str(k))}</b>: {e(str(v))}"
                                             for k, v in meta.items() if v != "") + "</p>")
    h.append("<p><a href='#claims'>Claims</a> · <a href='#figures'>Figures</a> · "
             "<a href='#discrepancies'>Discrepancies with the papers (findings)</a> · "
             "<a href='#papers'>Papers</a></p>")
    # the claims first
    h.append("<h2 id='claims'>Claims</h2><table class='legend'>" + "".join(
        f"<tr><td>{e(c)}</td><td>{e(d)}</td></tr>" for c, d in COLUMNS) + "</table>")
    h.append("<table class='claims'><tr>" + "".join(f"<th>{e(c)}</th>" for c, _ in COLUMNS)
             + "</tr>")
    for r in results:
        lab = _labels(r)
        computed = _cell(r.theory, lab.get("theory"), True)
        reference_value = _cell(r.paper, lab.get("paper"), True)
        h.append(
            f"<tr class='{e(r.verdict)}' id='{_anchor(r.name)}'><td><b>{e(r.name)}</b><br>"
            f"<small>{t(r.statement)} — {t(r.source)}</small></td>"
            f"<td>{e(r.verdict)}</td><td class='num'>{computed}</td>"
            f"<td class='num'>{_ci_html(r)}</td><td class='num'>{reference_value}</td>"
            f"<td><small>{t(r.tolerance)}</small></td><td><small>{t(r.reason)}</small></td>"
            "</tr>")
    h.append("</table>")
    h.append("<h2 id='figures'>Figures</h2><p class='meta'>Click a figure to see it at its "
             "full resolution.</p>")
    for f in figs:
        if f.png is not None:
            b64 = base64.b64encode(f.png).decode()
            h.append(f"<figure><div class='scroll'><img alt='{e(f.name)}' "
                     f"onclick=\"this.classList.toggle('zoom')\" "
                     f"src='data:image/png;base64,{b64}'></div>"
                     f"<figcaption><b>{e(f.name)}</b>: {t(f.caption)}</figcaption></figure>")
    failed = [f for f in figs if f.png is None]
    if failed:
        h.append("<p>Figures that could not be drawn:</p><ul>" + "".join(
            f"<li>{e(f.name)}: {e(f.error)}</li>" for f in failed) + "</ul>")
    h.append("<h2 id='discrepancies'>Discrepancies with the papers (findings)</h2>")
    if not disc:
        h.append("<p>None found.</p>")
    else:
        h.append("<ul class='findings'>")
        for d in disc:
            if d.source.startswith("claim "):
                name = d.source[len("claim "):].split(" (")[0]
                where = f"<a href='#{_anchor(name)}'>claim {e(name)}</a>"
            else:
                uri = _doc_link(d.source)
                where = (f"<a href='{e(uri)}'>{e(d.source)}</a>" if uri else e(d.source))
            items = ([(_first_sentence(d.title, 160, split=False),
                       _first_sentence(d.explanation))] if d.source.startswith("claim ")
                     else finding_items(d))
            for title, body in items:
                h.append(f"<li><b>{t(title)}</b> — {where}" + (f": {t(body)}" if body else "")
                         + "</li>")
        h.append("</ul>")
    h.append("<h2 id='papers'>Papers</h2><ul>" + "".join(
        f"<li><b>{e(p.key)}</b> ({e(p.short_authors)}; claim prefix seed{e(p.seed)}): "
        f"{e(reference(p.key))}</li>" for p in PAPERS.values()) + "</ul>")
    h.append("</body></html>\n")
    return "\n".join(h)


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _markdown(results: Sequence[ClaimResult], figs: Sequence[Figure],
              disc: Sequence[Discrepancy], meta: dict[str, Any], counts: dict[str, int]
              ) -> str:
    from ringing.papers import PAPERS, reference

    m = ["# ringing — validation report", ""]
    m.append(", ".join(f"{k}: {v}" for k, v in counts.items()) + f"; total: {len(results)}")
    m.append("")
    m += [f"- {k}: {v}" for k, v in meta.items()]
    m += ["", "## Claims", ""]
    m += [f"- **{c}**: {d}" for c, d in COLUMNS]
    m += ["", "| claim | verdict | computed | simulation [95% CI] | compared with | reason |",
          "|---|---|---|---|---|---|"]
    for r in results:
        lab = _labels(r)
        m.append(f"| {_md_cell(r.name)} | {r.verdict} "
                 f"| {_md_cell(_cell(r.theory, lab.get('theory'), False))} "
                 f"| {_md_cell(_ci(r))} | {_md_cell(_cell(r.paper, lab.get('paper'), False))} "
                 f"| {_md_cell(name_papers(r.reason))} |")
    m += ["", "## Figures", ""]
    for f in figs:
        m.append(f"- {f.name}: " + (name_papers(f.caption) if f.png is not None
                                     else f"failed: {f.error}"))
    m += ["", "## Discrepancies with the papers (findings)", ""]
    if not disc:
        m.append("None found.")
    for d in disc:
        items = ([(_first_sentence(d.title, 160, split=False), _first_sentence(d.explanation))]
                 if d.source.startswith("claim ") else finding_items(d))
        m += [f"- **{name_papers(title)}** ({name_papers(d.source)})"
              + (f": {name_papers(body)}" if body
                                                               else "")
              for title, body in items]
    m += ["", "## Papers", ""]
    m += [f"- **{p.key}** (claim prefix seed{p.seed}): {reference(p.key)}"
          for p in PAPERS.values()]
    return "\n".join(m) + "\n"
