"""What the trainer and the run cache share, so neither imports the other's internals: building
a run's network and optimizer, reading checkpoints, and reading run locks.

(The import graph is one-way: ``config`` ← ``runcore`` ← ``cache`` ← ``hooks`` ← ``train``; hooks
that need a finished run, such as a distillation teacher, get the trainer's ``ensure_run`` through
their :class:`~.hooks.HookEnv`.)
"""
from __future__ import annotations

import io
import json
import os
import socket
import threading
from pathlib import Path

from .config import TrainConfig

CHECKPOINT = "checkpoint.pt"
CHECKPOINT_MAGIC = b"WBCK1\n"


def load_checkpoint(path: Path):
    """What :func:`atomic_torch_save` wrote, after checking the sha256 of its bytes (a damaged
    file raises ``CorruptCheckpointError`` instead of loading wrong weights; a file without the
    header, from older code, is loaded as it is)."""
    import hashlib

    import torch

    raw = Path(path).read_bytes()
    if raw.startswith(CHECKPOINT_MAGIC):
        head = len(CHECKPOINT_MAGIC)
        digest, data = raw[head:head + 64].decode("ascii", "replace"), raw[head + 65:]
        if hashlib.sha256(data).hexdigest() != digest:
            raise CorruptCheckpointError(f"{path}: sha256 of its bytes does not match its header")
        raw = data
    return torch.load(io.BytesIO(raw), weights_only=False)



class CorruptCheckpointError(ValueError):
    """A checkpoint that cannot be read, or whose bytes do not match their checksum."""



HOST = socket.gethostname()


def read_lock(path: Path) -> dict | None:
    """The holder of a ``run.lock`` ({pid, host, started}), {} when unreadable, None when absent.
    (An old lock holding only a pid reads as that pid on this host.)"""
    try:
        text = Path(path).read_text().strip()
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        d = json.loads(text) if text else {}
    except ValueError:
        return {}
    if isinstance(d, int):
        d = {"pid": d, "host": HOST}
    return d if isinstance(d, dict) else {}


def lock_is_live(info: dict | None) -> bool:
    """True when the lock's process may still be training: alive on this host, or on another
    host (which cannot be checked from here)."""
    if not info or not info.get("pid"):
        return False
    if info.get("host", HOST) != HOST:
        return True
    return _alive(int(info["pid"]))



def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _alive(pid: int) -> bool:
    """Whether process ``pid`` on this host is alive: a zombie (killed, not yet reaped, as a
    worker whose parent was killed too) counts as dead."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True



def make_optimizer(cfg: TrainConfig, params) -> "torch.optim.Optimizer":
    import torch

    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


_BUILD_LOCK = threading.Lock()


def build(cfg: TrainConfig, num_classes: int, in_channels: int, image_size: int) -> torch.nn.Module:
    """The config's network, initialized from ``torch.manual_seed(cfg.seed)``.

    torch's default generator is per process, so seeding and building happen under a lock: runs
    that share a process (Dask workers as threads) cannot interleave their initializations.
    """
    import torch

    from .models import build_model

    with _BUILD_LOCK:
        torch.manual_seed(cfg.seed)
        return build_model(cfg.model, num_classes=num_classes, in_channels=in_channels,
                           image_size=image_size, width=cfg.width, **cfg.model_kw)
