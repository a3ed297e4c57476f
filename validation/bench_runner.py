"""`workbench bench --suite S`: run one registered benchmark; optionally store bench.json."""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from .ledger import atomic_write_text, load_ledger, render_report
from .registry import BENCHES, SuiteContext, resolve


def run_bench(name: str, ctx: SuiteContext, repeats: int | None = None, out: Path | None = None) -> dict:
    """Run benchmark ``name``; with ``out`` merge the result into bench.json of the newest run
    folder under ``out`` (the report then shows it beside the ledger)."""
    (name,) = resolve(name, BENCHES)
    options = dict(ctx.options)
    if repeats is not None:
        options["repeats"] = repeats
    ctx = SuiteContext(**{**ctx.__dict__, "options": options})
    with _Heartbeat(name, ctx.progress):
        result = {"suite": name, **BENCHES[name].func(ctx)}
    if out is not None:
        write_bench(Path(out), name, result)
    return result


class _Heartbeat:
    """Progress of a benchmark on stderr (stdout keeps the result, `--json`'s last line): a line
    when it starts, one every ``every`` seconds while it runs, one with the total when it ends."""

    def __init__(self, name: str, on: bool = True, every: float = 10.0, stream=None):
        self.name, self.on, self.every = name, on, every
        self.stream = stream if stream is not None else sys.stderr
        self.done = threading.Event()

    def _say(self, msg: str) -> None:
        try:
            print(f"bench {self.name}: {msg}", file=self.stream, flush=True)
        except (OSError, ValueError):
            pass

    def __enter__(self):
        self.t0 = time.perf_counter()
        if self.on:
            self._say("running (timed repeats; progress every "
                      f"{self.every:g} s, the result follows on stdout)")
            threading.Thread(target=self._beat, daemon=True).start()
        return self

    def _beat(self) -> None:
        while not self.done.wait(self.every):
            self._say(f"still running, {time.perf_counter() - self.t0:.0f} s")

    def __exit__(self, *exc):
        self.done.set()
        if self.on:
            self._say(("done" if exc[0] is None else "stopped") + f" in {time.perf_counter() - self.t0:.1f} s")


def write_bench(out: Path, name: str, result: dict) -> Path:
    runs = sorted(out.glob("*/ledger.json"), key=lambda p: p.stat().st_mtime)
    run_dir = runs[-1].parent if runs else out / "bench"
    path = run_dir / "bench.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = result
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    if runs:
        atomic_write_text(run_dir / "REPORT.md", render_report(load_ledger(run_dir), data, run_dir))
    return path
