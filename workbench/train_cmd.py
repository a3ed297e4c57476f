"""`workbench train CONFIG.yaml [setting=NAME] [key=value ...]`: train (or load) one run."""
from __future__ import annotations

from pathlib import Path

from analysis.nets.config import TrainConfig, load_experiment, parse_overrides
from analysis.nets.train import train


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
