"""Ctrl-C (SIGINT) stops a sweep within seconds, local workers and Dask alike; interrupted runs are
left `partial`, a live run reads `running`, one killed without cleanup reads `died` and resumes
(issue 13, item 1). The randomized fault-injection set is tests/test_faults.py (slow)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch
import yaml

from analysis.nets import sweep
from analysis.nets.cache import Run, list_runs, load_run, run_dir
from analysis.nets.config import from_dict
from analysis.nets.sweep import SweepInterrupted, expand, run_configs

torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]
# slow on purpose: 20 steps of >= 0.05 s per epoch, so a run is mid-epoch when the signal comes
SLOW = dict(model="cnn1", width=0.125, dataset="fashion-mnist", synthetic={"n_train": 320, "n_test": 16},
            batch_size=16, epochs=2, eval_batch_size=16, lr=0.05, seed=0,
            grad_transform={"name": "throttle", "seconds": 0.05})


def slow_configs(n_lr=2, seeds=(0, 1)):
    return expand(from_dict(SLOW), {"lr": [0.05, 0.1, 0.2][:n_lr]}, seeds=list(seeds))


def wait_for(pred, timeout=120.0, period=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(period)
    return False


def training_started(out: Path) -> bool:
    """Some run holds its lock and has written its first status (it is past data loading)."""
    root = out / "runs"
    return root.exists() and any((d / "run.lock").exists() and (d / "status.json").exists()
                                 for d in root.iterdir())


def statuses(out: Path) -> dict[str, str]:
    return {r.hash: r.status for r in list_runs(out)}


def fire_sigint_when(pred, pid=None, delay=0.3):
    """SIGINT to this process (or ``pid``) once ``pred()`` holds, from a helper thread."""
    def go():
        if wait_for(pred):
            time.sleep(delay)
            os.kill(os.getpid() if pid is None else pid, signal.SIGINT)
    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def spawn_sweep(cfg_path: Path, out: Path, *extra) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", "sweep", str(cfg_path), "--grid",
                             "lr=0.05,0.1", "--seeds", "2", "--workers", "2", "--out", str(out),
                             "--no-progress", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)          # its own process group, like a terminal's


def write_cfg(tmp_path: Path, **kw) -> Path:
    p = tmp_path / "slow.yaml"
    p.write_text(yaml.safe_dump({"base": {**SLOW, **kw}, "presets": {"quick": {}}}))
    return p


# ----------------------------------------------------------------------------- local worker processes

def test_ctrl_c_stops_local_worker_processes(tmp_path):
    """Two spawned worker processes training, SIGINT to this (the parent) process only: it is
    forwarded, both runs stop at their next step as `partial`, the queued ones never start."""
    cfgs = slow_configs(2, seeds=(0, 1))
    fire_sigint_when(lambda: training_started(tmp_path))
    with pytest.raises(SweepInterrupted):
        run_configs(cfgs, tmp_path, workers=2, progress=False)
    st = statuses(tmp_path)
    assert 1 <= list(st.values()).count("partial") and set(st.values()) <= {"partial", "done"}, st
    assert len(st) < 4 and not list(tmp_path.glob("runs/*/run.lock"))


@pytest.mark.slow
def test_ctrl_c_stops_a_local_worker_sweep_within_seconds(tmp_path):
    """SIGINT to the process group (what a terminal's Ctrl-C does) while two worker processes
    train: exit 130 within seconds, runs in progress `partial`, queued runs never started, no lock
    left; the same command then resumes and finishes everything."""
    cfg_path, out = write_cfg(tmp_path), tmp_path / "out"
    p = spawn_sweep(cfg_path, out)
    assert wait_for(lambda: training_started(out)), p.communicate(timeout=5)
    time.sleep(0.5)
    t0 = time.monotonic()
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=60)
    took = time.monotonic() - t0
    err = err.decode()
    assert p.returncode == 130, err
    assert took < 10, f"took {took:.1f} s to stop"
    assert "interrupt: stopping the sweep" in err and "kept as partial" in err
    assert "Traceback" not in err, err
    st = statuses(out)
    assert 1 <= sum(s == "partial" for s in st.values()) <= 2 and set(st.values()) <= {"partial", "done"}, st
    assert len(st) < 4                                   # queued runs did not start
    assert not list(out.glob("runs/*/run.lock")) and not list(out.glob(".sweep/*"))
    q = spawn_sweep(cfg_path, out)
    _, err2 = q.communicate(timeout=300)
    assert q.returncode == 0, err2.decode()
    assert set(statuses(out).values()) == {"done"} and len(statuses(out)) == 4


def test_a_second_ctrl_c_kills_the_workers_and_exits_at_once(tmp_path, monkeypatch):
    """The parent's handler: the first SIGINT asks (stop file, forwarded SIGINT), the second kills
    the worker processes and exits 130 without cleanup."""
    victim = subprocess.Popen([sys.executable, "-c", "import signal, time; "
                               "signal.signal(signal.SIGINT, signal.SIG_IGN); print('ready', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE)
    assert victim.stdout.readline().strip() == b"ready"
    exits = []
    monkeypatch.setattr(os, "_exit", lambda code: exits.append(code))
    h = sweep._StopOnInterrupt(tmp_path / ".sweep" / "x.stop", progress=False)
    h.pids = [victim.pid]
    h._handle(signal.SIGINT, None)
    assert h.event.is_set() and (tmp_path / ".sweep" / "x.stop").exists() and exits == []
    time.sleep(0.2)
    assert victim.poll() is None                          # SIGINT alone does not stop it (ignored)
    h._handle(signal.SIGINT, None)
    assert exits == [130]
    assert victim.wait(timeout=10) == -signal.SIGKILL


# ----------------------------------------------------------------------------- in this process, Dask

def test_ctrl_c_in_process_sweep_leaves_the_run_partial(tmp_path):
    cfgs = slow_configs(1, seeds=(0, 1))
    fire_sigint_when(lambda: training_started(tmp_path))
    t0 = time.monotonic()
    with pytest.raises(SweepInterrupted):
        run_configs(cfgs, tmp_path, workers=1, progress=False)
    assert time.monotonic() - t0 < 60
    assert list(statuses(tmp_path).values()) == ["partial"]
    assert load_run(cfgs[1], tmp_path) is None            # the second never started
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler   # handler restored


def test_ctrl_c_stops_dask_tasks(tmp_path):
    """Dask workers as threads of this process (SIGINT reaches only the main thread): the stop
    file stops the running tasks at their next step; queued ones return without starting."""
    from distributed import LocalCluster

    cfgs = slow_configs(2, seeds=(0, 1))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        fire_sigint_when(lambda: training_started(tmp_path))
        t0 = time.monotonic()
        with pytest.raises(SweepInterrupted):
            run_configs(cfgs, tmp_path, scheduler=cluster.scheduler_address, progress=False)
        took = time.monotonic() - t0
    st = statuses(tmp_path)
    assert 1 <= list(st.values()).count("partial") and set(st.values()) <= {"partial", "done"}, st
    assert len(st) < 4 and took < 90
    assert not list(tmp_path.glob("runs/*/run.lock"))


# ----------------------------------------------------------------------------- running, died

def test_live_run_is_running_and_a_killed_one_is_died(tmp_path):
    cfg_path = write_cfg(tmp_path, epochs=2)
    cfg = from_dict({**SLOW, "epochs": 2})
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    p = subprocess.Popen([sys.executable, "-m", "analysis.nets.train", str(cfg_path), "--out", str(tmp_path),
                          "--preset", "quick", "--no-progress"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert wait_for(lambda: training_started(tmp_path)), p.communicate(timeout=5)
    assert load_run(cfg, tmp_path).status == "running"
    lock = json.loads((run_dir(cfg, tmp_path) / "run.lock").read_text())
    assert lock["pid"] == p.pid and lock["host"]
    p.kill()
    p.wait(timeout=30)
    assert load_run(cfg, tmp_path).status == "died"       # status.json still says running
    assert json.loads((run_dir(cfg, tmp_path) / "status.json").read_text())["status"] == "running"
    from analysis.nets.train import train

    run = train(cfg, tmp_path, progress=False)             # takes the stale lock over, resumes
    assert run.status == "done" and len(run.rows) == 2
    assert "start" in run.log.read_text()


def test_run_states_are_not_finished():
    for st in ("running", "partial", "failed", "died"):
        assert not Run(Path("."), from_dict(SLOW), st).finished
