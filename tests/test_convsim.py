"""Tests of analysis.convsim: every function against its twin, a brute force, and the paper.

Tolerances: the quantities compared are sums of O(10²–10³) float64 products of O(1) numbers,
so two summation orders agree to ~1e-13 relative; we allow rtol = 1e-10 (rounding only,
never a modelling error). Finite differences: central, step h = 1e-6 on a quartic, whose
truncation error h²·|f'''| ~ 1e-11 and rounding eps·|f|/h ~ 1e-9·|f| set atol/rtol = 1e-5.
"""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import convsim as cs

RTOL = 1e-10
SETTINGS = settings(max_examples=25, deadline=None)


def close(a, b, scale=1.0):
    """Equal to rounding: |a − b| ≤ rtol·(|a| + |b| + scale)."""
    return abs(a - b) <= RTOL * (abs(a) + abs(b) + scale)


# ---------------------------------------------------------------------------------------------
# Random problems
# ---------------------------------------------------------------------------------------------

def make_problem(seed, nd, n_ch, n, m, m2=None):
    """x ~ U(0, 1), k1, k2 ~ U(−1, 1) as in §3.1; n_ch = 0 means no channel axis.

    x has spatial shape (m,) or (m, m2) (m2 defaults to m), kernels (n,) or (n, n)."""
    rng = np.random.default_rng(seed)
    lead = () if n_ch == 0 else (n_ch,)
    spatial = (m,) if nd == 1 else (m, m if m2 is None else m2)
    x = rng.uniform(0.0, 1.0, lead + spatial)
    k1 = rng.uniform(-1.0, 1.0, lead + (n,) * nd)
    k2 = rng.uniform(-1.0, 1.0, lead + (n,) * nd)
    return x, k1, k2


@st.composite
def problems(draw, nd=None):
    nd = draw(st.sampled_from([1, 2])) if nd is None else nd
    n_ch = draw(st.integers(0, 3))
    n = draw(st.integers(1, 5))
    p = draw(st.integers(0, n - 1))
    m = draw(st.integers(max(1, n - 2 * p), 9))  # output length M+2P−N+1 ≥ 1
    m2 = draw(st.integers(max(1, n - 2 * p), 9))  # 2-D inputs need not be square
    seed = draw(st.integers(0, 2**32 - 1))
    x, k1, k2 = make_problem(seed, nd, n_ch, n, m, m2)
    return x, k1, k2, p, nd


def ndim_arg(x, nd):
    """Pass ndim explicitly when x has a channel axis; otherwise test the None default too."""
    return nd if x.ndim > nd else None


# ---------------------------------------------------------------------------------------------
# cross_correlate: numba kernel, numpy twin, independent references
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(problems())
def test_cross_correlate_numba_equals_numpy_twin(prob):
    x, k1, _, p, nd = prob
    a = cs.cross_correlate(x, k1, p, ndim_arg(x, nd))
    b = cs.cross_correlate_numpy(x, k1, p, ndim_arg(x, nd))
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL)


@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("n_ch", [0, 2])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_cross_correlate_matches_scipy_every_padding(nd, n_ch, n):
    """F[i] = Σ_n k[n]·x[i+n−P] is scipy's 'valid' correlation of the P-padded input."""
    x, k, _ = make_problem(7 * n + nd, nd, n_ch, n, 6)
    xc, kc = (x, k) if n_ch else (x[None], k[None])
    for p in range(n):
        xp = np.pad(xc, [(0, 0)] + [(p, p)] * nd)
        ref = sum(scipy.signal.correlate(xp[c], kc[c], mode="valid", method="direct")
                  for c in range(xc.shape[0]))
        got = cs.cross_correlate(x, k, p, nd)
        assert got.shape == (6 + 2 * p - n + 1,) * nd
        np.testing.assert_allclose(got, ref, rtol=RTOL, atol=RTOL)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_named_paddings(n):
    x, k, _ = make_problem(n, 1, 0, n, 8)
    assert cs.resolve_padding("full", n) == n - 1
    assert cs.resolve_padding("valid", n) == 0
    assert cs.resolve_padding("same", n) == (n - 1) // 2
    assert cs.cross_correlate(x, k, "same").shape == (8,)          # same size as the input
    assert cs.cross_correlate(x, k, "valid").shape == (8 - n + 1,)  # Eq. 1 'valid': M−N+1
    assert cs.cross_correlate(x, k, "full").shape == (8 + n - 1,)   # Eq. 1b: M+N−1
    np.testing.assert_array_equal(cs.cross_correlate(x, k, "full"),
                                  cs.cross_correlate(x, k, n - 1))
    np.testing.assert_array_equal(cs.cross_correlate(x, k), cs.cross_correlate(x, k, "full"))


def test_full_padding_is_eq_1b_literally():
    """Eq. 1b: (X ⊛ K)[i] = Σ_n K[n]·X[i+n−N+1], i ∈ [0, M+N−2], written as loops."""
    x, k, _ = make_problem(3, 1, 0, 4, 6)
    m, n = 6, 4
    ref = [sum(k[a] * (x[i + a - n + 1] if 0 <= i + a - n + 1 < m else 0.0) for a in range(n))
           for i in range(m + n - 1)]
    np.testing.assert_allclose(cs.cross_correlate(x, k, "full"), ref, rtol=RTOL, atol=RTOL)


@pytest.mark.parametrize("nd", [1, 2])
def test_lag_convention_of_kernel_correlation(nd):
    """(A ⊛ B)[n] = Σ_i A[i]·B[i+n] = cross_correlate(B, A, "full")[n + N − 1]."""
    _, a, b = make_problem(11, nd, 0, 3, 3)
    n = 3
    got = cs.kernel_correlation(a, b)
    via_xcorr = cs.cross_correlate(b, a, "full")
    np.testing.assert_allclose(got, via_xcorr, rtol=RTOL, atol=RTOL)
    if nd == 1:
        for lag in range(1 - n, n):
            ref = sum(a[i] * b[i + lag] for i in range(n) if 0 <= i + lag < n)
            assert close(got[lag + n - 1], ref)
    else:
        for l1 in range(1 - n, n):
            for l2 in range(1 - n, n):
                ref = sum(a[i, j] * b[i + l1, j + l2] for i in range(n) for j in range(n)
                          if 0 <= i + l1 < n and 0 <= j + l2 < n)
                assert close(got[l1 + n - 1, l2 + n - 1], ref)


def test_array_likes_are_cast():
    assert cs.cross_correlate([1, 2, 3], [1, 1], "valid").tolist() == [3.0, 5.0]
    assert cs.cross_correlate(np.arange(4, dtype=np.int32), np.ones(2, np.float32), 0).dtype \
        == np.float64


# ---------------------------------------------------------------------------------------------
# fm_inner and the Eq. 3 / 19 identity
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(problems())
def test_identity_eq19_holds_for_every_padding(prob):
    x, k1, k2, p, nd = prob
    f = cs.fm_inner(x, k1, k2, p, ndim_arg(x, nd))
    g = cs.fm_inner_identity(x, k1, k2, p, ndim_arg(x, nd))
    scale = float(np.abs(x).sum() ** 2 * np.abs(k1).sum() * np.abs(k2).sum())
    assert close(f, g, scale)


@SETTINGS
@given(problems())
def test_fm_inner_equals_dot_of_numpy_feature_maps(prob):
    x, k1, k2, p, nd = prob
    ref = float(np.sum(cs.cross_correlate_numpy(x, k1, p, ndim_arg(x, nd))
                       * cs.cross_correlate_numpy(x, k2, p, ndim_arg(x, nd))))
    assert close(cs.fm_inner(x, k1, k2, p, ndim_arg(x, nd)), ref)


@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("n_ch", [0, 3])
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_identity_every_padding_even_and_odd_n(nd, n_ch, n):
    """Eq. 19 for every P in 0…N−1 (even and odd N), and Eq. 3/21 exactly at P = N−1."""
    x, k1, k2 = make_problem(100 + n, nd, n_ch, n, 7)
    nda = nd if n_ch else None
    for p in range(n):
        assert close(cs.fm_inner(x, k1, k2, p, nda), cs.fm_inner_identity(x, k1, k2, p, nda))
    assert close(cs.fm_inner(x, k1, k2, "full", nda), cs.fm_inner_eq20(x, k1, k2, nda))


@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize("n_ch", [0, 2])
@pytest.mark.parametrize("n", [1, 3, 5])
@pytest.mark.parametrize("name", ["full", "valid", "same"])
def test_identity_named_paddings(nd, n_ch, n, name):
    x, k1, k2 = make_problem(3 * n + nd, nd, n_ch, n, 6, 8)
    nda = nd if n_ch else None
    p = cs.resolve_padding(name, n)
    assert cs.fm_inner(x, k1, k2, name, nda) == cs.fm_inner(x, k1, k2, p, nda)
    assert close(cs.fm_inner(x, k1, k2, name, nda), cs.fm_inner_identity(x, k1, k2, name, nda))


@pytest.mark.parametrize("nd", [1, 2])
def test_identity_input_shorter_than_kernel(nd):
    """Full padding allows M < N: X ⊛ X then has no lags beyond ±(M−1) (zeros in Eq. 3)."""
    x, k1, k2 = make_problem(21, nd, 2, 5, 2, 3)
    assert cs.cross_correlate(x, k1, "full", nd).shape == ((6,) if nd == 1 else (6, 7))
    assert close(cs.fm_inner(x, k1, k2, "full", nd), cs.fm_inner_eq20(x, k1, k2, nd))
    for p in (2, 3, 4):  # P ≥ (N − M)/2 keeps the output non-empty
        assert close(cs.fm_inner(x, k1, k2, p, nd), cs.fm_inner_identity(x, k1, k2, p, nd))


def test_identity_eq3_single_channel_by_hand():
    """Eq. 3 written out: Σ_n (K1 ⊛ K2)[n]·(X ⊛ X)[n] with explicit loops."""
    x, k1, k2 = make_problem(5, 1, 0, 3, 5)
    n, m = 3, 5
    kk = {d: sum(k1[i] * k2[i + d] for i in range(n) if 0 <= i + d < n) for d in range(1 - n, n)}
    xx = {d: sum(x[i] * x[i + d] for i in range(m) if 0 <= i + d < m) for d in range(1 - n, n)}
    ref = sum(kk[d] * xx[d] for d in kk)
    assert close(cs.fm_inner_eq20(x, k1, k2), ref)
    assert close(cs.fm_inner(x, k1, k2, "full"), ref)


def test_eq11_orthogonal_kernels_do_not_give_orthogonal_maps():
    """Eq. 11: ⟨K1, K2⟩ = 0 leaves ⟨F1, F2⟩ = Σ_{n≠0} (X⊛X)[n]·(K1⊛K2)[n], here ≠ 0."""
    x = np.array([1.0, 2.0, 3.0])
    k1, k2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert float(k1 @ k2) == 0.0
    # F1 = [0, 1, 2, 3], F2 = [1, 2, 3, 0] (full): ⟨F1, F2⟩ = 2 + 6 = 8 = (X⊛X)[1]·(K1⊛K2)[1]
    assert cs.fm_inner(x, k1, k2, "full") == 8.0
    assert cs.fm_inner_identity(x, k1, k2, "full") == 8.0


# ---------------------------------------------------------------------------------------------
# Correction terms A, B (Eq. 17, 18)
# ---------------------------------------------------------------------------------------------

@SETTINGS
@given(problems(nd=1))
def test_correction_terms_fast_equal_literal_eq17_eq18(prob):
    x, k1, k2, p, _ = prob
    nda = 1 if x.ndim > 1 else None
    a, b = cs.correction_terms(x, k1, k2, p, nda)
    a_lit, b_lit = cs.correction_terms_literal(x, k1, k2, p)
    scale = float(np.abs(x).sum() ** 2 * np.abs(k1).sum() * np.abs(k2).sum())
    assert close(a, a_lit, scale) and close(b, b_lit, scale)


def brute_force_frame(x, k1, k2, p, nd):
    """A, B from full feature maps of the numpy twin, with the bands cut by hand."""
    f = cs.cross_correlate_numpy(x, k1, "full", nd) * cs.cross_correlate_numpy(x, k2, "full", nd)
    n = k1.shape[-1]
    w = n - 1 - p
    if nd == 1:
        return f[:w].sum(), f[f.shape[0] - w:].sum()
    a = f[:w, :].sum() + f[w:, :w].sum()  # any index in the low band
    inner = f[w:, w:]                     # the rest: high band of either axis
    b = inner[inner.shape[0] - w:, :].sum() + inner[:inner.shape[0] - w, inner.shape[1] - w:].sum()
    return a, b


@SETTINGS
@given(problems())
def test_correction_terms_against_brute_force_frame(prob):
    x, k1, k2, p, nd = prob
    a, b = cs.correction_terms(x, k1, k2, p, ndim_arg(x, nd))
    a_ref, b_ref = brute_force_frame(x, k1, k2, p, nd)
    assert close(a, a_ref) and close(b, b_ref)
    # A + B is exactly what the P-padded maps lack compared to the full maps (Eq. 16)
    full = cs.fm_inner(x, k1, k2, "full", ndim_arg(x, nd))
    assert close(a + b, full - cs.fm_inner(x, k1, k2, p, ndim_arg(x, nd)))


@SETTINGS
@given(problems())
def test_correction_terms_vanish_at_full_padding(prob):
    x, k1, k2, _, nd = prob
    n = k1.shape[-1]
    a, b = cs.correction_terms(x, k1, k2, n - 1, ndim_arg(x, nd))
    assert a == 0.0 and b == 0.0
    assert cs.correction_terms(x, k1, k2, "full", ndim_arg(x, nd)) == (0.0, 0.0)
    if nd == 1:
        assert cs.correction_terms_literal(x, k1, k2, n - 1) == (0.0, 0.0)


def test_correction_term_count_matches_paper():
    """Below Eq. 19: A and B each have N·N·(N−P−1) terms (1-D, one channel)."""
    for n in (3, 4):
        for p in range(n):
            count_a = sum(len(range(n1 + 1 - n, n1 - p)) for n1 in range(n) for _ in range(n))
            count_b = sum(len(range(7 - n + p + n1 + 1, 7 + n1)) for n1 in range(n) for _ in range(n))
            assert count_a == count_b == n * n * (n - p - 1)


# ---------------------------------------------------------------------------------------------
# L_CS (Eq. 8–10)
# ---------------------------------------------------------------------------------------------

VARIANTS = [("all", "all"), ("all", "same"), ("adjacent", "all"), ("adjacent", "same")]


@st.composite
def kernel_sets(draw, max_s=5):
    nd = draw(st.sampled_from([1, 2]))
    s = draw(st.integers(1, max_s))
    c = draw(st.integers(1, 3))
    n = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (s, c) + (n,) * nd)


def loss_scale(k):
    """Rounding scale of the linear-cost form: Σ_i ‖R_i‖² ≤ (Σ_i ‖K_i‖²)²."""
    return float(np.sum(k * k) ** 2)


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@SETTINGS
@given(k=kernel_sets())
def test_convsim_loss_linear_form_equals_pairwise(k, pairs, channels):
    fast = cs.convsim_loss(k, pairs, channels)
    slow = cs.convsim_loss_pairwise(k, pairs, channels)
    assert isinstance(fast, float) and isinstance(slow, float)
    assert close(fast, slow, loss_scale(k))
    assert fast >= 0.0


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@pytest.mark.parametrize("shape", [(4, 3, 3), (4, 2, 3, 3), (3, 3, 2, 2), (5, 1, 5)])
def test_convsim_loss_fixed_cases_1d_and_2d(shape, pairs, channels):
    k = np.random.default_rng(sum(shape)).normal(size=shape)
    assert close(cs.convsim_loss(k, pairs, channels), cs.convsim_loss_pairwise(k, pairs, channels),
                 loss_scale(k))


@SETTINGS
@given(k=kernel_sets())
def test_eq9_is_twice_eq10(k):
    assert close(cs.convsim_loss_eq9(k), 2.0 * cs.convsim_loss(k), loss_scale(k))
    assert close(cs.convsim_loss_eq9(k), 2.0 * cs.convsim_loss_pairwise(k), loss_scale(k))


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@pytest.mark.parametrize("shape", [(1, 3, 3), (1, 2, 3, 3)])
def test_single_kernel_gives_zero(shape, pairs, channels):
    k = np.ones(shape)
    assert cs.convsim_loss(k, pairs, channels) == 0.0
    assert cs.convsim_loss_pairwise(k, pairs, channels) == 0.0
    assert isinstance(cs.convsim_loss(k, pairs, channels), float)
    np.testing.assert_array_equal(cs.convsim_loss_grad(k, pairs, channels), np.zeros(shape))


@SETTINGS
@given(k=kernel_sets(), seed=st.integers(0, 2**32 - 1))
def test_convsim_loss_symmetries(k, seed):
    """All pairs: any permutation of the S kernels; any variant: a permutation of channels,
    reversing the kernel order, and the sign of any kernel leave L_CS unchanged."""
    rng = np.random.default_rng(seed)
    scale = loss_scale(k)
    perm_s = rng.permutation(k.shape[0])
    assert close(cs.convsim_loss(k), cs.convsim_loss(k[perm_s]), scale)
    perm_c = rng.permutation(k.shape[1])
    signs = rng.choice([-1.0, 1.0], size=(k.shape[0],) + (1,) * (k.ndim - 1))
    for pairs, channels in VARIANTS:
        ref = cs.convsim_loss(k, pairs, channels)
        assert close(ref, cs.convsim_loss(k[:, perm_c], pairs, channels), scale)
        assert close(ref, cs.convsim_loss(k[::-1], pairs, channels), scale)
        assert close(ref, cs.convsim_loss(signs * k, pairs, channels), scale)


@pytest.mark.parametrize("nd", [1, 2])
def test_swapping_two_kernels_is_symmetric(nd):
    """Σ_n (K1⊛K2)[n]² = Σ_n (K2⊛K1)[n]² (S = 2: every variant is one pair)."""
    k = np.random.default_rng(nd).normal(size=(2, 2) + (3,) * nd)
    for pairs, channels in VARIANTS:
        assert close(cs.convsim_loss(k, pairs, channels), cs.convsim_loss(k[::-1], pairs, channels))


def test_convsim_loss_by_hand():
    """Eq. 8 for S = 2, C = 1: K1 = [1, 0], K2 = [0, 1] are orthogonal, yet (K1⊛K2)[1] = 1."""
    k = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])
    assert cs.convsim_loss(k) == 1.0
    assert cs.convsim_loss_pairwise(k) == 1.0
    # K1 = [1, 2], K2 = [3, 4]: K1⊛K2 on lags −1, 0, 1 = [2·3, 1·3 + 2·4, 1·4] = [6, 11, 4]
    k = np.array([[[1.0, 2.0]], [[3.0, 4.0]]])
    assert cs.convsim_loss(k) == 36.0 + 121.0 + 16.0
    # three kernels, adjacent pairs skip (0, 2): L_adj = L(0,1) + L(1,2)
    k3 = np.array([[[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 1.0]]])
    l01, l12, l02 = 1.0, 1.0 + 1.0 + 0.0, 1.0 + 1.0
    assert cs.convsim_loss(k3, "adjacent") == l01 + l12
    assert cs.convsim_loss(k3, "all") == l01 + l12 + l02


def test_official_flattened_variant_is_1d_on_reshaped_kernels():
    """The official ConvSim works on kernels flattened to N·N taps: a 1-D L_CS of the reshape."""
    k = np.random.default_rng(3).normal(size=(4, 2, 3, 3))
    flat = k.reshape(4, 2, 9)
    got = cs.convsim_loss(flat, "adjacent", "same")
    ref = sum(float(np.sum(cs.kernel_correlation(flat[i, c], flat[i + 1, c]) ** 2))
              for i in range(3) for c in range(2))
    assert close(got, ref, loss_scale(k))
    assert not close(got, cs.convsim_loss(k, "adjacent", "same"), loss_scale(k))


def test_convsim_loss_large_layer_is_linear_in_memory():
    """(256, 256, 3, 3): no S²·C² array (that would be 4.3e9 lags·pairs); peak memory stays
    within a few copies of the (S, C, 5, 5) autocorrelations."""
    k = np.random.default_rng(0).normal(size=(256, 256, 3, 3))
    tracemalloc.start()
    try:
        for pairs, channels in VARIANTS:
            value = cs.convsim_loss(k, pairs, channels)
            assert np.isfinite(value) and value > 0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    autocorr_bytes = 256 * 256 * 25 * 8
    assert peak < 4 * autocorr_bytes


# ---------------------------------------------------------------------------------------------
# Gradient and Hessian
# ---------------------------------------------------------------------------------------------

def fd_gradient(f, k, h=1e-6):
    g = np.zeros_like(k)
    for idx in np.ndindex(k.shape):
        kp, km = k.copy(), k.copy()
        kp[idx] += h
        km[idx] -= h
        g[idx] = (f(kp) - f(km)) / (2 * h)
    return g


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@settings(max_examples=10, deadline=None)
@given(k=kernel_sets(max_s=3))
def test_grad_matches_central_finite_differences(k, pairs, channels):
    g = cs.convsim_loss_grad(k, pairs, channels)
    assert g.shape == k.shape
    fd = fd_gradient(lambda q: cs.convsim_loss(q, pairs, channels), k)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(g).max()))


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@pytest.mark.parametrize("shape", [(3, 2, 2), (3, 2, 2, 2), (2, 1, 3)])
def test_hessian_matches_finite_differences_of_grad(shape, pairs, channels):
    k = np.random.default_rng(len(shape)).normal(size=shape)
    h = cs.convsim_loss_hessian(k, pairs, channels)
    assert h.shape == (k.size, k.size)
    np.testing.assert_allclose(h, h.T, rtol=0, atol=1e-12 * np.abs(h).max())
    step = 1e-6
    fd = np.zeros_like(h)
    for col in range(k.size):
        e = np.zeros(k.size)
        e[col] = step
        gp = cs.convsim_loss_grad(k + e.reshape(shape), pairs, channels).ravel()
        gm = cs.convsim_loss_grad(k - e.reshape(shape), pairs, channels).ravel()
        fd[:, col] = (gp - gm) / (2 * step)
    np.testing.assert_allclose(h, fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(h).max()))
    # L is homogeneous of degree 4: Kᵀ H K = 4·3·L (Euler), an exact relation
    kv = k.ravel()
    assert close(float(kv @ h @ kv), 12.0 * cs.convsim_loss(k, pairs, channels), loss_scale(k))


def test_hessian_shows_l_cs_is_not_convex():
    """S = 2, C = 1, N = 1: L = (k1·k2)², Hessian at (1, 1) = [[2, 4], [4, 2]], eigenvalues 6, −2."""
    k = np.array([[[1.0]], [[1.0]]])
    h = cs.convsim_loss_hessian(k)
    np.testing.assert_allclose(h, [[2.0, 4.0], [4.0, 2.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.linalg.eigvalsh(h), [-2.0, 6.0], rtol=0, atol=1e-14)


def test_hessian_refuses_large_problems():
    with pytest.raises(ValueError, match="exceeds"):
        cs.convsim_loss_hessian(np.ones((64, 8, 3, 3)))


# ---------------------------------------------------------------------------------------------
# Bad input → ValueError with a helpful message
# ---------------------------------------------------------------------------------------------

X1, K1 = np.ones(6), np.ones(3)
X2, K2 = np.ones((6, 6)), np.ones((3, 3))

BAD_XCORR = [
    pytest.param(dict(x=np.ones((2, 2, 6)), k=np.ones((2, 2, 3))), "ndim=None", id="3 axes, ndim None"),
    pytest.param(dict(x=X1, k=K1, ndim=3), "ndim must be 1 or 2", id="ndim 3"),
    pytest.param(dict(x=X1, k=K1, ndim=True), "must be an int", id="ndim bool"),
    pytest.param(dict(x=X1, k=K1, ndim=1.0), "must be an int", id="ndim float"),
    pytest.param(dict(x=np.ones((2, 6)), k=np.ones((3, 3)), ndim=1), "channel counts differ",
                 id="channel mismatch"),
    pytest.param(dict(x=X2, k=K1), "as many axes", id="kernel axes"),
    pytest.param(dict(x=X2, k=np.ones((3, 2))), "square", id="non-square 2-D kernel"),
    pytest.param(dict(x=np.ones(2), k=np.ones(5), padding="valid"), "empty", id="empty output"),
    pytest.param(dict(x=np.ones(2), k=np.ones(6), padding=1), "empty", id="empty output int P"),
    pytest.param(dict(x=X1, k=K1, padding=3), "0 <= P <= N-1", id="P = N"),
    pytest.param(dict(x=X1, k=K1, padding=-1), "0 <= P <= N-1", id="P negative"),
    pytest.param(dict(x=X1, k=np.ones(4), padding="same"), "odd kernel size", id="same even N"),
    pytest.param(dict(x=X1, k=K1, padding=True), "padding must be", id="bool padding"),
    pytest.param(dict(x=X1, k=K1, padding=np.True_), "padding must be", id="numpy bool padding"),
    pytest.param(dict(x=X1, k=K1, padding=1.0), "padding must be", id="float padding"),
    pytest.param(dict(x=X1, k=K1, padding="circular"), "padding must be", id="unknown padding"),
    pytest.param(dict(x=np.array([1.0, np.nan, 2.0, 3.0]), k=K1), "NaN or inf", id="nan x"),
    pytest.param(dict(x=X1, k=np.array([1.0, np.inf, 0.0])), "NaN or inf", id="inf k"),
    pytest.param(dict(x=np.ones(6) + 1j, k=K1), "complex", id="complex x"),
    pytest.param(dict(x=np.ones(6, bool), k=K1), "bool", id="bool array x"),
    pytest.param(dict(x=np.ones(0), k=K1), "empty", id="empty x"),
    pytest.param(dict(x=[[1.0, 2.0], [3.0]], k=K1), "array", id="ragged x"),
    pytest.param(dict(x=["a", "b", "c"], k=K1), "real array", id="strings"),
]


@pytest.mark.parametrize("func", [cs.cross_correlate, cs.cross_correlate_numpy])
@pytest.mark.parametrize("kwargs,match", BAD_XCORR)
def test_cross_correlate_bad_input(func, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(**kwargs)


@pytest.mark.parametrize("func", [cs.fm_inner, cs.fm_inner_identity, cs.correction_terms])
@pytest.mark.parametrize("kwargs,match", [
    pytest.param(dict(x=X1, k1=K1, k2=np.ones(4), padding=0), "same shape", id="k1 k2 shapes"),
    pytest.param(dict(x=X1, k1=K1, k2=K1, padding=5), "0 <= P <= N-1", id="P too large"),
    pytest.param(dict(x=X1, k1=K1, k2=np.array([0, np.nan, 1]), padding=0), "NaN", id="nan k2"),
    pytest.param(dict(x=X2, k1=K2, k2=K2, padding=False), "padding must be", id="bool padding"),
    pytest.param(dict(x=np.ones((2, 6)), k1=np.ones((3, 3)), k2=np.ones((3, 3)), padding=0,
                      ndim=1), "channel counts differ", id="channels"),
])
def test_pair_functions_bad_input(func, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(**kwargs)


def test_fm_inner_eq20_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        cs.fm_inner_eq20(X1, K1, np.ones(2))


LOSSES = [cs.convsim_loss, cs.convsim_loss_pairwise, cs.convsim_loss_grad, cs.convsim_loss_hessian]


@pytest.mark.parametrize("func", LOSSES)
@pytest.mark.parametrize("args,match", [
    pytest.param((np.ones((2, 3)),), "shape", id="2 axes"),
    pytest.param((np.ones((2, 1, 3, 3, 3)),), "shape", id="5 axes"),
    pytest.param((np.ones((2, 1, 3, 2)),), "square", id="non-square"),
    pytest.param((np.full((2, 1, 3), np.nan),), "NaN", id="nan"),
    pytest.param((np.ones((2, 1, 3)), "neighbours"), "pairs must be", id="unknown pairs"),
    pytest.param((np.ones((2, 1, 3)), "all", "diagonal"), "channels must be", id="unknown channels"),
    pytest.param((np.ones((2, 1, 3)), True), "pairs must be", id="bool pairs"),
])
def test_loss_bad_input(func, args, match):
    with pytest.raises(ValueError, match=match):
        func(*args)


def test_eq9_bad_input():
    with pytest.raises(ValueError, match="shape"):
        cs.convsim_loss_eq9(np.ones(3))


# ---------------------------------------------------------------------------------------------
# Output types
# ---------------------------------------------------------------------------------------------

def test_scalars_are_python_floats():
    x, k1, k2 = make_problem(0, 2, 2, 3, 5)
    for value in (cs.fm_inner(x, k1, k2, 1, 2), cs.fm_inner_identity(x, k1, k2, 1, 2),
                  cs.fm_inner_eq20(x, k1, k2, 2), *cs.correction_terms(x, k1, k2, "valid", 2),
                  *cs.correction_terms_literal(x[0, 0], k1[0, 0], k2[0, 0], 0),
                  cs.convsim_loss(np.ones((2, 1, 2))), cs.convsim_loss_eq9(np.ones((2, 1, 2)))):
        assert type(value) is float
    out = cs.cross_correlate(x, k1, "same", 2)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == (5, 5)


# ---------------------------------------------------------------------------------------------
# Functions behind the suite's claims (issue 11): Eq. 17–19 literal, Eq. 1a, Parseval, Eq. 7 minima
# ---------------------------------------------------------------------------------------------

def test_eq17_18_literal_check_every_p():
    rng = np.random.default_rng(5)
    for n, m in ((3, 10), (4, 9), (6, 15)):
        x, k1, k2 = rng.uniform(0, 1, m), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
        for p in range(n):
            r = cs.eq17_18_literal_check(x, k1, k2, p)
            assert r["rel_error_eq19"] <= 1e-13
            a, b = cs.correction_terms(x, k1, k2, p)
            assert r["A"] == pytest.approx(a, rel=1e-12, abs=1e-13) and r["B"] == pytest.approx(b, rel=1e-12, abs=1e-13)
            # the counterfactual (B left out) fails exactly when B != 0
            assert (r["rel_error_without_B"] > 1e-10) == (abs(b) > 1e-10)


def test_eq19_relative_error_and_eq20_errors():
    rng = np.random.default_rng(6)
    x, k1, k2 = rng.uniform(0, 1, 12), rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4)
    errs = cs.eq20_relative_errors(x, k1, k2)
    assert errs.shape == (4,) and errs[-1] <= 1e-14 and errs[0] > 1e-3
    for p in range(4):
        assert cs.eq19_relative_error(x, k1, k2, p) <= 1e-14
        assert cs.eq19_relative_error(x, k1, k2, p, corrections=False) == pytest.approx(errs[p], abs=1e-14)


def test_autocorrelation_identity_sides_1d_2d():
    rng = np.random.default_rng(7)
    for shape in ((1,), (3,), (7,), (3, 3), (4, 4)):
        a, b = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
        left, right = cs.autocorrelation_identity_sides(a, b)
        brute = float(np.sum(cs.kernel_correlation(a, b) ** 2))
        assert left == pytest.approx(brute, rel=1e-13) and right == pytest.approx(left, rel=1e-12)
    # by hand: a = (1, 2), b = (3, 1): a⊛b = (a0 b1, a0 b0 + a1 b1, a1 b0) = (1, 5, 6) → 62
    left, right = cs.autocorrelation_identity_sides([1.0, 2.0], [3.0, 1.0])
    assert left == 62.0 and right == pytest.approx(62.0)


def test_convolution_eq1a_by_hand_and_reversal():
    assert np.allclose(cs.convolve_eq1a([1.0, 2.0, 3.0], [1.0, -1.0]), [1.0, 1.0, 1.0, -3.0])
    assert np.allclose(cs.convolve_eq1a([1.0, 2.0, 3.0], [1.0, -1.0]), np.convolve([1.0, 2.0, 3.0], [1.0, -1.0]))
    rng = np.random.default_rng(8)
    x, k1, k2 = rng.uniform(0, 1, 11), rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4)
    conv = cs.fm_inner_convolution(x, k1, k2)
    assert conv == pytest.approx(cs.fm_inner(x, k1[::-1], k2[::-1], "full"), rel=1e-12)
    assert conv == pytest.approx(cs.fm_inner(x, k1, k2, "full"), rel=1e-12)
    assert abs(conv - cs.fm_inner(x, k1[::-1], k2, "full")) > 1e-6   # one kernel reversed: different
    with pytest.raises(ValueError, match="1-D"):
        cs.convolve_eq1a(np.ones((2, 2)), np.ones(2))


def test_fm_inner_parseval_equals_eq3():
    rng = np.random.default_rng(9)
    for n, m in ((1, 5), (3, 10), (8, 9)):
        x, k1, k2 = rng.uniform(0, 1, m), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
        assert cs.fm_inner_parseval(x, k1, k2) == pytest.approx(cs.fm_inner(x, k1, k2, "full"), rel=1e-11, abs=1e-12)


def test_min_convsim_ratio_converges_and_embeds():
    """Alternating eigen-solves: N = 3 → 1/9 (a derivation: no non-zero pair does better); the
    zero-padded shorter optimum makes min over N = 16 ≤ min over N = 9 (the embedding)."""
    rng = np.random.default_rng(0)
    r3 = cs.min_convsim_ratio(3, rng, restarts=5, iters=500)
    assert r3["ratio"] == pytest.approx(1 / 9, rel=1e-6)
    r9 = cs.min_convsim_ratio(9, rng, restarts=3, iters=500,
                              init=(np.pad(r3["k1"], (0, 6)), np.pad(r3["k2"], (0, 6))))
    r16 = cs.min_convsim_ratio(16, rng, restarts=3, iters=500,
                               init=(np.pad(r9["k1"], (0, 7)), np.pad(r9["k2"], (0, 7))))
    assert r16["ratio"] <= r9["ratio"] <= r3["ratio"]
    assert r9["ratio"] < 1e-5
    for r in (r3, r9, r16):   # unit kernels, and the reported ratio is the kernels' ratio
        assert np.linalg.norm(r["k1"]) == pytest.approx(1.0) and np.linalg.norm(r["k2"]) == pytest.approx(1.0)
        assert cs.pair_convsim_ratio(r["k1"], r["k2"]) == pytest.approx(r["ratio"], rel=1e-9, abs=1e-15)
    # scale-free: the ratio does not change when the kernels are scaled
    assert cs.pair_convsim_ratio(3 * r9["k1"], 0.1 * r9["k2"]) == pytest.approx(r9["ratio"], rel=1e-6, abs=1e-15)
    # an independent check at N = 3: BFGS on the ratio from random starts never goes below 1/9
    from scipy.optimize import minimize
    for _ in range(5):
        res = minimize(lambda z: cs.pair_convsim_ratio(z[:3], z[3:]), rng.standard_normal(6), method="BFGS")
        assert res.fun >= 1 / 9 - 1e-7
    with pytest.raises(ValueError, match="init"):
        cs.min_convsim_ratio(4, rng, init=(np.ones(3), np.ones(3)))
