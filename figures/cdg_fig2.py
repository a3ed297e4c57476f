"""Paper 003 (cdg) Fig. 2: the kernels applied to the H0 gradient by the channel-directed metrics.

No network runs: the kernels are closed forms from ``analysis.channel_grad``.  Panels:
- left: Eq. 9's Sobolev kernel K(x) = 1 + (x² − x + 1/6)/(2λ) for λ = 1 (the experiments') and,
  for contrast, smaller λ (λ = 1/24 is where K(1/2) reaches 0);
- right: the equivalent kernels on O = 16 channels (row o = 0 of each operator's matrix, i.e.
  the weight of channel õ in the new gradient of channel 0): H̃1 (λ = 1), §3's combined update
  f + S_1(f), Eq. 8 at λ = 1 (a delta), Fig. 3's code at λ = 1 (delta + flat 1/O).
Files under ``<out>/figures/cdg_fig2/``: ``fig2_kernels.png/.pdf`` and ``fig2_kernels.csv/.md``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.channel_grad import (h0_gradient, sobolev_combined_gradient, sobolev_kernel_continuous,
                                   sobolev_operator)

from .common import FigureContext, distinct_styles, figure_dir, offsets, save_figure, stamp, write_table

ID = "cdg_fig2"
TITLE = "cdg Fig. 2: kernels of the H~1 and H0_lambda gradients (lambda = 1), closed form"
EXPERIMENT = None
LAMBDAS = (1.0, 0.1, 1.0 / 24.0)          # 1.0: §4 "We fix λ = 1"; others for contrast
CHANNELS = 16


def kernel_rows(n: int = CHANNELS) -> list[dict]:
    """Row 0 of each operator on n channels: weight of channel õ in the output at channel 0."""
    eye = np.eye(n)
    ops = {"sobolev_lam1": sobolev_operator(n, 1.0, "conv"),
           "combined_f_plus_S1": sobolev_combined_gradient(eye, 1.0, 1.0, lam=1.0, method="conv"),
           "h0_eq8_lam1": h0_gradient(eye, 1.0),
           "h0_code_lam1": h0_gradient(eye, 1.0, "code")}
    return [{"channel": j, **{k: float(m[0, j]) for k, m in ops.items()}} for j in range(n)]


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt

    folder = figure_dir(ctx, ID)
    x = np.linspace(0, 1, 401)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4))
    for lam in LAMBDAS:
        a.plot(x, sobolev_kernel_continuous(x, lam), label=f"λ = {lam:.3g}")
    a.axhline(0, color="k", lw=0.5)
    a.set(xlabel="x = (o − õ)/O mod 1", ylabel="K(x)", title="Sobolev H̃1 kernel (Eq. 9)")
    a.legend(fontsize=8)
    rows = kernel_rows()
    j = np.array([r["channel"] for r in rows])
    series = (("sobolev_lam1", "H̃1, λ = 1"), ("combined_f_plus_S1", "f + S₁(f) (§3)"),
              ("h0_eq8_lam1", "H0_λ Eq. 8, λ = 1"), ("h0_code_lam1", "H0_λ Fig. 3 code, λ = 1"))
    # Three of the four kernels coincide (about 0.06) on channels 1-15 and two at channel 0:
    # each gets its own line style and hollow marker, and a small horizontal offset.
    for (key, lab), style, dx in zip(series, distinct_styles(len(series)), offsets(len(series), 0.15)):
        b.plot(j + dx, [r[key] for r in rows], lw=1, label=lab, **style)
    b.set(xlabel="channel õ (O = 16)", ylabel="weight on channel 0", title="kernels on 16 channels")
    b.legend(fontsize=7)
    stamp(fig, "closed forms from analysis.channel_grad (no training); λ = 1 as in §4 | right: markers "
          "offset by ±0.075 or ±0.225 channel so coinciding kernels stay visible",
          bars="none (closed forms, exact)")
    paths = save_figure(fig, folder, "fig2_kernels")
    paths += write_table(rows, folder, "fig2_kernels",
                         caption="Weights of channel õ in the new gradient of channel 0 (O = 16)")
    return paths
