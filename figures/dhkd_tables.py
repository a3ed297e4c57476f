"""Shared maker of the DHKD appendix tables (Tables 5, 6, 7, 11 and Appendix A's alpha sweep).

Each table script (``figures/dhkd_table5.py`` …) names its experiment; this module makes the runs
through the one trainer (``figures.common.make_runs``), writes ``<name>.csv`` / ``<name>.md`` (per
setting: top test accuracy of head 1, mean ± std over the seeds that finished, for GA runs the
mean ``ga_fire`` / ``ga_extra_ce`` (how often Eq. 6 fired, head 1's extra CE step), and every seed's
status — ``done`` or ``N.A.(epoch)`` when the loss became non-finite, the paper's notation) and
a test-accuracy-per-epoch figure. The paper's numbers live in the dhkd suite's claims, not here.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.nets.dhkd import run_summary

from .common import MINMAX_BANDS, FigureContext, mean_band, save_figure, setup, stamp, write_table


def table_rows(runs: dict[str, list]) -> list[dict]:
    """One row per setting (in the config's order): n, top test accuracy mean/std (%), statuses."""
    rows = []
    for label, rs in runs.items():
        sums = [run_summary(r) for r in rs]
        acc = np.array([d["top_test_acc"] for d in sums])
        fin = acc[np.isfinite(acc)]
        row = {"setting": label, "n_seeds": len(sums), "n_diverged": sum(d["diverged"] for d in sums),
               "top_test_acc_mean_pct": 100 * float(fin.mean()) if fin.size else float("nan"),
               "top_test_acc_std_pct": 100 * float(fin.std(ddof=1)) if fin.size > 1 else float("nan"),
               "status": "; ".join(d["status"] for d in sums)}
        for key in ("loss.ga_fire", "loss.ga_extra_ce"):    # GA runs: how often Eq. 6 fired, head 1's extra CE step
            v = np.array([d.get(f"mean_{key}", np.nan) for d in sums], dtype=np.float64)
            if np.isfinite(v).any():
                row[key.replace("loss.", "")] = float(np.nanmean(v))
        rows.append(row)
    return rows


def make_table(ctx: FigureContext, fid: str, experiment: str, title: str, name: str) -> list[Path]:
    import matplotlib.pyplot as plt

    exp, runs, folder, prov = setup(ctx, fid, experiment, extra="head 1 evaluated")
    rows = table_rows(runs)
    columns = list(dict.fromkeys(k for r in rows for k in r))     # union: GA columns only on GA rows
    paths = write_table(rows, folder, name, columns=columns,
                        caption=f"{title}. {prov}. Status N.A.(e): the loss became non-finite in epoch e.")
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for label, rs in runs.items():
        e, m, lo, hi = mean_band(rs, "test_acc")
        ax.plot(e, m, label=label)
        ax.fill_between(e, lo, hi, alpha=0.15)
    ax.set(xlabel="epoch", ylabel="test accuracy (head 1)", title=title[:60])
    ax.legend(fontsize=6)
    stamp(fig, prov, bars=MINMAX_BANDS)
    return paths + save_figure(fig, folder, f"{name}_test_acc")
