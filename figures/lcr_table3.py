"""Paper 002 (LCR-BNN) Table 3: test accuracy of binary ResNet-20 against the LCR weight λ.

Runs: ``analysis/nets/configs/lcr/table3.yaml`` — λ = 0 (plain BNN), Table 3's λ = 2^-1 … 2^3 and
two smaller λ (2^-4, 2^-2), × seeds.
Files under ``<out>/figures/lcr_table3/``:
- ``table3.csv`` / ``table3.md``: top test accuracy (%) per λ, mean ± std over seeds, per-seed
  values, and the paired difference to λ = 0 (same seed = same initial weights and data order);
- ``table3_lambda``: accuracy against log2 λ (λ = 0 drawn at the left), seeds as points;
- ``fig2_weight_std``: latent weight std of each binary conv after training, λ = 0 vs the best of
  Table 3's λ (Fig. 2's statistic at this scale);
- ``fig2_histograms``: histograms of the latent weights of ``stages.2.0.conv2`` (the analogue of
  ResNet-18's layer3.0.conv2 in Fig. 2), first seed, λ = 0 vs the pre-registered λ = 8, with their
  stds — drawn from ``<run>/fig2_weights.json`` (60-bin counts and summary statistics, a few KB,
  ``analysis.nets.lcr_probes.conv_weight_stats``), written while the checkpoint exists, so the
  figure rebuilds from run records without checkpoint.pt.
The paper's numbers are claims of the lcr suite, not drawn here.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .common import SD_BARS, FigureContext, save_figure, setup, stamp, write_table

ID = "lcr_table3"
TITLE = "lcr Table 3: binary ResNet-20 accuracy vs LCR weight lambda (and Fig. 2 weight stds)"
EXPERIMENT = "lcr/table3"
TABLE3_LAMBDAS = (0.5, 1.0, 2.0, 4.0, 8.0)  # Table 3's columns with λ > 0 (the experiment adds smaller λ)
PRIMARY_LAMBDA = 8.0  # pre-registered (validation.suites._lcr_nets.PREREGISTERED_LAMBDA)
WEIGHTS_FILE = "fig2_weights.json"
WEIGHTS_LAYER = "stages.2.0.conv2"


def weight_result(run) -> dict:
    """Fig. 2's histogram of ``WEIGHTS_LAYER``'s latent weights, computed once (checkpoint needed then)
    and kept in ``<run>/fig2_weights.json``."""
    from analysis.nets.lcr_probes import conv_weight_stats

    from .common import cached_run_result
    return cached_run_result(run, WEIGHTS_FILE, lambda: conv_weight_stats(run.load_model(), WEIGHTS_LAYER))


def setting_lambda(cfg) -> float:
    """λ of a run from its own config (0 when it has no LCR loss hook)."""
    for s in cfg.extra_losses:
        if s["name"] == "lcr.loss" or "lcr_loss_hook" in s["name"]:  # short name or a legacy alias
            return float(s.get("lam", 1.0)) * float(s.get("weight", 1.0))
    return 0.0


def table_rows(runs: dict[str, list]) -> list[dict]:
    """One row per λ (ascending): n, mean/std of the top test accuracy (%), per seed, paired Δ to λ = 0."""
    by_lam = {setting_lambda(rs[0].config): rs for rs in runs.values()}
    base = {r.config.seed: 100 * r.top_test_acc() for r in by_lam.get(0.0, [])}
    rows = []
    for lam in sorted(by_lam):
        rs = by_lam[lam]
        acc = np.array([100 * r.top_test_acc() if r.status == "done" else np.nan for r in rs])
        diffs = np.array([100 * r.top_test_acc() - base[r.config.seed] for r in rs if r.config.seed in base])
        rows.append({"lambda": lam, "log2_lambda": math.log2(lam) if lam > 0 else float("nan"),
                     "n_seeds": int(np.isfinite(acc).sum()),
                     "top_test_acc_mean_pct": float(np.nanmean(acc)),
                     "top_test_acc_std_pct": float(np.nanstd(acc, ddof=1)) if np.isfinite(acc).sum() > 1 else float("nan"),
                     "per_seed_pct": "; ".join(f"{v:.2f}" for v in acc),
                     "paired_diff_to_lambda0_mean_pct": float(np.nanmean(diffs)) if diffs.size else float("nan"),
                     "seeds": "; ".join(str(r.config.seed) for r in rs)})
    return rows


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    rows = table_rows(runs)
    paths = write_table(rows, folder, "table3", ["lambda", "log2_lambda", "n_seeds", "top_test_acc_mean_pct",
                                                 "top_test_acc_std_pct", "per_seed_pct",
                                                 "paired_diff_to_lambda0_mean_pct", "seeds"],
                        caption=f"Table 3 (regenerated): top test accuracy (%) of binary ResNet-20 by λ. {prov}")
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    lams = [r["lambda"] for r in rows]
    pos = [math.log2(l) if l > 0 else min([math.log2(v) for v in lams if v > 0] + [0]) - 1.5 for l in lams]
    ax.errorbar(pos, [r["top_test_acc_mean_pct"] for r in rows], yerr=[r["top_test_acc_std_pct"] for r in rows],
                marker="o", capsize=3)
    for p, r in zip(pos, rows):
        vals = [float(v) for v in r["per_seed_pct"].split("; ") if v not in ("", "nan")]
        ax.scatter([p] * len(vals), vals, s=10, color="0.5", zorder=3)
    ax.set_xticks(pos)
    ax.set_xticklabels(["λ=0" if l == 0 else f"{math.log2(l):g}" for l in lams])
    ax.set_xlabel("log2 λ")
    ax.set_ylabel("top test accuracy (%)")
    ax.set_title("Table 3: binary ResNet-20, LCR weight λ")
    stamp(fig, prov, bars=SD_BARS + "; grey dots: single seeds")
    paths += save_figure(fig, folder, "table3_lambda")

    # Fig. 2's statistic: latent weight std per binary conv after the last epoch, λ = 0 vs the
    # pre-registered λ (never the best λ on test data)
    by_lam = {setting_lambda(rs[0].config): rs for rs in runs.values()}
    best = {"lambda": PRIMARY_LAMBDA} if PRIMARY_LAMBDA in by_lam else None
    for rs in by_lam.values():
        for r in rs:
            weight_result(r)  # cache every run's histogram while its checkpoint exists
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for lam, color in ((0.0, "C0"), (best["lambda"] if best else None, "C1")):
        if lam is None or lam not in by_lam:
            continue
        keys = sorted(k for k in by_lam[lam][0].rows[-1] if k.startswith("wstd.")) if by_lam[lam][0].rows else []
        if not keys:
            continue
        m = np.array([[r.rows[-1].get(k, np.nan) for k in keys] for r in by_lam[lam] if r.rows])
        ax.plot(range(len(keys)), m.mean(0), marker="o", ms=3, color=color, label=f"λ = {lam:g}")
        ax.set_xticks(range(len(keys)))
        ax.set_xticklabels([k[5:].replace("stages.", "") for k in keys], rotation=90, fontsize=6)
    ax.set_ylabel("latent weight std")
    ax.set_title("Fig. 2 statistic: std of the latent weights per binary conv")
    ax.legend()
    stamp(fig, prov, bars="none (lines: mean over seeds)")
    paths += save_figure(fig, folder, "fig2_weight_std")

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, lam in zip(axes, (0.0, best["lambda"] if best else None)):
        if lam is None or lam not in by_lam:
            continue
        run = by_lam[lam][0]
        h = weight_result(run)
        edges = np.asarray(h["edges"])
        ax.stairs(h["counts"], edges, fill=True, color="C0" if lam == 0 else "C1")
        ax.set_title(f"λ = {lam:g}: std {h['std']:.4g} (seed {run.config.seed})")
        ax.set_xlabel(f"latent weight, {WEIGHTS_LAYER}")
    stamp(fig, prov, bars="none (histograms of one seed)")
    paths += save_figure(fig, folder, "fig2_histograms")
    return paths
