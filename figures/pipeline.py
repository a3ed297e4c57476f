"""`workbench figures`: a registry of figure IDs → scripts; each script makes its runs and files.

A script is a module ``figures/<ID>.py`` with ``ID``, ``TITLE``, ``EXPERIMENT`` (the config name
under analysis/nets/configs) and ``make(ctx: FigureContext) -> list[Path]``, which asks the run
cache for its runs (making the missing ones through the sweep machinery) and writes PNG + PDF and
the table as CSV + markdown under ``<out>/figures/<ID>/``.
"""
from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from .common import FigureContext

FIGURES: dict[str, str] = {
    "convsim_table5": "figures.convsim_table5",   # paper 001 Table 5 + Figs 1-3
    "convsim_fig4": "figures.convsim_fig4",       # paper 001 Fig. 4 (ResNet-18 lr x batch grid)
    "convsim_fig5": "figures.convsim_fig5",       # paper 001 Fig. 5 (ResNet-18, accuracy vs I)
}


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
