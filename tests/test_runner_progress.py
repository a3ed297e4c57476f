"""Issue 13, item 6: `validate --episodes N` says it is reduced in every affected theory claim's
note (added by the runner), and `bench` shows progress on stderr while it runs."""
from __future__ import annotations

import time

import pytest

from validation import bench_runner, registry, runner
from validation.ledger import Claim
from validation.registry import SuiteContext


@pytest.fixture
def fake_suites(monkeypatch):
    def uses_episodes(ctx):
        n = ctx.n_episodes(1000)
        yield Claim(id="fake.mc.theory", paper="p.txt", where="Eq. 1", statement="s", expected=None,
                    measured=n, status="reported", note="a reading")
        yield Claim(id="fake.mc.net", paper="p.txt", where="Tab. 1", statement="s", expected=None,
                    measured=1, status="reported", evidence="network")

    def exact(ctx):
        yield Claim(id="fake.exact.theory", paper="q.txt", where="Eq. 2", statement="s", expected=None,
                    measured=0, status="reported")

    suites = {"fakemc": registry.SuiteSpec("fakemc", "p.txt", uses_episodes, ""),
              "fakeexact": registry.SuiteSpec("fakeexact", "q.txt", exact, "")}
    monkeypatch.setattr(runner, "SUITES", suites)
    return suites


def _notes(claims):
    return {c.id: c.note for c in claims}


def test_reduced_episodes_are_named_in_every_affected_theory_claim(tmp_path, fake_suites):
    _, claims = runner.run_suites(["fakemc", "fakeexact"], SuiteContext(episodes=3, out=tmp_path, progress=False),
                                  run_dir=tmp_path / "r")
    notes = _notes(claims)
    assert notes["fake.mc.theory"].startswith("a reading Reduced-scale run: --episodes 3 instead of the paper's 1000")
    assert "Reduced-scale" not in notes["fake.mc.net"]             # network evidence: not episodes
    assert "Reduced-scale" not in notes["fake.exact.theory"]       # suite without episodes
    assert "Reduced-scale run" in (tmp_path / "r" / "ledger.json").read_text()


def test_full_scale_run_has_no_reduced_note(tmp_path, fake_suites):
    for episodes in (None, 1000, 5000):
        _, claims = runner.run_suites(["fakemc"], SuiteContext(episodes=episodes, out=tmp_path, progress=False),
                                      run_dir=tmp_path / f"r{episodes}")
        assert all("Reduced-scale" not in c.note for c in claims)


def test_bench_shows_progress_on_stderr(monkeypatch, capsys):
    def slow(ctx):
        time.sleep(0.35)
        return {"ratio": 1.0}

    monkeypatch.setitem(registry.BENCHES, "fakebench", registry.BenchSpec("fakebench", slow, ""))
    monkeypatch.setattr(bench_runner._Heartbeat.__init__, "__defaults__", (True, 0.1, None))
    result = bench_runner.run_bench("fakebench", SuiteContext(progress=True))
    cap = capsys.readouterr()
    assert result["ratio"] == 1.0 and cap.out == ""
    lines = cap.err.strip().splitlines()
    assert lines[0].startswith("bench fakebench: running") and lines[-1].startswith("bench fakebench: done in")
    assert any("still running" in l for l in lines[1:-1])
    bench_runner.run_bench("fakebench", SuiteContext(progress=False))
    assert capsys.readouterr().err == ""
