"""The whole ledger, as `workbench validate --suite all --preset quick` writes it, against the rules
of DESIGN.md and against the stored reference ledger (results/reference/quick/ledger.json).

One validation run per test session (about three minutes on 2 cores). Any change of a claim's
status or of its numbers beyond its ``repro_tol`` fails ``test_matches_reference`` until the
reference is rebuilt with ``make reference`` in the same commit.
"""
import json
from collections import Counter
from pathlib import Path

import pytest

from validation.ledger import (KINDS, VERDICTS, check_ledger_schema, compare_ledgers, format_comparison)
from validation.registry import SuiteContext
from validation.runner import run_suites

ROOT = Path(__file__).resolve().parents[1]
REF_ROOT = ROOT / "results" / "reference" / "quick"
REFERENCE = REF_ROOT / "ledger.json"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("validate-all")
    ctx = SuiteContext(preset="quick", out=REF_ROOT, progress=False)
    report, _ = run_suites("all", ctx, argv=["pytest"], run_dir=run_dir)
    return json.loads((report.parent / "ledger.json").read_text())


def test_schema(ledger):
    check_ledger_schema(ledger)


def test_matches_reference(ledger):
    assert REFERENCE.exists(), "no reference ledger: run `make reference` and commit it"
    diff = compare_ledgers(json.loads(REFERENCE.read_text()), ledger)
    assert diff["same"], format_comparison(diff, "reference", "this run") + \
        "\nIf the change is intended, rebuild the reference with `make reference` and commit it."


def test_no_verdict_without_a_counterfactual_that_changes_it(ledger):
    bad = [c["id"] for c in ledger["claims"] if c["status"] in VERDICTS and not c["falsifiable"]]
    assert not bad
    for c in ledger["claims"]:
        if c["status"] in VERDICTS:
            assert any(cf["status"] != c["status"] for cf in c["counterfactuals"]), c["id"]


def test_compared_numbers_state_their_acceptance_interval(ledger):
    for c in ledger["claims"]:
        if c["kind"] == "paper-number" and c["status"] in VERDICTS and c["accept"] is not None:
            assert c["expected"] is not None, c["id"]
            if c["status"] == "confirmed":
                alt = c["alternative"]
                assert alt is not None and not (c["accept"][0] <= alt["value"] <= c["accept"][1]), c["id"]


def test_expected_values_are_the_papers_or_the_claim_is_derived(ledger):
    """A decided paper-number or consistency claim names the paper's value; the workbench's own
    expected values belong to derived claims."""
    for c in ledger["claims"]:
        if c["kind"] in ("paper-number", "consistency") and c["status"] in (*VERDICTS, "inconclusive"):
            assert c["expected"] is not None, c["id"]


def test_kinds_and_consistency_claims(ledger):
    kinds = Counter(c["kind"] for c in ledger["claims"])
    assert set(kinds) <= set(KINDS)
    assert kinds["consistency"] >= 15, kinds


def test_coverage_of_each_paper(ledger):
    cov = ledger["run"]["coverage"]
    assert set(cov) == {"convsim", "lcr", "cdg", "dhkd"}
    for suite, c in cov.items():
        assert c["items"] > 0, suite
        assert c["covered"] / c["items"] >= 0.95, (suite, c)


def test_network_claims_with_runs_state_their_power(ledger):
    """Issue 16: a network claim built on runs carries n, effect, sd, mde in `measured` and the
    effect's 95 % interval as its `ci` (None only with fewer than two finished pairs)."""
    missing = []
    for c in ledger["claims"]:
        if c["evidence"] != "network" or c["status"] in ("not-run", "not-testable-offline"):
            continue
        m = c["measured"] if isinstance(c["measured"], dict) else {}
        if c["kind"] == "derived" and "effect" not in m:
            # a derived check on every layer of every run (lcr's trained spectral peers: a bound that
            # must hold everywhere) compares no settings, so it has no effect or mde; it states its n
            if "n" not in m:
                missing.append((c["id"], ["n"]))
            continue
        lacks = [k for k in ("n", "effect", "sd", "mde") if k not in m]
        if c["ci"] is None and c["status"] != "reported":
            lacks.append("ci")
        if lacks:
            missing.append((c["id"], lacks))
    assert not missing, missing
