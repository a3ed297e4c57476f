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
- ``status.json``      {"status": "running" | "done" | "N.A.(e)", "epochs_done", "runtime_s"}
- ``run.lock``         present while a process trains the run (pid; stale locks are taken over)

Determinism (CPU): the seed fixes the initialization (``torch.manual_seed(seed)`` before
``build_model``), the training subset (``data.subset(seed)``), the data order of epoch e
(``numpy.random.default_rng([seed, e]).permutation``) and its augmentation
(``default_rng([seed, e, 1])``). Because the order and augmentation of an epoch depend only on
(seed, e), a run resumed from the checkpoint of epoch e−1 continues exactly as if never stopped.
Identical metrics need the same torch thread count too (reductions are split by thread):
sweep workers, the tests and the engine bench use one thread. A non-finite loss stops the run
cleanly with status ``N.A.(e)`` (the paper tables' notation).
The torch side computes in float32 (torch's default for training); everything logged is a
Python float.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .config import TrainConfig, load_experiment, parse_overrides, to_yaml
from .hooks import HookEnv, StepContext, get_hook

CHECKPOINT = "checkpoint.pt"


# ----------------------------------------------------------------------------- files

def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``.

    The rename is atomic, so a killed process leaves the old or the new file, never a partial
    one (no fsync: protection against power loss is not the goal and costs per-epoch time).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def atomic_torch_save(obj, path: Path) -> None:
    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())


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


class _Lock:
    """``run.lock`` created with O_EXCL holding the pid; a lock whose pid is dead is stale."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                return self
            except FileExistsError:
                try:
                    pid = int(self.path.read_text().strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and pid != os.getpid() and _alive(pid):
                    raise RunBusyError(f"{self.path.parent} is being trained by process {pid}; "
                                       "wait for it or kill it (a rerun then resumes)") from None
                self.path.unlink(missing_ok=True)
        raise RunBusyError(f"could not take {self.path}")

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ----------------------------------------------------------------------------- data

@dataclass
class TensorData:
    """In-memory tensors: x (n, C, H, W) float32 normalized, y (n,) int64."""

    x: torch.Tensor
    y: torch.Tensor
    num_classes: int

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
    return TensorData(xs, ys, train.num_classes), TensorData(xt, yt, test.num_classes)


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

def make_optimizer(cfg: TrainConfig, params) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


_BUILD_LOCK = threading.Lock()


def build(cfg: TrainConfig, num_classes: int, in_channels: int, image_size: int) -> torch.nn.Module:
    """The config's network, initialized from ``torch.manual_seed(cfg.seed)``.

    torch's default generator is per process, so seeding and building happen under a lock: runs
    that share a process (Dask workers as threads) cannot interleave their initializations.
    """
    from .models import build_model

    with _BUILD_LOCK:
        torch.manual_seed(cfg.seed)
        return build_model(cfg.model, num_classes=num_classes, in_channels=in_channels,
                           image_size=image_size, width=cfg.width, **cfg.model_kw)


@torch.no_grad()
def evaluate(model: torch.nn.Module, data: TensorData, batch_size: int) -> tuple[float, float]:
    """(mean cross-entropy, fraction correct) of ``model`` in eval mode on ``data``."""
    model.eval()
    loss_sum, correct = 0.0, 0
    for s in range(0, len(data), batch_size):
        xb, yb = data.x[s:s + batch_size], data.y[s:s + batch_size]
        logits = model(xb)
        loss_sum += float(F.cross_entropy(logits, yb, reduction="sum"))
        correct += int((logits.argmax(1) == yb).sum())
    n = max(len(data), 1)
    return loss_sum / n, correct / n


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def train(cfg: TrainConfig, out: Path, data_dir=None, progress: bool = True,
          data: tuple[TensorData, TensorData] | None = None):
    """Train ``cfg`` into ``<out>/runs/<hash>/``, resuming from its checkpoint; return the Run.

    A finished run (status done or N.A.) is returned as it is, without training.
    ``data``: the (train, test) tensors that ``load_data(cfg, data_dir, out)`` would return, when
    the caller already holds them (the engine bench); they must be exactly those.
    """
    from .cache import Run, run_dir

    rd = run_dir(cfg, out)
    done = Run.load(rd)
    if done is not None and done.finished:
        return done
    rd.mkdir(parents=True, exist_ok=True)
    with _Lock(rd / "run.lock"):
        _train_locked(cfg, rd, Path(out), data_dir, progress, data)
    return Run.load(rd)


def _train_locked(cfg: TrainConfig, rd: Path, out: Path, data_dir, progress: bool, data) -> None:
    t_start = time.perf_counter()
    atomic_write_text(rd / "config.yaml", f"# run {cfg.hash()}\n" + to_yaml(cfg))
    train_d, test_d = data if data is not None else load_data(cfg, data_dir, out)
    c, h = int(train_d.x.shape[1]), int(train_d.x.shape[2])
    model_args = {"num_classes": train_d.num_classes, "in_channels": c, "image_size": h}
    model = build(cfg, **model_args)
    opt = make_optimizer(cfg, model.parameters())
    env = HookEnv(out=out, data_dir=data_dir, seed=cfg.seed)
    losses = [(float(s.get("weight", 1.0)), get_hook("loss", s, env)) for s in cfg.extra_losses]
    monitors = [get_hook("monitor", s, env) for s in cfg.monitors]
    grad_tf = get_hook("grad", cfg.grad_transform, env) if cfg.grad_transform else None
    teacher = get_hook("teacher", cfg.teacher, env)() if cfg.teacher else None

    ck_path = rd / CHECKPOINT
    prior_runtime = 0.0
    status_path = rd / "status.json"
    if status_path.exists():
        try:
            prior_runtime = float(json.loads(status_path.read_text()).get("runtime_s", 0.0))
        except (ValueError, OSError):
            prior_runtime = 0.0
    meta = {"hash": cfg.hash(), "model_args": model_args,
            "data": {"n_train": len(train_d), "n_test": len(test_d), "image_shape": [c, h, h],
                     "dataset": cfg.dataset, "synthetic": cfg.synthetic is not None}}
    if ck_path.exists():
        ck = torch.load(ck_path, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        torch.set_rng_state(ck["torch_rng"])
        start_epoch, rows = int(ck["epoch"]) + 1, list(ck["rows"])
        init_trace, after_init = ck["init"], ck["monitors_after_init"]
        status = ck.get("status", "running")
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
        atomic_write_text(status_path, json.dumps(
            {"hash": cfg.hash(), "status": status, "epochs_done": len(rows), "epochs": cfg.epochs,
             "runtime_s": prior_runtime + time.perf_counter() - t_start}, indent=1) + "\n")

    write_outputs(status)
    n = len(train_d)
    steps = math.ceil(n / cfg.batch_size)
    if cfg.max_steps_per_epoch is not None:
        steps = min(steps, cfg.max_steps_per_epoch)
    bar_on = progress and sys.stderr.isatty()
    for epoch in range(start_epoch, cfg.epochs + 1):
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
            idx = order[step * cfg.batch_size:(step + 1) * cfg.batch_size]
            xb, yb = train_d.x[idx], train_d.y[idx]
            if cfg.augment == "crop_flip":
                xb = crop_flip(xb, aug_rng)
            logits = model(xb)
            task = F.cross_entropy(logits, yb)
            loss = task
            if losses:
                with torch.no_grad():
                    t_logits = teacher(xb) if teacher is not None else None
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
        test_loss, test_acc = evaluate(model, test_d, cfg.eval_batch_size)
        row = {"epoch": epoch, "train_loss": float(loss_sum) / seen, "train_acc": int(correct) / seen,
               "test_loss": test_loss, "test_acc": test_acc,
               **{k: v / steps for k, v in sorted(term_sums.items())}}
        for m in monitors:
            row.update(m(model))
        rows.append(row)
        if epoch == cfg.epochs:
            status = "done"
        _checkpoint(ck_path, model, opt, epoch, rows, init_trace, after_init, status)
        write_outputs(status)
        if progress:
            _log(f"run {cfg.hash()} [{cfg.model}] epoch {epoch}/{cfg.epochs}: "
                 f"train_loss {row['train_loss']:.4f} train_acc {row['train_acc']:.4f} "
                 f"test_acc {row['test_acc']:.4f}")
    if status == "running" and len(rows) >= cfg.epochs:
        status = "done"
    write_outputs(status)


def _checkpoint(path, model, opt, epoch, rows, init_trace, after_init, status) -> None:
    atomic_torch_save({"epoch": epoch, "model": model.state_dict(), "optimizer": opt.state_dict(),
                       "torch_rng": torch.get_rng_state(), "rows": rows, "init": init_trace,
                       "monitors_after_init": after_init, "status": status}, path)


# ----------------------------------------------------------------------------- command line

def config_from_args(args) -> TrainConfig:
    """The TrainConfig that `workbench train CONFIG [setting=NAME] key=value ... --preset P --seed S`
    names: the experiment's base, or its named setting (e.g. setting=cnn1_init500)."""
    ov = parse_overrides(getattr(args, "overrides", []))
    setting = ov.pop("setting", None)
    if "seed" not in ov:
        ov["seed"] = int(getattr(args, "seed", 0) or 0)
    exp = load_experiment(args.config, getattr(args, "preset", "quick"), ov)
    if setting is None:
        return exp.base
    if str(setting) not in exp.settings:
        raise ValueError(f"setting {setting!r} is not in {exp.name}; it has {sorted(exp.settings)}")
    return exp.settings[str(setting)]


def cli_train(args) -> int:
    """`workbench train CONFIG.yaml [key=value ...]`: train (or load) one run; print its folder."""
    cfg = config_from_args(args)
    run = train(cfg, Path(args.out), data_dir=args.data_dir, progress=not args.no_progress)
    print(f"run {run.hash}: {run.status}, {len(run.rows)} epochs, top test acc "
          f"{run.top_test_acc():.4f}; folder {run.dir}")
    return 0


if __name__ == "__main__":      # python -m analysis.nets.train CONFIG k=v ... (tests use this)
    from workbench.cli import main

    sys.exit(main(["train", *sys.argv[1:]]))
