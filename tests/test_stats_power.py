"""Effect size, interval, minimum detectable effect and Holm correction (analysis.stats)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats as sps

from analysis import stats


@pytest.mark.parametrize("design,n2", [("paired", None), ("two-sample", 7)])
@pytest.mark.parametrize("n", [3, 5, 10, 40])
def test_mde_has_the_requested_power_and_exceeds_the_normal_bound(design, n, n2):
    sd = 1.7
    d = stats.mde(sd, n, design=design, n2=n2)
    assert stats.t_power(d, sd, n, design=design, n2=n2) == pytest.approx(0.8, abs=1e-9)
    z = stats.mde_normal(sd, n, design=design, n2=n2)
    assert d > z  # the t quantiles are wider than the normal ones
    if n >= 40 and design == "paired":
        assert d == pytest.approx(z, rel=0.03)


def test_mde_by_monte_carlo_power():
    """Independent check: simulate the paired t-test at the mde; the rejection rate is 0.8."""
    rng = np.random.default_rng(0)
    n, sd = 6, 1.0
    d = stats.mde(sd, n)
    x = rng.normal(d, sd, size=(40000, n))
    t = x.mean(1) / (x.std(1, ddof=1) / math.sqrt(n))
    rate = np.mean(np.abs(t) > sps.t.ppf(0.975, n - 1))
    assert rate == pytest.approx(0.8, abs=3 * math.sqrt(0.16 / 40000) + 1e-3)


def test_mde_edge_cases():
    assert math.isnan(stats.mde(1.0, 1))
    # two pairs (df = 1): scipy's noncentral t returns NaN deep in the lower tail; the power is
    # still computed and the mde solved
    d2 = stats.mde(1.0, 2)
    assert stats.t_power(d2, 1.0, 2) == pytest.approx(0.8, abs=1e-9) and d2 > stats.mde(1.0, 3)
    s = stats.effect_summary([10.0, 12.5], [12.5, 12.5])
    assert math.isfinite(s["mde"])
    assert stats.t_power(-d2, 1.0, 2) == pytest.approx(0.8, abs=1e-9)
    assert stats.mde(0.0, 5) == 0.0
    with pytest.raises(ValueError):
        stats.mde(1.0, 5, design="bogus")
    with pytest.raises(ValueError):
        stats.mde(1.0, 5, design="two-sample")


def test_effect_summary_paired_matches_scipy():
    rng = np.random.default_rng(1)
    a = rng.normal(70, 1, 8)
    b = a + rng.normal(0.5, 0.4, 8)
    s = stats.effect_summary(a, b)
    r = sps.ttest_rel(b, a)
    assert s["p_two_sided"] == pytest.approx(r.pvalue, rel=1e-10)
    ci = r.confidence_interval(0.95)
    assert s["ci"] == pytest.approx([ci.low, ci.high], rel=1e-12)
    assert s["n"] == 8 and s["effect"] == pytest.approx(np.mean(b - a))
    assert s["mde"] == pytest.approx(stats.mde(np.std(b - a, ddof=1), 8))


def test_effect_summary_welch_matches_scipy():
    rng = np.random.default_rng(2)
    a, b = rng.normal(0, 1, 6), rng.normal(1, 2, 9)
    s = stats.effect_summary(a, b, paired=False)
    r = sps.ttest_ind(b, a, equal_var=False)
    assert s["p_two_sided"] == pytest.approx(r.pvalue, rel=1e-10)
    ci = r.confidence_interval(0.95)
    assert s["ci"] == pytest.approx([ci.low, ci.high], rel=1e-10)
    assert s["n"] == [6, 9]


def test_effect_summary_one_sample_and_too_few():
    s = stats.effect_summary([0.3, 0.5, 0.1])
    assert s["design"] == "one-sample" and s["ci"][0] < 0.3 < s["ci"][1]
    s1 = stats.effect_summary([1.0], [2.0])
    assert s1["ci"] is None and math.isnan(s1["mde"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=9),
       st.sampled_from([0.01, 0.05, 0.1]))
def test_holm_adjusted_p_agrees_with_the_step_down_procedure(ps, alpha):
    adj = stats.holm(ps)
    rej = stats.holm_by_rejection(ps, alpha)
    for p, a, r in zip(ps, adj, rej):
        if math.isnan(p):
            assert math.isnan(a) and not r
        else:
            assert a >= p - 1e-15
            assert (a <= alpha) == r


def test_no_interval_without_spread_and_power_fields():
    s = stats.effect_summary([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])     # every difference is 1
    assert s["ci"] is None and s["sd"] == 0 and s["mde"] == 0
    p = stats.with_power(stats.effect_summary([0.0, 1.0, 0.5], [1.0, 1.5, 2.0]), paper_effect=-5.0)
    assert p["paper_effect"] == -5.0 and p["power_ok"] is (p["mde"] <= 5.0)
    assert stats.with_power({"mde": float("nan")}, 1.0)["power_ok"] is None


@pytest.mark.parametrize("n", [5, 15, 30])
def test_wilson_mde_by_monte_carlo(n):
    """Independent check of the collapse claims' power: draw Bin(n, 1/2 + mde), build each draw's
    Wilson interval with scipy's binomtest (method 'wilson', no continuity correction) and count how
    often it excludes 1/2: 0.8 within Monte-Carlo error (4 se), and just below the mde it is less."""
    rng = np.random.default_rng(1)
    d = stats.wilson_mde(n)
    assert 0 < d < 0.5
    k = rng.binomial(n, 0.5 + d, size=20000)
    excl = {int(i): not (lambda c: c.low <= 0.5 <= c.high)(sps.binomtest(int(i), n).proportion_ci(0.95, "wilson"))
            for i in np.unique(k)}
    rate = np.mean([excl[int(i)] for i in k])
    assert rate == pytest.approx(0.8, abs=4 * math.sqrt(0.16 / k.size))
    assert stats.wilson_power(0.5 + d - 0.02, n) < 0.8
    # n = 4: the interval excludes 1/2 only at 0/4 and 4/4, so the power is p⁴ + (1 − p)⁴
    from scipy.optimize import brentq
    p4 = brentq(lambda p: p ** 4 + (1 - p) ** 4 - 0.8, 0.5, 1.0, xtol=1e-14)
    assert stats.wilson_mde(4) == pytest.approx(p4 - 0.5, abs=1e-9)
    assert math.isnan(stats.wilson_mde(2))       # 2 runs: even 2/2 leaves 1/2 inside the interval
