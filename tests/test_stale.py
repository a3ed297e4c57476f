"""Stale runs in validation (issue 12 §2): experiment_runs notes the stale runs it reads and the
runner lists them in the network claims built on them."""
import json
from pathlib import Path

import validation.suites._common as common
from analysis.nets import fingerprint
from validation import registry
from validation.ledger import Claim
from validation.registry import SuiteContext
from validation.runner import mark_stale, run_suites


class _FakeRun:
    def __init__(self, folder: Path, h: str, stale: bool):
        self.dir, self.hash = folder, h
        folder.mkdir(parents=True)
        fp = fingerprint.current()
        if stale:
            fp["modules"]["analysis/nets/train.py"] = "0" * 64
        (folder / fingerprint.FINGERPRINT).write_text(json.dumps(fp))


def _claim(**kw):
    base = dict(id="x.net", paper="p", where="w", statement="s", expected=None,
                measured={"n": 3, "effect": 0.1}, status="reported", kind="paper-statement",
                evidence="network", figures=["fig_x"])
    return Claim(**{**base, **kw})


def test_mark_stale_adds_hashes_and_a_note():
    c = _claim()
    mark_stale(c, ["abc123"])
    assert c.measured["stale_runs"] == ["abc123"] and "stale" in c.note and "--refresh" in c.note
    theory = _claim(evidence="theory")
    mark_stale(theory, ["abc123"])
    assert "stale_runs" not in theory.measured
    fresh = _claim()
    mark_stale(fresh, [])
    assert "stale_runs" not in fresh.measured and fresh.note == ""


def test_runner_marks_claims_built_on_stale_runs(tmp_path, monkeypatch):
    old, new = _FakeRun(tmp_path / "a", "aaaaaaaaaaaa", True), _FakeRun(tmp_path / "b", "bbbbbbbbbbbb", False)
    runs = {"convsim/table5": old, "convsim/fig4": new}
    monkeypatch.setattr("analysis.nets.cache.find_run", lambda cfg, out: current["run"])
    current = {}

    def suite(ctx):
        current["run"] = runs["convsim/table5"]
        common.experiment_runs(ctx, "convsim/table5")
        yield _claim(id="t.one")
        yield _claim(id="t.two")
        current["run"] = runs["convsim/fig4"]
        common.experiment_runs(ctx, "convsim/fig4")
        yield _claim(id="t.three")
    monkeypatch.setitem(registry.SUITES, "stale_test", registry.SuiteSpec("stale_test", "p", suite, "", ()))
    _, claims = run_suites(["stale_test"], SuiteContext(preset="quick", out=tmp_path, progress=False),
                           run_dir=tmp_path / "ledger")
    by = {c.id: c for c in claims}
    assert by["t.one"].measured["stale_runs"] == ["aaaaaaaaaaaa"]
    assert by["t.two"].measured["stale_runs"] == ["aaaaaaaaaaaa"]
    assert "stale_runs" not in by["t.three"].measured
    report = (tmp_path / "ledger" / "REPORT.md").read_text()
    assert "stale runs:** 1" in report
