"""Torch side of the channel-directed-gradients paper (003): gradient transforms, an optimizer
wrapper, a trainer grad hook, and adapters that read a torch model for the correlation statistics.

Torch twins of ``analysis.channel_grad`` (same formulas; tests/test_cdg_torch.py checks them
against the numpy functions in float64 to rounding):

* :func:`h0_gradient_torch` — Eq. 8 (``form="eq8"``) or Fig. 3's code (``form="code"``,
  f + λ·f̄; λ = 0 is plain SGD).  Default ``"code"``: the experiments' reading (see the suite).
* :func:`sobolev_gradient_torch` — Eq. 10–12 by cumulative sums in O(O) (the "cumsum" method),
  equal to the left-Riemann-sum convolution of Eq. 9.
* :func:`transform_gradient` — one tensor's L² gradient → H0_λ / H̃1 gradient along the
  ``"output"`` axis (dim 0), the ``"input"`` axis (dim 1) or ``"raster"`` (the whole tensor
  flattened in row-major order into one channel axis: Fig. 5 right "Ours+R").  The H̃1 update is
  §3's combination ``h0_weight·f + sobolev_weight·S_λ(f)`` (λ = 1 in the paper).

:class:`ChannelDirectedOptimizer` wraps any ``torch.optim.Optimizer``: ``step()`` transforms the
selected parameters' ``.grad`` in place, then calls the wrapped optimizer's ``step()``, so SGD,
momentum, weight decay and Adam work unchanged (weight decay is added by the optimizer after the
transform, i.e. it is not smoothed — as in the paper's code, which edits ``param.grad``).
:func:`grad_hook` is the same transform as a trainer ``grad_transform`` hook
(``{"name": "analysis.nets.cdg:grad_hook", "method": "h1", ...}``).
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Iterable, NamedTuple

import numpy as np
import torch

METHODS = ("none", "h0", "h1", "ls", "h1norm")
AXES = ("output", "input", "raster")
LAYERS = ("conv", "all")


# ----------------------------------------------------------------------------- the formulas

def _check_lam(lam, allow_zero: bool) -> float:
    if isinstance(lam, bool) or not isinstance(lam, Real) or not math.isfinite(float(lam)):
        raise ValueError(f"lam must be a finite real number, got {lam!r}")
    if (lam < 0) if allow_zero else (lam <= 0):
        raise ValueError(f"lam must be {'>= 0' if allow_zero else '> 0'}, got {lam}")
    return float(lam)


def h0_gradient_torch(g: torch.Tensor, lam: float, form: str = "code") -> torch.Tensor:
    """H0_λ gradient along dim 0 (a new tensor).  "eq8": f̄ + (f − f̄)/λ, λ > 0 (Eq. 8);
    "code": f + λ·f̄, λ ≥ 0 (Fig. 3).  g: (O, ...)."""
    if form not in ("eq8", "code"):
        raise ValueError(f"unknown form {form!r}; expected 'eq8' or 'code'")
    lam = _check_lam(lam, allow_zero=(form == "code"))
    if g.dim() == 0:
        raise ValueError("g must have a channel axis (dim 0); got a 0-d tensor")
    mean = g.mean(dim=0, keepdim=True)
    if form == "eq8":
        return mean + (g - mean) / lam
    return g + lam * mean


def sobolev_gradient_torch(g: torch.Tensor, lam: float = 1.0) -> torch.Tensor:
    """Sobolev H̃1 gradient along dim 0 by Eq. 10–12 (cumulative sums, linear in O).

    g0 = (1/O)Σ_j K(j/O) f_j; g1 = −(1/(λO))Σ_j (j/O)(f_j − f̄);
    g[o] = g0 + (o/O)·g1 − (1/(λO²))·E[o], E[o] = Σ_{m<o} C[m] = cumsum(C)[o] − C[o],
    C = cumsum(f − f̄).  g: (O, ...) with O ≥ 2; same dtype and device.
    """
    lam = _check_lam(lam, allow_zero=False)
    if g.dim() == 0 or g.shape[0] < 2:
        raise ValueError(f"g needs at least 2 channels on dim 0, got shape {tuple(g.shape)}")
    n = g.shape[0]
    f = g.reshape(n, -1)
    x = torch.arange(n, dtype=g.dtype, device=g.device) / n
    kern = 1.0 + (x * x - x + 1.0 / 6.0) / (2.0 * lam)
    d = f - f.mean(dim=0, keepdim=True)
    g0 = (kern @ f) / n                                   # (M,)
    g1 = (x @ d) * (-1.0 / (lam * n))                    # (M,)
    c = torch.cumsum(d, dim=0)
    e = torch.cumsum(c, dim=0).sub_(c)
    out = torch.addcmul(g0.unsqueeze(0), x.unsqueeze(1), g1.unsqueeze(0))
    out.sub_(e, alpha=1.0 / (lam * n * n))
    return out.reshape(g.shape)


def laplacian_smoothing_torch(g: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Laplacian smoothing (Osher et al. 2018) along dim 0: solve (I + σL) d = f with L the periodic
    1-D Laplacian by FFT (mode k divided by 1 + 4σ sin²(πk/n)); twin of
    ``analysis.channel_grad.laplacian_smoothing`` (``axis="output"``; the rasterized form is this on
    the flattened tensor). g: (n, ...), σ ≥ 0; a new tensor of g's shape and dtype."""
    sigma = _check_lam(sigma, allow_zero=True)
    if g.dim() == 0:
        raise ValueError("g must have an axis to smooth along (dim 0); got a 0-d tensor")
    n = g.shape[0]
    f = g.reshape(n, -1)
    k = torch.arange(n // 2 + 1, dtype=g.dtype, device=g.device)
    denom = 1.0 + 4.0 * sigma * torch.sin(math.pi * k / n) ** 2
    out = torch.fft.irfft(torch.fft.rfft(f, dim=0) / denom[:, None], n=n, dim=0)
    return out.reshape(g.shape).to(g.dtype)


def _to_axis(g: torch.Tensor, axis: str) -> torch.Tensor:
    if axis == "output":
        return g
    if axis == "input":
        if g.dim() < 2:
            raise ValueError(f"axis 'input' needs a tensor with ≥ 2 dims, got shape {tuple(g.shape)}")
        return g.transpose(0, 1)
    return g.reshape(-1)


def _from_axis(h: torch.Tensor, axis: str, shape) -> torch.Tensor:
    if axis == "output":
        return h
    if axis == "input":
        return h.transpose(0, 1)
    return h.reshape(shape)


def transform_gradient(g: torch.Tensor, method: str = "h1", lam: float = 1.0, axis: str = "output",
                       h0_form: str = "code", h0_weight: float = 1.0,
                       sobolev_weight: float = 1.0, sigma: float = 1.0) -> torch.Tensor:
    """One parameter's L² gradient → channel-directed gradient (a new tensor of g's shape).

    method "none": g; "h0": :func:`h0_gradient_torch` (``h0_form``, λ = ``lam``);
    "h1": ``h0_weight·g + sobolev_weight·S_λ(g)`` along ``axis`` (§3's combined update);
    "ls": :func:`laplacian_smoothing_torch` with ``sigma`` — the paper's LS baseline (Osher et al.)
    with ``axis="raster"`` (the whole tensor flattened), LS-ChanDir with ``axis="output"``;
    "h1norm": the control of issue 16 §3 — the plain gradient g rescaled to the norm the "h1"
    gradient of this tensor would have, g·‖h0_weight·g + sobolev_weight·S_λ(g)‖/‖g‖ (same step
    length as H̃1, no smoothing; g unchanged where ‖g‖ = 0 or the axis has one channel).
    Left unchanged (returned as is): "input" on a tensor without an input axis (a bias), and
    "h1" along an axis of length 1 (e.g. the input axis of a first conv on grey images).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    if axis not in AXES:
        raise ValueError(f"unknown axis {axis!r}; expected one of {AXES}")
    for name, w in (("h0_weight", h0_weight), ("sobolev_weight", sobolev_weight)):
        if isinstance(w, bool) or not isinstance(w, Real) or not math.isfinite(float(w)) or w < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {w!r}")
    if method == "none" or (axis == "input" and g.dim() < 2):
        return g
    h = _to_axis(g, axis)
    if method in ("h1", "ls", "h1norm") and h.shape[0] < 2:
        return g                                   # one channel: nothing to smooth along
    if method == "ls":
        out = laplacian_smoothing_torch(h, sigma)
    elif method == "h1norm":
        smooth = sobolev_gradient_torch(h, lam).mul_(sobolev_weight).add_(h, alpha=h0_weight)
        norm = torch.linalg.vector_norm(h)
        if float(norm) == 0.0:
            return g
        out = h * (torch.linalg.vector_norm(smooth) / norm)
    elif method == "h0":
        out = h0_gradient_torch(h, lam, h0_form)
    else:
        out = sobolev_gradient_torch(h, lam).mul_(sobolev_weight).add_(h, alpha=h0_weight)
    return _from_axis(out, axis, g.shape)


def selected_parameters(model: torch.nn.Module, layers: str = "conv") -> list[torch.nn.Parameter]:
    """The parameters a transform touches: "conv" → 4-D weights (conv layers); "all" → every
    parameter with ≥ 2 entries on dim 0 (linear weights and biases too: Fig. 5 right 'all layers')."""
    if layers not in LAYERS:
        raise ValueError(f"unknown layers {layers!r}; expected one of {LAYERS}")
    if layers == "conv":
        return [p for p in model.parameters() if p.dim() == 4]
    return [p for p in model.parameters() if p.dim() >= 1 and p.shape[0] >= 2]


class ChannelDirectedOptimizer:
    """Wrap a torch optimizer: ``step()`` = channel-directed transform of the gradients of
    ``params`` (in place), then ``optimizer.step()``.

    params: the tensors to transform (e.g. :func:`selected_parameters`); the other parameters of
    the optimizer keep their L² gradient.  Keyword arguments are those of
    :func:`transform_gradient`.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, params: Iterable[torch.Tensor],
                 method: str = "h1", lam: float = 1.0, axis: str = "output", h0_form: str = "code",
                 h0_weight: float = 1.0, sobolev_weight: float = 1.0, sigma: float = 1.0):
        self.optimizer = optimizer
        self.params = list(params)
        self.kw = dict(method=method, lam=lam, axis=axis, h0_form=h0_form, h0_weight=h0_weight,
                       sobolev_weight=sobolev_weight, sigma=sigma)
        transform_gradient(torch.zeros(2, 2, dtype=torch.float64), **self.kw)   # validate now

    @property
    def param_groups(self):
        return self.optimizer.param_groups

    @property
    def state(self):
        return self.optimizer.state

    @torch.no_grad()
    def transform(self) -> None:
        """Replace each selected parameter's .grad by its channel-directed gradient."""
        for p in self.params:
            if p.grad is not None:
                p.grad.copy_(transform_gradient(p.grad, **self.kw))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        self.transform()
        self.optimizer.step()
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def state_dict(self) -> dict:
        return self.optimizer.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.optimizer.load_state_dict(state)


def grad_hook(spec: dict, env=None):
    """Trainer ``grad_transform`` hook: ``{"name": "analysis.nets.cdg:grad_hook", "method": "h1",
    "lam": 1.0, "axis": "output", "layers": "conv", "h0_form": "code", "h0_weight": 1.0,
    "sobolev_weight": 1.0}`` (unknown keys are an error); ``{"method": "ls", "sigma": 1.0, "axis":
    "raster"}`` is the paper's LS baseline (Table 1, Figs 4, 5, 10), ``"axis": "output"`` LS-ChanDir;
    ``{"method": "h1norm", "sobolev_weight": w}`` is SGD with each tensor's gradient rescaled to the
    norm of its H̃1(w) gradient (the step-size control of issue 16 §3)."""
    allowed = {"method": "h1", "lam": 1.0, "axis": "output", "layers": "conv", "h0_form": "code",
               "h0_weight": 1.0, "sobolev_weight": 1.0, "sigma": 1.0}
    extra = sorted(set(spec) - {"name"} - set(allowed))
    if extra:
        raise ValueError(f"cdg grad hook: unknown parameter(s) {extra}; allowed {sorted(allowed)}")
    p = {k: spec.get(k, v) for k, v in allowed.items()}
    layers = p.pop("layers")
    if layers not in LAYERS:
        raise ValueError(f"unknown layers {layers!r}; expected one of {LAYERS}")
    transform_gradient(torch.zeros(2, 2, dtype=torch.float64), **p)             # validate now

    @torch.no_grad()
    def apply(model: torch.nn.Module) -> None:
        for q in selected_parameters(model, layers):
            if q.grad is not None:
                q.grad.copy_(transform_gradient(q.grad, **p))
    return apply


# ----------------------------------------------------------------------------- correlation adapters

def model_conv_weights(model: torch.nn.Module) -> list[np.ndarray]:
    """float64 numpy copies of every 4-D weight (nn.Conv2d) of ``model`` in module order."""
    return [m.weight.detach().cpu().double().numpy() for m in model.modules()
            if isinstance(m, torch.nn.Conv2d)]


def model_correlation_table(model: torch.nn.Module, statistic: str = "mean") -> dict:
    """Fig. 1's row for any torch model: ``analysis.correlation.in_out_correlation_table`` of its
    conv weights."""
    from analysis.correlation import in_out_correlation_table

    weights = model_conv_weights(model)
    if not weights:
        raise ValueError("model has no nn.Conv2d layers; Fig. 1's statistic needs conv weights")
    return in_out_correlation_table(weights, statistic)


def model_correlation_vs_distance(model: torch.nn.Module, axis: str = "output",
                                  max_distance: int = 8) -> np.ndarray:
    """Fig. 11: mean |corr| at distance d = 1 … max_distance, averaged over the conv layers with
    more than max_distance channels on ``axis``; shape (max_distance,)."""
    from analysis.correlation import correlation_vs_distance

    curves = [correlation_vs_distance(w, axis, max_distance) for w in model_conv_weights(model)
              if w.shape[0 if axis == "output" else 1] > max_distance]
    if not curves:
        raise ValueError(f"no conv layer has more than {max_distance} {axis} channels")
    return np.nanmean(np.stack(curves), axis=0)


def model_mean_std_scatter(model: torch.nn.Module) -> dict:
    """Fig. 14 for a torch model: ``analysis.correlation.mean_std_scatter`` of its conv weights."""
    from analysis.correlation import mean_std_scatter

    return mean_std_scatter(model_conv_weights(model))


# ----------------------------------------------------------------------------- cached correlation summaries

#: the derived file each trained run keeps (issue 16 §5: figures and claims rebuild from it, no checkpoint)
CORRELATION_FILE = "cdg_correlation.json"
FIG11_MAX_DISTANCE = 10          # Fig. 11 curves of the last conv layer: |i − j| = 1 … 10
PROFILE_MAX_DISTANCE = 8         # the suite's layer-averaged profile: |i − j| = 1 … 8
HIST_BINS, HIST_RANGE = 41, (-0.5, 0.5)


def weights_correlation_summary(weights: list[np.ndarray]) -> dict:
    """Every channel-correlation statistic the cdg claims and figures use, of one network's conv
    weights (small: a few KB of JSON for the 2-layer CNN).

    - ``table`` / ``table_abs``: Fig. 1's statistic (``in_out_correlation_table``, mean / |mean|);
    - ``profile``: {"output", "input"} signed correlation at |i − j| = 1 … d, averaged over layers
      (``layers_correlation_vs_distance``), d = min(8, smallest channel count − 1); None if none;
    - ``last_layer_distance``: {"output", "input"} Fig. 11's mean |corr| of the last conv layer at
      |i − j| = 1 … min(10, O − 1, I − 1) (``correlation_vs_distance``); None below 2 channels;
    - ``last_layer_hist``: Fig. 13's histogram counts of the last layer's off-diagonal
      correlations (41 bins on [−0.5, 0.5]) per axis, with the bin edges;
    - ``scatter``: Fig. 14 (``mean_std_scatter``): per-channel mean, std, layer and the two
      correlations.
    """
    from analysis.correlation import (channel_correlation_matrix, correlation_vs_distance,
                                      in_out_correlation_table, layers_correlation_vs_distance,
                                      mean_std_scatter, offdiagonal)

    def floats(x):
        return [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]

    out: dict = {"table": {k: float(v) for k, v in in_out_correlation_table(weights).items()
                           if k in ("output", "input")},
                 "table_abs": {k: float(v) for k, v in in_out_correlation_table(weights, "abs").items()
                               if k in ("output", "input")}}
    dmax = min([PROFILE_MAX_DISTANCE] + [min(w.shape[:2]) - 1 for w in weights if min(w.shape[:2]) > 1])
    try:
        out["profile"] = {a: floats(layers_correlation_vs_distance(weights, a, dmax)) for a in ("output", "input")}
    except ValueError:
        out["profile"] = None
    last = weights[-1]
    dl = min(FIG11_MAX_DISTANCE, last.shape[0] - 1, last.shape[1] - 1)
    out["last_layer_distance"] = ({a: floats(correlation_vs_distance(last, a, dl)) for a in ("output", "input")}
                                  if dl >= 1 else None)
    hist = {}
    for a in ("output", "input"):
        v = offdiagonal(channel_correlation_matrix(last, a))
        counts, edges = np.histogram(v[np.isfinite(v)], bins=HIST_BINS, range=HIST_RANGE)
        hist[a] = [int(c) for c in counts]
    hist["edges"] = floats(edges)
    out["last_layer_hist"] = hist
    sc = mean_std_scatter(weights)
    def short(x):                        # plotted only: 5 significant digits keep the file small
        return [float(f"{v:.5g}") for v in np.asarray(x, dtype=np.float64).ravel()]

    out["scatter"] = {"mean": short(sc["mean"]), "std": short(sc["std"]),
                      "layer": [int(x) for x in np.asarray(sc["layer"]).ravel()],
                      "corr_mean_std": float(sc["corr_mean_std"]),
                      "corr_absmean_std": float(sc["corr_absmean_std"])}
    return out


def run_correlation_summary(run) -> dict:
    """{"trained": …, "init": …} :func:`weights_correlation_summary` of a finished run's conv
    weights and of the same seed's initialization, kept as ``<run>/cdg_correlation.json``.

    Computed once, from ``checkpoint.pt``, by whoever first asks (the figure scripts cdg_fig6 and
    cdg_fig11 right after training, or the suite); afterwards read from the JSON, so the committed
    records (no checkpoints) rebuild the claims and figures. FileNotFoundError when neither the
    JSON nor the checkpoint is there."""
    import json
    from pathlib import Path

    from .runcore import CHECKPOINT, build
    from .train import atomic_write_text

    path = Path(run.dir) / CORRELATION_FILE
    if path.exists():
        return json.loads(path.read_text())
    if not (Path(run.dir) / CHECKPOINT).exists():
        raise FileNotFoundError(f"{path} is missing and the run has no {CHECKPOINT} to compute it from")
    init = build(run.config, **(run.meta or {}).get("model_args", {}))
    res = {"trained": weights_correlation_summary(model_conv_weights(run.load_model())),
           "init": weights_correlation_summary(model_conv_weights(init))}
    atomic_write_text(path, json.dumps(res, separators=(",", ":")) + "\n")
    return res


# ----------------------------------------------------------------------------- run summaries

def transform_key(spec) -> tuple[str, float, str, str]:
    """(method, swept value, axis, layers) of a config's ``grad_transform`` spec.

    None → ("baseline", 0.0, "output", "conv"); H0_λ → ("h0", λ, …); H̃1 and its norm-matched
    control → ("h1" | "h1norm", sobolev_weight, …): the value on Fig. 6's λ axis under the
    readings of the cdg suite; LS → ("ls", σ, …)."""
    if spec is None:
        return ("baseline", 0.0, "output", "conv")
    method = spec.get("method", "h1")
    value = (float(spec.get("lam", 1.0)) if method == "h0" else float(spec.get("sigma", 1.0)) if method == "ls"
             else float(spec.get("sobolev_weight", 1.0)))
    if method == "none":
        value = 0.0
    return (method, value, spec.get("axis", "output"), spec.get("layers", "conv"))


def paired_gains(groups: dict, baseline, metric: str = "test_acc") -> dict:
    """Gain over the baseline of every group, paired by seed.

    groups: {key: [Run, ...]} (runs differing only in seed); baseline: the key of the SGD group.
    A run's value is its last epoch's ``metric`` (Fig. 6: "accuracy at the 100th epoch").
    Returns {key: {"mean", "sd", "n", "values", "gain_mean", "gain_se", "gain_ci95", "n_pairs",
    "sd_ratio_to_baseline"}}; the CI is Student-t on the paired differences (NaN with < 2 pairs).
    """
    from scipy import stats

    if baseline not in groups:
        raise ValueError(f"baseline {baseline!r} is not among the groups {sorted(map(str, groups))}")

    def by_seed(runs):
        return {r.config.seed: (r.last(metric) if r.status == "done" else float("nan")) for r in runs}

    base = by_seed(groups[baseline])
    out = {}
    for key, runs in groups.items():
        vals = by_seed(runs)
        v = np.array([vals[s] for s in sorted(vals)], dtype=np.float64)
        v = v[np.isfinite(v)]
        diffs = np.array([vals[s] - base[s] for s in sorted(vals) if s in base
                          and np.isfinite(vals[s]) and np.isfinite(base[s])], dtype=np.float64)
        n = diffs.size
        gm = float(diffs.mean()) if n else float("nan")
        gse = float(diffs.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
        half = float(stats.t.ppf(0.975, n - 1) * gse) if n > 1 else float("nan")
        sd = float(v.std(ddof=1)) if v.size > 1 else float("nan")
        bv = np.array([x for x in base.values() if np.isfinite(x)])
        bsd = float(bv.std(ddof=1)) if bv.size > 1 else float("nan")
        out[key] = {"mean": float(v.mean()) if v.size else float("nan"), "sd": sd, "n": int(v.size),
                    "values": [float(x) for x in v], "by_seed": {int(k): float(x) for k, x in vals.items()},
                    "gain_mean": gm, "gain_se": gse,
                    "gain_ci95": [gm - half, gm + half], "n_pairs": int(n),
                    "sd_ratio_to_baseline": sd / bsd if bsd and np.isfinite(bsd) and bsd > 0 else float("nan")}
    return out


def paired_spread_test(a: dict, b: dict) -> dict:
    """Fig. 5 left's "reduced variance": the spread of b against a ({seed: accuracy} each), paired by seed.

    Decides: ``effect_summary`` of |b − median(b)| − |a − median(a)| paired by seed (a
    Brown–Forsythe-type test on absolute deviations; < 0: b spreads less). Beside it: sd ratio,
    log variance ratio, Levene's median-centred two-sample test and the Pitman–Morgan test for
    paired variances (corr(a + b, b − a) = 0 ⇔ var a = var b)."""
    from scipy import stats as ss

    from analysis import stats

    seeds = sorted(s for s in b if s in a)
    va, vb = np.array([a[s] for s in seeds]), np.array([b[s] for s in seeds])
    if len(seeds) < 3:
        nan = float("nan")
        return {"summary": {"design": "paired", "n": len(seeds), "effect": nan, "sd": nan, "se": nan, "ci": None,
                            "p_two_sided": nan, "mde": nan}, "seeds": seeds}
    da = {s: abs(a[s] - float(np.median(va))) for s in seeds}
    db = {s: abs(b[s] - float(np.median(vb))) for s in seeds}
    sa, sb = float(va.std(ddof=1)), float(vb.std(ddof=1))
    r = float(np.corrcoef(va + vb, vb - va)[0, 1]) if sa > 0 or sb > 0 else float("nan")
    n = len(seeds)
    pm_p = float(2 * ss.t.sf(abs(r) * math.sqrt((n - 2) / max(1e-300, 1 - r * r)), n - 2)) if np.isfinite(r) else float("nan")
    lev = ss.levene(va, vb, center="median") if (sa > 0 or sb > 0) else None
    summ = stats.effect_summary([da[s] for s in seeds], [db[s] for s in seeds], paired=True)
    return {"summary": summ, "seeds": seeds, "sd_a": sa, "sd_b": sb,
            "sd_ratio": sb / sa if sa > 0 else float("nan"),
            "log_variance_ratio": 2 * math.log(sb / sa) if sa > 0 and sb > 0 else float("nan"),
            "pitman_morgan": {"r": r, "p": pm_p},
            "levene_median": {"p": float(lev.pvalue) if lev is not None else float("nan")}}


class RunKey(NamedTuple):
    """What distinguishes a group of runs (all but the seed) in the cdg experiments."""

    dataset: str
    model: str
    optimizer: str
    batch_size: int
    lr: float
    method: str
    value: float
    axis: str
    layers: str


def group_runs(runs) -> dict:
    """{RunKey: [Run, ...]} from a list of runs (runs of one key differ only in seed)."""
    groups: dict = {}
    for r in runs:
        c = r.config
        key = RunKey(c.dataset, c.model, c.optimizer, int(c.batch_size), float(c.lr),
                     *transform_key(c.grad_transform))
        groups.setdefault(key, []).append(r)
    return groups


def comparison_rows(runs, metric: str = "test_acc") -> list[dict]:
    """One row per run group: accuracy over seeds and the gain over the SGD/ADAM group of the
    same (dataset, model, optimizer, batch size, lr), paired by seed (see :func:`paired_gains`).

    Row keys: the RunKey fields, n, acc_mean, acc_sd, gain_mean, gain_se, gain_ci95,
    sd_ratio_to_baseline, values (fractions, not %)."""
    groups = group_runs(runs)
    rows = []
    cells = sorted({(k.dataset, k.model, k.optimizer, k.batch_size, k.lr) for k in groups})
    for cell in cells:
        sub = {k: v for k, v in groups.items() if (k.dataset, k.model, k.optimizer, k.batch_size, k.lr) == cell}
        base = [k for k in sub if k.method == "baseline"]
        if not base:
            continue
        gains = paired_gains(sub, base[0], metric)
        for k in sorted(sub, key=lambda k: (k.method != "baseline", k.method, k.value, k.axis, k.layers)):
            g = gains[k]
            rows.append({**k._asdict(), "n": g["n"], "acc_mean": g["mean"], "acc_sd": g["sd"],
                         "gain_mean": g["gain_mean"], "gain_se": g["gain_se"],
                         "gain_ci95": g["gain_ci95"], "sd_ratio_to_baseline": g["sd_ratio_to_baseline"],
                         "values": g["values"], "by_seed": g["by_seed"]})
    return rows


__all__ = [
    "METHODS", "AXES", "LAYERS", "h0_gradient_torch", "sobolev_gradient_torch", "transform_gradient",
    "selected_parameters", "ChannelDirectedOptimizer", "grad_hook", "model_conv_weights",
    "model_correlation_table", "model_correlation_vs_distance", "model_mean_std_scatter",
    "transform_key", "paired_gains", "group_runs", "RunKey", "comparison_rows", "CORRELATION_FILE",
    "weights_correlation_summary", "run_correlation_summary", "paired_spread_test",
]
