"""Convolutional Similarity: the feature-map inner product identity and the L_CS loss.

Paper: "Feature Map Similarity Reduction in Convolutional Neural Networks"
(``001_c78483e5af3a21c6.txt``), §3 (Eq. 1–11), §3.2 (Eq. 3, 7–10) and Appendix 6.1
(Eq. 12–21).

Conventions (DESIGN.md, "Public functions")
-------------------------------------------
* ``ndim`` is the number of spatial axes: 1 (``x`` (M,), ``k`` (N,)) or 2 (``x`` (M, M'),
  ``k`` (N, N)). One more leading axis on both ``x`` and ``k`` is the channel axis (C, …);
  the cross-correlation then sums over channels, as a convolutional layer does.
* ``padding`` is ``"full"`` (P = N−1), ``"valid"`` (P = 0), ``"same"`` (P = (N−1)/2, odd N
  only) or an int 0 ≤ P ≤ N−1, applied on every side of every spatial axis.
* Cross-correlation with padding P: ``F[i] = Σ_n k[n]·x[i+n−P]`` with x zero outside its
  range, i = 0 … M+2P−N (Eq. 1b for P = N−1, Eq. 12 with the paper's index shifted by
  N−1−P). Output index i is lag i − P.
* The paper's correlation of two kernels, ``(A ⊛ B)[n] = Σ_i A[i]·B[i+n]`` for n in
  [1−N, N−1], is stored on a lag axis of length 2N−1 with lag n at index n + N − 1
  (per spatial axis); it equals ``cross_correlate(B, A, "full")[n + N − 1]``.

Every quantity that matters has two implementations that the tests compare:
``cross_correlate`` (numba kernel) / ``cross_correlate_numpy`` (np.pad + sliding windows);
``fm_inner`` (feature maps) / ``fm_inner_identity`` (Eq. 19 from kernel and input
correlations); ``correction_terms`` (border of the full feature maps) /
``correction_terms_literal`` (the quadruple sums of Eq. 17 and 18); ``convsim_loss`` (linear
cost) / ``convsim_loss_pairwise`` (the literal double sum of Eq. 10) / ``convsim_loss_eq9``.
All arithmetic is float64; array-likes are cast; scalars come back as Python floats.
"""
from __future__ import annotations

import itertools
from numbers import Integral

import numpy as np
from numba import njit
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "cross_correlate",
    "cross_correlate_numpy",
    "resolve_padding",
    "fm_inner",
    "fm_inner_eq20",
    "fm_inner_identity",
    "correction_terms",
    "correction_terms_literal",
    "kernel_correlation",
    "convsim_loss",
    "convsim_loss_pairwise",
    "convsim_loss_eq9",
    "convsim_loss_grad",
    "convsim_loss_hessian",
    "eq19_relative_error",
    "eq17_18_literal_check",
    "eq20_relative_errors",
    "autocorrelation_identity_sides",
    "convolve_eq1a",
    "fm_inner_convolution",
    "fm_inner_parseval",
    "pair_convsim_ratio",
    "min_convsim_ratio",
    "ocnn_padding",
    "ocnn_self_conv",
    "ocnn_orth_loss",
    "feature_map_similarity",
]

PAIRS = ("all", "adjacent")
CHANNELS = ("all", "same")
_HESSIAN_MAX_PARAMS = 4096  # a (D, D) float64 matrix of 128 MiB at most


# ---------------------------------------------------------------------------------------------
# Input checking
# ---------------------------------------------------------------------------------------------

def _as_real_array(a, name: str) -> np.ndarray:
    """Cast an array-like to a finite float64 array; ValueError otherwise."""
    if isinstance(a, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real array, got the bool {a!r}")
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a real array-like, could not convert it: {exc}") from None
    if arr.dtype == np.bool_:
        raise ValueError(f"{name} must be a real (int or float) array, got a bool array; "
                         "cast it explicitly if 0/1 values are meant")
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real, got a complex array (dtype {arr.dtype})")
    try:
        arr = arr.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real array, got dtype {arr.dtype}: {exc}") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf values; all entries must be finite")
    return arr


def _check_int(value, name: str) -> int:
    """An int (Python or numpy), never a bool."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    return int(value)


def _resolve_ndim(x: np.ndarray, ndim) -> int:
    if ndim is None:
        if x.ndim not in (1, 2):
            raise ValueError(f"x has {x.ndim} axes; with ndim=None it must have 1 or 2 (spatial) "
                             "axes. Pass ndim=1 or ndim=2 when x has a leading channel axis")
        return x.ndim
    nd = _check_int(ndim, "ndim")
    if nd not in (1, 2):
        raise ValueError(f"ndim must be 1 or 2 (number of spatial axes), got {nd}")
    return nd


def _channel_form(x: np.ndarray, k: np.ndarray, nd: int, kname: str = "k"):
    """Return x as (C, *spatial), k as (C, N[, N]) and N; check the shapes agree."""
    if x.ndim not in (nd, nd + 1):
        raise ValueError(f"x must have {nd} spatial axes plus an optional leading channel axis "
                         f"(ndim={nd}), got shape {x.shape}")
    if k.ndim != x.ndim:
        raise ValueError(f"{kname} must have as many axes as x ({x.ndim}: "
                         f"{'(C, ' if x.ndim > nd else '('}{', '.join(['N'] * nd)})), "
                         f"got shape {k.shape}")
    if x.ndim == nd:
        x = x[None]
        k = k[None]
    if k.shape[0] != x.shape[0]:
        raise ValueError(f"channel counts differ: x has {x.shape[0]} channels (axis 0) and "
                         f"{kname} has {k.shape[0]}; they must be equal")
    sp = k.shape[1:]
    if nd == 2 and sp[0] != sp[1]:
        raise ValueError(f"2-D kernels must be square (N, N), {kname} has spatial shape {sp}; "
                         "if axis 0 of x and the kernel is a channel axis, pass ndim=1")
    return x, k, sp[0]


def resolve_padding(padding, n: int) -> int:
    """The padding P of a padding spec for kernel size ``n`` (Eq. 12–14: P in [0, N−1]).

    ``"full"`` → N−1, ``"valid"`` → 0, ``"same"`` → (N−1)/2 (odd N only), int P → P.
    """
    if isinstance(padding, str):
        if padding == "full":
            return n - 1
        if padding == "valid":
            return 0
        if padding == "same":
            if n % 2 == 0:
                raise ValueError(f'padding "same" needs an odd kernel size, got N={n}; '
                                 "use an int padding 0 <= P <= N-1 instead")
            return (n - 1) // 2
        raise ValueError(f'padding must be "full", "valid", "same" or an int 0 <= P <= N-1, '
                         f"got {padding!r}")
    if isinstance(padding, (bool, np.bool_)) or not isinstance(padding, Integral):
        raise ValueError(f'padding must be "full", "valid", "same" or an int 0 <= P <= N-1, '
                         f"got {padding!r} ({type(padding).__name__})")
    p = int(padding)
    if not 0 <= p <= n - 1:
        raise ValueError(f"padding P must satisfy 0 <= P <= N-1 = {n - 1} for kernel size "
                         f"N={n}, got P={p}")
    return p


def _check_output_size(spatial, n: int, p: int) -> tuple[int, ...]:
    out = tuple(m + 2 * p - n + 1 for m in spatial)
    if min(out) < 1:
        raise ValueError(f"kernel size N={n} is larger than the padded input (spatial shape "
                         f"{tuple(spatial)}, padding P={p}): output length M+2P-N+1 = {out} "
                         "would be empty; use a larger padding or a smaller kernel")
    return out


def _prepare(x, k, padding, ndim, kname="k"):
    """Common checks of cross_correlate: (x (C, *sp), k (C, N[, N]), P, nd)."""
    x = _as_real_array(x, "x")
    k = _as_real_array(k, kname)
    nd = _resolve_ndim(x, ndim)
    xc, kc, n = _channel_form(x, k, nd, kname)
    p = resolve_padding(padding, n)
    _check_output_size(xc.shape[1:], n, p)
    return xc, kc, p, nd


def _prepare_pair(x, k1, k2, padding, ndim):
    """Checks for functions of (x, k1, k2): k1 and k2 must have the same shape."""
    xc, k1c, p, nd = _prepare(x, k1, padding, ndim, "k1")
    k2a = _as_real_array(k2, "k2")
    if k2a.shape != np.shape(k1):
        raise ValueError(f"k1 and k2 must have the same shape, got {np.shape(k1)} and {k2a.shape}")
    k2c = k2a[None] if k2a.ndim == nd else k2a
    return xc, k1c, k2c, p, nd


# ---------------------------------------------------------------------------------------------
# Cross-correlation (Eq. 1b, 12): numba kernels and their numpy twin
# ---------------------------------------------------------------------------------------------

@njit(cache=True)
def _xcorr1d_kernel(x, k, p):
    """F[i] = Σ_c Σ_n k[c, n]·x[c, i+n−p]; x (C, M), k (C, N) → F (M+2p−N+1,)."""
    n_ch, m = x.shape
    n = k.shape[1]
    length = m + 2 * p - n + 1
    out = np.zeros(length)
    for i in range(length):
        s = 0.0
        for c in range(n_ch):
            for a in range(n):
                t = i + a - p
                if 0 <= t < m:
                    s += k[c, a] * x[c, t]
        out[i] = s
    return out


@njit(cache=True)
def _xcorr2d_kernel(x, k, p):
    """F[i, j] = Σ_c Σ_{a,b} k[c, a, b]·x[c, i+a−p, j+b−p]; x (C, M, M'), k (C, N, N)."""
    n_ch, m1, m2 = x.shape
    n = k.shape[1]
    len1 = m1 + 2 * p - n + 1
    len2 = m2 + 2 * p - n + 1
    out = np.zeros((len1, len2))
    for i in range(len1):
        for j in range(len2):
            s = 0.0
            for c in range(n_ch):
                for a in range(n):
                    t1 = i + a - p
                    if t1 < 0 or t1 >= m1:
                        continue
                    for b in range(n):
                        t2 = j + b - p
                        if 0 <= t2 < m2:
                            s += k[c, a, b] * x[c, t1, t2]
            out[i, j] = s
    return out


def cross_correlate(x, k, padding="full", ndim=None) -> np.ndarray:
    """Cross-correlation with padding P, Eq. 1b / Eq. 12: ``F[i] = Σ_n k[n]·x[i+n−P]``.

    x: (M,) | (M, M') | (C, M) | (C, M, M');  k: (N,) | (N, N) | (C, N) | (C, N, N).
    Returns F of shape (M+2P−N+1,) or (M+2P−N+1, M'+2P−N+1), summed over channels; output
    index i is lag i − P. Numba kernel; :func:`cross_correlate_numpy` is its twin.
    """
    xc, kc, p, nd = _prepare(x, k, padding, ndim)
    xc = np.ascontiguousarray(xc)
    kc = np.ascontiguousarray(kc)
    if nd == 1:
        return _xcorr1d_kernel(xc, kc, p)
    return _xcorr2d_kernel(xc, kc, p)


def cross_correlate_numpy(x, k, padding="full", ndim=None) -> np.ndarray:
    """Plain-numpy twin of :func:`cross_correlate` (zero padding + sliding windows).

    Same arguments, shapes and result: ``F[i] = Σ_c Σ_n k[c, n]·x_pad[c, i+n]`` with x_pad
    the input padded by P zeros on every side of every spatial axis.
    """
    xc, kc, p, nd = _prepare(x, k, padding, ndim)
    xp = np.pad(xc, [(0, 0)] + [(p, p)] * nd)
    spatial_axes = tuple(range(1, nd + 1))
    windows = sliding_window_view(xp, kc.shape[1:], axis=spatial_axes)  # (C, *L, *N)
    kernel_axes_w = [0] + [1 + nd + a for a in range(nd)]
    kernel_axes_k = [0] + [1 + a for a in range(nd)]
    return np.tensordot(windows, kc, axes=(kernel_axes_w, kernel_axes_k))


# ---------------------------------------------------------------------------------------------
# Correlations on a lag window (numpy, vectorized over leading axes)
# ---------------------------------------------------------------------------------------------

def _overlap(na: int, nb: int, lag: int):
    """Index ranges t of a and t+lag of b where both are inside; None if empty."""
    lo = max(0, -lag)
    hi = min(na, nb - lag)
    if hi <= lo:
        return None
    return slice(lo, hi), slice(lo + lag, hi + lag)


def _lag_slices(shape_a, shape_b, lag):
    """Per-axis overlaps for a multi-axis lag, or None when one is empty."""
    sa, sb = [], []
    for na, nb, d in zip(shape_a, shape_b, lag):
        o = _overlap(na, nb, d)
        if o is None:
            return None
        sa.append(o[0])
        sb.append(o[1])
    return tuple(sa), tuple(sb)


def _correlation_lags(a: np.ndarray, b: np.ndarray, max_lag: int, nd: int,
                      outer: bool = False) -> np.ndarray:
    """(a ⊛ b)[lag] = Σ_t a[…, t]·b[…, t+lag] for every lag in [−max_lag, max_lag]^nd.

    outer=False: a (*lead, *sa), b (*lead, *sb) → (*lead, (2L+1,)*nd), elementwise in lead.
    outer=True:  a (Ca, *sa), b (Cb, *sb) → (Ca, Cb, (2L+1,)*nd), every channel pair.
    Lag d is stored at index d + max_lag on each lag axis. Loops over lags only, so the
    temporaries are never larger than the inputs.
    """
    width = 2 * max_lag + 1
    sa, sb = a.shape[a.ndim - nd:], b.shape[b.ndim - nd:]
    if outer:
        out = np.zeros((a.shape[0], b.shape[0]) + (width,) * nd)
    else:
        out = np.zeros(np.broadcast_shapes(a.shape[:a.ndim - nd], b.shape[:b.ndim - nd])
                       + (width,) * nd)
    spatial = tuple(range(-nd, 0))
    for lag in itertools.product(range(-max_lag, max_lag + 1), repeat=nd):
        sl = _lag_slices(sa, sb, lag)
        if sl is None:
            continue
        idx = (Ellipsis,) + tuple(d + max_lag for d in lag)
        pa = a[(Ellipsis,) + sl[0]]
        pb = b[(Ellipsis,) + sl[1]]
        if outer:
            out[idx] = np.tensordot(pa, pb, axes=(tuple(range(1, nd + 1)),) * 2)
        else:
            out[idx] = (pa * pb).sum(axis=spatial)
    return out


def _apply_lag_filter(g: np.ndarray, k: np.ndarray, nd: int) -> np.ndarray:
    """out[…, p] = Σ_lag g[…, lag]·k[…, p+lag]; g (*lead, (2N−1,)*nd), k (*lead, (N,)*nd)."""
    n = k.shape[-1]
    out = np.zeros(np.broadcast_shapes(g.shape[:g.ndim - nd], k.shape[:k.ndim - nd])
                   + k.shape[k.ndim - nd:])
    sk = k.shape[k.ndim - nd:]
    for lag in itertools.product(range(1 - n, n), repeat=nd):
        sl = _lag_slices(sk, sk, lag)
        if sl is None:
            continue
        gv = g[(Ellipsis,) + tuple(d + n - 1 for d in lag)]
        out[(Ellipsis,) + sl[0]] += gv[(Ellipsis,) + (None,) * nd] * k[(Ellipsis,) + sl[1]]
    return out


def kernel_correlation(a, b, ndim=None) -> np.ndarray:
    """The paper's (A ⊛ B)[n] = Σ_i A[i]·B[i+n], n in [1−N, N−1] per axis (Eq. 6–8).

    a, b: (N,) or (N, N) (same shape). Returns (2N−1,) or (2N−1, 2N−1) with lag n at index
    n + N − 1; equals ``cross_correlate(b, a, "full")``.
    """
    a = _as_real_array(a, "a")
    b = _as_real_array(b, "b")
    nd = _resolve_ndim(a, ndim)
    if a.ndim != nd or a.shape != b.shape:
        raise ValueError(f"a and b must both have shape (N,) or (N, N), got {a.shape} and {b.shape}")
    if nd == 2 and a.shape[0] != a.shape[1]:
        raise ValueError(f"2-D kernels must be square (N, N), got {a.shape}")
    return _correlation_lags(a, b, a.shape[0] - 1, nd)


# ---------------------------------------------------------------------------------------------
# Feature-map inner product and the Eq. 3 / 19 identity
# ---------------------------------------------------------------------------------------------

def fm_inner(x, k1, k2, padding, ndim=None) -> float:
    """⟨F1, F2⟩ = Σ_i F1[i]·F2[i] (Eq. 14) from the feature maps F_j = cross_correlate(x, k_j).

    x: (M,) | (M, M') | (C, M) | (C, M, M');  k1, k2: the matching kernel shape (N…) or (C, N…).
    """
    _prepare_pair(x, k1, k2, padding, ndim)
    f1 = cross_correlate(x, k1, padding, ndim)
    f2 = cross_correlate(x, k2, padding, ndim)
    return float(np.dot(f1.ravel(), f2.ravel()))


def _eq20_from_channels(xc, k1c, k2c, nd) -> float:
    n = k1c.shape[-1]
    kk = _correlation_lags(k1c, k2c, n - 1, nd, outer=True)  # (C, C, lags): K1[c1] ⊛ K2[c2]
    xx = _correlation_lags(xc, xc, n - 1, nd, outer=True)    # (C, C, lags): X[c1] ⊛ X[c2]
    return float(np.sum(kk * xx))


def fm_inner_eq20(x, k1, k2, ndim=None) -> float:
    """First term of Eq. 16/19 alone (the Eq. 3 equality, the Eq. 20 approximation).

    Σ_{c1,c2} ⟨K1[c1] ⊛ K2[c2], (X[c1] ⊛ X[c2])_[1−N, N−1]⟩ over lags 1−N…N−1 (per axis in
    2-D), with (A ⊛ B)[n] = Σ_i A[i]·B[i+n]. It equals ⟨F1, F2⟩ exactly for full padding
    (Eq. 3, 21) and is the approximation of Eq. 20 for P < N−1.
    """
    xc, k1c, k2c, _, nd = _prepare_pair(x, k1, k2, "full", ndim)
    return _eq20_from_channels(xc, k1c, k2c, nd)


def correction_terms(x, k1, k2, padding, ndim=None) -> tuple[float, float]:
    """The correction terms (A, B) of Eq. 16–19, from the border of the full feature maps.

    Substituting i = j + n1 − N + 1 in Eq. 17 turns its summand into F1full[j]·F2full[j] with
    F_full = cross_correlate(x, k, "full") (length M+N−1) and j = 0 … N−2−P; Eq. 18 becomes the
    same product over the last N−1−P positions j = M+P … M+N−2. So, 1-D (with or without
    channels): A = Σ_{j < N−1−P} F1full[j]·F2full[j], B = Σ_{j ≥ M+P} F1full[j]·F2full[j],
    each summed on its own.

    2-D: the P-padded output is the centre block full[w : L1−w, w : L2−w] with w = N−1−P and
    L = M+N−1; A + B is the sum of F1full·F2full over the frame outside it. Split (our
    convention, the paper has no 2-D form): A = positions with any index in the low band
    (i < w or j < w); B = the rest of the frame (i ≥ w and j ≥ w, and i ≥ L1−w or j ≥ L2−w).
    Both are 0 at P = N−1 (empty bands). Returns Python floats.
    """
    xc, k1c, k2c, p, nd = _prepare_pair(x, k1, k2, padding, ndim)
    n = k1c.shape[-1]
    prod = cross_correlate(xc, k1c, "full", nd) * cross_correlate(xc, k2c, "full", nd)
    w = n - 1 - p
    if nd == 1:
        length = prod.shape[0]
        return float(prod[:w].sum()), float(prod[length - w:].sum())  # w = 0: both empty
    l1, l2 = prod.shape
    i = np.arange(l1)[:, None]
    j = np.arange(l2)[None, :]
    low = (i < w) | (j < w)
    high = ~low & ((i >= l1 - w) | (j >= l2 - w))
    return float(prod[low].sum()), float(prod[high].sum())


def correction_terms_literal(x, k1, k2, padding) -> tuple[float, float]:
    """Eq. 17 and Eq. 18 as printed: quadruple sums, 1-D only (small sizes; a test oracle).

    A = Σ_{n1,n2} K1[n1]·K2[n2]·Σ_{i=n1+1−N}^{n1−P−1} X[i+n2−n1]·X[i]            (Eq. 17)
    B = Σ_{n1,n2} K1[n1]·K2[n2]·Σ_{i=M−N+P+n1+1}^{M−1+n1} X[i+n2−n1]·X[i]         (Eq. 18)
    with X zero outside [0, M−1]. x (M,) or (C, M), k1, k2 (N,) or (C, N); with channels the
    summand is K1[c1][n1]·K2[c2][n2]·X[c2][i+n2−n1]·X[c1][i] summed over c1, c2 too.
    """
    xc, k1c, k2c, p, nd = _prepare_pair(x, k1, k2, padding, 1)
    n_ch, m = xc.shape
    n = k1c.shape[1]

    def xval(c, t):
        return xc[c, t] if 0 <= t < m else 0.0

    a_sum = 0.0
    b_sum = 0.0
    for c1 in range(n_ch):
        for c2 in range(n_ch):
            for n1 in range(n):
                for n2 in range(n):
                    w = k1c[c1, n1] * k2c[c2, n2]
                    sa = 0.0
                    for i in range(n1 + 1 - n, n1 - p):  # upper limit n1−P−1 inclusive
                        sa += xval(c2, i + n2 - n1) * xval(c1, i)
                    sb = 0.0
                    for i in range(m - n + p + n1 + 1, m + n1):  # upper limit M−1+n1 inclusive
                        sb += xval(c2, i + n2 - n1) * xval(c1, i)
                    a_sum += w * sa
                    b_sum += w * sb
    return float(a_sum), float(b_sum)


def fm_inner_identity(x, k1, k2, padding, ndim=None) -> float:
    """Eq. 19: ⟨F1, F2⟩ = Σ_{c1,c2} ⟨K1[c1] ⊛ K2[c2], (X[c1] ⊛ X[c2])_[1−N,N−1]⟩ − A − B.

    The first term is :func:`fm_inner_eq20` (kernel and input correlations on lags
    1−N…N−1, per axis in 2-D); A and B are :func:`correction_terms`. Equals :func:`fm_inner`
    to rounding for every padding, 1-D and 2-D, with or without channels.
    """
    xc, k1c, k2c, p, nd = _prepare_pair(x, k1, k2, padding, ndim)
    a, b = correction_terms(xc, k1c, k2c, p, nd)
    return _eq20_from_channels(xc, k1c, k2c, nd) - a - b


def eq19_relative_error(x, k1, k2, padding, ndim=None, corrections=True) -> float:
    """|⟨F1, F2⟩ − identity| / (‖F1_full‖·‖F2_full‖) for Eq. 19 (``corrections=True``: minus A and
    B) or Eq. 20 (``corrections=False``: the correction terms dropped).

    ⟨F1, F2⟩ comes from the feature maps (:func:`fm_inner`), the identity from kernel and input
    correlations (:func:`fm_inner_identity` / :func:`fm_inner_eq20`); the scale makes the error
    dimensionless (float64 rounding gives ≲ 1e-15). The suite's counterfactual is
    ``corrections=False`` at P < N−1 (or a perturbed kernel on one side).
    """
    direct = fm_inner(x, k1, k2, padding, ndim)
    ident = fm_inner_identity(x, k1, k2, padding, ndim) if corrections else fm_inner_eq20(x, k1, k2, ndim)
    f1 = cross_correlate(x, k1, "full", ndim)
    f2 = cross_correlate(x, k2, "full", ndim)
    scale = float(np.linalg.norm(f1) * np.linalg.norm(f2)) or 1.0
    return abs(direct - ident) / scale


def eq20_relative_errors(x, k1, k2) -> np.ndarray:
    """The error of the Eq. 20 approximation at every padding, 1-D single channel:
    |⟨F1, F2⟩_P − ⟨K1 ⊛ K2, X ⊛ X⟩| / (‖F1_full‖·‖F2_full‖) for P = 0 … N−1 → (N,).
    Equals |A + B| of Eq. 17–18 over the same scale; 0 (rounding) at P = N−1 (Eq. 21)."""
    x = _as_real_array(x, "x")
    k1 = _as_real_array(k1, "k1")
    n = k1.shape[-1]
    approx = fm_inner_eq20(x, k1, k2, 1)
    f1 = cross_correlate(x, k1, "full", 1)
    f2 = cross_correlate(x, k2, "full", 1)
    scale = float(np.linalg.norm(f1) * np.linalg.norm(f2)) or 1.0
    return np.array([abs(fm_inner(x, k1, k2, p, 1) - approx) / scale for p in range(n)])


def eq17_18_literal_check(x, k1, k2, padding) -> dict:
    """Eq. 17–19 as printed, 1-D: the quadruple sums A (Eq. 17) and B (Eq. 18) by
    :func:`correction_terms_literal`, then Eq. 19 ⟨F1, F2⟩ = ⟨K1 ⊛ K2, (X ⊛ X)⟩ − A − B.

    Returns {"A", "B", "rel_error_eq19", "rel_error_without_B"}: the error of Eq. 19 built from the
    literal A and B, relative to ‖F1_full‖·‖F2_full‖ (independent of :func:`correction_terms`,
    which reads A and B off the border of the full feature maps), and the same with B left out
    (a counterfactual: non-zero whenever B is).
    """
    a, b = correction_terms_literal(x, k1, k2, padding)
    direct = fm_inner(x, k1, k2, padding, 1)
    first = fm_inner_eq20(x, k1, k2, 1)
    f1 = cross_correlate(x, k1, "full", 1)
    f2 = cross_correlate(x, k2, "full", 1)
    scale = float(np.linalg.norm(f1) * np.linalg.norm(f2)) or 1.0
    return {"A": a, "B": b, "rel_error_eq19": abs(direct - (first - a - b)) / scale,
            "rel_error_without_B": abs(direct - (first - a)) / scale}


def autocorrelation_identity_sides(a, b, ndim=None) -> tuple[float, float]:
    """Both sides of Σ_n (a ⊛ b)[n]² = ⟨a ⊛ a, b ⊛ b⟩ (the identity behind the linear-cost L_CS).

    a, b: (N,) or (N, N). Left: the sum of squares of the kernel cross-correlation (Eq. 8);
    right: the inner product of the two autocorrelations on lags 1−N … N−1. See
    :func:`convsim_loss` for the derivation.
    """
    ab = kernel_correlation(a, b, ndim)
    aa = kernel_correlation(a, a, ndim)
    bb = kernel_correlation(b, b, ndim)
    return float(np.sum(ab * ab)), float(np.sum(aa * bb))


def convolve_eq1a(x, k) -> np.ndarray:
    """Eq. 1a as printed, full convolution: (X * K)[i] = Σ_n K[n]·X[i−n], i = 0 … M+N−2
    (X zero outside 0 … M−1); x (M,), k (N,). A literal loop (the oracle of the convolution
    variant)."""
    x = _as_real_array(x, "x")
    k = _as_real_array(k, "k")
    if x.ndim != 1 or k.ndim != 1:
        raise ValueError(f"convolve_eq1a takes 1-D x (M,) and k (N,), got {x.shape} and {k.shape}")
    m, n = x.shape[0], k.shape[0]
    out = np.zeros(m + n - 1)
    for i in range(m + n - 1):
        s = 0.0
        for j in range(n):
            if 0 <= i - j < m:
                s += k[j] * x[i - j]
        out[i] = s
    return out


def fm_inner_convolution(x, k1, k2) -> float:
    """⟨F1, F2⟩ for full *convolutions* (Eq. 1a): F_j = X * K_j, x (M,), k1, k2 (N,).

    The paper's §3: "the results are equally valid for convolution operations". Convolution with
    K is cross-correlation with K reversed, so this equals ``fm_inner(x, K1[::-1], K2[::-1],
    "full")``; since (rev K1 ⊛ rev K2)[n] = (K1 ⊛ K2)[−n] and X ⊛ X is symmetric, it also equals
    the cross-correlation value, and L_CS is unchanged by reversing both kernels.
    """
    return float(convolve_eq1a(x, k1) @ convolve_eq1a(x, k2))


def fm_inner_parseval(x, k1, k2) -> float:
    """⟨F1, F2⟩ at full padding by Parseval's and the convolution theorems (§3.2's remark after
    Eq. 6): with L ≥ M+N−1 and DFTs of length L, F_j = X ⊛ K_j = X * rev(K_j), so
    ⟨F1, F2⟩ = (1/L)·Σ_w |X̂(w)|²·rev(K1)^(w)·conj(rev(K2)^(w)). x (M,), k1, k2 (N,)."""
    x = _as_real_array(x, "x")
    k1 = _as_real_array(k1, "k1")
    k2 = _as_real_array(k2, "k2")
    length = x.shape[0] + k1.shape[0] - 1
    xh = np.fft.fft(x, length)
    h1 = np.fft.fft(k1[::-1], length)
    h2 = np.fft.fft(k2[::-1], length)
    return float(np.real(np.sum(np.abs(xh) ** 2 * h1 * np.conj(h2))) / length)


def _toeplitz_of(b: np.ndarray) -> np.ndarray:
    """T(b) with (a ⊛ b) = T(b)·a: T[n+N−1, i] = b[i+n] for 0 ≤ i+n < N, n = 1−N … N−1; (2N−1, N)."""
    n = b.shape[0]
    t = np.zeros((2 * n - 1, n))
    for lag in range(1 - n, n):
        for i in range(n):
            if 0 <= i + lag < n:
                t[lag + n - 1, i] = b[i + lag]
    return t


def pair_convsim_ratio(a, b) -> float:
    """The scale-free L_CS of one pair: Σ_n (a ⊛ b)[n]² / (‖a‖²·‖b‖²) (Eq. 8 / norms); (N,), (N,)."""
    a = _as_real_array(a, "a")
    b = _as_real_array(b, "b")
    c = kernel_correlation(a, b, 1)
    return float(c @ c) / (float(a @ a) * float(b @ b))


def min_convsim_ratio(n: int, rng: np.random.Generator, restarts: int = 20, iters: int = 2000,
                      init: tuple[np.ndarray, np.ndarray] | None = None, tol: float = 0.0) -> dict:
    """min over non-zero K1, K2 ∈ R^N of L_CS(K1, K2)/(‖K1‖²·‖K2‖²) (Eq. 7–8), by alternating
    eigen-solves.

    L_CS = ‖T(K2)·K1‖² is a quadratic form in K1 (and, by symmetry, in K2), so for fixed K2 the
    best unit K1 is the eigenvector of the smallest eigenvalue of T(K2)ᵀT(K2), and the ratio is
    that eigenvalue over ‖K2‖². Alternating the two solves never increases the ratio. Starts:
    ``init`` (e.g. a shorter optimum zero-padded to length N: the embedding that makes the
    minimum non-increasing in N) and ``restarts`` random normal pairs from ``rng``. Stops a start
    after ``iters`` rounds or when a round improves by ≤ ``tol`` (relative).
    Returns {"ratio", "k1", "k2", "rounds"} of the best start (unit-norm kernels).
    """
    n = _check_int(n, "n")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    starts = []
    if init is not None:
        a0, b0 = (np.asarray(v, dtype=np.float64) for v in init)
        if a0.shape != (n,) or b0.shape != (n,):
            raise ValueError(f"init must be two kernels of shape ({n},), got {a0.shape} and {b0.shape}")
        starts.append((a0, b0))
    starts += [(rng.standard_normal(n), rng.standard_normal(n)) for _ in range(restarts)]
    best = {"ratio": np.inf, "k1": None, "k2": None, "rounds": 0}
    for a, b in starts:
        a = a / np.linalg.norm(a)
        b = b / np.linalg.norm(b)
        ratio = pair_convsim_ratio(a, b)
        rounds = 0
        for rounds in range(1, iters + 1):
            t = _toeplitz_of(b)
            w, v = np.linalg.eigh(t.T @ t)
            a = v[:, 0]
            t = _toeplitz_of(a)
            w, v = np.linalg.eigh(t.T @ t)
            b = v[:, 0]
            new = max(float(w[0]), 0.0)
            done = ratio - new <= tol * ratio
            ratio = min(ratio, new)
            if done:
                break
        ratio = pair_convsim_ratio(a, b)
        if ratio < best["ratio"]:
            best = {"ratio": ratio, "k1": a, "k2": b, "rounds": rounds}
    return best


# ---------------------------------------------------------------------------------------------
# The Convolutional Similarity loss L_CS (Eq. 8–10), its gradient and Hessian
# ---------------------------------------------------------------------------------------------

def _check_kernels(kernels) -> tuple[np.ndarray, int]:
    k = _as_real_array(kernels, "kernels")
    if k.ndim not in (3, 4):
        raise ValueError(f"kernels must have shape (S, C, N) or (S, C, N, N) (S kernels of C "
                         f"channels), got shape {k.shape}")
    if k.ndim == 4 and k.shape[2] != k.shape[3]:
        raise ValueError(f"2-D kernels must be square: shape (S, C, N, N), got {k.shape}")
    return k, k.ndim - 2


def _check_variant(pairs, channels) -> None:
    if not isinstance(pairs, str) or pairs not in PAIRS:
        raise ValueError(f'pairs must be "all" (i < j, Eq. 10) or "adjacent" (j = i+1, the '
                         f"official code), got {pairs!r}")
    if not isinstance(channels, str) or channels not in CHANNELS:
        raise ValueError(f'channels must be "all" (every c1, c2, Eq. 10) or "same" (c1 = c2, '
                         f"the official code), got {channels!r}")


def _autocorrelations(k: np.ndarray, nd: int) -> np.ndarray:
    """A[s, c] = K_s[c] ⊛ K_s[c] on lags 1−N…N−1: (S, C, (2N−1,)*nd)."""
    return _correlation_lags(k, k, k.shape[-1] - 1, nd)


def _sum_products(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a.ravel(), b.ravel()))


def convsim_loss(kernels, pairs="all", channels="all") -> float:
    """Convolutional Similarity L_CS, Eq. 10, at a cost linear in S and C.

    L_CS = Σ_{i<j} Σ_{c1,c2} Σ_n (K_i[c1] ⊛ K_j[c2])[n]², n over lags 1−N…N−1 (per axis in
    2-D), for kernels (S, C, N) or (S, C, N, N) (a Conv1d/Conv2d weight: S output maps of C
    input channels). ``pairs="adjacent"`` keeps j = i+1 only and ``channels="same"`` keeps
    c1 = c2 only: together they are the official code's loss (its ``ConvSim2D`` on the 2-D
    kernels; its ``ConvSim`` is the same on kernels flattened to (S, C, N·N), which is
    ``convsim_loss(k.reshape(S, C, -1), "adjacent", "same")``). S = 1 gives 0.0.

    Why no S²·C² pair tensor is needed. For a, b zero outside their range,
        Σ_n (a⊛b)[n]² = Σ_n Σ_t Σ_u a[t]·b[t+n]·a[u]·b[u+n]
                      = Σ_t Σ_u a[t]·a[u]·Σ_n b[t+n]·b[u+n]      (Σ_n b[t+n]·b[u+n] = (b⊛b)[u−t])
                      = Σ_m Σ_t a[t]·a[t+m]·(b⊛b)[m]             (m = u − t)
                      = ⟨a⊛a, b⊛b⟩,
    all lags of a⊛a lying in [1−N, N−1] (the same steps hold for 2-D multi-index lags).
    With A_i[c] = K_i[c] ⊛ K_i[c] and R_i = Σ_c A_i[c], Σ_{c1,c2} ⟨A_i[c1], A_j[c2]⟩ =
    ⟨R_i, R_j⟩, so
        pairs="all":      Σ_{i<j} ⟨R_i, R_j⟩ = (‖Σ_i R_i‖² − Σ_i ‖R_i‖²) / 2,
        pairs="adjacent": Σ_i ⟨R_i, R_{i+1}⟩,
    and channels="same" is the same with A_i[c] for each c in place of R_i, summed over c.
    Cost O(S·C·N^{2·nd}); memory O(S·C·(2N−1)^nd).

    The true value is a sum of squares, so a negative result can only be rounding (of size
    eps·Σ_i ‖R_i‖²); it is returned as 0.0.
    """
    k, nd = _check_kernels(kernels)
    _check_variant(pairs, channels)
    s = k.shape[0]
    if s == 1:
        return 0.0
    auto = _autocorrelations(k, nd)                       # (S, C, lags)
    terms = auto.sum(axis=1) if channels == "all" else auto  # (S, lags) or (S, C, lags)
    if pairs == "all":
        total = terms.sum(axis=0)
        value = 0.5 * (_sum_products(total, total) - _sum_products(terms, terms))
    else:
        value = _sum_products(terms[:-1], terms[1:])
    return max(float(value), 0.0)


def _pair_list(s: int, pairs: str, ordered: bool = False):
    if pairs == "adjacent":
        return [(i, i + 1) for i in range(s - 1)]
    if ordered:
        return [(i, j) for i in range(s) for j in range(s) if i != j]
    return [(i, j) for i in range(s) for j in range(i + 1, s)]


def _channel_pairs(c: int, channels: str):
    if channels == "same":
        return [(a, a) for a in range(c)]
    return [(a, b) for a in range(c) for b in range(c)]


def _pairwise_sum(k: np.ndarray, nd: int, pair_list, channels: str) -> float:
    """Σ over the given (i, j) and channel pairs of Σ_n (K_i[c1] ⊛ K_j[c2])[n]², literally.

    Each K_i[c1] ⊛ K_j[c2] comes from the numba cross-correlation:
    (A ⊛ B)[n] = cross_correlate(B, A, "full")[n + N − 1].
    """
    total = 0.0
    for i, j in pair_list:
        for c1, c2 in _channel_pairs(k.shape[1], channels):
            corr = cross_correlate(k[j, c2], k[i, c1], "full", nd)
            total += float(np.sum(corr * corr))
    return total


def convsim_loss_pairwise(kernels, pairs="all", channels="all") -> float:
    """Eq. 10 as printed: the literal double sum over kernel pairs and channel pairs.

    Σ_{(i,j)} Σ_{(c1,c2)} Σ_n (K_i[c1] ⊛ K_j[c2])[n]², (i, j) over i < j ("all") or j = i+1
    ("adjacent"), (c1, c2) over all C² pairs ("all") or c1 = c2 ("same"). kernels (S, C, N)
    or (S, C, N, N). Cost S²·C² cross-correlations: the twin of :func:`convsim_loss` for
    small cases.
    """
    k, nd = _check_kernels(kernels)
    _check_variant(pairs, channels)
    return _pairwise_sum(k, nd, _pair_list(k.shape[0], pairs), channels)


def convsim_loss_eq9(kernels) -> float:
    """Eq. 9 as printed: Σ_i Σ_{j≠i} Σ_{c1,c2} Σ_n (K_i[c1] ⊛ K_j[c2])[n]² (ordered pairs).

    Since (K_j ⊛ K_i)[n] = (K_i ⊛ K_j)[−n], each unordered pair appears twice with the same
    sum of squares, so Eq. 9 = 2 × Eq. 10 (the paper calls Eq. 10 a simplification of the
    same quantity; it is half of it). Literal sum, small cases only.
    """
    k, nd = _check_kernels(kernels)
    return _pairwise_sum(k, nd, _pair_list(k.shape[0], "all", ordered=True), "all")


def convsim_loss_grad(kernels, pairs="all", channels="all") -> np.ndarray:
    """Analytic gradient ∂L_CS/∂K of :func:`convsim_loss`, same shape as ``kernels``.

    L = Σ_{(i,j)} ⟨R_i, R_j⟩ (or per channel with A_i[c]) is a sum of ⟨K⊛K, G⟩ terms with G
    symmetric (G[n] = G[−n], as every autocorrelation is). From
        ∂/∂K[p] Σ_n G[n]·Σ_t K[t]·K[t+n] = Σ_n G[n]·(K[p+n] + K[p−n]) = 2 Σ_n G[n]·K[p+n],
    ∂L/∂K_i[c][p] = 2 Σ_n G_i[n]·K_i[c][p+n] with G_i = Σ_{j paired with i} R_j:
    Σ_j R_j − R_i for pairs="all", R_{i−1} + R_{i+1} (those that exist) for "adjacent";
    channels="same" uses A_j[c] in place of R_j.
    """
    k, nd = _check_kernels(kernels)
    _check_variant(pairs, channels)
    s = k.shape[0]
    if s == 1:
        return np.zeros_like(k)
    auto = _autocorrelations(k, nd)
    terms = auto.sum(axis=1, keepdims=True) if channels == "all" else auto  # (S, 1|C, lags)
    if pairs == "all":
        g = terms.sum(axis=0, keepdims=True) - terms
    else:
        g = np.zeros_like(terms)
        g[:-1] += terms[1:]
        g[1:] += terms[:-1]
    return 2.0 * _apply_lag_filter(g, k, nd)


def _shift_tensor(n: int, nd: int) -> np.ndarray:
    """T[ℓ, t, u] = 1 if u = t + lag(ℓ) (flattened kernel positions), lags 1−N…N−1 per axis.

    Then (a ⊛ b)[ℓ] = Σ_{t,u} T[ℓ, t, u]·a[t]·b[u]: shape ((2N−1)^nd, N^nd, N^nd).
    """
    size = n ** nd
    lags = list(itertools.product(range(1 - n, n), repeat=nd))
    t = np.zeros((len(lags), size, size))
    positions = list(itertools.product(range(n), repeat=nd))
    for li, lag in enumerate(lags):
        for pi, pos in enumerate(positions):
            q = tuple(a + d for a, d in zip(pos, lag))
            if all(0 <= v < n for v in q):
                t[li, pi, np.ravel_multi_index(q, (n,) * nd)] = 1.0
    return t


def convsim_loss_hessian(kernels, pairs="all", channels="all") -> np.ndarray:
    """Exact Hessian of :func:`convsim_loss` as a (D, D) matrix, D = kernels.size (C order).

    Each term is Σ_ℓ c[ℓ]² with c = u ⊛ v bilinear in u = K_i[c1], v = K_j[c2] (i ≠ j, so u
    and v are distinct parameters): c[ℓ] = uᵀ T_ℓ v (see ``_shift_tensor``). With the
    Jacobians J_u[ℓ, t] = (T_ℓ v)[t] and J_v[ℓ, t] = (T_ℓᵀ u)[t],
        ∂²/∂u∂uᵀ = 2 J_uᵀ J_u,   ∂²/∂v∂vᵀ = 2 J_vᵀ J_v,   ∂²/∂u∂vᵀ = 2 (J_uᵀ J_v + Σ_ℓ c[ℓ] T_ℓ).
    The blocks of all terms are added. L_CS is a homogeneous quartic; the eigenvalues of this
    matrix decide its local convexity. Small cases only (D ≤ 4096).
    """
    k, nd = _check_kernels(kernels)
    _check_variant(pairs, channels)
    d = k.size
    if d > _HESSIAN_MAX_PARAMS:
        raise ValueError(f"convsim_loss_hessian builds a dense (D, D) matrix; D = {d} exceeds "
                         f"{_HESSIAN_MAX_PARAMS}. Use fewer or smaller kernels")
    s, c = k.shape[:2]
    n = k.shape[-1]
    block = n ** nd
    flat = k.reshape(s, c, block)
    t = _shift_tensor(n, nd)
    h = np.zeros((d, d))
    for i, j in _pair_list(s, pairs):
        for c1, c2 in _channel_pairs(c, channels):
            u, v = flat[i, c1], flat[j, c2]
            ju = t @ v                              # (L, block): ∂c/∂u
            jv = np.einsum("ltu,t->lu", t, u)       # (L, block): ∂c/∂v
            corr = ju @ u                           # c = u ⊛ v
            iu = slice((i * c + c1) * block, (i * c + c1 + 1) * block)
            iv = slice((j * c + c2) * block, (j * c + c2 + 1) * block)
            cross = 2.0 * (ju.T @ jv + np.einsum("l,ltu->tu", corr, t))
            h[iu, iu] += 2.0 * ju.T @ ju
            h[iv, iv] += 2.0 * jv.T @ jv
            h[iu, iv] += cross
            h[iv, iu] += cross.T
    return h


# The nearest peer: OCNN's kernel-orthogonality regulariser (Wang et al., CVPR 2020)
# ---------------------------------------------------------------------------------------------

def ocnn_padding(n: int, stride: int = 1) -> int:
    """OCNN's padding P = ⌊(N−1)/S⌋·S for kernel size N and stride S (Wang et al. 2020, §3):
    every shift −P, −P+S, …, P at which two kernels still overlap."""
    n, stride = _check_int(n, "n"), _check_int(stride, "stride")
    if n < 1 or stride < 1:
        raise ValueError(f"ocnn_padding needs n >= 1 and stride >= 1, got n={n}, stride={stride}")
    return ((n - 1) // stride) * stride


def ocnn_self_conv(kernels, stride: int = 1) -> np.ndarray:
    """Conv(K, K) of OCNN: the kernels (S, C, N) or (S, C, N, N) convolved with themselves as a
    Conv1d/Conv2d layer does (the kernel tensor as a batch of S inputs of C channels, padding
    P = :func:`ocnn_padding`, stride S).

    out[i, j, u(, v)] = Σ_c Σ_t K_i[c, t + s]·K_j[c, t] at shift s = u·stride − P per axis
    (zero outside the kernel), u = 0 … 2P/stride; shape (S, S, 2P/stride + 1 (, same)).
    The centre u = P/stride is shift 0, where out[i, j] = ⟨K_i, K_j⟩.
    """
    k, nd = _check_kernels(kernels)
    stride = _check_int(stride, "stride")
    n = k.shape[-1]
    p = ocnn_padding(n, stride)
    shifts = range(-p, p + 1, stride)
    s = k.shape[0]
    out = np.zeros((s, s) + (len(shifts),) * nd)
    for idx in itertools.product(range(len(shifts)), repeat=nd):
        a_sl, b_sl = [slice(None), slice(None)], [slice(None), slice(None)]
        for u in idx:
            sh = shifts[u]
            lo, hi = max(0, -sh), min(n, n - sh)        # t with 0 <= t + sh < N
            a_sl.append(slice(lo + sh, hi + sh))
            b_sl.append(slice(lo, hi))
        a = k[tuple(a_sl)].reshape(s, -1)
        b = k[tuple(b_sl)].reshape(s, -1)
        out[(slice(None), slice(None)) + idx] = a @ b.T
    return out


def ocnn_orth_loss(kernels, stride: int = 1) -> float:
    """OCNN's orthogonal-convolution regulariser L_orth = ‖Conv(K, K) − I_r0‖²_F (Wang et al.,
    CVPR 2020, §3: the conv-orthogonality condition Conv(K, K) = I_r0 as a soft penalty, with the
    padding P of its stride-S condition), I_r0 the identity at the centre shift:

        L_orth = Σ_s Σ_{i,j} (Σ_c (K_i[c] ⋆ K_j[c])[s] − δ_ij·δ_s0)²,   s = −P, −P+S, …, P.

    kernels (S, C, N) or (S, C, N, N); float64. The official code (samaonline/Orthogonal-
    Convolutional-Neural-Networks, imagenet/utils.py ``deconv_orth_dist``) returns the norm, not
    its square, with padding 1; we follow the paper's squared norm and P = ⌊(N−1)/S⌋·S.

    Relation to L_CS (Eq. 10 of paper 001): for one channel (C = 1) and stride 1 the i ≠ j
    terms are 2·Σ_{i<j} ‖K_i ⋆ K_j‖² = 2·L_CS; the i = j terms add Σ_i ‖K_i ⋆ K_i − δ‖², which
    holds every kernel at unit norm (no shrinking) and white autocorrelation.
    """
    out = ocnn_self_conv(kernels, stride)
    s = out.shape[0]
    centre = tuple(d // 2 for d in out.shape[2:])
    out[(slice(None), slice(None)) + centre] -= np.eye(s)
    return float(np.sum(out * out))


def feature_map_similarity(fmaps) -> dict:
    """Similarity of the channels of one layer's feature maps, raw and scale-free.

    fmaps (B, S, H, W) or (B, S, L) (a conv layer's output for B inputs). Per input b and channel
    pair i < j: ⟨F_i, F_j⟩ over the spatial positions and cos(F_i, F_j) = ⟨F_i, F_j⟩/(‖F_i‖·‖F_j‖)
    (pairs with a zero map count as cos 0). Returns {"inner_abs_mean": mean |⟨F_i, F_j⟩| / (number
    of positions), "cos_abs_mean": mean |cos(F_i, F_j)|} over pairs and inputs (floats).
    """
    f = _as_real_array(fmaps, "fmaps")
    if f.ndim < 3:
        raise ValueError(f"fmaps must have shape (B, S, ...spatial), got {f.shape}")
    b, s = f.shape[:2]
    f = f.reshape(b, s, -1)
    if s < 2:
        return {"inner_abs_mean": 0.0, "cos_abs_mean": 0.0}
    g = np.einsum("bip,bjp->bij", f, f)                     # (B, S, S)
    d = np.sqrt(np.einsum("bii->bi", g))
    den = d[:, :, None] * d[:, None, :]
    cos = np.divide(g, den, out=np.zeros_like(g), where=den > 0)
    iu = np.triu_indices(s, 1)
    return {"inner_abs_mean": float(np.mean(np.abs(g[:, iu[0], iu[1]])) / f.shape[2]),
            "cos_abs_mean": float(np.mean(np.abs(cos[:, iu[0], iu[1]])))}
