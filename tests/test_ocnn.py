"""OCNN's kernel-orthogonality regulariser (issue 15 §4): numpy and torch twins, gradient, hooks."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from analysis.convsim import convsim_loss, feature_map_similarity, ocnn_orth_loss, ocnn_padding, ocnn_self_conv
from analysis.nets import ocnn


def _literal(k: np.ndarray, stride: int) -> float:
    """The quadruple sum written out (2-D): Σ_{i,j,s} (Σ_{c,t} K_i[c,t+s]·K_j[c,t] − δ_ij δ_s0)²."""
    s_, c_, n, _ = k.shape
    p = ocnn_padding(n, stride)
    total = 0.0
    for i in range(s_):
        for j in range(s_):
            for sy in range(-p, p + 1, stride):
                for sx in range(-p, p + 1, stride):
                    v = 0.0
                    for c in range(c_):
                        for ty in range(n):
                            for tx in range(n):
                                if 0 <= ty + sy < n and 0 <= tx + sx < n:
                                    v += k[i, c, ty + sy, tx + sx] * k[j, c, ty, tx]
                    v -= float(i == j and sy == 0 and sx == 0)
                    total += v * v
    return total


@pytest.mark.parametrize("n,stride", [(3, 1), (3, 2), (5, 2), (2, 1)])
def test_numpy_matches_literal_and_torch(n, stride):
    rng = np.random.default_rng(n * 10 + stride)
    k = rng.normal(size=(4, 3, n, n))
    ref = _literal(k, stride)
    assert ocnn_orth_loss(k, stride) == pytest.approx(ref, rel=1e-12)
    t = ocnn.ocnn_orth_loss(torch.tensor(k), stride=stride)
    assert float(t) == pytest.approx(ref, rel=1e-12)


def test_one_dimensional_and_centre_is_gram():
    rng = np.random.default_rng(1)
    k = rng.normal(size=(3, 2, 4))
    assert float(ocnn.ocnn_orth_loss(torch.tensor(k), 1)) == pytest.approx(ocnn_orth_loss(k, 1), rel=1e-12)
    out = ocnn_self_conv(k, 1)
    flat = k.reshape(3, -1)
    np.testing.assert_allclose(out[:, :, out.shape[2] // 2], flat @ flat.T, rtol=1e-13)


def test_single_channel_off_diagonal_is_twice_lcs():
    """C = 1, stride 1: the i ≠ j terms are 2·L_CS (Eq. 10 of paper 001)."""
    rng = np.random.default_rng(2)
    k = rng.normal(size=(5, 1, 3, 3))
    out = ocnn_self_conv(k, 1)
    off = sum(float(np.sum(out[i, j] ** 2)) for i in range(5) for j in range(5) if i != j)
    assert off == pytest.approx(2 * convsim_loss(k), rel=1e-12)


def test_orthogonal_kernels_give_zero():
    """Delta kernels on distinct channels are conv-orthogonal: L_orth = 0."""
    k = np.zeros((3, 3, 3, 3))
    for i in range(3):
        k[i, i, 1, 1] = 1.0
    assert ocnn_orth_loss(k, 1) == 0.0
    assert float(ocnn.ocnn_orth_loss(torch.tensor(k), 1)) == 0.0


@pytest.mark.parametrize("stride", [1, 2])
def test_torch_gradient_matches_finite_differences(stride):
    rng = np.random.default_rng(3 + stride)
    k = rng.normal(size=(3, 2, 3, 3)) * 0.5
    t = torch.tensor(k, requires_grad=True)
    ocnn.ocnn_orth_loss(t, stride).backward()
    g = t.grad.numpy()
    h = 1e-6
    fd = np.zeros_like(k)
    for idx in np.ndindex(*k.shape):
        kp, km = k.copy(), k.copy()
        kp[idx] += h
        km[idx] -= h
        fd[idx] = (ocnn_orth_loss(kp, stride) - ocnn_orth_loss(km, stride)) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7)


def test_feature_map_similarity_twins():
    rng = np.random.default_rng(4)
    f = rng.normal(size=(3, 5, 6, 6))
    f[0, 2] = 0.0                              # a dead channel counts as cos 0
    a = feature_map_similarity(f)
    b = ocnn.feature_map_similarity(torch.tensor(f))
    assert a["cos_abs_mean"] == pytest.approx(b["cos_abs_mean"], rel=1e-12)
    assert a["inner_abs_mean"] == pytest.approx(b["inner_abs_mean"], rel=1e-12)
    # scale-free: scaling one channel leaves the cosines unchanged
    g = f.copy()
    g[:, 1] *= 7.0
    assert feature_map_similarity(g)["cos_abs_mean"] == pytest.approx(a["cos_abs_mean"], rel=1e-12)


def _tiny_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=2), torch.nn.ReLU(),
                               torch.nn.Conv2d(4, 4, 3, stride=2, padding=1), torch.nn.Flatten(),
                               torch.nn.LazyLinear(10))


def test_loss_hook_matches_convsim_gradient_norm():
    from analysis.nets.losses import convsim_loss as cs_torch

    model = _tiny_model()
    model(torch.zeros(1, 1, 8, 8))
    hook = ocnn.ocnn_loss_hook({"name": "analysis.nets.ocnn:ocnn_loss_hook", "match_convsim_beta": 0.001}, None)
    step = type("S", (), {"model": model})()
    terms = hook(step)
    assert set(terms) == {"ocnn.0", "ocnn.1", "ocnn.match_factor"}
    ws = [m.weight for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    g_o = torch.autograd.grad(torch.stack(list(terms.values())).sum(), ws)
    g_c = torch.autograd.grad(0.001 * sum(cs_torch(w) for w in ws), ws)
    n_o = torch.sqrt(sum((g ** 2).sum() for g in g_o))
    n_c = torch.sqrt(sum((g ** 2).sum() for g in g_c))
    assert float(n_o) == pytest.approx(float(n_c), rel=1e-4)
    assert float(terms["ocnn.match_factor"]) == pytest.approx(hook(step)["ocnn.match_factor"].item())
    with pytest.raises(ValueError, match="unknown parameter"):
        ocnn.ocnn_loss_hook({"name": "x", "bogus": 1}, None)


def test_fm_similarity_monitor():
    model = _tiny_model()
    mon = ocnn.fm_similarity_monitor({"name": "m", "image_size": 8, "n": 4}, None)
    out = mon(model)
    assert set(out) == {"fm.cos.0", "fm.inner.0", "fm.cos.1", "fm.inner.1", "fm.cos.mean", "fm.inner.mean"}
    assert 0.0 <= out["fm.cos.mean"] <= 1.0
    assert mon(model) == out and model.training
