"""Sweeps (local processes and Dask through one code path), aggregation, paired statistics."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import yaml
from hypothesis import given, settings, strategies as st
from scipy import stats as sps

from analysis import stats
from analysis.nets.cache import find_run, load_run
from analysis.nets.config import from_dict
from analysis.nets.sweep import aggregate, expand, parse_grid, run_configs, setting_key

torch.set_num_threads(1)
TINY = dict(model="cnn1", width=0.125, dataset="fashion-mnist", synthetic={"n_train": 48, "n_test": 16},
            batch_size=16, epochs=1, eval_batch_size=16, lr=0.05, seed=0)


def base(**kw):
    return from_dict({**TINY, **kw})


# ----------------------------------------------------------------------------- grids

def test_parse_grid_and_expand():
    g = parse_grid(["lr=0.1,0.01", "batch_size=8,16", "init.steps=2"])
    assert g == {"lr": [0.1, 0.01], "batch_size": [8, 16], "init.steps": [2]}
    cfgs = expand(base(init={"name": "convsim", "steps": 1}), g, seeds=[0, 1, 2])
    assert len(cfgs) == 2 * 2 * 3 and len({c.hash() for c in cfgs}) == 12
    assert [c.seed for c in cfgs[:3]] == [0, 1, 2] and all(c.init["steps"] == 2 for c in cfgs)
    assert len({setting_key(c) for c in cfgs}) == 4
    for bad in (["lr"], ["lr="]):
        with pytest.raises(ValueError):
            parse_grid(bad)
    with pytest.raises(ValueError, match="seed"):
        expand(base(), g, seeds=[])


# ----------------------------------------------------------------------------- running

def test_local_processes_and_dask_give_the_same_runs(tmp_path):
    """Two local worker processes, then a Dask LocalCluster with two workers, on the same configs:
    identical metrics (the same task function runs in both)."""
    from distributed import LocalCluster

    cfgs = expand(base(), {"lr": [0.05, 0.1]}, seeds=[0])
    local = run_configs(cfgs, tmp_path / "local", workers=2, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        dask = run_configs(cfgs, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    for a, b in zip(local, dask):
        assert a.status == b.status == "done"
        assert a.rows == b.rows


def test_resumed_sweep_skips_finished_runs(tmp_path):
    cfgs = expand(base(), {"lr": [0.05, 0.1]}, seeds=[0, 1])
    first = run_configs(cfgs[:2], tmp_path, workers=1, progress=False)       # a sweep "killed" half-way
    stamps = {r.hash: (r.dir / "checkpoint.pt").stat().st_mtime_ns for r in first}
    all_runs = run_configs(cfgs, tmp_path, workers=1, progress=False)
    assert all(r.status == "done" for r in all_runs)
    for r in all_runs[:2]:
        assert (r.dir / "checkpoint.pt").stat().st_mtime_ns == stamps[r.hash]    # not retrained
    # duplicates are made once
    again = run_configs([cfgs[0], cfgs[0]], tmp_path, workers=1, progress=False)
    assert again[0].rows == again[1].rows


def test_failed_run_is_reported_after_the_others(tmp_path):
    good = base()
    bad = base(model="no_such_model")
    with pytest.raises(RuntimeError, match="1 of 2 runs failed"):
        run_configs([bad, good], tmp_path, workers=1, progress=False)
    assert find_run(good, tmp_path) is not None


def test_cli_sweep(tmp_path, capsys):
    from workbench.cli import main

    p = tmp_path / "exp.yaml"
    p.write_text(yaml.safe_dump({"base": TINY, "presets": {"quick": {}}}))
    rc = main(["sweep", str(p), "epochs=1", "--grid", "lr=0.05,0.1", "--seeds", "2", "--workers", "1",
               "--out", str(tmp_path / "out"), "--no-progress"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "lr=0.05" in out and "lr=0.1" in out
    assert len(list((tmp_path / "out" / "runs").iterdir())) == 4


# ----------------------------------------------------------------------------- errors in one line (issue 13, item 2)

def test_figures_check_every_data_set_before_any_worker_starts(tmp_path, capsys):
    from workbench.cli import main

    empty, out = tmp_path / "EMPTY", tmp_path / "out"
    empty.mkdir()
    rc = main(["figures", "--only", "cdg_fig6", "--preset", "quick", "--data-dir", str(empty),
               "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[0] == "error: data needed before any run starts:"
    (problem,) = lines[1:]                                    # one line per problem
    assert "fashion-mnist" in problem and str(empty) in problem and "get it:" in problem
    assert not (out / "runs").exists()                        # nothing started


def test_sweep_reports_a_truncated_file_in_one_line(tmp_path, capsys):
    from analysis.nets.data import write_synthetic
    from workbench.cli import main

    folder = write_synthetic("fashion-mnist", tmp_path / "d", n_train=48, n_test=16)
    gz = folder / "t10k-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:-20])
    p = tmp_path / "exp.yaml"
    p.write_text(yaml.safe_dump({"base": {k: v for k, v in TINY.items() if k != "synthetic"},
                                 "presets": {"quick": {}}}))
    rc = main(["sweep", str(p), "--seeds", "2", "--workers", "2", "--data-dir", str(tmp_path / "d"),
               "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 2, err
    assert str(gz) in err and "not a complete gzip file" in err
    assert not (tmp_path / "out" / "runs").exists()


def test_a_failed_run_shows_its_cause_and_log_not_a_traceback(tmp_path, capsys):
    from workbench.cli import main

    p = tmp_path / "exp.yaml"
    p.write_text(yaml.safe_dump({"base": {**TINY, "model": "no_such_model"}, "presets": {"quick": {}}}))
    rc = main(["sweep", str(p), "--seeds", "1", "--workers", "1", "--out", str(tmp_path / "out"),
               "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 1 and "Traceback" not in err, err
    (line,) = [l for l in err.splitlines() if l.startswith("- ")]
    run = load_run(from_dict({**TINY, "model": "no_such_model"}), tmp_path / "out")
    assert run.status == "failed" and run.error.startswith("ValueError: ") and "\n" not in run.error
    assert line == f"- {run.hash}: {run.error}; log: {run.log}"
    assert "Traceback" in run.log.read_text()


def test_every_run_records_the_files_it_read(tmp_path):
    import json

    from analysis.nets.data import write_synthetic

    folder = write_synthetic("fashion-mnist", tmp_path / "d", n_train=48, n_test=16)
    cfg = from_dict({k: v for k, v in TINY.items() if k != "synthetic"})
    (run,) = run_configs([cfg], tmp_path / "out", data_dir=tmp_path / "d", workers=1, progress=False)
    files = json.loads((run.dir / "metrics.json").read_text())["data"]["files"]
    want = sorted(str(p) for p in folder.iterdir())
    assert sorted(f["path"] for f in files) == want
    assert all(f["bytes"] == (folder / f["path"]).stat().st_size for f in files)
    assert run.meta["data"]["files"] == files


# ----------------------------------------------------------------------------- aggregation

class _FakeRun:
    def __init__(self, cfg, accs, status="done"):
        self.config, self.status = cfg, status
        self.rows = [{"epoch": i + 1, "test_acc": a} for i, a in enumerate(accs)]

    def column(self, name):
        return np.array([r[name] for r in self.rows], dtype=float)


def test_aggregate_mean_std_best_last():
    a = [_FakeRun(base(seed=s), accs) for s, accs in enumerate([[0.5, 0.7, 0.6], [0.4, 0.8, 0.9], [0.3, 0.2, 0.1]])]
    b = [_FakeRun(base(seed=0, lr=0.2), [0.1, 0.2]), _FakeRun(base(seed=1, lr=0.2), [0.3], status="N.A.(2)")]
    rows = {r["key"]: r for r in aggregate(a + b)}
    ra, rb = rows[setting_key(a[0].config)], rows[setting_key(b[0].config)]
    assert ra["values"] == [0.7, 0.9, 0.3] and ra["seeds"] == [0, 1, 2]
    assert math.isclose(ra["mean"], np.mean([0.7, 0.9, 0.3]))
    assert math.isclose(ra["std"], np.std([0.7, 0.9, 0.3], ddof=1))
    assert ra["best_epoch"] == [2, 3, 1] and ra["last"] == [0.6, 0.9, 0.1]
    assert rb["n"] == 1 and math.isnan(rb["values"][1]) and rb["not_finished"] == [1]
    assert rb["mean"] == 0.2 and rb["std"] == 0.0


def test_aggregate_real_runs(tmp_path):
    cfgs = expand(base(), {}, seeds=[0, 1])
    runs = run_configs(cfgs, tmp_path, workers=1, progress=False)
    (row,) = aggregate(runs)
    assert row["values"] == [r.top_test_acc() for r in runs]
    assert row["n"] == 2 and load_run(cfgs[0], tmp_path).finished


# ----------------------------------------------------------------------------- paired statistics

pairs = st.integers(2, 12).flatmap(lambda n: st.tuples(
    st.lists(st.floats(-5, 5, allow_nan=False), min_size=n, max_size=n),
    st.lists(st.floats(-5, 5, allow_nan=False), min_size=n, max_size=n)))


@given(ab=pairs, alt=st.sampled_from(stats.ALTERNATIVES))
@settings(max_examples=25, deadline=None)
def test_paired_t_matches_scipy(ab, alt):
    a, b = map(np.array, ab)
    d = b - a
    if np.ptp(d) < 1e-6 * (1 + np.abs(d).max()):        # degenerate spread: scipy warns, NaN/inf
        return
    mine, ref = stats.paired_t(a, b, alt), stats.paired_t_scipy(a, b, alt)
    assert mine["df"] == ref["df"]
    np.testing.assert_allclose([mine["t"], mine["p"]], [ref["t"], ref["p"]], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(mine["ci"], ref["ci"], rtol=1e-9, atol=1e-12)
    assert mine["ci"][0] <= mine["mean_diff"] <= mine["ci"][1]


@given(ab=pairs, alt=st.sampled_from(stats.ALTERNATIVES))
@settings(max_examples=25, deadline=None)
def test_sign_test_matches_binomtest(ab, alt):
    a, b = map(np.array, ab)
    assert math.isclose(stats.sign_test(a, b, alt)["p"], stats.sign_test_scipy(a, b, alt), rel_tol=1e-12)


@given(n=st.integers(1, 9), seed=st.integers(0, 10_000), alt=st.sampled_from(stats.ALTERNATIVES))
@settings(max_examples=25, deadline=None)
def test_wilcoxon_matches_enumeration(n, seed, alt):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = a + rng.normal(0.3, 1.0, size=n)              # continuous: no ties, no zeros
    assert math.isclose(stats.wilcoxon_signed_rank(a, b, alt)["p"],
                        stats.wilcoxon_exact_enumeration(a, b, alt), rel_tol=1e-9)


def test_paired_statistics_known_values():
    a, b = [0.70, 0.72, 0.71], [0.75, 0.76, 0.74]
    r = stats.compare_paired(a, b)
    # all three differences positive: sign test p = 1/8, exact Wilcoxon p = 1/8
    assert r["sign_test"]["p"] == 0.125 and math.isclose(r["wilcoxon"]["p"], 0.125)
    d = np.array(b) - np.array(a)
    t = d.mean() / (d.std(ddof=1) / math.sqrt(3))
    assert math.isclose(r["t_test"]["t"], t) and math.isclose(r["t_test"]["p"], sps.t.sf(t, 2))
    with pytest.raises(ValueError, match="equal length"):
        stats.paired_t([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        stats.sign_test([1, np.nan], [1, 2])
    with pytest.raises(ValueError, match="alternative"):
        stats.paired_t(a, b, "bigger")
    one = stats.paired_t([1.0], [2.0])
    assert one["mean_diff"] == 1.0 and math.isnan(one["p"])
