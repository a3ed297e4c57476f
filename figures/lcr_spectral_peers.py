"""lcr peers (issue 15 §4a): every conv layer's spectral-norm estimates beside the exact circular norm,
on a freshly initialised binary ResNet-20 and on the trained quick models.

For each conv layer at its real input size, ``analysis.nets.spectral_peers.layer_peers`` (one function for
both: ``analysis.lipschitz.conv_spectral_peers`` per layer, M from ``m_matrix(..., "batch")``) gives
the exact circular-padding operator norm (rfft2 half plane), the zero-padding power iteration (100
steps), the Retention-Matrix estimates (official 1 step, converged; official 'batch' convention),
torch's spectral_norm estimate on the reshaped matrix (1 and 100 steps) and the √(k1k2)·‖W_mat‖
bound, for the latent fp and the binarised kernels; plotted as ratios to the exact norm, per layer.

* Fresh init (the theory-side check): seeded binary ResNet-20 on N(0, 1) CIFAR-size inputs (batch 8).
* Trained: the lcr/table2 runs of the preset (``EXPERIMENT``) for IR-Net and Ours (λ = 8) at 1/32 and,
  where computable, 1/1 (lcr/table3's λ = 0 / λ = 8 runs); each run's layer inputs are one forward pass
  on its first 8 test images. A run's rows are computed once, while its checkpoint exists, and kept in
  ``<run>/spectral_peers.json`` (``figures.common.cached_run_result``); the lcr suite's
  ``lcr.peers.spectral_norm.trained.*`` and ``lcr.peers.sum_log_norm.*`` claims read them.
  This figure never trains: without runs it draws the fresh-init panels and says the trained ones are
  missing (``workbench figures --only lcr_table2`` makes the runs).
Files under ``<out>/figures/lcr_spectral_peers/``: ``spectral_peers.png/.pdf`` and ``.csv/.md`` (one row
per model, kernels and layer; trained rows are means over seeds).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import (MINMAX_BANDS, FigureContext, cached_run_result, distinct_styles, figure_dir, provenance,
                     save_figure, stamp, write_table)

ID = "lcr_spectral_peers"
TITLE = ("lcr peers: conv spectral-norm estimators / exact circular norm, binary ResNet-20 "
         "(fresh init and trained quick models)")
EXPERIMENT = "lcr/table2"  # the trained panels' runs (read only: this figure never trains them)
ESTIMATES = (("zero_padding", "zero padding (power it., 100)"), ("rm_official_1step", "RM, official 1 step"),
             ("rm_converged", "RM, converged"), ("reshaped_1", "spectral_norm W_mat, 1 it."),
             ("reshaped_100", "spectral_norm W_mat, 100 it."), ("bound_sqrt_k", "√(k1k2)·‖W_mat‖"))
SETTING_LABELS = {"r20_irnet_w1a32": "IR-Net 1/32", "r20_ours_w1a32": "Ours (λ = 8) 1/32",
                  "r20_irnet": "IR-Net 1/1", "r20_ours": "Ours (λ = 8) 1/1"}


def layer_rows(seed: int = 0) -> list[dict]:
    """The fresh-init rows (``analysis.nets.spectral_peers.fresh_init_peers``): one per (kernel kind, conv layer)."""
    from analysis.nets.spectral_peers import fresh_init_peers

    return fresh_init_peers(seed)


def run_result(run, ctx: FigureContext) -> dict:
    """The run's peer rows, computed once (the checkpoint is needed then) and kept in
    ``<run>/spectral_peers.json``: layer inputs from its first 8 test images (``load_data``)."""
    from analysis.nets import spectral_peers as lcr

    def compute() -> dict:
        from analysis.nets.train import load_data

        _, test = load_data(run.config, ctx.data_dir, ctx.out)
        return lcr.trained_run_peers(run.load_model(), test.x)
    return cached_run_result(run, lcr.PEER_RESULT_FILE, compute)


def trained_results(ctx: FigureContext):
    """(experiment or None, {setting: [{"seed", "hash", "rows"}]}, {setting: why left out}) for the trained
    panels. Never trains: finished runs whose checkpoint exists get their spectral_peers.json written."""
    from analysis.nets.cache import find_run
    from analysis.nets.runcore import CHECKPOINT
    from analysis.nets.config import load_experiment
    from analysis.nets import spectral_peers as lcr

    try:
        exp = load_experiment(EXPERIMENT, ctx.preset)
    except ValueError:
        return None, {}, {s: f"{EXPERIMENT} has no {ctx.preset!r} preset" for s in lcr.PEER_SETTINGS}
    runs: dict[str, list] = {}
    for label, cfg in exp.runs(ctx.seed):
        runs.setdefault(label, []).append(find_run(cfg, ctx.out))
    for s in lcr.PEER_SETTINGS:
        for r in runs.get(s, []):
            if r is not None and ((r.dir / lcr.PEER_RESULT_FILE).exists() or (r.dir / CHECKPOINT).exists()):
                run_result(r, ctx)
    found, left = lcr.peer_run_results(runs, lcr.PEER_SETTINGS)
    return exp, found, left


def _table_rows(fresh: list[dict], seed: int, found: dict) -> list[dict]:
    cols = [f"{k}_over_circular" for k, _ in ESTIMATES]
    rows = [{"model": f"fresh init (seed {seed})", "n_runs": 1, **{k: r[k] for k in (
        "kernels", "layer_index", "layer", "input_hw", "c_in", "c_out", "circular", *cols)}} for r in fresh]
    for s, res in found.items():
        for kind in ("fp", "binary"):
            per = [[r for r in x["rows"] if r["kernels"] == kind] for x in res]
            for j, r0 in enumerate(per[0]):
                rows.append({"model": s, "n_runs": len(res), "kernels": kind, "layer_index": r0["layer_index"],
                             "layer": r0["layer"], "input_hw": r0["input_hw"], "c_in": r0["c_in"], "c_out": r0["c_out"],
                             "circular": float(np.mean([p[j]["circular"] for p in per])),
                             **{c: float(np.mean([p[j][c] for p in per])) for c in cols}})
    return rows


def make(ctx: FigureContext) -> list[Path]:
    import matplotlib.pyplot as plt

    folder = figure_dir(ctx, ID)
    fresh = layer_rows(ctx.seed)
    exp, found, left = trained_results(ctx)
    used = "; ".join(f"{s}: seeds {[r['seed'] for r in res]}, runs {', '.join(r['hash'] for r in res)}"
                     for s, res in found.items()) or "none"
    missing = "; ".join(f"{s}: {why}" for s, why in left.items())
    prov = provenance(exp, base_seed=ctx.seed) if exp is not None else f"preset {ctx.preset}"
    paths = write_table(_table_rows(fresh, ctx.seed, found), folder, "spectral_peers",
                        caption=f"{TITLE}; ratios to the exact circular-padding operator norm, operators at stride 1. "
                                f"Fresh init: seed {ctx.seed}, N(0,1) inputs 8x3x32x32. Trained ({EXPERIMENT}, {prov}): "
                                f"means over seeds, layer inputs from the first 8 test images; used {used}"
                                + (f"; left out: {missing}" if missing else ""))
    panels = [("fresh init", None)] + [(SETTING_LABELS.get(s, s), s) for s in found]
    fig, axes = plt.subplots(len(panels), 2, figsize=(10, 1.0 + 2.9 * len(panels)), sharey=True, squeeze=False)
    styles = distinct_styles(len(ESTIMATES))
    for row, (label, s) in zip(axes, panels):
        for ax, kind in zip(row, ("fp", "binary")):
            if s is None:
                rs = [r for r in fresh if r["kernels"] == kind]
                j = np.array([r["layer_index"] for r in rs])
                for (key, lab), style in zip(ESTIMATES, styles):
                    ax.plot(j, [r[f"{key}_over_circular"] for r in rs], lw=1, label=lab, **style)
                title = f"fresh init (seed {ctx.seed}): {kind} kernels"
            else:
                per = [[r for r in x["rows"] if r["kernels"] == kind] for x in found[s]]
                j = np.array([r["layer_index"] for r in per[0]])
                for (key, lab), style in zip(ESTIMATES, styles):
                    v = np.array([[r[f"{key}_over_circular"] for r in p] for p in per])
                    line, = ax.plot(j, v.mean(0), lw=1, label=lab, **style)
                    ax.fill_between(j, v.min(0), v.max(0), color=line.get_color(), alpha=0.15, lw=0)
                title = f"trained {label}: {kind} kernels (n = {len(per)} seeds)"
            ax.axhline(1.0, color="k", lw=0.6)
            ax.set(yscale="log", title=title)
            ax.title.set_fontsize(9)
        row[0].set_ylabel("estimate / exact circular norm")
    for ax in axes[-1]:
        ax.set_xlabel("conv layer (forward order)")
    axes[0][1].legend(fontsize=6)
    if not found:
        fig.suptitle(f"trained quick models missing ({missing}); `workbench figures --only lcr_table2 --preset "
                     f"{ctx.preset}` makes the runs", fontsize=7, wrap=True)
    from matplotlib.ticker import MaxNLocator

    for ax in axes.flat:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    out_names = ", ".join(s for s in left if s not in found)
    stamp(fig, f"fresh: binary ResNet-20 (seed {ctx.seed}), N(0,1) inputs 8x3x32x32, no training | trained: "
               f"{EXPERIMENT}, {prov}, first 8 test images, runs: {used}"
               + (f" | left out (no spectral_peers.json): {out_names}" if found and out_names else "")
               + " | real input sizes; stride-1 operators",
          bars="fresh: none (one deterministic computation per layer); trained: " + MINMAX_BANDS)
    return paths + save_figure(fig, folder, "spectral_peers")
