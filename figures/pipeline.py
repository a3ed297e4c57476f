"""`workbench figures`: a registry of figure IDs → scripts; each script makes its runs and files.

A script is a module ``figures/<ID>.py`` with ``ID = "<ID>"`` (its file name), ``TITLE``,
usually ``EXPERIMENT`` (the config name under analysis/nets/configs) and
``make(ctx: FigureContext) -> list[Path]``, which asks the run cache for its runs (making the
missing ones through the sweep machinery) and writes PNG + PDF and the table as CSV + markdown
under ``<out>/figures/<ID>/``. Scripts are found by reading the folder (a module whose text has
a top-level ``ID = "<its name>"`` and ``def make(``), so adding a figure touches no other file;
:func:`register_figure` adds one from elsewhere.
"""
from __future__ import annotations

import importlib
import re
import time
from pathlib import Path

from .common import FigureContext


def discover(folder: Path | None = None) -> dict[str, str]:
    """{ID: module} for every figure script in ``folder`` (default: this package), read as text
    (nothing is imported): ``<name>.py`` with ``ID = "<name>"`` and a top-level ``def make(``."""
    folder = Path(__file__).parent if folder is None else Path(folder)
    found = {}
    for path in sorted(folder.glob("*.py")):
        name = path.stem
        if name.startswith("_") or name in ("common", "pipeline"):
            continue
        text = path.read_text(errors="replace")
        if re.search(rf'^ID\s*=\s*["\']{re.escape(name)}["\']', text, re.M) and re.search(r"^def make\(", text, re.M):
            found[name] = f"figures.{name}"
    return found


FIGURES: dict[str, str] = discover()


def register_figure(fid: str, module: str) -> None:
    """Add a figure script (``module`` with a ``make(ctx)``) under ``fid``."""
    if fid in FIGURES and FIGURES[fid] != module:
        raise ValueError(f"figure {fid!r} is already registered to {FIGURES[fid]}")
    FIGURES[fid] = module


def get_script(fid: str):
    if fid not in FIGURES:
        raise ValueError(f"unknown figure {fid!r}; available: {sorted(FIGURES)}")
    return importlib.import_module(FIGURES[fid])


def make_figure(fid: str, ctx: FigureContext) -> list[Path]:
    """Run figure script ``fid``; return the files it wrote."""
    return list(get_script(fid).make(ctx))


def experiments_of(fid: str, preset: str) -> list[str]:
    """The experiment configs figure ``fid`` trains for ``preset``: the script's
    ``experiments(preset)`` or ``experiment_for(preset)`` when it has one, else its
    ``EXPERIMENT`` (None: no runs)."""
    mod = get_script(fid)
    if hasattr(mod, "experiments"):
        return list(mod.experiments(preset))
    if hasattr(mod, "experiment_for"):
        return [mod.experiment_for(preset)]
    exp = getattr(mod, "EXPERIMENT", None)
    return [exp] if exp else []


def has_preset(fid: str, preset: str) -> bool:
    """Whether every experiment of figure ``fid`` defines ``preset`` (a figure without runs has all)."""
    from analysis.nets.config import load_experiment

    try:
        for name in experiments_of(fid, preset):
            load_experiment(name, preset)
    except ValueError:
        return False
    return True


def missing_configs(ids, ctx: FigureContext) -> list:
    """The configs of the runs that figures ``ids`` need and the cache does not hold finished."""
    from analysis.nets.cache import find_run
    from analysis.nets.config import load_experiment

    todo = {}
    for fid in ids:
        for name in experiments_of(fid, ctx.preset):
            for _, cfg in load_experiment(name, ctx.preset).runs(ctx.seed):
                if cfg.hash() not in todo and find_run(cfg, ctx.out) is None:
                    todo[cfg.hash()] = cfg
    return list(todo.values())


def set_aside_stale(ids, ctx: FigureContext) -> list[str]:
    """Move the stale finished runs (made by code that has changed since,
    :mod:`analysis.nets.fingerprint`) of figures ``ids`` to ``<out>/stale/<hash>.<time>/`` so the
    figures retrain them (`workbench figures --only ID --refresh`); returns their hashes."""
    import os

    from analysis.nets.cache import find_run
    from analysis.nets.config import load_experiment
    from analysis.nets.fingerprint import is_stale

    moved = []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for fid in ids:
        for name in experiments_of(fid, ctx.preset):
            for _, cfg in load_experiment(name, ctx.preset).runs(ctx.seed):
                run = find_run(cfg, ctx.out)
                if run is None or cfg.hash() in moved or not is_stale(run.dir):
                    continue
                dest = Path(ctx.out) / "stale" / f"{cfg.hash()}.{stamp}"
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(run.dir, dest)
                moved.append(cfg.hash())
    return moved


# ----------------------------------------------------------------------------- measured cost

TIMINGS = Path(__file__).with_name("timings.csv")


def measured_minutes(path: Path = TIMINGS) -> dict[tuple[str, str], dict]:
    """{(figure, preset): row} from the committed table of measurements ``figures/timings.csv``
    (columns figure, preset, minutes, workers, machine, date, how)."""
    import csv

    if not Path(path).exists():
        return {}
    rows = [r for r in csv.DictReader(l for l in Path(path).open() if not l.startswith("#"))]
    return {(r["figure"], r["preset"]): r for r in rows}


def record_timing(ctx: FigureContext, fid: str, seconds: float, runs_made: int, runs_total: int) -> Path:
    """Write ``<out>/figures/<ID>/timing.json``: this machine's wall time for the figure, and how
    many of its runs were made (a measurement for the committed table only when all were)."""
    import json
    import os
    import platform

    from analysis.nets.train import atomic_write_text

    folder = Path(ctx.out) / "figures" / fid
    folder.mkdir(parents=True, exist_ok=True)
    d = {"figure": fid, "preset": ctx.preset, "minutes": round(seconds / 60.0, 2), "workers": ctx.workers,
         "runs_made": runs_made, "runs_total": runs_total,
         "machine": f"{os.cpu_count()} cores, {platform.machine()}",
         "date": time.strftime("%Y-%m-%d"), "complete": runs_made == runs_total}
    atomic_write_text(folder / "timing.json", json.dumps(d, indent=1) + "\n")
    return folder / "timing.json"


REFERENCE_ROOT = Path(__file__).resolve().parents[1] / "results" / "reference" / "quick"


def run_seconds(fid: str, preset: str, out, seed: int = 0) -> dict[str, float]:
    """{run hash: training seconds} of figure ``fid``'s runs for ``preset`` that ``out`` holds
    finished, from each run's ``status.json`` (``runtime_s``, written by the trainer); a run
    shared by several figures counts in each."""
    import json

    from analysis.nets.cache import find_run
    from analysis.nets.config import load_experiment

    secs: dict[str, float] = {}
    for name in experiments_of(fid, preset):
        for _, cfg in load_experiment(name, preset).runs(seed):
            h = cfg.hash()
            run = None if h in secs else find_run(cfg, out)
            if run is None:
                continue
            try:
                secs[h] = float(json.loads((Path(run.dir) / "status.json").read_text())["runtime_s"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
    return secs


def record_minutes(preset: str = "quick", out=REFERENCE_ROOT, workers: int = 2) -> tuple[dict[str, float], float]:
    """Per figure, the minutes its runs in ``out`` took to train, Σ runtime / ``workers`` (the
    sweep's packing, no evaluation or plotting: an estimate from the records, not a measurement of
    the figure); and the whole tier's, each run counted once."""
    per, every = {}, {}
    for fid in sorted(FIGURES):
        if not has_preset(fid, preset):
            continue
        secs = run_seconds(fid, preset, out)
        if secs:
            per[fid] = sum(secs.values()) / workers / 60.0
            every.update(secs)
    return per, sum(every.values()) / workers / 60.0


def fmt_minutes(m: float) -> str:
    """Minutes in an 8-wide cell: two decimals below 1, one above."""
    return f"{m:8.2f}" if m < 1 else f"{m:8.1f}"


def list_figures(preset_order=("smoke", "quick", "paper")) -> list[str]:
    """Lines of `workbench figures --list`: ID, measured minutes per preset, title."""
    table = measured_minutes()
    rec, total = record_minutes("quick") if REFERENCE_ROOT.is_dir() else ({}, 0.0)
    lines = [f"{'figure':18s} {'minutes (measured, ' + 'workers 2)':>26s} {'records':>8s}  title",
             f"{'':18s} {'smoke':>8s} {'quick':>8s} {'paper':>8s} {'quick':>8s}"]
    for fid in sorted(FIGURES):
        mod = get_script(fid)
        cells = []
        for preset in preset_order:
            row = table.get((fid, preset))
            cells.append(fmt_minutes(float(row["minutes"])) if row and row.get("minutes") else f"{'-':>8s}")
        cells.append(fmt_minutes(rec[fid]) if fid in rec else f"{'-':>8s}")
        lines.append(f"{fid:18s} {' '.join(cells)}  {getattr(mod, 'TITLE', '')}")
    lines.append("minutes: wall time of `workbench figures --only ID --preset P` making every run, from "
                 f"{TIMINGS.name} (machine and date per row); '-' = not measured yet")
    if rec:
        lines.append(f"records: Σ training time of the figure's runs in {REFERENCE_ROOT.relative_to(REFERENCE_ROOT.parents[2])}"
                     " / 2 workers (status.json runtime_s; runs shared between figures count in each; no "
                     f"evaluation or plotting); the whole quick tier, each run once: {total:.0f} min")
    return lines
