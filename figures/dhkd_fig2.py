"""Paper 004 (dhkd) Fig. 2 / Fig. 1(b) / §3.2: CE, BinaryKL, CE + BinaryKL (one head), DHKD.

Runs: ``analysis/nets/configs/dhkd/fig2.yaml`` (four settings × seeds, one teacher). Files under
``<out>/figures/dhkd_fig2/``:

- ``fig2_test_acc`` / ``fig2_test_loss``: head 1's test accuracy and test CE per epoch (mean over
  seeds, band = min…max; a run stopped as N.A.(e) ends at its last finished epoch);
- ``fig2_nc``: NC1, NC2 (equiangle) and NC3 of head 1 on the probe after init (epoch 0) and after
  each epoch — classifier collapse shows here while the loss stays finite;
- ``fig2_conflict``: cos(∇CE, ∇BinaryKL) on the backbone and on head 1 per epoch (§3.2);
Quick preset: the 100-class stand-in ``fashion-mnist-pairs100`` (never CIFAR-100). Everything is
read from the run records (metrics.json: the ``dhkd_probe`` monitor's NC and cosine columns), never
from checkpoint.pt, so the figure rebuilds from committed records.

- ``fig2.csv`` / ``fig2.md``: per setting top test accuracy (mean ± std), per-seed status
  (done or N.A.(epoch) — divergence), final NC metrics and mean cosines.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.nets.dhkd import FIG2_SETTINGS, run_summary

FIG2_ALIASES = {"dhkd_r56_r20": "dhkd"}

from .common import MINMAX_BANDS, FigureContext, mean_band, save_figure, setup, stamp, write_table

ID = "dhkd_fig2"
TITLE = "dhkd Fig. 2: CE / BinaryKL / CE+BinaryKL (one head) / DHKD - accuracy, loss, NC metrics, conflict"
EXPERIMENT = "dhkd/fig2"
LABELS = {"ce": "CE", "binary_kl": "BinaryKL", "ce_binary_kl": "CE + BinaryKL (one head)", "dhkd": "DHKD"}


def table_rows(runs: dict[str, list]) -> list[dict]:
    rows = []
    for s in FIG2_SETTINGS:
        if s not in runs:
            continue
        sums = [run_summary(r) for r in runs[s]]
        acc = np.array([d["top_test_acc"] for d in sums])
        fin = acc[np.isfinite(acc)]
        rows.append({
            "setting": LABELS[s], "n_seeds": len(sums),
            "top_test_acc_mean_pct": 100 * float(fin.mean()) if fin.size else float("nan"),
            "top_test_acc_std_pct": 100 * float(fin.std(ddof=1)) if fin.size > 1 else float("nan"),
            "status": "; ".join(d["status"] for d in sums),
            **{k: float(np.nanmean([d[k] for d in sums])) if any(np.isfinite(d[k]) for d in sums) else float("nan")
               for k in ("last_nc.nc1", "last_nc.nc2_equiangle", "last_nc.nc3", "last_nc.nc4",
                         "mean_cos.backbone", "mean_cos.head")},
        })
    return rows


def _with_init(rs, key):
    cols = [np.concatenate([[r.monitors_after_init.get(key, np.nan)], r.column(key)]) for r in rs]
    n = min(len(c) for c in cols)
    m = np.vstack([c[:n] for c in cols])
    return np.arange(n, dtype=float), np.nanmean(m, 0), np.nanmin(m, 0), np.nanmax(m, 0)


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import warnings

    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT, extra="head 1 evaluated; T 2; DHKD alpha per App. F")
    runs = {FIG2_ALIASES.get(s, s): v for s, v in runs.items()}   # paper preset: dhkd_r56_r20 is Fig. 2's DHKD
    paths = write_table(table_rows(runs), folder, "fig2",
                        caption=f"{TITLE}. {prov}. Status N.A.(e): the loss became non-finite in epoch e.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices of diverged runs
        for metric, name, ylabel in (("test_acc", "fig2_test_acc", "test accuracy (head 1)"),
                                     ("test_loss", "fig2_test_loss", "test cross-entropy (head 1)")):
            fig, ax = plt.subplots(figsize=(5.5, 3.8))
            for s in FIG2_SETTINGS:
                if s in runs:
                    e, m, lo, hi = mean_band(runs[s], metric)
                    ax.plot(e, m, label=LABELS[s])
                    ax.fill_between(e, lo, hi, alpha=0.2)
            ax.set(xlabel="epoch", ylabel=ylabel)
            ax.legend(fontsize=7)
            stamp(fig, prov, bars=MINMAX_BANDS)
            paths += save_figure(fig, folder, name)
        for keys, name, titles in (((("nc.nc1", "NC1"), ("nc.nc2_equiangle", "NC2 equiangle"), ("nc.nc3", "NC3")),
                                    "fig2_nc", None),
                                   ((("cos.backbone", "cos(∇CE, ∇BinaryKL): backbone"),
                                     ("cos.head", "cos(∇CE, ∇BinaryKL): head 1")), "fig2_conflict", None)):
            fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.6))
            for ax, (key, title) in zip(np.atleast_1d(axes), keys):
                positive = False
                for s in FIG2_SETTINGS:
                    if s in runs:
                        e, m, lo, hi = _with_init(runs[s], key)
                        positive |= bool(np.any(np.isfinite(m) & (m > 0)))
                        ax.plot(e, m, label=LABELS[s])
                        ax.fill_between(e, lo, hi, alpha=0.2)
                ax.set(xlabel="epoch (0 = after init)", title=title)
                if key.startswith("nc.nc1") and positive:
                    ax.set_yscale("log")
                if key.startswith("cos"):
                    ax.axhline(0.0, color="k", lw=0.6)
            np.atleast_1d(axes)[0].legend(fontsize=7)
            stamp(fig, prov + " | probe: fixed test subset", bars=MINMAX_BANDS)
            paths += save_figure(fig, folder, name)
    return paths
