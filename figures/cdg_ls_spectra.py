"""cdg peers (issue 15 §4b): the spectra of the paper's LS baseline and of its H̃1 gradient on one figure.

No network runs: closed-form factors from ``analysis.channel_grad`` by which each operator scales
the Fourier mode k of a gradient, against the normalised frequency k/n:
- LS (Osher et al.; σ = 1, their setting) on a rasterized 3×3×16×16 conv gradient (n = 2304), as
  the paper's Table 1 / Fig. 4 'LS' applies it;
- LS-ChanDir: the same σ = 1 along O = 16 output channels;
- H̃1 (λ = 1, Eq. 9–12) along O = 16 output channels, alone and as §3's update f + S₁(f).
Files under ``<out>/figures/cdg_ls_spectra/``: ``ls_spectra.png/.pdf`` and ``ls_spectra.csv/.md``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.channel_grad import laplacian_smoothing_mode_factor, sobolev_mode_factor

from .common import FigureContext, distinct_styles, figure_dir, save_figure, stamp, write_table

ID = "cdg_ls_spectra"
TITLE = "cdg: spectra of LS (Osher et al., sigma = 1) and H~1 (lambda = 1), closed form"
EXPERIMENT = None
SIGMA = 1.0            # Osher et al.'s CIFAR setting; cdg does not state σ (a reading)
LAM = 1.0              # cdg §4 "We fix λ = 1"
CHANNELS = 16
RASTER = 3 * 3 * 16 * 16


def spectrum_rows() -> list[dict]:
    rows = []
    for k in range(CHANNELS // 2 + 1):
        s = sobolev_mode_factor(CHANNELS, LAM, k)
        rows.append({"operator": "h1_output", "n": CHANNELS, "k": k, "freq": k / CHANNELS, "factor": s})
        rows.append({"operator": "f_plus_s1_output", "n": CHANNELS, "k": k, "freq": k / CHANNELS, "factor": 1.0 + s})
        rows.append({"operator": "ls_chandir_output", "n": CHANNELS, "k": k, "freq": k / CHANNELS,
                     "factor": laplacian_smoothing_mode_factor(CHANNELS, SIGMA, k)})
    for k in np.unique(np.round(np.geomspace(1, RASTER // 2, 60)).astype(int)).tolist() + [0]:
        rows.append({"operator": "ls_rasterized", "n": RASTER, "k": int(k), "freq": k / RASTER,
                     "factor": laplacian_smoothing_mode_factor(RASTER, SIGMA, int(k))})
    return rows


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt

    folder = figure_dir(ctx, ID)
    rows = spectrum_rows()
    paths = write_table(rows, folder, "ls_spectra", caption=TITLE)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    labels = {"ls_rasterized": f"LS, rasterized (n = {RASTER}), σ = 1", "ls_chandir_output": "LS-ChanDir (O = 16), σ = 1",
              "h1_output": "H̃1 S₁(f) (O = 16)", "f_plus_s1_output": "f + S₁(f), §3 update (O = 16)"}
    for (op, lab), style in zip(labels.items(), distinct_styles(len(labels))):
        rs = sorted((r for r in rows if r["operator"] == op), key=lambda r: r["freq"])
        ax.plot([r["freq"] for r in rs], [r["factor"] for r in rs], lw=1, label=lab, **style)
    ax.set(xlabel="normalised frequency k/n", ylabel="factor on Fourier mode k", yscale="log",
           title="LS vs H̃1 spectra")
    ax.legend(fontsize=7)
    stamp(fig, "closed forms from analysis.channel_grad (no training); σ = 1 (Osher et al.), λ = 1 (cdg §4)",
          bars="none (exact factors)")
    return paths + save_figure(fig, folder, "ls_spectra")
