"""lcr peers (issue 15 §4a): the suite's spectral-norm peer claims and the figure script, on a freshly
initialised binary ResNet-20 and on trained runs (smoke runs of lcr/table2 made here)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from validation.registry import SuiteContext

PAIR = ("r20_irnet_w1a32", "r20_ours_w1a32")
TRAINED_IDS = [f"lcr.peers.spectral_norm.trained.{s}.{k}" for s in PAIR for k in ("fp", "binary")]
PAIR_ID = "lcr.peers.sum_log_norm.ours_vs_irnet_w1a32"

# The numbers of the per-layer loop as it was before it became analysis.nets.spectral_peers.layer_peers (one
# function for the fresh-init and trained paths), recorded with that code: column sums over the 19
# layers of [circular, zero_padding, rm_official_1step, rm_converged, reshaped_1, reshaped_100,
# bound_sqrt_k] (ratios to circular) for a width-0.25 binary ResNet-20 (torch seed 3) on N(0, 1)
# inputs 2x3x16x16 (generator seed 3), zero-padding seeds 3 + layer index.
OLD_SMALL_SUMS = {
    "fp": [22.964862795616654, 18.133962946247383, 4.228297166116656, 4.025167221887324, 9.338216704958999,
           11.4183286251465, 34.255023594654816],
    "binary": [20.122188445176548, 18.035462273563464, 4.829255877068321, 4.584191983088653, 9.462957995580794,
               11.572785937033686, 34.71835784186922]}
# the old fresh-init claims (seed 0, full width, 8x3x32x32): median ratio per estimator and max over bound
OLD_FRESH = {
    "fp": ({"zero_padding": 0.9940012024102071, "rm_official_1step": 0.2517334925456929,
            "rm_converged": 0.20267273311523304, "reshaped_1": 0.5259047987511073,
            "reshaped_100": 0.6412068130372941, "bound_sqrt_k": 1.9236204397319265}, 0.6920393817520697),
    "binary": ({"zero_padding": 0.9935355677881104, "rm_official_1step": 0.27177930623399177,
                "rm_converged": 0.2346322022967164, "reshaped_1": 0.528141583972074,
                "reshaped_100": 0.6382882930063546, "bound_sqrt_k": 1.9148649012305947}, 0.6920393817520697)}


def test_layer_peers_agrees_with_the_old_loop():
    import torch

    from analysis.nets.models import build_model
    from validation.suites import lcr

    with torch.random.fork_rng():
        torch.manual_seed(3)
        model = build_model("binary_resnet20", num_classes=10, in_channels=3, image_size=16, width=0.25)
        x = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(3))
    rows = lcr.layer_peers(model, x, seed=3)
    assert [r["kernels"] for r in rows] == ["fp"] * 19 + ["binary"] * 19
    for which, sums in OLD_SMALL_SUMS.items():
        a = np.array([[r["circular"]] + [r[f"{q}_over_circular"] for q in lcr.PEER_ESTIMATES]
                      for r in rows if r["kernels"] == which])
        np.testing.assert_allclose(a.sum(0), sums, rtol=1e-12)
        assert all(r["over_bound"] <= 1 + 1e-9 for r in rows)
    assert [r["binary_layer"] for r in rows[:19]] == [False] + [True] * 18
    json.dumps(rows)  # JSON-able as stored in spectral_peers.json


@pytest.mark.slow
def test_spectral_peer_claims_confirmed_and_falsifiable():
    from validation.suites import lcr

    claims = list(lcr._summarised(lcr._spectral_peers(SuiteContext(preset="quick", seed=0))))
    assert [c.id for c in claims] == ["lcr.peers.spectral_norm.fp", "lcr.peers.spectral_norm.binary"]
    for c in claims:
        assert c.kind == "derived" and c.status == "confirmed" and c.falsifiable
        r = c.measured["ratio_to_circular"]
        assert r["bound_sqrt_k"]["min"] >= 1.0 - 1e-9          # the bound is above the exact norm
        assert r["reshaped_1"]["max"] <= r["bound_sqrt_k"]["min"]
        assert c.measured["layers"] == 19
        medians, over = OLD_FRESH[c.id.rsplit(".", 1)[1]]     # the numbers of the code before the refactor
        assert {k: v["median"] for k, v in r.items()} == pytest.approx(medians, rel=1e-12)
        assert c.measured["max_over_bound"] == pytest.approx(over, rel=1e-12)


@pytest.fixture(scope="module")
def smoke_runs(tmp_path_factory):
    """The smoke preset's lcr/table2 1/32 pair (2 seeds each), trained in seconds."""
    from analysis.nets.config import load_experiment
    from analysis.nets.train import train

    out = tmp_path_factory.mktemp("lcr_peers")
    for label, cfg in load_experiment("lcr/table2", "smoke").runs(0):
        if label in PAIR:
            assert train(cfg, out, progress=False).status == "done"
    return out


def _claims(out: Path) -> dict:
    from validation.suites import lcr

    ctx = SuiteContext(preset="smoke", episodes=1, out=out, progress=False)
    return {c.id: c for c in lcr._summarised(lcr._spectral_peers_trained(ctx))}


def _frozen(claims: dict) -> dict:
    return {k: {f: v for f, v in c.to_dict().items() if f != "runtime_s"} for k, c in claims.items()}


def test_trained_claims_not_run_without_runs(tmp_path):
    claims = _claims(tmp_path)
    assert sorted(claims) == sorted(TRAINED_IDS + [PAIR_ID])   # the 1/1 pair is simply left out
    for c in claims.values():
        assert c.status == "not-run" and c.kind == "derived" and c.evidence == "network"
        assert c.figures == ["lcr_spectral_peers"] and "lcr_table2" in c.note


def test_trained_path_cache_written_then_reused(smoke_runs):
    from figures import lcr_spectral_peers as fig
    from figures.common import FigureContext
    from validation.suites import lcr

    before = _claims(smoke_runs)           # runs, but no spectral_peers.json yet: still not-run
    assert all(c.status == "not-run" for c in before.values())
    assert "without spectral_peers.json" in before[TRAINED_IDS[0]].note

    ctx = FigureContext(preset="smoke", out=smoke_runs, progress=False)
    exp, found, left = fig.trained_results(ctx)  # computes each run's rows once (checkpoints exist)
    assert sorted(found) == sorted(PAIR) and all(len(v) == 2 for v in found.values())
    assert set(left) == {"r20_irnet", "r20_ours"}
    files = sorted(smoke_runs.glob(f"runs/*/{lcr.PEER_RESULT_FILE}"))
    assert len(files) == 4
    stored = json.loads(files[0].read_text())
    assert len(stored["rows"]) == 38 and stored["input"].startswith("first 8 test images")

    claims = _claims(smoke_runs)
    assert sorted(claims) == sorted(TRAINED_IDS + [PAIR_ID])
    for cid in TRAINED_IDS:
        c = claims[cid]
        assert c.kind == "derived" and c.evidence == "network" and c.figures == ["lcr_spectral_peers"]
        assert c.status in ("confirmed", "reported")
        assert c.measured["max_over_bound"] <= 1 + 1e-9
        assert c.measured["n"] == 2 and len(c.measured["runs"]) == 2 and c.measured["layers"] == 19
        assert c.measured["ratio_to_circular"]["bound_sqrt_k"]["n"] == 2 * 19
        assert "r20_irnet" in c.note                                 # the left-out settings are named
    p = claims[PAIR_ID]
    assert p.status == "reported" and p.kind == "derived" and p.measured["n"] == 2
    a, b = (p.measured[f"sum_log_circular_fp_{s}"] for s in PAIR)
    assert p.measured["effect"] == pytest.approx(float(np.mean(np.subtract(b, a))), rel=1e-12)
    rows0 = found[PAIR[0]][0]["rows"]
    assert a[0] == pytest.approx(sum(math.log(r["circular"]) for r in rows0 if r["kernels"] == "fp"), rel=1e-12)

    ckpts = list(smoke_runs.glob("runs/*/checkpoint.pt"))
    assert len(ckpts) == 4
    for f in ckpts:
        f.unlink()
    _, again, _ = fig.trained_results(ctx)  # from the JSON alone
    assert again == found
    assert _frozen(_claims(smoke_runs)) == _frozen(claims)


@pytest.mark.slow
def test_spectral_peers_figure(tmp_path):
    from figures import lcr_spectral_peers as fig
    from figures.common import FigureContext

    paths = fig.make(FigureContext(out=tmp_path, progress=False))   # no runs: fresh-init panels only
    assert {p.suffix for p in paths} >= {".png", ".csv"}
    assert not list(tmp_path.glob("runs/*"))                          # the figure never trains


def test_peer_times_bench_keys():
    from validation.benches.lcr import spectral_peer_times

    t = spectral_peer_times(SuiteContext(episodes=1))
    assert set(t) == {"16x16_at_32x32", "64x64_at_8x8"}
    assert all(v > 0 for d in t.values() for v in d.values())


@pytest.mark.slow
def test_spectral_peers_figure_with_trained_runs(tmp_path):
    from analysis.nets.config import load_experiment
    from analysis.nets.train import train
    from figures import lcr_spectral_peers as fig
    from figures.common import FigureContext

    for label, cfg in load_experiment("lcr/table2", "smoke").runs(0):
        if label in PAIR:
            train(cfg, tmp_path, progress=False)
    paths = fig.make(FigureContext(preset="smoke", out=tmp_path, progress=False))
    table = next(p for p in paths if p.suffix == ".csv").read_text()
    assert all(s in table for s in PAIR) and "fresh init" in table
    assert len(list(tmp_path.glob("runs/*/spectral_peers.json"))) == 4
