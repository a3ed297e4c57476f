"""Tests of analysis.nets.binary: binary convolution forward/backward, binary ResNets, the torch
Retention Matrix against the numpy one, and the LCR loss gradient against autograd of a direct
implementation and against a hand-derived gradient.

Tolerances: float64 tensors, "rounding" = rtol 1e-10; power iteration compared with exact
eigenvalues after enough steps that (λ2/λ1)^(2·iters) < 1e-12 for the test's spectra."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from analysis import lipschitz as lp
from analysis.nets import binary as bn
from analysis.nets.models import build_model



def test_sign_ste_forward_backward():
    x = torch.tensor([-2.0, -0.5, -0.0, 0.0, 0.3, 0.999, 1.0, 1.5], requires_grad=True)
    y = bn.sign_ste(x)
    # IEEE sign bit: sgn(−0.0) = −1, sgn(+0.0) = +1 (documented in _sgn)
    assert torch.equal(y, torch.tensor([-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0]))
    y.sum().backward()
    # hardtanh's derivative: 1 strictly inside (−1, 1)
    assert torch.equal(x.grad, torch.tensor([0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]))
    (g_ref,) = torch.autograd.grad(F.hardtanh(x).sum(), x)
    assert torch.equal(x.grad, g_ref)


@pytest.mark.parametrize("t,k", [(0.1, 10.0), (1.0, 1.0), (5.0, 1.0)])
def test_sign_ede_backward_is_derivative_of_k_tanh(t, k):
    x = torch.linspace(-2, 2, 17, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(bn.sign_ede(x, t, k).sum(), x)
    x2 = x.detach().clone().requires_grad_(True)
    (g_ref,) = torch.autograd.grad((k * torch.tanh(t * x2)).sum(), x2)
    assert torch.allclose(g, g_ref, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="t > 0"):
        bn.sign_ede(x, 0.0, 1.0)


def _detach_trick_sign(w):
    """Second STE implementation: forward sign, backward through hardtanh (gradient 1[|w| < 1])."""
    clipped = F.hardtanh(w)
    return clipped + (torch.where(w >= 0, 1.0, -1.0).to(w.dtype) - clipped).detach()


@pytest.mark.parametrize("binary_activations", [True, False])
def test_binary_conv_forward_and_weight_gradient(binary_activations):
    torch.manual_seed(0)
    conv = bn.BinaryConv2d(3, 4, 3, padding=1, bias=False, binary_activations=binary_activations).double()
    with torch.no_grad():
        conv.weight.mul_(3.0)  # some |w| > 1, so the STE window matters
    x = torch.randn(2, 3, 5, 5, dtype=torch.float64) * 2
    y = conv(x)
    w = conv.weight.detach().clone().requires_grad_(True)
    xs = torch.where(x >= 0, 1.0, -1.0).double() if binary_activations else x
    wb = _detach_trick_sign(w) * w.abs().mean(dim=(1, 2, 3), keepdim=True)
    y_ref = F.conv2d(xs, wb, padding=1)
    assert torch.allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    (y_ref * g).sum().backward()
    assert torch.allclose(conv.weight.grad, w.grad, rtol=1e-10, atol=1e-12)
    with bn.full_precision(conv):
        assert torch.allclose(conv(x), F.conv2d(x, conv.weight, padding=1), rtol=1e-12)
    assert conv.full_precision is False


def test_binary_conv_irnet_scale_is_power_of_two():
    torch.manual_seed(1)
    conv = bn.BinaryConv2d(4, 6, 3, scale="irnet", bias=False)
    wb = conv.binary_weight().detach().view(6, -1)
    alpha = wb.abs()[:, 0]
    assert torch.all(wb.abs() == alpha[:, None])
    assert torch.allclose(torch.log2(alpha), torch.round(torch.log2(alpha)))
    with pytest.raises(ValueError, match="scale"):
        bn.BinaryConv2d(2, 2, 3, scale="tensor")


@pytest.mark.parametrize("name,n_blocks,kw", [
    ("binary_resnet20", 9, {}), ("binary_resnet20", 9, {"bireal": True, "scale": "irnet", "backward": "ede"}),
    ("binary_resnet18", 8, {}), ("binary_resnet18", 8, {"binary_activations": False}),
])
def test_binary_models_forward_backward(name, n_blocks, kw):
    torch.manual_seed(0)
    model = build_model(name, num_classes=7, in_channels=1, image_size=28, width=0.25, **kw)
    assert len(model.blocks) == n_blocks
    out = model(torch.randn(3, 1, 28, 28))
    assert out.shape == (3, 7)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_count_layer_specs_matches_resnet18_table():
    model = build_model("binary_resnet18", num_classes=1000, image_size=224)
    torch_specs = bn.count_layer_specs(model, (3, 224, 224))
    ref = lp.resnet18_layer_specs(binary_downsample=False)
    assert sorted((s.macs, s.binary) for s in torch_specs) == sorted((s.macs, s.binary) for s in ref)
    # the LCR regulariser adds hooks, no layers: inference counts unchanged (Table 5's claim)
    reg = bn.LCRRegularizer(model, lam=1.0)
    assert lp.count_bops_flops(bn.count_layer_specs(model, (3, 224, 224))) == lp.count_bops_flops(ref)
    reg.remove()


# ----------------------------------------------------------------------------- RM twins

@pytest.mark.parametrize("convention", ["per_sample", "batch"])
@pytest.mark.parametrize("shapes", [((2, 3, 4, 4), (2, 5, 4, 4)), ((3, 4, 6, 6), (3, 6, 3, 3))])
def test_torch_rm_matches_numpy(convention, shapes):
    g = torch.Generator().manual_seed(2)
    xp = torch.randn(*shapes[0], generator=g, dtype=torch.float64)
    xn = torch.randn(*shapes[1], generator=g, dtype=torch.float64)
    rp, rn = bn.activations_to_rows(xp, xn, convention)
    rm = bn.retention_matrix_torch(rp, rn)
    m = bn.m_matrix(xp, xn, convention)  # the copy-free fast path used by lcr_loss
    assert torch.allclose(m.transpose(1, 2) @ m, rm, rtol=1e-10, atol=1e-14)
    for grp in range(rm.shape[0]):
        ref = lp.retention_matrix(rp[grp].numpy(), rn[grp].numpy(), "channel")
        assert np.allclose(rm[grp].numpy(), ref, rtol=1e-10, atol=1e-14)
    # the per-sample convention is the official code's M (1/HW-scaled, input pooled), per sample
    if convention == "per_sample":
        xpp = F.adaptive_avg_pool2d(xp, xn.shape[2:]) if xp.shape[2:] != xn.shape[2:] else xp
        m_off = torch.bmm(xpp.flatten(2), xn.flatten(2).transpose(1, 2)) / xn.shape[2] / xn.shape[3]
        rm_off = torch.bmm(m_off, m_off.transpose(1, 2))  # official M·Mᵀ: same top eigenvalue
        assert torch.allclose(torch.linalg.eigvalsh(rm_off)[:, -1], torch.linalg.eigvalsh(rm)[:, -1], rtol=1e-10)


def test_power_iteration_torch_matches_numpy():
    rng = np.random.default_rng(3)
    mats = []
    for _ in range(3):
        a = rng.standard_normal((6, 6))
        mats.append(a @ a.T)
    t = torch.tensor(np.stack(mats))
    for iters in (0, 1, 5, 30):
        vals = bn.power_iteration_torch(t, iters)
        for i, m in enumerate(mats):
            assert np.isclose(vals[i].item(), lp.power_iteration(m, iters)[0], rtol=1e-10)
    off = bn.top_eigenvalue_official(t)
    for i, m in enumerate(mats):
        assert np.isclose(off[i].item(), lp.power_iteration_official(m, 1), rtol=1e-12)
    with pytest.raises(ValueError, match="iters"):
        bn.power_iteration_torch(t, -1)


# ----------------------------------------------------------------------------- LCR loss gradients

def _pairs(seed, shapes, requires_grad):
    g = torch.Generator().manual_seed(seed)
    out = []
    for si, so in shapes:
        # a dominant common direction gives RM a large spectral gap (fast power iteration)
        xi = torch.randn(*si, generator=g, dtype=torch.float64) + 2.0
        xo = torch.randn(*so, generator=g, dtype=torch.float64) + 2.0
        out.append((xi.requires_grad_(requires_grad), xo.requires_grad_(requires_grad)))
    return out


SHAPES = [((2, 3, 4, 4), (2, 3, 4, 4)), ((2, 3, 4, 4), (2, 5, 2, 2)), ((2, 5, 2, 2), (2, 5, 2, 2))]


def test_lcr_loss_matches_direct_value_and_gradient():
    pb = _pairs(4, SHAPES, True)
    pf = _pairs(5, SHAPES, False)
    loss = bn.lcr_loss(pb, pf, beta=2.0, iters=60, variant="paper", convention="batch")
    grads = torch.autograd.grad(loss, [t for p in pb for t in p])
    pb2 = [(i.detach().clone().requires_grad_(True), o.detach().clone().requires_grad_(True)) for i, o in pb]
    ref = bn.lcr_loss_direct(pb2, pf, beta=2.0)
    grads_ref = torch.autograd.grad(ref, [t for p in pb2 for t in p])
    assert np.isclose(loss.item(), ref.item(), rtol=1e-10)
    for g1, g2 in zip(grads, grads_ref):
        assert torch.allclose(g1, g2, rtol=1e-7, atol=1e-12 * max(1.0, g2.abs().max().item()))


def test_direct_loss_gradient_matches_hand_derivation():
    """One block, batch rows a, b (n, c): M = aᵀb/n, λ = σ1(M)², L = ((λ/λ_F − 1)·β^{1−2})²
    ⇒ ∂L/∂b = 2(λ/λ_F − 1)β^{−2}/λ_F · a·(2σ1·u1v1ᵀ)/n."""
    pb = _pairs(6, SHAPES[:1], True)
    pf = _pairs(7, SHAPES[:1], False)
    loss = bn.lcr_loss_direct(pb, pf, beta=3.0)
    _, g_out = torch.autograd.grad(loss, list(pb[0]))
    xi, xo = pb[0][0].detach(), pb[0][1].detach()
    a = xi.permute(0, 2, 3, 1).reshape(-1, 3).numpy()
    b = xo.permute(0, 2, 3, 1).reshape(-1, 3).numpy()
    n = a.shape[0]
    m = a.T @ b / n
    u, s, vt = np.linalg.svd(m)
    lam = s[0] ** 2
    fi, fo = pf[0]
    af = fi.permute(0, 2, 3, 1).reshape(-1, 3).numpy()
    bf = fo.permute(0, 2, 3, 1).reshape(-1, 3).numpy()
    lam_f = np.linalg.norm(af.T @ bf / n, 2) ** 2
    coef = 2 * (lam / lam_f - 1) * 3.0 ** -2 / lam_f
    g_hand = coef * a @ (2 * s[0] * np.outer(u[:, 0], vt[0])) / n
    g_rows = g_out.permute(0, 2, 3, 1).reshape(-1, 3).numpy()
    assert np.allclose(g_rows, g_hand, rtol=1e-9, atol=1e-14)


def test_lcr_official_variant_value():
    pb = _pairs(8, SHAPES, False)
    pf = _pairs(9, SHAPES, False)
    val = bn.lcr_loss(pb, pf, variant="official", convention="per_sample").item()
    ref = 0.0
    for k, ((bi, bo), (fi, fo)) in enumerate(zip(pb, pf), start=1):
        eb = [lp.power_iteration_official(r.numpy(), 1) for r in bn.retention_matrix_torch(*bn.activations_to_rows(bi, bo))]
        ef = [lp.power_iteration_official(r.numpy(), 1) for r in bn.retention_matrix_torch(*bn.activations_to_rows(fi, fo))]
        ref += np.mean((np.array(eb) - np.array(ef)) ** 2) / 2 ** (3 - k)
    assert np.isclose(val, ref, rtol=1e-10)


@pytest.mark.parametrize("source", ["same_pass", "latent", "teacher"])
def test_regularizer_sources(source):
    torch.manual_seed(0)
    model = build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=12, width=0.25)
    teacher = build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=12, width=0.25)
    x = torch.randn(4, 1, 12, 12)
    reg = bn.LCRRegularizer(model, lam=2.0, source=source, teacher=teacher if source == "teacher" else None)
    with pytest.raises(ValueError, match="no forward pass"):
        reg.loss(x)
    model(x)
    stats = [m.running_mean.clone() for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    loss = reg.loss(x)
    after = [m.running_mean for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert all(torch.equal(a, b) for a, b in zip(stats, after))  # the FP pass leaves BN statistics alone
    assert loss.dim() == 0 and torch.isfinite(loss) and loss.item() > 0
    loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    reg.remove()


def test_bad_inputs():
    with pytest.raises(ValueError, match="same B"):
        bn.activations_to_rows(torch.zeros(2, 3, 4, 4), torch.zeros(3, 3, 4, 4))
    with pytest.raises(ValueError, match="smaller"):
        bn.activations_to_rows(torch.zeros(2, 3, 2, 2), torch.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match="convention"):
        bn.activations_to_rows(torch.zeros(2, 3, 4, 4), torch.zeros(2, 3, 4, 4), "rows")
    with pytest.raises(ValueError, match="same non-zero"):
        bn.lcr_loss([], [])
    with pytest.raises(ValueError, match="source"):
        bn.LCRRegularizer(build_model("binary_resnet20", image_size=8, width=0.25), source="cheap")


def test_rm_batch_uses_first_samples():
    torch.manual_seed(0)
    model = build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=12, width=0.25)
    x = torch.randn(6, 1, 12, 12)
    reg = bn.LCRRegularizer(model, lam=1.0, rm_batch=2)
    model(x)
    full_pairs = list(reg.recorder.pairs)
    ref = 0.5 * bn.lcr_loss(bn._sign_pairs([(i[:2], o[:2]) for i, o in full_pairs]),
                            [(i[:2].detach(), o[:2].detach()) for i, o in full_pairs])
    assert torch.allclose(reg.loss(x), ref)
    reg.remove()
    with pytest.raises(ValueError, match="rm_batch"):
        bn.LCRRegularizer(model, rm_batch=0)


@pytest.mark.parametrize("rm_batch", [None, 3])
@pytest.mark.parametrize("bireal", [False, True])
def test_same_pass_reuses_the_layers_signs(rm_batch, bireal):
    """RM_B from the convolutions' own sign tensors: the same loss and the same weight gradient as
    separate sign_ste calls (STE backward), and the layers' signs are really what is used."""
    torch.manual_seed(1)
    model = build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=12, width=0.25,
                        bireal=bireal).double()
    x = torch.randn(5, 1, 12, 12, dtype=torch.float64)
    reg = bn.LCRRegularizer(model, lam=1.0, rm_batch=rm_batch)
    model(x)
    known = [m.last_input_sign for m in reg._convs if m.last_input_sign is not None]
    assert len(known) == len(reg._convs)  # every binary conv recorded its signed input
    blocks_in = {id(i) for i, _ in reg.recorder.pairs}
    assert sum(id(src) in blocks_in for src, _ in known) == len(model.blocks)  # each conv1 signs a block input
    loss = reg.loss(x)
    g_reuse = torch.autograd.grad(loss, [p for p in model.parameters()], allow_unused=True)
    model(x)
    pairs = list(reg.recorder.pairs)
    sl = (lambda t: t) if rm_batch is None else (lambda t: t[:rm_batch])
    ref = 0.5 * bn.lcr_loss(bn._sign_pairs([(sl(i), sl(o)) for i, o in pairs]),
                            [(sl(i).detach(), sl(o).detach()) for i, o in pairs])
    g_ref = torch.autograd.grad(ref, [p for p in model.parameters()], allow_unused=True)
    assert torch.allclose(loss, ref, rtol=1e-12, atol=0)
    for a, b in zip(g_reuse, g_ref):
        assert (a is None) == (b is None)
        if a is not None:
            assert torch.allclose(a, b, rtol=1e-9, atol=1e-15)
    reg.remove()
    assert not any(m.keep_input_sign or m.last_input_sign is not None for m in reg._convs)


def test_lcr_gradient_scale_is_linear_in_lambda_and_matches_a_direct_computation():
    torch.manual_seed(2)
    model = build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=12, width=0.25).double()
    x = torch.randn(6, 1, 12, 12, dtype=torch.float64)
    y = torch.randint(0, 10, (6,))
    r1 = bn.lcr_gradient_scale(model, x, y, lam=1.0)
    r2 = bn.lcr_gradient_scale(model, x, y, lam=2.0)
    assert r2["ratio"] == pytest.approx(2 * r1["ratio"], rel=1e-10)
    # direct: total norm from the per-layer gradients of one autograd call
    reg = bn.LCRRegularizer(model, lam=1.0)
    model(x)
    convs = [m.weight for m in model.modules() if isinstance(m, bn.BinaryConv2d)]
    g = torch.autograd.grad(reg.loss(x), convs)
    reg.remove()
    assert r1["grad_norm_lcr"] == pytest.approx(float(torch.cat([t.flatten() for t in g]).norm()), rel=1e-10)
    assert len(r1["per_layer_ratio"]) == len(convs)
    assert not any(m.keep_input_sign for m in model.modules() if isinstance(m, bn.BinaryConv2d))
    with pytest.raises(ValueError, match="BinaryConv2d"):
        bn.lcr_gradient_scale(torch.nn.Linear(3, 2), torch.zeros(1, 3), torch.zeros(1, dtype=torch.long))


# ----------------------------------------------------------------------------- corruptions, trainer hook

@pytest.mark.parametrize("kind", sorted(bn.CORRUPTIONS))
def test_corruptions_bounded_and_monotone(kind):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (4, 1, 12, 12))
    dev = []
    for sev in range(1, 6):
        y = bn.corrupt_images(x, kind, sev, seed=1)
        assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1
        dev.append(np.abs(y - x).mean())
    # a stronger severity moves the images further (noise: in expectation; fixed seed here)
    assert all(d2 > d1 for d1, d2 in zip(dev, dev[1:]))
    assert np.array_equal(bn.corrupt_images(x, kind, 3, seed=5), bn.corrupt_images(x, kind, 3, seed=5))


def test_corruption_bad_inputs():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match="corruption"):
        bn.corrupt_images(x, "fog", 1)
    with pytest.raises(ValueError, match="severity"):
        bn.corrupt_images(x, "contrast", 6)
    with pytest.raises(ValueError, match="severity"):
        bn.corrupt_images(x, "contrast", True)
    with pytest.raises(ValueError, match=r"\(n, C, H, W\)"):
        bn.corrupt_images(np.zeros((4, 4)), "contrast", 1)


def test_lcr_hook_in_the_trainer(tmp_path):
    """Two steps of the one trainer with the LCR loss hook and the weight-std monitor (synthetic data)."""
    from analysis.nets.cache import find_run
    from analysis.nets.config import load_experiment
    from analysis.nets.train import train

    exp = load_experiment("lcr/table3", "smoke", overrides={"seeds": 1, "epochs": 1})
    cfg = exp.settings["lam1"]
    train(cfg, tmp_path, progress=False)
    run = find_run(cfg, tmp_path)
    assert run is not None and run.status == "done"
    row = run.rows[-1]
    assert row["loss.lcr"] > 0 and np.isfinite(row["loss.lcr"])
    assert any(k.startswith("wstd.stages.2.0.conv2") for k in row)
    res = bn.corruption_accuracy(run.load_model(), cfg, out=tmp_path)
    assert res["clean"] == pytest.approx(row["test_acc"])
    assert len(res["contrast"]) == 5
    with pytest.raises(ValueError, match="unknown parameter"):
        bn.lcr_loss_hook({"name": "x", "lamda": 1.0}, None)


# The smoke figures + suite test (and its no-checkpoint rebuild) is tests/test_lcr_records.py.


def test_batch_similarity():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 7))
    sim = bn.batch_similarity(a)
    assert np.allclose(sim["pearson"], np.corrcoef(a), rtol=1e-12)
    q = np.linalg.qr(rng.standard_normal((7, 5)))[0].T * np.arange(1, 6)[:, None]  # orthogonal rows
    assert bn.batch_similarity(q)["mean_abs_offdiag_cosine"] < 1e-12
    t = torch.tensor(a).reshape(5, 7, 1, 1)
    assert np.isclose(bn.batch_similarity(t)["mean_abs_offdiag_pearson"], sim["mean_abs_offdiag_pearson"])
    with pytest.raises(ValueError, match="2 samples"):
        bn.batch_similarity(a[:1])


def test_lcr_bench_reports_every_ratio():
    """The bench runs (one round): every ratio is a positive finite number (speed itself is never tested)."""
    from validation.benches.lcr import bench
    from validation.registry import SuiteContext

    res = bench(SuiteContext(episodes=1), batch=8)
    for key in ("lcr_overhead_ratio", "lcr_overhead_ratio_rm32", "lcr_overhead_ratio_latent",
                "lcr_overhead_ratio_teacher"):
        assert np.isfinite(res[key]) and res[key] > 0
    assert res["step_batch"] == 8
