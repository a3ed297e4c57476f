"""Data loaders: tiny files in every real format written by the tests, corrupt and missing files,
search order, subsets, normalisation, and the real Fashion-MNIST when it is installed."""
from __future__ import annotations

import gzip
import os
import pickle
import re
import struct
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from analysis.nets import data as D
from workbench.data_cmd import cli_data

IDX_SETS = ("fashion-mnist", "mnist")
CIFAR_SETS = ("cifar10", "cifar100")



# --- an independent IDX reader (struct, no numpy frombuffer) to compare the loader with ---------

def _idx_by_struct(path: Path) -> tuple[tuple[int, ...], bytes]:
    raw = gzip.open(path, "rb").read() if path.name.endswith(".gz") else path.read_bytes()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and dtype == 8
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return dims, raw[4 + 4 * ndim:]


# --- round trips in every format ----------------------------------------------------------------

@pytest.mark.parametrize("compress", [True, False], ids=["gz", "plain"])
@pytest.mark.parametrize("name", IDX_SETS)
def test_idx_round_trip(isolated, name, compress):
    folder = D.write_synthetic(name, isolated / "d", n_train=40, n_test=20, seed=3, compress=compress)
    ext = ".gz" if compress else ""
    assert (folder / f"train-images-idx3-ubyte{ext}").is_file()
    for split, n in (("train", 40), ("test", 20)):
        ds = D.load_dataset(name, split, data_dir=isolated / "d")
        assert ds.x.shape == (n, 1, 28, 28) and ds.x.dtype == np.uint8
        assert ds.y.shape == (n,) and ds.y.dtype == np.int64
        assert ds.num_classes == 10 and ds.name == name and ds.source == folder
        prefix = "train" if split == "train" else "t10k"
        dims, body = _idx_by_struct(folder / f"{prefix}-images-idx3-ubyte{ext}")
        assert dims == (n, 28, 28)
        assert bytes(ds.x.reshape(-1)) == body
        dims, body = _idx_by_struct(folder / f"{prefix}-labels-idx1-ubyte{ext}")
        assert dims == (n,) and list(body) == ds.y.tolist()
        assert np.bincount(ds.y, minlength=10).max() - np.bincount(ds.y, minlength=10).min() <= 1


@pytest.mark.parametrize("name", CIFAR_SETS)
def test_cifar_round_trip(isolated, name):
    folder = D.write_synthetic(name, isolated, n_train=30, n_test=12, seed=1)
    k = 10 if name == "cifar10" else 100
    train = D.load_dataset(name, "train", data_dir=isolated)
    test = D.load_dataset(name, "test", data_dir=isolated)
    assert train.x.shape == (30, 3, 32, 32) and test.x.shape == (12, 3, 32, 32)
    assert train.num_classes == k and train.y.max() < k
    # independent read: plain pickle of each file, channel-major rows
    files = [f"data_batch_{i}" for i in range(1, 6)] if name == "cifar10" else ["train"]
    key = b"labels" if name == "cifar10" else b"fine_labels"
    rows, labels = [], []
    for f in files:
        with open(folder / f, "rb") as fh:
            d = pickle.load(fh, encoding="bytes")
        rows.append(d[b"data"])
        labels += d[key]
    rows = np.concatenate(rows)
    assert np.array_equal(train.x[:, 0].reshape(30, -1), rows[:, :1024])      # red plane
    assert np.array_equal(train.x[:, 2].reshape(30, -1), rows[:, 2048:])      # blue plane
    assert train.y.tolist() == labels


def test_cifar_str_keys_and_numpy_pickle_accepted(isolated):
    """Pickles written by Python 3 with str keys (not the official bytes keys) load too."""
    folder = isolated / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i, f in enumerate([f"data_batch_{j}" for j in range(1, 6)] + ["test_batch"]):
        d = {"data": rng.integers(0, 256, (3, 3072), dtype=np.uint8), "labels": [i % 10, 1, 2]}
        (folder / f).write_bytes(pickle.dumps(d, protocol=4))
    ds = D.load_dataset("cifar10", "train", isolated)
    assert ds.x.shape == (15, 3, 32, 32) and ds.y[:3].tolist() == [0, 1, 2]


def test_cifar_legacy_numpy_module_name(isolated):
    """The official CIFAR pickles (Python 2, numpy 1) name ``numpy.core.multiarray._reconstruct``;
    numpy 2 writes ``numpy._core``: both are accepted by the restricted unpickler."""
    folder = D.write_synthetic("cifar10", isolated, n_train=10, n_test=4, seed=0)
    raw = (folder / "test_batch").read_bytes()
    legacy = raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"numpy.core.multiarray" in legacy
    (folder / "test_batch").write_bytes(legacy)
    ds = D.load_dataset("cifar10", "test", isolated)
    assert ds.x.shape == (4, 3, 32, 32)


def test_synthetic_is_deterministic(tmp_path):
    a = D.write_synthetic("fashion-mnist", tmp_path / "a", seed=5)
    b = D.write_synthetic("fashion-mnist", tmp_path / "b", seed=5)
    c = D.write_synthetic("fashion-mnist", tmp_path / "c", seed=6)
    for f in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert (a / f).read_bytes() == (b / f).read_bytes()
    assert (a / "train-images-idx3-ubyte.gz").read_bytes() != (c / "train-images-idx3-ubyte.gz").read_bytes()


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=4), seed=st.integers(0, 2**31),
       compress=st.booleans())
def test_write_read_idx_property(tmp_path_factory, shape, seed, compress):
    arr = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    path = tmp_path_factory.mktemp("idx") / ("a.gz" if compress else "a")
    D.write_idx(path, arr)
    back = D.read_idx(path, len(shape))
    assert back.shape == arr.shape and np.array_equal(back, arr)
    dims, body = _idx_by_struct(path)
    assert dims == tuple(shape) and body == arr.tobytes()


# --- corrupt files ------------------------------------------------------------------------------

def _fmnist(isolated, compress=False) -> Path:
    return D.write_synthetic("fashion-mnist", isolated / "d", n_train=20, n_test=10, compress=compress)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b"\x08\x03" + b[2:], "bad IDX magic"),
    (lambda b: b[:2] + b"\x09" + b[3:], "bad IDX magic"),
    (lambda b: b[:3] + b"\x02" + b[4:], "2 dimensions; expected 3"),
    (lambda b: b[:-7], "truncated"),
    (lambda b: b + b"\x00\x01", "trailing bytes"),
    (lambda b: b[:6], "truncated IDX header"),
    (lambda b: b[:2], "too short"),
])
def test_corrupt_idx_images(isolated, damage, message):
    folder = _fmnist(isolated)
    path = folder / "train-images-idx3-ubyte"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=message) as err:
        D.load_dataset("fashion-mnist", "train", isolated / "d")
    assert str(path) in str(err.value)


def test_truncated_gzip(isolated):
    folder = _fmnist(isolated, compress=True)
    path = folder / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ValueError, match="gzip") as err:
        D.load_dataset("fashion-mnist", "train", isolated / "d")
    assert str(path) in str(err.value)


def test_idx_count_mismatch_and_label_range(isolated):
    folder = _fmnist(isolated)
    D.write_idx(folder / "train-labels-idx1-ubyte", np.zeros(19, np.uint8))
    with pytest.raises(ValueError, match="20 images but .* 19 labels"):
        D.load_dataset("fashion-mnist", "train", isolated / "d")
    D.write_idx(folder / "train-labels-idx1-ubyte", np.full(20, 10, np.uint8))
    with pytest.raises(ValueError, match="label 10 out of range"):
        D.load_dataset("fashion-mnist", "train", isolated / "d")
    D.write_idx(folder / "train-images-idx3-ubyte", np.zeros((20, 27, 28), np.uint8))
    with pytest.raises(ValueError, match="27x28"):
        D.load_dataset("fashion-mnist", "train", isolated / "d")


@pytest.mark.parametrize("payload, message", [
    (lambda: pickle.dumps({b"data": np.zeros((2, 3072), np.uint8)}), r"lacks key\(s\) \['labels'\]"),
    (lambda: pickle.dumps({b"labels": [0, 1]}), r"lacks key\(s\) \['data'\]"),
    (lambda: pickle.dumps({b"data": np.zeros((2, 3000), np.uint8), b"labels": [0, 1]}), "expected uint8"),
    (lambda: pickle.dumps({b"data": np.zeros((2, 3072), np.float32), b"labels": [0, 1]}), "expected uint8"),
    (lambda: pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}), "1 labels for 2 images"),
    (lambda: pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}), "labels span 0..10"),
    (lambda: pickle.dumps([1, 2, 3]), "holds a list"),
    (lambda: b"not a pickle at all", "not a readable CIFAR pickle"),
    (lambda: pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]})[:-20],
     "not a readable CIFAR pickle"),
    (lambda: pickle.dumps(os.system), "refusing to load"),
])
def test_corrupt_cifar(isolated, payload, message):
    folder = D.write_synthetic("cifar10", isolated, n_train=10, n_test=4)
    path = folder / "test_batch"
    path.write_bytes(payload())
    with pytest.raises(ValueError, match=message) as err:
        D.load_dataset("cifar10", "test", isolated)
    assert str(path) in str(err.value)


def test_cifar100_needs_fine_labels(isolated):
    folder = D.write_synthetic("cifar100", isolated, n_train=10, n_test=4)
    d = {b"data": np.zeros((2, 3072), np.uint8), b"coarse_labels": [0, 1]}
    (folder / "train").write_bytes(pickle.dumps(d))
    with pytest.raises(ValueError, match="fine_labels"):
        D.load_dataset("cifar100", "train", isolated)


# --- missing data and the search order ----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(D.DATASETS))
@pytest.mark.parametrize("split", ["train", "test"])
def test_missing_names_every_place_and_how(isolated, monkeypatch, name, split):
    monkeypatch.setenv("WORKBENCH_DATA", str(isolated / "env"))
    with pytest.raises(FileNotFoundError) as err:
        D.load_dataset(name, split)
    msg = str(err.value)
    for base in [isolated / "env", *D._default_places()]:
        assert str(base) in msg
        for sub in D.DATASETS[name].subfolders:
            assert str(base / sub) in msg
    assert D.DATASETS[name].how_to_get in msg
    assert "random" in msg


def test_missing_split_file_is_not_found(isolated):
    folder = _fmnist(isolated)
    (folder / "t10k-labels-idx1-ubyte").unlink()
    D.load_dataset("fashion-mnist", "train", isolated / "d")
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        D.load_dataset("fashion-mnist", "test", isolated / "d")


def test_search_order(isolated, monkeypatch):
    a = D.write_synthetic("mnist", isolated / "arg", n_train=11, n_test=3)
    D.write_synthetic("mnist", isolated / "env", n_train=12, n_test=3)
    usual = D._default_places()
    D.write_synthetic("mnist", usual[1], n_train=13, n_test=3)
    monkeypatch.setenv("WORKBENCH_DATA", str(isolated / "env"))
    assert len(D.load_dataset("mnist", data_dir=isolated / "arg")) == 11
    assert D.find_dataset("mnist", "train", isolated / "arg")[0].parent == a
    assert len(D.load_dataset("mnist")) == 12                       # env before the usual places
    monkeypatch.delenv("WORKBENCH_DATA")
    assert len(D.load_dataset("mnist")) == 13
    # an explicit --data-dir is the only place searched: no silent fallback to the usual places
    with pytest.raises(FileNotFoundError, match="only it is searched") as err:
        D.load_dataset("mnist", data_dir=isolated / "nowhere")
    assert str(isolated / "nowhere") in str(err.value) and str(usual[1]) not in str(err.value)


def test_folder_holding_files_directly(isolated):
    folder = D.write_synthetic("fashion-mnist", isolated, n_train=10, n_test=5)
    ds = D.load_dataset("fashion-mnist", "test", data_dir=folder)         # the folder itself
    assert len(ds) == 5 and ds.source == folder


def test_unknown_name_and_split(isolated):
    with pytest.raises(ValueError, match="unknown data set 'svhn'; expected one of"):
        D.load_dataset("svhn")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        D.load_dataset("mnist", "val")


def test_status_and_cli(isolated, capsys):
    D.write_synthetic("cifar10", isolated / "d", n_train=10, n_test=4)
    rows = {r["name"]: r for r in D.dataset_status(isolated / "d")}
    assert set(rows) == set(D.DATASETS)
    assert rows["cifar10"]["present"] and rows["cifar10"]["path"] == str(isolated / "d" / "cifar-10-batches-py")
    assert not rows["mnist"]["present"] and rows["mnist"]["path"] is None
    assert str(isolated / "d" / "mnist") in rows["mnist"]["looked"]
    assert rows["mnist"]["how"] == D.DATASETS["mnist"].how_to_get
    assert cli_data(SimpleNamespace(data_dir=isolated / "d")) == 0
    out = capsys.readouterr().out
    assert "cifar10" in out and str(isolated / "d" / "cifar-10-batches-py") in out
    assert "cifar-100-python.tar.gz" in out and str(isolated / "d") in out


# --- the dataset container ----------------------------------------------------------------------

def test_array_dataset_validation(tmp_path):
    x = np.zeros((3, 1, 4, 4), np.uint8)
    y = np.array([0, 1, 2], np.int64)
    D.ArrayDataset(x, y, "t", 3, tmp_path)
    with pytest.raises(ValueError, match="uint8 array of shape"):
        D.ArrayDataset(x.astype(np.float64), y, "t", 3, tmp_path)
    with pytest.raises(ValueError, match="uint8 array of shape"):
        D.ArrayDataset(x[:, 0], y, "t", 3, tmp_path)
    with pytest.raises(ValueError, match="int64 array"):
        D.ArrayDataset(x, y.astype(np.int32), "t", 3, tmp_path)
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        D.ArrayDataset(x, y[:2], "t", 3, tmp_path)
    with pytest.raises(ValueError, match=r"0\.\.1; found range 0\.\.2"):
        D.ArrayDataset(x, y, "t", 2, tmp_path)
    with pytest.raises(ValueError, match="num_classes"):
        D.ArrayDataset(x, y, "t", True, tmp_path)
    with pytest.raises(ValueError, match="found range -1"):
        D.ArrayDataset(x, np.array([0, -1, 2], np.int64), "t", 3, tmp_path)


# --- subsets ------------------------------------------------------------------------------------

def _toy(labels) -> D.ArrayDataset:
    y = np.asarray(labels, np.int64)
    x = np.arange(y.size, dtype=np.uint8)[:, None, None, None] * np.ones((1, 1, 2, 2), np.uint8)
    return D.ArrayDataset(x, y, "toy", int(y.max()) + 1, Path("."))


def test_subset_stratified_and_deterministic():
    ds = _toy(np.repeat(np.arange(4), [50, 30, 15, 5]))
    s = D.subset(ds, 20, seed=7)
    assert np.bincount(s.y, minlength=4).tolist() == [10, 6, 3, 1]
    assert np.array_equal(s.x, D.subset(ds, 20, seed=7).x)
    assert not np.array_equal(s.x, D.subset(ds, 20, seed=8).x)
    idx = s.x[:, 0, 0, 0].astype(int)
    assert np.all(np.diff(idx) > 0) and np.array_equal(ds.y[idx], s.y)       # original order, rows intact
    assert len(D.subset(ds, 100, seed=0)) == 100


@settings(max_examples=25, deadline=None)
@given(counts=st.lists(st.integers(1, 20), min_size=1, max_size=6), frac=st.floats(0.01, 1.0),
       seed=st.integers(0, 1000))
def test_subset_counts_property(counts, frac, seed):
    ds = _toy(np.repeat(np.arange(len(counts)), counts))
    n = max(1, int(round(frac * len(ds))))
    s = D.subset(ds, n, seed)
    got = np.bincount(s.y, minlength=len(counts))
    quota = np.asarray(counts) * n / len(ds)
    assert got.sum() == n
    assert np.all(np.abs(got - quota) < 1 + 1e-9)            # largest remainder: within one of the quota
    assert np.all(got <= counts)
    assert len(np.unique(s.x[:, 0, 0, 0])) == n              # no repeats


@pytest.mark.parametrize("n", [0, 101, 2.5, True, "3"])
def test_subset_bad_n(n):
    with pytest.raises(ValueError, match="subset size n"):
        D.subset(_toy(np.arange(100) % 3), n, seed=0)


# --- normalisation ------------------------------------------------------------------------------

def test_channel_statistics_matches_numpy(tmp_path):
    D.write_synthetic("cifar10", tmp_path, n_train=40, n_test=8, seed=2)
    ds = D.load_dataset("cifar10", "train", tmp_path)
    mean, std = D.channel_statistics(ds)
    xf = ds.x.astype(np.float64) / 255.0
    np.testing.assert_allclose(mean, xf.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(std, xf.std(axis=(0, 2, 3)), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(D.DATASETS))
def test_normalization_shape(name):
    mean, std = D.normalization(name)
    c = D.DATASETS[name].channels
    assert len(mean) == len(std) == c and all(0 < m < 1 for m in mean) and all(0 < s < 1 for s in std)


def test_to_tensors(tmp_path):
    D.write_synthetic("cifar10", tmp_path, n_train=10, n_test=5, seed=0)
    ds = D.load_dataset("cifar10", "test", tmp_path)
    x, y = D.to_tensors(ds)
    mean, std = D.normalization("cifar10")
    ref = (ds.x / 255.0 - np.array(mean)[None, :, None, None]) / np.array(std)[None, :, None, None]
    np.testing.assert_allclose(x.numpy(), ref, rtol=1e-5, atol=1e-6)     # float32 rounding
    assert y.dtype.is_floating_point is False and y.tolist() == ds.y.tolist()
    raw, _ = D.to_tensors(ds, normalize=False)
    np.testing.assert_allclose(raw.numpy(), ds.x / 255.0, atol=1e-7)
    with pytest.raises(ValueError, match="3 means and 3 positive stds"):
        D.to_tensors(ds, normalize=((0.5,), (0.5,)))


# --- the real Fashion-MNIST (Debian's dataset-fashion-mnist) ------------------------------------

def _real_fmnist_dir():
    try:
        return D.find_dataset("fashion-mnist", "train")[0].parent
    except FileNotFoundError:
        return None


_REAL = _real_fmnist_dir()
needs_real = pytest.mark.skipif(_REAL is None, reason="real Fashion-MNIST not installed "
                                "(apt-get install dataset-fashion-mnist, or set WORKBENCH_DATA)")


@needs_real
def test_real_fashion_mnist():
    train = D.load_dataset("fashion-mnist", "train")
    test = D.load_dataset("fashion-mnist", "test")
    assert train.x.shape == (60000, 1, 28, 28) and test.x.shape == (10000, 1, 28, 28)
    assert train.y.min() == 0 and train.y.max() == 9 and test.y.max() == 9
    # Fashion-MNIST is balanced: 6000 per class in train, 1000 in test (dataset README)
    assert np.bincount(train.y).tolist() == [6000] * 10
    assert np.bincount(test.y).tolist() == [1000] * 10
    # the configured normalisation is the data's own statistics at the printed 4 digits
    # (tolerance: half a unit of the 4th decimal)
    mean, std = D.channel_statistics(train)
    ref_mean, ref_std = D.normalization("fashion-mnist")
    assert abs(mean[0] - ref_mean[0]) <= 5e-5 and abs(std[0] - ref_std[0]) <= 5e-5
    # the IDX loader agrees with the struct reader on the real files
    dims, body = _idx_by_struct(D.find_dataset("fashion-mnist", "test")[1])
    assert dims == (10000,) and list(body) == test.y.tolist()


# --- verification (`workbench data`) and the precheck of sweeps (issue 13, item 3) ---------------

@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(p.read_bytes()[:-12]), "not a complete gzip file"),
    (lambda p: p.write_bytes(gzip.compress(b"\x00\x00\x09\x03" + gzip.decompress(p.read_bytes())[4:])),
     "bad IDX magic"),
    (lambda p: p.write_bytes(gzip.compress(gzip.decompress(p.read_bytes())[:-28])), "truncated"),
])
def test_workbench_data_verifies_what_it_lists(isolated, capsys, damage, message):
    folder = _fmnist(isolated, compress=True)
    damage(folder / "train-images-idx3-ubyte.gz")
    row = D.verify_dataset("fashion-mnist", isolated / "d")
    assert row["present"] and not row["ok"] and message in " ".join(row["problems"])
    assert cli_data(SimpleNamespace(data_dir=isolated / "d")) == 0
    out = capsys.readouterr().out
    assert re.search(r"^fashion-mnist +BAD", out, re.M) and message in out
    assert not re.search(r"^fashion-mnist +yes", out, re.M)
    (line,) = D.data_problems(["fashion-mnist"], isolated / "d")          # one line per problem
    assert "\n" not in line and str(folder / "train-images-idx3-ubyte.gz") in line


def test_record_counts_and_md5_of_the_decompressed_bytes(isolated, capsys):
    folder = _fmnist(isolated)
    row = D.verify_dataset("fashion-mnist", isolated / "d", standard=True)
    assert not row["ok"] and "20 records; the standard set has 60000" in row["problems"][0]
    assert D.verify_dataset("fashion-mnist", isolated / "d")["ok"]       # usable for training
    # the standard counts with other bytes: caught by the pinned md5 of the decompressed files
    D.write_idx(folder / "t10k-images-idx3-ubyte", np.zeros((10000, 28, 28), np.uint8))
    D.write_idx(folder / "t10k-labels-idx1-ubyte", np.zeros(10000, np.uint8))
    probs = D.verify_dataset("fashion-mnist", isolated / "d")["problems"]
    assert len(probs) == 2 and all("md5 of the decompressed bytes" in p for p in probs)
    assert cli_data(SimpleNamespace(data_dir=isolated / "d")) == 0
    assert "BAD" in capsys.readouterr().out


def test_explicit_data_dir_is_the_only_place(isolated, monkeypatch, capsys):
    D.write_synthetic("fashion-mnist", isolated / "env", n_train=10, n_test=5)
    monkeypatch.setenv("WORKBENCH_DATA", str(isolated / "env"))
    assert D.verify_dataset("fashion-mnist")["ok"]                       # no --data-dir: env found
    empty = isolated / "EMPTY"
    empty.mkdir()
    row = D.verify_dataset("fashion-mnist", empty)
    assert not row["present"] and row["looked"][0] == str(empty)
    assert all(str(isolated / "env") not in p for p in row["looked"])
    (line,) = D.data_problems(["fashion-mnist"], empty)
    assert str(empty) in line and "only --data-dir" in line and "get it:" in line and "\n" not in line
    cli_data(SimpleNamespace(data_dir=empty))
    out = capsys.readouterr().out
    assert re.search(r"^fashion-mnist +no", out, re.M) and str(isolated / "env") not in out


@needs_real
def test_real_fashion_mnist_verifies_with_the_pinned_md5(capsys):
    row = D.verify_dataset("fashion-mnist", standard=True)
    assert row["ok"], row["problems"]
    assert row["records"] == {"train": 60000, "test": 10000}
    cli_data(SimpleNamespace(data_dir=None))
    assert "md5 verified" in capsys.readouterr().out


@needs_real
def test_fashion_mnist_files_are_not_taken_for_mnist():
    """Both sets use the same file names; the pinned md5s tell them apart."""
    assert D.verify_dataset("fashion-mnist", _REAL)["ok"]
    probs = D.verify_dataset("mnist", _REAL, standard=True)["problems"]
    assert len(probs) == 4 and all("fashion-mnist's file (md5), not mnist's" in p for p in probs)
