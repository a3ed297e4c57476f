"""Torch twins of :mod:`analysis.distill` (DHKD paper 004): KD, BinaryKL (Eq. 1), BinaryKL-Norm (Eq. 5), Eq. 6.

Each loss is a pure, differentiable function of logit tensors ``(B, K)`` with the same
``reduction`` semantics as the numpy originals: ``"sum"`` = the equation as printed (sum over
batch and classes), ``"batchmean"`` = that sum / B (the official code's ``T**2 * loss.sum() / N``),
``"none"`` = per element (BinaryKL) or per row (KD). Unlike the numpy side, non-finite logits
are *not* rejected here: a diverging run must produce a non-finite loss that the trainer records
as ``N.A.(epoch)`` rather than an exception mid-step.

The official code clamps the sigmoids to [1e−8, 1 − 1e−8] and calls ``KLDivLoss``; the clamp zeroes
the gradient once |logit/T| > 18.4. We use the exact softplus forms instead (no clamp).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ["kd_loss", "binary_kl", "binary_kl_norm", "dkd_parts", "dkd_loss", "pcgrad", "pcgrad_per_row"]

_REDUCTIONS = ("sum", "batchmean", "none")


def _check(zs: torch.Tensor, zt: torch.Tensor, T: float, reduction: str) -> float:
    if isinstance(T, bool):
        raise ValueError(f"temperature must be a positive float, got the bool {T!r}")
    T = float(T)
    if not math.isfinite(T) or T <= 0:
        raise ValueError(f"temperature must be a finite float > 0, got {T!r}")
    if zs.shape != zt.shape:
        raise ValueError(f"student logits {tuple(zs.shape)} and teacher logits {tuple(zt.shape)} must have the same shape")
    if zs.dim() not in (1, 2):
        raise ValueError(f"logits must be (B, K) or (K,), got shape {tuple(zs.shape)}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return T


def _reduce(x: torch.Tensor, reduction: str, zs: torch.Tensor) -> torch.Tensor:
    if reduction == "none":
        return x
    total = x.sum()
    return total if reduction == "sum" else total / (1 if zs.dim() == 1 else zs.shape[0])


def _softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + eˣ) exactly (torch's F.softplus returns x itself above its threshold 20: 2e−9 off)."""
    return torch.logaddexp(torch.zeros_like(x), x)


def kd_loss(zs: torch.Tensor, zt: torch.Tensor, T: float, reduction: str = "sum") -> torch.Tensor:
    """Hinton KD: T²·KL(softmax(zt/T) ‖ softmax(zs/T)) over the last axis (twin of analysis.distill.kd_loss)."""
    T = _check(zs, zt, T, reduction)
    lpt = F.log_softmax(zt / T, dim=-1)
    lps = F.log_softmax(zs / T, dim=-1)
    per_row = T * T * (lpt.exp() * (lpt - lps)).sum(dim=-1)
    return _reduce(per_row, reduction, zs)


def binary_kl(zs: torch.Tensor, zt: torch.Tensor, T: float, reduction: str = "sum") -> torch.Tensor:
    """Eq. 1: T²·Σ KL([σ(zt/T), 1−σ(zt/T)] ‖ [σ(zs/T), 1−σ(zs/T)]) via softplus(−x) − softplus(−y) + (1−p)(x−y)."""
    T = _check(zs, zt, T, reduction)
    x, y = zs / T, zt / T
    kl = _softplus(-x) - _softplus(-y) + (1.0 - torch.sigmoid(y)) * (x - y)
    return _reduce(T * T * kl, reduction, zs)


def binary_kl_norm(zs: torch.Tensor, zt: torch.Tensor, T: float, reduction: str = "sum") -> torch.Tensor:
    """Eq. 5: T²·Σ KL([½,½] ‖ [σ(u/T), 1−σ(u/T)]), u = zs − zt, as −log 2 + ½(softplus(−x) + softplus(x))."""
    T = _check(zs, zt, T, reduction)
    x = (zs - zt) / T
    kl = 0.5 * (_softplus(-x) + _softplus(x)) - math.log(2.0)
    return _reduce(T * T * kl, reduction, zs)


def dkd_parts(zs: torch.Tensor, zt: torch.Tensor, labels: torch.Tensor, T: float = 4.0
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row (TCKD, NCKD), each times T² (twin of analysis.distill.dkd_parts; DKD, Zhao et al. 2022).

    Log space throughout: log p_t and log(1 − p_t) from log-sum-exps, the non-target softmax as a
    log-softmax with the target masked to −inf (mdistiller subtracts 1000 instead: the same up to
    e^{−1000}). Masked entries are replaced by 0 before any product, so gradients stay finite.
    """
    T = _check(zs, zt, T, "none")
    if zs.dim() != 2 or zs.shape[1] < 2:
        raise ValueError(f"DKD needs logits (B, K) with K >= 2, got {tuple(zs.shape)}")
    if labels.shape != zs.shape[:1]:
        raise ValueError(f"labels must have shape ({zs.shape[0]},), got {tuple(labels.shape)}")
    own = F.one_hot(labels.long(), zs.shape[1]).bool()

    def split(z):
        x = z / T
        lse_all = torch.logsumexp(x, dim=1)
        xo = x.masked_fill(own, float("-inf"))
        lse_other = torch.logsumexp(xo, dim=1)
        log_bt = x.gather(1, labels.long()[:, None])[:, 0] - lse_all
        log_bo = lse_other - lse_all
        log_hat = (xo - lse_other[:, None]).masked_fill(own, 0.0)
        return log_bt, log_bo, log_hat

    st, so, sh = split(zs)
    tt, to, th = split(zt)
    tckd = tt.exp() * (tt - st) + to.exp() * (to - so)
    nckd = (th.exp().masked_fill(own, 0.0) * (th - sh)).sum(dim=1)
    return T * T * tckd, T * T * nckd


def dkd_loss(zs: torch.Tensor, zt: torch.Tensor, labels: torch.Tensor, alpha: float = 1.0, beta: float = 8.0,
             T: float = 4.0, reduction: str = "batchmean") -> torch.Tensor:
    """Decoupled KD: α·TCKD + β·NCKD (twin of analysis.distill.dkd_loss; same defaults and reductions)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    tckd, nckd = dkd_parts(zs, zt, labels, T)
    return _reduce(float(alpha) * tckd + float(beta) * nckd, reduction, zs)


def pcgrad(g_main: torch.Tensor, g_aux: torch.Tensor) -> torch.Tensor:
    """Eq. 6 on 1-D tensors: g_aux, or g_aux − (g_aux·g_main/‖g_main‖²) g_main when g_aux·g_main < 0."""
    if g_main.shape != g_aux.shape or g_main.dim() != 1:
        raise ValueError(f"g_main {tuple(g_main.shape)} and g_aux {tuple(g_aux.shape)} must be 1-D of one shape")
    scale = g_main.abs().max()
    if scale == 0:
        return g_aux.clone()
    u = g_main / scale  # scale-invariant projection; avoids underflow of ‖g_main‖²
    dot = torch.dot(g_aux, u)
    if dot >= 0:
        return g_aux.clone()
    return g_aux - dot / torch.dot(u, u) * u


def pcgrad_per_row(g_main: torch.Tensor, g_aux: torch.Tensor) -> torch.Tensor:
    """Eq. 6 row by row on (K, d) tensors (one row per ∂L/∂w_k, as the equation is written)."""
    if g_main.shape != g_aux.shape or g_main.dim() != 2:
        raise ValueError(f"g_main {tuple(g_main.shape)} and g_aux {tuple(g_aux.shape)} must be 2-D of one shape")
    scale = g_main.abs().amax(dim=1)
    u = g_main / torch.where(scale > 0, scale, torch.ones_like(scale))[:, None]
    dots = (g_aux * u).sum(dim=1)
    norms = (u * u).sum(dim=1)
    coef = torch.where(dots < 0, dots / torch.where(norms > 0, norms, torch.ones_like(norms)),
                       torch.zeros_like(dots))
    return g_aux - coef[:, None] * u
