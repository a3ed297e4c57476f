"""Run configuration: one dataclass, YAML files with one section per preset, `key=value` overrides.

An experiment file ``analysis/nets/configs/<paper>/<experiment>.yaml`` reads::

    description: ...                 # free text (not part of any run's hash)
    base:      {TrainConfig fields}  # shared by every preset
    presets:
      paper:   {fields..., seeds: 1} # the paper's configuration (each value with its place)
      quick:   {fields..., seeds: 3}
      smoke:   {inherit: paper, fields..., cut: {init.steps: 3}, only: [name, ...]}
                                     # `inherit` applies another preset first; `cut` holds dotted
                                     # overrides applied after the settings, to every setting
                                     # whose top-level field is set (e.g. shorten Algorithm 1);
                                     # `only` runs just the named settings in this preset
    settings:                        # optional: named settings (table rows, figure curves)
      baseline: {fields...}
    grid: {key: [v1, v2]}            # optional: per-preset grids live in the preset section

Resolution order (later wins): dataclass defaults ← ``base`` ← inherited preset ← preset ←
setting ← command-line overrides.  ``seeds``, ``grid``, ``settings`` and ``inherit`` are
experiment-level keys (how many runs; so are ``cut`` and ``only``), not run fields, so they never enter a run's hash.

The hash of a run is the SHA-256 of the canonical JSON of :meth:`TrainConfig.to_dict`
(sorted keys, floats as ``repr``, hook names as their frozen hashed names from
:mod:`analysis.nets.hook_names`), first 12 hex digits.  Everything that changes a run's numbers
is a field; where the data lives (``--data-dir``) and whether a progress bar shows are not.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

CONFIG_ROOT = Path(__file__).parent / "configs"
PRESETS = ("quick", "paper", "smoke")
EXPERIMENT_KEYS = ("seeds", "grid", "settings", "inherit", "cut", "only")
#: the keys an experiment file may have at its top level (see the module docstring)
TOP_LEVEL_KEYS = ("description", "base", "presets", "settings", "grid")
#: values of the ``precision`` field (see TrainConfig)
PRECISIONS = ("fp32", "bf16", "auto")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines one training run's numbers.

    model:              name in the model registry (analysis.nets.models.build_model)
    width:              width multiplier (1.0 = the paper's network)
    model_kw:           extra keyword arguments for build_model
    dataset:            "cifar10" | "cifar100" | "mnist" | "fashion-mnist" (analysis.nets.data)
    synthetic:          None, or {"n_train": int, "n_test": int}: tiny synthetic files in the
                        dataset's own format, written by data.write_synthetic (smoke preset)
    train_subset:       None (all) or n training images, drawn by data.subset with the run's seed
    test_subset:        None (all) or n test images (drawn with seed 0: the same for every run)
    augment:            "none" | "crop_flip" (pad-4 random crop + horizontal flip, CIFAR habit)
    epochs, batch_size: training length and mini-batch size
    max_steps_per_epoch: None, or cut each epoch to this many steps (smoke preset)
    eval_batch_size:    batch size of the test pass (no effect on numbers)
    optimizer:          "sgd" | "adam"; lr, momentum, weight_decay as in torch.optim
    seed:               fixes initialization, data order, augmentation and subsets
    init:               None or a hook spec {"name": ..., params...} run once before training
                        (e.g. Algorithm 1: {"name": "convsim", "steps": 500, "lr": 0.001})
    extra_losses:       hook specs {"name": ..., "weight": w, params...}: w·Σ(named terms) is
                        added to the task loss; each named term is logged per epoch
    monitors:           hook specs evaluated (no grad) after init and after every epoch
    grad_transform:     None or a hook spec applied after backward, before optimizer.step
    teacher:            None or a hook spec returning a frozen teacher (distillation)
    lr_milestones:      epochs after which the learning rate is multiplied by lr_gamma (step
                        schedule, e.g. cdg §4 "divided by 10 every 40 epochs": [40, 80, 120]);
                        the lr of epoch e is lr·lr_gamma^(number of milestones < e)
    lr_gamma:           the factor of the step schedule
    lr_schedule:        "step" (the milestones above; constant lr without them) or "cosine"
                        (per-epoch cosine annealing to 0 as torch's CosineAnnealingLR with
                        T_max = epochs: lr_e = lr·(1 + cos(π·(e−1)/epochs))/2, the IR-Net codebase's
                        CIFAR schedule); milestones are not allowed with "cosine"
    swap_splits:        train on the data set's test split and test on its training split (the cdg
                        paper's Fig. 6 protocol: train on the 10k test images, test on the 60k)
    precision:          "fp32" | "bf16" | "auto": the training forward pass in float32, or under
                        bfloat16 autocast (weights, optimizer, task loss and every hook stay float32);
                        "auto" = bf16 where the CPU has AMX, else fp32 (see train.resolve_precision)
    channels_last:      keep the network and its inputs in channels-last memory format (faster
                        convolutions on CPU; numbers may differ in the last bits)
    compile:            train through ``torch.compile`` (inductor; its cache under
                        ``<out>/cache/inductor``); compilation time is recorded per run

    Fields added after runs were first cached (``OMIT_AT_DEFAULT``) are left out of ``to_dict`` and
    the hash while they hold their default, so the run folders made before keep their names.
    """

    model: str = "cnn1"
    width: float = 1.0
    model_kw: dict = field(default_factory=dict)
    dataset: str = "fashion-mnist"
    synthetic: dict | None = None
    train_subset: int | None = None
    test_subset: int | None = None
    augment: str = "none"
    epochs: int = 1
    batch_size: int = 128
    max_steps_per_epoch: int | None = None
    eval_batch_size: int = 1000
    optimizer: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.0
    weight_decay: float = 0.0
    seed: int = 0
    init: dict | None = None
    extra_losses: tuple = ()
    monitors: tuple = ()
    grad_transform: dict | None = None
    teacher: dict | None = None
    lr_milestones: tuple = ()
    lr_gamma: float = 0.1
    lr_schedule: str = "step"
    swap_splits: bool = False
    precision: str = "fp32"
    channels_last: bool = False
    compile: bool = False

    def __post_init__(self) -> None:
        _check_int(self.epochs, "epochs", 1)
        _check_int(self.batch_size, "batch_size", 1)
        _check_int(self.eval_batch_size, "eval_batch_size", 1)
        _check_int(self.seed, "seed", 0)
        for name in ("train_subset", "test_subset", "max_steps_per_epoch"):
            if getattr(self, name) is not None:
                _check_int(getattr(self, name), name, 1)
        for name in ("lr", "width"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise ValueError(f"config field {name!r} must be a positive number, got {v!r}")
        for name in ("momentum", "weight_decay"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ValueError(f"config field {name!r} must be a number >= 0, got {v!r}")
        for name in ("lr", "width", "momentum", "weight_decay"):       # 1 and 1.0: one hash
            object.__setattr__(self, name, float(getattr(self, name)))
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"config field 'optimizer' must be 'sgd' or 'adam', got {self.optimizer!r}")
        if self.augment not in ("none", "crop_flip"):
            raise ValueError(f"config field 'augment' must be 'none' or 'crop_flip', got {self.augment!r}")
        # lists from YAML become tuples so the dataclass stays hashable-ish and canonical
        object.__setattr__(self, "extra_losses", tuple(_spec(s, "extra_losses") for s in self.extra_losses))
        object.__setattr__(self, "monitors", tuple(_spec(s, "monitors") for s in self.monitors))
        for name in ("init", "grad_transform", "teacher"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _spec(getattr(self, name), name))
        milestones = self.lr_milestones
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise ValueError(f"config field 'lr_milestones' must be a list of epochs, got {milestones!r}")
        milestones = tuple(milestones)
        for m in milestones:
            _check_int(m, "lr_milestones entry", 1)
        if list(milestones) != sorted(set(milestones)):
            raise ValueError(f"config field 'lr_milestones' must be strictly increasing, got {list(milestones)}")
        object.__setattr__(self, "lr_milestones", milestones)
        g = self.lr_gamma
        if isinstance(g, bool) or not isinstance(g, (int, float)) or not 0 < g <= 1:
            raise ValueError(f"config field 'lr_gamma' must be a number in (0, 1], got {g!r}")
        object.__setattr__(self, "lr_gamma", float(g))
        if self.lr_schedule not in ("step", "cosine"):
            raise ValueError(f"config field 'lr_schedule' must be 'step' or 'cosine', got {self.lr_schedule!r}")
        if self.lr_schedule == "cosine" and milestones:
            raise ValueError("config field 'lr_milestones' must be empty with lr_schedule 'cosine'")
        if not isinstance(self.swap_splits, bool):
            raise ValueError(f"config field 'swap_splits' must be true or false, got {self.swap_splits!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"config field 'precision' must be one of {list(PRECISIONS)}, got {self.precision!r}")
        for name in ("channels_last", "compile"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"config field {name!r} must be true or false, got {getattr(self, name)!r}")
        if self.synthetic is not None:
            if not isinstance(self.synthetic, Mapping) or set(self.synthetic) != {"n_train", "n_test"}:
                raise ValueError("config field 'synthetic' must be null or {n_train: int, n_test: int}, "
                                 f"got {self.synthetic!r}")

    def to_dict(self) -> dict:
        """Plain JSON/YAML-able dict of every field (tuples as lists); the later fields of
        ``OMIT_AT_DEFAULT`` only when they differ from their default."""
        d = dataclasses.asdict(self)
        d["extra_losses"] = [dict(s) for s in self.extra_losses]
        d["monitors"] = [dict(s) for s in self.monitors]
        d["lr_milestones"] = list(self.lr_milestones)
        for name, default in OMIT_AT_DEFAULT.items():
            if d[name] == default:
                del d[name]
        return json.loads(json.dumps(d))

    def lr_at(self, epoch: int) -> float:
        """The learning rate of epoch ``epoch`` (1-based) under the step or cosine schedule."""
        if self.lr_schedule == "cosine":
            return self.lr * 0.5 * (1.0 + math.cos(math.pi * (epoch - 1) / self.epochs))
        return self.lr * self.lr_gamma ** sum(1 for m in self.lr_milestones if m < epoch)

    def hash(self) -> str:
        """Stable 12-hex-digit name of the run (SHA-256 of the canonical JSON of to_dict)."""
        return config_hash(self.to_dict())

    def replace(self, **changes) -> "TrainConfig":
        return from_dict({**self.to_dict(), **changes})


def _check_int(v, name: str, lo: int) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ValueError(f"config field {name!r} must be an integer >= {lo}, got {v!r}")


def _spec(s, where: str) -> dict:
    if isinstance(s, str):
        s = {"name": s}
    if not isinstance(s, Mapping) or "name" not in s or not isinstance(s["name"], str):
        raise ValueError(f"config field {where!r}: a hook spec is a name or a mapping with a 'name' "
                         f"key (e.g. {{name: convsim, weight: 0.001}}), got {s!r}")
    return json.loads(json.dumps(dict(s)))


def config_hash(d: Mapping) -> str:
    """SHA-256 (first 12 hex digits) of the canonical JSON of a config dict, each hook named by its
    hashed name (:func:`analysis.nets.hook_names.canonical_hooks`: a hook's short name and its
    legacy name give the old hash; moving a hook's file changes no hash)."""
    from .hook_names import canonical_hooks

    text = json.dumps(canonical_hooks(d), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


FIELDS = tuple(f.name for f in dataclasses.fields(TrainConfig))


# Fields added after runs were first cached, with the default at which they are left out of the hash.
OMIT_AT_DEFAULT = {"lr_milestones": [], "lr_gamma": 0.1, "swap_splits": False, "lr_schedule": "step",
                   "precision": "fp32", "channels_last": False, "compile": False}


def from_dict(d: Mapping) -> TrainConfig:
    """TrainConfig from a mapping; unknown keys are a ValueError that lists the known ones."""
    unknown = sorted(set(d) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown config field(s) {unknown}; known fields: {list(FIELDS)}")
    return TrainConfig(**copy.deepcopy(dict(d)))


# ----------------------------------------------------------------------------- overrides

def parse_value(text: str) -> Any:
    """A command-line value read as YAML: '0.01' → 0.01, 'null' → None, '[1,2]' → [1, 2]."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def set_dotted(d: dict, key: str, value: Any) -> None:
    """d['a']['b'] = value for key 'a.b' (creating mappings on the way; list items by index)."""
    parts = key.split(".")
    cur: Any = d
    for p in parts[:-1]:
        if isinstance(cur, list):
            cur = cur[int(p)]
            continue
        if cur.get(p) is None:
            cur[p] = {}
        cur = cur[p]
    if isinstance(cur, list):
        cur[int(parts[-1])] = value
    else:
        cur[parts[-1]] = value


def parse_overrides(items) -> dict[str, Any]:
    """['lr=0.1', 'init.steps=10'] → {'lr': 0.1, 'init.steps': 10}; ValueError on a bad item."""
    out: dict[str, Any] = {}
    for item in items or ():
        if "=" not in item:
            raise ValueError(f"override {item!r} is not key=value (e.g. lr=0.1 or init.steps=10)")
        k, v = item.split("=", 1)
        if not k:
            raise ValueError(f"override {item!r} has an empty key")
        out[k.strip()] = parse_value(v)
    return out


def apply_overrides(d: Mapping, overrides: Mapping[str, Any]) -> dict:
    """A deep copy of d with each dotted override set; a top-level key must be a TrainConfig field."""
    d = copy.deepcopy(dict(d))
    for k, v in overrides.items():
        top = k.split(".")[0]
        if top not in FIELDS:
            raise ValueError(f"override key {k!r}: {top!r} is not a config field; known: {list(FIELDS)}")
        set_dotted(d, k, v)
    return d


# ----------------------------------------------------------------------------- experiment files

@dataclass(frozen=True)
class Experiment:
    """A resolved experiment: the base config of a preset, its named settings, seeds and grid."""

    name: str
    preset: str
    base: TrainConfig
    settings: dict      # name -> TrainConfig (the seed field is the experiment's first seed)
    seeds: tuple
    grid: dict          # key -> list of values (from the preset section)
    description: str = ""

    def runs(self, base_seed: int = 0) -> list[tuple[str, TrainConfig]]:
        """Every (setting label, config) of settings × grid × seeds; the seeds are the experiment's
        seeds shifted by ``base_seed`` (``--seed``). Labels are 'setting' or 'setting|k=v|...'."""
        out = []
        settings = self.settings or {"base": self.base}
        for sname, cfg in settings.items():
            for point in grid_points(self.grid):
                label = sname + "".join(f"|{k}={v}" for k, v in point.items())
                c = from_dict(apply_overrides(cfg.to_dict(), point))
                for s in self.seeds:
                    out.append((label, c.replace(seed=int(s) + int(base_seed))))
        return out


def grid_points(grid: Mapping[str, list]) -> list[dict]:
    """Cartesian product of a grid {key: [values]} as a list of {key: value} (in key order)."""
    import itertools

    keys = list(grid)
    for k in keys:
        if not isinstance(grid[k], (list, tuple)) or len(grid[k]) == 0:
            raise ValueError(f"grid key {k!r} needs a non-empty list of values, got {grid[k]!r}")
    return [dict(zip(keys, vals)) for vals in itertools.product(*(grid[k] for k in keys))]


def find_config(name_or_path: str | Path) -> Path:
    """A YAML path, or 'paper/experiment' under analysis/nets/configs; ValueError if absent."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return p
    cand = CONFIG_ROOT / f"{name_or_path}.yaml"
    if cand.exists():
        return cand
    known = sorted(str(q.relative_to(CONFIG_ROOT).with_suffix("")) for q in CONFIG_ROOT.rglob("*.yaml"))
    raise ValueError(f"no config file {name_or_path!r} (a .yaml path or one of {known})")


def _preset_section(doc: Mapping, preset: str, seen=()) -> dict:
    presets = doc.get("presets") or {}
    if preset not in presets:
        if not presets and preset in PRESETS:
            return {}
        raise ValueError(f"config has no preset {preset!r}; it has {sorted(presets)}")
    sec = dict(presets[preset] or {})
    parent = sec.pop("inherit", None)
    if parent is not None:
        if parent in seen:
            raise ValueError(f"preset inheritance loop through {parent!r}")
        sec = _merge(_preset_section(doc, parent, (*seen, preset)), sec)
    return sec


def _merge(a: Mapping, b: Mapping) -> dict:
    """b over a; nested mappings are replaced whole (a preset states a hook spec completely)."""
    out = copy.deepcopy(dict(a))
    out.update(copy.deepcopy(dict(b)))
    return out


def load_experiment(name_or_path: str | Path, preset: str = "quick",
                    overrides: Mapping[str, Any] | None = None) -> Experiment:
    """Read an experiment YAML and resolve it for ``preset`` (see the module docstring).

    ``overrides`` (dotted keys) apply to the base and to every setting; a 'seeds' override is
    the number of seeds (seeds 0…n−1) or a list of seeds.
    """
    path = find_config(name_or_path)
    doc = yaml.safe_load(path.read_text()) or {}
    if not isinstance(doc, Mapping):
        raise ValueError(f"{path}: expected a mapping at the top level")
    unknown = sorted(set(map(str, doc)) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ValueError(f"{path}: unknown top-level key(s) {unknown}; an experiment file has "
                         f"{list(TOP_LEVEL_KEYS)} (run fields go under base:, presets: or settings:)")
    overrides = dict(overrides or {})
    sec = _merge(doc.get("base") or {}, _preset_section(doc, preset))
    seeds = overrides.pop("seeds", sec.pop("seeds", 1))
    grid = dict(sec.pop("grid", None) or doc.get("grid") or {})
    seeds = tuple(range(int(seeds))) if isinstance(seeds, int) else tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError(f"{path}: seeds must be a positive count or a non-empty list")
    cut = dict(sec.pop("cut", None) or {})
    only = sec.pop("only", None)
    all_settings = dict(doc.get("settings") or {})
    if only is not None:
        if isinstance(only, (str, bytes)) or not hasattr(only, "__iter__"):
            raise ValueError(f"{path}: preset {preset!r}: 'only' must be a list of setting names, got {only!r}")
        unknown = sorted(set(map(str, only)) - set(map(str, all_settings)))
        if unknown:
            raise ValueError(f"{path}: preset {preset!r}: 'only' names unknown settings {unknown}; "
                             f"the file has {sorted(map(str, all_settings))}")
        all_settings = {k: v for k, v in all_settings.items() if str(k) in set(map(str, only))}
    for k in EXPERIMENT_KEYS:
        sec.pop(k, None)
    base_d = apply_overrides(sec, overrides)
    base = from_dict({**base_d, "seed": seeds[0]} if "seed" not in overrides else base_d)
    settings = {}
    for sname, sd in all_settings.items():
        merged = _merge(sec, sd or {})
        merged = apply_overrides(merged, {k: v for k, v in cut.items()
                                          if merged.get(k.split(".")[0]) is not None})
        settings[str(sname)] = from_dict(apply_overrides(
            {**merged, "seed": seeds[0]} if "seed" not in overrides else merged, overrides))
    try:
        rel = str(path.relative_to(CONFIG_ROOT).with_suffix(""))
    except ValueError:
        rel = path.stem
    return Experiment(name=rel, preset=preset, base=base, settings=settings, seeds=seeds, grid=grid,
                      description=str(doc.get("description", "")))


def load_config(name_or_path: str | Path, preset: str = "quick", overrides=None) -> TrainConfig:
    """The base TrainConfig of an experiment file for a preset, with overrides (dotted keys)."""
    return load_experiment(name_or_path, preset, overrides).base


def to_yaml(cfg: TrainConfig) -> str:
    return yaml.safe_dump(cfg.to_dict(), sort_keys=True)
