"""The distillation model zoo: RepDistiller's CIFAR networks (``kd.*``) and the ImageNet
networks of the DKD/DHKD code bases (``imagenet.*``), registered in the model registry.

    model = build_model("kd.resnet8x4", num_classes=100)            # 1,233,540 parameters
    model = build_model("imagenet.resnet18", num_classes=1000, image_size=224)

Architectures are those of HobbitLong/RepDistiller ``models/`` (resnet.py, resnetv2.py, wrn.py,
vgg.py, mobilenetv2.py, ShuffleNetv1.py, ShuffleNetv2.py), which the CRD, DKD and DHKD papers
train on CIFAR-100, and for ImageNet torchvision's ResNet-18/34/50 and the MobileNet-V1 of
megvii-research/mdistiller ``mdistiller/models/imagenet``. The code here is written from those
architectures; the parameter counts (pinned in tests/test_zoo.py) are those of the official code.

Conventions (as for the rest of the registry, see :mod:`analysis.nets.models`):

* input (B, in_channels, image_size, image_size), output logits (B, num_classes); only the stem
  convolution sees ``in_channels``;
* the last layer is an ``nn.Linear`` named ``fc`` (``classifier`` for VGG and MobileNet-V2, as
  in RepDistiller) whose input is the pooled penultimate feature, so the DHKD wrapper
  (``build_model("dual_head", base="kd.<name>")``) works on every model;
* global average pooling is adaptive: on 32×32 it is RepDistiller's fixed AvgPool2d(8) / (4) /
  (2) exactly; other image sizes (28×28 Fashion-MNIST, 64×64, 224×224) also work;
* ``width`` multiplies every channel count (``scaled``); where the architecture needs divisibility
  (ShuffleNet groups, channel split) counts are rounded to the needed multiple;
* ``model.blocks``: the residual / inverted-residual / shuffle units in forward order (for VGG
  and MobileNet-V1, the conv stages); ResNet basic blocks are :class:`models.BasicBlock`, so
  ``residual_blocks(model)`` finds them.

Readings where the official code is input-size specific are written at each network.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .models import BasicBlock, ConvStage, _flat_features, register_model, scaled

__all__ = ["Bottleneck", "ZooResNet", "WideBlock", "WideResNet", "ZooVGG", "InvertedResidual",
           "MobileNetV2", "ShuffleUnitV1", "ShuffleNetV1", "SplitUnitV2", "DownUnitV2",
           "ShuffleNetV2", "DepthwiseSeparable", "MobileNetV1", "channel_shuffle"]


def _scaled_multiple(channels: int, width: float, multiple: int) -> int:
    """Channel count times `width`, rounded to the nearest multiple of `multiple` (at least one
    multiple); equals `channels` at width 1 when `channels` is already a multiple."""
    return multiple * max(1, int(round(channels * width / multiple)))


def _conv_bn(c_in: int, c_out: int, k: int, stride: int = 1, groups: int = 1, relu: bool = True):
    """Conv2d(k×k, padding k//2, no bias) → BN [→ ReLU] as an nn.Sequential."""
    mods = [nn.Conv2d(c_in, c_out, k, stride=stride, padding=k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(c_out)]
    if relu:
        mods.append(nn.ReLU())
    return nn.Sequential(*mods)


def _register(name: str, doc: str, make, *args) -> None:
    """Register ``build(num_classes, in_channels, image_size, width) = make(*args, num_classes,
    in_channels, image_size, width)`` under `name` (one network of a family table)."""
    def build(num_classes=100, in_channels=3, image_size=32, width=1.0):
        return make(*args, num_classes, in_channels, image_size, width)

    build.__name__ = build.__qualname__ = name.replace(".", "_")
    build.__doc__ = doc
    register_model(name)(build)


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """ShuffleNet channel shuffle: (B, g·c, H, W) viewed as (B, g, c, H, W), the two channel axes
    swapped, flattened back (channel i·c + j moves to j·g + i)."""
    b, ch, h, w = x.shape
    return x.view(b, groups, ch // groups, h, w).transpose(1, 2).reshape(b, ch, h, w)


class _PooledNet(nn.Module):
    """x → stem → stages (nn.Sequential of stages of blocks) → post → global average pool →
    final Linear (attribute `head_name`). Subclasses set stem, stages, post and the Linear."""

    head_name = "fc"

    @property
    def blocks(self) -> tuple[nn.Module, ...]:
        return tuple(b for stage in self.stages for b in stage)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate feature (B, d): the input of the final linear layer."""
        x = self.post(self.stages(self.stem(x)))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return getattr(self, self.head_name)(self.features(x))


# ---------------------------------------------------------------------------------------------
# ResNets: RepDistiller resnet.py (CIFAR, 6n+2), resnetv2.py (CIFAR ResNet-50), torchvision
# ---------------------------------------------------------------------------------------------

class Bottleneck(nn.Module):
    """out = ReLU(BN(conv1×1(ReLU(BN(conv3×3_s(ReLU(BN(conv1×1(x))))))) + shortcut(x)), with
    planes → 4·planes channels and the stride on the 3×3 conv (ResNet v1.5, RepDistiller
    resnetv2.py and torchvision). Shortcut: 1×1 conv (stride s) + BN when the shape changes.
    Input (B, c_in, H, W) → output (B, 4·planes, H/s, W/s)."""

    expansion = 4

    def __init__(self, c_in: int, planes: int, stride: int = 1):
        super().__init__()
        c_out = self.expansion * planes
        self.conv1 = nn.Conv2d(c_in, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        if stride == 1 and c_in == c_out:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.shortcut(x))


class ZooResNet(_PooledNet):
    """stem → stages of residual blocks (the first block of every stage after the first has
    stride 2; a 1×1 conv + BN projection wherever the shape changes, RepDistiller's
    ``downsample``) → global average pool → fc.

    stem "cifar": conv3×3 (stride 1, no bias) → BN → ReLU, no max-pool (RepDistiller);
    stem "imagenet": conv7×7 stride 2 → BN → ReLU → MaxPool2d(3, 2, 1) (torchvision).
    ``block``: :class:`models.BasicBlock` (option-B shortcut) or :class:`Bottleneck`; ``planes``:
    per-stage widths (a Bottleneck stage outputs 4× that).
    """

    def __init__(self, block, stem_width, planes, depths, num_classes, in_channels, stem="cifar"):
        super().__init__()
        if stem == "cifar":
            self.stem = _conv_bn(in_channels, stem_width, 3)
        else:
            self.stem = nn.Sequential(nn.Conv2d(in_channels, stem_width, 7, stride=2, padding=3, bias=False),
                                      nn.BatchNorm2d(stem_width), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        c, stages = stem_width, []
        for i, (p, n) in enumerate(zip(planes, depths)):
            layer = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                if block is Bottleneck:
                    layer.append(Bottleneck(c, p, stride))
                    c = p * Bottleneck.expansion
                else:
                    layer.append(BasicBlock(c, p, stride, shortcut="B"))
                    c = p
            stages.append(nn.Sequential(*layer))
        self.stages = nn.Sequential(*stages)
        self.post = nn.Identity()
        self.fc = nn.Linear(c, num_classes)


def _kd_resnet(depth, filters, num_classes, in_channels, image_size, width):
    """RepDistiller resnet.py ``ResNet(depth, num_filters, 'basicblock')``: n = (depth − 2)/6
    BasicBlocks per stage, stem width filters[0], stage widths filters[1:]."""
    n = (depth - 2) // 6
    f = [scaled(c, width) for c in filters]
    return ZooResNet(BasicBlock, f[0], f[1:], [n, n, n], num_classes, in_channels)


_KD_RESNETS = {  # name: (depth, [stem, stage1, stage2, stage3] filters), RepDistiller resnet.py
    "kd.resnet8": (8, (16, 16, 32, 64)), "kd.resnet14": (14, (16, 16, 32, 64)),
    "kd.resnet20": (20, (16, 16, 32, 64)), "kd.resnet32": (32, (16, 16, 32, 64)),
    "kd.resnet44": (44, (16, 16, 32, 64)), "kd.resnet56": (56, (16, 16, 32, 64)),
    "kd.resnet110": (110, (16, 16, 32, 64)),
    "kd.resnet8x4": (8, (32, 64, 128, 256)), "kd.resnet32x4": (32, (32, 64, 128, 256)),
}

for _name, (_depth, _filters) in _KD_RESNETS.items():
    _register(_name, f"RepDistiller ``{_name[3:]}``: CIFAR ResNet-{_depth}, {(_depth - 2) // 6} BasicBlocks "
              f"per stage, filters {list(_filters)} (stem, stages), 1×1-conv + BN projections.",
              _kd_resnet, _depth, _filters)


def _resnet_v2(block, depths, stem, num_classes, in_channels, width):
    planes = [scaled(c, width) for c in (64, 128, 256, 512)]
    return ZooResNet(block, planes[0], planes, depths, num_classes, in_channels, stem=stem)


@register_model("kd.resnet50")
def kd_resnet50(num_classes=100, in_channels=3, image_size=32, width=1.0):
    """RepDistiller resnetv2.py ``ResNet50``: CIFAR stem (3×3, 64, stride 1, no max-pool),
    Bottlenecks [3, 4, 6, 3] with planes 64/128/256/512 (outputs 256…2048), fc(2048, K)."""
    return _resnet_v2(Bottleneck, [3, 4, 6, 3], "cifar", num_classes, in_channels, width)


@register_model("imagenet.resnet18")
def imagenet_resnet18(num_classes=1000, in_channels=3, image_size=224, width=1.0):
    """torchvision ResNet-18: 7×7/2 stem + max-pool, BasicBlocks [2, 2, 2, 2], 64…512."""
    return _resnet_v2(BasicBlock, [2, 2, 2, 2], "imagenet", num_classes, in_channels, width)


@register_model("imagenet.resnet34")
def imagenet_resnet34(num_classes=1000, in_channels=3, image_size=224, width=1.0):
    """torchvision ResNet-34: 7×7/2 stem + max-pool, BasicBlocks [3, 4, 6, 3], 64…512."""
    return _resnet_v2(BasicBlock, [3, 4, 6, 3], "imagenet", num_classes, in_channels, width)


@register_model("imagenet.resnet50")
def imagenet_resnet50(num_classes=1000, in_channels=3, image_size=224, width=1.0):
    """torchvision ResNet-50 (v1.5, stride on the 3×3): Bottlenecks [3, 4, 6, 3], fc(2048, K)."""
    return _resnet_v2(Bottleneck, [3, 4, 6, 3], "imagenet", num_classes, in_channels, width)


# ---------------------------------------------------------------------------------------------
# Wide ResNets: RepDistiller wrn.py (Zagoruyko & Komodakis, pre-activation)
# ---------------------------------------------------------------------------------------------

class WideBlock(nn.Module):
    """Pre-activation block: a = ReLU(BN(x)); out = conv3×3(ReLU(BN(conv3×3_s(a)))) + sc, with
    sc = x when the shape is kept, else conv1×1_s(a) (the shortcut sees the activated input, as
    in wrn.py). Input (B, c_in, H, W) → (B, c_out, H/s, W/s). No dropout (RepDistiller's 0.0)."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.shortcut = None if (stride == 1 and c_in == c_out) else \
            nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        out = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return out + (x if self.shortcut is None else self.shortcut(a))


class WideResNet(_PooledNet):
    """WRN-depth-k: conv3×3 (16) → 3 stages of n = (depth − 4)/6 WideBlocks with 16k, 32k, 64k
    channels (strides 1, 2, 2) → BN → ReLU → global average pool → fc(64k, K)."""

    def __init__(self, depth, k, num_classes, in_channels, image_size, width):
        super().__init__()
        n = (depth - 4) // 6
        c = scaled(16, width)
        self.stem = nn.Conv2d(in_channels, c, 3, padding=1, bias=False)
        stages = []
        for i, w in enumerate((16 * k, 32 * k, 64 * k)):
            w = scaled(w, width)
            stages.append(nn.Sequential(*[WideBlock(c if j == 0 else w, w, 2 if (i > 0 and j == 0) else 1)
                                          for j in range(n)]))
            c = w
        self.stages = nn.Sequential(*stages)
        self.post = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU())
        self.fc = nn.Linear(c, num_classes)


for _depth, _k in ((16, 1), (16, 2), (40, 1), (40, 2)):
    _register(f"kd.wrn_{_depth}_{_k}", f"RepDistiller ``wrn_{_depth}_{_k}``: WRN-{_depth}-{_k} "
              f"({(_depth - 4) // 6} blocks per stage).", WideResNet, _depth, _k)


# ---------------------------------------------------------------------------------------------
# VGG with BatchNorm: RepDistiller vgg.py
# ---------------------------------------------------------------------------------------------

_VGG_CFG = {  # five groups of 3×3 convs (RepDistiller vgg.py cfg 'S', 'A', 'B', 'D', 'E')
    "kd.vgg8": ((64,), (128,), (256,), (512,), (512,)),
    "kd.vgg11": ((64,), (128,), (256, 256), (512, 512), (512, 512)),
    "kd.vgg13": ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
    "kd.vgg16": ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)),
    "kd.vgg19": ((64, 64), (128, 128), (256,) * 4, (512,) * 4, (512,) * 4),
}


class ZooVGG(_PooledNet):
    """Five groups of [Conv2d(3×3, padding 1, with bias) → BN → ReLU]; MaxPool2d(2, 2) after
    groups 1–3, after group 4 only for 64×64 inputs and larger, none after group 5; global
    average pool → classifier Linear(512, K) (no hidden FC layers).

    Reading: RepDistiller's forward applies ``pool3`` only when the input height is 64 (so on
    32×32 groups 4–5 run at 4×4); here that choice is made at build time from ``image_size``
    (≥ 64). On 28×28 the maps go 28 → 14 → 7 → 3. ``blocks``: the conv stages in order.
    """

    head_name = "classifier"

    def __init__(self, groups, num_classes, in_channels, image_size, width):
        super().__init__()
        stages, c = [], in_channels
        for g, group in enumerate(groups):
            layer = []
            for j, v in enumerate(group):
                w = scaled(v, width)
                mods = [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU()]
                if j == len(group) - 1 and (g < 3 or (g == 3 and image_size >= 64)):
                    mods.append(nn.MaxPool2d(2, 2))
                layer.append(ConvStage(*mods))
                c = w
            stages.append(nn.Sequential(*layer))
        self.stem = nn.Identity()
        self.stages = nn.Sequential(*stages)
        self.post = nn.Identity()
        self.classifier = nn.Linear(c, num_classes)
        _flat_features(self.stages, in_channels, image_size)  # too-small images → ValueError


for _name, _groups in _VGG_CFG.items():
    _register(_name, f"RepDistiller ``{_name[3:]}_bn``: VGG with BN, groups {[list(g) for g in _groups]}, "
              "one Linear classifier.", ZooVGG, _groups)
del _name, _depth, _filters, _k, _groups


# ---------------------------------------------------------------------------------------------
# MobileNet-V2, half width: RepDistiller mobilenetv2.py ``mobile_half``
# ---------------------------------------------------------------------------------------------

class InvertedResidual(nn.Module):
    """conv1×1 (c_in → t·c_in) → BN → ReLU → depthwise conv3×3_s → BN → ReLU → conv1×1 (→ c_out)
    → BN, plus x when stride 1 and c_in = c_out. As in RepDistiller, the expansion conv is
    present also for t = 1 and the activation is ReLU (not ReLU6)."""

    def __init__(self, c_in: int, c_out: int, stride: int, expand: int):
        super().__init__()
        hidden = c_in * expand
        self.conv = nn.Sequential(_conv_bn(c_in, hidden, 1),
                                  _conv_bn(hidden, hidden, 3, stride, groups=hidden),
                                  _conv_bn(hidden, c_out, 1, relu=False))
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x):
        out = self.conv(x)
        return x + out if self.residual else out


class MobileNetV2(_PooledNet):
    """``mobile_half`` = MobileNetV2(T = 6, width_mult = 0.5): conv3×3/2 (16) → BN → ReLU →
    inverted-residual stages (t, c, n, s) = (1, 8, 1, 1), (6, 12, 2, 1), (6, 16, 3, 2),
    (6, 32, 4, 2), (6, 48, 3, 1), (6, 80, 3, 2), (6, 160, 1, 1) (the standard channels halved)
    → conv1×1 (1280, not halved) → BN → ReLU → global average pool → classifier Linear(1280, K).
    On 32×32 the last map is 2×2 (RepDistiller's AvgPool2d(2, ceil_mode=True) is this mean)."""

    head_name = "classifier"
    SETTING = ((1, 8, 1, 1), (6, 12, 2, 1), (6, 16, 3, 2), (6, 32, 4, 2), (6, 48, 3, 1), (6, 80, 3, 2),
               (6, 160, 1, 1))

    def __init__(self, num_classes, in_channels, width):
        super().__init__()
        c = scaled(16, width)
        self.stem = _conv_bn(in_channels, c, 3, stride=2)
        stages = []
        for t, ch, n, s in self.SETTING:
            w = scaled(ch, width)
            stages.append(nn.Sequential(*[InvertedResidual(c if j == 0 else w, w, s if j == 0 else 1, t)
                                          for j in range(n)]))
            c = w
        self.stages = nn.Sequential(*stages)
        last = scaled(1280, width)
        self.post = _conv_bn(c, last, 1)
        self.classifier = nn.Linear(last, num_classes)


@register_model("kd.mobilenetv2")
def kd_mobilenetv2(num_classes=100, in_channels=3, image_size=32, width=1.0):
    """RepDistiller ``MobileNetV2`` = ``mobile_half`` (see :class:`MobileNetV2`)."""
    return MobileNetV2(num_classes, in_channels, width)


# ---------------------------------------------------------------------------------------------
# ShuffleNet V1 / V2: RepDistiller ShuffleNetv1.py, ShuffleNetv2.py
# ---------------------------------------------------------------------------------------------

class ShuffleUnitV1(nn.Module):
    """Grouped conv1×1 (→ m = c_branch/4, groups g1) → BN → ReLU → shuffle(g1) → depthwise
    conv3×3_s → BN → ReLU → grouped conv1×1 (→ c_branch, groups g) → BN; stride 1:
    ReLU(branch + x) with c_branch = c_out; stride 2: ReLU(concat[branch, AvgPool(3, 2, 1)(x)])
    with c_branch = c_out − c_in. g1 = 1 on the network's first unit (its 24-channel input),
    else g (RepDistiller's rule). The ReLU after the depthwise conv is RepDistiller's."""

    def __init__(self, c_in: int, c_out: int, stride: int, groups: int, first: bool = False):
        super().__init__()
        self.stride = stride
        branch = c_out - c_in if stride == 2 else c_out
        mid = branch // 4
        self.g1 = 1 if first else groups
        self.conv1 = nn.Conv2d(c_in, mid, 1, groups=self.g1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride=stride, padding=1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, branch, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(branch)

    def forward(self, x):
        out = channel_shuffle(F.relu(self.bn1(self.conv1(x))), self.g1)
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.stride == 2:
            return F.relu(torch.cat([out, F.avg_pool2d(x, 3, 2, 1)], 1))
        return F.relu(out + x)


class ShuffleNetV1(_PooledNet):
    """RepDistiller ``ShuffleV1``: conv1×1 (24) → BN → ReLU (no pooling) → stages of 4, 8, 4
    units with 240, 480, 960 channels, groups 3, each stage opened by a stride-2 unit → global
    average pool → fc(960, K). Width: channels rounded to multiples of 4·g (mid channels
    divisible by g), each stride-2 unit adding at least 4·g channels."""

    def __init__(self, num_classes, in_channels, width, groups=3, outs=(240, 480, 960), depths=(4, 8, 4)):
        super().__init__()
        m = 4 * groups
        c = _scaled_multiple(24, width, m)
        self.stem = _conv_bn(in_channels, c, 1)
        stages, first = [], True
        for o, n in zip(outs, depths):
            o = max(_scaled_multiple(o, width, m), c + m)
            layer = []
            for j in range(n):
                layer.append(ShuffleUnitV1(c, o, 2 if j == 0 else 1, groups, first=first))
                c, first = o, False
            stages.append(nn.Sequential(*layer))
        self.stages = nn.Sequential(*stages)
        self.post = nn.Identity()
        self.fc = nn.Linear(c, num_classes)


class SplitUnitV2(nn.Module):
    """ShuffleNet-V2 basic unit: split channels in halves (x1, x2); x2 → conv1×1 → BN → ReLU →
    depthwise conv3×3 → BN → conv1×1 → BN → ReLU; shuffle(concat[x1, branch], 2)."""

    def __init__(self, c: int):
        super().__init__()
        h = c // 2
        self.branch = nn.Sequential(_conv_bn(h, h, 1), _conv_bn(h, h, 3, groups=h, relu=False), _conv_bn(h, h, 1))

    def forward(self, x):
        h = x.shape[1] // 2
        return channel_shuffle(torch.cat([x[:, :h], self.branch(x[:, h:])], 1), 2)


class DownUnitV2(nn.Module):
    """ShuffleNet-V2 stride-2 unit, c_in → c_out (m = c_out/2 per branch): left = depthwise
    conv3×3/2 → BN → conv1×1 (→ m) → BN → ReLU; right = conv1×1 (→ m) → BN → ReLU → depthwise
    conv3×3/2 → BN → conv1×1 → BN → ReLU; shuffle(concat[left, right], 2)."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        m = c_out // 2
        self.left = nn.Sequential(_conv_bn(c_in, c_in, 3, 2, groups=c_in, relu=False), _conv_bn(c_in, m, 1))
        self.right = nn.Sequential(_conv_bn(c_in, m, 1), _conv_bn(m, m, 3, 2, groups=m, relu=False),
                                   _conv_bn(m, m, 1))

    def forward(self, x):
        return channel_shuffle(torch.cat([self.left(x), self.right(x)], 1), 2)


class ShuffleNetV2(_PooledNet):
    """RepDistiller ``ShuffleV2`` (net_size 1): conv1×1 (24) → BN → ReLU (no max-pool) → three
    stages, each a DownUnitV2 then 3, 7, 3 SplitUnitV2, with 116, 232, 464 channels → conv1×1
    (1024) → BN → ReLU → global average pool → fc(1024, K). Width: channels rounded to even."""

    def __init__(self, num_classes, in_channels, width, outs=(116, 232, 464), depths=(3, 7, 3), last=1024):
        super().__init__()
        c = scaled(24, width)
        self.stem = _conv_bn(in_channels, c, 1)
        stages = []
        for o, n in zip(outs, depths):
            o = _scaled_multiple(o, width, 2)
            stages.append(nn.Sequential(DownUnitV2(c, o), *[SplitUnitV2(o) for _ in range(n)]))
            c = o
        self.stages = nn.Sequential(*stages)
        last = scaled(last, width)
        self.post = _conv_bn(c, last, 1)
        self.fc = nn.Linear(last, num_classes)


@register_model("kd.shufflev1")
def kd_shufflev1(num_classes=100, in_channels=3, image_size=32, width=1.0):
    """RepDistiller ``ShuffleV1`` (see :class:`ShuffleNetV1`)."""
    return ShuffleNetV1(num_classes, in_channels, width)


@register_model("kd.shufflev2")
def kd_shufflev2(num_classes=100, in_channels=3, image_size=32, width=1.0):
    """RepDistiller ``ShuffleV2`` (see :class:`ShuffleNetV2`)."""
    return ShuffleNetV2(num_classes, in_channels, width)


# ---------------------------------------------------------------------------------------------
# MobileNet-V1 (ImageNet): mdistiller models/imagenet/mobilenetv1.py (DKD; DHKD's ImageNet pair)
# ---------------------------------------------------------------------------------------------

class DepthwiseSeparable(nn.Sequential):
    """Depthwise conv3×3_s → BN → ReLU → conv1×1 → BN → ReLU (one MobileNet-V1 unit)."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__(*_conv_bn(c_in, c_in, 3, stride, groups=c_in), *_conv_bn(c_in, c_out, 1))


class MobileNetV1(_PooledNet):
    """conv3×3/2 (32) → BN → ReLU → 13 depthwise-separable units (64, 128/2, 128, 256/2, 256,
    512/2, 5 × 512, 1024/2, 1024) → global average pool (the official AvgPool2d(7) on 224×224)
    → fc(1024, K). ``blocks``: the stem and the 13 units."""

    UNITS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1),
             (512, 1), (512, 1), (1024, 2), (1024, 1))

    def __init__(self, num_classes, in_channels, width):
        super().__init__()
        c = scaled(32, width)
        units = [ConvStage(*_conv_bn(in_channels, c, 3, stride=2))]
        for o, s in self.UNITS:
            units.append(DepthwiseSeparable(c, scaled(o, width), s))
            c = scaled(o, width)
        self.stem = nn.Identity()
        self.stages = nn.Sequential(nn.Sequential(*units))
        self.post = nn.Identity()
        self.fc = nn.Linear(c, num_classes)


@register_model("imagenet.mobilenetv1")
def imagenet_mobilenetv1(num_classes=1000, in_channels=3, image_size=224, width=1.0):
    """MobileNet-V1 as in mdistiller (DKD) / DHKD's ImageNet ResNet-50 → MobileNet-V1 pair."""
    return MobileNetV1(num_classes, in_channels, width)
