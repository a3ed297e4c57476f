"""The fast training mode does not change the science (issue 12 §1): two one-sided tests (TOST),
margin ±1 accuracy point, α = 0.05, between fp32 and the fast mode (bf16 autocast + channels_last)
on quick runs of cnn1 and resnet20 (Fashion-MNIST subsets), paired by seed; the number of seeds
comes from a power calculation (80 % power at a true difference of 0) on a pilot's paired sd.

Slow (tens of minutes on 2 cores); the result is printed and appended to ``$WORKBENCH_EQUIV_OUT``
when set; ``$WORKBENCH_EQUIV_RUNS`` names a results root whose runs are reused."""
import json
import math
import os

import numpy as np
import pytest
import torch
from scipy import stats

from analysis.nets.config import from_dict
from analysis.nets.data import find_dataset
from analysis.nets.train import train

MARGIN = 0.01            # one accuracy point (accuracies are fractions)
ALPHA = 0.05
POWER = 0.8
PILOT_SEEDS = (0, 1, 2, 3, 4, 5)
MAX_N = 12               # a cap on the main test's seeds (stated in the result)
FAST = {"precision": "bf16", "channels_last": True}
QUICK = {"cnn1": dict(model="cnn1", train_subset=2048, test_subset=1000, epochs=3, batch_size=128,
                      optimizer="sgd", lr=0.02, momentum=0.9),
         # resnet20's final test accuracy under a constant lr swings by ~10 points from epoch to epoch
         # (BN statistics early in training): at lr 0.02 on 2048 images the paired sd was 19 points
         # (n ≈ 3000 seeds for ±1 point). A cosine schedule that anneals the lr to 0 by the last
         # epoch removes the swing at the point where the accuracy is read.
         "resnet20": dict(model="resnet20", train_subset=2048, test_subset=1000, epochs=4, batch_size=128,
                          optimizer="sgd", lr=0.05, momentum=0.9, lr_schedule="cosine")}


def seeds_for_tost(sd: float, margin: float = MARGIN, alpha: float = ALPHA, power: float = POWER) -> int:
    """Smallest n whose paired TOST has ``power`` at a true difference of 0 (t approximation:
    n ≥ ((t_{1−α,n−1} + t_{1−(1−power)/2,n−1})·sd/margin)²)."""
    for n in range(3, 10_000):
        need = ((stats.t.ppf(1 - alpha, n - 1) + stats.t.ppf(1 - (1 - power) / 2, n - 1)) * sd / margin) ** 2
        if n >= need:
            return n
    return 10_000


def tost_paired(d: np.ndarray, margin: float = MARGIN, alpha: float = ALPHA) -> dict:
    """Paired TOST on differences d (fast − fp32): equivalent when both one-sided p < α."""
    n, mean, sd = len(d), float(np.mean(d)), float(np.std(d, ddof=1))
    se = sd / math.sqrt(n) if sd > 0 else 1e-12
    p_lo = float(stats.t.sf((mean + margin) / se, n - 1))      # H0: mean ≤ −margin
    p_hi = float(stats.t.cdf((mean - margin) / se, n - 1))     # H0: mean ≥ +margin
    tq = stats.t.ppf(1 - alpha, n - 1)
    return {"n": n, "mean_diff": mean, "sd_diff": sd, "p_lower": p_lo, "p_upper": p_hi,
            "ci90": [mean - tq * se, mean + tq * se], "equivalent": max(p_lo, p_hi) < alpha}


def _acc(cfg: dict, out) -> float:
    run = train(from_dict({**cfg, "dataset": "fashion-mnist"}), out, progress=False)
    return run.last("test_acc")


def test_tost_helpers():
    d = np.array([0.001, -0.002, 0.0, 0.003, -0.001, 0.002])
    assert tost_paired(d)["equivalent"]
    assert not tost_paired(d + 0.02)["equivalent"]
    assert seeds_for_tost(0.01) > seeds_for_tost(0.005) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("name", [
    "cnn1",
    # measured 2026-12-02 (results/reference/equivalence.jsonl): pilot paired sd 3.1 points (one seed
    # -6.8) -> n = 176 needed, capped at 12: mean -0.67 points, 90 % CI [-1.79, +0.46] -> NOT shown
    # equivalent (2 of 18 seeds lose 6.8 points in bf16); the quick presets train in fp32
    pytest.param("resnet20", marks=pytest.mark.xfail(reason="not shown equivalent at n = 12 (README)", strict=False)),
])
def test_fast_mode_is_equivalent_to_fp32(tmp_path, name):
    try:
        find_dataset("fashion-mnist", "test")
    except Exception:  # noqa: BLE001
        pytest.skip("Fashion-MNIST is not installed")
    torch.set_num_threads(1)
    base = QUICK[name]
    out = os.environ.get("WORKBENCH_EQUIV_RUNS") or tmp_path      # a results root to reuse runs from

    def pair(seed):
        return _acc({**base, "seed": seed, **FAST}, out) - _acc({**base, "seed": seed}, out)
    pilot = np.array([pair(s) for s in PILOT_SEEDS])
    sd = float(np.std(pilot, ddof=1))
    # a 4-seed pilot once gave sd 0.15 points and then n = 3 seeds whose sd was 0.87: plan with the
    # one-sided 80 % upper confidence limit of the pilot's sd instead of its point estimate
    k = len(pilot) - 1
    sd_plan = sd * math.sqrt(k / stats.chi2.ppf(0.2, k))
    n_needed = seeds_for_tost(max(sd_plan, 1e-4))
    n = min(n_needed, MAX_N)
    _record({"model": name, "pilot_sd": sd, "sd_plan": sd_plan, "pilot_diffs": pilot.tolist(), "n_needed": n_needed})
    d = np.array([pair(100 + s) for s in range(n)])           # fresh seeds for the test itself
    res = {"model": name, "fast": FAST, "pilot_sd": sd, "pilot_diffs": pilot.tolist(), **tost_paired(d),
           "diffs": d.tolist(), "config": base, "n_needed": n_needed, "n_capped": n < n_needed}
    _record(res)
    assert res["equivalent"], res


def _record(res: dict) -> None:
    print(json.dumps(res), flush=True)
    if os.environ.get("WORKBENCH_EQUIV_OUT"):
        with open(os.environ["WORKBENCH_EQUIV_OUT"], "a") as fh:
            fh.write(json.dumps(res) + "\n")
