"""analysis.collapse: simplex ETF (Def. 1, Thm 1) and the NC1–NC4 metrics.

Tolerances: an ETF built from a QR factor has Gram entries exact to a few ulps of 1, so 1e−12;
the dyadic ETF e_c − 1/4 (k = 4) is exact in binary, so its metrics are compared with == 0.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from analysis import collapse as C

SETTINGS = settings(max_examples=25, deadline=None)


@pytest.mark.parametrize("k,d", [(2, 1), (3, 2), (4, 3), (4, 4), (5, 9), (10, 9), (10, 10), (10, 32)])
@pytest.mark.parametrize("seed", [0, 7])
def test_simplex_etf_gram(k, d, seed):
    M = C.simplex_etf(k, d, seed=seed)
    assert M.shape == (d, k)
    np.testing.assert_allclose(M.T @ M, C.etf_gram(k), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(M, axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(M.sum(axis=1), 0.0, atol=1e-12)


def test_simplex_etf_seed_picks_rotation():
    assert not np.allclose(C.simplex_etf(4, 6, seed=0), C.simplex_etf(4, 6, seed=1))
    np.testing.assert_array_equal(C.simplex_etf(4, 6, seed=3), C.simplex_etf(4, 6, seed=3))


def test_simplex_etf_default_d_and_errors():
    assert C.simplex_etf(5).shape == (5, 5)
    with pytest.raises(ValueError, match="d ≥ k−1"):
        C.simplex_etf(5, 3)
    with pytest.raises(ValueError, match="int"):
        C.simplex_etf(True)
    with pytest.raises(ValueError, match="≥ 2"):
        C.simplex_etf(1)


def exact_collapse(k=4, per_class=3):
    mu = np.eye(k) - 1.0 / k  # dyadic for k = 4: exact in binary
    H = np.repeat(mu, per_class, axis=0)
    y = np.repeat(np.arange(k), per_class)
    return H, y, mu


@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("global_mean", ["class_means", "samples"])
@pytest.mark.parametrize("nc3", ["distance", "cosine"])
def test_exact_collapse_is_exactly_zero(k, global_mean, nc3):
    H, y, mu = exact_collapse(k)
    m = C.nc_metrics(H, y, mu, global_mean=global_mean, nc3=nc3)
    for key in ("nc1", "nc2_equinorm", "nc2_equiangle", "nc3", "nc4"):
        assert m[key] == 0.0, (key, m[key])


@pytest.mark.parametrize("k,d", [(3, 2), (5, 7), (10, 12)])
def test_rotated_collapse_is_zero_to_rounding(k, d):
    M = C.simplex_etf(k, d, seed=k).T * 3.0 + 5.0  # shifted: μ_G = 5·1
    H = np.repeat(M, 4, axis=0)
    y = np.repeat(np.arange(k), 4)
    W = 2.0 * (M - M.mean(axis=0))
    b = -W @ M.mean(axis=0)
    m = C.nc_metrics(H, y, W, b)
    for key in ("nc1", "nc2_equinorm", "nc2_equiangle", "nc3", "nc4"):
        assert abs(m[key]) < 1e-12, (key, m[key])


def noisy(seed, n=40, d=6, k=4):
    rng = np.random.default_rng(seed)
    mu = 3 * rng.standard_normal((k, d))
    y = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    H = mu[y] + rng.standard_normal((n, d))
    W = rng.standard_normal((k, d))
    b = rng.standard_normal(k)
    return H, y, W, b


@SETTINGS
@given(st.integers(0, 10_000))
def test_rotation_invariance(seed):
    H, y, W, b = noisy(seed)
    Q, _ = np.linalg.qr(np.random.default_rng(seed + 1).standard_normal((6, 6)))
    a = C.nc_metrics(H, y, W, b)
    r = C.nc_metrics(H @ Q, y, W @ Q, b)
    for key in ("nc1", "nc2_equinorm", "nc2_equiangle", "nc3", "nc4"):
        assert r[key] == pytest.approx(a[key], rel=1e-8, abs=1e-10), key


@SETTINGS
@given(st.integers(0, 10_000), st.floats(0.01, 100.0))
def test_scale_invariance(seed, c):
    H, y, W, b = noisy(seed)
    a = C.nc_metrics(H, y, W, b)
    s = C.nc_metrics(c * H, y, W / c, b)
    for key in ("nc1", "nc2_equinorm", "nc2_equiangle", "nc3", "nc4"):
        assert s[key] == pytest.approx(a[key], rel=1e-8, abs=1e-10), key


@SETTINGS
@given(st.integers(0, 10_000))
def test_nc1_two_implementations(seed):
    H, y, W, b = noisy(seed, d=9)
    mu, _, _ = C.class_means(H, y)
    R = H - mu[y]
    sw = R.T @ R / len(y)
    M = mu - mu.mean(axis=0)
    sb = M.T @ M / mu.shape[0]
    assert C.nc1_trace(sw, sb, 4) == pytest.approx(C.nc1_trace_pinv(sw, sb, 4), rel=1e-10)
    # for d = k−1 Σ_B is invertible and the plain inverse agrees
    H2, y2, _, _ = noisy(seed, d=3)
    mu2, _, _ = C.class_means(H2, y2)
    R2 = H2 - mu2[y2]
    sw2 = R2.T @ R2 / len(y2)
    M2 = mu2 - mu2.mean(axis=0)
    sb2 = M2.T @ M2 / 4
    assert C.nc1_trace(sw2, sb2, 4) == pytest.approx(np.trace(sw2 @ np.linalg.inv(sb2)), rel=1e-8)


def test_options_change_conventions():
    H, y, W, b = noisy(3)
    y = y.copy()
    y[: 30] = 0  # unbalanced classes: the two global means differ
    a = C.nc_metrics(H, y, W)
    s = C.nc_metrics(H, y, W, global_mean="samples")
    assert a["nc2_equinorm"] != pytest.approx(s["nc2_equinorm"])
    assert C.nc_metrics(H, y, nc1_scale="none")["nc1"] == pytest.approx(4 * a["nc1"], rel=1e-12)
    assert np.isnan(C.nc_metrics(H, y)["nc3"]) and np.isnan(C.nc_metrics(H, y)["nc4"])


def test_bad_inputs():
    H, y, W, b = noisy(0)
    with pytest.raises(ValueError, match="none"):
        C.nc_metrics(H, np.where(y == 2, 3, y))  # class 2 has no sample
    with pytest.raises(ValueError, match="≥ 0"):
        C.nc_metrics(H, np.where(y == 0, -1, y))
    with pytest.raises(ValueError, match="integers"):
        C.nc_metrics(H, y.astype(float))
    with pytest.raises(ValueError, match="non-finite"):
        H2 = H.copy()
        H2[0, 0] = np.nan
        C.nc_metrics(H2, y)
    with pytest.raises(ValueError, match="shape"):
        C.nc_metrics(H, y, W[:, :3])
    with pytest.raises(ValueError, match="global_mean"):
        C.nc_metrics(H, y, global_mean="median")


# ----------------------------------------------------------------------------- Thm 1: maximal separation

@pytest.mark.parametrize("k", [2, 3, 4, 10, 50])
def test_equiangular_gram_eigenvalues(k):
    for c in (-1.0 / (k - 1), 0.0, 0.3):
        lam = np.sort(np.linalg.eigvalsh(C.equiangular_gram(k, c)))
        expected = np.sort([1 - c] * (k - 1) + [1 + (k - 1) * c])
        np.testing.assert_allclose(lam, expected, atol=1e-12)


@pytest.mark.parametrize("k", [2, 3, 4, 10, 100])
def test_most_negative_equiangular_cosine(k):
    for d in (k - 1, k, k + 5):
        assert abs(C.most_negative_equiangular_cosine(k, d) + 1.0 / (k - 1)) <= 1e-10
    if k >= 3:
        assert C.most_negative_equiangular_cosine(k, k - 2) == 1.0  # no equiangular set fits
    # the simplex ETF attains the bound (an independent check: its Gram matrix)
    M = C.simplex_etf(k, k - 1, seed=0)
    off = (M.T @ M)[~np.eye(k, dtype=bool)]
    np.testing.assert_allclose(off, -1.0 / (k - 1), atol=1e-12)


def test_equiangular_gram_rejects_bad_cosine():
    with pytest.raises(ValueError):
        C.equiangular_gram(3, 1.5)


# ----------------------------------------------------------------------------- §2.2, collapse regimes

def test_layer_peeled_ce_reaches_a_self_dual_etf():
    H, W = C.layer_peeled_ce(3, 3, np.random.default_rng(0), steps=3000)
    m = C.nc_metrics(H, np.arange(3), W)
    assert max(m["nc2_equinorm"], m["nc2_equiangle"], m["nc3"]) < 1e-3
    H0, W0 = C.layer_peeled_ce(3, 3, np.random.default_rng(0), steps=0)
    assert C.nc_metrics(H0, np.arange(3), W0)["nc2_equiangle"] > 1e-2


def test_collapse_regime_without_noise_is_an_exact_collapse():
    r = C.collapse_regime(5, 6, 3, 4.0, 8.0, 0.0, np.random.default_rng(1))
    assert r["h_s"].shape == (15, 6) and r["w"].shape == (5, 6) and r["zt"].shape == (15, 5)
    m = C.nc_metrics(r["h_s"], r["y"], r["w"])
    assert max(m["nc1"], m["nc2_equinorm"], m["nc2_equiangle"], m["nc3"], m["nc4"]) < 1e-10
    np.testing.assert_allclose(r["zt"], 8.0 * C.etf_gram(5)[r["y"]], atol=1e-12)


# ----------------------------------------------------------------------------- convention map (issue 15 §4c)

def _noisy(k=5, d=12, per=(20,), seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    M = 3 * rng.standard_normal((k, d))
    counts = [per[c % len(per)] for c in range(k)]
    y = np.repeat(np.arange(k), counts)
    H = M[y] + scale * rng.standard_normal((len(y), d))
    W = M + 0.5 * rng.standard_normal((k, d))
    return H, y, W


@pytest.mark.parametrize("k,d", [(4, 4), (5, 12), (10, 32)])
def test_convention_factors_pinned(k, d):
    H, y, W = _noisy(k, d)
    m = C.nc_convention_map(H, y, W)
    f = m["factors"]
    assert f["balanced"] and f["expected_d_over_k"] == d / k
    assert f["rhubarbwu_nc1_over_papyan"] == pytest.approx(d / k, rel=1e-10)     # Σ_B / d instead of / k
    assert f["papyan_nc1_over_default"] == pytest.approx(1.0, rel=1e-10)         # balanced: same μ_G
    assert m["papyan_tding1"]["nc1"] == pytest.approx(m["default"]["nc1"], rel=1e-10)


def test_convention_map_imbalanced_papyan_differs_rhubarbwu_factor_stays():
    H, y, W = _noisy(5, 12, per=(10, 40))
    m = C.nc_convention_map(H, y, W)
    assert not m["factors"]["balanced"]
    assert abs(m["factors"]["papyan_nc1_over_default"] - 1) > 1e-3
    assert m["factors"]["rhubarbwu_nc1_over_papyan"] == pytest.approx(12 / 5, rel=1e-10)


@pytest.mark.parametrize("k,d", [(3, 3), (4, 7), (10, 10)])
def test_convention_map_all_zero_at_collapse(k, d):
    M = C.simplex_etf(k, d, seed=1).T * 2.0                     # (k, d) centred ETF rows
    y = np.repeat(np.arange(k), 3)
    H = M[y]                                                    # features = their class means
    m = C.nc_convention_map(H, y, 0.7 * M)
    for conv in ("default", "papyan_tding1"):
        for q, v in m[conv].items():
            assert v == pytest.approx(0.0, abs=1e-9), (conv, q)
    for q, v in m["rhubarbwu"].items():
        assert v == pytest.approx(0.0, abs=1e-9), q


def test_etf_structure_error_by_hand():
    k = 4
    ideal = (np.eye(k) - 1 / k) / np.sqrt(k - 1)
    A = C.simplex_etf(k, 6, seed=2).T
    assert C.etf_structure_error(A, A) == pytest.approx(0.0, abs=1e-12)
    B = np.eye(k, 6)
    S = B @ B.T / np.linalg.norm(B @ B.T)
    assert C.etf_structure_error(B, B) == pytest.approx(np.linalg.norm(S - ideal), rel=1e-12)
    with pytest.raises(ValueError):
        C.etf_structure_error(A, A[:, :3])


# --- the simplified model near collapse (issue 16 §4) ---------------------------------------------

@pytest.mark.parametrize("k", [2, 10, 100])
@pytest.mark.parametrize("p", [0.3, 0.8, 0.99])
def test_etf_logit_scale_gives_the_class_probability(k, p):
    a = C.etf_logit_scale(p, k)
    z = np.full(k, -a / (k - 1))
    z[0] = a
    q = np.exp(z - z.max())
    assert abs(q[0] / q.sum() - p) < 1e-12


def test_near_collapse_batch():
    rng = np.random.default_rng(0)
    b = C.near_collapse_batch(100, rng, 0.9, teacher_shift=1.0, within_noise=0.0, teacher_spread=0.0, n=200)
    assert b["h"].shape == (200, 100) and b["w"].shape == (100, 100) and b["zt"].shape == (200, 100)
    assert np.bincount(b["y"]).tolist() == [2] * 100
    np.testing.assert_allclose(b["w"] @ b["w"].T, C.etf_gram(100), atol=1e-12)
    z = b["h"] @ b["w"].T                                   # no noise: the ETF logit pattern at scale a_S
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(p[np.arange(200), b["y"]], 0.9, atol=1e-12)
    pt = np.exp(b["zt"] - b["zt"].max(1, keepdims=True))
    pt /= pt.sum(1, keepdims=True)
    logodds = lambda q: np.log(q / (1 - q))                 # noqa: E731
    np.testing.assert_allclose(logodds(pt[np.arange(200), b["y"]]), logodds(0.9) + 1.0, atol=1e-10)
    again = C.near_collapse_batch(100, np.random.default_rng(0), 0.9, 1.0, 0.0, 0.0, n=200)
    assert np.array_equal(again["h"], b["h"]) and np.array_equal(again["zt"], b["zt"])
    with pytest.raises(ValueError, match="p_target"):
        C.etf_logit_scale(1.0, 10)
