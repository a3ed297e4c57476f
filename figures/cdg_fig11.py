"""Paper 003 (cdg) Fig. 11, 13 and 14 on the Fig. 6 networks: channel correlation of trained
conv weights (runs of ``cdg/fig6``; made by this script when missing, shared with cdg_fig6).

For the initialization and for SGD, H0_λ (λ = 1) and H̃1 (w = 1), over seeds:
- ``fig11_corr_vs_distance``: mean |corr| against channel distance |i − j| along the output and
  the input axis (the 2nd conv layer, 100 × 50 × 5 × 5: the first has a single input channel);
- ``fig13_histogram``: off-diagonal output- and input-channel correlations of that layer;
- ``fig14_mean_std``: per-output-channel mean against std, coloured by layer;
- ``fig11.csv/.md``: the Fig. 1 statistic (mean off-diagonal correlation) per method.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.correlation import (correlation_vs_distance, in_out_correlation_table, mean_std_scatter,
                                  offdiagonal, channel_correlation_matrix)
from analysis.nets.cdg import group_runs, model_conv_weights
from analysis.nets.config import load_experiment

from .common import FigureContext, figure_dir, make_runs, provenance, save_figure, stamp, write_table

ID = "cdg_fig11"
TITLE = "cdg Fig. 11/13/14: channel correlation of the Fig. 6 networks (init, SGD, H0_lambda, H~1)"
EXPERIMENT = "cdg/fig6"
MAX_DISTANCE = 10


def weights_by_method(runs) -> dict:
    """{(dataset, "init"|"baseline"|"h0"|"h1"): [list of conv weights per seed]} at λ = w = 1."""
    from analysis.nets.train import build

    out: dict = {}
    for key, rs in group_runs(runs).items():
        if key.method != "baseline" and key.value != 1.0:
            continue
        for r in sorted(rs, key=lambda r: r.config.seed):
            out.setdefault((key.dataset, key.method), []).append(model_conv_weights(r.load_model()))
            if key.method == "baseline":
                out.setdefault((key.dataset, "init"), []).append(
                    model_conv_weights(build(r.config, **r.meta["model_args"])))
    return out


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt

    exp = load_experiment(EXPERIMENT, ctx.preset)
    runs = [r for rs in make_runs(exp, ctx).values() for r in rs]
    folder = figure_dir(ctx, ID)
    prov = provenance(exp, base_seed=ctx.seed, extra="λ = w = 1; 2nd conv layer for Fig. 11/13")
    wm = weights_by_method(runs)
    order = ["init", "baseline", "h0", "h1"]
    rows = []
    for (ds, meth), per_seed in sorted(wm.items(), key=lambda kv: (kv[0][0], order.index(kv[0][1]))):
        tabs = [in_out_correlation_table(ws) for ws in per_seed]
        rows.append({"dataset": ds, "method": meth, "n_seeds": len(tabs),
                     "output_corr_mean": float(np.mean([t["output"] for t in tabs])),
                     "input_corr_mean": float(np.mean([t["input"] for t in tabs])),
                     "output_abs_corr_mean": float(np.mean([in_out_correlation_table(ws, "abs")["output"]
                                                            for ws in per_seed])),
                     "input_abs_corr_mean": float(np.mean([in_out_correlation_table(ws, "abs")["input"]
                                                           for ws in per_seed]))})
    paths = write_table(rows, folder, "fig11", caption="Fig. 1 statistic on the Fig. 6 networks. " + prov)
    for ds in sorted({k[0] for k in wm}):
        meths = [m for m in order if (ds, m) in wm]
        layer = [ws[-1] for ws in wm[(ds, meths[0])]][0]
        dmax = min(MAX_DISTANCE, layer.shape[0] - 1, layer.shape[1] - 1)
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        for ax, axis in zip(axes, ("output", "input")):
            for m in meths:
                curves = [correlation_vs_distance(ws[-1], axis, dmax) for ws in wm[(ds, m)]]
                ax.plot(np.arange(1, dmax + 1), np.mean(curves, axis=0), marker="o", ms=3, label=m)
            ax.set(xlabel="|i − j|", ylabel="mean |corr|", title=f"{axis} channels ({ds})")
            ax.legend(fontsize=8)
        stamp(fig, prov, bars="none (lines: mean over seeds)")
        paths += save_figure(fig, folder, f"fig11_corr_vs_distance_{ds}")
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        for ax, axis in zip(axes, ("output", "input")):
            for m in meths:
                vals = np.concatenate([offdiagonal(channel_correlation_matrix(ws[-1], axis))
                                       for ws in wm[(ds, m)]])
                ax.hist(vals[np.isfinite(vals)], bins=41, range=(-0.5, 0.5), histtype="step", label=m)
            ax.set(xlabel="correlation", ylabel="pairs", title=f"{axis}-channel correlations ({ds})")
            ax.legend(fontsize=8)
        stamp(fig, prov, bars="none (histograms pool all seeds)")
        paths += save_figure(fig, folder, f"fig13_histogram_{ds}")
        fig, axes = plt.subplots(1, len(meths), figsize=(3.2 * len(meths), 3.2), squeeze=False)
        for ax, m in zip(axes[0], meths):
            sc = mean_std_scatter(wm[(ds, m)][0])
            ax.scatter(sc["mean"], sc["std"], c=sc["layer"], s=6, cmap="viridis")
            ax.set(xlabel="channel mean", ylabel="channel std",
                   title=f"{m}: r(mean,std) = {sc['corr_mean_std']:.2f}")
        stamp(fig, prov + " | first seed", bars="none (one point per channel)")
        paths += save_figure(fig, folder, f"fig14_mean_std_{ds}")
    return paths
