"""Issue 16 §4 of the brief: the dhkd network claims and Fig. 2 rebuild from the run records alone
(config/metrics/status/fingerprint), without checkpoint.pt."""
from __future__ import annotations

import shutil

import pytest

from validation.registry import SuiteContext


@pytest.mark.slow
def test_dhkd_claims_rebuild_without_checkpoints(tmp_path):
    from figures.common import FigureContext
    from validation.suites._dhkd_nets import network_claims
    import figures.dhkd_fig2 as F

    out = tmp_path / "with"
    F.make(FigureContext(preset="smoke", out=out, seed=0, workers=1, progress=False))
    copy = tmp_path / "without"
    shutil.copytree(out, copy)
    removed = list(copy.rglob("checkpoint.pt"))
    assert removed
    for p in removed:
        p.unlink()

    def claims(root):
        return [c.to_dict() | {"runtime_s": 0} for c in network_claims(SuiteContext(preset="smoke", out=root, seed=0))
                if c.id.startswith(("dhkd.fig2", "dhkd.sec3_2.gradient"))]

    with_ck, without = claims(out), claims(copy)
    assert len(with_ck) == 3 and all(c["status"] != "not-run" for c in with_ck)
    assert with_ck == without
    F.make(FigureContext(preset="smoke", out=copy, seed=0, workers=1, progress=False, make_missing=False))  # figure too
