"""Torch twins of the papers' losses (differentiable; the numpy originals live in ``analysis``).

Convolutional Similarity (paper ``001_c78483e5af3a21c6.txt``, Eq. 10): :func:`convsim_loss`
is the twin of :func:`analysis.convsim.convsim_loss` and uses the same linear-cost form.
"""
from __future__ import annotations

import itertools

import torch

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
