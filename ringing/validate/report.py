"""The comparison report: one self-contained HTML file plus Markdown and JSON summaries.

* Per claim: the theory value, the simulated estimate with its 95% interval, the paper's
  printed value, the tolerance model, the verdict and its reason.
* Every figure the other layers provide: each ``figure_*`` function of the modules
  ``ringing.validate.figures_*`` whose only required argument is ``path`` is called, and the PNG
  is embedded as base64 (cached in the results store, keyed by the function, its module's source
  and the package version).  A figure that fails is listed with its error, never fatal.
* "Discrepancies with the papers": every claim with verdict ``expected-difference`` and every
  "Findings"/"Discrepancies" section of the pages in ``docs/`` (when the package runs from a
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


def _counts(results: Sequence[ClaimResult]) -> dict[str, int]:
    c = {v: 0 for v in VERDICTS}
    for r in results:
        c[r.verdict] = c.get(r.verdict, 0) + 1
    return c


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1400px;color:#222;line-height:1.4;padding:0 1em}
table{border-collapse:collapse;font-size:13px;margin:0.5em 0}
table.claims{width:100%}
table.claims td:first-child{width:34%}
table.claims td:nth-child(6){width:16%}
table.claims td:last-child{width:22%}
.meta{font-size:13px;color:#444}
td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f0f0f0}
.pass{background:#dff5dd}.fail{background:#f9d6d5}.expected-difference{background:#fff0c7}
.error{background:#f3c0ff}.skipped{background:#e4e4e4}
.num{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
figure{display:inline-block;margin:0.5em;max-width:440px;vertical-align:top}
figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:12px;color:#555}
.summary span{display:inline-block;margin-right:1em;padding:2px 8px;border-radius:4px}
code,pre{background:#f6f6f6}
pre{padding:0.5em;overflow-x:auto}
.disc{border-left:4px solid #e0b000;padding-left:0.8em;margin:0.8em 0}
"""


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
    e = html.escape
    h = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
         "<title>ringing validation report</title>", f"<style>{_CSS}</style></head><body>",
         "<h1>ringing — validation report</h1>", "<p class='summary'>"]
    for k, v in counts.items():
        h.append(f"<span class='{k}'>{e(k)}: {v}</span>")
    h.append(f"<span>total: {len(results)}</span></p>")
    h.append("<p class='meta'>" + " · ".join(f"<b>{e(str(k))}</b>: {e(str(v))}"
                                             for k, v in meta.items() if v != "") + "</p>")
    h.append("<p><a href='#figures'>Figures</a> · <a href='#discrepancies'>Discrepancies with "
             "the papers</a> · <a href='#claims'>Claims</a></p>")
    h.append("<h2 id='figures'>Figures</h2>")
    for f in figs:
        if f.png is not None:
            b64 = base64.b64encode(f.png).decode()
            h.append(f"<figure><img alt='{e(f.name)}' src='data:image/png;base64,{b64}'>"
                     f"<figcaption><b>{e(f.name)}</b>: {e(f.caption)}</figcaption></figure>")
    failed = [f for f in figs if f.png is None]
    if failed:
        h.append("<p>Figures that could not be drawn:</p><ul>" + "".join(
            f"<li>{e(f.name)}: {e(f.error)}</li>" for f in failed) + "</ul>")
    h.append("<h2 id='discrepancies'>Discrepancies with the papers</h2>")
    if not disc:
        h.append("<p>None found.</p>")
    for d in disc:
        h.append(f"<div class='disc'><h4>{e(d.title)} <small>({e(d.source)})</small></h4>"
                 f"{markdown_to_html(d.explanation)}</div>")
    h.append("<h2 id='claims'>Claims</h2><table class='claims'><tr><th>claim</th>"
             "<th>verdict</th><th>theory</th><th>simulation [95% CI]</th><th>paper</th>"
             "<th>tolerance</th><th>reason</th></tr>")
    for r in results:
        h.append(
            f"<tr class='{e(r.verdict)}'><td><b>{e(r.name)}</b><br>"
            f"<small>{e(r.statement)} — {e(r.source)}</small></td>"
            f"<td>{e(r.verdict)}</td><td class='num'>{_num(r.theory)}</td>"
            f"<td class='num'>{e(_ci(r))}</td><td class='num'>{_num(r.paper)}</td>"
            f"<td><small>{e(r.tolerance)}</small></td><td><small>{e(r.reason)}</small></td></tr>")
    h.append("</table>")
    h.append("</body></html>\n")
    return "\n".join(h)


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _markdown(results: Sequence[ClaimResult], figs: Sequence[Figure],
              disc: Sequence[Discrepancy], meta: dict[str, Any], counts: dict[str, int]
              ) -> str:
    m = ["# ringing — validation report", ""]
    m.append(", ".join(f"{k}: {v}" for k, v in counts.items()) + f"; total: {len(results)}")
    m.append("")
    m += [f"- {k}: {v}" for k, v in meta.items()]
    m += ["", "## Claims", "",
          "| claim | verdict | theory | simulation [95% CI] | paper | reason |",
          "|---|---|---|---|---|---|"]
    for r in results:
        m.append(f"| {_md_cell(r.name)} | {r.verdict} | {_num(r.theory)} | {_md_cell(_ci(r))} "
                 f"| {_num(r.paper)} | {_md_cell(r.reason)} |")
    m += ["", "## Discrepancies with the papers", ""]
    if not disc:
        m.append("None found.")
    for d in disc:
        m += [f"### {d.title} ({d.source})", "", d.explanation, ""]
    m += ["", "## Figures", ""]
    for f in figs:
        m.append(f"- {f.name}: " + (f.caption if f.png is not None else f"failed: {f.error}"))
    return "\n".join(m) + "\n"
