"""Issue 13, item 6: every PNG says what its error bars are; curves that coincide stay visible
(cdg Fig. 6, Fig. 2's right panel); `figures --list` shows measured minutes per preset."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch
from PIL import Image

from figures import common, pipeline
from figures.common import FigureContext

torch.set_num_threads(1)
FIGDIR = Path(pipeline.__file__).parent


def test_every_stamp_call_says_what_the_error_bars_are():
    missing = []
    for path in sorted(FIGDIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "stamp":
                if "bars" not in {k.arg for k in node.keywords}:
                    missing.append(f"{path.name}:{node.lineno}")
    assert not missing, missing


def test_an_unstamped_figure_is_not_saved(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="not stamped"):
        common.save_figure(fig, tmp_path, "x")
    assert not list(tmp_path.iterdir())
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="bars="):
        common.stamp(fig, "provenance", bars=" ")


def _capture(monkeypatch, module):
    """Keep each figure's axes before the script's save_figure closes it."""
    seen = []
    real = module.save_figure

    def keep(fig, folder, name):
        seen.append((name, fig.axes))
        return real(fig, folder, name)
    monkeypatch.setattr(module, "save_figure", keep)
    return seen


def _description(png: Path) -> str:
    with Image.open(png) as im:
        return im.text.get("Description", "")


def _styles(lines):
    return [(l.get_linestyle(), l.get_marker()) for l in lines]


def test_fig2_right_panel_keeps_coinciding_kernels_apart(tmp_path, monkeypatch):
    from figures import cdg_fig2

    seen = _capture(monkeypatch, cdg_fig2)
    paths = cdg_fig2.make(FigureContext(out=tmp_path, progress=False))
    (name, axes), = seen
    lines = axes[1].get_lines()
    assert len(lines) == 4 and len(set(_styles(lines))) == 4
    assert len({tuple(l.get_xdata()) for l in lines}) == 4             # offset: no point hidden
    assert all(l.get_markerfacecolor() == "none" for l in lines)
    png = [p for p in paths if p.suffix == ".png"][0]
    assert "error bars: none (closed forms, exact)" in _description(png)


def test_fig6_curves_stay_visible_and_its_error_bars_are_named(tmp_path, monkeypatch):
    from figures import cdg_fig6

    seen = _capture(monkeypatch, cdg_fig6)
    paths = cdg_fig6.make(FigureContext(preset="smoke", out=tmp_path, progress=False, workers=1))
    (name, axes), = seen
    data_lines = [c.lines[0] for c in axes[0].containers]      # one curve per method (H0_λ, H̃1, controls)
    assert len(data_lines) >= 2 and len(set(_styles(data_lines))) == len(data_lines)
    xs = [tuple(l.get_xdata()) for l in data_lines]
    assert len(set(xs)) == len(xs)                             # offset: no curve hidden behind another
    for png in (p for p in paths if p.suffix == ".png"):
        assert f"error bars: {common.SE_BARS}" in _description(png)


def test_figures_list_shows_measured_minutes(capsys):
    table = pipeline.measured_minutes()
    assert table, "figures/timings.csv holds the measurements"
    for (fid, preset), row in table.items():
        assert fid in pipeline.FIGURES and preset in ("smoke", "quick", "paper")
        assert float(row["minutes"]) > 0 and row["machine"] and row["date"]
    assert ("cdg_fig6", "quick") in table
    from workbench.cli import main

    assert main(["figures", "--list"]) == 0
    out = capsys.readouterr().out
    line = [l for l in out.splitlines() if l.startswith("cdg_fig6 ")][0]
    assert pipeline.fmt_minutes(float(table[("cdg_fig6", "quick")]["minutes"])) in line
    assert "timings.csv" in out


def test_a_figures_run_records_its_time(tmp_path):
    ctx = FigureContext(preset="smoke", out=tmp_path, workers=2)
    path = pipeline.record_timing(ctx, "cdg_fig2", 90.0, 0, 0)
    d = json.loads(path.read_text())
    assert d["minutes"] == 1.5 and d["preset"] == "smoke" and d["complete"] and d["workers"] == 2


def test_quick_tier_fits_its_budget_by_the_run_records():
    """Issue 16's budget, from the committed records (status.json runtime_s of every run): each
    quick figure's runs take <= 20 minutes on 2 workers, the whole tier (each run once) <= 3 hours."""
    per, total = pipeline.record_minutes("quick")
    assert len(per) >= 20, per
    assert max(per.values()) <= 20.0, {k: round(v, 1) for k, v in per.items() if v > 20}
    assert 0 < total <= 180.0
    secs = pipeline.run_seconds("dhkd_table6", "quick", pipeline.REFERENCE_ROOT)
    assert len(secs) == 15 and all(v > 0 for v in secs.values())
