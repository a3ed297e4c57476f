"""The figure pipeline and the convsim network claims, on the `smoke` preset (tiny synthetic
CIFAR-format files written by the trainer) — one set of runs shared by the tests here."""
from __future__ import annotations

import csv
import math

import pytest
import torch

from analysis.nets.cache import find_run
from analysis.nets.config import load_experiment
from figures import pipeline
from figures.common import FigureContext, provenance, write_table
from validation.registry import SuiteContext

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def smoke_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("fig")
    ctx = FigureContext(preset="smoke", out=out, progress=False, workers=1)
    paths = pipeline.make_figure("convsim_table5", ctx)
    return out, paths


def test_table5_smoke_writes_table_and_figures(smoke_out):
    out, paths = smoke_out
    folder = out / "figures" / "convsim_table5"
    names = {p.name for p in paths}
    for stem in ("fig1_convsim_loss", "fig2_train_loss", "fig3_train_acc", "fm_similarity"):
        assert {f"{stem}.png", f"{stem}.pdf"} <= names
        assert (folder / f"{stem}.png").stat().st_size > 10_000
        assert (folder / f"{stem}.pdf").read_bytes()[:4] == b"%PDF"
    rows = list(csv.DictReader((folder / "table5.csv").open()))
    assert len(rows) == 8 and {r["model"] for r in rows} == {"CNN1", "CNN2"}
    assert {r["method"] for r in rows} >= {"OCNN (matched to β = 0.001)", "I = 3 (Alg. 1) + momentum 0.9"}
    exp = load_experiment("convsim/table5", "smoke")
    for r in rows:
        assert int(r["n_seeds"]) == len(exp.seeds)
        assert 0.0 <= float(r["top_test_acc_mean_pct"]) <= 100.0
    md = (folder / "table5.md").read_text()
    assert "preset smoke" in md and "synthetic" in md and "seeds 0,1" in md
    # every run the table names is in the cache, finished
    for _, cfg in exp.runs():
        assert find_run(cfg, out) is not None


def test_rerun_uses_the_cache(smoke_out):
    out, _ = smoke_out
    exp = load_experiment("convsim/table5", "smoke")
    stamps = {c.hash(): (out / "runs" / c.hash() / "checkpoint.pt").stat().st_mtime_ns for _, c in exp.runs()}
    from figures.common import make_runs

    ctx = FigureContext(preset="smoke", out=out, progress=False, workers=1, make_missing=False)
    runs = make_runs(exp, ctx)                      # what the script asks for: all from the cache
    assert sum(len(v) for v in runs.values()) == len(stamps)
    for h, t in stamps.items():
        assert (out / "runs" / h / "checkpoint.pt").stat().st_mtime_ns == t


def test_network_claims_from_smoke_runs(smoke_out):
    from validation.suites._convsim_nets import network_claims

    out, _ = smoke_out
    ctx = SuiteContext(preset="smoke", out=out, seed=0)
    claims = list(network_claims(ctx))
    again = list(network_claims(ctx))
    by_id = {c.id: c for c in claims}
    assert len(by_id) == len(claims)
    assert [c.to_dict() | {"runtime_s": 0} for c in claims] == [c.to_dict() | {"runtime_s": 0} for c in again]
    for model in ("cnn1", "cnn2"):
        for meth in ("baseline", "init500", "reg"):
            c = by_id[f"convsim.table5.{model}.{meth}.top_test_acc"]
            assert c.status == "reported" and "not expected to match" in c.note
            assert isinstance(c.expected, float) and c.measured["n"] == 2
            assert math.isclose(c.measured["value"], sum(c.measured["per_seed"]) / 2)
        # relations are decided by rules at every preset; a verdict needs a falsifiable rule
        for cid in (f"convsim.table5.{model}.ordering", f"convsim.fig1.{model}.init_cs_stays_below_baseline"):
            c = by_id[cid]
            assert c.evidence == "network" and c.rule is not None
            assert c.status != "not-run"
            if c.status in ("confirmed", "deviates", "refuted"):
                assert c.falsifiable
        assert "shrink" in by_id[f"convsim.fig1.{model}.init_cs_stays_below_baseline"].note
    # Fig 4/5 runs were not made: not-run naming the command
    for cid, fid in (("convsim.fig4.lr0.001_b128.delta_accuracy", "convsim_fig4"),
                     ("convsim.fig5.accuracy_vs_iterations", "convsim_fig5")):
        assert by_id[cid].status == "not-run"
        assert f"workbench figures --only {fid} --preset smoke" in by_id[cid].note
    assert by_id["convsim.table5.cnn1_cs_vs_cnn2_baseline"].status != "not-run"
    # power on every network claim with runs (issue 16): n, effect, sd, mde, ci
    for c in claims:
        if c.status != "not-run" and c.measured and "per_seed" not in c.measured:
            assert {"n", "effect", "sd", "mde"} <= set(c.measured), c.id
    for model in ("cnn1", "cnn2"):
        fam = [by_id[f"convsim.table5.{model}.{m}_vs_baseline"] for m in ("init500", "reg")]
        assert all("p_holm" in c.measured and c.measured["power_ok"] in (True, False) for c in fam)
        assert by_id[f"convsim.table5.{model}.init500_reduces_fm_similarity"].measured["raw_inner"] is not None
    for cid in ("convsim.sec4_3.momentum_undoes_cs", "convsim.peer.ocnn.cnn1.acc_vs_reg",
                "convsim.peer.ocnn.cnn1.fm_cos_vs_reg"):
        assert by_id[cid].status != "not-run" and by_id[cid].measured["n"] == 2
    assert len(by_id["convsim.peer.ocnn.cnn1.acc_vs_reg"].measured["match_factor"]) == 2
    assert by_id["convsim.sec4_2.cnn2_512.top_test_acc"].status == "not-run"


def test_network_claims_rebuild_without_checkpoints(smoke_out, tmp_path):
    """The committed records keep no checkpoint.pt: the claims must come out the same without them."""
    import shutil

    from validation.suites._convsim_nets import network_claims

    out, _ = smoke_out
    copy = tmp_path / "records"
    shutil.copytree(out / "runs", copy / "runs", ignore=shutil.ignore_patterns("checkpoint.pt", "*.lock"))
    assert not list((copy / "runs").rglob("checkpoint.pt"))
    with_ck = [c.to_dict() | {"runtime_s": 0} for c in network_claims(SuiteContext(preset="smoke", out=out, seed=0))]
    without = [c.to_dict() | {"runtime_s": 0} for c in network_claims(SuiteContext(preset="smoke", out=copy, seed=0))]
    assert with_ck == without


def test_claims_not_run_without_runs(tmp_path):
    from validation.suites._convsim_nets import network_claims

    claims = list(network_claims(SuiteContext(preset="quick", out=tmp_path)))
    assert claims and all(c.status == "not-run" and c.evidence == "network" for c in claims)
    t5 = [c for c in claims if c.id.startswith("convsim.table5")]
    assert all("workbench figures --only convsim_table5 --preset quick" in c.note for c in t5)


def test_registry_cli_and_errors(tmp_path, capsys):
    from workbench.cli import main

    assert {"convsim_table5", "convsim_fig4", "convsim_fig5"} <= set(pipeline.FIGURES)
    assert main(["figures", "--list"]) == 0
    assert "convsim_table5" in capsys.readouterr().out
    assert main(["figures", "--only", "no_such_figure", "--out", str(tmp_path)]) == 2
    with pytest.raises(ValueError, match="already registered"):
        pipeline.register_figure("convsim_table5", "figures.other")


def test_write_table_and_provenance(tmp_path):
    rows = [{"a": 1, "b": 0.123456789}, {"a": 2, "b": float("nan")}]
    csv_p, md_p = write_table(rows, tmp_path, "t", caption="cap")
    back = list(csv.DictReader(csv_p.open()))
    assert back[0]["b"] == repr(0.123456789) and back[1]["b"] == "nan"
    md = md_p.read_text()
    assert md.startswith("cap") and "| 0.1235 |" in md and "N.A." in md
    text = provenance(load_experiment("convsim/table5", "quick"), base_seed=5)
    assert "preset quick" in text and "fashion-mnist" in text and "seeds 5,6,7" in text
    assert "train 2048 / test 1000" in text and "3 epochs" in text and "batch 128" in text
    assert "| fp32 |" in text                                   # the precision, on every figure
    exp = load_experiment("convsim/table5", "quick", {"precision": "bf16", "channels_last": True})
    assert "| bf16, channels_last |" in provenance(exp)


@pytest.mark.slow
@pytest.mark.parametrize("fid", ["convsim_fig4", "convsim_fig5"])
def test_resnet_figures_smoke(tmp_path, fid):
    paths = pipeline.make_figure(fid, FigureContext(preset="smoke", out=tmp_path, progress=False, workers=1))
    assert any(p.suffix == ".png" for p in paths) and any(p.suffix == ".md" for p in paths)


@pytest.mark.parametrize("reg, init, status", [
    ([1.0, 2.0, 1.5, 2.5], [1.0, 1.2, 1.1, 1.3], "confirmed"),
    ([-1.0, -2.0, -1.5, -2.5], [1.0, 1.2, 1.1, 1.3], "deviates"),
    ([1.0, -1.0, 0.5, -0.4], [1.0, 1.2, 1.1, 1.3], "inconclusive"),
    ([-6.25, -6.25], [1.0, 2.0], "inconclusive"),          # zero spread decides nothing
])
def test_ordering_status_rule(reg, init, status):
    from analysis import stats
    from validation.suites._convsim_nets import ORDERING_RULE, ordering_status

    zeros = [0.0] * len(reg)
    d_reg = stats.paired_t(zeros, reg, "greater")
    d_init = stats.paired_t(zeros, init[:len(reg)], "greater")
    assert ordering_status(d_reg, d_init) == status
    evidence = {"reg_minus_baseline": {"t_test": d_reg}, "init_minus_reg": {"t_test": d_init}}
    assert ORDERING_RULE(evidence) == status


def test_ordering_claim_counterfactual_reverses_the_verdict():
    """The ordering claim's counterfactual (runs in reverse order) turns confirmed into deviates."""
    import numpy as np

    from validation.ledger import Claim, Counterfactual
    from validation.suites._convsim_nets import ORDERING_RULE, _ordering_evidence

    base, reg, init = np.array([70.0, 71.0, 70.5, 71.5]), np.array([72.0, 73.5, 72.5, 73.0]), np.array([75.0, 76.0, 75.5, 77.0])
    ev, rev = _ordering_evidence(base, reg, init), _ordering_evidence(init, reg, base)
    assert ORDERING_RULE(ev) == "confirmed" and ORDERING_RULE(rev) == "deviates"
    c = Claim(id="x.ordering", paper="p", where="w", statement="s", expected="e", measured=ev, rule=ORDERING_RULE,
              counterfactuals=[Counterfactual("reversed", rev)], evidence="network")
    assert c.status == "confirmed" and c.falsifiable


def test_discover_reads_scripts_without_importing(tmp_path):
    (tmp_path / "good_fig.py").write_text('ID = "good_fig"\nTITLE = "t"\n\ndef make(ctx):\n    return []\n')
    (tmp_path / "wrong_id.py").write_text('ID = "other"\n\ndef make(ctx):\n    return []\n')
    (tmp_path / "helper.py").write_text('def make_table(ctx):\n    return []\n')
    (tmp_path / "common.py").write_text('ID = "common"\n\ndef make(ctx):\n    return []\n')
    assert pipeline.discover(tmp_path) == {"good_fig": "figures.good_fig"}
    assert {"convsim_table5", "convsim_fig4", "convsim_fig5"} <= set(pipeline.discover())


def test_all_figures_skip_those_without_the_preset():
    """`workbench figures --preset quick` (no --only) used to fail on the paper-only dhkd tables."""
    from figures.pipeline import FIGURES, has_preset

    assert not has_preset("dhkd_table1", "quick") and has_preset("dhkd_table1", "paper")
    assert has_preset("cdg_fig6", "quick")
    assert any(not has_preset(f, "quick") for f in FIGURES)
