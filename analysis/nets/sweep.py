"""Sweeps: a grid of settings × seeds, each a cached run, on local processes or a Dask cluster.

One code path: :func:`run_configs` hands the same picklable task (:func:`run_task`, which calls
the trainer on a config dict) either to a ``concurrent.futures.ProcessPoolExecutor`` (default;
each worker runs torch with one thread) or, given ``scheduler="tcp://host:port"``, to a
``dask.distributed.Client(scheduler).submit``.  Finished runs are skipped before anything is
submitted and partial ones resume from their checkpoint, so a killed sweep continues where it
stopped.  :func:`aggregate` turns runs into per-setting mean, std, per-seed values, best and last
epoch.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from .cache import Run, find_run, load_run
from .config import TrainConfig, apply_overrides, from_dict, grid_points, parse_value


# ----------------------------------------------------------------------------- grids

def parse_grid(items) -> dict[str, list]:
    """['lr=0.1,0.01', 'batch_size=64,128'] → {'lr': [0.1, 0.01], 'batch_size': [64, 128]}."""
    grid: dict[str, list] = {}
    for item in items or ():
        if "=" not in item:
            raise ValueError(f"grid item {item!r} is not key=v1,v2,... (e.g. lr=0.1,0.01)")
        k, vals = item.split("=", 1)
        values = [parse_value(v) for v in vals.split(",") if v != ""]
        if not values:
            raise ValueError(f"grid item {item!r} lists no values")
        grid[k.strip()] = values
    return grid


def expand(base: TrainConfig, grid: dict[str, list], seeds) -> list[TrainConfig]:
    """Every config of grid × seeds (grid points in key order, seeds innermost)."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("a sweep needs at least one seed")
    out = []
    for point in grid_points(grid):
        c = from_dict(apply_overrides(base.to_dict(), point))
        out.extend(c.replace(seed=s) for s in seeds)
    return out


# ----------------------------------------------------------------------------- running

def run_task(cfg_dict: dict, out: str, data_dir: str | None, threads: int = 1) -> dict:
    """Train (or load) one run in this worker; returns {"hash", "status", "error"}.

    Picklable on purpose: the same function runs in a local worker process and on a Dask worker.
    """
    import torch

    from .train import train

    if threads:
        torch.set_num_threads(int(threads))
    cfg = from_dict(cfg_dict)
    try:
        run = train(cfg, Path(out), data_dir=data_dir, progress=False)
        return {"hash": cfg.hash(), "status": run.status, "error": None}
    except Exception as exc:       # reported by the parent; other runs go on
        return {"hash": cfg.hash(), "status": "error",
                "error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"}


def _init_worker(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def run_configs(configs, out, data_dir=None, workers: int = 2, scheduler=None,
                progress: bool = True, threads: int = 1) -> list[Run]:
    """Make every config's run (skipping finished ones); return the Runs in the given order.

    workers: local processes (1 = in this process, no pool). scheduler: a Dask scheduler
    address; then ``workers`` is ignored and the cluster's workers run the tasks.
    A run that fails raises RuntimeError after the others finished, naming each failure.
    """
    out = Path(out)
    configs = list(configs)
    unique: dict[str, TrainConfig] = {}
    for c in configs:
        unique.setdefault(c.hash(), c)
    todo = [c for h, c in unique.items() if find_run(c, out) is None]
    results: list[dict] = []
    t0 = time.perf_counter()
    if todo:
        tell = _reporter(len(todo), progress)
        dd = None if data_dir is None else str(data_dir)
        args = [(c.to_dict(), str(out), dd, threads) for c in todo]
        if scheduler is not None:
            from distributed import Client, as_completed as dask_completed

            with Client(scheduler) as client:
                futs = [client.submit(run_task, *a, pure=False, key=f"run-{c.hash()}-{time.time_ns()}")
                        for a, c in zip(args, todo)]
                for f in dask_completed(futs):
                    results.append(f.result())
                    tell(results[-1])
        elif workers <= 1:
            for a in args:
                results.append(run_task(*a))
                tell(results[-1])
        else:
            ctx = mp.get_context("spawn")
            with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx,
                                     initializer=_init_worker, initargs=(threads,)) as pool:
                futs = [pool.submit(run_task, *a) for a in args]
                for f in as_completed(futs):
                    results.append(f.result())
                    tell(results[-1])
        tell(None)
    errors = [r for r in results if r["error"]]
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(todo)} runs failed:\n" +
                           "\n".join(f"- {r['hash']}: {r['error']}" for r in errors))
    if progress and todo:
        print(f"sweep: {len(todo)} runs made, {len(unique) - len(todo)} found in the cache, "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return [load_run(c, out) for c in configs]


def _reporter(total: int, progress: bool):
    """Progress over runs: a tqdm bar on a terminal, else one log line per finished run."""
    if not progress:
        return lambda r: None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, desc="runs", dynamic_ncols=True)

        def tell(r):
            if r is None:
                bar.close()
            else:
                bar.update(1)
                bar.set_postfix(last=f"{r['hash']}:{r['status']}")
        return tell
    count = [0]

    def tell(r):
        if r is not None:
            count[0] += 1
            print(f"sweep: run {count[0]}/{total} {r['hash']} {r['status']}", file=sys.stderr, flush=True)
    return tell


# ----------------------------------------------------------------------------- aggregation

def setting_key(cfg: TrainConfig) -> str:
    """The config without its seed, as a hash: runs that differ only in the seed share it."""
    from .config import config_hash

    d = cfg.to_dict()
    d.pop("seed")
    return config_hash(d)


def aggregate(runs, metric: str = "test_acc", labels: dict | None = None) -> list[dict]:
    """Per setting (runs equal but for the seed): mean, std (ddof 1), per-seed values.

    The value of a run is the best (max over epochs) of ``metric`` — Table 5's "top test
    accuracy" — and ``last`` is its last epoch's value. A run stopped by a non-finite loss
    counts as NaN and is listed in ``not_finished``; mean/std are over the finite values.
    labels: optional {setting_key: name}. Returns dicts with setting, key, seeds, values,
    mean, std, n, best_epoch (per seed), last (per seed), last_mean, status (per seed).
    """
    groups: dict[str, list[Run]] = {}
    for r in runs:
        if r is None:
            raise ValueError("aggregate got a missing run (None); make the runs first")
        groups.setdefault(setting_key(r.config), []).append(r)
    rows = []
    for key, rs in groups.items():
        rs = sorted(rs, key=lambda r: r.config.seed)
        vals, lasts, bests = [], [], []
        for r in rs:
            col = r.column(metric)
            ok = r.status == "done" and col.size and np.isfinite(col).any()
            vals.append(float(np.nanmax(col)) if ok else float("nan"))
            lasts.append(float(col[-1]) if ok else float("nan"))
            bests.append(int(r.rows[int(np.nanargmax(col))]["epoch"]) if ok else None)
        v = np.array(vals)
        fin = v[np.isfinite(v)]
        lf = np.array(lasts)[np.isfinite(lasts)]
        rows.append({
            "setting": (labels or {}).get(key, key), "key": key,
            "seeds": [r.config.seed for r in rs], "values": vals,
            "mean": float(fin.mean()) if fin.size else float("nan"),
            "std": float(fin.std(ddof=1)) if fin.size > 1 else (0.0 if fin.size else float("nan")),
            "n": int(fin.size), "best_epoch": bests, "last": lasts,
            "last_mean": float(lf.mean()) if lf.size else float("nan"),
            "status": [r.status for r in rs],
            "not_finished": [r.config.seed for r in rs if r.status != "done"],
        })
    return rows


# ----------------------------------------------------------------------------- command line

def cli_sweep(args) -> int:
    """`workbench sweep CONFIG [setting=A,B] k=v ... --grid k=v1,v2 --seeds N [--workers W |
    --scheduler ADDR]`: every setting of the experiment (or those named) × grid × seeds."""
    from .config import load_experiment, parse_overrides

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
