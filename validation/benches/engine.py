"""`workbench bench --suite engine`: the trainer's overhead over a minimal hand-written torch loop.

Both sides train the 2-layer CNN of the cdg paper (``cdg_cnn``) on the same in-memory images
(synthetic Fashion-MNIST-format files read once, 1,500 training and 375 test images by default (test = n/4, at most 500);
``--episodes N`` sets the training count; both sides get the same tensors) with the same batch
size (128), optimizer (SGD lr 0.01), epochs (2) and per-epoch work: shuffle, forward,
cross-entropy, backward, step, running loss and accuracy, one test pass. The engine
additionally builds its hooks, writes its run folder, the metrics (CSV, JSON, status) and an
atomic checkpoint after the start and every epoch — that is the overhead measured. Each engine call
trains a fresh run (new folder), so nothing is loaded from the cache.

``engine_overhead_ratio`` = median engine time / median loop time, interleaved (A, B, A, B, …),
median of ≥ 5 repeats (``--repeats``), one process, one torch thread. Goal ≤ 1.05.

``quick_step_speedup_vs_fp32_eager`` (issue 12): the engine's training step with the quick
presets' settings (precision fp32, no channels_last, no compile) over a bare fp32 eager torch
step: ResNet-20, batch 128, the same synthetic CIFAR-10-format images, one thread, interleaved
in one process (the engine trains ``STEPS`` steps of one epoch per call, a fresh run folder each
time, so its per-run files count too). Beside it the same figure for the engine with
channels_last, with bf16 autocast, and with ``precision: auto`` (what it resolves to here is
``auto_resolves_to``), so a CPU where another setting is faster shows it.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

from validation.registry import register_bench
from validation.timing import interleaved_median

EPOCHS = 2
BATCH = 128
STEPS = 5          # training steps per timed call of the step-speed comparison (ResNet-20)


def _loop(cfg, train_d, test_d, model_args) -> float:
    """The hand-written reference: the same work as analysis.nets.train without files."""
    from analysis.nets.models import build_model
    from analysis.nets.train import epoch_order

    torch.manual_seed(cfg.seed)
    model = build_model(cfg.model, width=cfg.width, **model_args)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    n = len(train_d)
    acc = 0.0
    for epoch in range(1, cfg.epochs + 1):
        order = torch.as_tensor(epoch_order(cfg.seed, epoch, n))
        model.train()
        loss_sum, correct = torch.zeros((), dtype=torch.float64), torch.zeros((), dtype=torch.int64)
        for s in range(0, n, cfg.batch_size):
            idx = order[s:s + cfg.batch_size]
            xb, yb = train_d.x[idx], train_d.y[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.detach().double() * yb.shape[0]
            correct += (logits.detach().argmax(1) == yb).sum()
        model.eval()
        hits = 0
        with torch.no_grad():
            for s in range(0, len(test_d), cfg.eval_batch_size):
                hits += int((model(test_d.x[s:s + cfg.eval_batch_size]).argmax(1)
                             == test_d.y[s:s + cfg.eval_batch_size]).sum())
        acc = hits / len(test_d)
    return acc


@register_bench("engine")
def bench(ctx) -> dict:
    """Engine time per epoch over a minimal torch loop (cdg_cnn, same data and batch size)."""
    from analysis.nets.config import from_dict
    from analysis.nets.data import write_synthetic
    from analysis.nets.train import load_data, train

    repeats = max(5, int(ctx.options.get("repeats", 5)))
    n_train = ctx.n_episodes(1500)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    tmp = Path(tempfile.mkdtemp(prefix="engine-bench-"))
    try:
        data_dir = tmp / "data"
        n_test = max(32, min(500, n_train // 4))
        write_synthetic("fashion-mnist", data_dir, n_train, n_test, seed=ctx.seed)
        cfg = from_dict({"model": "cdg_cnn", "dataset": "fashion-mnist", "epochs": EPOCHS,
                         "batch_size": BATCH, "eval_batch_size": 512, "optimizer": "sgd", "lr": 0.01,
                         "seed": ctx.seed})
        train_d, test_d = load_data(cfg, data_dir)
        model_args = {"num_classes": train_d.num_classes, "in_channels": int(train_d.x.shape[1]),
                      "image_size": int(train_d.x.shape[2])}
        results: dict[str, list] = {"engine": [], "loop": []}

        def engine():
            run = train(cfg, tmp / f"out{len(results['engine'])}", progress=False, data=(train_d, test_d))
            results["engine"].append(run.rows[-1]["test_acc"])

        def loop():
            results["loop"].append(_loop(cfg, train_d, test_d, model_args))

        # warm-up on a slice: first-call imports and allocator growth stay out of the timings
        from analysis.nets.train import TensorData

        small = (TensorData(train_d.x[:256], train_d.y[:256], train_d.num_classes),
                 TensorData(test_d.x[:64], test_d.y[:64], test_d.num_classes))
        train(cfg.replace(epochs=1), tmp / "warm", progress=False, data=small)
        _loop(cfg.replace(epochs=1), *small, model_args)
        t = interleaved_median({"engine": engine, "loop": loop}, repeats=repeats, warmup=0)
        # the two sides computed the same thing: the same final test accuracy every time
        same = len(set(results["engine"] + results["loop"])) == 1
        steps = step_speedups(ctx.seed, repeats, tmp) if ctx.options.get("step_speed", True) else {}
    finally:
        torch.set_num_threads(threads)
        shutil.rmtree(tmp, ignore_errors=True)
    return {"engine_overhead_ratio": t["engine"] / t["loop"],
            "engine_s_per_epoch": t["engine"] / EPOCHS, "loop_s_per_epoch": t["loop"] / EPOCHS,
            "same_test_accuracy": bool(same), "n_train": n_train, "batch_size": BATCH,
            "epochs": EPOCHS, "repeats": repeats, "torch_threads": 1, **steps}


def _bare_steps(model_args, x, y, steps: int) -> None:
    """``steps`` bare fp32 eager SGD steps of a freshly built ResNet-20 (no files, no hooks)."""
    from analysis.nets.models import build_model

    torch.manual_seed(0)
    model = build_model("resnet20", **model_args)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    model.train()
    for s in range(steps):
        xb, yb = x[s * BATCH:(s + 1) * BATCH], y[s * BATCH:(s + 1) * BATCH]
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def step_speedups(seed: int, repeats: int, tmp: Path) -> dict:
    """Engine step time with each setting over the bare fp32 eager step (see the module docstring)."""
    from analysis.nets.config import from_dict
    from analysis.nets.data import write_synthetic
    from analysis.nets.train import TensorData, load_data, resolve_precision, train

    data_dir = tmp / "cifar"
    write_synthetic("cifar10", data_dir, BATCH * STEPS, 32, seed=seed)
    base = {"model": "resnet20", "dataset": "cifar10", "epochs": 1, "batch_size": BATCH,
            "max_steps_per_epoch": STEPS, "eval_batch_size": 32, "optimizer": "sgd", "lr": 0.01, "seed": seed}
    cfg = from_dict(base)
    train_d, test_d = load_data(cfg, data_dir)
    model_args = {"num_classes": train_d.num_classes, "in_channels": 3, "image_size": 32}
    settings = {"quick": {}, "channels_last": {"channels_last": True}, "bf16": {"precision": "bf16"},
                "bf16_channels_last": {"precision": "bf16", "channels_last": True}, "auto": {"precision": "auto"}}
    calls = {"n": 0}

    def engine(over):
        def go():
            calls["n"] += 1
            train(from_dict({**base, **over}), tmp / f"steps{calls['n']}", progress=False, data=(train_d, test_d))
        return go
    funcs = {"bare": lambda: _bare_steps(model_args, train_d.x, train_d.y, STEPS)}
    funcs.update({k: engine(v) for k, v in settings.items()})
    small = (TensorData(train_d.x[:BATCH], train_d.y[:BATCH], 10), TensorData(test_d.x[:8], test_d.y[:8], 10))
    for over in settings.values():               # warm-up: first-call kernels and allocations
        train(from_dict({**base, **over, "max_steps_per_epoch": 1}), tmp / f"warm-{len(over)}-{calls['n']}",
              progress=False, data=small)
        calls["n"] += 1
    t = interleaved_median(funcs, repeats=repeats, warmup=0)
    out = {f"{k}_step_speedup_vs_fp32_eager": t["bare"] / t[k] for k in settings}
    out["bare_fp32_s_per_step"] = t["bare"] / STEPS
    out["auto_resolves_to"] = resolve_precision("auto")
    out["step_model"] = "resnet20"
    out["step_steps_per_call"] = STEPS
    return out
