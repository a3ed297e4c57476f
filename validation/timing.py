"""Interleaved timing for `workbench bench`: ratios measured in one process, never in the ledger."""
from __future__ import annotations

import statistics
import time
from typing import Callable


def interleaved_median(funcs: dict[str, Callable[[], object]], repeats: int = 5,
                       warmup: int = 1) -> dict[str, float]:
    """Median wall time (s) of each callable over ``repeats`` rounds, run A, B, A, B, …

    Interleaving spreads slow drifts of the machine (frequency, other load) evenly over the
    candidates, so their ratio is fair. ``warmup`` untimed rounds come first (JIT, caches).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    for _ in range(warmup):
        for f in funcs.values():
            f()
    times: dict[str, list[float]] = {k: [] for k in funcs}
    for _ in range(repeats):
        for k, f in funcs.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}
