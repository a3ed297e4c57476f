"""Training-step time of KD, DHKD without and with gradient alignment (Table 10's comparison).

Table 10 (resnet32×4 → resnet8×4, GPU): KD 11 ms, DHKD w/o GA 14 ms, DHKD w/ GA 21 ms per step,
a GA/KD ratio of about 1.9. Here: CPU, float32, teacher resnet56 → student resnet20 (the
registry's CIFAR ResNets; resnet8×4 is not in it), 3×32×32 inputs, batch 64 (Appendix F), SGD
with momentum. One step = teacher forward (no grad) + student forward + loss + backward +
optimizer step. Times are interleaved medians (validation.timing) in one process; only their
ratios are reported. Denormal guard: randomly initialized networks can produce subnormal
floats that slow CPU arithmetic many-fold, so flush-to-zero is on during the bench
(``torch.set_flush_denormal(True)``, switched off again afterwards).

Exact flat GA needs two vector-Jacobian products through the backbone (∇CE and ∇BinaryKL-Norm
are both needed to form Eq. 6's dot product), so with teacher forward T, student forward F and
backward B the ratio cannot fall below (T + F + 2B)/(T + F + B) whatever the implementation.

Paper pair (Table 10's resnet32×4 → resnet8×4, from the model zoo; batch 64 as in Appendix F;
3×32×32 inputs): ``dhkd_ga_over_kd_paper_pair`` is the fastest exact GA step over the KD step,
``ga_floor_paper_pair`` = (T + F + 2B)/(T + F + B) from the measured teacher forward T (no grad),
student forward F and student backward B (B = median(F + B) − median(F)), and each candidate's
ratio beside it: ``two_pass`` (:func:`ga_backward`, the official form: two full backward passes
and a flattened copy), ``two_vjp`` (:func:`ga_backward_two_vjp`: the heads' small graphs, then
one VJP per loss through the backbone from h, Eq. 6's scalars summed per tensor), and
``two_vjp_batched`` (the same with both cotangents in one ``is_grads_batched`` pass). All three
give the official numbers to rounding (tests/test_dhkd_torch.py). On CUDA each step ends with
``torch.cuda.synchronize()``; ``options["device"]`` picks the device (default: CUDA when
present), ``options["paper_pair_batch"]`` / ``options["paper_pair_repeats"]`` the batch and
repeats (tests use tiny ones; the real figure only via ``workbench bench --suite dhkd``).

``dhkd_ga_over_kd`` uses :func:`analysis.nets.dhkd.ga_backward` (the official form: two backward
passes, flat Eq. 6); ``dhkd_ga_batched_vjp_over_kd`` uses :func:`ga_backward_shared` (one batched
vector-Jacobian product through the backbone via ``is_grads_batched``), which measured slower on
CPU. Default: one thread (steadier on a shared machine; ``options["threads"]`` changes it).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from validation.registry import SuiteContext, register_bench
from validation.timing import interleaved_median


def _kd_step(teacher, student, opt, x, y, sync=lambda: None):
    """One vanilla-KD training step (CE + Hinton KD at T = 4, batch mean) of ``student``."""
    from analysis.nets import distill_losses as TL

    def step():
        with torch.no_grad():
            zt = teacher(x)
        zs = student(x)
        loss = F.cross_entropy(zs, y) + TL.kd_loss(zs, zt, 4.0, "batchmean")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sync()
    return step


def _setup(seed: int, batch: int):
    from analysis.nets import dhkd as H
    from analysis.nets.models import build_model

    torch.manual_seed(seed)
    teacher = build_model("resnet56", num_classes=100).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    kd_student = build_model("resnet20", num_classes=100)
    torch.manual_seed(seed)
    dh_student = build_model("dual_head", num_classes=100, base="resnet20")
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 3, 32, 32, generator=g)
    y = torch.randint(0, 100, (batch,), generator=g)

    def opt(m):
        return torch.optim.SGD(m.parameters(), lr=1e-4, momentum=0.9, weight_decay=5e-4)

    o_kd, o_dh, o_ga, o_off = opt(kd_student), opt(dh_student), opt(dh_student), opt(dh_student)

    kd_step = _kd_step(teacher, kd_student, o_kd, x, y)

    def dhkd_step():
        with torch.no_grad():
            zt = teacher(x)
        main, aux = dh_student.forward_both(x)
        t = H.dhkd_loss(main, aux, zt, y, alpha=1.0, T=2.0)
        o_dh.zero_grad(set_to_none=True)
        (t["ce"] + t["kd"]).backward()
        o_dh.step()

    def dhkd_ga_step():
        with torch.no_grad():
            zt = teacher(x)
        main, aux = dh_student.forward_both(x)
        t = H.dhkd_loss(main, aux, zt, y, alpha=1.0, T=2.0)
        o_ga.zero_grad(set_to_none=True)
        H.ga_backward_shared(dh_student, t["ce"], t["kd"])
        o_ga.step()

    def dhkd_ga_official_step():
        with torch.no_grad():
            zt = teacher(x)
        main, aux = dh_student.forward_both(x)
        t = H.dhkd_loss(main, aux, zt, y, alpha=1.0, T=2.0)
        o_off.zero_grad(set_to_none=True)
        H.ga_backward(list(dh_student.parameters()), t["ce"], t["kd"], "flat")
        o_off.step()

    return {"kd": kd_step, "dhkd": dhkd_step, "dhkd_ga": dhkd_ga_step, "dhkd_ga_official": dhkd_ga_official_step}


def _paper_pair(seed: int, batch: int, device: str):
    """Steps and components for kd.resnet32x4 -> kd.resnet8x4 (Table 10's pair) on ``device``."""
    from analysis.nets import dhkd as H
    from analysis.nets.models import build_model

    dev = torch.device(device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.manual_seed(seed)
    teacher = build_model("kd.resnet32x4", num_classes=100).to(dev).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    torch.manual_seed(seed)
    kd_student = build_model("kd.resnet8x4", num_classes=100).to(dev)
    torch.manual_seed(seed)
    dh = build_model("dual_head", num_classes=100, base="kd.resnet8x4", aux="linear").to(dev)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 3, 32, 32, generator=g).to(dev)
    y = torch.randint(0, 100, (batch,), generator=g).to(dev)

    def opt(m):
        return torch.optim.SGD(m.parameters(), lr=1e-4, momentum=0.9, weight_decay=5e-4)

    o_kd, o_dh = opt(kd_student), opt(dh)

    kd_step = _kd_step(teacher, kd_student, o_kd, x, y, sync)

    def ga_step(kind):
        def step():
            with torch.no_grad():
                zt = teacher(x)
            main, aux = dh.forward_both(x)
            t = H.dhkd_loss(main, aux, zt, y, alpha=2.0, T=2.0)
            o_dh.zero_grad(set_to_none=True)
            if kind == "two_pass":
                H.ga_backward(list(dh.parameters()), t["ce"], t["kd"], "flat")
            else:
                H.ga_backward_two_vjp(dh, t["ce"], t["kd"], batched=kind == "two_vjp_batched")
            o_dh.step()
            sync()
        return step

    zt_fixed = teacher(x).detach()

    def t_fwd():
        with torch.no_grad():
            teacher(x)
        sync()

    def s_fwd():
        main, aux = dh.forward_both(x)
        t = H.dhkd_loss(main, aux, zt_fixed, y, alpha=2.0, T=2.0)
        sync()
        return t

    def s_fwd_bwd():
        t = s_fwd()
        (t["ce"] + t["kd"]).backward()
        dh.zero_grad(set_to_none=True)
        sync()

    return {"kd": kd_step, "ga.two_pass": ga_step("two_pass"), "ga.two_vjp": ga_step("two_vjp"),
            "ga.two_vjp_batched": ga_step("two_vjp_batched"), "T": t_fwd, "F": s_fwd, "FB": s_fwd_bwd}


def paper_pair_figures(seed: int = 0, batch: int = 64, repeats: int = 5, device: str | None = None) -> dict:
    """The paper-pair ratios (see the module docstring); times as interleaved medians."""
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    with torch.random.fork_rng(devices=[]):
        steps = _paper_pair(seed, batch, device)
        t = interleaved_median(steps, repeats=repeats, warmup=1)
    T, Fw, B = t["T"], t["F"], max(t["FB"] - t["F"], 0.0)
    ga = {k.split(".", 1)[1]: v / t["kd"] for k, v in t.items() if k.startswith("ga.")}
    best = min(ga, key=ga.get)
    floor = (T + Fw + 2 * B) / (T + Fw + B)
    return {"dhkd_ga_over_kd_paper_pair": ga[best], "ga_floor_paper_pair": floor,
            "ga_method_paper_pair": best,
            "ga_over_floor_paper_pair": ga[best] / floor,
            **{f"dhkd_ga_{k}_over_kd_paper_pair": v for k, v in ga.items()},
            "ms_paper_pair": {"kd_step": 1e3 * t["kd"], "teacher_forward_T": 1e3 * T, "student_forward_F": 1e3 * Fw,
                              "student_backward_B": 1e3 * B, **{f"ga_{k}": 1e3 * t[f"ga.{k}"] for k in ga}},
            "setting_paper_pair": f"{device} float32, kd.resnet32x4 -> kd.resnet8x4 (dual head, linear aux), "
                                  f"batch {batch}, 3x32x32, interleaved median of {repeats}"}


@register_bench("dhkd")
def bench(ctx: SuiteContext) -> dict:
    """Per-step time ratios of DHKD (without / with gradient alignment) over plain KD, CPU."""
    repeats = int(ctx.options.get("repeats", 7))
    batch = int(ctx.options.get("batch", 64))
    threads = int(ctx.options.get("threads", 1))  # one thread: steadier on a shared machine
    old_threads = torch.get_num_threads()
    torch.set_flush_denormal(True)
    torch.set_num_threads(threads)
    try:
        with torch.random.fork_rng():
            steps = _setup(ctx.seed, batch)
            t = interleaved_median(steps, repeats=repeats, warmup=1)
        pair = paper_pair_figures(ctx.seed, int(ctx.options.get("paper_pair_batch", 64)),
                                  int(ctx.options.get("paper_pair_repeats", 5)), ctx.options.get("device"))
    finally:
        torch.set_flush_denormal(False)
        torch.set_num_threads(old_threads)
    return {
        **pair,
        "dhkd_ga_over_kd": t["dhkd_ga_official"] / t["kd"],
        "dhkd_over_kd": t["dhkd"] / t["kd"],
        "dhkd_ga_batched_vjp_over_kd": t["dhkd_ga"] / t["kd"],
        "setting": f"CPU float32, {threads} thread(s), resnet56 -> resnet20 (dual head, linear aux), "
                   f"batch {batch}, interleaved median of {repeats}, flush-denormal on",
    }
