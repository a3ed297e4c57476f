"""Paper 001 (convsim) §4.3, Fig. 5: ResNet-18 top test accuracy against Algorithm 1's iterations I.

Runs: ``analysis/nets/configs/convsim/fig5.yaml`` (grid over ``init.steps`` × seeds). Files under
``<out>/figures/convsim_fig5/``: ``fig5_accuracy_vs_I`` (PNG/PDF; mean over seeds, each seed as
a dot) and ``fig5.csv``/``fig5.md`` (I, n, mean, std, per seed).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import FigureContext, save_figure, setup, stamp, write_table

ID = "convsim_fig5"
TITLE = "convsim Fig. 5: ResNet-18 test accuracy vs Algorithm 1 iterations I"
EXPERIMENT = "convsim/fig5"


def table_rows(runs: dict[str, list]) -> list[dict]:
    from analysis.nets.sweep import aggregate

    rows = []
    for label, rs in runs.items():
        (agg,) = aggregate(rs)
        steps = rs[0].config.init["steps"] if rs[0].config.init else 0
        rows.append({"I": int(steps), "n_seeds": agg["n"], "top_test_acc_mean_pct": 100 * agg["mean"],
                     "top_test_acc_std_pct": 100 * agg["std"],
                     "per_seed_pct": "; ".join("N.A." if not np.isfinite(v) else f"{100 * v:.2f}"
                                               for v in agg["values"]),
                     "status": "; ".join(agg["status"])})
    return sorted(rows, key=lambda r: r["I"])


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    rows = table_rows(runs)
    paths = write_table(rows, folder, "fig5", list(rows[0]),
                        caption=f"Fig. 5 (regenerated): ResNet-18 top test accuracy (%) vs I. {prov}")
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(6, 4))
    i_vals = [r["I"] for r in rows]
    ax.plot(i_vals, [r["top_test_acc_mean_pct"] for r in rows], marker="o", label="mean over seeds")
    for label, rs in runs.items():
        steps = rs[0].config.init["steps"] if rs[0].config.init else 0
        ax.scatter([steps] * len(rs), [100 * r.top_test_acc() for r in rs], color="0.4", s=10, zorder=3)
    ax.set_xlabel("Algorithm 1 iterations I")
    ax.set_ylabel("top test accuracy (%)")
    ax.set_title("Fig. 5: ResNet-18, accuracy vs I")
    ax.legend()
    stamp(fig, prov, bars="none (dots: single seeds)")
    paths += save_figure(fig, folder, "fig5_accuracy_vs_I")
    return paths
