"""The NC convention map as a figure (issue 15 §4c): its clusters, factors and collapse limit."""
import numpy as np
import pytest

from analysis.collapse import nc_convention_map
from analysis.nc_peers import noisy_clusters


def test_noisy_clusters_collapse_and_the_known_factors():
    H1, y, W1 = noisy_clusters(0, (20,), 10, 64, spread=1.0)
    H0, y0, W0 = noisy_clusters(0, (20,), 10, 64, spread=0.0)
    assert np.array_equal(y, y0) and H1.shape == (200, 64) and W1.shape == (10, 64)
    mu = W0                                    # spread 0: W = μ and H = μ_y exactly
    assert np.array_equal(H0, mu[y0])
    m = nc_convention_map(H0, y0, W0)
    assert m["default"]["nc1"] == pytest.approx(0.0, abs=1e-20)
    m = nc_convention_map(H1, y, W1)
    assert m["factors"]["rhubarbwu_nc1_over_papyan"] == pytest.approx(64 / 10, rel=1e-12)
    assert m["factors"]["papyan_nc1_over_default"] == pytest.approx(1.0, rel=1e-12)


def test_figure_rows_and_files(tmp_path):
    from figures import dhkd_nc_conventions as fig
    from figures.common import FigureContext

    rows = fig.convention_rows(0)
    bal = [r for r in rows if r["design"] == "balanced"]
    imb = [r for r in rows if r["design"] == "imbalanced"]
    nc1 = [r["nc1_default"] for r in bal]
    assert all(a > b for a, b in zip(nc1, nc1[1:])) and nc1[-1] < 1e-5 * nc1[0]      # → 0 at collapse
    assert all(r["rhubarbwu_over_papyan"] == pytest.approx(6.4, rel=1e-9) for r in rows)
    assert all(r["papyan_over_default"] == pytest.approx(1.0, rel=1e-9) for r in bal)
    assert all(abs(r["papyan_over_default"] - 1.0) > 0.01 for r in imb)               # differs when imbalanced
    paths = fig.make(FigureContext(out=tmp_path, progress=False))
    assert {p.suffix for p in paths} >= {".png", ".csv"}
