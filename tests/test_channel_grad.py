"""H0_λ and Sobolev H̃1 gradients (cdg paper, Eq. 8–12, Fig. 3): exact cases, twins, properties.

Tolerances: the forms are the same linear map computed by different sums of O terms of size
|f|·max K/O, so they agree to a few ulps times O·max|K|; we use 1e-12 relative to the scale
(max |f| · max(1, 1/λ)) for O ≤ 64, i.e. ~100× float64 rounding.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from analysis.channel_grad import (
    SOBOLEV_METHODS, h0_gradient, h0_mode_factor, sobolev_combined_gradient, sobolev_conv,
    sobolev_cumsum_numba, sobolev_cumsum_numpy, sobolev_gradient, sobolev_kernel,
    sobolev_kernel_continuous, sobolev_kernel_minimum, sobolev_mode_factor,
    sobolev_mode_factor_continuum, sobolev_operator,
    directional_ratio, eq19_eq20_sides, forward_difference_matrix, laplacian_smoothing,
    laplacian_smoothing_mode_factor, metric_gram, metric_norm_sq, metric_ratio_spectrum,
    riesz_gradient, sobolev_mean_deviation,
)

RIEMANN = ("cumsum", "conv", "fft")
LAMS = (0.01, 1.0 / 24.0, 0.5, 1.0, 7.0)


def _tol(f, lam):
    return 1e-12 * max(1.0, np.max(np.abs(f))) * max(1.0, 1.0 / lam)


def _mode(n, k, extra=(3,)):
    """cos(2πko/O) along axis 0, broadcast over the other axes with different amplitudes."""
    o = np.arange(n)
    amp = np.linspace(0.5, 2.0, int(np.prod(extra))).reshape(extra)
    return np.cos(2 * np.pi * k * o / n).reshape((n,) + (1,) * len(extra)) * amp


# ----------------------------------------------------------------------------- H0_λ

@pytest.mark.parametrize("shape", [(5,), (4, 3), (6, 2, 3, 3)])
def test_eq8_at_lambda_one_is_identity(shape):
    f = np.random.default_rng(0).normal(size=shape)
    np.testing.assert_allclose(h0_gradient(f, 1.0), f, rtol=0, atol=1e-15)


@pytest.mark.parametrize("lam", [0.0, 0.3, 1.0, 4.0])
def test_code_form_is_scaled_eq8(lam):
    f = np.random.default_rng(1).normal(size=(7, 2, 3, 3))
    code = h0_gradient(f, lam, form="code")
    np.testing.assert_allclose(code, (1 + lam) * h0_gradient(f, 1 + lam), rtol=1e-14, atol=1e-14)
    expected = f + lam * f.mean(axis=0, keepdims=True)   # Fig. 3 line by line
    np.testing.assert_allclose(code, expected, rtol=1e-15, atol=1e-15)


def test_code_at_zero_is_plain_gradient():
    f = np.random.default_rng(2).normal(size=(4, 3))
    np.testing.assert_array_equal(h0_gradient(f, 0, form="code"), f)


@pytest.mark.parametrize("form,lam", [("eq8", 0.25), ("eq8", 3.0), ("code", 0.0), ("code", 2.0)])
@pytest.mark.parametrize("k", [0, 1, 3])
def test_h0_mode_factor(form, lam, k):
    n = 8
    f = _mode(n, k)
    np.testing.assert_allclose(h0_gradient(f, lam, form=form), h0_mode_factor(lam, k, n, form) * f,
                               atol=1e-14)


# ----------------------------------------------------------------------------- kernel

@pytest.mark.parametrize("lam", LAMS)
def test_kernel_symmetry_and_minimum(lam):
    x = np.linspace(0, 1, 1001)
    k = sobolev_kernel_continuous(x, lam)
    np.testing.assert_allclose(k, k[::-1], atol=1e-13)
    assert np.isclose(k.min(), sobolev_kernel_minimum(lam), atol=1e-14)
    assert np.isclose(k[500], 1 - 1 / (24 * lam))
    if not np.isclose(lam, 1 / 24):
        assert (k.min() < 0) == (lam < 1 / 24)
    kd = sobolev_kernel(10, lam)
    np.testing.assert_allclose(kd, sobolev_kernel_continuous(np.arange(10) / 10, lam))
    # Riemann mean of K over the grid is 1 + 1/(12 λ O²), not exactly 1
    assert np.isclose(kd.mean(), 1 + 1 / (12 * lam * 100), rtol=0, atol=1e-14)


# ----------------------------------------------------------------------------- forms agree

@pytest.mark.parametrize("n", [2, 3, 8, 33])
@pytest.mark.parametrize("lam", LAMS)
def test_riemann_forms_equal_to_rounding(n, lam):
    f = np.random.default_rng(n).normal(size=(n, 4, 2))
    ref = sobolev_gradient(f, lam, "conv")
    for method in ("cumsum", "fft"):
        np.testing.assert_allclose(sobolev_gradient(f, lam, method), ref, rtol=0, atol=_tol(f, lam))
    np.testing.assert_allclose(sobolev_gradient(f, lam, "cumsum", jit=False), ref, rtol=0,
                               atol=_tol(f, lam))


@pytest.mark.parametrize("n", [2, 5, 16])
def test_numba_kernel_matches_numpy_twin(n):
    f2 = np.random.default_rng(3).normal(size=(n, 7))
    np.testing.assert_allclose(sobolev_cumsum_numba(f2, 0.7), sobolev_cumsum_numpy(f2, 0.7),
                               rtol=0, atol=1e-13)


@pytest.mark.parametrize("n", [2, 3, 8, 33])
@pytest.mark.parametrize("lam", LAMS)
def test_conv_minus_solve_is_mean_over_12_lambda_O2(n, lam):
    f = np.random.default_rng(10 + n).normal(size=(n, 3)) + 2.0
    diff = sobolev_gradient(f, lam, "conv") - sobolev_gradient(f, lam, "solve")
    np.testing.assert_allclose(diff, np.broadcast_to(f.mean(0) / (12 * lam * n * n), f.shape),
                               rtol=0, atol=_tol(f, lam))


@pytest.mark.parametrize("n", [2, 5, 12])
@pytest.mark.parametrize("lam", LAMS)
def test_solve_matches_dense_linear_solve(n, lam):
    """Independent twin: A g = f with A = 11ᵀ/O + λO²·L, L = circulant(2, −1, …, −1)."""
    f = np.random.default_rng(20 + n).normal(size=(n, 3))
    lap = 2 * np.eye(n) - np.roll(np.eye(n), 1, axis=0) - np.roll(np.eye(n), -1, axis=0)
    a = np.ones((n, n)) / n + lam * n * n * lap
    np.testing.assert_allclose(sobolev_gradient(f, lam, "solve"), np.linalg.solve(a, f),
                               rtol=0, atol=1e-11 * max(1, 1 / lam))


def test_conv_matches_quadrature_loop():
    """Eq. 9 written as the plain double loop over (o, õ)."""
    n, lam = 6, 0.8
    f = np.random.default_rng(4).normal(size=n)
    def kern(x):
        return 1 + (x * x - x + 1 / 6) / (2 * lam)

    loop = np.array([sum(kern(((o - t) % n) / n) * f[t] for t in range(n)) / n for o in range(n)])
    np.testing.assert_allclose(sobolev_conv(f[:, None], lam)[:, 0], loop, atol=1e-14)


# ----------------------------------------------------------------------------- exact mode factors

@pytest.mark.parametrize("method", SOBOLEV_METHODS)
@pytest.mark.parametrize("n,k", [(2, 1), (8, 0), (8, 1), (8, 3), (8, 4), (13, 6), (64, 1)])
@pytest.mark.parametrize("lam", [0.02, 1.0, 10.0])
def test_single_fourier_mode_is_scaled_by_derived_factor(method, n, k, lam):
    f = _mode(n, k)
    expected = sobolev_mode_factor(n, lam, k, method) * f
    np.testing.assert_allclose(sobolev_gradient(f, lam, method), expected, rtol=0, atol=_tol(f, lam))


@pytest.mark.parametrize("k", [1, 2, 5])
def test_mode_factor_tends_to_continuum(k):
    lam = 1.0
    cont = sobolev_mode_factor_continuum(lam, k)
    errs = [abs(sobolev_mode_factor(n, lam, k) / cont - 1) for n in (64, 128, 256)]
    # (πk/O)²/sin²(πk/O) − 1 ≈ (πk/O)²/3: second order in 1/O
    assert errs[0] > errs[1] > errs[2]
    assert np.isclose(errs[1] / errs[2], 4.0, rtol=0.01)


@pytest.mark.parametrize("method", SOBOLEV_METHODS)
@pytest.mark.parametrize("lam", LAMS)
def test_mean_behaviour(method, lam):
    n = 9
    f = np.random.default_rng(5).normal(size=(n, 4)) + 1.0
    g = sobolev_gradient(f, lam, method)
    factor = 1.0 if method == "solve" else 1 + 1 / (12 * lam * n * n)
    np.testing.assert_allclose(g.mean(0), factor * f.mean(0), rtol=0, atol=_tol(f, lam))


@pytest.mark.parametrize("method", SOBOLEV_METHODS)
@pytest.mark.parametrize("lam", LAMS)
def test_operator_symmetric_positive_with_derived_eigenvalues(method, lam):
    n = 10
    m = sobolev_operator(n, lam, method)
    np.testing.assert_allclose(m, m.T, atol=_tol(m, lam))
    ev = np.linalg.eigvalsh((m + m.T) / 2)
    pred = np.sort([sobolev_mode_factor(n, lam, k, method) for k in range(n)])
    np.testing.assert_allclose(ev, pred, rtol=1e-10, atol=_tol(m, lam))
    assert ev.min() > 0


@pytest.mark.parametrize("shape", [(4,), (5, 3), (6, 2, 3, 3), (3, 1, 1, 1, 2)])
@pytest.mark.parametrize("method", SOBOLEV_METHODS)
def test_any_rank_acts_along_axis0(shape, method):
    f = np.random.default_rng(6).normal(size=shape)
    g = sobolev_gradient(f, 1.0, method)
    assert g.shape == f.shape and g.dtype == np.float64
    flat = f.reshape(shape[0], -1)
    for c in range(flat.shape[1]):
        np.testing.assert_allclose(g.reshape(shape[0], -1)[:, c],
                                   sobolev_gradient(flat[:, c], 1.0, method), atol=1e-14)


# ----------------------------------------------------------------------------- hypothesis

@settings(max_examples=25, deadline=None)
@given(f=arrays(np.float64, st.tuples(st.integers(2, 20), st.integers(1, 4)),
                elements=st.floats(-100, 100, allow_nan=False)),
       lam=st.floats(1e-3, 50.0), method=st.sampled_from(SOBOLEV_METHODS))
def test_descent_property(f, lam, method):
    """⟨f, g⟩ ≥ (smallest eigenvalue)·‖f‖² > 0: every form is a descent direction."""
    g = sobolev_gradient(f, lam, method)
    n = f.shape[0]
    lo = min(sobolev_mode_factor(n, lam, k, method) for k in range(n))
    inner, norm2 = float(np.sum(f * g)), float(np.sum(f * f))
    assert inner >= lo * norm2 * (1 - 1e-9) - 1e-9 * max(1.0, norm2)
    if norm2 > 0:
        assert inner > 0


@settings(max_examples=25, deadline=None)
@given(f=arrays(np.float64, st.tuples(st.integers(2, 24), st.integers(1, 3)),
                elements=st.floats(-10, 10, allow_nan=False)),
       lam=st.floats(1e-2, 20.0))
def test_forms_agree_property(f, lam):
    ref = sobolev_gradient(f, lam, "conv")
    tol = 1e-11 * max(1.0, np.abs(f).max()) * max(1.0, 1 / lam)
    for m in ("cumsum", "fft"):
        np.testing.assert_allclose(sobolev_gradient(f, lam, m), ref, rtol=0, atol=tol)
    n = f.shape[0]
    np.testing.assert_allclose(ref - sobolev_gradient(f, lam, "solve"),
                               np.broadcast_to(f.mean(0) / (12 * lam * n * n), f.shape),
                               rtol=0, atol=tol)


@settings(max_examples=25, deadline=None)
@given(f=arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 3)),
                elements=st.floats(-10, 10, allow_nan=False)),
       lam=st.floats(1e-2, 20.0))
def test_h0_preserves_mean_and_scales_deformation(f, lam):
    g = h0_gradient(f, lam)
    np.testing.assert_allclose(g.mean(0), f.mean(0), atol=1e-12)
    np.testing.assert_allclose(g - g.mean(0), (f - f.mean(0)) / lam,
                               atol=1e-12 * max(1, 1 / lam) * max(1, np.abs(f).max()))


def test_combined_update():
    f = np.random.default_rng(7).normal(size=(8, 3, 3, 3))
    got = sobolev_combined_gradient(f, h0_weight=0.5, sobolev_weight=2.0)
    np.testing.assert_allclose(got, 2.0 * sobolev_gradient(f, 1.0) + 0.5 * f, atol=1e-14)
    np.testing.assert_array_equal(sobolev_combined_gradient(f, 1.0, 0.0), f)


# ----------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("call", [
    lambda: h0_gradient(np.ones(3), 0.0),
    lambda: h0_gradient(np.ones(3), -1.0),
    lambda: h0_gradient(np.ones(3), -0.1, form="code"),
    lambda: h0_gradient(np.ones(3), 1.0, form="paper"),
    lambda: h0_gradient(np.ones(3), True),
    lambda: h0_gradient(np.float64(1.0), 1.0),
    lambda: sobolev_gradient(np.ones(3), 0.0),
    lambda: sobolev_gradient(np.ones(3), -2.0),
    lambda: sobolev_gradient(np.ones((1, 4)), 1.0),
    lambda: sobolev_gradient(np.ones(3), 1.0, method="spline"),
    lambda: sobolev_gradient(np.array([1.0, np.nan]), 1.0),
    lambda: sobolev_gradient(np.ones(3), float("inf")),
    lambda: sobolev_kernel(True, 1.0),
    lambda: sobolev_kernel(0, 1.0),
    lambda: sobolev_kernel(4, 0.0),
    lambda: sobolev_kernel_continuous([1.5], 1.0),
    lambda: sobolev_combined_gradient(np.ones(3), -1.0),
    lambda: sobolev_mode_factor(4, 1.0, 1, method="x"),
])
def test_bad_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_error_message_says_what_is_expected():
    with pytest.raises(ValueError, match="at least 2"):
        sobolev_gradient(np.ones((1, 3)), 1.0)
    with pytest.raises(ValueError, match="> 0"):
        sobolev_gradient(np.ones(3), 0)
    assert math.isclose(sobolev_kernel_minimum(1 / 24), 0.0, abs_tol=1e-15)


# ----------------------------------------------------------------------------- metrics (Eq. 1–7, 19–21)

@pytest.mark.parametrize("n", [2, 5, 16])
@pytest.mark.parametrize("lam", [0.3, 1.0, 4.0])
def test_riesz_representers_are_the_closed_forms(n, lam):
    """Normalized reading: Eq. 4 → Eq. 8, Eq. 6 → the ODE solve, Eq. 19 → LS with σ = λO²;
    the literal reading multiplies each by O."""
    f = np.random.default_rng(n).normal(size=(n, 2, 3)) + 0.7
    pairs = (("h0_lambda", h0_gradient(f, lam)), ("h1_tilde", sobolev_gradient(f, lam, "solve")),
             ("h1", laplacian_smoothing(f, lam * n * n, axis="output")))
    for metric, ref in pairs:
        np.testing.assert_allclose(riesz_gradient(f, metric, lam), ref, rtol=0, atol=1e-10)
        np.testing.assert_allclose(riesz_gradient(f, metric, lam, "literal"), n * ref, rtol=0, atol=1e-9 * n)
    np.testing.assert_allclose(riesz_gradient(f, "h0", reading="literal"), f, atol=1e-13)


def test_metric_gram_by_hand():
    n, lam = 4, 2.0
    k1, k2 = np.array([1.0, 2.0, -1.0, 0.5]), np.array([0.0, 1.0, 3.0, -2.0])
    m1, m2 = k1.mean(), k2.mean()
    by_hand = m1 * m2 + lam / n * np.sum((k1 - m1) * (k2 - m2))
    assert k1 @ metric_gram(n, "h0_lambda", lam) @ k2 == pytest.approx(by_hand, rel=1e-14)
    d1, d2 = np.roll(k1, -1) - k1, np.roll(k2, -1) - k2
    assert k1 @ metric_gram(n, "h1_tilde", lam) @ k2 == pytest.approx(m1 * m2 + lam * n * d1 @ d2, rel=1e-14)
    np.testing.assert_array_equal(forward_difference_matrix(3) @ np.array([1.0, 2.0, 4.0]), [1.0, 2.0, -3.0])


def test_eq19_to_eq20_ratio_is_O():
    r = np.random.default_rng(0)
    for n in (2, 7, 30):
        e19, e20 = eq19_eq20_sides(r.normal(size=n), r.normal(size=n), 0.7)
        assert e20 / e19 == pytest.approx(n, rel=1e-10)


def test_scale_invariance_of_eq4_and_eq6_and_not_eq3():
    def norms(metric):
        out = []
        for n in (64, 256):
            x = np.arange(n) / n
            out.append(metric_norm_sq((1 + np.cos(2 * np.pi * x))[:, None], metric, 1.0, "literal"))
        return out
    a, b = norms("h0_lambda")
    assert a == pytest.approx(b, rel=1e-12)
    a, b = norms("h1_tilde")
    assert a == pytest.approx(b, rel=2e-3)
    a, b = norms("h0")
    assert b / a == pytest.approx(4.0, rel=1e-12)


def test_sobolev_balls_in_l2_balls():
    for n in (8, 64):
        ev = metric_ratio_spectrum(n, "h1_tilde", "h0", 1.0)
        assert ev[0] == pytest.approx(1.0) and ev[-1] == pytest.approx(4 * n * n, rel=1e-9)
    ev = metric_ratio_spectrum(64, "h0_lambda", "h0", 3.0)
    np.testing.assert_allclose([ev[0], ev[-1]], [1.0, 3.0], rtol=1e-10)


def test_gradient_maximizes_eq2_ratio():
    r = np.random.default_rng(1)
    f = r.normal(size=(8, 3)) + 1.0
    g = riesz_gradient(f, "h1_tilde", 1.0)
    best = directional_ratio(f, g, "h1_tilde", 1.0)
    assert best == pytest.approx(math.sqrt(metric_norm_sq(g, "h1_tilde", 1.0)), rel=1e-10)
    assert all(directional_ratio(f, r.normal(size=f.shape), "h1_tilde", 1.0) <= best for _ in range(50))


# ----------------------------------------------------------------------------- Laplacian smoothing

@pytest.mark.parametrize("shape", [(7,), (5, 3), (4, 2, 3, 3)])
@pytest.mark.parametrize("axis", [None, "output"])
@pytest.mark.parametrize("sigma", [0.0, 1.0, 10.0])
def test_laplacian_smoothing_fft_equals_dense(shape, axis, sigma):
    f = np.random.default_rng(len(shape)).normal(size=shape)
    a = laplacian_smoothing(f, sigma, "fft", axis)
    np.testing.assert_allclose(a, laplacian_smoothing(f, sigma, "dense", axis), rtol=0, atol=1e-12)
    if sigma == 0.0:
        np.testing.assert_allclose(a, f, atol=1e-14)


def test_laplacian_smoothing_solves_the_system_and_scales_modes():
    n, sigma = 12, 2.5
    f = np.random.default_rng(3).normal(size=n)
    d = laplacian_smoothing(f, sigma)
    lap = 2 * d - np.roll(d, 1) - np.roll(d, -1)
    np.testing.assert_allclose(d + sigma * lap, f, atol=1e-12)
    for k in (0, 1, 6):
        mode = np.cos(2 * np.pi * k * np.arange(n) / n)
        np.testing.assert_allclose(laplacian_smoothing(mode, sigma),
                                   laplacian_smoothing_mode_factor(n, sigma, k) * mode, atol=1e-13)


def test_h1_update_close_to_mean_update_at_lambda1():
    r = np.random.default_rng(4)
    f = r.normal(size=(32, 3, 3, 3)) + r.normal(size=(1, 3, 3, 3))
    assert sobolev_mean_deviation(f, 1.0) < 0.013 < sobolev_mean_deviation(f, 0.01)
    c = np.ones((6, 2))
    assert sobolev_mean_deviation(c, 1.0) == pytest.approx(1 / (12 * 36) / 2, rel=1e-10)


@pytest.mark.parametrize("call", [
    lambda: metric_gram(4, "h2"),
    lambda: metric_gram(4, "h0", reading="physical"),
    lambda: laplacian_smoothing(np.ones(3), -1.0),
    lambda: laplacian_smoothing(np.ones(3), 1.0, method="cg"),
    lambda: laplacian_smoothing(np.ones(3), 1.0, axis="input"),
    lambda: eq19_eq20_sides(np.ones(3), np.ones(4)),
])
def test_metric_and_ls_bad_inputs(call):
    with pytest.raises(ValueError):
        call()


# ----------------------------------------------------------------------------- the cdg suite

def _suite_claims(out, seed=0):
    from validation.registry import SuiteContext, load_all, SUITES

    load_all()
    return [c.to_dict() for c in SUITES["cdg"].func(SuiteContext(preset="quick", episodes=5,
                                                                  seed=seed, out=out, progress=False))]


def test_cdg_suite_deterministic_with_computed_statuses(tmp_path):
    a, b = _suite_claims(tmp_path), _suite_claims(tmp_path)
    strip = [{k: v for k, v in c.items() if k != "runtime_s"} for c in a]
    assert strip == [{k: v for k, v in c.items() if k != "runtime_s"} for c in b]
    status = {c["id"]: c["status"] for c in a}
    kind = {c["id"]: c["kind"] for c in a}
    assert len(status) == len(a)
    assert status["cdg.eq4_7.h0_lambda_gradient"] == "confirmed"
    assert status["cdg.eq6_7.sobolev_gradient"] == "confirmed"
    assert status["cdg.appD.eq19_20.dropped_factor_O"] == "refuted"
    assert status["cdg.sec2_2.scale_invariance_in_O"] == "confirmed"
    assert status["cdg.fig3.code_vs_eq8.same_lambda"] == "refuted"
    assert status["cdg.table2.h0_lambda1_differs_from_sgd"] == "refuted"
    assert status["cdg.sec2_3.local_average_dies_far.lambda1"] == "refuted"
    assert status["cdg.fig1.bn_rescaling_invariance"] == "refuted"
    assert status["cdg.table2.caption_improves_all"] == "refuted"
    assert status["cdg.table2.small_batch_advantage"] == "deviates"
    assert status["cdg.table1.adam_lr"] == "refuted"
    assert status["cdg.sec1_1.ls_is_sobolev_gradient"] == "confirmed"
    # relations that hold by construction are derived evidence, never verdicts
    for cid in ("cdg.fig6.lambda0_is_sgd", "cdg.appD.mean_preserved", "cdg.eq10_12.cumsum_equals_conv",
                "cdg.fig13.iid_noise_is_zero_mean", "cdg.fig1.rescaling_invariance"):
        assert kind[cid] == "derived" and status[cid] == "reported", cid
    assert not any(i.startswith("cdg.appD.mean_preserved.") or i == "cdg.eq8.h0.lambda1_identity" for i in status)
    assert sum(k == "consistency" for k in kind.values()) >= 5
    for c in a:
        if c["status"] in ("confirmed", "deviates", "refuted"):
            assert c["falsifiable"], c["id"]
    assert status["cdg.fig1.imagenet.alexnet"] == "not-testable-offline"
    for c in a:
        if c["status"] == "not-run":
            assert "workbench figures --only cdg_" in c["note"]


def test_cdg_coverage_declares_the_review_items(tmp_path):
    from validation.registry import SUITES, coverage, load_all

    load_all()
    items = SUITES["cdg"].items
    labels = " ".join(it.label for it in items)
    for needle in ("Eq. 1 ", "Eq. 19 → Eq. 20", "§2.2 scale invariance", "Table 3", "Fig. 4", "Figs. 8–9",
                   "Sobolev balls", "ADAM learning rate", "Table 2 caption"):
        assert needle in labels, needle
    ids = [c["id"] for c in _suite_claims(tmp_path)]
    cov = coverage(items, ids)
    assert cov["uncovered"] == [] and cov["fraction"] >= 0.95


def test_cdg_variance_test_direction():
    """The Fig. 5 left test: a smaller spread gives a negative paired absolute-deviation effect."""
    from analysis.nets.cdg import paired_spread_test as variance_test

    rng = np.random.default_rng(0)
    a = {s: 80 + 1.0 * x for s, x in enumerate(rng.standard_normal(12))}
    b = {s: 81 + 0.1 * x for s, x in enumerate(rng.standard_normal(12))}
    vt = variance_test(a, b)
    assert vt["summary"]["n"] == 12 and vt["summary"]["ci"][1] < 0
    assert vt["sd_ratio"] < 0.3 and vt["log_variance_ratio"] < 0 and vt["levene_median"]["p"] < 0.05
    assert variance_test(b, a)["summary"]["ci"][0] > 0
