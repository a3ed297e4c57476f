"""Torch side of cdg: torch twins vs the numpy functions (float64, to rounding), the optimizer
wrapper with SGD / momentum / Adam, the trainer grad hook, and the correlation adapters.

Tolerance: 1e-12 absolute on O(1) float64 gradients with O ≤ 32 channels — a few hundred ulps,
the rounding of sums of O terms in two different orders."""
import numpy as np
import pytest
import torch

from analysis.channel_grad import h0_gradient, sobolev_combined_gradient, sobolev_gradient
from analysis.correlation import correlation_vs_distance, in_out_correlation_table, mean_std_scatter
from analysis.nets.cdg import (
    ChannelDirectedOptimizer, grad_hook, h0_gradient_torch, model_conv_weights,
    model_correlation_table, model_correlation_vs_distance, model_mean_std_scatter,
    selected_parameters, sobolev_gradient_torch, transform_gradient,
)

TOL = 1e-12


def _t(a):
    return torch.tensor(a, dtype=torch.float64)


@pytest.mark.parametrize("shape", [(2,), (5, 3), (8, 3, 3, 3), (17, 2, 1, 5)])
@pytest.mark.parametrize("lam", [0.02, 1.0, 6.0])
def test_sobolev_torch_matches_numpy(shape, lam):
    f = np.random.default_rng(0).normal(size=shape) + 0.5
    got = sobolev_gradient_torch(_t(f), lam).numpy()
    for method in ("conv", "cumsum"):
        np.testing.assert_allclose(got, sobolev_gradient(f, lam, method), rtol=0, atol=TOL / min(lam, 1))


@pytest.mark.parametrize("form,lam", [("eq8", 0.5), ("eq8", 1.0), ("code", 0.0), ("code", 2.5)])
def test_h0_torch_matches_numpy(form, lam):
    f = np.random.default_rng(1).normal(size=(6, 3, 3, 3))
    np.testing.assert_allclose(h0_gradient_torch(_t(f), lam, form).numpy(), h0_gradient(f, lam, form),
                               rtol=0, atol=TOL)


def _numpy_along(f, axis, fn):
    if axis == "output":
        return fn(f)
    if axis == "input":
        return np.swapaxes(fn(np.swapaxes(f, 0, 1)), 0, 1)
    return fn(f.reshape(-1)).reshape(f.shape)


@pytest.mark.parametrize("axis", ["output", "input", "raster"])
@pytest.mark.parametrize("method", ["h0", "h1", "none"])
def test_transform_gradient_every_axis_matches_numpy(axis, method):
    f = np.random.default_rng(2).normal(size=(6, 4, 3, 3))
    got = transform_gradient(_t(f), method=method, lam=1.0, axis=axis, h0_weight=0.3,
                             sobolev_weight=2.0).numpy()
    if method == "none":
        want = f
    elif method == "h0":
        want = _numpy_along(f, axis, lambda a: h0_gradient(a, 1.0, "code"))
    else:
        want = _numpy_along(f, axis, lambda a: sobolev_combined_gradient(a, 0.3, 2.0, lam=1.0))
    assert got.shape == f.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


def test_float32_close_to_float64():
    f = np.random.default_rng(3).normal(size=(64, 16, 3, 3))
    g32 = sobolev_gradient_torch(torch.tensor(f, dtype=torch.float32), 1.0).double().numpy()
    # float32 rounding: ~6e-8 relative per op, O = 64 cumulative terms → ~1e-5 absolute
    np.testing.assert_allclose(g32, sobolev_gradient(f, 1.0), rtol=0, atol=1e-5)


def _tiny_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(2, 6, 3), torch.nn.ReLU(), torch.nn.Conv2d(6, 5, 3),
                               torch.nn.Flatten(), torch.nn.Linear(5 * 2 * 2, 3)).double()


def _grads(model, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(4, 2, 6, 6, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0])
    model.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(model(x), y).backward()


@pytest.mark.parametrize("opt_name", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("method,axis", [("h1", "output"), ("h0", "output"), ("h1", "input"),
                                         ("h1", "raster")])
def test_wrapper_equals_inner_step_on_transformed_grads(opt_name, method, axis):
    def make(params):
        if opt_name == "sgd":
            return torch.optim.SGD(params, lr=0.1)
        if opt_name == "momentum":
            return torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=5e-4)
        return torch.optim.Adam(params, lr=1e-2)

    a, b = _tiny_model(), _tiny_model()
    wrapped = ChannelDirectedOptimizer(make(a.parameters()), selected_parameters(a, "conv"),
                                       method=method, axis=axis, lam=1.0)
    plain = make(b.parameters())
    for step in range(3):
        _grads(a, step)
        _grads(b, step)
        with torch.no_grad():     # the reference: numpy transform of b's conv gradients
            for p in selected_parameters(b, "conv"):
                f = p.grad.numpy()
                if method == "h0":
                    want = _numpy_along(f, axis, lambda x: h0_gradient(x, 1.0, "code"))
                else:
                    want = _numpy_along(f, axis, lambda x: sobolev_combined_gradient(x, 1.0, 1.0))
                p.grad.copy_(torch.from_numpy(want))
        wrapped.step()
        plain.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(pa.detach().numpy(), pb.detach().numpy(), rtol=0, atol=1e-11)


def test_wrapper_leaves_unselected_and_none_method():
    a, b = _tiny_model(), _tiny_model()
    wa = ChannelDirectedOptimizer(torch.optim.SGD(a.parameters(), lr=0.1), selected_parameters(a), "none")
    wb = torch.optim.SGD(b.parameters(), lr=0.1)
    _grads(a)
    _grads(b)
    wa.step()
    wb.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert len(selected_parameters(a, "conv")) == 2
    assert len(selected_parameters(a, "all")) == 6          # 3 weights + 3 biases (≥ 2 outputs)


def test_grad_hook_equals_wrapper_transform():
    a, b = _tiny_model(), _tiny_model()
    _grads(a)
    _grads(b)
    grad_hook({"name": "analysis.nets.cdg:grad_hook", "method": "h1", "lam": 1.0,
               "sobolev_weight": 3.0, "layers": "all"})(a)
    ChannelDirectedOptimizer(torch.optim.SGD(b.parameters(), lr=0.1), selected_parameters(b, "all"),
                             "h1", sobolev_weight=3.0).transform()
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.allclose(pa.grad, pb.grad, rtol=0, atol=1e-14)


def test_hook_through_trainer_registry():
    from analysis.nets.hooks import HookEnv, get_hook

    hook = get_hook("grad", {"name": "analysis.nets.cdg:grad_hook", "method": "h0", "lam": 1.0}, HookEnv())
    m = _tiny_model()
    _grads(m)
    before = [p.grad.clone() for p in selected_parameters(m)]
    hook(m)
    for g0, p in zip(before, selected_parameters(m)):
        assert torch.allclose(p.grad, g0 + g0.mean(0, keepdim=True), atol=1e-15)


def test_correlation_adapters_match_numpy():
    m = _tiny_model(5)
    ws = model_conv_weights(m)
    assert [w.shape for w in ws] == [(6, 2, 3, 3), (5, 6, 3, 3)] and ws[0].dtype == np.float64
    tab = model_correlation_table(m)
    ref = in_out_correlation_table(ws)
    assert tab["output"] == ref["output"] and tab["input"] == ref["input"]
    np.testing.assert_allclose(model_correlation_vs_distance(m, "output", 3),
                               np.mean([correlation_vs_distance(w, "output", 3) for w in ws], axis=0))
    sc = model_mean_std_scatter(m)
    assert sc["corr_mean_std"] == mean_std_scatter(ws)["corr_mean_std"]


@pytest.mark.parametrize("call", [
    lambda: sobolev_gradient_torch(torch.ones(1, 3), 1.0),
    lambda: sobolev_gradient_torch(torch.ones(3), 0.0),
    lambda: h0_gradient_torch(torch.ones(3), 0.0, "eq8"),
    lambda: h0_gradient_torch(torch.ones(3), -1.0, "code"),
    lambda: transform_gradient(torch.ones(3, 3), method="h2"),
    lambda: transform_gradient(torch.ones(3, 3), axis="spatial"),
    lambda: transform_gradient(torch.ones(3, 3), sobolev_weight=-1.0),
    lambda: grad_hook({"name": "x", "lamda": 1.0}),
    lambda: grad_hook({"name": "x", "layers": "bn"}),
    lambda: ChannelDirectedOptimizer(torch.optim.SGD([torch.nn.Parameter(torch.ones(2))], lr=1), [],
                                     method="h1", lam=-1.0),
    lambda: model_correlation_table(torch.nn.Linear(3, 3)),
])
def test_bad_inputs(call):
    with pytest.raises(ValueError):
        call()


def test_bench_linear_cost_runs():
    """The bench's linear-cost part on tiny sizes (timings are not asserted: shared CPU)."""
    from validation.benches.cdg import linear_cost
    from validation.registry import SuiteContext

    lc = linear_cost(SuiteContext(episodes=1, progress=False), columns=2, channels=(16, 64, 256))
    assert len(lc["cumsum_seconds"]) == 3 and np.isfinite(lc["cumsum_loglog_slope"])


@pytest.mark.slow
def test_bench_step_overhead_runs():
    """ResNet-20 steps (batch 2): ~10-40 s on the shared 2-core machine, hence slow."""
    from validation.benches.cdg import step_overhead
    from validation.registry import SuiteContext

    r = step_overhead(SuiteContext(episodes=1, progress=False), batch=2)
    assert r["h1_step_overhead_ratio"] > 0 and r["h1_transform_over_step"] > 0



def _smoke_figure(fid, out):
    from figures.common import FigureContext
    import importlib

    mod = importlib.import_module(f"figures.{fid}")
    return mod.make(FigureContext(preset="smoke", out=out, workers=1, progress=False))


def test_fig6_smoke_runs_feed_figure_and_suite(tmp_path):
    """Fig. 6 on the smoke preset (synthetic Fashion-MNIST files, 2 steps per run): the figure
    script makes the runs through the trainer with the cdg grad hook, the suite reads them."""
    from validation.registry import SUITES, SuiteContext, load_all

    paths = _smoke_figure("cdg_fig6", tmp_path)
    assert {p.suffix for p in paths} == {".csv", ".md", ".png", ".pdf"}
    load_all()
    claims = {c.id: c for c in SUITES["cdg"].func(SuiteContext(preset="smoke", episodes=3, out=tmp_path,
                                                               progress=False))}
    for cid in ("cdg.fig6.h0_gain_over_sgd", "cdg.fig6.h1_gain_over_sgd",
                "cdg.sec2_4.cdg_raises_output_correlation"):
        assert claims[cid].status != "not-run"
        assert claims[cid].measured
    assert claims["cdg.fig5right.direction.output"].status == "not-run"
    fig11 = _smoke_figure("cdg_fig11", tmp_path)        # reuses the same runs
    assert any(p.name.startswith("fig13_histogram") for p in fig11)


def test_fig2_closed_form(tmp_path):
    from figures.cdg_fig2 import kernel_rows

    paths = _smoke_figure("cdg_fig2", tmp_path)
    assert len(paths) == 4
    rows = kernel_rows(8)
    assert abs(sum(r["h0_eq8_lam1"] for r in rows) - 1.0) < 1e-15
    assert abs(sum(r["sobolev_lam1"] for r in rows) - (1 + 1 / (12 * 64))) < 1e-14


@pytest.mark.slow
@pytest.mark.parametrize("fid", ["cdg_fig5", "cdg_table2"])
def test_comparison_figures_smoke(fid, tmp_path):
    """Fig. 5 right (14 smoke runs) and Table 2 (27 smoke runs of width-0.25 ResNet-56/VGG-16)."""
    paths = _smoke_figure(fid, tmp_path)
    assert {p.suffix for p in paths} == {".csv", ".md", ".png", ".pdf"}


@pytest.mark.slow
def test_quick_table2_path_on_smoke_runs(tmp_path, monkeypatch):
    """The quick preset's Table 2 stand-in (cdg/table2_quick) read by the suite, exercised on
    that file's smoke runs (the suite's run lookup is pointed at them)."""
    import validation.suites._cdg_nets as suite
    from analysis.nets.config import load_experiment
    from figures.common import FigureContext, make_runs
    from validation.registry import SuiteContext

    exp = load_experiment("cdg/table2_quick", "smoke")
    runs = [r for rs in make_runs(exp, FigureContext(preset="smoke", out=tmp_path, workers=1,
                                                     progress=False)).values() for r in rs]
    monkeypatch.setattr(suite, "_runs_of", lambda ctx, name: (exp, runs) if name == "cdg/table2_quick"
                        else (None, None))
    claims = {c.id: c for c in suite._table2_claims(SuiteContext(preset="quick", out=tmp_path))}
    fl = claims["cdg.fig5left.variance_reduced"]
    assert fl.status != "not-run" and {"n", "effect", "sd", "mde", "paper_effect", "power_ok"} <= set(fl.measured)
    assert claims["cdg.table2.quick.gain_grows_at_small_batch"].status != "not-run"
    # the CIFAR-10 column needs the paper preset: not-run where CIFAR-10 is on disk, else not testable here
    from analysis.nets.data import find_dataset
    try:
        find_dataset("cifar10", "train", None)
        expected_status = "not-run"
    except FileNotFoundError:
        expected_status = "not-testable-offline"
    assert claims["cdg.table2.sgd.resnet56.b8.accuracy"].status == expected_status
    assert "--preset paper" in claims["cdg.table2.sgd.resnet56.b8.accuracy"].note


# ----------------------------------------------------------------------------- LS baseline in the trainer (issue 15 §4b)

@pytest.mark.parametrize("shape", [(2,), (7,), (8, 3, 3, 3), (16, 4, 3, 3)])
@pytest.mark.parametrize("sigma", [0.0, 1.0, 5.0])
def test_ls_torch_matches_numpy_both_axes(shape, sigma):
    from analysis.channel_grad import laplacian_smoothing
    from analysis.nets.cdg import laplacian_smoothing_torch

    g = np.random.default_rng(3).standard_normal(shape)
    np.testing.assert_allclose(laplacian_smoothing_torch(_t(g), sigma).numpy(),
                               laplacian_smoothing(g, sigma, axis="output"), rtol=0, atol=1e-12)
    np.testing.assert_allclose(transform_gradient(_t(g), "ls", axis="raster", sigma=sigma).numpy(),
                               laplacian_smoothing(g, sigma, axis=None), rtol=0, atol=1e-12)
    np.testing.assert_allclose(transform_gradient(_t(g), "ls", axis="output", sigma=sigma).numpy(),
                               laplacian_smoothing(g, sigma, axis="output"), rtol=0, atol=1e-12)


def test_ls_grad_hook_through_registry_and_key():
    from analysis.channel_grad import laplacian_smoothing
    from analysis.nets.cdg import transform_key
    from analysis.nets.hooks import HookEnv, get_hook

    spec = {"name": "analysis.nets.cdg:grad_hook", "method": "ls", "sigma": 2.0, "axis": "raster"}
    hook = get_hook("grad", spec, HookEnv())
    m = _tiny_model()
    _grads(m)
    before = [p.grad.clone().numpy() for p in selected_parameters(m)]
    hook(m)
    for g0, p in zip(before, selected_parameters(m)):
        np.testing.assert_allclose(p.grad.numpy(), laplacian_smoothing(g0, 2.0), atol=1e-12)
    assert transform_key(spec) == ("ls", 2.0, "raster", "conv")
    with pytest.raises(ValueError):
        get_hook("grad", {**spec, "sigma": -1.0}, HookEnv())


def test_ls_spectra_figure(tmp_path):
    from figures import cdg_ls_spectra
    from figures.common import FigureContext

    rows = cdg_ls_spectra.spectrum_rows()
    ls = [r for r in rows if r["operator"] == "ls_chandir_output"]
    assert min(r["factor"] for r in ls) == pytest.approx(1 / 5)          # 1/(1 + 4σ) at k = n/2, σ = 1
    paths = cdg_ls_spectra.make(FigureContext(out=tmp_path, progress=False))
    assert {p.suffix for p in paths} >= {".png", ".csv"}
