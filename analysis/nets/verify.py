"""Which cached runs exist, which were made by other code, and re-stamping those whose numbers hold.

:func:`run_table` lists a results root's runs (what ``workbench runs`` prints);
:func:`verify_run` replays a stale run's first epoch with today's code in a scratch root and
re-evaluates its final checkpoint; when every metric is bit-identical it re-stamps the run's
``fingerprint.json`` with today's fingerprint (a refactor that keeps the numbers costs one
epoch, not a rerun), otherwise it names the metrics that moved.
"""
from __future__ import annotations

import math
import shutil
import tempfile
import time
from pathlib import Path

from . import fingerprint
from .cache import Run, list_runs


def experiment_index() -> dict[str, dict]:
    """{run hash: {experiment, preset, label, seed}} for every experiment file and preset (base
    seed 0); a file that does not resolve is skipped."""
    import yaml

    from .config import CONFIG_ROOT, PRESETS, load_experiment

    index: dict[str, dict] = {}
    for path in sorted(CONFIG_ROOT.rglob("*.yaml")):
        name = str(path.relative_to(CONFIG_ROOT).with_suffix(""))
        try:
            presets = list((yaml.safe_load(path.read_text()) or {}).get("presets") or PRESETS)
        except (OSError, yaml.YAMLError, AttributeError):
            continue
        for preset in presets:
            try:
                pairs = load_experiment(name, preset).runs(0)
            except (ValueError, TypeError, KeyError):
                continue
            for label, cfg in pairs:
                index.setdefault(cfg.hash(), {"experiment": name, "preset": preset, "label": label,
                                              "seed": cfg.seed})
    return index


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def run_summary(run: Run, index: dict | None = None, root: Path | None = None) -> dict:
    """One row of ``workbench runs``: hash, experiment, preset, label, seed, status, stale (and
    ``changed``: the modules that differ), fingerprinted, age_s, bytes, precision."""
    where = (index or {}).get(run.hash, {})
    fp = fingerprint.read(run.dir)
    changed = fingerprint.changes(fp, root)
    st = run.dir / "status.json"
    ref = st if st.exists() else run.dir / "config.yaml"
    return {"hash": run.hash, "experiment": where.get("experiment"), "preset": where.get("preset"),
            "label": where.get("label"), "seed": run.config.seed, "model": run.config.model,
            "status": run.status, "epochs_done": len(run.rows), "epochs": run.config.epochs,
            "stale": bool(changed), "changed": changed or [], "fingerprinted": fp is not None,
            "precision": (run.meta.get("engine") or {}).get("precision", "fp32"),
            "age_s": round(time.time() - ref.stat().st_mtime, 1), "bytes": folder_bytes(run.dir),
            "dir": str(run.dir)}


def run_table(out) -> list[dict]:
    """:func:`run_summary` of every run under ``<out>/runs`` (sorted by hash)."""
    runs = list_runs(out)
    index = experiment_index() if runs else {}
    return [run_summary(r, index) for r in runs]


def stale_hashes(runs) -> list[str]:
    """The hashes of the given runs (Run objects or None) that were made by other code."""
    return sorted({r.hash for r in runs if r is not None and fingerprint.is_stale(r.dir)})


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _moved(old: dict, new: dict, prefix: str = "") -> list[str]:
    keys = sorted(set(old) | set(new), key=str)
    return [f"{prefix}{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if not _same(old.get(k), new.get(k))]


def verify_run(run: Run, data_dir=None, progress: bool = False, scratch=None) -> dict:
    """Replay the first epoch of ``run`` with today's code (in a scratch results root) and
    re-evaluate its final checkpoint where there is one; compare every metric bit for bit.

    ``scratch``: a results root for the replays, kept by the caller (``workbench runs --verify``
    passes one for all the runs it verifies, so a distillation teacher that the replays need is
    trained there once, not once per student); None: a temporary one, removed afterwards.

    Returns {"hash", "identical": bool, "moved": [descriptions], "restamped": bool}; when identical
    the run's fingerprint is replaced by today's (with ``verified``: the previous fingerprint's
    time and changes)."""
    import torch

    from .train import CHECKPOINT, evaluate, load_data, resolve_precision, train

    moved: list[str] = []
    old_fp = fingerprint.read(run.dir)
    changed = fingerprint.changes(old_fp) or []
    if run.rows:
        own = scratch is None
        scratch = Path(tempfile.mkdtemp(prefix="wb-verify-")) if own else Path(scratch)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)                     # the thread count of sweeps and tests
        try:
            replay = train(run.config, scratch, data_dir=data_dir, progress=progress, epoch_limit=1)
            if not replay.rows:
                moved.append("epoch 1: no row (the replay stopped early)")
            else:
                moved += _moved(run.rows[0], replay.rows[0], "epoch 1 ")
            if (run.init or {}) != (replay.init or {}):
                moved.append("init trace")
            moved += _moved(run.monitors_after_init or {}, replay.monitors_after_init or {}, "after init ")
            if (run.dir / CHECKPOINT).exists() and run.finished:
                model = run.load_model()
                eng = run.meta.get("engine") or {}
                cl = bool(eng.get("channels_last", run.config.channels_last))
                if cl:
                    model = model.to(memory_format=torch.channels_last)
                _, test_d = load_data(run.config, data_dir, scratch)
                loss, acc = evaluate(model, test_d, run.config.eval_batch_size,
                                     precision=eng.get("precision", resolve_precision(run.config.precision)),
                                     channels_last=cl)
                moved += _moved({"test_loss": run.rows[-1]["test_loss"], "test_acc": run.rows[-1]["test_acc"]},
                                {"test_loss": loss, "test_acc": acc}, f"final checkpoint (epoch {len(run.rows)}) ")
        finally:
            torch.set_num_threads(threads)
            if own:
                shutil.rmtree(scratch, ignore_errors=True)
    else:
        moved.append("no finished epoch to compare")
    identical = not moved
    if identical:
        fp = fingerprint.current()          # the same modules as recorded, at today's hashes
        root = fingerprint.project_root()
        fp["modules"] = {k: h for k in (old_fp or {}).get("modules", {})
                         if (h := fingerprint.file_sha256(root / k)) is not None}
        fp["verified"] = {"previous_time": (old_fp or {}).get("time"), "changed": changed,
                          "how": "first epoch replayed and final checkpoint re-evaluated: bit-identical"}
        fingerprint.write(run.dir, fp)
    return {"hash": run.hash, "identical": identical, "moved": moved, "restamped": identical,
            "changed": changed}
