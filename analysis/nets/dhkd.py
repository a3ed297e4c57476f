"""Dual-Head Knowledge Distillation (paper 004) on the torch side: the model wrapper, its losses,
gradient alignment (Eq. 6), per-group gradient cosines, and the trainer hooks.

Reduction (it sets α's effective scale): the workbench trains with the official code's
reductions — CE is the batch mean (``nn.CrossEntropyLoss``), BinaryKL / BinaryKL-Norm are
``T²·Σ_{i,k} KL / B`` (``distiller_zoo/BinaryKL*.py``: ``loss.sum() / N``), i.e. ``"batchmean"``:
a sum over the K classes and a mean over the batch. With Eq. 1/5's literal sum over the batch,
α would be B times larger (B = 64 on CIFAR-100 in Appendix F). The loss is
γ·CE(head 1) + α·BinaryKL-Norm(head 2, teacher) (``train_student.py``: ``args.gamma * loss_cls
+ args.alpha * loss_kd``).

Gradient alignment: the official ``helper/optimizer.py`` (after Pytorch-PCGrad) backpropagates
γ·CE and α·BinaryKL-Norm separately, flattens each gradient over *all* parameters (backbone and
both heads), projects the BinaryKL-Norm gradient off the CE gradient when their dot product is
negative (Eq. 6), and sums. :func:`ga_backward` does this (``granularity="flat"``) and also per
parameter tensor (``"per_tensor"``). :func:`ga_surrogate` builds a loss whose plain gradient is
the flat projection, so the one trainer can train DHKD with GA through a loss hook; that costs
three backward passes per step (two to form Eq. 6's coefficient, then the trainer's own), one more
than the official code — a trainer "backward" hook calling :func:`ga_backward` would save it.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import distill_losses as TL
from .hooks import HookEnv, StepContext, register_hook
from .models import register_model

__all__ = ["NonLinearHead", "DualHead", "dual_head", "dhkd_loss", "single_head_loss", "kd_baseline_loss",
           "flat_grads", "ga_backward", "ga_backward_shared", "ga_backward_two_vjp", "ga_coefficient", "ga_surrogate", "ga_terms", "param_groups", "gradient_cosines", "head_features", "probe_metrics"]


# ----------------------------------------------------------------------------- model

class NonLinearHead(nn.Module):
    """The official auxiliary MLP (models/classifier.py): Linear(d, 200) → Dropout(0.1) → BN1d → ReLU → Linear(200, K)."""

    def __init__(self, dim_in: int, num_classes: int, hidden: int = 200, dropout: float = 0.1):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim_in, hidden), nn.Dropout(p=dropout), nn.BatchNorm1d(hidden),
                                 nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.net(h)


def _final_linear(base: nn.Module) -> tuple[str, nn.Linear]:
    for name in ("fc", "classifier", "head"):
        m = getattr(base, name, None)
        if isinstance(m, nn.Linear):
            return name, m
    raise ValueError(f"{type(base).__name__} has no final nn.Linear named fc/classifier/head; "
                     "DualHead needs one to read the backbone features")


class DualHead(nn.Module):
    """A network whose final linear classifier g (head 1) is joined by an auxiliary head g' (§3.3, Fig. 4).

    ``base`` is any network ending in an ``nn.Linear`` called ``fc``, ``classifier`` or ``head``;
    the features h (B, d) are that layer's input. ``forward(x)`` returns head 1's logits (B, K)
    (what is evaluated and what the trainer's CE sees) and keeps head 2's logits of the same
    forward pass in ``self.aux_logits`` (and h in ``self.features``) for the loss hooks;
    :meth:`forward_both` returns both. ``aux="linear"`` (same-architecture pairs) or ``"mlp"``
    (:class:`NonLinearHead`, cross-architecture pairs), Appendix F.
    """

    def __init__(self, base: nn.Module, aux: str = "linear", hidden: int = 200, dropout: float = 0.1):
        super().__init__()
        name, head = _final_linear(base)
        self.base = base
        self.head_name = name
        d, k = head.in_features, head.out_features
        if aux == "linear":
            self.aux_head = nn.Linear(d, k)
        elif aux == "mlp":
            self.aux_head = NonLinearHead(d, k, hidden, dropout)
        else:
            raise ValueError(f"aux must be 'linear' or 'mlp', got {aux!r}")
        self.features: torch.Tensor | None = None
        self.aux_logits: torch.Tensor | None = None
        head.register_forward_pre_hook(self._grab)

    def _grab(self, module, inputs):
        self.features = inputs[0]

    @property
    def head(self) -> nn.Linear:
        return getattr(self.base, self.head_name)

    @property
    def blocks(self):
        return getattr(self.base, "blocks", ())

    def forward_both(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        main = self.base(x)
        return main, self.aux_head(self.features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        main, aux = self.forward_both(x)
        self.aux_logits = aux
        return main


@register_model("dual_head")
def dual_head(num_classes=10, in_channels=3, image_size=32, width=1.0, base="cnn1", aux="linear",
              hidden=200, dropout=0.1, base_kw=None):
    """DHKD student: the registered network ``base`` (with ``base_kw``) plus an auxiliary head."""
    from .models import build_model

    net = build_model(base, num_classes=num_classes, in_channels=in_channels, image_size=image_size,
                      width=width, **(base_kw or {}))
    return DualHead(net, aux=aux, hidden=int(hidden), dropout=float(dropout))


# ----------------------------------------------------------------------------- losses

def dhkd_loss(main_logits: torch.Tensor, aux_logits: torch.Tensor, teacher_logits: torch.Tensor,
              labels: torch.Tensor, gamma: float = 1.0, alpha: float = 1.0, T: float = 2.0,
              kd: str = "binary_kl_norm") -> dict[str, torch.Tensor]:
    """DHKD's loss terms: {"ce": γ·CE(head 1, labels), "kd": α·BinaryKL-Norm(head 2, teacher)}.

    CE is the batch mean; the KD term uses ``"batchmean"`` (official reduction, see module doc).
    ``kd="binary_kl"`` gives Appendix D's DHKD with the original BinaryKL.
    """
    f = {"binary_kl_norm": TL.binary_kl_norm, "binary_kl": TL.binary_kl, "kd": TL.kd_loss}[kd]
    return {"ce": gamma * F.cross_entropy(main_logits, labels),
            "kd": alpha * f(aux_logits, teacher_logits, T, "batchmean")}


def single_head_loss(logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                     gamma: float = 1.0, alpha: float = 1.0, T: float = 2.0,
                     kd: str = "binary_kl") -> dict[str, torch.Tensor]:
    """Eq. 2's baseline on one head: {"ce": γ·CE, "kd": α·BinaryKL} (batch mean / batchmean)."""
    f = {"binary_kl_norm": TL.binary_kl_norm, "binary_kl": TL.binary_kl, "kd": TL.kd_loss}[kd]
    return {"ce": gamma * F.cross_entropy(logits, labels), "kd": alpha * f(logits, teacher_logits, T, "batchmean")}


def kd_baseline_loss(logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                     gamma: float = 1.0, alpha: float = 1.0, T: float = 4.0) -> dict[str, torch.Tensor]:
    """Vanilla KD (Hinton): {"ce": γ·CE, "kd": α·T²·KL(p_t ‖ p_s)} with batch-mean reduction."""
    return single_head_loss(logits, teacher_logits, labels, gamma, alpha, T, kd="kd")


# ----------------------------------------------------------------------------- gradient alignment

def flat_grads(loss: torch.Tensor, params: list[torch.Tensor], retain_graph: bool = True) -> list[torch.Tensor]:
    """∂loss/∂p for every p (zeros where p does not influence the loss)."""
    gs = torch.autograd.grad(loss, params, retain_graph=retain_graph, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, gs)]


def _project(g_aux: torch.Tensor, g_main: torch.Tensor) -> torch.Tensor:
    """Eq. 6 on flat vectors; dot and norm in float64 so float32 gradients cannot underflow ‖g‖² to 0."""
    dot = torch.dot(g_aux.double(), g_main.double())
    if dot < 0:
        return g_aux - (dot / torch.dot(g_main.double(), g_main.double())).to(g_aux.dtype) * g_main
    return g_aux


def ga_backward(params: Iterable[torch.Tensor], main_loss: torch.Tensor, aux_loss: torch.Tensor,
                granularity: str = "flat") -> dict:
    """Set p.grad = ∇main + Eq.6(∇aux against ∇main) for every p; return {"cosine", "conflict"}.

    ``granularity="flat"``: Eq. 6 once on the concatenated gradient of all ``params`` (official
    code). ``"per_tensor"``: Eq. 6 separately for each parameter tensor. ``cosine`` is the flat
    cosine between ∇aux and ∇main before projection.
    """
    if granularity not in ("flat", "per_tensor"):
        raise ValueError(f"granularity must be 'flat' or 'per_tensor', got {granularity!r}")
    params = [p for p in params if p.requires_grad]
    gm = flat_grads(main_loss, params, retain_graph=True)
    ga = flat_grads(aux_loss, params, retain_graph=False)
    vm = torch.cat([g.reshape(-1) for g in gm])
    va = torch.cat([g.reshape(-1) for g in ga])
    denom = vm.double().norm() * va.double().norm()
    cosine = float(torch.dot(vm.double(), va.double()) / denom) if float(denom) > 0 else 0.0
    if granularity == "flat":
        proj = _project(va, vm)
        total = vm + proj
        i = 0
        for p in params:
            n = p.numel()
            p.grad = total[i:i + n].view_as(p).clone()
            i += n
    else:
        for p, a, m in zip(params, ga, gm):
            p.grad = (m.reshape(-1) + _project(a.reshape(-1), m.reshape(-1))).view_as(p).clone()
    return {"cosine": cosine, "conflict": cosine < 0}


def ga_backward_shared(model: "DualHead", main_loss: torch.Tensor, aux_loss: torch.Tensor) -> dict:
    """:func:`ga_backward` (flat, over all of ``model``'s parameters) with ONE backbone backward pass.

    Both losses reach the backbone only through the features h, so their backbone gradients are
    Jᵀa and Jᵀb with a = ∂main/∂h, b = ∂aux/∂h (B, d). One batched vector-Jacobian product
    (``is_grads_batched``) gives both; the heads' gradients come from the small head graphs.
    Eq. 6's coefficient s is formed from the flattened vectors, and the result
    ∇main + ∇aux − s∇main is assembled without a third pass. Same numbers as
    ``ga_backward(model.parameters(), main_loss, aux_loss, "flat")`` up to rounding.
    """
    if not isinstance(model, DualHead) or model.features is None:
        raise ValueError("ga_backward_shared needs a DualHead after a forward pass (its features)")
    groups = param_groups(model)
    h = model.features
    head, aux = groups["head"], groups["aux_head"]
    backbone = [p for p in groups["backbone"] if p.requires_grad]
    g_main = torch.autograd.grad(main_loss, head + [h], retain_graph=True, allow_unused=True)
    g_aux = torch.autograd.grad(aux_loss, aux + [h], retain_graph=True, allow_unused=True)
    zero_h = torch.zeros_like(h)
    a = zero_h if g_main[-1] is None else g_main[-1]
    b = zero_h if g_aux[-1] is None else g_aux[-1]
    gb = torch.autograd.grad(h, backbone, grad_outputs=torch.stack([a, b]), is_grads_batched=True,
                             allow_unused=True)
    gb = [torch.zeros((2,) + p.shape, dtype=p.dtype) if g is None else g for p, g in zip(backbone, gb)]
    head_m = [torch.zeros_like(p) if g is None else g for p, g in zip(head, g_main[:-1])]
    aux_a = [torch.zeros_like(p) if g is None else g for p, g in zip(aux, g_aux[:-1])]
    # heads are disjoint: only the backbone overlaps; sums in float64 (no underflow of ‖g‖²)
    dot = sum(torch.sum(g[0].double() * g[1].double()) for g in gb)
    nrm = sum(torch.sum(g[0].double() ** 2) for g in gb) + sum(torch.sum(g.double() ** 2) for g in head_m)
    s = (dot / nrm).to(h.dtype) if dot < 0 else torch.zeros((), dtype=h.dtype)
    for p, g in zip(backbone, gb):
        p.grad = (1.0 - s) * g[0] + g[1]
    for p, g in zip(head, head_m):
        p.grad = (1.0 - s) * g
    for p, g in zip(aux, aux_a):
        p.grad = g.clone()
    den = float(torch.sqrt(nrm * (sum(torch.sum(g[1].double() ** 2) for g in gb)
                                  + sum(torch.sum(g.double() ** 2) for g in aux_a))))
    cos = float(dot) / den if den > 0 else 0.0
    return {"cosine": cos, "conflict": cos < 0}


def ga_backward_two_vjp(model: "DualHead", main_loss: torch.Tensor, aux_loss: torch.Tensor,
                        batched: bool = False) -> dict:
    """:func:`ga_backward` (flat, all of ``model``'s parameters), each loss's backbone gradient by
    its own vector-Jacobian product from the features h, with Eq. 6's scalars accumulated per tensor.

    Both losses reach the backbone only through h: ∂main/∂h = a and ∂aux/∂h = b come from the
    small head graphs, then the backbone VJPs Jᵀa and Jᵀb — two passes (``batched=False``) or
    one ``is_grads_batched`` pass with both cotangents (``batched=True``; vmap over the pair).
    ⟨g_main, g_aux⟩ and ‖g_main‖² are summed tensor by tensor in float64 (no flattening copy),
    the update (1 − s)·g_main + g_aux is written in place into the first gradient. Heads are
    disjoint, so the main head gets (1 − s)·∇main and the auxiliary head ∇aux. Same numbers as
    ``ga_backward(model.parameters(), main_loss, aux_loss, "flat")`` to rounding (tested). Returns
    {"cosine", "conflict"} as 0-d tensors (no host sync in the step).
    """
    if not isinstance(model, DualHead) or model.features is None:
        raise ValueError("ga_backward_two_vjp needs a DualHead after a forward pass (its features)")
    groups = param_groups(model)
    h = model.features
    head = [p for p in groups["head"] if p.requires_grad]
    aux = [p for p in groups["aux_head"] if p.requires_grad]
    backbone = [p for p in groups["backbone"] if p.requires_grad]

    def fill(gs, ps):
        return [torch.zeros_like(p) if g is None else g for p, g in zip(ps, gs)]

    *g_head, a = torch.autograd.grad(main_loss, head + [h], retain_graph=True, allow_unused=True)
    *g_aux, b = torch.autograd.grad(aux_loss, aux + [h], retain_graph=True, allow_unused=True)
    a = torch.zeros_like(h) if a is None else a
    b = torch.zeros_like(h) if b is None else b
    g_head, g_aux = fill(g_head, head), fill(g_aux, aux)
    if batched:
        gb = fill(torch.autograd.grad(h, backbone, torch.stack([a, b]), is_grads_batched=True, allow_unused=True),
                  [torch.empty((2,) + p.shape, dtype=p.dtype, device=p.device) for p in backbone])
        gm, ga = [g[0] for g in gb], [g[1] for g in gb]
    else:
        gm = fill(torch.autograd.grad(h, backbone, a, retain_graph=True, allow_unused=True), backbone)
        ga = fill(torch.autograd.grad(h, backbone, b, allow_unused=True), backbone)
    dot = torch.zeros((), dtype=torch.float64, device=h.device)
    nrm_m = torch.zeros((), dtype=torch.float64, device=h.device)
    nrm_a = torch.zeros((), dtype=torch.float64, device=h.device)
    for m, q in zip(gm, ga):
        md, qd = m.double(), q.double()
        dot += torch.sum(md * qd)
        nrm_m += torch.sum(md * md)
        nrm_a += torch.sum(qd * qd)
    for g in g_head:
        nrm_m += torch.sum(g.double() ** 2)
    for g in g_aux:
        nrm_a += torch.sum(g.double() ** 2)
    s = torch.where(dot < 0, dot / torch.where(nrm_m > 0, nrm_m, torch.ones_like(nrm_m)), torch.zeros_like(dot))
    keep = (1.0 - s).to(h.dtype)
    for p, m, q in zip(backbone, gm, ga):
        p.grad = m.mul_(keep).add_(q)
    for p, g in zip(head, g_head):
        p.grad = g.mul_(keep)
    for p, g in zip(aux, g_aux):
        p.grad = g
    den = torch.sqrt(nrm_m * nrm_a)
    cos = torch.where(den > 0, dot / torch.where(den > 0, den, torch.ones_like(den)), torch.zeros_like(den))
    return {"cosine": cos, "conflict": cos < 0}   # 0-d tensors: no device sync inside a training step


def ga_coefficient(main_loss: torch.Tensor, aux_loss: torch.Tensor, params: Iterable[torch.Tensor]) -> torch.Tensor:
    """Eq. 6's s = min(0, ∇aux·∇main)/‖∇main‖² over the flattened ``params`` (detached 0-d tensor)."""
    params = [p for p in params if p.requires_grad]
    gm = torch.cat([g.reshape(-1) for g in flat_grads(main_loss, params)])
    ga = torch.cat([g.reshape(-1) for g in flat_grads(aux_loss, params)])
    dot = torch.dot(ga.double(), gm.double())  # float64: no underflow of ‖g‖² for float32 gradients
    if dot < 0:
        return (dot / torch.dot(gm.double(), gm.double())).to(main_loss.dtype).detach()
    return torch.zeros((), dtype=main_loss.dtype)


def ga_terms(main_loss: torch.Tensor, aux_loss: torch.Tensor, model: nn.Module,
             granularity: str = "flat") -> dict[str, torch.Tensor]:
    """Eq. 6 as loss terms for the one trainer, and the control statistics of issue 16 §3.

    Returns {"ga": t, "ga_fire": f, "ga_extra_ce": e}. ``t``'s gradient, added to ∇(main + aux),
    turns the update into ∇main + Eq.6(∇aux): ``"flat"`` (official code) −s·main with one s =
    min(0, ⟨∇aux, ∇main⟩)/‖∇main‖² over all parameters; ``"per_tensor"`` −Σ_p s_p·⟨∇_p main
    (held constant), p⟩ with s_p from tensor p alone, whose gradient on p is −s_p·∇_p main.
    ``f`` and ``e`` are detached constants (no gradient; the trainer logs them as ``loss.ga_fire``
    and ``loss.ga_extra_ce``, epoch means): ``f`` the fraction of parameter tensors whose
    projection fired (flat: 1 or 0, the whole vector), ``e`` = ‖extra CE component on head 1‖ /
    ‖∇_head1 CE‖, i.e. |s| under flat (head 1 steps by (1 + |s|)·∇CE on conflict, the review's
    confound) and 0 under per-tensor (∇_head1 of the KD term on head 2 is 0, no conflict there).
    """
    if granularity not in ("flat", "per_tensor"):
        raise ValueError(f"granularity must be 'flat' or 'per_tensor', got {granularity!r}")
    params = [p for p in model.parameters() if p.requires_grad]
    gm = flat_grads(main_loss, params)
    ga = flat_grads(aux_loss, params)
    try:
        head_ids = {id(p) for p in param_groups(model)["head"]}
    except ValueError:          # no final linear head (hand-made test modules): no head statistic
        head_ids = set()
    f64 = torch.float64
    if granularity == "flat":
        dot = sum(torch.sum(a.double() * m.double()) for a, m in zip(ga, gm))
        nrm = sum(torch.sum(m.double() ** 2) for m in gm)
        s = (dot / nrm) if (dot < 0 and nrm > 0) else torch.zeros((), dtype=f64)
        fire = torch.as_tensor(float(dot < 0), dtype=main_loss.dtype)
        term = -s.to(main_loss.dtype).detach() * main_loss
        extra = torch.as_tensor(abs(float(s)) if head_ids else 0.0, dtype=main_loss.dtype)
        return {"ga": term, "ga_fire": fire, "ga_extra_ce": extra}
    term = torch.zeros((), dtype=main_loss.dtype)
    fired, extra_sq, head_sq = 0, 0.0, 0.0
    for p, a, m in zip(params, ga, gm):
        dot = torch.sum(a.double() * m.double())
        nrm = torch.sum(m.double() ** 2)
        s_p = (dot / nrm) if (dot < 0 and nrm > 0) else None
        if id(p) in head_ids:
            head_sq += float(nrm)
        if s_p is None:
            continue
        fired += 1
        term = term - s_p.to(p.dtype).detach() * torch.sum(m.detach() * p)
        if id(p) in head_ids:
            extra_sq += float(s_p) ** 2 * float(nrm)
    fire = torch.as_tensor(fired / max(len(params), 1), dtype=main_loss.dtype)
    extra = torch.as_tensor(math.sqrt(extra_sq / head_sq) if head_sq > 0 else 0.0, dtype=main_loss.dtype)
    return {"ga": term, "ga_fire": fire, "ga_extra_ce": extra}


def ga_surrogate(main_loss: torch.Tensor, aux_loss: torch.Tensor, params: Iterable[torch.Tensor]) -> torch.Tensor:
    """A 0-d tensor whose gradient is Eq. 6's flat projection of ∇aux against ∇main.

    aux_loss − s·main_loss with s = :func:`ga_coefficient` held constant: its gradient is
    ∇aux − s∇main, exactly the projected auxiliary gradient. Adding it to main_loss gives
    ∇main + Eq.6(∇aux), what :func:`ga_backward` sets (flat).
    """
    return aux_loss - ga_coefficient(main_loss, aux_loss, params) * main_loss


# ----------------------------------------------------------------------------- gradient conflict per group

def param_groups(model: nn.Module) -> dict[str, list[torch.nn.Parameter]]:
    """{"backbone": [...], "head": [...], "aux_head": [...]} for a DualHead or a single-head net."""
    if isinstance(model, DualHead):
        head = list(model.head.parameters())
        aux = list(model.aux_head.parameters())
        base = model.base
    else:
        _, h = _final_linear(model)
        head, aux, base = list(h.parameters()), [], model
    ids = {id(p) for p in head}
    backbone = [p for p in base.parameters() if id(p) not in ids]
    return {"backbone": backbone, "head": head, "aux_head": aux}


def gradient_cosines(model: nn.Module, loss_a: torch.Tensor, loss_b: torch.Tensor) -> dict[str, float]:
    """cos(∇loss_a, ∇loss_b) over each parameter group (§3.2's conflict; NaN if a gradient is 0)."""
    out = {}
    groups = param_groups(model)
    for name, ps in groups.items():
        if not ps:
            continue
        ga = torch.cat([g.reshape(-1) for g in flat_grads(loss_a, ps)])
        gb = torch.cat([g.reshape(-1) for g in flat_grads(loss_b, ps)])
        ga, gb = ga.double(), gb.double()
        den = float(ga.norm() * gb.norm())
        out[name] = float(torch.dot(ga, gb)) / den if den > 0 else math.nan
    return out


# ----------------------------------------------------------------------------- trainer hooks

@register_hook("loss", "dhkd")
def dhkd_hook(spec: dict, env: HookEnv):
    """Distillation terms for the one trainer (its task loss is CE(head 1), batch mean).

    spec: ``mode`` "dhkd" (KD term on the DualHead's auxiliary logits) or "single_head" (on the
    trained logits, Eq. 2); ``kd`` "binary_kl_norm" | "binary_kl" | "kd"; ``alpha``; ``T``;
    ``gamma`` (the hook adds (γ − 1)·CE, so γ = 0 trains the KD term alone); ``ga`` (Eq. 6 via
    :func:`ga_terms`: the term −s·γ·CE turns ∇ into ∇CE + Eq.6(∇kd)); ``ga_granularity``
    ``"flat"`` (default, official code) or ``"per_tensor"`` (Eq. 6 per parameter tensor, the
    issue-16 control); with GA the zero-gradient terms ``ga_fire`` and ``ga_extra_ce`` log how
    often the projection fires and head 1's extra CE step (see :func:`ga_terms`); ``kd_epochs``
    (None: always; n: the KD term only in epochs 1…n, α = 0 afterwards, Appendix F's ImageNet
    setting "BinaryKL loss in the first 50 epochs"). Terms: ``kd``, and ``ce_extra`` / ``ga`` when
    used. The hook's ``weight`` must be 1 (α is inside).
    """
    known = {"name", "weight", "mode", "kd", "alpha", "T", "gamma", "ga", "ga_granularity", "kd_epochs"}
    extra = set(spec) - known
    if extra:
        raise ValueError(f"dhkd loss hook: unknown keys {sorted(extra)}; expected some of {sorted(known)}")
    if float(spec.get("weight", 1.0)) != 1.0:
        raise ValueError("dhkd loss hook: set 'alpha' (and 'gamma'), not 'weight'; weight must be 1")
    mode = spec.get("mode", "dhkd")
    kd = spec.get("kd", "binary_kl_norm")
    if kd not in ("binary_kl_norm", "binary_kl", "kd"):
        raise ValueError(f"dhkd loss hook: kd must be binary_kl_norm, binary_kl or kd, got {kd!r}")
    alpha, T, gamma = float(spec.get("alpha", 1.0)), float(spec.get("T", 2.0)), float(spec.get("gamma", 1.0))
    ga = bool(spec.get("ga", False))
    ga_granularity = spec.get("ga_granularity", "flat")
    if ga_granularity not in ("flat", "per_tensor"):
        raise ValueError(f"dhkd loss hook: ga_granularity must be 'flat' or 'per_tensor', got {ga_granularity!r}")
    kd_epochs = spec.get("kd_epochs")
    if kd_epochs is not None and (isinstance(kd_epochs, bool) or int(kd_epochs) < 0):
        raise ValueError(f"dhkd loss hook: kd_epochs must be None or an int >= 0, got {kd_epochs!r}")
    if mode not in ("dhkd", "single_head"):
        raise ValueError(f"dhkd loss hook: mode must be 'dhkd' or 'single_head', got {mode!r}")
    f = {"binary_kl_norm": TL.binary_kl_norm, "binary_kl": TL.binary_kl, "kd": TL.kd_loss}[kd]

    def terms(step: StepContext) -> dict[str, torch.Tensor]:
        if step.teacher_logits is None:
            raise ValueError("the dhkd loss hook needs a teacher (config key 'teacher')")
        if mode == "dhkd":
            aux = getattr(step.model, "aux_logits", None)
            if aux is None:
                raise ValueError("mode 'dhkd' needs the 'dual_head' model (its aux_logits)")
        else:
            aux = step.logits
        a = alpha if kd_epochs is None or step.epoch <= int(kd_epochs) else 0.0
        out = {"kd": a * f(aux, step.teacher_logits, T, "batchmean")}
        if gamma != 1.0:
            out["ce_extra"] = (gamma - 1.0) * F.cross_entropy(step.logits, step.y)
        if ga:
            main = gamma * F.cross_entropy(step.logits, step.y)
            out.update(ga_terms(main, out["kd"], step.model, ga_granularity))
        return out
    return terms


@register_hook("loss", "dkd")
def dkd_hook(spec: dict, env: HookEnv):
    """Decoupled KD (Zhao et al. 2022) as a trainer loss term, beside KD and DHKD in the one trainer.

    spec: ``alpha`` (TCKD weight, default 1), ``beta`` (NCKD weight, default 8), ``T`` (default 4),
    ``warmup`` (epochs, default 20): the term is min(epoch / warmup, 1)·dkd_loss(logits, teacher,
    y) with the trainer's 1-based epoch, as mdistiller's ``DKD.forward_train`` (``min(epoch /
    self.warmup, 1.0)``; defaults from its ``CFG.DKD``). The task loss (CE, batch mean, weight 1 =
    ``CFG.DKD.CE_WEIGHT``) is the trainer's own. Term: ``dkd``. The hook's ``weight`` must be 1.
    """
    known = {"name", "weight", "alpha", "beta", "T", "warmup"}
    extra = set(spec) - known
    if extra:
        raise ValueError(f"dkd loss hook: unknown keys {sorted(extra)}; expected some of {sorted(known)}")
    if float(spec.get("weight", 1.0)) != 1.0:
        raise ValueError("dkd loss hook: set 'alpha' and 'beta', not 'weight'; weight must be 1")
    alpha, beta = float(spec.get("alpha", 1.0)), float(spec.get("beta", 8.0))
    T, warmup = float(spec.get("T", 4.0)), float(spec.get("warmup", 20))
    if not warmup > 0:
        raise ValueError(f"dkd loss hook: warmup must be > 0 epochs, got {warmup!r}")

    def terms(step: StepContext) -> dict[str, torch.Tensor]:
        if step.teacher_logits is None:
            raise ValueError("the dkd loss hook needs a teacher (config key 'teacher')")
        ramp = min(step.epoch / warmup, 1.0)
        return {"dkd": ramp * TL.dkd_loss(step.logits, step.teacher_logits, step.y, alpha, beta, T, "batchmean")}
    return terms


# ----------------------------------------------------------------------------- probe monitor (NC metrics, conflict)

def head_features(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """(features h (B, d) entering the main classifier, main logits (B, K), aux logits or None)."""
    if isinstance(model, DualHead):
        main, aux = model.forward_both(x)
        return model.features, main, aux
    _, lin = _final_linear(model)
    grabbed = {}
    handle = lin.register_forward_pre_hook(lambda m, inp: grabbed.__setitem__("h", inp[0]))
    try:
        main = model(x)
    finally:
        handle.remove()
    return grabbed["h"], main, None


def probe_metrics(model: nn.Module, x: torch.Tensor, y: torch.Tensor, teacher_logits: torch.Tensor,
                  kd: str = "binary_kl", alpha: float = 1.0, T: float = 2.0, mode: str = "single_head") -> dict:
    """NC1–NC4 of the main head and the CE/KD gradient cosines per parameter group on a probe batch.

    NC metrics: :func:`analysis.collapse.nc_metrics` (defaults) of the features entering head 1,
    with head 1's weight and bias (probe = a fixed test subset). Cosines: cos(∇CE, ∇KD) on the
    backbone, head and aux-head groups (:func:`gradient_cosines`), the KD term on head 2
    (``mode="dhkd"``) or on head 1 (``"single_head"``), model in eval mode (BatchNorm running
    statistics, no dropout). Non-finite values give NaN entries, never an exception.
    """
    from analysis.collapse import nc_metrics

    f = {"binary_kl_norm": TL.binary_kl_norm, "binary_kl": TL.binary_kl, "kd": TL.kd_loss}[kd]
    was_training = model.training
    model.eval()
    out: dict[str, float] = {}
    try:
        h, main, aux = head_features(model, x)
        kd_logits = aux if (mode == "dhkd" and aux is not None) else main
        ce = F.cross_entropy(main, y)
        kdl = alpha * f(kd_logits, teacher_logits, T, "batchmean")
        if bool(torch.isfinite(ce)) and bool(torch.isfinite(kdl)):
            out.update({f"cos.{k}": v for k, v in gradient_cosines(model, ce, kdl).items()})
        lin = model.head if isinstance(model, DualHead) else _final_linear(model)[1]
        hh = h.detach().double().numpy()
        if np.all(np.isfinite(hh)):
            try:
                m = nc_metrics(hh, y.numpy(), lin.weight.detach().double().numpy(),
                               None if lin.bias is None else lin.bias.detach().double().numpy())
                out.update({f"nc.{k}": float(v) for k, v in m.items() if k not in ("k", "n")})
            except ValueError:
                pass
        out["probe.acc"] = float((main.argmax(1) == y).double().mean())
        out["probe.head_weight_norm"] = float(lin.weight.detach().norm())
    finally:
        model.train(was_training)
    return out


@register_hook("monitor", "dhkd_probe")
def dhkd_probe_hook(spec: dict, env: HookEnv):
    """Monitor: :func:`probe_metrics` after init and after every epoch, keys ``nc.*``, ``cos.*``, ``probe.*``.

    spec: ``data`` {dataset, synthetic, test_subset} (the run's own data fields), ``n`` probe
    images (the first n of that test set), ``teacher`` (a teacher hook spec, the run's teacher),
    ``kd``, ``alpha``, ``T``, ``mode`` as in the ``dhkd`` loss hook.
    """
    from .config import from_dict
    from .hooks import get_hook
    from .train import load_data

    known = {"name", "data", "n", "teacher", "kd", "alpha", "T", "mode"}
    if set(spec) - known:
        raise ValueError(f"dhkd_probe monitor: unknown keys {sorted(set(spec) - known)}; expected {sorted(known)}")
    n = int(spec.get("n", 500))
    state: dict = {}

    def setup():
        if not state:
            cfg = from_dict(dict(spec.get("data") or {}))
            _, test = load_data(cfg, env.data_dir, env.out)
            teacher = get_hook("teacher", spec["teacher"], env)()
            x, y = test.x[:n], test.y[:n]
            with torch.no_grad():
                zt = teacher(x)
            state.update(x=x, y=y, zt=zt)
        return state

    def measure(model) -> dict[str, float]:
        s = setup()
        return probe_metrics(model, s["x"], s["y"], s["zt"], kd=spec.get("kd", "binary_kl"),
                             alpha=float(spec.get("alpha", 1.0)), T=float(spec.get("T", 2.0)),
                             mode=spec.get("mode", "single_head"))
    return measure


# ----------------------------------------------------------------------------- summaries of Fig. 2 runs

FIG2_SETTINGS = ("ce", "binary_kl", "ce_binary_kl", "dhkd")
FIG2_NC_KEYS = ("nc.nc1", "nc.nc2_equinorm", "nc.nc2_equiangle", "nc.nc3", "nc.nc4")
FIG2_COS_KEYS = ("cos.backbone", "cos.head")
GA_KEYS = ("loss.ga_fire", "loss.ga_extra_ce")   # logged by the dhkd loss hook with GA (issue 16 §3 control)


def run_summary(run) -> dict:
    """One run of the Fig. 2 experiment as plain numbers (figure script and suite share it).

    top_test_acc (max over epochs; NaN for a run stopped as N.A.), status, the last epoch's NC
    metrics, and the mean over epochs of the per-group gradient cosines and of the GA statistics
    ``loss.ga_fire`` / ``loss.ga_extra_ce`` (finite values only; NaN where not logged). Reads only
    metrics.json/status (no checkpoint): the dhkd figures and claims rebuild from the run records.
    """
    def last_finite(col):
        v = run.column(col)
        v = v[np.isfinite(v)]
        return float(v[-1]) if v.size else float("nan")

    def mean_finite(col):
        v = run.column(col)
        v = v[np.isfinite(v)]
        return float(v.mean()) if v.size else float("nan")

    diverged = str(run.status).startswith("N.A.")
    return {"seed": int(run.config.seed), "status": str(run.status), "diverged": diverged,
            "top_test_acc": float("nan") if diverged else float(run.top_test_acc()),
            "epochs_done": len(run.rows),
            **{f"last_{k}": last_finite(k) for k in FIG2_NC_KEYS},
            **{f"mean_{k}": mean_finite(k) for k in FIG2_COS_KEYS + GA_KEYS}}
