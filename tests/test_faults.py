"""Fault injection (issue 13; `make test-slow`): SIGINT and SIGKILL at seeded random points of a
small sweep, a full disk (OSError ENOSPC) in the checkpoint writer and in the ledger writer, a
corrupted checkpoint, and two `figures` processes on one results root.

Every case ends with nothing lost (after a rerun, every run's metrics equal those of an
uninterrupted sweep), nothing half-written reused (no temporary file read, a damaged checkpoint
never loaded) and a clear message (no traceback on the terminal). Each test prints one line per
injected fault and how it ended; FAULT_LOG collects them (`pytest -s` shows them)."""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from analysis.nets import train as T
from analysis.nets.cache import list_runs, load_run
from analysis.nets.config import from_dict
from analysis.nets.sweep import SweepError, SweepInterrupted, expand, run_configs

pytestmark = pytest.mark.slow
torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]
BASE = dict(model="cnn1", width=0.125, dataset="fashion-mnist", synthetic={"n_train": 160, "n_test": 16},
            batch_size=16, epochs=3, eval_batch_size=16, lr=0.05, seed=0,
            grad_transform={"name": "throttle", "seconds": 0.03})
GRID = {"lr": [0.05, 0.1]}
SEEDS = [0, 1]
FAULT_LOG: list[str] = []


def configs():
    return expand(from_dict(BASE), GRID, SEEDS)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Rows of every run of an uninterrupted sweep (in a fresh process, like the faulty ones)."""
    tmp = tmp_path_factory.mktemp("ref")
    p = _spawn(_cfg_file(tmp), tmp / "out")
    _, err = p.communicate(timeout=600)
    assert p.returncode == 0, err.decode()
    return {r.hash: r.rows for r in list_runs(tmp / "out")}


def _cfg_file(tmp: Path) -> Path:
    p = tmp / "faults.yaml"
    p.write_text(yaml.safe_dump({"base": BASE, "presets": {"quick": {}}}))
    return p


def _spawn(cfg_path: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", "sweep", str(cfg_path), "--grid", "lr=0.05,0.1",
                             "--seeds", "2", "--workers", "2", "--out", str(out), "--no-progress"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _tmp_files(out: Path) -> list[Path]:
    return [p for p in (out / "runs").rglob(".*.tmp")] if (out / "runs").exists() else []


def _resume_and_compare(cfg_path: Path, out: Path, reference: dict) -> None:
    q = _spawn(cfg_path, out)
    _, err = q.communicate(timeout=600)
    assert q.returncode == 0, err.decode()
    runs = {r.hash: r for r in list_runs(out)}
    assert set(runs) == set(reference) and all(r.status == "done" for r in runs.values())
    for h, rows in reference.items():
        assert runs[h].rows == rows, h                     # nothing lost, nothing wrongly reused
    assert not _tmp_files(out)


@pytest.mark.parametrize("sig, n", [(signal.SIGINT, 4), (signal.SIGKILL, 4)], ids=["sigint", "sigkill"])
def test_signals_at_seeded_random_points(tmp_path, reference, sig, n):
    rng = np.random.default_rng(13 + int(sig))
    cfg_path = _cfg_file(tmp_path)
    for i in range(n):
        out = tmp_path / f"out{i}"
        delay = float(rng.uniform(1.0, 14.0))               # from start-up to the last runs
        p = _spawn(cfg_path, out)
        time.sleep(delay)
        t0 = time.monotonic()
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:                          # the sweep had already finished
            pass
        _, err = p.communicate(timeout=60)
        took, err = time.monotonic() - t0, err.decode()
        before = {r.hash: r.status for r in list_runs(out)}
        assert "Traceback" not in err, err
        if sig == signal.SIGINT:
            assert p.returncode in (130, 0), err
            if p.returncode == 130:
                assert "interrupt" in err and took < 15, (took, err)
            assert set(before.values()) <= {"partial", "done"}, before
            assert not list(out.glob("runs/*/run.lock"))
        else:
            assert p.returncode in (-signal.SIGKILL, 0)
            assert set(before.values()) <= {"died", "done", "partial"}, before    # never "running"
        counts = {s: list(before.values()).count(s) for s in sorted(set(before.values()))}
        _resume_and_compare(cfg_path, out, reference)
        FAULT_LOG.append(f"{signal.Signals(sig).name} #{i + 1} at {delay:.1f} s: exit {p.returncode} after "
                         f"{took:.2f} s, runs {counts or 'none started'}; rerun resumed all 4, metrics identical")
        print(FAULT_LOG[-1])


@pytest.mark.parametrize("k", [1, 2, 3])
def test_disk_full_in_the_checkpoint_writer(tmp_path, reference, monkeypatch, k):
    """ENOSPC half-way through the k-th checkpoint write (k = 1: the one after the init step)."""
    cfg = configs()[0]
    real, calls = T._write_file, []

    def full_disk(path, data):
        if path.name.startswith(".checkpoint.pt"):
            calls.append(path)
            if len(calls) == k:
                with open(path, "wb") as fh:
                    fh.write(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)
    monkeypatch.setattr(T, "_write_file", full_disk)
    with pytest.raises(SweepError) as err:
        run_configs([cfg], tmp_path, workers=1, progress=False)
    msg = str(err.value)
    assert "No space left on device" in msg and "log:" in msg and "Traceback" not in msg
    run = load_run(cfg, tmp_path)
    assert run.status == "failed" and "No space left" in run.error and not _tmp_files(tmp_path)
    ck = run.dir / "checkpoint.pt"
    if k > 1:
        assert T.load_checkpoint(ck)["epoch"] == k - 2      # the previous checkpoint, whole
    monkeypatch.setattr(T, "_write_file", real)
    (again,) = run_configs([cfg], tmp_path, workers=1, progress=False)
    assert again.status == "done" and again.rows == reference[cfg.hash()]
    FAULT_LOG.append(f"ENOSPC in checkpoint write #{k}: run failed with '{run.error}' (one line, log "
                     f"{run.log.name}); previous checkpoint intact; rerun resumed, metrics identical")
    print(FAULT_LOG[-1])


@pytest.mark.parametrize("k", [0, 1, 2])
def test_disk_full_in_the_ledger_writer(tmp_path, monkeypatch, capsys, k):
    """ENOSPC at a seeded random one of the files `validate` writes: exit 1 with one error line,
    no temporary file left, every file that exists is whole; a rerun writes a complete run."""
    from validation import ledger, registry, runner
    from validation.ledger import Claim
    from workbench.cli import main

    def suite(ctx):
        yield Claim(id="fake.one", paper="p.txt", where="Eq. 1", statement="s", expected=None, measured=1.0,
                    status="reported")
    monkeypatch.setattr(runner, "SUITES", {"fake": registry.SuiteSpec("fake", "p.txt", suite, "")})
    assert main(["validate", "--suite", "fake", "--out", str(tmp_path / "ok"), "--no-progress"]) == 0
    files = sorted(p.name for p in (tmp_path / "ok").glob("*/*") if p.is_file())
    target = files[int(np.random.default_rng(13).permutation(len(files))[k])]   # 3 different files
    real_fsync = ledger.os.fsync

    class FullDisk:
        def fsync(self, fd):
            if os.readlink(f"/proc/self/fd/{fd}").split("/")[-1].startswith(f".{target}."):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real_fsync(fd)

        def __getattr__(self, name):
            return getattr(os, name)
    capsys.readouterr()
    monkeypatch.setattr(ledger, "os", FullDisk())
    rc = main(["validate", "--suite", "fake", "--out", str(tmp_path / "full"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 1 and "No space left on device" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    run_dir = next((tmp_path / "full").iterdir())
    assert not list(run_dir.glob(".*.tmp")) and not (run_dir / target).exists()
    for p in run_dir.glob("*.json"):
        json.loads(p.read_text())                            # whole files only
    monkeypatch.setattr(ledger, "os", os)
    assert main(["validate", "--suite", "fake", "--out", str(tmp_path / "full"), "--no-progress"]) == 0
    FAULT_LOG.append(f"ENOSPC writing {target}: exit 1, one line '{err.strip()[:60]}...'; no temp file, "
                     "written files whole; rerun complete")
    print(FAULT_LOG[-1])


@pytest.mark.parametrize("damage", ["truncated", "bit-flipped"])
def test_corrupted_checkpoint_is_never_loaded(tmp_path, reference, capsys, damage):
    cfg = configs()[1]
    import threading

    stop = threading.Event()
    real_log, seen = T._runlog, []

    def log_and_stop(rd, msg):                                # stop once epoch 1 is on disk
        real_log(rd, msg)
        if msg.startswith("epoch 1/"):
            stop.set()
    T._runlog = log_and_stop
    try:
        with pytest.raises(SweepInterrupted):
            _stop_when(stop, lambda: run_configs([cfg], tmp_path, workers=1, progress=False))
    finally:
        T._runlog = real_log
    run = load_run(cfg, tmp_path)
    assert run.status == "partial" and len(run.rows) == 1
    ck = run.dir / "checkpoint.pt"
    raw = bytearray(ck.read_bytes())
    if damage == "truncated":
        raw = raw[: len(raw) // 2]
    else:
        rng = np.random.default_rng(7)
        for i in rng.integers(len(raw) // 2, len(raw), size=8):
            raw[i] ^= 0xFF
    ck.write_bytes(bytes(raw))
    capsys.readouterr()
    (again,) = run_configs([cfg], tmp_path, workers=1, progress=False)
    err = capsys.readouterr().err
    assert "unreadable" in err and "training this run again from the start" in err
    assert (run.dir / "checkpoint.pt.corrupt").exists()
    assert again.status == "done" and again.rows == reference[cfg.hash()]
    FAULT_LOG.append(f"checkpoint {damage}: detected on resume (one warning line), moved to "
                     "checkpoint.pt.corrupt, run retrained from the start, metrics identical")
    print(FAULT_LOG[-1])


def _stop_when(event, fn):
    """Run ``fn`` in this (main) thread; SIGINT to this process once ``event`` is set."""
    import threading

    def fire():
        if event.wait(300):
            os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=fire, daemon=True).start()
    return fn()


def test_two_figures_processes_on_one_results_root(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "workbench.cli", "figures", "--only", "cdg_fig6", "--preset", "smoke",
           "--out", str(tmp_path), "--workers", "1", "--no-progress"]
    ps = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in ps]
    for p, (o, e) in zip(ps, outs):
        assert p.returncode == 0 and "Traceback" not in e.decode(), e.decode()
    runs = list_runs(tmp_path)
    assert runs and all(r.status == "done" for r in runs)
    starts = [r.log.read_text().count("start:") for r in runs]
    assert all(s == 1 for s in starts), starts                # each run trained once
    from PIL import Image

    for png in (tmp_path / "figures" / "cdg_fig6").glob("*.png"):
        with Image.open(png) as im:
            im.load()
    assert not list(tmp_path.rglob(".*.tmp"))
    FAULT_LOG.append(f"two figures processes on one root: both exit 0, {len(runs)} runs each trained once "
                     "(the other waited on its lock), figure files whole")
    print(FAULT_LOG[-1])
