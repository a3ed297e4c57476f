"""The LCR loss options of issue 16 (analysis.nets.losses): the official code's scaling
α·L/(B·10⁴) beside Eq. 12's λ/2·L, and the three sources of RM_F in the trainer hook (same pass,
latent full-precision weights, a frozen full-precision teacher run)."""
from types import SimpleNamespace

import pytest
import torch

from analysis.nets import binary
from analysis.nets.losses import OFFICIAL_LCR_DIVISOR, LCRRegularizer, lcr_loss_hook
from analysis.nets.models import build_model



def _model(seed=0):
    torch.manual_seed(seed)
    return build_model("binary_resnet20", num_classes=10, in_channels=1, image_size=8, width=0.25)


@pytest.mark.parametrize("source", ["same_pass", "latent"])
def test_official_scale_is_lambda_times_loss_over_batch_and_1e4(source):
    x = torch.randn(6, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    vals = {}
    for scale in ("eq12", "official"):
        model = _model()
        reg = LCRRegularizer(model, lam=8.0, source=source, scale=scale)
        model(x)
        vals[scale] = float(reg.loss(x).detach())
        reg.remove()
    # eq12: 8/2·L; official: 8·L/(6·10⁴)
    lip = vals["eq12"] / 4.0
    assert vals["official"] == pytest.approx(8.0 * lip / 6 / OFFICIAL_LCR_DIVISOR, rel=1e-6)
    assert vals["eq12"] > 0


def test_official_scale_needs_x_and_rejects_unknown_scale():
    model = _model()
    reg = LCRRegularizer(model, scale="official")
    model(torch.randn(2, 1, 8, 8))
    with pytest.raises(ValueError, match="needs the input batch"):
        reg.loss()
    reg.remove()
    with pytest.raises(ValueError, match="scale"):
        LCRRegularizer(model, scale="half")
    with pytest.raises(ValueError, match="scale"):
        lcr_loss_hook({"name": "x", "scale": "half"}, None)


def test_hook_teacher_source_builds_the_teacher_run_once_and_matches_the_regularizer(tmp_path):
    torch.manual_seed(5)
    teacher = build_model("resnet20", num_classes=10, in_channels=1, image_size=8, width=0.25).eval()
    calls = []

    def ensure_run(cfg, out, data_dir=None, progress=True):
        calls.append(cfg.model)
        return SimpleNamespace(load_model=lambda: teacher)

    env = SimpleNamespace(out=tmp_path, data_dir=None, seed=0, ensure_run=ensure_run)
    spec = {"name": "analysis.nets.binary:lcr_loss_hook", "lam": 2.0, "source": "teacher",
            "teacher": {"model": "resnet20", "dataset": "fashion-mnist", "width": 0.25}}
    hook = binary.lcr_loss_hook(spec, env)
    model = _model()
    x = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    logits = model(x)
    step = SimpleNamespace(model=model, x=x, y=torch.zeros(4, dtype=torch.long), logits=logits,
                           teacher_logits=None, epoch=1, step=0)
    got = hook(step)["lcr"]
    got2 = hook(step)["lcr"]
    assert calls == ["resnet20"]                      # the teacher run is looked up once
    assert all(not q.requires_grad for q in teacher.parameters())
    ref = LCRRegularizer(_model(), lam=2.0, source="teacher", teacher=teacher)
    ref.model(x)
    assert float(got) == pytest.approx(float(ref.loss(x)), rel=1e-5)
    assert float(got2) == pytest.approx(float(got), rel=1e-5)
    got.backward()                                    # the gradient reaches the binary weights
    assert model.stages[0][0].conv1.weight.grad is not None


def test_hook_teacher_source_needs_a_teacher_config():
    with pytest.raises(ValueError, match="teacher"):
        lcr_loss_hook({"name": "x", "source": "teacher"}, None)
    with pytest.raises(ValueError, match="only used with source"):
        lcr_loss_hook({"name": "x", "teacher": {"model": "resnet20"}}, None)
