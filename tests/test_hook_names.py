"""The one hook table (analysis/nets/hook_names.py): short names, legacy aliases, stable run hashes."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.nets import hook_names as H
from analysis.nets import hooks
from analysis.nets.config import CONFIG_ROOT, from_dict

ROOT = Path(__file__).resolve().parents[1]

# Configs written with the legacy names, and their hashes computed by the code BEFORE the table
# (commit 21422ee): a short name must give the same hash, so old run folders keep their names.
LEGACY = {
    "cdg": ({"model": "cdg_cnn", "epochs": 2, "train_subset": 10000,
             "grad_transform": {"name": "analysis.nets.cdg:grad_hook", "method": "h1", "lam": 1.0,
                                "axis": "output", "layers": "conv"}}, "9d4f4bd820f3"),
    "lcr": ({"model": "binary_resnet20", "dataset": "cifar10", "lr_schedule": "cosine",
             "extra_losses": [{"name": "analysis.nets.binary:lcr_loss_hook", "weight": 1.0, "lam": 0.5}],
             "monitors": [{"name": "analysis.nets.binary:weight_std_monitor"}]}, "b7ce5c40f00b"),
    "convsim": ({"model": "cnn1", "init": {"name": "convsim", "steps": 3, "lr": 0.001},
                 "extra_losses": [{"name": "convsim", "weight": 0.001}], "monitors": [{"name": "convsim"}]},
                "9412958100af"),
    "dhkd": ({"model": "kd.resnet20", "dataset": "cifar100",
              "extra_losses": [{"name": "dhkd", "weight": 1.0}, {"name": "dkd", "weight": 1.0}],
              "monitors": [{"name": "dhkd_probe"}], "grad_transform": {"name": "clip_norm", "max_norm": 5.0},
              "teacher": {"name": "run", "config": {"model": "kd.resnet56", "dataset": "cifar100", "seed": 0}}},
             "f65fe61f9e18"),
}


def _to_short(d):
    """The same config with every hook named by its short name (nested teacher config too)."""
    out = dict(d)
    for field, kind in H.FIELD_KINDS.items():
        v = out.get(field)
        if v is None:
            continue
        specs = v if isinstance(v, list) else [v]
        new = []
        for s in specs:
            s = dict(s)
            s["name"] = H.short_name(kind, s["name"])
            assert s["name"] is not None
            if isinstance(s.get("config"), dict):
                s["config"] = _to_short(s["config"])
            new.append(s)
        out[field] = new if isinstance(v, list) else new[0]
    return out


@pytest.mark.parametrize("paper", sorted(LEGACY))
def test_legacy_and_short_names_give_todays_hash(paper):
    d, pinned = LEGACY[paper]
    short = _to_short(d)
    assert short != d
    assert from_dict(d).hash() == pinned
    assert from_dict(short).hash() == pinned
    assert from_dict(short).to_dict()["monitors"] == short.get("monitors", [])   # recorded as written


def test_every_alias_of_a_hook_hashes_alike():
    base = {"model": "cnn1"}
    field_of = {k: f for f, k in H.FIELD_KINDS.items()}
    for (kind, legacy), short in H.ALIASES.items():
        field = field_of[kind]
        a, b = ({"name": legacy}, {"name": short})
        if kind == "teacher":
            a["config"] = b["config"] = {"model": "cnn1", "monitors": ["convsim"]}
        if field in ("extra_losses", "monitors"):
            a, b = [a], [b]
        assert from_dict({**base, field: a}).hash() == from_dict({**base, field: b}).hash(), (kind, legacy)


def test_a_teachers_nested_config_is_canonical_too():
    t = {"name": "run", "config": {"model": "cnn1", "monitors": ["convsim"]}}
    t2 = {"name": "generic.teacher_run", "config": {"model": "cnn1", "monitors": ["convsim.monitor"]}}
    assert from_dict({"teacher": t}).hash() == from_dict({"teacher": t2}).hash()


@pytest.mark.parametrize("short", sorted(H.HOOKS))
def test_every_short_name_resolves_and_builds(short):
    kind = H.HOOKS[short][0]
    spec = {"name": short}
    if kind == "teacher":
        spec["config"] = {"model": "cnn1"}
    assert callable(hooks.get_hook(kind, spec, hooks.HookEnv()))
    assert short in hooks.list_hooks()[kind]


def test_unknown_or_misplaced_name_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown loss hook 'no\.such'.*lcr\.loss"):
        hooks.get_hook("loss", {"name": "no.such"}, hooks.HookEnv())
    with pytest.raises(ValueError, match="is a grad hook, not a monitor hook"):
        hooks.get_hook("monitor", {"name": "cdg.grad"}, hooks.HookEnv())


def test_table_is_consistent():
    for short, (kind, target, hashed) in H.HOOKS.items():
        assert kind in H.KINDS and ":" in target and "." in short, short
        assert short.split(".")[0] in {"convsim", "lcr", "cdg", "dhkd", "generic"}, short
    for (kind, _), short in H.ALIASES.items():
        assert H.HOOKS[short][0] == kind
    hashed = [(k, h) for k, _, h in H.HOOKS.values()]
    assert len(hashed) == len(set(hashed)), "two hooks of one kind share a hashed name"


def _hook_names_in(doc, found):
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in H.FIELD_KINDS and v is not None:
                for s in (v if isinstance(v, list) else [v]):
                    name = s if isinstance(s, str) else s.get("name") if isinstance(s, dict) else None
                    if name is not None:
                        found.add((H.FIELD_KINDS[k], name))
            _hook_names_in(v, found)
    elif isinstance(doc, list):
        for v in doc:
            _hook_names_in(v, found)
    return found


def test_every_hook_the_configs_name_is_in_the_table():
    """A hook named in analysis/nets/configs/** must be a short name or an alias in
    analysis/nets/hook_names.py (add a new hook there: short name, kind, 'module:attr', hashed name)."""
    found = set()
    for p in CONFIG_ROOT.rglob("*.yaml"):
        _hook_names_in(yaml.safe_load(p.read_text()), found)
    assert found
    missing = sorted(f"{kind}:{name}" for kind, name in found if H.short_name(kind, name) is None)
    assert not missing, f"hooks named in configs but not in analysis/nets/hook_names.py: {missing}"


def test_hooks_module_imports_no_paper_module():
    code = ("import sys, analysis.nets.hooks, analysis.nets.config;"
            "print(sorted(m for m in sys.modules if m.startswith('analysis')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = eval(out.stdout.strip())
    assert set(loaded) <= {"analysis", "analysis.nets", "analysis.nets.hooks", "analysis.nets.hook_names",
                           "analysis.nets.config"}, loaded


def test_convsim_hooks_live_with_the_convsim_code():
    """issue 12 §3: Algorithms 1–2 are in analysis/nets/convsim_hooks.py; hooks.py keeps the generic ones."""
    from analysis.nets import convsim_hooks

    for short, attr in (("convsim.init", "convsim_init"), ("convsim.loss", "convsim_regularizer"),
                        ("convsim.monitor", "convsim_monitor")):
        kind = H.HOOKS[short][0]
        assert H.HOOKS[short][1] == f"analysis.nets.convsim_hooks:{attr}"
        assert hooks.resolve_hook(kind, "convsim") is getattr(convsim_hooks, attr)
        assert hooks.resolve_hook(kind, f"analysis.nets.hooks:{attr}") is getattr(convsim_hooks, attr)
        assert not hasattr(hooks, attr)


def test_a_run_named_by_short_names_is_the_legacy_run(tmp_path):
    """Train with the legacy names; the same config in short names finds that run in the cache."""
    import torch

    from analysis.nets.cache import find_run
    from analysis.nets.train import train

    torch.set_num_threads(1)
    tiny = dict(model="cnn1", width=0.125, dataset="fashion-mnist", synthetic={"n_train": 32, "n_test": 16},
                batch_size=16, epochs=1, eval_batch_size=16, lr=0.05, seed=0)
    legacy = {**tiny, "init": {"name": "convsim", "steps": 2}, "extra_losses": [{"name": "convsim", "weight": 0.01}],
              "monitors": [{"name": "convsim"}], "grad_transform": {"name": "clip_norm", "max_norm": 5.0}}
    run = train(from_dict(legacy), tmp_path, progress=False)
    assert run.status == "done" and "loss.cs.0" in run.rows[0] and "cs.total" in run.rows[0]
    short = from_dict(_to_short(legacy))
    assert short.init["name"] == "convsim.init"
    found = find_run(short, tmp_path)
    assert found is not None and found.dir == run.dir
