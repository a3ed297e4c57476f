"""Paired comparisons across seeds (numpy/scipy; no torch).

Two settings trained with the same seeds share initial weights and data order, so their per-seed
results are paired; the differences d_i = b_i − a_i (i = seeds) are what is tested.

- :func:`paired_t`: the paired t-test, t = mean(d) / (s_d/√n) with n−1 degrees of freedom, and
  the Student-t confidence interval of the mean difference, mean(d) ± t_{1−α/2, n−1}·s_d/√n.
- :func:`sign_test`: exact binomial test of the number of positive differences among the
  non-zero ones, p = P(Bin(m, 1/2) ≥ k) (one-sided "greater") or the two-sided doubling.
- :func:`wilcoxon_signed_rank`: the exact Wilcoxon signed-rank test (scipy) for n ≥ 1 non-zero
  differences.

Each statistic has a second, independent computation that tests compare with
(:func:`paired_t_scipy`, :func:`sign_test_scipy`, :func:`wilcoxon_exact_enumeration`).
"""
from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats

ALTERNATIVES = ("two-sided", "greater", "less")


def wilson_ci(k: int, n: int, z: float = 1.959963984540054) -> list[float]:
    """Wilson score interval of k successes in n trials (95% by default); [nan, nan] for n = 0."""
    if n == 0:
        return [float("nan"), float("nan")]
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return [centre - half, centre + half]


def _pair(a, b) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"paired samples must be two 1-D arrays of equal length, got shapes "
                         f"{a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("paired samples must be finite (drop N.A. runs pairwise first)")
    return b - a


def _alt(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    return alternative


def paired_t(a, b, alternative: str = "greater", confidence: float = 0.95) -> dict:
    """Paired t-test of d = b − a (H1 for "greater": mean(d) > 0), by the formula.

    Returns {"n", "mean_diff", "sd_diff", "se", "t", "df", "p", "ci": [lo, hi] (two-sided
    `confidence` interval of the mean difference)}. n = 1 gives NaN for everything but the mean;
    a zero spread gives t = ±inf (p 0 or 1) or NaN when the mean difference is 0 too.
    """
    d = _pair(a, b)
    _alt(alternative)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    n = d.size
    if n == 0:
        raise ValueError("paired_t needs at least one pair")
    mean = float(d.mean())
    if n < 2:
        nan = float("nan")
        return {"n": n, "mean_diff": mean, "sd_diff": nan, "se": nan, "t": nan, "df": 0, "p": nan,
                "ci": [nan, nan]}
    sd = float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    df = n - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        t = float(np.divide(mean, se))
    if math.isnan(t):
        p = float("nan")
    elif alternative == "greater":
        p = float(stats.t.sf(t, df))
    elif alternative == "less":
        p = float(stats.t.cdf(t, df))
    else:
        p = float(2 * stats.t.sf(abs(t), df))
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    return {"n": n, "mean_diff": mean, "sd_diff": sd, "se": se, "t": t, "df": df, "p": p,
            "ci": [mean - q * se, mean + q * se]}


def paired_t_scipy(a, b, alternative: str = "greater", confidence: float = 0.95) -> dict:
    """The same test through ``scipy.stats.ttest_rel`` and its ``confidence_interval`` (twin)."""
    _pair(a, b)
    res = stats.ttest_rel(np.asarray(b, float), np.asarray(a, float), alternative=_alt(alternative))
    ci = stats.ttest_rel(np.asarray(b, float), np.asarray(a, float)).confidence_interval(confidence)
    return {"t": float(res.statistic), "p": float(res.pvalue), "df": int(res.df),
            "ci": [float(ci.low), float(ci.high)]}


def sign_test(a, b, alternative: str = "greater") -> dict:
    """Exact sign test of d = b − a: k positives among m non-zero differences, Bin(m, 1/2).

    p("greater") = Σ_{j≥k} C(m, j)/2^m; p("less") = Σ_{j≤k} C(m, j)/2^m; two-sided =
    min(1, 2·min of the two). Returns {"n_pos", "n_neg", "n_zero", "p"}; m = 0 gives p = 1.
    """
    d = _pair(a, b)
    _alt(alternative)
    k, neg = int((d > 0).sum()), int((d < 0).sum())
    m = k + neg
    if m == 0:
        p = 1.0
    else:
        up = sum(math.comb(m, j) for j in range(k, m + 1)) / 2.0 ** m
        down = sum(math.comb(m, j) for j in range(0, k + 1)) / 2.0 ** m
        p = {"greater": up, "less": down, "two-sided": min(1.0, 2 * min(up, down))}[alternative]
    return {"n_pos": k, "n_neg": neg, "n_zero": int(d.size - m), "p": float(p)}


def sign_test_scipy(a, b, alternative: str = "greater") -> float:
    """p-value of the sign test via ``scipy.stats.binomtest`` (twin of :func:`sign_test`)."""
    d = _pair(a, b)
    k, m = int((d > 0).sum()), int((d != 0).sum())
    if m == 0:
        return 1.0
    if alternative == "two-sided":
        r = sign_test(a, b, "greater")["p"], sign_test(a, b, "less")["p"]
        return float(min(1.0, 2 * min(r)))
    return float(stats.binomtest(k, m, 0.5, alternative=_alt(alternative)).pvalue)


def wilcoxon_signed_rank(a, b, alternative: str = "greater") -> dict:
    """Exact Wilcoxon signed-rank test of d = b − a (zeros dropped) via scipy.

    Returns {"n", "w_plus" (sum of the ranks of |d| over positive d), "p"}; no non-zero
    difference gives p = 1.
    """
    d = _pair(a, b)
    _alt(alternative)
    d = d[d != 0]
    if d.size == 0:
        return {"n": 0, "w_plus": 0.0, "p": 1.0}
    ranks = stats.rankdata(np.abs(d))
    w_plus = float(ranks[d > 0].sum())
    res = stats.wilcoxon(d, alternative=alternative, method="exact" if d.size <= 50 else "auto")
    return {"n": int(d.size), "w_plus": w_plus, "p": float(res.pvalue)}


def wilcoxon_exact_enumeration(a, b, alternative: str = "greater") -> float:
    """p-value of the signed-rank test by enumerating all 2^n sign patterns (n ≤ 16; twin).

    Under H0 every sign pattern of the ranks is equally likely; p("greater") = P(W+ ≥ w_obs).
    Ties in |d| keep their average ranks, so the enumeration is exact for them too.
    """
    d = _pair(a, b)
    d = d[d != 0]
    if d.size == 0:
        return 1.0
    if d.size > 16:
        raise ValueError(f"enumeration is for n <= 16 non-zero differences, got {d.size}")
    ranks = stats.rankdata(np.abs(d))
    w_obs = ranks[d > 0].sum()
    ws = np.array([sum(r for r, s in zip(ranks, signs) if s)
                   for signs in itertools.product((0, 1), repeat=d.size)])
    eps = 1e-9
    up = float(np.mean(ws >= w_obs - eps))
    down = float(np.mean(ws <= w_obs + eps))
    return {"greater": up, "less": down, "two-sided": min(1.0, 2 * min(up, down))}[_alt(alternative)]


def compare_paired(a, b, alternative: str = "greater", confidence: float = 0.95) -> dict:
    """All three tests of d = b − a in one dict (what a ledger claim's `measured` carries)."""
    return {"t_test": paired_t(a, b, alternative, confidence),
            "sign_test": sign_test(a, b, alternative),
            "wilcoxon": wilcoxon_signed_rank(a, b, alternative),
            "diffs": (np.asarray(b, float) - np.asarray(a, float)).tolist()}
