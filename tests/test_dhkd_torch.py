"""Torch twins of the DHKD losses (analysis.nets.distill_losses) and the DHKD wrapper (analysis.nets.dhkd).

Twins are compared in float64 at 1e−12 relative (the two sides evaluate the same closed forms
with different operation orders: rounding only). Gradient-alignment identities are exact up to
float64 rounding of one projection, so 1e−10.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from analysis import distill as D
from analysis.nets import distill_losses as TL
from analysis.nets import dhkd as H
from validation.registry import SuiteContext
from analysis.nets.hooks import HookEnv, StepContext, get_hook

SETTINGS = settings(max_examples=25, deadline=None)
logit = st.floats(-30, 30, allow_nan=False, allow_infinity=False)
PAIRS = [("kd", TL.kd_loss, D.kd_loss, D.kd_loss_grad),
         ("binary_kl", TL.binary_kl, D.binary_kl, D.binary_kl_grad),
         ("binary_kl_norm", TL.binary_kl_norm, D.binary_kl_norm, D.binary_kl_norm_grad)]


@pytest.mark.parametrize("name,tl,npf,npg", PAIRS, ids=[p[0] for p in PAIRS])
@pytest.mark.parametrize("reduction", ["sum", "batchmean", "none"])
@SETTINGS
@given(zs=arrays(np.float64, (4, 5), elements=logit), zt=arrays(np.float64, (4, 5), elements=logit),
       T=st.sampled_from([0.5, 1.0, 2.0, 4.0]))
def test_twins_agree_with_numpy(name, tl, npf, npg, reduction, zs, zt, T):
    t = tl(torch.tensor(zs), torch.tensor(zt), T, reduction)
    n = npf(zs, zt, T, reduction)
    np.testing.assert_allclose(t.numpy(), n, rtol=1e-12, atol=1e-12 * T * T)


@pytest.mark.parametrize("name,tl,npf,npg", PAIRS, ids=[p[0] for p in PAIRS])
@pytest.mark.parametrize("reduction", ["sum", "batchmean"])
def test_autograd_matches_hand_gradients(name, tl, npf, npg, reduction):
    rng = np.random.default_rng(0)
    zs, zt = 3 * rng.standard_normal((6, 4)), 3 * rng.standard_normal((6, 4))
    s, t = torch.tensor(zs, requires_grad=True), torch.tensor(zt, requires_grad=True)
    gs, gt = torch.autograd.grad(tl(s, t, 2.0, reduction), (s, t))
    np.testing.assert_allclose(gs.numpy(), npg(zs, zt, 2.0, reduction), rtol=1e-12, atol=1e-15)
    if name == "binary_kl":
        np.testing.assert_allclose(gt.numpy(), D.binary_kl_grad_teacher(zs, zt, 2.0, reduction), rtol=1e-12, atol=1e-15)
    if name == "binary_kl_norm":
        np.testing.assert_allclose(gt.numpy(), -npg(zs, zt, 2.0, reduction), rtol=1e-12, atol=1e-15)


def test_ce_autograd_matches_hand_gradient():
    rng = np.random.default_rng(1)
    z, y = rng.standard_normal((5, 3)), np.array([0, 1, 2, 2, 1])
    s = torch.tensor(z, requires_grad=True)
    (g,) = torch.autograd.grad(F.cross_entropy(s, torch.as_tensor(y), reduction="sum"), (s,))
    np.testing.assert_allclose(g.numpy(), D.ce_grad(z, y), rtol=1e-12, atol=1e-15)


@SETTINGS
@given(arrays(np.float64, 7, elements=st.floats(-5, 5)), arrays(np.float64, 7, elements=st.floats(-5, 5)))
def test_pcgrad_twin(gm, ga):
    np.testing.assert_allclose(TL.pcgrad(torch.tensor(gm), torch.tensor(ga)).numpy(), D.pcgrad(gm, ga),
                               rtol=1e-12, atol=1e-12)


def test_pcgrad_per_row_twin():
    rng = np.random.default_rng(2)
    gm, ga = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    np.testing.assert_allclose(TL.pcgrad_per_row(torch.tensor(gm), torch.tensor(ga)).numpy(),
                               D.pcgrad_per_row(gm, ga), rtol=1e-12, atol=1e-12)


def test_twin_errors():
    with pytest.raises(ValueError, match="temperature"):
        TL.binary_kl(torch.zeros(3), torch.zeros(3), 0.0)
    with pytest.raises(ValueError, match="same shape"):
        TL.binary_kl_norm(torch.zeros(2, 3), torch.zeros(3, 2), 1.0)
    with pytest.raises(ValueError, match="reduction"):
        TL.kd_loss(torch.zeros(2, 3), torch.zeros(2, 3), 1.0, "mean")


def test_twins_propagate_non_finite():
    """Divergence must show as a non-finite loss (the trainer records N.A.), not as an exception."""
    zs = torch.tensor([[float("nan"), 0.0]])
    assert not torch.isfinite(TL.binary_kl(zs, torch.zeros(1, 2), 2.0))


# ----------------------------------------------------------------------------- wrapper

def small_student(aux="linear", seed=0):
    torch.manual_seed(seed)
    from analysis.nets.models import build_model

    return build_model("dual_head", num_classes=4, in_channels=1, image_size=12, base="cnn1",
                       aux=aux, base_kw={"filters": 4}).double()


@pytest.mark.parametrize("aux", ["linear", "mlp"])
def test_dual_head_forward(aux):
    m = small_student(aux)
    x = torch.randn(5, 1, 12, 12, dtype=torch.float64)
    m.eval()
    main, auxl = m.forward_both(x)
    assert main.shape == auxl.shape == (5, 4)
    out = m(x)
    torch.testing.assert_close(out, main)
    torch.testing.assert_close(m.aux_logits, auxl)
    torch.testing.assert_close(m.aux_head(m.features), auxl)
    groups = H.param_groups(m)
    n_all = sum(p.numel() for p in m.parameters())
    assert sum(p.numel() for g in groups.values() for p in g) == n_all
    with pytest.raises(ValueError, match="aux"):
        H.DualHead(m.base, aux="conv")


def losses_for(m, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(6, 1, 12, 12, dtype=torch.float64, generator=g)
    y = torch.randint(0, 4, (6,), generator=g)
    zt = 3 * torch.randn(6, 4, dtype=torch.float64, generator=g)
    main, aux = m.forward_both(x)
    return H.dhkd_loss(main, aux, zt, y, gamma=1.0, alpha=2.0, T=2.0), (x, y, zt)


def np_flat(m):
    return np.concatenate([p.grad.detach().reshape(-1).numpy() for p in m.parameters()])


@pytest.mark.parametrize("mode", ["dhkd", "single"])
def test_ga_backward_flat_matches_numpy_pcgrad(mode):
    m = small_student()
    m.train()
    params = list(m.parameters())
    for seed in range(4):
        terms, (x, y, zt) = losses_for(m, seed)
        if mode == "single":
            main, _ = m.forward_both(x)
            terms = H.single_head_loss(main, zt, y, alpha=2.0)
        gm = np.concatenate([g.reshape(-1).numpy() for g in H.flat_grads(terms["ce"], params)])
        ga = np.concatenate([g.reshape(-1).numpy() for g in H.flat_grads(terms["kd"], params)])
        stats = H.ga_backward(params, terms["ce"], terms["kd"], granularity="flat")
        np.testing.assert_allclose(np_flat(m), gm + D.pcgrad(gm, ga), rtol=1e-10, atol=1e-13)
        assert stats["conflict"] == (np.dot(gm, ga) < 0)


def test_ga_surrogate_gradient_equals_ga_backward():
    m = small_student()
    m.train()
    params = list(m.parameters())
    for seed in range(4):
        terms, _ = losses_for(m, seed)
        H.ga_backward(params, terms["ce"], terms["kd"])
        ref = np_flat(m)
        terms, _ = losses_for(m, seed)
        total = terms["ce"] + H.ga_surrogate(terms["ce"], terms["kd"], params)
        for p in params:
            p.grad = None
        total.backward()
        np.testing.assert_allclose(np_flat(m), ref, rtol=1e-10, atol=1e-13)


def test_ga_per_tensor():
    m = small_student()
    params = list(m.parameters())
    terms, _ = losses_for(m, 1)
    gm = [g.numpy().ravel() for g in H.flat_grads(terms["ce"], params)]
    ga = [g.numpy().ravel() for g in H.flat_grads(terms["kd"], params)]
    H.ga_backward(params, terms["ce"], terms["kd"], granularity="per_tensor")
    for p, a, b in zip(params, gm, ga):
        np.testing.assert_allclose(p.grad.numpy().ravel(), a + D.pcgrad(a, b), rtol=1e-10, atol=1e-13)


def test_dhkd_kd_term_does_not_touch_main_head():
    m = small_student()
    terms, _ = losses_for(m)
    cos = H.gradient_cosines(m, terms["ce"], terms["kd"])
    assert np.isnan(cos["head"])  # BinaryKL-Norm on head 2 gives head 1 no gradient
    assert np.isnan(cos["aux_head"])  # and CE gives head 2 none
    assert -1.0 <= cos["backbone"] <= 1.0


@pytest.mark.parametrize("gamma,ga", [(1.0, False), (0.0, False), (1.0, True)])
def test_loss_hook(gamma, ga):
    m = small_student()
    _, (x, y, zt) = losses_for(m)
    hook = get_hook("loss", {"name": "dhkd", "alpha": 2.0, "gamma": gamma, "ga": ga}, HookEnv())
    logits = m(x)
    terms = hook(StepContext(m, x, y, logits, zt, 1, 0))
    total = F.cross_entropy(logits, y) + torch.stack(list(terms.values())).sum()
    for p in m.parameters():
        p.grad = None
    total.backward()
    got = np_flat(m)
    main, aux = m.forward_both(x)
    ref_terms = H.dhkd_loss(main, aux, zt, y, gamma=gamma, alpha=2.0)
    if ga:
        H.ga_backward(list(m.parameters()), ref_terms["ce"], ref_terms["kd"])
    else:
        for p in m.parameters():
            p.grad = None
        (ref_terms["ce"] + ref_terms["kd"]).backward()
    np.testing.assert_allclose(got, np_flat(m), rtol=1e-9, atol=1e-12)


def test_loss_hook_errors():
    with pytest.raises(ValueError, match="unknown keys"):
        get_hook("loss", {"name": "dhkd", "beta": 1}, HookEnv())
    with pytest.raises(ValueError, match="weight"):
        get_hook("loss", {"name": "dhkd", "weight": 2.0}, HookEnv())
    hook = get_hook("loss", {"name": "dhkd"}, HookEnv())
    m = small_student()
    x = torch.randn(2, 1, 12, 12, dtype=torch.float64)
    with pytest.raises(ValueError, match="teacher"):
        hook(StepContext(m, x, torch.tensor([0, 1]), m(x), None, 1, 0))


@pytest.mark.parametrize("aux", ["linear", "mlp"])
def test_ga_backward_shared_equals_official_flat(aux):
    m = small_student(aux)
    m.train()
    params = list(m.parameters())
    for seed in range(3):
        torch.manual_seed(seed)  # dropout mask of the MLP head
        terms, _ = losses_for(m, seed)
        ref_stats = H.ga_backward(params, terms["ce"], terms["kd"])
        ref = np_flat(m)
        torch.manual_seed(seed)
        terms, _ = losses_for(m, seed)
        stats = H.ga_backward_shared(m, terms["ce"], terms["kd"])
        np.testing.assert_allclose(np_flat(m), ref, rtol=1e-9, atol=1e-12)
        assert stats["conflict"] == ref_stats["conflict"]
        assert stats["cosine"] == pytest.approx(ref_stats["cosine"], rel=1e-9, abs=1e-12)


def test_probe_metrics_on_collapsed_head():
    """probe_metrics gives NC metrics of head 1 and finite per-group cosines on a real probe batch."""
    torch.manual_seed(0)
    from analysis.nets.models import build_model

    m = build_model("dual_head", num_classes=3, in_channels=1, image_size=12, base="cnn1", base_kw={"filters": 4})
    x = torch.randn(30, 1, 12, 12)
    y = torch.arange(30) % 3
    zt = 2 * torch.randn(30, 3)
    out = H.probe_metrics(m, x, y, zt, kd="binary_kl", mode="single_head")
    for key in ("nc.nc1", "nc.nc2_equinorm", "nc.nc2_equiangle", "nc.nc3", "nc.nc4", "cos.backbone", "cos.head"):
        assert np.isfinite(out[key]), key
    assert np.isnan(out["cos.aux_head"])
    assert m.training  # restored
    plain = build_model("cnn1", num_classes=3, in_channels=1, image_size=12, filters=4)
    out = H.probe_metrics(plain, x, y, zt)
    assert "cos.aux_head" not in out and np.isfinite(out["nc.nc1"])


@pytest.mark.slow
def test_dhkd_fig2_smoke_runs_and_summary(tmp_path):
    """The Fig. 2 experiment's smoke preset trains through the one trainer and summarizes."""
    from analysis.nets.config import load_experiment
    from analysis.nets.train import train

    exp = load_experiment("dhkd/fig2", "smoke")
    runs = {label: train(cfg, tmp_path, progress=False) for label, cfg in exp.runs()}
    assert set(runs) == set(H.FIG2_SETTINGS)
    for label, run in runs.items():
        assert run.finished, (label, run.status)
        s = H.run_summary(run)
        assert s["epochs_done"] == 2 and np.isfinite(s["mean_cos.backbone"])


def test_dhkd_suite_deterministic_and_statuses(tmp_path):
    """`validate --suite dhkd` end to end at 3 episodes: same claims for a seed; the theory verdicts;
    one claim per statement (no mirrored readings); every verdict falsifiable; coverage complete."""
    from validation.ledger import VERDICTS
    from validation.registry import SUITES, coverage
    from validation.suites.dhkd import run

    ctx = SuiteContext(preset="quick", episodes=3, seed=0, out=tmp_path, progress=False)
    claims = list(run(ctx))
    a = [c.to_dict() for c in claims]
    b = [c.to_dict() for c in run(ctx)]
    for x, y in zip(a, b):
        x.pop("runtime_s"), y.pop("runtime_s")
    assert a == b
    status = {c["id"]: c["status"] for c in a}
    assert len(status) == len(a)
    assert not any(i.endswith((".teacher_const", ".teacher_through_student")) for i in status)
    refuted = {k for k, v in status.items() if v == "refuted"}
    assert refuted == {"dhkd.prop3.obstacle_decomposition", "dhkd.prop2.eq14_as_printed", "dhkd.prop4.eq22_push_sign",
                       "dhkd.prop3.remark_obstacle_opposes_w", "dhkd.sec3_2.layer_peeled_conflict",
                       "dhkd.appC.mse_same_sign_pattern", "dhkd.def1.d_equals_k_minus_1",
                       "dhkd.eq6.per_w_k_in_dual_head", "dhkd.fig6.caption_vs_table1", "dhkd.sec4_2.ga_effect",
                       "dhkd.appA.lr_reduced_from"}
    for cid in ("dhkd.prop1.w_decomposition", "dhkd.prop2.h_decomposition", "dhkd.prop4.h_decomposition",
                "dhkd.sec4_1.dhkd_vs_kd", "dhkd.sec4_1.dhkd_vs_dkd", "dhkd.thm1.maximal_equiangular_separation"):
        assert status[cid] == "confirmed", cid
    for cid in ("dhkd.lemma1.inequality", "dhkd.prop1.ce_coefficient_signs", "dhkd.grad.logits_hand_vs_autograd"):
        assert status[cid] == "reported", cid  # cannot fail: not verdicts
    assert all(c["falsifiable"] for c in a if c["status"] in VERDICTS)
    assert sum(c["kind"] == "consistency" for c in a) >= 5
    assert status["dhkd.fig2.single_head_fails"] == "not-run"  # no runs under tmp_path
    assert not any(v == "deviates" for v in status.values())
    cov = coverage(SUITES["dhkd"].items, status)
    assert cov["uncovered"] == [] and cov["fraction"] >= 0.95 and cov["items"] >= 66


def _fake_summaries(settings, acc, seeds=5, diverged=(), nc3=None, cos=None):
    """run_summary-like dicts: acc[setting] accuracy (+ 0.001 * seed + a setting-dependent jitter, so paired
    differences have a spread), diverged settings as N.A."""
    out = {}
    for j, s in enumerate(settings):
        rows = []
        for i in range(seeds):
            div = s in diverged
            jit = 0.001 * ((3 * i + j) % 4)
            row = {"seed": i, "status": "N.A.(3)" if div else "done", "diverged": div,
                   "top_test_acc": float("nan") if div else acc[s] + 0.001 * i + jit, "epochs_done": 10,
                   "mean_loss.ga_fire": 0.5, "mean_loss.ga_extra_ce": 0.1}
            for key in ("nc1", "nc2_equinorm", "nc2_equiangle", "nc3", "nc4"):
                row[f"last_nc.{key}"] = float("nan") if div else (nc3 or {}).get(s, 0.1) + 0.001 * i + jit
            for g in ("head", "backbone"):
                row[f"mean_cos.{g}"] = (cos or {}).get(g, 0.0) + 0.001 * i + jit
            rows.append(row)
        out[s] = rows
    return out


def test_dhkd_network_claim_builders_decide_from_summaries():
    """The network rules are falsifiable and decide both ways, without training (fake summaries)."""
    from validation.suites import _dhkd_nets as N

    ctx = SuiteContext(preset="quick", seed=0, progress=False)
    acc = {"ce": 0.85, "binary_kl": 0.84, "ce_binary_kl": 0.83, "dhkd": 0.86}
    fine = _fake_summaries(N.FIG2_SETTINGS, acc, nc3={"ce_binary_kl": 0.2, "dhkd": 0.1},
                           cos={"head": -0.3, "backbone": 0.2})
    got = {c.id: c for c in N.fig2_claims(ctx, fine, 10)}
    assert got["dhkd.fig2.single_head_fails"].status == "confirmed"
    assert got["dhkd.fig2.head_nc_metrics"].status == "confirmed"
    assert got["dhkd.sec3_2.gradient_conflict_per_group"].status == "confirmed"
    flat = _fake_summaries(N.FIG2_SETTINGS, {s: 0.85 for s in acc}, cos={"head": 0.3, "backbone": 0.2})
    got = {c.id: c for c in N.fig2_claims(ctx, flat, 10)}
    assert got["dhkd.fig2.single_head_fails"].status in ("refuted", "inconclusive")
    assert got["dhkd.fig2.head_nc_metrics"].status in ("refuted", "inconclusive")
    assert got["dhkd.sec3_2.gradient_conflict_per_group"].status == "refuted"
    assert all(c.falsifiable for c in got.values())
    rev = _fake_summaries(N.FIG2_SETTINGS, {**acc, "ce_binary_kl": 0.90}, nc3={"ce_binary_kl": 0.0, "dhkd": 0.3})
    got = {c.id: c for c in N.fig2_claims(ctx, rev, 10)}
    assert got["dhkd.fig2.single_head_fails"].status == "refuted"
    assert got["dhkd.fig2.head_nc_metrics"].status == "refuted"
    for c in got.values():      # issue 16: power on every network claim
        assert {"n", "effect", "sd", "mde", "paper_effect", "power_ok"} <= set(c.measured) and c.ci is not None
    one = _fake_summaries(N.FIG2_SETTINGS, acc, seeds=1)
    assert {c.status for c in N.fig2_claims(ctx, one, 10)} == {"reported"}
    # Table 6: no run diverged -> refuted; all diverged -> confirmed
    t6 = ["lr_1e-2", "lr_5e-3", "lr_1e-3"]
    c = N.table6_claim(ctx, "dhkd.table6.learning_rates", "Table 6", "s", None,
                       _fake_summaries(t6, {s: 0.8 for s in t6}), 10, 0.0, horizon=N.PAPER_COLLAPSE_HORIZON_STEPS)
    assert c.status == "refuted" and c.falsifiable
    c = N.table6_claim(ctx, "dhkd.table6.learning_rates", "Table 6", "s", None,
                       _fake_summaries(t6, {s: 0.8 for s in t6}, diverged=t6), 10, 0.0, horizon=N.PAPER_COLLAPSE_HORIZON_STEPS)
    assert c.status == "confirmed"
    # Table 7: clipped settings above pure CE -> refuted; below -> confirmed (primary mgnv_0.5, Holm beside)
    t7 = ["mgnv_0.1", "mgnv_0.5", "mgnv_1.0", "pure_ce", "no_gc"]
    c = N.table7_claim(ctx, "dhkd.table7.gradient_clipping", "Table 7", "s", None,
                       _fake_summaries(t7, {**{s: 0.85 for s in t7}, "pure_ce": 0.8}), 10, 0.0)
    assert c.status == "refuted" and c.falsifiable
    c = N.table7_claim(ctx, "dhkd.table7.gradient_clipping", "Table 7", "s", None,
                       _fake_summaries(t7, {**{s: 0.75 for s in t7}, "pure_ce": 0.8}), 10, 0.0)
    assert c.status == "confirmed" and c.measured["all_below_holm"]
    # App. A: nothing collapses -> refuted
    aa = ["alpha_0.01", "alpha_0.05", "alpha_0.1", "alpha_0.5", "alpha_1", "vanilla_kd", "pure_ce"]
    c = N.appA_claim(ctx, "dhkd.appA.small_alpha", "App. A", "s", None,
                     _fake_summaries(aa, {s: 0.8 for s in aa}), 10, 0.0, horizon=N.PAPER_COLLAPSE_HORIZON_STEPS)
    assert c.status == "refuted" and c.falsifiable
    # Table 5: the dual head above CE on every seed -> confirmed (direction)
    t5 = ["ce", "norm_alone", "ce_norm_single_head", "dual_head", "dual_head_ga", "dual_head_ga_per_tensor",
          "dual_head_ga_mlp"]
    s5 = _fake_summaries(t5, {"ce": 0.80, "norm_alone": 0.81, "ce_norm_single_head": 0.5, "dual_head": 0.83,
                              "dual_head_ga": 0.835, "dual_head_ga_per_tensor": 0.83, "dual_head_ga_mlp": 0.82})
    c = N.table5_claim(ctx, "dhkd.table5.ablation", "Table 5", "s", None, s5, 10, 0.0)
    assert c.status == "confirmed" and c.falsifiable
    byid = {c.id: c for c in N.table5_claims(ctx, "dhkd.table5.ablation", "Table 5", "s", None, s5, 10, 0.0)}
    assert byid["dhkd.table5.single_head_na"].status == "confirmed"
    ga = byid["dhkd.control.ga_flat_vs_per_tensor"]
    assert ga.status == "reported" and ga.measured["flat_ga"]["loss.ga_extra_ce"]["mean"] == pytest.approx(0.1)
    # Table 11: the drop at alpha = 5 (pre-registered primary)
    t11 = ["alpha_0.2", "alpha_0.5", "alpha_1", "alpha_2", "alpha_5"]
    c = N.table11_claim(ctx, "dhkd.table11.alpha_sensitivity", "Table 11", "s", None,
                        _fake_summaries(t11, {"alpha_0.2": 0.8, "alpha_0.5": 0.8, "alpha_1": 0.8, "alpha_2": 0.8,
                                              "alpha_5": 0.7}), 10, 0.0)
    assert c.status == "confirmed" and set(c.measured["minus_alpha_2"]) == set(t11) - {"alpha_2"}


@pytest.mark.slow
def test_diverging_single_head_run_is_recorded_not_raised(tmp_path):
    """Divergence ends a run as N.A.(epoch) through the trainer (no exception); the summary says so."""
    from analysis.nets.config import from_dict
    from analysis.nets.train import train

    data = {"dataset": "fashion-mnist", "synthetic": {"n_train": 32, "n_test": 16}, "batch_size": 16,
            "eval_batch_size": 16}
    teacher = {"name": "run", "config": {**data, "model": "cnn1", "model_kw": {"filters": 4}, "epochs": 1}}
    cfg = from_dict({**data, "model": "dual_head", "model_kw": {"base": "cnn1", "base_kw": {"filters": 4}},
                     "epochs": 3, "lr": 1e12, "teacher": teacher,
                     "extra_losses": [{"name": "dhkd", "mode": "single_head", "kd": "binary_kl", "alpha": 1.0}]})
    run = train(cfg, tmp_path, progress=False)
    assert run.status.startswith("N.A."), run.status
    s = H.run_summary(run)
    assert s["diverged"] and np.isnan(s["top_test_acc"])


# ----------------------------------------------------------------------------- DKD twin and hook

@pytest.mark.parametrize("reduction", ["sum", "batchmean", "none"])
@pytest.mark.parametrize("seed", range(3))
def test_dkd_twin_matches_numpy_and_gradient(reduction, seed):
    rng = np.random.default_rng(seed)
    zs, zt = 3 * rng.standard_normal((6, 9)), 3 * rng.standard_normal((6, 9))
    y = rng.integers(0, 9, 6)
    z = torch.tensor(zs, requires_grad=True)
    got = TL.dkd_loss(z, torch.tensor(zt), torch.tensor(y), 1.0, 8.0, 4.0, reduction)
    np.testing.assert_allclose(got.detach().numpy(), D.dkd_loss(zs, zt, y, 1.0, 8.0, 4.0, reduction),
                               rtol=1e-10, atol=1e-12)
    if reduction != "none":
        got.backward()
        np.testing.assert_allclose(z.grad.numpy(), D.dkd_loss_grad(zs, zt, y, 1.0, 8.0, 4.0, reduction),
                                   rtol=1e-10, atol=1e-12)
        assert torch.autograd.gradcheck(
            lambda a: TL.dkd_loss(a, torch.tensor(zt), torch.tensor(y), 1.0, 8.0, 4.0, reduction),
            (torch.tensor(zs, requires_grad=True),))


def test_dkd_twin_equals_official_masked_form():
    """mdistiller's dkd_loss (cat_mask, −1000·gt_mask), re-typed from its definition, in float64."""
    rng = np.random.default_rng(5)
    zs, zt = torch.tensor(2 * rng.standard_normal((7, 12))), torch.tensor(2 * rng.standard_normal((7, 12)))
    y = torch.tensor(rng.integers(0, 12, 7))
    T, a, b = 4.0, 1.0, 8.0
    gt = F.one_hot(y, 12).bool()
    ps, pt = F.softmax(zs / T, 1), F.softmax(zt / T, 1)
    cat = lambda p: torch.stack([(p * gt).sum(1), (p * ~gt).sum(1)], 1)
    tckd = F.kl_div(torch.log(cat(ps)), cat(pt), reduction="sum") * T ** 2 / 7
    nckd = F.kl_div(F.log_softmax(zs / T - 1000.0 * gt, 1), F.softmax(zt / T - 1000.0 * gt, 1),
                    reduction="sum") * T ** 2 / 7
    assert float(TL.dkd_loss(zs, zt, y, a, b, T)) == pytest.approx(float(a * tckd + b * nckd), rel=1e-10)


@pytest.mark.parametrize("epoch,ramp", [(1, 1 / 20), (10, 0.5), (20, 1.0), (200, 1.0)])
def test_dkd_hook_warmup(epoch, ramp):
    torch.manual_seed(0)
    logits, zt = torch.randn(4, 5, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 3])
    hook = get_hook("loss", {"name": "dkd", "beta": 2.0}, HookEnv())
    got = hook(StepContext(None, None, y, logits, zt, epoch, 0))["dkd"]
    assert float(got) == pytest.approx(ramp * float(TL.dkd_loss(logits, zt, y, 1.0, 2.0, 4.0)), rel=1e-12)
    with pytest.raises(ValueError, match="unknown keys"):
        get_hook("loss", {"name": "dkd", "gamma": 1}, HookEnv())
    with pytest.raises(ValueError, match="teacher"):
        hook(StepContext(None, None, y, logits, None, 1, 0))


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("aux", ["linear", "mlp"])
def test_ga_backward_two_vjp_equals_official_flat(aux, batched):
    """The fast GA (one VJP per loss from the features, scalars per tensor) = the two-pass official form."""
    m = small_student(aux)
    torch.manual_seed(1)                       # the same dropout mask in both forward passes
    t, _ = losses_for(m)
    ref = H.ga_backward(list(m.parameters()), t["ce"], t["kd"], "flat")
    want = np_flat(m)
    torch.manual_seed(1)
    t, _ = losses_for(m)
    got = H.ga_backward_two_vjp(m, t["ce"], t["kd"], batched=batched)
    np.testing.assert_allclose(np_flat(m), want, rtol=1e-12, atol=1e-14)
    assert float(got["cosine"]) == pytest.approx(ref["cosine"], rel=1e-10, abs=1e-14)


def test_ga_backward_two_vjp_conflict_and_zoo_float32():
    """A conflicting pair (s < 0 applied) on a zoo student in float32: equal to the two-pass result
    to float32 rounding, and the head-1 gradient scaled by (1 − s)."""
    torch.manual_seed(0)
    m = H.dual_head(num_classes=10, base="kd.resnet8", image_size=16)
    x, y = torch.randn(8, 3, 16, 16), torch.randint(0, 10, (8,))
    zt = -5 * F.one_hot(y, 10).float()          # teacher against the labels: the losses conflict
    def losses():
        main, aux = m.forward_both(x)
        t = H.dhkd_loss(main, aux, zt, y, alpha=5.0, T=2.0)
        return t["ce"], t["kd"]
    ref = H.ga_backward(list(m.parameters()), *losses(), "flat")
    want = torch.cat([p.grad.reshape(-1) for p in m.parameters()]).clone()
    got = H.ga_backward_two_vjp(m, *losses())
    have = torch.cat([p.grad.reshape(-1) for p in m.parameters()])
    assert ref["conflict"] and bool(got["conflict"])
    torch.testing.assert_close(have, want, rtol=1e-5, atol=1e-6 * float(want.abs().max()))


def test_no_collapse_within_a_horizon_shorter_than_the_papers_is_inconclusive():
    """Table 6 / App. A: runs too short to reach the paper's earliest collapse cannot refute it."""
    from types import SimpleNamespace

    from validation.registry import SuiteContext
    from validation.suites import _dhkd_nets as N

    ctx = SuiteContext(preset="quick", out=None, progress=False)
    lrs = ["lr_0.01", "lr_0.005", "lr_0.001"]
    none = _fake_summaries(lrs, {s: 0.5 for s in lrs})
    short = N.table6_claim(ctx, "dhkd.table6.learning_rates", "Table 6", "s", None, none, 10, 0.0, horizon=189)
    long = N.table6_claim(ctx, "dhkd.table6.learning_rates", "Table 6", "s", None, none, 10, 0.0,
                          horizon=N.PAPER_COLLAPSE_HORIZON_STEPS)
    assert short.status == "inconclusive" and long.status == "refuted"
    assert short.falsifiable                     # "every run diverged" still confirms
    cfg = SimpleNamespace(train_subset=4000, synthetic=None, dataset="fashion-mnist-pairs100", batch_size=64,
                          max_steps_per_epoch=None, epochs=3)
    assert N.horizon_steps([SimpleNamespace(config=cfg)]) == 189
    paper = SimpleNamespace(train_subset=None, synthetic=None, dataset="cifar100", batch_size=64,
                            max_steps_per_epoch=None, epochs=240)
    assert N.horizon_steps([SimpleNamespace(config=paper)]) == 240 * 782
