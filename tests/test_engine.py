"""The trainer, its configuration, hooks and run cache (analysis.nets.config/train/hooks/cache).

Every run here is tiny: CNN1 at width 1/8 on 64 synthetic Fashion-MNIST-format images.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from hypothesis import given, settings, strategies as st

from analysis.nets import hooks
from analysis.nets.cache import find_run, list_runs, load_run, run_dir
from analysis.nets.config import (TrainConfig, apply_overrides, from_dict, load_config, load_experiment,
                                  parse_overrides)
from analysis.nets.train import crop_flip, ensure_run, epoch_order, train

ROOT = Path(__file__).resolve().parents[1]
# One torch thread: on a shared 2-core machine two threads per process can be 30x slower (spinning).
torch.set_num_threads(1)
TINY = dict(model="cnn1", width=0.125, dataset="fashion-mnist", synthetic={"n_train": 64, "n_test": 32},
            batch_size=16, epochs=2, eval_batch_size=32, lr=0.05, seed=3)


def tiny(**kw) -> TrainConfig:
    return from_dict({**TINY, **kw})


# ----------------------------------------------------------------------------- configuration

def test_hash_is_stable_and_field_sensitive():
    a = tiny()
    b = from_dict(dict(reversed(list(a.to_dict().items()))))          # key order does not matter
    assert a.hash() == b.hash() and len(a.hash()) == 12
    assert a.hash() != tiny(lr=0.051).hash()
    assert tiny(lr=1).hash() == tiny(lr=1.0).hash() and isinstance(tiny(lr=1).lr, float)
    assert a.hash() != tiny(init={"name": "convsim", "steps": 2}).hash()
    # YAML round trip keeps the hash
    assert from_dict(yaml.safe_load(yaml.safe_dump(a.to_dict()))).hash() == a.hash()


def test_hash_is_the_same_in_another_process():
    code = ("from analysis.nets.config import from_dict; import json,sys; "
            "print(from_dict(json.loads(sys.argv[1])).hash())")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(tiny().to_dict())], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    assert out.stdout.strip() == tiny().hash()


def test_overrides_dotted_keys_and_types():
    ov = parse_overrides(["lr=0.1", "epochs=3", "init.steps=7", "synthetic=null", "model_kw.filters=4"])
    assert ov == {"lr": 0.1, "epochs": 3, "init.steps": 7, "synthetic": None, "model_kw.filters": 4}
    d = apply_overrides(tiny(init={"name": "convsim", "steps": 2}).to_dict(), ov)
    c = from_dict(d)
    assert c.lr == 0.1 and c.epochs == 3 and c.init == {"name": "convsim", "steps": 7}
    assert c.synthetic is None and c.model_kw == {"filters": 4}


@pytest.mark.parametrize("bad, match", [
    (["nokey"], "key=value"), (["bogus=1"], "not a config field"), (["epochs=0"], "epochs"),
    (["lr=-1"], "lr"), (["optimizer=rmsprop"], "optimizer"), (["epochs=true"], "epochs"),
    (["extra_losses=[{weight: 1}]"], "hook spec")])
def test_bad_overrides_raise_valueerror(bad, match):
    with pytest.raises(ValueError, match=match):
        from_dict(apply_overrides(tiny().to_dict(), parse_overrides(bad)))


def test_presets_inherit_and_cut(tmp_path):
    exp_paper = load_experiment("convsim/table5", "paper")
    exp_smoke = load_experiment("convsim/table5", "smoke")
    assert exp_paper.base.dataset == "cifar10" and exp_paper.base.epochs == 100
    assert exp_paper.settings["cnn1_init500"].init["steps"] == 500
    # smoke = paper cut: same data set and optimizer, fewer steps, init shortened by `cut`
    assert exp_smoke.base.dataset == "cifar10" and exp_smoke.base.lr == exp_paper.base.lr
    assert exp_smoke.settings["cnn1_init500"].init["steps"] < 500
    assert exp_smoke.settings["cnn1_baseline"].init is None
    assert load_config("convsim/table5", "quick", {"lr": 0.5}).lr == 0.5
    with pytest.raises(ValueError, match="no preset"):
        load_experiment("convsim/table5", "nonexistent")
    with pytest.raises(ValueError, match="no config file"):
        load_experiment("convsim/does_not_exist", "quick")


def test_experiment_runs_cover_settings_grid_seeds(tmp_path):
    p = tmp_path / "exp.yaml"
    p.write_text(yaml.safe_dump({"base": TINY, "settings": {"a": {}, "b": {"lr": 0.2}},
                                 "presets": {"quick": {"seeds": 2, "grid": {"batch_size": [8, 16]}}}}))
    exp = load_experiment(p, "quick")
    runs = exp.runs(base_seed=10)
    assert len(runs) == 2 * 2 * 2
    assert {c.seed for _, c in runs} == {10, 11}
    assert len({c.hash() for _, c in runs}) == 8
    assert {lab for lab, _ in runs} == {"a|batch_size=8", "a|batch_size=16", "b|batch_size=8", "b|batch_size=16"}


@pytest.mark.parametrize("typo", ["preset", "setting", "lr"])
def test_unknown_top_level_key_is_an_error_naming_the_known_ones(tmp_path, typo):
    """`preset:` for `presets:` used to train with the defaults silently."""
    p = tmp_path / "exp.yaml"
    p.write_text(yaml.safe_dump({"base": TINY, typo: {"quick": {"seeds": 2}}}))
    with pytest.raises(ValueError, match=rf"unknown top-level key\(s\) \['{typo}'\].*presets"):
        load_experiment(p, "quick")


def test_preset_only_runs_the_named_settings(tmp_path):
    p = tmp_path / "exp.yaml"
    doc = {"base": TINY, "settings": {"a": {}, "b": {"lr": 0.2}, "c": {"lr": 0.3}},
           "presets": {"quick": {"seeds": 1, "only": ["a", "c"]}, "paper": {"seeds": 1},
                       "smoke": {"inherit": "quick"}, "bad": {"only": ["a", "zz"]}, "bad2": {"only": "a"}}}
    p.write_text(yaml.safe_dump(doc))
    assert sorted(load_experiment(p, "quick").settings) == ["a", "c"]
    assert sorted(load_experiment(p, "smoke").settings) == ["a", "c"]   # inherited
    assert sorted(load_experiment(p, "paper").settings) == ["a", "b", "c"]
    # `only` never enters a run's hash
    assert load_experiment(p, "quick").settings["c"].hash() == load_experiment(p, "paper").settings["c"].hash()
    with pytest.raises(ValueError, match="unknown settings"):
        load_experiment(p, "bad")
    with pytest.raises(ValueError, match="list of setting names"):
        load_experiment(p, "bad2")


# ----------------------------------------------------------------------------- data order, augmentation

@given(seed=st.integers(0, 2**31), epoch=st.integers(1, 1000), n=st.integers(1, 300))
@settings(max_examples=25, deadline=None)
def test_epoch_order_is_a_deterministic_permutation(seed, epoch, n):
    o = epoch_order(seed, epoch, n)
    assert np.array_equal(np.sort(o), np.arange(n))
    assert np.array_equal(o, epoch_order(seed, epoch, n))


def _crop_flip_loop(x: torch.Tensor, rng: np.random.Generator, pad: int = 4) -> torch.Tensor:
    """Twin of train.crop_flip: one sample at a time, by slicing a zero-padded copy."""
    b, c, h, w = x.shape
    shifts = rng.integers(0, 2 * pad + 1, size=(b, 2))
    flips = rng.random(b) < 0.5
    out = torch.empty_like(x)
    for i in range(b):
        p = torch.zeros(c, h + 2 * pad, w + 2 * pad, dtype=x.dtype)
        p[:, pad:pad + h, pad:pad + w] = x[i]
        crop = p[:, shifts[i, 0]:shifts[i, 0] + h, shifts[i, 1]:shifts[i, 1] + w]
        out[i] = torch.flip(crop, dims=[2]) if flips[i] else crop
    return out


@pytest.mark.parametrize("shape", [(5, 1, 28, 28), (3, 3, 32, 32), (2, 2, 7, 9)])
def test_crop_flip_matches_loop_twin(shape):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    a = crop_flip(x, np.random.default_rng(4))
    b = _crop_flip_loop(x, np.random.default_rng(4))
    assert torch.equal(a, b)


# ----------------------------------------------------------------------------- training runs

def test_run_folder_contents_and_determinism(tmp_path):
    cfg = tiny(monitors=[{"name": "convsim"}], augment="crop_flip")
    r1 = train(cfg, tmp_path / "a", progress=False)
    r2 = train(cfg, tmp_path / "b", progress=False)
    assert r1.status == "done" and len(r1.rows) == 2
    for f in ("config.yaml", "metrics.csv", "metrics.json", "checkpoint.pt", "status.json"):
        assert (r1.dir / f).exists(), f
    assert not (r1.dir / "run.lock").exists()
    assert r1.dir == tmp_path / "a" / "runs" / cfg.hash()
    assert r1.rows == r2.rows                                   # same seed, identical metrics
    assert {"train_loss", "train_acc", "test_loss", "test_acc", "cs.0", "cs.total"} <= set(r1.rows[0])
    csv_lines = (r1.dir / "metrics.csv").read_text().splitlines()
    assert csv_lines[0].startswith("epoch,") and len(csv_lines) == 3
    r3 = train(tiny(monitors=[{"name": "convsim"}], augment="crop_flip", seed=4), tmp_path / "a", progress=False)
    assert r3.rows != r1.rows                                   # another seed, another run


def test_cache_loads_finished_run_without_training(tmp_path):
    cfg = tiny(epochs=1)
    assert find_run(cfg, tmp_path) is None and load_run(cfg, tmp_path) is None
    r = ensure_run(cfg, tmp_path, progress=False)
    stamp = (r.dir / "checkpoint.pt").stat().st_mtime_ns
    again = ensure_run(cfg, tmp_path, progress=False)
    assert again.rows == r.rows and (r.dir / "checkpoint.pt").stat().st_mtime_ns == stamp
    assert [x.hash for x in list_runs(tmp_path)] == [cfg.hash()]
    assert np.isclose(r.top_test_acc(), max(row["test_acc"] for row in r.rows))
    model = r.load_model()
    assert sum(p.numel() for p in model.parameters()) > 0


def test_nonfinite_loss_stops_with_na(tmp_path):
    cfg = tiny(lr=1e12, epochs=3)
    r = train(cfg, tmp_path, progress=False)
    assert r.status.startswith("N.A.(") and r.finished
    e = int(r.status[5:-1])
    assert 1 <= e <= 3 and len(r.rows) == e - 1
    assert all(np.isfinite(row["train_loss"]) for row in r.rows)
    assert json.loads((r.dir / "status.json").read_text())["status"] == r.status
    assert ensure_run(cfg, tmp_path, progress=False).status == r.status      # not retrained


def test_grad_transform_runs_between_backward_and_step(tmp_path):
    hooks.register_hook("grad", "zero_all_for_test")(
        lambda spec, env: (lambda model: [p.grad.zero_() for p in model.parameters() if p.grad is not None]))
    cfg = tiny(epochs=1, grad_transform={"name": "zero_all_for_test"})
    r = train(cfg, tmp_path, progress=False)
    trained = r.load_model()
    init = r.config  # same seed → same initial weights
    from analysis.nets.train import build

    fresh = build(init, **r.meta["model_args"])
    for (n, p), q in zip(trained.named_parameters(), fresh.parameters()):
        assert torch.equal(p, q), n                      # zero gradients → SGD leaves weights unchanged
    clipped = train(tiny(epochs=1, grad_transform={"name": "clip_norm", "max_norm": 1e-3}), tmp_path, progress=False)
    plain = train(tiny(epochs=1), tmp_path, progress=False)
    assert clipped.rows[0]["train_loss"] != plain.rows[0]["train_loss"] or \
        clipped.rows[0]["test_loss"] != plain.rows[0]["test_loss"]


def test_extra_loss_terms_are_logged_and_change_training(tmp_path):
    reg = train(tiny(extra_losses=[{"name": "convsim", "weight": 0.1}]), tmp_path, progress=False)
    base = train(tiny(), tmp_path, progress=False)
    n_conv = 4
    assert {f"loss.cs.{j}" for j in range(n_conv)} <= set(reg.rows[0])
    assert all(reg.rows[0][f"loss.cs.{j}"] > 0 for j in range(n_conv))
    assert reg.rows[-1]["test_loss"] != base.rows[-1]["test_loss"]


def test_hook_by_import_path_and_unknown_hook(tmp_path):
    r = train(tiny(epochs=1, grad_transform={"name": "analysis.nets.hooks:clip_norm", "max_norm": 5.0}),
              tmp_path, progress=False)
    assert r.status == "done"
    with pytest.raises(ValueError, match="unknown loss hook"):
        train(tiny(extra_losses=[{"name": "no_such_term"}]), tmp_path / "x", progress=False)
    with pytest.raises(ValueError, match="unknown parameter"):
        train(tiny(init={"name": "convsim", "stepz": 3}), tmp_path / "y", progress=False)


def test_algorithm1_init_matches_hand_written_adam_loop():
    """Twin of convsim_hooks.convsim_init: Adam (lr) on Σ_j L_CS over the conv kernels, I steps."""
    from analysis.nets.losses import convsim_loss
    from analysis.nets.models import build_model, conv_weights

    torch.manual_seed(0)
    m1 = build_model("cnn1", num_classes=10, in_channels=1, image_size=28, width=0.125)
    m2 = build_model("cnn1", num_classes=10, in_channels=1, image_size=28, width=0.125)
    m2.load_state_dict(m1.state_dict())
    trace = hooks.get_hook("init", {"name": "convsim", "steps": 6, "lr": 0.01}, hooks.HookEnv())(m1)
    ws = conv_weights(m2)
    opt = torch.optim.Adam(ws, lr=0.01)
    for _ in range(6):
        opt.zero_grad()
        loss = sum(convsim_loss(w) for w in ws)
        loss.backward()
        opt.step()
    for a, b in zip(conv_weights(m1), conv_weights(m2)):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    assert len(trace["cs_total"]) == 7 and trace["cs_total"][-1] < trace["cs_total"][0]
    # only the kernels move: BN, biases and the linear layer are untouched
    torch.manual_seed(0)
    m0 = build_model("cnn1", num_classes=10, in_channels=1, image_size=28, width=0.125)
    kernel_ids = {id(w) for w in conv_weights(m1)}
    for (n, p), q in zip(m1.named_parameters(), m0.parameters()):
        if id(p) not in kernel_ids:
            assert torch.equal(p, q), n


def test_teacher_hook_feeds_teacher_logits(tmp_path):
    seen = []

    def factory(spec, env):
        def terms(step):
            assert step.teacher_logits is not None and step.teacher_logits.shape == step.logits.shape
            seen.append(1)
            return {"kd": torch.nn.functional.mse_loss(step.logits, step.teacher_logits)}
        return terms
    hooks.register_hook("loss", "mse_to_teacher_for_test")(factory)
    teacher_cfg = tiny(epochs=1, seed=9)
    cfg = tiny(epochs=1, teacher={"name": "run", "config": teacher_cfg.to_dict()},
               extra_losses=[{"name": "mse_to_teacher_for_test", "weight": 1.0}])
    r = train(cfg, tmp_path, progress=False)
    assert r.status == "done" and seen and "loss.kd" in r.rows[0]
    assert find_run(teacher_cfg, tmp_path) is not None          # the teacher came from the cache


# ----------------------------------------------------------------------------- kill and resume

def _spawn_train(cfg_path: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "analysis.nets.train", str(cfg_path), "--out", str(out),
                             "--preset", "quick", "--no-progress", "--seed", "3"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_run_resumes_to_the_same_metrics(tmp_path):
    cfg_d = {**TINY, "epochs": 3, "monitors": [{"name": "convsim"}], "augment": "crop_flip",
             "grad_transform": {"name": "throttle", "seconds": 0.06}}
    cfg_path = tmp_path / "tiny.yaml"
    cfg_path.write_text(yaml.safe_dump({"base": cfg_d, "presets": {"quick": {}}}))
    cfg = from_dict(cfg_d)
    killed_out, clean_out = tmp_path / "killed", tmp_path / "clean"
    # uninterrupted reference in a fresh process like the killed one: the comparison is then
    # bit-exact whatever this test process has loaded or configured before (threads, BLAS state)
    ref = _spawn_train(cfg_path, clean_out)
    assert ref.wait(timeout=180) == 0, ref.stderr.read().decode()
    # interrupted: SIGKILL once at least one epoch is on disk and the run is not finished
    p = _spawn_train(cfg_path, killed_out)
    status = run_dir(cfg, killed_out) / "status.json"
    deadline = time.time() + 120
    while time.time() < deadline:
        if status.exists():
            try:
                s = json.loads(status.read_text())
            except ValueError:
                s = {}
            if s.get("epochs_done", 0) >= 1:
                break
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    partial = load_run(cfg, killed_out)
    assert partial is not None, p.stderr.read().decode()
    assert not partial.finished and 1 <= len(partial.rows) < 3, (partial.status, len(partial.rows))
    assert (run_dir(cfg, killed_out) / "run.lock").exists()                 # stale lock left behind
    q = _spawn_train(cfg_path, killed_out)
    assert q.wait(timeout=120) == 0, q.stderr.read().decode()
    resumed, clean = load_run(cfg, killed_out), load_run(cfg, clean_out)
    assert resumed.status == clean.status == "done"
    assert len(resumed.rows) == 3
    assert resumed.rows == clean.rows, (resumed.rows, clean.rows)
    assert resumed.monitors_after_init == clean.monitors_after_init


def test_engine_bench_sides_compute_the_same_thing():
    from validation.benches.engine import bench
    from validation.registry import SuiteContext

    r = bench(SuiteContext(episodes=64, options={"repeats": 5}))
    assert r["same_test_accuracy"] is True and r["repeats"] == 5
    assert r["engine_overhead_ratio"] > 0 and np.isfinite(r["engine_overhead_ratio"])


def test_cli_train_setting_shares_the_figure_run(tmp_path, capsys):
    from workbench.cli import main

    rc = main(["train", "convsim/table5", "setting=cnn1_reg", "--preset", "smoke", "--out", str(tmp_path),
               "--no-progress"])
    assert rc == 0
    exp = load_experiment("convsim/table5", "smoke")
    (cfg,) = [c for lab, c in exp.runs() if lab == "cnn1_reg" and c.seed == 0]
    assert find_run(cfg, tmp_path) is not None and cfg.hash() in capsys.readouterr().out
    assert main(["train", "convsim/table5", "setting=nope", "--preset", "smoke", "--out", str(tmp_path)]) == 2


def test_ensure_run_waits_for_a_run_another_process_is_training(tmp_path):
    """Two sweep workers sharing one run (e.g. a distillation teacher): the second waits, then loads."""
    cfg_d = {**TINY, "epochs": 2, "grad_transform": {"name": "throttle", "seconds": 0.05}}
    cfg_path = tmp_path / "tiny.yaml"
    cfg_path.write_text(yaml.safe_dump({"base": cfg_d, "presets": {"quick": {}}}))
    cfg = from_dict(cfg_d)
    p = _spawn_train(cfg_path, tmp_path)
    lock = run_dir(cfg, tmp_path) / "run.lock"
    deadline = time.time() + 60
    while not lock.exists() and time.time() < deadline:
        time.sleep(0.02)
    assert lock.exists(), p.stderr.read().decode()
    run = ensure_run(cfg, tmp_path, progress=False, poll_s=0.1)
    assert p.wait(timeout=120) == 0, p.stderr.read().decode()
    assert run.status == "done" and len(run.rows) == 2
    assert run.rows == load_run(cfg, tmp_path).rows


# ----------------------------------------------------------------------------- lr schedule, split swap

def test_lr_schedule_is_a_step_function_of_the_epoch(tmp_path):
    cfg = tiny(lr=0.1, lr_milestones=[40, 80], lr_gamma=0.1)
    assert [cfg.lr_at(e) for e in (1, 40, 41, 80, 81)] == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.001])
    # cosine: torch's CosineAnnealingLR(T_max=epochs) stepped once per epoch
    cos = tiny(lr=0.1, epochs=6, lr_schedule="cosine")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
    ref = []
    for _ in range(6):
        ref.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert [cos.lr_at(e) for e in range(1, 7)] == pytest.approx(ref, rel=1e-12)
    plain = train(tiny(), tmp_path, progress=False)
    halved = train(tiny(lr_milestones=[1], lr_gamma=0.5), tmp_path, progress=False)
    unit = train(tiny(lr_milestones=[1], lr_gamma=1.0), tmp_path, progress=False)
    assert halved.rows[0] == plain.rows[0]                   # epoch 1 runs at the full lr
    assert halved.rows[1]["train_loss"] != plain.rows[1]["train_loss"]
    assert unit.rows == plain.rows                           # a factor 1 changes nothing


@pytest.mark.parametrize("bad", [{"lr_milestones": [3, 2]}, {"lr_milestones": [0]}, {"lr_milestones": "40"},
                                 {"lr_schedule": "linear"}, {"lr_schedule": "cosine", "lr_milestones": [2]},
                                 {"lr_gamma": 0.0}, {"lr_gamma": 2.0}, {"swap_splits": 1}])
def test_schedule_and_swap_fields_reject_bad_values(bad):
    with pytest.raises(ValueError):
        tiny(**bad)


def test_new_fields_at_their_default_leave_the_hash_unchanged():
    a = tiny()
    assert "lr_milestones" not in a.to_dict() and "swap_splits" not in a.to_dict()
    assert tiny(lr_milestones=[], lr_gamma=0.1, swap_splits=False).hash() == a.hash()
    assert tiny(swap_splits=True).hash() != a.hash() and tiny(lr_milestones=[5]).hash() != a.hash()
    assert "lr_schedule" not in a.to_dict() and tiny(lr_schedule="step").hash() == a.hash()
    assert tiny(lr_schedule="cosine").hash() != a.hash()
    assert from_dict(tiny(lr_milestones=[5]).to_dict()) == tiny(lr_milestones=[5])


def test_swap_splits_trains_on_the_test_split(tmp_path):
    from analysis.nets.train import load_data

    train_d, test_d = load_data(tiny(), out=tmp_path)
    s_train, s_test = load_data(tiny(swap_splits=True), out=tmp_path)
    assert len(s_train.y) == len(test_d.y) == 32 and len(s_test.y) == len(train_d.y) == 64
    assert torch.equal(s_train.x, test_d.x) and torch.equal(s_test.y, train_d.y)
