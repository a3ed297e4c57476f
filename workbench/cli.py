"""`workbench` — the one command line of DESIGN.md.

Subcommands: validate, bench, report, figures, train, sweep, runs, data. Exit status is non-zero only
when the workbench itself fails (bad arguments, missing data, a crash); a refuted claim is a
result, not an error.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def _common(p: argparse.ArgumentParser, preset_default: str = "quick") -> None:
    p.add_argument("--preset", choices=("quick", "paper", "smoke"), default=preset_default,
                   help=f"network-run preset (default {preset_default})")
    p.add_argument("--out", type=Path, default=Path("results"), help="results root (default results/)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the folder data sets are read from, and the only one searched when given "
                        "(default: $WORKBENCH_DATA, then the usual places)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="workbench", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    v = sub.add_parser("validate", help="run validation suites and write the claims ledger")
    v.add_argument("--suite", nargs="+", default=["all"], help="suite name(s) or 'all' (default)")
    v.add_argument("--episodes", type=_positive_int, default=None,
                   help="episodes per study (default: the paper's, e.g. 1000)")
    v.add_argument("--reference", type=Path, default=None,
                   help="a reference ledger.json: compare the new ledger with it claim by claim "
                        "(status, numbers within repro_tol) and exit 1 on any difference")
    v.add_argument("--update-reference", action="store_true",
                   help="with --reference: write the new ledger there instead of comparing")
    _common(v, preset_default="quick")

    b = sub.add_parser("bench", help="speed figures as ratios measured in one process")
    b.add_argument("--suite", required=True, help="benchmark name (e.g. convsim, engine)")
    b.add_argument("--json", action="store_true", help="last line of output is one JSON object")
    b.add_argument("--episodes", type=_positive_int, default=None)
    b.add_argument("--repeats", type=_positive_int, default=None, help="interleaved repeats (median)")
    _common(b)

    r = sub.add_parser("report", help="print a run's REPORT.md (default: the newest run under --out)")
    r.add_argument("run_dir", nargs="?", type=Path, default=None)
    r.add_argument("--out", type=Path, default=Path("results"))
    r.add_argument("--html", action="store_true",
                   help="write RUN_DIR/report.html: one self-contained page (filters, figures embedded)")
    r.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), default=None,
                   help="compare two run folders or ledger files claim by claim")
    r.add_argument("--json", action="store_true", help="with --compare: print one JSON object")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--fail-on-change", action="store_true", help="with --compare: exit 1 on any change")
    g.add_argument("--fail-on-regression", action="store_true",
                   help="with --compare: exit 1 when a claim left confirmed or a number left its accept interval")

    f = sub.add_parser("figures", help="regenerate paper figures and tables (makes missing runs)")
    f.add_argument("--only", nargs="+", default=None, help="figure IDs (default: all)")
    f.add_argument("--list", action="store_true", help="list figure IDs and exit")
    f.add_argument("--workers", type=_positive_int, default=2, help="local worker processes (default 2)")
    f.add_argument("--scheduler", default=None, help="Dask scheduler address (dask.distributed)")
    f.add_argument("--refresh", action="store_true",
                   help="retrain the figures' stale runs (made by code that has changed; see `workbench runs`)")
    _common(f)

    t = sub.add_parser("train", help="train one configuration (YAML) with key=value overrides")
    t.add_argument("config", type=Path)
    t.add_argument("overrides", nargs="*", help="key=value (dotted keys allowed)")
    _common(t)

    s = sub.add_parser("sweep", help="a grid of settings x seeds, each a cached run")
    s.add_argument("config", type=Path)
    s.add_argument("--grid", nargs="*", default=[], help="key=v1,v2,... (one per swept key)")
    s.add_argument("--seeds", type=_positive_int, default=3, help="number of seeds (default 3)")
    s.add_argument("--workers", type=_positive_int, default=2, help="local worker processes")
    s.add_argument("--scheduler", default=None, help="Dask scheduler address (dask.distributed)")
    s.add_argument("overrides", nargs="*", help="key=value applied to every run")
    _common(s)

    ru = sub.add_parser("runs", help="list cached runs: status, and stale when the code that made them changed")
    ru.add_argument("--out", type=Path, default=Path("results"), help="results root (default results/)")
    ru.add_argument("--json", action="store_true", help='print one JSON object {"runs": [...]}')
    ru.add_argument("--verify", action="store_true",
                    help="replay the first epoch of each stale run (and re-evaluate its final checkpoint); "
                         "re-stamp it when every metric is bit-identical, else say which moved")
    ru.add_argument("--data-dir", type=Path, default=None, help="where data sets are read from (--verify)")

    d = sub.add_parser("data", help="which data sets are present, where they are looked for")
    d.add_argument("--data-dir", type=Path, default=None,
                   help="look only in this folder (default: $WORKBENCH_DATA, then the usual places)")
    return ap


def _ctx(args):
    from validation.registry import SuiteContext

    return SuiteContext(preset=args.preset, episodes=getattr(args, "episodes", None), seed=args.seed,
                        out=args.out, data_dir=args.data_dir, progress=not args.no_progress)


def cmd_validate(args) -> int:
    from validation.runner import run_suites, summary_table

    if args.update_reference and args.reference is None:
        print("error: --update-reference needs --reference FILE", file=sys.stderr)
        return 2
    report, claims = run_suites(args.suite, _ctx(args), argv=["workbench", *sys.argv[1:]])
    print(summary_table(claims))
    print(f"report: {report}")
    if args.reference is not None:
        return reference_check(report.parent / "ledger.json", args.reference, args.update_reference)
    return 0


def reference_check(new_ledger: Path, reference: Path, update: bool) -> int:
    """Compare a new ledger with the stored reference (exit 1 on any change), or replace it."""
    from validation.ledger import atomic_write_text, compare_ledgers, format_comparison

    if update:
        atomic_write_text(reference, Path(new_ledger).read_text())
        print(f"reference updated: {reference}")
        return 0
    if not Path(reference).exists():
        print(f"error: no reference ledger at {reference}; make it with --update-reference", file=sys.stderr)
        return 2
    diff = compare_ledgers(reference, new_ledger)
    print(format_comparison(diff, str(reference), str(new_ledger)))
    return 0 if diff["same"] else 1


def cmd_bench(args) -> int:
    from validation.bench_runner import run_bench

    out = args.out if args.out_given else None
    result = run_bench(args.suite, _ctx(args), repeats=args.repeats, out=out)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    return 0


def cmd_report(args) -> int:
    if args.compare is not None:
        return _report_compare(args)
    run_dir = args.run_dir
    if run_dir is None:
        runs = sorted((p for p in Path(args.out).glob("*/ledger.json")), key=lambda p: p.stat().st_mtime)
        if not runs:
            print(f"error: no run folder with a ledger.json under {args.out}; "
                  f"run `workbench validate --out {args.out}` first", file=sys.stderr)
            return 2
        run_dir = runs[-1].parent
    if args.html:
        from validation.ledger import atomic_write_text, load_ledger
        from validation.report import render_html

        page = Path(run_dir) / "report.html"
        atomic_write_text(page, render_html(load_ledger(run_dir), Path(run_dir)))
        print(f"report: {page}")
        return 0
    report = Path(run_dir) / "REPORT.md"
    if not report.exists():
        print(f"error: {report} does not exist", file=sys.stderr)
        return 2
    print(report.read_text())
    return 0


def _report_compare(args) -> int:
    """`workbench report --compare A B`: claims added, removed, re-statused, moved beyond repro_tol."""
    from validation.ledger import format_comparison
    from validation.report import compare

    a, b = args.compare
    diff, regressed = compare(a, b)
    if args.json:
        print(json.dumps({**diff, "regressions": regressed}, sort_keys=True))
    else:
        print(format_comparison(diff, str(a), str(b)))
        if regressed:
            print("regressions:\n  " + "\n  ".join(regressed))
    if args.fail_on_change and not diff["same"]:
        return 1
    if args.fail_on_regression and regressed:
        return 1
    return 0


def _delegate(module: str, func: str, args) -> int:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(module.split(".")[0]):
            print(f"error: `workbench {args.cmd}` needs {module}, which this checkout does not have yet",
                  file=sys.stderr)
            return 2
        raise
    return int(getattr(mod, func)(args) or 0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # `workbench sweep CFG --grid k=a,b lr=0.1`: a key=value after the options is an override too.
    if extra and args.cmd in ("train", "sweep") and all("=" in e and not e.startswith("-") for e in extra):
        args.overrides = list(args.overrides) + extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    raw = sys.argv[1:] if argv is None else argv
    args.out_given = any(a == "--out" or a.startswith("--out=") for a in raw)
    handlers = {
        "validate": cmd_validate,
        "bench": cmd_bench,
        "report": cmd_report,
        "figures": lambda a: _delegate("workbench.figures_cmd", "cli_figures", a),
        "train": lambda a: _delegate("workbench.train_cmd", "cli_train", a),
        "sweep": lambda a: _delegate("workbench.sweep_cmd", "cli_sweep", a),
        "data": lambda a: _delegate("workbench.data_cmd", "cli_data", a),
        "runs": lambda a: _delegate("workbench.runs", "cli_runs", a),
    }
    try:
        rc = handlers[args.cmd](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return rc
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        if type(exc).__name__ != "SweepError":          # runs that failed: one line each, with log
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; finished work is kept and a rerun resumes it", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`workbench report | head`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:
        # a full disk, a read-only results root: what failed and where, not a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}; files already written are whole (each is written "
              "to a temporary file and renamed), and a rerun redoes the rest", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
