"""Issue 16 item 4 for the lcr suite: every network claim and every lcr figure rebuilds from run
records without checkpoint.pt. The smoke figures train their runs and write the small derived
results (corruption.json, fig3_similarity.json, fig3_maps.json, fig2_weights.json) while the
checkpoints exist; after deleting every checkpoint.pt the figures re-make and the suite's network
claims come out the same."""
from pathlib import Path

import pytest


def _snapshot(claims) -> dict:
    out = {}
    for c in claims:
        m = c.measured if isinstance(c.measured, dict) else {}
        out[c.id] = (c.status, None if c.ci is None else tuple(round(float(x), 9) for x in c.ci),
                     m.get("n") if not isinstance(m.get("n"), list) else tuple(m["n"]),
                     None if m.get("effect") is None else round(float(m["effect"]), 9))
    return out


@pytest.mark.slow
def test_lcr_claims_and_figures_rebuild_without_checkpoints(tmp_path):
    import torch

    from figures import lcr_corruption, lcr_fig3, lcr_table2, lcr_table3, lcr_variants
    from figures.common import FigureContext
    from validation.registry import SuiteContext
    from validation.suites import _lcr_nets

    torch.set_num_threads(1)
    ctx = FigureContext(preset="smoke", out=Path(tmp_path), workers=1, progress=False)
    scripts = (lcr_table3, lcr_corruption, lcr_fig3, lcr_variants, lcr_table2)
    for mod in scripts:
        assert mod.make(ctx)
    sctx = SuiteContext(preset="smoke", episodes=1, out=Path(tmp_path), progress=False)
    before = list(_lcr_nets.network_claims(sctx))
    by_id = {c.id: c for c in before}
    for cid in ("lcr.table3.quick_lambda_sweep", "lcr.fig2.quick_weight_stds", "lcr.table6.quick_corruption",
                "lcr.fig3.correlation_maps", "lcr.fig3.independence_by_depth", "lcr.code.loss_variants",
                "lcr.code.official_scaling", "lcr.table2.quick_pairs"):
        c = by_id[cid]
        assert c.status != "not-run", cid
        assert c.rule is not None and c.counterfactual_statuses, cid
        for key in ("n", "effect", "sd", "mde"):
            assert key in c.measured, (cid, key)
    for cid in ("lcr.table3.quick_lambda_sweep", "lcr.code.loss_variants", "lcr.table2.quick_pairs",
                "lcr.code.official_scaling", "lcr.fig2.quick_weight_stds", "lcr.table6.quick_corruption"):
        assert "paper_effect" in by_id[cid].measured and "power_ok" in by_id[cid].measured, cid
    # the three RM_F readings were all run (smoke: the teacher run was trained first)
    assert set(by_id["lcr.code.loss_variants"].measured["readings_vs_lambda0"]) == {"latent", "same_pass", "teacher"}

    ckpts = list(Path(tmp_path, "runs").glob("*/checkpoint.pt"))
    assert ckpts
    for p in ckpts:
        p.unlink()
    for mod in scripts:  # every figure re-makes from the records and the cached derived results
        assert mod.make(ctx)
    after = list(_lcr_nets.network_claims(sctx))
    assert _snapshot(after) == _snapshot(before)
