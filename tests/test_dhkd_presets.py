"""DHKD paper presets on the model zoo (issue 15 §2): every new configuration loads for its paper
preset, cites its values, and trains for 2 steps in its smoke preset (tiny synthetic CIFAR-100)."""
from __future__ import annotations

import math
import re

import pytest
import torch

from analysis.nets.config import CONFIG_ROOT, load_experiment
from analysis.nets.models import build_model

NEW = ["table1", "table2", "table3", "table4", "table8", "table9", "table10", "table12"]
PAIRS_T1 = {"r56_r20", "r110_r32", "r32x4_r8x4", "wrn40_2_wrn16_2", "wrn40_2_wrn40_1", "vgg13_vgg8"}
PAIRS_T2 = {"r32x4_shv1", "wrn40_2_shv1", "vgg13_mv2", "r50_mv2", "r32x4_shv2"}


def test_tables_1_2_every_pair_every_method():
    for name, pairs, aux in (("table1", PAIRS_T1, "linear"), ("table2", PAIRS_T2, "mlp")):
        exp = load_experiment(f"dhkd/{name}", "paper")
        assert set(exp.settings) == {f"{p}.{m}" for p in pairs for m in ("student", "kd", "dkd", "dhkd")}
        for label, cfg in exp.settings.items():
            assert (cfg.dataset, cfg.epochs, cfg.batch_size, cfg.lr_milestones) == ("cifar100", 240, 64, (150, 180, 210))
            assert (cfg.momentum, cfg.weight_decay) == (0.9, 5e-4)
            student = cfg.model_kw.get("base", cfg.model)
            assert student.startswith("kd.")
            assert cfg.lr == (0.01 if re.search("shuffle|mobilenet", student) else 0.05)
            if label.endswith(".dhkd"):
                assert cfg.model_kw["aux"] == aux
                (spec,) = cfg.extra_losses
                assert (spec["kd"], spec["T"], spec["ga"]) == ("binary_kl_norm", 2.0, True)
                if label.startswith(("r56_r20", "r110_r32")):
                    assert spec["alpha"] == 0.1             # Appendix F
                else:
                    assert spec["alpha"] in (0.5, 1.0, 2.0)
            if label.endswith(".dkd"):
                (spec,) = cfg.extra_losses
                want = {"r56_r20": 2.0, "r110_r32": 2.0, "vgg13_vgg8": 6.0, "vgg13_mv2": 6.0,
                        "wrn40_2_wrn16_2": 6.0, "wrn40_2_wrn40_1": 6.0}.get(label.split(".")[0], 8.0)
                assert (spec["beta"], spec["alpha"], spec["T"], spec["warmup"]) == (want, 1.0, 4.0, 20)
            if label.split(".")[1] != "student":
                assert cfg.teacher["config"]["model"].startswith("kd.")


def test_every_value_line_is_cited():
    """Every line of the new files that sets a hyper-parameter carries a comment (cite or reason)."""
    for name in NEW:
        text = (CONFIG_ROOT / "dhkd" / f"{name}.yaml").read_text().split("\n  smoke:")[0]
        for line in text.splitlines():
            if re.match(r"^(lr|momentum|weight_decay|epochs|batch_size|lr_milestones|lr_gamma|augment|dataset):",
                        line.strip()):
                assert "#" in line, (name, line)


def test_imagenet_presets():
    for name, t, s, beta in (("table3", "imagenet.resnet34", "imagenet.resnet18", 0.5),
                             ("table4", "imagenet.resnet50", "imagenet.mobilenetv1", 2.0)):
        exp = load_experiment(f"dhkd/{name}", "paper")
        dh = exp.settings["dhkd"]
        assert dh.model_kw["base"] == s and dh.teacher["config"]["model"] == t
        assert (dh.epochs, dh.batch_size, dh.lr, dh.lr_milestones, dh.weight_decay) == (100, 256, 0.1, (30, 60, 90), 1e-4)
        (spec,) = dh.extra_losses
        assert (spec["alpha"], spec["T"], spec["ga"], spec["kd_epochs"]) == (0.1, 2.0, False, 50)
        assert exp.settings["dkd"].extra_losses[0]["beta"] == beta


def test_zoo_models_of_the_presets_build():
    names = set()
    for name in NEW:
        for cfg in load_experiment(f"dhkd/{name}", "paper").settings.values():
            names.add(cfg.model_kw.get("base", cfg.model))
            if cfg.teacher:
                names.add(cfg.teacher["config"]["model"])
    for n in sorted(names):
        build_model(n, num_classes=100, image_size=32)


def _train_settings(name, out, only=None):
    from analysis.nets.train import train

    exp = load_experiment(f"dhkd/{name}", "smoke")
    torch.set_num_threads(1)
    done = {}
    for label, cfg in exp.runs():
        if only is not None and label not in only:
            continue
        run = train(cfg, out, progress=False)
        assert run.finished, (name, label, run.status)
        assert all(math.isfinite(r["train_loss"]) for r in run.rows)
        done[label] = run
    return done


def test_smoke_fast_resnet56_resnet20(tmp_path):
    """Default run: one pair of Table 1, all four methods, 2 steps each (the DKD warm-up at epochs 1, 2)."""
    runs = _train_settings("table1", tmp_path, only={"r56_r20.student", "r56_r20.kd", "r56_r20.dkd", "r56_r20.dhkd"})
    assert len(runs) == 4
    dkd = runs["r56_r20.dkd"].rows
    assert "loss.dkd" in dkd[0] and math.isfinite(dkd[1]["loss.dkd"])


@pytest.mark.slow
@pytest.mark.parametrize("name", NEW + ["table11", "fig2", "table6", "table7", "appA_alpha", "table5", "zoo", "zoo_cross"])
def test_smoke_every_setting(name, tmp_path_factory):
    out = tmp_path_factory.getbasetemp() / "dhkd_presets_cache"   # teachers shared across files
    _train_settings(name, out)
