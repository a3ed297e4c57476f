"""Lipschitz Continuity Retention (LCR-BNN, paper 002): Retention Matrix, power iteration,
spectral norms, Lipschitz bounds and BOPs/FLOPs counts.

Numpy/scipy only (no torch). Every function does one mathematical thing and names its equation.
Conventions (DESIGN.md, "Public functions"):

* Activations are (n, c): n rows (samples, or one sample's spatial positions), c channels. The
  paper writes A = (a_1, …, a_N) ∈ R^{d×N} (Eq. 6), i.e. A = aᵀ.
* A weight matrix W is (d_out, d_in) and acts as a_next = a_prev·Wᵀ (A^k = W^k A^{k−1}, Eq. 6).
* "Spectral norm" means σ1(W) = max ‖Wx‖₂/‖x‖₂ (Eq. 3). The paper's §3.2 also writes
  ‖W‖_SN = σ1(WᵀW), which is σ1(W)²; functions here say which of the two they return.

Useful identities (derived in the docstrings, tested in tests/test_lipschitz.py), with
G = a_prevᵀ·a_prev (c_in × c_in) the channel Gram matrix and a_next = a_prev·Wᵀ:

* channel space: λmax(RM) = σ1(W·G)²;
* sample space (c_in = c_out): λmax(RM) = σ1(G^{1/2}·W·G^{1/2})²;
* both equal σ1(W)² when G = I (Eq. 9's A·Aᵀ = I); both scale as s⁴ when a_prev → s·a_prev.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "reshaped_spectral_norm", "conv_norm_bound_sqrt_k", "conv_spectral_peers",
    "retention_matrix", "retention_eigenvalue_identity", "power_iteration",
    "power_iteration_residual", "power_iteration_official", "spectral_norm", "spectral_norm_sq",
    "spectral_norm_gradient", "spectral_norm_gradient_appendix", "conv_operator_matrix",
    "conv2d_apply", "conv2d_adjoint", "conv_spectral_norm_circular", "conv_spectral_norm_zero",
    "lipschitz_upper_bound", "relu_net_forward", "relu_net_jacobian", "lipschitz_lower_bound",
    "lipschitz_exact_relu", "lipschitz_exact_residual", "binarize_weight", "LayerSpec", "resnet18_layer_specs",
    "resnet20_layer_specs", "count_bops_flops", "lcr_layer_term", "lcr_layer_gradient", "eq13_coefficient",
    "central_difference_gradient", "affine_energy_gradient", "official_estimator_ratio", "offdiag_cosine_rms",
    "welch_offdiag_rms_bound", "product_shape", "difference_quotient_at_zero", "svd_power_rel_diff",
    "np_proof_product_norm_sq", "quadratic_box_max", "lcr_cost_macs", "sn_cost_macs",
    "orthonormal_columns", "psd_with_gap", "trained_hidden_activations", "synthetic_activations",
    "residual_block_as_relu_net",
]


# ----------------------------------------------------------------------------- input checks

def _array(x, name: str, ndim: int | Sequence[int] | None = None) -> np.ndarray:
    """Cast to a float64 array; ValueError on a bool array, a wrong rank or a non-finite value."""
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be a numeric array, got a bool")
    a = np.asarray(x)
    if a.dtype == bool or a.dtype == object or not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"{name} must be a numeric array, got dtype {a.dtype}")
    a = a.astype(np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, "
                             f"got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains non-finite values (NaN or inf); expected finite numbers")
    return a


def _int(x, name: str, minimum: int) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise ValueError(f"{name} must be an int >= {minimum}, got {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {x}")
    return int(x)


def _square(m, name: str = "m") -> np.ndarray:
    a = _array(m, name, 2)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be square, got shape {a.shape}")
    return a


# ----------------------------------------------------------------------------- Retention Matrix

def retention_matrix(a_prev, a_next, space: str = "channel") -> np.ndarray:
    """Retention Matrix RM = MᵀM of Eq. 8 (layer) / Eq. 10 (block), no scaling.

    a_prev: (n, c_in) activations entering the layer/block; a_next: (n, c_out) leaving it.
    space="channel": M = a_prevᵀ·a_next (c_in, c_out); RM (c_out, c_out). With a_next =
        a_prev·Wᵀ: RM = W·G²·Wᵀ, G = a_prevᵀa_prev, so λmax(RM) = σ1(W·G)².
    space="sample": Eq. 8 as printed with A = aᵀ (needs c_in = c_out): M = a_prev·a_nextᵀ
        (n, n); RM (n, n). With a_next = a_prev·Wᵀ: RM = a_prev·Wᵀ·G·W·a_prevᵀ, whose nonzero
        eigenvalues are those of G^{1/2}WᵀGWG^{1/2}, so λmax(RM) = σ1(G^{1/2}·W·G^{1/2})².
    """
    a = _array(a_prev, "a_prev", 2)
    b = _array(a_next, "a_next", 2)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a_prev and a_next need the same number of rows n, got {a.shape} and {b.shape}")
    if space == "channel":
        m = a.T @ b
    elif space == "sample":
        if a.shape[1] != b.shape[1]:
            raise ValueError(f"space='sample' (Eq. 8 as printed) needs c_in == c_out, got "
                             f"c_in={a.shape[1]}, c_out={b.shape[1]}; use space='channel'")
        m = a @ b.T
    else:
        raise ValueError(f"space must be 'channel' or 'sample', got {space!r}")
    return m.T @ m


def retention_eigenvalue_identity(a_prev, w, space: str = "channel") -> float:
    """λmax(RM) for a linear layer a_next = a_prev·Wᵀ from the closed forms (module docstring).

    The twin of ``λmax(retention_matrix(a_prev, a_prev @ w.T, space))`` that never forms RM:
    channel: σ1(W·G)²; sample: σ1(G^{1/2}·W·G^{1/2})², G = a_prevᵀa_prev. w: (c_out, c_in).
    """
    a = _array(a_prev, "a_prev", 2)
    W = _array(w, "w", 2)
    if W.shape[1] != a.shape[1]:
        raise ValueError(f"w must be (c_out, c_in={a.shape[1]}), got {W.shape}")
    g = a.T @ a
    if space == "channel":
        return float(np.linalg.norm(W @ g, 2) ** 2)
    if space == "sample":
        if W.shape[0] != W.shape[1]:
            raise ValueError(f"space='sample' needs a square w (c_in == c_out), got {W.shape}")
        evals, evecs = np.linalg.eigh(g)
        root = (evecs * np.sqrt(np.clip(evals, 0.0, None))) @ evecs.T
        return float(np.linalg.norm(root @ W @ root, 2) ** 2)
    raise ValueError(f"space must be 'channel' or 'sample', got {space!r}")


# ----------------------------------------------------------------------------- power iteration

def power_iteration(m, iters: int = 5, v0=None) -> tuple[float, np.ndarray]:
    """Power iteration with a fixed step count (§3.3: "5 in practice").

    m: (d, d) symmetric (an RM). v ← m·v/‖m·v‖ ``iters`` times from v0 (None: all-ones),
    then return (vᵀ·m·v, v): the Rayleigh quotient of the last unit vector and the vector.
    """
    a = _square(m)
    iters = _int(iters, "iters", 0)
    v = np.ones(a.shape[0]) if v0 is None else _array(v0, "v0", 1).copy()
    if v.shape[0] != a.shape[0]:
        raise ValueError(f"v0 must have length {a.shape[0]}, got {v.shape[0]}")
    nv = np.linalg.norm(v)
    if nv == 0:
        raise ValueError("v0 must be nonzero")
    v = v / nv
    for _ in range(iters):
        w = a @ v
        nw = np.linalg.norm(w)
        if nw == 0:
            return 0.0, v
        v = w / nw
    return float(v @ a @ v), v


def power_iteration_residual(m, res_stop: float = 1e-6, v0=None, max_iters: int = 100000,
                             seed: int | np.random.Generator = 0) -> tuple[float, np.ndarray, int]:
    """Algorithm 2 (appendix 6.2): iterate until res = ‖v_{i+1} − v_i‖₂ < res_stop.

    v0 None: a random standard-normal vector from ``seed`` (line 1, "a random vector"), normalised.
    Returns (v_{i+1}ᵀ·m·v_i (line 6, = ‖m·v_i‖₂), v_{i+1}, number of iterations). If the residual
    never drops (e.g. a dominant negative eigenvalue makes v flip), it stops at max_iters.
    """
    a = _square(m)
    if not (isinstance(res_stop, (float, int)) and not isinstance(res_stop, bool)) or not res_stop > 0:
        raise ValueError(f"res_stop must be a positive number, got {res_stop!r}")
    max_iters = _int(max_iters, "max_iters", 1)
    if v0 is None:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        v = rng.standard_normal(a.shape[0])
    else:
        v = _array(v0, "v0", 1).copy()
        if v.shape[0] != a.shape[0]:
            raise ValueError(f"v0 must have length {a.shape[0]}, got {v.shape[0]}")
    v = v / np.linalg.norm(v)
    value = 0.0
    for i in range(1, max_iters + 1):
        w = a @ v
        nw = np.linalg.norm(w)
        if nw == 0:
            return 0.0, v, i
        v_new = w / nw
        value = float(v_new @ w)
        res = np.linalg.norm(v_new - v)
        v = v_new
        if res < res_stop:
            return value, v, i
    return value, v, max_iters


def power_iteration_official(m, iters: int = 1) -> float:
    """The official code's ``TopEigenvalue`` (LCR.py): v = 1 (unnormalised all-ones), then
    ``iters`` times n = ‖m·v‖, v = m·v/n; return √(n/‖v‖) = √n.

    With iters = 1 this is √‖m·1‖ — not normalised by ‖1‖ = √d, so even for an exact
    eigenvector direction it returns √(λ1·√d), i.e. a d^{1/4} factor over √λ1. For iters ≥ 2
    the value tends to √λ1: the official loss compares square roots of the RM eigenvalues.
    """
    a = _square(m)
    iters = _int(iters, "iters", 1)
    v = np.ones(a.shape[0])
    n = 0.0
    for _ in range(iters):
        w = a @ v
        n = float(np.linalg.norm(w))
        if n == 0:
            return 0.0
        v = w / n
    return math.sqrt(n / float(np.linalg.norm(v)))


# ----------------------------------------------------------------------------- spectral norms

def spectral_norm(w) -> float:
    """σ1(W) = max_{x≠0} ‖Wx‖₂/‖x‖₂ (Eq. 3), from the SVD. w: (m, n)."""
    return float(np.linalg.svd(_array(w, "w", 2), compute_uv=False)[0])


def spectral_norm_sq(w) -> float:
    """The paper's §3.2 definition ‖W‖_SN := σ1(WᵀW) = σ1(W)², from eigvalsh(WᵀW). w: (m, n)."""
    a = _array(w, "w", 2)
    return float(np.linalg.eigvalsh(a.T @ a)[-1])


def spectral_norm_gradient(w) -> np.ndarray:
    """∂σ1(W)/∂W = u1·v1ᵀ (m, n) for a simple top singular value (Eq. 13's u1 v1ᵀ)."""
    a = _array(w, "w", 2)
    u, _, vt = np.linalg.svd(a)
    return np.outer(u[:, 0], vt[0])


def spectral_norm_gradient_appendix(w) -> np.ndarray:
    """Appendix 6.3's last line as printed: ∂‖W‖_SN/∂W = v1·u1ᵀ (n, m) — the transpose of
    the true gradient; it has W's shape only when W is square."""
    a = _array(w, "w", 2)
    u, _, vt = np.linalg.svd(a)
    return np.outer(vt[0], u[:, 0])


def _conv_check(kernel, input_hw) -> tuple[np.ndarray, int, int]:
    k = _array(kernel, "kernel", 4)
    if len(input_hw) != 2:
        raise ValueError(f"input_hw must be (H, W), got {input_hw!r}")
    h = _int(input_hw[0], "H", 1)
    w = _int(input_hw[1], "W", 1)
    return k, h, w


def conv2d_apply(x, kernel, padding: int | str = "same", mode: str = "zero") -> np.ndarray:
    """Stride-1 2-D convolution layer as PyTorch computes it (cross-correlation), one sample.

    x: (c_in, H, W); kernel: (c_out, c_in, kh, kw). mode="zero": zero padding of ``padding``
    pixels ("same" = (k−1)//2) → (c_out, H+2P−kh+1, W+2P−kw+1). mode="circular": periodic,
    output (c_out, H, W), y[o,i,j] = Σ k[o,c,a,b]·x[c,(i+a−P) mod H,(j+b−P) mod W], P = (k−1)//2.
    """
    k = _array(kernel, "kernel", 4)
    x = _array(x, "x", 3)
    co, ci, kh, kw = k.shape
    if x.shape[0] != ci:
        raise ValueError(f"x must have c_in={ci} channels, got shape {x.shape}")
    H, W = x.shape[1:]
    if mode == "circular":
        ph, pw = (kh - 1) // 2, (kw - 1) // 2
        out = np.zeros((co, H, W))
        for a in range(kh):
            for b in range(kw):
                xs = np.roll(x, shift=(ph - a, pw - b), axis=(1, 2))
                out += np.tensordot(k[:, :, a, b], xs, axes=(1, 0))  # BLAS matmul over channels
        return out
    if mode != "zero":
        raise ValueError(f"mode must be 'zero' or 'circular', got {mode!r}")
    p = (kh - 1) // 2 if padding == "same" else _int(padding, "padding", 0)
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))
    ho, wo = H + 2 * p - kh + 1, W + 2 * p - kw + 1
    if ho < 1 or wo < 1:
        raise ValueError(f"output would be empty: input {(H, W)}, kernel {(kh, kw)}, padding {p}")
    out = np.zeros((co, ho, wo))
    for a in range(kh):
        for b in range(kw):
            out += np.tensordot(k[:, :, a, b], xp[:, a:a + ho, b:b + wo], axes=(1, 0))
    return out


def conv2d_adjoint(y, kernel, input_hw, padding: int | str = "same") -> np.ndarray:
    """Adjoint (transpose) of ``conv2d_apply(·, kernel, padding, mode="zero")``: (c_in, H, W).

    ⟨conv(x), y⟩ = ⟨x, conv_adjoint(y)⟩ for every x, y (tested)."""
    k, H, W = _conv_check(kernel, input_hw)
    y = _array(y, "y", 3)
    co, ci, kh, kw = k.shape
    p = (kh - 1) // 2 if padding == "same" else _int(padding, "padding", 0)
    ho, wo = H + 2 * p - kh + 1, W + 2 * p - kw + 1
    if y.shape != (co, ho, wo):
        raise ValueError(f"y must have shape {(co, ho, wo)}, got {y.shape}")
    xp = np.zeros((ci, H + 2 * p, W + 2 * p))
    for a in range(kh):
        for b in range(kw):
            xp[:, a:a + ho, b:b + wo] += np.tensordot(k[:, :, a, b].T, y, axes=(1, 0))
    return xp[:, p:p + H, p:p + W]


def conv_operator_matrix(kernel, input_hw, padding: int | str = "same", mode: str = "zero") -> np.ndarray:
    """The dense matrix of ``conv2d_apply`` (c_out·Ho·Wo, c_in·H·W), built column by column.

    The slow, obviously-correct twin of the FFT and power-iteration spectral norms (small sizes)."""
    k, H, W = _conv_check(kernel, input_hw)
    ci = k.shape[1]
    cols = []
    for idx in range(ci * H * W):
        e = np.zeros(ci * H * W)
        e[idx] = 1.0
        cols.append(conv2d_apply(e.reshape(ci, H, W), k, padding, mode).ravel())
    return np.stack(cols, axis=1)


def conv_spectral_norm_circular(kernel, input_hw, half: bool = True) -> float:
    """Exact σ1 of a stride-1 convolution with circular padding (Sedghi, Gupta & Long 2019).

    The operator is block-diagonalised by the 2-D DFT: for each frequency (u, v) the (c_out, c_in)
    matrix K̂(u, v) = Σ_{a,b} k[:, :, a, b]·e^{−2πi(ua/H + vb/W)}; σ1 = max over (u, v) of σ1(K̂).
    The kernel is real, so K̂(−u, −v) = conj K̂(u, v) has the same singular values: ``half=True``
    (default) takes the SVDs of the ``rfft2`` half-plane only (v = 0…W//2, H·(W//2 + 1) blocks
    instead of H·W); ``half=False`` the full ``fft2`` (the same number; tested).
    kernel: (c_out, c_in, kh, kw) with kh ≤ H, kw ≤ W.
    """
    k, H, W = _conv_check(kernel, input_hw)
    if k.shape[2] > H or k.shape[3] > W:
        raise ValueError(f"kernel {k.shape[2:]} larger than the input {(H, W)}")
    kf = (np.fft.rfft2 if half else np.fft.fft2)(k, s=(H, W), axes=(2, 3))  # (c_out, c_in, H, W or W//2+1)
    blocks = np.transpose(kf, (2, 3, 0, 1))                                 # (H, ·, c_out, c_in)
    return float(np.linalg.svd(blocks, compute_uv=False).max())


def reshaped_spectral_norm(kernel, iters: int = 1, seed: int | np.random.Generator = 0) -> float:
    """The estimate of ``torch.nn.utils.parametrizations.spectral_norm`` (Miyato et al. 2018): power
    iteration on the reshaped weight W_mat (c_out, c_in·kh·kw), u₀ ~ N(0, I) normalised, then
    ``iters`` times v = Ŵᵀu/‖·‖, u = W v/‖·‖; returns uᵀW_mat v (≤ σ1(W_mat); equal when converged).

    It is σ1 of the matrix, not of the convolution operator (the peer of
    :func:`conv_spectral_norm_circular`); torch runs 15 iterations at wrapping time and
    ``n_power_iterations`` (default 1) per training forward pass.
    """
    k = _array(kernel, "kernel", (2, 4))
    iters = _int(iters, "iters", 1)
    wm = k.reshape(k.shape[0], -1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    u = rng.standard_normal(wm.shape[0])
    u /= max(np.linalg.norm(u), 1e-12)
    v = np.zeros(wm.shape[1])
    for _ in range(iters):
        v = wm.T @ u
        v /= max(np.linalg.norm(v), 1e-12)
        u = wm @ v
        u /= max(np.linalg.norm(u), 1e-12)
    return float(u @ wm @ v)


def conv_norm_bound_sqrt_k(kernel) -> float:
    """√(kh·kw)·σ1(W_mat), W_mat = kernel reshaped to (c_out, c_in·kh·kw): an upper bound on the
    operator norm of the stride-1 convolution for any input size and for zero or circular padding
    (each output pixel is W_mat times a patch, and every input pixel lies in ≤ kh·kw patches)."""
    k = _array(kernel, "kernel", 4)
    return math.sqrt(k.shape[2] * k.shape[3]) * spectral_norm(k.reshape(k.shape[0], -1))


def conv_spectral_peers(kernel, input_hw, m=None, zero_iters: int = 100, seed: int = 0) -> dict:
    """Every estimate of one conv layer's spectral norm beside the exact circular one (lcr peers).

    kernel (c_out, c_in, kh, kw) at its real input size ``input_hw``; ``m``: the layer's
    channel-space M = a_prevᵀ·a_next (c_in, c_out) from recorded activations, or None. Returns
    {"circular": exact σ1 (rfft2), "zero_padding": power iteration (``zero_iters``) on the
    zero-padded 'same' operator, "reshaped_1", "reshaped_100": :func:`reshaped_spectral_norm`,
    "bound_sqrt_k": :func:`conv_norm_bound_sqrt_k`, and with ``m``: "rm_official_1step"
    (:func:`power_iteration_official` of RM = MᵀM, 1 step), "rm_converged" (√λ1(RM))}. All at
    stride 1 (a strided layer's operator is a row subset: its norm is at most these).
    """
    k, H, W = _conv_check(kernel, input_hw)
    out = {"circular": conv_spectral_norm_circular(k, (H, W)),
           "zero_padding": conv_spectral_norm_zero(k, (H, W), "same", iters=zero_iters, seed=seed),
           "reshaped_1": reshaped_spectral_norm(k, 1, seed),
           "reshaped_100": reshaped_spectral_norm(k, 100, seed),
           "bound_sqrt_k": conv_norm_bound_sqrt_k(k)}
    if m is not None:
        mm = _array(m, "m", 2)
        rm = mm.T @ mm
        out["rm_official_1step"] = power_iteration_official(rm, 1)
        out["rm_converged"] = math.sqrt(max(float(np.linalg.eigvalsh(rm)[-1]), 0.0))
    return out


def conv_spectral_norm_zero(kernel, input_hw, padding: int | str = "same", iters: int = 200,
                            seed: int | np.random.Generator = 0) -> float:
    """σ1 of a stride-1 zero-padded convolution by power iteration on AᵀA (A the linear map,
    applied with ``conv2d_apply`` / ``conv2d_adjoint``; the matrix is never formed).

    A lower estimate that converges to σ1 from below; returns √(Rayleigh quotient of AᵀA)."""
    k, H, W = _conv_check(kernel, input_hw)
    iters = _int(iters, "iters", 1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    x = rng.standard_normal((k.shape[1], H, W))
    x /= np.linalg.norm(x)
    for _ in range(iters):
        z = conv2d_adjoint(conv2d_apply(x, k, padding), k, (H, W), padding)
        nz = np.linalg.norm(z)
        if nz == 0:
            return 0.0
        x = z / nz
    return float(np.linalg.norm(conv2d_apply(x, k, padding)))


# ----------------------------------------------------------------------------- Lipschitz bounds

def _check_net(weights, biases=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if len(weights) < 1:
        raise ValueError("weights must be a non-empty list of (d_k, d_{k-1}) matrices")
    ws = [_array(w, f"weights[{i}]", 2) for i, w in enumerate(weights)]
    for i in range(1, len(ws)):
        if ws[i].shape[1] != ws[i - 1].shape[0]:
            raise ValueError(f"weights[{i}] has {ws[i].shape[1]} columns but weights[{i-1}] has "
                             f"{ws[i-1].shape[0]} rows; expected a chain (d_k, d_(k-1))")
    if biases is None:
        bs = [np.zeros(w.shape[0]) for w in ws]
    else:
        if len(biases) != len(ws):
            raise ValueError(f"need one bias per layer ({len(ws)}), got {len(biases)}")
        bs = [_array(b, f"biases[{i}]", 1) for i, b in enumerate(biases)]
        for i, (w, b) in enumerate(zip(ws, bs)):
            if b.shape[0] != w.shape[0]:
                raise ValueError(f"biases[{i}] must have length {w.shape[0]}, got {b.shape[0]}")
    return ws, bs


def lipschitz_upper_bound(weights) -> float:
    """Eq. 5: ‖f‖_Lip ≤ Π_k σ1(W^k) for W^L∘σ∘…∘σ∘W^1 with 1-Lipschitz σ (ReLU, hardtanh)."""
    ws, _ = _check_net(weights)
    return float(np.prod([spectral_norm(w) for w in ws]))


def relu_net_forward(weights, biases, x) -> np.ndarray:
    """f(x) = W^L·relu(…relu(W^1 x + b^1)…) + b^L (Eq. 1 with biases). x: (n, d_0) → (n, d_L)."""
    ws, bs = _check_net(weights, biases)
    h = _array(x, "x", 2)
    if h.shape[1] != ws[0].shape[1]:
        raise ValueError(f"x must be (n, {ws[0].shape[1]}), got {h.shape}")
    for i, (w, b) in enumerate(zip(ws, bs)):
        h = h @ w.T + b
        if i < len(ws) - 1:
            h = np.maximum(h, 0.0)
    return h


def relu_net_jacobian(weights, biases, x) -> np.ndarray:
    """∂f/∂x at one point x (d_0,): W^L·D^{L−1}·…·D^1·W^1, D^k = diag(1[pre-activation > 0])."""
    ws, bs = _check_net(weights, biases)
    h = _array(x, "x", 1)
    j = np.eye(h.shape[0])
    for i, (w, b) in enumerate(zip(ws, bs)):
        z = w @ h + b
        j = w @ j
        if i < len(ws) - 1:
            mask = (z > 0).astype(np.float64)
            j = mask[:, None] * j
            h = np.maximum(z, 0.0)
    return j


def lipschitz_lower_bound(weights, biases=None, n_points: int = 2000, scales=(0.1, 1.0, 10.0),
                          refine_steps: int = 50, seed: int | np.random.Generator = 0) -> float:
    """Empirical lower bound max_x σ1(∂f/∂x(x)) (Lemma 1, Eq. 15) found by search.

    Random Gaussian points at several ``scales``, then a hill climb from the best point
    (accept random perturbations that raise σ1(J)). Every value found is a true lower bound."""
    ws, bs = _check_net(weights, biases)
    n_points = _int(n_points, "n_points", 1)
    refine_steps = _int(refine_steps, "refine_steps", 0)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    d0 = ws[0].shape[1]
    best, best_x = -1.0, None
    for s in scales:
        xs = rng.standard_normal((n_points, d0)) * float(s)
        for x in xs:
            val = spectral_norm(relu_net_jacobian(ws, bs, x))
            if val > best:
                best, best_x = val, x
    step = float(np.max(scales))
    x = best_x
    for _ in range(refine_steps):
        cand = x + step * rng.standard_normal(d0)
        val = spectral_norm(relu_net_jacobian(ws, bs, cand))
        if val > best:
            best, x = val, cand
        else:
            step *= 0.9
    return float(best)


def lipschitz_exact_relu(weights, biases=None, max_units: int = 20) -> tuple[float, int, int]:
    """Exact ‖f‖_Lip (ℓ2) of a small ReLU network by enumerating activation patterns.

    f is piecewise linear; on the region of pattern s (s_i ∈ {0, 1} for every hidden unit) its
    Jacobian is J_s = W^L·D_s^{L−1}·…·D_s^1·W^1. By Lemma 1, ‖f‖_Lip = max σ1(J_s) over the
    patterns whose region has an interior. Region of s: every hidden pre-activation z_i(x),
    affine in x once the earlier layers' patterns are fixed, satisfies (2s_i − 1)·z_i(x) ≥ t;
    scipy's linprog maximises t (≤ 1); the region is full-dimensional iff t* > 0.
    Patterns are tested in decreasing order of σ1(J_s); the first feasible one gives the constant.
    Returns (constant, number of linear programs solved, number of patterns). Cost 2^(hidden units).
    """
    ws, bs = _check_net(weights, biases)
    hidden = sum(w.shape[0] for w in ws[:-1])
    if hidden > max_units:
        raise ValueError(f"{hidden} hidden units means 2^{hidden} patterns; at most max_units="
                         f"{max_units} (raise it deliberately)")
    d0 = ws[0].shape[1]
    sizes = [w.shape[0] for w in ws[:-1]]
    candidates = []
    for bits in itertools.product((0.0, 1.0), repeat=hidden):
        masks, pos = [], 0
        for s in sizes:
            masks.append(np.array(bits[pos:pos + s]))
            pos += s
        # affine maps z_k(x) = P_k x + q_k of every hidden layer under this pattern
        rows, rhs = [], []
        P, q = np.eye(d0), np.zeros(d0)
        for k in range(len(ws) - 1):
            Pz, qz = ws[k] @ P, ws[k] @ q + bs[k]
            sign = 2.0 * masks[k] - 1.0
            # sign_i * z_i(x) >= t  <=>  -sign_i * Pz_i x + t <= sign_i * qz_i
            rows.append(np.hstack([-(sign[:, None] * Pz), np.ones((Pz.shape[0], 1))]))
            rhs.append(sign * qz)
            P, q = masks[k][:, None] * Pz, masks[k] * qz
        candidates.append((spectral_norm(ws[-1] @ P), np.vstack(rows), np.concatenate(rhs)))
    # the largest Jacobian norm whose region is feasible: test patterns in decreasing order
    candidates.sort(key=lambda c: -c[0])
    for n_lp, (val, a_ub, b_ub) in enumerate(candidates, start=1):
        res = linprog(c=np.r_[np.zeros(d0), -1.0], A_ub=a_ub, b_ub=b_ub,
                      bounds=[(None, None)] * d0 + [(None, 1.0)], method="highs")
        if res.status == 0 and -res.fun > 1e-9:
            return float(val), n_lp, len(candidates)
    return 0.0, len(candidates), len(candidates)


def lipschitz_exact_residual(w1, b1, w2) -> tuple[float, int, int]:
    """Exact ‖f‖_Lip (ℓ2) of a residual block f(x) = x + W2·relu(W1·x + b1) (Eq. 10's block).

    w1: (h, d), b1: (h,), w2: (d, h). On the region of pattern s the Jacobian is
    I + W2·diag(s)·W1; regions are {x: (2s_i − 1)(W1x + b1)_i ≥ t}, t* > 0 by linprog, tested in
    decreasing order of σ1. Returns (constant, linear programs solved, 2^h). The twin of
    ``lipschitz_exact_relu`` on the block written as a ReLU net (x = relu(x) − relu(−x)).
    """
    W1 = _array(w1, "w1", 2)
    B1 = _array(b1, "b1", 1)
    W2 = _array(w2, "w2", 2)
    h, d = W1.shape
    if B1.shape != (h,) or W2.shape != (d, h):
        raise ValueError(f"need w1 (h, d), b1 (h,), w2 (d, h); got {W1.shape}, {B1.shape}, {W2.shape}")
    if h > 20:
        raise ValueError(f"{h} hidden units means 2^{h} patterns; at most 20")
    cands = []
    for bits in itertools.product((0.0, 1.0), repeat=h):
        s = np.array(bits)
        sign = 2.0 * s - 1.0
        a_ub = np.hstack([-(sign[:, None] * W1), np.ones((h, 1))])
        cands.append((spectral_norm(np.eye(d) + W2 @ (s[:, None] * W1)), a_ub, sign * B1))
    cands.sort(key=lambda c: -c[0])
    for n_lp, (val, a_ub, b_ub) in enumerate(cands, start=1):
        res = linprog(c=np.r_[np.zeros(d), -1.0], A_ub=a_ub, b_ub=b_ub,
                      bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
        if res.status == 0 and -res.fun > 1e-9:
            return float(val), n_lp, len(cands)
    return 0.0, len(cands), len(cands)


# ----------------------------------------------------------------------------- binarization

def binarize_weight(w, scale: str = "channel") -> np.ndarray:
    """W_B = sign(W)·α (§3.1, XNOR/IR-Net scale). w: (c_out, …); sign(0) = +1.

    scale="channel": α_o = mean |W_o| over each output channel's entries (XNOR-Net's
    ℓ1-optimal scale); "none": α = 1 (the paper's plain sgn(·))."""
    a = _array(w, "w")
    if a.ndim < 2:
        raise ValueError(f"w must be (c_out, ...) with at least 2 dimensions, got shape {a.shape}")
    s = np.where(a >= 0, 1.0, -1.0)
    if scale == "none":
        return s
    if scale == "channel":
        alpha = np.abs(a).reshape(a.shape[0], -1).mean(axis=1)
        return s * alpha.reshape((-1,) + (1,) * (a.ndim - 1))
    raise ValueError(f"scale must be 'channel' or 'none', got {scale!r}")


# ----------------------------------------------------------------------------- BOPs / FLOPs

@dataclass(frozen=True)
class LayerSpec:
    """One convolution or linear layer: its multiply-accumulates are c_in·c_out·k²·h_out·w_out
    (k = 1, h_out = w_out = 1 for a linear layer); ``binary``: weights and inputs are ±1."""

    name: str
    c_in: int
    c_out: int
    k: int
    h_out: int
    w_out: int
    binary: bool

    @property
    def macs(self) -> int:
        return self.c_in * self.c_out * self.k * self.k * self.h_out * self.w_out


def resnet18_layer_specs(binary_downsample: bool = False, image_hw: int = 224,
                         n_classes: int = 1000) -> list[LayerSpec]:
    """ResNet-18 (ImageNet form: 7×7/2 stem, 3×3/2 max pool, four stages of two basic blocks,
    1×1/2 downsampling shortcuts, fc). The 3×3 convolutions of the blocks are binary; the stem
    and fc are full precision; the downsampling 1×1 convs are binary iff ``binary_downsample``
    (XNOR-Net/ProxyBNN binarise them, IR-Net keeps them real-valued)."""
    _int(image_hw, "image_hw", 32)
    s = (image_hw + 2 * 3 - 7) // 2 + 1          # stem output
    s = (s + 2 * 1 - 3) // 2 + 1                  # max pool
    specs = [LayerSpec("conv1", 3, 64, 7, (image_hw + 6 - 7) // 2 + 1, (image_hw + 6 - 7) // 2 + 1, False)]
    c_in = 64
    for stage, c in enumerate((64, 128, 256, 512), start=1):
        stride = 1 if stage == 1 else 2
        for block in range(2):
            st = stride if block == 0 else 1
            s_out = (s + 2 - 3) // st + 1
            specs.append(LayerSpec(f"layer{stage}.{block}.conv1", c_in, c, 3, s_out, s_out, True))
            specs.append(LayerSpec(f"layer{stage}.{block}.conv2", c, c, 3, s_out, s_out, True))
            if st != 1 or c_in != c:
                specs.append(LayerSpec(f"layer{stage}.{block}.downsample", c_in, c, 1, s_out, s_out,
                                       binary_downsample))
            c_in, s = c, s_out
    specs.append(LayerSpec("fc", 512, n_classes, 1, 1, 1, False))
    return specs


def resnet20_layer_specs(width: int = 16, image_hw: int = 32, in_channels: int = 3,
                         n_classes: int = 10) -> list[LayerSpec]:
    """ResNet-20 (CIFAR form: 3×3 stem, three stages of three basic blocks with widths
    w, 2w, 4w, parameter-free (option A) shortcuts, fc). Block convolutions binary."""
    specs = [LayerSpec("conv1", in_channels, width, 3, image_hw, image_hw, False)]
    c_in, s = width, image_hw
    for stage, c in enumerate((width, 2 * width, 4 * width), start=1):
        for block in range(3):
            st = 2 if (stage > 1 and block == 0) else 1
            s_out = (s + 2 - 3) // st + 1
            specs.append(LayerSpec(f"layer{stage}.{block}.conv1", c_in, c, 3, s_out, s_out, True))
            specs.append(LayerSpec(f"layer{stage}.{block}.conv2", c, c, 3, s_out, s_out, True))
            c_in, s = c, s_out
    specs.append(LayerSpec("fc", 4 * width, n_classes, 1, 1, 1, False))
    return specs


def count_bops_flops(specs: Sequence[LayerSpec], all_full_precision: bool = False) -> dict:
    """BOPs and FLOPs of a network's conv/linear layers. Convention (Bi-Real/IR-Net style):
    one multiply-accumulate counts as one operation; MACs of binary layers are BOPs, MACs of
    real-valued layers FLOPs; batch norm, activations, additions and pooling are not counted.
    ``all_full_precision``: count every layer as FLOPs (the full-precision network).
    Returns {"bops", "flops", "ops" = bops/64 + flops (Bi-Real's combined count)}."""
    if not specs:
        raise ValueError("specs must be a non-empty list of LayerSpec")
    bops = sum(s.macs for s in specs if s.binary and not all_full_precision)
    flops = sum(s.macs for s in specs if all_full_precision or not s.binary)
    return {"bops": int(bops), "flops": int(flops), "ops": bops / 64.0 + flops}


# ----------------------------------------------------------------------------- the LCR loss and its gradient (Eq. 11-13)

def _lcr_args(s_f, lam, beta, k, L) -> None:
    for name, v in (("s_f", s_f), ("lam", lam), ("beta", beta)):
        if isinstance(v, (bool, np.bool_)) or not np.isfinite(float(v)) or float(v) <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    _int(k, "k", 1)
    if _int(L, "L", 1) < k:
        raise ValueError(f"need k <= L, got k={k}, L={L}")


def lcr_layer_term(s_b: float, s_f: float, lam: float = 1.0, beta: float = 2.0, k: int = 1, L: int = 4) -> float:
    """One layer's share of λ/2·L_Lip (Eq. 11-12): λ/2·[(s_B/s_F − 1)·β^{k−L}]², s_B = ‖RM_B^k‖_SN,
    s_F = ‖RM_F^k‖_SN (positive numbers)."""
    _lcr_args(s_f, lam, beta, k, L)
    return float(lam / 2.0 * ((float(s_b) / float(s_f) - 1.0) * float(beta) ** (k - L)) ** 2)


def lcr_layer_gradient(w, s_f: float, lam: float = 1.0, beta: float = 2.0, k: int = 1, L: int = 4,
                       reading: str = "sigma1") -> np.ndarray:
    """The true gradient ∂/∂W_B of λ/2·[(s_B/s_F − 1)β^{k−L}]² (Eq. 11-12) when s_B stands for
    σ1(W_B) (``reading="sigma1"``, under which Eq. 13's u1v1ᵀ is ∂s_B/∂W) or σ1(W_B)²
    (``"sigma1_sq"``, §3.2's ‖W‖_SN = σ1(WᵀW)), s_F held fixed:

        λ·β^{2(k−L)}·(r − 1)/s_F · ∂s_B/∂W,  r = s_B/s_F,  ∂σ1/∂W = u1v1ᵀ,  ∂σ1²/∂W = 2σ1·u1v1ᵀ.

    Its coefficient along u1v1ᵀ changes sign at r = 1 (compare :func:`eq13_coefficient`).
    w: (m, n) with a simple top singular value."""
    _lcr_args(s_f, lam, beta, k, L)
    if reading not in ("sigma1", "sigma1_sq"):
        raise ValueError(f"reading must be 'sigma1' or 'sigma1_sq', got {reading!r}")
    sig = spectral_norm(w)
    s_b = sig if reading == "sigma1" else sig ** 2
    ds = spectral_norm_gradient(w) * (1.0 if reading == "sigma1" else 2.0 * sig)
    return lam * float(beta) ** (2 * (k - L)) * (s_b / float(s_f) - 1.0) / float(s_f) * ds


def eq13_coefficient(s_b: float, s_f: float, lam: float = 1.0, beta: float = 2.0, k: int = 1, L: int = 4) -> float:
    """Eq. 13's (and appendix Eq. 27's) coefficient of u1·v1ᵀ in ∂(λ/2·L_Lip)/∂W_B as printed:
    −λ·β^{k−L}·‖RM_F‖/‖RM_B‖ = −λβ^{k−L}·s_F/s_B — negative for every s_B, s_F > 0."""
    _lcr_args(s_f, lam, beta, k, L)
    if not float(s_b) > 0:
        raise ValueError(f"s_b must be positive, got {s_b!r}")
    return float(-lam * float(beta) ** (k - L) * float(s_f) / float(s_b))


def central_difference_gradient(f, x, h: float = 1e-6) -> np.ndarray:
    """∂f/∂x by central differences (f(x + h·e_i) − f(x − h·e_i))/(2h) for every entry of x;
    f maps an array of x's shape to a number. Error O(h²) + O(eps/h)."""
    a = _array(x, "x")
    if not h > 0:
        raise ValueError(f"h must be positive, got {h!r}")
    g = np.zeros_like(a)
    for idx in np.ndindex(*a.shape):
        e = np.zeros_like(a)
        e[idx] = h
        g[idx] = (float(f(a + e)) - float(f(a - e))) / (2.0 * h)
    return g


def affine_energy_gradient(w, x) -> np.ndarray:
    """Lemma 2 (appendix 6.1, Eq. 16): for T(x) = Wx + b, g(x) = ½‖T(x) − T(0)‖² has
    ∇g(x) = WᵀW·x. w: (m, n), x: (n,)."""
    W = _array(w, "w", 2)
    v = _array(x, "x", 1)
    if v.shape[0] != W.shape[1]:
        raise ValueError(f"x must have length {W.shape[1]}, got {v.shape[0]}")
    return W.T @ (W @ v)


# ----------------------------------------------------------------------------- the official estimator (LCR.py TopEigenvalue)

def official_estimator_ratio(m) -> float:
    """√‖RM·1‖ / √λ1(RM): the official one-step TopEigenvalue (:func:`power_iteration_official`
    with iters = 1) over the true square root of RM's top eigenvalue. m: (c, c) symmetric PSD.

    Since ‖RM·1‖ ≤ λ1·‖1‖ = λ1·√c, the ratio lies in [0, c^{1/4}]; it reaches c^{1/4} when the
    all-ones vector is RM's top eigenvector (non-negative activations with a dominant common
    mean, e.g. after ReLU) and is small when that eigenvector is far from 1 (zero-mean activations)."""
    a = _square(m)
    lam1 = float(np.linalg.eigvalsh(a)[-1])
    if not lam1 > 0:
        raise ValueError("m must have a positive top eigenvalue")
    return power_iteration_official(a, 1) / math.sqrt(lam1)


# ----------------------------------------------------------------------------- Eq. 7: sample orthogonality

def offdiag_cosine_rms(a) -> float:
    """Root mean square of the off-diagonal cosines a_iᵀa_j/(‖a_i‖‖a_j‖), i ≠ j, of the rows of
    a (n, d): Eq. 7's quantity (0 when the samples are mutually orthogonal). Rows must be nonzero."""
    x = _array(a, "a", 2)
    if x.shape[0] < 2:
        raise ValueError(f"need at least 2 rows, got {x.shape[0]}")
    nrm = np.linalg.norm(x, axis=1)
    if np.any(nrm == 0):
        raise ValueError("every row (sample) must be nonzero (Eq. 7: a_iᵀa_i ≠ 0)")
    c = (x / nrm[:, None]) @ (x / nrm[:, None]).T
    off = ~np.eye(x.shape[0], dtype=bool)
    return float(np.sqrt(np.mean(c[off] ** 2)))


def welch_offdiag_rms_bound(n: int, d: int) -> float:
    """The smallest possible :func:`offdiag_cosine_rms` of n nonzero vectors in R^d (Welch's
    bound): Σ_{i,j} cos²_ij = ‖Ĝ‖_F² ≥ (tr Ĝ)²/rank Ĝ ≥ n²/d for the unit-row Gram Ĝ, so the mean
    of the n(n−1) off-diagonal cos² is ≥ (n/d − 1)/(n − 1). 0 when n ≤ d (orthonormal rows
    exist); positive when n > d: then Eq. 7 cannot hold (rank a·aᵀ ≤ d < n). Attained by
    equal-norm tight frames."""
    n = _int(n, "n", 2)
    d = _int(d, "d", 1)
    return float(math.sqrt(max(0.0, (n / d - 1.0) / (n - 1.0))))


def product_shape(*shapes) -> tuple[int, ...] | None:
    """The shape of the matrix product of matrices with the given (rows, cols) shapes, left to
    right, or None where two neighbours do not conform (Eq. 1, 6, 8 dimension checks)."""
    if len(shapes) < 1:
        raise ValueError("give at least one (rows, cols) shape")
    cur = None
    for s in shapes:
        if len(s) != 2 or any(isinstance(v, bool) or int(v) != v or v < 1 for v in s):
            raise ValueError(f"shapes must be (rows, cols) of positive ints, got {s!r}")
        s = (int(s[0]), int(s[1]))
        if cur is None:
            cur = s
        elif cur[1] != s[0]:
            return None
        else:
            cur = (cur[0], s[1])
    return cur


def difference_quotient_at_zero(f, eps) -> np.ndarray:
    """|f(ε) − f(−ε)|/(2ε) for each ε > 0: the symmetric difference quotient of f at 0. For
    f = sign it is 1/ε (unbounded: §3.2's 'explicit Lipschitz constant' of sgn fails); for the
    STE surrogate hardtanh it is ≤ 1. f: a numpy ufunc-like function of an array."""
    e = _array(eps, "eps", 1)
    if np.any(e <= 0):
        raise ValueError("eps must be positive")
    return np.abs(np.asarray(f(e), dtype=np.float64) - np.asarray(f(-e), dtype=np.float64)) / (2.0 * e)


def svd_power_rel_diff(w, res_stop: float = 1e-13, max_iters: int = 200000, seed=0) -> float:
    """|σ1(W) by LAPACK's SVD − √(Algorithm 2 on WᵀW)|/σ1 (§2.2's 'SVD collapses on binary
    matrices'): a number near rounding when the SVD works; inf when the SVD fails or returns a
    non-finite value (e.g. a matrix with a non-finite entry). w: (m, n)."""
    a = np.asarray(w, dtype=np.float64)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"w must be a non-empty matrix, got shape {a.shape}")
    try:
        s = float(np.linalg.svd(a, compute_uv=False)[0])
    except np.linalg.LinAlgError:
        return float("inf")
    if not np.isfinite(s) or not np.all(np.isfinite(a)):
        return float("inf")
    pi, _, _ = power_iteration_residual(a.T @ a, res_stop=res_stop, seed=seed, max_iters=max_iters)
    return abs(s - math.sqrt(max(pi, 0.0))) / s


# ----------------------------------------------------------------------------- appendix 6.1: the NP-hardness construction

def np_proof_product_norm_sq(h, p) -> float:
    """Eq. 22-25 in conforming dimensions: W1 = (h_1 … h_m) with columns h_i ∈ R^n, W2 (2, n)
    whose first row is all ones and second row zero; returns ‖W2·diag(p)·W1‖₂², the squared
    spectral norm of a rank-one matrix whose only nonzero row is (h_iᵀp)_i, which the proof
    states equals Σ_i (h_iᵀp)² (it calls this the spectral norm; it is its square).
    (As printed, Eq. 22-23's W1 and W2 do not conform.) h: (m, n) rows h_i, p: (n,)."""
    H = _array(h, "h", 2)
    v = _array(p, "p", 1)
    if v.shape[0] != H.shape[1]:
        raise ValueError(f"p must have length {H.shape[1]}, got {v.shape[0]}")
    w2 = np.zeros((2, H.shape[1]))
    w2[0] = 1.0                                  # (1, 0)ᵀ rows: only the first output is used
    prod = w2 @ np.diag(v) @ H.T                 # (2, m): first row (h_iᵀp)_i, second row 0
    return float(np.linalg.norm(prod, 2) ** 2)


def quadratic_box_max(hmat, n_starts: int = 64, steps: int = 500, seed=0) -> dict:
    """max pᵀHp over the vertices {0,1}^n (exhaustive, n ≤ 16) and over the box [0,1]^n
    (projected gradient ascent from ``n_starts`` random starts): the relaxation step of the
    NP-hardness proof (Eq. 21 vs 26, "the same optimum points"). Equal for positive
    semi-definite H (a convex function peaks at a vertex); the box can exceed the vertices for
    an indefinite H. Returns {"vertex_max", "box_max", "gap" = box_max − vertex_max}."""
    H = _square(hmat, "hmat")
    n = H.shape[0]
    if n > 16:
        raise ValueError(f"n ≤ 16 for the exhaustive vertex search, got {n}")
    verts = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
    vmax = float(np.max(np.einsum("ij,jk,ik->i", verts, H, verts)))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    lr = 0.5 / max(float(np.abs(np.linalg.eigvalsh(H)).max()), 1e-12)
    best = -np.inf
    for _ in range(_int(n_starts, "n_starts", 1)):
        p = rng.uniform(0, 1, n)
        for _ in range(_int(steps, "steps", 1)):
            p = np.clip(p + lr * 2.0 * (H @ p), 0.0, 1.0)
        best = max(best, float(p @ H @ p))
    best = max(best, vmax)  # the vertices belong to the box
    return {"vertex_max": vmax, "box_max": best, "gap": best - vmax}


# ----------------------------------------------------------------------------- cost of LCR vs SN (§3.3)

def lcr_cost_macs(blocks, batch: int, iters: int = 5) -> int:
    """Multiply-accumulates of one LCR evaluation (§3.2-3.3, batch convention): per block with
    (c_in, c_out, positions) — M = A_fᵀ·A_l over batch·positions rows (batch·pos·c_in·c_out),
    RM = MᵀM (c_in·c_out²), ``iters`` power steps (iters·c_out²) — for the binary and the
    full-precision side (×2)."""
    batch = _int(batch, "batch", 1)
    iters = _int(iters, "iters", 0)
    total = 0
    for b in blocks:
        c_in, c_out, pos = (int(v) for v in b)
        total += 2 * (batch * pos * c_in * c_out + c_in * c_out * c_out + iters * c_out * c_out)
    return int(total)


def sn_cost_macs(specs: Sequence[LayerSpec], iters: int = 1) -> int:
    """Multiply-accumulates of spectral normalisation's power iteration (Miyato et al.: ``iters``
    steps per training step) on every binary layer's weight matrix (c_out, c_in·k²): each step
    computes Wᵀu and Wv (2·c_out·c_in·k²)."""
    iters = _int(iters, "iters", 1)
    return int(sum(2 * iters * s.c_out * s.c_in * s.k * s.k for s in specs if s.binary))


# ----------------------------------------------------------------------------- test inputs of the Eq. 7-10 studies

def orthonormal_columns(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    """(n, c) with orthonormal columns (n ≥ c), Q of the QR factorisation of a Gaussian matrix."""
    q, _ = np.linalg.qr(rng.standard_normal((_int(n, "n", 1), _int(c, "c", 1))))
    return q


def psd_with_gap(rng: np.random.Generator, d: int, gap: float) -> np.ndarray:
    """Symmetric PSD (d, d) with λ1 = 1, λ2 = gap, the rest uniform in [0, gap], random eigenbasis
    (the §3.3 power-iteration study)."""
    d = _int(d, "d", 2)
    if not 0 <= gap < 1:
        raise ValueError(f"gap must lie in [0, 1), got {gap!r}")
    ev = np.r_[1.0, gap, rng.uniform(0, gap, d - 2)]
    q = orthonormal_columns(rng, d, d)
    return (q * ev) @ q.T


def trained_hidden_activations(rng: np.random.Generator, n: int, c: int, d: int = 20, steps: int = 100,
                               lr: float = 0.1) -> np.ndarray:
    """Hidden activations relu(X·W1ᵀ + b1) (n, c) of a 2-layer net d → c → 1 trained briefly
    (``steps`` of full-batch gradient descent on the logistic loss) on a random linear teacher."""
    x = rng.standard_normal((n, d))
    y = (x @ rng.standard_normal(d) > 0).astype(np.float64)
    w1 = rng.standard_normal((c, d)) * math.sqrt(2.0 / d)
    b1 = np.zeros(c)
    w2 = rng.standard_normal(c) * math.sqrt(1.0 / c)
    for _ in range(steps):
        z = x @ w1.T + b1
        h = np.maximum(z, 0.0)
        p = 1.0 / (1.0 + np.exp(-(h @ w2)))
        g = (p - y) / n                        # ∂loss/∂logit
        gw2 = h.T @ g
        gz = np.outer(g, w2) * (z > 0)
        w1 -= lr * gz.T @ x
        b1 -= lr * gz.sum(0)
        w2 -= lr * gw2
    return np.maximum(x @ w1.T + b1, 0.0)


def synthetic_activations(kind: str, rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    """(n, c) activations of one kind: "gaussian", "relu" (non-negative, common mean), "sign"
    (±1, binary), "batchnorm" (ReLU of mixed channels, standardised per channel) or "trained"
    (:func:`trained_hidden_activations`)."""
    if kind == "gaussian":
        return rng.standard_normal((n, c))
    if kind == "relu":
        return np.maximum(rng.standard_normal((n, c)), 0.0)
    if kind == "sign":
        return np.where(rng.standard_normal((n, c)) >= 0, 1.0, -1.0)
    if kind == "batchnorm":
        a = np.maximum(rng.standard_normal((n, c)) @ (np.eye(c) + 0.3 * rng.standard_normal((c, c))), 0.0)
        return (a - a.mean(0)) / (a.std(0) + 1e-5)
    if kind == "trained":
        return trained_hidden_activations(rng, n, c)
    raise ValueError(f"kind must be gaussian, relu, sign, batchnorm or trained, got {kind!r}")


def residual_block_as_relu_net(w1, b1, w2) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """y = x + W2·relu(W1x + b1) written as a 2-layer ReLU net (x = relu(x) − relu(−x)), so that
    :func:`lipschitz_exact_relu` checks :func:`lipschitz_exact_residual`."""
    W1, W2 = _array(w1, "w1", 2), _array(w2, "w2", 2)
    d = W1.shape[1]
    first = np.vstack([np.eye(d), -np.eye(d), W1])
    bias1 = np.r_[np.zeros(2 * d), _array(b1, "b1", 1)]
    second = np.hstack([np.eye(d), -np.eye(d), W2])
    return [first, second], [bias1, np.zeros(d)]
