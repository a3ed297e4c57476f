"""The one trainer: a TrainConfig in, a resumable run folder out.

Run folder ``<out>/runs/<hash>/`` (hash = ``TrainConfig.hash()``):

- ``config.yaml``      the resolved configuration (and its hash)
- ``metrics.csv``      one row per epoch: epoch, train_loss (mean task loss over the epoch's
                       samples), train_acc (fraction correct during the epoch), test_loss,
                       test_acc (fractions in [0, 1]), ``loss.<term>`` (epoch mean of every extra
                       loss term), and the monitors (e.g. ``cs.<j>``, ``cs.total``) after the epoch
- ``metrics.json``     {"hash", "rows": [...same rows...], "init": {trace of the init hook} or
                       null, "monitors_after_init": {...}, "data": {sizes, shapes}}
- ``checkpoint.pt``    model, optimizer, torch RNG state, epoch and the rows so far; rewritten
                       atomically (temp file + rename) after the init step and after every epoch
- ``status.json``      {"status": "running" | "done" | "N.A.(e)" | "partial" | "failed",
                       "epochs_done", "runtime_s"; "error" when failed}: ``partial`` = stopped by
                       an interrupt after cleanup (resumes from the checkpoint), ``failed`` = an
                       exception (its one-line cause in ``error``, the traceback in ``run.log``)
- ``run.log``          what the trainer said about this run (start, epochs, interrupt, traceback)
- ``run.lock``         present while a process trains the run: JSON {pid, host, started}. A run
                       whose status says ``running`` but whose lock is gone or names a dead
                       process on this host died without cleanup; :class:`~.cache.Run` reports it
                       as ``died`` and the next ``train`` takes the lock over and resumes
- ``metrics.json``'s ``data.files``: the data files the run read (path, bytes)

Determinism (CPU): the seed fixes the initialization (``torch.manual_seed(seed)`` before
``build_model``), the training subset (``data.subset(seed)``), the data order of epoch e
(``numpy.random.default_rng([seed, e]).permutation``) and its augmentation
(``default_rng([seed, e, 1])``). Because the order and augmentation of an epoch depend only on
(seed, e), a run resumed from the checkpoint of epoch e−1 continues exactly as if never stopped.
Identical metrics need the same torch thread count too (reductions are split by thread):
sweep workers, the tests and the engine bench use one thread. A non-finite loss stops the run
cleanly with status ``N.A.(e)`` (the paper tables' notation).
The torch side computes in float32 (torch's default for training) unless the config's
``precision`` is ``bf16`` (or ``auto`` resolved to it, :func:`resolve_precision`): then the
training forward pass and the test pass run under bfloat16 autocast, while the weights, the
optimizer, the task loss and every hook stay float32 (loss hooks get float32 tensors and run with
autocast disabled; with loss hooks every module's output is cast back to float32, so what a hook
records during the forward pass is float32 too). ``metrics.json``'s ``engine`` records the
precision used, channels_last, compile and the compilation time; ``fingerprint.json`` the code
that made the run (:mod:`.fingerprint`). Everything logged is a Python float.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .cache import Run, find_run, run_dir
from .config import TrainConfig, to_yaml
from .hooks import HookEnv, StepContext, get_hook
from .runcore import (CHECKPOINT, CHECKPOINT_MAGIC, HOST, CorruptCheckpointError, _alive, _mtime,  # noqa: F401
                      build, load_checkpoint, lock_is_live, make_optimizer, read_lock)



# ----------------------------------------------------------------------------- files

def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``.

    The rename is atomic, so a killed process leaves the old or the new file, never a partial
    one (no fsync: protection against power loss is not the goal and costs per-epoch time).
    A failed write (a full disk: OSError) removes its temporary file and leaves ``path`` as it
    was; the error propagates.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        _write_file(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_file(path: Path, data: bytes) -> None:
    """The one place run files are written (the fault-injection tests replace it)."""
    with open(path, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())




def atomic_torch_save(obj, path: Path) -> None:
    """``torch.save`` of ``obj`` behind a header holding the sha256 of its bytes (see
    :func:`load_checkpoint`), written atomically."""
    import hashlib

    buf = io.BytesIO()
    torch.save(obj, buf)
    data = buf.getvalue()
    atomic_write_bytes(path, CHECKPOINT_MAGIC + hashlib.sha256(data).hexdigest().encode() + b"\n" + data)


def rows_to_csv(rows: list[dict]) -> str:
    """Rows (dicts) → CSV text with the union of their keys (epoch first, then sorted)."""
    keys = sorted({k for r in rows for k in r}, key=lambda k: (k != "epoch", k))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: repr(v) if isinstance(v, float) else v for k, v in r.items()})
    return buf.getvalue()


class RunBusyError(RuntimeError):
    """Another live process is training this run."""


class RunInterrupted(KeyboardInterrupt):
    """Training stopped because a stop was requested (Ctrl-C, or the sweep's stop file)."""


class _Lock:
    """``run.lock`` created with O_EXCL holding {pid, host, started}; a lock whose process is gone
    (dead pid on this host, or unreadable) is stale and taken over."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        me = json.dumps({"pid": os.getpid(), "host": HOST,
                         "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                try:
                    os.write(fd, me.encode())
                finally:
                    os.close(fd)
                return self
            except FileExistsError:
                info = read_lock(self.path)
                if info is None:
                    continue
                if info.get("pid") != os.getpid() and lock_is_live(info):
                    raise RunBusyError(f"{self.path.parent} is being trained by process {info['pid']} on "
                                       f"{info.get('host', HOST)}; wait for it or stop it (a rerun then "
                                       "resumes)") from None
                if not info and time.time() - _mtime(self.path) < 5.0:
                    time.sleep(0.2)          # another process is writing its lock right now
                    continue
                self.path.unlink(missing_ok=True)
        raise RunBusyError(f"could not take {self.path}")

    def __exit__(self, *exc):
        info = read_lock(self.path)
        if info is not None and info.get("pid") in (os.getpid(), None):
            self.path.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- data

@dataclass
class TensorData:
    """In-memory tensors: x (n, C, H, W) float32 normalized, y (n,) int64; files: what was read."""

    x: torch.Tensor
    y: torch.Tensor
    num_classes: int
    files: tuple = ()

    def __len__(self) -> int:
        return int(self.y.shape[0])


def synthetic_root(cfg: TrainConfig, out: Path) -> Path:
    """Where the smoke preset's synthetic files of ``cfg`` live: ``<out>/data/synthetic/...``."""
    s = cfg.synthetic
    return Path(out) / "data" / "synthetic" / f"{cfg.dataset}-{s['n_train']}-{s['n_test']}"


def _ensure_synthetic(cfg: TrainConfig, out: Path) -> Path:
    """Write the synthetic files once (into a temp folder renamed into place; seed 0)."""
    from .data import write_synthetic

    root = synthetic_root(cfg, out)
    if root.exists():
        return root
    tmp = root.with_name(root.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
    write_synthetic(cfg.dataset, tmp, int(cfg.synthetic["n_train"]), int(cfg.synthetic["n_test"]), seed=0)
    try:
        os.rename(tmp, root)
    except OSError:        # another process won the race; its files are identical
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return root


def load_data(cfg: TrainConfig, data_dir=None, out: Path | None = None) -> tuple[TensorData, TensorData]:
    """The run's training and test tensors (subsets and normalization as the config says).

    Normalization: the data set's published per-channel (mean, std) (``data.normalization``);
    synthetic files use their own statistics (``data.to_tensors``' rule for unknown sets).
    """
    from .data import load_dataset, subset, to_tensors

    if cfg.synthetic is not None:
        if out is None:
            raise ValueError("a synthetic-data config needs the results root `out` to write its files in")
        data_dir = _ensure_synthetic(cfg, out)
    train_split, test_split = ("test", "train") if cfg.swap_splits else ("train", "test")
    train = load_dataset(cfg.dataset, train_split, data_dir)
    test = load_dataset(cfg.dataset, test_split, data_dir)
    if cfg.train_subset is not None:
        if cfg.train_subset > len(train):
            raise ValueError(f"train_subset={cfg.train_subset} exceeds the {len(train)} training images "
                             f"of {cfg.dataset}")
        train = subset(train, cfg.train_subset, seed=cfg.seed)
    if cfg.test_subset is not None and cfg.test_subset < len(test):
        test = subset(test, cfg.test_subset, seed=0)
    xs, ys = to_tensors(train)
    xt, yt = to_tensors(test)
    return (TensorData(xs, ys, train.num_classes, tuple(train.files)),
            TensorData(xt, yt, test.num_classes, tuple(test.files)))


def epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The permutation of the n training samples used in epoch ``epoch`` (1-based)."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def crop_flip(x: torch.Tensor, rng: np.random.Generator, pad: int = 4) -> torch.Tensor:
    """Random pad-``pad`` crop and horizontal flip of a batch x (B, C, H, W) (zero padding)."""
    b, c, h, w = x.shape
    shifts = rng.integers(0, 2 * pad + 1, size=(b, 2))
    flips = rng.random(b) < 0.5
    xp = F.pad(x, (pad, pad, pad, pad))
    rows = torch.as_tensor(shifts[:, 0:1] + np.arange(h)[None, :])          # (B, H)
    cols = shifts[:, 1:2] + np.arange(w)[None, :]
    cols = np.where(flips[:, None], cols[:, ::-1], cols)
    cols = torch.as_tensor(np.ascontiguousarray(cols))                       # (B, W)
    bi = torch.arange(b)[:, None, None, None]
    ci = torch.arange(c)[None, :, None, None]
    return xp[bi, ci, rows[:, None, :, None], cols[:, None, None, :]]


# ----------------------------------------------------------------------------- the trainer

def cpu_flags() -> set[str]:
    """The CPU feature flags of this machine (``/proc/cpuinfo``; empty where unreadable)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def resolve_precision(precision: str, flags: set[str] | None = None) -> str:
    """The precision a run uses: ``fp32`` or ``bf16`` as asked; ``auto`` → ``bf16`` where the CPU
    has AMX (``amx_bf16``), else ``fp32``.

    The issue's rule was bf16 wherever the CPU has native bf16 (AVX512_BF16 or AMX); on an
    AVX512_BF16 CPU without AMX bf16 autocast measured no faster than fp32 (resnet20, batch 128,
    one thread: fp32 0.64 s/step, bf16 0.59 s, channels_last 0.48 s; cnn2 bf16 slower than fp32),
    so ``auto`` picks bf16 only with AMX, where it measured 2.4× faster.
    """
    if precision != "auto":
        return precision
    flags = cpu_flags() if flags is None else flags
    return "bf16" if "amx_bf16" in flags else "fp32"


def autocast(precision: str):
    """The autocast context of a resolved precision (disabled for fp32)."""
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")


def _float_outputs(module, inputs, output):
    """Forward hook: low-precision floating outputs back to float32 (tensors, tuples, lists)."""
    if isinstance(output, torch.Tensor):
        return output.float() if output.is_floating_point() and output.dtype != torch.float32 else None
    if isinstance(output, (tuple, list)) and any(isinstance(o, torch.Tensor) and o.is_floating_point()
                                                 and o.dtype != torch.float32 for o in output):
        return type(output)(o.float() if isinstance(o, torch.Tensor) and o.is_floating_point() else o
                            for o in output)
    return None


@torch.no_grad()
def evaluate(model: torch.nn.Module, data: TensorData, batch_size: int, stop=None,
             precision: str = "fp32", channels_last: bool = False) -> tuple[float, float]:
    """(mean cross-entropy, fraction correct) of ``model`` in eval mode on ``data`` (forward pass
    under the autocast of ``precision``; the loss in float32).
    ``stop``: an Event checked per batch (set → :class:`RunInterrupted`)."""
    model.eval()
    loss_sum, correct = 0.0, 0
    for s in range(0, len(data), batch_size):
        if stop is not None and stop.is_set():
            raise RunInterrupted("stop requested")
        xb, yb = data.x[s:s + batch_size], data.y[s:s + batch_size]
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        with autocast(precision):
            logits = model(xb)
        logits = logits.float()
        loss_sum += float(F.cross_entropy(logits, yb, reduction="sum"))
        correct += int((logits.argmax(1) == yb).sum())
    n = max(len(data), 1)
    return loss_sum / n, correct / n


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


LOG = "run.log"


def _runlog(rd: Path, msg: str) -> None:
    """Append a time-stamped line to the run's ``run.log`` (best effort: a full disk must not
    hide the error being logged)."""
    try:
        with open(Path(rd) / LOG, "a") as fh:
            fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [pid {os.getpid()}] {msg}\n")
    except OSError:
        pass


def one_line(exc: BaseException) -> str:
    """``Type: message`` on one line (the first line of the message)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


_CURRENT = threading.local()


def current_stop():
    """The stop Event of the run this thread is training (nested runs, e.g. a teacher made by a
    hook, inherit it), or None."""
    return getattr(_CURRENT, "stop", None)


def train(cfg: TrainConfig, out: Path, data_dir=None, progress: bool = True,
          data: tuple[TensorData, TensorData] | None = None, stop=None, epoch_limit: int | None = None):
    """Train ``cfg`` into ``<out>/runs/<hash>/``, resuming from its checkpoint; return the Run.

    A finished run (status done or N.A.) is returned as it is, without training.
    ``data``: the (train, test) tensors that ``load_data(cfg, data_dir, out)`` would return, when
    the caller already holds them (the engine bench); they must be exactly those.
    ``stop``: a ``threading.Event`` checked at every step and evaluation batch (default: the one
    of the run this thread is already training). When it is set, or on KeyboardInterrupt, the
    run is left as ``partial`` (checkpoint and metrics of the last finished epoch; a rerun
    resumes it) and :class:`RunInterrupted` (a KeyboardInterrupt) is raised. Any other
    exception leaves it ``failed`` with the one-line cause in ``status.json`` and the traceback
    in ``run.log``, and is re-raised.
    ``epoch_limit``: stop after that epoch (the run stays unfinished; ``workbench runs --verify``
    replays first epochs this way in a scratch root).
    """
    rd = run_dir(cfg, out)
    done = Run.load(rd)
    if done is not None and done.finished:
        return done
    stop = stop if stop is not None else current_stop()
    if stop is not None and stop.is_set():
        raise RunInterrupted(f"run {cfg.hash()} not started: stop requested")
    rd.mkdir(parents=True, exist_ok=True)
    outer = current_stop()
    _CURRENT.stop = stop
    try:
        with _Lock(rd / "run.lock"):
            _train_locked(cfg, rd, Path(out), data_dir, progress, data, stop, epoch_limit)
    finally:
        _CURRENT.stop = outer
    return Run.load(rd)


def ensure_run(cfg: TrainConfig, out, data_dir=None, progress: bool = True,
               wait_s: float = 3600.0, poll_s: float = 1.0) -> Run:
    """Load the finished run of ``cfg`` or train it (resuming a partial one).

    When another process is training the same run (its lock is live) this waits for it, up to
    ``wait_s`` seconds, and then loads the result: parallel sweep workers that share one run (a
    distillation teacher, for instance) train it once instead of failing.
    """
    deadline = time.monotonic() + wait_s
    while True:
        r = find_run(cfg, out)
        if r is not None:
            return r
        try:
            return train(cfg, Path(out), data_dir=data_dir, progress=progress)
        except RunBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(poll_s)


def _write_status(rd: Path, cfg: TrainConfig, status: str, epochs_done: int, runtime_s: float,
                  error: str | None = None) -> None:
    d = {"hash": cfg.hash(), "status": status, "epochs_done": epochs_done, "epochs": cfg.epochs,
         "runtime_s": runtime_s}
    if error is not None:
        d["error"] = error
        d["log"] = str(Path(rd) / LOG)
    atomic_write_text(Path(rd) / "status.json", json.dumps(d, indent=1) + "\n")


def _train_locked(cfg: TrainConfig, rd: Path, out: Path, data_dir, progress: bool, data, stop=None,
                  epoch_limit: int | None = None) -> None:
    t_start = time.perf_counter()
    state = {"saved": 0, "prior": 0.0}       # epochs in the newest checkpoint; runtime before this process
    try:
        state["prior"] = float(json.loads((rd / "status.json").read_text()).get("runtime_s", 0.0))
    except (OSError, ValueError, AttributeError):
        pass
    for tmp in rd.glob(".*.tmp"):            # left by a process killed mid-write; never read
        tmp.unlink(missing_ok=True)
    try:
        _runlog(rd, f"start: run {cfg.hash()} ({cfg.model}, {cfg.dataset}, seed {cfg.seed})")
        _train_body(cfg, rd, out, data_dir, progress, data, stop, t_start, state, epoch_limit)
    except KeyboardInterrupt:
        runtime = state["prior"] + time.perf_counter() - t_start
        try:
            _write_status(rd, cfg, "partial", state["saved"], runtime)
        except OSError as exc:
            _runlog(rd, f"could not write status partial: {one_line(exc)}")
        _runlog(rd, f"interrupted after {state['saved']} finished epochs: partial (a rerun resumes it)")
        raise RunInterrupted(f"run {cfg.hash()} interrupted after {state['saved']} epochs") from None
    except Exception as exc:
        runtime = state["prior"] + time.perf_counter() - t_start
        _runlog(rd, "failed: " + "".join(traceback.format_exception(exc)).rstrip())
        try:
            _write_status(rd, cfg, "failed", state["saved"], runtime, error=one_line(exc))
        except OSError:
            pass
        raise


def _train_body(cfg: TrainConfig, rd: Path, out: Path, data_dir, progress: bool, data, stop,
                t_start: float, state: dict, epoch_limit: int | None = None) -> None:
    from . import fingerprint

    atomic_write_text(rd / "config.yaml", f"# run {cfg.hash()}\n" + to_yaml(cfg))
    train_d, test_d = data if data is not None else load_data(cfg, data_dir, out)
    files = []
    for f in dict.fromkeys((*train_d.files, *test_d.files)):
        try:
            files.append({"path": f, "bytes": os.path.getsize(f)})
        except OSError:
            files.append({"path": f, "bytes": None})
    c, h = int(train_d.x.shape[1]), int(train_d.x.shape[2])
    model_args = {"num_classes": train_d.num_classes, "in_channels": c, "image_size": h}
    model = build(cfg, **model_args)
    opt = make_optimizer(cfg, model.parameters())
    env = HookEnv(out=out, data_dir=data_dir, seed=cfg.seed, ensure_run=ensure_run)
    losses = [(float(s.get("weight", 1.0)), get_hook("loss", s, env)) for s in cfg.extra_losses]
    monitors = [get_hook("monitor", s, env) for s in cfg.monitors]
    grad_tf = get_hook("grad", cfg.grad_transform, env) if cfg.grad_transform else None
    teacher = get_hook("teacher", cfg.teacher, env)() if cfg.teacher else None
    precision = resolve_precision(cfg.precision)
    cl = cfg.channels_last
    if cl:
        model = model.to(memory_format=torch.channels_last)
    if precision == "bf16" and losses:         # what loss hooks record in the forward pass: float32
        for mod in model.modules():
            mod.register_forward_hook(_float_outputs)
    forward = model
    if cfg.compile:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(Path(out).resolve() / "cache" / "inductor")
        forward = torch.compile(model)
    engine = {"precision": precision, "precision_asked": cfg.precision, "channels_last": cl,
              "compile": cfg.compile, "cpu_amx_bf16": "amx_bf16" in cpu_flags(),
              "cpu_avx512_bf16": "avx512_bf16" in cpu_flags()}

    ck_path = rd / CHECKPOINT
    prior_runtime = state["prior"]
    status_path = rd / "status.json"
    meta = {"hash": cfg.hash(), "model_args": model_args, "engine": engine,
            "data": {"n_train": len(train_d), "n_test": len(test_d), "image_shape": [c, h, h],
                     "dataset": cfg.dataset, "synthetic": cfg.synthetic is not None,
                     "files": files}}
    ck = _read_checkpoint(ck_path, rd)
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        torch.set_rng_state(ck["torch_rng"])
        start_epoch, rows = int(ck["epoch"]) + 1, list(ck["rows"])
        init_trace, after_init = ck["init"], ck["monitors_after_init"]
        status = ck.get("status", "running")
        state["saved"] = len(rows)
        _runlog(rd, f"resumed from the checkpoint of epoch {int(ck['epoch'])}")
    else:
        init_trace = get_hook("init", cfg.init, env)(model) if cfg.init else None
        after_init = {k: v for m in monitors for k, v in m(model).items()}
        start_epoch, rows, status = 1, [], "running"
        _checkpoint(ck_path, model, opt, 0, rows, init_trace, after_init, status)

    def write_outputs(status: str) -> None:
        atomic_write_text(rd / "metrics.csv", rows_to_csv(rows))
        atomic_write_text(rd / "metrics.json", json.dumps(
            {**meta, "rows": rows, "init": init_trace, "monitors_after_init": after_init},
            indent=1, allow_nan=True) + "\n")
        _write_status(rd, cfg, status, len(rows), prior_runtime + time.perf_counter() - t_start)

    fingerprint.write(rd, fingerprint.current())
    write_outputs(status)
    n = len(train_d)
    steps = math.ceil(n / cfg.batch_size)
    if cfg.max_steps_per_epoch is not None:
        steps = min(steps, cfg.max_steps_per_epoch)
    bar_on = progress and sys.stderr.isatty()
    step_times: list[float] = []
    last_epoch = cfg.epochs if epoch_limit is None else min(cfg.epochs, int(epoch_limit))
    for epoch in range(start_epoch, last_epoch + 1):
        if status != "running":
            break
        for group in opt.param_groups:           # step schedule: a pure function of the epoch
            group["lr"] = cfg.lr_at(epoch)
        order = torch.as_tensor(epoch_order(cfg.seed, epoch, n))
        aug_rng = np.random.default_rng([cfg.seed, epoch, 1])
        model.train()
        loss_sum = torch.zeros((), dtype=torch.float64)
        correct = torch.zeros((), dtype=torch.int64)
        seen = 0
        term_sums: dict[str, float] = {}
        bar = None
        if bar_on:
            from tqdm import tqdm

            bar = tqdm(total=steps, desc=f"{cfg.model} {cfg.hash()} epoch {epoch}/{cfg.epochs}",
                       leave=False, dynamic_ncols=True)
        for step in range(steps):
            if stop is not None and stop.is_set():
                raise RunInterrupted("stop requested")
            idx = order[step * cfg.batch_size:(step + 1) * cfg.batch_size]
            xb, yb = train_d.x[idx], train_d.y[idx]
            if cfg.augment == "crop_flip":
                xb = crop_flip(xb, aug_rng)
            t_step = time.perf_counter()
            with autocast(precision):
                logits = forward(xb.contiguous(memory_format=torch.channels_last) if cl else xb)
            logits = logits.float()                      # no-op in fp32
            task = F.cross_entropy(logits, yb)
            loss = task
            if losses:
                with torch.autocast("cpu", enabled=False):   # the papers' terms: float32, no autocast
                    with torch.no_grad():
                        t_logits = teacher(xb).float() if teacher is not None else None
                    sc = StepContext(model, xb, yb, logits, t_logits, epoch, step)
                    for w, f in losses:
                        terms = f(sc)
                        for k, v in terms.items():
                            term_sums[f"loss.{k}"] = term_sums.get(f"loss.{k}", 0.0) + float(v.detach())
                        if terms:
                            loss = loss + w * torch.stack(list(terms.values())).sum()
            if not bool(torch.isfinite(loss)):
                status = f"N.A.({epoch})"
                _log(f"run {cfg.hash()}: non-finite loss at epoch {epoch}, step {step}; stopped ({status})")
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if grad_tf is not None:
                grad_tf(model)
            opt.step()
            if len(step_times) < 64:
                step_times.append(time.perf_counter() - t_step)
                if len(step_times) in (1, 8, 64):
                    engine.update(_step_timing(step_times, cfg.compile))
            b = yb.shape[0]
            loss_sum += task.detach().double() * b
            correct += (logits.detach().argmax(1) == yb).sum()
            seen += b
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{float(task):.3f}")
        if bar is not None:
            bar.close()
        if status != "running":
            _checkpoint(ck_path, model, opt, epoch - 1, rows, init_trace, after_init, status)
            break
        test_loss, test_acc = evaluate(model, test_d, cfg.eval_batch_size, stop, precision, cl)
        row = {"epoch": epoch, "train_loss": float(loss_sum) / seen, "train_acc": int(correct) / seen,
               "test_loss": test_loss, "test_acc": test_acc,
               **{k: v / steps for k, v in sorted(term_sums.items())}}
        for m in monitors:
            row.update(m(model))
        rows.append(row)
        if epoch == cfg.epochs:
            status = "done"
        _checkpoint(ck_path, model, opt, epoch, rows, init_trace, after_init, status)
        state["saved"] = len(rows)
        write_outputs(status)
        _runlog(rd, f"epoch {epoch}/{cfg.epochs}: train_loss {row['train_loss']:.4f} "
                    f"test_acc {row['test_acc']:.4f}")
        if progress:
            _log(f"run {cfg.hash()} [{cfg.model}] epoch {epoch}/{cfg.epochs}: "
                 f"train_loss {row['train_loss']:.4f} train_acc {row['train_acc']:.4f} "
                 f"test_acc {row['test_acc']:.4f}")
    if status == "running" and len(rows) >= cfg.epochs:
        status = "done"
    fingerprint.write(rd, fingerprint.current())        # modules loaded while it trained
    write_outputs(status)
    _runlog(rd, f"finished: {status}")


def _step_timing(times: list[float], compiled: bool) -> dict:
    """This process's first step time and the median of the later ones; with compile, their
    difference is the compilation time (``compile_s``)."""
    rest = sorted(times[1:])
    med = rest[len(rest) // 2] if rest else times[0]
    d = {"first_step_s": round(times[0], 4), "step_s_median": round(med, 4)}
    if compiled:
        d["compile_s"] = round(max(0.0, times[0] - med), 3)
    return d


def _read_checkpoint(path: Path, rd: Path) -> dict | None:
    """The checkpoint's dict, or None when there is none. One that cannot be read (damaged on
    disk) is never used: it is moved aside to ``checkpoint.pt.corrupt`` (kept for inspection),
    the metrics are reset to match, and the run starts again from its beginning."""
    if not path.exists():
        return None
    try:
        ck = load_checkpoint(path)
        if not isinstance(ck, dict) or not {"epoch", "model", "optimizer", "rows"} <= set(ck):
            raise CorruptCheckpointError("not a trainer checkpoint")
        return ck
    except Exception as exc:          # torch raises RuntimeError, pickle/zip errors, EOFError …
        aside = path.with_name(path.name + ".corrupt")
        os.replace(path, aside)
        msg = (f"checkpoint {path} is unreadable ({one_line(exc)}); moved to {aside.name}, "
               "training this run again from the start")
        _runlog(rd, msg)
        _log(f"warning: {msg}")
        return None


def _checkpoint(path, model, opt, epoch, rows, init_trace, after_init, status) -> None:
    atomic_torch_save({"epoch": epoch, "model": model.state_dict(), "optimizer": opt.state_dict(),
                       "torch_rng": torch.get_rng_state(), "rows": rows, "init": init_trace,
                       "monitors_after_init": after_init, "status": status}, path)


if __name__ == "__main__":      # python -m analysis.nets.train CONFIG k=v ... (tests use this)
    # a script entry only: importing the trainer never imports the command line
    import importlib

    sys.exit(importlib.import_module("workbench.cli").main(["train", *sys.argv[1:]]))
