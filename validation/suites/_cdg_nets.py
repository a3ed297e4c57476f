"""Network claims of paper 003 (cdg) from the runs the cache holds: Figs 4–6, 8–11, Table 2.

The cdg suite calls :func:`network_claims`. Runs are found, never made, here: they are the runs
of ``analysis/nets/configs/cdg/*.yaml`` for the context's preset (Fig. 6, its controls and the
correlation of trained networks: ``cdg/fig6``; Fig. 5 right / Fig. 10 and the quick LS
comparisons of Fig. 4: ``cdg/fig5``; Table 2 / Fig. 5 left: ``cdg/table2``, or
``cdg/table2_quick`` for the quick preset). While any run of an experiment is missing its claims
are ``not-run`` and name the command ``workbench figures --only <ID>``.

Power and decision (issue 16): every network claim with runs carries, in ``measured``, the
:func:`analysis.stats.effect_summary` of its effect (``design``, ``n``, ``effect``, ``sd``,
``se``, ``ci``, ``p_two_sided``, ``mde``: 80 % power, two-sided α = 0.05, paired by seed),
``paper_effect`` where the paper prints one and ``power_ok`` = mde ≤ |paper_effect| (None
without a paper number); the claim's ``ci`` is that interval. Accuracies are in percentage
points. The quick tier is a stand-in (a 2-layer CNN on Fashion-MNIST for ResNet-56/VGG-16 on
CIFAR-10; 1–2 epochs for 100–240), so every claim decides by the DIRECTION of the effect
(``effect_rule(sign, key="ci", direction_only=True)``): interval above 0 on the paper's side →
confirmed, on the other side → deviates, containing 0 → inconclusive. Where several settings face
one baseline, a primary setting fixed in the config before any run decides (λ = w = 1; conv
layers; LS rasterized over all layers; batch 10) and the others are listed with Holm-adjusted
p-values (:func:`analysis.stats.holm`) — never the best of several. The counterfactual is the
same comparison with method and baseline exchanged (the interval negated).

Variance (Fig. 5 left): Brown–Forsythe-type test paired by seed — each run's absolute deviation
from its group's median accuracy, H̃1 minus SGD, through ``effect_summary`` (negative: H̃1's
spread is smaller); the sd ratio, the log variance ratio, Levene's (median-centred) two-sample
test and the Pitman–Morgan test for paired variances are recorded beside it.

Correlation claims (Figs 1, 11) read ``<run>/cdg_correlation.json``
(:func:`analysis.nets.cdg.run_correlation_summary`), written from ``checkpoint.pt`` by the figure
scripts (or here on first use): the committed records, without checkpoints, rebuild them.
"""
from __future__ import annotations

import math
import time

import numpy as np

from validation.ledger import Claim, Counterfactual, Rule, effect_rule, statistic_rule, printed_half_unit
from validation.registry import SuiteContext
from validation.suites._common import experiment_runs, make_claim, not_run_claim

PAPER = "003_655c529fd29726cb.txt"

#: pre-registered primary settings (also in the configs' descriptions), fixed before any quick run
PRIMARY_VALUE = 1.0          # λ of H0_λ and w of H̃1 (§4 "We fix λ = 1 unless specified otherwise")
ADAM_PRIMARY_LR = 0.001      # Table 1 (the §4 text's 0.01 is the second reading, run beside it)
#: Table 2, SGD ResNet-56: +H̃1 at batch 8 minus SGD, and that gain minus the batch-128 gain (points)
PAPER_GAIN_SMALL_BATCH = round(87.99 - 86.54, 2)
PAPER_GAIN_GROWTH = round((87.99 - 86.54) - (93.39 - 93.24), 2)


# ----------------------------------------------------------------------------- shared helpers

def _runs_of(ctx: SuiteContext, experiment: str):
    """(experiment, finished runs in exp.runs order) for ctx.preset, or (exp, None) if any run is
    missing from the cache under ctx.out (exp None when the preset is not defined)."""
    exp, runs, missing = experiment_runs(ctx, experiment, ctx.preset)
    if exp is None:
        return None, None
    if missing:
        return exp, None
    return exp, [r for rs in runs.values() for r in rs]


def _acc_by_seed(runs) -> dict:
    """{seed: last-epoch test accuracy in %} of the finished runs (Fig. 6: "accuracy at the 100th epoch")."""
    out = {}
    for r in runs or []:
        if r is not None and r.status == "done":
            v = 100.0 * r.last("test_acc")
            if np.isfinite(v):
                out[int(r.config.seed)] = float(v)
    return out


def _summary(a: dict, b: dict) -> dict:
    """analysis.stats.effect_summary of b − a paired by seed ({seed: value} each), plus the seeds."""
    from analysis import stats

    seeds = sorted(s for s in b if s in a)
    nan = float("nan")
    if len(seeds) < 2:
        d = [b[s] - a[s] for s in seeds]
        return {"design": "paired", "n": len(seeds), "effect": float(np.mean(d)) if d else nan, "sd": nan,
                "se": nan, "ci": None, "p_two_sided": nan, "mde": nan, "seeds": seeds}
    res = stats.effect_summary([a[s] for s in seeds], [b[s] for s in seeds], paired=True)
    res = {k: res[k] for k in ("design", "n", "effect", "sd", "se", "ci", "p_two_sided", "mde")}
    res["ci"] = None if res["ci"] is None else [float(c) for c in res["ci"]]
    return {**res, "seeds": seeds}


def _power(summ: dict, paper_effect=None) -> dict:
    """The issue-16 fields of a claim's ``measured``: the summary, paper_effect, power_ok."""
    out = {k: summ[k] for k in ("design", "n", "effect", "sd", "se", "ci", "p_two_sided", "mde")}
    mde = summ["mde"]
    out["paper_effect"] = paper_effect
    out["power_ok"] = (bool(mde <= abs(paper_effect)) if paper_effect is not None and np.isfinite(mde)
                       else None)
    return out


def _holm_family(named: dict) -> dict:
    """{name: summary} → {name: effect, ci, n, p, p_holm} (Holm over the family, α = 0.05)."""
    from analysis import stats

    names = list(named)
    adj = stats.holm([named[n]["p_two_sided"] for n in names]) if names else []
    return {n: {"effect": named[n]["effect"], "ci": named[n]["ci"], "n": named[n]["n"],
                "p": named[n]["p_two_sided"], "p_holm": float(adj[i])} for i, n in enumerate(names)}


DIRECTION_NOTE = (" Decision: direction only (effect_rule, key ci): the 95 % interval above 0 on the paper's "
                  "side → confirmed, on the other side → deviates, containing 0 → inconclusive; the quick tier is a "
                  "stand-in (2-layer CNN, Fashion-MNIST, 1–2 epochs), so the paper's effect size is not comparable"
                  " (power_ok is stated against it where the paper prints one).")


def _effect_claim(ctx: SuiteContext, t0: float, summ: dict, *, sign: float = 1.0, paper_effect=None,
                  extra: dict | None = None, note: str = "", kind: str = "paper-statement", **kw) -> Claim:
    """A network claim decided by the direction of one paired effect (see the module docstring)."""
    ci = summ["ci"]
    rule = effect_rule(paper_effect if paper_effect is not None else sign, key="ci", direction_only=True)
    measured = {**_power(summ, paper_effect), "seeds": summ.get("seeds"), **(extra or {})}
    cf = {**measured, "ci": None if ci is None else [-ci[1], -ci[0]]}
    mde = summ["mde"]
    summary = (f"effect {summ['effect']:.3g}" + (f", 95% CI [{ci[0]:.3g}, {ci[1]:.3g}]" if ci else ", no interval")
               + f", n {summ['n']}" + (f", mde {mde:.3g}" if np.isfinite(mde) else ""))
    return make_claim(PAPER, ctx, t0, evidence="network", kind=kind, measured=measured, ci=ci, rule=rule,
                      counterfactuals=[Counterfactual("method and baseline exchanged", cf)], summary=summary,
                      note=(note + DIRECTION_NOTE).strip(), **kw)


def _cifar_missing(ctx: SuiteContext) -> str:
    from analysis.nets.data import find_dataset

    try:
        find_dataset("cifar10", "train", ctx.data_dir)
        return ""
    except FileNotFoundError:
        return "CIFAR-10 not found; `workbench data` lists where it was looked for"


def _paper_scale(ctx: SuiteContext, cid: str, where: str, statement: str, expected, fig_id: str,
                 note: str, **kw) -> Claim:
    """A CIFAR-10 (paper-preset) network claim that cannot be made here: not-run, or
    not-testable-offline where CIFAR-10 is absent."""
    claim = not_run_claim(PAPER, ctx, cid, where, statement, fig_id, expected=expected, note=note,
                          preset="paper", **kw)
    missing = _cifar_missing(ctx)
    if missing:
        claim.status = claim.summary = "not-testable-offline"
        claim.note = f"Not testable here: {missing}. " + claim.note
    return claim


def network_claims(ctx: SuiteContext):
    yield from _fig6_claims(ctx)
    yield from _fig5_claims(ctx)
    yield from _table2_claims(ctx)
    yield from _ls_claims(ctx)


# ----------------------------------------------------------------------------- Fig. 6, its controls, Fig. 11

FIG6_NOT_RUN = (
    ("cdg.fig6.h0_gain_over_sgd", "Fig. 6, §4 'Effect of Smoothing Parameter'",
     "H0_λ improves test accuracy over SGD (λ = 0) for every λ in (0, 20] on (Fashion-)MNIST with the "
     "2-layer CNN.", "cdg_fig6", "gain > 0 (primary λ = 1; others Holm)", "paper-statement", "Fig. 6"),
    ("cdg.fig6.h1_gain_over_sgd", "Fig. 6",
     "H̃1 improves test accuracy over SGD for every smoothing value in (0, 20].", "cdg_fig6",
     "gain > 0 (primary w = 1; others Holm)", "paper-statement", "Fig. 6"),
    ("cdg.control.h1_vs_h0_same_step", "Fig. 3 code vs §3 (control, issue 16 §3)",
     "H̃1(w) is more than a (1 + w)× step along the channel mean: it beats H0_λ at λ = w.", "cdg_fig6",
     "H̃1(w) − H0_λ(λ = w) > 0", "derived", "Fig. 6"),
    ("cdg.control.h1_vs_norm_matched_sgd", "§3 (control, issue 16 §3)",
     "H̃1's gain is smoothing, not step length: H̃1 beats SGD with each conv tensor's step rescaled to "
     "H̃1's gradient norm.", "cdg_fig6", "H̃1 − norm-matched SGD > 0", "derived", "Fig. 6"),
    ("cdg.sec2_4.cdg_raises_output_correlation", "§2.4, Fig. 11, Appendix C",
     "Networks trained with H̃1 or H0_λ have higher output-channel correlation than SGD-trained ones.",
     "cdg_fig11", "output corr: H̃1 − SGD > 0 (primary)", "paper-statement", "Fig. 11"),
    ("cdg.fig11.output_corr_vs_distance", "Fig. 11, Appendix C",
     "Trained networks show more correlation between filters in the output-channel direction than in the "
     "input direction, at every distance |i − j|.", "cdg_fig11", "output − input > 0 (primary: SGD)",
     "paper-statement", "Fig. 11"),
)


def _fig6_not_run(ctx, ids=None, note="Reads the Fig. 6 runs (cdg_fig6 and cdg_fig11 make the same runs)."):
    for cid, where, statement, fig, expected, kind, section in FIG6_NOT_RUN:
        if ids is None or cid in ids:
            yield not_run_claim(PAPER, ctx, cid, where, statement, fig, expected=expected, note=note,
                                kind=kind, section=section)


def _fig6_claims(ctx: SuiteContext):
    from analysis.nets.cdg import group_runs

    t0 = time.perf_counter()
    exp, runs = _runs_of(ctx, "cdg/fig6")
    if runs is None:
        yield from _fig6_not_run(ctx)
        return
    groups = group_runs(runs)
    datasets = sorted({k.dataset for k in groups})
    primary_ds = "fashion-mnist" if "fashion-mnist" in datasets else datasets[0]
    acc = {(k.dataset, k.method, k.value): _acc_by_seed(v) for k, v in groups.items()}
    prim = f"{primary_ds}.value={PRIMARY_VALUE:g}"
    note0 = (f"Preset {ctx.preset}. Trained on the 10k test split and tested on the training split, as the paper "
             "does (quick: a fixed 10k subset of it; 2 epochs for the paper's 100). Primary setting, fixed in "
             f"cdg/fig6.yaml before any run: {prim}; every other value is listed with its Holm-adjusted p "
             "(family: all values of the method). The paper-preset λ grid is a choice (Fig. 6's axis is lost in "
             "this copy). Fig. 6's values are unreadable here: no paper effect size.")
    for meth, name in (("h0", "H0_λ (Fig. 3 code)"), ("h1", "H̃1 (f + w·S_1 f)")):
        fam = {f"{ds}.value={v:g}": _summary(acc[(ds, "baseline", 0.0)], acc[(ds, m, v)])
               for (ds, m, v) in sorted(acc) if m == meth}
        if prim not in fam:
            continue
        yield _effect_claim(
            ctx, t0, fam[prim], extra={"primary": prim, "holm": _holm_family(fam),
                                       "sgd_acc_pct": float(np.mean(list(acc[(primary_ds, "baseline", 0.0)].values())))},
            id=f"cdg.fig6.{meth}_gain_over_sgd", section="Fig. 6", figures=["cdg_fig6"],
            where="Fig. 6, §4 'Effect of Smoothing Parameter' ('improve SGD for any λ')",
            statement=f"{name} improves final test accuracy over SGD (λ = 0) for every λ tried.",
            expected="gain > 0 (points; primary λ = w = 1)", note=note0)
        t0 = time.perf_counter()
    # controls (issue 16 §3): H̃1(w) vs H0_λ at λ = w, and vs SGD with H̃1's per-tensor step norm
    fam = {f"{ds}.w={v:g}": _summary(acc[(ds, "h0", v)], acc[(ds, "h1", v)])
           for (ds, m, v) in sorted(acc) if m == "h1" and (ds, "h0", v) in acc}
    pw = f"{primary_ds}.w={PRIMARY_VALUE:g}"
    if pw in fam:
        yield _effect_claim(
            ctx, t0, fam[pw], kind="derived", extra={"primary": pw, "holm": _holm_family(fam)},
            id="cdg.control.h1_vs_h0_same_step", section="Fig. 6", figures=["cdg_fig6"],
            where="Fig. 3 code vs §3 (control, issue 16 §3; the review's near-equivalence (f + S_1 f) ≈ (f + f̄))",
            statement="H̃1(w) is more than a (1 + w)× step along the channel mean: its accuracy exceeds "
                      "H0_λ's at λ = w (Fig. 3's code f + λf̄ = (f − f̄) + (1 + λ)f̄).",
            expected="H̃1(w) − H0_λ(λ = w) > 0; the paper: 'Both gradients perform similarly'",
            note=f"Preset {ctx.preset}; the Fig. 6 runs, paired by seed; primary w = λ = 1, the others with Holm. "
                 "A control the paper lacks: inconclusive means H̃1 is not told apart from a bigger step along "
                 "the channel mean at this power (see mde).")
        t0 = time.perf_counter()
    fam = {f"{ds}.w={v:g}": _summary(acc[(ds, "h1norm", v)], acc[(ds, "h1", v)])
           for (ds, m, v) in sorted(acc) if m == "h1" and (ds, "h1norm", v) in acc}
    if pw in fam:
        nm = acc[(primary_ds, "h1norm", PRIMARY_VALUE)]
        yield _effect_claim(
            ctx, t0, fam[pw], kind="derived",
            extra={"primary": pw, "holm": _holm_family(fam),
                   "norm_matched_minus_sgd": _summary(acc[(primary_ds, "baseline", 0.0)], nm)},
            id="cdg.control.h1_vs_norm_matched_sgd", section="Fig. 6", figures=["cdg_fig6"],
            where="§3 (control, issue 16 §3): SGD with each conv tensor's step rescaled to H̃1's gradient norm",
            statement="H̃1's gain is smoothing, not step length: H̃1(w) beats SGD whose per-tensor gradient is "
                      "rescaled to the norm of the H̃1(w) gradient.",
            expected="H̃1 − norm-matched SGD > 0",
            note=f"Preset {ctx.preset}; grad hook method 'h1norm' (analysis.nets.cdg.transform_gradient: g·‖g + "
                 "w·S_1 g‖/‖g‖ per conv tensor, every step); paired by seed; norm_matched_minus_sgd separates the "
                 "step-length effect from SGD.")
        t0 = time.perf_counter()
    yield from _correlation_of_runs(ctx, groups, t0)


def _correlation_of_runs(ctx: SuiteContext, groups: dict, t0: float):
    """Output/input-channel correlation (Fig. 1 statistic) and Fig. 11's distance profile of the
    Fig. 6 networks at λ = w = 1 (and at init), paired by seed, from the runs' cached summaries."""
    from analysis.nets.cdg import run_correlation_summary

    summ: dict = {}
    try:
        for key, rs in groups.items():
            if key.method in ("baseline", "h0", "h1", "h1norm") and (key.method == "baseline"
                                                                     or key.value == PRIMARY_VALUE):
                for r in rs:
                    cs = run_correlation_summary(r)
                    summ.setdefault((key.dataset, key.method), {})[int(r.config.seed)] = cs["trained"]
                    if key.method == "baseline":
                        summ.setdefault((key.dataset, "init"), {})[int(r.config.seed)] = cs["init"]
    except FileNotFoundError as e:
        yield from _fig6_not_run(ctx, {"cdg.sec2_4.cdg_raises_output_correlation", "cdg.fig11.output_corr_vs_distance"},
                                 note=f"The Fig. 6 runs lack their correlation summaries and checkpoints ({e}); "
                                      "`workbench figures --only cdg_fig11` writes them while the checkpoints exist.")
        return
    datasets = sorted({ds for ds, _ in summ})
    ds0 = "fashion-mnist" if "fashion-mnist" in datasets else datasets[0]

    def stat(ds, meth, f):
        return {s: f(v) for s, v in summ.get((ds, meth), {}).items()}

    out_corr = {(ds, m): stat(ds, m, lambda v: v["table"]["output"]) for ds, m in summ}
    table = {f"{ds}.{m}": {"output_corr": float(np.mean(list(out_corr[(ds, m)].values()))),
                           "input_corr": float(np.mean([v["table"]["input"] for v in summ[(ds, m)].values()])),
                           "n": len(summ[(ds, m)])} for ds, m in sorted(summ)}
    fam = {f"{ds}.{m}": _summary(out_corr[(ds, "baseline")], out_corr[(ds, m)])
           for ds, m in sorted(summ) if m in ("h0", "h1")}
    prim = f"{ds0}.h1"
    if prim in fam:
        yield _effect_claim(
            ctx, t0, fam[prim], extra={"primary": prim, "holm": _holm_family(fam), "by_method": table},
            id="cdg.sec2_4.cdg_raises_output_correlation", section="Fig. 11", figures=["cdg_fig11"],
            where="§2.4, Fig. 11, Appendix C ('our methods increase the amount of regularity compared to SGD')",
            statement="Networks trained with H̃1 or H0_λ have higher output-channel correlation than SGD-trained ones.",
            expected="output corr: H̃1 − SGD > 0 (primary), H0_λ − SGD > 0",
            note="Statistic: mean off-diagonal Pearson correlation between output-channel slices, averaged over "
                 "conv layers with ≥ 2 channels (Fig. 1 reading); the Fig. 6 runs (2-layer CNN) at λ = w = 1, "
                 "paired by seed; primary H̃1 (pre-registered), H0_λ with Holm; 'init' and the norm-matched "
                 "control are listed. Read from <run>/cdg_correlation.json (no checkpoint needed).")
        t0 = time.perf_counter()
    prof_fam, prof = {}, {}
    for ds, m in sorted(summ):
        per = {s: v["profile"] for s, v in summ[(ds, m)].items() if v.get("profile")}
        if not per:
            continue
        o = {s: float(np.mean(p["output"])) for s, p in per.items()}
        i = {s: float(np.mean(p["input"])) for s, p in per.items()}
        prof[f"{ds}.{m}"] = {"output_profile": np.mean([p["output"] for p in per.values()], axis=0).tolist(),
                             "input_profile": np.mean([p["input"] for p in per.values()], axis=0).tolist()}
        if m in ("baseline", "h0", "h1"):
            prof_fam[f"{ds}.{m}"] = _summary(i, o)
    prim = f"{ds0}.baseline"
    if prim in prof_fam:
        yield _effect_claim(
            ctx, t0, prof_fam[prim], extra={"primary": prim, "holm": _holm_family(prof_fam), "profiles": prof},
            id="cdg.fig11.output_corr_vs_distance", section="Fig. 11", figures=["cdg_fig11"],
            where="Fig. 11, Appendix C ('all optimization methods produce tensors that exhibit correlation … "
                  "in the output channel direction while no (or much less) correlation in the input direction')",
            statement="Trained networks show more correlation between filters in the output-channel direction "
                      "than in the input direction (mean correlation over distances |i − j| = 1 … 8).",
            expected="output − input > 0 (primary: SGD-trained; H0_λ, H̃1 with Holm)",
            note="analysis.correlation.layers_correlation_vs_distance (signed Pearson correlation at each "
                 "distance, averaged over layers) on the Fig. 6 runs: a 2-layer CNN stand-in for the paper's "
                 "CIFAR-10 ResNet-56 (10 trials); paired by seed, the profile difference averaged over distances. "
                 "Signed, not |corr|: mean |corr| of noise scales like 1/√(slice length), which differs between "
                 "the axes. Primary: SGD (the plain optimizer; the statement covers all), pre-registered.")


# ----------------------------------------------------------------------------- Fig. 5 right, Fig. 10, Fig. 4 (quick LS)

FIG5_NOT_RUN = (
    ("cdg.fig5right.direction.output", "Smoothing along the output-channel axis improves test accuracy over SGD.",
     "gain > 0 (primary: conv layers)"),
    ("cdg.fig5right.direction.input", "Smoothing along the input-channel axis is worse than along the output axis.",
     "output − input > 0 (primary: conv layers)"),
    ("cdg.fig5right.direction.raster", "Smoothing only the conv layers in a rasterized order is worse than SGD.",
     "SGD − raster/conv > 0"),
    ("cdg.fig4.quick.h1_vs_ls", "H̃1 (output, conv) beats LS (Osher et al., rasterized, all layers) and LS-ChanDir.",
     "H̃1 − LS > 0 (primary), H̃1 − LS-ChanDir > 0"),
    ("cdg.fig4.quick.ls_chandir_vs_ls", "LS along the output channels (LS-ChanDir) beats rasterized LS.",
     "LS-ChanDir − LS > 0"),
)


def _fig5_claims(ctx: SuiteContext):
    from analysis.nets.cdg import group_runs

    t0 = time.perf_counter()
    exp, runs = _runs_of(ctx, "cdg/fig5")
    if runs is None:
        for cid, statement, expected in FIG5_NOT_RUN:
            fig4 = cid.startswith("cdg.fig4")
            yield not_run_claim(PAPER, ctx, cid, "Fig. 4, §4" if fig4 else "Fig. 5 right, Fig. 10", statement,
                                "cdg_fig5", expected=expected, kind="paper-statement",
                                section="Fig. 4" if fig4 else "Fig. 5 / Fig. 10")
        return
    groups = group_runs(runs)
    acc = {(k.method, k.axis, k.layers): _acc_by_seed(v) for k, v in groups.items()}
    sgd = acc[("baseline", "output", "conv")]
    h1 = {(a, l): acc[("h1", a, l)] for (m, a, l) in acc if m == "h1"}
    common = dict(where="Fig. 5 right, Fig. 10, §4", section="Fig. 5 / Fig. 10", figures=["cdg_fig5"])
    note = (f"Preset {ctx.preset}; H̃1 = f + S_1(f) (λ = 1); last-epoch test accuracy (points), paired by seed. "
            "'all' smooths every parameter with ≥ 2 entries on the axis (biases too). Primary (pre-registered in "
            "cdg/fig5.yaml): conv layers; all layers reported with Holm. Fig. 5 right's bars are unreadable "
            "here: no paper effect size.")
    fam = {f"output/{l}": _summary(sgd, h1[("output", l)]) for l in ("conv", "all") if ("output", l) in h1}
    yield _effect_claim(ctx, t0, fam["output/conv"], extra={"primary": "output/conv", "holm": _holm_family(fam)},
                        id="cdg.fig5right.direction.output", expected="gain > 0 (primary: conv layers)",
                        statement="Smoothing along the output-channel axis improves test accuracy over SGD "
                                  "(conv layers; all layers beside it).", note=note, **common)
    t0 = time.perf_counter()
    fam = {f"output_minus_input/{l}": _summary(h1[("input", l)], h1[("output", l)]) for l in ("conv", "all")
           if ("input", l) in h1 and ("output", l) in h1}
    yield _effect_claim(ctx, t0, fam["output_minus_input/conv"],
                        extra={"primary": "output_minus_input/conv", "holm": _holm_family(fam)},
                        id="cdg.fig5right.direction.input", expected="output − input > 0 (primary: conv layers)",
                        statement="Smoothing along the input-channel axis is worse than along the output-channel "
                                  "axis.", note=note, **common)
    t0 = time.perf_counter()
    extra = {"primary": "sgd_minus_raster/conv"}
    if ("raster", "all") in h1:
        extra["raster/all_minus_sgd"] = _summary(sgd, h1[("raster", "all")])
    yield _effect_claim(ctx, t0, _summary(h1[("raster", "conv")], sgd), extra=extra,
                        id="cdg.fig5right.direction.raster", expected="SGD − raster/conv > 0",
                        statement="Smoothing only the conv layers in a rasterized order performs worse than SGD "
                                  "('Note LS makes up the loss … with smoothing in other layers': raster/all is "
                                  "listed).", note=note, **common)
    ls = {(a, l): acc[("ls", a, l)] for (m, a, l) in acc if m == "ls"}
    if ("raster", "all") not in ls or ("output", "conv") not in ls:
        return
    t0 = time.perf_counter()
    h1o = h1[("output", "conv")]
    lsnote = (f"Preset {ctx.preset}; quick-scale Fig. 4 (the paper: ResNet-56, CIFAR-10, batch 8): LS = Osher et "
              "al.'s Laplacian smoothing (I + σL)⁻¹, σ = 1 (their setting; cdg does not state it), rasterized over "
              "each tensor of all layers; LS-ChanDir = LS along the output channels of the conv layers "
              "(grad hook method 'ls'); paired by seed, last-epoch accuracy in points.")
    fam = {"h1_minus_ls": _summary(ls[("raster", "all")], h1o), "h1_minus_ls_chandir": _summary(ls[("output", "conv")], h1o)}
    yield _effect_claim(ctx, t0, fam["h1_minus_ls"],
                        extra={"primary": "h1_minus_ls", "holm": _holm_family(fam),
                               "ls_minus_sgd": _summary(sgd, ls[("raster", "all")]),
                               "ls_chandir_minus_sgd": _summary(sgd, ls[("output", "conv")])},
                        id="cdg.fig4.quick.h1_vs_ls", section="Fig. 4", figures=["cdg_fig5"],
                        where="Fig. 4, §4 ('We out-perform all methods … we still out-perform it')",
                        statement="H̃1 (output channels, conv layers) reaches higher test accuracy than LS "
                                  "(rasterized) and than LS-ChanDir.",
                        expected="H̃1 − LS > 0 (primary), H̃1 − LS-ChanDir > 0 (Holm)", note=lsnote)
    t0 = time.perf_counter()
    yield _effect_claim(ctx, t0, _summary(ls[("raster", "all")], ls[("output", "conv")]),
                        id="cdg.fig4.quick.ls_chandir_vs_ls", section="Fig. 4", figures=["cdg_fig5"],
                        where="Fig. 4, §4 ('We also apply LS (without rasterization) … which improves LS')",
                        statement="LS applied along the output channels (LS-ChanDir) beats rasterized LS.",
                        expected="LS-ChanDir − LS > 0", note=lsnote)


# ----------------------------------------------------------------------------- Table 2, Fig. 5 left, Figs 8–9

TABLE2Q_NOT_RUN = (
    ("cdg.fig5left.variance_reduced", "Fig. 5 left ('significantly reduced variance')",
     "At a small batch H̃1's test accuracy varies less across trials than SGD's.",
     "spread(H̃1) − spread(SGD) < 0 at batch 10"),
    ("cdg.fig5left.mean_gain", "Fig. 5 left, Table 2",
     "At a small batch H̃1 gives higher mean test accuracy than SGD.", "H̃1 − SGD > 0 at batch 10"),
    ("cdg.table2.quick.gain_grows_at_small_batch", "§4 and Table 2 ('A greater advantage is achieved with small "
     "batch sizes'), Appendix A", "H̃1's gain over SGD is larger at the small batch than at the large one.",
     "gain(b10) − gain(b100) > 0"),
)


def _table2_quick_claims(ctx: SuiteContext, exp, runs):
    from analysis.nets.cdg import group_runs, paired_spread_test

    groups = group_runs(runs)
    acc = {(k.batch_size, k.method): _acc_by_seed(v) for k, v in groups.items()}
    batches = sorted({b for b, _ in acc})
    small, large = batches[0], batches[-1]
    base = f"Preset {ctx.preset}, experiment {exp.name}: the 2-layer CNN on Fashion-MNIST, batch {large} and {small}, " \
           f"{len(exp.seeds)} seeds, paired by seed; primary H̃1 at batch {small} (pre-registered)."
    t0 = time.perf_counter()
    vt = paired_spread_test(acc[(small, "baseline")], acc[(small, "h1")])
    vt_h0 = paired_spread_test(acc[(small, "baseline")], acc.get((small, "h0"), {}))
    vt_large = paired_spread_test(acc[(large, "baseline")], acc[(large, "h1")])
    yield _effect_claim(
        ctx, t0, vt["summary"], sign=-1.0,
        extra={"test": "paired absolute deviations from each group's median (Brown–Forsythe-type), H̃1 − SGD",
               **{k: v for k, v in vt.items() if k != "summary"},
               "h0_lambda": {k: v for k, v in vt_h0.items() if k != "summary"} | {"abs_dev": vt_h0["summary"]},
               f"batch{large}": {k: v for k, v in vt_large.items() if k != "summary"} | {"abs_dev": vt_large["summary"]}},
        id="cdg.fig5left.variance_reduced", section="Fig. 5 left", figures=["cdg_table2"],
        where="Fig. 5 left ('Ours achieves higher average with significantly reduced variance')",
        statement="At a small batch H̃1's test accuracy varies less across trials than SGD's.",
        expected=f"spread(H̃1) − spread(SGD) < 0 at batch {small} (points of mean absolute deviation)",
        note=base + " Variance test: each run's absolute deviation from its group's median accuracy, H̃1 minus "
             "SGD, paired by seed, through analysis.stats.effect_summary (negative: smaller spread); sd ratio, log "
             "variance ratio, Levene (median) and Pitman–Morgan (paired variances) are listed. Fig. 5 left's "
             "histograms give no number: no paper effect size.")
    t0 = time.perf_counter()
    fam = {f"h1.b{small}": _summary(acc[(small, "baseline")], acc[(small, "h1")])}
    if (small, "h0") in acc:
        fam[f"h0.b{small}"] = _summary(acc[(small, "baseline")], acc[(small, "h0")])
    extra = {"primary": f"h1.b{small}", "holm": _holm_family(fam)}
    if (small, "h0") in acc:
        extra["h1_minus_h0_same_step"] = {f"b{b}": _summary(acc[(b, "h0")], acc[(b, "h1")])
                                          for b in batches if (b, "h0") in acc}
    yield _effect_claim(
        ctx, t0, fam[f"h1.b{small}"], paper_effect=PAPER_GAIN_SMALL_BATCH, extra=extra,
        id="cdg.fig5left.mean_gain", section="Fig. 5 left", figures=["cdg_table2"],
        where="Fig. 5 left, Table 2 (SGD ResNet-56 batch 8: 86.54 → 87.99 with H̃1)",
        statement="At a small batch H̃1 gives higher mean test accuracy than SGD.",
        expected=f"H̃1 − SGD > 0 at batch {small} (paper: +{PAPER_GAIN_SMALL_BATCH} points at batch 8)",
        note=base + " H0_λ (λ = 1) with Holm; H̃1 − H0_λ at λ = w = 1 listed (the issue 16 §3 pairing).")
    t0 = time.perf_counter()
    gs = {s: acc[(small, "h1")][s] - acc[(small, "baseline")][s] for s in acc[(small, "h1")]
          if s in acc[(small, "baseline")]}
    gl = {s: acc[(large, "h1")][s] - acc[(large, "baseline")][s] for s in acc[(large, "h1")]
          if s in acc[(large, "baseline")]}
    yield _effect_claim(
        ctx, t0, _summary(gl, gs), paper_effect=PAPER_GAIN_GROWTH,
        extra={f"gain_b{large}": _summary(acc[(large, "baseline")], acc[(large, "h1")]),
               f"gain_b{small}": _summary(acc[(small, "baseline")], acc[(small, "h1")])},
        id="cdg.table2.quick.gain_grows_at_small_batch", section="Table 2", figures=["cdg_table2"],
        where="§4 and Table 2 ('A greater advantage is achieved with small batch sizes'), Appendix A",
        statement="H̃1's gain over SGD is larger at the small batch than at the large one.",
        expected=f"gain(b{small}) − gain(b{large}) > 0 (paper, SGD ResNet-56: 1.45 − 0.15 = {PAPER_GAIN_GROWTH} points)",
        note=base + " The difference of the two paired gains, paired by seed (same seed: same init at both batches).")


def _table2_claims(ctx: SuiteContext):
    from analysis.nets.cdg import comparison_rows
    from validation.suites.cdg import TABLE2

    t0 = time.perf_counter()
    experiment = "cdg/table2_quick" if ctx.preset == "quick" else "cdg/table2"
    exp, runs = _runs_of(ctx, experiment)
    note_quick = ("Paper preset only (CIFAR-10, GPU-scale); the quick preset runs a Fashion-MNIST "
                  "stand-in (cdg/table2_quick): cdg.fig5left.*, cdg.table2.quick.*. ADAM columns: Table 1's "
                  "lr 1e-3 is the primary reading; §4's 0.01 runs beside it (settings adam_*_lr0.01).")

    def accuracy_not_run():
        for col, (sgd, h1, _, h0, _) in TABLE2.items():
            yield _paper_scale(ctx, f"cdg.table2.{col}.accuracy", f"Table 2, column {col}",
                               "Test accuracy on CIFAR-10 of the baseline, +H̃1 and +H0_λ.",
                               {"baseline": float(sgd), "h1": float(h1), "h0": float(h0)}, "cdg_table2",
                               note_quick, kind="paper-number", section="Table 2")
        yield _paper_scale(ctx, "cdg.fig8_9.h1_improves_every_batch", "Appendix A, Figs 8–9",
                           "H̃1 improves the test accuracy of SGD and ADAM at every batch size (CIFAR-10).",
                           "gain > 0 at every batch", "cdg_table2", note_quick + " The curves of Figs 8–9 "
                           "are the Table 2 runs' per-epoch test accuracy.", kind="paper-statement",
                           section="Appendix A")

    if runs is None:
        for cid, where, statement, expected in TABLE2Q_NOT_RUN:
            yield not_run_claim(PAPER, ctx, cid, where, statement, "cdg_table2", expected=expected,
                                kind="paper-statement", section="Fig. 5 left" if "fig5left" in cid else "Table 2",
                                preset="quick" if experiment == "cdg/table2_quick" else None)
        yield from accuracy_not_run()
        return
    if experiment != "cdg/table2":
        yield from _table2_quick_claims(ctx, exp, runs)
        yield from accuracy_not_run()
        return
    rows = comparison_rows(runs)
    alt_rows = [r for r in rows if r["optimizer"] == "adam" and r["lr"] != ADAM_PRIMARY_LR]
    rows = [r for r in rows if r["optimizer"] != "adam" or r["lr"] == ADAM_PRIMARY_LR]
    for col, (sgd, h1, _, h0, _) in TABLE2.items():
        t0 = time.perf_counter()
        opt, model, b = col.split(".")
        cell = {r["method"]: r for r in rows if r["optimizer"] == opt and r["model"] == model
                and r["batch_size"] == int(b[1:])}
        accs = {}
        for meth, printed in (("baseline", sgd), ("h1", h1), ("h0", h0)):
            r = cell.get(meth)
            if r is None:
                continue
            se = 100 * r["acc_sd"] / math.sqrt(r["n"]) if r["n"] > 1 else 0.0
            _, accept = statistic_rule(float(printed), se if np.isfinite(se) else 0.0, 0.0,
                                       printed_half_unit(printed))
            accs[meth] = {"acc_pct": 100 * r["acc_mean"], "se_pct": se, "n": r["n"], "accept": accept}

        def all_in(m):
            m = m["accuracies"]
            return len(m) == 3 and all(v["accept"][0] <= v["acc_pct"] <= v["accept"][1] for v in m.values())

        gain = (_summary({int(k): 100 * v for k, v in cell["baseline"]["by_seed"].items()},
                         {int(k): 100 * v for k, v in cell["h1"]["by_seed"].items()})
                if "baseline" in cell and "h1" in cell else _summary({}, {}))
        measured = {"accuracies": accs, **_power(gain, round(float(h1) - float(sgd), 2)), "gain": "H̃1 − baseline"}
        alt = {f"{r['method']}.lr{r['lr']:g}": {"acc_pct": 100 * r["acc_mean"], "n": r["n"],
                                                "gain_pct": 100 * r["gain_mean"]}
               for r in alt_rows if r["optimizer"] == opt and r["model"] == model and r["batch_size"] == int(b[1:])}
        if alt:
            measured["second_reading_adam_lr"] = alt          # §4's 0.01 beside Table 1's 1e-3
        printed = {"baseline": sgd, "h1": h1, "h0": h0}
        as_printed = {**measured, "accuracies": {k: {**v, "acc_pct": float(printed[k])} for k, v in accs.items()}}
        no_effect = {**measured, "accuracies": {k: {**v, "acc_pct": accs["baseline"]["acc_pct"]}
                                                for k, v in accs.items()}} if "baseline" in accs else measured
        yield make_claim(
            PAPER, ctx, t0, id=f"cdg.table2.{col}.accuracy", kind="paper-number", evidence="network",
            section="Table 2", where=f"Table 2, column {col}", figures=["cdg_table2"],
            statement="Test accuracy on CIFAR-10 of the baseline, +H̃1 and +H0_λ.",
            expected={"baseline": float(sgd), "h1": float(h1), "h0": float(h0)}, measured=measured,
            ci=gain["ci"],
            rule=Rule("each accuracy inside its DESIGN.md accept interval (se_paper unknown, taken as 0; "
                      "half unit 0.005)", lambda m: "confirmed" if all_in(m) else "deviates", None, 0.0081,
                      "3 accuracies in accept"),
            counterfactuals=[Counterfactual("the paper's printed accuracies", as_printed),
                             Counterfactual("no effect of the methods (our baseline for all three)", no_effect)],
            note=f"Preset {ctx.preset}; §4's lr schedule (÷10 every 40 epochs); ADAM at Table 1's lr 1e-3 (primary "
                 "reading; §4's 0.01 runs as settings adam_*_lr0.01). n/effect/sd/mde/ci: the H̃1 gain over the "
                 "baseline, paired by seed, against the printed gain (paper_effect).")
    t0 = time.perf_counter()
    from analysis.nets.cdg import group_runs

    groups = group_runs([r for r in runs if r.config.optimizer != "adam" or r.config.lr == ADAM_PRIMARY_LR])
    acc = {(k.optimizer, k.model, k.batch_size, k.method): _acc_by_seed(v) for k, v in groups.items()}
    fam = {f"{o}.{m}.b{b}": _summary(acc[(o, m, b, "baseline")], acc[(o, m, b, "h1")])
           for (o, m, b, meth) in sorted(acc) if meth == "h1" and (o, m, b, "baseline") in acc}
    prim = "sgd.resnet56.b8"
    if prim in fam:
        yield _effect_claim(
            ctx, t0, fam[prim], paper_effect=PAPER_GAIN_SMALL_BATCH,
            extra={"primary": prim, "holm": _holm_family(fam)},
            id="cdg.fig8_9.h1_improves_every_batch", section="Appendix A", figures=["cdg_table2"],
            where="Appendix A, Figs 8–9", expected="gain > 0 at every batch (primary: SGD ResNet-56 batch 8)",
            statement="H̃1 improves the test accuracy of SGD and ADAM at every batch size (CIFAR-10).",
            note=f"Preset {ctx.preset}: last-epoch accuracy of the Table 2 runs; ADAM at Table 1's lr 1e-3 "
                 "(primary reading); primary cell SGD ResNet-56 batch 8 (Fig. 4's example), the others with Holm.")
    sub = [r for r in runs if r.config.optimizer == "sgd" and r.config.model == "resnet56"]
    if len({r.config.batch_size for r in sub}) >= 2:
        yield from _table2_quick_claims(ctx, exp, sub)


# ----------------------------------------------------------------------------- LS baselines (Figs 4, 5, 10)

def _ls_claims(ctx: SuiteContext):
    note = ("Needs CIFAR-10 runs with the Laplacian-smoothing grad hook ({'name': 'cdg.grad', "
            "'method': 'ls', 'sigma': 1.0, 'axis': 'raster'} for LS, 'axis': 'output' for LS-ChanDir; "
            "twin of analysis.channel_grad.laplacian_smoothing, tested); σ = 1 is Osher et al.'s setting, cdg does "
            "not state it (a reading). Theory side: cdg.ls.spectrum_vs_h1, cdg.sec1_1.ls_is_sobolev_gradient; "
            "spectra: figure cdg_ls_spectra.")
    yield _paper_scale(ctx, "cdg.table1.ls_row", "Table 1 (LS row: ResNet-56, batch 128/32/8, 240 epochs, lr 0.1)",
                       "LS (Osher et al.) is run as a baseline optimizer on CIFAR-10 ResNet-56 at batch 128, 32 and 8 "
                       "for 240 epochs from lr 0.1, and H̃1 improves on it.",
                       "H̃1 > LS at each batch size", "cdg_fig5", note, kind="paper-statement", section="Table 1")
    yield _paper_scale(ctx, "cdg.fig4.outperforms_ls", "Fig. 4, §4 ('We out-perform all methods')",
                       "At batch 8 on CIFAR-10, H̃1 reaches higher test accuracy than SGD, LS and LS-ChanDir.",
                       "H̃1 > LS, LS-ChanDir, SGD", "cdg_fig5", note, kind="paper-statement", section="Fig. 4")
    yield _paper_scale(ctx, "cdg.fig4.ls_chandir_improves_ls", "Fig. 4, §4 ('which improves LS')",
                       "LS applied along the output channels (LS-ChanDir) beats rasterized LS.",
                       "LS-ChanDir > LS", "cdg_fig5", note, kind="paper-statement", section="Fig. 4")
    yield _paper_scale(ctx, "cdg.fig10.ls_output_direction_preferred", "Fig. 5 right, Fig. 10, Appendix B",
                       "With LS as the smoother too, the output-channel direction gives the best accuracy.",
                       "LS output > LS input, LS rasterized", "cdg_fig5", note, kind="paper-statement",
                       section="Fig. 5 / Fig. 10")
