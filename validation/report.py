"""What a researcher reads: REPORT.md (findings first), one offline HTML page, ledger comparison.

Everything here is generated from the claims' fields (kind, status, section, summary, tolerance,
note, figures, coverage); no sentence is written by hand. Raw values stay in ``ledger.json`` and
``ledger.csv``.
"""
from __future__ import annotations

import base64
import html
import json
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any, Iterable, Sequence

from .ledger import KINDS, STATUSES, VERDICTS, compare_ledgers

#: suite short name → the paper's title (../shared/papers/README.md)
PAPER_TITLES = {
    "convsim": "Feature Map Similarity Reduction in CNNs (Convolutional Similarity)",
    "lcr": "Lipschitz Continuity Retained Binary Neural Network (LCR-BNN)",
    "cdg": "Channel-Directed Gradients for Optimization of CNNs",
    "dhkd": "Dual-Head Knowledge Distillation (DHKD)",
}
STATUS_ORDER = {s: i for i, s in enumerate(("refuted", "deviates", "inconclusive", "confirmed", "reported",
                                            "not-run", "not-testable-offline"))}


def suite_of(claim: dict) -> str:
    return claim["id"].split(".", 1)[0]


def by_suite(claims: Iterable[dict]) -> "OrderedDict[str, list[dict]]":
    out: OrderedDict[str, list[dict]] = OrderedDict()
    for c in claims:
        out.setdefault(suite_of(c), []).append(c)
    return out


def by_section(claims: Iterable[dict]) -> "OrderedDict[str, list[dict]]":
    """Claims grouped by their ``section``, in order of first appearance."""
    out: OrderedDict[str, list[dict]] = OrderedDict()
    for c in claims:
        out.setdefault(c.get("section") or c["where"], []).append(c)
    return out


def kind_status_counts(claims: Sequence[dict]) -> dict[str, dict[str, int]]:
    out = {}
    for k in KINDS:
        cnt = Counter(c["status"] for c in claims if c.get("kind") == k)
        if cnt:
            out[k] = {s: cnt.get(s, 0) for s in STATUSES}
    return out


def _stale(claims: Sequence[dict]) -> list[str]:
    runs: set[str] = set()
    for c in claims:
        m = c.get("measured")
        for src in (c.get("stale_runs"), m.get("stale_runs") if isinstance(m, dict) else None):
            runs.update(src or [])
    return sorted(runs)


def _power(c: dict) -> str:
    m = c.get("measured")
    if not isinstance(m, dict):
        return ""
    parts = [f"{k} {m[k]:.3g}" if isinstance(m[k], (int, float)) else f"{k} {m[k]}"
             for k in ("n", "effect", "sd", "mde") if k in m]
    return ("; " + ", ".join(parts)) if parts else ""


def findings(claims: Sequence[dict]) -> list[str]:
    """One sentence per important finding: refuted and deviating paper claims (statements, numbers,
    consistency) first, then inconclusive claims with their power."""
    out = []
    verdicts = [c for c in claims if c["status"] in ("refuted", "deviates") and c.get("kind") != "derived"]
    verdicts.sort(key=lambda c: (STATUS_ORDER[c["status"]], KINDS.index(c.get("kind", "paper-statement"))))
    for c in verdicts:
        out.append(f"**{c['status']}** ({c.get('kind')}, {c['where']}): {c['statement']} — "
                   f"{c.get('summary') or ''} (`{c['id']}`)")
    for c in claims:
        if c["status"] == "inconclusive":
            out.append(f"**inconclusive** ({c.get('evidence')}, {c['where']}): {c['statement']} — "
                       f"{c.get('summary') or ''}{_power(c)} (`{c['id']}`)")
    return out


def figure_files(results_root: Path | None, fig_ids: Iterable[str]) -> dict[str, list[Path]]:
    """{figure id: [PNG files]} of the figures that exist under ``<results_root>/figures/<ID>/``."""
    out: dict[str, list[Path]] = {}
    if results_root is None:
        return out
    for fid in fig_ids:
        folder = Path(results_root) / "figures" / fid
        pngs = sorted(folder.glob("*.png")) if folder.is_dir() else []
        if pngs:
            out[fid] = pngs
    return out


def _md_counts_table(counts: dict[str, dict[str, int]]) -> list[str]:
    lines = ["| kind | " + " | ".join(STATUSES) + " | total |", "|---|" + "---|" * (len(STATUSES) + 1)]
    for kind, cnt in counts.items():
        lines.append(f"| {kind} | " + " | ".join(str(cnt[s]) for s in STATUSES) + f" | {sum(cnt.values())} |")
    return lines


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(ledger: dict, bench: dict | None = None, run_dir: Path | None = None) -> str:
    """REPORT.md: provenance, then per paper a headline block (coverage, counts by kind and status,
    stale runs, findings), then the claims grouped by paper section."""
    run, claims = ledger["run"], ledger["claims"]
    results_root = Path(run_dir).parent if run_dir is not None else None
    lines = [f"# Validation report `{run['id']}`", "",
             f"- time: {run['time']}", f"- preset: {run['preset']}", f"- suites: {', '.join(run.get('suites', []))}",
             f"- seeds: {run['seeds']}", f"- git commit: {run['git_commit']}",
             f"- command: `{' '.join(run['argv'])}`"]
    if run.get("episodes") is not None:
        lines.append(f"- **reduced scale:** `--episodes {run['episodes']}` — the paper's studies use more "
                     "episodes; Monte-Carlo claims are less precise and may deviate or flip for that reason alone.")
    lines += ["", "## All papers", "", "`derived` claims are this workbench's own relations (evidence), "
              "kept apart from the verdicts on the papers.", ""]
    lines += _md_counts_table(kind_status_counts(claims))
    chance = run.get("chance_deviations")
    if chance is not None:
        lines += ["", f"If every paper number decided by a Monte-Carlo rule were right, about **{chance:.3g}** "
                  "of their verdicts would still come out non-confirmed by chance (the sum of the rules' "
                  "false-alarm rates, 0.0027 per 3-standard-error comparison)."]
    cov = run.get("coverage") or {}
    for suite, sc in by_suite(claims).items():
        title = PAPER_TITLES.get(suite, sc[0]["paper"])
        lines += ["", f"## {suite}: {title}", ""]
        c = cov.get(suite)
        if c:
            lines.append(f"- **coverage:** {c['covered']} of {c['items']} declared items covered"
                         f" ({c['not_checkable']} not checkable, reason given)"
                         + (f"; uncovered: {', '.join(c['uncovered'])}" if c.get("uncovered") else ""))
        stale = _stale(sc)
        lines.append(f"- **stale runs:** {len(stale)}" + (f" ({', '.join(stale[:10])})" if stale else ""))
        if run.get("episodes") is not None:
            lines.append(f"- **reduced scale** (`--episodes {run['episodes']}`)")
        lines += [""] + _md_counts_table(kind_status_counts(sc))
        f = findings(sc)
        if f:
            lines += ["", "### Findings", ""] + [f"{i}. {s}" for i, s in enumerate(f, 1)]
        lines += ["", "### Claims by section"]
        for section, cs in by_section(sc).items():
            lines += ["", f"#### {section}", ""]
            for cl in cs:
                figs = figure_files(results_root, cl.get("figures") or [])
                links = ", ".join(f"[{fid}]({p.relative_to(results_root).as_posix() if results_root else p})"
                                  for fid, ps in figs.items() for p in ps[:1])
                if results_root is not None and links:
                    links = links.replace("](", "](../")
                lines.append(f"- **{cl['status']}** `{cl['id']}` ({cl.get('kind')}, {cl.get('evidence')}): "
                             f"{_md_cell(cl.get('summary') or '')}. *Rule:* {_md_cell(cl['tolerance'])}."
                             + (f" *Note:* {_md_cell(cl['note'])}" if cl.get("note") else "")
                             + (f" *Figures:* {links}" if links else ""))
    if bench:
        lines += ["", "## Speed (from `workbench bench`; not part of the ledger)", "", "```json",
                  json.dumps(bench, indent=2), "```"]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:1.5em auto;max-width:1200px;
color:#1d1d1f;line-height:1.4;padding:0 1em}
h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:2px solid #ddd}h3{margin-top:1.2em}
table.counts{border-collapse:collapse;font-size:.9em}table.counts td,table.counts th{border:1px solid #ccc;padding:2px 6px;text-align:right}
.claim{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;margin:.4em 0;padding:.4em .6em}
.claim .id{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em;color:#333}
.st{font-weight:600;padding:0 .4em;border-radius:3px;color:#fff}
.s-confirmed{border-left-color:#2e7d32}.st.s-confirmed{background:#2e7d32}
.s-deviates{border-left-color:#ef6c00}.st.s-deviates{background:#ef6c00}
.s-refuted{border-left-color:#c62828}.st.s-refuted{background:#c62828}
.s-inconclusive{border-left-color:#6a1b9a}.st.s-inconclusive{background:#6a1b9a}
.s-reported{border-left-color:#546e7a}.st.s-reported{background:#546e7a}
.s-not-run,.s-not-testable-offline{border-left-color:#9e9e9e}.st.s-not-run,.st.s-not-testable-offline{background:#9e9e9e}
.meta{color:#555;font-size:.85em}.note{font-size:.9em;color:#333}
.filters{position:sticky;top:0;background:#fafafa;border:1px solid #ddd;padding:.5em;z-index:2}
.filters label{margin-right:1em}img.fig{max-width:100%;border:1px solid #eee;margin:.3em 0}
details summary{cursor:pointer;color:#1a5fb4}
"""

_JS = """
function applyFilters(){
  var p=document.getElementById('f-paper').value,k=document.getElementById('f-kind').value,
      s=document.getElementById('f-status').value,q=document.getElementById('f-text').value.toLowerCase();
  var shown=0;
  document.querySelectorAll('.claim').forEach(function(el){
    var ok=(!p||el.dataset.paper===p)&&(!k||el.dataset.kind===k)&&(!s||el.dataset.status===s)&&
           (!q||el.textContent.toLowerCase().indexOf(q)>=0);
    el.style.display=ok?'':'none'; if(ok)shown++;});
  document.querySelectorAll('.section').forEach(function(sec){
    var any=Array.prototype.some.call(sec.querySelectorAll('.claim'),function(c){return c.style.display!=='none';});
    sec.style.display=any?'':'none';});
  document.getElementById('f-count').textContent=shown+' claims shown';
}
"""


def _h(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _counts_html(counts: dict[str, dict[str, int]]) -> str:
    head = "".join(f"<th>{_h(s)}</th>" for s in STATUSES)
    rows = "".join(f"<tr><th>{_h(k)}</th>" + "".join(f"<td>{v[s]}</td>" for s in STATUSES)
                   + f"<td>{sum(v.values())}</td></tr>" for k, v in counts.items())
    return f'<table class="counts"><tr><th>kind</th>{head}<th>total</th></tr>{rows}</table>'


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def render_html(ledger: dict, run_dir: Path | None = None) -> str:
    """One self-contained page: every claim with its id, filters by paper / kind / status, the
    figures embedded as data URIs; no network access of any kind."""
    run, claims = ledger["run"], ledger["claims"]
    results_root = Path(run_dir).parent if run_dir is not None else None
    suites = list(by_suite(claims))
    opts = lambda values: "".join(f'<option value="{_h(v)}">{_h(v)}</option>' for v in values)  # noqa: E731
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Validation report {_h(run['id'])}</title><style>{_CSS}</style><script>{_JS}</script></head>",
        '<body onload="applyFilters()">', f"<h1>Validation report <code>{_h(run['id'])}</code></h1>",
        f'<p class="meta">time {_h(run["time"])} · preset {_h(run["preset"])} · seeds {_h(run["seeds"])} · '
        f'git {_h(run["git_commit"])} · command <code>{_h(" ".join(run["argv"]))}</code></p>',
    ]
    if run.get("episodes") is not None:
        parts.append(f'<p><strong>Reduced scale:</strong> <code>--episodes {_h(run["episodes"])}</code>; '
                     "Monte-Carlo claims are less precise than at the paper's scale.</p>")
    parts.append("<h2>All papers</h2>" + _counts_html(kind_status_counts(claims)))
    if run.get("chance_deviations") is not None:
        parts.append(f"<p>Expected non-confirmed verdicts by chance alone among Monte-Carlo comparisons: "
                     f"<strong>{float(run['chance_deviations']):.3g}</strong>.</p>")
    parts.append(
        '<div class="filters"><label>paper <select id="f-paper" onchange="applyFilters()"><option value="">all'
        f"</option>{opts(suites)}</select></label>"
        '<label>kind <select id="f-kind" onchange="applyFilters()"><option value="">all</option>'
        f"{opts(KINDS)}</select></label>"
        '<label>status <select id="f-status" onchange="applyFilters()"><option value="">all</option>'
        f"{opts(STATUSES)}</select></label>"
        '<label>text <input id="f-text" oninput="applyFilters()" size="24"></label>'
        '<span id="f-count" class="meta"></span></div>')
    cov = run.get("coverage") or {}
    for suite, sc in by_suite(claims).items():
        parts.append(f'<h2 id="paper-{_h(suite)}">{_h(suite)}: {_h(PAPER_TITLES.get(suite, sc[0]["paper"]))}</h2>')
        c = cov.get(suite)
        if c:
            unc = f"; uncovered: {_h(', '.join(c['uncovered']))}" if c.get("uncovered") else ""
            parts.append(f"<p><strong>Coverage:</strong> {c['covered']} of {c['items']} declared items "
                         f"({c['not_checkable']} not checkable){unc}. "
                         f"<strong>Stale runs:</strong> {len(_stale(sc))}.</p>")
        parts.append(_counts_html(kind_status_counts(sc)))
        f = findings(sc)
        if f:
            import re

            items = "".join("<li>" + re.sub(r"`([^`]*)`", r"<code>\1</code>",
                                            re.sub(r"\*\*([^*]*)\*\*", r"<strong>\1</strong>", _h(s))) + "</li>"
                            for s in f)
            parts.append(f"<h3>Findings</h3><ol>{items}</ol>")
        for section, cs in by_section(sc).items():
            parts.append(f'<div class="section"><h3>{_h(section)}</h3>')
            for cl in cs:
                st = cl["status"]
                figs = figure_files(results_root, cl.get("figures") or [])
                fig_html = "".join(
                    f'<details><summary>figure {_h(fid)}</summary>'
                    + "".join(f'<img class="fig" alt="{_h(fid)}" src="{_data_uri(p)}">' for p in ps) + "</details>"
                    for fid, ps in figs.items())
                evidence = _h(json.dumps(cl.get("measured"), indent=1)[:4000])
                parts.append(
                    f'<div class="claim s-{_h(st)}" data-paper="{_h(suite)}" data-kind="{_h(cl.get("kind"))}" '
                    f'data-status="{_h(st)}" id="{_h(cl["id"])}">'
                    f'<span class="st s-{_h(st)}">{_h(st)}</span> <span class="id">{_h(cl["id"])}</span> '
                    f'<span class="meta">{_h(cl.get("kind"))} · {_h(cl.get("evidence"))} · {_h(cl["where"])}</span>'
                    f'<div>{_h(cl["statement"])}</div><div><strong>{_h(cl.get("summary") or "")}</strong></div>'
                    f'<div class="meta">rule: {_h(cl["tolerance"])}</div>'
                    + (f'<div class="note">{_h(cl["note"])}</div>' if cl.get("note") else "")
                    + f"<details><summary>evidence</summary><pre>{evidence}</pre></details>{fig_html}</div>")
            parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ----------------------------------------------------------------------------- comparison

def regressions(diff: dict, a: dict, b: dict) -> list[str]:
    """Claims that left ``confirmed`` (changed status or removed), and compared numbers that left
    their ``accept`` interval (a verdict that turned into ``deviates``)."""
    ca = {c["id"]: c for c in a["claims"]}
    out = [f"{r['id']}: {r['a']} -> {r['b']}" for r in diff["status_changed"]
           if r["a"] == "confirmed" or (r["b"] == "deviates" and ca[r["id"]].get("accept") is not None)]
    out += [f"{i}: confirmed -> removed" for i in diff["removed"] if ca[i]["status"] == "confirmed"]
    return out


def compare(a: dict | Path | str, b: dict | Path | str) -> tuple[dict, list[str]]:
    """(compare_ledgers(a, b), regressions) for two ledgers, ledger files or run folders."""
    from .ledger import _as_ledger

    la, lb = _as_ledger(a), _as_ledger(b)
    diff = compare_ledgers(la, lb)
    return diff, regressions(diff, la, lb)


__all__ = ["render_markdown", "render_html", "findings", "compare", "regressions", "by_suite", "by_section",
           "kind_status_counts", "PAPER_TITLES", "VERDICTS"]
