"""Shared body of the cdg comparison figures (Fig. 5 right / Fig. 10 and Table 2 / Fig. 5 left):
a table of accuracies and paired gains over the baseline optimizer, and a bar chart."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.nets.cdg import comparison_rows
from analysis.nets.config import load_experiment

from .common import FigureContext, figure_dir, make_runs, provenance, save_figure, stamp, write_table

COLUMNS = ["dataset", "model", "optimizer", "batch_size", "lr", "method", "value", "axis", "layers", "n",
           "acc_mean_pct", "acc_sd_pct", "gain_mean_pct", "gain_ci95_lo_pct", "gain_ci95_hi_pct",
           "sd_ratio_to_baseline", "per_seed_pct"]


def label(r: dict) -> str:
    if r["method"] == "baseline":
        return r["optimizer"].upper()
    name = {"h0": "H0_λ", "h1": "H̃1", "ls": "LS", "h1norm": "SGD·‖H̃1‖"}.get(r["method"], r["method"])
    return f"{name} {r['axis']}/{r['layers']}"


def percent_rows(rows: list[dict]) -> list[dict]:
    return [{**{k: r[k] for k in COLUMNS[:10]}, "acc_mean_pct": 100 * r["acc_mean"],
             "acc_sd_pct": 100 * r["acc_sd"], "gain_mean_pct": 100 * r["gain_mean"],
             "gain_ci95_lo_pct": 100 * r["gain_ci95"][0], "gain_ci95_hi_pct": 100 * r["gain_ci95"][1],
             "sd_ratio_to_baseline": r["sd_ratio_to_baseline"],
             "per_seed_pct": "; ".join(f"{100 * v:.2f}" for v in r["values"])} for r in rows]


def make_comparison(ctx: FigureContext, fid: str, experiment: str, name: str, caption: str) -> list[Path]:
    import matplotlib.pyplot as plt

    exp = load_experiment(experiment, ctx.preset)
    runs = [r for rs in make_runs(exp, ctx).values() for r in rs]
    folder = figure_dir(ctx, fid)
    rows = comparison_rows(runs)
    prov = provenance(exp, base_seed=ctx.seed)
    paths = write_table(percent_rows(rows), folder, name, COLUMNS, caption=f"{caption} {prov}")
    cells = sorted({(r["model"], r["optimizer"], r["batch_size"], r["lr"]) for r in rows})
    fig, axes = plt.subplots(1, len(cells), figsize=(max(4.5, 3.2 * len(cells)), 3.6), squeeze=False)
    for ax, cell in zip(axes[0], cells):
        rs = [r for r in rows if (r["model"], r["optimizer"], r["batch_size"], r["lr"]) == cell]
        y = [100 * r["gain_mean"] for r in rs]
        lo = [100 * (r["gain_mean"] - r["gain_ci95"][0]) if np.isfinite(r["gain_ci95"][0]) else 0 for r in rs]
        ax.bar(range(len(rs)), y, yerr=lo, capsize=3, color=["0.6" if r["method"] == "baseline" else "C0" for r in rs])
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xticks(range(len(rs)), [label(r) for r in rs], rotation=60, ha="right", fontsize=7)
        ax.set(title=f"{cell[0]} {cell[1]} batch {cell[2]} lr {cell[3]:g}", ylabel="gain over baseline (% points)")
    stamp(fig, prov, bars="95% Student-t interval of the gain over the baseline, paired by seed (drawn symmetric from its lower half-width)")
    return paths + save_figure(fig, folder, name)
