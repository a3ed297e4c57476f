"""Binary networks and the LCR regulariser (paper 002, LCR-BNN) — the torch side.

Contents
* ``sign_ste`` / ``sign_ede``: sign (+1 at 0) with a straight-through (hardtanh window) or IR-Net
  EDE backward.
* ``BinaryConv2d``: sign(W)·α weights (per-output-channel α) and sign activations; a
  ``full_precision`` switch runs the same layer with its latent real weights and real inputs.
* ``BinaryBasicBlock``, ``BinaryResNet``; registered as ``binary_resnet20`` (CIFAR form, IR-Net
  layout) and ``binary_resnet18`` (ImageNet or CIFAR stem) in the model registry.
* The Retention Matrix on torch activations: ``activations_to_rows`` (the adapter from
  (B, C, H, W) maps to rows, conventions below), ``retention_matrix_torch``,
  ``power_iteration_torch``, ``top_eigenvalue_official``.
* ``BlockRecorder`` (forward hooks on ``model.blocks``), ``lcr_loss`` (Eq. 11, and the official
  code's variant), ``LCRRegularizer`` (records a forward pass, adds λ/2·L_Lip, Eq. 12).
* ``count_layer_specs``: the conv/linear layers a forward pass runs, for BOPs/FLOPs counting
  with ``analysis.lipschitz.count_bops_flops``.

Adapter conventions (``activations_to_rows``), for a block with input x (B, C_in, H, W) and
output y (B, C_out, H', W'):
* ``"per_sample"`` — the official code's: x is average-pooled to (H', W') when larger; each
  sample gives one group of H'W' rows (positions) with C channels, scaled by 1/√(H'W') so that
  M = rowsᵀ·rows carries the official 1/HW. Result (B, H'W', C). The official code forms
  RM = M·Mᵀ (C_in × C_in); we form MᵀM (C_out × C_out) as ``analysis.lipschitz.retention_matrix``
  does — the same nonzero eigenvalues.
* ``"batch"`` — the whole batch is one group: (1, B·H'W', C), rows scaled by 1/√(B·H'W').
With ``space="channel"`` the numpy ``retention_matrix(rows_prev[g], rows_next[g])`` equals
``retention_matrix_torch(rows_prev, rows_next)[g]`` (tested).

Where the full-precision activations of RM_F come from (``LCRRegularizer(source=...)``):
* ``"same_pass"`` (default; Algorithm 1's reading: A_F^k = W_B·A_B^{k−1} is the real-valued map and
  A_B^k = sgn(A_F^k)): RM_F from the block's real-valued input/output of the ordinary forward
  pass (detached), RM_B from their signs (straight-through). No extra forward pass, and no extra
  sign either: a map that a BinaryConv2d signs as its input (every block input, every block output
  but the last) reuses that layer's sign tensor (``keep_input_sign``), so the LCR gradient joins
  the convolution's gradient before the one sign backward (with ``backward="ste"`` this is the
  same gradient as a separate ``sign_ste``; with "ede" it is the layer's own EDE).
* ``"latent"``: a second, gradient-free forward pass of the same network with binarisation off
  (latent real weights, real activations) — the "latent FP counterpart" of §3.2.
* ``"teacher"``: a separate full-precision model's forward pass (the official code).
"""
from __future__ import annotations

import contextlib
import math
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from analysis.lipschitz import LayerSpec
from analysis.nets.models import register_model

__all__ = [
    "sign_ste", "sign_ede", "BinaryConv2d", "BinaryBasicBlock", "BinaryResNet", "binary_resnet20",
    "binary_resnet18", "full_precision", "activations_to_rows", "retention_matrix_torch",
    "m_matrix", "power_iteration_torch", "top_eigenvalue_official", "BlockRecorder", "lcr_loss",
    "lcr_loss_direct", "LCRRegularizer", "lcr_gradient_scale", "count_layer_specs", "lcr_loss_hook", "weight_std_monitor",
    "CORRUPTIONS", "corrupt_images", "corruption_accuracy", "batch_similarity", "block_similarity_stats",
]


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


# ----------------------------------------------------------------------------- binary ResNets

class _PadShortcut(nn.Module):
    """Option-A shortcut: subsample by ``stride``, zero-pad channels c_in → c_out."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.stride, self.lo, self.hi = stride, (c_out - c_in) // 2, c_out - c_in - (c_out - c_in) // 2

    def forward(self, x):
        if self.stride > 1:
            x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, self.lo, self.hi))


class BinaryBasicBlock(nn.Module):
    """IR-Net basic block with binary 3×3 convolutions and hardtanh activations.

    bireal=False: y = htanh(BN(conv2(htanh(BN(conv1(x))))) + shortcut(x));
    bireal=True (Bi-Real, a shortcut around each conv): h = htanh(BN(conv1(x)) + shortcut(x)),
    y = htanh(BN(conv2(h)) + h). Shortcut: identity, option "A" (pad) or "B" (real 1×1 conv + BN,
    IR-Net's ImageNet downsample). (B, c_in, H, W) → (B, c_out, H/stride, W/stride).
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1, shortcut: str = "A", bireal: bool = False,
                 **conv_kw):
        super().__init__()
        self.conv1 = BinaryConv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False, **conv_kw)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = BinaryConv2d(c_out, c_out, 3, stride=1, padding=1, bias=False, **conv_kw)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.bireal = bireal
        if stride == 1 and c_in == c_out:
            self.shortcut = nn.Identity()
        elif shortcut == "A":
            self.shortcut = _PadShortcut(c_in, c_out, stride)
        elif shortcut == "B":
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
        else:
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")

    def forward(self, x):
        if self.bireal:
            h = F.hardtanh(self.bn1(self.conv1(x)) + self.shortcut(x))
            return F.hardtanh(self.bn2(self.conv2(h)) + h)
        h = F.hardtanh(self.bn1(self.conv1(x)))
        return F.hardtanh(self.bn2(self.conv2(h)) + self.shortcut(x))


class BinaryResNet(nn.Module):
    """Real-valued stem → stages of BinaryBasicBlocks → global average pool → real Linear.

    stem="cifar": 3×3 conv + BN + hardtanh; stem="imagenet": 7×7/2 conv + BN + hardtanh +
    3×3/2 max pool. ``blocks``: the residual blocks in forward order (what LCR hooks).
    """

    def __init__(self, widths: Sequence[int], n_blocks: Sequence[int], num_classes: int, in_channels: int,
                 stem: str = "cifar", shortcut: str = "A", bireal: bool = False, **conv_kw):
        super().__init__()
        c = widths[0]
        if stem == "cifar":
            self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                                      nn.Hardtanh())
        elif stem == "imagenet":
            self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 7, stride=2, padding=3, bias=False),
                                      nn.BatchNorm2d(c), nn.Hardtanh(), nn.MaxPool2d(3, stride=2, padding=1))
        else:
            raise ValueError(f"stem must be 'cifar' or 'imagenet', got {stem!r}")
        stages = []
        for i, (w, n) in enumerate(zip(widths, n_blocks)):
            layer = []
            for j in range(n):
                layer.append(BinaryBasicBlock(c, w, stride=2 if (i > 0 and j == 0) else 1, shortcut=shortcut,
                                              bireal=bireal, **conv_kw))
                c = w
            stages.append(nn.Sequential(*layer))
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(c, num_classes)

    @property
    def blocks(self) -> tuple[BinaryBasicBlock, ...]:
        return tuple(b for stage in self.stages for b in stage)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def _scaled(c: int, width: float) -> int:
    return max(1, int(round(c * width)))


@register_model("binary_resnet20")
def binary_resnet20(num_classes=10, in_channels=3, image_size=32, width=1.0, bireal=False, scale="channel",
                    backward="ste", binary_activations=True, shortcut="A"):
    """Binary ResNet-20 (IR-Net's CIFAR layout: 3 stages × 3 blocks, 16/32/64 channels × width,
    option-A shortcuts, real stem and fc). ``bireal=True`` is Table 2's "Ours-bireal" row."""
    widths = [_scaled(c, width) for c in (16, 32, 64)]
    return BinaryResNet(widths, [3, 3, 3], num_classes, in_channels, "cifar", shortcut, bireal,
                        scale=scale, backward=backward, binary_activations=binary_activations)


@register_model("binary_resnet18")
def binary_resnet18(num_classes=10, in_channels=3, image_size=32, width=1.0, stem=None, bireal=True,
                    scale="channel", backward="ste", binary_activations=True):
    """Binary ResNet-18 (IR-Net's: [2, 2, 2, 2] blocks of 64–512 channels × width, Bi-Real
    shortcuts, real 1×1 downsampling). stem None: "imagenet" when image_size ≥ 64, else "cifar"."""
    stem = stem or ("imagenet" if image_size >= 64 else "cifar")
    widths = [_scaled(c, width) for c in (64, 128, 256, 512)]
    return BinaryResNet(widths, [2, 2, 2, 2], num_classes, in_channels, stem, "B", bireal,
                        scale=scale, backward=backward, binary_activations=binary_activations)


# ----------------------------------------------------------------------------- Retention Matrix (torch)

def activations_to_rows(x_prev: torch.Tensor, x_next: torch.Tensor, convention: str = "per_sample"):
    """(B, C_in, H, W), (B, C_out, H', W') → rows (G, n, C_in), (G, n, C_out); see module docstring.

    The input map is average-pooled to (H', W') when it is larger (the official code's step).
    Rows are scaled by 1/√n so that M = rows_prevᵀ·rows_next is the official 1/HW-scaled product.
    """
    if x_prev.dim() != 4 or x_next.dim() != 4 or x_prev.shape[0] != x_next.shape[0]:
        raise ValueError(f"need (B, C, H, W) maps with the same B, got {tuple(x_prev.shape)} and {tuple(x_next.shape)}")
    if x_prev.shape[2:] != x_next.shape[2:]:
        if x_prev.shape[2] < x_next.shape[2] or x_prev.shape[3] < x_next.shape[3]:
            raise ValueError(f"the input map {tuple(x_prev.shape[2:])} is smaller than the output map "
                             f"{tuple(x_next.shape[2:])}; expected a block that keeps or reduces the size")
        x_prev = F.adaptive_avg_pool2d(x_prev, x_next.shape[2:])
    p = x_prev.flatten(2).transpose(1, 2)   # (B, HW, C_in)
    q = x_next.flatten(2).transpose(1, 2)   # (B, HW, C_out)
    if convention == "per_sample":
        n = p.shape[1]
    elif convention == "batch":
        p, q = p.reshape(1, -1, p.shape[2]), q.reshape(1, -1, q.shape[2])
        n = p.shape[1]
    else:
        raise ValueError(f"convention must be 'per_sample' or 'batch', got {convention!r}")
    s = 1.0 / math.sqrt(n)
    return p * s, q * s


def retention_matrix_torch(rows_prev: torch.Tensor, rows_next: torch.Tensor) -> torch.Tensor:
    """Batched channel-space RM (Eq. 8/10): M = rows_prevᵀ·rows_next (G, C_in, C_out), RM = MᵀM
    (G, C_out, C_out). The torch twin of ``analysis.lipschitz.retention_matrix(space="channel")``."""
    if rows_prev.dim() != 3 or rows_next.dim() != 3 or rows_prev.shape[:2] != rows_next.shape[:2]:
        raise ValueError(f"need rows (G, n, C_in) and (G, n, C_out), got {tuple(rows_prev.shape)}, {tuple(rows_next.shape)}")
    m = rows_prev.transpose(1, 2) @ rows_next
    return m.transpose(1, 2) @ m


def m_matrix(x_prev: torch.Tensor, x_next: torch.Tensor, convention: str = "per_sample") -> torch.Tensor:
    """M = rows_prevᵀ·rows_next (G, C_in, C_out) of ``activations_to_rows`` without forming the
    rows: one batched product of the (B, C, HW) views, summed over the batch for "batch". RM = MᵀM."""
    if x_prev.dim() != 4 or x_next.dim() != 4 or x_prev.shape[0] != x_next.shape[0]:
        raise ValueError(f"need (B, C, H, W) maps with the same B, got {tuple(x_prev.shape)} and {tuple(x_next.shape)}")
    if x_prev.shape[2:] != x_next.shape[2:]:
        if x_prev.shape[2] < x_next.shape[2] or x_prev.shape[3] < x_next.shape[3]:
            raise ValueError(f"the input map {tuple(x_prev.shape[2:])} is smaller than the output map "
                             f"{tuple(x_next.shape[2:])}; expected a block that keeps or reduces the size")
        x_prev = F.adaptive_avg_pool2d(x_prev, x_next.shape[2:])
    hw = x_next.shape[2] * x_next.shape[3]
    if convention == "per_sample":
        return torch.bmm(x_prev.flatten(2), x_next.flatten(2).transpose(1, 2)) / hw  # (B, C_in, C_out)
    if convention == "batch":  # per-sample products of the strided views, summed (no copies)
        m = torch.bmm(x_prev.flatten(2), x_next.flatten(2).transpose(1, 2))
        return m.sum(0, keepdim=True) / (hw * x_prev.shape[0])
    raise ValueError(f"convention must be 'per_sample' or 'batch', got {convention!r}")


def power_iteration_torch(rm: torch.Tensor, iters: int = 5) -> torch.Tensor:
    """Batched twin of ``analysis.lipschitz.power_iteration``: ``iters`` steps from the all-ones
    vector, then the Rayleigh quotient vᵀ·RM·v (G,). Differentiable through every step."""
    if rm.dim() != 3 or rm.shape[1] != rm.shape[2]:
        raise ValueError(f"need a batch of square matrices (G, d, d), got {tuple(rm.shape)}")
    if isinstance(iters, bool) or not isinstance(iters, int) or iters < 0:
        raise ValueError(f"iters must be an int >= 0, got {iters!r}")
    v = torch.ones(rm.shape[0], rm.shape[1], 1, dtype=rm.dtype, device=rm.device) / math.sqrt(rm.shape[1])
    for _ in range(iters):
        w = rm @ v
        v = w / w.norm(dim=1, keepdim=True).clamp_min(1e-30)
    return (v.transpose(1, 2) @ rm @ v)[:, 0, 0]


def top_eigenvalue_official(rm: torch.Tensor) -> torch.Tensor:
    """The official code's TopEigenvalue (one step from the unnormalised ones vector): √‖RM·1‖ (G,).
    Twin of ``analysis.lipschitz.power_iteration_official(m, 1)``."""
    ones = torch.ones(rm.shape[0], rm.shape[1], 1, dtype=rm.dtype, device=rm.device)
    return (rm @ ones).norm(dim=1)[:, 0].sqrt()


# ----------------------------------------------------------------------------- hooks and the loss

class BlockRecorder:
    """Forward hooks on ``blocks`` that keep each block's (input, output) of the last forward pass.

    Use as a context manager, or call ``remove()``; ``pairs`` is a list of (x_in, x_out) tensors
    (still in the autograd graph), one per block in forward order."""

    def __init__(self, blocks: Sequence[nn.Module]):
        if len(blocks) < 1:
            raise ValueError("need at least one block to record (the model's `blocks`)")
        self.pairs: list = [None] * len(blocks)
        self._handles = [b.register_forward_hook(self._hook(i)) for i, b in enumerate(blocks)]

    def _hook(self, i):
        def fn(module, inputs, output):
            self.pairs[i] = (inputs[0], output)
        return fn

    def clear(self):
        self.pairs = [None] * len(self.pairs)

    def remove(self):
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def lcr_loss(pairs_b, pairs_f, beta: float = 2.0, iters: int = 5, variant: str = "paper",
             convention: str = "batch") -> torch.Tensor:
    """L_Lip of Eq. 11 for K = len(pairs) retention matrices (k = 1…K, L = K + 1).

    pairs_b, pairs_f: lists of (x_in, x_out) maps of the binary and full-precision forward.
    variant="paper": Σ_k [(s_B^k/s_F^k − 1)·β^{k−L}]², s = λmax(RM) by ``iters`` power steps
        (the mean over groups when convention="per_sample").
    variant="official": Σ_k MSE(√‖RM_B·1‖, √‖RM_F·1‖)/2^{K−k} (LCR.py: square roots, one step,
        layer weights 2^{−(K−k)}), per-sample groups averaged by the MSE.
    RM_F is detached (the FP side is a target). Returns a 0-d tensor.
    """
    if len(pairs_b) != len(pairs_f) or len(pairs_b) < 1:
        raise ValueError(f"need the same non-zero number of binary and FP pairs, got {len(pairs_b)}, {len(pairs_f)}")
    if not beta > 1 and variant == "paper":
        raise ValueError(f"β must be > 1 (Eq. 11), got {beta}")
    K = len(pairs_b)
    L = K + 1
    rms_b, rms_f = [], []
    for (bi, bo), (fi, fo) in zip(pairs_b, pairs_f):
        mb = m_matrix(bi, bo, convention)
        rms_b.append(mb.transpose(1, 2) @ mb)
        with torch.no_grad():
            mf = m_matrix(fi.detach(), fo.detach(), convention)
            rms_f.append(mf.transpose(1, 2) @ mf)
    if variant == "paper":
        s_b, s_f = _grouped_eigs(rms_b, iters), _grouped_eigs(rms_f, iters)
        total = 0.0
        for k in range(1, K + 1):
            total = total + ((s_b[k - 1].mean() / s_f[k - 1].mean().clamp_min(1e-30) - 1.0) * beta ** (k - L)) ** 2
        return total
    if variant == "official":
        total = 0.0
        for k in range(1, K + 1):
            total = total + F.mse_loss(top_eigenvalue_official(rms_b[k - 1]),
                                       top_eigenvalue_official(rms_f[k - 1])) / 2 ** (K - k)
        return total
    raise ValueError(f"variant must be 'paper' or 'official', got {variant!r}")


def _grouped_eigs(rms: list, iters: int) -> list:
    """power_iteration_torch on every RM in ``rms`` (each (G, d, d)), batching RMs of equal size
    into one call (fewer, larger operations); returns the (G,) estimates in the input order."""
    groups: dict = {}
    for i, rm in enumerate(rms):
        groups.setdefault(tuple(rm.shape[1:]), []).append(i)
    out: list = [None] * len(rms)
    for idx in groups.values():
        vals = power_iteration_torch(torch.cat([rms[i] for i in idx]), iters)
        pos = 0
        for i in idx:
            g = rms[i].shape[0]
            out[i] = vals[pos:pos + g]
            pos += g
    return out


def lcr_loss_direct(pairs_b, pairs_f, beta: float = 2.0) -> torch.Tensor:
    """Eq. 11 written directly, one block at a time, with exact eigenvalues (torch.linalg.eigvalsh)
    and the batch convention: rows = all (sample, position) pairs, M = aᵀb/n, RM = MᵀM.
    The reference for ``lcr_loss(variant="paper", convention="batch")`` at convergence."""
    K = len(pairs_b)
    total = 0.0
    for k in range(1, K + 1):
        (bi, bo), (fi, fo) = pairs_b[k - 1], pairs_f[k - 1]
        vals = []
        for xi, xo in ((bi, bo), (fi.detach(), fo.detach())):
            if xi.shape[2:] != xo.shape[2:]:
                xi = F.adaptive_avg_pool2d(xi, xo.shape[2:])
            a = xi.permute(0, 2, 3, 1).reshape(-1, xi.shape[1])
            b = xo.permute(0, 2, 3, 1).reshape(-1, xo.shape[1])
            m = a.T @ b / a.shape[0]
            vals.append(torch.linalg.eigvalsh(m.T @ m)[-1])
        total = total + ((vals[0] / vals[1] - 1.0) * beta ** (k - (K + 1))) ** 2
    return total


def _sign_pairs(pairs, known=(), rows: int | None = None):
    """sgn (STE) of every map; a block's output that is the next block's input is signed once.

    known: (x, sgn(x)) pairs already computed in the forward pass (``BinaryConv2d.last_input_sign``):
    a map that is one of these x (the same tensor object) reuses that sign, and so its backward.
    rows: None, or keep only the first ``rows`` samples of every signed map."""
    done: dict[int, torch.Tensor] = {}
    keep = []  # the tensors whose ids are keys stay alive while `done` is in use
    for x, xb in known:
        if id(x) not in done:
            done[id(x)] = xb if rows is None else xb[:rows]
            keep.append(x)

    def sg(t):
        if id(t) not in done:
            done[id(t)] = sign_ste(t if rows is None else t[:rows])
            keep.append(t)
        return done[id(t)]
    return [(sg(i), sg(o)) for i, o in pairs]


class LCRRegularizer:
    """Records a model's block activations during its forward pass and returns λ/2·L_Lip (Eq. 12).

        reg = LCRRegularizer(model, lam=1.0, source="same_pass")
        logits = model(x)                   # hooks record the blocks
        loss = F.cross_entropy(logits, y) + reg.loss(x)

    source: "same_pass" | "latent" | "teacher" (module docstring; ``teacher`` needs a model with
    the same ``blocks`` structure). The RM_B side keeps its graph; RM_F is detached.
    rm_batch: None — RMs from the whole batch; an int b — from the first b samples only (a
    cheaper estimate of the same matrices: RM cost is linear in the rows).
    """

    def __init__(self, model: nn.Module, lam: float = 1.0, beta: float = 2.0, iters: int = 5,
                 source: str = "same_pass", variant: str = "paper", convention: str = "batch",
                 teacher: nn.Module | None = None, rm_batch: int | None = None):
        if source not in ("same_pass", "latent", "teacher"):
            raise ValueError(f"source must be 'same_pass', 'latent' or 'teacher', got {source!r}")
        if source == "teacher" and teacher is None:
            raise ValueError("source='teacher' needs a teacher model")
        if not lam >= 0:
            raise ValueError(f"λ must be >= 0, got {lam}")
        self.model, self.lam, self.beta, self.iters = model, float(lam), float(beta), int(iters)
        self.source, self.variant, self.convention, self.teacher = source, variant, convention, teacher
        if rm_batch is not None and (isinstance(rm_batch, bool) or not isinstance(rm_batch, int) or rm_batch < 1):
            raise ValueError(f"rm_batch must be None or an int >= 1, got {rm_batch!r}")
        self.rm_batch = rm_batch
        self.recorder = BlockRecorder(model.blocks)
        # same_pass: RM_B reuses the signs the binary convolutions compute for their inputs
        self._convs = [m for m in model.modules() if isinstance(m, BinaryConv2d)] if source == "same_pass" else []
        for m in self._convs:
            m.keep_input_sign = True

    def _fp_pairs(self, x):
        net = self.teacher if self.source == "teacher" else self.model
        with BlockRecorder(net.blocks) as rec, torch.no_grad():
            if self.source == "latent":
                was = net.training
                net.eval()  # keep BN running statistics untouched by the extra pass
                with full_precision(net):
                    net(x)
                net.train(was)
            else:
                net(x)
            return [(i.detach(), o.detach()) for i, o in rec.pairs]

    def loss(self, x: torch.Tensor | None = None) -> torch.Tensor:
        """λ/2·L_Lip for the forward pass just recorded; ``x`` is needed for "latent"/"teacher"."""
        pairs = list(self.recorder.pairs)
        if any(p is None for p in pairs):
            raise ValueError("no forward pass recorded: call model(x) before reg.loss()")
        if self.source == "same_pass":
            known = [m.last_input_sign for m in self._convs if m.last_input_sign is not None]
            pairs_b = _sign_pairs(pairs, known, self.rm_batch)
        if self.rm_batch is not None:
            pairs = [(i[:self.rm_batch], o[:self.rm_batch]) for i, o in pairs]
            x = None if x is None else x[:self.rm_batch]
        if self.source == "same_pass":
            pairs_f = [(i.detach(), o.detach()) for i, o in pairs]
        else:
            if x is None:
                raise ValueError(f"source={self.source!r} needs the input batch x")
            pairs_f = self._fp_pairs(x)
            pairs_b = pairs
        return self.lam / 2 * lcr_loss(pairs_b, pairs_f, self.beta, self.iters, self.variant, self.convention)

    def remove(self):
        self.recorder.remove()
        for m in self._convs:
            m.keep_input_sign, m.last_input_sign = False, None


def lcr_gradient_scale(model: nn.Module, x: torch.Tensor, y: torch.Tensor, lam: float = 1.0, **reg_kw) -> dict:
    """How large the LCR term's gradient is next to the cross-entropy's, for one batch (x, y).

    One forward pass of ``model`` (in its current mode), L_CE and λ/2·L_Lip (``LCRRegularizer``
    with ``reg_kw``); gradients of each with respect to the latent weights of every BinaryConv2d.
    Returns {"ce": L_CE, "lcr": λ/2·L_Lip, "grad_norm_ce": ‖∇L_CE‖, "grad_norm_lcr": ‖∇λ/2·L_Lip‖
    (Frobenius norms over all those weights), "ratio": their quotient, "per_layer_ratio":
    {name: quotient for that layer}}. The LCR gradient is linear in λ, so ratio(λ) = λ·ratio(1)."""
    named = [(n, m.weight) for n, m in model.named_modules() if isinstance(m, BinaryConv2d)]
    if not named:
        raise ValueError("the model has no BinaryConv2d layer")
    reg = LCRRegularizer(model, lam=lam, **reg_kw)
    try:
        ce = F.cross_entropy(model(x), y)
        lcr = reg.loss(x)
        params = [w for _, w in named]
        g_ce = torch.autograd.grad(ce, params, retain_graph=True)
        g_lcr = torch.autograd.grad(lcr, params, allow_unused=True)
    finally:
        reg.remove()
    g_lcr = [torch.zeros_like(p) if g is None else g for p, g in zip(params, g_lcr)]
    n_ce = float(torch.sqrt(sum((g * g).sum() for g in g_ce)))
    n_lcr = float(torch.sqrt(sum((g * g).sum() for g in g_lcr)))
    return {"ce": float(ce.detach()), "lcr": float(lcr.detach()), "grad_norm_ce": n_ce, "grad_norm_lcr": n_lcr,
            "ratio": n_lcr / n_ce if n_ce > 0 else float("inf"),
            "per_layer_ratio": {n: float(b.norm() / a.norm()) if float(a.norm()) > 0 else float("inf")
                                for (n, _), a, b in zip(named, g_ce, g_lcr)}}


# ----------------------------------------------------------------------------- operation counts

def count_layer_specs(model: nn.Module, input_shape: Sequence[int]) -> list[LayerSpec]:
    """The Conv2d/Linear layers one forward pass of a (1, *input_shape) input runs, as LayerSpec
    (binary: a BinaryConv2d not in full precision), for ``analysis.lipschitz.count_bops_flops``."""
    specs: list[LayerSpec] = []

    def hook(name):
        def fn(m, inp, out):
            if isinstance(m, nn.Conv2d):
                if m.kernel_size[0] != m.kernel_size[1] or m.groups != 1:
                    raise ValueError(f"{name}: only square, ungrouped kernels are counted")
                binary = isinstance(m, BinaryConv2d) and not m.full_precision
                specs.append(LayerSpec(name, m.in_channels, m.out_channels, m.kernel_size[0],
                                       out.shape[2], out.shape[3], binary))
            else:
                specs.append(LayerSpec(name, m.in_features, m.out_features, 1, 1, 1, False))
        return fn

    handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, *input_shape))
    finally:
        for h in handles:
            h.remove()
        model.train(was)
    return specs


# ----------------------------------------------------------------------------- trainer hooks

def lcr_loss_hook(spec: dict, env):
    """Loss hook for the one trainer (``extra_losses: [{name: "analysis.nets.binary:lcr_loss_hook",
    weight: 1, lam: λ, ...}]``): the term ``lcr`` = λ/2·L_Lip (Eq. 12) of the step's forward pass.

    Parameters (all optional): lam (1.0), beta (2.0), iters (5), source ("same_pass" | "latent"),
    variant ("paper" | "official"), convention ("batch" | "per_sample"), rm_batch (None).
    The block recorder is attached at the first step; that step's activations are recorded by one
    extra forward pass of the same batch (its BN statistics update counts once more), every later
    step reuses the trainer's own forward pass.
    """
    allowed = {"lam": 1.0, "beta": 2.0, "iters": 5, "source": "same_pass", "variant": "paper",
               "convention": "batch", "rm_batch": None}
    extra = sorted(set(spec) - {"name", "weight"} - set(allowed))
    if extra:
        raise ValueError(f"lcr loss hook: unknown parameter(s) {extra}; allowed {sorted(allowed)}")
    p = {k: spec.get(k, v) for k, v in allowed.items()}
    if p["source"] == "teacher":
        raise ValueError("lcr loss hook: source 'teacher' is not available as a hook (use 'same_pass' or 'latent')")
    state: dict = {}

    def terms(step) -> dict:
        reg = state.get("reg")
        if reg is None or reg.model is not step.model:
            reg = LCRRegularizer(step.model, lam=float(p["lam"]), beta=float(p["beta"]), iters=int(p["iters"]),
                                 source=p["source"], variant=p["variant"], convention=p["convention"],
                                 rm_batch=p["rm_batch"])
            state["reg"] = reg
            step.model(step.x)  # record this first step (the trainer's forward ran before the hooks)
        return {"lcr": reg.loss(step.x)}
    return terms


def weight_std_monitor(spec: dict, env):
    """Monitor hook: std of the latent (pre-binarisation) weights of every BinaryConv2d,
    ``wstd.<module name>`` — Fig. 2's statistic."""
    def measure(model) -> dict:
        with torch.no_grad():
            return {f"wstd.{n}": float(m.weight.std()) for n, m in model.named_modules()
                    if isinstance(m, BinaryConv2d)}
    return measure


# ----------------------------------------------------------------------------- robustness (Table 6 at quick scale)

# Synthetic corruptions of [0, 1] images, severities 1…5. Gaussian noise and contrast use
# ImageNet-C's (Hendrycks & Dietterich 2019) values; the blur widths are ImageNet-C's (1, 2, 3, 4, 6)
# pixels at 224 px, re-chosen for 28-px images (a reading: the paper tests only ImageNet-C).
CORRUPTIONS = {
    "gaussian_noise": (0.08, 0.12, 0.18, 0.26, 0.38),   # noise std
    "gaussian_blur": (0.5, 0.75, 1.0, 1.5, 2.0),         # blur std in pixels
    "contrast": (0.4, 0.3, 0.2, 0.1, 0.05),              # contrast factor about each image's mean
}


def corrupt_images(x01, kind: str, severity: int, seed: int = 0):
    """Corrupted copy of images x01 (n, C, H, W) with values in [0, 1], clipped to [0, 1].

    gaussian_noise: x + N(0, s²) (Generator from ``seed``); gaussian_blur: Gaussian filter of
    std s pixels on each image plane (scipy.ndimage, reflect border); contrast: (x − mean)·s + mean
    with the mean over each image's pixels."""
    import numpy as np
    from scipy.ndimage import gaussian_filter

    if kind not in CORRUPTIONS:
        raise ValueError(f"corruption must be one of {sorted(CORRUPTIONS)}, got {kind!r}")
    if isinstance(severity, bool) or not isinstance(severity, int) or not 1 <= severity <= 5:
        raise ValueError(f"severity must be an int 1..5, got {severity!r}")
    x = np.asarray(x01, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"images must be (n, C, H, W), got shape {x.shape}")
    s = CORRUPTIONS[kind][severity - 1]
    if kind == "gaussian_noise":
        y = x + np.random.default_rng(seed).normal(0.0, s, x.shape)
    elif kind == "gaussian_blur":
        y = gaussian_filter(x, sigma=(0, 0, s, s), mode="reflect")
    else:
        m = x.mean(axis=(1, 2, 3), keepdims=True)
        y = (x - m) * s + m
    return np.clip(y, 0.0, 1.0)


def corruption_accuracy(model: nn.Module, cfg, data_dir=None, out=None, batch_size: int = 500) -> dict:
    """Test accuracy of ``model`` on the clean and corrupted test set of run config ``cfg``
    (the same test subset and normalisation as the trainer): {"clean": acc, kind: [acc per
    severity 1…5], "mean_corrupted": mean over kinds and severities}."""
    import numpy as np

    from .data import DATASETS, channel_statistics, load_dataset, normalization, subset
    from .train import _ensure_synthetic

    if cfg.synthetic is not None:
        if out is None:
            raise ValueError("a synthetic-data config needs the results root `out`")
        data_dir = _ensure_synthetic(cfg, out)
    test = load_dataset(cfg.dataset, "test", data_dir)
    if cfg.test_subset is not None and cfg.test_subset < len(test):
        test = subset(test, cfg.test_subset, seed=0)
    mean, std = normalization(test.name) if test.name in DATASETS else channel_statistics(test)
    mean = np.asarray(mean).reshape(1, -1, 1, 1)
    std = np.asarray(std).reshape(1, -1, 1, 1)
    x01 = test.x.astype(np.float64) / 255.0
    y = torch.from_numpy(test.y.copy())

    def acc(images01) -> float:
        xt = torch.from_numpy(((images01 - mean) / std).astype(np.float32))
        was = model.training
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, xt.shape[0], batch_size):
                correct += int((model(xt[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum())
        model.train(was)
        return correct / xt.shape[0]

    res = {"clean": acc(x01)}
    for k_i, kind in enumerate(sorted(CORRUPTIONS)):
        res[kind] = [acc(corrupt_images(x01, kind, s, seed=100 * k_i + s)) for s in range(1, 6)]
    res["mean_corrupted"] = float(np.mean([v for kind in CORRUPTIONS for v in res[kind]]))
    return res


# ----------------------------------------------------------------------------- Fig. 3: the independence assumption

def batch_similarity(acts) -> dict:
    """Similarity of the samples of one batch of activations acts (B, …) (Fig. 3 / Eq. 7).

    Returns {"pearson": (B, B) correlation matrix of the flattened samples (Fig. 3's maps),
    "cosine": (B, B) normalised inner products a_iᵀa_j/(‖a_i‖‖a_j‖) (Eq. 7's quantity),
    "mean_abs_offdiag_pearson", "mean_abs_offdiag_cosine"} as numpy float64."""
    import numpy as np

    a = np.asarray(acts.detach().double().flatten(1).cpu().numpy() if torch.is_tensor(acts) else acts, dtype=np.float64)
    a = a.reshape(a.shape[0], -1)
    if a.shape[0] < 2:
        raise ValueError(f"need at least 2 samples, got {a.shape[0]}")
    centred = a - a.mean(1, keepdims=True)
    cn = np.linalg.norm(centred, axis=1, keepdims=True)
    n = np.linalg.norm(a, axis=1, keepdims=True)
    pear = (centred / np.where(cn > 0, cn, 1)) @ (centred / np.where(cn > 0, cn, 1)).T
    cos = (a / np.where(n > 0, n, 1)) @ (a / np.where(n > 0, n, 1)).T
    off = ~np.eye(a.shape[0], dtype=bool)
    return {"pearson": pear, "cosine": cos, "mean_abs_offdiag_pearson": float(np.abs(pear[off]).mean()),
            "mean_abs_offdiag_cosine": float(np.abs(cos[off]).mean())}


def block_similarity_stats(model: nn.Module, x: torch.Tensor) -> dict:
    """Per residual block: batch_similarity of its real-valued output and of its sign (the binary
    activations the next block's convolution sees), for one batch x (eval mode, no gradient).
    Returns {"block<i>": {"real": {...means...}, "binary": {...}}} without the matrices."""
    was = model.training
    model.eval()
    try:
        with BlockRecorder(model.blocks) as rec, torch.no_grad():
            model(x)
            pairs = list(rec.pairs)
    finally:
        model.train(was)
    out = {}
    for i, (_, o) in enumerate(pairs):
        real = batch_similarity(o)
        binary = batch_similarity(_sgn(o))
        out[f"block{i}"] = {k: {m: v[m] for m in ("mean_abs_offdiag_pearson", "mean_abs_offdiag_cosine")}
                            for k, v in (("real", real), ("binary", binary))}
    return out
