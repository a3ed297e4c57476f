"""Training precision (issue 12 §1): the config field, the `auto` rule, and the papers' hooks
computing in float32 outside autocast when the forward pass runs in bfloat16."""
import json

import pytest
import torch

import analysis.nets.train as T
from analysis.nets.config import from_dict
from analysis.nets.train import resolve_precision, train

DATA = dict(dataset="fashion-mnist", synthetic={"n_train": 64, "n_test": 16}, epochs=1, batch_size=32,
            lr=0.05, seed=0)


def test_precision_fields_stay_out_of_the_hash_at_their_defaults():
    base = from_dict({"model": "cnn1"})
    assert {"precision", "channels_last", "compile"}.isdisjoint(base.to_dict())
    assert base.replace(precision="fp32").hash() == base.hash()
    assert len({base.hash(), base.replace(precision="bf16").hash(), base.replace(precision="auto").hash(),
                base.replace(channels_last=True).hash(), base.replace(compile=True).hash()}) == 5
    with pytest.raises(ValueError, match="precision"):
        from_dict({"precision": "fp16"})
    with pytest.raises(ValueError, match="channels_last"):
        from_dict({"channels_last": "yes"})


def test_auto_is_bf16_only_with_amx():
    assert resolve_precision("auto", {"avx512f", "avx512_bf16", "amx_bf16", "amx_tile"}) == "bf16"
    assert resolve_precision("auto", {"avx512f", "avx512_bf16"}) == "fp32"
    assert resolve_precision("auto", set()) == "fp32"
    assert resolve_precision("bf16", set()) == "bf16" and resolve_precision("fp32", {"amx_bf16"}) == "fp32"


def test_bf16_and_channels_last_run_records_its_engine(tmp_path):
    run = train(from_dict({**DATA, "model": "cnn1", "width": 0.25, "precision": "bf16", "channels_last": True}),
                tmp_path, progress=False)
    assert run.status == "done"
    eng = json.loads((run.dir / "metrics.json").read_text())["engine"]
    assert eng["precision"] == "bf16" and eng["channels_last"] is True
    assert torch.isfinite(torch.tensor(run.rows[0]["train_loss"]))
    ck = T.load_checkpoint(run.dir / T.CHECKPOINT)
    assert all(v.dtype == torch.float32 for v in ck["model"].values() if v.is_floating_point())


def _spy(monkeypatch):
    """Wrap every hook the trainer builds: record autocast state and the dtypes it sees/returns."""
    seen = []
    real = T.get_hook

    def get_hook(kind, spec, env):
        f = real(kind, spec, env)
        if kind == "teacher":
            return f

        def wrapped(arg):
            res = f(arg)
            rec = {"kind": kind, "name": spec["name"], "autocast": torch.is_autocast_enabled("cpu")}
            if kind == "loss":
                rec["dtypes"] = {k: v.dtype for k, v in res.items()}
                rec["inputs"] = {arg.logits.dtype, arg.x.dtype} | (
                    {arg.teacher_logits.dtype} if arg.teacher_logits is not None else set())
            elif kind == "grad":
                rec["dtypes"] = {p.grad.dtype for p in arg.parameters() if p.grad is not None}
            elif kind == "monitor":
                rec["dtypes"] = {type(v) for v in res.values()}
            seen.append(rec)
            return res
        return wrapped
    monkeypatch.setattr(T, "get_hook", get_hook)
    return seen


def _check(seen, kinds):
    assert {r["kind"] for r in seen} >= set(kinds), seen
    for r in seen:
        assert r["autocast"] is False, r
        if r["kind"] == "loss":
            assert set(r["dtypes"].values()) == {torch.float32}, r
            assert r["inputs"] == {torch.float32}, r
        elif r["kind"] == "grad":
            assert r["dtypes"] == {torch.float32}, r
        elif r["kind"] == "monitor":
            assert r["dtypes"] <= {float}, r


def test_convsim_lcs_loss_and_monitor_are_float32_under_bf16(tmp_path, monkeypatch):
    seen = _spy(monkeypatch)
    train(from_dict({**DATA, "model": "cnn1", "width": 0.25, "precision": "bf16",
                     "extra_losses": [{"name": "convsim", "weight": 0.001}], "monitors": ["convsim"]}),
          tmp_path, progress=False)
    _check(seen, ["loss", "monitor"])


def test_lcr_loss_hook_is_float32_under_bf16(tmp_path, monkeypatch):
    seen = _spy(monkeypatch)
    run = train(from_dict({**DATA, "model": "binary_resnet20", "width": 0.25, "precision": "bf16",
                           "extra_losses": [{"name": "analysis.nets.binary:lcr_loss_hook", "weight": 1.0,
                                             "lam": 1.0}]}), tmp_path, progress=False)
    assert run.status == "done"
    _check(seen, ["loss"])


def test_cdg_grad_hook_is_float32_under_bf16(tmp_path, monkeypatch):
    seen = _spy(monkeypatch)
    train(from_dict({**DATA, "model": "cdg_cnn", "precision": "bf16",
                     "grad_transform": {"name": "analysis.nets.cdg:grad_hook", "method": "h1", "lam": 1.0,
                                        "axis": "output", "layers": "conv"}}), tmp_path, progress=False)
    _check(seen, ["grad"])


def test_dhkd_loss_and_probe_are_float32_under_bf16(tmp_path, monkeypatch):
    teacher = {"name": "run", "config": {**DATA, "model": "cnn1", "width": 0.25}}
    seen = _spy(monkeypatch)
    run = train(from_dict({**DATA, "model": "dual_head", "model_kw": {"base": "cnn1", "aux": "linear"},
                           "width": 0.25, "precision": "bf16", "teacher": teacher,
                           "extra_losses": [{"name": "dhkd", "mode": "dhkd", "kd": "binary_kl_norm",
                                             "alpha": 0.1, "T": 2.0, "ga": True}],
                           "monitors": [{"name": "dhkd_probe", "n": 16, "teacher": teacher,
                                         "data": {"dataset": "fashion-mnist", "synthetic": DATA["synthetic"]},
                                         "kd": "binary_kl_norm", "alpha": 0.1, "T": 2.0, "mode": "dhkd"}]}),
                tmp_path, progress=False)
    assert run.status == "done"
    _check(seen, ["loss", "monitor"])


@pytest.mark.slow
def test_compiled_run_records_compile_time_and_inductor_cache(tmp_path):
    run = train(from_dict({**DATA, "model": "cnn1", "width": 0.125, "compile": True}), tmp_path, progress=False)
    assert run.status == "done"
    eng = json.loads((run.dir / "metrics.json").read_text())["engine"]
    assert eng["compile"] is True and eng["compile_s"] >= 0 and eng["first_step_s"] > 0
    assert (tmp_path / "cache" / "inductor").exists()
