"""`workbench runs`: code fingerprints, stale runs, --verify re-stamping (issue 12 §2).

The stale test trains a smoke run here, then runs the command line from a *copy* of the
checkout (PYTHONPATH pointing at the copy) whose trainer was edited: a comment (harmless, so
--verify re-stamps) and a numeric change (so --verify refuses and names the metric)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.nets import fingerprint
from analysis.nets.config import from_dict
from analysis.nets.train import train

ROOT = Path(__file__).resolve().parents[1]
SMOKE = dict(model="cnn1", width=0.125, dataset="fashion-mnist", synthetic={"n_train": 96, "n_test": 16},
             epochs=2, batch_size=32, lr=0.05, seed=0)


def _copy_checkout(dst: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for pkg in ("analysis", "workbench"):
        shutil.copytree(ROOT / pkg, dst / pkg, ignore=ignore)
    return dst


def _runs(checkout: Path, out: Path, *extra) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout), "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "workbench.cli", "runs", "--out", str(out), "--json", *extra],
                       cwd=checkout, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_run_folder_records_fingerprint_and_engine(tmp_path):
    run = train(from_dict(SMOKE), tmp_path, progress=False)
    fp = fingerprint.read(run.dir)
    assert fp["modules"]["analysis/nets/train.py"] == fingerprint.file_sha256(ROOT / "analysis/nets/train.py")
    assert {"torch", "numpy", "git_commit", "git_dirty"} <= set(fp)
    assert not any(k.endswith((".yaml", ".yml")) for k in fp["modules"])
    assert fingerprint.changes(fp) == []
    eng = json.loads((run.dir / "metrics.json").read_text())["engine"]
    assert eng["precision"] == "fp32" and eng["channels_last"] is False and eng["compile"] is False


def test_changes_name_modules_and_torch(tmp_path):
    fp = {"modules": {"analysis/nets/train.py": "0" * 64, "analysis/nets/nothere.py": "1" * 64},
          "torch": "0.0"}
    ch = fingerprint.changes(fp)
    assert "analysis/nets/train.py" in ch and "analysis/nets/nothere.py (gone)" in ch
    assert any(c.startswith("torch 0.0 ->") for c in ch)
    assert fingerprint.changes(None) is None


@pytest.mark.slow
def test_stale_after_trainer_change_and_verify(tmp_path):
    out = tmp_path / "out"
    run = train(from_dict(SMOKE), out, progress=False)
    co = _copy_checkout(tmp_path / "checkout")
    rows = _runs(co, out)["runs"]
    assert [(r["hash"], r["status"], r["stale"]) for r in rows] == [(run.hash, "done", False)]

    trainer = co / "analysis" / "nets" / "train.py"
    text = trainer.read_text()
    trainer.write_text(text + "\n# a harmless comment\n")
    (row,) = _runs(co, out)["runs"]
    assert row["stale"] is True and row["changed"] == ["analysis/nets/train.py"]
    res = _runs(co, out, "--verify")
    assert res["verified"][0]["restamped"] is True, res["verified"]
    assert _runs(co, out)["runs"][0]["stale"] is False

    old = "            task = F.cross_entropy(logits, yb)\n"
    assert old in text
    trainer.write_text(text.replace(old, "            task = F.cross_entropy(logits, yb) * 1.5\n"))
    res = _runs(co, out, "--verify")
    (v,) = res["verified"]
    assert v["restamped"] is False and any("train_loss" in m for m in v["moved"]), v
    assert res["runs"][0]["stale"] is True
    # re-stamped by the copy (its comment-only trainer), so against this checkout the trainer differs
    assert fingerprint.changes(fingerprint.read(run.dir)) == ["analysis/nets/train.py"]


def test_figures_refresh_sets_stale_runs_aside(tmp_path, monkeypatch):
    import yaml

    from figures import pipeline
    from figures.common import FigureContext

    cfg_path = tmp_path / "tiny.yaml"
    cfg_path.write_text(yaml.safe_dump({"base": SMOKE, "presets": {"smoke": {"seeds": 1}}}))
    monkeypatch.setattr(pipeline, "experiments_of", lambda fid, preset: [str(cfg_path)])
    ctx = FigureContext(preset="smoke", out=tmp_path / "out", progress=False, workers=1)
    run = train(from_dict(SMOKE), ctx.out, progress=False)
    assert pipeline.set_aside_stale(["any"], ctx) == []                 # fresh: kept
    fp = fingerprint.read(run.dir)
    fp["modules"]["analysis/nets/train.py"] = "0" * 64
    fingerprint.write(run.dir, fp)
    assert pipeline.set_aside_stale(["any"], ctx) == [run.hash]
    assert not run.dir.exists() and len(list((ctx.out / "stale").iterdir())) == 1
    assert [c.hash() for c in pipeline.missing_configs(["any"], ctx)] == [run.hash]


def test_runs_command_lists_status_and_staleness(tmp_path, capsys):
    from workbench.cli import main

    run = train(from_dict(SMOKE), tmp_path, progress=False)
    assert main(["runs", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert run.hash in text and "done" in text and "1 runs, 0 stale" in text
    fp = fingerprint.read(run.dir)
    fp["torch"] = "0.0"
    fingerprint.write(run.dir, fp)
    assert main(["runs", "--out", str(tmp_path), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["runs"]
    assert row["hash"] == run.hash and row["status"] == "done" and row["stale"] is True
    assert row["changed"][0].startswith("torch 0.0 ->") and row["seed"] == 0 and row["bytes"] > 0


def test_verify_keeps_a_given_scratch_root(tmp_path):
    """`runs --verify` hands every replay one scratch root (a teacher is trained there once): a
    given root is used and kept; without one, a temporary root is removed."""
    from analysis.nets.cache import Run
    from analysis.nets.verify import verify_run

    run = train(from_dict(SMOKE), tmp_path / "out", progress=False)
    scratch = tmp_path / "scratch"
    res = verify_run(Run.load(run.dir), scratch=scratch)
    assert res["identical"] and res["restamped"], res
    assert (scratch / "runs" / run.hash).is_dir()
