"""Sweeps: a grid of settings × seeds, each a cached run, on local processes or a Dask cluster.

One code path: :func:`run_configs` hands the same picklable task (:func:`run_task`, which calls
the trainer on a config dict) either to a ``concurrent.futures.ProcessPoolExecutor`` (default;
each worker runs torch with one thread) or, given ``scheduler="tcp://host:port"``, to a
``dask.distributed.Client(scheduler).submit``.  Finished runs are skipped before anything is
submitted and partial ones resume from their checkpoint, so a killed sweep continues where it
stopped. Every data set the missing runs need is checked before any worker starts; Ctrl-C stops
local workers and Dask tasks alike within seconds (see :class:`_StopOnInterrupt`).  :func:`aggregate` turns runs into per-setting mean, std, per-seed values, best and last
epoch.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
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

class SweepError(RuntimeError):
    """Some runs of a sweep failed; the message has one line per failure (cause and log path)."""


class SweepInterrupted(KeyboardInterrupt):
    """The sweep was stopped by Ctrl-C (SIGINT) after its runs were left resumable."""


_PROCESS_STOP: threading.Event | None = None      # set in a local worker process by SIGINT
_TASK_ACTIVE = False                               # a local worker is inside run_task
_RAISED = False                                    # this worker has raised its one KeyboardInterrupt


def _on_sigint(signum, frame) -> None:
    """A local worker's SIGINT: set the stop Event (later tasks do not start) and, the first
    time and only inside a task, raise KeyboardInterrupt at once (the trainer leaves the run
    partial). Later SIGINTs (the terminal's and the parent's forwarded one) change nothing."""
    global _RAISED
    _PROCESS_STOP.set()
    if _TASK_ACTIVE and not _RAISED:
        _RAISED = True
        raise KeyboardInterrupt


def _fast_exit() -> None:
    """Registered last in a worker, so it runs first at exit: skip the slow interpreter
    teardown (torch's) once the pool has told the worker to stop; nothing is left to save."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


def _init_worker(threads: int) -> None:
    """Local worker start: one torch thread; SIGINT handled by :func:`_on_sigint`."""
    import atexit

    import torch

    global _PROCESS_STOP
    torch.set_num_threads(threads)
    _PROCESS_STOP = threading.Event()
    signal.signal(signal.SIGINT, _on_sigint)        # ignored until here (inherited from the parent)
    atexit.register(_fast_exit)


def _watch(path: str, event: threading.Event, period: float = 0.25) -> threading.Event:
    """A daemon thread that sets ``event`` once ``path`` exists (the sweep's stop file, which a
    Dask worker on any host sees through the shared results root); returns its 'done' Event."""
    done = threading.Event()

    def loop():
        while not done.wait(period):
            if os.path.exists(path):
                event.set()
                return
    threading.Thread(target=loop, daemon=True, name="workbench-stop-watch").start()
    return done


def run_task(cfg_dict: dict, out: str, data_dir: str | None, threads: int = 1,
             stop_file: str | None = None) -> dict:
    """Train (or load) one run in this worker; returns {"hash", "status", "error", "log",
    "interrupted"}: error is the failure's one-line cause (the traceback is in the run's log).

    Picklable on purpose: the same function runs in a local worker process and on a Dask worker.
    ``stop_file``: when it exists the run stops at its next step (partial) or does not start.
    """
    global _TASK_ACTIVE
    import torch

    from .cache import run_dir
    from .train import LOG, one_line, train

    if threads and _PROCESS_STOP is None:
        torch.set_num_threads(int(threads))
    cfg = from_dict(cfg_dict)
    h = cfg.hash()
    log = str(run_dir(cfg, out) / LOG)
    stop = _PROCESS_STOP if _PROCESS_STOP is not None else threading.Event()
    watching = None
    try:
        _TASK_ACTIVE = _PROCESS_STOP is not None
        if stop.is_set() or (stop_file and os.path.exists(stop_file)):
            return {"hash": h, "status": "not started", "error": None, "log": log, "interrupted": True}
        watching = _watch(stop_file, stop) if stop_file else None
        run = train_or_wait(cfg, Path(out), data_dir, stop)
        return {"hash": h, "status": run.status, "error": None, "log": log, "interrupted": False}
    except KeyboardInterrupt:       # RunInterrupted: the run is partial, its checkpoint kept
        return {"hash": h, "status": "partial", "error": None, "log": log, "interrupted": True}
    except Exception as exc:        # reported by the parent in one line; other runs go on
        return {"hash": h, "status": "failed", "error": one_line(exc), "log": log, "interrupted": False}
    finally:
        _TASK_ACTIVE = False
        if watching is not None:
            watching.set()


def train_or_wait(cfg: TrainConfig, out: Path, data_dir, stop: threading.Event, poll_s: float = 0.5):
    """Train ``cfg`` (resuming), or, while another live process holds the run's lock (a second
    ``figures`` or ``sweep`` on the same results root), wait for it and return its result; a
    holder that dies leaves a stale lock, which the next attempt takes over."""
    from .train import RunBusyError, RunInterrupted, train

    while True:
        try:
            return train(cfg, out, data_dir=data_dir, progress=False, stop=stop)
        except RunBusyError:
            if stop.wait(poll_s):
                raise RunInterrupted(f"run {cfg.hash()}: stop requested while waiting for its lock") from None


class _StopOnInterrupt:
    """SIGINT handling of a sweep's parent process (main thread only).

    First Ctrl-C: say so at once, create the stop file (every worker, local or Dask, sees it
    within a quarter second), set the in-process stop Event, forward SIGINT to local workers;
    the sweep then waits for the running runs to leave their folders partial. Second Ctrl-C:
    kill the local workers and exit 130 at once, without cleanup (the runs they held are found
    as ``died`` by the next command and resumed).
    """

    def __init__(self, stop_file: Path, progress: bool):
        self.stop_file, self.progress = Path(stop_file), progress
        self.event = threading.Event()
        self.pids: list[int] = []
        self.count = 0
        self.old = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.count += 1
        if self.count == 1:
            self.event.set()
            try:
                self.stop_file.parent.mkdir(parents=True, exist_ok=True)
                self.stop_file.touch()
            except OSError:
                pass
            self._signal(signal.SIGINT)
            _say("interrupt: stopping the sweep; runs in progress stop at their next step and are kept "
                 "as partial (a rerun resumes them), queued runs are not started. Ctrl-C again stops at "
                 "once without cleanup.")
        else:
            self._signal(signal.SIGKILL)
            _say("second interrupt: stopped at once without cleanup; runs in progress are left as they "
                 "were and the next command finds them as died and resumes them.")
            os._exit(130)

    def _signal(self, sig) -> None:
        for pid in self.pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)
        try:
            self.stop_file.unlink(missing_ok=True)
            self.stop_file.parent.rmdir()
        except OSError:
            pass


def _say(msg: str) -> None:
    try:
        print(msg, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def check_data(configs, data_dir=None) -> None:
    """Raise :class:`DataProblem` (one line per problem) unless every real data set the configs
    name can be read (synthetic-file configs write their own)."""
    from .data import data_problems

    names = set()
    for c in configs:
        for d in (c.to_dict(), (c.teacher or {}).get("config") or {}):     # a teacher run's data too
            if d and d.get("synthetic") is None and d.get("dataset"):
                names.add(d["dataset"])
    problems = data_problems(sorted(names), data_dir)
    if problems:
        raise DataProblem(problems)


class DataProblem(ValueError):
    """Data sets a sweep or figure needs are missing or damaged; one line per problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("data needed before any run starts:\n" +
                         "\n".join(f"  - {p}" for p in self.problems))


def run_configs(configs, out, data_dir=None, workers: int = 2, scheduler=None,
                progress: bool = True, threads: int = 1) -> list[Run]:
    """Make every config's run (skipping finished ones); return the Runs in the given order.

    workers: local processes (1 = in this process, no pool). scheduler: a Dask scheduler
    address; then ``workers`` is ignored and the cluster's workers run the tasks.
    Before anything starts, every data set the missing runs need is checked (DataProblem, one
    line per problem). A run that fails raises SweepError (a RuntimeError) after the others
    finished, one line per failure with its log. Ctrl-C stops every worker within seconds,
    leaving the runs in progress partial, and raises SweepInterrupted (a KeyboardInterrupt).
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
        check_data(todo, data_dir)
        tell = _reporter(len(todo), progress)
        dd = None if data_dir is None else str(data_dir)
        stop_file = out / ".sweep" / f"{os.getpid()}-{time.time_ns()}.stop"
        args = [(c.to_dict(), str(out), dd, threads, str(stop_file)) for c in todo]
        with _StopOnInterrupt(stop_file, progress) as intr:
            if scheduler is not None:
                _run_dask(args, todo, scheduler, results, tell, intr)
            elif workers <= 1:
                for a in args:
                    if intr.event.is_set():
                        break
                    r = _run_here(a, intr)
                    results.append(r)
                    tell(r)
            else:
                _run_pool(args, todo, workers, threads, results, tell, intr)
        tell(None)
        if intr.event.is_set() or any(r.get("interrupted") for r in results):
            _interrupted_summary(results, len(todo))
    errors = [r for r in results if r["error"]]
    if errors:
        raise SweepError(f"{len(errors)} of {len(todo)} runs failed (details in each run's log):\n" +
                         "\n".join(f"- {r['hash']}: {r['error']}; log: {r['log']}" for r in errors))
    if progress and todo:
        print(f"sweep: {len(todo)} runs made, {len(unique) - len(todo)} found in the cache, "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return [load_run(c, out) for c in configs]


def _run_here(a, intr) -> dict:
    """One task in this process, with the sweep's stop Event (the SIGINT handler sets it)."""
    from .cache import run_dir
    from .train import LOG, one_line, train

    cfg = from_dict(a[0])
    log = str(run_dir(cfg, a[1]) / LOG)
    try:
        run = train_or_wait(cfg, Path(a[1]), a[2], intr.event)
        return {"hash": cfg.hash(), "status": run.status, "error": None, "log": log, "interrupted": False}
    except KeyboardInterrupt:
        intr.event.set()
        return {"hash": cfg.hash(), "status": "partial", "error": None, "log": log, "interrupted": True}
    except Exception as exc:
        return {"hash": cfg.hash(), "status": "failed", "error": one_line(exc), "log": log, "interrupted": False}


def _run_pool(args, todo, workers, threads, results, tell, intr, grace_s: float = 30.0) -> None:
    """Local worker processes. They are spawned with SIGINT ignored (the one disposition that
    survives exec: a Ctrl-C during their start-up cannot kill them with a traceback) and install
    :func:`_on_sigint` in :func:`_init_worker`; a Ctrl-C they miss meanwhile reaches them through
    the stop file. Nothing is cancelled: after a stop, queued tasks return at once unstarted.
    Workers that do not stop within ``grace_s`` are killed, and a pool that breaks (a worker
    killed from outside) ends the loop: its runs are reported and found ``died`` by the next
    command."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    from .cache import run_dir
    from .train import LOG, one_line

    ctx = mp.get_context("spawn")
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT)
    if in_main:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx,
                                   initializer=_init_worker, initargs=(threads,))
        futs = {pool.submit(run_task, *a): c for a, c in zip(args, todo)}
        intr.pids = list(getattr(pool, "_processes", {}) or {})
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    pending, deadline, clean = set(futs), None, True

    def died(c, why):
        return {"hash": c.hash(), "status": "died", "log": str(run_dir(c, args[0][1]) / LOG),
                "error": f"its worker process {why}; a rerun resumes it", "interrupted": intr.event.is_set()}
    try:
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            intr.pids = list(getattr(pool, "_processes", {}) or {})
            for f in done:
                try:
                    r = f.result()
                except BrokenProcessPool as exc:
                    r = died(futs[f], f"died ({one_line(exc)})")
                results.append(r)
                tell(r)
            if intr.event.is_set() and pending:
                deadline = deadline or time.monotonic() + grace_s
                if time.monotonic() > deadline:
                    _say(f"workers did not stop within {grace_s:.0f} s; killing them")
                    intr._signal(signal.SIGKILL)
                    for f in pending:
                        results.append(died(futs[f], "was killed"))
                    clean, pending = False, set()
            if getattr(pool, "_broken", False) and pending:
                time.sleep(0.5)                              # let the pool fail what it holds
                for f in pending:
                    r = f.result() if f.done() and not f.exception() else died(futs[f], "died")
                    results.append(r)
                    tell(r)
                clean, pending = False, set()
    finally:
        pool.shutdown(wait=clean, cancel_futures=True)


def _run_dask(args, todo, scheduler, results, tell, intr) -> None:
    """Tasks on a Dask cluster; the stop file reaches workers on any host (shared results root)."""
    from distributed import Client
    from distributed import wait as dask_wait

    from .train import one_line

    with Client(scheduler) as client:
        futs = {client.submit(run_task, *a, pure=False, key=f"run-{c.hash()}-{time.time_ns()}"): c
                for a, c in zip(args, todo)}
        pending = set(futs)
        while pending:          # after Ctrl-C, queued tasks see the stop file and return at once
            try:
                res = dask_wait(list(pending), timeout=0.25, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            for f in res.done:
                c = futs[f]
                try:
                    r = f.result()
                except Exception as exc:
                    r = {"hash": c.hash(), "status": "failed", "error": one_line(exc), "log": None,
                         "interrupted": False}
                results.append(r)
                tell(r)
            pending = set(res.not_done)


def _interrupted_summary(results: list[dict], total: int) -> None:
    partial = [r for r in results if r["status"] == "partial"]
    made = [r for r in results if not r.get("interrupted") and not r["error"]]
    _say(f"interrupted: {len(partial)} run(s) kept as partial, {total - len(partial) - len(made)} not "
         f"started, {len(made)} finished in this sweep; finished work is kept and the same command "
         "resumes the rest")
    raise SweepInterrupted("sweep interrupted")


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
