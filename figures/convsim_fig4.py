"""Paper 001 (convsim) §4.3, Fig. 4: ResNet-18 over a learning-rate × batch-size grid, without
and with Algorithm 1 (I = 200).

The paper does not list its grid; ours (``analysis/nets/configs/convsim/fig4.yaml``) is centred
on the one point the text names (lr 0.001, batch 128) and is written on the figure. Files under
``<out>/figures/convsim_fig4/``: ``fig4_grid`` (PNG/PDF: one bar pair per grid point, mean over
seeds, seeds as dots) and ``fig4.csv``/``fig4.md``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.nets.config import load_experiment

from .common import FigureContext, figure_dir, make_runs, provenance, save_figure, stamp, write_table

ID = "convsim_fig4"
TITLE = "convsim Fig. 4: ResNet-18 lr x batch grid, baseline vs Algorithm 1 (I=200)"
EXPERIMENT = "convsim/fig4"


def _split(label: str) -> tuple[str, str]:
    name, _, point = label.partition("|")
    return name, point.replace("|", ", ")


def table_rows(runs: dict[str, list]) -> list[dict]:
    from analysis.nets.sweep import aggregate

    rows = []
    for label, rs in runs.items():
        (agg,) = aggregate(rs)
        method, point = _split(label)
        rows.append({"point": point, "method": method, "lr": rs[0].config.lr,
                     "batch_size": rs[0].config.batch_size, "n_seeds": agg["n"],
                     "top_test_acc_mean_pct": 100 * agg["mean"], "top_test_acc_std_pct": 100 * agg["std"],
                     "per_seed_pct": "; ".join("N.A." if not np.isfinite(v) else f"{100 * v:.2f}"
                                               for v in agg["values"]),
                     "status": "; ".join(agg["status"])})
    return sorted(rows, key=lambda r: (r["lr"], r["batch_size"], r["method"]))


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    exp = load_experiment(EXPERIMENT, ctx.preset)
    runs = make_runs(exp, ctx)
    folder = figure_dir(ctx, ID)
    grid_text = "grid (our choice around lr 0.001, batch 128): " + ", ".join(
        f"{k} {v}" for k, v in exp.grid.items())
    prov = provenance(exp, base_seed=ctx.seed, extra=grid_text)
    rows = table_rows(runs)
    paths = write_table(rows, folder, "fig4", list(rows[0]),
                        caption=f"Fig. 4 (regenerated): ResNet-18 top test accuracy (%). {prov}")
    sns.set_theme(style="whitegrid", context="paper")
    points = sorted({(r["lr"], r["batch_size"]) for r in rows})
    methods = sorted({r["method"] for r in rows})
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(points)), 4))
    width = 0.8 / max(len(methods), 1)
    colors = sns.color_palette("deep", len(methods))
    for j, m in enumerate(methods):
        xs, ys = [], []
        for i, (lr, bs) in enumerate(points):
            r = next((r for r in rows if r["method"] == m and r["lr"] == lr and r["batch_size"] == bs), None)
            if r is not None:
                xs.append(i + (j - (len(methods) - 1) / 2) * width)
                ys.append(r["top_test_acc_mean_pct"])
        ax.bar(xs, ys, width=width, color=colors[j], label=m)
    for label, rs in runs.items():
        m, _ = _split(label)
        i = points.index((rs[0].config.lr, rs[0].config.batch_size))
        x = i + (methods.index(m) - (len(methods) - 1) / 2) * width
        ax.scatter([x] * len(rs), [100 * r.top_test_acc() for r in rs], color="0.2", s=8, zorder=3)
    ax.set_xticks(range(len(points)), [f"lr {lr:g}\nbatch {bs}" for lr, bs in points])
    ax.set_ylabel("top test accuracy (%)")
    ax.set_title("Fig. 4: ResNet-18 with and without Algorithm 1 (I = 200)")
    ax.legend()
    stamp(fig, prov, bars="none (bars: mean over seeds; dots: single seeds)")
    paths += save_figure(fig, folder, "fig4_grid")
    return paths
