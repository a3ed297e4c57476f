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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from analysis.stats import wilson_ci  # noqa: F401 - re-exported for the suites

STATUSES = ("confirmed", "deviates", "refuted", "inconclusive", "reported", "not-run",
            "not-testable-offline")
VERDICTS = ("confirmed", "deviates", "refuted")
#: statuses a suite may type in; every other status is computed by a claim's rule.
TYPED_STATUSES = ("reported", "not-run", "not-testable-offline")
KINDS = ("paper-number", "paper-statement", "consistency", "derived")
EVIDENCE_KINDS = ("theory", "network")
DEFAULT_REPRO_TOL = {"rtol": 1e-6, "atol": 1e-12}

CLAIM_FIELDS = ("id", "paper", "kind", "evidence", "section", "where", "statement", "summary",
                "expected", "measured", "ci", "accept", "alternative", "tolerance", "status",
                "falsifiable", "counterfactuals", "repro_tol", "figures", "note", "seed", "runtime_s")


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


# ----------------------------------------------------------------------------- decision rules

def _fmt(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, float, np.integer, np.floating)):
        return f"{float(v):.4g}"
    return _short(to_jsonable(v), 50)


def _pick(evidence: Any, key: str | Callable | None) -> Any:
    if key is None:
        return evidence
    if callable(key):
        return key(evidence)
    if not isinstance(evidence, dict) or key not in evidence:
        raise ValueError(f"rule reads key {key!r}, but the evidence is {_short(to_jsonable(evidence), 80)}")
    return evidence[key]


@dataclass(frozen=True)
class Rule:
    """A decision rule: evidence (a claim's ``measured`` or a counterfactual's) → a status.

    ``text`` states the rule (it becomes the claim's ``tolerance`` when none is given); ``key``
    picks the decided quantity out of a dict of evidence; ``alpha`` is the chance that the rule
    gives a non-``confirmed`` verdict when the paper is right (Monte-Carlo rules, e.g. 0.0027 for
    the 3-standard-error rule; 0 for rules on exact arithmetic), summed in the report as the
    number of deviations expected by chance. Build rules with :func:`at_most`, :func:`at_least`,
    :func:`within`, :func:`holds` or :func:`effect_rule`.
    """

    text: str
    decide_value: Callable[[Any], str]
    key: str | Callable | None = None
    alpha: float = 0.0
    label: str = ""

    def value(self, evidence: Any) -> Any:
        return _pick(evidence, self.key)

    def __call__(self, evidence: Any) -> str:
        return self.decide_scalar(self.value(evidence))

    def decide_scalar(self, v: Any) -> str:
        status = self.decide_value(v)
        if status not in STATUSES:
            raise ValueError(f"rule {self.text!r} returned unknown status {status!r}")
        return status

    def summarize(self, evidence: Any) -> str:
        try:
            v = self.value(evidence)
        except ValueError:
            return _short(to_jsonable(evidence), 80)
        name = self.key if isinstance(self.key, str) else "value"
        return f"{name} = {_fmt(v)}; rule: {self.label or self.text}"


def _finite(v: Any) -> bool:
    """True for a finite number, False for None/NaN/inf; a dict, list or text is a mistake (a rule
    without the ``key`` that picks its number) and raises."""
    if v is None:
        return False
    if isinstance(v, (dict, list, tuple, str, np.ndarray)) and not (isinstance(v, str) and v in ("nan", "inf", "-inf")):
        raise ValueError(f"a numeric rule got {_short(to_jsonable(v), 80)}; give the rule a key= that picks the number")
    return math.isfinite(float(v))


def at_most(limit: float, key: str | Callable | None = None, fail: str = "refuted",
            why: str = "", alpha: float = 0.0) -> Rule:
    """confirmed when the value is finite and ≤ ``limit`` (e.g. an error against rounding)."""
    def d(v):
        return "confirmed" if _finite(v) and float(v) <= limit else fail
    return Rule(f"{key or 'value'} <= {limit:g}" + (f" ({why})" if why else ""), d, key, alpha,
                f"≤ {limit:g}")


def at_least(limit: float, key: str | Callable | None = None, fail: str = "refuted",
             why: str = "", alpha: float = 0.0) -> Rule:
    """confirmed when the value is finite and ≥ ``limit``."""
    def d(v):
        return "confirmed" if _finite(v) and float(v) >= limit else fail
    return Rule(f"{key or 'value'} >= {limit:g}" + (f" ({why})" if why else ""), d, key, alpha,
                f"≥ {limit:g}")


def within(lo: float, hi: float, key: str | Callable | None = None, fail: str = "deviates",
           why: str = "", alpha: float = 0.0) -> Rule:
    """confirmed when lo ≤ value ≤ hi (the ``accept`` interval of a compared number)."""
    def d(v):
        return "confirmed" if _finite(v) and lo <= float(v) <= hi else fail
    return Rule(f"{key or 'value'} in [{lo:.6g}, {hi:.6g}]" + (f" ({why})" if why else ""), d, key,
                alpha, f"accept [{lo:.4g}, {hi:.4g}]")


def holds(predicate: Callable[[Any], bool], text: str, key: str | Callable | None = None,
          fail: str = "refuted", alpha: float = 0.0) -> Rule:
    """confirmed when ``predicate(value)`` is true; ``text`` says what the predicate tests."""
    def d(v):
        return "confirmed" if bool(predicate(v)) else fail
    return Rule(text, d, key, alpha, text)


def effect_rule(paper_effect: float, key: str | Callable = "ci", direction_only: bool = False,
                fail: str = "deviates") -> Rule:
    """Network effects (DESIGN.md): decide from the effect's two-sided 95 % interval ``[lo, hi]``.

    Excludes 0 on the paper's side and contains the paper's effect → confirmed (with
    ``direction_only``: excludes 0 on the paper's side → confirmed); excludes 0 on the other side,
    or excludes the paper's effect → ``fail``; contains both 0 and the paper's effect (or, with
    ``direction_only``, contains 0) → inconclusive. No interval → reported.
    """
    sign = 1.0 if paper_effect >= 0 else -1.0

    def d(ci):
        if ci is None or len(ci) != 2 or not (_finite(ci[0]) and _finite(ci[1])):
            return "reported"
        lo, hi = float(ci[0]), float(ci[1])
        has0 = lo <= 0.0 <= hi
        has_paper = lo <= paper_effect <= hi
        if has0 and (has_paper or direction_only):
            return "inconclusive"
        if has0:
            return fail
        same_sign = (lo > 0) == (sign > 0)
        if not same_sign:
            return fail
        if direction_only or has_paper:
            return "confirmed"
        return fail
    return Rule(f"95% interval of the effect vs 0 and the paper's effect {paper_effect:g}"
                + (" (direction only)" if direction_only else ""), d, key, 0.05, "effect CI")


@dataclass(frozen=True)
class Counterfactual:
    """Evidence produced by the claim's own measurement code on a named input where the paper's
    statement is false (or, for a refuted claim, true): the decision rule must tell it apart."""

    name: str
    measured: Any


@dataclass(frozen=True)
class Alternative:
    """For a compared number: the value a named wrong world gives (0, the baseline, a reading)."""

    name: str
    value: float


def _as_float(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


@dataclass
class Claim:
    """One ledger row (DESIGN.md, "The claims ledger").

    A verdict (confirmed / deviates / refuted) and ``inconclusive`` are never typed: they come from
    ``rule`` applied to ``measured`` (or, for a compared number, from ``accept``). ``falsifiable``
    is computed here: the rule applied to every counterfactual (the ``alternative`` and the
    paper's own value for numbers; ``counterfactuals`` for statements) must give some other status
    than on the measurement, else the claim is not a test and a verdict raises ValueError.
    ``replicate`` is the same measurement at a second seed: a verdict that differs there becomes
    ``inconclusive``. A confirmed number whose ``alternative`` lies inside ``accept`` is
    ``reported`` ("not comparable").
    """

    id: str
    paper: str
    where: str
    statement: str
    expected: Any
    measured: Any
    tolerance: str = ""
    status: str | None = None
    note: str = ""
    ci: Sequence[float] | None = None
    seed: int | None = None
    runtime_s: float = 0.0
    kind: str = "paper-statement"
    evidence: str = "theory"
    section: str = ""
    summary: str = ""
    figures: Sequence[str] = ()
    accept: Sequence[float] | None = None
    alternative: Alternative | None = None
    rule: Rule | None = None
    counterfactuals: Sequence[Counterfactual] = ()
    replicate: Any = None
    repro_tol: dict | None = None
    falsifiable: bool = field(default=False, init=False)
    counterfactual_statuses: list = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        if not self.id or " " in self.id:
            raise ValueError(f"claim id must be a non-empty dotted name without spaces, got {self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id!r}: kind {self.kind!r} is not one of {KINDS}")
        if self.evidence not in EVIDENCE_KINDS:
            raise ValueError(f"claim {self.id!r}: evidence {self.evidence!r} is not one of {EVIDENCE_KINDS}")
        if self.ci is not None:
            if len(self.ci) != 2:
                raise ValueError(f"claim {self.id!r}: ci must be [lo, hi], got {self.ci!r}")
            self.ci = [float(self.ci[0]), float(self.ci[1])]
        if self.seed is not None and isinstance(self.seed, bool):
            raise ValueError(f"claim {self.id!r}: seed must be an int or None")
        if self.accept is not None:
            if len(self.accept) != 2 or not self.accept[0] <= self.accept[1]:
                raise ValueError(f"claim {self.id!r}: accept must be [lo, hi] with lo <= hi, got {self.accept!r}")
            self.accept = [float(self.accept[0]), float(self.accept[1])]
        if self.alternative is not None and not isinstance(self.alternative, Alternative):
            raise ValueError(f"claim {self.id!r}: alternative must be an Alternative(name, value)")
        self.figures = list(self.figures)
        self.repro_tol = dict(self.repro_tol or DEFAULT_REPRO_TOL)
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"claim {self.id!r}: status {self.status!r} is not one of {STATUSES}")
        if self.rule is None and self.accept is not None and self.status is None:
            self.rule = within(*self.accept)
        if self.rule is None:
            if self.status is None:
                raise ValueError(f"claim {self.id!r}: give a rule (or accept) to compute the status, "
                                 f"or type one of {TYPED_STATUSES}")
            if self.status not in TYPED_STATUSES:
                raise ValueError(f"claim {self.id!r}: status {self.status!r} must be computed by a rule, "
                                 f"not typed (only {TYPED_STATUSES} may be typed)")
            if self.counterfactuals or self.replicate is not None:
                raise ValueError(f"claim {self.id!r}: counterfactuals/replicate need a rule")
        else:
            if self.status is not None and self.status not in TYPED_STATUSES:
                raise ValueError(f"claim {self.id!r}: the status is computed by the rule; do not type "
                                 f"{self.status!r}")
            if self.status is None:  # a typed reported/not-run status overrides the rule (no verdict)
                self._decide()
        if not self.tolerance:
            self.tolerance = self.rule.text if self.rule is not None else "none"
        if not self.summary:
            self.summary = self._default_summary()
        if not self.section:
            self.section = self.where.split(",")[0].split(";")[0].strip()

    # -- the decision --------------------------------------------------------------------
    def _decide(self) -> None:
        rule = self.rule
        status = rule(self.measured)
        notes = []
        # counterfactual evidence: the named wrong (or right) worlds
        cf: list[tuple[str, str]] = []
        for c in self.counterfactuals:
            cf.append((c.name, rule(c.measured)))
        if self.accept is not None:
            paper = _as_float(self.expected)
            if paper is not None:
                cf.append(("the paper's value", rule.decide_scalar(paper)))
            if self.alternative is not None:
                alt_status = rule.decide_scalar(self.alternative.value)
                cf.append((self.alternative.name, alt_status))
                if status == "confirmed" and alt_status == "confirmed":
                    status = "reported"
                    notes.append(f"not comparable: the allowance [{self.accept[0]:.4g}, {self.accept[1]:.4g}] "
                                 f"also holds {self.alternative.name} = {self.alternative.value:.4g}")
        self.counterfactual_statuses = [{"name": n, "status": s} for n, s in cf]
        self.falsifiable = any(s != rule(self.measured) for _, s in cf)
        if self.replicate is not None and status in VERDICTS:
            rep = rule(self.replicate)
            if rep != status:
                notes.append(f"the verdict flips at the second seed ({status} here, {rep} there): inconclusive")
                status = "inconclusive"
        if status in VERDICTS and not self.falsifiable:
            raise ValueError(
                f"claim {self.id!r}: verdict {status!r} from a rule that no counterfactual can change "
                f"(counterfactuals: {cf or 'none'}); give a counterfactual input where the paper's "
                f"statement is false (or true), or make the claim 'reported'/'derived'")
        self.status = status
        if notes:
            self.note = (self.note + " " if self.note else "") + " ".join(notes)

    def _default_summary(self) -> str:
        if self.rule is not None and self.accept is not None:
            try:
                v = self.rule.value(self.measured)
                return (f"{_fmt(v)} vs {_fmt(self.expected)} printed, accept "
                        f"[{self.accept[0]:.4g}, {self.accept[1]:.4g}]")
            except ValueError:
                pass
        if self.rule is not None:
            return self.rule.summarize(self.measured)
        if self.measured is None:
            return self.status or ""
        return _short(to_jsonable(self.measured), 80)

    def to_dict(self) -> dict:
        d = {}
        for k in CLAIM_FIELDS:
            if k == "alternative":
                d[k] = None if self.alternative is None else {"name": self.alternative.name,
                                                               "value": self.alternative.value}
            elif k == "counterfactuals":
                d[k] = list(self.counterfactual_statuses)
            else:
                d[k] = getattr(self, k)
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


def statistic_rule(paper: float, se_ours: float, se_paper: float, half_unit: float,
                   key: str | Callable | None = None) -> tuple[Rule, list[float]]:
    """DESIGN.md's comparison as a rule: (rule, accept) with accept = paper ± (3·√(se_ours² +
    se_paper²) + half a printed unit). Its false-alarm rate under the paper's own value is the
    two-sided normal tail beyond 3 standard errors, 0.0027."""
    allowed = 3.0 * math.sqrt(se_ours ** 2 + se_paper ** 2) + half_unit
    lo, hi = paper - allowed, paper + allowed
    why = (f"DESIGN.md rule: paper ± 3*sqrt(se_ours^2+se_paper^2) + half printed unit = "
           f"{paper:.6g} ± (3*sqrt({se_ours:.3g}^2+{se_paper:.3g}^2) + {half_unit:g})")
    return within(lo, hi, key=key, why=why, alpha=0.0027), [lo, hi]


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


def counts_by_kind(claims: Sequence[dict]) -> dict[str, dict[str, int]]:
    """{kind: {status: count}} over the kinds present (``derived`` is kept apart from verdicts)."""
    out: dict[str, dict[str, int]] = {}
    for k in KINDS:
        sub = [c for c in claims if c.get("kind") == k]
        if sub:
            out[k] = status_counts(sub)
    return out


def chance_deviations(claims: Sequence["Claim"]) -> float:
    """Expected number of non-confirmed verdicts produced by chance alone if every paper number
    tested by a Monte-Carlo rule were right: the sum of the rules' false-alarm rates over the
    claims a rule decided."""
    return float(sum(c.rule.alpha for c in claims
                     if c.rule is not None and c.status in (*VERDICTS, "inconclusive")))


def _short(v: Any, width: int = 60) -> str:
    s = json.dumps(v) if not isinstance(v, str) else v
    return s if len(s) <= width else s[: width - 1] + "…"


def render_report(ledger: dict, bench: dict | None = None, run_dir: Path | None = None) -> str:
    """REPORT.md (see :func:`validation.report.render_markdown`)."""
    from .report import render_markdown

    return render_markdown(ledger, bench, run_dir)


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
    atomic_write_text(report, render_report(ledger, bench, run_dir))
    return report


RUN_FIELDS = ("id", "time", "git_commit", "preset", "seeds", "argv", "coverage")


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
    if not isinstance(run["coverage"], dict) or any(
            not isinstance(v, dict) or not {"items", "covered"} <= set(v) for v in run["coverage"].values()):
        raise ValueError("ledger run: coverage must be {paper: {items, covered, ...}}")
    number = (int, float)
    for c in ledger["claims"]:
        if tuple(c) != CLAIM_FIELDS:
            raise ValueError(f"claim fields must be {CLAIM_FIELDS} in order; got {tuple(c)}")
        cid = c["id"]
        for k in ("id", "paper", "kind", "evidence", "section", "where", "statement", "summary",
                  "tolerance", "status", "note"):
            if not isinstance(c[k], str):
                raise ValueError(f"claim {cid}: {k} must be a string")
        if c["status"] not in STATUSES:
            raise ValueError(f"claim {cid}: unknown status {c['status']!r}")
        if c["kind"] not in KINDS:
            raise ValueError(f"claim {cid}: unknown kind {c['kind']!r}")
        if c["evidence"] not in EVIDENCE_KINDS:
            raise ValueError(f"claim {cid}: unknown evidence {c['evidence']!r}")
        if c["expected"] is not None and not isinstance(c["expected"], (*number, str, list, dict)):
            raise ValueError(f"claim {cid}: expected must be a number, string, list or null")
        if c["measured"] is not None and not isinstance(c["measured"], (*number, str, list, dict)):
            raise ValueError(f"claim {cid}: measured must be a number, string, list, object or null")
        for k in ("ci", "accept"):
            v = c[k]
            if v is not None and not (isinstance(v, list) and len(v) == 2):
                raise ValueError(f"claim {cid}: {k} must be [lo, hi] or null")
        alt = c["alternative"]
        if alt is not None and not (isinstance(alt, dict) and set(alt) == {"name", "value"}):
            raise ValueError(f"claim {cid}: alternative must be {{name, value}} or null")
        if not isinstance(c["falsifiable"], bool):
            raise ValueError(f"claim {cid}: falsifiable must be a bool")
        if c["status"] in VERDICTS and not c["falsifiable"]:
            raise ValueError(f"claim {cid}: a verdict ({c['status']}) needs a falsifiable rule")
        if not isinstance(c["counterfactuals"], list) or not isinstance(c["figures"], list):
            raise ValueError(f"claim {cid}: counterfactuals and figures must be lists")
        rt = c["repro_tol"]
        if not (isinstance(rt, dict) and set(rt) == {"rtol", "atol"}):
            raise ValueError(f"claim {cid}: repro_tol must be {{rtol, atol}}")
        if c["seed"] is not None and (isinstance(c["seed"], bool) or not isinstance(c["seed"], int)):
            raise ValueError(f"claim {cid}: seed must be an int or null")
        if not isinstance(c["runtime_s"], number) or isinstance(c["runtime_s"], bool):
            raise ValueError(f"claim {cid}: runtime_s must be a number")


def _numbers_moved(a: Any, b: Any, rtol: float, atol: float, path: str, out: list) -> None:
    """Collect the paths where two JSON values differ beyond rtol/atol (numbers) or at all."""
    if isinstance(a, bool) or isinstance(b, bool):
        if a != b:
            out.append({"path": path, "a": a, "b": b})
        return
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if not math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=atol):
            out.append({"path": path, "a": a, "b": b})
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append({"path": f"{path}.{k}", "a": a.get(k), "b": b.get(k)})
            else:
                _numbers_moved(a[k], b[k], rtol, atol, f"{path}.{k}", out)
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append({"path": f"{path}[len]", "a": len(a), "b": len(b)})
            return
        for i, (x, y) in enumerate(zip(a, b)):
            _numbers_moved(x, y, rtol, atol, f"{path}[{i}]", out)
        return
    if a != b:
        out.append({"path": path, "a": a, "b": b})


COMPARED_FIELDS = ("expected", "measured", "ci", "accept", "alternative")


def compare_ledgers(a: dict | Path | str, b: dict | Path | str) -> dict:
    """Claim-by-claim comparison of two ledgers (dicts, ledger.json files or run folders).

    Returns ``{"added": [ids in b only], "removed": [ids in a only], "status_changed": [{id, a, b}],
    "moved": [{id, path, a, b}], "changed": [{id, field, a, b}], "same": bool}``: numbers in
    expected/measured/ci/accept/alternative are compared within the looser of the two claims'
    ``repro_tol``; kind, evidence and falsifiable are compared exactly; notes, runtimes and the
    run block are not compared.
    """
    la, lb = (_as_ledger(x) for x in (a, b))
    ca = {c["id"]: c for c in la["claims"]}
    cb = {c["id"]: c for c in lb["claims"]}
    out: dict[str, Any] = {"added": sorted(set(cb) - set(ca)), "removed": sorted(set(ca) - set(cb)),
                           "status_changed": [], "moved": [], "changed": []}
    for cid in [i for i in ca if i in cb]:
        x, y = ca[cid], cb[cid]
        if x["status"] != y["status"]:
            out["status_changed"].append({"id": cid, "a": x["status"], "b": y["status"]})
        for f in ("kind", "evidence", "falsifiable"):
            if x.get(f) != y.get(f):
                out["changed"].append({"id": cid, "field": f, "a": x.get(f), "b": y.get(f)})
        rt_a, rt_b = x.get("repro_tol") or DEFAULT_REPRO_TOL, y.get("repro_tol") or DEFAULT_REPRO_TOL
        rtol, atol = max(rt_a["rtol"], rt_b["rtol"]), max(rt_a["atol"], rt_b["atol"])
        moved: list = []
        for f in COMPARED_FIELDS:
            _numbers_moved(x.get(f), y.get(f), rtol, atol, f, moved)
        out["moved"] += [{"id": cid, **m} for m in moved]
    out["same"] = not any(out[k] for k in ("added", "removed", "status_changed", "moved", "changed"))
    return out


def format_comparison(diff: dict, name_a: str = "A", name_b: str = "B", limit: int = 40) -> str:
    """A plain-text account of :func:`compare_ledgers`' result."""
    if diff["same"]:
        return f"ledgers agree claim by claim ({name_a} vs {name_b})"
    lines = [f"ledgers differ ({name_a} -> {name_b}):"]
    for key, title in (("added", "added"), ("removed", "removed")):
        if diff[key]:
            lines.append(f"  {title} ({len(diff[key])}): " + ", ".join(diff[key][:limit]))
    for row in diff["status_changed"][:limit]:
        lines.append(f"  status {row['id']}: {row['a']} -> {row['b']}")
    for row in diff["changed"][:limit]:
        lines.append(f"  {row['field']} {row['id']}: {row['a']} -> {row['b']}")
    for row in diff["moved"][:limit]:
        lines.append(f"  moved {row['id']} {row['path']}: {_short(to_jsonable(row['a']), 40)} -> "
                     f"{_short(to_jsonable(row['b']), 40)}")
    return "\n".join(lines)


def _as_ledger(x: dict | Path | str) -> dict:
    if isinstance(x, dict):
        return x
    path = Path(x)
    if path.is_dir():
        path = path / "ledger.json"
    if not path.exists():
        raise FileNotFoundError(f"no ledger at {path}")
    return json.loads(path.read_text())


def load_ledger(run_dir: Path | str, as_frame: bool = False):
    """The ledger of a run folder (or a ledger.json path) as a dict, or with ``as_frame=True`` its
    claims as a pandas DataFrame (one row per claim, DESIGN.md's fields plus ``suite``)."""
    path = Path(run_dir)
    if path.is_dir():
        path = path / "ledger.json"
    if not path.exists():
        raise FileNotFoundError(f"no ledger.json at {path}; run `workbench validate --out DIR` first")
    ledger = json.loads(path.read_text())
    if not as_frame:
        return ledger
    import pandas as pd

    df = pd.DataFrame(ledger["claims"], columns=list(CLAIM_FIELDS))
    df.insert(1, "suite", df["id"].str.split(".").str[0])
    df.attrs["run"] = ledger["run"]
    return df


__all__ = [
    "STATUSES", "CLAIM_FIELDS", "Claim", "compare_statistic", "printed_half_unit", "mean_se",
    "se_of_std", "binomial_se", "wilson_ci", "atomic_write_text", "environment_info", "write_run",
    "load_ledger", "check_ledger_schema", "RUN_FIELDS", "render_report", "status_counts", "to_jsonable", "git_commit",
    "VERDICTS", "TYPED_STATUSES", "KINDS", "EVIDENCE_KINDS", "Rule", "at_most", "at_least", "within", "holds",
    "effect_rule", "statistic_rule", "Counterfactual", "Alternative", "compare_ledgers", "counts_by_kind",
    "chance_deviations", "format_comparison",
]
