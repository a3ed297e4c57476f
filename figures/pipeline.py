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
import sys
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


def cli_figures(args) -> int:
    """`workbench figures [--only ID ...] [--list] --preset P --out DIR`."""
    if getattr(args, "list", False):
        for fid in sorted(FIGURES):
            mod = get_script(fid)
            print(f"{fid:18s} {getattr(mod, 'TITLE', '')}")
        return 0
    ids = args.only or sorted(FIGURES)
    for fid in ids:
        get_script(fid)                                     # unknown IDs fail before any work
    ctx = FigureContext(preset=args.preset, out=Path(args.out), data_dir=args.data_dir,
                        seed=int(args.seed), progress=not args.no_progress,
                        workers=int(getattr(args, "workers", 2) or 2),
                        scheduler=getattr(args, "scheduler", None))
    for fid in ids:
        t0 = time.perf_counter()
        paths = make_figure(fid, ctx)
        print(f"{fid}: {len(paths)} files in {time.perf_counter() - t0:.1f} s under "
              f"{Path(args.out) / 'figures' / fid}", file=sys.stderr)
        for p in paths:
            print(p)
    return 0
