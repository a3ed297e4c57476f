"""analysis.distill: losses, hand-derived gradients, Eq. 6, and the Proposition 1–4 / Lemma 1 decompositions.

Tolerances: two float64 formulas of one quantity agree to ~1e−12 relative (rounding of a few
dozen operations); central finite differences with step 1e−6 have truncation error O(h²)·f‴
≈ 1e−12 and rounding error ε·|f|/h ≈ 1e−10·|f|, so they are compared at 1e−6 relative.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from analysis import distill as D

SETTINGS = settings(max_examples=25, deadline=None)
logit = st.floats(-20, 20, allow_nan=False, allow_infinity=False)
temps = st.sampled_from([0.5, 1.0, 2.0, 4.0])


def logits_pair(shape=(3, 4)):
    return st.tuples(arrays(np.float64, shape, elements=logit), arrays(np.float64, shape, elements=logit))


def fd_grad(f, x, h=1e-6):
    """Central finite-difference gradient of the scalar f at the array x."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        g[idx] = (f(xp) - f(xm)) / (2 * h)
    return g


def rand(shape, seed, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(shape)


# ----------------------------------------------------------------------------- Fig. 1(a)

def test_fig1a_same_softmax_different_binary_kl():
    a, b = np.array([2.0, 3.0, 4.0]), np.array([-2.0, -1.0, 0.0])
    np.testing.assert_allclose(D.softmax(a), D.softmax(b), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(np.round(D.softmax(a), 2), [0.09, 0.24, 0.67])
    assert D.kd_loss(a, b, 1.0) == pytest.approx(0.0, abs=1e-15)
    assert D.binary_kl(a, b, 1.0) > 1.0


# ----------------------------------------------------------------------------- two implementations agree

@SETTINGS
@given(logits_pair(), temps)
def test_binary_kl_two_forms_agree(pair, T):
    zs, zt = pair
    a = D.binary_kl(zs, zt, T, "none")
    b = D.binary_kl_reference(zs, zt, T, "none")
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12 * T * T)


@SETTINGS
@given(logits_pair(), temps)
def test_binary_kl_norm_closed_form(pair, T):
    zs, zt = pair
    np.testing.assert_allclose(D.binary_kl_norm(zs, zt, T, "none"),
                               D.binary_kl_norm_closed_form(zs, zt, T, "none"), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(logits_pair(), temps, st.floats(-30, 30))
def test_binary_kl_norm_depends_only_on_difference(pair, T, shift):
    zs, zt = pair
    assert D.binary_kl_norm(zs + shift, zt + shift, T) == pytest.approx(D.binary_kl_norm(zs, zt, T),
                                                                        rel=1e-9, abs=1e-9)


@SETTINGS
@given(logits_pair(), temps)
def test_losses_nonnegative_and_zero_at_optimum(pair, T):
    zs, zt = pair
    for f in (D.kd_loss, D.binary_kl, D.binary_kl_norm):
        assert f(zs, zt, T) >= 0.0
        assert f(zt, zt, T) == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize("f", [D.kd_loss, D.binary_kl, D.binary_kl_reference, D.binary_kl_norm,
                               D.binary_kl_norm_closed_form])
def test_reductions(f):
    zs, zt = rand((5, 3), 0, 3), rand((5, 3), 1, 3)
    total = f(zs, zt, 2.0, "sum")
    assert isinstance(total, float)
    assert f(zs, zt, 2.0, "batchmean") == pytest.approx(total / 5, rel=1e-14)
    assert np.sum(f(zs, zt, 2.0, "none")) == pytest.approx(total, rel=1e-14)


# ----------------------------------------------------------------------------- gradients vs finite differences

GRADS = [
    (D.kd_loss, D.kd_loss_grad),
    (D.binary_kl, D.binary_kl_grad),
    (D.binary_kl_norm, D.binary_kl_norm_grad),
]


@pytest.mark.parametrize("loss,grad", GRADS, ids=["kd", "binary_kl", "binary_kl_norm"])
@pytest.mark.parametrize("reduction", ["sum", "batchmean"])
@pytest.mark.parametrize("T", [0.7, 2.0])
def test_logit_gradients_finite_differences(loss, grad, reduction, T):
    zs, zt = rand((3, 4), 2, 2), rand((3, 4), 3, 2)
    num = fd_grad(lambda z: loss(z, zt, T, reduction), zs)
    np.testing.assert_allclose(grad(zs, zt, T, reduction), num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("T", [0.7, 2.0])
def test_teacher_gradients_finite_differences(T):
    zs, zt = rand((3, 4), 4, 2), rand((3, 4), 5, 2)
    num = fd_grad(lambda z: D.binary_kl(zs, z, T), zt)
    np.testing.assert_allclose(D.binary_kl_grad_teacher(zs, zt, T), num, rtol=1e-6, atol=1e-8)
    num = fd_grad(lambda z: D.binary_kl_norm(zs, z, T), zt)
    np.testing.assert_allclose(-D.binary_kl_norm_grad(zs, zt, T), num, rtol=1e-6, atol=1e-8)


def test_ce_gradient_finite_differences():
    z, y = rand((4, 3), 6, 2), np.array([0, 2, 1, 2])
    for red in ("sum", "batchmean"):
        num = fd_grad(lambda a: D.ce_loss(a, y, red), z)
        np.testing.assert_allclose(D.ce_grad(z, y, red), num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("T", [0.5, 2.0, 5.0])
def test_curvatures_finite_differences(T):
    zs, zt = rand((2, 3), 7, 3), rand((2, 3), 8, 3)
    h = 1e-5
    num = (D.binary_kl_grad(zs + h, zt, T) - D.binary_kl_grad(zs - h, zt, T)) / (2 * h)
    np.testing.assert_allclose(D.binary_kl_curvature(zs, zt, T), num, rtol=1e-6)
    num = (D.binary_kl_norm_grad(zs + h, zt, T) - D.binary_kl_norm_grad(zs - h, zt, T)) / (2 * h)
    np.testing.assert_allclose(D.binary_kl_norm_curvature(zs, zt, T), num, rtol=1e-6)


@SETTINGS
@given(st.floats(-15, 15), st.floats(-15, 15), temps, st.floats(-3, 3))
def test_norm_gradient_independent_of_teacher_logit(t1, t2, T, delta):
    """§3.3: at zs = zt + δ the BinaryKL-Norm gradient is the same for every teacher logit."""
    g1 = D.binary_kl_norm_grad(np.array([t1 + delta]), np.array([t1]), T)
    g2 = D.binary_kl_norm_grad(np.array([t2 + delta]), np.array([t2]), T)
    np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-12)
    assert D.binary_kl_norm_curvature(np.array([t1]), np.array([t1]), T)[0] == 0.25


# ----------------------------------------------------------------------------- Eq. 6

vec = arrays(np.float64, 6, elements=st.floats(-10, 10))


@SETTINGS
@given(vec, vec)
def test_pcgrad_properties(gm, ga):
    out = D.pcgrad(gm, ga)
    scale = np.max(np.abs(gm))
    if scale == 0 or np.dot(ga, gm / scale) >= 0:  # conflict judged scale-free (tiny G_CE may underflow)
        np.testing.assert_array_equal(out, ga)
    else:
        u = gm / scale
        assert np.dot(out, u) == pytest.approx(0.0, abs=1e-9 * (1 + np.linalg.norm(ga) * np.linalg.norm(u)))
    u = gm / scale if scale > 0 else gm
    assert np.dot(out, u) >= -1e-9 * (1 + np.linalg.norm(ga) * np.linalg.norm(u))


@SETTINGS
@given(arrays(np.float64, (3, 4), elements=st.floats(-10, 10)),
       arrays(np.float64, (3, 4), elements=st.floats(-10, 10)))
def test_pcgrad_per_row_matches_rowwise(gm, ga):
    out = D.pcgrad_per_row(gm, ga)
    for k in range(3):
        np.testing.assert_allclose(out[k], D.pcgrad(gm[k], ga[k]), rtol=1e-12, atol=1e-12)


def test_pcgrad_per_row_differs_from_flattened():
    gm = np.array([[1.0, 0.0], [0.0, 1.0]])
    ga = np.array([[-1.0, 1.0], [0.0, 3.0]])  # row 0 conflicts, total does not
    assert np.dot(ga.ravel(), gm.ravel()) > 0
    np.testing.assert_array_equal(D.pcgrad(gm.ravel(), ga.ravel()), ga.ravel())
    np.testing.assert_allclose(D.pcgrad_per_row(gm, ga), [[0.0, 1.0], [0.0, 3.0]])


def test_pcgrad_zero_main_gradient():
    np.testing.assert_array_equal(D.pcgrad(np.zeros(3), np.array([1.0, -2.0, 3.0])), [1.0, -2.0, 3.0])


# ----------------------------------------------------------------------------- Propositions 1–4, Lemma 1

def config(seed, n=7, d=5, k=3, scale=1.0):
    rng = np.random.default_rng(seed)
    h = scale * rng.standard_normal((n, d))
    ht = scale * rng.standard_normal((n, d))
    w = rng.standard_normal((k, d))
    y = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    zt = 2 * rng.standard_normal((n, k))
    return h, ht, w, y, zt


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prop1_ce_decomposition(seed):
    h, ht, w, y, zt = config(seed)
    pull, push = D.ce_w_pull_push(h, y, w)
    num = fd_grad(lambda W: D.ce_loss(h @ W.T, y), w)
    np.testing.assert_allclose(pull + push, -num, rtol=1e-6, atol=1e-8)
    pull_h, push_h = D.ce_h_pull_push(h, y, w)
    num = fd_grad(lambda H: D.ce_loss(H @ w.T, y), h)
    np.testing.assert_allclose(pull_h + push_h, -num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("tau", [1.0, 2.0])
def test_prop1_binary_kl_both_readings(seed, tau):
    h, ht, w, y, zt = config(seed)
    # reading "logits": teacher logits constant -> Prop 1 as printed is the gradient
    pull, push = D.binary_kl_w_pull_push(h, y, w, tau, zt=zt)
    num = fd_grad(lambda W: D.binary_kl(h @ W.T, zt, tau), w)
    np.testing.assert_allclose(pull + push, -num, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(D.binary_kl_w_neg_grad(h, w, tau, zt=zt), -num, rtol=1e-6, atol=1e-8)
    # reading "features": teacher logit h_t^T w_k -> the printed terms miss the teacher path
    pull, push = D.binary_kl_w_pull_push(h, y, w, tau, h_t=ht)
    num = fd_grad(lambda W: D.binary_kl(h @ W.T, ht @ W.T, tau), w)
    np.testing.assert_allclose(D.binary_kl_w_neg_grad(h, w, tau, h_t=ht), -num, rtol=1e-6, atol=1e-8)
    assert np.max(np.abs(pull + push + num)) > 1e-3


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("reading", ["logits", "features"])
def test_prop2_and_prop4_feature_gradients(seed, reading):
    h, ht, w, y, zt = config(seed)
    tau = 2.0
    kw = {"zt": zt} if reading == "logits" else {"h_t": ht}
    Zt = zt if reading == "logits" else ht @ w.T
    pull, push = D.binary_kl_h_pull_push(h, y, w, tau, **kw)
    num = fd_grad(lambda H: D.binary_kl(H @ w.T, Zt, tau), h)
    np.testing.assert_allclose(pull + push, -num, rtol=1e-6, atol=1e-8)
    pull, push = D.binary_kl_norm_h_pull_push(h, y, w, tau, **kw)
    num = fd_grad(lambda H: D.binary_kl_norm(H @ w.T, Zt, tau), h)
    np.testing.assert_allclose(pull + push, -num, rtol=1e-6, atol=1e-8)
    # Eq. 22's printed push (no minus sign) does not sum to the gradient
    assert np.max(np.abs(pull - push + num)) > 1e-3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prop3_obstacle_reading(seed):
    h, ht, w, y, zt = config(seed)
    tau = 2.0
    obstacle = D.binary_kl_norm_w_obstacle(h, ht, w, tau)
    num_features = fd_grad(lambda W: D.binary_kl_norm(h @ W.T, ht @ W.T, tau), w)
    np.testing.assert_allclose(obstacle, -num_features, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(D.binary_kl_norm_w_neg_grad(h, w, tau, h_t=ht), -num_features, rtol=1e-6, atol=1e-8)
    Zt = ht @ w.T
    num_logits = fd_grad(lambda W: D.binary_kl_norm(h @ W.T, Zt, tau), w)
    np.testing.assert_allclose(D.binary_kl_norm_w_neg_grad(h, w, tau, zt=Zt), -num_logits, rtol=1e-6, atol=1e-8)
    assert np.max(np.abs(obstacle + num_logits)) > 1e-3


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from([0.5, 2.0, 4.0]))
def test_lemma1_sign(seed, tau):
    h, ht, w, y, zt = config(seed, scale=3.0)
    assert np.all(D.lemma1_products(h, ht, w, tau, reading="features") <= 0.0)


def test_lemma1_fails_under_logit_reading():
    vals = np.concatenate([D.lemma1_products(*config(s, n=20)[:3], 2.0, reading="logits").ravel()
                           for s in range(5)])
    assert np.any(vals > 0) and np.any(vals < 0)


# ----------------------------------------------------------------------------- Appendix C: MSE, Huber-like Norm

@pytest.mark.parametrize("reduction", ["sum", "batchmean"])
def test_mse_gradient_finite_differences(reduction):
    zs, zt = rand((4, 3), 1, 3.0), rand((4, 3), 2, 3.0)
    num = fd_grad(lambda z: D.mse_loss(z, zt, reduction), zs)
    np.testing.assert_allclose(D.mse_grad(zs, zt, reduction), num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("T", [0.5, 2.0, 4.0])
def test_binary_kl_norm_quadratic_and_linear_limits(T):
    """Eq. 5 literally (log-sigmoid form) against the two derived limits: u^2/8 near 0, T|u|/2 - T^2 log 2 far."""
    t = rand((50,), 3, 5.0)
    u_small = T * 1e-2 * np.linspace(0.1, 1, 50) * np.sign(rand((50,), 5))
    ratio = D.binary_kl_norm(t + u_small, t, T, "none") / D.binary_kl_norm_quadratic_limit(t + u_small, t)
    # truncation u^2/(24 T^2) <= 4.2e-6; rounding of Eq. 5's -log 2 - (log s + log s')/2 ~ 1e-16/1e-5
    assert np.max(np.abs(ratio - 1.0)) <= 1e-5
    u_big = T * np.linspace(40.0, 80.0, 50) * np.sign(rand((50,), 4))
    far = D.binary_kl_norm(t + u_big, t, T, "none")
    np.testing.assert_allclose(far, D.binary_kl_norm_linear_asymptote(t + u_big, t, T), rtol=1e-14)
    assert np.max(np.abs(D.binary_kl_norm_grad(t + u_big, t, T))) <= T / 2


def test_logit_loss_profile_tells_norm_from_mse_and_binary_kl():
    norm = D.logit_loss_profile(D.binary_kl_norm, D.binary_kl_norm_grad, 2.0)
    assert norm["near_ratio_max_dev"] < 1e-5 and norm["far_max_rel_dev"] < 1e-12
    assert norm["max_grad_over_half_T"] <= 1.0 + 1e-12
    mse = D.logit_loss_profile(lambda s, t, T, r: D.mse_loss(s, t, r), lambda s, t, T, r: D.mse_grad(s, t, r), 2.0)
    assert abs(mse["near_ratio_max_dev"] - 7.0) < 1e-9  # (u^2)/(u^2/8) = 8
    bkl = D.logit_loss_profile(D.binary_kl, D.binary_kl_grad, 2.0, teacher=4.0)
    assert bkl["near_ratio_max_dev"] > 0.1 and bkl["max_grad_over_half_T"] > 1.5


@pytest.mark.parametrize("seed", [0, 1])
def test_w_alignment_terms_sum_to_gradient_inner_products(seed):
    """Row sums of the per-sample terms = (-dL/dW_k).w_k from the chain-rule gradients (two implementations)."""
    h, ht, w, y, zt = config(seed, scale=2.0)
    tau = 2.0
    for reading, kw in (("logits", {"zt": ht @ w.T}), ("features", {"h_t": ht})):
        terms = D.w_alignment_terms(h, ht, w, "binary_kl_norm", tau, reading)
        g = D.binary_kl_norm_w_neg_grad(h, w, tau, **kw)
        np.testing.assert_allclose(terms.sum(axis=0), np.einsum("kd,kd->k", g, w), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(D.w_alignment_terms(h, ht, w, "binary_kl_norm", tau, "features"),
                               tau * D.lemma1_products(h, ht, w, tau, "features"), rtol=1e-12, atol=1e-14)
    # MSE: -dL/dW by finite differences with the teacher logits held constant
    Zt = ht @ w.T
    num = -fd_grad(lambda W: D.mse_loss(h @ W.T, Zt), w)
    np.testing.assert_allclose(D.w_alignment_terms(h, ht, w, "mse", tau, "logits").sum(axis=0),
                               np.einsum("kd,kd->k", num, w), rtol=1e-6, atol=1e-8)


def test_mse_and_binary_kl_norm_share_the_lemma1_sign_pattern():
    h, ht, w, y, zt = config(5, n=40, scale=2.0)
    for reading in ("logits", "features"):
        a = np.sign(D.w_alignment_terms(h, ht, w, "binary_kl_norm", 2.0, reading))
        for other in ("mse", "binary_kl"):
            assert np.array_equal(a, np.sign(D.w_alignment_terms(h, ht, w, other, 2.0, reading)))
    assert np.all(D.w_alignment_terms(h, ht, w, "mse", 2.0, "features") <= 0)
    kd = np.sign(D.w_alignment_terms(h, ht, w, "kd", 2.0, "logits"))
    assert not np.array_equal(kd, np.sign(D.w_alignment_terms(h, ht, w, "mse", 2.0, "logits")))
    with pytest.raises(ValueError):
        D.w_alignment_terms(h, ht, w, "l1", 2.0)


def test_coefficient_sign_conflicts_by_loops():
    rng = np.random.default_rng(3)
    zs, zt, y = 3 * rng.standard_normal((6, 4)), 3 * rng.standard_normal((6, 4)), np.array([0, 1, 2, 3, 0, 1])
    tau, alpha = 2.0, 0.7
    p = D.softmax(zs)
    pull = push = worst = 0
    for i in range(6):
        for k in range(4):
            c = tau * (1 / (1 + np.exp(-zt[i, k] / tau)) - 1 / (1 + np.exp(-zs[i, k] / tau)))
            ce = 1 - p[i, k] if k == y[i] else -p[i, k]
            opp = c < 0 if k == y[i] else c > 0
            pull += int(opp and k == y[i])
            push += int(opp and k != y[i])
            worst += int(opp and alpha * abs(c) > abs(ce))
    got = D.coefficient_sign_conflicts(zs, zt, y, tau, alpha)
    assert (got["pull_opposite"], got["push_opposite"], got["worst_case"]) == (pull, push, worst)
    assert (got["n_pull"], got["n_push"]) == (6, 18)
    own = np.eye(4)[y]
    margin = D.coefficient_sign_conflicts(zs, zs + 2 * own - 1, y, tau)
    assert margin["pull_opposite"] == margin["push_opposite"] == margin["worst_case"] == 0


# ----------------------------------------------------------------------------- Eq. 6 on the dual head

def test_dual_head_feature_gradients_finite_differences():
    h, ht, w, y, zt = config(6, scale=1.5)
    w2 = rand(w.shape, 7)
    g = D.dual_head_feature_gradients(h, y, w, w2, zt, 2.0, alpha=0.5)
    f_ce = lambda H, W: D.ce_loss(H @ W.T, y)  # noqa: E731
    f_aux = lambda H, W2: 0.5 * D.binary_kl_norm(H @ W2.T, zt, 2.0)  # noqa: E731
    np.testing.assert_allclose(g["ce"]["head"], fd_grad(lambda W: f_ce(h, W), w), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g["ce"]["features"], fd_grad(lambda H: f_ce(H, w), h), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g["aux"]["aux_head"], fd_grad(lambda W2: f_aux(h, W2), w2), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g["aux"]["features"], fd_grad(lambda H: f_aux(H, w2), h), rtol=1e-6, atol=1e-8)
    assert not np.any(g["ce"]["aux_head"]) and not np.any(g["aux"]["head"])


def test_gradient_alignment_flat_and_per_group():
    gm = {"head": rand((3, 2), 1), "aux_head": np.zeros((3, 2)), "features": rand((4, 2), 2)}
    ga = {"head": np.zeros((3, 2)), "aux_head": rand((3, 2), 3), "features": -3 * gm["features"] + rand((4, 2), 4)}
    flat = D.gradient_alignment(gm, ga, "flat")
    vm = np.concatenate([gm[k].ravel() for k in gm])
    va = np.concatenate([ga[k].ravel() for k in gm])
    assert flat["cosine"] < 0 and flat["coefficient"] < 0
    total = np.concatenate([flat["update"][k].ravel() for k in gm])
    np.testing.assert_allclose(total, vm + D.pcgrad(vm, va), rtol=1e-12)
    # head 1 receives (1 - s) * its CE gradient: a larger CE step
    np.testing.assert_allclose(flat["update"]["head"], (1 - flat["coefficient"]) * gm["head"], rtol=1e-12)
    # after projection the auxiliary part no longer conflicts with the main gradient
    assert np.dot(total - vm, vm) >= -1e-12 * np.dot(vm, vm)
    per = D.gradient_alignment(gm, ga, "per_group")
    np.testing.assert_allclose(per["update"]["head"], gm["head"], rtol=1e-12)
    assert per["coefficient"]["features"] < 0 and per["coefficient"]["head"] == 0.0
    same = D.gradient_alignment(gm, {k: 2 * v for k, v in gm.items()}, "flat")
    assert same["coefficient"] == 0.0
    with pytest.raises(ValueError):
        D.gradient_alignment(gm, ga, "rows")


# ----------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("T", [0.0, -1.0, float("nan"), float("inf"), True, "two"])
def test_bad_temperature(T):
    with pytest.raises(ValueError, match="temperature"):
        D.binary_kl(np.zeros(3), np.zeros(3), T)


@pytest.mark.parametrize("f", [D.kd_loss, D.binary_kl, D.binary_kl_norm])
def test_bad_logits(f):
    with pytest.raises(ValueError, match="non-finite"):
        f(np.array([0.0, np.nan]), np.zeros(2), 1.0)
    with pytest.raises(ValueError, match="same shape"):
        f(np.zeros((2, 3)), np.zeros((3, 2)), 1.0)
    with pytest.raises(ValueError, match="reduction"):
        f(np.zeros(2), np.zeros(2), 1.0, "mean")
    with pytest.raises(ValueError, match="bool"):
        f(np.array([True, False]), np.zeros(2), 1.0)


def test_bad_labels():
    with pytest.raises(ValueError, match="0..2"):
        D.ce_loss(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="shape"):
        D.ce_loss(np.zeros((2, 3)), [0, 1, 2])
    with pytest.raises(ValueError, match="exactly one"):
        D.binary_kl_w_pull_push(np.zeros((2, 3)), [0, 1], np.ones((2, 3)), 1.0)


def test_pcgrad_bad_shapes():
    with pytest.raises(ValueError, match="same shape"):
        D.pcgrad(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="1 dimensions"):
        D.pcgrad(np.zeros((2, 2)), np.zeros((2, 2)))


# ----------------------------------------------------------------------------- DKD (Zhao et al. 2022)

def _dkd_direct(zs, zt, y, alpha, beta, T):
    """DKD by loops from its definition (the official mdistiller form: masks, −1000 on the target)."""
    total = 0.0
    for s, t, c in zip(zs, zt, y):
        ps = np.exp(s / T - np.max(s / T)); ps /= ps.sum()
        pt = np.exp(t / T - np.max(t / T)); pt /= pt.sum()
        bs, bt = np.array([ps[c], 1 - ps[c]]), np.array([pt[c], 1 - pt[c]])
        tckd = float(np.sum(bt * (np.log(bt) - np.log(bs))))
        mask = np.zeros_like(s); mask[c] = 1000.0
        hs = np.exp(s / T - mask - np.max(s / T - mask)); hs /= hs.sum()
        ht = np.exp(t / T - mask - np.max(t / T - mask)); ht /= ht.sum()
        keep = np.arange(len(s)) != c
        nckd = float(np.sum(ht[keep] * (np.log(ht[keep]) - np.log(hs[keep]))))
        total += T * T * (alpha * tckd + beta * nckd)
    return total / len(y)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("alpha,beta,T", [(1.0, 8.0, 4.0), (1.0, 2.0, 4.0), (0.5, 6.0, 1.0)])
def test_dkd_matches_direct_formula(seed, alpha, beta, T):
    zs, zt = rand((6, 10), seed, 3.0), rand((6, 10), seed + 100, 3.0)
    y = np.random.default_rng(seed).integers(0, 10, 6)
    assert D.dkd_loss(zs, zt, y, alpha, beta, T) == pytest.approx(_dkd_direct(zs, zt, y, alpha, beta, T),
                                                                 rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_dkd_decomposes_kd(seed):
    """DKD's Eq. 2: KD = TCKD + (1 − p_t^T)·NCKD row by row; α = 1, β = 1 − p_t^T gives KD."""
    zs, zt = rand((8, 5), seed, 4.0), rand((8, 5), seed + 7, 4.0)
    y = np.random.default_rng(seed).integers(0, 5, 8)
    tckd, nckd = D.dkd_parts(zs, zt, y, 2.0)
    pt = D.softmax(zt, 2.0)[np.arange(8), y]
    np.testing.assert_allclose(D.kd_loss(zs, zt, 2.0, "none"), tckd + (1 - pt) * nckd, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["sum", "batchmean"])
@pytest.mark.parametrize("seed", range(3))
def test_dkd_gradient_finite_differences(reduction, seed):
    zs, zt = rand((4, 6), seed, 3.0), rand((4, 6), seed + 1, 3.0)
    y = np.random.default_rng(seed).integers(0, 6, 4)
    fd = fd_grad(lambda z: D.dkd_loss(z, zt, y, 1.0, 8.0, 4.0, reduction), zs)
    np.testing.assert_allclose(D.dkd_loss_grad(zs, zt, y, 1.0, 8.0, 4.0, reduction), fd, rtol=1e-6, atol=1e-8)


def test_dkd_zero_at_teacher_and_reductions_and_errors():
    zs, y = rand((5, 4), 3), np.array([0, 1, 2, 3, 0])
    assert D.dkd_loss(zs, zs, y) == pytest.approx(0.0, abs=1e-14)
    zt = rand((5, 4), 4)
    per = D.dkd_loss(zs, zt, y, reduction="none")
    assert per.shape == (5,) and np.all(per >= 0)
    assert D.dkd_loss(zs, zt, y, reduction="sum") == pytest.approx(per.sum(), rel=1e-12)
    assert D.dkd_loss(zs, zt, y) == pytest.approx(per.mean(), rel=1e-12)
    # a confident teacher (p_t = 1 − 1e−30): log(1 − p_t) is taken from the non-target log-sum-exp, stays finite
    big = zt.copy(); big[np.arange(5), y] = 400.0
    assert np.isfinite(D.dkd_loss(zs, big, y))
    for bad in (dict(labels=np.array([0, 1, 2, 3, 4])), dict(alpha=-1.0), dict(T=0.0), dict(reduction="mean")):
        kw = dict(labels=y) | bad
        with pytest.raises(ValueError):
            D.dkd_loss(zs, zt, **kw)
    with pytest.raises(ValueError, match="K >= 2"):
        D.dkd_loss(zs[:, :1], zt[:, :1], np.zeros(5, dtype=int))


# --- §3.2 simplified model: CE vs BinaryKL gradients on the head and on the features -------------

@pytest.mark.parametrize("k", [10, 100])
def test_simplified_model_gradients_match_torch_autograd(k):
    """The numpy gradients (float64) against torch autograd of Eq. 1 and CE (float64), to rounding;
    and the cosines/conflicts built from them."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    from analysis import collapse as C
    from analysis.nets import distill_losses as TL

    b = C.near_collapse_batch(k, np.random.default_rng(k), 0.9, 0.3, 0.2, 1.0, n=200)
    g = D.ce_binary_kl_layer_gradients(b["h"], b["y"], b["w"], b["zt"], 2.0)
    W = torch.tensor(b["w"], dtype=torch.float64, requires_grad=True)
    H = torch.tensor(b["h"], dtype=torch.float64, requires_grad=True)
    zs = H @ W.T
    losses = {"ce": F.cross_entropy(zs, torch.as_tensor(b["y"]), reduction="sum"),
              "binary_kl": TL.binary_kl(zs, torch.tensor(b["zt"], dtype=torch.float64), 2.0, "sum")}
    ref = {}
    for name, L in losses.items():
        gw, gh = torch.autograd.grad(L, (W, H), retain_graph=True)
        ref[name] = {"head": gw.numpy(), "features": gh.numpy()}
        for part in ("head", "features"):
            err = np.max(np.abs(g[name][part] - ref[name][part])) / np.max(np.abs(ref[name][part]))
            assert err < 1e-12, (name, part, err)
    m = D.simplified_model_conflict(b["h"], b["y"], b["w"], b["zt"], 2.0)
    for part in ("head", "features"):
        a, c = ref["ce"][part].ravel(), ref["binary_kl"][part].ravel()
        cos = a @ c / np.linalg.norm(a) / np.linalg.norm(c)
        assert abs(m[part]["cos"] - cos) < 1e-12
        assert abs(m[part]["coef"] - a @ c / (a @ a)) < 1e-12 * max(1.0, abs(m[part]["coef"]))


def test_gradient_conflict_properties():
    a = np.array([1.0, 0.0])
    out = D.gradient_conflict(a, np.array([-2.0, 2.0]))
    assert out["cos"] == pytest.approx(-1 / np.sqrt(2)) and out["coef"] == pytest.approx(-2.0)
    assert out["conflict"] == pytest.approx(2.0) and out["norm_ratio"] == pytest.approx(np.sqrt(8))
    assert D.gradient_conflict(a, np.array([3.0, 1.0]))["conflict"] == 0.0
    # a step g_main + alpha g_aux raises the main loss to first order iff alpha * coef < -1
    coef = D.gradient_conflict(a, np.array([-2.0, 2.0]))["coef"]
    for alpha in (0.4, 0.6):
        step = a + alpha * np.array([-2.0, 2.0])
        assert (step @ a < 0) == (alpha * coef < -1)
    with pytest.raises(ValueError, match="non-zero"):
        D.gradient_conflict(a, np.zeros(2))
    with pytest.raises(ValueError, match="same size"):
        D.gradient_conflict(a, np.zeros(3))
