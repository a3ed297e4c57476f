"""Lipschitz Continuity Retained BNN suite (paper 002, short name ``lcr``).

Every number in a claim's ``measured`` is computed in this run from ``analysis.lipschitz`` (and,
for the gradient claims, from torch autograd). Paper numbers appear only in ``expected`` (with
their place) and in the printed-table constants below. Readings chosen where the paper is
ambiguous (each also in the claim's note):

* Activations are rows: a (n, c) with n samples (or positions) and c channels; the paper's
  A = aᵀ (Eq. 6). "channel" space = M = a_prevᵀ·a_next (the official code's form, up to the
  transpose), "sample" space = Eq. 8 as printed (M = a_prev·a_nextᵀ, needs c_in = c_out).
* Eq. 7 (samples mutually orthogonal) and the step to Eq. 9 (A·Aᵀ = I, i.e. channels
  orthonormal) are different assumptions; both are run.
* ‖W‖_SN in §3.2 is σ1(WᵀW) = σ1(W)²; Eq. 3 defines σ1(W). The gradient claims are run with
  s_B = σ1(W_B) (the reading under which Eq. 13's u1v1ᵀ is the derivative) and with
  s_B = σ1(W_B)² (the §3.2 definition); the sign conclusion is the same for both.
* Table 3: the blank column header between −1 and 1 is log2 λ = 0. The ResNet-18 row has seven
  values for six columns; reading (a) drops the second value 83.9 (a stray copy of the
  ResNet-20 λ = 0 cell), reading (b) drops the first, 85.9. Both are run.
* Table 5's 1.695×10^9 matches our count 1.6955×10^9 only when the paper truncates the last
  digit (rounding gives 1.696); recorded as the reading under which it agrees.

Network claims read the run cache (never train): the runs of ``analysis/nets/configs/lcr/
table3.yaml`` and ``variants.yaml`` for the context's preset, plus the ``corruption.json`` and
``fig3_similarity.json`` that the figure scripts ``lcr_corruption`` and ``lcr_fig3`` store in
those run folders. While they are missing the claims are ``not-run`` and name the command
(``workbench figures --only lcr_table3|lcr_corruption|lcr_fig3|lcr_variants --preset P``).
At quick/smoke scale accuracies are ``reported`` (no comparison with CIFAR/ImageNet numbers);
paired tests across seeds (same seed = same initialisation and data order) carry the comparison.
"""
from __future__ import annotations

import math
import time
from typing import Iterator

import numpy as np

from analysis import lipschitz as lp
from validation.ledger import Claim, printed_half_unit
from validation.registry import SuiteContext, register_suite

PAPER = "002_47c586d046ef3995.txt"
ROUND_TOL = 1e-9  # relative; float64 rounding of eigenvalues of ≤ 256×256 products (≈ 1e-13) ≪ this

# ----------------------------------------------------------------------------- printed numbers
# Table 3 (effect of λ; CIFAR-10 top-1 %), columns λ = 0, log2 λ = −1, 0, 1, 2, 3.
TABLE3_LOG2_LAMBDA = (None, -1, 0, 1, 2, 3)  # None: λ = 0
TABLE3_RESNET20 = ("83.9", "83.7", "84.5", "85.9", "87.2", "86.5")
TABLE3_RESNET18_RAW = ("85.9", "83.9", "86.2", "87.9", "90.1", "91.2", "91.8")  # 7 cells, 6 columns
TABLE2_IRNET = {"resnet20": "85.5", "resnet18": "91.5"}  # Table 2 (and Table 4 for ResNet-20)
# Table 2, CIFAR-10 rows run by lcr/table2.yaml: setting -> printed top-1 (%)
TABLE2_CIFAR10 = {"r18_fp": "93.0", "r18_irnet": "91.5", "r18_ours": "91.8",
                  "r20_fp": "91.7", "r20_irnet": "85.5", "r20_irbireal": "86.5", "r20_ours": "86.0",
                  "r20_ours_bireal": "87.2", "r20_irnet_w1a32": "90.2", "r20_ours_w1a32": "91.2"}
TABLE2_PAIRS = {"r18_ours": "r18_irnet", "r20_ours": "r20_irnet", "r20_ours_bireal": "r20_irbireal",
                "r20_ours_w1a32": "r20_irnet_w1a32"}  # "Ours" row -> its IR-Net row
TABLE2_CIFAR10_TOL = 1.0  # percentage points: the seed-to-seed spread of one CIFAR-10 ResNet-20 run
# Table 5 (ResNet-18, ImageNet): BOPs and FLOPs as printed.
TABLE5 = {"xnor_bops": "1.695e9", "xnor_flops": "1.333e8", "irnet_bops": "1.676e9",
          "irnet_flops": "1.544e8", "fp_flops": "1.826e9"}
FIG2_STD = {"irnet": "1.42", "lcr": "1.11", "percent_higher": "28"}  # §4.4, layer3.0.conv2


def _rng(ctx: SuiteContext, tag: int) -> np.random.Generator:
    return np.random.default_rng([ctx.seed, tag])


def _summary(x) -> dict:
    """median, IQR, min, max of a sample (the ledger's heavy-tailed-column convention)."""
    x = np.asarray(x, dtype=np.float64)
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    return {"median": float(med), "iqr": [float(q1), float(q3)], "min": float(x.min()),
            "max": float(x.max()), "n": int(x.size)}


def _claim(ctx, t0, **kw) -> Claim:
    return Claim(paper=PAPER, seed=ctx.seed, runtime_s=time.perf_counter() - t0, **kw)


def _orthonormal(rng, n, c):
    q, _ = np.linalg.qr(rng.standard_normal((n, c)))
    return q


def _lam(rm) -> float:
    return float(np.linalg.eigvalsh(rm)[-1])


# ----------------------------------------------------------------------------- activation models

def _activations(kind: str, rng, n: int, c: int) -> np.ndarray:
    """(n, c) activations of one of the 'realistic' kinds of the Eq. 7–9 study."""
    if kind == "gaussian":
        return rng.standard_normal((n, c))
    if kind == "relu":
        return np.maximum(rng.standard_normal((n, c)), 0.0)
    if kind == "batchnorm":
        a = np.maximum(rng.standard_normal((n, c)) @ (np.eye(c) + 0.3 * rng.standard_normal((c, c))), 0.0)
        return (a - a.mean(0)) / (a.std(0) + 1e-5)
    if kind == "trained":
        return _trained_hidden(rng, n, c)
    raise ValueError(kind)


def _trained_hidden(rng, n: int, c: int, d: int = 20, steps: int = 100, lr: float = 0.1) -> np.ndarray:
    """Hidden activations relu(X·W1ᵀ + b1) (n, c) of a 2-layer net d → c → 1 trained briefly
    (``steps`` of full-batch gradient descent, logistic loss) on a random linear teacher."""
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


# ----------------------------------------------------------------------------- the suite

@register_suite("lcr", paper=PAPER)
def run(ctx: SuiteContext) -> Iterator[Claim]:
    """Retention Matrix (Eq. 7–10, Thm 1), power iteration (Alg. 2), LCR gradients (Eq. 11–13),
    Lipschitz bounds (Eq. 3–5), binarization, Tables 2–6 and Figs 2–3 of the LCR-BNN paper."""
    yield from _eq9_exact(ctx)
    yield from _eq7_only(ctx)
    yield from _theorem1(ctx)
    yield from _realistic(ctx)
    yield from _sn_definition(ctx)
    yield from _power_iteration(ctx)
    yield from _gradients(ctx)
    yield from _gradient_scale(ctx)
    yield from _blockwise(ctx)
    yield from _bounds(ctx)
    yield from _binarization(ctx)
    yield from _table3(ctx)
    yield from _table5(ctx)
    yield from _fig2(ctx)
    yield from _network_claims(ctx)


def _eq9_exact(ctx):
    for tag, space in enumerate(("channel", "sample")):
        t0 = time.perf_counter()
        rng = _rng(ctx, 100 + tag)
        n_ep = ctx.n_episodes(200)
        errs = []
        for _ in range(n_ep):
            c = int(rng.integers(2, 33))
            n = int(rng.integers(c, 4 * c + 1))
            a = _orthonormal(rng, n, c)
            w = rng.standard_normal((c, c)) if space == "sample" else rng.standard_normal((int(rng.integers(1, 33)), c))
            lam = _lam(lp.retention_matrix(a, a @ w.T, space))
            errs.append(abs(lam / lp.spectral_norm(w) ** 2 - 1.0))
        worst = float(np.max(errs))
        yield _claim(ctx, t0, id=f"lcr.eq9.rm_equals_wtw.{space}", where="Eq. 8-9, §3.2",
                     statement=f"With channel-orthonormal activations (A·Aᵀ = I, the step to Eq. 9), "
                               f"λmax(RM) = λmax(WᵀW) = σ1(W)² exactly ({space} space).",
                     expected="λmax(RM)/σ1(W)² = 1", measured={"max_rel_error": worst, "episodes": n_ep},
                     tolerance=f"max relative error ≤ {ROUND_TOL:g} (float64 rounding of eigvalsh on ≤ 128×128)",
                     status="confirmed" if worst <= ROUND_TOL else "deviates",
                     note="a = Q from a QR factorisation (n ≥ c), W Gaussian; "
                          + ("W square (Eq. 8 needs c_in = c_out)." if space == "sample" else "W rectangular allowed."))


def _eq7_only(ctx):
    """Eq. 7 alone: samples mutually orthogonal (a·aᵀ diagonal), norms free, n ≤ c."""
    for tag, space in enumerate(("channel", "sample")):
        t0 = time.perf_counter()
        rng = _rng(ctx, 200 + tag)
        n_ep = ctx.n_episodes(200)
        unit, free = [], []
        for _ in range(n_ep):
            c = int(rng.integers(4, 33))
            n = int(rng.integers(2, c))
            q = _orthonormal(rng, c, n).T            # (n, c) orthonormal rows: samples orthonormal
            w = rng.standard_normal((c, c))
            s2 = lp.spectral_norm(w) ** 2
            unit.append(_lam(lp.retention_matrix(q, q @ w.T, space)) / s2)
            d = np.exp(rng.uniform(-1, 1, n))        # orthogonal samples with norms in [e^-1, e]
            a = d[:, None] * q
            free.append(_lam(lp.retention_matrix(a, a @ w.T, space)) / s2)
        summ = {"unit_norm_samples": _summary(unit), "free_norm_samples": _summary(free)}
        off = max(abs(1 - summ["unit_norm_samples"]["median"]), abs(1 - summ["free_norm_samples"]["median"]))
        yield _claim(ctx, t0, id=f"lcr.eq7.orthogonal_samples.{space}", where="Eq. 7 → Eq. 9, §3.2",
                     statement=f"Eq. 7's assumption alone (samples mutually orthogonal) gives "
                               f"λmax(RM) = λmax(WᵀW) ({space} space).",
                     expected="λmax(RM)/σ1(W)² = 1", measured=summ,
                     tolerance="refuted when the median ratio differs from 1 by more than 10% "
                               "(any systematic gap disproves an exact equality; 10% is far above rounding)",
                     status="refuted" if off > 0.1 else "confirmed",
                     note="n < c samples with orthonormal rows give a·aᵀ = I_n but aᵀa = a projection, "
                          "so λmax(RM) = σ1(W·P)² ≤ σ1(W)² (channel) — Eq. 9 needs aᵀa = I_c (channels "
                          "orthonormal), a different assumption; free norms scale the ratio by up to e⁴.")


def _theorem1(ctx):
    t0 = time.perf_counter()
    rng = _rng(ctx, 300)
    n_ep = ctx.n_episodes(200)
    sq_err, ns_ratio = [], []
    for _ in range(n_ep):
        d = int(rng.integers(2, 17))
        h = rng.standard_normal((d, d))
        h = h @ h.T
        u = _orthonormal(rng, d, d)
        sq_err.append(abs(_lam(u.T @ h @ u) / _lam(h) - 1))
        k = int(rng.integers(1, d))
        un = _orthonormal(rng, d, k)                   # d×k, UᵀU = I_k, not square
        ns_ratio.append(_lam(un.T @ h @ un) / _lam(h))
    worst = float(max(sq_err))
    yield _claim(ctx, t0, id="lcr.thm1.square", where="Theorem 1, appendix 6.1",
                 statement="For square orthogonal U, σ1(UᵀHU) = σ1(H).", expected="ratio 1",
                 measured={"max_rel_error": worst, "episodes": n_ep},
                 tolerance=f"max relative error ≤ {ROUND_TOL:g} (rounding)",
                 status="confirmed" if worst <= ROUND_TOL else "deviates",
                 note="H random PSD, U from QR.")
    t0 = time.perf_counter()
    ce = np.diag([1.0, 2.0])
    e1 = np.array([[1.0], [0.0]])
    ce_val = [_lam(e1.T @ ce @ e1), _lam(ce)]
    yield _claim(ctx, t0, id="lcr.thm1.nonsquare", where="Theorem 1, appendix 6.1 (used with U = A in Eq. 9)",
                 statement="UᵀU = I (the theorem's hypothesis) suffices for σ1(UᵀHU) = σ1(H); the proof "
                           "uses U⁻¹, which exists only for square U.",
                 expected="ratio 1", measured={"counterexample_H_diag12_U_e1": ce_val,
                                               "random_nonsquare_ratio": _summary(ns_ratio)},
                 tolerance="a single exact counterexample refutes the statement",
                 status="refuted" if ce_val[0] != ce_val[1] else "confirmed",
                 note="For U = e1 ∈ R^{2×1} (UᵀU = 1), UᵀHU = 1 while σ1(H) = 2; for random d×k U the "
                      "ratio is ≤ 1 (Cauchy interlacing).")


def _realistic(ctx):
    """Ratio λmax(RM)/σ1(W)² for realistic activations, raw and scale-normalised."""
    kinds = ("gaussian", "relu", "batchnorm", "trained")
    n, c = 128, 32
    for k_i, kind in enumerate(kinds):
        for s_i, space in enumerate(("channel", "sample")):
            t0 = time.perf_counter()
            rng = _rng(ctx, 400 + 10 * k_i + s_i)
            n_ep = ctx.n_episodes(100) if kind != "trained" else max(1, ctx.n_episodes(100) // 5)
            raw, norm = [], []
            for _ in range(n_ep):
                a = _activations(kind, rng, n, c)
                w = rng.standard_normal((c, c)) * math.sqrt(2.0 / c)  # Kaiming
                lam = _lam(lp.retention_matrix(a, a @ w.T, space))
                s2 = lp.spectral_norm(w) ** 2
                g_scale = float(np.trace(a.T @ a)) / c            # mean squared column norm
                raw.append(lam / s2)
                norm.append(lam / (s2 * g_scale ** 2))
            meas = {"raw_ratio": _summary(raw), "scale_normalised_ratio": _summary(norm), "n": n, "c": c}
            yield _claim(ctx, t0, id=f"lcr.eq9.realistic.{kind}.{space}", where="Eq. 7-9, §3.2; §4.4",
                         statement=f"Distribution of λmax(RM)/σ1(W)² for {kind} activations ({space} space).",
                         expected=None, measured=meas,
                         tolerance="none (the paper prints no number); median and IQR over episodes",
                         status="reported",
                         note="raw ratio carries the activation scale (≈ mean squared column norm squared, "
                              "s⁴); the normalised ratio divides by (tr(aᵀa)/c)², the best a single scale "
                              "correction can do. 'trained': hidden layer of a 2-layer net after 100 GD steps.")
    # scale dependence: exponent of λmax(RM) in the activation scale
    t0 = time.perf_counter()
    rng = _rng(ctx, 480)
    a = _activations("relu", rng, n, c)
    w = rng.standard_normal((c, c)) * math.sqrt(2.0 / c)
    scales = np.array([0.25, 0.5, 1.0, 2.0, 4.0])
    exps = {}
    for space in ("channel", "sample"):
        lams = [_lam(lp.retention_matrix(s * a, s * a @ w.T, space)) for s in scales]
        exps[space] = float(np.polyfit(np.log(scales), np.log(lams), 1)[0])
    ok = all(abs(e - 4) < 1e-6 for e in exps.values())
    yield _claim(ctx, t0, id="lcr.eq9.scale_exponent", where="Eq. 8-9, §3.2",
                 statement="λmax(RM) scales as s⁴ when the activations are scaled by s, so it equals "
                           "σ1(W)² only at one activation scale (binary ±1 and FP activations differ in scale).",
                 expected=4, measured=exps,
                 tolerance="|exponent − 4| < 1e-6 (least-squares slope of exact power laws; rounding)",
                 status="confirmed" if ok else "deviates",
                 note="expected value from the derivation RM(s·a) = s⁴·RM(a), not from the paper.")


def _sn_definition(ctx):
    t0 = time.perf_counter()
    w = 2.0 * np.eye(3)
    eq3 = lp.spectral_norm(w)
    sec32 = lp.spectral_norm_sq(w)
    rng = _rng(ctx, 500)
    a = _orthonormal(rng, 64, 8)
    wr = rng.standard_normal((8, 8))
    lam = _lam(lp.retention_matrix(a, a @ wr.T))
    meas = {"W=2I": {"eq3_sigma1": eq3, "sec32_sigma1_WtW": sec32},
            "rm_over_sigma1": lam / lp.spectral_norm(wr), "rm_over_sigma1_sq": lam / lp.spectral_norm(wr) ** 2}
    yield _claim(ctx, t0, id="lcr.sec32.sn_definition", where="§3.2 (after Eq. 9) vs Eq. 3",
                 statement="‖W‖_SN := σ1(WᵀW) is the spectral norm of Eq. 3, so RM estimates the spectral norm.",
                 expected="σ1(WᵀW) = σ1(W)", measured=meas,
                 tolerance="a single exact counterexample (W = 2I) refutes the identity",
                 status="refuted" if abs(eq3 - sec32) > 1e-12 else "confirmed",
                 note="σ1(WᵀW) = σ1(W)²: under Eq. 9 RM estimates the squared spectral norm, so Eq. 11's "
                      "ratio ‖RM_B‖/‖RM_F‖ is (σ_B/σ_F)²; the official code takes square roots (MSE of √λ).")
    # the sign function is not Lipschitz (§3.2: "it still has an explicit Lipschitz constant")
    t0 = time.perf_counter()
    eps = 10.0 ** -np.arange(1, 9)
    quot = (np.sign(eps) - np.sign(-eps)) / (2 * eps)
    yield _claim(ctx, t0, id="lcr.sec32.sign_lipschitz", where="§3.2, after Eq. 4",
                 statement="The sign function has an explicit (finite) Lipschitz constant.",
                 expected="finite constant", measured={"eps": eps.tolist(), "difference_quotient_at_0": quot.tolist()},
                 tolerance="an unbounded difference quotient refutes a finite Lipschitz constant",
                 status="refuted" if quot[-1] > 1e7 else "confirmed",
                 note="|sign(ε) − sign(−ε)|/(2ε) = 1/ε → ∞; only the STE surrogate (hardtanh, constant 1) is Lipschitz.")


def _spectrum_matrix(rng, d, gap):
    """Symmetric PSD (d, d) with λ1 = 1, λ2 = gap, the rest uniform in [0, gap]; random eigenbasis."""
    ev = np.r_[1.0, gap, rng.uniform(0, gap, d - 2)]
    q = _orthonormal(rng, d, d)
    return (q * ev) @ q.T


def _power_iteration(ctx):
    gaps = (0.5, 0.8, 0.95)
    dims = (16, 64, 256)
    n_ep = max(1, ctx.n_episodes(50) // 2)
    t0 = time.perf_counter()
    rng = _rng(ctx, 600)
    res = {"fixed5_from_ones": {}, "alg2_res_1e-3": {}, "alg2_iterations": {}, "official_one_step_sqrt": {},
           "official_one_step_sqrt_over_d_quarter": {}}
    for gap in gaps:
        for d in dims:
            key = f"gap{gap}_d{d}"
            e5, ea, it, eo, eo2 = [], [], [], [], []
            for _ in range(n_ep):
                m = _spectrum_matrix(rng, d, gap)
                e5.append(1.0 - lp.power_iteration(m, 5)[0])
                val, _, n_it = lp.power_iteration_residual(m, res_stop=1e-3, seed=rng)
                ea.append(abs(1.0 - val))
                it.append(n_it)
                off = lp.power_iteration_official(m, 1)
                eo.append(abs(off - 1.0))                     # √λ1 = 1
                eo2.append(abs(off / d ** 0.25 - 1.0))
            res["fixed5_from_ones"][key] = float(np.median(e5))
            res["alg2_res_1e-3"][key] = float(np.median(ea))
            res["alg2_iterations"][key] = float(np.median(it))
            res["official_one_step_sqrt"][key] = float(np.median(eo))
            res["official_one_step_sqrt_over_d_quarter"][key] = float(np.median(eo2))
    rt = time.perf_counter() - t0
    common = dict(paper=PAPER, seed=ctx.seed, runtime_s=rt, expected=None, status="reported")
    yield Claim(id="lcr.sec33.five_iterations.error", where="§3.3 ('5 in practice'), Alg. 2",
                statement="Relative error of λ1 after 5 power iterations from the all-ones vector "
                          "(Rayleigh quotient), by spectral gap λ2/λ1 and dimension.",
                measured={"median_rel_error": res["fixed5_from_ones"], "episodes": n_ep},
                tolerance="none (no printed number); medians over episodes",
                note="error ≈ (λ2/λ1)^10·tan²θ0: small for gap 0.5, large for gap ≥ 0.9; random eigenbasis.",
                **common)
    yield Claim(id="lcr.alg2.residual_threshold.error", where="Algorithm 2, appendix 6.2",
                statement="Algorithm 2 (random start, stop when ‖v_{i+1} − v_i‖ < 1e-3, return "
                          "v_{i+1}ᵀRMv_i): relative error and iteration count by gap and dimension.",
                measured={"median_rel_error": res["alg2_res_1e-3"], "median_iterations": res["alg2_iterations"],
                          "episodes": n_ep},
                tolerance="none (no printed number or threshold); res_stop = 1e-3 chosen here",
                note="the residual threshold is not printed; a small residual does not bound the eigenvalue "
                     "error when the gap is small (slow convergence, early stop).", **common)
    yield Claim(id="lcr.code.top_eigenvalue.error", where="official code LCR.py TopEigenvalue vs §3.3",
                statement="The official code's one power step from the unnormalised all-ones vector, returning "
                          "√‖RM·1‖: relative error against √λ1, and against √λ1·d^{1/4}.",
                measured={"median_rel_error_vs_sqrt_lambda1": res["official_one_step_sqrt"],
                          "median_rel_error_vs_sqrt_lambda1_times_d_quarter": res["official_one_step_sqrt_over_d_quarter"],
                          "episodes": n_ep},
                tolerance="none (no printed number)",
                note="one step is far from √λ1 (the unnormalised start carries √d); the loss compares FP and "
                     "binary values of the same d, so the factor partly cancels in the MSE of Eq. 11's variant.",
                **common)
    # realistic RMs: Kaiming 64×64 layers with ReLU and batch-normalised activations
    for kind in ("relu", "batchnorm"):
        t0 = time.perf_counter()
        rng = _rng(ctx, 610 + (kind == "batchnorm"))
        errs, gapsr = [], []
        for _ in range(max(1, ctx.n_episodes(50) // 2)):
            a = _activations(kind, rng, 256, 64)
            w = rng.standard_normal((64, 64)) * math.sqrt(2.0 / 64)
            rm = lp.retention_matrix(a, a @ w.T)
            ev = np.linalg.eigvalsh(rm)
            errs.append(1.0 - lp.power_iteration(rm, 5)[0] / ev[-1])
            gapsr.append(ev[-2] / ev[-1])
        yield _claim(ctx, t0, id=f"lcr.sec33.five_iterations.realistic.{kind}", where="§3.3 ('5 in practice')",
                     statement=f"Relative error of 5 power iterations (from all-ones) on RMs of {kind} activations "
                               "through a Kaiming 64×64 layer (channel space), with the RMs' gap λ2/λ1.",
                     expected=None, measured={"rel_error": _summary(errs), "gap": _summary(gapsr)},
                     tolerance="none (no printed number)", status="reported",
                     note="ReLU activations share a large mean component that makes λ1 of RM dominant (tiny gap "
                          "ratio, exact after 5 steps) — RM then mostly measures that mean direction; batch-normalised "
                          "activations remove it and the gap, and the error, grow.")


def _gradients(ctx):
    import torch

    # (1) appendix 6.3's v1u1ᵀ vs u1v1ᵀ by central finite differences
    t0 = time.perf_counter()
    rng = _rng(ctx, 700)
    e_app, e_13 = [], []
    for _ in range(ctx.n_episodes(20)):
        d = int(rng.integers(2, 7))
        w = rng.standard_normal((d, d))
        h = 1e-6
        fd = np.zeros_like(w)
        for idx in np.ndindex(*w.shape):
            e = np.zeros_like(w)
            e[idx] = h
            fd[idx] = (lp.spectral_norm(w + e) - lp.spectral_norm(w - e)) / (2 * h)
        e_13.append(float(np.abs(lp.spectral_norm_gradient(w) - fd).max()))
        e_app.append(float(np.abs(lp.spectral_norm_gradient_appendix(w) - fd).max()))
    fd_tol = 1e-6  # central differences, h = 1e-6: truncation O(h²) + rounding O(eps/h) ≈ 1e-10
    yield _claim(ctx, t0, id="lcr.eq13.spectral_norm_gradient", where="Eq. 13 (u1 v1ᵀ)",
                 statement="∂σ1(W)/∂W = u1·v1ᵀ.", expected="max |analytic − FD| ≤ 1e-6",
                 measured={"max_abs_error": _summary(e_13)},
                 tolerance=f"max abs difference ≤ {fd_tol:g} (central FD with h = 1e-6)",
                 status="confirmed" if max(e_13) <= fd_tol else "deviates",
                 note="square Gaussian W (2..6), simple top singular value almost surely.")
    yield _claim(ctx, t0, id="lcr.app63.spectral_norm_gradient", where="appendix 6.3, last line (v1 u1ᵀ)",
                 statement="∂‖W_B‖_SN/∂W_B = v1·u1ᵀ.", expected="max |analytic − FD| ≤ 1e-6",
                 measured={"max_abs_error": _summary(e_app)},
                 tolerance=f"refuted when the error exceeds {fd_tol:g} on every episode (the formula is the transpose)",
                 status="refuted" if min(e_app) > fd_tol else "confirmed",
                 note="the directional derivative u1ᵀHv1 = tr(v1u1ᵀH) gives the gradient (v1u1ᵀ)ᵀ = u1v1ᵀ "
                      "(the appendix drops the transpose); Eq. 13 in the main text is right.")

    # (2) Eq. 13 against the true gradient of Eq. 11-12, hand-derived and by autograd
    t0 = time.perf_counter()
    rng = _rng(ctx, 710)
    lam_, beta, L = 1.0, 2.0, 4
    rows = []
    max_err = 0.0
    for reading in ("sigma1", "sigma1_sq"):
        for r_target in (0.5, 0.9, 1.1, 2.0):
            for k in (1, 3):
                w = rng.standard_normal((5, 5))
                sig = lp.spectral_norm(w)
                s_b = sig if reading == "sigma1" else sig ** 2
                s_f = s_b / r_target
                r = s_b / s_f
                # hand-derived: L = λ/2·[(r−1)β^{k−L}]²  ⇒  ∂L/∂W = λβ^{2(k−L)}(r−1)/s_F · ∂s_B/∂W
                ds = lp.spectral_norm_gradient(w) * (1.0 if reading == "sigma1" else 2 * sig)
                g_hand = lam_ * beta ** (2 * (k - L)) * (r - 1.0) / s_f * ds
                wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
                st = torch.linalg.matrix_norm(wt, ord=2)
                st = st if reading == "sigma1" else st ** 2
                loss = lam_ / 2 * ((st / s_f - 1.0) * beta ** (k - L)) ** 2
                (g_auto,) = torch.autograd.grad(loss, wt)
                g_auto = g_auto.numpy()
                max_err = max(max_err, float(np.abs(g_auto - g_hand).max() / max(np.abs(g_hand).max(), 1e-300)))
                g13 = -lam_ * beta ** (k - L) * (s_f / s_b) * lp.spectral_norm_gradient(w)
                u1v1 = lp.spectral_norm_gradient(w)
                rows.append({"reading": reading, "ratio": round(r, 6), "k": k,
                             "true_coef": float(np.sum(g_auto * u1v1)), "eq13_coef": float(np.sum(g13 * u1v1))})
    yield _claim(ctx, t0, id="lcr.eq11_12.gradient.hand_vs_autograd", where="Eq. 11-12",
                 statement="The hand-derived gradient λβ^{2(k−L)}(r−1)/s_F·∂s_B/∂W of Eq. 11–12 equals autograd's.",
                 expected="agreement to rounding", measured={"max_rel_error": max_err},
                 tolerance="max relative error ≤ 1e-9 (float64 SVD gradients; rounding)",
                 status="confirmed" if max_err <= 1e-9 else "deviates",
                 note="s_B = σ1(W_B) and s_B = σ1(W_B)² readings, r = s_B/s_F on both sides of 1, k ∈ {1, 3}, "
                      "L = 4, β = 2, λ = 1.")
    agree_below = all(np.sign(x["true_coef"]) == np.sign(x["eq13_coef"]) for x in rows if x["ratio"] < 1)
    agree_above = all(np.sign(x["true_coef"]) == np.sign(x["eq13_coef"]) for x in rows if x["ratio"] > 1)
    yield _claim(ctx, t0, id="lcr.eq13.sign", where="Eq. 13, appendix Eq. 27",
                 statement="Eq. 13's term −λβ^{k−L}(‖RM_F‖/‖RM_B‖)·u1v1ᵀ approximates the gradient of "
                           "λ/2·L_Lip with respect to W_B.",
                 expected="same sign (and size) as the true gradient along u1v1ᵀ",
                 measured={"sign_agrees_ratio_below_1": bool(agree_below),
                           "sign_agrees_ratio_above_1": bool(agree_above), "rows": rows},
                 tolerance="sign disagreement on one side of ratio 1 refutes the approximation",
                 status="refuted" if not (agree_below and agree_above) else "confirmed",
                 note="the true coefficient is λβ^{2(k−L)}(r−1)/s_F (times 2σ1 in the σ1² reading): it changes "
                      "sign at r = 1, while Eq. 13's is always negative; Eq. 13 also has β^{k−L} for β^{2(k−L)} "
                      "and s_F/s_B for (r−1)/s_F. Along u1v1ᵀ the descent step of Eq. 13 always raises σ1(W_B).")


def _gradient_scale(ctx):
    """The size of the LCR gradient next to the cross-entropy gradient at initialisation (Eq. 12)."""
    import torch

    from analysis.nets.binary import lcr_gradient_scale
    from analysis.nets.models import build_model

    t0 = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # float64 on one thread: the same numbers on every machine run
    try:
        ratios, per_stage = [], {}
        for s in range(ctx.n_episodes(3)):
            torch.manual_seed(int(_rng(ctx, 800 + s).integers(2**31)))
            model = build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=28, width=0.5).double()
            gen = torch.Generator().manual_seed(int(_rng(ctx, 850 + s).integers(2**31)))
            x = torch.randn(64, 1, 28, 28, generator=gen, dtype=torch.float64)
            y = torch.randint(0, 10, (64,), generator=gen)
            r = lcr_gradient_scale(model, x, y, lam=1.0)
            ratios.append(r["ratio"])
            for name, v in r["per_layer_ratio"].items():
                per_stage.setdefault(name.split(".")[1], []).append(v)
    finally:
        torch.set_num_threads(threads)
    mean_ratio = float(np.mean(ratios))
    yield _claim(ctx, t0, id="lcr.eq12.gradient_scale_at_init", where="Eq. 12, Table 3 (λ = 2^-1 … 2^3)",
                 statement="At Table 3's weights λ, the LCR term λ/2·L_Lip and L_CE both steer training "
                           "(no printed number; the λ range implies comparable gradient sizes).",
                 expected=None,
                 measured={"grad_ratio_lcr_over_ce_at_lambda1": _summary(ratios),
                           "per_stage_mean_ratio_at_lambda1": {k: float(np.mean(v)) for k, v in sorted(per_stage.items())},
                           "lambda_with_equal_gradient_norms": 1.0 / mean_ratio,
                           "ratio_at_table3_lambdas": {f"{lam:g}": lam * mean_ratio for lam in (0.5, 1, 2, 4, 8)}},
                 tolerance="none (a diagnostic, no printed number)", status="reported",
                 note="‖∇_W λ/2·L_Lip‖/‖∇_W L_CE‖ over the latent weights of all binary convolutions of a freshly "
                      "initialised binary ResNet-20 (width 0.5, 1×28×28 Gaussian inputs, batch 64, random labels, "
                      "training mode, float64), Eq. 11 with β = 2, 5 power iterations, same-pass FP activations; "
                      f"{len(ratios)} initialisations. The ratio is linear in λ, so Table 3's λ ≥ 1/2 give an LCR "
                      "gradient several times the cross-entropy's at the start of training (see lcr.table3.quick_lambda_sweep).")


def _residual_block_as_relu_net(w1, b1, w2):
    """y = x + W2·relu(W1x + b1) as a 2-layer ReLU net: x = relu(x) − relu(−x)."""
    d = w1.shape[1]
    first = np.vstack([np.eye(d), -np.eye(d), w1])
    bias1 = np.r_[np.zeros(2 * d), b1]
    second = np.hstack([np.eye(d), -np.eye(d), w2])
    return [first, second], [bias1, np.zeros(d)]


def _blockwise(ctx):
    t0 = time.perf_counter()
    rng = _rng(ctx, 800)
    d, h, n = 3, 6, 400
    r_exact, r_upper, r_lsq, twin = [], [], [], []
    for _ in range(max(1, ctx.n_episodes(30) // 2)):
        w1 = rng.standard_normal((h, d)) / math.sqrt(d)
        b1 = 0.5 * rng.standard_normal(h)
        w2 = rng.standard_normal((d, h)) / math.sqrt(h)
        a = _orthonormal(rng, n, d) * math.sqrt(n)   # channel Gram n·I: whitened, O(1) entries
        out = a + np.maximum(a @ w1.T + b1, 0.0) @ w2.T
        lam = _lam(lp.retention_matrix(a / math.sqrt(n), out / math.sqrt(n)))  # Gram I after the 1/√n
        est = math.sqrt(lam)
        exact, _, _ = lp.lipschitz_exact_residual(w1, b1, w2)
        if len(twin) < 2:  # the same constant from the block written as a plain ReLU net
            ws, bs = _residual_block_as_relu_net(w1, b1, w2)
            twin.append(abs(lp.lipschitz_exact_relu(ws, bs, max_units=2 * d + h)[0] / exact - 1))
        upper = 1.0 + lp.spectral_norm(w1) * lp.spectral_norm(w2)
        fit = np.linalg.lstsq(a, out, rcond=None)[0].T           # least-squares linear map
        r_exact.append(est / exact)
        r_upper.append(est / upper)
        r_lsq.append(abs(est / lp.spectral_norm(fit) - 1))
    meas = {"sqrt_lambda_over_exact_lipschitz": _summary(r_exact),
            "sqrt_lambda_over_upper_bound": _summary(r_upper),
            "rel_diff_to_sigma1_of_least_squares_fit": _summary(r_lsq),
            "exact_constant_two_implementations_max_rel_diff": max(twin)}
    yield _claim(ctx, t0, id="lcr.eq10.blockwise_rm", where="Eq. 10, §3.2",
                 statement="For a residual block, √λmax(RM_m) (whitened inputs) estimates the block's Lipschitz constant.",
                 expected=None, measured=meas,
                 tolerance="none printed; the identity with the least-squares fit holds to rounding (≤ 1e-9)",
                 status="reported",
                 note="block y = x + W2·relu(W1x + b1), d = 3, hidden 6; exact constant by enumerating the 2^6 "
                      "activation patterns with linprog (checked on two blocks against the block written as a "
                      "plain ReLU net, 2^12 patterns). With whitened inputs √λmax(RM) is exactly σ1 of the "
                      "best linear fit of the block — an average slope, which lies below the exact Lipschitz constant.")


def _bounds(ctx):
    t0 = time.perf_counter()
    rng = _rng(ctx, 900)
    gap_up, gap_lo, viol = [], [], 0
    for _ in range(max(1, ctx.n_episodes(30) // 2)):
        dims = [int(rng.integers(2, 5)), int(rng.integers(2, 6)), int(rng.integers(2, 5)), int(rng.integers(1, 4))]
        ws = [rng.standard_normal((dims[i + 1], dims[i])) for i in range(3)]
        bs = [rng.standard_normal(dims[i + 1]) for i in range(3)]
        exact, _, _ = lp.lipschitz_exact_relu(ws, bs)
        up = lp.lipschitz_upper_bound(ws)
        lo = lp.lipschitz_lower_bound(ws, bs, n_points=200, refine_steps=30, seed=rng)
        viol += int(not (lo <= exact * (1 + 1e-9) and exact <= up * (1 + 1e-9)))
        gap_up.append(up / exact if exact > 0 else float("inf"))
        gap_lo.append(lo / exact if exact > 0 else 1.0)
    yield _claim(ctx, t0, id="lcr.eq5.upper_bound", where="Eq. 3-5, Lemma 1",
                 statement="The product of layer spectral norms bounds the Lipschitz constant of a ReLU network "
                           "from above (Eq. 5).",
                 expected="lower bound ≤ exact ≤ Π σ1(W^k)",
                 measured={"violations": viol, "upper_over_exact": _summary(gap_up),
                           "search_lower_over_exact": _summary(gap_lo)},
                 tolerance="zero violations of the sandwich (relative slack 1e-9 for rounding)",
                 status="confirmed" if viol == 0 else "refuted",
                 note="3-layer ReLU nets with ≤ 9 hidden units; exact constant by enumerating activation patterns "
                      "(linprog feasibility). The product is loose by the reported factor.")


def _binarization(ctx):
    t0 = time.perf_counter()
    rng = _rng(ctx, 1000)
    r_chan, r_plain, r_conv = [], [], []
    for _ in range(ctx.n_episodes(50)):
        c_out, c_in = int(rng.integers(8, 65)), int(rng.integers(8, 65))
        w = rng.standard_normal((c_out, c_in, 3, 3)) * math.sqrt(2.0 / (9 * c_in))
        wm = w.reshape(c_out, -1)
        s = lp.spectral_norm(wm)
        r_chan.append(lp.spectral_norm(lp.binarize_weight(wm)) / s)
        r_plain.append(lp.spectral_norm(lp.binarize_weight(wm, "none")) / s)
    for _ in range(max(1, ctx.n_episodes(50) // 10)):
        w = rng.standard_normal((16, 16, 3, 3)) * math.sqrt(2.0 / 144)
        r_conv.append(lp.conv_spectral_norm_circular(lp.binarize_weight(w), (16, 16))
                      / lp.conv_spectral_norm_circular(w, (16, 16)))
    yield _claim(ctx, t0, id="lcr.binarization.spectral_norm_ratio", where="§3.1-3.2 (W_B = sgn(W_F))",
                 statement="Spectral norm of the binarised weights relative to the latent weights.",
                 expected=None,
                 measured={"sign_times_channel_alpha_matrix": _summary(r_chan), "plain_sign_matrix": _summary(r_plain),
                           "sign_times_channel_alpha_conv_operator_16x16": _summary(r_conv)},
                 tolerance="none printed", status="reported",
                 note="Kaiming-Gaussian 3×3 kernels reshaped to (c_out, c_in·9); conv operator norm exact by FFT "
                      "(circular padding). Plain sign(W) inflates σ1 by ≈ 1/std(W).")
    # SVD does not "collapse" on ±1 matrices
    t0 = time.perf_counter()
    diffs = []
    for _ in range(ctx.n_episodes(20)):
        m = int(rng.integers(8, 129))
        wb = np.where(rng.standard_normal((m, m)) >= 0, 1.0, -1.0)
        svd = lp.spectral_norm(wb)
        pi, _, _ = lp.power_iteration_residual(wb.T @ wb, res_stop=1e-13, seed=rng, max_iters=200000)
        diffs.append(abs(svd - math.sqrt(pi)) / svd)
    yield _claim(ctx, t0, id="lcr.sec22.svd_on_binary_matrices", where="§1, §2.2 ('Relation to SN' (i))",
                 statement="Singular-value computation collapses on binary (±1) weight matrices because they are "
                           "'extremely sparse'.",
                 expected="SVD fails on ±1 matrices", measured={"svd_vs_power_iteration_rel_diff": _summary(diffs)},
                 tolerance="agreement of LAPACK's SVD with converged power iteration to 1e-6 on every matrix refutes it",
                 status="refuted" if max(diffs) < 1e-6 else "reported",
                 note="±1 matrices are dense (no zero entries); their top singular value is computed as for any "
                      "matrix. Power iteration converges slowly when the top gap is small (hence 1e-6, not rounding).")


def _table3(ctx):
    t0 = time.perf_counter()
    vals = np.array([float(v) for v in TABLE3_RESNET20])
    diffs = np.diff(vals)
    peak = TABLE3_LOG2_LAMBDA[int(np.argmax(vals))]
    yield _claim(ctx, t0, id="lcr.table3.resnet20.monotone", where="Table 3 (ResNet-20 row) vs §4.3 text",
                 statement="Performance improves with λ increasing (§4.3).",
                 expected={"row": list(TABLE3_RESNET20), "columns_log2_lambda": ["lambda=0", -1, 0, 1, 2, 3]},
                 measured={"argmax_log2_lambda": peak, "n_decreases": int((diffs < 0).sum()),
                           "decreases_at": [TABLE3_LOG2_LAMBDA[i + 1] for i in np.where(diffs < 0)[0]]},
                 tolerance="any decrease larger than one printed unit (0.1) along increasing λ refutes monotone improvement",
                 status="refuted" if (diffs < -0.1 + 1e-9).any() else "confirmed",
                 note="the row peaks at log2 λ = 2 and drops at log2 λ = −1 and 3; the blank header is read as log2 λ = 0.")
    t0 = time.perf_counter()
    diff = abs(float(TABLE3_RESNET20[0]) - float(TABLE2_IRNET["resnet20"]))
    tol = printed_half_unit(TABLE3_RESNET20[0]) + printed_half_unit(TABLE2_IRNET["resnet20"])
    yield _claim(ctx, t0, id="lcr.table3.resnet20.lambda0_vs_irnet", where="Table 3 λ = 0 vs Tables 2 and 4 (IR-Net, ResNet-20)",
                 statement="Table 3's λ = 0 entry (LCR off) is the IR-Net baseline of Tables 2 and 4.",
                 expected={"table3_lambda0": TABLE3_RESNET20[0], "table2_table4_irnet": TABLE2_IRNET["resnet20"]},
                 measured={"abs_difference": diff},
                 tolerance=f"|difference| ≤ half a printed unit of each (= {tol:g})",
                 status="confirmed" if diff <= tol + 1e-12 else "deviates",
                 note="both printed values recorded; the paper does not say whether Table 3 uses another "
                      "training schedule than Table 2.")
    # ResNet-18 row: 7 cells for 6 columns, two readings
    for reading, drop in (("a", 1), ("b", 0)):
        t0 = time.perf_counter()
        row = [v for i, v in enumerate(TABLE3_RESNET18_RAW) if i != drop]
        vals = np.array([float(v) for v in row])
        diffs = np.diff(vals)
        rnote = ("reading (a): drop the second cell 83.9 (a copy of ResNet-20's λ = 0 cell)" if reading == "a"
                 else "reading (b): drop the first cell 85.9")
        yield _claim(ctx, t0, id=f"lcr.table3.resnet18.reading_{reading}.monotone", where="Table 3 (ResNet-18 row, 7 cells)",
                     statement="Performance improves with λ increasing (ResNet-18 row).",
                     expected={"row_read": row, "columns_log2_lambda": ["lambda=0", -1, 0, 1, 2, 3]},
                     measured={"monotone_increasing": bool((diffs > 0).all()), "min_step": float(diffs.min()),
                               "argmax_index": int(np.argmax(vals))},
                     tolerance="every step along increasing λ is > 0",
                     status="confirmed" if (diffs > 0).all() else "refuted",
                     note=rnote + "; monotone under both readings.")
        t0 = time.perf_counter()
        d0 = float(vals[0] - float(TABLE2_IRNET["resnet18"]))
        tol = printed_half_unit(row[0]) + printed_half_unit(TABLE2_IRNET["resnet18"])
        yield _claim(ctx, t0, id=f"lcr.table3.resnet18.reading_{reading}.lambda0_vs_irnet",
                     where="Table 3 λ = 0 (ResNet-18) vs Table 2 (IR-Net, ResNet-18)",
                     statement="Table 3's λ = 0 entry (LCR off) is Table 2's IR-Net ResNet-18 baseline.",
                     expected={"table3_lambda0": row[0], "table2_irnet": TABLE2_IRNET["resnet18"]},
                     measured={"difference": d0},
                     tolerance=f"|difference| ≤ half a printed unit of each (= {tol:g})",
                     status="confirmed" if abs(d0) <= tol + 1e-12 else "deviates",
                     note=rnote + "; the row's last value 91.8 equals Table 2's LCR result, its first is far below "
                                  "IR-Net's 91.5.")


def _table5(ctx):
    t0 = time.perf_counter()
    irnet = lp.count_bops_flops(lp.resnet18_layer_specs(binary_downsample=False))
    xnor = lp.count_bops_flops(lp.resnet18_layer_specs(binary_downsample=True))
    fp = lp.count_bops_flops(lp.resnet18_layer_specs(), all_full_precision=True)
    conv = "one MAC = one op; binary-layer MACs are BOPs, real-valued MACs FLOPs; BN/activations/adds/pooling not counted"
    items = [
        ("bops.irnet", "IR-Net / Ours BOPs (downsample real-valued)", TABLE5["irnet_bops"], irnet["bops"], "round"),
        ("bops.xnor", "XNOR-Net / ProxyBNN BOPs (downsample binary)", TABLE5["xnor_bops"], xnor["bops"], "truncate"),
        ("flops.fp", "full-precision ResNet-18 FLOPs", TABLE5["fp_flops"], fp["flops"], "round"),
        ("flops.irnet", "IR-Net / Ours FLOPs (stem, fc, downsample)", TABLE5["irnet_flops"], irnet["flops"], "round"),
        ("flops.xnor", "XNOR-Net FLOPs (stem, fc)", TABLE5["xnor_flops"], xnor["flops"], "round"),
    ]
    for key, what, printed, ours, rule in items:
        p = float(printed)
        half = printed_half_unit(printed)
        if rule == "round":
            ok = abs(ours - p) <= half
            tol = f"|ours − printed| ≤ half a printed unit ({half:g})"
        else:
            ok = p <= ours < p + 2 * half
            tol = f"printed ≤ ours < printed + one unit ({2 * half:g}): the paper truncates the last digit"
        yield _claim(ctx, t0, id=f"lcr.table5.{key}", where="Table 5 (ResNet-18, ImageNet 224×224)",
                     statement=f"{what} = {printed}.", expected=printed, measured=float(ours), tolerance=tol,
                     status="confirmed" if ok else "deviates",
                     note=f"convention: {conv}. " + {
                         "bops.xnor": "our 1.6955e9 rounds to 1.696; it prints as 1.695 under truncation.",
                         "flops.fp": "the 1.2e7 excess of the printed value is the order of BN/ReLU/add/pool "
                                     "element operations, which this convention leaves out.",
                         "flops.irnet": "the printed value exceeds our real-valued MACs by 1.7e7; the convention "
                                        "behind it (scales, BN, element ops) is not stated.",
                         "flops.xnor": "the printed value exceeds stem + fc MACs by 1.5e7; convention not stated.",
                     }.get(key, ""))
        t0 = time.perf_counter()


def _fig2(ctx):
    t0 = time.perf_counter()
    lo = (float(FIG2_STD["irnet"]) - 0.005) / (float(FIG2_STD["lcr"]) + 0.005) - 1
    hi = (float(FIG2_STD["irnet"]) + 0.005) / (float(FIG2_STD["lcr"]) - 0.005) - 1
    mid = float(FIG2_STD["irnet"]) / float(FIG2_STD["lcr"]) - 1
    ok = lo * 100 <= float(FIG2_STD["percent_higher"]) + 0.5 and hi * 100 >= float(FIG2_STD["percent_higher"]) - 0.5
    yield _claim(ctx, t0, id="lcr.fig2.std_ratio_arithmetic", where="§4.4 'Weight Distribution Visualization'",
                 statement="IR-Net's std 1.42 is 28% higher than LCR's 1.11 (layer3.0.conv2).",
                 expected=dict(FIG2_STD), measured={"percent_higher": 100 * mid, "interval_from_rounding": [100 * lo, 100 * hi]},
                 ci=[100 * lo, 100 * hi],
                 tolerance="the interval implied by ±half a unit of 1.42 and 1.11 must meet 28 ± 0.5",
                 status="confirmed" if ok else "deviates", note="internal arithmetic of the printed numbers.")
    t0 = time.perf_counter()
    yield _claim(ctx, t0, id="lcr.fig2.weight_stds", where="Fig. 2, §4.4",
                 statement="Latent weight std of ImageNet ResNet-18 layer3.0.conv2: IR-Net 1.42, LCR-BNN 1.11.",
                 expected={"irnet": FIG2_STD["irnet"], "lcr": FIG2_STD["lcr"]}, measured=None,
                 tolerance="DESIGN.md rule with se_of_std over 10,000 sampled weights", status="not-testable-offline",
                 note="needs ImageNet-trained IR-Net and LCR-BNN ResNet-18 (ImageNet and GPU absent). The quick-scale "
                      "analogue is `workbench figures --only lcr_table3 --preset quick`.")


def _not_run(ctx, cid, where, statement, fig_id, expected=None, note="", preset=None):
    t0 = time.perf_counter()
    return _claim(ctx, t0, id=cid, where=where, statement=statement, expected=expected, measured=None,
                  tolerance="paired comparison across ≥ 3 seeds (DESIGN.md rule) once the runs exist",
                  status="not-run",
                  note=f"needs network runs: `workbench figures --only {fig_id} --preset {preset or ctx.preset}`. "
                       f"{note}".strip())


def _cached_runs(ctx, experiment: str, preset: str | None = None):
    """(experiment, {label: [Run or None per seed]}, missing labels) from the run cache, for
    ``preset`` or ctx's (quick when ctx's preset has no runs)."""
    from analysis.nets.cache import find_run
    from analysis.nets.config import load_experiment

    exp = load_experiment(experiment, preset or (ctx.preset if ctx.preset in ("quick", "paper", "smoke") else "quick"))
    runs, missing = {}, []
    for label, cfg in exp.runs(ctx.seed):
        r = find_run(cfg, ctx.out)
        if r is None:
            missing.append(label)
        runs.setdefault(label, []).append(r)
    return exp, runs, sorted(set(missing))


def _table3_runs(ctx):
    """(experiment, {λ: [finished Run per seed]}, missing labels) of lcr/table3 for ctx's preset."""
    exp, by_label, missing = _cached_runs(ctx, "lcr/table3")
    found: dict[float, list] = {}
    for label, rs in by_label.items():
        cfg = exp.settings[label.split("|")[0]]
        lam = 0.0
        for spec in cfg.extra_losses:
            if "lcr_loss_hook" in spec["name"]:
                lam = float(spec.get("lam", 1.0)) * float(spec.get("weight", 1.0))
        found.setdefault(lam, []).extend(rs)
    return exp, found, missing


def _table3_network(ctx):
    """Table 3 and Fig. 2's statistic from the lcr_table3 runs (when the cache holds them)."""
    from analysis import stats

    t0 = time.perf_counter()
    exp, runs, missing = _table3_runs(ctx)
    if missing:
        yield _not_run(ctx, "lcr.table3.quick_lambda_sweep", "Table 3, §4.3",
                       "Accuracy of binary ResNet-20 rises with λ (quick: Fashion-MNIST subset, width multiplier).",
                       "lcr_table3", note=f"(preset {exp.preset}; runs missing for {missing})")
        yield _not_run(ctx, "lcr.fig2.quick_weight_stds", "Fig. 2, §4.4",
                       "LCR makes the latent weight distribution narrower (smaller std) than the plain BNN.",
                       "lcr_table3", note=f"(preset {exp.preset}; the lcr_table3 runs monitor the stds)")
        return
    c = exp.base
    scale = (f"preset {exp.preset}: {c.dataset}{' synthetic' if c.synthetic else ''}, train subset "
             f"{c.train_subset or (c.synthetic or {}).get('n_train') or 'all'}, {c.epochs} epochs, width {c.width:g}, "
             f"seeds {list(exp.seeds)}")
    lams = sorted(runs)
    acc = {lam: [100.0 * r.top_test_acc() for r in runs[lam]] for lam in lams}
    means = {f"{lam:g}": float(np.mean(v)) for lam, v in acc.items()}
    stds = {f"{lam:g}": float(np.std(v, ddof=1)) if len(v) > 1 else None for lam, v in acc.items()}
    table_lams = [2.0 ** e for e in TABLE3_LOG2_LAMBDA if e is not None and 2.0 ** e in acc]
    extra_lams = [lam for lam in lams if lam > 0 and lam not in table_lams]
    best = max(table_lams, key=lambda lam: np.mean(acc[lam]))
    best_any = max((lam for lam in lams if lam > 0), key=lambda lam: np.mean(acc[lam]))
    paired = stats.compare_paired(acc[0.0], acc[best], alternative="greater")
    p_below = {f"{lam:g}": stats.paired_t(acc[0.0], acc[lam], alternative="less")["p"] for lam in lams if lam > 0}
    slope = float(np.polyfit(np.log2(table_lams), [np.mean(acc[lam]) for lam in table_lams], 1)[0]) \
        if len(table_lams) > 1 else None
    hurts_everywhere = all(p_below[f"{lam:g}"] < 0.05 for lam in table_lams)
    if paired["t_test"]["p"] < 0.05 and slope is not None and slope > 0:
        status = "confirmed"
    elif hurts_everywhere:
        status = "deviates"
    else:
        status = "reported"
    yield _claim(ctx, t0, id="lcr.table3.quick_lambda_sweep", where="Table 3, §4.3",
                 statement="Accuracy of binary ResNet-20 rises with λ (and LCR beats λ = 0).",
                 expected={"resnet20_row_cifar10": list(TABLE3_RESNET20)},
                 measured={"mean_top_acc_pct_by_lambda": means, "std_by_lambda": stds,
                           "best_table3_lambda": best, "best_lambda_incl_extra": best_any,
                           "extra_lambdas_beyond_table3": extra_lams,
                           "slope_acc_per_log2_lambda_table3": slope, "paired_best_minus_lambda0": paired,
                           "p_lambda_below_lambda0": p_below},
                 tolerance="paired t-tests across seeds (same seed = same initialisation and data order): confirmed "
                           "if the best of Table 3's λ beats λ = 0 (one-sided p < 0.05) and accuracy rises with "
                           "log2 λ (least-squares slope > 0); deviates if every Table 3 λ is below λ = 0 "
                           "(one-sided p < 0.05 each); reported (inconclusive) otherwise. No comparison with the "
                           "CIFAR-10 numbers at this scale",
                 status=status,
                 note=f"{scale}. The best λ is chosen on the same test data (optimistic for LCR). Extra λ "
                      f"{[f'{v:g}' for v in extra_lams]} lie below Table 3's range, where the LCR gradient no longer "
                      "dominates the cross-entropy gradient at initialisation (lcr.eq12.gradient_scale_at_init).")
    t0 = time.perf_counter()
    # Fig. 2: std of the latent weights; ResNet-18's layer3.0.conv2 ↔ ResNet-20's stages.2.0.conv2
    key = "wstd.stages.2.0.conv2"
    s0 = [r.rows[-1].get(key, float("nan")) for r in runs[0.0] if r.rows]
    sb = [r.rows[-1].get(key, float("nan")) for r in runs[best] if r.rows]
    yield _claim(ctx, t0, id="lcr.fig2.quick_weight_stds", where="Fig. 2, §4.4",
                 statement="LCR makes the latent weight distribution narrower: std 1.42 (IR-Net) vs 1.11 (LCR), 28% higher.",
                 expected={"irnet": FIG2_STD["irnet"], "lcr": FIG2_STD["lcr"], "percent_higher": FIG2_STD["percent_higher"]},
                 measured={"layer": key, "std_lambda0": s0, f"std_lambda{best:g}": sb,
                           "percent_higher_lambda0": 100 * (float(np.mean(s0)) / float(np.mean(sb)) - 1)
                           if s0 and sb else None},
                 tolerance="no comparison at this scale (weights of a short Fashion-MNIST run); reported",
                 status="reported", note=f"{scale}; best λ = {best:g} from the Table 3 runs.")


def _table3_results(ctx, name: str):
    """(experiment, {λ: [the JSON ``name`` of each seed's run]} for λ = 0 and 1 where every seed
    has it, missing labels) — results the figure scripts store in the Table 3 run folders."""
    import json

    exp, runs, missing = _table3_runs(ctx)
    res = {}
    for lam in (0.0, 1.0):
        rs = runs.get(lam, [])
        files = [None if r is None else r.dir / name for r in rs]
        if not rs or any(f is None or not f.exists() for f in files):
            missing.append(f"lambda={lam:g} {name}")
        else:
            res[lam] = [json.loads(f.read_text()) for f in files]
    return exp, res, missing


def _corruption_network(ctx):
    """Table 6 at quick scale from ``corruption.json`` of the λ = 0 and λ = 1 Table 3 runs."""
    from analysis import stats

    t0 = time.perf_counter()
    statement = ("LCR improves robustness to corruptions (Gaussian noise, blur, contrast; severities 1-5): "
                 "binary ResNet-20 with λ = 1 vs λ = 0.")
    exp, res, missing = _table3_results(ctx, "corruption.json")
    if len(res) < 2:
        yield _not_run(ctx, "lcr.table6.quick_corruption", "Table 6, §4.4", statement, "lcr_corruption",
                       note=f"(preset {exp.preset}; missing: {sorted(set(missing))}). ImageNet-C itself is lcr.table6.mce.")
        return
    a = [r["mean_corrupted"] for r in res[0.0]]
    b = [r["mean_corrupted"] for r in res[1.0]]
    test = stats.compare_paired(a, b, alternative="greater")
    p_up = test["t_test"]["p"]
    p_down = stats.paired_t(a, b, alternative="less")["p"]
    status = "confirmed" if p_up < 0.05 else ("deviates" if p_down < 0.05 else "reported")
    kinds = sorted(k for k in res[0.0][0] if k not in ("clean", "mean_corrupted"))
    meas = {"mean_corrupted_acc_lambda0": a, "mean_corrupted_acc_lambda1": b,
            "clean_acc_lambda0": [r["clean"] for r in res[0.0]], "clean_acc_lambda1": [r["clean"] for r in res[1.0]],
            "relative_corruption_error_lambda1_over_lambda0":
                float(np.mean([1 - v for v in b]) / max(np.mean([1 - v for v in a]), 1e-12)),
            "by_kind_mean_over_severities": {k: {"lambda0": float(np.mean([r[k] for r in res[0.0]])),
                                                 "lambda1": float(np.mean([r[k] for r in res[1.0]]))} for k in kinds},
            "paired": test}
    yield _claim(ctx, t0, id="lcr.table6.quick_corruption", where="Table 6, §4.4 (quick-scale analogue)",
                 statement=statement, expected="lower corruption error with LCR (Table 6: mCE 89.2 → 84.9 for IR-Net)",
                 measured=meas,
                 tolerance="one-sided paired t-test across seeds on the mean corrupted accuracy: confirmed if LCR is "
                           "higher with p < 0.05, deviates if lower with p < 0.05, reported (inconclusive) otherwise",
                 status=status,
                 note=f"preset {exp.preset}, seeds {list(exp.seeds)}; corruptions of [0,1] images (noise/contrast at "
                      "ImageNet-C's levels, blur widths re-chosen for 28 px); accuracy of the last-epoch model; "
                      "relative corruption error = mean error ratio (ImageNet-C's mCE normalises by AlexNet instead).")


def _fig3_network(ctx):
    """Fig. 3 from ``fig3_similarity.json`` of the λ = 0 and λ = 1 Table 3 runs."""
    t0 = time.perf_counter()
    statement = ("Activations of different samples in one batch of a trained network are nearly independent "
                 "(Fig. 3: 'an activation is only correlated with itself'; Eq. 7: a_iᵀa_j ≈ 0).")
    exp, res, missing = _table3_results(ctx, "fig3_similarity.json")
    if len(res) < 2:
        yield _not_run(ctx, "lcr.fig3.correlation_maps", "Fig. 3, §4.4", statement, "lcr_fig3",
                       note=f"(preset {exp.preset}; missing: {sorted(set(missing))})")
        return
    meas = {}
    for lam, rs in res.items():
        for kind in ("real", "binary"):
            for metric in ("mean_abs_offdiag_pearson", "mean_abs_offdiag_cosine"):
                per_block = [float(np.mean([r[b][kind][metric] for r in rs])) for b in rs[0]]
                meas[f"lambda{lam:g}.{kind}.{metric}"] = per_block
    yield _claim(ctx, t0, id="lcr.fig3.correlation_maps", where="Fig. 3, §4.4 'Independence Assumption Reflection'",
                 statement=statement, expected="off-diagonal similarity ≈ 0", measured=meas,
                 tolerance="none printed (the paper shows maps only); mean |off-diagonal| per residual block, "
                           "mean over seeds, 32 test images",
                 status="reported",
                 note=f"preset {exp.preset}, seeds {list(exp.seeds)}. Fig. 3 shows Pearson correlations (centred); "
                      "Eq. 7 is about raw inner products, measured here as cosines — the relevant number for Eq. 9. "
                      "Even exact sample orthogonality would not give Eq. 9 (see lcr.eq7.orthogonal_samples.*).")


def _variants_network(ctx):
    """The official code's loss variants (lcr/variants runs) against Eq. 11 as printed."""
    from analysis import stats

    t0 = time.perf_counter()
    statement = ("The official code's departures from Eq. 11-12 (MSE of one-step square-rooted eigenvalues, "
                 "2^{-(L-1-k)} weights, per-sample RMs; FP activations from another forward pass) change accuracy "
                 "relative to Eq. 11 as printed.")
    exp, runs, missing = _cached_runs(ctx, "lcr/variants")
    if missing:
        yield _not_run(ctx, "lcr.code.loss_variants", "official code (LCR.py) vs Eq. 11-12", statement, "lcr_variants",
                       note=f"(preset {exp.preset}; runs missing for {sorted(set(missing))})")
        return
    acc = {k: [100.0 * r.top_test_acc() for r in rs] for k, rs in runs.items()}
    final_loss = {k: float(np.mean([r.rows[-1]["train_loss"] for r in rs if r.rows])) for k, rs in runs.items()}
    at_chance = sorted(k for k, v in final_loss.items() if v >= 0.98 * math.log(10))
    meas = {"mean_top_acc_pct": {k: float(np.mean(v)) for k, v in acc.items()},
            "mean_final_train_loss": final_loss, "left_at_chance": at_chance,
            "paired_vs_paper": {k: stats.compare_paired(acc["paper"], v, alternative="two-sided")
                                for k, v in acc.items() if k != "paper"}}
    yield _claim(ctx, t0, id="lcr.code.loss_variants", where="official code (LCR.py) vs Eq. 11-12",
                 statement=statement, expected=None, measured=meas,
                 tolerance="no printed number; two-sided paired tests across seeds against the paper variant",
                 status="reported",
                 note=f"preset {exp.preset}, seeds {list(exp.seeds)}; λ = 1. The hook cannot hold a separately "
                      "trained FP model; 'latent' (same network in full precision) stands in for it. "
                      "left_at_chance: variants whose last-epoch training loss is still ≥ 0.98·ln 10 (never trained).")


def _table2_network(ctx):
    """Table 2 (CIFAR-10 rows) from the lcr/table2 runs: the quick analogue (ResNet-20 rows on the
    Fashion-MNIST subset, paired by seed) and, with the paper preset, the CIFAR-10 numbers."""
    from analysis import stats
    from analysis.nets.data import find_dataset

    t0 = time.perf_counter()
    exp, runs, missing = _cached_runs(ctx, "lcr/table2")
    preset = exp.preset
    statement = ("IR-Net + LCR ('Ours') beats IR-Net on CIFAR-10: ResNet-20 85.5 → 86.0 (1/1), 86.5 → 87.2 "
                 "(Bi-Real shortcuts), 90.2 → 91.2 (1/32); ResNet-18 91.5 → 91.8.")
    expected = {k: TABLE2_CIFAR10[k] for k in exp.settings}
    if preset != "paper":
        cid = "lcr.table2.quick_pairs"
        if missing:
            yield _not_run(ctx, cid, "Table 2 (quick-scale analogue)", statement, "lcr_table2",
                           note=f"(preset {preset}; runs missing for {sorted(set(missing))})")
        else:
            acc = {k: {r.config.seed: 100.0 * r.top_test_acc() for r in rs} for k, rs in runs.items()}
            pairs = {}
            for ours, base in TABLE2_PAIRS.items():
                if ours in acc and base in acc:
                    seeds = sorted(set(acc[ours]) & set(acc[base]))
                    a, b = [acc[base][s_] for s_ in seeds], [acc[ours][s_] for s_ in seeds]
                    pairs[ours] = {"vs": base, "gain_pct": float(np.mean(b) - np.mean(a)),
                                   "p_greater": stats.paired_t(a, b, "greater")["p"],
                                   "p_less": stats.paired_t(a, b, "less")["p"],
                                   "ci95_pct": stats.paired_t(a, b, "two-sided")["ci"]}
            up = [k for k, v in pairs.items() if v["p_greater"] < 0.05]
            down = [k for k, v in pairs.items() if v["p_less"] < 0.05]
            status = ("confirmed" if pairs and len(up) == len(pairs)
                      else "deviates" if down and not up else "reported")
            yield _claim(ctx, t0, id=cid, where="Table 2 (quick-scale analogue)", statement=statement,
                         expected={"cifar10_printed": expected},
                         measured={"mean_top_acc_pct": {k: float(np.mean(list(v.values()))) for k, v in acc.items()},
                                   "paired_ours_minus_irnet": pairs,
                                   "significantly_up": up, "significantly_down": down},
                         tolerance="no comparison with the CIFAR-10 numbers at this scale; one-sided paired t-tests "
                                   "across seeds per pair: confirmed if every 'Ours' row is above its IR-Net row "
                                   "(p < 0.05), deviates if some are below (p < 0.05) and none above, reported otherwise",
                         status=status,
                         note=f"preset {preset}, seeds {list(exp.seeds)}, ResNet-20 rows ({exp.base.dataset}); "
                              "λ = 2 for 'Ours' (reading: Table 2 gives no λ; Table 3's 85.9 is the cell closest to "
                              "86.0); 1/32 takes RM_F from the latent full-precision pass.")
    t0 = time.perf_counter()
    cid, where = "lcr.table2.cifar10", "Table 2, Table 4 (CIFAR-10)"
    paper_exp, paper_runs, paper_missing = (exp, runs, missing) if preset == "paper" else \
        _cached_runs(ctx, "lcr/table2", "paper")
    if paper_missing:
        try:
            find_dataset("cifar10", "train", ctx.data_dir)
            absent = ""
        except FileNotFoundError:
            absent = "CIFAR-10 not found (`workbench data` lists where it was looked for). "
        claim = _not_run(ctx, cid, where, statement, "lcr_table2", expected=TABLE2_CIFAR10, preset="paper",
                         note="(paper preset: 400 epochs per row on CIFAR-10, a GPU job; the quick analogue is "
                              "lcr.table2.quick_pairs)")
        if absent:
            claim.status = "not-testable-offline"
            claim.note = "Not testable here: " + absent + claim.note
        yield claim
        return
    means = {k: float(np.mean([100.0 * r.top_test_acc() for r in rs])) for k, rs in paper_runs.items()}
    dev = {k: means[k] - float(TABLE2_CIFAR10[k]) for k in means}
    gains = {o: means[o] - means[b] for o, b in TABLE2_PAIRS.items() if o in means and b in means}
    ok = all(abs(d) <= TABLE2_CIFAR10_TOL for d in dev.values()) and all(g > 0 for g in gains.values())
    yield _claim(ctx, t0, id=cid, where=where, statement=statement, expected=TABLE2_CIFAR10,
                 measured={"mean_top_acc_pct": means, "minus_printed": dev, "gain_ours_minus_irnet": gains,
                           "seeds": list(paper_exp.seeds)},
                 tolerance=f"every row within ±{TABLE2_CIFAR10_TOL:g} points of the printed value (the seed spread "
                           "of one CIFAR-10 run; printed precision 0.05 is far below it) and every gain > 0",
                 status="confirmed" if ok else "deviates",
                 note="paper preset: 400 epochs, SGD 0.1 cosine, crop+flip, λ = 2 (reading).")


def _network_claims(ctx):
    yield from _table3_network(ctx)
    yield from _fig3_network(ctx)
    yield from _corruption_network(ctx)
    yield from _variants_network(ctx)
    t0 = time.perf_counter()
    yield _claim(ctx, t0, id="lcr.table6.mce", where="Table 6, §4.4",
                 statement="LCR lowers mCE on ImageNet-C (IR-Net 89.2 → 84.9, RBNN 87.5 → 84.8, ReActNet 87.0 → 84.9).",
                 expected={"irnet": ["89.2", "84.9"], "rbnn": ["87.5", "84.8"], "reactnet": ["87.0", "84.9"]},
                 measured=None, tolerance="DESIGN.md rule", status="not-testable-offline",
                 note="needs ImageNet-C and ImageNet-trained BNNs. The last row is labelled 'IR-Net + LCR' again "
                      "(read as ReActNet + LCR). Quick analogue: lcr.table6.quick_corruption.")
    yield from _table2_network(ctx)
    t0 = time.perf_counter()
    yield _claim(ctx, t0, id="lcr.table1.imagenet", where="Table 1, Table 4 (ImageNet)",
                 statement="LCR improves ImageNet top-1 (ResNet-18 IR-Net 58.1 → 59.6).",
                 expected={"resnet18": ["58.1", "59.6"]}, measured=None,
                 tolerance="DESIGN.md rule", status="not-testable-offline",
                 note="120-epoch ImageNet training needs ImageNet and a GPU (neither is here); the CIFAR-10 rows of "
                      "Table 2 have a paper preset (lcr.table2.cifar10).")
