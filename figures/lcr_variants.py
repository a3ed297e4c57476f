"""Paper 002 (LCR-BNN): where RM_F comes from, and the official code's loss and scaling.

Runs: ``analysis/nets/configs/lcr/variants.yaml`` — λ = 0, "latent" (PRIMARY: RM_F from the latent
full-precision weights, §3.2 / Alg. 1; the same runs as lcr/table3's λ = 8) and "same_pass" (RM_F
from the binary network's own real-valued maps) — and ``analysis/nets/configs/lcr/teacher.yaml`` —
"teacher" (Eq. 11 as printed, RM_F from a frozen full-precision ResNet-20 trained first, the
official code's pretrained resnet18_fp) and "official" (LCR.py's loss with the official scaling
α·L/(batch·10⁴), α = 8, on the same teacher). Files under ``<out>/figures/lcr_variants/``:
``variants.csv`` / ``.md`` — top test accuracy (%) per setting, mean ± std over seeds, per seed,
the paired difference to λ = 0 with its 95 % interval and mde (``analysis.stats.effect_summary``
through ``validation.suites._lcr_nets.safe_effect_summary``);
``variants`` — the accuracies, seeds as points.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import SD_BARS, FigureContext, make_runs, save_figure, setup, stamp, write_table

ID = "lcr_variants"
TITLE = "lcr RM_F readings (latent / same pass / FP teacher) and the official loss + scaling, binary ResNet-20"
EXPERIMENT = "lcr/variants"
TEACHER_EXPERIMENT = "lcr/teacher"
ORDER = ("lam0", "latent", "same_pass", "teacher", "official")


def experiments(preset: str) -> list[str]:
    """Both experiment files this figure trains (the teacher run is made by the first LCR step that needs it)."""
    return [EXPERIMENT, TEACHER_EXPERIMENT]


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    from analysis.nets.config import load_experiment
    from validation.suites._lcr_nets import safe_effect_summary

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    runs = dict(runs)
    runs.update(make_runs(load_experiment(TEACHER_EXPERIMENT, ctx.preset), ctx))
    ref = {r.config.seed: 100 * r.top_test_acc() for r in runs["lam0"]}
    rows = []
    for name in [k for k in ORDER if k in runs] + [k for k in runs if k not in ORDER]:
        rs = runs[name]
        acc = {r.config.seed: 100 * r.top_test_acc() for r in rs}
        seeds = sorted(set(acc) & set(ref))
        v = np.array(list(acc.values()))
        row = {"setting": name, "n_seeds": len(v), "top_test_acc_mean_pct": float(v.mean()),
               "top_test_acc_std_pct": float(v.std(ddof=1)) if len(v) > 1 else float("nan"),
               "per_seed_pct": "; ".join(f"{x:.2f}" for x in v),
               "paired_diff_to_lambda0_pct": float("nan"), "ci95": "", "mde": float("nan"),
               "seeds": "; ".join(str(s) for s in acc)}
        if name != "lam0" and seeds:
            e = safe_effect_summary([ref[s] for s in seeds], [acc[s] for s in seeds])
            row.update(paired_diff_to_lambda0_pct=e["effect"], mde=e["mde"] if e["mde"] is not None else float("nan"),
                       ci95="; ".join(f"{c:.2f}" for c in e["ci"]) if e["ci"] is not None else "")
        rows.append(row)
    paths = write_table(rows, folder, "variants",
                        caption=f"RM_F readings and the official loss: top test accuracy (%), paired to λ = 0. {prov}")
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for i, r in enumerate(rows):
        vals = [float(x) for x in r["per_seed_pct"].split("; ")]
        ax.errorbar([i], [r["top_test_acc_mean_pct"]], yerr=[0 if np.isnan(r["top_test_acc_std_pct"])
                                                             else r["top_test_acc_std_pct"]],
                    marker="o", capsize=3, color="C1" if r["setting"] == "latent" else "C0")
        ax.scatter([i] * len(vals), vals, s=10, color="0.5", zorder=3)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([r["setting"] for r in rows])
    ax.set_ylabel("top test accuracy (%)")
    ax.set_title("RM_F readings (orange: primary, latent) and the official loss")
    stamp(fig, prov, bars=SD_BARS + "; grey dots: single seeds")
    paths += save_figure(fig, folder, "variants")
    return paths
