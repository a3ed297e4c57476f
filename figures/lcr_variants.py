"""Paper 002 (LCR-BNN): the official code's departures from Eq. 11–12 as loss variants, trained
like Table 3 (``analysis/nets/configs/lcr/variants.yaml``; λ = 0 and the paper variant share the
Table 3 runs). Files under ``<out>/figures/lcr_variants/``: ``variants.csv`` / ``.md`` — top test
accuracy (%) per variant, mean ± std over seeds, per seed, paired difference to the paper variant.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import SD_BARS, FigureContext, save_figure, setup, stamp, write_table

ID = "lcr_variants"
TITLE = "lcr loss variants: Eq. 11 vs the official code's loss vs latent-FP activations"
EXPERIMENT = "lcr/variants"


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    ref = {r.config.seed: 100 * r.top_test_acc() for r in runs["paper"]}
    rows = []
    for name, rs in runs.items():
        acc = np.array([100 * r.top_test_acc() for r in rs])
        rows.append({"variant": name, "n_seeds": len(rs), "top_test_acc_mean_pct": float(acc.mean()),
                     "top_test_acc_std_pct": float(acc.std(ddof=1)) if len(acc) > 1 else float("nan"),
                     "per_seed_pct": "; ".join(f"{v:.2f}" for v in acc),
                     "paired_diff_to_paper_pct": float(np.mean([100 * r.top_test_acc() - ref[r.config.seed] for r in rs])),
                     "seeds": "; ".join(str(r.config.seed) for r in rs)})
    paths = write_table(rows, folder, "variants", caption=f"LCR loss variants: top test accuracy (%). {prov}")
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar([r["variant"] for r in rows], [r["top_test_acc_mean_pct"] for r in rows],
           yerr=[r["top_test_acc_std_pct"] for r in rows], capsize=3)
    ax.set_ylabel("top test accuracy (%)")
    ax.set_title("LCR loss variants (binary ResNet-20)")
    stamp(fig, prov, bars=SD_BARS)
    paths += save_figure(fig, folder, "variants")
    return paths
