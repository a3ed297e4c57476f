"""The torch reference of the episode studies (``analysis.convsim_study``): every episode of a
configuration in one float64 tensor, autograd, ``torch.optim.Adam`` / ``torch.optim.SGD``.

It lives on the torch side because ``analysis`` never imports torch (DESIGN.md). ``run_study``
here accepts every method: "torch" runs this reference, "numba" and "numpy" go to
``analysis.convsim_study.run_study``; all three are compared in the tests and the benchmark.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as tf

from analysis import convsim_study as _study
from analysis.convsim_study import StudyConfig, StudyResult, pearson

METHODS = (*_study.METHODS, "torch")


def run_study(cfg: StudyConfig, episodes: int, seed: int, method: str = "numba",
              inputs=None) -> StudyResult:
    """``analysis.convsim_study.run_study`` with the extra method "torch" (the reference)."""
    if method != "torch":
        return _study.run_study(cfg, episodes, seed, method=method, inputs=inputs)
    k1, k2, x = _study.prepare_inputs(cfg, episodes, seed, inputs)
    return StudyResult(config=cfg, seed=seed, method="torch", **_run_torch(cfg, k1, k2, x))


def _run_torch(cfg: StudyConfig, k1: np.ndarray, k2: np.ndarray, x: np.ndarray) -> dict:
    """All episodes in one float64 tensor; autograd; torch.optim.Adam / torch.optim.SGD."""
    E, n = k1.shape
    pad = cfg.pad
    p1 = torch.tensor(k1, dtype=torch.float64, requires_grad=True)
    p2 = torch.tensor(k2, dtype=torch.float64, requires_grad=True)
    # windows[e, i, q] = Xp[e, i+q] = X[e, i+q−P]: the feature map is F[i] = Σ_q K[q]·windows[i, q]
    windows = tf.pad(torch.tensor(x, dtype=torch.float64), (pad, pad)).unfold(1, n, 1)   # (E, W, N)

    def objective(a, b):                                              # (E,) per episode
        if cfg.objective == "kernel_inner_sq":
            return (a * b).sum(1) ** 2
        if cfg.objective == "kernel_cosine_sq":
            return (a * b).sum(1) ** 2 / ((a * a).sum(1) * (b * b).sum(1))
        lagged = tf.pad(b, (n - 1, n - 1)).unfold(1, n, 1)          # (E, 2N−1, N): K2[i + n]
        c = (lagged * a.unsqueeze(1)).sum(-1)                         # (E, 2N−1) = K1 ⊛ K2
        return (c * c).sum(1)

    def measure(a, b):
        f1 = torch.einsum("ewn,en->ew", windows, a)                   # (E, M+2P−N+1)
        f2 = torch.einsum("ewn,en->ew", windows, b)
        s = (f1 * f2).sum(1)
        if cfg.fm_measure == "abs":
            return s.abs()
        if cfg.fm_measure == "signed":
            return s
        if cfg.fm_measure == "sq":
            return s * s
        return s.abs() / torch.sqrt((f1 * f1).sum(1) * (f2 * f2).sum(1))

    if cfg.optimizer == "adam":
        opt = torch.optim.Adam([p1, p2], lr=cfg.lr, betas=cfg.betas, eps=cfg.eps)
    else:
        opt = torch.optim.SGD([p1, p2], lr=cfg.lr)
    stop = -math.inf if cfg.stop_below is None else float(cfg.stop_below)
    active = torch.ones(E, dtype=torch.bool)
    steps = torch.zeros(E, dtype=torch.int64)
    objs, meas, masks = [], [], []
    for t in range(cfg.iters + 1):
        opt.zero_grad()
        obj = objective(p1, p2)
        with torch.no_grad():
            objs.append(obj.detach().clone())
            meas.append(measure(p1, p2))
            masks.append(active.clone())
            active &= ~(obj <= stop)
        if t == cfg.iters or not bool(active.any()):
            break
        obj.sum().backward()
        if cfg.stop_below is None:
            opt.step()
        else:
            frozen1, frozen2 = p1.detach().clone(), p2.detach().clone()
            opt.step()
            with torch.no_grad():                                     # stopped episodes stay put
                p1[~active] = frozen1[~active]
                p2[~active] = frozen2[~active]
        steps += active.to(torch.int64)
    O, F, W = (torch.stack(v).numpy() for v in (objs, meas, masks))  # (T+1, E)
    last = W.sum(0) - 1
    cols = np.arange(E)
    finite = np.array([np.all(np.isfinite(O[W[:, e], e])) and np.all(np.isfinite(F[W[:, e], e])) for e in cols])
    corr = np.array([pearson(O[W[:, e], e], F[W[:, e], e]) if finite[e] else np.nan for e in cols])
    return dict(measure_start=F[0].copy(), measure_end=F[last, cols], objective_start=O[0].copy(),
                objective_end=O[last, cols], corr=corr, steps=steps.numpy().copy(), finite=finite)
