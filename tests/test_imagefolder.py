"""ImageNet-folder loader (analysis.nets.imagefolder) on a tiny synthetic folder made here."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from analysis.nets import imagefolder as IF


def make_folder(root, classes=("n01", "n02", "n03"), per=2, sizes=((40, 30), (24, 48))):
    rng = np.random.default_rng(0)
    for split in ("train", "val"):
        for k, c in enumerate(classes):
            d = root / split / c
            d.mkdir(parents=True)
            for j in range(per):
                w, h = sizes[j % len(sizes)]
                a = np.full((h, w, 3), 40 * k, dtype=np.uint8) + rng.integers(0, 5, (h, w, 3), dtype=np.uint8)
                ext = ".JPEG" if j % 2 == 0 else ".png"
                Image.fromarray(a).save(d / f"img{j}{ext}", quality=95)
            (d / "notes.txt").write_text("not an image")
    (root / "train" / ".hidden").mkdir()
    return root


def test_classes_and_listing(tmp_path):
    make_folder(tmp_path)
    assert IF.find_classes(tmp_path, "train") == ["n01", "n02", "n03"]
    items = IF.list_images(tmp_path, "train")
    assert len(items) == 6 and [k for _, k in items] == [0, 0, 1, 1, 2, 2]
    assert all(p.suffix.lower() in IF.IMAGE_EXTENSIONS for p, _ in items)


def test_load_array_dataset(tmp_path):
    make_folder(tmp_path)
    ds = IF.load_imagefolder(tmp_path, "val", size=16)
    assert ds.x.shape == (6, 3, 16, 16) and ds.x.dtype == np.uint8 and ds.num_classes == 3
    np.testing.assert_array_equal(ds.y, [0, 0, 1, 1, 2, 2])
    # class k was painted 40·k (+ noise < 5; JPEG adds a little): the mean pixel tells the class
    means = ds.x.reshape(6, -1).mean(axis=1)
    np.testing.assert_allclose(means, 40 * ds.y + 2, atol=3)


def test_lazy_dataset_train_and_eval(tmp_path):
    torch = pytest.importorskip("torch")
    make_folder(tmp_path)
    tr = IF.ImageFolderDataset(tmp_path, "train", train=True, size=16, seed=3)
    x, y = tr[2]
    assert x.shape == (3, 16, 16) and x.dtype == torch.float32 and y == 1
    x2, _ = tr[2]
    assert torch.equal(x, x2)                      # same (seed, epoch, index): same augmentation
    ev = IF.ImageFolderDataset(tmp_path, "val", train=False, size=16, classes=tr.classes)
    assert len(ev) == 6 and ev[5][1] == 2
    loader = torch.utils.data.DataLoader(ev, batch_size=4)
    xb, yb = next(iter(loader))
    assert xb.shape == (4, 3, 16, 16) and yb.tolist() == [0, 0, 1, 1]


def test_random_resized_crop_box_within_image():
    rng = np.random.default_rng(0)
    for w, h in [(100, 50), (30, 300), (64, 64)]:
        for _ in range(50):
            left, top, cw, ch = IF.random_resized_crop_box(w, h, rng)
            assert 0 <= left and 0 <= top and left + cw <= w and top + ch <= h and cw > 0 and ch > 0


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        IF.find_classes(tmp_path, "train")
    (tmp_path / "train").mkdir()
    with pytest.raises(ValueError, match="no class sub-folders"):
        IF.find_classes(tmp_path, "train")
    (tmp_path / "train" / "a").mkdir()
    (tmp_path / "train" / "a" / "x.txt").write_text("x")
    with pytest.raises(ValueError, match="holds no"):
        IF.list_images(tmp_path, "train")
    (tmp_path / "train" / "a" / "bad.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="cannot decode"):
        IF.load_imagefolder(tmp_path, "train", size=8)


# --- `imagenet` as a data set of the loaders (analysis.nets.data) ---------------------------------

def test_imagenet_is_a_data_set_of_the_loaders(tmp_path, monkeypatch):
    from analysis.nets import data as D

    monkeypatch.setattr(D, "_default_places", lambda: [tmp_path / "none"])
    monkeypatch.delenv("WORKBENCH_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="(?s)imagenet.*ILSVRC-2012"):
        D.load_dataset("imagenet", "train", tmp_path)
    make_folder(tmp_path / "imagenet")
    assert D.find_dataset("imagenet", "test", tmp_path) == [tmp_path / "imagenet" / "val"]
    tr = D.load_dataset("imagenet", "train", tmp_path)
    te = D.load_dataset("imagenet", "test", tmp_path)
    assert tr.x.shape == (6, 3, 224, 224) and te.x.shape == (6, 3, 224, 224)
    assert tr.name == "imagenet" and tr.num_classes == 3 and te.y.tolist() == [0, 0, 1, 1, 2, 2]
    assert D.normalization("imagenet") == (IF.IMAGENET_MEAN, IF.IMAGENET_STD)
    row = D.verify_dataset("imagenet", tmp_path)
    assert row["ok"] and row["records"] == {"train": 6, "test": 6}
    std = D.verify_dataset("imagenet", tmp_path, standard=True)
    assert not std["ok"] and "ILSVRC-2012 has 1281167" in std["problems"][0]
    assert D.data_problems(["imagenet"], tmp_path) == []
    # a bare train/ folder in a search place is not taken for ImageNet (only imagenet/ sub-folders)
    make_folder(tmp_path / "other")
    with pytest.raises(FileNotFoundError):
        D.find_dataset("imagenet", "train", tmp_path / "other")


def test_imagenet_synthetic_folder_round_trip(tmp_path):
    from analysis.nets import data as D

    folder = D.write_synthetic("imagenet", tmp_path, n_train=20, n_test=10)
    assert folder == tmp_path / "imagenet"
    tr = D.load_dataset("imagenet", "train", tmp_path)
    te = D.load_dataset("imagenet", "test", tmp_path)
    assert len(tr) == 20 and len(te) == 10 and tr.num_classes == te.num_classes == 10
    assert np.bincount(tr.y, minlength=10).tolist() == [2] * 10
