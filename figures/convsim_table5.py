"""Paper 001 (convsim) §4.2: Table 5 and Figs 1–3 from one set of runs.

Runs: CNN1 and CNN2 × {baseline, Algorithm 1 (I = 500 Adam steps on Σ_j L_CS), Algorithm 2
(β = 0.001)} × seeds, and on CNN1 the peer OCNN (weight matched to β·L_CS) and Algorithm 1
followed by SGD with momentum 0.9 (§4.3), configuration ``analysis/nets/configs/convsim/table5.yaml``.

Files under ``<out>/figures/convsim_table5/``:
- ``table5.csv`` / ``table5.md``: top test accuracy (%) per setting, mean ± std over seeds and
  the per-seed values (the paper's numbers live in the convsim suite's claims, not here);
- ``fig1_convsim_loss``: Σ_j L_CS(K^(j)) after initialization (epoch 0) and after each epoch,
  one panel per method, CNN1 and CNN2 lines, log scale (mean over seeds, band = min…max);
- ``fig2_train_loss``: the classification (cross-entropy) loss per epoch, log scale;
- ``fig3_train_acc``: the training accuracy per epoch;
- ``fm_similarity``: the feature-map similarity after training per setting (scale-free mean
  |cos(F_i, F_j)| and raw mean |⟨F_i, F_j⟩| per position, on the fixed U(0, 1) probe), seeds as dots.
Everything comes from the run records (metrics.json), never from a checkpoint.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import MINMAX_BANDS, FigureContext, mean_band, save_figure, setup, stamp, write_table

ID = "convsim_table5"
TITLE = "convsim Table 5 + Figs 1-3: CNN1/CNN2 baseline vs Algorithm 1 (I=500) vs Algorithm 2 (beta=0.001)"
EXPERIMENT = "convsim/table5"
METHODS = (("baseline", "baseline"), ("init500", "Alg. 1"), ("reg", "Alg. 2"))
TABLE_METHODS = METHODS + (("ocnn", "OCNN"), ("init500_momentum", "Alg. 1 + momentum"))
MODELS = (("cnn1", "CNN1"), ("cnn2", "CNN2"))


def method_label(meth: str, rs) -> str:
    """'baseline', 'I = <steps> (Alg. 1)' or 'β = <weight> (Alg. 2)' from the runs' own config."""
    c = rs[0].config
    if c.init is not None:
        return f"I = {c.init.get('steps')} (Alg. 1)" + (f" + momentum {c.momentum:g}" if c.momentum else "")
    if c.extra_losses and "ocnn" in str(c.extra_losses[0].get("name")):
        beta = c.extra_losses[0].get("match_convsim_beta")
        return "OCNN" + (f" (matched to β = {beta:g})" if beta is not None else "")
    if c.extra_losses:
        return f"β = {c.extra_losses[0].get('weight', 1.0):g} (Alg. 2)"
    return "baseline"


def table_rows(runs: dict[str, list]) -> list[dict]:
    """One row per setting: model, method, n, mean/std of the top test accuracy (%), per seed."""
    from analysis.nets.sweep import aggregate

    rows = []
    for m, mname in MODELS:
        for meth, mlabel in TABLE_METHODS:
            label = f"{m}_{meth}"
            if label not in runs:
                continue
            (agg,) = aggregate(runs[label])
            fm = {k: [r.column(k)[-1] if r.rows else np.nan for r in runs[label]] for k in ("fm.cos.mean", "fm.inner.mean")}
            rows.append({"model": mname, "method": method_label(meth, runs[label]), "setting": label, "n_seeds": agg["n"],
                         "top_test_acc_mean_pct": 100 * agg["mean"], "top_test_acc_std_pct": 100 * agg["std"],
                         "per_seed_pct": "; ".join("N.A." if not np.isfinite(v) else f"{100 * v:.2f}"
                                                   for v in agg["values"]),
                         "status": "; ".join(agg["status"]),
                         "best_epoch": "; ".join(str(e) for e in agg["best_epoch"]),
                         "seeds": "; ".join(str(s) for s in agg["seeds"]),
                         "fm_cos_mean": float(np.nanmean(fm["fm.cos.mean"])) if np.isfinite(fm["fm.cos.mean"]).any() else np.nan,
                         "fm_inner_mean": float(np.nanmean(fm["fm.inner.mean"])) if np.isfinite(fm["fm.inner.mean"]).any() else np.nan})
    return rows


def _cs_curve(rs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Σ_j L_CS at epoch 0 (after initialization) and after each epoch; mean/min/max over runs."""
    cols = [np.concatenate([[r.monitors_after_init.get("cs.total", np.nan)], r.column("cs.total")]) for r in rs]
    n = min(len(c) for c in cols)
    m = np.vstack([c[:n] for c in cols])
    return np.arange(n, dtype=float), m.mean(0), m.min(0), m.max(0)


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    rows = table_rows(runs)
    paths = write_table(rows, folder, "table5",
                        ["model", "method", "n_seeds", "top_test_acc_mean_pct", "top_test_acc_std_pct",
                         "per_seed_pct", "fm_cos_mean", "fm_inner_mean", "best_epoch", "status", "seeds"],
                        caption=(f"Table 5 (regenerated): top test accuracy (%), mean ± std over seeds; feature-map "
                                 f"similarity after training (mean |cos|, raw mean |<F_i,F_j>|) on a U(0,1) probe. {prov}"))
    sns.set_theme(style="whitegrid", context="paper")
    colors = dict(zip([m for m, _ in MODELS], sns.color_palette("deep", 2)))
    mcolors = dict(zip([m for m, _ in METHODS], sns.color_palette("deep", 3)))

    # Fig. 1: L_CS curves, one panel per method
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    for ax, (meth, mlabel) in zip(axes, METHODS):
        for m, mname in MODELS:
            rs = runs.get(f"{m}_{meth}")
            if not rs:
                continue
            e, mu, lo, hi = _cs_curve(rs)
            ax.plot(e, mu, marker="o", ms=3, color=colors[m], label=mname)
            ax.fill_between(e, lo, hi, color=colors[m], alpha=0.2)
        mom = runs.get("cnn1_init500_momentum") if meth == "init500" else None
        if mom:
            e, mu, lo, hi = _cs_curve(mom)
            ax.plot(e, mu, marker="s", ms=3, ls="--", color=colors["cnn1"], label="CNN1, momentum 0.9 (§4.3)")
        ax.set_yscale("log")
        rs0 = runs.get(f"cnn1_{meth}") or runs.get(f"cnn2_{meth}")
        ax.set_title(method_label(meth, rs0) if rs0 else mlabel)
        ax.set_xlabel("epoch (0 = after initialization)")
    axes[0].set_ylabel("Σ_j L_CS(K^(j))")
    axes[0].legend()
    fig.suptitle("Fig. 1: Convolutional Similarity loss during training")
    stamp(fig, prov, bars=MINMAX_BANDS)
    paths += save_figure(fig, folder, "fig1_convsim_loss")

    # Figs 2 and 3: classification loss (log) and training accuracy per epoch
    for name, metric, title, log in (("fig2_train_loss", "train_loss", "Fig. 2: classification loss", True),
                                     ("fig3_train_acc", "train_acc", "Fig. 3: train accuracy", False)):
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
        for ax, (m, mname) in zip(axes, MODELS):
            for meth, mlabel in METHODS:
                rs = runs.get(f"{m}_{meth}")
                if not rs:
                    continue
                e, mu, lo, hi = mean_band(rs, metric)
                scale = 1.0 if log else 100.0
                ax.plot(e, scale * mu, marker="o", ms=3, color=mcolors[meth], label=method_label(meth, rs))
                ax.fill_between(e, scale * lo, scale * hi, color=mcolors[meth], alpha=0.2)
            if log:
                ax.set_yscale("log")
            ax.set_title(mname)
            ax.set_xlabel("epoch")
        axes[0].set_ylabel("cross-entropy (train, epoch mean)" if log else "train accuracy (%)")
        axes[0].legend()
        fig.suptitle(title)
        stamp(fig, prov, bars=MINMAX_BANDS)
        paths += save_figure(fig, folder, name)

    # feature-map similarity after training, per setting (the peer OCNN beside L_CS)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    labels = [f"{m}_{meth}" for m, _ in MODELS for meth, _ in TABLE_METHODS if f"{m}_{meth}" in runs]
    for ax, (key, title) in zip(axes, (("fm.cos.mean", "mean |cos(F_i,F_j)| (scale-free)"),
                                       ("fm.inner.mean", "mean |<F_i,F_j>| per position (raw)"))):
        for x, lab in enumerate(labels):
            vals = np.array([r.column(key)[-1] if r.rows and key in r.rows[-1] else np.nan for r in runs[lab]])
            ax.bar(x, np.nanmean(vals) if np.isfinite(vals).any() else 0.0, color="0.8")
            ax.plot(np.full(vals.shape, x), vals, "o", ms=3, color="k")
        ax.set_xticks(range(len(labels)), [lab.replace("_", "\n") for lab in labels], fontsize=7)
        ax.set_title(title)
    fig.suptitle("Feature-map similarity after training (probe X ~ U(0,1); bars = mean over seeds, dots = seeds)")
    stamp(fig, prov, bars="none: bars are means over seeds, dots the seeds")
    paths += save_figure(fig, folder, "fm_similarity")
    return paths
