"""Paper 002 (LCR-BNN) Table 2 (CIFAR-10 part): full precision, IR-Net and IR-Net + LCR ("Ours").

Runs: ``analysis/nets/configs/lcr/table2.yaml``. ``paper`` and ``smoke``: ResNet-18 and ResNet-20
rows on CIFAR-10 (smoke: cut to two steps on synthetic CIFAR files); ``quick``: the ResNet-20 rows
on the Fashion-MNIST subset of lcr/table3's quick preset (IR-Net 1/1 and Ours are Table 3's λ = 0,
λ = 8 and λ = 2 runs). "Ours" is λ = 8 (pre-registered, the lcr suite's reading d), "Ours λ=2" beside it. Files under ``<out>/figures/lcr_table2/``:
- ``table2.csv`` / ``table2.md``: top test accuracy (%) per row, mean ± std over seeds, per seed,
  and for each "Ours" row the paired difference to its IR-Net row (same seed = same initial
  weights and data order) with the paired t-test's two-sided p and 95% interval;
- ``table2``: the accuracies per row, seeds as points.
The paper's numbers are claims of the lcr suite, not drawn here.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis import stats

from .common import SD_BARS, FigureContext, save_figure, setup, stamp, write_table

ID = "lcr_table2"
TITLE = "lcr Table 2: IR-Net vs IR-Net + LCR (ResNet-18/20, 1/1, bireal, 1/32) and full precision"
EXPERIMENT = "lcr/table2"
# setting -> (topology, method, bit width W/A, the setting it is paired with)
ROWS = {
    "r18_fp": ("ResNet-18", "Baseline", "32/32", None),
    "r18_irnet": ("ResNet-18", "IR-Net", "1/1", None),
    "r18_ours": ("ResNet-18", "Ours", "1/1", "r18_irnet"),
    "r18_ours_lam2": ("ResNet-18", "Ours λ=2", "1/1", "r18_irnet"),
    "r20_fp": ("ResNet-20", "Baseline", "32/32", None),
    "r20_irnet": ("ResNet-20", "IR-Net", "1/1", None),
    "r20_irbireal": ("ResNet-20", "IR-bireal", "1/1", None),
    "r20_ours": ("ResNet-20", "Ours", "1/1", "r20_irnet"),
    "r20_ours_lam2": ("ResNet-20", "Ours λ=2", "1/1", "r20_irnet"),
    "r20_ours_bireal": ("ResNet-20", "Ours-bireal", "1/1", "r20_irbireal"),
    "r20_irnet_w1a32": ("ResNet-20", "IR-Net", "1/32", None),
    "r20_ours_w1a32": ("ResNet-20", "Ours", "1/32", "r20_irnet_w1a32"),
}


def table_rows(runs: dict[str, list]) -> list[dict]:
    """One row per setting present (in ROWS order): accuracy statistics and the paired gain."""
    acc = {k: {r.config.seed: 100 * r.top_test_acc() for r in rs} for k, rs in runs.items()}
    rows = []
    for name, (topo, method, bits, base) in ROWS.items():
        if name not in acc:
            continue
        v = np.array(list(acc[name].values()))
        row = {"setting": name, "topology": topo, "method": method, "bits_w_a": bits, "n_seeds": len(v),
               "top_test_acc_mean_pct": float(v.mean()),
               "top_test_acc_std_pct": float(v.std(ddof=1)) if len(v) > 1 else float("nan"),
               "per_seed_pct": "; ".join(f"{x:.2f}" for x in v),
               "paired_gain_pct": float("nan"), "paired_p_two_sided": float("nan"), "paired_ci95": ""}
        if base is not None and base in acc:
            seeds = sorted(set(acc[name]) & set(acc[base]))
            if seeds:
                t = stats.paired_t([acc[base][s] for s in seeds], [acc[name][s] for s in seeds], "two-sided")
                row.update(paired_gain_pct=t["mean_diff"], paired_p_two_sided=t["p"],
                           paired_ci95="; ".join(f"{c:.2f}" for c in t["ci"]) if len(seeds) > 1 else "")
        rows.append(row)
    return rows


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    rows = table_rows(runs)
    paths = write_table(rows, folder, "table2", ["topology", "method", "bits_w_a", "n_seeds", "top_test_acc_mean_pct",
                                                 "top_test_acc_std_pct", "per_seed_pct", "paired_gain_pct",
                                                 "paired_p_two_sided", "paired_ci95", "setting"],
                        caption=f"Table 2 (regenerated): top test accuracy (%); 'Ours' paired with its IR-Net row. {prov}")
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(max(5.0, 0.8 * len(rows) + 1.5), 3.8))
    for i, r in enumerate(rows):
        vals = [float(x) for x in r["per_seed_pct"].split("; ")]
        color = "C1" if r["method"].startswith("Ours") else ("0.4" if r["method"] == "Baseline" else "C0")
        ax.errorbar([i], [r["top_test_acc_mean_pct"]], yerr=[0 if np.isnan(r["top_test_acc_std_pct"])
                                                             else r["top_test_acc_std_pct"]],
                    marker="o", color=color, capsize=3)
        ax.scatter([i] * len(vals), vals, s=10, color="0.5", zorder=3)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([f"{r['topology']}\n{r['method']} {r['bits_w_a']}" for r in rows], fontsize=7)
    ax.set_ylabel("top test accuracy (%)")
    ax.set_title("Table 2: IR-Net (blue) vs IR-Net + LCR (orange), full precision (grey)")
    stamp(fig, prov, bars=SD_BARS + "; grey dots: single seeds")
    paths += save_figure(fig, folder, "table2")
    return paths
