"""Helpers every suite shares: building claims, finding an experiment's runs, ``not-run`` claims.

Paired statistics come from :mod:`analysis.stats` only (``paired_t``, ``compare_paired``,
``wilson_ci``); a suite never re-implements them.
"""
from __future__ import annotations

import time
from typing import Any

from validation.ledger import Claim
from validation.registry import SuiteContext


def make_claim(paper: str, ctx: SuiteContext, t0: float, **kw: Any) -> Claim:
    """A Claim of ``paper`` with the run's seed and the time since ``t0``."""
    kw.setdefault("seed", ctx.seed)
    return Claim(paper=paper, runtime_s=time.perf_counter() - t0, **kw)


def preset_of(ctx: SuiteContext) -> str:
    return ctx.preset if ctx.preset in ("quick", "paper", "smoke") else "quick"


#: (experiment, hashes of its stale runs) for every experiment_runs call since the runner last
#: drained it (:func:`drain_stale_reads`): the runner marks the network claims built on them
_STALE_READS: list[tuple[str, list[str]]] = []


def drain_stale_reads() -> list[tuple[str, list[str]]]:
    """The (experiment, stale run hashes) read since the last call, and forget them."""
    out = list(_STALE_READS)
    _STALE_READS.clear()
    return out


def experiment_runs(ctx: SuiteContext, experiment: str, preset: str | None = None):
    """(experiment, {label: [Run or None per seed]}, sorted labels with a missing run) for
    ``analysis/nets/configs/<experiment>.yaml`` at ``preset`` (default: ctx's), from the run cache
    under ``ctx.out``. ``(None, {}, [])`` when the experiment has no such preset.
    The finished runs made by code that differs from today's (stale, :mod:`analysis.nets.fingerprint`)
    are noted for the runner, which lists them in the claims' ``measured["stale_runs"]``."""
    from analysis.nets.cache import find_run
    from analysis.nets.config import load_experiment

    try:
        exp = load_experiment(experiment, preset or preset_of(ctx))
    except ValueError:
        return None, {}, []
    runs: dict[str, list] = {}
    missing: list[str] = []
    for label, cfg in exp.runs(ctx.seed):
        r = find_run(cfg, ctx.out)
        if r is None:
            missing.append(label)
        runs.setdefault(label, []).append(r)
    from analysis.nets.verify import stale_hashes

    _STALE_READS.append((exp.name, stale_hashes(r for rs in runs.values() for r in rs)))
    return exp, runs, sorted(set(missing))


def not_run_claim(paper: str, ctx: SuiteContext, cid: str, where: str, statement: str, fig_id: str,
                  expected: Any = None, note: str = "", preset: str | None = None,
                  kind: str = "paper-number", **kw: Any) -> Claim:
    """A network claim whose runs are not in the cache: ``not-run``, naming the command."""
    return Claim(id=cid, paper=paper, where=where, statement=statement, expected=expected, measured=None,
                 tolerance="needs network runs", status="not-run", kind=kind, evidence="network",
                 figures=kw.pop("figures", [fig_id]),
                 note=(f"needs network runs: `workbench figures --only {fig_id} --preset "
                       f"{preset or preset_of(ctx)}`. {note}").strip(),
                 seed=ctx.seed, runtime_s=0.0, **kw)
