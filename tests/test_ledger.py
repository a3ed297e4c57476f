"""The ledger format of DESIGN.md, the tolerance rule, atomic run folders, the suite registry."""
import csv
import json
import math

import pytest

from validation import registry
from validation.ledger import (CLAIM_FIELDS, STATUSES, Alternative, Claim, Counterfactual, at_most,
                               binomial_se, check_ledger_schema, compare_ledgers, compare_statistic,
                               effect_rule, holds, mean_se, printed_half_unit, statistic_rule, wilson_ci)
from validation.registry import SuiteContext
from validation.runner import run_suites, summary_table

DESIGN_CLAIM_FIELDS = ("id", "paper", "kind", "evidence", "section", "where", "statement", "summary",
                       "expected", "measured", "ci", "accept", "alternative", "tolerance", "status",
                       "falsifiable", "counterfactuals", "repro_tol", "figures", "note", "seed", "runtime_s")
DESIGN_STATUSES = {"confirmed", "deviates", "refuted", "inconclusive", "reported", "not-run",
                   "not-testable-offline"}


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


@pytest.mark.parametrize("bad", [dict(status="ok"), dict(id="has space"), dict(ci=[1.0]), dict(seed=True),
                                 dict(kind="opinion"), dict(evidence="vibes"), dict(accept=[2.0, 1.0])])
def test_claim_rejects_bad_fields(bad):
    base = dict(id="x.y", paper="p", where="w", statement="s", expected=1, measured=1,
                tolerance="t", status="reported")
    with pytest.raises(ValueError):
        Claim(**{**base, **bad})


BASE = dict(id="x.y", paper="p", where="Eq. 1, here", statement="s", expected=0.0)


@pytest.mark.parametrize("status", ["confirmed", "deviates", "refuted", "inconclusive"])
def test_verdicts_cannot_be_typed(status):
    with pytest.raises(ValueError, match="computed|typed"):
        Claim(**BASE, measured=1e-17, status=status)


def test_statement_rule_needs_a_counterfactual_that_changes_the_status():
    rule = at_most(1e-12, key="err")
    with pytest.raises(ValueError, match="no counterfactual"):
        Claim(**BASE, measured={"err": 1e-16}, rule=rule)
    with pytest.raises(ValueError, match="no counterfactual"):  # a counterfactual that agrees is no test
        Claim(**BASE, measured={"err": 1e-16}, rule=rule, counterfactuals=[Counterfactual("same", {"err": 0.0})])
    c = Claim(**BASE, measured={"err": 1e-16}, rule=rule,
              counterfactuals=[Counterfactual("a wrong formula", {"err": 0.3})])
    assert c.status == "confirmed" and c.falsifiable
    d = c.to_dict()
    assert d["counterfactuals"] == [{"name": "a wrong formula", "status": "refuted"}]
    assert d["section"] == "Eq. 1" and "err" in d["summary"]
    c = Claim(**BASE, measured={"err": 0.5}, rule=rule,
              counterfactuals=[Counterfactual("the corrected formula", {"err": 1e-16})])
    assert c.status == "refuted" and c.falsifiable


def test_compared_number_needs_an_alternative_outside_accept():
    rule, accept = statistic_rule(10.0, 0.5, 0.0, 0.05)
    assert accept == pytest.approx([8.45, 11.55])
    with pytest.raises(ValueError, match="no counterfactual"):  # confirmed, nothing could refute it
        Claim(**{**BASE, "expected": "10.0"}, measured=10.2, rule=rule, accept=accept, kind="paper-number")
    c = Claim(**{**BASE, "expected": "10.0"}, measured=10.2, rule=rule, accept=accept, kind="paper-number",
              alternative=Alternative("no effect", 0.0))
    assert c.status == "confirmed" and c.falsifiable and c.to_dict()["accept"] == accept
    c = Claim(**{**BASE, "expected": "10.0"}, measured=10.2, rule=rule, accept=accept, kind="paper-number",
              alternative=Alternative("another reading", 9.0))
    assert c.status == "reported" and "not comparable" in c.note
    c = Claim(**{**BASE, "expected": "10.0"}, measured=14.0, rule=rule, accept=accept, kind="paper-number")
    assert c.status == "deviates" and c.falsifiable  # the paper's own value would have agreed


def test_numeric_rule_without_key_on_a_dict_is_an_error():
    with pytest.raises(ValueError, match="key="):
        Claim(**BASE, measured={"err": 1e-16}, rule=at_most(1e-12),
              counterfactuals=[Counterfactual("a wrong formula", {"err": 0.3})])


def test_replicate_that_flips_makes_the_claim_inconclusive():
    rule = holds(lambda v: v > 0, "positive", fail="refuted")
    c = Claim(**BASE, measured=1.0, replicate=-1.0, rule=rule, counterfactuals=[Counterfactual("neg", -5.0)])
    assert c.status == "inconclusive" and "flips" in c.note
    c = Claim(**BASE, measured=1.0, replicate=2.0, rule=rule, counterfactuals=[Counterfactual("neg", -5.0)])
    assert c.status == "confirmed"


@pytest.mark.parametrize("ci, status", [([0.5, 2.0], "confirmed"), ([-0.5, 2.0], "inconclusive"),
                                        ([-2.0, -0.5], "deviates"), ([0.1, 0.4], "deviates"),
                                        ([2.0, 3.0], "deviates"), (None, "reported")])
def test_effect_rule(ci, status):
    assert effect_rule(1.0)({"ci": ci}) == status


def test_compare_ledgers_reports_every_kind_of_change():
    def claim(cid, status="reported", measured=1.0, rt=None):
        return {"id": cid, "status": status, "kind": "derived", "evidence": "theory", "falsifiable": False,
                "expected": None, "measured": measured, "ci": None, "accept": None, "alternative": None,
                "repro_tol": rt or {"rtol": 1e-6, "atol": 0.0}}
    a = {"run": {}, "claims": [claim("a"), claim("b"), claim("c", measured={"x": [1.0, 2.0]})]}
    assert compare_ledgers(a, a)["same"]
    b = {"run": {}, "claims": [claim("a", status="not-run"), claim("c", measured={"x": [1.0, 2.0 + 1e-9]}),
                               claim("d")]}
    r = compare_ledgers(a, b)
    assert r["added"] == ["d"] and r["removed"] == ["b"] and not r["same"]
    assert r["status_changed"] == [{"id": "a", "a": "reported", "b": "not-run"}]
    assert r["moved"] == []
    b["claims"][1]["measured"] = {"x": [1.0, 2.1]}
    assert compare_ledgers(a, b)["moved"][0]["path"] == "measured.x[1]"


@pytest.fixture
def toy_suite():
    name = "toysuite"

    def run(ctx):
        yield Claim(id="toy.a", paper="p.txt", where="Eq. 1", statement="one plus one is two",
                    expected=2.0, measured=float(1 + 1), rule=holds(lambda v: v == 2.0, "equals 2"),
                    counterfactuals=[Counterfactual("1 + 2", 3.0)], seed=ctx.seed)
        yield Claim(id="toy.b", paper="p.txt", where="Eq. 2", statement="a refuted thing",
                    expected=None, measured={"counterexample": [1, 2]}, ci=[0.0, 1.0],
                    rule=holds(lambda v: not v, "no counterexample", key="counterexample"),
                    counterfactuals=[Counterfactual("a true world", {"counterexample": []})],
                    note="a result, not an error")

    items = [registry.PaperItem("Eq. 1", claims=("toy.a",)), registry.PaperItem("Eq. 2", claims=("toy.*",)),
             registry.PaperItem("Eq. 3", claims=("toy.c",)), registry.PaperItem("Fig. 9", reason="lost")]
    registry.register_suite(name, paper="p.txt", items=items)(run)
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
    assert ledger["run"]["coverage"][toy_suite] == {"items": 4, "covered": 2, "not_checkable": 1,
                                                    "uncovered": ["Eq. 3"], "fraction": 0.5}
    assert "| paper-statement | 1 | 0 | 1 |" in report.read_text()
    assert "confirmed  " in summary_table(claims)


def test_schema_check_catches_drift():
    good = {"run": {**{k: [] if k in ("seeds", "argv") else "x" for k in
                       ("id", "time", "git_commit", "preset", "seeds", "argv")}, "coverage": {}},
            "claims": [dict(zip(DESIGN_CLAIM_FIELDS, ["a", "p", "derived", "theory", "Eq. 1", "w", "s", "sum",
                                                        1, 1, None, None, None, "t", "reported", False, [],
                                                        {"rtol": 0.0, "atol": 0.0}, [], "", None, 0.0]))]}
    check_ledger_schema(good)
    bad = json.loads(json.dumps(good))
    del bad["claims"][0]["note"]
    with pytest.raises(ValueError):
        check_ledger_schema(bad)
    bad = json.loads(json.dumps(good))
    bad["claims"][0]["status"] = "maybe"
    with pytest.raises(ValueError):
        check_ledger_schema(bad)
    bad = json.loads(json.dumps(good))
    bad["claims"][0]["status"] = "confirmed"  # a verdict without a falsifiable rule
    with pytest.raises(ValueError, match="falsifiable"):
        check_ledger_schema(bad)


def test_unknown_suite_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown suite"):
        run_suites("nope", SuiteContext(out=tmp_path, progress=False))
