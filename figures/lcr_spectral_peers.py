"""lcr peers (issue 15 §4a): every conv layer's spectral-norm estimates beside the exact circular norm.

No training: a freshly initialised binary ResNet-20 (seeded; latent fp and binarised kernels) on
N(0, 1) CIFAR-size inputs (batch 8). For each conv layer at its real input size,
``analysis.lipschitz.conv_spectral_peers`` gives the exact circular-padding operator norm (rfft2
half plane), the zero-padding power iteration (100 steps), the Retention-Matrix estimates (official
1 step, converged; official 'batch' convention), torch's spectral_norm estimate on the reshaped
matrix (1 and 100 steps) and the √(k1k2)·‖W_mat‖ bound; plotted as ratios to the exact norm, per
layer. The lcr suite's ``lcr.peers.spectral_norm.*`` claims compute the same numbers.
Files under ``<out>/figures/lcr_spectral_peers/``: ``spectral_peers.png/.pdf`` and ``.csv/.md``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis import lipschitz as lp

from .common import FigureContext, distinct_styles, figure_dir, save_figure, stamp, write_table

ID = "lcr_spectral_peers"
TITLE = "lcr peers: conv spectral-norm estimators / exact circular norm, binary ResNet-20 (fresh init)"
EXPERIMENT = None
ESTIMATES = (("zero_padding", "zero padding (power it., 100)"), ("rm_official_1step", "RM, official 1 step"),
             ("rm_converged", "RM, converged"), ("reshaped_1", "spectral_norm W_mat, 1 it."),
             ("reshaped_100", "spectral_norm W_mat, 100 it."), ("bound_sqrt_k", "√(k1k2)·‖W_mat‖"))


def layer_rows(seed: int = 0) -> list[dict]:
    """One row per (kernel kind, conv layer): the estimates and their ratios to the circular norm."""
    import torch

    from analysis.nets.losses import m_matrix
    from analysis.nets.models import build_model

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = build_model("binary_resnet20", num_classes=10, in_channels=3, image_size=32).eval()
        x = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(seed))
        recs, hooks = [], []
        for name, mod in model.named_modules():
            if isinstance(mod, torch.nn.Conv2d):
                hooks.append(mod.register_forward_hook(
                    lambda m, i, o, name=name: recs.append((name, m, i[0].detach(), o.detach()))))
        with torch.no_grad():
            model(x)
        for h in hooks:
            h.remove()
    rows = []
    for j, (name, m, xi, yo) in enumerate(recs):
        with torch.no_grad():
            kb = m.binary_weight() if hasattr(m, "binary_weight") else m.weight
        mm = m_matrix(xi.double(), yo.double(), "batch")[0].numpy()
        for kind, k in (("fp", m.weight.detach().double().numpy()), ("binary", kb.detach().double().numpy())):
            p = lp.conv_spectral_peers(k, tuple(xi.shape[2:]), m=mm, zero_iters=100, seed=seed + j)
            rows.append({"kernels": kind, "layer_index": j, "layer": name, "input_hw": int(xi.shape[2]),
                         "c_in": int(k.shape[1]), "c_out": int(k.shape[0]), "circular": p["circular"],
                         **{f"{e}_over_circular": p[e] / p["circular"] for e, _ in ESTIMATES}})
    return rows


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt

    folder = figure_dir(ctx, ID)
    rows = layer_rows(ctx.seed)
    paths = write_table(rows, folder, "spectral_peers",
                        caption=f"{TITLE}; seed {ctx.seed}; ratios to the exact circular-padding operator norm, "
                                "operators at stride 1")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, kind in zip(axes, ("fp", "binary")):
        rs = [r for r in rows if r["kernels"] == kind]
        j = np.array([r["layer_index"] for r in rs])
        for (key, lab), style in zip(ESTIMATES, distinct_styles(len(ESTIMATES))):
            ax.plot(j, [r[f"{key}_over_circular"] for r in rs], lw=1, label=lab, **style)
        ax.axhline(1.0, color="k", lw=0.6)
        ax.set(yscale="log", xlabel="conv layer (forward order)", title=f"{kind} kernels")
    axes[0].set_ylabel("estimate / exact circular norm")
    axes[1].legend(fontsize=6)
    stamp(fig, f"fresh binary ResNet-20 (seed {ctx.seed}), N(0,1) inputs 8x3x32x32, no training; real input sizes; "
               "stride-1 operators", bars="none (one deterministic computation per layer)")
    return paths + save_figure(fig, folder, "spectral_peers")
