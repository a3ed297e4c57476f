"""Simplex equiangular tight frames and neural-collapse metrics (DHKD paper, Appendix B.1).

Definition 1 (Eq. 7): M = √(K/(K−1))·U(I_K − 11ᵀ/K), UᵀU = I_K, so its Gram matrix is
MᵀM = K/(K−1)·(I − 11ᵀ/K) (Theorem 1, Eq. 8): unit columns with pairwise inner product −1/(K−1).

Neural-collapse metrics follow Papyan, Han & Donoho (2020, PNAS) "Prevalence of neural
collapse…", Fig. 6–9 (NC1 = tr(Σ_W Σ_B⁺)/K; NC2 as the coefficient of variation of the centred
class-mean norms and the average |cos + 1/(K−1)|; NC3 as ‖W/‖W‖ − M/‖M‖‖²_F; NC4 as the
nearest-class-centre mismatch), with the global mean taken as the mean of the class means
(balanced-class convention). The alternatives are options; see :func:`nc_metrics`.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np


# ----------------------------------------------------------------------------- checks

def _check_int(x: Any, name: str, lo: int) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise ValueError(f"{name} must be an int ≥ {lo}, got {x!r}")
    if int(x) < lo:
        raise ValueError(f"{name} must be an int ≥ {lo}, got {x}")
    return int(x)


def _finite_2d(a: Any, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype == np.bool_:
        raise ValueError(f"{name} must be a float array, got bools")
    arr = arr.astype(np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values; expected finite floats")
    return arr


# ----------------------------------------------------------------------------- ETF

def etf_gram(k: int) -> np.ndarray:
    """Eq. 8: the Gram matrix K/(K−1)·I − 1/(K−1)·11ᵀ of a unit simplex ETF, (k, k)."""
    k = _check_int(k, "k", 2)
    return (k / (k - 1)) * np.eye(k) - np.full((k, k), 1.0 / (k - 1))


def _random_orthonormal(rows: int, cols: int, rng: np.random.Generator) -> np.ndarray:
    """A (rows, cols) matrix with orthonormal columns, Haar-distributed (QR with sign fix)."""
    q, r = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q * np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))


def simplex_etf(k: int, d: int | None = None, seed: int = 0) -> np.ndarray:
    """A simplex ETF of k unit vectors in R^d as the columns of a (d, k) matrix, d ≥ k − 1.

    d ≥ k: Definition 1 literally, M = √(k/(k−1))·U(I − 11ᵀ/k) with U (d, k), UᵀU = I (the seed
    draws U). d = k − 1: Definition 1 needs UᵀU = I_k, impossible in R^{k−1}; instead
    M = √(k/(k−1))·R·Vᵀ with V (k, k−1) an orthonormal basis of 1^⊥ (so VVᵀ = I − 11ᵀ/k) and R a
    seeded rotation of R^{k−1}: the same Gram matrix (Eq. 8) in the smallest space that holds it.
    """
    k = _check_int(k, "k", 2)
    d = k if d is None else _check_int(d, "d", 1)
    if d < k - 1:
        raise ValueError(f"a simplex ETF of k={k} vectors needs d ≥ k−1 = {k - 1}, got d={d}")
    if isinstance(seed, (bool, np.bool_)):
        raise ValueError("seed must be an int, got a bool")
    rng = np.random.default_rng(seed)
    centre = np.eye(k) - np.full((k, k), 1.0 / k)
    if d >= k:
        U = _random_orthonormal(d, k, rng)
        return math.sqrt(k / (k - 1)) * U @ centre
    # d = k − 1: orthonormal basis of the complement of the all-ones vector
    q, _ = np.linalg.qr(np.concatenate([np.ones((k, 1)), np.eye(k)[:, : k - 1]], axis=1))
    V = q[:, 1:]
    R = _random_orthonormal(k - 1, k - 1, rng)
    return math.sqrt(k / (k - 1)) * R @ V.T


# ----------------------------------------------------------------------------- NC metrics

def class_means(features: Any, labels: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(class means μ_c (k, d), counts (k,), checked integer labels (n,)) for features (n, d).

    k = max(label) + 1; every class 0…k−1 must have at least one sample.
    """
    H = _finite_2d(features, "features")
    y = np.asarray(labels)
    if y.dtype == np.bool_ or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be integers 0..k−1, got dtype {y.dtype}")
    if y.shape != (H.shape[0],):
        raise ValueError(f"labels must have shape ({H.shape[0]},), got {y.shape}")
    if y.min() < 0:
        raise ValueError(f"labels must be ≥ 0, got {int(y.min())}")
    k = int(y.max()) + 1
    counts = np.bincount(y, minlength=k)
    if np.any(counts == 0):
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(f"every class 0..{k - 1} needs at least one sample; classes {missing} have none")
    if k < 2:
        raise ValueError("neural-collapse metrics need at least 2 classes")
    mu = np.zeros((k, H.shape[1]))
    np.add.at(mu, y, H)
    return mu / counts[:, None], counts, y.astype(np.int64)


def _pinv_rank(S: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Eigenpairs (λ (r,), V (d, r)) of the symmetric PSD S kept for its pseudo-inverse.

    Keeps at most ``rank`` (= k − 1 for Σ_B) eigenvalues, and only those above
    1e−12·λ_max (the rest are rounding noise of a rank-deficient matrix).
    """
    lam, V = np.linalg.eigh(S)
    order = np.argsort(lam)[::-1][:rank]
    lam, V = lam[order], V[:, order]
    keep = lam > 1e-12 * max(lam[0], 0.0) if lam.size else np.zeros(0, bool)
    keep &= lam > 0
    return lam[keep], V[:, keep]


def nc1_trace(sigma_w: np.ndarray, sigma_b: np.ndarray, k: int) -> float:
    """tr(Σ_W Σ_B⁺) via the truncated eigendecomposition of Σ_B: Σ_i v_iᵀΣ_W v_i / λ_i."""
    lam, V = _pinv_rank(sigma_b, k - 1)
    return float(np.sum(np.einsum("di,de,ei->i", V, sigma_w, V) / lam))


def nc1_trace_pinv(sigma_w: np.ndarray, sigma_b: np.ndarray, k: int) -> float:
    """The twin of :func:`nc1_trace`: tr(Σ_W · V diag(1/λ) Vᵀ) with the pseudo-inverse formed explicitly."""
    lam, V = _pinv_rank(sigma_b, k - 1)
    pinv = (V / lam) @ V.T
    return float(np.trace(sigma_w @ pinv))


def nc_metrics(features: Any, labels: Any, weights: Any = None, bias: Any = None, *,
               global_mean: str = "class_means", nc1_scale: str = "k",
               nc3: str = "distance") -> dict:
    """Neural-collapse metrics NC1–NC4 (Appendix B.1; Papyan et al. 2020) of features (n, d).

    labels (n,) ints 0…k−1 (every class present); weights (k, d) the classifier rows w_k,
    bias (k,) or None. Defaults (DESIGN.md):

    * μ_G = mean of the class means (``global_mean="samples"``: mean over samples, Appendix
      B.1's Avg_{i,k}, which weights classes by their counts).
    * Σ_W = mean over samples of (h − μ_y)(h − μ_y)ᵀ; Σ_B = mean over classes of (μ_c − μ_G)(μ_c − μ_G)ᵀ.
    * ``nc1`` = tr(Σ_W Σ_B⁺)/k (``nc1_scale="none"``: without 1/k).
    * ``nc2_equinorm`` = std/mean of ‖μ_c − μ_G‖ (population std).
    * ``nc2_equiangle`` = mean over pairs c ≠ c' of |cos(μ_c − μ_G, μ_c' − μ_G) + 1/(k−1)|.
    * ``nc3`` = ‖W/‖W‖_F − M/‖M‖_F‖²_F with M the rows μ_c − μ_G (``nc3="cosine"``: the mean over
      classes of 1 − cos(w_c, μ_c − μ_G), Appendix B.1's h̃_k = w_k/‖w_k‖ per class).
    * ``nc4`` = fraction of samples whose argmax_c(w_c·h + b_c) differs from argmin_c ‖h − μ_c‖.

    nc3 and nc4 are NaN without weights. Every metric is 0 on an exact collapse (features equal
    to their class means, centred means a simplex ETF, W proportional to M).
    Returns a dict of Python floats plus ``k`` and ``n``.
    """
    mu, counts, y = class_means(features, labels)
    H = np.asarray(features, dtype=np.float64)
    k, d = mu.shape
    if global_mean == "class_means":
        mu_g = mu.mean(axis=0)
    elif global_mean == "samples":
        mu_g = H.mean(axis=0)
    else:
        raise ValueError(f"global_mean must be 'class_means' or 'samples', got {global_mean!r}")
    if nc1_scale not in ("k", "none"):
        raise ValueError(f"nc1_scale must be 'k' or 'none', got {nc1_scale!r}")
    if nc3 not in ("distance", "cosine"):
        raise ValueError(f"nc3 must be 'distance' or 'cosine', got {nc3!r}")

    R = H - mu[y]
    sigma_w = R.T @ R / H.shape[0]
    M = mu - mu_g
    sigma_b = M.T @ M / k
    tr = nc1_trace(sigma_w, sigma_b, k)
    nc1 = tr / k if nc1_scale == "k" else tr

    sq = np.einsum("kd,kd->k", M, M)
    norms = np.sqrt(sq)
    mean_norm = norms.mean()
    if mean_norm == 0.0:
        raise ValueError("all class means coincide with the global mean; NC2 is undefined")
    equinorm = float(norms.std() / mean_norm)
    G = M @ M.T
    denom = np.sqrt(np.outer(sq, sq))
    off = ~np.eye(k, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = G[off] / denom[off]
    equiangle = float(np.mean(np.abs(cos + 1.0 / (k - 1))))

    nc3_val = float("nan")
    nc4_val = float("nan")
    if weights is not None:
        W = _finite_2d(weights, "weights")
        if W.shape != (k, d):
            raise ValueError(f"weights must have shape (k, d) = {(k, d)}, got {W.shape}")
        if nc3 == "distance":
            Wn = W / np.linalg.norm(W)
            Mn = M / np.linalg.norm(M)
            nc3_val = float(np.sum((Wn - Mn) ** 2))
        else:
            ww = np.einsum("kd,kd->k", W, W)
            cosw = np.clip(np.einsum("kd,kd->k", W, M) / np.sqrt(ww * sq), -1.0, 1.0)
            nc3_val = float(np.mean(1.0 - cosw))
        b = np.zeros(k) if bias is None else np.asarray(bias, dtype=np.float64)
        if b.shape != (k,) or not np.all(np.isfinite(b)):
            raise ValueError(f"bias must be a finite array of shape ({k},), got shape {b.shape}")
        pred = np.argmax(H @ W.T + b, axis=1)
        dist = np.einsum("nd,nd->n", H, H)[:, None] - 2.0 * H @ mu.T + np.einsum("kd,kd->k", mu, mu)[None, :]
        ncc = np.argmin(dist, axis=1)
        nc4_val = float(np.mean(pred != ncc))
    return {"nc1": float(nc1), "nc2_equinorm": equinorm, "nc2_equiangle": equiangle,
            "nc3": nc3_val, "nc4": nc4_val, "k": int(k), "n": int(H.shape[0])}


# ----------------------------------------------------------------------------- conventions of other NC code

def etf_structure_error(a: Any, b: Any) -> float:
    """‖B Aᵀ/‖B Aᵀ‖_F − (I − 11ᵀ/k)/√(k − 1)‖_F for (k, d) rows A, B (Kothapalli 2023's "structure
    error"): with B = A the simplex-ETF error of the centred means (NC2), with B = W the
    self-duality error (NC3). 0 exactly when B Aᵀ is a positive multiple of the centring matrix."""
    A, B = _finite_2d(a, "a"), _finite_2d(b, "b")
    if A.shape != B.shape:
        raise ValueError(f"a and b must have one shape (k, d), got {A.shape} and {B.shape}")
    k = A.shape[0]
    if k < 2:
        raise ValueError("the structure error needs k >= 2 rows")
    S = B @ A.T
    nrm = np.linalg.norm(S)
    if nrm == 0.0:
        raise ValueError("B Aᵀ is zero; the structure error is undefined")
    ideal = (np.eye(k) - np.ones((k, k)) / k) / math.sqrt(k - 1)
    return float(np.linalg.norm(S / nrm - ideal))


def nc_convention_map(features: Any, labels: Any, weights: Any = None) -> dict:
    """NC metrics under three code bases' conventions, on the same features (n, d), labels, W (k, d).

    * ``"default"``: :func:`nc_metrics` (μ_G = mean of the class means; Σ_B = Σ_c (μ_c − μ_G)(·)ᵀ / k;
      NC1 = tr(Σ_W Σ_B⁺)/k).
    * ``"papyan_tding1"``: Papyan et al. 2020 / tding1's Neural-Collapse code: μ_G = the mean over
      samples (classes weighted by their counts), otherwise the same (``global_mean="samples"``).
    * ``"rhubarbwu"``: rhubarbwu/neural-collapse ``covariance_pinv``: Σ_B = M_cᵀM_c / d (divided by the
      feature dimension d, not k), NC1 = tr(Σ_B⁺ Σ_W)/k, μ_G the sample mean (their global mean
      accumulator: a reading); NC2 = ``simplex_etf_error`` and NC3 = ``self_duality_error``
      (:func:`etf_structure_error`).
    Known factors (tested): rhubarbwu's NC1 = (d/k)·papyan_tding1's NC1 exactly (Σ_B scaled by k/d);
    papyan_tding1 = default when classes are balanced (the two μ_G coincide). Every entry is 0 at an
    exact collapse. Σ_W is the same for all (mean over samples of (h − μ_y)(h − μ_y)ᵀ).
    Returns {"default": {...}, "papyan_tding1": {...}, "rhubarbwu": {...}, "factors": {...}}.
    """
    default = nc_metrics(features, labels, weights)
    papyan = nc_metrics(features, labels, weights, global_mean="samples")
    mu, counts, y = class_means(features, labels)
    H = np.asarray(features, dtype=np.float64)
    k, d = mu.shape
    Mc = mu - H.mean(axis=0)
    R = H - mu[y]
    sigma_w = R.T @ R / H.shape[0]
    rw = {"nc1": nc1_trace(sigma_w, Mc.T @ Mc / d, k) / k,
          "nc2_simplex_etf_error": etf_structure_error(Mc, Mc),
          "nc3_self_duality_error": float("nan")}
    if weights is not None:
        rw["nc3_self_duality_error"] = etf_structure_error(Mc, _finite_2d(weights, "weights"))
    keys = ("nc1", "nc2_equinorm", "nc2_equiangle", "nc3", "nc4")
    ratio = rw["nc1"] / papyan["nc1"] if papyan["nc1"] > 0 else float("nan")
    return {"default": {q: default[q] for q in keys}, "papyan_tding1": {q: papyan[q] for q in keys},
            "rhubarbwu": rw,
            "factors": {"rhubarbwu_nc1_over_papyan": ratio, "expected_d_over_k": d / k,
                        "papyan_nc1_over_default": papyan["nc1"] / default["nc1"] if default["nc1"] > 0 else float("nan"),
                        "balanced": bool(np.all(counts == counts[0])), "k": int(k), "d": int(d)}}


# ----------------------------------------------------------------------------- Thm 1: maximal separation

def equiangular_gram(k: int, c: float) -> np.ndarray:
    """Gram matrix (1 − c)·I + c·11ᵀ of k unit vectors with common pairwise cosine c, (k, k).

    Its eigenvalues are 1 − c (k − 1 times) and 1 + (k − 1)c, i.e. ‖Σ_i m_i‖² = k + k(k − 1)c ≥ 0:
    such vectors exist (in R^d, d ≥ rank) only for c ≥ −1/(k − 1), the bound Thm 1 calls the
    maximal equiangular separation, reached exactly by the simplex ETF (Σ m_i = 0).
    """
    k = _check_int(k, "k", 2)
    c = float(c)
    if not (math.isfinite(c) and -1.0 <= c <= 1.0):
        raise ValueError(f"a cosine must lie in [-1, 1], got {c!r}")
    return (1.0 - c) * np.eye(k) + c * np.ones((k, k))


def most_negative_equiangular_cosine(k: int, d: int, tol: float = 1e-12, rank_tol: float = 1e-9) -> float:
    """The most negative common cosine of k unit vectors in R^d, found numerically.

    Bisection on c ∈ [−1, 1] for the smallest c whose :func:`equiangular_gram` is positive
    semi-definite (smallest ``eigvalsh`` eigenvalue ≥ −tol; the PSD set is an interval [c*, 1]);
    then c* is attainable in R^d only if that Gram matrix has rank ≤ d (eigenvalues > rank_tol),
    else no equiangular set with c < 1 fits in R^d and 1.0 is returned. Thm 1 (Eq. 8): for
    d ≥ k − 1 the answer is −1/(k − 1), the simplex ETF.
    """
    k = _check_int(k, "k", 2)
    d = _check_int(d, "d", 1)

    def psd(c: float) -> bool:
        return bool(np.linalg.eigvalsh(equiangular_gram(k, c)).min() >= -tol)

    lo, hi = -1.0, 1.0
    if not psd(lo):
        while hi - lo > 1e-15:
            mid = 0.5 * (lo + hi)
            if psd(mid):
                hi = mid
            else:
                lo = mid
        c_star = hi
    else:
        c_star = lo
    rank = int(np.sum(np.linalg.eigvalsh(equiangular_gram(k, c_star)) > rank_tol))
    return float(c_star) if rank <= d else 1.0


# ----------------------------------------------------------------------------- §2.2: the layer-peeled CE optimum

def layer_peeled_ce(k: int, d: int, rng: np.random.Generator, steps: int = 4000, lr: float = 0.5,
                    energy: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Projected gradient descent on (1/K) Σ_k CE(W h_k, k) with (1/K)‖H‖²_F ≤ E, (1/K)‖W‖²_F ≤ E.

    The balanced layer-peeled model of Fang et al. (2021), cited in §2.2: one free feature h_k per
    class (H, W both (k, d)), small random start from ``rng``. Its optimum is a self-dual simplex
    ETF; returns (H, W) after ``steps`` steps (``steps=0``: the random start).
    """
    from analysis.distill import ce_grad

    k = _check_int(k, "k", 2)
    d = _check_int(d, "d", 1)
    H = rng.standard_normal((k, d)) * 0.1
    W = rng.standard_normal((k, d)) * 0.1
    y = np.arange(k)
    radius = math.sqrt(k * energy)
    for _ in range(int(steps)):
        G = ce_grad(H @ W.T, y, "batchmean")  # (k, k) = dL/dZ
        gH, gW = G @ W, G.T @ H
        H -= lr * gH
        W -= lr * gW
        for A in (H, W):
            nrm = np.linalg.norm(A)
            if nrm > radius:
                A *= radius / nrm
    return H, W


# ----------------------------------------------------------------------------- synthetic collapse regimes

def collapse_regime(k: int, d: int, n_per: int, student_scale: float, teacher_scale: float,
                    noise: float, rng: np.random.Generator) -> dict:
    """A neural-collapse student and a teacher, in the student's feature space (for §3.2's claims).

    W (k, d): unit simplex-ETF rows (the collapsed classifier); student features
    h^S = student_scale·w_y + noise·N(0, I/d); teacher features h^T = teacher_scale·w_y +
    noise·N(0, I/d) (independent noise), so logits are scale·(K/(K−1)δ − 1/(K−1)) + noise.
    teacher_scale > student_scale is a confident teacher, < a softer one. Returns
    {"h_s" (n, d), "h_t" (n, d), "w" (k, d), "y" (n,), "zt" = h^T wᵀ (n, k)} with n = k·n_per.
    """
    k = _check_int(k, "k", 2)
    d = _check_int(d, "d", k - 1)
    W = simplex_etf(k, d, seed=int(rng.integers(2 ** 31))).T
    y = np.repeat(np.arange(k), int(n_per))
    hs = student_scale * W[y] + noise * rng.standard_normal((y.size, d)) / math.sqrt(d)
    ht = teacher_scale * W[y] + noise * rng.standard_normal((y.size, d)) / math.sqrt(d)
    return {"h_s": hs, "h_t": ht, "w": W, "y": y, "zt": ht @ W.T}


_ETF_CACHE: dict = {}


def etf_logit_scale(p_target: float, k: int) -> float:
    """The feature scale a at which a sample sitting on its class's unit simplex-ETF vector
    (logits a for its class, −a/(K−1) for the others) gets softmax probability ``p_target`` for
    its class: a = (K−1)/K · log((K−1)p/(1−p))."""
    k = _check_int(k, "k", 2)
    p = float(p_target)
    if not 0.0 < p < 1.0:
        raise ValueError(f"p_target must lie in (0, 1), got {p_target!r}")
    return (k - 1) / k * math.log((k - 1) * p / (1.0 - p))


def near_collapse_batch(k: int, rng: np.random.Generator, p_student: float, teacher_shift: float = 0.0,
                        within_noise: float = 0.1, teacher_spread: float = 0.0, n: int = 200,
                        d: int | None = None) -> dict:
    """One batch of the simplified (layer-peeled) model near neural collapse (issue 16 §4).

    Head W (k, d): the unit simplex ETF of :func:`simplex_etf` (seed 0; d = k by default). The
    cosines measured on it are invariant under a rotation of feature space applied to W and to
    the isotropic noise, so one fixed ETF per (k, d) loses nothing. Batch: n samples, labels
    y_i = i mod k (balanced). Student features h_i = a_S·(w_{y_i} + within_noise·ξ_i),
    ξ_i ~ N(0, I/d), with a_S = :func:`etf_logit_scale` (p_student, k) — the student gives its class
    probability p_student on the class mean (near-converged CE). Teacher logits (a separate,
    frozen network: constants) z^T_i = a_T·e_{y_i} + teacher_spread·ζ_i, ζ_i ~ N(0, I_K), where
    e_y is the ETF logit pattern (1 on y, −1/(K−1) elsewhere) and a_T the scale at which the
    teacher's class log-odds are the student's plus ``teacher_shift`` (> 0: a more confident
    teacher); ``teacher_spread`` is the teacher's "dark knowledge" among the other classes.
    Returns {"h" (n, d), "y" (n,), "w" (k, d), "zt" (n, k), "a_s", "a_t"}.
    """
    k = _check_int(k, "k", 2)
    n = _check_int(n, "n", 1)
    d = k if d is None else _check_int(d, "d", k - 1)
    key = (k, d)
    if key not in _ETF_CACHE:
        _ETF_CACHE[key] = simplex_etf(k, d, seed=0).T.copy()
    W = _ETF_CACHE[key]
    y = np.arange(n) % k
    a_s = etf_logit_scale(p_student, k)
    lo = math.log(p_student / (1.0 - p_student)) + float(teacher_shift)
    a_t = etf_logit_scale(1.0 / (1.0 + math.exp(-lo)), k)
    h = a_s * (W[y] + float(within_noise) * rng.standard_normal((n, d)) / math.sqrt(d))
    e = np.full((n, k), -1.0 / (k - 1))
    e[np.arange(n), y] = 1.0
    zt = a_t * e + float(teacher_spread) * rng.standard_normal((n, k))
    return {"h": h, "y": y, "w": W.copy(), "zt": zt, "a_s": a_s, "a_t": a_t}


__all__ = ["etf_gram", "simplex_etf", "class_means", "nc1_trace", "nc1_trace_pinv", "nc_metrics",
           "etf_structure_error", "nc_convention_map",
           "equiangular_gram", "most_negative_equiangular_cosine", "layer_peeled_ce",
           "collapse_regime", "etf_logit_scale", "near_collapse_batch"]
