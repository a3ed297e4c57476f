"""Tests of analysis/convsim_study.py: the episode studies of paper 001 (Tables 1, 2, 3, 6).

Three implementations (numba lanes, per-episode numpy, batched torch autograd) must agree to
rounding on short runs; the lane kernels are checked one by one against their numpy twins; the
hand-written gradients against finite differences and torch autograd; determinism, thread
independence, early stopping, non-finite episodes, bad configurations and the summary statistics.

Tolerances: all three implementations run the same float64 arithmetic in different orders (and
the numba kernels fuse multiply-adds), so their values differ by a few ulps per operation; over
≤ 30 optimizer steps on O(1)–O(10³) quantities that stays below 1e-9 relative (observed ~1e-13);
the Pearson correlation is compared absolutely (it lies in [−1, 1]).
"""
from __future__ import annotations

import math

import numba
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import convsim_study as cs
from analysis.convsim_study import (FM_MEASURES, OBJECTIVES, OPTIMIZERS, TABLE9, StudyConfig, StudyResult,
                                    draw_inputs, objective_and_grad, paper_configs, summarize)
# run_study with every method, the torch reference included (it lives on the torch side).
from analysis.nets.convsim_study_torch import run_study

RTOL = 1e-9   # see the module docstring
FIELDS = ("measure_start", "measure_end", "objective_start", "objective_end")


def _cfg(**kw) -> StudyConfig:
    base = dict(n=4, optimizer="adam", lr=0.05, iters=25, objective="convsim", padding="full",
                fm_measure="abs", m=12)
    base.update(kw)
    return StudyConfig(**base)


def _assert_results_agree(a: StudyResult, b: StudyResult) -> None:
    for name in FIELDS:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=RTOL, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(a.corr, b.corr, rtol=0, atol=1e-9, err_msg="corr")
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.finite, b.finite)


# ----------------------------------------------------------------------------- three implementations

@pytest.mark.parametrize("fm_measure", FM_MEASURES)
@pytest.mark.parametrize("padding", ["full", "valid", 1])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_numba_numpy_torch_agree(objective, optimizer, padding, fm_measure):
    cfg = _cfg(objective=objective, optimizer=optimizer, padding=padding, fm_measure=fm_measure)
    ref = run_study(cfg, 10, seed=3, method="numpy")
    assert ref.finite.all() and np.isfinite(ref.corr).all()
    _assert_results_agree(run_study(cfg, 10, seed=3, method="numba"), ref)
    _assert_results_agree(run_study(cfg, 10, seed=3, method="torch"), ref)


@pytest.mark.parametrize("table, n, optimizer", [("table1", 9, "sgd"), ("table2", 16, "adam"), ("table6", 3, "sgd")])
def test_paper_configs_short_runs_agree(table, n, optimizer):
    """The paper's configurations (M = 64), cut to 20 steps; 40 episodes span two numba blocks."""
    cfg = paper_configs()[(table, n, optimizer)]
    cfg = StudyConfig(**{**cfg.__dict__, "iters": 20})
    _assert_results_agree(run_study(cfg, 40, seed=1, method="numba"), run_study(cfg, 40, seed=1, method="torch"))


# ----------------------------------------------------------------------------- lane kernels vs numpy twins

def _lanes(rng, n, lanes):
    return rng.uniform(-1, 1, (n, lanes)), rng.uniform(-1, 1, (n, lanes))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 17), lanes=st.integers(1, 40), seed=st.integers(0, 2**31))
def test_lane_kernels_match_numpy_twins(n, lanes, seed):
    rng = np.random.default_rng(seed)
    k1, k2 = _lanes(rng, n, lanes)
    c = np.empty((2 * n - 1, lanes))
    cs._xcorr_lanes(k1, k2, c)
    g1, g2 = np.empty((n, lanes)), np.empty((n, lanes))
    cs._convsim_grad_lanes(k1, k2, c, g1, g2)
    for l in range(lanes):
        np.testing.assert_allclose(c[:, l], cs.kernel_xcorr(k1[:, l], k2[:, l]), rtol=1e-12, atol=1e-13)
        _, e1, e2 = cs.objective_and_grad("convsim", k1[:, l], k2[:, l])
        np.testing.assert_allclose(g1[:, l], e1, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g2[:, l], e2, rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(count=st.integers(1, 11), lanes=st.integers(1, 20), sx=st.sampled_from([1, 2, -1]), sy=st.sampled_from([1, -1, 3]),
       seed=st.integers(0, 2**31))
def test_lane_dot_matches_numpy(count, lanes, sx, sy, seed):
    rng = np.random.default_rng(seed)
    rows = 3 * count + 3
    x, y = rng.normal(size=(rows, lanes)), rng.normal(size=(rows, lanes))
    ix = 0 if sx > 0 else rows - 1
    iy = 1 if sy > 0 else rows - 2
    out = np.full((2, lanes), np.nan)
    cs._lane_dot(x, ix, sx, y, iy, sy, count, out, 1)
    q = np.arange(count)
    expected = np.einsum("ql,ql->l", x[ix + q * sx], y[iy + q * sy])
    np.testing.assert_allclose(out[1], expected, rtol=1e-12, atol=1e-12)
    assert np.isnan(out[0]).all()


@pytest.mark.parametrize("objective", ["kernel_inner_sq", "kernel_cosine_sq"])
def test_kernel_inner_lanes_match_numpy_twin(objective):
    rng = np.random.default_rng(8)
    n, lanes = 5, 7
    k1, k2 = _lanes(rng, n, lanes)
    dots = np.stack([np.einsum("nl,nl->l", a, b) for a, b in ((k1, k2), (k1, k1), (k2, k2))])
    g1, g2, obj = np.empty((n, lanes)), np.empty((n, lanes)), np.empty(lanes)
    cs._kernel_inner_grad_lanes(k1, k2, dots, g1, g2, obj, objective == "kernel_cosine_sq")
    for l in range(lanes):
        val, e1, e2 = cs.objective_and_grad(objective, k1[:, l], k2[:, l])
        assert obj[l] == pytest.approx(val, rel=1e-13)
        np.testing.assert_allclose(g1[:, l], e1, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(g2[:, l], e2, rtol=1e-12, atol=1e-14)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 9), m=st.integers(9, 20), lanes=st.integers(1, 12), seed=st.integers(0, 2**31),
       pad_frac=st.floats(0, 1))
def test_input_stats_and_gram_form_match_feature_maps(n, m, lanes, seed, pad_frac):
    """r = X ⊛ X (Eq. 3) and K1ᵀ·G·K2 = ⟨F1, F2⟩ from np.correlate feature maps, any padding."""
    rng = np.random.default_rng(seed)
    pad = int(round(pad_frac * (n - 1)))
    e_total = lanes + 2
    x = rng.uniform(0, 1, (e_total, m))
    k1, k2 = _lanes(rng, n, lanes)
    r = np.empty((2 * n - 1, lanes))
    gram = np.empty((n, n, lanes))
    cs._input_stats_lanes(x, 1, pad, True, r, gram, np.empty(m + 2 * pad))
    out = np.empty((1, lanes))
    cs._gram_form_lanes(k1, gram, k2, out, 0)
    for l in range(lanes):
        xe = x[1 + l]
        np.testing.assert_allclose(r[:, l], np.correlate(xe, xe, "full")[m - n:m + n - 1], rtol=1e-12)
        f1, f2 = cs.feature_map(xe, k1[:, l], pad), cs.feature_map(xe, k2[:, l], pad)
        assert f1.shape == (m + 2 * pad - n + 1,)
        np.testing.assert_allclose(out[0, l], f1 @ f2, rtol=1e-10, atol=1e-10)
        if pad == n - 1:   # Eq. 3: ⟨F1, F2⟩ = ⟨K1 ⊛ K2, (X ⊛ X)[1−N, N−1]⟩
            np.testing.assert_allclose(cs.kernel_xcorr(k1[:, l], k2[:, l]) @ r[:, l], f1 @ f2, rtol=1e-10, atol=1e-10)


def test_adam_lanes_match_torch_adam():
    rng = np.random.default_rng(0)
    p0 = rng.uniform(-1, 1, (5, 8))
    grads = [rng.normal(size=(5, 8)) for _ in range(6)]
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    pt = torch.tensor(p0, requires_grad=True)
    opt = torch.optim.Adam([pt], lr=0.1, betas=(0.9, 0.999), eps=1e-8)
    for t, g in enumerate(grads, start=1):
        cs._adam_lanes(p, g, m, v, np.ones(8), 0.1 / (1 - 0.9 ** t), 1 / math.sqrt(1 - 0.999 ** t), 0.9, 0.999, 1e-8)
        pt.grad = torch.tensor(g)
        opt.step()
    np.testing.assert_allclose(p, pt.detach().numpy(), rtol=1e-13, atol=1e-15)
    frozen = p.copy()
    active = np.array([1.0, 0, 1, 0, 1, 0, 1, 0])
    cs._adam_lanes(p, grads[0], m, v, active, 0.1, 1.0, 0.9, 0.999, 1e-8)
    np.testing.assert_array_equal(p[:, active == 0], frozen[:, active == 0])
    assert np.all(p[:, active == 1] != frozen[:, active == 1])


def test_record_lanes_welford_matches_two_pass_pearson():
    rng = np.random.default_rng(5)
    lanes, T = 6, 40
    o, f = rng.normal(size=(T, lanes)) * 1e3 + 7, rng.normal(size=(T, lanes))
    f[:, 0] = 2.0 * o[:, 0] + 1.0      # exact correlation 1
    f[:, 1] = 3.0                      # constant → NaN
    moments, ends, chk = np.zeros((6, lanes)), np.zeros((2, lanes)), np.zeros(lanes)
    for t in range(T):
        cs._record_lanes(o[t], f[t], np.ones(lanes), moments, ends, chk)
    for l in range(lanes):
        den = moments[3, l] * moments[4, l]
        ours = moments[5, l] / math.sqrt(den) if den > 0 else math.nan
        ref = cs.pearson(o[:, l], f[:, l])
        if math.isnan(ref):
            assert math.isnan(ours)
        else:
            assert ours == pytest.approx(ref, abs=1e-12)
    assert ends[0, 2] == o[-1, 2] and ends[1, 3] == f[-1, 3] and np.all(chk == 0)


# ----------------------------------------------------------------------------- gradients

@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("n", [1, 3, 8])
def test_gradients_match_finite_differences_and_autograd(objective, n):
    rng = np.random.default_rng(n)
    k1, k2 = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    val, g1, g2 = cs.objective_and_grad(objective, k1, k2)
    h = 1e-6   # central differences: error O(h²·L''') ≈ 1e-12 plus rounding ≈ 1e-16/h = 1e-10
    for k, g in ((k1, g1), (k2, g2)):
        fd = np.empty(n)
        for i in range(n):
            kp, km = k.copy(), k.copy()
            kp[i] += h
            km[i] -= h
            args_p = (kp, k2) if k is k1 else (k1, kp)
            args_m = (km, k2) if k is k1 else (k1, km)
            fd[i] = (cs.objective_and_grad(objective, *args_p)[0] - cs.objective_and_grad(objective, *args_m)[0]) / (2 * h)
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)
    t1, t2 = torch.tensor(k1, requires_grad=True), torch.tensor(k2, requires_grad=True)
    if objective == "kernel_inner_sq":
        lt = (t1 @ t2) ** 2
    elif objective == "kernel_cosine_sq":
        lt = (t1 @ t2) ** 2 / ((t1 @ t1) * (t2 @ t2))
    else:
        c = torch.stack([sum(t1[i] * t2[i + s] for i in range(max(0, -s), min(n, n - s))) for s in range(1 - n, n)])
        lt = (c * c).sum()
    lt.backward()
    assert val == pytest.approx(lt.item(), rel=1e-12)
    scale = 1e-13 * (1.0 + np.abs(g1).max() + np.abs(g2).max() + 1.0 / np.abs(np.r_[k1, k2]).min())
    np.testing.assert_allclose(g1, t1.grad.numpy(), rtol=1e-12, atol=scale)   # n = 1 cosine: 0 vs 1e-14 noise
    np.testing.assert_allclose(g2, t2.grad.numpy(), rtol=1e-12, atol=scale)


# ----------------------------------------------------------------------------- determinism, stopping, divergence

def _bitwise_equal(a: StudyResult, b: StudyResult) -> None:
    for name in (*FIELDS, "corr", "steps", "finite"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@pytest.mark.parametrize("padding", ["full", "valid"])
def test_deterministic_and_thread_independent(padding):
    cfg = _cfg(padding=padding, n=5, m=20, iters=40)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = run_study(cfg, 70, seed=11)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = run_study(cfg, 70, seed=11)
    finally:
        numba.set_num_threads(before)
    _bitwise_equal(one, two)
    _bitwise_equal(two, run_study(cfg, 70, seed=11))
    assert not np.array_equal(one.measure_end, run_study(cfg, 70, seed=12).measure_end)


def test_draw_inputs_ranges_and_determinism():
    cfg = _cfg(n=5, m=30)
    k1, k2, x = draw_inputs(cfg, 200, seed=4)
    assert k1.shape == k2.shape == (200, 5) and x.shape == (200, 30)
    assert k1.min() >= -1 and k1.max() < 1 and k2.min() >= -1 and x.min() >= 0 and x.max() < 1
    assert k1.min() < -0.9 and x.max() > 0.9          # both ends of U(−1, 1), U(0, 1) are reached
    for a, b in zip((k1, k2, x), draw_inputs(cfg, 200, seed=4)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("method", ["numba", "numpy", "torch"])
def test_stop_below_stops_at_first_crossing(method):
    cfg = _cfg(lr=0.1, iters=60, stop_below=1e-3)
    res = run_study(cfg, 12, seed=2, method=method)
    assert np.all(res.objective_end <= 1e-3)
    assert np.all(res.steps < 60) and np.all(res.steps > 0)
    assert np.all(res.objective_start > 1e-3)
    # the stopping step is the first one at or below the threshold: one step fewer is above it
    shorter = run_study(StudyConfig(**{**cfg.__dict__, "stop_below": None, "iters": int(res.steps.min()) - 1}),
                        12, seed=2, method=method)
    assert np.any(shorter.objective_end > 1e-3)
    _assert_results_agree(res, run_study(cfg, 12, seed=2, method="numpy"))


@pytest.mark.parametrize("method", ["numba", "numpy", "torch"])
def test_zero_iterations_give_a_one_point_trajectory(method):
    res = run_study(_cfg(iters=0), 5, seed=1, method=method)
    np.testing.assert_array_equal(res.steps, 0)
    np.testing.assert_array_equal(res.measure_start, res.measure_end)
    assert res.finite.all() and np.isnan(res.corr).all()     # Pearson of one point: undefined


@pytest.mark.parametrize("method", ["numba", "numpy", "torch"])
def test_diverging_episodes_are_flagged_not_crashed(method):
    cfg = _cfg(optimizer="sgd", lr=1e3, iters=40, n=6)
    with np.errstate(all="ignore"):
        res = run_study(cfg, 9, seed=0, method=method)
    assert not res.finite.any()
    assert np.all(np.isnan(res.corr))
    s = summarize(res)
    assert s["n_nonfinite"] == 9 and s["n"] == 0
    mixed = StudyResult(**{**res.__dict__, "finite": np.arange(9) < 3,
                           "measure_start": np.ones(9), "measure_end": np.full(9, np.inf)})
    assert summarize(mixed)["n_nonfinite"] == 6


# ----------------------------------------------------------------------------- configuration errors

@pytest.mark.parametrize("bad", [
    dict(n=0), dict(n=3.0), dict(n=True), dict(m=0), dict(iters=-1), dict(optimizer="rmsprop"),
    dict(objective="cosine"), dict(fm_measure="cos"), dict(lr=0.0), dict(lr=float("nan")), dict(lr=True),
    dict(padding="same"), dict(padding=4), dict(padding=-1), dict(padding=1.0), dict(padding=True),
    dict(n=16, m=8, padding="valid"), dict(betas=(1.0, 0.999)), dict(eps=-1.0), dict(stop_below="x"),
    dict(stop_below=float("nan")),
])
def test_bad_config_raises(bad):
    with pytest.raises(ValueError):
        _cfg(**bad)


def test_bad_run_arguments_raise():
    cfg = _cfg()
    with pytest.raises(ValueError, match="method"):
        run_study(cfg, 4, seed=0, method="jax")
    for episodes in (0, 2.5, True):
        with pytest.raises(ValueError, match="episodes"):
            run_study(cfg, episodes, seed=0)
    k1, k2, x = draw_inputs(cfg, 4, seed=0)
    with pytest.raises(ValueError, match="shapes"):
        run_study(cfg, 4, seed=0, inputs=(k1, k2, x[:, :5]))
    k1[0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        run_study(cfg, 4, seed=0, inputs=(k1, k2, x))
    with pytest.raises(ValueError, match="StudyConfig"):
        run_study({"n": 3}, 4, seed=0)


def test_paper_configs_follow_table9():
    cfgs = paper_configs()
    assert len(cfgs) == 18
    for (table, n, opt), cfg in cfgs.items():
        assert (cfg.lr, cfg.iters) == TABLE9[(n, opt)] and cfg.n == n and cfg.optimizer == opt and cfg.m == 64
        assert (cfg.objective, cfg.padding) == cs.PAPER_TABLES[table]
    assert cfgs[("table6", 16, "sgd")].pad == 0 and cfgs[("table2", 16, "sgd")].pad == 15


# ----------------------------------------------------------------------------- summary statistics

def test_summarize_matches_direct_computation():
    start = np.array([2.0, 4.0, -5.0, 1.0, 3.0, 8.0, 1.0, 0.0, 6.0])
    end = np.array([1.0, 5.0, -1.0, 0.5, 9.0, 8.0, np.nan, 1.0, 3.0])
    corr = np.array([0.5, -0.2, np.nan, 0.9, 0.1, 0.3, np.nan, 0.7, 0.4])
    finite = np.array([True] * 6 + [False] + [True] * 2)
    res = StudyResult(config=_cfg(), seed=0, method="hand", measure_start=start, measure_end=end,
                      objective_start=np.ones(9), objective_end=np.zeros(9), corr=corr,
                      steps=np.full(9, 25), finite=finite)
    s = summarize(res)
    # finite episodes 0,1,2,3,4,5,7,8: decreases 0 (50%), 3 (50%), 8 (50%); −5 → −1 increases
    # (+80% of |start|), 1 (+25%), 4 (+200%); 5 unchanged; 7 has start 0 (left out of the %-columns)
    assert (s["n"], s["n_decrease"], s["n_increase"], s["n_nonfinite"], s["n_nan_corr"], s["n_zero_start"]) == (8, 3, 4, 1, 1, 1)
    assert s["reduction_frequency"] == pytest.approx(3 / 8)
    lo, hi = s["reduction_frequency_ci"]
    assert lo < 3 / 8 < hi
    dec = np.array([50.0, 50.0, 50.0])
    inc = np.array([25.0, 80.0, 200.0])
    assert s["pct_decrease"]["mean"] == pytest.approx(dec.mean()) and s["pct_decrease"]["std"] == pytest.approx(0.0)
    assert s["pct_increase"]["mean"] == pytest.approx(inc.mean())
    assert s["pct_increase"]["std"] == pytest.approx(np.std(inc, ddof=1))
    assert s["pct_increase"]["se"] == pytest.approx(np.std(inc, ddof=1) / math.sqrt(3))
    assert s["pct_increase"]["median"] == pytest.approx(80.0)
    assert s["pct_increase"]["iqr"] == pytest.approx(np.percentile(inc, 75) - np.percentile(inc, 25))
    cok = np.array([0.5, -0.2, 0.9, 0.1, 0.3, 0.7, 0.4])
    assert s["correlation"]["n"] == 7
    assert s["correlation"]["mean"] == pytest.approx(cok.mean())
    assert s["correlation"]["std"] == pytest.approx(np.std(cok, ddof=1))
    lo, hi = s["correlation"]["ci95"]
    assert (lo + hi) / 2 == pytest.approx(cok.mean()) and hi - lo == pytest.approx(2 * 1.959963984540054 * np.std(cok, ddof=1) / math.sqrt(7))


def test_summarize_empty_columns_are_nan():
    res = run_study(_cfg(objective="convsim", iters=30), 6, seed=0)
    s = summarize(res)
    assert s["n"] == 6 and s["n_decrease"] + s["n_increase"] <= 6
    empty = StudyResult(**{**res.__dict__, "measure_end": res.measure_start.copy()})
    s = summarize(empty)
    assert s["n_decrease"] == 0 and math.isnan(s["pct_decrease"]["mean"]) and s["pct_decrease"]["n"] == 0


# ----------------------------------------------------------------------------- benchmark

@pytest.mark.slow
def test_bench_convsim_reports_speed_and_agreement():
    """The benchmark end to end at 8 episodes (the torch pass runs all 18 studies at full length)."""
    from validation.benches.convsim import bench
    from validation.registry import SuiteContext
    out = bench(SuiteContext(episodes=8, seed=0, options={"repeats": 5}))
    for key in ("seconds_all_tables", "speedup_vs_torch", "episodes", "threads", "repeats", "gflop_all_tables"):
        assert key in out
    assert out["episodes"] == 8 and out["repeats"] == 5 and out["same_steps_as_torch"]
    assert out["max_diff_end_vs_torch_rel_to_start"] < 1e-6 and out["max_abs_diff_corr_vs_torch"] < 1e-6
    assert out["speedup_vs_torch"] > 1.0
    for key in ("step_lcs_over_plain", "step_ocnn_over_plain", "step_ocnn_over_lcs"):
        assert out[key] > 0


def test_regularizer_step_times_keys():
    """The peer's step overhead in the bench (issue 15 §4): one CNN1 step plain, + L_CS, + OCNN."""
    from validation.benches.convsim import regularizer_step_times

    t = regularizer_step_times("cnn1", batch=4, repeats=1)
    assert set(t) == {"plain", "lcs", "ocnn"} and all(v > 0 for v in t.values())


# ----------------------------------------------------------------------------- scale-free measures

@pytest.mark.parametrize("padding", ["full", "valid", 2])
def test_final_kernels_and_orthogonality_measures(padding):
    """numba and numpy return the same final kernels; the vectorized measures equal a per-episode loop."""
    cfg = _cfg(padding=padding, n=5, m=14, iters=20)
    a, b = run_study(cfg, 9, seed=2, method="numba"), run_study(cfg, 9, seed=2, method="numpy")
    for key in ("k1_end", "k2_end"):
        np.testing.assert_allclose(a.extra[key], b.extra[key], rtol=RTOL, atol=1e-12)
    m = cs.orthogonality_measures(a)
    ex = a.extra
    for e in range(9):
        for tag in ("start", "end"):
            k1, k2 = ex[f"k1_{tag}"][e], ex[f"k2_{tag}"][e]
            f1, f2 = cs.feature_map(ex["x"][e], k1, cfg.pad), cs.feature_map(ex["x"][e], k2, cfg.pad)
            assert m[f"fm_cos_{tag}"][e] == pytest.approx(abs(f1 @ f2) / math.sqrt((f1 @ f1) * (f2 @ f2)), rel=1e-12)
            c = cs.kernel_xcorr(k1, k2)
            assert m[f"lcs_ratio_{tag}"][e] == pytest.approx((c @ c) / ((k1 @ k1) * (k2 @ k2)), rel=1e-10)
        n0 = np.linalg.norm(ex["k1_start"][e]) * np.linalg.norm(ex["k2_start"][e])
        n1 = np.linalg.norm(ex["k1_end"][e]) * np.linalg.norm(ex["k2_end"][e])
        assert m["norm_ratio"][e] == pytest.approx(n1 / n0, rel=1e-12)
    s = cs.summarize_orthogonality(a)
    assert s["n"] == 9 and 0 <= s["cos_reduction_frequency"] <= 1
    assert s["norm_ratio_median"] < 1.0   # minimizing L_CS shrinks the kernels


def test_orthogonality_measures_need_the_inputs():
    res = run_study(_cfg(), 3, seed=0)
    bare = StudyResult(**{**res.__dict__, "extra": {}})
    with pytest.raises(ValueError, match="extra"):
        cs.orthogonality_measures(bare)


def test_layer_minimization_shrinks_and_reports():
    rng = np.random.default_rng(0)
    k = rng.uniform(-1, 1, (4, 2, 3, 3)) / math.sqrt(18)
    x = rng.uniform(0, 1, (2, 8, 8))
    res = cs.layer_minimization(k, x, lr=0.01, iters=40)
    from analysis.convsim import convsim_loss
    assert res["start"]["lcs"] == pytest.approx(convsim_loss(k))
    assert res["end"]["lcs"] < res["start"]["lcs"] and res["norm_ratio"] < 1.0
    assert res["start"]["lcs_scale_free"] == pytest.approx(convsim_loss(k) / np.sum(k * k) ** 2)
    cos = cs.layer_feature_map_cosines(k, x)
    assert cos.shape == (6,) and np.all((cos >= 0) & (cos <= 1 + 1e-12))
    assert res["start"]["fm_cos_mean"] == pytest.approx(cos.mean())
    # iters = 0 changes nothing
    same = cs.layer_minimization(k, x, lr=0.01, iters=0)
    assert same["start"] == same["end"] and same["norm_ratio"] == 1.0


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("padding", ["full", "valid"])
def test_sqrt_objective_correlation_numba_equals_numpy(objective, padding):
    """corr_objective="sqrt" correlates √objective with the measure; the objective columns stay raw."""
    cfg = _cfg(objective=objective, padding=padding, corr_objective="sqrt")
    a, b = run_study(cfg, 8, seed=4, method="numba"), run_study(cfg, 8, seed=4, method="numpy")
    _assert_results_agree(a, b)
    raw = run_study(_cfg(objective=objective, padding=padding), 8, seed=4, method="numba")
    np.testing.assert_allclose(a.objective_end, raw.objective_end, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(a.measure_end, raw.measure_end, rtol=0, atol=0)
    with pytest.raises(ValueError, match="corr_objective"):
        _cfg(corr_objective="cube")


# ----------------------------------------------------------------------------- the OCNN peer (issue 15 §4)

def test_ocnn_objective_matches_the_layer_loss_and_finite_differences():
    from analysis.convsim import ocnn_orth_loss

    rng = np.random.default_rng(11)
    k1, k2 = rng.uniform(-1, 1, 6), rng.uniform(-1, 1, 6)
    val, g1, g2 = objective_and_grad("ocnn", k1, k2)
    assert val == pytest.approx(ocnn_orth_loss(np.stack([k1, k2])[:, None, :], 1), rel=1e-13)
    h = 1e-6
    for k, g, which in ((k1, g1, 0), (k2, g2, 1)):
        for i in range(6):
            kp, km = k.copy(), k.copy()
            kp[i] += h
            km[i] -= h
            args_p = (kp, k2) if which == 0 else (k1, kp)
            args_m = (km, k2) if which == 0 else (k1, km)
            fd = (objective_and_grad("ocnn", *args_p)[0] - objective_and_grad("ocnn", *args_m)[0]) / (2 * h)
            assert g[i] == pytest.approx(fd, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("objective", ["convsim", "ocnn"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_batched_matches_per_episode_numpy(objective, optimizer):
    cfg = StudyConfig(n=5, optimizer=optimizer, lr=0.01, iters=40, objective=objective, fm_measure="abs")
    a = run_study(cfg, 6, seed=3, method="batched")
    b = run_study(cfg, 6, seed=3, method="numpy")
    for name in ("measure_start", "measure_end", "objective_start", "objective_end", "corr"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.extra["k1_end"], b.extra["k1_end"], rtol=1e-10, atol=1e-12)


def test_ocnn_is_not_a_numba_objective():
    cfg = StudyConfig(n=3, optimizer="adam", lr=0.1, iters=2, objective="ocnn")
    with pytest.raises(ValueError, match="batched"):
        run_study(cfg, 2, seed=0, method="numba")
    with pytest.raises(ValueError, match="stop_below"):
        run_study(StudyConfig(n=3, optimizer="adam", lr=0.1, iters=2, objective="ocnn", stop_below=1e-9), 2, 0,
                  method="batched")
