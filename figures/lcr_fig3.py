"""Paper 002 (LCR-BNN) Fig. 3: correlation maps of the activations of one batch (the independence
assumption of Eq. 7), on the trained binary ResNet-20 of the λ = 0 and λ = 8 (pre-registered) Table 3 runs.

For each run: the first 32 test images; per residual block, the (32, 32) Pearson correlation of the
flattened block outputs (Fig. 3's maps) and the cosine similarity a_iᵀa_j/(‖a_i‖‖a_j‖) (Eq. 7's
inner products), for the real-valued outputs and their signs. The per-block means of the absolute
off-diagonal entries are stored in ``<run>/fig3_similarity.json`` (the lcr suite reads them), the
four maps of the last block of the first λ = 8 seed in ``<run>/fig3_maps.json`` (rounded to 3
decimals, about 25 KB); both are written while the checkpoint exists, so the figure and the
claims rebuild from run records without checkpoint.pt.
Files under ``<out>/figures/lcr_fig3/``: ``fig3_maps`` (first seed, last block, four maps),
``fig3_offdiag`` (mean |off-diagonal| by block) and ``fig3.csv`` / ``.md``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import FigureContext, cached_run_result, save_figure, setup, stamp, write_table

ID = "lcr_fig3"
TITLE = "lcr Fig. 3: batch correlation maps of block activations (independence assumption, Eq. 7)"
EXPERIMENT = "lcr/table3"
SETTINGS = (("lam0", "λ = 0"), ("lam8", "λ = 8"))
RESULT_FILE = "fig3_similarity.json"
MAPS_FILE = "fig3_maps.json"
N_IMAGES = 32


def _batch(run, ctx):
    from analysis.nets.train import load_data

    _, test = load_data(run.config, ctx.data_dir, ctx.out)
    return test.x[:N_IMAGES]


def run_result(run, ctx: FigureContext) -> dict:
    """Block similarity statistics of the run's model, computed once and kept in the run folder."""
    from analysis.nets.lcr_probes import block_similarity_stats

    return cached_run_result(run, RESULT_FILE, lambda: block_similarity_stats(run.load_model(), _batch(run, ctx)))


def maps_result(run, ctx: FigureContext) -> dict:
    """Fig. 3's four (N_IMAGES, N_IMAGES) maps of the last block's output (real/binary × Pearson/cosine),
    computed once and kept, rounded to 3 decimals, in ``<run>/fig3_maps.json``."""
    def compute() -> dict:
        import torch

        from analysis.nets.lcr_probes import BlockRecorder, batch_similarity

        model = run.load_model().eval()
        with BlockRecorder(model.blocks) as rec, torch.no_grad():
            model(_batch(run, ctx))
            out = rec.pairs[-1][1]
        sign = torch.where(out >= 0, 1.0, -1.0)
        res = {}
        for kind, acts in (("real", out), ("binary", sign)):
            sim = batch_similarity(acts)
            for key in ("pearson", "cosine"):
                res[f"{kind}.{key}"] = np.round(sim[key], 3).tolist()
        return res
    return cached_run_result(run, MAPS_FILE, compute)


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt
    import seaborn as sns
    exp, runs, folder, prov = setup(ctx, ID, EXPERIMENT)
    results = {s: [run_result(r, ctx) for r in runs[s]] for s, _ in SETTINGS}
    rows = []
    for s, label in SETTINGS:
        for b in results[s][0]:
            for kind in ("real", "binary"):
                rows.append({"setting": label, "block": b, "activations": kind,
                             "mean_abs_offdiag_pearson": float(np.mean([r[b][kind]["mean_abs_offdiag_pearson"] for r in results[s]])),
                             "mean_abs_offdiag_cosine": float(np.mean([r[b][kind]["mean_abs_offdiag_cosine"] for r in results[s]]))})
    paths = write_table(rows, folder, "fig3", caption=f"Mean |off-diagonal| similarity of {N_IMAGES} test images. {prov}")
    sns.set_theme(style="white", context="paper")
    run = runs["lam8"][0]
    maps = maps_result(run, ctx)
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
    for ax, (title, key) in zip(axes, (("real, Pearson", "real.pearson"), ("binary, Pearson", "binary.pearson"),
                                       ("real, cosine (Eq. 7)", "real.cosine"), ("binary, cosine (Eq. 7)", "binary.cosine"))):
        im = ax.imshow(np.asarray(maps[key]), cmap="coolwarm", vmin=-1, vmax=1)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=axes, shrink=0.8)
    fig.suptitle(f"Fig. 3: similarity of {N_IMAGES} test images' last-block activations (λ = 8, seed {run.config.seed})")
    stamp(fig, prov, bars="none (similarity maps of one seed)", layout=False)
    paths += save_figure(fig, folder, "fig3_maps")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for s, label in SETTINGS:
        for kind, ls in (("real", "-"), ("binary", "--")):
            vals = [np.mean([r[b][kind]["mean_abs_offdiag_cosine"] for r in results[s]]) for b in results[s][0]]
            ax.plot(vals, ls=ls, marker="o", ms=3, label=f"{label}, {kind}, cosine")
    ax.set_xlabel("residual block")
    ax.set_ylabel("mean |off-diagonal|")
    ax.legend(fontsize=7)
    stamp(fig, prov, bars="none (lines: mean over seeds)")
    paths += save_figure(fig, folder, "fig3_offdiag")
    return paths
