"""Paper 002 (LCR-BNN) Table 6 at quick scale: robustness of binary ResNet-20 with and without LCR
to synthetic corruptions (Gaussian noise, Gaussian blur, contrast; severities 1–5).

Runs: the λ = 0 and λ = 8 settings of ``analysis/nets/configs/lcr/table3.yaml`` (the same cached
runs as ``lcr_table3``; λ = 8 is pre-registered, not chosen on test data). For each run the
script evaluates ``analysis.nets.lcr_probes.corruption_accuracy`` once, while the checkpoint
exists, and stores it as ``corruption.json`` in the run's folder (the lcr suite and later
rebuilds read it from there, without checkpoint.pt).
Files under ``<out>/figures/lcr_corruption/``: ``corruption.csv`` / ``.md`` (accuracy per kind
and severity, mean over seeds, both settings) and ``corruption_accuracy`` (one panel per kind).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import SD_BARS, FigureContext, cached_run_result, save_figure, setup, stamp, write_table

ID = "lcr_corruption"
TITLE = "lcr Table 6 (quick): corruption robustness of binary ResNet-20, lambda = 0 vs 8"
EXPERIMENT = "lcr/table3"
SETTINGS = (("lam0", "λ = 0 (plain BNN)"), ("lam8", "λ = 8 (LCR)"))
RESULT_FILE = "corruption.json"


def run_result(run, ctx: FigureContext) -> dict:
    """The run's corruption accuracies, computed once and kept in ``<run>/corruption.json``."""
    from analysis.nets.lcr_probes import corruption_accuracy

    return cached_run_result(run, RESULT_FILE, lambda: corruption_accuracy(
        run.load_model(), run.config, data_dir=ctx.data_dir, out=ctx.out))


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    from analysis.nets.lcr_probes import CORRUPTIONS

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    results = {s: [run_result(r, ctx) for r in runs[s]] for s, _ in SETTINGS}
    rows = []
    for s, label in SETTINGS:
        rows.append({"setting": label, "corruption": "clean", "severity": 0,
                     "acc_mean_pct": 100 * float(np.mean([r["clean"] for r in results[s]])),
                     "per_seed_pct": "; ".join(f"{100 * r['clean']:.2f}" for r in results[s])})
        for kind in sorted(CORRUPTIONS):
            for sev in range(1, 6):
                vals = [r[kind][sev - 1] for r in results[s]]
                rows.append({"setting": label, "corruption": kind, "severity": sev,
                             "acc_mean_pct": 100 * float(np.mean(vals)),
                             "per_seed_pct": "; ".join(f"{100 * v:.2f}" for v in vals)})
    paths = write_table(rows, folder, "corruption", ["setting", "corruption", "severity", "acc_mean_pct",
                                                     "per_seed_pct"],
                        caption=f"Corruption accuracy (%), mean over seeds. {prov}")
    sns.set_theme(style="whitegrid", context="paper")
    fig, axes = plt.subplots(1, len(CORRUPTIONS), figsize=(11, 3.6), sharey=True)
    for ax, kind in zip(axes, sorted(CORRUPTIONS)):
        for s, label in SETTINGS:
            m = np.array([[r["clean"], *r[kind]] for r in results[s]]) * 100
            ax.errorbar(range(6), m.mean(0), yerr=m.std(0, ddof=1) if len(m) > 1 else None, marker="o",
                        capsize=3, label=label)
        ax.set_title(kind)
        ax.set_xlabel("severity (0 = clean)")
    axes[0].set_ylabel("test accuracy (%)")
    axes[0].legend()
    fig.suptitle("Table 6 at quick scale: synthetic corruptions")
    stamp(fig, prov, bars=SD_BARS)
    paths += save_figure(fig, folder, "corruption_accuracy")
    return paths
