"""Network claims of paper 001 (convsim) from the runs the cache holds: Table 5, Figs 1–5.

The convsim suite calls :func:`network_claims`. Runs are found, never made, here (through
``validation.suites._common.experiment_runs``): they are the runs of the experiments
``analysis/nets/configs/convsim/{table5,fig4,fig5}.yaml`` for the context's preset and seeds
(``--seed`` shifts them), made by ``workbench figures --only <ID>``. While any run of an
experiment is missing its claims are ``not-run`` (``_common.not_run_claim``) and name that command.

Readings (recorded in each claim's note):
- "Top test accuracy" = the best test accuracy over epochs of one run; a setting's number is the
  mean over seeds (the paper reports one run per setting and no spread, so se_paper = 0).
- Printed accuracies (Table 5, Fig. 4's +20 %) are compared only at the ``paper`` preset (CIFAR-10,
  the paper's schedule): at ``quick``/``smoke`` the data set and training length differ, so the
  number is ``reported`` beside the paper's. Relations (orderings, "lower", "faster") are judged
  at every preset by rules that can fail either way; a quick-scale verdict bears on the relation,
  not on the paper's CIFAR-10 numbers.
- Paired comparisons across seeds (same seed = same initial weights and data order) come from
  ``analysis.stats``; an effect whose 95 % interval contains 0 is ``inconclusive``.
- L_CS ∝ ‖K‖⁴: a lower L_CS in training can come from smaller kernels rather than more orthogonal
  ones (with BatchNorm a conv layer's output does not depend on its kernels' scale); the runs log
  L_CS only, so Fig. 1's claims cannot separate the two (note on each).
"""
from __future__ import annotations

import math
import time
from typing import Iterator

import numpy as np

from analysis import stats
from validation.ledger import (Alternative, Claim, Counterfactual, Rule, at_least, effect_rule, mean_se,
                               printed_half_unit, statistic_rule)
from validation.suites._common import experiment_runs, not_run_claim, preset_of

PAPER = "001_c78483e5af3a21c6.txt"
ALPHA = 0.05

# Table 5 of paper 001 (top test accuracy, %), as printed.
TABLE5 = {
    ("cnn1", "baseline"): "74.66", ("cnn1", "init500"): "79.16", ("cnn1", "reg"): "77.16",
    ("cnn2", "baseline"): "76.87", ("cnn2", "init500"): "82.33", ("cnn2", "reg"): "80.00",
}
METHOD_TEXT = {"baseline": "baseline", "init500": "I = 500", "reg": "β = 0.001"}
SHRINK_NOTE = ("Caveat: L_CS is of degree 4 in the kernels, so it also falls when the kernels merely shrink "
               "(weight decay; BatchNorm makes the conv output scale-free); the runs log L_CS only, not kernel "
               "norms, so this claim cannot tell orthogonalization from shrinkage (convsim.alg1.scale_free shows "
               "the split on one layer).")


def _scale_note(exp) -> str:
    c = exp.base
    data = c.dataset + (" synthetic" if c.synthetic else "")
    sub = c.train_subset or (c.synthetic or {}).get("n_train") or "all"
    return (f"preset {exp.preset}: {data}, train subset {sub}, test subset {c.test_subset or 'all'}, "
            f"{c.epochs} epochs, batch {c.batch_size}, seeds {list(exp.seeds)}")


def _not_run(ctx, cid, where, statement, expected, fid, missing, section, kind="paper-statement") -> Claim:
    return not_run_claim(PAPER, ctx, cid, where, statement, fid, expected=expected, kind=kind, section=section,
                         note=f"Runs missing: {missing}.")


def _top_acc_pct(rs) -> list[float]:
    """Top test accuracy (%) of each run; NaN for a run stopped by a non-finite loss."""
    return [100.0 * r.top_test_acc() if r.status == "done" else float("nan") for r in rs]


def _verdict_or_reported(**kw) -> Claim:
    """A Claim from a rule; when no counterfactual can change the rule's verdict (the evidence decides
    nothing either way, e.g. all seeds tied), the claim is ``reported`` with that said."""
    try:
        return Claim(**kw)
    except ValueError as exc:
        if "no counterfactual" not in str(exc):
            raise
        kw = dict(kw, status="reported", note=(kw.get("note", "") + " Not decided: no counterfactual changes the "
                                               "rule's verdict on this evidence.").strip())
        return Claim(**kw)


def _decided(t: dict) -> bool:
    """A t-test result that can decide: a p-value and a non-zero spread of the differences
    (with sd = 0, e.g. identical accuracies on a tiny test set, t = ±inf says nothing)."""
    return not math.isnan(t["p"]) and t["sd_diff"] > 0


def ordering_status(d_reg: dict, d_init: dict) -> str:
    """The ordering rule of Table 5 (baseline < reg < init) from two one-sided paired t-tests:
    ``confirmed`` when both mean differences are positive with p < 0.05; ``deviates`` when either is
    negative with p < 0.05 the other way; else ``inconclusive`` (the paper states an effect that our
    seeds can neither confirm nor exclude, including zero-spread differences)."""
    if all(_decided(d) and d["mean_diff"] > 0 and d["p"] < ALPHA for d in (d_reg, d_init)):
        return "confirmed"
    if any(_decided(d) and d["mean_diff"] < 0 and (1.0 - d["p"]) < ALPHA for d in (d_reg, d_init)):
        return "deviates"
    return "inconclusive"


_ordering_status = ordering_status   # the name the older tests used

ORDERING_RULE = Rule(
    "paired one-sided t-tests across seeds (same seed = same initial weights and data order), alpha 0.05: "
    "confirmed if reg - baseline > 0 and init - reg > 0 significantly, deviates if either is significantly "
    "< 0, else inconclusive",
    lambda m: ordering_status(m["reg_minus_baseline"]["t_test"], m["init_minus_reg"]["t_test"]),
    alpha=ALPHA, label="paired t-tests")


# ----------------------------------------------------------------------------- Table 5

def _ordering_evidence(base, reg, init) -> dict:
    c_reg = stats.compare_paired(base, reg, "greater")
    c_init = stats.compare_paired(reg, init, "greater")
    return {"n_seeds": int(base.size), "reg_minus_baseline": c_reg, "init_minus_reg": c_init,
            "means_pct": {"baseline": float(base.mean()), "reg": float(reg.mean()), "init": float(init.mean())}}


def table5_claims(ctx) -> Iterator[Claim]:
    t0 = time.perf_counter()
    exp, runs, missing = experiment_runs(ctx, "convsim/table5")
    scale = _scale_note(exp) if exp is not None else ""
    at_paper = exp is not None and exp.preset == "paper"
    for (model, meth), printed in TABLE5.items():
        cid = f"convsim.table5.{model}.{meth}.top_test_acc"
        where = f"Table 5, {model.upper()} ({METHOD_TEXT[meth]})"
        statement = (f"{model.upper()} trained with {METHOD_TEXT[meth]} reaches a top test accuracy of "
                     f"{printed}% on CIFAR-10 (batch 512, 100 epochs, SGD lr 0.01)")
        if exp is None or missing:
            yield _not_run(ctx, cid, where, statement, float(printed), "convsim_table5", missing, "Table 5",
                           kind="paper-number")
            continue
        vals = _top_acc_pct(runs[f"{model}_{meth}"])
        mean, std, se, n = mean_se(vals)
        measured = {"value": mean, "std": std, "n": n, "per_seed": vals,
                    "n_not_finished": int(sum(1 for v in vals if math.isnan(v)))}
        ci = stats.paired_t([0.0] * n, [v for v in vals if np.isfinite(v)], "two-sided")["ci"] if n > 1 else None
        note = (f"{scale}. Mean over seeds of each run's best test accuracy (%); per seed {vals}; std {std:.3g}; "
                "ci = 95% t-interval of the mean. ")
        common = dict(id=cid, paper=PAPER, where=where, statement=statement, expected=float(printed), measured=measured,
                      ci=ci, kind="paper-number", evidence="network", section="Table 5", figures=["convsim_table5"],
                      seed=ctx.seed, runtime_s=time.perf_counter() - t0, repro_tol={"rtol": 1e-6, "atol": 1e-6})
        if not at_paper:
            yield Claim(**common, status="reported",
                        tolerance=f"none at preset {exp.preset}: a different data set and schedule than the paper's",
                        note=note + ("At this preset the data set, subset and training length differ from the paper's "
                                     "CIFAR-10/100-epoch setting, so its number is not expected to match; reported "
                                     "beside it. The relations below are tested at every preset."))
            continue
        rule, accept = statistic_rule(float(printed), se if np.isfinite(se) else 0.0, 0.0,
                                      printed_half_unit(printed), key="value")
        alt = (Alternative("no effect of L_CS: the printed baseline", float(TABLE5[(model, "baseline")]))
               if meth != "baseline" else Alternative("the printed I = 500 model", float(TABLE5[(model, "init500")])))
        yield _verdict_or_reported(**common, rule=rule, accept=accept, alternative=alt,
                                   note=note + "se_paper = 0: the paper prints one run and no spread.")

    for model in ("cnn1", "cnn2"):
        cid = f"convsim.table5.{model}.ordering"
        where = f"Table 5 and §4.2 text, {model.upper()}"
        statement = (f"for {model.upper()}, baseline < regularizer (β = 0.001) < initialization (I = 500) "
                     "in top test accuracy")
        expected = "baseline < reg < init"
        if exp is None or missing:
            yield _not_run(ctx, cid, where, statement, expected, "convsim_table5", missing, "Table 5")
            continue
        base, reg, init = (np.array(_top_acc_pct(runs[f"{model}_{m}"])) for m in ("baseline", "reg", "init500"))
        keep = np.isfinite(base) & np.isfinite(reg) & np.isfinite(init)
        base, reg, init = base[keep], reg[keep], init[keep]
        common = dict(id=cid, paper=PAPER, where=where, statement=statement, expected=expected, kind="paper-statement",
                      evidence="network", section="Table 5", figures=["convsim_table5"], seed=ctx.seed,
                      runtime_s=time.perf_counter() - t0, repro_tol={"rtol": 1e-6, "atol": 1e-6})
        if base.size < 2:
            yield Claim(**common, measured={"n_seeds": int(base.size)}, status="reported",
                        tolerance="paired one-sided tests need two seeds with all three runs finished",
                        note=f"{scale}. Fewer than two seeds with all three runs finished (N.A.).")
            continue
        ev = _ordering_evidence(base, reg, init)
        yield _verdict_or_reported(
            **common, measured=ev, ci=ev["init_minus_reg"]["t_test"]["ci"], rule=ORDERING_RULE,
            counterfactuals=[Counterfactual("the same tests with the methods' runs in reverse order (init < reg < baseline)",
                                            _ordering_evidence(init, reg, base))],
            note=(f"{scale}. ci is the 95% t-interval of mean(init - reg) in percentage points; with {base.size} seeds the "
                  f"sign and Wilcoxon tests cannot go below p = {0.5 ** base.size:.3g}."
                  + ("" if at_paper else " A quick-scale result bears on the relation, not on the paper's CIFAR-10 numbers.")))

    # §4.2: CNN1 with CS beats the CNN2 baseline (3.86x fewer parameters).
    cid = "convsim.table5.cnn1_cs_vs_cnn2_baseline"
    where = "§4.2 text and Table 5 ('CNN1 trained with Convolutional Similarity outperforms the CNN2 baseline')"
    statement = "CNN1 with I = 500 reaches a higher top test accuracy than the CNN2 baseline"
    paper_effect = float(TABLE5[("cnn1", "init500")]) - float(TABLE5[("cnn2", "baseline")])
    if exp is None or missing:
        yield _not_run(ctx, cid, where, statement, paper_effect, "convsim_table5", missing, "Table 5")
    else:
        a = np.array(_top_acc_pct(runs["cnn2_baseline"]))
        b = np.array(_top_acc_pct(runs["cnn1_init500"]))
        keep = np.isfinite(a) & np.isfinite(b)
        yield from _effect_claim(ctx, t0, cid, where, statement, a[keep], b[keep], +1.0, "Table 5", "convsim_table5",
                                 f"{scale}. Effect = CNN1(I = 500) - CNN2(baseline), paired by seed; printed effect "
                                 f"{paper_effect:.2f} points.", expected=paper_effect)

    yield from _curve_claims(ctx, exp, runs, missing, scale, t0)


def _mde(se: float, n: int) -> float:
    """Minimal detectable effect at 80 % power, two-sided α = 0.05 (DESIGN.md): (t_0.975 + t_0.8)·se."""
    from scipy import stats as sps

    if n < 2 or not np.isfinite(se):
        return float("nan")
    return float((sps.t.ppf(0.975, n - 1) + sps.t.ppf(0.8, n - 1)) * se)


def _effect_claim(ctx, t0, cid, where, statement, a, b, sign, section, fid, note, expected=None) -> Iterator[Claim]:
    """d = b − a paired by seed, decided by the sign of its 95 % interval (effect_rule, direction only)."""
    common = dict(id=cid, paper=PAPER, where=where, statement=statement, kind="paper-statement", evidence="network",
                  section=section, figures=[fid], seed=ctx.seed, runtime_s=time.perf_counter() - t0,
                  expected=expected if expected is not None else ("> 0" if sign > 0 else "< 0"),
                  repro_tol={"rtol": 1e-6, "atol": 1e-6})
    if a.size < 2:
        yield Claim(**common, measured={"n_seeds": int(a.size)}, status="reported",
                    tolerance="a paired interval needs two seeds with both runs finished",
                    note=f"{note} Fewer than two seeds with both runs finished (N.A.).")
        return
    c = stats.compare_paired(a, b, "greater" if sign > 0 else "less")
    t = c["t_test"]
    measured = {"ci": t["ci"], "effect": t["mean_diff"], "n": int(a.size), "sd": t["sd_diff"],
                "mde": _mde(t["se"], int(a.size)), "tests": c}
    swapped = stats.compare_paired(b, a, "greater" if sign > 0 else "less")
    yield _verdict_or_reported(
        **common, measured=measured, ci=c["t_test"]["ci"], rule=effect_rule(sign, key="ci", direction_only=True),
        counterfactuals=[Counterfactual("the same paired interval with the two settings swapped",
                                        {"ci": swapped["t_test"]["ci"]})],
        note=note)


def _curve_claims(ctx, exp, runs, missing, scale, t0) -> Iterator[Claim]:
    """Figs 1–3: L_CS stays lower with I = 500; classification loss falls fastest with I = 500;
    both methods reach a higher train accuracy than the baseline."""
    for model in ("cnn1", "cnn2"):
        cid = f"convsim.fig1.{model}.init_cs_stays_below_baseline"
        where = f"Fig. 1 and §4.2 text, {model.upper()}"
        statement = ("with I = 500 and a properly tuned learning rate the Convolutional Similarity loss "
                     "remains low during training (below the baseline's at every epoch)")
        expected = "L_CS(init) < L_CS(baseline) at every epoch"
        if exp is None or missing:
            yield _not_run(ctx, cid, where, statement, expected, "convsim_table5", missing, "Fig. 1")
        else:
            def below(first, second, epochs=None):
                pairs = []
                for r1, r2 in zip(runs[first], runs[second]):
                    n = min(len(r1.rows), len(r2.rows)) if epochs is None else min(epochs, len(r1.rows), len(r2.rows))
                    pairs += [(r1.rows[e]["cs.total"] < r2.rows[e]["cs.total"]) for e in range(n)]
                return {"fraction_of_seed_epochs_below": float(np.mean(pairs)) if pairs else float("nan"),
                        "n_seed_epochs": len(pairs)}

            init, base = f"{model}_init500", f"{model}_baseline"
            yield _verdict_or_reported(
                id=cid, paper=PAPER, where=where, statement=statement, expected=expected,
                measured=below(init, base), kind="paper-statement", evidence="network", section="Fig. 1",
                figures=["convsim_table5"],
                rule=at_least(1.0, key="fraction_of_seed_epochs_below", fail="deviates",
                              why="every (seed, epoch) pair"),
                counterfactuals=[Counterfactual("the baseline's L_CS compared against I = 500's (roles swapped)",
                                                below(base, init)),
                                 Counterfactual("the first recorded epoch only", below(init, base, epochs=1))],
                note=f"{scale}. {SHRINK_NOTE}", seed=ctx.seed, runtime_s=time.perf_counter() - t0)

        for meth, other, metric, sign, fig, text in (
                ("init500", "baseline", "train_loss", -1, "fig2", "the classification loss decreases fastest "
                 "with I = 500 (lower train loss than the baseline, summed over epochs)"),
                ("init500", "reg", "train_loss", -1, "fig2", "the classification loss decreases more slowly "
                 "with β = 0.001 than with I = 500 (summed over epochs)"),
                ("init500", "baseline", "train_acc", 1, "fig3", "I = 500 gives a higher train accuracy than "
                 "the baseline (summed over epochs)"),
                ("reg", "baseline", "train_acc", 1, "fig3", "β = 0.001 gives a higher train accuracy than "
                 "the baseline (summed over epochs)")):
            cid = f"convsim.{fig}.{model}.{meth}_vs_{other}.{metric}"
            where = f"{'Fig. 2' if fig == 'fig2' else 'Fig. 3'} and §4.2 text, {model.upper()}"
            section = "Fig. 2" if fig == "fig2" else "Fig. 3"
            if exp is None or missing:
                yield _not_run(ctx, cid, where, text, f"{meth} {'<' if sign < 0 else '>'} {other} in {metric}",
                               "convsim_table5", missing, section)
                continue
            # area under the curve: the sum over epochs (faster convergence = lower loss area)
            a = np.array([float(np.nansum(r.column(metric))) if r.status == "done" else np.nan
                          for r in runs[f"{model}_{other}"]])
            b = np.array([float(np.nansum(r.column(metric))) if r.status == "done" else np.nan
                          for r in runs[f"{model}_{meth}"]])
            keep = np.isfinite(a) & np.isfinite(b)
            yield from _effect_claim(ctx, t0, cid, where, text, a[keep], b[keep], float(sign), section, "convsim_table5",
                                     f"{scale}. Reading: 'faster' = a smaller area under the per-epoch curve; effect "
                                     f"= {meth} - {other}, paired by seed.")


# ----------------------------------------------------------------------------- Figs 4 and 5

def fig4_claims(ctx) -> Iterator[Claim]:
    t0 = time.perf_counter()
    cid = "convsim.fig4.lr0.001_b128.delta_accuracy"
    where = "Fig. 4 and §4.3 text ('lr = 0.001, batch size = 128 → ΔAccuracy = 20%')"
    statement = ("ResNet-18 pre-trained with I = 200 gains about 20 percentage points of test accuracy over "
                 "the baseline at lr 0.001, batch 128 (50 epochs)")
    exp, runs, missing = experiment_runs(ctx, "convsim/fig4")
    if exp is None or missing:
        yield _not_run(ctx, cid, where, statement, 20.0, "convsim_fig4", missing, "Fig. 4", kind="paper-number")
        return

    def point(label):
        name, *kv = label.split("|")
        return name, {k: v for k, v in (x.split("=", 1) for x in kv)}

    key = next((lab for lab in runs if point(lab)[0] == "baseline"
                and float(point(lab)[1].get("lr", "nan")) == 0.001
                and int(point(lab)[1].get("batch_size", "0")) == 128), None)
    common = dict(id=cid, paper=PAPER, where=where, statement=statement, expected=20.0, kind="paper-number",
                  evidence="network", section="Fig. 4", figures=["convsim_fig4"], seed=ctx.seed,
                  repro_tol={"rtol": 1e-6, "atol": 1e-6})
    if key is None:
        yield Claim(**common, measured=None, tolerance="needs the grid point lr 0.001, batch 128", status="not-run",
                    note=f"the {exp.preset} grid lacks lr 0.001 x batch 128: {sorted(runs)}")
        return
    base = np.array(_top_acc_pct(runs[key]))
    init = np.array(_top_acc_pct(runs[key.replace("baseline", "init200", 1)]))
    keep = np.isfinite(base) & np.isfinite(init)
    d = init[keep] - base[keep]
    mean, std, se, n = mean_se(d)
    grid = {lab: float(np.nanmean(_top_acc_pct(rs))) for lab, rs in sorted(runs.items())}
    measured = {"value": mean, "delta_std": std, "n": n, "per_seed": d.tolist(), "grid_mean_top_acc_pct": grid}
    ci = stats.paired_t(base[keep], init[keep], "two-sided")["ci"] if n > 1 else None
    note = (f"{_scale_note(exp)}; grid {exp.grid}. The grid values are our choice around the one point the text names "
            "(lr 0.001, batch 128); '20%' read as 20 percentage points.")
    if exp.preset != "paper":
        yield Claim(**common, measured=measured, ci=ci, status="reported",
                    tolerance=f"none at preset {exp.preset}: a different data set and schedule than the paper's",
                    note=note, runtime_s=time.perf_counter() - t0)
        return
    rule, accept = statistic_rule(20.0, se if np.isfinite(se) else 0.0, 0.0, printed_half_unit("20"), key="value")
    yield _verdict_or_reported(**common, measured=measured, ci=ci, rule=rule, accept=accept,
                               alternative=Alternative("no gain from L_CS pre-training", 0.0), note=note,
                               runtime_s=time.perf_counter() - t0)


def fig5_claims(ctx) -> Iterator[Claim]:
    t0 = time.perf_counter()
    cid = "convsim.fig5.accuracy_vs_iterations"
    where = "Fig. 5 and §4.3 text"
    statement = ("ResNet-18's test accuracy improves mostly within I < 60 initialization iterations, and I = 10 "
                 "already performs well")
    expected = "gain(I=10) > 0 and most of the gain reached by I < 60"
    exp, runs, missing = experiment_runs(ctx, "convsim/fig5")
    if exp is None or missing:
        yield _not_run(ctx, cid, where, statement, expected, "convsim_fig5", missing, "Fig. 5")
        return
    by_i = {}
    for lab, rs in runs.items():
        steps = rs[0].config.init["steps"] if rs[0].config.init else 0
        by_i[int(steps)] = _top_acc_pct(rs)
    i_vals = sorted(by_i)
    means = {i: mean_se(by_i[i])[0] for i in i_vals}
    gains = {i: means[i] - means[0] for i in i_vals} if 0 in means else {}
    yield Claim(id=cid, paper=PAPER, where=where, statement=statement, expected=expected,
                measured={"mean_top_acc_pct": {str(i): means[i] for i in i_vals},
                          "per_seed": {str(i): by_i[i] for i in i_vals},
                          "gain_over_I0_pp": {str(i): g for i, g in gains.items()}},
                tolerance="none: the paper gives the curve only as a figure", status="reported",
                kind="paper-statement", evidence="network", section="Fig. 5", figures=["convsim_fig5"],
                note=f"{_scale_note(exp)}; I values {i_vals}. The paper prints no numbers for Fig. 5.",
                seed=ctx.seed, runtime_s=time.perf_counter() - t0)


def unconfigured_claims(ctx) -> Iterator[Claim]:
    """Network statements no experiment of analysis/nets/configs/convsim runs yet."""
    for cid, where, statement, expected, section in (
            ("convsim.sec4_2.cnn2_512.top_test_acc", "§4.2 text ('512 filters per layer ... an accuracy of 79.78%')",
             "CNN2 with 512 filters per layer (7,143,946 parameters), trained as the baseline, reaches 79.78%", 79.78,
             "Table 5"),
            ("convsim.sec4_3.momentum_undoes_cs", "§4.3 ('optimizers with momentum cause an increase of Convolutional "
             "Similarity loss previously minimized'; large learning rates push the weights out)",
             "after I-step L_CS pre-training, training with momentum or a large learning rate raises L_CS again",
             "L_CS rises under momentum / large lr", "§4.3")):
        yield Claim(id=cid, paper=PAPER, where=where, statement=statement, expected=expected, measured=None,
                    tolerance="needs network runs", status="not-run", kind="paper-statement", evidence="network",
                    section=section, seed=ctx.seed,
                    note=("needs network runs that no experiment defines yet: add a config under "
                          f"analysis/nets/configs/convsim/ (preset {preset_of(ctx)}) and a figure script."))


def network_claims(ctx) -> Iterator[Claim]:
    """Every network claim of paper 001 (Table 5, Figs 1–5, §4.2–4.3) from the cached runs of ctx.preset."""
    yield from table5_claims(ctx)
    yield from fig4_claims(ctx)
    yield from fig5_claims(ctx)
    yield from unconfigured_claims(ctx)
