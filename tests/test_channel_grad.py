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


# ----------------------------------------------------------------------------- the cdg suite

def _suite_claims(out, seed=0):
    from validation.registry import SuiteContext, load_all, SUITES

    load_all()
    return [c.to_dict() for c in SUITES["cdg"].func(SuiteContext(preset="quick", episodes=5,
                                                                  seed=seed, out=out, progress=False))]


def test_cdg_suite_deterministic_with_derived_statuses(tmp_path):
    a, b = _suite_claims(tmp_path), _suite_claims(tmp_path)
    strip = [{k: v for k, v in c.items() if k != "runtime_s"} for c in a]
    assert strip == [{k: v for k, v in c.items() if k != "runtime_s"} for c in b]
    status = {c["id"]: c["status"] for c in a}
    assert len(status) == len(a)
    assert status["cdg.eq8.h0.lambda1_identity"] == "confirmed"
    assert status["cdg.fig3.code_vs_eq8.relation"] == "confirmed"
    assert status["cdg.fig3.code_vs_eq8.same_lambda"] == "refuted"
    assert status["cdg.table2.h0_lambda1_differs_from_sgd"] == "refuted"
    assert status["cdg.eq10_12.cumsum_equals_conv"] == "confirmed"
    assert status["cdg.eq8_9.conv_minus_solve"] == "confirmed"
    assert status["cdg.appD.mean_preserved.solve"] == "confirmed"
    assert status["cdg.appD.mean_preserved.conv"] == "deviates"
    assert status["cdg.sec2_3.local_average_dies_far.lambda1"] == "refuted"
    assert all(status[f"cdg.descent.{n}"] == "confirmed" for n in
               ("h0.eq8", "h0.code", "sobolev.cumsum", "sobolev.conv", "sobolev.fft", "sobolev.solve"))
    assert status["cdg.fig1.imagenet.alexnet"] == "not-testable-offline"
    for c in a:
        if c["status"] == "not-run":
            assert "workbench figures --only cdg_" in c["note"]
