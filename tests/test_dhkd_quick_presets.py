"""Issue 16 (dhkd): every preset value of the 14 dhkd configurations cites its source, the quick presets
run on the 100-class stand-in with >= 5 seeds and share their teacher and common runs, and App. F's alpha."""
from __future__ import annotations

import re

from analysis.nets.config import CONFIG_ROOT, load_experiment

STANDIN = ["fig2", "table5", "table6", "table7", "appA_alpha", "table11"]
KEYS = r"^(lr|momentum|weight_decay|epochs|batch_size|lr_milestones|lr_gamma|augment|dataset|train_subset|test_subset|optimizer|seeds|model_kw):"


def test_every_value_line_of_all_dhkd_configs_is_cited():
    files = sorted((CONFIG_ROOT / "dhkd").glob("*.yaml"))
    assert len(files) >= 14
    for p in files:
        text = p.read_text().split("\n  smoke:")[0]
        prev = ""
        for line in text.splitlines():
            continued = prev.split("#")[0].rstrip().endswith(",")    # inside a flow mapping: cited above
            if re.match(KEYS, line.strip()) and not continued:
                assert "#" in line, (p.name, line)
            prev = line


def test_quick_presets_on_the_standin_share_teacher_and_runs():
    exps = {n: load_experiment(f"dhkd/{n}", "quick") for n in STANDIN}
    teachers = set()
    for n, e in exps.items():
        assert len(e.seeds) >= 5, n
        for cfg in e.settings.values():
            assert cfg.dataset == "fashion-mnist-pairs100"
            teachers.add(repr(sorted(cfg.teacher["config"].items())))
    assert len(teachers) == 1                                     # one teacher run for all six figures
    h = lambda n, s: exps[n].settings[s].hash()                   # noqa: E731
    assert h("fig2", "ce") == h("table5", "ce")
    assert h("fig2", "dhkd") == h("table5", "dual_head_ga") == h("table11", "alpha_1")
    assert h("table7", "pure_ce") == h("appA_alpha", "pure_ce") and h("table7", "no_gc") == h("appA_alpha", "alpha_1")


def test_appendix_f_alpha_and_table5_rows():
    paper = load_experiment("dhkd/fig2", "paper").settings
    assert paper["dhkd_r56_r20"].extra_losses[0]["alpha"] == 0.1          # App. F: resnet56 -> resnet20
    assert paper["ce_binary_kl"].extra_losses[0]["alpha"] == 1.0          # App. A's single-head setting
    assert set(load_experiment("dhkd/fig2", "quick").settings) == {"ce", "binary_kl", "ce_binary_kl", "dhkd"}
    t5 = load_experiment("dhkd/table5", "quick").settings
    (row2,) = t5["norm_alone"].extra_losses                               # Table 5 row 2: BinaryKL-Norm alone
    assert (row2["kd"], row2["gamma"], row2["mode"]) == ("binary_kl_norm", 0.0, "single_head")
    assert t5["dual_head_ga_per_tensor"].extra_losses[0]["ga_granularity"] == "per_tensor"
    assert "Table 6" not in load_experiment("dhkd/appA_alpha", "paper").description
