"""`workbench bench --suite dhkd`: the paper-pair GA figures are reported (tiny repeats and batch here;
the real measurement only through the bench command)."""
from __future__ import annotations

import math

from validation.registry import SuiteContext


def test_paper_pair_figures_tiny():
    from validation.benches.dhkd import paper_pair_figures

    r = paper_pair_figures(seed=0, batch=2, repeats=1, device="cpu")
    assert r["ga_method_paper_pair"] in ("two_pass", "two_vjp", "two_vjp_batched")
    assert 1.0 <= r["ga_floor_paper_pair"] <= 2.0
    assert math.isfinite(r["dhkd_ga_over_kd_paper_pair"]) and r["dhkd_ga_over_kd_paper_pair"] > 0
    assert r["dhkd_ga_over_kd_paper_pair"] == min(r[f"dhkd_ga_{k}_over_kd_paper_pair"]
                                                  for k in ("two_pass", "two_vjp", "two_vjp_batched"))
    assert set(r["ms_paper_pair"]) >= {"kd_step", "teacher_forward_T", "student_forward_F", "student_backward_B"}


def test_bench_reports_paper_pair_keys(tmp_path):
    from validation.benches.dhkd import bench

    ctx = SuiteContext(out=tmp_path, preset="quick", seed=0,
                       options={"repeats": 1, "batch": 2, "paper_pair_batch": 2, "paper_pair_repeats": 1,
                                "device": "cpu"})
    r = bench(ctx)
    for k in ("dhkd_ga_over_kd_paper_pair", "ga_floor_paper_pair", "dhkd_ga_over_kd", "dhkd_over_kd"):
        assert k in r and math.isfinite(r[k])
