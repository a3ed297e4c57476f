"""Channel-directed gradients of the cdg paper (003_655c529fd29726cb.txt): H0_λ and Sobolev H̃1.

Every function works on the L² (= H⁰) gradient ``f`` of one parameter tensor along **axis 0**
(the output-channel axis of a conv weight (O, I, H, W)); any rank ≥ 1 is accepted, the other
axes are carried along.  The channel axis is normalized to x = o/O ∈ [0, 1) with grid step 1/O,
as Eq. 10–12 and the appendix (Eq. 23–33) do.

What is exact here (derived in the module docstring, checked by tests/test_channel_grad.py and
the claims of validation/suites/cdg.py):

* ``h0_gradient(f, λ, "eq8")`` = f̄ + (f − f̄)/λ (Eq. 8); λ = 1 is the identity.
  ``form="code"`` is Fig. 3's code, f + λ·f̄ = (1+λ)·eq8(f, 1+λ): the code at λ_c is Eq. 8 at
  λ = 1 + λ_c, times 1 + λ_c.  Operator eigenvalues: eq8 → 1 (mean), 1/λ (the O−1 others);
  code → 1 + λ (mean), 1 (others).
* ``sobolev_kernel(O, λ)`` = K(j/O), K(x) = 1 + (x² − x + 1/6)/(2λ) (Eq. 9); K is symmetric
  (K(1−x) = K(x)), smallest at x = 1/2 where K = 1 − 1/(24λ): it turns negative iff λ < 1/24.
* ``sobolev_gradient`` methods ``"conv"`` (left Riemann sum of Eq. 9, a symmetric circulant
  with first column K(j/O)/O), ``"cumsum"`` (Eq. 10–12 with every integral as the same left
  Riemann sum, linear time) and ``"fft"`` are the same linear map, equal to rounding.
  Its factor on the Fourier mode e^{2πi k o/O} is

      k = 0:   1 + 1/(12 λ O²)            (the mean is NOT preserved exactly)
      k ≠ 0:   1 / (4 λ O² sin²(π k/O))   (→ 1/(4π² λ k²), the continuum factor, as O → ∞)

  (from Σ_j j ω^j = O/(ω−1), Σ_j j² ω^j = (O²−2O)/(ω−1) − 2O/(ω−1)² for ω^O = 1 ≠ ω).
* ``"solve"`` solves the discrete periodic ODE of Eq. 8, f = ḡ − λO²·Δ²g with the second
  difference Δ²g[o] = g[o+1] − 2g[o] + g[o−1] (step 1 in o, i.e. λO²Δ² ≈ λ ∂²/∂x²), exactly:
  factor 1 on the mean, 1/(4λO² sin²(πk/O)) on mode k ≠ 0.  Hence, exactly,

      sobolev_gradient(f, λ, "conv") − sobolev_gradient(f, λ, "solve") = f̄ / (12 λ O²),

  a constant along the channel axis.  All eigenvalues of all four forms are positive for every
  λ > 0 (even where K < 0), so ⟨f, g⟩ > 0 for f ≠ 0 (descent).
* ``sobolev_combined_gradient``: §3's update, the λ = 1 Sobolev gradient plus a scaled H⁰
  gradient: ``sobolev_weight·S_λ(f) + h0_weight·f``.

* Metrics (Eq. 1–7): ``metric_gram`` builds the Gram matrix of Eq. 3, 4, 6 or 19 on one channel
  column and ``riesz_gradient`` solves G·g = G_{H⁰}·f (Eq. 7) densely: with o normalized to
  [0, 1] this is exactly Eq. 8, the ODE solve, and (Eq. 19–21) Laplacian smoothing with
  σ = λO²; with Eq. 3's measure over [0, O] taken literally it is O times these
  (``eq19_eq20_sides``: Eq. 20 drops the factor 1/O of Eq. 19).
* ``laplacian_smoothing``: Osher et al.'s LS, (I + σL)⁻¹ on the rasterized gradient or along the
  channels, by FFT or a dense solve (twins); mode factor 1/(1 + 4σ sin²(πk/n)).

Numba: the linear-time cumsum form has a small ``@njit`` kernel on a (O, M) array and a plain
numpy twin (:func:`sobolev_cumsum_numpy`); tests compare them.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from numba import njit

SOBOLEV_METHODS = ("cumsum", "conv", "fft", "solve")
H0_FORMS = ("eq8", "code")


# ----------------------------------------------------------------------------- input checks

def _as_channel_array(g, min_channels: int, name: str = "g") -> np.ndarray:
    """Cast to float64 with at least 1 axis; axis 0 (channels) must have ≥ min_channels."""
    if isinstance(g, (bool, np.bool_)):
        raise ValueError(f"{name} must be an array of numbers with channels on axis 0, got a bool")
    a = np.asarray(g, dtype=np.float64)
    if a.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (channels on axis 0), got a scalar")
    if a.shape[0] < min_channels:
        raise ValueError(f"{name} has {a.shape[0]} channel(s) on axis 0; expected at least "
                         f"{min_channels} (shape {a.shape})")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains non-finite values (NaN or inf); expected finite numbers")
    return a


def _check_lam(lam, allow_zero: bool) -> float:
    if isinstance(lam, (bool, np.bool_)) or not isinstance(lam, (Real, np.floating, np.integer)):
        raise ValueError(f"lam must be a real number, got {lam!r}")
    v = float(lam)
    if not math.isfinite(v):
        raise ValueError(f"lam must be finite, got {lam!r}")
    if allow_zero and v < 0:
        raise ValueError(f"lam must be >= 0 for form='code', got {v}")
    if not allow_zero and v <= 0:
        raise ValueError(f"lam must be > 0 (Eq. 4/6 require λ > 0), got {v}")
    return v


def _check_n_channels(n) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (Integral, np.integer)):
        raise ValueError(f"n_channels must be an int, got {n!r}")
    if int(n) < 1:
        raise ValueError(f"n_channels must be >= 1, got {n}")
    return int(n)


# ----------------------------------------------------------------------------- H0_lambda

def h0_gradient(g, lam, form: str = "eq8") -> np.ndarray:
    """Re-weighted H⁰ gradient along axis 0.

    ``form="eq8"``: Eq. 8, ∇_{H0_λ} = f̄ + (f − f̄)/λ with f̄ the mean over axis 0; λ > 0.
    ``form="code"``: Fig. 3's PyTorch code, ``grad + λ·mean(grad, 0)``; λ ≥ 0 (λ = 0 is the
    plain gradient).  code(f, λ) = (1 + λ)·eq8(f, 1 + λ).

    g: (O, ...) with O ≥ 1; returns the same shape, float64.
    """
    if form not in H0_FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {H0_FORMS}")
    lam_v = _check_lam(lam, allow_zero=(form == "code"))
    f = _as_channel_array(g, 1)
    mean = f.mean(axis=0, keepdims=True)
    if form == "eq8":
        return mean + (f - mean) / lam_v
    return f + lam_v * mean


# ----------------------------------------------------------------------------- Sobolev kernel

def sobolev_kernel(n_channels, lam) -> np.ndarray:
    """Eq. 9's kernel sampled on the channel grid: K(j/O) = 1 + ((j/O)² − j/O + 1/6)/(2λ).

    Returns shape (O,), j = 0 … O−1; λ > 0.
    """
    n = _check_n_channels(n_channels)
    lam_v = _check_lam(lam, allow_zero=False)
    x = np.arange(n, dtype=np.float64) / n
    return 1.0 + (x * x - x + 1.0 / 6.0) / (2.0 * lam_v)


def sobolev_kernel_continuous(x, lam) -> np.ndarray:
    """Eq. 9's K(x) = 1 + (x² − x + 1/6)/(2λ) at any x ∈ [0, 1] (for plots, Fig. 2)."""
    lam_v = _check_lam(lam, allow_zero=False)
    x = np.asarray(x, dtype=np.float64)
    if np.any(x < 0) or np.any(x > 1) or not np.all(np.isfinite(x)):
        raise ValueError("x must lie in [0, 1] (Eq. 9 defines K there)")
    return 1.0 + (x * x - x + 1.0 / 6.0) / (2.0 * lam_v)


def sobolev_kernel_minimum(lam) -> float:
    """min_x K(x) = K(1/2) = 1 − 1/(24λ); negative iff λ < 1/24."""
    lam_v = _check_lam(lam, allow_zero=False)
    return 1.0 - 1.0 / (24.0 * lam_v)


# ----------------------------------------------------------------------------- Fourier factors

def sobolev_mode_factor(n_channels, lam, k, method: str = "conv") -> float:
    """Exact factor by which ``sobolev_gradient(·, λ, method)`` scales the Fourier mode k.

    "conv"/"cumsum"/"fft": k ≡ 0 mod O → 1 + 1/(12λO²); else 1/(4λO² sin²(πk/O)).
    "solve": k ≡ 0 → 1; else the same 1/(4λO² sin²(πk/O)).
    """
    n = _check_n_channels(n_channels)
    lam_v = _check_lam(lam, allow_zero=False)
    if method not in SOBOLEV_METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {SOBOLEV_METHODS}")
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (Integral, np.integer)):
        raise ValueError(f"k must be an int mode number, got {k!r}")
    if int(k) % n == 0:
        return 1.0 if method == "solve" else 1.0 + 1.0 / (12.0 * lam_v * n * n)
    s = math.sin(math.pi * int(k) / n)
    return 1.0 / (4.0 * lam_v * n * n * s * s)


def sobolev_mode_factor_continuum(lam, k) -> float:
    """The continuum factor of Eq. 8 (f = ḡ − λ g'' on the periodic [0, 1]): 1 at k = 0,
    1/(4π²λk²) otherwise."""
    lam_v = _check_lam(lam, allow_zero=False)
    if int(k) == 0:
        return 1.0
    return 1.0 / (4.0 * math.pi ** 2 * lam_v * int(k) ** 2)


def h0_mode_factor(lam, k, n_channels, form: str = "eq8") -> float:
    """Factor of ``h0_gradient`` on Fourier mode k: eq8 → 1 (k≡0) or 1/λ; code → 1+λ or 1."""
    n = _check_n_channels(n_channels)
    if form not in H0_FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {H0_FORMS}")
    lam_v = _check_lam(lam, allow_zero=(form == "code"))
    mean_mode = int(k) % n == 0
    if form == "eq8":
        return 1.0 if mean_mode else 1.0 / lam_v
    return 1.0 + lam_v if mean_mode else 1.0


# ----------------------------------------------------------------------------- Sobolev forms

def _to_2d(f: np.ndarray) -> np.ndarray:
    return f.reshape(f.shape[0], -1)


def sobolev_conv(f2: np.ndarray, lam: float) -> np.ndarray:
    """Left Riemann sum of Eq. 9: g[o] = (1/O) Σ_õ K(((o − õ) mod O)/O) f[õ].  f2: (O, M)."""
    from scipy.linalg import circulant

    n = f2.shape[0]
    return circulant(sobolev_kernel(n, lam) / n) @ f2      # C[i, j] = c[(i − j) mod O]


def sobolev_fft(f2: np.ndarray, lam: float) -> np.ndarray:
    """The same circular convolution as :func:`sobolev_conv`, by FFT.  f2: (O, M)."""
    n = f2.shape[0]
    kern_hat = np.fft.rfft(sobolev_kernel(n, lam) / n)
    return np.fft.irfft(kern_hat[:, None] * np.fft.rfft(f2, axis=0), n=n, axis=0)


def sobolev_cumsum_numpy(f2: np.ndarray, lam: float) -> np.ndarray:
    """Eq. 10–12 by cumulative sums, each integral a left Riemann sum on x_j = j/O.

    g0 = (1/O) Σ_j K(x_j) f_j                                   (Eq. 12)
    g1 = −(1/λ) (1/O) Σ_j x_j (f_j − f̄)                         (Eq. 11)
    g[o] = g0 + x_o g1 − (1/λ)(1/O²) Σ_{j<o} (o − j)(f_j − f̄)   (Eq. 10)
    and Σ_{j<o}(o − j) d_j = Σ_{m<o} cumsum(d)[m] (a double cumulative sum).  f2: (O, M).
    Equal to :func:`sobolev_conv` to rounding (derivation: module docstring of the suite).
    """
    n = f2.shape[0]
    x = np.arange(n, dtype=np.float64) / n
    mean = f2.mean(axis=0)
    d = f2 - mean
    g0 = (sobolev_kernel(n, lam) @ f2) / n
    g1 = -(x @ d) / (lam * n)
    c0 = np.cumsum(d, axis=0)
    e = np.zeros_like(f2)
    e[1:] = np.cumsum(c0[:-1], axis=0)
    return g0 + x[:, None] * g1 - e / (lam * n * n)


@njit(cache=True)
def sobolev_cumsum_numba(f2, lam):
    """Numba twin of :func:`sobolev_cumsum_numpy` (one pass over channels per column)."""
    n, m = f2.shape
    out = np.empty((n, m))
    inv_n = 1.0 / n
    for c in range(m):
        mean = 0.0
        for o in range(n):
            mean += f2[o, c]
        mean *= inv_n
        g0 = 0.0
        g1 = 0.0
        for j in range(n):
            x = j * inv_n
            g0 += (1.0 + (x * x - x + 1.0 / 6.0) / (2.0 * lam)) * f2[j, c]
            g1 += x * (f2[j, c] - mean)
        g0 *= inv_n
        g1 *= -inv_n / lam
        c0 = 0.0
        e = 0.0
        scale = inv_n * inv_n / lam
        for o in range(n):
            out[o, c] = g0 + o * inv_n * g1 - e * scale
            c0 += f2[o, c] - mean
            e += c0
    return out


def sobolev_solve(f2: np.ndarray, lam: float) -> np.ndarray:
    """Exact solution of the discrete periodic ODE of Eq. 8 with ḡ = f̄:

        f[o] − f̄ = −λO² (u[o+1] − 2u[o] + u[o−1]),  Σ_o u[o] = 0,  g = f̄ + u.

    Solved in linear time by summing twice: v[o] = u[o+1] − u[o] satisfies
    v[o] − v[o−1] = −(f[o] − f̄)/(λO²) with Σ_o v[o] = 0.  f2: (O, M).
    """
    n = f2.shape[0]
    mean = f2.mean(axis=0)
    d = f2 - mean
    c = np.cumsum(d, axis=0) / (lam * n * n)
    v = c.mean(axis=0) - c                   # v[o] = v[-1] − Σ_{j≤o} d_j/(λO²), Σ v = 0
    u = np.zeros_like(f2)
    u[1:] = np.cumsum(v[:-1], axis=0)
    u -= u.mean(axis=0)
    return mean + u


def sobolev_gradient(g, lam, method: str = "cumsum", jit: bool = True) -> np.ndarray:
    """Sobolev H̃1 gradient (Eq. 8–12) of the L² gradient ``g`` along axis 0.

    method: "conv" (Eq. 9, left Riemann sum, O(O²)), "cumsum" (Eq. 10–12, O(O); numba kernel
    unless ``jit=False``), "fft" (Eq. 9 by FFT, O(O log O)), "solve" (discrete periodic ODE of
    Eq. 8, exact mean).  "conv" = "cumsum" = "fft" to rounding; "conv" − "solve" = f̄/(12λO²).
    g: (O, ...) with O ≥ 2; λ > 0.  Returns float64 of g's shape.
    """
    if method not in SOBOLEV_METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {SOBOLEV_METHODS}")
    lam_v = _check_lam(lam, allow_zero=False)
    f = _as_channel_array(g, 2)
    f2 = np.ascontiguousarray(_to_2d(f))
    if method == "conv":
        out = sobolev_conv(f2, lam_v)
    elif method == "fft":
        out = sobolev_fft(f2, lam_v)
    elif method == "solve":
        out = sobolev_solve(f2, lam_v)
    elif jit:
        out = sobolev_cumsum_numba(f2, lam_v)
    else:
        out = sobolev_cumsum_numpy(f2, lam_v)
    return out.reshape(f.shape)


def sobolev_operator(n_channels, lam, method: str = "conv") -> np.ndarray:
    """The (O, O) matrix of ``sobolev_gradient(·, λ, method)`` (columns = images of unit vectors)."""
    n = _check_n_channels(n_channels)
    if n < 2:
        raise ValueError(f"n_channels must be >= 2 for the Sobolev gradient, got {n}")
    return sobolev_gradient(np.eye(n), lam, method=method)


def sobolev_combined_gradient(g, h0_weight, sobolev_weight=1.0, lam=1.0,
                              method: str = "cumsum") -> np.ndarray:
    """§3's H̃1 update: ``sobolev_weight · S_λ(g) + h0_weight · g`` (λ = 1 in the experiments).

    §3: "We use λ = 1 for H̃1 gradient and add it to a scaled version (by a hyper parameter) of
    the H0 gradient".  Readings (both expressible here; recorded in the cdg suite):
    "hyper-parameter scales H⁰" → sobolev_weight = 1, h0_weight = β; "Fig. 6 sweeps the Sobolev
    weight, λ_fig6 = 0 being SGD" → h0_weight = 1, sobolev_weight = λ_fig6.  Weights ≥ 0.
    g: (O, ...) with O ≥ 2.
    """
    for name, w in (("h0_weight", h0_weight), ("sobolev_weight", sobolev_weight)):
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, (Real, np.floating, np.integer)) \
                or not math.isfinite(float(w)) or float(w) < 0:
            raise ValueError(f"{name} must be a finite real number >= 0, got {w!r}")
    f = _as_channel_array(g, 2)
    return float(sobolev_weight) * sobolev_gradient(f, lam, method=method) + float(h0_weight) * f


# ----------------------------------------------------------------------------- metrics (Eq. 1–7)
#
# Every metric of §2.2 restricted to one column (i, h, w) of the tensor is a quadratic form
# k₁ᵀ G k₂ on R^O; its gradient is the Riesz representer of Eq. 1 / Eq. 7:
# ⟨f, k⟩_{H⁰} = ⟨g, k⟩_G for all k  ⇔  G g = G_{H⁰} f.
#
# Two readings of the measure do of Eq. 3 (the paper's Eq. 8 needs the first):
# "normalized": o ∈ [0, 1] with grid step 1/O (Appendix D: "we perform normalization by scaling
#               to the channel direction by letting o ∈ [0, 1]"), ∫ do → (1/O) Σ_o, ∂/∂o → O·Δ;
# "literal":    o ∈ [0, O] as Eq. 3 prints it, ∫ do → Σ_o (step 1), ∂/∂o → Δ.
# Eq. 4's and Eq. 6's own factors (λ/O, λO) make their Gram matrices the same under both
# readings; only G_{H⁰} differs (I/O against I), so the literal representers are O times the
# normalized ones — the factor O dropped between Eq. 19 and Eq. 20.

METRICS = ("h0", "h0_lambda", "h1_tilde", "h1")
METRIC_READINGS = ("normalized", "literal")


def forward_difference_matrix(n_channels) -> np.ndarray:
    """Periodic forward difference D, (Dk)[o] = k[o+1] − k[o] (indices mod O): (O, O)."""
    n = _check_n_channels(n_channels)
    return np.roll(np.eye(n), 1, axis=1) - np.eye(n)


def metric_gram(n_channels, metric: str, lam=1.0, reading: str = "normalized") -> np.ndarray:
    """Gram matrix (O, O) of a §2.2 metric on one channel column, ⟨k₁, k₂⟩ = k₁ᵀ G k₂.

    "h0"        Eq. 3:  I/O (normalized) or I (literal).
    "h0_lambda" Eq. 4:  k̄₁k̄₂ + (λ/O)⟨k₁ − k̄₁, k₂ − k̄₂⟩ → 11ᵀ/O² + (λ/O)(I − 11ᵀ/O), both readings.
    "h1_tilde"  Eq. 6:  k̄₁k̄₂ + λO⟨∂k₁, ∂k₂⟩ → 11ᵀ/O² + λO·DᵀD (D: periodic forward difference),
                        both readings (normalized: (1/O)·Σ(O·Δk)²·λ; literal: λO·Σ(Δk)²).
    "h1"        Eq. 19 (the ordinary Sobolev metric): (1/O)⟨k₁, k₂⟩_{H⁰} + λO⟨∂k₁, ∂k₂⟩ →
                I/O + λO·DᵀD, taking (1/O)⟨·,·⟩_{H⁰} as the mean square (both readings).
    Eq. 5's mean k̄ is (1/O)Σ_o k[o] in both readings.
    """
    n = _check_n_channels(n_channels)
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {METRICS}")
    if reading not in METRIC_READINGS:
        raise ValueError(f"unknown reading {reading!r}; expected one of {METRIC_READINGS}")
    eye = np.eye(n)
    if metric == "h0":
        return eye / n if reading == "normalized" else eye
    lam_v = _check_lam(lam, allow_zero=False)
    ones = np.full((n, n), 1.0 / (n * n))
    if metric == "h0_lambda":
        return ones + (lam_v / n) * (eye - n * ones)
    d = forward_difference_matrix(n)
    smooth = lam_v * n * (d.T @ d)
    if metric == "h1_tilde":
        return ones + smooth
    return eye / n + smooth


def riesz_gradient(g, metric: str, lam=1.0, reading: str = "normalized") -> np.ndarray:
    """The gradient of Eq. 1 / Eq. 7 under ``metric``: solve G_metric·x = G_{H⁰}·f along axis 0.

    A dense linear solve from the Gram matrices of :func:`metric_gram`, independent of the
    closed forms (Eq. 8: :func:`h0_gradient`; ODE: ``sobolev_gradient(·, "solve")``).
    Normalized reading: "h0_lambda" → Eq. 8, "h1_tilde" → the periodic ODE of Eq. 8/22,
    "h1" → Eq. 21 (= :func:`laplacian_smoothing` with σ = λO²); literal reading: O times these.
    g: (O, ...) with O ≥ 2; returns float64 of g's shape.
    """
    f = _as_channel_array(g, 2)
    n = f.shape[0]
    rhs = metric_gram(n, "h0", reading=reading) @ _to_2d(f)
    return np.linalg.solve(metric_gram(n, metric, lam, reading), rhs).reshape(f.shape)


def metric_norm_sq(k, metric: str, lam=1.0, reading: str = "normalized") -> float:
    """‖k‖² = Σ over columns of kᵀ G k for a (O, ...) tensor under a §2.2 metric (Eq. 3–6)."""
    a = _as_channel_array(k, 2)
    k2 = _to_2d(a)
    return float(np.einsum("im,ij,jm->", k2, metric_gram(a.shape[0], metric, lam, reading), k2))


def metric_ratio_spectrum(n_channels, metric: str, base: str = "h0", lam=1.0,
                          reading: str = "normalized") -> np.ndarray:
    """Generalized eigenvalues of (G_metric, G_base), ascending: the range of ‖k‖²_metric/‖k‖²_base.

    §2.4 "Sobolev balls fit in any L² ball but not vice versa": for metric "h1_tilde" against
    "h0" the smallest value stays bounded away from 0 as O grows (a Sobolev ball lies in an L²
    ball) while the largest grows like 4λO² (no L² ball lies in a Sobolev ball)."""
    from scipy.linalg import eigh

    n = _check_n_channels(n_channels)
    return eigh(metric_gram(n, metric, lam, reading), metric_gram(n, base, lam, reading),
                eigvals_only=True)


def directional_ratio(f, k, metric: str, lam=1.0, reading: str = "normalized") -> float:
    """Eq. 2's objective |dL·k| / ‖k‖_metric with dL·k = ⟨f, k⟩_{H⁰} (f the H⁰ gradient)."""
    a = _as_channel_array(f, 2)
    b = _as_channel_array(k, 2)
    if a.shape != b.shape:
        raise ValueError(f"f and k must have the same shape, got {a.shape} and {b.shape}")
    g0 = metric_gram(a.shape[0], "h0", reading=reading)
    num = abs(float(np.einsum("im,ij,jm->", _to_2d(a), g0, _to_2d(b))))
    return num / math.sqrt(metric_norm_sq(b, metric, lam, reading))


def sobolev_mean_deviation(g, lam=1.0, method: str = "cumsum") -> float:
    """‖(f + S_λ f) − (f + f̄)‖ / ‖f + f̄‖: how far §3's H̃1 update (w = 1) is from f + f̄, which
    is Fig. 3's H0_λ code at λ_c = 1 (both Frobenius norms over the whole tensor)."""
    f = _as_channel_array(g, 2)
    mean = f.mean(axis=0, keepdims=True)
    ref = f + mean
    return float(np.linalg.norm(sobolev_gradient(f, lam, method) - mean) / np.linalg.norm(ref))


def eq19_eq20_sides(g, k, lam=1.0) -> tuple[float, float]:
    """Both sides Appendix D equates when passing from Eq. 19 to Eq. 20, for one column.

    Eq. 19's right side  (1/O)⟨k, g⟩ + λO⟨∂k, ∂g⟩   and Eq. 20's  ⟨g − λO² ∂²g, k⟩,
    with ⟨a, b⟩ = Σ_o a[o] b[o], ∂ the periodic forward difference D and ∂² = −DᵀD (so that
    ⟨∂k, ∂g⟩ = −⟨k, ∂²g⟩: the periodic integration by parts).  Their ratio is O whatever g, k
    are: Eq. 20 drops the factor 1/O of Eq. 19.  g, k: (O,) with O ≥ 2."""
    a = _as_channel_array(g, 2).reshape(-1)
    b = _as_channel_array(k, 2).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"g and k must be (O,) vectors of one length, got {a.shape} and {b.shape}")
    n = a.size
    lam_v = _check_lam(lam, allow_zero=False)
    d = forward_difference_matrix(n)
    eq19 = float(b @ a) / n + lam_v * n * float((d @ b) @ (d @ a))
    eq20 = float((a + lam_v * n * n * (d.T @ (d @ a))) @ b)
    return eq19, eq20


# ----------------------------------------------------------------------------- Laplacian smoothing

LS_METHODS = ("fft", "dense")


def laplacian_smoothing(g, sigma=1.0, method: str = "fft", axis: str | None = None) -> np.ndarray:
    """Laplacian smoothing of Osher et al. (2018), cdg's own baseline (Table 1 "LS", Figs 4, 5, 10).

    Solves (I + σL) d = f with L the periodic 1-D discrete Laplacian (L = DᵀD: 2 on the diagonal,
    −1 on the two cyclic neighbours), σ ≥ 0:
    ``axis=None``  on the gradient rasterized to one vector (LS as Osher et al. apply it);
    ``axis="output"`` along axis 0 of each column (LS-ChanDir, the paper's channel-directed LS).
    ``method="fft"``: divide mode k by 1 + 4σ sin²(πk/n) (Osher et al.'s FFT solve);
    ``method="dense"``: a dense linear solve (the twin; n ≤ a few thousand).
    Eq. 19–21: with σ = λO², LS along the channel axis is the gradient of the ordinary Sobolev
    metric ("h1" in :func:`metric_gram`).  Returns float64 of g's shape.
    """
    if method not in LS_METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {LS_METHODS}")
    if axis not in (None, "output"):
        raise ValueError(f"axis must be None (rasterized) or 'output', got {axis!r}")
    if isinstance(sigma, (bool, np.bool_)) or not isinstance(sigma, (Real, np.floating, np.integer)) \
            or not math.isfinite(float(sigma)) or float(sigma) < 0:
        raise ValueError(f"sigma must be a finite real number >= 0, got {sigma!r}")
    f = _as_channel_array(g, 1)
    v = f.reshape(-1, 1) if axis is None else _to_2d(f)
    n = v.shape[0]
    s = float(sigma)
    if method == "fft":
        k = np.arange(n)
        denom = 1.0 + 4.0 * s * np.sin(np.pi * k / n) ** 2
        out = np.real(np.fft.ifft(np.fft.fft(v, axis=0) / denom[:, None], axis=0))
    else:
        lap = np.zeros((n, n)) if n == 1 else forward_difference_matrix(n).T @ forward_difference_matrix(n)
        out = np.linalg.solve(np.eye(n) + s * lap, v)
    return out.reshape(f.shape)


def laplacian_smoothing_mode_factor(n, sigma, k) -> float:
    """Factor of :func:`laplacian_smoothing` on Fourier mode k of length n: 1/(1 + 4σ sin²(πk/n))."""
    n = _check_n_channels(n)
    return 1.0 / (1.0 + 4.0 * float(sigma) * math.sin(math.pi * int(k) / n) ** 2)


__all__ = [
    "SOBOLEV_METHODS", "H0_FORMS", "h0_gradient", "sobolev_kernel", "sobolev_kernel_continuous",
    "sobolev_kernel_minimum", "sobolev_mode_factor", "sobolev_mode_factor_continuum",
    "h0_mode_factor", "sobolev_gradient", "sobolev_conv", "sobolev_fft", "sobolev_cumsum_numpy",
    "sobolev_cumsum_numba", "sobolev_solve", "sobolev_operator", "sobolev_combined_gradient",
    "METRICS", "METRIC_READINGS", "forward_difference_matrix", "metric_gram", "riesz_gradient",
    "metric_norm_sq", "metric_ratio_spectrum", "eq19_eq20_sides", "directional_ratio", "sobolev_mean_deviation",
    "LS_METHODS", "laplacian_smoothing", "laplacian_smoothing_mode_factor",
]
