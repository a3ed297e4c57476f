"""`workbench figures [--only ID ...] [--list] [--refresh]`: make the paper figures and tables
(the registry and the figure scripts are :mod:`figures.pipeline`)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from analysis.nets.config import load_experiment
from analysis.nets.sweep import check_data
from figures import pipeline as P
from figures.common import FigureContext


def cli_figures(args) -> int:
    """`workbench figures [--only ID ...] [--list] [--refresh] --preset P --out DIR`.

    ``--refresh``: the figures' stale runs (made by code that has changed) are set aside and
    retrained (:func:`figures.pipeline.set_aside_stale`).

    Before any worker starts, every data set the figures' missing runs need is checked; a
    problem stops the command with one line per problem (what, where looked, how to get it).
    """
    if getattr(args, "list", False):
        print("\n".join(P.list_figures()))
        return 0
    ids = args.only or sorted(P.FIGURES)
    for fid in ids:
        P.get_script(fid)                                   # unknown IDs fail before any work
    if not args.only:                                       # all figures: those this preset defines
        skipped = [fid for fid in ids if not P.has_preset(fid, args.preset)]
        ids = [fid for fid in ids if fid not in skipped]
        if skipped:
            print(f"skipped (no {args.preset!r} preset): {', '.join(skipped)}", file=sys.stderr)
    ctx = FigureContext(preset=args.preset, out=Path(args.out), data_dir=args.data_dir,
                        seed=int(args.seed), progress=not args.no_progress,
                        workers=int(getattr(args, "workers", 2) or 2),
                        scheduler=getattr(args, "scheduler", None))
    if getattr(args, "refresh", False):
        moved = P.set_aside_stale(ids, ctx)
        print(f"--refresh: {len(moved)} stale run(s) set aside under {Path(args.out) / 'stale'} and "
              f"retrained{': ' + ', '.join(moved) if moved else ''}", file=sys.stderr)
    check_data(P.missing_configs(ids, ctx), ctx.data_dir)  # DataProblem: one line per problem
    for fid in ids:
        t0 = time.perf_counter()
        missing = len(P.missing_configs([fid], ctx))
        total = sum(len(load_experiment(e, ctx.preset).runs(ctx.seed)) for e in P.experiments_of(fid, ctx.preset))
        paths = P.make_figure(fid, ctx)
        seconds = time.perf_counter() - t0
        P.record_timing(ctx, fid, seconds, missing, total)
        print(f"{fid}: {len(paths)} files in {seconds:.1f} s under "
              f"{Path(args.out) / 'figures' / fid}", file=sys.stderr)
        for p in paths:
            print(p)
    return 0
