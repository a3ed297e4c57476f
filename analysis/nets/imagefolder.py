"""ImageNet-style folders: ``<root>/<split>/<class>/<image>.{jpg,jpeg,png}`` (DHKD Tables 3–4 data).

The layout torchvision's ``ImageFolder`` reads and the ImageNet preparation scripts write:
one sub-folder per class (class index = position of the folder name in sorted order), JPEG or
PNG files inside (other files are ignored). Decoding with Pillow; no torchvision.

Two ways in:

- :func:`load_imagefolder` → :class:`~analysis.nets.data.ArrayDataset` (uint8, (n, 3, S, S)) for
  small folders (tests, subsets): each image is resized so its shorter side is ``resize`` and
  centre-cropped to ``size`` (the standard ImageNet evaluation transform, 256 → 224).
- :class:`ImageFolderDataset`, a lazy ``torch.utils.data.Dataset`` for the real 1.28 M images:
  the standard training transform (random-resized crop to ``size`` with scale (0.08, 1) and
  aspect ratio (3/4, 4/3), horizontal flip; :func:`random_resized_crop_box`) or the evaluation
  transform, then per-channel normalisation with the ImageNet mean/std; randomness from a
  ``numpy.random.Generator`` seeded per (seed, epoch, index), so a sample's augmentation is
  reproducible.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
#: ImageNet per-channel mean and std of images scaled to [0, 1] (the values used by torchvision's
#: reference training scripts and by mdistiller/DHKD's ImageNet loaders)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

__all__ = ["IMAGE_EXTENSIONS", "IMAGENET_MEAN", "IMAGENET_STD", "find_classes", "list_images",
           "read_rgb", "resize_center_crop", "random_resized_crop_box", "load_imagefolder",
           "ImageFolderDataset"]


def _split_dir(root, split: str | None) -> Path:
    root = Path(root)
    folder = root if split is None else root / split
    if not folder.is_dir():
        raise FileNotFoundError(f"image folder {folder} does not exist; expected <root>/<split>/<class>/<image>"
                                f" (e.g. ILSVRC2012 train/ and val/ with one sub-folder per class)")
    return folder


def find_classes(root, split: str | None = None) -> list[str]:
    """Sorted names of the class sub-folders of ``root/split`` (hidden folders skipped)."""
    folder = _split_dir(root, split)
    classes = sorted(d.name for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        raise ValueError(f"{folder} has no class sub-folders; expected one folder of images per class")
    return classes


def list_images(root, split: str | None = None, classes: list[str] | None = None) -> list[tuple[Path, int]]:
    """(path, class index) of every JPEG/PNG file, classes in sorted order, files sorted by name.

    ``classes`` fixes the class list (use the training split's for the validation split, so the
    indices agree even when a class folder is missing there).
    """
    folder = _split_dir(root, split)
    classes = find_classes(root, split) if classes is None else list(classes)
    out = []
    for k, c in enumerate(classes):
        d = folder / c
        if not d.is_dir():
            continue
        out += [(f, k) for f in sorted(d.iterdir()) if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS]
    if not out:
        raise ValueError(f"{folder} holds no {'/'.join(IMAGE_EXTENSIONS)} files in its class sub-folders")
    return out


def read_rgb(path) -> "PIL.Image.Image":  # noqa: F821
    """The image at ``path`` decoded by Pillow and converted to RGB (greyscale/CMYK/palette files too)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except OSError as exc:
        raise ValueError(f"cannot decode image {path}: {exc}") from None


def resize_center_crop(im, resize: int = 256, size: int = 224) -> np.ndarray:
    """Shorter side to ``resize`` (bilinear), centre crop ``size``×``size``; uint8 (3, size, size)."""
    from PIL import Image

    if not 0 < size <= resize:
        raise ValueError(f"need 0 < size <= resize, got size={size}, resize={resize}")
    w, h = im.size
    s = resize / min(w, h)
    nw, nh = max(resize, round(w * s)), max(resize, round(h * s))
    im = im.resize((nw, nh), Image.BILINEAR)
    left, top = (nw - size) // 2, (nh - size) // 2
    im = im.crop((left, top, left + size, top + size))
    return np.asarray(im, dtype=np.uint8).transpose(2, 0, 1).copy()


def random_resized_crop_box(width: int, height: int, rng: np.random.Generator, scale=(0.08, 1.0),
                            ratio=(3 / 4, 4 / 3)) -> tuple[int, int, int, int]:
    """(left, top, w, h) of the Inception-style random crop: area fraction in ``scale``, log-uniform
    aspect ratio in ``ratio``; 10 tries, then the centre crop at the nearest allowed ratio
    (the rule of torchvision's ``RandomResizedCrop.get_params``)."""
    area = width * height
    log_r = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target = area * rng.uniform(*scale)
        ar = math.exp(rng.uniform(*log_r))
        w, h = int(round(math.sqrt(target * ar))), int(round(math.sqrt(target / ar)))
        if 0 < w <= width and 0 < h <= height:
            return int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1)), w, h
    in_ratio = width / height
    if in_ratio < ratio[0]:
        w, h = width, int(round(width / ratio[0]))
    elif in_ratio > ratio[1]:
        h, w = height, int(round(height * ratio[1]))
    else:
        w, h = width, height
    return (width - w) // 2, (height - h) // 2, w, h


def load_imagefolder(root, split: str | None = "train", size: int = 224, resize: int | None = None,
                     classes: list[str] | None = None, name: str = "imagefolder"):
    """All images of ``root/split`` as an in-memory ArrayDataset: x (n, 3, size, size) uint8, y (n,).

    Each image: shorter side to ``resize`` (default round(size·256/224)), centre crop ``size``.
    ``num_classes`` is the number of class folders (or of ``classes``). For small folders only
    (n·3·size² bytes in memory); the full ImageNet goes through :class:`ImageFolderDataset`.
    """
    from .data import ArrayDataset

    classes = find_classes(root, split) if classes is None else list(classes)
    items = list_images(root, split, classes)
    resize = int(round(size * 256 / 224)) if resize is None else int(resize)
    x = np.stack([resize_center_crop(read_rgb(p), resize, size) for p, _ in items])
    y = np.array([k for _, k in items], dtype=np.int64)
    return ArrayDataset(x, y, name, len(classes), _split_dir(root, split), tuple(str(p) for p, _ in items))


class ImageFolderDataset:
    """Lazy ``torch.utils.data.Dataset`` over ``root/split``: (float32 (3, size, size) normalised, int label).

    ``train=True``: random-resized crop + horizontal flip (the standard ImageNet training
    transform, as in the DKD/DHKD ImageNet code), randomness from
    ``default_rng([seed, epoch, index])`` (call :meth:`set_epoch` each epoch); ``train=False``:
    resize 256 / centre crop 224 (scaled with ``size``).
    """

    def __init__(self, root, split: str = "train", train: bool = True, size: int = 224, seed: int = 0,
                 classes: list[str] | None = None):
        self.classes = find_classes(root, split) if classes is None else list(classes)
        self.items = list_images(root, split, self.classes)
        self.train, self.size, self.seed, self.epoch = bool(train), int(size), int(seed), 0
        self.mean = np.asarray(IMAGENET_MEAN, dtype=np.float32)[:, None, None]
        self.std = np.asarray(IMAGENET_STD, dtype=np.float32)[:, None, None]

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        import torch
        from PIL import Image

        path, label = self.items[i]
        im = read_rgb(path)
        if self.train:
            rng = np.random.default_rng([self.seed, self.epoch, int(i)])
            left, top, w, h = random_resized_crop_box(im.size[0], im.size[1], rng)
            im = im.resize((self.size, self.size), Image.BILINEAR, box=(left, top, left + w, top + h))
            a = np.asarray(im, dtype=np.uint8).transpose(2, 0, 1)
            if rng.random() < 0.5:
                a = a[:, :, ::-1]
        else:
            a = resize_center_crop(im, int(round(self.size * 256 / 224)), self.size)
        x = (a.astype(np.float32) / 255.0 - self.mean) / self.std
        return torch.from_numpy(np.ascontiguousarray(x)), int(label)
