"""lcr peers (issue 15 §4a) on the torch side: every conv layer's spectral-norm estimators beside the
exact circular-padding norm, for a freshly initialised binary ResNet-20 and for trained runs.

One per-layer computation (:func:`layer_peers`, a model and an input batch) serves the fresh-init
theory check (:func:`fresh_init_peers`) and the trained quick models (:func:`trained_run_peers`, kept
per run in ``<run>/spectral_peers.json`` by the figure ``lcr_spectral_peers`` while the run's checkpoint
exists; :func:`peer_run_results` reads those files, never a checkpoint). The lcr suite's
``lcr.peers.*`` claims and the figure both call these. Not loaded by training.
"""
from __future__ import annotations

import math

from analysis import lipschitz as lp

__all__ = ["PEER_EXPERIMENT", "PEER_PAIR", "PEER_SETTINGS", "PEER_ESTIMATES", "PEER_ZERO_ITERS", "PEER_BATCH",
           "PEER_FIGURE", "PEER_RESULT_FILE", "conv_layer_inputs", "layer_peers", "fresh_init_peers", "trained_run_peers", "peer_run_results", "sum_log_norm"]

PEER_EXPERIMENT = "lcr/table2"
# the lcr/table2 settings measured when their runs are computable: IR-Net and Ours (λ = 8) at 1/32 (binary
# weights, real activations), then 1/1 (lcr/table3's λ = 0 / λ = 8 runs). The 1/32 pair is always in the
# ledger (not-run without runs); the 1/1 pair only where a run's spectral_peers.json exists.
PEER_PAIR = ("r20_irnet_w1a32", "r20_ours_w1a32")          # (IR-Net, Ours λ = 8): the paired log-norm claim
PEER_SETTINGS = PEER_PAIR + ("r20_irnet", "r20_ours")
PEER_ESTIMATES = ("zero_padding", "rm_official_1step", "rm_converged", "reshaped_1", "reshaped_100", "bound_sqrt_k")
PEER_ZERO_ITERS = 100   # power-iteration steps of the zero-padding estimate
PEER_BATCH = 8          # images of the forward pass that gives each layer's input (and M for the RM estimates)
PEER_FIGURE = "lcr_spectral_peers"
PEER_RESULT_FILE = "spectral_peers.json"


def conv_layer_inputs(model, x) -> list[dict]:
    """Every nn.Conv2d of ``model`` with its kernel (latent and, for binary layers, binarised), its real
    input size and the channel-space M (official 'batch' convention) of one forward pass on ``x``."""
    import torch
    from analysis.nets.losses import m_matrix

    recs, hooks = [], []
    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Conv2d):
            def fn(m, inp, out, name=name):
                recs.append({"name": name, "module": m, "x": inp[0].detach(), "y": out.detach()})
            hooks.append(mod.register_forward_hook(fn))
    try:
        with torch.no_grad():
            model.eval()(x)
    finally:
        for h in hooks:
            h.remove()
    out = []
    for r in recs:
        m = r["module"]
        binary = hasattr(m, "binary_weight")
        with torch.no_grad():
            wb = m.binary_weight() if binary else m.weight
        out.append({"name": r["name"], "input_hw": tuple(r["x"].shape[2:]), "stride": m.stride[0], "binary": binary,
                    "kernel": m.weight.detach().double().numpy(), "kernel_binary": wb.detach().double().numpy(),
                    "m": m_matrix(r["x"].double(), r["y"].double(), "batch")[0].numpy()})
    return out


def layer_peers(model, x, seed: int = 0) -> list[dict]:
    """The peers of every conv layer of ``model`` (forward order) at its real input size, from one
    forward pass on ``x``: one JSON-able row per (kernels "fp" | "binary", layer), fp rows first, with
    the exact circular-padding norm, each estimate of ``PEER_ESTIMATES`` as a ratio to it
    (``<estimate>_over_circular``), ``over_bound`` = max(exact, zero-padding)/(√(k1k2)·‖W_mat‖) and
    ``over_matrix`` = exact/‖W_mat‖ (the bound without √(k1k2)). ``analysis.lipschitz.conv_spectral_peers``
    with M from ``analysis.nets.losses.m_matrix(..., "batch")``; the zero-padding power iteration of
    layer i starts from seed ``seed + i``. A layer without binarisation has kernels_binary = its kernel."""
    layers = conv_layer_inputs(model, x)
    rows = []
    for which in ("fp", "binary"):
        for i, L in enumerate(layers):
            k = L["kernel"] if which == "fp" else L["kernel_binary"]
            p = lp.conv_spectral_peers(k, L["input_hw"], m=L["m"], zero_iters=PEER_ZERO_ITERS, seed=seed + i)
            c = float(p["circular"])
            rows.append({"kernels": which, "layer_index": i, "layer": L["name"], "binary_layer": bool(L["binary"]),
                         "input_hw": [int(v) for v in L["input_hw"]], "stride": int(L["stride"]),
                         "c_in": int(k.shape[1]), "c_out": int(k.shape[0]), "circular": c,
                         **{f"{q}_over_circular": float(p[q]) / c for q in PEER_ESTIMATES},
                         "over_bound": max(c, float(p["zero_padding"])) / float(p["bound_sqrt_k"]),
                         "over_matrix": c / float(lp.spectral_norm(k.reshape(k.shape[0], -1)))})
    return rows


def fresh_init_peers(seed: int = 0) -> list[dict]:
    """:func:`layer_peers` of a freshly initialised binary ResNet-20 (torch seed ``seed``) on N(0, 1)
    CIFAR-size inputs (PEER_BATCH × 3 × 32 × 32, generator seed ``seed``): the theory-side check."""
    import torch
    from analysis.nets.models import build_model

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = build_model("binary_resnet20", num_classes=10, in_channels=3, image_size=32)
        x = torch.randn(PEER_BATCH, 3, 32, 32, generator=torch.Generator().manual_seed(seed))
        return layer_peers(model, x, seed)


def trained_run_peers(model, test_x) -> dict:
    """What ``<run>/spectral_peers.json`` holds: :func:`layer_peers` of a trained run's ``model`` on its
    first PEER_BATCH test images ``test_x`` (the trainer's test subset and normalisation,
    ``analysis.nets.train.load_data``), zero-padding seeds 0 + layer index."""
    x = test_x[:PEER_BATCH]
    return {"input": f"first {int(x.shape[0])} test images {list(x.shape)} (load_data: the run's test subset, "
                     "normalised as in training)", "zero_iters": PEER_ZERO_ITERS, "estimates": list(PEER_ESTIMATES),
            "rows": layer_peers(model, x, 0)}


def peer_run_results(runs: dict, settings) -> tuple[dict, dict]:
    """({setting: [{"seed", "hash", "rows"} per run whose spectral_peers.json exists]}, {setting: why
    left out}) for ``runs`` = {label: [Run or None per seed]} of lcr/table2. Reads the JSON only (never a
    checkpoint): a setting without any computable run is left out, with the reason."""
    import json

    found, left = {}, {}
    for s in settings:
        rs = runs.get(s)
        if not rs:
            left[s] = "not in this preset's experiment"
            continue
        got = []
        for r in rs:
            f = None if r is None else r.dir / PEER_RESULT_FILE
            if f is not None and f.exists():
                got.append({"seed": r.config.seed, "hash": r.hash, "rows": json.loads(f.read_text())["rows"]})
        if got:
            found[s] = got
            if len(got) < len(rs):
                left[f"{s} (some seeds)"] = f"{len(rs) - len(got)} of {len(rs)} runs without {PEER_RESULT_FILE}"
        else:
            n_none = sum(r is None for r in rs)
            why = [f"{n_none} of {len(rs)} runs not in the cache"] if n_none else []
            if n_none < len(rs):
                why.append(f"{len(rs) - n_none} finished run(s) without {PEER_RESULT_FILE} (written by `workbench "
                           f"figures --only {PEER_FIGURE}` only while a run's checkpoint exists)")
            left[s] = ", ".join(why)
    return found, left


def sum_log_norm(rows: list[dict], which: str = "fp", binary_only: bool = False) -> float:
    """Σ over conv layers of log(exact circular norm) of kernels ``which`` (``binary_only``: the binarised
    layers only, i.e. without the full-precision stem)."""
    return float(sum(math.log(r["circular"]) for r in rows
                     if r["kernels"] == which and (r["binary_layer"] or not binary_only)))
