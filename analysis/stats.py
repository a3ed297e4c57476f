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


def wilson_power(p: float, n: int, p0: float = 0.5, z: float = 1.959963984540054) -> float:
    """Probability that the Wilson interval (:func:`wilson_ci`) of X ~ Bin(n, p) excludes ``p0``:
    the power of the collapse-fraction claims' test, summed exactly over the n + 1 outcomes."""
    if n < 1 or not 0.0 <= p <= 1.0:
        return float("nan")
    k = np.arange(n + 1)
    reject = np.array([(lambda w: w[0] > p0 or w[1] < p0)(wilson_ci(int(i), n, z)) for i in k])
    return float(stats.binom.pmf(k, n, p)[reject].sum())


def wilson_mde(n: int, p0: float = 0.5, power: float = 0.8, direction: int = 1,
               z: float = 1.959963984540054) -> float:
    """Minimum detectable effect of a proportion against ``p0`` by its Wilson interval: the smallest
    δ ≥ 0 with :func:`wilson_power`(p0 + direction·δ, n) ≥ ``power`` (the power is a polynomial in p;
    the first crossing is found on a grid of 2000 steps and refined by brentq). NaN when even
    p = 0 or 1 does not reach it (too few runs). The t-based :func:`mde` is 0 for a 0/1 sample
    with no spread, which says nothing: the collapse claims use this."""
    if n < 1:
        return float("nan")
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    top = (1.0 - p0) if direction == 1 else p0
    grid = np.linspace(0.0, top, 2001)
    pw = np.array([wilson_power(p0 + direction * d, n, p0, z) for d in grid])
    hit = np.flatnonzero(pw >= power)
    if hit.size == 0:
        return float("nan")
    i = int(hit[0])
    if i == 0:
        return 0.0
    from scipy.optimize import brentq

    return float(brentq(lambda d: wilson_power(p0 + direction * d, n, p0, z) - power, grid[i - 1], grid[i],
                        xtol=1e-12))


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


# ---------------------------------------------------------------------------------------------
# Effect size, interval and power of a network claim (issue 16; DESIGN.md "network claims")
# ---------------------------------------------------------------------------------------------

def t_power(delta: float, sd: float, n: int, alpha: float = 0.05, design: str = "paired",
            n2: int | None = None) -> float:
    """Power of the two-sided t-test at level ``alpha`` against a true effect ``delta``.

    ``design="paired"`` (or one-sample): n differences with sd ``sd``, df = n − 1, noncentrality
    δ√n/sd. ``design="two-sample"``: pooled sd ``sd``, sizes n and n2, df = n + n2 − 2,
    noncentrality δ/(sd·√(1/n + 1/n2)). Exact, from the noncentral t distribution:
    P(T > t_crit) + P(T < −t_crit), T ~ nct(df, ncp).
    """
    df, scale = _design(sd, n, design, n2)
    if df < 1 or not (math.isfinite(scale) and scale > 0):
        return float("nan")
    ncp = abs(float(delta)) / scale                 # the power is symmetric in the sign of δ
    q = float(stats.t.ppf(1 - alpha / 2, df))
    upper = float(stats.nct.sf(q, df, ncp))
    if not math.isfinite(upper):
        upper = 1.0 - float(stats.nct.cdf(q, df, ncp))
    lower = float(stats.nct.cdf(-q, df, ncp))       # far tail: scipy may return NaN for ~0
    return min(1.0, upper + (lower if math.isfinite(lower) else 0.0))


def _design(sd: float, n: int, design: str, n2: int | None) -> tuple[int, float]:
    if design in ("paired", "one-sample"):
        return int(n) - 1, float(sd) / math.sqrt(n) if n > 0 else float("nan")
    if design == "two-sample":
        if n2 is None:
            raise ValueError("a two-sample design needs n2")
        return int(n) + int(n2) - 2, float(sd) * math.sqrt(1.0 / n + 1.0 / n2)
    raise ValueError(f"design must be 'paired', 'one-sample' or 'two-sample', got {design!r}")


def mde(sd: float, n: int, power: float = 0.8, alpha: float = 0.05, design: str = "paired",
        n2: int | None = None) -> float:
    """Minimum detectable effect: the smallest |δ| that the two-sided t-test at level ``alpha``
    detects with probability ``power`` (80 % by default), solved exactly on the noncentral t
    (:func:`t_power`, scipy's brentq). NaN when the design has no degrees of freedom or sd is
    not finite; 0 when sd = 0. :func:`mde_normal` is the large-sample formula it tends to.
    """
    if not 0 < power < 1 or not 0 < alpha < 1:
        raise ValueError(f"power and alpha must lie in (0, 1), got {power}, {alpha}")
    df, scale = _design(sd, n, design, n2)
    if df < 1 or not math.isfinite(scale):
        return float("nan")
    if scale == 0:
        return 0.0
    from scipy.optimize import brentq

    hi = scale * (stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df) + 1.0)
    while t_power(hi, sd, n, alpha, design, n2) < power:
        hi *= 2.0
    return float(brentq(lambda d: t_power(d, sd, n, alpha, design, n2) - power, 0.0, hi,
                        xtol=1e-12 * max(1.0, hi), rtol=1e-12))


def mde_normal(sd: float, n: int, power: float = 0.8, alpha: float = 0.05, design: str = "paired",
               n2: int | None = None) -> float:
    """The normal approximation (z_{1−α/2} + z_power)·se (≈ 2.80·se at 80 %, α = 0.05): the
    independent check of :func:`mde`, a lower bound that it approaches as df grows."""
    df, scale = _design(sd, n, design, n2)
    if df < 1 or not math.isfinite(scale):
        return float("nan")
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * scale)


def effect_summary(a, b=None, confidence: float = 0.95, power: float = 0.8, alpha: float = 0.05,
                   paired: bool = True) -> dict:
    """What a network claim's ``measured`` carries (issue 16): the effect b − a and its design.

    - ``b is None``: one sample ``a`` (effects already differenced, or a statistic against 0).
    - ``paired=True``: d = b − a paired by seed (:func:`paired_t`).
    - ``paired=False``: Welch interval of mean(b) − mean(a); mde from the pooled sd.

    Returns {"design", "n" (pairs, or [n_a, n_b]), "effect", "sd", "se", "ci" (two-sided
    ``confidence`` interval; None with < 2 values or when all differences are equal), "p_two_sided",
    "mde" (80 % power at two-sided α = 0.05 unless told otherwise)}.
    """
    if b is None:
        d = np.asarray(a, dtype=np.float64)
        if d.ndim != 1 or not np.isfinite(d).all():
            raise ValueError("effect_summary needs a 1-D finite sample")
        t = paired_t(np.zeros_like(d), d, "two-sided", confidence)
        design, n = "one-sample", int(d.size)
    elif paired:
        t = paired_t(a, b, "two-sided", confidence)
        design, n = "paired", int(t["n"])
    else:
        return _welch_summary(a, b, confidence, power, alpha)
    sd = t["sd_diff"]
    # no interval with < 2 values, or when every difference is the same (sd = 0, e.g. two settings
    # both at chance): a zero-width interval would decide on no evidence of spread
    ok = n > 1 and math.isfinite(sd) and sd > 0 and all(math.isfinite(x) for x in t["ci"])
    return {"design": design, "n": n, "effect": t["mean_diff"], "sd": sd,
            "se": t["se"], "ci": t["ci"] if ok else None, "p_two_sided": t["p"],
            "mde": mde(sd, n, power, alpha, "paired") if n > 1 and math.isfinite(sd) else float("nan")}


def with_power(summary: dict, paper_effect: float | None = None) -> dict:
    """``summary`` (:func:`effect_summary`) plus ``paper_effect`` and ``power_ok`` (mde ≤ |paper
    effect|; None when either is missing): the fields issue 16 asks of every network claim."""
    out = dict(summary)
    m = out.get("mde")
    out["paper_effect"] = None if paper_effect is None else float(paper_effect)
    out["power_ok"] = (bool(m <= abs(paper_effect)) if paper_effect is not None and m is not None
                       and math.isfinite(m) else None)
    return out


def _welch_summary(a, b, confidence, power, alpha) -> dict:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1 or not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("effect_summary needs two 1-D finite samples")
    na, nb = int(a.size), int(b.size)
    eff = float(b.mean() - a.mean()) if na and nb else float("nan")
    if na < 2 or nb < 2:
        nan = float("nan")
        return {"design": "two-sample", "n": [na, nb], "effect": eff, "sd": nan, "se": nan, "ci": None,
                "p_two_sided": nan, "mde": nan}
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = math.sqrt(va / na + vb / nb)
    df = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1)) if se > 0 else na + nb - 2
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    sd_pooled = math.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    p = float(2 * stats.t.sf(abs(eff / se), df)) if se > 0 else (0.0 if eff != 0 else float("nan"))
    return {"design": "two-sample", "n": [na, nb], "effect": eff, "sd": sd_pooled, "se": se,
            "ci": [eff - q * se, eff + q * se], "p_two_sided": p,
            "mde": mde(sd_pooled, na, power, alpha, "two-sample", nb)}


def holm(pvalues) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error), in the input order.

    p_(i) sorted ascending, adjusted_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)). NaN p-values
    stay NaN and do not count in m. Check: :func:`holm_by_rejection` (the step-down procedure).
    """
    p = np.asarray(list(pvalues), dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out.tolist()
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for j, idx in enumerate(order):
        running = max(running, min(1.0, (m - j) * p[idx]))
        out[idx] = running
    return out.tolist()


def holm_by_rejection(pvalues, alpha: float) -> list[bool]:
    """The step-down procedure itself: reject H_(1..k) while p_(i) ≤ α/(m − i + 1)."""
    p = np.asarray(list(pvalues), dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    rej = np.zeros(p.shape, bool)
    for i, idx in enumerate(ok[np.argsort(p[ok], kind="stable")]):
        if p[idx] <= alpha / (m - i):
            rej[idx] = True
        else:
            break
    return rej.tolist()
