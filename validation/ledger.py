"""The claims ledger of DESIGN.md: one record per claim, the tolerance rule, atomic run folders.

A claim records the paper's number (``expected``), ours (``measured``), the rule used to compare
them (``tolerance``) and a ``status``. This module holds the record, the rule that compares a
statistic with a printed number, and the writer of a run folder (``ledger.json``, ``ledger.csv``,
``REPORT.md``, ``config.yaml``, ``environment.json``; each written to a temporary file and
renamed, so a run folder never holds a half-written file).
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from analysis.stats import wilson_ci  # noqa: F401 - re-exported for the suites

STATUSES = ("confirmed", "deviates", "refuted", "reported", "not-run", "not-testable-offline")

CLAIM_FIELDS = ("id", "paper", "where", "statement", "expected", "measured", "ci", "tolerance",
                "status", "note", "seed", "runtime_s")


def to_jsonable(value: Any) -> Any:
    """Numpy scalars/arrays, tuples and non-finite floats → plain JSON values (NaN/inf as str)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return value


@dataclass
class Claim:
    """One ledger row (DESIGN.md, "The claims ledger")."""

    id: str
    paper: str
    where: str
    statement: str
    expected: Any
    measured: Any
    tolerance: str
    status: str
    note: str = ""
    ci: Sequence[float] | None = None
    seed: int | None = None
    runtime_s: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"claim {self.id!r}: status {self.status!r} is not one of {STATUSES}")
        if not self.id or " " in self.id:
            raise ValueError(f"claim id must be a non-empty dotted name without spaces, got {self.id!r}")
        if self.ci is not None:
            if len(self.ci) != 2:
                raise ValueError(f"claim {self.id!r}: ci must be [lo, hi], got {self.ci!r}")
            self.ci = [float(self.ci[0]), float(self.ci[1])]
        if self.seed is not None and isinstance(self.seed, bool):
            raise ValueError(f"claim {self.id!r}: seed must be an int or None")

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in CLAIM_FIELDS}
        d["runtime_s"] = round(float(d["runtime_s"]), 4)
        return to_jsonable(d)


# ----------------------------------------------------------------------------- tolerance rule

def printed_half_unit(printed: str | float) -> float:
    """Half a unit of the last printed digit: '0.67' → 0.005, '82' → 0.5, '14.12e3' → 5.0."""
    s = str(printed).strip().lower()
    exp = 0
    if "e" in s:
        s, e = s.split("e")
        exp = int(e)
    decimals = len(s.split(".")[1]) if "." in s else 0
    return 0.5 * 10.0 ** (exp - decimals)


def compare_statistic(ours: float, se_ours: float, paper: float, se_paper: float,
                      half_unit: float) -> tuple[bool, float, str]:
    """DESIGN.md's rule: agree when |ours − paper| ≤ 3·√(se_ours² + se_paper²) + half a unit.

    Returns (agrees, allowed difference, a sentence that states the rule with its numbers).
    """
    allowed = 3.0 * math.sqrt(se_ours ** 2 + se_paper ** 2) + half_unit
    diff = abs(ours - paper)
    ok = bool(np.isfinite(diff) and diff <= allowed)
    text = (f"|ours-paper| = {diff:.4g} vs allowed 3*sqrt(se_ours^2+se_paper^2) + half printed unit "
            f"= 3*sqrt({se_ours:.3g}^2+{se_paper:.3g}^2) + {half_unit:g} = {allowed:.4g}")
    return ok, allowed, text


def mean_se(values: Sequence[float]) -> tuple[float, float, float, int]:
    """(mean, std (ddof=1), standard error, n) of the finite values."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    n = v.size
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(v.mean())
    std = float(v.std(ddof=1)) if n > 1 else 0.0
    return mean, std, std / math.sqrt(n) if n > 0 else float("nan"), n


def se_of_std(std: float, n: int) -> float:
    """Standard error of a sample standard deviation, normal approximation: std/√(2(n−1))."""
    return std / math.sqrt(2.0 * max(n - 1, 1))


def binomial_se(p: float, n: int) -> float:
    """Binomial standard error √(p(1−p)/n) of a frequency p over n trials."""
    return math.sqrt(max(p * (1.0 - p), 0.0) / max(n, 1))


# ----------------------------------------------------------------------------- run folders

def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def git_commit(cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd or Path(__file__).parent,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def environment_info(seeds: Iterable[int] | None = None) -> dict:
    """Package versions, git commit, CPU/GPU, seeds: the provenance of a run."""
    versions = {}
    for name in ("numpy", "scipy", "numba", "torch", "matplotlib", "seaborn", "yaml", "tqdm",
                 "dask", "distributed", "hypothesis"):
        try:
            mod = __import__(name)
            versions[name] = getattr(mod, "__version__", "?")
        except Exception:  # noqa: BLE001 - an absent optional package is simply not listed
            versions[name] = None
    gpu = None
    try:
        import torch

        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001
        pass
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "gpu": gpu,
        "packages": versions,
        "git_commit": git_commit(),
        "seeds": list(seeds) if seeds is not None else [],
    }


def claims_to_csv(claims: Sequence[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CLAIM_FIELDS), lineterminator="\n")
    w.writeheader()
    for c in claims:
        row = {}
        for k in CLAIM_FIELDS:
            v = c.get(k)
            row[k] = json.dumps(v) if isinstance(v, (list, dict)) else ("" if v is None else v)
        w.writerow(row)
    return buf.getvalue()


def status_counts(claims: Sequence[dict]) -> dict[str, int]:
    cnt = Counter(c["status"] for c in claims)
    return {s: cnt.get(s, 0) for s in STATUSES}


def _short(v: Any, width: int = 60) -> str:
    s = json.dumps(v) if not isinstance(v, str) else v
    return s if len(s) <= width else s[: width - 1] + "…"


def render_report(ledger: dict, bench: dict | None = None) -> str:
    """REPORT.md: the run's provenance, the counts by status, and one row per claim."""
    run = ledger["run"]
    claims = ledger["claims"]
    lines = [f"# Validation report `{run['id']}`", "",
             f"- time: {run['time']}", f"- preset: {run['preset']}", f"- suites: {', '.join(run['suites'])}",
             f"- seeds: {run['seeds']}", f"- git commit: {run['git_commit']}",
             f"- command: `{' '.join(run['argv'])}`", "", "## Claims by status", "",
             "| status | count |", "|---|---|"]
    for s, n in status_counts(claims).items():
        lines.append(f"| {s} | {n} |")
    lines += ["", "## Claims", "", "| id | status | expected | measured | where |", "|---|---|---|---|---|"]
    for c in claims:
        lines.append(f"| `{c['id']}` | {c['status']} | {_short(c['expected'], 40)} | "
                     f"{_short(c['measured'], 60)} | {c['where']} |")
    notable = [c for c in claims if c["status"] != "confirmed"]
    if notable:
        lines += ["", "## Notes on claims that are not `confirmed`", ""]
        for c in notable:
            lines.append(f"- **`{c['id']}`** ({c['status']}): {c['statement']} — {c['note']} "
                         f"*Tolerance:* {c['tolerance']}")
    if bench:
        lines += ["", "## Speed (from `workbench bench`; not part of the ledger)", "", "```json",
                  json.dumps(bench, indent=2), "```"]
    return "\n".join(lines) + "\n"


def write_run(run_dir: Path, run: dict, claims: Sequence[Claim], config: dict) -> Path:
    """Write the run folder atomically file by file; return the path of REPORT.md."""
    import yaml

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    ledger = {"run": to_jsonable(run), "claims": [c.to_dict() for c in claims]}
    check_ledger_schema(ledger)
    atomic_write_text(run_dir / "ledger.json", json.dumps(ledger, indent=2, sort_keys=False) + "\n")
    atomic_write_text(run_dir / "ledger.csv", claims_to_csv(ledger["claims"]))
    atomic_write_text(run_dir / "config.yaml", yaml.safe_dump(to_jsonable(config), sort_keys=True))
    atomic_write_text(run_dir / "environment.json",
                      json.dumps(environment_info(run.get("seeds")), indent=2) + "\n")
    bench = None
    if (run_dir / "bench.json").exists():
        bench = json.loads((run_dir / "bench.json").read_text())
    report = run_dir / "REPORT.md"
    atomic_write_text(report, render_report(ledger, bench))
    return report


RUN_FIELDS = ("id", "time", "git_commit", "preset", "seeds", "argv")


def check_ledger_schema(ledger: dict) -> None:
    """Raise ValueError unless ``ledger`` has DESIGN.md's format (the schema the tests pin)."""
    if set(ledger) != {"run", "claims"}:
        raise ValueError(f"ledger keys must be run, claims; got {sorted(ledger)}")
    run = ledger["run"]
    missing = [k for k in RUN_FIELDS if k not in run]
    if missing:
        raise ValueError(f"ledger run lacks {missing}")
    if not isinstance(run["seeds"], list) or not isinstance(run["argv"], list):
        raise ValueError("ledger run: seeds and argv must be lists")
    number = (int, float)
    for c in ledger["claims"]:
        if tuple(c) != CLAIM_FIELDS:
            raise ValueError(f"claim fields must be {CLAIM_FIELDS} in order; got {tuple(c)}")
        cid = c["id"]
        for k in ("id", "paper", "where", "statement", "tolerance", "status", "note"):
            if not isinstance(c[k], str):
                raise ValueError(f"claim {cid}: {k} must be a string")
        if c["status"] not in STATUSES:
            raise ValueError(f"claim {cid}: unknown status {c['status']!r}")
        if c["expected"] is not None and not isinstance(c["expected"], (*number, str, list, dict)):
            raise ValueError(f"claim {cid}: expected must be a number, string, list or null")
        if c["measured"] is not None and not isinstance(c["measured"], (*number, str, list, dict)):
            raise ValueError(f"claim {cid}: measured must be a number, string, list, object or null")
        ci = c["ci"]
        if ci is not None and not (isinstance(ci, list) and len(ci) == 2):
            raise ValueError(f"claim {cid}: ci must be [lo, hi] or null")
        if c["seed"] is not None and (isinstance(c["seed"], bool) or not isinstance(c["seed"], int)):
            raise ValueError(f"claim {cid}: seed must be an int or null")
        if not isinstance(c["runtime_s"], number) or isinstance(c["runtime_s"], bool):
            raise ValueError(f"claim {cid}: runtime_s must be a number")


def load_ledger(run_dir: Path) -> dict:
    path = Path(run_dir) / "ledger.json"
    if not path.exists():
        raise FileNotFoundError(f"no ledger.json in {run_dir}; run `workbench validate --out DIR` first")
    return json.loads(path.read_text())


__all__ = [
    "STATUSES", "CLAIM_FIELDS", "Claim", "compare_statistic", "printed_half_unit", "mean_se",
    "se_of_std", "binomial_se", "wilson_ci", "atomic_write_text", "environment_info", "write_run",
    "load_ledger", "check_ledger_schema", "RUN_FIELDS", "render_report", "status_counts", "to_jsonable", "git_commit",
]
