"""What every figure script shares: its context, making its runs, stamping, saving PNG/PDF/CSV/MD.

A figure states its provenance on its face (:func:`provenance`): preset, data set (and whether
synthetic), subset sizes, epochs, batch size, the training precision and seeds, so a quick-preset figure is never
mistaken for the paper's.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from analysis.nets.config import Experiment, TrainConfig  # noqa: E402


@dataclass(frozen=True)
class FigureContext:
    """preset, out (results root), data_dir, seed (base seed), progress, workers (local
    processes for missing runs), scheduler (Dask address or None), make_missing (False: only
    read the cache; a missing run is then an error)."""

    preset: str = "quick"
    out: Path = Path("results")
    data_dir: Path | None = None
    seed: int = 0
    progress: bool = True
    workers: int = 2
    scheduler: str | None = None
    make_missing: bool = True


def figure_dir(ctx: FigureContext, fid: str) -> Path:
    """``<out>/figures/<ID>/`` (created)."""
    d = Path(ctx.out) / "figures" / fid
    d.mkdir(parents=True, exist_ok=True)
    return d


def make_runs(exp: Experiment, ctx: FigureContext) -> dict[str, list]:
    """The runs of every (label, config) of ``exp`` for ctx's seeds, made through the sweep
    machinery when missing; returns {label: [Run per seed, in seed order]}."""
    from analysis.nets.cache import find_run
    from analysis.nets.sweep import run_configs

    pairs = exp.runs(ctx.seed)
    if ctx.make_missing:
        runs = run_configs([c for _, c in pairs], ctx.out, data_dir=ctx.data_dir, workers=ctx.workers,
                           scheduler=ctx.scheduler, progress=ctx.progress)
    else:
        runs = [find_run(c, ctx.out) for _, c in pairs]
        missing = [lab for (lab, _), r in zip(pairs, runs) if r is None]
        if missing:
            raise ValueError(f"runs missing for {sorted(set(missing))}; make them with "
                             f"`workbench figures --only <ID> --preset {ctx.preset}`")
    out: dict[str, list] = {}
    for (label, _), r in zip(pairs, runs):
        out.setdefault(label, []).append(r)
    return out


def setup(ctx: FigureContext, fid: str, experiment: str, extra: str = ""):
    """The common start of a figure script: (experiment resolved for ctx's preset, its runs
    {label: [Run per seed]} made when missing, the output folder, the provenance line)."""
    from analysis.nets.config import load_experiment

    exp = load_experiment(experiment, ctx.preset)
    return exp, make_runs(exp, ctx), figure_dir(ctx, fid), provenance(exp, base_seed=ctx.seed, extra=extra)


def provenance(exp: Experiment, cfg: TrainConfig | None = None, extra: str = "", base_seed: int = 0) -> str:
    """One line for the figure: preset, data, subset, epochs, batch, seeds (and ``extra``)."""
    c = cfg or exp.base
    data = c.dataset + (" (synthetic files)" if c.synthetic else "")
    sub = (f"train {c.train_subset if c.train_subset else 'all'} / test "
           f"{c.test_subset if c.test_subset else 'all'}")
    if c.synthetic:
        sub = f"train {c.synthetic['n_train']} / test {c.synthetic['n_test']} synthetic images"
    steps = f", max {c.max_steps_per_epoch} steps/epoch" if c.max_steps_per_epoch else ""
    width = f", width x{c.width:g}" if c.width != 1 else ""
    seeds = ",".join(str(s + base_seed) for s in exp.seeds)
    batch = "batch: grid" if "batch_size" in exp.grid else f"batch {c.batch_size}"
    lr = "lr: grid" if "lr" in exp.grid else f"lr {c.lr:g}"
    text = (f"preset {exp.preset} | {data}, {sub} | {c.epochs} epochs{steps}, {batch}"
            f"{width} | {c.optimizer} {lr} | {precision_text(exp, c)} | seeds {seeds}")
    return text + (f" | {extra}" if extra else "")


def precision_text(exp: Experiment, c: TrainConfig) -> str:
    """How the runs computed: ``fp32``, ``bf16`` (``auto`` says what it resolved to on this CPU),
    and ``channels_last`` / ``compiled`` when set."""
    from analysis.nets.train import resolve_precision

    if "precision" in exp.grid:
        text = "precision: grid"
    else:
        text = resolve_precision(c.precision) + (" (auto)" if c.precision == "auto" else "")
    return text + (", channels_last" if c.channels_last else "") + (", compiled" if c.compile else "")


def cached_run_result(run, name: str, compute) -> dict:
    """A result derived from a finished run, computed once by ``compute()`` and kept as JSON in
    ``<run folder>/<name>`` (written atomically), so re-making a figure does not redo it."""
    import json

    from analysis.nets.train import atomic_write_text

    path = Path(run.dir) / name
    if path.exists():
        return json.loads(path.read_text())
    res = compute()
    atomic_write_text(path, json.dumps(res, indent=2) + "\n")
    return res


# What the usual error bars and bands of the figures are (one wording everywhere).
SE_BARS = "±1 standard error of the mean over seeds"
SD_BARS = "±1 standard deviation over seeds"
MINMAX_BANDS = "shaded bands span the minimum to maximum over seeds (lines: mean)"


def stamp(fig, text: str, *, bars: str, layout: bool = True) -> None:
    """Lay the figure out leaving a strip at the bottom, and write the provenance line there,
    followed by what its error bars or bands are (``bars``, required: e.g. :data:`SE_BARS`, or
    "none (closed forms)"). :func:`save_figure` refuses a figure that was not stamped."""
    if not isinstance(bars, str) or not bars.strip():
        raise ValueError("stamp() needs bars=: what the error bars or bands show, or 'none (why)'")
    full = f"{text} | error bars: {bars}"
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:                      # epochs are whole numbers: no 1.25-epoch ticks
        if ax.get_xlabel().lower().startswith("epoch"):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if layout:
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.text(0.5, 0.005, full, ha="center", va="bottom", fontsize=7, color="0.3", wrap=True)
    fig._workbench_stamp = full


def distinct_styles(n: int) -> list[dict]:
    """Matplotlib keyword sets that keep ``n`` curves apart where they coincide: each its own
    line style and marker, hollow markers of decreasing size (the later drawn inside the earlier)."""
    ls = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "x", "D", "v"]
    return [{"ls": ls[i % len(ls)], "marker": markers[i % len(markers)], "ms": max(7 - 1.5 * i, 3),
             "mfc": "none", "mew": 1.2} for i in range(n)]


def offsets(n: int, step: float) -> np.ndarray:
    """Symmetric x offsets (n values, ``step`` apart, centred on 0) to separate coinciding points."""
    return (np.arange(n) - (n - 1) / 2.0) * step


def save_figure(fig, folder: Path, name: str) -> list[Path]:
    """Save ``fig`` as ``<folder>/<name>.png`` (150 dpi) and ``.pdf``; close it; return the paths.

    The stamp (provenance and what the error bars are) also goes into the PNG's ``Description``
    text chunk and the PDF's ``Subject``, so a file states it even when cropped."""
    from analysis.nets.train import atomic_write_bytes

    text = getattr(fig, "_workbench_stamp", None)
    if text is None:
        plt.close(fig)
        raise ValueError(f"figure {name!r} was not stamped: call stamp(fig, provenance, bars=...) first")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.png", folder / f"{name}.pdf"]
    try:
        for path, kw in ((paths[0], {"dpi": 150, "metadata": {"Description": text}}),
                         (paths[1], {"metadata": {"Subject": text}})):
            buf = io.BytesIO()                     # written whole, then renamed into place: two
            fig.savefig(buf, format=path.suffix[1:], bbox_inches="tight", **kw)   # processes on one
            atomic_write_bytes(path, buf.getvalue())                              # root never mix
    finally:
        plt.close(fig)
    return paths


def _cell(v) -> str:
    if isinstance(v, float):
        return "N.A." if math.isnan(v) else f"{v:.4g}"
    return str(v)


def write_table(rows: list[dict], folder: Path, name: str, columns: list[str] | None = None,
                caption: str = "") -> list[Path]:
    """Write ``rows`` as ``<name>.csv`` (full precision) and ``<name>.md`` (4 significant digits,
    ``caption`` above it); return the paths."""
    from analysis.nets.train import atomic_write_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    columns = columns or list(rows[0]) if rows else (columns or [])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([repr(r.get(c)) if isinstance(r.get(c), float) else r.get(c, "") for c in columns])
    csv_path = folder / f"{name}.csv"
    atomic_write_text(csv_path, buf.getvalue())
    md = [caption, ""] if caption else []
    md.append("| " + " | ".join(columns) + " |")
    md.append("|" + "---|" * len(columns))
    for r in rows:
        md.append("| " + " | ".join(_cell(r.get(c, "")) for c in columns) + " |")
    md_path = folder / f"{name}.md"
    atomic_write_text(md_path, "\n".join(md) + "\n")
    return [csv_path, md_path]


def mean_band(runs, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(epochs, mean, min, max) of ``metric`` over the runs (epochs common to all of them)."""
    cols = [r.column(metric) for r in runs]
    n = min(len(c) for c in cols) if cols else 0
    if n == 0:
        e = np.zeros(0)
        return e, e, e, e
    m = np.vstack([c[:n] for c in cols])
    epochs = np.array([r["epoch"] for r in runs[0].rows[:n]], dtype=float)
    return epochs, m.mean(axis=0), m.min(axis=0), m.max(axis=0)
