"""Run registered suites into one run folder (DESIGN.md, "The claims ledger")."""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Sequence

from .ledger import Claim, chance_deviations, git_commit, status_counts, write_run
from .registry import SUITES, SuiteContext, coverage, resolve
from .suites._common import drain_stale_reads


def _run_id(suites: Sequence[str], ctx: SuiteContext, now: _dt.datetime) -> str:
    key = json.dumps({"suites": list(suites), "preset": ctx.preset, "episodes": ctx.episodes,
                      "seed": ctx.seed}, sort_keys=True)
    return f"{now.strftime('%Y%m%d-%H%M%S')}-{'-'.join(suites) if len(suites) < 3 else 'all'}-" \
           f"{hashlib.sha1(key.encode()).hexdigest()[:6]}"


class _EpisodeProbe(SuiteContext):
    """The suite context, recording each ``n_episodes(paper_default)`` call of the suite in
    progress, so the runner knows which suites a reduced ``--episodes`` affected."""

    calls: list[int] = []    # paper defaults asked for by the suite in progress (copies made by
                             # dataclasses.replace record here too); reset per suite

    def n_episodes(self, paper_default: int) -> int:
        _EpisodeProbe.calls.append(int(paper_default))
        return super().n_episodes(paper_default)


def reduced_scale_note(episodes: int, paper_defaults: Sequence[int]) -> str:
    """The note every theory claim of a suite run at a reduced ``--episodes`` carries."""
    full = sorted(set(int(d) for d in paper_defaults if d > episodes))
    return (f"Reduced-scale run: --episodes {episodes} instead of the paper's "
            f"{', '.join(map(str, full))} episodes in this suite; Monte-Carlo numbers, intervals and "
            "verdicts are not at the paper's scale (run without --episodes for them).")


def mark_stale(claim: Claim, hashes: Sequence[str]) -> None:
    """Mark a network claim built on stale runs (made by code that differs from today's): the
    hashes in ``measured["stale_runs"]`` (where ``measured`` is a mapping, as network claims'
    are) and a note naming them and how to refresh or verify them. A suite reads its runs
    (``_common.experiment_runs``) before it yields the claims built on them, so a claim is
    credited with the runs read since the claim before it that read any (when a suite reads all
    its experiments first, every claim after gets their union: marking errs on the safe side)."""
    if not hashes or claim.evidence != "network" or claim.status == "not-run":
        return
    if isinstance(claim.measured, dict):      # (a scalar measured stays as the rule read it; the note says it)
        claim.measured = {**claim.measured, "stale_runs": list(hashes)}
    figs = " ".join(claim.figures) if claim.figures else "ID"
    note = (f"Built on {len(hashes)} stale run(s) (made by code that has changed since: "
            f"{', '.join(hashes[:5])}{' …' if len(hashes) > 5 else ''}); `workbench runs --verify` checks "
            f"whether their numbers still hold, `workbench figures --only {figs} --refresh` retrains them.")
    if note not in claim.note:
        claim.note = f"{claim.note} {note}".strip()


def run_suites(names: str | Sequence[str], ctx: SuiteContext, argv: Sequence[str] | None = None,
               run_dir: Path | None = None) -> tuple[Path, list[Claim]]:
    """Run the named suites ('all' for every registered one); write the run folder.

    Claims keep the order in which suites yield them; ids must be unique across the run.
    Returns (path of REPORT.md, claims).
    """
    suites = resolve(names, SUITES)
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    run_id = _run_id(suites, ctx, now)
    run_dir = Path(run_dir) if run_dir is not None else Path(ctx.out) / run_id
    claims: list[Claim] = []
    seen: set[str] = set()
    cov: dict[str, dict] = {}
    for name in suites:
        spec = SUITES[name]
        t0 = time.perf_counter()
        probe = _EpisodeProbe(**ctx.__dict__)
        _EpisodeProbe.calls = []
        first = len(claims)
        drain_stale_reads()
        stale_now: dict[str, list[str]] = {}
        for claim in spec.func(probe):
            if not isinstance(claim, Claim):
                raise TypeError(f"suite {name!r} yielded {type(claim).__name__}, expected Claim")
            reads = drain_stale_reads()
            if reads:                  # the runs read since the last claim: what this one is built on
                stale_now = dict(reads)
            mark_stale(claim, sorted({h for hs in stale_now.values() for h in hs}))
            if claim.id in seen:
                raise ValueError(f"suite {name!r}: duplicate claim id {claim.id!r}")
            seen.add(claim.id)
            claims.append(claim)
        reduced = [d for d in _EpisodeProbe.calls if ctx.episodes is not None and ctx.episodes < d]
        if reduced:                    # --episodes cut this suite: say so in each theory claim
            note = reduced_scale_note(ctx.episodes, reduced)
            for claim in claims[first:]:
                if claim.evidence == "theory" and note not in claim.note:
                    claim.note = f"{claim.note} {note}".strip()
        cov[name] = coverage(spec.items, [c.id for c in claims if c.paper == spec.paper])
        if ctx.progress:
            print(f"[{name}] done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    run = {
        "id": run_id,
        "time": now.isoformat(),
        "git_commit": git_commit(),
        "preset": ctx.preset,
        "episodes": ctx.episodes,
        "seeds": [ctx.seed],
        "suites": suites,
        "argv": list(argv) if argv is not None else list(sys.argv),
        "coverage": cov,
        "chance_deviations": round(chance_deviations(claims), 4),
    }
    config = {"suites": suites, "preset": ctx.preset, "episodes": ctx.episodes, "seed": ctx.seed,
              "out": str(ctx.out), "data_dir": None if ctx.data_dir is None else str(ctx.data_dir)}
    report = write_run(run_dir, run, claims, config)
    return report, claims


def summary_table(claims: Sequence[Claim]) -> str:
    counts = status_counts([c.to_dict() for c in claims])
    width = max(len(s) for s in counts)
    rows = [f"{'status'.ljust(width)}  count", f"{'-' * width}  -----"]
    rows += [f"{s.ljust(width)}  {n:5d}" for s, n in counts.items()]
    rows.append(f"{'total'.ljust(width)}  {sum(counts.values()):5d}")
    return "\n".join(rows)
