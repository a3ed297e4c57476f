"""`make reference` (workbench/reference.py): which figures, their state, and the size check."""
from pathlib import Path

from workbench import reference


def test_quick_figures_are_the_ones_with_a_quick_preset():
    ids = reference.quick_figures()
    assert "cdg_fig6" in ids and "convsim_table5" in ids
    from figures.pipeline import has_preset

    assert all(has_preset(f, "quick") for f in ids)
    assert len(ids) == len(set(ids))


def test_figure_state_of_an_empty_folder(tmp_path):
    s = reference.figure_state("cdg_fig6", tmp_path)
    assert s["missing"] > 0 and s["stale"] == 0 and not s["made"]


def test_committed_size_is_measured_without_ignored_files():
    size, top = reference.tracked_size_mb(Path("results/reference/quick"))
    assert 0 < size < reference.SIZE_LIMIT_MB
    assert all(mb >= 0 for _, mb in top)


def test_checkpoints_of_records_are_ignored():
    import subprocess

    ok = subprocess.run(["git", "check-ignore", "-q", "results/reference/quick/runs/abc/checkpoint.pt"],
                        cwd=reference.ROOT)
    assert ok.returncode == 0
    kept = subprocess.run(["git", "check-ignore", "-q", "results/reference/quick/runs/abc/metrics.json"],
                          cwd=reference.ROOT)
    assert kept.returncode == 1


def test_record_measured_minutes_replaces_the_row(tmp_path, monkeypatch):
    import json

    import figures.pipeline as pl

    table = tmp_path / "timings.csv"
    table.write_text("# comment\nfigure,preset,minutes,workers,machine,date,how\n"
                     "cdg_fig6,quick,7.0,2,old,2026-12-01,x\ncdg_fig2,smoke,0.1,2,m,2026-12-01,y\n")
    monkeypatch.setattr(pl, "TIMINGS", table)
    fig = tmp_path / "out" / "figures" / "cdg_fig6"
    fig.mkdir(parents=True)
    (fig / "timing.json").write_text(json.dumps({"figure": "cdg_fig6", "preset": "quick", "minutes": 9.5,
                                                 "workers": 2, "runs_made": 4, "runs_total": 4,
                                                 "date": "2026-12-02", "complete": True}))
    assert reference.record_measured_minutes("cdg_fig6", tmp_path / "out")
    rows = pl.measured_minutes(table)
    assert rows[("cdg_fig6", "quick")]["minutes"] == "9.5" and ("cdg_fig2", "smoke") in rows
    assert table.read_text().startswith("# comment\n")
    (fig / "timing.json").write_text(json.dumps({"preset": "quick", "complete": False}))
    assert not reference.record_measured_minutes("cdg_fig6", tmp_path / "out")
