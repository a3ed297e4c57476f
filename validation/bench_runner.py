"""`workbench bench --suite S`: run one registered benchmark; optionally store bench.json."""
from __future__ import annotations

import json
from pathlib import Path

from .ledger import atomic_write_text, load_ledger, render_report
from .registry import BENCHES, SuiteContext, resolve


def run_bench(name: str, ctx: SuiteContext, repeats: int | None = None, out: Path | None = None) -> dict:
    """Run benchmark ``name``; with ``out`` merge the result into bench.json of the newest run
    folder under ``out`` (the report then shows it beside the ledger)."""
    (name,) = resolve(name, BENCHES)
    options = dict(ctx.options)
    if repeats is not None:
        options["repeats"] = repeats
    ctx = SuiteContext(**{**ctx.__dict__, "options": options})
    result = {"suite": name, **BENCHES[name].func(ctx)}
    if out is not None:
        write_bench(Path(out), name, result)
    return result


def write_bench(out: Path, name: str, result: dict) -> Path:
    runs = sorted(out.glob("*/ledger.json"), key=lambda p: p.stat().st_mtime)
    run_dir = runs[-1].parent if runs else out / "bench"
    path = run_dir / "bench.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = result
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    if runs:
        atomic_write_text(run_dir / "REPORT.md", render_report(load_ledger(run_dir), data, run_dir))
    return path
