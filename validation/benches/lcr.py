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
        return _measure(ctx, batch)
    finally:
        torch.set_num_threads(threads)


def _measure(ctx: SuiteContext, batch: int) -> dict:
    import torch
    import torch.nn.functional as F

    from analysis.nets.binary import LCRRegularizer
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
