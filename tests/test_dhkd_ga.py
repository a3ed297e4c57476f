"""Gradient alignment controls (issue 16 §3): Eq. 6 flat (official) vs per parameter tensor, against a
hand computation, and the logged extra CE step of head 1 (``loss.ga_fire``, ``loss.ga_extra_ce``)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from analysis.nets import dhkd as H
from analysis.nets.hooks import HookEnv, StepContext, get_hook


class Lin(nn.Module):
    """Parameters whose two 'losses' are linear: ∇main = c, ∇aux = d, per tensor."""

    def __init__(self, sizes):
        super().__init__()
        self.ws = nn.ParameterList([nn.Parameter(torch.zeros(n, dtype=torch.float64)) for n in sizes])

    def losses(self, c, d):
        main = sum(torch.dot(torch.tensor(ci, dtype=torch.float64), w) for ci, w in zip(c, self.ws))
        aux = sum(torch.dot(torch.tensor(di, dtype=torch.float64), w) for di, w in zip(d, self.ws))
        return main, aux


def _grads(m):
    return np.concatenate([p.grad.numpy().ravel() for p in m.parameters()])


def _by_terms(m, c, d, gran):
    main, aux = m.losses(c, d)
    t = H.ga_terms(main, aux, m, gran)
    for p in m.parameters():
        p.grad = None
    (main + aux + t["ga"] + t["ga_fire"] + t["ga_extra_ce"]).backward()
    return _grads(m), t


def _by_backward(m, c, d, gran):
    main, aux = m.losses(c, d)
    H.ga_backward(list(m.parameters()), main, aux, gran)
    return _grads(m)


# one tensor: c = (1, 1, 0), d = (-1, 0, 1): <c, d> = -1, |c|^2 = 2, s = -1/2,
# Eq. 6: d - s c = (-0.5, 0.5, 1); update c + that = (0.5, 1.5, 1), for flat and per tensor alike.
ONE = ([[1.0, 1.0, 0.0]], [[-1.0, 0.0, 1.0]], [0.5, 1.5, 1.0])
# two tensors: c = ((1, 1), (2)), d = ((-1, 0), (1)). Flat: <c, d> = -1 + 2 = 1 > 0, no projection:
# c + d = (0, 1, 3). Per tensor: tensor 1 <c1, d1> = -1, s1 = -1/2, c1 + d1 - s1 c1 = (0.5, 1.5);
# tensor 2 <c2, d2> = 2 > 0: c2 + d2 = 3. So (0.5, 1.5, 3) != (0, 1, 3).
TWO = ([[1.0, 1.0], [2.0]], [[-1.0, 0.0], [1.0]])


@pytest.mark.parametrize("gran", ["flat", "per_tensor"])
def test_one_tensor_flat_equals_per_tensor_by_hand(gran):
    c, d, want = ONE
    m = Lin([3])
    np.testing.assert_allclose(_by_backward(m, c, d, gran), want, atol=1e-12)
    got, t = _by_terms(m, c, d, gran)
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert float(t["ga_fire"]) == 1.0


def test_two_tensors_differ_by_hand():
    c, d = TWO
    m = Lin([2, 1])
    flat, per = [0.0, 1.0, 3.0], [0.5, 1.5, 3.0]
    np.testing.assert_allclose(_by_backward(m, c, d, "flat"), flat, atol=1e-12)
    np.testing.assert_allclose(_by_backward(m, c, d, "per_tensor"), per, atol=1e-12)
    got_f, tf = _by_terms(m, c, d, "flat")
    got_p, tp = _by_terms(m, c, d, "per_tensor")
    np.testing.assert_allclose(got_f, flat, atol=1e-12)
    np.testing.assert_allclose(got_p, per, atol=1e-12)
    assert float(tf["ga_fire"]) == 0.0 and float(tp["ga_fire"]) == 0.5   # 1 of 2 tensors projected


def _student():
    torch.manual_seed(0)
    return H.dual_head(num_classes=5, in_channels=1, image_size=12, base="cnn1", base_kw={"filters": 4}).double()


def _batch(m):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 1, 12, 12, generator=g, dtype=torch.float64)
    y = torch.randint(0, 5, (8,), generator=g)
    zt = 3 * torch.randn(8, 5, generator=g, dtype=torch.float64)
    return x, y, zt


@pytest.mark.parametrize("gran", ["flat", "per_tensor"])
def test_hook_matches_ga_backward_and_logs_extra_ce(gran):
    m = _student()
    x, y, zt = _batch(m)
    hook = get_hook("loss", {"name": "dhkd", "alpha": 5.0, "ga": True, "ga_granularity": gran}, HookEnv())
    logits = m(x)
    terms = hook(StepContext(m, x, y, logits, zt, 1, 0))
    assert {"kd", "ga", "ga_fire", "ga_extra_ce"} <= set(terms)
    for p in m.parameters():
        p.grad = None
    (F.cross_entropy(logits, y) + torch.stack(list(terms.values())).sum()).backward()
    got = _grads(m)
    main, aux = m.forward_both(x)
    ref = H.dhkd_loss(main, aux, zt, y, alpha=5.0)
    s = float(H.ga_coefficient(ref["ce"], ref["kd"], m.parameters()))
    H.ga_backward(list(m.parameters()), ref["ce"], ref["kd"], gran)
    np.testing.assert_allclose(got, _grads(m), rtol=1e-9, atol=1e-12)
    if gran == "flat":   # head 1 steps by (1 + |s|) * grad CE on conflict
        assert float(terms["ga_extra_ce"]) == pytest.approx(abs(s), rel=1e-9)
        assert float(terms["ga_fire"]) == float(s < 0)
    else:                # the KD term on head 2 gives head 1 no gradient: nothing to project there
        assert float(terms["ga_extra_ce"]) == 0.0
        assert 0.0 <= float(terms["ga_fire"]) <= 1.0


def test_hook_rejects_unknown_granularity():
    with pytest.raises(ValueError, match="ga_granularity"):
        get_hook("loss", {"name": "dhkd", "ga": True, "ga_granularity": "per_layer"}, HookEnv())
