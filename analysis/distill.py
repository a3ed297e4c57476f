"""Distillation losses of the DHKD paper (004, ``dhkd``), their gradients, and gradient alignment.

Float64 numpy throughout; torch twins live in ``analysis/nets/distill_losses.py``.

Conventions
-----------
* Logits are ``(B, K)`` arrays (or ``(K,)`` for one sample); the class axis is the last.
* ``T`` (τ in the paper) is the temperature, a finite float > 0.
* ``reduction``: ``"sum"`` sums over batch and classes (Eq. 1 and Eq. 5 as printed);
  ``"batchmean"`` divides that sum by the batch size B (what the official code,
  ``distiller_zoo/BinaryKL*.py``, returns: ``T**2 * loss.sum() / N``); ``"none"`` returns the
  per-element (BinaryKL) or per-row (KD, CE) values, already multiplied by T².
* The feature/classifier functions (Propositions 1–4, Lemma 1) use ``h`` as ``(n, d)`` rows of
  student features, ``w`` as ``(K, d)`` rows w_k of the student's linear classifier (the paper
  writes w = [w_1 … w_K] ∈ R^{d×K}; we store its transpose), ``labels`` ``(n,)`` in 0…K−1, and
  student logits z = h wᵀ (no bias, as in Eq. 10 and Eq. 12).

Two readings of the teacher's logit (issue 7)
--------------------------------------------
``teacher="logits"``: the teacher logit z^T is a constant array ``(n, K)`` (Propositions 1–2
differentiate only through the student).  ``teacher="features"``: z^T_k = h^Tᵀ w_k is computed
through the *student's* classifier from teacher features ``h_t`` ``(n, d)`` (how Eq. 12, Eq. 16
and Propositions 3–4/Lemma 1 are written), and derivatives w.r.t. w_k also flow through it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

_REDUCTIONS = ("sum", "batchmean", "none")


# ----------------------------------------------------------------------------- input checks

def _check_temperature(T: Any) -> float:
    if isinstance(T, (bool, np.bool_)):
        raise ValueError(f"temperature must be a positive float, got the bool {T!r}")
    try:
        t = float(T)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a positive float, got {T!r}") from None
    if not math.isfinite(t) or t <= 0.0:
        raise ValueError(f"temperature must be a finite float > 0, got {T!r}")
    return t


def _as_float_array(x: Any, name: str, ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == np.bool_:
        raise ValueError(f"{name} must be a float array, got a bool array")
    try:
        a = a.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got dtype {a.dtype}") from None
    if a.ndim not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} dimensions, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}); expected at least one element")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains non-finite values (NaN or inf); logits must be finite")
    return a


def _pair(zs: Any, zt: Any) -> tuple[np.ndarray, np.ndarray]:
    s = _as_float_array(zs, "student logits zs")
    t = _as_float_array(zt, "teacher logits zt")
    if s.shape != t.shape:
        raise ValueError(f"student logits {s.shape} and teacher logits {t.shape} must have the same shape")
    return s, t


def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _batch_size(z: np.ndarray) -> int:
    return 1 if z.ndim == 1 else z.shape[0]


def _reduce(elementwise: np.ndarray, reduction: str, batch: int):
    if reduction == "none":
        return elementwise
    total = float(np.sum(elementwise))
    return total if reduction == "sum" else total / batch


def _grad_scale(reduction: str, batch: int) -> float:
    if reduction == "none":
        raise ValueError("gradients are defined for reduction 'sum' or 'batchmean', not 'none'")
    return 1.0 if reduction == "sum" else 1.0 / batch


# ----------------------------------------------------------------------------- elementary maps

def softmax(z: Any, T: float = 1.0) -> np.ndarray:
    """softmax(z/T) over the last axis (Eq. 10 with z_k = hᵀw_k), max-shifted for stability.

    z: (..., K) finite. Returns an array of the same shape whose last axis sums to 1.
    """
    T = _check_temperature(T)
    a = _as_float_array(z, "logits z", ndims=(1, 2, 3))
    x = a / T
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(z: Any, T: float = 1.0) -> np.ndarray:
    """log softmax(z/T) over the last axis (log-sum-exp form). z: (..., K)."""
    T = _check_temperature(T)
    a = _as_float_array(z, "logits z", ndims=(1, 2, 3))
    x = a / T
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def sigmoid(x: Any) -> np.ndarray:
    """σ(x) = 1/(1+e^{−x}) elementwise (Eq. 12's q_k with x = hᵀw_k/τ), overflow-free."""
    a = np.asarray(x, dtype=np.float64)
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def log_sigmoid(x: Any) -> np.ndarray:
    """log σ(x) = −softplus(−x) elementwise, stable for large |x|."""
    a = np.asarray(x, dtype=np.float64)
    return -np.logaddexp(0.0, -a)


# ----------------------------------------------------------------------------- losses

def kd_loss(zs: Any, zt: Any, T: float, reduction: str = "sum"):
    """Hinton KD: T²·KL(softmax(zt/T) ‖ softmax(zs/T)) over the class axis (the last).

    zs, zt: (B, K) or (K,). ``"sum"`` sums over the batch, ``"batchmean"`` divides by B,
    ``"none"`` gives the per-row values (B,) (a scalar array for 1-D input).
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    _check_reduction(reduction)
    lpt = log_softmax(t, T)
    lps = log_softmax(s, T)
    per_row = T * T * np.maximum(np.sum(np.exp(lpt) * (lpt - lps), axis=-1), 0.0)  # KL ≥ 0: drop −1e−17 rounding
    return _reduce(per_row, reduction, _batch_size(s))


def kd_loss_grad(zs: Any, zt: Any, T: float, reduction: str = "sum") -> np.ndarray:
    """∂ kd_loss / ∂zs = T·(softmax(zs/T) − softmax(zt/T)) (hand-derived), scaled by the reduction."""
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    scale = _grad_scale(_check_reduction(reduction), _batch_size(s))
    return scale * T * (softmax(s, T) - softmax(t, T))


def binary_kl(zs: Any, zt: Any, T: float, reduction: str = "sum"):
    """Eq. 1, BinaryKL: T²·Σ_{i,k} KL([σ(zt/T), 1−σ(zt/T)] ‖ [σ(zs/T), 1−σ(zs/T)]).

    Computed from the per-element identity (x = zs/T, y = zt/T, p = σ(y))
    KL = softplus(−x) − softplus(−y) + (1 − p)(x − y), which is exact and overflow-free; the
    literal form is :func:`binary_kl_reference`. zs, zt: (B, K) or (K,).
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    _check_reduction(reduction)
    x, y = s / T, t / T
    p = sigmoid(y)
    kl = np.logaddexp(0.0, -x) - np.logaddexp(0.0, -y) + (1.0 - p) * (x - y)
    kl = np.maximum(kl, 0.0)  # KL ≥ 0; removes −1e−17 rounding at the optimum
    return _reduce(T * T * kl, reduction, _batch_size(s))


def binary_kl_reference(zs: Any, zt: Any, T: float, reduction: str = "sum"):
    """Eq. 1 written literally: T²·Σ [p log(p/q) + (1−p) log((1−p)/(1−q))], p = σ(zt/T), q = σ(zs/T).

    The independent twin of :func:`binary_kl`; uses log σ for log q and 0·log 0 = 0.
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    _check_reduction(reduction)
    p = sigmoid(t / T)
    log_p, log_1mp = log_sigmoid(t / T), log_sigmoid(-t / T)
    log_q, log_1mq = log_sigmoid(s / T), log_sigmoid(-s / T)
    term1 = np.where(p > 0, p * (log_p - log_q), 0.0)
    term2 = np.where(p < 1, (1.0 - p) * (log_1mp - log_1mq), 0.0)
    return _reduce(T * T * (term1 + term2), reduction, _batch_size(s))


def binary_kl_grad(zs: Any, zt: Any, T: float, reduction: str = "sum") -> np.ndarray:
    """∂ binary_kl / ∂zs = T·(σ(zs/T) − σ(zt/T)) per element (hand-derived), scaled by the reduction."""
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    scale = _grad_scale(_check_reduction(reduction), _batch_size(s))
    return scale * T * (sigmoid(s / T) - sigmoid(t / T))


def binary_kl_grad_teacher(zs: Any, zt: Any, T: float, reduction: str = "sum") -> np.ndarray:
    """∂ binary_kl / ∂zt = (zt − zs)·p(1−p), p = σ(zt/T) (hand-derived; ∂KL/∂p = (zt − zs)/T).

    Needed when the teacher logit depends on a trained parameter (reading ``teacher="features"``).
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    scale = _grad_scale(_check_reduction(reduction), _batch_size(s))
    p = sigmoid(t / T)
    return scale * (t - s) * p * (1.0 - p)


def binary_kl_curvature(zs: Any, zt: Any, T: float) -> np.ndarray:
    """∂² (per-element BinaryKL) / ∂zs² = q(1−q), q = σ(zs/T); at the optimum zs = zt it is σ(zt/T)(1−σ(zt/T))."""
    T = _check_temperature(T)
    s, _ = _pair(zs, zt)
    q = sigmoid(s / T)
    return q * (1.0 - q)


def binary_kl_norm(zs: Any, zt: Any, T: float, reduction: str = "sum"):
    """Eq. 5, BinaryKL-Norm: T²·Σ_{i,k} KL([½, ½] ‖ [σ(u/T), 1−σ(u/T)]), u = zs − zt.

    Computed literally: KL = −log 2 − ½·(log σ(u/T) + log σ(−u/T)). The closed form
    T²·log cosh(u/(2T)) is :func:`binary_kl_norm_closed_form`. zs, zt: (B, K) or (K,).
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    _check_reduction(reduction)
    x = (s - t) / T
    kl = -math.log(2.0) - 0.5 * (log_sigmoid(x) + log_sigmoid(-x))
    kl = np.maximum(kl, 0.0)
    return _reduce(T * T * kl, reduction, _batch_size(s))


def _log_cosh(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    return ax + np.log1p(np.exp(-2.0 * ax)) - math.log(2.0)


def binary_kl_norm_closed_form(zs: Any, zt: Any, T: float, reduction: str = "sum"):
    """Closed form of Eq. 5 (derived): per element T²·log cosh((zs − zt)/(2T)).

    Derivation: σ(x)σ(−x) = 1/(2 + 2 cosh x) = 1/(4 cosh²(x/2)), so
    KL([½,½] ‖ [σ(x), σ(−x)]) = −log 2 − ½ log σ(x)σ(−x) = log cosh(x/2).
    It depends on the logits only through the difference zs − zt.
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    _check_reduction(reduction)
    return _reduce(T * T * _log_cosh((s - t) / (2.0 * T)), reduction, _batch_size(s))


def binary_kl_norm_grad(zs: Any, zt: Any, T: float, reduction: str = "sum") -> np.ndarray:
    """∂ binary_kl_norm / ∂zs = T·(σ((zs − zt)/T) − ½) = (T/2)·tanh((zs − zt)/(2T)); ∂/∂zt is its negative."""
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    scale = _grad_scale(_check_reduction(reduction), _batch_size(s))
    return scale * T * (sigmoid((s - t) / T) - 0.5)


def binary_kl_norm_curvature(zs: Any, zt: Any, T: float) -> np.ndarray:
    """∂² (per-element BinaryKL-Norm) / ∂zs² = ¼·sech²((zs − zt)/(2T)); equals ¼ at the optimum for every zt and T."""
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    c = np.cosh(np.clip((s - t) / (2.0 * T), -350.0, 350.0))
    return 0.25 / (c * c)


def _check_labels(labels: Any, n: int, k: int) -> np.ndarray:
    y = np.asarray(labels)
    if y.dtype == np.bool_ or not np.issubdtype(y.dtype, np.integer):
        if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"labels must be integers in 0..{k - 1}, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"labels must lie in 0..{k - 1}, got values in {int(y.min())}..{int(y.max())}")
    return y.astype(np.int64)


def ce_loss(z: Any, labels: Any, reduction: str = "sum"):
    """Cross-entropy −Σ_i log p_{y_i}(z_i) with p = softmax (Eq. 9–10's L_CE). z: (B, K), labels (B,)."""
    a = _as_float_array(z, "logits z", ndims=(2,))
    y = _check_labels(labels, a.shape[0], a.shape[1])
    _check_reduction(reduction)
    per_row = -log_softmax(a)[np.arange(a.shape[0]), y]
    return _reduce(per_row, reduction, a.shape[0])


def ce_grad(z: Any, labels: Any, reduction: str = "sum") -> np.ndarray:
    """∂ ce_loss / ∂z = softmax(z) − onehot(labels) (hand-derived), scaled by the reduction."""
    a = _as_float_array(z, "logits z", ndims=(2,))
    y = _check_labels(labels, a.shape[0], a.shape[1])
    scale = _grad_scale(_check_reduction(reduction), a.shape[0])
    g = softmax(a)
    g[np.arange(a.shape[0]), y] -= 1.0
    return scale * g


# ----------------------------------------------------------------------------- gradient alignment (Eq. 6)

def pcgrad(g_main: Any, g_aux: Any) -> np.ndarray:
    """Eq. 6: the auxiliary gradient projected off the main one when they conflict.

    g_main = G_CE, g_aux = G_BKL, both 1-D (n,). Returns G_BKL if G_BKL·G_CE ≥ 0, else
    G_BKL − (G_BKL·G_CE / ‖G_CE‖²) G_CE. A zero G_CE gives G_BKL unchanged (dot = 0).
    """
    gm = _as_float_array(g_main, "g_main", ndims=(1,))
    ga = _as_float_array(g_aux, "g_aux", ndims=(1,))
    if gm.shape != ga.shape:
        raise ValueError(f"g_main {gm.shape} and g_aux {ga.shape} must have the same shape")
    scale = float(np.max(np.abs(gm)))
    if scale == 0.0:
        return ga.copy()
    u = gm / scale  # the projection is invariant to the scale of G_CE; this avoids underflow of ‖G_CE‖²
    dot = float(np.dot(ga, u))
    if dot >= 0.0:
        return ga.copy()
    return ga - (dot / float(np.dot(u, u))) * u


def pcgrad_per_row(g_main: Any, g_aux: Any) -> np.ndarray:
    """Eq. 6 applied to each row separately: rows are ∂L/∂w_k, (K, d), as the equation is written.

    The official code (helper/optimizer.py, after Pytorch-PCGrad) instead applies Eq. 6 once to
    the whole flattened parameter vector: that is :func:`pcgrad` on ``g.ravel()``.
    """
    gm = _as_float_array(g_main, "g_main", ndims=(2,))
    ga = _as_float_array(g_aux, "g_aux", ndims=(2,))
    if gm.shape != ga.shape:
        raise ValueError(f"g_main {gm.shape} and g_aux {ga.shape} must have the same shape")
    scale = np.max(np.abs(gm), axis=1)
    u = gm / np.where(scale > 0, scale, 1.0)[:, None]  # scale-invariant; avoids underflow of ‖row‖²
    dots = np.einsum("kd,kd->k", ga, u)
    norms = np.einsum("kd,kd->k", u, u)
    conflict = dots < 0.0
    coef = np.zeros_like(dots)
    coef[conflict] = dots[conflict] / norms[conflict]
    return ga - coef[:, None] * u


# ----------------------------------------------------------------------------- Props 1–4, Lemma 1

def _check_features(h: Any, w: Any, name: str = "h") -> tuple[np.ndarray, np.ndarray]:
    H = _as_float_array(h, f"features {name}", ndims=(2,))
    W = _as_float_array(w, "classifier w", ndims=(2,))
    if H.shape[1] != W.shape[1]:
        raise ValueError(f"features {name} {H.shape} and classifier w {W.shape} must share the feature dimension d")
    return H, W


def teacher_logits(w: Any, zt: Any = None, h_t: Any = None) -> tuple[np.ndarray, str]:
    """The teacher logits under the chosen reading: (n, K) array and ``"logits"`` or ``"features"``.

    Exactly one of ``zt`` (constant teacher logits, (n, K)) and ``h_t`` (teacher features (n, d),
    logits h_t wᵀ through the student's classifier) must be given.
    """
    if (zt is None) == (h_t is None):
        raise ValueError("give exactly one of zt (teacher logits, reading 'logits') and h_t "
                         "(teacher features, reading 'features')")
    if zt is not None:
        return _as_float_array(zt, "teacher logits zt", ndims=(2,)), "logits"
    Ht, W = _check_features(h_t, w, "h_t")
    return Ht @ W.T, "features"


def ce_w_pull_push(h: Any, labels: Any, w: Any) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 1 / Eq. 9, CE part: (F_w-pull^CE, F_w-push^CE), each (K, d); their sum is −∂L_CE/∂w_k.

    pull_k = Σ_{i: y_i=k} (1 − p_k(h_i)) h_i, push_k = −Σ_{i: y_i≠k} p_k(h_i) h_i; L_CE summed over the batch.
    """
    H, W = _check_features(h, w)
    y = _check_labels(labels, H.shape[0], W.shape[0])
    P = softmax(H @ W.T)
    own = np.zeros_like(P)
    own[np.arange(H.shape[0]), y] = 1.0
    pull = ((1.0 - P) * own).T @ H
    push = -(P * (1.0 - own)).T @ H
    return pull, push


def binary_kl_w_pull_push(h: Any, labels: Any, w: Any, tau: float, zt: Any = None,
                          h_t: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 1 / Eq. 11 as printed: (F_w-pull^BinaryKL, F_w-push^BinaryKL), each (K, d).

    pull_k = τ Σ_{i: y_i=k} (q_k(t_i) − q_k(s_i)) h_i, push_k = −τ Σ_{i: y_i≠k} (q_k(s_i) − q_k(t_i)) h_i,
    with q = σ(·/τ), s = student logits, t = teacher logits (either reading, see
    :func:`teacher_logits`). The sum equals −∂L_BinaryKL/∂w_k only under reading ``"logits"``.
    """
    tau = _check_temperature(tau)
    H, W = _check_features(h, w)
    y = _check_labels(labels, H.shape[0], W.shape[0])
    Zt, _ = teacher_logits(W, zt, h_t)
    if Zt.shape != (H.shape[0], W.shape[0]):
        raise ValueError(f"teacher logits must have shape {(H.shape[0], W.shape[0])}, got {Zt.shape}")
    C = tau * (sigmoid(Zt / tau) - sigmoid(H @ W.T / tau))
    own = np.zeros_like(C)
    own[np.arange(H.shape[0]), y] = 1.0
    return (C * own).T @ H, (C * (1.0 - own)).T @ H


def binary_kl_w_neg_grad(h: Any, w: Any, tau: float, zt: Any = None, h_t: Any = None) -> np.ndarray:
    """−∂L_BinaryKL/∂W (K, d) by the chain rule, for L = binary_kl(h wᵀ, t, τ, "sum").

    Reading ``"logits"``: −G_sᵀH with G_s = ∂L/∂z^S. Reading ``"features"`` adds the teacher path
    −G_tᵀH_t with G_t = ∂L/∂z^T = (t − s)·p(1 − p) (:func:`binary_kl_grad_teacher`).
    """
    tau = _check_temperature(tau)
    H, W = _check_features(h, w)
    Zt, reading = teacher_logits(W, zt, h_t)
    Zs = H @ W.T
    g = -binary_kl_grad(Zs, Zt, tau).T @ H
    if reading == "features":
        g -= binary_kl_grad_teacher(Zs, Zt, tau).T @ np.asarray(h_t, dtype=np.float64)
    return g


def ce_h_pull_push(h: Any, labels: Any, w: Any) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 2 / Eq. 13, CE part: per sample (F_h-pull^CE, F_h-push^CE), each (n, d).

    pull = (1 − p_c(h)) w_c, push = −Σ_{k≠c} p_k(h) w_k, c the sample's class; sum = −∂L_CE/∂h.
    """
    H, W = _check_features(h, w)
    y = _check_labels(labels, H.shape[0], W.shape[0])
    P = softmax(H @ W.T)
    own = np.zeros_like(P)
    own[np.arange(H.shape[0]), y] = 1.0
    return ((1.0 - P) * own) @ W, -(P * (1.0 - own)) @ W


def binary_kl_h_pull_push(h: Any, labels: Any, w: Any, tau: float, zt: Any = None,
                          h_t: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 2 (§3.2 form, with q): pull = τ(q_c(t) − q_c(s)) w_c, push = −τ Σ_{k≠c}(q_k(s) − q_k(t)) w_k.

    Each (n, d); the sum is −∂L_BinaryKL/∂h under both readings (the teacher logit does not
    depend on the student feature). Appendix Eq. 14 prints p_k (softmax) in the push term: a typo.
    """
    tau = _check_temperature(tau)
    H, W = _check_features(h, w)
    y = _check_labels(labels, H.shape[0], W.shape[0])
    Zt, _ = teacher_logits(W, zt, h_t)
    C = tau * (sigmoid(Zt / tau) - sigmoid(H @ W.T / tau))
    own = np.zeros_like(C)
    own[np.arange(H.shape[0]), y] = 1.0
    return (C * own) @ W, (C * (1.0 - own)) @ W


def norm_weight(h_s: Any, h_t: Any, w: Any, tau: float) -> np.ndarray:
    """Eq. 16, w_k(h1, h2) = σ((h1ᵀw_k − h2ᵀw_k)/τ) for every sample and class: (n, K)."""
    tau = _check_temperature(tau)
    Hs, W = _check_features(h_s, w, "h_s")
    Ht, _ = _check_features(h_t, w, "h_t")
    if Hs.shape != Ht.shape:
        raise ValueError(f"h_s {Hs.shape} and h_t {Ht.shape} must have the same shape")
    return sigmoid((Hs - Ht) @ W.T / tau)


def binary_kl_norm_w_obstacle(h_s: Any, h_t: Any, w: Any, tau: float) -> np.ndarray:
    """Proposition 3 / Eq. 20: F_w-obstacle_k = τ Σ_j (½ − w_k(h^S_j, h^T_j))(h^S_j − h^T_j), (K, d).

    Equals −∂L_BinaryKL-Norm/∂w_k under reading ``"features"`` (teacher logit h^Tᵀw_k).
    """
    tau = _check_temperature(tau)
    Hs = np.asarray(h_s, dtype=np.float64)
    Ht = np.asarray(h_t, dtype=np.float64)
    Wk = norm_weight(Hs, Ht, w, tau)
    return tau * (0.5 - Wk).T @ (Hs - Ht)


def binary_kl_norm_w_neg_grad(h: Any, w: Any, tau: float, zt: Any = None, h_t: Any = None) -> np.ndarray:
    """−∂L_BinaryKL-Norm/∂W (K, d) by the chain rule, for L = binary_kl_norm(h wᵀ, t, τ, "sum").

    Reading ``"logits"``: −G_sᵀH (only the student path). Reading ``"features"``: the teacher
    path adds +G_sᵀH_t (∂L/∂z^T = −∂L/∂z^S), giving −G_sᵀ(H − H_t).
    """
    tau = _check_temperature(tau)
    H, W = _check_features(h, w)
    Zt, reading = teacher_logits(W, zt, h_t)
    G = binary_kl_norm_grad(H @ W.T, Zt, tau)
    if reading == "features":
        return -G.T @ (H - np.asarray(h_t, dtype=np.float64))
    return -G.T @ H


def binary_kl_norm_h_pull_push(h: Any, labels: Any, w: Any, tau: float, zt: Any = None,
                               h_t: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Proposition 4 / Eq. 23: pull = τ(½ − w_c) w_c, push = −τ Σ_{k≠c}(w_k − ½) w_k, each (n, d).

    w_k = σ((s_k − t_k)/τ) (Eq. 16 under reading ``"features"``; with constant teacher logits the
    same formula in s − t). The sum is −∂L_BinaryKL-Norm/∂h under both readings. Eq. 22 prints
    the push term without the minus sign; Eq. 21 and Eq. 23 need it (the suite records this).
    """
    tau = _check_temperature(tau)
    H, W = _check_features(h, w)
    y = _check_labels(labels, H.shape[0], W.shape[0])
    Zt, _ = teacher_logits(W, zt, h_t)
    C = tau * (0.5 - sigmoid((H @ W.T - Zt) / tau))
    own = np.zeros_like(C)
    own[np.arange(H.shape[0]), y] = 1.0
    return (C * own) @ W, (C * (1.0 - own)) @ W


def lemma1_products(h_s: Any, h_t: Any, w: Any, tau: float, reading: str = "features") -> np.ndarray:
    """Lemma 1 / Eq. 17: the (n, K) numbers [(½ − w_k(h^S_j, h^T_j)) v_j]ᵀ w_k.

    ``reading="features"``: v_j = h^S_j − h^T_j (the printed lemma: each is ≤ 0).
    ``reading="logits"``: v_j = h^S_j, the per-sample term of −∂L_BinaryKL-Norm/∂w_k when the
    teacher logit is a constant; its product with w_k has no fixed sign.
    """
    tau = _check_temperature(tau)
    Hs = np.asarray(h_s, dtype=np.float64)
    Ht = np.asarray(h_t, dtype=np.float64)
    Wm = np.asarray(w, dtype=np.float64)
    Wk = norm_weight(Hs, Ht, Wm, tau)
    V = _reading_direction(Hs, Ht, reading)
    return (0.5 - Wk) * (V @ Wm.T)


def _reading_direction(Hs: np.ndarray, Ht: np.ndarray, reading: str) -> np.ndarray:
    """The vector a class weight's gradient runs along: h^S − h^T when the teacher logit is
    differentiated through the student's w_k ("features", how Eq. 16–20 write it), h^S when the
    teacher logits are constants ("logits", the method as built)."""
    if reading == "features":
        return Hs - Ht
    if reading == "logits":
        return Hs
    raise ValueError(f"reading must be 'features' or 'logits', got {reading!r}")


# ----------------------------------------------------------------------------- Appendix C: logit-level losses

def mse_loss(zs: Any, zt: Any, reduction: str = "sum"):
    """MSE between logits, Appendix C's comparison loss: Σ_{i,k} (zs − zt)² (``"none"``: per element)."""
    s, t = _pair(zs, zt)
    _check_reduction(reduction)
    return _reduce((s - t) ** 2, reduction, _batch_size(s))


def mse_grad(zs: Any, zt: Any, reduction: str = "sum") -> np.ndarray:
    """∂ mse_loss / ∂zs = 2(zs − zt), scaled by the reduction; ∂/∂zt is its negative."""
    s, t = _pair(zs, zt)
    scale = _grad_scale(_check_reduction(reduction), _batch_size(s))
    return scale * 2.0 * (s - t)


def binary_kl_norm_quadratic_limit(zs: Any, zt: Any) -> np.ndarray:
    """Appendix C (derived): near the optimum T²·log cosh(u/2T) = u²/8 + O(u⁴/T²), u = zs − zt.

    The limit u²/8 does not contain T: close to the teacher, BinaryKL-Norm is the squared logit
    difference (MSE/8) whatever the temperature. Per element, (B, K) or (K,).
    """
    s, t = _pair(zs, zt)
    return (s - t) ** 2 / 8.0


def binary_kl_norm_linear_asymptote(zs: Any, zt: Any, T: float) -> np.ndarray:
    """Appendix C (derived): far from the optimum T²·log cosh(u/2T) → T|u|/2 − T² log 2.

    The error is T²·log(1 + e^{−|u|/T}) ≤ T² e^{−|u|/T}; the gradient (T/2)·tanh(u/2T) is bounded
    by T/2 (:func:`binary_kl_norm_grad`). Together with :func:`binary_kl_norm_quadratic_limit` this
    makes BinaryKL-Norm a Huber-like (pseudo-Huber) loss of the logit difference.
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    return T * np.abs(s - t) / 2.0 - T * T * math.log(2.0)


def logit_loss_profile(loss, grad, T: float, teacher: float = 0.0, small: float = 1e-3,
                       large: float = 40.0) -> dict:
    """Appendix C's shape measures of a per-element logit loss ``loss(zs, zt, T, "none")`` with
    gradient ``grad(zs, zt, T, "sum")`` around a teacher logit ``teacher``:

    * ``near_ratio_max_dev``: max |ℓ(u)/(u²/8) − 1| over |u| ≤ ``small``·T (1 → quadratic, u²/8);
    * ``far_max_rel_dev``: max |ℓ(u) − (T|u|/2 − T² log 2)| / ℓ(u) over |u| ∈ [``large``·T, 4·``large``·T];
    * ``max_grad_over_half_T``: max |∂ℓ/∂zs| / (T/2) over u ∈ [−200T, 200T] (≤ 1: bounded by T/2).

    Used for BinaryKL-Norm (every measure small / ≤ 1) and, as counterfactuals, for BinaryKL at a
    teacher logit ≠ 0 and for MSE.
    """
    T = _check_temperature(T)
    u_near = T * small * np.linspace(-1.0, 1.0, 41)
    u_near = u_near[u_near != 0.0]
    u_far = T * large * np.concatenate([np.linspace(-4.0, -1.0, 31), np.linspace(1.0, 4.0, 31)])
    u_all = T * np.linspace(-200.0, 200.0, 4001)
    t_near, t_far, t_all = (np.full_like(u, float(teacher)) for u in (u_near, u_far, u_all))
    l_near = np.asarray(loss(t_near + u_near, t_near, T, "none"))
    l_far = np.asarray(loss(t_far + u_far, t_far, T, "none"))
    g_all = np.asarray(grad(t_all + u_all, t_all, T, "sum"))
    asym = T * np.abs(u_far) / 2.0 - T * T * math.log(2.0)
    return {"near_ratio_max_dev": float(np.max(np.abs(l_near / (u_near ** 2 / 8.0) - 1.0))),
            "far_max_rel_dev": float(np.max(np.abs(l_far - asym) / np.abs(l_far))),
            "max_grad_over_half_T": float(np.max(np.abs(g_all)) / (T / 2.0))}


def w_alignment_terms(h_s: Any, h_t: Any, w: Any, loss: str, tau: float = 1.0,
                      reading: str = "logits") -> np.ndarray:
    """Per-sample terms of (−∂L/∂w_k)·w_k for a logit-level loss L = Σ ℓ(s, t): (n, K).

    Term (j, k) = −ℓ'(s_jk, t_jk)·(v_j·w_k), s = h^S wᵀ, t = h^T wᵀ, with v_j = h^S_j − h^T_j when
    the teacher logit is differentiated through the student's w_k (``reading="features"``, how
    Eq. 16–20 write it) and v_j = h^S_j when it is a constant (``"logits"``, a separate teacher
    network). ``loss``: ``"binary_kl_norm"`` (ℓ' = τ(σ(u/τ) − ½); under ``"features"`` each term
    is τ times Lemma 1's product, :func:`lemma1_products`), ``"mse"`` (ℓ' = 2u), ``"binary_kl"``
    (ℓ' = τ(σ(s/τ) − σ(t/τ))) or ``"kd"`` (Hinton KD, ℓ'_k = τ(softmax_k(s/τ) − softmax_k(t/τ)), which
    couples the classes); under ``"features"`` only the student path of ℓ' is used. The first three
    have ℓ' of the sign of s − t, hence the same sign pattern term by term.
    Summed over j, row k is (−∂L/∂w_k)·w_k: the Remark after Prop. 3 says it is ≤ 0 for
    BinaryKL-Norm "all the time".
    """
    tau = _check_temperature(tau)
    Hs, W = _check_features(h_s, w, "h_s")
    Ht, _ = _check_features(h_t, w, "h_t")
    if Hs.shape != Ht.shape:
        raise ValueError(f"h_s {Hs.shape} and h_t {Ht.shape} must have the same shape")
    S, Tl = Hs @ W.T, Ht @ W.T
    if loss == "binary_kl_norm":
        g = tau * (sigmoid((S - Tl) / tau) - 0.5)
    elif loss == "mse":
        g = 2.0 * (S - Tl)
    elif loss == "binary_kl":
        g = tau * (sigmoid(S / tau) - sigmoid(Tl / tau))
    elif loss == "kd":
        g = tau * (softmax(S, tau) - softmax(Tl, tau))
    else:
        raise ValueError(f"loss must be 'binary_kl_norm', 'mse', 'binary_kl' or 'kd', got {loss!r}")
    V = _reading_direction(Hs, Ht, reading)
    return -g * (V @ W.T)


# ----------------------------------------------------------------------------- §3.2: coefficient signs

def coefficient_sign_conflicts(zs: Any, zt: Any, labels: Any, tau: float, alpha: float = 1.0) -> dict:
    """§3.2 after Prop. 1: how often the BinaryKL coefficients oppose CE's, and the "worst case".

    Coefficients of h in −∂L/∂w_k (Eq. 3, teacher logits constant): CE pull 1 − p_k and push −p_k
    (always > 0 and < 0); BinaryKL C = τ(q_k(t) − q_k(s)) (pull, own class) and the same C on the
    other classes (push). Returns counts: ``pull_opposite`` (C < 0 on the own class),
    ``push_opposite`` (C > 0 elsewhere), ``worst_case`` (opposite sign and α|C| larger than the CE
    coefficient, so the sum has the wrong sign), with ``n_pull`` and ``n_push``.
    """
    tau = _check_temperature(tau)
    s, t = _pair(zs, zt)
    if s.ndim != 2:
        raise ValueError(f"logits must be (n, K), got shape {s.shape}")
    y = _check_labels(labels, s.shape[0], s.shape[1])
    P = softmax(s)
    C = tau * (sigmoid(t / tau) - sigmoid(s / tau))
    own = np.zeros_like(P, dtype=bool)
    own[np.arange(s.shape[0]), y] = True
    ce = np.where(own, 1.0 - P, -P)
    opposite = np.where(own, C < 0, C > 0)
    worst = opposite & (alpha * np.abs(C) > np.abs(ce))
    return {"pull_opposite": int(np.sum(opposite & own)), "push_opposite": int(np.sum(opposite & ~own)),
            "worst_case": int(np.sum(worst)), "n_pull": int(own.sum()), "n_push": int((~own).sum())}


# ----------------------------------------------------------------------------- §3.2 simplified model: head vs features

def ce_binary_kl_layer_gradients(h: Any, labels: Any, w: Any, zt: Any, tau: float) -> dict:
    """Gradients of L_CE and L_BinaryKL (Eq. 1, both summed over the batch, teacher logits zt
    constant) in the simplified model z = h wᵀ, w.r.t. the head w (K, d) and the features h (n, d):
    {"ce": {"head", "features"}, "binary_kl": {"head", "features"}}. With G = ∂L/∂z (n, K):
    ∂L/∂w = Gᵀh and ∂L/∂h = G w (the features' gradient is what the backbone receives)."""
    tau = _check_temperature(tau)
    H, W = _check_features(h, w)
    y = _check_labels(labels, H.shape[0], W.shape[0])
    Zt = _as_float_array(zt, "teacher logits zt", ndims=(2,))
    # einsum, not BLAS: the Monte Carlo calls this thousands of times on small matrices, which
    # threaded BLAS runs several times slower on a shared 2-core machine (same numbers to rounding)
    Z = np.einsum("nd,kd->nk", H, W)
    if Zt.shape != Z.shape:
        raise ValueError(f"teacher logits zt must have shape {Z.shape}, got {Zt.shape}")
    out = {}
    for name, G in (("ce", ce_grad(Z, y)), ("binary_kl", binary_kl_grad(Z, Zt, tau))):
        out[name] = {"head": np.einsum("nk,nd->kd", G, H), "features": np.einsum("nk,kd->nd", G, W)}
    return out


def gradient_conflict(g_main: Any, g_aux: Any) -> dict:
    """How an auxiliary gradient stands to a main one (flattened): {"cos": cosine,
    "coef": ⟨g_aux, g_main⟩/‖g_main‖² (Eq. 6's projection coefficient; below −1/α the step
    g_main + α·g_aux raises the main loss to first order), "conflict": max(0, −coef) (what Eq. 6
    removes, in units of g_main), "norm_ratio": ‖g_aux‖/‖g_main‖}."""
    a = np.asarray(g_main, dtype=np.float64).ravel()
    b = np.asarray(g_aux, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"gradients must have the same size, got {a.size} and {b.size}")
    na, nb = math.sqrt(float(np.einsum("i,i->", a, a))), math.sqrt(float(np.einsum("i,i->", b, b)))
    if na == 0.0 or nb == 0.0:
        raise ValueError("gradient_conflict needs two non-zero gradients")
    dot = float(np.einsum("i,i->", a, b))
    coef = dot / (na * na)
    return {"cos": dot / (na * nb), "coef": coef, "conflict": max(0.0, -coef), "norm_ratio": nb / na}


def simplified_model_conflict(h: Any, labels: Any, w: Any, zt: Any, tau: float) -> dict:
    """§3.2's claim in the simplified model: {"head": gradient_conflict(CE, BinaryKL) on w,
    "features": the same on h}, from :func:`ce_binary_kl_layer_gradients`."""
    g = ce_binary_kl_layer_gradients(h, labels, w, zt, tau)
    return {part: gradient_conflict(g["ce"][part], g["binary_kl"][part]) for part in ("head", "features")}


# ----------------------------------------------------------------------------- Eq. 6 on the dual-head model

def dual_head_feature_gradients(h: Any, labels: Any, w_main: Any, w_aux: Any, zt: Any, tau: float,
                                alpha: float = 1.0) -> dict:
    """Gradients of DHKD's two losses in the layer-peeled dual-head model (features h free).

    L_CE(h w_mainᵀ, y) + α·L_BinaryKL-Norm(h w_auxᵀ, z^T), both summed over the batch, teacher
    logits constant. Returns {"ce": {"head", "aux_head", "features"}, "aux": {...}}: each loss's
    gradient w.r.t. head 1 (w_main), the auxiliary head (w_aux) and the features h (what the
    backbone receives, before its Jacobian). The heads are disjoint, so only "features" is shared.
    """
    tau = _check_temperature(tau)
    H, Wm = _check_features(h, w_main)
    _, Wa = _check_features(h, w_aux, "h")
    y = _check_labels(labels, H.shape[0], Wm.shape[0])
    Gce = ce_grad(H @ Wm.T, y)
    Zt = _as_float_array(zt, "teacher logits zt", ndims=(2,))
    Gbk = alpha * binary_kl_norm_grad(H @ Wa.T, Zt, tau)
    zero_m, zero_a = np.zeros_like(Wm), np.zeros_like(Wa)
    return {"ce": {"head": Gce.T @ H, "aux_head": zero_a, "features": Gce @ Wm},
            "aux": {"head": zero_m, "aux_head": Gbk.T @ H, "features": Gbk @ Wa}}


def gradient_alignment(g_main: dict, g_aux: dict, granularity: str = "flat") -> dict:
    """Eq. 6 applied to two gradients given per parameter group ({name: array}, same names/shapes).

    ``"flat"``: once on the concatenation of all groups (the official helper/optimizer.py);
    ``"per_group"``: separately per group. Returns {"update": {name: ∇main + G_aux^proj},
    "coefficient": s = min(0, G_aux·G_main)/‖G_main‖² (flat; per group a dict), "cosine": flat
    cosine before projection}. With flat projection a group where only the main loss acts (head 1)
    receives (1 − s)·∇main = (1 + |s|)·∇main: a larger CE step whenever the losses conflict.
    """
    names = list(g_main)
    if set(names) != set(g_aux):
        raise ValueError(f"g_main and g_aux need the same groups, got {sorted(g_main)} and {sorted(g_aux)}")
    vm = np.concatenate([np.asarray(g_main[k], dtype=np.float64).ravel() for k in names])
    va = np.concatenate([np.asarray(g_aux[k], dtype=np.float64).ravel() for k in names])
    den = float(np.linalg.norm(vm) * np.linalg.norm(va))
    cosine = float(np.dot(vm, va) / den) if den > 0 else 0.0
    update = {}
    if granularity == "flat":
        pa = pcgrad(vm, va)
        i = 0
        for k in names:
            a = np.asarray(g_main[k], dtype=np.float64)
            update[k] = a + pa[i:i + a.size].reshape(a.shape)
            i += a.size
        nrm = float(np.dot(vm, vm))
        coef = min(0.0, float(np.dot(va, vm))) / nrm if nrm > 0 else 0.0
    elif granularity == "per_group":
        coef = {}
        for k in names:
            m = np.asarray(g_main[k], dtype=np.float64)
            a = np.asarray(g_aux[k], dtype=np.float64)
            update[k] = m + pcgrad(m.ravel(), a.ravel()).reshape(m.shape)
            nrm = float(np.sum(m * m))
            coef[k] = min(0.0, float(np.sum(a * m))) / nrm if nrm > 0 else 0.0
    else:
        raise ValueError(f"granularity must be 'flat' or 'per_group', got {granularity!r}")
    return {"update": update, "coefficient": coef, "cosine": cosine}


# ----------------------------------------------------------------------------- DKD (Zhao et al., CVPR 2022)

def dkd_parts(zs: Any, zt: Any, labels: Any, T: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-row (TCKD, NCKD) of Decoupled KD (Zhao et al. 2022, Eq. 1–3), each already times T².

    zs, zt: (B, K) logits, labels (B,) in 0…K−1, K ≥ 2. With p = softmax(z/T) and target t:
    TCKD = T²·KL([p_t^T, 1 − p_t^T] ‖ [p_t^S, 1 − p_t^S]) (the binary target / non-target split);
    NCKD = T²·KL(p̂^T ‖ p̂^S) with p̂ the softmax of z/T over the K − 1 non-target classes alone.
    mdistiller's ``dkd_loss`` forms p̂ as softmax(z/T − 1000·onehot): the same up to e^{−1000}.
    Everything in log space (log-sum-exp), so no probability is rounded to 0 before its log.
    Identity (DKD Eq. 2): kd_loss(zs, zt, T, "none") = TCKD + (1 − p_t^T)·NCKD row by row.
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    if s.ndim != 2 or s.shape[1] < 2:
        raise ValueError(f"DKD needs logits of shape (B, K) with K >= 2, got {s.shape}")
    y = _check_labels(labels, s.shape[0], s.shape[1])
    rows = np.arange(s.shape[0])
    own = np.zeros(s.shape, dtype=bool)
    own[rows, y] = True

    def split(z):
        x = z / T
        lse_all = np.logaddexp.reduce(x, axis=1)
        xo = np.where(own, -np.inf, x)
        lse_other = np.logaddexp.reduce(xo, axis=1)
        log_b_t = x[rows, y] - lse_all                    # log p_t
        log_b_o = lse_other - lse_all                     # log(1 − p_t), not log1p(−p_t): exact when p_t ≈ 1
        log_hat = xo - lse_other[:, None]                 # log p̂ over non-target classes (−inf at the target)
        return log_b_t, log_b_o, log_hat

    st_, so_, sh = split(s)
    tt_, to_, th = split(t)
    tckd = np.exp(tt_) * (tt_ - st_) + np.exp(to_) * (to_ - so_)
    ph = np.exp(th)
    nckd = np.sum(np.where(own, 0.0, ph * (np.where(own, 0.0, th) - np.where(own, 0.0, sh))), axis=1)
    return T * T * np.maximum(tckd, 0.0), T * T * np.maximum(nckd, 0.0)


def dkd_loss(zs: Any, zt: Any, labels: Any, alpha: float = 1.0, beta: float = 8.0, T: float = 4.0,
             reduction: str = "batchmean"):
    """Decoupled KD (Zhao et al. 2022, Eq. 3 of DKD): α·TCKD + β·NCKD, each T²·KL (see :func:`dkd_parts`).

    Defaults are mdistiller's CIFAR-100 ones (``CFG.DKD``: α = 1, β = 8, T = 4). ``"batchmean"``
    (default, the official ``size_average=False`` sum / B), ``"sum"``, or ``"none"`` (per row, (B,)).
    The warm-up factor min(epoch/20, 1) of the official trainer is not part of the loss.
    """
    for name, v in (("alpha", alpha), ("beta", beta)):
        if isinstance(v, (bool, np.bool_)) or not math.isfinite(float(v)) or float(v) < 0:
            raise ValueError(f"{name} must be a finite float >= 0, got {v!r}")
    _check_reduction(reduction)
    tckd, nckd = dkd_parts(zs, zt, labels, T)
    per_row = float(alpha) * tckd + float(beta) * nckd
    return _reduce(per_row, reduction, per_row.shape[0])


def dkd_loss_grad(zs: Any, zt: Any, labels: Any, alpha: float = 1.0, beta: float = 8.0, T: float = 4.0,
                  reduction: str = "batchmean") -> np.ndarray:
    """∂ dkd_loss / ∂zs (hand-derived), scaled by the reduction.

    With b = p_t (full softmax of z/T at the target) and p̂ the non-target softmax:
    ∂TCKD/∂zs_j = T·(b^S − b^T) at the target and −T·(b^S − b^T)·p̂_j^S elsewhere;
    ∂NCKD/∂zs_j = T·(p̂_j^S − p̂_j^T) (0 at the target). Returns α·∂TCKD + β·∂NCKD, shape (B, K).
    """
    T = _check_temperature(T)
    s, t = _pair(zs, zt)
    if s.ndim != 2 or s.shape[1] < 2:
        raise ValueError(f"DKD needs logits of shape (B, K) with K >= 2, got {s.shape}")
    y = _check_labels(labels, s.shape[0], s.shape[1])
    scale = _grad_scale(_check_reduction(reduction), s.shape[0])
    rows = np.arange(s.shape[0])
    own = np.zeros(s.shape, dtype=bool)
    own[rows, y] = True
    ps, pt = softmax(s, T), softmax(t, T)
    bs, bt = ps[rows, y], pt[rows, y]
    # TCKD: d/dz_j of KL([bt,1-bt]||[bs,1-bs]) = (bs - bt)/(bs(1-bs)) · ∂bs/∂z_j, ∂bs/∂z_j = bs(δ_jt - p_j)/T
    # target j: (bs - bt)(1 - bs)/(1-bs)/T = (bs - bt)/T; other j: -(bs - bt)·p_j/(1-bs)/T = -(bs-bt)·p̂_j/T
    xo_s = np.where(own, -np.inf, s / T)
    xo_t = np.where(own, -np.inf, t / T)
    hs = np.exp(xo_s - np.logaddexp.reduce(xo_s, axis=1, keepdims=True))
    ht = np.exp(xo_t - np.logaddexp.reduce(xo_t, axis=1, keepdims=True))
    d = (bs - bt)[:, None]
    g_t = np.where(own, d, -d * hs)
    g_n = hs - ht                                          # zero at the target (p̂ is 0 there)
    return scale * T * (float(alpha) * g_t + float(beta) * g_n)


__all__ = [
    "softmax", "log_softmax", "sigmoid", "log_sigmoid", "kd_loss", "kd_loss_grad", "binary_kl",
    "binary_kl_reference", "binary_kl_grad", "binary_kl_grad_teacher", "binary_kl_curvature",
    "binary_kl_norm", "binary_kl_norm_closed_form", "binary_kl_norm_grad", "binary_kl_norm_curvature",
    "ce_loss", "ce_grad", "pcgrad", "pcgrad_per_row", "teacher_logits", "ce_w_pull_push",
    "binary_kl_w_pull_push", "binary_kl_w_neg_grad", "ce_h_pull_push", "binary_kl_h_pull_push",
    "norm_weight", "binary_kl_norm_w_obstacle", "binary_kl_norm_w_neg_grad",
    "binary_kl_norm_h_pull_push", "lemma1_products", "mse_loss", "mse_grad",
    "binary_kl_norm_quadratic_limit", "binary_kl_norm_linear_asymptote", "logit_loss_profile",
    "w_alignment_terms", "coefficient_sign_conflicts", "dual_head_feature_gradients", "gradient_alignment",
    "dkd_parts", "dkd_loss", "dkd_loss_grad", "ce_binary_kl_layer_gradients", "gradient_conflict",
    "simplified_model_conflict",
]
