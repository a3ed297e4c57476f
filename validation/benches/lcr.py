"""Bench `lcr`: training-time overhead of the LCR regulariser (never part of the ledger).

``lcr_overhead_ratio``: one SGD training step (momentum 0.9, weight decay 1e-4 — §4's CIFAR
setting; batch 128 of Fashion-MNIST-shaped 1×28×28 inputs, synthetic values; CPU) of binary
ResNet-20 with the LCR loss (Eq. 11–12, λ = 1, β = 2, 5 power iterations, one RM per residual
block, batch convention) over the same step without it; interleaved medians in one process, one torch thread.
The full-precision activations of RM_F come from the same forward pass (``source="same_pass"``,
Algorithm 1's reading: the block's real-valued input/output, their signs for RM_B — the very sign
tensors the binary convolutions compute, reused), so the overhead is only the 9 RMs, their power
iterations and their backward. The paper reports about 20% extra
training time (§5, Limitations); the goal here is ≤ 1.15.

``lcr_overhead_ratio_latent`` and ``lcr_overhead_ratio_teacher``: the same with RM_F from a
second, gradient-free forward pass — of the same network in full precision (latent weights), or
of a separate full-precision ResNet-20 (the official code's design) — the cost of that pass.
``lcr_overhead_ratio_rm32``: same-pass RMs from the first 32 of the 128 samples (``rm_batch=32``).
``spectral_peers_s_per_call``: seconds per call of each conv spectral-norm estimator (issue 15 §4a:
exact circular via the rfft2 half plane and via the full fft2, zero-padding power iteration (100 steps),
torch-style reshaped estimate (1 and 100 steps), the √(k1k2)·‖W_mat‖ bound, the RM estimates from
M) on ResNet-20's first-stage (16→16, 3×3 at 32×32) and last-stage (64→64 at 8×8) layers, float64 numpy.
``--episodes N`` (or ``--repeats``) sets the number of interleaved rounds (default 15: on this
shared 2-core machine single rounds scatter by ±10%, and 5 rounds moved the ratio by ±0.1).
"""
from __future__ import annotations

from validation.registry import SuiteContext, register_bench
from validation.timing import interleaved_median


def _repeats(ctx: SuiteContext, default: int) -> int:
    r = ctx.options.get("repeats")
    if r is None:
        r = ctx.episodes if ctx.episodes is not None else default
    return max(1, int(r))


@register_bench("lcr")
def bench(ctx: SuiteContext, batch: int = 128) -> dict:
    """lcr_overhead_ratio (same-pass FP activations), and the latent / teacher variants."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a shared 2-core machine: one intra-op thread gives steadier ratios
    try:
        return {**_measure(ctx, batch), "spectral_peers_s_per_call": spectral_peer_times(ctx)}
    finally:
        torch.set_num_threads(threads)


def _measure(ctx: SuiteContext, batch: int) -> dict:
    import torch
    import torch.nn.functional as F

    from analysis.nets.losses import LCRRegularizer
    from analysis.nets.models import build_model

    gen = torch.Generator().manual_seed(ctx.seed)
    x = torch.randn(batch, 1, 28, 28, generator=gen)
    y = torch.randint(0, 10, (batch,), generator=gen)

    def make(source, rm_batch=None):
        torch.manual_seed(ctx.seed)
        model = build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=28)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
        reg = None
        if source is not None:
            teacher = build_model("resnet20", num_classes=10, in_channels=1, image_size=28) \
                if source == "teacher" else None
            reg = LCRRegularizer(model, lam=1.0, beta=2.0, iters=5, source=source, teacher=teacher,
                                 rm_batch=rm_batch)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            if reg is not None:
                loss = loss + reg.loss(x)
            loss.backward()
            opt.step()
        return step

    funcs = {"plain": make(None), "same_pass": make("same_pass"), "same_pass_rm32": make("same_pass", 32),
             "latent": make("latent"), "teacher": make("teacher")}
    t = interleaved_median(funcs, repeats=_repeats(ctx, 15), warmup=1)
    return {"lcr_overhead_ratio": t["same_pass"] / t["plain"],
            "lcr_overhead_ratio_rm32": t["same_pass_rm32"] / t["plain"],
            "lcr_overhead_ratio_latent": t["latent"] / t["plain"],
            "lcr_overhead_ratio_teacher": t["teacher"] / t["plain"],
            "plain_step_s": t["plain"], "step_batch": batch, "model": "binary_resnet20 (width 1, 1x28x28)",
            "fp_activations": "same forward pass (Algorithm 1 reading; the convolutions' own signs reused)", "goal": "<= 1.15",
            "torch_threads": torch.get_num_threads()}


def spectral_peer_times(ctx: SuiteContext) -> dict:
    """Median seconds per call of each spectral-norm estimator, per layer shape (interleaved)."""
    import math

    import numpy as np

    from analysis import lipschitz as lp

    rng = np.random.default_rng(ctx.seed)
    out = {}
    for tag, (c, hw) in {"16x16_at_32x32": (16, 32), "64x64_at_8x8": (64, 8)}.items():
        k = rng.standard_normal((c, c, 3, 3)) * math.sqrt(2.0 / (9 * c))
        m = rng.standard_normal((c, c))
        rm = m.T @ m
        funcs = {"circular_rfft2_half": lambda: lp.conv_spectral_norm_circular(k, (hw, hw)),
                 "circular_fft2_full": lambda: lp.conv_spectral_norm_circular(k, (hw, hw), half=False),
                 "zero_padding_100": lambda: lp.conv_spectral_norm_zero(k, (hw, hw), "same", iters=100),
                 "reshaped_1": lambda: lp.reshaped_spectral_norm(k, 1),
                 "reshaped_100": lambda: lp.reshaped_spectral_norm(k, 100),
                 "bound_sqrt_k": lambda: lp.conv_norm_bound_sqrt_k(k),
                 "rm_official_1step": lambda: lp.power_iteration_official(rm, 1),
                 "rm_converged": lambda: float(np.linalg.eigvalsh(rm)[-1])}
        out[tag] = interleaved_median(funcs, repeats=_repeats(ctx, 5), warmup=1)
    return out
