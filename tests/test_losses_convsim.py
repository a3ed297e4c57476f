"""The torch twin of L_CS (analysis.nets.losses.convsim_loss) and torch checks of the numpy side.

References: the numpy linear-cost loss and its analytic gradient (analysis.convsim), central
finite differences of the numpy loss, and a literal torch Eq. 10 (every kernel pair, every
channel pair, one F.conv per pair) whose autograd gradient and Hessian check the numpy
gradient and Hessian. All in float64; tolerances as in test_convsim.py (rtol 1e-10 for two
summation orders; 1e-5 for central differences with h = 1e-6).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import convsim as cs
from analysis.nets import losses

VARIANTS = [("all", "all"), ("all", "same"), ("adjacent", "all"), ("adjacent", "same")]
SHAPES = [(4, 3, 3), (3, 2, 3, 3), (5, 1, 2, 2), (2, 3, 4), (3, 2, 1, 1)]


def literal_torch_loss(w: torch.Tensor, pairs: str, channels: str) -> torch.Tensor:
    """Eq. 10 literally: Σ_{(i,j)} Σ_{(c1,c2)} Σ_n (K_i[c1] ⊛ K_j[c2])[n]², with
    conv(input=K_j[c2], weight=K_i[c1], padding=N−1)[ℓ] = (K_i[c1] ⊛ K_j[c2])[ℓ − N + 1]."""
    s, n = w.shape[0], w.shape[-1]
    conv = F.conv1d if w.dim() == 3 else F.conv2d
    pair_list = ([(i, i + 1) for i in range(s - 1)] if pairs == "adjacent"
                 else [(i, j) for i in range(s) for j in range(i + 1, s)])
    total = w.new_zeros(())
    for i, j in pair_list:
        # batch = c2 (channels of K_j), out channels = c1 (channels of K_i): all channel pairs
        corr = conv(w[j].unsqueeze(1), w[i].unsqueeze(1), padding=n - 1)  # (C, C, lags…)
        if channels == "same":
            corr = torch.diagonal(corr, dim1=0, dim2=1)
        total = total + (corr ** 2).sum()
    return total


def rand_weight(shape, seed):
    return torch.from_numpy(np.random.default_rng(seed).uniform(-1.0, 1.0, shape))


def loss_scale(k: np.ndarray) -> float:
    return float(np.sum(k * k) ** 2)


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@pytest.mark.parametrize("shape", SHAPES)
def test_torch_loss_equals_numpy_and_literal(shape, pairs, channels):
    w = rand_weight(shape, sum(shape))
    t = losses.convsim_loss(w, pairs, channels)
    assert t.dim() == 0 and t.dtype == torch.float64
    k = w.numpy()
    ref = cs.convsim_loss(k, pairs, channels)
    tol = 1e-10 * (abs(ref) + loss_scale(k))
    assert abs(float(t) - ref) <= tol
    assert abs(float(literal_torch_loss(w, pairs, channels)) - ref) <= tol


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@settings(max_examples=10, deadline=None)
@given(nd=st.sampled_from([1, 2]), s=st.integers(1, 4), c=st.integers(1, 3),
       n=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_torch_gradient_equals_numpy_analytic_grad(nd, s, c, n, seed, pairs, channels):
    w = rand_weight((s, c) + (n,) * nd, seed).requires_grad_(True)
    losses.convsim_loss(w, pairs, channels).backward()
    g_np = cs.convsim_loss_grad(w.detach().numpy(), pairs, channels)
    np.testing.assert_allclose(w.grad.numpy(), g_np, rtol=1e-10,
                               atol=1e-10 * (1 + np.abs(g_np).max()))


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@pytest.mark.parametrize("shape", [(3, 2, 2, 2), (3, 2, 3)])
def test_torch_gradient_equals_finite_differences_of_numpy_loss(shape, pairs, channels):
    w = rand_weight(shape, 5).requires_grad_(True)
    losses.convsim_loss(w, pairs, channels).backward()
    k = w.detach().numpy().copy()
    h = 1e-6
    fd = np.zeros_like(k)
    for idx in np.ndindex(k.shape):
        kp, km = k.copy(), k.copy()
        kp[idx] += h
        km[idx] -= h
        fd[idx] = (cs.convsim_loss(kp, pairs, channels) - cs.convsim_loss(km, pairs, channels)) / (2 * h)
    np.testing.assert_allclose(w.grad.numpy(), fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(fd).max()))


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@pytest.mark.parametrize("shape", [(3, 2, 3), (3, 1, 2, 2), (2, 2, 2, 2)])
def test_numpy_grad_against_autograd_of_literal_eq10(shape, pairs, channels):
    w = rand_weight(shape, 9).requires_grad_(True)
    literal_torch_loss(w, pairs, channels).backward()
    g_np = cs.convsim_loss_grad(w.detach().numpy(), pairs, channels)
    np.testing.assert_allclose(g_np, w.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("pairs,channels", VARIANTS)
@pytest.mark.parametrize("shape", [(3, 2, 3), (3, 1, 2, 2), (2, 2, 2, 2)])
def test_numpy_hessian_against_torch_hessian(shape, pairs, channels):
    w = rand_weight(shape, 13)
    h_t = torch.autograd.functional.hessian(
        lambda v: literal_torch_loss(v.reshape(shape), pairs, channels), w.reshape(-1))
    h_np = cs.convsim_loss_hessian(w.numpy(), pairs, channels)
    np.testing.assert_allclose(h_np, h_t.numpy(), rtol=1e-10, atol=1e-12)


def test_single_kernel_is_zero_and_differentiable():
    w = rand_weight((1, 3, 3, 3), 0).requires_grad_(True)
    out = losses.convsim_loss(w)
    assert out.dim() == 0 and float(out.detach()) == 0.0
    out.backward()
    assert torch.equal(w.grad, torch.zeros_like(w))


def test_accepts_a_conv2d_weight_in_float32():
    conv = torch.nn.Conv2d(3, 8, 3, bias=False)
    out = losses.convsim_loss(conv.weight)
    out.backward()
    assert out.dtype == torch.float32 and conv.weight.grad.shape == conv.weight.shape
    ref = cs.convsim_loss(conv.weight.detach().double().numpy())
    assert abs(float(out.detach()) - ref) <= 1e-5 * (ref + loss_scale(conv.weight.detach().double().numpy()))


@pytest.mark.parametrize("args,match", [
    pytest.param((np.ones((2, 1, 3, 3)),), "torch.Tensor", id="numpy input"),
    pytest.param((torch.ones(2, 3),), "shape", id="2 axes"),
    pytest.param((torch.ones(2, 1, 3, 2),), "square", id="non-square"),
    pytest.param((torch.ones(2, 1, 3, dtype=torch.int64),), "floating-point", id="int tensor"),
    pytest.param((torch.full((2, 1, 3), float("nan")),), "NaN", id="nan"),
    pytest.param((torch.ones(2, 1, 3), "neighbours"), "pairs must be", id="unknown pairs"),
    pytest.param((torch.ones(2, 1, 3), "all", "diagonal"), "channels must be", id="unknown channels"),
    pytest.param((torch.ones(0, 1, 3),), "empty", id="empty"),
])
def test_torch_loss_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        losses.convsim_loss(*args)


def test_check_finite_can_be_skipped():
    """check_finite=False (no device sync in training loops) lets a NaN through to the value."""
    w = torch.ones(2, 1, 3)
    w[0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        losses.convsim_loss(w)
    assert torch.isnan(losses.convsim_loss(w, check_finite=False))
