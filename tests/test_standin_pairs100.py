"""The 100-class stand-in ``fashion-mnist-pairs100`` (issue 16 §4): two Fashion-MNIST items as the
two channels of one 32×32 image, label 10·a + b, 500/100 images per class, fixed by seed 0.

Synthetic Fashion-MNIST-format source files made here check the rule (class balance, shapes,
label rule, pixels, determinism, missing source); the real Fashion-MNIST, when installed, checks
the full-size set against pinned checksums."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from analysis.nets import data as D

NAME = "fashion-mnist-pairs100"



def _source(root, n_train=300, n_test=200):
    D.write_synthetic("fashion-mnist", root, n_train=n_train, n_test=n_test, seed=5)
    return root


def test_spec():
    spec = D.DATASETS[NAME]
    assert (spec.num_classes, spec.channels, spec.size) == (100, 2, 32)
    assert D.PAIRS100_SEED == 0 and D.PAIRS100_PER_CLASS == {"train": 500, "test": 100}
    mean, std = D.normalization(NAME)
    assert len(mean) == len(std) == 2
    assert "never CIFAR-100" in spec.note and "Fashion-MNIST" in spec.how_to_get


@pytest.mark.parametrize("split", ["train", "test"])
def test_label_rule_pixels_balance_and_padding(isolated, split):
    root = _source(isolated / "d")
    src = D.load_dataset("fashion-mnist", split, root)
    ds = D.load_dataset(NAME, split, root)
    m = min(np.bincount(src.y, minlength=10)) // 10          # 30 or 20 per class → 3 or 2
    assert ds.x.shape == (100 * m, 2, 32, 32) and ds.x.dtype == np.uint8 and ds.num_classes == 100
    assert np.bincount(ds.y, minlength=100).tolist() == [m] * 100
    i0, i1, y = D.pairs100_indices(src.y, split)
    np.testing.assert_array_equal(y, ds.y)
    np.testing.assert_array_equal(ds.y, 10 * src.y[i0] + src.y[i1])         # label 10·a + b
    np.testing.assert_array_equal(ds.x[:, 0, 2:30, 2:30], src.x[i0, 0])     # 28×28, padded by 2
    np.testing.assert_array_equal(ds.x[:, 1, 2:30, 2:30], src.x[i1, 0])
    border = ds.x.copy()
    border[:, :, 2:30, 2:30] = 0
    assert not border.any()
    for idx in (i0, i1):                       # no source item twice in one channel role
        assert len(np.unique(idx)) == len(idx)


def test_determinism_and_split_streams(isolated):
    root = _source(isolated / "d")
    a = D.load_dataset(NAME, "train", root)
    b = D.load_dataset(NAME, "train", root)
    assert a.x.tobytes() == b.x.tobytes() and a.y.tobytes() == b.y.tobytes()
    y = np.repeat(np.arange(10), 100)
    tr, te = D.pairs100_indices(y, "train"), D.pairs100_indices(y, "test")
    assert not np.array_equal(tr[0], te[0])                  # each split its own stream
    other = D.pairs100_indices(y, "train", seed=1)
    assert not np.array_equal(tr[0], other[0])               # the seed matters (it is fixed at 0)


def test_standard_size_source_rule():
    """Fashion-MNIST's sizes (6,000 / 1,000 per class): 500 / 100 per class; the test split uses
    each source item exactly once per channel role."""
    rng = np.random.default_rng(0)
    for split, per_src, per in (("train", 6000, 500), ("test", 1000, 100)):
        y_src = rng.permutation(np.repeat(np.arange(10), per_src))
        i0, i1, y = D.pairs100_indices(y_src, split)
        assert len(y) == 100 * per and np.bincount(y, minlength=100).tolist() == [per] * 100
        np.testing.assert_array_equal(y, 10 * y_src[i0] + y_src[i1])
        assert len(np.unique(i0)) == len(i0) and len(np.unique(i1)) == len(i1)
        if split == "test":
            assert sorted(i0.tolist()) == list(range(10000)) == sorted(i1.tolist())
    with pytest.raises(ValueError, match="needs >= 10 source items"):
        D.pairs100_indices(np.arange(10).repeat(9), "train")


def test_missing_source_names_fashion_mnist(isolated):
    with pytest.raises(FileNotFoundError) as err:
        D.load_dataset(NAME, "train")
    msg = str(err.value)
    assert "Fashion-MNIST" in msg and "train-images-idx3-ubyte" in msg and NAME in msg
    row = D.verify_dataset(NAME)
    assert not row["present"] and "Fashion-MNIST" in row["problems"][0]


def test_synthetic_preset_and_subset(isolated):
    folder = D.write_synthetic(NAME, isolated / "s", n_train=64, n_test=32)
    assert folder == isolated / "s" / "fashion-mnist"                  # the source files
    tr = D.load_dataset(NAME, "train", isolated / "s")
    te = D.load_dataset(NAME, "test", isolated / "s")
    assert len(tr) == 100 and len(te) == 100                            # ⌈n/100⌉ per class
    root = _source(isolated / "d", n_train=1000, n_test=200)
    ds = D.load_dataset(NAME, "train", root)                          # 10 per class
    sub = D.subset(ds, 300, seed=3)
    assert np.bincount(sub.y, minlength=100).tolist() == [3] * 100      # subsets stay balanced
    assert D.subset(ds, 300, seed=3).x.tobytes() == sub.x.tobytes()
    row = D.verify_dataset(NAME, root)
    assert row["ok"] and row["records"] == {"train": 1000, "test": 200}
    assert not D.verify_dataset(NAME, root, standard=True)["ok"]


def test_trainer_load_data(isolated):
    from analysis.nets.config import TrainConfig
    from analysis.nets.train import load_data

    cfg = TrainConfig(dataset=NAME, synthetic={"n_train": 200, "n_test": 100}, train_subset=100,
                      test_subset=50)
    tr, te = load_data(cfg, out=isolated / "out")
    assert tuple(tr.x.shape) == (100, 2, 32, 32) and tr.num_classes == 100
    assert np.bincount(tr.y.numpy(), minlength=100).tolist() == [1] * 100
    assert tuple(te.x.shape) == (50, 2, 32, 32)


# --- the real data set (when Fashion-MNIST is installed) -----------------------------------------

def _real():
    try:
        return D.find_dataset("fashion-mnist", "train")[0].parent
    except FileNotFoundError:
        return None


needs_real = pytest.mark.skipif(_real() is None, reason="real Fashion-MNIST not installed")

#: sha256 of the first 100 labels (int64 bytes) and the sum of all pixels, per split
PINNED = {
    "train": ("3d57e28e5e473bfbce3609ea2feaf8f1d412cb6408c33bd9372b50db1fd7b975", 5721485369),
    "test": ("97694cbda19815711f16eaddcf7beb829217ec43d4b4b25f32345ff56fea9f05", 1146938164),
}


@needs_real
@pytest.mark.parametrize("split", ["train", "test"])
def test_real_pairs100_pinned(split):
    ds = D.load_dataset(NAME, split)
    per = D.PAIRS100_PER_CLASS[split]
    assert ds.x.shape == (100 * per, 2, 32, 32)
    assert np.bincount(ds.y, minlength=100).tolist() == [per] * 100
    labels_sha, pixel_sum = PINNED[split]
    assert hashlib.sha256(ds.y[:100].astype(np.int64).tobytes()).hexdigest() == labels_sha
    assert int(ds.x.sum(dtype=np.int64)) == pixel_sum


@needs_real
@pytest.mark.slow
def test_real_pairs100_normalization_constants():
    """The spec's per-channel mean/std (4 digits) are the built training split's."""
    mean, std = D.channel_statistics(D.load_dataset(NAME, "train"))
    ref_mean, ref_std = D.normalization(NAME)
    np.testing.assert_allclose(mean, ref_mean, atol=5e-5)
    np.testing.assert_allclose(std, ref_std, atol=5e-5)


@needs_real
def test_real_pairs100_verifies():
    row = D.verify_dataset(NAME, standard=True)
    assert row["ok"], row["problems"]
    assert row["records"] == {"train": 50000, "test": 10000}
