"""`make reference`: the committed quick tier — run records, figures and the reference ledger.

``python -m workbench.reference [--out results/reference/quick] [--only ID ...] [--commit]``

1. For every figure that has a ``quick`` preset (cheapest measured first), make its missing runs
   and its files with ``workbench figures --only ID --preset quick --out OUT`` (one process per
   figure: a failing figure is reported and the next one goes on). A figure whose runs are all
   finished and not stale, and whose ``timing.json`` exists, is skipped, so the command is
   resumable: stop it at any time and start it again.
2. With ``--commit``, each figure's small records are committed as soon as it finishes
   (``git commit -- OUT/runs OUT/figures/ID``): configs, metrics, status, fingerprints, logs and
   the small derived results the suites read. Checkpoints are ignored by ``.gitignore``
   (``results/reference/*/runs/*/checkpoint.pt``), so a fresh clone holds records, not weights.
3. ``workbench validate --suite all --preset quick --out OUT`` rebuilds the reference ledger from
   the records (no training; stale records are marked) and REPORT.md; ``--commit`` commits them.

The committed folder must stay under :data:`SIZE_LIMIT_MB` (checked at the end; the largest
folders are named when it is not).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path("results/reference/quick")
SIZE_LIMIT_MB = 30.0
PRESET = "quick"


def quick_figures(preset: str = PRESET) -> list[str]:
    """Figure IDs that define ``preset``, cheapest measured first (unmeasured ones last, by ID)."""
    from figures.pipeline import FIGURES, has_preset, measured_minutes

    table = measured_minutes()

    def cost(fid):
        row = table.get((fid, preset))
        return (0, float(row["minutes"])) if row and row.get("minutes") else (1, 0.0)

    return sorted((f for f in FIGURES if has_preset(f, preset)), key=lambda f: (cost(f), f))


def figure_state(fid: str, out: Path, preset: str = PRESET) -> dict:
    """{"missing": runs the cache lacks, "stale": stale finished runs, "made": timing.json exists}."""
    from analysis.nets.cache import find_run
    from analysis.nets.config import load_experiment
    from analysis.nets.fingerprint import is_stale
    from figures.pipeline import experiments_of

    missing = stale = 0
    for name in experiments_of(fid, preset):
        for _, cfg in load_experiment(name, preset).runs(0):
            run = find_run(cfg, out)
            if run is None:
                missing += 1
            elif is_stale(run.dir):
                stale += 1
    return {"missing": missing, "stale": stale, "made": (out / "figures" / fid / "timing.json").exists()}


def tracked_size_mb(out: Path) -> tuple[float, list[tuple[str, float]]]:
    """Size in MB of what git would commit under ``out`` (ignored files excluded), and the five
    largest first-level folders under ``out/runs`` and ``out/figures``."""
    res = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z", "--", str(out)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    sizes: dict[str, float] = {}
    total = 0
    for rel in filter(None, res.stdout.split("\0")):
        p = ROOT / rel
        if not p.is_file():
            continue
        n = p.stat().st_size
        total += n
        parts = Path(rel).relative_to(out).parts if Path(rel).is_relative_to(out) else Path(rel).parts
        key = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
        sizes[key] = sizes.get(key, 0) + n
    top = sorted(((k, v / 2**20) for k, v in sizes.items()), key=lambda kv: -kv[1])[:5]
    return total / 2**20, top


def record_measured_minutes(fid: str, out: Path, machine: str = "2-core CPU (make reference)") -> bool:
    """Copy a complete ``OUT/figures/ID/timing.json`` (every run made in that call) into the
    committed table ``figures/timings.csv`` (replacing that figure's quick row); False if the
    timing is not a full measurement."""
    import csv
    import io

    from figures.pipeline import TIMINGS

    path = out / "figures" / fid / "timing.json"
    if not path.exists():
        return False
    t = json.loads(path.read_text())
    if not t.get("complete"):
        return False
    text = TIMINGS.read_text() if TIMINGS.exists() else ""
    head = [l for l in text.splitlines() if l.startswith("#")]
    body = [l for l in text.splitlines() if l and not l.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(body)))) if body else []
    cols = ["figure", "preset", "minutes", "workers", "machine", "date", "how"]
    rows = [r for r in rows if not (r["figure"] == fid and r["preset"] == t["preset"])]
    rows.append({"figure": fid, "preset": t["preset"], "minutes": t["minutes"], "workers": t["workers"],
                 "machine": machine, "date": t["date"],
                 "how": f"timing.json of `make reference` ({t['runs_total']} runs)"})
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    from validation.ledger import atomic_write_text

    atomic_write_text(TIMINGS, "\n".join(head) + ("\n" if head else "") + buf.getvalue())
    return True


def eta_minutes(ids: list[str], preset: str = PRESET) -> tuple[float, list[str]]:
    """Measured minutes of figures ``ids`` (figures/timings.csv) and the unmeasured ones."""
    from figures.pipeline import measured_minutes

    table = measured_minutes()
    known = [float(table[(f, preset)]["minutes"]) for f in ids if (f, preset) in table]
    return sum(known), [f for f in ids if (f, preset) not in table]


def _git_commit(paths: list[Path], message: str) -> None:
    rels = [str(p) for p in paths if (ROOT / p).exists()]
    if not rels:
        return
    subprocess.run(["git", "add", "--", *rels], cwd=ROOT, check=True)
    staged = subprocess.run(["git", "diff", "--cached", "--quiet", "--", *rels], cwd=ROOT)
    if staged.returncode == 0:
        print(f"  nothing new to commit for {', '.join(rels)}", file=sys.stderr)
        return
    subprocess.run(["git", "commit", "-q", "-m", message, "--", *rels], cwd=ROOT, check=True)


def make_figure(fid: str, out: Path, workers: int, progress: bool) -> int:
    cmd = [sys.executable, "-m", "workbench.cli", "figures", "--only", fid, "--preset", PRESET,
           "--out", str(out), "--workers", str(workers)]
    if not progress:
        cmd.append("--no-progress")
    state = figure_state(fid, out)
    if state["stale"]:
        cmd.append("--refresh")
    return subprocess.run(cmd, cwd=ROOT).returncode


def rebuild_ledger(out: Path) -> int:
    """validate → OUT/ledger.json (the reference) and OUT/REPORT.md, from the records only."""
    cmd = [sys.executable, "-m", "workbench.cli", "validate", "--suite", "all", "--preset", PRESET,
           "--out", str(out), "--no-progress", "--reference", str(out / "ledger.json"), "--update-reference"]
    rc = subprocess.run(cmd, cwd=ROOT).returncode
    for d in out.glob("2*-all-*"):                  # the run folder validate made: the ledger is copied
        shutil.rmtree(d, ignore_errors=True)
    from validation.ledger import atomic_write_text, load_ledger
    from validation.report import render_markdown

    atomic_write_text(out / "REPORT.md", render_markdown(load_ledger(out)))
    return rc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m workbench.reference", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--only", nargs="+", metavar="ID", help="these figures only (default: every quick figure)")
    ap.add_argument("--commit", action="store_true", help="git-commit each figure's records as it finishes")
    ap.add_argument("--ledger-only", action="store_true", help="rebuild the ledger from the records; train nothing")
    ap.add_argument("--skip-ledger", action="store_true", help="make the records only; do not rebuild the ledger")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    out = args.out
    failed: list[str] = []
    if not args.ledger_only:
        ids = args.only or quick_figures()
        states = {fid: figure_state(fid, out) for fid in ids}
        todo = [f for f in ids if not (states[f]["made"] and not states[f]["missing"] and not states[f]["stale"])]
        eta, unknown = eta_minutes(todo)
        print(f"{len(todo)} of {len(ids)} figure(s) to make; ETA {eta:.0f} min from measured timings"
              + (f" + {len(unknown)} unmeasured ({', '.join(unknown)})" if unknown else ""), file=sys.stderr)
        for i, fid in enumerate(ids, 1):
            state = states[fid]
            if fid not in todo:
                print(f"[{i}/{len(ids)}] {fid}: records complete, skipped", file=sys.stderr)
                continue
            print(f"[{i}/{len(ids)}] {fid}: {state['missing']} run(s) to make, {state['stale']} stale",
                  file=sys.stderr)
            t0 = time.perf_counter()
            rc = make_figure(fid, out, args.workers, not args.no_progress)
            print(f"[{i}/{len(ids)}] {fid}: rc {rc} after {(time.perf_counter() - t0) / 60:.1f} min",
                  file=sys.stderr)
            if rc != 0:
                failed.append(fid)
                continue
            measured = record_measured_minutes(fid, out)
            if args.commit:
                from figures.pipeline import TIMINGS

                paths = [out / "runs", out / "figures" / fid] + ([TIMINGS.relative_to(ROOT)] if measured else [])
                _git_commit(paths, f"reference: quick records of {fid}")
    if args.skip_ledger:
        return 1 if failed else 0
    rc = rebuild_ledger(out)
    if args.commit:
        _git_commit([out / "ledger.json", out / "REPORT.md"], "reference: quick ledger rebuilt from the records")
    size, top = tracked_size_mb(out)
    print(f"{out}: {size:.1f} MB committed-size (limit {SIZE_LIMIT_MB:g} MB)", file=sys.stderr)
    if size > SIZE_LIMIT_MB:
        print("largest: " + ", ".join(f"{k} {v:.1f} MB" for k, v in top), file=sys.stderr)
        return 1
    if failed:
        print(f"figures that failed: {', '.join(failed)} (see their run logs; rerun to resume)", file=sys.stderr)
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
