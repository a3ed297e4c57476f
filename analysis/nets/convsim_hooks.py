"""Trainer hooks of paper 001 (convsim): Algorithms 1–2 and the L_CS monitor.

Named in configs by their short names (:mod:`analysis.nets.hook_names`): ``convsim.init``
(Algorithm 1, ``init``), ``convsim.loss`` (Algorithm 2, ``extra_losses``), ``convsim.monitor``
(``monitors``); the legacy name ``convsim`` of each kind is an alias with the same run hash. The
loss itself is :func:`analysis.nets.losses.convsim_loss` (Eq. 10), the torch twin of
:mod:`analysis.convsim`.
"""
from __future__ import annotations

import torch

from .hooks import HookEnv, StepContext, _params

__all__ = ["convsim_init", "convsim_regularizer", "convsim_monitor"]


def _conv_weights(model) -> list[torch.Tensor]:
    from analysis.nets.models import conv_weights

    return list(conv_weights(model))


def _layer_cs(model, pairs: str, channels: str) -> list[torch.Tensor]:
    """L_CS (Eq. 10) of every conv layer's weight (S, C, N, N), as 0-d tensors."""
    from analysis.nets.losses import convsim_loss

    return [convsim_loss(w, pairs=pairs, channels=channels) for w in _conv_weights(model)]


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


def convsim_regularizer(spec: dict, env: HookEnv):
    """Algorithm 2 of paper 001: terms ``cs.<j>`` = L_CS(K^(j)) of every conv layer j; the trainer
    adds β·Σ_j (β = spec["weight"])."""
    p = _params(spec, {"pairs": "all", "channels": "all"})

    def terms(step: StepContext) -> dict[str, torch.Tensor]:
        return {f"cs.{j}": t for j, t in enumerate(_layer_cs(step.model, p["pairs"], p["channels"]))}
    return terms


def convsim_monitor(spec: dict, env: HookEnv):
    """L_CS (Eq. 10) of every conv layer and their sum, no gradient: ``cs.<j>``, ``cs.total``."""
    p = _params(spec, {"pairs": "all", "channels": "all"})

    def measure(model) -> dict[str, float]:
        with torch.no_grad():
            vals = [float(t) for t in _layer_cs(model, p["pairs"], p["channels"])]
        return {**{f"cs.{j}": v for j, v in enumerate(vals)}, "cs.total": float(sum(vals))}
    return measure
