"""`workbench runs [--out DIR] [--json] [--verify]`: the cached runs, and whether other code made them."""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path


def _age(seconds: float) -> str:
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= n:
            return f"{seconds / n:.0f}{unit}"
    return f"{seconds:.0f}s"


def _size(n: int) -> str:
    for unit in ("B", "K", "M", "G"):
        if n < 1024 or unit == "G":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return str(n)


def cli_runs(args) -> int:
    """List the runs under ``<out>/runs``; with --verify, replay each stale one and re-stamp it
    when its numbers are bit-identical under today's code."""
    from analysis.nets.cache import Run
    from analysis.nets.verify import run_table, verify_run

    rows = run_table(args.out)
    verified = []
    if getattr(args, "verify", False):
        # one scratch root for every replay: a teacher the students' replays need is trained once
        scratch = Path(tempfile.mkdtemp(prefix="wb-verify-"))
        try:
            for row in rows:
                if not row["stale"]:
                    continue
                run = Run.load(row["dir"])
                if not args.json:
                    print(f"verifying {row['hash']} (changed: {', '.join(row['changed'])}) ...", file=sys.stderr)
                res = verify_run(run, data_dir=getattr(args, "data_dir", None), scratch=scratch)
                verified.append(res)
                row["verify"] = res
                if res["restamped"]:
                    row["stale"], row["changed"] = False, []
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        print(json.dumps({"runs": rows, **({"verified": verified} if getattr(args, "verify", False) else {})},
                         sort_keys=True))
        return 0
    if not rows:
        print(f"no runs under {Path(args.out) / 'runs'}")
        return 0
    print(f"{'hash':12s}  {'experiment':28s} {'preset':6s} {'seed':>4s}  {'status':8s} {'stale':5s} "
          f"{'age':>5s} {'size':>7s}  changed")
    for r in rows:
        print(f"{r['hash']:12s}  {(r['experiment'] or '-')[:28]:28s} {(r['preset'] or '-'):6s} {r['seed']:4d}  "
              f"{r['status']:8s} {('yes' if r['stale'] else 'no' if r['fingerprinted'] else '?'):5s} "
              f"{_age(r['age_s']):>5s} {_size(r['bytes']):>7s}  {', '.join(r['changed'])}")
    for res in verified:
        if res["restamped"]:
            print(f"{res['hash']}: bit-identical under today's code; re-stamped")
        else:
            print(f"{res['hash']}: numbers moved, still stale (retrain it): " + "; ".join(res["moved"]))
    n_stale = sum(r["stale"] for r in rows)
    print(f"{len(rows)} runs, {n_stale} stale ('?' = made before fingerprints were recorded)")
    return 0
