"""cdg claims and figures rebuild from the run records without checkpoints (issue 16 §5)."""
from __future__ import annotations

import json

import pytest


def _network_claims(out):
    from validation.ledger import to_jsonable
    from validation.registry import SuiteContext
    from validation.suites._cdg_nets import network_claims

    ctx = SuiteContext(preset="smoke", episodes=1, out=out, progress=False)
    return {c.id: (c.status, json.dumps(to_jsonable(c.measured), sort_keys=True), c.ci)
            for c in network_claims(ctx) if c.id.startswith(("cdg.fig6", "cdg.control", "cdg.sec2_4", "cdg.fig11"))}


@pytest.mark.slow
def test_fig6_claims_and_fig11_without_checkpoints(tmp_path):
    """Train Fig. 6's smoke runs (the figure writes each run's cdg_correlation.json), take the
    claims, delete every checkpoint.pt, and get the same claims; cdg_fig11 still draws."""
    from analysis.nets.cdg import CORRELATION_FILE
    from figures import cdg_fig6, cdg_fig11
    from figures.common import FigureContext

    cdg_fig6.make(FigureContext(preset="smoke", out=tmp_path, workers=1, progress=False))
    before = _network_claims(tmp_path)
    assert {"cdg.fig6.h0_gain_over_sgd", "cdg.control.h1_vs_h0_same_step", "cdg.control.h1_vs_norm_matched_sgd",
            "cdg.sec2_4.cdg_raises_output_correlation", "cdg.fig11.output_corr_vs_distance"} <= set(before)
    assert all(st != "not-run" for st, _, _ in before.values()), before
    caches = list(tmp_path.glob(f"runs/*/{CORRELATION_FILE}"))
    assert caches and max(p.stat().st_size for p in caches) < 40_000
    ckpts = list(tmp_path.glob("runs/*/checkpoint.pt"))
    assert ckpts
    for p in ckpts:
        p.unlink()
    assert _network_claims(tmp_path) == before
    paths = cdg_fig11.make(FigureContext(preset="smoke", out=tmp_path, workers=1, progress=False))
    assert any(p.name.startswith("fig13_histogram") for p in paths)


def test_correlation_summary_needs_json_or_checkpoint(tmp_path):
    from types import SimpleNamespace

    from analysis.nets.cdg import run_correlation_summary

    with pytest.raises(FileNotFoundError):
        run_correlation_summary(SimpleNamespace(dir=tmp_path, config=None, meta={}))


def test_h1norm_matches_h1_norm_per_tensor():
    import torch

    from analysis.nets.cdg import transform_gradient, transform_key

    g = torch.randn(16, 4, 3, 3, dtype=torch.float64)
    for w in (1.0, 5.0):
        h = transform_gradient(g, "h1norm", sobolev_weight=w)
        ref = transform_gradient(g, "h1", sobolev_weight=w)
        assert torch.allclose(torch.linalg.vector_norm(h), torch.linalg.vector_norm(ref), rtol=1e-12)
        assert torch.allclose(h / g, (h / g).flatten()[0].expand_as(g), rtol=1e-12)     # a pure rescaling
    assert torch.equal(transform_gradient(torch.zeros(4, 3), "h1norm"), torch.zeros(4, 3))
    spec = {"name": "analysis.nets.cdg:grad_hook", "method": "h1norm", "lam": 1.0, "sobolev_weight": 5.0}
    assert transform_key(spec) == ("h1norm", 5.0, "output", "conv")


def test_quick_presets_share_runs_and_state_budget():
    """fig5's SGD and H̃1 output/conv quick runs are fig6's (same hash); seeds and pairing per issue 16."""
    from analysis.nets.cache import run_dir
    from analysis.nets.config import load_experiment

    def hashes(name):
        return {run_dir(c, "/x").name for _, c in load_experiment(name, "quick").runs()}

    assert len(hashes("cdg/fig6") & hashes("cdg/fig5")) == 10
    assert len(load_experiment("cdg/fig6", "quick").seeds) >= 5
    assert len(load_experiment("cdg/fig5", "quick").seeds) >= 5
    assert len(load_experiment("cdg/table2_quick", "quick").seeds) >= 10
    methods = {(c.grad_transform or {}).get("method", "sgd") for _, c in load_experiment("cdg/fig5", "quick").runs()}
    assert {"h1", "ls", "sgd"} <= methods
    fig6 = [c.grad_transform for _, c in load_experiment("cdg/fig6", "quick").runs() if c.grad_transform]
    lam_h0 = {g["lam"] for g in fig6 if g["method"] == "h0"}
    assert {g["sobolev_weight"] for g in fig6 if g["method"] == "h1"} == lam_h0      # H̃1(w) beside H0 at λ = w
    assert any(g["method"] == "h1norm" for g in fig6)


class _FakeRun:
    def __init__(self, cfg, acc):
        self.config, self.status, self._acc, self.dir, self.meta = cfg, "done", acc, None, {}

    def last(self, name="test_acc"):
        return self._acc


def _fake_runs(name, planted):
    """The quick preset's runs of ``name`` with accuracy 0.80 + noise + planted[method] (a fraction)."""
    import numpy as np

    from analysis.nets.config import load_experiment

    exp = load_experiment(name, "quick")
    rng = np.random.default_rng(1)
    runs = []
    for _, c in exp.runs():
        g = c.grad_transform or {}
        key = (g.get("method", "baseline"), g.get("axis", "output"), g.get("layers", "conv"))
        seed_effect = 0.01 * np.sin(3.0 * c.seed)                  # shared by the seed: pairing helps
        runs.append(_FakeRun(c, 0.80 + seed_effect + 0.001 * rng.standard_normal() + planted.get(key, 0.0)))
    return exp, runs


def test_quick_claims_state_power_and_decide(monkeypatch):
    """Every quick network claim with runs carries n/effect/sd/mde, a ci and paper_effect/power_ok;
    a planted H̃1 gain is confirmed, a planted loss of rasterized smoothing too (SGD − raster > 0)."""
    import validation.suites._cdg_nets as nets
    from validation.registry import SuiteContext

    planted = {("h1", "output", "conv"): 0.01, ("h1", "raster", "conv"): -0.01, ("h0", "output", "conv"): 0.005,
               ("ls", "raster", "all"): -0.005}
    fake = {n: _fake_runs(n, planted) for n in ("cdg/fig6", "cdg/fig5", "cdg/table2_quick")}
    monkeypatch.setattr(nets, "_runs_of", lambda ctx, name: fake.get(name, (None, None)))
    import analysis.nets.cdg as cdg

    def summary(run):
        base = {"table": {"output": 0.1 + 0.01 * run.config.seed, "input": 0.0},
                "profile": {"output": [0.1] * 3, "input": [0.01 * run.config.seed] * 3}}
        return {"trained": base, "init": base}

    monkeypatch.setattr(cdg, "run_correlation_summary", summary)
    claims = {c.id: c for c in nets.network_claims(SuiteContext(preset="quick", out="/nonexistent"))}
    with_runs = [c for c in claims.values() if c.status not in ("not-run", "not-testable-offline")]
    assert len(with_runs) >= 13
    for c in with_runs:
        assert {"n", "effect", "sd", "mde", "paper_effect", "power_ok"} <= set(c.measured), c.id
        assert c.ci is not None or c.status == "reported", c.id
    assert claims["cdg.fig6.h1_gain_over_sgd"].status == "confirmed"
    assert claims["cdg.fig5right.direction.raster"].status == "confirmed"
    assert claims["cdg.fig4.quick.h1_vs_ls"].status == "confirmed"
    assert claims["cdg.control.h1_vs_h0_same_step"].status == "confirmed"
    assert claims["cdg.fig5left.mean_gain"].measured["paper_effect"] == pytest.approx(1.45)
    assert claims["cdg.fig5left.variance_reduced"].measured["n"] == 10
    assert claims["cdg.fig6.h0_gain_over_sgd"].measured["holm"]
