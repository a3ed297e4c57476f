"""The model registry: every network of the four papers, built by name.

    model = build_model("cnn1", num_classes=10, in_channels=1, image_size=28, width=0.25)

Conventions shared by all networks:

* input (B, in_channels, image_size, image_size) float, output logits (B, num_classes);
* ``width`` multiplies every channel count: ``max(1, round(c · width))``;
* the classifier's input size is found by a dry forward pass on a zero image, so any
  ``image_size`` the layers accept works (28×28 Fashion-MNIST, 32×32 CIFAR);
* ``model.blocks``: the units whose inputs and outputs the LCR suite hooks, in forward order —
  the residual blocks (:class:`BasicBlock`) of the ResNets, the conv–BN–activation(–pool) stages
  of the plain networks (cnn1/cnn2, cdg_cnn, vgg16); ``residual_blocks(model)`` returns only the
  residual ones (empty for the plain networks). Each entry is an ``nn.Module`` of the model, so
  ``register_forward_hook`` on it sees the block's input and output.

Plugins: before a name is looked up, :func:`build_model` imports the modules listed in
``PLUGIN_MODULES`` that exist, so e.g. ``analysis/nets/dhkd.py`` can ``@register_model(...)``
networks without editing this file. The binary networks of the LCR paper (``binary_resnet20``,
``binary_resnet18``) are defined here, on :class:`analysis.nets.sign.BinaryConv2d`.

Readings taken where a paper is not explicit are written at each network below.
"""
from __future__ import annotations

import importlib
import importlib.util
from typing import Callable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .sign import BinaryConv2d

__all__ = [
    "MODELS", "PLUGIN_MODULES", "register_model", "build_model", "list_models",
    "count_parameters", "conv_weights", "residual_blocks", "scaled", "BasicBlock",
    "ConvStage", "CNN", "CdgCNN", "CifarResNet", "VGG",
    "BinaryBasicBlock", "BinaryResNet", "binary_resnet20", "binary_resnet18",
]

MODELS: dict[str, Callable[..., nn.Module]] = {}
PLUGIN_MODULES = ("analysis.nets.dhkd", "analysis.nets.zoo")


def register_model(name: str):
    """Decorator: register a builder ``f(num_classes, in_channels, image_size, width, **kw) ->
    nn.Module`` under `name`. Registering a name twice with different functions is an error."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"model name must be a non-empty string, got {name!r}")

    def deco(fn):
        old = MODELS.get(name)
        if old is not None and (old.__module__, old.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"model name {name!r} is already registered by {old.__module__}.{old.__qualname__}")
        MODELS[name] = fn
        return fn

    return deco


def _load_plugins() -> None:
    for mod in PLUGIN_MODULES:
        try:
            spec = importlib.util.find_spec(mod)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            importlib.import_module(mod)


def list_models() -> list[str]:
    """Sorted names of every registered network (plugins included)."""
    _load_plugins()
    return sorted(MODELS)


def _check_int(label: str, v, lo: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ValueError(f"{label} must be an int ≥ {lo}, got {v!r}")
    return v


def build_model(name: str, num_classes: int = 10, in_channels: int = 3, image_size: int = 32,
                width: float = 1.0, **kw) -> nn.Module:
    """The registered network `name` with random (torch default) initialisation.

    num_classes K ≥ 1, in_channels ≥ 1, image_size ≥ 1 (square inputs), width > 0 (channel
    multiplier); extra keywords go to the network (e.g. ``filters=512`` for cnn2,
    ``shortcut="B"`` for resnet20/56). Seed torch (``torch.manual_seed``) before calling for a
    reproducible initialisation. Unknown name → ValueError listing the registered names.
    """
    _load_plugins()
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; registered models: {', '.join(sorted(MODELS))}")
    _check_int("num_classes", num_classes)
    _check_int("in_channels", in_channels)
    _check_int("image_size", image_size)
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not width > 0 \
            or width != width or width == float("inf"):
        raise ValueError(f"width must be a positive finite number, got {width!r}")
    return MODELS[name](num_classes=num_classes, in_channels=in_channels, image_size=image_size,
                        width=float(width), **kw)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable, by default) parameters; BatchNorm running statistics are buffers
    and are not counted (the convention of the papers' parameter counts)."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))


def conv_weights(model: nn.Module, min_kernel: int = 1) -> list[nn.Parameter]:
    """Weights (S, C, N, N') of every nn.Conv2d in module order (the L_CS layers); convolutions
    whose kernel is smaller than `min_kernel` in either spatial axis are left out (e.g.
    ``min_kernel=2`` drops the 1×1 shortcut convolutions of option-B ResNets)."""
    return [m.weight for m in model.modules()
            if isinstance(m, nn.Conv2d) and min(m.kernel_size) >= min_kernel]


def residual_blocks(model: nn.Module) -> list[nn.Module]:
    """The model's residual blocks (BasicBlock) in forward order; [] for plain networks."""
    return [b for b in getattr(model, "blocks", ()) if isinstance(b, BasicBlock)]


def scaled(channels: int, width: float) -> int:
    """Channel count times the width multiplier, rounded, at least 1."""
    return max(1, int(round(channels * width)))


def _flat_features(features: nn.Module, in_channels: int, image_size: int) -> int:
    """Size of features(x).flatten(1) for one zero image (the dry forward pass)."""
    was_training = features.training
    features.eval()
    with torch.no_grad():
        try:
            out = features(torch.zeros(1, in_channels, image_size, image_size))
        except RuntimeError as exc:
            raise ValueError(f"image_size {image_size} is too small for this network ({exc})") from None
    features.train(was_training)
    if out.numel() == 0:
        raise ValueError(f"image_size {image_size} is too small for this network: empty feature map")
    return int(out[0].numel())


# ---------------------------------------------------------------------------------------------
# CNN1 / CNN2 — convsim paper (001), Table 4
# ---------------------------------------------------------------------------------------------

class ConvStage(nn.Sequential):
    """conv → [BatchNorm] → activation → [MaxPool2d(2, 2)]; one entry of a plain net's `blocks`."""


class CNN(nn.Module):
    """Table 4 of the convsim paper: 4 × [Conv2d(c_in, f, 3, padding=2) → BatchNorm2d(f) →
    LeakyReLU(0.2) → MaxPool2d(2, 2)] → Linear(f·h·w, K).

    Reading: Table 4's fourth Conv2d argument is the padding (2), the only reading that gives the
    printed Linear(576, 10) from 3×32×32 (32 → 34 → 17 → 19 → 9 → 11 → 5 → 7 → 3; 64·3·3 = 576)
    and the printed parameter counts 118,858 (CNN1, f = 64) and 458,890 (CNN2, f = 128).
    On 1×28×28 the final map is also 3×3 (28 → 30 → 15 → 17 → 8 → 10 → 5 → 7 → 3).
    """

    def __init__(self, filters: int, num_classes: int, in_channels: int, image_size: int):
        super().__init__()
        stages, c = [], in_channels
        for _ in range(4):
            stages.append(ConvStage(nn.Conv2d(c, filters, 3, padding=2), nn.BatchNorm2d(filters),
                                    nn.LeakyReLU(0.2), nn.MaxPool2d(2, 2)))
            c = filters
        self.features = nn.Sequential(*stages)
        self.classifier = nn.Linear(_flat_features(self.features, in_channels, image_size), num_classes)

    @property
    def blocks(self) -> tuple[nn.Module, ...]:
        return tuple(self.features)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def _filters(default: int, width: float, filters) -> int:
    if filters is None:
        return scaled(default, width)
    return scaled(_check_int("filters", filters), width)


@register_model("cnn1")
def cnn1(num_classes=10, in_channels=3, image_size=32, width=1.0, filters=None):
    """CNN1 (convsim Table 4): 64 filters per layer (``filters=`` overrides; width scales it)."""
    return CNN(_filters(64, width, filters), num_classes, in_channels, image_size)


@register_model("cnn2")
def cnn2(num_classes=10, in_channels=3, image_size=32, width=1.0, filters=None):
    """CNN2 (convsim Table 4): 128 filters per layer; ``filters=512`` is the 7,143,946-parameter
    baseline of §4.2."""
    return CNN(_filters(128, width, filters), num_classes, in_channels, image_size)


# ---------------------------------------------------------------------------------------------
# The 2-layer CNN of the channel-directed-gradient paper (003), Fig. 6
# ---------------------------------------------------------------------------------------------

class CdgCNN(nn.Module):
    """§4 "Effect of Smoothing Parameter" (Fig. 6): "a 2-layer CNN with 50 and 100 5×5 filters".

    Reading (the paper gives only the filter counts and sizes): the LeNet layout —
    Conv2d(c_in, 50, 5) → ReLU → MaxPool2d(2) → Conv2d(50, 100, 5) → ReLU → MaxPool2d(2) →
    Linear(100·h·w, K), no padding, no BatchNorm, one linear classifier so that the network has
    two layers of convolution and no hidden dense layer ("2-layer"). On 1×28×28:
    28 → 24 → 12 → 8 → 4, Linear(1600, K). ``hidden=H`` inserts Linear(·, H) → ReLU before the
    classifier (LeNet's 500-unit dense layer), for the other reading.
    """

    def __init__(self, num_classes, in_channels, image_size, c1=50, c2=100, hidden=0):
        super().__init__()
        self.features = nn.Sequential(
            ConvStage(nn.Conv2d(in_channels, c1, 5), nn.ReLU(), nn.MaxPool2d(2)),
            ConvStage(nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2)),
        )
        n = _flat_features(self.features, in_channels, image_size)
        if hidden:
            self.classifier = nn.Sequential(nn.Linear(n, hidden), nn.ReLU(), nn.Linear(hidden, num_classes))
        else:
            self.classifier = nn.Linear(n, num_classes)

    @property
    def blocks(self) -> tuple[nn.Module, ...]:
        return tuple(self.features)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


@register_model("cdg_cnn")
def cdg_cnn(num_classes=10, in_channels=3, image_size=32, width=1.0, hidden=0):
    """The cdg paper's Fig. 6 network (see CdgCNN for the reading)."""
    hidden = _check_int("hidden", hidden, lo=0)
    return CdgCNN(num_classes, in_channels, image_size, scaled(50, width), scaled(100, width),
                  scaled(hidden, width) if hidden else 0)


# ---------------------------------------------------------------------------------------------
# CIFAR ResNets
# ---------------------------------------------------------------------------------------------

class _PadShortcut(nn.Module):
    """Option-A shortcut (He et al. 2016, §4.2): subsample by `stride`, zero-pad the channels
    from c_in to c_out (the new channels split evenly before and after); no parameters."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.stride = stride
        self.lo = (c_out - c_in) // 2
        self.hi = c_out - c_in - self.lo

    def forward(self, x):
        if self.stride > 1:
            x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, self.lo, self.hi))


class BasicBlock(nn.Module):
    """out = ReLU(BN(conv3×3(ReLU(BN(conv3×3(x))))) + shortcut(x)) (He et al. 2016, Fig. 2 left).

    Shortcut: identity when shape is kept; otherwise option "A" (strided subsampling + zero
    channel padding, parameter-free) or "B" (1×1 conv with stride + BN).
    Input (B, c_in, H, W) → output (B, c_out, H/stride, W/stride).
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1, shortcut: str = "B"):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        if stride == 1 and c_in == c_out:
            self.shortcut = nn.Identity()
        elif shortcut == "A":
            if c_out < c_in:
                raise ValueError(f"option-A shortcut needs c_out ≥ c_in, got {c_in} → {c_out}")
            self.shortcut = _PadShortcut(c_in, c_out, stride)
        elif shortcut == "B":
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(c_out))
        else:
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """3×3 stem conv (stride 1, no max-pool) → BN → ReLU → stages of BasicBlocks (the first block
    of every stage after the first has stride 2) → global average pool → Linear(c_last, K).

    stage_widths: channels per stage; stage_blocks: blocks per stage.
    ``blocks``: every BasicBlock in forward order (the LCR suite hooks their inputs/outputs).
    """

    def __init__(self, stage_widths, stage_blocks, num_classes, in_channels, image_size, shortcut):
        super().__init__()
        c = stage_widths[0]
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                                  nn.ReLU())
        stages = []
        for i, (w, n) in enumerate(zip(stage_widths, stage_blocks)):
            layer = []
            for j in range(n):
                layer.append(BasicBlock(c, w, stride=2 if (i > 0 and j == 0) else 1, shortcut=shortcut))
                c = w
            stages.append(nn.Sequential(*layer))
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)
        _flat_features(nn.Sequential(self.stem, self.stages), in_channels, image_size)  # size check

    @property
    def blocks(self) -> tuple[BasicBlock, ...]:
        return tuple(b for stage in self.stages for b in stage)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(torch.flatten(self.pool(x), 1))


@register_model("resnet18")
def resnet18(num_classes=10, in_channels=3, image_size=32, width=1.0, shortcut="B"):
    """ResNet-18, CIFAR form (the common kuangliu/pytorch-cifar layout used for CIFAR runs):
    3×3 stem with 64 channels, no max-pool, BasicBlocks [2, 2, 2, 2] with widths 64, 128, 256,
    512, option-B (1×1 conv + BN) projection shortcuts. 11,173,962 parameters for K = 10."""
    widths = [scaled(c, width) for c in (64, 128, 256, 512)]
    return CifarResNet(widths, [2, 2, 2, 2], num_classes, in_channels, image_size, shortcut)


def _he_cifar_resnet(n, num_classes, in_channels, image_size, width, shortcut):
    widths = [scaled(c, width) for c in (16, 32, 64)]
    return CifarResNet(widths, [n, n, n], num_classes, in_channels, image_size, shortcut)


@register_model("resnet20")
def resnet20(num_classes=10, in_channels=3, image_size=32, width=1.0, shortcut="A"):
    """ResNet-20 of He et al. 2016 §4.2 (6n+2 layers, n = 3; stages of 16/32/64 channels).
    Reading: option-A shortcuts (parameter-free, what §4.2 uses on CIFAR-10), 269,722 parameters
    for K = 10; ``shortcut="B"`` gives 1×1-projection shortcuts (272,474)."""
    return _he_cifar_resnet(3, num_classes, in_channels, image_size, width, shortcut)


@register_model("resnet56")
def resnet56(num_classes=10, in_channels=3, image_size=32, width=1.0, shortcut="A"):
    """ResNet-56 of He et al. 2016 §4.2 (n = 9; option-A shortcuts by default, 853,018 parameters
    for K = 10); used by the cdg paper (Table 1) and the LCR paper."""
    return _he_cifar_resnet(9, num_classes, in_channels, image_size, width, shortcut)


# ---------------------------------------------------------------------------------------------
# VGG-16, CIFAR form
# ---------------------------------------------------------------------------------------------

_VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


class VGG(nn.Module):
    """VGG-16 with BatchNorm, CIFAR form: 13 × [Conv2d(3×3, padding 1) → BN → ReLU] with a
    MaxPool2d(2, 2) after conv 2, 4, 7, 10 and 13, then one Linear(512, K) (the common CIFAR
    head, kuangliu/pytorch-cifar; 14,728,266 parameters for K = 10 on 3×32×32).

    Reading for inputs smaller than 32×32: a max-pool is skipped when the map is already 1×1
    (on 28×28 the maps go 28 → 14 → 7 → 3 → 1 and the fifth pool is skipped), so the classifier
    sees 512·h·w features, found by a dry forward pass. ``blocks``: the 13 conv–BN–ReLU(–pool)
    stages in order.
    """

    def __init__(self, cfg, num_classes, in_channels, image_size, width):
        super().__init__()
        stages, c, size, i = [], in_channels, image_size, 0
        cfg = list(cfg)
        while i < len(cfg):
            v = cfg[i]
            out = scaled(v, width)
            mods = [nn.Conv2d(c, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU()]
            c = out
            if i + 1 < len(cfg) and cfg[i + 1] == "M":
                if size >= 2:
                    mods.append(nn.MaxPool2d(2, 2))
                    size //= 2
                i += 1
            stages.append(ConvStage(*mods))
            i += 1
        self.features = nn.Sequential(*stages)
        self.classifier = nn.Linear(_flat_features(self.features, in_channels, image_size), num_classes)

    @property
    def blocks(self) -> tuple[nn.Module, ...]:
        return tuple(self.features)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


@register_model("vgg16")
def vgg16(num_classes=10, in_channels=3, image_size=32, width=1.0):
    """VGG-16-BN, CIFAR form (see VGG)."""
    return VGG(_VGG16, num_classes, in_channels, image_size, width)


# ---------------------------------------------------------------------------------------------
# Binary ResNets (paper 002, LCR-BNN; IR-Net's layouts). BinaryConv2d: analysis.nets.sign
# ---------------------------------------------------------------------------------------------

class BinaryBasicBlock(nn.Module):
    """IR-Net basic block with binary 3×3 convolutions and hardtanh activations.

    bireal=False: y = htanh(BN(conv2(htanh(BN(conv1(x))))) + shortcut(x));
    bireal=True (Bi-Real, a shortcut around each conv): h = htanh(BN(conv1(x)) + shortcut(x)),
    y = htanh(BN(conv2(h)) + h). Shortcut: identity, option "A" (pad) or "B" (real 1×1 conv + BN,
    IR-Net's ImageNet downsample). (B, c_in, H, W) → (B, c_out, H/stride, W/stride).
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1, shortcut: str = "A", bireal: bool = False,
                 **conv_kw):
        super().__init__()
        self.conv1 = BinaryConv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False, **conv_kw)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = BinaryConv2d(c_out, c_out, 3, stride=1, padding=1, bias=False, **conv_kw)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.bireal = bireal
        if stride == 1 and c_in == c_out:
            self.shortcut = nn.Identity()
        elif shortcut == "A":
            self.shortcut = _PadShortcut(c_in, c_out, stride)
        elif shortcut == "B":
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
        else:
            raise ValueError(f"shortcut must be 'A' or 'B', got {shortcut!r}")

    def forward(self, x):
        if self.bireal:
            h = F.hardtanh(self.bn1(self.conv1(x)) + self.shortcut(x))
            return F.hardtanh(self.bn2(self.conv2(h)) + h)
        h = F.hardtanh(self.bn1(self.conv1(x)))
        return F.hardtanh(self.bn2(self.conv2(h)) + self.shortcut(x))


class BinaryResNet(nn.Module):
    """Real-valued stem → stages of BinaryBasicBlocks → global average pool → real Linear.

    stem="cifar": 3×3 conv + BN + hardtanh; stem="imagenet": 7×7/2 conv + BN + hardtanh +
    3×3/2 max pool. ``blocks``: the residual blocks in forward order (what LCR hooks).
    """

    def __init__(self, widths: Sequence[int], n_blocks: Sequence[int], num_classes: int, in_channels: int,
                 stem: str = "cifar", shortcut: str = "A", bireal: bool = False, **conv_kw):
        super().__init__()
        c = widths[0]
        if stem == "cifar":
            self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                                      nn.Hardtanh())
        elif stem == "imagenet":
            self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 7, stride=2, padding=3, bias=False),
                                      nn.BatchNorm2d(c), nn.Hardtanh(), nn.MaxPool2d(3, stride=2, padding=1))
        else:
            raise ValueError(f"stem must be 'cifar' or 'imagenet', got {stem!r}")
        stages = []
        for i, (w, n) in enumerate(zip(widths, n_blocks)):
            layer = []
            for j in range(n):
                layer.append(BinaryBasicBlock(c, w, stride=2 if (i > 0 and j == 0) else 1, shortcut=shortcut,
                                              bireal=bireal, **conv_kw))
                c = w
            stages.append(nn.Sequential(*layer))
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(c, num_classes)

    @property
    def blocks(self) -> tuple[BinaryBasicBlock, ...]:
        return tuple(b for stage in self.stages for b in stage)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


@register_model("binary_resnet20")
def binary_resnet20(num_classes=10, in_channels=3, image_size=32, width=1.0, bireal=False, scale="channel",
                    backward="ste", binary_activations=True, shortcut="A"):
    """Binary ResNet-20 (IR-Net's CIFAR layout: 3 stages × 3 blocks, 16/32/64 channels × width,
    option-A shortcuts, real stem and fc). ``bireal=True`` is Table 2's "Ours-bireal" row."""
    widths = [scaled(c, width) for c in (16, 32, 64)]
    return BinaryResNet(widths, [3, 3, 3], num_classes, in_channels, "cifar", shortcut, bireal,
                        scale=scale, backward=backward, binary_activations=binary_activations)


@register_model("binary_resnet18")
def binary_resnet18(num_classes=10, in_channels=3, image_size=32, width=1.0, stem=None, bireal=True,
                    scale="channel", backward="ste", binary_activations=True):
    """Binary ResNet-18 (IR-Net's: [2, 2, 2, 2] blocks of 64–512 channels × width, Bi-Real
    shortcuts, real 1×1 downsampling). stem None: "imagenet" when image_size ≥ 64, else "cifar"."""
    stem = stem or ("imagenet" if image_size >= 64 else "cifar")
    widths = [scaled(c, width) for c in (64, 128, 256, 512)]
    return BinaryResNet(widths, [2, 2, 2, 2], num_classes, in_channels, stem, "B", bireal,
                        scale=scale, backward=backward, binary_activations=binary_activations)
