"""The run cache of DESIGN.md: a configuration's hash names its folder ``<out>/runs/<hash>/``.

Asking for a run that is finished loads it; ``analysis.nets.train.ensure_run`` trains what is
missing (and resumes what is partial), so figure scripts and validation suites share runs. This
module reads run folders and never trains (it does not import the trainer).  A run is
*finished* when its status is ``done`` or ``N.A.(e)`` (stopped on a non-finite loss).

Other states, as :meth:`Run.load` reports them: ``running`` (a live process holds its lock),
``partial`` (stopped by an interrupt after cleanup), ``failed`` (an exception; ``Run.error`` has
its one-line cause, ``Run.log`` the traceback), ``died`` (``status.json`` says running but the
lock is gone or names a dead process on this host: killed without cleanup). None of them is
finished; ``ensure_run`` and sweeps resume them from their last checkpoint.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from .config import TrainConfig, from_dict
from .runcore import CHECKPOINT, build, load_checkpoint, lock_is_live, read_lock


def run_dir(cfg: TrainConfig, out) -> Path:
    """``<out>/runs/<cfg.hash()>``."""
    return Path(out) / "runs" / cfg.hash()


@dataclass
class Run:
    """A run folder as read from disk.

    rows: per-epoch metric dicts (see analysis.nets.train); status: "running" | "done" |
    "N.A.(e)" | "partial" | "failed" | "died" (see the module docstring); init: the init hook's
    trace or None; error: the one-line cause of a failed run.
    """

    dir: Path
    config: TrainConfig
    status: str
    rows: list = field(default_factory=list)
    init: dict | None = None
    monitors_after_init: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def log(self) -> Path:
        """The run's log file (``run.log``: start, epochs, interrupts, tracebacks)."""
        return self.dir / "run.log"

    @property
    def hash(self) -> str:
        return self.config.hash()

    @property
    def finished(self) -> bool:
        return self.status == "done" or self.status.startswith("N.A.")

    @classmethod
    def load(cls, folder) -> "Run | None":
        """The run in ``folder`` (any state), or None when the folder has no config.yaml."""
        folder = Path(folder)
        cfg_path = folder / "config.yaml"
        if not cfg_path.exists():
            return None
        cfg = from_dict(yaml.safe_load(cfg_path.read_text()))
        status, rows, init, after, meta, error = "running", [], None, {}, {}, None
        st = folder / "status.json"
        if st.exists():
            s = json.loads(st.read_text())
            status, error = s["status"], s.get("error")
        if status == "running" and not lock_is_live(read_lock(folder / "run.lock")):
            status = "died"
        mj = folder / "metrics.json"
        if mj.exists():
            m = json.loads(mj.read_text())
            rows, init, after = m.get("rows", []), m.get("init"), m.get("monitors_after_init") or {}
            meta = {k: m[k] for k in ("model_args", "data", "engine") if k in m}
        return cls(folder, cfg, status, rows, init, after, meta, error)

    def column(self, name: str) -> np.ndarray:
        """Per-epoch values of metric ``name`` (float64; NaN where an epoch lacks it)."""
        return np.array([float(r.get(name, np.nan)) for r in self.rows], dtype=np.float64)

    def top_test_acc(self) -> float:
        """Best test accuracy over epochs (Table 5's "top test accuracy"); NaN with no epochs."""
        v = self.column("test_acc")
        return float(np.nanmax(v)) if v.size and np.isfinite(v).any() else float("nan")

    def best_epoch(self) -> int | None:
        v = self.column("test_acc")
        return int(self.rows[int(np.nanargmax(v))]["epoch"]) if v.size and np.isfinite(v).any() else None

    def last(self, name: str = "test_acc") -> float:
        v = self.column(name)
        return float(v[-1]) if v.size else float("nan")

    def load_model(self):
        """The network with the weights of the last checkpoint (eval mode not set)."""
        ck = load_checkpoint(self.dir / CHECKPOINT)
        model = build(self.config, **self.meta["model_args"])
        model.load_state_dict(ck["model"])
        return model


def load_run(cfg: TrainConfig, out) -> Run | None:
    """The cached run of ``cfg`` under ``out`` in whatever state it is, or None if absent."""
    return Run.load(run_dir(cfg, out))


def find_run(cfg: TrainConfig, out) -> Run | None:
    """The *finished* run of ``cfg`` under ``out``, or None."""
    r = load_run(cfg, out)
    return r if r is not None and r.finished else None


def list_runs(out) -> list[Run]:
    """Every run folder under ``<out>/runs`` (sorted by hash)."""
    root = Path(out) / "runs"
    runs = [Run.load(p) for p in sorted(root.glob("*")) if p.is_dir()] if root.exists() else []
    return [r for r in runs if r is not None]
