"""Test data for the NC convention map (issue 15 §4c peers): noisy class clusters whose collapse
can be dialled, shared by the dhkd suite's ``dhkd.nc.convention_map`` claim and the figure
``dhkd_nc_conventions``. numpy only."""
from __future__ import annotations

import numpy as np

__all__ = ["noisy_clusters"]


def noisy_clusters(seed: int, counts: tuple[int, ...], k: int = 10, d: int = 64,
                   spread: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features H (n, d), labels y (n,) and classifier W (k, d): class means μ = 3·N(0, 1) (k, d),
    class c with ``counts[c % len(counts)]`` samples, H = μ_y + spread·N(0, 1), W = μ + spread·0.5·N(0, 1).
    ``spread`` = 1 is the suite's setting; ``spread`` → 0 is an exact collapse (H = μ_y, W = μ).
    The draws do not depend on ``spread`` (one generator, seeded by [seed, 15])."""
    rng = np.random.default_rng([seed, 15])
    mu = 3.0 * rng.standard_normal((k, d))
    y = np.repeat(np.arange(k), [counts[c % len(counts)] for c in range(k)])
    H = mu[y] + spread * rng.standard_normal((len(y), d))
    W = mu + spread * 0.5 * rng.standard_normal((k, d))
    return H, y, W
