"""Image data sets read from their standard files with numpy only (no torchvision).

Formats (DESIGN.md, "Real data, real networks"):

* MNIST and Fashion-MNIST — IDX files ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
  ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each plain or gzipped (``.gz``).
  An IDX file is the magic ``00 00 08 ndim`` (0x08 = unsigned byte), ``ndim`` big-endian uint32
  sizes, then the row-major bytes.
* CIFAR-10 — ``cifar-10-batches-py/data_batch_1`` … ``data_batch_5`` and ``test_batch``, each a
  pickled dict with ``data`` (n, 3072) uint8 (channel-major: 1024 R, 1024 G, 1024 B values of a
  32×32 image) and ``labels`` (n ints).
* CIFAR-100 — ``cifar-100-python/train`` and ``test``, the same with ``fine_labels`` (0…99; the
  fine labels are the ones used).
* ``fashion-mnist-pairs100`` — a 100-class stand-in for CIFAR-100's K = 100 (never CIFAR-100),
  built on the fly from the Fashion-MNIST files (:func:`pairs100_indices`): an image is two
  Fashion-MNIST items as the two channels of one 32×32 image (each 28×28 item zero-padded by 2 on
  every side), label 10·a + b (a: class of channel 0's item, b: channel 1's); 500 training images
  per class (50,000, items from Fashion-MNIST's train split) and 100 test images per class
  (10,000, from its test split), fixed by the constant seed ``PAIRS100_SEED`` = 0. Built on
  every load (about a second for both splits; no cache), the same bytes on every machine.
* ImageNet (``imagenet``) — class folders ``imagenet/train/<class>/*.JPEG`` and
  ``imagenet/val/<class>/*.JPEG`` (split ``test`` reads ``val``), read by
  :mod:`analysis.nets.imagefolder` (resize 256, centre crop 224).

Where a set is looked for: when the ``data_dir`` argument (``--data-dir``) is given, there
*only* (a user who names a folder means that folder); otherwise, first match wins,
``$WORKBENCH_DATA``, ``/usr/share/datasets`` (Debian's ``dataset-fashion-mnist`` installs
``/usr/share/datasets/fashion-mnist/*-ubyte.gz``), ``~/.cache/workbench``, ``./data``. Each
place may hold the files directly or in a sub-folder named after the set (e.g.
``fashion-mnist/``, ``cifar-10-batches-py/``). A missing set raises ``FileNotFoundError`` that
names every place looked at and how to get the data; a corrupt file raises ``ValueError`` naming
the file and what is wrong. :func:`verify_dataset` checks files without loading them into a
data set (complete gzip stream, IDX magic and sizes, record counts, and for Fashion-MNIST the
md5 of the decompressed bytes — Debian's ``.gz`` files are recompressed, so the published
archive checksums do not apply); :func:`data_problems` turns that into one line per problem,
which ``workbench figures``/``sweep`` print before any worker starts. There is never a fallback to random data: random images exist only
in :func:`write_synthetic`, which writes tiny files in the real formats for tests and the
``smoke`` preset.

Pickles are read with a restricted unpickler that only builds dicts, lists, strings, bytes and
numpy arrays, so a data file cannot run code.
"""
from __future__ import annotations

import gzip
import io
import os
import pickle
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "DATASETS",
    "ArrayDataset",
    "load_dataset",
    "find_dataset",
    "search_places",
    "dataset_status",
    "verify_dataset",
    "data_problems",
    "write_synthetic",
    "pairs100_indices",
    "PAIRS100_SEED",
    "subset",
    "normalization",
    "channel_statistics",
    "to_tensors",
    "read_idx",
    "write_idx",
]


# ---------------------------------------------------------------------------------------------
# Data set descriptions
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    name: str
    kind: str                      # "idx" or "cifar"
    num_classes: int
    channels: int
    size: int
    subfolders: tuple[str, ...]    # sub-folder names a search place may hold the files in
    files: dict                    # split -> tuple of file names (without .gz for IDX)
    label_key: str                 # CIFAR pickles: the label key; IDX: unused
    how_to_get: str
    # Per-channel (mean, std) of the training images scaled to [0, 1] (population std over all
    # pixels of the training split). Configuration values for input normalisation, from the
    # standard training files; tests/test_data.py recomputes the Fashion-MNIST pair from the real
    # files with `channel_statistics` when they are present (agreement to the printed 4 digits).
    mean: tuple[float, ...]
    std: tuple[float, ...]
    note: str = ""                 # shown by `workbench data` (the stand-in's "never CIFAR-100")


_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

DATASETS: dict[str, _Spec] = {
    "fashion-mnist": _Spec(
        "fashion-mnist", "idx", 10, 1, 28, ("fashion-mnist", "fashion_mnist", "FashionMNIST/raw"),
        _IDX_FILES, "",
        "apt-get install dataset-fashion-mnist (Debian/Ubuntu; installs "
        "/usr/share/datasets/fashion-mnist), or download the four *-ubyte.gz files from "
        "https://github.com/zalandoresearch/fashion-mnist and pass --data-dir",
        (0.2860,), (0.3530,)),
    "mnist": _Spec(
        "mnist", "idx", 10, 1, 28, ("mnist", "MNIST/raw"), _IDX_FILES, "",
        "download the four *-ubyte(.gz) files of MNIST (http://yann.lecun.com/exdb/mnist/) into "
        "a folder named mnist/ and pass --data-dir (or set WORKBENCH_DATA)",
        (0.1307,), (0.3081,)),
    "cifar10": _Spec(
        "cifar10", "cifar", 10, 3, 32, ("cifar-10-batches-py", "cifar10", "cifar-10"),
        {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)},
        "labels",
        "download the CIFAR-10 python version (cifar-10-python.tar.gz from "
        "https://www.cs.toronto.edu/~kriz/cifar.html), unpack it (cifar-10-batches-py/) and pass "
        "--data-dir",
        (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": _Spec(
        "cifar100", "cifar", 100, 3, 32, ("cifar-100-python", "cifar100", "cifar-100"),
        {"train": ("train",), "test": ("test",)},
        "fine_labels",
        "download the CIFAR-100 python version (cifar-100-python.tar.gz from "
        "https://www.cs.toronto.edu/~kriz/cifar.html), unpack it (cifar-100-python/) and pass "
        "--data-dir",
        (0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
    # Built from the Fashion-MNIST files (kind "pairs"); mean/std: channel_statistics of the built
    # training split (tests/test_standin_pairs100.py recomputes them when Fashion-MNIST is present).
    "fashion-mnist-pairs100": _Spec(
        "fashion-mnist-pairs100", "pairs", 100, 2, 32, ("fashion-mnist", "fashion_mnist", "FashionMNIST/raw"),
        _IDX_FILES, "",
        "it is built from Fashion-MNIST, so get Fashion-MNIST: apt-get install dataset-fashion-mnist "
        "(Debian/Ubuntu; installs /usr/share/datasets/fashion-mnist), or download the four *-ubyte.gz "
        "files from https://github.com/zalandoresearch/fashion-mnist and pass --data-dir",
        (0.2192, 0.2190), (0.3319, 0.3319),
        "a stand-in for CIFAR-100's K = 100, never CIFAR-100: two Fashion-MNIST items as the two "
        "channels of a 32x32 image, label 10a + b, 500/100 per class, seed 0"),
    # ILSVRC-2012 class folders (kind "imagefolder"), read by analysis.nets.imagefolder.
    "imagenet": _Spec(
        "imagenet", "imagefolder", 1000, 3, 224, ("imagenet", "ILSVRC2012", "ilsvrc2012"),
        {"train": ("train",), "test": ("val",)}, "",
        "download ILSVRC-2012 (https://image-net.org, registration needed), arrange train/ and val/ "
        "with one sub-folder of JPEG files per class (the layout of torchvision's ImageFolder) in a "
        "folder named imagenet/, and pass --data-dir",
        (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}

#: The fixed seed of the 100-class stand-in (part of its definition; never a run's seed).
PAIRS100_SEED = 0
#: Images per class of the stand-in (each split), from a standard-size Fashion-MNIST source.
PAIRS100_PER_CLASS = {"train": 500, "test": 100}


def _spec(name) -> _Spec:
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; expected one of {sorted(DATASETS)}")
    return DATASETS[name]


def _check_split(split) -> str:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    return split


# ---------------------------------------------------------------------------------------------
# The in-memory data set
# ---------------------------------------------------------------------------------------------

@dataclass
class ArrayDataset:
    """Images and labels held in memory.

    x: (n, C, H, W) uint8 — raw pixel values 0…255, channel-first.
    y: (n,) int64 — labels in 0…num_classes−1.
    name: data set name (a key of ``DATASETS`` or any string for derived sets).
    num_classes: number of classes K ≥ 1.
    source: the folder (or file) the images were read from.
    files: the files read (paths), recorded by every run (``metrics.json``'s ``data.files``).
    """

    x: np.ndarray
    y: np.ndarray
    name: str
    num_classes: int
    source: Path
    files: tuple = ()

    def __post_init__(self):
        if not isinstance(self.x, np.ndarray) or self.x.dtype != np.uint8 or self.x.ndim != 4:
            got = (f"{type(self.x).__name__} {getattr(self.x, 'dtype', '?')} "
                   f"shape {getattr(self.x, 'shape', '?')}")
            raise ValueError(f"ArrayDataset.x must be a uint8 array of shape (n, C, H, W); got {got}")
        if not isinstance(self.y, np.ndarray) or self.y.dtype != np.int64 or self.y.ndim != 1:
            got = (f"{type(self.y).__name__} {getattr(self.y, 'dtype', '?')} "
                   f"shape {getattr(self.y, 'shape', '?')}")
            raise ValueError(f"ArrayDataset.y must be an int64 array of shape (n,); got {got}")
        if self.y.shape[0] != self.x.shape[0]:
            raise ValueError(f"ArrayDataset has {self.x.shape[0]} images but {self.y.shape[0]} labels; "
                             "expected one label per image")
        if isinstance(self.num_classes, bool) or not isinstance(self.num_classes, (int, np.integer)) \
                or self.num_classes < 1:
            raise ValueError(f"num_classes must be a positive int, got {self.num_classes!r}")
        self.num_classes = int(self.num_classes)
        if self.y.size and (self.y.min() < 0 or self.y.max() >= self.num_classes):
            raise ValueError(f"labels of {self.name!r} must lie in 0..{self.num_classes - 1}; "
                             f"found range {int(self.y.min())}..{int(self.y.max())}")
        self.source = Path(self.source)
        self.files = tuple(str(f) for f in self.files)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W)."""
        return tuple(int(s) for s in self.x.shape[1:])


# ---------------------------------------------------------------------------------------------
# Where data sets are looked for
# ---------------------------------------------------------------------------------------------

def _default_places() -> list[Path]:
    """The usual places, after --data-dir and $WORKBENCH_DATA (Debian's datasets folder, the
    user cache, ./data)."""
    return [Path("/usr/share/datasets"), Path.home() / ".cache" / "workbench", Path.cwd() / "data"]


def search_places(data_dir=None) -> list[Path]:
    """The base folders searched, in order: ``[data_dir]`` alone when it is given; otherwise
    $WORKBENCH_DATA, /usr/share/datasets, ~/.cache/workbench, ./data (duplicates removed, order
    kept)."""
    if data_dir is not None:
        return [Path(data_dir).expanduser()]
    places = []
    env = os.environ.get("WORKBENCH_DATA")
    if env:
        places.append(Path(env).expanduser())
    places += _default_places()
    seen, out = set(), []
    for p in places:
        key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _candidate_dirs(spec: _Spec, data_dir) -> list[Path]:
    """Every folder that may hold the files of `spec`: each place, then its named sub-folders
    (image folders: only the named sub-folders, as train/ and val/ are common names)."""
    out = []
    for base in search_places(data_dir):
        if spec.kind != "imagefolder":
            out.append(base)
        out += [base / sub for sub in spec.subfolders]
    return out


def _split_files(spec: _Spec, folder: Path, split: str) -> list[Path] | None:
    """The files of `split` in `folder` (IDX: plain preferred over .gz), or None if any is missing."""
    found = []
    if spec.kind == "imagefolder":
        d = folder / spec.files[split][0]
        return [d] if d.is_dir() else None
    for fname in spec.files[split]:
        plain = folder / fname
        if spec.kind in ("idx", "pairs"):
            alt = [plain, folder / (fname + ".gz"),
                   folder / fname.replace("-idx", ".idx"), folder / (fname.replace("-idx", ".idx") + ".gz")]
            hit = next((p for p in alt if p.is_file()), None)
        else:
            hit = plain if plain.is_file() else None
        if hit is None:
            return None
        found.append(hit)
    return found


def _not_found(spec: _Spec, split: str, looked: list[Path], data_dir=None) -> FileNotFoundError:
    wanted = ", ".join(spec.files[split]) + (" (plain or .gz)" if spec.kind in ("idx", "pairs") else "")
    if spec.kind == "pairs":
        wanted = f"Fashion-MNIST's {wanted}, the source of {spec.name}"
    elif spec.kind == "imagefolder":
        wanted = f"a folder {spec.files[split][0]}/ of class sub-folders"
    places = "\n  ".join(str(p) for p in looked)
    only = (f" (--data-dir {data_dir} is given, so only it is searched)" if data_dir is not None else "")
    return FileNotFoundError(
        f"data set {spec.name!r} ({split} split) not found{only}: looked for {wanted} in\n  {places}\n"
        f"How to get it: {spec.how_to_get}. Never replaced by random data.")


def find_dataset(name: str, split: str = "train", data_dir=None) -> list[Path]:
    """The files of data set `name`, `split`, in the first folder that holds all of them
    (IDX: [images, labels]; CIFAR-10 train: data_batch_1..5; otherwise the one pickle).

    Raises FileNotFoundError naming every folder looked at and how to get the data.
    """
    spec, split = _spec(name), _check_split(split)
    looked = _candidate_dirs(spec, data_dir)
    for folder in looked:
        files = _split_files(spec, folder, split)
        if files is not None:
            return files
    raise _not_found(spec, split, looked, data_dir)


# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------

def _read_bytes(path: Path) -> bytes:
    """All bytes of `path`, gunzipped when the name ends in .gz (a bad gzip stream → ValueError)."""
    if path.name.endswith(".gz"):
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read()
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{path}: not a complete gzip file ({exc}); re-download it") from None
    return path.read_bytes()


def read_idx(path, expect_ndim: int) -> np.ndarray:
    """One IDX file as a uint8 array of its stored shape.

    Layout: bytes 0–1 zero, byte 2 = 0x08 (unsigned byte), byte 3 = ndim, ndim big-endian uint32
    sizes, then prod(sizes) bytes. Any mismatch → ValueError naming the file.
    """
    path = Path(path)
    return _parse_idx(path, _read_bytes(path), expect_ndim).copy()


def _load_idx(spec: _Spec, files: list[Path]) -> ArrayDataset:
    img_path, lab_path = files
    images = read_idx(img_path, 3)
    labels = read_idx(lab_path, 1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{img_path} holds {images.shape[0]} images but {lab_path} holds "
                         f"{labels.shape[0]} labels; expected equal counts")
    if images.shape[1:] != (spec.size, spec.size):
        raise ValueError(f"{img_path}: images are {images.shape[1]}x{images.shape[2]}; expected "
                         f"{spec.size}x{spec.size} for {spec.name}")
    y = labels.astype(np.int64)
    if y.size and y.max() >= spec.num_classes:
        raise ValueError(f"{lab_path}: label {int(y.max())} out of range; expected 0..{spec.num_classes - 1}")
    return ArrayDataset(images[:, None, :, :], y, spec.name, spec.num_classes, img_path.parent,
                        files=tuple(files))


_SAFE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
    ("builtins", "bytearray"),
}


class _SafeUnpickler(pickle.Unpickler):
    """Builds only plain containers and numpy arrays; anything else is refused."""

    def find_class(self, module, name):
        if (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")


def _unpickle(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            obj = _SafeUnpickler(fh, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
            UnicodeDecodeError, KeyError, ImportError) as exc:
        raise ValueError(f"{path}: not a readable CIFAR pickle ({type(exc).__name__}: {exc})") from None
    if not isinstance(obj, dict):
        raise ValueError(f"{path}: pickle holds a {type(obj).__name__}; expected a dict with "
                         "'data' and labels")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}


def _load_cifar_batch(spec: _Spec, path: Path) -> tuple[np.ndarray, np.ndarray]:
    d = _unpickle(path)
    missing = [k for k in ("data", spec.label_key) if k not in d]
    if missing:
        raise ValueError(f"{path}: pickle lacks key(s) {missing}; has {sorted(map(str, d))}, "
                         f"expected 'data' and {spec.label_key!r}")
    data = d["data"]
    if isinstance(data, (bytes, bytearray)):
        data = np.frombuffer(data, dtype=np.uint8)
    data = np.asarray(data)
    row = spec.channels * spec.size * spec.size
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != row:
        raise ValueError(f"{path}: 'data' is {data.dtype} of shape {data.shape}; expected uint8 (n, {row})")
    try:
        labels = np.asarray(d[spec.label_key], dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {spec.label_key!r} is not a list of ints ({exc})") from None
    if labels.ndim != 1 or labels.shape[0] != data.shape[0]:
        raise ValueError(f"{path}: {labels.size} labels for {data.shape[0]} images; expected one per image")
    if labels.size and (labels.min() < 0 or labels.max() >= spec.num_classes):
        raise ValueError(f"{path}: labels span {int(labels.min())}..{int(labels.max())}; expected "
                         f"0..{spec.num_classes - 1}")
    return data.reshape(-1, spec.channels, spec.size, spec.size), labels


def _load_cifar(spec: _Spec, files: list[Path]) -> ArrayDataset:
    parts = [_load_cifar_batch(spec, p) for p in files]
    x = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0].copy()
    y = np.concatenate([p[1] for p in parts])
    return ArrayDataset(np.ascontiguousarray(x), y, spec.name, spec.num_classes, files[0].parent,
                        files=tuple(files))


def pairs100_indices(source_labels: np.ndarray, split: str, seed: int = PAIRS100_SEED,
                     per_class: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i0, i1, y) of the 100-class stand-in: image j is source item i0[j] as channel 0 and item
    i1[j] as channel 1, label y[j] = 10·label(i0[j]) + label(i1[j]).

    The rule (``rng = numpy.random.default_rng([seed, 0 for train | 1 for test])``, seed 0 in the
    definition): m = min(``per_class`` (default 500 train, 100 test), ⌊smallest source class / 10⌋)
    images per class. For channel role r = 0, then 1, and source class c = 0…9 in order: a
    permutation of c's items (ascending source index, ``rng.permutation``), its first 10·m split
    into 10 blocks of m; channel 0 of class 10a + b takes block b of a's role-0 permutation,
    channel 1 takes block a of b's role-1 permutation. So no source item appears twice in one
    channel role (the standard test split uses each of its 10,000 items exactly once per role).
    Finally the 100·m images are shuffled by ``rng.permutation``.
    """
    split = _check_split(split)
    y_src = np.asarray(source_labels, dtype=np.int64)
    rng = np.random.default_rng([int(seed), 0 if split == "train" else 1])
    members = [np.flatnonzero(y_src == c) for c in range(10)]
    cap = PAIRS100_PER_CLASS[split] if per_class is None else int(per_class)
    m = min(cap, min(len(mb) for mb in members) // 10)
    if m < 1:
        counts = [len(mb) for mb in members]
        raise ValueError(f"fashion-mnist-pairs100 needs >= 10 source items of each of the 10 classes; "
                         f"the {split} source has {counts}")
    blocks = np.empty((2, 10, 10, m), dtype=np.int64)       # role, source class, partner class, j
    for r in (0, 1):
        for c in range(10):
            blocks[r, c] = rng.permutation(members[c])[:10 * m].reshape(10, m)
    i0 = blocks[0].reshape(100 * m)                          # row 10a + b: blocks[0, a, b]
    i1 = blocks[1].transpose(1, 0, 2).reshape(100 * m)       # row 10a + b: blocks[1, b, a]
    y = np.repeat(np.arange(100, dtype=np.int64), m)
    order = rng.permutation(100 * m)
    return i0[order], i1[order], y[order]


def _load_pairs(spec: _Spec, files: list[Path], split: str) -> ArrayDataset:
    src = _load_idx(DATASETS["fashion-mnist"], files)
    i0, i1, y = pairs100_indices(src.y, split)
    x = np.zeros((y.shape[0], 2, 32, 32), dtype=np.uint8)
    x[:, 0, 2:30, 2:30] = src.x[i0, 0]
    x[:, 1, 2:30, 2:30] = src.x[i1, 0]
    return ArrayDataset(x, y, spec.name, spec.num_classes, src.source, files=src.files)


def _load_imagefolder(spec: _Spec, files: list[Path], split: str) -> ArrayDataset:
    from .imagefolder import find_classes, load_imagefolder

    root = files[0].parent
    classes = find_classes(root, "train") if (root / "train").is_dir() else None   # val indices = train's
    return load_imagefolder(root, spec.files[split][0], size=spec.size, classes=classes, name=spec.name)


def load_dataset(name: str, split: str = "train", data_dir=None) -> ArrayDataset:
    """Read data set `name` ('fashion-mnist', 'mnist', 'cifar10', 'cifar100',
    'fashion-mnist-pairs100', 'imagenet'), `split` 'train' or 'test' (ImageNet: val/), from the
    first place that holds it (see the module docstring).

    Returns an ArrayDataset with x (n, C, H, W) uint8 — (n, 1, 28, 28) for the MNIST sets,
    (n, 3, 32, 32) for CIFAR, (n, 2, 32, 32) for the pairs stand-in, (n, 3, 224, 224) for
    ImageNet (small folders only: all in memory) — and y (n,) int64.
    Raises FileNotFoundError (missing: every place looked at and how to get it) or ValueError
    (corrupt file: which file and what is wrong).
    """
    spec = _spec(name)
    files = find_dataset(name, split, data_dir)
    if spec.kind == "pairs":
        return _load_pairs(spec, files, split)
    if spec.kind == "imagefolder":
        return _load_imagefolder(spec, files, split)
    return _load_idx(spec, files) if spec.kind == "idx" else _load_cifar(spec, files)


# ---------------------------------------------------------------------------------------------
# Status (`workbench data`)
# ---------------------------------------------------------------------------------------------

# The standard sets' record counts (train, test), and for Fashion-MNIST the md5 of each file's
# *decompressed* bytes (computed from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1,
# whose .gz files are recompressed, so the archive checksums published upstream do not apply;
# the decompressed IDX bytes are the same as upstream's).
STANDARD_COUNTS = {"fashion-mnist": (60000, 10000), "mnist": (60000, 10000),
                   "cifar10": (50000, 10000), "cifar100": (50000, 10000),
                   "fashion-mnist-pairs100": (50000, 10000), "imagenet": (1281167, 50000)}
DECOMPRESSED_MD5 = {
    "fashion-mnist": {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    },
}

_VERIFIED: dict = {}          # (file stats, standard) -> result: a set is read once per process


def _idx_stem(path: Path) -> str:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    return name.replace(".idx", "-idx")


def _verify_split(spec: _Spec, files: list[Path], split: str, standard: bool) -> tuple[int, list[str]]:
    """(records, problems) of one split's files: every file read completely (gzip stream to its
    end, IDX magic, sizes, or the CIFAR pickle's structure), image and label counts equal;
    when the count is the standard one, the pinned md5s of the decompressed bytes; with
    ``standard`` a non-standard count is a problem too."""
    import hashlib

    problems, count = [], 0
    if spec.kind == "pairs":                 # verify the Fashion-MNIST source, count the pairs built
        src = DATASETS["fashion-mnist"]
        count, problems = _verify_split(src, files, split, False)
        if not problems:
            try:
                count = int(pairs100_indices(read_idx(files[1], 1), split)[2].shape[0])
            except ValueError as exc:
                problems.append(str(exc))
        if not problems and standard and count != STANDARD_COUNTS[spec.name][split == "test"]:
            problems.append(f"{spec.name} {split} split has {count} images; built from the standard "
                            f"Fashion-MNIST it has {STANDARD_COUNTS[spec.name][split == 'test']}")
        return count, problems
    if spec.kind == "imagefolder":
        from .imagefolder import list_images

        try:
            count = len(list_images(files[0].parent, files[0].name))
        except (ValueError, FileNotFoundError) as exc:
            return 0, [str(exc)]
        if standard and count != STANDARD_COUNTS[spec.name][split == "test"]:
            problems.append(f"{spec.name} {split} split has {count} images; ILSVRC-2012 has "
                            f"{STANDARD_COUNTS[spec.name][split == 'test']}")
        return count, problems
    try:
        if spec.kind == "idx":
            img, lab = files
            raw = {p: _read_bytes(p) for p in files}
            arrs = {}
            for p, ndim in ((img, 3), (lab, 1)):
                arrs[p] = _parse_idx(p, raw[p], ndim)
            count = int(arrs[img].shape[0])
            if arrs[lab].shape[0] != count:
                problems.append(f"{img} holds {count} images but {lab} holds {arrs[lab].shape[0]} labels")
            pins = DECOMPRESSED_MD5.get(spec.name, {})
            if count == STANDARD_COUNTS[spec.name][split == "test"]:
                for p in files:
                    want = pins.get(_idx_stem(p))
                    got = hashlib.md5(raw[p]).hexdigest()
                    if want is not None and got != want:
                        problems.append(f"{p}: md5 of the decompressed bytes is {got}, expected {want} "
                                        "(damaged or altered file; re-download it)")
                    for other, other_pins in DECOMPRESSED_MD5.items():     # same file names, other set
                        if other != spec.name and got == other_pins.get(_idx_stem(p)):
                            problems.append(f"{p} is {other}'s file (md5), not {spec.name}'s")
        else:
            count = sum(int(_load_cifar_batch(spec, p)[1].shape[0]) for p in files)
    except ValueError as exc:
        problems.append(str(exc))
    except OSError as exc:
        problems.append(f"{exc.filename or files[0]}: cannot be read ({exc.strerror or exc})")
    if not problems and standard and count != STANDARD_COUNTS[spec.name][split == "test"]:
        problems.append(f"{spec.name} {split} split has {count} records; the standard set has "
                        f"{STANDARD_COUNTS[spec.name][split == 'test']} (not the standard files)")
    return count, problems


def _parse_idx(path: Path, raw: bytes, expect_ndim: int) -> np.ndarray:
    """The header checks of :func:`read_idx` on bytes already read (no copy of the body)."""
    if len(raw) < 4:
        raise ValueError(f"{path}: {len(raw)} bytes, too short for an IDX header (expected ≥ 4)")
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: bad IDX magic {raw[:4].hex()}; expected 0000 08{expect_ndim:02x} "
                         "(unsigned-byte IDX)")
    if raw[3] != expect_ndim:
        raise ValueError(f"{path}: IDX file has {raw[3]} dimensions; expected {expect_ndim}")
    header = 4 + 4 * expect_ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, expected {header})")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=expect_ndim, offset=4))
    need = header + int(np.prod(dims, dtype=np.int64))
    if len(raw) != need:
        what = "truncated" if len(raw) < need else "has trailing bytes"
        raise ValueError(f"{path}: {what}: {len(raw)} bytes for sizes {dims}; expected {need}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def verify_dataset(name: str, data_dir=None, standard: bool = False) -> dict:
    """Find and check data set ``name`` (both splits) without keeping it in memory.

    Returns {"name", "present" (files of both splits found), "ok" (present and no problem),
    "path" (folder or None), "files" (paths read), "records" ({split: n}), "problems" (one line
    each), "looked" (folders searched when absent), "how"}. ``standard=True`` (``workbench
    data``) also requires the standard record counts. Results are kept per process, keyed by
    the files' size and mtime.
    """
    spec = _spec(name)
    looked = _candidate_dirs(spec, data_dir)
    found = {}
    for split in ("train", "test"):
        for cand in looked:
            files = _split_files(spec, cand, split)
            if files is not None:
                found[split] = files
                break
    row = {"name": name, "present": len(found) == 2, "ok": False,
           "path": str(found["train"][0].parent) if "train" in found else None,
           "files": [str(p) for s in found.values() for p in s], "records": {}, "problems": [],
           "looked": [str(p) for p in looked], "how": spec.how_to_get, "note": spec.note}
    missing = [s for s in ("train", "test") if s not in found]
    if missing:
        row["path"] = None if len(missing) == 2 else row["path"]
        places = ", ".join(str(p) for p in search_places(data_dir))
        subs = ", ".join(f"{s}/" for s in spec.subfolders)
        only = " (only --data-dir, as it is given)" if data_dir is not None else ""
        row["problems"].append(
            f"{name} ({' and '.join(missing)} split{'s' if len(missing) > 1 else ''}) not found{only}: "
            f"looked in {places} (each also in {subs}); get it: {spec.how_to_get}")
        return row
    for split, files in found.items():
        key = (name, tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files), split, standard)
        if key not in _VERIFIED:
            _VERIFIED[key] = _verify_split(spec, files, split, standard)
        count, problems = _VERIFIED[key]
        row["records"][split] = count
        row["problems"] += problems
    row["ok"] = not row["problems"]
    return row


def data_problems(names, data_dir=None) -> list[str]:
    """One line per problem of the data sets ``names`` (missing, truncated, wrong magic, count
    or checksum), each saying what, where it was looked for and how to get it; [] when all are
    usable."""
    out = []
    for name in dict.fromkeys(names):
        out += verify_dataset(name, data_dir)["problems"]
    return out


def dataset_status(data_dir=None) -> list[dict]:
    """One dict per data set (:func:`verify_dataset` with the standard counts): name, present
    (both splits found), ok (verified), path (the folder, or None), problems, looked (the
    folders searched), how (how to get it)."""
    return [verify_dataset(name, data_dir, standard=True) for name in DATASETS]


# ---------------------------------------------------------------------------------------------
# Synthetic files in the real formats (tests, `smoke` preset)
# ---------------------------------------------------------------------------------------------

def _synthetic_images(rng: np.random.Generator, labels: np.ndarray, channels: int, size: int,
                      num_classes: int) -> np.ndarray:
    """(n, C, size, size) uint8: noise plus a bright square whose position encodes the class,
    so a network can learn something from them in a few steps."""
    n = labels.shape[0]
    x = rng.integers(0, 96, size=(n, channels, size, size), dtype=np.uint8)
    cells = int(np.ceil(np.sqrt(num_classes)))
    step = size // cells
    side = max(step // 2, 1)
    for i, c in enumerate(labels):
        r0, c0 = (int(c) // cells) * step, (int(c) % cells) * step
        x[i, :, r0:r0 + side, c0:c0 + side] = 255
    return x


def _balanced_labels(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return rng.permutation(np.arange(n) % k).astype(np.int64)


def _idx_bytes(arr: np.ndarray) -> bytes:
    head = bytes([0, 0, 0x08, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    return head + np.ascontiguousarray(arr, dtype=np.uint8).tobytes()


def write_idx(path, arr: np.ndarray, compress: bool | None = None) -> Path:
    """Write uint8 `arr` as an IDX file; gzipped when `compress` (default: name ends in .gz)."""
    path = Path(path)
    payload = _idx_bytes(np.asarray(arr, dtype=np.uint8))
    if compress is None:
        compress = path.name.endswith(".gz")
    if compress:
        # mtime=0: identical bytes for identical arrays
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            fh.write(payload)
    else:
        path.write_bytes(payload)
    return path


def write_synthetic(name: str, root, n_train: int = 64, n_test: int = 32, seed: int = 0,
                    compress: bool = True) -> Path:
    """Write tiny valid files of data set `name` under ``root/<set folder>/`` and return that folder.

    IDX sets get ``*-ubyte.gz`` (``compress=True``) or plain ``*-ubyte`` files; CIFAR-10 gets
    ``data_batch_1..5`` (n_train split over the five) and ``test_batch``; CIFAR-100 ``train``,
    ``test`` (with fine and coarse labels). ``load_dataset(name, data_dir=root)`` reads them back.
    Labels are class-balanced (n mod K), shuffled; images are noise plus a class-coded square.
    For tests and the ``smoke`` preset only: never used in place of a missing data set.
    """
    spec = _spec(name)
    if spec.kind == "pairs":         # the stand-in is built from Fashion-MNIST files: write those
        for label, v in (("n_train", n_train), ("n_test", n_test)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{label} must be a positive int, got {v!r}")
        # 100·⌈n/100⌉ source items (10 per class per 100) give ⌈n/100⌉ images per stand-in class
        return write_synthetic("fashion-mnist", root, 100 * -(-int(n_train) // 100),
                               100 * -(-int(n_test) // 100), seed, compress)
    if spec.kind == "imagefolder":
        return _write_synthetic_imagefolder(spec, root, n_train, n_test, seed)
    for label, v in (("n_train", n_train), ("n_test", n_test), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < (0 if label == "seed" else 1):
            raise ValueError(f"{label} must be a {'non-negative' if label == 'seed' else 'positive'} int, "
                             f"got {v!r}")
    if spec.kind == "cifar" and name == "cifar10" and n_train < 5:
        raise ValueError(f"n_train must be ≥ 5 for cifar10 (one image per data_batch file), got {n_train}")
    rng = np.random.default_rng(seed)
    folder = Path(root) / spec.subfolders[0]
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("test", n_test)):
        y = _balanced_labels(rng, int(n), spec.num_classes)
        x = _synthetic_images(rng, y, spec.channels, spec.size, spec.num_classes)
        if spec.kind == "idx":
            img_name, lab_name = spec.files[split]
            ext = ".gz" if compress else ""
            write_idx(folder / (img_name + ext), x[:, 0], compress)
            write_idx(folder / (lab_name + ext), y.astype(np.uint8), compress)
            continue
        flat = x.reshape(x.shape[0], -1)
        fnames = spec.files[split]
        for fname, idx in zip(fnames, np.array_split(np.arange(x.shape[0]), len(fnames))):
            d = {b"batch_label": f"synthetic {split} {fname}".encode(),
                 b"data": flat[idx],
                 b"filenames": [f"synthetic_{i}.png".encode() for i in idx]}
            if name == "cifar10":
                d[b"labels"] = [int(v) for v in y[idx]]
            else:
                d[b"fine_labels"] = [int(v) for v in y[idx]]
                d[b"coarse_labels"] = [int(v) // 5 for v in y[idx]]
            with open(folder / fname, "wb") as fh:
                pickle.dump(d, fh, protocol=2)
    return folder


def _write_synthetic_imagefolder(spec: _Spec, root, n_train: int, n_test: int, seed: int,
                                 classes: int = 10, width: int = 40, height: int = 36) -> Path:
    """``root/<set>/{train,val}/class_KKK/img_NNNNN.png``: ``classes`` class folders (fewer than
    the real 1000: a smoke set), RGB noise plus a class-coded square, width × height pixels."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder = Path(root) / spec.subfolders[0]
    for split, n in (("train", n_train), ("test", n_test)):
        y = _balanced_labels(rng, int(n), classes)
        x = _synthetic_images(rng, y, 3, max(width, height), classes)[:, :, :height, :width]
        for c in range(classes):
            (folder / spec.files[split][0] / f"class_{c:03d}").mkdir(parents=True, exist_ok=True)
        for i, (img, c) in enumerate(zip(x, y)):
            Image.fromarray(np.ascontiguousarray(img.transpose(1, 2, 0))).save(
                folder / spec.files[split][0] / f"class_{int(c):03d}" / f"img_{i:05d}.png")
    return folder


# ---------------------------------------------------------------------------------------------
# Subsets and normalisation
# ---------------------------------------------------------------------------------------------

def _stratified_counts(class_counts: np.ndarray, n: int) -> np.ndarray:
    """Per-class sample counts summing to n, proportional to class_counts (largest remainder,
    ties to the lower class index), never more than a class holds."""
    total = int(class_counts.sum())
    quota = class_counts * (n / total)
    counts = np.minimum(np.floor(quota).astype(np.int64), class_counts)
    rest = n - int(counts.sum())
    order = np.argsort(-(quota - counts), kind="stable")
    while rest > 0:
        for c in order:
            if rest == 0:
                break
            if counts[c] < class_counts[c]:
                counts[c] += 1
                rest -= 1
    return counts


def subset(ds: ArrayDataset, n: int, seed: int) -> ArrayDataset:
    """A class-stratified random subset of `n` samples, deterministic for `seed`.

    Each class contributes in proportion to its frequency (largest-remainder rounding); within a
    class the samples are drawn without replacement by a Generator made from `seed`. The kept
    samples stay in their original order. x (n, C, H, W), y (n,).
    """
    if not isinstance(ds, ArrayDataset):
        raise ValueError(f"subset expects an ArrayDataset, got {type(ds).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= len(ds):
        raise ValueError(f"subset size n must be an int in 1..{len(ds)} (the data set size), got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int, got {seed!r}")
    rng = np.random.default_rng(seed)
    class_counts = np.bincount(ds.y, minlength=ds.num_classes)
    counts = _stratified_counts(class_counts, int(n))
    keep = []
    for c in range(ds.num_classes):
        if counts[c]:
            members = np.flatnonzero(ds.y == c)
            keep.append(rng.choice(members, size=int(counts[c]), replace=False))
    idx = np.sort(np.concatenate(keep))
    return ArrayDataset(ds.x[idx], ds.y[idx], ds.name, ds.num_classes, ds.source, ds.files)


def normalization(name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(mean, std) per channel of the training images scaled to [0, 1], for data set `name`.

    For a synthetic or unknown set use :func:`channel_statistics` on the data itself.
    """
    spec = _spec(name)
    return spec.mean, spec.std


def channel_statistics(ds: ArrayDataset) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and population std (ddof 0) of ds.x / 255 over all images and pixels,
    in float64 (accumulated per image block to bound memory)."""
    c = ds.x.shape[1]
    s1 = np.zeros(c)
    s2 = np.zeros(c)
    count = 0
    for start in range(0, len(ds), 4096):
        block = ds.x[start:start + 4096].astype(np.float64) / 255.0
        s1 += block.sum(axis=(0, 2, 3))
        count += block.shape[0] * block.shape[2] * block.shape[3]
    mean = s1 / count
    for start in range(0, len(ds), 4096):
        block = ds.x[start:start + 4096].astype(np.float64) / 255.0
        s2 += ((block - mean[None, :, None, None]) ** 2).sum(axis=(0, 2, 3))
    std = np.sqrt(s2 / count)
    return tuple(float(v) for v in mean), tuple(float(v) for v in std)


def to_tensors(ds: ArrayDataset, normalize: bool | tuple = True, dtype=None):
    """(x, y) as torch tensors: x (n, C, H, W) float (default float32) = (pixel/255 − mean)/std
    per channel, y (n,) int64.

    normalize: True → ``normalization(ds.name)`` (or the data's own statistics when the name is
    not a known set); False → pixel/255 only; a (mean, std) pair → that pair.
    """
    import torch

    dtype = torch.float32 if dtype is None else dtype
    x = torch.from_numpy(ds.x).to(dtype).div_(255.0)
    if normalize is True:
        mean, std = normalization(ds.name) if ds.name in DATASETS else channel_statistics(ds)
    elif normalize is False:
        mean = std = None
    else:
        try:
            mean, std = normalize
        except (TypeError, ValueError):
            raise ValueError(f"normalize must be True, False or a (mean, std) pair, got {normalize!r}") from None
    if mean is not None:
        c = ds.x.shape[1]
        mean_t = torch.as_tensor(mean, dtype=dtype).reshape(-1)
        std_t = torch.as_tensor(std, dtype=dtype).reshape(-1)
        if mean_t.numel() != c or std_t.numel() != c or bool((std_t <= 0).any()):
            raise ValueError(f"normalization needs {c} means and {c} positive stds; got {mean!r}, {std!r}")
        x = (x - mean_t.view(1, c, 1, 1)) / std_t.view(1, c, 1, 1)
    return x, torch.from_numpy(ds.y.copy())
