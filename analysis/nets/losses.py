"""Torch twins of the papers' losses (differentiable; the numpy originals live in ``analysis``).

Convolutional Similarity (paper ``001_c78483e5af3a21c6.txt``, Eq. 10): :func:`convsim_loss`
is the twin of :func:`analysis.convsim.convsim_loss` and uses the same linear-cost form.

LCR-BNN (paper ``002_47c586d046ef3995.txt``, Eq. 8–12): the Retention Matrix on torch activations
(``activations_to_rows``, ``retention_matrix_torch``, ``m_matrix``, ``power_iteration_torch``,
``top_eigenvalue_official``), the loss ``lcr_loss`` (Eq. 11 and the official code's variant),
``LCRRegularizer`` (λ/2·L_Lip of Eq. 12 on a model's forward pass), ``lcr_gradient_scale`` and the
trainer hook ``lcr_loss_hook``. Conventions and the readings of RM_F:

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

import itertools
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["convsim_loss"]

_PAIRS = ("all", "adjacent")
_CHANNELS = ("all", "same")


def _autocorrelations(weight: torch.Tensor) -> torch.Tensor:
    """A[s, c] = K_s[c] ⊛ K_s[c] on lags 1−N…N−1 (per axis): (S, C, (2N−1)^nd), lags flattened.

    (K ⊛ K)[d] = Σ_t K[t]·K[t+d]: one slice-product-sum per lag d on the weight laid out as
    (N…, S, C), so every product runs over contiguous S·C blocks; nothing larger than the
    weight is allocated per lag. Interleaved timings on a (256, 256, 3, 3) float64 weight,
    forward + backward: this layout was 2.4× faster than slicing the (S, C, N, N) layout and
    5.7× faster than gathering all products; a grouped F.conv2d (S·C groups) gives the same
    numbers but its float64 CPU path took 150 s forward + backward on (512, 512, 3, 3).
    """
    nd = weight.dim() - 2
    n = weight.shape[-1]
    spatial_first = weight.permute(*range(2, 2 + nd), 0, 1).contiguous()  # (N…, S, C)
    lags = []
    for lag in itertools.product(range(1 - n, n), repeat=nd):
        sa = tuple(slice(max(0, -d), min(n, n - d)) for d in lag)
        sb = tuple(slice(max(0, -d) + d, min(n, n - d) + d) for d in lag)
        lags.append((spatial_first[sa] * spatial_first[sb]).sum(dim=tuple(range(nd))))
    return torch.stack(lags, dim=-1)  # (S, C, L)


def convsim_loss(weight: torch.Tensor, pairs: str = "all", channels: str = "all",
                 check_finite: bool = True) -> torch.Tensor:
    """L_CS of Eq. 10 for a Conv2d weight (S, C, N, N) or a Conv1d weight (S, C, N) → 0-d tensor.

    Σ_{i<j} Σ_{c1,c2} Σ_n (K_i[c1] ⊛ K_j[c2])[n]², computed as in
    :func:`analysis.convsim.convsim_loss` from Σ_n (a⊛b)[n]² = ⟨a⊛a, b⊛b⟩: with
    R_i = Σ_c K_i[c] ⊛ K_i[c], pairs="all" gives (‖Σ_i R_i‖² − Σ_i ‖R_i‖²)/2 and
    pairs="adjacent" gives Σ_i ⟨R_i, R_{i+1}⟩; channels="same" uses each channel's
    autocorrelation in place of R_i. Cost linear in S and C; differentiable (autograd);
    the dtype and device are those of ``weight``. S = 1 gives 0 (still attached to the graph).
    ``check_finite=False`` skips the NaN/inf check (a device synchronisation on a GPU) for
    training loops that call this every step.
    """
    if not isinstance(weight, torch.Tensor):
        raise ValueError(f"weight must be a torch.Tensor, got {type(weight).__name__}")
    if weight.dim() not in (3, 4):
        raise ValueError(f"weight must have shape (S, C, N) or (S, C, N, N), got {tuple(weight.shape)}")
    if weight.dim() == 4 and weight.shape[2] != weight.shape[3]:
        raise ValueError(f"2-D kernels must be square (S, C, N, N), got {tuple(weight.shape)}")
    if weight.numel() == 0:
        raise ValueError(f"weight must not be empty, got shape {tuple(weight.shape)}")
    if not weight.is_floating_point():
        raise ValueError(f"weight must be a floating-point tensor, got dtype {weight.dtype}")
    if check_finite and not bool(torch.isfinite(weight.detach()).all()):
        raise ValueError("weight contains NaN or inf values; all entries must be finite")
    if not isinstance(pairs, str) or pairs not in _PAIRS:
        raise ValueError(f'pairs must be "all" or "adjacent", got {pairs!r}')
    if not isinstance(channels, str) or channels not in _CHANNELS:
        raise ValueError(f'channels must be "all" or "same", got {channels!r}')
    if weight.shape[0] == 1:
        return (weight * 0.0).sum()
    auto = _autocorrelations(weight)                               # (S, C, L)
    terms = auto.sum(dim=1) if channels == "all" else auto         # (S, L) or (S, C, L)
    if pairs == "all":
        total = terms.sum(dim=0)
        return 0.5 * ((total * total).sum() - (terms * terms).sum())
    return (terms[:-1] * terms[1:]).sum()


# The distillation twins live in their own module; re-exported here so that every torch twin of a
# numpy loss is importable from analysis.nets.losses (DESIGN.md).
from .distill_losses import binary_kl, binary_kl_norm, kd_loss, pcgrad, pcgrad_per_row  # noqa: E402

__all__ += ["kd_loss", "binary_kl", "binary_kl_norm", "pcgrad", "pcgrad_per_row"]


# ============================================================================================= LCR-BNN


from .lcr_probes import BlockRecorder  # noqa: E402
from .sign import BinaryConv2d, full_precision, sign_ste  # noqa: E402

__all__ += ["activations_to_rows", "retention_matrix_torch", "m_matrix", "power_iteration_torch",
            "top_eigenvalue_official", "lcr_loss", "lcr_loss_direct", "LCRRegularizer", "lcr_gradient_scale",
            "lcr_loss_hook"]


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


LCR_SCALES = ("eq12", "official")
OFFICIAL_LCR_DIVISOR = 10000.0  # 42Shawn/LCR_BNN LCR/imagenet/main.py:291: alpha * loss_lcr.sum() / batch_size / 10000


class LCRRegularizer:
    """Records a model's block activations during its forward pass and returns λ/2·L_Lip (Eq. 12).

        reg = LCRRegularizer(model, lam=1.0, source="same_pass")
        logits = model(x)                   # hooks record the blocks
        loss = F.cross_entropy(logits, y) + reg.loss(x)

    source: "same_pass" | "latent" | "teacher" (module docstring; ``teacher`` needs a model with
    the same ``blocks`` structure). The RM_B side keeps its graph; RM_F is detached.
    rm_batch: None — RMs from the whole batch; an int b — from the first b samples only (a
    cheaper estimate of the same matrices: RM cost is linear in the rows).
    scale: how λ weights L_Lip — "eq12" (default): λ/2·L_Lip, Eq. 12 as printed; "official": the
    official code's ``args.alpha * loss_lcr.sum() / args.batch_size / 10000`` (42Shawn/LCR_BNN
    LCR/imagenet/main.py:291; α = ``lam``, its default 8 in utils/options.py), i.e. λ·L_Lip/(B·10⁴)
    with B the size of the batch ``x`` passed to :meth:`loss` (``x`` is then required). That code is
    the ImageNet code; the same scaling for CIFAR is an inference.
    """

    def __init__(self, model: nn.Module, lam: float = 1.0, beta: float = 2.0, iters: int = 5,
                 source: str = "same_pass", variant: str = "paper", convention: str = "batch",
                 teacher: nn.Module | None = None, rm_batch: int | None = None, scale: str = "eq12"):
        if scale not in LCR_SCALES:
            raise ValueError(f"scale must be one of {LCR_SCALES}, got {scale!r}")
        self.scale = scale
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
        """λ/2·L_Lip (scale "eq12") or λ·L_Lip/(B·10⁴) (scale "official") for the forward pass just
        recorded; ``x`` is needed for "latent"/"teacher" and for scale "official"."""
        if self.scale == "official" and x is None:
            raise ValueError("scale='official' needs the input batch x (its size B divides the loss)")
        batch = None if x is None else int(x.shape[0])
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
        lip = lcr_loss(pairs_b, pairs_f, self.beta, self.iters, self.variant, self.convention)
        if self.scale == "official":
            return self.lam * lip / batch / OFFICIAL_LCR_DIVISOR
        return self.lam / 2 * lip

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


# ----------------------------------------------------------------------------- trainer hook

def lcr_loss_hook(spec: dict, env):
    """Loss hook for the one trainer (``extra_losses: [{name: lcr.loss, weight: 1, lam: λ, ...}]``; the
    short name of :mod:`analysis.nets.hook_names`, legacy alias ``"analysis.nets.binary:lcr_loss_hook"``): the term ``lcr`` = λ/2·L_Lip (Eq. 12) of the step's forward pass,
    or λ·L_Lip/(B·10⁴) with ``scale: official`` (the official code's weighting, α = λ).

    Parameters (all optional): lam (1.0), beta (2.0), iters (5), source ("same_pass" | "latent" |
    "teacher"), variant ("paper" | "official"), convention ("batch" | "per_sample"), rm_batch (None),
    scale ("eq12" | "official"), teacher (with source "teacher": a mapping of the teacher's
    TrainConfig fields — a full-precision network with the same ``blocks`` layout, e.g. ``resnet20``
    for ``binary_resnet20``; its run is found in the results root or trained first, as the
    ``run`` teacher hook does, then frozen in eval mode: the official code's pretrained
    ``resnet18_fp``).
    The block recorder is attached at the first step; that step's activations are recorded by one
    extra forward pass of the same batch (its BN statistics update counts once more), every later
    step reuses the trainer's own forward pass.
    """
    allowed = {"lam": 1.0, "beta": 2.0, "iters": 5, "source": "same_pass", "variant": "paper",
               "convention": "batch", "rm_batch": None, "scale": "eq12", "teacher": None}
    extra = sorted(set(spec) - {"name", "weight"} - set(allowed))
    if extra:
        raise ValueError(f"lcr loss hook: unknown parameter(s) {extra}; allowed {sorted(allowed)}")
    p = {k: spec.get(k, v) for k, v in allowed.items()}
    if p["scale"] not in LCR_SCALES:
        raise ValueError(f"lcr loss hook: scale must be one of {LCR_SCALES}, got {p['scale']!r}")
    if p["source"] == "teacher" and not isinstance(p["teacher"], dict):
        raise ValueError("lcr loss hook: source 'teacher' needs 'teacher': a mapping of the teacher run's "
                         "TrainConfig fields")
    if p["source"] != "teacher" and p["teacher"] is not None:
        raise ValueError("lcr loss hook: 'teacher' is only used with source 'teacher'")
    state: dict = {}

    def teacher_model(device):
        if "teacher" not in state:
            from analysis.nets.config import from_dict

            if env is None or env.out is None or env.ensure_run is None:
                raise ValueError("lcr loss hook: source 'teacher' needs the trainer's results root and ensure_run")
            run = env.ensure_run(from_dict(dict(p["teacher"])), env.out, data_dir=env.data_dir, progress=False)
            t = run.load_model().to(device).eval()
            for q in t.parameters():
                q.requires_grad_(False)
            if len(getattr(t, "blocks", ())) < 1:
                raise ValueError("lcr loss hook: the teacher model has no `blocks`")
            state["teacher"] = t
        return state["teacher"]

    def terms(step) -> dict:
        reg = state.get("reg")
        if reg is None or reg.model is not step.model:
            teacher = teacher_model(step.x.device) if p["source"] == "teacher" else None
            reg = LCRRegularizer(step.model, lam=float(p["lam"]), beta=float(p["beta"]), iters=int(p["iters"]),
                                 source=p["source"], variant=p["variant"], convention=p["convention"],
                                 teacher=teacher, rm_batch=p["rm_batch"], scale=p["scale"])
            state["reg"] = reg
            step.model(step.x)  # record this first step (the trainer's forward ran before the hooks)
        return {"lcr": reg.loss(step.x)}
    return terms
