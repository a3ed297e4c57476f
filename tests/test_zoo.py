"""The distillation model zoo (analysis/nets/zoo.py): parameter counts pinned to the official
code, forward shapes, the DHKD dual-head wrapper on every model, other input shapes, blocks."""
from __future__ import annotations

import pytest
import torch

from analysis.nets import models as M
from analysis.nets import zoo

# Official counts (trainable parameters; BN running statistics are buffers). kd.*: 3×32×32 input,
# 100 classes, counted by instantiating HobbitLong/RepDistiller models/ (commit b84f547, the
# ``model_dict`` entries with num_classes=100); issue 15 quotes resnet8x4 1,233,540, resnet32x4
# 7,433,860 and resnet20 278,324, and the CRD/DKD literature rounds these to 1.23M, 7.43M, 0.28M
# (also wrn_40_2 2.26M, vgg13 9.46M, ResNet50 23.71M, ShuffleV2 1.36M …).
# imagenet.*: 1000 classes; torchvision's model docs give num_params 11,689,512 (ResNet-18),
# 21,797,672 (ResNet-34), 25,557,032 (ResNet-50); MobileNet-V1 counted from
# megvii-research/mdistiller mdistiller/models/imagenet/mobilenetv1.py (commit a08d46f).
OFFICIAL = {
    "kd.resnet8": 83_892, "kd.resnet14": 181_108, "kd.resnet20": 278_324, "kd.resnet32": 472_756,
    "kd.resnet44": 667_188, "kd.resnet56": 861_620, "kd.resnet110": 1_736_564,
    "kd.resnet8x4": 1_233_540, "kd.resnet32x4": 7_433_860, "kd.resnet50": 23_705_252,
    "kd.wrn_16_1": 180_916, "kd.wrn_16_2": 703_284, "kd.wrn_40_1": 569_780, "kd.wrn_40_2": 2_255_156,
    "kd.vgg8": 3_965_028, "kd.vgg11": 9_277_284, "kd.vgg13": 9_462_180, "kd.vgg16": 14_774_436,
    "kd.vgg19": 20_086_692, "kd.mobilenetv2": 812_836, "kd.shufflev1": 949_258, "kd.shufflev2": 1_355_528,
    "imagenet.resnet18": 11_689_512, "imagenet.resnet34": 21_797_672, "imagenet.resnet50": 25_557_032,
    "imagenet.mobilenetv1": 4_231_976,
}
ZOO = tuple(OFFICIAL)

# number of units in model.blocks (residual / inverted-residual / shuffle units; VGG conv stages;
# MobileNet-V1 stem + 13 depthwise-separable units)
N_BLOCKS = {
    "kd.resnet8": 3, "kd.resnet14": 6, "kd.resnet20": 9, "kd.resnet32": 15, "kd.resnet44": 21,
    "kd.resnet56": 27, "kd.resnet110": 54, "kd.resnet8x4": 3, "kd.resnet32x4": 15, "kd.resnet50": 16,
    "kd.wrn_16_1": 6, "kd.wrn_16_2": 6, "kd.wrn_40_1": 18, "kd.wrn_40_2": 18,
    "kd.vgg8": 5, "kd.vgg11": 8, "kd.vgg13": 10, "kd.vgg16": 13, "kd.vgg19": 16,
    "kd.mobilenetv2": 17, "kd.shufflev1": 16, "kd.shufflev2": 16,
    "imagenet.resnet18": 8, "imagenet.resnet34": 16, "imagenet.resnet50": 16, "imagenet.mobilenetv1": 14,
}


def _size(name: str) -> int:
    """Forward-check image size: CIFAR's 32, and 64 for the ImageNet networks (fast)."""
    return 64 if name.startswith("imagenet.") else 32


def test_zoo_is_registered():
    assert set(ZOO) <= set(M.list_models())
    assert set(ZOO) == set(N_BLOCKS)


@pytest.mark.parametrize("name", ZOO)
def test_official_parameter_count(name):
    k, size = (1000, 224) if name.startswith("imagenet.") else (100, 32)
    assert M.count_parameters(M.build_model(name, num_classes=k, image_size=size)) == OFFICIAL[name]


def test_kd_resnet20_and_he_resnet20_stay_apart():
    """RepDistiller's resnet20 has 1×1-conv projections; He et al.'s option A has none."""
    assert M.count_parameters(M.build_model("kd.resnet20", num_classes=100)) == 278_324
    assert M.count_parameters(M.build_model("resnet20", num_classes=100)) == 275_572


@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("aux", ["linear", "mlp"])
def test_dual_head_on_every_zoo_model(name, aux):
    """forward_both gives (B, K) twice; head 1 is the model's own logits; the features the
    wrapper grabs are the model's penultimate features (the final Linear's input)."""
    torch.manual_seed(0)
    size = _size(name)
    net = M.build_model("dual_head", base=name, aux=aux, num_classes=100, image_size=size)
    x = torch.randn(2, 3, size, size)
    main, aux_logits = net.forward_both(x)
    assert main.shape == aux_logits.shape == (2, 100)
    assert torch.isfinite(main).all() and torch.isfinite(aux_logits).all()
    assert net.features.shape == (2, net.head.in_features)
    net.eval()
    with torch.no_grad():
        main, _ = net.forward_both(x)
        assert torch.allclose(main, net.base(x))
        assert torch.allclose(net.features, net.base.features(x))
    assert len(net.blocks) == N_BLOCKS[name]


@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("cin, size", [(1, 28), (2, 32)])
def test_other_inputs(name, cin, size):
    """Fashion-MNIST stand-ins: 1×28×28 and 2×32×32; only the stem conv changes."""
    torch.manual_seed(0)
    model = M.build_model(name, num_classes=10, in_channels=cin, image_size=size)
    out = model(torch.randn(2, cin, size, size))
    assert out.shape == (2, 10) and torch.isfinite(out).all()
    stem = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    assert stem.in_channels == cin
    if size == 28:  # the count differs from the 3-channel, 10-class model by the stem alone
        ref = M.count_parameters(M.build_model(name, num_classes=10))
        assert ref - M.count_parameters(model) == 2 * stem.weight[0].numel() // cin * stem.out_channels


@pytest.mark.parametrize("name", ["kd.resnet8x4", "kd.resnet50", "kd.wrn_16_2", "kd.vgg8", "kd.mobilenetv2",
                                  "kd.shufflev1", "kd.shufflev2", "imagenet.mobilenetv1"])
def test_blocks_in_forward_order(name):
    """Each entry of model.blocks is hooked once per forward, in order, each feeding the next
    within a stage; ResNet blocks are the registry's BasicBlock (residual_blocks finds them)."""
    model = M.build_model(name, width=0.25, image_size=_size(name)).eval()
    seen = []
    hooks = [b.register_forward_hook(lambda mod, inp, out: seen.append(mod)) for b in model.blocks]
    with torch.no_grad():
        model(torch.randn(1, 3, _size(name), _size(name)))
    for h in hooks:
        h.remove()
    assert seen == list(model.blocks)
    assert len(M.residual_blocks(model)) == (3 if name == "kd.resnet8x4" else 0)


def test_width_rounds_to_what_the_architecture_needs():
    """ShuffleNet-V1 branch and mid channels stay divisible by the 3 groups, V2 stage widths even
    (the channel split and the 2-group shuffle), at widths where plain rounding would break them."""
    for width in (0.3, 0.7):
        v1 = M.build_model("kd.shufflev1", width=width)
        assert all(u.conv3.out_channels % 3 == 0 and u.conv1.out_channels % 3 == 0 for u in v1.blocks)
        v2 = M.build_model("kd.shufflev2", width=width)
        for b in v2.blocks:
            if isinstance(b, zoo.DownUnitV2):
                c = b.left[-1][0].out_channels + b.right[-1][0].out_channels
            else:
                assert 2 * b.branch[0][0].in_channels == c
        for m in (v1, v2):
            assert m(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_vgg_pool_reading():
    """MaxPools after groups 1–3 on 32×32 (groups 4–5 at 4×4), also after group 4 on 64×64;
    an image too small for the pools is a ValueError."""
    def pools(m):
        return sum(isinstance(x, torch.nn.MaxPool2d) for x in m.modules())

    assert pools(M.build_model("kd.vgg13")) == 3 and pools(M.build_model("kd.vgg13", image_size=64)) == 4
    with pytest.raises(ValueError, match="too small"):
        M.build_model("kd.vgg8", image_size=4)


def test_channel_shuffle():
    """Channel i·c + j (group i, member j) moves to j·g + i."""
    g, c = 3, 4
    x = torch.arange(g * c, dtype=torch.float32).view(1, g * c, 1, 1)
    y = zoo.channel_shuffle(x, g).flatten()
    assert [int(v) for v in y] == [i * c + j for j in range(c) for i in range(g)]
