"""lcr peers (issue 15 §4a): the suite's spectral-norm peer claims and the figure script."""
from __future__ import annotations

import pytest

from validation.registry import SuiteContext


@pytest.mark.slow
def test_spectral_peer_claims_confirmed_and_falsifiable():
    from validation.suites import lcr

    claims = list(lcr._summarised(lcr._spectral_peers(SuiteContext(preset="quick", seed=0))))
    assert [c.id for c in claims] == ["lcr.peers.spectral_norm.fp", "lcr.peers.spectral_norm.binary"]
    for c in claims:
        assert c.kind == "derived" and c.status == "confirmed" and c.falsifiable
        r = c.measured["ratio_to_circular"]
        assert r["bound_sqrt_k"]["min"] >= 1.0 - 1e-9          # the bound is above the exact norm
        assert r["reshaped_1"]["max"] <= r["bound_sqrt_k"]["min"]
        assert c.measured["layers"] == 19


@pytest.mark.slow
def test_spectral_peers_figure(tmp_path):
    from figures import lcr_spectral_peers as fig
    from figures.common import FigureContext

    paths = fig.make(FigureContext(out=tmp_path, progress=False))
    assert {p.suffix for p in paths} >= {".png", ".csv"}


def test_peer_times_bench_keys():
    from validation.benches.lcr import spectral_peer_times

    t = spectral_peer_times(SuiteContext(episodes=1))
    assert set(t) == {"16x16_at_32x32", "64x64_at_8x8"}
    assert all(v > 0 for d in t.values() for v in d.values())
