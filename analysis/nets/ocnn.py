"""OCNN's kernel-orthogonality regulariser in torch: the peer of L_CS (issue 15 §4).

Wang, Chen, Chakraborty, Yu, "Orthogonal Convolutional Neural Networks", CVPR 2020, §3:
L_orth = ‖Conv(K, K, padding P, stride S) − I_r0‖²_F, P = ⌊(N−1)/S⌋·S, I_r0 the identity at
the centre shift. The float64 numpy twin is ``analysis.convsim.ocnn_orth_loss`` (tests compare
them and the gradient). Facts from the paper and the official code
(samaonline/Orthogonal-Convolutional-Neural-Networks, imagenet/utils.py ``deconv_orth_dist``:
``conv2d(K, K, stride, padding)`` minus the centred identity; the code takes the norm, not its
square, at padding 1 — we follow the paper's squared norm and padding).

Hooks (configs name them as "analysis.nets.ocnn:<factory>"):
- ``ocnn_loss_hook``: loss terms ``ocnn.<j>`` = L_orth of every conv layer j (its own stride);
  with ``match_convsim_beta: β`` the terms are scaled at the first step so that the gradient
  norm of the regulariser equals that of β·Σ_j L_CS on the same weights (the matched weight of
  the quick Table 5); the factor is logged as the constant term ``ocnn.match_factor`` (no
  gradient).
- ``fm_similarity_monitor``: the feature-map similarity of every conv layer on a fixed probe
  batch X ~ U(0, 1) (the paper's input distribution, "independent of the input"): ``fm.cos.<j>``
  (mean |cos(F_i, F_j)|, scale-free) and ``fm.inner.<j>`` (mean |⟨F_i, F_j⟩| per position, raw),
  and their means over layers ``fm.cos.mean``, ``fm.inner.mean``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def ocnn_padding(n: int, stride: int = 1) -> int:
    """P = ⌊(N−1)/S⌋·S (Wang et al. 2020, §3)."""
    return ((int(n) - 1) // int(stride)) * int(stride)


def ocnn_orth_loss(weight: torch.Tensor, stride: int = 1) -> torch.Tensor:
    """L_orth = ‖Conv(K, K) − I_r0‖²_F of one Conv1d/Conv2d weight (S, C, N[, N]) as a 0-d tensor."""
    if weight.dim() not in (3, 4):
        raise ValueError(f"ocnn_orth_loss needs a weight (S, C, N) or (S, C, N, N), got shape {tuple(weight.shape)}")
    n = weight.shape[-1]
    p = ocnn_padding(n, stride)
    conv = F.conv1d if weight.dim() == 3 else F.conv2d
    out = conv(weight, weight, stride=stride, padding=p)          # (S, S, 2P/S + 1[, ...])
    s = weight.shape[0]
    target = torch.zeros_like(out)
    c = out.shape[-1] // 2
    eye = torch.eye(s, dtype=out.dtype, device=out.device)
    if weight.dim() == 3:
        target[:, :, c] = eye
    else:
        target[:, :, c, c] = eye
    return ((out - target) ** 2).sum()


def _conv_layers(model) -> list[nn.Conv2d]:
    return [m for m in model.modules() if isinstance(m, nn.Conv2d)]


def layer_losses(model) -> list[torch.Tensor]:
    """L_orth of every Conv2d of ``model`` in module order, each at its own stride."""
    return [ocnn_orth_loss(m.weight, stride=int(m.stride[0])) for m in _conv_layers(model)]


def _convsim_total(model) -> torch.Tensor:
    from analysis.nets.losses import convsim_loss

    return torch.stack([convsim_loss(m.weight) for m in _conv_layers(model)]).sum()


def match_factor(model, beta: float) -> float:
    """c such that ‖∇(c·Σ_j L_orth)‖ = ‖∇(β·Σ_j L_CS)‖ over the conv weights at the model's
    current weights (gradient norms over all conv kernels together)."""
    ws = [m.weight for m in _conv_layers(model)]
    g_cs = torch.autograd.grad(beta * _convsim_total(model), ws)
    g_o = torch.autograd.grad(torch.stack(layer_losses(model)).sum(), ws)
    n_cs = torch.sqrt(sum((g.double() ** 2).sum() for g in g_cs))
    n_o = torch.sqrt(sum((g.double() ** 2).sum() for g in g_o))
    return float(n_cs / n_o) if float(n_o) > 0 else 0.0


def ocnn_loss_hook(spec: dict, env):
    """Loss hook factory: terms ``ocnn.<j>`` (see the module docstring). Parameters:
    ``match_convsim_beta`` (None: the terms unscaled; a β: scaled by :func:`match_factor` computed
    once, at the first step)."""
    extra = sorted(set(spec) - {"name", "weight", "match_convsim_beta"})
    if extra:
        raise ValueError(f"hook {spec['name']!r}: unknown parameter(s) {extra}; allowed ['match_convsim_beta']")
    beta = spec.get("match_convsim_beta")
    state: dict = {}

    def terms(step) -> dict[str, torch.Tensor]:
        if beta is not None and "factor" not in state:
            state["factor"] = match_factor(step.model, float(beta))
        c = state.get("factor", 1.0)
        out = {f"ocnn.{j}": c * t for j, t in enumerate(layer_losses(step.model))}
        if beta is not None:
            out["ocnn.match_factor"] = torch.tensor(c, dtype=torch.float32)
        return out
    return terms


def probe_batch(in_channels: int, size: int, n: int = 16, seed: int = 0) -> torch.Tensor:
    """The fixed probe X ~ U(0, 1), (n, in_channels, size, size), float32, from its own generator."""
    g = torch.Generator().manual_seed(int(seed))
    return torch.rand((n, in_channels, size, size), generator=g)


def feature_map_similarity(fmaps: torch.Tensor) -> dict[str, float]:
    """Torch twin of ``analysis.convsim.feature_map_similarity`` (float64 inside)."""
    f = fmaps.detach().double().flatten(2)                       # (B, S, P)
    b, s, npos = f.shape
    if s < 2:
        return {"inner_abs_mean": 0.0, "cos_abs_mean": 0.0}
    g = f @ f.transpose(1, 2)
    d = torch.sqrt(torch.diagonal(g, dim1=1, dim2=2))
    den = d[:, :, None] * d[:, None, :]
    cos = torch.where(den > 0, g / torch.where(den > 0, den, torch.ones_like(den)), torch.zeros_like(g))
    iu = torch.triu_indices(s, s, 1)
    return {"inner_abs_mean": float(g[:, iu[0], iu[1]].abs().mean()) / npos,
            "cos_abs_mean": float(cos[:, iu[0], iu[1]].abs().mean())}


def fm_similarity_monitor(spec: dict, env):
    """Monitor factory: ``fm.cos.<j>``, ``fm.inner.<j>``, ``fm.cos.mean``, ``fm.inner.mean`` on the
    probe batch (parameters ``image_size`` (default: 32 for 3 input channels, else 28), ``n``
    (16), ``seed`` (0)); the model is run in eval mode and its mode restored."""
    extra = sorted(set(spec) - {"name", "weight", "image_size", "n", "seed"})
    if extra:
        raise ValueError(f"hook {spec['name']!r}: unknown parameter(s) {extra}; allowed ['image_size', 'n', 'seed']")

    def measure(model) -> dict[str, float]:
        convs = _conv_layers(model)
        if not convs:
            return {}
        cin = convs[0].in_channels
        size = int(spec.get("image_size") or (32 if cin == 3 else 28))
        x = probe_batch(cin, size, int(spec.get("n", 16)), int(spec.get("seed", 0)))
        x = x.to(next(model.parameters()).device)
        maps: list[torch.Tensor] = []
        handles = [m.register_forward_hook(lambda _m, _i, o: maps.append(o)) for m in convs]
        was = model.training
        model.eval()
        try:
            with torch.no_grad():
                model(x)
        finally:
            for h in handles:
                h.remove()
            model.train(was)
        out: dict[str, float] = {}
        for j, f in enumerate(maps):
            r = feature_map_similarity(f)
            out[f"fm.cos.{j}"], out[f"fm.inner.{j}"] = r["cos_abs_mean"], r["inner_abs_mean"]
        out["fm.cos.mean"] = sum(out[f"fm.cos.{j}"] for j in range(len(maps))) / len(maps)
        out["fm.inner.mean"] = sum(out[f"fm.inner.{j}"] for j in range(len(maps))) / len(maps)
        return out
    return measure
