"""The ledger format of DESIGN.md, the tolerance rule, atomic run folders, the suite registry."""
import csv
import json
import math

import pytest

from validation import registry
from validation.ledger import (CLAIM_FIELDS, STATUSES, Claim, binomial_se, check_ledger_schema,
                               compare_statistic, mean_se, printed_half_unit, wilson_ci)
from validation.registry import SuiteContext
from validation.runner import run_suites, summary_table

DESIGN_CLAIM_FIELDS = ("id", "paper", "where", "statement", "expected", "measured", "ci", "tolerance",
                       "status", "note", "seed", "runtime_s")
DESIGN_STATUSES = {"confirmed", "deviates", "refuted", "reported", "not-run", "not-testable-offline"}


def test_field_names_and_statuses_pinned_to_design():
    assert CLAIM_FIELDS == DESIGN_CLAIM_FIELDS
    assert set(STATUSES) == DESIGN_STATUSES


@pytest.mark.parametrize("printed, half", [("0.67", 0.005), ("82", 0.5), ("99.99", 0.005),
                                           ("14.12e3", 5.0), ("10.60e5", 500.0), ("0.272", 0.0005)])
def test_printed_half_unit(printed, half):
    assert math.isclose(printed_half_unit(printed), half)


def test_compare_statistic_rule():
    ok, allowed, text = compare_statistic(0.70, 0.01, 0.67, 0.0, 0.005)
    assert math.isclose(allowed, 0.035) and ok and "allowed" in text
    ok, _, _ = compare_statistic(0.80, 0.01, 0.67, 0.0, 0.005)
    assert not ok
    ok, _, _ = compare_statistic(float("nan"), 0.01, 0.67, 0.0, 0.005)
    assert not ok


def test_statistics_helpers():
    mean, std, se, n = mean_se([1.0, 2.0, 3.0, float("nan")])
    assert (mean, std, n) == (2.0, 1.0, 3) and math.isclose(se, 1 / math.sqrt(3))
    assert math.isclose(binomial_se(0.5, 100), 0.05)
    lo, hi = wilson_ci(90, 100)
    assert lo < 0.9 < hi and 0 <= lo and hi <= 1


@pytest.mark.parametrize("bad", [dict(status="ok"), dict(id="has space"), dict(ci=[1.0]), dict(seed=True)])
def test_claim_rejects_bad_fields(bad):
    base = dict(id="x.y", paper="p", where="w", statement="s", expected=1, measured=1,
                tolerance="t", status="confirmed")
    with pytest.raises(ValueError):
        Claim(**{**base, **bad})


@pytest.fixture
def toy_suite():
    name = "toysuite"

    def run(ctx):
        yield Claim(id="toy.a", paper="p.txt", where="Eq. 1", statement="one plus one is two",
                    expected=2.0, measured=float(1 + 1), tolerance="exact", status="confirmed",
                    seed=ctx.seed)
        yield Claim(id="toy.b", paper="p.txt", where="Eq. 2", statement="a refuted thing",
                    expected=None, measured={"counterexample": [1, 2]}, ci=[0.0, 1.0],
                    tolerance="exact", status="refuted", note="a result, not an error")

    registry.register_suite(name, paper="p.txt")(run)
    yield name
    registry.SUITES.pop(name, None)


def test_run_folder_schema_and_atomicity(tmp_path, toy_suite):
    report, claims = run_suites(toy_suite, SuiteContext(out=tmp_path, progress=False), argv=["test"])
    run_dir = report.parent
    names = sorted(p.name for p in run_dir.iterdir())
    assert names == ["REPORT.md", "config.yaml", "environment.json", "ledger.csv", "ledger.json"]
    ledger = json.loads((run_dir / "ledger.json").read_text())
    check_ledger_schema(ledger)
    assert [c["id"] for c in ledger["claims"]] == ["toy.a", "toy.b"]
    assert ledger["run"]["argv"] == ["test"] and ledger["run"]["preset"] == "paper"
    rows = list(csv.DictReader((run_dir / "ledger.csv").open()))
    assert json.loads(rows[1]["measured"]) == {"counterexample": [1, 2]}
    env = json.loads((run_dir / "environment.json").read_text())
    assert "numpy" in env["packages"] and env["seeds"] == [0]
    assert "refuted | 1" in report.read_text()
    assert "confirmed  " in summary_table(claims)


def test_schema_check_catches_drift():
    good = {"run": {k: [] if k in ("seeds", "argv") else "x" for k in
                    ("id", "time", "git_commit", "preset", "seeds", "argv")},
            "claims": [dict(zip(DESIGN_CLAIM_FIELDS, ["a", "p", "w", "s", 1, 1, None, "t", "confirmed",
                                                        "", None, 0.0]))]}
    check_ledger_schema(good)
    bad = json.loads(json.dumps(good))
    del bad["claims"][0]["note"]
    with pytest.raises(ValueError):
        check_ledger_schema(bad)
    bad = json.loads(json.dumps(good))
    bad["claims"][0]["status"] = "maybe"
    with pytest.raises(ValueError):
        check_ledger_schema(bad)


def test_unknown_suite_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown suite"):
        run_suites("nope", SuiteContext(out=tmp_path, progress=False))
