"""dhkd peers (issue 15 §4c): the NC metrics under three code bases' conventions, side by side.

No network runs: noisy class clusters (``analysis.nc_peers.noisy_clusters``: K = 10 classes, d = 64,
means 3·N(0, 1), noise ``spread``·N(0, 1)) collapsed step by step (spread 1 → 10⁻³), balanced (20 per
class) and imbalanced (10 and 40 alternating); ``analysis.collapse.nc_convention_map`` gives NC1 as
the workbench default (μ_G = mean of class means), Papyan et al./tding1 (μ_G = sample mean) and
rhubarbwu (Σ_B divided by d), and NC2/NC3 in each form. Left: NC1 of the three against the
spread, all → 0 at collapse; right: rhubarbwu/Papyan divided by d/K (= 1 exactly) and
Papyan/default (= 1 only when the classes are balanced: 0.976 here when imbalanced). The suite's ``dhkd.nc.convention_map`` claim is the spread-1 point.
Files under ``<out>/figures/dhkd_nc_conventions/``: ``nc_conventions.png/.pdf`` and ``.csv/.md``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.collapse import nc_convention_map
from analysis.nc_peers import noisy_clusters

from .common import FigureContext, distinct_styles, figure_dir, save_figure, stamp, write_table

ID = "dhkd_nc_conventions"
TITLE = "dhkd peers: NC metrics under the default, Papyan/tding1 and rhubarbwu conventions"
EXPERIMENT = None
SPREADS = tuple(float(s) for s in np.geomspace(1.0, 1e-3, 13))
DESIGNS = {"balanced": (20,), "imbalanced": (10, 40)}
K, D = 10, 64


def convention_rows(seed: int = 0) -> list[dict]:
    """One row per (design, spread): NC1/NC2/NC3 in each convention and the two factors."""
    rows = []
    for design, counts in DESIGNS.items():
        for s in SPREADS:
            H, y, W = noisy_clusters(seed, counts, K, D, spread=s)
            m = nc_convention_map(H, y, W)
            rows.append({"design": design, "spread": s,
                         "nc1_default": m["default"]["nc1"], "nc1_papyan_tding1": m["papyan_tding1"]["nc1"],
                         "nc1_rhubarbwu": m["rhubarbwu"]["nc1"],
                         "nc3_default": m["default"]["nc3"], "nc2_etf_error_rhubarbwu": m["rhubarbwu"]["nc2_simplex_etf_error"],
                         "nc3_self_duality_rhubarbwu": m["rhubarbwu"]["nc3_self_duality_error"],
                         "rhubarbwu_over_papyan": m["factors"]["rhubarbwu_nc1_over_papyan"],
                         "papyan_over_default": m["factors"]["papyan_nc1_over_default"], "d_over_k": D / K})
    return rows


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt

    folder = figure_dir(ctx, ID)
    rows = convention_rows(ctx.seed)
    paths = write_table(rows, folder, "nc_conventions",
                        caption=f"{TITLE}; K = {K}, d = {D}, seed {ctx.seed}; spread = noise sd (0: exact collapse)")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    keys = {"nc1_default": "NC1 default", "nc1_papyan_tding1": "NC1 Papyan/tding1", "nc1_rhubarbwu": "NC1 rhubarbwu"}
    for design, ls in (("balanced", "-"), ("imbalanced", "--")):
        rs = [r for r in rows if r["design"] == design]
        sp = [r["spread"] for r in rs]
        for i, ((key, lab), style) in enumerate(zip(keys.items(), distinct_styles(len(keys)))):
            ax.plot(sp, [r[key] for r in rs], lw=1, color=f"C{i}", label=f"{lab} ({design})",
                    **{**style, "ls": ls})
        bx.plot(sp, [r["rhubarbwu_over_papyan"] / (D / K) for r in rs], lw=1, ls=ls, marker="o", mfc="none",
                color="C2", label=f"(rhubarbwu / Papyan) / (d/K) ({design})")
        bx.plot(sp, [r["papyan_over_default"] for r in rs], lw=1, ls=ls, marker="s", ms=4, color="C1",
                label=f"Papyan / default ({design})")
    bx.axhline(1.0, color="k", lw=0.6, ls=":")
    ax.set(xscale="log", yscale="log", xlabel="noise spread (→ 0: collapse)", ylabel="NC1", title="NC1 by convention")
    bx.set(xscale="log", xlabel="noise spread (→ 0: collapse)", ylabel="ratio / its expected factor",
           title=f"factors between conventions (d/K = {D / K:g})")
    ax.legend(fontsize=6)
    bx.legend(fontsize=6)
    stamp(fig, f"noisy class clusters (analysis.nc_peers, seed {ctx.seed}), K = {K}, d = {D}; "
               "analysis.collapse.nc_convention_map; no training", bars="none (one deterministic computation per point)")
    return paths + save_figure(fig, folder, "nc_conventions")
