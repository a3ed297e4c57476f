"""Sign functions and the binary convolution (paper 002, LCR-BNN, §2.1 and §3.1).

* ``sign_ste`` / ``sign_ede``: sign (+1 at 0) with a straight-through (hardtanh window) or IR-Net
  EDE backward.
* ``BinaryConv2d``: sgn(W)·α weights (per-output-channel α) and sgn activations; a
  ``full_precision`` switch runs the same layer with its latent real weights and real inputs
  (toggled for a whole model by :func:`full_precision`).

The binary networks built from these layers are in :mod:`analysis.nets.models`, the LCR loss in
:mod:`analysis.nets.losses`, the LCR probes in :mod:`analysis.nets.lcr_probes`.
"""
from __future__ import annotations

import contextlib

import torch
import torch.nn as nn

__all__ = ["sign_ste", "sign_ede", "BinaryConv2d", "full_precision"]


# ----------------------------------------------------------------------------- sign functions

def _sgn(x: torch.Tensor) -> torch.Tensor:
    """±1 by the IEEE sign bit: sgn(+0.0) = +1, sgn(−0.0) = −1 (one fused pass; 20× faster than
    torch.where on CPU)."""
    return torch.copysign(torch.ones((), dtype=x.dtype, device=x.device), x)


class _SignSTE(torch.autograd.Function):
    """sgn(x) (+1 at 0); backward: straight-through with the hardtanh window, g·1[|x| < 1]
    (hardtanh's own derivative, so a detach-trick implementation through F.hardtanh agrees)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _sgn(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return torch.ops.aten.hardtanh_backward(g, x, -1.0, 1.0)


class _SignEDE(torch.autograd.Function):
    """sgn(x); backward: IR-Net's Error Decay Estimator g·k·t·(1 − tanh²(t·x))."""

    @staticmethod
    def forward(ctx, x, t, k):
        ctx.save_for_backward(x)
        ctx.t, ctx.k = float(t), float(k)
        return _sgn(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        th = torch.tanh(ctx.t * x)
        return g * ctx.k * ctx.t * (1 - th * th), None, None


def sign_ste(x: torch.Tensor) -> torch.Tensor:
    """sgn(x) ∈ {−1, +1} with the straight-through estimator (BNN, Hubara et al.; §2.1)."""
    return _SignSTE.apply(x)


def sign_ede(x: torch.Tensor, t: float = 1.0, k: float = 1.0) -> torch.Tensor:
    """sgn(x) with IR-Net's EDE backward k·t·(1 − tanh²(t·x)) (t grows 0.1 → 10 in IR-Net,
    k = max(1/t, 1)); t > 0, k > 0."""
    if not (t > 0 and k > 0):
        raise ValueError(f"EDE needs t > 0 and k > 0, got t={t}, k={k}")
    return _SignEDE.apply(x, t, k)


# ----------------------------------------------------------------------------- binary convolution

class BinaryConv2d(nn.Conv2d):
    """Conv2d with W_B = sgn(W)·α and sgn activations (§3.1, Algorithm 1 lines 3–5).

    scale: "channel" — α_o = mean |W_o| (XNOR-Net, differentiable); "irnet" — IR-Net's balanced
    weights: W standardised per output channel, α_o = 2^round(log2 mean|Ŵ_o|) (detached);
    "none" — α = 1. backward: "ste" or "ede" (IR-Net; set ``ede_t``, ``ede_k``).
    binary_activations=False gives the 1/32 (W/A) variant. ``full_precision = True`` runs the
    latent real weights on real inputs (the FP counterpart; toggled by :func:`full_precision`).
    """

    def __init__(self, *args, scale: str = "channel", backward: str = "ste",
                 binary_activations: bool = True, **kw):
        super().__init__(*args, **kw)
        if scale not in ("channel", "irnet", "none"):
            raise ValueError(f"scale must be 'channel', 'irnet' or 'none', got {scale!r}")
        if backward not in ("ste", "ede"):
            raise ValueError(f"backward must be 'ste' or 'ede', got {backward!r}")
        self.scale, self.backward_kind, self.binary_activations = scale, backward, binary_activations
        self.full_precision = False
        self.ede_t, self.ede_k = 1.0, 1.0
        # keep_input_sign: remember (input, sgn(input)) of the last forward pass, so that the LCR
        # regulariser reuses the binary activations this layer computes (same tensor, same graph)
        self.keep_input_sign = False
        self.last_input_sign: tuple | None = None

    def _sign(self, x):
        return sign_ste(x) if self.backward_kind == "ste" else sign_ede(x, self.ede_t, self.ede_k)

    def binary_weight(self) -> torch.Tensor:
        """W_B (c_out, c_in, kh, kw) as used in the forward pass."""
        w = self.weight
        if self.scale == "irnet":
            flat = w.view(w.size(0), -1)
            flat = (flat - flat.mean(1, keepdim=True)) / (flat.std(1, keepdim=True) + 1e-12)
            alpha = torch.pow(2.0, torch.round(torch.log2(flat.abs().mean(1)))).detach()
            return (self._sign(flat) * alpha[:, None]).view_as(w)
        wb = self._sign(w)
        if self.scale == "channel":
            wb = wb * w.abs().mean(dim=(1, 2, 3), keepdim=True)
        return wb

    def forward(self, x):
        if self.full_precision:
            return self._conv_forward(x, self.weight, self.bias)
        if self.binary_activations:
            xb = self._sign(x)
            if self.keep_input_sign:
                self.last_input_sign = (x, xb)
            x = xb
        return self._conv_forward(x, self.binary_weight(), self.bias)


@contextlib.contextmanager
def full_precision(model: nn.Module):
    """Within the block every BinaryConv2d of ``model`` runs in full precision (latent weights)."""
    convs = [m for m in model.modules() if isinstance(m, BinaryConv2d)]
    old = [m.full_precision for m in convs]
    try:
        for m in convs:
            m.full_precision = True
        yield model
    finally:
        for m, o in zip(convs, old):
            m.full_precision = o
