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

A name not in the registry but of the form ``"package.module:attr"`` is imported, so a suite can
ship its hook in its own module: ``extra_losses: [{name: "analysis.nets.lcr:lcr_loss", weight: 1}]``
(``attr`` is the factory).  Register with ``@register_hook("loss", "name")``.
"""
from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

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
    """Decorator: register ``factory(spec, env)`` as hook ``name`` of ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"hook kind must be one of {KINDS}, got {kind!r}")

    def deco(factory):
        _REGISTRY[kind][name] = factory
        return factory
    return deco


def get_hook(kind: str, spec: dict, env: HookEnv):
    """Build the hook a config names (registered name or 'module:attr')."""
    if kind not in KINDS:
        raise ValueError(f"hook kind must be one of {KINDS}, got {kind!r}")
    name = spec["name"]
    factory = _REGISTRY[kind].get(name)
    if factory is None and ":" in name:
        mod, attr = name.split(":", 1)
        try:
            factory = getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"{kind} hook {name!r}: cannot import it ({exc})") from None
    if factory is None:
        raise ValueError(f"unknown {kind} hook {name!r}; registered: {sorted(_REGISTRY[kind])} "
                         f"(or give 'package.module:factory')")
    return factory(spec, env)


def list_hooks() -> dict[str, list[str]]:
    return {k: sorted(v) for k, v in _REGISTRY.items()}


def _params(spec: dict, allowed: dict[str, Any]) -> dict[str, Any]:
    extra = sorted(set(spec) - {"name", "weight"} - set(allowed))
    if extra:
        raise ValueError(f"hook {spec['name']!r}: unknown parameter(s) {extra}; allowed {sorted(allowed)}")
    return {k: spec.get(k, v) for k, v in allowed.items()}


# ----------------------------------------------------------------------------- convsim (paper 001)

def _conv_weights(model) -> list[torch.Tensor]:
    from analysis.nets.models import conv_weights

    return list(conv_weights(model))


def _layer_cs(model, pairs: str, channels: str) -> list[torch.Tensor]:
    """L_CS (Eq. 10) of every conv layer's weight (S, C, N, N), as 0-d tensors."""
    from analysis.nets.losses import convsim_loss

    return [convsim_loss(w, pairs=pairs, channels=channels) for w in _conv_weights(model)]


@register_hook("init", "convsim")
def convsim_init(spec: dict, env: HookEnv):
    """Algorithm 1 of paper 001: ``steps`` Adam steps (lr) on Σ_layers L_CS(K^(j)) before training.

    Only the conv kernels move (the other parameters get no gradient from L_CS). Returns the
    trace {"step": [0…I], "cs_total": [...]} (the loss before each step and after the last).
    """
    p = _params(spec, {"steps": 500, "lr": 0.001, "pairs": "all", "channels": "all"})
    steps, lr = int(p["steps"]), float(p["lr"])
    if steps < 0 or not lr > 0:
        raise ValueError(f"convsim init needs steps >= 0 and lr > 0, got steps={steps}, lr={lr}")

    def run(model) -> dict:
        weights = _conv_weights(model)
        trace = []
        if steps == 0:
            with torch.no_grad():
                trace.append(float(sum(_layer_cs(model, p["pairs"], p["channels"]))))
            return {"step": [0], "cs_total": trace}
        opt = torch.optim.Adam(weights, lr=lr)
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            loss = torch.stack(_layer_cs(model, p["pairs"], p["channels"])).sum()
            trace.append(float(loss.detach()))
            loss.backward()
            opt.step()
        with torch.no_grad():
            trace.append(float(sum(_layer_cs(model, p["pairs"], p["channels"]))))
        return {"step": list(range(steps + 1)), "cs_total": trace}
    return run


@register_hook("loss", "convsim")
def convsim_regularizer(spec: dict, env: HookEnv):
    """Algorithm 2 of paper 001: terms ``cs.<j>`` = L_CS(K^(j)) of every conv layer j; the trainer
    adds β·Σ_j (β = spec["weight"])."""
    p = _params(spec, {"pairs": "all", "channels": "all"})

    def terms(step: StepContext) -> dict[str, torch.Tensor]:
        return {f"cs.{j}": t for j, t in enumerate(_layer_cs(step.model, p["pairs"], p["channels"]))}
    return terms


@register_hook("monitor", "convsim")
def convsim_monitor(spec: dict, env: HookEnv):
    """L_CS (Eq. 10) of every conv layer and their sum, no gradient: ``cs.<j>``, ``cs.total``."""
    p = _params(spec, {"pairs": "all", "channels": "all"})

    def measure(model) -> dict[str, float]:
        with torch.no_grad():
            vals = [float(t) for t in _layer_cs(model, p["pairs"], p["channels"])]
        return {**{f"cs.{j}": v for j, v in enumerate(vals)}, "cs.total": float(sum(vals))}
    return measure


# ----------------------------------------------------------------------------- generic hooks

@register_hook("grad", "clip_norm")
def clip_norm(spec: dict, env: HookEnv):
    """Rescale all gradients so their joint 2-norm is at most ``max_norm``."""
    p = _params(spec, {"max_norm": 1.0})

    def transform(model) -> None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), float(p["max_norm"]))
    return transform


@register_hook("grad", "throttle")
def throttle(spec: dict, env: HookEnv):
    """Leaves gradients unchanged and sleeps ``seconds`` per step (tests that kill a run mid-way)."""
    p = _params(spec, {"seconds": 0.05})

    def transform(model) -> None:
        time.sleep(float(p["seconds"]))
    return transform


@register_hook("teacher", "run")
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
