"""Model registry: exact parameter counts (paper numbers and an independent closed-form count),
forward shapes of every registered network, blocks/hooks, conv weights, plugins, errors."""
from __future__ import annotations

import sys
import textwrap

import pytest
import torch
import torch.nn.functional as F

from analysis.nets import models as M

BUILTIN = ("cnn1", "cnn2", "cdg_cnn", "resnet18", "resnet20", "resnet56", "vgg16")


# --- closed-form parameter counts (written from the architecture descriptions, not the code) -----

def _conv(cin, cout, k, bias=True):
    return cin * cout * k * k + (cout if bias else 0)


def _bn(c):
    return 2 * c


def count_cnn(f, cin, k=10, final=3):
    """Table 4: 4 × (conv3×3 with bias + BN) + Linear(f·final², k)."""
    return _conv(cin, f, 3) + 3 * _conv(f, f, 3) + 4 * _bn(f) + f * final * final * k + k


def count_resnet(widths, blocks, cin, shortcut, k=10):
    total = _conv(cin, widths[0], 3, bias=False) + _bn(widths[0])
    c = widths[0]
    for i, (w, n) in enumerate(zip(widths, blocks)):
        for j in range(n):
            stride = 2 if (i > 0 and j == 0) else 1
            total += _conv(c, w, 3, False) + _bn(w) + _conv(w, w, 3, False) + _bn(w)
            if (stride != 1 or c != w) and shortcut == "B":
                total += _conv(c, w, 1, False) + _bn(w)
            c = w
    return total + c * k + k


def count_vgg16(cin, k=10):
    chans = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    total, c = 0, cin
    for w in chans:
        total += _conv(c, w, 3) + _bn(w)
        c = w
    return total + 512 * k + k


def count_cdg(cin, final, k=10):
    return _conv(cin, 50, 5) + _conv(50, 100, 5) + 100 * final * final * k + k


CASES = [
    # name, kw, closed form on (cin) -> count
    ("cnn1", {}, lambda c: count_cnn(64, c)),
    ("cnn2", {}, lambda c: count_cnn(128, c)),
    ("cnn2", {"filters": 512}, lambda c: count_cnn(512, c)),
    ("resnet18", {}, lambda c: count_resnet([64, 128, 256, 512], [2, 2, 2, 2], c, "B")),
    ("resnet20", {}, lambda c: count_resnet([16, 32, 64], [3, 3, 3], c, "A")),
    ("resnet20", {"shortcut": "B"}, lambda c: count_resnet([16, 32, 64], [3, 3, 3], c, "B")),
    ("resnet56", {}, lambda c: count_resnet([16, 32, 64], [9, 9, 9], c, "A")),
    ("vgg16", {}, lambda c: count_vgg16(c)),
]


@pytest.mark.parametrize("name, kw, formula", CASES, ids=[f"{c[0]}{c[1] or ''}" for c in CASES])
@pytest.mark.parametrize("cin, size", [(3, 32), (1, 28)])
def test_parameter_count_closed_form(name, kw, formula, cin, size):
    model = M.build_model(name, in_channels=cin, image_size=size, **kw)
    assert M.count_parameters(model) == formula(cin)


@pytest.mark.parametrize("name, kw, expected, where", [
    ("cnn1", {}, 118_858, "convsim §4.2 text, Table 4"),
    ("cnn2", {}, 458_890, "convsim §4.2 text, Table 4"),
    ("cnn2", {"filters": 512}, 7_143_946, "convsim §4.2: CNN2 baseline with 512 filters"),
])
def test_paper_parameter_counts(name, kw, expected, where):
    """The printed counts (3×32×32 CIFAR-10 input) are met exactly."""
    assert M.count_parameters(M.build_model(name, **kw)) == expected, where


def test_known_reference_counts():
    """Counts of the common reference implementations of the CIFAR forms (3×32×32, K = 10):
    ResNet-18 (kuangliu) 11,173,962; VGG-16-BN (kuangliu) 14,728,266; ResNet-20/56 option A
    (akamaster) 269,722 / 853,018."""
    got = {n: M.count_parameters(M.build_model(n)) for n in ("resnet18", "vgg16", "resnet20", "resnet56")}
    assert got == {"resnet18": 11_173_962, "vgg16": 14_728_266, "resnet20": 269_722, "resnet56": 853_018}


def test_cnn_28x28_differs_only_in_first_conv():
    """On 1×28×28 conv1 has one input channel; the final map is still 3×3 (Linear(576))."""
    m32, m28 = M.build_model("cnn1"), M.build_model("cnn1", in_channels=1, image_size=28)
    assert m28.classifier.in_features == m32.classifier.in_features == 576
    assert M.count_parameters(m32) - M.count_parameters(m28) == 2 * 64 * 9
    assert M.build_model("cnn2").classifier.in_features == 1152


def test_cdg_cnn_reading():
    m = M.build_model("cdg_cnn", in_channels=1, image_size=28)
    assert m.classifier.in_features == 1600                    # 28 → 24 → 12 → 8 → 4
    assert M.count_parameters(m) == count_cdg(1, 4)
    assert [w.shape[0] for w in M.conv_weights(m)] == [50, 100]
    assert M.count_parameters(M.build_model("cdg_cnn", in_channels=3, image_size=32)) == count_cdg(3, 5)
    h = M.build_model("cdg_cnn", in_channels=1, image_size=28, hidden=500)
    assert M.count_parameters(h) == M.count_parameters(m) - 16010 + 1600 * 500 + 500 + 5010


# --- forward shapes of every registered network -------------------------------------------------

@pytest.mark.parametrize("name", M.list_models())
@pytest.mark.parametrize("cin, size", [(3, 32), (1, 28)])
def test_forward_shape_small_width(name, cin, size):
    torch.manual_seed(0)
    model = M.build_model(name, num_classes=7, in_channels=cin, image_size=size, width=0.125)
    out = model(torch.randn(2, cin, size, size))
    assert out.shape == (2, 7) and torch.isfinite(out).all()
    assert M.count_parameters(model) > 0
    assert len(model.blocks) > 0


@pytest.mark.parametrize("name", BUILTIN)
def test_width_scales_channels(name):
    full = M.conv_weights(M.build_model(name, width=1.0))
    half = M.conv_weights(M.build_model(name, width=0.5))
    assert [w.shape[0] for w in half] == [M.scaled(w.shape[0], 0.5) for w in full]
    tiny = M.conv_weights(M.build_model(name, width=1e-3))
    assert all(w.shape[0] == 1 for w in tiny)                 # min 1 channel


def test_scaled():
    assert M.scaled(64, 0.25) == 16 and M.scaled(50, 0.25) == 12 and M.scaled(3, 0.01) == 1


def test_same_seed_same_weights():
    torch.manual_seed(3)
    a = M.build_model("resnet20", width=0.25)
    torch.manual_seed(3)
    b = M.build_model("resnet20", width=0.25)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


# --- blocks, residual blocks, conv weights ------------------------------------------------------

@pytest.mark.parametrize("name, n_blocks", [("resnet18", 8), ("resnet20", 9), ("resnet56", 27)])
def test_residual_blocks_in_forward_order(name, n_blocks):
    model = M.build_model(name, width=0.125, in_channels=1, image_size=28).eval()
    blocks = M.residual_blocks(model)
    assert len(blocks) == len(model.blocks) == n_blocks
    seen = []
    hooks = [b.register_forward_hook(lambda mod, inp, out: seen.append((mod, inp[0], out))) for b in blocks]
    with torch.no_grad():
        model(torch.randn(2, 1, 28, 28))
    for h in hooks:
        h.remove()
    assert [s[0] for s in seen] == list(blocks)
    for (_, _, out_prev), (_, inp_next, _) in zip(seen, seen[1:]):
        assert inp_next is out_prev                            # each block feeds the next


@pytest.mark.parametrize("name, n", [("cnn1", 4), ("cdg_cnn", 2), ("vgg16", 13)])
def test_plain_nets_blocks(name, n):
    model = M.build_model(name, width=0.125)
    assert len(model.blocks) == n and M.residual_blocks(model) == []


def test_conv_weights():
    m = M.build_model("resnet20", shortcut="B", width=0.25)
    ws = M.conv_weights(m)
    assert len(ws) == 1 + 18 + 2 and all(isinstance(w, torch.nn.Parameter) for w in ws)
    assert len(M.conv_weights(m, min_kernel=2)) == 19
    assert ws[0] is m.stem[0].weight
    assert len(M.conv_weights(M.build_model("resnet20"))) == 19     # option A: no shortcut convs


@pytest.mark.parametrize("shortcut", ["A", "B"])
@pytest.mark.parametrize("stride, cin, cout", [(1, 4, 4), (2, 4, 8), (1, 4, 6)])
def test_basic_block_matches_functional_twin(shortcut, stride, cin, cout):
    """BasicBlock against the equation written out with torch.nn.functional (eval mode BN)."""
    torch.manual_seed(1)
    blk = M.BasicBlock(cin, cout, stride=stride, shortcut=shortcut).eval()
    for bn in (blk.bn1, blk.bn2):
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
    x = torch.randn(2, cin, 8, 8, dtype=torch.float64)
    blk = blk.double()

    def bn(t, m):
        return F.batch_norm(t, m.running_mean, m.running_var, m.weight, m.bias, False, 0.0, m.eps)

    h = F.relu(bn(F.conv2d(x, blk.conv1.weight, stride=stride, padding=1), blk.bn1))
    h = bn(F.conv2d(h, blk.conv2.weight, padding=1), blk.bn2)
    if stride == 1 and cin == cout:
        sc = x
    elif shortcut == "A":
        sub = x[:, :, ::stride, ::stride]
        sc = torch.zeros(2, cout, *sub.shape[2:], dtype=x.dtype)
        lo = (cout - cin) // 2
        sc[:, lo:lo + cin] = sub
    else:
        sc = bn(F.conv2d(x, blk.shortcut[0].weight, stride=stride), blk.shortcut[1])
    torch.testing.assert_close(blk(x), F.relu(h + sc), rtol=1e-12, atol=1e-12)


def test_basic_block_gradients_finite_differences():
    torch.manual_seed(2)
    blk = M.BasicBlock(2, 4, stride=2, shortcut="A").double().eval()
    x = torch.randn(1, 2, 4, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: blk(t).sum(), (x,))


# --- registry -----------------------------------------------------------------------------------

def test_unknown_model_lists_names():
    with pytest.raises(ValueError, match="unknown model 'resnet1000'") as err:
        M.build_model("resnet1000")
    for name in BUILTIN:
        assert name in str(err.value)


@pytest.mark.parametrize("kw, message", [
    ({"num_classes": 0}, "num_classes"), ({"num_classes": True}, "num_classes"),
    ({"in_channels": 0}, "in_channels"), ({"image_size": 2.5}, "image_size"),
    ({"width": 0.0}, "width"), ({"width": float("nan")}, "width"), ({"width": True}, "width"),
    ({"filters": 0}, "filters"),
])
def test_bad_arguments(kw, message):
    with pytest.raises(ValueError, match=message):
        M.build_model("cnn1", **kw)


def test_image_too_small_and_bad_shortcut():
    with pytest.raises(ValueError, match="too small"):
        M.build_model("cdg_cnn", in_channels=1, image_size=8)
    with pytest.raises(ValueError, match="shortcut must be 'A' or 'B'"):
        M.build_model("resnet20", shortcut="C")


def test_duplicate_registration_refused():
    with pytest.raises(ValueError, match="already registered"):
        @M.register_model("cnn1")
        def other(**kw):
            return None


def test_plugins_are_imported(tmp_path, monkeypatch):
    pkg = tmp_path / "wb_plugin_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "extra.py").write_text(textwrap.dedent("""
        import torch.nn as nn
        from analysis.nets.models import register_model

        @register_model("plugin_linear")
        def plugin_linear(num_classes=10, in_channels=3, image_size=32, width=1.0):
            return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * image_size ** 2, num_classes))
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(M, "PLUGIN_MODULES", ("wb_plugin_pkg.extra", "wb_plugin_pkg.absent"))
    monkeypatch.setattr(M, "MODELS", dict(M.MODELS))
    try:
        assert "plugin_linear" in M.list_models()
        out = M.build_model("plugin_linear", num_classes=4, in_channels=1, image_size=5)(torch.zeros(2, 1, 5, 5))
        assert out.shape == (2, 4)
    finally:
        sys.modules.pop("wb_plugin_pkg.extra", None)
        sys.modules.pop("wb_plugin_pkg", None)


def test_binary_networks_live_in_the_registry_module():
    """Issue 12 §3: the LCR paper's binary networks are defined in models.py (no plugin import), and
    the old analysis.nets.binary names are the same objects (a re-export shim)."""
    from analysis.nets import binary, lcr_probes, losses, models, sign

    assert "analysis.nets.binary" not in models.PLUGIN_MODULES
    assert models.MODELS["binary_resnet20"] is models.binary_resnet20
    assert models.MODELS["binary_resnet18"] is models.binary_resnet18
    assert binary.BinaryResNet is models.BinaryResNet and binary.BinaryConv2d is sign.BinaryConv2d
    assert binary.lcr_loss is losses.lcr_loss and binary.lcr_loss_hook is losses.lcr_loss_hook
    assert binary.block_similarity_stats is lcr_probes.block_similarity_stats
    assert binary.weight_std_monitor is lcr_probes.weight_std_monitor
    assert all(hasattr(binary, n) for n in binary.__all__)
