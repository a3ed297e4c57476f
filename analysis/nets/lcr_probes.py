"""LCR probes (paper 002, LCR-BNN): what the LCR suite measures on trained binary networks.

* ``BlockRecorder``: forward hooks on ``model.blocks`` keeping each block's (input, output).
* ``count_layer_specs``: the conv/linear layers a forward pass runs, for BOPs/FLOPs counting
  with ``analysis.lipschitz.count_bops_flops`` (Table 5).
* ``weight_std_monitor``: trainer monitor hook, the latent weights' std per BinaryConv2d (Fig. 2).
* ``CORRUPTIONS``, ``corrupt_images``, ``corruption_accuracy``: synthetic corruptions (Table 6 at
  quick scale).
* ``batch_similarity``, ``block_similarity_stats``: the Fig. 3 / Eq. 7 independence statistics.
* ``conv_weight_stats``: summary statistics of one conv layer's latent and binary weights (Table 3's
  weight figure), small enough to cache in a run folder.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from analysis.lipschitz import LayerSpec

from .sign import BinaryConv2d, _sgn

__all__ = ["BlockRecorder", "count_layer_specs", "weight_std_monitor", "CORRUPTIONS", "corrupt_images",
           "corruption_accuracy", "batch_similarity", "block_similarity_stats", "conv_weight_stats"]


class BlockRecorder:
    """Forward hooks on ``blocks`` that keep each block's (input, output) of the last forward pass.

    Use as a context manager, or call ``remove()``; ``pairs`` is a list of (x_in, x_out) tensors
    (still in the autograd graph), one per block in forward order."""

    def __init__(self, blocks: Sequence[nn.Module]):
        if len(blocks) < 1:
            raise ValueError("need at least one block to record (the model's `blocks`)")
        self.pairs: list = [None] * len(blocks)
        self._handles = [b.register_forward_hook(self._hook(i)) for i, b in enumerate(blocks)]

    def _hook(self, i):
        def fn(module, inputs, output):
            self.pairs[i] = (inputs[0], output)
        return fn

    def clear(self):
        self.pairs = [None] * len(self.pairs)

    def remove(self):
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# ----------------------------------------------------------------------------- operation counts

def count_layer_specs(model: nn.Module, input_shape: Sequence[int]) -> list[LayerSpec]:
    """The Conv2d/Linear layers one forward pass of a (1, *input_shape) input runs, as LayerSpec
    (binary: a BinaryConv2d not in full precision), for ``analysis.lipschitz.count_bops_flops``."""
    specs: list[LayerSpec] = []

    def hook(name):
        def fn(m, inp, out):
            if isinstance(m, nn.Conv2d):
                if m.kernel_size[0] != m.kernel_size[1] or m.groups != 1:
                    raise ValueError(f"{name}: only square, ungrouped kernels are counted")
                binary = isinstance(m, BinaryConv2d) and not m.full_precision
                specs.append(LayerSpec(name, m.in_channels, m.out_channels, m.kernel_size[0],
                                       out.shape[2], out.shape[3], binary))
            else:
                specs.append(LayerSpec(name, m.in_features, m.out_features, 1, 1, 1, False))
        return fn

    handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, *input_shape))
    finally:
        for h in handles:
            h.remove()
        model.train(was)
    return specs


# ----------------------------------------------------------------------------- trainer monitor

def weight_std_monitor(spec: dict, env):
    """Monitor hook: std of the latent (pre-binarisation) weights of every BinaryConv2d,
    ``wstd.<module name>`` — Fig. 2's statistic."""
    def measure(model) -> dict:
        with torch.no_grad():
            return {f"wstd.{n}": float(m.weight.std()) for n, m in model.named_modules()
                    if isinstance(m, BinaryConv2d)}
    return measure


# ----------------------------------------------------------------------------- robustness (Table 6 at quick scale)

# Synthetic corruptions of [0, 1] images, severities 1…5. Gaussian noise and contrast use
# ImageNet-C's (Hendrycks & Dietterich 2019) values; the blur widths are ImageNet-C's (1, 2, 3, 4, 6)
# pixels at 224 px, re-chosen for 28-px images (a reading: the paper tests only ImageNet-C).
CORRUPTIONS = {
    "gaussian_noise": (0.08, 0.12, 0.18, 0.26, 0.38),   # noise std
    "gaussian_blur": (0.5, 0.75, 1.0, 1.5, 2.0),         # blur std in pixels
    "contrast": (0.4, 0.3, 0.2, 0.1, 0.05),              # contrast factor about each image's mean
}


def corrupt_images(x01, kind: str, severity: int, seed: int = 0):
    """Corrupted copy of images x01 (n, C, H, W) with values in [0, 1], clipped to [0, 1].

    gaussian_noise: x + N(0, s²) (Generator from ``seed``); gaussian_blur: Gaussian filter of
    std s pixels on each image plane (scipy.ndimage, reflect border); contrast: (x − mean)·s + mean
    with the mean over each image's pixels."""
    import numpy as np
    from scipy.ndimage import gaussian_filter

    if kind not in CORRUPTIONS:
        raise ValueError(f"corruption must be one of {sorted(CORRUPTIONS)}, got {kind!r}")
    if isinstance(severity, bool) or not isinstance(severity, int) or not 1 <= severity <= 5:
        raise ValueError(f"severity must be an int 1..5, got {severity!r}")
    x = np.asarray(x01, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"images must be (n, C, H, W), got shape {x.shape}")
    s = CORRUPTIONS[kind][severity - 1]
    if kind == "gaussian_noise":
        y = x + np.random.default_rng(seed).normal(0.0, s, x.shape)
    elif kind == "gaussian_blur":
        y = gaussian_filter(x, sigma=(0, 0, s, s), mode="reflect")
    else:
        m = x.mean(axis=(1, 2, 3), keepdims=True)
        y = (x - m) * s + m
    return np.clip(y, 0.0, 1.0)


def corruption_accuracy(model: nn.Module, cfg, data_dir=None, out=None, batch_size: int = 500) -> dict:
    """Test accuracy of ``model`` on the clean and corrupted test set of run config ``cfg``
    (the same test subset and normalisation as the trainer): {"clean": acc, kind: [acc per
    severity 1…5], "mean_corrupted": mean over kinds and severities}."""
    import numpy as np

    from .data import DATASETS, channel_statistics, load_dataset, normalization, subset
    from .train import _ensure_synthetic

    if cfg.synthetic is not None:
        if out is None:
            raise ValueError("a synthetic-data config needs the results root `out`")
        data_dir = _ensure_synthetic(cfg, out)
    test = load_dataset(cfg.dataset, "test", data_dir)
    if cfg.test_subset is not None and cfg.test_subset < len(test):
        test = subset(test, cfg.test_subset, seed=0)
    mean, std = normalization(test.name) if test.name in DATASETS else channel_statistics(test)
    mean = np.asarray(mean).reshape(1, -1, 1, 1)
    std = np.asarray(std).reshape(1, -1, 1, 1)
    x01 = test.x.astype(np.float64) / 255.0
    y = torch.from_numpy(test.y.copy())

    def acc(images01) -> float:
        xt = torch.from_numpy(((images01 - mean) / std).astype(np.float32))
        was = model.training
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, xt.shape[0], batch_size):
                correct += int((model(xt[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum())
        model.train(was)
        return correct / xt.shape[0]

    res = {"clean": acc(x01)}
    for k_i, kind in enumerate(sorted(CORRUPTIONS)):
        res[kind] = [acc(corrupt_images(x01, kind, s, seed=100 * k_i + s)) for s in range(1, 6)]
    res["mean_corrupted"] = float(np.mean([v for kind in CORRUPTIONS for v in res[kind]]))
    return res


# ----------------------------------------------------------------------------- Fig. 3: the independence assumption

def batch_similarity(acts) -> dict:
    """Similarity of the samples of one batch of activations acts (B, …) (Fig. 3 / Eq. 7).

    Returns {"pearson": (B, B) correlation matrix of the flattened samples (Fig. 3's maps),
    "cosine": (B, B) normalised inner products a_iᵀa_j/(‖a_i‖‖a_j‖) (Eq. 7's quantity),
    "mean_abs_offdiag_pearson", "mean_abs_offdiag_cosine"} as numpy float64."""
    import numpy as np

    a = np.asarray(acts.detach().double().flatten(1).cpu().numpy() if torch.is_tensor(acts) else acts, dtype=np.float64)
    a = a.reshape(a.shape[0], -1)
    if a.shape[0] < 2:
        raise ValueError(f"need at least 2 samples, got {a.shape[0]}")
    centred = a - a.mean(1, keepdims=True)
    cn = np.linalg.norm(centred, axis=1, keepdims=True)
    n = np.linalg.norm(a, axis=1, keepdims=True)
    pear = (centred / np.where(cn > 0, cn, 1)) @ (centred / np.where(cn > 0, cn, 1)).T
    cos = (a / np.where(n > 0, n, 1)) @ (a / np.where(n > 0, n, 1)).T
    off = ~np.eye(a.shape[0], dtype=bool)
    return {"pearson": pear, "cosine": cos, "mean_abs_offdiag_pearson": float(np.abs(pear[off]).mean()),
            "mean_abs_offdiag_cosine": float(np.abs(cos[off]).mean())}


def block_similarity_stats(model: nn.Module, x: torch.Tensor) -> dict:
    """Per residual block: batch_similarity of its real-valued output and of its sign (the binary
    activations the next block's convolution sees), for one batch x (eval mode, no gradient).
    Returns {"block<i>": {"real": {...means...}, "binary": {...}}} without the matrices."""
    was = model.training
    model.eval()
    try:
        with BlockRecorder(model.blocks) as rec, torch.no_grad():
            model(x)
            pairs = list(rec.pairs)
    finally:
        model.train(was)
    out = {}
    for i, (_, o) in enumerate(pairs):
        real = batch_similarity(o)
        binary = batch_similarity(_sgn(o))
        out[f"block{i}"] = {k: {m: v[m] for m in ("mean_abs_offdiag_pearson", "mean_abs_offdiag_cosine")}
                            for k, v in (("real", real), ("binary", binary))}
    return out


# ----------------------------------------------------------------------------- Fig. 2: latent weights of one layer

def conv_weight_stats(model: nn.Module, name: str = "stages.2.0.conv2", bins: int = 60) -> dict:
    """Summary of the latent weights of the conv layer ``name`` (Fig. 2's histogram), small enough
    to keep in a run folder: {"layer", "n", "mean", "std" (ddof 1), "min", "max", "counts" (bins
    ints), "edges" (bins + 1 floats, np.histogram over [min, max])}."""
    import numpy as np

    mods = dict(model.named_modules())
    if name not in mods or not hasattr(mods[name], "weight"):
        raise ValueError(f"the model has no weighted layer {name!r}")
    w = mods[name].weight.detach().double().cpu().numpy().ravel()
    counts, edges = np.histogram(w, bins=bins)
    return {"layer": name, "n": int(w.size), "mean": float(w.mean()), "std": float(w.std(ddof=1)),
            "min": float(w.min()), "max": float(w.max()), "counts": [int(c) for c in counts],
            "edges": [float(e) for e in edges]}
