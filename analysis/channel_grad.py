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


__all__ = [
    "SOBOLEV_METHODS", "H0_FORMS", "h0_gradient", "sobolev_kernel", "sobolev_kernel_continuous",
    "sobolev_kernel_minimum", "sobolev_mode_factor", "sobolev_mode_factor_continuum",
    "h0_mode_factor", "sobolev_gradient", "sobolev_conv", "sobolev_fft", "sobolev_cumsum_numpy",
    "sobolev_cumsum_numba", "sobolev_solve", "sobolev_operator", "sobolev_combined_gradient",
]
