"""Channel correlation statistics of weight tensors (cdg paper, Fig. 1, 11, 13, 14).

A weight tensor W has shape (O, I, ...) (a conv weight (O, I, H, W) or a linear weight (O, I)).

* Output-channel correlation: Pearson correlation between the output filters W[o] (each
  flattened to I·H·W numbers), an (O, O) matrix.  Input-channel correlation: between the slices
  W[:, i] (flattened to O·H·W numbers), an (I, I) matrix.  Pearson correlation is invariant to a
  positive re-scaling (and shift) of each channel, which is the invariance Fig. 1 asks for.
* Reading chosen for Fig. 1's table (the paper does not define its number): the mean of the
  off-diagonal entries (i < j) of the correlation matrix of each layer, averaged over layers
  (``statistic="mean"``); ``statistic="abs"`` averages |corr| instead.  Fig. 13 shows the
  off-diagonal entries as a histogram; Fig. 11 plots mean |corr| against the distance |i − j|.
* A channel with zero variance has an undefined correlation: its row and column are NaN and
  the statistics skip NaNs.

No torch here; ``analysis.nets.cdg`` reads the conv weights of a torch model into arrays.
"""
from __future__ import annotations

import numpy as np

AXES = ("output", "input")


def _weight(w, name: str = "weight") -> np.ndarray:
    a = np.asarray(w, dtype=np.float64)
    if a.ndim < 2:
        raise ValueError(f"{name} must have shape (O, I, ...) with at least 2 axes, got {a.shape}")
    if a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be non-empty and finite, got shape {a.shape}")
    return a


def channel_rows(weight, axis: str = "output") -> np.ndarray:
    """The channel slices as rows: "output" → (O, I·H·W); "input" → (I, O·H·W)."""
    if axis not in AXES:
        raise ValueError(f"unknown axis {axis!r}; expected one of {AXES}")
    w = _weight(weight)
    if axis == "input":
        w = np.swapaxes(w, 0, 1)
    return w.reshape(w.shape[0], -1)


def channel_correlation_matrix(weight, axis: str = "output") -> np.ndarray:
    """Pearson correlation between channel slices (rows of :func:`channel_rows`): (C, C).

    corr[i, j] = ⟨x_i − x̄_i, x_j − x̄_j⟩ / (‖x_i − x̄_i‖ ‖x_j − x̄_j‖); NaN where a row is constant.
    """
    rows = channel_rows(weight, axis)
    centred = rows - rows.mean(axis=1, keepdims=True)
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = centred / norms[:, None]
        unit[norms == 0] = np.nan
    corr = unit @ unit.T
    finite_diag = np.isfinite(np.diag(corr))
    idx = np.flatnonzero(finite_diag)
    corr[idx, idx] = 1.0
    return corr


def channel_correlation_matrix_loop(weight, axis: str = "output") -> np.ndarray:
    """Twin of :func:`channel_correlation_matrix`: pair by pair with ``np.corrcoef`` (tests)."""
    rows = channel_rows(weight, axis)
    c = rows.shape[0]
    out = np.empty((c, c))
    for i in range(c):
        for j in range(c):
            if np.ptp(rows[i]) == 0 or np.ptp(rows[j]) == 0:
                out[i, j] = np.nan
            else:
                out[i, j] = np.corrcoef(rows[i], rows[j])[0, 1]
    return out


def offdiagonal(corr) -> np.ndarray:
    """Entries corr[i, j] with i < j of a square matrix, as a 1-D array (C(C−1)/2,)."""
    m = np.asarray(corr, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"corr must be a square matrix, got shape {m.shape}")
    return m[np.triu_indices(m.shape[0], k=1)]


def correlation_histogram(weight, axis: str = "output", bins=41, value_range=(-1.0, 1.0)):
    """Fig. 13: histogram of the off-diagonal correlations → (counts (bins,), edges (bins+1,))."""
    vals = offdiagonal(channel_correlation_matrix(weight, axis))
    vals = vals[np.isfinite(vals)]
    return np.histogram(vals, bins=bins, range=value_range)


def correlation_vs_distance(weight, axis: str = "output", max_distance: int | None = None,
                            absolute: bool = True) -> np.ndarray:
    """Fig. 11: mean (|)corr[i, j](|) over the pairs with |i − j| = d, for d = 1 … max_distance.

    Returns shape (max_distance,); max_distance defaults to C − 1 (C channels on that axis).
    """
    corr = channel_correlation_matrix(weight, axis)
    c = corr.shape[0]
    if c < 2:
        raise ValueError(f"need at least 2 channels on the {axis} axis, got {c}")
    dmax = c - 1 if max_distance is None else int(max_distance)
    if not 1 <= dmax <= c - 1:
        raise ValueError(f"max_distance must be in 1…{c - 1}, got {max_distance}")
    vals = np.abs(corr) if absolute else corr
    out = np.empty(dmax)
    for d in range(1, dmax + 1):
        diag = np.diagonal(vals, offset=d)
        out[d - 1] = np.nanmean(diag) if np.any(np.isfinite(diag)) else np.nan
    return out


def mean_offdiagonal_correlation(weight, axis: str = "output", statistic: str = "mean") -> float:
    """One layer's number for Fig. 1: mean over i < j of corr[i, j] ("mean") or |corr| ("abs")."""
    if statistic not in ("mean", "abs"):
        raise ValueError(f"unknown statistic {statistic!r}; expected 'mean' or 'abs'")
    vals = offdiagonal(channel_correlation_matrix(weight, axis))
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return float("nan")
    return float(np.mean(np.abs(vals) if statistic == "abs" else vals))


def channel_mean_std(weight) -> tuple[np.ndarray, np.ndarray]:
    """Fig. 14: per output channel, the mean and the std (ddof=0) of W[o] → ((O,), (O,))."""
    rows = channel_rows(weight, "output")
    return rows.mean(axis=1), rows.std(axis=1)


def mean_std_scatter(weights) -> dict:
    """Fig. 14 for a list of layers: per-channel means, stds, layer index, and the Pearson
    correlation across all channels of (mean, std) and of (|mean|, std)."""
    weights = list(weights)
    if not weights:
        raise ValueError("weights must be a non-empty list of (O, I, ...) arrays")
    means, stds, layer = [], [], []
    for k, w in enumerate(weights):
        m, s = channel_mean_std(w)
        means.append(m)
        stds.append(s)
        layer.append(np.full(m.shape, k))
    m, s = np.concatenate(means), np.concatenate(stds)

    def pearson(a, b):
        if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
            return float("nan")
        return float(np.corrcoef(a, b)[0, 1])

    return {"mean": m, "std": s, "layer": np.concatenate(layer),
            "corr_mean_std": pearson(m, s), "corr_absmean_std": pearson(np.abs(m), s)}


def in_out_correlation_table(weights, statistic: str = "mean") -> dict:
    """Fig. 1's table row for one network: input- and output-channel correlation.

    weights: list of (O, I, ...) arrays (its conv layers).  Each layer's number is
    :func:`mean_offdiagonal_correlation`; the row is their mean over the layers with ≥ 2
    channels on that axis.  Returns {"input": float, "output": float, "per_layer": [...]}.
    """
    weights = list(weights)
    if not weights:
        raise ValueError("weights must be a non-empty list of (O, I, ...) arrays")
    per_layer = []
    for w in weights:
        a = _weight(w)
        row = {"shape": list(a.shape)}
        for axis, n in (("output", a.shape[0]), ("input", a.shape[1])):
            row[axis] = mean_offdiagonal_correlation(a, axis, statistic) if n >= 2 else float("nan")
        per_layer.append(row)
    out = {}
    for axis in AXES:
        vals = np.array([r[axis] for r in per_layer], dtype=np.float64)
        vals = vals[np.isfinite(vals)]
        out[axis] = float(vals.mean()) if vals.size else float("nan")
    out["per_layer"] = per_layer
    return out


def rescale_channels(weight, scales, axis: str = "output") -> np.ndarray:
    """A per-channel positive re-scaling of a weight tensor (Appendix F, "Could it be due to
    scaling?").

    ``axis="output"``: W[o] ← s_o·W[o] (the rescaling under which Pearson correlation between
    output filters is invariant by construction); ``axis="input"``: W[:, i] ← s_i·W[:, i] — what a
    BatchNorm affine factor γ_i of the previous layer amounts to when it is moved into the next
    conv (the network's output unchanged), under which the output-channel statistic changes.
    scales: (O,) or (I,) positive numbers.  Returns a float64 copy."""
    if axis not in AXES:
        raise ValueError(f"unknown axis {axis!r}; expected one of {AXES}")
    w = _weight(weight)
    s = np.asarray(scales, dtype=np.float64).reshape(-1)
    n = w.shape[0 if axis == "output" else 1]
    if s.shape != (n,) or not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError(f"scales must be {n} finite positive numbers for the {axis} axis, got shape {s.shape}")
    shape = [1] * w.ndim
    shape[0 if axis == "output" else 1] = n
    return w * s.reshape(shape)


def layers_correlation_vs_distance(weights, axis: str = "output", max_distance: int = 8,
                                   absolute: bool = False) -> np.ndarray:
    """Fig. 11 for a network: :func:`correlation_vs_distance` averaged over the layers with more
    than ``max_distance`` channels on ``axis``; shape (max_distance,).

    ``absolute=False`` (signed correlation) is centred at 0 for i.i.d. weights whatever the slice
    length; mean |corr| is not (it scales like 1/√(slice length), which differs between the output
    and the input axis), so signed values are the ones to compare across axes."""
    curves = [correlation_vs_distance(w, axis, max_distance, absolute) for w in weights
              if _weight(w).shape[0 if axis == "output" else 1] > max_distance]
    if not curves:
        raise ValueError(f"no layer has more than {max_distance} {axis} channels")
    return np.nanmean(np.stack(curves), axis=0)


__all__ = [
    "AXES", "channel_rows", "channel_correlation_matrix", "channel_correlation_matrix_loop",
    "offdiagonal", "correlation_histogram", "correlation_vs_distance",
    "mean_offdiagonal_correlation", "channel_mean_std", "mean_std_scatter",
    "in_out_correlation_table", "rescale_channels", "layers_correlation_vs_distance",
]
