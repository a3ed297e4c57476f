"""Episode studies of paper 001: does minimising a kernel similarity reduce feature-map similarity?

Paper 001 (``001_c78483e5af3a21c6.txt``), §3.1 (Table 1), §4.1 (Tables 2 and 3), Appendix 6.1
(Table 6) and 6.2 (Table 9, the hyper-parameters). One *episode* draws K1, K2 ~ U(−1, 1)^N and
X ~ U(0, 1)^M (M = 64, 1-D, one channel), minimises an objective of the kernels with Adam or plain
gradient descent, and follows the feature-map similarity of F1 = K1 ⊛ X and F2 = K2 ⊛ X along the
trajectory. A study is many episodes of one configuration; :func:`summarize` turns it into the
columns of the paper's tables.

Definitions used throughout (shapes: N kernel length, M input length, P padding):

- Feature map (Eq. 2 with padding P): ``F[i] = Σ_n K[n]·X[i+n−P]``, i = 0 … M+2P−N, X zero
  outside 0 … M−1. "full" is P = N−1 (Tables 1–3), "valid" P = 0 (Table 6).
- Kernel cross-correlation (Eq. 3): ``(A ⊛ B)[n] = Σ_i A[i]·B[i+n]``, n = 1−N … N−1, stored at
  index n + N − 1 of a (2N−1,) array.
- Objectives: ``"kernel_inner_sq"`` ⟨K1, K2⟩² (§3.1, literal); ``"kernel_cosine_sq"``
  cos²(K1, K2) (the captions of Tables 7 and 9); ``"convsim"`` L_CS = Σ_n (K1 ⊛ K2)[n]² (Eq. 8).
- Feature-map measure: ``"abs"`` |⟨F1, F2⟩| (default), ``"signed"`` ⟨F1, F2⟩, ``"sq"``
  ⟨F1, F2⟩², ``"abs_cosine"`` |cos(F1, F2)|. ⟨F1, F2⟩ = K1ᵀ·G·K2 with the Gram matrix
  G[a, b] = Σ_i Xp[i+a]·Xp[i+b] of the padded input; at P = N−1, G[a, b] = r[b−a] with r = X ⊛ X,
  which is Eq. 3: ⟨F1, F2⟩ = Σ_n (K1 ⊛ K2)[n]·r[n].

Three implementations of one study, compared in the tests:

- ``"numpy"``: a per-episode loop, feature maps from ``np.correlate`` on the padded input,
  gradients written by hand (the readable twin);
- ``"torch"`` (in ``analysis.nets.convsim_study_torch``, since this module never imports torch):
  every episode in one float64 tensor, autograd, ``torch.optim.Adam`` / ``SGD`` (the reference);
- ``"numba"``: the fast one. Episodes sit in SIMD lanes (arrays laid out (N, LANES)), a parallel
  loop runs over blocks of LANES episodes, and ⟨F1, F2⟩ costs O(N) per step at full padding
  because L_CS needs K1 ⊛ K2 anyway (Eq. 3); at other paddings it is K1ᵀ·G·K2 with a per-episode
  Gram matrix. K1 ⊛ K2 and the two L_CS gradients (3N² multiply-adds per step, the bulk of the
  work) run in 4×4 register tiles, so each SIMD pass over the lanes does 16 multiply-adds for
  ~20 memory accesses. Every lane runs the same instructions whatever the block or thread, so
  results do not depend on the number of threads.

Each episode records its trajectory t = 0 … T (before each step and after the last); with
``stop_below`` it stops as soon as the objective is ≤ stop_below (Table 3's "totally minimising"
reading). The correlation over the trajectory is Pearson's, from streaming (Welford) sums.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange

from analysis.stats import wilson_ci

OBJECTIVES = ("kernel_inner_sq", "kernel_cosine_sq", "convsim")
FM_MEASURES = ("abs", "signed", "sq", "abs_cosine")
OPTIMIZERS = ("adam", "sgd")
CORR_OBJECTIVES = ("objective", "sqrt")
METHODS = ("numba", "numpy", "batched")  # the torch reference: analysis.nets.convsim_study_torch
# The nearest peer (issue 15 §4), run by "numpy" and "batched" only: OCNN's L_orth of the two kernels
# as one layer of S = 2 one-channel kernels (Wang et al., CVPR 2020; analysis.convsim.ocnn_orth_loss).
PEER_OBJECTIVES = ("ocnn",)
BATCHED_OBJECTIVES = ("convsim", "ocnn")

# Table 9 (Appendix 6.2, "Optimization hyperparameters ..."): (N, optimizer) → (learning rate,
# iterations). The row label N = 9 is lost in the paper's text (rows 3–4 of the table carry no N);
# it is the middle kernel size of Tables 1, 2 and 6. The bodies of Tables 7 and 8 are lost, so
# Table 9 serves every study (Tables 1, 2, 3 and 6).
TABLE9: dict[tuple[int, str], tuple[float, int]] = {
    (3, "adam"): (0.1, 300),
    (3, "sgd"): (0.1, 300),
    (9, "adam"): (0.1, 300),
    (9, "sgd"): (0.05, 400),
    (16, "adam"): (0.05, 500),
    (16, "sgd"): (0.01, 700),
}

# Tables 1, 2 and 6: (objective, padding). Table 1 minimises ⟨K1, K2⟩² (§3.1) with full
# cross-correlation; Table 2 minimises L_CS (Eq. 8, §4.1) with full; Table 6 L_CS with valid
# (Appendix 6.1). M = 64 and the 1000 episodes are §3.1's.
PAPER_TABLES: dict[str, tuple[str, str]] = {
    "table1": ("kernel_inner_sq", "full"),
    "table2": ("convsim", "full"),
    "table6": ("convsim", "valid"),
}
PAPER_EPISODES = 1000  # §3.1: "each optimization is repeated 1000 episodes"

LANES = 64  # episodes per block of the numba kernels (the SIMD loops run over a block)


# ============================================================================ configuration

@dataclass(frozen=True)
class StudyConfig:
    """One study configuration.

    n: kernel length N ≥ 1; m: input length M ≥ 1; optimizer: "adam" | "sgd" (full-batch gradient
    descent k ← k − lr·grad); lr > 0; iters ≥ 0 steps; objective: one of OBJECTIVES; padding:
    "full" (P = N−1), "valid" (P = 0) or an int 0 ≤ P ≤ N−1; fm_measure: one of FM_MEASURES;
    stop_below: None or a float — stop an episode once its objective is ≤ stop_below; corr_objective:
    what the trajectory correlation pairs with the measure — "objective" (the minimized objective,
    default) or "sqrt" (its square root: |⟨K1, K2⟩| for kernel_inner_sq, √L_CS for convsim, the
    power matched with |⟨F1, F2⟩|; numba and numpy only); betas, eps: Adam's (torch.optim.Adam's
    defaults).
    """

    n: int
    optimizer: str
    lr: float
    iters: int
    objective: str
    padding: str | int = "full"
    fm_measure: str = "abs"
    m: int = 64
    stop_below: float | None = None
    corr_objective: str = "objective"
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    def __post_init__(self) -> None:
        for name in ("n", "m", "iters"):
            v = getattr(self, name)
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"StudyConfig.{name} must be an int, got {v!r}")
        if self.n < 1 or self.m < 1:
            raise ValueError(f"StudyConfig needs n >= 1 and m >= 1, got n={self.n}, m={self.m}")
        if self.iters < 0:
            raise ValueError(f"StudyConfig.iters must be >= 0, got {self.iters}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"StudyConfig.optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.objective not in OBJECTIVES + PEER_OBJECTIVES:
            raise ValueError(f"StudyConfig.objective must be one of {OBJECTIVES + PEER_OBJECTIVES}, "
                             f"got {self.objective!r}")
        if self.fm_measure not in FM_MEASURES:
            raise ValueError(f"StudyConfig.fm_measure must be one of {FM_MEASURES}, got {self.fm_measure!r}")
        if isinstance(self.lr, bool) or not (isinstance(self.lr, (int, float, np.floating))
                                             and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"StudyConfig.lr must be a finite number > 0, got {self.lr!r}")
        b1, b2 = self.betas
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"StudyConfig.betas must lie in [0, 1), got {self.betas!r}")
        if not (math.isfinite(self.eps) and self.eps >= 0):
            raise ValueError(f"StudyConfig.eps must be a finite number >= 0, got {self.eps!r}")
        if self.corr_objective not in CORR_OBJECTIVES:
            raise ValueError(f"StudyConfig.corr_objective must be one of {CORR_OBJECTIVES}, got {self.corr_objective!r}")
        if self.stop_below is not None and (isinstance(self.stop_below, bool)
                                            or not isinstance(self.stop_below, (int, float, np.floating))
                                            or math.isnan(self.stop_below)):
            raise ValueError(f"StudyConfig.stop_below must be None or a number, got {self.stop_below!r}")
        p = self.pad  # validates padding
        if self.m + 2 * p - self.n + 1 < 1:
            raise ValueError(f"feature map would be empty: M + 2P − N + 1 = {self.m + 2 * p - self.n + 1} "
                             f"(M={self.m}, P={p}, N={self.n}); use a longer input or more padding")

    @property
    def pad(self) -> int:
        """The padding P on each side: "full" → N−1, "valid" → 0, an int → itself (0 ≤ P ≤ N−1)."""
        if self.padding == "full":
            return self.n - 1
        if self.padding == "valid":
            return 0
        if isinstance(self.padding, (bool, np.bool_)) or not isinstance(self.padding, (int, np.integer)):
            raise ValueError(f"StudyConfig.padding must be 'full', 'valid' or an int, got {self.padding!r}")
        if not 0 <= self.padding <= self.n - 1:
            raise ValueError(f"StudyConfig.padding must satisfy 0 <= P <= N-1 = {self.n - 1}, got {self.padding}")
        return int(self.padding)


def paper_configs(fm_measure: str = "abs") -> dict[tuple[str, int, str], StudyConfig]:
    """The 18 configurations of Tables 1, 2 and 6, keyed ("table1", 3, "adam"), with TABLE9's
    learning rates and iterations."""
    out = {}
    for table, (objective, padding) in PAPER_TABLES.items():
        for (n, opt), (lr, iters) in TABLE9.items():
            out[(table, n, opt)] = StudyConfig(n=n, optimizer=opt, lr=lr, iters=iters, objective=objective,
                                               padding=padding, fm_measure=fm_measure)
    return out


def draw_inputs(cfg: StudyConfig, episodes: int, seed: int | np.random.SeedSequence
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """§3.1's draws: K1, K2 ~ U(−1, 1)^N, X ~ U(0, 1)^M for every episode, all up front.

    Returns k1 (E, N), k2 (E, N), x (E, M) float64 from ``np.random.default_rng(seed)`` in that
    order, so episode e's inputs depend only on (seed, E, N, M), never on threads.
    """
    episodes = _check_episodes(episodes)
    rng = np.random.default_rng(seed)
    k1 = rng.uniform(-1.0, 1.0, size=(episodes, cfg.n))
    k2 = rng.uniform(-1.0, 1.0, size=(episodes, cfg.n))
    x = rng.uniform(0.0, 1.0, size=(episodes, cfg.m))
    return k1, k2, x


def _check_episodes(episodes) -> int:
    if isinstance(episodes, (bool, np.bool_)) or not isinstance(episodes, (int, np.integer)) or episodes < 1:
        raise ValueError(f"episodes must be an int >= 1, got {episodes!r}")
    return int(episodes)


# ============================================================================ plain numpy: one episode

def feature_map(x: np.ndarray, k: np.ndarray, pad: int) -> np.ndarray:
    """Eq. 2 with padding P: F[i] = Σ_n k[n]·x[i+n−P], i = 0 … M+2P−N; x (M,), k (N,) → (M+2P−N+1,)."""
    return np.correlate(np.pad(x, pad), k, mode="valid")


def kernel_xcorr(k1: np.ndarray, k2: np.ndarray) -> np.ndarray:
    """(K1 ⊛ K2)[n] = Σ_i K1[i]·K2[i+n] (Eq. 3, 8), n = 1−N … N−1 at index n+N−1; (N,), (N,) → (2N−1,)."""
    return np.correlate(k2, k1, mode="full")


def objective_and_grad(objective: str, k1: np.ndarray, k2: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """The objective and its hand-written gradients (dL/dK1, dL/dK2); k1, k2 (N,).

    kernel_inner_sq: L = s², s = ⟨K1, K2⟩ (§3.1); dL/dK1 = 2s·K2, dL/dK2 = 2s·K1.
    kernel_cosine_sq: L = s²/(a·b), a = ‖K1‖², b = ‖K2‖²;
        dL/dK1 = 2s/(ab)·(K2 − (s/a)·K1), dL/dK2 = 2s/(ab)·(K1 − (s/b)·K2).
    convsim: L = Σ_n c[n]², c = K1 ⊛ K2 (Eq. 8); dL/dK1[a] = 2 Σ_n c[n]·K2[a+n],
        dL/dK2[b] = 2 Σ_n c[n]·K1[b−n].
    ocnn (the peer): OCNN's L_orth of the layer [K1; K2] (S = 2, C = 1, stride 1, P = N−1):
        L = 2·Σ_n c[n]² + Σ_j Σ_n (K_j ⊛ K_j − δ)[n]² (analysis.convsim.ocnn_orth_loss);
        the self terms' gradient is 2 Σ_n e[n]·(K[a+n] + K[a−n]), e = K ⊛ K − δ.
    """
    n = k1.shape[0]
    if objective == "kernel_inner_sq":
        s = float(k1 @ k2)
        return s * s, 2.0 * s * k2, 2.0 * s * k1
    if objective == "kernel_cosine_sq":
        s, a, b = float(k1 @ k2), float(k1 @ k1), float(k2 @ k2)
        f = 2.0 * s / (a * b)
        return s * s / (a * b), f * (k2 - (s / a) * k1), f * (k1 - (s / b) * k2)
    if objective == "convsim":
        c = kernel_xcorr(k1, k2)
        g1 = 2.0 * np.correlate(np.pad(k2, n - 1), c, mode="valid")   # Σ_j c[j]·K2[a+j−(N−1)]
        g2 = 2.0 * np.convolve(k1, c)[n - 1:2 * n - 1]                 # Σ_j c[j]·K1[b−j+(N−1)]
        return float(c @ c), g1, g2
    if objective == "ocnn":
        c = kernel_xcorr(k1, k2)
        e1, e2 = kernel_xcorr(k1, k1), kernel_xcorr(k2, k2)
        e1[n - 1] -= 1.0
        e2[n - 1] -= 1.0
        g1 = 4.0 * np.correlate(np.pad(k2, n - 1), c, mode="valid")     # the two i≠j terms: 2·∇L_CS
        g2 = 4.0 * np.convolve(k1, c)[n - 1:2 * n - 1]
        for k, e, g in ((k1, e1, g1), (k2, e2, g2)):                      # Σ_n e[n]², e = K ⊛ K − δ
            g += 2.0 * np.correlate(np.pad(k, n - 1), e, mode="valid") + 2.0 * np.convolve(k, e)[n - 1:2 * n - 1]
        return float(2.0 * (c @ c) + e1 @ e1 + e2 @ e2), g1, g2
    raise ValueError(f"objective must be one of {OBJECTIVES + PEER_OBJECTIVES}, got {objective!r}")


def fm_measure_value(measure: str, f1: np.ndarray, f2: np.ndarray) -> float:
    """The feature-map similarity of F1, F2 (1-D): |⟨F1,F2⟩|, ⟨F1,F2⟩, ⟨F1,F2⟩² or |cos(F1,F2)|."""
    s = float(f1 @ f2)
    if measure == "abs":
        return abs(s)
    if measure == "signed":
        return s
    if measure == "sq":
        return s * s
    if measure == "abs_cosine":
        return abs(s) / math.sqrt(float(f1 @ f1) * float(f2 @ f2))
    raise ValueError(f"fm_measure must be one of {FM_MEASURES}, got {measure!r}")


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two 1-D sequences (two-pass); NaN when either is constant."""
    da, db = a - a.mean(), b - b.mean()
    saa, sbb = float(da @ da), float(db @ db)
    if saa == 0.0 or sbb == 0.0:
        return float("nan")
    return float(da @ db) / math.sqrt(saa * sbb)


def _step_pair(cfg: StudyConfig, t: int, k1, k2, g1, g2, moments: tuple) -> tuple:
    """One optimizer step on both kernels (any leading batch axes): plain SGD, or
    torch.optim.Adam's update with bias corrections, ``moments = (m1, v1, m2, v2)`` updated in place."""
    if cfg.optimizer == "sgd":
        return k1 - cfg.lr * g1, k2 - cfg.lr * g2
    b1, b2 = cfg.betas
    m1, v1, m2, v2 = moments
    step = t + 1
    bc1, bc2 = 1.0 - b1 ** step, 1.0 - b2 ** step
    for p, g, m, v in ((k1, g1, m1, v1), (k2, g2, m2, v2)):
        m += (1.0 - b1) * (g - m)
        v[:] = b2 * v + (1.0 - b2) * g * g
        p -= (cfg.lr / bc1) * m / (np.sqrt(v) / math.sqrt(bc2) + cfg.eps)
    return k1, k2


def _episode_numpy(cfg: StudyConfig, k1: np.ndarray, k2: np.ndarray, x: np.ndarray) -> tuple:
    """One episode, the readable way: (measure_start, measure_end, obj_start, obj_end, corr, steps,
    finite, final K1, final K2)."""
    pad = cfg.pad
    k1, k2 = k1.copy(), k2.copy()
    m1, v1, m2, v2 = (np.zeros_like(k1) for _ in range(4))
    stop = -math.inf if cfg.stop_below is None else float(cfg.stop_below)
    objs, meas = [], []
    steps = 0
    for t in range(cfg.iters + 1):
        obj, g1, g2 = objective_and_grad(cfg.objective, k1, k2)
        meas.append(fm_measure_value(cfg.fm_measure, feature_map(x, k1, pad), feature_map(x, k2, pad)))
        objs.append(obj)
        if t == cfg.iters or obj <= stop:
            break
        k1, k2 = _step_pair(cfg, t, k1, k2, g1, g2, (m1, v1, m2, v2))
        steps += 1
    objs_a, meas_a = np.array(objs), np.array(meas)
    finite = bool(np.all(np.isfinite(objs_a)) and np.all(np.isfinite(meas_a)))
    corr_objs = np.sqrt(objs_a) if cfg.corr_objective == "sqrt" else objs_a
    corr = pearson(corr_objs, meas_a) if finite else float("nan")
    return meas_a[0], meas_a[-1], objs_a[0], objs_a[-1], corr, steps, finite, k1, k2


# ============================================================================ numba: episodes in SIMD lanes
# Every per-episode quantity is laid out (length, lanes): row = kernel tap, lag or state entry,
# column = episode of the block. Each kernel's innermost loop runs over the lanes with nothing
# carried between lanes, so LLVM's loop vectorizer turns it into SIMD code, and every lane runs
# the same arithmetic whatever the block or thread: results do not depend on the thread count.
# error_model="numpy" drops Python's zero-division check, whose early exit stops vectorization;
# fastmath is limited to "contract" (fused multiply-add): no reassociation.

_JIT = dict(cache=True, fastmath={"contract"}, error_model="numpy")


@njit(**_JIT)
def _lane_dot(x, ix, sx, y, iy, sy, count, out, io):
    """out[io, l] = Σ_{q<count} x[ix + q·sx, l]·y[iy + q·sy, l] for every lane l (count ≥ 1).

    The one reduction of the kernels: a dot product along the first axis, lane by lane; x, y, out
    (·, L). Four products per pass, so out is read and written once per four products; the first
    pass assigns.
    """
    lanes = out.shape[1]
    q = 0
    while q + 4 <= count:
        a0 = ix + q * sx
        b0 = iy + q * sy
        a1, a2, a3 = a0 + sx, a0 + 2 * sx, a0 + 3 * sx
        b1, b2, b3 = b0 + sy, b0 + 2 * sy, b0 + 3 * sy
        if q == 0:
            for l in range(lanes):
                out[io, l] = (x[a0, l] * y[b0, l] + x[a1, l] * y[b1, l]) + (x[a2, l] * y[b2, l] + x[a3, l] * y[b3, l])
        else:
            for l in range(lanes):
                out[io, l] += (x[a0, l] * y[b0, l] + x[a1, l] * y[b1, l]) + (x[a2, l] * y[b2, l] + x[a3, l] * y[b3, l])
        q += 4
    rem = count - q            # 0 … 3 products left: one more pass
    a0 = ix + q * sx
    b0 = iy + q * sy
    if rem == 0 and q == 0:
        for l in range(lanes):
            out[io, l] = 0.0
    elif rem == 1:
        for l in range(lanes):
            out[io, l] = (out[io, l] if q > 0 else 0.0) + x[a0, l] * y[b0, l]
    elif rem == 2:
        for l in range(lanes):
            out[io, l] = (out[io, l] if q > 0 else 0.0) + (x[a0, l] * y[b0, l] + x[a0 + sx, l] * y[b0 + sy, l])
    elif rem == 3:
        for l in range(lanes):
            out[io, l] = (out[io, l] if q > 0 else 0.0) + ((x[a0, l] * y[b0, l] + x[a0 + sx, l] * y[b0 + sy, l])
                                                           + x[a0 + 2 * sx, l] * y[b0 + 2 * sy, l])


@njit(**_JIT)
def _xcorr_lanes(k1, k2, c):
    """c[n+N−1, l] = (K1 ⊛ K2)[n] = Σ_i k1[i, l]·k2[i+n, l] (Eq. 3, 8); k1, k2 (N, L) → c (2N−1, L).

    Accumulated as c[b−a+N−1] += K1[a]·K2[b] over 4×4 tiles of (a, b), so each pass over the
    lanes does 16 products for 8 loads of K and 7 read-modify-writes of c; pairs outside the tiles
    (N not a multiple of 4) one at a time.
    """
    n, lanes = k1.shape
    n4 = n - n % 4
    for j in range(2 * n - 1):
        for l in range(lanes):
            c[j, l] = 0.0
    for a0 in range(0, n4, 4):
        for b0 in range(0, n4, 4):
            j0 = b0 - a0 + n - 1          # (a0+p, b0+q) adds to c[j0 + q − p]
            for l in range(lanes):
                x0, x1, x2, x3 = k1[a0, l], k1[a0 + 1, l], k1[a0 + 2, l], k1[a0 + 3, l]
                y0, y1, y2, y3 = k2[b0, l], k2[b0 + 1, l], k2[b0 + 2, l], k2[b0 + 3, l]
                cm3 = c[j0 - 3, l] + x3 * y0
                cm2 = c[j0 - 2, l] + (x2 * y0 + x3 * y1)
                cm1 = c[j0 - 1, l] + ((x1 * y0 + x2 * y1) + x3 * y2)
                c00 = c[j0, l] + ((x0 * y0 + x1 * y1) + (x2 * y2 + x3 * y3))
                cp1 = c[j0 + 1, l] + ((x0 * y1 + x1 * y2) + x2 * y3)
                cp2 = c[j0 + 2, l] + (x0 * y2 + x1 * y3)
                cp3 = c[j0 + 3, l] + x0 * y3
                c[j0 - 3, l] = cm3
                c[j0 - 2, l] = cm2
                c[j0 - 1, l] = cm1
                c[j0, l] = c00
                c[j0 + 1, l] = cp1
                c[j0 + 2, l] = cp2
                c[j0 + 3, l] = cp3
    for a in range(n):
        for b in range(n):
            if a >= n4 or b >= n4:
                j = b - a + n - 1
                for l in range(lanes):
                    c[j, l] += k1[a, l] * k2[b, l]


@njit(**_JIT)
def _scale_rows(a, factor):
    """a ← factor·a in place; a (·, L)."""
    for i in range(a.shape[0]):
        for l in range(a.shape[1]):
            a[i, l] *= factor


@njit(**_JIT)
def _convsim_grad_lanes(k1, k2, c, g1, g2):
    """Gradients of L_CS = Σ_n c[n]² (Eq. 8) given c = K1 ⊛ K2 (2N−1, L); k, g (N, L):
    dL/dK1[a] = 2 Σ_i c[i−a+N−1]·K2[i] (= 2 Σ_n c[n]·K2[a+n]) and
    dL/dK2[b] = 2 Σ_i K1[i]·c[b−i+N−1] (= 2 Σ_n c[n]·K1[b−n]), i = 0 … N−1.

    Both sums run over the square (a, i) ∈ [0, N)², done in 4×4 tiles (16 products per pass over
    the lanes for 11 loads and 4 read-modify-writes), the pairs outside the tiles one at a time.
    """
    n, lanes = k1.shape
    n4 = n - n % 4
    for a in range(n):
        for l in range(lanes):
            g1[a, l] = 0.0
            g2[a, l] = 0.0
    for a0 in range(0, n4, 4):
        for i0 in range(0, n4, 4):
            j1 = i0 - a0 + n - 1          # g1: (a0+p, i0+q) uses c[j1 + q − p]
            for l in range(lanes):
                y0, y1, y2, y3 = k2[i0, l], k2[i0 + 1, l], k2[i0 + 2, l], k2[i0 + 3, l]
                cm3, cm2, cm1 = c[j1 - 3, l], c[j1 - 2, l], c[j1 - 1, l]
                c00, cp1, cp2, cp3 = c[j1, l], c[j1 + 1, l], c[j1 + 2, l], c[j1 + 3, l]
                o0 = g1[a0, l] + ((c00 * y0 + cp1 * y1) + (cp2 * y2 + cp3 * y3))
                o1 = g1[a0 + 1, l] + ((cm1 * y0 + c00 * y1) + (cp1 * y2 + cp2 * y3))
                o2 = g1[a0 + 2, l] + ((cm2 * y0 + cm1 * y1) + (c00 * y2 + cp1 * y3))
                o3 = g1[a0 + 3, l] + ((cm3 * y0 + cm2 * y1) + (cm1 * y2 + c00 * y3))
                g1[a0, l] = o0
                g1[a0 + 1, l] = o1
                g1[a0 + 2, l] = o2
                g1[a0 + 3, l] = o3
            j2 = a0 - i0 + n - 1          # g2: (a0+p, i0+q) uses c[j2 + p − q]
            for l in range(lanes):
                x0, x1, x2, x3 = k1[i0, l], k1[i0 + 1, l], k1[i0 + 2, l], k1[i0 + 3, l]
                dm3, dm2, dm1 = c[j2 - 3, l], c[j2 - 2, l], c[j2 - 1, l]
                d00, dp1, dp2, dp3 = c[j2, l], c[j2 + 1, l], c[j2 + 2, l], c[j2 + 3, l]
                o0 = g2[a0, l] + ((x0 * d00 + x1 * dm1) + (x2 * dm2 + x3 * dm3))
                o1 = g2[a0 + 1, l] + ((x0 * dp1 + x1 * d00) + (x2 * dm1 + x3 * dm2))
                o2 = g2[a0 + 2, l] + ((x0 * dp2 + x1 * dp1) + (x2 * d00 + x3 * dm1))
                o3 = g2[a0 + 3, l] + ((x0 * dp3 + x1 * dp2) + (x2 * dp1 + x3 * d00))
                g2[a0, l] = o0
                g2[a0 + 1, l] = o1
                g2[a0 + 2, l] = o2
                g2[a0 + 3, l] = o3
    for a in range(n):
        for i in range(n):
            if a >= n4 or i >= n4:
                j1 = i - a + n - 1
                for l in range(lanes):
                    g1[a, l] += c[j1, l] * k2[i, l]
                j2 = a - i + n - 1
                for l in range(lanes):
                    g2[a, l] += k1[i, l] * c[j2, l]
    _scale_rows(g1, 2.0)
    _scale_rows(g2, 2.0)


@njit(**_JIT)
def _kernel_inner_grad_lanes(k1, k2, dots, g1, g2, obj, cosine):
    """⟨K1,K2⟩² (cosine False, §3.1) or cos²(K1,K2) (cosine True) into obj (L,) and the gradients
    g1, g2 (N, L), given dots (3, L) = (⟨K1,K2⟩, ‖K1‖², ‖K2‖²) per lane (see objective_and_grad)."""
    n, lanes = k1.shape
    if cosine:
        for l in range(lanes):
            s = dots[0, l]
            obj[l] = s * s / (dots[1, l] * dots[2, l])
        for i in range(n):
            for l in range(lanes):
                s = dots[0, l]
                f = 2.0 * s / (dots[1, l] * dots[2, l])
                g1[i, l] = f * (k2[i, l] - (s / dots[1, l]) * k1[i, l])
                g2[i, l] = f * (k1[i, l] - (s / dots[2, l]) * k2[i, l])
    else:
        for l in range(lanes):
            obj[l] = dots[0, l] * dots[0, l]
        for i in range(n):
            for l in range(lanes):
                g1[i, l] = 2.0 * dots[0, l] * k2[i, l]
                g2[i, l] = 2.0 * dots[0, l] * k1[i, l]


@njit(**_JIT)
def _gram_form_lanes(k1, gram, k2, out, io):
    """out[io, l] = Σ_ab k1[a, l]·G[a, b, l]·k2[b, l] = ⟨F1, F2⟩ for any padding (K1ᵀ·G·K2);
    k (N, L), G (N, N, L). 4×4 tiles of (a, b): 16 products per pass over the lanes; the pairs
    outside the tiles (N not a multiple of 4) one at a time."""
    n, lanes = k1.shape
    n4 = n - n % 4
    for l in range(lanes):
        out[io, l] = 0.0
    for a0 in range(0, n4, 4):
        for b0 in range(0, n4, 4):
            for l in range(lanes):
                y0, y1, y2, y3 = k2[b0, l], k2[b0 + 1, l], k2[b0 + 2, l], k2[b0 + 3, l]
                t0 = (gram[a0, b0, l] * y0 + gram[a0, b0 + 1, l] * y1) + (gram[a0, b0 + 2, l] * y2 + gram[a0, b0 + 3, l] * y3)
                t1 = (gram[a0 + 1, b0, l] * y0 + gram[a0 + 1, b0 + 1, l] * y1) + (gram[a0 + 1, b0 + 2, l] * y2 + gram[a0 + 1, b0 + 3, l] * y3)
                t2 = (gram[a0 + 2, b0, l] * y0 + gram[a0 + 2, b0 + 1, l] * y1) + (gram[a0 + 2, b0 + 2, l] * y2 + gram[a0 + 2, b0 + 3, l] * y3)
                t3 = (gram[a0 + 3, b0, l] * y0 + gram[a0 + 3, b0 + 1, l] * y1) + (gram[a0 + 3, b0 + 2, l] * y2 + gram[a0 + 3, b0 + 3, l] * y3)
                out[io, l] += (k1[a0, l] * t0 + k1[a0 + 1, l] * t1) + (k1[a0 + 2, l] * t2 + k1[a0 + 3, l] * t3)
    for a in range(n):
        for b in range(n):
            if a >= n4 or b >= n4:
                for l in range(lanes):
                    out[io, l] += k1[a, l] * gram[a, b, l] * k2[b, l]


@njit(**_JIT)
def _adam_lanes(p, g, m, v, active, step_size, inv_bc2_sqrt, beta1, beta2, eps):
    """torch.optim.Adam's update on p (N, L) where active[l] = 1 (0 freezes a lane):
    m ← m + (1−β1)(g − m); v ← β2·v + (1−β2)·g²; p ← p − step_size·m/(√v·inv_bc2_sqrt + ε),
    step_size = lr/(1−β1^t), inv_bc2_sqrt = 1/√(1−β2^t)."""
    n, lanes = p.shape
    for a in range(n):
        for l in range(lanes):
            gi = g[a, l]
            mi = m[a, l] + (1.0 - beta1) * (gi - m[a, l])
            vi = beta2 * v[a, l] + (1.0 - beta2) * gi * gi
            m[a, l] = mi
            v[a, l] = vi
            p[a, l] -= active[l] * (step_size * mi / (math.sqrt(vi) * inv_bc2_sqrt + eps))


@njit(**_JIT)
def _sgd_lanes(p, g, active, lr):
    """Gradient descent p ← p − lr·g on p (N, L) where active[l] = 1."""
    n, lanes = p.shape
    for a in range(n):
        for l in range(lanes):
            p[a, l] -= active[l] * (lr * g[a, l])


@njit(**_JIT)
def _input_stats_lanes(x, e0, pad, need_gram, r, gram, xp):
    """Per lane (episode e0+l, clamped to the last): r[n+N−1, l] = (X ⊛ X)[n] (Eq. 3) and, if
    need_gram, the Gram matrix G[a, b, l] = Σ_i Xp[i+a]·Xp[i+b], i = 0 … W−1, W = M+2P−N+1, of X
    padded by P zeros (first row directly, then G[a+1, b+1] = G[a, b] + Xp[a+W]·Xp[b+W] − Xp[a]·Xp[b]);
    x (E, M), r (2N−1, L), G (N, N, L), xp (M+2P,) scratch."""
    E, M = x.shape
    n, lanes = (r.shape[0] + 1) // 2, r.shape[1]
    width = M + 2 * pad - n + 1
    xp[:] = 0.0
    for l in range(lanes):
        e = min(e0 + l, E - 1)
        for j in range(2 * n - 1):
            lag = j - (n - 1)
            s = 0.0
            for i in range(max(0, -lag), min(M, M - lag)):
                s += x[e, i] * x[e, i + lag]
            r[j, l] = s
        if not need_gram:
            continue
        for i in range(M):
            xp[i + pad] = x[e, i]
        for b in range(n):
            s = 0.0
            for i in range(width):
                s += xp[i] * xp[i + b]
            gram[0, b, l] = s
            gram[b, 0, l] = s
        for a in range(n - 1):
            for b in range(a, n - 1):
                s = gram[a, b, l] + xp[a + width] * xp[b + width] - xp[a] * xp[b]
                gram[a + 1, b + 1, l] = s
                gram[b + 1, a + 1, l] = s


@njit(**_JIT)
def _record_lanes(obj, meas, active, moments, ends, chk):
    """Welford's streaming update of the (objective o, measure f) moments for lanes with
    active[l] = 1: moments (6, L) = (count, mean_o, mean_f, C_oo, C_ff, C_of); ends (2, L) gets
    the last recorded (o, f); chk collects 0·o + 0·f (NaN once a value is non-finite)."""
    for l in range(obj.shape[0]):
        w = active[l]
        o = obj[l]
        f = meas[l]
        cnt = moments[0, l] + w
        do = o - moments[1, l]
        df = f - moments[2, l]
        mo = moments[1, l] + w * do / cnt
        mf = moments[2, l] + w * df / cnt
        moments[0, l] = cnt
        moments[1, l] = mo
        moments[2, l] = mf
        moments[3, l] += w * do * (o - mo)
        moments[4, l] += w * df * (f - mf)
        moments[5, l] += w * do * (f - mf)
        ends[0, l] = o if w > 0.0 else ends[0, l]
        ends[1, l] = f if w > 0.0 else ends[1, l]
        chk[l] += w * (0.0 * o + 0.0 * f)


@njit(**_JIT)
def _run_block(k1_all, k2_all, x_all, e0, lanes, pad, objective, fm, adam, lr, iters, stop_below,
               beta1, beta2, eps, out, steps_out, finite_out, kend_out, sqrt_corr):
    """Episodes e0 … e0+lanes−1 (beyond E: copies of the last, discarded) through the whole study;
    writes out[e] = (measure_start, measure_end, obj_start, obj_end, corr), steps_out, finite_out
    and the final kernels kend_out[e] = (K1, K2) (2, N). sqrt_corr: correlate √objective (not the
    objective) with the measure; the recorded objective_end is then the square of the last √objective.
    objective: index in OBJECTIVES; fm: index in FM_MEASURES; adam: bool (else gradient descent)."""
    E, n = k1_all.shape
    k1 = np.empty((n, lanes))
    k2 = np.empty((n, lanes))
    for a in range(n):
        for l in range(lanes):
            e = min(e0 + l, E - 1)
            k1[a, l] = k1_all[e, a]
            k2[a, l] = k2_all[e, a]
    g1 = np.zeros((n, lanes))
    g2 = np.zeros((n, lanes))
    m1 = np.zeros((n, lanes))
    v1 = np.zeros((n, lanes))
    m2 = np.zeros((n, lanes))
    v2 = np.zeros((n, lanes))
    c = np.zeros((2 * n - 1, lanes))
    r = np.zeros((2 * n - 1, lanes))
    use_lags = pad == n - 1 and fm != 3   # Eq. 3: ⟨F1, F2⟩ = Σ_n c[n]·r[n] at full padding
    gram = np.zeros((n, n, lanes) if not use_lags else (1, 1, lanes))
    _input_stats_lanes(x_all, e0, pad, not use_lags, r, gram, np.zeros(x_all.shape[1] + 2 * pad))
    dots = np.zeros((3, lanes))          # ⟨K1,K2⟩, ‖K1‖², ‖K2‖²  or  ⟨F1,F2⟩, ‖F1‖², ‖F2‖²
    obj = np.zeros(lanes)
    ocorr = np.zeros(lanes)
    meas = np.zeros(lanes)
    active = np.ones(lanes)
    moments = np.zeros((6, lanes))
    ends = np.zeros((2, lanes))
    starts = np.zeros((2, lanes))
    chk = np.zeros(lanes)
    nsteps = np.zeros(lanes)
    for t in range(iters + 1):
        # the objective and its gradients
        if objective == 2:
            _xcorr_lanes(k1, k2, c)
            _lane_dot(c, 0, 1, c, 0, 1, 2 * n - 1, dots, 0)
            for l in range(lanes):
                obj[l] = dots[0, l]
            _convsim_grad_lanes(k1, k2, c, g1, g2)
        else:
            _lane_dot(k1, 0, 1, k2, 0, 1, n, dots, 0)
            _lane_dot(k1, 0, 1, k1, 0, 1, n, dots, 1)
            _lane_dot(k2, 0, 1, k2, 0, 1, n, dots, 2)
            _kernel_inner_grad_lanes(k1, k2, dots, g1, g2, obj, objective == 1)
            if use_lags:
                _xcorr_lanes(k1, k2, c)
        # the feature-map measure
        if use_lags:
            _lane_dot(c, 0, 1, r, 0, 1, 2 * n - 1, dots, 0)
        else:
            _gram_form_lanes(k1, gram, k2, dots, 0)
        if fm == 3:
            _gram_form_lanes(k1, gram, k1, dots, 1)
            _gram_form_lanes(k2, gram, k2, dots, 2)
        if fm == 0:
            for l in range(lanes):
                meas[l] = abs(dots[0, l])
        elif fm == 1:
            for l in range(lanes):
                meas[l] = dots[0, l]
        elif fm == 2:
            for l in range(lanes):
                meas[l] = dots[0, l] * dots[0, l]
        else:
            for l in range(lanes):
                meas[l] = abs(dots[0, l]) / math.sqrt(dots[1, l] * dots[2, l])
        if t == 0:
            for l in range(lanes):
                starts[0, l] = obj[l]
                starts[1, l] = meas[l]
        if sqrt_corr:
            for l in range(lanes):
                ocorr[l] = math.sqrt(obj[l])
            _record_lanes(ocorr, meas, active, moments, ends, chk)
        else:
            _record_lanes(obj, meas, active, moments, ends, chk)
        n_active = 0
        for l in range(lanes):
            active[l] = 0.0 if obj[l] <= stop_below else active[l]
            n_active += 1 if active[l] > 0.0 else 0
        if t == iters or n_active == 0:
            break
        if adam:
            step = t + 1
            step_size = lr / (1.0 - beta1 ** step)
            inv_bc2_sqrt = 1.0 / math.sqrt(1.0 - beta2 ** step)
            _adam_lanes(k1, g1, m1, v1, active, step_size, inv_bc2_sqrt, beta1, beta2, eps)
            _adam_lanes(k2, g2, m2, v2, active, step_size, inv_bc2_sqrt, beta1, beta2, eps)
        else:
            _sgd_lanes(k1, g1, active, lr)
            _sgd_lanes(k2, g2, active, lr)
        for l in range(lanes):
            nsteps[l] += active[l]
    for l in range(lanes):
        e = e0 + l
        if e < E:
            fin = chk[l] == 0.0
            den = moments[3, l] * moments[4, l]
            out[e, 0] = starts[1, l]
            out[e, 1] = ends[1, l]
            out[e, 2] = starts[0, l]
            out[e, 3] = ends[0, l] * ends[0, l] if sqrt_corr else ends[0, l]
            out[e, 4] = moments[5, l] / math.sqrt(den) if (fin and den > 0.0) else np.nan
            steps_out[e] = int(nsteps[l])
            finite_out[e] = fin
            for a in range(n):
                kend_out[e, 0, a] = k1[a, l]
                kend_out[e, 1, a] = k2[a, l]


@njit(cache=True, parallel=True)
def _run_numba_kernel(k1_all, k2_all, x_all, lanes, pad, objective, fm, adam, lr, iters, stop_below,
                      beta1, beta2, eps, out, steps_out, finite_out, kend_out, sqrt_corr):
    """All episodes: a parallel loop over blocks of `lanes` episodes (see _run_block)."""
    E = k1_all.shape[0]
    nblocks = (E + lanes - 1) // lanes
    for b in prange(nblocks):
        _run_block(k1_all, k2_all, x_all, b * lanes, lanes, pad, objective, fm, adam, lr, iters, stop_below,
                   beta1, beta2, eps, out, steps_out, finite_out, kend_out, sqrt_corr)


def _run_numba(cfg: StudyConfig, k1: np.ndarray, k2: np.ndarray, x: np.ndarray, lanes: int = LANES) -> dict:
    E = k1.shape[0]
    out = np.empty((E, 5))
    steps = np.empty(E, dtype=np.int64)
    finite = np.empty(E, dtype=np.bool_)
    kend = np.empty((E, 2, k1.shape[1]))
    stop = -math.inf if cfg.stop_below is None else float(cfg.stop_below)
    _run_numba_kernel(np.ascontiguousarray(k1, dtype=np.float64), np.ascontiguousarray(k2, dtype=np.float64),
                      np.ascontiguousarray(x, dtype=np.float64), int(lanes), cfg.pad,
                      OBJECTIVES.index(cfg.objective), FM_MEASURES.index(cfg.fm_measure),
                      cfg.optimizer == "adam", float(cfg.lr), cfg.iters, stop, float(cfg.betas[0]),
                      float(cfg.betas[1]), float(cfg.eps), out, steps, finite, kend, cfg.corr_objective == "sqrt")
    return dict(measure_start=out[:, 0], measure_end=out[:, 1], objective_start=out[:, 2],
                objective_end=out[:, 3], corr=out[:, 4], steps=steps, finite=finite,
                k1_end=kend[:, 0], k2_end=kend[:, 1])


# ============================================================================ numpy, episodes batched

def _lag_index(n: int) -> np.ndarray:
    """idx (N, N) with idx[j, i] = j − i + N − 1: the index of the lag j − i on the 2N−1 axis."""
    return np.arange(n)[:, None] - np.arange(n)[None, :] + n - 1


def _xcorr_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a[e] ⊛ b[e])[n] = Σ_i a[e, i]·b[e, i+n] for every row e: (E, N), (E, N) → (E, 2N−1), lag n at
    index n + N − 1 (windows of the zero-padded b; einsum, no BLAS call)."""
    n = a.shape[1]
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(b, ((0, 0), (n - 1, n - 1))), n, axis=1)
    return np.einsum("ei,emi->em", a, windows)


def _xcorr_grads(c: np.ndarray, a: np.ndarray, b: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∂/∂a and ∂/∂b of Σ_n c[n]·(a ⊛ b)[n] with c held fixed (rows): Σ_j c[j−i]·b[j] and Σ_i c[j−i]·a[i]."""
    w = c[:, idx]                                   # (E, N, N): w[e, j, i] = c[e, j − i + N − 1]
    return np.einsum("eji,ej->ei", w, b), np.einsum("eji,ei->ej", w, a)


def _objective_rows(objective: str, k1: np.ndarray, k2: np.ndarray, lags):
    """:func:`objective_and_grad` for every row at once (objectives in BATCHED_OBJECTIVES): (E,), (E, N), (E, N).
    ``lags`` = :func:`_lag_index` (N)."""
    n = k1.shape[1]
    idx = lags
    c = _xcorr_rows(k1, k2)
    g1, g2 = _xcorr_grads(2.0 * c, k1, k2, idx)
    obj = np.sum(c * c, axis=1)
    if objective == "convsim":
        return obj, g1, g2
    obj, g1, g2 = 2.0 * obj, 2.0 * g1, 2.0 * g2
    for k, g in ((k1, g1), (k2, g2)):
        e = _xcorr_rows(k, k)
        e[:, n - 1] -= 1.0
        ga, gb = _xcorr_grads(2.0 * e, k, k, idx)
        g += ga + gb
        obj = obj + np.sum(e * e, axis=1)
    return obj, g1, g2


def _fm_measure_rows(measure: str, f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    s = np.sum(f1 * f2, axis=1)
    if measure == "abs":
        return np.abs(s)
    if measure == "signed":
        return s
    if measure == "sq":
        return s * s
    return np.abs(s) / np.sqrt(np.sum(f1 * f1, axis=1) * np.sum(f2 * f2, axis=1))


def _run_batched(cfg: StudyConfig, k1: np.ndarray, k2: np.ndarray, x: np.ndarray) -> dict:
    """Every episode at once in (E, N) arrays, the same arithmetic as :func:`_episode_numpy`
    (its per-episode twin, compared in the tests); no ``stop_below``."""
    if cfg.objective not in BATCHED_OBJECTIVES:
        raise ValueError(f"method 'batched' runs the objectives {BATCHED_OBJECTIVES}, got {cfg.objective!r}")
    if cfg.stop_below is not None:
        raise ValueError("method 'batched' has no stop_below; use 'numpy' or 'numba'")
    pad = cfg.pad
    k1, k2 = k1.copy(), k2.copy()
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, ((0, 0), (pad, pad))), cfg.n, axis=1)
    m1, v1, m2, v2 = (np.zeros_like(k1) for _ in range(4))
    objs, meas = [], []
    lags = _lag_index(cfg.n)
    with np.errstate(all="ignore"):
        for t in range(cfg.iters + 1):
            obj, g1, g2 = _objective_rows(cfg.objective, k1, k2, lags)
            meas.append(_fm_measure_rows(cfg.fm_measure, np.einsum("ewn,en->ew", windows, k1),
                                         np.einsum("ewn,en->ew", windows, k2)))
            objs.append(obj)
            if t == cfg.iters:
                break
            k1, k2 = _step_pair(cfg, t, k1, k2, g1, g2, (m1, v1, m2, v2))
        O, F = np.array(objs), np.array(meas)                            # (T+1, E)
        finite = np.all(np.isfinite(O), axis=0) & np.all(np.isfinite(F), axis=0)
        co = np.sqrt(O) if cfg.corr_objective == "sqrt" else O
        da, db = co - co.mean(0), F - F.mean(0)
        saa, sbb = np.sum(da * da, 0), np.sum(db * db, 0)
        corr = np.where((saa > 0) & (sbb > 0) & finite, np.sum(da * db, 0) / np.sqrt(saa * sbb), np.nan)
    E = k1.shape[0]
    return dict(measure_start=F[0].copy(), measure_end=F[-1].copy(), objective_start=O[0].copy(),
                objective_end=O[-1].copy(), corr=corr, steps=np.full(E, cfg.iters, dtype=np.int64),
                finite=finite, k1_end=k1, k2_end=k2)


# ============================================================================ studies

@dataclass(frozen=True)
class StudyResult:
    """Per-episode results of one study; every array has shape (E,).

    measure_start/_end: the feature-map measure at t = 0 and at the last recorded step;
    objective_start/_end: the objective there; corr: Pearson correlation between objective and
    measure over the trajectory (NaN when either is constant or the episode is non-finite);
    steps: optimizer steps run; finite: False when any recorded value was non-finite;
    extra: ``k1_start``, ``k2_start`` (E, N), ``x`` (E, M) (the inputs) and ``k1_end``,
    ``k2_end`` (E, N) (the final kernels), for :func:`orthogonality_measures`.
    """

    config: StudyConfig
    seed: int | None
    method: str
    measure_start: np.ndarray
    measure_end: np.ndarray
    objective_start: np.ndarray
    objective_end: np.ndarray
    corr: np.ndarray
    steps: np.ndarray
    finite: np.ndarray
    extra: dict = field(default_factory=dict)

    @property
    def episodes(self) -> int:
        return int(self.measure_start.shape[0])


def prepare_inputs(cfg: StudyConfig, episodes: int, seed: int,
                   inputs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None):
    """(k1 (E, N), k2 (E, N), x (E, M)): drawn by :func:`draw_inputs`, or ``inputs`` checked."""
    if not isinstance(cfg, StudyConfig):
        raise ValueError(f"cfg must be a StudyConfig, got {type(cfg).__name__}")
    if inputs is None:
        return draw_inputs(cfg, episodes, seed)
    k1, k2, x = (np.asarray(a, dtype=np.float64) for a in inputs)
    episodes = _check_episodes(episodes)
    if k1.shape != (episodes, cfg.n) or k2.shape != (episodes, cfg.n) or x.shape != (episodes, cfg.m):
        raise ValueError(f"inputs must have shapes ({episodes}, {cfg.n}), ({episodes}, {cfg.n}), "
                         f"({episodes}, {cfg.m}); got {k1.shape}, {k2.shape}, {x.shape}")
    if not (np.all(np.isfinite(k1)) and np.all(np.isfinite(k2)) and np.all(np.isfinite(x))):
        raise ValueError("inputs must be finite")
    return k1, k2, x


def run_study(cfg: StudyConfig, episodes: int, seed: int, method: str = "numba",
              inputs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> StudyResult:
    """Run ``episodes`` episodes of ``cfg`` with inputs from :func:`draw_inputs` (or the given
    ``inputs`` = (k1 (E, N), k2 (E, N), x (E, M))) by ``method`` "numba" | "numpy" | "batched"
    (numpy over all episodes at once; objectives BATCHED_OBJECTIVES, no stop_below).
    The torch reference: ``analysis.nets.convsim_study_torch.run_study(..., method="torch")``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r} (the torch reference is "
                         "analysis.nets.convsim_study_torch.run_study)")
    k1, k2, x = prepare_inputs(cfg, episodes, seed, inputs)
    if method == "numba" and cfg.objective in PEER_OBJECTIVES:
        raise ValueError(f"objective {cfg.objective!r} runs with method 'batched' or 'numpy', not 'numba'")
    if method == "numba":
        cols = _run_numba(cfg, k1, k2, x)
    elif method == "batched":
        cols = _run_batched(cfg, k1, k2, x)
    else:
        with np.errstate(all="ignore"):   # a diverging episode is flagged, not an error
            rows = [_episode_numpy(cfg, k1[e], k2[e], x[e]) for e in range(k1.shape[0])]
        names = ("measure_start", "measure_end", "objective_start", "objective_end", "corr", "steps", "finite",
                 "k1_end", "k2_end")
        cols = {name: np.array([row[i] for row in rows]) for i, name in enumerate(names)}
        cols["steps"] = cols["steps"].astype(np.int64)
        cols["finite"] = cols["finite"].astype(bool)
    extra = {"k1_start": k1, "k2_start": k2, "x": x, "k1_end": cols.pop("k1_end"), "k2_end": cols.pop("k2_end")}
    return StudyResult(config=cfg, seed=seed, method=method, extra=extra, **cols)


def _stats(values: np.ndarray) -> dict:
    """mean, std (ddof=1), se = std/√n, 95% normal CI of the mean, median, IQR (q75 − q25), n."""
    n = int(values.shape[0])
    if n == 0:
        nan = float("nan")
        return dict(mean=nan, std=nan, se=nan, ci95=[nan, nan], median=nan, iqr=nan, n=0)
    mean = float(np.mean(values))
    std = float(np.std(values, ddof=1)) if n > 1 else float("nan")
    se = std / math.sqrt(n) if n > 1 else float("nan")
    q25, q50, q75 = (float(q) for q in np.percentile(values, [25, 50, 75]))
    z = 1.959963984540054
    return dict(mean=mean, std=std, se=se, ci95=[mean - z * se, mean + z * se], median=q50,
                iqr=q75 - q25, n=n)


def summarize(result: StudyResult) -> dict:
    """The columns of Tables 1, 2 and 6 from one study.

    Over the finite episodes: ``correlation`` (mean, std, se, CI, median, IQR of the per-episode
    Pearson correlations, NaN ones left out and counted in n_nan_corr); ``reduction_frequency``
    (fraction with measure_end < measure_start) and its 95% Wilson CI; ``pct_decrease``
    = 100·(start − end)/|start| over decreasing episodes and ``pct_increase`` = 100·(end − start)/|start|
    over increasing ones (each with mean, std, se, CI, median, IQR: the increases are
    heavy-tailed); counts n (finite episodes), n_decrease, n_increase, n_nonfinite, n_nan_corr,
    n_zero_start (episodes with measure_start = 0, left out of the %-columns).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        return _summarize(result)


def _summarize(result: StudyResult) -> dict:
    fin = np.asarray(result.finite, dtype=bool)
    start = np.asarray(result.measure_start, dtype=np.float64)[fin]
    end = np.asarray(result.measure_end, dtype=np.float64)[fin]
    corr = np.asarray(result.corr, dtype=np.float64)[fin]
    n = int(fin.sum())
    dec = end < start
    inc = end > start
    nz = start != 0.0
    n_dec = int(dec.sum())
    pct_dec = 100.0 * (start - end)[dec & nz] / np.abs(start[dec & nz])
    pct_inc = 100.0 * (end - start)[inc & nz] / np.abs(start[inc & nz])
    corr_ok = corr[~np.isnan(corr)]
    freq = n_dec / n if n else float("nan")
    return dict(
        correlation=_stats(corr_ok),
        reduction_frequency=freq,
        reduction_frequency_ci=wilson_ci(n_dec, n),
        pct_decrease=_stats(pct_dec),
        pct_increase=_stats(pct_inc),
        n=n,
        n_decrease=n_dec,
        n_increase=int(inc.sum()),
        n_nonfinite=int((~fin).sum()),
        n_nan_corr=int(corr.shape[0] - corr_ok.shape[0]),
        n_zero_start=int((~nz).sum()),
    )


# ============================================================================ scale-free orthogonality
# Minimising L_CS (a quartic in the kernels) can drive ⟨F1, F2⟩ → 0 simply by shrinking the
# kernels: ⟨F1, F2⟩ is bilinear, L_CS ∝ ‖K‖⁴. These measures separate orthogonality from scale
# (issue 11 §2; Tables 2, 3, 6 and Algorithm 1).

def pair_convsim(k1: np.ndarray, k2: np.ndarray) -> float:
    """L_CS of one kernel pair, Eq. 8: Σ_n (K1 ⊛ K2)[n]², n = 1−N … N−1; k1, k2 (N,)."""
    c = kernel_xcorr(k1, k2)
    return float(c @ c)


def orthogonality_measures(result: StudyResult) -> dict[str, np.ndarray]:
    """Per-episode scale-free measures at the start and the end of each episode of ``result``.

    ``fm_cos_start``/``fm_cos_end``: |cos(F1, F2)| = |⟨F1, F2⟩|/(‖F1‖·‖F2‖) with the study's
    padding (Eq. 2/12–14; invariant under K_j → c_j·K_j); ``lcs_ratio_start``/``_end``:
    L_CS/(‖K1‖²·‖K2‖²) (Eq. 8 made scale-free: L_CS is quadratic in each kernel);
    ``norm_ratio``: ‖K1_end‖·‖K2_end‖/(‖K1_start‖·‖K2_start‖) (kernel-norm shrinkage, < 1 when
    the kernels shrink); ``finite``: the episode's values are all finite. Arrays (E,).
    Needs a result of :func:`run_study` (its ``extra`` holds the inputs and final kernels).
    """
    ex = result.extra
    if not {"k1_start", "k2_start", "x", "k1_end", "k2_end"} <= set(ex):
        raise ValueError("orthogonality_measures needs a StudyResult from analysis.convsim_study.run_study "
                         "(numba or numpy method), whose extra holds the inputs and the final kernels")
    pad = result.config.pad
    out = {}
    with np.errstate(all="ignore"):
        x = np.asarray(ex["x"], dtype=np.float64)
        xp = np.pad(x, ((0, 0), (pad, pad)))
        windows = np.lib.stride_tricks.sliding_window_view(xp, result.config.n, axis=1)   # (E, W, N)
        for tag in ("start", "end"):
            a, b = np.asarray(ex[f"k1_{tag}"]), np.asarray(ex[f"k2_{tag}"])
            f1 = np.einsum("ewn,en->ew", windows, a)      # Eq. 2 with padding P, every episode
            f2 = np.einsum("ewn,en->ew", windows, b)
            out[f"fm_cos_{tag}"] = np.abs(np.sum(f1 * f2, axis=1)) / np.sqrt(np.sum(f1 * f1, axis=1)
                                                                              * np.sum(f2 * f2, axis=1))
            out[f"lcs_ratio_{tag}"] = _pair_convsim_rows(a, b) / (np.sum(a * a, axis=1) * np.sum(b * b, axis=1))
        n0 = np.sqrt(np.sum(ex["k1_start"] ** 2, axis=1) * np.sum(ex["k2_start"] ** 2, axis=1))
        n1 = np.sqrt(np.sum(ex["k1_end"] ** 2, axis=1) * np.sum(ex["k2_end"] ** 2, axis=1))
        out["norm_ratio"] = n1 / n0
    out["finite"] = np.all(np.isfinite(np.stack(list(out.values()))), axis=0) & np.asarray(result.finite)
    return out


def _pair_convsim_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """L_CS (Eq. 8) of every row pair: Σ_n (a[e] ⊛ b[e])[n]² for a, b (E, N) → (E,)."""
    n = a.shape[1]
    total = np.zeros(a.shape[0])
    for lag in range(1 - n, n):
        lo, hi = max(0, -lag), min(n, n - lag)
        c = np.sum(a[:, lo:hi] * b[:, lo + lag:hi + lag], axis=1)
        total += c * c
    return total


def summarize_orthogonality(result: StudyResult) -> dict:
    """Medians over the finite episodes of :func:`orthogonality_measures`, and two frequencies.

    Returns ``fm_cos_median_start``, ``fm_cos_median_end``, ``lcs_ratio_median_start``,
    ``lcs_ratio_median_end``, ``norm_ratio_median``, ``cos_reduction_frequency`` (fraction of
    episodes whose |cos(F1, F2)| decreased: the scale-free reduction frequency),
    ``near_orthogonal_frequency`` (fraction ending with |cos(F1, F2)| ≤ 0.1) and ``n``.
    """
    m = orthogonality_measures(result)
    ok = m["finite"]
    if not ok.any():
        nan = float("nan")
        return dict(fm_cos_median_start=nan, fm_cos_median_end=nan, lcs_ratio_median_start=nan,
                    lcs_ratio_median_end=nan, norm_ratio_median=nan, cos_reduction_frequency=nan,
                    near_orthogonal_frequency=nan, n=0)
    return dict(
        fm_cos_median_start=float(np.median(m["fm_cos_start"][ok])),
        fm_cos_median_end=float(np.median(m["fm_cos_end"][ok])),
        lcs_ratio_median_start=float(np.median(m["lcs_ratio_start"][ok])),
        lcs_ratio_median_end=float(np.median(m["lcs_ratio_end"][ok])),
        norm_ratio_median=float(np.median(m["norm_ratio"][ok])),
        cos_reduction_frequency=float(np.mean(m["fm_cos_end"][ok] < m["fm_cos_start"][ok])),
        near_orthogonal_frequency=float(np.mean(m["fm_cos_end"][ok] <= 0.1)),
        n=int(ok.sum()),
    )


# ============================================================================ Algorithm 1 on one layer

def layer_feature_map_cosines(kernels: np.ndarray, x: np.ndarray) -> np.ndarray:
    """|cos(F_i, F_j)| for every pair i < j of one 2-D convolutional layer (full padding).

    kernels (S, C, N, N), x (C, M, M) → (S(S−1)/2,): F_i = Σ_c K_i[c] ⊛ X[c] (a Conv2d output map).
    """
    from analysis.convsim import cross_correlate

    fms = np.stack([cross_correlate(x, kernels[i], "full", ndim=2).ravel() for i in range(kernels.shape[0])])
    norms = np.linalg.norm(fms, axis=1)
    g = np.abs(fms @ fms.T) / np.outer(norms, norms)
    iu = np.triu_indices(kernels.shape[0], 1)
    return g[iu]


def adam_minimize(k: np.ndarray, grad, lr: float, iters: int, betas: tuple[float, float] = (0.9, 0.999),
                  eps: float = 1e-8) -> np.ndarray:
    """``iters`` Adam steps (Kingma & Ba, bias-corrected, float64) on ``k`` with gradient
    ``grad(k)``; returns the final ``k`` (a new array)."""
    k = np.array(k, dtype=np.float64)
    m = np.zeros_like(k)
    v = np.zeros_like(k)
    for t in range(1, iters + 1):
        g = grad(k)
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        k = k - lr / (1 - betas[0] ** t) * m / (np.sqrt(v) / math.sqrt(1 - betas[1] ** t) + eps)
    return k


def layer_minimization(kernels: np.ndarray, x: np.ndarray, lr: float, iters: int,
                       betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> dict:
    """Algorithm 1 on one layer: Adam on L_CS (Eq. 10) of ``kernels`` (S, C, N, N) for ``iters``
    steps, and what it does to the layer's feature maps on the input ``x`` (C, M, M).

    Returns, at the start and the end: ``lcs`` (Eq. 10), ``lcs_scale_free`` = L_CS/(Σ_i ‖K_i‖²)²
    (L_CS is of degree 4), ``kernel_norm`` (‖K‖, all kernels), ``fm_inner_abs_mean`` (mean
    |⟨F_i, F_j⟩| over pairs), ``fm_cos_mean`` (mean |cos(F_i, F_j)| over pairs); and
    ``norm_ratio`` = ‖K_end‖/‖K_start‖.
    """
    from analysis.convsim import convsim_loss, convsim_loss_grad, cross_correlate

    k = np.array(kernels, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)

    def measures(kk):
        fms = np.stack([cross_correlate(x, kk[i], "full", ndim=2).ravel() for i in range(kk.shape[0])])
        iu = np.triu_indices(kk.shape[0], 1)
        inner = np.abs(fms @ fms.T)[iu]
        lcs = convsim_loss(kk)
        sq = float(np.sum(kk * kk))
        return {"lcs": lcs, "lcs_scale_free": lcs / sq ** 2, "kernel_norm": math.sqrt(sq),
                "fm_inner_abs_mean": float(inner.mean()),
                "fm_cos_mean": float(layer_feature_map_cosines(kk, x).mean())}

    start = measures(k)
    k = adam_minimize(k, convsim_loss_grad, lr, iters, betas, eps)
    end = measures(k)
    return {"start": start, "end": end, "norm_ratio": end["kernel_norm"] / start["kernel_norm"]}
