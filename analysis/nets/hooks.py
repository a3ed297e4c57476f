"""Hooks other suites plug into the one trainer without editing it; configs name them.

Five kinds, each a registry ``name -> factory(spec, env)``; ``spec`` is the config's mapping
(``{"name": ..., params...}``) and ``env`` a :class:`HookEnv`. A factory returns:

- ``"init"``:    ``f(model) -> dict`` run once before training (returns a trace for metrics.json)
- ``"loss"``:    ``f(step: StepContext) -> dict[str, Tensor]`` named 0-d terms; the trainer adds
                 ``spec["weight"] · Σ terms`` to the task loss and logs each term's epoch mean
- ``"monitor"``: ``f(model) -> dict[str, float]`` evaluated without gradients after the init
                 step and after every epoch (e.g. L_CS of each layer for Fig. 1)
- ``"grad"``:    ``f(model) -> None`` edits ``p.grad`` in place after backward, before step
- ``"teacher"``: ``f() -> torch.nn.Module`` a frozen teacher; its logits reach loss hooks as
                 ``step.teacher_logits``

Hooks are named by short names, ``<paper>.<what>`` (``convsim.init``, ``lcr.loss``, ``cdg.grad``,
``generic.clip_norm``, …), all declared in ONE table, :data:`analysis.nets.hook_names.HOOKS` (short
name → kind, ``"module:attr"`` of the factory, the name hashed for it); the factory's module is
imported only when a run builds the hook. The legacy names configs used before (``"convsim"``,
``"analysis.nets.cdg:grad_hook"``, …) are aliases (``hook_names.ALIASES``) and keep their run
hashes (see :mod:`analysis.nets.hook_names`). Lookup order of :func:`get_hook`: the table (short
name or alias), then names registered at run time with ``@register_hook(kind, name)`` (tests,
one-off experiments), then — transitionally, for hooks not yet in the table — a
``"package.module:attr"`` string is imported; anything else is an error listing the names.
"""
from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from . import hook_names

KINDS = ("init", "loss", "monitor", "grad", "teacher")
_REGISTRY: dict[str, dict[str, Callable]] = {k: {} for k in KINDS}


@dataclass(frozen=True)
class HookEnv:
    """What a hook factory may use: the results root, data directory and the run's seed, and
    ``ensure_run(cfg, out, data_dir=..., progress=...) -> Run`` (the trainer's: load a finished
    run or train it), so hooks never import the trainer."""

    out: Path | None = None
    data_dir: Path | None = None
    seed: int = 0
    ensure_run: Callable | None = None


@dataclass
class StepContext:
    """One training step as a loss hook sees it.

    model: the network; x (B, C, H, W) float32 inputs; y (B,) int64 labels;
    logits (B, K) the model's output; teacher_logits (B, K) or None; epoch (1-based), step
    (0-based within the epoch).
    """

    model: torch.nn.Module
    x: torch.Tensor
    y: torch.Tensor
    logits: torch.Tensor
    teacher_logits: torch.Tensor | None
    epoch: int
    step: int


def register_hook(kind: str, name: str):
    """Decorator: register ``factory(spec, env)`` as hook ``name`` of ``kind`` at run time (tests,
    one-off experiments). Hooks the project ships go into :data:`hook_names.HOOKS` instead."""
    if kind not in KINDS:
        raise ValueError(f"hook kind must be one of {KINDS}, got {kind!r}")

    def deco(factory):
        _REGISTRY[kind][name] = factory
        return factory
    return deco


def _import(target: str, what: str) -> Callable:
    mod, attr = target.split(":", 1)
    try:
        return getattr(importlib.import_module(mod), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{what}: cannot import {target!r} ({exc})") from None


def resolve_hook(kind: str, name: str) -> Callable:
    """The factory of hook ``name`` of ``kind`` (short name, legacy alias, run-time registered
    name, or an unlisted ``'module:attr'``); ValueError listing the names otherwise."""
    if kind not in KINDS:
        raise ValueError(f"hook kind must be one of {KINDS}, got {kind!r}")
    short = hook_names.short_name(kind, name)
    if short is not None:
        return _import(hook_names.HOOKS[short][1], f"{kind} hook {name!r} ({short})")
    if name in _REGISTRY[kind]:
        return _REGISTRY[kind][name]
    if name in hook_names.HOOKS:
        raise ValueError(f"hook {name!r} is a {hook_names.HOOKS[name][0]} hook, not a {kind} hook; "
                         f"{kind} hooks: {list_hooks()[kind]}")
    if ":" in name:
        return _import(name, f"{kind} hook {name!r}")
    raise ValueError(f"unknown {kind} hook {name!r}; registered {kind} hooks: {list_hooks()[kind]} "
                     f"(all: {hook_names.names()}; legacy names are aliases, see "
                     f"analysis/nets/hook_names.py)")


def get_hook(kind: str, spec: dict, env: HookEnv):
    """Build the hook a config names (see the module docstring for the lookup)."""
    return resolve_hook(kind, spec["name"])(spec, env)


def list_hooks() -> dict[str, list[str]]:
    """Per kind: the short names of the table and the names registered at run time."""
    return {k: sorted(set(hook_names.names(k))
                      | {n for n in _REGISTRY[k] if hook_names.short_name(k, n) is None}) for k in KINDS}


def _params(spec: dict, allowed: dict[str, Any]) -> dict[str, Any]:
    extra = sorted(set(spec) - {"name", "weight"} - set(allowed))
    if extra:
        raise ValueError(f"hook {spec['name']!r}: unknown parameter(s) {extra}; allowed {sorted(allowed)}")
    return {k: spec.get(k, v) for k, v in allowed.items()}


# ----------------------------------------------------------------------------- generic hooks

def clip_norm(spec: dict, env: HookEnv):
    """Rescale all gradients so their joint 2-norm is at most ``max_norm``."""
    p = _params(spec, {"max_norm": 1.0})

    def transform(model) -> None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), float(p["max_norm"]))
    return transform


def throttle(spec: dict, env: HookEnv):
    """Leaves gradients unchanged and sleeps ``seconds`` per step (tests that kill a run mid-way)."""
    p = _params(spec, {"seconds": 0.05})

    def transform(model) -> None:
        time.sleep(float(p["seconds"]))
    return transform


def teacher_from_run(spec: dict, env: HookEnv):
    """A frozen teacher: the final model of the cached run of ``config`` (a TrainConfig mapping),
    trained first if the cache does not hold it (under the same results root)."""
    p = _params(spec, {"config": None})
    if not isinstance(p["config"], dict):
        raise ValueError("teacher 'run' needs 'config': a mapping of the teacher's TrainConfig fields")

    def build() -> torch.nn.Module:
        from analysis.nets.config import from_dict

        if env.out is None or env.ensure_run is None:
            raise ValueError("teacher 'run' needs a results root (out) and the trainer's ensure_run "
                             "(HookEnv as the trainer builds it) to find or make the teacher's run")
        run = env.ensure_run(from_dict(p["config"]), env.out, data_dir=env.data_dir, progress=False)
        model = run.load_model()
        model.eval()
        for q in model.parameters():
            q.requires_grad_(False)
        return model
    return build
