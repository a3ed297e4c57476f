"""`workbench sweep CONFIG ...`: a grid of settings × seeds, each a cached run, and a table of
the per-setting means (the machinery is :mod:`analysis.nets.sweep`)."""
from __future__ import annotations

import math

from analysis.nets.config import apply_overrides, from_dict, grid_points, load_experiment, parse_overrides
from analysis.nets.sweep import aggregate, parse_grid, run_configs, setting_key


def cli_sweep(args) -> int:
    """`workbench sweep CONFIG [setting=A,B] k=v ... --grid k=v1,v2 --seeds N [--workers W |
    --scheduler ADDR]`: every setting of the experiment (or those named) × grid × seeds."""
    ov = parse_overrides(args.overrides)
    only = ov.pop("setting", None)
    exp = load_experiment(args.config, args.preset, ov)
    grid = {**exp.grid, **parse_grid(args.grid)}
    seeds = [int(args.seed) + i for i in range(int(args.seeds))]
    bases = exp.settings or {"base": exp.base}
    if only is not None:
        names = str(only).split(",")
        unknown = sorted(set(names) - set(bases))
        if unknown:
            raise ValueError(f"setting(s) {unknown} not in {exp.name}; it has {sorted(bases)}")
        bases = {n: bases[n] for n in names}
    configs, labels = [], {}
    for name, base in bases.items():
        for point in grid_points(grid):
            c = from_dict(apply_overrides(base.to_dict(), point))
            labels[setting_key(c)] = name + "".join(f" {k}={v}" for k, v in point.items())
            configs.extend(c.replace(seed=s) for s in seeds)
    runs = run_configs(configs, args.out, data_dir=args.data_dir, workers=args.workers,
                       scheduler=args.scheduler, progress=not args.no_progress)
    print(f"{'setting':40s} {'n':>3s} {'mean':>8s} {'std':>8s}  per-seed top test acc")
    for row in aggregate(runs, labels=labels):
        vals = ", ".join("N.A." if math.isnan(v) else f"{v:.4f}" for v in row["values"])
        print(f"{row['setting'][:40]:40s} {row['n']:3d} {row['mean']:8.4f} {row['std']:8.4f}  [{vals}]")
    return 0
