"""Paper 003 (cdg) Fig. 11, 13 and 14 on the Fig. 6 networks: channel correlation of trained
conv weights (runs of ``cdg/fig6``; made by this script when missing, shared with cdg_fig6).

For the initialization and for SGD, H0_λ (λ = 1), H̃1 (w = 1) and the norm-matched control, over
seeds:
- ``fig11_corr_vs_distance``: mean |corr| against channel distance |i − j| along the output and
  the input axis (the 2nd conv layer, 100 × 50 × 5 × 5: the first has a single input channel);
- ``fig13_histogram``: off-diagonal output- and input-channel correlations of that layer;
- ``fig14_mean_std``: per-output-channel mean against std, coloured by layer;
- ``fig11.csv/.md``: the Fig. 1 statistic (mean off-diagonal correlation) per method.

Everything is read from each run's ``cdg_correlation.json``
(:func:`analysis.nets.cdg.run_correlation_summary`: summary statistics, a few KB), written from
``checkpoint.pt`` the first time; the committed records (no checkpoints) rebuild the figure.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.nets.cdg import group_runs, run_correlation_summary
from analysis.nets.config import load_experiment

from .common import FigureContext, figure_dir, make_runs, provenance, save_figure, stamp, write_table

ID = "cdg_fig11"
TITLE = "cdg Fig. 11/13/14: channel correlation of the Fig. 6 networks (init, SGD, H0_lambda, H~1)"
EXPERIMENT = "cdg/fig6"
ORDER = ["init", "baseline", "h0", "h1", "h1norm"]


def summaries_by_method(runs) -> dict:
    """{(dataset, "init"|"baseline"|"h0"|"h1"|"h1norm"): [correlation summary per seed]} at λ = w = 1."""
    out: dict = {}
    for key, rs in group_runs(runs).items():
        if key.method not in ORDER or (key.method != "baseline" and key.value != 1.0):
            continue
        for r in sorted(rs, key=lambda r: r.config.seed):
            if r.status != "done":
                continue
            cs = run_correlation_summary(r)
            out.setdefault((key.dataset, key.method), []).append(cs["trained"])
            if key.method == "baseline":
                out.setdefault((key.dataset, "init"), []).append(cs["init"])
    return out


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt

    exp = load_experiment(EXPERIMENT, ctx.preset)
    runs = [r for rs in make_runs(exp, ctx).values() for r in rs]
    folder = figure_dir(ctx, ID)
    prov = provenance(exp, base_seed=ctx.seed, extra="λ = w = 1; 2nd conv layer for Fig. 11/13")
    sm = summaries_by_method(runs)
    rows = []
    for (ds, meth), per_seed in sorted(sm.items(), key=lambda kv: (kv[0][0], ORDER.index(kv[0][1]))):
        rows.append({"dataset": ds, "method": meth, "n_seeds": len(per_seed),
                     "output_corr_mean": float(np.mean([s["table"]["output"] for s in per_seed])),
                     "input_corr_mean": float(np.mean([s["table"]["input"] for s in per_seed])),
                     "output_abs_corr_mean": float(np.mean([s["table_abs"]["output"] for s in per_seed])),
                     "input_abs_corr_mean": float(np.mean([s["table_abs"]["input"] for s in per_seed]))})
    paths = write_table(rows, folder, "fig11", caption="Fig. 1 statistic on the Fig. 6 networks. " + prov)
    for ds in sorted({k[0] for k in sm}):
        meths = [m for m in ORDER if (ds, m) in sm]
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        for ax, axis in zip(axes, ("output", "input")):
            for m in meths:
                curves = [s["last_layer_distance"][axis] for s in sm[(ds, m)] if s.get("last_layer_distance")]
                if curves:
                    y = np.mean(curves, axis=0)
                    ax.plot(np.arange(1, len(y) + 1), y, marker="o", ms=3, label=m)
            ax.set(xlabel="|i − j|", ylabel="mean |corr|", title=f"{axis} channels ({ds})")
            ax.legend(fontsize=8)
        stamp(fig, prov, bars="none (lines: mean over seeds)")
        paths += save_figure(fig, folder, f"fig11_corr_vs_distance_{ds}")
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        for ax, axis in zip(axes, ("output", "input")):
            for m in meths:
                hs = [s["last_layer_hist"] for s in sm[(ds, m)]]
                counts = np.sum([h[axis] for h in hs], axis=0)
                ax.stairs(counts, np.asarray(hs[0]["edges"]), label=m)
            ax.set(xlabel="correlation", ylabel="pairs", title=f"{axis}-channel correlations ({ds})")
            ax.legend(fontsize=8)
        stamp(fig, prov, bars="none (histograms pool all seeds)")
        paths += save_figure(fig, folder, f"fig13_histogram_{ds}")
        fig, axes = plt.subplots(1, len(meths), figsize=(3.2 * len(meths), 3.2), squeeze=False)
        for ax, m in zip(axes[0], meths):
            sc = sm[(ds, m)][0]["scatter"]
            ax.scatter(sc["mean"], sc["std"], c=sc["layer"], s=6, cmap="viridis")
            ax.set(xlabel="channel mean", ylabel="channel std",
                   title=f"{m}: r(mean,std) = {sc['corr_mean_std']:.2f}")
        stamp(fig, prov + " | first seed", bars="none (one point per channel)")
        paths += save_figure(fig, folder, f"fig14_mean_std_{ds}")
    return paths
