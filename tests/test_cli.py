"""The real `workbench` command on tiny inputs: validate, report, bench, errors, determinism."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from validation.ledger import check_ledger_schema

EXE = [sys.executable, "-m", "workbench.cli"]


def run_cli(*args, env_extra=None, cwd=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([*EXE, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=900)


def _ledger_without_runtime(run_dir: Path) -> list:
    claims = json.loads((run_dir / "ledger.json").read_text())["claims"]
    return [{k: v for k, v in c.items() if k != "runtime_s"} for c in claims]


@pytest.fixture(scope="module")
def convsim_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    proc = run_cli("validate", "--suite", "convsim", "--episodes", "6", "--out", str(out),
                   "--no-progress", env_extra={"NUMBA_NUM_THREADS": "2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


def test_validate_writes_ledger_and_prints_summary(convsim_run):
    out, proc = convsim_run
    runs = list(out.glob("*/ledger.json"))
    assert len(runs) == 1
    ledger = json.loads(runs[0].read_text())
    check_ledger_schema(ledger)
    ids = {c["id"] for c in ledger["claims"]}
    for needed in ("convsim.eq19.identity.valid.2d_multichannel", "convsim.table1.n3.adam.corr_mean",
                   "convsim.table6.n16.sgd.increase_mean", "convsim.sec4_2.convex.joint",
                   "convsim.official_variant.official_2d", "convsim.table4.cnn1.parameters"):
        assert needed in ids
    assert "confirmed" in proc.stdout and "total" in proc.stdout
    report_line = proc.stdout.strip().splitlines()[-1]
    assert report_line.startswith("report: ") and Path(report_line[8:]).exists()
    assert ledger["run"]["preset"] == "quick" and ledger["run"]["argv"][:2] == ["workbench", "validate"]


def test_same_seed_identical_ledger_any_thread_count(convsim_run, tmp_path):
    out, _ = convsim_run
    first = next(out.glob("*/ledger.json")).parent
    proc = run_cli("validate", "--suite", "convsim", "--episodes", "6", "--out", str(tmp_path),
                   "--no-progress", "--reference", str(first / "ledger.json"),
                   env_extra={"NUMBA_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    assert "ledgers agree claim by claim" in proc.stdout
    second = next(tmp_path.glob("*/ledger.json")).parent
    assert _ledger_without_runtime(first) == _ledger_without_runtime(second)


def test_reference_check_fails_on_a_changed_claim(convsim_run, tmp_path):
    from workbench.cli import reference_check

    out, _ = convsim_run
    new = next(out.glob("*/ledger.json"))
    ledger = json.loads(new.read_text())
    ref = tmp_path / "ref.json"
    assert reference_check(new, ref, update=False) == 2  # no reference yet
    assert reference_check(new, ref, update=True) == 0 and reference_check(new, ref, update=False) == 0
    victim = next(c for c in ledger["claims"] if isinstance(c["measured"], dict))
    key = next(k for k, v in victim["measured"].items() if isinstance(v, float))
    victim["measured"][key] = victim["measured"][key] * 1.01 + 1.0
    ledger["claims"][0]["status"] = "not-run" if ledger["claims"][0]["status"] != "not-run" else "reported"
    ref.write_text(json.dumps(ledger))
    assert reference_check(new, ref, update=False) == 1


def test_report_command_prints_newest(convsim_run):
    out, _ = convsim_run
    proc = run_cli("report", "--out", str(out))
    assert proc.returncode == 0 and "# Validation report" in proc.stdout


def test_report_into_a_closed_pipe_is_quiet(convsim_run):
    """`workbench report | head -1` used to end in a BrokenPipeError traceback."""
    out, _ = convsim_run
    proc = subprocess.run(f"{sys.executable} -m workbench.cli report --out {out} | head -1", shell=True,
                          capture_output=True, text=True, timeout=300)
    assert proc.stdout.startswith("# Validation report")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_bench_json_last_line(tmp_path):
    proc = run_cli("bench", "--suite", "convsim", "--json", "--episodes", "4", "--repeats", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["seconds_all_tables"] > 0 and result["speedup_vs_torch"] > 0


@pytest.mark.parametrize("args, message", [
    (["validate", "--suite", "nosuch", "--episodes", "2"], "unknown suite"),
    (["validate", "--episodes", "0"], "positive integer"),
    (["bench", "--suite", "nosuch"], "unknown"),
    (["report", "--out", "/nonexistent-dir-xyz"], "no run folder"),
])
def test_bad_input_is_a_clear_error(args, message, tmp_path):
    proc = run_cli(*args, "--out", str(tmp_path)) if args[0] == "validate" else run_cli(*args)
    assert proc.returncode != 0
    assert message in proc.stderr
